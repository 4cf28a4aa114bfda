/*
 * priv-tvec.c — mtvec/stvec modes (priv spec v1.12 §3.1.7, §4.1.2): in
 * vectored mode (MODE = 1) exceptions go to BASE and interrupts to
 * BASE + 4 * cause; direct mode sends everything to BASE.
 *
 * Each vector slot jumps to a stub that writes its slot number into fflags
 * (a CSR both M and S may write and that the trap code leaves alone) and
 * then enters the runtime's normal trap entry.
 */
#include "vireo.h"

asm(".pushsection .text\n"
    ".option push\n .option norvc\n"
    ".align 8\n"
    ".globl mvec\n"
    "mvec:\n"
    " j mstub0\n j mstub1\n j mstub2\n j mstub3\n j mstub4\n j mstub5\n"
    " j mstub6\n j mstub7\n j mstub8\n j mstub9\n j mstub10\n j mstub11\n"
    "mstub0: csrwi fflags, 16\n j vireo_mtrap_entry\n"
    "mstub1: csrwi fflags, 1\n j vireo_mtrap_entry\n"
    "mstub2: csrwi fflags, 2\n j vireo_mtrap_entry\n"
    "mstub3: csrwi fflags, 3\n j vireo_mtrap_entry\n"
    "mstub4: csrwi fflags, 4\n j vireo_mtrap_entry\n"
    "mstub5: csrwi fflags, 5\n j vireo_mtrap_entry\n"
    "mstub6: csrwi fflags, 6\n j vireo_mtrap_entry\n"
    "mstub7: csrwi fflags, 7\n j vireo_mtrap_entry\n"
    "mstub8: csrwi fflags, 8\n j vireo_mtrap_entry\n"
    "mstub9: csrwi fflags, 9\n j vireo_mtrap_entry\n"
    "mstub10: csrwi fflags, 10\n j vireo_mtrap_entry\n"
    "mstub11: csrwi fflags, 11\n j vireo_mtrap_entry\n"
    ".align 8\n"
    ".globl svec\n"
    "svec:\n"
    " j sstub0\n j sstub1\n j sstub2\n j sstub3\n j sstub4\n j sstub5\n"
    "sstub0: csrwi fflags, 16\n j vireo_strap_entry\n"
    "sstub1: csrwi fflags, 1\n j vireo_strap_entry\n"
    "sstub2: csrwi fflags, 2\n j vireo_strap_entry\n"
    "sstub3: csrwi fflags, 3\n j vireo_strap_entry\n"
    "sstub4: csrwi fflags, 4\n j vireo_strap_entry\n"
    "sstub5: csrwi fflags, 5\n j vireo_strap_entry\n"
    ".option pop\n"
    ".popsection\n");
extern char mvec[], svec[];

static unsigned long fflags_read(void)
{
    unsigned long v;
    asm volatile("frflags %0" : "=r"(v) : : "memory");
    return v;
}

static void fflags_mark(void)
{
    asm volatile("csrwi fflags, 31" ::: "memory");
}

static long u_illegal(long arg)
{
    (void)arg;
    asm volatile(".word 0xffffffff" ::: "memory");
    return 3;
}

static long s_wait_ssi(long arg)
{
    (void)arg;
    csr_set(sie, MIP_SSIP);
    csr_set(sstatus, MSTATUS_SIE);
    for (long i = 0; i < 100000 && !vireo_strap.count; i++)
        barrier();
    csr_clear(sstatus, MSTATUS_SIE);
    csr_clear(sip, MIP_SSIP);
    return (long)vireo_strap.count;
}

static void wait_mtrap(void)
{
    for (long i = 0; i < 1000000 && !vireo_mtrap.count; i++)
        barrier();
}

int main(void)
{
    csr_write(mtvec, (unsigned long)mvec | 1);
    CHECK_EQ(1, csr_read(mtvec), (unsigned long)mvec | 1);
    /* exception: BASE */
    trap_arm(&vireo_mtrap);
    fflags_mark();
    asm volatile("ecall" ::: "memory");
    CHECK_EQ(2, vireo_mtrap.cause, CAUSE_MACHINE_ECALL);
    CHECK_EQ(3, fflags_read(), 16);
    /* machine software interrupt: BASE + 12 */
    trap_arm(&vireo_mtrap);
    fflags_mark();
    csr_write(mie, MIP_MSIP);
    mmio_write32(CLINT_MSIP, 1);
    csr_set(mstatus, MSTATUS_MIE);
    wait_mtrap();
    csr_clear(mstatus, MSTATUS_MIE);
    mmio_write32(CLINT_MSIP, 0);
    CHECK_EQ(4, vireo_mtrap.cause, CAUSE_INTERRUPT | IRQ_M_SOFT);
    CHECK_EQ(5, fflags_read(), 3);
    /* machine timer interrupt: BASE + 28 */
    trap_arm(&vireo_mtrap);
    fflags_mark();
    mmio_write64(CLINT_MTIMECMP, 0);
    csr_write(mie, MIP_MTIP);
    csr_set(mstatus, MSTATUS_MIE);
    wait_mtrap();
    csr_clear(mstatus, MSTATUS_MIE);
    mmio_write64(CLINT_MTIMECMP, ~0ULL);
    CHECK_EQ(6, vireo_mtrap.cause, CAUSE_INTERRUPT | IRQ_M_TIMER);
    CHECK_EQ(7, fflags_read(), 7);
    /* supervisor software interrupt taken in M: BASE + 4 */
    trap_arm(&vireo_mtrap);
    fflags_mark();
    csr_write(mie, MIP_SSIP);
    csr_set(mip, MIP_SSIP);
    csr_set(mstatus, MSTATUS_MIE);
    wait_mtrap();
    csr_clear(mstatus, MSTATUS_MIE);
    csr_clear(mip, MIP_SSIP);
    CHECK_EQ(8, vireo_mtrap.cause, CAUSE_INTERRUPT | IRQ_S_SOFT);
    CHECK_EQ(9, fflags_read(), 1);
    /* back to direct mode: an interrupt goes to BASE itself */
    csr_write(mtvec, (unsigned long)mvec);
    CHECK_EQ(10, csr_read(mtvec), (unsigned long)mvec);
    trap_arm(&vireo_mtrap);
    fflags_mark();
    csr_write(mie, MIP_MSIP);
    mmio_write32(CLINT_MSIP, 1);
    csr_set(mstatus, MSTATUS_MIE);
    wait_mtrap();
    csr_clear(mstatus, MSTATUS_MIE);
    mmio_write32(CLINT_MSIP, 0);
    CHECK_EQ(11, vireo_mtrap.cause, CAUSE_INTERRUPT | IRQ_M_SOFT);
    CHECK_EQ(12, fflags_read(), 16);
    csr_write(mtvec, (unsigned long)vireo_mtrap_entry);
    trap_disarm(&vireo_mtrap);
    csr_write(mie, 0);

    /* stvec vectored: delegated exception to BASE, SSI to BASE + 4 */
    csr_write(stvec, (unsigned long)svec | 1);
    CHECK_EQ(13, csr_read(stvec), (unsigned long)svec | 1);
    csr_write(medeleg, 1UL << CAUSE_ILLEGAL_INSTRUCTION);
    trap_arm(&vireo_strap);
    fflags_mark();
    CHECK_EQ(14, vireo_run(PRV_U, u_illegal, 0), 3);
    CHECK_EQ(15, vireo_strap.cause, CAUSE_ILLEGAL_INSTRUCTION);
    CHECK_EQ(16, fflags_read(), 16);
    csr_write(mideleg, MIP_SSIP);
    trap_arm(&vireo_strap);
    fflags_mark();
    csr_set(mip, MIP_SSIP);
    CHECK_EQ(17, vireo_run(PRV_S, s_wait_ssi, 0), 1);
    CHECK_EQ(18, vireo_strap.cause, CAUSE_INTERRUPT | IRQ_S_SOFT);
    CHECK_EQ(19, fflags_read(), 1);
    csr_write(stvec, (unsigned long)vireo_strap_entry);
    csr_write(medeleg, 0);
    csr_write(mideleg, 0);
    trap_disarm(&vireo_strap);
    return 0;
}
