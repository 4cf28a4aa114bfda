/*
 * tests/unit/test-main-loop.c — the event loop: timer order and
 * punctuality (never early), the virtual clock standing still while
 * paused, bottom halves from other threads, level-triggered fd handlers,
 * removing handlers from inside callbacks, a timer armed from another
 * thread waking the loop, and the big lock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/main-loop.h"
#include "util/error.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#define MS (NS_PER_SEC / 1000)

static MainLoop *loop_new(void)
{
    Error *err = NULL;
    MainLoop *ml = main_loop_new(&err);

    assert_non_null(ml);
    assert_null(err);
    bql_lock(ml);
    return ml;
}

static void loop_free(MainLoop *ml)
{
    bql_unlock(ml);
    main_loop_free(ml);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

    nanosleep(&ts, NULL);
}

/* Iterate until *flag or @limit_ms of realtime passed; false on timeout. */
static bool loop_until(MainLoop *ml, const int *flag, int limit_ms)
{
    int64_t end = clock_get_ns(ml, CLOCK_TYPE_REALTIME) + limit_ms * MS;

    while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
        int64_t left = end - clock_get_ns(ml, CLOCK_TYPE_REALTIME);
        if (left <= 0) {
            return false;
        }
        main_loop_wait(ml, (int)(left / MS) + 1);
    }
    return true;
}

/* --- timers --- */

typedef struct TimerProbe {
    MainLoop *ml;
    ClockType type;
    Timer *timer;
    int64_t deadline;
    int64_t fired_at;
    int order;
    int *counter;
} TimerProbe;

static void probe_fired(void *opaque)
{
    TimerProbe *p = opaque;

    p->fired_at = clock_get_ns(p->ml, p->type);
    p->order = ++*p->counter;
}

static void probe_arm(TimerProbe *p, MainLoop *ml, ClockType type,
                      int64_t delay_ns, int *counter)
{
    p->ml = ml;
    p->type = type;
    p->counter = counter;
    p->timer = timer_new_ns(ml, type, probe_fired, p);
    p->deadline = clock_get_ns(ml, type) + delay_ns;
    timer_mod_ns(p->timer, p->deadline);
}

static void test_timer_order(void **state)
{
    MainLoop *ml = loop_new();
    TimerProbe p[4] = { 0 }, virt = { 0 }, host = { 0 };
    int fired = 0, other_fired = 0;
    /* Deliberately sub-millisecond offsets: rounding must go up. The
     * last one is armed later with the same delay, so it is later. */
    static const int64_t delays[4] = {
        30 * MS + 300000, 10 * MS + 700000, 20 * MS + 1, 10 * MS + 700000,
    };
    static const int expected_order[4] = { 4, 1, 3, 2 };

    for (int i = 0; i < 4; i++) {
        probe_arm(&p[i], ml, CLOCK_TYPE_REALTIME, delays[i], &fired);
        assert_true(timer_pending(p[i].timer));
        assert_int_equal(timer_expire_ns(p[i].timer), p[i].deadline);
    }
    /* Other clocks: deadlines are not comparable across clocks, so only
     * punctuality is checked for these. */
    probe_arm(&virt, ml, CLOCK_TYPE_VIRTUAL, 15 * MS + 1, &other_fired);
    probe_arm(&host, ml, CLOCK_TYPE_HOST, 5 * MS + 123, &other_fired);
    while (fired < 4 || other_fired < 2) {
        main_loop_wait(ml, -1);
    }
    for (int i = 0; i < 4; i++) {
        assert_true(p[i].fired_at >= p[i].deadline);        /* never early */
        assert_int_equal(p[i].order, expected_order[i]);
        assert_false(timer_pending(p[i].timer));
        assert_int_equal(timer_expire_ns(p[i].timer), -1);
        timer_free(p[i].timer);
    }
    assert_true(virt.fired_at >= virt.deadline);
    assert_true(host.fired_at >= host.deadline);
    timer_free(virt.timer);
    timer_free(host.timer);
    loop_free(ml);
}

static void test_timer_del_and_rearm(void **state)
{
    MainLoop *ml = loop_new();
    TimerProbe a = { 0 }, b = { 0 };
    int fired = 0;

    probe_arm(&a, ml, CLOCK_TYPE_REALTIME, 5 * MS, &fired);
    probe_arm(&b, ml, CLOCK_TYPE_REALTIME, 10 * MS, &fired);
    timer_del(a.timer);
    assert_false(timer_pending(a.timer));
    /* Re-arming moves the deadline. */
    b.deadline = clock_get_ns(ml, CLOCK_TYPE_REALTIME) + 15 * MS;
    timer_mod_ns(b.timer, b.deadline);
    while (fired < 1) {
        main_loop_wait(ml, -1);
    }
    assert_int_equal(a.order, 0);
    assert_int_equal(b.order, 1);
    assert_true(b.fired_at >= b.deadline);
    timer_free(a.timer);
    /* Left for main_loop_free() to release. */
    timer_mod_ns(b.timer, INT64_MAX);
    loop_free(ml);
}

static void test_virtual_clock_pause(void **state)
{
    MainLoop *ml = loop_new();
    TimerProbe p = { 0 };
    int fired = 0;
    int64_t v0, v1, v2, r0;

    assert_true(clock_virtual_is_running(ml));
    clock_virtual_pause(ml);
    assert_false(clock_virtual_is_running(ml));
    v0 = clock_get_ns(ml, CLOCK_TYPE_VIRTUAL);
    r0 = clock_get_ns(ml, CLOCK_TYPE_REALTIME);
    probe_arm(&p, ml, CLOCK_TYPE_VIRTUAL, 5 * MS, &fired);

    /* Stopped: 40 ms pass on the host, none in the guest. */
    while (clock_get_ns(ml, CLOCK_TYPE_REALTIME) - r0 < 40 * MS) {
        main_loop_wait(ml, 10);
    }
    v1 = clock_get_ns(ml, CLOCK_TYPE_VIRTUAL);
    assert_int_equal(v0, v1);
    assert_int_equal(fired, 0);

    clock_virtual_resume(ml);
    assert_true(loop_until(ml, &fired, 2000));
    v2 = clock_get_ns(ml, CLOCK_TYPE_VIRTUAL);
    assert_true(p.fired_at >= p.deadline);
    /* The virtual clock resumed where it stopped, not where the host is. */
    assert_true(v2 - v0 < 35 * MS);
    timer_free(p.timer);
    loop_free(ml);
}

/* A timer armed from another thread while the loop sleeps wakes it. */
typedef struct RemoteArm {
    MainLoop *ml;
    Timer *timer;
    int64_t deadline;
} RemoteArm;

static void *remote_arm_thread(void *opaque)
{
    RemoteArm *ra = opaque;

    sleep_ms(20);
    bql_lock(ra->ml);
    ra->deadline = clock_get_ns(ra->ml, CLOCK_TYPE_VIRTUAL) + 5 * MS;
    timer_mod_ns(ra->timer, ra->deadline);
    bql_unlock(ra->ml);
    return NULL;
}

static void on_flag_timer(void *opaque)
{
    __atomic_store_n((int *)opaque, 1, __ATOMIC_RELEASE);
}

static void test_timer_from_thread(void **state)
{
    MainLoop *ml = loop_new();
    TimerProbe far = { 0 };
    RemoteArm ra = { .ml = ml };
    int fired = 0, far_fired = 0;
    pthread_t th;
    int64_t start;

    /* The loop would otherwise sleep on this distant deadline. */
    probe_arm(&far, ml, CLOCK_TYPE_REALTIME, 60 * NS_PER_SEC, &far_fired);
    ra.timer = timer_new_ns(ml, CLOCK_TYPE_VIRTUAL, on_flag_timer, &fired);
    start = clock_get_ns(ml, CLOCK_TYPE_REALTIME);
    pthread_create(&th, NULL, remote_arm_thread, &ra);
    while (!fired &&
           clock_get_ns(ml, CLOCK_TYPE_REALTIME) - start < 5 * NS_PER_SEC) {
        main_loop_wait(ml, 10000);
    }
    pthread_join(th, NULL);
    assert_true(fired);
    assert_true(clock_get_ns(ml, CLOCK_TYPE_VIRTUAL) >= ra.deadline);
    assert_true(clock_get_ns(ml, CLOCK_TYPE_REALTIME) - start <
                1 * NS_PER_SEC);
    assert_int_equal(far_fired, 0);
    timer_free(ra.timer);
    timer_free(far.timer);
    loop_free(ml);
}

/* --- bottom halves --- */

typedef struct BHProbe {
    int runs;
    BottomHalf *bh;
    bool delete_self;
} BHProbe;

static void bh_probe_run(void *opaque)
{
    BHProbe *p = opaque;

    __atomic_add_fetch(&p->runs, 1, __ATOMIC_ACQ_REL);
    if (p->delete_self) {
        bh_delete(p->bh);
        p->bh = NULL;
    }
}

static void *schedule_thread(void *opaque)
{
    sleep_ms(20);
    bh_schedule(opaque);
    return NULL;
}

static void test_bh_from_thread(void **state)
{
    MainLoop *ml = loop_new();
    BHProbe p = { 0 };
    pthread_t th;

    p.bh = bh_new(ml, bh_probe_run, &p);
    pthread_create(&th, NULL, schedule_thread, p.bh);
    assert_true(loop_until(ml, &p.runs, 5000));
    pthread_join(th, NULL);
    assert_int_equal(p.runs, 1);
    bh_delete(p.bh);
    loop_free(ml);
}

static void test_bh_coalesce_cancel_delete(void **state)
{
    MainLoop *ml = loop_new();
    BHProbe a = { 0 }, b = { 0 }, c = { .delete_self = true };

    a.bh = bh_new(ml, bh_probe_run, &a);
    b.bh = bh_new(ml, bh_probe_run, &b);
    c.bh = bh_new(ml, bh_probe_run, &c);
    bh_schedule(a.bh);
    bh_schedule(a.bh);
    bh_schedule(b.bh);
    bh_cancel(b.bh);
    bh_schedule(c.bh);
    main_loop_wait(ml, 1000);
    assert_int_equal(a.runs, 1);
    assert_int_equal(b.runs, 0);
    assert_int_equal(c.runs, 1);
    assert_null(c.bh);
    main_loop_wait(ml, 0);
    assert_int_equal(a.runs, 1);
    bh_delete(a.bh);
    bh_delete(b.bh);
    loop_free(ml);
}

/* --- fd handlers --- */

typedef struct PipeProbe {
    MainLoop *ml;
    int fds[2];
    int reads;
    bool drain;
    struct PipeProbe *victim;   /* handler to remove from the callback */
} PipeProbe;

static void pipe_open(PipeProbe *p, MainLoop *ml)
{
    p->ml = ml;
    assert_int_equal(pipe2(p->fds, O_NONBLOCK | O_CLOEXEC), 0);
}

static void pipe_close(PipeProbe *p)
{
    close(p->fds[0]);
    close(p->fds[1]);
}

static void pipe_on_read(void *opaque)
{
    PipeProbe *p = opaque;
    char c;

    p->reads++;
    if (p->drain) {
        while (read(p->fds[0], &c, 1) == 1) {
            continue;
        }
    } else if (read(p->fds[0], &c, 1) != 1) {
        fail_msg("spurious read callback");
    }
    if (p->victim) {
        main_loop_set_fd_handler(p->ml, p->victim->fds[0], NULL, NULL, NULL,
                                 NULL);
        main_loop_set_fd_handler(p->ml, p->fds[0], NULL, NULL, NULL, NULL);
    }
}

static void test_fd_handler_pipe(void **state)
{
    MainLoop *ml = loop_new();
    PipeProbe p = { 0 };
    Error *err = NULL;

    pipe_open(&p, ml);
    assert_true(main_loop_set_fd_handler(ml, p.fds[0], pipe_on_read, NULL,
                                         &p, &err));
    main_loop_wait(ml, 0);
    assert_int_equal(p.reads, 0);
    /* Level-triggered: two bytes, one read per call, two iterations. */
    assert_int_equal(write(p.fds[1], "ab", 2), 2);
    main_loop_wait(ml, 1000);
    assert_int_equal(p.reads, 1);
    main_loop_wait(ml, 1000);
    assert_int_equal(p.reads, 2);
    main_loop_wait(ml, 0);
    assert_int_equal(p.reads, 2);

    /* Removed: no more calls. */
    assert_true(main_loop_set_fd_handler(ml, p.fds[0], NULL, NULL, NULL,
                                         &err));
    assert_int_equal(write(p.fds[1], "c", 1), 1);
    main_loop_wait(ml, 0);
    assert_int_equal(p.reads, 2);

    /* A bad fd is a clear error. */
    assert_false(main_loop_set_fd_handler(ml, 12345, pipe_on_read, NULL, &p,
                                          &err));
    assert_non_null(strstr(error_get_pretty(err), "12345"));
    error_free(err);
    pipe_close(&p);
    loop_free(ml);
}

static void test_fd_handler_remove_in_callback(void **state)
{
    MainLoop *ml = loop_new();
    PipeProbe a = { 0 }, b = { 0 };

    pipe_open(&a, ml);
    pipe_open(&b, ml);
    a.victim = &b;
    b.victim = &a;
    assert_true(main_loop_set_fd_handler(ml, a.fds[0], pipe_on_read, NULL,
                                         &a, NULL));
    assert_true(main_loop_set_fd_handler(ml, b.fds[0], pipe_on_read, NULL,
                                         &b, NULL));
    /* Both ready in the same iteration; whichever runs first removes
     * both, and the other must not be called. */
    assert_int_equal(write(a.fds[1], "x", 1), 1);
    assert_int_equal(write(b.fds[1], "y", 1), 1);
    main_loop_wait(ml, 1000);
    assert_int_equal(a.reads + b.reads, 1);
    main_loop_wait(ml, 0);
    assert_int_equal(a.reads + b.reads, 1);

    /* Re-adding after removal works. */
    a.victim = NULL;
    a.drain = true;
    a.reads = 0;
    assert_int_equal(write(a.fds[1], "z", 1), 1);
    assert_true(main_loop_set_fd_handler(ml, a.fds[0], pipe_on_read, NULL,
                                         &a, NULL));
    main_loop_wait(ml, 1000);
    assert_int_equal(a.reads, 1);
    main_loop_set_fd_handler(ml, a.fds[0], NULL, NULL, NULL, NULL);
    pipe_close(&a);
    pipe_close(&b);
    loop_free(ml);
}

static void on_devnull(void *opaque)
{
    (*(int *)opaque)++;
}

static void test_fd_handler_always_ready(void **state)
{
    MainLoop *ml = loop_new();
    int calls = 0;
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

    /* epoll refuses /dev/null (EPERM); poll(2) would call it ready. */
    assert_true(fd >= 0);
    assert_true(main_loop_set_fd_handler(ml, fd, on_devnull, NULL, &calls,
                                         NULL));
    main_loop_wait(ml, 5000);
    assert_int_equal(calls, 1);
    main_loop_set_fd_handler(ml, fd, NULL, NULL, NULL, NULL);
    main_loop_wait(ml, 0);
    assert_int_equal(calls, 1);
    close(fd);
    loop_free(ml);
}

/* --- the big lock and quitting --- */

typedef struct LockProbe {
    MainLoop *ml;
    pthread_cond_t cond;
    bool held_in_thread;
    bool woke;
} LockProbe;

static void *lock_thread(void *opaque)
{
    LockProbe *lp = opaque;

    bql_lock(lp->ml);
    lp->held_in_thread = bql_held_by_me(lp->ml);
    lp->woke = true;
    pthread_cond_signal(&lp->cond);
    bql_unlock(lp->ml);
    return NULL;
}

static void test_bql(void **state)
{
    MainLoop *ml = loop_new();
    LockProbe lp = { .ml = ml };
    pthread_t th;

    assert_true(bql_held_by_me(ml));
    pthread_cond_init(&lp.cond, NULL);
    pthread_create(&th, NULL, lock_thread, &lp);
    /* The thread can only take the lock while we wait on the cond. */
    while (!lp.woke) {
        bql_cond_wait(ml, &lp.cond);
        assert_true(bql_held_by_me(ml));
    }
    pthread_join(th, NULL);
    assert_true(lp.held_in_thread);
    pthread_cond_destroy(&lp.cond);
    bql_unlock(ml);
    assert_false(bql_held_by_me(ml));
    bql_lock(ml);
    loop_free(ml);
}

static void *quit_thread(void *opaque)
{
    sleep_ms(20);
    main_loop_quit(opaque);
    return NULL;
}

static void test_quit_from_thread(void **state)
{
    Error *err = NULL;
    MainLoop *ml = main_loop_new(&err);
    pthread_t th;

    assert_false(main_loop_should_quit(ml));
    pthread_create(&th, NULL, quit_thread, ml);
    main_loop_run(ml);          /* takes and drops the BQL itself */
    pthread_join(th, NULL);
    assert_true(main_loop_should_quit(ml));
    assert_false(bql_held_by_me(ml));
    main_loop_free(ml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_order),
        cmocka_unit_test(test_timer_del_and_rearm),
        cmocka_unit_test(test_virtual_clock_pause),
        cmocka_unit_test(test_timer_from_thread),
        cmocka_unit_test(test_bh_from_thread),
        cmocka_unit_test(test_bh_coalesce_cancel_delete),
        cmocka_unit_test(test_fd_handler_pipe),
        cmocka_unit_test(test_fd_handler_remove_in_callback),
        cmocka_unit_test(test_fd_handler_always_ready),
        cmocka_unit_test(test_bql),
        cmocka_unit_test(test_quit_from_thread),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
