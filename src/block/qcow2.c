/*
 * block/qcow2.c — the qcow2 format driver: header, open/close, create,
 * the guest read/write paths and the order in which metadata reaches the
 * disk. Spec: QEMU's docs/interop/qcow2.txt ("Header", "Header
 * extensions", "Feature name table", "Cluster mapping", "Host cluster
 * management", "Snapshots"); the other qcow2-*.c files hold the rest
 * (see qcow2-internal.h for who owns what).
 *
 * Versions 2 and 3 are read and written; new images are v3 unless
 * compat=0.10 asks for v2. Not supported (refused at open with a clear
 * error): encryption, external data files, extended L2 entries. Unknown
 * header extensions and additional header fields are preserved; unknown
 * autoclear bits are cleared before the first write, as the spec asks.
 *
 * Hostile images: every header field that sizes an allocation or a read
 * is bounded (QEMU's limits: L1 32 MiB, refcount table 8 MiB, snapshot
 * table 64 MiB, 65536 snapshots) and every offset read from metadata is
 * checked for alignment before use; a bad one fails the open or, found
 * later, marks the image corrupt and fails the request with -EIO.
 *
 * Flush order (qcow2_flush_metadata()): 1. refcount blocks (increments)
 * and guest data, then fdatasync; 2. L2 tables, then fdatasync; 3. the
 * L1 table; 4. deferred refcount decrements are applied in memory (the
 * blocks reach the disk at the next flush). So whatever prefix of the
 * writes survives a power loss, a reference never precedes its cluster's
 * refcount or its contents, and no cluster is reused while an entry on
 * disk still points at it.
 */
#include "block/qcow2-internal.h"
#include "util/error.h"

#include <stdarg.h>

/* Feature names for the feature name table and for error messages. */
typedef struct Qcow2FeatureName {
    uint8_t type;       /* 0 incompatible, 1 compatible, 2 autoclear */
    uint8_t bit;
    const char *name;
} Qcow2FeatureName;

static const Qcow2FeatureName qcow2_feature_names[] = {
    { 0, 0, "dirty bit" },
    { 0, 1, "corrupt bit" },
    { 0, 2, "external data file" },
    { 0, 3, "compression type" },
    { 0, 4, "extended L2 entries" },
    { 1, 0, "lazy refcounts" },
    { 2, 0, "bitmaps" },
    { 2, 1, "raw external data" },
};

#define QCOW2_FEATURE_ENTRY_SIZE 48
/* Cache sizes: L2 tables covering 1 MiB of tables (as QEMU's default),
 * bounded so lookups stay cheap. */
#define QCOW2_L2_CACHE_BYTES (1 * MiB)
#define QCOW2_MIN_CACHE_ENTRIES 16
#define QCOW2_MAX_CACHE_ENTRIES 256

static int qcow2_probe(const uint8_t *buf, size_t len, const char *filename)
{
    uint32_t version;

    if (len < 8 || be32_load(buf) != QCOW2_MAGIC) {
        return 0;
    }
    version = be32_load(buf + 4);
    return version == 2 || version == 3 ? 100 : 0;
}

/* --- header --- */

int qcow2_signal_corruption(Qcow2State *s, const char *fmt, ...)
{
    char *msg;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0) {
        msg = NULL;
    }
    va_end(ap);
    if (!s->corrupt) {
        if (!s->bs.read_only && s->version >= 3) {
            uint8_t field[8];

            s->incompatible_features |= QCOW2_INCOMPAT_CORRUPT;
            be64_store(field, s->incompatible_features);
            if (qcow2_write_header_field(s, QCOW2_HDR_INCOMPAT_OFF, field,
                                         8) == 0) {
                bdrv_flush(s->bs.file);
            }
            fprintf(stderr, "qcow2: Marking image as corrupt: %s; further "
                    "corruption events will be suppressed\n",
                    msg ? msg : "?");
        } else {
            fprintf(stderr, "qcow2: Image is corrupt: %s; further non-fatal "
                    "corruption events will be suppressed\n",
                    msg ? msg : "?");
        }
        s->corrupt = true;
    }
    free(msg);
    return -EIO;
}

int qcow2_write_header_field(Qcow2State *s, unsigned off, const void *buf,
                             unsigned len)
{
    return bdrv_pwrite(s->bs.file, off, buf, len);
}

static void put_ext(uint8_t *buf, size_t *pos, uint32_t type,
                    const void *data, uint32_t len)
{
    be32_store(buf + *pos, type);
    be32_store(buf + *pos + 4, len);
    memcpy(buf + *pos + 8, data, len);
    memset(buf + *pos + 8 + len, 0, ALIGN_UP(len, 8) - len);
    *pos += 8 + ALIGN_UP(len, 8);
}

/*
 * Build the first cluster in @buf (zeroed, cluster_size bytes): header,
 * extensions, backing file name. The feature name table is dropped if
 * it does not fit (QEMU does the same for small clusters). Returns the
 * bytes used or -ENOSPC.
 */
static ssize_t qcow2_build_header(Qcow2State *s, uint8_t *buf,
                                  bool with_features)
{
    const char *backing = s->bs.backing_file;
    const char *fmt = s->bs.backing_format;
    size_t pos, hdr_len = s->version >= 3 ? s->header_length
                                          : QCOW2_V2_HEADER_SIZE;
    size_t blen = backing ? strlen(backing) : 0;
    size_t need;

    /* The fixed part is rebuilt from state; bytes we do not know past
     * 104/112 (additional fields) were kept in buf by the caller. */
    be32_store(buf, QCOW2_MAGIC);
    be32_store(buf + 4, s->version);
    be32_store(buf + 20, s->cluster_bits);
    be64_store(buf + 24, s->size);
    be32_store(buf + 32, 0);
    be32_store(buf + 36, s->l1_size);
    be64_store(buf + 40, s->l1_table_offset);
    be64_store(buf + 48, s->refcount_table_offset);
    be32_store(buf + 56, s->refcount_table_clusters);
    be32_store(buf + 60, s->nb_snapshots);
    be64_store(buf + 64, s->snapshots_offset);
    if (s->version >= 3) {
        be64_store(buf + 72, s->incompatible_features);
        be64_store(buf + 80, s->compatible_features);
        be64_store(buf + 88, s->autoclear_features);
        be32_store(buf + 96, s->refcount_order);
        be32_store(buf + 100, s->header_length);
        if (s->header_length > 104) {
            buf[104] = s->compression_type;
        }
    }
    pos = hdr_len;

    need = pos + 8 + blen;
    if (fmt && *fmt && backing) {
        need += 8 + ALIGN_UP(strlen(fmt), 8);
    }
    for (unsigned i = 0; i < s->nr_unknown_exts; i++) {
        need += 8 + ALIGN_UP(s->unknown_exts[i].len, 8);
    }
    if (with_features && s->version >= 3) {
        need += 8 + ARRAY_SIZE(qcow2_feature_names) *
                    QCOW2_FEATURE_ENTRY_SIZE;
    }
    if (need > s->cluster_size) {
        return -ENOSPC;
    }

    if (fmt && *fmt && backing) {
        put_ext(buf, &pos, QCOW2_EXT_BACKING_FORMAT, fmt, strlen(fmt));
    }
    if (with_features && s->version >= 3) {
        uint8_t table[ARRAY_SIZE(qcow2_feature_names) *
                      QCOW2_FEATURE_ENTRY_SIZE] = { 0 };

        for (size_t i = 0; i < ARRAY_SIZE(qcow2_feature_names); i++) {
            uint8_t *e = table + i * QCOW2_FEATURE_ENTRY_SIZE;

            e[0] = qcow2_feature_names[i].type;
            e[1] = qcow2_feature_names[i].bit;
            strncpy((char *)e + 2, qcow2_feature_names[i].name,
                    QCOW2_FEATURE_ENTRY_SIZE - 2);
        }
        put_ext(buf, &pos, QCOW2_EXT_FEATURE_TABLE, table, sizeof(table));
    }
    for (unsigned i = 0; i < s->nr_unknown_exts; i++) {
        put_ext(buf, &pos, s->unknown_exts[i].type, s->unknown_exts[i].data,
                s->unknown_exts[i].len);
    }
    be64_store(buf + pos, 0);           /* end of extensions */
    pos += 8;
    if (backing) {
        be64_store(buf + 8, pos);
        be32_store(buf + 16, blen);
        memcpy(buf + pos, backing, blen);
        pos += blen;
    } else {
        be64_store(buf + 8, 0);
        be32_store(buf + 16, 0);
    }
    return pos;
}

int qcow2_update_header(Qcow2State *s)
{
    uint8_t *buf = xzalloc(s->cluster_size);
    ssize_t len;
    int ret;

    /* Keep additional header fields we do not know (spec: preserve). */
    if (s->version >= 3 && s->header_length > QCOW2_HEADER_SIZE) {
        ret = bdrv_pread(s->bs.file, 0, buf, s->header_length);
        if (ret < 0) {
            free(buf);
            return ret;
        }
        memset(buf + s->header_length, 0,
               s->cluster_size - s->header_length);
    }
    len = qcow2_build_header(s, buf, true);
    if (len == -ENOSPC) {
        len = qcow2_build_header(s, buf, false);
    }
    if (len < 0) {
        free(buf);
        return (int)len;
    }
    ret = bdrv_pwrite(s->bs.file, 0, buf,
                      MIN(ALIGN_UP((uint64_t)len, 512), s->cluster_size));
    free(buf);
    return ret;
}

bool qcow2_overlaps_metadata(Qcow2State *s, uint64_t offset, uint64_t len)
{
    struct {
        uint64_t start, len;
    } areas[] = {
        { 0, s->cluster_size },
        { s->l1_table_offset, ALIGN_UP((uint64_t)s->l1_size * 8,
                                       s->cluster_size) },
        { s->refcount_table_offset,
          (uint64_t)s->refcount_table_clusters << s->cluster_bits },
        { s->snapshots_offset, ALIGN_UP(s->snapshots_size,
                                        s->cluster_size) },
    };

    for (size_t i = 0; i < ARRAY_SIZE(areas); i++) {
        if (areas[i].len && offset < areas[i].start + areas[i].len &&
            areas[i].start < offset + len) {
            return true;
        }
    }
    return false;
}

/* "Unsupported qcow2 feature(s): ..." with the names the image gives. */
static void qcow2_report_features(Error **errp, uint64_t mask,
                                  const uint8_t *table, uint32_t table_len)
{
    char *list = xstrdup("");

    for (unsigned bit = 0; bit < 64; bit++) {
        const char *name = NULL;
        char *next;

        if (!(mask & (1ull << bit))) {
            continue;
        }
        for (uint32_t i = 0; table &&
             i + QCOW2_FEATURE_ENTRY_SIZE <= table_len;
             i += QCOW2_FEATURE_ENTRY_SIZE) {
            if (table[i] == 0 && table[i + 1] == bit) {
                name = (const char *)table + i + 2;
                break;
            }
        }
        if (name) {
            next = xasprintf("%s%s%.46s", list, *list ? ", " : "", name);
        } else {
            next = xasprintf("%s%sUnknown incompatible feature: %" PRIx64,
                             list, *list ? ", " : "", UINT64_C(1) << bit);
        }
        free(list);
        list = next;
    }
    error_setg(errp, "Unsupported qcow2 feature(s): %s", list);
    free(list);
}

static void qcow2_free_unknown_exts(Qcow2State *s)
{
    for (unsigned i = 0; i < s->nr_unknown_exts; i++) {
        free(s->unknown_exts[i].data);
    }
    free(s->unknown_exts);
    s->unknown_exts = NULL;
    s->nr_unknown_exts = 0;
}

/*
 * Parse the header extensions in buf[start, end); remember the feature
 * table for error messages (*ftable points into @buf).
 */
static bool qcow2_read_extensions(Qcow2State *s, const uint8_t *buf,
                                  uint64_t start, uint64_t end,
                                  const uint8_t **ftable,
                                  uint32_t *ftable_len, Error **errp)
{
    uint64_t pos = start;

    *ftable = NULL;
    *ftable_len = 0;
    while (pos + 8 <= end) {
        uint32_t type = be32_load(buf + pos);
        uint32_t len = be32_load(buf + pos + 4);
        const uint8_t *data = buf + pos + 8;

        if (type == QCOW2_EXT_END) {
            return true;
        }
        if (len > end - pos - 8) {
            error_setg(errp, "Header extension too large");
            return false;
        }
        switch (type) {
        case QCOW2_EXT_BACKING_FORMAT:
            if (len >= 16) {
                error_setg(errp, "ERROR: ext_backing_format: len=%" PRIu32
                           " too large", len);
                return false;
            }
            free(s->bs.backing_format);
            s->bs.backing_format = xstrndup((const char *)data, len);
            break;
        case QCOW2_EXT_FEATURE_TABLE:
            *ftable = data;
            *ftable_len = len;
            break;
        default:
            if (s->nr_unknown_exts >= 64) {
                error_setg(errp, "Too many header extensions");
                return false;
            }
            s->unknown_exts = xrealloc(s->unknown_exts,
                                       (s->nr_unknown_exts + 1) *
                                       sizeof(*s->unknown_exts));
            s->unknown_exts[s->nr_unknown_exts++] = (Qcow2UnknownExt) {
                type, len, len ? qcow2_memdup(data, len) : NULL,
            };
            break;
        }
        pos += 8 + ALIGN_UP((uint64_t)len, 8);
    }
    return true;
}

/* An offset + size read from the header: aligned and not overflowing. */
static bool qcow2_valid_table(Qcow2State *s, uint64_t offset,
                              uint64_t entries, uint64_t entry_size,
                              uint64_t max_bytes, const char *what,
                              Error **errp)
{
    if (entries > max_bytes / entry_size) {
        error_setg(errp, "%s too large", what);
        return false;
    }
    if (qcow2_offset_into_cluster(s, offset) ||
        offset > INT64_MAX - entries * entry_size) {
        error_setg(errp, "Invalid %s offset", what);
        return false;
    }
    return true;
}

static int qcow2_l2_writeback_hook(void *opaque);

/* Read and check the header; fills @s. @buf is the first cluster. */
static bool qcow2_parse_header(Qcow2State *s, const uint8_t *buf,
                               Error **errp)
{
    uint64_t backing_off = be64_load(buf + 8);
    uint32_t backing_len = be32_load(buf + 16);
    uint64_t ext_end, l1_needed;
    const uint8_t *ftable;
    uint32_t ftable_len, crypt = be32_load(buf + 32);
    uint64_t unsupported;

    s->size = be64_load(buf + 24);
    s->l1_size = be32_load(buf + 36);
    s->l1_table_offset = be64_load(buf + 40);
    s->refcount_table_offset = be64_load(buf + 48);
    s->refcount_table_clusters = be32_load(buf + 56);
    s->nb_snapshots = be32_load(buf + 60);
    s->snapshots_offset = be64_load(buf + 64);
    if (s->version >= 3) {
        s->incompatible_features = be64_load(buf + 72);
        s->compatible_features = be64_load(buf + 80);
        s->autoclear_features = be64_load(buf + 88);
        s->refcount_order = be32_load(buf + 96);
        s->header_length = be32_load(buf + 100);
        if (s->header_length < QCOW2_V3_HEADER_SIZE) {
            error_setg(errp, "qcow2 header too short");
            return false;
        }
        if (s->header_length > s->cluster_size) {
            error_setg(errp, "qcow2 header exceeds cluster size");
            return false;
        }
        s->compression_type = s->header_length > 104 ? buf[104] : 0;
    } else {
        s->refcount_order = 4;
        s->header_length = QCOW2_V2_HEADER_SIZE;
    }

    if (backing_off) {
        if (backing_off > s->cluster_size ||
            backing_len > s->cluster_size - backing_off) {
            error_setg(errp, "Invalid backing file offset");
            return false;
        }
        if (backing_len > QCOW2_MAX_BACKING_NAME) {
            error_setg(errp, "Backing file name too long");
            return false;
        }
        ext_end = backing_off;
    } else {
        ext_end = s->cluster_size;
    }
    if (!qcow2_read_extensions(s, buf, s->header_length, ext_end, &ftable,
                               &ftable_len, errp)) {
        return false;
    }
    unsupported = s->incompatible_features & ~QCOW2_INCOMPAT_KNOWN;
    if (unsupported) {
        qcow2_report_features(errp, unsupported, ftable, ftable_len);
        return false;
    }
    if (crypt) {
        error_setg(errp, "Encrypted qcow2 images are not supported");
        return false;
    }
    if (s->refcount_order > 6) {
        error_setg(errp, "Reference count entry width too large; may not "
                   "exceed 64 bits");
        return false;
    }
    if ((s->incompatible_features & QCOW2_INCOMPAT_COMPRESSION) !=
        (s->compression_type ? QCOW2_INCOMPAT_COMPRESSION : 0)) {
        error_setg(errp, "%s", s->compression_type
                   ? "Invalid compression type: incompatible bit "
                     "\"compression type\" is not set"
                   : "Invalid compression type: incompatible bit "
                     "\"compression type\" is set while compression type "
                     "is zlib");
        return false;
    }
    if (s->compression_type > QCOW2_COMPRESSION_ZSTD) {
        error_setg(errp, "Unknown compression type %u", s->compression_type);
        return false;
    }
    if (backing_off && backing_len) {
        s->bs.backing_file = xstrndup((const char *)buf + backing_off,
                                      backing_len);
    }

    /* Tables. */
    if (!s->refcount_table_clusters) {
        error_setg(errp, "Image does not contain a reference count table");
        return false;
    }
    if (!qcow2_valid_table(s, s->refcount_table_offset,
                           s->refcount_table_clusters, s->cluster_size,
                           QCOW2_MAX_REFTABLE_BYTES, "reference count table",
                           errp) ||
        !qcow2_valid_table(s, s->l1_table_offset, s->l1_size, 8,
                           QCOW2_MAX_L1_BYTES, "L1 table", errp)) {
        return false;
    }
    if (s->size > INT64_MAX) {
        error_setg(errp, "Image is too big");
        return false;
    }
    l1_needed = qcow2_size_to_l1(s, s->size);
    if (l1_needed > QCOW2_MAX_L1_BYTES / 8) {
        error_setg(errp, "Image is too big");
        return false;
    }
    if (s->l1_size < l1_needed) {
        error_setg(errp, "L1 table is too small");
        return false;
    }
    if (s->nb_snapshots > QCOW2_MAX_SNAPSHOTS) {
        error_setg(errp, "Too many snapshots");
        return false;
    }
    if (s->nb_snapshots &&
        qcow2_offset_into_cluster(s, s->snapshots_offset)) {
        error_setg(errp, "Invalid snapshot table offset");
        return false;
    }
    return true;
}

static bool qcow2_read_l1(Qcow2State *s, Error **errp)
{
    uint64_t bytes = (uint64_t)s->l1_size * 8;
    int ret;

    s->l1_table = xzalloc(ALIGN_UP(bytes, 512) + 512);
    s->l1_dirty = xzalloc(DIV_ROUND_UP_U64(s->l1_size, 64) + 1);
    if (!bytes) {
        return true;
    }
    ret = bdrv_pread(s->bs.file, s->l1_table_offset, s->l1_table, bytes);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read L1 table");
        return false;
    }
    for (uint32_t i = 0; i < s->l1_size; i++) {
        s->l1_table[i] = __builtin_bswap64(s->l1_table[i]);
    }
    return true;
}

/* Set or clear the dirty bit on disk (lazy refcounts), flushed. */
static int qcow2_set_dirty_bit(Qcow2State *s, bool dirty)
{
    uint8_t field[8];
    int ret;

    if (dirty) {
        s->incompatible_features |= QCOW2_INCOMPAT_DIRTY;
    } else {
        s->incompatible_features &= ~QCOW2_INCOMPAT_DIRTY;
    }
    be64_store(field, s->incompatible_features);
    ret = bdrv_flush(s->bs.file);
    if (ret == 0) {
        ret = qcow2_write_header_field(s, QCOW2_HDR_INCOMPAT_OFF, field, 8);
    }
    return ret == 0 ? bdrv_flush(s->bs.file) : ret;
}

static void qcow2_free_state(Qcow2State *s)
{
    qcow2_cache_free(s->l2_cache);
    qcow2_cache_free(s->refcount_cache);
    s->l2_cache = s->refcount_cache = NULL;
    qcow2_refcount_close(s);
    qcow2_free_snapshots(s);
    qcow2_free_unknown_exts(s);
    free(s->l1_table);
    free(s->l1_dirty);
    free(s->cbuf);
    s->l1_table = NULL;
    s->l1_dirty = NULL;
    s->cbuf = NULL;
}

/* Make the image writable per the spec: drop unknown autoclear bits. */
static int qcow2_prepare_write_access(Qcow2State *s, int flags, Error **errp)
{
    int ret;

    if ((s->incompatible_features & QCOW2_INCOMPAT_CORRUPT) &&
        !(flags & BDRV_O_CHECK)) {
        error_setg(errp, "qcow2: Image is corrupt; cannot be opened "
                   "read/write");
        return -EACCES;
    }
    if (s->autoclear_features) {
        s->autoclear_features = 0;
        ret = qcow2_update_header(s);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not update qcow2 header");
            return ret;
        }
    }
    if ((s->incompatible_features & QCOW2_INCOMPAT_DIRTY) &&
        !(flags & BDRV_O_CHECK)) {
        BlockCheckResult res;

        /* Refcounts may be stale after a crash with lazy refcounts. */
        ret = qcow2_check_locked(s, &res, BDRV_FIX_ERRORS | BDRV_FIX_LEAKS);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not repair dirty image");
            return ret;
        }
        ret = qcow2_set_dirty_bit(s, false);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not update qcow2 header");
            return ret;
        }
    }
    return 0;
}

static bool qcow2_open(BlockDriverState *bs, const char *filename, int flags,
                       Error **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint8_t head[512];
    uint8_t *buf = NULL;
    unsigned entries;
    int ret;

    block_mutex_init(&s->lock);
    pthread_rwlock_init(&s->free_lock, NULL);
    ret = bdrv_pread(bs->file, 0, head, sizeof(head));
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read qcow2 header");
        goto fail;
    }
    if (be32_load(head) != QCOW2_MAGIC) {
        error_setg(errp, "Image is not in qcow2 format");
        goto fail;
    }
    s->version = be32_load(head + 4);
    if (s->version < 2 || s->version > 3) {
        error_setg(errp, "Unsupported qcow2 version %d", s->version);
        goto fail;
    }
    s->cluster_bits = be32_load(head + 20);
    if (s->cluster_bits < QCOW2_MIN_CLUSTER_BITS ||
        s->cluster_bits > QCOW2_MAX_CLUSTER_BITS) {
        error_setg(errp, "Unsupported cluster size: 2^%u", s->cluster_bits);
        goto fail;
    }
    s->cluster_size = 1u << s->cluster_bits;
    s->l2_bits = s->cluster_bits - 3;
    s->l2_size = 1u << s->l2_bits;
    s->csize_shift = 62 - (s->cluster_bits - 8);
    s->csize_mask = (1ull << (s->cluster_bits - 8)) - 1;
    s->cluster_offset_mask = (1ull << s->csize_shift) - 1;

    buf = xmalloc(s->cluster_size);
    ret = bdrv_pread(bs->file, 0, buf, s->cluster_size);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read qcow2 header");
        goto fail;
    }
    if (!qcow2_parse_header(s, buf, errp)) {
        goto fail;
    }
    free(buf);
    buf = NULL;
    s->refcount_bits = 1u << s->refcount_order;
    s->refcount_max = s->refcount_order == 6 ? UINT64_MAX
                      : (1ull << s->refcount_bits) - 1;
    s->refcount_block_bits = s->cluster_bits + 3 - s->refcount_order;
    s->l1_vm_state_index = qcow2_size_to_l1(s, s->size);

    entries = MIN(MAX(QCOW2_L2_CACHE_BYTES / s->cluster_size,
                      QCOW2_MIN_CACHE_ENTRIES), QCOW2_MAX_CACHE_ENTRIES);
    s->l2_cache = qcow2_cache_new(bs->file, entries, s->cluster_size);
    s->refcount_cache = qcow2_cache_new(bs->file,
                                        MAX(entries / 4,
                                            QCOW2_MIN_CACHE_ENTRIES),
                                        s->cluster_size);
    if (!s->l2_cache || !s->refcount_cache) {
        error_setg(errp, "Could not allocate metadata caches");
        goto fail;
    }
    qcow2_cache_set_writeback_hook(s->l2_cache, qcow2_l2_writeback_hook, s);
    s->cbuf = xmalloc(s->cluster_size);

    if (!qcow2_read_l1(s, errp)) {
        goto fail;
    }
    ret = qcow2_refcount_init(s);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read refcount table");
        goto fail;
    }
    {
        int64_t flen = bdrv_getlength(bs->file);

        s->file_end = flen > 0 ? (uint64_t)flen : 0;
    }
    ret = qcow2_read_snapshots(s, errp);
    if (ret < 0) {
        goto fail;
    }
    if (!bs->read_only) {
        pthread_mutex_lock(&s->lock);
        ret = qcow2_prepare_write_access(s, flags, errp);
        pthread_mutex_unlock(&s->lock);
        if (ret < 0) {
            goto fail;
        }
    }
    return true;

fail:
    free(buf);
    qcow2_free_state(s);
    pthread_rwlock_destroy(&s->free_lock);
    pthread_mutex_destroy(&s->lock);
    return false;
}

/* --- flushing --- */

/* Before an L2 table is written: refcounts and guest data durable. */
static int qcow2_l2_writeback_hook(void *opaque)
{
    Qcow2State *s = opaque;
    bool refcounts = qcow2_cache_is_dirty(s->refcount_cache);
    int ret = qcow2_cache_write(s->refcount_cache);

    if (ret == 0 && (refcounts || s->data_unstable)) {
        ret = bdrv_flush(s->bs.file);
        if (ret == 0) {
            s->data_unstable = false;
        }
    }
    return ret;
}

static bool qcow2_l1_is_dirty(const Qcow2State *s)
{
    for (uint64_t i = 0; i < DIV_ROUND_UP_U64(s->l1_size, 64); i++) {
        if (s->l1_dirty[i]) {
            return true;
        }
    }
    return false;
}

int qcow2_flush_metadata(Qcow2State *s)
{
    bool wrote = false;
    int ret;

    if (s->bs.read_only) {
        return 0;
    }
    ret = qcow2_l2_writeback_hook(s);
    if (ret < 0) {
        return ret;
    }
    if (qcow2_cache_is_dirty(s->l2_cache)) {
        ret = qcow2_cache_write(s->l2_cache);
        if (ret < 0) {
            return ret;
        }
        wrote = true;
    }
    if (qcow2_l1_is_dirty(s)) {
        if (wrote) {
            ret = bdrv_flush(s->bs.file);
            if (ret < 0) {
                return ret;
            }
        }
        ret = qcow2_write_l1_dirty(s);
        if (ret < 0) {
            return ret;
        }
        wrote = true;
    }
    if (s->nr_pending_frees) {
        if (wrote) {
            ret = bdrv_flush(s->bs.file);
            if (ret < 0) {
                return ret;
            }
        }
        ret = qcow2_apply_deferred_frees(s);
    }
    return ret;
}

static int qcow2_flush(BlockDriverState *bs)
{
    Qcow2State *s = qcow2_state(bs);
    int ret;

    pthread_mutex_lock(&s->lock);
    ret = qcow2_flush_metadata(s);
    pthread_mutex_unlock(&s->lock);
    return ret;
}

/* Everything to disk, decrements included (close, reopen read-only). */
static int qcow2_write_everything(Qcow2State *s)
{
    int ret = qcow2_flush_metadata(s);

    if (ret == 0) {
        ret = qcow2_cache_write(s->refcount_cache);
    }
    if (ret == 0) {
        ret = bdrv_flush(s->bs.file);
    }
    if (ret == 0 && s->marked_dirty) {
        ret = qcow2_set_dirty_bit(s, false);
        s->marked_dirty = false;
    }
    return ret;
}

static void qcow2_close(BlockDriverState *bs)
{
    Qcow2State *s = qcow2_state(bs);

    if (!bs->read_only) {
        pthread_mutex_lock(&s->lock);
        qcow2_write_everything(s);
        pthread_mutex_unlock(&s->lock);
    }
    qcow2_free_state(s);
    pthread_rwlock_destroy(&s->free_lock);
    pthread_mutex_destroy(&s->lock);
}

static bool qcow2_reopen(BlockDriverState *bs, int flags, Error **errp)
{
    Qcow2State *s = qcow2_state(bs);
    int ret = 0;

    pthread_mutex_lock(&s->lock);
    if (!(flags & BDRV_O_RDWR) && !bs->read_only) {
        ret = qcow2_write_everything(s);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not flush '%s'",
                             bs->filename);
        }
    } else if ((flags & BDRV_O_RDWR) && bs->read_only) {
        /* Writes below need the node writable already. */
        bs->read_only = false;
        ret = qcow2_prepare_write_access(s, flags, errp);
        bs->read_only = true;
    }
    pthread_mutex_unlock(&s->lock);
    return ret == 0;
}

/* --- guest I/O --- */

/* Build an iovec array for bytes [off, off+len) of @iov. */
static struct iovec *iov_sub(const struct iovec *iov, int niov, uint64_t off,
                             uint64_t len, int *nout)
{
    struct iovec *v = XNEW_ARRAY(struct iovec, niov ? niov : 1);
    int n = 0;

    for (int i = 0; i < niov && len; i++) {
        uint64_t l = iov[i].iov_len;

        if (off >= l) {
            off -= l;
            continue;
        }
        v[n].iov_base = (uint8_t *)iov[i].iov_base + off;
        v[n].iov_len = MIN(l - off, len);
        len -= v[n].iov_len;
        off = 0;
        n++;
    }
    *nout = n;
    return v;
}

/* Unallocated: the backing file's data where it has some, else zeroes. */
static int qcow2_read_backing(Qcow2State *s, uint64_t offset, uint64_t n,
                              const struct iovec *iov, int niov,
                              uint64_t iov_off)
{
    BlockDriverState *backing = s->bs.backing;
    uint64_t from_backing = 0;
    int ret = 0;

    if (backing) {
        int64_t blen = bdrv_getlength(backing);

        if (blen < 0) {
            return (int)blen;
        }
        if (offset < (uint64_t)blen) {
            from_backing = MIN(n, (uint64_t)blen - offset);
        }
    }
    if (from_backing) {
        int nv;
        struct iovec *v = iov_sub(iov, niov, iov_off, from_backing, &nv);

        ret = bdrv_preadv(backing, offset, from_backing, v, nv, 0);
        free(v);
    }
    if (ret == 0 && from_backing < n) {
        block_iov_memset(iov, niov, iov_off + from_backing, 0,
                         n - from_backing);
    }
    return ret;
}

int qcow2_do_preadv(Qcow2State *s, uint64_t offset, uint64_t bytes,
                    const struct iovec *iov, int niov)
{
    uint64_t done = 0;
    int ret = 0;

    while (done < bytes && ret == 0) {
        uint64_t n = bytes - done, host, e;
        Qcow2ClusterType type;

        pthread_mutex_lock(&s->lock);
        ret = qcow2_get_host_offset(s, offset + done, &n, &host, &type, &e);
        if (ret < 0) {
            pthread_mutex_unlock(&s->lock);
            break;
        }
        switch (type) {
        case QCOW2_CLUSTER_UNALLOCATED:
            pthread_mutex_unlock(&s->lock);
            ret = qcow2_read_backing(s, offset + done, n, iov, niov, done);
            break;
        case QCOW2_CLUSTER_ZERO_PLAIN:
        case QCOW2_CLUSTER_ZERO_ALLOC:
            pthread_mutex_unlock(&s->lock);
            block_iov_memset(iov, niov, done, 0, n);
            break;
        case QCOW2_CLUSTER_COMPRESSED:
            ret = qcow2_decompress_cluster(s, e);
            if (ret == 0) {
                block_iov_from_buf(iov, niov, done,
                                   s->cbuf +
                                   qcow2_offset_into_cluster(s,
                                                             offset + done),
                                   n);
            } else if (ret == -EIO) {
                ret = qcow2_signal_corruption(s, "Could not decompress the "
                                              "cluster at guest offset %#"
                                              PRIx64, offset + done);
            }
            pthread_mutex_unlock(&s->lock);
            break;
        default: {
            int nv;
            struct iovec *v;

            /* Data I/O without the lock: free_lock keeps it ours. */
            pthread_rwlock_rdlock(&s->free_lock);
            pthread_mutex_unlock(&s->lock);
            v = iov_sub(iov, niov, done, n, &nv);
            ret = bdrv_preadv(s->bs.file, host, n, v, nv, 0);
            free(v);
            pthread_rwlock_unlock(&s->free_lock);
            break;
        }
        }
        done += n;
    }
    return ret;
}

static int qcow2_preadv(BlockDriverState *bs, uint64_t offset,
                        uint64_t bytes, const struct iovec *iov, int niov,
                        unsigned flags)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t n = bytes;

    /* Past the virtual disk reads zeroes (a shorter backing file). */
    if (offset >= s->size) {
        block_iov_memset(iov, niov, 0, 0, bytes);
        return 0;
    }
    if (bytes > s->size - offset) {
        n = s->size - offset;
        block_iov_memset(iov, niov, n, 0, bytes - n);
    }
    return qcow2_do_preadv(s, offset, n, iov, niov);
}

/* Lazy refcounts: the image is dirty from the first write on. */
static int qcow2_mark_dirty_for_write(Qcow2State *s)
{
    int ret = 0;

    if (s->marked_dirty || s->version < 3 ||
        !(s->compatible_features & QCOW2_COMPAT_LAZY_REFCOUNTS)) {
        return 0;
    }
    pthread_mutex_lock(&s->lock);
    if (!s->marked_dirty) {
        ret = qcow2_set_dirty_bit(s, true);
        s->marked_dirty = ret == 0;
    }
    pthread_mutex_unlock(&s->lock);
    return ret;
}

int qcow2_do_pwritev(Qcow2State *s, uint64_t offset, uint64_t bytes,
                     const struct iovec *iov, int niov)
{
    uint64_t done = 0;
    int ret;

    if (s->corrupt) {
        return -EIO;
    }
    ret = qcow2_mark_dirty_for_write(s);
    while (done < bytes && ret == 0) {
        uint64_t n = bytes - done, host, e;
        Qcow2ClusterType type;

        pthread_mutex_lock(&s->lock);
        ret = qcow2_get_host_offset(s, offset + done, &n, &host, &type, &e);
        if (ret < 0) {
            pthread_mutex_unlock(&s->lock);
            break;
        }
        if (type == QCOW2_CLUSTER_NORMAL && (e & QCOW2_OFLAG_COPIED)) {
            int nv;
            struct iovec *v;

            if (qcow2_overlaps_metadata(s, host, n)) {
                ret = qcow2_signal_corruption(s, "Preventing invalid write "
                                              "on metadata (host offset %#"
                                              PRIx64 ")", host);
                pthread_mutex_unlock(&s->lock);
                break;
            }
            if (host + n > s->file_end + QCOW2_MAX_BEYOND_FILE_END) {
                ret = qcow2_signal_corruption(s, "Cluster at host offset %#"
                                              PRIx64 " lies far past the end "
                                              "of the file", host);
                pthread_mutex_unlock(&s->lock);
                break;
            }
            pthread_rwlock_rdlock(&s->free_lock);
            pthread_mutex_unlock(&s->lock);
            v = iov_sub(iov, niov, done, n, &nv);
            ret = bdrv_pwritev(s->bs.file, host, n, v, nv, 0);
            free(v);
            pthread_rwlock_unlock(&s->free_lock);
        } else {
            int64_t r = qcow2_alloc_write(s, offset + done, n, iov, niov,
                                          done);

            pthread_mutex_unlock(&s->lock);
            if (r < 0) {
                ret = (int)r;
                break;
            }
            n = r;
        }
        done += n;
    }
    return ret;
}

static int qcow2_pwritev(BlockDriverState *bs, uint64_t offset,
                         uint64_t bytes, const struct iovec *iov, int niov,
                         unsigned flags)
{
    Qcow2State *s = qcow2_state(bs);

    if (offset > s->size || bytes > s->size - offset) {
        return -EIO;
    }
    return qcow2_do_pwritev(s, offset, bytes, iov, niov);
}

static int qcow2_pwrite_compressed(BlockDriverState *bs, uint64_t offset,
                                   uint64_t bytes, const struct iovec *iov,
                                   int niov)
{
    Qcow2State *s = qcow2_state(bs);
    uint8_t *buf, *out;
    ssize_t csize;
    int ret;

    if (qcow2_offset_into_cluster(s, offset) || bytes > s->cluster_size ||
        (bytes < s->cluster_size && offset + bytes != s->size) ||
        offset + bytes > s->size) {
        return -EINVAL;
    }
    if (s->corrupt) {
        return -EIO;
    }
    buf = xzalloc(s->cluster_size);
    out = xmalloc(s->cluster_size);
    block_iov_to_buf(iov, niov, 0, buf, bytes);
    csize = qcow2_compress(s->compression_type, out, s->cluster_size - 1,
                           buf, s->cluster_size);
    if (csize == -ENOSPC) {
        /* Incompressible: store it as a normal cluster. */
        struct iovec v = { buf, bytes };

        ret = qcow2_do_pwritev(s, offset, bytes, &v, 1);
    } else if (csize < 0) {
        ret = (int)csize;
    } else {
        ret = qcow2_mark_dirty_for_write(s);
        if (ret == 0) {
            pthread_mutex_lock(&s->lock);
            ret = qcow2_write_compressed_cluster(s, offset, out, csize);
            pthread_mutex_unlock(&s->lock);
        }
    }
    free(buf);
    free(out);
    return ret;
}

/* Does the whole range [offset, offset+bytes) already read as zeroes? */
static int qcow2_reads_zero(Qcow2State *s, uint64_t offset, uint64_t bytes,
                            bool *zero)
{
    *zero = false;
    while (bytes) {
        uint64_t n = bytes, host, e;
        Qcow2ClusterType type;
        int ret = qcow2_get_host_offset(s, offset, &n, &host, &type, &e);

        if (ret < 0) {
            return ret;
        }
        if (!(type == QCOW2_CLUSTER_ZERO_PLAIN ||
              type == QCOW2_CLUSTER_ZERO_ALLOC ||
              (type == QCOW2_CLUSTER_UNALLOCATED && !s->bs.backing))) {
            return 0;
        }
        offset += n;
        bytes -= n;
    }
    *zero = true;
    return 0;
}

/* Write real zeroes over [offset, offset+bytes) through the data path. */
static int qcow2_write_zero_data(Qcow2State *s, uint64_t offset,
                                 uint64_t bytes)
{
    uint64_t chunk = MIN(bytes, 1 * MiB);
    uint8_t *zeroes = xzalloc(chunk);
    int ret = 0;

    while (bytes && ret == 0) {
        uint64_t n = MIN(bytes, chunk);
        struct iovec v = { zeroes, n };
        bool zero;

        pthread_mutex_lock(&s->lock);
        ret = qcow2_reads_zero(s, offset, n, &zero);
        pthread_mutex_unlock(&s->lock);
        if (ret == 0 && !zero) {
            ret = qcow2_do_pwritev(s, offset, n, &v, 1);
        }
        offset += n;
        bytes -= n;
    }
    free(zeroes);
    return ret;
}

static int qcow2_write_zeroes(BlockDriverState *bs, uint64_t offset,
                              uint64_t bytes, unsigned flags)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t head, end = offset + bytes;
    int ret;

    if (offset > s->size || bytes > s->size - offset) {
        return -EIO;
    }
    if (s->corrupt) {
        return -EIO;
    }
    ret = qcow2_mark_dirty_for_write(s);
    /* Partial clusters at either end: zero data. The last cluster of the
     * disk counts as whole when the range reaches the end. */
    head = MIN(end, ALIGN_UP(offset, s->cluster_size)) - offset;
    if (ret == 0 && head && !(offset % s->cluster_size == 0)) {
        ret = qcow2_write_zero_data(s, offset, head);
        offset += head;
    }
    while (ret == 0 && offset < end) {
        uint64_t whole = end == s->size ? ALIGN_UP(end, s->cluster_size)
                                        : ALIGN_DOWN(end, s->cluster_size);
        int64_t r;

        if (whole <= offset) {
            ret = qcow2_write_zero_data(s, offset, end - offset);
            break;
        }
        pthread_mutex_lock(&s->lock);
        r = qcow2_zero_clusters(s, offset, whole - offset,
                                flags & BDRV_REQ_MAY_UNMAP);
        pthread_mutex_unlock(&s->lock);
        if (r == -ENOTSUP) {
            ret = qcow2_write_zero_data(s, offset, MIN(whole, end) - offset);
            offset = MIN(whole, end);
            continue;
        }
        if (r < 0) {
            ret = (int)r;
            break;
        }
        offset += r;
    }
    return ret;
}

static int qcow2_discard(BlockDriverState *bs, uint64_t offset,
                         uint64_t bytes)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t start = ALIGN_UP(offset, s->cluster_size);
    uint64_t end = offset + bytes >= s->size
                   ? ALIGN_UP(s->size, s->cluster_size)
                   : ALIGN_DOWN(offset + bytes, s->cluster_size);
    int ret = 0;

    if (s->corrupt) {
        return -EIO;
    }
    if (end <= start) {
        return 0;
    }
    pthread_mutex_lock(&s->lock);
    if (s->bs.backing && s->version >= 3) {
        /* Keep the backing file hidden: discarded data reads zeroes. */
        while (start < end && ret == 0) {
            int64_t r = qcow2_zero_clusters(s, start, end - start, true);

            if (r <= 0) {
                ret = (int)r;
                break;
            }
            start += r;
        }
    } else if (!s->bs.backing) {
        ret = qcow2_discard_clusters(s, start, end - start);
    }
    pthread_mutex_unlock(&s->lock);
    return ret;
}

static int qcow2_block_status(BlockDriverState *bs, uint64_t offset,
                              uint64_t bytes, uint64_t *pnum, uint64_t *map,
                              BlockDriverState **file)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t n = bytes, host, e;
    Qcow2ClusterType type;
    int ret;

    pthread_mutex_lock(&s->lock);
    ret = qcow2_get_host_offset(s, offset, &n, &host, &type, &e);
    pthread_mutex_unlock(&s->lock);
    if (ret < 0) {
        return ret;
    }
    *pnum = n;
    switch (type) {
    case QCOW2_CLUSTER_NORMAL:
        *map = host;
        *file = bs->file;
        return BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID;
    case QCOW2_CLUSTER_ZERO_ALLOC:
        *map = host;
        *file = bs->file;
        return BDRV_BLOCK_ZERO | BDRV_BLOCK_OFFSET_VALID;
    case QCOW2_CLUSTER_ZERO_PLAIN:
        return BDRV_BLOCK_ZERO;
    case QCOW2_CLUSTER_COMPRESSED:
        return BDRV_BLOCK_DATA | BDRV_BLOCK_COMPRESSED;
    default:
        return 0;
    }
}

static int64_t qcow2_get_length(BlockDriverState *bs)
{
    return qcow2_state(bs)->size;
}

static int qcow2_get_info(BlockDriverState *bs, BlockDriverInfo *info)
{
    Qcow2State *s = qcow2_state(bs);

    info->cluster_size = s->cluster_size;
    info->is_dirty = s->incompatible_features & QCOW2_INCOMPAT_DIRTY;
    info->unallocated_reads_zero = !bs->backing;
    info->vm_state_offset = qcow2_vm_state_offset(s);
    info->has_qcow2 = true;
    snprintf(info->qcow2.compat, sizeof(info->qcow2.compat), "%s",
             s->version >= 3 ? "1.1" : "0.10");
    snprintf(info->qcow2.compression_type,
             sizeof(info->qcow2.compression_type), "%s",
             s->compression_type == QCOW2_COMPRESSION_ZSTD ? "zstd"
                                                           : "zlib");
    info->qcow2.lazy_refcounts = s->compatible_features &
                                 QCOW2_COMPAT_LAZY_REFCOUNTS;
    info->qcow2.refcount_bits = s->refcount_bits;
    info->qcow2.corrupt = s->incompatible_features & QCOW2_INCOMPAT_CORRUPT;
    info->qcow2.extended_l2 = false;
    return 0;
}

/* --- resize --- */

static int qcow2_truncate(BlockDriverState *bs, uint64_t size,
                          BlockPreallocMode prealloc, Error **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t old = s->size;
    uint8_t field[8];
    int ret = 0;

    if (size % BDRV_SECTOR_SIZE) {
        error_setg(errp, "The new size must be a multiple of 512");
        return -EINVAL;
    }
    if (s->corrupt) {
        error_setg(errp, "Image is corrupt");
        return -EIO;
    }
    if (size < old && prealloc != BLOCK_PREALLOC_OFF) {
        error_setg(errp, "Preallocation can't be used for shrinking an "
                   "image");
        return -EINVAL;
    }
    if (size < old && s->nb_snapshots) {
        error_setg(errp, "Can't shrink an image which has snapshots");
        return -ENOTSUP;
    }
    if (size != old && s->nb_snapshots && s->version < 3) {
        error_setg(errp, "Can't resize a v2 image which has snapshots");
        return -ENOTSUP;
    }
    if (qcow2_size_to_l1(s, size) > QCOW2_MAX_L1_BYTES / 8) {
        error_setg(errp, "Image size too large for this cluster size");
        return -EFBIG;
    }
    pthread_mutex_lock(&s->lock);
    if (size > old) {
        ret = qcow2_grow_l1_table(s, qcow2_size_to_l1(s, size));
        if (ret == 0 && prealloc != BLOCK_PREALLOC_OFF) {
            ret = qcow2_preallocate(s, old, size - old);
        }
    } else if (size < old) {
        uint64_t start = ALIGN_UP(size, s->cluster_size);

        ret = qcow2_discard_clusters(s, start,
                                     ALIGN_UP(old, s->cluster_size) - start);
        if (ret == 0 && qcow2_offset_into_cluster(s, size)) {
            /* The rest of the last cluster must read zeroes if regrown. */
            pthread_mutex_unlock(&s->lock);
            ret = qcow2_write_zero_data(s, size, start - size);
            pthread_mutex_lock(&s->lock);
        }
    }
    if (ret == 0) {
        ret = qcow2_flush_metadata(s);
    }
    if (ret == 0) {
        be64_store(field, size);
        ret = qcow2_write_header_field(s, QCOW2_HDR_SIZE_OFF, field, 8);
    }
    if (ret == 0) {
        ret = bdrv_flush(s->bs.file);
    }
    if (ret == 0) {
        s->size = size;
        s->l1_vm_state_index = qcow2_size_to_l1(s, size);
    }
    if (ret == 0 && prealloc != BLOCK_PREALLOC_OFF) {
        uint64_t end;

        /* The file covers every cluster now mapped (sparse for metadata
         * preallocation; QEMU's check insists on it). */
        ret = (int)qcow2_get_last_cluster(s, &end);
        if (ret == 0) {
            int64_t flen = bdrv_getlength(s->bs.file);

            if (flen >= 0 && (end << s->cluster_bits) > (uint64_t)flen) {
                ret = bdrv_truncate_prealloc(s->bs.file,
                                             end << s->cluster_bits,
                                             prealloc ==
                                             BLOCK_PREALLOC_METADATA
                                             ? BLOCK_PREALLOC_OFF : prealloc,
                                             errp);
            }
        }
    }
    if (ret == 0 && size < old) {
        uint64_t end;

        /* Give the tail of the file back, like QEMU. */
        ret = qcow2_write_everything(s);
        if (ret == 0) {
            ret = (int)qcow2_get_last_cluster(s, &end);
        }
        if (ret == 0) {
            int64_t flen = bdrv_getlength(s->bs.file);

            if (flen >= 0 && (end << s->cluster_bits) < (uint64_t)flen) {
                bdrv_truncate_prealloc(s->bs.file, end << s->cluster_bits,
                                       BLOCK_PREALLOC_OFF, NULL);
            }
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (ret < 0 && errp && !*errp) {
        error_setg_errno(errp, -ret, "Could not resize image");
    }
    return ret;
}

/* --- creation and sizing --- */

static const char *const qcow2_create_keys[] = {
    "size", "compat", "backing_file", "backing_fmt", "cluster_size",
    "preallocation", "lazy_refcounts", "refcount_bits", "compression_type",
    "extended_l2", NULL,
};

typedef struct Qcow2CreateParams {
    int version;
    unsigned cluster_bits;
    unsigned refcount_order;
    uint8_t compression_type;
    BlockPreallocMode prealloc;
} Qcow2CreateParams;

/* Check @opts as qemu-img does, with its messages. */
static bool qcow2_create_params(const BlockCreateOptions *opts,
                                Qcow2CreateParams *p, Error **errp)
{
    const char *v3_hint = "(use version=v3 or greater)";

    memset(p, 0, sizeof(*p));
    if (!IS_POW2(opts->cluster_size) || opts->cluster_size < 512 ||
        opts->cluster_size > 2 * MiB) {
        error_setg(errp, "Cluster size must be a power of two between 512 "
                   "and 2048k");
        return false;
    }
    p->cluster_bits = __builtin_ctzll(opts->cluster_size);
    if (!opts->compat || !strcmp(opts->compat, "1.1") ||
        !strcmp(opts->compat, "v3")) {
        p->version = 3;
    } else if (!strcmp(opts->compat, "0.10") ||
               !strcmp(opts->compat, "v2")) {
        p->version = 2;
    } else {
        error_setg(errp, "Parameter 'version' does not accept value '%s'",
                   opts->compat);
        return false;
    }
    if (!IS_POW2(opts->refcount_bits) || opts->refcount_bits > 64) {
        error_setg(errp, "Refcount width must be a power of two and may not "
                   "exceed 64 bits");
        return false;
    }
    p->refcount_order = __builtin_ctzll(opts->refcount_bits);
    if (p->version < 3 && opts->refcount_bits != 16) {
        error_setg(errp, "Different refcount widths than 16 bits require "
                   "compatibility level 1.1 or above %s", v3_hint);
        return false;
    }
    if (p->version < 3 && opts->lazy_refcounts) {
        error_setg(errp, "Lazy refcounts only supported with compatibility "
                   "level 1.1 and above %s", v3_hint);
        return false;
    }
    if (!opts->compression_type || !strcmp(opts->compression_type, "zlib")) {
        p->compression_type = QCOW2_COMPRESSION_ZLIB;
    } else if (!strcmp(opts->compression_type, "zstd")) {
        p->compression_type = QCOW2_COMPRESSION_ZSTD;
    } else {
        error_setg(errp, "Parameter 'compression-type' does not accept "
                   "value '%s'", opts->compression_type);
        return false;
    }
    if (p->version < 3 && p->compression_type) {
        error_setg(errp, "Non-zlib compression type is only supported with "
                   "compatibility level 1.1 and above %s", v3_hint);
        return false;
    }
    if (opts->extended_l2) {
        if (opts->cluster_size < 16 * KiB) {
            error_setg(errp, "Extended L2 entries are only supported with "
                       "cluster sizes of at least 16384 bytes");
        } else {
            error_setg(errp, "Extended L2 entries are not supported");
        }
        return false;
    }
    if (!block_create_parse_prealloc(opts, &p->prealloc, errp)) {
        return false;
    }
    if (opts->backing_file && p->prealloc != BLOCK_PREALLOC_OFF) {
        error_setg(errp, "Backing file and preallocation can only be used at "
                   "the same time if extended_l2 is on");
        return false;
    }
    return true;
}

/*
 * A new image: header, a one-cluster refcount table and one refcount
 * block counting clusters 0-2, no L1 table; then the image is opened and
 * grown to its size, which allocates the L1 table (and preallocates)
 * through the ordinary paths.
 */
static bool qcow2_create(const char *filename, const BlockCreateOptions *opts,
                         Error **errp)
{
    Qcow2CreateParams p;
    Qcow2State tmp = { 0 };
    BlockDriverState *file, *bs;
    uint8_t *buf;
    ssize_t len;
    int ret;

    if (!qcow2_create_params(opts, &p, errp)) {
        return false;
    }
    if (opts->backing_file &&
        strlen(opts->backing_file) > QCOW2_MAX_BACKING_NAME) {
        error_setg(errp, "Backing file name too long");
        return false;
    }
    if (!block_create_file(filename, 0, BLOCK_PREALLOC_OFF, errp)) {
        return false;
    }
    file = bdrv_open_protocol(filename, BDRV_O_RDWR, errp);
    if (!file) {
        return false;
    }

    /* Describe the image in a scratch state and let the header builder
     * lay it out. */
    tmp.bs.file = file;
    tmp.bs.backing_file = opts->backing_file;
    tmp.bs.backing_format = opts->backing_fmt;
    tmp.version = p.version;
    tmp.cluster_bits = p.cluster_bits;
    tmp.cluster_size = 1u << p.cluster_bits;
    tmp.refcount_table_offset = tmp.cluster_size;
    tmp.refcount_table_clusters = 1;
    tmp.refcount_order = p.refcount_order;
    tmp.header_length = QCOW2_HEADER_SIZE;
    tmp.compression_type = p.compression_type;
    if (p.compression_type) {
        tmp.incompatible_features |= QCOW2_INCOMPAT_COMPRESSION;
    }
    if (opts->lazy_refcounts) {
        tmp.compatible_features |= QCOW2_COMPAT_LAZY_REFCOUNTS;
    }

    buf = xzalloc(3 * tmp.cluster_size);
    len = qcow2_build_header(&tmp, buf, true);
    if (len == -ENOSPC) {
        memset(buf, 0, tmp.cluster_size);
        len = qcow2_build_header(&tmp, buf, false);
    }
    if (len < 0) {
        error_setg(errp, "Backing file name too long for the cluster size");
        free(buf);
        bdrv_unref(file);
        return false;
    }
    be64_store(buf + tmp.cluster_size, 2ull * tmp.cluster_size);
    for (unsigned i = 0; i < 3; i++) {
        qcow2_refcount_set_entry(buf + 2 * tmp.cluster_size,
                                 p.refcount_order, i, 1);
    }
    ret = bdrv_pwrite(file, 0, buf, 3 * tmp.cluster_size);
    free(buf);
    if (ret == 0) {
        ret = bdrv_flush(file);
    }
    bdrv_unref(file);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not write qcow2 header");
        return false;
    }

    bs = bdrv_open(filename, "qcow2", BDRV_O_RDWR | BDRV_O_NO_BACKING, errp);
    if (!bs) {
        return false;
    }
    ret = bdrv_truncate_prealloc(bs, opts->size, p.prealloc, errp);
    if (ret == 0) {
        ret = bdrv_flush(bs);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not flush '%s'", filename);
        }
    } else {
        error_prepend(errp, "Could not resize image: ");
    }
    bdrv_unref(bs);
    return ret == 0;
}

static bool qcow2_measure(const BlockCreateOptions *opts,
                          BlockDriverState *in, BlockMeasureInfo *out,
                          Error **errp)
{
    Qcow2CreateParams p;
    uint64_t cs, size, aligned, required = 0, meta, nl2e, nl1e;

    if (!qcow2_create_params(opts, &p, errp)) {
        return false;
    }
    cs = 1ull << p.cluster_bits;
    size = opts->size;
    if (in) {
        int64_t len = bdrv_getlength(in);

        if (len < 0) {
            error_setg_errno(errp, -(int)len, "Unable to get image virtual "
                             "size");
            return false;
        }
        if (!opts->has_size) {
            size = len;
        }
        if (p.prealloc != BLOCK_PREALLOC_FALLOC &&
            p.prealloc != BLOCK_PREALLOC_FULL) {
            /* Data clusters for what the source holds, as QEMU counts. */
            for (uint64_t off = 0; off < (uint64_t)len;) {
                uint64_t n;
                int ret = bdrv_block_status_above(in, NULL, off,
                                                  (uint64_t)len - off, &n,
                                                  NULL, NULL, NULL);

                if (ret < 0) {
                    error_setg_errno(errp, -ret, "Unable to get block "
                                     "status");
                    return false;
                }
                if (!(ret & BDRV_BLOCK_ZERO) &&
                    (ret & (BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED)) ==
                    (BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED)) {
                    n = ALIGN_UP(off + n, cs) - off;
                    required += off % cs + n;
                }
                off += n;
            }
        }
    }
    aligned = ALIGN_UP(size, cs);
    if (p.prealloc == BLOCK_PREALLOC_FALLOC ||
        p.prealloc == BLOCK_PREALLOC_FULL) {
        required = aligned;
    }
    /* Header, L2 tables, L1 table, then refcounts for all of it. */
    meta = cs;
    nl2e = ALIGN_UP(aligned / cs, cs / 8);
    meta += nl2e * 8;
    nl1e = ALIGN_UP(nl2e * 8 / cs, cs / 8);
    meta += nl1e * 8;
    meta += qcow2_refcount_metadata_size((meta + aligned) / cs, cs,
                                         p.refcount_order, NULL);
    out->fully_allocated = aligned + meta;
    out->required = MIN(required, aligned) + meta;
    return true;
}

/* --- maintenance --- */

static int qcow2_change_backing_file(BlockDriverState *bs, const char *file,
                                     const char *fmt)
{
    Qcow2State *s = qcow2_state(bs);
    char *old_file = bs->backing_file, *old_fmt = bs->backing_format;
    int ret;

    if (file && strlen(file) > QCOW2_MAX_BACKING_NAME) {
        return -EINVAL;
    }
    pthread_mutex_lock(&s->lock);
    bs->backing_file = file ? xstrdup(file) : NULL;
    bs->backing_format = fmt ? xstrdup(fmt) : NULL;
    ret = qcow2_update_header(s);
    if (ret == 0) {
        ret = bdrv_flush(bs->file);
    }
    if (ret < 0) {
        free(bs->backing_file);
        free(bs->backing_format);
        bs->backing_file = old_file;
        bs->backing_format = old_fmt;
    } else {
        free(old_file);
        free(old_fmt);
    }
    pthread_mutex_unlock(&s->lock);
    return ret;
}

static int qcow2_make_empty(BlockDriverState *bs)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t end = (uint64_t)s->l1_size << (s->l2_bits + s->cluster_bits);
    int ret;

    pthread_mutex_lock(&s->lock);
    ret = qcow2_discard_clusters(s, 0, end);
    if (ret == 0) {
        ret = qcow2_flush_metadata(s);
    }
    pthread_mutex_unlock(&s->lock);
    return ret;
}

static int qcow2_save_vmstate(BlockDriverState *bs, const void *buf,
                              uint64_t pos, uint64_t size)
{
    Qcow2State *s = qcow2_state(bs);
    struct iovec v = { (void *)buf, size };

    return qcow2_do_pwritev(s, qcow2_vm_state_offset(s) + pos, size, &v, 1);
}

static int qcow2_load_vmstate(BlockDriverState *bs, void *buf, uint64_t pos,
                              uint64_t size)
{
    Qcow2State *s = qcow2_state(bs);
    struct iovec v = { buf, size };

    return qcow2_do_preadv(s, qcow2_vm_state_offset(s) + pos, size, &v, 1);
}

const BlockDriver bdrv_qcow2 = {
    .format_name = "qcow2",
    .desc = "QEMU copy-on-write image v2/v3",
    .instance_size = sizeof(Qcow2State),
    .supports_backing = true,
    .probe = qcow2_probe,
    .open = qcow2_open,
    .close = qcow2_close,
    .reopen = qcow2_reopen,
    .preadv = qcow2_preadv,
    .pwritev = qcow2_pwritev,
    .pwrite_compressed = qcow2_pwrite_compressed,
    .flush = qcow2_flush,
    .discard = qcow2_discard,
    .write_zeroes = qcow2_write_zeroes,
    .block_status = qcow2_block_status,
    .get_length = qcow2_get_length,
    .get_info = qcow2_get_info,
    .truncate = qcow2_truncate,
    .create = qcow2_create,
    .create_keys = qcow2_create_keys,
    .measure = qcow2_measure,
    .check = qcow2_check,
    .make_empty = qcow2_make_empty,
    .change_backing_file = qcow2_change_backing_file,
    .snapshot_create = qcow2_snapshot_create,
    .snapshot_goto = qcow2_snapshot_goto,
    .snapshot_delete = qcow2_snapshot_delete,
    .snapshot_list = qcow2_snapshot_list,
    .save_vmstate = qcow2_save_vmstate,
    .load_vmstate = qcow2_load_vmstate,
};
