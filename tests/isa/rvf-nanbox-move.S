/*
 * rvf-nanbox-move.S — FP moves, loads/stores and NaN-boxing (unprivileged
 * spec §12.2).  Transfers (flw/fsw, fmv.x.w/fmv.w.x, fld/fsd, fmv.x.d/
 * fmv.d.x) copy bits unchanged (sNaNs included); flw and fmv.w.x box the
 * single (upper 32 bits all ones); fmv.x.w sign-extends bit 31 and reads
 * the low half whatever the upper holds.  Every other single-precision
 * operation treats an improperly boxed operand as the canonical NaN
 * 0x7fc00000 (a quiet NaN: no NV by itself).
 */
#include "test.h"

    .data
    .align 4
mem:
    .word 0x40490fdb, 0x7f800001
    .dword 0x7ff0000000000001
    .dword 0, 0

#define UNBOXED 0x000000003f800000   /* 1.0f without the box */
#define HALFBOX 0xfffffffe3f800000   /* one upper bit clear: still not boxed */

TEST_BEGIN
    TCASE(1, a0, 0xffffffff3f800000, li a1, 0x3f800000; fmv.w.x f1, a1; fmv.x.d a0, f1)
    TCASE(2, a0, 0xffffffff3f800000, li a1, 0x123456783f800000; fmv.w.x f1, a1; fmv.x.d a0, f1) /* upper rs1 bits ignored */
    TCASE(3, a0, 0xffffffff80000000, li a1, 0x80000000; fmv.w.x f1, a1; fmv.x.w a0, f1)
    TCASE(4, a0, 0x000000007f800001, li a1, 0x7f800001; fmv.w.x f1, a1; fmv.x.w a0, f1)   /* sNaN kept */
    TCASE(5, a0, 0xffffffff9abcdef0, li a1, 0x123456789abcdef0; fmv.d.x f1, a1; fmv.x.w a0, f1)
    TCASE(6, a0, 0xffffffff40490fdb, la a1, mem; flw f1, 0(a1); fmv.x.d a0, f1)
    TCASE(7, a0, 0xffffffff7f800001, la a1, mem; flw f1, 4(a1); fmv.x.d a0, f1)          /* sNaN kept */
    TCASE(8, a0, 0x55667788, la a1, mem; li a2, 0x1122334455667788; fmv.d.x f1, a2; fsw f1, 16(a1); lwu a0, 16(a1))
    TCASE(9, a0, 0x7ff0000000000001, la a1, mem; fld f1, 8(a1); fmv.x.d a0, f1)
    TCASE(10, a0, 0x7ff0000000000001, la a1, mem; fld f2, 8(a1); fsd f2, 24(a1); ld a0, 24(a1))
    TCASE(11, a0, 0xfff0000000000001, li a1, 0xfff0000000000001; fmv.d.x f1, a1; fmv.x.d a0, f1)
    TCASE(12, a0, 0, fsflags x0; la a1, mem; flw f1, 4(a1); fsw f1, 16(a1); fmv.x.w a2, f1; fmv.w.x f2, a2; fld f3, 8(a1); fsd f3, 24(a1); frflags a0) /* no flags */
    /* improperly boxed operands read as the canonical NaN */
    TFCASE_S(13, f3, 0x7fc00000, 0, LF_D(f1, UNBOXED); LF_S(f2, 0x3f800000); fadd.s f3, f1, f2)
    TFCASE_S(14, f3, 0x7fc00000, 0, LF_D(f1, HALFBOX); LF_S(f2, 0x3f800000); fmul.s f3, f2, f1)
    TFCASE_X(15, a0, 0x200, 0, LF_D(f1, UNBOXED); fclass.s a0, f1)
    TFCASE_X(16, a0, 0x040, 0, LF_D(f1, 0xffffffff3f800000); fclass.s a0, f1)
    TFCASE_S(17, f3, 0x7fc00000, 0, LF_D(f1, UNBOXED); LF_S(f2, 0x3f800000); fsgnj.s f3, f1, f2)
    TFCASE_S(18, f3, 0xffc00000, 0, LF_D(f1, UNBOXED); LF_S(f2, 0xbf800000); fsgnj.s f3, f1, f2)
    TFCASE_S(19, f3, 0xbf800000, 0, LF_S(f1, 0x3f800000); LF_D(f2, UNBOXED); fsgnjn.s f3, f1, f2)  /* sign of NaN is + */
    TFCASE_S(20, f3, 0x7fc00000, 0, LF_D(f1, UNBOXED); fmv.s f3, f1)
    TFCASE_D(21, f3, 0x7ff8000000000000, 0, LF_D(f1, UNBOXED); fcvt.d.s f3, f1)
    TFCASE_S(22, f3, 0x40000000, 0, LF_D(f1, UNBOXED); LF_S(f2, 0x40000000); fmin.s f3, f1, f2)
    TFCASE_X(23, a0, 0, 0, LF_D(f1, UNBOXED); feq.s a0, f1, f1)
    TFCASE_X(24, a0, 0x7fffffff, FFLAG_NV, LF_D(f1, UNBOXED); fcvt.w.s a0, f1, rtz)
    TFCASE_S(25, f3, 0x7fc00000, 0, LF_D(f1, UNBOXED); LF_S(f2, 0x3f800000); LF_S(f4, 0x3f800000); fmadd.s f3, f2, f4, f1)
    TFCASE_S(26, f3, 0x7fc00000, 0, LF_D(f1, UNBOXED); fsqrt.s f3, f1)
    TFCASE_X(27, a0, 1, FFLAG_NV, LF_D(f1, UNBOXED); LF_S(f2, 0x3f800000); flt.s a0, f1, f2; xori a0, a0, 1)
    /* double ops see the full 64 bits: a boxed single is just a NaN double */
    TFCASE_X(28, a0, 0x200, 0, LF_S(f1, 0x3f800000); fclass.d a0, f1)
TEST_PASS
