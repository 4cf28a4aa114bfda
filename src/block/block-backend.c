/*
 * block/block-backend.c — BlockBackend: the handle a device front end or
 * a tool holds on an image, with asynchronous requests run by a worker
 * pool and completed on the owner's thread (see block/block.h).
 *
 * Request life cycle: blk_aio_*() checks what can be checked at once
 * (read-only, range), copies the iovec array into a BlkAioRequest and
 * either queues it for a worker or, if it was rejected, straight onto the
 * done list; in both cases the callback runs later from
 * blk_dispatch_completions(), never inside the submit call. in_flight
 * counts requests whose callback has not run yet, so blk_drain() knows
 * when a device may safely forget its guest buffers.
 *
 * The writethrough cache mode (cache=writethrough/directsync, or a guest
 * turning the virtio-blk write cache off) is done here: a successful
 * write is followed by a flush in the same worker job.
 *
 * With aio=io_uring (BDRV_O_IO_URING), reads, writes and flushes of a raw
 * image (or a bare file node) skip the pool: they are submitted to an
 * io_uring whose completions signal the same eventfd, so the dispatch
 * below handles both kinds. Anything else, and anything the ring cannot
 * take at the moment, goes to the pool as before.
 */
#include "block/block-internal.h"
#include "util/error.h"

#include <time.h>
#include <unistd.h>

/* Workers per backend (QEMU's pool also grows to 64); each blocks in at
 * most one host I/O call, and they start only as requests queue up. */
#define BLK_MAX_WORKERS 64
/* iovecs kept inside the request before it allocates. */
#define BLK_INLINE_IOV 8

typedef enum BlkRequestType {
    BLK_REQ_READ,
    BLK_REQ_WRITE,
    BLK_REQ_FLUSH,
    BLK_REQ_DISCARD,
    BLK_REQ_WRITE_ZEROES,
} BlkRequestType;

struct BlockBackend {
    char *name;
    BlockDriverState *root;
    bool snapshot_overlay;      /* root is a temporary -snapshot overlay */
    bool write_cache;           /* false: writethrough */
    bool discard;
    BlockInterfaceType iface;
    void *dev;                  /* the device front end using it */
    ThreadPool *pool;
    BlkUring *uring;            /* aio=io_uring on a raw image, or NULL */
    unsigned in_flight;
    BlockAcctStats stats;
    int refcnt;
    void (*release_notify)(BlockBackend *blk, void *opaque);
    void *release_opaque;
};

typedef struct BlkAioRequest {
    ThreadPoolItem item;
    BlockBackend *blk;
    BlkRequestType type;
    uint64_t offset;
    uint64_t bytes;
    unsigned flags;
    struct iovec *iov;
    int niov;
    BlockCompletionFunc *cb;
    void *opaque;
    uint64_t start_ns;          /* 0: rejected before any I/O */
    struct iovec iov_inline[BLK_INLINE_IOV];
} BlkAioRequest;

static uint64_t blk_clock_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Which BlockAcctStats row a request type is counted in (QEMU's). */
static const BlockAcctType blk_acct_type[] = {
    [BLK_REQ_READ] = BLOCK_ACCT_READ,
    [BLK_REQ_WRITE] = BLOCK_ACCT_WRITE,
    [BLK_REQ_FLUSH] = BLOCK_ACCT_FLUSH,
    [BLK_REQ_DISCARD] = BLOCK_ACCT_UNMAP,
    [BLK_REQ_WRITE_ZEROES] = BLOCK_ACCT_WRITE,
};

static void blk_account(BlockBackend *blk, const BlkAioRequest *req,
                        int ret)
{
    BlockAcctStats *st = &blk->stats;
    BlockAcctType t = blk_acct_type[req->type];

    if (!req->start_ns) {
        st->invalid[t]++;
        return;
    }
    if (ret < 0) {
        st->failed[t]++;
    } else {
        st->ops[t]++;
        st->bytes[t] += req->bytes;
        if (t == BLOCK_ACCT_WRITE) {
            st->wr_highest_offset = MAX(st->wr_highest_offset,
                                        req->offset + req->bytes);
        }
    }
    st->total_time_ns[t] += blk_clock_ns() - req->start_ns;
}

const BlockAcctStats *blk_get_stats(const BlockBackend *blk)
{
    return &blk->stats;
}

BlockBackend *blk_new_with_root(BlockDriverState *root, int flags)
{
    BlockBackend *blk = XNEW(BlockBackend);

    blk->name = xstrdup("");
    blk->root = root;
    blk->write_cache = !(flags & BDRV_O_WRITETHROUGH);
    blk->discard = flags & BDRV_O_UNMAP;
    blk->iface = BLOCK_IF_NONE;
    blk->refcnt = 1;
    /* The pool's eventfd is created now so blk_completion_fd() is stable;
     * its threads start with the first request. */
    blk->pool = thread_pool_new(BLK_MAX_WORKERS, NULL);
    if (!blk->pool) {
        bdrv_unref(root);
        free(blk->name);
        free(blk);
        return NULL;
    }
    if (flags & BDRV_O_IO_URING) {
        /* Without io_uring the pool does it all, as QEMU would fail;
         * a warning says so once. */
        Error *err = NULL;

        blk->uring = blk_uring_new(thread_pool_fd(blk->pool), &err);
        if (!blk->uring) {
            warn_report("%s; using aio=threads", error_get_pretty(err));
            error_free(err);
        }
    }
    return blk;
}

/*
 * The host fd a request can go to directly through io_uring, or -1 when
 * it needs the format's code or a fallback (see block/io-uring.c).
 */
static int blk_uring_target(BlockBackend *blk, int type, uint64_t offset,
                            uint64_t bytes, const struct iovec *iov,
                            int niov)
{
    BlockDriverState *bs = blk->root, *file = bs;
    uint32_t align;

    if (!blk->uring || (type == BLK_REQ_WRITE && !blk->write_cache)) {
        return -1;
    }
    if (bs->drv == &bdrv_raw) {
        if ((bs->open_flags & BDRV_O_PROBED) && type == BLK_REQ_WRITE &&
            offset < BDRV_SECTOR_SIZE) {
            return -1;          /* the sector-0 check of probed images */
        }
        if ((bs->open_flags & BDRV_O_DETECT_ZEROES) &&
            type == BLK_REQ_WRITE) {
            return -1;
        }
        file = bs->file;
    }
    if (!file || bdrv_file_fd(file) < 0) {
        return -1;
    }
    if (type == BLK_REQ_FLUSH) {
        return (file->open_flags & BDRV_O_NO_FLUSH) || file->read_only
               ? -1 : bdrv_file_fd(file);
    }
    align = file->request_alignment;
    if (align > 1) {
        if (offset % align || bytes % align) {
            return -1;
        }
        for (int i = 0; i < niov; i++) {
            if ((uintptr_t)iov[i].iov_base % align ||
                iov[i].iov_len % align) {
                return -1;
            }
        }
    }
    return bdrv_file_fd(file);
}

/*
 * -snapshot: a temporary qcow2 file in $TMPDIR (or /var/tmp, as QEMU)
 * backed by @base, opened writable in front of it and deleted on close.
 */
static BlockDriverState *blk_open_snapshot_overlay(BlockDriverState *base,
                                                   int flags, Error **errp)
{
    const char *tmpdir = getenv("TMPDIR");
    char *path = xasprintf("%s/vl.XXXXXX", tmpdir && *tmpdir ? tmpdir
                                                             : "/var/tmp");
    BlockCreateOptions opts;
    BlockDriverState *overlay = NULL;
    int64_t len = bdrv_getlength(base);
    int fd;

    if (len < 0) {
        error_setg_errno(errp, -(int)len, "Could not get the size of '%s'",
                         base->filename);
        goto out;
    }
    fd = mkstemp(path);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not create temporary overlay "
                         "'%s'", path);
        goto out;
    }
    close(fd);
    bdrv_create_options_init(&opts);
    opts.size = len;
    opts.has_size = true;
    opts.backing_file = xstrdup(base->filename);
    opts.backing_fmt = xstrdup(bdrv_get_format_name(base));
    if (!bdrv_create("qcow2", path, &opts, errp)) {
        bdrv_create_options_free(&opts);
        unlink(path);
        goto out;
    }
    bdrv_create_options_free(&opts);
    flags = (flags | BDRV_O_RDWR | BDRV_O_NO_BACKING | BDRV_O_TEMPORARY) &
            ~(BDRV_O_SNAPSHOT | BDRV_O_NOCACHE | BDRV_O_FORCE_SHARE);
    overlay = bdrv_open(path, "qcow2", flags, errp);
    if (!overlay) {
        unlink(path);
        goto out;
    }
    bdrv_set_backing(overlay, base);
out:
    free(path);
    return overlay;
}

BlockBackend *blk_new_with_snapshot(BlockDriverState *base, int flags,
                                    Error **errp)
{
    BlockDriverState *overlay = blk_open_snapshot_overlay(base, flags, errp);
    BlockBackend *blk;

    bdrv_unref(base);
    if (!overlay) {
        return NULL;
    }
    blk = blk_new_with_root(overlay, flags);
    if (!blk) {
        error_setg(errp, "Could not open '%s': out of file descriptors",
                   base->filename);
        return NULL;
    }
    blk->snapshot_overlay = true;
    return blk;
}

BlockBackend *blk_new_open(const char *filename, const char *format,
                           int flags, Error **errp)
{
    bool snapshot = flags & BDRV_O_SNAPSHOT;
    BlockDriverState *bs;
    BlockBackend *blk;

    bs = bdrv_open(filename, format,
                   snapshot ? flags & ~(BDRV_O_RDWR | BDRV_O_SNAPSHOT |
                                        BDRV_O_DETECT_ZEROES)
                            : flags, errp);
    if (!bs) {
        return NULL;
    }
    if (snapshot) {
        return blk_new_with_snapshot(bs, flags, errp);
    }
    blk = blk_new_with_root(bs, flags);
    if (!blk) {
        error_setg(errp, "Could not open '%s': out of file descriptors",
                   filename);
    }
    return blk;
}

bool blk_commit_snapshot(BlockBackend *blk, Error **errp)
{
    BlockDriverState *top = blk->root;
    int ret;

    if (!blk->snapshot_overlay || !top->backing) {
        return true;
    }
    blk_drain(blk);
    ret = bdrv_flush(top);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not flush the overlay of '%s'",
                         top->backing->filename);
        return false;
    }
    if (!bdrv_commit(top, top->backing, NULL, NULL, errp)) {
        return false;
    }
    ret = bdrv_make_empty(top);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not empty the overlay of '%s'",
                         top->backing->filename);
        return false;
    }
    return true;
}

void blk_unref(BlockBackend *blk)
{
    if (!blk || --blk->refcnt > 0) {
        return;
    }
    blk_drain(blk);
    if (blk->release_notify) {
        blk->release_notify(blk, blk->release_opaque);
    }
    blk_uring_free(blk->uring);
    thread_pool_free(blk->pool);
    bdrv_unref(blk->root);
    free(blk->name);
    free(blk);
}

const char *blk_name(const BlockBackend *blk)
{
    return blk->name;
}

void blk_set_name(BlockBackend *blk, const char *id)
{
    free(blk->name);
    blk->name = xstrdup(id ? id : "");
}

BlockDriverState *blk_bs(BlockBackend *blk)
{
    return blk->root;
}

bool blk_is_read_only(const BlockBackend *blk)
{
    return blk->root->read_only;
}

bool blk_enable_write_cache(const BlockBackend *blk)
{
    return blk->write_cache;
}

void blk_set_enable_write_cache(BlockBackend *blk, bool enable)
{
    blk->write_cache = enable;
}

bool blk_discard_enabled(const BlockBackend *blk)
{
    return blk->discard;
}

BlockInterfaceType blk_interface(const BlockBackend *blk)
{
    return blk->iface;
}

bool blk_attach_dev(BlockBackend *blk, void *dev)
{
    if (blk->dev && blk->dev != dev) {
        return false;
    }
    blk->dev = dev;
    return true;
}

void blk_detach_dev(BlockBackend *blk, void *dev)
{
    if (blk->dev == dev) {
        blk->dev = NULL;
    }
}

void blk_set_interface(BlockBackend *blk, BlockInterfaceType iface)
{
    blk->iface = iface;
}

int64_t blk_getlength(BlockBackend *blk)
{
    return bdrv_getlength(blk->root);
}

void blk_set_release_notifier(BlockBackend *blk,
                              void (*notify)(BlockBackend *blk, void *opaque),
                              void *opaque)
{
    blk->release_notify = notify;
    blk->release_opaque = opaque;
}

/* Requests must lie within the image: -EIO otherwise, as in QEMU. */
static int blk_check_range(BlockBackend *blk, uint64_t offset,
                           uint64_t bytes)
{
    int64_t len = blk_getlength(blk);

    if (len < 0) {
        return len;
    }
    if (offset > (uint64_t)len || bytes > (uint64_t)len - offset) {
        return -EIO;
    }
    return 0;
}

/* What a request of @type may fail with before it is even queued. */
static int blk_check_request(BlockBackend *blk, BlkRequestType type,
                             uint64_t offset, uint64_t bytes)
{
    bool writes = type == BLK_REQ_WRITE || type == BLK_REQ_DISCARD ||
                  type == BLK_REQ_WRITE_ZEROES;

    if (writes && blk_is_read_only(blk)) {
        return -EPERM;
    }
    if (type == BLK_REQ_FLUSH) {
        return 0;
    }
    return blk_check_range(blk, offset, bytes);
}

/* The request proper, on a worker thread (or the caller's, for sync). */
static int blk_do_request(BlockBackend *blk, BlkRequestType type,
                          uint64_t offset, uint64_t bytes,
                          const struct iovec *iov, int niov, unsigned flags)
{
    int ret;

    switch (type) {
    case BLK_REQ_READ:
        return bdrv_preadv(blk->root, offset, bytes, iov, niov, flags);
    case BLK_REQ_WRITE:
        ret = bdrv_pwritev(blk->root, offset, bytes, iov, niov, flags);
        break;
    case BLK_REQ_FLUSH:
        return bdrv_flush(blk->root);
    case BLK_REQ_DISCARD:
        return blk->discard ? bdrv_pdiscard(blk->root, offset, bytes) : 0;
    case BLK_REQ_WRITE_ZEROES:
        ret = bdrv_pwrite_zeroes(blk->root, offset, bytes, flags);
        break;
    default:
        return -EINVAL;
    }
    if (ret == 0 && !blk->write_cache) {
        ret = bdrv_flush(blk->root);
    }
    return ret;
}

static int blk_aio_work(ThreadPoolItem *item)
{
    BlkAioRequest *req = container_of(item, BlkAioRequest, item);

    return blk_do_request(req->blk, req->type, req->offset, req->bytes,
                          req->iov, req->niov, req->flags);
}

static void blk_aio_complete(ThreadPoolItem *item, int ret)
{
    BlkAioRequest *req = container_of(item, BlkAioRequest, item);

    req->blk->in_flight--;
    blk_account(req->blk, req, ret);
    req->cb(req->opaque, ret);
    if (req->iov != req->iov_inline) {
        free(req->iov);
    }
    free(req);
}

static void blk_uring_complete(void *opaque, int ret)
{
    BlkAioRequest *req = opaque;

    blk_aio_complete(&req->item, ret);
}

static void blk_aio_submit(BlockBackend *blk, BlkRequestType type,
                           uint64_t offset, uint64_t bytes,
                           const struct iovec *iov, int niov, unsigned flags,
                           BlockCompletionFunc *cb, void *opaque)
{
    BlkAioRequest *req = XNEW(BlkAioRequest);
    int ret;

    req->item.work = blk_aio_work;
    req->item.complete = blk_aio_complete;
    req->blk = blk;
    req->type = type;
    req->offset = offset;
    req->bytes = bytes;
    req->flags = flags;
    req->cb = cb;
    req->opaque = opaque;
    req->niov = niov;
    req->iov = niov <= BLK_INLINE_IOV ? req->iov_inline
                                      : XNEW_ARRAY(struct iovec, niov);
    if (niov) {
        memcpy(req->iov, iov, niov * sizeof(*iov));
    }
    blk->in_flight++;

    ret = blk_check_request(blk, type, offset, bytes);
    if (ret < 0) {
        req->start_ns = 0;
        thread_pool_complete(blk->pool, &req->item, ret);
        return;
    }
    req->start_ns = blk_clock_ns();
    if (type == BLK_REQ_READ || type == BLK_REQ_WRITE ||
        type == BLK_REQ_FLUSH) {
        int fd = blk_uring_target(blk, type, offset, bytes, req->iov, niov);
        BlkUringOp op = type == BLK_REQ_READ ? BLK_URING_READ
                        : type == BLK_REQ_WRITE ? BLK_URING_WRITE
                                                : BLK_URING_FSYNC;

        if (fd >= 0 && blk_uring_submit(blk->uring, op, fd, offset, req->iov,
                                        niov, bytes, blk_uring_complete,
                                        req)) {
            return;
        }
    }
    thread_pool_submit(blk->pool, &req->item);
}

void blk_aio_preadv(BlockBackend *blk, uint64_t offset,
                    const struct iovec *iov, int niov, unsigned flags,
                    BlockCompletionFunc *cb, void *opaque)
{
    blk_aio_submit(blk, BLK_REQ_READ, offset, block_iov_size(iov, niov),
                   iov, niov, flags, cb, opaque);
}

void blk_aio_pwritev(BlockBackend *blk, uint64_t offset,
                     const struct iovec *iov, int niov, unsigned flags,
                     BlockCompletionFunc *cb, void *opaque)
{
    blk_aio_submit(blk, BLK_REQ_WRITE, offset, block_iov_size(iov, niov),
                   iov, niov, flags, cb, opaque);
}

void blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb, void *opaque)
{
    blk_aio_submit(blk, BLK_REQ_FLUSH, 0, 0, NULL, 0, 0, cb, opaque);
}

void blk_aio_pdiscard(BlockBackend *blk, uint64_t offset, uint64_t bytes,
                      BlockCompletionFunc *cb, void *opaque)
{
    blk_aio_submit(blk, BLK_REQ_DISCARD, offset, bytes, NULL, 0, 0, cb,
                   opaque);
}

void blk_aio_pwrite_zeroes(BlockBackend *blk, uint64_t offset,
                           uint64_t bytes, unsigned flags,
                           BlockCompletionFunc *cb, void *opaque)
{
    blk_aio_submit(blk, BLK_REQ_WRITE_ZEROES, offset, bytes, NULL, 0, flags,
                   cb, opaque);
}

int blk_completion_fd(BlockBackend *blk)
{
    return thread_pool_fd(blk->pool);
}

int blk_dispatch_completions(BlockBackend *blk)
{
    int n = thread_pool_dispatch(blk->pool);

    return blk->uring ? n + blk_uring_dispatch(blk->uring) : n;
}

unsigned blk_in_flight(const BlockBackend *blk)
{
    return blk->in_flight;
}

int blk_aio_wait(BlockBackend *blk, int timeout_ms)
{
    if (!thread_pool_wait(blk->pool, timeout_ms)) {
        return 0;
    }
    return blk_dispatch_completions(blk);
}

void blk_drain(BlockBackend *blk)
{
    while (blk->in_flight) {
        blk_aio_wait(blk, -1);
    }
}

/* --- synchronous wrappers --- */

static int blk_sync_request(BlockBackend *blk, BlkRequestType type,
                            uint64_t offset, uint64_t bytes,
                            const struct iovec *iov, int niov,
                            unsigned flags)
{
    int ret = blk_check_request(blk, type, offset, bytes);

    return ret < 0 ? ret
                   : blk_do_request(blk, type, offset, bytes, iov, niov,
                                    flags);
}

int blk_pread(BlockBackend *blk, uint64_t offset, void *buf, uint64_t bytes)
{
    struct iovec iov = { .iov_base = buf, .iov_len = bytes };

    return blk_sync_request(blk, BLK_REQ_READ, offset, bytes, &iov, 1, 0);
}

int blk_pwrite(BlockBackend *blk, uint64_t offset, const void *buf,
               uint64_t bytes)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = bytes };

    return blk_sync_request(blk, BLK_REQ_WRITE, offset, bytes, &iov, 1, 0);
}

int blk_pwrite_compressed(BlockBackend *blk, uint64_t offset,
                          const void *buf, uint64_t bytes)
{
    int ret = blk_check_request(blk, BLK_REQ_WRITE, offset, bytes);

    return ret < 0 ? ret : bdrv_pwrite_compressed(blk->root, offset, buf,
                                                  bytes);
}

int blk_flush(BlockBackend *blk)
{
    return blk_sync_request(blk, BLK_REQ_FLUSH, 0, 0, NULL, 0, 0);
}

int blk_pdiscard(BlockBackend *blk, uint64_t offset, uint64_t bytes)
{
    return blk_sync_request(blk, BLK_REQ_DISCARD, offset, bytes, NULL, 0, 0);
}

int blk_pwrite_zeroes(BlockBackend *blk, uint64_t offset, uint64_t bytes,
                      unsigned flags)
{
    return blk_sync_request(blk, BLK_REQ_WRITE_ZEROES, offset, bytes, NULL,
                            0, flags);
}

int blk_truncate(BlockBackend *blk, uint64_t size)
{
    return bdrv_truncate(blk->root, size);
}
