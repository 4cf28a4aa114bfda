/*
 * zihintpause.S — `pause` (Zihintpause v2.0) is a HINT encoded as a FENCE
 * with pred = W, succ = 0, fm = 0, rd = rs1 = x0 (0x0100000f): it must
 * execute as a no-op, with no trap and no register change, also from U-mode
 * (checked with the .insn form, independent of assembler support).
 */
#include "test.h"

TEST_BEGIN
    TCASE(1, a0, 5, li a0, 5; pause; pause)
    TCASE(2, a0, 6, li a0, 6; .insn i 0x0f, 0, x0, x0, 0x010)
    /* loop with pause, as a spin-wait would */
    TCASE(3, a1, 0, li a1, 100; 1: pause; addi a1, a1, -1; bnez a1, 1b)
    /* other FENCE hint encodings (unused fm/pred/succ) are also no-ops */
    TCASE(4, a0, 7, li a0, 7; .insn i 0x0f, 0, x0, x0, 0x020; .insn i 0x0f, 0, x0, x0, 0x001)
TEST_PASS
