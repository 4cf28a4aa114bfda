/*
 * rva-amo.S — every AMO in W and D width (unprivileged spec §8.4): rd gets
 * the old memory value (sign-extended for .w), memory gets op(old, rs2);
 * .w touches only its 4 bytes.  Each op also runs with .aq, .rl and .aqrl
 * at least once, and with rd = x0.
 */
#include "test.h"

    .data
    .align 4
mem:
    .dword 0, 0
#define GUARD 0x5a5a5a5a5a5a5a5a

/*
 * Case n: mem[0] = init (64-bit), mem[8] = GUARD; op a0, val, (mem);
 * check a0 == rd, ld mem[0] == memv (.d) or the low word (sign-extended)
 * == memv and the high word unchanged (.w), mem[8] unchanged.
 */
#define T_AMO(n, op, rd, memv, init, val, ldop)                               \
    TSTART(n, #op " old=" #init " rs2=" #val);                                \
    la a1, mem; li t0, init; sd t0, 0(a1); li t0, GUARD; sd t0, 8(a1);        \
    li a2, val; op a0, a2, (a1);                                              \
    TCHECK(n, a0, rd);                                                        \
    ldop a3, 0(a1);                                                           \
    mv t5, a3; li t6, memv; bne t5, t6, .Lamo_bad_##n;                        \
    ld a3, 8(a1); li t6, GUARD; mv t5, a3; beq t5, t6, .Lamo_ok_##n;          \
.Lamo_bad_##n: j vireo_fail_asm;                                              \
.Lamo_ok_##n:

#define IW 0x1111111180000001   /* .w cases: low word 0x80000001 */

TEST_BEGIN
    /* amoswap */
    T_AMO(1, amoswap.d, 0x8000000000000001, 0x1234, 0x8000000000000001, 0x1234, ld)
    T_AMO(2, amoswap.w, 0xffffffff80000001, 0x0000000000001234, IW, 0x1234, lwu)
    T_AMO(3, amoswap.w.aq, 0xffffffff80000001, 0xfffffffffffffffe, IW, -2, lw)
    T_AMO(4, amoswap.d.aqrl, -1, 0, -1, 0, ld)
    /* amoadd */
    T_AMO(5, amoadd.d, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff, 1, ld)
    T_AMO(6, amoadd.w, 0xffffffff80000001, 0x80000000, IW, -1, lwu)
    T_AMO(7, amoadd.w.rl, 0xffffffff80000001, 0x00000001, IW, 0x80000000, lwu)
    T_AMO(8, amoadd.d.aq, 5, 12, 5, 7, ld)
    /* the high word of a .w target stays intact */
    TCASE(9, a0, 0x11111111, la a1, mem; li t0, IW; sd t0, 0(a1); li a2, 0xffffffff; amoadd.w a0, a2, (a1); lwu a0, 4(a1))
    /* amoxor / amoand / amoor */
    T_AMO(10, amoxor.d, 0xff00ff00ff00ff00, 0xf0f00f0ff0f00f0f, 0xff00ff00ff00ff00, 0x0ff0f00f0ff0f00f, ld)
    T_AMO(11, amoxor.w.aqrl, 0xffffffff80000001, 0x7fffffff, IW, 0xfffffffe, lwu)
    T_AMO(12, amoand.d, 0xff00ff00ff00ff00, 0x0f000f000f000f00, 0xff00ff00ff00ff00, 0x0f0f0f0f0f0f0f0f, ld)
    T_AMO(13, amoand.w, 0xffffffff80000001, 0x80000000, IW, 0xfffffffffffffff0, lwu)
    T_AMO(14, amoand.w.aq, 0xffffffff80000001, 0x00000001, IW, 0x7fffffff, lwu)
    T_AMO(15, amoor.d.rl, 0xff00ff00ff00ff00, 0xff0fff0fff0fff0f, 0xff00ff00ff00ff00, 0x0f0f0f0f0f0f0f0f, ld)
    T_AMO(16, amoor.w, 0xffffffff80000001, 0x80000003, IW, 2, lwu)
    /* amomin / amomax (signed), amominu / amomaxu (unsigned) */
    T_AMO(17, amomin.d, -5, -5, -5, 3, ld)
    T_AMO(18, amomin.d.aq, 3, -5, 3, -5, ld)
    T_AMO(19, amomin.w, 0xffffffff80000001, 0x80000001, IW, 1, lwu)        /* -big < 1 */
    T_AMO(20, amomin.w.rl, 0xffffffff80000001, 0x80000000, IW, 0x80000000, lwu)
    T_AMO(21, amomax.d, -5, 3, -5, 3, ld)
    T_AMO(22, amomax.d.aqrl, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff, ld)
    T_AMO(23, amomax.w, 0xffffffff80000001, 0x00000001, IW, 1, lwu)
    T_AMO(24, amomax.w.aq, 0xffffffff80000001, 0x80000001, IW, 0xffffffff80000000, lwu)
    T_AMO(25, amominu.d, -5, 3, -5, 3, ld)
    T_AMO(26, amominu.d.rl, 3, 3, 3, -5, ld)
    T_AMO(27, amominu.w, 0xffffffff80000001, 0x00000001, IW, 1, lwu)
    /* .w compares the 32-bit values only: upper rs2 bits are ignored */
    T_AMO(28, amominu.w.aqrl, 0xffffffff80000001, 0x7fffffff, IW, 0xffffffff7fffffff, lwu)
    T_AMO(29, amomaxu.d, -5, -5, -5, 3, ld)
    T_AMO(30, amomaxu.d.aq, 3, -5, 3, -5, ld)
    T_AMO(31, amomaxu.w, 0xffffffff80000001, 0x80000001, IW, 1, lwu)
    T_AMO(32, amomaxu.w.rl, 0xffffffff80000001, 0xfffffff0, IW, 0xfffffff0, lwu)
    /* rd = x0: memory still updated */
    TCASE(33, a0, 10, la a1, mem; li t0, 3; sd t0, 0(a1); li a2, 7; amoadd.d x0, a2, (a1); ld a0, 0(a1))
    TCASE(34, a0, 7, la a1, mem; li t0, 3; sd t0, 0(a1); li a2, 7; amoswap.w x0, a2, (a1); ld a0, 0(a1))
    /* rd == rs2: rd gets the old value, memory the operand */
    TCASE(35, a0, 0x0000000500000009, la a1, mem; li t0, 0x0000000500000004; sd t0, 0(a1); li a2, 5; amoadd.w a2, a2, (a1); ld a0, 0(a1); slli a2, a2, 32; xor a0, a0, a2; li t0, 0x0000000400000000; xor a0, a0, t0)
TEST_PASS
