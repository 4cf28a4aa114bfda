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
 *
 * Image locks are QEMU's (block/file-posix.c there): for each permission
 * bit i (BLK_PERM_*), a shared OFD lock on byte FILE_LOCK_PERM_BASE + i
 * says "I hold permission i" and one on FILE_LOCK_SHARED_BASE + i says
 * "I do not share permission i". Taking permissions means locking our
 * bytes, then testing with F_OFD_GETLK whether anybody else has locked
 * the opposite byte of a permission we want or of one we refuse to
 * share. OFD locks belong to the open file description, so our own
 * bytes never conflict with us and they vanish when the fd is closed.
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

/* QEMU's lock byte offsets (libvirt keeps byte 0 for itself). */
#define FILE_LOCK_PERM_BASE 100
#define FILE_LOCK_SHARED_BASE 200
#define FILE_LOCK_NR_PERMS 4

/* QEMU's names for the permissions, as its lock errors print them. */
static const char *const file_perm_names[FILE_LOCK_NR_PERMS] = {
    "consistent read", "write", "write unchanged", "resize",
};

typedef struct FileState {
    BlockDriverState bs;
    int fd;
    bool temporary;             /* unlink at close (BDRV_O_TEMPORARY) */
    uint64_t locked_perm;       /* bits whose PERM byte fd has locked */
    uint64_t locked_shared;     /* bits whose SHARED byte fd has locked */
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
    s->temporary = flags & BDRV_O_TEMPORARY;
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
    if (s->temporary) {
        unlink(bs->filename);
    }
    pthread_mutex_destroy(&s->rmw_lock);
}

/* --- image locks --- */

static int file_lock_byte(int fd, int off, bool lock)
{
    struct flock fl = {
        .l_whence = SEEK_SET,
        .l_start = off,
        .l_len = 1,
        .l_type = lock ? F_RDLCK : F_UNLCK,
    };

    return fcntl(fd, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

/* Would an exclusive lock on byte @off conflict with another holder? */
static int file_lock_byte_test(int fd, int off)
{
    struct flock fl = {
        .l_whence = SEEK_SET,
        .l_start = off,
        .l_len = 1,
        .l_type = F_WRLCK,
    };

    if (fcntl(fd, F_OFD_GETLK, &fl) < 0) {
        return -errno;
    }
    return fl.l_type == F_UNLCK ? 0 : -EAGAIN;
}

/*
 * Lock the bytes for @perm and for the complement of @shared on @fd;
 * with @unlock, release the bytes of bits no longer wanted. The
 * *_locked masks say what @fd holds and are updated.
 */
static int file_apply_lock_bytes(int fd, uint64_t perm, uint64_t unshared,
                                 bool unlock, uint64_t *perm_locked,
                                 uint64_t *shared_locked, Error **errp)
{
    for (int i = 0; i < FILE_LOCK_NR_PERMS; i++) {
        uint64_t bit = 1ull << i;
        struct {
            int off;
            bool want;
            uint64_t *held;
        } b[2] = {
            { FILE_LOCK_PERM_BASE + i, perm & bit, perm_locked },
            { FILE_LOCK_SHARED_BASE + i, unshared & bit, shared_locked },
        };

        for (int k = 0; k < 2; k++) {
            int ret;

            if (b[k].want && !(*b[k].held & bit)) {
                ret = file_lock_byte(fd, b[k].off, true);
                if (ret < 0) {
                    if (ret == -EAGAIN || ret == -EACCES) {
                        error_setg(errp, "Failed to lock byte %d", b[k].off);
                    } else {
                        error_setg_errno(errp, -ret, "Failed to lock byte %d",
                                         b[k].off);
                    }
                    return ret;
                }
                *b[k].held |= bit;
            } else if (unlock && !b[k].want && (*b[k].held & bit)) {
                file_lock_byte(fd, b[k].off, false);
                *b[k].held &= ~bit;
            }
        }
    }
    return 0;
}

/* Does anybody else hold what we want, or want what we keep? */
static int file_check_lock_bytes(int fd, uint64_t perm, uint64_t shared,
                                 const char *filename, Error **errp)
{
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < FILE_LOCK_NR_PERMS; i++) {
            uint64_t bit = 1ull << i;
            int ret;

            if (pass == 0 ? !(perm & bit) : (shared & bit)) {
                continue;
            }
            ret = file_lock_byte_test(fd, (pass == 0 ? FILE_LOCK_SHARED_BASE
                                                     : FILE_LOCK_PERM_BASE)
                                          + i);
            if (ret == 0) {
                continue;
            }
            if (ret == -EAGAIN || ret == -EACCES) {
                error_setg(errp, "Failed to get %s\"%s\" lock. Is another "
                           "process using the image [%s]?",
                           pass == 0 ? "" : "shared ", file_perm_names[i],
                           filename);
            } else {
                error_setg_errno(errp, -ret, "Failed to get %s\"%s\" lock",
                                 pass == 0 ? "" : "shared ",
                                 file_perm_names[i]);
            }
            return ret;
        }
    }
    return 0;
}

static bool file_set_perm(BlockDriverState *bs, uint64_t perm,
                          uint64_t shared, Error **errp)
{
    FileState *s = file_state(bs);
    int ret;

    /* Take the union first, so there is no window without a lock. */
    ret = file_apply_lock_bytes(s->fd, bs->perm | perm,
                                ~bs->shared_perm | ~shared, false,
                                &s->locked_perm, &s->locked_shared, errp);
    if (ret == 0) {
        ret = file_check_lock_bytes(s->fd, perm, shared, bs->filename, errp);
    }
    if (ret < 0) {
        /* Back to what we had. */
        file_apply_lock_bytes(s->fd, bs->perm, ~bs->shared_perm, true,
                              &s->locked_perm, &s->locked_shared, NULL);
        return false;
    }
    file_apply_lock_bytes(s->fd, perm, ~shared, true, &s->locked_perm,
                          &s->locked_shared, NULL);
    bs->perm = perm;
    bs->shared_perm = shared;
    return true;
}

/*
 * Reopen with new access mode. The new permissions are locked and
 * checked on the old fd (whose own locks do not count against us), then
 * taken on a new fd before the old one, and its locks, go away.
 */
static bool file_reopen(BlockDriverState *bs, int flags, Error **errp)
{
    FileState *s = file_state(bs);
    int oflags = O_CLOEXEC | ((flags & BDRV_O_RDWR) ? O_RDWR : O_RDONLY);
    uint64_t perm = BLK_PERM_CONSISTENT_READ, shared;
    uint64_t new_perm_locked = 0, new_shared_locked = 0;
    uint64_t old_perm = bs->perm, old_shared = bs->shared_perm;
    bool locking = !(flags & BDRV_O_NO_LOCK);
    int fd;

    if (flags & BDRV_O_RDWR) {
        perm |= BLK_PERM_WRITE | BLK_PERM_RESIZE;
    }
    shared = (flags & BDRV_O_FORCE_SHARE)
             ? BLK_PERM_ALL
             : BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE_UNCHANGED;
    if (s->direct) {
        oflags |= O_DIRECT;
    }
    if (locking && !file_set_perm(bs, perm, shared, errp)) {
        return false;
    }
    fd = open(bs->filename, oflags);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not reopen '%s'", bs->filename);
        goto fail;
    }
    if (locking &&
        file_apply_lock_bytes(fd, perm, ~shared, false, &new_perm_locked,
                              &new_shared_locked, errp) < 0) {
        close(fd);
        goto fail;
    }
    close(s->fd);
    s->fd = fd;
    s->locked_perm = new_perm_locked;
    s->locked_shared = new_shared_locked;
    return true;

fail:
    if (locking) {
        file_set_perm(bs, old_perm, old_shared, NULL);
    }
    return false;
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

/*
 * Holes in a sparse file read as zeroes: report them as ZERO and data as
 * DATA, both at their own offset (SEEK_DATA / SEEK_HOLE).
 */
static int file_block_status(BlockDriverState *bs, uint64_t offset,
                             uint64_t bytes, uint64_t *pnum, uint64_t *map,
                             BlockDriverState **file)
{
    FileState *s = file_state(bs);
    off_t data, hole;
    int ret = BDRV_BLOCK_DATA;

    *map = offset;
    *file = bs;
    *pnum = bytes;
    data = lseek(s->fd, offset, SEEK_DATA);
    if (data < 0) {
        if (errno == ENXIO) {
            /* Only a hole up to the end of the file. */
            return BDRV_BLOCK_ZERO | BDRV_BLOCK_OFFSET_VALID;
        }
        return BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID;
    }
    if ((uint64_t)data > offset) {
        *pnum = MIN(bytes, (uint64_t)data - offset);
        return BDRV_BLOCK_ZERO | BDRV_BLOCK_OFFSET_VALID;
    }
    hole = lseek(s->fd, offset, SEEK_HOLE);
    if (hole > (off_t)offset) {
        *pnum = MIN(bytes, (uint64_t)hole - offset);
    }
    return ret | BDRV_BLOCK_OFFSET_VALID;
}

static int file_get_info(BlockDriverState *bs, BlockDriverInfo *info)
{
    return 0;
}

/* Fill [from, to) per @prealloc after the file was extended. */
static int file_preallocate(FileState *s, uint64_t from, uint64_t to,
                            BlockPreallocMode prealloc)
{
    int ret;

    switch (prealloc) {
    case BLOCK_PREALLOC_FALLOC:
        ret = posix_fallocate(s->fd, from, to - from);
        return ret == 0 ? 0 : -ret;
    case BLOCK_PREALLOC_FULL:
        return file_write_zero_buffers(s, from, to - from);
    default:
        return 0;
    }
}

static int file_truncate(BlockDriverState *bs, uint64_t size,
                         BlockPreallocMode prealloc, Error **errp)
{
    FileState *s = file_state(bs);
    int64_t cur = file_get_length(bs);
    int ret;

    if (cur < 0) {
        error_setg_errno(errp, -(int)cur, "Could not get the file size");
        return (int)cur;
    }
    if (prealloc == BLOCK_PREALLOC_METADATA) {
        error_setg(errp, "Unsupported preallocation mode '%s'",
                   block_prealloc_mode_name(prealloc));
        return -ENOTSUP;
    }
    if (s->is_blockdev) {
        if ((uint64_t)cur < size) {
            error_setg(errp, "Cannot grow device files");
            return -EINVAL;
        }
        return 0;
    }
    if (ftruncate(s->fd, size) < 0) {
        ret = -errno;
        error_setg_errno(errp, errno, "Failed to resize the file");
        return ret;
    }
    if (size > (uint64_t)cur) {
        ret = file_preallocate(s, cur, size, prealloc);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not preallocate new data");
            if (ftruncate(s->fd, cur) < 0) {
                /* Nothing more to do: the error is already reported. */
            }
            return ret;
        }
    }
    return 0;
}

int bdrv_file_fd(BlockDriverState *bs)
{
    return bs->drv == &bdrv_file ? file_state(bs)->fd : -1;
}

const BlockDriver bdrv_file = {
    .format_name = "file",
    .desc = "host file or block device",
    .instance_size = sizeof(FileState),
    .is_protocol = true,
    .open = file_open,
    .close = file_close,
    .reopen = file_reopen,
    .set_perm = file_set_perm,
    .preadv = file_preadv,
    .pwritev = file_pwritev,
    .flush = file_flush,
    .discard = file_discard,
    .write_zeroes = file_write_zeroes,
    .get_length = file_get_length,
    .get_allocated_size = file_get_allocated_size,
    .block_status = file_block_status,
    .get_info = file_get_info,
    .truncate = file_truncate,
};
