/*
 * block/qcow2-cluster.c — guest-to-host cluster mapping (qcow2.txt
 * "Cluster mapping"): the active L1 table, L2 tables through the L2
 * cache, copy-on-write of shared tables and clusters, zero clusters,
 * discard, compressed cluster descriptors, preallocation.
 *
 * Every function here runs with Qcow2State.lock held. Writers never
 * change a cluster that is shared (refcount > 1, COPIED clear) or that
 * nothing owns yet: they allocate a new one, fill it completely (guest
 * data plus the old contents around it), and only then point the L2
 * entry at it; the old cluster's reference is dropped later, once the
 * new entry is on disk (qcow2_free_deferred()).
 */
#include "block/qcow2-internal.h"

Qcow2ClusterType qcow2_get_cluster_type(const Qcow2State *s,
                                        uint64_t l2_entry)
{
    if (l2_entry & QCOW2_OFLAG_COMPRESSED) {
        return QCOW2_CLUSTER_COMPRESSED;
    }
    if (l2_entry & QCOW2_OFLAG_ZERO) {
        return (l2_entry & QCOW2_L2E_OFFSET_MASK) ? QCOW2_CLUSTER_ZERO_ALLOC
                                                  : QCOW2_CLUSTER_ZERO_PLAIN;
    }
    return (l2_entry & QCOW2_L2E_OFFSET_MASK) ? QCOW2_CLUSTER_NORMAL
                                              : QCOW2_CLUSTER_UNALLOCATED;
}

static uint64_t l2_get(const uint64_t *l2, unsigned i)
{
    return __builtin_bswap64(l2[i]);
}

static void l2_set(uint64_t *l2, unsigned i, uint64_t e)
{
    l2[i] = __builtin_bswap64(e);
}

/* The L2 table offset of L1 entry @i (0: none), or -EIO if malformed. */
static int64_t l1_l2_offset(Qcow2State *s, uint64_t i)
{
    uint64_t off;

    if (i >= s->l1_size) {
        return 0;
    }
    off = s->l1_table[i] & QCOW2_L1E_OFFSET_MASK;
    if (qcow2_offset_into_cluster(s, off)) {
        return qcow2_signal_corruption(s, "L2 table offset %#" PRIx64
                                       " unaligned (L1 index: %#" PRIx64
                                       ")", off, i);
    }
    return off;
}

/* Can entry @e follow @first at distance @k in one run? */
static bool same_run(const Qcow2State *s, uint64_t first, uint64_t e,
                     unsigned k)
{
    Qcow2ClusterType t = qcow2_get_cluster_type(s, first);

    if (qcow2_get_cluster_type(s, e) != t) {
        return false;
    }
    switch (t) {
    case QCOW2_CLUSTER_NORMAL:
    case QCOW2_CLUSTER_ZERO_ALLOC:
        return (e & QCOW2_L2E_OFFSET_MASK) ==
               (first & QCOW2_L2E_OFFSET_MASK) +
               ((uint64_t)k << s->cluster_bits) &&
               (e & QCOW2_OFLAG_COPIED) == (first & QCOW2_OFLAG_COPIED);
    case QCOW2_CLUSTER_COMPRESSED:
        return false;
    default:
        return true;
    }
}

int qcow2_get_host_offset(Qcow2State *s, uint64_t offset, uint64_t *bytes,
                          uint64_t *host_offset, Qcow2ClusterType *type,
                          uint64_t *l2_entry)
{
    uint64_t l1_index = offset >> (s->l2_bits + s->cluster_bits);
    unsigned l2_index = (offset >> s->cluster_bits) & (s->l2_size - 1);
    uint64_t in_cluster = qcow2_offset_into_cluster(s, offset);
    uint64_t max = ((uint64_t)(s->l2_size - l2_index) << s->cluster_bits) -
                   in_cluster;
    int64_t l2_off;
    uint64_t *l2, e;
    unsigned k;
    int ret;

    *bytes = MIN(*bytes, max);
    *host_offset = 0;
    *l2_entry = 0;
    *type = QCOW2_CLUSTER_UNALLOCATED;
    l2_off = l1_l2_offset(s, l1_index);
    if (l2_off <= 0) {
        return l2_off;
    }
    ret = qcow2_cache_get(s->l2_cache, l2_off, (void **)&l2);
    if (ret < 0) {
        return ret;
    }
    e = l2_get(l2, l2_index);
    *type = qcow2_get_cluster_type(s, e);
    if ((*type == QCOW2_CLUSTER_NORMAL ||
         *type == QCOW2_CLUSTER_ZERO_ALLOC) &&
        qcow2_offset_into_cluster(s, e & QCOW2_L2E_OFFSET_MASK)) {
        qcow2_cache_put(s->l2_cache, (void **)&l2);
        return qcow2_signal_corruption(s, "Cluster allocation offset %#"
                                       PRIx64 " unaligned (L2 offset: %#"
                                       PRIx64 ", L2 index: %#x)",
                                       e & QCOW2_L2E_OFFSET_MASK, l2_off,
                                       l2_index);
    }
    for (k = 1; l2_index + k < s->l2_size &&
         ((uint64_t)k << s->cluster_bits) < in_cluster + *bytes; k++) {
        if (!same_run(s, e, l2_get(l2, l2_index + k), k)) {
            break;
        }
    }
    qcow2_cache_put(s->l2_cache, (void **)&l2);
    *bytes = MIN(*bytes, ((uint64_t)k << s->cluster_bits) - in_cluster);
    *l2_entry = e;
    if (*type == QCOW2_CLUSTER_NORMAL || *type == QCOW2_CLUSTER_ZERO_ALLOC) {
        *host_offset = (e & QCOW2_L2E_OFFSET_MASK) + in_cluster;
    } else if (*type == QCOW2_CLUSTER_COMPRESSED) {
        *host_offset = e & s->cluster_offset_mask;
    }
    return 0;
}

void qcow2_l1_mark_dirty(Qcow2State *s, uint32_t index)
{
    s->l1_dirty[index / 64] = 1;
}

int qcow2_write_l1_dirty(Qcow2State *s)
{
    uint32_t sectors = DIV_ROUND_UP_U64(s->l1_size, 64);
    uint64_t buf[64];

    for (uint32_t i = 0; i < sectors; i++) {
        int ret;

        if (!s->l1_dirty[i]) {
            continue;
        }
        /* The table is padded with zero entries to whole sectors. */
        for (unsigned j = 0; j < 64; j++) {
            buf[j] = __builtin_bswap64(s->l1_table[i * 64 + j]);
        }
        ret = bdrv_pwrite(s->bs.file, s->l1_table_offset + i * 512ull, buf,
                          512);
        if (ret < 0) {
            return ret;
        }
        s->l1_dirty[i] = 0;
    }
    return 0;
}

int qcow2_grow_l1_table(Qcow2State *s, uint64_t min_size)
{
    uint64_t new_bytes, old_offset = s->l1_table_offset;
    uint64_t old_bytes = ALIGN_UP((uint64_t)s->l1_size * 8,
                                  s->cluster_size);
    uint64_t *table;
    uint8_t *buf, hdr[12];
    int64_t new_offset;
    int ret;

    if (min_size <= s->l1_size) {
        return 0;
    }
    if (min_size * 8 > QCOW2_MAX_L1_BYTES) {
        return -EFBIG;
    }
    /* Everything the old table points at must be durable before it is
     * copied into a table the header will point at. */
    ret = qcow2_flush_metadata(s);
    if (ret < 0) {
        return ret;
    }
    new_bytes = ALIGN_UP(min_size * 8, s->cluster_size);
    new_offset = qcow2_alloc_clusters(s, new_bytes);
    if (new_offset < 0) {
        return (int)new_offset;
    }
    table = xzalloc(ALIGN_UP(new_bytes, 512));
    memcpy(table, s->l1_table, (uint64_t)s->l1_size * 8);
    buf = xzalloc(new_bytes);
    for (uint64_t i = 0; i < min_size; i++) {
        be64_store(buf + 8 * i, table[i]);
    }
    ret = bdrv_pwrite(s->bs.file, new_offset, buf, new_bytes);
    free(buf);
    /* The new table's own refcount is still only in the refcount cache:
     * it and the table must be on disk before the header points there,
     * or a crash in between leaves a referenced cluster with refcount 0
     * (as the snapshot table does, qcow2-snapshot.c). */
    if (ret == 0) {
        ret = qcow2_cache_write(s->refcount_cache);
    }
    if (ret == 0) {
        ret = bdrv_flush(s->bs.file);
    }
    if (ret == 0) {
        be32_store(hdr, min_size);
        be64_store(hdr + 4, new_offset);
        ret = qcow2_write_header_field(s, QCOW2_HDR_L1_SIZE_OFF, hdr, 12);
    }
    if (ret == 0) {
        ret = bdrv_flush(s->bs.file);
    }
    if (ret < 0) {
        free(table);
        qcow2_update_refcount(s, new_offset, new_bytes, -1);
        return ret;
    }
    free(s->l1_table);
    free(s->l1_dirty);
    s->l1_table = table;
    s->l1_size = min_size;
    s->l1_table_offset = new_offset;
    s->l1_dirty = xzalloc(DIV_ROUND_UP_U64(min_size, 64) + 1);
    if (old_offset && old_bytes) {
        /* The header no longer points at it, durably. */
        ret = qcow2_update_refcount(s, old_offset, old_bytes, -1);
    }
    return ret;
}

int qcow2_get_l2_for_write(Qcow2State *s, uint64_t offset, uint64_t **table,
                           unsigned *index)
{
    uint64_t l1_index = offset >> (s->l2_bits + s->cluster_bits);
    int64_t l2_off, new_off;
    uint64_t *old, *l2;
    int ret;

    *index = (offset >> s->cluster_bits) & (s->l2_size - 1);
    if (l1_index >= s->l1_size) {
        ret = qcow2_grow_l1_table(s, l1_index + 1);
        if (ret < 0) {
            return ret;
        }
    }
    l2_off = l1_l2_offset(s, l1_index);
    if (l2_off < 0) {
        return (int)l2_off;
    }
    if (l2_off && (s->l1_table[l1_index] & QCOW2_OFLAG_COPIED)) {
        return qcow2_cache_get(s->l2_cache, l2_off, (void **)table);
    }

    /* No table, or one shared with a snapshot: a new one for us. */
    new_off = qcow2_alloc_clusters(s, s->cluster_size);
    if (new_off < 0) {
        return (int)new_off;
    }
    ret = qcow2_cache_get_empty(s->l2_cache, new_off, (void **)&l2);
    if (ret < 0) {
        qcow2_update_refcount(s, new_off, s->cluster_size, -1);
        return ret;
    }
    if (l2_off) {
        ret = qcow2_cache_get(s->l2_cache, l2_off, (void **)&old);
        if (ret < 0) {
            qcow2_cache_put(s->l2_cache, (void **)&l2);
            qcow2_cache_discard(s->l2_cache, new_off);
            qcow2_update_refcount(s, new_off, s->cluster_size, -1);
            return ret;
        }
        memcpy(l2, old, s->cluster_size);
        qcow2_cache_put(s->l2_cache, (void **)&old);
        qcow2_free_deferred(s, l2_off, s->cluster_size);
    }
    qcow2_cache_mark_dirty(s->l2_cache, l2);
    s->l1_table[l1_index] = (uint64_t)new_off | QCOW2_OFLAG_COPIED;
    qcow2_l1_mark_dirty(s, l1_index);
    *table = l2;
    return 0;
}

/*
 * The current contents of guest cluster @guest_cluster (described by L2
 * entry @e), for copy-on-write, into @buf (one cluster).
 */
static int read_old_cluster(Qcow2State *s, uint64_t guest_cluster,
                            uint64_t e, uint8_t *buf)
{
    BlockDriverState *backing = s->bs.backing;
    int ret;

    switch (qcow2_get_cluster_type(s, e)) {
    case QCOW2_CLUSTER_UNALLOCATED:
        memset(buf, 0, s->cluster_size);
        if (backing) {
            int64_t blen = bdrv_getlength(backing);
            uint64_t n;

            if (blen < 0) {
                return (int)blen;
            }
            if (guest_cluster >= (uint64_t)blen) {
                return 0;
            }
            n = MIN(s->cluster_size, (uint64_t)blen - guest_cluster);
            return bdrv_pread(backing, guest_cluster, buf, n);
        }
        return 0;
    case QCOW2_CLUSTER_ZERO_PLAIN:
    case QCOW2_CLUSTER_ZERO_ALLOC:
        memset(buf, 0, s->cluster_size);
        return 0;
    case QCOW2_CLUSTER_COMPRESSED:
        ret = qcow2_decompress_cluster(s, e);
        if (ret == 0) {
            memcpy(buf, s->cbuf, s->cluster_size);
        }
        return ret;
    default:
        return bdrv_pread(s->bs.file, e & QCOW2_L2E_OFFSET_MASK, buf,
                          s->cluster_size);
    }
}

/* The guest-data part of the iovec as a new iovec array. */
static int iov_slice(const struct iovec *iov, int niov, uint64_t offset,
                     uint64_t len, struct iovec *out, int max)
{
    int n = 0;

    for (int i = 0; i < niov && len; i++) {
        uint64_t l = iov[i].iov_len;

        if (offset >= l) {
            offset -= l;
            continue;
        }
        if (n == max) {
            return -1;
        }
        out[n].iov_base = (uint8_t *)iov[i].iov_base + offset;
        out[n].iov_len = MIN(l - offset, len);
        len -= out[n].iov_len;
        offset = 0;
        n++;
    }
    return n;
}

/* At most this many clusters are allocated by one call. */
#define QCOW2_MAX_ALLOC_RUN 256

int64_t qcow2_alloc_write(Qcow2State *s, uint64_t offset, uint64_t bytes,
                          const struct iovec *iov, int niov,
                          uint64_t iov_offset)
{
    uint64_t in_cluster = qcow2_offset_into_cluster(s, offset);
    uint64_t guest_start = offset - in_cluster;
    uint64_t *l2, total, done, tail_len;
    uint8_t *head = NULL, *tail = NULL;
    struct iovec *v = NULL;
    unsigned idx, k, want;
    int64_t host;
    int nv, ret;

    ret = qcow2_get_l2_for_write(s, offset, &l2, &idx);
    if (ret < 0) {
        return ret;
    }
    want = MIN(MIN((uint64_t)s->l2_size - idx, QCOW2_MAX_ALLOC_RUN),
               DIV_ROUND_UP_U64(in_cluster + bytes, s->cluster_size));
    for (k = 0; k < want; k++) {
        uint64_t e = l2_get(l2, idx + k);

        if (k > 0 && qcow2_get_cluster_type(s, e) == QCOW2_CLUSTER_NORMAL &&
            (e & QCOW2_OFLAG_COPIED)) {
            break;      /* this one is written in place by the caller */
        }
    }
    done = MIN(bytes, ((uint64_t)k << s->cluster_bits) - in_cluster);
    total = (uint64_t)k << s->cluster_bits;
    tail_len = total - in_cluster - done;

    host = qcow2_alloc_clusters(s, total);
    if (host < 0) {
        ret = (int)host;
        goto out;
    }
    if (in_cluster) {
        head = xmalloc(s->cluster_size);
        ret = read_old_cluster(s, guest_start, l2_get(l2, idx), head);
        if (ret < 0) {
            goto fail_alloc;
        }
    }
    if (tail_len) {
        uint64_t last = guest_start + total - s->cluster_size;

        tail = xmalloc(s->cluster_size);
        if (k == 1 && head) {
            memcpy(tail, head, s->cluster_size);
        } else {
            ret = read_old_cluster(s, last, l2_get(l2, idx + k - 1), tail);
            if (ret < 0) {
                goto fail_alloc;
            }
        }
    }

    /* head | guest data | tail, as one write of whole clusters. */
    v = XNEW_ARRAY(struct iovec, niov + 2);
    nv = 0;
    if (in_cluster) {
        v[nv++] = (struct iovec) { head, in_cluster };
    }
    ret = iov_slice(iov, niov, iov_offset, done, v + nv, niov);
    if (ret < 0) {
        ret = -EINVAL;
        goto fail_alloc;
    }
    nv += ret;
    if (tail_len) {
        v[nv++] = (struct iovec) { tail + s->cluster_size - tail_len,
                                   tail_len };
    }
    ret = bdrv_pwritev(s->bs.file, host, total, v, nv, 0);
    if (ret < 0) {
        goto fail_alloc;
    }
    s->data_unstable = true;

    for (unsigned j = 0; j < k; j++) {
        qcow2_free_l2_entry_deferred(s, l2_get(l2, idx + j));
        l2_set(l2, idx + j, ((uint64_t)host + ((uint64_t)j <<
                                               s->cluster_bits)) |
                            QCOW2_OFLAG_COPIED);
    }
    qcow2_cache_mark_dirty(s->l2_cache, l2);
    ret = 0;
    goto out;

fail_alloc:
    /* Nothing references the new clusters: give them back now. */
    qcow2_update_refcount(s, host, total, -1);
out:
    qcow2_cache_put(s->l2_cache, (void **)&l2);
    free(v);
    free(head);
    free(tail);
    return ret < 0 ? ret : (int64_t)done;
}

int64_t qcow2_zero_clusters(Qcow2State *s, uint64_t offset, uint64_t bytes,
                            bool may_unmap)
{
    uint64_t l1_index = offset >> (s->l2_bits + s->cluster_bits);
    unsigned idx = (offset >> s->cluster_bits) & (s->l2_size - 1);
    uint64_t n = MIN(bytes >> s->cluster_bits, (uint64_t)s->l2_size - idx);
    bool shows_backing = s->bs.backing != NULL;
    uint64_t *l2;
    int64_t l2_off;
    int ret;

    if (!n) {
        return 0;
    }
    if (s->version < 3 && shows_backing) {
        return -ENOTSUP;        /* no zero flag: the caller writes zeroes */
    }
    l2_off = l1_l2_offset(s, l1_index);
    if (l2_off < 0) {
        return l2_off;
    }
    if (!l2_off && !shows_backing) {
        /* Unallocated without a backing file already reads zeroes. */
        return n << s->cluster_bits;
    }
    ret = qcow2_get_l2_for_write(s, offset, &l2, &idx);
    if (ret < 0) {
        return ret;
    }
    for (uint64_t j = 0; j < n; j++) {
        uint64_t e = l2_get(l2, idx + j), ne;
        Qcow2ClusterType t = qcow2_get_cluster_type(s, e);

        if (t == QCOW2_CLUSTER_ZERO_PLAIN ||
            (t == QCOW2_CLUSTER_UNALLOCATED && !shows_backing)) {
            continue;
        }
        if (!may_unmap && s->version >= 3 && (e & QCOW2_OFLAG_COPIED) &&
            (t == QCOW2_CLUSTER_NORMAL || t == QCOW2_CLUSTER_ZERO_ALLOC)) {
            /* Keep our own cluster allocated, reading as zeroes. */
            ne = e | QCOW2_OFLAG_ZERO;
        } else {
            /* Without a backing file, unallocated reads zeroes; with
             * one (v3 only, see above), the zero flag hides it. */
            qcow2_free_l2_entry_deferred(s, e);
            ne = shows_backing ? QCOW2_OFLAG_ZERO : 0;
        }
        l2_set(l2, idx + j, ne);
    }
    qcow2_cache_mark_dirty(s->l2_cache, l2);
    qcow2_cache_put(s->l2_cache, (void **)&l2);
    return n << s->cluster_bits;
}

int qcow2_discard_clusters(Qcow2State *s, uint64_t offset, uint64_t bytes)
{
    while (bytes >= s->cluster_size) {
        uint64_t l1_index = offset >> (s->l2_bits + s->cluster_bits);
        unsigned idx = (offset >> s->cluster_bits) & (s->l2_size - 1);
        uint64_t n = MIN(bytes >> s->cluster_bits,
                         (uint64_t)s->l2_size - idx);
        int64_t l2_off = l1_l2_offset(s, l1_index);
        uint64_t *l2;
        int ret;

        if (l2_off < 0) {
            return (int)l2_off;
        }
        if (l2_off) {
            ret = qcow2_get_l2_for_write(s, offset, &l2, &idx);
            if (ret < 0) {
                return ret;
            }
            for (uint64_t j = 0; j < n; j++) {
                uint64_t e = l2_get(l2, idx + j);

                if (e) {
                    qcow2_free_l2_entry_deferred(s, e);
                    l2_set(l2, idx + j, 0);
                }
            }
            qcow2_cache_mark_dirty(s->l2_cache, l2);
            qcow2_cache_put(s->l2_cache, (void **)&l2);
        }
        offset += n << s->cluster_bits;
        bytes -= n << s->cluster_bits;
    }
    return 0;
}

int qcow2_decompress_cluster(Qcow2State *s, uint64_t l2_entry)
{
    uint64_t coff = l2_entry & s->cluster_offset_mask;
    uint64_t nb = ((l2_entry >> s->csize_shift) & s->csize_mask) + 1;
    uint64_t csize = nb * 512 - (coff & 511);
    uint8_t *in;
    int ret;

    if (s->cbuf_entry == l2_entry) {
        return 0;
    }
    in = xmalloc(csize);
    ret = bdrv_pread(s->bs.file, coff, in, csize);
    if (ret == 0) {
        ret = qcow2_decompress(s->compression_type, s->cbuf,
                               s->cluster_size, in, csize);
    }
    free(in);
    s->cbuf_entry = ret == 0 ? l2_entry : 0;
    return ret;
}

int qcow2_write_compressed_cluster(Qcow2State *s, uint64_t offset,
                                   const void *cdata, size_t csize)
{
    uint64_t *l2, nb, e;
    unsigned idx;
    int64_t host;
    int ret;

    ret = qcow2_get_l2_for_write(s, offset, &l2, &idx);
    if (ret < 0) {
        return ret;
    }
    host = qcow2_alloc_bytes(s, csize);
    if (host < 0) {
        qcow2_cache_put(s->l2_cache, (void **)&l2);
        return (int)host;
    }
    nb = ((host + csize - 1) >> 9) - (host >> 9);
    ret = bdrv_pwrite(s->bs.file, host, cdata, csize);
    if (ret < 0 || nb > s->csize_mask) {
        qcow2_update_refcount(s, host, csize, -1);
        qcow2_cache_put(s->l2_cache, (void **)&l2);
        return ret < 0 ? ret : -EIO;
    }
    s->data_unstable = true;
    e = QCOW2_OFLAG_COMPRESSED | (nb << s->csize_shift) | (uint64_t)host;
    qcow2_free_l2_entry_deferred(s, l2_get(l2, idx));
    l2_set(l2, idx, e);
    qcow2_cache_mark_dirty(s->l2_cache, l2);
    qcow2_cache_put(s->l2_cache, (void **)&l2);
    s->cbuf_entry = 0;
    return 0;
}

int qcow2_preallocate(Qcow2State *s, uint64_t offset, uint64_t bytes)
{
    int64_t file_len = bdrv_getlength(s->bs.file);

    if (file_len < 0) {
        return (int)file_len;
    }
    offset = qcow2_start_of_cluster(s, offset);
    while (bytes) {
        uint64_t *l2;
        unsigned idx;
        uint64_t n;
        int64_t host;
        int ret;

        ret = qcow2_get_l2_for_write(s, offset, &l2, &idx);
        if (ret < 0) {
            return ret;
        }
        n = MIN(DIV_ROUND_UP_U64(bytes, s->cluster_size),
                (uint64_t)s->l2_size - idx);
        for (uint64_t j = 0; j < n; j++) {
            Qcow2ClusterType t = qcow2_get_cluster_type(s, l2_get(l2,
                                                                  idx + j));

            if (t != QCOW2_CLUSTER_UNALLOCATED &&
                t != QCOW2_CLUSTER_ZERO_PLAIN) {
                continue;
            }
            host = qcow2_alloc_clusters(s, s->cluster_size);
            if (host < 0) {
                qcow2_cache_put(s->l2_cache, (void **)&l2);
                return (int)host;
            }
            /* A reused cluster may hold old data: it must read zeroes. */
            if (host < file_len) {
                ret = bdrv_pwrite_zeroes(s->bs.file, host, s->cluster_size,
                                         0);
                if (ret < 0) {
                    qcow2_cache_put(s->l2_cache, (void **)&l2);
                    return ret;
                }
                s->data_unstable = true;
            }
            l2_set(l2, idx + j, (uint64_t)host | QCOW2_OFLAG_COPIED);
            qcow2_cache_mark_dirty(s->l2_cache, l2);
        }
        qcow2_cache_put(s->l2_cache, (void **)&l2);
        n <<= s->cluster_bits;
        offset += n;
        bytes -= MIN(bytes, n);
    }
    return 0;
}
