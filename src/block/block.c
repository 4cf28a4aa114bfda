/*
 * block/block.c — nodes: the driver table, format probing, opening a
 * format on its protocol, reference counting, and the generic checks
 * every synchronous node request passes (see block/block.h).
 *
 * The checks here are the ones no driver should have to repeat: writes
 * to read-only nodes fail with -EPERM, offset + bytes must not overflow
 * (or exceed INT64_MAX, the largest file offset), and missing optional
 * driver entries give -ENOTSUP (discard, being advisory, succeeds).
 * Range checks against the image size belong to the BlockBackend, since
 * tools may legitimately write past the end of a growable file.
 */
#include "block/block-internal.h"
#include "util/error.h"

/* Probing order; the highest score wins, earlier rows break ties. */
const BlockDriver *const block_drivers[] = {
    &bdrv_raw,
    &bdrv_file,
    NULL,
};

/* How much of an image the format probes look at (QEMU reads 2 KiB). */
#define BLOCK_PROBE_BUF_SIZE 2048

const BlockDriver *bdrv_find_format(const char *name)
{
    for (const BlockDriver *const *d = block_drivers; *d; d++) {
        if (!strcmp((*d)->format_name, name)) {
            return *d;
        }
    }
    return NULL;
}

char *bdrv_format_list(void)
{
    size_t len = 1;
    char *out;

    for (const BlockDriver *const *d = block_drivers; *d; d++) {
        len += strlen((*d)->format_name) + 1;
    }
    out = xzalloc(len);
    for (const BlockDriver *const *d = block_drivers; *d; d++) {
        if (*out) {
            strcat(out, " ");
        }
        strcat(out, (*d)->format_name);
    }
    return out;
}

const BlockDriver *bdrv_probe_format(const uint8_t *buf, size_t len,
                                     const char *filename)
{
    const BlockDriver *best = NULL;
    int best_score = 0;

    for (const BlockDriver *const *d = block_drivers; *d; d++) {
        int score = (*d)->probe ? (*d)->probe(buf, len, filename) : 0;

        if (score > best_score) {
            best = *d;
            best_score = score;
        }
    }
    return best;
}

static BlockDriverState *bdrv_new(const BlockDriver *drv,
                                  const char *filename, int flags)
{
    BlockDriverState *bs = xzalloc(MAX(drv->instance_size,
                                       sizeof(BlockDriverState)));

    bs->drv = drv;
    bs->filename = xstrdup(filename);
    bs->open_flags = flags;
    bs->read_only = !(flags & BDRV_O_RDWR);
    bs->request_alignment = 1;
    bs->refcnt = 1;
    return bs;
}

BlockDriverState *bdrv_open_protocol(const char *filename, int flags,
                                     Error **errp)
{
    BlockDriverState *bs = bdrv_new(&bdrv_file, filename, flags);

    if (!bs->drv->open(bs, filename, flags, errp)) {
        free(bs->filename);
        free(bs);
        return NULL;
    }
    return bs;
}

/* Read the start of @file for the probes (zero-filled past its end). */
static int bdrv_read_probe_buf(BlockDriverState *file, uint8_t **bufp,
                               size_t *lenp)
{
    size_t len = ALIGN_UP(BLOCK_PROBE_BUF_SIZE, file->request_alignment);
    int64_t size = bdrv_getlength(file);
    void *buf;
    int ret = 0;

    *bufp = NULL;
    *lenp = 0;
    if (size < 0) {
        return (int)size;
    }
    if (posix_memalign(&buf, MAX(file->request_alignment, 4096), len)) {
        return -ENOMEM;
    }
    memset(buf, 0, len);
    if (size > 0) {
        ret = bdrv_pread(file, 0, buf, len);
    }
    if (ret < 0) {
        free(buf);
        return ret;
    }
    *bufp = buf;
    *lenp = MIN((uint64_t)size, BLOCK_PROBE_BUF_SIZE);
    return 0;
}

BlockDriverState *bdrv_open(const char *filename, const char *format,
                            int flags, Error **errp)
{
    const BlockDriver *drv = NULL;
    BlockDriverState *file, *bs;

    flags &= ~BDRV_O_PROBED;
    if (format) {
        drv = bdrv_find_format(format);
        if (!drv) {
            error_setg(errp, "Unknown driver '%s'", format);
            return NULL;
        }
    }
    file = bdrv_open_protocol(filename, flags, errp);
    if (!file) {
        return NULL;
    }
    if (drv && drv->is_protocol) {
        return file;            /* format=file: the protocol node itself */
    }
    if (!drv) {
        uint8_t *buf;
        size_t len;
        int ret = bdrv_read_probe_buf(file, &buf, &len);

        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not read image for "
                             "determining its format");
            bdrv_unref(file);
            return NULL;
        }
        drv = bdrv_probe_format(buf, len, filename);
        free(buf);
        if (drv == &bdrv_raw) {
            warn_report("Image format was not specified for '%s' and "
                        "probing guessed raw.\n"
                        "         Automatically detecting the format is "
                        "dangerous for raw images, write operations on "
                        "block 0 will be restricted.\n"
                        "         Specify the 'raw' format explicitly to "
                        "remove the restrictions.", filename);
            flags |= BDRV_O_PROBED;
        }
    }

    bs = bdrv_new(drv, filename, flags);
    bs->file = file;
    bs->request_alignment = file->request_alignment;
    if (!drv->open(bs, filename, flags, errp)) {
        bs->refcnt = 0;
        bdrv_unref(file);
        free(bs->filename);
        free(bs);
        return NULL;
    }
    return bs;
}

void bdrv_ref(BlockDriverState *bs)
{
    bs->refcnt++;
}

void bdrv_unref(BlockDriverState *bs)
{
    if (!bs || --bs->refcnt > 0) {
        return;
    }
    if (bs->drv->close) {
        bs->drv->close(bs);
    }
    bdrv_unref(bs->backing);
    bdrv_unref(bs->file);
    free(bs->filename);
    free(bs);
}

/* --- synchronous requests --- */

static int bdrv_check_range(uint64_t offset, uint64_t bytes)
{
    if (offset > INT64_MAX || bytes > INT64_MAX - offset) {
        return -EIO;
    }
    return 0;
}

int bdrv_preadv(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                const struct iovec *iov, int niov, unsigned flags)
{
    int ret = bdrv_check_range(offset, bytes);

    if (ret < 0) {
        return ret;
    }
    if (!bytes) {
        return 0;
    }
    return bs->drv->preadv ? bs->drv->preadv(bs, offset, bytes, iov, niov,
                                             flags)
                           : -ENOTSUP;
}

int bdrv_pwritev(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                 const struct iovec *iov, int niov, unsigned flags)
{
    int ret = bdrv_check_range(offset, bytes);

    if (ret < 0) {
        return ret;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    if (!bytes) {
        return 0;
    }
    return bs->drv->pwritev ? bs->drv->pwritev(bs, offset, bytes, iov, niov,
                                               flags)
                            : -ENOTSUP;
}

int bdrv_pread(BlockDriverState *bs, uint64_t offset, void *buf,
               uint64_t bytes)
{
    struct iovec iov = { .iov_base = buf, .iov_len = bytes };

    return bdrv_preadv(bs, offset, bytes, &iov, 1, 0);
}

int bdrv_pwrite(BlockDriverState *bs, uint64_t offset, const void *buf,
                uint64_t bytes)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = bytes };

    return bdrv_pwritev(bs, offset, bytes, &iov, 1, 0);
}

int bdrv_flush(BlockDriverState *bs)
{
    int ret;

    if (bs->read_only || (bs->open_flags & BDRV_O_NO_FLUSH)) {
        return 0;
    }
    /* A format flushes its own metadata first, then its file. */
    ret = bs->drv->flush ? bs->drv->flush(bs) : 0;
    if (ret == 0 && bs->file) {
        ret = bdrv_flush(bs->file);
    }
    return ret;
}

int bdrv_pdiscard(BlockDriverState *bs, uint64_t offset, uint64_t bytes)
{
    int ret = bdrv_check_range(offset, bytes);

    if (ret < 0) {
        return ret;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    if (!(bs->open_flags & BDRV_O_UNMAP) || !bs->drv->discard || !bytes) {
        return 0;
    }
    ret = bs->drv->discard(bs, offset, bytes);
    /* Discard is a hint: a host that cannot punch holes is not an error. */
    return ret == -ENOTSUP || ret == -EOPNOTSUPP ? 0 : ret;
}

int bdrv_pwrite_zeroes(BlockDriverState *bs, uint64_t offset,
                       uint64_t bytes, unsigned flags)
{
    int ret = bdrv_check_range(offset, bytes);

    if (ret < 0) {
        return ret;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    if (!(bs->open_flags & BDRV_O_UNMAP)) {
        flags &= ~BDRV_REQ_MAY_UNMAP;
    }
    if (!bytes) {
        return 0;
    }
    return bs->drv->write_zeroes ? bs->drv->write_zeroes(bs, offset, bytes,
                                                         flags)
                                 : -ENOTSUP;
}

int64_t bdrv_getlength(BlockDriverState *bs)
{
    return bs->drv->get_length ? bs->drv->get_length(bs) : -ENOMEDIUM;
}

int64_t bdrv_get_allocated_size(BlockDriverState *bs)
{
    if (bs->drv->get_allocated_size) {
        return bs->drv->get_allocated_size(bs);
    }
    return bs->file ? bdrv_get_allocated_size(bs->file) : -ENOTSUP;
}

int bdrv_get_info(BlockDriverState *bs, BlockDriverInfo *info)
{
    memset(info, 0, sizeof(*info));
    return bs->drv->get_info ? bs->drv->get_info(bs, info) : -ENOTSUP;
}

int bdrv_truncate(BlockDriverState *bs, uint64_t size)
{
    if (bs->read_only) {
        return -EPERM;
    }
    if (size > INT64_MAX) {
        return -EFBIG;
    }
    return bs->drv->truncate ? bs->drv->truncate(bs, size) : -ENOTSUP;
}

/* --- iovec helpers --- */

uint64_t block_iov_size(const struct iovec *iov, int niov)
{
    uint64_t n = 0;

    for (int i = 0; i < niov; i++) {
        n += iov[i].iov_len;
    }
    return n;
}

/*
 * Copy between the iovec's bytes [offset, offset+bytes) and @buf
 * (@to_iov: buf → iov), or fill them with @fill when @buf is NULL.
 */
static void block_iov_copy(const struct iovec *iov, int niov,
                           uint64_t offset, uint8_t *buf, int fill,
                           uint64_t bytes, bool to_iov)
{
    for (int i = 0; i < niov && bytes; i++) {
        uint64_t len = iov[i].iov_len;
        uint8_t *base = iov[i].iov_base;

        if (offset >= len) {
            offset -= len;
            continue;
        }
        base += offset;
        len = MIN(len - offset, bytes);
        if (!buf) {
            memset(base, fill, len);
        } else if (to_iov) {
            memcpy(base, buf, len);
            buf += len;
        } else {
            memcpy(buf, base, len);
            buf += len;
        }
        offset = 0;
        bytes -= len;
    }
}

void block_iov_memset(const struct iovec *iov, int niov, uint64_t offset,
                      int c, uint64_t bytes)
{
    block_iov_copy(iov, niov, offset, NULL, c, bytes, true);
}

void block_iov_to_buf(const struct iovec *iov, int niov, uint64_t offset,
                      void *buf, uint64_t bytes)
{
    block_iov_copy(iov, niov, offset, buf, 0, bytes, false);
}

void block_iov_from_buf(const struct iovec *iov, int niov, uint64_t offset,
                        const void *buf, uint64_t bytes)
{
    block_iov_copy(iov, niov, offset, (uint8_t *)buf, 0, bytes, true);
}
