/*
 * accel/tcg/tcg-op.c — emitters that take constant arguments or expand
 * into several ops (see accel/tcg/tcg-op.h).
 */
#include "accel/tcg/tcg-op.h"

static void emit_cond(TCGContext *s, TCGOpcode opc, TCGType type,
                      uint32_t ret, uint32_t a, uint32_t b, TCGCond cond)
{
    uint64_t args[4] = { ret, a, b, cond };
    tcg_emit_op(s, opc, type, args, 4);
}

void tcg_gen_setcond_i64(TCGContext *s, TCGCond cond, TCGv_i64 ret,
                         TCGv_i64 a, TCGv_i64 b)
{
    emit_cond(s, INDEX_op_setcond, TCG_TYPE_I64, ret.idx, a.idx, b.idx,
              cond);
}

void tcg_gen_setcond_i32(TCGContext *s, TCGCond cond, TCGv_i32 ret,
                         TCGv_i32 a, TCGv_i32 b)
{
    emit_cond(s, INDEX_op_setcond, TCG_TYPE_I32, ret.idx, a.idx, b.idx,
              cond);
}

void tcg_gen_setcondi_i64(TCGContext *s, TCGCond cond, TCGv_i64 ret,
                          TCGv_i64 a, int64_t imm)
{
    tcg_gen_setcond_i64(s, cond, ret, a, tcg_constant_i64(s, imm));
}

static void emit_movcond(TCGContext *s, TCGType type, TCGCond cond,
                         uint32_t ret, uint32_t c1, uint32_t c2, uint32_t v1,
                         uint32_t v2)
{
    uint64_t args[6] = { ret, c1, c2, v1, v2, cond };
    tcg_emit_op(s, INDEX_op_movcond, type, args, 6);
}

void tcg_gen_movcond_i64(TCGContext *s, TCGCond cond, TCGv_i64 ret,
                         TCGv_i64 c1, TCGv_i64 c2, TCGv_i64 v1, TCGv_i64 v2)
{
    emit_movcond(s, TCG_TYPE_I64, cond, ret.idx, c1.idx, c2.idx, v1.idx,
                 v2.idx);
}

void tcg_gen_movcond_i32(TCGContext *s, TCGCond cond, TCGv_i32 ret,
                         TCGv_i32 c1, TCGv_i32 c2, TCGv_i32 v1, TCGv_i32 v2)
{
    emit_movcond(s, TCG_TYPE_I32, cond, ret.idx, c1.idx, c2.idx, v1.idx,
                 v2.idx);
}

static void emit_brcond(TCGContext *s, TCGType type, TCGCond cond,
                        uint32_t a, uint32_t b, TCGLabel l)
{
    uint64_t args[4] = { a, b, cond, l.id };

    if (cond == TCG_COND_ALWAYS) {
        tcg_gen_br(s, l);
    } else if (cond != TCG_COND_NEVER) {
        tcg_emit_op(s, INDEX_op_brcond, type, args, 4);
    }
}

void tcg_gen_brcond_i64(TCGContext *s, TCGCond cond, TCGv_i64 a,
                        TCGv_i64 b, TCGLabel l)
{
    emit_brcond(s, TCG_TYPE_I64, cond, a.idx, b.idx, l);
}

void tcg_gen_brcond_i32(TCGContext *s, TCGCond cond, TCGv_i32 a,
                        TCGv_i32 b, TCGLabel l)
{
    emit_brcond(s, TCG_TYPE_I32, cond, a.idx, b.idx, l);
}

void tcg_gen_brcondi_i64(TCGContext *s, TCGCond cond, TCGv_i64 a,
                         int64_t imm, TCGLabel l)
{
    tcg_gen_brcond_i64(s, cond, a, tcg_constant_i64(s, imm), l);
}

void tcg_gen_brcondi_i32(TCGContext *s, TCGCond cond, TCGv_i32 a,
                         int32_t imm, TCGLabel l)
{
    tcg_gen_brcond_i32(s, cond, a, tcg_constant_i32(s, imm), l);
}

void tcg_gen_set_label(TCGContext *s, TCGLabel l)
{
    uint64_t args[1] = { l.id };
    tcg_emit_op(s, INDEX_op_set_label, TCG_TYPE_I64, args, 1);
}

void tcg_gen_br(TCGContext *s, TCGLabel l)
{
    uint64_t args[1] = { l.id };
    tcg_emit_op(s, INDEX_op_br, TCG_TYPE_I64, args, 1);
}

/* --- bit fields --- */

void tcg_gen_extract_i64(TCGContext *s, TCGv_i64 ret, TCGv_i64 a,
                         unsigned ofs, unsigned len)
{
    if (ofs + len == 64) {
        tcg_gen_shri_i64(s, ret, a, ofs);
    } else if (ofs == 0 && len == 32) {
        tcg_gen_ext32u_i64(s, ret, a);
    } else if (ofs == 0 && len == 16) {
        tcg_gen_ext16u_i64(s, ret, a);
    } else if (ofs == 0 && len == 8) {
        tcg_gen_ext8u_i64(s, ret, a);
    } else {
        tcg_gen_shri_i64(s, ret, a, ofs);
        tcg_gen_andi_i64(s, ret, ret, (int64_t)((1ULL << len) - 1));
    }
}

void tcg_gen_sextract_i64(TCGContext *s, TCGv_i64 ret, TCGv_i64 a,
                          unsigned ofs, unsigned len)
{
    if (ofs == 0 && len == 32) {
        tcg_gen_ext32s_i64(s, ret, a);
    } else if (ofs + len == 64) {
        tcg_gen_sari_i64(s, ret, a, ofs);
    } else {
        tcg_gen_shli_i64(s, ret, a, 64 - ofs - len);
        tcg_gen_sari_i64(s, ret, ret, 64 - len);
    }
}

void tcg_gen_deposit_i64(TCGContext *s, TCGv_i64 ret, TCGv_i64 a,
                         TCGv_i64 b, unsigned ofs, unsigned len)
{
    uint64_t mask = len == 64 ? ~0ULL : ((1ULL << len) - 1) << ofs;
    TCGv_i64 t = tcg_temp_new_i64(s);

    tcg_gen_shli_i64(s, t, b, ofs);
    tcg_gen_andi_i64(s, t, t, (int64_t)mask);
    tcg_gen_andi_i64(s, ret, a, (int64_t)~mask);
    tcg_gen_or_i64(s, ret, ret, t);
}

/* --- CPU state fields --- */

static void emit_env(TCGContext *s, TCGOpcode opc, TCGType type,
                     uint32_t t, int32_t offset, MemOp memop)
{
    uint64_t args[3] = { t, (uint64_t)(uint32_t)offset, memop };
    tcg_emit_op(s, opc, type, args, 3);
}

void tcg_gen_ld_i64(TCGContext *s, TCGv_i64 ret, int32_t offset, MemOp memop)
{
    emit_env(s, INDEX_op_ld, TCG_TYPE_I64, ret.idx, offset, memop);
}

void tcg_gen_ld_i32(TCGContext *s, TCGv_i32 ret, int32_t offset, MemOp memop)
{
    emit_env(s, INDEX_op_ld, TCG_TYPE_I32, ret.idx, offset, memop);
}

void tcg_gen_st_i64(TCGContext *s, TCGv_i64 val, int32_t offset, MemOp memop)
{
    emit_env(s, INDEX_op_st, TCG_TYPE_I64, val.idx, offset, memop);
}

void tcg_gen_st_i32(TCGContext *s, TCGv_i32 val, int32_t offset, MemOp memop)
{
    emit_env(s, INDEX_op_st, TCG_TYPE_I32, val.idx, offset, memop);
}

/* --- guest memory --- */

static void emit_guest_mem(TCGContext *s, TCGOpcode opc, TCGType type,
                           uint32_t val, uint32_t addr, int mmu_idx,
                           MemOp memop)
{
    uint64_t args[4] = { val, addr, memop, (uint64_t)mmu_idx };
    tcg_emit_op(s, opc, type, args, 4);
}

void tcg_gen_qemu_ld_i64(TCGContext *s, TCGv_i64 ret, TCGv_i64 addr,
                         int mmu_idx, MemOp memop)
{
    emit_guest_mem(s, INDEX_op_qemu_ld, TCG_TYPE_I64, ret.idx, addr.idx,
                   mmu_idx, memop);
}

void tcg_gen_qemu_st_i64(TCGContext *s, TCGv_i64 val, TCGv_i64 addr,
                         int mmu_idx, MemOp memop)
{
    emit_guest_mem(s, INDEX_op_qemu_st, TCG_TYPE_I64, val.idx, addr.idx,
                   mmu_idx, memop);
}

void tcg_gen_qemu_ld_i32(TCGContext *s, TCGv_i32 ret, TCGv_i64 addr,
                         int mmu_idx, MemOp memop)
{
    emit_guest_mem(s, INDEX_op_qemu_ld, TCG_TYPE_I32, ret.idx, addr.idx,
                   mmu_idx, memop);
}

void tcg_gen_qemu_st_i32(TCGContext *s, TCGv_i32 val, TCGv_i64 addr,
                         int mmu_idx, MemOp memop)
{
    emit_guest_mem(s, INDEX_op_qemu_st, TCG_TYPE_I32, val.idx, addr.idx,
                   mmu_idx, memop);
}

void tcg_gen_atomic_cmpxchg_i64(TCGContext *s, TCGv_i64 ret, TCGv_i64 addr,
                                TCGv_i64 cmp, TCGv_i64 newv, int mmu_idx,
                                MemOp memop)
{
    uint64_t args[6] = { ret.idx, addr.idx, cmp.idx, newv.idx, memop,
                         (uint64_t)mmu_idx };
    tcg_emit_op(s, INDEX_op_atomic_cmpxchg, TCG_TYPE_I64, args, 6);
}

void tcg_gen_atomic_rmw_i64(TCGContext *s, TCGAtomicOp op, TCGv_i64 ret,
                            TCGv_i64 addr, TCGv_i64 val, int mmu_idx,
                            MemOp memop)
{
    uint64_t args[6] = { ret.idx, addr.idx, val.idx, op, memop,
                         (uint64_t)mmu_idx };
    tcg_emit_op(s, INDEX_op_atomic_rmw, TCG_TYPE_I64, args, 6);
}

void tcg_gen_mb(TCGContext *s, TCGBar bar)
{
    uint64_t args[1] = { bar };
    tcg_emit_op(s, INDEX_op_mb, TCG_TYPE_I64, args, 1);
}

/* --- TB structure --- */

void tcg_gen_insn_start(TCGContext *s, uint64_t pc, uint64_t extra)
{
    uint64_t args[2] = { pc, extra };
    tcg_emit_op(s, INDEX_op_insn_start, TCG_TYPE_I64, args, 2);
}

void tcg_gen_goto_tb(TCGContext *s, unsigned slot)
{
    uint64_t args[1] = { slot };
    tcg_emit_op(s, INDEX_op_goto_tb, TCG_TYPE_I64, args, 1);
}

void tcg_gen_exit_tb(TCGContext *s, TBExit code)
{
    uint64_t args[1] = { code };
    tcg_emit_op(s, INDEX_op_exit_tb, TCG_TYPE_I64, args, 1);
}

void tcg_gen_lookup_and_goto_ptr(TCGContext *s)
{
    tcg_emit_op(s, INDEX_op_goto_ptr, TCG_TYPE_I64, NULL, 0);
}
