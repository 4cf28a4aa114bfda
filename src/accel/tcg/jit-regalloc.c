/*
 * accel/tcg/jit-regalloc.c — the JIT's code-generation driver and
 * register allocator (host-independent; the host half is x86_64.c).
 *
 * One forward pass over the optimized op list, after one backward
 * liveness pass, in the style of QEMU's local allocator:
 *
 *   - Liveness (backward) marks, per op, the arguments whose values die
 *     there. ebb temps die at labels; tb temps count as live at every
 *     basic-block end (they are stored there, so a later block can read
 *     them from memory); nothing lives past exit_tb/goto_ptr. Globals and
 *     constants are not tracked: globals are guest state, always wanted.
 *
 *   - Every temp is DEAD, in a REG, in MEM (its home) or a known CONST;
 *     `coherent` says whether the home holds the value. Homes: globals at
 *     their env offset; ebb/tb temps in 8-byte stack slots, taken when
 *     first needed (ebb slots are reused once the temp dies).
 *
 *   - Per op, the descriptor's constraints are met input by input (most
 *     constrained first), dead inputs are released, outputs and scratch
 *     registers are chosen, and the emitter runs. When no register is
 *     free, one is evicted: moved to a free register if there is one,
 *     else stored to its home.
 *
 *   - Sync points, where memory must hold guest state because code
 *     outside this TB may look at it: before an op that may fault (its
 *     slow path may raise and unwind), before helper calls according to
 *     their TCG_CALL_* flags (READS/WRITES_GLOBALS, MAY_RAISE), at basic-
 *     block ends (labels, branches, goto_tb) and TB exits, where tb temps
 *     are stored too. A call that may write globals also drops their
 *     register copies. ld/st ops that touch a global's bytes in env sync
 *     (and for st, drop) that global first.
 *
 *   - Labels reset the state: after one, every global and tb temp is in
 *     memory and every ebb temp is dead, so any predecessor may jump
 *     there.
 *
 * The host backend supplies the moves, loads, stores and emitters
 * (jit-internal.h); calls are laid out here by the System V rules the
 * backend's argument-register table encodes.
 */
#include "accel/tcg/jit-internal.h"
#include "util/error.h"
#include "util/log.h"

/* --- temps, registers, slots --- */

static inline JitTemp *jt(JitContext *s, uint64_t idx)
{
    return &s->temps[idx];
}

static inline JitRegSet bit(int r)
{
    return (JitRegSet)(1u << r);
}

bool jit_room(JitContext *s, size_t n)
{
    if (s->code.ptr + n > s->code.end) {
        s->overflow = true;
        return false;
    }
    return true;
}

static void temp_home(JitContext *s, JitTemp *t)
{
    if (t->has_home) {
        return;
    }
    for (unsigned i = 0; i < JIT_FRAME_SLOTS; i++) {
        if (!(s->slot_used[i / 64] & (1ull << (i % 64)))) {
            s->slot_used[i / 64] |= 1ull << (i % 64);
            t->has_home = true;
            t->mem_base = JIT_REG_SP;
            t->mem_off = 8 * i;
            return;
        }
    }
    /* Out of frame slots: finish with a dummy home, then give up. */
    s->too_big = true;
    t->has_home = true;
    t->mem_base = JIT_REG_SP;
    t->mem_off = 0;
}

static void slot_release(JitContext *s, JitTemp *t)
{
    if (t->kind == TEMP_EBB && t->has_home) {
        unsigned i = t->mem_off / 8;
        s->slot_used[i / 64] &= ~(1ull << (i % 64));
        t->has_home = false;
    }
}

static void set_reg(JitContext *s, uint32_t idx, int r)
{
    JitTemp *t = jt(s, idx);

    t->val = JIT_VAL_REG;
    t->reg = r;
    s->reg_to_temp[r] = idx;
}

static void unmap_reg(JitContext *s, JitTemp *t)
{
    if (t->val == JIT_VAL_REG) {
        s->reg_to_temp[t->reg] = 0;
        t->reg = -1;
    }
}

/* The value of @idx is no longer needed (ebb/tb temps only). */
static void temp_dead(JitContext *s, uint32_t idx)
{
    JitTemp *t = jt(s, idx);

    if (t->kind != TEMP_EBB && t->kind != TEMP_TB) {
        return;
    }
    unmap_reg(s, t);
    t->val = JIT_VAL_DEAD;
    t->coherent = false;
    slot_release(s, t);
}

/* Make the memory home hold the value. */
static void temp_sync(JitContext *s, uint32_t idx)
{
    JitTemp *t = jt(s, idx);

    if (t->kind == TEMP_CONST || t->coherent) {
        return;
    }
    /* A block end may store many values: check room for each, so even a
     * long run of stores never writes past the window (the TB is then
     * discarded with -ENOSPC). */
    if (!jit_room(s, 32)) {
        return;
    }
    switch (t->val) {
    case JIT_VAL_REG:
        temp_home(s, t);
        jit_tgt_st(s, t->type, t->reg, t->mem_base, t->mem_off);
        break;
    case JIT_VAL_CONST:
        temp_home(s, t);
        jit_tgt_sti(s, t->type, t->cval, t->mem_base, t->mem_off);
        break;
    default:
        return;
    }
    t->coherent = true;
}

/* Store the value if needed and leave the register (-> MEM/CONST). */
static void reg_spill(JitContext *s, int r)
{
    uint32_t idx = s->reg_to_temp[r];
    JitTemp *t;

    if (!idx) {
        return;
    }
    t = jt(s, idx);
    if (t->kind == TEMP_CONST) {
        unmap_reg(s, t);
        t->val = JIT_VAL_CONST;
        return;
    }
    temp_sync(s, idx);
    unmap_reg(s, t);
    t->val = JIT_VAL_MEM;
}

static int first_free(JitContext *s, JitRegSet mask)
{
    for (unsigned i = 0; i < jit_reg_alloc_order_len; i++) {
        int r = jit_reg_alloc_order[i];
        if ((mask & bit(r)) && !s->reg_to_temp[r]) {
            return r;
        }
    }
    return -1;
}

/* Vacate @r: move its temp to a free register outside @avoid, or spill. */
static void reg_evict(JitContext *s, int r, JitRegSet avoid)
{
    uint32_t idx = s->reg_to_temp[r];
    int to;

    if (!idx) {
        return;
    }
    to = first_free(s, JIT_ALL_REGS & ~avoid & ~s->locked & ~bit(r));
    if (to >= 0 && jt(s, idx)->kind != TEMP_CONST) {
        JitTemp *t = jt(s, idx);
        jit_tgt_mov(s, t->type, to, r);
        s->reg_to_temp[r] = 0;
        set_reg(s, idx, to);
        return;
    }
    reg_spill(s, r);
}

/* A register from @mask, free or freed, preferring @pref. */
static int alloc_reg(JitContext *s, JitRegSet mask, int pref)
{
    int r;

    if (pref >= 0 && (mask & bit(pref)) && !s->reg_to_temp[pref]) {
        return pref;
    }
    r = first_free(s, mask);
    if (r >= 0) {
        return r;
    }
    /* Evict: values already in memory (or constants) first. */
    for (unsigned i = 0; i < jit_reg_alloc_order_len; i++) {
        JitTemp *t;
        r = jit_reg_alloc_order[i];
        if (!(mask & bit(r))) {
            continue;
        }
        t = jt(s, s->reg_to_temp[r]);
        if (t->coherent || t->kind == TEMP_CONST) {
            reg_spill(s, r);
            return r;
        }
    }
    for (unsigned i = 0; i < jit_reg_alloc_order_len; i++) {
        r = jit_reg_alloc_order[i];
        if (mask & bit(r)) {
            reg_spill(s, r);
            return r;
        }
    }
    /* A constraint no register satisfies: a backend bug. */
    error_report("jit: no register for op %s (mask 0x%x, locked 0x%x)",
                 tcg_op_defs[s->s->ops[s->op_index].opc].name, mask,
                 s->locked);
    abort();
}

/* Put the value of @t into register @r without changing any mapping. */
static void copy_to_reg(JitContext *s, JitTemp *t, TCGType type, int r)
{
    switch (t->val) {
    case JIT_VAL_REG:
        if (t->reg != r) {
            jit_tgt_mov(s, type, r, t->reg);
        }
        break;
    case JIT_VAL_MEM:
        temp_home(s, t);
        jit_tgt_ld(s, type, r, t->mem_base, t->mem_off);
        break;
    case JIT_VAL_CONST:
        jit_tgt_movi(s, type, r, t->cval);
        break;
    default:
        break;  /* no value yet: undefined, any register content will do */
    }
}

/* Bring @idx into a register in @mask and map it there. */
static int temp_load(JitContext *s, uint32_t idx, JitRegSet mask)
{
    JitTemp *t = jt(s, idx);
    int r;

    if (t->val == JIT_VAL_REG) {
        if (mask & bit(t->reg)) {
            return t->reg;
        }
        r = alloc_reg(s, mask & ~s->locked, -1);
        jit_tgt_mov(s, t->type, r, t->reg);
        if (s->locked & bit(t->reg)) {
            return r;       /* the old register serves another operand */
        }
        unmap_reg(s, t);
        set_reg(s, idx, r);
        return r;
    }
    r = alloc_reg(s, mask & ~s->locked, -1);
    copy_to_reg(s, t, t->type, r);
    if (t->val == JIT_VAL_DEAD) {
        t->coherent = false;
    }
    set_reg(s, idx, r);
    return r;
}

/* --- sync points --- */

static void sync_globals(JitContext *s)
{
    for (unsigned i = 1; i <= s->s->nb_globals; i++) {
        temp_sync(s, i);
    }
}

/* Globals and tb temps to memory (they stay in registers). */
static void bb_save(JitContext *s)
{
    TCGContext *tc = s->s;

    sync_globals(s);
    for (unsigned i = tc->nb_globals + 1; i < tc->nb_temps; i++) {
        JitTemp *t = jt(s, i);
        if (t->kind == TEMP_TB && t->val != JIT_VAL_DEAD) {
            temp_sync(s, i);
        }
    }
}

/* The state at a label: everything in memory. */
static void bb_reset(JitContext *s)
{
    TCGContext *tc = s->s;

    memset(s->reg_to_temp, 0, sizeof(s->reg_to_temp));
    for (unsigned i = 1; i < tc->nb_temps; i++) {
        JitTemp *t = jt(s, i);
        t->reg = -1;
        switch (t->kind) {
        case TEMP_GLOBAL:
        case TEMP_TB:
            t->val = JIT_VAL_MEM;
            t->coherent = true;
            break;
        case TEMP_CONST:
            t->val = JIT_VAL_CONST;
            break;
        default:
            t->val = JIT_VAL_DEAD;
            t->coherent = false;
            slot_release(s, t);
            break;
        }
    }
}

/* Drop register copies of globals (a helper may have changed them). */
static void globals_to_mem(JitContext *s)
{
    for (unsigned i = 1; i <= s->s->nb_globals; i++) {
        JitTemp *t = jt(s, i);
        if (t->val == JIT_VAL_REG || t->val == JIT_VAL_CONST) {
            unmap_reg(s, t);
            t->val = JIT_VAL_MEM;
        }
    }
}

/* env bytes [off, off+size) overlap a global: sync it, drop it if @drop. */
static void env_access(JitContext *s, int32_t off, unsigned size, bool drop)
{
    for (unsigned i = 1; i <= s->s->nb_globals; i++) {
        JitTemp *t = jt(s, i);
        int32_t g = t->mem_off;
        unsigned gs = t->type == TCG_TYPE_I64 ? 8 : 4;

        if (off < g + (int32_t)gs && g < off + (int32_t)size) {
            temp_sync(s, i);
            if (drop) {
                unmap_reg(s, t);
                t->val = JIT_VAL_MEM;
            }
        }
    }
}

JitRegSet jit_live_regs(JitContext *s)
{
    JitRegSet live = 0;

    for (int r = 0; r < JIT_NB_REGS; r++) {
        if (s->reg_to_temp[r]) {
            live |= bit(r);
        }
    }
    return live;
}

/* --- labels --- */

void jit_label_ref(JitContext *s, uint32_t label)
{
    uint8_t *p = s->code.ptr - 4;

    if (s->label_off[label] >= 0) {
        x86_patch_rel32(&s->code, p, x86_rx(&s->code, s->code.start +
                                            s->label_off[label]));
        return;
    }
    if (s->nb_relocs == s->relocs_cap) {
        s->relocs_cap = s->relocs_cap ? 2 * s->relocs_cap : 64;
        s->relocs = xrealloc(s->relocs, s->relocs_cap * sizeof(JitReloc));
    }
    s->relocs[s->nb_relocs++] = (JitReloc) {
        .label = label, .at = p - s->code.start,
    };
}

static void label_bind(JitContext *s, uint32_t label)
{
    uint32_t here = s->code.ptr - s->code.start;

    s->label_off[label] = here;
    for (unsigned i = 0; i < s->nb_relocs; i++) {
        if (s->relocs[i].label == label) {
            x86_patch_rel32(&s->code, s->code.start + s->relocs[i].at,
                            x86_rx(&s->code, s->code.ptr));
            s->relocs[i] = s->relocs[--s->nb_relocs];
            i--;
        }
    }
}

JitSlowPath *jit_new_slow_path(JitContext *s)
{
    if (s->nb_slow == s->slow_cap) {
        s->slow_cap = s->slow_cap ? 2 * s->slow_cap : 32;
        s->slow = xrealloc(s->slow, s->slow_cap * sizeof(JitSlowPath));
    }
    memset(&s->slow[s->nb_slow], 0, sizeof(JitSlowPath));
    return &s->slow[s->nb_slow++];
}

/* --- liveness --- */

static void liveness(JitContext *s)
{
    TCGContext *tc = s->s;
    uint8_t *live = xzalloc(tc->nb_temps);

    for (int n = (int)tc->nb_ops - 1; n >= 0; n--) {
        const TCGOp *op = &tc->ops[n];
        unsigned nout = op->nout, nin = op->nin;
        uint16_t dead = 0;

        switch (op->opc) {
        case INDEX_op_exit_tb:
        case INDEX_op_goto_ptr:
            memset(live, 0, tc->nb_temps);
            break;
        case INDEX_op_set_label:
        case INDEX_op_br:
        case INDEX_op_brcond:
            for (unsigned i = tc->nb_globals + 1; i < tc->nb_temps; i++) {
                if (tc->temps[i].kind == TEMP_EBB) {
                    if (op->opc != INDEX_op_brcond) {
                        live[i] = 0;
                    }
                } else if (tc->temps[i].kind == TEMP_TB) {
                    live[i] = 1;
                }
            }
            break;
        default:
            break;
        }
        for (unsigned i = 0; i < nout; i++) {
            uint64_t idx = op->args[i];
            TCGTempKind k = tc->temps[idx].kind;
            if (k == TEMP_EBB || k == TEMP_TB) {
                if (!live[idx]) {
                    dead |= 1u << i;
                }
                live[idx] = 0;
            }
        }
        for (unsigned i = nout; i < nout + nin; i++) {
            uint64_t idx = op->args[i];
            TCGTempKind k = tc->temps[idx].kind;
            if ((k == TEMP_EBB || k == TEMP_TB) && !live[idx]) {
                dead |= 1u << i;
            }
        }
        for (unsigned i = nout; i < nout + nin; i++) {
            live[op->args[i]] = 1;
        }
        s->dead[n] = dead;
    }
    free(live);
}

/* --- one op by its descriptor --- */

static bool const_ok(const JitConstraint *ct, TCGType type, uint64_t v)
{
    if (ct->ct & JIT_CT_CONST_ANY) {
        return true;
    }
    if ((ct->ct & JIT_CT_CONST_S32) &&
        (type == TCG_TYPE_I32 || x86_fits_s32((int64_t)v))) {
        return true;
    }
    return (ct->ct & JIT_CT_CONST_ZERO) && v == 0;
}

static bool is_output_of(const TCGOp *op, uint64_t idx)
{
    for (unsigned i = 0; i < op->nout; i++) {
        if (op->args[i] == idx) {
            return true;
        }
    }
    return false;
}

static void alloc_op(JitContext *s, const TCGOp *op, const JitOpInfo *info,
                     bool bb_end)
{
    const JitOpDef *def = info->def;
    JitArg args[TCG_MAX_OP_ARGS];
    int scratch[4] = { -1, -1, -1, -1 };
    unsigned nout = op->nout, nin = op->nin;
    uint16_t dead = s->dead[s->op_index];
    JitRegSet in_regs = 0, excl_regs = 0, out_regs = 0, avoid;

    memset(args, 0, sizeof(args));
    s->locked = 0;
    for (int r = 0; r < JIT_NB_REGS; r++) {
        if (def->clobbers & bit(r)) {
            reg_evict(s, r, def->clobbers);
        }
    }

    /* Inputs. */
    for (unsigned k = 0; k < nin; k++) {
        unsigned i = info->order[k];
        uint64_t idx = op->args[i];
        JitTemp *t = jt(s, idx);
        const JitConstraint *ct = &info->ct[i];
        int r;

        if (t->val == JIT_VAL_CONST && const_ok(ct, t->type, t->cval)) {
            args[i] = (JitArg) { .reg = -1, .is_const = true,
                                 .val = t->cval };
            continue;
        }
        if (ct->alias >= 0 || ct->consumed) {
            JitRegSet mask = ct->regs;
            bool in_place = false;

            if (ct->alias >= 0) {
                mask &= info->ct[ct->alias].regs;
            }
            if (t->val == JIT_VAL_REG && (mask & bit(t->reg)) &&
                !(s->locked & bit(t->reg))) {
                in_place = ((dead & (1u << i)) &&
                            (t->kind == TEMP_EBB || t->kind == TEMP_TB)) ||
                           (ct->alias >= 0 && op->args[ct->alias] == idx);
            }
            if (in_place) {
                r = t->reg;
            } else {
                r = alloc_reg(s, mask & ~s->locked, -1);
                copy_to_reg(s, t, t->type, r);
            }
            excl_regs |= bit(r);
        } else {
            JitRegSet mask = ct->regs;
            if (t->val == JIT_VAL_REG && (mask & bit(t->reg))) {
                r = t->reg;
            } else {
                r = temp_load(s, idx, mask);
            }
        }
        s->locked |= bit(r);
        in_regs |= bit(r);
        args[i] = (JitArg) { .reg = r };
    }

    /* Inputs that die here, or are overwritten by an output, let go of
     * their registers (the emitter still reads them). */
    for (unsigned i = nout; i < nout + nin; i++) {
        uint64_t idx = op->args[i];
        JitTemp *t = jt(s, idx);

        if (dead & (1u << i)) {
            temp_dead(s, idx);
        } else if (is_output_of(op, idx) && t->kind != TEMP_CONST) {
            unmap_reg(s, t);
            t->val = JIT_VAL_DEAD;
        }
    }
    for (unsigned i = 0; i < nout; i++) {
        JitTemp *t = jt(s, op->args[i]);
        if (t->val == JIT_VAL_REG && !(in_regs & bit(t->reg))) {
            /* The old value is overwritten; keep the register in mind. */
            args[i].reg = t->reg;
            unmap_reg(s, t);
            t->val = JIT_VAL_DEAD;
        } else {
            args[i].reg = -1;
        }
    }

    if (bb_end) {
        bb_save(s);
    }

    /* Outputs. */
    avoid = excl_regs | def->clobbers;
    for (int r = 0; r < JIT_NB_REGS; r++) {
        if ((in_regs & bit(r)) && s->reg_to_temp[r]) {
            avoid |= bit(r);    /* a live input */
        }
    }
    for (unsigned i = 0; i < nout; i++) {
        const JitConstraint *ct = &info->ct[i];
        int r = -1, pref = args[i].reg;

        for (unsigned k = nout; k < nout + nin; k++) {
            if (info->ct[k].alias == (int)i) {
                r = args[k].reg;
                break;
            }
        }
        if (r < 0) {
            JitRegSet mask = ct->regs & ~(avoid | out_regs);
            if (ct->newreg) {
                mask &= ~in_regs;
            }
            if ((ct->regs & def->clobbers) == ct->regs) {
                mask = ct->regs & ~out_regs;   /* e.g. the quotient in rax */
            }
            s->locked |= out_regs;
            r = alloc_reg(s, mask, pref);
        }
        out_regs |= bit(r);
        args[i] = (JitArg) { .reg = r };
    }
    s->locked |= out_regs;
    for (unsigned k = 0; k < def->nscratch; k++) {
        int r = alloc_reg(s, JIT_ALL_REGS & ~(in_regs | out_regs |
                                             def->clobbers | s->locked), -1);
        scratch[k] = r;
        s->locked |= bit(r);
    }

    def->emit(s, op, args, scratch);

    for (unsigned i = 0; i < nout; i++) {
        uint64_t idx = op->args[i];
        JitTemp *t = jt(s, idx);

        unmap_reg(s, t);
        set_reg(s, idx, args[i].reg);
        t->coherent = false;
        if (dead & (1u << i)) {
            temp_dead(s, idx);
        }
    }
    s->locked = 0;
}

/* --- moves --- */

static void alloc_mov(JitContext *s, const TCGOp *op)
{
    uint64_t di = op->args[0], si = op->args[1];
    JitTemp *d = jt(s, di), *src = jt(s, si);
    uint16_t dead = s->dead[s->op_index];

    s->locked = 0;
    if (di == si) {
        return;
    }
    if (src->val == JIT_VAL_CONST) {
        unmap_reg(s, d);
        d->val = JIT_VAL_CONST;
        d->cval = src->cval;
    } else {
        if (src->val != JIT_VAL_REG) {
            temp_load(s, si, JIT_ALL_REGS);
        }
        if ((dead & 2) && (src->kind == TEMP_EBB || src->kind == TEMP_TB)) {
            /* The source dies: its register becomes the destination's. */
            int r = src->reg;
            temp_dead(s, si);
            unmap_reg(s, d);
            set_reg(s, di, r);
        } else {
            int pref = d->val == JIT_VAL_REG ? d->reg : -1, r;
            unmap_reg(s, d);
            d->val = JIT_VAL_DEAD;
            s->locked = bit(src->reg);
            r = alloc_reg(s, JIT_ALL_REGS & ~s->locked, pref);
            jit_tgt_mov(s, d->type, r, src->reg);
            set_reg(s, di, r);
        }
    }
    d->coherent = false;
    if (dead & 1) {
        temp_dead(s, di);
    }
    if (dead & 2) {
        temp_dead(s, si);
    }
    s->locked = 0;
}

/* --- calls --- */

enum { CARG_TEMP, CARG_ENV, CARG_IMM, CARG_RA };

typedef struct JitCallArg {
    uint8_t kind;
    bool i32;           /* a 32-bit argument: passed zero-extended */
    uint64_t v;         /* temp index or immediate */
} JitCallArg;

/* Load the arguments into the System V argument registers. */
static void call_args(JitContext *s, const JitCallArg *a, unsigned n)
{
    s->locked = 0;
    for (unsigned i = 0; i < n; i++) {
        int r = jit_call_arg_regs[i];
        uint32_t occ = s->reg_to_temp[r];

        if (occ && !(a[i].kind == CARG_TEMP && occ == a[i].v)) {
            /* Move the occupant where the call cannot clobber it. */
            reg_evict(s, r, jit_call_clobbered);
        }
        switch (a[i].kind) {
        case CARG_TEMP: {
            JitTemp *t = jt(s, a[i].v);
            TCGType type = a[i].i32 ? TCG_TYPE_I32 : TCG_TYPE_I64;
            if (t->val == JIT_VAL_REG && t->reg == r) {
                if (a[i].i32) {
                    jit_tgt_mov(s, TCG_TYPE_I32, r, r);     /* zero-extend */
                }
            } else {
                copy_to_reg(s, t, type, r);
            }
            break;
        }
        case CARG_ENV:
            jit_tgt_mov(s, TCG_TYPE_I64, r, JIT_REG_ENV);
            break;
        case CARG_IMM:
            jit_tgt_movi(s, TCG_TYPE_I64, r, a[i].v);
            break;
        case CARG_RA:
            jit_tgt_lea_here(s, r);
            break;
        }
        s->locked |= bit(r);
    }
}

/* Arguments are placed and dead inputs released: clear the clobbered
 * registers, call, and take the result. */
static void call_finish(JitContext *s, unsigned flags, const void *func,
                        uint64_t out_idx, bool out_dead)
{
    for (int r = 0; r < JIT_NB_REGS; r++) {
        if ((jit_call_clobbered & bit(r)) && s->reg_to_temp[r]) {
            reg_evict(s, r, jit_call_clobbered);
        }
    }
    if (flags & TCG_CALL_WRITES_GLOBALS) {
        globals_to_mem(s);
    }
    jit_tgt_call(s, func);
    s->locked = 0;
    if (out_idx) {
        JitTemp *t = jt(s, out_idx);
        unmap_reg(s, t);
        set_reg(s, out_idx, JIT_REG_RET);
        t->coherent = false;
        if (out_dead) {
            temp_dead(s, out_idx);
        }
    }
}

static void release_dead_inputs(JitContext *s, const TCGOp *op)
{
    uint16_t dead = s->dead[s->op_index];

    for (unsigned i = op->nout; i < op->nout + op->nin; i++) {
        if (dead & (1u << i)) {
            temp_dead(s, op->args[i]);
        }
    }
}

static void alloc_call(JitContext *s, const TCGOp *op)
{
    const TCGHelperInfo *info =
        (const TCGHelperInfo *)(uintptr_t)op->args[op->nout + op->nin];
    JitCallArg a[TCG_HELPER_MAX_ARGS];
    unsigned in = op->nout;

    for (unsigned k = 0; k < info->nargs; k++) {
        if (info->args[k] == TCG_HARG_ENV) {
            a[k] = (JitCallArg) { .kind = CARG_ENV };
        } else {
            a[k] = (JitCallArg) { .kind = CARG_TEMP,
                                  .i32 = info->args[k] == TCG_HARG_I32,
                                  .v = op->args[in++] };
        }
    }
    if (info->flags & (TCG_CALL_READS_GLOBALS | TCG_CALL_WRITES_GLOBALS |
                       TCG_CALL_MAY_RAISE)) {
        sync_globals(s);
    }
    call_args(s, a, info->nargs);
    release_dead_inputs(s, op);
    call_finish(s, info->flags, info->func, op->nout ? op->args[0] : 0,
                s->dead[s->op_index] & 1);
}

static void alloc_atomic(JitContext *s, const TCGOp *op)
{
    const uint64_t *c = &op->args[op->nout + op->nin];
    bool i32 = op->type == TCG_TYPE_I32;
    JitCallArg a[6];
    unsigned n = 0;
    const void *func;

    a[n++] = (JitCallArg) { .kind = CARG_ENV };
    a[n++] = (JitCallArg) { .kind = CARG_TEMP, .v = op->args[1] };
    a[n++] = (JitCallArg) { .kind = CARG_TEMP, .i32 = i32, .v = op->args[2] };
    if (op->opc == INDEX_op_atomic_cmpxchg) {
        a[n++] = (JitCallArg) { .kind = CARG_TEMP, .i32 = i32,
                                .v = op->args[3] };
        a[n++] = (JitCallArg) { .kind = CARG_IMM, .v = c[0] | c[1] << 8 };
        func = (const void *)jit_atomic_cmpxchg;
    } else {
        a[n++] = (JitCallArg) { .kind = CARG_IMM,
                                .v = c[1] | c[2] << 8 | c[0] << 16 };
        func = (const void *)jit_atomic_rmw;
    }
    a[n++] = (JitCallArg) { .kind = CARG_RA };
    sync_globals(s);
    call_args(s, a, n);
    release_dead_inputs(s, op);
    call_finish(s, 0, func, op->args[0], s->dead[s->op_index] & 1);
}

/* --- the driver --- */

/* Most code one TB may take (the translator's limits keep TBs far
 * smaller; this bounds the write window). */
#define JIT_MAX_TB_CODE (4 * MiB)
/* Room every op may use before the next check. */
#define JIT_OP_ROOM 1024

static void gen_op(JitContext *s, const TCGOp *op)
{
    const JitOpInfo *info = &s->js->ops[op->opc];
    const uint64_t *c = &op->args[op->nout + op->nin];

    switch (op->opc) {
    case INDEX_op_nop:
        return;
    case INDEX_op_insn_start:
        s->starts[s->nb_starts++] = (TBInsnStart) {
            .pos = s->code.ptr - s->code.start,
            .data = { op->args[0], op->args[1] },
        };
        return;
    case INDEX_op_set_label:
        if (!s->unreachable) {
            bb_save(s);
        }
        label_bind(s, c[0]);
        bb_reset(s);
        s->unreachable = false;
        return;
    case INDEX_op_br:
        bb_save(s);
        jit_tgt_jump_label(s, -1, c[0]);
        bb_reset(s);
        s->unreachable = true;
        return;
    case INDEX_op_brcond:
        alloc_op(s, op, info, true);
        return;
    case INDEX_op_goto_tb:
        bb_save(s);
        jit_tgt_goto_tb(s, c[0]);
        return;
    case INDEX_op_exit_tb:
        bb_save(s);
        jit_tgt_exit_tb(s, (uintptr_t)s->tb | c[0]);
        bb_reset(s);
        s->unreachable = true;
        return;
    case INDEX_op_goto_ptr:
        bb_save(s);
        jit_tgt_goto_ptr(s);
        bb_reset(s);
        s->unreachable = true;
        return;
    case INDEX_op_mov:
        alloc_mov(s, op);
        return;
    case INDEX_op_call:
        alloc_call(s, op);
        return;
    case INDEX_op_atomic_cmpxchg:
    case INDEX_op_atomic_rmw:
        alloc_atomic(s, op);
        return;
    case INDEX_op_mb:
        jit_tgt_mb(s, c[0]);
        return;
    case INDEX_op_qemu_ld:
    case INDEX_op_qemu_st:
        sync_globals(s);
        break;
    case INDEX_op_ld:
        env_access(s, c[0], memop_size(c[1]), false);
        break;
    case INDEX_op_st:
        env_access(s, c[0], memop_size(c[1]), true);
        break;
    default:
        break;
    }
    if (!info->def) {
        error_report("jit: no host code for op %s", tcg_op_defs[op->opc].name);
        abort();
    }
    alloc_op(s, op, info, false);
}

int jit_gen_code(TCGAccel *accel, TCGContext *tc, TranslationBlock *tb)
{
    JitState *js = accel->backend_state;
    JitContext ctx = { 0 }, *s = &ctx;
    unsigned nb_insns = 0;
    size_t avail;
    uint8_t *buf = tb_region_tail(accel, &avail);
    JitTB *jtb;
    TBInsnStart *starts;
    uint32_t size;
    int ret = 0;

    s->s = tc;
    s->accel = accel;
    s->js = js;
    s->tb = tb;
    s->check_stores = js->check != NULL;
    s->code.start = s->code.ptr = buf;
    s->code.end = buf + MIN(avail, (size_t)JIT_MAX_TB_CODE);
    s->code.rx_delta = js->rx_delta;

    for (unsigned n = 0; n < tc->nb_ops; n++) {
        nb_insns += tc->ops[n].opc == INDEX_op_insn_start;
    }
    s->starts = XNEW_ARRAY(TBInsnStart, MAX(nb_insns, 1u));
    s->temps = XNEW_ARRAY(JitTemp, tc->nb_temps);
    for (unsigned i = 1; i < tc->nb_temps; i++) {
        const TCGTemp *t = &tc->temps[i];
        JitTemp *j = &s->temps[i];

        j->kind = t->kind;
        j->type = t->type;
        j->reg = -1;
        if (t->kind == TEMP_GLOBAL) {
            j->has_home = true;
            j->mem_base = JIT_REG_ENV;
            j->mem_off = t->env_offset;
        } else if (t->kind == TEMP_CONST) {
            j->cval = t->val;
        }
    }
    bb_reset(s);
    s->dead = XNEW_ARRAY(uint16_t, MAX(tc->nb_ops, 1u));
    s->label_off = XNEW_ARRAY(int32_t, MAX(tc->nb_labels, 1u));
    for (unsigned l = 0; l < tc->nb_labels; l++) {
        s->label_off[l] = -1;
    }
    liveness(s);

    /* The window ends JIT_OP_ROOM early: one op's code (bar the sync
     * stores, which check for themselves) fits in what the check leaves. */
    s->code.end -= MIN((size_t)(s->code.end - s->code.start),
                       (size_t)JIT_OP_ROOM);
    for (unsigned n = 0; n < tc->nb_ops && !s->overflow; n++) {
        if (!jit_room(s, JIT_OP_ROOM)) {
            break;
        }
        s->op_index = n;
        gen_op(s, &tc->ops[n]);
    }
    if (!s->overflow) {
        jit_tgt_emit_slow_paths(s);
    }
    if (s->too_big) {
        ret = -E2BIG;
        goto out;
    }
    if (s->overflow) {
        ret = -ENOSPC;
        goto out;
    }
    if (s->nb_relocs) {
        error_report("jit: branch to a label that was never set");
        abort();
    }
    size = s->code.ptr - s->code.start;
    if (tb_region_alloc(accel, size) != buf) {
        abort();    /* the tail moved under us: impossible on one thread */
    }
    jtb = tb_region_alloc(accel, sizeof(*jtb));
    starts = tb_region_alloc(accel, MAX(nb_insns, 1u) * sizeof(*starts));
    if (!jtb || !starts) {
        ret = -ENOSPC;
        goto out;
    }
    memcpy(starts, s->starts, s->nb_starts * sizeof(*starts));
    *jtb = (JitTB) {
        .code_rw = buf,
        .code_rx = x86_rx(&s->code, buf),
        .code_size = size,
        .jmp_off = { s->jmp_off[0], s->jmp_off[1] },
    };
    tb->code = jtb;
    tb->insn_starts = starts;
    tb->nb_insn_starts = s->nb_starts;
    jit_tb_done(s, jtb);
out:
    free(s->starts);
    free(s->temps);
    free(s->dead);
    free(s->label_off);
    free(s->relocs);
    free(s->slow);
    return ret;
}
