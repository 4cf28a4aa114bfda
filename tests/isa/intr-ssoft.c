/*
 * intr-ssoft.c — supervisor software interrupt (priv spec v1.12 §3.1.9,
 * §4.1.3): mip.SSIP is writable by M (and by S through sip when
 * delegated); undelegated it traps to M (cause interrupt | 1), delegated
 * to S, where it is taken in S only with sstatus.SIE = 1, in U always, and
 * never while the hart is in M.
 */
#include "intr.h"

static long s_wait(long sie_on)
{
    csr_set(sie, MIP_SSIP);
    if (sie_on)
        csr_set(sstatus, MSTATUS_SIE);
    for (long i = 0; i < 200000 && !vireo_strap.count; i++)
        barrier();
    csr_clear(sstatus, MSTATUS_SIE);
    return (long)vireo_strap.count;
}

/* S raises its own software interrupt through sip. */
static long s_self(long arg)
{
    (void)arg;
    csr_set(sie, MIP_SSIP);
    csr_set(sip, MIP_SSIP);
    unsigned long pend = csr_read(sip) & MIP_SSIP;
    csr_set(sstatus, MSTATUS_SIE);     /* taken here */
    csr_clear(sstatus, MSTATUS_SIE);
    csr_clear(sip, MIP_SSIP);
    return (long)(vireo_strap.count * 16 + (pend ? 1 : 0));
}

static long u_wait(long arg)
{
    (void)arg;
    for (long i = 0; i < 200000 && !vireo_strap.count; i++)
        barrier();
    return (long)vireo_strap.count;
}

int main(void)
{
    csr_set(mip, MIP_SSIP);
    CHECK_EQ(1, csr_read(mip) & MIP_SSIP, MIP_SSIP);
    csr_clear(mip, MIP_SSIP);
    CHECK_EQ(2, csr_read(mip) & MIP_SSIP, 0);
    /* undelegated: to M */
    trap_arm(&vireo_mtrap);
    csr_write(mie, MIP_SSIP);
    csr_set(mip, MIP_SSIP);
    CHECK_EQ(3, vireo_mtrap.count, 0);
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(4, vireo_mtrap.count, 1);
    CHECK_EQ(5, vireo_mtrap.cause, CAUSE_INTERRUPT | IRQ_S_SOFT);
    csr_clear(mip, MIP_SSIP);
    csr_write(mie, 0);
    trap_disarm(&vireo_mtrap);
    /* delegated: never taken while in M, whatever SIE/MIE say */
    csr_write(mideleg, MIP_SSIP);
    trap_arm(&vireo_strap);
    trap_arm(&vireo_mtrap);
    csr_write(mie, MIP_SSIP);
    csr_set(mstatus, MSTATUS_SIE | MSTATUS_MIE);
    csr_set(mip, MIP_SSIP);
    for (volatile int i = 0; i < 10000; i++)
        ;
    csr_clear(mstatus, MSTATUS_SIE | MSTATUS_MIE);
    CHECK_EQ(15, vireo_strap.count + vireo_mtrap.count, 0);
    csr_clear(mip, MIP_SSIP);
    trap_disarm(&vireo_mtrap);
    /* delegated, in S with SIE = 0: stays pending */
    csr_write(mideleg, MIP_SSIP);
    trap_arm(&vireo_strap);
    csr_set(mip, MIP_SSIP);
    CHECK_EQ(6, vireo_run(PRV_S, s_wait, 0), 0);
    CHECK_EQ(7, csr_read(mip) & MIP_SSIP, MIP_SSIP);
    /* ... SIE = 1: taken in S */
    CHECK_EQ(8, vireo_run(PRV_S, s_wait, 1), 1);
    CHECK_EQ(9, vireo_strap.cause, CAUSE_INTERRUPT | IRQ_S_SOFT);
    CHECK_EQ(10, vireo_strap.status & (MSTATUS_SPP | MSTATUS_SPIE), MSTATUS_SPP | MSTATUS_SPIE);
    csr_clear(mip, MIP_SSIP);
    /* S sets sip.SSIP itself */
    trap_arm(&vireo_strap);
    CHECK_EQ(11, vireo_run(PRV_S, s_self, 0), 16 + 1);
    /* in U a delegated S interrupt is taken whatever SIE is (sie.SSIE set) */
    trap_arm(&vireo_strap);
    csr_set(sie, MIP_SSIP);
    csr_clear(sstatus, MSTATUS_SIE);
    csr_set(mip, MIP_SSIP);
    CHECK_EQ(12, vireo_run(PRV_U, u_wait, 0), 1);
    CHECK_EQ(13, vireo_strap.status & MSTATUS_SPP, 0);
    csr_clear(mip, MIP_SSIP);
    /* and not at all when sie.SSIE = 0 */
    trap_arm(&vireo_strap);
    csr_clear(sie, MIP_SSIP);
    csr_set(mip, MIP_SSIP);
    CHECK_EQ(14, vireo_run(PRV_U, u_wait, 0), 0);
    csr_clear(mip, MIP_SSIP);
    trap_disarm(&vireo_strap);
    csr_write(mideleg, 0);
    return 0;
}
