/*
 * exec/memory-access.c — dispatching accesses to regions, and the
 * address-space accessors built on it (CPU-style load/store, DMA-style
 * read/write, zero-copy map).
 *
 * I/O access rules, applied in this order (as QEMU's memory.c does):
 *   1. the size is 1, 2, 4 or 8 and lies inside the region;
 *   2. ops->valid: min..max size (default 1..4) and, unless
 *      valid.unaligned, natural alignment — else MEMTX_ACCESS_ERROR;
 *   3. ops->accepts may veto the access — MEMTX_ACCESS_ERROR;
 *   4. ops->impl: the callbacks are called with size clamped to
 *      impl.min..impl.max (default: the valid limits). A wider access is
 *      split into impl.max pieces, lowest address first, assembled
 *      little-endian; a narrower one becomes one impl.min access at the
 *      aligned address (unless impl.unaligned), with the wanted byte
 *      lanes shifted out on reads, and a read-modify-write that keeps the
 *      other lanes on writes. QEMU's access_with_adjusted_size() is the
 *      model, plus the aligned widening QEMU gained for aligned-only
 *      device models.
 *
 * Address-space accesses split at FlatView range boundaries. RAM is
 * copied directly and every RAM write goes through
 * ram_block_notify_write() so the translator can drop code it made from
 * the bytes. ROM reads like RAM; writes to it are dropped (MEMTX_OK: it is
 * the guest's mistake, reported by the caller) except through
 * address_space_write_rom(). Device ranges are cut into the largest
 * naturally aligned pieces of at most 8 bytes that the region's
 * valid.max allows.
 *
 * The host is little-endian, so a uint64_t holds guest bytes in order.
 */
#include "exec/memory-internal.h"

typedef struct AccessRules {
    unsigned valid_min, valid_max;
    bool valid_unaligned;
    unsigned impl_min, impl_max;
    bool impl_unaligned;
} AccessRules;

typedef enum AccessKind {
    ACCESS_READ,
    ACCESS_WRITE,
    ACCESS_WRITE_ROM,       /* loaders: ROM is writable, I/O is refused */
} AccessKind;

static bool access_size_ok(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

/* All-ones in the low @bytes bytes (@bytes in 0..8). */
static uint64_t byte_mask(unsigned bytes)
{
    return bytes >= 8 ? UINT64_MAX : (UINT64_C(1) << (bytes * 8)) - 1;
}

static void access_rules_get(const MemoryRegionOps *ops, AccessRules *r)
{
    r->valid_min = ops->valid.min_access_size ? ops->valid.min_access_size
                                              : 1;
    r->valid_max = ops->valid.max_access_size ? ops->valid.max_access_size
                                              : 4;
    r->valid_unaligned = ops->valid.unaligned;
    r->impl_min = ops->impl.min_access_size ? ops->impl.min_access_size
                                            : r->valid_min;
    r->impl_max = ops->impl.max_access_size ? ops->impl.max_access_size
                                            : r->valid_max;
    r->impl_unaligned = ops->impl.unaligned;
}

static bool io_access_valid(MemoryRegion *mr, const AccessRules *r,
                            uint64_t addr, unsigned size, bool is_write)
{
    if (size < r->valid_min || size > r->valid_max) {
        return false;
    }
    if (!r->valid_unaligned && (addr & (size - 1))) {
        return false;
    }
    return !mr->ops->accepts ||
           mr->ops->accepts(mr->opaque, addr, size, is_write);
}

/*
 * How the callbacks see an access of @size at @addr: pieces of *piece
 * bytes starting at *first, *count of them.
 */
static void io_access_pieces(const AccessRules *r, uint64_t addr,
                             unsigned size, unsigned *piece, uint64_t *first,
                             unsigned *count)
{
    unsigned p = MAX(MIN(size, r->impl_max), r->impl_min);

    if (!access_size_ok(p)) {
        p = size;   /* nonsense impl limits: pass the access through */
    }
    *piece = p;
    *first = r->impl_unaligned ? addr : addr & ~(uint64_t)(p - 1);
    *count = (unsigned)((addr - *first + size + p - 1) / p);
}

static uint64_t io_callback_read(MemoryRegion *mr, uint64_t addr,
                                 unsigned size)
{
    if (!mr->ops->read) {
        return 0;
    }
    return mr->ops->read(mr->opaque, addr, size) & byte_mask(size);
}

static void io_callback_write(MemoryRegion *mr, uint64_t addr,
                              uint64_t value, unsigned size)
{
    if (mr->ops->write) {
        mr->ops->write(mr->opaque, addr, value & byte_mask(size), size);
    }
}

static uint64_t io_read_adjusted(MemoryRegion *mr, const AccessRules *r,
                                 uint64_t addr, unsigned size)
{
    unsigned piece, count;
    uint64_t first, result = 0;

    io_access_pieces(r, addr, size, &piece, &first, &count);
    for (unsigned i = 0; i < count; i++) {
        uint64_t pos = first + (uint64_t)i * piece;
        uint64_t v = io_callback_read(mr, pos, piece);

        /* Byte lane k of the piece is byte (pos + k - addr) of the result. */
        if (pos >= addr) {
            result |= v << ((pos - addr) * 8);
        } else {
            result |= v >> ((addr - pos) * 8);
        }
    }
    return result & byte_mask(size);
}

static void io_write_adjusted(MemoryRegion *mr, const AccessRules *r,
                              uint64_t addr, uint64_t value, unsigned size)
{
    unsigned piece, count;
    uint64_t first;

    io_access_pieces(r, addr, size, &piece, &first, &count);
    for (unsigned i = 0; i < count; i++) {
        uint64_t pos = first + (uint64_t)i * piece;
        /* The lanes [lo, hi) of this piece that the access writes. */
        unsigned lo = pos >= addr ? 0 : (unsigned)(addr - pos);
        unsigned hi = MIN(piece, (unsigned)(addr + size - pos));
        uint64_t lanes = byte_mask(hi - lo) << (lo * 8);
        uint64_t data = pos >= addr ? value >> ((pos - addr) * 8)
                                    : value << ((addr - pos) * 8);

        if (lanes != byte_mask(piece)) {
            uint64_t old = io_callback_read(mr, pos, piece);
            data = (old & ~lanes) | (data & lanes);
        }
        io_callback_write(mr, pos, data, piece);
    }
}

static MemTxResult io_dispatch(MemoryRegion *mr, uint64_t addr,
                               uint64_t *value, unsigned size, bool is_write)
{
    AccessRules rules;

    if (!mr->ops) {
        return MEMTX_DECODE_ERROR;
    }
    access_rules_get(mr->ops, &rules);
    if (!io_access_valid(mr, &rules, addr, size, is_write)) {
        return MEMTX_ACCESS_ERROR;
    }
    if (is_write) {
        io_write_adjusted(mr, &rules, addr, *value, size);
    } else {
        *value = io_read_adjusted(mr, &rules, addr, size);
    }
    return MEMTX_OK;
}

/* Copy to or from RAM/ROM at @offset in @mr; @kind says if ROM takes it. */
static void ram_copy(MemoryRegion *mr, uint64_t offset, void *buf,
                     uint64_t len, AccessKind kind)
{
    uint8_t *host = mr->ram_block->host + offset;

    if (kind == ACCESS_READ) {
        memcpy(buf, host, len);
        return;
    }
    if (mr->kind == MR_ROM && kind == ACCESS_WRITE) {
        return;     /* the guest cannot write ROM: drop it */
    }
    memcpy(host, buf, len);
    ram_block_notify_write(mr->ram_block, offset, len);
}

/*
 * The subregion of container @mr that would answer at @addr, or NULL;
 * *addr becomes relative to it. Mirrors rendering: first enabled match
 * in priority order wins.
 */
static MemoryRegion *container_resolve(MemoryRegion *mr, uint64_t *addr,
                                       unsigned size)
{
    for (size_t i = 0; i < mr->nr_subregions; i++) {
        MemoryRegion *sub = mr->subregions[i];
        if (sub->enabled && *addr >= sub->addr &&
            memory_region_covers(sub, *addr - sub->addr, size)) {
            *addr -= sub->addr;
            return sub;
        }
    }
    return NULL;
}

static MemTxResult memory_region_dispatch(MemoryRegion *mr, uint64_t addr,
                                          uint64_t *value, unsigned size,
                                          bool is_write)
{
    if (!access_size_ok(size)) {
        return MEMTX_ACCESS_ERROR;
    }
    for (int depth = 0; depth < MEMORY_MAX_DEPTH; depth++) {
        if (!mr || !memory_region_covers(mr, addr, size)) {
            return MEMTX_DECODE_ERROR;
        }
        switch (mr->kind) {
        case MR_RAM:
        case MR_ROM:
            ram_copy(mr, addr, value, size,
                     is_write ? ACCESS_WRITE : ACCESS_READ);
            return MEMTX_OK;
        case MR_IO:
            return io_dispatch(mr, addr, value, size, is_write);
        case MR_ALIAS:
            addr += mr->alias_offset;
            mr = mr->alias;
            break;
        case MR_CONTAINER:
            mr = container_resolve(mr, &addr, size);
            break;
        }
    }
    return MEMTX_DECODE_ERROR;
}

MemTxResult memory_region_dispatch_read(MemoryRegion *mr, uint64_t addr,
                                        uint64_t *value, unsigned size)
{
    *value = 0;
    return memory_region_dispatch(mr, addr, value, size, false);
}

MemTxResult memory_region_dispatch_write(MemoryRegion *mr, uint64_t addr,
                                         uint64_t value, unsigned size)
{
    return memory_region_dispatch(mr, addr, &value, size, true);
}

/* --- address-space accessors --- */

/* The largest naturally aligned I/O access for a DMA piece. */
static unsigned io_dma_piece(MemoryRegion *mr, uint64_t offset, uint64_t len)
{
    unsigned max = mr->ops && mr->ops->valid.max_access_size
                   ? mr->ops->valid.max_access_size : 4;
    unsigned size = 8;

    while (size > 1 && (size > len || size > max || (offset & (size - 1)))) {
        size /= 2;
    }
    return size;
}

static MemTxResult io_copy(MemoryRegion *mr, uint64_t offset, uint8_t *buf,
                           uint64_t len, AccessKind kind)
{
    if (kind == ACCESS_WRITE_ROM) {
        return MEMTX_ACCESS_ERROR;
    }
    while (len) {
        unsigned size = io_dma_piece(mr, offset, len);
        uint64_t value = 0;
        MemTxResult r;

        if (kind == ACCESS_READ) {
            r = memory_region_dispatch_read(mr, offset, &value, size);
            memcpy(buf, &value, size);
        } else {
            memcpy(&value, buf, size);
            r = memory_region_dispatch_write(mr, offset, value, size);
        }
        if (r != MEMTX_OK) {
            return r;
        }
        offset += size;
        buf += size;
        len -= size;
    }
    return MEMTX_OK;
}

static MemTxResult address_space_rw(AddressSpace *as, uint64_t addr,
                                    uint8_t *buf, uint64_t len,
                                    AccessKind kind)
{
    while (len) {
        MemoryRegionSection s;
        uint64_t in_range, offset, chunk;
        MemTxResult r;

        if (!address_space_lookup(as, addr, &s)) {
            return MEMTX_DECODE_ERROR;
        }
        in_range = s.size - (addr - s.start);
        chunk = MIN(len, in_range);
        offset = s.offset_in_region + (addr - s.start);
        if (memory_region_is_ram(s.mr)) {
            ram_copy(s.mr, offset, buf, chunk, kind);
        } else {
            r = io_copy(s.mr, offset, buf, chunk, kind);
            if (r != MEMTX_OK) {
                return r;
            }
        }
        if (chunk < len && addr + chunk == 0) {
            return MEMTX_DECODE_ERROR;  /* would wrap past 2^64 */
        }
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
    return MEMTX_OK;
}

MemTxResult address_space_read(AddressSpace *as, uint64_t addr, void *buf,
                               uint64_t len)
{
    return address_space_rw(as, addr, buf, len, ACCESS_READ);
}

MemTxResult address_space_write(AddressSpace *as, uint64_t addr,
                                const void *buf, uint64_t len)
{
    return address_space_rw(as, addr, (uint8_t *)buf, len, ACCESS_WRITE);
}

MemTxResult address_space_write_rom(AddressSpace *as, uint64_t addr,
                                    const void *buf, uint64_t len)
{
    return address_space_rw(as, addr, (uint8_t *)buf, len, ACCESS_WRITE_ROM);
}

/*
 * One CPU-style access. If it straddles two ranges it is done byte by
 * byte through address_space_rw(), like a bus that splits it.
 */
static MemTxResult address_space_access(AddressSpace *as, uint64_t addr,
                                        unsigned size, uint64_t *value,
                                        bool is_write)
{
    MemoryRegionSection s;
    uint64_t offset;

    if (!access_size_ok(size)) {
        return MEMTX_ACCESS_ERROR;
    }
    if (!address_space_lookup(as, addr, &s)) {
        return MEMTX_DECODE_ERROR;
    }
    if (s.size - (addr - s.start) < size) {
        return address_space_rw(as, addr, (uint8_t *)value, size,
                                is_write ? ACCESS_WRITE : ACCESS_READ);
    }
    offset = s.offset_in_region + (addr - s.start);
    if (memory_region_is_ram(s.mr)) {
        ram_copy(s.mr, offset, value, size,
                 is_write ? ACCESS_WRITE : ACCESS_READ);
        return MEMTX_OK;
    }
    return io_dispatch(s.mr, offset, value, size, is_write);
}

MemTxResult address_space_load(AddressSpace *as, uint64_t addr,
                               unsigned size, uint64_t *value)
{
    *value = 0;
    return address_space_access(as, addr, size, value, false);
}

MemTxResult address_space_store(AddressSpace *as, uint64_t addr,
                                unsigned size, uint64_t value)
{
    return address_space_access(as, addr, size, &value, true);
}

void *address_space_map(AddressSpace *as, uint64_t addr, uint64_t len,
                        bool is_write)
{
    MemoryRegionSection s;

    if (!address_space_lookup(as, addr, &s) || !memory_region_is_ram(s.mr)) {
        return NULL;
    }
    if (is_write && s.mr->kind == MR_ROM) {
        return NULL;    /* writes must go through the dropping path */
    }
    if (len > s.size - (addr - s.start)) {
        return NULL;
    }
    return s.mr->ram_block->host + s.offset_in_region + (addr - s.start);
}
