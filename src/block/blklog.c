/*
 * block/blklog.c — the recording filter of the crash-safety test (see
 * block/blklog.h for the log format and how it is used).
 *
 * Every request goes to the "file" child first; a modifying request that
 * succeeded is then appended to the log. The node's lock is held across
 * both steps, so the log order is exactly the order in which requests
 * completed on the file, even when a format issues requests from several
 * worker threads: overlapping writes replay in the order they happened.
 * That serialises I/O through the node, which a test can afford.
 *
 * The log is written with plain write(2) and never synced: it only has to
 * survive the writer being killed, not the host losing power, and the
 * test reads it after the writer has exited.
 */
#include "block/blklog.h"
#include "block/block-internal.h"
#include "util/error.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

typedef struct BlkLogState {
    BlockDriverState bs;
    BlockDriverState *child;    /* the image file ("file" protocol) */
    int log_fd;
    uint64_t nrecords;          /* records appended so far */
    pthread_mutex_t lock;
} BlkLogState;

static BlkLogState *blklog_state(BlockDriverState *bs)
{
    return container_of(bs, BlkLogState, bs);
}

/* write(2) all of @buf, retrying short writes. */
static int blklog_write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        p += n;
        len -= n;
    }
    return 0;
}

static void blklog_put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = v >> (8 * i);
    }
}

static void blklog_put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = v >> (8 * i);
    }
}

/*
 * Append one record (s->lock held). @iov/@niov, or @data if @iov is
 * NULL, hold the @length payload bytes (WRITE, MARK).
 */
static int blklog_append(BlkLogState *s, BlkLogRecordType type,
                         uint64_t offset, uint64_t length, uint64_t covers,
                         const struct iovec *iov, int niov, const void *data)
{
    uint8_t hdr[32] = { 0 };
    bool payload = type == BLKLOG_WRITE || type == BLKLOG_MARK;
    int ret;

    blklog_put_le32(hdr, type);
    blklog_put_le64(hdr + 8, offset);
    blklog_put_le64(hdr + 16, length);
    blklog_put_le64(hdr + 24, covers);
    ret = blklog_write_all(s->log_fd, hdr, sizeof(hdr));
    if (ret == 0 && payload && iov) {
        uint64_t left = length;

        for (int i = 0; i < niov && left && ret == 0; i++) {
            size_t n = MIN(iov[i].iov_len, left);

            ret = blklog_write_all(s->log_fd, iov[i].iov_base, n);
            left -= n;
        }
    } else if (ret == 0 && payload && data) {
        ret = blklog_write_all(s->log_fd, data, length);
    }
    if (ret == 0) {
        s->nrecords++;
    }
    return ret;
}

/* "LOGFILE:IMAGE" (the log path may not contain ':'). */
static bool blklog_open_node(BlockDriverState *bs, const char *filename,
                             int flags, Error **errp)
{
    BlkLogState *s = blklog_state(bs);
    const char *colon = strchr(filename, ':');
    char *logfile;

    if (!colon || colon == filename || !colon[1]) {
        error_setg(errp, "blklog: expected LOGFILE:IMAGE, got '%s'",
                   filename);
        return false;
    }
    logfile = xstrndup(filename, colon - filename);
    s->log_fd = open(logfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                     0644);
    if (s->log_fd < 0) {
        error_setg_errno(errp, errno, "Could not create '%s'", logfile);
        free(logfile);
        return false;
    }
    free(logfile);
    if (blklog_write_all(s->log_fd, BLKLOG_MAGIC, 8) < 0) {
        error_setg_errno(errp, errno, "Could not write the blklog header");
        close(s->log_fd);
        return false;
    }
    s->child = bdrv_open_protocol(colon + 1, flags, errp);
    if (!s->child) {
        close(s->log_fd);
        return false;
    }
    free(bs->filename);
    bs->filename = xstrdup(colon + 1);
    bs->request_alignment = s->child->request_alignment;
    pthread_mutex_init(&s->lock, NULL);
    return true;
}

static void blklog_close(BlockDriverState *bs)
{
    BlkLogState *s = blklog_state(bs);

    bdrv_unref(s->child);
    close(s->log_fd);
    pthread_mutex_destroy(&s->lock);
}

static bool blklog_reopen(BlockDriverState *bs, int flags, Error **errp)
{
    return bdrv_reopen_set_read_only(blklog_state(bs)->child,
                                     !(flags & BDRV_O_RDWR), errp);
}

static int blklog_preadv(BlockDriverState *bs, uint64_t offset,
                         uint64_t bytes, const struct iovec *iov, int niov,
                         unsigned flags)
{
    return bdrv_preadv(blklog_state(bs)->child, offset, bytes, iov, niov,
                       flags);
}

static int blklog_pwritev(BlockDriverState *bs, uint64_t offset,
                          uint64_t bytes, const struct iovec *iov, int niov,
                          unsigned flags)
{
    BlkLogState *s = blklog_state(bs);
    int ret;

    pthread_mutex_lock(&s->lock);
    ret = bdrv_pwritev(s->child, offset, bytes, iov, niov, flags);
    if (ret == 0) {
        ret = blklog_append(s, BLKLOG_WRITE, offset, bytes, 0, iov, niov,
                            NULL);
    }
    pthread_mutex_unlock(&s->lock);
    return ret;
}

static int blklog_flush(BlockDriverState *bs)
{
    BlkLogState *s = blklog_state(bs);
    uint64_t covers;
    int ret;

    pthread_mutex_lock(&s->lock);
    covers = s->nrecords;
    ret = bdrv_flush(s->child);
    if (ret == 0) {
        ret = blklog_append(s, BLKLOG_FLUSH, 0, 0, covers, NULL, 0, NULL);
    }
    pthread_mutex_unlock(&s->lock);
    return ret;
}

static int blklog_discard(BlockDriverState *bs, uint64_t offset,
                          uint64_t bytes)
{
    BlkLogState *s = blklog_state(bs);
    int ret;

    pthread_mutex_lock(&s->lock);
    ret = bdrv_pdiscard(s->child, offset, bytes);
    if (ret == 0) {
        ret = blklog_append(s, BLKLOG_DISCARD, offset, bytes, 0, NULL, 0,
                            NULL);
    }
    pthread_mutex_unlock(&s->lock);
    return ret;
}

static int blklog_write_zeroes(BlockDriverState *bs, uint64_t offset,
                               uint64_t bytes, unsigned flags)
{
    BlkLogState *s = blklog_state(bs);
    int ret;

    pthread_mutex_lock(&s->lock);
    ret = bdrv_pwrite_zeroes(s->child, offset, bytes, flags);
    if (ret == 0) {
        ret = blklog_append(s, BLKLOG_ZERO, offset, bytes, 0, NULL, 0, NULL);
    }
    pthread_mutex_unlock(&s->lock);
    return ret;
}

static int blklog_block_status(BlockDriverState *bs, uint64_t offset,
                               uint64_t bytes, uint64_t *pnum, uint64_t *map,
                               BlockDriverState **file)
{
    int ret = bdrv_block_status(blklog_state(bs)->child, offset, bytes, pnum,
                                map, file);

    /* ALLOCATED is the generic layer's to add for this node. */
    return ret < 0 ? ret : ret & ~BDRV_BLOCK_ALLOCATED;
}

static int64_t blklog_get_length(BlockDriverState *bs)
{
    return bdrv_getlength(blklog_state(bs)->child);
}

static int64_t blklog_get_allocated_size(BlockDriverState *bs)
{
    return bdrv_get_allocated_size(blklog_state(bs)->child);
}

static int blklog_truncate(BlockDriverState *bs, uint64_t size,
                           BlockPreallocMode prealloc, Error **errp)
{
    BlkLogState *s = blklog_state(bs);
    int ret;

    pthread_mutex_lock(&s->lock);
    ret = bdrv_truncate_prealloc(s->child, size, prealloc, errp);
    if (ret == 0) {
        ret = blklog_append(s, BLKLOG_TRUNCATE, size, 0, 0, NULL, 0, NULL);
    }
    pthread_mutex_unlock(&s->lock);
    return ret;
}

const BlockDriver bdrv_blklog = {
    .format_name = "blklog",
    .desc = "records writes and flushes for the crash-safety test",
    .instance_size = sizeof(BlkLogState),
    .is_protocol = true,
    .open = blklog_open_node,
    .close = blklog_close,
    .reopen = blklog_reopen,
    .preadv = blklog_preadv,
    .pwritev = blklog_pwritev,
    .flush = blklog_flush,
    .discard = blklog_discard,
    .write_zeroes = blklog_write_zeroes,
    .block_status = blklog_block_status,
    .get_length = blklog_get_length,
    .get_allocated_size = blklog_get_allocated_size,
    .truncate = blklog_truncate,
};

BlockDriverState *blklog_open(const char *logfile, const char *image,
                              int flags, Error **errp)
{
    char *name;
    BlockDriverState *bs;

    if (strchr(logfile, ':')) {
        error_setg(errp, "blklog: the log path may not contain ':'");
        return NULL;
    }
    name = xasprintf("%s:%s", logfile, image);
    bs = bdrv_open_driver(&bdrv_blklog, name, flags, errp);
    free(name);
    return bs;
}

int blklog_mark(BlockDriverState *bs, const char *tag)
{
    for (; bs; bs = bs->file) {
        if (bs->drv == &bdrv_blklog) {
            BlkLogState *s = blklog_state(bs);
            int ret;

            pthread_mutex_lock(&s->lock);
            ret = blklog_append(s, BLKLOG_MARK, 0, strlen(tag), 0, NULL, 0,
                                tag);
            pthread_mutex_unlock(&s->lock);
            return ret;
        }
    }
    return -ENOENT;
}
