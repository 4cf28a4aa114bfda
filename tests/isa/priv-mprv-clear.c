/*
 * priv-mprv-clear.c — "An MRET or SRET instruction that changes the
 * privilege mode to a mode less privileged than M also sets MPRV=0"
 * (priv spec v1.12 §3.1.6.3).  QEMU 7.2 leaves MPRV set, so this file is
 * in peer-known-bad.
 */
#include "vireo.h"

static long do_ecall(long arg)
{
    (void)arg;
    asm volatile("ecall" ::: "memory");
    return 7;
}

/* In S: sret to U (SPP = 0) into a function that ecalls to M. */
static long s_sret_to_u(long arg)
{
    (void)arg;
    /* In U: one recorded ecall, then the one that ends vireo_run(). */
    asm volatile("csrc sstatus, %0\n la t0, 1f\n csrw sepc, t0\n sret\n"
                 "1: ecall\n li a0, 5\n li a7, %1\n ecall"
                 : : "r"(MSTATUS_SPP), "i"(VIREO_ECALL_RETURN)
                 : "t0", "a0", "a7", "memory");
    return 0; /* not reached */
}

int main(void)
{
    csr_set(mstatus, MSTATUS_MPRV);
    trap_arm(&vireo_mtrap);
    CHECK_EQ(1, vireo_run(PRV_U, do_ecall, 0), 7);
    CHECK_EQ(2, vireo_mtrap.status & MSTATUS_MPRV, 0);
    csr_set(mstatus, MSTATUS_MPRV);
    trap_arm(&vireo_mtrap);
    CHECK_EQ(3, vireo_run(PRV_S, do_ecall, 0), 7);
    CHECK_EQ(4, vireo_mtrap.status & MSTATUS_MPRV, 0);
    trap_disarm(&vireo_mtrap);
    /* sret from S to U also clears it (set while S runs, via M) */
    csr_set(mstatus, MSTATUS_MPRV);
    trap_arm(&vireo_mtrap);
    CHECK_EQ(5, vireo_run(PRV_S, s_sret_to_u, 0), 5);
    trap_disarm(&vireo_mtrap);
    CHECK_EQ(6, vireo_mtrap.cause, CAUSE_USER_ECALL);
    CHECK_EQ(7, vireo_mtrap.status & MSTATUS_MPRV, 0);
    return 0;
}
