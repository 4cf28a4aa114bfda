/*
 * target/riscv/translate-internal.h — what the RISC-V translator files
 * share: the DisasContext, the register accessors and the gen_* building
 * blocks that keep every trans_* function a few lines long.
 *
 * The generated decoder (riscv-decode.c) includes this header: it needs
 * DisasContext and DECODE_NOTE_PATTERN, and calls the trans_* functions
 * declared in riscv-decode.h, which the trans-*.c files define. A trans_*
 * function returns false when the encoding is not valid for this hart
 * (extension disabled, reserved field), and the caller then raises
 * illegal instruction; REQUIRE_* guards express that in one line.
 *
 * Register rules live once, in get_gpr/dest_gpr/set_gpr (x0 reads as
 * zero, writes to x0 vanish) and get_fpr/set_fpr (FS dirty tracking).
 * XLEN is always 64 here: RV32 would be a field of the context, not an
 * #ifdef.
 */
#ifndef TARGET_RISCV_TRANSLATE_INTERNAL_H
#define TARGET_RISCV_TRANSLATE_INTERNAL_H

#include "accel/tcg/translator.h"
#include "accel/tcg/tcg-op.h"
#include "target/riscv/cpu-internal.h"
#include "target/riscv/helper.h"

/* The translator's per-TCGContext data (TCGContext.frontend). */
typedef struct RISCVTCGGlobals {
    TCGv_i64 gpr[32];       /* [0] unused: x0 is a constant */
    TCGv_i64 fpr[32];
    TCGv_i64 pc;
    TCGv_i64 load_res;
    TCGv_i64 load_val;
    /* Decode coverage (VIREO_DECODE_COVERAGE): patterns seen so far. */
    char *coverage_path;
    uint8_t *coverage_seen;     /* one byte per pattern id */
    bool coverage_new;          /* something to append after this TB */
} RISCVTCGGlobals;

typedef struct DisasContext {
    DisasContextBase base;
    TCGContext *s;              /* == base.tcg */
    RISCVTCGGlobals *g;
    RISCVCPU *cpu;
    const RISCVCPUConfig *cfg;
    uint64_t misa;
    uint32_t opcode;            /* the instruction being translated */
    unsigned insn_len;          /* 2 or 4 */
    uint64_t pc_succ;           /* pc of the next instruction */
    int priv;
    int mem_idx;
    int mstatus_fs;             /* mstatus.FS as translation knows it */
} DisasContext;

/* pc_succ continues, but through the CPU loop (state changed). */
#define DISAS_EXIT DISAS_TARGET_0

/* Coverage: the decoder calls this for every pattern it matches. */
void riscv_decode_note_pattern(DisasContext *ctx, unsigned id);
#define DECODE_NOTE_PATTERN(ctx, id) riscv_decode_note_pattern((ctx), (id))

/* --- guards --- */

#define REQUIRE_EXT(ctx, ext)                   \
    do {                                        \
        if (!((ctx)->misa & (ext))) {           \
            return false;                       \
        }                                       \
    } while (0)

#define REQUIRE_CFG(ctx, field)                 \
    do {                                        \
        if (!(ctx)->cfg->field) {               \
            return false;                       \
        }                                       \
    } while (0)

/* F/D instructions also need mstatus.FS != Off (§3.1.6.6). */
#define REQUIRE_FPU(ctx)                        \
    do {                                        \
        if ((ctx)->mstatus_fs == EXT_STATUS_OFF) { \
            return false;                       \
        }                                       \
    } while (0)

/* --- registers --- */

TCGv_i64 get_gpr(DisasContext *ctx, int reg);
TCGv_i64 dest_gpr(DisasContext *ctx, int reg);
void set_gpr(DisasContext *ctx, int reg, TCGv_i64 val);
TCGv_i64 get_fpr(DisasContext *ctx, int reg);
/* Write an FPR (already NaN-boxed for singles) and mark FS dirty. */
void set_fpr(DisasContext *ctx, int reg, TCGv_i64 val);
/* Set mstatus.FS = Dirty (once per TB). */
void gen_mark_fs_dirty(DisasContext *ctx);

/* --- control flow and exceptions --- */

/* Jump to @dest through goto_tb slot @slot when allowed. Ends the TB. */
void gen_goto_tb(DisasContext *ctx, unsigned slot, uint64_t dest);
/* Raise @cause for this instruction with @tval. Ends the TB. */
void gen_exception(DisasContext *ctx, RISCVException cause, uint64_t tval);
void gen_exception_illegal(DisasContext *ctx);
/* pc = pc_succ and leave through the CPU loop after this instruction. */
void gen_end_tb_exit(DisasContext *ctx);

/* --- shared shapes of instructions --- */

typedef void GenBinary(TCGContext *s, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b);
typedef void GenUnary(TCGContext *s, TCGv_i64 ret, TCGv_i64 a);

/* rd = op(rs1, rs2); with @w32 the result is sign-extended from 32 bits. */
bool gen_arith(DisasContext *ctx, int rd, int rs1, int rs2, GenBinary *op,
               bool w32);
/* rd = op(rs1, imm). */
bool gen_arith_imm(DisasContext *ctx, int rd, int rs1, int64_t imm,
                   GenBinary *op, bool w32);
/* rd = op(rs1). */
bool gen_unary(DisasContext *ctx, int rd, int rs1, GenUnary *op, bool w32);
bool gen_load(DisasContext *ctx, int rd, int rs1, int64_t imm, MemOp memop);
bool gen_store(DisasContext *ctx, int rs2, int rs1, int64_t imm,
               MemOp memop);
/* The effective address rs1 + imm in a new temp. */
TCGv_i64 gen_addr(DisasContext *ctx, int rs1, int64_t imm);

/* --- floating point (trans-rvf.c), shared by F and D --- */

/* Is @rm a valid rounding-mode field (0-4 or 7 = dynamic)? */
static inline bool fp_rm_valid(int rm)
{
    return rm <= RISCV_FRM_RMM || rm == RISCV_FRM_DYN;
}

bool gen_fp_load(DisasContext *ctx, int rd, int rs1, int64_t imm,
                 MemOp memop);
bool gen_fp_store(DisasContext *ctx, int rs2, int rs1, int64_t imm,
                  MemOp memop);
/* fpr[rd] = h(fpr[rs1], fpr[rs2], rm) */
bool gen_fp_arith(DisasContext *ctx, int rd, int rs1, int rs2, int rm,
                  const TCGHelperInfo *h);
/* fpr[rd] = h(fpr[rs1], rm) */
bool gen_fp_unary(DisasContext *ctx, int rd, int rs1, int rm,
                  const TCGHelperInfo *h);
/* fpr[rd] = h(fpr[rs1], fpr[rs2], fpr[rs3], rm, negate) */
bool gen_fp_fma(DisasContext *ctx, int rd, int rs1, int rs2, int rs3,
                int rm, int negate, const TCGHelperInfo *h);
/* fpr[rd] = h(fpr[rs1], fpr[rs2]) (min/max) */
bool gen_fp_minmax(DisasContext *ctx, int rd, int rs1, int rs2,
                   const TCGHelperInfo *h);
/* x[rd] = h(fpr[rs1], fpr[rs2]) (comparisons) */
bool gen_fp_cmp(DisasContext *ctx, int rd, int rs1, int rs2,
                const TCGHelperInfo *h);
/* fpr[rd] = h(fpr[rs1], fpr[rs2], kind) (sign injection) */
bool gen_fp_sgnj(DisasContext *ctx, int rd, int rs1, int rs2, int kind,
                 const TCGHelperInfo *h);
/* x[rd] = h(fpr[rs1]) (fclass) */
bool gen_fp_class(DisasContext *ctx, int rd, int rs1,
                  const TCGHelperInfo *h);
/* x[rd] = h(fpr[rs1], rm, kind) (fcvt to integer) */
bool gen_fp_to_int(DisasContext *ctx, int rd, int rs1, int rm, int kind,
                   const TCGHelperInfo *h);
/* fpr[rd] = h(x[rs1], rm, kind) (fcvt from integer) */
bool gen_fp_from_int(DisasContext *ctx, int rd, int rs1, int rm, int kind,
                     const TCGHelperInfo *h);

#endif /* TARGET_RISCV_TRANSLATE_INTERNAL_H */
