/*
 * core/main-loop.h — the event loop that owns devices, backends and the
 * monitor: file-descriptor handlers (epoll), bottom halves, and timers on
 * the virtual and host clocks.
 *
 * Threads and the big lock. The main-loop thread holds the big lock
 * (BQL) whenever it runs a handler, bottom half or timer, and drops it
 * only while waiting in epoll. vCPU threads run guest code without it and
 * take it around anything that touches devices (MMIO dispatch, interrupt
 * delivery from devices happens under it). So device code always runs
 * with the BQL held and needs no locks of its own.
 *
 * Thread safety of this API: bh_schedule() and main_loop_notify() may be
 * called from any thread without the BQL. Everything else requires the
 * BQL (which the main loop holds when it calls you back).
 *
 * Clocks:
 *   CLOCK_HOST      wall-clock time (CLOCK_REALTIME), for RTCs;
 *   CLOCK_REALTIME  host monotonic time, runs while the VM is stopped
 *                   (monitor timeouts, reconnect timers);
 *   CLOCK_VIRTUAL   guest time: monotonic, starts at 0, and stands still
 *                   while the VM is stopped (mtime, guest timers).
 */
#ifndef CORE_MAIN_LOOP_H
#define CORE_MAIN_LOOP_H

#include "util/osdep.h"
#include "util/typedefs.h"

#include <pthread.h>

typedef enum ClockType {
    CLOCK_TYPE_REALTIME,
    CLOCK_TYPE_VIRTUAL,
    CLOCK_TYPE_HOST,
    CLOCK_TYPE_COUNT,
} ClockType;

typedef void IOHandler(void *opaque);
typedef void BHFunc(void *opaque);
typedef void TimerCB(void *opaque);

#define NS_PER_SEC 1000000000LL

MainLoop *main_loop_new(Error **errp);
void main_loop_free(MainLoop *ml);

/*
 * Run one iteration: wait for fds/timers/bottom halves (at most
 * @timeout_ms; -1 = until something happens), then dispatch. Call with the
 * BQL held; it is released during the wait.
 */
void main_loop_wait(MainLoop *ml, int timeout_ms);
/* Run until main_loop_quit(). Called from the main thread. */
void main_loop_run(MainLoop *ml);
/* Make main_loop_run() return after the current iteration (any thread). */
void main_loop_quit(MainLoop *ml);
bool main_loop_should_quit(MainLoop *ml);
/* Wake a main loop blocked in epoll (any thread). */
void main_loop_notify(MainLoop *ml);

/* The big lock. */
void bql_lock(MainLoop *ml);
void bql_unlock(MainLoop *ml);
bool bql_held_by_me(MainLoop *ml);
/* Wait on @cond with the BQL released (vCPU parking). */
void bql_cond_wait(MainLoop *ml, pthread_cond_t *cond);

/*
 * Watch @fd: @on_read/@on_write are called (BQL held) while the fd is
 * readable/writable. Passing NULL for both removes the handler.
 */
bool main_loop_set_fd_handler(MainLoop *ml, int fd, IOHandler *on_read,
                              IOHandler *on_write, void *opaque,
                              Error **errp);

/* --- bottom halves: callbacks run once by the main loop, soon --- */
BottomHalf *bh_new(MainLoop *ml, BHFunc *cb, void *opaque);
/* Request one run; repeated requests before it runs coalesce. */
void bh_schedule(BottomHalf *bh);
void bh_cancel(BottomHalf *bh);
void bh_delete(BottomHalf *bh);

/* --- clocks and timers --- */
int64_t clock_get_ns(MainLoop *ml, ClockType type);
/* Stop/resume the virtual clock (vm stop/cont). */
void clock_virtual_pause(MainLoop *ml);
void clock_virtual_resume(MainLoop *ml);
bool clock_virtual_is_running(MainLoop *ml);

Timer *timer_new_ns(MainLoop *ml, ClockType type, TimerCB *cb, void *opaque);
/* Arm (or re-arm) to fire once when the clock reaches @expire_ns. */
void timer_mod_ns(Timer *t, int64_t expire_ns);
void timer_del(Timer *t);
bool timer_pending(const Timer *t);
int64_t timer_expire_ns(const Timer *t);
void timer_free(Timer *t);

#endif /* CORE_MAIN_LOOP_H */
