/*
 * block/thread-pool.c — worker threads for blocking host I/O, with
 * completions handed back through an eventfd (see block-internal.h).
 *
 * Invariants: an item is on exactly one of the pending list, a worker's
 * hands, or the done list; the eventfd counter is non-zero whenever the
 * done list is (it may stay non-zero after a dispatch that found an empty
 * list, which is harmless). Only an empty-to-non-empty done list writes
 * the eventfd and only a submit that finds an idle worker signals one,
 * so a busy pool costs no system calls per request beyond the I/O. Workers are only ever added, up to
 * max_threads, and all are joined by thread_pool_free().
 */
#include "block/block-internal.h"
#include "util/error.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct ThreadPool {
    pthread_mutex_t lock;
    pthread_cond_t work_cond;
    ThreadPoolItem *pending, **pending_tail;    /* FIFO, under lock */
    /* Finished items, newest first, pushed without the lock (a worker
     * finishing never contends with the submitter for it). */
    ThreadPoolItem *_Atomic done;
    pthread_t *threads;
    unsigned nr_threads;
    unsigned max_threads;
    unsigned idle;
    bool stopping;
    int event_fd;
};

static void thread_pool_signal(ThreadPool *pool)
{
    uint64_t one = 1;

    /* EAGAIN means the counter is already huge: it is readable anyway. */
    while (write(pool->event_fd, &one, sizeof(one)) < 0 && errno == EINTR) {
    }
}

/* Only the first item on an empty done list touches the eventfd: later
 * ones ride on the wake-up already pending (thread_pool_dispatch() resets
 * the counter before it takes the list, so an item pushed after that
 * finds the list empty and signals anew). Lock-free: any thread. */
static void thread_pool_push_done(ThreadPool *pool, ThreadPoolItem *item)
{
    ThreadPoolItem *head = atomic_load(&pool->done);

    do {
        item->next = head;
    } while (!atomic_compare_exchange_weak(&pool->done, &head, item));
    if (!head) {
        thread_pool_signal(pool);
    }
}

static void *thread_pool_worker(void *opaque)
{
    ThreadPool *pool = opaque;

    pthread_mutex_lock(&pool->lock);
    for (;;) {
        ThreadPoolItem *item;
        int ret;

        while (!pool->pending && !pool->stopping) {
            pool->idle++;
            pthread_cond_wait(&pool->work_cond, &pool->lock);
            pool->idle--;
        }
        if (!pool->pending) {
            break;  /* stopping, nothing left */
        }
        item = pool->pending;
        pool->pending = item->next;
        if (!pool->pending) {
            pool->pending_tail = &pool->pending;
        }
        pthread_mutex_unlock(&pool->lock);

        ret = item->work(item);
        item->ret = ret;
        thread_pool_push_done(pool, item);
        pthread_mutex_lock(&pool->lock);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

void block_mutex_init(pthread_mutex_t *lock)
{
    pthread_mutexattr_t attr;

    pthread_mutexattr_init(&attr);
#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
#endif
    pthread_mutex_init(lock, &attr);
    pthread_mutexattr_destroy(&attr);
}

ThreadPool *thread_pool_new(unsigned max_threads, Error **errp)
{
    ThreadPool *pool = XNEW(ThreadPool);

    pool->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (pool->event_fd < 0) {
        error_setg_errno(errp, errno, "Could not create eventfd");
        free(pool);
        return NULL;
    }
    block_mutex_init(&pool->lock);
    pthread_cond_init(&pool->work_cond, NULL);
    pool->pending_tail = &pool->pending;
    atomic_init(&pool->done, NULL);
    pool->max_threads = max_threads ? max_threads : 1;
    pool->threads = XNEW_ARRAY(pthread_t, pool->max_threads);
    return pool;
}

/* Called with the lock held. Returns false if no thread could start. */
static bool thread_pool_spawn(ThreadPool *pool)
{
    sigset_t all, old;
    int err;

    /* Workers never take signals: the main loop's signalfd handles them. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    err = pthread_create(&pool->threads[pool->nr_threads], NULL,
                         thread_pool_worker, pool);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err) {
        return false;
    }
    pool->nr_threads++;
    return true;
}

void thread_pool_submit(ThreadPool *pool, ThreadPoolItem *item)
{
    bool wake;

    item->next = NULL;
    pthread_mutex_lock(&pool->lock);
    if (pool->idle == 0 && pool->nr_threads < pool->max_threads &&
        !thread_pool_spawn(pool) && pool->nr_threads == 0) {
        /* No worker at all (thread limit of the host): run it here. */
        pthread_mutex_unlock(&pool->lock);
        item->ret = item->work(item);
        thread_pool_complete(pool, item, item->ret);
        return;
    }
    *pool->pending_tail = item;
    pool->pending_tail = &item->next;
    wake = pool->idle > 0;
    pthread_mutex_unlock(&pool->lock);
    /* Signalled after the unlock, so the woken worker does not at once
     * block on the lock we hold. A worker counted idle above is already
     * waiting (or will see the item before it waits): nothing is lost. */
    if (wake) {
        pthread_cond_signal(&pool->work_cond);
    }
}

void thread_pool_complete(ThreadPool *pool, ThreadPoolItem *item, int ret)
{
    item->ret = ret;
    thread_pool_push_done(pool, item);
}

int thread_pool_fd(const ThreadPool *pool)
{
    return pool->event_fd;
}

int thread_pool_dispatch(ThreadPool *pool)
{
    ThreadPoolItem *list = NULL;
    uint64_t count;
    int n = 0;

    /* Reset the counter before taking the list: a completion that lands
     * after the read re-arms the fd, so none is ever missed. */
    while (read(pool->event_fd, &count, sizeof(count)) < 0 &&
           errno == EINTR) {
    }
    /* Take the whole stack and reverse it: callbacks run in completion
     * order. */
    for (ThreadPoolItem *item = atomic_exchange(&pool->done, NULL); item;) {
        ThreadPoolItem *next = item->next;

        item->next = list;
        list = item;
        item = next;
    }
    while (list) {
        ThreadPoolItem *item = list;

        list = item->next;
        item->complete(item, item->ret);
        n++;
    }
    return n;
}

bool thread_pool_wait(ThreadPool *pool, int timeout_ms)
{
    struct pollfd pfd = { .fd = pool->event_fd, .events = POLLIN };
    int r;

    do {
        r = poll(&pfd, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    return r > 0;
}

void thread_pool_free(ThreadPool *pool)
{
    if (!pool) {
        return;
    }
    pthread_mutex_lock(&pool->lock);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->work_cond);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < pool->nr_threads; i++) {
        pthread_join(pool->threads[i], NULL);
    }
    /* Workers drain the pending list before they exit; hand back what
     * finished so owners can free their items. */
    thread_pool_dispatch(pool);
    close(pool->event_fd);
    pthread_cond_destroy(&pool->work_cond);
    pthread_mutex_destroy(&pool->lock);
    free(pool->threads);
    free(pool);
}
