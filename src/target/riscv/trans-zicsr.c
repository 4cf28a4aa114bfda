/*
 * target/riscv/trans-zicsr.c — the Zicsr instructions (Unprivileged spec
 * 20191213 ch. 9).
 *
 * Which side effects happen follows §9.1 exactly: CSRRW/CSRRWI with
 * rd = x0 do not read the CSR; CSRRS/CSRRC(I) with rs1 = x0 (or zimm = 0)
 * do not write it, so they may read read-only CSRs. Everything else is
 * a read-modify-write, done by one helper call against the CSR table
 * (csr.c), which also decides legality. A write can change privilege
 * state, FS, interrupt enables or translation, so it ends the TB through
 * the CPU loop.
 */
#include "target/riscv/translate-internal.h"
#include "target/riscv/riscv-decode.h"

/* rd = csr; no write. */
static bool gen_csr_read(DisasContext *ctx, int rd, int csr)
{
    TCGContext *s = ctx->s;
    TCGv_i64 dest = dest_gpr(ctx, rd);

    gen_helper_csrr(s, dest, tcg_constant_i32(s, csr));
    set_gpr(ctx, rd, dest);
    return true;
}

/* csr = val; no read. */
static bool gen_csr_write(DisasContext *ctx, int csr, TCGv_i64 val)
{
    TCGContext *s = ctx->s;

    gen_helper_csrw(s, tcg_constant_i32(s, csr), val);
    gen_end_tb_exit(ctx);
    return true;
}

/* rd = csr; csr = (csr & ~mask) | (val & mask). */
static bool gen_csr_rmw(DisasContext *ctx, int rd, int csr, TCGv_i64 val,
                        TCGv_i64 mask)
{
    TCGContext *s = ctx->s;
    TCGv_i64 dest = dest_gpr(ctx, rd);

    gen_helper_csrrw(s, dest, tcg_constant_i32(s, csr), val, mask);
    set_gpr(ctx, rd, dest);
    gen_end_tb_exit(ctx);
    return true;
}

bool trans_csrrw(DisasContext *ctx, arg_csrrw *a)
{
    TCGv_i64 src;

    REQUIRE_CFG(ctx, ext_zicsr);
    src = get_gpr(ctx, a->rs1);
    if (a->rd == 0) {
        return gen_csr_write(ctx, a->csr, src);
    }
    return gen_csr_rmw(ctx, a->rd, a->csr, src,
                       tcg_constant_i64(ctx->s, -1));
}

bool trans_csrrs(DisasContext *ctx, arg_csrrs *a)
{
    REQUIRE_CFG(ctx, ext_zicsr);
    if (a->rs1 == 0) {
        return gen_csr_read(ctx, a->rd, a->csr);
    }
    return gen_csr_rmw(ctx, a->rd, a->csr, tcg_constant_i64(ctx->s, -1),
                       get_gpr(ctx, a->rs1));
}

bool trans_csrrc(DisasContext *ctx, arg_csrrc *a)
{
    REQUIRE_CFG(ctx, ext_zicsr);
    if (a->rs1 == 0) {
        return gen_csr_read(ctx, a->rd, a->csr);
    }
    return gen_csr_rmw(ctx, a->rd, a->csr, tcg_constant_i64(ctx->s, 0),
                       get_gpr(ctx, a->rs1));
}

/* The immediate forms carry zimm in the rs1 field. */
bool trans_csrrwi(DisasContext *ctx, arg_csrrwi *a)
{
    TCGv_i64 src;

    REQUIRE_CFG(ctx, ext_zicsr);
    src = tcg_constant_i64(ctx->s, a->rs1);
    if (a->rd == 0) {
        return gen_csr_write(ctx, a->csr, src);
    }
    return gen_csr_rmw(ctx, a->rd, a->csr, src,
                       tcg_constant_i64(ctx->s, -1));
}

bool trans_csrrsi(DisasContext *ctx, arg_csrrsi *a)
{
    REQUIRE_CFG(ctx, ext_zicsr);
    if (a->rs1 == 0) {
        return gen_csr_read(ctx, a->rd, a->csr);
    }
    return gen_csr_rmw(ctx, a->rd, a->csr, tcg_constant_i64(ctx->s, -1),
                       tcg_constant_i64(ctx->s, a->rs1));
}

bool trans_csrrci(DisasContext *ctx, arg_csrrci *a)
{
    REQUIRE_CFG(ctx, ext_zicsr);
    if (a->rs1 == 0) {
        return gen_csr_read(ctx, a->rd, a->csr);
    }
    return gen_csr_rmw(ctx, a->rd, a->csr, tcg_constant_i64(ctx->s, 0),
                       tcg_constant_i64(ctx->s, a->rs1));
}
