/*
 * rva-lrsc.S — LR/SC (unprivileged spec §8.2): success writes 0 and the
 * value, failure writes nonzero and leaves memory alone; every SC (success
 * or not) invalidates the reservation; lr.w sign-extends; aq/rl variants.
 * An SC to an address outside the reserved word fails: the spec lets the
 * reservation set be larger, but QEMU (and Vireo) reserve exactly the LR
 * address, as does spike.  Misaligned LR/SC raise address-misaligned
 * for LR (the other option the spec gives is an access fault; QEMU takes
 * this one).  Misaligned SC is in rva-misaligned.S (QEMU 7.2 gets it wrong).
 */
#include "test.h"

    .data
    .align 12
word:
    .dword 0x00000000fffffff0, 0
    .align 12
other:
    .dword 0, 0

TEST_BEGIN
    /* lr.d / sc.d success */
    TCASE(1, a0, 0x00000000fffffff0, la a1, word; lr.d a0, (a1))
    TCASE(2, a3, 0, li a2, 42; sc.d a3, a2, (a1))
    TCASE(3, a0, 42, ld a0, 0(a1))
    /* the reservation is gone after an SC: a second SC fails */
    TCASE(4, a3, 1, li a2, 43; sc.d a3, a2, (a1); snez a3, a3)
    TCASE(5, a0, 42, ld a0, 0(a1))
    /* lr.w sign-extends; sc.w writes only 4 bytes */
    TCASE(6, a0, 0xfffffffffffffff0, la a1, word; li t0, 0x12345678fffffff0; sd t0, 0(a1); lr.w a0, (a1))
    TCASE(7, a3, 0, li a2, 0x7777777700000005; sc.w a3, a2, (a1))
    TCASE(8, a0, 0x1234567800000005, ld a0, 0(a1))
    TCASE(9, a3, 1, li a2, 6; sc.w a3, a2, (a1); snez a3, a3)
    TCASE(10, a0, 0x1234567800000005, ld a0, 0(a1))
    /* SC to another address fails and writes nothing */
    TCASE(11, a3, 1, la a1, word; la a4, other; lr.d a0, (a1); li a2, 99; sc.d a3, a2, (a4); snez a3, a3)
    TCASE(12, a0, 0, la a4, other; ld a0, 0(a4))
    /* ...and it consumed the reservation on word too */
    TCASE(13, a3, 1, la a1, word; li a2, 98; sc.d a3, a2, (a1); snez a3, a3)
    /* a counter built from lr/sc loops (classic usage) */
    TCASE(14, a0, 3, la a1, other; sd zero, 0(a1); li a5, 3; 1: lr.d a0, (a1); addi a0, a0, 1; sc.d a3, a0, (a1); bnez a3, 1b; addi a5, a5, -1; bnez a5, 1b; ld a0, 0(a1))
    /* aq / rl / aqrl forms */
    TCASE(15, a3, 0, la a1, word; lr.w.aq a0, (a1); sc.w.rl a3, a0, (a1))
    TCASE(16, a3, 0, la a1, word; lr.d.aqrl a0, (a1); sc.d.aqrl a3, a0, (a1))
    TCASE(17, a3, 0, la a1, word; lr.d.aq a0, (a1); sc.d.rl a3, a0, (a1))
    TCASE(18, a3, 0, la a1, word; lr.w.aqrl a0, (a1); sc.w.aqrl a3, a0, (a1))
    TCASE(19, a3, 0, la a1, word; lr.w.rl a0, (a1); sc.w.aq a3, a0, (a1))
    /* misaligned LR / SC */
    TRAP_ARM
    TCASE(20, a0, CAUSE_MISALIGNED_LOAD, la a1, word; addi a1, a1, 4; lr.d a0, (a1); TRAP_FIELD(a0, TREC_CAUSE))
    TCASE(21, a0, 0, TRAP_FIELD(a0, TREC_TVAL); la a1, word; addi a1, a1, 4; sub a0, a0, a1)
    TRAP_ARM
    TCASE(22, a0, CAUSE_MISALIGNED_LOAD, la a1, word; addi a1, a1, 2; lr.w a0, (a1); TRAP_FIELD(a0, TREC_CAUSE))
    TRAP_DISARM
TEST_PASS
