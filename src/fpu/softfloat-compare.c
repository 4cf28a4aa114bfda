/*
 * fpu/softfloat-compare.c — operations that order values rather than
 * compute them: comparisons, min/max and classification.
 *
 * References: IEEE 754-2008 §5.11 (comparison predicates: quiet equality,
 * signaling less-than), §5.7.2 (class); IEEE 754-2019 §9.6
 * (minimumNumber/maximumNumber); RISC-V Unprivileged spec, F chapter,
 * "Single-Precision Floating-Point Compare Instructions", FMIN/FMAX in
 * "Single-Precision Floating-Point Computational Instructions" and the
 * FCLASS table ("Single-Precision Floating-Point Classify Instruction").
 *
 * None of these round, so they work on the raw bit patterns: for values
 * that are not NaNs, sign-magnitude order is integer order on the
 * magnitude, reversed for negative values.
 */
#include "fpu/softfloat.h"
#include "fpu/softfloat-internal.h"

static uint64_t float_sign_bit(const FloatFormat *fmt)
{
    return float_pack_sign(true, fmt);
}

static bool float_bits_are_nan(uint64_t bits, const FloatFormat *fmt)
{
    return (bits & ~float_sign_bit(fmt)) > float_pack_inf(false, fmt);
}

static bool float_bits_are_snan(uint64_t bits, const FloatFormat *fmt)
{
    uint64_t quiet_bit = 1ull << (fmt->frac_bits - 1);

    return float_bits_are_nan(bits, fmt) && !(bits & quiet_bit);
}

/*
 * a < b for operands that are not NaNs. With @zeros_equal the two zeros
 * compare equal (IEEE comparisons); without, -0 < +0 (FMIN/FMAX).
 */
static bool float_bits_less(uint64_t a, uint64_t b, bool zeros_equal,
                            const FloatFormat *fmt)
{
    uint64_t sign_bit = float_sign_bit(fmt);
    bool a_negative = a & sign_bit;
    bool b_negative = b & sign_bit;

    if (a_negative != b_negative) {
        bool both_zero = ((a | b) & ~sign_bit) == 0;

        return a_negative && !(zeros_equal && both_zero);
    }
    return a_negative ? a > b : a < b;
}

/* ---- comparisons ---- */

static bool float_eq(uint64_t a, uint64_t b, const FloatFormat *fmt,
                     FloatStatus *st)
{
    if (float_bits_are_nan(a, fmt) || float_bits_are_nan(b, fmt)) {
        if (float_bits_are_snan(a, fmt) || float_bits_are_snan(b, fmt)) {
            float_raise(st, FLOAT_FLAG_INVALID);
        }
        return false;
    }
    return a == b || ((a | b) & ~float_sign_bit(fmt)) == 0;
}

/* FLT (@or_equal false) and FLE (true): any NaN operand is invalid. */
static bool float_lt_le(uint64_t a, uint64_t b, bool or_equal,
                        const FloatFormat *fmt, FloatStatus *st)
{
    if (float_bits_are_nan(a, fmt) || float_bits_are_nan(b, fmt)) {
        float_raise(st, FLOAT_FLAG_INVALID);
        return false;
    }
    if (or_equal) {
        return !float_bits_less(b, a, true, fmt);
    }
    return float_bits_less(a, b, true, fmt);
}

/* ---- minimumNumber / maximumNumber ---- */

static uint64_t float_min_max(uint64_t a, uint64_t b, bool want_max,
                              const FloatFormat *fmt, FloatStatus *st)
{
    bool a_nan = float_bits_are_nan(a, fmt);
    bool b_nan = float_bits_are_nan(b, fmt);

    if (a_nan || b_nan) {
        if (a_nan && b_nan) {
            const FloatParts ops[2] = {
                float_unpack(a, fmt), float_unpack(b, fmt),
            };

            return float_propagate_nan(ops, 2, fmt, st);
        }
        if (float_bits_are_snan(a, fmt) || float_bits_are_snan(b, fmt)) {
            float_raise(st, FLOAT_FLAG_INVALID);
        }
        return a_nan ? b : a;
    }
    return float_bits_less(a, b, false, fmt) != want_max ? a : b;
}

/* ---- classification ---- */

static uint32_t float_classify(uint64_t bits, const FloatFormat *fmt)
{
    FloatParts p = float_unpack(bits, fmt);
    bool subnormal = ((bits >> fmt->frac_bits) & fmt->exp_max) == 0;

    switch (p.kind) {
    case FLOAT_KIND_SNAN:
        return FLOAT_CLASS_SIGNALING_NAN;
    case FLOAT_KIND_QNAN:
        return FLOAT_CLASS_QUIET_NAN;
    case FLOAT_KIND_INF:
        return p.sign ? FLOAT_CLASS_NEG_INF : FLOAT_CLASS_POS_INF;
    case FLOAT_KIND_ZERO:
        return p.sign ? FLOAT_CLASS_NEG_ZERO : FLOAT_CLASS_POS_ZERO;
    default:
        if (subnormal) {
            return p.sign ? FLOAT_CLASS_NEG_SUBNORMAL
                          : FLOAT_CLASS_POS_SUBNORMAL;
        }
        return p.sign ? FLOAT_CLASS_NEG_NORMAL : FLOAT_CLASS_POS_NORMAL;
    }
}

/* ---- public entry points ---- */

bool f32_eq(float32 a, float32 b, FloatStatus *st)
{
    return float_eq(a, b, &float32_format, st);
}

bool f32_lt(float32 a, float32 b, FloatStatus *st)
{
    return float_lt_le(a, b, false, &float32_format, st);
}

bool f32_le(float32 a, float32 b, FloatStatus *st)
{
    return float_lt_le(a, b, true, &float32_format, st);
}

bool f64_eq(float64 a, float64 b, FloatStatus *st)
{
    return float_eq(a, b, &float64_format, st);
}

bool f64_lt(float64 a, float64 b, FloatStatus *st)
{
    return float_lt_le(a, b, false, &float64_format, st);
}

bool f64_le(float64 a, float64 b, FloatStatus *st)
{
    return float_lt_le(a, b, true, &float64_format, st);
}

float32 f32_min(float32 a, float32 b, FloatStatus *st)
{
    return float_min_max(a, b, false, &float32_format, st);
}

float32 f32_max(float32 a, float32 b, FloatStatus *st)
{
    return float_min_max(a, b, true, &float32_format, st);
}

float64 f64_min(float64 a, float64 b, FloatStatus *st)
{
    return float_min_max(a, b, false, &float64_format, st);
}

float64 f64_max(float64 a, float64 b, FloatStatus *st)
{
    return float_min_max(a, b, true, &float64_format, st);
}

uint32_t f32_classify(float32 a)
{
    return float_classify(a, &float32_format);
}

uint32_t f64_classify(float64 a)
{
    return float_classify(a, &float64_format);
}
