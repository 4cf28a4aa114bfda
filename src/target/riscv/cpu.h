/*
 * target/riscv/cpu.h — one RISC-V hart: its architectural state and the
 * interface boards and devices use.
 *
 * RISCVCPU embeds CPUState first, so the env pointer translated code uses
 * is also the RISCVCPU pointer and guest registers are addressed as
 * offsetof(RISCVCPU, field). Everything a hart owns lives here (there is
 * no shared state between harts except memory), which is what -smp needs.
 *
 * Devices talk to a hart only through riscv_cpu_update_mip() (interrupt
 * lines: MSIP/MTIP/MEIP/SEIP, any thread) and the time source hook
 * (riscv_cpu_set_rdtime), which the CLINT installs so that the time CSR
 * and mtime agree.
 */
#ifndef TARGET_RISCV_CPU_H
#define TARGET_RISCV_CPU_H

#include "util/osdep.h"
#include "util/typedefs.h"
#include "hw/core/cpu.h"
#include "hw/core/machine.h"
#include "target/riscv/cpu-bits.h"

#define RISCV_PMP_ENTRIES 16

/*
 * The -cpu rv64 switches (one bool per optional extension, as QEMU's
 * "-cpu rv64,zba=off"). They are fixed when the hart is created; misa and
 * the decoder follow them.
 */
typedef struct RISCVCPUConfig {
    bool ext_m;
    bool ext_a;
    bool ext_f;
    bool ext_d;
    bool ext_c;
    bool ext_zicsr;
    bool ext_zifencei;
    bool ext_zihintpause;
    bool ext_zba;
    bool ext_zbb;
    bool ext_zbc;
    bool ext_zbs;
    bool ext_sstc;
    bool mmu;               /* S-mode address translation (Sv39/48/57) */
    bool pmp;               /* 16 PMP entries */
} RISCVCPUConfig;

/* The platform's real-time counter (the CLINT's mtime) at virtual
 * time @now_ns. */
typedef uint64_t RISCVRdtimeFn(void *opaque, int64_t now_ns);

typedef struct RISCVPMPEntry {
    uint64_t addr_reg;      /* pmpaddrN */
    uint8_t cfg_reg;        /* pmpcfg byte N */
    /* Decoded region [sa, ea] (inclusive), valid when A != OFF. */
    uint64_t sa;
    uint64_t ea;
} RISCVPMPEntry;

typedef struct RISCVCPU {
    CPUState parent;        /* must stay first: env == &parent */

    /* --- state translated code reaches as IR globals --- */
    uint64_t gpr[32];       /* gpr[0] is never written */
    uint64_t fpr[32];       /* NaN-boxed when holding singles */
    uint64_t pc;
    uint64_t load_res;      /* LR reservation address (-1: none) */
    uint64_t load_val;      /* value LR saw, for SC's cmpxchg */

    /* --- state translated code reaches by ld/st --- */
    uint64_t mstatus;       /* sstatus is a view of it */
    /* Instruction bits of the insn being executed (mtval on illegal). */
    uint64_t bins;

    uint32_t frm;           /* fcsr.frm */
    uint32_t fflags;        /* fcsr.fflags */

    int priv;               /* PRV_U, PRV_S or PRV_M */

    uint64_t misa;
    uint64_t mip;           /* updated atomically: devices write it */
    uint64_t mie;
    uint64_t mideleg;
    uint64_t medeleg;
    uint64_t mtvec;
    uint64_t mscratch;
    uint64_t mepc;
    uint64_t mcause;
    uint64_t mtval;
    uint64_t stvec;
    uint64_t sscratch;
    uint64_t sepc;
    uint64_t scause;
    uint64_t stval;
    uint64_t satp;
    uint32_t mcounteren;
    uint32_t scounteren;
    uint32_t mcountinhibit;
    uint64_t menvcfg;
    uint64_t senvcfg;
    uint64_t stimecmp;

    /* mcycle/minstret: value = host ticks + delta; frozen while inhibited */
    int64_t mcycle_delta;
    int64_t minstret_delta;
    uint64_t mcycle_frozen;
    uint64_t minstret_frozen;

    RISCVPMPEntry pmp[RISCV_PMP_ENTRIES];
    unsigned pmp_active_rules;

    /* Interrupt number being delivered with RISCV_EXCP_INT_FLAG. */
    int pending_irq;
    /* tval of the exception being raised (set with exception_index). */
    uint64_t pending_tval;

    /* Platform hooks (set by the board before the vCPUs start). */
    RISCVRdtimeFn *rdtime;
    void *rdtime_opaque;
    uint64_t timebase_freq; /* Hz, for stimecmp deadlines */
    Timer *stimer;          /* Sstc: fires when time reaches stimecmp */

    uint64_t reset_pc;
    RISCVCPUConfig cfg;
} RISCVCPU;

static inline RISCVCPU *riscv_cpu(CPUState *cs)
{
    return (RISCVCPU *)cs;
}

static inline bool riscv_has_ext(const RISCVCPU *cpu, uint64_t ext)
{
    return (cpu->misa & ext) != 0;
}

/* The CPU models of this target (for SystemTarget.cpu_models). */
extern const CPUModel riscv_cpu_models[];

/*
 * Allocate hart @index of @m for @model with "-cpu" @opts applied
 * (SystemTarget.cpu_create). The hart is in reset state.
 */
CPUState *riscv_cpu_create(Machine *m, const CPUModel *model,
                           OptList *opts, unsigned index, Error **errp);

/*
 * Create m->nr_cpus harts of the model the command line chose (or the
 * machine's default), fill m->cpus and set every hart's reset PC.
 * Boards call this from their init.
 */
bool riscv_create_harts(Machine *m, uint64_t reset_pc, Error **errp);

/* Set the time source the time CSR and Sstc use (the CLINT's mtime). */
void riscv_cpu_set_rdtime(RISCVCPU *cpu, RISCVRdtimeFn *fn, void *opaque,
                          uint64_t timebase_freq);

/*
 * Set (value != 0) or clear the mip bits in @mask from a device or timer,
 * any thread, and wake the hart if an interrupt became pending.
 */
void riscv_cpu_update_mip(RISCVCPU *cpu, uint64_t mask, uint64_t value);

/* The time source jumped (mtime was written): re-evaluate stimecmp. */
void riscv_cpu_time_changed(RISCVCPU *cpu);

/* The current value of the time CSR (0 without a time source). */
uint64_t riscv_cpu_read_time(RISCVCPU *cpu);

#endif /* TARGET_RISCV_CPU_H */
