/*
 * block/qcow2-check.c — "qemu-img check" for qcow2: recount every
 * reference the metadata makes (header, L1/L2 tables of the active
 * state and of every snapshot, data and compressed clusters, the
 * snapshot table, the refcount table and blocks), compare with the
 * stored refcounts, verify the COPIED flags of the active tables, and
 * repair on request.
 *
 * Messages on stderr and the counting rules follow QEMU's
 * block/qcow2-refcount.c, so the output of vireo-img check and qemu-img
 * check agree: a stored refcount above the references is a leak, below
 * is a corruption. Repairs: leaks are fixed in place (BDRV_FIX_LEAKS);
 * with BDRV_FIX_ERRORS, any refcount corruption rebuilds the whole
 * refcount structure from the recount, in new clusters past everything
 * in use, switched to by one header update. Hostile images cannot make
 * the recount allocate without bound: references far past the end of
 * the file are reported as corruption instead of counted.
 */
#include "block/qcow2-internal.h"

/* References beyond the file are counted up to this many clusters past
 * its end; further out they are errors. */
#define CHECK_MAX_BEYOND_EOF (1ull << 20)
/* The recount never covers more clusters than this (2 TiB of 512-byte
 * clusters, 256 TiB of 64 KiB ones), whatever the file claims. */
#define CHECK_MAX_CLUSTERS (1ull << 34)
/* The recount is kept in chunks of this many clusters, allocated when
 * first referenced, so a huge sparse file costs nothing. */
#define CHECK_CHUNK_BITS 16
#define CHECK_CHUNK (1ull << CHECK_CHUNK_BITS)

typedef struct CheckState {
    Qcow2State *s;
    BlockCheckResult *res;
    uint32_t **chunks;          /* references found, per host cluster */
    uint64_t nb_chunks;
    uint64_t nb;                /* clusters compared: file + referenced */
    uint64_t limit;             /* references counted below this */
} CheckState;

static uint32_t refs_get(const CheckState *c, uint64_t i)
{
    uint64_t k = i >> CHECK_CHUNK_BITS;

    return k < c->nb_chunks && c->chunks[k] ? c->chunks[k][i &
                                                          (CHECK_CHUNK - 1)]
                                            : 0;
}

static void refs_add(CheckState *c, uint64_t i, int delta)
{
    uint64_t k = i >> CHECK_CHUNK_BITS;
    uint32_t *v;

    if (k >= c->nb_chunks) {
        return;
    }
    if (!c->chunks[k]) {
        if (delta < 0) {
            return;
        }
        c->chunks[k] = XNEW_ARRAY(uint32_t, CHECK_CHUNK);
    }
    v = &c->chunks[k][i & (CHECK_CHUNK - 1)];
    if (delta > 0 && *v < UINT32_MAX) {
        (*v)++;
    } else if (delta < 0 && *v) {
        (*v)--;
    }
}

static bool refs_chunk_empty(const CheckState *c, uint64_t k)
{
    return k >= c->nb_chunks || !c->chunks[k];
}

static void refs_free(CheckState *c)
{
    for (uint64_t k = 0; k < c->nb_chunks; k++) {
        free(c->chunks[k]);
    }
    free(c->chunks);
}

/* Highest referenced cluster + 1. */
static uint64_t refs_end(const CheckState *c)
{
    for (uint64_t k = c->nb_chunks; k-- > 0;) {
        if (c->chunks[k]) {
            for (uint64_t j = CHECK_CHUNK; j-- > 0;) {
                if (c->chunks[k][j]) {
                    return (k << CHECK_CHUNK_BITS) + j + 1;
                }
            }
        }
    }
    return 0;
}

/* Could clusters [start, start+n) hold references (a chunk exists)? */
static bool refs_range_maybe(const CheckState *c, uint64_t start, uint64_t n)
{
    for (uint64_t k = start >> CHECK_CHUNK_BITS;
         k <= (start + n - 1) >> CHECK_CHUNK_BITS; k++) {
        if (!refs_chunk_empty(c, k)) {
            return true;
        }
    }
    return false;
}

/* Count one reference to every cluster touched by [offset, +len). */
static void check_inc(CheckState *c, uint64_t offset, uint64_t len)
{
    Qcow2State *s = c->s;
    uint64_t first, last;

    if (!len) {
        return;
    }
    first = offset >> s->cluster_bits;
    last = (offset + len - 1) >> s->cluster_bits;
    if (last >= c->limit || offset + len < offset) {
        fprintf(stderr, "ERROR: cluster %" PRIu64 " is far beyond the end "
                "of the image file\n", last);
        c->res->corruptions++;
        return;
    }
    c->nb = MAX(c->nb, last + 1);
    for (uint64_t i = first; i <= last; i++) {
        refs_add(c, i, 1);
    }
}

/* One L2 table; @active: statistics and flag checks of the live state. */
static int check_l2(CheckState *c, uint64_t l2_off, bool active)
{
    Qcow2State *s = c->s;
    BlockCheckResult *res = c->res;
    uint64_t *l2;
    /* Fragmentation is counted within one L2 table, as qemu-img does, so
     * `check` statistics of the same image agree between the tools. */
    uint64_t next_contiguous = 0;
    int ret = qcow2_cache_get(s->l2_cache, l2_off, (void **)&l2);

    if (ret < 0) {
        fprintf(stderr, "ERROR: I/O error in check_refcounts_l2\n");
        res->check_errors++;
        return ret;
    }
    for (uint32_t j = 0; j < s->l2_size; j++) {
        uint64_t e = __builtin_bswap64(l2[j]);
        uint64_t off = e & QCOW2_L2E_OFFSET_MASK;

        switch (qcow2_get_cluster_type(s, e)) {
        case QCOW2_CLUSTER_COMPRESSED: {
            uint64_t coff = e & s->cluster_offset_mask;
            uint64_t nb = ((e >> s->csize_shift) & s->csize_mask) + 1;

            if (e & QCOW2_OFLAG_COPIED) {
                fprintf(stderr, "ERROR: coffset=0x%" PRIx64 ": copied flag "
                        "must never be set for compressed clusters\n", coff);
                res->corruptions++;
            }
            if (active) {
                res->allocated_clusters++;
                res->compressed_clusters++;
                /* Compressed clusters count as fragmented, as in QEMU. */
                res->fragmented_clusters++;
            }
            check_inc(c, coff & ~511ull, nb * 512);
            break;
        }
        case QCOW2_CLUSTER_NORMAL:
        case QCOW2_CLUSTER_ZERO_ALLOC:
            if (qcow2_offset_into_cluster(s, off)) {
                fprintf(stderr, "ERROR offset=%" PRIx64 ": Cluster is not "
                        "properly aligned; L2 entry corrupted.\n", off);
                res->corruptions++;
                break;
            }
            if (active) {
                res->allocated_clusters++;
                if (next_contiguous && off != next_contiguous) {
                    res->fragmented_clusters++;
                }
                next_contiguous = off + s->cluster_size;
            }
            check_inc(c, off, s->cluster_size);
            break;
        default:
            break;
        }
    }
    qcow2_cache_put(s->l2_cache, (void **)&l2);
    return 0;
}

/* An L1 table (in host order) and everything it reaches. */
static void check_l1(CheckState *c, uint64_t l1_offset, uint32_t l1_size,
                     const uint64_t *l1, bool active)
{
    Qcow2State *s = c->s;

    check_inc(c, l1_offset, (uint64_t)l1_size * 8);
    for (uint32_t i = 0; i < l1_size; i++) {
        uint64_t l2_off = l1[i] & QCOW2_L1E_OFFSET_MASK;

        if (!l2_off) {
            continue;
        }
        if (qcow2_offset_into_cluster(s, l2_off)) {
            fprintf(stderr, "ERROR l2_offset=%" PRIx64 ": Table is not "
                    "cluster aligned; L1 entry corrupted\n", l2_off);
            c->res->corruptions++;
            continue;
        }
        check_inc(c, l2_off, s->cluster_size);
        check_l2(c, l2_off, active);
    }
}

static int check_snapshot_l1(CheckState *c, const Qcow2Snapshot *sn)
{
    Qcow2State *s = c->s;
    uint64_t *l1 = XNEW_ARRAY(uint64_t, sn->l1_size + 1);
    int ret = 0;

    if (sn->l1_size) {
        ret = bdrv_pread(s->bs.file, sn->l1_table_offset, l1,
                         (uint64_t)sn->l1_size * 8);
    }
    if (ret < 0) {
        fprintf(stderr, "ERROR: I/O error in check_refcounts_l1\n");
        c->res->check_errors++;
        free(l1);
        return ret;
    }
    for (uint32_t i = 0; i < sn->l1_size; i++) {
        l1[i] = __builtin_bswap64(l1[i]);
    }
    check_l1(c, sn->l1_table_offset, sn->l1_size, l1, false);
    free(l1);
    return 0;
}

/*
 * The refcount table and blocks count as references too. Returns how
 * many table entries are damaged (only a rebuild repairs those).
 */
static int check_refblocks(CheckState *c, uint64_t file_clusters, int fix)
{
    Qcow2State *s = c->s;
    int damaged = 0;

    check_inc(c, s->refcount_table_offset,
              (uint64_t)s->refcount_table_clusters << s->cluster_bits);
    for (uint64_t i = 0; i < s->refcount_table_size; i++) {
        uint64_t e = s->refcount_table[i];
        uint64_t off = e & QCOW2_REFT_OFFSET_MASK;

        if (!e) {
            continue;
        }
        if ((e & QCOW2_REFT_RESERVED_MASK) ||
            qcow2_offset_into_cluster(s, off)) {
            fprintf(stderr, "ERROR refcount block %" PRIu64 " is not "
                    "cluster aligned; refcount table entry corrupted\n", i);
        } else if ((off >> s->cluster_bits) >= file_clusters) {
            fprintf(stderr, "ERROR refcount block %" PRIu64 " is outside "
                    "image\n", i);
        } else if (refs_get(c, off >> s->cluster_bits)) {
            /* Shared with other metadata or another refcount block. */
            fprintf(stderr, "ERROR refcount block %" PRIu64 " overlaps "
                    "other metadata\n", i);
            check_inc(c, off, s->cluster_size);
        } else {
            check_inc(c, off, s->cluster_size);
            continue;
        }
        c->res->corruptions++;
        damaged++;
        if (fix & BDRV_FIX_ERRORS) {
            /* Its area reads as uncounted now; the rebuild that follows
             * replaces the whole structure. */
            s->refcount_table[i] = 0;
        }
    }
    return damaged;
}

/*
 * Write a refcount structure describing the recount from scratch: blocks
 * for every area with references, then a table, both past everything in
 * use; the header switches to them in one sector write.
 */
static int rebuild_refcounts(CheckState *c)
{
    Qcow2State *s = c->s;
    uint64_t per_block = 1ull << s->refcount_block_bits;
    uint64_t highest = 0, first_new_area, start, nb_old_areas = 0;
    uint64_t nb_new = 1, table_clusters, entries, *table;
    uint8_t *buf, hdr[12];
    int ret;

    /* The old structure is not referenced by the new one. */
    for (uint64_t i = 0; i < s->refcount_table_size; i++) {
        uint64_t off = s->refcount_table[i] & QCOW2_REFT_OFFSET_MASK;

        if (off && !qcow2_offset_into_cluster(s, off)) {
            refs_add(c, off >> s->cluster_bits, -1);
        }
    }
    for (uint64_t i = 0; i < s->refcount_table_clusters; i++) {
        refs_add(c, (s->refcount_table_offset >> s->cluster_bits) + i, -1);
    }
    highest = refs_end(c);
    for (uint64_t a = 0; a < DIV_ROUND_UP_U64(highest, per_block); a++) {
        if (!refs_range_maybe(c, a * per_block, per_block)) {
            continue;
        }
        for (uint64_t i = a * per_block; i < MIN((a + 1) * per_block,
                                                 highest); i++) {
            if (refs_get(c, i)) {
                nb_old_areas++;
                break;
            }
        }
    }
    first_new_area = MAX(DIV_ROUND_UP_U64(highest, per_block),
                         DIV_ROUND_UP_U64(c->nb, per_block));
    start = first_new_area * per_block;
    for (;;) {
        uint64_t b;

        entries = first_new_area + nb_new;
        table_clusters = DIV_ROUND_UP_U64(entries * 8, s->cluster_size);
        b = DIV_ROUND_UP_U64(nb_old_areas + nb_new + table_clusters,
                             per_block);
        if (b == nb_new) {
            break;
        }
        nb_new = b;
    }
    entries = table_clusters * s->cluster_size / 8;
    if (table_clusters * s->cluster_size > QCOW2_MAX_REFTABLE_BYTES) {
        return -EFBIG;
    }

    table = XNEW_ARRAY(uint64_t, entries);
    buf = xzalloc(s->cluster_size);
    {
        uint64_t next = start;      /* where the next block goes */
        uint64_t total = nb_old_areas + nb_new + table_clusters;

        ret = 0;
        for (uint64_t a = 0; a < first_new_area + nb_new && ret == 0; a++) {
            bool any = false;

            if (a < first_new_area &&
                !refs_range_maybe(c, a * per_block, per_block)) {
                continue;
            }
            memset(buf, 0, s->cluster_size);
            for (uint64_t j = 0; j < per_block; j++) {
                uint64_t ci = a * per_block + j;
                uint64_t v = refs_get(c, ci);

                /* The new blocks and table themselves. */
                if (ci >= start && ci < start + total) {
                    v = 1;
                }
                if (v) {
                    qcow2_refcount_set_entry(buf, s->refcount_order, j,
                                             MIN(v, s->refcount_max));
                    any = true;
                }
            }
            if (!any) {
                continue;
            }
            table[a] = next << s->cluster_bits;
            ret = bdrv_pwrite(s->bs.file, next << s->cluster_bits, buf,
                              s->cluster_size);
            next++;
        }
        free(buf);
        if (ret == 0) {
            buf = xzalloc(table_clusters * s->cluster_size);
            for (uint64_t i = 0; i < entries; i++) {
                be64_store(buf + 8 * i, table[i]);
            }
            ret = bdrv_pwrite(s->bs.file, (start + nb_old_areas + nb_new) <<
                              s->cluster_bits, buf,
                              table_clusters * s->cluster_size);
            free(buf);
        }
    }
    if (ret == 0) {
        ret = bdrv_flush(s->bs.file);
    }
    if (ret == 0) {
        be64_store(hdr, (start + nb_old_areas + nb_new) << s->cluster_bits);
        be32_store(hdr + 8, table_clusters);
        ret = qcow2_write_header_field(s, QCOW2_HDR_REFTABLE_OFF, hdr, 12);
    }
    if (ret == 0) {
        ret = bdrv_flush(s->bs.file);
    }
    if (ret < 0) {
        free(table);
        return ret;
    }
    /* The cached blocks describe the old structure: forget them. */
    qcow2_cache_clear(s->refcount_cache);
    free(s->refcount_table);
    s->refcount_table = table;
    s->refcount_table_size = entries;
    s->refcount_table_offset = (start + nb_old_areas + nb_new) <<
                               s->cluster_bits;
    s->refcount_table_clusters = table_clusters;
    qcow2_note_file_end(s, (start + nb_old_areas + nb_new + table_clusters)
                           << s->cluster_bits);
    s->free_cluster_index = 0;
    s->nr_pending_frees = 0;
    return 0;
}

/*
 * COPIED must be set exactly where the refcount is 1 (active tables).
 * Repaired with @repair; otherwise each mismatch is a corruption.
 */
static int check_copied_flags(CheckState *c, bool repair)
{
    Qcow2State *s = c->s;
    BlockCheckResult *res = c->res;

    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2_off = s->l1_table[i] & QCOW2_L1E_OFFSET_MASK;
        uint64_t rc, *l2;
        bool dirty = false;
        int ret;

        if (!l2_off || qcow2_offset_into_cluster(s, l2_off)) {
            continue;
        }
        ret = qcow2_get_refcount(s, l2_off >> s->cluster_bits, &rc);
        if (ret < 0) {
            res->check_errors++;
            continue;
        }
        if ((rc == 1) != !!(s->l1_table[i] & QCOW2_OFLAG_COPIED)) {
            fprintf(stderr, "%s OFLAG_COPIED L2 cluster: l1_index=%" PRIu32
                    " l1_entry=%" PRIx64 " refcount=%" PRIu64 "\n",
                    repair ? "Repairing" : "ERROR", i, s->l1_table[i], rc);
            if (repair) {
                s->l1_table[i] ^= QCOW2_OFLAG_COPIED;
                qcow2_l1_mark_dirty(s, i);
                res->corruptions_fixed++;
            } else {
                res->corruptions++;
            }
        }
        ret = qcow2_cache_get(s->l2_cache, l2_off, (void **)&l2);
        if (ret < 0) {
            res->check_errors++;
            continue;
        }
        for (uint32_t j = 0; j < s->l2_size; j++) {
            uint64_t e = __builtin_bswap64(l2[j]);
            Qcow2ClusterType t = qcow2_get_cluster_type(s, e);

            if ((t != QCOW2_CLUSTER_NORMAL && t != QCOW2_CLUSTER_ZERO_ALLOC)
                || qcow2_offset_into_cluster(s, e & QCOW2_L2E_OFFSET_MASK)) {
                continue;
            }
            ret = qcow2_get_refcount(s, (e & QCOW2_L2E_OFFSET_MASK) >>
                                     s->cluster_bits, &rc);
            if (ret < 0) {
                res->check_errors++;
                continue;
            }
            if ((rc == 1) != !!(e & QCOW2_OFLAG_COPIED)) {
                fprintf(stderr, "%s OFLAG_COPIED data cluster: l2_entry=%"
                        PRIx64 " refcount=%" PRIu64 "\n",
                        repair ? "Repairing" : "ERROR", e, rc);
                if (repair) {
                    l2[j] = __builtin_bswap64(e ^ QCOW2_OFLAG_COPIED);
                    dirty = true;
                    res->corruptions_fixed++;
                } else {
                    res->corruptions++;
                }
            }
        }
        if (dirty) {
            qcow2_cache_mark_dirty(s->l2_cache, l2);
        }
        qcow2_cache_put(s->l2_cache, (void **)&l2);
    }
    return 0;
}

/* Does any refcount block cover the chunk starting at cluster @i? */
static bool chunk_has_refblock(Qcow2State *s, uint64_t i)
{
    uint64_t first = i >> s->refcount_block_bits;
    uint64_t last = (i + CHECK_CHUNK - 1) >> s->refcount_block_bits;

    for (uint64_t a = first; a <= last && a < s->refcount_table_size; a++) {
        if (s->refcount_table[a]) {
            return true;
        }
    }
    return false;
}

/* Compare stored and counted refcounts; fix leaks in place if asked. */
static void compare_refcounts(CheckState *c, uint64_t nb, int fix,
                              bool *needs_rebuild, uint64_t *highest)
{
    Qcow2State *s = c->s;
    BlockCheckResult *res = c->res;

    *highest = 0;
    for (uint64_t i = 0; i < nb; i++) {
        uint64_t stored, found = refs_get(c, i);
        uint64_t area = i >> s->refcount_block_bits;
        int ret;

        if (!(i & (CHECK_CHUNK - 1)) &&
            refs_chunk_empty(c, i >> CHECK_CHUNK_BITS) &&
            !chunk_has_refblock(s, i)) {
            i += CHECK_CHUNK - 1;   /* nothing counted, nothing stored */
            continue;
        }
        if (area < s->refcount_table_size &&
            ((s->refcount_table[area] & QCOW2_REFT_RESERVED_MASK) ||
             qcow2_offset_into_cluster(s, s->refcount_table[area] &
                                          QCOW2_REFT_OFFSET_MASK))) {
            continue;   /* reported once as a damaged table entry */
        }
        ret = qcow2_get_refcount(s, i, &stored);

        if (ret < 0) {
            fprintf(stderr, "Can't get refcount for cluster %" PRIu64
                    ": %s\n", i, strerror(-ret));
            res->check_errors++;
            continue;
        }
        if (stored || found) {
            *highest = i + 1;
        }
        if (stored == found) {
            continue;
        }
        if (stored > found && (fix & BDRV_FIX_LEAKS)) {
            fprintf(stderr, "Repairing cluster %" PRIu64 " refcount=%"
                    PRIu64 " reference=%" PRIu64 "\n", i, stored, found);
            ret = qcow2_update_refcount(s, i << s->cluster_bits, 1,
                                        (int64_t)found - (int64_t)stored);
            if (ret == 0) {
                res->leaks_fixed++;
                continue;
            }
        } else if (stored < found && (fix & BDRV_FIX_ERRORS)) {
            fprintf(stderr, "Repairing cluster %" PRIu64 " refcount=%"
                    PRIu64 " reference=%" PRIu64 "\n", i, stored, found);
            *needs_rebuild = true;
            res->corruptions_fixed++;
            continue;
        } else {
            fprintf(stderr, "%s cluster %" PRIu64 " refcount=%" PRIu64
                    " reference=%" PRIu64 "\n",
                    stored < found ? "ERROR" : "Leaked", i, stored, found);
        }
        if (stored < found) {
            res->corruptions++;
        } else {
            res->leaks++;
        }
    }
}

int qcow2_check_locked(Qcow2State *s, BlockCheckResult *res, int fix)
{
    CheckState c = { .s = s, .res = res };
    int64_t file_len = bdrv_getlength(s->bs.file);
    uint64_t file_clusters, nb, highest;
    bool rebuild;
    int damaged, ret;

    memset(res, 0, sizeof(*res));
    if (file_len < 0) {
        res->check_errors++;
        return (int)file_len;
    }
    if (!s->bs.read_only) {
        /* Count what is on disk, with the deferred frees applied. */
        ret = qcow2_flush_metadata(s);
        if (ret < 0) {
            res->check_errors++;
            return ret;
        }
    }
    file_clusters = qcow2_size_to_clusters(s, file_len);
    c.limit = MIN(file_clusters + CHECK_MAX_BEYOND_EOF, CHECK_MAX_CLUSTERS);
    c.nb = MIN(MAX(file_clusters, 1), c.limit);
    c.nb_chunks = DIV_ROUND_UP_U64(c.limit, CHECK_CHUNK);
    c.chunks = XNEW_ARRAY(uint32_t *, c.nb_chunks);
    res->has_cluster_info = true;
    res->total_clusters = qcow2_size_to_clusters(s, s->size);

    check_inc(&c, 0, s->cluster_size);
    check_l1(&c, s->l1_table_offset, s->l1_size, s->l1_table, true);
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        check_snapshot_l1(&c, &s->snapshots[i]);
    }
    check_inc(&c, s->snapshots_offset, s->snapshots_size);
    damaged = check_refblocks(&c, file_clusters, fix);
    rebuild = damaged > 0;

    /* Every cluster of the file, and any referenced past its end (as
     * QEMU does: stray refcounts past the end are not looked at). */
    nb = c.nb;
    compare_refcounts(&c, nb, fix, &rebuild, &highest);
    if (rebuild && (fix & BDRV_FIX_ERRORS) && !s->bs.read_only) {
        ret = rebuild_refcounts(&c);
        if (ret < 0) {
            fprintf(stderr, "ERROR: could not rebuild refcount structure: "
                    "%s\n", strerror(-ret));
            res->check_errors++;
        } else {
            res->corruptions -= damaged;
            res->corruptions_fixed += damaged;
        }
    }
    /* COPIED: repaired with -r all, or with -r leaks if all else is
     * fine (QEMU's rule). */
    check_copied_flags(&c, (fix & BDRV_FIX_ERRORS) ||
                           ((fix & BDRV_FIX_LEAKS) && !res->check_errors &&
                            !res->corruptions && !res->leaks));

    highest = refs_end(&c);
    res->image_end_offset = (int64_t)highest << s->cluster_bits;
    refs_free(&c);

    if (fix && !s->bs.read_only) {
        ret = qcow2_flush_metadata(s);
        if (ret == 0) {
            ret = qcow2_cache_write(s->refcount_cache);
        }
        if (ret == 0) {
            ret = bdrv_flush(s->bs.file);
        }
        if (ret < 0) {
            res->check_errors++;
            return ret;
        }
        /* A clean bill of health clears the dirty and corrupt bits. */
        if (!res->check_errors && !res->corruptions && s->version >= 3 &&
            (s->incompatible_features & (QCOW2_INCOMPAT_DIRTY |
                                         QCOW2_INCOMPAT_CORRUPT))) {
            uint8_t field[8];

            s->incompatible_features &= ~(QCOW2_INCOMPAT_DIRTY |
                                          QCOW2_INCOMPAT_CORRUPT);
            be64_store(field, s->incompatible_features);
            ret = qcow2_write_header_field(s, QCOW2_HDR_INCOMPAT_OFF, field,
                                           8);
            if (ret == 0) {
                ret = bdrv_flush(s->bs.file);
            }
            s->corrupt = false;
        }
    }
    return 0;
}

int qcow2_check(BlockDriverState *bs, BlockCheckResult *res, int fix)
{
    Qcow2State *s = qcow2_state(bs);
    int ret;

    pthread_mutex_lock(&s->lock);
    ret = qcow2_check_locked(s, res, fix);
    pthread_mutex_unlock(&s->lock);
    return ret;
}
