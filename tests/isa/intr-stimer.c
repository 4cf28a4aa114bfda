/*
 * intr-stimer.c — supervisor timer interrupt (priv spec v1.12 §3.1.9,
 * §4.1.3; Sstc v1.0).  Without Sstc (menvcfg.STCE = 0) M-mode drives
 * mip.STIP by writing it, and STIP traps with cause interrupt | 5 to M or,
 * delegated, to S.  With Sstc, stimecmp drives STIP (time >= stimecmp)
 * and M's writes to mip.STIP are ignored; S reaches stimecmp only when
 * menvcfg.STCE and mcounteren.TM are set.
 *
 * Sstc needs a time source for the hart.  QEMU's spike machine has none
 * (stimecmp and time raise illegal instruction even with STCE = 1); then
 * the Sstc part is skipped and the test says so on the console.
 */
#include "intr.h"

#define MENVCFG_STCE (1UL << 63)

static long s_wait(long arg)
{
    (void)arg;
    csr_set(sie, MIP_STIP);
    csr_set(sstatus, MSTATUS_SIE);
    wait_count(&vireo_strap, 1);
    csr_clear(sstatus, MSTATUS_SIE);
    return (long)vireo_strap.count;
}

/* S programs stimecmp = time + arg and waits for its interrupt. */
static long s_sstc(long delta)
{
    csr_write(stimecmp, csr_read(time) + delta);
    unsigned long before = csr_read(sip) & MIP_STIP;
    long n = s_wait(0);
    csr_write(stimecmp, ~0UL);
    return n * 16 + (before ? 1 : 0) + ((csr_read(sip) & MIP_STIP) ? 2 : 0);
}

static long s_touch_stimecmp(long arg)
{
    (void)arg;
    return (long)csr_read(stimecmp);
}

int main(void)
{
    /* legacy: M writes STIP */
    csr_set(mip, MIP_STIP);
    CHECK_EQ(1, csr_read(mip) & MIP_STIP, MIP_STIP);
    trap_arm(&vireo_mtrap);
    csr_write(mie, MIP_STIP);
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(2, vireo_mtrap.count, 1);
    CHECK_EQ(3, vireo_mtrap.cause, CAUSE_INTERRUPT | IRQ_S_TIMER);
    csr_clear(mip, MIP_STIP);
    CHECK_EQ(4, csr_read(mip) & MIP_STIP, 0);
    /* delegated to S */
    csr_write(mie, 0);
    csr_write(mideleg, MIP_STIP);
    trap_arm(&vireo_strap);
    csr_set(mip, MIP_STIP);
    CHECK_EQ(5, vireo_run(PRV_S, s_wait, 0), 1);
    CHECK_EQ(6, vireo_strap.cause, CAUSE_INTERRUPT | IRQ_S_TIMER);
    csr_clear(mip, MIP_STIP);
    trap_disarm(&vireo_mtrap);

    /* Sstc */
    csr_set(menvcfg, MENVCFG_STCE);
    trap_arm(&vireo_mtrap);
    csr_write(stimecmp, ~0UL);
    trap_disarm(&vireo_mtrap);
    if (vireo_mtrap.count) {
        CHECK_EQ(7, vireo_mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
        vireo_printf("SKIP: no Sstc on this machine (stimecmp is illegal)\n");
        csr_write(mideleg, 0);
        return 0;
    }
    CHECK_EQ(8, csr_read(menvcfg) & MENVCFG_STCE, MENVCFG_STCE);
    CHECK_EQ(9, csr_read(mip) & MIP_STIP, 0);
    csr_set(mip, MIP_STIP);                       /* ignored with STCE */
    CHECK_EQ(10, csr_read(mip) & MIP_STIP, 0);
    csr_write(stimecmp, 0);                       /* in the past */
    CHECK_EQ(11, csr_read(mip) & MIP_STIP, MIP_STIP);
    csr_write(stimecmp, ~0UL);
    CHECK_EQ(12, csr_read(mip) & MIP_STIP, 0);
    /* S programs it: mcounteren.TM needed */
    csr_write(mcounteren, 0);
    trap_arm(&vireo_mtrap);
    vireo_run(PRV_S, s_touch_stimecmp, 0);
    trap_disarm(&vireo_mtrap);
    CHECK_EQ(13, vireo_mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
    csr_write(mcounteren, 2);
    trap_arm(&vireo_strap);
    CHECK_EQ(14, vireo_run(PRV_S, s_sstc, 20000), 16 + 0);
    CHECK_EQ(15, vireo_strap.cause, CAUSE_INTERRUPT | IRQ_S_TIMER);
    /* STCE = 0 hides stimecmp from S again */
    csr_clear(menvcfg, MENVCFG_STCE);
    trap_arm(&vireo_mtrap);
    vireo_run(PRV_S, s_touch_stimecmp, 0);
    trap_disarm(&vireo_mtrap);
    CHECK_EQ(16, vireo_mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
    trap_disarm(&vireo_strap);
    csr_write(mideleg, 0);
    csr_write(mcounteren, 0);
    return 0;
}
