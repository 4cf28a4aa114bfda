/*
 * block/block.h — the block layer: image nodes, their drivers, and the
 * BlockBackend a device front end holds.
 *
 * The model is QEMU's, kept small:
 *
 *   BlockBackend ──root──► format node (raw, later qcow2) ──file──► protocol
 *                                                             node ("file")
 *
 * A node (BlockDriverState) is one open layer of an image, driven by a
 * const BlockDriver ops table. Formats (raw) sit on a protocol child
 * (file-posix) that reaches the host; later a format may also have a
 * backing node. Nodes are reference counted; a BlockBackend owns a
 * reference on its root.
 *
 * Driver I/O is synchronous and byte-addressed with iovecs: a driver's
 * preadv/pwritev/flush/discard/write_zeroes run to completion and return
 * 0 (or bytes) or -errno. What makes the guest-facing interface
 * asynchronous is the BlockBackend: blk_aio_*() hands the request to a
 * small worker-thread pool owned by the backend, which calls the node's
 * synchronous entry point; the completion callback then runs on whichever
 * thread dispatches the backend's completions — the main loop in the
 * system emulator (block/drive.c watches blk_completion_fd()), or the
 * caller itself in tools and tests (blk_drain(), blk_aio_wait()). A vCPU
 * thread therefore never waits for the disk: the device queues the
 * request and returns from the MMIO write at once.
 *
 * Thread safety. Driver entry points may run concurrently on several
 * worker threads, and on the caller's thread for the synchronous blk_*()
 * wrappers: a driver whose state needs it takes its own lock (raw and
 * file-posix are stateless per request). Everything else in this header
 * (opening, closing, submitting, dispatching) belongs to one thread at a
 * time: the BQL holder in the emulator.
 *
 * Errors: configuration paths (open, -drive) take Error **errp and return
 * bool/NULL; I/O paths return -errno (style point 11).
 */
#ifndef BLOCK_BLOCK_H
#define BLOCK_BLOCK_H

#include "util/osdep.h"
#include "util/typedefs.h"

#include <sys/uio.h>

typedef struct BlockDriver BlockDriver;
typedef struct BlockDriverState BlockDriverState;

#define BDRV_SECTOR_BITS 9
#define BDRV_SECTOR_SIZE (1u << BDRV_SECTOR_BITS)

/* Open flags (BlockDriverState.open_flags, blk_new_open()). */
enum {
    BDRV_O_RDWR         = 1 << 0,  /* else read-only: writes fail -EPERM */
    BDRV_O_NOCACHE      = 1 << 1,  /* bypass the host page cache (O_DIRECT) */
    BDRV_O_NO_FLUSH     = 1 << 2,  /* flushes are no-ops (cache=unsafe) */
    BDRV_O_UNMAP        = 1 << 3,  /* pass discards down (discard=unmap) */
    BDRV_O_WRITETHROUGH = 1 << 4,  /* backend flushes after every write */
    BDRV_O_PROBED       = 1 << 5,  /* format was guessed (set by bdrv_open) */
};

/* Request flags for pwritev / write_zeroes. */
enum {
    BDRV_REQ_MAY_UNMAP  = 1 << 0,  /* write_zeroes may deallocate */
};

/* What "vireo-img info" and the monitor show about a node. */
typedef struct BlockDriverInfo {
    uint32_t cluster_size;      /* 0: not cluster-based */
    bool is_dirty;
    bool unallocated_reads_zero;
} BlockDriverInfo;

/*
 * A block driver: a format ("raw") or a protocol ("file"). One const
 * instance per driver, listed in block_drivers[] (block/block.c).
 * Optional entries may be NULL: the generic layer then returns -ENOTSUP
 * (discard: success, as it is only advisory).
 */
struct BlockDriver {
    const char *format_name;
    const char *desc;
    size_t instance_size;       /* >= sizeof(BlockDriverState) */
    bool is_protocol;           /* opens a host path itself */
    /*
     * Formats: how sure the driver is that the image whose first @len
     * bytes are @buf is its format (0 = not mine, 100 = certain). raw
     * answers 1 for anything, so it wins only when nobody else claims it.
     */
    int (*probe)(const uint8_t *buf, size_t len, const char *filename);
    /*
     * Protocols: open @filename. Formats: open on bs->file, which the
     * generic layer has already opened. Return false with *errp set.
     */
    bool (*open)(BlockDriverState *bs, const char *filename, int flags,
                 Error **errp);
    void (*close)(BlockDriverState *bs);

    /* Synchronous I/O; returns 0 or -errno. @offset/@bytes in bytes. */
    int (*preadv)(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                  const struct iovec *iov, int niov, unsigned flags);
    int (*pwritev)(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                   const struct iovec *iov, int niov, unsigned flags);
    int (*flush)(BlockDriverState *bs);
    int (*discard)(BlockDriverState *bs, uint64_t offset, uint64_t bytes);
    int (*write_zeroes)(BlockDriverState *bs, uint64_t offset,
                        uint64_t bytes, unsigned flags);

    /* Virtual size in bytes, or -errno. */
    int64_t (*get_length)(BlockDriverState *bs);
    /* Host bytes actually used ("disk size"), or -errno. */
    int64_t (*get_allocated_size)(BlockDriverState *bs);
    int (*get_info)(BlockDriverState *bs, BlockDriverInfo *info);
    /* Resize to @size bytes (vireo-img resize, block_resize). */
    int (*truncate)(BlockDriverState *bs, uint64_t size);

    /*
     * Room for the next issue (qcow2, vireo-img): image creation,
     * internal snapshots and consistency checks slot in here as further
     * optional entries, e.g.
     *   bool (*create)(const char *filename, OptList *opts, Error **errp);
     *   int (*snapshot_create)(BlockDriverState *bs, ...);
     *   int (*check)(BlockDriverState *bs, ...);
     */
};

/*
 * One open node. Drivers embed this as the first member of their state
 * (instance_size) and recover it with container_of().
 */
struct BlockDriverState {
    const BlockDriver *drv;
    char *filename;
    int open_flags;             /* BDRV_O_* */
    bool read_only;
    /*
     * Offsets and lengths that reach drv->preadv/pwritev directly are
     * multiples of this (1: anything). Protocols set it in open (O_DIRECT
     * needs the host's logical block size); formats inherit the file's.
     */
    uint32_t request_alignment;
    BlockDriverState *file;     /* protocol child of a format, or NULL */
    BlockDriverState *backing;  /* backing image (qcow2, later), or NULL */
    int refcnt;
};

/* The drivers, NULL-terminated, in probing order. */
extern const BlockDriver *const block_drivers[];

const BlockDriver *bdrv_find_format(const char *name);
/* Comma-separated names of the formats, for error messages. */
char *bdrv_format_list(void);
/*
 * The format of the image that begins with @buf (first @len bytes), by
 * the probe scores of the formats. Never NULL while raw is built in.
 */
const BlockDriver *bdrv_probe_format(const uint8_t *buf, size_t len,
                                     const char *filename);

/*
 * Open @filename with format @format (NULL: probe; guessing raw prints
 * QEMU's warning and then protects sector 0 as QEMU does) on the "file"
 * protocol. @flags are BDRV_O_*. Errors read like QEMU's:
 * "Could not open 'x': No such file or directory".
 */
BlockDriverState *bdrv_open(const char *filename, const char *format,
                            int flags, Error **errp);
void bdrv_ref(BlockDriverState *bs);
void bdrv_unref(BlockDriverState *bs);

/*
 * Synchronous node I/O with the generic checks (read-only, overflow,
 * missing driver entries); called from worker threads and the sync
 * blk_*() wrappers. Return 0 or -errno.
 */
int bdrv_preadv(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                const struct iovec *iov, int niov, unsigned flags);
int bdrv_pwritev(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                 const struct iovec *iov, int niov, unsigned flags);
int bdrv_pread(BlockDriverState *bs, uint64_t offset, void *buf,
               uint64_t bytes);
int bdrv_pwrite(BlockDriverState *bs, uint64_t offset, const void *buf,
                uint64_t bytes);
int bdrv_flush(BlockDriverState *bs);
int bdrv_pdiscard(BlockDriverState *bs, uint64_t offset, uint64_t bytes);
int bdrv_pwrite_zeroes(BlockDriverState *bs, uint64_t offset,
                       uint64_t bytes, unsigned flags);
int64_t bdrv_getlength(BlockDriverState *bs);
int64_t bdrv_get_allocated_size(BlockDriverState *bs);
int bdrv_get_info(BlockDriverState *bs, BlockDriverInfo *info);
int bdrv_truncate(BlockDriverState *bs, uint64_t size);

/* --- BlockBackend: what a device (or vireo-img) holds --- */

/* Where a -drive wants to be attached (if=). */
typedef enum BlockInterfaceType {
    BLOCK_IF_DEFAULT,   /* no if=: the machine's default (virt: virtio) */
    BLOCK_IF_NONE,      /* if=none: only reachable through -device drive= */
    BLOCK_IF_VIRTIO,    /* if=virtio: the board adds a virtio-blk device */
} BlockInterfaceType;

/* Called when a request finishes: @ret is 0 or -errno. */
typedef void BlockCompletionFunc(void *opaque, int ret);

/*
 * Open @filename as a backend (no id). @flags: BDRV_O_*; without
 * BDRV_O_RDWR the backend is read-only.
 */
BlockBackend *blk_new_open(const char *filename, const char *format,
                           int flags, Error **errp);
/* Wrap an open node (takes over the caller's reference). */
BlockBackend *blk_new_with_root(BlockDriverState *root, int flags);
/* Drain outstanding requests, then drop the root and free @blk. */
void blk_unref(BlockBackend *blk);

const char *blk_name(const BlockBackend *blk);     /* id, or "" */
void blk_set_name(BlockBackend *blk, const char *id);
BlockDriverState *blk_bs(BlockBackend *blk);
bool blk_is_read_only(const BlockBackend *blk);
/* Whether a guest-visible write cache is on (off for writethrough). */
bool blk_enable_write_cache(const BlockBackend *blk);
void blk_set_enable_write_cache(BlockBackend *blk, bool enable);
/* discard=unmap: discards reach the image; otherwise they are dropped. */
bool blk_discard_enabled(const BlockBackend *blk);
BlockInterfaceType blk_interface(const BlockBackend *blk);
/*
 * A device front end claims the backend (one device per drive, as in
 * QEMU); false if another device holds it already.
 */
bool blk_attach_dev(BlockBackend *blk, void *dev);
void blk_detach_dev(BlockBackend *blk, void *dev);
/* Virtual size in bytes, or -errno. */
int64_t blk_getlength(BlockBackend *blk);

/*
 * Asynchronous requests. The iovec array is copied; the buffers it points
 * to must stay valid until @cb runs. @cb is never called from inside the
 * submitting call (even for a request rejected at once, such as a write
 * to a read-only backend or one past the end, which completes with
 * -EPERM / -EIO): it runs from blk_dispatch_completions().
 */
void blk_aio_preadv(BlockBackend *blk, uint64_t offset,
                    const struct iovec *iov, int niov, unsigned flags,
                    BlockCompletionFunc *cb, void *opaque);
void blk_aio_pwritev(BlockBackend *blk, uint64_t offset,
                     const struct iovec *iov, int niov, unsigned flags,
                     BlockCompletionFunc *cb, void *opaque);
void blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb, void *opaque);
void blk_aio_pdiscard(BlockBackend *blk, uint64_t offset, uint64_t bytes,
                      BlockCompletionFunc *cb, void *opaque);
void blk_aio_pwrite_zeroes(BlockBackend *blk, uint64_t offset,
                           uint64_t bytes, unsigned flags,
                           BlockCompletionFunc *cb, void *opaque);

/*
 * Completion delivery. blk_completion_fd() is an eventfd that becomes
 * readable when finished requests wait for their callbacks; the owner of
 * the backend's thread watches it (main loop) and then calls
 * blk_dispatch_completions(), which runs the callbacks in completion
 * order and returns how many ran.
 */
int blk_completion_fd(BlockBackend *blk);
int blk_dispatch_completions(BlockBackend *blk);
/* Requests submitted whose callback has not run yet. */
unsigned blk_in_flight(const BlockBackend *blk);
/*
 * Block until at least one completion is dispatched (or @timeout_ms
 * passes; -1: no limit). Returns callbacks run. For tools and tests.
 */
int blk_aio_wait(BlockBackend *blk, int timeout_ms);
/* Wait for and dispatch every outstanding request (device reset). */
void blk_drain(BlockBackend *blk);

/*
 * Release hook: called at the start of blk_unref()'s teardown, e.g. so
 * the main loop stops watching blk_completion_fd().
 */
void blk_set_release_notifier(BlockBackend *blk,
                              void (*notify)(BlockBackend *blk, void *opaque),
                              void *opaque);

/* Synchronous requests in the caller's thread (vireo-img, tests). */
int blk_pread(BlockBackend *blk, uint64_t offset, void *buf, uint64_t bytes);
int blk_pwrite(BlockBackend *blk, uint64_t offset, const void *buf,
               uint64_t bytes);
int blk_flush(BlockBackend *blk);
int blk_pdiscard(BlockBackend *blk, uint64_t offset, uint64_t bytes);
int blk_pwrite_zeroes(BlockBackend *blk, uint64_t offset, uint64_t bytes,
                      unsigned flags);
int blk_truncate(BlockBackend *blk, uint64_t size);

/*
 * System emulator only (block/drive.c): open a backend from "-drive"
 * options as QEMU understands them now: file, format (raw; absent →
 * probe, with QEMU's warning), if (virtio|none), id, readonly,
 * cache (writeback|none|writethrough|unsafe|directsync), cache.direct,
 * cache.no-flush, discard (ignore|off|unmap|on), media (disk), aio
 * (threads). Unknown keys and bad values fail with one line prefixed by
 * the option's origin. Completions are delivered on @m's main loop.
 * Without id= the drive gets QEMU's automatic name ("virtio0", ...) only
 * once the caller names it with blk_set_name(); registering the id with
 * machine_add_backend() is left to the caller. Call with the BQL held.
 */
bool blk_new_from_drive_opts(Machine *m, OptList *opts, BlockBackend **out,
                             Error **errp);

#endif /* BLOCK_BLOCK_H */
