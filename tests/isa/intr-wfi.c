/*
 * intr-wfi.c — WFI (priv spec v1.12 §3.3.3): it resumes when an interrupt
 * becomes pending and enabled in mie, even with mstatus.MIE = 0 (then no
 * trap is taken); with MIE = 1 the trap is taken with mepc = the
 * instruction after the wfi; a wfi with an interrupt already pending does
 * not stall; in S (TW = 0) an M interrupt wakes it and traps to M.
 */
#include "intr.h"

/*
 * How far ahead the timer is armed before a WFI that must be what the
 * interrupt ends. With MIE = 1 (or from S) the interrupt is taken by the
 * first instruction that sees it: if it came due before the WFI (the
 * emulator descheduled by a busy host), the handler would run early and
 * the WFI then wait for ever. 0.5 ms proved too short on a loaded CI
 * machine (once in a dozen runs, for QEMU and Vireo alike); 50 ms of
 * mtime costs the test 0.1 s.
 */
#define WFI_DELAY (SPIKE_TIMEBASE_HZ / 20)

static long s_wfi(long arg)
{
    (void)arg;
    asm volatile("wfi" ::: "memory");
    return (long)vireo_mtrap.count;
}

int main(void)
{
    /* MIE = 0: wfi returns once MTIP is pending, no trap */
    trap_arm(&vireo_mtrap);
    csr_write(mie, MIP_MTIP);
    mtimecmp_set(mtime_now() + WFI_DELAY);
    asm volatile("wfi" ::: "memory");
    CHECK_EQ(1, csr_read(mip) & MIP_MTIP, MIP_MTIP);
    CHECK_EQ(2, vireo_mtrap.count, 0);
    /* already pending: wfi does not stall */
    asm volatile("wfi" ::: "memory");
    CHECK_EQ(3, vireo_mtrap.count, 0);
    mtimecmp_set(~0ULL);
    /* MIE = 1: the trap is taken, mepc = after the wfi */
    unsigned long after;
    mtimecmp_set(mtime_now() + WFI_DELAY);
    csr_set(mstatus, MSTATUS_MIE);
    asm volatile("la %0, 1f\n wfi\n 1:" : "=r"(after) : : "memory");
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(4, vireo_mtrap.count, 1);
    CHECK_EQ(5, vireo_mtrap.cause, CAUSE_INTERRUPT | IRQ_M_TIMER);
    CHECK_EQ(6, vireo_mtrap.epc, after);
    mtimecmp_set(~0ULL);
    /* a pending software interrupt, enabled only in mie, ends it too */
    trap_arm(&vireo_mtrap);
    csr_write(mie, 0);
    msip_set(1);
    csr_write(mie, MIP_MSIP);
    asm volatile("wfi" ::: "memory");
    CHECK_EQ(7, vireo_mtrap.count, 0);
    msip_set(0);
    /* WFI in S with TW = 0: an M timer interrupt ends it, taken to M */
    trap_arm(&vireo_mtrap);
    csr_write(mie, MIP_MTIP);
    mtimecmp_set(mtime_now() + WFI_DELAY);
    CHECK_EQ(8, vireo_run(PRV_S, s_wfi, 0), 1);
    CHECK_EQ(9, vireo_mtrap.cause, CAUSE_INTERRUPT | IRQ_M_TIMER);
    mtimecmp_set(~0ULL);
    csr_write(mie, 0);
    trap_disarm(&vireo_mtrap);
    return 0;
}
