/*
 * target/riscv/helper-table.c — the descriptor of every helper that
 * translated code calls: name (for -d op), function, flags, signature.
 *
 * Flags say what a call may do beyond computing its result:
 *   RAISE   may raise a guest exception (longjmp to the CPU loop);
 *   RG/WG   reads/writes guest IR globals through env (the PC, GPRs,
 *           FPRs or the LR reservation);
 *   PURE    depends only on its arguments.
 * Helpers that only touch CSR state outside the IR globals need neither
 * RG nor WG.
 */
#include "target/riscv/helper.h"
#include "hw/core/cpu.h"

#define RAISE TCG_CALL_MAY_RAISE
#define RG TCG_CALL_READS_GLOBALS
#define WG TCG_CALL_WRITES_GLOBALS
#define PURE TCG_CALL_PURE

#define V TCG_HARG_VOID
#define E TCG_HARG_ENV
#define I32 TCG_HARG_I32
#define I64 TCG_HARG_I64

#define HELPER(nm, fl, r, n, ...)                                       \
    const TCGHelperInfo helper_info_##nm = {                            \
        .name = #nm, .func = (void *)helper_##nm, .flags = (fl),        \
        .nargs = (n), .ret = (r), .args = { __VA_ARGS__ },              \
    };

/* Privileged and CSR helpers; they may change privilege or end the TB,
 * but leave the IR globals alone (the translator sets the PC). */
HELPER(raise_exception, RAISE | RG | WG, V, 3, E, I32, I64)
HELPER(csrr, RAISE, I64, 2, E, I32)
HELPER(csrw, RAISE, V, 3, E, I32, I64)
HELPER(csrrw, RAISE, I64, 4, E, I32, I64, I64)
HELPER(mret, RAISE | WG, I64, 1, E)
HELPER(sret, RAISE | WG, I64, 1, E)
HELPER(wfi, RAISE | RG, V, 1, E)
HELPER(pause, RAISE | RG, V, 1, E)
HELPER(sfence_vma, RAISE, V, 1, E)

/* Bit manipulation */
HELPER(orc_b, PURE, I64, 1, I64)
HELPER(clmul, PURE, I64, 2, I64, I64)
HELPER(clmulh, PURE, I64, 2, I64, I64)
HELPER(clmulr, PURE, I64, 2, I64, I64)

/* Single precision */
HELPER(fadd_s, RAISE, I64, 4, E, I64, I64, I32)
HELPER(fsub_s, RAISE, I64, 4, E, I64, I64, I32)
HELPER(fmul_s, RAISE, I64, 4, E, I64, I64, I32)
HELPER(fdiv_s, RAISE, I64, 4, E, I64, I64, I32)
HELPER(fsqrt_s, RAISE, I64, 3, E, I64, I32)
HELPER(fmadd_s, RAISE, I64, 6, E, I64, I64, I64, I32, I32)
HELPER(fmin_s, 0, I64, 3, E, I64, I64)
HELPER(fmax_s, 0, I64, 3, E, I64, I64)
HELPER(feq_s, 0, I64, 3, E, I64, I64)
HELPER(flt_s, 0, I64, 3, E, I64, I64)
HELPER(fle_s, 0, I64, 3, E, I64, I64)
HELPER(fclass_s, PURE, I64, 1, I64)
HELPER(fsgnj_s, PURE, I64, 3, I64, I64, I32)
HELPER(fcvt_x_s, RAISE, I64, 4, E, I64, I32, I32)
HELPER(fcvt_s_x, RAISE, I64, 4, E, I64, I32, I32)

/* Double precision */
HELPER(fadd_d, RAISE, I64, 4, E, I64, I64, I32)
HELPER(fsub_d, RAISE, I64, 4, E, I64, I64, I32)
HELPER(fmul_d, RAISE, I64, 4, E, I64, I64, I32)
HELPER(fdiv_d, RAISE, I64, 4, E, I64, I64, I32)
HELPER(fsqrt_d, RAISE, I64, 3, E, I64, I32)
HELPER(fmadd_d, RAISE, I64, 6, E, I64, I64, I64, I32, I32)
HELPER(fmin_d, 0, I64, 3, E, I64, I64)
HELPER(fmax_d, 0, I64, 3, E, I64, I64)
HELPER(feq_d, 0, I64, 3, E, I64, I64)
HELPER(flt_d, 0, I64, 3, E, I64, I64)
HELPER(fle_d, 0, I64, 3, E, I64, I64)
HELPER(fclass_d, PURE, I64, 1, I64)
HELPER(fsgnj_d, PURE, I64, 3, I64, I64, I32)
HELPER(fcvt_x_d, RAISE, I64, 4, E, I64, I32, I32)
HELPER(fcvt_d_x, RAISE, I64, 4, E, I64, I32, I32)
HELPER(fcvt_s_d, RAISE, I64, 3, E, I64, I32)
HELPER(fcvt_d_s, RAISE, I64, 3, E, I64, I32)
