/*
 * accel/tcg/interp.c — the portable backend: an interpreter of the IR.
 *
 * It executes the op list exactly as the optimizer leaves it (before any
 * register allocation), so its behaviour is the definition of the IR's
 * meaning and the JIT is checked against it. "Code generation" only
 * lowers each op into a compact InterpOp:
 *   - every temp operand becomes a byte offset from env: globals keep
 *     their field offsets, other temps and constants get slots in
 *     CPUState.tcg_frame, reused once an ebb temp is dead (so a TB's
 *     frame stays small whatever its length);
 *   - constant arguments are packed into misc/imm;
 *   - labels become op indices, and insn_start/set_label/nop disappear,
 *     their positions going to the TB's instruction-start table.
 * Constants are copied into their frame slots on TB entry.
 *
 * Dispatch uses GCC's computed goto, one handler per (op, type). Chained
 * TBs (goto_tb with a linked destination, goto_ptr hits) continue in the
 * same loop without returning to the CPU loop.
 *
 * Faults: before anything that may raise (slow-path memory accesses and
 * helpers flagged TCG_CALL_MAY_RAISE) the current TB and op are recorded
 * in TCGCPUState, so cpu_restore_state() can find the guest instruction.
 *
 * Helpers are called through a generic integer-argument function type;
 * this relies on the host ABI passing up to six integer or pointer
 * arguments in 64-bit registers (x86-64 SysV, AArch64), where a callee
 * declared with uint32_t/pointer parameters reads them correctly.
 */
#include "accel/tcg/tcg-internal.h"
#include "accel/tcg/ir-semantics.h"

typedef struct InterpOp {
    uint16_t handler;       /* (opcode << 1) | is_i64 */
    uint16_t misc16;
    uint32_t misc32;        /* packed constant arguments */
    int32_t a[5];           /* operand offsets from env */
    uint64_t imm;           /* wide constant (env offset, pointer, index) */
} InterpOp;

typedef struct InterpCall {
    const TCGHelperInfo *info;
    int32_t ret;            /* offset, or -1 */
    uint8_t nargs;          /* C arguments incl. env */
    int32_t args[TCG_HELPER_MAX_ARGS]; /* offsets; -1 = env */
} InterpCall;

typedef struct InterpProgram {
    uint32_t nb_ops;
    uint32_t nb_consts;
    uint64_t *consts;       /* copied to tcg_frame[0..nb_consts) */
    InterpOp ops[];
} InterpProgram;

#define FRAME_BASE ((int32_t)offsetof(CPUState, tcg_frame))

/* --- lowering --- */

typedef struct Lowering {
    TCGContext *s;
    int32_t *offset;        /* per temp: env offset, or -1 unassigned */
    uint32_t *last_use;     /* per temp: index of the last op using it */
    int32_t *free_slots;
    unsigned nb_free;
    unsigned next_slot;
    bool too_big;
} Lowering;

static int32_t slot_alloc(Lowering *lw)
{
    unsigned slot;

    if (lw->nb_free) {
        return lw->free_slots[--lw->nb_free];
    }
    slot = lw->next_slot++;
    if (slot >= TCG_FRAME_SLOTS) {
        lw->too_big = true;
        slot = 0;
    }
    return FRAME_BASE + 8 * slot;
}

static int32_t operand(Lowering *lw, uint64_t idx)
{
    const TCGTemp *t = &lw->s->temps[idx];

    if (t->kind == TEMP_GLOBAL) {
        return t->env_offset;
    }
    if (lw->offset[idx] < 0) {
        lw->offset[idx] = slot_alloc(lw);
    }
    return lw->offset[idx];
}

static void release_dead(Lowering *lw, const TCGOp *op, unsigned n)
{
    for (unsigned i = 0; i < (unsigned)(op->nout + op->nin); i++) {
        uint64_t idx = op->args[i];
        const TCGTemp *t = &lw->s->temps[idx];

        /* Only ebb temps can die early: tb temps may be read again after
         * a label, constants live for the whole TB. */
        if (t->kind == TEMP_EBB && lw->last_use[idx] == n &&
            lw->offset[idx] >= 0) {
            lw->free_slots[lw->nb_free++] = lw->offset[idx];
            lw->offset[idx] = -2;   /* dead: never reassigned */
        }
    }
}

static int interp_gen_code(TCGAccel *accel, TCGContext *s,
                           TranslationBlock *tb)
{
    Lowering lw = { .s = s };
    unsigned nb_exec = 0, nb_insns = 0, nb_calls = 0;
    uint32_t *label_pos = XNEW_ARRAY(uint32_t, MAX(s->nb_labels, 1u));
    InterpProgram *prog;
    InterpCall *calls;
    TBInsnStart *starts;
    unsigned k = 0, insn = 0, call = 0;
    int ret = 0;

    lw.offset = XNEW_ARRAY(int32_t, s->nb_temps);
    lw.last_use = XNEW_ARRAY(uint32_t, s->nb_temps);
    lw.free_slots = XNEW_ARRAY(int32_t, s->nb_temps + TCG_FRAME_SLOTS);
    for (unsigned i = 0; i < s->nb_temps; i++) {
        lw.offset[i] = -1;
        lw.last_use[i] = UINT32_MAX;    /* unused */
    }

    /* Pass 1: count, find label positions and last uses. */
    for (unsigned n = 0; n < s->nb_ops; n++) {
        const TCGOp *op = &s->ops[n];

        for (unsigned i = 0; i < (unsigned)(op->nout + op->nin); i++) {
            lw.last_use[op->args[i]] = n;
        }
        switch (op->opc) {
        case INDEX_op_insn_start:
            nb_insns++;
            break;
        case INDEX_op_set_label:
            label_pos[op->args[0]] = nb_exec;
            break;
        case INDEX_op_nop:
            break;
        case INDEX_op_call:
            nb_calls++;
            nb_exec++;
            break;
        default:
            nb_exec++;
            break;
        }
    }

    /* Constants take the first frame slots, set on TB entry. */
    for (unsigned i = 1 + s->nb_globals; i < s->nb_temps; i++) {
        if (s->temps[i].kind == TEMP_CONST && lw.last_use[i] != UINT32_MAX) {
            lw.offset[i] = slot_alloc(&lw);
        }
    }

    prog = tb_region_alloc(accel, sizeof(*prog) +
                                  nb_exec * sizeof(InterpOp));
    calls = tb_region_alloc(accel, MAX(nb_calls, 1u) * sizeof(InterpCall));
    starts = tb_region_alloc(accel, MAX(nb_insns, 1u) * sizeof(*starts));
    if (!prog || !calls || !starts) {
        ret = -ENOSPC;
        goto out;
    }
    prog->nb_ops = nb_exec;

    /* Pass 2: lower. */
    for (unsigned n = 0; n < s->nb_ops; n++) {
        const TCGOp *op = &s->ops[n];
        unsigned nt = op->nout + op->nin;
        const uint64_t *c = &op->args[nt];
        InterpOp *io;

        if (op->opc == INDEX_op_insn_start) {
            starts[insn].pos = k;
            starts[insn].data[0] = op->args[0];
            starts[insn].data[1] = op->args[1];
            insn++;
            continue;
        }
        if (op->opc == INDEX_op_set_label || op->opc == INDEX_op_nop) {
            continue;
        }
        io = &prog->ops[k++];
        memset(io, 0, sizeof(*io));
        io->handler = (op->opc << 1) | (op->type == TCG_TYPE_I64);
        if (op->opc == INDEX_op_call) {
            const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)c[0];
            InterpCall *ic = &calls[call++];
            unsigned in = op->nout;

            ic->info = info;
            ic->ret = op->nout ? operand(&lw, op->args[0]) : -1;
            ic->nargs = info->nargs;
            for (unsigned i = 0; i < info->nargs; i++) {
                ic->args[i] = info->args[i] == TCG_HARG_ENV
                              ? -1 : operand(&lw, op->args[in++]);
            }
            io->imm = (uintptr_t)ic;
            release_dead(&lw, op, n);
            continue;
        }
        for (unsigned i = 0; i < nt && i < 5; i++) {
            io->a[i] = operand(&lw, op->args[i]);
        }
        switch (op->opc) {
        case INDEX_op_setcond:
        case INDEX_op_movcond:
            io->misc32 = c[0];
            break;
        case INDEX_op_brcond:
            io->misc32 = c[0];
            io->imm = label_pos[c[1]];
            break;
        case INDEX_op_br:
            io->imm = label_pos[c[0]];
            break;
        case INDEX_op_ld:
        case INDEX_op_st:
            io->imm = (uint32_t)c[0];
            io->misc32 = c[1];
            break;
        case INDEX_op_qemu_ld:
        case INDEX_op_qemu_st:
        case INDEX_op_atomic_cmpxchg:
            io->misc32 = c[0];
            io->misc16 = c[1];
            break;
        case INDEX_op_atomic_rmw:
            io->imm = c[0];
            io->misc32 = c[1];
            io->misc16 = c[2];
            break;
        case INDEX_op_mb:
        case INDEX_op_goto_tb:
        case INDEX_op_exit_tb:
            io->misc32 = c[0];
            break;
        default:
            break;
        }
        release_dead(&lw, op, n);
    }
    if (lw.too_big) {
        ret = -E2BIG;
        goto out;
    }

    prog->nb_consts = 0;
    prog->consts = tb_region_alloc(accel, 8 * MAX(lw.next_slot, 1u));
    if (!prog->consts) {
        ret = -ENOSPC;
        goto out;
    }
    for (unsigned i = 1 + s->nb_globals; i < s->nb_temps; i++) {
        if (s->temps[i].kind == TEMP_CONST && lw.offset[i] >= 0) {
            unsigned slot = (lw.offset[i] - FRAME_BASE) / 8;
            prog->consts[slot] = s->temps[i].val;
            prog->nb_consts = MAX(prog->nb_consts, slot + 1);
        }
    }
    tb->code = prog;
    tb->insn_starts = starts;
    tb->nb_insn_starts = nb_insns;
out:
    free(label_pos);
    free(lw.offset);
    free(lw.last_use);
    free(lw.free_slots);
    return ret;
}

/* --- execution --- */

typedef uint64_t (*HelperFn)(uint64_t, uint64_t, uint64_t, uint64_t,
                             uint64_t, uint64_t);

static void interp_call(CPUState *cpu, char *env, const InterpCall *ic)
{
    uint64_t a[TCG_HELPER_MAX_ARGS] = { 0 };
    uint64_t r;

    for (unsigned i = 0; i < ic->nargs; i++) {
        if (ic->args[i] < 0) {
            a[i] = (uintptr_t)cpu;
        } else if (ic->info->args[i] == TCG_HARG_I32) {
            a[i] = *(uint32_t *)(env + ic->args[i]);
        } else {
            a[i] = *(uint64_t *)(env + ic->args[i]);
        }
    }
    r = ((HelperFn)ic->info->func)(a[0], a[1], a[2], a[3], a[4], a[5]);
    if (ic->ret >= 0) {
        if (ic->info->ret == TCG_HARG_I32) {
            *(uint32_t *)(env + ic->ret) = (uint32_t)r;
        } else {
            *(uint64_t *)(env + ic->ret) = r;
        }
    }
}

static inline uint64_t guest_load(CPUState *cpu, TCGCPUState *tc,
                                  const InterpOp *op, uint64_t addr)
{
    MemOp memop = op->misc32;
    unsigned mmu_idx = op->misc16;
    unsigned size = memop_size(memop);
    const CPUTLBEntry *e = &cpu->tlb[mmu_idx].table[tlb_index(addr)];

    if (likely((addr & TCG_PAGE_MASK) == e->addr_read &&
               (addr & ~TCG_PAGE_MASK) + size <= TCG_PAGE_SIZE &&
               !((memop & MO_ALIGN) && (addr & (size - 1))))) {
        uint64_t v = 0;
        memcpy(&v, (void *)(uintptr_t)(addr + e->addend), size);
        return ir_memop_extend(memop, v);
    }
    tc->interp_op = op;
    return tlb_load_slow(cpu, addr, memop, mmu_idx, TCG_RA_INTERP);
}

static inline void guest_store(CPUState *cpu, TCGCPUState *tc,
                               const InterpOp *op, uint64_t addr,
                               uint64_t val)
{
    MemOp memop = op->misc32;
    unsigned mmu_idx = op->misc16;
    unsigned size = memop_size(memop);
    const CPUTLBEntry *e = &cpu->tlb[mmu_idx].table[tlb_index(addr)];

    if (likely((addr & TCG_PAGE_MASK) == e->addr_write &&
               (addr & ~TCG_PAGE_MASK) + size <= TCG_PAGE_SIZE &&
               !((memop & MO_ALIGN) && (addr & (size - 1))))) {
        memcpy((void *)(uintptr_t)(addr + e->addend), &val, size);
        return;
    }
    tc->interp_op = op;
    tlb_store_slow(cpu, addr, val, memop, mmu_idx, TCG_RA_INTERP);
}

static uint64_t env_load(const char *env, const InterpOp *op)
{
    const void *p = env + op->imm;

    switch (op->misc32 & (MO_SIZE | MO_SIGN)) {
    case MO_UB:
        return *(const uint8_t *)p;
    case MO_SB:
        return (uint64_t)(int64_t)*(const int8_t *)p;
    case MO_UW:
        return *(const uint16_t *)p;
    case MO_SW:
        return (uint64_t)(int64_t)*(const int16_t *)p;
    case MO_UL:
        return *(const uint32_t *)p;
    case MO_SL:
        return (uint64_t)(int64_t)*(const int32_t *)p;
    default:
        return *(const uint64_t *)p;
    }
}

static void env_store(char *env, const InterpOp *op, uint64_t v)
{
    memcpy(env + op->imm, &v, memop_size(op->misc32));
}

static TranslationBlock *goto_ptr_lookup(CPUState *cpu)
{
    const TCGCPUOps *ops = cpu->ops->tcg_ops;
    uint64_t pc;
    uint32_t flags;

    ops->get_tb_cpu_state(cpu, &pc, &flags);
    return tb_lookup(cpu, pc, flags, 0);
}

/* Operand access by position (a[0] is the first output). */
#define R64(i) (*(uint64_t *)(env + op->a[i]))
#define R32(i) (*(uint32_t *)(env + op->a[i]))
#define W64(i, v) (*(uint64_t *)(env + op->a[i]) = (uint64_t)(v))
#define W32(i, v) (*(uint32_t *)(env + op->a[i]) = (uint32_t)(v))

static TBExit interp_exec(CPUState *cpu, TranslationBlock *tb,
                          TranslationBlock **last)
{
    /* One label per (op, type): the handler index is (opc << 1) | is_i64. */
#define OP(name, nout, nin, nconst, flags) &&do_##name##_32, &&do_##name##_64,
    static const void *const dispatch[] = {
#include "accel/tcg/ir-ops.def"
    };
#undef OP
    TCGCPUState *tc = tcg_cpu(cpu);
    char *env = (char *)cpu;
    const InterpProgram *prog;
    const InterpOp *op;

#define NEXT() do { op++; goto *dispatch[op->handler]; } while (0)
#define JUMP(pos) do { op = &prog->ops[pos]; \
                       goto *dispatch[op->handler]; } while (0)
/* Binary ops of both widths from one C expression over a, b. */
#define BINARY(name, expr) \
    do_##name##_32: { uint32_t a = R32(1), b = R32(2); W32(0, (expr)); NEXT(); } \
    do_##name##_64: { uint64_t a = R64(1), b = R64(2); W64(0, (expr)); NEXT(); }
#define UNARY(name, expr) \
    do_##name##_32: { uint32_t a = R32(1); W32(0, (expr)); NEXT(); } \
    do_##name##_64: { uint64_t a = R64(1); W64(0, (expr)); NEXT(); }
/* Ops whose semantics live in ir-semantics.h. */
#define SEM2(name, fn) \
    do_##name##_32: W32(0, fn(TCG_TYPE_I32, R32(1), R32(2))); NEXT(); \
    do_##name##_64: W64(0, fn(TCG_TYPE_I64, R64(1), R64(2))); NEXT();
#define SEM1(name, fn) \
    do_##name##_32: W32(0, fn(TCG_TYPE_I32, R32(1))); NEXT(); \
    do_##name##_64: W64(0, fn(TCG_TYPE_I64, R64(1))); NEXT();

enter_tb:
    prog = tb->code;
    memcpy(env + FRAME_BASE, prog->consts, 8 * prog->nb_consts);
    tc->interp_tb = tb;
    op = prog->ops;
    goto *dispatch[op->handler];

    UNARY(mov, a)
    BINARY(add, a + b)
    BINARY(sub, a - b)
    UNARY(neg, -a)
    BINARY(mul, a * b)
    SEM2(mulsh, ir_mulsh)
    SEM2(muluh, ir_muluh)
    SEM2(div, ir_div)
    SEM2(divu, ir_divu)
    SEM2(rem, ir_rem)
    SEM2(remu, ir_remu)
    BINARY(and, a & b)
    BINARY(or, a | b)
    BINARY(xor, a ^ b)
    UNARY(not, ~a)
    BINARY(andc, a & ~b)
    BINARY(orc, a | ~b)
    BINARY(eqv, ~(a ^ b))
    BINARY(shl, a << (b & (8 * sizeof(a) - 1)))
    BINARY(shr, a >> (b & (8 * sizeof(a) - 1)))
    SEM2(sar, ir_sar)
    SEM2(rotl, ir_rotl)
    SEM2(rotr, ir_rotr)
    SEM1(clz, ir_clz)
    SEM1(ctz, ir_ctz)
    SEM1(ctpop, ir_ctpop)
    SEM1(bswap, ir_bswap)
    UNARY(ext8s, (int8_t)a)
    UNARY(ext8u, (uint8_t)a)
    UNARY(ext16s, (int16_t)a)
    UNARY(ext16u, (uint16_t)a)

do_ext32s_64:
    W64(0, (int64_t)(int32_t)R64(1));
    NEXT();
do_ext32u_64:
    W64(0, (uint32_t)R64(1));
    NEXT();
do_extrl_i64_i32_32:
    W32(0, (uint32_t)R64(1));
    NEXT();
do_ext_i32_i64_64:
    W64(0, (int64_t)(int32_t)R32(1));
    NEXT();
do_extu_i32_i64_64:
    W64(0, (uint64_t)R32(1));
    NEXT();

do_setcond_32:
    W32(0, ir_cond(TCG_TYPE_I32, op->misc32, R32(1), R32(2)));
    NEXT();
do_setcond_64:
    W64(0, ir_cond(TCG_TYPE_I64, op->misc32, R64(1), R64(2)));
    NEXT();
do_movcond_32:
    W32(0, ir_cond(TCG_TYPE_I32, op->misc32, R32(1), R32(2)) ? R32(3)
                                                             : R32(4));
    NEXT();
do_movcond_64:
    W64(0, ir_cond(TCG_TYPE_I64, op->misc32, R64(1), R64(2)) ? R64(3)
                                                             : R64(4));
    NEXT();

do_ld_32:
    W32(0, env_load(env, op));
    NEXT();
do_ld_64:
    W64(0, env_load(env, op));
    NEXT();
do_st_32:
    env_store(env, op, R32(0));
    NEXT();
do_st_64:
    env_store(env, op, R64(0));
    NEXT();

do_qemu_ld_32:
    W32(0, guest_load(cpu, tc, op, R64(1)));
    NEXT();
do_qemu_ld_64:
    W64(0, guest_load(cpu, tc, op, R64(1)));
    NEXT();
do_qemu_st_32:
    guest_store(cpu, tc, op, R64(1), R32(0));
    NEXT();
do_qemu_st_64:
    guest_store(cpu, tc, op, R64(1), R64(0));
    NEXT();
    /* Values and result have the op's width (the address is i64). */
do_atomic_cmpxchg_32:
    tc->interp_op = op;
    W32(0, tlb_atomic_slow(cpu, R64(1), op->misc32, op->misc16, true, 0,
                           R32(2), R32(3), TCG_RA_INTERP));
    NEXT();
do_atomic_cmpxchg_64:
    tc->interp_op = op;
    W64(0, tlb_atomic_slow(cpu, R64(1), op->misc32, op->misc16, true, 0,
                           R64(2), R64(3), TCG_RA_INTERP));
    NEXT();
do_atomic_rmw_32:
    tc->interp_op = op;
    W32(0, tlb_atomic_slow(cpu, R64(1), op->misc32, op->misc16, false,
                           op->imm, 0, R32(2), TCG_RA_INTERP));
    NEXT();
do_atomic_rmw_64:
    tc->interp_op = op;
    W64(0, tlb_atomic_slow(cpu, R64(1), op->misc32, op->misc16, false,
                           op->imm, 0, R64(2), TCG_RA_INTERP));
    NEXT();
do_mb_32:
do_mb_64:
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    NEXT();

do_call_32:
do_call_64:
    {
        const InterpCall *ic = (const InterpCall *)(uintptr_t)op->imm;
        if (ic->info->flags & TCG_CALL_MAY_RAISE) {
            tc->interp_op = op;
        }
        interp_call(cpu, env, ic);
    }
    NEXT();

do_br_32:
do_br_64:
    JUMP(op->imm);
do_brcond_32:
    if (ir_cond(TCG_TYPE_I32, op->misc32, R32(0), R32(1))) {
        JUMP(op->imm);
    }
    NEXT();
do_brcond_64:
    if (ir_cond(TCG_TYPE_I64, op->misc32, R64(0), R64(1))) {
        JUMP(op->imm);
    }
    NEXT();

do_goto_tb_32:
do_goto_tb_64:
    {
        TranslationBlock *next =
            __atomic_load_n(&tb->jmp_dest[op->misc32], __ATOMIC_ACQUIRE);
        if (next) {
            tb = next;
            goto enter_tb;
        }
    }
    NEXT();
do_goto_ptr_32:
do_goto_ptr_64:
    {
        TranslationBlock *next;

        tc->interp_tb = NULL;   /* the lookup may fill the TLB */
        next = goto_ptr_lookup(cpu);
        /* Steps and watchpoint replays (CF_NO_GOTO_TB) end in the loop. */
        if (next && !(tb->cflags & CF_NO_GOTO_TB) &&
            !log_enabled(cpu->log, LOG_NOCHAIN)) {
            tb = next;
            goto enter_tb;
        }
        *last = tb;
        return TB_EXIT_NOCHAIN;
    }
do_exit_tb_32:
do_exit_tb_64:
    tc->interp_tb = NULL;
    *last = tb;
    return op->misc32;

    /* Never dispatched: removed during lowering, or no such type. */
do_set_label_32:
do_set_label_64:
do_insn_start_32:
do_insn_start_64:
do_nop_32:
do_nop_64:
do_ext32s_32:
do_ext32u_32:
do_extrl_i64_i32_64:
do_ext_i32_i64_32:
do_extu_i32_i64_32:
    abort();

#undef NEXT
#undef JUMP
#undef BINARY
#undef UNARY
#undef SEM1
#undef SEM2
}

static void interp_set_jump(TranslationBlock *tb, int n,
                            TranslationBlock *dest)
{
    /* The interpreter reads jmp_dest directly: nothing to patch. */
}

static bool interp_fault_position(CPUState *cpu, uintptr_t ra,
                                  TranslationBlock **tb, uint32_t *pos)
{
    TCGCPUState *tc = tcg_cpu(cpu);
    const InterpProgram *prog;

    if (!ra || !tc || !tc->interp_tb) {
        return false;
    }
    *tb = tc->interp_tb;
    prog = (*tb)->code;
    *pos = (const InterpOp *)tc->interp_op - prog->ops;
    return true;
}

const TCGBackend tcg_backend_interp = {
    .name = "interp",
    .gen_code = interp_gen_code,
    .exec = interp_exec,
    .set_jump = interp_set_jump,
    .fault_position = interp_fault_position,
};
