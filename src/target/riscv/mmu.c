/*
 * target/riscv/mmu.c — virtual-to-physical translation for the softmmu
 * TLB: the Sv39/Sv48/Sv57 page-table walk (Privileged spec v1.12 §4.3.2,
 * §4.4, §4.5) followed by the PMP check of the result (§3.7).
 *
 * Choices where the spec allows several:
 *   - A and D are updated by hardware (§4.3.1 "Svadu-like"; QEMU's
 *     choice): the walker sets them with an atomic compare-and-swap on the
 *     PTE and restarts the walk if the PTE changed under it;
 *   - a translation is cached writable only if D is already set (so the
 *     first store re-walks and sets D), and readable/executable per
 *     R/X/MXR/SUM as seen at walk time; every CSR write that changes those
 *     inputs (satp, mstatus.MXR, PMP) flushes the TLB;
 *   - PTE reads are checked against PMP as S-mode accesses would be
 *     (§3.7.1: implicit accesses of the walk use S-mode), and a PTE that
 *     cannot be read gives an access fault for the original access.
 * Walks are logged under -d mmu.
 */
#include "target/riscv/cpu-internal.h"
#include "util/log.h"

typedef enum TranslateResult {
    TRANSLATE_OK,
    TRANSLATE_PAGE_FAULT,
    TRANSLATE_ACCESS_FAULT,     /* PMP denied a PTE access or bus error */
} TranslateResult;

typedef struct Translation {
    uint64_t paddr;
    int prot;
    uint64_t page_size;
} Translation;

static int access_prot(MMUAccessType access)
{
    return access == MMU_INST_FETCH ? PAGE_EXEC
         : access == MMU_DATA_STORE ? PAGE_WRITE : PAGE_READ;
}

/*
 * Walk the page tables for @vaddr as privilege @priv. @sum allows S-mode
 * data accesses to U pages; @debug suppresses A/D updates.
 */
static TranslateResult riscv_walk(RISCVCPU *cpu, uint64_t vaddr,
                                  MMUAccessType access, int priv, bool sum,
                                  bool debug, Translation *t)
{
    CPUState *cs = &cpu->parent;
    unsigned mode = cpu->satp >> SATP_MODE_SHIFT;
    unsigned levels, va_bits;
    uint64_t base, pte;
    int level;
    bool mxr = (cpu->mstatus & MSTATUS_MXR) != 0;

    if (priv == PRV_M || mode == SATP_MODE_BARE || !cpu->cfg.mmu) {
        t->paddr = vaddr;
        t->prot = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
        t->page_size = TCG_PAGE_SIZE;
        return TRANSLATE_OK;
    }
    levels = mode - SATP_MODE_SV39 + 3;         /* Sv39: 3 ... Sv57: 5 */
    va_bits = PGSHIFT + levels * PTIDXBITS;

    /* Bits above the VA width must equal bit va_bits-1 (§4.3.1). */
    if ((int64_t)(vaddr << (64 - va_bits)) >> (64 - va_bits) !=
        (int64_t)vaddr) {
        return TRANSLATE_PAGE_FAULT;
    }

restart:
    base = (cpu->satp & SATP_PPN) << PGSHIFT;
    for (level = levels - 1; level >= 0; level--) {
        unsigned shift = PGSHIFT + level * PTIDXBITS;
        uint64_t idx = (vaddr >> shift) & ((1u << PTIDXBITS) - 1);
        uint64_t pte_addr = base + idx * 8;
        uint64_t ppn, updated;
        int pmp_prot;

        if (!riscv_pmp_check(cpu, pte_addr, 8, MMU_DATA_LOAD, PRV_S,
                             &pmp_prot) ||
            cpu_physical_load(cs, pte_addr, 8, &pte) != MEMTX_OK) {
            return TRANSLATE_ACCESS_FAULT;
        }
        log_mask(cs->log, LOG_MMU, "riscv: hart %u: level %d pte @0x%"
                 PRIx64 " = 0x%016" PRIx64 "\n", cs->index, level, pte_addr,
                 pte);
        if (!(pte & PTE_V) || ((pte & PTE_W) && !(pte & PTE_R)) ||
            (pte & (PTE_RESERVED | PTE_PBMT | PTE_N))) {
            return TRANSLATE_PAGE_FAULT;
        }
        ppn = (pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT;
        if (!(pte & (PTE_R | PTE_X))) {
            /* Pointer to the next level; D, A, U must be zero (§4.3.2). */
            if (pte & (PTE_D | PTE_A | PTE_U)) {
                return TRANSLATE_PAGE_FAULT;
            }
            base = ppn << PGSHIFT;
            continue;
        }

        /* A leaf: privilege and permission checks (§4.3.2 step 5). */
        if (pte & PTE_U) {
            if (priv == PRV_S && (access == MMU_INST_FETCH || !sum)) {
                return TRANSLATE_PAGE_FAULT;
            }
        } else if (priv == PRV_U) {
            return TRANSLATE_PAGE_FAULT;
        }
        switch (access) {
        case MMU_INST_FETCH:
            if (!(pte & PTE_X)) {
                return TRANSLATE_PAGE_FAULT;
            }
            break;
        case MMU_DATA_LOAD:
            if (!(pte & PTE_R) && !(mxr && (pte & PTE_X))) {
                return TRANSLATE_PAGE_FAULT;
            }
            break;
        case MMU_DATA_STORE:
            if (!(pte & PTE_W)) {
                return TRANSLATE_PAGE_FAULT;
            }
            break;
        }
        /* A misaligned superpage (§4.3.2 step 6). */
        if (level > 0 && (ppn & ((1ULL << (level * PTIDXBITS)) - 1))) {
            return TRANSLATE_PAGE_FAULT;
        }

        /* Hardware A/D update (step 7). */
        updated = pte | PTE_A | (access == MMU_DATA_STORE ? PTE_D : 0);
        if (updated != pte && !debug) {
            uint64_t actual;

            if (!riscv_pmp_check(cpu, pte_addr, 8, MMU_DATA_STORE, PRV_S,
                                 &pmp_prot)) {
                return TRANSLATE_ACCESS_FAULT;
            }
            if (cpu_physical_cmpxchg64(cs, pte_addr, pte, updated,
                                       &actual) != MEMTX_OK) {
                return TRANSLATE_ACCESS_FAULT;
            }
            if (actual != pte) {
                goto restart;   /* changed under us: walk again */
            }
            pte = updated;
        }

        t->page_size = 1ULL << shift;
        t->paddr = ((ppn << PGSHIFT) & ~(t->page_size - 1)) |
                   (vaddr & (t->page_size - 1));
        t->prot = 0;
        if ((pte & PTE_R) || (mxr && (pte & PTE_X))) {
            t->prot |= PAGE_READ;
        }
        if ((pte & PTE_X) && !(priv == PRV_S && (pte & PTE_U))) {
            t->prot |= PAGE_EXEC;
        }
        if ((pte & PTE_W) && (pte & PTE_D)) {
            t->prot |= PAGE_WRITE;
        }
        return TRANSLATE_OK;
    }
    return TRANSLATE_PAGE_FAULT;
}

static RISCVException fault_cause(MMUAccessType access, bool page_fault)
{
    switch (access) {
    case MMU_INST_FETCH:
        return page_fault ? RISCV_EXCP_INST_PAGE_FAULT
                          : RISCV_EXCP_INST_ACCESS_FAULT;
    case MMU_DATA_STORE:
        return page_fault ? RISCV_EXCP_STORE_PAGE_FAULT
                          : RISCV_EXCP_STORE_AMO_ACCESS_FAULT;
    default:
        return page_fault ? RISCV_EXCP_LOAD_PAGE_FAULT
                          : RISCV_EXCP_LOAD_ACCESS_FAULT;
    }
}

bool riscv_cpu_tlb_fill(CPUState *cs, uint64_t vaddr, unsigned size,
                        MMUAccessType access, int mmu_idx, bool probe,
                        uintptr_t ra)
{
    RISCVCPU *cpu = riscv_cpu(cs);
    int priv = riscv_mmu_idx_priv(mmu_idx);
    bool sum = mmu_idx == RISCV_MMU_IDX_S_SUM;
    Translation t;
    TranslateResult r;
    int pmp_prot;
    uint64_t tlb_size;

    r = riscv_walk(cpu, vaddr, access, priv, sum, false, &t);
    if (r == TRANSLATE_OK) {
        if (!riscv_pmp_check(cpu, t.paddr, size, access, priv, &pmp_prot)) {
            log_mask(cs->log, LOG_MMU, "riscv: hart %u: PMP denies %s of "
                     "0x%" PRIx64 " (pa 0x%" PRIx64 ") at priv %d\n",
                     cs->index, access == MMU_INST_FETCH ? "fetch"
                     : access == MMU_DATA_STORE ? "store" : "load",
                     vaddr, t.paddr, priv);
            r = TRANSLATE_ACCESS_FAULT;
        }
    }
    if (r != TRANSLATE_OK) {
        log_mask(cs->log, LOG_MMU, "riscv: hart %u: %s fault, %s of 0x%"
                 PRIx64 " at priv %d\n", cs->index,
                 r == TRANSLATE_PAGE_FAULT ? "page" : "access",
                 access == MMU_INST_FETCH ? "fetch"
                 : access == MMU_DATA_STORE ? "store" : "load",
                 vaddr, priv);
        if (probe) {
            return false;
        }
        riscv_raise_exception(cpu,
                              fault_cause(access, r == TRANSLATE_PAGE_FAULT),
                              vaddr, ra);
    }

    tlb_size = riscv_pmp_tlb_size(cpu, t.paddr & TCG_PAGE_MASK);
    log_mask(cs->log, LOG_MMU, "riscv: hart %u: 0x%" PRIx64 " -> 0x%"
             PRIx64 " prot %c%c%c idx %d\n", cs->index, vaddr, t.paddr,
             (t.prot & pmp_prot & PAGE_READ) ? 'r' : '-',
             (t.prot & pmp_prot & PAGE_WRITE) ? 'w' : '-',
             (t.prot & pmp_prot & PAGE_EXEC) ? 'x' : '-', mmu_idx);
    tlb_set_page(cs, vaddr & TCG_PAGE_MASK, t.paddr & TCG_PAGE_MASK,
                 (t.prot & pmp_prot) | access_prot(access), mmu_idx,
                 tlb_size < TCG_PAGE_SIZE ? tlb_size : TCG_PAGE_SIZE);
    return true;
}

bool riscv_cpu_translate_debug(RISCVCPU *cpu, uint64_t vaddr,
                               uint64_t *paddr)
{
    int mmu_idx = riscv_cpu_mmu_index(cpu, false);
    Translation t;

    if (riscv_walk(cpu, vaddr, MMU_DATA_LOAD, riscv_mmu_idx_priv(mmu_idx),
                   true, true, &t) != TRANSLATE_OK) {
        return false;
    }
    *paddr = t.paddr;
    return true;
}

bool riscv_cpu_get_phys_page_debug(CPUState *cs, uint64_t vaddr,
                                   uint64_t *paddr)
{
    RISCVCPU *cpu = riscv_cpu(cs);
    Translation t;

    if (riscv_cpu_translate_debug(cpu, vaddr, paddr)) {
        return true;
    }
    if (riscv_walk(cpu, vaddr, MMU_INST_FETCH, cpu->priv, false, true,
                   &t) != TRANSLATE_OK) {
        return false;
    }
    *paddr = t.paddr;
    return true;
}

void riscv_cpu_do_unaligned_access(CPUState *cs, uint64_t vaddr,
                                   MMUAccessType access, int mmu_idx,
                                   uintptr_t ra)
{
    RISCVException cause = access == MMU_INST_FETCH
                           ? RISCV_EXCP_INST_ADDR_MIS
                           : access == MMU_DATA_STORE
                           ? RISCV_EXCP_STORE_AMO_ADDR_MIS
                           : RISCV_EXCP_LOAD_ADDR_MIS;

    riscv_raise_exception(riscv_cpu(cs), cause, vaddr, ra);
}

void riscv_cpu_do_transaction_failed(CPUState *cs, uint64_t paddr,
                                     uint64_t vaddr, unsigned size,
                                     MMUAccessType access, int mmu_idx,
                                     MemTxResult result, uintptr_t ra)
{
    log_guest(cs->log, LOG_GUEST_ERROR, "riscv: hart %u: bus error at "
              "pa 0x%" PRIx64 " (va 0x%" PRIx64 ")\n", cs->index, paddr,
              vaddr);
    riscv_raise_exception(riscv_cpu(cs), fault_cause(access, false), vaddr,
                          ra);
}
