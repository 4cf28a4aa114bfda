/*
 * block/file-posix.c — the "file" protocol: a host regular file or block
 * device, read and written with preadv/pwritev.
 *
 * Open flags map to the host as QEMU's file-posix does: read-only nodes
 * open O_RDONLY, BDRV_O_NOCACHE (cache=none/directsync) adds O_DIRECT.
 * O_DIRECT requires offsets, lengths and buffer addresses aligned to the
 * host's direct-I/O alignment; requests that are not (a guest buffer at
 * an odd address, a 512-byte write on a 4 KiB-sector disk) go through an
 * aligned bounce buffer, with a read-modify-write of partial blocks that
 * is serialised by rmw_lock so two such writes to one block cannot lose
 * each other's bytes. Reads past the end of a file return zeros.
 *
 * Every entry point is synchronous and may run on several worker threads
 * at once; the fd is shared and positioned I/O keeps that safe.
 */
#include "block/block-internal.h"
#include "util/error.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct FileState {
    BlockDriverState bs;
    int fd;
    bool is_blockdev;
    bool direct;                /* O_DIRECT */
    uint32_t buf_align;         /* O_DIRECT memory alignment */
    pthread_mutex_t rmw_lock;
} FileState;

/* Zero-filling writes are done in chunks of this many bytes. */
#define FILE_ZERO_CHUNK (1 * MiB)

static FileState *file_state(BlockDriverState *bs)
{
    return container_of(bs, FileState, bs);
}

/*
 * Find the O_DIRECT alignment of offsets/lengths (request_alignment) and
 * of buffers (buf_align): from statx(STATX_DIOALIGN) where the kernel
 * has it, from BLKSSZGET for block devices, else by trying reads at
 * growing alignments as QEMU does. Any doubt ends at 4 KiB, which every
 * host accepts.
 */
static void file_probe_alignment(FileState *s)
{
    static const uint32_t sizes[] = { 512, 1024, 2048, 4096 };
    uint8_t *buf;
    int lbs;

    s->bs.request_alignment = 4096;
    s->buf_align = 4096;
#ifdef STATX_DIOALIGN
    {
        struct statx stx;

        if (statx(s->fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
            (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_offset_align) {
            s->bs.request_alignment = stx.stx_dio_offset_align;
            s->buf_align = MAX(stx.stx_dio_mem_align, 1u);
            return;
        }
    }
#endif
    if (s->is_blockdev && ioctl(s->fd, BLKSSZGET, &lbs) == 0 && lbs > 0) {
        s->bs.request_alignment = lbs;
        s->buf_align = lbs;
        return;
    }
    if (posix_memalign((void **)&buf, 4096, 2 * 4096)) {
        return;
    }
    /* A read that returns data proves the alignment; an empty file
     * proves nothing, so it keeps the safe default. */
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        if (pread(s->fd, buf, sizes[i], 0) > 0) {
            s->bs.request_alignment = sizes[i];
            break;
        }
    }
    if (s->bs.request_alignment < 4096 &&
        pread(s->fd, buf + 512, s->bs.request_alignment, 0) > 0) {
        s->buf_align = 512;
    }
    free(buf);
}

static bool file_open(BlockDriverState *bs, const char *filename, int flags,
                      Error **errp)
{
    FileState *s = file_state(bs);
    int oflags = O_CLOEXEC | ((flags & BDRV_O_RDWR) ? O_RDWR : O_RDONLY);
    struct stat st;

    if (flags & BDRV_O_NOCACHE) {
        oflags |= O_DIRECT;
    }
    s->fd = open(filename, oflags);
    if (s->fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", filename);
        return false;
    }
    if (fstat(s->fd, &st) < 0) {
        error_setg_errno(errp, errno, "Could not stat '%s'", filename);
        goto fail;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        error_setg(errp, "'file' driver requires '%s' to be a regular file "
                   "or a block device", filename);
        goto fail;
    }
    s->is_blockdev = S_ISBLK(st.st_mode);
    s->direct = flags & BDRV_O_NOCACHE;
    s->buf_align = 1;
    bs->request_alignment = 1;
    if (s->direct) {
        file_probe_alignment(s);
    }
    pthread_mutex_init(&s->rmw_lock, NULL);
    return true;

fail:
    close(s->fd);
    s->fd = -1;
    return false;
}

static void file_close(BlockDriverState *bs)
{
    FileState *s = file_state(bs);

    if (s->fd >= 0) {
        close(s->fd);
    }
    pthread_mutex_destroy(&s->rmw_lock);
}

/*
 * preadv/pwritev all of [offset, offset+bytes), resuming after short
 * transfers and splitting at IOV_MAX. A read hitting end-of-file
 * zero-fills the rest.
 */
static int file_rw_full(FileState *s, uint64_t offset, uint64_t bytes,
                        const struct iovec *iov, int niov, bool is_write)
{
    struct iovec *v = XNEW_ARRAY(struct iovec, niov ? niov : 1);
    uint64_t done = 0;
    int first = 0, ret = 0;

    memcpy(v, iov, niov * sizeof(*v));
    while (done < bytes) {
        int cnt = MIN(niov - first, IOV_MAX);
        ssize_t n;

        if (cnt <= 0) {
            ret = -EINVAL;          /* iovec shorter than @bytes */
            break;
        }
        n = is_write ? pwritev(s->fd, &v[first], cnt, offset + done)
                     : preadv(s->fd, &v[first], cnt, offset + done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            ret = -errno;
            break;
        }
        if (n == 0) {
            if (is_write) {
                ret = -EIO;
            } else {
                block_iov_memset(iov, niov, done, 0, bytes - done);
            }
            break;
        }
        done += n;
        if (!is_write && s->direct && done < bytes &&
            (offset + done) % s->bs.request_alignment) {
            /* O_DIRECT stops mid-block only at end-of-file. */
            block_iov_memset(iov, niov, done, 0, bytes - done);
            break;
        }
        /* Advance the iovec copy past what was transferred. */
        while (n > 0 && first < niov) {
            if ((size_t)n >= v[first].iov_len) {
                n -= v[first].iov_len;
                first++;
            } else {
                v[first].iov_base = (uint8_t *)v[first].iov_base + n;
                v[first].iov_len -= n;
                n = 0;
            }
        }
    }
    free(v);
    return ret;
}

static int file_rw_buf(FileState *s, uint64_t offset, void *buf,
                       uint64_t bytes, bool is_write)
{
    struct iovec iov = { .iov_base = buf, .iov_len = bytes };

    return file_rw_full(s, offset, bytes, &iov, 1, is_write);
}

/* Whether O_DIRECT can take this request as it is. */
static bool file_is_aligned(FileState *s, uint64_t offset, uint64_t bytes,
                            const struct iovec *iov, int niov)
{
    uint64_t a = s->bs.request_alignment;

    if (!s->direct) {
        return true;
    }
    if (offset % a || bytes % a) {
        return false;
    }
    for (int i = 0; i < niov; i++) {
        if ((uintptr_t)iov[i].iov_base % s->buf_align ||
            iov[i].iov_len % a) {
            return false;
        }
    }
    return true;
}

/* The unaligned O_DIRECT path: one aligned bounce buffer per request. */
static int file_rw_bounce(FileState *s, uint64_t offset, uint64_t bytes,
                          const struct iovec *iov, int niov, bool is_write)
{
    uint64_t a = s->bs.request_alignment;
    uint64_t start = ALIGN_DOWN(offset, a);
    uint64_t end = ALIGN_UP(offset + bytes, a);
    uint64_t len = end - start;
    uint8_t *buf;
    int ret = 0;

    if (posix_memalign((void **)&buf, MAX(s->buf_align, 4096), len)) {
        return -ENOMEM;
    }
    if (!is_write) {
        ret = file_rw_buf(s, start, buf, len, false);
        if (ret == 0) {
            block_iov_from_buf(iov, niov, 0, buf + (offset - start), bytes);
        }
        free(buf);
        return ret;
    }

    pthread_mutex_lock(&s->rmw_lock);
    if (offset != start) {
        ret = file_rw_buf(s, start, buf, a, false);
    }
    if (ret == 0 && (offset + bytes) != end &&
        (end - a != start || offset == start)) {
        ret = file_rw_buf(s, end - a, buf + len - a, a, false);
    }
    if (ret == 0) {
        block_iov_to_buf(iov, niov, 0, buf + (offset - start), bytes);
        ret = file_rw_buf(s, start, buf, len, true);
    }
    pthread_mutex_unlock(&s->rmw_lock);
    free(buf);
    return ret;
}

static int file_preadv(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                       const struct iovec *iov, int niov, unsigned flags)
{
    FileState *s = file_state(bs);

    if (!file_is_aligned(s, offset, bytes, iov, niov)) {
        return file_rw_bounce(s, offset, bytes, iov, niov, false);
    }
    return file_rw_full(s, offset, bytes, iov, niov, false);
}

static int file_pwritev(BlockDriverState *bs, uint64_t offset,
                        uint64_t bytes, const struct iovec *iov, int niov,
                        unsigned flags)
{
    FileState *s = file_state(bs);

    if (!file_is_aligned(s, offset, bytes, iov, niov)) {
        return file_rw_bounce(s, offset, bytes, iov, niov, true);
    }
    return file_rw_full(s, offset, bytes, iov, niov, true);
}

static int file_flush(BlockDriverState *bs)
{
    FileState *s = file_state(bs);

    return fdatasync(s->fd) < 0 ? -errno : 0;
}

static int file_discard(BlockDriverState *bs, uint64_t offset,
                        uint64_t bytes)
{
    FileState *s = file_state(bs);

    if (s->is_blockdev) {
        uint64_t range[2] = { offset, bytes };

        return ioctl(s->fd, BLKDISCARD, range) < 0 ? -errno : 0;
    }
    if (fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  offset, bytes) < 0) {
        return errno == EOPNOTSUPP ? -ENOTSUP : -errno;
    }
    return 0;
}

/* The slow way: write zero buffers. */
static int file_write_zero_buffers(FileState *s, uint64_t offset,
                                   uint64_t bytes)
{
    uint64_t chunk = MIN(bytes, FILE_ZERO_CHUNK);
    void *zeroes;
    int ret = 0;

    if (posix_memalign(&zeroes, 4096, ALIGN_UP(chunk, 4096))) {
        return -ENOMEM;
    }
    memset(zeroes, 0, ALIGN_UP(chunk, 4096));
    while (bytes && ret == 0) {
        uint64_t n = MIN(bytes, chunk);
        struct iovec iov = { .iov_base = zeroes, .iov_len = n };

        ret = file_pwritev(&s->bs, offset, n, &iov, 1, 0);
        offset += n;
        bytes -= n;
    }
    free(zeroes);
    return ret;
}

static int64_t file_get_length(BlockDriverState *bs);

static int file_write_zeroes(BlockDriverState *bs, uint64_t offset,
                             uint64_t bytes, unsigned flags)
{
    FileState *s = file_state(bs);
    int64_t size;

    if (s->is_blockdev) {
        uint64_t range[2] = { offset, bytes };

        if (ioctl(s->fd, BLKZEROOUT, range) == 0) {
            return 0;
        }
        return file_write_zero_buffers(s, offset, bytes);
    }
    size = file_get_length(bs);
    if ((flags & BDRV_REQ_MAY_UNMAP) && size >= 0 &&
        offset + bytes <= (uint64_t)size &&
        fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  offset, bytes) == 0) {
        return 0;
    }
    if (fallocate(s->fd, FALLOC_FL_ZERO_RANGE, offset, bytes) == 0) {
        return 0;
    }
    if (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL) {
        return -errno;
    }
    return file_write_zero_buffers(s, offset, bytes);
}

static int64_t file_get_length(BlockDriverState *bs)
{
    FileState *s = file_state(bs);
    struct stat st;

    if (s->is_blockdev) {
        off_t end = lseek(s->fd, 0, SEEK_END);

        return end < 0 ? -errno : end;
    }
    return fstat(s->fd, &st) < 0 ? -errno : st.st_size;
}

static int64_t file_get_allocated_size(BlockDriverState *bs)
{
    FileState *s = file_state(bs);
    struct stat st;

    return fstat(s->fd, &st) < 0 ? -errno : (int64_t)st.st_blocks * 512;
}

static int file_get_info(BlockDriverState *bs, BlockDriverInfo *info)
{
    return 0;
}

static int file_truncate(BlockDriverState *bs, uint64_t size)
{
    FileState *s = file_state(bs);

    if (s->is_blockdev) {
        int64_t cur = file_get_length(bs);

        return cur >= 0 && (uint64_t)cur == size ? 0 : -ENOTSUP;
    }
    return ftruncate(s->fd, size) < 0 ? -errno : 0;
}

const BlockDriver bdrv_file = {
    .format_name = "file",
    .desc = "host file or block device",
    .instance_size = sizeof(FileState),
    .is_protocol = true,
    .open = file_open,
    .close = file_close,
    .preadv = file_preadv,
    .pwritev = file_pwritev,
    .flush = file_flush,
    .discard = file_discard,
    .write_zeroes = file_write_zeroes,
    .get_length = file_get_length,
    .get_allocated_size = file_get_allocated_size,
    .get_info = file_get_info,
    .truncate = file_truncate,
};
