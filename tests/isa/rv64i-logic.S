/*
 * rv64i-logic.S — and/or/xor (+ immediates, sign-extended 12-bit) and the
 * set-less-than family (unprivileged spec §2.4).
 */
#include "test.h"

TEST_BEGIN
    T_RR(1, and, 0x0f000f00, 0xff00ff00, 0x0f0f0f0f)
    T_RR(2, and, 0x8000000000000001, 0xffffffffffffffff, 0x8000000000000001)
    T_RR_D1(3, and, 0x00f0, 0x0ff0, 0xf0f0)
    T_RR_X0(4, and, -1, -1)
    T_RR(5, or, 0xff0fff0f, 0xff00ff00, 0x0f0f0f0f)
    T_RR(6, or, 0xffffffffffffffff, 0xaaaaaaaaaaaaaaaa, 0x5555555555555555)
    T_RR_D2(7, or, 0xfff0, 0x0ff0, 0xf0f0)
    T_RR(8, xor, 0xf00ff00f, 0xff00ff00, 0x0f0f0f0f)
    T_RR_DD(9, xor, 0, 0x123456789)
    T_RR(10, xor, 0x5555555555555555, 0xaaaaaaaaaaaaaaaa, -1)
    T_RI(11, andi, 0x00000000ff00ff00, 0xff00ff0f, -256)
    T_RI(12, andi, 0xffffffffff00ff00, 0xffffffffff00ff00, -1)
    T_RI(13, andi, 0x00000000000000f0, 0x00ff00f0, 0x0f0)
    T_RI(14, andi, 0x8000000000000000, 0x8000000000000000, -2048)
    T_RI(15, ori, 0xffffffffffffff0f, 0x0000000000000f0f, -241)
    T_RI(16, ori, 0x00000000ff00fff0, 0x00000000ff00ff00, 0x0f0)
    T_RI(17, xori, 0xffffffffff00f00f, 0x0000000000ff0f00, -241)
    T_RI(18, xori, 0xffffffffffffffff, 0, -1)
    TCASE(19, a0, 0x7ff, li a0, 0; xori a0, a0, 0x7ff)
    /* slt / sltu */
    T_RR(20, slt, 0, 0, 0)
    T_RR(21, slt, 1, -1, 0)
    T_RR(22, slt, 0, 0, -1)
    T_RR(23, slt, 1, 0x8000000000000000, 0x7fffffffffffffff)
    T_RR(24, slt, 0, 0x7fffffffffffffff, 0x8000000000000000)
    T_RR(25, sltu, 0, -1, 0)
    T_RR(26, sltu, 1, 0, -1)
    T_RR(27, sltu, 0, 0x8000000000000000, 0x7fffffffffffffff)
    T_RR(28, sltu, 1, 0x7fffffffffffffff, 0x8000000000000000)
    T_RR(29, sltu, 0, 5, 5)
    T_RR_Z1(30, sltu, 1, 7) /* snez */
    T_RR_Z1(31, sltu, 0, 0)
    T_RR_X0(32, slt, -1, 0)
    /* slti / sltiu (immediate sign-extended, sltiu compares unsigned) */
    T_RI(33, slti, 1, -1, 0)
    T_RI(34, slti, 0, 0, -1)
    T_RI(35, slti, 1, 0x8000000000000000, -2048)
    T_RI(36, slti, 0, 2047, 2047)
    T_RI(37, slti, 1, 2046, 2047)
    T_RI(38, sltiu, 1, 0, 1)  /* seqz */
    T_RI(39, sltiu, 0, 5, 1)
    T_RI(40, sltiu, 1, 0xfffffffffffffffe, -1)
    T_RI(41, sltiu, 0, 0xffffffffffffffff, -1)
    T_RI(42, sltiu, 1, 0x7fffffffffffffff, -2048)
TEST_PASS
