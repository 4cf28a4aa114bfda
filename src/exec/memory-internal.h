/*
 * exec/memory-internal.h — what the files of the memory module share:
 * memory.c (regions, the tree, RAM blocks), flatview.c (rendering and
 * lookup), memory-access.c (dispatch and address-space accesses) and
 * memory-dump.c ("info mtree").
 *
 * Sizes: a MemoryRegion.size of UINT64_MAX stands for 2^64 (QEMU's
 * convention for "the whole address space"), so extents are computed in
 * 128-bit arithmetic wherever a region's end can be 2^64.
 */
#ifndef EXEC_MEMORY_INTERNAL_H
#define EXEC_MEMORY_INTERNAL_H

#include "exec/memory.h"

typedef __int128 Int128;

/*
 * Deepest nesting of containers and aliases the walkers follow. Real
 * maps are a handful of levels deep; the bound only stops a malformed
 * tree (an alias cycle) from exhausting the stack.
 */
#define MEMORY_MAX_DEPTH 64

/* Length of @mr in bytes, 2^64 for the whole-space size UINT64_MAX. */
static inline Int128 memory_region_extent(const MemoryRegion *mr)
{
    return mr->size == UINT64_MAX ? (Int128)1 << 64 : (Int128)mr->size;
}

/* Whether [addr, addr+len) lies inside @mr. */
static inline bool memory_region_covers(const MemoryRegion *mr,
                                        uint64_t addr, uint64_t len)
{
    return (Int128)addr + len <= memory_region_extent(mr);
}

/*
 * The tree under @mr changed (a subregion came or went, was moved or
 * toggled): re-render every address space that can show @mr, directly
 * or through an alias. flatview.c.
 */
void memory_region_topology_changed(MemoryRegion *mr);

#endif /* EXEC_MEMORY_INTERNAL_H */
