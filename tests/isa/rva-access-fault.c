/*
 * rva-access-fault.c — an AMO or SC to an address with nothing behind it
 * raises a *store/AMO* access fault (mcause 7, mtval = address; priv spec
 * v1.12 Table 3.6, §3.6.3), LR a load access fault (5).  QEMU 7.2 reports
 * cause 5 for AMOs (its one-hart AMO path is a load then a store), so this
 * file is in peer-known-bad.
 */
#include "vireo.h"

#define HOLE SPIKE_UNMAPPED_ADDR

#define TRY_AMO(insn)                                                         \
    do {                                                                      \
        long old_;                                                            \
        trap_arm(&vireo_mtrap);                                               \
        asm volatile(insn " %0, %1, (%2)" : "=r"(old_)                        \
                     : "r"(1L), "r"(HOLE) : "memory");                        \
        trap_disarm(&vireo_mtrap);                                            \
    } while (0)

int main(void)
{
    long v;
    trap_arm(&vireo_mtrap);
    asm volatile("lr.d %0, (%1)" : "=r"(v) : "r"(HOLE) : "memory");
    CHECK_EQ(1, vireo_mtrap.cause, CAUSE_LOAD_ACCESS);
    CHECK_EQ(2, vireo_mtrap.tval, HOLE);
    TRY_AMO("amoadd.d");
    CHECK_EQ(3, vireo_mtrap.cause, CAUSE_STORE_ACCESS);
    CHECK_EQ(4, vireo_mtrap.tval, HOLE);
    TRY_AMO("amoswap.w");
    CHECK_EQ(5, vireo_mtrap.cause, CAUSE_STORE_ACCESS);
    TRY_AMO("amomaxu.d");
    CHECK_EQ(6, vireo_mtrap.cause, CAUSE_STORE_ACCESS);
    return 0;
}
