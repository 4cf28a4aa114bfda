/*
 * accel/tcg/translator.h — the target-independent translation loop.
 *
 * A frontend supplies TranslatorOps; translator_loop() drives them for
 * one TB: init the context, tb_start, then per instruction insn_start
 * (which must emit tcg_gen_insn_start) and translate_insn (which fetches
 * with translator_ld*, emits IR and advances pc_next), until the frontend
 * sets is_jmp, the instruction limit is reached, or IR space runs out;
 * then tb_stop emits the exit. The loop also emits the exit-request check
 * at TB entry and produces the -d in_asm / op / op_opt logs.
 */
#ifndef ACCEL_TCG_TRANSLATOR_H
#define ACCEL_TCG_TRANSLATOR_H

#include "accel/tcg/tcg.h"
#include "accel/tcg/tb.h"

typedef enum DisasJumpType {
    DISAS_NEXT,         /* keep translating */
    DISAS_TOO_MANY,     /* stop because of a limit: fall through to pc_next */
    DISAS_NORETURN,     /* the frontend already emitted the TB exit */
    DISAS_TARGET_0,     /* frontend-defined reasons follow */
    DISAS_TARGET_1,
    DISAS_TARGET_2,
    DISAS_TARGET_3,
} DisasJumpType;

typedef struct DisasContextBase {
    TranslationBlock *tb;
    TCGContext *tcg;
    CPUState *cpu;
    uint64_t pc_first;
    uint64_t pc_next;
    DisasJumpType is_jmp;
    int num_insns;
    int max_insns;
    bool single_step;
    /* Code fetch: the guest page the TB started on and its host mapping. */
    uint64_t page_first;
    const uint8_t *host_first;
} DisasContextBase;

typedef struct TranslatorOps {
    void (*init_disas_context)(DisasContextBase *db, CPUState *cpu);
    void (*tb_start)(DisasContextBase *db, CPUState *cpu);
    void (*insn_start)(DisasContextBase *db, CPUState *cpu);
    void (*translate_insn)(DisasContextBase *db, CPUState *cpu);
    void (*tb_stop)(DisasContextBase *db, CPUState *cpu);
    /* Disassemble the TB's guest code for -d in_asm. */
    void (*disas_log)(const DisasContextBase *db, CPUState *cpu, Log *log);
} TranslatorOps;

/* Translate @tb into @s (called by the TCG runtime through TCGCPUOps). */
void translator_loop(CPUState *cpu, TCGContext *s, TranslationBlock *tb,
                     int max_insns, const TranslatorOps *ops,
                     DisasContextBase *db);

/* May the TB jump directly (goto_tb) to @dest? Only within its own
 * virtual pages, since another page's mapping may change. */
bool translator_use_goto_tb(DisasContextBase *db, uint64_t dest);

/*
 * Fetch guest code at @pc for translation. A fault on the TB's first
 * instruction raises the instruction fault (the target's tlb_fill does);
 * frontends avoid faults on later instructions by ending the TB at page
 * boundaries (see translator_crosses_page).
 */
uint16_t translator_lduw(DisasContextBase *db, uint64_t pc);
uint32_t translator_ldl(DisasContextBase *db, uint64_t pc);

/* Would [pc, pc+len) leave the page the TB started on? */
static inline bool translator_crosses_page(const DisasContextBase *db,
                                           uint64_t pc, unsigned len)
{
    return ((pc + len - 1) & ~(uint64_t)4095) != db->page_first;
}

#endif /* ACCEL_TCG_TRANSLATOR_H */
