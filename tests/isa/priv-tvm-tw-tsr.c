/*
 * priv-tvm-tw-tsr.c — mstatus trap-virtualisation bits (priv spec v1.12
 * §3.1.6.5): TVM makes S-mode satp accesses and sfence.vma illegal, TW
 * makes WFI in S illegal (QEMU and Vireo trap at once: the "bounded time"
 * is zero), TSR makes sret in S illegal.  In M-mode none of them apply.
 * WFI in U is illegal whatever TW says (QEMU's choice for "unless it
 * completes within an implementation-specific time").
 */
#include "vireo.h"

static long s_satp(long arg)
{
    (void)arg;
    return (long)csr_read(satp);
}

static long s_satp_write(long arg)
{
    (void)arg;
    csr_write(satp, 0);
    return 1;
}

static long s_sfence(long arg)
{
    (void)arg;
    asm volatile("sfence.vma" ::: "memory");
    return 2;
}

static long do_wfi(long arg)
{
    (void)arg;
    asm volatile("wfi" ::: "memory");
    return 3;
}

static long s_sret(long arg)
{
    (void)arg;
    asm volatile("la t0, 1f\n csrw sepc, t0\n li t0, %0\n csrs sstatus, t0\n"
                 "sret\n1:" : : "i"(MSTATUS_SPP) : "t0", "memory");
    return 4;
}

static unsigned long illegal_count(long (*fn)(long), int mode)
{
    trap_arm(&vireo_mtrap);
    vireo_run(mode, fn, 0);
    trap_disarm(&vireo_mtrap);
    if (vireo_mtrap.count && vireo_mtrap.cause != CAUSE_ILLEGAL_INSTRUCTION)
        return 100 + vireo_mtrap.cause;
    return vireo_mtrap.count;
}

int main(void)
{
    /* all clear: S may use satp, sfence.vma and sret */
    CHECK_EQ(1, illegal_count(s_satp, PRV_S), 0);
    CHECK_EQ(2, illegal_count(s_satp_write, PRV_S), 0);
    CHECK_EQ(3, illegal_count(s_sfence, PRV_S), 0);
    CHECK_EQ(4, illegal_count(s_sret, PRV_S), 0);
    /* TVM */
    csr_set(mstatus, MSTATUS_TVM);
    CHECK_EQ(5, illegal_count(s_satp, PRV_S), 1);
    CHECK_EQ(6, vireo_mtrap.tval, 0x18002573);           /* csrr a0, satp */
    CHECK_EQ(7, illegal_count(s_satp_write, PRV_S), 1);
    CHECK_EQ(8, illegal_count(s_sfence, PRV_S), 1);
    CHECK_EQ(9, vireo_mtrap.tval, 0x12000073);           /* sfence.vma */
    csr_write(satp, 0);                                  /* M is not affected */
    asm volatile("sfence.vma" ::: "memory");
    CHECK_EQ(10, illegal_count(s_sret, PRV_S), 0);
    csr_clear(mstatus, MSTATUS_TVM);
    /* TW: WFI in S traps; in U it always traps */
    csr_set(mstatus, MSTATUS_TW);
    CHECK_EQ(11, illegal_count(do_wfi, PRV_S), 1);
    CHECK_EQ(12, vireo_mtrap.tval, 0x10500073);          /* wfi */
    CHECK_EQ(13, illegal_count(do_wfi, PRV_U), 1);
    csr_clear(mstatus, MSTATUS_TW);
    CHECK_EQ(14, illegal_count(do_wfi, PRV_U), 1);
    /* TSR */
    csr_set(mstatus, MSTATUS_TSR);
    CHECK_EQ(15, illegal_count(s_sret, PRV_S), 1);
    CHECK_EQ(16, vireo_mtrap.tval, 0x10200073);          /* sret */
    CHECK_EQ(17, illegal_count(s_satp, PRV_S), 0);
    csr_clear(mstatus, MSTATUS_TSR);
    CHECK_EQ(18, illegal_count(s_sret, PRV_S), 0);
    return 0;
}
