/*
 * block/qcow2-cache.c — a small write-back cache of cluster-sized
 * metadata tables (qcow2 L2 tables, refcount blocks), kept exactly as
 * they are on disk.
 *
 * Invariants: an entry with refs > 0 is in use by the caller and is
 * never evicted or reused; a dirty entry is written before its slot is
 * reused; the writeback hook runs before any dirty entry is written, so
 * that a cache can depend on another one (the L2 cache requires the
 * refcount cache and guest data to be durable first, qcow2.c). Callers
 * hold the image lock: the cache has no lock of its own.
 */
#include "block/qcow2-internal.h"

typedef struct Qcow2CacheEntry {
    uint64_t offset;            /* 0: slot empty */
    uint64_t lru;               /* higher: used more recently */
    unsigned refs;
    bool dirty;
} Qcow2CacheEntry;

struct Qcow2Cache {
    BlockDriverState *file;
    uint32_t table_size;
    unsigned nr_entries;
    uint8_t *tables;            /* nr_entries * table_size, aligned */
    Qcow2CacheEntry *entries;
    uint64_t lru_counter;
    int (*hook)(void *opaque);
    void *hook_opaque;
};

Qcow2Cache *qcow2_cache_new(BlockDriverState *file, unsigned nr_entries,
                            uint32_t table_size)
{
    Qcow2Cache *c = XNEW(Qcow2Cache);
    void *mem;

    c->file = file;
    c->table_size = table_size;
    c->nr_entries = nr_entries;
    if (posix_memalign(&mem, 4096, (size_t)nr_entries * table_size)) {
        free(c);
        return NULL;
    }
    c->tables = mem;
    c->entries = XNEW_ARRAY(Qcow2CacheEntry, nr_entries);
    return c;
}

void qcow2_cache_free(Qcow2Cache *c)
{
    if (c) {
        free(c->tables);
        free(c->entries);
        free(c);
    }
}

void qcow2_cache_set_writeback_hook(Qcow2Cache *c, int (*hook)(void *),
                                    void *opaque)
{
    c->hook = hook;
    c->hook_opaque = opaque;
}

static void *cache_table(Qcow2Cache *c, unsigned i)
{
    return c->tables + (size_t)i * c->table_size;
}

static unsigned cache_index(Qcow2Cache *c, const void *table)
{
    return ((const uint8_t *)table - c->tables) / c->table_size;
}

static int cache_write_entry(Qcow2Cache *c, unsigned i)
{
    Qcow2CacheEntry *e = &c->entries[i];
    int ret;

    if (!e->dirty) {
        return 0;
    }
    if (c->hook) {
        ret = c->hook(c->hook_opaque);
        if (ret < 0) {
            return ret;
        }
    }
    ret = bdrv_pwrite(c->file, e->offset, cache_table(c, i), c->table_size);
    if (ret == 0) {
        e->dirty = false;
    }
    return ret;
}

/* A slot for a new table: empty, else the least recently used unpinned
 * one (written back first if dirty). */
static int cache_find_slot(Qcow2Cache *c, unsigned *slot)
{
    int best = -1;

    for (unsigned i = 0; i < c->nr_entries; i++) {
        Qcow2CacheEntry *e = &c->entries[i];

        if (e->refs) {
            continue;
        }
        if (!e->offset) {
            best = i;
            break;
        }
        if (best < 0 || e->lru < c->entries[best].lru) {
            best = i;
        }
    }
    if (best < 0) {
        return -ENOSPC;         /* every entry pinned: a driver bug */
    }
    if (c->entries[best].dirty) {
        int ret = cache_write_entry(c, best);

        if (ret < 0) {
            return ret;
        }
    }
    *slot = best;
    return 0;
}

static int cache_do_get(Qcow2Cache *c, uint64_t offset, void **table,
                        bool read)
{
    unsigned slot;
    int ret;

    if (!offset || offset % c->table_size) {
        return -EIO;
    }
    for (unsigned i = 0; i < c->nr_entries; i++) {
        if (c->entries[i].offset == offset) {
            slot = i;
            goto found;
        }
    }
    ret = cache_find_slot(c, &slot);
    if (ret < 0) {
        return ret;
    }
    c->entries[slot].offset = 0;
    if (read) {
        ret = bdrv_pread(c->file, offset, cache_table(c, slot),
                         c->table_size);
        if (ret < 0) {
            return ret;
        }
    }
    c->entries[slot].offset = offset;
    c->entries[slot].dirty = false;
found:
    if (!read) {
        memset(cache_table(c, slot), 0, c->table_size);
    }
    c->entries[slot].refs++;
    c->entries[slot].lru = ++c->lru_counter;
    *table = cache_table(c, slot);
    return 0;
}

int qcow2_cache_get(Qcow2Cache *c, uint64_t offset, void **table)
{
    return cache_do_get(c, offset, table, true);
}

int qcow2_cache_get_empty(Qcow2Cache *c, uint64_t offset, void **table)
{
    return cache_do_get(c, offset, table, false);
}

void qcow2_cache_put(Qcow2Cache *c, void **table)
{
    unsigned i = cache_index(c, *table);

    if (c->entries[i].refs) {
        c->entries[i].refs--;
    }
    *table = NULL;
}

void qcow2_cache_mark_dirty(Qcow2Cache *c, void *table)
{
    c->entries[cache_index(c, table)].dirty = true;
}

bool qcow2_cache_is_dirty(const Qcow2Cache *c)
{
    for (unsigned i = 0; i < c->nr_entries; i++) {
        if (c->entries[i].dirty) {
            return true;
        }
    }
    return false;
}

int qcow2_cache_write(Qcow2Cache *c)
{
    int first_err = 0;

    for (unsigned i = 0; i < c->nr_entries; i++) {
        int ret = cache_write_entry(c, i);

        if (ret < 0 && !first_err) {
            first_err = ret;
        }
    }
    return first_err;
}

void qcow2_cache_discard(Qcow2Cache *c, uint64_t offset)
{
    for (unsigned i = 0; i < c->nr_entries; i++) {
        Qcow2CacheEntry *e = &c->entries[i];

        if (e->offset == offset && !e->refs) {
            e->offset = 0;
            e->dirty = false;
        }
    }
}

void qcow2_cache_clear(Qcow2Cache *c)
{
    for (unsigned i = 0; i < c->nr_entries; i++) {
        if (!c->entries[i].refs) {
            c->entries[i].offset = 0;
            c->entries[i].dirty = false;
        }
    }
}
