/*
 * tests/unit/test-tcg-optimize.c — the IR optimizer and verifier: op lists
 * in, op lists out.
 *
 * Each test builds a small TB body in a fresh TCGContext with two i64
 * globals (g0, g1) standing for guest registers, optimizes it, and
 * checks the text of the resulting op list (as -d op_opt prints it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "accel/tcg/tcg-op.h"
#include "util/error.h"

typedef struct Fixture {
    TCGContext *s;
    TCGv_i64 g0, g1;
} Fixture;

static uint64_t fake_env[4];

static int setup(void **state)
{
    Fixture *f = XNEW(Fixture);

    f->s = tcg_context_new(NULL);
    f->g0 = tcg_global_mem_new_i64(f->s, 0, "g0");
    f->g1 = tcg_global_mem_new_i64(f->s, 8, "g1");
    tcg_context_reset(f->s);
    *state = f;
    (void)fake_env;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;

    tcg_context_free(f->s);
    free(f);
    return 0;
}

/* The optimized op list as text, without the trailing blank line. */
static char *optimized(Fixture *f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out;
    Error *err = NULL;

    if (!tcg_verify(f->s, &err)) {
        fail_msg("input does not verify: %s", error_get_pretty(err));
    }
    tcg_optimize(f->s);
    if (!tcg_verify(f->s, &err)) {
        fail_msg("output does not verify: %s", error_get_pretty(err));
    }
    out = open_memstream(&buf, &len);
    tcg_dump_ops(f->s, out);
    fclose(out);
    while (len && buf[len - 1] == '\n') {
        buf[--len] = '\0';
    }
    return buf;
}

static void expect(Fixture *f, const char *want)
{
    char *got = optimized(f);

    if (strcmp(got, want)) {
        fail_msg("optimized ops differ\n--- got:\n%s\n--- want:\n%s", got,
                 want);
    }
    free(got);
}

static void test_constant_folding(void **state)
{
    Fixture *f = *state;
    TCGContext *s = f->s;
    TCGv_i64 t = tcg_temp_new_i64(s);

    tcg_gen_movi_i64(s, t, 2);
    tcg_gen_addi_i64(s, t, t, 3);
    tcg_gen_shli_i64(s, t, t, 4);
    tcg_gen_mov_i64(s, f->g0, t);
    expect(f, " mov_i64 g0,$0x50");
}

static void test_fold_each_width(void **state)
{
    Fixture *f = *state;
    TCGContext *s = f->s;
    TCGv_i32 a = tcg_temp_new_i32(s);
    TCGv_i64 b = tcg_temp_new_i64(s);

    /* i32 arithmetic wraps at 32 bits; the conversion sign-extends. */
    tcg_gen_movi_i32(s, a, 0x7fffffff);
    tcg_gen_addi_i32(s, a, a, 1);
    tcg_gen_ext_i32_i64(s, b, a);
    tcg_gen_mov_i64(s, f->g0, b);
    expect(f, " mov_i64 g0,$0xffffffff80000000");
}

static void test_division_semantics(void **state)
{
    Fixture *f = *state;
    TCGContext *s = f->s;
    TCGv_i64 t = tcg_temp_new_i64(s);

    /* Division by zero is all ones, as ir-ops.def defines. */
    tcg_gen_div_i64(s, t, tcg_constant_i64(s, 7), tcg_constant_i64(s, 0));
    tcg_gen_mov_i64(s, f->g0, t);
    tcg_gen_rem_i64(s, t, tcg_constant_i64(s, INT64_MIN),
                    tcg_constant_i64(s, -1));
    tcg_gen_mov_i64(s, f->g1, t);
    expect(f, " mov_i64 g0,$0xffffffffffffffff\n mov_i64 g1,$0x0");
}

static void test_copy_propagation(void **state)
{
    Fixture *f = *state;
    TCGContext *s = f->s;
    TCGv_i64 t = tcg_temp_new_i64(s);

    tcg_gen_mov_i64(s, t, f->g0);
    tcg_gen_addi_i64(s, f->g1, t, 1);
    expect(f, " add_i64 g1,g0,$0x1");
}

static void test_copy_invalidated_by_write(void **state)
{
    Fixture *f = *state;
    TCGContext *s = f->s;
    TCGv_i64 t = tcg_temp_new_i64(s);

    /* t keeps g0's old value: it must not become g0 after g0 changes. */
    tcg_gen_mov_i64(s, t, f->g0);
    tcg_gen_movi_i64(s, f->g0, 7);
    tcg_gen_addi_i64(s, f->g1, t, 1);
    expect(f, " mov_i64 tmp1,g0\n mov_i64 g0,$0x7\n add_i64 g1,tmp1,$0x1");
}

static void test_algebraic_identities(void **state)
{
    Fixture *f = *state;
    TCGContext *s = f->s;
    TCGv_i64 t = tcg_temp_new_i64(s);

    tcg_gen_xor_i64(s, t, f->g0, f->g0);      /* 0 */
    tcg_gen_or_i64(s, f->g1, f->g1, t);       /* g1 | 0 = g1: a nop */
    tcg_gen_muli_i64(s, f->g0, f->g0, 1);     /* g0 * 1: nop */
    tcg_gen_andi_i64(s, t, f->g0, 0);         /* 0 */
    tcg_gen_sub_i64(s, t, t, t);              /* 0 */
    tcg_gen_add_i64(s, f->g0, f->g0, t);      /* g0 + 0: nop */
    expect(f, "");
}

static void test_dead_code_removed_side_effects_kept(void **state)
{
    Fixture *f = *state;
    TCGContext *s = f->s;
    TCGv_i64 t = tcg_temp_new_i64(s);
    TCGv_i64 u = tcg_temp_new_i64(s);

    tcg_gen_addi_i64(s, t, f->g0, 5);         /* never used: removed */
    tcg_gen_qemu_ld_i64(s, u, f->g1, 1, MO_UQ); /* may fault: kept */
    tcg_gen_qemu_st_i64(s, f->g0, f->g1, 1, MO_UL);
    expect(f, " qemu_ld_i64 tmp2,g1,uq,mmu1\n qemu_st_i64 g0,g1,ul,mmu1");
}

static void test_branch_folding(void **state)
{
    Fixture *f = *state;
    TCGContext *s = f->s;
    TCGLabel l1 = gen_new_label(s);
    TCGLabel l2 = gen_new_label(s);
    TCGv_i64 t = tcg_temp_new_i64(s);

    tcg_gen_movi_i64(s, t, 3);
    tcg_gen_brcondi_i64(s, TCG_COND_LTU, t, 2, l1);     /* never taken */
    tcg_gen_brcondi_i64(s, TCG_COND_GT, t, 2, l2);      /* always taken */
    tcg_gen_set_label(s, l1);
    tcg_gen_movi_i64(s, f->g0, 1);
    tcg_gen_set_label(s, l2);
    tcg_gen_movi_i64(s, f->g1, 2);
    expect(f, " br $L1\n set_label $L0\n mov_i64 g0,$0x1\n set_label $L1\n"
              " mov_i64 g1,$0x2");
}

static void test_labels_reset_knowledge(void **state)
{
    Fixture *f = *state;
    TCGContext *s = f->s;
    TCGLabel l = gen_new_label(s);
    TCGv_i64 t = tcg_temp_new_tb_i64(s);

    tcg_gen_movi_i64(s, t, 1);
    tcg_gen_brcondi_i64(s, TCG_COND_EQ, f->g0, 0, l);
    tcg_gen_movi_i64(s, t, 2);
    tcg_gen_set_label(s, l);
    /* After the label t may be 1 or 2: no folding, and both writes stay. */
    tcg_gen_addi_i64(s, f->g1, t, 10);
    expect(f, " mov_i64 loc1,$0x1\n brcond_i64 g0,$0x0,eq,$L0\n"
              " mov_i64 loc1,$0x2\n set_label $L0\n"
              " add_i64 g1,loc1,$0xa");
}

static uint64_t helper_touch(uint64_t x)
{
    return x;
}

static const TCGHelperInfo helper_info_writes = {
    .name = "touch", .func = (void *)helper_touch,
    .flags = TCG_CALL_WRITES_GLOBALS, .nargs = 1,
    .ret = TCG_HARG_VOID, .args = { TCG_HARG_I64 },
};

static const TCGHelperInfo helper_info_pure = {
    .name = "pure", .func = (void *)helper_touch,
    .flags = TCG_CALL_PURE, .nargs = 1,
    .ret = TCG_HARG_I64, .args = { TCG_HARG_I64 },
};

static void test_calls(void **state)
{
    Fixture *f = *state;
    TCGContext *s = f->s;
    TCGv_i64 t = tcg_temp_new_i64(s);
    TCGv_i64 u = tcg_temp_new_i64(s);

    /* A pure call whose result is unused disappears. */
    tcg_gen_call1(s, &helper_info_pure, u.idx, f->g0.idx);
    /* A call that may write globals ends what we know about them. */
    tcg_gen_mov_i64(s, t, f->g0);
    tcg_gen_call1(s, &helper_info_writes, 0, f->g1.idx);
    tcg_gen_mov_i64(s, f->g1, t);
    expect(f, " mov_i64 tmp1,g0\n call touch,$0x4,$0,g1\n mov_i64 g1,tmp1");
}

static void expect_verify_error(Fixture *f, const char *needle)
{
    Error *err = NULL;

    assert_false(tcg_verify(f->s, &err));
    if (!strstr(error_get_pretty(err), needle)) {
        fail_msg("'%s' lacks '%s'", error_get_pretty(err), needle);
    }
    error_free(err);
}

static void test_verifier_ebb_across_label(void **state)
{
    Fixture *f = *state;
    TCGContext *s = f->s;
    TCGLabel l = gen_new_label(s);
    TCGv_i64 t = tcg_temp_new_i64(s);

    tcg_gen_movi_i64(s, t, 1);
    tcg_gen_set_label(s, l);
    tcg_gen_mov_i64(s, f->g0, t);
    expect_verify_error(f, "read before it is written");
}

static void test_verifier_type_and_label_errors(void **state)
{
    Fixture *f = *state;
    TCGContext *s = f->s;
    uint64_t args[3];
    TCGLabel l = gen_new_label(s);

    /* An i32 op given i64 temps. */
    args[0] = f->g0.idx;
    args[1] = f->g0.idx;
    args[2] = f->g1.idx;
    tcg_emit_op(s, INDEX_op_add, TCG_TYPE_I32, args, 3);
    expect_verify_error(f, "wrong type");

    tcg_context_reset(s);
    l = gen_new_label(s);
    tcg_gen_br(s, l);
    expect_verify_error(f, "never set");

    tcg_context_reset(s);
    args[0] = tcg_constant_i64(s, 1).idx;
    args[1] = f->g0.idx;
    tcg_emit_op(s, INDEX_op_mov, TCG_TYPE_I64, args, 2);
    expect_verify_error(f, "writes a constant");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_constant_folding),
        T(test_fold_each_width),
        T(test_division_semantics),
        T(test_copy_propagation),
        T(test_copy_invalidated_by_write),
        T(test_algebraic_identities),
        T(test_dead_code_removed_side_effects_kept),
        T(test_branch_folding),
        T(test_labels_reset_knowledge),
        T(test_calls),
        T(test_verifier_ebb_across_label),
        T(test_verifier_type_and_label_errors),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
