/*
 * priv-deleg.c — trap delegation (priv spec v1.12 §3.1.8, §4.1.1-4.1.3):
 * exceptions from U/S whose medeleg bit is set go to S (scause, sepc,
 * stval, sstatus.SPP/SPIE/SIE), never a trap taken in M; mideleg hands
 * supervisor interrupts to S; sie/sip bits of undelegated interrupts read
 * as zero.
 */
#include "vireo.h"

static long u_illegal(long arg)
{
    (void)arg;
    asm volatile(".word 0xffffffff" ::: "memory");
    return 3;
}

static long do_ecall(long arg)
{
    (void)arg;
    asm volatile("ecall" ::: "memory");
    return 4;
}

/* S: enable SIE, and report sstatus seen in S afterwards. */
static long s_with_sie(long arg)
{
    csr_set(sstatus, MSTATUS_SIE);
    asm volatile(".word 0xffffffff" ::: "memory");
    unsigned long st = csr_read(sstatus);
    csr_clear(sstatus, MSTATUS_SIE);
    return arg ? (long)st : 0;
}

static long s_read_sie(long arg)
{
    (void)arg;
    return (long)csr_read(sie);
}

static long s_read_sip(long arg)
{
    (void)arg;
    return (long)csr_read(sip);
}

/* S with SIE = 1 and sie.SSIE = 1: spin until the record counts a trap. */
static long s_wait_ssi(long arg)
{
    csr_set(sie, MIP_SSIP);
    csr_set(sstatus, MSTATUS_SIE);
    for (long i = 0; i < 100000 && !vireo_strap.count && !vireo_mtrap.count; i++)
        barrier();
    csr_clear(sstatus, MSTATUS_SIE);
    csr_clear(sip, MIP_SSIP);
    (void)arg;
    return (long)vireo_strap.count;
}

int main(void)
{
    /* no delegation: a U illegal instruction goes to M */
    trap_arm(&vireo_mtrap);
    trap_arm(&vireo_strap);
    CHECK_EQ(1, vireo_run(PRV_U, u_illegal, 0), 3);
    CHECK_EQ(2, vireo_mtrap.count, 1);
    CHECK_EQ(3, vireo_strap.count, 0);

    /* delegated: it goes to S with scause/sepc/stval and SPP = U */
    csr_write(medeleg, 1UL << CAUSE_ILLEGAL_INSTRUCTION);
    CHECK_EQ(4, csr_read(medeleg) & (1UL << CAUSE_ILLEGAL_INSTRUCTION),
             1UL << CAUSE_ILLEGAL_INSTRUCTION);
    trap_arm(&vireo_mtrap);
    trap_arm(&vireo_strap);
    CHECK_EQ(5, vireo_run(PRV_U, u_illegal, 0), 3);
    CHECK_EQ(6, vireo_mtrap.count, 0);
    CHECK_EQ(7, vireo_strap.count, 1);
    CHECK_EQ(8, vireo_strap.cause, CAUSE_ILLEGAL_INSTRUCTION);
    CHECK_EQ(9, vireo_strap.tval, 0xffffffff);
    CHECK(10, vireo_strap.epc >= (unsigned long)u_illegal &&
              vireo_strap.epc < (unsigned long)u_illegal + 16);
    CHECK_EQ(11, vireo_strap.status & MSTATUS_SPP, 0);
    /* from S: SPP = S, SPIE = the SIE before the trap, SIE cleared */
    trap_arm(&vireo_strap);
    unsigned long st = (unsigned long)vireo_run(PRV_S, s_with_sie, 1);
    CHECK_EQ(12, vireo_strap.count, 1);
    CHECK_EQ(13, vireo_strap.status & (MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE),
             MSTATUS_SPP | MSTATUS_SPIE);
    CHECK_EQ(14, st & MSTATUS_SIE, MSTATUS_SIE);  /* sret restored SIE */
    /* a trap in M is never delegated */
    trap_arm(&vireo_mtrap);
    trap_arm(&vireo_strap);
    u_illegal(0);
    CHECK_EQ(15, vireo_mtrap.count, 1);
    CHECK_EQ(16, vireo_strap.count, 0);
    /* delegated U ecall: S sees cause 8 (vireo_run's own ecall is passed
     * on to M by the S handler) */
    csr_write(medeleg, 1UL << CAUSE_USER_ECALL);
    trap_arm(&vireo_mtrap);
    trap_arm(&vireo_strap);
    CHECK_EQ(17, vireo_run(PRV_U, do_ecall, 0), 4);
    CHECK_EQ(18, vireo_strap.count, 1);
    CHECK_EQ(19, vireo_strap.cause, CAUSE_USER_ECALL);
    CHECK_EQ(20, vireo_mtrap.count, 0);
    /* an S ecall with only bit 8 set still goes to M */
    trap_arm(&vireo_strap);
    CHECK_EQ(21, vireo_run(PRV_S, do_ecall, 0), 4);
    CHECK_EQ(22, vireo_strap.count, 0);
    CHECK_EQ(23, vireo_mtrap.count, 1);
    CHECK_EQ(24, vireo_mtrap.cause, CAUSE_SUPERVISOR_ECALL);
    csr_write(medeleg, 0);

    /* sie/sip show only delegated interrupts */
    csr_write(mideleg, 0);
    csr_write(mie, MIP_SSIP | MIP_STIP);
    trap_arm(&vireo_mtrap);
    CHECK_EQ(25, vireo_run(PRV_S, s_read_sie, 0), 0);
    csr_write(mie, 0);           /* pending but disabled: no M interrupt */
    csr_set(mip, MIP_SSIP);
    CHECK_EQ(26, vireo_run(PRV_S, s_read_sip, 0) & MIP_SSIP, 0);
    csr_clear(mip, MIP_SSIP);
    csr_write(mie, MIP_SSIP | MIP_STIP);
    csr_write(mideleg, MIP_SSIP);
    CHECK_EQ(27, csr_read(mideleg) & MIP_SSIP, MIP_SSIP);
    CHECK_EQ(28, vireo_run(PRV_S, s_read_sie, 0), MIP_SSIP);
    csr_write(mie, 0);
    CHECK_EQ(29, vireo_mtrap.count, 0);

    /* a delegated SSI is taken in S when SIE = 1 */
    trap_arm(&vireo_strap);
    trap_arm(&vireo_mtrap);
    csr_set(mip, MIP_SSIP);
    CHECK_EQ(30, vireo_run(PRV_S, s_wait_ssi, 0), 1);
    CHECK_EQ(31, vireo_strap.cause, CAUSE_INTERRUPT | IRQ_S_SOFT);
    CHECK_EQ(32, vireo_mtrap.count, 0);
    CHECK_EQ(33, csr_read(mip) & MIP_SSIP, 0);
    /* not delegated: the same interrupt goes to M, even from S */
    csr_write(mideleg, 0);
    csr_write(mie, MIP_SSIP);
    trap_arm(&vireo_strap);
    trap_arm(&vireo_mtrap);
    csr_set(mip, MIP_SSIP);
    vireo_run(PRV_S, s_wait_ssi, 0);
    CHECK_EQ(34, vireo_mtrap.count, 1);
    CHECK_EQ(35, vireo_mtrap.cause, CAUSE_INTERRUPT | IRQ_S_SOFT);
    CHECK_EQ(36, vireo_strap.count, 0);
    csr_clear(mip, MIP_SSIP);
    csr_write(mie, 0);
    trap_disarm(&vireo_mtrap);
    trap_disarm(&vireo_strap);
    return 0;
}
