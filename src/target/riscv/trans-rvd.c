/*
 * target/riscv/trans-rvd.c — the D extension (Unprivileged spec 20191213
 * ch. 12), built on the gen_fp_* shapes of trans-rvf.c. FCVT.S.D rounds
 * per rm; FCVT.D.S is exact but its rm field must still be valid.
 */
#include "target/riscv/translate-internal.h"
#include "target/riscv/riscv-decode.h"

#define REQUIRE_D(ctx)              \
    do {                            \
        REQUIRE_EXT(ctx, RVD);      \
        REQUIRE_FPU(ctx);           \
    } while (0)

bool trans_fld(DisasContext *ctx, arg_fld *a)
{
    REQUIRE_D(ctx);
    return gen_fp_load(ctx, a->rd, a->rs1, a->imm, MO_UQ);
}

bool trans_fsd(DisasContext *ctx, arg_fsd *a)
{
    REQUIRE_D(ctx);
    return gen_fp_store(ctx, a->rs2, a->rs1, a->imm, MO_UQ);
}

#define TRANS_FMA(name, negate)                                             \
    bool trans_##name##_d(DisasContext *ctx, arg_##name##_d *a)             \
    {                                                                       \
        REQUIRE_D(ctx);                                                     \
        return gen_fp_fma(ctx, a->rd, a->rs1, a->rs2, a->rs3, a->rm,        \
                          negate, &helper_info_fmadd_d);                    \
    }

TRANS_FMA(fmadd, 0)
TRANS_FMA(fmsub, 2)
TRANS_FMA(fnmsub, 1)
TRANS_FMA(fnmadd, 3)

#define TRANS_ARITH(name)                                                   \
    bool trans_##name##_d(DisasContext *ctx, arg_##name##_d *a)             \
    {                                                                       \
        REQUIRE_D(ctx);                                                     \
        return gen_fp_arith(ctx, a->rd, a->rs1, a->rs2, a->rm,              \
                            &helper_info_##name##_d);                       \
    }

TRANS_ARITH(fadd)
TRANS_ARITH(fsub)
TRANS_ARITH(fmul)
TRANS_ARITH(fdiv)

bool trans_fsqrt_d(DisasContext *ctx, arg_fsqrt_d *a)
{
    REQUIRE_D(ctx);
    return gen_fp_unary(ctx, a->rd, a->rs1, a->rm, &helper_info_fsqrt_d);
}

bool trans_fsgnj_d(DisasContext *ctx, arg_fsgnj_d *a)
{
    REQUIRE_D(ctx);
    return gen_fp_sgnj(ctx, a->rd, a->rs1, a->rs2, 0, &helper_info_fsgnj_d);
}

bool trans_fsgnjn_d(DisasContext *ctx, arg_fsgnjn_d *a)
{
    REQUIRE_D(ctx);
    return gen_fp_sgnj(ctx, a->rd, a->rs1, a->rs2, 1, &helper_info_fsgnj_d);
}

bool trans_fsgnjx_d(DisasContext *ctx, arg_fsgnjx_d *a)
{
    REQUIRE_D(ctx);
    return gen_fp_sgnj(ctx, a->rd, a->rs1, a->rs2, 2, &helper_info_fsgnj_d);
}

bool trans_fmin_d(DisasContext *ctx, arg_fmin_d *a)
{
    REQUIRE_D(ctx);
    return gen_fp_minmax(ctx, a->rd, a->rs1, a->rs2, &helper_info_fmin_d);
}

bool trans_fmax_d(DisasContext *ctx, arg_fmax_d *a)
{
    REQUIRE_D(ctx);
    return gen_fp_minmax(ctx, a->rd, a->rs1, a->rs2, &helper_info_fmax_d);
}

bool trans_feq_d(DisasContext *ctx, arg_feq_d *a)
{
    REQUIRE_D(ctx);
    return gen_fp_cmp(ctx, a->rd, a->rs1, a->rs2, &helper_info_feq_d);
}

bool trans_flt_d(DisasContext *ctx, arg_flt_d *a)
{
    REQUIRE_D(ctx);
    return gen_fp_cmp(ctx, a->rd, a->rs1, a->rs2, &helper_info_flt_d);
}

bool trans_fle_d(DisasContext *ctx, arg_fle_d *a)
{
    REQUIRE_D(ctx);
    return gen_fp_cmp(ctx, a->rd, a->rs1, a->rs2, &helper_info_fle_d);
}

bool trans_fclass_d(DisasContext *ctx, arg_fclass_d *a)
{
    REQUIRE_D(ctx);
    return gen_fp_class(ctx, a->rd, a->rs1, &helper_info_fclass_d);
}

bool trans_fcvt_s_d(DisasContext *ctx, arg_fcvt_s_d *a)
{
    REQUIRE_D(ctx);
    return gen_fp_unary(ctx, a->rd, a->rs1, a->rm, &helper_info_fcvt_s_d);
}

bool trans_fcvt_d_s(DisasContext *ctx, arg_fcvt_d_s *a)
{
    REQUIRE_D(ctx);
    return gen_fp_unary(ctx, a->rd, a->rs1, a->rm, &helper_info_fcvt_d_s);
}

#define TRANS_CVT(name, dir, kind, helper)                                  \
    bool trans_##name(DisasContext *ctx, arg_##name *a)                     \
    {                                                                       \
        REQUIRE_D(ctx);                                                     \
        return gen_fp_##dir(ctx, a->rd, a->rs1, a->rm, kind,                \
                            &helper_info_##helper);                         \
    }

TRANS_CVT(fcvt_w_d, to_int, 0, fcvt_x_d)
TRANS_CVT(fcvt_wu_d, to_int, 1, fcvt_x_d)
TRANS_CVT(fcvt_l_d, to_int, 2, fcvt_x_d)
TRANS_CVT(fcvt_lu_d, to_int, 3, fcvt_x_d)
TRANS_CVT(fcvt_d_w, from_int, 0, fcvt_d_x)
TRANS_CVT(fcvt_d_wu, from_int, 1, fcvt_d_x)
TRANS_CVT(fcvt_d_l, from_int, 2, fcvt_d_x)
TRANS_CVT(fcvt_d_lu, from_int, 3, fcvt_d_x)

bool trans_fmv_x_d(DisasContext *ctx, arg_fmv_x_d *a)
{
    REQUIRE_D(ctx);
    set_gpr(ctx, a->rd, get_fpr(ctx, a->rs1));
    return true;
}

bool trans_fmv_d_x(DisasContext *ctx, arg_fmv_d_x *a)
{
    TCGv_i64 t;

    REQUIRE_D(ctx);
    t = tcg_temp_new_i64(ctx->s);
    tcg_gen_mov_i64(ctx->s, t, get_gpr(ctx, a->rs1));
    set_fpr(ctx, a->rd, t);
    return true;
}
