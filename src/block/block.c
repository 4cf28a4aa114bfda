/*
 * block/block.c — nodes: the driver table, format probing, opening a
 * format on its protocol and its backing chain, permissions (image
 * locks), reference counting, and the generic checks every synchronous
 * node request passes (see block/block.h).
 *
 * The checks here are the ones no driver should have to repeat: writes
 * to read-only nodes fail with -EPERM, offset + bytes must not overflow
 * (or exceed INT64_MAX, the largest file offset), and missing optional
 * driver entries give -ENOTSUP (discard, being advisory, succeeds).
 * Range checks against the image size belong to the BlockBackend, since
 * tools may legitimately write past the end of a growable file.
 *
 * Permissions are decided once per protocol node, as QEMU's default
 * rules come out for a format on a file: a writer holds CONSISTENT_READ,
 * WRITE and RESIZE; everyone shares only CONSISTENT_READ and
 * WRITE_UNCHANGED with others, unless force-share shares all (QEMU's
 * qemu-img -U). So a writer excludes every other opener and a reader
 * excludes writers, in both Vireo and QEMU.
 */
#include "block/block-internal.h"
#include "util/error.h"

#include <libgen.h>

/* Probing order; the highest score wins, earlier rows break ties. */
const BlockDriver *const block_drivers[] = {
    &bdrv_raw,
    &bdrv_qcow2,
    &bdrv_file,
    NULL,
};

/* How much of an image the format probes look at (QEMU reads 2 KiB). */
#define BLOCK_PROBE_BUF_SIZE 2048
/* Longest backing chain followed; deeper ones are surely a loop. */
#define BLOCK_MAX_CHAIN_DEPTH 64
/* Commit copies in chunks of this size. */
#define BLOCK_COMMIT_CHUNK (1 * MiB)

/* Flags a backing file inherits from the image that names it. */
#define BDRV_O_INHERITED (BDRV_O_NOCACHE | BDRV_O_NO_FLUSH | \
                          BDRV_O_NO_LOCK | BDRV_O_FORCE_SHARE | \
                          BDRV_O_IO_URING | BDRV_O_CHECK)

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
    bs->shared_perm = BLK_PERM_ALL;
    bs->refcnt = 1;
    return bs;
}

/* Free a node whose open failed (drv->close is not called). */
static void bdrv_free_unopened(BlockDriverState *bs)
{
    free(bs->filename);
    free(bs->node_name);
    free(bs->backing_file);
    free(bs->backing_format);
    free(bs);
}

/* The permissions a node opened with @flags takes on its file. */
static void bdrv_perms_for_flags(int flags, uint64_t *perm, uint64_t *shared)
{
    *perm = BLK_PERM_CONSISTENT_READ;
    if (flags & BDRV_O_RDWR) {
        *perm |= BLK_PERM_WRITE | BLK_PERM_RESIZE;
    }
    *shared = (flags & BDRV_O_FORCE_SHARE)
              ? BLK_PERM_ALL
              : BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE_UNCHANGED;
}

static bool bdrv_apply_perms(BlockDriverState *bs, int flags, Error **errp)
{
    uint64_t perm, shared;

    if ((flags & BDRV_O_NO_LOCK) || !bs->drv->set_perm) {
        return true;
    }
    bdrv_perms_for_flags(flags, &perm, &shared);
    return bs->drv->set_perm(bs, perm, shared, errp);
}

BlockDriverState *bdrv_open_driver(const BlockDriver *drv,
                                   const char *filename, int flags,
                                   Error **errp)
{
    BlockDriverState *bs = bdrv_new(drv, filename, flags);

    if (!bs->drv->open(bs, filename, flags, errp)) {
        bdrv_free_unopened(bs);
        return NULL;
    }
    return bs;
}

BlockDriverState *bdrv_open_protocol(const char *filename, int flags,
                                     Error **errp)
{
    BlockDriverState *bs;
    Error *local_err = NULL;

    if ((flags & BDRV_O_FORCE_SHARE) && (flags & BDRV_O_RDWR)) {
        error_setg(errp, "force-share=on can only be used with read-only "
                   "images");
        return NULL;
    }
    bs = bdrv_open_driver(&bdrv_file, filename, flags, errp);
    if (!bs) {
        return NULL;
    }
    if (!bdrv_apply_perms(bs, flags, &local_err)) {
        /* No "Could not open" prefix here: the caller adds its own, and
         * QEMU words a lock conflict exactly once. */
        error_propagate(errp, local_err);
        bdrv_unref(bs);
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

/*
 * Open a format node on @file (reference taken over), probing if
 * @format is NULL; @warn_raw: print QEMU's warning for a probed raw.
 * Does not open the backing chain.
 */
static BlockDriverState *bdrv_open_format(const char *format,
                                          BlockDriverState *file, int flags,
                                          bool warn_raw, Error **errp)
{
    const BlockDriver *drv = NULL;
    const char *filename = file->filename;
    BlockDriverState *bs;

    flags &= ~BDRV_O_PROBED;
    if (format) {
        drv = bdrv_find_format(format);
        if (!drv) {
            error_setg(errp, "Unknown driver '%s'", format);
            bdrv_unref(file);
            return NULL;
        }
        if (drv->is_protocol) {
            return file;        /* format=file: the protocol node itself */
        }
    } else {
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
            if (warn_raw) {
                warn_report("Image format was not specified for '%s' and "
                            "probing guessed raw.\n"
                            "         Automatically detecting the format "
                            "is dangerous for raw images, write operations "
                            "on block 0 will be restricted.\n"
                            "         Specify the 'raw' format explicitly "
                            "to remove the restrictions.", filename);
            }
            flags |= BDRV_O_PROBED;
        }
    }

    bs = bdrv_new(drv, filename, flags);
    bs->file = file;
    bs->request_alignment = file->request_alignment;
    if (!drv->open(bs, filename, flags, errp)) {
        bdrv_unref(file);
        bdrv_free_unopened(bs);
        return NULL;
    }
    return bs;
}

BlockDriverState *bdrv_open_on(const char *format, BlockDriverState *file,
                               int flags, Error **errp)
{
    BlockDriverState *bs = bdrv_open_format(format, file, flags, false,
                                            errp);

    if (bs && bs != file && !(flags & BDRV_O_NO_BACKING) &&
        bs->drv->supports_backing && bs->backing_file &&
        *bs->backing_file && !bdrv_open_backing(bs, NULL, errp)) {
        bdrv_unref(bs);
        return NULL;
    }
    return bs;
}

char *bdrv_get_full_backing_filename(const BlockDriverState *bs)
{
    char *dir_copy, *dir, *out;

    if (!bs->backing_file || !*bs->backing_file) {
        return NULL;
    }
    if (bs->backing_file[0] == '/' || !strchr(bs->filename, '/')) {
        return xstrdup(bs->backing_file);
    }
    dir_copy = xstrdup(bs->filename);
    dir = dirname(dir_copy);
    out = xasprintf("%s/%s", dir, bs->backing_file);
    free(dir_copy);
    return out;
}

/* Open @bs's backing chain below it, @depth layers down already. */
static bool bdrv_open_backing_depth(BlockDriverState *bs, const char *format,
                                    int depth, Error **errp)
{
    int flags = (bs->open_flags & BDRV_O_INHERITED);
    char *path;
    BlockDriverState *file, *backing;

    if (depth >= BLOCK_MAX_CHAIN_DEPTH) {
        error_setg(errp, "Backing chain of '%s' is longer than %d images "
                   "(a loop?)", bs->filename, BLOCK_MAX_CHAIN_DEPTH);
        return false;
    }
    if (!format && bs->backing_format && *bs->backing_format) {
        format = bs->backing_format;
    }
    path = bdrv_get_full_backing_filename(bs);
    if (!path) {
        bdrv_set_backing(bs, NULL);
        return true;
    }
    file = bdrv_open_protocol(path, flags, errp);
    if (!file) {
        goto fail;
    }
    backing = bdrv_open_format(format, file, flags, false, errp);
    if (!backing) {
        goto fail;
    }
    if (!(flags & BDRV_O_NO_BACKING) && backing->drv->supports_backing &&
        backing->backing_file && *backing->backing_file &&
        !bdrv_open_backing_depth(backing, NULL, depth + 1, errp)) {
        bdrv_unref(backing);
        goto fail;
    }
    bdrv_set_backing(bs, backing);
    bdrv_unref(backing);
    free(path);
    return true;

fail:
    error_prepend(errp, "Could not open backing file: ");
    free(path);
    return false;
}

bool bdrv_open_backing(BlockDriverState *bs, const char *format,
                       Error **errp)
{
    return bdrv_open_backing_depth(bs, format, 0, errp);
}

void bdrv_set_backing(BlockDriverState *bs, BlockDriverState *backing)
{
    if (backing) {
        bdrv_ref(backing);
    }
    bdrv_unref(bs->backing);
    bs->backing = backing;
}

BlockDriverState *bdrv_open(const char *filename, const char *format,
                            int flags, Error **errp)
{
    BlockDriverState *file, *bs;

    if (format && !bdrv_find_format(format)) {
        error_setg(errp, "Unknown driver '%s'", format);
        return NULL;
    }
    file = bdrv_open_protocol(filename, flags, errp);
    if (!file) {
        return NULL;
    }
    bs = bdrv_open_format(format, file, flags, true, errp);
    if (!bs) {
        return NULL;
    }
    if (bs != file && !(flags & BDRV_O_NO_BACKING) &&
        bs->drv->supports_backing && bs->backing_file &&
        *bs->backing_file && !bdrv_open_backing(bs, NULL, errp)) {
        bdrv_unref(bs);
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
    bdrv_free_unopened(bs);
}

bool bdrv_reopen_set_read_only(BlockDriverState *bs, bool read_only,
                               Error **errp)
{
    int flags = read_only ? bs->open_flags & ~BDRV_O_RDWR
                          : bs->open_flags | BDRV_O_RDWR;
    int ret;

    if (bs->read_only == read_only) {
        return true;
    }
    if (!read_only && (bs->open_flags & BDRV_O_FORCE_SHARE)) {
        error_setg(errp, "Cannot make '%s' writable: it was opened with "
                   "force-share=on", bs->filename);
        return false;
    }
    if (read_only) {
        /* Write everything back while we still may. */
        ret = bdrv_flush(bs);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not flush '%s'",
                             bs->filename);
            return false;
        }
    }
    if (bs->drv->is_protocol) {
        if (!bs->drv->reopen || !bs->drv->reopen(bs, flags, errp)) {
            if (!bs->drv->reopen) {
                error_setg(errp, "'%s' cannot be reopened", bs->filename);
            }
            return false;
        }
        bs->open_flags = flags;
        bs->read_only = read_only;
        return true;
    }
    /* A format: its file first when going writable, last otherwise. */
    if (!read_only && bs->file &&
        !bdrv_reopen_set_read_only(bs->file, false, errp)) {
        return false;
    }
    if (bs->drv->reopen && !bs->drv->reopen(bs, flags, errp)) {
        if (!read_only && bs->file) {
            bdrv_reopen_set_read_only(bs->file, true, NULL);
        }
        return false;
    }
    bs->open_flags = flags;
    bs->read_only = read_only;
    if (read_only && bs->file &&
        !bdrv_reopen_set_read_only(bs->file, true, errp)) {
        return false;
    }
    return true;
}

const char *bdrv_get_format_name(const BlockDriverState *bs)
{
    return bs->drv->format_name;
}

BlockDriverState *bdrv_get_base(BlockDriverState *bs)
{
    while (bs->backing) {
        bs = bs->backing;
    }
    return bs;
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

/* detect-zeroes: is every byte of the request zero? */
static bool bdrv_iov_is_zero(const struct iovec *iov, int niov)
{
    for (int i = 0; i < niov; i++) {
        const uint8_t *p = iov[i].iov_base;
        size_t len = iov[i].iov_len;

        if (len && (p[0] || memcmp(p, p + 1, len - 1))) {
            return false;
        }
    }
    return true;
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
    if ((bs->open_flags & BDRV_O_DETECT_ZEROES) && bs->drv->write_zeroes &&
        bdrv_iov_is_zero(iov, niov)) {
        return bdrv_pwrite_zeroes(bs, offset, bytes,
                                  (bs->open_flags & BDRV_O_UNMAP)
                                  ? BDRV_REQ_MAY_UNMAP : 0);
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

int bdrv_pwrite_compressed(BlockDriverState *bs, uint64_t offset,
                           const void *buf, uint64_t bytes)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = bytes };
    int ret = bdrv_check_range(offset, bytes);

    if (ret < 0) {
        return ret;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    if (!bs->drv->pwrite_compressed) {
        return -ENOTSUP;
    }
    return bytes ? bs->drv->pwrite_compressed(bs, offset, bytes, &iov, 1)
                 : 0;
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
    return bdrv_truncate_prealloc(bs, size, BLOCK_PREALLOC_OFF, NULL);
}

int bdrv_truncate_prealloc(BlockDriverState *bs, uint64_t size,
                           BlockPreallocMode prealloc, Error **errp)
{
    if (bs->read_only) {
        error_setg(errp, "Image is read-only");
        return -EPERM;
    }
    if (size > INT64_MAX) {
        error_setg(errp, "Image size too large");
        return -EFBIG;
    }
    if (!bs->drv->truncate) {
        error_setg(errp, "Image format driver does not support resize");
        return -ENOTSUP;
    }
    return bs->drv->truncate(bs, size, prealloc, errp);
}

/* --- block status --- */

int bdrv_block_status(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                      uint64_t *pnum, uint64_t *map,
                      BlockDriverState **file)
{
    int64_t len = bdrv_getlength(bs);
    uint64_t local_map = 0;
    BlockDriverState *local_file = NULL;
    int ret;

    *pnum = 0;
    if (len < 0) {
        return (int)len;
    }
    if (offset >= (uint64_t)len || !bytes) {
        *pnum = bytes;
        return BDRV_BLOCK_ZERO | BDRV_BLOCK_EOF;
    }
    bytes = MIN(bytes, (uint64_t)len - offset);
    if (!bs->drv->block_status) {
        *pnum = bytes;
        ret = BDRV_BLOCK_DATA;
        if (bs->drv->is_protocol) {
            ret |= BDRV_BLOCK_OFFSET_VALID;
            local_map = offset;
            local_file = bs;
        }
    } else {
        ret = bs->drv->block_status(bs, offset, bytes, pnum, &local_map,
                                    &local_file);
        if (ret < 0) {
            *pnum = 0;
            return ret;
        }
        if (*pnum == 0 || *pnum > bytes) {
            *pnum = bytes;      /* a driver bug must not loop callers */
        }
    }
    if (ret & (BDRV_BLOCK_DATA | BDRV_BLOCK_ZERO)) {
        ret |= BDRV_BLOCK_ALLOCATED;
    } else if (bs->drv->supports_backing) {
        /* Unallocated: the backing file shows through, or zeroes. */
        if (!bs->backing) {
            ret |= BDRV_BLOCK_ZERO;
        } else {
            int64_t blen = bdrv_getlength(bs->backing);

            if (blen >= 0 && offset >= (uint64_t)blen) {
                ret |= BDRV_BLOCK_ZERO;
            }
        }
    }
    if (offset + *pnum == (uint64_t)len) {
        ret |= BDRV_BLOCK_EOF;
    }
    if (map) {
        *map = local_map;
    }
    if (file) {
        *file = local_file;
    }
    return ret;
}

int bdrv_block_status_above(BlockDriverState *bs, BlockDriverState *base,
                            uint64_t offset, uint64_t bytes, uint64_t *pnum,
                            uint64_t *map, BlockDriverState **file,
                            int *depth)
{
    BlockDriverState *p = bs;
    int d = 0;
    int ret;

    ret = bdrv_block_status(bs, offset, bytes, pnum, map, file);
    while (ret >= 0 && !(ret & BDRV_BLOCK_ALLOCATED) && p->backing &&
           p->backing != base) {
        uint64_t n;
        int64_t blen = bdrv_getlength(p->backing);

        if (blen >= 0 && offset >= (uint64_t)blen) {
            break;      /* beyond the backing file: zeroes (flag set) */
        }
        p = p->backing;
        d++;
        ret = bdrv_block_status(p, offset, *pnum, &n, map, file);
        if (ret >= 0) {
            *pnum = n;
            /* A shorter backing file ends in zeroes, not at our EOF. */
            if (!(ret & BDRV_BLOCK_ALLOCATED) || p->backing) {
                ret &= ~BDRV_BLOCK_EOF;
            }
        }
    }
    if (depth) {
        *depth = d;
    }
    return ret;
}

int bdrv_is_allocated_above(BlockDriverState *top, BlockDriverState *base,
                            uint64_t offset, uint64_t bytes, uint64_t *pnum)
{
    int ret = bdrv_block_status_above(top, base, offset, bytes, pnum, NULL,
                                      NULL, NULL);

    if (ret < 0) {
        return ret;
    }
    if (ret & BDRV_BLOCK_EOF && !(ret & BDRV_BLOCK_ALLOCATED)) {
        *pnum = MAX(*pnum, 1);
    }
    return !!(ret & BDRV_BLOCK_ALLOCATED);
}

/* --- image maintenance --- */

int bdrv_check(BlockDriverState *bs, BlockCheckResult *res, int fix)
{
    memset(res, 0, sizeof(*res));
    if (!bs->drv->check) {
        return -ENOTSUP;
    }
    if (fix && bs->read_only) {
        return -EPERM;
    }
    return bs->drv->check(bs, res, fix);
}

int bdrv_change_backing_file(BlockDriverState *bs, const char *file,
                             const char *fmt)
{
    int ret;

    if (!bs->drv->change_backing_file) {
        return -ENOTSUP;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    if (file && !*file) {
        file = NULL;
    }
    ret = bs->drv->change_backing_file(bs, file, file ? fmt : NULL);
    if (ret == 0) {
        free(bs->backing_file);
        free(bs->backing_format);
        bs->backing_file = file ? xstrdup(file) : NULL;
        bs->backing_format = file && fmt ? xstrdup(fmt) : NULL;
    }
    return ret;
}

int bdrv_make_empty(BlockDriverState *bs)
{
    int ret;

    if (!bs->drv->make_empty) {
        return -ENOTSUP;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    ret = bs->drv->make_empty(bs);
    return ret < 0 ? ret : bdrv_flush(bs);
}

static bool bdrv_chain_contains(BlockDriverState *top, BlockDriverState *bs)
{
    for (BlockDriverState *p = top; p; p = p->backing) {
        if (p == bs) {
            return true;
        }
    }
    return false;
}

/* Copy what @top's chain allocates above @base into @base. */
static int bdrv_commit_copy(BlockDriverState *top, BlockDriverState *base,
                            int64_t len, BlockProgressFunc *progress,
                            void *opaque)
{
    uint8_t *buf = xmalloc(BLOCK_COMMIT_CHUNK);
    uint64_t offset = 0;
    int ret = 0;

    while (offset < (uint64_t)len) {
        uint64_t n, want = MIN(BLOCK_COMMIT_CHUNK, (uint64_t)len - offset);

        ret = bdrv_block_status_above(top, base, offset, want, &n, NULL,
                                      NULL, NULL);
        if (ret < 0) {
            break;
        }
        if (ret & BDRV_BLOCK_ALLOCATED) {
            if (ret & BDRV_BLOCK_ZERO) {
                ret = bdrv_pwrite_zeroes(base, offset, n, 0);
            } else {
                ret = bdrv_pread(top, offset, buf, n);
                if (ret == 0) {
                    ret = bdrv_pwrite(base, offset, buf, n);
                }
            }
            if (ret < 0) {
                break;
            }
        }
        ret = 0;
        offset += n;
        if (progress) {
            progress(opaque, offset, len);
        }
    }
    free(buf);
    return ret < 0 ? ret : bdrv_flush(base);
}

bool bdrv_commit(BlockDriverState *top, BlockDriverState *base,
                 BlockProgressFunc *progress, void *opaque, Error **errp)
{
    bool was_ro;
    int64_t len, base_len;
    int ret;

    if (!base) {
        base = top->backing;
    }
    if (!base || base == top || !bdrv_chain_contains(top, base)) {
        error_setg(errp, "'%s' is not in the backing chain of '%s'",
                   base ? base->filename : "(none)", top->filename);
        return false;
    }
    len = bdrv_getlength(top);
    base_len = bdrv_getlength(base);
    if (len < 0 || base_len < 0) {
        error_setg_errno(errp, -(int)(len < 0 ? len : base_len),
                         "Could not get the image length");
        return false;
    }
    was_ro = base->read_only;
    if (was_ro && !bdrv_reopen_set_read_only(base, false, errp)) {
        return false;
    }
    ret = 0;
    if (base_len < len) {
        ret = bdrv_truncate_prealloc(base, len, BLOCK_PREALLOC_OFF, errp);
    }
    if (ret == 0) {
        ret = bdrv_commit_copy(top, base, len, progress, opaque);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not commit to '%s'",
                             base->filename);
        }
    }
    if (was_ro && !bdrv_reopen_set_read_only(base, true,
                                             ret < 0 ? NULL : errp)) {
        return false;
    }
    return ret == 0;
}

/* --- internal snapshots --- */

int bdrv_snapshot_create(BlockDriverState *bs, BlockSnapshotInfo *sn)
{
    if (!bs->drv->snapshot_create) {
        return -ENOTSUP;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    return bs->drv->snapshot_create(bs, sn);
}

int bdrv_snapshot_goto(BlockDriverState *bs, const char *name_or_id,
                       Error **errp)
{
    BlockSnapshotInfo sn;
    int ret;

    if (!bs->drv->snapshot_goto) {
        error_setg(errp, "Block format '%s' used by device '%s' does not "
                   "support internal snapshots", bs->drv->format_name,
                   bs->filename);
        return -ENOTSUP;
    }
    if (bs->read_only) {
        error_setg(errp, "Image is read-only");
        return -EPERM;
    }
    ret = bdrv_snapshot_find(bs, &sn, name_or_id);
    if (ret < 0) {
        /* QEMU's wording (block/snapshot.c), which scripts match on. */
        error_setg_errno(errp, ENOENT, "Failed to load snapshot");
        return -ENOENT;
    }
    return bs->drv->snapshot_goto(bs, sn.id_str, errp);
}

int bdrv_snapshot_delete(BlockDriverState *bs, const char *snapshot_id,
                         const char *name, Error **errp)
{
    if (!snapshot_id && !name) {
        error_setg(errp, "snapshot_id and name are both NULL");
        return -EINVAL;
    }
    if (!bs->drv->snapshot_delete) {
        error_setg(errp, "Block format '%s' used by device '%s' does not "
                   "support internal snapshots", bs->drv->format_name,
                   bs->filename);
        return -ENOTSUP;
    }
    if (bs->read_only) {
        error_setg(errp, "Image is read-only");
        return -EPERM;
    }
    return bs->drv->snapshot_delete(bs, snapshot_id, name, errp);
}

int bdrv_snapshot_list(BlockDriverState *bs, BlockSnapshotInfo **psn)
{
    *psn = NULL;
    if (!bs->drv->snapshot_list) {
        return 0;
    }
    return bs->drv->snapshot_list(bs, psn);
}

int bdrv_snapshot_find(BlockDriverState *bs, BlockSnapshotInfo *sn,
                       const char *name_or_id)
{
    BlockSnapshotInfo *list;
    int n = bdrv_snapshot_list(bs, &list);
    int ret = -ENOENT;

    if (n < 0) {
        return n;
    }
    for (int pass = 0; pass < 2 && ret < 0; pass++) {
        for (int i = 0; i < n; i++) {
            const char *key = pass == 0 ? list[i].id_str : list[i].name;

            if (!strcmp(key, name_or_id)) {
                *sn = list[i];
                ret = 0;
                break;
            }
        }
    }
    free(list);
    return ret;
}

int bdrv_save_vmstate(BlockDriverState *bs, const void *buf, uint64_t pos,
                      uint64_t size)
{
    if (!bs->drv->save_vmstate) {
        return -ENOTSUP;
    }
    return bs->read_only ? -EPERM
                         : bs->drv->save_vmstate(bs, buf, pos, size);
}

int bdrv_load_vmstate(BlockDriverState *bs, void *buf, uint64_t pos,
                      uint64_t size)
{
    if (!bs->drv->load_vmstate) {
        return -ENOTSUP;
    }
    return bs->drv->load_vmstate(bs, buf, pos, size);
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
