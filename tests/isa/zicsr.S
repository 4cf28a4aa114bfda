/*
 * zicsr.S — the six CSR instructions (unprivileged spec ch. 9, priv spec
 * §2.1): rd gets the old value; csrrw/csrrwi always write; csrrs/csrrc
 * write only when rs1 != x0 (even if its value is 0) and csrrsi/csrrci
 * only when uimm != 0; a write to a read-only CSR (csr[11:10] = 3) or an
 * access to a missing CSR is an illegal instruction.  mtval holds the
 * faulting instruction's bits: the spec allows 0 or the bits, QEMU (and so
 * Vireo) writes the bits, and this test checks that choice.
 */
#include "test.h"

/* Expect an illegal-instruction trap from the instruction at label 1. */
#define T_ILLEGAL(n, insn...)                                                 \
    TRAP_ARM;                                                                 \
    TCASE(n, a0, CAUSE_ILLEGAL_INSTRUCTION, li a0, 0; 1: insn; TRAP_FIELD(a0, TREC_CAUSE))

TEST_BEGIN
    /* mscratch holds the trap stack (crt0.S): keep it in s1 meanwhile */
    csrr s1, mscratch
    /* csrrw */
    TCASE(1, a0, 0x1234, li a1, 0x1234; csrw mscratch, a1; li a1, -1; csrrw a0, mscratch, a1)
    TCASE(2, a0, -1, csrr a0, mscratch)
    TCASE(3, a0, 7, li a1, 7; csrrw x0, mscratch, a1; csrr a0, mscratch)
    TCASE(4, a1, 7, csrrw a1, mscratch, a1) /* rd == rs1: old value in, new = 7 */
    /* csrrs / csrrc */
    TCASE(5, a0, 0xf0, li a1, 0xf0; csrw mscratch, a1; li a1, 0x0f; csrrs a0, mscratch, a1)
    TCASE(6, a0, 0xff, csrr a0, mscratch)
    TCASE(7, a0, 0xff, li a1, 0x3c; csrrc a0, mscratch, a1)
    TCASE(8, a0, 0xc3, csrr a0, mscratch)
    TCASE(9, a0, 0xc3, csrrs a0, mscratch, x0)
    TCASE(10, a0, 0xc3, csrrc a0, mscratch, x0; csrr a0, mscratch)
    TCASE(11, a0, 0x8000000000000000, li a1, 0x8000000000000000; csrw mscratch, a1; csrrs a0, mscratch, zero)
    /* immediate forms: uimm is zero-extended 5 bits */
    TCASE(12, a0, 0x8000000000000000, csrrwi a0, mscratch, 31)
    TCASE(13, a0, 31, csrr a0, mscratch)
    TCASE(14, a0, 31, csrrci a0, mscratch, 0x11)
    TCASE(15, a0, 0x0e, csrr a0, mscratch)
    TCASE(16, a0, 0x0e, csrrsi a0, mscratch, 0x10)
    TCASE(17, a0, 0x1e, csrr a0, mscratch)
    TCASE(18, a0, 0x1e, csrrsi a0, mscratch, 0; csrrci x0, mscratch, 0; csrr a0, mscratch)
    TCASE(19, a0, 0, csrrwi x0, mscratch, 0; csrr a0, mscratch)
    csrw mscratch, s1
    /* read-only CSRs: reading (csrrs/csrrc x0, csrrsi/csrrci 0) is fine */
    TCASE(20, a0, 0, csrr a0, mhartid)
    TCASE(21, a0, 0, csrrc a0, mhartid, x0)
    TCASE(22, a0, 0, csrrsi a0, mhartid, 0; csrrci a0, mhartid, 0)
    TCASE(23, a0, 1, csrr a1, mvendorid; csrr a2, marchid; csrr a3, mimpid; csrr a4, cycle; li a0, 1)
    /* ...but any write attempt is illegal, even of an unchanged value */
    T_ILLEGAL(24, csrrw a0, mhartid, x0)
    /* (csrrs/csrrc with a zero-valued rs1 != x0: see zicsr-ro-zero.S) */
    T_ILLEGAL(25, csrrc a0, mimpid, t6) /* t6 = 2 (last expected value) */
    T_ILLEGAL(26, csrrwi a0, mvendorid, 0)
    T_ILLEGAL(27, csrrci a0, cycle, 1)
    T_ILLEGAL(28, csrrsi a0, time, 1)
    /* mtval = instruction bits, mepc = instruction address */
    TCASE(29, a0, 0, TRAP_FIELD(a0, TREC_TVAL); la a1, 1b; lwu a1, 0(a1); sub a0, a0, a1)
    TCASE(30, a0, 0, TRAP_FIELD(a0, TREC_EPC); la a1, 1b; sub a0, a0, a1)
    /* a CSR number that is not implemented (0x0ff, unallocated) */
    T_ILLEGAL(31, csrr a0, 0x0ff)
    /* csrr of a missing CSR must not have written rd */
    TCASE(32, a0, 0, li a0, 0; TRAP_ARM; li a0, 0x55; csrr a0, 0x0ff; li t1, 0x55; sub a0, a0, t1)
    TRAP_DISARM
TEST_PASS
