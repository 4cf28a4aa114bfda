/*
 * target/riscv/cpu-internal.h — what the files of target/riscv share and
 * nobody else needs: trap delivery, the MMU and PMP, counters and timers,
 * the TB flags layout.
 *
 * Guest exceptions. Code running on behalf of an instruction (helpers,
 * tlb_fill, CSR accesses) raises a guest exception with exactly one
 * function, riscv_raise_exception(): it records the cause and tval, then
 * unwinds to the CPU loop through cpu_loop_exit_restore(), which restores
 * the faulting instruction's PC (and its instruction bits, for mtval)
 * from the TB's insn_start records. The CPU loop then calls
 * riscv_cpu_do_interrupt() (TCGCPUOps.do_exception), which performs the
 * trap entry of Privileged spec v1.12 §3.1.6-3.1.8 / §4.1.1.
 */
#ifndef TARGET_RISCV_CPU_INTERNAL_H
#define TARGET_RISCV_CPU_INTERNAL_H

#include "target/riscv/cpu.h"
#include "accel/tcg/tcg-cpu.h"

/*
 * MMU indexes. Data accesses use the effective privilege (mstatus.MPRV
 * makes M-mode loads/stores use mstatus.MPP); S-mode with mstatus.SUM
 * gets its own index because it may touch U pages. Instruction fetches
 * use the plain privilege (U/S/M).
 */
enum {
    RISCV_MMU_IDX_U = 0,
    RISCV_MMU_IDX_S = 1,
    RISCV_MMU_IDX_S_SUM = 2,
    RISCV_MMU_IDX_M = 3,
    RISCV_MMU_MODES = 4,
};

/* The privilege an MMU index translates for. */
static inline int riscv_mmu_idx_priv(int mmu_idx)
{
    return mmu_idx == RISCV_MMU_IDX_S_SUM ? PRV_S : mmu_idx;
}

/* TB flags: every piece of state a translation depends on. */
#define TB_FLAGS_PRIV_MASK      0x3     /* bits 1:0 privilege */
#define TB_FLAGS_MEM_IDX_SHIFT  2       /* bits 4:2 data MMU index */
#define TB_FLAGS_MEM_IDX_MASK   (0x7 << TB_FLAGS_MEM_IDX_SHIFT)
#define TB_FLAGS_FS_SHIFT       5       /* bits 6:5 mstatus.FS */
#define TB_FLAGS_FS_MASK        (0x3 << TB_FLAGS_FS_SHIFT)

/* --- cpu-helper.c: traps, interrupts, mode switches --- */

/*
 * Raise guest exception @cause with mtval/stval @tval for the instruction
 * whose helper was called from host address @ra (GETPC(); 0 when the PC
 * is already exact). Never returns.
 */
void riscv_raise_exception(RISCVCPU *cpu, RISCVException cause,
                           uint64_t tval, uintptr_t ra) NORETURN;

/* Deliver cpu->exception_index (TCGCPUOps.do_exception). */
void riscv_cpu_do_interrupt(CPUState *cs);
bool riscv_cpu_exec_interrupt(CPUState *cs);
bool riscv_cpu_has_work(CPUState *cs);
/* The interrupt to take now (§3.1.9 priority), or -1. */
int riscv_cpu_local_irq_pending(RISCVCPU *cpu);
/* After state that gates interrupts changed: kick the hart if one is
 * now deliverable, so the next TB boundary takes it. */
void riscv_cpu_check_interrupts(RISCVCPU *cpu);

/* Change privilege (flushes nothing: MMU indexes encode privilege). */
void riscv_cpu_set_mode(RISCVCPU *cpu, int priv);
/* MMU index for data accesses (honours MPRV) or fetches. */
int riscv_cpu_mmu_index(RISCVCPU *cpu, bool ifetch);

static inline bool riscv_cpu_fp_enabled(const RISCVCPU *cpu)
{
    return (cpu->mstatus & MSTATUS_FS) != 0;
}

/* Set mstatus.FS = Dirty (and SD). */
void riscv_cpu_mark_fs_dirty(RISCVCPU *cpu);
/* Recompute mstatus.SD from FS/XS/VS. */
uint64_t riscv_mstatus_with_sd(uint64_t mstatus);

/* mret/sret state changes; return the new PC. */
uint64_t riscv_cpu_mret(RISCVCPU *cpu, uintptr_t ra);
uint64_t riscv_cpu_sret(RISCVCPU *cpu, uintptr_t ra);

void riscv_cpu_get_tb_cpu_state(CPUState *cs, uint64_t *pc,
                                uint32_t *flags);
void riscv_cpu_synchronize_from_tb(CPUState *cs,
                                   const TranslationBlock *tb);
void riscv_cpu_restore_state_to_opc(CPUState *cs,
                                    const TranslationBlock *tb,
                                    const uint64_t *data);

extern const TCGCPUOps riscv_tcg_ops;

/* translate.c: the frontend's TCGCPUOps.tcg_init and translate_code. */
void *riscv_tcg_init(TCGContext *s);
void riscv_translate_code(CPUState *cs, TCGContext *s, TranslationBlock *tb,
                          int max_insns);

/* --- mmu.c: Sv39/Sv48/Sv57 translation (§4.3-4.5) --- */

bool riscv_cpu_tlb_fill(CPUState *cs, uint64_t vaddr, unsigned size,
                        MMUAccessType access, int mmu_idx, bool probe,
                        uintptr_t ra);
void riscv_cpu_do_unaligned_access(CPUState *cs, uint64_t vaddr,
                                   MMUAccessType access, int mmu_idx,
                                   uintptr_t ra) NORETURN;
void riscv_cpu_do_transaction_failed(CPUState *cs, uint64_t paddr,
                                     uint64_t vaddr, unsigned size,
                                     MMUAccessType access, int mmu_idx,
                                     MemTxResult result,
                                     uintptr_t ra) NORETURN;
/*
 * Translate @vaddr as a debugger would (no faults, no A/D updates, data
 * access with the current privilege). Returns false if unmapped.
 */
bool riscv_cpu_translate_debug(RISCVCPU *cpu, uint64_t vaddr,
                               uint64_t *paddr);
/* CPUOps.get_phys_page_debug: as a data access, or failing that as an
 * instruction fetch (so gdb can read execute-only code). */
bool riscv_cpu_get_phys_page_debug(CPUState *cs, uint64_t vaddr,
                                   uint64_t *paddr);

/* --- pmp.c: physical memory protection (§3.7) --- */

/*
 * May a @priv access of @size bytes at @paddr of kind @access proceed?
 * Sets *prot to the PAGE_* rights the matching rule grants.
 */
bool riscv_pmp_check(RISCVCPU *cpu, uint64_t paddr, unsigned size,
                     MMUAccessType access, int priv, int *prot);
/* Bytes of the page at @page_paddr that one TLB entry may cover under
 * the current PMP rules: the page size, or 1 (check every access). */
uint64_t riscv_pmp_tlb_size(RISCVCPU *cpu, uint64_t page_paddr);
uint64_t riscv_pmpcfg_read(RISCVCPU *cpu, unsigned reg);
void riscv_pmpcfg_write(RISCVCPU *cpu, unsigned reg, uint64_t val);
uint64_t riscv_pmpaddr_read(RISCVCPU *cpu, unsigned index);
void riscv_pmpaddr_write(RISCVCPU *cpu, unsigned index, uint64_t val);
void riscv_pmp_reset(RISCVCPU *cpu);

/* --- time-helper.c: counters, time, Sstc --- */

uint64_t riscv_cpu_host_ticks(void);
/* Re-evaluate the Sstc comparison: set/clear mip.STIP, arm the timer. */
void riscv_timer_update_stimecmp(RISCVCPU *cpu);
void riscv_timer_init(RISCVCPU *cpu);
/* Is mip.STIP driven by stimecmp (Sstc present and menvcfg.STCE)? */
static inline bool riscv_sstc_enabled(const RISCVCPU *cpu)
{
    return cpu->cfg.ext_sstc && (cpu->menvcfg & MENVCFG_STCE);
}

/* --- cpu.c --- */

void riscv_cpu_reset(CPUState *cs);

#endif /* TARGET_RISCV_CPU_INTERNAL_H */
