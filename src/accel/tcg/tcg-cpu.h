/*
 * accel/tcg/tcg-cpu.h — what a binary-translated CPU (target/ARCH) and the
 * TCG runtime (accel/tcg) offer each other.
 *
 * The target supplies TCGCPUOps: how to translate a TB, which CPU state a
 * TB depends on, how to take interrupts and exceptions, and how to walk
 * its page tables (tlb_fill). The runtime supplies the CPU loop, the
 * softmmu TLB, guest memory access for helpers, and the one documented way
 * to abandon translated code when a guest exception is raised:
 *
 *   cpu->exception_index = EXCP_...;   (plus any target state, e.g. tval)
 *   cpu_loop_exit_restore(cpu, GETPC());
 *
 * which restores the guest PC of the faulting instruction from the TB's
 * instruction-start records and longjmps back to the CPU loop, where
 * do_exception() delivers the trap. GETPC() must be evaluated in the helper
 * called from translated code itself.
 */
#ifndef ACCEL_TCG_TCG_CPU_H
#define ACCEL_TCG_TCG_CPU_H

#include "util/osdep.h"
#include "util/typedefs.h"
#include "accel/tcg/tcg.h"
#include "accel/tcg/tb.h"
#include "exec/memory.h"

typedef enum MMUAccessType {
    MMU_DATA_LOAD = 0,
    MMU_DATA_STORE = 1,
    MMU_INST_FETCH = 2,
} MMUAccessType;

/* Exception indices the runtime itself uses (targets use >= 0). */
enum {
    EXCP_NONE = -1,
    EXCP_INTERRUPT = -0x10000,  /* exit request: leave the loop */
    EXCP_HLT,                   /* WFI/HLT: wait for work */
    EXCP_DEBUG,                 /* gdb breakpoint/step */
    EXCP_YIELD,                 /* give other vCPUs a turn */
};

/* Host return address of the current helper call, for unwinding. */
#define GETPC() ((uintptr_t)__builtin_return_address(0))

struct TCGCPUOps {
    /* Register the target's globals in a new context; the result is kept
     * in s->frontend for translate_code. */
    void *(*tcg_init)(TCGContext *s);
    /* Emit IR for @tb (calls translator_loop with the target's ops). */
    void (*translate_code)(CPUState *cpu, TCGContext *s,
                           TranslationBlock *tb, int max_insns);
    /* The MMU index for instruction fetch (@ifetch) or data access now. */
    int (*mmu_index)(CPUState *cpu, bool ifetch);
    /* The PC and the mode flags a TB starting now would depend on. */
    void (*get_tb_cpu_state)(CPUState *cpu, uint64_t *pc, uint32_t *flags);
    /* After leaving a TB through an exit request: set the PC to tb->pc. */
    void (*synchronize_from_tb)(CPUState *cpu, const TranslationBlock *tb);
    /* After a fault inside @tb: set the PC (and extra state) from the
     * faulting instruction's insn_start words. */
    void (*restore_state_to_opc)(CPUState *cpu, const TranslationBlock *tb,
                                 const uint64_t *data);
    /*
     * Take an enabled pending interrupt, if any (returns true if taken).
     * The CPU loop calls this whenever control returns to it, which is
     * not after every TB (TBs chain): the frontend must end the TB after
     * any instruction that can make a pending interrupt deliverable
     * (interrupt-enable CSR writes, xRET), and devices that raise a line
     * call cpu_interrupt() so chained TBs exit at their next entry check.
     */
    bool (*exec_interrupt)(CPUState *cpu);
    /* Deliver cpu->exception_index (a trap) and clear it. */
    void (*do_exception)(CPUState *cpu);
    /*
     * Translate @vaddr for an access; on success install the mapping with
     * tlb_set_page() and return true. On failure return false if @probe,
     * else raise the guest fault (cpu_loop_exit_restore(cpu, ra)).
     */
    bool (*tlb_fill)(CPUState *cpu, uint64_t vaddr, unsigned size,
                     MMUAccessType access, int mmu_idx, bool probe,
                     uintptr_t ra);
    /* Raise the address-misaligned fault for an MO_ALIGN access. */
    void (*do_unaligned_access)(CPUState *cpu, uint64_t vaddr,
                                MMUAccessType access, int mmu_idx,
                                uintptr_t ra) NORETURN;
    /* Raise the access fault for a bus error at @paddr. */
    void (*do_transaction_failed)(CPUState *cpu, uint64_t paddr,
                                  uint64_t vaddr, unsigned size,
                                  MMUAccessType access, int mmu_idx,
                                  MemTxResult result, uintptr_t ra) NORETURN;
    /* Number of MMU indexes the target uses (<= TCG_NB_MMU_MODES). */
    unsigned nb_mmu_modes;
    /*
     * The architectural state in the CPU struct, as byte ranges from the
     * CPUState pointer (size 0 ends the list): what the JIT's checking
     * mode (backend=jit,check=on) compares after running a TB on both
     * backends. Leave out fields devices change asynchronously (mip).
     * Without it, only the IR globals are compared.
     */
    struct {
        uint32_t offset;
        uint32_t size;
    } arch_state[4];
};

/* --- leaving translated code --- */

/* Longjmp to the CPU loop; state is already consistent. */
void cpu_loop_exit(CPUState *cpu) NORETURN;
/* Restore the guest PC for the instruction that called the helper
 * returning to @ra (if ra != 0), then cpu_loop_exit. */
void cpu_loop_exit_restore(CPUState *cpu, uintptr_t ra) NORETURN;
/* Leave with no exception pending (e.g. after a state change that makes
 * the rest of the TB stale). The PC must already be set. */
void cpu_loop_exit_noexc(CPUState *cpu) NORETURN;
/* Restore guest state for a fault at @ra; false if @ra is not in a TB. */
bool cpu_restore_state(CPUState *cpu, uintptr_t ra);

/* --- TLB management --- */

/*
 * Map the page containing @vaddr to the page containing @paddr for
 * @mmu_idx with @prot. @size is the size of the translation (page or
 * superpage); a size below the TCG page size (e.g. a small PMP region)
 * installs an entry that is used for one access only.
 */
void tlb_set_page(CPUState *cpu, uint64_t vaddr, uint64_t paddr, int prot,
                  int mmu_idx, uint64_t size);
void tlb_flush(CPUState *cpu);
void tlb_flush_page(CPUState *cpu, uint64_t vaddr);
void tlb_flush_by_mmuidx(CPUState *cpu, uint16_t idxmap);
/* Flush every CPU of the machine (remote fences go through the guest). */
void tlb_flush_all_cpus(Machine *m);

/* --- guest memory from helpers --- */

/* A load/store as an instruction would make it (faults unwind via ra). */
uint64_t cpu_ld_mmu(CPUState *cpu, uint64_t addr, MemOp memop, int mmu_idx,
                    uintptr_t ra);
void cpu_st_mmu(CPUState *cpu, uint64_t addr, uint64_t val, MemOp memop,
                int mmu_idx, uintptr_t ra);
/*
 * Check that [addr, addr+size) (within one page) is accessible; fault via
 * ra if not. Returns a host pointer for RAM, NULL for MMIO/ROM writes.
 */
void *probe_access(CPUState *cpu, uint64_t addr, unsigned size,
                   MMUAccessType access, int mmu_idx, uintptr_t ra);

/*
 * Physical accesses for page-table walks: RAM directly, MMIO under the
 * big lock. cmpxchg is atomic on RAM (A/D bit updates).
 */
MemTxResult cpu_physical_load(CPUState *cpu, uint64_t paddr, unsigned size,
                              uint64_t *val);
MemTxResult cpu_physical_store(CPUState *cpu, uint64_t paddr, unsigned size,
                               uint64_t val);
MemTxResult cpu_physical_cmpxchg64(CPUState *cpu, uint64_t paddr,
                                   uint64_t expected, uint64_t desired,
                                   uint64_t *actual);

/* --- translation cache --- */

/* Invalidate every TB (e.g. for a debug or ISA change). */
void tb_flush(CPUState *cpu);
/* Invalidate TBs overlapping guest physical [start, end). */
void tb_invalidate_phys_range(Machine *m, uint64_t start, uint64_t end);

/* --- time --- */

/* Guest time in nanoseconds (the virtual clock); safe from vCPU threads. */
int64_t cpu_clock_ns(CPUState *cpu);

#endif /* ACCEL_TCG_TCG_CPU_H */
