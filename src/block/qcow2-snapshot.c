/*
 * block/qcow2-snapshot.c — internal snapshots (qcow2.txt "Snapshots"):
 * the snapshot table, and create/apply/delete/list.
 *
 * Each change to the table is written to newly allocated clusters and
 * made visible by one header update (nb_snapshots and snapshots_offset
 * share a sector), after the refcounts it relies on are durable:
 *  create: copy the active L1 table, +1 on everything it reaches, clear
 *          COPIED in the active tables, flush; then the new table.
 *  apply:  +1 on what the snapshot reaches, flush; overwrite the active
 *          L1 with the snapshot's, flush; -1 on what the old active L1
 *          reached; fix COPIED.
 *  delete: the new table first; then -1 on what the snapshot reached
 *          and free its L1 copy; fix COPIED.
 * A crash in between leaves leaked clusters at worst. (As in QEMU, the
 * COPIED flags of the active tables are rewritten after the refcounts
 * change, so a crash in that short window can also leave flags that
 * "qemu-img check -r leaks" repairs.)
 */
#include "block/qcow2-internal.h"
#include "util/error.h"

/* Fixed part of a snapshot table entry, and the extra data we know. */
#define SN_HEADER_SIZE 40
#define SN_EXTRA_KNOWN 24       /* vm_state_size_large, disk_size, icount */

void qcow2_free_snapshots(Qcow2State *s)
{
    for (uint32_t i = 0; i < s->nb_snapshots && s->snapshots; i++) {
        free(s->snapshots[i].id_str);
        free(s->snapshots[i].name);
        free(s->snapshots[i].unknown_extra);
    }
    free(s->snapshots);
    s->snapshots = NULL;
}

int qcow2_read_snapshots(Qcow2State *s, Error **errp)
{
    uint64_t off = s->snapshots_offset;
    uint8_t h[SN_HEADER_SIZE];
    int ret;

    s->snapshots = XNEW_ARRAY(Qcow2Snapshot, s->nb_snapshots + 1);
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];
        uint16_t id_len, name_len;
        uint8_t *extra = NULL;

        ret = bdrv_pread(s->bs.file, off, h, sizeof(h));
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to read snapshot table");
            goto fail;
        }
        sn->l1_table_offset = be64_load(h);
        sn->l1_size = be32_load(h + 8);
        id_len = be16_load(h + 12);
        name_len = be16_load(h + 14);
        sn->date_sec = be32_load(h + 16);
        sn->date_nsec = be32_load(h + 20);
        sn->vm_clock_nsec = be64_load(h + 24);
        sn->vm_state_size = be32_load(h + 32);
        sn->extra_data_size = be32_load(h + 36);
        sn->disk_size = s->size;
        sn->icount = UINT64_MAX;
        if (sn->extra_data_size > QCOW2_MAX_EXTRA_DATA) {
            error_setg(errp, "Too much extra metadata in snapshot table "
                       "entry %u", i);
            ret = -EFBIG;
            goto fail;
        }
        off += sizeof(h);
        if (sn->extra_data_size) {
            extra = xmalloc(sn->extra_data_size);
            ret = bdrv_pread(s->bs.file, off, extra, sn->extra_data_size);
            if (ret < 0) {
                free(extra);
                error_setg_errno(errp, -ret, "Failed to read snapshot "
                                 "table");
                goto fail;
            }
            if (sn->extra_data_size >= 8) {
                sn->vm_state_size = be64_load(extra);
            }
            if (sn->extra_data_size >= 16) {
                sn->disk_size = be64_load(extra + 8);
            }
            if (sn->extra_data_size >= 24) {
                sn->icount = be64_load(extra + 16);
            }
            if (sn->extra_data_size > SN_EXTRA_KNOWN) {
                sn->unknown_extra_size = sn->extra_data_size -
                                         SN_EXTRA_KNOWN;
                sn->unknown_extra = xmalloc(sn->unknown_extra_size);
                memcpy(sn->unknown_extra, extra + SN_EXTRA_KNOWN,
                       sn->unknown_extra_size);
            }
            free(extra);
            off += sn->extra_data_size;
        }
        sn->id_str = xzalloc(id_len + 1);
        sn->name = xzalloc(name_len + 1);
        ret = bdrv_pread(s->bs.file, off, sn->id_str, id_len);
        if (ret == 0) {
            ret = bdrv_pread(s->bs.file, off + id_len, sn->name, name_len);
        }
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to read snapshot table");
            goto fail;
        }
        off = ALIGN_UP(off + id_len + name_len, 8);
        if (off - s->snapshots_offset > QCOW2_MAX_SNAPSHOTS_BYTES) {
            error_setg(errp, "Snapshot table too large");
            ret = -EFBIG;
            goto fail;
        }
        if (qcow2_offset_into_cluster(s, sn->l1_table_offset) ||
            (uint64_t)sn->l1_size * 8 > QCOW2_MAX_L1_BYTES) {
            error_setg(errp, "Snapshot L1 table %s", sn->l1_size * 8ull >
                       QCOW2_MAX_L1_BYTES ? "too large" : "offset invalid");
            ret = -EINVAL;
            goto fail;
        }
    }
    s->snapshots_size = off - s->snapshots_offset;
    return 0;

fail:
    qcow2_free_snapshots(s);
    return ret < 0 ? ret : -EIO;
}

/* Serialise @list (@n entries) into a new buffer; *len gets its size. */
static uint8_t *snapshot_table_build(Qcow2State *s, const Qcow2Snapshot *list,
                                     uint32_t n, uint64_t *len)
{
    uint64_t size = 0, pos = 0;
    uint8_t *buf;

    for (uint32_t i = 0; i < n; i++) {
        size += ALIGN_UP(SN_HEADER_SIZE + SN_EXTRA_KNOWN +
                         list[i].unknown_extra_size +
                         strlen(list[i].id_str) + strlen(list[i].name), 8);
    }
    buf = xzalloc(size ? size : 8);
    for (uint32_t i = 0; i < n; i++) {
        const Qcow2Snapshot *sn = &list[i];
        size_t id_len = strlen(sn->id_str), name_len = strlen(sn->name);
        uint8_t *p = buf + pos;

        be64_store(p, sn->l1_table_offset);
        be32_store(p + 8, sn->l1_size);
        be16_store(p + 12, id_len);
        be16_store(p + 14, name_len);
        be32_store(p + 16, sn->date_sec);
        be32_store(p + 20, sn->date_nsec);
        be64_store(p + 24, sn->vm_clock_nsec);
        be32_store(p + 32, MIN(sn->vm_state_size, UINT32_MAX));
        be32_store(p + 36, SN_EXTRA_KNOWN + sn->unknown_extra_size);
        be64_store(p + 40, sn->vm_state_size);
        be64_store(p + 48, sn->disk_size);
        be64_store(p + 56, sn->icount);
        if (sn->unknown_extra_size) {
            memcpy(p + 64, sn->unknown_extra, sn->unknown_extra_size);
        }
        p += 64 + sn->unknown_extra_size;
        memcpy(p, sn->id_str, id_len);
        memcpy(p + id_len, sn->name, name_len);
        pos += ALIGN_UP(SN_HEADER_SIZE + SN_EXTRA_KNOWN +
                        sn->unknown_extra_size + id_len + name_len, 8);
    }
    *len = size;
    return buf;
}

/*
 * Make @list (@n entries, taken over on success only) the snapshot
 * table: written to new clusters and flushed, then the header switched
 * and flushed, then the old table freed.
 */
static int snapshot_table_write(Qcow2State *s, Qcow2Snapshot *list,
                                uint32_t n)
{
    uint64_t len, old_off = s->snapshots_offset;
    uint64_t old_len = s->snapshots_size;
    uint8_t *buf = snapshot_table_build(s, list, n, &len);
    uint8_t hdr[12];
    int64_t off = 0;
    int ret = 0;

    if (len > QCOW2_MAX_SNAPSHOTS_BYTES) {
        free(buf);
        return -EFBIG;
    }
    if (len) {
        off = qcow2_alloc_clusters(s, len);
        if (off < 0) {
            free(buf);
            return (int)off;
        }
        ret = bdrv_pwrite(s->bs.file, off, buf, len);
    }
    free(buf);
    if (ret == 0) {
        /* The new table and the refcounts that protect it. */
        ret = qcow2_cache_write(s->refcount_cache);
    }
    if (ret == 0) {
        ret = bdrv_flush(s->bs.file);
    }
    if (ret == 0) {
        be32_store(hdr, n);
        be64_store(hdr + 4, off);
        ret = qcow2_write_header_field(s, QCOW2_HDR_SNAPSHOTS_OFF, hdr, 12);
    }
    if (ret == 0) {
        ret = bdrv_flush(s->bs.file);
    }
    if (ret < 0) {
        if (off) {
            qcow2_update_refcount(s, off, len, -1);
        }
        return ret;
    }
    s->snapshots = list;
    s->nb_snapshots = n;
    s->snapshots_offset = off;
    s->snapshots_size = len;
    if (old_off && old_len) {
        /* Done: the new table is in use. Failing to free the old one
         * only leaks it. */
        qcow2_update_refcount(s, old_off, old_len, -1);
    }
    return 0;
}

static Qcow2Snapshot snapshot_copy(const Qcow2Snapshot *sn)
{
    Qcow2Snapshot c = *sn;

    c.id_str = xstrdup(sn->id_str);
    c.name = xstrdup(sn->name);
    c.unknown_extra = sn->unknown_extra_size
                      ? qcow2_memdup(sn->unknown_extra, sn->unknown_extra_size)
                      : NULL;
    return c;
}

static void snapshot_list_free(Qcow2Snapshot *list, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        free(list[i].id_str);
        free(list[i].name);
        free(list[i].unknown_extra);
    }
    free(list);
}

static int snapshot_find_id(Qcow2State *s, const char *id)
{
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        if (!strcmp(s->snapshots[i].id_str, id)) {
            return i;
        }
    }
    return -1;
}

/* QEMU's rule: one more than the largest numeric id. */
static char *snapshot_new_id(Qcow2State *s)
{
    unsigned long max = 0;

    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        unsigned long v = strtoul(s->snapshots[i].id_str, NULL, 10);

        max = MAX(max, v);
    }
    return xasprintf("%lu", max + 1);
}

/* The active L1 table as a snapshot stores it (flags cleared). */
static uint8_t *l1_image(Qcow2State *s, uint64_t *len)
{
    uint8_t *buf;

    *len = ALIGN_UP((uint64_t)s->l1_size * 8, s->cluster_size);
    buf = xzalloc(*len ? *len : 8);
    for (uint32_t i = 0; i < s->l1_size; i++) {
        be64_store(buf + 8 * i, s->l1_table[i] & ~QCOW2_OFLAG_COPIED);
    }
    return buf;
}

int qcow2_snapshot_create(BlockDriverState *bs, BlockSnapshotInfo *info)
{
    Qcow2State *s = qcow2_state(bs);
    Qcow2Snapshot sn = { 0 }, *list;
    uint64_t l1_len = 0;
    int64_t l1_off = 0;
    uint8_t *l1buf;
    int ret;

    pthread_mutex_lock(&s->lock);
    if (s->corrupt) {
        ret = -EIO;
        goto out;
    }
    if (s->nb_snapshots >= QCOW2_MAX_SNAPSHOTS) {
        ret = -EFBIG;
        goto out;
    }
    if (s->refcount_max < 2) {
        ret = -ERANGE;          /* 1-bit refcounts cannot share clusters */
        goto out;
    }
    if (info->id_str[0] && snapshot_find_id(s, info->id_str) >= 0) {
        ret = -EEXIST;
        goto out;
    }
    ret = qcow2_flush_metadata(s);
    if (ret < 0) {
        goto out;
    }

    /* 1. The L1 copy. */
    l1buf = l1_image(s, &l1_len);
    if (l1_len) {
        l1_off = qcow2_alloc_clusters(s, l1_len);
        if (l1_off < 0) {
            free(l1buf);
            ret = (int)l1_off;
            goto out;
        }
        ret = bdrv_pwrite(s->bs.file, l1_off, l1buf, l1_len);
    }
    free(l1buf);
    /* 2. Everything it reaches gains a reference; COPIED goes. */
    if (ret == 0) {
        ret = qcow2_update_snapshot_refcount(s, 0, s->l1_size, s->l1_table,
                                             1);
    }
    if (ret == 0) {
        ret = qcow2_fix_copied_flags(s);
    }
    if (ret == 0) {
        ret = qcow2_flush_metadata(s);
    }
    if (ret < 0) {
        goto out;       /* leaked references at worst */
    }

    /* 3. The table with the new entry. */
    sn.l1_table_offset = l1_off;
    sn.l1_size = s->l1_size;
    sn.id_str = info->id_str[0] ? xstrdup(info->id_str) : snapshot_new_id(s);
    sn.name = xstrdup(info->name);
    sn.disk_size = s->size;
    sn.vm_state_size = info->vm_state_size;
    sn.date_sec = info->date_sec;
    sn.date_nsec = info->date_nsec;
    sn.vm_clock_nsec = info->vm_clock_nsec;
    sn.icount = info->icount;
    list = XNEW_ARRAY(Qcow2Snapshot, s->nb_snapshots + 2);
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        list[i] = snapshot_copy(&s->snapshots[i]);
    }
    list[s->nb_snapshots] = sn;
    {
        Qcow2Snapshot *old = s->snapshots;
        uint32_t old_n = s->nb_snapshots;

        ret = snapshot_table_write(s, list, old_n + 1);
        if (ret < 0) {
            snapshot_list_free(list, old_n + 1);
            goto out;
        }
        snapshot_list_free(old, old_n);
    }
    snprintf(info->id_str, sizeof(info->id_str), "%s",
             s->snapshots[s->nb_snapshots - 1].id_str);

    /* 4. The VM state now belongs to the snapshot only. */
    if (info->vm_state_size) {
        ret = qcow2_discard_clusters(s, qcow2_vm_state_offset(s),
                                     ALIGN_UP(info->vm_state_size,
                                              s->cluster_size));
        if (ret == 0) {
            ret = qcow2_flush_metadata(s);
        }
    }
out:
    pthread_mutex_unlock(&s->lock);
    return ret;
}

/* Read a snapshot's L1 table into host order. */
static int snapshot_read_l1(Qcow2State *s, const Qcow2Snapshot *sn,
                            uint64_t **out)
{
    uint64_t *l1 = XNEW_ARRAY(uint64_t, sn->l1_size + 1);
    int ret = 0;

    if (sn->l1_size) {
        ret = bdrv_pread(s->bs.file, sn->l1_table_offset, l1,
                         (uint64_t)sn->l1_size * 8);
    }
    if (ret < 0) {
        free(l1);
        return ret;
    }
    for (uint32_t i = 0; i < sn->l1_size; i++) {
        l1[i] = __builtin_bswap64(l1[i]);
    }
    *out = l1;
    return 0;
}

int qcow2_snapshot_goto(BlockDriverState *bs, const char *snapshot_id,
                        Error **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t *sn_l1 = NULL, *old_l1 = NULL;
    uint32_t old_size;
    Qcow2Snapshot *sn;
    int idx, ret;

    pthread_mutex_lock(&s->lock);
    idx = snapshot_find_id(s, snapshot_id);
    if (idx < 0) {
        error_setg(errp, "Can't find snapshot");
        ret = -ENOENT;
        goto out;
    }
    sn = &s->snapshots[idx];
    if (s->corrupt) {
        ret = -EIO;
        goto fail;
    }
    ret = qcow2_flush_metadata(s);
    if (ret == 0) {
        ret = snapshot_read_l1(s, sn, &sn_l1);
    }
    if (ret == 0 && sn->l1_size > s->l1_size) {
        ret = qcow2_grow_l1_table(s, sn->l1_size);
    }
    /* 1. The snapshot's clusters gain the active table's reference. */
    if (ret == 0) {
        ret = qcow2_update_snapshot_refcount(s, 0, sn->l1_size, sn_l1, 1);
    }
    if (ret == 0) {
        ret = qcow2_cache_write(s->refcount_cache);
    }
    if (ret == 0) {
        ret = bdrv_flush(s->bs.file);
    }
    if (ret < 0) {
        goto fail;
    }
    /* 2. The active L1 table becomes the snapshot's. */
    old_size = s->l1_size;
    old_l1 = qcow2_memdup(s->l1_table, (uint64_t)old_size * 8);
    for (uint32_t i = 0; i < s->l1_size; i++) {
        s->l1_table[i] = i < sn->l1_size ? sn_l1[i] & ~QCOW2_OFLAG_COPIED
                                         : 0;
        qcow2_l1_mark_dirty(s, i);
    }
    ret = qcow2_write_l1_dirty(s);
    if (ret == 0) {
        ret = bdrv_flush(s->bs.file);
    }
    if (ret < 0) {
        goto fail;
    }
    /* 3. What only the old active table reached is released. */
    ret = qcow2_update_snapshot_refcount(s, 0, old_size, old_l1, -1);
    if (ret == 0) {
        ret = qcow2_fix_copied_flags(s);
    }
    if (ret == 0 && sn->disk_size != s->size) {
        uint8_t field[8];

        be64_store(field, sn->disk_size);
        ret = qcow2_flush_metadata(s);
        if (ret == 0) {
            ret = qcow2_write_header_field(s, QCOW2_HDR_SIZE_OFF, field, 8);
        }
        if (ret == 0) {
            s->size = sn->disk_size;
            s->l1_vm_state_index = qcow2_size_to_l1(s, s->size);
        }
    }
    if (ret == 0) {
        ret = qcow2_flush_metadata(s);
    }
    s->cbuf_entry = 0;
fail:
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not apply snapshot");
    }
out:
    free(sn_l1);
    free(old_l1);
    pthread_mutex_unlock(&s->lock);
    return ret;
}

int qcow2_snapshot_delete(BlockDriverState *bs, const char *snapshot_id,
                          const char *name, Error **errp)
{
    Qcow2State *s = qcow2_state(bs);
    Qcow2Snapshot victim, *list, *old;
    uint32_t n = 0, old_n;
    int idx = -1, ret;

    pthread_mutex_lock(&s->lock);
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        if ((!snapshot_id || !strcmp(s->snapshots[i].id_str, snapshot_id)) &&
            (!name || !strcmp(s->snapshots[i].name, name))) {
            idx = i;
            break;
        }
    }
    if (idx < 0) {
        error_setg(errp, "Can't find the snapshot");
        ret = -ENOENT;
        goto out;
    }
    if (s->corrupt) {
        error_setg(errp, "Image is corrupt");
        ret = -EIO;
        goto out;
    }
    ret = qcow2_flush_metadata(s);
    if (ret < 0) {
        goto fail;
    }
    /* 1. The table without it. */
    victim = snapshot_copy(&s->snapshots[idx]);
    list = XNEW_ARRAY(Qcow2Snapshot, s->nb_snapshots + 1);
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        if ((int)i != idx) {
            list[n++] = snapshot_copy(&s->snapshots[i]);
        }
    }
    old = s->snapshots;
    old_n = s->nb_snapshots;
    ret = snapshot_table_write(s, list, n);
    if (ret < 0) {
        snapshot_list_free(list, n);
        free(victim.id_str);
        free(victim.name);
        free(victim.unknown_extra);
        goto fail;
    }
    snapshot_list_free(old, old_n);
    /* 2. Nothing refers to its tables any more: release them. */
    ret = qcow2_update_snapshot_refcount(s, victim.l1_table_offset,
                                         victim.l1_size, NULL, -1);
    if (ret == 0 && victim.l1_size) {
        ret = qcow2_update_refcount(s, victim.l1_table_offset,
                                    ALIGN_UP((uint64_t)victim.l1_size * 8,
                                             s->cluster_size), -1);
    }
    free(victim.id_str);
    free(victim.name);
    free(victim.unknown_extra);
    if (ret == 0) {
        ret = qcow2_fix_copied_flags(s);
    }
    if (ret == 0) {
        ret = qcow2_flush_metadata(s);
    }
fail:
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to delete snapshot");
    }
out:
    pthread_mutex_unlock(&s->lock);
    return ret;
}

int qcow2_snapshot_list(BlockDriverState *bs, BlockSnapshotInfo **psn)
{
    Qcow2State *s = qcow2_state(bs);
    BlockSnapshotInfo *out;

    pthread_mutex_lock(&s->lock);
    out = XNEW_ARRAY(BlockSnapshotInfo, s->nb_snapshots + 1);
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        const Qcow2Snapshot *sn = &s->snapshots[i];

        snprintf(out[i].id_str, sizeof(out[i].id_str), "%s", sn->id_str);
        snprintf(out[i].name, sizeof(out[i].name), "%s", sn->name);
        out[i].vm_state_size = sn->vm_state_size;
        out[i].date_sec = sn->date_sec;
        out[i].date_nsec = sn->date_nsec;
        out[i].vm_clock_nsec = sn->vm_clock_nsec;
        out[i].icount = sn->icount;
    }
    *psn = out;
    pthread_mutex_unlock(&s->lock);
    return s->nb_snapshots;
}
