/*
 * block/block-internal.h — pieces shared inside block/: the worker thread
 * pool behind blk_aio_*() and a few iovec helpers.
 *
 * The pool: submit() queues a work item for one of up to max_threads
 * workers (started lazily, all host signals blocked so the main loop's
 * signalfd gets them). When a worker finishes an item it moves it to the
 * done list and bumps an eventfd; whoever owns the pool (the BlockBackend,
 * on the main loop) calls thread_pool_dispatch() to run the items'
 * complete() callbacks on its own thread.
 */
#ifndef BLOCK_BLOCK_INTERNAL_H
#define BLOCK_BLOCK_INTERNAL_H

#include "block/block.h"

typedef struct ThreadPool ThreadPool;
typedef struct ThreadPoolItem ThreadPoolItem;

struct ThreadPoolItem {
    /* Runs on a worker; its return value is passed to complete(). */
    int (*work)(ThreadPoolItem *item);
    /* Runs on the dispatching thread. May free @item. */
    void (*complete)(ThreadPoolItem *item, int ret);
    int ret;
    ThreadPoolItem *next;
};

ThreadPool *thread_pool_new(unsigned max_threads, Error **errp);
/*
 * A mutex for the short critical sections that workers share (the pool's
 * queue, a qcow2 image's metadata): it spins briefly before sleeping, so
 * a lock held for a cache lookup costs no system call.
 */
void block_mutex_init(pthread_mutex_t *lock);
/* Joins the workers. Items still queued are completed with -ECANCELED. */
void thread_pool_free(ThreadPool *pool);
void thread_pool_submit(ThreadPool *pool, ThreadPoolItem *item);
/* Queue @item as finished with @ret without running work(). */
void thread_pool_complete(ThreadPool *pool, ThreadPoolItem *item, int ret);
int thread_pool_fd(const ThreadPool *pool);
int thread_pool_dispatch(ThreadPool *pool);
/* poll() the eventfd for up to @timeout_ms; true if it is readable. */
bool thread_pool_wait(ThreadPool *pool, int timeout_ms);

/* iovec helpers */
uint64_t block_iov_size(const struct iovec *iov, int niov);
/* Zero bytes [offset, offset+bytes) of the iovec's data. */
void block_iov_memset(const struct iovec *iov, int niov, uint64_t offset,
                      int c, uint64_t bytes);
/* Copy between an iovec's data at @offset and a flat buffer. */
void block_iov_to_buf(const struct iovec *iov, int niov, uint64_t offset,
                      void *buf, uint64_t bytes);
void block_iov_from_buf(const struct iovec *iov, int niov, uint64_t offset,
                        const void *buf, uint64_t bytes);

/*
 * The io_uring engine (block/io-uring.c) for aio=io_uring: file reads,
 * writes and fdatasyncs submitted from the backend's thread, completing
 * through @event_fd (the backend's completion eventfd). Without liburing
 * blk_uring_new() fails and the thread pool does all the work.
 */
typedef struct BlkUring BlkUring;
typedef enum BlkUringOp {
    BLK_URING_READ,
    BLK_URING_WRITE,
    BLK_URING_FSYNC,
} BlkUringOp;

BlkUring *blk_uring_new(int event_fd, Error **errp);
void blk_uring_free(BlkUring *u);
/* False if the ring cannot take it now (the caller uses the pool). The
 * buffers must stay valid until @cb runs from blk_uring_dispatch(). */
bool blk_uring_submit(BlkUring *u, BlkUringOp op, int fd, uint64_t offset,
                      const struct iovec *iov, int niov, uint64_t bytes,
                      void (*cb)(void *opaque, int ret), void *opaque);
/* Run the callbacks of finished requests; returns how many finished. */
int blk_uring_dispatch(BlkUring *u);
unsigned blk_uring_in_flight(const BlkUring *u);

/* The host fd of a "file" node (-1 for other drivers), and whether
 * O_DIRECT alignment applies to it. */
int bdrv_file_fd(BlockDriverState *bs);

/* The drivers (block_drivers[] lists them). */
extern const BlockDriver bdrv_raw;
extern const BlockDriver bdrv_qcow2;
extern const BlockDriver bdrv_file;

/*
 * For drivers' create(): make @filename a @size-byte file (created if
 * missing, truncated once its write lock is held), preallocated per
 * @prealloc (falloc/full; metadata is left to the format).
 */
bool block_create_file(const char *filename, uint64_t size,
                       BlockPreallocMode prealloc, Error **errp);
/* opts->preallocation as a mode (NULL: off), with QEMU's message. */
bool block_create_parse_prealloc(const BlockCreateOptions *opts,
                                 BlockPreallocMode *out, Error **errp);
/* Append ". @text" to the message in *errp (QEMU's hints, one line). */
void block_error_append(Error **errp, const char *text);

/* block/drive.c records the -drive if= here. */
void blk_set_interface(BlockBackend *blk, BlockInterfaceType iface);

/*
 * -snapshot: put a temporary qcow2 overlay in front of @base (opened
 * read-only; the caller's reference is taken over, also on failure) and
 * wrap it in a backend that blk_commit_snapshot() knows.
 */
BlockBackend *blk_new_with_snapshot(BlockDriverState *base, int flags,
                                    Error **errp);

/* block/drive.c, shared with block/blockdev.c (system emulators). */
bool drive_parse_common(OptList *opts, const char *file_prefix, int *flags,
                        Error **errp);
bool drive_watch_completions(Machine *m, BlockBackend *blk, Error **errp);

/* Open the "file" protocol node for @filename. */
BlockDriverState *bdrv_open_protocol(const char *filename, int flags,
                                     Error **errp);

#endif /* BLOCK_BLOCK_INTERNAL_H */
