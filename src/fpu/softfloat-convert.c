/*
 * fpu/softfloat-convert.c — conversions between binary32 and binary64 and
 * between those formats and 32/64-bit integers.
 *
 * References: IEEE 754-2008 §5.4.2 (formatOf conversions), §5.8 (integer
 * conversions), §6.2.3 (NaN payloads across formats); RISC-V Unprivileged
 * spec, F chapter "Single-Precision Floating-Point Conversion and Move
 * Instructions" (the FCVT.W.S table: NaN and +inf give the largest
 * positive integer, -inf and too-negative values the smallest, the
 * invalid flag replaces inexact) and D chapter (FCVT.S.D, FCVT.D.S).
 *
 * Float-to-float and integer-to-float conversions go through
 * float_round_pack() like any arithmetic result; float-to-integer rounding
 * uses the same tie rules (float_round_increments) at the binary point.
 */
#include "fpu/softfloat.h"
#include "fpu/softfloat-internal.h"

/* ---- between formats ---- */

static uint64_t float_convert(uint64_t bits, const FloatFormat *from,
                              const FloatFormat *to, FloatStatus *st)
{
    FloatParts a = float_unpack(bits, from);

    switch (a.kind) {
    case FLOAT_KIND_QNAN:
    case FLOAT_KIND_SNAN:
        return float_propagate_nan(&a, 1, to, st);
    case FLOAT_KIND_INF:
        return float_pack_inf(a.sign, to);
    case FLOAT_KIND_ZERO:
        return float_pack_zero(a.sign, to);
    default:
        return float_round_pack(a.sign, a.exp, a.sig, to, st);
    }
}

float64 f32_to_f64(float32 a, FloatStatus *st)
{
    return float_convert(a, &float32_format, &float64_format, st);
}

float32 f64_to_f32(float64 a, FloatStatus *st)
{
    return (float32)float_convert(a, &float64_format, &float32_format, st);
}

/* ---- float to integer ---- */

/* The representable range of an integer type, as magnitudes. */
typedef struct IntRange {
    uint64_t max_positive;      /* INT32_MAX, UINT64_MAX, ... */
    uint64_t max_negative;      /* |INT32_MIN|, ..., 0 for unsigned */
} IntRange;

static const IntRange int32_range = { INT32_MAX, (uint64_t)INT32_MAX + 1 };
static const IntRange uint32_range = { UINT32_MAX, 0 };
static const IntRange int64_range = { INT64_MAX, (uint64_t)INT64_MAX + 1 };
static const IntRange uint64_range = { UINT64_MAX, 0 };

/*
 * Round a finite nonzero @p to an integer magnitude in mode @rm. Returns
 * false when the magnitude is 2^64 or more; sets *@inexact.
 */
static bool float_round_to_magnitude(FloatParts p, int rm, uint64_t *magnitude,
                                     bool *inexact)
{
    int shift = FLOAT_SIG_POINT - p.exp;   /* fraction bits in p.sig */
    uint64_t kept, rest, half;

    if (p.exp >= 64) {
        return false;
    }
    if (shift <= 0) {
        *magnitude = p.sig << -shift;      /* an integer already */
        *inexact = false;
        return true;
    }
    if (shift >= 64) {
        /* |p| < 1/2: everything is fraction, below the halfway point. */
        kept = 0;
        rest = 1;
        half = 2;
    } else {
        kept = p.sig >> shift;
        rest = p.sig & ((1ull << shift) - 1);
        half = 1ull << (shift - 1);
    }
    *inexact = rest != 0;
    /* kept < 2^62 here, so the increment cannot wrap. */
    *magnitude = kept + float_round_increments(rm, p.sign, kept, rest, half);
    return true;
}

/* Returns the result's two's complement bits; callers narrow the type. */
static uint64_t float_to_int(uint64_t bits, const FloatFormat *fmt, int rm,
                             const IntRange *range, FloatStatus *st)
{
    FloatParts p = float_unpack(bits, fmt);
    uint64_t magnitude = 0;
    bool inexact = false;
    bool in_range;

    switch (p.kind) {
    case FLOAT_KIND_ZERO:
        return 0;
    case FLOAT_KIND_QNAN:
    case FLOAT_KIND_SNAN:
        float_raise(st, FLOAT_FLAG_INVALID);
        return range->max_positive;
    case FLOAT_KIND_INF:
        in_range = false;
        break;
    default:
        in_range = float_round_to_magnitude(p, rm, &magnitude, &inexact) &&
                   magnitude <= (p.sign ? range->max_negative
                                        : range->max_positive);
        break;
    }
    if (!in_range) {
        float_raise(st, FLOAT_FLAG_INVALID);
        return p.sign ? -range->max_negative : range->max_positive;
    }
    if (inexact) {
        float_raise(st, FLOAT_FLAG_INEXACT);
    }
    return p.sign ? -magnitude : magnitude;
}

int32_t f32_to_i32(float32 a, int rm, FloatStatus *st)
{
    return (int32_t)float_to_int(a, &float32_format, rm, &int32_range, st);
}

uint32_t f32_to_u32(float32 a, int rm, FloatStatus *st)
{
    return (uint32_t)float_to_int(a, &float32_format, rm, &uint32_range, st);
}

int64_t f32_to_i64(float32 a, int rm, FloatStatus *st)
{
    return (int64_t)float_to_int(a, &float32_format, rm, &int64_range, st);
}

uint64_t f32_to_u64(float32 a, int rm, FloatStatus *st)
{
    return float_to_int(a, &float32_format, rm, &uint64_range, st);
}

int32_t f64_to_i32(float64 a, int rm, FloatStatus *st)
{
    return (int32_t)float_to_int(a, &float64_format, rm, &int32_range, st);
}

uint32_t f64_to_u32(float64 a, int rm, FloatStatus *st)
{
    return (uint32_t)float_to_int(a, &float64_format, rm, &uint32_range, st);
}

int64_t f64_to_i64(float64 a, int rm, FloatStatus *st)
{
    return (int64_t)float_to_int(a, &float64_format, rm, &int64_range, st);
}

uint64_t f64_to_u64(float64 a, int rm, FloatStatus *st)
{
    return float_to_int(a, &float64_format, rm, &uint64_range, st);
}

/* ---- integer to float ---- */

static uint64_t float_from_int(bool negative, uint64_t magnitude,
                               const FloatFormat *fmt, FloatStatus *st)
{
    if (magnitude == 0) {
        return float_pack_zero(false, fmt);
    }
    /* magnitude * 2^0: the integer's units bit sits at FLOAT_SIG_POINT. */
    return float_round_pack(negative, FLOAT_SIG_POINT, magnitude, fmt, st);
}

/* |a| without overflow, also for INT64_MIN. */
static uint64_t float_int_magnitude(int64_t a)
{
    return a < 0 ? -(uint64_t)a : (uint64_t)a;
}

float32 i32_to_f32(int32_t a, FloatStatus *st)
{
    return (float32)float_from_int(a < 0, float_int_magnitude(a),
                                   &float32_format, st);
}

float32 u32_to_f32(uint32_t a, FloatStatus *st)
{
    return (float32)float_from_int(false, a, &float32_format, st);
}

float32 i64_to_f32(int64_t a, FloatStatus *st)
{
    return (float32)float_from_int(a < 0, float_int_magnitude(a),
                                   &float32_format, st);
}

float32 u64_to_f32(uint64_t a, FloatStatus *st)
{
    return (float32)float_from_int(false, a, &float32_format, st);
}

float64 i32_to_f64(int32_t a, FloatStatus *st)
{
    return float_from_int(a < 0, float_int_magnitude(a), &float64_format, st);
}

float64 u32_to_f64(uint32_t a, FloatStatus *st)
{
    return float_from_int(false, a, &float64_format, st);
}

float64 i64_to_f64(int64_t a, FloatStatus *st)
{
    return float_from_int(a < 0, float_int_magnitude(a), &float64_format, st);
}

float64 u64_to_f64(uint64_t a, FloatStatus *st)
{
    return float_from_int(false, a, &float64_format, st);
}
