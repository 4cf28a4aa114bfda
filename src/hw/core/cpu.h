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

/*
 * What the gdb stub needs from a target (target/ARCH/gdbstub.c). Register
 * numbers are the target's own (the "regnum"s of its target description);
 * values travel in target byte order.
 */
typedef struct CPUGDBOps {
    /* Registers 0 .. g_regs-1 make up the 'g'/'G' packet. */
    unsigned g_regs;
    /* Every register (the target description's regnums are below this). */
    unsigned (*num_regs)(CPUState *cpu);
    /*
     * Store register @n at @buf (at most CPU_GDB_MAX_REG_BYTES bytes).
     * Returns its size, or 0 if there is no such register. *available is
     * false when the register exists but cannot be read now.
     */
    int (*read_register)(CPUState *cpu, unsigned n, uint8_t *buf,
                         bool *available);
    /* Set register @n from @len bytes at @buf; false if it cannot be. */
    bool (*write_register)(CPUState *cpu, unsigned n, const uint8_t *buf,
                           size_t len);
    /* The target description (GDB's target.xml), malloc'd. */
    char *(*target_xml)(CPUState *cpu);
    /*
     * gdb's port for this architecture expects watchpoints to stop before
     * the access and steps over it itself ("non-steppable" watchpoints);
     * otherwise the stop comes right after the accessing instruction.
     */
    bool stop_before_watchpoint;
} CPUGDBOps;

#define CPU_GDB_MAX_REG_BYTES 64

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
    /*
     * Optional: true while the CPU runs code that no interrupt can preempt
     * (RISC-V: M-mode with mstatus.MIE clear, i.e. firmware). Hardware
     * never takes such code off the CPU, so a scheduler that shares one
     * host thread between CPUs gives it a short grace before switching.
     * Called from another thread: a stale answer only moves a switch.
     */
    bool (*in_atomic_section)(CPUState *cpu);
    /* Register access and target description for gdb (NULL: none). */
    const CPUGDBOps *gdb;
    /*
     * Disassemble the instruction at @pc whose bytes start @bytes (@avail
     * of them readable) into @buf; returns its length in bytes, or 0 when
     * @avail is too short. For the monitor's "x/i".
     */
    unsigned (*disas_insn)(CPUState *cpu, uint64_t pc, const uint8_t *bytes,
                           size_t avail, char *buf, size_t size);
    /* Release what the target allocated for the CPU (timers, ...); the
     * CPU struct itself is freed by the machine. */
    void (*finalize)(CPUState *cpu);
    /* Binary translation hooks (NULL for KVM-only CPUs). */
    const TCGCPUOps *tcg_ops;
} CPUOps;

/*
 * Debug state: breakpoints and watchpoints by guest virtual address, and
 * single-stepping, as QEMU keeps them per CPU. The gdb stub inserts its
 * breakpoints into every CPU. Lists change only while the vCPUs are
 * paused; each change bumps debug_gen so the accelerator drops translated
 * code and TLB entries made under the old lists (TCG matches breakpoints
 * when it translates, and marks watched pages in the TLB).
 */
enum {
    BP_GDB = 1 << 0,            /* inserted by the gdb stub */
    BP_MEM_READ = 1 << 1,       /* watchpoint kinds */
    BP_MEM_WRITE = 1 << 2,
    BP_MEM_ACCESS = BP_MEM_READ | BP_MEM_WRITE,
    BP_STOP_BEFORE_ACCESS = 1 << 3, /* watchpoint: stop before, not after */
};

/* Single-step flags (QEMU's values, also for its "qqemu.sstep" packet). */
enum {
    SSTEP_ENABLE = 1 << 0,      /* step one instruction, then stop */
    SSTEP_NOIRQ = 1 << 1,       /* do not take interrupts while stepping */
    SSTEP_NOTIMER = 1 << 2,     /* keep guest time still while stepping */
};

typedef struct CPUBreakpoint {
    uint64_t pc;
    int flags;
} CPUBreakpoint;

typedef struct CPUWatchpoint {
    uint64_t vaddr;
    uint64_t len;
    int flags;                  /* BP_GDB | BP_MEM_* */
} CPUWatchpoint;

/* The watchpoint that stopped the CPU (a copy: the list may change). */
typedef struct CPUWatchpointHit {
    bool active;
    CPUWatchpoint wp;
    uint64_t hitaddr;           /* first byte of the access */
} CPUWatchpointHit;

/* Called on the vCPU thread (no locks may be taken but bh_schedule's)
 * when a CPU stops for its debugger. */
typedef void CPUDebugNotify(CPUState *cpu, void *opaque);

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

    /* Debugging (see the enums above). */
    CPUBreakpoint *breakpoints;
    unsigned nr_breakpoints;
    CPUWatchpoint *watchpoints;
    unsigned nr_watchpoints;
    CPUWatchpointHit watchpoint_hit;
    int singlestep_enabled;     /* SSTEP_* flags; 0: not stepping */
    atomic_uint debug_gen;      /* bumped on every change of the above */
    CPUDebugNotify *debug_notify;
    void *debug_opaque;
};

/*
 * Read or write guest virtual memory for debuggers (monitor, gdb): page
 * by page through get_phys_page_debug, then the memory API. Returns 0 or
 * -1 if some page is unmapped or not memory.
 */
int cpu_memory_rw_debug(CPUState *cpu, uint64_t vaddr, void *buf,
                        uint64_t len, bool is_write);

/* --- breakpoints, watchpoints and single-step (vCPUs paused) --- */

/* Add a breakpoint at virtual @pc. Returns 0 (also if already there). */
int cpu_breakpoint_insert(CPUState *cpu, uint64_t pc, int flags);
/* Remove it; -ENOENT if there is none with these flags. */
int cpu_breakpoint_remove(CPUState *cpu, uint64_t pc, int flags);
/* Remove every breakpoint whose flags intersect @mask. */
void cpu_breakpoint_remove_all(CPUState *cpu, int mask);
/* Is there a breakpoint at @pc with flags in @mask? (translation time) */
bool cpu_breakpoint_test(CPUState *cpu, uint64_t pc, int mask);

/* Watch [addr, addr+len) for BP_MEM_* accesses. -EINVAL for an empty or
 * wrapping range. */
int cpu_watchpoint_insert(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags);
int cpu_watchpoint_remove(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags);
void cpu_watchpoint_remove_all(CPUState *cpu, int mask);
/* The first watchpoint overlapping [addr, addr+len) for an access of kind
 * @access (BP_MEM_READ or BP_MEM_WRITE), or NULL. */
const CPUWatchpoint *cpu_watchpoint_match(CPUState *cpu, uint64_t addr,
                                          uint64_t len, int access);
/* The BP_MEM_* kinds watched anywhere in [page, page+size). */
int cpu_watchpoint_page_flags(CPUState *cpu, uint64_t page, uint64_t size);

/* Step one instruction per resume with @flags (SSTEP_*), or stop (0). */
void cpu_single_step(CPUState *cpu, int flags);

/* Set the function told when @cpu stops for its debugger. */
void cpu_set_debug_notify(CPUState *cpu, CPUDebugNotify *fn, void *opaque);
/* Accelerators: @cpu hit a breakpoint, watchpoint or finished a step.
 * False if no debugger listens (the stop is then ignored). */
bool cpu_debug_notify(CPUState *cpu);

/* Make @cpu notice a changed interrupt line soon (any thread). */
void cpu_interrupt(CPUState *cpu);
/* Initialise the generic part of a CPU (the target allocates it). */
void cpu_common_init(CPUState *cpu, const CPUOps *ops, Machine *m,
                     unsigned index);
void cpu_common_finalize(CPUState *cpu);

#endif /* HW_CORE_CPU_H */
