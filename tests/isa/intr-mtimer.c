/*
 * intr-mtimer.c — machine timer interrupt (priv spec v1.12 §3.1.9,
 * §3.2.1): MTIP follows mtime >= mtimecmp, is read-only in mip, and traps
 * with mcause = interrupt | 7 when mie.MTIE and (in M) mstatus.MIE allow;
 * in S and U, M-level interrupts are enabled whatever MIE says.
 */
#include "intr.h"

static long wait_in_lower(long arg)
{
    (void)arg;
    wait_count(&vireo_mtrap, 1);   /* the CLINT is reachable from S/U */
    return (long)vireo_mtrap.count;
}

static long spin_lower(long arg)
{
    for (long i = 0; i < arg; i++)
        barrier();
    return (long)vireo_mtrap.count;
}

int main(void)
{
    mtimecmp_set(~0ULL);
    CHECK_EQ(1, csr_read(mip) & MIP_MTIP, 0);
    /* pending with MIE = 0: no trap */
    trap_arm(&vireo_mtrap);
    csr_write(mie, MIP_MTIP);
    mtimecmp_set(mtime_now() + 2000);
    CHECK(2, wait_mip(MIP_MTIP));
    CHECK_EQ(3, vireo_mtrap.count, 0);
    CHECK(4, mtime_now() >= mmio_read64(CLINT_MTIMECMP));
    /* MTIP is read-only in mip */
    csr_clear(mip, MIP_MTIP);
    CHECK_EQ(5, csr_read(mip) & MIP_MTIP, MIP_MTIP);
    /* MIE = 1: taken at once */
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(6, vireo_mtrap.count, 1);
    CHECK_EQ(7, vireo_mtrap.cause, CAUSE_INTERRUPT | IRQ_M_TIMER);
    CHECK_EQ(8, vireo_mtrap.status & (MSTATUS_MPIE | MSTATUS_MPP), MSTATUS_MPIE | MSTATUS_MPP);
    CHECK_EQ(9, csr_read(mie) & MIP_MTIP, 0);   /* the record masked it */
    /* a later mtimecmp clears MTIP */
    mtimecmp_set(~0ULL);
    CHECK_EQ(10, csr_read(mip) & MIP_MTIP, 0);
    /* in U and S the interrupt is taken although mstatus.MIE = 0 */
    trap_arm(&vireo_mtrap);
    csr_write(mie, MIP_MTIP);
    mtimecmp_set(mtime_now() + 2000);
    CHECK_EQ(11, vireo_run(PRV_U, wait_in_lower, 0), 1);
    CHECK_EQ(12, vireo_mtrap.cause, CAUSE_INTERRUPT | IRQ_M_TIMER);
    CHECK_EQ(13, vireo_mtrap.status & MSTATUS_MPP, 0);
    trap_arm(&vireo_mtrap);
    csr_write(mie, MIP_MTIP);
    mtimecmp_set(mtime_now() + 2000);
    CHECK_EQ(14, vireo_run(PRV_S, wait_in_lower, 0), 1);
    CHECK_EQ(15, vireo_mtrap.status & MSTATUS_MPP, (unsigned long)PRV_S << MSTATUS_MPP_SHIFT);
    /* masked by mie: pending but never taken, even in U */
    trap_arm(&vireo_mtrap);
    csr_write(mie, 0);
    mtimecmp_set(0);
    CHECK_EQ(16, vireo_run(PRV_U, spin_lower, 20000), 0);
    CHECK_EQ(17, csr_read(mip) & MIP_MTIP, MIP_MTIP);
    mtimecmp_set(~0ULL);
    trap_disarm(&vireo_mtrap);
    return 0;
}
