#!/usr/bin/env python3
# Usage: gen/m-ext.py mul|div  (prints T_RR lines for rv64m-mul.S / rv64m-div.S)
# Generates the case lines of rv64m-mul.S / rv64m-div.S from a reference
# model of the M extension written from the spec (§7.1, §7.2 table 7.1).
M=(1<<64)-1
def s(x): x&=M; return x-(1<<64) if x>>63 else x
def s32(x): x&=0xffffffff; return x-(1<<32) if x>>31 else x
def u32(x): return x&0xffffffff
def tdiv(a,b): q=abs(a)//abs(b); return q if (a<0)==(b<0) else -q
def trem(a,b): return a-b*tdiv(a,b)
def div(a,b):
    a,b=s(a),s(b)
    if b==0: return -1
    if a==-(1<<63) and b==-1: return a
    return tdiv(a,b)
def divu(a,b):
    a,b=a&M,b&M
    return M if b==0 else a//b
def rem(a,b):
    a,b=s(a),s(b)
    if b==0: return a
    if a==-(1<<63) and b==-1: return 0
    return trem(a,b)
def remu(a,b):
    a,b=a&M,b&M
    return a if b==0 else a%b
def divw(a,b):
    a,b=s32(a),s32(b)
    if b==0: return -1
    if a==-(1<<31) and b==-1: return a
    return s32(tdiv(a,b))
def divuw(a,b):
    a,b=u32(a),u32(b)
    return -1 if b==0 else s32(a//b)
def remw(a,b):
    a,b=s32(a),s32(b)
    if b==0: return a
    if a==-(1<<31) and b==-1: return 0
    return s32(trem(a,b))
def remuw(a,b):
    a,b=u32(a),u32(b)
    return s32(a) if b==0 else s32(a%b)
ops={
 'mul':lambda a,b:a*b,'mulh':lambda a,b:(s(a)*s(b))>>64,'mulhu':lambda a,b:((a&M)*(b&M))>>64,
 'mulhsu':lambda a,b:(s(a)*(b&M))>>64,'mulw':lambda a,b:s32(a*b),
 'div':div,'divu':divu,'rem':rem,'remu':remu,'divw':divw,'divuw':divuw,'remw':remw,'remuw':remuw}
import sys
mul_in=[(0,0),(3,7),(-1,-1),(0x8000000000000000,0x8000000000000000),(0x8000000000000000,-1),
 (0x7fffffffffffffff,0x7fffffffffffffff),(-1,1),(0x123456789abcdef0,0xfedcba9876543210),(-2,3),(3,-2),
 (0xffffffff,0xffffffff),(0x80000000,0x80000000),(0x7fffffff,2),(0x100000001,0x100000001)]
div_in=[(20,6),(-20,6),(20,-6),(-20,-6),(0,5),(5,0),(-5,0),(0,0),(0x8000000000000000,-1),
 (0x8000000000000000,1),(0x8000000000000000,2),(-1,2),(0xffffffff80000000,-1),(0x80000000,-1),
 (0x123456789abcdef0,0x1000),(0xfedcba9876543210,7),(0x100000014,6),(0xffffffff00000007,0x100000000)]
def gen(names,inputs):
    n=1; out=[]
    for op in names:
        for a,b in inputs:
            out.append("    T_RR(%d, %s, 0x%016x, 0x%x, 0x%x)"%(n,op,ops[op](a,b)&M,a&M,b&M)); n+=1
    return out,n
which=sys.argv[1]
if which=='mul':
    lines,n=gen(['mul','mulh','mulhu','mulhsu','mulw'],mul_in)
else:
    lines,n=gen(['div','divu','rem','remu','divw','divuw','remw','remuw'],div_in)
print("\n".join(lines))
print("NEXT",n,file=sys.stderr)
