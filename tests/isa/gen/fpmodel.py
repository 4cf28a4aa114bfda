#!/usr/bin/env python3
"""Reference model of RISC-V F/D arithmetic, written from the specs.

IEEE 754-2008 rounding (RNE, RTZ, RDN, RUP, RMM) on exact rationals
(fractions.Fraction), tininess detected after rounding, and the RISC-V
rules of unprivileged spec ch. 11-12: NaN results are the canonical NaN
(no payload propagation), invalid for signalling NaNs, fma(inf, 0, qNaN)
is invalid, fmin/fmax return the non-NaN operand, conversions to integer
saturate.  Used by gen/fp.py to produce the expected values of the
rvf-*.S / rvd-*.S tests; it never looks at any emulator's output.
"""
from fractions import Fraction
import math

NX, UF, OF, DZ, NV = 1, 2, 4, 8, 16
RNE, RTZ, RDN, RUP, RMM = 0, 1, 2, 3, 4


class Fmt:
    def __init__(self, ebits, mbits):
        self.ebits, self.mbits = ebits, mbits          # mbits: stored fraction bits
        self.p = mbits + 1
        self.bias = (1 << (ebits - 1)) - 1
        self.emin = 1 - self.bias
        self.emax = self.bias
        self.width = 1 + ebits + mbits
        self.qnan = ((1 << ebits) - 1) << mbits | 1 << (mbits - 1)  # canonical

    def fields(self, bits):
        s = bits >> (self.width - 1) & 1
        e = bits >> self.mbits & ((1 << self.ebits) - 1)
        m = bits & ((1 << self.mbits) - 1)
        return s, e, m

    def is_nan(self, b):
        s, e, m = self.fields(b)
        return e == (1 << self.ebits) - 1 and m != 0

    def is_snan(self, b):
        return self.is_nan(b) and not b >> (self.mbits - 1) & 1

    def is_inf(self, b):
        s, e, m = self.fields(b)
        return e == (1 << self.ebits) - 1 and m == 0

    def sign(self, b):
        return b >> (self.width - 1) & 1

    def value(self, b):
        """Exact Fraction of a finite value (zero gives Fraction(0))."""
        s, e, m = self.fields(b)
        if e == 0:
            v = Fraction(m, 1 << self.mbits) * Fraction(2) ** self.emin
        else:
            v = (1 + Fraction(m, 1 << self.mbits)) * Fraction(2) ** (e - self.bias)
        return -v if s else v

    def inf(self, s):
        return s << (self.width - 1) | ((1 << self.ebits) - 1) << self.mbits

    def zero(self, s):
        return s << (self.width - 1)

    def maxfinite(self, s):
        return s << (self.width - 1) | ((1 << self.ebits) - 2) << self.mbits | ((1 << self.mbits) - 1)


F32 = Fmt(8, 23)
F64 = Fmt(11, 52)


def round_int(m, rm, neg):
    """Round a non-negative Fraction m to an integer for a value of sign neg."""
    f = math.floor(m)
    r = m - f
    if r == 0:
        return f
    if rm == RTZ:
        return f
    if rm == RDN:
        return f + 1 if neg else f
    if rm == RUP:
        return f if neg else f + 1
    half = Fraction(1, 2)
    if r > half:
        return f + 1
    if r < half:
        return f
    if rm == RMM:
        return f + 1
    return f + (f & 1)  # RNE


def ilog2(x):
    """floor(log2(x)) for a positive Fraction."""
    e = x.numerator.bit_length() - x.denominator.bit_length()
    if Fraction(2) ** e > x:
        e -= 1
    if Fraction(2) ** (e + 1) <= x:
        e += 1
    return e


def round_to(fmt, x, rm, zero_sign=0):
    """Round the exact value x to fmt.  Returns (bits, flags)."""
    if x == 0:
        return fmt.zero(zero_sign), 0
    neg = 1 if x < 0 else 0
    a = -x if neg else x
    flags = 0

    def rnd(emin_clamp):
        e = ilog2(a)
        if emin_clamp:
            e = max(e, fmt.emin)
        q = Fraction(2) ** (e - fmt.p + 1)
        m = round_int(a / q, rm, neg)
        if m == 1 << fmt.p:
            m >>= 1
            e += 1
        return e, m, (m * q != a)

    # Tininess after rounding: round with unbounded exponent range.
    e_u, m_u, _ = rnd(False)
    tiny = e_u < fmt.emin
    e, m, inexact = rnd(True)
    if inexact:
        flags |= NX
        if tiny:
            flags |= UF
    if e > fmt.emax:
        flags |= OF | NX
        to_inf = (rm in (RNE, RMM) or (rm == RUP and not neg) or (rm == RDN and neg))
        return (fmt.inf(neg) if to_inf else fmt.maxfinite(neg)), flags
    if m < 1 << (fmt.p - 1):  # subnormal (or zero after rounding)
        bits = m
    else:
        bits = (e + fmt.bias) << fmt.mbits | (m - (1 << (fmt.p - 1)))
    return neg << (fmt.width - 1) | bits, flags


def nan_result(fmt, *ops):
    fl = NV if any(fmt.is_snan(o) for o in ops) else 0
    return fmt.qnan, fl


def add(fmt, a, b, rm, sub=False):
    if sub:
        b ^= 1 << (fmt.width - 1)
    if fmt.is_nan(a) or fmt.is_nan(b):
        return nan_result(fmt, a, b)
    if fmt.is_inf(a) and fmt.is_inf(b):
        if fmt.sign(a) != fmt.sign(b):
            return fmt.qnan, NV
        return a, 0
    if fmt.is_inf(a):
        return a, 0
    if fmt.is_inf(b):
        return b, 0
    x = fmt.value(a) + fmt.value(b)
    if x == 0:
        sa, sb = fmt.sign(a), fmt.sign(b)
        if fmt.value(a) == 0 and fmt.value(b) == 0 and sa == sb:
            zs = sa
        else:
            zs = 1 if rm == RDN else 0
        return fmt.zero(zs), 0
    return round_to(fmt, x, rm)


def mul(fmt, a, b, rm):
    if fmt.is_nan(a) or fmt.is_nan(b):
        return nan_result(fmt, a, b)
    s = fmt.sign(a) ^ fmt.sign(b)
    if fmt.is_inf(a) or fmt.is_inf(b):
        other = b if fmt.is_inf(a) else a
        if not fmt.is_inf(other) and fmt.value(other) == 0:
            return fmt.qnan, NV
        return fmt.inf(s), 0
    x = fmt.value(a) * fmt.value(b)
    if x == 0:
        return fmt.zero(s), 0
    return round_to(fmt, x, rm)


def div(fmt, a, b, rm):
    if fmt.is_nan(a) or fmt.is_nan(b):
        return nan_result(fmt, a, b)
    s = fmt.sign(a) ^ fmt.sign(b)
    if fmt.is_inf(a):
        return (fmt.qnan, NV) if fmt.is_inf(b) else (fmt.inf(s), 0)
    if fmt.is_inf(b):
        return fmt.zero(s), 0
    va, vb = fmt.value(a), fmt.value(b)
    if vb == 0:
        return (fmt.qnan, NV) if va == 0 else (fmt.inf(s), DZ)
    if va == 0:
        return fmt.zero(s), 0
    return round_to(fmt, va / vb, rm)


def sqrt(fmt, a, rm):
    if fmt.is_nan(a):
        return nan_result(fmt, a)
    if fmt.is_inf(a):
        return (fmt.qnan, NV) if fmt.sign(a) else (a, 0)
    v = fmt.value(a)
    if v == 0:
        return a, 0
    if v < 0:
        return fmt.qnan, NV
    k = 600  # v * 4^k is an integer with a root of far more than p bits
    n = v * (Fraction(4) ** k)
    ni = math.floor(n)
    r = math.isqrt(ni)
    if r * r == n:
        root = Fraction(r)
    else:
        root = Fraction(2 * r + 1, 2)  # strictly between r and r+1: sticky
    return round_to(fmt, root / (Fraction(2) ** k), rm)


def fma(fmt, a, b, c, rm, neg_prod=False, neg_add=False):
    """(+/-)(a*b) (+/-) c with one rounding (fmadd/fmsub/fnmsub/fnmadd)."""
    sbit = 1 << (fmt.width - 1)
    if neg_prod:
        a ^= sbit
    if neg_add:
        c ^= sbit
    inf_zero = ((fmt.is_inf(a) and not fmt.is_nan(b) and not fmt.is_inf(b) and fmt.value(b) == 0) or
                (fmt.is_inf(b) and not fmt.is_nan(a) and not fmt.is_inf(a) and fmt.value(a) == 0))
    if inf_zero:
        return fmt.qnan, NV          # even when c is a quiet NaN (spec §11.6)
    if fmt.is_nan(a) or fmt.is_nan(b) or fmt.is_nan(c):
        return nan_result(fmt, a, b, c)
    ps = fmt.sign(a) ^ fmt.sign(b)
    if fmt.is_inf(a) or fmt.is_inf(b):
        if fmt.is_inf(c) and fmt.sign(c) != ps:
            return fmt.qnan, NV
        return fmt.inf(ps), 0
    if fmt.is_inf(c):
        return c, 0
    p = fmt.value(a) * fmt.value(b)
    x = p + fmt.value(c)
    if x == 0:
        if p == 0 and fmt.value(c) == 0 and ps == fmt.sign(c):
            zs = ps
        else:
            zs = 1 if rm == RDN else 0
        return fmt.zero(zs), 0
    return round_to(fmt, x, rm)


def minmax(fmt, a, b, is_max):
    fl = NV if fmt.is_snan(a) or fmt.is_snan(b) else 0
    if fmt.is_nan(a) and fmt.is_nan(b):
        return fmt.qnan, fl
    if fmt.is_nan(a):
        return b, fl
    if fmt.is_nan(b):
        return a, fl

    def key(x):
        if fmt.is_inf(x):
            return (Fraction(-1 if fmt.sign(x) else 1) * 10 ** 400, 0)
        v = fmt.value(x)
        return (v, 0 if v != 0 else (-1 if fmt.sign(x) else 1))  # -0 < +0
    ka, kb = key(a), key(b)
    if is_max:
        return (a if ka >= kb else b), fl
    return (a if ka <= kb else b), fl


def _cmpval(fmt, x):
    if fmt.is_inf(x):
        return Fraction(-1 if fmt.sign(x) else 1) * 10 ** 400
    return fmt.value(x)


def compare(fmt, a, b, op):
    """op in eq/lt/le.  Returns (0/1, flags)."""
    if fmt.is_nan(a) or fmt.is_nan(b):
        if op == 'eq':
            return 0, (NV if fmt.is_snan(a) or fmt.is_snan(b) else 0)
        return 0, NV
    va, vb = _cmpval(fmt, a), _cmpval(fmt, b)
    return int({'eq': va == vb, 'lt': va < vb, 'le': va <= vb}[op]), 0


def fclass(fmt, a):
    s, e, m = fmt.fields(a)
    if fmt.is_inf(a):
        return 1 << 0 if s else 1 << 7
    if fmt.is_nan(a):
        return 1 << 8 if fmt.is_snan(a) else 1 << 9
    if e == 0 and m == 0:
        return 1 << 3 if s else 1 << 4
    if e == 0:
        return 1 << 2 if s else 1 << 5
    return 1 << 1 if s else 1 << 6


def to_int(fmt, a, rm, bits, signed):
    """fcvt.{w,wu,l,lu}.{s,d}: returns (integer as unsigned 64-bit, flags)."""
    lo = -(1 << (bits - 1)) if signed else 0
    hi = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
    if fmt.is_nan(a):
        r, fl = hi, NV
    elif fmt.is_inf(a):
        r, fl = (lo if fmt.sign(a) else hi), NV
    else:
        v = fmt.value(a)
        neg = v < 0
        r = round_int(abs(v), rm, neg)
        r = -r if neg else r
        fl = NX if r != v else 0
        if r < lo:
            r, fl = lo, NV
        elif r > hi:
            r, fl = hi, NV
    # 32-bit results are sign-extended to 64 bits (also for the U forms).
    r &= (1 << bits) - 1
    if bits == 32 and r >> 31:
        r |= 0xffffffff00000000
    return r & ((1 << 64) - 1), fl


def from_int(fmt, x, rm):
    if x == 0:
        return fmt.zero(0), 0
    return round_to(fmt, Fraction(x), rm)


def convert(src, dst, a, rm):
    """fcvt.s.d / fcvt.d.s."""
    if src.is_nan(a):
        return dst.qnan, (NV if src.is_snan(a) else 0)
    if src.is_inf(a):
        return dst.inf(src.sign(a)), 0
    v = src.value(a)
    if v == 0:
        return dst.zero(src.sign(a)), 0
    return round_to(dst, v, rm)
