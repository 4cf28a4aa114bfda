/*
 * tests/unit/test-sifive-test.c — the SiFive test finisher through a
 * machine fixture: PASS powers off with status 0, FAIL passes its code
 * through as the exit status, RESET asks for a machine reset, anything
 * else is a logged guest error that changes nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine-fixture.h"
#include "hw/misc/sifive-test.h"

#define BASE 0x100000ULL

static int setup(void **state)
{
    Machine *m = fixture_machine_new(1, 0);
    Error *err = NULL;

    assert_non_null(sifive_test_create(m, BASE, 0x1000, &err));
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    fixture_machine_free(*state);
    return 0;
}

static void test_pass(void **state)
{
    Machine *m = *state;

    fixture_writel(m, BASE, SIFIVE_TEST_PASS);
    assert_int_equal(atomic_load(&m->shutdown_request),
                     SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    assert_int_equal(atomic_load(&m->exit_status), 0);
    assert_int_equal(atomic_load(&m->reset_request), 0);
}

static void test_fail_code(void **state)
{
    Machine *m = *state;

    fixture_writel(m, BASE, SIFIVE_TEST_FAIL | (42 << 16));
    assert_int_equal(atomic_load(&m->shutdown_request),
                     SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    assert_int_equal(atomic_load(&m->exit_status), 42);
}

static void test_reset(void **state)
{
    Machine *m = *state;

    fixture_writel(m, BASE, SIFIVE_TEST_RESET);
    assert_int_equal(atomic_load(&m->reset_request),
                     SHUTDOWN_CAUSE_GUEST_RESET);
    assert_int_equal(atomic_load(&m->shutdown_request), 0);
}

static void test_halfword_write(void **state)
{
    Machine *m = *state;

    fixture_write(m, BASE, 2, SIFIVE_TEST_PASS);
    assert_int_equal(atomic_load(&m->shutdown_request),
                     SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
}

static void test_guest_mistakes(void **state)
{
    Machine *m = *state;
    uint64_t v;
    char *log;

    /* Unknown command, a command at the wrong offset, a byte access. */
    fixture_writel(m, BASE, 0x1234);
    fixture_writel(m, BASE + 4, SIFIVE_TEST_PASS);
    assert_int_not_equal(fixture_write_try(m, BASE, 1, 0x55), MEMTX_OK);
    assert_int_not_equal(fixture_read_try(m, BASE, 8, &v), MEMTX_OK);
    assert_int_equal(atomic_load(&m->shutdown_request), 0);
    assert_int_equal(atomic_load(&m->reset_request), 0);
    log = fixture_log(m);
    assert_non_null(strstr(log, "unknown write of 0x1234"));
    assert_non_null(strstr(log, "at offset 0x4"));
    free(log);
    /* Reads are harmless zeros. */
    assert_int_equal(fixture_readl(m, BASE), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_halfword_write, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_guest_mistakes, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
