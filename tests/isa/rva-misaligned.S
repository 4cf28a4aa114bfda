/*
 * rva-misaligned.S — a misaligned AMO or SC must raise store/AMO
 * address-misaligned (mcause 6, mtval = the address) or a store/AMO access
 * fault (unprivileged spec §8.2, §8.4: "an address-misaligned exception or
 * an access-fault exception will be generated"; priv spec Table 3.6 names
 * cause 6 "Store/AMO address misaligned").  This file is in peer-known-bad:
 *  - QEMU 7.2 raises *load* address misaligned (4) for a misaligned AMO
 *    when running one hart (its non-parallel AMO path is a load, then a
 *    store);
 *  - QEMU 7.2 checks the reservation before the alignment, so a misaligned
 *    SC (which can never hold a reservation) just fails with rd = 1 and
 *    raises nothing.
 */
#include "test.h"

    .data
    .align 4
mem:
    .dword 0, 0

#define T_AMO_MIS(n, op, off)                                                 \
    TRAP_ARM;                                                                 \
    TSTART(n, #op " at mem+" #off);                                           \
    la a1, mem; addi a1, a1, off; li a2, 1; op a0, a2, (a1);                  \
    TRAP_FIELD(a0, TREC_CAUSE);                                               \
    li t0, CAUSE_STORE_ACCESS; beq a0, t0, .Lok_##n;                          \
    TCHECK(n, a0, CAUSE_MISALIGNED_STORE);                                    \
    TRAP_FIELD(a0, TREC_TVAL); la a1, mem; addi a1, a1, off; mv t5, a0;       \
    mv t6, a1; bne t5, t6, vireo_fail_asm_fwd;                                \
.Lok_##n:

TEST_BEGIN
    T_AMO_MIS(1, amoadd.w, 2)
    T_AMO_MIS(2, amoswap.d, 4)
    T_AMO_MIS(3, amoor.d, 1)
    T_AMO_MIS(4, amomaxu.w, 3)
    /* SC: with a valid reservation on mem, and with none */
    TRAP_ARM
    TCASE(5, a0, CAUSE_MISALIGNED_STORE, la a1, mem; lr.d a3, (a1); addi a1, a1, 4; sc.d a3, a3, (a1); TRAP_FIELD(a0, TREC_CAUSE))
    TRAP_ARM
    TCASE(6, a0, CAUSE_MISALIGNED_STORE, la a1, mem; addi a1, a1, 1; sc.w a3, a3, (a1); TRAP_FIELD(a0, TREC_CAUSE))
    TRAP_DISARM
    TEST_PASS
vireo_fail_asm_fwd:
    j vireo_fail_asm
