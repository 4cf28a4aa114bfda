/*
 * rvf-fcsr.S — fcsr, frm and fflags (unprivileged spec §11.2): the three
 * views of one register, pseudo-instructions fscsr/frcsr/fsrm/frrm/
 * fsflags/frflags (+ immediate forms), reserved bits 31:8 read as zero,
 * flags accrue (are never cleared by later operations), a static rm of 5
 * or 6 and a dynamic rm while frm holds 5, 6 or 7 are illegal instructions
 * that leave the flags alone; writing an invalid value to frm is allowed.
 */
#include "test.h"

#define ONE   0x3f800000
#define THREE 0x40400000
#define MAXF  0x7f7fffff
#define T_ILL(n, setup, insn...)                                              \
    TRAP_ARM;                                                                 \
    TCASE(n, a0, CAUSE_ILLEGAL_INSTRUCTION, setup; insn; TRAP_FIELD(a0, TREC_CAUSE))

TEST_BEGIN
    TCASE(1, a0, 0xff, li a1, 0xff; fscsr a1; frcsr a0)
    TCASE(2, a0, 0x1f, frflags a0)
    TCASE(3, a0, 7, frrm a0)
    TCASE(4, a0, 0xff, li a1, 0xffffff00; fscsr a0, a1; frcsr a1; or a0, a0, a1)  /* old 0xff, bits 31:8 ignored -> 0 */
    TCASE(5, a0, 0, frcsr a0)
    TCASE(6, a0, 0x0a, li a1, 0xea; fsflags a1; frflags a0)       /* only 5 bits */
    TCASE(7, a0, 0x0a, csrr a0, fcsr)
    TCASE(8, a0, 0x0a, fsflagsi a0, 0x15)                          /* returns old */
    TCASE(9, a0, 0x15, csrr a0, fflags)
    TCASE(10, a0, 0, li a1, 0xfb; fsrm a0, a1)                     /* old frm 0 */
    TCASE(11, a0, 3, frrm a0)                                      /* 0xfb & 7 */
    TCASE(12, a0, 0x75, csrr a0, fcsr)                             /* frm<<5 | fflags */
    TCASE(13, a0, 3, fsrmi a0, 4)
    TCASE(14, a0, 4, csrr a0, frm)
    TCASE(15, a0, 0x95, li a1, 0x9f; csrw fcsr, a1; li a1, 0x0a; csrc fflags, a1; csrr a0, fcsr)
    /* flags accrue */
    TCASE(16, a0, FFLAG_NX, fsrmi 0; fsflags x0; LF_S(f1, ONE); LF_S(f2, THREE); fdiv.s f3, f1, f2; frflags a0)
    TCASE(17, a0, FFLAG_NX | FFLAG_OF, LF_S(f1, MAXF); fadd.s f3, f1, f1; frflags a0)
    TCASE(18, a0, FFLAG_NX | FFLAG_OF, LF_S(f1, ONE); fadd.s f3, f1, f1; frflags a0)   /* exact op */
    TCASE(19, a0, FFLAG_NX | FFLAG_OF | FFLAG_DZ, LF_S(f2, 0); fdiv.s f3, f1, f2; frflags a0)
    TCASE(20, a0, 0x1f, fmv.w.x f1, zero; fdiv.s f3, f1, f1; LF_S(f2, 0x00800000); fmul.s f3, f2, f2; frflags a0)
    TCASE(21, a0, 0x1f, fsflags a0, x0)   /* fsflags with x0 clears and returns the old flags */
    TCASE(22, a0, 0, frflags a0)
    /* invalid rounding modes */
    T_ILL(23, fsflags x0, .insn r 0x53, 5, 0x00, f3, f1, f2)    /* fadd.s rm=5 */
    T_ILL(24, fsflags x0, .insn r 0x53, 6, 0x01, f3, f1, f2)    /* fadd.d rm=6 */
    T_ILL(25, fsrmi 5, fadd.s f3, f1, f2, dyn)
    T_ILL(26, fsrmi 6, fmul.d f3, f1, f2, dyn)
    T_ILL(27, fsrmi 7, fcvt.w.s a0, f1, dyn)
    TCASE(28, a0, 0, frflags a0)                  /* the traps raised no flags */
    TCASE(29, a0, 7, frrm a0)                     /* frm = 7 is storable */
    /* a static mode works even while frm is invalid */
    TCASE(30, a0, 0x3f800000, LF_S(f1, ONE); fmul.s f3, f1, f1, rne; fmv.x.w a0, f3)
    /* instructions without a rounding step ignore frm */
    TCASE(31, a0, 0xffffffffbf800000, LF_S(f1, ONE); fsgnjn.s f3, f1, f1; fmv.x.w a0, f3)
    TCASE(32, a0, 1, LF_S(f1, ONE); feq.s a0, f1, f1)
    TRAP_DISARM
    fsrmi 0
TEST_PASS
