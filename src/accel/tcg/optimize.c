/*
 * accel/tcg/optimize.c — the IR optimizer.
 *
 * Two passes over one TB's op list.
 *
 * Forward pass, op by op, in this order of rewrites:
 *   1. copy propagation: an input that is a known copy of another temp
 *      (or of a constant) is replaced by the original;
 *   2. constant folding: an op whose inputs are all constants becomes a
 *      mov of the result (the per-op fold_* functions below, sorted by
 *      name, do 2 and 3 for their op);
 *   3. algebraic simplification with one constant (x+0, x&-1, x*0, ...)
 *      or identical inputs (x^x, x-x), and branches/selects whose
 *      condition is known become br/nop/mov.
 * Knowledge is tracked per temp with version numbers: writing a temp
 * bumps its version, which invalidates every copy relation naming it in
 * O(1). All knowledge is dropped at labels (another path may join there)
 * and knowledge about globals is dropped at helper calls that may write
 * them.
 *
 * Backward pass: dead-code removal. An op without side effects whose
 * outputs are all dead temps is turned into a nop. Globals are guest
 * state in memory, so ops writing them are never removed. Liveness is
 * conservative at control flow: every tb temp is live at labels and
 * branches, and ebb temps die at labels by definition.
 *
 * Finally nops are squeezed out.
 */
#include "accel/tcg/tcg.h"
#include "accel/tcg/ir-semantics.h"

typedef struct TempInfo {
    uint32_t version;       /* bumped on every write */
    bool is_const;
    uint64_t val;
    uint32_t copy_of;       /* 0 = none */
    uint32_t copy_version;  /* version of copy_of when the copy was made */
} TempInfo;

typedef struct OptContext {
    TCGContext *s;
    TempInfo *info;
    TCGOp *op;
} OptContext;

typedef void (*FoldFn)(OptContext *ctx, TCGOp *op);

/* --- knowledge about temps --- */

static bool arg_is_const(OptContext *ctx, uint64_t idx)
{
    return ctx->s->temps[idx].kind == TEMP_CONST;
}

static uint64_t arg_const(OptContext *ctx, uint64_t idx)
{
    return ctx->s->temps[idx].val;
}

static void forget_temp(OptContext *ctx, uint64_t idx)
{
    TempInfo *ti = &ctx->info[idx];

    ti->version++;
    ti->is_const = false;
    ti->copy_of = 0;
}

static void forget_all(OptContext *ctx)
{
    for (unsigned i = 1; i < ctx->s->nb_temps; i++) {
        if (ctx->s->temps[i].kind != TEMP_CONST) {
            forget_temp(ctx, i);
        }
    }
}

static void forget_globals(OptContext *ctx)
{
    for (unsigned i = 1; i <= ctx->s->nb_globals; i++) {
        forget_temp(ctx, i);
    }
}

/* The temp @idx currently equals (following one valid copy link). */
static uint64_t canonical(OptContext *ctx, uint64_t idx)
{
    TempInfo *ti = &ctx->info[idx];

    if (ti->copy_of &&
        ctx->info[ti->copy_of].version == ti->copy_version) {
        return ti->copy_of;
    }
    return idx;
}

/* --- rewriting the current op --- */

static void make_nop(TCGOp *op)
{
    op->opc = INDEX_op_nop;
    op->nargs = op->nout = op->nin = 0;
}

static void make_mov(OptContext *ctx, TCGOp *op, uint64_t src)
{
    uint64_t dst = op->args[0];

    if (dst == src) {
        make_nop(op);       /* x = x */
        return;
    }
    op->opc = INDEX_op_mov;
    op->nout = op->nin = 1;
    op->nargs = 2;
    op->args[0] = dst;
    op->args[1] = src;
}

static void make_movi(OptContext *ctx, TCGOp *op, uint64_t val)
{
    make_mov(ctx, op, tcg_constant_idx(ctx->s, op->type,
                                       ir_canon(op->type, val)));
}

/* Commutative ops: put a constant input second, so the identities below
 * only need to look there. */
static void swap_const_second(OptContext *ctx, TCGOp *op, uint64_t *a,
                              uint64_t *b)
{
    if (arg_is_const(ctx, *a) && !arg_is_const(ctx, *b)) {
        op->args[1] = *b;
        op->args[2] = *a;
        *a = op->args[1];
        *b = op->args[2];
    }
}

/* --- per-op folding, alphabetical --- */

static void fold_add(OptContext *ctx, TCGOp *op)
{
    uint64_t a = op->args[1], b = op->args[2];

    if (arg_is_const(ctx, a) && arg_is_const(ctx, b)) {
        make_movi(ctx, op, arg_const(ctx, a) + arg_const(ctx, b));
    } else if (arg_is_const(ctx, b) && arg_const(ctx, b) == 0) {
        make_mov(ctx, op, a);
    } else if (arg_is_const(ctx, a) && arg_const(ctx, a) == 0) {
        make_mov(ctx, op, b);
    }
}

static void fold_and(OptContext *ctx, TCGOp *op)
{
    uint64_t a = op->args[1], b = op->args[2];
    uint64_t ones = ir_canon(op->type, ~0ULL);

    swap_const_second(ctx, op, &a, &b);
    if (arg_is_const(ctx, a) && arg_is_const(ctx, b)) {
        make_movi(ctx, op, arg_const(ctx, a) & arg_const(ctx, b));
    } else if (arg_is_const(ctx, b) && arg_const(ctx, b) == 0) {
        make_movi(ctx, op, 0);
    } else if ((arg_is_const(ctx, b) && arg_const(ctx, b) == ones) ||
               a == b) {
        make_mov(ctx, op, a);
    }
}

static void fold_andc(OptContext *ctx, TCGOp *op)
{
    uint64_t a = op->args[1], b = op->args[2];

    if (arg_is_const(ctx, a) && arg_is_const(ctx, b)) {
        make_movi(ctx, op, arg_const(ctx, a) & ~arg_const(ctx, b));
    } else if (a == b) {
        make_movi(ctx, op, 0);
    } else if (arg_is_const(ctx, b) && arg_const(ctx, b) == 0) {
        make_mov(ctx, op, a);
    }
}

/* A binary op folded only when both inputs are constant. */
static void fold_binary_const(OptContext *ctx, TCGOp *op,
                              uint64_t (*fn)(TCGType, uint64_t, uint64_t))
{
    uint64_t a = op->args[1], b = op->args[2];

    if (arg_is_const(ctx, a) && arg_is_const(ctx, b)) {
        make_movi(ctx, op, fn(op->type, arg_const(ctx, a),
                              arg_const(ctx, b)));
    }
}

static void fold_unary_const(OptContext *ctx, TCGOp *op,
                             uint64_t (*fn)(TCGType, uint64_t))
{
    if (arg_is_const(ctx, op->args[1])) {
        make_movi(ctx, op, fn(op->type, arg_const(ctx, op->args[1])));
    }
}

static void fold_brcond(OptContext *ctx, TCGOp *op)
{
    uint64_t a = op->args[0], b = op->args[1];
    TCGCond cond = op->args[2];
    uint64_t label = op->args[3];
    bool taken;

    if (arg_is_const(ctx, a) && arg_is_const(ctx, b)) {
        taken = ir_cond(op->type, cond, arg_const(ctx, a), arg_const(ctx, b));
    } else if (a == b) {
        taken = ir_cond(op->type, cond, 0, 0);
    } else {
        return;
    }
    if (taken) {
        op->opc = INDEX_op_br;
        op->nout = op->nin = 0;
        op->nargs = 1;
        op->args[0] = label;
    } else {
        make_nop(op);
    }
}

static void fold_bswap(OptContext *ctx, TCGOp *op)
{
    fold_unary_const(ctx, op, ir_bswap);
}

static void fold_clz(OptContext *ctx, TCGOp *op)
{
    fold_unary_const(ctx, op, ir_clz);
}

static void fold_ctpop(OptContext *ctx, TCGOp *op)
{
    fold_unary_const(ctx, op, ir_ctpop);
}

static void fold_ctz(OptContext *ctx, TCGOp *op)
{
    fold_unary_const(ctx, op, ir_ctz);
}

static void fold_div(OptContext *ctx, TCGOp *op)
{
    fold_binary_const(ctx, op, ir_div);
}

static void fold_divu(OptContext *ctx, TCGOp *op)
{
    fold_binary_const(ctx, op, ir_divu);
}

static uint64_t eqv_fn(TCGType t, uint64_t a, uint64_t b)
{
    return ~(a ^ b);
}

static void fold_eqv(OptContext *ctx, TCGOp *op)
{
    fold_binary_const(ctx, op, eqv_fn);
}

/* ext8s ... ext32u and the type conversions. */
static void fold_ext(OptContext *ctx, TCGOp *op)
{
    if (arg_is_const(ctx, op->args[1])) {
        make_movi(ctx, op, ir_ext(op->type, op->opc,
                                  arg_const(ctx, op->args[1])));
    }
}

static void fold_mov(OptContext *ctx, TCGOp *op)
{
    if (op->args[0] == op->args[1]) {
        make_nop(op);
    }
}

static void fold_movcond(OptContext *ctx, TCGOp *op)
{
    uint64_t c1 = op->args[1], c2 = op->args[2];
    TCGCond cond = op->args[5];

    if (op->args[3] == op->args[4]) {
        make_mov(ctx, op, op->args[3]);
    } else if (arg_is_const(ctx, c1) && arg_is_const(ctx, c2)) {
        bool t = ir_cond(op->type, cond, arg_const(ctx, c1),
                         arg_const(ctx, c2));
        make_mov(ctx, op, t ? op->args[3] : op->args[4]);
    }
}

static uint64_t mul_fn(TCGType t, uint64_t a, uint64_t b)
{
    return a * b;
}

static void fold_mul(OptContext *ctx, TCGOp *op)
{
    uint64_t b = op->args[2];

    if (arg_is_const(ctx, b) && !arg_is_const(ctx, op->args[1])) {
        if (arg_const(ctx, b) == 0) {
            make_movi(ctx, op, 0);
            return;
        }
        if (arg_const(ctx, b) == 1) {
            make_mov(ctx, op, op->args[1]);
            return;
        }
    }
    fold_binary_const(ctx, op, mul_fn);
}

static void fold_mulsh(OptContext *ctx, TCGOp *op)
{
    fold_binary_const(ctx, op, ir_mulsh);
}

static void fold_muluh(OptContext *ctx, TCGOp *op)
{
    fold_binary_const(ctx, op, ir_muluh);
}

static void fold_neg(OptContext *ctx, TCGOp *op)
{
    if (arg_is_const(ctx, op->args[1])) {
        make_movi(ctx, op, -arg_const(ctx, op->args[1]));
    }
}

static void fold_not(OptContext *ctx, TCGOp *op)
{
    if (arg_is_const(ctx, op->args[1])) {
        make_movi(ctx, op, ~arg_const(ctx, op->args[1]));
    }
}

static void fold_or(OptContext *ctx, TCGOp *op)
{
    uint64_t a = op->args[1], b = op->args[2];

    swap_const_second(ctx, op, &a, &b);
    if (arg_is_const(ctx, a) && arg_is_const(ctx, b)) {
        make_movi(ctx, op, arg_const(ctx, a) | arg_const(ctx, b));
    } else if ((arg_is_const(ctx, b) && arg_const(ctx, b) == 0) || a == b) {
        make_mov(ctx, op, a);
    }
}

static uint64_t orc_fn(TCGType t, uint64_t a, uint64_t b)
{
    return a | ~b;
}

static void fold_orc(OptContext *ctx, TCGOp *op)
{
    fold_binary_const(ctx, op, orc_fn);
}

static void fold_rem(OptContext *ctx, TCGOp *op)
{
    fold_binary_const(ctx, op, ir_rem);
}

static void fold_remu(OptContext *ctx, TCGOp *op)
{
    fold_binary_const(ctx, op, ir_remu);
}

static void fold_setcond(OptContext *ctx, TCGOp *op)
{
    uint64_t a = op->args[1], b = op->args[2];
    TCGCond cond = op->args[3];

    if (arg_is_const(ctx, a) && arg_is_const(ctx, b)) {
        make_movi(ctx, op, ir_cond(op->type, cond, arg_const(ctx, a),
                                   arg_const(ctx, b)));
    } else if (a == b) {
        make_movi(ctx, op, ir_cond(op->type, cond, 0, 0));
    }
}

/* Shifts and rotates: constant fold, and a zero count is a mov. */
static void fold_shift(OptContext *ctx, TCGOp *op,
                       uint64_t (*fn)(TCGType, uint64_t, uint64_t))
{
    uint64_t b = op->args[2];

    if (arg_is_const(ctx, b) &&
        (arg_const(ctx, b) & (ir_width(op->type) - 1)) == 0) {
        make_mov(ctx, op, op->args[1]);
    } else {
        fold_binary_const(ctx, op, fn);
    }
}

static void fold_rotl(OptContext *ctx, TCGOp *op)
{
    fold_shift(ctx, op, ir_rotl);
}

static void fold_rotr(OptContext *ctx, TCGOp *op)
{
    fold_shift(ctx, op, ir_rotr);
}

static void fold_sar(OptContext *ctx, TCGOp *op)
{
    fold_shift(ctx, op, ir_sar);
}

static void fold_shl(OptContext *ctx, TCGOp *op)
{
    fold_shift(ctx, op, ir_shl);
}

static void fold_shr(OptContext *ctx, TCGOp *op)
{
    fold_shift(ctx, op, ir_shr);
}

static void fold_sub(OptContext *ctx, TCGOp *op)
{
    uint64_t a = op->args[1], b = op->args[2];

    if (arg_is_const(ctx, a) && arg_is_const(ctx, b)) {
        make_movi(ctx, op, arg_const(ctx, a) - arg_const(ctx, b));
    } else if (a == b) {
        make_movi(ctx, op, 0);
    } else if (arg_is_const(ctx, b) && arg_const(ctx, b) == 0) {
        make_mov(ctx, op, a);
    }
}

static void fold_xor(OptContext *ctx, TCGOp *op)
{
    uint64_t a = op->args[1], b = op->args[2];

    swap_const_second(ctx, op, &a, &b);
    if (arg_is_const(ctx, a) && arg_is_const(ctx, b)) {
        make_movi(ctx, op, arg_const(ctx, a) ^ arg_const(ctx, b));
    } else if (a == b) {
        make_movi(ctx, op, 0);
    } else if (arg_is_const(ctx, b) && arg_const(ctx, b) == 0) {
        make_mov(ctx, op, a);
    }
}

static const FoldFn fold_table[NB_IR_OPS] = {
    [INDEX_op_add] = fold_add,
    [INDEX_op_and] = fold_and,
    [INDEX_op_andc] = fold_andc,
    [INDEX_op_brcond] = fold_brcond,
    [INDEX_op_bswap] = fold_bswap,
    [INDEX_op_clz] = fold_clz,
    [INDEX_op_ctpop] = fold_ctpop,
    [INDEX_op_ctz] = fold_ctz,
    [INDEX_op_div] = fold_div,
    [INDEX_op_divu] = fold_divu,
    [INDEX_op_eqv] = fold_eqv,
    [INDEX_op_ext8s] = fold_ext,
    [INDEX_op_ext8u] = fold_ext,
    [INDEX_op_ext16s] = fold_ext,
    [INDEX_op_ext16u] = fold_ext,
    [INDEX_op_ext32s] = fold_ext,
    [INDEX_op_ext32u] = fold_ext,
    [INDEX_op_ext_i32_i64] = fold_ext,
    [INDEX_op_extu_i32_i64] = fold_ext,
    [INDEX_op_extrl_i64_i32] = fold_ext,
    [INDEX_op_mov] = fold_mov,
    [INDEX_op_movcond] = fold_movcond,
    [INDEX_op_mul] = fold_mul,
    [INDEX_op_mulsh] = fold_mulsh,
    [INDEX_op_muluh] = fold_muluh,
    [INDEX_op_neg] = fold_neg,
    [INDEX_op_not] = fold_not,
    [INDEX_op_or] = fold_or,
    [INDEX_op_orc] = fold_orc,
    [INDEX_op_rem] = fold_rem,
    [INDEX_op_remu] = fold_remu,
    [INDEX_op_rotl] = fold_rotl,
    [INDEX_op_rotr] = fold_rotr,
    [INDEX_op_sar] = fold_sar,
    [INDEX_op_setcond] = fold_setcond,
    [INDEX_op_shl] = fold_shl,
    [INDEX_op_shr] = fold_shr,
    [INDEX_op_sub] = fold_sub,
    [INDEX_op_xor] = fold_xor,
};

/* --- forward pass --- */

static void record_outputs(OptContext *ctx, TCGOp *op)
{
    for (unsigned i = 0; i < op->nout; i++) {
        forget_temp(ctx, op->args[i]);
    }
    if (op->opc == INDEX_op_mov) {
        uint64_t dst = op->args[0], src = op->args[1];
        TempInfo *ti = &ctx->info[dst];

        /* Remember dst == src. A global's value may change behind our
         * back only through ops we see, so globals can be sources too. */
        ti->copy_of = src;
        ti->copy_version = ctx->info[src].version;
    }
}

static void optimize_forward(OptContext *ctx)
{
    TCGContext *s = ctx->s;

    for (unsigned n = 0; n < s->nb_ops; n++) {
        TCGOp *op = &s->ops[n];

        if (op->opc == INDEX_op_set_label) {
            forget_all(ctx);
            continue;
        }
        /* 1. Copy propagation into inputs. */
        for (unsigned i = op->nout; i < op->nout + op->nin; i++) {
            op->args[i] = canonical(ctx, op->args[i]);
        }
        /* 2 and 3. Folding and simplification. */
        if (fold_table[op->opc]) {
            fold_table[op->opc](ctx, op);
        }
        if (op->opc == INDEX_op_call) {
            const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)
                op->args[op->nout + op->nin];
            if (info->flags & TCG_CALL_WRITES_GLOBALS) {
                forget_globals(ctx);
            }
        } else if (op->opc == INDEX_op_st) {
            /* A store to env may alias a global's field. */
            forget_globals(ctx);
        }
        record_outputs(ctx, op);
    }
}

/* --- backward pass: dead-code removal --- */

static bool op_is_removable(const TCGOp *op)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];

    if (op->opc == INDEX_op_call) {
        const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)
            op->args[op->nout + op->nin];
        return (info->flags & TCG_CALL_PURE) && op->nout;
    }
    if (def->flags & (IR_OPF_SIDE_EFFECTS | IR_OPF_BB_START | IR_OPF_BB_END |
                      IR_OPF_BB_EXIT)) {
        return false;
    }
    return op->opc != INDEX_op_insn_start && op->opc != INDEX_op_nop &&
           op->nout > 0;
}

static void optimize_backward(TCGContext *s)
{
    uint8_t *live = xzalloc(s->nb_temps);
    unsigned first_local = 1 + s->nb_globals;

    for (unsigned n = s->nb_ops; n-- > 0;) {
        TCGOp *op = &s->ops[n];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        bool needed = !op_is_removable(op);

        if (def->flags & IR_OPF_BB_EXIT) {
            memset(live + first_local, 0, s->nb_temps - first_local);
        }
        if (def->flags & (IR_OPF_BB_START | IR_OPF_BB_END)) {
            /* Other paths may use tb temps; ebb temps end at labels. */
            for (unsigned t = first_local; t < s->nb_temps; t++) {
                TCGTempKind k = s->temps[t].kind;
                if (k == TEMP_TB) {
                    live[t] = 1;
                } else if (k == TEMP_EBB &&
                           (op->opc == INDEX_op_set_label ||
                            op->opc == INDEX_op_br)) {
                    live[t] = 0;
                }
            }
        }
        if (!needed) {
            for (unsigned i = 0; i < op->nout; i++) {
                uint64_t t = op->args[i];
                if (t < first_local || live[t]) {
                    needed = true;
                }
            }
        }
        if (!needed) {
            make_nop(op);
            continue;
        }
        for (unsigned i = 0; i < op->nout; i++) {
            live[op->args[i]] = 0;
        }
        for (unsigned i = op->nout; i < op->nout + op->nin; i++) {
            live[op->args[i]] = 1;
        }
    }
    free(live);
}

static void squeeze_nops(TCGContext *s)
{
    unsigned out = 0;

    for (unsigned n = 0; n < s->nb_ops; n++) {
        if (s->ops[n].opc != INDEX_op_nop) {
            if (out != n) {
                s->ops[out] = s->ops[n];
            }
            out++;
        }
    }
    s->nb_ops = out;
}

void tcg_optimize(TCGContext *s)
{
    OptContext ctx = {
        .s = s,
        .info = XNEW_ARRAY(TempInfo, TCG_MAX_TEMPS),
    };

    optimize_forward(&ctx);
    free(ctx.info);
    optimize_backward(s);
    squeeze_nops(s);
}
