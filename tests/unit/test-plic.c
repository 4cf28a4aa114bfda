/*
 * tests/unit/test-plic.c — the PLIC's register behaviour (RISC-V PLIC
 * Specification v1.0.0), driven through a machine fixture: priorities
 * and their WARL width, read-only pending bits, per-context enables,
 * thresholds, claim order, completion and the level-triggered gateway
 * re-pending a source whose line is still high, plus guest mistakes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine-fixture.h"
#include "hw/riscv/plic.h"

#define BASE    0x0c000000ULL
#define NR_HARTS 2
#define NR_SOURCES 96

typedef struct PlicTest {
    Machine *m;
    DeviceState *plic;
    FixtureIRQ out[2 * NR_HARTS];   /* context outputs */
    IRQLine in[NR_SOURCES];
} PlicTest;

static int setup(void **state)
{
    PlicTest *t = XNEW(PlicTest);
    Error *err = NULL;

    t->m = fixture_machine_new(NR_HARTS, 0);
    t->plic = plic_create(t->m, BASE, PLIC_SIZE(1024), NR_HARTS, NR_SOURCES,
                          3, &err);
    assert_non_null(t->plic);
    for (unsigned c = 0; c < 2 * NR_HARTS; c++) {
        plic_connect_context(t->plic, c, fixture_irq_line(&t->out[c]));
    }
    for (unsigned s = 0; s < NR_SOURCES; s++) {
        t->in[s] = plic_input(t->plic, s);
    }
    fixture_machine_reset(t->m);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    PlicTest *t = *state;

    fixture_machine_free(t->m);
    free(t);
    return 0;
}

static uint64_t priority_addr(unsigned src)
{
    return BASE + PLIC_PRIORITY_BASE + 4 * src;
}

static uint64_t enable_addr(unsigned ctx, unsigned src)
{
    return BASE + PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * ctx + 4 * (src / 32);
}

static uint64_t threshold_addr(unsigned ctx)
{
    return BASE + PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * ctx;
}

static uint64_t claim_addr(unsigned ctx)
{
    return threshold_addr(ctx) + PLIC_CONTEXT_CLAIM;
}

static void enable(PlicTest *t, unsigned ctx, unsigned src)
{
    uint32_t v = fixture_readl(t->m, enable_addr(ctx, src));

    fixture_writel(t->m, enable_addr(ctx, src), v | (1u << (src % 32)));
}

static bool pending(PlicTest *t, unsigned src)
{
    return (fixture_readl(t->m, BASE + PLIC_PENDING_BASE + 4 * (src / 32)) >>
            (src % 32)) & 1;
}

static void test_priority_warl(void **state)
{
    PlicTest *t = *state;

    fixture_writel(t->m, priority_addr(5), 3);
    assert_int_equal(fixture_readl(t->m, priority_addr(5)), 3);
    /* Three implemented bits: the rest read back as zero. */
    fixture_writel(t->m, priority_addr(5), 0xffffffff);
    assert_int_equal(fixture_readl(t->m, priority_addr(5)), 7);
    /* Source 0 does not exist; neither do sources past 95. */
    fixture_writel(t->m, priority_addr(0), 5);
    assert_int_equal(fixture_readl(t->m, priority_addr(0)), 0);
    fixture_writel(t->m, priority_addr(NR_SOURCES), 5);
    assert_int_equal(fixture_readl(t->m, priority_addr(NR_SOURCES)), 0);
}

static void test_pending_follows_gateway(void **state)
{
    PlicTest *t = *state;

    assert_false(pending(t, 10));
    irq_raise(&t->in[10]);
    assert_true(pending(t, 10));
    /* Pending bits are read-only. */
    fixture_writel(t->m, BASE + PLIC_PENDING_BASE, 0);
    assert_true(pending(t, 10));
    /* A request already forwarded stays pending when the line drops. */
    irq_lower(&t->in[10]);
    assert_true(pending(t, 10));
    /* Pending alone interrupts nobody: not enabled, priority 0. */
    for (unsigned c = 0; c < 2 * NR_HARTS; c++) {
        assert_int_equal(t->out[c].level, 0);
    }
}

static void test_enable_per_context(void **state)
{
    PlicTest *t = *state;

    fixture_writel(t->m, priority_addr(33), 1);
    irq_raise(&t->in[33]);
    assert_int_equal(t->out[plic_context(1, true)].level, 0);

    enable(t, plic_context(1, true), 33);    /* hart 1, S-mode */
    assert_int_equal(fixture_readl(t->m, enable_addr(3, 33)), 1u << 1);
    assert_int_equal(t->out[plic_context(1, true)].level, 1);
    assert_int_equal(t->out[plic_context(1, false)].level, 0);
    assert_int_equal(t->out[plic_context(0, true)].level, 0);
    assert_int_equal(t->out[plic_context(0, false)].level, 0);

    /* Disabling lowers the output again. */
    fixture_writel(t->m, enable_addr(3, 33), 0);
    assert_int_equal(t->out[plic_context(1, true)].level, 0);

    /* Enable bit 0 (source 0) and bits past the last source are
     * hard-wired to zero. */
    fixture_writel(t->m, enable_addr(0, 0), 0xffffffff);
    assert_int_equal(fixture_readl(t->m, enable_addr(0, 0)), 0xfffffffe);
    fixture_writel(t->m, enable_addr(0, 64), 0xffffffff);
    assert_int_equal(fixture_readl(t->m, enable_addr(0, 64)), 0xffffffff);
    fixture_writel(t->m, enable_addr(0, 96), 0xffffffff);
    assert_int_equal(fixture_readl(t->m, enable_addr(0, 96)), 0);
}

static void test_priority_zero_never_interrupts(void **state)
{
    PlicTest *t = *state;

    enable(t, 0, 7);
    irq_raise(&t->in[7]);
    assert_int_equal(t->out[0].level, 0);
    assert_int_equal(fixture_readl(t->m, claim_addr(0)), 0);
    fixture_writel(t->m, priority_addr(7), 1);
    assert_int_equal(t->out[0].level, 1);
}

static void test_threshold(void **state)
{
    PlicTest *t = *state;

    fixture_writel(t->m, priority_addr(4), 3);
    enable(t, 0, 4);
    irq_raise(&t->in[4]);
    assert_int_equal(t->out[0].level, 1);

    /* Masked when priority <= threshold. */
    fixture_writel(t->m, threshold_addr(0), 3);
    assert_int_equal(fixture_readl(t->m, threshold_addr(0)), 3);
    assert_int_equal(t->out[0].level, 0);
    assert_int_equal(fixture_readl(t->m, claim_addr(0)), 0);
    assert_true(pending(t, 4));

    fixture_writel(t->m, threshold_addr(0), 2);
    assert_int_equal(t->out[0].level, 1);

    /* WARL like the priorities. */
    fixture_writel(t->m, threshold_addr(0), 0xff);
    assert_int_equal(fixture_readl(t->m, threshold_addr(0)), 7);
    assert_int_equal(t->out[0].level, 0);
}

static void test_claim_order(void **state)
{
    PlicTest *t = *state;
    static const struct { unsigned src, prio; } srcs[] = {
        { 3, 2 }, { 40, 5 }, { 9, 5 }, { 70, 1 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(srcs); i++) {
        fixture_writel(t->m, priority_addr(srcs[i].src), srcs[i].prio);
        enable(t, 0, srcs[i].src);
        irq_raise(&t->in[srcs[i].src]);
    }
    assert_int_equal(t->out[0].level, 1);
    /* Highest priority first; equal priorities: lowest ID first. */
    assert_int_equal(fixture_readl(t->m, claim_addr(0)), 9);
    assert_false(pending(t, 9));
    assert_int_equal(fixture_readl(t->m, claim_addr(0)), 40);
    assert_int_equal(fixture_readl(t->m, claim_addr(0)), 3);
    assert_int_equal(fixture_readl(t->m, claim_addr(0)), 70);
    /* Everything is in service: nothing left to claim. */
    assert_int_equal(fixture_readl(t->m, claim_addr(0)), 0);
    assert_int_equal(t->out[0].level, 0);
}

static void test_level_gateway_repending(void **state)
{
    PlicTest *t = *state;

    fixture_writel(t->m, priority_addr(10), 1);
    enable(t, 0, 10);
    irq_raise(&t->in[10]);
    assert_int_equal(t->out[0].level, 1);
    assert_int_equal(fixture_readl(t->m, claim_addr(0)), 10);
    assert_int_equal(t->out[0].level, 0);

    /* While in service the gateway forwards nothing new. */
    irq_lower(&t->in[10]);
    irq_raise(&t->in[10]);
    assert_false(pending(t, 10));
    assert_int_equal(t->out[0].level, 0);

    /* Completion with the line still high: a new request at once. */
    fixture_writel(t->m, claim_addr(0), 10);
    assert_true(pending(t, 10));
    assert_int_equal(t->out[0].level, 1);
    assert_int_equal(t->out[0].raised, 2);

    /* Claim, drop the line, complete: nothing pending any more. */
    assert_int_equal(fixture_readl(t->m, claim_addr(0)), 10);
    irq_lower(&t->in[10]);
    fixture_writel(t->m, claim_addr(0), 10);
    assert_false(pending(t, 10));
    assert_int_equal(t->out[0].level, 0);
}

static void test_claim_by_other_context(void **state)
{
    PlicTest *t = *state;

    fixture_writel(t->m, priority_addr(12), 1);
    enable(t, plic_context(0, true), 12);
    enable(t, plic_context(1, true), 12);
    irq_raise(&t->in[12]);
    assert_int_equal(t->out[1].level, 1);
    assert_int_equal(t->out[3].level, 1);
    /* Hart 1 wins the race; hart 0's claim then finds nothing. */
    assert_int_equal(fixture_readl(t->m, claim_addr(3)), 12);
    assert_int_equal(t->out[1].level, 0);
    assert_int_equal(t->out[3].level, 0);
    assert_int_equal(fixture_readl(t->m, claim_addr(1)), 0);
    irq_lower(&t->in[12]);
    fixture_writel(t->m, claim_addr(3), 12);
}

static void test_complete_rules(void **state)
{
    PlicTest *t = *state;
    char *log;

    fixture_writel(t->m, priority_addr(20), 1);
    enable(t, 0, 20);
    irq_raise(&t->in[20]);
    assert_int_equal(fixture_readl(t->m, claim_addr(0)), 20);

    /* Completing from a context where the source is not enabled is
     * silently ignored: it stays in service. */
    fixture_writel(t->m, claim_addr(1), 20);
    assert_false(pending(t, 20));
    assert_int_equal(t->out[0].level, 0);

    /* Invalid IDs are ignored and logged. */
    fixture_log_clear(t->m);
    fixture_writel(t->m, claim_addr(0), 0);
    fixture_writel(t->m, claim_addr(0), 1000);
    log = fixture_log(t->m);
    assert_non_null(strstr(log, "invalid source 1000"));
    free(log);

    /* The right completion re-pends (the line is still high). */
    fixture_writel(t->m, claim_addr(0), 20);
    assert_true(pending(t, 20));
    assert_int_equal(t->out[0].level, 1);
}

static void test_guest_mistakes(void **state)
{
    PlicTest *t = *state;
    uint64_t v;
    char *log;

    /* Registers are 32-bit only. */
    assert_int_not_equal(fixture_read_try(t->m, priority_addr(1), 1, &v),
                         MEMTX_OK);
    assert_int_not_equal(fixture_write_try(t->m, priority_addr(1), 8, 1),
                         MEMTX_OK);
    /* Reserved words of a context and contexts that do not exist read
     * as zero, ignore writes and are logged. */
    fixture_log_clear(t->m);
    assert_int_equal(fixture_readl(t->m, threshold_addr(0) + 8), 0);
    fixture_writel(t->m, threshold_addr(0) + 8, 1);
    assert_int_equal(fixture_readl(t->m, threshold_addr(4)), 0);
    fixture_writel(t->m, threshold_addr(4), 1);
    assert_int_equal(fixture_readl(t->m, claim_addr(1000)), 0);
    fixture_writel(t->m, BASE + PLIC_PENDING_BASE + 4, 0xffffffff);
    log = fixture_log(t->m);
    assert_non_null(strstr(log, "reserved register"));
    assert_non_null(strstr(log, "read-only register"));
    free(log);
    for (unsigned c = 0; c < 2 * NR_HARTS; c++) {
        assert_int_equal(t->out[c].level, 0);
    }
}

static void test_reset(void **state)
{
    PlicTest *t = *state;

    fixture_writel(t->m, priority_addr(2), 4);
    fixture_writel(t->m, threshold_addr(2), 1);
    enable(t, 2, 2);
    irq_raise(&t->in[2]);
    assert_int_equal(t->out[2].level, 1);
    assert_int_equal(fixture_readl(t->m, claim_addr(2)), 2);

    fixture_machine_reset(t->m);
    assert_int_equal(fixture_readl(t->m, priority_addr(2)), 0);
    assert_int_equal(fixture_readl(t->m, threshold_addr(2)), 0);
    assert_int_equal(fixture_readl(t->m, enable_addr(2, 2)), 0);
    assert_int_equal(t->out[2].level, 0);
    /* The device still holds its line high: the gateway forwards it
     * again (it is no longer in service). */
    assert_true(pending(t, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_priority_warl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_follows_gateway, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_enable_per_context, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_priority_zero_never_interrupts,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_threshold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level_gateway_repending, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_claim_by_other_context, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_complete_rules, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_guest_mistakes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
