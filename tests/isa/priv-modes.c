/*
 * priv-modes.c — privilege transitions (priv spec v1.12 §3.1.6.1, §3.3.2,
 * §4.1.1): ecall causes from U/S/M, the MPP/MPIE/MIE stack on traps and
 * mret, SPP/SPIE/SIE on sret, mret/sret setting xPP to U (the least
 * privileged mode), MPRV kept by an mret to M, and mret/sret being illegal
 * below their own mode.
 */
#include "vireo.h"

static long do_ecall(long arg)
{
    (void)arg;
    asm volatile("ecall" ::: "memory");
    return 7;
}

static long do_ebreak(long arg)
{
    (void)arg;
    asm volatile("ebreak" ::: "memory");
    return 6;
}

/* Returns 1 after running a c.nop placed at an address = 2 mod 4. */
static long mret_to_halfword(void)
{
    long r;
    asm volatile(".option push\n .option rvc\n"
                 " li %0, 0\n la t0, 2f\n csrw mepc, t0\n"
                 " li t0, %1\n csrs mstatus, t0\n"
                 " mret\n"
                 " .balign 4\n c.nop\n"
                 "2: c.li %0, 1\n"
                 ".option pop"
                 : "=r"(r) : "i"(MSTATUS_MPP) : "t0", "memory");
    return r;
}

static long do_mret(long arg)
{
    (void)arg;
    asm volatile("mret" ::: "memory");
    return 8;
}

static long do_sret(long arg)
{
    (void)arg;
    asm volatile("sret" ::: "memory");
    return 9;
}

static long do_wfi_check(long arg)
{
    (void)arg;
    asm volatile("csrr a0, mstatus" ::: "a0", "memory");
    return 10;
}

/* In S: sret to S with SPIE = 1, SIE = 0, then report sstatus. */
static long s_sret_to_s(long arg)
{
    (void)arg;
    unsigned long before, after;
    csr_clear(sstatus, MSTATUS_SIE);
    csr_set(sstatus, MSTATUS_SPIE | MSTATUS_SPP);
    before = csr_read(sstatus);
    asm volatile("la t0, 1f\n csrw sepc, t0\n sret\n 1:" ::: "t0", "memory");
    after = csr_read(sstatus);
    csr_clear(sstatus, MSTATUS_SIE);
    CHECK_EQ(40, before & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP),
             MSTATUS_SPIE | MSTATUS_SPP);
    CHECK_EQ(41, after & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP),
             MSTATUS_SIE | MSTATUS_SPIE);   /* SIE=SPIE, SPIE=1, SPP=U */
    /* sstatus is a view of mstatus: M-only fields are not visible */
    CHECK_EQ(42, after & (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP), 0);
    return 1;
}

static unsigned long mpp_of(unsigned long status)
{
    return (status & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
}

int main(void)
{
    /* ecall from each mode: cause and the MPP recorded by the trap */
    trap_arm(&vireo_mtrap);
    CHECK_EQ(1, vireo_run(PRV_U, do_ecall, 0), 7);
    CHECK_EQ(2, vireo_mtrap.cause, CAUSE_USER_ECALL);
    CHECK_EQ(3, mpp_of(vireo_mtrap.status), PRV_U);
    trap_arm(&vireo_mtrap);
    CHECK_EQ(4, vireo_run(PRV_S, do_ecall, 0), 7);
    CHECK_EQ(5, vireo_mtrap.cause, CAUSE_SUPERVISOR_ECALL);
    CHECK_EQ(6, mpp_of(vireo_mtrap.status), PRV_S);
    trap_arm(&vireo_mtrap);
    CHECK_EQ(7, do_ecall(0), 7);
    CHECK_EQ(8, vireo_mtrap.cause, CAUSE_MACHINE_ECALL);
    CHECK_EQ(9, mpp_of(vireo_mtrap.status), PRV_M);
    CHECK_EQ(10, vireo_mtrap.count, 1);

    /* ebreak from U and S: cause 3, mepc = the ebreak */
    trap_arm(&vireo_mtrap);
    CHECK_EQ(33, vireo_run(PRV_U, do_ebreak, 0), 6);
    CHECK_EQ(34, vireo_mtrap.cause, CAUSE_BREAKPOINT);
    CHECK(35, vireo_mtrap.epc >= (unsigned long)do_ebreak &&
              vireo_mtrap.epc < (unsigned long)do_ebreak + 8);
    trap_arm(&vireo_mtrap);
    CHECK_EQ(36, vireo_run(PRV_S, do_ebreak, 0), 6);
    CHECK_EQ(37, mpp_of(vireo_mtrap.status), PRV_S);
    trap_disarm(&vireo_mtrap);
    /* with C, mepc may point at a 2-byte boundary: no misaligned fetch
     * (instruction-address-misaligned cannot occur while misa.C = 1, and
     * misa is read-only on QEMU and Vireo, so C cannot be turned off) */
    CHECK_EQ(38, mret_to_halfword(), 1);

    /* a trap taken with MIE = 1 saves it in MPIE and clears MIE */
    csr_write(mie, 0);
    csr_set(mstatus, MSTATUS_MIE);
    trap_arm(&vireo_mtrap);
    do_ecall(0);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(11, vireo_mtrap.status & (MSTATUS_MIE | MSTATUS_MPIE), MSTATUS_MPIE);
    /* and with MIE = 0: MPIE = 0 */
    trap_arm(&vireo_mtrap);
    do_ecall(0);
    CHECK_EQ(12, vireo_mtrap.status & (MSTATUS_MIE | MSTATUS_MPIE), 0);
    trap_disarm(&vireo_mtrap);

    /* mret from M to M: MIE = MPIE, MPIE = 1, MPP = U */
    csr_clear(mstatus, MSTATUS_MIE);
    csr_set(mstatus, MSTATUS_MPIE | MSTATUS_MPP);
    asm volatile("la t0, 1f\n csrw mepc, t0\n mret\n 1:" ::: "t0", "memory");
    unsigned long st = csr_read(mstatus);
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(13, st & (MSTATUS_MIE | MSTATUS_MPIE), MSTATUS_MIE | MSTATUS_MPIE);
    CHECK_EQ(14, mpp_of(st), PRV_U);
    /* mret with MPIE = 0 leaves MIE = 0 */
    csr_clear(mstatus, MSTATUS_MPIE);
    csr_set(mstatus, MSTATUS_MPP);
    asm volatile("la t0, 1f\n csrw mepc, t0\n mret\n 1:" ::: "t0", "memory");
    CHECK_EQ(15, csr_read(mstatus) & (MSTATUS_MIE | MSTATUS_MPIE), MSTATUS_MPIE);

    /* MPRV is kept by an mret to M (clearing on mret/sret to lower modes:
     * priv-mprv-clear.c) */
    csr_set(mstatus, MSTATUS_MPP);
    csr_set(mstatus, MSTATUS_MPRV);
    asm volatile("la t0, 1f\n csrw mepc, t0\n mret\n 1:" ::: "t0", "memory");
    CHECK_EQ(16, csr_read(mstatus) & MSTATUS_MPRV, MSTATUS_MPRV);
    csr_clear(mstatus, MSTATUS_MPRV);

    /* (MPP = 2 being WARL-legalised: priv-mpp-warl.c) */

    /* mret below M and sret in U are illegal; mstatus is M-only */
    trap_arm(&vireo_mtrap);
    CHECK_EQ(20, vireo_run(PRV_S, do_mret, 0), 8);
    CHECK_EQ(21, vireo_mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
    CHECK_EQ(22, vireo_mtrap.tval, 0x30200073);           /* mret's bits */
    trap_arm(&vireo_mtrap);
    CHECK_EQ(23, vireo_run(PRV_U, do_mret, 0), 8);
    CHECK_EQ(24, vireo_mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
    trap_arm(&vireo_mtrap);
    CHECK_EQ(25, vireo_run(PRV_U, do_sret, 0), 9);
    CHECK_EQ(26, vireo_mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
    CHECK_EQ(27, vireo_mtrap.tval, 0x10200073);           /* sret's bits */
    trap_arm(&vireo_mtrap);
    CHECK_EQ(28, vireo_run(PRV_S, do_wfi_check, 0), 10);
    CHECK_EQ(29, vireo_mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
    CHECK_EQ(30, mpp_of(vireo_mtrap.status), PRV_S);
    trap_disarm(&vireo_mtrap);

    /* sret from S to S */
    CHECK_EQ(31, vireo_run(PRV_S, s_sret_to_s, 0), 1);
    /* after that sret, SPP = U: an sret from M now goes to U */
    CHECK_EQ(32, csr_read(mstatus) & MSTATUS_SPP, 0);
    return 0;
}
