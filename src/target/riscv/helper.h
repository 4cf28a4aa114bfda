/*
 * target/riscv/helper.h — C functions that translated code calls.
 *
 * Each helper is an ordinary prototype here plus one descriptor
 * (helper_info_NAME) in helper-table.c giving its signature and what a
 * call may do (pure / raise / touch globals), so the optimizer and the
 * backends know what a call clobbers. The gen_helper_* wrappers below
 * emit the calls with typed temps.
 *
 * Helpers get the CPUState pointer as "env" (the RISCVCPU, since it
 * embeds CPUState first). A helper that raises a guest exception does so
 * with riscv_raise_exception(cpu, cause, tval, GETPC()).
 *
 * Floating-point helpers take the instruction's rm field (0-4, or 7 for
 * the dynamic frm); an invalid rounding mode raises illegal instruction
 * (Unprivileged spec §11.2). Single-precision operands arrive NaN-boxed
 * in 64 bits and results are returned NaN-boxed (§12.2).
 */
#ifndef TARGET_RISCV_HELPER_H
#define TARGET_RISCV_HELPER_H

#include "accel/tcg/tcg-op.h"

/* --- exceptions, CSRs, privileged instructions (op-helper.c) --- */
void helper_raise_exception(CPUState *env, uint32_t cause, uint64_t tval);
uint64_t helper_csrr(CPUState *env, uint32_t csr);
void helper_csrw(CPUState *env, uint32_t csr, uint64_t val);
uint64_t helper_csrrw(CPUState *env, uint32_t csr, uint64_t val,
                      uint64_t mask);
uint64_t helper_mret(CPUState *env);
uint64_t helper_sret(CPUState *env);
void helper_wfi(CPUState *env);
void helper_pause(CPUState *env);
void helper_sfence_vma(CPUState *env);

/* --- bit manipulation (op-helper.c) --- */
uint64_t helper_orc_b(uint64_t x);
uint64_t helper_clmul(uint64_t a, uint64_t b);
uint64_t helper_clmulh(uint64_t a, uint64_t b);
uint64_t helper_clmulr(uint64_t a, uint64_t b);

/* --- floating point (fpu-helper.c); "s" = single, "d" = double --- */
uint64_t helper_fadd_s(CPUState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fsub_s(CPUState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fmul_s(CPUState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fdiv_s(CPUState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fsqrt_s(CPUState *env, uint64_t a, uint32_t rm);
uint64_t helper_fmadd_s(CPUState *env, uint64_t a, uint64_t b, uint64_t c,
                        uint32_t rm, uint32_t negate);
uint64_t helper_fmin_s(CPUState *env, uint64_t a, uint64_t b);
uint64_t helper_fmax_s(CPUState *env, uint64_t a, uint64_t b);
uint64_t helper_feq_s(CPUState *env, uint64_t a, uint64_t b);
uint64_t helper_flt_s(CPUState *env, uint64_t a, uint64_t b);
uint64_t helper_fle_s(CPUState *env, uint64_t a, uint64_t b);
uint64_t helper_fclass_s(uint64_t a);
uint64_t helper_fsgnj_s(uint64_t a, uint64_t b, uint32_t kind);
/* fcvt.{w,wu,l,lu}.s: @kind 0 = w, 1 = wu, 2 = l, 3 = lu */
uint64_t helper_fcvt_x_s(CPUState *env, uint64_t a, uint32_t rm,
                         uint32_t kind);
/* fcvt.s.{w,wu,l,lu} */
uint64_t helper_fcvt_s_x(CPUState *env, uint64_t a, uint32_t rm,
                         uint32_t kind);

uint64_t helper_fadd_d(CPUState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fsub_d(CPUState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fmul_d(CPUState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fdiv_d(CPUState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fsqrt_d(CPUState *env, uint64_t a, uint32_t rm);
uint64_t helper_fmadd_d(CPUState *env, uint64_t a, uint64_t b, uint64_t c,
                        uint32_t rm, uint32_t negate);
uint64_t helper_fmin_d(CPUState *env, uint64_t a, uint64_t b);
uint64_t helper_fmax_d(CPUState *env, uint64_t a, uint64_t b);
uint64_t helper_feq_d(CPUState *env, uint64_t a, uint64_t b);
uint64_t helper_flt_d(CPUState *env, uint64_t a, uint64_t b);
uint64_t helper_fle_d(CPUState *env, uint64_t a, uint64_t b);
uint64_t helper_fclass_d(uint64_t a);
uint64_t helper_fsgnj_d(uint64_t a, uint64_t b, uint32_t kind);
uint64_t helper_fcvt_x_d(CPUState *env, uint64_t a, uint32_t rm,
                         uint32_t kind);
uint64_t helper_fcvt_d_x(CPUState *env, uint64_t a, uint32_t rm,
                         uint32_t kind);
uint64_t helper_fcvt_s_d(CPUState *env, uint64_t a, uint32_t rm);
uint64_t helper_fcvt_d_s(CPUState *env, uint64_t a, uint32_t rm);

/* --- descriptors (helper-table.c) --- */
#define RISCV_HELPERS(X)                                                    \
    X(raise_exception) X(csrr) X(csrw) X(csrrw) X(mret) X(sret) X(wfi)      \
    X(pause) X(sfence_vma) X(orc_b) X(clmul) X(clmulh) X(clmulr)                     \
    X(fadd_s) X(fsub_s) X(fmul_s) X(fdiv_s) X(fsqrt_s) X(fmadd_s)           \
    X(fmin_s) X(fmax_s) X(feq_s) X(flt_s) X(fle_s) X(fclass_s) X(fsgnj_s)   \
    X(fcvt_x_s) X(fcvt_s_x)                                                 \
    X(fadd_d) X(fsub_d) X(fmul_d) X(fdiv_d) X(fsqrt_d) X(fmadd_d)           \
    X(fmin_d) X(fmax_d) X(feq_d) X(flt_d) X(fle_d) X(fclass_d) X(fsgnj_d)   \
    X(fcvt_x_d) X(fcvt_d_x) X(fcvt_s_d) X(fcvt_d_s)

#define RISCV_HELPER_EXTERN(name) extern const TCGHelperInfo helper_info_##name;
RISCV_HELPERS(RISCV_HELPER_EXTERN)
#undef RISCV_HELPER_EXTERN

/* --- typed call wrappers for the non-FP helpers --- */

static inline void gen_helper_raise_exception(TCGContext *s, TCGv_i32 cause,
                                              TCGv_i64 tval)
{
    tcg_gen_call2(s, &helper_info_raise_exception, 0, cause.idx, tval.idx);
}

static inline void gen_helper_csrr(TCGContext *s, TCGv_i64 ret,
                                   TCGv_i32 csr)
{
    tcg_gen_call1(s, &helper_info_csrr, ret.idx, csr.idx);
}

static inline void gen_helper_csrw(TCGContext *s, TCGv_i32 csr,
                                   TCGv_i64 val)
{
    tcg_gen_call2(s, &helper_info_csrw, 0, csr.idx, val.idx);
}

static inline void gen_helper_csrrw(TCGContext *s, TCGv_i64 ret,
                                    TCGv_i32 csr, TCGv_i64 val,
                                    TCGv_i64 mask)
{
    tcg_gen_call3(s, &helper_info_csrrw, ret.idx, csr.idx, val.idx,
                  mask.idx);
}

static inline void gen_helper_xret(TCGContext *s, bool mret, TCGv_i64 ret)
{
    tcg_gen_call0(s, mret ? &helper_info_mret : &helper_info_sret, ret.idx);
}

static inline void gen_helper_wfi(TCGContext *s)
{
    tcg_gen_call0(s, &helper_info_wfi, 0);
}

static inline void gen_helper_pause(TCGContext *s)
{
    tcg_gen_call0(s, &helper_info_pause, 0);
}

static inline void gen_helper_sfence_vma(TCGContext *s)
{
    tcg_gen_call0(s, &helper_info_sfence_vma, 0);
}

/* ret = helper(a, b) for the pure two-operand bit helpers. */
static inline void gen_helper_bits2(TCGContext *s, const TCGHelperInfo *h,
                                    TCGv_i64 ret, TCGv_i64 a, TCGv_i64 b)
{
    tcg_gen_call2(s, h, ret.idx, a.idx, b.idx);
}

#endif /* TARGET_RISCV_HELPER_H */
