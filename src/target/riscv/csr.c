/*
 * target/riscv/csr.c — the CSR table and the access rules of the Zicsr
 * instructions.
 *
 * Each row of riscv_csr_table is one CSR of Privileged spec v1.12 §2.2
 * (plus fflags/frm/fcsr of the Unprivileged spec §11.2 and stimecmp of
 * Sstc). WARL fields are legalised in the write functions, following
 * QEMU 7.2 where the spec leaves a choice:
 *   - mtvec/stvec writes with a reserved MODE (>= 2) are ignored;
 *   - satp writes with an unsupported MODE are ignored (§4.1.11);
 *   - mstatus.MPP written with the reserved value 2 keeps its old value;
 *   - mhpmcounter3..31 and mhpmevent3..31 are read-only zero;
 *   - misa is read-only (its extensions are chosen with -cpu).
 * Writes that can change address translation flush the TLB; writes that
 * can unmask an interrupt kick the hart (riscv_cpu_check_interrupts).
 */
#include "target/riscv/csr.h"
#include "target/riscv/cpu-internal.h"
#include "target/riscv/disas.h"
#include "util/log.h"

/* --- predicates --- */

static bool pred_fs(RISCVCPU *cpu, int csrno, int priv)
{
    return cpu->cfg.ext_f && riscv_cpu_fp_enabled(cpu);
}

/* cycle/time/instret/hpmcounterN: gated by mcounteren and scounteren. */
static bool pred_ctr(RISCVCPU *cpu, int csrno, int priv)
{
    uint32_t bit = 1u << (csrno & 0x1f);

    if (csrno == CSR_TIME && !cpu->rdtime) {
        return false;
    }
    if (priv < PRV_M && !(cpu->mcounteren & bit)) {
        return false;
    }
    if (priv < PRV_S && !(cpu->scounteren & bit)) {
        return false;
    }
    return true;
}

static bool pred_pmp(RISCVCPU *cpu, int csrno, int priv)
{
    return cpu->cfg.pmp;
}

/* satp: mstatus.TVM traps S-mode accesses (§3.1.6.5). */
static bool pred_satp(RISCVCPU *cpu, int csrno, int priv)
{
    return !(priv == PRV_S && (cpu->mstatus & MSTATUS_TVM));
}

/* stimecmp (Sstc §2): S-mode needs menvcfg.STCE and mcounteren.TM. */
static bool pred_sstc(RISCVCPU *cpu, int csrno, int priv)
{
    if (!cpu->cfg.ext_sstc) {
        return false;
    }
    if (priv == PRV_M) {
        return true;
    }
    return (cpu->menvcfg & MENVCFG_STCE) &&
           (cpu->mcounteren & COUNTEREN_TM);
}

/* --- simple storage --- */

#define FIELD_RW(field)                                                 \
    static uint64_t read_##field(RISCVCPU *cpu, int csrno)              \
    {                                                                   \
        return cpu->field;                                              \
    }                                                                   \
    static bool write_##field(RISCVCPU *cpu, int csrno, uint64_t val)   \
    {                                                                   \
        cpu->field = val;                                               \
        return true;                                                    \
    }

FIELD_RW(mscratch)
FIELD_RW(mcause)
FIELD_RW(mtval)
FIELD_RW(sscratch)
FIELD_RW(scause)
FIELD_RW(stval)

static uint64_t read_zero(RISCVCPU *cpu, int csrno)
{
    return 0;
}

/* --- floating point (Unprivileged spec §11.2) --- */

static uint64_t read_fflags(RISCVCPU *cpu, int csrno)
{
    return cpu->fflags;
}

static bool write_fflags(RISCVCPU *cpu, int csrno, uint64_t val)
{
    cpu->fflags = val & FSR_FFLAGS;
    riscv_cpu_mark_fs_dirty(cpu);
    return true;
}

static uint64_t read_frm(RISCVCPU *cpu, int csrno)
{
    return cpu->frm;
}

static bool write_frm(RISCVCPU *cpu, int csrno, uint64_t val)
{
    cpu->frm = val & 7;     /* invalid values trap when used (§11.2) */
    riscv_cpu_mark_fs_dirty(cpu);
    return true;
}

static uint64_t read_fcsr(RISCVCPU *cpu, int csrno)
{
    return (cpu->frm << FSR_FRM_SHIFT) | cpu->fflags;
}

static bool write_fcsr(RISCVCPU *cpu, int csrno, uint64_t val)
{
    cpu->frm = (val & FSR_FRM) >> FSR_FRM_SHIFT;
    cpu->fflags = val & FSR_FFLAGS;
    riscv_cpu_mark_fs_dirty(cpu);
    return true;
}

/* --- counters (§3.1.10-12) --- */

static uint64_t counter_value(RISCVCPU *cpu, bool instret)
{
    uint32_t inhibit = instret ? COUNTINHIBIT_IR : COUNTINHIBIT_CY;

    if (cpu->mcountinhibit & inhibit) {
        return instret ? cpu->minstret_frozen : cpu->mcycle_frozen;
    }
    return riscv_cpu_host_ticks() +
           (instret ? cpu->minstret_delta : cpu->mcycle_delta);
}

static uint64_t read_counter(RISCVCPU *cpu, int csrno)
{
    switch (csrno & 0x1f) {
    case 0:
        return counter_value(cpu, false);
    case 1:
        return riscv_cpu_read_time(cpu);
    case 2:
        return counter_value(cpu, true);
    default:
        return 0;           /* hpmcounter3..31 count no events */
    }
}

static bool write_mcounter(RISCVCPU *cpu, int csrno, uint64_t val)
{
    bool instret = csrno == CSR_MINSTRET;
    uint32_t inhibit = instret ? COUNTINHIBIT_IR : COUNTINHIBIT_CY;

    if (cpu->mcountinhibit & inhibit) {
        *(instret ? &cpu->minstret_frozen : &cpu->mcycle_frozen) = val;
    } else {
        *(instret ? &cpu->minstret_delta : &cpu->mcycle_delta) =
            (int64_t)(val - riscv_cpu_host_ticks());
    }
    return true;
}

static uint64_t read_mcountinhibit(RISCVCPU *cpu, int csrno)
{
    return cpu->mcountinhibit;
}

static bool write_mcountinhibit(RISCVCPU *cpu, int csrno, uint64_t val)
{
    uint32_t newv = val & (COUNTINHIBIT_CY | COUNTINHIBIT_IR);
    uint64_t cycle = counter_value(cpu, false);
    uint64_t instret = counter_value(cpu, true);

    /* Freeze at the current value, or resume counting from it. */
    cpu->mcountinhibit = newv;
    write_mcounter(cpu, CSR_MCYCLE, cycle);
    write_mcounter(cpu, CSR_MINSTRET, instret);
    return true;
}

static uint64_t read_mcounteren(RISCVCPU *cpu, int csrno)
{
    return cpu->mcounteren;
}

static bool write_mcounteren(RISCVCPU *cpu, int csrno, uint64_t val)
{
    cpu->mcounteren = (uint32_t)val;
    return true;
}

static uint64_t read_scounteren(RISCVCPU *cpu, int csrno)
{
    return cpu->scounteren;
}

static bool write_scounteren(RISCVCPU *cpu, int csrno, uint64_t val)
{
    cpu->scounteren = (uint32_t)val;
    return true;
}

/* --- machine information --- */

static uint64_t read_mhartid(RISCVCPU *cpu, int csrno)
{
    return cpu->parent.index;
}

static uint64_t read_misa(RISCVCPU *cpu, int csrno)
{
    return cpu->misa;
}

static bool write_ignore(RISCVCPU *cpu, int csrno, uint64_t val)
{
    return true;
}

/* --- mstatus / sstatus (§3.1.6, §4.1.1) --- */

static uint64_t read_mstatus(RISCVCPU *cpu, int csrno)
{
    return cpu->mstatus;
}

static void mstatus_store(RISCVCPU *cpu, uint64_t val, uint64_t mask)
{
    uint64_t old = cpu->mstatus;
    uint64_t newv;

    if (!cpu->cfg.ext_f) {
        mask &= ~MSTATUS_FS;
    }
    if (((val & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2) {
        mask &= ~MSTATUS_MPP;       /* reserved encoding: keep */
    }
    newv = (old & ~mask) | (val & mask);
    newv = (newv & ~(MSTATUS_UXL | MSTATUS_SXL)) |
           (MXL_RV64 << 32) | (MXL_RV64 << 34);
    cpu->mstatus = riscv_mstatus_with_sd(newv);

    /* MXR changes what a cached translation permits. */
    if ((old ^ newv) & MSTATUS_MXR) {
        tlb_flush(&cpu->parent);
    }
    riscv_cpu_check_interrupts(cpu);
}

static bool write_mstatus(RISCVCPU *cpu, int csrno, uint64_t val)
{
    uint64_t mask = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE |
                    MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP |
                    MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR |
                    MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR;

    mstatus_store(cpu, val, mask);
    return true;
}

static uint64_t read_sstatus(RISCVCPU *cpu, int csrno)
{
    return cpu->mstatus & SSTATUS_MASK;
}

static bool write_sstatus(RISCVCPU *cpu, int csrno, uint64_t val)
{
    uint64_t mask = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP |
                    MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR;

    mstatus_store(cpu, val, mask);
    return true;
}

/* --- trap setup --- */

static uint64_t read_medeleg(RISCVCPU *cpu, int csrno)
{
    return cpu->medeleg;
}

static bool write_medeleg(RISCVCPU *cpu, int csrno, uint64_t val)
{
    cpu->medeleg = val & DELEGABLE_EXCPS;
    return true;
}

static uint64_t read_mideleg(RISCVCPU *cpu, int csrno)
{
    return cpu->mideleg;
}

static bool write_mideleg(RISCVCPU *cpu, int csrno, uint64_t val)
{
    cpu->mideleg = val & S_MODE_INTERRUPTS;
    riscv_cpu_check_interrupts(cpu);
    return true;
}

static uint64_t read_mie(RISCVCPU *cpu, int csrno)
{
    return cpu->mie;
}

static bool write_mie(RISCVCPU *cpu, int csrno, uint64_t val)
{
    cpu->mie = val & ALL_INTERRUPTS;
    riscv_cpu_check_interrupts(cpu);
    return true;
}

static uint64_t read_sie(RISCVCPU *cpu, int csrno)
{
    return cpu->mie & cpu->mideleg;
}

static bool write_sie(RISCVCPU *cpu, int csrno, uint64_t val)
{
    cpu->mie = (cpu->mie & ~cpu->mideleg) | (val & cpu->mideleg);
    riscv_cpu_check_interrupts(cpu);
    return true;
}

static uint64_t read_mip(RISCVCPU *cpu, int csrno)
{
    return __atomic_load_n(&cpu->mip, __ATOMIC_ACQUIRE);
}

/* Software-writable mip bits: SSIP, SEIP, and STIP unless Sstc owns it. */
static void mip_store(RISCVCPU *cpu, uint64_t val, uint64_t wmask)
{
    uint64_t old = __atomic_load_n(&cpu->mip, __ATOMIC_ACQUIRE);

    while (!__atomic_compare_exchange_n(&cpu->mip, &old,
                                        (old & ~wmask) | (val & wmask),
                                        false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
    }
    riscv_cpu_check_interrupts(cpu);
}

static bool write_mip(RISCVCPU *cpu, int csrno, uint64_t val)
{
    uint64_t wmask = MIP_SSIP | MIP_SEIP;

    if (!riscv_sstc_enabled(cpu)) {
        wmask |= MIP_STIP;
    }
    mip_store(cpu, val, wmask);
    return true;
}

static uint64_t read_sip(RISCVCPU *cpu, int csrno)
{
    return read_mip(cpu, csrno) & cpu->mideleg;
}

static bool write_sip(RISCVCPU *cpu, int csrno, uint64_t val)
{
    mip_store(cpu, val, MIP_SSIP & cpu->mideleg);
    return true;
}

static uint64_t read_mtvec(RISCVCPU *cpu, int csrno)
{
    return cpu->mtvec;
}

static bool write_mtvec(RISCVCPU *cpu, int csrno, uint64_t val)
{
    if ((val & 3) <= TVEC_MODE_VECTORED) {
        cpu->mtvec = val;
    } else {
        log_guest(cpu->parent.log, LOG_UNIMP,
                  "riscv: hart %u: mtvec MODE %u is reserved, write ignored\n",
                  cpu->parent.index, (unsigned)(val & 3));
    }
    return true;
}

static uint64_t read_stvec(RISCVCPU *cpu, int csrno)
{
    return cpu->stvec;
}

static bool write_stvec(RISCVCPU *cpu, int csrno, uint64_t val)
{
    if ((val & 3) <= TVEC_MODE_VECTORED) {
        cpu->stvec = val;
    } else {
        log_guest(cpu->parent.log, LOG_UNIMP,
                  "riscv: hart %u: stvec MODE %u is reserved, write ignored\n",
                  cpu->parent.index, (unsigned)(val & 3));
    }
    return true;
}

/* xepc: bit 0 is always zero, bit 1 reads as zero without C (§3.1.14). */
static uint64_t epc_view(RISCVCPU *cpu, uint64_t epc)
{
    return epc & (riscv_has_ext(cpu, RVC) ? ~1ULL : ~3ULL);
}

static uint64_t read_mepc(RISCVCPU *cpu, int csrno)
{
    return epc_view(cpu, cpu->mepc);
}

static bool write_mepc(RISCVCPU *cpu, int csrno, uint64_t val)
{
    cpu->mepc = val & ~1ULL;
    return true;
}

static uint64_t read_sepc(RISCVCPU *cpu, int csrno)
{
    return epc_view(cpu, cpu->sepc);
}

static bool write_sepc(RISCVCPU *cpu, int csrno, uint64_t val)
{
    cpu->sepc = val & ~1ULL;
    return true;
}

/* --- environment configuration, Sstc --- */

static uint64_t read_menvcfg(RISCVCPU *cpu, int csrno)
{
    return cpu->menvcfg;
}

static bool write_menvcfg(RISCVCPU *cpu, int csrno, uint64_t val)
{
    uint64_t mask = MENVCFG_FIOM | (cpu->cfg.ext_sstc ? MENVCFG_STCE : 0);

    cpu->menvcfg = val & mask;
    riscv_timer_update_stimecmp(cpu);
    return true;
}

static uint64_t read_senvcfg(RISCVCPU *cpu, int csrno)
{
    return cpu->senvcfg;
}

static bool write_senvcfg(RISCVCPU *cpu, int csrno, uint64_t val)
{
    cpu->senvcfg = val & SENVCFG_FIOM;
    return true;
}

static uint64_t read_stimecmp(RISCVCPU *cpu, int csrno)
{
    return cpu->stimecmp;
}

static bool write_stimecmp(RISCVCPU *cpu, int csrno, uint64_t val)
{
    cpu->stimecmp = val;
    riscv_timer_update_stimecmp(cpu);
    return true;
}

/* --- address translation (§4.1.11) --- */

static uint64_t read_satp(RISCVCPU *cpu, int csrno)
{
    return cpu->satp;
}

static bool write_satp(RISCVCPU *cpu, int csrno, uint64_t val)
{
    uint64_t mode = val >> SATP_MODE_SHIFT;

    if (!cpu->cfg.mmu) {
        return true;
    }
    if (mode != SATP_MODE_BARE && mode != SATP_MODE_SV39 &&
        mode != SATP_MODE_SV48 && mode != SATP_MODE_SV57) {
        return true;        /* unsupported MODE: the write has no effect */
    }
    cpu->satp = val & (SATP_MODE | SATP_ASID | SATP_PPN);
    tlb_flush(&cpu->parent);
    return true;
}

/* --- PMP (§3.7) --- */

static uint64_t read_pmpcfg(RISCVCPU *cpu, int csrno)
{
    return riscv_pmpcfg_read(cpu, csrno - CSR_PMPCFG0);
}

static bool write_pmpcfg(RISCVCPU *cpu, int csrno, uint64_t val)
{
    riscv_pmpcfg_write(cpu, csrno - CSR_PMPCFG0, val);
    return true;
}

static uint64_t read_pmpaddr(RISCVCPU *cpu, int csrno)
{
    return riscv_pmpaddr_read(cpu, csrno - CSR_PMPADDR0);
}

static bool write_pmpaddr(RISCVCPU *cpu, int csrno, uint64_t val)
{
    riscv_pmpaddr_write(cpu, csrno - CSR_PMPADDR0, val);
    return true;
}

/* --- the table, sorted by number --- */

#define CTR(n) { "hpmcounter" #n, 0xc00 + (n), pred_ctr, read_counter, NULL }
#define MCTR(n) { "mhpmcounter" #n, 0xb00 + (n), NULL, read_zero, write_ignore }
#define MEVT(n) { "mhpmevent" #n, 0x320 + (n), NULL, read_zero, write_ignore }
#define PMPADDR(n) { "pmpaddr" #n, CSR_PMPADDR0 + (n), pred_pmp, \
                     read_pmpaddr, write_pmpaddr }

const RISCVCSR riscv_csr_table[] = {
    /* Unprivileged floating point */
    { "fflags", CSR_FFLAGS, pred_fs, read_fflags, write_fflags },
    { "frm", CSR_FRM, pred_fs, read_frm, write_frm },
    { "fcsr", CSR_FCSR, pred_fs, read_fcsr, write_fcsr },
    /* Supervisor trap setup and handling */
    { "sstatus", CSR_SSTATUS, NULL, read_sstatus, write_sstatus },
    { "sie", CSR_SIE, NULL, read_sie, write_sie },
    { "stvec", CSR_STVEC, NULL, read_stvec, write_stvec },
    { "scounteren", CSR_SCOUNTEREN, NULL, read_scounteren, write_scounteren },
    { "senvcfg", CSR_SENVCFG, NULL, read_senvcfg, write_senvcfg },
    { "sscratch", CSR_SSCRATCH, NULL, read_sscratch, write_sscratch },
    { "sepc", CSR_SEPC, NULL, read_sepc, write_sepc },
    { "scause", CSR_SCAUSE, NULL, read_scause, write_scause },
    { "stval", CSR_STVAL, NULL, read_stval, write_stval },
    { "sip", CSR_SIP, NULL, read_sip, write_sip },
    { "stimecmp", CSR_STIMECMP, pred_sstc, read_stimecmp, write_stimecmp },
    { "satp", CSR_SATP, pred_satp, read_satp, write_satp },
    /* Machine trap setup */
    { "mstatus", CSR_MSTATUS, NULL, read_mstatus, write_mstatus },
    { "misa", CSR_MISA, NULL, read_misa, write_ignore },
    { "medeleg", CSR_MEDELEG, NULL, read_medeleg, write_medeleg },
    { "mideleg", CSR_MIDELEG, NULL, read_mideleg, write_mideleg },
    { "mie", CSR_MIE, NULL, read_mie, write_mie },
    { "mtvec", CSR_MTVEC, NULL, read_mtvec, write_mtvec },
    { "mcounteren", CSR_MCOUNTEREN, NULL, read_mcounteren, write_mcounteren },
    { "menvcfg", CSR_MENVCFG, NULL, read_menvcfg, write_menvcfg },
    { "mcountinhibit", CSR_MCOUNTINHIBIT, NULL, read_mcountinhibit,
      write_mcountinhibit },
    MEVT(3), MEVT(4), MEVT(5), MEVT(6), MEVT(7), MEVT(8), MEVT(9),
    MEVT(10), MEVT(11), MEVT(12), MEVT(13), MEVT(14), MEVT(15), MEVT(16),
    MEVT(17), MEVT(18), MEVT(19), MEVT(20), MEVT(21), MEVT(22), MEVT(23),
    MEVT(24), MEVT(25), MEVT(26), MEVT(27), MEVT(28), MEVT(29), MEVT(30),
    MEVT(31),
    /* Machine trap handling */
    { "mscratch", CSR_MSCRATCH, NULL, read_mscratch, write_mscratch },
    { "mepc", CSR_MEPC, NULL, read_mepc, write_mepc },
    { "mcause", CSR_MCAUSE, NULL, read_mcause, write_mcause },
    { "mtval", CSR_MTVAL, NULL, read_mtval, write_mtval },
    { "mip", CSR_MIP, NULL, read_mip, write_mip },
    /* Machine memory protection (RV64: only even pmpcfg registers) */
    { "pmpcfg0", CSR_PMPCFG0, pred_pmp, read_pmpcfg, write_pmpcfg },
    { "pmpcfg2", CSR_PMPCFG2, pred_pmp, read_pmpcfg, write_pmpcfg },
    PMPADDR(0), PMPADDR(1), PMPADDR(2), PMPADDR(3), PMPADDR(4), PMPADDR(5),
    PMPADDR(6), PMPADDR(7), PMPADDR(8), PMPADDR(9), PMPADDR(10),
    PMPADDR(11), PMPADDR(12), PMPADDR(13), PMPADDR(14), PMPADDR(15),
    /* Machine counters */
    { "mcycle", CSR_MCYCLE, NULL, read_counter, write_mcounter },
    { "minstret", CSR_MINSTRET, NULL, read_counter, write_mcounter },
    MCTR(3), MCTR(4), MCTR(5), MCTR(6), MCTR(7), MCTR(8), MCTR(9),
    MCTR(10), MCTR(11), MCTR(12), MCTR(13), MCTR(14), MCTR(15), MCTR(16),
    MCTR(17), MCTR(18), MCTR(19), MCTR(20), MCTR(21), MCTR(22), MCTR(23),
    MCTR(24), MCTR(25), MCTR(26), MCTR(27), MCTR(28), MCTR(29), MCTR(30),
    MCTR(31),
    /* Unprivileged counters and timers */
    { "cycle", CSR_CYCLE, pred_ctr, read_counter, NULL },
    { "time", CSR_TIME, pred_ctr, read_counter, NULL },
    { "instret", CSR_INSTRET, pred_ctr, read_counter, NULL },
    CTR(3), CTR(4), CTR(5), CTR(6), CTR(7), CTR(8), CTR(9), CTR(10),
    CTR(11), CTR(12), CTR(13), CTR(14), CTR(15), CTR(16), CTR(17),
    CTR(18), CTR(19), CTR(20), CTR(21), CTR(22), CTR(23), CTR(24),
    CTR(25), CTR(26), CTR(27), CTR(28), CTR(29), CTR(30), CTR(31),
    /* Machine information (read-only) */
    { "mvendorid", CSR_MVENDORID, NULL, read_zero, NULL },
    { "marchid", CSR_MARCHID, NULL, read_zero, NULL },
    { "mimpid", CSR_MIMPID, NULL, read_zero, NULL },
    { "mhartid", CSR_MHARTID, NULL, read_mhartid, NULL },
    { "mconfigptr", CSR_MCONFIGPTR, NULL, read_zero, NULL },
};

const size_t riscv_csr_table_size = ARRAY_SIZE(riscv_csr_table);

const RISCVCSR *riscv_csr_find(int csrno)
{
    size_t lo = 0, hi = ARRAY_SIZE(riscv_csr_table);

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int n = riscv_csr_table[mid].number;

        if (n == csrno) {
            return &riscv_csr_table[mid];
        }
        if (n < csrno) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

static bool csr_present(RISCVCPU *cpu, const RISCVCSR *csr, int priv)
{
    if (!cpu->cfg.ext_zicsr) {
        return false;
    }
    return !csr->predicate || csr->predicate(cpu, csr->number, priv);
}

bool riscv_csr_access(RISCVCPU *cpu, int csrno, uint64_t *old, uint64_t val,
                      uint64_t mask, bool do_read, bool do_write)
{
    const RISCVCSR *csr = riscv_csr_find(csrno);
    int min_priv = (csrno >> 8) & 3;
    bool read_only = ((csrno >> 10) & 3) == 3;
    uint64_t cur = 0;

    if (!csr) {
        log_guest(cpu->parent.log, LOG_UNIMP,
                  "riscv: hart %u: access to unimplemented CSR 0x%03x\n",
                  cpu->parent.index, csrno);
        return false;
    }
    if (cpu->priv < min_priv || (do_write && read_only) ||
        !csr_present(cpu, csr, cpu->priv)) {
        log_guest(cpu->parent.log, LOG_GUEST_ERROR,
                  "riscv: hart %u: illegal %s of CSR %s from privilege %d\n",
                  cpu->parent.index, do_write ? "write" : "read", csr->name,
                  cpu->priv);
        return false;
    }
    if (do_read || do_write) {
        cur = csr->read(cpu, csrno);
    }
    if (do_write && csr->write &&
        !csr->write(cpu, csrno, (cur & ~mask) | (val & mask))) {
        return false;
    }
    *old = cur;
    return true;
}

/* For the disassembler (target/riscv/disas.h). */
const char *riscv_csr_name(unsigned csrno)
{
    const RISCVCSR *csr = riscv_csr_find(csrno);

    return csr ? csr->name : NULL;
}

bool riscv_csr_read_debug(RISCVCPU *cpu, int csrno, uint64_t *val)
{
    const RISCVCSR *csr = riscv_csr_find(csrno);

    /* Ask as M-mode would, without touching the hart's state. */
    if (!csr || !csr_present(cpu, csr, PRV_M)) {
        return false;
    }
    *val = csr->read(cpu, csrno);
    return true;
}

bool riscv_csr_write_debug(RISCVCPU *cpu, int csrno, uint64_t val)
{
    const RISCVCSR *csr = riscv_csr_find(csrno);

    if (!csr || !csr->write || !csr_present(cpu, csr, PRV_M)) {
        return false;
    }
    return csr->write(cpu, csrno, val);
}
