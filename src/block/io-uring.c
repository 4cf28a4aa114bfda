/*
 * block/io-uring.c — the io_uring engine behind aio=io_uring: requests
 * on a raw image go straight from the submitting thread (the main loop)
 * to the kernel, and their completions come back through the backend's
 * completion eventfd, registered with the ring, so the main loop wakes
 * for them exactly as for the worker pool's.
 *
 * Only plain file reads, writes and fdatasyncs come here; everything
 * that needs a format's logic (qcow2 metadata) or a fallback (unaligned
 * O_DIRECT, sector-0 protection of probed raw images, detect-zeroes)
 * stays on the thread pool, which is also what runs when liburing is
 * absent or the kernel refuses io_uring. Short transfers are continued
 * (a read that reaches end-of-file fills the rest with zeroes, as the
 * file protocol does).
 */
#include "block/block-internal.h"
#include "util/error.h"

#if CONFIG_IO_URING
#include <liburing.h>

/* Ring entries: more requests than this wait in the pool instead. */
#define BLK_URING_ENTRIES 128

typedef struct BlkUringReq {
    BlkUringOp op;
    int fd;
    uint64_t offset;
    uint64_t bytes;
    uint64_t done;
    struct iovec *iov;          /* our copy, advanced on short transfers */
    int niov;
    const struct iovec *orig;   /* the caller's, for zero-filling */
    int orig_niov;
    void (*cb)(void *opaque, int ret);
    void *opaque;
} BlkUringReq;

struct BlkUring {
    struct io_uring ring;
    unsigned in_flight;
};

BlkUring *blk_uring_new(int event_fd, Error **errp)
{
    BlkUring *u = XNEW(BlkUring);
    int ret = io_uring_queue_init(BLK_URING_ENTRIES, &u->ring, 0);

    if (ret < 0) {
        error_setg_errno(errp, -ret, "Unable to use io_uring");
        free(u);
        return NULL;
    }
    ret = io_uring_register_eventfd(&u->ring, event_fd);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Unable to use io_uring");
        io_uring_queue_exit(&u->ring);
        free(u);
        return NULL;
    }
    return u;
}

void blk_uring_free(BlkUring *u)
{
    if (!u) {
        return;
    }
    /* The backend drained: nothing can be in flight. */
    io_uring_queue_exit(&u->ring);
    free(u);
}

static bool blk_uring_queue(BlkUring *u, BlkUringReq *r)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

    if (!sqe) {
        return false;
    }
    switch (r->op) {
    case BLK_URING_READ:
        io_uring_prep_readv(sqe, r->fd, r->iov, r->niov, r->offset + r->done);
        break;
    case BLK_URING_WRITE:
        io_uring_prep_writev(sqe, r->fd, r->iov, r->niov,
                             r->offset + r->done);
        break;
    default:
        io_uring_prep_fsync(sqe, r->fd, IORING_FSYNC_DATASYNC);
        break;
    }
    io_uring_sqe_set_data(sqe, r);
    return io_uring_submit(&u->ring) >= 0;
}

bool blk_uring_submit(BlkUring *u, BlkUringOp op, int fd, uint64_t offset,
                      const struct iovec *iov, int niov, uint64_t bytes,
                      void (*cb)(void *opaque, int ret), void *opaque)
{
    BlkUringReq *r = XNEW(BlkUringReq);

    *r = (BlkUringReq) {
        .op = op, .fd = fd, .offset = offset, .bytes = bytes,
        .orig = iov, .orig_niov = niov, .cb = cb, .opaque = opaque,
    };
    r->niov = niov;
    r->iov = XNEW_ARRAY(struct iovec, niov ? niov : 1);
    if (niov) {
        memcpy(r->iov, iov, niov * sizeof(*iov));
    }
    if (!blk_uring_queue(u, r)) {
        free(r->iov);
        free(r);
        return false;
    }
    u->in_flight++;
    return true;
}

/* Skip @n transferred bytes in the request's iovec copy. */
static void blk_uring_advance(BlkUringReq *r, uint64_t n)
{
    int first = 0;

    while (n && first < r->niov) {
        if (n >= r->iov[first].iov_len) {
            n -= r->iov[first].iov_len;
            first++;
        } else {
            r->iov[first].iov_base = (uint8_t *)r->iov[first].iov_base + n;
            r->iov[first].iov_len -= n;
            n = 0;
        }
    }
    memmove(r->iov, r->iov + first, (r->niov - first) * sizeof(*r->iov));
    r->niov -= first;
}

static void blk_uring_finish(BlkUring *u, BlkUringReq *r, int ret)
{
    u->in_flight--;
    r->cb(r->opaque, ret);
    free(r->iov);
    free(r);
}

int blk_uring_dispatch(BlkUring *u)
{
    struct io_uring_cqe *cqe;
    int n = 0;

    while (u->in_flight && io_uring_peek_cqe(&u->ring, &cqe) == 0) {
        BlkUringReq *r = io_uring_cqe_get_data(cqe);
        int res = cqe->res;

        io_uring_cqe_seen(&u->ring, cqe);
        n++;
        if (res == -EINTR || res == -EAGAIN) {
            if (blk_uring_queue(u, r)) {
                continue;
            }
            res = -EIO;
        }
        if (res < 0 || r->op == BLK_URING_FSYNC) {
            blk_uring_finish(u, r, res < 0 ? res : 0);
            continue;
        }
        r->done += res;
        if (r->done < r->bytes && res == 0) {
            /* End of file: reads see zeroes, writes cannot proceed. */
            if (r->op == BLK_URING_READ) {
                block_iov_memset(r->orig, r->orig_niov, r->done, 0,
                                 r->bytes - r->done);
                r->done = r->bytes;
            } else {
                blk_uring_finish(u, r, -EIO);
                continue;
            }
        }
        if (r->done < r->bytes) {
            blk_uring_advance(r, res);
            if (blk_uring_queue(u, r)) {
                continue;
            }
            blk_uring_finish(u, r, -EIO);
            continue;
        }
        blk_uring_finish(u, r, 0);
    }
    return n;
}

unsigned blk_uring_in_flight(const BlkUring *u)
{
    return u->in_flight;
}

#else /* !CONFIG_IO_URING */

BlkUring *blk_uring_new(int event_fd, Error **errp)
{
    error_setg(errp, "aio=io_uring was specified, but is not supported in "
               "this build");
    return NULL;
}

void blk_uring_free(BlkUring *u)
{
}

bool blk_uring_submit(BlkUring *u, BlkUringOp op, int fd, uint64_t offset,
                      const struct iovec *iov, int niov, uint64_t bytes,
                      void (*cb)(void *opaque, int ret), void *opaque)
{
    return false;
}

int blk_uring_dispatch(BlkUring *u)
{
    return 0;
}

unsigned blk_uring_in_flight(const BlkUring *u)
{
    return 0;
}

#endif /* CONFIG_IO_URING */
