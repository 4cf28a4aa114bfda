/*
 * priv-mpp-warl.c — mstatus.MPP is WARL and "can hold only privilege mode
 * x and any implemented privilege mode lower than x" (priv spec v1.12
 * §3.1.6.1): writing the reserved value 2 must read back as a legal mode.
 * QEMU 7.2 stores 2 unchanged, so this file is in peer-known-bad.
 */
#include "vireo.h"

int main(void)
{
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, 2UL << MSTATUS_MPP_SHIFT);
    unsigned long mpp = (csr_read(mstatus) & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    CHECK(1, mpp == PRV_U || mpp == PRV_S || mpp == PRV_M);
    /* the legal values are all kept */
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, (unsigned long)PRV_S << MSTATUS_MPP_SHIFT);
    CHECK_EQ(2, csr_read(mstatus) & MSTATUS_MPP, (unsigned long)PRV_S << MSTATUS_MPP_SHIFT);
    csr_set(mstatus, MSTATUS_MPP);
    CHECK_EQ(3, csr_read(mstatus) & MSTATUS_MPP, MSTATUS_MPP);
    csr_clear(mstatus, MSTATUS_MPP);
    CHECK_EQ(4, csr_read(mstatus) & MSTATUS_MPP, 0);
    return 0;
}
