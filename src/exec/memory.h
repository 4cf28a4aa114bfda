/*
 * exec/memory.h — the guest physical memory map.
 *
 * A machine describes its memory as a tree of MemoryRegions, as QEMU does:
 *   - RAM regions are backed by a RAMBlock (one shared-memory mapping per
 *     block, from memfd, so KVM slots, snapshots and migration can use the
 *     same pages as TCG);
 *   - ROM regions are RAM the guest can read and execute but not write
 *     (guest writes are dropped and logged as guest errors);
 *   - I/O regions forward accesses to MemoryRegionOps callbacks, after the
 *     core has applied the access-size rules in ops->valid (what the guest
 *     may do: anything else is an access error) and ops->impl (what the
 *     callbacks handle: wider or narrower accesses are split or combined);
 *   - containers group subregions at offsets; a subregion may overlap
 *     others, and the one with the highest priority wins (ties: the one
 *     added last);
 *   - aliases make a window of another region appear elsewhere.
 *
 * An AddressSpace renders a root region into a FlatView: a sorted array of
 * non-overlapping ranges, each pointing at the leaf region (RAM/ROM/I/O)
 * that is visible there. Lookups are a binary search. The view is rebuilt
 * whenever the tree under the root changes (add/del/enable/move), and the
 * AddressSpace's generation counter is bumped so TLBs and KVM slots know
 * to refresh. Old views stay allocated until the AddressSpace is destroyed,
 * so a vCPU thread that is in the middle of a lookup while the main loop
 * changes the map never reads freed memory (topology changes are rare).
 *
 * Locking: this module takes no locks. Callers that dispatch to I/O
 * regions must hold the big lock (devices assume it); RAM accesses do not
 * need it. Changing the tree requires the big lock.
 *
 * All guest-visible data is little-endian; the host is assumed to be
 * little-endian too (x86-64, aarch64).
 */
#ifndef EXEC_MEMORY_H
#define EXEC_MEMORY_H

#include "util/osdep.h"
#include "util/typedefs.h"

/* Result of a memory transaction, as the bus reports it to the initiator. */
typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_DECODE_ERROR,     /* nothing mapped at the address */
    MEMTX_ACCESS_ERROR,     /* mapped, but the access size/alignment is not
                             * allowed, or the device refused it */
} MemTxResult;

struct MemoryRegionOps {
    /*
     * @addr is relative to the region; @size is 1, 2, 4 or 8 bytes. A
     * missing read reads as zero; a missing write ignores the data.
     */
    uint64_t (*read)(void *opaque, uint64_t addr, unsigned size);
    void (*write)(void *opaque, uint64_t addr, uint64_t value, unsigned size);
    /*
     * Optional: return false to make the access fail with
     * MEMTX_ACCESS_ERROR (e.g. a register that does not exist), before
     * read/write is called.
     */
    bool (*accepts)(void *opaque, uint64_t addr, unsigned size,
                    bool is_write);
    /* Accesses the guest may make. 0 means the defaults: 1..4, aligned. */
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } valid;
    /*
     * Accesses the callbacks implement; others are split into (or combined
     * from) several callback calls. 0 means: same as valid.
     */
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } impl;
};

typedef enum MemoryRegionKind {
    MR_CONTAINER,
    MR_RAM,
    MR_ROM,
    MR_IO,
    MR_ALIAS,
} MemoryRegionKind;

/*
 * A RAMBlock is one host mapping that backs a RAM/ROM region. The code
 * bitmap has one bit per guest page (4 KiB) and is set by TCG for pages
 * that hold translated code; writes that do not go through the TCG
 * softmmu (DMA, loaders) call ram_block_notify_write() so the translator
 * can invalidate those TBs.
 */
struct RAMBlock {
    char *name;
    uint8_t *host;          /* the mapping */
    uint64_t size;          /* bytes, a multiple of the host page size */
    int fd;                 /* memfd backing the mapping, or -1 */
    unsigned long *code_bitmap;
    /* Called with the block offset range of a write to code pages. */
    void (*code_write)(void *opaque, RAMBlock *block, uint64_t offset,
                       uint64_t len);
    void *code_write_opaque;
};

#define RAM_PAGE_BITS 12
#define RAM_PAGE_SIZE (1ULL << RAM_PAGE_BITS)

struct MemoryRegion {
    char *name;
    MemoryRegionKind kind;
    uint64_t size;          /* UINT64_MAX stands for 2^64, as in QEMU */
    /* MR_IO */
    const MemoryRegionOps *ops;
    void *opaque;
    /* MR_RAM, MR_ROM */
    RAMBlock *ram_block;
    /* MR_ALIAS */
    MemoryRegion *alias;
    uint64_t alias_offset;
    /* Placement in the parent container. */
    MemoryRegion *container;
    uint64_t addr;
    int priority;
    bool enabled;
    unsigned insertion;     /* order of addition, breaks priority ties */
    /* MR_CONTAINER: children, sorted by descending priority. */
    MemoryRegion **subregions;
    size_t nr_subregions;
    /*
     * Address spaces whose root is this region (for rebuilds): the first
     * one; further ones chain through AddressSpace.root_next.
     */
    AddressSpace *owner_as;
    /*
     * Aliases whose target is this region, chained through alias_next, so
     * a change under an alias target re-renders the views that show it.
     */
    MemoryRegion *alias_users;
    MemoryRegion *alias_next;
};

/* One range of a FlatView: [start, start+size) maps to @mr at @offset. */
typedef struct MemoryRegionSection {
    MemoryRegion *mr;           /* leaf: MR_RAM, MR_ROM or MR_IO */
    uint64_t offset_in_region;  /* where @start falls inside @mr */
    uint64_t start;             /* address in the address space */
    uint64_t size;
} MemoryRegionSection;

typedef struct FlatView {
    MemoryRegionSection *ranges;
    size_t nr;
    struct FlatView *older;     /* retired views, freed with the AS */
} FlatView;

struct AddressSpace {
    char *name;
    MemoryRegion *root;
    FlatView *view;             /* current view; read with atomic load */
    unsigned generation;        /* bumped on every rebuild */
    /*
     * Called after each rebuild (TLB flush, KVM slot update). Set these
     * after address_space_init(), which clears them.
     */
    void (*map_changed)(void *opaque, AddressSpace *as);
    void *map_changed_opaque;
    AddressSpace *root_next;    /* next AS rendering the same root */
};

/* --- regions --- */

/* RAM backed by a fresh memfd mapping of @size bytes (zero-filled). */
bool memory_region_init_ram(MemoryRegion *mr, const char *name,
                            uint64_t size, Error **errp);
/* Like RAM, but guest writes are ignored (and logged as guest errors). */
bool memory_region_init_rom(MemoryRegion *mr, const char *name,
                            uint64_t size, Error **errp);
void memory_region_init_io(MemoryRegion *mr, const char *name,
                           const MemoryRegionOps *ops, void *opaque,
                           uint64_t size);
void memory_region_init_container(MemoryRegion *mr, const char *name,
                                  uint64_t size);
void memory_region_init_alias(MemoryRegion *mr, const char *name,
                              MemoryRegion *orig, uint64_t offset,
                              uint64_t size);
/* Release what the region owns (its RAMBlock, subregion array, name). */
void memory_region_finalize(MemoryRegion *mr);

/* Map @sub at @offset inside @container, priority 0. */
void memory_region_add_subregion(MemoryRegion *container, uint64_t offset,
                                 MemoryRegion *sub);
void memory_region_add_subregion_overlap(MemoryRegion *container,
                                         uint64_t offset, MemoryRegion *sub,
                                         int priority);
void memory_region_del_subregion(MemoryRegion *container,
                                 MemoryRegion *sub);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_address(MemoryRegion *mr, uint64_t addr);

/* Host pointer to the start of a RAM/ROM region's memory (NULL for I/O). */
void *memory_region_get_ram_ptr(MemoryRegion *mr);
static inline bool memory_region_is_ram(const MemoryRegion *mr)
{
    return mr->kind == MR_RAM || mr->kind == MR_ROM;
}

/*
 * Access an I/O region at @addr (relative to it), applying the ops'
 * valid/impl rules. RAM and ROM regions are accessed directly. The caller
 * holds the big lock for I/O regions.
 */
MemTxResult memory_region_dispatch_read(MemoryRegion *mr, uint64_t addr,
                                        uint64_t *value, unsigned size);
MemTxResult memory_region_dispatch_write(MemoryRegion *mr, uint64_t addr,
                                         uint64_t value, unsigned size);

/* --- address spaces --- */

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name);
void address_space_destroy(AddressSpace *as);

/*
 * Find what is visible at @addr. On success *section describes the whole
 * flat range containing @addr. Returns false if nothing is mapped there.
 */
bool address_space_lookup(AddressSpace *as, uint64_t addr,
                          MemoryRegionSection *section);

/*
 * Read/write @len bytes at @addr, crossing region boundaries as needed
 * (device accesses are split into the largest naturally aligned pieces
 * the region accepts). Used by DMA, loaders, the monitor and gdb.
 * Writes into RAM notify the RAMBlock's code-write hook. Stops at, and
 * returns, the first error.
 */
MemTxResult address_space_read(AddressSpace *as, uint64_t addr, void *buf,
                               uint64_t len);
MemTxResult address_space_write(AddressSpace *as, uint64_t addr,
                                const void *buf, uint64_t len);
/*
 * Write even into ROM (firmware and kernel loaders use this). Only RAM and
 * ROM are written: a range that is I/O fails with MEMTX_ACCESS_ERROR and
 * no device callback runs.
 */
MemTxResult address_space_write_rom(AddressSpace *as, uint64_t addr,
                                    const void *buf, uint64_t len);

/* One access of 1, 2, 4 or 8 bytes, little-endian, as a CPU makes it. */
MemTxResult address_space_load(AddressSpace *as, uint64_t addr,
                               unsigned size, uint64_t *value);
MemTxResult address_space_store(AddressSpace *as, uint64_t addr,
                                unsigned size, uint64_t value);

/*
 * Host pointer for [addr, addr+len) if it lies in one RAM/ROM range
 * (for zero-copy DMA such as virtqueue rings), else NULL. Writing through
 * it bypasses the code-write hook: call ram_block_notify_write() too.
 */
void *address_space_map(AddressSpace *as, uint64_t addr, uint64_t len,
                        bool is_write);

/* Tell TCG that [offset, offset+len) of @block was written from outside. */
void ram_block_notify_write(RAMBlock *block, uint64_t offset, uint64_t len);

/*
 * Print the region tree like QEMU's "info mtree" (address ranges,
 * priority, kind, name; aliases show their target) and, with @flat, the
 * flattened view too.
 */
void memory_region_print_tree(FILE *out, AddressSpace *as, bool flat);
/* Same, into a malloc'ed string (for the monitor). */
char *memory_region_format_tree(AddressSpace *as, bool flat);

#endif /* EXEC_MEMORY_H */
