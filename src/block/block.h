/*
 * block/block.h — the block layer: image nodes, their drivers, and the
 * BlockBackend a device front end or a tool holds.
 *
 * The model is QEMU's, kept small:
 *
 *   BlockBackend ──root──► format node (raw, qcow2) ──file──► protocol
 *                               │                            node ("file")
 *                               └──backing──► format node ──file──► ...
 *
 * A node (BlockDriverState) is one open layer of an image, driven by a
 * const BlockDriver ops table. Formats (raw, qcow2) sit on a protocol
 * child (file-posix) that reaches the host; a format may also have a
 * backing node, whose contents show through wherever the format has not
 * allocated data (qcow2 backing chains). Nodes are reference counted; a
 * BlockBackend owns a reference on its root, a node on its children.
 *
 * Driver I/O is synchronous and byte-addressed with iovecs: a driver's
 * preadv/pwritev/flush/discard/write_zeroes run to completion and return
 * 0 or -errno. What makes the guest-facing interface asynchronous is the
 * BlockBackend: blk_aio_*() hands the request to a small worker-thread
 * pool owned by the backend (or, for raw images on aio=io_uring, to an
 * io_uring), and the completion callback then runs on whichever thread
 * dispatches the backend's completions — the main loop in the system
 * emulator (block/drive.c watches blk_completion_fd()), or the caller
 * itself in tools and tests (blk_drain(), blk_aio_wait()). A vCPU thread
 * therefore never waits for the disk: the device queues the request and
 * returns from the MMIO write at once.
 *
 * Thread safety. Driver I/O entry points (preadv, pwritev, flush,
 * discard, write_zeroes, pwrite_compressed, block_status) may run
 * concurrently on several worker threads and on the caller's thread for
 * the synchronous blk_*() wrappers: a driver with state takes its own
 * lock (qcow2 does; raw and file-posix are stateless per request).
 * Everything else here (open, close, create, check, snapshots, reopen,
 * truncate, change_backing_file, make_empty) belongs to one thread at a
 * time, with no request in flight on the node: vireo-img's thread, or
 * the BQL holder in the emulator after blk_drain().
 *
 * Errors: configuration and image-tool paths that QEMU reports through
 * an Error take Error **errp and return bool/NULL (or -errno, where
 * qemu-img prints strerror() of the return value itself: each function
 * says which); I/O paths return -errno (style point 11).
 *
 * Image locking follows QEMU's file-posix exactly, so that Vireo and QEMU
 * see each other's locks: each permission bit i below is represented by
 * OFD byte-range locks on byte 100 + i ("I hold permission i") and byte
 * 200 + i ("I do not let others have permission i"). See file-posix.c.
 */
#ifndef BLOCK_BLOCK_H
#define BLOCK_BLOCK_H

#include "util/osdep.h"
#include "util/typedefs.h"

#include <stdio.h>
#include <sys/uio.h>

typedef struct BlockDriver BlockDriver;
typedef struct BlockDriverState BlockDriverState;

#define BDRV_SECTOR_BITS 9
#define BDRV_SECTOR_SIZE (1u << BDRV_SECTOR_BITS)

/* Open flags (BlockDriverState.open_flags, bdrv_open(), blk_new_open()). */
enum {
    BDRV_O_RDWR         = 1 << 0,  /* else read-only: writes fail -EPERM */
    BDRV_O_NOCACHE      = 1 << 1,  /* bypass the host page cache (O_DIRECT) */
    BDRV_O_NO_FLUSH     = 1 << 2,  /* flushes are no-ops (cache=unsafe) */
    BDRV_O_UNMAP        = 1 << 3,  /* pass discards down (discard=unmap) */
    BDRV_O_WRITETHROUGH = 1 << 4,  /* backend flushes after every write */
    BDRV_O_PROBED       = 1 << 5,  /* format was guessed (set by bdrv_open) */
    /* Do not open the backing file (qemu-img info/rebase -u/--no-backing):
     * the node reads unallocated ranges as zeroes. */
    BDRV_O_NO_BACKING   = 1 << 6,
    /* -U / force-share=on: take no lock that excludes others. Only for
     * read-only opens (bdrv_open fails otherwise, as QEMU does). */
    BDRV_O_FORCE_SHARE  = 1 << 7,
    /* locking=off: take and test no lock bytes at all. */
    BDRV_O_NO_LOCK      = 1 << 8,
    /* Open for "check": images marked corrupt open (read-only or with
     * BDRV_O_RDWR for repair), and a dirty image is not auto-repaired. */
    BDRV_O_CHECK        = 1 << 9,
    /* blk_new_open(): put a temporary qcow2 overlay (deleted on close)
     * in front of the image, which is then opened read-only
     * (-snapshot, -drive snapshot=on). */
    BDRV_O_SNAPSHOT     = 1 << 10,
    /* Delete the file when the protocol node closes (the overlay). */
    BDRV_O_TEMPORARY    = 1 << 11,
    /* aio=io_uring: the file protocol submits through io_uring. */
    BDRV_O_IO_URING     = 1 << 12,
    /* detect-zeroes=on: writes of all-zero buffers become write_zeroes;
     * with BDRV_O_UNMAP as well (detect-zeroes=unmap) they may unmap. */
    BDRV_O_DETECT_ZEROES = 1 << 13,
};

/* Request flags for pwritev / write_zeroes. */
enum {
    BDRV_REQ_MAY_UNMAP  = 1 << 0,  /* write_zeroes may deallocate */
};

/*
 * Permissions, QEMU's BLK_PERM_* with the same bit numbers (they select
 * the lock bytes, so they must never change).
 */
enum {
    BLK_PERM_CONSISTENT_READ = 1 << 0,
    BLK_PERM_WRITE           = 1 << 1,
    BLK_PERM_WRITE_UNCHANGED = 1 << 2,
    BLK_PERM_RESIZE          = 1 << 3,
    BLK_PERM_ALL             = 0x0f,
};

/* --- image creation options (vireo-img create -o, -f) --- */

typedef enum BlockPreallocMode {
    BLOCK_PREALLOC_OFF,
    BLOCK_PREALLOC_METADATA,    /* qcow2: all L2 tables and clusters mapped */
    BLOCK_PREALLOC_FALLOC,      /* posix_fallocate the file */
    BLOCK_PREALLOC_FULL,        /* write zeroes to the whole file */
} BlockPreallocMode;

/* "off", "metadata", "falloc", "full". */
const char *block_prealloc_mode_name(BlockPreallocMode mode);
bool block_prealloc_mode_parse(const char *str, BlockPreallocMode *out);

/*
 * What "qemu-img create -o" can set. Fill it with
 * bdrv_create_options_init() (QEMU's defaults), then set fields directly
 * or through bdrv_create_options_set(); the strings are owned by the
 * struct (bdrv_create_options_free()). Fields a driver does not know are
 * rejected by bdrv_create_options_set(), not silently ignored.
 */
typedef struct BlockCreateOptions {
    uint64_t size;              /* virtual size in bytes */
    bool has_size;              /* else: the backing file's size */
    uint64_t cluster_size;      /* qcow2: 512..2 MiB, power of two; 64 KiB */
    char *backing_file;         /* NULL: none */
    char *backing_fmt;          /* NULL: probe (with a warning) */
    char *compat;               /* qcow2: "0.10"/"v2" or "1.1"/"v3" (NULL) */
    char *compression_type;     /* qcow2: "zlib" (NULL) or "zstd" */
    /* "off" (NULL), "metadata" (qcow2), "falloc", "full": kept as the
     * user wrote it, since qemu-img prints it before validating. */
    char *preallocation;
    uint64_t refcount_bits;     /* qcow2: 1..64, power of two; 16 */
    bool lazy_refcounts;        /* qcow2 v3 only */
    bool extended_l2;           /* qcow2: refused (not supported) */
    /* Keys set explicitly, so the "Formatting" line prints as QEMU's. */
    unsigned set_mask;
} BlockCreateOptions;

/* Defaults as qemu-img's for qcow2 (cluster 64 KiB, refcount 16 bits...). */
void bdrv_create_options_init(BlockCreateOptions *opts);
void bdrv_create_options_free(BlockCreateOptions *opts);
/*
 * Set one "-o key=value" for @driver ("qcow2", "raw"): size, cluster_size,
 * backing_file, backing_fmt, compat, compression_type, preallocation,
 * refcount_bits, lazy_refcounts, extended_l2. Unknown keys fail as
 * QEMU's do: "Invalid parameter 'foo'"; bad values: "Parameter
 * 'cluster_size' expects a size" and the like.
 */
bool bdrv_create_options_set(BlockCreateOptions *opts, const char *driver,
                             const char *key, const char *value,
                             Error **errp);
/* Apply a whole "-o" string ("cluster_size=4k,lazy_refcounts=on"). */
bool bdrv_create_options_parse(BlockCreateOptions *opts, const char *driver,
                               const char *str, Error **errp);
/* Print "Supported options:" with one line per option, as qemu-img -o
 * help does, for @driver. False if @driver is unknown or cannot create. */
bool bdrv_create_options_help(const char *driver, FILE *out);
/*
 * The option list of qemu-img's "Formatting 'x', fmt=qcow2 ..." line,
 * starting with "fmt=DRIVER" (caller frees).
 */
char *bdrv_create_options_describe(const char *driver,
                                   const BlockCreateOptions *opts);

/*
 * What qemu-img create does before printing its "Formatting" line:
 * without opts->has_size, take the size from the backing file (error
 * "Image creation needs a size parameter" if there is none); with a
 * backing file, require a backing format ("Backing file specified
 * without backing format. Detected format of qcow2.") and, unless
 * @no_backing_check (-u), open it relative to @filename to make sure it
 * exists ("Could not open 'b.qcow2': No such file or directory. Could
 * not open backing image."). Rounds the size up to 512 bytes.
 */
bool bdrv_create_prepare(const char *driver, const char *filename,
                         BlockCreateOptions *opts, bool no_backing_check,
                         Error **errp);

/*
 * Create image @filename of format @driver. Errors read like QEMU's:
 * "Could not create 'x': Permission denied", "Cluster size must be a
 * power of two between 512 and 2048k", "Could not open backing image"
 * (when the size has to come from the backing file). Existing files are
 * truncated and overwritten, as qemu-img create does.
 */
bool bdrv_create(const char *driver, const char *filename,
                 const BlockCreateOptions *opts, Error **errp);

/* What "qemu-img measure" prints. */
typedef struct BlockMeasureInfo {
    uint64_t required;          /* bytes for the image as converted */
    uint64_t fully_allocated;   /* bytes if every cluster were allocated */
    uint64_t bitmaps;           /* persistent bitmaps: always 0 here */
} BlockMeasureInfo;

/*
 * Size a new @driver image with @opts; with @in (a source to convert),
 * "required" covers @in's allocated ranges and opts->size may be unset
 * (the source's length is used). Fails like QEMU for unknown formats.
 */
bool bdrv_measure(const char *driver, const BlockCreateOptions *opts,
                  BlockDriverState *in, BlockMeasureInfo *out, Error **errp);

/* --- what "info" and "check" report --- */

/* What "vireo-img info" and the monitor show about a node. */
typedef struct BlockDriverInfo {
    uint32_t cluster_size;      /* 0: not cluster-based */
    bool is_dirty;              /* qcow2 dirty bit (lazy refcounts) */
    bool unallocated_reads_zero;
    /* Where bdrv_save_vmstate() data starts in the format's address
     * space (qcow2: past the virtual disk), or 0. */
    uint64_t vm_state_offset;
    /* Format-specific information (qemu-img info). */
    bool has_qcow2;
    struct {
        char compat[8];             /* "0.10" or "1.1" */
        char compression_type[8];   /* "zlib" or "zstd" */
        bool lazy_refcounts;
        unsigned refcount_bits;
        bool corrupt;               /* incompatible "corrupt" bit set */
        bool extended_l2;
    } qcow2;
} BlockDriverInfo;

/* bdrv_check() fix flags. */
enum {
    BDRV_FIX_LEAKS  = 1 << 0,   /* -r leaks */
    BDRV_FIX_ERRORS = 1 << 1,   /* -r all (with BDRV_FIX_LEAKS) */
};

/*
 * The counts "qemu-img check" prints. Problems repaired are counted in
 * the *_fixed fields only; corruptions/leaks/check_errors count what is
 * left. As QEMU's driver does, each problem is also described on stderr
 * ("Leaked cluster 5 refcount=1 reference=0", "ERROR cluster 7
 * refcount=1 reference=2", "Repairing ...").
 */
typedef struct BlockCheckResult {
    int corruptions;
    int leaks;
    int check_errors;
    int corruptions_fixed;
    int leaks_fixed;
    int64_t image_end_offset;   /* 0: unknown */
    /* Cluster statistics (has_cluster_info: qcow2). */
    bool has_cluster_info;
    uint64_t total_clusters;
    uint64_t allocated_clusters;
    uint64_t fragmented_clusters;
    uint64_t compressed_clusters;
} BlockCheckResult;

/* --- block status (map, convert, compare) --- */

enum {
    BDRV_BLOCK_DATA         = 1 << 0,  /* data is read from a file */
    BDRV_BLOCK_ZERO         = 1 << 1,  /* reads as zeroes */
    BDRV_BLOCK_OFFSET_VALID = 1 << 2,  /* *map is the offset in *file */
    BDRV_BLOCK_ALLOCATED    = 1 << 4,  /* this layer defines the content */
    BDRV_BLOCK_EOF          = 1 << 5,  /* the range ends at the image end */
    BDRV_BLOCK_COMPRESSED   = 1 << 6,  /* qcow2 compressed cluster */
};

/* --- internal snapshots --- */

/* One internal snapshot, as "qemu-img snapshot -l" lists it. */
typedef struct BlockSnapshotInfo {
    char id_str[128];           /* "1", "2", ...: unique within the image */
    char name[256];             /* the tag; may repeat */
    uint64_t vm_state_size;     /* bytes of saved VM state (0: disk only) */
    uint32_t date_sec;          /* wall clock at creation */
    uint32_t date_nsec;
    uint64_t vm_clock_nsec;     /* guest clock at creation */
    uint64_t icount;            /* instructions executed, or UINT64_MAX */
} BlockSnapshotInfo;

/* Reports progress of long operations (commit): done out of total. */
typedef void BlockProgressFunc(void *opaque, uint64_t done, uint64_t total);

/*
 * A block driver: a format ("raw", "qcow2") or a protocol ("file"). One
 * const instance per driver, listed in block_drivers[] (block/block.c);
 * tests may define their own and open them with bdrv_open_driver().
 * Optional entries may be NULL: the generic layer then returns -ENOTSUP
 * (discard: success, as it is only advisory).
 */
struct BlockDriver {
    const char *format_name;
    const char *desc;
    size_t instance_size;       /* >= sizeof(BlockDriverState) */
    bool is_protocol;           /* opens a host path itself */
    /* Formats with a backing file (qcow2): read what they have not
     * allocated from bs->backing, which bdrv_open() opens after open(). */
    bool supports_backing;
    /*
     * Formats: how sure the driver is that the image whose first @len
     * bytes are @buf is its format (0 = not mine, 100 = certain). raw
     * answers 1 for anything, so it wins only when nobody else claims it.
     */
    int (*probe)(const uint8_t *buf, size_t len, const char *filename);
    /*
     * Protocols: open @filename. Formats: open on bs->file, which the
     * generic layer has already opened; a format with a backing file
     * sets bs->backing_file (and bs->backing_format) here. Return false
     * with *errp set.
     */
    bool (*open)(BlockDriverState *bs, const char *filename, int flags,
                 Error **errp);
    /* Write back what is cached and release everything. */
    void (*close)(BlockDriverState *bs);
    /*
     * Switch between read-only and read-write (@flags: the new
     * open_flags; children are already switched). Optional: without it,
     * a format can only be reopened if it has no state (raw).
     */
    bool (*reopen)(BlockDriverState *bs, int flags, Error **errp);
    /*
     * Protocols: take the lock bytes for @perm / not-@shared and check
     * nobody conflicts. Errors read like QEMU's ("Failed to get "write"
     * lock", with the "Is another process using the image" hint).
     */
    bool (*set_perm)(BlockDriverState *bs, uint64_t perm, uint64_t shared,
                     Error **errp);

    /* Synchronous I/O; returns 0 or -errno. @offset/@bytes in bytes. */
    int (*preadv)(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                  const struct iovec *iov, int niov, unsigned flags);
    int (*pwritev)(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                   const struct iovec *iov, int niov, unsigned flags);
    /* Whole clusters only (the last may be short at the image end). */
    int (*pwrite_compressed)(BlockDriverState *bs, uint64_t offset,
                             uint64_t bytes, const struct iovec *iov,
                             int niov);
    /* Make the format's own state durable; the generic layer then
     * flushes bs->file. */
    int (*flush)(BlockDriverState *bs);
    int (*discard)(BlockDriverState *bs, uint64_t offset, uint64_t bytes);
    int (*write_zeroes)(BlockDriverState *bs, uint64_t offset,
                        uint64_t bytes, unsigned flags);
    /*
     * Status of [offset, offset+bytes): BDRV_BLOCK_* flags for the first
     * *pnum bytes (at least 1 and at most @bytes) or -errno. With
     * BDRV_BLOCK_OFFSET_VALID, *map and *file say where the data is.
     * A driver returning 0 for a range means "not allocated here" (the
     * backing file decides). Optional: all DATA|ALLOCATED.
     */
    int (*block_status)(BlockDriverState *bs, uint64_t offset,
                        uint64_t bytes, uint64_t *pnum, uint64_t *map,
                        BlockDriverState **file);

    /* Virtual size in bytes, or -errno. */
    int64_t (*get_length)(BlockDriverState *bs);
    /* Host bytes actually used ("disk size"), or -errno. */
    int64_t (*get_allocated_size)(BlockDriverState *bs);
    int (*get_info)(BlockDriverState *bs, BlockDriverInfo *info);
    /*
     * Resize to @size bytes (vireo-img resize, block_resize). Growing
     * preallocates the new range per @prealloc; shrinking drops the
     * tail. Returns 0 or -errno with *errp set.
     */
    int (*truncate)(BlockDriverState *bs, uint64_t size,
                    BlockPreallocMode prealloc, Error **errp);

    /* Create an image (see bdrv_create()). */
    bool (*create)(const char *filename, const BlockCreateOptions *opts,
                   Error **errp);
    /* The -o keys this driver accepts (NULL-terminated), for
     * bdrv_create_options_set() and -o help. */
    const char *const *create_keys;
    bool (*measure)(const BlockCreateOptions *opts, BlockDriverState *in,
                    BlockMeasureInfo *out, Error **errp);
    int (*check)(BlockDriverState *bs, BlockCheckResult *res, int fix);
    int (*make_empty)(BlockDriverState *bs);
    int (*change_backing_file)(BlockDriverState *bs, const char *file,
                               const char *fmt);

    int (*snapshot_create)(BlockDriverState *bs, BlockSnapshotInfo *sn);
    int (*snapshot_goto)(BlockDriverState *bs, const char *snapshot_id,
                         Error **errp);
    int (*snapshot_delete)(BlockDriverState *bs, const char *snapshot_id,
                           const char *name, Error **errp);
    int (*snapshot_list)(BlockDriverState *bs, BlockSnapshotInfo **psn);
    int (*save_vmstate)(BlockDriverState *bs, const void *buf, uint64_t pos,
                        uint64_t size);
    int (*load_vmstate)(BlockDriverState *bs, void *buf, uint64_t pos,
                        uint64_t size);
};

/*
 * One open node. Drivers embed this as the first member of their state
 * (instance_size) and recover it with container_of().
 */
struct BlockDriverState {
    const BlockDriver *drv;
    char *filename;
    char *node_name;            /* -blockdev node-name=, or NULL */
    int open_flags;             /* BDRV_O_* */
    bool read_only;
    /*
     * Offsets and lengths that reach drv->preadv/pwritev directly are
     * multiples of this (1: anything). Protocols set it in open (O_DIRECT
     * needs the host's logical block size); formats inherit the file's.
     */
    uint32_t request_alignment;
    BlockDriverState *file;     /* protocol child of a format, or NULL */
    BlockDriverState *backing;  /* backing image, or NULL */
    /* The backing file as the image names it, and its format: set by the
     * format's open, NULL/"" if none. */
    char *backing_file;
    char *backing_format;
    /* Lock state (protocols): what this node holds and shares. */
    uint64_t perm;
    uint64_t shared_perm;
    int refcnt;
};

/* The drivers, NULL-terminated, in probing order. */
extern const BlockDriver *const block_drivers[];

const BlockDriver *bdrv_find_format(const char *name);
/* Space-separated names of the formats, for error messages. */
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
 * protocol, then (unless BDRV_O_NO_BACKING) its backing chain, read-only,
 * each file relative to the image that names it. Takes the image locks
 * (unless BDRV_O_NO_LOCK). Errors read like QEMU's: "Could not open 'x':
 * No such file or directory", "Could not open backing file: ...",
 * "Failed to get "write" lock Is another process using the image [x]?".
 */
BlockDriverState *bdrv_open(const char *filename, const char *format,
                            int flags, Error **errp);
/*
 * Open format @format (NULL: probe) on an already open protocol node
 * @file, taking over the caller's reference to it (also on failure).
 * The crash-safety test uses this with a recording driver as @file.
 */
BlockDriverState *bdrv_open_on(const char *format, BlockDriverState *file,
                               int flags, Error **errp);
/* Open a node of driver @drv that need not be in block_drivers[]
 * (a test's protocol driver): drv->open(bs, filename, flags). */
BlockDriverState *bdrv_open_driver(const BlockDriver *drv,
                                   const char *filename, int flags,
                                   Error **errp);
/*
 * Open @bs's backing file (bs->backing_file, relative to bs->filename)
 * with format @format (NULL: bs->backing_format, else probe) and attach
 * it, replacing any backing node. For nodes opened with
 * BDRV_O_NO_BACKING that later need their chain.
 */
bool bdrv_open_backing(BlockDriverState *bs, const char *format,
                       Error **errp);
/* Replace @bs's backing node with @backing (a new reference is taken;
 * NULL detaches). The image file is not changed. */
void bdrv_set_backing(BlockDriverState *bs, BlockDriverState *backing);
void bdrv_ref(BlockDriverState *bs);
void bdrv_unref(BlockDriverState *bs);

/*
 * Switch @bs (and its file child) between read-only and read-write,
 * updating the locks: commit uses it to write into a backing file.
 */
bool bdrv_reopen_set_read_only(BlockDriverState *bs, bool read_only,
                               Error **errp);

const char *bdrv_get_format_name(const BlockDriverState *bs);
/*
 * The backing file name resolved against @bs's directory, as qemu-img
 * info's "actual path" (caller frees), or NULL if @bs has none.
 */
char *bdrv_get_full_backing_filename(const BlockDriverState *bs);
/* The bottom of @bs's backing chain (@bs itself if it has no backing). */
BlockDriverState *bdrv_get_base(BlockDriverState *bs);

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
/*
 * Write one compressed cluster (qcow2; convert -c): @offset is cluster
 * aligned and @bytes is the cluster size, or less for the last cluster
 * of the image. The data is stored uncompressed if compressing does not
 * make it smaller. -ENOTSUP for formats without compression.
 */
int bdrv_pwrite_compressed(BlockDriverState *bs, uint64_t offset,
                           const void *buf, uint64_t bytes);
int bdrv_flush(BlockDriverState *bs);
int bdrv_pdiscard(BlockDriverState *bs, uint64_t offset, uint64_t bytes);
int bdrv_pwrite_zeroes(BlockDriverState *bs, uint64_t offset,
                       uint64_t bytes, unsigned flags);
int64_t bdrv_getlength(BlockDriverState *bs);
int64_t bdrv_get_allocated_size(BlockDriverState *bs);
/* Fills @info (zeroed first); -ENOTSUP if the driver has nothing. */
int bdrv_get_info(BlockDriverState *bs, BlockDriverInfo *info);
/* bdrv_truncate_prealloc(bs, size, BLOCK_PREALLOC_OFF, NULL). */
int bdrv_truncate(BlockDriverState *bs, uint64_t size);
/*
 * Resize @bs to @size (qemu-img resize). Shrinking is the caller's
 * decision (qemu-img wants --shrink); qcow2 refuses to shrink below
 * allocated snapshot data with a message. 0 or -errno with *errp set.
 */
int bdrv_truncate_prealloc(BlockDriverState *bs, uint64_t size,
                           BlockPreallocMode prealloc, Error **errp);

/*
 * Status of [offset, offset+bytes) in @bs alone: BDRV_BLOCK_* for the
 * first *pnum bytes, or -errno. ALLOCATED is set when @bs itself defines
 * the content (DATA or ZERO here); without it, reads go to the backing
 * file. @map and @file may be NULL. Ranges past the end report
 * ZERO|EOF with *pnum = @bytes.
 */
int bdrv_block_status(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                      uint64_t *pnum, uint64_t *map,
                      BlockDriverState **file);
/*
 * The same through @bs's backing chain down to, not including, @base
 * (NULL: the whole chain): the status comes from the first layer that
 * allocates the range, and *depth (may be NULL) is its position (0 =
 * @bs). Where no layer allocates, the flags are 0, or ZERO if reads
 * return zeroes there (no backing beyond), and *depth is the
 * index of the last layer looked at (the bottom of the chain), as
 * qemu-img map reports.
 */
int bdrv_block_status_above(BlockDriverState *bs, BlockDriverState *base,
                            uint64_t offset, uint64_t bytes, uint64_t *pnum,
                            uint64_t *map, BlockDriverState **file,
                            int *depth);
/*
 * 1 if [offset, offset+*pnum) is allocated in some layer from @top down
 * to, not including, @base; 0 if not; -errno on error. *pnum is set to
 * how far that answer holds (at most @bytes).
 */
int bdrv_is_allocated_above(BlockDriverState *top, BlockDriverState *base,
                            uint64_t offset, uint64_t bytes, uint64_t *pnum);

/*
 * Check the image's metadata and repair per @fix (BDRV_FIX_*). Returns
 * 0 when the check ran (whatever it found) or -errno if it could not
 * run: -ENOTSUP for formats without a check ("This image format does
 * not support checks"). @res is zeroed first.
 */
int bdrv_check(BlockDriverState *bs, BlockCheckResult *res, int fix);

/*
 * Point @bs at a new backing file without touching data (rebase -u,
 * and after a safe rebase): @file NULL or "" removes the backing file;
 * @fmt may be NULL. Does not reopen the chain. Returns 0 or -errno
 * (qemu-img prints "Could not change the backing file to 'x': %s").
 */
int bdrv_change_backing_file(BlockDriverState *bs, const char *file,
                             const char *fmt);
/*
 * Deallocate everything @bs holds so its backing file shows through
 * (qemu-img commit without -d). 0 or -errno.
 */
int bdrv_make_empty(BlockDriverState *bs);
/*
 * Copy every range that @top's chain allocates above @base (NULL:
 * @top->backing) into @base, which is reopened read-write for the
 * duration (and its locks upgraded). Does not empty @top. Progress, if
 * given, is reported in bytes of @top's length.
 */
bool bdrv_commit(BlockDriverState *top, BlockDriverState *base,
                 BlockProgressFunc *progress, void *opaque, Error **errp);

/*
 * Internal snapshots. create: fill @sn->name, date, vm_clock_nsec,
 * vm_state_size, icount; an empty id_str gets the next free number
 * (written back). 0 or -errno (-EEXIST if id_str is taken; -ENOTSUP
 * for formats without snapshots; -EFBIG on too many).
 */
int bdrv_snapshot_create(BlockDriverState *bs, BlockSnapshotInfo *sn);
/* Revert the disk to snapshot @name_or_id (id first, then name). */
int bdrv_snapshot_goto(BlockDriverState *bs, const char *name_or_id,
                       Error **errp);
/*
 * Delete the snapshot matching both @snapshot_id and @name (either may
 * be NULL to match anything, not both). -ENOENT: "Can't find the
 * snapshot" in *errp.
 */
int bdrv_snapshot_delete(BlockDriverState *bs, const char *snapshot_id,
                         const char *name, Error **errp);
/* *psn gets a malloc'd array (caller frees); returns the count or
 * -errno. A format without snapshots lists none. */
int bdrv_snapshot_list(BlockDriverState *bs, BlockSnapshotInfo **psn);
/* Find by id, then by name. 0 and *sn filled, or -ENOENT. */
int bdrv_snapshot_find(BlockDriverState *bs, BlockSnapshotInfo *sn,
                       const char *name_or_id);
/*
 * VM state of a snapshot being saved/loaded (migration): @size bytes at
 * byte @pos of the state area. 0 or -errno (-ENOTSUP: not qcow2).
 */
int bdrv_save_vmstate(BlockDriverState *bs, const void *buf, uint64_t pos,
                      uint64_t size);
int bdrv_load_vmstate(BlockDriverState *bs, void *buf, uint64_t pos,
                      uint64_t size);

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
 * Open @filename as a backend (no id), with its backing chain. @flags:
 * BDRV_O_*; without BDRV_O_RDWR the backend is read-only. With
 * BDRV_O_SNAPSHOT the image is opened read-only under a temporary qcow2
 * overlay that takes the writes (see blk_commit_snapshot()).
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
 * I/O accounting of a backend's asynchronous requests (what devices
 * submit; the synchronous calls below are the tools' and are not
 * counted), with QEMU's rules so query-blockstats reads the same: a
 * request that completes counts its bytes and one operation, a failed
 * one only in @failed, one rejected before any I/O (out of range,
 * read-only) only in @invalid; both kinds of completion add their
 * latency. Write-zeroes counts as a write, discard as unmap.
 */
typedef enum BlockAcctType {
    BLOCK_ACCT_READ,
    BLOCK_ACCT_WRITE,
    BLOCK_ACCT_FLUSH,
    BLOCK_ACCT_UNMAP,
    BLOCK_ACCT__MAX,
} BlockAcctType;

typedef struct BlockAcctStats {
    uint64_t bytes[BLOCK_ACCT__MAX];
    uint64_t ops[BLOCK_ACCT__MAX];
    uint64_t failed[BLOCK_ACCT__MAX];
    uint64_t invalid[BLOCK_ACCT__MAX];
    uint64_t total_time_ns[BLOCK_ACCT__MAX];
    uint64_t wr_highest_offset;     /* end of the furthest write */
} BlockAcctStats;

const BlockAcctStats *blk_get_stats(const BlockBackend *blk);
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
/* See bdrv_pwrite_compressed(). */
int blk_pwrite_compressed(BlockBackend *blk, uint64_t offset,
                          const void *buf, uint64_t bytes);
int blk_flush(BlockBackend *blk);
int blk_pdiscard(BlockBackend *blk, uint64_t offset, uint64_t bytes);
int blk_pwrite_zeroes(BlockBackend *blk, uint64_t offset, uint64_t bytes,
                      unsigned flags);
int blk_truncate(BlockBackend *blk, uint64_t size);

/*
 * For a backend opened with BDRV_O_SNAPSHOT: write everything the
 * temporary overlay holds into the image below it and empty the overlay
 * (the mux's Ctrl-A s, QEMU's "commit all"). Drains first; the image is
 * reopened read-write for the copy and read-only after. True if there
 * is nothing to do (no overlay).
 */
bool blk_commit_snapshot(BlockBackend *blk, Error **errp);

/*
 * System emulator only (block/drive.c): open a backend from "-drive"
 * options as QEMU understands them: file, format (raw, qcow2; absent →
 * probe, with QEMU's warning for raw), if (virtio|none), id, readonly,
 * cache (writeback|none|writethrough|unsafe|directsync), cache.direct,
 * cache.no-flush, discard (ignore|off|unmap|on), detect-zeroes
 * (off|on|unmap), snapshot (on|off), media (disk), aio (threads|
 * io_uring), file.locking (auto|on|off), force-share. The global
 * -snapshot (m->config->snapshot) acts as snapshot=on for every drive.
 * An option list whose origin starts with "-blockdev" is handed to
 * blk_new_from_blockdev_opts() instead, so -blockdev nodes can ride in
 * VmConfig.drives. Unknown keys and bad values fail with one line
 * prefixed by the option's origin. Completions are delivered on @m's
 * main loop. Without id= the drive gets QEMU's automatic name
 * ("virtio0", ...) only once the caller names it with blk_set_name();
 * registering the id with machine_add_backend() is left to the caller.
 * Call with the BQL held.
 */
bool blk_new_from_drive_opts(Machine *m, OptList *opts, BlockBackend **out,
                             Error **errp);
/*
 * System emulator only (block/blockdev.c): "-blockdev" with QEMU's
 * dotted keys: driver=qcow2,node-name=d0,file.driver=file,
 * file.filename=x.qcow2 (or file=NODE), backing=NODE|null, read-only,
 * cache.direct, cache.no-flush, discard, detect-zeroes, force-share,
 * file.locking=auto|on|off, file.aio=threads|io_uring. The node is
 * wrapped in a backend named after the node-name (if=none), which the
 * caller registers like a drive: that is how "-device
 * virtio-blk-device,drive=d0" finds it. -snapshot applies as for -drive.
 */
bool blk_new_from_blockdev_opts(Machine *m, OptList *opts,
                                BlockBackend **out, Error **errp);
/*
 * Commit the temporary overlays of every drive of @m (the -snapshot
 * overlays) into their images: the mux's Ctrl-A s. Reports failures
 * with error_report() and returns how many drives failed.
 */
int blk_commit_snapshot_all(Machine *m);

#endif /* BLOCK_BLOCK_H */
