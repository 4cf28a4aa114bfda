/*
 * zbc.S — Zbc carry-less multiplication: clmul, clmulh, clmulr.
 * The case lines were produced by gen/zb.py zbc, a reference model written
 * from the Zba/Zbb/Zbc/Zbs v1.0.0 pseudocode; x0 and aliasing cases follow.
 */
#include "test.h"

TEST_BEGIN
    T_RR(1, clmul, 0x40a0789828c810f0, 0x123456789abcdef, 0xfedcba9876543210)
    T_RR(2, clmul, 0xffffffffffffffff, 0xffffffffffffffff, 0x1)
    T_RR(3, clmul, 0x80000000, 0xffffffff80000000, 0x3)
    T_RR(4, clmul, 0x8000000000000000, 0x8000000000000000, 0x7fffffffffffffff)
    T_RR(5, clmul, 0xffffffffffffffff, 0x1, 0xffffffffffffffff)
    T_RR(6, clmul, 0x1f0000001f, 0xffffffff, 0x21)
    T_RR(7, clmul, 0x0, 0x0, 0x5555)
    T_RR(8, clmul, 0x1f80000000, 0x80000000, 0x3f)
    T_RR(9, clmul, 0xa353, 0xa5, 0x10f)
    T_RR(10, clmul, 0x5555555555555555, 0xffffffffffffffff, 0xffffffffffffffff)
    T_RR(11, clmul, 0x0, 0x8000000000000000, 0x8000000000000000)
    T_RR(12, clmul, 0x4041444550515455, 0x123456789abcdef, 0x123456789abcdef)
    T_RR(13, clmulh, 0xe038d8688850b0, 0x123456789abcdef, 0xfedcba9876543210)
    T_RR(14, clmulh, 0x0, 0xffffffffffffffff, 0x1)
    T_RR(15, clmulh, 0x1, 0xffffffff80000000, 0x3)
    T_RR(16, clmulh, 0x3fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff)
    T_RR(17, clmulh, 0x0, 0x1, 0xffffffffffffffff)
    T_RR(18, clmulh, 0x0, 0xffffffff, 0x21)
    T_RR(19, clmulh, 0x0, 0x0, 0x5555)
    T_RR(20, clmulh, 0x0, 0x80000000, 0x3f)
    T_RR(21, clmulh, 0x0, 0xa5, 0x10f)
    T_RR(22, clmulh, 0x5555555555555555, 0xffffffffffffffff, 0xffffffffffffffff)
    T_RR(23, clmulh, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000)
    T_RR(24, clmulh, 0x1040510111415, 0x123456789abcdef, 0x123456789abcdef)
    T_RR(25, clmulr, 0x1c071b0d110a160, 0x123456789abcdef, 0xfedcba9876543210)
    T_RR(26, clmulr, 0x1, 0xffffffffffffffff, 0x1)
    T_RR(27, clmulr, 0x2, 0xffffffff80000000, 0x3)
    T_RR(28, clmulr, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff)
    T_RR(29, clmulr, 0x1, 0x1, 0xffffffffffffffff)
    T_RR(30, clmulr, 0x0, 0xffffffff, 0x21)
    T_RR(31, clmulr, 0x0, 0x0, 0x5555)
    T_RR(32, clmulr, 0x0, 0x80000000, 0x3f)
    T_RR(33, clmulr, 0x0, 0xa5, 0x10f)
    T_RR(34, clmulr, 0xaaaaaaaaaaaaaaaa, 0xffffffffffffffff, 0xffffffffffffffff)
    T_RR(35, clmulr, 0x8000000000000000, 0x8000000000000000, 0x8000000000000000)
    T_RR(36, clmulr, 0x2080a2022282a, 0x123456789abcdef, 0x123456789abcdef)
    T_RR(37, clmul, 5, 3, 3)
    T_RR(38, clmulh, 1, 0x8000000000000000, 2)
    T_RR(39, clmulr, 1, 0x8000000000000000, 1)
    T_RR_DD(40, clmul, 0x15, 7)
TEST_PASS
