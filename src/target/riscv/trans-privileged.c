/*
 * target/riscv/trans-privileged.c — ECALL/EBREAK (Unprivileged spec
 * §2.8) and the privileged instructions of Privileged spec v1.12 §3.3
 * (MRET, SRET, WFI) and §4.2.1 (SFENCE.VMA).
 *
 * The privilege checks that depend on mstatus (TSR, TW, TVM) happen in
 * the helpers at run time, so a TB does not depend on those bits.
 */
#include "target/riscv/translate-internal.h"
#include "target/riscv/riscv-decode.h"

bool trans_ecall(DisasContext *ctx, arg_ecall *a)
{
    /* Causes 8, 9 and 11 are U_ECALL + privilege. */
    gen_exception(ctx, RISCV_EXCP_U_ECALL + ctx->priv, 0);
    return true;
}

bool trans_ebreak(DisasContext *ctx, arg_ebreak *a)
{
    /* mtval = the breakpoint's address (§3.1.16 allows it). */
    gen_exception(ctx, RISCV_EXCP_BREAKPOINT, ctx->base.pc_next);
    return true;
}

static bool gen_xret(DisasContext *ctx, bool mret)
{
    TCGContext *s = ctx->s;

    /* The helper checks privilege (and TSR) and returns the new PC. */
    gen_helper_xret(s, mret, ctx->g->pc);
    tcg_gen_exit_tb(s, TB_EXIT_NOCHAIN);
    ctx->base.is_jmp = DISAS_NORETURN;
    return true;
}

bool trans_mret(DisasContext *ctx, arg_mret *a)
{
    return gen_xret(ctx, true);
}

bool trans_sret(DisasContext *ctx, arg_sret *a)
{
    return gen_xret(ctx, false);
}

bool trans_wfi(DisasContext *ctx, arg_wfi *a)
{
    TCGContext *s = ctx->s;

    /* The hart resumes after the WFI (§3.3.3); the helper halts it. */
    tcg_gen_movi_i64(s, ctx->g->pc, (int64_t)ctx->pc_succ);
    gen_helper_wfi(s);
    ctx->base.is_jmp = DISAS_NORETURN;
    return true;
}

bool trans_sfence_vma(DisasContext *ctx, arg_sfence_vma *a)
{
    gen_helper_sfence_vma(ctx->s);
    gen_end_tb_exit(ctx);
    return true;
}
