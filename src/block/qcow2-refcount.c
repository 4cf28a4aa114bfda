/*
 * block/qcow2-refcount.c — host cluster management (qcow2.txt "Host
 * cluster management"): the refcount table, refcount blocks through
 * their cache, cluster allocation, deferred frees and the refcount walks
 * of internal snapshots.
 *
 * Invariants:
 *  - An area of clusters without a refcount block holds no allocated
 *    cluster, so a new block for it can always take the area's first
 *    cluster and describe itself (no recursion, QEMU does the same).
 *  - A new refcount block is written and flushed before the table entry
 *    pointing at it; a new refcount table (with the blocks it needs for
 *    itself) is written and flushed before the header points at it.
 *  - Increments are written before anything references the cluster
 *    (qcow2_flush_metadata() orders the caches); decrements of clusters
 *    still referenced on disk wait in pending_frees until the reference
 *    is gone on disk, then are applied under free_lock held for writing.
 *  - A cluster whose refcount reaches zero is dropped from both caches
 *    and from the compressed-bytes allocator.
 */
#include "block/qcow2-internal.h"

uint64_t qcow2_refcount_get_entry(const void *block, unsigned order,
                                  uint64_t index)
{
    const uint8_t *p = block;

    switch (order) {
    case 0: case 1: case 2: {
        unsigned bits = 1u << order, per_byte = 8 / bits;

        return (p[index / per_byte] >> (bits * (index % per_byte))) &
               ((1u << bits) - 1);
    }
    case 3:
        return p[index];
    case 4:
        return be16_load(p + 2 * index);
    case 5:
        return be32_load(p + 4 * index);
    default:
        return be64_load(p + 8 * index);
    }
}

void qcow2_refcount_set_entry(void *block, unsigned order, uint64_t index,
                              uint64_t value)
{
    uint8_t *p = block;

    switch (order) {
    case 0: case 1: case 2: {
        unsigned bits = 1u << order, per_byte = 8 / bits;
        unsigned shift = bits * (index % per_byte);
        uint8_t mask = ((1u << bits) - 1) << shift;

        p[index / per_byte] = (p[index / per_byte] & ~mask) |
                              ((value << shift) & mask);
        break;
    }
    case 3:
        p[index] = value;
        break;
    case 4:
        be16_store(p + 2 * index, value);
        break;
    case 5:
        be32_store(p + 4 * index, value);
        break;
    default:
        be64_store(p + 8 * index, value);
        break;
    }
}

int qcow2_refcount_init(Qcow2State *s)
{
    uint64_t bytes = (uint64_t)s->refcount_table_clusters * s->cluster_size;
    uint8_t *buf;
    int ret;

    s->refcount_table_size = bytes / 8;
    s->refcount_table = XNEW_ARRAY(uint64_t, s->refcount_table_size);
    buf = xmalloc(bytes);
    ret = bdrv_pread(s->bs.file, s->refcount_table_offset, buf, bytes);
    if (ret == 0) {
        for (uint64_t i = 0; i < s->refcount_table_size; i++) {
            s->refcount_table[i] = be64_load(buf + 8 * i);
        }
    }
    free(buf);
    return ret;
}

void qcow2_refcount_close(Qcow2State *s)
{
    free(s->refcount_table);
    s->refcount_table = NULL;
    free(s->pending_frees);
    s->pending_frees = NULL;
    s->nr_pending_frees = s->pending_frees_cap = 0;
}

/* The refcount block offset for table index @i: 0 if none, -EIO if the
 * entry is malformed (corruption is signalled). */
static int64_t refblock_offset(Qcow2State *s, uint64_t i)
{
    uint64_t e;

    if (i >= s->refcount_table_size) {
        return 0;
    }
    e = s->refcount_table[i];
    if (e & QCOW2_REFT_RESERVED_MASK ||
        qcow2_offset_into_cluster(s, e & QCOW2_REFT_OFFSET_MASK)) {
        return qcow2_signal_corruption(s, "Refblock offset %#" PRIx64
                                       " unaligned (reftable index: %#"
                                       PRIx64 ")", e, i);
    }
    return e & QCOW2_REFT_OFFSET_MASK;
}

int qcow2_get_refcount(Qcow2State *s, uint64_t cluster_index,
                       uint64_t *refcount)
{
    uint64_t rt_index = cluster_index >> s->refcount_block_bits;
    int64_t off = refblock_offset(s, rt_index);
    void *block;
    int ret;

    *refcount = 0;
    if (off <= 0) {
        return off;
    }
    ret = qcow2_cache_get(s->refcount_cache, off, &block);
    if (ret < 0) {
        return ret;
    }
    *refcount = qcow2_refcount_get_entry(block, s->refcount_order,
                                         cluster_index &
                                         ((1ull << s->refcount_block_bits) -
                                          1));
    qcow2_cache_put(s->refcount_cache, &block);
    return 0;
}

static int flush_file(Qcow2State *s)
{
    return bdrv_flush(s->bs.file);
}

/*
 * Grow the refcount table so that index @min_index exists. The new table
 * and the refcount blocks describing it go into areas past the old
 * table's reach (entirely free): blocks first, then the table, written
 * and flushed before the header switches to them.
 */
static int grow_refcount_table(Qcow2State *s, uint64_t min_index)
{
    uint64_t per_block = 1ull << s->refcount_block_bits;
    uint64_t first_area = MAX(min_index, s->refcount_table_size);
    uint64_t start = first_area << s->refcount_block_bits;    /* cluster */
    uint64_t entries = MAX(first_area + 1,
                           s->refcount_table_size * 3 / 2 + 1);
    uint64_t table_clusters, nb_blocks = 1;
    uint64_t old_offset = s->refcount_table_offset;
    uint64_t old_clusters = s->refcount_table_clusters;
    uint64_t *new_table;
    uint8_t *buf, hdr[12];
    int ret;

    for (;;) {
        uint64_t b;

        table_clusters = DIV_ROUND_UP_U64(entries * 8, s->cluster_size);
        b = DIV_ROUND_UP_U64(nb_blocks + table_clusters, per_block);
        if (b != nb_blocks) {
            nb_blocks = b;
            continue;
        }
        if (entries < first_area + nb_blocks) {
            entries = first_area + nb_blocks;
            continue;
        }
        break;
    }
    entries = table_clusters * s->cluster_size / 8;
    if (table_clusters * s->cluster_size > QCOW2_MAX_REFTABLE_BYTES ||
        ((start + nb_blocks + table_clusters) << s->cluster_bits) >
        QCOW2_L2E_OFFSET_MASK) {
        return -EFBIG;
    }

    /* The blocks: each area's block counts the new clusters in it. */
    buf = xzalloc(s->cluster_size);
    for (uint64_t i = 0; i < nb_blocks; i++) {
        memset(buf, 0, s->cluster_size);
        for (uint64_t c = start; c < start + nb_blocks + table_clusters;
             c++) {
            if ((c >> s->refcount_block_bits) == first_area + i) {
                qcow2_refcount_set_entry(buf, s->refcount_order,
                                         c & (per_block - 1), 1);
            }
        }
        ret = bdrv_pwrite(s->bs.file, (start + i) << s->cluster_bits, buf,
                          s->cluster_size);
        if (ret < 0) {
            free(buf);
            return ret;
        }
    }
    free(buf);

    new_table = XNEW_ARRAY(uint64_t, entries);
    memcpy(new_table, s->refcount_table, s->refcount_table_size * 8);
    for (uint64_t i = 0; i < nb_blocks; i++) {
        new_table[first_area + i] = (start + i) << s->cluster_bits;
    }
    buf = xzalloc(table_clusters * s->cluster_size);
    for (uint64_t i = 0; i < entries; i++) {
        be64_store(buf + 8 * i, new_table[i]);
    }
    ret = bdrv_pwrite(s->bs.file, (start + nb_blocks) << s->cluster_bits,
                      buf, table_clusters * s->cluster_size);
    free(buf);
    if (ret == 0) {
        ret = flush_file(s);
    }
    if (ret < 0) {
        free(new_table);
        return ret;
    }

    /* Switch: offset and size share one sector of the header. */
    be64_store(hdr, (start + nb_blocks) << s->cluster_bits);
    be32_store(hdr + 8, table_clusters);
    ret = qcow2_write_header_field(s, QCOW2_HDR_REFTABLE_OFF, hdr, 12);
    if (ret == 0) {
        ret = flush_file(s);
    }
    if (ret < 0) {
        free(new_table);
        return ret;
    }
    free(s->refcount_table);
    s->refcount_table = new_table;
    s->refcount_table_size = entries;
    s->refcount_table_offset = (start + nb_blocks) << s->cluster_bits;
    s->refcount_table_clusters = table_clusters;
    qcow2_note_file_end(s, (start + nb_blocks + table_clusters) <<
                           s->cluster_bits);

    /* Nothing points at the old table any more, durably. */
    return qcow2_update_refcount(s, old_offset,
                                 old_clusters << s->cluster_bits, -1);
}

/* Make sure refcount table index @i has a block (self-describing). */
static int ensure_refblock(Qcow2State *s, uint64_t i)
{
    uint64_t block_off;
    uint8_t entry[8];
    void *block;
    int64_t cur;
    int ret;

    if (i >= s->refcount_table_size) {
        ret = grow_refcount_table(s, i);
        if (ret < 0) {
            return ret;
        }
    }
    cur = refblock_offset(s, i);
    if (cur != 0) {
        return cur < 0 ? (int)cur : 0;
    }
    block_off = (i << s->refcount_block_bits) << s->cluster_bits;
    if (block_off == 0 || block_off > s->file_end + QCOW2_MAX_BEYOND_FILE_END ||
        qcow2_overlaps_metadata(s, block_off, s->cluster_size)) {
        return qcow2_signal_corruption(s, "Preventing invalid allocation "
                                       "of refcount block at offset %#"
                                       PRIx64, block_off);
    }
    ret = qcow2_cache_get_empty(s->refcount_cache, block_off, &block);
    if (ret < 0) {
        return ret;
    }
    qcow2_refcount_set_entry(block, s->refcount_order, 0, 1);
    ret = bdrv_pwrite(s->bs.file, block_off, block, s->cluster_size);
    qcow2_cache_put(s->refcount_cache, &block);
    if (ret == 0) {
        ret = flush_file(s);
    }
    if (ret < 0) {
        qcow2_cache_discard(s->refcount_cache, block_off);
        return ret;
    }
    be64_store(entry, block_off);
    ret = bdrv_pwrite(s->bs.file, s->refcount_table_offset + i * 8, entry, 8);
    if (ret < 0) {
        return ret;
    }
    s->refcount_table[i] = block_off;
    qcow2_note_file_end(s, block_off + s->cluster_size);
    return 0;
}

/* A cluster's refcount fell to zero: nothing may keep using it. */
static void cluster_freed(Qcow2State *s, uint64_t cluster_index)
{
    uint64_t off = cluster_index << s->cluster_bits;

    if (cluster_index < s->free_cluster_index) {
        s->free_cluster_index = cluster_index;
    }
    qcow2_cache_discard(s->l2_cache, off);
    qcow2_cache_discard(s->refcount_cache, off);
    if (s->free_byte_offset &&
        qcow2_start_of_cluster(s, s->free_byte_offset) == off) {
        s->free_byte_offset = 0;
    }
    s->cbuf_entry = 0;
}

int qcow2_update_refcount(Qcow2State *s, uint64_t offset, uint64_t length,
                          int64_t addend)
{
    uint64_t first, last, mask = (1ull << s->refcount_block_bits) - 1;
    void *block = NULL;
    uint64_t block_rt = UINT64_MAX;
    int ret = 0;

    if (!length || !addend) {
        return 0;
    }
    first = offset >> s->cluster_bits;
    last = (offset + length - 1) >> s->cluster_bits;
    if (addend > 0) {
        for (uint64_t i = first >> s->refcount_block_bits;
             i <= last >> s->refcount_block_bits; i++) {
            ret = ensure_refblock(s, i);
            if (ret < 0) {
                return ret;
            }
        }
    }
    for (uint64_t ci = first; ci <= last; ci++) {
        uint64_t rt = ci >> s->refcount_block_bits, old, new;

        if (rt != block_rt) {
            int64_t off;

            if (block) {
                qcow2_cache_put(s->refcount_cache, &block);
            }
            off = refblock_offset(s, rt);
            if (off <= 0) {
                return off < 0 ? (int)off : -EINVAL;    /* underflow */
            }
            ret = qcow2_cache_get(s->refcount_cache, off, &block);
            if (ret < 0) {
                return ret;
            }
            block_rt = rt;
        }
        old = qcow2_refcount_get_entry(block, s->refcount_order, ci & mask);
        if (addend < 0 && old < (uint64_t)-addend) {
            ret = -EINVAL;
            break;
        }
        if (addend > 0 && s->refcount_max - old < (uint64_t)addend) {
            ret = -ERANGE;
            break;
        }
        new = old + addend;
        qcow2_refcount_set_entry(block, s->refcount_order, ci & mask, new);
        qcow2_cache_mark_dirty(s->refcount_cache, block);
        if (new == 0) {
            /* The block itself stays pinned: only other entries go. */
            cluster_freed(s, ci);
        }
    }
    if (block) {
        qcow2_cache_put(s->refcount_cache, &block);
    }
    return ret;
}

/* Are clusters [start, start+n) all free? If not, *next is where a
 * search may continue. */
static int clusters_free(Qcow2State *s, uint64_t start, uint64_t n,
                         uint64_t *next, bool *free_run)
{
    *free_run = false;
    for (uint64_t j = 0; j < n; j++) {
        uint64_t rc;
        int ret = qcow2_get_refcount(s, start + j, &rc);

        if (ret < 0) {
            return ret;
        }
        if (rc) {
            *next = start + j + 1;
            return 0;
        }
    }
    *free_run = true;
    return 0;
}

/* Does refcount table index @i lack a block? */
static bool area_lacks_block(Qcow2State *s, uint64_t i)
{
    return i >= s->refcount_table_size || !s->refcount_table[i];
}

/*
 * Allocate @n contiguous clusters past everything in use, together with
 * the refcount blocks the areas they fall in lack: [blocks][run], the
 * blocks describing themselves and the run. This is what makes long runs
 * possible when an area is no longer than the run (small clusters with
 * wide refcounts), where a block at each area's start would split it.
 */
static int64_t alloc_fresh_run(Qcow2State *s, uint64_t n)
{
    uint64_t mask = (1ull << s->refcount_block_bits) - 1;
    uint64_t start, nb_blocks = 0, *areas;
    uint8_t *buf;
    int ret;

    for (;;) {
        uint64_t last_area, b;

        ret = (int)qcow2_get_last_cluster(s, &start);
        if (ret < 0) {
            return ret;
        }
        if ((start << s->cluster_bits) >
            s->file_end + QCOW2_MAX_BEYOND_FILE_END) {
            return qcow2_signal_corruption(s, "Refcounts claim cluster %#"
                                           PRIx64 " far past the end of "
                                           "the file", start - 1);
        }
        for (;;) {
            b = 0;
            for (uint64_t a = start >> s->refcount_block_bits;
                 a <= (start + nb_blocks + n - 1) >> s->refcount_block_bits;
                 a++) {
                b += area_lacks_block(s, a);
            }
            if (b == nb_blocks) {
                break;
            }
            nb_blocks = b;
        }
        if (((start + nb_blocks + n) << s->cluster_bits) >
            QCOW2_L2E_OFFSET_MASK) {
            return -EFBIG;
        }
        last_area = (start + nb_blocks + n - 1) >> s->refcount_block_bits;
        if (last_area < s->refcount_table_size) {
            break;
        }
        /* The table grows past everything first; then look again. */
        ret = grow_refcount_table(s, last_area);
        if (ret < 0) {
            return ret;
        }
    }

    /* The new blocks, written and flushed before the table names them. */
    {
        uint64_t end = start + nb_blocks + n, nb = 0;

        areas = XNEW_ARRAY(uint64_t, nb_blocks + 1);
        for (uint64_t a = start >> s->refcount_block_bits;
             (a << s->refcount_block_bits) < end; a++) {
            if (area_lacks_block(s, a) && nb < nb_blocks) {
                areas[nb++] = a;
            }
        }
        buf = xmalloc(s->cluster_size);
        ret = 0;
        for (uint64_t i = 0; i < nb_blocks && ret == 0; i++) {
            uint64_t a = areas[i];

            memset(buf, 0, s->cluster_size);
            for (uint64_t c = MAX(start, a << s->refcount_block_bits);
                 c < end && (c >> s->refcount_block_bits) == a; c++) {
                qcow2_refcount_set_entry(buf, s->refcount_order, c & mask,
                                         1);
            }
            ret = bdrv_pwrite(s->bs.file, (start + i) << s->cluster_bits,
                              buf, s->cluster_size);
        }
        free(buf);
    }
    if (ret == 0 && nb_blocks) {
        ret = flush_file(s);
    }
    for (uint64_t i = 0; i < nb_blocks && ret == 0; i++) {
        uint8_t entry[8];

        be64_store(entry, (start + i) << s->cluster_bits);
        ret = bdrv_pwrite(s->bs.file,
                          s->refcount_table_offset + areas[i] * 8, entry, 8);
        if (ret == 0) {
            s->refcount_table[areas[i]] = (start + i) << s->cluster_bits;
        }
    }
    /* Blocks and run clusters in areas that had a block already (the new
     * blocks counted the others): count them now. */
    for (uint64_t c = start; c < start + nb_blocks + n && ret == 0; c++) {
        uint64_t a = c >> s->refcount_block_bits, rc;
        bool fresh = false;

        for (uint64_t i = 0; i < nb_blocks; i++) {
            fresh |= areas[i] == a;
        }
        if (fresh) {
            continue;
        }
        ret = qcow2_get_refcount(s, c, &rc);
        if (ret == 0 && rc) {
            ret = qcow2_signal_corruption(s, "Cluster %#" PRIx64 " past the "
                                          "last allocated one is in use",
                                          c << s->cluster_bits);
        }
        if (ret == 0) {
            ret = qcow2_update_refcount(s, c << s->cluster_bits, 1, 1);
        }
    }
    free(areas);
    if (ret < 0) {
        return ret;
    }
    qcow2_note_file_end(s, (start + nb_blocks + n) << s->cluster_bits);
    return (int64_t)((start + nb_blocks) << s->cluster_bits);
}

int64_t qcow2_alloc_clusters(Qcow2State *s, uint64_t size)
{
    uint64_t n = qcow2_size_to_clusters(s, size), idx;
    bool ok;
    int ret;

    if (!n) {
        return -EINVAL;
    }
    if (n > (1ull << s->refcount_block_bits) / 2) {
        return alloc_fresh_run(s, n);
    }
    for (int attempt = 0; attempt < 8; attempt++) {
        idx = s->free_cluster_index;
        for (;;) {
            uint64_t next;

            if ((idx + n) > (QCOW2_L2E_OFFSET_MASK >> s->cluster_bits)) {
                return -EFBIG;
            }
            if ((idx << s->cluster_bits) >
                s->file_end + QCOW2_MAX_BEYOND_FILE_END) {
                return qcow2_signal_corruption(s, "No free cluster below "
                                               "%#" PRIx64 ", far past the "
                                               "end of the file",
                                               idx << s->cluster_bits);
            }
            ret = clusters_free(s, idx, n, &next, &ok);
            if (ret < 0) {
                return ret;
            }
            if (ok) {
                break;
            }
            if (n == 1 || idx == s->free_cluster_index) {
                /* Everything below next is in use (for n == 1). */
                if (n == 1) {
                    s->free_cluster_index = next;
                }
            }
            idx = next;
        }
        /* Blocks for the run may land inside it: check again after. */
        for (uint64_t i = idx >> s->refcount_block_bits;
             i <= (idx + n - 1) >> s->refcount_block_bits; i++) {
            ret = ensure_refblock(s, i);
            if (ret < 0) {
                return ret;
            }
        }
        {
            uint64_t next;

            ret = clusters_free(s, idx, n, &next, &ok);
            if (ret < 0) {
                return ret;
            }
        }
        if (!ok) {
            continue;
        }
        if (qcow2_overlaps_metadata(s, idx << s->cluster_bits,
                                    n << s->cluster_bits)) {
            return qcow2_signal_corruption(s, "Preventing invalid "
                                           "allocation at offset %#" PRIx64,
                                           idx << s->cluster_bits);
        }
        ret = qcow2_update_refcount(s, idx << s->cluster_bits,
                                    n << s->cluster_bits, 1);
        if (ret < 0) {
            return ret;
        }
        if (n == 1 && idx == s->free_cluster_index) {
            s->free_cluster_index = idx + 1;
        }
        qcow2_note_file_end(s, (idx + n) << s->cluster_bits);
        return (int64_t)(idx << s->cluster_bits);
    }
    /* Refcount blocks keep landing in the runs found: go past the end. */
    return alloc_fresh_run(s, n);
}

int64_t qcow2_alloc_bytes(Qcow2State *s, uint64_t size)
{
    uint64_t off = s->free_byte_offset;
    int64_t c;
    int ret;

    if (size > s->cluster_size) {
        return -EINVAL;
    }
    if (off && qcow2_offset_into_cluster(s, off) + size <= s->cluster_size) {
        /* One more compressed cluster in a host cluster already in use. */
        ret = qcow2_update_refcount(s, off, 1, 1);
        if (ret < 0) {
            return ret;
        }
    } else {
        c = qcow2_alloc_clusters(s, s->cluster_size);
        if (c < 0) {
            return c;
        }
        off = c;
    }
    s->free_byte_offset = off + size;
    if (!qcow2_offset_into_cluster(s, s->free_byte_offset)) {
        s->free_byte_offset = 0;
    }
    return off;
}

void qcow2_free_deferred(Qcow2State *s, uint64_t offset, uint64_t length)
{
    if (!length) {
        return;
    }
    if (s->nr_pending_frees == s->pending_frees_cap) {
        s->pending_frees_cap = MAX(16, s->pending_frees_cap * 2);
        s->pending_frees = xrealloc(s->pending_frees,
                                    s->pending_frees_cap *
                                    sizeof(*s->pending_frees));
    }
    s->pending_frees[s->nr_pending_frees++] = (Qcow2PendingFree) {
        offset, length,
    };
}

void qcow2_free_l2_entry_deferred(Qcow2State *s, uint64_t l2_entry)
{
    switch (qcow2_get_cluster_type(s, l2_entry)) {
    case QCOW2_CLUSTER_NORMAL:
    case QCOW2_CLUSTER_ZERO_ALLOC:
        qcow2_free_deferred(s, l2_entry & QCOW2_L2E_OFFSET_MASK,
                            s->cluster_size);
        break;
    case QCOW2_CLUSTER_COMPRESSED: {
        uint64_t coff = l2_entry & s->cluster_offset_mask;
        uint64_t nb = ((l2_entry >> s->csize_shift) & s->csize_mask) + 1;

        qcow2_free_deferred(s, coff & ~511ull, nb * 512);
        break;
    }
    default:
        break;
    }
}

int qcow2_apply_deferred_frees(Qcow2State *s)
{
    int first_err = 0;

    if (!s->nr_pending_frees) {
        return 0;
    }
    pthread_rwlock_wrlock(&s->free_lock);
    for (size_t i = 0; i < s->nr_pending_frees; i++) {
        int ret = qcow2_update_refcount(s, s->pending_frees[i].offset,
                                        s->pending_frees[i].length, -1);

        if (ret == -EINVAL) {
            /* Leaving a leak is safe; an underflow means corruption. */
            fprintf(stderr, "qcow2: refcount underflow freeing %#" PRIx64
                    " in '%s'\n", s->pending_frees[i].offset,
                    s->bs.filename);
        } else if (ret < 0 && !first_err) {
            first_err = ret;
        }
    }
    s->nr_pending_frees = 0;
    pthread_rwlock_unlock(&s->free_lock);
    return first_err;
}

/* Read an L1 table from disk into host order (bounded by the caller). */
static int read_l1(Qcow2State *s, uint64_t offset, uint32_t size,
                   uint64_t **out)
{
    uint64_t *l1 = XNEW_ARRAY(uint64_t, size ? size : 1);
    int ret = 0;

    if (size) {
        ret = bdrv_pread(s->bs.file, offset, l1, (uint64_t)size * 8);
    }
    if (ret < 0) {
        free(l1);
        return ret;
    }
    for (uint32_t i = 0; i < size; i++) {
        l1[i] = __builtin_bswap64(l1[i]);
    }
    *out = l1;
    return 0;
}

int qcow2_update_snapshot_refcount(Qcow2State *s, uint64_t l1_offset,
                                   uint32_t l1_size, const uint64_t *l1,
                                   int addend)
{
    uint64_t *own = NULL;
    int ret = 0;

    if ((uint64_t)l1_size * 8 > QCOW2_MAX_L1_BYTES) {
        return -EFBIG;
    }
    if (!l1) {
        ret = read_l1(s, l1_offset, l1_size, &own);
        if (ret < 0) {
            return ret;
        }
        l1 = own;
    }
    for (uint32_t i = 0; i < l1_size && ret == 0; i++) {
        uint64_t l2_off = l1[i] & QCOW2_L1E_OFFSET_MASK;
        uint64_t *l2;

        if (!l2_off) {
            continue;
        }
        if (qcow2_offset_into_cluster(s, l2_off)) {
            ret = qcow2_signal_corruption(s, "L2 table offset %#" PRIx64
                                          " unaligned (L1 index: %#"
                                          PRIx32 ")", l2_off, i);
            break;
        }
        ret = qcow2_cache_get(s->l2_cache, l2_off, (void **)&l2);
        if (ret < 0) {
            break;
        }
        for (uint32_t j = 0; j < s->l2_size && ret == 0; j++) {
            uint64_t e = __builtin_bswap64(l2[j]);

            switch (qcow2_get_cluster_type(s, e)) {
            case QCOW2_CLUSTER_NORMAL:
            case QCOW2_CLUSTER_ZERO_ALLOC:
                ret = qcow2_update_refcount(s, e & QCOW2_L2E_OFFSET_MASK,
                                            s->cluster_size, addend);
                break;
            case QCOW2_CLUSTER_COMPRESSED: {
                uint64_t coff = e & s->cluster_offset_mask;
                uint64_t nb = ((e >> s->csize_shift) & s->csize_mask) + 1;

                ret = qcow2_update_refcount(s, coff & ~511ull, nb * 512,
                                            addend);
                break;
            }
            default:
                break;
            }
        }
        qcow2_cache_put(s->l2_cache, (void **)&l2);
        if (ret == 0) {
            ret = qcow2_update_refcount(s, l2_off, s->cluster_size, addend);
        }
    }
    free(own);
    return ret;
}

int qcow2_fix_copied_flags(Qcow2State *s)
{
    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2_off = s->l1_table[i] & QCOW2_L1E_OFFSET_MASK;
        uint64_t *l2, rc;
        bool l2_dirty = false;
        int ret;

        if (!l2_off) {
            continue;
        }
        ret = qcow2_get_refcount(s, l2_off >> s->cluster_bits, &rc);
        if (ret < 0) {
            return ret;
        }
        if (!!(s->l1_table[i] & QCOW2_OFLAG_COPIED) != (rc == 1)) {
            s->l1_table[i] ^= QCOW2_OFLAG_COPIED;
            qcow2_l1_mark_dirty(s, i);
        }
        ret = qcow2_cache_get(s->l2_cache, l2_off, (void **)&l2);
        if (ret < 0) {
            return ret;
        }
        for (uint32_t j = 0; j < s->l2_size; j++) {
            uint64_t e = __builtin_bswap64(l2[j]);
            Qcow2ClusterType t = qcow2_get_cluster_type(s, e);

            if (t != QCOW2_CLUSTER_NORMAL && t != QCOW2_CLUSTER_ZERO_ALLOC) {
                continue;
            }
            ret = qcow2_get_refcount(s, (e & QCOW2_L2E_OFFSET_MASK) >>
                                     s->cluster_bits, &rc);
            if (ret < 0) {
                qcow2_cache_put(s->l2_cache, (void **)&l2);
                return ret;
            }
            if (!!(e & QCOW2_OFLAG_COPIED) != (rc == 1)) {
                l2[j] = __builtin_bswap64(e ^ QCOW2_OFLAG_COPIED);
                l2_dirty = true;
            }
        }
        if (l2_dirty) {
            qcow2_cache_mark_dirty(s->l2_cache, l2);
        }
        qcow2_cache_put(s->l2_cache, (void **)&l2);
    }
    return 0;
}

uint64_t qcow2_refcount_metadata_size(uint64_t clusters,
                                      uint32_t cluster_size,
                                      unsigned refcount_order,
                                      uint64_t *refblocks)
{
    uint64_t per_table_cluster = cluster_size / 8;
    uint64_t per_block = (uint64_t)cluster_size * 8 >> refcount_order;
    uint64_t table = 0, blocks = 0, n = 0, last;

    /* Blocks and table must also count themselves: iterate to a fixed
     * point (the same arithmetic QEMU's measure uses). */
    do {
        last = n;
        blocks = DIV_ROUND_UP_U64(clusters + table + blocks, per_block);
        table = DIV_ROUND_UP_U64(blocks, per_table_cluster);
        n = clusters + blocks + table;
    } while (n != last);
    if (refblocks) {
        *refblocks = blocks;
    }
    return (blocks + table) * cluster_size;
}

int64_t qcow2_get_last_cluster(Qcow2State *s, uint64_t *end)
{
    *end = 0;
    for (uint64_t i = s->refcount_table_size; i-- > 0;) {
        int64_t off = refblock_offset(s, i);
        uint64_t per_block = 1ull << s->refcount_block_bits;
        void *block;
        int ret;

        if (off < 0) {
            return off;
        }
        if (!off) {
            continue;
        }
        ret = qcow2_cache_get(s->refcount_cache, off, &block);
        if (ret < 0) {
            return ret;
        }
        for (uint64_t j = per_block; j-- > 0;) {
            if (qcow2_refcount_get_entry(block, s->refcount_order, j)) {
                *end = (i << s->refcount_block_bits) + j + 1;
                qcow2_cache_put(s->refcount_cache, &block);
                return 0;
            }
        }
        qcow2_cache_put(s->refcount_cache, &block);
    }
    return 0;
}
