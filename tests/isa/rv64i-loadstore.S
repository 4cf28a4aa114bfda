/*
 * rv64i-loadstore.S — every RV64I load and store: widths, sign/zero
 * extension, positive and negative offsets, little-endian byte order
 * (unprivileged spec §2.6, §5.3).  Aligned accesses only; misaligned
 * ones are in priv-misaligned.c.
 */
#include "test.h"

    .data
    .align 4
buf_lo:
    .dword 0x8877665544332211
buf:
    .dword 0xf0debc9a78563412
    .dword 0x0000000000000000
    .dword 0x0000000000000000

#define T_LD(n, op, expect, off)                                              \
    TCASE(n, a0, expect, la a1, buf; op a0, off(a1))
/* Store val at soff, then read back with lop at loff. */
#define T_ST(n, sop, lop, expect, val, soff, loff)                            \
    TCASE(n, a0, expect, la a1, buf; li a2, val; sop a2, soff(a1); lop a0, loff(a1))

TEST_BEGIN
    T_LD(1, lb, 0x12, 0)
    T_LD(2, lb, 0xfffffffffffffff0, 7)
    T_LD(3, lb, 0xffffffffffffff88, -1)
    T_LD(4, lbu, 0xf0, 7)
    T_LD(5, lbu, 0x9a, 4)
    T_LD(6, lh, 0x3412, 0)
    T_LD(7, lh, 0xfffffffffffff0de, 6)
    T_LD(8, lh, 0xffffffffffff8877, -2)
    T_LD(9, lhu, 0xf0de, 6)
    T_LD(10, lhu, 0xbc9a, 4)
    T_LD(11, lw, 0x78563412, 0)
    T_LD(12, lw, 0xfffffffff0debc9a, 4)
    T_LD(13, lw, 0xffffffff88776655, -4)
    T_LD(14, lwu, 0xf0debc9a, 4)
    T_LD(15, lwu, 0x78563412, 0)
    T_LD(16, ld, 0xf0debc9a78563412, 0)
    T_LD(17, ld, 0x8877665544332211, -8)
    TCASE(18, x0, 0, la a1, buf; ld x0, 0(a1))
    /* stores write exactly their width */
    T_ST(19, sd, ld, 0x0123456789abcdef, 0x0123456789abcdef, 8, 8)
    T_ST(20, sb, ld, 0x0123456789abcd55, 0xaa55, 8, 8)
    T_ST(21, sb, ld, 0x7723456789abcd55, 0x77, 15, 8)
    T_ST(22, sh, ld, 0x7723456789abbeef, 0x1234beef, 8, 8)
    T_ST(23, sh, ld, 0xcafe456789abbeef, 0xcafe, 14, 8)
    T_ST(24, sw, ld, 0xcafe4567deadbeef, 0xffffffffdeadbeef, 8, 8)
    T_ST(25, sw, ld, 0x01020304deadbeef, 0x01020304, 12, 8)
    T_ST(26, sd, lb, 0xffffffffffffff80, 0x80, 16, 16)
    T_ST(27, sd, ld, 0xffffffffffffffff, -1, -8, -8)
    /* store then load through a different base */
    TCASE(28, a0, 0x5a, la a1, buf; addi a2, a1, 32; li a3, 0x5a; sb a3, -8(a2); lbu a0, 24(a1))
    /* a store of x0 writes zeros */
    TCASE(29, a0, 0, la a1, buf; sd x0, 16(a1); ld a0, 16(a1))
    /* load into the base register */
    TCASE(30, a1, 0x01020304deadbeef, la a1, buf; ld a1, 8(a1))
TEST_PASS
