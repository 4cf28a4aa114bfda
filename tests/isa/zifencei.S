/*
 * zifencei.S — fence.i makes earlier stores to instruction memory visible
 * to later fetches on the same hart (unprivileged spec ch. 3): patched
 * code must run in its new form, including code that was already executed
 * (and so may be cached or translated), a 16-bit instruction, and the
 * instruction right after the fence.i itself.
 */
#include "test.h"

#define LI_A0(imm) (((imm) << 20) | 0x513)     /* addi a0, zero, imm */
#define C_LI_A0(imm) (0x4501 | ((imm) << 2))   /* c.li a0, imm (0..31) */

    .data
    .align 3
    /* Code buffer (M-mode can execute any RAM: no paging, PMP allows). */
buf:
    .word LI_A0(1)
    .word 0x00008067        /* ret */
    .align 3
cbuf:
    .half C_LI_A0(1)
    .half 0x8082            /* c.ret */

TEST_BEGIN
    TCASE(1, a0, 1, la a1, buf; jalr a1)
    /* run it a few times so a translator has surely cached it */
    TCASE(2, a0, 1, la a1, buf; jalr a1; la a1, buf; jalr a1; la a1, buf; jalr a1)
    TCASE(3, a0, 2, la a1, buf; li a2, LI_A0(2); sw a2, 0(a1); fence.i; jalr a1)
    TCASE(4, a0, 3, la a1, buf; li a2, LI_A0(3); sw a2, 0(a1); fence.i; jalr a1)
    /* loop: patch and call 20 times, each time a new immediate */
    TSTART(5, "patch/fence.i/call loop")
    li s2, 1
1:  la a1, buf
    li a2, LI_A0(0)
    slli t0, s2, 20
    or a2, a2, t0
    sw a2, 0(a1)
    fence.i
    jalr a1
    mv t5, a0
    mv t6, s2
    bne t5, t6, 9f
    addi s2, s2, 1
    li t0, 21
    bne s2, t0, 1b
    j 2f
9:  j vireo_fail_asm
2:
    /* 16-bit instruction patched with sh */
    TCASE(6, a0, 1, la a1, cbuf; jalr a1)
    TCASE(7, a0, 9, la a1, cbuf; li a2, C_LI_A0(9); sh a2, 0(a1); fence.i; jalr a1)
    /* patch the instruction right after the fence.i in this very block */
    TCASE(8, a0, 4, la a1, 3f; li a2, LI_A0(4); sw a2, 0(a1); fence.i; 3: li a0, 99)
    /* code in .text, executed, patched twice */
    TCASE(9, a0, 99, call patchme)
    TCASE(10, a0, 5, la a1, patchme; li a2, LI_A0(5); sw a2, 0(a1); fence.i; call patchme)
    TCASE(11, a0, 6, la a1, patchme; li a2, LI_A0(6); sw a2, 0(a1); fence.i; call patchme)
TEST_PASS

    .text
    .align 2
patchme:
    .option push
    .option norvc
    li a0, 99
    ret
    .option pop
