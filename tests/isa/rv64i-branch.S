/*
 * rv64i-branch.S — conditional branches (taken / not taken, forward and
 * backward, signed vs unsigned compare) and jal/jalr (link value, jalr
 * clearing bit 0 of the target, rd == rs1) — unprivileged spec §2.5.
 */
#include "test.h"

#define TAKEN 2
#define NOT_TAKEN 1
/* a0 = 2 if `op a1, a2` branches forward, else 1. */
#define T_BR(n, op, expect, v1, v2)                                           \
    TCASE(n, a0, expect, li a0, 0; li a1, v1; li a2, v2; op a1, a2, 1f;       \
          li a0, NOT_TAKEN; j 2f; 1: li a0, TAKEN; 2:)
/* Backward branch: loop counting down from 3 with `op a1, zero`. */
#define T_BR_BACK(n, op, expect, v1)                                          \
    TCASE(n, a0, expect, li a0, 0; li a1, v1; 1: addi a0, a0, 1;             \
          addi a1, a1, -1; op a1, zero, 1b)

TEST_BEGIN
    T_BR(1, beq, TAKEN, 5, 5)
    T_BR(2, beq, NOT_TAKEN, 5, 6)
    T_BR(3, beq, NOT_TAKEN, 0x100000005, 5)
    T_BR(4, bne, TAKEN, 0x100000005, 5)
    T_BR(5, bne, NOT_TAKEN, -1, -1)
    T_BR(6, blt, TAKEN, -1, 0)
    T_BR(7, blt, NOT_TAKEN, 0, -1)
    T_BR(8, blt, NOT_TAKEN, 3, 3)
    T_BR(9, blt, TAKEN, 0x8000000000000000, 0x7fffffffffffffff)
    T_BR(10, bge, TAKEN, 3, 3)
    T_BR(11, bge, TAKEN, 0, -1)
    T_BR(12, bge, NOT_TAKEN, -1, 0)
    T_BR(13, bge, NOT_TAKEN, 0x8000000000000000, 0x7fffffffffffffff)
    T_BR(14, bltu, NOT_TAKEN, -1, 0)
    T_BR(15, bltu, TAKEN, 0, -1)
    T_BR(16, bltu, NOT_TAKEN, 7, 7)
    T_BR(17, bltu, TAKEN, 0x7fffffffffffffff, 0x8000000000000000)
    T_BR(18, bgeu, TAKEN, -1, 0)
    T_BR(19, bgeu, NOT_TAKEN, 0, -1)
    T_BR(20, bgeu, TAKEN, 7, 7)
    T_BR(21, bgeu, NOT_TAKEN, 0x7fffffffffffffff, 0x8000000000000000)
    T_BR_BACK(22, bne, 3, 3)         /* loop runs 3 times */
    TCASE(23, a0, 3, li a0, 0; li a1, 3; 1: addi a0, a0, 1; addi a1, a1, -1; blt zero, a1, 1b)
    /* jal: rd = pc + 4, jumps by the offset */
    TCASE(24, a0, 4, 1: jal a0, 2f; li a0, 99; 2: la a1, 1b; sub a0, a0, a1)
    TCASE(25, a0, 7, li a0, 7; j 1f; li a0, 8; 1:)
    TCASE(26, a0, 5, li a0, 0; j 2f; 1: li a0, 5; j 3f; 2: j 1b; 3:)
    /* jalr: target = (rs1 + imm) & ~1; rd = pc + 4 */
    TCASE(27, a0, 4, la a1, 2f; 1: jalr a0, 0(a1); li a0, 99; 2: la a1, 1b; sub a0, a0, a1)
    TCASE(28, a0, 1, li a0, 0; la a1, 2f; addi a1, a1, -4; jalr zero, 4(a1); li a0, 99; 2: addi a0, a0, 1)
    TCASE(29, a0, 1, li a0, 0; la a1, 2f; addi a1, a1, 1; jalr zero, 0(a1); li a0, 99; .align 2; 2: addi a0, a0, 1)
    TCASE(30, a0, 1, li a0, 0; la a1, 2f; addi a1, a1, 3; jalr zero, -2(a1); li a0, 99; .align 2; 2: addi a0, a0, 1)
    /* rd == rs1: the target uses the old value, rd gets the link */
    TCASE(31, a0, 4, la a1, 2f; 1: jalr a1, 0(a1); li a0, 99; 2: la a2, 1b; sub a0, a1, a2)
TEST_PASS
