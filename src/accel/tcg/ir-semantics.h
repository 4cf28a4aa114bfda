/*
 * accel/tcg/ir-semantics.h — what each arithmetic IR op computes, written
 * once and used by both the optimizer (constant folding) and the IR
 * interpreter, so the two cannot disagree.
 *
 * Values are carried in uint64_t; an I32 value is its 32 bits zero-
 * extended. Every function returns a value in that canonical form. The
 * corner cases (shift counts, division by zero, clz of zero) are the ones
 * fixed in ir-ops.def.
 */
#ifndef ACCEL_TCG_IR_SEMANTICS_H
#define ACCEL_TCG_IR_SEMANTICS_H

#include "accel/tcg/tcg.h"

static inline uint64_t ir_canon(TCGType t, uint64_t v)
{
    return t == TCG_TYPE_I32 ? (uint32_t)v : v;
}

static inline unsigned ir_width(TCGType t)
{
    return t == TCG_TYPE_I32 ? 32 : 64;
}

static inline int64_t ir_signed(TCGType t, uint64_t v)
{
    return t == TCG_TYPE_I32 ? (int64_t)(int32_t)v : (int64_t)v;
}

static inline uint64_t ir_shl(TCGType t, uint64_t a, uint64_t b)
{
    return ir_canon(t, a << (b & (ir_width(t) - 1)));
}

static inline uint64_t ir_shr(TCGType t, uint64_t a, uint64_t b)
{
    return ir_canon(t, ir_canon(t, a) >> (b & (ir_width(t) - 1)));
}

static inline uint64_t ir_sar(TCGType t, uint64_t a, uint64_t b)
{
    return ir_canon(t, (uint64_t)(ir_signed(t, a) >> (b & (ir_width(t) - 1))));
}

static inline uint64_t ir_rotl(TCGType t, uint64_t a, uint64_t b)
{
    unsigned w = ir_width(t), n = b & (w - 1);

    a = ir_canon(t, a);
    return n ? ir_canon(t, (a << n) | (a >> (w - n))) : a;
}

static inline uint64_t ir_rotr(TCGType t, uint64_t a, uint64_t b)
{
    unsigned w = ir_width(t), n = b & (w - 1);

    a = ir_canon(t, a);
    return n ? ir_canon(t, (a >> n) | (a << (w - n))) : a;
}

static inline uint64_t ir_div(TCGType t, uint64_t a, uint64_t b)
{
    int64_t x = ir_signed(t, a), y = ir_signed(t, b);
    int64_t min = t == TCG_TYPE_I32 ? INT32_MIN : INT64_MIN;

    if (y == 0) {
        return ir_canon(t, ~0ULL);
    }
    if (x == min && y == -1) {
        return ir_canon(t, (uint64_t)x);
    }
    return ir_canon(t, (uint64_t)(x / y));
}

static inline uint64_t ir_divu(TCGType t, uint64_t a, uint64_t b)
{
    a = ir_canon(t, a);
    b = ir_canon(t, b);
    return b ? a / b : ir_canon(t, ~0ULL);
}

static inline uint64_t ir_rem(TCGType t, uint64_t a, uint64_t b)
{
    int64_t x = ir_signed(t, a), y = ir_signed(t, b);
    int64_t min = t == TCG_TYPE_I32 ? INT32_MIN : INT64_MIN;

    if (y == 0) {
        return ir_canon(t, a);
    }
    if (x == min && y == -1) {
        return 0;
    }
    return ir_canon(t, (uint64_t)(x % y));
}

static inline uint64_t ir_remu(TCGType t, uint64_t a, uint64_t b)
{
    a = ir_canon(t, a);
    b = ir_canon(t, b);
    return b ? a % b : a;
}

static inline uint64_t ir_mulsh(TCGType t, uint64_t a, uint64_t b)
{
    if (t == TCG_TYPE_I32) {
        int64_t p = (int64_t)(int32_t)a * (int64_t)(int32_t)b;
        return (uint32_t)((uint64_t)p >> 32);
    }
    return (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64);
}

static inline uint64_t ir_muluh(TCGType t, uint64_t a, uint64_t b)
{
    if (t == TCG_TYPE_I32) {
        return (uint32_t)(((uint64_t)(uint32_t)a * (uint32_t)b) >> 32);
    }
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static inline uint64_t ir_clz(TCGType t, uint64_t a)
{
    a = ir_canon(t, a);
    if (!a) {
        return ir_width(t);
    }
    return t == TCG_TYPE_I32 ? __builtin_clz((uint32_t)a)
                             : __builtin_clzll(a);
}

static inline uint64_t ir_ctz(TCGType t, uint64_t a)
{
    a = ir_canon(t, a);
    return a ? (uint64_t)__builtin_ctzll(a) : ir_width(t);
}

static inline uint64_t ir_ctpop(TCGType t, uint64_t a)
{
    return __builtin_popcountll(ir_canon(t, a));
}

static inline uint64_t ir_bswap(TCGType t, uint64_t a)
{
    return t == TCG_TYPE_I32 ? __builtin_bswap32((uint32_t)a)
                             : __builtin_bswap64(a);
}

static inline bool ir_cond(TCGType t, TCGCond c, uint64_t a, uint64_t b)
{
    int64_t sa = ir_signed(t, a), sb = ir_signed(t, b);

    a = ir_canon(t, a);
    b = ir_canon(t, b);
    switch (c) {
    case TCG_COND_NEVER:
        return false;
    case TCG_COND_ALWAYS:
        return true;
    case TCG_COND_EQ:
        return a == b;
    case TCG_COND_NE:
        return a != b;
    case TCG_COND_LT:
        return sa < sb;
    case TCG_COND_GE:
        return sa >= sb;
    case TCG_COND_LE:
        return sa <= sb;
    case TCG_COND_GT:
        return sa > sb;
    case TCG_COND_LTU:
        return a < b;
    case TCG_COND_GEU:
        return a >= b;
    case TCG_COND_LEU:
        return a <= b;
    case TCG_COND_GTU:
        return a > b;
    }
    return false;
}

/* An extension op applied to @a (ext8s ... ext32u). */
static inline uint64_t ir_ext(TCGType t, TCGOpcode opc, uint64_t a)
{
    switch (opc) {
    case INDEX_op_ext8s:
        return ir_canon(t, (uint64_t)(int64_t)(int8_t)a);
    case INDEX_op_ext8u:
        return (uint8_t)a;
    case INDEX_op_ext16s:
        return ir_canon(t, (uint64_t)(int64_t)(int16_t)a);
    case INDEX_op_ext16u:
        return (uint16_t)a;
    case INDEX_op_ext32s:
    case INDEX_op_ext_i32_i64:
        return (uint64_t)(int64_t)(int32_t)a;
    case INDEX_op_ext32u:
    case INDEX_op_extu_i32_i64:
    case INDEX_op_extrl_i64_i32:
        return (uint32_t)a;
    default:
        return a;
    }
}

/* The old value combined with @b by an atomic read-modify-write. */
static inline uint64_t ir_atomic_apply(TCGAtomicOp op, MemOp memop,
                                       uint64_t old, uint64_t b)
{
    unsigned bits = 8 * memop_size(memop);
    uint64_t mask = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
    int64_t sold = (int64_t)(old << (64 - bits)) >> (64 - bits);
    int64_t sb = (int64_t)(b << (64 - bits)) >> (64 - bits);

    old &= mask;
    b &= mask;
    switch (op) {
    case TCG_ATOMIC_XCHG:
        return b;
    case TCG_ATOMIC_ADD:
        return (old + b) & mask;
    case TCG_ATOMIC_AND:
        return old & b;
    case TCG_ATOMIC_OR:
        return old | b;
    case TCG_ATOMIC_XOR:
        return old ^ b;
    case TCG_ATOMIC_SMIN:
        return sold < sb ? old : b;
    case TCG_ATOMIC_SMAX:
        return sold > sb ? old : b;
    case TCG_ATOMIC_UMIN:
        return old < b ? old : b;
    case TCG_ATOMIC_UMAX:
        return old > b ? old : b;
    }
    return old;
}

/* Extend a loaded value per the MemOp's size and sign. */
static inline uint64_t ir_memop_extend(MemOp memop, uint64_t v)
{
    unsigned bits = 8 * memop_size(memop);

    if (bits == 64) {
        return v;
    }
    if (memop & MO_SIGN) {
        return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
    }
    return v & ((1ULL << bits) - 1);
}

#endif /* ACCEL_TCG_IR_SEMANTICS_H */
