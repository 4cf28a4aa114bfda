/*
 * accel/tcg/tcg-op.h — the functions frontends emit IR with.
 *
 * Names follow QEMU's tcg_gen_* so translator code reads the same, but
 * every function takes the TCGContext explicitly (there is no global
 * context). Register-register forms map to one op; *i forms take an
 * immediate and use an interned constant; a few conveniences (extract,
 * deposit, sextract) expand into several ops here, since the optimizer
 * folds what becomes constant.
 */
#ifndef ACCEL_TCG_TCG_OP_H
#define ACCEL_TCG_TCG_OP_H

#include "accel/tcg/tcg.h"

static inline void tcg_emit_t1(TCGContext *s, TCGOpcode opc, TCGType type,
                               uint32_t a0, uint32_t a1)
{
    uint64_t args[2] = { a0, a1 };
    tcg_emit_op(s, opc, type, args, 2);
}

static inline void tcg_emit_t2(TCGContext *s, TCGOpcode opc, TCGType type,
                               uint32_t a0, uint32_t a1, uint32_t a2)
{
    uint64_t args[3] = { a0, a1, a2 };
    tcg_emit_op(s, opc, type, args, 3);
}

/* Binary ops, both widths: tcg_gen_add_i64(s, ret, a, b) ... */
#define TCG_GEN_BINARY(op)                                                  \
    static inline void tcg_gen_##op##_i64(TCGContext *s, TCGv_i64 ret,      \
                                          TCGv_i64 a, TCGv_i64 b)           \
    {                                                                       \
        tcg_emit_t2(s, INDEX_op_##op, TCG_TYPE_I64, ret.idx, a.idx, b.idx); \
    }                                                                       \
    static inline void tcg_gen_##op##_i32(TCGContext *s, TCGv_i32 ret,      \
                                          TCGv_i32 a, TCGv_i32 b)           \
    {                                                                       \
        tcg_emit_t2(s, INDEX_op_##op, TCG_TYPE_I32, ret.idx, a.idx, b.idx); \
    }

/* Unary ops, both widths: tcg_gen_neg_i64(s, ret, a) ... */
#define TCG_GEN_UNARY(op)                                                   \
    static inline void tcg_gen_##op##_i64(TCGContext *s, TCGv_i64 ret,      \
                                          TCGv_i64 a)                       \
    {                                                                       \
        tcg_emit_t1(s, INDEX_op_##op, TCG_TYPE_I64, ret.idx, a.idx);        \
    }                                                                       \
    static inline void tcg_gen_##op##_i32(TCGContext *s, TCGv_i32 ret,      \
                                          TCGv_i32 a)                       \
    {                                                                       \
        tcg_emit_t1(s, INDEX_op_##op, TCG_TYPE_I32, ret.idx, a.idx);        \
    }

/* Immediate forms: tcg_gen_addi_i64(s, ret, a, imm) ... */
#define TCG_GEN_BINARY_IMM(op)                                              \
    static inline void tcg_gen_##op##i_i64(TCGContext *s, TCGv_i64 ret,     \
                                           TCGv_i64 a, int64_t imm)         \
    {                                                                       \
        tcg_gen_##op##_i64(s, ret, a, tcg_constant_i64(s, imm));            \
    }                                                                       \
    static inline void tcg_gen_##op##i_i32(TCGContext *s, TCGv_i32 ret,     \
                                           TCGv_i32 a, int32_t imm)         \
    {                                                                       \
        tcg_gen_##op##_i32(s, ret, a, tcg_constant_i32(s, imm));            \
    }

TCG_GEN_UNARY(mov)
TCG_GEN_BINARY(add)
TCG_GEN_BINARY(sub)
TCG_GEN_UNARY(neg)
TCG_GEN_BINARY(mul)
TCG_GEN_BINARY(mulsh)
TCG_GEN_BINARY(muluh)
TCG_GEN_BINARY(div)
TCG_GEN_BINARY(divu)
TCG_GEN_BINARY(rem)
TCG_GEN_BINARY(remu)
TCG_GEN_BINARY(and)
TCG_GEN_BINARY(or)
TCG_GEN_BINARY(xor)
TCG_GEN_UNARY(not)
TCG_GEN_BINARY(andc)
TCG_GEN_BINARY(orc)
TCG_GEN_BINARY(eqv)
TCG_GEN_BINARY(shl)
TCG_GEN_BINARY(shr)
TCG_GEN_BINARY(sar)
TCG_GEN_BINARY(rotl)
TCG_GEN_BINARY(rotr)
TCG_GEN_UNARY(clz)
TCG_GEN_UNARY(ctz)
TCG_GEN_UNARY(ctpop)
TCG_GEN_UNARY(bswap)
TCG_GEN_UNARY(ext8s)
TCG_GEN_UNARY(ext8u)
TCG_GEN_UNARY(ext16s)
TCG_GEN_UNARY(ext16u)

TCG_GEN_BINARY_IMM(add)
TCG_GEN_BINARY_IMM(sub)
TCG_GEN_BINARY_IMM(mul)
TCG_GEN_BINARY_IMM(and)
TCG_GEN_BINARY_IMM(or)
TCG_GEN_BINARY_IMM(xor)
TCG_GEN_BINARY_IMM(shl)
TCG_GEN_BINARY_IMM(shr)
TCG_GEN_BINARY_IMM(sar)
TCG_GEN_BINARY_IMM(rotl)
TCG_GEN_BINARY_IMM(rotr)

static inline void tcg_gen_movi_i64(TCGContext *s, TCGv_i64 ret, int64_t v)
{
    tcg_gen_mov_i64(s, ret, tcg_constant_i64(s, v));
}

static inline void tcg_gen_movi_i32(TCGContext *s, TCGv_i32 ret, int32_t v)
{
    tcg_gen_mov_i32(s, ret, tcg_constant_i32(s, v));
}

static inline void tcg_gen_ext32s_i64(TCGContext *s, TCGv_i64 ret,
                                      TCGv_i64 a)
{
    tcg_emit_t1(s, INDEX_op_ext32s, TCG_TYPE_I64, ret.idx, a.idx);
}

static inline void tcg_gen_ext32u_i64(TCGContext *s, TCGv_i64 ret,
                                      TCGv_i64 a)
{
    tcg_emit_t1(s, INDEX_op_ext32u, TCG_TYPE_I64, ret.idx, a.idx);
}

static inline void tcg_gen_extrl_i64_i32(TCGContext *s, TCGv_i32 ret,
                                         TCGv_i64 a)
{
    tcg_emit_t1(s, INDEX_op_extrl_i64_i32, TCG_TYPE_I32, ret.idx, a.idx);
}

static inline void tcg_gen_ext_i32_i64(TCGContext *s, TCGv_i64 ret,
                                       TCGv_i32 a)
{
    tcg_emit_t1(s, INDEX_op_ext_i32_i64, TCG_TYPE_I64, ret.idx, a.idx);
}

static inline void tcg_gen_extu_i32_i64(TCGContext *s, TCGv_i64 ret,
                                        TCGv_i32 a)
{
    tcg_emit_t1(s, INDEX_op_extu_i32_i64, TCG_TYPE_I64, ret.idx, a.idx);
}

/* --- comparisons and branches --- */

void tcg_gen_setcond_i64(TCGContext *s, TCGCond cond, TCGv_i64 ret,
                         TCGv_i64 a, TCGv_i64 b);
void tcg_gen_setcond_i32(TCGContext *s, TCGCond cond, TCGv_i32 ret,
                         TCGv_i32 a, TCGv_i32 b);
void tcg_gen_setcondi_i64(TCGContext *s, TCGCond cond, TCGv_i64 ret,
                          TCGv_i64 a, int64_t imm);
/* ret = (c1 cond c2) ? v1 : v2 */
void tcg_gen_movcond_i64(TCGContext *s, TCGCond cond, TCGv_i64 ret,
                         TCGv_i64 c1, TCGv_i64 c2, TCGv_i64 v1, TCGv_i64 v2);
void tcg_gen_movcond_i32(TCGContext *s, TCGCond cond, TCGv_i32 ret,
                         TCGv_i32 c1, TCGv_i32 c2, TCGv_i32 v1, TCGv_i32 v2);
void tcg_gen_brcond_i64(TCGContext *s, TCGCond cond, TCGv_i64 a,
                        TCGv_i64 b, TCGLabel l);
void tcg_gen_brcond_i32(TCGContext *s, TCGCond cond, TCGv_i32 a,
                        TCGv_i32 b, TCGLabel l);
void tcg_gen_brcondi_i64(TCGContext *s, TCGCond cond, TCGv_i64 a,
                         int64_t imm, TCGLabel l);
void tcg_gen_brcondi_i32(TCGContext *s, TCGCond cond, TCGv_i32 a,
                         int32_t imm, TCGLabel l);
void tcg_gen_set_label(TCGContext *s, TCGLabel l);
void tcg_gen_br(TCGContext *s, TCGLabel l);

/* --- bit fields (expanded into shifts and masks) --- */

/* ret = (a >> ofs) & ((1 << len) - 1) */
void tcg_gen_extract_i64(TCGContext *s, TCGv_i64 ret, TCGv_i64 a,
                         unsigned ofs, unsigned len);
/* Same, sign-extending the field. */
void tcg_gen_sextract_i64(TCGContext *s, TCGv_i64 ret, TCGv_i64 a,
                          unsigned ofs, unsigned len);
/* ret = a with bits [ofs, ofs+len) replaced by the low bits of b */
void tcg_gen_deposit_i64(TCGContext *s, TCGv_i64 ret, TCGv_i64 a,
                         TCGv_i64 b, unsigned ofs, unsigned len);

/* --- CPU state fields that are not globals --- */

/* ret = *(env + offset), of the size/sign in @memop. */
void tcg_gen_ld_i64(TCGContext *s, TCGv_i64 ret, int32_t offset,
                    MemOp memop);
void tcg_gen_ld_i32(TCGContext *s, TCGv_i32 ret, int32_t offset,
                    MemOp memop);
void tcg_gen_st_i64(TCGContext *s, TCGv_i64 val, int32_t offset,
                    MemOp memop);
void tcg_gen_st_i32(TCGContext *s, TCGv_i32 val, int32_t offset,
                    MemOp memop);

/* --- guest memory --- */

void tcg_gen_qemu_ld_i64(TCGContext *s, TCGv_i64 ret, TCGv_i64 addr,
                         int mmu_idx, MemOp memop);
void tcg_gen_qemu_st_i64(TCGContext *s, TCGv_i64 val, TCGv_i64 addr,
                         int mmu_idx, MemOp memop);
void tcg_gen_qemu_ld_i32(TCGContext *s, TCGv_i32 ret, TCGv_i64 addr,
                         int mmu_idx, MemOp memop);
void tcg_gen_qemu_st_i32(TCGContext *s, TCGv_i32 val, TCGv_i64 addr,
                         int mmu_idx, MemOp memop);
/* old = *addr; if (old == cmp) *addr = newv; ret = old (sign/size per memop) */
void tcg_gen_atomic_cmpxchg_i64(TCGContext *s, TCGv_i64 ret, TCGv_i64 addr,
                                TCGv_i64 cmp, TCGv_i64 newv, int mmu_idx,
                                MemOp memop);
/* old = *addr; *addr = old OP val; ret = old (sign/size per memop) */
void tcg_gen_atomic_rmw_i64(TCGContext *s, TCGAtomicOp op, TCGv_i64 ret,
                            TCGv_i64 addr, TCGv_i64 val, int mmu_idx,
                            MemOp memop);
void tcg_gen_mb(TCGContext *s, TCGBar bar);

/* --- TB structure --- */

void tcg_gen_insn_start(TCGContext *s, uint64_t pc, uint64_t extra);
/* Jump to the TB linked into @slot, or fall through if none is yet. */
void tcg_gen_goto_tb(TCGContext *s, unsigned slot);
void tcg_gen_exit_tb(TCGContext *s, TBExit code);
/* Continue at the TB for the CPU's current PC/flags, or exit. */
void tcg_gen_lookup_and_goto_ptr(TCGContext *s);

/* --- helper calls --- */

/*
 * Call @info with the given temps. The typed wrappers are written next
 * to the helper declarations, e.g.
 *   static inline void gen_helper_csrr(TCGContext *s, TCGv_i64 ret,
 *                                      TCGv_i32 csr)
 *   { tcg_gen_call1(s, &helper_info_csrr, ret.idx, csr.idx); }
 */
#define tcg_gen_call0(s, info, ret) tcg_gen_call(s, info, ret, NULL, 0)
#define tcg_gen_call1(s, info, ret, a1) \
    tcg_gen_call(s, info, ret, (const uint32_t[]){ a1 }, 1)
#define tcg_gen_call2(s, info, ret, a1, a2) \
    tcg_gen_call(s, info, ret, (const uint32_t[]){ a1, a2 }, 2)
#define tcg_gen_call3(s, info, ret, a1, a2, a3) \
    tcg_gen_call(s, info, ret, (const uint32_t[]){ a1, a2, a3 }, 3)
#define tcg_gen_call4(s, info, ret, a1, a2, a3, a4) \
    tcg_gen_call(s, info, ret, (const uint32_t[]){ a1, a2, a3, a4 }, 4)
#define tcg_gen_call5(s, info, ret, a1, a2, a3, a4, a5) \
    tcg_gen_call(s, info, ret, (const uint32_t[]){ a1, a2, a3, a4, a5 }, 5)

#endif /* ACCEL_TCG_TCG_OP_H */
