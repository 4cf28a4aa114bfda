/*
 * core/main-loop-internal.h — the MainLoop object, shared by main-loop.c
 * (epoll, fd handlers, bottom halves, the big lock, the wait/dispatch
 * cycle) and timer.c (clocks and timers).
 *
 * Unless a field says otherwise it is protected by the BQL.
 */
#ifndef CORE_MAIN_LOOP_INTERNAL_H
#define CORE_MAIN_LOOP_INTERNAL_H

#include "core/main-loop.h"

typedef struct FdHandler FdHandler;

struct MainLoop {
    int epoll_fd;
    int notify_fd;              /* eventfd: any thread wakes the loop */
    bool have_epoll_pwait2;     /* nanosecond timeouts (else ms, rounded up) */

    /* The big lock; owner/held are atomics so any thread may ask. */
    pthread_mutex_t bql;
    pthread_t bql_owner;
    bool bql_held;

    bool quit;                  /* atomic, sticky */
    bool sleeping;              /* in epoll with the BQL released */
    unsigned dispatch_depth;    /* > 0 while callbacks run */
    bool has_garbage;           /* deleted handlers/BHs await freeing */

    FdHandler *fd_handlers;
    BottomHalf *bhs;

    /* timer.c: pending timers per clock, sorted by deadline. */
    Timer *pending[CLOCK_TYPE_COUNT];
    Timer *all_timers;          /* every timer, for main_loop_free() */
    /* Virtual clock = monotonic - virtual_offset, or virtual_frozen_at
     * while stopped. Guarded by clock_lock: vCPUs read it without BQL. */
    pthread_mutex_t clock_lock;
    int64_t virtual_offset;
    int64_t virtual_frozen_at;
    bool virtual_running;
};

/* timer.c */
void timers_init(MainLoop *ml);
/* Nanoseconds until the earliest live timer is due (0 if overdue), or -1. */
int64_t timers_deadline_ns(MainLoop *ml);
/* Run every timer whose clock has reached its deadline. */
void timers_run(MainLoop *ml);
void timers_free_all(MainLoop *ml);

#endif /* CORE_MAIN_LOOP_INTERNAL_H */
