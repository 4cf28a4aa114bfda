/*
 * zicsr-ro-zero.S — csrrs/csrrc with rs1 != x0 attempt a write even when
 * the register holds 0 (unprivileged spec §9.1 and Table 9.1: "will still
 * attempt to write the unmodified value back"), so on a read-only CSR
 * (csr[11:10] = 3) they raise illegal instruction (priv spec §2.1).
 * QEMU 7.2 decides by the value (write mask 0 = no write) and does not
 * trap, so this file is in peer-known-bad.
 */
#include "test.h"

#define T_ILLEGAL(n, insn...)                                                 \
    TRAP_ARM;                                                                 \
    TCASE(n, a0, CAUSE_ILLEGAL_INSTRUCTION, li a0, 0; li a1, 0; insn; TRAP_FIELD(a0, TREC_CAUSE))

TEST_BEGIN
    T_ILLEGAL(1, csrrs a0, mhartid, a1)
    T_ILLEGAL(2, csrrc a0, mvendorid, a1)
    T_ILLEGAL(3, csrrs a2, cycle, a1)
    T_ILLEGAL(4, csrrc x0, instret, a1)
    TRAP_DISARM
TEST_PASS
