/*
 * intr-priority-order.c — interrupts pending at once are taken in the
 * order MEI, MSI, MTI, SEI, SSI, STI (priv spec v1.12 §3.1.9), not by
 * their numbers: for M, MSI, MTI, SEI, SSI, STI (so MTI (7) before SSI
 * (1)); delegated to S, SEI (9) before SSI (1) and STI (5).  QEMU 7.2
 * without AIA takes the lowest-numbered pending interrupt first, so this
 * file is in peer-known-bad.
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
    for (long i = 0; i < 200000 && norder < 3; i++)
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
    csr_clear(mip, MIP_SEIP | MIP_SSIP | MIP_STIP);
}

int main(void)
{
    vireo_mtrap_hook = record_m;
    vireo_strap_hook = record_s;
    /* five to M */
    norder = 0;
    raise_all();
    csr_set(mip, MIP_SEIP);
    csr_write(mie, MIP_MSIP | MIP_MTIP | MIP_SEIP | MIP_SSIP | MIP_STIP);
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(1, norder, 5);
    CHECK_EQ(2, order[0], IRQ_M_SOFT);
    CHECK_EQ(3, order[1], IRQ_M_TIMER);
    CHECK_EQ(4, order[2], IRQ_S_EXT);
    CHECK_EQ(5, order[3], IRQ_S_SOFT);
    CHECK_EQ(9, order[4], IRQ_S_TIMER);
    clear_all();
    /* MTI and STI: MTI first although its number is higher */
    norder = 0;
    mtimecmp_set(0);
    csr_set(mip, MIP_STIP);
    csr_write(mie, MIP_MTIP | MIP_STIP);
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(6, norder, 2);
    CHECK_EQ(7, order[0], IRQ_M_TIMER);
    CHECK_EQ(8, order[1], IRQ_S_TIMER);
    clear_all();
    /* delegated to S: SEI, SSI, STI */
    norder = 0;
    csr_write(mideleg, MIP_SEIP | MIP_SSIP | MIP_STIP);
    csr_set(mip, MIP_SEIP | MIP_SSIP | MIP_STIP);
    csr_write(mie, MIP_SEIP | MIP_SSIP | MIP_STIP);
    CHECK_EQ(10, vireo_run(PRV_S, s_enable, 0), 3);
    CHECK_EQ(11, order[0], 100 + IRQ_S_EXT);
    CHECK_EQ(12, order[1], 100 + IRQ_S_SOFT);
    CHECK_EQ(13, order[2], 100 + IRQ_S_TIMER);
    clear_all();
    csr_write(mideleg, 0);
    csr_write(mie, 0);
    vireo_mtrap_hook = 0;
    vireo_strap_hook = 0;
    return 0;
}
