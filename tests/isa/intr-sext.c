/*
 * intr-sext.c — supervisor external interrupt through mip.SEIP, which
 * M-mode software may write (priv spec v1.12 §3.1.9): undelegated it
 * traps to M with cause interrupt | 9, delegated to S; sip.SEIP is
 * read-only for S.  (Machine external interrupts need an interrupt
 * controller, which spike does not have.)
 */
#include "intr.h"

static int order[4];
static volatile int norder;

static int record_s(struct vireo_frame *f)
{
    if (!(f->cause & CAUSE_INTERRUPT))
        return 0;
    unsigned code = f->cause & 63;
    if (norder < 4)
        order[norder++] = (int)code;
    csr_clear(sie, 1UL << code);
    return 1;
}

static long s_wait(long arg)
{
    csr_set(sie, MIP_SEIP | MIP_SSIP | MIP_STIP);
    csr_set(sstatus, MSTATUS_SIE);
    for (long i = 0; i < 200000 && norder < arg; i++)
        barrier();
    csr_clear(sstatus, MSTATUS_SIE);
    return norder;
}

static long s_clear_seip(long arg)
{
    (void)arg;
    csr_clear(sip, MIP_SEIP);
    return (long)(csr_read(sip) & MIP_SEIP);
}

int main(void)
{
    csr_set(mip, MIP_SEIP);
    CHECK_EQ(1, csr_read(mip) & MIP_SEIP, MIP_SEIP);
    /* undelegated: to M */
    trap_arm(&vireo_mtrap);
    csr_write(mie, MIP_SEIP);
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(2, vireo_mtrap.count, 1);
    CHECK_EQ(3, vireo_mtrap.cause, CAUSE_INTERRUPT | IRQ_S_EXT);
    csr_write(mie, 0);
    trap_disarm(&vireo_mtrap);
    /* delegated: S cannot clear it through sip */
    csr_write(mideleg, MIP_SEIP | MIP_SSIP | MIP_STIP);
    CHECK_EQ(4, vireo_run(PRV_S, s_clear_seip, 0), MIP_SEIP);
    /* delegated: taken in S (its rank against SSI/STI is checked in
     * intr-priority-order.c) */
    vireo_strap_hook = record_s;
    norder = 0;
    CHECK_EQ(5, vireo_run(PRV_S, s_wait, 1), 1);
    CHECK_EQ(6, order[0], IRQ_S_EXT);
    csr_clear(mip, MIP_SEIP);
    CHECK_EQ(9, csr_read(mip) & MIP_SEIP, 0);
    vireo_strap_hook = 0;
    csr_write(mideleg, 0);
    return 0;
}
