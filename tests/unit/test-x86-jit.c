/*
 * tests/unit/test-x86-jit.c — the x86-64 JIT against the IR interpreter.
 *
 * The interpreter defines what IR means, so the JIT is tested by running
 * the same op lists on both and comparing the results: random programs
 * over every op and both types, with edge-case constants (0, -1, MIN,
 * shift counts at and past the width, division by zero and MIN / -1),
 * forward branches, more live values than host registers (spills), helper
 * calls with each kind of flag, env ld/st (also on a global's bytes), and
 * guest loads, stores and atomics through the TLB fast path. Each program
 * runs from several random starting states, with and without the
 * optimizer, and again with the host's optional instructions turned off
 * (VIREO_JIT_NO), so the fallback sequences are tested on any host.
 *
 * A few hand-written cases check the encoder on its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "accel/tcg/jit-internal.h"
#include "accel/tcg/tcg-op.h"
#include "hw/core/machine.h"
#include "util/error.h"
#include "util/log.h"

#define NG64 8          /* i64 globals */
#define NG32 4          /* i32 globals */
#define NFIELD 4        /* env fields reached with ld/st */
#define GUEST_PAGE 0x40000000ull

typedef struct TestCPU {
    CPUState parent;
    uint64_t g[NG64];
    uint32_t w[NG32];
    uint64_t field[NFIELD];
    uint64_t helper_calls;
} TestCPU;

/* What a run leaves behind, compared between the backends. */
typedef struct Result {
    uint64_t g[NG64];
    uint32_t w[NG32];
    uint64_t field[NFIELD];
    uint64_t helper_calls;
    uint8_t mem[TCG_PAGE_SIZE];
    TBExit exit;
} Result;

typedef struct Fixture {
    Machine *machine;
    TCGAccel *accel;
    TestCPU *cpu;
    TCGCPUState *tc;
    TCGContext *s;
    uint32_t g[NG64], w[NG32];
    uint8_t *page;
    uint64_t rng;
    Log log;                    /* -d out_asm for a failing program */
} Fixture;

static uint64_t rnd(Fixture *f)
{
    /* xorshift64* */
    f->rng ^= f->rng >> 12;
    f->rng ^= f->rng << 25;
    f->rng ^= f->rng >> 27;
    return f->rng * 0x2545f4914f6cdd1dull;
}

static unsigned rndn(Fixture *f, unsigned n)
{
    return rnd(f) % n;
}

/* --- helpers the programs call --- */

static uint64_t helper_pure_mix(uint64_t a, uint64_t b)
{
    return (a * 0x9e3779b97f4a7c15ull) ^ (b >> 3);
}

static uint64_t helper_reads(CPUState *cs, uint64_t a)
{
    TestCPU *cpu = (TestCPU *)cs;
    cpu->helper_calls++;
    return cpu->g[1] + cpu->w[0] + a;
}

static void helper_writes(CPUState *cs, uint64_t a, uint32_t b)
{
    TestCPU *cpu = (TestCPU *)cs;
    cpu->helper_calls++;
    cpu->g[2] ^= a;
    cpu->w[1] += b;
}

static uint32_t helper_six(CPUState *cs, uint32_t a, uint64_t b, uint32_t c,
                           uint64_t d, uint64_t e)
{
    (void)cs;
    return (uint32_t)(a * 3 + b * 5 + c * 7 + d * 11 + e * 13);
}

static const TCGHelperInfo info_pure_mix = {
    .name = "pure_mix", .func = (void *)helper_pure_mix,
    .flags = TCG_CALL_PURE, .nargs = 2, .ret = TCG_HARG_I64,
    .args = { TCG_HARG_I64, TCG_HARG_I64 },
};
static const TCGHelperInfo info_reads = {
    .name = "reads", .func = (void *)helper_reads,
    .flags = TCG_CALL_READS_GLOBALS, .nargs = 2, .ret = TCG_HARG_I64,
    .args = { TCG_HARG_ENV, TCG_HARG_I64 },
};
static const TCGHelperInfo info_writes = {
    .name = "writes", .func = (void *)helper_writes,
    .flags = TCG_CALL_READS_GLOBALS | TCG_CALL_WRITES_GLOBALS, .nargs = 3,
    .ret = TCG_HARG_VOID, .args = { TCG_HARG_ENV, TCG_HARG_I64, TCG_HARG_I32 },
};
static const TCGHelperInfo info_six = {
    .name = "six", .func = (void *)helper_six, .flags = 0, .nargs = 6,
    .ret = TCG_HARG_I32,
    .args = { TCG_HARG_ENV, TCG_HARG_I32, TCG_HARG_I64, TCG_HARG_I32,
              TCG_HARG_I64, TCG_HARG_I64 },
};

/* --- fixture --- */

static void fixture_open(Fixture *f, bool no_host_features)
{
    Error *err = NULL;

    memset(f, 0, sizeof(*f));
    f->rng = 0x1234567887654321ull;
    if (no_host_features) {
        setenv("VIREO_JIT_NO", "lzcnt,bmi1,bmi2,popcnt", 1);
    } else {
        unsetenv("VIREO_JIT_NO");
    }
    f->machine = XNEW(Machine);
    f->accel = XNEW(TCGAccel);
    f->accel->machine = f->machine;
    f->accel->backend = &tcg_backend_jit;
    f->accel->tb_size = 16 * MiB;
    if (!tb_maint_init(f->accel, &err) ||
        !tcg_backend_jit.init(f->accel, &err)) {
        fail_msg("jit init: %s", error_get_pretty(err));
    }
    unsetenv("VIREO_JIT_NO");

    f->cpu = XNEW(TestCPU);
    f->tc = XNEW(TCGCPUState);
    f->tc->accel = f->accel;
    f->cpu->parent.accel_cpu = f->tc;
    tlb_init_cpu(&f->cpu->parent);
    f->page = aligned_alloc(TCG_PAGE_SIZE, TCG_PAGE_SIZE);
    {
        CPUTLBEntry *e = &f->cpu->parent.tlb[0].table[tlb_index(GUEST_PAGE)];
        e->addr_read = e->addr_write = GUEST_PAGE;
        e->addend = (uintptr_t)f->page - GUEST_PAGE;
    }

    log_init(&f->log);
    f->s = tcg_context_new(&f->log);
    for (unsigned i = 0; i < NG64; i++) {
        static const char *const names[NG64] = {
            "g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7",
        };
        f->g[i] = tcg_global_mem_new_i64(f->s, offsetof(TestCPU, g[i]),
                                         names[i]).idx;
    }
    for (unsigned i = 0; i < NG32; i++) {
        static const char *const names[NG32] = { "w0", "w1", "w2", "w3" };
        f->w[i] = tcg_global_mem_new_i32(f->s, offsetof(TestCPU, w[i]),
                                         names[i]).idx;
    }
}

static void fixture_close(Fixture *f)
{
    tcg_context_free(f->s);
    tlb_destroy_cpu(&f->cpu->parent);
    tcg_backend_jit.destroy(f->accel);
    tb_maint_destroy(f->accel);
    free(f->page);
    free(f->cpu);
    free(f->tc);
    free(f->accel);
    free(f->machine);
}

static void state_random(Fixture *f, uint64_t *st, size_t n)
{
    static const uint64_t special[] = {
        0, 1, 2, 31, 32, 63, 64, 0x7fffffff, 0x80000000, 0xffffffff,
        0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
        ~0ull, ~1ull, 0xffffffff80000000ull,
    };
    for (size_t i = 0; i < n; i++) {
        st[i] = rndn(f, 3) ? rnd(f) >> rndn(f, 64)
                           : special[rndn(f, ARRAY_SIZE(special))];
    }
}

typedef struct Start {
    uint64_t v[NG64 + NG32 + NFIELD];
    uint8_t mem[TCG_PAGE_SIZE];
} Start;

static void load_start(Fixture *f, const Start *st)
{
    TestCPU *cpu = f->cpu;

    for (unsigned i = 0; i < NG64; i++) {
        cpu->g[i] = st->v[i];
    }
    for (unsigned i = 0; i < NG32; i++) {
        cpu->w[i] = st->v[NG64 + i];
    }
    for (unsigned i = 0; i < NFIELD; i++) {
        cpu->field[i] = st->v[NG64 + NG32 + i];
    }
    cpu->helper_calls = 0;
    memcpy(f->page, st->mem, TCG_PAGE_SIZE);
    memset(cpu->parent.tcg_frame, 0x5a, sizeof(cpu->parent.tcg_frame));
}

static void save_result(Fixture *f, Result *r, TBExit exit)
{
    TestCPU *cpu = f->cpu;

    memcpy(r->g, cpu->g, sizeof(r->g));
    memcpy(r->w, cpu->w, sizeof(r->w));
    memcpy(r->field, cpu->field, sizeof(r->field));
    r->helper_calls = cpu->helper_calls;
    memcpy(r->mem, f->page, TCG_PAGE_SIZE);
    r->exit = exit;
}

/* Translate the op list in f->s with @be and run it once per start. */
static TranslationBlock *gen(Fixture *f, const TCGBackend *be)
{
    TranslationBlock *tb = tb_region_alloc(f->accel, sizeof(*tb));
    int ret;

    assert_non_null(tb);
    memset(tb, 0, sizeof(*tb));
    tb->cflags = CF_NO_GOTO_TB;
    ret = be->gen_code(f->accel, f->s, tb);
    assert_int_equal(ret, 0);
    return tb;
}

static void run(Fixture *f, const TCGBackend *be, TranslationBlock *tb,
                const Start *st, Result *r)
{
    TranslationBlock *last = NULL;
    TBExit exit;

    load_start(f, st);
    exit = be->exec(&f->cpu->parent, tb, &last);
    assert_ptr_equal(last, tb);
    save_result(f, r, exit);
}

/* --- random programs --- */

typedef struct Gen {
    Fixture *f;
    TCGContext *s;
    /* Values readable now, per type: temp indices. */
    uint32_t avail[2][64];
    unsigned navail[2];
    unsigned nb_fixed[2];       /* globals and tb temps: always readable */
    uint32_t tb_temps[2][4];
} Gen;

static const uint64_t const_pool[] = {
    0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 255, 0xff00,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
    0x8000000000000000ull, ~0ull, ~1ull, 0xfffffffffffff000ull, 0x12345678,
    0xffffffff80000000ull, 0xdeadbeefcafebabeull, 0xfff, 0xff8,
};

static uint32_t pick(Gen *g, TCGType t)
{
    Fixture *f = g->f;

    if (rndn(f, 4) == 0) {
        uint64_t v = rndn(f, 2) ? const_pool[rndn(f, ARRAY_SIZE(const_pool))]
                                : rnd(f) >> rndn(f, 64);
        return tcg_constant_idx(g->s, t, v);
    }
    return g->avail[t][rndn(f, g->navail[t])];
}

/* A destination: a global, a tb temp, an existing or a new ebb temp. */
static uint32_t dest(Gen *g, TCGType t)
{
    Fixture *f = g->f;
    unsigned k = rndn(f, 8);

    if (k < 2) {
        return g->avail[t][rndn(f, g->nb_fixed[t])];
    }
    if (k < 4 && g->navail[t] > g->nb_fixed[t]) {
        return g->avail[t][g->nb_fixed[t] +
                           rndn(f, g->navail[t] - g->nb_fixed[t])];
    }
    if (g->navail[t] < ARRAY_SIZE(g->avail[t])) {
        uint32_t idx = t == TCG_TYPE_I64 ? tcg_temp_new_i64(g->s).idx
                                         : tcg_temp_new_i32(g->s).idx;
        g->avail[t][g->navail[t]++] = idx;
        return idx;
    }
    return g->avail[t][rndn(f, g->navail[t])];
}

static void emit(Gen *g, TCGOpcode opc, TCGType t, const uint64_t *a,
                 unsigned n)
{
    tcg_emit_op(g->s, opc, t, a, n);
}

static void gen_one(Gen *g, unsigned *labels_open, TCGLabel *labels)
{
    static const TCGOpcode bin[] = {
        INDEX_op_add, INDEX_op_sub, INDEX_op_mul, INDEX_op_mulsh,
        INDEX_op_muluh, INDEX_op_div, INDEX_op_divu, INDEX_op_rem,
        INDEX_op_remu, INDEX_op_and, INDEX_op_or, INDEX_op_xor,
        INDEX_op_andc, INDEX_op_orc, INDEX_op_eqv, INDEX_op_shl,
        INDEX_op_shr, INDEX_op_sar, INDEX_op_rotl, INDEX_op_rotr,
    };
    static const TCGOpcode un[] = {
        INDEX_op_mov, INDEX_op_neg, INDEX_op_not, INDEX_op_clz,
        INDEX_op_ctz, INDEX_op_ctpop, INDEX_op_bswap, INDEX_op_ext8s,
        INDEX_op_ext8u, INDEX_op_ext16s, INDEX_op_ext16u, INDEX_op_ext32s,
        INDEX_op_ext32u,
    };
    Fixture *f = g->f;
    TCGType t = rndn(f, 2) ? TCG_TYPE_I64 : TCG_TYPE_I32;
    uint64_t a[8];
    unsigned k = rndn(f, 100);

    if (k < 40) {
        TCGOpcode opc = bin[rndn(f, ARRAY_SIZE(bin))];
        a[1] = pick(g, t);
        a[2] = pick(g, t);
        a[0] = dest(g, t);
        emit(g, opc, t, a, 3);
    } else if (k < 55) {
        TCGOpcode opc = un[rndn(f, ARRAY_SIZE(un))];
        if ((opc == INDEX_op_ext32s || opc == INDEX_op_ext32u)) {
            t = TCG_TYPE_I64;
        }
        a[1] = pick(g, t);
        a[0] = dest(g, t);
        emit(g, opc, t, a, 2);
    } else if (k < 60) {
        /* Conversions. */
        switch (rndn(f, 3)) {
        case 0:
            a[1] = pick(g, TCG_TYPE_I64);
            a[0] = dest(g, TCG_TYPE_I32);
            emit(g, INDEX_op_extrl_i64_i32, TCG_TYPE_I32, a, 2);
            break;
        case 1:
            a[1] = pick(g, TCG_TYPE_I32);
            a[0] = dest(g, TCG_TYPE_I64);
            emit(g, INDEX_op_ext_i32_i64, TCG_TYPE_I64, a, 2);
            break;
        default:
            a[1] = pick(g, TCG_TYPE_I32);
            a[0] = dest(g, TCG_TYPE_I64);
            emit(g, INDEX_op_extu_i32_i64, TCG_TYPE_I64, a, 2);
            break;
        }
    } else if (k < 66) {
        a[1] = pick(g, t);
        a[2] = pick(g, t);
        a[0] = dest(g, t);
        a[3] = rndn(f, 12);
        emit(g, INDEX_op_setcond, t, a, 4);
    } else if (k < 72) {
        a[1] = pick(g, t);
        a[2] = pick(g, t);
        a[3] = pick(g, t);
        a[4] = pick(g, t);
        a[0] = dest(g, t);
        a[5] = rndn(f, 12);
        emit(g, INDEX_op_movcond, t, a, 6);
    } else if (k < 76) {
        /* env fields, sometimes a global's own bytes. */
        static const MemOp ops[] = { MO_UB, MO_SB, MO_UW, MO_SW, MO_UL,
                                     MO_SL, MO_UQ };
        MemOp mo = ops[rndn(f, t == TCG_TYPE_I64 ? 7 : 5)];
        uint32_t off = rndn(f, 3) ? offsetof(TestCPU, field[rndn(f, NFIELD)])
                                  : offsetof(TestCPU, g[rndn(f, NG64)]);
        if (rndn(f, 2)) {
            a[0] = dest(g, t);
            a[1] = off;
            a[2] = mo;
            emit(g, INDEX_op_ld, t, a, 3);
        } else {
            a[0] = pick(g, t);
            a[1] = off;
            a[2] = mo & MO_SIZE;
            emit(g, INDEX_op_st, t, a, 3);
        }
    } else if (k < 84) {
        /* Guest memory on the mapped page: addr = page + (x & 0xff8). */
        uint32_t addr = tcg_temp_new_i64(g->s).idx;
        uint64_t b[3] = { addr, pick(g, TCG_TYPE_I64),
                          tcg_constant_idx(g->s, TCG_TYPE_I64, 0xff8) };
        MemOp mo = rndn(f, 4) | (rndn(f, 2) ? MO_SIGN : 0);
        if ((mo & MO_SIZE) == MO_64 || (t == TCG_TYPE_I32 &&
                                        (mo & MO_SIZE) == MO_32)) {
            mo &= ~MO_SIGN;
        }
        if (t == TCG_TYPE_I32 && (mo & MO_SIZE) == MO_64) {
            mo = MO_UL;
        }
        emit(g, INDEX_op_and, TCG_TYPE_I64, b, 3);
        b[1] = addr;
        b[2] = tcg_constant_idx(g->s, TCG_TYPE_I64, GUEST_PAGE);
        emit(g, INDEX_op_add, TCG_TYPE_I64, b, 3);
        switch (rndn(f, 4)) {
        case 0:
            a[0] = pick(g, t);
            a[1] = addr;
            a[2] = mo & MO_SIZE;
            a[3] = 0;
            emit(g, INDEX_op_qemu_st, t, a, 4);
            break;
        case 1:
            a[1] = addr;
            a[2] = pick(g, t);
            a[3] = pick(g, t);
            a[0] = dest(g, t);
            a[4] = t == TCG_TYPE_I64 ? MO_UQ : MO_UL;
            a[5] = 0;
            emit(g, INDEX_op_atomic_cmpxchg, t, a, 6);
            break;
        case 2:
            a[1] = addr;
            a[2] = pick(g, t);
            a[0] = dest(g, t);
            a[3] = rndn(f, 9);
            a[4] = t == TCG_TYPE_I64 ? MO_UQ : MO_UL;
            a[5] = 0;
            emit(g, INDEX_op_atomic_rmw, t, a, 6);
            break;
        default:
            a[1] = addr;
            a[0] = dest(g, t);
            a[2] = mo;
            a[3] = 0;
            emit(g, INDEX_op_qemu_ld, t, a, 4);
            break;
        }
    } else if (k < 90) {
        /* Helper calls of each kind (arguments before the result, which
         * may be a new temp). */
        uint32_t r, x[5];
        switch (rndn(f, 4)) {
        case 0:
            x[0] = pick(g, TCG_TYPE_I64);
            x[1] = pick(g, TCG_TYPE_I64);
            r = dest(g, TCG_TYPE_I64);
            tcg_gen_call(g->s, &info_pure_mix, r, x, 2);
            break;
        case 1:
            x[0] = pick(g, TCG_TYPE_I64);
            r = dest(g, TCG_TYPE_I64);
            tcg_gen_call(g->s, &info_reads, r, x, 1);
            break;
        case 2:
            x[0] = pick(g, TCG_TYPE_I64);
            x[1] = pick(g, TCG_TYPE_I32);
            tcg_gen_call(g->s, &info_writes, 0, x, 2);
            break;
        default:
            x[0] = pick(g, TCG_TYPE_I32);
            x[1] = pick(g, TCG_TYPE_I64);
            x[2] = pick(g, TCG_TYPE_I32);
            x[3] = pick(g, TCG_TYPE_I64);
            x[4] = pick(g, TCG_TYPE_I64);
            r = dest(g, TCG_TYPE_I32);
            tcg_gen_call(g->s, &info_six, r, x, 5);
            break;
        }
    } else if (k < 96 && *labels_open < 4) {
        /* A forward conditional branch over the next few ops. */
        TCGLabel l = gen_new_label(g->s);
        a[0] = pick(g, t);
        a[1] = pick(g, t);
        a[2] = rndn(f, 12);
        a[3] = l.id;
        emit(g, INDEX_op_brcond, t, a, 4);
        labels[(*labels_open)++] = l;
    } else if (*labels_open) {
        /* Close the innermost branch: ebb temps die here. */
        tcg_gen_set_label(g->s, labels[--*labels_open]);
        g->navail[0] = g->nb_fixed[0];
        g->navail[1] = g->nb_fixed[1];
    }
}

static void gen_program(Gen *g, unsigned nops)
{
    Fixture *f = g->f;
    TCGLabel labels[4];
    unsigned open = 0;

    tcg_context_reset(f->s);
    g->s = f->s;
    g->navail[0] = g->navail[1] = 0;
    for (unsigned i = 0; i < NG32; i++) {
        g->avail[TCG_TYPE_I32][g->navail[0]++] = f->w[i];
    }
    for (unsigned i = 0; i < NG64; i++) {
        g->avail[TCG_TYPE_I64][g->navail[1]++] = f->g[i];
    }
    /* tb temps, written first so that every path reads a value. */
    for (unsigned i = 0; i < 2; i++) {
        uint32_t t32 = tcg_temp_new_tb_i32(g->s).idx;
        uint32_t t64 = tcg_temp_new_tb_i64(g->s).idx;
        tcg_emit_t1(g->s, INDEX_op_mov, TCG_TYPE_I32, t32, f->w[i]);
        tcg_emit_t1(g->s, INDEX_op_mov, TCG_TYPE_I64, t64, f->g[i + 3]);
        g->avail[TCG_TYPE_I32][g->navail[0]++] = t32;
        g->avail[TCG_TYPE_I64][g->navail[1]++] = t64;
        g->tb_temps[0][i] = t32;
        g->tb_temps[1][i] = t64;
    }
    g->nb_fixed[0] = g->navail[0];
    g->nb_fixed[1] = g->navail[1];
    for (unsigned n = 0; n < nops; n++) {
        gen_one(g, &open, labels);
    }
    while (open) {
        tcg_gen_set_label(g->s, labels[--open]);
    }
    /* Make the tb temps visible. */
    for (unsigned i = 0; i < 2; i++) {
        uint64_t a[3] = { f->g[6 + i], f->g[6 + i], g->tb_temps[1][i] };
        tcg_emit_op(g->s, INDEX_op_xor, TCG_TYPE_I64, a, 3);
        a[0] = a[1] = f->w[2 + i];
        a[2] = g->tb_temps[0][i];
        tcg_emit_op(g->s, INDEX_op_add, TCG_TYPE_I32, a, 3);
    }
    tcg_gen_exit_tb(g->s, TB_EXIT_IDX1);
}

static void dump_program(Fixture *f)
{
    tcg_dump_ops(f->s, stderr);
}

static void compare(Fixture *f, const Result *ri, const Result *rj,
                    unsigned prog, unsigned start, const Start *st)
{
    bool same = ri->exit == rj->exit &&
                !memcmp(ri->g, rj->g, sizeof(ri->g)) &&
                !memcmp(ri->w, rj->w, sizeof(ri->w)) &&
                !memcmp(ri->field, rj->field, sizeof(ri->field)) &&
                ri->helper_calls == rj->helper_calls &&
                !memcmp(ri->mem, rj->mem, sizeof(ri->mem));

    if (same) {
        return;
    }
    dump_program(f);
    for (unsigned i = 0; i < ARRAY_SIZE(st->v); i++) {
        fprintf(stderr, "start %s%u = 0x%" PRIx64 "\n",
                i < NG64 ? "g" : i < NG64 + NG32 ? "w" : "field",
                i < NG64 ? i : i < NG64 + NG32 ? i - NG64 : i - NG64 - NG32,
                st->v[i]);
    }
    f->log.mask = LOG_OUT_ASM;
    gen(f, &tcg_backend_jit);
    f->log.mask = 0;
    for (unsigned i = 0; i < NG64; i++) {
        if (ri->g[i] != rj->g[i]) {
            fprintf(stderr, "g%u: interp 0x%" PRIx64 " jit 0x%" PRIx64 "\n",
                    i, ri->g[i], rj->g[i]);
        }
    }
    for (unsigned i = 0; i < NG32; i++) {
        if (ri->w[i] != rj->w[i]) {
            fprintf(stderr, "w%u: interp 0x%x jit 0x%x\n", i, ri->w[i],
                    rj->w[i]);
        }
    }
    for (unsigned i = 0; i < NFIELD; i++) {
        if (ri->field[i] != rj->field[i]) {
            fprintf(stderr, "field%u: interp 0x%" PRIx64 " jit 0x%" PRIx64
                    "\n", i, ri->field[i], rj->field[i]);
        }
    }
    for (unsigned i = 0; i < TCG_PAGE_SIZE; i++) {
        if (ri->mem[i] != rj->mem[i]) {
            fprintf(stderr, "mem[0x%x]: interp 0x%02x jit 0x%02x\n", i,
                    ri->mem[i], rj->mem[i]);
        }
    }
    fail_msg("program %u, start %u: the JIT differs from the interpreter "
             "(exit %d vs %d, helper calls %" PRIu64 " vs %" PRIu64 ")",
             prog, start, ri->exit, rj->exit, ri->helper_calls,
             rj->helper_calls);
}

static void differential(bool no_host_features, bool optimize,
                         unsigned programs, unsigned nops)
{
    Fixture f;
    Gen g = { .f = &f };
    Start *starts = XNEW_ARRAY(Start, 4);
    Result *ri = XNEW(Result), *rj = XNEW(Result);
    Error *err = NULL;

    /* VIREO_JIT_TEST_SEED / VIREO_JIT_TEST_SCALE: longer soaks by hand. */
    const char *seed = getenv("VIREO_JIT_TEST_SEED");
    const char *scale = getenv("VIREO_JIT_TEST_SCALE");

    fixture_open(&f, no_host_features);
    f.rng ^= (uint64_t)no_host_features << 40 | (uint64_t)optimize << 41;
    if (seed) {
        f.rng ^= strtoull(seed, NULL, 0) * 0x9e3779b97f4a7c15ull;
    }
    if (scale) {
        programs *= strtoul(scale, NULL, 0);
    }
    for (unsigned p = 0; p < programs; p++) {
        TranslationBlock *tbi, *tbj;

        gen_program(&g, nops);
        if (!tcg_verify(f.s, &err)) {
            dump_program(&f);
            fail_msg("generated program does not verify: %s",
                     error_get_pretty(err));
        }
        if (optimize) {
            tcg_optimize(f.s);
        }
        if (f.accel->region_used > f.accel->region_size / 2) {
            tb_flush_now(f.accel);
        }
        tbi = gen(&f, &tcg_backend_interp);
        tbj = gen(&f, &tcg_backend_jit);
        for (unsigned k = 0; k < 4; k++) {
            state_random(&f, starts[k].v, ARRAY_SIZE(starts[k].v));
            for (unsigned i = 0; i < TCG_PAGE_SIZE; i += 8) {
                uint64_t v = rnd(&f);
                memcpy(&starts[k].mem[i], &v, 8);
            }
            run(&f, &tcg_backend_interp, tbi, &starts[k], ri);
            run(&f, &tcg_backend_jit, tbj, &starts[k], rj);
            compare(&f, ri, rj, p, k, &starts[k]);
        }
    }
    fixture_close(&f);
    free(starts);
    free(ri);
    free(rj);
}

static void test_random_programs(void **state)
{
    differential(false, false, 1500, 40);
}

static void test_random_programs_optimized(void **state)
{
    differential(false, true, 1500, 40);
}

static void test_random_long_programs(void **state)
{
    /* Many live values at once: spills, evictions, reloads. */
    differential(false, false, 150, 400);
}

static void test_fallbacks(void **state)
{
    /* No lzcnt/tzcnt/andn/shlx/popcnt: the replacement sequences. */
    differential(true, false, 1000, 40);
}

/* --- the encoder on its own --- */

static void expect_bytes(const X86Buf *b, const uint8_t *want, size_t n)
{
    size_t got = b->ptr - b->start;

    if (got != n || memcmp(b->start, want, n)) {
        char line[256] = "";
        for (size_t i = 0; i < got && i < 32; i++) {
            snprintf(line + strlen(line), sizeof(line) - strlen(line),
                     " %02x", b->start[i]);
        }
        fail_msg("encoded%s", line);
    }
}

static void test_encoder(void **state)
{
    uint8_t buf[64];
    X86Buf b;

#define CASE(code, ...) do {                                            \
        static const uint8_t want[] = { __VA_ARGS__ };                  \
        b = (X86Buf) { buf, buf, buf + sizeof(buf), 0 };                \
        code;                                                           \
        expect_bytes(&b, want, sizeof(want));                           \
    } while (0)

    /* add rax, rcx / add r8d, r15d */
    CASE(x86_emit_modrm(&b, OPC_ADD_GvEv | P_REXW, X86_RAX, X86_RCX),
         0x48, 0x03, 0xc1);
    CASE(x86_emit_modrm(&b, OPC_ADD_GvEv, X86_R8, X86_R15),
         0x45, 0x03, 0xc7);
    /* mov rbx, [rbp + 0x1148] (rbp base needs a displacement) */
    CASE(x86_emit_modrm_offset(&b, OPC_MOVL_GvEv | P_REXW, X86_RBX, X86_RBP,
                               0x1148),
         0x48, 0x8b, 0x9d, 0x48, 0x11, 0x00, 0x00);
    /* mov eax, [r13] (r13 like rbp: disp8 0) */
    CASE(x86_emit_modrm_offset(&b, OPC_MOVL_GvEv, X86_RAX, X86_R13, 0),
         0x41, 0x8b, 0x45, 0x00);
    /* mov [rsp + 16], r12 (rsp base needs a SIB) */
    CASE(x86_emit_modrm_offset(&b, OPC_MOVL_EvGv | P_REXW, X86_R12, X86_RSP,
                               16),
         0x4c, 0x89, 0x64, 0x24, 0x10);
    /* movsx r12, byte [r13 + rbx] */
    CASE(x86_emit_modrm_sib_offset(&b, (OPC_MOVSBL & ~P_REXB_RM) | P_REXW,
                                   X86_R12, X86_R13, X86_RBX, 0, 0),
         0x4d, 0x0f, 0xbe, 0x64, 0x1d, 0x00);
    /* movzx eax, sil (needs an empty REX) */
    CASE(x86_emit_modrm(&b, OPC_MOVZBL, X86_RAX, X86_RSI),
         0x40, 0x0f, 0xb6, 0xc6);
    /* mov byte [rax], dil */
    CASE(x86_emit_modrm_offset(&b, OPC_MOVB_EvGv, X86_RDI, X86_RAX, 0),
         0x40, 0x88, 0x38);
    /* movw [rbx + 2], cx */
    CASE(x86_emit_modrm_offset(&b, OPC_MOVL_EvGv | P_DATA16, X86_RCX,
                               X86_RBX, 2),
         0x66, 0x89, 0x4b, 0x02);
    /* lzcnt r9, r10 / tzcnt eax, ecx / popcnt rdx, r8 */
    CASE(x86_emit_modrm(&b, OPC_LZCNT | P_REXW, X86_R9, X86_R10),
         0xf3, 0x4d, 0x0f, 0xbd, 0xca);
    CASE(x86_emit_modrm(&b, OPC_TZCNT, X86_RAX, X86_RCX),
         0xf3, 0x0f, 0xbc, 0xc1);
    CASE(x86_emit_modrm(&b, OPC_POPCNT | P_REXW, X86_RDX, X86_R8),
         0xf3, 0x49, 0x0f, 0xb8, 0xd0);
    /* shlx rax, rbx, rcx (count rcx) / sarx r8d, r9d, r10d */
    CASE(x86_emit_vex_modrm(&b, OPC_SHLX | P_REXW, X86_RAX, X86_RCX,
                            X86_RBX),
         0xc4, 0xe2, 0xf1, 0xf7, 0xc3);
    CASE(x86_emit_vex_modrm(&b, OPC_SARX, X86_R8, X86_R10, X86_R9),
         0xc4, 0x42, 0x2a, 0xf7, 0xc1);
    /* andn rax, rbx, rcx: rax = ~rbx & rcx */
    CASE(x86_emit_vex_modrm(&b, OPC_ANDN | P_REXW, X86_RAX, X86_RBX,
                            X86_RCX),
         0xc4, 0xe2, 0xe0, 0xf2, 0xc1);
    /* movi: 0, u32, s32, u64 */
    CASE(x86_emit_movi(&b, X86_R11, 0), 0x45, 0x33, 0xdb);
    CASE(x86_emit_movi(&b, X86_RCX, 0x80000000), 0xb9, 0x00, 0x00, 0x00,
         0x80);
    CASE(x86_emit_movi(&b, X86_RCX, -2ull), 0x48, 0xc7, 0xc1, 0xfe, 0xff,
         0xff, 0xff);
    CASE(x86_emit_movi(&b, X86_R15, 0x123456789ull), 0x49, 0xbf, 0x89, 0x67,
         0x45, 0x23, 0x01, 0x00, 0x00, 0x00);
    /* bswap r13 / push r12 / cmp rdi, -1 */
    CASE(x86_emit_opc_reg(&b, OPC_BSWAP | P_REXW, X86_R13), 0x49, 0x0f,
         0xcd);
    CASE(x86_emit_opc_reg(&b, OPC_PUSH_r32, X86_R12), 0x41, 0x54);
    CASE(x86_emit_arith_ri(&b, P_REXW, ARITH_CMP, X86_RDI, -1), 0x48, 0x83,
         0xff, 0xff);
#undef CASE
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encoder),
        cmocka_unit_test(test_random_programs),
        cmocka_unit_test(test_random_programs_optimized),
        cmocka_unit_test(test_random_long_programs),
        cmocka_unit_test(test_fallbacks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
