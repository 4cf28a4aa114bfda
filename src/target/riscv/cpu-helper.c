/*
 * target/riscv/cpu-helper.c — traps, interrupts and privilege changes,
 * and the TCGCPUOps glue that ties the hart to the CPU loop.
 *
 * Trap entry follows Privileged spec v1.12:
 *   - an exception raised in U/S-mode whose medeleg bit is set, or an
 *     interrupt whose mideleg bit is set, is taken in S-mode (§3.1.8);
 *     everything else goes to M-mode, and traps never go to a lower mode;
 *   - entry saves pc in xepc, writes xcause/xtval, moves xIE to xPIE,
 *     clears xIE, records the previous privilege in xPP and jumps to
 *     xtvec (BASE + 4*cause for interrupts in vectored mode) (§3.1.6.1,
 *     §3.1.7);
 *   - interrupts are taken in the order MEI, MSI, MTI, SEI, SSI, STI, and
 *     interrupts for a more privileged mode first (§3.1.9). An interrupt
 *     for M is enabled when priv < M or mstatus.MIE; one delegated to S
 *     when priv < S or (priv == S and mstatus.SIE).
 * mret/sret (§3.3.2) restore the previous privilege and interrupt enable;
 * leaving M-mode for a lower one clears mstatus.MPRV.
 * Trap entry and return are logged under -d int.
 */
#include "target/riscv/cpu-internal.h"
#include "util/log.h"

static const char *const riscv_excp_names[] = {
    [RISCV_EXCP_INST_ADDR_MIS] = "instruction address misaligned",
    [RISCV_EXCP_INST_ACCESS_FAULT] = "instruction access fault",
    [RISCV_EXCP_ILLEGAL_INST] = "illegal instruction",
    [RISCV_EXCP_BREAKPOINT] = "breakpoint",
    [RISCV_EXCP_LOAD_ADDR_MIS] = "load address misaligned",
    [RISCV_EXCP_LOAD_ACCESS_FAULT] = "load access fault",
    [RISCV_EXCP_STORE_AMO_ADDR_MIS] = "store/AMO address misaligned",
    [RISCV_EXCP_STORE_AMO_ACCESS_FAULT] = "store/AMO access fault",
    [RISCV_EXCP_U_ECALL] = "environment call from U-mode",
    [RISCV_EXCP_S_ECALL] = "environment call from S-mode",
    [RISCV_EXCP_M_ECALL] = "environment call from M-mode",
    [RISCV_EXCP_INST_PAGE_FAULT] = "instruction page fault",
    [RISCV_EXCP_LOAD_PAGE_FAULT] = "load page fault",
    [RISCV_EXCP_STORE_PAGE_FAULT] = "store/AMO page fault",
};

static const char *const riscv_irq_names[] = {
    [IRQ_S_SOFT] = "supervisor software interrupt",
    [IRQ_M_SOFT] = "machine software interrupt",
    [IRQ_S_TIMER] = "supervisor timer interrupt",
    [IRQ_M_TIMER] = "machine timer interrupt",
    [IRQ_S_EXT] = "supervisor external interrupt",
    [IRQ_M_EXT] = "machine external interrupt",
};

/* Interrupts in decreasing priority (§3.1.9). */
static const int riscv_irq_priority[] = {
    IRQ_M_EXT, IRQ_M_SOFT, IRQ_M_TIMER, IRQ_S_EXT, IRQ_S_SOFT, IRQ_S_TIMER,
};

static const char prv_letter[4] = { 'U', 'S', '?', 'M' };

void riscv_raise_exception(RISCVCPU *cpu, RISCVException cause,
                           uint64_t tval, uintptr_t ra)
{
    cpu->parent.exception_index = cause;
    cpu->pending_tval = tval;
    cpu_loop_exit_restore(&cpu->parent, ra);
}

uint64_t riscv_mstatus_with_sd(uint64_t mstatus)
{
    bool dirty = (mstatus & MSTATUS_FS) == MSTATUS_FS ||
                 (mstatus & MSTATUS_XS) == MSTATUS_XS ||
                 (mstatus & MSTATUS_VS) == MSTATUS_VS;

    return dirty ? mstatus | MSTATUS_SD : mstatus & ~MSTATUS_SD;
}

void riscv_cpu_mark_fs_dirty(RISCVCPU *cpu)
{
    cpu->mstatus |= MSTATUS_FS | MSTATUS_SD;
}

void riscv_cpu_set_mode(RISCVCPU *cpu, int priv)
{
    cpu->priv = priv;
    /* A new privilege may invalidate an LR reservation's meaning; the
     * spec lets any trap or return clear it, as QEMU does. */
    cpu->load_res = -1;
}

int riscv_cpu_mmu_index(RISCVCPU *cpu, bool ifetch)
{
    int priv = cpu->priv;

    if (!ifetch && priv == PRV_M && (cpu->mstatus & MSTATUS_MPRV)) {
        priv = (cpu->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    }
    if (priv == PRV_S && !ifetch && (cpu->mstatus & MSTATUS_SUM)) {
        return RISCV_MMU_IDX_S_SUM;
    }
    return priv;
}

/* --- interrupts --- */

int riscv_cpu_local_irq_pending(RISCVCPU *cpu)
{
    uint64_t pending = __atomic_load_n(&cpu->mip, __ATOMIC_ACQUIRE) &
                       cpu->mie;
    bool m_enabled = cpu->priv < PRV_M || (cpu->mstatus & MSTATUS_MIE);
    bool s_enabled = cpu->priv < PRV_S ||
                     (cpu->priv == PRV_S && (cpu->mstatus & MSTATUS_SIE));
    uint64_t m_irqs = m_enabled ? pending & ~cpu->mideleg : 0;
    uint64_t s_irqs = s_enabled ? pending & cpu->mideleg : 0;
    uint64_t set = m_irqs ? m_irqs : s_irqs;

    for (size_t i = 0; set && i < ARRAY_SIZE(riscv_irq_priority); i++) {
        if (set & (1ULL << riscv_irq_priority[i])) {
            return riscv_irq_priority[i];
        }
    }
    return -1;
}

void riscv_cpu_check_interrupts(RISCVCPU *cpu)
{
    if (riscv_cpu_local_irq_pending(cpu) >= 0) {
        cpu_interrupt(&cpu->parent);
    }
}

bool riscv_cpu_has_work(CPUState *cs)
{
    RISCVCPU *cpu = riscv_cpu(cs);

    /* WFI resumes on any locally enabled pending interrupt, even when
     * global enables would keep it from being taken (§3.3.3). */
    return (__atomic_load_n(&cpu->mip, __ATOMIC_ACQUIRE) & cpu->mie) != 0;
}

bool riscv_cpu_exec_interrupt(CPUState *cs)
{
    RISCVCPU *cpu = riscv_cpu(cs);
    int irq = riscv_cpu_local_irq_pending(cpu);

    if (irq < 0) {
        return false;
    }
    cs->exception_index = RISCV_EXCP_INT_FLAG;
    cpu->pending_irq = irq;
    riscv_cpu_do_interrupt(cs);
    return true;
}

void riscv_cpu_update_mip(RISCVCPU *cpu, uint64_t mask, uint64_t value)
{
    uint64_t old = __atomic_load_n(&cpu->mip, __ATOMIC_ACQUIRE);
    uint64_t newv;

    do {
        newv = (old & ~mask) | (value ? mask : 0);
    } while (!__atomic_compare_exchange_n(&cpu->mip, &old, newv, false,
                                          __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    if (newv & ~old & cpu->mie) {
        /* Wakes a WFI even when the interrupt is globally masked. */
        cpu_interrupt(&cpu->parent);
    }
}

/* --- trap entry (§3.1.6.1, §3.1.7, §4.1.1) --- */

void riscv_cpu_do_interrupt(CPUState *cs)
{
    RISCVCPU *cpu = riscv_cpu(cs);
    bool is_irq = cs->exception_index == RISCV_EXCP_INT_FLAG;
    uint64_t cause = is_irq ? (uint64_t)cpu->pending_irq
                            : (uint64_t)cs->exception_index;
    uint64_t tval = 0;
    uint64_t deleg = is_irq ? cpu->mideleg : cpu->medeleg;
    int from = cpu->priv;
    uint64_t s = cpu->mstatus;
    uint64_t vec, pc;

    cs->exception_index = EXCP_NONE;
    if (!is_irq) {
        switch (cause) {
        case RISCV_EXCP_ILLEGAL_INST:
            tval = cpu->bins;
            break;
        default:
            tval = cpu->pending_tval;
            break;
        }
    }

    if (from <= PRV_S && cause < 64 && ((deleg >> cause) & 1)) {
        /* Trap to S-mode. */
        vec = cpu->stvec;
        cpu->scause = cause | (is_irq ? CAUSE_INTERRUPT : 0);
        cpu->sepc = cpu->pc;
        cpu->stval = tval;
        s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
        s = (s & ~MSTATUS_SPP) | (from == PRV_S ? MSTATUS_SPP : 0);
        s &= ~MSTATUS_SIE;
        cpu->mstatus = s;
        riscv_cpu_set_mode(cpu, PRV_S);
    } else {
        vec = cpu->mtvec;
        cpu->mcause = cause | (is_irq ? CAUSE_INTERRUPT : 0);
        cpu->mepc = cpu->pc;
        cpu->mtval = tval;
        s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
        s = (s & ~MSTATUS_MPP) | ((uint64_t)from << MSTATUS_MPP_SHIFT);
        s &= ~MSTATUS_MIE;
        cpu->mstatus = s;
        riscv_cpu_set_mode(cpu, PRV_M);
    }
    pc = vec & ~3ULL;
    if (is_irq && (vec & 3) == TVEC_MODE_VECTORED) {
        pc += 4 * cause;
    }

    if (log_enabled(cs->log, LOG_INT)) {
        const char *name = is_irq
            ? (cause < ARRAY_SIZE(riscv_irq_names) ? riscv_irq_names[cause]
                                                   : NULL)
            : (cause < ARRAY_SIZE(riscv_excp_names) ? riscv_excp_names[cause]
                                                    : NULL);
        log_printf(cs->log, "riscv: hart %u: %s %" PRIu64 " (%s), "
                   "epc 0x%016" PRIx64 ", tval 0x%016" PRIx64
                   ", %c -> %c, pc 0x%016" PRIx64 "\n",
                   cs->index, is_irq ? "interrupt" : "exception", cause,
                   name ? name : "reserved", cpu->pc, tval,
                   prv_letter[from], prv_letter[cpu->priv], pc);
    }
    cpu->pc = pc;
}

/* --- trap return (§3.3.2) --- */

uint64_t riscv_cpu_mret(RISCVCPU *cpu, uintptr_t ra)
{
    uint64_t s = cpu->mstatus;
    int prev = (s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    uint64_t pc;

    if (cpu->priv < PRV_M) {
        riscv_raise_exception(cpu, RISCV_EXCP_ILLEGAL_INST, 0, ra);
    }
    pc = cpu->mepc & (riscv_has_ext(cpu, RVC) ? ~1ULL : ~3ULL);
    s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
    s |= MSTATUS_MPIE;
    s &= ~MSTATUS_MPP;      /* MPP = U, the least-privileged mode */
    if (prev != PRV_M) {
        s &= ~MSTATUS_MPRV;
    }
    cpu->mstatus = s;
    log_mask(cpu->parent.log, LOG_INT,
             "riscv: hart %u: mret to %c at 0x%016" PRIx64 "\n",
             cpu->parent.index, prv_letter[prev], pc);
    riscv_cpu_set_mode(cpu, prev);
    riscv_cpu_check_interrupts(cpu);
    return pc;
}

uint64_t riscv_cpu_sret(RISCVCPU *cpu, uintptr_t ra)
{
    uint64_t s = cpu->mstatus;
    int prev = (s & MSTATUS_SPP) ? PRV_S : PRV_U;
    uint64_t pc;

    if (cpu->priv < PRV_S ||
        (cpu->priv == PRV_S && (s & MSTATUS_TSR))) {
        riscv_raise_exception(cpu, RISCV_EXCP_ILLEGAL_INST, 0, ra);
    }
    pc = cpu->sepc & (riscv_has_ext(cpu, RVC) ? ~1ULL : ~3ULL);
    s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
    s |= MSTATUS_SPIE;
    s &= ~MSTATUS_SPP;
    s &= ~MSTATUS_MPRV;     /* the new mode is never M */
    cpu->mstatus = s;
    log_mask(cpu->parent.log, LOG_INT,
             "riscv: hart %u: sret to %c at 0x%016" PRIx64 "\n",
             cpu->parent.index, prv_letter[prev], pc);
    riscv_cpu_set_mode(cpu, prev);
    riscv_cpu_check_interrupts(cpu);
    return pc;
}

/* --- TB state --- */

void riscv_cpu_get_tb_cpu_state(CPUState *cs, uint64_t *pc, uint32_t *flags)
{
    RISCVCPU *cpu = riscv_cpu(cs);
    uint32_t fs = (cpu->mstatus & MSTATUS_FS) >> MSTATUS_FS_SHIFT;

    *pc = cpu->pc;
    *flags = (uint32_t)cpu->priv |
             ((uint32_t)riscv_cpu_mmu_index(cpu, false)
              << TB_FLAGS_MEM_IDX_SHIFT) |
             (fs << TB_FLAGS_FS_SHIFT);
}

void riscv_cpu_synchronize_from_tb(CPUState *cs, const TranslationBlock *tb)
{
    riscv_cpu(cs)->pc = tb->pc;
}

void riscv_cpu_restore_state_to_opc(CPUState *cs, const TranslationBlock *tb,
                                    const uint64_t *data)
{
    RISCVCPU *cpu = riscv_cpu(cs);

    cpu->pc = data[0];
    cpu->bins = data[1];
}
