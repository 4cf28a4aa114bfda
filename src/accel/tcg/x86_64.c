/*
 * accel/tcg/x86_64.c — the x86-64 JIT backend: host code for every IR op.
 *
 * What lives here: the register tables, one descriptor per IR op
 * (constraint string + emitter, see jit-internal.h for the letters), the
 * moves/loads/stores the allocator (jit-regalloc.c) asks for, helper
 * calls, the inline softmmu fast path with out-of-line slow paths, TB
 * entry and exit (prologue, exit_tb, patchable goto_tb, goto_ptr), and
 * the TCGBackend glue (exec, set_jump, fault_position, -d out_asm).
 *
 * Host conventions (System V AMD64 ABI):
 *   - env (the CPUState) stays in rbp for the whole of translated code;
 *     the prologue saves rbp, rbx, r12-r15 and reserves a stack frame of
 *     JIT_FRAME_SLOTS 8-byte spill slots at [rsp], keeping rsp 16-byte
 *     aligned so generated code can call C directly.
 *   - An i32 value in a register has undefined upper 32 bits; everything
 *     that looks at them (extu, helper arguments, 64-bit addresses) zero-
 *     or sign-extends explicitly.
 *   - A TB returns to the CPU loop through the epilogue with rax =
 *     TranslationBlock pointer | TBExit (TBs are 16-byte aligned).
 *
 * Code memory: the TB region is one memfd mapped twice, read-write (where
 * TBs and code are written) and read-execute (where code runs), so no
 * page is ever writable and executable at once; if memfd is refused, one
 * RWX mapping is the fallback (tb-maint.c). x86 keeps instruction fetch
 * coherent with stores, so no cache flush is needed after writing code;
 * goto_tb jumps are patched with one aligned atomic 32-bit store.
 *
 * Fault positions: a helper's return address, or the address the slow
 * path passes as "ra" (just after the inline access in the main line),
 * minus one lies inside the code of the guest instruction that made the
 * call or access; a sorted table of TB code ranges finds the TB, and the
 * offset is compared with TBInsnStart.pos (a host code offset).
 */
#include "accel/tcg/jit-internal.h"
#include "util/error.h"
#include "accel/tcg/ir-semantics.h"
#include "config.h"
#include "util/log.h"

#include <cpuid.h>
#if CONFIG_CAPSTONE
#include <capstone/capstone.h>
#endif

/* --- register tables --- */

/* Callee-saved first: values there survive helper calls and slow paths. */
const int8_t jit_reg_alloc_order[] = {
    X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15,
    X86_R10, X86_R11, X86_R9, X86_R8, X86_RCX, X86_RDX, X86_RSI, X86_RDI,
    X86_RAX,
};
const unsigned jit_reg_alloc_order_len = ARRAY_SIZE(jit_reg_alloc_order);

const JitRegSet jit_call_clobbered =
    1u << X86_RAX | 1u << X86_RCX | 1u << X86_RDX | 1u << X86_RSI |
    1u << X86_RDI | 1u << X86_R8 | 1u << X86_R9 | 1u << X86_R10 |
    1u << X86_R11;

const int8_t jit_call_arg_regs[TCG_HELPER_MAX_ARGS] = {
    X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8, X86_R9,
};

/* Callee-saved registers the prologue pushes, in push order. */
static const int8_t prologue_saved[] = {
    X86_RBP, X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* Stack frame below the saved registers: the spill slots, plus 8 so that
 * rsp is 16-byte aligned (entry: 8 mod 16; six pushes: 8 mod 16). */
#define FRAME_SIZE (JIT_FRAME_SLOTS * 8 + 8)

#define REG_BIT(r) ((JitRegSet)(1u << (r)))

static const uint8_t cond_to_jcc[] = {
    [TCG_COND_EQ] = JCC_JE, [TCG_COND_NE] = JCC_JNE,
    [TCG_COND_LT] = JCC_JL, [TCG_COND_GE] = JCC_JGE,
    [TCG_COND_LE] = JCC_JLE, [TCG_COND_GT] = JCC_JG,
    [TCG_COND_LTU] = JCC_JB, [TCG_COND_GEU] = JCC_JAE,
    [TCG_COND_LEU] = JCC_JBE, [TCG_COND_GTU] = JCC_JA,
};

static inline int rexw(TCGType type)
{
    return type == TCG_TYPE_I64 ? P_REXW : 0;
}

/* --- moves, loads, stores (allocator hooks) --- */

void jit_tgt_mov(JitContext *s, TCGType type, int dst, int src)
{
    /* A 32-bit mov of a register to itself still zero-extends it. */
    if (dst != src || type == TCG_TYPE_I32) {
        x86_emit_mov_rr(&s->code, rexw(type), dst, src);
    }
}

void jit_tgt_movi(JitContext *s, TCGType type, int reg, uint64_t val)
{
    x86_emit_movi(&s->code, reg, type == TCG_TYPE_I32 ? (uint32_t)val : val);
}

void jit_tgt_ld(JitContext *s, TCGType type, int reg, int base, int32_t off)
{
    x86_emit_modrm_offset(&s->code, OPC_MOVL_GvEv | rexw(type), reg, base,
                          off);
}

void jit_tgt_st(JitContext *s, TCGType type, int reg, int base, int32_t off)
{
    x86_emit_modrm_offset(&s->code, OPC_MOVL_EvGv | rexw(type), reg, base,
                          off);
}

void jit_tgt_sti(JitContext *s, TCGType type, uint64_t val, int base,
                 int32_t off)
{
    X86Buf *b = &s->code;

    if (type == TCG_TYPE_I32 || x86_fits_s32((int64_t)val)) {
        x86_emit_modrm_offset(b, OPC_MOVL_EvIz | rexw(type), 0, base, off);
        x86_out32(b, (uint32_t)val);
        return;
    }
    /* Two halves: needs no register. */
    x86_emit_modrm_offset(b, OPC_MOVL_EvIz, 0, base, off);
    x86_out32(b, (uint32_t)val);
    x86_emit_modrm_offset(b, OPC_MOVL_EvIz, 0, base, off + 4);
    x86_out32(b, (uint32_t)(val >> 32));
}

/* --- branches --- */

void jit_tgt_jump_label(JitContext *s, int jcc, uint32_t label)
{
    if (jcc < 0) {
        x86_out8(&s->code, OPC_JMP_long);
    } else {
        x86_out8(&s->code, 0x0f);
        x86_out8(&s->code, 0x80 | jcc);
    }
    x86_out32(&s->code, 0);
    jit_label_ref(s, label);
}

/* Short forward branch inside one emitter: returns the byte to patch. */
static uint8_t *jcc_short(X86Buf *b, int jcc)
{
    x86_out8(b, jcc < 0 ? OPC_JMP_short : OPC_JCC_short | jcc);
    x86_out8(b, 0);
    return b->ptr - 1;
}

static void short_here(X86Buf *b, uint8_t *p)
{
    *p = (uint8_t)(b->ptr - (p + 1));
}

/* A jump to an execution address: rel32 (the region is < 2 GiB). */
static void jmp_abs(X86Buf *b, uintptr_t target)
{
    x86_out8(b, OPC_JMP_long);
    x86_out32(b, 0);
    x86_patch_rel32(b, b->ptr - 4, target);
}

/* --- calls --- */

void jit_tgt_call(JitContext *s, const void *func)
{
    X86Buf *b = &s->code;

    if (x86_in_rel32(b, (uintptr_t)func, 5)) {
        x86_out8(b, OPC_CALL_Jz);
        x86_out32(b, 0);
        x86_patch_rel32(b, b->ptr - 4, (uintptr_t)func);
    } else {
        x86_emit_movi(b, X86_RAX, (uintptr_t)func);
        x86_emit_modrm(b, OPC_GRP5, EXT5_CALLN_Ev, X86_RAX);
    }
}

void jit_tgt_lea_here(JitContext *s, int reg)
{
    /* lea reg, [rip + 0]: the address of the next instruction. */
    x86_emit_opc(&s->code, OPC_LEA | P_REXW, reg, 0, 0);
    x86_out8(&s->code, 0x05 | ((reg & 7) << 3));
    x86_out32(&s->code, 0);
}

void jit_tgt_mb(JitContext *s, unsigned bar)
{
    /* x86 is TSO: only store->load ordering needs a fence. */
    if (bar & TCG_MO_ST_LD) {
        x86_emit_modrm(&s->code, OPC_MFENCE, 6, 0);
    }
}

/* --- arithmetic --- */

#define EMITTER(name) \
    static void name(JitContext *s, const TCGOp *op, const JitArg *a, \
                     const int *scratch)

/* cmp x, y (or test x, x against zero): flags for a TCGCond. */
static void emit_cmp(X86Buf *b, int w, int x, const JitArg *y)
{
    if (y->is_const && y->val == 0) {
        x86_emit_modrm(b, OPC_TESTL | w, x, x);
    } else if (y->is_const) {
        x86_emit_arith_ri(b, w, ARITH_CMP, x, (int32_t)y->val);
    } else {
        x86_emit_modrm(b, OPC_CMP_GvEv | w, x, y->reg);
    }
}

EMITTER(emit_add)
{
    X86Buf *b = &s->code;
    int w = rexw(op->type), out = a[0].reg, x = a[1].reg;

    if (a[2].is_const) {
        int32_t imm = (int32_t)a[2].val;
        if (out == x) {
            if (imm) {
                x86_emit_arith_ri(b, w, ARITH_ADD, out, imm);
            }
        } else if (imm == 0) {
            x86_emit_mov_rr(b, w, out, x);
        } else {
            x86_emit_modrm_offset(b, OPC_LEA | w, out, x, imm);
        }
    } else if (out == x) {
        x86_emit_modrm(b, OPC_ADD_GvEv | w, out, a[2].reg);
    } else if (out == a[2].reg) {
        x86_emit_modrm(b, OPC_ADD_GvEv | w, out, x);
    } else {
        x86_emit_modrm_sib_offset(b, OPC_LEA | w, out, x, a[2].reg, 0, 0);
    }
}

/* Two-address group-1 ops: out (== in0) op= in1. */
static void emit_arith2(JitContext *s, const TCGOp *op, const JitArg *a,
                        int arith)
{
    X86Buf *b = &s->code;
    int w = rexw(op->type);

    if (a[2].is_const) {
        x86_emit_arith_ri(b, w, arith, a[0].reg, (int32_t)a[2].val);
    } else {
        x86_emit_modrm(b, (OPC_ARITH_GvEv | arith << 3) | w, a[0].reg,
                       a[2].reg);
    }
}

EMITTER(emit_sub)
{
    emit_arith2(s, op, a, ARITH_SUB);
}

EMITTER(emit_and)
{
    emit_arith2(s, op, a, ARITH_AND);
}

EMITTER(emit_or)
{
    emit_arith2(s, op, a, ARITH_OR);
}

EMITTER(emit_xor)
{
    emit_arith2(s, op, a, ARITH_XOR);
}

EMITTER(emit_eqv)
{
    emit_arith2(s, op, a, ARITH_XOR);
    x86_emit_modrm(&s->code, OPC_GRP3_Ev | rexw(op->type), EXT3_NOT,
                   a[0].reg);
}

EMITTER(emit_neg)
{
    x86_emit_modrm(&s->code, OPC_GRP3_Ev | rexw(op->type), EXT3_NEG,
                   a[0].reg);
}

EMITTER(emit_not)
{
    x86_emit_modrm(&s->code, OPC_GRP3_Ev | rexw(op->type), EXT3_NOT,
                   a[0].reg);
}

/* andc with BMI1: out = ~y & x in one instruction. */
EMITTER(emit_andc_bmi1)
{
    x86_emit_vex_modrm(&s->code, OPC_ANDN | rexw(op->type), a[0].reg,
                       a[2].reg, a[1].reg);
}

/* andc without BMI1 (out == x): x & ~y == ~(~x | y). */
EMITTER(emit_andc)
{
    X86Buf *b = &s->code;
    int w = rexw(op->type), out = a[0].reg;

    if (a[2].reg == out) {
        x86_emit_modrm(b, OPC_XOR_GvEv, out, out);
        return;
    }
    x86_emit_modrm(b, OPC_GRP3_Ev | w, EXT3_NOT, out);
    x86_emit_modrm(b, OPC_OR_GvEv | w, out, a[2].reg);
    x86_emit_modrm(b, OPC_GRP3_Ev | w, EXT3_NOT, out);
}

/* orc (out == x): x | ~y == ~(~x & y). */
EMITTER(emit_orc)
{
    X86Buf *b = &s->code;
    int w = rexw(op->type), out = a[0].reg;

    if (a[2].reg == out) {
        jit_tgt_movi(s, op->type, out, ~0ull);
        return;
    }
    x86_emit_modrm(b, OPC_GRP3_Ev | w, EXT3_NOT, out);
    x86_emit_modrm(b, OPC_AND_GvEv | w, out, a[2].reg);
    x86_emit_modrm(b, OPC_GRP3_Ev | w, EXT3_NOT, out);
}

EMITTER(emit_mul)
{
    X86Buf *b = &s->code;
    int w = rexw(op->type), out = a[0].reg, x = a[1].reg;

    if (a[2].is_const) {
        int32_t imm = (int32_t)a[2].val;
        if (x86_fits_s8(imm)) {
            x86_emit_modrm(b, OPC_IMUL_GvEvIb | w, out, x);
            x86_out8(b, (uint8_t)imm);
        } else {
            x86_emit_modrm(b, OPC_IMUL_GvEvIz | w, out, x);
            x86_out32(b, (uint32_t)imm);
        }
        return;
    }
    if (out == a[2].reg) {
        x86_emit_modrm(b, OPC_IMUL_GvEv | w, out, x);
        return;
    }
    if (out != x) {
        x86_emit_mov_rr(b, w, out, x);
    }
    x86_emit_modrm(b, OPC_IMUL_GvEv | w, out, a[2].reg);
}

/* mulsh/muluh: rdx:rax = rax * y; the high half is the result. */
EMITTER(emit_mulsh)
{
    x86_emit_modrm(&s->code, OPC_GRP3_Ev | rexw(op->type), EXT3_IMUL,
                   a[2].reg);
}

EMITTER(emit_muluh)
{
    x86_emit_modrm(&s->code, OPC_GRP3_Ev | rexw(op->type), EXT3_MUL,
                   a[2].reg);
}

/*
 * Division with the IR's rules instead of x86's #DE: x / 0 = all ones,
 * x % 0 = x; for signed, MIN / -1 = MIN and MIN % -1 = 0 (x / -1 is just
 * -x, and x % -1 is 0, for every x). The dividend is in rax, the divisor
 * in neither rax nor rdx.
 */
static void emit_divrem(JitContext *s, const TCGOp *op, const JitArg *a,
                        bool is_signed, bool is_rem)
{
    X86Buf *b = &s->code;
    TCGType type = op->type;
    int w = rexw(type), y = a[2].reg;
    uint8_t *to_zero, *to_div = NULL, *done1 = NULL, *done2;

    x86_emit_modrm(b, OPC_TESTL | w, y, y);
    to_zero = jcc_short(b, JCC_JE);
    if (is_signed) {
        x86_emit_arith_ri(b, w, ARITH_CMP, y, -1);
        to_div = jcc_short(b, JCC_JNE);
        if (is_rem) {
            x86_emit_modrm(b, OPC_XOR_GvEv, X86_RDX, X86_RDX);
        } else {
            x86_emit_modrm(b, OPC_GRP3_Ev | w, EXT3_NEG, X86_RAX);
        }
        done1 = jcc_short(b, -1);
        short_here(b, to_div);
        if (w) {
            x86_emit_opc(b, OPC_CQO, 0, 0, 0);
        } else {
            x86_emit_opc(b, OPC_CDQ, 0, 0, 0);
        }
        x86_emit_modrm(b, OPC_GRP3_Ev | w, EXT3_IDIV, y);
    } else {
        x86_emit_modrm(b, OPC_XOR_GvEv, X86_RDX, X86_RDX);
        x86_emit_modrm(b, OPC_GRP3_Ev | w, EXT3_DIV, y);
    }
    done2 = jcc_short(b, -1);
    short_here(b, to_zero);
    if (is_rem) {
        x86_emit_mov_rr(b, w, X86_RDX, X86_RAX);
    } else {
        jit_tgt_movi(s, type, X86_RAX, ~0ull);
    }
    if (done1) {
        short_here(b, done1);
    }
    short_here(b, done2);
}

EMITTER(emit_div)
{
    emit_divrem(s, op, a, true, false);
}

EMITTER(emit_divu)
{
    emit_divrem(s, op, a, false, false);
}

EMITTER(emit_rem)
{
    emit_divrem(s, op, a, true, true);
}

EMITTER(emit_remu)
{
    emit_divrem(s, op, a, false, true);
}

/* --- shifts and rotates --- */

static void shift_imm(X86Buf *b, int w, int ext, int reg, unsigned n)
{
    if (n == 1) {
        x86_emit_modrm(b, OPC_SHIFT_1 | w, ext, reg);
    } else if (n) {
        x86_emit_modrm(b, OPC_SHIFT_Ib | w, ext, reg);
        x86_out8(b, n);
    }
}

/* Count in cl or constant (out == x). x86 masks the count like the IR. */
static void emit_shift_cl(JitContext *s, const TCGOp *op, const JitArg *a,
                          int ext)
{
    X86Buf *b = &s->code;
    int w = rexw(op->type);

    if (a[2].is_const) {
        shift_imm(b, w, ext, a[0].reg, a[2].val & (ir_width(op->type) - 1));
    } else {
        x86_emit_modrm(b, OPC_SHIFT_cl | w, ext, a[0].reg);
    }
}

/* BMI2 shlx/shrx/sarx: three operands, count in any register. */
static void emit_shift_bmi2(JitContext *s, const TCGOp *op, const JitArg *a,
                            int ext, int vex_opc)
{
    X86Buf *b = &s->code;
    int w = rexw(op->type);

    if (a[2].is_const) {
        if (a[0].reg != a[1].reg) {
            x86_emit_mov_rr(b, w, a[0].reg, a[1].reg);
        }
        shift_imm(b, w, ext, a[0].reg, a[2].val & (ir_width(op->type) - 1));
    } else {
        x86_emit_vex_modrm(b, vex_opc | w, a[0].reg, a[2].reg, a[1].reg);
    }
}

EMITTER(emit_shl)
{
    emit_shift_cl(s, op, a, SHIFT_SHL);
}

EMITTER(emit_shr)
{
    emit_shift_cl(s, op, a, SHIFT_SHR);
}

EMITTER(emit_sar)
{
    emit_shift_cl(s, op, a, SHIFT_SAR);
}

EMITTER(emit_shl_bmi2)
{
    emit_shift_bmi2(s, op, a, SHIFT_SHL, OPC_SHLX);
}

EMITTER(emit_shr_bmi2)
{
    emit_shift_bmi2(s, op, a, SHIFT_SHR, OPC_SHRX);
}

EMITTER(emit_sar_bmi2)
{
    emit_shift_bmi2(s, op, a, SHIFT_SAR, OPC_SARX);
}

EMITTER(emit_rotl)
{
    emit_shift_cl(s, op, a, SHIFT_ROL);
}

EMITTER(emit_rotr)
{
    emit_shift_cl(s, op, a, SHIFT_ROR);
}

/* --- bit counting, byte order, extensions --- */

EMITTER(emit_clz_lzcnt)
{
    x86_emit_modrm(&s->code, OPC_LZCNT | rexw(op->type), a[0].reg, a[1].reg);
}

/* clz = (w-1) - bsr(x) = bsr(x) ^ (w-1); for x == 0 use 2w-1 -> w. */
EMITTER(emit_clz_bsr)
{
    X86Buf *b = &s->code;
    int w = rexw(op->type), out = a[0].reg;
    unsigned width = ir_width(op->type);
    uint8_t *nz;

    x86_emit_modrm(b, OPC_BSR | w, out, a[1].reg);
    nz = jcc_short(b, JCC_JNE);
    x86_emit_movi(b, out, 2 * width - 1);
    short_here(b, nz);
    x86_emit_arith_ri(b, w, ARITH_XOR, out, width - 1);
}

EMITTER(emit_ctz_tzcnt)
{
    x86_emit_modrm(&s->code, OPC_TZCNT | rexw(op->type), a[0].reg, a[1].reg);
}

EMITTER(emit_ctz_bsf)
{
    X86Buf *b = &s->code;
    uint8_t *nz;

    x86_emit_modrm(b, OPC_BSF | rexw(op->type), a[0].reg, a[1].reg);
    nz = jcc_short(b, JCC_JNE);
    x86_emit_movi(b, a[0].reg, ir_width(op->type));
    short_here(b, nz);
}

EMITTER(emit_ctpop_popcnt)
{
    x86_emit_modrm(&s->code, OPC_POPCNT | rexw(op->type), a[0].reg,
                   a[1].reg);
}

/* Without popcnt: clear the lowest set bit until none is left. */
EMITTER(emit_ctpop_loop)
{
    X86Buf *b = &s->code;
    int w = rexw(op->type), out = a[0].reg, t0 = scratch[0], t1 = scratch[1];
    uint8_t *loop, *done, *back;

    x86_emit_mov_rr(b, w, t0, a[1].reg);
    x86_emit_modrm(b, OPC_XOR_GvEv, out, out);
    loop = b->ptr;
    x86_emit_modrm(b, OPC_TESTL | w, t0, t0);
    done = jcc_short(b, JCC_JE);
    x86_emit_arith_ri(b, 0, ARITH_ADD, out, 1);
    x86_emit_modrm_offset(b, OPC_LEA | w, t1, t0, -1);
    x86_emit_modrm(b, OPC_AND_GvEv | w, t0, t1);
    back = jcc_short(b, -1);
    *back = (uint8_t)(loop - (back + 1));
    short_here(b, done);
}

EMITTER(emit_bswap)
{
    x86_emit_opc_reg(&s->code, OPC_BSWAP | rexw(op->type), a[0].reg);
}

EMITTER(emit_ext8s)
{
    x86_emit_modrm(&s->code, OPC_MOVSBL | rexw(op->type), a[0].reg,
                   a[1].reg);
}

EMITTER(emit_ext8u)
{
    x86_emit_modrm(&s->code, OPC_MOVZBL, a[0].reg, a[1].reg);
}

EMITTER(emit_ext16s)
{
    x86_emit_modrm(&s->code, OPC_MOVSWL | rexw(op->type), a[0].reg,
                   a[1].reg);
}

EMITTER(emit_ext16u)
{
    x86_emit_modrm(&s->code, OPC_MOVZWL, a[0].reg, a[1].reg);
}

/* ext32s, ext_i32_i64. */
EMITTER(emit_ext32s)
{
    x86_emit_modrm(&s->code, OPC_MOVSLQ, a[0].reg, a[1].reg);
}

/* ext32u, extu_i32_i64: always a 32-bit mov (clears the upper half). */
EMITTER(emit_ext32u)
{
    x86_emit_mov_rr(&s->code, 0, a[0].reg, a[1].reg);
}

/* extrl_i64_i32: the low half; its upper half may stay. */
EMITTER(emit_extrl)
{
    if (a[0].reg != a[1].reg) {
        x86_emit_mov_rr(&s->code, 0, a[0].reg, a[1].reg);
    }
}

/* --- comparisons --- */

EMITTER(emit_setcond)
{
    X86Buf *b = &s->code;
    TCGCond cond = op->args[3];
    int out = a[0].reg;

    if (cond == TCG_COND_NEVER || cond == TCG_COND_ALWAYS) {
        x86_emit_movi(b, out, cond == TCG_COND_ALWAYS);
        return;
    }
    emit_cmp(b, rexw(op->type), a[1].reg, &a[2]);
    x86_emit_modrm(b, OPC_SETCC | cond_to_jcc[cond], 0, out);
    x86_emit_modrm(b, OPC_MOVZBL, out, out);
}

/* out (== v2) = c1 cond c2 ? v1 : v2 */
EMITTER(emit_movcond)
{
    X86Buf *b = &s->code;
    TCGCond cond = op->args[5];
    int w = rexw(op->type);

    if (cond == TCG_COND_NEVER) {
        return;
    }
    if (cond == TCG_COND_ALWAYS) {
        x86_emit_mov_rr(b, w, a[0].reg, a[3].reg);
        return;
    }
    emit_cmp(b, w, a[1].reg, &a[2]);
    x86_emit_modrm(b, (OPC_CMOVCC | cond_to_jcc[cond]) | w, a[0].reg,
                   a[3].reg);
}

EMITTER(emit_brcond)
{
    TCGCond cond = op->args[2];
    uint32_t label = op->args[3];

    if (cond == TCG_COND_NEVER) {
        return;
    }
    if (cond == TCG_COND_ALWAYS) {
        jit_tgt_jump_label(s, -1, label);
        return;
    }
    emit_cmp(&s->code, rexw(op->type), a[0].reg, &a[1]);
    jit_tgt_jump_label(s, cond_to_jcc[cond], label);
}

/* --- memory: env fields and guest memory --- */

/* out = [base + index + off], sized and extended per @memop. */
static void emit_load(X86Buf *b, TCGType type, MemOp memop, int out,
                      int base, int index, int32_t off)
{
    int opc;

    switch (memop & (MO_SIZE | MO_SIGN)) {
    case MO_UB:
        opc = OPC_MOVZBL;
        break;
    case MO_SB:
        opc = OPC_MOVSBL | rexw(type);
        break;
    case MO_UW:
        opc = OPC_MOVZWL;
        break;
    case MO_SW:
        opc = OPC_MOVSWL | rexw(type);
        break;
    case MO_SL:
        opc = type == TCG_TYPE_I64 ? OPC_MOVSLQ : OPC_MOVL_GvEv;
        break;
    case MO_UL:
        opc = OPC_MOVL_GvEv;
        break;
    default:
        opc = OPC_MOVL_GvEv | rexw(type);
        break;
    }
    x86_emit_modrm_sib_offset(b, opc & ~P_REXB_RM, out, base, index, 0, off);
}

/* [base + index + off] = val (register or constant), @size bytes. */
static void emit_store(X86Buf *b, unsigned size, const JitArg *val,
                       int base, int index, int32_t off)
{
    static const int reg_opc[] = {
        OPC_MOVB_EvGv, OPC_MOVL_EvGv | P_DATA16, OPC_MOVL_EvGv,
        OPC_MOVL_EvGv | P_REXW,
    };
    static const int imm_opc[] = {
        OPC_MOVB_EvIz, OPC_MOVL_EvIz | P_DATA16, OPC_MOVL_EvIz,
        OPC_MOVL_EvIz | P_REXW,
    };
    unsigned lg = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;

    if (val->is_const) {
        x86_emit_modrm_sib_offset(b, imm_opc[lg], 0, base, index, 0, off);
        if (lg == 0) {
            x86_out8(b, (uint8_t)val->val);
        } else if (lg == 1) {
            x86_out16(b, (uint16_t)val->val);
        } else {
            x86_out32(b, (uint32_t)val->val);
        }
    } else {
        x86_emit_modrm_sib_offset(b, reg_opc[lg], val->reg, base, index, 0,
                                  off);
    }
}

EMITTER(emit_ld)
{
    emit_load(&s->code, op->type, op->args[2], a[0].reg, JIT_REG_ENV, -1,
              (int32_t)op->args[1]);
}

EMITTER(emit_st)
{
    emit_store(&s->code, memop_size(op->args[2]), &a[0], JIT_REG_ENV, -1,
               (int32_t)op->args[1]);
}

/* The TLB entry layout the fast path relies on. */
#define TLB_ENTRY_BITS 5
_Static_assert(sizeof(CPUTLBEntry) == (1 << TLB_ENTRY_BITS),
               "the fast path indexes the TLB by shifting");

/*
 * The softmmu fast path, as interp.c's guest_load/guest_store: index the
 * MMU mode's table by page number, compare the tag with the address of
 * the access's last byte rounded to its page (so an access crossing into
 * the next page misses) with the low alignment bits kept for MO_ALIGN (a
 * misaligned address never equals a tag, whose low bits are zero or
 * flags), then access addr + addend. Anything else goes to the slow path.
 */
static void emit_guest_access(JitContext *s, const TCGOp *op,
                              const JitArg *data, int addr, const int *t,
                              bool is_store)
{
    X86Buf *b = &s->code;
    const uint64_t *c = &op->args[op->nout + op->nin];
    MemOp memop = c[0];
    unsigned mmu_idx = c[1], size = memop_size(memop);
    JitSlowPath *sp = jit_new_slow_path(s);
    int32_t tag_off = is_store ? offsetof(CPUTLBEntry, addr_write)
                               : offsetof(CPUTLBEntry, addr_read);
    int32_t mask = (int32_t)TCG_PAGE_MASK;

    sp->op = op;
    sp->data = *data;
    sp->addr = addr;
    if (is_store && s->check_stores) {
        /* Checking mode logs every store: all of them take the slow path. */
        x86_out8(b, OPC_JMP_long);
        x86_out32(b, 0);
        sp->jump_at = b->ptr - 4 - b->start;
        goto done;
    }
    x86_emit_mov_rr(b, P_REXW, t[0], addr);
    shift_imm(b, P_REXW, SHIFT_SHR, t[0], TCG_PAGE_BITS - TLB_ENTRY_BITS);
    x86_emit_arith_ri(b, 0, ARITH_AND, t[0],
                      (TCG_TLB_SIZE - 1) << TLB_ENTRY_BITS);
    x86_emit_modrm_offset(b, OPC_ADD_GvEv | P_REXW, t[0], JIT_REG_ENV,
                          offsetof(CPUState, tlb) +
                          mmu_idx * sizeof(CPUTLB) +
                          offsetof(CPUTLB, table));
    if ((memop & MO_ALIGN) || size == 1) {
        x86_emit_mov_rr(b, P_REXW, t[1], addr);
        if (memop & MO_ALIGN) {
            mask |= size - 1;
        }
    } else {
        x86_emit_modrm_offset(b, OPC_LEA | P_REXW, t[1], addr, size - 1);
    }
    x86_emit_arith_ri(b, P_REXW, ARITH_AND, t[1], mask);
    x86_emit_modrm_offset(b, OPC_CMP_GvEv | P_REXW, t[1], t[0], tag_off);
    x86_out8(b, 0x0f);
    x86_out8(b, 0x80 | JCC_JNE);
    x86_out32(b, 0);
    sp->jump_at = b->ptr - 4 - b->start;
    x86_emit_modrm_offset(b, OPC_MOVL_GvEv | P_REXW, t[0], t[0],
                          offsetof(CPUTLBEntry, addend));
    if (is_store) {
        emit_store(b, size, data, t[0], addr, 0);
    } else {
        emit_load(b, op->type, memop, data->reg, t[0], addr, 0);
    }
done:
    sp->return_at = b->ptr - b->start;
    /* Registers whose values must survive the slow path's call. */
    sp->save = jit_live_regs(s) & jit_call_clobbered;
    if (!is_store) {
        sp->save &= ~REG_BIT(data->reg);
    }
}

EMITTER(emit_qemu_ld)
{
    emit_guest_access(s, op, &a[0], a[1].reg, scratch, false);
}

EMITTER(emit_qemu_st)
{
    emit_guest_access(s, op, &a[0], a[1].reg, scratch, true);
}

/*
 * Out of line, after the TB's code: save the live caller-saved
 * registers, call the slow path with the main line's continuation as the
 * return address it reports (so a fault maps to the right instruction),
 * restore, and jump back.
 */
void jit_tgt_emit_slow_paths(JitContext *s)
{
    X86Buf *b = &s->code;

    s->slow_start = b->ptr - b->start;
    for (unsigned i = 0; i < s->nb_slow; i++) {
        const JitSlowPath *sp = &s->slow[i];
        const TCGOp *op = sp->op;
        const uint64_t *c = &op->args[op->nout + op->nin];
        bool is_store = op->opc == INDEX_op_qemu_st;
        int8_t saved[JIT_NB_REGS];
        unsigned n = 0;
        uintptr_t ret_rx = x86_rx(b, b->start + sp->return_at);
        int addr = sp->addr;

        if (!jit_room(s, 256)) {
            return;
        }
        x86_patch_rel32(b, b->start + sp->jump_at, x86_rx(b, b->ptr));
        for (int r = 0; r < JIT_NB_REGS; r++) {
            if (sp->save & REG_BIT(r)) {
                saved[n++] = r;
                x86_emit_opc_reg(b, OPC_PUSH_r32, r);
            }
        }
        if (n & 1) {
            x86_emit_arith_ri(b, P_REXW, ARITH_SUB, X86_RSP, 8);
        }
        /* rsi = addr, rdx = value (stores), without losing either. */
        if (is_store && !sp->data.is_const && sp->data.reg == X86_RSI) {
            if (addr == X86_RDX) {
                x86_emit_modrm(b, OPC_XCHG | P_REXW, X86_RSI, X86_RDX);
            } else {
                x86_emit_mov_rr(b, P_REXW, X86_RDX, X86_RSI);
                x86_emit_mov_rr(b, P_REXW, X86_RSI, addr);
            }
        } else {
            if (addr != X86_RSI) {
                x86_emit_mov_rr(b, P_REXW, X86_RSI, addr);
            }
            if (is_store && sp->data.is_const) {
                x86_emit_movi(b, X86_RDX, sp->data.val);
            } else if (is_store && sp->data.reg != X86_RDX) {
                x86_emit_mov_rr(b, P_REXW, X86_RDX, sp->data.reg);
            }
        }
        x86_emit_mov_rr(b, P_REXW, X86_RDI, JIT_REG_ENV);
        if (is_store) {
            x86_emit_movi(b, X86_RCX, c[0]);
            x86_emit_movi(b, X86_R8, c[1]);
            x86_emit_modrm_rip(b, OPC_LEA | P_REXW, X86_R9, ret_rx, 0);
            jit_tgt_call(s, s->js->st_slow);
        } else {
            x86_emit_movi(b, X86_RDX, c[0]);
            x86_emit_movi(b, X86_RCX, c[1]);
            x86_emit_modrm_rip(b, OPC_LEA | P_REXW, X86_R8, ret_rx, 0);
            jit_tgt_call(s, s->js->ld_slow);
            x86_emit_mov_rr(b, rexw(op->type), sp->data.reg, X86_RAX);
        }
        if (n & 1) {
            x86_emit_arith_ri(b, P_REXW, ARITH_ADD, X86_RSP, 8);
        }
        while (n) {
            x86_emit_opc_reg(b, OPC_POP_r32, saved[--n]);
        }
        jmp_abs(b, ret_rx);
    }
}

/* --- leaving and chaining TBs --- */

void jit_tgt_exit_tb(JitContext *s, uintptr_t val)
{
    x86_emit_movi(&s->code, X86_RAX, val);
    jmp_abs(&s->code, s->js->epilogue);
}

void jit_tgt_goto_tb(JitContext *s, int slot)
{
    X86Buf *b = &s->code;
    int pad = (int)(-(x86_rx(b, b->ptr) + 1) & 3);

    /* The rel32 must be 4-byte aligned to be patched atomically. */
    x86_emit_nops(b, pad);
    x86_out8(b, OPC_JMP_long);
    s->jmp_off[slot] = b->ptr - b->start;
    x86_out32(b, 0);            /* unlinked: fall through to the exit */
}

void jit_tgt_goto_ptr(JitContext *s)
{
    X86Buf *b = &s->code;
    uint8_t *miss;

    /* Steps and watchpoint replays (CF_NO_GOTO_TB) end in the loop. */
    if (!(s->tb->cflags & CF_NO_GOTO_TB)) {
        x86_emit_mov_rr(b, P_REXW, X86_RDI, JIT_REG_ENV);
        jit_tgt_call(s, (const void *)jit_lookup_tb_ptr);
        x86_emit_modrm(b, OPC_TESTL | P_REXW, X86_RAX, X86_RAX);
        miss = jcc_short(b, JCC_JE);
        x86_emit_modrm(b, OPC_GRP5, EXT5_JMPN_Ev, X86_RAX);
        short_here(b, miss);
    }
    jit_tgt_exit_tb(s, (uintptr_t)s->tb | TB_EXIT_NOCHAIN);
}

/* --- the op table --- */

#define ALL_DEFS(X) \
    X(add,     "r,r,re",   0, 0, emit_add) \
    X(sub,     "r,0,re",   0, 0, emit_sub) \
    X(neg,     "r,0",      0, 0, emit_neg) \
    X(mul,     "r,r,re",   0, 0, emit_mul) \
    X(mulsh,   "d,a*,q",   0, 0, emit_mulsh) \
    X(muluh,   "d,a*,q",   0, 0, emit_muluh) \
    X(div,     "a,0,q",    REG_BIT(X86_RDX), 0, emit_div) \
    X(divu,    "a,0,q",    REG_BIT(X86_RDX), 0, emit_divu) \
    X(rem,     "d,a*,q",   0, 0, emit_rem) \
    X(remu,    "d,a*,q",   0, 0, emit_remu) \
    X(and,     "r,0,re",   0, 0, emit_and) \
    X(or,      "r,0,re",   0, 0, emit_or) \
    X(xor,     "r,0,re",   0, 0, emit_xor) \
    X(not,     "r,0",      0, 0, emit_not) \
    X(andc,    "r,0,r",    0, 0, emit_andc) \
    X(orc,     "r,0,r",    0, 0, emit_orc) \
    X(eqv,     "r,0,re",   0, 0, emit_eqv) \
    X(shl,     "r,0,ci",   0, 0, emit_shl) \
    X(shr,     "r,0,ci",   0, 0, emit_shr) \
    X(sar,     "r,0,ci",   0, 0, emit_sar) \
    X(rotl,    "r,0,ci",   0, 0, emit_rotl) \
    X(rotr,    "r,0,ci",   0, 0, emit_rotr) \
    X(clz,     "r,r",      0, 0, emit_clz_bsr) \
    X(ctz,     "r,r",      0, 0, emit_ctz_bsf) \
    X(ctpop,   "r,r",      0, 2, emit_ctpop_loop) \
    X(bswap,   "r,0",      0, 0, emit_bswap) \
    X(ext8s,   "r,r",      0, 0, emit_ext8s) \
    X(ext8u,   "r,r",      0, 0, emit_ext8u) \
    X(ext16s,  "r,r",      0, 0, emit_ext16s) \
    X(ext16u,  "r,r",      0, 0, emit_ext16u) \
    X(ext32s,  "r,r",      0, 0, emit_ext32s) \
    X(ext32u,  "r,r",      0, 0, emit_ext32u) \
    X(extrl_i64_i32, "r,r", 0, 0, emit_extrl) \
    X(ext_i32_i64,   "r,r", 0, 0, emit_ext32s) \
    X(extu_i32_i64,  "r,r", 0, 0, emit_ext32u) \
    X(setcond, "r,r,re",   0, 0, emit_setcond) \
    X(movcond, "r,r,re,r,0", 0, 0, emit_movcond) \
    X(ld,      "r",        0, 0, emit_ld) \
    X(st,      "re",       0, 0, emit_st) \
    X(qemu_ld, "r,r",      0, 2, emit_qemu_ld) \
    X(qemu_st, "re,r",     0, 2, emit_qemu_st) \
    X(brcond,  "r,re",     0, 0, emit_brcond)

static const JitOpDef op_defs[NB_IR_OPS] = {
#define X(name, ct, clob, nscr, fn) \
    [INDEX_op_##name] = { ct, clob, nscr, fn },
    ALL_DEFS(X)
#undef X
};

/* Variants for instructions the host may have (cpuid). */
static const JitOpDef def_andc_bmi1 = { "r,r,r", 0, 0, emit_andc_bmi1 };
static const JitOpDef def_shl_bmi2 = { "r,r,ri", 0, 0, emit_shl_bmi2 };
static const JitOpDef def_shr_bmi2 = { "r,r,ri", 0, 0, emit_shr_bmi2 };
static const JitOpDef def_sar_bmi2 = { "r,r,ri", 0, 0, emit_sar_bmi2 };
static const JitOpDef def_clz_lzcnt = { "r,r", 0, 0, emit_clz_lzcnt };
static const JitOpDef def_ctz_tzcnt = { "r,r", 0, 0, emit_ctz_tzcnt };
static const JitOpDef def_ctpop_popcnt = { "r,r", 0, 0, emit_ctpop_popcnt };

const JitOpDef *jit_tgt_op_def(const JitHostFeatures *host, TCGOpcode opc)
{
    switch (opc) {
    case INDEX_op_andc:
        return host->bmi1 ? &def_andc_bmi1 : &op_defs[opc];
    case INDEX_op_shl:
        return host->bmi2 ? &def_shl_bmi2 : &op_defs[opc];
    case INDEX_op_shr:
        return host->bmi2 ? &def_shr_bmi2 : &op_defs[opc];
    case INDEX_op_sar:
        return host->bmi2 ? &def_sar_bmi2 : &op_defs[opc];
    case INDEX_op_clz:
        return host->lzcnt ? &def_clz_lzcnt : &op_defs[opc];
    case INDEX_op_ctz:
        return host->bmi1 ? &def_ctz_tzcnt : &op_defs[opc];
    case INDEX_op_ctpop:
        return host->popcnt ? &def_ctpop_popcnt : &op_defs[opc];
    default:
        return op_defs[opc].emit ? &op_defs[opc] : NULL;
    }
}

bool jit_tgt_parse_constraint(char c, JitConstraint *ct)
{
    switch (c) {
    case 'r':
        ct->regs |= JIT_ALL_REGS;
        return true;
    case 'a':
        ct->regs |= REG_BIT(X86_RAX);
        return true;
    case 'c':
        ct->regs |= REG_BIT(X86_RCX);
        return true;
    case 'd':
        ct->regs |= REG_BIT(X86_RDX);
        return true;
    case 'q':
        ct->regs |= JIT_ALL_REGS & ~REG_BIT(X86_RAX) & ~REG_BIT(X86_RDX);
        return true;
    case 'i':
        ct->ct |= JIT_CT_CONST_ANY;
        return true;
    case 'e':
        ct->ct |= JIT_CT_CONST_S32;
        return true;
    case 'Z':
        ct->ct |= JIT_CT_CONST_ZERO;
        return true;
    default:
        return false;
    }
}

/* --- code the generated code calls --- */

uint64_t jit_atomic_cmpxchg(CPUState *cpu, uint64_t addr, uint64_t cmp,
                            uint64_t val, uint32_t oi, uintptr_t ra)
{
    MemOp memop = oi & 0xff;
    int mmu_idx = (oi >> 8) & 0xff;
    JitState *js = tcg_cpu(cpu)->accel->backend_state;

    if (js->check) {
        jit_check_note_store(cpu, addr, memop_size(memop), mmu_idx, true, ra);
    }
    return tlb_atomic_slow(cpu, addr, memop, mmu_idx, true, 0, cmp, val,
                           ra);
}

uint64_t jit_atomic_rmw(CPUState *cpu, uint64_t addr, uint64_t val,
                        uint32_t oi, uintptr_t ra)
{
    MemOp memop = oi & 0xff;
    int mmu_idx = (oi >> 8) & 0xff;
    JitState *js = tcg_cpu(cpu)->accel->backend_state;

    if (js->check) {
        jit_check_note_store(cpu, addr, memop_size(memop), mmu_idx, true, ra);
    }
    return tlb_atomic_slow(cpu, addr, memop, mmu_idx, false, oi >> 16, 0,
                           val, ra);
}

/* goto_ptr: the code of the TB for the current state, or 0 to exit. */
uintptr_t jit_lookup_tb_ptr(CPUState *cpu)
{
    const TCGCPUOps *ops = cpu->ops->tcg_ops;
    TranslationBlock *tb;
    uint64_t pc;
    uint32_t flags;

    ops->get_tb_cpu_state(cpu, &pc, &flags);
    tb = tb_lookup(cpu, pc, flags, 0);
    if (!tb || log_enabled(cpu->log, LOG_NOCHAIN)) {
        return 0;
    }
    return ((const JitTB *)tb->code)->code_rx;
}

/* --- host features --- */

static void host_features(JitHostFeatures *h)
{
    unsigned a, b, c, d;
    const char *env = getenv("VIREO_JIT_NO");

    memset(h, 0, sizeof(*h));
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        h->popcnt = (c >> 23) & 1;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        h->bmi1 = (b >> 3) & 1;
        h->bmi2 = (b >> 8) & 1;
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) {
        h->lzcnt = (c >> 5) & 1;
    }
    /* VIREO_JIT_NO=lzcnt,bmi1,... tests the fallbacks on any host. */
    if (env) {
        h->lzcnt &= !strstr(env, "lzcnt");
        h->bmi1 &= !strstr(env, "bmi1");
        h->bmi2 &= !strstr(env, "bmi2");
        h->popcnt &= !strstr(env, "popcnt");
    }
}

/* Parse the descriptors' constraint strings once. */
static void parse_op_defs(JitState *js)
{
    for (unsigned opc = 0; opc < NB_IR_OPS; opc++) {
        const JitOpDef *def = jit_tgt_op_def(&js->host, opc);
        JitOpInfo *info = &js->ops[opc];
        const char *p;
        unsigned n = 0, nargs;

        if (!def) {
            continue;
        }
        info->def = def;
        info->nout = tcg_op_defs[opc].nout;
        info->nin = tcg_op_defs[opc].nin;
        nargs = info->nout + info->nin;
        for (unsigned i = 0; i < TCG_MAX_OP_ARGS; i++) {
            info->ct[i].alias = -1;
        }
        for (p = def->constraints; *p && n < nargs; p++) {
            JitConstraint *ct = &info->ct[n];
            if (*p == ',') {
                n++;
            } else if (*p >= '0' && *p <= '9') {
                ct->alias = *p - '0';
                ct->regs = 0;
            } else if (*p == '&') {
                ct->newreg = true;
            } else if (*p == '*') {
                ct->consumed = true;
            } else if (!jit_tgt_parse_constraint(*p, ct)) {
                error_report("jit: bad constraint '%c' for %s", *p,
                             tcg_op_defs[opc].name);
                abort();
            }
        }
        if (n + 1 != nargs) {
            error_report("jit: %s has %u constraints for %u operands",
                         tcg_op_defs[opc].name, n + 1, nargs);
            abort();
        }
        /* An alias takes its output's registers. */
        for (unsigned i = info->nout; i < nargs; i++) {
            if (info->ct[i].alias >= 0) {
                info->ct[i].regs = info->ct[info->ct[i].alias].regs;
            }
        }
        /* Inputs with fewer choices first (insertion sort: tiny lists). */
        for (unsigned i = 0; i < info->nin; i++) {
            unsigned k = i;
            info->order[i] = info->nout + i;
            while (k > 0 &&
                   __builtin_popcount(info->ct[info->order[k - 1]].regs) >
                   __builtin_popcount(info->ct[info->order[k]].regs)) {
                uint8_t t = info->order[k];
                info->order[k] = info->order[k - 1];
                info->order[k - 1] = t;
                k--;
            }
        }
    }
}

/* --- -d out_asm --- */

static void disas_range(JitState *js, FILE *f, const uint8_t *rw,
                        uintptr_t rx, size_t size)
{
    size_t done = 0;

#if CONFIG_CAPSTONE
    if (js->capstone) {
        cs_insn *insn;
        size_t n = cs_disasm(js->capstone, rw, size, rx, 0, &insn);
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "  0x%016" PRIx64 ":  %-8s %s\n", insn[i].address,
                    insn[i].mnemonic, insn[i].op_str);
            done += insn[i].size;
        }
        if (n) {
            cs_free(insn, n);
        }
    }
#endif
    while (done < size) {
        fprintf(f, "  0x%016" PRIxPTR ": ", rx + done);
        for (unsigned k = 0; k < 16 && done < size; k++, done++) {
            fprintf(f, " %02x", rw[done]);
        }
        fputc('\n', f);
    }
}

static void log_tb_code(JitContext *s, const JitTB *jtb)
{
    Log *log = s->s->log;
    FILE *f;
    uint32_t at = 0;

    log_lock(log);
    f = log->file;
    fprintf(f, "OUT: [size=%u]\n", jtb->code_size);
    for (unsigned i = 0; i <= s->nb_starts; i++) {
        uint32_t end = i < s->nb_starts ? s->starts[i].pos : s->slow_start;
        disas_range(s->js, f, jtb->code_rw + at, jtb->code_rx + at,
                    end - at);
        at = end;
        if (i < s->nb_starts) {
            fprintf(f, "  -- guest addr 0x%016" PRIx64 "\n",
                    s->starts[i].data[0]);
        }
    }
    if (at < jtb->code_size) {
        fprintf(f, "  -- slow paths\n");
        disas_range(s->js, f, jtb->code_rw + at, jtb->code_rx + at,
                    jtb->code_size - at);
    }
    fputc('\n', f);
    log_unlock(log);
}

/* --- TB bookkeeping --- */

void jit_tb_done(JitContext *s, JitTB *jtb)
{
    JitState *js = s->js;

    if (s->accel->nb_flushes != js->map_flushes) {
        js->map_flushes = s->accel->nb_flushes;
        js->map_len = 0;
    }
    if (js->map_len == js->map_cap) {
        js->map_cap = js->map_cap ? 2 * js->map_cap : 4096;
        js->map = xrealloc(js->map, js->map_cap * sizeof(*js->map));
    }
    js->map[js->map_len++] = (JitTBMapEntry) {
        .start = jtb->code_rx, .size = jtb->code_size, .tb = s->tb,
    };
    if (log_enabled(s->s->log, LOG_OUT_ASM)) {
        log_tb_code(s, jtb);
    }
}

static bool jit_fault_position(CPUState *cpu, uintptr_t ra,
                               TranslationBlock **tb, uint32_t *pos)
{
    TCGCPUState *tc = tcg_cpu(cpu);
    JitState *js;
    size_t lo = 0, hi;
    uintptr_t at = ra - 1;

    if (!ra || !tc) {
        return false;
    }
    js = tc->accel->backend_state;
    if (js->map_flushes != tc->accel->nb_flushes) {
        return false;
    }
    /* The last TB starting at or before @at. */
    hi = js->map_len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (js->map[mid].start <= at) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0 || at >= js->map[lo - 1].start + js->map[lo - 1].size) {
        return false;
    }
    *tb = js->map[lo - 1].tb;
    *pos = at - js->map[lo - 1].start;
    return true;
}

static TBExit jit_exec(CPUState *cpu, TranslationBlock *tb,
                       TranslationBlock **last)
{
    JitState *js = tcg_cpu(cpu)->accel->backend_state;
    uintptr_t r = js->enter(cpu, (const void *)((JitTB *)tb->code)->code_rx);

    *last = (TranslationBlock *)(r & ~(uintptr_t)3);
    return (TBExit)(r & 3);
}

static void jit_set_jump(TranslationBlock *tb, int n, TranslationBlock *dest)
{
    const JitTB *j = tb->code;
    uintptr_t at_rx = j->code_rx + j->jmp_off[n];
    int32_t rel = 0;

    if (dest) {
        rel = (int32_t)(((const JitTB *)dest->code)->code_rx - (at_rx + 4));
    }
    /* Aligned, so the executing side sees the old or the new jump. */
    __atomic_store_n((int32_t *)(j->code_rw + j->jmp_off[n]), rel,
                     __ATOMIC_RELEASE);
}

/* --- prologue and epilogue, once at the start of the region --- */

static bool emit_prologue(TCGAccel *accel, JitState *js)
{
    size_t avail;
    uint8_t *buf = tb_region_tail(accel, &avail);
    X86Buf b = { buf, buf, buf + avail, js->rx_delta };

    if (avail < 256) {
        return false;
    }
    js->enter = (void *)x86_rx(&b, b.ptr);
    for (unsigned i = 0; i < ARRAY_SIZE(prologue_saved); i++) {
        x86_emit_opc_reg(&b, OPC_PUSH_r32, prologue_saved[i]);
    }
    x86_emit_mov_rr(&b, P_REXW, JIT_REG_ENV, X86_RDI);
    x86_emit_arith_ri(&b, P_REXW, ARITH_SUB, X86_RSP, FRAME_SIZE);
    x86_emit_modrm(&b, OPC_GRP5, EXT5_JMPN_Ev, X86_RSI);

    x86_emit_nops(&b, -(int)x86_rx(&b, b.ptr) & 15);
    js->epilogue = x86_rx(&b, b.ptr);
    x86_emit_arith_ri(&b, P_REXW, ARITH_ADD, X86_RSP, FRAME_SIZE);
    for (int i = ARRAY_SIZE(prologue_saved) - 1; i >= 0; i--) {
        x86_emit_opc_reg(&b, OPC_POP_r32, prologue_saved[i]);
    }
    x86_out8(&b, OPC_RET);
    tb_region_alloc(accel, b.ptr - b.start);
    accel->region_reserved = accel->region_used;
    if (log_enabled(&accel->machine->log, LOG_OUT_ASM)) {
        Log *log = &accel->machine->log;
        log_lock(log);
        fprintf(log->file, "PROLOGUE: [size=%u]\n",
                (unsigned)(b.ptr - b.start));
        disas_range(js, log->file, b.start, x86_rx(&b, b.start),
                    b.ptr - b.start);
        fputc('\n', log->file);
        log_unlock(log);
    }
    return true;
}

bool jit_init(TCGAccel *accel, Error **errp)
{
    JitState *js = XNEW(JitState);

    if (accel->region_size > 1 * GiB) {
        error_setg(errp, "backend=jit: tb-size must be at most 1G "
                   "(translated code uses 32-bit displacements)");
        free(js);
        return false;
    }
    host_features(&js->host);
    parse_op_defs(js);
    js->rx_delta = accel->region_rx_delta;
    js->ld_slow = (const void *)tlb_load_slow;
    js->st_slow = (const void *)tlb_store_slow;
#if CONFIG_CAPSTONE
    {
        csh h;
        if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) == CS_ERR_OK) {
            js->capstone = h;
        }
    }
#endif
    accel->backend_state = js;
    if (!emit_prologue(accel, js)) {
        error_setg(errp, "backend=jit: no room for the prologue");
        return false;
    }
    return true;
}

void jit_destroy(TCGAccel *accel)
{
    JitState *js = accel->backend_state;

    if (!js) {
        return;
    }
#if CONFIG_CAPSTONE
    if (js->capstone) {
        csh h = js->capstone;
        cs_close(&h);
    }
#endif
    free(js->map);
    free(js);
    accel->backend_state = NULL;
}

const TCGBackend tcg_backend_jit = {
    .name = "jit",
    .init = jit_init,
    .destroy = jit_destroy,
    .gen_code = jit_gen_code,
    .exec = jit_exec,
    .set_jump = jit_set_jump,
    .fault_position = jit_fault_position,
    .exec_region = true,
};
