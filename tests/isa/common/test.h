/*
 * test.h — macros for self-checking assembly tests (.S files).
 *
 * Layout of a test file:
 *
 *     #include "test.h"
 *     TEST_BEGIN
 *         TCASE(1, a0, 5, li a1, 2; addi a0, a1, 3)
 *         ...
 *     TEST_PASS
 *
 * Every case has a number n (1..254, unique per file: a duplicate is an
 * assembly error).  gp holds the number of the running case; on a
 * mismatch the case jumps to vireo_fail_asm (crt0.S) with t5 = value seen
 * and t6 = value expected, which prints them on the HTIF console and exits
 * with status n.  The text of each case goes into the .vireo.tests ELF
 * section for tests/isa/run.  Cases clobber t5, t6 and whatever they use.
 */
#ifndef TESTS_ISA_COMMON_TEST_H
#define TESTS_ISA_COMMON_TEST_H

#include "riscv-defs.h"

#define TEST_BEGIN                                                            \
    .text;                                                                    \
    .globl main;                                                              \
    .type main, @function;                                                    \
main:

#define TEST_PASS                                                             \
    li gp, 0;                                                                 \
    li a0, 0;                                                                 \
    j vireo_exit

/* Record the description of case n and reserve its number. */
#define TDESC(n, text)                                                        \
    .equiv .Lvireo_test_##n, 1;                                               \
    .if (n) > 254 || (n) < 1; .error "case numbers must be 1..254"; .endif;   \
    .pushsection .vireo.tests, "", @progbits;                                 \
    .ascii #n, "\t", text, "\n";                                              \
    .popsection

/* Start case n without a check (for hand-written checks). */
#define TSTART(n, text)                                                       \
    TDESC(n, text);                                                           \
    li gp, n

/* Compare register reg with expect (any 64-bit constant). */
#define TCHECK(n, reg, expect)                                                \
    mv t5, reg;                                                               \
    li t6, expect;                                                            \
    beq t5, t6, .Lvireo_ok_##n;                                               \
    j vireo_fail_asm;                                                         \
.Lvireo_ok_##n:

/* Compare accrued fflags with flags (fflags are cleared before FP cases). */
#define TCHECK_FLAGS(n, flags)                                                \
    frflags t5;                                                               \
    li t6, flags;                                                             \
    beq t5, t6, .Lvireo_fok_##n;                                              \
    j vireo_fail_asm_flags;                                                   \
.Lvireo_fok_##n:

/* Generic case: run code, then reg must equal expect. */
#define TCASE(n, reg, expect, code...)                                        \
    TSTART(n, #code);                                                         \
    code;                                                                     \
    TCHECK(n, reg, expect)

/* Fail case n unconditionally (from a path that must not be reached). */
#define TFAIL j vireo_fail_asm_plain

/* ---- integer shapes ---- */

/* rd = op(rs1, rs2) with a1 = v1, a2 = v2. */
#define T_RR(n, op, expect, v1, v2)                                           \
    TCASE(n, a0, expect, li a1, v1; li a2, v2; op a0, a1, a2)
/* rd = op(rs1, imm) */
#define T_RI(n, op, expect, v1, imm)                                          \
    TCASE(n, a0, expect, li a1, v1; op a0, a1, imm)
/* rd = op(rs1) */
#define T_R(n, op, expect, v1)                                                \
    TCASE(n, a0, expect, li a1, v1; op a0, a1)
/* Register aliasing: rd = rs1, rd = rs2, rs1 = rs2 = rd. */
#define T_RR_D1(n, op, expect, v1, v2)                                        \
    TCASE(n, a1, expect, li a1, v1; li a2, v2; op a1, a1, a2)
#define T_RR_D2(n, op, expect, v1, v2)                                        \
    TCASE(n, a2, expect, li a1, v1; li a2, v2; op a2, a1, a2)
#define T_RR_DD(n, op, expect, v1)                                            \
    TCASE(n, a1, expect, li a1, v1; op a1, a1, a1)
/* Writes to x0 are discarded. */
#define T_RR_X0(n, op, v1, v2)                                                \
    TCASE(n, x0, 0, li a1, v1; li a2, v2; op x0, a1, a2)
/* x0 as a source reads zero. */
#define T_RR_Z1(n, op, expect, v2)                                            \
    TCASE(n, a0, expect, li a2, v2; op a0, x0, a2)
#define T_RR_Z2(n, op, expect, v1)                                            \
    TCASE(n, a0, expect, li a1, v1; op a0, a1, x0)

/* ---- floating-point shapes ----
 * Values are bit patterns.  Single results are checked NaN-boxed (upper 32
 * bits all ones) through fmv.x.d; fflags are cleared before the operation
 * and checked after it.  rm is a rounding-mode operand: rne rtz rdn rup
 * rmm dyn.
 */
#define FBOX(x) (0xffffffff00000000 | (x))

#define TFCHECK_S(n, freg, expect)                                            \
    fmv.x.d t5, freg;                                                         \
    li t6, FBOX(expect);                                                      \
    beq t5, t6, .Lvireo_ok_##n;                                               \
    j vireo_fail_asm;                                                         \
.Lvireo_ok_##n:

#define TFCHECK_D(n, freg, expect)                                            \
    fmv.x.d t5, freg;                                                         \
    li t6, expect;                                                            \
    beq t5, t6, .Lvireo_ok_##n;                                               \
    j vireo_fail_asm;                                                         \
.Lvireo_ok_##n:

/* Generic FP cases: run code (fflags cleared first) and check a result. */
#define TFCASE_S(n, freg, expect, flags, code...)                             \
    TSTART(n, #code);                                                         \
    fsflags x0;                                                               \
    code;                                                                     \
    TFCHECK_S(n, freg, expect);                                               \
    TCHECK_FLAGS(n, flags)
#define TFCASE_D(n, freg, expect, flags, code...)                             \
    TSTART(n, #code);                                                         \
    fsflags x0;                                                               \
    code;                                                                     \
    TFCHECK_D(n, freg, expect);                                               \
    TCHECK_FLAGS(n, flags)
#define TFCASE_X(n, reg, expect, flags, code...)                              \
    TSTART(n, #code);                                                         \
    fsflags x0;                                                               \
    code;                                                                     \
    TCHECK(n, reg, expect);                                                   \
    TCHECK_FLAGS(n, flags)

/* Load FP registers from bit patterns (singles are NaN-boxed by fmv.w.x). */
#define LF_S(freg, bits) li t0, bits; fmv.w.x freg, t0
#define LF_D(freg, bits) li t0, bits; fmv.d.x freg, t0

/* Single precision: f3 = op(f1, f2 [, f4]) with rounding mode rm. */
#define TF_S2(n, op, rm, expect, flags, a, b)                                 \
    TFCASE_S(n, f3, expect, flags, LF_S(f1, a); LF_S(f2, b); op f3, f1, f2, rm)
#define TF_S2N(n, op, expect, flags, a, b)                                    \
    TFCASE_S(n, f3, expect, flags, LF_S(f1, a); LF_S(f2, b); op f3, f1, f2)
#define TF_S1(n, op, rm, expect, flags, a)                                    \
    TFCASE_S(n, f3, expect, flags, LF_S(f1, a); op f3, f1, rm)
#define TF_S3(n, op, rm, expect, flags, a, b, c)                              \
    TFCASE_S(n, f3, expect, flags,                                            \
             LF_S(f1, a); LF_S(f2, b); LF_S(f4, c); op f3, f1, f2, f4, rm)
/* Integer result: a0 = op(f1, f2) or op(f1 [, rm]). */
#define TF_S2X(n, op, expect, flags, a, b)                                    \
    TFCASE_X(n, a0, expect, flags, LF_S(f1, a); LF_S(f2, b); op a0, f1, f2)
#define TF_S1X(n, op, expect, flags, a)                                       \
    TFCASE_X(n, a0, expect, flags, LF_S(f1, a); op a0, f1)
#define TF_S1XR(n, op, rm, expect, flags, a)                                  \
    TFCASE_X(n, a0, expect, flags, LF_S(f1, a); op a0, f1, rm)
/* FP result from an integer: f3 = op(a1 [, rm]). */
#define TF_XS(n, op, rm, expect, flags, x)                                    \
    TFCASE_S(n, f3, expect, flags, li a1, x; op f3, a1, rm)

/* Double precision, same shapes. */
#define TF_D2(n, op, rm, expect, flags, a, b)                                 \
    TFCASE_D(n, f3, expect, flags, LF_D(f1, a); LF_D(f2, b); op f3, f1, f2, rm)
#define TF_D2N(n, op, expect, flags, a, b)                                    \
    TFCASE_D(n, f3, expect, flags, LF_D(f1, a); LF_D(f2, b); op f3, f1, f2)
#define TF_D1(n, op, rm, expect, flags, a)                                    \
    TFCASE_D(n, f3, expect, flags, LF_D(f1, a); op f3, f1, rm)
#define TF_D3(n, op, rm, expect, flags, a, b, c)                              \
    TFCASE_D(n, f3, expect, flags,                                            \
             LF_D(f1, a); LF_D(f2, b); LF_D(f4, c); op f3, f1, f2, f4, rm)
#define TF_D2X(n, op, expect, flags, a, b)                                    \
    TFCASE_X(n, a0, expect, flags, LF_D(f1, a); LF_D(f2, b); op a0, f1, f2)
#define TF_D1X(n, op, expect, flags, a)                                       \
    TFCASE_X(n, a0, expect, flags, LF_D(f1, a); op a0, f1)
#define TF_D1XR(n, op, rm, expect, flags, a)                                  \
    TFCASE_X(n, a0, expect, flags, LF_D(f1, a); op a0, f1, rm)
#define TF_XD(n, op, rm, expect, flags, x)                                    \
    TFCASE_D(n, f3, expect, flags, li a1, x; op f3, a1, rm)

/* ---- expected traps ----
 * TRAP_ARM arms vireo_mtrap (see vireo.h): traps are then recorded and
 * execution continues after the trapping instruction.  TRAP_CHECK(n, cause)
 * then checks that exactly one trap with that mcause happened; the record
 * fields are at these offsets in struct vireo_trap_rec.
 */
#define TREC_COUNT  0
#define TREC_CAUSE  8
#define TREC_EPC    16
#define TREC_TVAL   24
#define TREC_STATUS 32
#define TREC_RESUME 40
#define TREC_ARMED  48

#define TRAP_ARM                                                              \
    la t0, vireo_mtrap;                                                       \
    sd zero, TREC_COUNT(t0);                                                  \
    li t1, -1;                                                                \
    sd t1, TREC_CAUSE(t0);                                                    \
    sd zero, TREC_RESUME(t0);                                                 \
    li t1, 1;                                                                 \
    sw t1, TREC_ARMED(t0)

#define TRAP_DISARM                                                           \
    la t0, vireo_mtrap;                                                       \
    sw zero, TREC_ARMED(t0)

/* Load a field of vireo_mtrap into reg. */
#define TRAP_FIELD(reg, off) la reg, vireo_mtrap; ld reg, off(reg)

#endif /* TESTS_ISA_COMMON_TEST_H */
