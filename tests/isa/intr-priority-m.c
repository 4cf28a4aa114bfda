/*
 * intr-priority-m.c — four interrupts pending for M at once are taken in
 * the order MSI, MTI, SSI, STI (priv spec v1.12 §3.1.9: "MEI, MSI, MTI,
 * SEI, SSI, STI"), so MTI (7) goes before SSI (1) and STI (5).  QEMU 7.2
 * without AIA takes the lowest-numbered pending interrupt first (1, 3,
 * 5, 7), so this file is in peer-known-bad.
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

static __attribute__((unused)) int record_s(struct vireo_frame *f)
{
    if (!(f->cause & CAUSE_INTERRUPT))
        return 0;
    unsigned code = f->cause & 63;
    if (norder < 8)
        order[norder++] = 100 + code;
    csr_clear(sie, 1UL << code);
    return 1;
}

static __attribute__((unused)) long s_enable(long arg)
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
    /* all four to M */
    norder = 0;
    raise_all();
    csr_write(mie, MIP_MSIP | MIP_MTIP | MIP_SSIP | MIP_STIP);
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(1, norder, 4);
    CHECK_EQ(2, order[0], IRQ_M_SOFT);
    CHECK_EQ(3, order[1], IRQ_M_TIMER);
    CHECK_EQ(4, order[2], IRQ_S_SOFT);
    CHECK_EQ(5, order[3], IRQ_S_TIMER);
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
    csr_write(mie, 0);
    vireo_mtrap_hook = 0;
    return 0;
}
