/*
 * target/riscv/trans-rva.c — the A extension: LR/SC and AMOs
 * (Unprivileged spec 20191213 ch. 8).
 *
 * All of them require natural alignment (MO_ALIGN): a misaligned LR
 * raises load-address-misaligned, a misaligned SC or AMO
 * store/AMO-address-misaligned (the runtime checks atomics as stores).
 *
 * LR/SC follow QEMU: LR records the address and the value it read
 * (load_res/load_val); SC succeeds if its address equals load_res and an
 * atomic compare-and-swap of load_val with the new value succeeds, so an
 * intervening store of a different value by another hart makes it fail.
 * Any SC, and every trap or xRET, clears the reservation. The aq/rl bits
 * become full barriers around the access.
 */
#include "target/riscv/translate-internal.h"
#include "target/riscv/riscv-decode.h"

static bool gen_lr(DisasContext *ctx, arg_atomic *a, MemOp memop)
{
    TCGContext *s = ctx->s;
    TCGv_i64 addr = tcg_temp_new_i64(s);
    TCGv_i64 dest = dest_gpr(ctx, a->rd);

    REQUIRE_EXT(ctx, RVA);
    tcg_gen_mov_i64(s, addr, get_gpr(ctx, a->rs1));
    if (a->rl) {
        tcg_gen_mb(s, TCG_MO_ALL);
    }
    tcg_gen_qemu_ld_i64(s, ctx->g->load_val, addr, ctx->mem_idx,
                        memop | MO_ALIGN);
    if (a->aq) {
        tcg_gen_mb(s, TCG_MO_ALL);
    }
    tcg_gen_mov_i64(s, ctx->g->load_res, addr);
    tcg_gen_mov_i64(s, dest, ctx->g->load_val);
    set_gpr(ctx, a->rd, dest);
    return true;
}

/*
 * An SC whose reservation check fails makes no access, but a misaligned
 * one must still raise store/AMO-address-misaligned (§8.2): check first.
 */
static void gen_check_align(DisasContext *ctx, TCGv_i64 addr, MemOp memop,
                            RISCVException cause)
{
    TCGContext *s = ctx->s;
    TCGLabel ok = gen_new_label(s);
    TCGv_i64 low = tcg_temp_new_i64(s);

    tcg_gen_andi_i64(s, low, addr, memop_size(memop) - 1);
    tcg_gen_brcondi_i64(s, TCG_COND_EQ, low, 0, ok);
    gen_helper_raise_exception(s, tcg_constant_i32(s, cause), addr);
    tcg_gen_set_label(s, ok);
}

static bool gen_sc(DisasContext *ctx, arg_atomic *a, MemOp memop)
{
    TCGContext *s = ctx->s;
    TCGLabel fail, done;
    TCGv_i64 addr, old, res;

    REQUIRE_EXT(ctx, RVA);
    fail = gen_new_label(s);
    done = gen_new_label(s);
    addr = tcg_temp_new_tb_i64(s);
    old = tcg_temp_new_i64(s);
    res = tcg_temp_new_i64(s);
    tcg_gen_mov_i64(s, addr, get_gpr(ctx, a->rs1));
    gen_check_align(ctx, addr, memop, RISCV_EXCP_STORE_AMO_ADDR_MIS);
    tcg_gen_brcond_i64(s, TCG_COND_NE, ctx->g->load_res, addr, fail);
    if (a->rl) {
        tcg_gen_mb(s, TCG_MO_ALL);
    }
    tcg_gen_atomic_cmpxchg_i64(s, old, addr, ctx->g->load_val,
                               get_gpr(ctx, a->rs2), ctx->mem_idx,
                               memop | MO_ALIGN);
    if (a->aq) {
        tcg_gen_mb(s, TCG_MO_ALL);
    }
    tcg_gen_setcond_i64(s, TCG_COND_NE, res, old, ctx->g->load_val);
    set_gpr(ctx, a->rd, res);
    tcg_gen_br(s, done);

    tcg_gen_set_label(s, fail);
    /* No access, but the ordering aq/rl ask for still applies. */
    tcg_gen_mb(s, TCG_MO_ALL);
    set_gpr(ctx, a->rd, tcg_constant_i64(s, 1));

    tcg_gen_set_label(s, done);
    tcg_gen_movi_i64(s, ctx->g->load_res, -1);
    return true;
}

static bool gen_amo(DisasContext *ctx, arg_atomic *a, TCGAtomicOp op,
                    MemOp memop)
{
    TCGContext *s = ctx->s;
    TCGv_i64 dest = dest_gpr(ctx, a->rd);
    TCGv_i64 addr = tcg_temp_new_i64(s);

    REQUIRE_EXT(ctx, RVA);
    tcg_gen_mov_i64(s, addr, get_gpr(ctx, a->rs1));
    if (a->rl) {
        tcg_gen_mb(s, TCG_MO_ALL);
    }
    tcg_gen_atomic_rmw_i64(s, op, dest, addr, get_gpr(ctx, a->rs2),
                           ctx->mem_idx, memop | MO_ALIGN);
    if (a->aq) {
        tcg_gen_mb(s, TCG_MO_ALL);
    }
    set_gpr(ctx, a->rd, dest);
    return true;
}

bool trans_lr_w(DisasContext *ctx, arg_lr_w *a)
{
    return gen_lr(ctx, a, MO_SL);
}

bool trans_sc_w(DisasContext *ctx, arg_sc_w *a)
{
    return gen_sc(ctx, a, MO_SL);
}

bool trans_lr_d(DisasContext *ctx, arg_lr_d *a)
{
    return gen_lr(ctx, a, MO_UQ);
}

bool trans_sc_d(DisasContext *ctx, arg_sc_d *a)
{
    return gen_sc(ctx, a, MO_UQ);
}

#define TRANS_AMO(name, op, memop)                                      \
    bool trans_##name(DisasContext *ctx, arg_##name *a)                 \
    {                                                                   \
        return gen_amo(ctx, a, op, memop);                              \
    }

TRANS_AMO(amoswap_w, TCG_ATOMIC_XCHG, MO_SL)
TRANS_AMO(amoadd_w, TCG_ATOMIC_ADD, MO_SL)
TRANS_AMO(amoxor_w, TCG_ATOMIC_XOR, MO_SL)
TRANS_AMO(amoand_w, TCG_ATOMIC_AND, MO_SL)
TRANS_AMO(amoor_w, TCG_ATOMIC_OR, MO_SL)
TRANS_AMO(amomin_w, TCG_ATOMIC_SMIN, MO_SL)
TRANS_AMO(amomax_w, TCG_ATOMIC_SMAX, MO_SL)
TRANS_AMO(amominu_w, TCG_ATOMIC_UMIN, MO_SL)
TRANS_AMO(amomaxu_w, TCG_ATOMIC_UMAX, MO_SL)
TRANS_AMO(amoswap_d, TCG_ATOMIC_XCHG, MO_UQ)
TRANS_AMO(amoadd_d, TCG_ATOMIC_ADD, MO_UQ)
TRANS_AMO(amoxor_d, TCG_ATOMIC_XOR, MO_UQ)
TRANS_AMO(amoand_d, TCG_ATOMIC_AND, MO_UQ)
TRANS_AMO(amoor_d, TCG_ATOMIC_OR, MO_UQ)
TRANS_AMO(amomin_d, TCG_ATOMIC_SMIN, MO_UQ)
TRANS_AMO(amomax_d, TCG_ATOMIC_SMAX, MO_UQ)
TRANS_AMO(amominu_d, TCG_ATOMIC_UMIN, MO_UQ)
TRANS_AMO(amomaxu_d, TCG_ATOMIC_UMAX, MO_UQ)
