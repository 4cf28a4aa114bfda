/*
 * target/riscv/trans-rvf.c — the F extension (Unprivileged spec 20191213
 * ch. 11) and the gen_fp_* shapes the D extension shares.
 *
 * Rules applied here:
 *   - every F/D instruction is illegal while mstatus.FS = Off (§11.1,
 *     Privileged §3.1.6.6), which the TB flags carry;
 *   - a static rm of 5 or 6 is illegal at translation; the dynamic rm (7)
 *     is checked against frm by the helper at run time (§11.2);
 *   - single-precision values live NaN-boxed in the 64-bit FPRs (§12.2):
 *     FLW and FMV.W.X box, FSW and FMV.X.W use the raw low 32 bits, and
 *     the helpers unbox operands (an improperly boxed value reads as the
 *     canonical NaN);
 *   - any instruction that writes an FPR or may set fflags marks FS Dirty.
 */
#include "target/riscv/translate-internal.h"
#include "target/riscv/riscv-decode.h"

#define NANBOX_S 0xffffffff00000000ULL

/* --- shared shapes --- */

bool gen_fp_load(DisasContext *ctx, int rd, int rs1, int64_t imm,
                 MemOp memop)
{
    TCGContext *s = ctx->s;
    TCGv_i64 addr = gen_addr(ctx, rs1, imm);
    TCGv_i64 val = tcg_temp_new_i64(s);

    tcg_gen_qemu_ld_i64(s, val, addr, ctx->mem_idx, memop);
    if ((memop & MO_SIZE) == MO_32) {
        tcg_gen_ori_i64(s, val, val, (int64_t)NANBOX_S);
    }
    set_fpr(ctx, rd, val);
    return true;
}

bool gen_fp_store(DisasContext *ctx, int rs2, int rs1, int64_t imm,
                  MemOp memop)
{
    TCGv_i64 addr = gen_addr(ctx, rs1, imm);

    tcg_gen_qemu_st_i64(ctx->s, get_fpr(ctx, rs2), addr, ctx->mem_idx,
                        memop);
    return true;
}

bool gen_fp_arith(DisasContext *ctx, int rd, int rs1, int rs2, int rm,
                  const TCGHelperInfo *h)
{
    TCGContext *s = ctx->s;
    TCGv_i64 dest = tcg_temp_new_i64(s);

    if (!fp_rm_valid(rm)) {
        return false;
    }
    tcg_gen_call3(s, h, dest.idx, get_fpr(ctx, rs1).idx,
                  get_fpr(ctx, rs2).idx, tcg_constant_i32(s, rm).idx);
    set_fpr(ctx, rd, dest);
    return true;
}

bool gen_fp_unary(DisasContext *ctx, int rd, int rs1, int rm,
                  const TCGHelperInfo *h)
{
    TCGContext *s = ctx->s;
    TCGv_i64 dest = tcg_temp_new_i64(s);

    if (!fp_rm_valid(rm)) {
        return false;
    }
    tcg_gen_call2(s, h, dest.idx, get_fpr(ctx, rs1).idx,
                  tcg_constant_i32(s, rm).idx);
    set_fpr(ctx, rd, dest);
    return true;
}

bool gen_fp_fma(DisasContext *ctx, int rd, int rs1, int rs2, int rs3,
                int rm, int negate, const TCGHelperInfo *h)
{
    TCGContext *s = ctx->s;
    TCGv_i64 dest = tcg_temp_new_i64(s);

    if (!fp_rm_valid(rm)) {
        return false;
    }
    tcg_gen_call5(s, h, dest.idx, get_fpr(ctx, rs1).idx,
                  get_fpr(ctx, rs2).idx, get_fpr(ctx, rs3).idx,
                  tcg_constant_i32(s, rm).idx,
                  tcg_constant_i32(s, negate).idx);
    set_fpr(ctx, rd, dest);
    return true;
}

bool gen_fp_minmax(DisasContext *ctx, int rd, int rs1, int rs2,
                   const TCGHelperInfo *h)
{
    TCGContext *s = ctx->s;
    TCGv_i64 dest = tcg_temp_new_i64(s);

    tcg_gen_call2(s, h, dest.idx, get_fpr(ctx, rs1).idx,
                  get_fpr(ctx, rs2).idx);
    set_fpr(ctx, rd, dest);
    return true;
}

bool gen_fp_cmp(DisasContext *ctx, int rd, int rs1, int rs2,
                const TCGHelperInfo *h)
{
    TCGContext *s = ctx->s;
    TCGv_i64 dest = dest_gpr(ctx, rd);

    tcg_gen_call2(s, h, dest.idx, get_fpr(ctx, rs1).idx,
                  get_fpr(ctx, rs2).idx);
    set_gpr(ctx, rd, dest);
    gen_mark_fs_dirty(ctx);     /* may have set fflags.NV */
    return true;
}

bool gen_fp_sgnj(DisasContext *ctx, int rd, int rs1, int rs2, int kind,
                 const TCGHelperInfo *h)
{
    TCGContext *s = ctx->s;
    TCGv_i64 dest = tcg_temp_new_i64(s);

    tcg_gen_call3(s, h, dest.idx, get_fpr(ctx, rs1).idx,
                  get_fpr(ctx, rs2).idx, tcg_constant_i32(s, kind).idx);
    set_fpr(ctx, rd, dest);
    return true;
}

bool gen_fp_class(DisasContext *ctx, int rd, int rs1, const TCGHelperInfo *h)
{
    TCGv_i64 dest = dest_gpr(ctx, rd);

    tcg_gen_call1(ctx->s, h, dest.idx, get_fpr(ctx, rs1).idx);
    set_gpr(ctx, rd, dest);
    return true;
}

bool gen_fp_to_int(DisasContext *ctx, int rd, int rs1, int rm, int kind,
                   const TCGHelperInfo *h)
{
    TCGContext *s = ctx->s;
    TCGv_i64 dest;

    if (!fp_rm_valid(rm)) {
        return false;
    }
    dest = dest_gpr(ctx, rd);
    tcg_gen_call3(s, h, dest.idx, get_fpr(ctx, rs1).idx,
                  tcg_constant_i32(s, rm).idx,
                  tcg_constant_i32(s, kind).idx);
    set_gpr(ctx, rd, dest);
    gen_mark_fs_dirty(ctx);
    return true;
}

bool gen_fp_from_int(DisasContext *ctx, int rd, int rs1, int rm, int kind,
                     const TCGHelperInfo *h)
{
    TCGContext *s = ctx->s;
    TCGv_i64 dest = tcg_temp_new_i64(s);

    if (!fp_rm_valid(rm)) {
        return false;
    }
    tcg_gen_call3(s, h, dest.idx, get_gpr(ctx, rs1).idx,
                  tcg_constant_i32(s, rm).idx,
                  tcg_constant_i32(s, kind).idx);
    set_fpr(ctx, rd, dest);
    return true;
}

/* --- F instructions --- */

#define REQUIRE_F(ctx)              \
    do {                            \
        REQUIRE_EXT(ctx, RVF);      \
        REQUIRE_FPU(ctx);           \
    } while (0)

bool trans_flw(DisasContext *ctx, arg_flw *a)
{
    REQUIRE_F(ctx);
    return gen_fp_load(ctx, a->rd, a->rs1, a->imm, MO_UL);
}

bool trans_fsw(DisasContext *ctx, arg_fsw *a)
{
    REQUIRE_F(ctx);
    return gen_fp_store(ctx, a->rs2, a->rs1, a->imm, MO_UL);
}

#define TRANS_FMA(name, negate)                                             \
    bool trans_##name##_s(DisasContext *ctx, arg_##name##_s *a)             \
    {                                                                       \
        REQUIRE_F(ctx);                                                     \
        return gen_fp_fma(ctx, a->rd, a->rs1, a->rs2, a->rs3, a->rm,        \
                          negate, &helper_info_fmadd_s);                    \
    }

/* FMADD = a*b+c, FMSUB = a*b-c, FNMSUB = -(a*b)+c, FNMADD = -(a*b)-c */
TRANS_FMA(fmadd, 0)
TRANS_FMA(fmsub, 2)
TRANS_FMA(fnmsub, 1)
TRANS_FMA(fnmadd, 3)

#define TRANS_ARITH(name)                                                   \
    bool trans_##name##_s(DisasContext *ctx, arg_##name##_s *a)             \
    {                                                                       \
        REQUIRE_F(ctx);                                                     \
        return gen_fp_arith(ctx, a->rd, a->rs1, a->rs2, a->rm,              \
                            &helper_info_##name##_s);                       \
    }

TRANS_ARITH(fadd)
TRANS_ARITH(fsub)
TRANS_ARITH(fmul)
TRANS_ARITH(fdiv)

bool trans_fsqrt_s(DisasContext *ctx, arg_fsqrt_s *a)
{
    REQUIRE_F(ctx);
    return gen_fp_unary(ctx, a->rd, a->rs1, a->rm, &helper_info_fsqrt_s);
}

bool trans_fsgnj_s(DisasContext *ctx, arg_fsgnj_s *a)
{
    REQUIRE_F(ctx);
    return gen_fp_sgnj(ctx, a->rd, a->rs1, a->rs2, 0, &helper_info_fsgnj_s);
}

bool trans_fsgnjn_s(DisasContext *ctx, arg_fsgnjn_s *a)
{
    REQUIRE_F(ctx);
    return gen_fp_sgnj(ctx, a->rd, a->rs1, a->rs2, 1, &helper_info_fsgnj_s);
}

bool trans_fsgnjx_s(DisasContext *ctx, arg_fsgnjx_s *a)
{
    REQUIRE_F(ctx);
    return gen_fp_sgnj(ctx, a->rd, a->rs1, a->rs2, 2, &helper_info_fsgnj_s);
}

bool trans_fmin_s(DisasContext *ctx, arg_fmin_s *a)
{
    REQUIRE_F(ctx);
    return gen_fp_minmax(ctx, a->rd, a->rs1, a->rs2, &helper_info_fmin_s);
}

bool trans_fmax_s(DisasContext *ctx, arg_fmax_s *a)
{
    REQUIRE_F(ctx);
    return gen_fp_minmax(ctx, a->rd, a->rs1, a->rs2, &helper_info_fmax_s);
}

bool trans_feq_s(DisasContext *ctx, arg_feq_s *a)
{
    REQUIRE_F(ctx);
    return gen_fp_cmp(ctx, a->rd, a->rs1, a->rs2, &helper_info_feq_s);
}

bool trans_flt_s(DisasContext *ctx, arg_flt_s *a)
{
    REQUIRE_F(ctx);
    return gen_fp_cmp(ctx, a->rd, a->rs1, a->rs2, &helper_info_flt_s);
}

bool trans_fle_s(DisasContext *ctx, arg_fle_s *a)
{
    REQUIRE_F(ctx);
    return gen_fp_cmp(ctx, a->rd, a->rs1, a->rs2, &helper_info_fle_s);
}

bool trans_fclass_s(DisasContext *ctx, arg_fclass_s *a)
{
    REQUIRE_F(ctx);
    return gen_fp_class(ctx, a->rd, a->rs1, &helper_info_fclass_s);
}

#define TRANS_CVT(name, dir, kind)                                          \
    bool trans_##name(DisasContext *ctx, arg_##name *a)                     \
    {                                                                       \
        REQUIRE_F(ctx);                                                     \
        return gen_fp_##dir(ctx, a->rd, a->rs1, a->rm, kind,                \
                            dir##_helper);                                  \
    }

static const TCGHelperInfo *const to_int_helper = &helper_info_fcvt_x_s;
static const TCGHelperInfo *const from_int_helper = &helper_info_fcvt_s_x;

TRANS_CVT(fcvt_w_s, to_int, 0)
TRANS_CVT(fcvt_wu_s, to_int, 1)
TRANS_CVT(fcvt_l_s, to_int, 2)
TRANS_CVT(fcvt_lu_s, to_int, 3)
TRANS_CVT(fcvt_s_w, from_int, 0)
TRANS_CVT(fcvt_s_wu, from_int, 1)
TRANS_CVT(fcvt_s_l, from_int, 2)
TRANS_CVT(fcvt_s_lu, from_int, 3)

/* Moves copy bits unchanged (no unboxing, no flags). */
bool trans_fmv_x_w(DisasContext *ctx, arg_fmv_x_w *a)
{
    TCGv_i64 dest;

    REQUIRE_F(ctx);
    dest = dest_gpr(ctx, a->rd);
    tcg_gen_ext32s_i64(ctx->s, dest, get_fpr(ctx, a->rs1));
    set_gpr(ctx, a->rd, dest);
    return true;
}

bool trans_fmv_w_x(DisasContext *ctx, arg_fmv_w_x *a)
{
    TCGv_i64 t;

    REQUIRE_F(ctx);
    t = tcg_temp_new_i64(ctx->s);
    tcg_gen_ori_i64(ctx->s, t, get_gpr(ctx, a->rs1), (int64_t)NANBOX_S);
    set_fpr(ctx, a->rd, t);
    return true;
}
