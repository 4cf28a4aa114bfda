/*
 * rv64i-arith.S — RV64I add/sub family, lui, auipc (unprivileged spec
 * §2.4, §5.2-5.3): wrap-around, sign extension of the *W forms, x0 rules.
 */
#include "test.h"

TEST_BEGIN
    /* add */
    T_RR(1, add, 0, 0, 0)
    T_RR(2, add, 3, 1, 2)
    T_RR(3, add, 0x0000000100000000, 0xffffffff, 1)
    T_RR(4, add, 0, -1, 1)
    T_RR(5, add, 0x8000000000000000, 0x7fffffffffffffff, 1)
    T_RR(6, add, 0x7fffffffffffffff, 0x8000000000000000, -1)
    T_RR_D1(7, add, 24, 13, 11)
    T_RR_D2(8, add, 25, 14, 11)
    T_RR_DD(9, add, 26, 13)
    T_RR_X0(10, add, 5, 6)
    T_RR_Z1(11, add, 7, 7)
    T_RR_Z2(12, add, 8, 8)
    /* sub */
    T_RR(13, sub, 0, 5, 5)
    T_RR(14, sub, -1, 0, 1)
    T_RR(15, sub, 0x7fffffffffffffff, 0x8000000000000000, 1)
    T_RR(16, sub, 0x8000000000000000, 0, 0x8000000000000000)
    T_RR_D1(17, sub, 2, 13, 11)
    T_RR_Z1(18, sub, -9, 9)
    /* addi: 12-bit signed immediate */
    T_RI(19, addi, 0x7ff, 0, 2047)
    T_RI(20, addi, -2048, 0, -2048)
    T_RI(21, addi, 0x80000000, 0x7fffffff, 1)
    T_RI(22, addi, 0xffffffffffffffff, 0, -1)
    T_RI(23, addi, 0x7fffffffffffffff, 0x8000000000000000, -1)
    TCASE(24, a1, 11, li a1, 13; addi a1, a1, -2)
    TCASE(25, x0, 0, addi x0, x0, 5)
    /* addw / subw / addiw: 32-bit result sign-extended */
    T_RR(26, addw, 0xffffffff80000000, 0x7fffffff, 1)
    T_RR(27, addw, 0, 0xffffffff, 1)
    T_RR(28, addw, 3, 0x1234567800000001, 0x8765432100000002)
    T_RR(29, addw, 0x000000007fffffff, 0x80000000, -1)
    T_RR(30, subw, 0x000000007fffffff, 0x80000000, 1)
    T_RR(31, subw, 0xffffffffffffffff, 0x100000000, 1)
    T_RR(32, subw, 0xffffffff80000000, 0, 0x80000000)
    T_RI(33, addiw, 0xffffffff80000000, 0x7fffffff, 1)
    T_RI(34, addiw, 0x00000000000007ff, 0xffffffff00000000, 2047)
    T_RI(35, addiw, 0xfffffffffffff800, 0, -2048)
    T_RI(36, addiw, 0x0000000012345678, 0xabcdef0012345678, 0)
    T_RI(37, addiw, 0xffffffff89abcdef, 0x0000000089abcdef, 0)
    T_RR_X0(38, addw, 1, 2)
    /* lui: imm << 12, sign-extended from bit 31 */
    TCASE(39, a0, 0x0000000000000000, lui a0, 0)
    TCASE(40, a0, 0x0000000012345000, lui a0, 0x12345)
    TCASE(41, a0, 0xffffffff80000000, lui a0, 0x80000)
    TCASE(42, a0, 0xfffffffffffff000, lui a0, 0xfffff)
    TCASE(43, a0, 0x000000007ffff000, lui a0, 0x7ffff)
    TCASE(44, x0, 0, lui x0, 0x12345)
    /* auipc: pc + (imm << 12) */
    TCASE(45, a0, 0, 1: auipc a0, 0; la a1, 1b; sub a0, a0, a1)
    TCASE(46, a0, 0x12345000, 1: auipc a0, 0x12345; la a1, 1b; sub a0, a0, a1)
    TCASE(47, a0, 0xfffffffffffff000, 1: auipc a0, 0xfffff; la a1, 1b; sub a0, a0, a1)
    TCASE(48, a0, 0xffffffff80000000, 1: auipc a0, 0x80000; la a1, 1b; sub a0, a0, a1)
TEST_PASS
