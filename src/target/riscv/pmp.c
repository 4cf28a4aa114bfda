/*
 * target/riscv/pmp.c — physical memory protection, Privileged spec v1.12
 * §3.7: 16 entries, address matching OFF/TOR/NA4/NAPOT, lock bits.
 *
 * Rules implemented (§3.7.1):
 *   - the lowest-numbered entry that matches any byte of an access
 *     decides it; if it does not cover every byte, the access fails;
 *   - an M-mode access succeeds unless the deciding entry is locked and
 *     lacks the permission; S/U accesses need the entry's permission and
 *     fail when no entry matches (this hart implements PMP);
 *   - a locked entry ignores writes to its pmpcfg byte and pmpaddr, and
 *     a locked TOR entry also protects the pmpaddr below it;
 *   - R=0/W=1 is reserved: such writes clear both R and W (QEMU 7.2).
 * The granularity is 4 bytes (G = 0), physical addresses are 56 bits, so
 * pmpaddr holds bits 55:2.
 *
 * The softmmu TLB caches a translation together with its PMP rights, so
 * every rule change flushes it, and riscv_pmp_tlb_size() tells tlb_fill
 * when a page is not uniformly covered (then every access is checked).
 */
#include "target/riscv/cpu-internal.h"
#include "util/log.h"

#define PMPADDR_MASK ((1ULL << 54) - 1)

static unsigned pmp_a(uint8_t cfg)
{
    return (cfg & PMP_A) >> PMP_A_SHIFT;
}

static bool pmp_locked(RISCVCPU *cpu, unsigned i)
{
    return (cpu->pmp[i].cfg_reg & PMP_L) != 0;
}

/* Recompute entry @i's [sa, ea] from its pmpaddr (and the one below). */
static void pmp_decode(RISCVCPU *cpu, unsigned i)
{
    RISCVPMPEntry *e = &cpu->pmp[i];
    uint64_t a = e->addr_reg;

    switch (pmp_a(e->cfg_reg)) {
    case PMP_A_TOR: {
        uint64_t lo = i ? cpu->pmp[i - 1].addr_reg << 2 : 0;
        uint64_t hi = a << 2;

        /* An empty range (hi <= lo) matches nothing. */
        e->sa = lo;
        e->ea = hi > lo ? hi - 1 : 0;
        if (hi <= lo) {
            e->sa = 1;
        }
        break;
    }
    case PMP_A_NA4:
        e->sa = a << 2;
        e->ea = e->sa + 3;
        break;
    case PMP_A_NAPOT: {
        unsigned ones = __builtin_ctzll(~a);

        if (ones >= 54) {
            e->sa = 0;
            e->ea = UINT64_MAX;
        } else {
            e->sa = (a & ~((1ULL << ones) - 1)) << 2;
            e->ea = e->sa + (1ULL << (ones + 3)) - 1;
        }
        break;
    }
    default:
        e->sa = 1;
        e->ea = 0;
        break;
    }
}

static void pmp_update_all(RISCVCPU *cpu)
{
    cpu->pmp_active_rules = 0;
    for (unsigned i = 0; i < RISCV_PMP_ENTRIES; i++) {
        pmp_decode(cpu, i);
        if (pmp_a(cpu->pmp[i].cfg_reg) != PMP_A_OFF) {
            cpu->pmp_active_rules++;
        }
    }
    tlb_flush(&cpu->parent);
}

void riscv_pmp_reset(RISCVCPU *cpu)
{
    memset(cpu->pmp, 0, sizeof(cpu->pmp));
    for (unsigned i = 0; i < RISCV_PMP_ENTRIES; i++) {
        pmp_decode(cpu, i);
    }
    cpu->pmp_active_rules = 0;
}

/* pmpcfg0 holds entries 0-7, pmpcfg2 entries 8-15 (@reg is 0 or 2). */
uint64_t riscv_pmpcfg_read(RISCVCPU *cpu, unsigned reg)
{
    uint64_t val = 0;

    for (unsigned b = 0; b < 8; b++) {
        val |= (uint64_t)cpu->pmp[reg * 4 + b].cfg_reg << (8 * b);
    }
    return val;
}

void riscv_pmpcfg_write(RISCVCPU *cpu, unsigned reg, uint64_t val)
{
    for (unsigned b = 0; b < 8; b++) {
        unsigned i = reg * 4 + b;
        uint8_t cfg = val >> (8 * b);

        if (pmp_locked(cpu, i)) {
            if (cfg != cpu->pmp[i].cfg_reg) {
                log_guest(cpu->parent.log, LOG_GUEST_ERROR,
                          "riscv: hart %u: pmp%ucfg is locked, write "
                          "ignored\n", cpu->parent.index, i);
            }
            continue;
        }
        if ((cfg & PMP_W) && !(cfg & PMP_R)) {
            cfg &= ~(PMP_W | PMP_R);
        }
        cpu->pmp[i].cfg_reg = cfg & (PMP_R | PMP_W | PMP_X | PMP_A | PMP_L);
    }
    pmp_update_all(cpu);
}

uint64_t riscv_pmpaddr_read(RISCVCPU *cpu, unsigned i)
{
    return cpu->pmp[i].addr_reg;
}

void riscv_pmpaddr_write(RISCVCPU *cpu, unsigned i, uint64_t val)
{
    bool next_tor_locked = i + 1 < RISCV_PMP_ENTRIES &&
        pmp_locked(cpu, i + 1) &&
        pmp_a(cpu->pmp[i + 1].cfg_reg) == PMP_A_TOR;

    if (pmp_locked(cpu, i) || next_tor_locked) {
        log_guest(cpu->parent.log, LOG_GUEST_ERROR,
                  "riscv: hart %u: pmpaddr%u is locked, write ignored\n",
                  cpu->parent.index, i);
        return;
    }
    cpu->pmp[i].addr_reg = val & PMPADDR_MASK;
    pmp_update_all(cpu);
}

static int pmp_cfg_prot(uint8_t cfg)
{
    return ((cfg & PMP_R) ? PAGE_READ : 0) |
           ((cfg & PMP_W) ? PAGE_WRITE : 0) |
           ((cfg & PMP_X) ? PAGE_EXEC : 0);
}

bool riscv_pmp_check(RISCVCPU *cpu, uint64_t paddr, unsigned size,
                     MMUAccessType access, int priv, int *prot)
{
    uint64_t last = paddr + (size ? size : 1) - 1;
    int need = access == MMU_INST_FETCH ? PAGE_EXEC
             : access == MMU_DATA_STORE ? PAGE_WRITE : PAGE_READ;

    if (!cpu->cfg.pmp) {
        *prot = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
        return true;
    }
    for (unsigned i = 0; i < RISCV_PMP_ENTRIES; i++) {
        const RISCVPMPEntry *e = &cpu->pmp[i];
        bool first_in, last_in;

        if (pmp_a(e->cfg_reg) == PMP_A_OFF || e->sa > e->ea) {
            continue;
        }
        first_in = paddr >= e->sa && paddr <= e->ea;
        last_in = last >= e->sa && last <= e->ea;
        if (!first_in && !last_in &&
            !(paddr < e->sa && last > e->ea)) {
            continue;
        }
        if (!first_in || !last_in) {
            *prot = 0;      /* partial match: fails (§3.7.1.4) */
            return false;
        }
        if (priv == PRV_M && !(e->cfg_reg & PMP_L)) {
            *prot = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
        } else {
            *prot = pmp_cfg_prot(e->cfg_reg);
        }
        return (*prot & need) != 0;
    }
    *prot = priv == PRV_M ? PAGE_READ | PAGE_WRITE | PAGE_EXEC : 0;
    return *prot != 0;
}

uint64_t riscv_pmp_tlb_size(RISCVCPU *cpu, uint64_t page_paddr)
{
    uint64_t last = page_paddr + TCG_PAGE_SIZE - 1;

    if (!cpu->cfg.pmp) {
        return TCG_PAGE_SIZE;
    }
    for (unsigned i = 0; i < RISCV_PMP_ENTRIES; i++) {
        const RISCVPMPEntry *e = &cpu->pmp[i];

        if (pmp_a(e->cfg_reg) == PMP_A_OFF || e->sa > e->ea ||
            e->ea < page_paddr || e->sa > last) {
            continue;
        }
        /* The first entry touching the page decides for all of it only
         * if it covers all of it. */
        return e->sa <= page_paddr && e->ea >= last ? TCG_PAGE_SIZE : 1;
    }
    return TCG_PAGE_SIZE;
}
