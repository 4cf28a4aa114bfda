/*
 * fpu/softfloat-internal.h — the unpacked number shared by the softfloat
 * sources, and the one rounding routine every inexact result goes through.
 *
 * Each operation unpacks its operands into FloatParts (kind, sign, exponent,
 * significand), works on those with plain integer arithmetic, and packs the
 * result with float_round_pack(), which implements IEEE 754-2008 §4.3
 * (rounding), §7.4 (overflow) and §7.5 (underflow, tininess after rounding,
 * as the RISC-V F chapter specifies). binary32 and binary64 share all code;
 * they differ only in their FloatFormat (IEEE 754-2008 §3.6, Table 3.5).
 *
 * Unpacked finite nonzero values are normalized: value =
 *   (-1)^sign * sig * 2^(exp - FLOAT_SIG_POINT),  2^62 <= sig < 2^63,
 * so exp is the unbiased IEEE exponent and bit 62 is the integer bit. The
 * 10 (binary64) or 39 (binary32) bits below the last fraction bit hold the
 * guard bits; bit 63 is headroom for a carry. Algorithms that discard bits
 * fold them into bit 0 ("jamming", a sticky bit), which is enough for
 * correct rounding because at least two guard bits lie above it.
 */
#ifndef FPU_SOFTFLOAT_INTERNAL_H
#define FPU_SOFTFLOAT_INTERNAL_H

#include "fpu/softfloat.h"

#define FLOAT_SIG_POINT 62

typedef enum FloatKind {
    FLOAT_KIND_ZERO,
    FLOAT_KIND_FINITE,   /* nonzero finite (normal or subnormal) */
    FLOAT_KIND_INF,
    FLOAT_KIND_QNAN,
    FLOAT_KIND_SNAN,
} FloatKind;

typedef struct FloatParts {
    FloatKind kind;
    bool sign;
    int exp;        /* FINITE: unbiased exponent of bit FLOAT_SIG_POINT */
    uint64_t sig;   /* FINITE: normalized; NaN: the fraction, left-aligned
                     * like a finite one (quiet bit at FLOAT_SIG_POINT - 1) */
} FloatParts;

/* An IEEE binary interchange format (IEEE 754-2008 §3.4, §3.6). */
typedef struct FloatFormat {
    int frac_bits;    /* trailing significand field width: 23 / 52 */
    int exp_bits;     /* biased exponent field width: 8 / 11 */
    int exp_bias;     /* 127 / 1023 */
    int exp_max;      /* all-ones biased exponent (inf/NaN): 255 / 2047 */
    int guard_bits;   /* FLOAT_SIG_POINT - frac_bits: bits below the ulp */
} FloatFormat;

static const FloatFormat float32_format = {
    .frac_bits = 23, .exp_bits = 8, .exp_bias = 127, .exp_max = 255,
    .guard_bits = FLOAT_SIG_POINT - 23,
};

static const FloatFormat float64_format = {
    .frac_bits = 52, .exp_bits = 11, .exp_bias = 1023, .exp_max = 2047,
    .guard_bits = FLOAT_SIG_POINT - 52,
};

static inline void float_raise(FloatStatus *st, unsigned flags)
{
    st->flags |= flags;
}

static inline bool float_is_nan_kind(FloatKind kind)
{
    return kind == FLOAT_KIND_QNAN || kind == FLOAT_KIND_SNAN;
}

static inline int float_clz64(uint64_t x)
{
    return __builtin_clzll(x);   /* x != 0 */
}

/* x >> count with every discarded 1 bit folded into bit 0 (any count). */
static inline uint64_t float_shift_right_jam(uint64_t x, int count)
{
    if (count <= 0) {
        return x;
    }
    if (count >= 64) {
        return x != 0;
    }
    return (x >> count) | ((x & ((1ull << count) - 1)) != 0);
}

/* The same for a 128-bit value (any count). */
static inline unsigned __int128 float_shift_right_jam128(unsigned __int128 x,
                                                         int count)
{
    unsigned __int128 kept;

    if (count <= 0) {
        return x;
    }
    if (count >= 128) {
        return x != 0;
    }
    kept = x >> count;
    return kept | ((kept << count) != x);
}

/*
 * Whether rounding a value with integer part @kept (only its low bit
 * matters) and discarded part @rest (compared with @half, the weight of
 * the first discarded bit) must increment the integer part, for rounding
 * mode @rm and sign @negative [IEEE 754-2008 §4.3.1, §4.3.2].
 */
static inline bool float_round_increments(int rm, bool negative, uint64_t kept,
                                          uint64_t rest, uint64_t half)
{
    switch (rm) {
    case FLOAT_ROUND_TO_ZERO:
        return false;
    case FLOAT_ROUND_DOWN:
        return negative && rest != 0;
    case FLOAT_ROUND_UP:
        return !negative && rest != 0;
    case FLOAT_ROUND_NEAREST_MAX_MAG:
        return rest >= half;
    default:
        /* RNE; 5..7 are rejected by the instruction decoder. */
        return rest > half || (rest == half && (kept & 1));
    }
}

/* Split raw bits of format @fmt into parts. Subnormals are normalized. */
static inline FloatParts float_unpack(uint64_t bits, const FloatFormat *fmt)
{
    uint64_t frac = bits & ((1ull << fmt->frac_bits) - 1);
    int biased = (int)(bits >> fmt->frac_bits) & fmt->exp_max;
    FloatParts p = {
        .sign = (bits >> (fmt->frac_bits + fmt->exp_bits)) & 1,
    };

    if (biased == fmt->exp_max) {
        if (frac == 0) {
            p.kind = FLOAT_KIND_INF;
        } else {
            p.kind = (frac >> (fmt->frac_bits - 1)) ? FLOAT_KIND_QNAN
                                                    : FLOAT_KIND_SNAN;
            p.sig = frac << fmt->guard_bits;
        }
    } else if (biased != 0) {
        p.kind = FLOAT_KIND_FINITE;
        p.exp = biased - fmt->exp_bias;
        p.sig = (frac | (1ull << fmt->frac_bits)) << fmt->guard_bits;
    } else if (frac != 0) {
        /* Subnormal: frac * 2^(1 - bias - frac_bits), renormalized. */
        int shift = float_clz64(frac) - (63 - FLOAT_SIG_POINT);

        p.kind = FLOAT_KIND_FINITE;
        p.sig = frac << shift;
        p.exp = 1 - fmt->exp_bias + (FLOAT_SIG_POINT - fmt->frac_bits) - shift;
    } else {
        p.kind = FLOAT_KIND_ZERO;
    }
    return p;
}

static inline uint64_t float_pack_sign(bool sign, const FloatFormat *fmt)
{
    return (uint64_t)sign << (fmt->frac_bits + fmt->exp_bits);
}

static inline uint64_t float_pack_zero(bool sign, const FloatFormat *fmt)
{
    return float_pack_sign(sign, fmt);
}

static inline uint64_t float_pack_inf(bool sign, const FloatFormat *fmt)
{
    return float_pack_sign(sign, fmt) |
           ((uint64_t)fmt->exp_max << fmt->frac_bits);
}

static inline uint64_t float_default_nan(const FloatFormat *fmt)
{
    return float_pack_inf(false, fmt) | (1ull << (fmt->frac_bits - 1));
}

/* Raise invalid and return the default NaN (IEEE 754-2008 §7.2). */
static inline uint64_t float_invalid(const FloatFormat *fmt, FloatStatus *st)
{
    float_raise(st, FLOAT_FLAG_INVALID);
    return float_default_nan(fmt);
}

/*
 * Round (-1)^sign * sig * 2^(exp - FLOAT_SIG_POINT) to format @fmt in
 * st->rounding_mode and pack it, raising inexact, underflow and overflow
 * as appropriate. @sig is any nonzero value; its bit 0 may be a sticky bit.
 */
uint64_t float_round_pack(bool sign, int exp, uint64_t sig,
                          const FloatFormat *fmt, FloatStatus *st);

/*
 * The NaN result of an operation with @count operands @ops, at least one of
 * them a NaN: raises invalid if any is signaling, then returns the default
 * NaN or (without st->default_nan) the first NaN operand quieted.
 */
uint64_t float_propagate_nan(const FloatParts *ops, int count,
                             const FloatFormat *fmt, FloatStatus *st);

#endif /* FPU_SOFTFLOAT_INTERNAL_H */
