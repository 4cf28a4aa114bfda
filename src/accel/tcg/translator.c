/*
 * accel/tcg/translator.c — the target-independent translation loop and
 * guest code fetch (see accel/tcg/translator.h).
 */
#include "accel/tcg/translator.h"
#include "accel/tcg/tcg-internal.h"
#include "accel/tcg/tcg-op.h"
#include "util/log.h"

/* Stop adding instructions when this close to an IR limit. */
#define TB_OPS_HEADROOM 512
#define TB_TEMPS_HEADROOM 256

void translator_loop(CPUState *cpu, TCGContext *s, TranslationBlock *tb,
                     int max_insns, const TranslatorOps *ops,
                     DisasContextBase *db)
{
    TCGLabel exit_label;
    TCGv_i32 request;

    db->tb = tb;
    db->tcg = s;
    db->cpu = cpu;
    db->pc_first = tb->pc;
    db->pc_next = tb->pc;
    db->is_jmp = DISAS_NEXT;
    db->num_insns = 0;
    db->max_insns = max_insns;
    db->single_step = tb->cflags & CF_SINGLE_STEP;
    db->page_first = tb->pc & TCG_PAGE_MASK;
    get_page_addr_code(cpu, tb->pc, false, &db->host_first);
    ops->init_disas_context(db, cpu);

    /* Every TB starts by checking for an exit request (interrupts, stop,
     * flush), so chained TBs cannot run forever without one. */
    exit_label = gen_new_label(s);
    request = tcg_temp_new_i32(s);
    tcg_gen_ld_i32(s, request, offsetof(CPUState, exit_request), MO_SL);
    tcg_gen_brcondi_i32(s, TCG_COND_NE, request, 0, exit_label);

    ops->tb_start(db, cpu);
    for (;;) {
        if (translator_breakpoint_check(db)) {
            break;      /* stop before a breakpoint (accel/tcg/debug.c) */
        }
        db->num_insns++;
        ops->insn_start(db, cpu);
        ops->translate_insn(db, cpu);
        if (db->is_jmp != DISAS_NEXT) {
            break;
        }
        if (db->num_insns >= db->max_insns || db->single_step ||
            s->nb_ops + TB_OPS_HEADROOM > TCG_MAX_OPS ||
            s->nb_temps + TB_TEMPS_HEADROOM > TCG_MAX_TEMPS ||
            s->nb_labels + 16 > TCG_MAX_LABELS) {
            db->is_jmp = DISAS_TOO_MANY;
            break;
        }
    }
    ops->tb_stop(db, cpu);
    tcg_gen_set_label(s, exit_label);
    tcg_gen_exit_tb(s, TB_EXIT_REQUESTED);

    tb->size = db->pc_next - db->pc_first;
    tb->icount = db->num_insns;

    if (log_enabled(cpu->log, LOG_IN_ASM) && ops->disas_log) {
        log_lock(cpu->log);
        fprintf(cpu->log->file, "----------------\nIN: \n");
        ops->disas_log(db, cpu, cpu->log);
        fputc('\n', cpu->log->file);
        log_unlock(cpu->log);
    }
}

bool translator_use_goto_tb(DisasContextBase *db, uint64_t dest)
{
    if (db->single_step || (db->tb->cflags & CF_NO_GOTO_TB)) {
        return false;
    }
    /* Same page as the TB's start or its current end. */
    return ((dest ^ db->pc_first) & TCG_PAGE_MASK) == 0 ||
           ((dest ^ (db->pc_next - 1)) & TCG_PAGE_MASK) == 0;
}

static uint8_t code_byte(DisasContextBase *db, uint64_t pc)
{
    const uint8_t *host;

    if ((pc & TCG_PAGE_MASK) == db->page_first) {
        return db->host_first[pc & ~TCG_PAGE_MASK];
    }
    /* The next page: fetched (and faulting) like the first one. */
    get_page_addr_code(db->cpu, pc, false, &host);
    return host[pc & ~TCG_PAGE_MASK];
}

uint16_t translator_lduw(DisasContextBase *db, uint64_t pc)
{
    if ((pc & TCG_PAGE_MASK) == db->page_first &&
        (pc & ~TCG_PAGE_MASK) + 2 <= TCG_PAGE_SIZE) {
        uint16_t v;
        memcpy(&v, db->host_first + (pc & ~TCG_PAGE_MASK), 2);
        return v;
    }
    return code_byte(db, pc) | code_byte(db, pc + 1) << 8;
}

uint32_t translator_ldl(DisasContextBase *db, uint64_t pc)
{
    if ((pc & TCG_PAGE_MASK) == db->page_first &&
        (pc & ~TCG_PAGE_MASK) + 4 <= TCG_PAGE_SIZE) {
        uint32_t v;
        memcpy(&v, db->host_first + (pc & ~TCG_PAGE_MASK), 4);
        return v;
    }
    return translator_lduw(db, pc) | (uint32_t)translator_lduw(db, pc + 2)
                                     << 16;
}
