/*
 * core/main-loop.c — the event loop: epoll(7) for file descriptors, an
 * eventfd(2) to be woken from other threads, bottom halves, the big lock,
 * and the wait/dispatch cycle (timers live in timer.c).
 *
 * One iteration (main_loop_wait):
 *   1. with the BQL held, compute the timeout: 0 if a bottom half is
 *      scheduled, quit was requested or an always-ready fd is watched,
 *      else the earliest timer deadline capped by the caller's timeout;
 *   2. drop the BQL, epoll_pwait2() with that timeout in nanoseconds
 *      (epoll_wait() in milliseconds rounded up where the kernel or libc
 *      lacks it: timers are never run early, and a sub-millisecond
 *      deadline does not become a busy loop of zero timeouts);
 *   3. retake the BQL and dispatch: fd handlers, then bottom halves, then
 *      expired timers.
 * Another thread that needs the loop to look again (bh_schedule,
 * main_loop_notify, a timer armed earlier than the loop's deadline,
 * clock_virtual_resume) writes the eventfd.
 *
 * Fd handlers are level-triggered: a handler is called again on every
 * iteration while its fd stays readable/writable. A hang-up or error
 * calls the read handler (so it sees EOF) and the write handler. Files
 * epoll cannot watch (regular files, /dev/null: EPERM) are treated as
 * always ready, as poll(2) reports them.
 *
 * Deletion during dispatch. Handlers and bottom halves removed while
 * callbacks run (by themselves or by another callback) are only marked
 * deleted, skipped from then on, and freed when dispatch is over, so the
 * loop never touches freed memory and the epoll events already fetched
 * for a removed handler are ignored.
 *
 * The BQL is a mutex plus an owner field, so bql_held_by_me() is exact.
 */
#include "core/main-loop-internal.h"
#include "util/error.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 35)
#define HAVE_EPOLL_PWAIT2 1
#else
#define HAVE_EPOLL_PWAIT2 0
#endif

#define MAIN_LOOP_MAX_EVENTS 64

struct FdHandler {
    int fd;
    IOHandler *on_read;
    IOHandler *on_write;
    void *opaque;
    bool always_ready;      /* not in epoll: epoll cannot watch this file */
    bool deleted;
    FdHandler *next;
};

struct BottomHalf {
    MainLoop *ml;
    BHFunc *cb;
    void *opaque;
    bool scheduled;         /* atomic: set from any thread */
    bool deleted;
    BottomHalf *next;
};

/* --- creation --- */

MainLoop *main_loop_new(Error **errp)
{
    MainLoop *ml = XNEW(MainLoop);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

    ml->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (ml->epoll_fd < 0) {
        error_setg_errno(errp, errno, "cannot create the main loop's epoll");
        free(ml);
        return NULL;
    }
    ml->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (ml->notify_fd < 0 ||
        epoll_ctl(ml->epoll_fd, EPOLL_CTL_ADD, ml->notify_fd, &ev) != 0) {
        error_setg_errno(errp, errno, "cannot create the main loop's eventfd");
        if (ml->notify_fd >= 0) {
            close(ml->notify_fd);
        }
        close(ml->epoll_fd);
        free(ml);
        return NULL;
    }
    ml->have_epoll_pwait2 = HAVE_EPOLL_PWAIT2;
    pthread_mutex_init(&ml->bql, NULL);
    timers_init(ml);
    return ml;
}

void main_loop_free(MainLoop *ml)
{
    if (!ml) {
        return;
    }
    if (bql_held_by_me(ml)) {
        bql_unlock(ml);
    }
    while (ml->fd_handlers) {
        FdHandler *h = ml->fd_handlers;
        ml->fd_handlers = h->next;
        free(h);
    }
    while (ml->bhs) {
        BottomHalf *bh = ml->bhs;
        ml->bhs = bh->next;
        free(bh);
    }
    timers_free_all(ml);
    close(ml->notify_fd);
    close(ml->epoll_fd);
    pthread_mutex_destroy(&ml->bql);
    free(ml);
}

/* --- the big lock --- */

void bql_lock(MainLoop *ml)
{
    if (bql_held_by_me(ml)) {
        /* A recursive take would deadlock silently: make it loud. */
        fprintf(stderr, "vireo: bql_lock: lock already held by this thread\n");
        abort();
    }
    pthread_mutex_lock(&ml->bql);
    __atomic_store_n(&ml->bql_owner, pthread_self(), __ATOMIC_RELAXED);
    __atomic_store_n(&ml->bql_held, true, __ATOMIC_RELEASE);
}

void bql_unlock(MainLoop *ml)
{
    __atomic_store_n(&ml->bql_held, false, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&ml->bql);
}

bool bql_held_by_me(MainLoop *ml)
{
    return __atomic_load_n(&ml->bql_held, __ATOMIC_ACQUIRE) &&
           pthread_equal(__atomic_load_n(&ml->bql_owner, __ATOMIC_RELAXED),
                         pthread_self());
}

void bql_cond_wait(MainLoop *ml, pthread_cond_t *cond)
{
    __atomic_store_n(&ml->bql_held, false, __ATOMIC_RELEASE);
    pthread_cond_wait(cond, &ml->bql);
    __atomic_store_n(&ml->bql_owner, pthread_self(), __ATOMIC_RELAXED);
    __atomic_store_n(&ml->bql_held, true, __ATOMIC_RELEASE);
}

/* --- wake-ups and quitting --- */

void main_loop_notify(MainLoop *ml)
{
    uint64_t one = 1;

    /* EAGAIN means the counter is already non-zero: the loop will wake. */
    if (write(ml->notify_fd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
        fprintf(stderr, "vireo: main loop notify: %s\n", strerror(errno));
    }
}

static void main_loop_drain_notify(MainLoop *ml)
{
    uint64_t count;

    while (read(ml->notify_fd, &count, sizeof(count)) == sizeof(count)) {
        continue;
    }
}

void main_loop_quit(MainLoop *ml)
{
    __atomic_store_n(&ml->quit, true, __ATOMIC_RELEASE);
    main_loop_notify(ml);
}

bool main_loop_should_quit(MainLoop *ml)
{
    return __atomic_load_n(&ml->quit, __ATOMIC_ACQUIRE);
}

/* --- deferred freeing --- */

/* Free what was deleted while callbacks ran. */
static void main_loop_collect_garbage(MainLoop *ml)
{
    FdHandler **fh = &ml->fd_handlers;
    BottomHalf **bh = &ml->bhs;

    while (*fh) {
        FdHandler *h = *fh;
        if (h->deleted) {
            *fh = h->next;
            free(h);
        } else {
            fh = &h->next;
        }
    }
    while (*bh) {
        BottomHalf *b = *bh;
        if (b->deleted) {
            *bh = b->next;
            free(b);
        } else {
            bh = &b->next;
        }
    }
    ml->has_garbage = false;
}

/* --- fd handlers --- */

static FdHandler *fd_handler_find(MainLoop *ml, int fd)
{
    for (FdHandler *h = ml->fd_handlers; h; h = h->next) {
        if (h->fd == fd && !h->deleted) {
            return h;
        }
    }
    return NULL;
}

static void fd_handler_remove(MainLoop *ml, FdHandler *h)
{
    if (!h->always_ready) {
        /* The fd may already be closed (EBADF) or dropped (ENOENT). */
        epoll_ctl(ml->epoll_fd, EPOLL_CTL_DEL, h->fd, NULL);
    }
    h->deleted = true;
    ml->has_garbage = true;
    if (ml->dispatch_depth == 0) {
        main_loop_collect_garbage(ml);
    }
}

/* Register @h with epoll for @events, adding or updating. */
static bool fd_handler_watch(MainLoop *ml, FdHandler *h, uint32_t events,
                             bool is_new, Error **errp)
{
    struct epoll_event ev = { .events = events, .data.ptr = h };

    if (h->always_ready) {
        return true;
    }
    if (!is_new && epoll_ctl(ml->epoll_fd, EPOLL_CTL_MOD, h->fd, &ev) == 0) {
        return true;
    }
    /* New, or the old registration vanished when the fd was closed. */
    if (epoll_ctl(ml->epoll_fd, EPOLL_CTL_ADD, h->fd, &ev) == 0) {
        return true;
    }
    if (errno == EPERM) {
        h->always_ready = true;
        return true;
    }
    error_setg_errno(errp, errno, "cannot watch file descriptor %d", h->fd);
    return false;
}

bool main_loop_set_fd_handler(MainLoop *ml, int fd, IOHandler *on_read,
                              IOHandler *on_write, void *opaque,
                              Error **errp)
{
    FdHandler *h = fd_handler_find(ml, fd);
    uint32_t events = (on_read ? EPOLLIN : 0) | (on_write ? EPOLLOUT : 0);
    bool is_new = !h;

    if (!on_read && !on_write) {
        if (h) {
            fd_handler_remove(ml, h);
        }
        return true;
    }
    if (is_new) {
        h = XNEW(FdHandler);
        h->fd = fd;
    }
    if (!fd_handler_watch(ml, h, events, is_new, errp)) {
        if (is_new) {
            free(h);
        } else {
            fd_handler_remove(ml, h);
        }
        return false;
    }
    h->on_read = on_read;
    h->on_write = on_write;
    h->opaque = opaque;
    if (is_new) {
        h->next = ml->fd_handlers;
        ml->fd_handlers = h;
    }
    return true;
}

static bool fd_handlers_any_always_ready(MainLoop *ml)
{
    for (FdHandler *h = ml->fd_handlers; h; h = h->next) {
        if (h->always_ready && !h->deleted) {
            return true;
        }
    }
    return false;
}

/* Call @h's handlers for the epoll @events. */
static void fd_handler_dispatch(FdHandler *h, uint32_t events)
{
    if (h->deleted) {
        return;
    }
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && h->on_read) {
        h->on_read(h->opaque);
    }
    /* The read handler may have removed or changed this handler. */
    if (!h->deleted && (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) &&
        h->on_write) {
        h->on_write(h->opaque);
    }
}

static void fd_handlers_dispatch(MainLoop *ml, struct epoll_event *events,
                                 int nr)
{
    for (int i = 0; i < nr; i++) {
        if (!events[i].data.ptr) {
            main_loop_drain_notify(ml);
            continue;
        }
        fd_handler_dispatch(events[i].data.ptr, events[i].events);
    }
    /* Handlers added during this pass are at the head and are skipped
     * until the next iteration, like new epoll registrations. */
    for (FdHandler *h = ml->fd_handlers; h; h = h->next) {
        if (h->always_ready) {
            fd_handler_dispatch(h, EPOLLIN | EPOLLOUT);
        }
    }
}

/* --- bottom halves --- */

BottomHalf *bh_new(MainLoop *ml, BHFunc *cb, void *opaque)
{
    BottomHalf *bh = XNEW(BottomHalf);

    bh->ml = ml;
    bh->cb = cb;
    bh->opaque = opaque;
    bh->next = ml->bhs;
    ml->bhs = bh;
    return bh;
}

void bh_schedule(BottomHalf *bh)
{
    if (!__atomic_exchange_n(&bh->scheduled, true, __ATOMIC_ACQ_REL)) {
        main_loop_notify(bh->ml);
    }
}

void bh_cancel(BottomHalf *bh)
{
    __atomic_store_n(&bh->scheduled, false, __ATOMIC_RELEASE);
}

void bh_delete(BottomHalf *bh)
{
    MainLoop *ml;

    if (!bh) {
        return;
    }
    ml = bh->ml;
    bh_cancel(bh);
    bh->deleted = true;
    ml->has_garbage = true;
    if (ml->dispatch_depth == 0) {
        main_loop_collect_garbage(ml);
    }
}

static bool bhs_any_scheduled(MainLoop *ml)
{
    for (BottomHalf *bh = ml->bhs; bh; bh = bh->next) {
        if (!bh->deleted && __atomic_load_n(&bh->scheduled, __ATOMIC_ACQUIRE)) {
            return true;
        }
    }
    return false;
}

static void bhs_dispatch(MainLoop *ml)
{
    for (BottomHalf *bh = ml->bhs; bh; bh = bh->next) {
        /* Clear before the call, so the callback can schedule it again. */
        if (!bh->deleted &&
            __atomic_exchange_n(&bh->scheduled, false, __ATOMIC_ACQ_REL)) {
            bh->cb(bh->opaque);
        }
    }
}

/* --- waiting and dispatching --- */

/* How long to sleep, in ns (-1: until woken), given the caller's bound. */
static int64_t main_loop_timeout_ns(MainLoop *ml, int timeout_ms)
{
    int64_t timeout = timeout_ms < 0 ? -1 : timeout_ms * (NS_PER_SEC / 1000);
    int64_t timers = timers_deadline_ns(ml);

    if (main_loop_should_quit(ml) || bhs_any_scheduled(ml) ||
        fd_handlers_any_always_ready(ml)) {
        return 0;
    }
    if (timers >= 0 && (timeout < 0 || timers < timeout)) {
        timeout = timers;
    }
    return timeout;
}

static int main_loop_epoll_wait(MainLoop *ml, struct epoll_event *events,
                                int64_t timeout_ns)
{
    int64_t ms;

#if HAVE_EPOLL_PWAIT2
    if (ml->have_epoll_pwait2) {
        struct timespec ts = {
            .tv_sec = timeout_ns / NS_PER_SEC,
            .tv_nsec = timeout_ns % NS_PER_SEC,
        };
        int n = epoll_pwait2(ml->epoll_fd, events, MAIN_LOOP_MAX_EVENTS,
                             timeout_ns < 0 ? NULL : &ts, NULL);
        /* Old kernels say ENOSYS; some seccomp filters say EPERM. */
        if (n >= 0 || (errno != ENOSYS && errno != EPERM)) {
            return n;
        }
        ml->have_epoll_pwait2 = false;
    }
#endif
    /* Milliseconds, rounded up so a deadline is never run early. */
    ms = timeout_ns < 0 ? -1 : (timeout_ns + 999999) / 1000000;
    return epoll_wait(ml->epoll_fd, events, MAIN_LOOP_MAX_EVENTS,
                      (int)MIN(ms, (int64_t)INT_MAX));
}

void main_loop_wait(MainLoop *ml, int timeout_ms)
{
    struct epoll_event events[MAIN_LOOP_MAX_EVENTS];
    int64_t timeout_ns = main_loop_timeout_ns(ml, timeout_ms);
    int nr;

    ml->sleeping = true;
    bql_unlock(ml);
    nr = main_loop_epoll_wait(ml, events, timeout_ns);
    bql_lock(ml);
    ml->sleeping = false;

    ml->dispatch_depth++;
    fd_handlers_dispatch(ml, events, nr > 0 ? nr : 0);
    bhs_dispatch(ml);
    timers_run(ml);
    ml->dispatch_depth--;
    if (ml->dispatch_depth == 0 && ml->has_garbage) {
        main_loop_collect_garbage(ml);
    }
}

void main_loop_run(MainLoop *ml)
{
    bool take_lock = !bql_held_by_me(ml);

    if (take_lock) {
        bql_lock(ml);
    }
    while (!main_loop_should_quit(ml)) {
        main_loop_wait(ml, -1);
    }
    if (take_lock) {
        bql_unlock(ml);
    }
}
