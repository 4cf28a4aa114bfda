/*
 * fpu/softfloat.h — exact IEEE 754 binary32/binary64 arithmetic in software.
 *
 * The RISC-V F and D extensions (Unprivileged spec, chapters "F" and "D")
 * need results that are bit-exact on every host, so guest floating point
 * never touches the host FPU: values travel as raw bit patterns (float32,
 * float64) and every operation here is a pure integer computation.
 *
 * What the library guarantees (IEEE 754-2008 references in brackets):
 *   - every result is correctly rounded in the five rounding-direction
 *     attributes [§4.3], including roundTiesToAway (RISC-V's RMM);
 *   - subnormal inputs and outputs are supported; there is no flush-to-zero;
 *   - exceptions use default handling [§7]: flags accrue in FloatStatus and
 *     are never cleared here; underflow is raised only for results that are
 *     tiny and inexact, with tininess detected AFTER rounding [§7.5] (the
 *     RISC-V choice, "Accrued exception flags" in the F chapter);
 *   - with FloatStatus.default_nan every NaN result is the canonical NaN
 *     (RISC-V "NaN generation and propagation"); any signaling NaN operand
 *     raises invalid [§6.2];
 *   - min/max are IEEE 754-2019 minimumNumber/maximumNumber [2019 §9.6],
 *     as the RISC-V FMIN/FMAX instructions define them;
 *   - float-to-integer conversions follow RISC-V FCVT: NaN gives the largest
 *     positive integer, out-of-range values saturate, both raise invalid and
 *     never inexact ("Single-Precision Floating-Point Conversion" table).
 *
 * Thread safety: the library has no state of its own; each caller owns its
 * FloatStatus (one per hart).
 */
#ifndef FPU_SOFTFLOAT_H
#define FPU_SOFTFLOAT_H

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t float32;   /* raw IEEE binary32 bits */
typedef uint64_t float64;   /* raw IEEE binary64 bits */

/* Rounding modes: values equal RISC-V's rm encodings (F chapter, "Rounding
 * Mode encoding"); 5..7 are not rounding modes and must not be passed. */
enum {
    FLOAT_ROUND_NEAREST_EVEN = 0,     /* RNE, roundTiesToEven */
    FLOAT_ROUND_TO_ZERO = 1,          /* RTZ, roundTowardZero */
    FLOAT_ROUND_DOWN = 2,             /* RDN, roundTowardNegative */
    FLOAT_ROUND_UP = 3,               /* RUP, roundTowardPositive */
    FLOAT_ROUND_NEAREST_MAX_MAG = 4,  /* RMM, roundTiesToAway */
};

/* Exception flags: bit positions equal the RISC-V fflags CSR. */
enum {
    FLOAT_FLAG_INEXACT = 1,     /* NX */
    FLOAT_FLAG_UNDERFLOW = 2,   /* UF */
    FLOAT_FLAG_OVERFLOW = 4,    /* OF */
    FLOAT_FLAG_DIVBYZERO = 8,   /* DZ */
    FLOAT_FLAG_INVALID = 16,    /* NV */
};

/* Sign handling for the fused multiply-add (see f32_muladd). */
enum {
    FLOAT_MULADD_NEGATE_PRODUCT = 1,
    FLOAT_MULADD_NEGATE_ADDEND = 2,
};

/* fclass result bits (RISC-V "Classify" instruction, FCLASS.S/FCLASS.D). */
enum {
    FLOAT_CLASS_NEG_INF = 1 << 0,
    FLOAT_CLASS_NEG_NORMAL = 1 << 1,
    FLOAT_CLASS_NEG_SUBNORMAL = 1 << 2,
    FLOAT_CLASS_NEG_ZERO = 1 << 3,
    FLOAT_CLASS_POS_ZERO = 1 << 4,
    FLOAT_CLASS_POS_SUBNORMAL = 1 << 5,
    FLOAT_CLASS_POS_NORMAL = 1 << 6,
    FLOAT_CLASS_POS_INF = 1 << 7,
    FLOAT_CLASS_SIGNALING_NAN = 1 << 8,
    FLOAT_CLASS_QUIET_NAN = 1 << 9,
};

/* The canonical NaNs (RISC-V "NaN Generation and Propagation"). */
#define F32_DEFAULT_NAN 0x7fc00000u
#define F64_DEFAULT_NAN 0x7ff8000000000000ull

typedef struct FloatStatus {
    uint8_t rounding_mode;   /* one of FLOAT_ROUND_*: used by arithmetic */
    uint8_t flags;           /* accrued FLOAT_FLAG_*: ORed in, never cleared */
    /*
     * true: every NaN result is the default NaN, as RISC-V requires.
     * false: a NaN result is the first NaN operand (in argument order),
     * quieted, with its sign and payload (what most other ISAs do).
     */
    bool default_nan;
} FloatStatus;

/* ---- classification (no flags) ---- */

static inline bool f32_is_nan(float32 a)
{
    return (a & 0x7fffffffu) > 0x7f800000u;
}

static inline bool f32_is_signaling_nan(float32 a)
{
    return f32_is_nan(a) && !(a & 0x00400000u);
}

static inline bool f32_is_quiet_nan(float32 a)
{
    return f32_is_nan(a) && (a & 0x00400000u);
}

static inline bool f32_is_inf(float32 a)
{
    return (a & 0x7fffffffu) == 0x7f800000u;
}

static inline bool f32_is_zero(float32 a)
{
    return (a & 0x7fffffffu) == 0;
}

static inline bool f64_is_nan(float64 a)
{
    return (a & 0x7fffffffffffffffull) > 0x7ff0000000000000ull;
}

static inline bool f64_is_signaling_nan(float64 a)
{
    return f64_is_nan(a) && !(a & 0x0008000000000000ull);
}

static inline bool f64_is_quiet_nan(float64 a)
{
    return f64_is_nan(a) && (a & 0x0008000000000000ull);
}

static inline bool f64_is_inf(float64 a)
{
    return (a & 0x7fffffffffffffffull) == 0x7ff0000000000000ull;
}

static inline bool f64_is_zero(float64 a)
{
    return (a & 0x7fffffffffffffffull) == 0;
}

/**
 * f32_classify / f64_classify - the FCLASS mask of @a: exactly one
 * FLOAT_CLASS_* bit is set. Raises nothing.
 */
uint32_t f32_classify(float32 a);
uint32_t f64_classify(float64 a);

/* ---- arithmetic [IEEE 754-2008 §5.4.1], rounded per st->rounding_mode ---- */

float32 f32_add(float32 a, float32 b, FloatStatus *st);
float32 f32_sub(float32 a, float32 b, FloatStatus *st);
float32 f32_mul(float32 a, float32 b, FloatStatus *st);
float32 f32_div(float32 a, float32 b, FloatStatus *st);
float32 f32_sqrt(float32 a, FloatStatus *st);
float64 f64_add(float64 a, float64 b, FloatStatus *st);
float64 f64_sub(float64 a, float64 b, FloatStatus *st);
float64 f64_mul(float64 a, float64 b, FloatStatus *st);
float64 f64_div(float64 a, float64 b, FloatStatus *st);
float64 f64_sqrt(float64 a, FloatStatus *st);

/**
 * f32_muladd / f64_muladd - fused multiply-add with a single rounding:
 * (±(a*b)) + (±c), the product negated with FLOAT_MULADD_NEGATE_PRODUCT and
 * the addend with FLOAT_MULADD_NEGATE_ADDEND. The RISC-V instructions map
 * as: FMADD 0, FMSUB NEGATE_ADDEND, FNMSUB NEGATE_PRODUCT, FNMADD both.
 * An exact zero result takes its sign from that final addition [§6.3].
 * inf*0 raises invalid even when @c is a quiet NaN (RISC-V F chapter).
 */
float32 f32_muladd(float32 a, float32 b, float32 c, int negate,
                   FloatStatus *st);
float64 f64_muladd(float64 a, float64 b, float64 c, int negate,
                   FloatStatus *st);

/* ---- min/max and comparisons ---- */

/**
 * f32_min / f32_max (and f64_*) - IEEE 754-2019 minimumNumber and
 * maximumNumber as FMIN/FMAX define them: one NaN operand yields the other
 * operand, two NaNs the canonical NaN (or the first, quieted, without
 * default_nan); -0 orders below +0; a signaling NaN raises invalid.
 */
float32 f32_min(float32 a, float32 b, FloatStatus *st);
float32 f32_max(float32 a, float32 b, FloatStatus *st);
float64 f64_min(float64 a, float64 b, FloatStatus *st);
float64 f64_max(float64 a, float64 b, FloatStatus *st);

/**
 * f32_eq, f32_lt, f32_le (and f64_*) - FEQ (quiet: invalid only for a
 * signaling NaN) and FLT/FLE (signaling: invalid for any NaN) [§5.11].
 * Any comparison with a NaN is false; -0 == +0.
 */
bool f32_eq(float32 a, float32 b, FloatStatus *st);
bool f32_lt(float32 a, float32 b, FloatStatus *st);
bool f32_le(float32 a, float32 b, FloatStatus *st);
bool f64_eq(float64 a, float64 b, FloatStatus *st);
bool f64_lt(float64 a, float64 b, FloatStatus *st);
bool f64_le(float64 a, float64 b, FloatStatus *st);

/* ---- conversions [§5.4.1, §5.4.2, §5.8] ---- */

/* Between formats: widening is exact; narrowing rounds per st. A NaN
 * becomes the canonical NaN (or keeps its payload's top bits). */
float64 f32_to_f64(float32 a, FloatStatus *st);
float32 f64_to_f32(float64 a, FloatStatus *st);

/**
 * f32_to_i32 ... f64_to_u64 - FCVT.{W,WU,L,LU}.{S,D}: round @a to an
 * integer in rounding mode @rm (a FLOAT_ROUND_* value, so the caller can
 * pass an instruction's static rm), then saturate. NaN gives the largest
 * positive value. Out-of-range or NaN raises invalid (and not inexact);
 * otherwise an inexact rounding raises inexact. Negative inputs that round
 * to zero are in range for the unsigned forms.
 */
int32_t f32_to_i32(float32 a, int rm, FloatStatus *st);
uint32_t f32_to_u32(float32 a, int rm, FloatStatus *st);
int64_t f32_to_i64(float32 a, int rm, FloatStatus *st);
uint64_t f32_to_u64(float32 a, int rm, FloatStatus *st);
int32_t f64_to_i32(float64 a, int rm, FloatStatus *st);
uint32_t f64_to_u32(float64 a, int rm, FloatStatus *st);
int64_t f64_to_i64(float64 a, int rm, FloatStatus *st);
uint64_t f64_to_u64(float64 a, int rm, FloatStatus *st);

/* Integer to float, rounded per st->rounding_mode (FCVT.{S,D}.{W,WU,L,LU});
 * zero converts to +0. */
float32 i32_to_f32(int32_t a, FloatStatus *st);
float32 u32_to_f32(uint32_t a, FloatStatus *st);
float32 i64_to_f32(int64_t a, FloatStatus *st);
float32 u64_to_f32(uint64_t a, FloatStatus *st);
float64 i32_to_f64(int32_t a, FloatStatus *st);
float64 u32_to_f64(uint32_t a, FloatStatus *st);
float64 i64_to_f64(int64_t a, FloatStatus *st);
float64 u64_to_f64(uint64_t a, FloatStatus *st);

#endif /* FPU_SOFTFLOAT_H */
