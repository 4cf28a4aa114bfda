/*
 * fail.S — a test that must fail: case 1 passes, case 7 is wrong on
 * purpose.  `tests/isa/run --selftest` checks that it exits with status 7,
 * proving that failures reach the runner.
 */
#include "test.h"

TEST_BEGIN
    TCASE(1, a0, 3, li a1, 1; addi a0, a1, 2)
    TCASE(7, a0, 4, li a1, 1; addi a0, a1, 2)
TEST_PASS
