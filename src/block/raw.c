/*
 * block/raw.c — the raw format: guest byte N is file byte N.
 *
 * Every request passes straight to the protocol child. The one piece of
 * policy is QEMU's protection for probed images: when no format= was
 * given and probing guessed raw (BDRV_O_PROBED), a guest could write a
 * qcow2 (or other) header into sector 0 and, on the next start, have the
 * image probed as that format, pointing at any host file as its backing
 * file. So a write touching the first sector is refused with -EPERM if
 * the sector it would leave behind probes as anything but raw.
 */
#include "block/block-internal.h"
#include "util/error.h"

/* Bytes at the start of the image that the probe check looks at. */
#define RAW_PROBE_CHECK_SIZE 512

static int raw_probe(const uint8_t *buf, size_t len, const char *filename)
{
    return 1;   /* anything can be raw; any real format outbids this */
}

static bool raw_open(BlockDriverState *bs, const char *filename, int flags,
                     Error **errp)
{
    return true;
}

static int raw_preadv(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                      const struct iovec *iov, int niov, unsigned flags)
{
    return bdrv_preadv(bs->file, offset, bytes, iov, niov, flags);
}

/*
 * For probed images: would the first sector, after this write, still
 * probe as raw? Returns 0 if so, -EPERM if not, or an I/O error.
 */
static int raw_check_sector0(BlockDriverState *bs, uint64_t offset,
                             uint64_t bytes, const struct iovec *iov,
                             int niov)
{
    uint8_t head[RAW_PROBE_CHECK_SIZE];
    uint64_t n = MIN(bytes, RAW_PROBE_CHECK_SIZE - offset);
    int ret;

    if (offset != 0 || n < RAW_PROBE_CHECK_SIZE) {
        ret = bdrv_pread(bs->file, 0, head, sizeof(head));
        if (ret < 0) {
            return ret;
        }
    }
    block_iov_to_buf(iov, niov, 0, head + offset, n);
    return bdrv_probe_format(head, sizeof(head), bs->filename) == &bdrv_raw
           ? 0 : -EPERM;
}

static int raw_pwritev(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                       const struct iovec *iov, int niov, unsigned flags)
{
    if ((bs->open_flags & BDRV_O_PROBED) && offset < RAW_PROBE_CHECK_SIZE) {
        int ret = raw_check_sector0(bs, offset, bytes, iov, niov);

        if (ret < 0) {
            return ret;
        }
    }
    return bdrv_pwritev(bs->file, offset, bytes, iov, niov, flags);
}

static int raw_discard(BlockDriverState *bs, uint64_t offset, uint64_t bytes)
{
    return bdrv_pdiscard(bs->file, offset, bytes);
}

static int raw_write_zeroes(BlockDriverState *bs, uint64_t offset,
                            uint64_t bytes, unsigned flags)
{
    /* Zeroes probe as raw, so they never need the sector-0 check. */
    return bdrv_pwrite_zeroes(bs->file, offset, bytes, flags);
}

static int64_t raw_get_length(BlockDriverState *bs)
{
    return bdrv_getlength(bs->file);
}

static int raw_get_info(BlockDriverState *bs, BlockDriverInfo *info)
{
    info->unallocated_reads_zero = true;
    return 0;
}

static int raw_truncate(BlockDriverState *bs, uint64_t size,
                        BlockPreallocMode prealloc, Error **errp)
{
    return bdrv_truncate_prealloc(bs->file, size, prealloc, errp);
}

/* Guest offsets are file offsets: the file's status is ours. */
static int raw_block_status(BlockDriverState *bs, uint64_t offset,
                            uint64_t bytes, uint64_t *pnum, uint64_t *map,
                            BlockDriverState **file)
{
    int ret = bdrv_block_status(bs->file, offset, bytes, pnum, map, file);

    if (ret < 0) {
        return ret;
    }
    *map = offset;
    *file = bs->file;
    return (ret & (BDRV_BLOCK_DATA | BDRV_BLOCK_ZERO)) |
           BDRV_BLOCK_OFFSET_VALID;
}

static bool raw_reopen(BlockDriverState *bs, int flags, Error **errp)
{
    return true;        /* no state of its own */
}

static bool raw_create(const char *filename, const BlockCreateOptions *opts,
                       Error **errp)
{
    BlockPreallocMode prealloc;

    if (!block_create_parse_prealloc(opts, &prealloc, errp)) {
        return false;
    }
    if (prealloc == BLOCK_PREALLOC_METADATA) {
        error_setg(errp, "Unsupported preallocation mode '%s'",
                   block_prealloc_mode_name(prealloc));
        return false;
    }
    return block_create_file(filename, opts->size, prealloc, errp);
}

/* A raw image is its data: both sizes are the virtual size (QEMU's). */
static bool raw_measure(const BlockCreateOptions *opts, BlockDriverState *in,
                        BlockMeasureInfo *out, Error **errp)
{
    uint64_t size = opts->size;

    if (in && !opts->has_size) {
        int64_t len = bdrv_getlength(in);

        if (len < 0) {
            error_setg_errno(errp, -(int)len, "Unable to get image size");
            return false;
        }
        size = len;
    }
    out->required = ALIGN_UP(size, BDRV_SECTOR_SIZE);
    out->fully_allocated = out->required;
    return true;
}

const BlockDriver bdrv_raw = {
    .format_name = "raw",
    .desc = "raw disk image",
    .instance_size = sizeof(BlockDriverState),
    .probe = raw_probe,
    .open = raw_open,
    .reopen = raw_reopen,
    .preadv = raw_preadv,
    .pwritev = raw_pwritev,
    /* flush: nothing of its own; bdrv_flush() then flushes the file. */
    .discard = raw_discard,
    .write_zeroes = raw_write_zeroes,
    .get_length = raw_get_length,
    .block_status = raw_block_status,
    .get_info = raw_get_info,
    .truncate = raw_truncate,
    .create = raw_create,
    .measure = raw_measure,
};
