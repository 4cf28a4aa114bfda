/*
 * target/riscv/fpu-helper.c — F and D arithmetic through the soft-float
 * library (fpu/softfloat.h), whose rounding-mode values and flag bits are
 * RISC-V's own rm and fflags encodings.
 *
 * Each helper resolves the rounding mode (the instruction's rm, or frm
 * when rm = DYN; an invalid frm raises illegal instruction, Unprivileged
 * spec §11.2), computes with default-NaN semantics (canonical NaNs,
 * §11.3), and ORs the raised flags into fflags. Single-precision operands
 * are unboxed first: a value whose upper 32 bits are not all ones is
 * treated as the canonical NaN (§12.2).
 */
#include "target/riscv/helper.h"
#include "target/riscv/cpu-internal.h"
#include "fpu/softfloat.h"

#define NANBOX_S 0xffffffff00000000ULL

static float32 unbox_s(uint64_t v)
{
    return (v & NANBOX_S) == NANBOX_S ? (float32)v : F32_DEFAULT_NAN;
}

static uint64_t box_s(float32 v)
{
    return NANBOX_S | v;
}

/* A FloatStatus for this instruction's rounding mode. */
static FloatStatus fp_status(RISCVCPU *cpu, uint32_t rm, uintptr_t ra)
{
    FloatStatus st = { .default_nan = true };

    if (rm == RISCV_FRM_DYN) {
        rm = cpu->frm;
    }
    if (rm > RISCV_FRM_RMM) {
        riscv_raise_exception(cpu, RISCV_EXCP_ILLEGAL_INST, 0, ra);
    }
    st.rounding_mode = rm;
    return st;
}

static void fp_accrue(RISCVCPU *cpu, const FloatStatus *st)
{
    cpu->fflags |= st->flags;
}

/* For operations without a rounding mode (comparisons, min/max). */
static FloatStatus fp_status_norm(void)
{
    return (FloatStatus){ .default_nan = true };
}

/* --- single precision --- */

#define FP_BINOP_S(name, fn)                                                \
    uint64_t helper_##name##_s(CPUState *env, uint64_t a, uint64_t b,       \
                               uint32_t rm)                                 \
    {                                                                       \
        RISCVCPU *cpu = riscv_cpu(env);                                     \
        FloatStatus st = fp_status(cpu, rm, GETPC());                       \
        float32 r = fn(unbox_s(a), unbox_s(b), &st);                        \
        fp_accrue(cpu, &st);                                                \
        return box_s(r);                                                    \
    }

FP_BINOP_S(fadd, f32_add)
FP_BINOP_S(fsub, f32_sub)
FP_BINOP_S(fmul, f32_mul)
FP_BINOP_S(fdiv, f32_div)

uint64_t helper_fsqrt_s(CPUState *env, uint64_t a, uint32_t rm)
{
    RISCVCPU *cpu = riscv_cpu(env);
    FloatStatus st = fp_status(cpu, rm, GETPC());
    float32 r = f32_sqrt(unbox_s(a), &st);

    fp_accrue(cpu, &st);
    return box_s(r);
}

uint64_t helper_fmadd_s(CPUState *env, uint64_t a, uint64_t b, uint64_t c,
                        uint32_t rm, uint32_t negate)
{
    RISCVCPU *cpu = riscv_cpu(env);
    FloatStatus st = fp_status(cpu, rm, GETPC());
    float32 r = f32_muladd(unbox_s(a), unbox_s(b), unbox_s(c), negate, &st);

    fp_accrue(cpu, &st);
    return box_s(r);
}

#define FP_NORM_S(name, fn, wrap)                                           \
    uint64_t helper_##name##_s(CPUState *env, uint64_t a, uint64_t b)       \
    {                                                                       \
        RISCVCPU *cpu = riscv_cpu(env);                                     \
        FloatStatus st = fp_status_norm();                                  \
        uint64_t r = wrap(fn(unbox_s(a), unbox_s(b), &st));                 \
        fp_accrue(cpu, &st);                                                \
        return r;                                                           \
    }

#define AS_BOOL(x) ((uint64_t)((x) ? 1 : 0))

FP_NORM_S(fmin, f32_min, box_s)
FP_NORM_S(fmax, f32_max, box_s)
FP_NORM_S(feq, f32_eq, AS_BOOL)
FP_NORM_S(flt, f32_lt, AS_BOOL)
FP_NORM_S(fle, f32_le, AS_BOOL)

uint64_t helper_fclass_s(uint64_t a)
{
    return f32_classify(unbox_s(a));
}

/* kind: 0 = sign of b, 1 = inverted sign of b, 2 = sign a ^ sign b. */
uint64_t helper_fsgnj_s(uint64_t a, uint64_t b, uint32_t kind)
{
    float32 x = unbox_s(a), y = unbox_s(b);
    float32 sign = kind == 0 ? (y & 0x80000000u)
                 : kind == 1 ? (~y & 0x80000000u)
                 : ((x ^ y) & 0x80000000u);

    return box_s((x & 0x7fffffffu) | sign);
}

/* RV64 sign-extends the 32-bit results of FCVT.W[U] (§11.7). */
static uint64_t cvt_to_int_result(uint64_t v, uint32_t kind)
{
    return kind < 2 ? (uint64_t)(int64_t)(int32_t)v : v;
}

uint64_t helper_fcvt_x_s(CPUState *env, uint64_t a, uint32_t rm,
                         uint32_t kind)
{
    RISCVCPU *cpu = riscv_cpu(env);
    FloatStatus st = fp_status(cpu, rm, GETPC());
    float32 x = unbox_s(a);
    uint64_t r;

    switch (kind) {
    case 0:
        r = (uint64_t)(int64_t)f32_to_i32(x, st.rounding_mode, &st);
        break;
    case 1:
        r = f32_to_u32(x, st.rounding_mode, &st);
        break;
    case 2:
        r = (uint64_t)f32_to_i64(x, st.rounding_mode, &st);
        break;
    default:
        r = f32_to_u64(x, st.rounding_mode, &st);
        break;
    }
    fp_accrue(cpu, &st);
    return cvt_to_int_result(r, kind);
}

uint64_t helper_fcvt_s_x(CPUState *env, uint64_t a, uint32_t rm,
                         uint32_t kind)
{
    RISCVCPU *cpu = riscv_cpu(env);
    FloatStatus st = fp_status(cpu, rm, GETPC());
    float32 r;

    switch (kind) {
    case 0:
        r = i32_to_f32((int32_t)a, &st);
        break;
    case 1:
        r = u32_to_f32((uint32_t)a, &st);
        break;
    case 2:
        r = i64_to_f32((int64_t)a, &st);
        break;
    default:
        r = u64_to_f32(a, &st);
        break;
    }
    fp_accrue(cpu, &st);
    return box_s(r);
}

/* --- double precision --- */

#define FP_BINOP_D(name, fn)                                                \
    uint64_t helper_##name##_d(CPUState *env, uint64_t a, uint64_t b,       \
                               uint32_t rm)                                 \
    {                                                                       \
        RISCVCPU *cpu = riscv_cpu(env);                                     \
        FloatStatus st = fp_status(cpu, rm, GETPC());                       \
        float64 r = fn(a, b, &st);                                          \
        fp_accrue(cpu, &st);                                                \
        return r;                                                           \
    }

FP_BINOP_D(fadd, f64_add)
FP_BINOP_D(fsub, f64_sub)
FP_BINOP_D(fmul, f64_mul)
FP_BINOP_D(fdiv, f64_div)

uint64_t helper_fsqrt_d(CPUState *env, uint64_t a, uint32_t rm)
{
    RISCVCPU *cpu = riscv_cpu(env);
    FloatStatus st = fp_status(cpu, rm, GETPC());
    float64 r = f64_sqrt(a, &st);

    fp_accrue(cpu, &st);
    return r;
}

uint64_t helper_fmadd_d(CPUState *env, uint64_t a, uint64_t b, uint64_t c,
                        uint32_t rm, uint32_t negate)
{
    RISCVCPU *cpu = riscv_cpu(env);
    FloatStatus st = fp_status(cpu, rm, GETPC());
    float64 r = f64_muladd(a, b, c, negate, &st);

    fp_accrue(cpu, &st);
    return r;
}

#define AS_RAW(x) ((uint64_t)(x))

#define FP_NORM_D(name, fn, wrap)                                           \
    uint64_t helper_##name##_d(CPUState *env, uint64_t a, uint64_t b)       \
    {                                                                       \
        RISCVCPU *cpu = riscv_cpu(env);                                     \
        FloatStatus st = fp_status_norm();                                  \
        uint64_t r = wrap(fn(a, b, &st));                                   \
        fp_accrue(cpu, &st);                                                \
        return r;                                                           \
    }

FP_NORM_D(fmin, f64_min, AS_RAW)
FP_NORM_D(fmax, f64_max, AS_RAW)
FP_NORM_D(feq, f64_eq, AS_BOOL)
FP_NORM_D(flt, f64_lt, AS_BOOL)
FP_NORM_D(fle, f64_le, AS_BOOL)

uint64_t helper_fclass_d(uint64_t a)
{
    return f64_classify(a);
}

uint64_t helper_fsgnj_d(uint64_t a, uint64_t b, uint32_t kind)
{
    const uint64_t sbit = 1ULL << 63;
    uint64_t sign = kind == 0 ? (b & sbit)
                  : kind == 1 ? (~b & sbit)
                  : ((a ^ b) & sbit);

    return (a & ~sbit) | sign;
}

uint64_t helper_fcvt_x_d(CPUState *env, uint64_t a, uint32_t rm,
                         uint32_t kind)
{
    RISCVCPU *cpu = riscv_cpu(env);
    FloatStatus st = fp_status(cpu, rm, GETPC());
    uint64_t r;

    switch (kind) {
    case 0:
        r = (uint64_t)(int64_t)f64_to_i32(a, st.rounding_mode, &st);
        break;
    case 1:
        r = f64_to_u32(a, st.rounding_mode, &st);
        break;
    case 2:
        r = (uint64_t)f64_to_i64(a, st.rounding_mode, &st);
        break;
    default:
        r = f64_to_u64(a, st.rounding_mode, &st);
        break;
    }
    fp_accrue(cpu, &st);
    return cvt_to_int_result(r, kind);
}

uint64_t helper_fcvt_d_x(CPUState *env, uint64_t a, uint32_t rm,
                         uint32_t kind)
{
    RISCVCPU *cpu = riscv_cpu(env);
    FloatStatus st = fp_status(cpu, rm, GETPC());
    float64 r;

    switch (kind) {
    case 0:
        r = i32_to_f64((int32_t)a, &st);
        break;
    case 1:
        r = u32_to_f64((uint32_t)a, &st);
        break;
    case 2:
        r = i64_to_f64((int64_t)a, &st);
        break;
    default:
        r = u64_to_f64(a, &st);
        break;
    }
    fp_accrue(cpu, &st);
    return r;
}

uint64_t helper_fcvt_s_d(CPUState *env, uint64_t a, uint32_t rm)
{
    RISCVCPU *cpu = riscv_cpu(env);
    FloatStatus st = fp_status(cpu, rm, GETPC());
    float32 r = f64_to_f32(a, &st);

    fp_accrue(cpu, &st);
    return box_s(r);
}

uint64_t helper_fcvt_d_s(CPUState *env, uint64_t a, uint32_t rm)
{
    RISCVCPU *cpu = riscv_cpu(env);
    FloatStatus st = fp_status(cpu, rm, GETPC());
    float64 r = f32_to_f64(unbox_s(a), &st);

    fp_accrue(cpu, &st);
    return r;
}
