/*
 * accel/tcg/jit-check.c — `-accel tcg,backend=jit,check=on`: every TB runs
 * on the JIT and on the IR interpreter from the same state, and the first
 * TBs whose results differ are reported. The interpreter defines the IR's
 * meaning (interp.c), so a difference is a JIT bug.
 *
 * How one TB is checked:
 *   1. Save the architectural state (the target's TCGCPUOps.arch_state
 *      ranges, or the IR globals if it gives none).
 *   2. Run the JIT's code. Every guest store takes the slow path in this
 *      mode, which records the old bytes first (jit_check_note_store);
 *      an MMIO access (load or store) or a write to ROM makes the run
 *      impossible to replay, and the TB is then not checked.
 *   3. Save the JIT's results, put the old bytes back, restore the state
 *      and run the interpreter's program for the same TB.
 *   4. Compare exit code, next TB, raised exception, architectural state
 *      and the bytes the JIT stored. On a difference, run the interpreter
 *      once more from the same start: if it disagrees with itself, the TB
 *      is nondeterministic (it read a clock, or an interrupt line moved)
 *      and is not reported.
 * Execution continues from the interpreter's results. Chaining is off
 * (every TB returns to the CPU loop), so each TB is checked on its own.
 *
 * Limits: the inline store fast path is not exercised (stores always go
 * slow here; loads use the fast path), nor are goto_tb jumps (chaining is
 * off); TBs that touch MMIO are run once, on the JIT, unchecked; stores
 * made by helpers outside the slow paths are not undone (no RISC-V helper
 * makes any); a TB that the interpreter leaves at its exit-request check
 * is not compared (if only the interpreter stopped there, the JIT's run
 * is kept). It is slow: for finding JIT bugs, not for use.
 */
#include "accel/tcg/jit-internal.h"
#include "util/error.h"
#include "core/main-loop.h"
#include "util/log.h"

/* Mismatches reported in detail; the rest are counted. */
#define CHECK_MAX_REPORTS 10

typedef struct CheckTB {
    void *jit_code;
    TBInsnStart *jit_starts;
    uint32_t jit_nb_starts;
    void *interp_code;
    TBInsnStart *interp_starts;
    uint32_t interp_nb_starts;
} CheckTB;

typedef struct CheckStore {
    uint8_t *host;
    uint8_t size;
    uint64_t old;
    uint64_t new;       /* what the JIT stored (read back after its run) */
} CheckStore;

typedef struct CheckRange {
    uint32_t offset;
    uint32_t size;
} CheckRange;

typedef struct JitCheck {
    const TCGBackend *active;   /* which half runs now (fault_position) */
    bool recording;
    bool unreplayable;
    CheckStore *log;
    size_t nb_log, log_cap;
    /* The compared state: byte ranges of the CPU struct. */
    CheckRange *ranges;
    unsigned nb_ranges;
    size_t state_size;
    uint8_t *state[3];          /* start, after the JIT, after interp */
    uint64_t checked, unchecked, interrupted, nondet, mismatches;
} JitCheck;

static JitCheck *check_of(CPUState *cpu)
{
    return ((JitState *)tcg_cpu(cpu)->accel->backend_state)->check;
}

/* --- recording stores --- */

void jit_check_note_store(CPUState *cpu, uint64_t addr, unsigned size,
                          int mmu_idx, bool atomic, uintptr_t ra)
{
    JitCheck *ck = check_of(cpu);

    if (!ck->recording || ck->unreplayable) {
        return;
    }
    if (atomic && (addr & (size - 1))) {
        return;     /* raises before writing anything */
    }
    while (size) {
        unsigned room = TCG_PAGE_SIZE - (addr & ~TCG_PAGE_MASK);
        unsigned n = MIN(size, room);
        uint8_t *p = probe_access(cpu, addr, n, MMU_DATA_STORE, mmu_idx, ra);
        CheckStore *e;

        if (!p) {
            ck->unreplayable = true;    /* MMIO or ROM */
            return;
        }
        if (ck->nb_log == ck->log_cap) {
            ck->log_cap = ck->log_cap ? 2 * ck->log_cap : 64;
            ck->log = xrealloc(ck->log, ck->log_cap * sizeof(*ck->log));
        }
        e = &ck->log[ck->nb_log++];
        e->host = p;
        e->size = n;
        e->old = 0;
        memcpy(&e->old, p, n);
        addr += n;
        size -= n;
    }
}

static uint64_t check_load_slow(CPUState *cpu, uint64_t addr, MemOp memop,
                                int mmu_idx, uintptr_t ra)
{
    JitCheck *ck = check_of(cpu);
    uint64_t v = tlb_load_slow(cpu, addr, memop, mmu_idx, ra);
    uint64_t last = addr + memop_size(memop) - 1;

    if (ck->recording) {
        const CPUTLBEntry *t = cpu->tlb[mmu_idx].table;
        if ((t[tlb_index(addr)].addr_read & TLB_MMIO) ||
            (t[tlb_index(last)].addr_read & TLB_MMIO)) {
            ck->unreplayable = true;
        }
    }
    return v;
}

static void check_store_slow(CPUState *cpu, uint64_t addr, uint64_t val,
                             MemOp memop, int mmu_idx, uintptr_t ra)
{
    unsigned size = memop_size(memop);

    /* A misaligned MO_ALIGN store faults first and writes nothing. */
    if (!((memop & MO_ALIGN) && (addr & (size - 1)))) {
        jit_check_note_store(cpu, addr, size, mmu_idx, false, ra);
    }
    tlb_store_slow(cpu, addr, val, memop, mmu_idx, ra);
}

/* --- state --- */

static void check_setup_ranges(JitCheck *ck, CPUState *cpu, TCGContext *s)
{
    const TCGCPUOps *ops = cpu->ops->tcg_ops;

    for (unsigned i = 0; i < ARRAY_SIZE(ops->arch_state) &&
                         ops->arch_state[i].size; i++) {
        ck->ranges = xrealloc(ck->ranges, (ck->nb_ranges + 1) *
                                          sizeof(CheckRange));
        ck->ranges[ck->nb_ranges++] = (CheckRange) {
            ops->arch_state[i].offset, ops->arch_state[i].size,
        };
    }
    if (!ck->nb_ranges) {
        /* Without a description from the target: the IR globals. */
        for (unsigned g = 1; g <= s->nb_globals; g++) {
            const TCGTemp *t = &s->temps[g];
            ck->ranges = xrealloc(ck->ranges, (ck->nb_ranges + 1) *
                                              sizeof(CheckRange));
            ck->ranges[ck->nb_ranges++] = (CheckRange) {
                t->env_offset, t->type == TCG_TYPE_I64 ? 8 : 4,
            };
        }
    }
    /* Plus the generic fields a TB may change. */
    ck->ranges = xrealloc(ck->ranges, (ck->nb_ranges + 2) *
                                      sizeof(CheckRange));
    ck->ranges[ck->nb_ranges++] = (CheckRange) {
        offsetof(CPUState, exception_index), sizeof(int),
    };
    ck->ranges[ck->nb_ranges++] = (CheckRange) {
        offsetof(CPUState, halted), sizeof(bool),
    };
    for (unsigned i = 0; i < ck->nb_ranges; i++) {
        ck->state_size += ck->ranges[i].size;
    }
    for (unsigned i = 0; i < 3; i++) {
        ck->state[i] = xzalloc(ck->state_size);
    }
}

static void state_save(JitCheck *ck, CPUState *cpu, uint8_t *buf)
{
    for (unsigned i = 0; i < ck->nb_ranges; i++) {
        memcpy(buf, (uint8_t *)cpu + ck->ranges[i].offset,
               ck->ranges[i].size);
        buf += ck->ranges[i].size;
    }
}

static void state_restore(JitCheck *ck, CPUState *cpu, const uint8_t *buf)
{
    for (unsigned i = 0; i < ck->nb_ranges; i++) {
        memcpy((uint8_t *)cpu + ck->ranges[i].offset, buf,
               ck->ranges[i].size);
        buf += ck->ranges[i].size;
    }
}

static void stores_undo(JitCheck *ck)
{
    for (size_t i = ck->nb_log; i-- > 0;) {
        memcpy(ck->log[i].host, &ck->log[i].old, ck->log[i].size);
    }
}

static void stores_redo(JitCheck *ck)
{
    for (size_t i = 0; i < ck->nb_log; i++) {
        memcpy(ck->log[i].host, &ck->log[i].new, ck->log[i].size);
    }
}

/* --- running one half --- */

typedef struct CheckRun {
    TBExit exit;
    TranslationBlock *last;
    bool raised;
} CheckRun;

static void run_one(CPUState *cpu, TranslationBlock *tb,
                    const TCGBackend *be, void *code, TBInsnStart *starts,
                    uint32_t nb_starts, CheckRun *r)
{
    TCGCPUState *tc = tcg_cpu(cpu);
    JitCheck *ck = check_of(cpu);
    MainLoop *loop = cpu->machine->loop;

    tb->code = code;
    tb->insn_starts = starts;
    tb->nb_insn_starts = nb_starts;
    ck->active = be;
    r->raised = false;
    r->last = tb;
    r->exit = TB_EXIT_NOCHAIN;
    if (sigsetjmp(tc->jmp_env, 0) == 0) {
        TranslationBlock *last = NULL;
        r->exit = be->exec(cpu, tb, &last);
        r->last = last;
    } else {
        r->raised = true;
        tc->interp_tb = NULL;
        if (bql_held_by_me(loop)) {
            bql_unlock(loop);
        }
    }
}

static const char *global_name(TCGContext *s, uint32_t off)
{
    for (unsigned g = 1; g <= s->nb_globals; g++) {
        if ((uint32_t)s->temps[g].env_offset == off) {
            return s->temps[g].name;
        }
    }
    return NULL;
}

static void report(JitCheck *ck, CPUState *cpu, TranslationBlock *tb,
                   const CheckRun *rj, const CheckRun *ri)
{
    TCGContext *s = tcg_cpu(cpu)->accel->ctx;
    const uint8_t *sj = ck->state[1], *si = ck->state[2], *s0 = ck->state[0];
    size_t at = 0;

    error_report("jit check: TB at 0x%" PRIx64 " (flags 0x%x, %u insns) "
                 "differs from the interpreter", tb->pc, tb->flags,
                 tb->icount);
    if (rj->raised != ri->raised || rj->exit != ri->exit ||
        rj->last != ri->last) {
        fprintf(stderr, "  exit: jit %s %d tb %p, interp %s %d tb %p\n",
                rj->raised ? "raised" : "exit", rj->exit, (void *)rj->last,
                ri->raised ? "raised" : "exit", ri->exit, (void *)ri->last);
    }
    for (unsigned i = 0; i < ck->nb_ranges; i++) {
        const CheckRange *r = &ck->ranges[i];
        for (uint32_t k = 0; k < r->size; k += 8) {
            unsigned n = MIN(8u, r->size - k);
            uint64_t a = 0, b = 0, o = 0;
            const char *name = global_name(s, r->offset + k);

            memcpy(&a, sj + at + k, n);
            memcpy(&b, si + at + k, n);
            memcpy(&o, s0 + at + k, n);
            if (a != b) {
                fprintf(stderr, "  %s%s env+0x%x: before 0x%" PRIx64
                        ", jit 0x%" PRIx64 ", interp 0x%" PRIx64 "\n",
                        name ? name : "", name ? " at" : "",
                        r->offset + k, o, a, b);
            }
        }
        at += r->size;
    }
    for (size_t i = 0; i < ck->nb_log; i++) {
        uint64_t now = 0;
        memcpy(&now, ck->log[i].host, ck->log[i].size);
        if (now != ck->log[i].new) {
            fprintf(stderr, "  memory %p (%u bytes): before 0x%" PRIx64
                    ", jit 0x%" PRIx64 ", interp 0x%" PRIx64 "\n",
                    (void *)ck->log[i].host, ck->log[i].size,
                    ck->log[i].old, ck->log[i].new, now);
        }
    }
    fprintf(stderr, "  (rerun with -d in_asm,op_opt,out_asm to see the "
            "TB's guest code, IR and host code)\n");
}

static bool same_results(JitCheck *ck, const CheckRun *a, const uint8_t *sa,
                         const CheckRun *b, const uint8_t *sb, bool mem)
{
    if (a->raised != b->raised ||
        (!a->raised && (a->exit != b->exit || a->last != b->last)) ||
        memcmp(sa, sb, ck->state_size)) {
        return false;
    }
    for (size_t i = 0; mem && i < ck->nb_log; i++) {
        uint64_t now = 0;
        memcpy(&now, ck->log[i].host, ck->log[i].size);
        if (now != ck->log[i].new) {
            return false;
        }
    }
    return true;
}

static TBExit check_exec(CPUState *cpu, TranslationBlock *tb,
                         TranslationBlock **last)
{
    TCGCPUState *tc = tcg_cpu(cpu);
    JitCheck *ck = check_of(cpu);
    CheckTB *ct = tb->code;
    sigjmp_buf outer;
    CheckRun rj, ri, rc;
    const CheckRun *final;

    if (!ck->state_size) {
        check_setup_ranges(ck, cpu, tc->accel->ctx);
    }
    memcpy(&outer, &tc->jmp_env, sizeof(outer));
    state_save(ck, cpu, ck->state[0]);

    ck->nb_log = 0;
    ck->unreplayable = false;
    ck->recording = true;
    run_one(cpu, tb, &tcg_backend_jit, ct->jit_code, ct->jit_starts,
            ct->jit_nb_starts, &rj);
    ck->recording = false;
    final = &rj;
    if (ck->unreplayable) {
        ck->unchecked++;
        goto out;
    }
    state_save(ck, cpu, ck->state[1]);
    for (size_t i = 0; i < ck->nb_log; i++) {
        ck->log[i].new = 0;
        memcpy(&ck->log[i].new, ck->log[i].host, ck->log[i].size);
    }

    stores_undo(ck);
    state_restore(ck, cpu, ck->state[0]);
    run_one(cpu, tb, &tcg_backend_interp, ct->interp_code,
            ct->interp_starts, ct->interp_nb_starts, &ri);
    final = &ri;
    state_save(ck, cpu, ck->state[2]);
    if (!ri.raised && ri.exit == TB_EXIT_REQUESTED &&
        !(!rj.raised && rj.exit == TB_EXIT_REQUESTED)) {
        /*
         * An exit request arrived after the JIT's run (perhaps made by it:
         * reading the time can kick the CPU). Keep the JIT's results, or
         * a TB that always kicks would never make progress.
         */
        ck->interrupted++;
        stores_redo(ck);
        state_restore(ck, cpu, ck->state[1]);
        final = &rj;
        goto out;
    }
    if (!rj.raised && rj.exit == TB_EXIT_REQUESTED) {
        ck->interrupted++;      /* the interpreter's run stands */
        goto out;
    }
    if (same_results(ck, &rj, ck->state[1], &ri, ck->state[2], true)) {
        ck->checked++;
        goto out;
    }
    /* Does the interpreter agree with itself? */
    {
        uint8_t *mine = xmalloc(ck->state_size);
        uint64_t *mem = XNEW_ARRAY(uint64_t, MAX(ck->nb_log, (size_t)1));

        memcpy(mine, ck->state[2], ck->state_size);
        for (size_t i = 0; i < ck->nb_log; i++) {
            memcpy(&mem[i], ck->log[i].host, ck->log[i].size);
        }
        stores_undo(ck);
        state_restore(ck, cpu, ck->state[0]);
        run_one(cpu, tb, &tcg_backend_interp, ct->interp_code,
                ct->interp_starts, ct->interp_nb_starts, &rc);
        final = &rc;
        state_save(ck, cpu, ck->state[2]);
        if (!same_results(ck, &ri, mine, &rc, ck->state[2], false)) {
            ck->nondet++;
        } else {
            bool mem_same = true;
            for (size_t i = 0; i < ck->nb_log; i++) {
                uint64_t now = 0;
                memcpy(&now, ck->log[i].host, ck->log[i].size);
                mem_same &= now == mem[i];
            }
            if (!mem_same) {
                ck->nondet++;
            } else if (ck->mismatches++ < CHECK_MAX_REPORTS) {
                report(ck, cpu, tb, &rj, &rc);
            }
        }
        free(mine);
        free(mem);
    }
out:
    tb->code = ct;
    tb->insn_starts = ct->jit_starts;
    tb->nb_insn_starts = ct->jit_nb_starts;
    ck->active = NULL;
    memcpy(&tc->jmp_env, &outer, sizeof(outer));
    if (final->raised) {
        cpu_loop_exit(cpu);     /* deliver the exception the run raised */
    }
    *last = tb;                 /* no chaining: always this TB */
    return final->exit;
}

/* --- the backend --- */

static int check_gen_code(TCGAccel *accel, TCGContext *s,
                          TranslationBlock *tb)
{
    CheckTB ct;
    CheckTB *p;
    int ret = tcg_backend_jit.gen_code(accel, s, tb);

    if (ret) {
        return ret;
    }
    ct.jit_code = tb->code;
    ct.jit_starts = tb->insn_starts;
    ct.jit_nb_starts = tb->nb_insn_starts;
    ret = tcg_backend_interp.gen_code(accel, s, tb);
    if (ret) {
        return ret;
    }
    ct.interp_code = tb->code;
    ct.interp_starts = tb->insn_starts;
    ct.interp_nb_starts = tb->nb_insn_starts;
    p = tb_region_alloc(accel, sizeof(*p));
    if (!p) {
        return -ENOSPC;
    }
    *p = ct;
    tb->code = p;
    tb->insn_starts = ct.jit_starts;
    tb->nb_insn_starts = ct.jit_nb_starts;
    return 0;
}

static void check_set_jump(TranslationBlock *tb, int n,
                           TranslationBlock *dest)
{
    /* Never linked: the CPU loop runs with CF_NO_GOTO_TB. */
}

static bool check_fault_position(CPUState *cpu, uintptr_t ra,
                                 TranslationBlock **tb, uint32_t *pos)
{
    JitCheck *ck = check_of(cpu);

    return ck->active && ck->active->fault_position(cpu, ra, tb, pos);
}

static bool check_init(TCGAccel *accel, Error **errp)
{
    JitState *js;

    if (!tcg_backend_jit.init(accel, errp)) {
        return false;
    }
    js = accel->backend_state;
    js->check = XNEW(JitCheck);
    js->ld_slow = (const void *)check_load_slow;
    js->st_slow = (const void *)check_store_slow;
    return true;
}

static void check_destroy(TCGAccel *accel)
{
    JitState *js = accel->backend_state;
    JitCheck *ck = js ? js->check : NULL;

    if (ck) {
        fprintf(stderr, "jit check: %" PRIu64 " TB runs compared, %" PRIu64
                " mismatched, %" PRIu64 " nondeterministic, %" PRIu64
                " not replayable (MMIO), %" PRIu64 " interrupted\n",
                ck->checked + ck->mismatches + ck->nondet, ck->mismatches,
                ck->nondet, ck->unchecked, ck->interrupted);
        free(ck->log);
        free(ck->ranges);
        for (unsigned i = 0; i < 3; i++) {
            free(ck->state[i]);
        }
        free(ck);
        js->check = NULL;
    }
    tcg_backend_jit.destroy(accel);
}

const TCGBackend tcg_backend_check = {
    .name = "check",
    .init = check_init,
    .destroy = check_destroy,
    .gen_code = check_gen_code,
    .exec = check_exec,
    .set_jump = check_set_jump,
    .fault_position = check_fault_position,
    .exec_region = true,
    .no_chaining = true,
};
