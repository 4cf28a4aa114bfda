/*
 * rv64i-system.S — fence variants, ecall and ebreak from M-mode (priv spec
 * §3.3.1: mcause 11 / 3, mepc = address of the instruction).  mtval for a
 * breakpoint may be 0 or the pc (§3.1.16); QEMU 7.2 writes 0, so either is
 * accepted here.
 */
#include "test.h"

TEST_BEGIN
    /* fences are ordering-only on one hart: they must simply execute */
    TCASE(1, a0, 3, li a0, 1; fence; addi a0, a0, 1; fence rw, rw; fence iorw, iorw; fence r, w; fence w, r; fence.tso; fence i, o; addi a0, a0, 1)
    /* ecall from M */
    TRAP_ARM
    TCASE(2, a0, CAUSE_MACHINE_ECALL, 1: ecall; TRAP_FIELD(a0, TREC_CAUSE))
    TCASE(3, a0, 0, TRAP_FIELD(a0, TREC_EPC); la a1, 1b; sub a0, a0, a1)
    TCASE(4, a0, 1, TRAP_FIELD(a0, TREC_COUNT))
    /* ebreak */
    TRAP_ARM
    /* the 32-bit encoding (c.ebreak is tested in rvc.S) */
    TCASE(5, a0, CAUSE_BREAKPOINT, .option push; .option norvc; 1: ebreak; .option pop; TRAP_FIELD(a0, TREC_CAUSE))
    TCASE(6, a0, 0, TRAP_FIELD(a0, TREC_EPC); la a1, 1b; sub a0, a0, a1)
    TSTART(7, "ebreak mtval is 0 or the pc")
    TRAP_FIELD(a0, TREC_TVAL)
    beqz a0, 2f
    la a1, 1b
    beq a0, a1, 2f
    TFAIL
2:
    /* mstatus.MPP = M after a trap from M */
    TCASE(8, a0, MSTATUS_MPP, TRAP_FIELD(a0, TREC_STATUS); li a1, MSTATUS_MPP; and a0, a0, a1)
    /* an ecall does not advance mepc: the handler skipped it (count 1) */
    TCASE(9, a0, 1, TRAP_FIELD(a0, TREC_COUNT))
    TRAP_DISARM
TEST_PASS
