/*
 * target/riscv/trans-zb.c — bit manipulation: Zba (address generation),
 * Zbb (basic), Zbc (carry-less multiply) and Zbs (single bit), from the
 * RISC-V Bit-Manipulation ISA-extensions v1.0.0 (ch. 2.1-2.4).
 *
 * Each extension has its own -cpu switch; the instructions shared by
 * several of them (none here besides via rev8/orc.b being Zbb) are
 * guarded by the switch of the extension they belong to.
 */
#include "target/riscv/translate-internal.h"
#include "target/riscv/riscv-decode.h"

/* --- Zba --- */

/* rd = (zext32(rs1) if uw else rs1) << n, plus rs2 */
#define GEN_SHADD(name, n, uw)                                              \
    static void gen_##name(TCGContext *s, TCGv_i64 ret, TCGv_i64 a,         \
                           TCGv_i64 b)                                      \
    {                                                                       \
        TCGv_i64 t = tcg_temp_new_i64(s);                                   \
        if (uw) {                                                           \
            tcg_gen_ext32u_i64(s, t, a);                                    \
            tcg_gen_shli_i64(s, t, t, n);                                   \
        } else {                                                            \
            tcg_gen_shli_i64(s, t, a, n);                                   \
        }                                                                   \
        tcg_gen_add_i64(s, ret, t, b);                                      \
    }

GEN_SHADD(sh0add_uw, 0, true)
GEN_SHADD(sh1add, 1, false)
GEN_SHADD(sh2add, 2, false)
GEN_SHADD(sh3add, 3, false)
GEN_SHADD(sh1add_uw, 1, true)
GEN_SHADD(sh2add_uw, 2, true)
GEN_SHADD(sh3add_uw, 3, true)

bool trans_add_uw(DisasContext *ctx, arg_add_uw *a)
{
    REQUIRE_CFG(ctx, ext_zba);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_sh0add_uw, false);
}

bool trans_sh1add(DisasContext *ctx, arg_sh1add *a)
{
    REQUIRE_CFG(ctx, ext_zba);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_sh1add, false);
}

bool trans_sh2add(DisasContext *ctx, arg_sh2add *a)
{
    REQUIRE_CFG(ctx, ext_zba);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_sh2add, false);
}

bool trans_sh3add(DisasContext *ctx, arg_sh3add *a)
{
    REQUIRE_CFG(ctx, ext_zba);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_sh3add, false);
}

bool trans_sh1add_uw(DisasContext *ctx, arg_sh1add_uw *a)
{
    REQUIRE_CFG(ctx, ext_zba);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_sh1add_uw, false);
}

bool trans_sh2add_uw(DisasContext *ctx, arg_sh2add_uw *a)
{
    REQUIRE_CFG(ctx, ext_zba);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_sh2add_uw, false);
}

bool trans_sh3add_uw(DisasContext *ctx, arg_sh3add_uw *a)
{
    REQUIRE_CFG(ctx, ext_zba);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_sh3add_uw, false);
}

static void gen_slli_uw(TCGContext *s, TCGv_i64 ret, TCGv_i64 a,
                        TCGv_i64 shamt)
{
    TCGv_i64 t = tcg_temp_new_i64(s);

    tcg_gen_ext32u_i64(s, t, a);
    tcg_gen_shl_i64(s, ret, t, shamt);
}

bool trans_slli_uw(DisasContext *ctx, arg_slli_uw *a)
{
    REQUIRE_CFG(ctx, ext_zba);
    return gen_arith_imm(ctx, a->rd, a->rs1, a->shamt, gen_slli_uw, false);
}

/* --- Zbb: logic with negate, counts, min/max, extension, rotates --- */

bool trans_andn(DisasContext *ctx, arg_andn *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_andc_i64, false);
}

bool trans_orn(DisasContext *ctx, arg_orn *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_orc_i64, false);
}

bool trans_xnor(DisasContext *ctx, arg_xnor *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_eqv_i64, false);
}

/* The word forms count within the low 32 bits. */
static void gen_clzw(TCGContext *s, TCGv_i64 ret, TCGv_i64 a)
{
    TCGv_i64 t = tcg_temp_new_i64(s);

    /* Shift the word to the top and set bit 31 so that zero gives 32. */
    tcg_gen_shli_i64(s, t, a, 32);
    tcg_gen_ori_i64(s, t, t, 1LL << 31);
    tcg_gen_clz_i64(s, ret, t);
}

static void gen_ctzw(TCGContext *s, TCGv_i64 ret, TCGv_i64 a)
{
    TCGv_i64 t = tcg_temp_new_i64(s);

    tcg_gen_ori_i64(s, t, a, 1LL << 32);
    tcg_gen_ctz_i64(s, ret, t);
}

static void gen_cpopw(TCGContext *s, TCGv_i64 ret, TCGv_i64 a)
{
    TCGv_i64 t = tcg_temp_new_i64(s);

    tcg_gen_ext32u_i64(s, t, a);
    tcg_gen_ctpop_i64(s, ret, t);
}

bool trans_clz(DisasContext *ctx, arg_clz *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_unary(ctx, a->rd, a->rs1, tcg_gen_clz_i64, false);
}

bool trans_ctz(DisasContext *ctx, arg_ctz *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_unary(ctx, a->rd, a->rs1, tcg_gen_ctz_i64, false);
}

bool trans_cpop(DisasContext *ctx, arg_cpop *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_unary(ctx, a->rd, a->rs1, tcg_gen_ctpop_i64, false);
}

bool trans_clzw(DisasContext *ctx, arg_clzw *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_unary(ctx, a->rd, a->rs1, gen_clzw, false);
}

bool trans_ctzw(DisasContext *ctx, arg_ctzw *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_unary(ctx, a->rd, a->rs1, gen_ctzw, false);
}

bool trans_cpopw(DisasContext *ctx, arg_cpopw *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_unary(ctx, a->rd, a->rs1, gen_cpopw, false);
}

#define GEN_MINMAX(name, cond)                                              \
    static void gen_##name(TCGContext *s, TCGv_i64 ret, TCGv_i64 a,         \
                           TCGv_i64 b)                                      \
    {                                                                       \
        tcg_gen_movcond_i64(s, cond, ret, a, b, a, b);                      \
    }

GEN_MINMAX(max, TCG_COND_GT)
GEN_MINMAX(maxu, TCG_COND_GTU)
GEN_MINMAX(min, TCG_COND_LT)
GEN_MINMAX(minu, TCG_COND_LTU)

bool trans_max(DisasContext *ctx, arg_max *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_max, false);
}

bool trans_maxu(DisasContext *ctx, arg_maxu *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_maxu, false);
}

bool trans_min(DisasContext *ctx, arg_min *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_min, false);
}

bool trans_minu(DisasContext *ctx, arg_minu *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_minu, false);
}

bool trans_sext_b(DisasContext *ctx, arg_sext_b *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_unary(ctx, a->rd, a->rs1, tcg_gen_ext8s_i64, false);
}

bool trans_sext_h(DisasContext *ctx, arg_sext_h *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_unary(ctx, a->rd, a->rs1, tcg_gen_ext16s_i64, false);
}

bool trans_zext_h(DisasContext *ctx, arg_zext_h *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_unary(ctx, a->rd, a->rs1, tcg_gen_ext16u_i64, false);
}

/* 32-bit rotates work on i32 values. */
#define GEN_ROTW(name, op)                                                  \
    static void gen_##name(TCGContext *s, TCGv_i64 ret, TCGv_i64 a,         \
                           TCGv_i64 b)                                      \
    {                                                                       \
        TCGv_i32 x = tcg_temp_new_i32(s);                                   \
        TCGv_i32 n = tcg_temp_new_i32(s);                                   \
        tcg_gen_extrl_i64_i32(s, x, a);                                     \
        tcg_gen_extrl_i64_i32(s, n, b);                                     \
        tcg_gen_##op##_i32(s, x, x, n);                                     \
        tcg_gen_ext_i32_i64(s, ret, x);                                     \
    }

GEN_ROTW(rolw, rotl)
GEN_ROTW(rorw, rotr)

bool trans_rol(DisasContext *ctx, arg_rol *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_rotl_i64, false);
}

bool trans_ror(DisasContext *ctx, arg_ror *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_rotr_i64, false);
}

bool trans_rori(DisasContext *ctx, arg_rori *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_arith_imm(ctx, a->rd, a->rs1, a->shamt, tcg_gen_rotr_i64,
                         false);
}

bool trans_rolw(DisasContext *ctx, arg_rolw *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_rolw, false);
}

bool trans_rorw(DisasContext *ctx, arg_rorw *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_rorw, false);
}

bool trans_roriw(DisasContext *ctx, arg_roriw *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_arith_imm(ctx, a->rd, a->rs1, a->shamt, gen_rorw, false);
}

static void gen_orc_b(TCGContext *s, TCGv_i64 ret, TCGv_i64 a)
{
    tcg_gen_call1(s, &helper_info_orc_b, ret.idx, a.idx);
}

bool trans_orc_b(DisasContext *ctx, arg_orc_b *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_unary(ctx, a->rd, a->rs1, gen_orc_b, false);
}

bool trans_rev8(DisasContext *ctx, arg_rev8 *a)
{
    REQUIRE_CFG(ctx, ext_zbb);
    return gen_unary(ctx, a->rd, a->rs1, tcg_gen_bswap_i64, false);
}

/* --- Zbc --- */

#define GEN_CLMUL(name)                                                     \
    static void gen_##name(TCGContext *s, TCGv_i64 ret, TCGv_i64 a,         \
                           TCGv_i64 b)                                      \
    {                                                                       \
        gen_helper_bits2(s, &helper_info_##name, ret, a, b);                \
    }                                                                       \
    bool trans_##name(DisasContext *ctx, arg_##name *a)                     \
    {                                                                       \
        REQUIRE_CFG(ctx, ext_zbc);                                          \
        return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_##name, false);    \
    }

GEN_CLMUL(clmul)
GEN_CLMUL(clmulh)
GEN_CLMUL(clmulr)

/* --- Zbs: the bit index is rs2 (or shamt) modulo 64 --- */

static void gen_bit(TCGContext *s, TCGv_i64 ret, TCGv_i64 index)
{
    tcg_gen_shl_i64(s, ret, tcg_constant_i64(s, 1), index);
}

static void gen_bclr(TCGContext *s, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    TCGv_i64 m = tcg_temp_new_i64(s);

    gen_bit(s, m, b);
    tcg_gen_andc_i64(s, ret, a, m);
}

static void gen_bset(TCGContext *s, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    TCGv_i64 m = tcg_temp_new_i64(s);

    gen_bit(s, m, b);
    tcg_gen_or_i64(s, ret, a, m);
}

static void gen_binv(TCGContext *s, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    TCGv_i64 m = tcg_temp_new_i64(s);

    gen_bit(s, m, b);
    tcg_gen_xor_i64(s, ret, a, m);
}

static void gen_bext(TCGContext *s, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    TCGv_i64 t = tcg_temp_new_i64(s);

    tcg_gen_shr_i64(s, t, a, b);
    tcg_gen_andi_i64(s, ret, t, 1);
}

#define TRANS_ZBS(name)                                                     \
    bool trans_##name(DisasContext *ctx, arg_##name *a)                     \
    {                                                                       \
        REQUIRE_CFG(ctx, ext_zbs);                                          \
        return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_##name, false);    \
    }                                                                       \
    bool trans_##name##i(DisasContext *ctx, arg_##name##i *a)               \
    {                                                                       \
        REQUIRE_CFG(ctx, ext_zbs);                                          \
        return gen_arith_imm(ctx, a->rd, a->rs1, a->shamt, gen_##name,      \
                             false);                                        \
    }

TRANS_ZBS(bclr)
TRANS_ZBS(bset)
TRANS_ZBS(binv)
TRANS_ZBS(bext)
