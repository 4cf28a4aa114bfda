/*
 * fpu/softfloat.c — rounding, NaN propagation and the arithmetic
 * operations (add, sub, mul, div, sqrt, fused multiply-add) for binary32
 * and binary64.
 *
 * References: IEEE 754-2008 §4.3 (rounding), §5.4.1 (arithmetic), §6.2
 * (NaNs), §6.3 (the sign of exact zero results), §7.2-§7.6 (exceptions;
 * tininess after rounding, §7.5); RISC-V Unprivileged spec, F chapter
 * ("Floating-Point Control and Status Register", "NaN Generation and
 * Propagation", "Single-Precision Floating-Point Computational
 * Instructions") and D chapter, which reuses the same rules.
 *
 * Every operation follows one shape: unpack the operands (see
 * softfloat-internal.h), dispatch the special cases (NaN, infinity, zero)
 * explicitly, compute an exact or sticky-bit-correct significand with
 * 64/128-bit integer arithmetic, and hand it to float_round_pack(). The
 * format-generic cores take a FloatFormat; the public f32_/f64_ functions
 * are one-line wrappers.
 */
#include "fpu/softfloat.h"
#include "fpu/softfloat-internal.h"

#include <stddef.h>

/* ---- rounding and packing ---- */

/* Overflow [§7.4]: infinity or the largest finite value, by mode and sign. */
static uint64_t float_overflow(bool sign, const FloatFormat *fmt,
                               FloatStatus *st)
{
    bool to_inf;

    float_raise(st, FLOAT_FLAG_OVERFLOW | FLOAT_FLAG_INEXACT);
    switch (st->rounding_mode) {
    case FLOAT_ROUND_TO_ZERO:
        to_inf = false;
        break;
    case FLOAT_ROUND_DOWN:
        to_inf = sign;
        break;
    case FLOAT_ROUND_UP:
        to_inf = !sign;
        break;
    default:
        to_inf = true;
        break;
    }
    /* The largest finite value is the bit pattern just below infinity. */
    return to_inf ? float_pack_inf(sign, fmt) : float_pack_inf(sign, fmt) - 1;
}

/*
 * Tininess after rounding [§7.5]: a result below 2^emin is still not tiny
 * if rounding it to full precision with an unbounded exponent range gives
 * 2^emin. For a normalized @sig one binade below emin that happens exactly
 * when its precision-bit prefix is all ones and the rounding increments it.
 */
static bool float_rounds_to_min_normal(bool sign, uint64_t sig,
                                       const FloatFormat *fmt, int rm)
{
    uint64_t half = 1ull << (fmt->guard_bits - 1);
    uint64_t ulps = sig >> fmt->guard_bits;
    uint64_t all_ones = (1ull << (fmt->frac_bits + 1)) - 1;

    return ulps == all_ones &&
           float_round_increments(rm, sign, ulps, sig & (2 * half - 1), half);
}

uint64_t float_round_pack(bool sign, int exp, uint64_t sig,
                          const FloatFormat *fmt, FloatStatus *st)
{
    int rm = st->rounding_mode;
    uint64_t half = 1ull << (fmt->guard_bits - 1);
    uint64_t ulps, rest;
    bool tiny = false;
    int biased;

    /* Normalize so that bit FLOAT_SIG_POINT is the leading one. */
    if (sig >> 63) {
        sig = float_shift_right_jam(sig, 1);
        exp++;
    } else {
        int shift = float_clz64(sig) - (63 - FLOAT_SIG_POINT);

        sig <<= shift;
        exp -= shift;
    }

    biased = exp + fmt->exp_bias;
    if (biased <= 0) {
        /*
         * Below the normal range: denormalize to the fixed exponent of
         * subnormals (biased 1) before rounding, so that rounding happens
         * at the subnormal ulp. A carry out of the fraction then produces
         * the smallest normal number by itself when packed.
         */
        tiny = biased < 0 || !float_rounds_to_min_normal(sign, sig, fmt, rm);
        sig = float_shift_right_jam(sig, 1 - biased);
        biased = 1;
    }

    ulps = sig >> fmt->guard_bits;
    rest = sig & (2 * half - 1);
    if (rest != 0 && float_round_increments(rm, sign, ulps, rest, half)) {
        ulps++;
        if (ulps >> (fmt->frac_bits + 1)) {
            /* 1.11..1 rounded up to 10.0: renormalize (exact). */
            ulps >>= 1;
            biased++;
        }
    }
    if (biased >= fmt->exp_max) {
        return float_overflow(sign, fmt, st);
    }
    if (rest != 0) {
        float_raise(st, FLOAT_FLAG_INEXACT | (tiny ? FLOAT_FLAG_UNDERFLOW : 0));
    }

    /*
     * ulps carries the implicit bit for normal numbers; adding it onto
     * (biased - 1) turns it into the exponent's low bit. Subnormals have
     * no implicit bit and biased == 1, so their exponent field stays 0.
     */
    return float_pack_sign(sign, fmt) +
           ((uint64_t)(biased - 1) << fmt->frac_bits) + ulps;
}

uint64_t float_propagate_nan(const FloatParts *ops, int count,
                             const FloatFormat *fmt, FloatStatus *st)
{
    const FloatParts *first_nan = NULL;

    for (int i = 0; i < count; i++) {
        if (ops[i].kind == FLOAT_KIND_SNAN) {
            float_raise(st, FLOAT_FLAG_INVALID);
        }
        if (!first_nan && float_is_nan_kind(ops[i].kind)) {
            first_nan = &ops[i];
        }
    }
    if (st->default_nan || !first_nan) {
        return float_default_nan(fmt);
    }
    /* Keep sign and the payload's leading bits; set the quiet bit. */
    return float_pack_sign(first_nan->sign, fmt) | float_default_nan(fmt) |
           (first_nan->sig >> fmt->guard_bits);
}

static uint64_t float_nan2(FloatParts a, FloatParts b, const FloatFormat *fmt,
                           FloatStatus *st)
{
    const FloatParts ops[2] = { a, b };

    return float_propagate_nan(ops, 2, fmt, st);
}

/* An exact result already in parts form (no flags can arise). */
static uint64_t float_repack(FloatParts p, const FloatFormat *fmt,
                             FloatStatus *st)
{
    return float_round_pack(p.sign, p.exp, p.sig, fmt, st);
}

/*
 * The sign of an exact zero sum of operands with signs @a and @b [§6.3]:
 * their common sign, or +0 for opposite signs except -0 when rounding
 * toward negative.
 */
static bool float_zero_sum_sign(bool a, bool b, const FloatStatus *st)
{
    return a == b ? a : st->rounding_mode == FLOAT_ROUND_DOWN;
}

/* ---- addition and subtraction ---- */

static uint64_t float_add_finite(FloatParts a, FloatParts b,
                                 const FloatFormat *fmt, FloatStatus *st)
{
    uint64_t b_sig, diff;

    if (a.exp < b.exp || (a.exp == b.exp && a.sig < b.sig)) {
        FloatParts larger = b;

        b = a;
        a = larger;
    }
    /*
     * Align the smaller operand. Bits shifted out only matter when the
     * exponents differ by 2 or more, and then at most one leading bit
     * cancels, so the sticky bit stays far below the rounding position.
     */
    b_sig = float_shift_right_jam(b.sig, a.exp - b.exp);
    if (a.sign == b.sign) {
        return float_round_pack(a.sign, a.exp, a.sig + b_sig, fmt, st);
    }
    diff = a.sig - b_sig;
    if (diff == 0) {
        return float_pack_zero(float_zero_sum_sign(false, true, st), fmt);
    }
    return float_round_pack(a.sign, a.exp, diff, fmt, st);
}

static uint64_t float_add(uint64_t a_bits, uint64_t b_bits, bool subtract,
                          const FloatFormat *fmt, FloatStatus *st)
{
    FloatParts a = float_unpack(a_bits, fmt);
    FloatParts b = float_unpack(b_bits, fmt);

    if (float_is_nan_kind(a.kind) || float_is_nan_kind(b.kind)) {
        return float_nan2(a, b, fmt, st);
    }
    b.sign ^= subtract;
    if (a.kind == FLOAT_KIND_INF) {
        if (b.kind == FLOAT_KIND_INF && a.sign != b.sign) {
            return float_invalid(fmt, st);   /* inf - inf */
        }
        return float_pack_inf(a.sign, fmt);
    }
    if (b.kind == FLOAT_KIND_INF) {
        return float_pack_inf(b.sign, fmt);
    }
    if (a.kind == FLOAT_KIND_ZERO && b.kind == FLOAT_KIND_ZERO) {
        return float_pack_zero(float_zero_sum_sign(a.sign, b.sign, st), fmt);
    }
    if (a.kind == FLOAT_KIND_ZERO) {
        return float_repack(b, fmt, st);
    }
    if (b.kind == FLOAT_KIND_ZERO) {
        return float_repack(a, fmt, st);
    }
    return float_add_finite(a, b, fmt, st);
}

/* ---- multiplication ---- */

static uint64_t float_mul(uint64_t a_bits, uint64_t b_bits,
                          const FloatFormat *fmt, FloatStatus *st)
{
    FloatParts a = float_unpack(a_bits, fmt);
    FloatParts b = float_unpack(b_bits, fmt);
    bool sign = a.sign ^ b.sign;
    unsigned __int128 product;

    if (float_is_nan_kind(a.kind) || float_is_nan_kind(b.kind)) {
        return float_nan2(a, b, fmt, st);
    }
    if (a.kind == FLOAT_KIND_INF || b.kind == FLOAT_KIND_INF) {
        if (a.kind == FLOAT_KIND_ZERO || b.kind == FLOAT_KIND_ZERO) {
            return float_invalid(fmt, st);   /* inf * 0 */
        }
        return float_pack_inf(sign, fmt);
    }
    if (a.kind == FLOAT_KIND_ZERO || b.kind == FLOAT_KIND_ZERO) {
        return float_pack_zero(sign, fmt);
    }
    /* [2^124, 2^126): the exact product, scaled by 2^(2*62). */
    product = (unsigned __int128)a.sig * b.sig;
    return float_round_pack(sign, a.exp + b.exp,
                            (uint64_t)float_shift_right_jam128(product,
                                                               FLOAT_SIG_POINT),
                            fmt, st);
}

/* ---- division ---- */

static uint64_t float_div(uint64_t a_bits, uint64_t b_bits,
                          const FloatFormat *fmt, FloatStatus *st)
{
    FloatParts a = float_unpack(a_bits, fmt);
    FloatParts b = float_unpack(b_bits, fmt);
    bool sign = a.sign ^ b.sign;
    unsigned __int128 dividend;
    uint64_t quotient;
    int exp;

    if (float_is_nan_kind(a.kind) || float_is_nan_kind(b.kind)) {
        return float_nan2(a, b, fmt, st);
    }
    if (a.kind == FLOAT_KIND_INF) {
        if (b.kind == FLOAT_KIND_INF) {
            return float_invalid(fmt, st);   /* inf / inf */
        }
        return float_pack_inf(sign, fmt);
    }
    if (b.kind == FLOAT_KIND_INF) {
        return float_pack_zero(sign, fmt);
    }
    if (b.kind == FLOAT_KIND_ZERO) {
        if (a.kind == FLOAT_KIND_ZERO) {
            return float_invalid(fmt, st);   /* 0 / 0 */
        }
        float_raise(st, FLOAT_FLAG_DIVBYZERO);
        return float_pack_inf(sign, fmt);
    }
    if (a.kind == FLOAT_KIND_ZERO) {
        return float_pack_zero(sign, fmt);
    }

    /*
     * Scale the dividend so the quotient lands in [2^62, 2^63): 63 exact
     * bits, plus a sticky bit for a nonzero remainder.
     */
    exp = a.exp - b.exp;
    dividend = (unsigned __int128)a.sig << FLOAT_SIG_POINT;
    if (a.sig < b.sig) {
        dividend <<= 1;
        exp--;
    }
    quotient = (uint64_t)(dividend / b.sig);
    return float_round_pack(sign, exp,
                            quotient | (dividend != (unsigned __int128)quotient * b.sig),
                            fmt, st);
}

/* ---- square root ---- */

/* floor(sqrt(@n)), @n != 0, by the digit-by-digit (restoring) method. */
static uint64_t float_isqrt64(uint64_t n)
{
    uint64_t root = 0, rem = 0;

    /* Start at the even bit position holding the leading digit pair. */
    for (int pos = (63 - float_clz64(n)) & ~1; pos >= 0; pos -= 2) {
        uint64_t trial = (root << 2) | 1;
        uint64_t fits;

        rem = (rem << 2) | ((n >> pos) & 3);
        /* Branch-free: the outcome is data-dependent and mispredicts. */
        fits = rem >= trial;
        rem -= trial & -fits;
        root = (root << 1) | fits;
    }
    return root;
}

/*
 * floor(sqrt(@n)) for @n < 2^126, and whether it is exact. Wider radicands
 * take the root of their top 63-64 bits (31+ correct bits) and one Newton
 * step r' = (r + n / r) / 2, which from below lands on floor(sqrt(n)) or one
 * above it (the error squares: below 2^-62 relative).
 */
static uint64_t float_isqrt128(unsigned __int128 n, bool *exact)
{
    uint64_t high = (uint64_t)(n >> 64);
    uint64_t root;

    if (high == 0) {
        root = float_isqrt64((uint64_t)n);
    } else {
        int bits = 128 - float_clz64(high);
        int half_shift = (bits - 64 + 1) / 2;

        root = float_isqrt64((uint64_t)(n >> (2 * half_shift))) << half_shift;
        root = (root + (uint64_t)(n / root)) / 2;
        while ((unsigned __int128)root * root > n) {
            root--;
        }
    }
    *exact = (unsigned __int128)root * root == n;
    return root;
}

static uint64_t float_sqrt(uint64_t a_bits, const FloatFormat *fmt,
                           FloatStatus *st)
{
    FloatParts a = float_unpack(a_bits, fmt);
    unsigned __int128 radicand;
    uint64_t root;
    bool exact;
    int exp, dropped;

    if (float_is_nan_kind(a.kind)) {
        return float_propagate_nan(&a, 1, fmt, st);
    }
    if (a.kind == FLOAT_KIND_ZERO) {
        return a_bits;                      /* sqrt(-0) = -0 [§5.4.1] */
    }
    if (a.sign) {
        return float_invalid(fmt, st);      /* negative, including -inf */
    }
    if (a.kind == FLOAT_KIND_INF) {
        return a_bits;
    }

    /*
     * With an even exponent, sqrt(sig * 2^62) = sqrt(sig / 2^62) * 2^62,
     * a root in [2^62, 2^63). Only precision + 2 root bits are needed, so
     * 2 * @dropped low radicand bits are discarded first (their being
     * nonzero only makes the root inexact): floor(sqrt(floor(x / 4^k)))
     * equals floor(sqrt(x) / 2^k).
     */
    exp = a.exp;
    radicand = (unsigned __int128)a.sig << FLOAT_SIG_POINT;
    if (exp & 1) {
        radicand <<= 1;
        exp--;
    }
    dropped = fmt->guard_bits - 2;
    root = float_isqrt128(radicand >> (2 * dropped), &exact);
    exact = exact && (radicand & (((unsigned __int128)1 << (2 * dropped)) - 1)) == 0;
    return float_round_pack(false, exp / 2, (root << dropped) | !exact, fmt, st);
}

/* ---- fused multiply-add ---- */

/*
 * Both terms as 128-bit significands with the leading one at bit 126,
 * value = sig * 2^(exp - 126), so their sum cannot overflow 128 bits.
 */
typedef struct FloatWide {
    bool sign;
    int exp;
    unsigned __int128 sig;
} FloatWide;

static uint64_t float_muladd_finite(FloatWide p, FloatWide c,
                                    const FloatFormat *fmt, FloatStatus *st)
{
    unsigned __int128 sum;
    int shift;

    if (p.exp < c.exp || (p.exp == c.exp && p.sig < c.sig)) {
        FloatWide larger = c;

        c = p;
        p = larger;
    }
    /*
     * Neither term has bits below bit 1, so an alignment shift by 1 is
     * exact; for larger shifts at most one leading bit cancels and the
     * sticky bit cannot reach the guard bits (see float_add_finite).
     */
    c.sig = float_shift_right_jam128(c.sig, p.exp - c.exp);
    if (p.sign == c.sign) {
        sum = p.sig + c.sig;
    } else {
        sum = p.sig - c.sig;
        if (sum == 0) {
            return float_pack_zero(float_zero_sum_sign(false, true, st), fmt);
        }
    }
    /* Keep the top 64 bits (leading one at bit 63) plus a sticky bit. */
    shift = (sum >> 64) ? __builtin_clzll((uint64_t)(sum >> 64))
                        : 64 + __builtin_clzll((uint64_t)sum);
    sum <<= shift;
    return float_round_pack(p.sign, p.exp - shift,
                            (uint64_t)(sum >> 64) | ((uint64_t)sum != 0),
                            fmt, st);
}

static uint64_t float_muladd(uint64_t a_bits, uint64_t b_bits, uint64_t c_bits,
                             int negate, const FloatFormat *fmt,
                             FloatStatus *st)
{
    const FloatParts ops[3] = {
        float_unpack(a_bits, fmt),
        float_unpack(b_bits, fmt),
        float_unpack(c_bits, fmt),
    };
    FloatParts a = ops[0], b = ops[1], c = ops[2];
    bool p_sign = a.sign ^ b.sign ^ !!(negate & FLOAT_MULADD_NEGATE_PRODUCT);
    bool inf_times_zero =
        (a.kind == FLOAT_KIND_INF && b.kind == FLOAT_KIND_ZERO) ||
        (a.kind == FLOAT_KIND_ZERO && b.kind == FLOAT_KIND_INF);
    unsigned __int128 product;
    FloatWide p, wc;

    c.sign ^= !!(negate & FLOAT_MULADD_NEGATE_ADDEND);
    if (float_is_nan_kind(a.kind) || float_is_nan_kind(b.kind) ||
        float_is_nan_kind(c.kind)) {
        if (inf_times_zero) {
            /* RISC-V: invalid even when the addend is a quiet NaN. */
            float_raise(st, FLOAT_FLAG_INVALID);
        }
        return float_propagate_nan(ops, 3, fmt, st);
    }
    if (inf_times_zero) {
        return float_invalid(fmt, st);
    }
    if (a.kind == FLOAT_KIND_INF || b.kind == FLOAT_KIND_INF) {
        if (c.kind == FLOAT_KIND_INF && c.sign != p_sign) {
            return float_invalid(fmt, st);   /* inf - inf */
        }
        return float_pack_inf(p_sign, fmt);
    }
    if (c.kind == FLOAT_KIND_INF) {
        return float_pack_inf(c.sign, fmt);
    }
    if (a.kind == FLOAT_KIND_ZERO || b.kind == FLOAT_KIND_ZERO) {
        if (c.kind == FLOAT_KIND_ZERO) {
            return float_pack_zero(float_zero_sum_sign(p_sign, c.sign, st),
                                   fmt);
        }
        return float_repack(c, fmt, st);
    }

    product = (unsigned __int128)a.sig * b.sig;   /* [2^124, 2^126) */
    if (c.kind == FLOAT_KIND_ZERO) {
        /* A nonzero product plus zero is the product, rounded once. */
        return float_round_pack(p_sign, a.exp + b.exp,
                                (uint64_t)float_shift_right_jam128(
                                    product, FLOAT_SIG_POINT),
                                fmt, st);
    }
    p.sign = p_sign;
    if (product >> 125) {
        p.sig = product << 1;
        p.exp = a.exp + b.exp + 1;
    } else {
        p.sig = product << 2;
        p.exp = a.exp + b.exp;
    }
    wc.sign = c.sign;
    wc.exp = c.exp;
    wc.sig = (unsigned __int128)c.sig << 64;
    return float_muladd_finite(p, wc, fmt, st);
}

/* ---- public binary32 entry points ---- */

float32 f32_add(float32 a, float32 b, FloatStatus *st)
{
    return float_add(a, b, false, &float32_format, st);
}

float32 f32_sub(float32 a, float32 b, FloatStatus *st)
{
    return float_add(a, b, true, &float32_format, st);
}

float32 f32_mul(float32 a, float32 b, FloatStatus *st)
{
    return float_mul(a, b, &float32_format, st);
}

float32 f32_div(float32 a, float32 b, FloatStatus *st)
{
    return float_div(a, b, &float32_format, st);
}

float32 f32_sqrt(float32 a, FloatStatus *st)
{
    return float_sqrt(a, &float32_format, st);
}

float32 f32_muladd(float32 a, float32 b, float32 c, int negate,
                   FloatStatus *st)
{
    return float_muladd(a, b, c, negate, &float32_format, st);
}

/* ---- public binary64 entry points ---- */

float64 f64_add(float64 a, float64 b, FloatStatus *st)
{
    return float_add(a, b, false, &float64_format, st);
}

float64 f64_sub(float64 a, float64 b, FloatStatus *st)
{
    return float_add(a, b, true, &float64_format, st);
}

float64 f64_mul(float64 a, float64 b, FloatStatus *st)
{
    return float_mul(a, b, &float64_format, st);
}

float64 f64_div(float64 a, float64 b, FloatStatus *st)
{
    return float_div(a, b, &float64_format, st);
}

float64 f64_sqrt(float64 a, FloatStatus *st)
{
    return float_sqrt(a, &float64_format, st);
}

float64 f64_muladd(float64 a, float64 b, float64 c, int negate,
                   FloatStatus *st)
{
    return float_muladd(a, b, c, negate, &float64_format, st);
}
