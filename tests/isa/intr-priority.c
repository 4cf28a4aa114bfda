/*
 * intr-priority.c — simultaneous interrupts are taken in the fixed order
 * MEI, MSI, MTI, SEI, SSI, STI (priv spec v1.12 §3.1.9): MSI before MTI,
 * SSI before STI, and interrupts for M before S-level ones even while
 * running in S.  (The full order, which QEMU 7.2 gets wrong, is checked in
 * intr-priority-order.c.)
 *
 * A hook records each cause and masks it in mie/sie, so the next pending
 * one is taken right after.
 */
#include "intr.h"

static unsigned long order[8];
static volatile int norder;

static int record_m(struct vireo_frame *f)
{
    if (!(f->cause & CAUSE_INTERRUPT))
        return 0;
    unsigned code = f->cause & 63;
    if (norder < 8)
        order[norder++] = code;
    csr_clear(mie, 1UL << code);
    return 1;
}

static int record_s(struct vireo_frame *f)
{
    if (!(f->cause & CAUSE_INTERRUPT))
        return 0;
    unsigned code = f->cause & 63;
    if (norder < 8)
        order[norder++] = 100 + code;
    csr_clear(sie, 1UL << code);
    return 1;
}

static long s_enable(long arg)
{
    (void)arg;
    csr_set(sstatus, MSTATUS_SIE);
    for (long i = 0; i < 200000 && norder < 4; i++)
        barrier();
    csr_clear(sstatus, MSTATUS_SIE);
    return norder;
}

static void raise_all(void)
{
    msip_set(1);
    mtimecmp_set(0);
    csr_set(mip, MIP_SSIP | MIP_STIP);
}

static void clear_all(void)
{
    msip_set(0);
    mtimecmp_set(~0ULL);
    csr_clear(mip, MIP_SSIP | MIP_STIP);
}

int main(void)
{
    vireo_mtrap_hook = record_m;
    vireo_strap_hook = record_s;
    /* MSI and MTI together: MSI first */
    norder = 0;
    msip_set(1);
    mtimecmp_set(0);
    csr_write(mie, MIP_MSIP | MIP_MTIP);
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(1, norder, 2);
    CHECK_EQ(2, order[0], IRQ_M_SOFT);
    CHECK_EQ(3, order[1], IRQ_M_TIMER);
    clear_all();
    /* SSI and STI together, both to M: SSI first */
    norder = 0;
    csr_set(mip, MIP_SSIP | MIP_STIP);
    csr_write(mie, MIP_SSIP | MIP_STIP);
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(4, norder, 2);
    CHECK_EQ(5, order[0], IRQ_S_SOFT);
    CHECK_EQ(6, order[1], IRQ_S_TIMER);
    clear_all();
    /* S-level ones delegated, running in S: M's first, then S's in order */
    norder = 0;
    csr_write(mideleg, MIP_SSIP | MIP_STIP);
    raise_all();
    csr_write(mie, MIP_MSIP | MIP_MTIP | MIP_SSIP | MIP_STIP);
    CHECK_EQ(9, vireo_run(PRV_S, s_enable, 0), 4);
    CHECK_EQ(10, order[0], IRQ_M_SOFT);
    CHECK_EQ(11, order[1], IRQ_M_TIMER);
    CHECK_EQ(12, order[2], 100 + IRQ_S_SOFT);
    CHECK_EQ(13, order[3], 100 + IRQ_S_TIMER);
    clear_all();
    csr_write(mideleg, 0);
    csr_write(mie, 0);
    vireo_mtrap_hook = 0;
    vireo_strap_hook = 0;
    return 0;
}
