/*
 * accel/tcg/tcg.c — the IR container: op definitions, temporaries,
 * labels, op emission, the verifier and the -d op dumper.
 *
 * Temps are indices into TCGContext.temps; index 0 is reserved so a zero
 * handle is never valid. Globals occupy 1..nb_globals and survive
 * tcg_context_reset(); everything after them is per TB. Constants are
 * interned per TB (one temp per distinct value and type), so the
 * optimizer and backends can compare constant temps by index.
 */
#include "accel/tcg/tcg.h"
#include "util/error.h"
#include "util/log.h"

const TCGOpDef tcg_op_defs[NB_IR_OPS] = {
#define OP(n, o, i, c, f) [INDEX_op_##n] = { #n, o, i, c, f },
#include "accel/tcg/ir-ops.def"
#undef OP
};

static const char *const cond_names[] = {
    [TCG_COND_NEVER] = "never", [TCG_COND_ALWAYS] = "always",
    [TCG_COND_EQ] = "eq", [TCG_COND_NE] = "ne",
    [TCG_COND_LT] = "lt", [TCG_COND_GE] = "ge",
    [TCG_COND_LE] = "le", [TCG_COND_GT] = "gt",
    [TCG_COND_LTU] = "ltu", [TCG_COND_GEU] = "geu",
    [TCG_COND_LEU] = "leu", [TCG_COND_GTU] = "gtu",
};

const char *tcg_cond_name(TCGCond c)
{
    return (unsigned)c < ARRAY_SIZE(cond_names) ? cond_names[c] : "?";
}

TCGCond tcg_cond_invert(TCGCond c)
{
    static const TCGCond inv[] = {
        [TCG_COND_NEVER] = TCG_COND_ALWAYS, [TCG_COND_ALWAYS] = TCG_COND_NEVER,
        [TCG_COND_EQ] = TCG_COND_NE, [TCG_COND_NE] = TCG_COND_EQ,
        [TCG_COND_LT] = TCG_COND_GE, [TCG_COND_GE] = TCG_COND_LT,
        [TCG_COND_LE] = TCG_COND_GT, [TCG_COND_GT] = TCG_COND_LE,
        [TCG_COND_LTU] = TCG_COND_GEU, [TCG_COND_GEU] = TCG_COND_LTU,
        [TCG_COND_LEU] = TCG_COND_GTU, [TCG_COND_GTU] = TCG_COND_LEU,
    };
    return inv[c];
}

TCGCond tcg_cond_swap(TCGCond c)
{
    static const TCGCond swp[] = {
        [TCG_COND_NEVER] = TCG_COND_NEVER, [TCG_COND_ALWAYS] = TCG_COND_ALWAYS,
        [TCG_COND_EQ] = TCG_COND_EQ, [TCG_COND_NE] = TCG_COND_NE,
        [TCG_COND_LT] = TCG_COND_GT, [TCG_COND_GE] = TCG_COND_LE,
        [TCG_COND_LE] = TCG_COND_GE, [TCG_COND_GT] = TCG_COND_LT,
        [TCG_COND_LTU] = TCG_COND_GTU, [TCG_COND_GEU] = TCG_COND_LEU,
        [TCG_COND_LEU] = TCG_COND_GEU, [TCG_COND_GTU] = TCG_COND_LTU,
    };
    return swp[c];
}

/* --- context --- */

TCGContext *tcg_context_new(Log *log)
{
    TCGContext *s = XNEW(TCGContext);

    s->log = log;
    s->nb_temps = 1;            /* temps[0] is never used */
    s->ops_capacity = 256;
    s->ops = XNEW_ARRAY(TCGOp, s->ops_capacity);
    return s;
}

void tcg_context_free(TCGContext *s)
{
    if (s) {
        free(s->frontend);
        free(s->ops);
        free(s);
    }
}

void tcg_context_reset(TCGContext *s)
{
    s->nb_temps = 1 + s->nb_globals;
    s->nb_ops = 0;
    s->nb_labels = 0;
    s->nb_consts = 0;
    memset(s->const_table, 0, sizeof(s->const_table));
    s->overflow = false;
}

/* --- temporaries --- */

static uint32_t tcg_temp_alloc(TCGContext *s, TCGType type, TCGTempKind kind)
{
    TCGTemp *t;

    if (s->nb_temps >= TCG_MAX_TEMPS) {
        /* Keep going with a valid temp; the translator sees overflow and
         * retries the TB with fewer instructions. */
        s->overflow = true;
        return TCG_MAX_TEMPS - 1;
    }
    t = &s->temps[s->nb_temps];
    memset(t, 0, sizeof(*t));
    t->type = type;
    t->kind = kind;
    return s->nb_temps++;
}

static uint32_t tcg_global_alloc(TCGContext *s, TCGType type, int32_t off,
                                 const char *name)
{
    uint32_t idx;

    /* Globals are created once, before any TB, so they stay contiguous. */
    if (s->nb_temps != 1 + s->nb_globals) {
        abort();    /* programming error in a frontend's tcg_init */
    }
    idx = tcg_temp_alloc(s, type, TEMP_GLOBAL);
    s->temps[idx].env_offset = off;
    s->temps[idx].name = name;
    s->nb_globals++;
    return idx;
}

TCGv_i64 tcg_global_mem_new_i64(TCGContext *s, int32_t off, const char *name)
{
    return (TCGv_i64){ tcg_global_alloc(s, TCG_TYPE_I64, off, name) };
}

TCGv_i32 tcg_global_mem_new_i32(TCGContext *s, int32_t off, const char *name)
{
    return (TCGv_i32){ tcg_global_alloc(s, TCG_TYPE_I32, off, name) };
}

TCGv_i64 tcg_temp_new_i64(TCGContext *s)
{
    return (TCGv_i64){ tcg_temp_alloc(s, TCG_TYPE_I64, TEMP_EBB) };
}

TCGv_i32 tcg_temp_new_i32(TCGContext *s)
{
    return (TCGv_i32){ tcg_temp_alloc(s, TCG_TYPE_I32, TEMP_EBB) };
}

TCGv_i64 tcg_temp_new_tb_i64(TCGContext *s)
{
    return (TCGv_i64){ tcg_temp_alloc(s, TCG_TYPE_I64, TEMP_TB) };
}

TCGv_i32 tcg_temp_new_tb_i32(TCGContext *s)
{
    return (TCGv_i32){ tcg_temp_alloc(s, TCG_TYPE_I32, TEMP_TB) };
}

uint32_t tcg_constant_idx(TCGContext *s, TCGType type, uint64_t val)
{
    const unsigned mask = ARRAY_SIZE(s->const_table) - 1;
    unsigned slot;
    uint32_t idx;

    if (type == TCG_TYPE_I32) {
        val = (uint32_t)val;
    }
    slot = (unsigned)((val * 0x9e3779b97f4a7c15ull) >> 50) ^ type;
    for (;; slot++) {
        TCGTemp *t;

        idx = s->const_table[slot & mask];
        if (!idx) {
            break;
        }
        t = &s->temps[idx];
        if (t->type == type && t->val == val) {
            return idx;
        }
    }
    idx = tcg_temp_alloc(s, type, TEMP_CONST);
    s->temps[idx].val = val;
    /* Keep the table at most half full; past that, stop interning. */
    if (s->nb_consts < ARRAY_SIZE(s->const_table) / 2) {
        s->const_table[slot & mask] = idx;
        s->nb_consts++;
    }
    return idx;
}

TCGv_i64 tcg_constant_i64(TCGContext *s, int64_t val)
{
    return (TCGv_i64){ tcg_constant_idx(s, TCG_TYPE_I64, val) };
}

TCGv_i32 tcg_constant_i32(TCGContext *s, int32_t val)
{
    return (TCGv_i32){ tcg_constant_idx(s, TCG_TYPE_I32, (uint32_t)val) };
}

TCGLabel gen_new_label(TCGContext *s)
{
    if (s->nb_labels >= TCG_MAX_LABELS) {
        s->overflow = true;
        return (TCGLabel){ TCG_MAX_LABELS - 1 };
    }
    return (TCGLabel){ s->nb_labels++ };
}

/* --- ops --- */

TCGOp *tcg_emit_op(TCGContext *s, TCGOpcode opc, TCGType type,
                   const uint64_t *args, unsigned nargs)
{
    const TCGOpDef *def = &tcg_op_defs[opc];
    TCGOp *op;

    if (s->nb_ops >= TCG_MAX_OPS) {
        s->overflow = true;
        s->nb_ops = TCG_MAX_OPS - 1;    /* overwrite: the TB is discarded */
    }
    if (s->nb_ops == s->ops_capacity) {
        s->ops_capacity *= 2;
        s->ops = xrealloc(s->ops, s->ops_capacity * sizeof(TCGOp));
    }
    op = &s->ops[s->nb_ops++];
    op->opc = opc;
    op->type = type;
    op->nargs = nargs;
    op->nout = def->nout;
    op->nin = def->nin;
    if (nargs) {
        memcpy(op->args, args, nargs * sizeof(uint64_t));
    }
    return op;
}

void tcg_gen_call(TCGContext *s, const TCGHelperInfo *info, uint32_t ret,
                  const uint32_t *args, unsigned nargs)
{
    uint64_t a[TCG_MAX_OP_ARGS];
    unsigned n = 0;
    TCGOp *op;

    if (ret) {
        a[n++] = ret;
    }
    for (unsigned i = 0; i < nargs; i++) {
        a[n++] = args[i];
    }
    a[n++] = (uintptr_t)info;
    op = tcg_emit_op(s, INDEX_op_call, TCG_TYPE_I64, a, n);
    op->nout = ret ? 1 : 0;
    op->nin = nargs;
}

/* --- verifier --- */

static TCGType helper_arg_type(TCGHelperArg a)
{
    return a == TCG_HARG_I32 ? TCG_TYPE_I32 : TCG_TYPE_I64;
}

/* The type each temp argument of @op must have. */
static TCGType tcg_op_arg_type(const TCGOp *op, unsigned i)
{
    if (op->opc == INDEX_op_call) {
        const TCGHelperInfo *info =
            (const TCGHelperInfo *)(uintptr_t)op->args[op->nout + op->nin];
        unsigned arg = 0;

        if (i < op->nout) {
            return helper_arg_type(info->ret);
        }
        i -= op->nout;
        for (unsigned k = 0; k < info->nargs; k++) {
            if (info->args[k] == TCG_HARG_ENV) {
                continue;
            }
            if (arg++ == i) {
                return helper_arg_type(info->args[k]);
            }
        }
        return TCG_TYPE_I64;
    }
    switch (op->opc) {
    case INDEX_op_extrl_i64_i32:
        return i == 0 ? TCG_TYPE_I32 : TCG_TYPE_I64;
    case INDEX_op_ext_i32_i64:
    case INDEX_op_extu_i32_i64:
        return i == 0 ? TCG_TYPE_I64 : TCG_TYPE_I32;
    case INDEX_op_qemu_ld:
    case INDEX_op_qemu_st:
    case INDEX_op_atomic_cmpxchg:
    case INDEX_op_atomic_rmw:
        /* The address is always i64; the value has the op's type. */
        if ((op->opc == INDEX_op_qemu_ld && i == 1) ||
            (op->opc == INDEX_op_qemu_st && i == 1) ||
            (op->opc == INDEX_op_atomic_cmpxchg && i == 1) ||
            (op->opc == INDEX_op_atomic_rmw && i == 1)) {
            return TCG_TYPE_I64;
        }
        return op->type;
    default:
        return op->type;
    }
}

bool tcg_verify(TCGContext *s, Error **errp)
{
    uint8_t *label_state = xzalloc(MAX(s->nb_labels, 1u));
    /* For ebb temps: generation of the EBB they were last written in. */
    uint32_t *written_in = xzalloc(s->nb_temps * sizeof(uint32_t));
    uint32_t ebb = 1;
    bool ok = false;

    for (unsigned n = 0; n < s->nb_ops; n++) {
        const TCGOp *op = &s->ops[n];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        unsigned ntemps = op->nout + op->nin;

        if (op->opc >= NB_IR_OPS) {
            error_setg(errp, "op %u: bad opcode %u", n, op->opc);
            goto out;
        }
        if (def->nout >= 0 && (op->nout != def->nout || op->nin != def->nin ||
                               op->nargs != ntemps + def->nconst)) {
            error_setg(errp, "op %u (%s): wrong argument count", n,
                       def->name);
            goto out;
        }
        if ((def->flags & IR_OPF_I64_ONLY) && op->type != TCG_TYPE_I64) {
            error_setg(errp, "op %u (%s): only exists as i64", n, def->name);
            goto out;
        }
        if (op->opc == INDEX_op_set_label) {
            ebb++;          /* every ebb temp is dead from here on */
        }
        for (unsigned i = 0; i < ntemps; i++) {
            uint64_t idx = op->args[i];
            const TCGTemp *t;

            if (idx == 0 || idx >= s->nb_temps) {
                error_setg(errp, "op %u (%s): argument %u is not a temp", n,
                           def->name, i);
                goto out;
            }
            t = &s->temps[idx];
            if (t->type != tcg_op_arg_type(op, i)) {
                error_setg(errp, "op %u (%s): argument %u has the wrong "
                           "type", n, def->name, i);
                goto out;
            }
            if (i < op->nout && t->kind == TEMP_CONST) {
                error_setg(errp, "op %u (%s): writes a constant", n,
                           def->name);
                goto out;
            }
            if (i >= op->nout && t->kind == TEMP_EBB &&
                written_in[idx] != ebb) {
                error_setg(errp, "op %u (%s): ebb temp %u read before it "
                           "is written in this block", n, def->name,
                           (unsigned)idx);
                goto out;
            }
        }
        for (unsigned i = 0; i < op->nout; i++) {
            written_in[op->args[i]] = ebb;
        }
        if (op->opc == INDEX_op_set_label || op->opc == INDEX_op_br ||
            op->opc == INDEX_op_brcond) {
            uint64_t label = op->args[ntemps + (op->opc == INDEX_op_brcond)];
            if (label >= s->nb_labels) {
                error_setg(errp, "op %u (%s): unknown label", n, def->name);
                goto out;
            }
            if (op->opc == INDEX_op_set_label) {
                if (label_state[label] & 1) {
                    error_setg(errp, "label %u set twice", (unsigned)label);
                    goto out;
                }
                label_state[label] |= 1;
            } else {
                label_state[label] |= 2;
            }
        }
    }
    for (unsigned l = 0; l < s->nb_labels; l++) {
        if (label_state[l] == 2) {
            error_setg(errp, "label %u is used but never set", l);
            goto out;
        }
    }
    ok = true;
out:
    free(label_state);
    free(written_in);
    return ok;
}

/* --- dumper --- */

static void dump_temp(TCGContext *s, uint64_t idx, FILE *out)
{
    const TCGTemp *t = &s->temps[idx];

    switch (t->kind) {
    case TEMP_GLOBAL:
        fprintf(out, "%s", t->name);
        break;
    case TEMP_CONST:
        if (t->type == TCG_TYPE_I32) {
            fprintf(out, "$0x%" PRIx32, (uint32_t)t->val);
        } else {
            fprintf(out, "$0x%" PRIx64, t->val);
        }
        break;
    case TEMP_TB:
        fprintf(out, "loc%u", (unsigned)(idx - s->nb_globals));
        break;
    default:
        fprintf(out, "tmp%u", (unsigned)(idx - s->nb_globals));
        break;
    }
}

static const char *memop_name(unsigned memop)
{
    static const char *const names[] = {
        "ub", "uw", "ul", "uq", "sb", "sw", "sl", "sq",
    };
    return names[memop & 7];
}

static const char *const atomic_op_names[] = {
    "xchg", "add", "and", "or", "xor", "smin", "smax", "umin", "umax",
};

static void dump_consts(const TCGOp *op, FILE *out, bool first)
{
    unsigned base = tcg_op_const_base(op);
    const char *sep = first ? "" : ",";

    for (unsigned i = base; i < op->nargs; i++) {
        uint64_t c = op->args[i];
        unsigned k = i - base;

        fprintf(out, "%s", sep);
        sep = ",";
        switch (op->opc) {
        case INDEX_op_setcond:
        case INDEX_op_movcond:
            fprintf(out, "%s", tcg_cond_name(c));
            break;
        case INDEX_op_brcond:
            if (k == 0) {
                fprintf(out, "%s", tcg_cond_name(c));
            } else {
                fprintf(out, "$L%u", (unsigned)c);
            }
            break;
        case INDEX_op_set_label:
        case INDEX_op_br:
            fprintf(out, "$L%u", (unsigned)c);
            break;
        case INDEX_op_ld:
        case INDEX_op_st:
            if (k == 0) {
                fprintf(out, "env+0x%x", (unsigned)c);
            } else {
                fprintf(out, "%s", memop_name(c));
            }
            break;
        case INDEX_op_qemu_ld:
        case INDEX_op_qemu_st:
        case INDEX_op_atomic_cmpxchg:
            if (k == 0) {
                fprintf(out, "%s%s", memop_name(c),
                        (c & MO_ALIGN) ? "+al" : "");
            } else {
                fprintf(out, "mmu%u", (unsigned)c);
            }
            break;
        case INDEX_op_atomic_rmw:
            if (k == 0) {
                fprintf(out, "%s", c < ARRAY_SIZE(atomic_op_names)
                                   ? atomic_op_names[c] : "?");
            } else if (k == 1) {
                fprintf(out, "%s%s", memop_name(c),
                        (c & MO_ALIGN) ? "+al" : "");
            } else {
                fprintf(out, "mmu%u", (unsigned)c);
            }
            break;
        default:
            fprintf(out, "$0x%" PRIx64, c);
            break;
        }
    }
}

void tcg_dump_ops(TCGContext *s, FILE *out)
{
    for (unsigned n = 0; n < s->nb_ops; n++) {
        const TCGOp *op = &s->ops[n];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        unsigned ntemps = op->nout + op->nin;

        if (op->opc == INDEX_op_nop) {
            continue;
        }
        if (op->opc == INDEX_op_insn_start) {
            fprintf(out, "\n ---- %016" PRIx64 " %016" PRIx64 "\n",
                    op->args[0], op->args[1]);
            continue;
        }
        if (op->opc == INDEX_op_set_label) {
            fprintf(out, " set_label $L%u\n", (unsigned)op->args[0]);
            continue;
        }
        if (op->opc == INDEX_op_call) {
            const TCGHelperInfo *info =
                (const TCGHelperInfo *)(uintptr_t)op->args[ntemps];
            fprintf(out, " call %s,$0x%x,$%u", info->name, info->flags,
                    op->nout);
            for (unsigned i = 0; i < ntemps; i++) {
                fputc(',', out);
                dump_temp(s, op->args[i], out);
            }
            fputc('\n', out);
            continue;
        }
        if (def->flags & (IR_OPF_UNTYPED | IR_OPF_CONV)) {
            fprintf(out, " %s ", def->name);
        } else {
            fprintf(out, " %s_i%d ", def->name,
                    op->type == TCG_TYPE_I32 ? 32 : 64);
        }
        for (unsigned i = 0; i < ntemps; i++) {
            if (i) {
                fputc(',', out);
            }
            dump_temp(s, op->args[i], out);
        }
        dump_consts(op, out, ntemps == 0);
        fputc('\n', out);
    }
    fputc('\n', out);
}
