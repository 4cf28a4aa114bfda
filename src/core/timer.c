/*
 * core/timer.c — the main loop's clocks and one-shot timers.
 *
 * Clocks (clock_gettime(2)):
 *   REALTIME = CLOCK_MONOTONIC;
 *   HOST     = CLOCK_REALTIME (may jump: a timer on it fires when the wall
 *              clock reaches the deadline, whichever way it got there);
 *   VIRTUAL  = CLOCK_MONOTONIC - virtual_offset while running, and the
 *              value it had at clock_virtual_pause() while stopped;
 *              clock_virtual_resume() moves the offset so that it carries
 *              on from there. It starts at 0 when the loop is created.
 *
 * Timers. Each clock has a list of pending timers sorted by deadline
 * (equal deadlines in arming order). A timer fires, on the main loop with
 * the BQL held, once its own clock reads at or past its deadline — never
 * earlier; virtual timers do not fire while the virtual clock is stopped.
 * The loop sleeps until the earliest deadline (main-loop.c rounds it up,
 * never down). Arming a timer that becomes the earliest of its clock
 * while the loop sleeps (from a vCPU thread, which holds the BQL) wakes
 * the loop so it can shorten its sleep.
 *
 * A callback may re-arm, delete or free its own timer or any other. It
 * must not re-arm its timer at or before the current time of its clock,
 * or it will be called again in the same pass (as in QEMU).
 */
#include "core/main-loop-internal.h"

#include <time.h>

struct Timer {
    MainLoop *ml;
    ClockType type;
    TimerCB *cb;
    void *opaque;
    int64_t expire_ns;
    bool pending;
    Timer *next;                /* in ml->pending[type] */
    Timer *all_prev, *all_next; /* in ml->all_timers */
};

static int64_t host_clock_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* --- clocks --- */

void timers_init(MainLoop *ml)
{
    pthread_mutex_init(&ml->clock_lock, NULL);
    ml->virtual_offset = host_clock_ns(CLOCK_MONOTONIC);
    ml->virtual_running = true;
}

int64_t clock_get_ns(MainLoop *ml, ClockType type)
{
    int64_t now;

    switch (type) {
    case CLOCK_TYPE_HOST:
        return host_clock_ns(CLOCK_REALTIME);
    case CLOCK_TYPE_VIRTUAL:
        pthread_mutex_lock(&ml->clock_lock);
        now = ml->virtual_running
              ? host_clock_ns(CLOCK_MONOTONIC) - ml->virtual_offset
              : ml->virtual_frozen_at;
        pthread_mutex_unlock(&ml->clock_lock);
        return now;
    case CLOCK_TYPE_REALTIME:
    default:
        return host_clock_ns(CLOCK_MONOTONIC);
    }
}

void clock_virtual_pause(MainLoop *ml)
{
    pthread_mutex_lock(&ml->clock_lock);
    if (ml->virtual_running) {
        ml->virtual_frozen_at = host_clock_ns(CLOCK_MONOTONIC) -
                                ml->virtual_offset;
        ml->virtual_running = false;
    }
    pthread_mutex_unlock(&ml->clock_lock);
}

void clock_virtual_resume(MainLoop *ml)
{
    bool resumed = false;

    pthread_mutex_lock(&ml->clock_lock);
    if (!ml->virtual_running) {
        ml->virtual_offset = host_clock_ns(CLOCK_MONOTONIC) -
                             ml->virtual_frozen_at;
        ml->virtual_running = true;
        resumed = true;
    }
    pthread_mutex_unlock(&ml->clock_lock);
    /* Virtual timers are live again: the loop may have to wake sooner. */
    if (resumed && ml->sleeping) {
        main_loop_notify(ml);
    }
}

bool clock_virtual_is_running(MainLoop *ml)
{
    bool running;

    pthread_mutex_lock(&ml->clock_lock);
    running = ml->virtual_running;
    pthread_mutex_unlock(&ml->clock_lock);
    return running;
}

/* --- timers --- */

Timer *timer_new_ns(MainLoop *ml, ClockType type, TimerCB *cb, void *opaque)
{
    Timer *t = XNEW(Timer);

    t->ml = ml;
    t->type = type < CLOCK_TYPE_COUNT ? type : CLOCK_TYPE_REALTIME;
    t->cb = cb;
    t->opaque = opaque;
    t->expire_ns = -1;
    t->all_next = ml->all_timers;
    if (ml->all_timers) {
        ml->all_timers->all_prev = t;
    }
    ml->all_timers = t;
    return t;
}

/* Take @t off its clock's pending list. */
static void timer_unlink(Timer *t)
{
    Timer **link = &t->ml->pending[t->type];

    while (*link && *link != t) {
        link = &(*link)->next;
    }
    if (*link) {
        *link = t->next;
    }
    t->next = NULL;
    t->pending = false;
}

void timer_mod_ns(Timer *t, int64_t expire_ns)
{
    MainLoop *ml = t->ml;
    Timer **link;

    if (t->pending) {
        timer_unlink(t);
    }
    t->expire_ns = expire_ns;
    link = &ml->pending[t->type];
    while (*link && (*link)->expire_ns <= expire_ns) {
        link = &(*link)->next;
    }
    t->next = *link;
    *link = t;
    t->pending = true;
    /* A new earliest deadline while the loop sleeps on a later one. */
    if (ml->pending[t->type] == t && ml->sleeping) {
        main_loop_notify(ml);
    }
}

void timer_del(Timer *t)
{
    if (t && t->pending) {
        timer_unlink(t);
    }
}

bool timer_pending(const Timer *t)
{
    return t->pending;
}

int64_t timer_expire_ns(const Timer *t)
{
    return t->pending ? t->expire_ns : -1;
}

void timer_free(Timer *t)
{
    MainLoop *ml;

    if (!t) {
        return;
    }
    ml = t->ml;
    timer_del(t);
    if (t->all_prev) {
        t->all_prev->all_next = t->all_next;
    } else {
        ml->all_timers = t->all_next;
    }
    if (t->all_next) {
        t->all_next->all_prev = t->all_prev;
    }
    free(t);
}

void timers_free_all(MainLoop *ml)
{
    while (ml->all_timers) {
        timer_free(ml->all_timers);
    }
    pthread_mutex_destroy(&ml->clock_lock);
}

/* Whether timers on @type can fire now (virtual ones only while running). */
static bool clock_is_live(MainLoop *ml, ClockType type)
{
    return type != CLOCK_TYPE_VIRTUAL || clock_virtual_is_running(ml);
}

int64_t timers_deadline_ns(MainLoop *ml)
{
    int64_t deadline = -1;

    for (int type = 0; type < CLOCK_TYPE_COUNT; type++) {
        Timer *head = ml->pending[type];
        int64_t delta;

        if (!head || !clock_is_live(ml, type)) {
            continue;
        }
        /* Deadlines at the ends of int64_t must not overflow. */
        if (__builtin_sub_overflow(head->expire_ns, clock_get_ns(ml, type),
                                   &delta)) {
            delta = head->expire_ns < 0 ? 0 : INT64_MAX;
        }
        delta = MAX(delta, 0);
        deadline = deadline < 0 ? delta : MIN(deadline, delta);
    }
    return deadline;
}

static void timers_run_clock(MainLoop *ml, ClockType type)
{
    int64_t now = clock_get_ns(ml, type);
    Timer *t;

    while ((t = ml->pending[type]) && t->expire_ns <= now &&
           clock_is_live(ml, type)) {
        ml->pending[type] = t->next;
        t->next = NULL;
        t->pending = false;
        t->cb(t->opaque);
    }
}

void timers_run(MainLoop *ml)
{
    for (int type = 0; type < CLOCK_TYPE_COUNT; type++) {
        if (clock_is_live(ml, type)) {
            timers_run_clock(ml, (ClockType)type);
        }
    }
}
