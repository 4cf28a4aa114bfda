/*
 * tests/unit/test-softfloat.c — fpu/softfloat against the host's IEEE 754
 * hardware, against binary128 exact arithmetic, and against hand-written
 * expectations from the RISC-V F/D chapters.
 *
 * Three kinds of reference:
 *   - The host FPU (x86-64 SSE) for everything it does the way RISC-V does:
 *     add/sub/mul/div/sqrt/fma and conversions, in the four rounding modes
 *     it has, comparing results bit for bit and the five exception flags
 *     (SSE, like RISC-V, detects tininess after rounding). Operands are
 *     read through volatile objects and the result written to one, so the
 *     compiler can neither fold nor move the operation away from the flag
 *     reads (GCC does not implement #pragma STDC FENV_ACCESS).
 *   - roundTiesToAway (RMM) has no host mode. It differs from
 *     roundTiesToEven only at exact ties, so the reference is the host's
 *     RNE result, moved to the other neighbour when the exact result,
 *     computed in binary128 (libgcc, exact for every tie), is a midpoint.
 *     Flags are RNE's: at a tie both modes overflow and underflow alike.
 *   - Where x86 differs from RISC-V (NaN results are not canonical, min/max,
 *     float->int overflow gives 0x80..0), expectations are derived from the
 *     RISC-V rules: NaN results must be exactly the canonical NaN.
 *
 * Operands come from a seeded PRNG biased toward hard cases: random bit
 * patterns, powers of two and neighbours, subnormals, extreme exponents,
 * sparse significands (exact and halfway results), operand pairs that
 * cancel, and products/quotients landing at the underflow and overflow
 * thresholds. Set VIREO_SOFTFLOAT_SCALE (a float, default 1) to scale the
 * case counts; VIREO_SANITIZER_BUILD divides them by 8.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fenv.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "fpu/softfloat.h"

/* IEEE binary128, in which every tie is exact (see wide_op). */
#if defined(__SIZEOF_FLOAT128__)
typedef __float128 Quad;
#else
#include <float.h>
#if LDBL_MANT_DIG == 113
typedef long double Quad;
#else
#error "test-softfloat needs an IEEE binary128 type"
#endif
#endif

#define ALL_FLAGS (FLOAT_FLAG_INEXACT | FLOAT_FLAG_UNDERFLOW | \
                   FLOAT_FLAG_OVERFLOW | FLOAT_FLAG_DIVBYZERO | \
                   FLOAT_FLAG_INVALID)
#define MAX_REPORTED_FAILURES 8

/* ---- formats, bit patterns and host values ---- */

typedef struct TestFormat {
    const char *name;
    int frac_bits;
    int exp_bits;
    bool is_f64;
} TestFormat;

static const TestFormat test_f32 = { "f32", 23, 8, false };
static const TestFormat test_f64 = { "f64", 52, 11, true };

static int fmt_exp_max(const TestFormat *fmt)
{
    return (1 << fmt->exp_bits) - 1;
}

static int fmt_bias(const TestFormat *fmt)
{
    return (1 << (fmt->exp_bits - 1)) - 1;
}

static uint64_t fmt_frac_mask(const TestFormat *fmt)
{
    return (1ull << fmt->frac_bits) - 1;
}

static uint64_t fmt_sign_bit(const TestFormat *fmt)
{
    return 1ull << (fmt->frac_bits + fmt->exp_bits);
}

static uint64_t fmt_make(const TestFormat *fmt, bool sign, uint64_t exp_field,
                         uint64_t frac)
{
    return (sign ? fmt_sign_bit(fmt) : 0) | (exp_field << fmt->frac_bits) |
           (frac & fmt_frac_mask(fmt));
}

static uint64_t fmt_canonical_nan(const TestFormat *fmt)
{
    return fmt->is_f64 ? F64_DEFAULT_NAN : F32_DEFAULT_NAN;
}

static bool fmt_is_nan(const TestFormat *fmt, uint64_t bits)
{
    return fmt->is_f64 ? f64_is_nan(bits) : f32_is_nan((uint32_t)bits);
}

static bool fmt_is_snan(const TestFormat *fmt, uint64_t bits)
{
    return fmt->is_f64 ? f64_is_signaling_nan(bits)
                       : f32_is_signaling_nan((uint32_t)bits);
}

static bool fmt_is_inf(const TestFormat *fmt, uint64_t bits)
{
    return fmt->is_f64 ? f64_is_inf(bits) : f32_is_inf((uint32_t)bits);
}

static double host_f64(uint64_t bits)
{
    double d;

    memcpy(&d, &bits, sizeof(d));
    return d;
}

static uint64_t host_f64_bits(double d)
{
    uint64_t bits;

    memcpy(&bits, &d, sizeof(bits));
    return bits;
}

static float host_f32(uint64_t bits)
{
    uint32_t narrow = (uint32_t)bits;
    float f;

    memcpy(&f, &narrow, sizeof(f));
    return f;
}

static uint64_t host_f32_bits(float f)
{
    uint32_t bits;

    memcpy(&bits, &f, sizeof(bits));
    return bits;
}

/* A format value as a double (exact for both formats). */
static double fmt_to_double(const TestFormat *fmt, uint64_t bits)
{
    return fmt->is_f64 ? host_f64(bits) : (double)host_f32(bits);
}

static Quad fmt_to_quad(const TestFormat *fmt, uint64_t bits)
{
    return (Quad)fmt_to_double(fmt, bits);
}

/* ---- host floating-point environment ---- */

static const struct {
    int softfloat;
    int host;
    const char *name;
} host_modes[] = {
    { FLOAT_ROUND_NEAREST_EVEN, FE_TONEAREST, "rne" },
    { FLOAT_ROUND_TO_ZERO, FE_TOWARDZERO, "rtz" },
    { FLOAT_ROUND_DOWN, FE_DOWNWARD, "rdn" },
    { FLOAT_ROUND_UP, FE_UPWARD, "rup" },
};

static const char *const rm_names[] = { "rne", "rtz", "rdn", "rup", "rmm" };

/*
 * The SSE status flags, read and cleared through MXCSR directly: the
 * fenv.h calls also touch the x87 unit and dominate the run time.
 */
static void host_clear_flags(void)
{
#if defined(__x86_64__)
    _mm_setcsr(_mm_getcsr() & ~0x3fu);
#else
    feclearexcept(FE_ALL_EXCEPT);
#endif
}

static unsigned host_read_flags(void)
{
    unsigned flags = 0;
#if defined(__x86_64__)
    unsigned csr = _mm_getcsr();

    flags |= (csr & 0x01) ? FLOAT_FLAG_INVALID : 0;
    flags |= (csr & 0x04) ? FLOAT_FLAG_DIVBYZERO : 0;
    flags |= (csr & 0x08) ? FLOAT_FLAG_OVERFLOW : 0;
    flags |= (csr & 0x10) ? FLOAT_FLAG_UNDERFLOW : 0;
    flags |= (csr & 0x20) ? FLOAT_FLAG_INEXACT : 0;
#else
    int e = fetestexcept(FE_ALL_EXCEPT);

    flags |= (e & FE_INVALID) ? FLOAT_FLAG_INVALID : 0;
    flags |= (e & FE_DIVBYZERO) ? FLOAT_FLAG_DIVBYZERO : 0;
    flags |= (e & FE_OVERFLOW) ? FLOAT_FLAG_OVERFLOW : 0;
    flags |= (e & FE_UNDERFLOW) ? FLOAT_FLAG_UNDERFLOW : 0;
    flags |= (e & FE_INEXACT) ? FLOAT_FLAG_INEXACT : 0;
#endif
    return flags;
}

/* The host comparisons assume SSE semantics (tininess after rounding). */
static bool host_matches_riscv(void)
{
#if defined(__x86_64__)
    return true;
#else
    return false;
#endif
}

#if defined(__x86_64__)
__attribute__((target("fma")))
static double host_fma_hw(double a, double b, double c)
{
    return __builtin_fma(a, b, c);
}

__attribute__((target("fma")))
static float host_fmaf_hw(float a, float b, float c)
{
    return __builtin_fmaf(a, b, c);
}
#endif

static double host_fma(double a, double b, double c)
{
#if defined(__x86_64__)
    if (__builtin_cpu_supports("fma")) {
        return host_fma_hw(a, b, c);
    }
#endif
    return fma(a, b, c);
}

static float host_fmaf(float a, float b, float c)
{
#if defined(__x86_64__)
    if (__builtin_cpu_supports("fma")) {
        return host_fmaf_hw(a, b, c);
    }
#endif
    return fmaf(a, b, c);
}

/* ---- case counts ---- */

static unsigned long scaled_count(unsigned long base)
{
    const char *scale_env = getenv("VIREO_SOFTFLOAT_SCALE");
    double scale = scale_env ? strtod(scale_env, NULL) : 1.0;
    const char *sanitizer = getenv("VIREO_SANITIZER_BUILD");

    if (sanitizer && *sanitizer && strcmp(sanitizer, "0") != 0) {
        scale /= 8;
    }
    if (!(scale > 0)) {
        scale = 1.0;
    }
    return base * scale < 100 ? 100 : (unsigned long)(base * scale);
}

/* ---- the PRNG and operand generators ---- */

typedef struct TestRng {
    uint64_t state;
} TestRng;

/* splitmix64: small, fast, and good enough to drive case generation. */
static uint64_t rng_next(TestRng *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rng_below(TestRng *rng, uint64_t bound)
{
    return rng_next(rng) % bound;
}

static int rng_range(TestRng *rng, int lo, int hi)
{
    return lo + (int)rng_below(rng, (uint64_t)(hi - lo + 1));
}

/* A significand with only a few bits set: exact and halfway results. */
static uint64_t gen_sparse_frac(TestRng *rng, const TestFormat *fmt)
{
    uint64_t frac = 0;
    int bits = rng_range(rng, 0, 4);

    for (int i = 0; i < bits; i++) {
        frac |= 1ull << rng_below(rng, (uint64_t)fmt->frac_bits);
    }
    if (rng_below(rng, 4) == 0) {
        frac = ~frac;   /* ... or only a few bits clear */
    }
    return frac;
}

static uint64_t gen_special(TestRng *rng, const TestFormat *fmt)
{
    bool sign = rng_next(rng) & 1;
    uint64_t frac_mask = fmt_frac_mask(fmt);
    uint64_t quiet = 1ull << (fmt->frac_bits - 1);
    int exp_max = fmt_exp_max(fmt);

    switch (rng_below(rng, 9)) {
    case 0:
        return fmt_make(fmt, sign, 0, 0);                          /* zero */
    case 1:
        return fmt_make(fmt, sign, exp_max, 0);                    /* inf */
    case 2:
        return fmt_make(fmt, sign, exp_max, quiet | rng_next(rng)); /* qNaN */
    case 3:                                                        /* sNaN */
        return fmt_make(fmt, sign, exp_max,
                        (rng_next(rng) & (quiet - 1)) | 1);
    case 4:
        return fmt_make(fmt, sign, exp_max - 1, frac_mask);        /* max */
    case 5:
        return fmt_make(fmt, sign, 1, 0);                  /* min normal */
    case 6:
        return fmt_make(fmt, sign, 0, 1);               /* min subnormal */
    case 7:
        return fmt_make(fmt, sign, 0, frac_mask);       /* max subnormal */
    default:
        return fmt_make(fmt, sign, fmt_bias(fmt), 0);              /* 1.0 */
    }
}

static uint64_t gen_value(TestRng *rng, const TestFormat *fmt)
{
    bool sign = rng_next(rng) & 1;
    int exp_max = fmt_exp_max(fmt);
    int bias = fmt_bias(fmt);
    uint64_t frac_mask = fmt_frac_mask(fmt);
    static const int extreme_exps[] = { 1, 2, 3, -1, -2, -3 };
    int pick;

    switch (rng_below(rng, 12)) {
    case 0:
    case 1:     /* any bit pattern */
        return rng_next(rng) & (2 * fmt_sign_bit(fmt) - 1);
    case 2:     /* ordinary magnitudes */
        return fmt_make(fmt, sign, (uint64_t)rng_range(rng, bias - 30, bias + 30),
                        rng_next(rng));
    case 3: {   /* powers of two and their neighbours */
        const uint64_t fracs[] = { 0, 1, 2, 3, frac_mask, frac_mask - 1,
                                   1ull << (fmt->frac_bits - 1) };

        return fmt_make(fmt, sign, (uint64_t)rng_range(rng, 1, exp_max - 1),
                        fracs[rng_below(rng, 7)]);
    }
    case 4:     /* subnormals, of every width */
        return fmt_make(fmt, sign, 0,
                        (rng_next(rng) & frac_mask) >>
                            rng_below(rng, (uint64_t)fmt->frac_bits));
    case 5:     /* the extremes of the exponent range */
        pick = extreme_exps[rng_below(rng, 6)];
        return fmt_make(fmt, sign, (uint64_t)(pick > 0 ? pick : exp_max + pick),
                        rng_below(rng, 3) ? rng_next(rng) : gen_sparse_frac(rng, fmt));
    case 6:
        return gen_special(rng, fmt);
    case 7:
    case 8:     /* sparse significands near 1 */
        return fmt_make(fmt, sign, (uint64_t)rng_range(rng, bias - 12, bias + 12),
                        gen_sparse_frac(rng, fmt));
    case 9:     /* sparse significands anywhere */
        return fmt_make(fmt, sign, (uint64_t)rng_range(rng, 0, exp_max - 1),
                        gen_sparse_frac(rng, fmt));
    default:    /* any finite value */
        return fmt_make(fmt, sign, (uint64_t)rng_range(rng, 0, exp_max - 1),
                        rng_next(rng));
    }
}

/* Replace the exponent field of finite nonzero @bits, when it stays finite. */
static uint64_t with_exp_field(const TestFormat *fmt, uint64_t bits, int field)
{
    uint64_t cleared = bits & ~((uint64_t)fmt_exp_max(fmt) << fmt->frac_bits);

    if (field < 1 || field >= fmt_exp_max(fmt)) {
        return bits;
    }
    return cleared | ((uint64_t)field << fmt->frac_bits);
}

static int exp_field_of(const TestFormat *fmt, uint64_t bits)
{
    return (int)(bits >> fmt->frac_bits) & fmt_exp_max(fmt);
}

typedef enum TestOp {
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_SQRT,
    OP_FMADD,    /*  (a*b) + c */
    OP_FMSUB,    /*  (a*b) - c */
    OP_FNMSUB,   /* -(a*b) + c */
    OP_FNMADD,   /* -(a*b) - c */
} TestOp;

static const char *const op_names[] = {
    "add", "sub", "mul", "div", "sqrt", "fmadd", "fmsub", "fnmsub", "fnmadd",
};

static bool op_is_fma(TestOp op)
{
    return op >= OP_FMADD;
}

static int op_negate_flags(TestOp op)
{
    switch (op) {
    case OP_FMSUB:
        return FLOAT_MULADD_NEGATE_ADDEND;
    case OP_FNMSUB:
        return FLOAT_MULADD_NEGATE_PRODUCT;
    case OP_FNMADD:
        return FLOAT_MULADD_NEGATE_PRODUCT | FLOAT_MULADD_NEGATE_ADDEND;
    default:
        return 0;
    }
}

/* A square with a short significand, or a neighbour of one. */
static uint64_t gen_near_square(TestRng *rng, const TestFormat *fmt)
{
    int half_bits = (fmt->frac_bits + 1) / 2 - 1;   /* root^2 fits */
    uint64_t root = (1ull << half_bits) | (rng_next(rng) & ((1ull << half_bits) - 1));
    int exp = rng_range(rng, -fmt_bias(fmt) - fmt->frac_bits + 1, fmt_bias(fmt)) / 2;
    double square = ldexp((double)root * (double)root, 2 * exp - 2 * half_bits);
    uint64_t bits = fmt->is_f64 ? host_f64_bits(square)
                                : host_f32_bits((float)square);

    if (fmt_is_inf(fmt, bits) || bits == 0) {
        return gen_value(rng, fmt);
    }
    return bits + (uint64_t)rng_range(rng, -1, 1);
}

/*
 * b such that a*b or a/b is within a few ulps of 2^emin (where tininess
 * before and after rounding differ), of the largest finite value, or of a
 * subnormal power of two.
 */
static uint64_t gen_boundary_operand(TestRng *rng, const TestFormat *fmt,
                                     TestOp op, uint64_t a)
{
    int emin = 1 - fmt_bias(fmt);
    double a_value = fmt_to_double(fmt, a);
    Quad target, b;
    uint64_t bits;

    switch (rng_below(rng, 3)) {
    case 0:
        target = ldexp(1.0, emin);
        break;
    case 1:
        target = ldexp(2.0 - ldexp(1.0, -fmt->frac_bits), fmt_bias(fmt));
        break;
    default:
        target = ldexp(1.0, emin - rng_range(rng, 1, fmt->frac_bits));
        break;
    }
    if (a_value == 0 || !isfinite(a_value)) {
        return gen_value(rng, fmt);
    }
    b = op == OP_MUL ? target / a_value : a_value / target;
    bits = fmt->is_f64 ? host_f64_bits((double)b) : host_f32_bits((float)b);
    if (fmt_is_inf(fmt, bits) || (bits << 1) == 0) {
        return gen_value(rng, fmt);
    }
    return bits + (uint64_t)rng_range(rng, -2, 2);
}

/*
 * Operands tied to a: close exponents and near-cancellation for additions,
 * results at the underflow and overflow thresholds for products and
 * quotients, an addend that cancels most of the product for fused
 * multiply-adds.
 */
static void gen_related_operands(TestRng *rng, const TestFormat *fmt, TestOp op,
                                 uint64_t ops[3])
{
    int bias = fmt_bias(fmt);
    int emin = 1 - bias, emax = bias;
    int precision = fmt->frac_bits + 1;
    int a_exp, target;

    a_exp = exp_field_of(fmt, ops[0]) - bias;
    switch (op) {
    case OP_ADD:
    case OP_SUB:
        ops[1] = ops[0] + (uint64_t)rng_range(rng, -3, 3);
        ops[1] ^= rng_below(rng, 2) ? fmt_sign_bit(fmt) : 0;
        if (rng_below(rng, 2)) {
            ops[1] = with_exp_field(fmt, ops[1], exp_field_of(fmt, ops[1]) +
                                    rng_range(rng, -precision - 3, precision + 3));
        }
        break;
    case OP_MUL:
    case OP_DIV:
        if (rng_below(rng, 2)) {
            ops[1] = gen_boundary_operand(rng, fmt, op, ops[0]);
            break;
        }
        target = rng_below(rng, 2) ? emin + rng_range(rng, -precision - 2, 2)
                                   : emax + rng_range(rng, -1, 1);
        ops[1] = with_exp_field(fmt, ops[1],
                                (op == OP_MUL ? target - a_exp : a_exp - target) + bias);
        break;
    default: {
        /* c is about -(a*b): the sum cancels, or a shifted copy of it. */
        double product = fmt_to_double(fmt, ops[0]) * fmt_to_double(fmt, ops[1]);
        uint64_t c = fmt->is_f64 ? host_f64_bits(product)
                                 : host_f32_bits((float)product);

        if (fmt_is_inf(fmt, c) || fmt_is_nan(fmt, c) || (c << 1) == 0) {
            break;
        }
        c += (uint64_t)rng_range(rng, -2, 2);
        if (rng_below(rng, 2)) {
            c = with_exp_field(fmt, c, exp_field_of(fmt, c) +
                               rng_range(rng, -2 * precision - 3, precision + 3));
        }
        ops[2] = c ^ (rng_below(rng, 2) ? fmt_sign_bit(fmt) : 0);
        break;
    }
    }
}

/* Operands for @op; a quarter of them related (gen_related_operands). */
static void gen_operands(TestRng *rng, const TestFormat *fmt, TestOp op,
                         uint64_t ops[3])
{
    for (int i = 0; i < 3; i++) {
        ops[i] = gen_value(rng, fmt);
    }
    if (op == OP_SQRT) {
        if (rng_below(rng, 3) == 0) {
            ops[0] = gen_near_square(rng, fmt);
        } else if (rng_below(rng, 2) == 0) {
            ops[0] &= ~fmt_sign_bit(fmt);
        }
    } else if (rng_below(rng, 4) == 0) {
        gen_related_operands(rng, fmt, op, ops);
    }
    for (int i = 0; i < 3; i++) {
        ops[i] &= 2 * fmt_sign_bit(fmt) - 1;   /* neighbours may wrap */
    }
}

/* ---- the operations under test and on the host ---- */

static uint64_t soft_op(TestOp op, const TestFormat *fmt, const uint64_t ops[3],
                        FloatStatus *st)
{
    uint64_t a = ops[0], b = ops[1], c = ops[2];

    if (fmt->is_f64) {
        switch (op) {
        case OP_ADD:
            return f64_add(a, b, st);
        case OP_SUB:
            return f64_sub(a, b, st);
        case OP_MUL:
            return f64_mul(a, b, st);
        case OP_DIV:
            return f64_div(a, b, st);
        case OP_SQRT:
            return f64_sqrt(a, st);
        default:
            return f64_muladd(a, b, c, op_negate_flags(op), st);
        }
    }
    switch (op) {
    case OP_ADD:
        return f32_add((uint32_t)a, (uint32_t)b, st);
    case OP_SUB:
        return f32_sub((uint32_t)a, (uint32_t)b, st);
    case OP_MUL:
        return f32_mul((uint32_t)a, (uint32_t)b, st);
    case OP_DIV:
        return f32_div((uint32_t)a, (uint32_t)b, st);
    case OP_SQRT:
        return f32_sqrt((uint32_t)a, st);
    default:
        return f32_muladd((uint32_t)a, (uint32_t)b, (uint32_t)c,
                          op_negate_flags(op), st);
    }
}

/* The fused forms as fma(±a, b, ±c), which is exactly what they mean. */
static void fma_host_operands(TestOp op, const TestFormat *fmt,
                              const uint64_t ops[3], uint64_t out[3])
{
    int negate = op_negate_flags(op);

    out[0] = ops[0] ^ ((negate & FLOAT_MULADD_NEGATE_PRODUCT) ? fmt_sign_bit(fmt) : 0);
    out[1] = ops[1];
    out[2] = ops[2] ^ ((negate & FLOAT_MULADD_NEGATE_ADDEND) ? fmt_sign_bit(fmt) : 0);
}

static uint64_t host_op_f64(TestOp op, const uint64_t ops[3], unsigned *flags)
{
    volatile double a = host_f64(ops[0]), b = host_f64(ops[1]);
    volatile double c = host_f64(ops[2]);
    volatile double r;

    host_clear_flags();
    switch (op) {
    case OP_ADD:
        r = a + b;
        break;
    case OP_SUB:
        r = a - b;
        break;
    case OP_MUL:
        r = a * b;
        break;
    case OP_DIV:
        r = a / b;
        break;
    case OP_SQRT:
        r = sqrt(a);
        break;
    default:
        r = host_fma(a, b, c);
        break;
    }
    *flags = host_read_flags();
    return host_f64_bits(r);
}

static uint64_t host_op_f32(TestOp op, const uint64_t ops[3], unsigned *flags)
{
    volatile float a = host_f32(ops[0]), b = host_f32(ops[1]);
    volatile float c = host_f32(ops[2]);
    volatile float r;

    host_clear_flags();
    switch (op) {
    case OP_ADD:
        r = a + b;
        break;
    case OP_SUB:
        r = a - b;
        break;
    case OP_MUL:
        r = a * b;
        break;
    case OP_DIV:
        r = a / b;
        break;
    case OP_SQRT:
        r = sqrtf(a);
        break;
    default:
        r = host_fmaf(a, b, c);
        break;
    }
    *flags = host_read_flags();
    return host_f32_bits(r);
}

static uint64_t host_op(TestOp op, const TestFormat *fmt, const uint64_t ops[3],
                        unsigned *flags)
{
    uint64_t host_ops[3] = { ops[0], ops[1], ops[2] };

    if (op_is_fma(op)) {
        fma_host_operands(op, fmt, ops, host_ops);
    }
    return fmt->is_f64 ? host_op_f64(op, host_ops, flags)
                       : host_op_f32(op, host_ops, flags);
}

/*
 * The operation in binary128, with *@exact telling whether that was exact.
 * Exactness is all the RMM reference needs: a tie has at most
 * precision + 1 significant bits, which binary128 always holds.
 */
static Quad wide_op(TestOp op, const TestFormat *fmt, const uint64_t ops[3],
                          bool *exact)
{
    uint64_t host_ops[3] = { ops[0], ops[1], ops[2] };
    volatile Quad a, b, c, r;

    if (op_is_fma(op)) {
        fma_host_operands(op, fmt, ops, host_ops);
    }
    a = fmt_to_quad(fmt, host_ops[0]);
    b = fmt_to_quad(fmt, host_ops[1]);
    c = fmt_to_quad(fmt, host_ops[2]);
    feclearexcept(FE_ALL_EXCEPT);
    switch (op) {
    case OP_ADD:
        r = a + b;
        break;
    case OP_SUB:
        r = a - b;
        break;
    case OP_MUL:
        r = a * b;
        break;
    case OP_DIV:
        r = a / b;
        break;
    case OP_SQRT:
        r = 0;   /* never a tie (see test_arith_rmm) */
        break;
    default:
        r = a * b + c;   /* the product is exact in binary128 */
        break;
    }
    *exact = op != OP_SQRT && !fetestexcept(FE_INEXACT);
    return r;
}

/*
 * Where RISC-V deliberately differs from x86: fma(inf, 0, qNaN) must raise
 * invalid (F chapter, "Single-Precision Floating-Point Computational
 * Instructions"); x86 leaves it to the quiet NaN.
 */
static unsigned riscv_flags_from_host(TestOp op, const TestFormat *fmt,
                                      const uint64_t ops[3], unsigned flags)
{
    uint64_t magnitude_mask = fmt_sign_bit(fmt) - 1;
    uint64_t a = ops[0] & magnitude_mask, b = ops[1] & magnitude_mask;
    uint64_t inf = (uint64_t)fmt_exp_max(fmt) << fmt->frac_bits;

    if (op_is_fma(op) && ((a == inf && b == 0) || (a == 0 && b == inf))) {
        flags |= FLOAT_FLAG_INVALID;
    }
    return flags;
}

/* ---- checking ---- */

typedef struct CheckLog {
    const char *test;
    unsigned long cases;
    unsigned long failures;
} CheckLog;

/* A NaN expectation means "the canonical NaN"; everything else is exact. */
static bool results_agree(const TestFormat *fmt, uint64_t want, uint64_t got)
{
    return fmt_is_nan(fmt, want) ? got == fmt_canonical_nan(fmt) : got == want;
}

/* Count a failure; describe the first few. */
static void report_mismatch(CheckLog *log, const TestFormat *fmt, const char *what,
                            const uint64_t ops[3], int nops, int rm,
                            uint64_t want, unsigned want_flags,
                            uint64_t got, unsigned got_flags)
{
    char operands[80];
    int len = 0;

    if (++log->failures > MAX_REPORTED_FAILURES) {
        return;
    }
    for (int i = 0; i < nops; i++) {
        len += snprintf(operands + len, sizeof(operands) - (size_t)len,
                        "%s%#llx", i ? ", " : "", (unsigned long long)ops[i]);
    }
    print_message("# %s: %s_%s(%s) %s: want %#llx flags %#x, got %#llx flags %#x\n",
                  log->test, fmt->name, what, operands, rm_names[rm],
                  (unsigned long long)want, want_flags,
                  (unsigned long long)got, got_flags);
}

static void check_result(CheckLog *log, const TestFormat *fmt, const char *what,
                         const uint64_t ops[3], int nops, int rm,
                         uint64_t want, unsigned want_flags,
                         uint64_t got, unsigned got_flags)
{
    log->cases++;
    if (!results_agree(fmt, want, got) || want_flags != got_flags) {
        report_mismatch(log, fmt, what, ops, nops, rm, want, want_flags,
                        got, got_flags);
    }
}

static void finish_log(const CheckLog *log)
{
    print_message("# %s: %lu cases, %lu failures\n", log->test, log->cases,
                  log->failures);
    assert_int_equal(log->failures, 0);
}

static int op_operand_count(TestOp op)
{
    return op == OP_SQRT ? 1 : op_is_fma(op) ? 3 : 2;
}

/* ---- arithmetic against the host, four rounding modes ---- */

typedef struct ArithTest {
    TestOp op;
    const TestFormat *fmt;
    unsigned long count;   /* per rounding mode */
} ArithTest;

static void test_arith_vs_host(void **state)
{
    const ArithTest *t = *state;
    CheckLog log = { .test = "arith_vs_host" };
    TestRng rng = { 0x5eed0000u + t->op * 2 + t->fmt->is_f64 };
    unsigned long count = scaled_count(t->count);

    if (!host_matches_riscv()) {
        skip();
    }
    for (size_t m = 0; m < sizeof(host_modes) / sizeof(host_modes[0]); m++) {
        fesetround(host_modes[m].host);
        for (unsigned long i = 0; i < count; i++) {
            FloatStatus st = { .rounding_mode = (uint8_t)host_modes[m].softfloat,
                               .default_nan = true };
            uint64_t ops[3], want, got;
            unsigned want_flags;

            gen_operands(&rng, t->fmt, t->op, ops);
            want = host_op(t->op, t->fmt, ops, &want_flags);
            want_flags = riscv_flags_from_host(t->op, t->fmt, ops, want_flags);
            got = soft_op(t->op, t->fmt, ops, &st);
            check_result(&log, t->fmt, op_names[t->op], ops,
                         op_operand_count(t->op), host_modes[m].softfloat,
                         want, want_flags, got, st.flags);
        }
    }
    fesetround(FE_TONEAREST);
    finish_log(&log);
}

/* ---- roundTiesToAway (RMM) ---- */

/* The neighbour of finite @bits one step toward @negative_direction. */
static uint64_t step_toward(const TestFormat *fmt, uint64_t bits, bool downward)
{
    bool negative = bits & fmt_sign_bit(fmt);

    if ((bits & ~fmt_sign_bit(fmt)) == 0) {
        return fmt_make(fmt, downward, 0, 1);
    }
    return negative == downward ? bits + 1 : bits - 1;
}

/*
 * The RMM result given the RNE result @rne and the exact value @exact: the
 * same, unless @exact is a midpoint and RNE went toward zero.
 */
static uint64_t rmm_from_rne(const TestFormat *fmt, uint64_t rne, Quad exact)
{
    Quad r = fmt_to_quad(fmt, rne);
    Quad diff = exact - r;          /* exact (Sterbenz) */
    uint64_t neighbour;

    if (diff == 0 || fmt_is_nan(fmt, rne) || fmt_is_inf(fmt, rne)) {
        return rne;
    }
    neighbour = step_toward(fmt, rne, diff < 0);
    if (2 * diff != fmt_to_quad(fmt, neighbour) - r) {
        return rne;                        /* not a tie */
    }
    return fabs(fmt_to_double(fmt, neighbour)) > fabs(fmt_to_double(fmt, rne))
               ? neighbour : rne;
}

static void test_arith_rmm(void **state)
{
    const ArithTest *t = *state;
    CheckLog log = { .test = "arith_rmm" };
    TestRng rng = { 0x7a11e500u + t->op * 2 + t->fmt->is_f64 };
    unsigned long count = scaled_count(t->count);

    if (!host_matches_riscv()) {
        skip();
    }
    fesetround(FE_TONEAREST);
    for (unsigned long i = 0; i < count; i++) {
        FloatStatus st = { .rounding_mode = FLOAT_ROUND_NEAREST_MAX_MAG,
                           .default_nan = true };
        uint64_t ops[3], want, got;
        unsigned want_flags;
        Quad exact;
        bool is_exact;

        gen_operands(&rng, t->fmt, t->op, ops);
        want = host_op(t->op, t->fmt, ops, &want_flags);
        want_flags = riscv_flags_from_host(t->op, t->fmt, ops, want_flags);
        /* sqrt is never a tie: m^2 for an odd (p+1)-bit m needs 2p+1 bits. */
        exact = wide_op(t->op, t->fmt, ops, &is_exact);
        if (is_exact) {
            want = rmm_from_rne(t->fmt, want, exact);
        }
        got = soft_op(t->op, t->fmt, ops, &st);
        check_result(&log, t->fmt, op_names[t->op], ops, op_operand_count(t->op),
                     FLOAT_ROUND_NEAREST_MAX_MAG, want, want_flags, got, st.flags);
    }
    finish_log(&log);
}

/* ---- conversions between formats ---- */

typedef struct ConvertTest {
    bool narrowing;   /* f64_to_f32 (else f32_to_f64) */
    unsigned long count;
} ConvertTest;

/* An f64 operand for f64_to_f32: often near the f32 range and precision. */
static uint64_t gen_narrowing_operand(TestRng *rng)
{
    uint64_t bits = gen_value(rng, &test_f64);
    int field;

    switch (rng_below(rng, 3)) {
    case 0:     /* f32 exponents, including its subnormal range and beyond */
        field = 1023 + rng_range(rng, -126 - 26, 129);
        bits = with_exp_field(&test_f64, bits, field);
        break;
    case 1:     /* ... with ties and near-ties at f32 precision */
        field = 1023 + rng_range(rng, -126 - 26, 129);
        bits = fmt_make(&test_f64, rng_next(rng) & 1, (uint64_t)field,
                        (rng_next(rng) << 28) | ((uint64_t)rng_below(rng, 3) << 27) |
                        (rng_below(rng, 2) ? rng_below(rng, 4) : 0));
        break;
    default:
        break;
    }
    return bits;
}

static void test_convert_formats(void **state)
{
    const ConvertTest *t = *state;
    const TestFormat *to = t->narrowing ? &test_f32 : &test_f64;
    CheckLog log = { .test = t->narrowing ? "f64_to_f32" : "f32_to_f64" };
    TestRng rng = { 0xc0417e47u + t->narrowing };
    unsigned long count = scaled_count(t->count);

    if (!host_matches_riscv()) {
        skip();
    }
    for (size_t m = 0; m <= sizeof(host_modes) / sizeof(host_modes[0]); m++) {
        bool rmm = m == sizeof(host_modes) / sizeof(host_modes[0]);
        int rm = rmm ? FLOAT_ROUND_NEAREST_MAX_MAG : host_modes[m].softfloat;

        fesetround(rmm ? FE_TONEAREST : host_modes[m].host);
        for (unsigned long i = 0; i < count; i++) {
            FloatStatus st = { .rounding_mode = (uint8_t)rm, .default_nan = true };
            uint64_t op[3] = { 0 }, want, got;
            unsigned want_flags;

            if (t->narrowing) {
                volatile double in;
                volatile float out;

                op[0] = gen_narrowing_operand(&rng);
                in = host_f64(op[0]);
                host_clear_flags();
                out = (float)in;
                want_flags = host_read_flags();
                want = host_f32_bits(out);
                got = f64_to_f32(op[0], &st);
                if (rmm) {
                    want = rmm_from_rne(to, want, (Quad)host_f64(op[0]));
                }
            } else {
                volatile float in;
                volatile double out;

                op[0] = gen_value(&rng, &test_f32);
                in = host_f32(op[0]);
                host_clear_flags();
                out = (double)in;
                want_flags = host_read_flags();
                want = host_f64_bits(out);
                got = f32_to_f64((uint32_t)op[0], &st);
            }
            check_result(&log, to, t->narrowing ? "from_f64" : "from_f32", op, 1,
                         rm, want, want_flags, got, st.flags);
        }
    }
    fesetround(FE_TONEAREST);
    finish_log(&log);
}

/* ---- float to integer ---- */

typedef struct ToIntTest {
    const TestFormat *fmt;
    bool is_signed;
    int width;
    unsigned long count;   /* per rounding mode */
} ToIntTest;

static uint64_t soft_to_int(const ToIntTest *t, uint64_t a, int rm, FloatStatus *st)
{
    if (t->fmt->is_f64) {
        if (t->width == 32) {
            return t->is_signed ? (uint64_t)(int64_t)f64_to_i32(a, rm, st)
                                : f64_to_u32(a, rm, st);
        }
        return t->is_signed ? (uint64_t)f64_to_i64(a, rm, st) : f64_to_u64(a, rm, st);
    }
    if (t->width == 32) {
        return t->is_signed ? (uint64_t)(int64_t)f32_to_i32((uint32_t)a, rm, st)
                            : f32_to_u32((uint32_t)a, rm, st);
    }
    return t->is_signed ? (uint64_t)f32_to_i64((uint32_t)a, rm, st)
                        : f32_to_u64((uint32_t)a, rm, st);
}

/*
 * Round finite @x to an integer in mode @rm. Not rint(): GCC expands it
 * inline assuming round-to-nearest. Truncation by conversion is exact and
 * independent of the host mode, and so are the fraction and the +-1 steps.
 */
static double round_to_integer(double x, int rm)
{
    double whole, fraction, away;

    if (fabs(x) >= 0x1p52) {
        return x;                         /* already an integer */
    }
    whole = (double)(int64_t)x;
    fraction = x - whole;
    away = fraction < 0 ? -1.0 : 1.0;
    switch (rm) {
    case FLOAT_ROUND_TO_ZERO:
        return whole;
    case FLOAT_ROUND_DOWN:
        return fraction < 0 ? whole - 1 : whole;
    case FLOAT_ROUND_UP:
        return fraction > 0 ? whole + 1 : whole;
    case FLOAT_ROUND_NEAREST_MAX_MAG:
        return fabs(fraction) >= 0.5 ? whole + away : whole;
    default:
        if (fabs(fraction) > 0.5 ||
            (fabs(fraction) == 0.5 && ((int64_t)whole & 1))) {
            return whole + away;
        }
        return whole;
    }
}

/* RISC-V FCVT to an integer, computed in doubles (exact for all inputs). */
static uint64_t ref_to_int(const ToIntTest *t, uint64_t a, int rm, unsigned *flags)
{
    double x = fmt_to_double(t->fmt, a);
    double lowest = t->is_signed ? -ldexp(1, t->width - 1) : 0;
    double limit = ldexp(1, t->is_signed ? t->width - 1 : t->width);
    uint64_t max_bits = t->is_signed ? (1ull << (t->width - 1)) - 1
                                     : (t->width == 64 ? UINT64_MAX
                                                       : (1ull << t->width) - 1);
    uint64_t min_bits = t->is_signed ? (uint64_t)(int64_t)lowest : 0;
    double r;

    *flags = 0;
    if (isnan(x)) {
        *flags = FLOAT_FLAG_INVALID;
        return max_bits;
    }
    r = isinf(x) ? x : round_to_integer(x, rm);
    if (r < lowest || r >= limit) {
        *flags = FLOAT_FLAG_INVALID;
        return r < 0 ? min_bits : max_bits;
    }
    if (r != x) {
        *flags = FLOAT_FLAG_INEXACT;
    }
    return t->is_signed ? (uint64_t)(int64_t)r : (uint64_t)r;
}

/* Values around integer limits and halfway points, or anything at all. */
static uint64_t gen_to_int_operand(TestRng *rng, const TestFormat *fmt)
{
    static const double centres[] = {
        0, 1, 0x1p31, 0x1p32, 0x1p63, 0x1p64, 0x1p24, 0x1p53,
    };
    static const double fractions[] = { 0, 0.5, 0.25, 0.75, -0.5, 0x1p-30 };
    double x;

    if (rng_below(rng, 3) == 0) {
        return gen_value(rng, fmt);
    }
    x = centres[rng_below(rng, 8)] + (double)rng_range(rng, -3, 3) +
        fractions[rng_below(rng, 6)];
    if (rng_below(rng, 4) == 0) {
        x = ldexp((double)rng_next(rng), -rng_range(rng, 0, 70));
    }
    if (rng_below(rng, 2)) {
        x = -x;
    }
    return fmt->is_f64 ? host_f64_bits(x) : host_f32_bits((float)x);
}

static void test_to_int(void **state)
{
    const ToIntTest *t = *state;
    CheckLog log = { .test = "to_int" };
    TestRng rng = { 0x1a7e6e40u + t->fmt->is_f64 * 4 + t->is_signed * 2 +
                    (t->width == 64) };
    unsigned long count = scaled_count(t->count);
    char what[32];

    snprintf(what, sizeof(what), "to_%c%d", t->is_signed ? 'i' : 'u', t->width);
    for (size_t m = 0; m <= sizeof(host_modes) / sizeof(host_modes[0]); m++) {
        bool rmm = m == sizeof(host_modes) / sizeof(host_modes[0]);
        int rm = rmm ? FLOAT_ROUND_NEAREST_MAX_MAG : host_modes[m].softfloat;

        fesetround(rmm ? FE_TONEAREST : host_modes[m].host);
        for (unsigned long i = 0; i < count; i++) {
            /* The status's own mode must not matter: rm is explicit. */
            FloatStatus st = { .rounding_mode = FLOAT_ROUND_UP, .default_nan = true };
            uint64_t op[3] = { gen_to_int_operand(&rng, t->fmt) };
            unsigned want_flags;
            uint64_t want = ref_to_int(t, op[0], rm, &want_flags);
            uint64_t got = soft_to_int(t, op[0], rm, &st);

            /* Integer results: compare bits, no NaN rule. */
            log.cases++;
            if (got != want || st.flags != want_flags) {
                report_mismatch(&log, t->fmt, what, op, 1, rm, want, want_flags,
                                got, st.flags);
            }
        }
    }
    fesetround(FE_TONEAREST);
    finish_log(&log);
}

/* ---- integer to float ---- */

typedef struct FromIntTest {
    const TestFormat *fmt;
    bool is_signed;
    int width;
    unsigned long count;   /* per rounding mode */
} FromIntTest;

static uint64_t soft_from_int(const FromIntTest *t, uint64_t v, FloatStatus *st)
{
    if (t->fmt->is_f64) {
        if (t->width == 32) {
            return t->is_signed ? i32_to_f64((int32_t)v, st) : u32_to_f64((uint32_t)v, st);
        }
        return t->is_signed ? i64_to_f64((int64_t)v, st) : u64_to_f64(v, st);
    }
    if (t->width == 32) {
        return t->is_signed ? i32_to_f32((int32_t)v, st) : u32_to_f32((uint32_t)v, st);
    }
    return t->is_signed ? i64_to_f32((int64_t)v, st) : u64_to_f32(v, st);
}

static uint64_t host_from_int(const FromIntTest *t, uint64_t v, unsigned *flags)
{
    volatile int64_t s64 = (int64_t)v;
    volatile uint64_t u64 = v;
    volatile int32_t s32 = (int32_t)v;
    volatile uint32_t u32 = (uint32_t)v;
    volatile double d;
    volatile float f;

    host_clear_flags();
    if (t->fmt->is_f64) {
        d = t->width == 32 ? (t->is_signed ? (double)s32 : (double)u32)
                           : (t->is_signed ? (double)s64 : (double)u64);
        *flags = host_read_flags();
        return host_f64_bits(d);
    }
    f = t->width == 32 ? (t->is_signed ? (float)s32 : (float)u32)
                       : (t->is_signed ? (float)s64 : (float)u64);
    *flags = host_read_flags();
    return host_f32_bits(f);
}

static Quad int_to_quad(const FromIntTest *t, uint64_t v)
{
    if (t->width == 32) {
        return t->is_signed ? (Quad)(int32_t)v : (Quad)(uint32_t)v;
    }
    return t->is_signed ? (Quad)(int64_t)v : (Quad)v;
}

/* Integers of every length; many have precision + 1 bits (ties). */
static uint64_t gen_integer(TestRng *rng, const FromIntTest *t)
{
    int precision = t->fmt->frac_bits + 1;
    uint64_t v;

    switch (rng_below(rng, 4)) {
    case 0:
        v = rng_next(rng);
        break;
    case 1:
        v = rng_next(rng) >> rng_below(rng, 64);
        break;
    case 2:     /* a (precision + 1)-bit odd number, shifted: a tie */
        v = ((rng_next(rng) | 1) & ((1ull << (precision + 1)) - 1)) |
            (1ull << precision);
        v <<= rng_below(rng, (uint64_t)(64 - precision));
        v += (uint64_t)rng_range(rng, -1, 1);
        break;
    default:    /* powers of two and their neighbours, limits */
        v = (1ull << rng_below(rng, 64)) + (uint64_t)rng_range(rng, -2, 2);
        break;
    }
    if (rng_below(rng, 2)) {
        v = -v;
    }
    return t->width == 32 ? (uint32_t)v : v;
}

static void test_from_int(void **state)
{
    const FromIntTest *t = *state;
    CheckLog log = { .test = "from_int" };
    TestRng rng = { 0xf7011170u + t->fmt->is_f64 * 4 + t->is_signed * 2 +
                    (t->width == 64) };
    unsigned long count = scaled_count(t->count);

    if (!host_matches_riscv()) {
        skip();
    }
    for (size_t m = 0; m <= sizeof(host_modes) / sizeof(host_modes[0]); m++) {
        bool rmm = m == sizeof(host_modes) / sizeof(host_modes[0]);
        int rm = rmm ? FLOAT_ROUND_NEAREST_MAX_MAG : host_modes[m].softfloat;

        fesetround(rmm ? FE_TONEAREST : host_modes[m].host);
        for (unsigned long i = 0; i < count; i++) {
            FloatStatus st = { .rounding_mode = (uint8_t)rm, .default_nan = true };
            uint64_t op[3] = { gen_integer(&rng, t) };
            unsigned want_flags;
            uint64_t want = host_from_int(t, op[0], &want_flags);
            uint64_t got = soft_from_int(t, op[0], &st);

            if (rmm) {
                want = rmm_from_rne(t->fmt, want, int_to_quad(t, op[0]));
            }
            check_result(&log, t->fmt, t->is_signed ? "from_signed" : "from_unsigned",
                         op, 1, rm, want, want_flags, got, st.flags);
        }
    }
    fesetround(FE_TONEAREST);
    finish_log(&log);
}

/* ---- comparisons, min/max, classify: RISC-V rules over host values ---- */

static void test_compare_min_max(void **state)
{
    const TestFormat *fmt = *state;
    CheckLog log = { .test = "compare_min_max" };
    TestRng rng = { 0xc0a7a4e0u + fmt->is_f64 };
    unsigned long count = scaled_count(400000);

    for (unsigned long i = 0; i < count; i++) {
        uint64_t ops[3];
        double a, b;
        bool a_nan, b_nan, any_snan;
        FloatStatus st = { .default_nan = true };
        uint64_t want_min, want_max, got;
        bool want, result;

        gen_operands(&rng, fmt, OP_ADD, ops);
        if (rng_below(&rng, 8) == 0) {
            ops[1] = ops[0] ^ (rng_below(&rng, 2) ? fmt_sign_bit(fmt) : 0);
        }
        a = fmt_to_double(fmt, ops[0]);
        b = fmt_to_double(fmt, ops[1]);
        a_nan = fmt_is_nan(fmt, ops[0]);
        b_nan = fmt_is_nan(fmt, ops[1]);
        any_snan = fmt_is_snan(fmt, ops[0]) || fmt_is_snan(fmt, ops[1]);

        /* FEQ: quiet */
        want = !a_nan && !b_nan && a == b;
        result = fmt->is_f64 ? f64_eq(ops[0], ops[1], &st)
                             : f32_eq((uint32_t)ops[0], (uint32_t)ops[1], &st);
        check_result(&log, fmt, "eq", ops, 2, 0, want,
                     any_snan ? FLOAT_FLAG_INVALID : 0, result, st.flags);

        /* FLT and FLE: signaling */
        st.flags = 0;
        want = !a_nan && !b_nan && a < b;
        result = fmt->is_f64 ? f64_lt(ops[0], ops[1], &st)
                             : f32_lt((uint32_t)ops[0], (uint32_t)ops[1], &st);
        check_result(&log, fmt, "lt", ops, 2, 0, want,
                     a_nan || b_nan ? FLOAT_FLAG_INVALID : 0, result, st.flags);
        st.flags = 0;
        want = !a_nan && !b_nan && a <= b;
        result = fmt->is_f64 ? f64_le(ops[0], ops[1], &st)
                             : f32_le((uint32_t)ops[0], (uint32_t)ops[1], &st);
        check_result(&log, fmt, "le", ops, 2, 0, want,
                     a_nan || b_nan ? FLOAT_FLAG_INVALID : 0, result, st.flags);

        /* FMIN/FMAX: minimumNumber/maximumNumber, -0 < +0 */
        if (a_nan && b_nan) {
            want_min = want_max = fmt_canonical_nan(fmt);
        } else if (a_nan || b_nan) {
            want_min = want_max = a_nan ? ops[1] : ops[0];
        } else if (a < b || (a == b && (ops[0] & fmt_sign_bit(fmt)))) {
            want_min = ops[0];
            want_max = ops[1];
        } else {
            want_min = ops[1];
            want_max = ops[0];
        }
        st.flags = 0;
        got = fmt->is_f64 ? f64_min(ops[0], ops[1], &st)
                          : f32_min((uint32_t)ops[0], (uint32_t)ops[1], &st);
        check_result(&log, fmt, "min", ops, 2, 0, want_min,
                     any_snan ? FLOAT_FLAG_INVALID : 0, got, st.flags);
        st.flags = 0;
        got = fmt->is_f64 ? f64_max(ops[0], ops[1], &st)
                          : f32_max((uint32_t)ops[0], (uint32_t)ops[1], &st);
        check_result(&log, fmt, "max", ops, 2, 0, want_max,
                     any_snan ? FLOAT_FLAG_INVALID : 0, got, st.flags);
    }
    finish_log(&log);
}

static uint32_t ref_classify(const TestFormat *fmt, uint64_t bits)
{
    double x = fmt_to_double(fmt, bits);
    bool negative = signbit(x);
    bool float_subnormal = exp_field_of(fmt, bits) == 0;

    if (isnan(x)) {
        return fmt_is_snan(fmt, bits) ? FLOAT_CLASS_SIGNALING_NAN
                                      : FLOAT_CLASS_QUIET_NAN;
    }
    if (isinf(x)) {
        return negative ? FLOAT_CLASS_NEG_INF : FLOAT_CLASS_POS_INF;
    }
    if (x == 0) {
        return negative ? FLOAT_CLASS_NEG_ZERO : FLOAT_CLASS_POS_ZERO;
    }
    if (float_subnormal) {
        return negative ? FLOAT_CLASS_NEG_SUBNORMAL : FLOAT_CLASS_POS_SUBNORMAL;
    }
    return negative ? FLOAT_CLASS_NEG_NORMAL : FLOAT_CLASS_POS_NORMAL;
}

static void test_classify(void **state)
{
    const TestFormat *fmt = *state;
    CheckLog log = { .test = "classify" };
    TestRng rng = { 0xc1a55000u + fmt->is_f64 };
    unsigned long count = scaled_count(200000);

    for (unsigned long i = 0; i < count; i++) {
        uint64_t op[3] = { gen_value(&rng, fmt) };
        uint32_t got = fmt->is_f64 ? f64_classify(op[0]) : f32_classify((uint32_t)op[0]);

        check_result(&log, fmt, "classify", op, 1, 0, ref_classify(fmt, op[0]),
                     0, got, 0);
        assert_int_equal(__builtin_popcount(got), 1);
    }
    finish_log(&log);
}

/* ---- hand-written cases ---- */

typedef struct HandCase {
    TestOp op;
    const TestFormat *fmt;
    int rm;
    uint64_t a, b, c;
    uint64_t want;
    unsigned flags;
} HandCase;

#define NX FLOAT_FLAG_INEXACT
#define UF FLOAT_FLAG_UNDERFLOW
#define OF FLOAT_FLAG_OVERFLOW
#define DZ FLOAT_FLAG_DIVBYZERO
#define NV FLOAT_FLAG_INVALID
#define RNE FLOAT_ROUND_NEAREST_EVEN
#define RTZ FLOAT_ROUND_TO_ZERO
#define RDN FLOAT_ROUND_DOWN
#define RUP FLOAT_ROUND_UP
#define RMM FLOAT_ROUND_NEAREST_MAX_MAG
#define F32_ONE 0x3f800000u
#define F32_MAX 0x7f7fffffu
#define F32_INF 0x7f800000u
#define F32_NEG 0x80000000u
#define F32_SNAN 0x7f800001u
#define F32_QNAN 0x7fc00001u
#define F64_ONE 0x3ff0000000000000ull
#define F64_MAX 0x7fefffffffffffffull
#define F64_INF 0x7ff0000000000000ull
#define F64_NEG 0x8000000000000000ull
#define F64_SNAN 0x7ff0000000000001ull
#define F64_QNAN 0x7ff8000000000001ull

static const HandCase hand_cases[] = {
    /* ties: 1 + 2^-24 is halfway between 1 and 1 + 2^-23 */
    { OP_ADD, &test_f32, RNE, F32_ONE, 0x33800000, 0, F32_ONE, NX },
    { OP_ADD, &test_f32, RMM, F32_ONE, 0x33800000, 0, 0x3f800001, NX },
    { OP_ADD, &test_f32, RMM, 0xbf800000, 0xb3800000, 0, 0xbf800001, NX },
    { OP_ADD, &test_f32, RNE, 0x3f800001, 0x33800000, 0, 0x3f800002, NX },
    { OP_ADD, &test_f32, RMM, 0x3f800001, 0x33800000, 0, 0x3f800002, NX },
    { OP_ADD, &test_f64, RMM, F64_ONE, 0x3ca0000000000000ull, 0, F64_ONE + 1, NX },
    { OP_ADD, &test_f64, RNE, F64_ONE, 0x3ca0000000000000ull, 0, F64_ONE, NX },
    /* just below and above the tie */
    { OP_ADD, &test_f32, RMM, F32_ONE, 0x337fffff, 0, F32_ONE, NX },
    { OP_ADD, &test_f32, RNE, F32_ONE, 0x33800001, 0, 0x3f800001, NX },
    /* exact zero sums [§6.3] */
    { OP_ADD, &test_f32, RNE, F32_ONE, 0xbf800000, 0, 0, 0 },
    { OP_ADD, &test_f32, RDN, F32_ONE, 0xbf800000, 0, F32_NEG, 0 },
    { OP_SUB, &test_f64, RUP, F64_ONE, F64_ONE, 0, 0, 0 },
    { OP_SUB, &test_f64, RDN, F64_ONE, F64_ONE, 0, F64_NEG, 0 },
    { OP_ADD, &test_f32, RNE, F32_NEG, F32_NEG, 0, F32_NEG, 0 },
    { OP_ADD, &test_f32, RNE, F32_NEG, 0, 0, 0, 0 },
    { OP_ADD, &test_f32, RDN, F32_NEG, 0, 0, F32_NEG, 0 },
    { OP_SUB, &test_f32, RNE, F32_NEG, 0, 0, F32_NEG, 0 },
    /* invalid operations give the canonical NaN */
    { OP_SUB, &test_f32, RNE, F32_INF, F32_INF, 0, F32_DEFAULT_NAN, NV },
    { OP_ADD, &test_f64, RNE, F64_INF, F64_INF | F64_NEG, 0, F64_DEFAULT_NAN, NV },
    { OP_MUL, &test_f32, RNE, F32_INF, F32_NEG, 0, F32_DEFAULT_NAN, NV },
    { OP_DIV, &test_f32, RNE, 0, F32_NEG, 0, F32_DEFAULT_NAN, NV },
    { OP_DIV, &test_f64, RNE, F64_INF, F64_INF, 0, F64_DEFAULT_NAN, NV },
    { OP_SQRT, &test_f32, RNE, 0xbf800000, 0, 0, F32_DEFAULT_NAN, NV },
    { OP_SQRT, &test_f64, RNE, F64_INF | F64_NEG, 0, 0, F64_DEFAULT_NAN, NV },
    { OP_SQRT, &test_f64, RNE, F64_NEG, 0, 0, F64_NEG, 0 },
    { OP_SQRT, &test_f32, RNE, F32_INF, 0, 0, F32_INF, 0 },
    { OP_SQRT, &test_f32, RNE, 0x40800000, 0, 0, 0x40000000, 0 },
    { OP_SQRT, &test_f64, RNE, 0x0000000000000001ull, 0, 0, 0x1e60000000000000ull, 0 },
    /* NaN operands: quiet ones pass silently, signaling ones raise NV */
    { OP_ADD, &test_f32, RNE, F32_QNAN, F32_ONE, 0, F32_DEFAULT_NAN, 0 },
    { OP_ADD, &test_f32, RNE, F32_ONE, F32_SNAN, 0, F32_DEFAULT_NAN, NV },
    { OP_MUL, &test_f64, RNE, F64_SNAN, F64_QNAN, 0, F64_DEFAULT_NAN, NV },
    { OP_DIV, &test_f64, RNE, F64_QNAN | F64_NEG, 0, 0, F64_DEFAULT_NAN, 0 },
    { OP_SQRT, &test_f32, RNE, F32_SNAN | F32_NEG, 0, 0, F32_DEFAULT_NAN, NV },
    /* division by zero */
    { OP_DIV, &test_f32, RNE, F32_ONE, 0, 0, F32_INF, DZ },
    { OP_DIV, &test_f32, RNE, F32_ONE, F32_NEG, 0, F32_INF | F32_NEG, DZ },
    { OP_DIV, &test_f64, RTZ, F64_ONE | F64_NEG, 0, 0, F64_INF | F64_NEG, DZ },
    { OP_DIV, &test_f64, RNE, F64_INF, 0, 0, F64_INF, 0 },
    /* overflow, by mode and sign [§7.4] */
    { OP_MUL, &test_f32, RNE, F32_MAX, 0x40000000, 0, F32_INF, OF | NX },
    { OP_MUL, &test_f32, RMM, F32_MAX, 0x40000000, 0, F32_INF, OF | NX },
    { OP_MUL, &test_f32, RTZ, F32_MAX, 0x40000000, 0, F32_MAX, OF | NX },
    { OP_MUL, &test_f32, RDN, F32_MAX, 0x40000000, 0, F32_MAX, OF | NX },
    { OP_MUL, &test_f32, RUP, F32_MAX, 0x40000000, 0, F32_INF, OF | NX },
    { OP_MUL, &test_f32, RDN, F32_MAX, 0xc0000000, 0, F32_INF | F32_NEG, OF | NX },
    { OP_MUL, &test_f32, RUP, F32_MAX, 0xc0000000, 0, F32_MAX | F32_NEG, OF | NX },
    /* max + ulp/2: a tie that overflows unless rounding toward zero */
    { OP_ADD, &test_f64, RNE, F64_MAX, 0x7c90000000000000ull, 0, F64_INF, OF | NX },
    { OP_ADD, &test_f64, RMM, F64_MAX, 0x7c90000000000000ull, 0, F64_INF, OF | NX },
    { OP_ADD, &test_f64, RTZ, F64_MAX, 0x7c90000000000000ull, 0, F64_MAX, NX },
    { OP_ADD, &test_f64, RNE, F64_MAX, 0x7c8fffffffffffffull, 0, F64_MAX, NX },
    { OP_ADD, &test_f64, RUP, F64_MAX, 0x0000000000000001ull, 0, F64_INF, OF | NX },
    { OP_ADD, &test_f64, RDN, F64_MAX, 0x0000000000000001ull, 0, F64_MAX, NX },
    /* underflow: tiny AND inexact, tininess after rounding [§7.5] */
    { OP_MUL, &test_f32, RNE, 0x3f7fffff, 0x00800000, 0, 0x00800000, UF | NX },
    { OP_MUL, &test_f32, RTZ, 0x3f7fffff, 0x00800000, 0, 0x007fffff, UF | NX },
    { OP_MUL, &test_f32, RNE, 0x3f000000, 0x00800000, 0, 0x00400000, 0 },
    { OP_MUL, &test_f32, RNE, 0x3f000000, 0x00000001, 0, 0, UF | NX },
    { OP_MUL, &test_f32, RMM, 0x3f000000, 0x00000001, 0, 0x00000001, UF | NX },
    { OP_MUL, &test_f32, RUP, 0x00000001, 0x00000001, 0, 0x00000001, UF | NX },
    { OP_MUL, &test_f32, RDN, 0x00000001, 0x80000001, 0, 0x80000001, UF | NX },
    { OP_DIV, &test_f64, RNE, 0x0000000000000003ull, 0x4000000000000000ull, 0,
      0x0000000000000002ull, UF | NX },
    { OP_DIV, &test_f64, RMM, 0x0000000000000003ull, 0x4000000000000000ull, 0,
      0x0000000000000002ull, UF | NX },
    { OP_DIV, &test_f64, RMM, 0x0000000000000001ull, 0x4000000000000000ull, 0,
      0x0000000000000001ull, UF | NX },
    /* x * (1 - 2^-24) at 2^-126: rounds to 2^-126 only with unbounded range */
    { OP_MUL, &test_f32, RUP, 0x3f7fffff, 0x00800001, 0, 0x00800001, NX },
    { OP_SUB, &test_f32, RNE, 0x00800001, 0x00800000, 0, 0x00000001, 0 },
    /* fused multiply-add: one rounding, zero signs of the final sum */
    { OP_FMADD, &test_f32, RNE, F32_ONE, F32_ONE, 0xbf800000, 0, 0 },
    { OP_FMADD, &test_f32, RDN, F32_ONE, F32_ONE, 0xbf800000, F32_NEG, 0 },
    { OP_FNMADD, &test_f32, RNE, 0, F32_ONE, 0, F32_NEG, 0 },
    { OP_FNMSUB, &test_f32, RNE, 0, F32_ONE, 0, 0, 0 },
    { OP_FMSUB, &test_f32, RNE, 0, F32_ONE, 0, 0, 0 },
    { OP_FMSUB, &test_f32, RDN, 0, F32_ONE, 0, F32_NEG, 0 },
    { OP_FNMADD, &test_f64, RNE, F64_ONE, F64_ONE, F64_NEG | F64_ONE, 0, 0 },
    { OP_FNMADD, &test_f64, RDN, F64_ONE, F64_ONE, F64_NEG | F64_ONE, F64_NEG, 0 },
    { OP_FMADD, &test_f64, RNE, F64_NEG, F64_ONE, F64_NEG, F64_NEG, 0 },
    /* (1 + 2^-12)^2 - 1 = 2^-11 + 2^-24: exact only when fused */
    { OP_FMADD, &test_f32, RNE, 0x3f800800, 0x3f800800, 0xbf800000, 0x3a000400, 0 },
    { OP_FMSUB, &test_f32, RNE, 0x3f800800, 0x3f800800, F32_ONE, 0x3a000400, 0 },
    /* inf * 0 is invalid even with a quiet NaN addend (RISC-V F chapter) */
    { OP_FMADD, &test_f32, RNE, F32_INF, 0, F32_QNAN, F32_DEFAULT_NAN, NV },
    { OP_FMADD, &test_f64, RNE, 0, F64_INF | F64_NEG, F64_QNAN, F64_DEFAULT_NAN, NV },
    { OP_FMADD, &test_f32, RNE, F32_INF, 0, F32_ONE, F32_DEFAULT_NAN, NV },
    { OP_FMADD, &test_f32, RNE, F32_QNAN, 0, F32_ONE, F32_DEFAULT_NAN, 0 },
    { OP_FMADD, &test_f32, RNE, F32_ONE, F32_ONE, F32_SNAN, F32_DEFAULT_NAN, NV },
    { OP_FMADD, &test_f32, RNE, F32_INF, F32_ONE, F32_INF | F32_NEG, F32_DEFAULT_NAN, NV },
    { OP_FMSUB, &test_f32, RNE, F32_INF, F32_ONE, F32_INF, F32_DEFAULT_NAN, NV },
    { OP_FNMADD, &test_f32, RNE, F32_INF, F32_ONE, F32_INF, F32_INF | F32_NEG, 0 },
    { OP_FMADD, &test_f32, RNE, F32_ONE, F32_ONE, F32_INF | F32_NEG, F32_INF | F32_NEG, 0 },
    /* a tiny product under a huge addend only sets the sticky bit */
    { OP_FMADD, &test_f64, RUP, 0x0000000000000001ull, 0x0000000000000001ull, F64_ONE,
      F64_ONE + 1, NX },
    { OP_FMSUB, &test_f64, RTZ, 0x0000000000000001ull, 0x0000000000000001ull,
      F64_NEG | F64_ONE, F64_ONE, NX },
    { OP_FNMSUB, &test_f64, RTZ, 0x0000000000000001ull, 0x0000000000000001ull, F64_ONE,
      0x3fefffffffffffffull, NX },
};

static void test_hand_cases(void **state)
{
    CheckLog log = { .test = "hand_cases" };

    for (size_t i = 0; i < sizeof(hand_cases) / sizeof(hand_cases[0]); i++) {
        const HandCase *c = &hand_cases[i];
        FloatStatus st = { .rounding_mode = (uint8_t)c->rm, .default_nan = true };
        uint64_t ops[3] = { c->a, c->b, c->c };
        uint64_t got = soft_op(c->op, c->fmt, ops, &st);

        /* NaN expectations are spelled as the canonical NaN: compare bits. */
        log.cases++;
        if (got != c->want || st.flags != c->flags) {
            log.failures++;
            print_message("# hand case %zu: %s_%s %s: want %#llx flags %#x, got %#llx "
                          "flags %#x\n", i, c->fmt->name, op_names[c->op],
                          rm_names[c->rm], (unsigned long long)c->want, c->flags,
                          (unsigned long long)got, st.flags);
        }
    }
    finish_log(&log);
}

/* FCVT to integers: the RISC-V table of invalid cases, ties and limits. */
static void test_to_int_cases(void **state)
{
    FloatStatus st = { .default_nan = true };

#define EXPECT_CVT(call, want, want_flags)                                    \
    do {                                                                      \
        st.flags = 0;                                                         \
        assert_int_equal((uint64_t)(call), (uint64_t)(want));                 \
        assert_int_equal(st.flags, (want_flags));                             \
    } while (0)

    /* NaN -> largest positive; infinities saturate; invalid, not inexact */
    EXPECT_CVT(f32_to_i32(F32_QNAN, RNE, &st), INT32_MAX, NV);
    EXPECT_CVT(f32_to_i32(F32_QNAN | F32_NEG, RNE, &st), INT32_MAX, NV);
    EXPECT_CVT(f32_to_u32(F32_SNAN, RNE, &st), UINT32_MAX, NV);
    EXPECT_CVT(f64_to_i64(F64_QNAN, RNE, &st), INT64_MAX, NV);
    EXPECT_CVT(f64_to_u64(F64_QNAN | F64_NEG, RNE, &st), UINT64_MAX, NV);
    EXPECT_CVT(f32_to_i32(F32_INF | F32_NEG, RNE, &st), INT32_MIN, NV);
    EXPECT_CVT(f32_to_i32(F32_INF, RNE, &st), INT32_MAX, NV);
    EXPECT_CVT(f64_to_u32(F64_INF | F64_NEG, RNE, &st), 0, NV);
    EXPECT_CVT(f64_to_u64(F64_INF, RNE, &st), UINT64_MAX, NV);
    /* out of range after rounding */
    EXPECT_CVT(f32_to_i32(0x4f000000 /* 2^31 */, RTZ, &st), INT32_MAX, NV);
    EXPECT_CVT(f32_to_i32(0xcf000000 /* -2^31 */, RNE, &st), INT32_MIN, 0);
    EXPECT_CVT(f64_to_i32(0xc1e0000000100000ull /* -2^31 - 0.5 */, RTZ, &st),
               INT32_MIN, NX);
    EXPECT_CVT(f64_to_i32(0xc1e0000000100000ull, RNE, &st), INT32_MIN, NX);
    EXPECT_CVT(f64_to_i32(0xc1e0000000100000ull, RMM, &st), INT32_MIN, NV);
    EXPECT_CVT(f64_to_i32(0xc1e0000000100000ull, RDN, &st), INT32_MIN, NV);
    EXPECT_CVT(f64_to_i32(0x41dfffffffe00000ull /* 2^31 - 0.5 */, RNE, &st),
               INT32_MAX, NV);
    EXPECT_CVT(f64_to_i32(0x41dfffffffe00000ull, RTZ, &st), INT32_MAX, NX);
    EXPECT_CVT(f64_to_u64(0x43f0000000000000ull /* 2^64 */, RTZ, &st), UINT64_MAX, NV);
    EXPECT_CVT(f64_to_u64(0x43efffffffffffffull, RTZ, &st), 0xfffffffffffff800ull, 0);
    EXPECT_CVT(f64_to_i64(0xc3e0000000000000ull /* -2^63 */, RNE, &st), INT64_MIN, 0);
    EXPECT_CVT(f64_to_i64(0x43e0000000000000ull /* 2^63 */, RNE, &st), INT64_MAX, NV);
    /* negative values that round to zero are fine for unsigned */
    EXPECT_CVT(f32_to_u32(0xbecccccd /* -0.4 */, RNE, &st), 0, NX);
    EXPECT_CVT(f32_to_u32(0xbf000000 /* -0.5 */, RNE, &st), 0, NX);
    EXPECT_CVT(f32_to_u32(0xbf000000, RMM, &st), 0, NV);
    EXPECT_CVT(f32_to_u32(0xbf000000, RDN, &st), 0, NV);
    EXPECT_CVT(f32_to_u64(F32_NEG, RDN, &st), 0, 0);
    EXPECT_CVT(f32_to_u64(0xbf800000, RTZ, &st), 0, NV);
    /* ties in each mode */
    EXPECT_CVT(f32_to_i32(0x40200000 /* 2.5 */, RNE, &st), 2, NX);
    EXPECT_CVT(f32_to_i32(0x40200000, RMM, &st), 3, NX);
    EXPECT_CVT(f32_to_i32(0xc0200000 /* -2.5 */, RMM, &st), -3, NX);
    EXPECT_CVT(f32_to_i32(0xc0200000, RDN, &st), -3, NX);
    EXPECT_CVT(f32_to_i32(0xc0200000, RUP, &st), -2, NX);
    EXPECT_CVT(f32_to_i32(0xc0200000, RTZ, &st), -2, NX);
    EXPECT_CVT(f32_to_i32(0x3f000000 /* 0.5 */, RNE, &st), 0, NX);
    EXPECT_CVT(f32_to_i32(0x3f000000, RMM, &st), 1, NX);
    EXPECT_CVT(f64_to_i64(0x0000000000000001ull, RUP, &st), 1, NX);
    EXPECT_CVT(f64_to_i64(0x8000000000000001ull, RDN, &st), -1, NX);
    EXPECT_CVT(f64_to_i64(0x8000000000000001ull, RMM, &st), 0, NX);
    /* the rm argument wins over st->rounding_mode */
    st.rounding_mode = RUP;
    EXPECT_CVT(f32_to_i32(0x3fc00000 /* 1.5 */, RTZ, &st), 1, NX);
#undef EXPECT_CVT
}

/* f64 -> f32 around 2^-126: tininess is judged after rounding. */
static void test_narrowing_cases(void **state)
{
    static const struct {
        uint64_t in;
        int rm;
        uint32_t want;
        unsigned flags;
    } cases[] = {
        /* 2^-126 * (1 - 2^-25): rounds to 2^-126 at full precision: not tiny */
        { 0x380ffffff0000000ull, RNE, 0x00800000, NX },
        { 0x380ffffff0000000ull, RMM, 0x00800000, NX },
        { 0x380ffffff0000000ull, RTZ, 0x007fffff, UF | NX },
        /* a hair less: tiny, although the delivered result is 2^-126 */
        { 0x380fffffefffffffull, RNE, 0x00800000, UF | NX },
        { 0x380fffffefffffffull, RUP, 0x00800000, NX },   /* rounds up: not tiny */
        { 0x380fffffefffffffull, RTZ, 0x007fffff, UF | NX },
        /* exact subnormal results raise nothing */
        { 0x36b0000000000000ull /* 2^-148 */, RNE, 0x00000002, 0 },
        /* half the smallest subnormal: a tie; a quarter: not */
        { 0x3690000000000000ull, RNE, 0, UF | NX },
        { 0x3690000000000000ull, RMM, 1, UF | NX },
        { 0xb690000000000000ull, RDN, 0x80000001, UF | NX },
        { 0xb690000000000000ull, RUP, 0x80000000, UF | NX },
        { 0x3680000000000000ull, RMM, 0, UF | NX },
        /* overflow */
        { 0x47efffffffffffffull, RNE, 0x7f800000, OF | NX },
        { 0x47efffffffffffffull, RTZ, 0x7f7fffff, NX },   /* no overflow */
        { 0x47f0000000000000ull, RTZ, 0x7f7fffff, OF | NX },
        { 0x47effffff0000000ull /* max + ulp/2 */, RTZ, 0x7f7fffff, NX },
        { 0x47effffff0000000ull, RNE, 0x7f800000, OF | NX },
        { 0x47efffffefffffffull, RNE, 0x7f7fffff, NX },
        { F64_INF | F64_NEG, RNE, F32_INF | F32_NEG, 0 },
        { F64_SNAN, RNE, F32_DEFAULT_NAN, NV },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        FloatStatus st = { .rounding_mode = (uint8_t)cases[i].rm, .default_nan = true };
        uint32_t got = f64_to_f32(cases[i].in, &st);

        if (got != cases[i].want || st.flags != cases[i].flags) {
            print_message("# narrowing case %zu: f64_to_f32(%#llx) %s: want %#x "
                          "flags %#x, got %#x flags %#x\n", i,
                          (unsigned long long)cases[i].in, rm_names[cases[i].rm],
                          cases[i].want, cases[i].flags, got, st.flags);
            fail();
        }
    }
}

/* Flags accrue: operations never clear what earlier ones raised. */
static void test_flags_accrue(void **state)
{
    FloatStatus st = { .rounding_mode = RNE, .flags = NV | DZ, .default_nan = true };

    assert_int_equal(f32_add(F32_ONE, F32_ONE, &st), 0x40000000);
    assert_int_equal(st.flags, NV | DZ);
    assert_int_equal(f64_div(F64_ONE, 0x4008000000000000ull, &st), 0x3fd5555555555555ull);
    assert_int_equal(st.flags, NV | DZ | NX);
    f32_lt(F32_QNAN, F32_ONE, &st);
    f64_to_i32(F64_ONE, RNE, &st);
    assert_int_equal(st.flags, NV | DZ | NX);
}

/* Without default_nan, the first NaN operand is returned quieted. */
static void test_nan_propagation(void **state)
{
    FloatStatus st = { .rounding_mode = RNE, .default_nan = false };

    assert_int_equal(f32_add(0x7fc12345, F32_ONE, &st), 0x7fc12345);
    assert_int_equal(st.flags, 0);
    assert_int_equal(f32_mul(F32_ONE, 0xff812345, &st), 0xffc12345);
    assert_int_equal(st.flags, NV);
    assert_int_equal(f32_sub(0x7f800002, 0xffc00003, &st), 0x7fc00002);
    assert_int_equal(f64_muladd(F64_ONE, 0x7ff0000000000abcull, F64_QNAN, 0, &st),
                     0x7ff8000000000abcull);
    assert_int_equal(f64_sqrt(0xfff8000000000123ull, &st), 0xfff8000000000123ull);
    assert_int_equal(f32_to_f64(0x7fc12345, &st), 0x7ff82468a0000000ull);
    assert_int_equal(f64_to_f32(0x7ff82468a0000000ull, &st), 0x7fc12345);
    assert_int_equal(f64_to_f32(0x7ff0000000000001ull, &st), 0x7fc00000);
    assert_int_equal(f32_min(0x7fc00042, 0x7fc00043, &st), 0x7fc00042);
    /* Invalid operations still produce the default NaN. */
    assert_int_equal(f32_sub(F32_INF, F32_INF, &st), F32_DEFAULT_NAN);
    /* ... and with default_nan, payloads never survive. */
    st.default_nan = true;
    assert_int_equal(f32_to_f64(0x7fc12345, &st), F64_DEFAULT_NAN);
    assert_int_equal(f64_to_f32(0xfff8000000000123ull, &st), F32_DEFAULT_NAN);
    assert_int_equal(f32_max(0x7fc00042, 0xffc00043, &st), F32_DEFAULT_NAN);
}

/*
 * The same over random operands: with default_nan off, every operation
 * returns its first NaN operand (a, then b, then c), quieted, with sign and
 * payload, and raises invalid for signaling ones (or for inf * 0).
 */
static void test_nan_propagation_random(void **state)
{
    CheckLog log = { .test = "nan_propagation" };
    TestRng rng = { 0x9a4ba70e };
    unsigned long count = scaled_count(100000);

    for (unsigned long i = 0; i < count; i++) {
        const TestFormat *fmt = rng_below(&rng, 2) ? &test_f64 : &test_f32;
        TestOp op = (TestOp)rng_below(&rng, OP_FNMADD + 1);
        int nops = op_operand_count(op);
        uint64_t quiet = 1ull << (fmt->frac_bits - 1);
        FloatStatus st = { .rounding_mode = (uint8_t)rng_below(&rng, 5) };
        uint64_t ops[3], want = 0, got;
        unsigned want_flags;
        bool any_snan = false;

        gen_operands(&rng, fmt, op, ops);
        ops[rng_below(&rng, (uint64_t)nops)] = gen_special(&rng, fmt) | quiet |
                                                ((uint64_t)fmt_exp_max(fmt) << fmt->frac_bits);
        for (int k = 0; k < nops; k++) {
            if (fmt_is_nan(fmt, ops[k]) && rng_below(&rng, 2)) {
                ops[k] &= ~quiet;                  /* make it signaling */
                ops[k] |= fmt_is_nan(fmt, ops[k]) ? 0 : 1;
            }
        }
        for (int k = nops - 1; k >= 0; k--) {
            if (fmt_is_nan(fmt, ops[k])) {
                want = ops[k] | quiet;
                any_snan |= fmt_is_snan(fmt, ops[k]);
            }
        }
        want_flags = riscv_flags_from_host(op, fmt, ops,
                                           any_snan ? FLOAT_FLAG_INVALID : 0);
        got = soft_op(op, fmt, ops, &st);
        /* Compare bits exactly: this NaN is not the canonical one. */
        log.cases++;
        if (got != want || st.flags != want_flags) {
            report_mismatch(&log, fmt, op_names[op], ops, nops, st.rounding_mode,
                            want, want_flags, got, st.flags);
        }
    }
    finish_log(&log);
}

static void test_min_max_cases(void **state)
{
    FloatStatus st = { .default_nan = true };

    assert_int_equal(f32_min(0, F32_NEG, &st), F32_NEG);
    assert_int_equal(f32_min(F32_NEG, 0, &st), F32_NEG);
    assert_int_equal(f32_max(F32_NEG, 0, &st), 0);
    assert_int_equal(f64_max(0, F64_NEG, &st), 0);
    assert_int_equal(st.flags, 0);
    assert_int_equal(f32_min(F32_QNAN, F32_ONE, &st), F32_ONE);
    assert_int_equal(f64_max(F64_ONE, F64_QNAN, &st), F64_ONE);
    assert_int_equal(st.flags, 0);
    assert_int_equal(f32_max(F32_SNAN, F32_ONE, &st), F32_ONE);
    assert_int_equal(st.flags, NV);
    st.flags = 0;
    assert_int_equal(f64_min(F64_QNAN, F64_SNAN, &st), F64_DEFAULT_NAN);
    assert_int_equal(st.flags, NV);
    assert_int_equal(f32_min(F32_INF | F32_NEG, F32_MAX | F32_NEG, &st),
                     F32_INF | F32_NEG);
}

static void test_compare_cases(void **state)
{
    FloatStatus st = { .default_nan = true };

    assert_true(f32_eq(0, F32_NEG, &st));
    assert_true(f32_le(F32_NEG, 0, &st));
    assert_false(f32_lt(F32_NEG, 0, &st));
    assert_false(f64_lt(0, F64_NEG, &st));
    assert_true(f64_lt(F64_INF | F64_NEG, F64_MAX | F64_NEG, &st));
    assert_int_equal(st.flags, 0);
    assert_false(f32_eq(F32_QNAN, F32_QNAN, &st));
    assert_int_equal(st.flags, 0);
    assert_false(f32_eq(F32_SNAN, F32_ONE, &st));
    assert_int_equal(st.flags, NV);
    st.flags = 0;
    assert_false(f64_le(F64_QNAN, F64_ONE, &st));
    assert_int_equal(st.flags, NV);
    st.flags = 0;
    assert_false(f32_lt(F32_ONE, F32_QNAN, &st));
    assert_int_equal(st.flags, NV);
}

static void test_classify_cases(void **state)
{
    static const struct {
        uint64_t bits;
        bool is_f64;
        uint32_t want;
    } cases[] = {
        { F32_INF | F32_NEG, false, FLOAT_CLASS_NEG_INF },
        { 0xbf800000, false, FLOAT_CLASS_NEG_NORMAL },
        { 0x80000001, false, FLOAT_CLASS_NEG_SUBNORMAL },
        { F32_NEG, false, FLOAT_CLASS_NEG_ZERO },
        { 0, false, FLOAT_CLASS_POS_ZERO },
        { 0x007fffff, false, FLOAT_CLASS_POS_SUBNORMAL },
        { 0x00800000, false, FLOAT_CLASS_POS_NORMAL },
        { F32_INF, false, FLOAT_CLASS_POS_INF },
        { F32_SNAN, false, FLOAT_CLASS_SIGNALING_NAN },
        { F32_DEFAULT_NAN, false, FLOAT_CLASS_QUIET_NAN },
        { 0xffffffff, false, FLOAT_CLASS_QUIET_NAN },
        { 0x000fffffffffffffull, true, FLOAT_CLASS_POS_SUBNORMAL },
        { F64_SNAN | F64_NEG, true, FLOAT_CLASS_SIGNALING_NAN },
        { F64_MAX | F64_NEG, true, FLOAT_CLASS_NEG_NORMAL },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t got = cases[i].is_f64 ? f64_classify(cases[i].bits)
                                       : f32_classify((uint32_t)cases[i].bits);

        assert_int_equal(got, cases[i].want);
    }
    /* The enum matches the FCLASS bit numbering: qNaN is bit 9. */
    assert_int_equal(FLOAT_CLASS_QUIET_NAN, 0x200);
}

/* int -> float: zero is +0 in every mode, exact values raise nothing. */
static void test_from_int_cases(void **state)
{
    FloatStatus st = { .rounding_mode = RDN, .default_nan = true };

    assert_int_equal(i32_to_f32(0, &st), 0);
    assert_int_equal(i64_to_f64(0, &st), 0);
    assert_int_equal(i32_to_f32(INT32_MIN, &st), 0xcf000000);
    assert_int_equal(i64_to_f64(INT64_MIN, &st), 0xc3e0000000000000ull);
    assert_int_equal(st.flags, 0);
    assert_int_equal(u64_to_f64(UINT64_MAX, &st), 0x43efffffffffffffull);
    assert_int_equal(st.flags, NX);
    st.rounding_mode = RNE;
    assert_int_equal(u64_to_f64(UINT64_MAX, &st), 0x43f0000000000000ull);
    assert_int_equal(u32_to_f32(0x01000001, &st), 0x4b800000);   /* tie: even */
    st.rounding_mode = RMM;
    assert_int_equal(u32_to_f32(0x01000001, &st), 0x4b800001);   /* tie: away */
    assert_int_equal(i32_to_f32(-0x01000001, &st), 0xcb800001);
    assert_int_equal(i32_to_f64(-7, &st), 0xc01c000000000000ull);
}

/* ---- the test list ---- */

#define ARITH(name, op, fmt, count)                                          \
    { name "_vs_host", test_arith_vs_host, NULL, NULL,                      \
      (void *)&(const ArithTest){ op, fmt, count } }
#define ARITH_RMM(name, op, fmt, count)                                      \
    { name "_rmm", test_arith_rmm, NULL, NULL,                              \
      (void *)&(const ArithTest){ op, fmt, count } }
#define TO_INT(name, fmt, is_signed, width)                                  \
    { name, test_to_int, NULL, NULL,                                        \
      (void *)&(const ToIntTest){ fmt, is_signed, width, 60000 } }
#define FROM_INT(name, fmt, is_signed, width)                                \
    { name "_vs_host", test_from_int, NULL, NULL,                           \
      (void *)&(const FromIntTest){ fmt, is_signed, width, 60000 } }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_cases),
        cmocka_unit_test(test_to_int_cases),
        cmocka_unit_test(test_from_int_cases),
        cmocka_unit_test(test_min_max_cases),
        cmocka_unit_test(test_compare_cases),
        cmocka_unit_test(test_classify_cases),
        cmocka_unit_test(test_narrowing_cases),
        cmocka_unit_test(test_flags_accrue),
        cmocka_unit_test(test_nan_propagation),
        cmocka_unit_test(test_nan_propagation_random),
        ARITH("f32_add", OP_ADD, &test_f32, 500000),
        ARITH("f32_sub", OP_SUB, &test_f32, 150000),
        ARITH("f32_mul", OP_MUL, &test_f32, 500000),
        ARITH("f32_div", OP_DIV, &test_f32, 500000),
        ARITH("f32_sqrt", OP_SQRT, &test_f32, 300000),
        ARITH("f32_fmadd", OP_FMADD, &test_f32, 400000),
        ARITH("f32_fmsub", OP_FMSUB, &test_f32, 60000),
        ARITH("f32_fnmsub", OP_FNMSUB, &test_f32, 60000),
        ARITH("f32_fnmadd", OP_FNMADD, &test_f32, 60000),
        ARITH("f64_add", OP_ADD, &test_f64, 500000),
        ARITH("f64_sub", OP_SUB, &test_f64, 150000),
        ARITH("f64_mul", OP_MUL, &test_f64, 500000),
        ARITH("f64_div", OP_DIV, &test_f64, 500000),
        ARITH("f64_sqrt", OP_SQRT, &test_f64, 300000),
        ARITH("f64_fmadd", OP_FMADD, &test_f64, 400000),
        ARITH("f64_fmsub", OP_FMSUB, &test_f64, 60000),
        ARITH("f64_fnmsub", OP_FNMSUB, &test_f64, 60000),
        ARITH("f64_fnmadd", OP_FNMADD, &test_f64, 60000),
        ARITH_RMM("f32_add", OP_ADD, &test_f32, 200000),
        ARITH_RMM("f32_mul", OP_MUL, &test_f32, 200000),
        ARITH_RMM("f32_div", OP_DIV, &test_f32, 100000),
        ARITH_RMM("f32_sqrt", OP_SQRT, &test_f32, 50000),
        ARITH_RMM("f32_fmadd", OP_FMADD, &test_f32, 100000),
        ARITH_RMM("f32_fnmadd", OP_FNMADD, &test_f32, 50000),
        ARITH_RMM("f64_add", OP_ADD, &test_f64, 200000),
        ARITH_RMM("f64_sub", OP_SUB, &test_f64, 50000),
        ARITH_RMM("f64_mul", OP_MUL, &test_f64, 200000),
        ARITH_RMM("f64_div", OP_DIV, &test_f64, 100000),
        ARITH_RMM("f64_sqrt", OP_SQRT, &test_f64, 50000),
        ARITH_RMM("f64_fmadd", OP_FMADD, &test_f64, 100000),
        ARITH_RMM("f64_fmsub", OP_FMSUB, &test_f64, 50000),
        { "f32_to_f64_vs_host", test_convert_formats, NULL, NULL,
          (void *)&(const ConvertTest){ false, 100000 } },
        { "f64_to_f32_vs_host", test_convert_formats, NULL, NULL,
          (void *)&(const ConvertTest){ true, 200000 } },
        TO_INT("f32_to_i32", &test_f32, true, 32),
        TO_INT("f32_to_u32", &test_f32, false, 32),
        TO_INT("f32_to_i64", &test_f32, true, 64),
        TO_INT("f32_to_u64", &test_f32, false, 64),
        TO_INT("f64_to_i32", &test_f64, true, 32),
        TO_INT("f64_to_u32", &test_f64, false, 32),
        TO_INT("f64_to_i64", &test_f64, true, 64),
        TO_INT("f64_to_u64", &test_f64, false, 64),
        FROM_INT("i32_to_f32", &test_f32, true, 32),
        FROM_INT("u32_to_f32", &test_f32, false, 32),
        FROM_INT("i64_to_f32", &test_f32, true, 64),
        FROM_INT("u64_to_f32", &test_f32, false, 64),
        FROM_INT("i32_to_f64", &test_f64, true, 32),
        FROM_INT("u32_to_f64", &test_f64, false, 32),
        FROM_INT("i64_to_f64", &test_f64, true, 64),
        FROM_INT("u64_to_f64", &test_f64, false, 64),
        { "f32_compare_min_max", test_compare_min_max, NULL, NULL,
          (void *)&test_f32 },
        { "f64_compare_min_max", test_compare_min_max, NULL, NULL,
          (void *)&test_f64 },
        { "f32_classify", test_classify, NULL, NULL, (void *)&test_f32 },
        { "f64_classify", test_classify, NULL, NULL, (void *)&test_f64 },
    };

    return cmocka_run_group_tests_name("softfloat", tests, NULL, NULL);
}
