/*
 * accel/tcg/tcg-internal.h — state shared by the files of accel/tcg:
 * the accelerator object, per-vCPU TCG state and the backend interface.
 * Nothing outside accel/tcg includes this.
 */
#ifndef ACCEL_TCG_TCG_INTERNAL_H
#define ACCEL_TCG_TCG_INTERNAL_H

#include "accel/tcg/tcg.h"
#include "accel/tcg/tb.h"
#include "accel/tcg/tcg-cpu.h"
#include "hw/core/cpu.h"
#include "hw/core/machine.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>

typedef struct TCGAccel TCGAccel;

/*
 * A backend turns optimized IR into something executable and runs it.
 * interp.c executes the IR itself; a JIT emits host code. Both must give
 * the same architectural results.
 */
typedef struct TCGBackend {
    const char *name;
    /* Set up and tear down the backend's state (NULL: nothing to do);
     * init runs once the TB region exists. */
    bool (*init)(TCGAccel *accel, Error **errp);
    void (*destroy)(TCGAccel *accel);
    /* Build @tb->code from @s (ops already optimized). Returns 0, or
     * -ENOSPC when the TB region is full, or -E2BIG when the TB is too
     * big for the backend (translate fewer instructions). */
    int (*gen_code)(TCGAccel *accel, TCGContext *s, TranslationBlock *tb);
    /* Run from @tb until some TB exits; *last is the TB that exited. */
    TBExit (*exec)(CPUState *cpu, TranslationBlock *tb,
                   TranslationBlock **last);
    /* Point goto_tb slot @n of @tb at @dest (NULL: back to the exit). */
    void (*set_jump)(TranslationBlock *tb, int n, TranslationBlock *dest);
    /* Where in which TB the fault being unwound happened; false if the
     * CPU is not executing translated code. */
    bool (*fault_position)(CPUState *cpu, uintptr_t ra,
                           TranslationBlock **tb, uint32_t *pos);
    /* The backend writes host code into the region: map it executable. */
    bool exec_region;
    /* Run every TB on its own, returning to the CPU loop after it (the
     * checking mode compares one TB at a time): the loop translates with
     * CF_NO_GOTO_TB, as for -d nochain. */
    bool no_chaining;
} TCGBackend;

extern const TCGBackend tcg_backend_interp;
/* x86_64.c: host code for x86-64 hosts. */
extern const TCGBackend tcg_backend_jit;
/* jit-check.c: every TB on the JIT and the interpreter, compared. */
extern const TCGBackend tcg_backend_check;

/* Per-vCPU TCG state (CPUState.accel_cpu). */
#define TB_JMP_CACHE_BITS 12
#define TB_JMP_CACHE_SIZE (1u << TB_JMP_CACHE_BITS)

/* Jump cache slot for @pc: one guest page's entries are contiguous, so a
 * page flush clears 64 slots. */
static inline unsigned tb_jmp_cache_index(uint64_t pc)
{
    return (((pc >> TCG_PAGE_BITS) & 63) << 6) | ((pc >> 1) & 63);
}

typedef struct TCGCPUState {
    TCGAccel *accel;
    sigjmp_buf jmp_env;
    TranslationBlock *jmp_cache[TB_JMP_CACHE_SIZE];
    /* Interpreter: the TB and op being executed, for unwinding. */
    TranslationBlock *interp_tb;
    const void *interp_op;
    /* Debugging (debug.c). */
    unsigned debug_gen;         /* CPUState.debug_gen the caches match */
    uint32_t cflags_next_tb;    /* one-shot: replay a watched access */
    bool step_active;           /* a single-step TB was entered */
    bool replay_active;         /* the replay TB was entered */
    bool watch_stop;            /* the replayed access happened: stop */
} TCGCPUState;

static inline TCGCPUState *tcg_cpu(CPUState *cpu)
{
    return cpu->accel_cpu;
}

/* A guest physical page holding translated code. */
typedef struct PageDesc {
    uint64_t page;
    TranslationBlock *first_tb;     /* tagged with the TB's page slot */
    struct PageDesc *next;
} PageDesc;

struct TCGAccel {
    Machine *machine;
    const TCGBackend *backend;
    /* -accel tcg properties */
    int backend_choice;
    uint64_t tb_size;               /* bytes of TB region */
    bool one_insn_per_tb;
    bool check;                     /* check=on: JIT checked against interp */

    /* The TB region: TBs and their executable form, bump-allocated.
     * For a backend with exec_region it is mapped twice: region (read-
     * write) and region + region_rx_delta (read-execute). The first
     * region_reserved bytes (the JIT's prologue) survive flushes. */
    uint8_t *region;
    size_t region_size;
    size_t region_used;
    size_t region_reserved;
    intptr_t region_rx_delta;
    void *backend_state;

    /* TB cache: hash of (pc, phys page, flags, cflags). */
    pthread_mutex_t tb_lock;
    TranslationBlock **tb_hash;
    size_t tb_hash_mask;
    PageDesc **page_hash;
    size_t page_hash_mask;
    atomic_bool flush_requested;
    /* RAM blocks code has been seen in (their code bitmaps and DMA
     * write hooks are ours). */
    RAMBlock *ram_blocks[32];
    unsigned nr_ram_blocks;
    uint64_t nb_tbs;
    uint64_t nb_flushes;
    uint64_t nb_invalidations;

    /* The vCPU thread (all CPUs round-robin on it). */
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock;
    pthread_cond_t cond;            /* vCPU thread waits for work/resume */
    pthread_cond_t paused_cond;     /* main thread waits for a pause */
    bool quit;
    bool pause_requested;
    bool paused;
    TCGContext *ctx;
    Timer *kick_timer;
    unsigned rr_current;
    /* The running CPU's turn is over (slice expired, or it sent another
     * CPU an interrupt): set by kick_timer or tcg_kick_vcpu, taken by the
     * loop. */
    atomic_bool turn_over;
    bool slice_extended;            /* main loop only: grace already given */
};

/* tb-maint.c */
bool tb_maint_init(TCGAccel *accel, Error **errp);
void tb_maint_destroy(TCGAccel *accel);
void *tb_region_alloc(TCGAccel *accel, size_t size);
/* Where the next tb_region_alloc() will start, and the bytes left: a
 * backend writes code there, then allocates what it used. */
void *tb_region_tail(TCGAccel *accel, size_t *avail);
TranslationBlock *tb_lookup(CPUState *cpu, uint64_t pc, uint32_t flags,
                            uint32_t cflags);
TranslationBlock *tb_gen_code(CPUState *cpu, uint64_t pc, uint32_t flags,
                              uint32_t cflags);
void tb_link_jump(TCGAccel *accel, TranslationBlock *tb, int n,
                  TranslationBlock *dest);
void tb_flush_now(TCGAccel *accel);
void tb_invalidate_phys_page(TCGAccel *accel, uint64_t page);
bool tb_page_has_code(TCGAccel *accel, uint64_t page);

/* Register @rb (once) so its code bitmap and DMA hook are maintained. */
void tb_watch_ram_block(TCGAccel *accel, RAMBlock *rb);

/* cputlb.c */
void tlb_init_cpu(CPUState *cpu);
void tlb_destroy_cpu(CPUState *cpu);
/* Physical address of the code at @pc, filling the TLB (may raise). */
uint64_t get_page_addr_code(CPUState *cpu, uint64_t pc, bool probe,
                            const uint8_t **host);
/* Mark existing write mappings of @page on all CPUs as holding code. */
void tlb_protect_code(TCGAccel *accel, uint64_t page);
/* Slow paths the backends call when the fast TLB check fails. */
uint64_t tlb_load_slow(CPUState *cpu, uint64_t addr, MemOp memop,
                       int mmu_idx, uintptr_t ra);
void tlb_store_slow(CPUState *cpu, uint64_t addr, uint64_t val, MemOp memop,
                    int mmu_idx, uintptr_t ra);
uint64_t tlb_atomic_slow(CPUState *cpu, uint64_t addr, MemOp memop,
                         int mmu_idx, bool cmpxchg, TCGAtomicOp op,
                         uint64_t cmp, uint64_t val, uintptr_t ra);

/* debug.c: breakpoints, single-step and watchpoints for the CPU loop */
struct DisasContextBase;
/* Before each instruction: end the TB or stop at a breakpoint (true). */
bool translator_breakpoint_check(struct DisasContextBase *db);
/* Loop top: drop TBs and TLB entries made under older debug lists. */
void tcg_debug_sync(CPUState *cpu);
/* Compile flags the next TB needs (single-step, watchpoint replay). */
uint32_t tcg_debug_cflags(CPUState *cpu);
/* Hold interrupts off (stepping with SSTEP_NOIRQ, watchpoint replay). */
bool tcg_debug_irq_blocked(CPUState *cpu);
/* Before finding and running a TB with @cflags: is it a step or a
 * replay? ... */
void tcg_debug_tb_begin(CPUState *cpu, uint32_t cflags);
/* ...or that it left at its entry check without running. */
void tcg_debug_tb_skipped(CPUState *cpu);
/* Loop top: did a step or replayed watched access just finish? */
bool tcg_debug_stop_pending(CPUState *cpu);
/* vCPU thread, accel->lock held: @cpu returned EXCP_DEBUG. */
void tcg_debug_stop(TCGAccel *accel, CPUState *cpu);
/* BP_MEM_* kinds watched on @vpage (TLB_WATCHPOINT on those tags). */
int tcg_debug_tlb_flags(CPUState *cpu, uint64_t vpage);
/* Slow path of an access to a watched page. */
void tcg_debug_check_watchpoint(CPUState *cpu, uint64_t addr, unsigned size,
                                MMUAccessType access, uintptr_t ra);

/* cpu-exec.c */
/* Run @cpu until it leaves the loop; returns EXCP_HLT, EXCP_INTERRUPT... */
int cpu_exec(CPUState *cpu);

/* The interpreter's "return address": helpers called from interpreted
 * code unwind through the recorded op, so any nonzero value works. */
#define TCG_RA_INTERP ((uintptr_t)1)

#endif /* ACCEL_TCG_TCG_INTERNAL_H */
