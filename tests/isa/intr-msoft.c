/*
 * intr-msoft.c — machine software interrupt through the CLINT's msip
 * (priv spec v1.12 §3.1.9; ACLINT MSWI): msip bit 0 drives mip.MSIP
 * (read-only in mip), the other bits read as zero, mcause = interrupt | 3.
 */
#include "intr.h"

static long wait_in_u(long arg)
{
    (void)arg;
    msip_set(1);   /* PMP entry 15 lets U reach the CLINT */
    for (long i = 0; i < 1000000 && !vireo_mtrap.count; i++)
        barrier();
    return (long)vireo_mtrap.count;
}

int main(void)
{
    CHECK_EQ(1, csr_read(mip) & MIP_MSIP, 0);
    msip_set(0xffffffff);
    CHECK_EQ(2, mmio_read32(CLINT_MSIP), 1);
    CHECK_EQ(3, csr_read(mip) & MIP_MSIP, MIP_MSIP);
    csr_clear(mip, MIP_MSIP);                   /* read-only in mip */
    CHECK_EQ(4, csr_read(mip) & MIP_MSIP, MIP_MSIP);
    msip_set(0);
    CHECK_EQ(5, mmio_read32(CLINT_MSIP), 0);
    CHECK_EQ(6, csr_read(mip) & MIP_MSIP, 0);
    /* taken with MIE and MSIE */
    trap_arm(&vireo_mtrap);
    csr_write(mie, MIP_MSIP);
    msip_set(1);
    CHECK_EQ(7, vireo_mtrap.count, 0);
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(8, vireo_mtrap.count, 1);
    CHECK_EQ(9, vireo_mtrap.cause, CAUSE_INTERRUPT | IRQ_M_SOFT);
    msip_set(0);
    /* raised from U-mode (a plain store to the CLINT), taken in U */
    trap_arm(&vireo_mtrap);
    csr_write(mie, MIP_MSIP);
    CHECK_EQ(10, vireo_run(PRV_U, wait_in_u, 0), 1);
    CHECK_EQ(11, vireo_mtrap.cause, CAUSE_INTERRUPT | IRQ_M_SOFT);
    CHECK_EQ(12, vireo_mtrap.status & MSTATUS_MPP, 0);
    msip_set(0);
    CHECK_EQ(13, csr_read(mip) & MIP_MSIP, 0);
    trap_disarm(&vireo_mtrap);
    csr_write(mie, 0);
    return 0;
}
