/*
 * rv64i-shift.S — sll/srl/sra (+ immediate and *W forms).  RV64 uses the
 * low 6 bits of rs2 (5 for the W forms); W results are sign-extended from
 * bit 31 (unprivileged spec §2.4, §5.2).
 */
#include "test.h"

TEST_BEGIN
    T_RR(1, sll, 0x0000000000000001, 1, 0)
    T_RR(2, sll, 0x0000000000000080, 1, 7)
    T_RR(3, sll, 0x8000000000000000, 1, 63)
    T_RR(4, sll, 0x0000000000000002, 1, 65)   /* only rs2[5:0] used */
    T_RR(5, sll, 0xffffffff00000000, 0xffffffff, 32)
    T_RR(6, sll, 0x0000000100000000, 1, 0xffffffffffffffe0)
    T_RR(7, srl, 0x7fffffffffffffff, -1, 1)
    T_RR(8, srl, 0x0000000000000001, 0x8000000000000000, 63)
    T_RR(9, srl, 0x0000000080000000, 0x8000000000000000, 32)
    T_RR(10, srl, 0x4000000000000000, 0x8000000000000000, 0xffffffffffffffc1)
    T_RR(11, sra, 0xffffffffffffffff, 0x8000000000000000, 63)
    T_RR(12, sra, 0xc000000000000000, 0x8000000000000000, 1)
    T_RR(13, sra, 0x3fffffffffffffff, 0x7fffffffffffffff, 1)
    T_RR(14, sra, 0xffffffff80000000, 0x8000000000000000, 32)
    T_RR(15, sra, 0x8000000000000000, 0x8000000000000000, 64)
    T_RR_DD(16, sll, 24, 3)                   /* 3 << 3 */
    T_RR_X0(17, sll, 1, 1)
    T_RR_Z1(18, srl, 0, 5)
    /* immediates: shamt 0..63 */
    T_RI(19, slli, 0x8000000000000000, 1, 63)
    T_RI(20, slli, 0x0000000100000000, 1, 32)
    T_RI(21, slli, 0x1234567812345678, 0x1234567812345678, 0)
    T_RI(22, srli, 0x0000000000000001, 0x8000000000000000, 63)
    T_RI(23, srli, 0x00000000ffffffff, 0xffffffff00000000, 32)
    T_RI(24, srai, 0xffffffffffffffff, 0x8000000000000000, 63)
    T_RI(25, srai, 0xffffffff80000000, 0x8000000000000000, 32)
    T_RI(26, srai, 0x000000007fffffff, 0x7fffffffffffffff, 32)
    TCASE(27, x0, 0, li a1, 1; slli x0, a1, 3)
    /* W forms: operate on the low 32 bits, shamt = rs2[4:0] */
    T_RR(28, sllw, 0xffffffff80000000, 1, 31)
    T_RR(29, sllw, 0x0000000000000001, 1, 32)     /* 32 & 31 = 0 */
    T_RR(30, sllw, 0x0000000000000000, 0x80000000, 1)
    T_RR(31, sllw, 0x0000000012345678, 0xffffffff12345678, 0)
    T_RR(32, srlw, 0x0000000000000001, 0x80000000, 31)
    T_RR(33, srlw, 0xffffffff80000000, 0x80000000, 0)   /* sign-extends */
    T_RR(34, srlw, 0x000000007fffffff, 0xfffffffffffffffe, 33)
    T_RR(35, sraw, 0xffffffffffffffff, 0x80000000, 31)
    T_RR(36, sraw, 0xffffffffc0000000, 0x80000000, 1)
    T_RR(37, sraw, 0x0000000000000000, 0xffffffff00000000, 5) /* upper ignored */
    T_RR(38, sraw, 0x000000003fffffff, 0x7fffffff, 0x21)
    T_RI(39, slliw, 0xffffffff80000000, 1, 31)
    T_RI(40, slliw, 0xffffffffffffffff, 0xffffffff, 0)
    T_RI(41, slliw, 0x0000000000000000, 0x100000000, 4)
    T_RI(42, srliw, 0x0000000000000001, 0x80000000, 31)
    T_RI(43, srliw, 0x000000000fffffff, 0xffffffffffffffff, 4)
    T_RI(44, srliw, 0xffffffff80000000, 0x80000000, 0)
    T_RI(45, sraiw, 0xffffffffffffffff, 0x80000000, 31)
    T_RI(46, sraiw, 0xfffffffff8000000, 0x80000000, 4)
    T_RI(47, sraiw, 0x0000000007ffffff, 0x7fffffff, 4)
    T_RR_X0(48, sraw, 1, 1)
TEST_PASS
