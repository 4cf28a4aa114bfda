/*
 * zbb-ctzw.S — ctzw counts trailing zeros of the low word only and gives
 * 32 when that word is zero, whatever the upper word holds (Zbb v1.0.0:
 * "foreach (i from 0 to 31) if rs1[i] == 1 then return i; return 32").
 * QEMU 7.2 counts into the upper word when the low word is zero (it
 * returns 63 for 0x8000000000000000), so this file is in peer-known-bad.
 */
#include "test.h"

    .data
    .align 3
vals:
    .dword 0x8000000000000000, 0x0000001000000000, 0xffffffff00000000

TEST_BEGIN
    T_R(1, ctzw, 32, 0x8000000000000000)
    T_R(2, ctzw, 32, 0x0000001000000000)
    T_R(3, ctzw, 32, 0xffffffff00000000)
    T_R(4, ctzw, 32, 0x0000000100000000)
    /* same through memory (no constant folding in a translator) */
    TCASE(5, a0, 32, la a1, vals; ld a1, 0(a1); ctzw a0, a1)
    TCASE(6, a0, 32, la a1, vals; ld a1, 8(a1); ctzw a0, a1)
    TCASE(7, a0, 32, la a1, vals; ld a1, 16(a1); ctzw a0, a1)
TEST_PASS
