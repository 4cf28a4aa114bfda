/*
 * boot.c — the machine contract at reset: the hart starts in M-mode at the
 * ELF entry with a0 = hartid (= mhartid = 0), misa reports RV64 (MXL = 2)
 * with I, M, A, F, D, C, S and U, mstatus.SXL/UXL = 2 (64-bit S and U),
 * and the CLINT's mtime is running.
 */
#include "intr.h"

#define EXT(c) (1UL << ((c) - 'A'))

int main(void)
{
    CHECK_EQ(1, vireo_boot_a0, csr_read(mhartid));
    CHECK_EQ(2, csr_read(mhartid), 0);
    unsigned long misa = csr_read(misa);
    CHECK_EQ(3, misa >> 62, 2);
    unsigned long need = EXT('I') | EXT('M') | EXT('A') | EXT('F') | EXT('D') |
                         EXT('C') | EXT('S') | EXT('U');
    CHECK_EQ(4, misa & need, need);
    CHECK_EQ(5, misa & EXT('E'), 0);
    unsigned long st = csr_read(mstatus);
    CHECK_EQ(6, (st & MSTATUS_SXL) >> 34, 2);
    CHECK_EQ(7, (st & MSTATUS_UXL) >> 32, 2);
    uint64_t t0 = mtime_now();
    for (volatile int i = 0; i < 10000; i++)
        ;
    CHECK(8, mtime_now() > t0);
    /* we run in M: M-only CSRs are accessible */
    trap_arm(&vireo_mtrap);
    (void)csr_read(mscratch);
    (void)csr_read(medeleg);
    trap_disarm(&vireo_mtrap);
    CHECK_EQ(9, vireo_mtrap.count, 0);
    return 0;
}
