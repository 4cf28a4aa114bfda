#!/usr/bin/env python3
# Usage: gen/zb.py zba|zbb|zbc|zbs — prints the case lines of zba.S etc.
# A reference model of the bit-manipulation extensions written from the
# Zba/Zbb/Zbc/Zbs spec (v1.0.0) instruction pseudocode, RV64.
import sys
M = (1 << 64) - 1
def s64(x): x &= M; return x - (1 << 64) if x >> 63 else x
def sx32(x): x &= 0xffffffff; return (x - (1 << 32) if x >> 31 else x) & M
def uw(x): return x & 0xffffffff
def rol(x, n, w): n %= w; m = (1 << w) - 1; x &= m; return ((x << n) | (x >> (w - n))) & m
def ror(x, n, w): return rol(x, (w - n % w) % w, w)
def clz(x, w):
    for i in range(w):
        if x >> (w - 1 - i) & 1: return i
    return w
def ctz(x, w):
    for i in range(w):
        if x >> i & 1: return i
    return w
def clmul(a, b):
    r = 0
    for i in range(64):
        if b >> i & 1: r ^= a << i
    return r & M
def clmulh(a, b):
    r = 0
    for i in range(1, 64):
        if b >> i & 1: r ^= a >> (64 - i)
    return r & M
def clmulr(a, b):
    r = 0
    for i in range(64):
        if b >> i & 1: r ^= a >> (63 - i)
    return r & M
def orcb(x): return sum(0xff << (8 * i) for i in range(8) if (x >> (8 * i)) & 0xff)
def rev8(x): return int.from_bytes((x & M).to_bytes(8, 'little'), 'big')
RR = {
    'sh1add': lambda a, b: (b + (a << 1)), 'sh2add': lambda a, b: (b + (a << 2)),
    'sh3add': lambda a, b: (b + (a << 3)), 'add.uw': lambda a, b: b + uw(a),
    'sh1add.uw': lambda a, b: b + (uw(a) << 1), 'sh2add.uw': lambda a, b: b + (uw(a) << 2),
    'sh3add.uw': lambda a, b: b + (uw(a) << 3),
    'andn': lambda a, b: a & ~b, 'orn': lambda a, b: a | (~b & M), 'xnor': lambda a, b: ~(a ^ b),
    'max': lambda a, b: max(s64(a), s64(b)), 'min': lambda a, b: min(s64(a), s64(b)),
    'maxu': lambda a, b: max(a, b), 'minu': lambda a, b: min(a, b),
    'rol': lambda a, b: rol(a, b & 63, 64), 'ror': lambda a, b: ror(a, b & 63, 64),
    'rolw': lambda a, b: sx32(rol(a, b & 31, 32)), 'rorw': lambda a, b: sx32(ror(a, b & 31, 32)),
    'clmul': clmul, 'clmulh': clmulh, 'clmulr': clmulr,
    'bclr': lambda a, b: a & ~(1 << (b & 63)), 'bset': lambda a, b: a | (1 << (b & 63)),
    'binv': lambda a, b: a ^ (1 << (b & 63)), 'bext': lambda a, b: (a >> (b & 63)) & 1,
}
RI = {
    'slli.uw': lambda a, i: uw(a) << i, 'rori': lambda a, i: ror(a, i, 64),
    'roriw': lambda a, i: sx32(ror(a, i, 32)),
    'bclri': lambda a, i: a & ~(1 << i), 'bseti': lambda a, i: a | (1 << i),
    'binvi': lambda a, i: a ^ (1 << i), 'bexti': lambda a, i: (a >> i) & 1,
}
R1 = {
    'clz': lambda a: clz(a, 64), 'clzw': lambda a: clz(a & 0xffffffff, 32),
    'ctz': lambda a: ctz(a, 64), 'ctzw': lambda a: ctz(a & 0xffffffff, 32),
    'cpop': lambda a: bin(a).count('1'), 'cpopw': lambda a: bin(a & 0xffffffff).count('1'),
    'sext.b': lambda a: (a & 0xff) - (0x100 if a & 0x80 else 0),
    'sext.h': lambda a: (a & 0xffff) - (0x10000 if a & 0x8000 else 0),
    'zext.h': lambda a: a & 0xffff, 'orc.b': orcb, 'rev8': rev8,
}
V = [0, 1, 0xffffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff,
     0x0123456789abcdef, 0xfedcba9876543210, 0x00000000ffffffff, 0xffffffff80000000,
     0x0000000080000000, 0x00ff000000000f00]
PAIRS = [(V[5], V[6]), (V[2], 1), (V[8], 3), (V[3], V[4]), (V[1], V[2]), (V[7], 0x21),
         (0, 0x5555), (V[9], 0x3f), (0xa5, 0x10f)]
GROUPS = {
    'zba': (['sh1add', 'sh2add', 'sh3add', 'add.uw', 'sh1add.uw', 'sh2add.uw', 'sh3add.uw'],
            ['slli.uw'], []),
    'zbb': (['andn', 'orn', 'xnor', 'max', 'min', 'maxu', 'minu', 'rol', 'ror', 'rolw', 'rorw'],
            ['rori', 'roriw'],
            ['clz', 'clzw', 'ctz', 'ctzw', 'cpop', 'cpopw', 'sext.b', 'sext.h', 'zext.h',
             'orc.b', 'rev8']),
    'zbc': (['clmul', 'clmulh', 'clmulr'], [], []),
    'zbs': (['bclr', 'bset', 'binv', 'bext'], ['bclri', 'bseti', 'binvi', 'bexti'], []),
}
IMMS = {'slli.uw': [0, 1, 31, 32, 63], 'rori': [0, 1, 32, 63], 'roriw': [0, 1, 16, 31]}
rr, ri, r1 = GROUPS[sys.argv[1]]
n = 1
pairs = PAIRS if sys.argv[1] != 'zbc' else PAIRS + [(V[2], V[2]), (V[3], V[3]), (V[5], V[5])]
for op in rr:
    for a, b in pairs:
        print("    T_RR(%d, %s, 0x%x, 0x%x, 0x%x)" % (n, op, RR[op](a, b) & M, a, b)); n += 1
for op in ri:
    for i in IMMS.get(op, [0, 5, 31, 32, 63]):
        for a in (V[5], V[2], V[8]):
            print("    T_RI(%d, %s, 0x%x, 0x%x, %d)" % (n, op, RI[op](a, i) & M, a, i)); n += 1
for op in r1:
    for a in V:
        # QEMU 7.2 counts into the upper word for ctzw: see zbb-ctzw.S.
        if op == 'ctzw' and a & 0xffffffff == 0 and a >> 32:
            continue
        print("    T_R(%d, %s, 0x%x, 0x%x)" % (n, op, R1[op](a) & M, a)); n += 1
print("NEXT", n, file=sys.stderr)
