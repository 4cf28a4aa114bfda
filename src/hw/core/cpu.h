/*
 * hw/core/cpu.h — the accelerator-independent part of a virtual CPU.
 *
 * Every target's CPU struct embeds CPUState as its first member (so a
 * CPUState pointer is also the "env" base that translated code addresses
 * guest registers from). CPUState carries what the machine, the monitor,
 * gdb and the accelerators need to know about any CPU: its index, its
 * view of memory, its run/stop/halt flags and an ops table for the
 * target-specific work. Accelerator-private per-CPU state (TCG's TLB and
 * jump cache, KVM's vcpu fd) hangs off accel_cpu, except the softmmu TLB,
 * which translated code reaches at a fixed offset from env.
 */
#ifndef HW_CORE_CPU_H
#define HW_CORE_CPU_H

#include "util/osdep.h"
#include "util/typedefs.h"

#include "accel/tcg/tlb-defs.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct TCGCPUOps TCGCPUOps;

/* Flags for CPUOps.dump_state. */
enum {
    CPU_DUMP_FPU = 1 << 0,
    CPU_DUMP_CSR = 1 << 1,
};

typedef struct CPUOps {
    const char *arch;
    /* Architectural reset (registers, privilege, pc = reset vector). */
    void (*reset)(CPUState *cpu);
    /* "info registers" / -d cpu. */
    void (*dump_state)(CPUState *cpu, FILE *out, int flags);
    uint64_t (*get_pc)(CPUState *cpu);
    void (*set_pc)(CPUState *cpu, uint64_t pc);
    /*
     * Translate @vaddr as the CPU's current data accesses would, without
     * side effects (no A/D updates, no TLB fill, no fault): for the
     * monitor's "x" and gdb. Returns false if unmapped.
     */
    bool (*get_phys_page_debug)(CPUState *cpu, uint64_t vaddr,
                                uint64_t *paddr);
    /* True when an enabled interrupt is pending (wakes a halted CPU). */
    bool (*has_work)(CPUState *cpu);
    /* Release what the target allocated for the CPU (timers, ...); the
     * CPU struct itself is freed by the machine. */
    void (*finalize)(CPUState *cpu);
    /* Binary translation hooks (NULL for KVM-only CPUs). */
    const TCGCPUOps *tcg_ops;
} CPUOps;

struct CPUState {
    const CPUOps *ops;
    Machine *machine;
    Log *log;
    unsigned index;             /* 0..nr_cpus-1; the hart id on RISC-V */
    AddressSpace *as;

    /* Any thread: make the CPU leave translated code at the next TB. */
    atomic_int exit_request;
    /* Set by devices (BQL held): an interrupt line changed. */
    atomic_int interrupt_request;
    /* WFI/HLT: the CPU waits for has_work(). */
    bool halted;
    /* Stopped by the monitor, gdb or a reset (parked by the accel). */
    bool stop;
    bool stopped;
    /* Powered off (e.g. a secondary hart before SBI HSM starts it). */
    bool powered_off;

    /* TCG: guest exception being raised (-1: none); target-defined. */
    int exception_index;

    /* TCG fast-path state, reached from env at fixed offsets. */
    CPUTLB tlb[TCG_NB_MMU_MODES];
    uint64_t tcg_frame[TCG_FRAME_SLOTS];

    void *accel_cpu;            /* accelerator-private state */
};

/*
 * Read or write guest virtual memory for debuggers (monitor, gdb): page
 * by page through get_phys_page_debug, then the memory API. Returns 0 or
 * -1 if some page is unmapped or not memory.
 */
int cpu_memory_rw_debug(CPUState *cpu, uint64_t vaddr, void *buf,
                        uint64_t len, bool is_write);

/* Make @cpu notice a changed interrupt line soon (any thread). */
void cpu_interrupt(CPUState *cpu);
/* Initialise the generic part of a CPU (the target allocates it). */
void cpu_common_init(CPUState *cpu, const CPUOps *ops, Machine *m,
                     unsigned index);
void cpu_common_finalize(CPUState *cpu);

#endif /* HW_CORE_CPU_H */
