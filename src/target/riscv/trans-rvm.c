/*
 * target/riscv/trans-rvm.c — the M extension: integer multiply and divide
 * (Unprivileged spec 20191213 ch. 7).
 *
 * The IR's div/rem already give RISC-V's results for division by zero
 * and for MIN / -1 (see ir-ops.def), so no guards are emitted. The *W
 * forms operate on sign- or zero-extended low words in 64 bits and
 * sign-extend the low 32 bits of the result, which yields the spec's
 * special cases too (e.g. DIVW MIN32 / -1 = 2^31 -> MIN32).
 */
#include "target/riscv/translate-internal.h"
#include "target/riscv/riscv-decode.h"

/* mulhsu: high half of signed(a) * unsigned(b) =
 * muluh(a, b) - (a < 0 ? b : 0). */
static void gen_mulhsu(TCGContext *s, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    TCGv_i64 hi = tcg_temp_new_i64(s);
    TCGv_i64 fix = tcg_temp_new_i64(s);

    tcg_gen_muluh_i64(s, hi, a, b);
    tcg_gen_sari_i64(s, fix, a, 63);
    tcg_gen_and_i64(s, fix, fix, b);
    tcg_gen_sub_i64(s, ret, hi, fix);
}

#define GEN_W(name, ext, op)                                                \
    static void gen_##name(TCGContext *s, TCGv_i64 ret, TCGv_i64 a,         \
                           TCGv_i64 b)                                      \
    {                                                                       \
        TCGv_i64 x = tcg_temp_new_i64(s);                                   \
        TCGv_i64 y = tcg_temp_new_i64(s);                                   \
        tcg_gen_##ext##_i64(s, x, a);                                       \
        tcg_gen_##ext##_i64(s, y, b);                                       \
        tcg_gen_##op##_i64(s, ret, x, y);                                   \
    }

GEN_W(divw, ext32s, div)
GEN_W(remw, ext32s, rem)
GEN_W(divuw, ext32u, divu)
GEN_W(remuw, ext32u, remu)

bool trans_mul(DisasContext *ctx, arg_mul *a)
{
    REQUIRE_EXT(ctx, RVM);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_mul_i64, false);
}

bool trans_mulh(DisasContext *ctx, arg_mulh *a)
{
    REQUIRE_EXT(ctx, RVM);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_mulsh_i64, false);
}

bool trans_mulhsu(DisasContext *ctx, arg_mulhsu *a)
{
    REQUIRE_EXT(ctx, RVM);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_mulhsu, false);
}

bool trans_mulhu(DisasContext *ctx, arg_mulhu *a)
{
    REQUIRE_EXT(ctx, RVM);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_muluh_i64, false);
}

bool trans_div(DisasContext *ctx, arg_div *a)
{
    REQUIRE_EXT(ctx, RVM);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_div_i64, false);
}

bool trans_divu(DisasContext *ctx, arg_divu *a)
{
    REQUIRE_EXT(ctx, RVM);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_divu_i64, false);
}

bool trans_rem(DisasContext *ctx, arg_rem *a)
{
    REQUIRE_EXT(ctx, RVM);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_rem_i64, false);
}

bool trans_remu(DisasContext *ctx, arg_remu *a)
{
    REQUIRE_EXT(ctx, RVM);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_remu_i64, false);
}

bool trans_mulw(DisasContext *ctx, arg_mulw *a)
{
    REQUIRE_EXT(ctx, RVM);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_mul_i64, true);
}

bool trans_divw(DisasContext *ctx, arg_divw *a)
{
    REQUIRE_EXT(ctx, RVM);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_divw, true);
}

bool trans_divuw(DisasContext *ctx, arg_divuw *a)
{
    REQUIRE_EXT(ctx, RVM);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_divuw, true);
}

bool trans_remw(DisasContext *ctx, arg_remw *a)
{
    REQUIRE_EXT(ctx, RVM);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_remw, true);
}

bool trans_remuw(DisasContext *ctx, arg_remuw *a)
{
    REQUIRE_EXT(ctx, RVM);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_remuw, true);
}
