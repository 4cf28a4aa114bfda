/*
 * target/riscv/translate.c — the RISC-V frontend of TCG: the translator
 * hooks driven by translator_loop(), the IR globals, and the shared gen_*
 * building blocks the trans-*.c files use.
 *
 * Invariants:
 *   - every instruction starts with insn_start(pc, instruction bits), so
 *     a fault restores both the PC and the bits mtval reports for illegal
 *     instructions (riscv_cpu_restore_state_to_opc);
 *   - the PC global is only written at TB exits and before helpers that
 *     need it (wfi); faults restore it from the insn_start records;
 *   - a TB never crosses a page boundary after its first instruction
 *     (an instruction that would is left for the next TB), so only the
 *     first instruction's fetch may fault during translation;
 *   - instructions that change translation state (CSR writes, xRET,
 *     fence.i, sfence.vma) end the TB through the CPU loop, which also
 *     takes any interrupt they unmasked.
 *
 * Decode coverage: with VIREO_DECODE_COVERAGE=FILE in the environment,
 * the name of every decode pattern that is translated for the first time
 * by this context is appended to FILE, one per line, right after the TB
 * is translated. Appending as patterns are discovered, rather than at
 * exit, needs no exit hook and survives any way the process ends.
 */
#include "target/riscv/translate-internal.h"
#include "target/riscv/riscv-decode.h"
#include "target/riscv/disas.h"
#include "util/log.h"

/* --- registers --- */

TCGv_i64 get_gpr(DisasContext *ctx, int reg)
{
    return reg == 0 ? tcg_constant_i64(ctx->s, 0) : ctx->g->gpr[reg];
}

TCGv_i64 dest_gpr(DisasContext *ctx, int reg)
{
    return reg == 0 ? tcg_temp_new_i64(ctx->s) : ctx->g->gpr[reg];
}

void set_gpr(DisasContext *ctx, int reg, TCGv_i64 val)
{
    if (reg != 0 && val.idx != ctx->g->gpr[reg].idx) {
        tcg_gen_mov_i64(ctx->s, ctx->g->gpr[reg], val);
    }
}

TCGv_i64 get_fpr(DisasContext *ctx, int reg)
{
    return ctx->g->fpr[reg];
}

void gen_mark_fs_dirty(DisasContext *ctx)
{
    TCGContext *s = ctx->s;
    TCGv_i64 t;

    if (ctx->mstatus_fs == EXT_STATUS_DIRTY) {
        return;
    }
    t = tcg_temp_new_i64(s);
    tcg_gen_ld_i64(s, t, offsetof(RISCVCPU, mstatus), MO_UQ);
    tcg_gen_ori_i64(s, t, t, (int64_t)(MSTATUS_FS | MSTATUS_SD));
    tcg_gen_st_i64(s, t, offsetof(RISCVCPU, mstatus), MO_UQ);
    ctx->mstatus_fs = EXT_STATUS_DIRTY;
}

void set_fpr(DisasContext *ctx, int reg, TCGv_i64 val)
{
    if (val.idx != ctx->g->fpr[reg].idx) {
        tcg_gen_mov_i64(ctx->s, ctx->g->fpr[reg], val);
    }
    gen_mark_fs_dirty(ctx);
}

/* --- control flow --- */

void gen_goto_tb(DisasContext *ctx, unsigned slot, uint64_t dest)
{
    TCGContext *s = ctx->s;

    if (translator_use_goto_tb(&ctx->base, dest)) {
        tcg_gen_goto_tb(s, slot);
        tcg_gen_movi_i64(s, ctx->g->pc, (int64_t)dest);
        tcg_gen_exit_tb(s, slot ? TB_EXIT_IDX1 : TB_EXIT_IDX0);
    } else {
        tcg_gen_movi_i64(s, ctx->g->pc, (int64_t)dest);
        tcg_gen_lookup_and_goto_ptr(s);
    }
    ctx->base.is_jmp = DISAS_NORETURN;
}

void gen_exception(DisasContext *ctx, RISCVException cause, uint64_t tval)
{
    TCGContext *s = ctx->s;

    gen_helper_raise_exception(s, tcg_constant_i32(s, cause),
                               tcg_constant_i64(s, (int64_t)tval));
    ctx->base.is_jmp = DISAS_NORETURN;
}

void gen_exception_illegal(DisasContext *ctx)
{
    gen_exception(ctx, RISCV_EXCP_ILLEGAL_INST, 0);
}

void gen_end_tb_exit(DisasContext *ctx)
{
    ctx->base.is_jmp = DISAS_EXIT;
}

/* --- shared instruction shapes --- */

bool gen_arith(DisasContext *ctx, int rd, int rs1, int rs2, GenBinary *op,
               bool w32)
{
    TCGv_i64 dest = dest_gpr(ctx, rd);
    /* The *W forms compute into a temp so rd is written only once. */
    TCGv_i64 res = w32 ? tcg_temp_new_i64(ctx->s) : dest;

    op(ctx->s, res, get_gpr(ctx, rs1), get_gpr(ctx, rs2));
    if (w32) {
        tcg_gen_ext32s_i64(ctx->s, dest, res);
    }
    set_gpr(ctx, rd, dest);
    return true;
}

bool gen_arith_imm(DisasContext *ctx, int rd, int rs1, int64_t imm,
                   GenBinary *op, bool w32)
{
    TCGv_i64 dest = dest_gpr(ctx, rd);
    TCGv_i64 res = w32 ? tcg_temp_new_i64(ctx->s) : dest;

    op(ctx->s, res, get_gpr(ctx, rs1), tcg_constant_i64(ctx->s, imm));
    if (w32) {
        tcg_gen_ext32s_i64(ctx->s, dest, res);
    }
    set_gpr(ctx, rd, dest);
    return true;
}

bool gen_unary(DisasContext *ctx, int rd, int rs1, GenUnary *op, bool w32)
{
    TCGv_i64 dest = dest_gpr(ctx, rd);
    TCGv_i64 res = w32 ? tcg_temp_new_i64(ctx->s) : dest;

    op(ctx->s, res, get_gpr(ctx, rs1));
    if (w32) {
        tcg_gen_ext32s_i64(ctx->s, dest, res);
    }
    set_gpr(ctx, rd, dest);
    return true;
}

TCGv_i64 gen_addr(DisasContext *ctx, int rs1, int64_t imm)
{
    TCGv_i64 addr = tcg_temp_new_i64(ctx->s);

    tcg_gen_addi_i64(ctx->s, addr, get_gpr(ctx, rs1), imm);
    return addr;
}

/*
 * Loads and stores carry no MO_ALIGN: like QEMU 7.2, misaligned accesses
 * are performed (split by the softmmu) rather than trapped; only LR/SC
 * and AMOs require natural alignment (trans-rva.c).
 */
bool gen_load(DisasContext *ctx, int rd, int rs1, int64_t imm, MemOp memop)
{
    TCGv_i64 addr = gen_addr(ctx, rs1, imm);
    TCGv_i64 dest = dest_gpr(ctx, rd);

    tcg_gen_qemu_ld_i64(ctx->s, dest, addr, ctx->mem_idx, memop);
    set_gpr(ctx, rd, dest);
    return true;
}

bool gen_store(DisasContext *ctx, int rs2, int rs1, int64_t imm,
               MemOp memop)
{
    TCGv_i64 addr = gen_addr(ctx, rs1, imm);

    tcg_gen_qemu_st_i64(ctx->s, get_gpr(ctx, rs2), addr, ctx->mem_idx,
                        memop);
    return true;
}

/* --- decode coverage --- */

void riscv_decode_note_pattern(DisasContext *ctx, unsigned id)
{
    RISCVTCGGlobals *g = ctx->g;

    if (g->coverage_seen && id < RISCV_PAT_COUNT &&
        !g->coverage_seen[id]) {
        g->coverage_seen[id] = 1;
        g->coverage_new = true;
    }
}

static void riscv_coverage_flush(RISCVTCGGlobals *g)
{
    FILE *f;

    if (!g->coverage_new) {
        return;
    }
    g->coverage_new = false;
    f = fopen(g->coverage_path, "a");
    if (!f) {
        return;
    }
    for (unsigned id = 0; id < RISCV_PAT_COUNT; id++) {
        if (g->coverage_seen[id] == 1) {
            fprintf(f, "%s\n", riscv_decode_patterns[id].name);
            g->coverage_seen[id] = 2;       /* written */
        }
    }
    fclose(f);
}

/* --- translator hooks --- */

static void riscv_tr_init_disas_context(DisasContextBase *db, CPUState *cs)
{
    DisasContext *ctx = container_of(db, DisasContext, base);
    RISCVCPU *cpu = riscv_cpu(cs);
    uint32_t flags = db->tb->flags;

    ctx->s = db->tcg;
    ctx->g = db->tcg->frontend;
    ctx->cpu = cpu;
    ctx->cfg = &cpu->cfg;
    ctx->misa = cpu->misa;
    ctx->priv = flags & TB_FLAGS_PRIV_MASK;
    ctx->mem_idx = (flags & TB_FLAGS_MEM_IDX_MASK) >> TB_FLAGS_MEM_IDX_SHIFT;
    ctx->mstatus_fs = (flags & TB_FLAGS_FS_MASK) >> TB_FLAGS_FS_SHIFT;
}

static void riscv_tr_tb_start(DisasContextBase *db, CPUState *cs)
{
}

/*
 * Fetch the instruction here rather than in translate_insn, so its bits
 * can go into the insn_start record. The first halfword is always on the
 * TB's page (translate_insn stops before crossing); a 32-bit instruction
 * crossing into the next page can only be the TB's first, and then its
 * fetch fault is the right exception.
 */
static void riscv_tr_insn_start(DisasContextBase *db, CPUState *cs)
{
    DisasContext *ctx = container_of(db, DisasContext, base);
    uint16_t lo = translator_lduw(db, db->pc_next);

    if ((lo & 3) != 3) {
        ctx->opcode = lo;
        ctx->insn_len = 2;
    } else {
        ctx->opcode = lo | (uint32_t)translator_lduw(db, db->pc_next + 2)
                           << 16;
        ctx->insn_len = 4;
    }
    tcg_gen_insn_start(ctx->s, db->pc_next, ctx->opcode);
}

static void riscv_tr_translate_insn(DisasContextBase *db, CPUState *cs)
{
    DisasContext *ctx = container_of(db, DisasContext, base);
    bool ok;

    ctx->pc_succ = db->pc_next + ctx->insn_len;
    if (ctx->insn_len == 2) {
        ok = riscv_has_ext(ctx->cpu, RVC) &&
             riscv_decode16(ctx, (uint16_t)ctx->opcode);
    } else {
        ok = riscv_decode32(ctx, ctx->opcode);
    }
    if (!ok) {
        gen_exception_illegal(ctx);
    }
    db->pc_next = ctx->pc_succ;

    if (db->is_jmp == DISAS_NEXT) {
        uint64_t next = db->pc_next;

        /* Stop before an instruction that would leave the page. */
        if (translator_crosses_page(db, next, 2)) {
            db->is_jmp = DISAS_TOO_MANY;
        } else if ((translator_lduw(db, next) & 3) == 3 &&
                   translator_crosses_page(db, next, 4)) {
            db->is_jmp = DISAS_TOO_MANY;
        }
    }
}

static void riscv_tr_tb_stop(DisasContextBase *db, CPUState *cs)
{
    DisasContext *ctx = container_of(db, DisasContext, base);
    TCGContext *s = ctx->s;

    switch ((int)db->is_jmp) {
    case DISAS_TOO_MANY:
        gen_goto_tb(ctx, 0, db->pc_next);
        break;
    case DISAS_EXIT:
        tcg_gen_movi_i64(s, ctx->g->pc, (int64_t)db->pc_next);
        tcg_gen_exit_tb(s, TB_EXIT_NOCHAIN);
        break;
    case DISAS_NORETURN:
        break;
    default:
        break;
    }
    riscv_coverage_flush(ctx->g);
}

static void riscv_tr_disas_log(const DisasContextBase *db, CPUState *cs,
                               Log *log)
{
    DisasContextBase *base = (DisasContextBase *)db;

    for (uint64_t pc = db->pc_first; pc < db->pc_next;) {
        uint32_t insn = translator_lduw(base, pc);
        unsigned len = riscv_insn_length(insn);
        char buf[128];

        if (len == 4) {
            insn |= (uint32_t)translator_lduw(base, pc + 2) << 16;
        }
        riscv_disas_insn(pc, insn, buf, sizeof(buf));
        fprintf(log->file, "0x%016" PRIx64 ":  %0*x  %s\n", pc, len * 2,
                insn, buf);
        pc += len;
    }
}

static const TranslatorOps riscv_tr_ops = {
    .init_disas_context = riscv_tr_init_disas_context,
    .tb_start = riscv_tr_tb_start,
    .insn_start = riscv_tr_insn_start,
    .translate_insn = riscv_tr_translate_insn,
    .tb_stop = riscv_tr_tb_stop,
    .disas_log = riscv_tr_disas_log,
};

void riscv_translate_code(CPUState *cs, TCGContext *s, TranslationBlock *tb,
                          int max_insns)
{
    DisasContext ctx = { 0 };

    translator_loop(cs, s, tb, max_insns, &riscv_tr_ops, &ctx.base);
}

/* --- globals --- */

static const char *const gpr_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
    "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
    "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *const fpr_names[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7",
    "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
    "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
    "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

void *riscv_tcg_init(TCGContext *s)
{
    RISCVTCGGlobals *g = xzalloc(sizeof(*g));
    const char *cov = getenv("VIREO_DECODE_COVERAGE");

    for (int i = 1; i < 32; i++) {
        g->gpr[i] = tcg_global_mem_new_i64(s, offsetof(RISCVCPU, gpr[i]),
                                           gpr_names[i]);
    }
    for (int i = 0; i < 32; i++) {
        g->fpr[i] = tcg_global_mem_new_i64(s, offsetof(RISCVCPU, fpr[i]),
                                           fpr_names[i]);
    }
    g->pc = tcg_global_mem_new_i64(s, offsetof(RISCVCPU, pc), "pc");
    g->load_res = tcg_global_mem_new_i64(s, offsetof(RISCVCPU, load_res),
                                         "load_res");
    g->load_val = tcg_global_mem_new_i64(s, offsetof(RISCVCPU, load_val),
                                         "load_val");
    if (cov && *cov) {
        g->coverage_path = xstrdup(cov);
        g->coverage_seen = xzalloc(RISCV_PAT_COUNT);
    }
    return g;
}
