/*
 * accel/tcg/x86_64-asm.h — an x86-64 instruction encoder for the JIT.
 *
 * Opcode constants carry their prefixes as high bits (P_EXT for the 0F
 * escape, P_DATA16 for 66, P_REXW for 64-bit operand size, ...), so one
 * x86_emit_opc() writes prefixes, REX and opcode for every instruction,
 * and x86_emit_modrm*() add the operand bytes: register-register,
 * base+displacement, base+index*scale+displacement and RIP-relative.
 * VEX-encoded BMI instructions (andn, shlx, sarx, shrx) go through
 * x86_emit_vex_modrm(). Intel SDM vol. 2, chapter 2 ("Instruction
 * Format") for the byte layout.
 *
 * Code is written into an X86Buf: the write-side pointer plus the offset
 * to where the bytes execute (the TB region may be mapped twice, RW and
 * RX), so PC-relative displacements are computed from execution
 * addresses. Callers check room before each op; the encoder itself only
 * writes.
 */
#ifndef ACCEL_TCG_X86_64_ASM_H
#define ACCEL_TCG_X86_64_ASM_H

#include "util/osdep.h"

typedef enum X86Reg {
    X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
    X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
} X86Reg;

typedef struct X86Buf {
    uint8_t *start;         /* write-side address of the first byte */
    uint8_t *ptr;           /* next byte to write */
    uint8_t *end;
    intptr_t rx_delta;      /* execution address = write address + delta */
} X86Buf;

/* Prefix bits above the opcode byte. */
#define P_EXT       0x100       /* 0F escape */
#define P_EXT38     0x200       /* 0F 38 escape */
#define P_DATA16    0x400       /* 66: 16-bit operand */
#define P_REXW      0x1000      /* REX.W: 64-bit operand (VEX.W for VEX) */
#define P_REXB_R    0x2000      /* reg field is a byte register */
#define P_REXB_RM   0x4000      /* r/m field is a byte register */
#define P_SIMDF3    0x10000     /* F3 (also VEX.pp = 2) */
#define P_SIMDF2    0x20000     /* F2 (also VEX.pp = 3) */
#define P_VEX66     0x40000     /* VEX.pp = 1 */

/* Opcodes (the ones the backend uses). */
#define OPC_ARITH_EvIz  0x81
#define OPC_ARITH_EvIb  0x83
#define OPC_ARITH_GvEv  0x03    /* add r, r/m; OR in ARITH_x << 3 */
#define OPC_ADD_GvEv    (OPC_ARITH_GvEv | (ARITH_ADD << 3))
#define OPC_AND_GvEv    (OPC_ARITH_GvEv | (ARITH_AND << 3))
#define OPC_OR_GvEv     (OPC_ARITH_GvEv | (ARITH_OR << 3))
#define OPC_SUB_GvEv    (OPC_ARITH_GvEv | (ARITH_SUB << 3))
#define OPC_XOR_GvEv    (OPC_ARITH_GvEv | (ARITH_XOR << 3))
#define OPC_CMP_GvEv    (OPC_ARITH_GvEv | (ARITH_CMP << 3))
#define OPC_ANDN        (0xf2 | P_EXT38)
#define OPC_BSF         (0xbc | P_EXT)
#define OPC_BSR         (0xbd | P_EXT)
#define OPC_BSWAP       (0xc8 | P_EXT)
#define OPC_CALL_Jz     0xe8
#define OPC_CMOVCC      (0x40 | P_EXT)
#define OPC_CQO         (0x99 | P_REXW)
#define OPC_CDQ         0x99
#define OPC_GRP3_Ev     0xf7
#define OPC_GRP5        0xff
#define OPC_IMUL_GvEv   (0xaf | P_EXT)
#define OPC_IMUL_GvEvIb 0x6b
#define OPC_IMUL_GvEvIz 0x69
#define OPC_JCC_long    (0x80 | P_EXT)
#define OPC_JCC_short   0x70
#define OPC_JMP_long    0xe9
#define OPC_JMP_short   0xeb
#define OPC_LEA         0x8d
#define OPC_LZCNT       (0xbd | P_EXT | P_SIMDF3)
#define OPC_MFENCE      (0xae | P_EXT)  /* with modrm 0xf0 */
#define OPC_MOVB_EvGv   (0x88 | P_REXB_R)
#define OPC_MOVL_EvGv   0x89
#define OPC_MOVL_GvEv   0x8b
#define OPC_MOVB_EvIz   0xc6
#define OPC_MOVL_EvIz   0xc7
#define OPC_MOVL_Iv     0xb8
#define OPC_MOVSBL      (0xbe | P_EXT | P_REXB_RM)
#define OPC_MOVSWL      (0xbf | P_EXT)
#define OPC_MOVSLQ      (0x63 | P_REXW)
#define OPC_MOVZBL      (0xb6 | P_EXT | P_REXB_RM)
#define OPC_MOVZWL      (0xb7 | P_EXT)
#define OPC_POP_r32     0x58
#define OPC_POPCNT      (0xb8 | P_EXT | P_SIMDF3)
#define OPC_PUSH_r32    0x50
#define OPC_RET         0xc3
#define OPC_SETCC       (0x90 | P_EXT | P_REXB_RM)
#define OPC_SARX        (0xf7 | P_EXT38 | P_SIMDF3)
#define OPC_SHLX        (0xf7 | P_EXT38 | P_VEX66)
#define OPC_SHRX        (0xf7 | P_EXT38 | P_SIMDF2)
#define OPC_SHIFT_1     0xd1
#define OPC_SHIFT_Ib    0xc1
#define OPC_SHIFT_cl    0xd3
#define OPC_TESTL       0x85
#define OPC_TZCNT       (0xbc | P_EXT | P_SIMDF3)
#define OPC_XCHG        0x87

/* Group 1 (OPC_ARITH_*) operation in the reg field. */
enum { ARITH_ADD = 0, ARITH_OR = 1, ARITH_AND = 4, ARITH_SUB = 5,
       ARITH_XOR = 6, ARITH_CMP = 7 };
/* Group 2 (shifts). */
enum { SHIFT_ROL = 0, SHIFT_ROR = 1, SHIFT_SHL = 4, SHIFT_SHR = 5,
       SHIFT_SAR = 7 };
/* Group 3. */
enum { EXT3_NOT = 2, EXT3_NEG = 3, EXT3_MUL = 4, EXT3_IMUL = 5,
       EXT3_DIV = 6, EXT3_IDIV = 7 };
/* Group 5. */
enum { EXT5_CALLN_Ev = 2, EXT5_JMPN_Ev = 4 };

/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
enum {
    JCC_JO = 0x0, JCC_JNO = 0x1, JCC_JB = 0x2, JCC_JAE = 0x3,
    JCC_JE = 0x4, JCC_JNE = 0x5, JCC_JBE = 0x6, JCC_JA = 0x7,
    JCC_JS = 0x8, JCC_JNS = 0x9, JCC_JP = 0xa, JCC_JNP = 0xb,
    JCC_JL = 0xc, JCC_JGE = 0xd, JCC_JLE = 0xe, JCC_JG = 0xf,
};

static inline bool x86_fits_s8(int64_t v)
{
    return v == (int8_t)v;
}

static inline bool x86_fits_s32(int64_t v)
{
    return v == (int32_t)v;
}

static inline uintptr_t x86_rx(const X86Buf *b, const uint8_t *p)
{
    return (uintptr_t)p + b->rx_delta;
}

static inline void x86_out8(X86Buf *b, uint8_t v)
{
    *b->ptr++ = v;
}

static inline void x86_out16(X86Buf *b, uint16_t v)
{
    memcpy(b->ptr, &v, 2);
    b->ptr += 2;
}

static inline void x86_out32(X86Buf *b, uint32_t v)
{
    memcpy(b->ptr, &v, 4);
    b->ptr += 4;
}

static inline void x86_out64(X86Buf *b, uint64_t v)
{
    memcpy(b->ptr, &v, 8);
    b->ptr += 8;
}

/*
 * Prefixes, REX and the opcode. @r is the reg field (or a group's /digit),
 * @rm the r/m base and @x the SIB index (0 when there is none); only
 * their bit 3 matters here, plus the byte-register rule: sil/dil/spl/bpl
 * need a REX prefix, or the encoding would mean ah/ch/dh/bh.
 */
static inline void x86_emit_opc(X86Buf *b, int opc, int r, int rm, int x)
{
    int rex = 0;

    if (opc & P_DATA16) {
        x86_out8(b, 0x66);
    }
    if (opc & P_SIMDF3) {
        x86_out8(b, 0xf3);
    } else if (opc & P_SIMDF2) {
        x86_out8(b, 0xf2);
    }
    rex |= (opc & P_REXW) ? 8 : 0;
    rex |= (r & 8) >> 1;            /* REX.R */
    rex |= (x & 8) >> 2;            /* REX.X */
    rex |= (rm & 8) >> 3;           /* REX.B */
    if (((opc & P_REXB_R) && r >= 4) || ((opc & P_REXB_RM) && rm >= 4)) {
        rex |= 0x40;
    }
    if (rex) {
        x86_out8(b, 0x40 | (rex & 0xf));
    }
    if (opc & (P_EXT | P_EXT38)) {
        x86_out8(b, 0x0f);
        if (opc & P_EXT38) {
            x86_out8(b, 0x38);
        }
    }
    x86_out8(b, opc & 0xff);
}

/* Register-register form: mod = 11. */
static inline void x86_emit_modrm(X86Buf *b, int opc, int r, int rm)
{
    x86_emit_opc(b, opc, r, rm, 0);
    x86_out8(b, 0xc0 | ((r & 7) << 3) | (rm & 7));
}

/* Opcode with the register in its low 3 bits (push, pop, bswap, mov imm). */
static inline void x86_emit_opc_reg(X86Buf *b, int opc, int reg)
{
    x86_emit_opc(b, opc, 0, reg, 0);
    b->ptr[-1] |= reg & 7;
}

/*
 * Memory operand [base + index * (1 << shift) + offset]; @index < 0 for
 * none. rsp/r12 as base need a SIB byte; rbp/r13 as base cannot use the
 * no-displacement form (that encoding means RIP-relative / no base).
 */
static inline void x86_emit_modrm_sib_offset(X86Buf *b, int opc, int r,
                                             int base, int index, int shift,
                                             int32_t offset)
{
    int mod, len;

    if (offset == 0 && (base & 7) != X86_RBP) {
        mod = 0x00, len = 0;
    } else if (x86_fits_s8(offset)) {
        mod = 0x40, len = 1;
    } else {
        mod = 0x80, len = 4;
    }
    if (index < 0 && (base & 7) != X86_RSP) {
        x86_emit_opc(b, opc, r, base, 0);
        x86_out8(b, mod | ((r & 7) << 3) | (base & 7));
    } else {
        /* SIB; index 100 (rsp) means "no index". */
        int idx = index < 0 ? X86_RSP : index;
        x86_emit_opc(b, opc, r, base, index < 0 ? 0 : index);
        x86_out8(b, mod | ((r & 7) << 3) | 4);
        x86_out8(b, (shift << 6) | ((idx & 7) << 3) | (base & 7));
    }
    if (len == 1) {
        x86_out8(b, (uint8_t)offset);
    } else if (len == 4) {
        x86_out32(b, (uint32_t)offset);
    }
}

static inline void x86_emit_modrm_offset(X86Buf *b, int opc, int r, int base,
                                         int32_t offset)
{
    x86_emit_modrm_sib_offset(b, opc, r, base, -1, 0, offset);
}

/*
 * RIP-relative operand addressing @target (an execution address).
 * @imm_len is the size of any immediate that follows, which the
 * displacement is relative to the end of.
 */
static inline void x86_emit_modrm_rip(X86Buf *b, int opc, int r,
                                      uintptr_t target, int imm_len)
{
    x86_emit_opc(b, opc, r, 0, 0);
    x86_out8(b, 0x05 | ((r & 7) << 3));
    x86_out32(b, (uint32_t)(target - (x86_rx(b, b->ptr) + 4 + imm_len)));
}

/*
 * VEX-encoded (3-byte form) register-register instruction: @r the reg
 * field, @v the extra source in VEX.vvvv, @rm the r/m register. Only the
 * 0F38 map with LZ (L = 0) is used (BMI1/BMI2).
 */
static inline void x86_emit_vex_modrm(X86Buf *b, int opc, int r, int v,
                                      int rm)
{
    int pp = (opc & P_VEX66) ? 1 : (opc & P_SIMDF3) ? 2
           : (opc & P_SIMDF2) ? 3 : 0;

    x86_out8(b, 0xc4);
    /* R̄ X̄ B̄ and the map (2 = 0F38). */
    x86_out8(b, ((~r & 8) << 4) | 0x40 | ((~rm & 8) << 2) | 0x02);
    x86_out8(b, ((opc & P_REXW) ? 0x80 : 0) | ((~v & 15) << 3) | pp);
    x86_out8(b, opc & 0xff);
    x86_out8(b, 0xc0 | ((r & 7) << 3) | (rm & 7));
}

/* --- a few whole instructions --- */

/* op r, imm for group 1, picking the short immediate when it fits. */
static inline void x86_emit_arith_ri(X86Buf *b, int rexw, int arith, int r,
                                     int32_t imm)
{
    if (x86_fits_s8(imm)) {
        x86_emit_modrm(b, OPC_ARITH_EvIb | rexw, arith, r);
        x86_out8(b, (uint8_t)imm);
    } else {
        x86_emit_modrm(b, OPC_ARITH_EvIz | rexw, arith, r);
        x86_out32(b, (uint32_t)imm);
    }
}

static inline void x86_emit_mov_rr(X86Buf *b, int rexw, int dst, int src)
{
    x86_emit_modrm(b, OPC_MOVL_GvEv | rexw, dst, src);
}

/* Load @val into @reg by the shortest form. Clobbers flags when 0. */
static inline void x86_emit_movi(X86Buf *b, int reg, uint64_t val)
{
    if (val == 0) {
        x86_emit_modrm(b, OPC_XOR_GvEv, reg, reg);
    } else if (val == (uint32_t)val) {
        x86_emit_opc_reg(b, OPC_MOVL_Iv, reg);
        x86_out32(b, (uint32_t)val);
    } else if (x86_fits_s32((int64_t)val)) {
        x86_emit_modrm(b, OPC_MOVL_EvIz | P_REXW, 0, reg);
        x86_out32(b, (uint32_t)val);
    } else {
        x86_emit_opc_reg(b, OPC_MOVL_Iv | P_REXW, reg);
        x86_out64(b, val);
    }
}

/* Like x86_emit_movi but never touching the flags. */
static inline void x86_emit_movi_keep_flags(X86Buf *b, int reg, uint64_t val)
{
    if (val == 0) {
        x86_emit_opc_reg(b, OPC_MOVL_Iv, reg);
        x86_out32(b, 0);
    } else {
        x86_emit_movi(b, reg, val);
    }
}

/* Multi-byte NOP of @n bytes (1..8), as the SDM recommends. */
static inline void x86_emit_nops(X86Buf *b, int n)
{
    static const uint8_t nops[9][8] = {
        { 0 },
        { 0x90 },
        { 0x66, 0x90 },
        { 0x0f, 0x1f, 0x00 },
        { 0x0f, 0x1f, 0x40, 0x00 },
        { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
        { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
        { 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
        { 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
    };
    while (n > 0) {
        int k = n > 8 ? 8 : n;
        memcpy(b->ptr, nops[k], k);
        b->ptr += k;
        n -= k;
    }
}

/* Patch a rel32 at @p (write side) to reach @target (execution address). */
static inline void x86_patch_rel32(const X86Buf *b, uint8_t *p,
                                   uintptr_t target)
{
    int32_t rel = (int32_t)(target - (x86_rx(b, p) + 4));
    memcpy(p, &rel, 4);
}

/* Jump (or call) to an execution address, rel32 when in range. */
static inline bool x86_in_rel32(const X86Buf *b, uintptr_t target, int len)
{
    int64_t d = (int64_t)(target - (x86_rx(b, b->ptr) + len));
    return x86_fits_s32(d);
}

#endif /* ACCEL_TCG_X86_64_ASM_H */
