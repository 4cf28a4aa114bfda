/*
 * accel/tcg/tb.h — translation blocks.
 *
 * A TB is the unit of translation: guest code from one start PC, up to a
 * branch, a page end, an instruction that changes translation state, or
 * the instruction limit. It is found by (virtual PC, physical PC, flags):
 * the flags capture every piece of CPU state the translation depended on
 * (privilege, MMU index, FP enabled, ...), so a TB is only reused where it
 * means the same thing. TBs are created in the accelerator's TB region and
 * never freed individually: invalidation marks them and unlinks them, and
 * memory is reclaimed by a full flush with every vCPU outside translated
 * code. That is what lets several threads run translated code safely.
 */
#ifndef ACCEL_TCG_TB_H
#define ACCEL_TCG_TB_H

#include "util/osdep.h"
#include "accel/tcg/tcg.h"

#include <stdatomic.h>

/* Compile flags (TranslationBlock.cflags). */
enum {
    CF_COUNT_MASK = 0x1ff,      /* max guest instructions; 0 = default */
    CF_SINGLE_STEP = 1 << 10,   /* one instruction, then exit (gdb) */
    CF_NO_GOTO_TB = 1 << 11,    /* do not chain (-d nochain, stepping) */
};

struct TranslationBlock {
    uint64_t pc;                /* virtual start */
    uint64_t page_addr[2];      /* physical pages covered; [1] = -1 if one */
    uint32_t flags;             /* target CPU mode flags */
    uint32_t cflags;
    uint32_t size;              /* guest bytes */
    uint16_t icount;            /* guest instructions */
    atomic_bool invalid;

    /* Backend-specific executable form (interp: an InterpProgram). */
    void *code;

    /*
     * Direct chaining. jmp_dest[n] is the TB goto_tb slot n jumps to (or
     * NULL); every TB keeps the list of slots that jump to it, as tagged
     * pointers (TB | slot) threaded through jmp_next, so invalidation can
     * unlink them.
     */
    TranslationBlock *jmp_dest[2];
    uintptr_t jmp_next[2];
    uintptr_t jmp_incoming;

    /* Instruction-start records: op/host position -> unwind words. */
    uint32_t nb_insn_starts;
    struct TBInsnStart *insn_starts;

    TranslationBlock *hash_next;    /* TB cache bucket chain */
    TranslationBlock *page_next[2]; /* per physical page lists */
};

typedef struct TBInsnStart {
    uint32_t pos;           /* interp: op index; JIT: host code offset */
    uint64_t data[2];       /* insn_start arguments: PC and one extra */
} TBInsnStart;

#endif /* ACCEL_TCG_TB_H */
