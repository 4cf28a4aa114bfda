/*
 * target/riscv/trans-rvi.c — RV64I base integer instructions
 * (Unprivileged spec 20191213 ch. 2 and 5), plus FENCE.I (ch. 3, Zifencei)
 * and the Zihintpause PAUSE hint (ch. 4).
 *
 * Jumps: without the C extension IALIGN is 32, so a taken jump or branch
 * to an address that is not 4-byte aligned raises instruction-address-
 * misaligned on the jump itself, with mtval = the target (§2.5); with C
 * no target can be misaligned (JALR clears bit 0).
 */
#include "target/riscv/translate-internal.h"
#include "target/riscv/riscv-decode.h"

/* --- upper immediates and jumps --- */

bool trans_lui(DisasContext *ctx, arg_lui *a)
{
    set_gpr(ctx, a->rd, tcg_constant_i64(ctx->s, a->imm));
    return true;
}

bool trans_auipc(DisasContext *ctx, arg_auipc *a)
{
    set_gpr(ctx, a->rd,
            tcg_constant_i64(ctx->s, (int64_t)(ctx->base.pc_next + a->imm)));
    return true;
}

static bool target_misaligned(DisasContext *ctx, uint64_t target)
{
    return !riscv_has_ext(ctx->cpu, RVC) && (target & 3);
}

bool trans_jal(DisasContext *ctx, arg_jal *a)
{
    uint64_t target = ctx->base.pc_next + a->imm;

    if (target_misaligned(ctx, target)) {
        gen_exception(ctx, RISCV_EXCP_INST_ADDR_MIS, target);
        return true;
    }
    set_gpr(ctx, a->rd, tcg_constant_i64(ctx->s, (int64_t)ctx->pc_succ));
    gen_goto_tb(ctx, 0, target);
    return true;
}

bool trans_jalr(DisasContext *ctx, arg_jalr *a)
{
    TCGContext *s = ctx->s;
    /* A tb temp: the misalignment check below crosses a label. */
    TCGv_i64 target = tcg_temp_new_tb_i64(s);

    tcg_gen_addi_i64(s, target, get_gpr(ctx, a->rs1), a->imm);
    tcg_gen_andi_i64(s, target, target, ~1LL);
    if (!riscv_has_ext(ctx->cpu, RVC)) {
        TCGLabel ok = gen_new_label(s);
        TCGv_i64 bit = tcg_temp_new_i64(s);

        tcg_gen_andi_i64(s, bit, target, 2);
        tcg_gen_brcondi_i64(s, TCG_COND_EQ, bit, 0, ok);
        gen_helper_raise_exception(s,
                                   tcg_constant_i32(s,
                                                    RISCV_EXCP_INST_ADDR_MIS),
                                   target);
        tcg_gen_set_label(s, ok);
    }
    set_gpr(ctx, a->rd, tcg_constant_i64(s, (int64_t)ctx->pc_succ));
    tcg_gen_mov_i64(s, ctx->g->pc, target);
    tcg_gen_lookup_and_goto_ptr(s);
    ctx->base.is_jmp = DISAS_NORETURN;
    return true;
}

/* --- conditional branches (§2.5) --- */

static bool gen_branch(DisasContext *ctx, arg_b *a, TCGCond cond)
{
    TCGContext *s = ctx->s;
    TCGLabel taken = gen_new_label(s);
    uint64_t target = ctx->base.pc_next + a->imm;

    tcg_gen_brcond_i64(s, cond, get_gpr(ctx, a->rs1), get_gpr(ctx, a->rs2),
                       taken);
    gen_goto_tb(ctx, 1, ctx->pc_succ);
    tcg_gen_set_label(s, taken);
    if (target_misaligned(ctx, target)) {
        gen_exception(ctx, RISCV_EXCP_INST_ADDR_MIS, target);
    } else {
        gen_goto_tb(ctx, 0, target);
    }
    return true;
}

bool trans_beq(DisasContext *ctx, arg_beq *a)
{
    return gen_branch(ctx, a, TCG_COND_EQ);
}

bool trans_bne(DisasContext *ctx, arg_bne *a)
{
    return gen_branch(ctx, a, TCG_COND_NE);
}

bool trans_blt(DisasContext *ctx, arg_blt *a)
{
    return gen_branch(ctx, a, TCG_COND_LT);
}

bool trans_bge(DisasContext *ctx, arg_bge *a)
{
    return gen_branch(ctx, a, TCG_COND_GE);
}

bool trans_bltu(DisasContext *ctx, arg_bltu *a)
{
    return gen_branch(ctx, a, TCG_COND_LTU);
}

bool trans_bgeu(DisasContext *ctx, arg_bgeu *a)
{
    return gen_branch(ctx, a, TCG_COND_GEU);
}

/* --- loads and stores (§2.6, §5.3) --- */

bool trans_lb(DisasContext *ctx, arg_lb *a)
{
    return gen_load(ctx, a->rd, a->rs1, a->imm, MO_SB);
}

bool trans_lh(DisasContext *ctx, arg_lh *a)
{
    return gen_load(ctx, a->rd, a->rs1, a->imm, MO_SW);
}

bool trans_lw(DisasContext *ctx, arg_lw *a)
{
    return gen_load(ctx, a->rd, a->rs1, a->imm, MO_SL);
}

bool trans_ld(DisasContext *ctx, arg_ld *a)
{
    return gen_load(ctx, a->rd, a->rs1, a->imm, MO_UQ);
}

bool trans_lbu(DisasContext *ctx, arg_lbu *a)
{
    return gen_load(ctx, a->rd, a->rs1, a->imm, MO_UB);
}

bool trans_lhu(DisasContext *ctx, arg_lhu *a)
{
    return gen_load(ctx, a->rd, a->rs1, a->imm, MO_UW);
}

bool trans_lwu(DisasContext *ctx, arg_lwu *a)
{
    return gen_load(ctx, a->rd, a->rs1, a->imm, MO_UL);
}

bool trans_sb(DisasContext *ctx, arg_sb *a)
{
    return gen_store(ctx, a->rs2, a->rs1, a->imm, MO_UB);
}

bool trans_sh(DisasContext *ctx, arg_sh *a)
{
    return gen_store(ctx, a->rs2, a->rs1, a->imm, MO_UW);
}

bool trans_sw(DisasContext *ctx, arg_sw *a)
{
    return gen_store(ctx, a->rs2, a->rs1, a->imm, MO_UL);
}

bool trans_sd(DisasContext *ctx, arg_sd *a)
{
    return gen_store(ctx, a->rs2, a->rs1, a->imm, MO_UQ);
}

/* --- register-immediate (§2.4.1, §5.2) --- */

static void gen_slt(TCGContext *s, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_setcond_i64(s, TCG_COND_LT, ret, a, b);
}

static void gen_sltu(TCGContext *s, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_setcond_i64(s, TCG_COND_LTU, ret, a, b);
}

bool trans_addi(DisasContext *ctx, arg_addi *a)
{
    return gen_arith_imm(ctx, a->rd, a->rs1, a->imm, tcg_gen_add_i64, false);
}

bool trans_slti(DisasContext *ctx, arg_slti *a)
{
    return gen_arith_imm(ctx, a->rd, a->rs1, a->imm, gen_slt, false);
}

bool trans_sltiu(DisasContext *ctx, arg_sltiu *a)
{
    return gen_arith_imm(ctx, a->rd, a->rs1, a->imm, gen_sltu, false);
}

bool trans_xori(DisasContext *ctx, arg_xori *a)
{
    return gen_arith_imm(ctx, a->rd, a->rs1, a->imm, tcg_gen_xor_i64, false);
}

bool trans_ori(DisasContext *ctx, arg_ori *a)
{
    return gen_arith_imm(ctx, a->rd, a->rs1, a->imm, tcg_gen_or_i64, false);
}

bool trans_andi(DisasContext *ctx, arg_andi *a)
{
    return gen_arith_imm(ctx, a->rd, a->rs1, a->imm, tcg_gen_and_i64, false);
}

bool trans_slli(DisasContext *ctx, arg_slli *a)
{
    return gen_arith_imm(ctx, a->rd, a->rs1, a->shamt, tcg_gen_shl_i64,
                         false);
}

bool trans_srli(DisasContext *ctx, arg_srli *a)
{
    return gen_arith_imm(ctx, a->rd, a->rs1, a->shamt, tcg_gen_shr_i64,
                         false);
}

bool trans_srai(DisasContext *ctx, arg_srai *a)
{
    return gen_arith_imm(ctx, a->rd, a->rs1, a->shamt, tcg_gen_sar_i64,
                         false);
}

bool trans_addiw(DisasContext *ctx, arg_addiw *a)
{
    return gen_arith_imm(ctx, a->rd, a->rs1, a->imm, tcg_gen_add_i64, true);
}

/* 32-bit shifts: operate on the low word, then sign-extend (§5.2). */
static void gen_srlw(TCGContext *s, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    TCGv_i64 t = tcg_temp_new_i64(s);
    TCGv_i64 n = tcg_temp_new_i64(s);

    tcg_gen_ext32u_i64(s, t, a);
    tcg_gen_andi_i64(s, n, b, 31);
    tcg_gen_shr_i64(s, ret, t, n);
}

static void gen_sraw(TCGContext *s, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    TCGv_i64 t = tcg_temp_new_i64(s);
    TCGv_i64 n = tcg_temp_new_i64(s);

    tcg_gen_ext32s_i64(s, t, a);
    tcg_gen_andi_i64(s, n, b, 31);
    tcg_gen_sar_i64(s, ret, t, n);
}

static void gen_sllw(TCGContext *s, TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    TCGv_i64 n = tcg_temp_new_i64(s);

    tcg_gen_andi_i64(s, n, b, 31);
    tcg_gen_shl_i64(s, ret, a, n);
}

bool trans_slliw(DisasContext *ctx, arg_slliw *a)
{
    return gen_arith_imm(ctx, a->rd, a->rs1, a->shamt, gen_sllw, true);
}

bool trans_srliw(DisasContext *ctx, arg_srliw *a)
{
    return gen_arith_imm(ctx, a->rd, a->rs1, a->shamt, gen_srlw, true);
}

bool trans_sraiw(DisasContext *ctx, arg_sraiw *a)
{
    return gen_arith_imm(ctx, a->rd, a->rs1, a->shamt, gen_sraw, true);
}

/* --- register-register (§2.4.2, §5.2) --- */

bool trans_add(DisasContext *ctx, arg_add *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_add_i64, false);
}

bool trans_sub(DisasContext *ctx, arg_sub *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_sub_i64, false);
}

bool trans_sll(DisasContext *ctx, arg_sll *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_shl_i64, false);
}

bool trans_slt(DisasContext *ctx, arg_slt *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_slt, false);
}

bool trans_sltu(DisasContext *ctx, arg_sltu *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_sltu, false);
}

bool trans_xor(DisasContext *ctx, arg_xor *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_xor_i64, false);
}

bool trans_srl(DisasContext *ctx, arg_srl *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_shr_i64, false);
}

bool trans_sra(DisasContext *ctx, arg_sra *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_sar_i64, false);
}

bool trans_or(DisasContext *ctx, arg_or *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_or_i64, false);
}

bool trans_and(DisasContext *ctx, arg_and *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_and_i64, false);
}

bool trans_addw(DisasContext *ctx, arg_addw *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_add_i64, true);
}

bool trans_subw(DisasContext *ctx, arg_subw *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, tcg_gen_sub_i64, true);
}

bool trans_sllw(DisasContext *ctx, arg_sllw *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_sllw, true);
}

bool trans_srlw(DisasContext *ctx, arg_srlw *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_srlw, true);
}

bool trans_sraw(DisasContext *ctx, arg_sraw *a)
{
    return gen_arith(ctx, a->rd, a->rs1, a->rs2, gen_sraw, true);
}

/* --- memory ordering (§2.7), Zifencei (ch. 3), Zihintpause (ch. 4) --- */

bool trans_fence(DisasContext *ctx, arg_fence *a)
{
    /* Every FENCE orders everything: stronger than asked, always legal. */
    tcg_gen_mb(ctx->s, TCG_MO_ALL);
    return true;
}

bool trans_pause(DisasContext *ctx, arg_pause *a)
{
    /* Without Zihintpause the decoder falls back to FENCE. With it, a
     * spinning hart yields, so under round-robin the lock holder runs. */
    REQUIRE_CFG(ctx, ext_zihintpause);
    tcg_gen_mb(ctx->s, TCG_MO_ALL);
    tcg_gen_movi_i64(ctx->s, ctx->g->pc, (int64_t)ctx->pc_succ);
    gen_helper_pause(ctx->s);
    ctx->base.is_jmp = DISAS_NORETURN;
    return true;
}

bool trans_fence_i(DisasContext *ctx, arg_fence_i *a)
{
    REQUIRE_CFG(ctx, ext_zifencei);
    /* Stores to code pages already invalidated the stale TBs; what is
     * left is to stop running this TB's view of the code. */
    gen_end_tb_exit(ctx);
    return true;
}
