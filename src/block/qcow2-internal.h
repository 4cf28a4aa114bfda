/*
 * block/qcow2-internal.h — what the qcow2 driver's files share: the
 * on-disk constants of QEMU's docs/interop/qcow2.txt, the open image's
 * state, and the functions one file offers the others.
 *
 * Files and what they own:
 *   qcow2.c           header parsing and writing, open/close/create,
 *                     the read/write paths, flush ordering, resize
 *   qcow2-cache.c     the table cache used for L2 tables and refcount
 *                     blocks (one instance each)
 *   qcow2-cluster.c   L1/L2 lookups and updates, copy-on-write of
 *                     tables and clusters, zero and discard, compressed
 *                     cluster descriptors
 *   qcow2-refcount.c  refcount table and blocks, cluster allocation,
 *                     deferred frees, snapshot refcount walks
 *   qcow2-check.c     consistency check and repair ("qemu-img check")
 *   qcow2-snapshot.c  the snapshot table; create/goto/delete/list
 *   qcow2-compress.c  zlib (raw deflate) and zstd cluster codecs
 *
 * Locking: Qcow2State.lock protects every field and both caches. Data
 * I/O to clusters already mapped may run without it, but only while
 * holding free_lock for reading, taken before the lock is dropped; a
 * cluster whose refcount drops to zero becomes allocatable only under
 * free_lock held for writing (qcow2_apply_deferred_frees()), so no
 * unlocked reader or writer ever touches a cluster handed to someone
 * else.
 *
 * Crash safety (see qcow2_flush_metadata() in qcow2.c for the order):
 * refcount increments reach the disk before any reference to the
 * cluster, guest data and new tables before the entry pointing at them,
 * and a reference is removed on disk before its refcount is decremented
 * (decrements are deferred until then). A crash can leak clusters but
 * never leave one referenced twice or expose data nobody wrote.
 */
#ifndef BLOCK_QCOW2_INTERNAL_H
#define BLOCK_QCOW2_INTERNAL_H

#include "block/block-internal.h"

#include <pthread.h>

#define DIV_ROUND_UP_U64(n, d) (((n) + (d) - 1) / (d))

/* --- on-disk format (qcow2.txt "Header") --- */

#define QCOW2_MAGIC                 0x514649fbu     /* "QFI\xfb" */
#define QCOW2_MIN_CLUSTER_BITS      9
#define QCOW2_MAX_CLUSTER_BITS      21              /* QEMU's limit: 2 MiB */
#define QCOW2_V2_HEADER_SIZE        72
#define QCOW2_V3_HEADER_SIZE        104             /* minimum for v3 */
#define QCOW2_HEADER_SIZE           112             /* ours: + compression */
#define QCOW2_MAX_BACKING_NAME      1023
/* QEMU's implementation limits, which bound what a hostile header can
 * make us allocate. */
#define QCOW2_MAX_L1_BYTES          (32 * MiB)
#define QCOW2_MAX_REFTABLE_BYTES    (8 * MiB)
#define QCOW2_MAX_SNAPSHOTS         65536
#define QCOW2_MAX_SNAPSHOTS_BYTES   (1024 * QCOW2_MAX_SNAPSHOTS)
#define QCOW2_MAX_EXTRA_DATA        1024
#define QCOW2_MAX_SNAPSHOT_ID       127             /* BlockSnapshotInfo */
#define QCOW2_MAX_SNAPSHOT_NAME     255
/* How far past file_end a cluster may lie before using it is refused:
 * bounds the sparse growth a hostile image can cause. */
#define QCOW2_MAX_BEYOND_FILE_END   (64 * MiB)

/* Header field offsets that are updated in place (one sector each). */
#define QCOW2_HDR_SIZE_OFF          24
#define QCOW2_HDR_L1_SIZE_OFF       36
#define QCOW2_HDR_REFTABLE_OFF      48
#define QCOW2_HDR_SNAPSHOTS_OFF     60
#define QCOW2_HDR_INCOMPAT_OFF      72

/* Feature bits (qcow2.txt "Header", bytes 72-95). */
#define QCOW2_INCOMPAT_DIRTY        (UINT64_C(1) << 0)
#define QCOW2_INCOMPAT_CORRUPT      (UINT64_C(1) << 1)
#define QCOW2_INCOMPAT_DATA_FILE    (UINT64_C(1) << 2)
#define QCOW2_INCOMPAT_COMPRESSION  (UINT64_C(1) << 3)
#define QCOW2_INCOMPAT_EXTL2        (UINT64_C(1) << 4)
#define QCOW2_INCOMPAT_KNOWN        (QCOW2_INCOMPAT_DIRTY | \
                                     QCOW2_INCOMPAT_CORRUPT | \
                                     QCOW2_INCOMPAT_COMPRESSION)
#define QCOW2_COMPAT_LAZY_REFCOUNTS (UINT64_C(1) << 0)
#define QCOW2_AUTOCLEAR_BITMAPS     (UINT64_C(1) << 0)

#define QCOW2_COMPRESSION_ZLIB      0
#define QCOW2_COMPRESSION_ZSTD      1

/* Header extension types (qcow2.txt "Header extensions"). */
#define QCOW2_EXT_END               0x00000000u
#define QCOW2_EXT_BACKING_FORMAT    0xe2792acau
#define QCOW2_EXT_FEATURE_TABLE     0x6803f857u
#define QCOW2_EXT_BITMAPS           0x23852875u
#define QCOW2_EXT_CRYPTO            0x0537be77u
#define QCOW2_EXT_DATA_FILE         0x44415441u

/* L1/L2/refcount table entries (qcow2.txt "Cluster mapping"). */
#define QCOW2_OFLAG_COPIED          (UINT64_C(1) << 63)
#define QCOW2_OFLAG_COMPRESSED      (UINT64_C(1) << 62)
#define QCOW2_OFLAG_ZERO            (UINT64_C(1) << 0)
#define QCOW2_L1E_OFFSET_MASK       UINT64_C(0x00fffffffffffe00)
#define QCOW2_L1E_RESERVED_MASK     UINT64_C(0x7f000000000001ff)
#define QCOW2_L2E_OFFSET_MASK       UINT64_C(0x00fffffffffffe00)
#define QCOW2_L2E_STD_RESERVED_MASK UINT64_C(0x3f000000000001fe)
#define QCOW2_REFT_OFFSET_MASK      UINT64_C(0xfffffffffffffe00)
#define QCOW2_REFT_RESERVED_MASK    0x1ffull

/* What a guest cluster is, from its L2 entry. */
typedef enum Qcow2ClusterType {
    QCOW2_CLUSTER_UNALLOCATED,  /* reads from the backing file */
    QCOW2_CLUSTER_ZERO_PLAIN,   /* reads zeroes, no host cluster */
    QCOW2_CLUSTER_ZERO_ALLOC,   /* reads zeroes, host cluster kept */
    QCOW2_CLUSTER_NORMAL,       /* data at a host cluster */
    QCOW2_CLUSTER_COMPRESSED,   /* compressed data at a byte offset */
} Qcow2ClusterType;

typedef struct Qcow2Cache Qcow2Cache;

/* One internal snapshot (qcow2.txt "Snapshots"), in host byte order. */
typedef struct Qcow2Snapshot {
    uint64_t l1_table_offset;
    uint32_t l1_size;
    char *id_str;
    char *name;
    uint64_t disk_size;
    uint64_t vm_state_size;
    uint32_t date_sec;
    uint32_t date_nsec;
    uint64_t vm_clock_nsec;
    uint64_t icount;            /* UINT64_MAX: none */
    /* Extra data beyond the fields we know, kept as found. */
    uint32_t extra_data_size;
    uint8_t *unknown_extra;
    uint32_t unknown_extra_size;
} Qcow2Snapshot;

/* A header extension we do not interpret, preserved when rewriting. */
typedef struct Qcow2UnknownExt {
    uint32_t type;
    uint32_t len;
    uint8_t *data;
} Qcow2UnknownExt;

/* A decrement waiting until the reference is gone on disk. */
typedef struct Qcow2PendingFree {
    uint64_t offset;            /* byte offset, cluster-aligned or not */
    uint64_t length;            /* bytes: every cluster touched loses 1 */
} Qcow2PendingFree;

typedef struct Qcow2State {
    BlockDriverState bs;
    pthread_mutex_t lock;
    pthread_rwlock_t free_lock;

    /* Geometry. */
    int version;
    unsigned cluster_bits;
    uint32_t cluster_size;
    unsigned l2_bits;           /* log2(L2 entries per table) */
    uint32_t l2_size;           /* L2 entries per table */
    uint64_t size;              /* virtual disk size */
    unsigned csize_shift;       /* compressed descriptor: size field */
    uint64_t csize_mask;
    uint64_t cluster_offset_mask;

    /* Active L1 table, in host order; dirty by 512-byte sector. */
    uint64_t *l1_table;
    uint32_t l1_size;
    uint64_t l1_table_offset;
    uint8_t *l1_dirty;          /* one flag per 64 entries */
    uint32_t l1_vm_state_index; /* first L1 entry past the disk */

    /* Refcounts. */
    uint64_t *refcount_table;   /* host order */
    uint64_t refcount_table_size;       /* entries */
    uint64_t refcount_table_offset;
    uint32_t refcount_table_clusters;
    unsigned refcount_order;
    unsigned refcount_bits;
    uint64_t refcount_max;
    unsigned refcount_block_bits;       /* log2(entries per block) */
    uint64_t free_cluster_index;        /* no free cluster below this */
    uint64_t free_byte_offset;          /* compressed: next free byte */
    Qcow2PendingFree *pending_frees;
    size_t nr_pending_frees, pending_frees_cap;

    Qcow2Cache *l2_cache;
    Qcow2Cache *refcount_cache;

    /* Snapshots. */
    uint32_t nb_snapshots;
    uint64_t snapshots_offset;
    uint64_t snapshots_size;            /* bytes of the table on disk */
    Qcow2Snapshot *snapshots;

    /* Header. */
    uint64_t incompatible_features;
    uint64_t compatible_features;
    uint64_t autoclear_features;
    uint32_t header_length;
    uint8_t compression_type;
    Qcow2UnknownExt *unknown_exts;
    unsigned nr_unknown_exts;

    /* State. */
    /* End of what the file legitimately holds: its size at open, raised
     * by every allocation. Metadata pointing far beyond is corrupt. */
    uint64_t file_end;
    bool data_unstable;         /* data written since the last fdatasync */
    bool marked_dirty;          /* we set the dirty bit (lazy refcounts) */
    bool corrupt;               /* found corrupt: no more writes */
    /* Decompressed-cluster cache (one entry) for compressed reads. */
    uint8_t *cbuf;
    uint64_t cbuf_entry;        /* the L2 entry cbuf holds, or 0 */
} Qcow2State;

static inline Qcow2State *qcow2_state(BlockDriverState *bs)
{
    return container_of(bs, Qcow2State, bs);
}

static inline uint64_t qcow2_offset_into_cluster(const Qcow2State *s,
                                                 uint64_t offset)
{
    return offset & (s->cluster_size - 1);
}

static inline uint64_t qcow2_start_of_cluster(const Qcow2State *s,
                                              uint64_t offset)
{
    return offset & ~(uint64_t)(s->cluster_size - 1);
}

static inline uint64_t qcow2_size_to_clusters(const Qcow2State *s,
                                              uint64_t size)
{
    return (size + s->cluster_size - 1) >> s->cluster_bits;
}

/* L1 entries needed to map @size bytes of guest data. */
static inline uint64_t qcow2_size_to_l1(const Qcow2State *s, uint64_t size)
{
    unsigned shift = s->cluster_bits + s->l2_bits;

    return (size + (1ull << shift) - 1) >> shift;
}

static inline uint64_t qcow2_vm_state_offset(const Qcow2State *s)
{
    return (uint64_t)s->l1_vm_state_index << (s->cluster_bits + s->l2_bits);
}

static inline void *qcow2_memdup(const void *p, size_t len)
{
    void *d = xmalloc(len ? len : 1);

    memcpy(d, p, len);
    return d;
}

static inline uint64_t be64_load(const void *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

static inline void be64_store(void *p, uint64_t v)
{
    v = __builtin_bswap64(v);
    memcpy(p, &v, 8);
}

static inline uint32_t be32_load(const void *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return __builtin_bswap32(v);
}

static inline void be32_store(void *p, uint32_t v)
{
    v = __builtin_bswap32(v);
    memcpy(p, &v, 4);
}

static inline uint16_t be16_load(const void *p)
{
    uint16_t v;

    memcpy(&v, p, 2);
    return __builtin_bswap16(v);
}

static inline void be16_store(void *p, uint16_t v)
{
    v = __builtin_bswap16(v);
    memcpy(p, &v, 2);
}

/* --- qcow2.c --- */

/*
 * Mark the image corrupt (header bit, if writable), refuse further
 * writes, and report @fmt on stderr as QEMU's "qcow2: Marking image as
 * corrupt: ..." does. Returns -EIO for the caller to pass up.
 */
int qcow2_signal_corruption(Qcow2State *s, const char *fmt, ...)
    PRINTF_FMT(2, 3);
/*
 * Write everything cached back in crash-safe order and apply deferred
 * frees. Called with the lock held.
 */
int qcow2_flush_metadata(Qcow2State *s);
/* Write bytes [off, off+len) of the header image @hdr... in place:
 * update one header field on disk (must not cross a sector). */
int qcow2_write_header_field(Qcow2State *s, unsigned off, const void *buf,
                             unsigned len);
/* Rewrite the whole first cluster (header, extensions, backing name). */
int qcow2_update_header(Qcow2State *s);
/* Does [offset, offset+len) overlap the header, active L1, refcount
 * table or snapshot table? (The cheap half of QEMU's overlap checks.) */
bool qcow2_overlaps_metadata(Qcow2State *s, uint64_t offset, uint64_t len);
/* Read/write in the format's address space (no size check: the VM
 * state lives past the disk). Lock not held. */
int qcow2_do_preadv(Qcow2State *s, uint64_t offset, uint64_t bytes,
                    const struct iovec *iov, int niov);
int qcow2_do_pwritev(Qcow2State *s, uint64_t offset, uint64_t bytes,
                     const struct iovec *iov, int niov);

/* --- qcow2-cache.c --- */

/*
 * A write-back cache of @nr_entries cluster-sized tables read from and
 * written to @file, kept in on-disk (big-endian) form. Entries in use
 * (between get and put) are never evicted. @writeback_hook, if set,
 * runs before the first dirty entry is written (by eviction or
 * qcow2_cache_write()), so the L2 cache can make refcounts and data
 * durable first.
 */
Qcow2Cache *qcow2_cache_new(BlockDriverState *file, unsigned nr_entries,
                            uint32_t table_size);
void qcow2_cache_free(Qcow2Cache *c);
void qcow2_cache_set_writeback_hook(Qcow2Cache *c, int (*hook)(void *),
                                    void *opaque);
int qcow2_cache_get(Qcow2Cache *c, uint64_t offset, void **table);
/* Like get, without reading: the table is zero-filled (new clusters). */
int qcow2_cache_get_empty(Qcow2Cache *c, uint64_t offset, void **table);
void qcow2_cache_put(Qcow2Cache *c, void **table);
void qcow2_cache_mark_dirty(Qcow2Cache *c, void *table);
bool qcow2_cache_is_dirty(const Qcow2Cache *c);
/* Write every dirty entry; 0 or -errno. */
int qcow2_cache_write(Qcow2Cache *c);
/* Forget the entry for @offset, dirty or not (its cluster was freed). */
void qcow2_cache_discard(Qcow2Cache *c, uint64_t offset);
/* Forget everything (dirty entries are lost: write first). */
void qcow2_cache_clear(Qcow2Cache *c);

/* --- qcow2-refcount.c --- */

int qcow2_refcount_init(Qcow2State *s);
void qcow2_refcount_close(Qcow2State *s);
uint64_t qcow2_refcount_get_entry(const void *block, unsigned order,
                                  uint64_t index);
void qcow2_refcount_set_entry(void *block, unsigned order, uint64_t index,
                              uint64_t value);
int qcow2_get_refcount(Qcow2State *s, uint64_t cluster_index,
                       uint64_t *refcount);
/*
 * Add @addend to the refcount of every cluster touched by [offset,
 * offset+length). Decrements here are immediate: only for references
 * already gone on disk (or never written). -EINVAL if a refcount would
 * go below 0, -ERANGE above the maximum.
 */
int qcow2_update_refcount(Qcow2State *s, uint64_t offset, uint64_t length,
                          int64_t addend);
/* Allocate @size bytes of contiguous clusters (refcount 1). Returns the
 * host offset or -errno. */
int64_t qcow2_alloc_clusters(Qcow2State *s, uint64_t size);
/* Allocate @size (<= cluster) bytes for compressed data; the host
 * clusters touched get one reference for it. */
int64_t qcow2_alloc_bytes(Qcow2State *s, uint64_t size);
/* Drop one reference from every cluster touched by [offset, +length)
 * once the reference is gone on disk (next qcow2_flush_metadata()). */
void qcow2_free_deferred(Qcow2State *s, uint64_t offset, uint64_t length);
/* The references an L2 entry holds, as qcow2_free_deferred() wants. */
void qcow2_free_l2_entry_deferred(Qcow2State *s, uint64_t l2_entry);
/* Apply the deferred decrements (lock held; takes free_lock). */
int qcow2_apply_deferred_frees(Qcow2State *s);
/*
 * Add @addend (+1, -1) to every L2 table and cluster reachable from the
 * L1 table at @l1_offset (@l1_size entries, or @l1 in memory if not
 * NULL). Flags are not touched.
 */
int qcow2_update_snapshot_refcount(Qcow2State *s, uint64_t l1_offset,
                                   uint32_t l1_size, const uint64_t *l1,
                                   int addend);
/* Set the COPIED flag in the active L1/L2 tables exactly where the
 * refcount is 1. */
int qcow2_fix_copied_flags(Qcow2State *s);
/* Refcount table and blocks needed to cover @clusters clusters (and
 * themselves), in bytes; @refblocks gets the block count (measure). */
uint64_t qcow2_refcount_metadata_size(uint64_t clusters,
                                      uint32_t cluster_size,
                                      unsigned refcount_order,
                                      uint64_t *refblocks);
/* Note that [offset, offset+len) now belongs to the file (allocated). */
static inline void qcow2_note_file_end(Qcow2State *s, uint64_t end)
{
    if (end > s->file_end) {
        s->file_end = end;
    }
}
/* Highest allocated cluster + 1 (in clusters), from the refcounts. */
int64_t qcow2_get_last_cluster(Qcow2State *s, uint64_t *end);

/* --- qcow2-cluster.c --- */

Qcow2ClusterType qcow2_get_cluster_type(const Qcow2State *s,
                                        uint64_t l2_entry);
/*
 * Map guest @offset: how many of *bytes (updated) share one type and,
 * for normal clusters, lie contiguously from *host_offset. *l2_entry is
 * the first cluster's entry. Lock held.
 */
int qcow2_get_host_offset(Qcow2State *s, uint64_t offset, uint64_t *bytes,
                          uint64_t *host_offset, Qcow2ClusterType *type,
                          uint64_t *l2_entry);
/*
 * The L2 table for @offset, made writable (allocated or copied from a
 * shared one, L1 updated in memory). *table stays in the L2 cache until
 * qcow2_cache_put(); *index is the entry for @offset.
 */
int qcow2_get_l2_for_write(Qcow2State *s, uint64_t offset, uint64_t **table,
                           unsigned *index);
/* Ensure the L1 table has at least @min_size entries. */
int qcow2_grow_l1_table(Qcow2State *s, uint64_t min_size);
/* Write the dirty sectors of the active L1 table. */
int qcow2_write_l1_dirty(Qcow2State *s);
void qcow2_l1_mark_dirty(Qcow2State *s, uint32_t index);
/*
 * Write guest data [offset, offset+bytes) into newly allocated clusters,
 * copying the unwritten head and tail from the old contents, and point
 * the L2 entries at them. Covers a prefix of the range; returns bytes
 * done or -errno. Lock held.
 */
int64_t qcow2_alloc_write(Qcow2State *s, uint64_t offset, uint64_t bytes,
                          const struct iovec *iov, int niov,
                          uint64_t iov_offset);
/* Make [offset, offset+bytes) read as zeroes without writing data, for
 * whole clusters; v3 zero flag, or deallocation when nothing shows
 * through. Returns bytes done (a prefix) or -errno. Lock held. */
int64_t qcow2_zero_clusters(Qcow2State *s, uint64_t offset, uint64_t bytes,
                            bool may_unmap);
/* Deallocate whole clusters in [offset, offset+bytes) (they then show
 * the backing file, or read zeroes without one). Lock held. */
int qcow2_discard_clusters(Qcow2State *s, uint64_t offset, uint64_t bytes);
/* Read the cluster of a compressed L2 entry into s->cbuf (lock held). */
int qcow2_decompress_cluster(Qcow2State *s, uint64_t l2_entry);
/* Store a compressed cluster at guest @offset (lock held). */
int qcow2_write_compressed_cluster(Qcow2State *s, uint64_t offset,
                                   const void *cdata, size_t csize);
/* Allocate (preallocate) every cluster in [offset, offset+bytes). */
int qcow2_preallocate(Qcow2State *s, uint64_t offset, uint64_t bytes);

/* --- qcow2-compress.c --- */

/* Compress @src (@src_size bytes) into @dst: compressed size, or
 * -ENOSPC if it does not fit in @dst_size, or -errno. */
ssize_t qcow2_compress(uint8_t type, void *dst, size_t dst_size,
                       const void *src, size_t src_size);
/* Decompress into exactly @dst_size bytes; trailing input is ignored. */
int qcow2_decompress(uint8_t type, void *dst, size_t dst_size,
                     const void *src, size_t src_size);

/* --- qcow2-snapshot.c --- */

int qcow2_read_snapshots(Qcow2State *s, Error **errp);
void qcow2_free_snapshots(Qcow2State *s);
int qcow2_snapshot_create(BlockDriverState *bs, BlockSnapshotInfo *sn);
int qcow2_snapshot_goto(BlockDriverState *bs, const char *snapshot_id,
                        Error **errp);
int qcow2_snapshot_delete(BlockDriverState *bs, const char *snapshot_id,
                          const char *name, Error **errp);
int qcow2_snapshot_list(BlockDriverState *bs, BlockSnapshotInfo **psn);

/* --- qcow2-check.c --- */

int qcow2_check(BlockDriverState *bs, BlockCheckResult *res, int fix);
/* The check and repair run at open for a dirty image (lock held). */
int qcow2_check_locked(Qcow2State *s, BlockCheckResult *res, int fix);

#endif /* BLOCK_QCOW2_INTERNAL_H */
