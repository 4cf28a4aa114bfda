/*
 * tests/unit/test-goldfish-rtc.c — the Goldfish RTC through a machine
 * fixture: the time follows the host's wall clock, TIME_LOW latches
 * TIME_HIGH, setting the time (HIGH then LOW, as Linux does), alarms in
 * the past and in the future, the IRQ_ENABLED gate, CLEAR_ALARM and
 * CLEAR_INTERRUPT, and guest mistakes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine-fixture.h"
#include "hw/rtc/goldfish-rtc.h"
#include "core/main-loop.h"

#include <time.h>

#define BASE 0x101000ULL
#define MS 1000000LL

typedef struct RtcTest {
    Machine *m;
    FixtureIRQ irq;
} RtcTest;

static int setup(void **state)
{
    RtcTest *t = XNEW(RtcTest);
    Error *err = NULL;
    DeviceState *dev;

    t->m = fixture_machine_new(1, 0);
    dev = goldfish_rtc_create(t->m, BASE, 0x1000, &err);
    assert_non_null(dev);
    goldfish_rtc_connect_irq(dev, fixture_irq_line(&t->irq));
    fixture_machine_reset(t->m);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    RtcTest *t = *state;

    fixture_machine_free(t->m);
    free(t);
    return 0;
}

static uint64_t rtc_time(RtcTest *t)
{
    uint64_t lo = fixture_readl(t->m, BASE + GOLDFISH_RTC_TIME_LOW);
    uint64_t hi = fixture_readl(t->m, BASE + GOLDFISH_RTC_TIME_HIGH);

    return (hi << 32) | lo;
}

static int64_t host_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static void set_alarm(RtcTest *t, uint64_t when)
{
    fixture_writel(t->m, BASE + GOLDFISH_RTC_ALARM_HIGH, when >> 32);
    fixture_writel(t->m, BASE + GOLDFISH_RTC_ALARM_LOW, (uint32_t)when);
}

static void test_time_is_wall_clock(void **state)
{
    RtcTest *t = *state;
    int64_t before = host_ns();
    uint64_t now = rtc_time(t);
    int64_t after = host_ns();

    assert_true((int64_t)now >= before - 1000 * MS);
    assert_true((int64_t)now <= after + 1000 * MS);
    /* It moves forward. */
    assert_true(rtc_time(t) >= now);
}

static void test_set_time(void **state)
{
    RtcTest *t = *state;
    uint64_t target = 0x0000000512345678ULL * 1000;    /* some 2010s date */
    uint64_t now;

    fixture_writel(t->m, BASE + GOLDFISH_RTC_TIME_HIGH, target >> 32);
    fixture_writel(t->m, BASE + GOLDFISH_RTC_TIME_LOW, (uint32_t)target);
    now = rtc_time(t);
    assert_true(now >= target && now < target + 1000 * MS);
    /* Survives a reset (battery-backed). */
    fixture_machine_reset(t->m);
    now = rtc_time(t);
    assert_true(now >= target && now < target + 1000 * MS);
}

static void test_alarm_in_past(void **state)
{
    RtcTest *t = *state;

    set_alarm(t, rtc_time(t) - NS_PER_SEC);
    /* Fired at once, but the interrupt is not enabled yet. */
    assert_int_equal(fixture_readl(t->m, BASE + GOLDFISH_RTC_ALARM_STATUS),
                     0);
    assert_int_equal(t->irq.level, 0);
    fixture_writel(t->m, BASE + GOLDFISH_RTC_IRQ_ENABLED, 1);
    assert_int_equal(t->irq.level, 1);
    assert_int_equal(fixture_readl(t->m, BASE + GOLDFISH_RTC_IRQ_ENABLED), 1);
    fixture_writel(t->m, BASE + GOLDFISH_RTC_CLEAR_INTERRUPT, 1);
    assert_int_equal(t->irq.level, 0);
}

static bool irq_is_high(void *opaque)
{
    return ((FixtureIRQ *)opaque)->level;
}

static void test_alarm_in_future(void **state)
{
    RtcTest *t = *state;

    fixture_writel(t->m, BASE + GOLDFISH_RTC_IRQ_ENABLED, 1);
    set_alarm(t, rtc_time(t) + 30 * MS);
    assert_int_equal(fixture_readl(t->m, BASE + GOLDFISH_RTC_ALARM_STATUS),
                     1);
    assert_int_equal(t->irq.level, 0);
    assert_true(fixture_run_until(t->m, irq_is_high, &t->irq, 3000));
    assert_int_equal(fixture_readl(t->m, BASE + GOLDFISH_RTC_ALARM_STATUS),
                     0);
    fixture_writel(t->m, BASE + GOLDFISH_RTC_CLEAR_INTERRUPT, 1);
    assert_int_equal(t->irq.level, 0);
}

static void test_clear_alarm(void **state)
{
    RtcTest *t = *state;

    fixture_writel(t->m, BASE + GOLDFISH_RTC_IRQ_ENABLED, 1);
    set_alarm(t, rtc_time(t) + 20 * MS);
    fixture_writel(t->m, BASE + GOLDFISH_RTC_CLEAR_ALARM, 1);
    assert_int_equal(fixture_readl(t->m, BASE + GOLDFISH_RTC_ALARM_STATUS),
                     0);
    /* Nothing fires. */
    assert_false(fixture_run_until(t->m, irq_is_high, &t->irq, 100));
}

static void test_guest_mistakes(void **state)
{
    RtcTest *t = *state;
    uint64_t v;
    char *log;

    assert_int_not_equal(fixture_read_try(t->m, BASE, 1, &v), MEMTX_OK);
    assert_int_not_equal(fixture_read_try(t->m, BASE, 8, &v), MEMTX_OK);
    fixture_writel(t->m, BASE + GOLDFISH_RTC_ALARM_STATUS, 1);
    assert_int_equal(fixture_readl(t->m, BASE + 0x40), 0);
    assert_int_equal(fixture_readl(t->m, BASE + GOLDFISH_RTC_CLEAR_ALARM),
                     0);
    log = fixture_log(t->m);
    assert_non_null(strstr(log, "to read-only offset 0x18"));
    assert_non_null(strstr(log, "reserved offset 0x40"));
    assert_non_null(strstr(log, "write-only offset 0x14"));
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_time_is_wall_clock, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_set_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alarm_in_past, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alarm_in_future, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_clear_alarm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guest_mistakes, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
