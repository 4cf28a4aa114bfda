/*
 * exec/memory.c — memory regions and the region tree: creating RAM, ROM,
 * I/O, container and alias regions, placing them in containers, and the
 * RAMBlocks that back guest RAM.
 *
 * RAM. Each RAM/ROM region owns one RAMBlock: a memfd (memfd_create(2))
 * sized with ftruncate(2) and mapped MAP_SHARED, so the same pages can be
 * handed to KVM as a memory slot, written to a snapshot or sent by
 * migration without copying. The mapping is rounded up to the host page
 * size; the region keeps the size the board asked for. Pages are only
 * allocated when touched, but like QEMU with the kernel's heuristic
 * overcommit we refuse a block larger than the host's RAM plus swap up
 * front, so "-m 100T" is a clear error rather than a SIGBUS later.
 *
 * Tree invariants:
 *   - a container's subregions array is sorted by descending priority,
 *     and among equal priorities the most recently added comes first, so
 *     rendering the array in order gives QEMU's "higher priority wins,
 *     ties go to the region added last";
 *   - a region is in at most one container (mr->container);
 *   - every alias is on its target's alias_users list, so a change under
 *     the target re-renders the views that show it through the alias;
 *   - every change that can alter what an address space shows calls
 *     memory_region_topology_changed(), which rebuilds the FlatViews
 *     (flatview.c).
 */
#include "exec/memory-internal.h"
#include "util/error.h"

#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#define BITS_PER_LONG (sizeof(unsigned long) * CHAR_BIT)

/* --- RAM blocks --- */

/* Whether the kernel is set to grant any allocation (overcommit_memory=1). */
static bool host_always_overcommits(void)
{
    FILE *f = fopen("/proc/sys/vm/overcommit_memory", "r");
    int mode = 0;

    if (!f) {
        return false;
    }
    if (fscanf(f, "%d", &mode) != 1) {
        mode = 0;
    }
    fclose(f);
    return mode == 1;
}

/*
 * Refuse blocks that can never be backed, as the kernel's heuristic
 * overcommit would refuse an anonymous mapping of that size.
 */
static bool ram_block_check_host_memory(const char *name, uint64_t size,
                                        Error **errp)
{
    struct sysinfo si;
    Int128 host_bytes;

    if (sysinfo(&si) != 0 || host_always_overcommits()) {
        return true;
    }
    host_bytes = ((Int128)si.totalram + si.totalswap) * si.mem_unit;
    if ((Int128)size <= host_bytes) {
        return true;
    }
    error_setg(errp, "cannot set up guest memory '%s': Cannot allocate "
               "memory (%" PRIu64 " MiB requested, the host has %" PRIu64
               " MiB of RAM and swap)", name, size / MiB,
               (uint64_t)(host_bytes / MiB));
    return false;
}

static RAMBlock *ram_block_new(const char *name, uint64_t size, Error **errp)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    char memfd_name[250];
    uint64_t rounded, pages;
    RAMBlock *block;
    void *host;
    int fd;

    if (size == 0) {
        error_setg(errp, "cannot set up guest memory '%s': size is zero",
                   name);
        return NULL;
    }
    if (size > (uint64_t)INT64_MAX - page) {
        error_setg(errp, "cannot set up guest memory '%s': %" PRIu64
                   " bytes is too large", name, size);
        return NULL;
    }
    rounded = ALIGN_UP(size, page);
    if (!ram_block_check_host_memory(name, rounded, errp)) {
        return NULL;
    }
    snprintf(memfd_name, sizeof(memfd_name), "vireo:%s", name);
    fd = memfd_create(memfd_name, MFD_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot set up guest memory '%s'", name);
        return NULL;
    }
    if (ftruncate(fd, (off_t)rounded) != 0) {
        error_setg_errno(errp, errno, "cannot set up guest memory '%s'", name);
        close(fd);
        return NULL;
    }
    host = mmap(NULL, rounded, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (host == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot set up guest memory '%s'", name);
        close(fd);
        return NULL;
    }
    block = XNEW(RAMBlock);
    block->name = xstrdup(name);
    block->host = host;
    block->size = rounded;
    block->fd = fd;
    pages = rounded >> RAM_PAGE_BITS;
    block->code_bitmap = XNEW_ARRAY(unsigned long,
                                    (pages + BITS_PER_LONG - 1) / BITS_PER_LONG);
    return block;
}

static void ram_block_free(RAMBlock *block)
{
    if (!block) {
        return;
    }
    munmap(block->host, block->size);
    if (block->fd >= 0) {
        close(block->fd);
    }
    free(block->code_bitmap);
    free(block->name);
    free(block);
}

/* Whether any page of [offset, offset+len) has its code bit set. */
static bool ram_block_range_has_code(RAMBlock *block, uint64_t offset,
                                     uint64_t len)
{
    uint64_t pages = block->size >> RAM_PAGE_BITS;
    uint64_t first = offset >> RAM_PAGE_BITS;
    uint64_t last = (offset + len - 1) >> RAM_PAGE_BITS;

    if (last >= pages) {
        last = pages - 1;
    }
    for (uint64_t page = first; page <= last; page++) {
        unsigned long word = __atomic_load_n(
            &block->code_bitmap[page / BITS_PER_LONG], __ATOMIC_RELAXED);
        if (word >> (page % BITS_PER_LONG) & 1) {
            return true;
        }
    }
    return false;
}

void ram_block_notify_write(RAMBlock *block, uint64_t offset, uint64_t len)
{
    if (!block || !block->code_write || !block->code_bitmap || len == 0 ||
        offset >= block->size) {
        return;
    }
    if (ram_block_range_has_code(block, offset, len)) {
        block->code_write(block->code_write_opaque, block, offset, len);
    }
}

/* --- region creation and release --- */

static void memory_region_init_common(MemoryRegion *mr, const char *name,
                                      MemoryRegionKind kind, uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->name = xstrdup(name ? name : "anonymous");
    mr->kind = kind;
    mr->size = size;
    mr->enabled = true;
}

static bool memory_region_init_ram_kind(MemoryRegion *mr, const char *name,
                                        MemoryRegionKind kind, uint64_t size,
                                        Error **errp)
{
    RAMBlock *block;

    memset(mr, 0, sizeof(*mr));
    block = ram_block_new(name ? name : "anonymous", size, errp);
    if (!block) {
        return false;
    }
    memory_region_init_common(mr, name, kind, size);
    mr->ram_block = block;
    return true;
}

bool memory_region_init_ram(MemoryRegion *mr, const char *name,
                            uint64_t size, Error **errp)
{
    return memory_region_init_ram_kind(mr, name, MR_RAM, size, errp);
}

bool memory_region_init_rom(MemoryRegion *mr, const char *name,
                            uint64_t size, Error **errp)
{
    return memory_region_init_ram_kind(mr, name, MR_ROM, size, errp);
}

void memory_region_init_io(MemoryRegion *mr, const char *name,
                           const MemoryRegionOps *ops, void *opaque,
                           uint64_t size)
{
    memory_region_init_common(mr, name, MR_IO, size);
    mr->ops = ops;
    mr->opaque = opaque;
}

void memory_region_init_container(MemoryRegion *mr, const char *name,
                                  uint64_t size)
{
    memory_region_init_common(mr, name, MR_CONTAINER, size);
}

void memory_region_init_alias(MemoryRegion *mr, const char *name,
                              MemoryRegion *orig, uint64_t offset,
                              uint64_t size)
{
    memory_region_init_common(mr, name, MR_ALIAS, size);
    mr->alias = orig;
    mr->alias_offset = offset;
    if (orig) {
        mr->alias_next = orig->alias_users;
        orig->alias_users = mr;
    }
}

/* Take alias @mr off its target's alias_users list. */
static void memory_region_unlink_alias(MemoryRegion *mr)
{
    MemoryRegion **link;

    if (!mr->alias) {
        return;
    }
    for (link = &mr->alias->alias_users; *link; link = &(*link)->alias_next) {
        if (*link == mr) {
            *link = mr->alias_next;
            break;
        }
    }
    mr->alias = NULL;
    mr->alias_next = NULL;
}

/*
 * Aliases that point at a region being released lose their target (they
 * then show nothing) instead of keeping a dangling pointer.
 */
static void memory_region_orphan_aliases(MemoryRegion *mr)
{
    while (mr->alias_users) {
        MemoryRegion *user = mr->alias_users;

        mr->alias_users = user->alias_next;
        user->alias = NULL;
        user->alias_next = NULL;
        memory_region_topology_changed(user);
    }
}

void memory_region_finalize(MemoryRegion *mr)
{
    if (mr->container) {
        memory_region_del_subregion(mr->container, mr);
    }
    memory_region_orphan_aliases(mr);
    memory_region_unlink_alias(mr);
    for (size_t i = 0; i < mr->nr_subregions; i++) {
        mr->subregions[i]->container = NULL;
    }
    free(mr->subregions);
    ram_block_free(mr->ram_block);
    free(mr->name);
    memset(mr, 0, sizeof(*mr));
}

/* --- the tree --- */

/*
 * Index at which @sub goes in @container's array: before the first
 * region whose priority is not higher, so that among equals the newest
 * comes first (and therefore wins when rendered).
 */
static size_t memory_region_insert_index(const MemoryRegion *container,
                                         const MemoryRegion *sub)
{
    size_t i = 0;

    while (i < container->nr_subregions &&
           container->subregions[i]->priority > sub->priority) {
        i++;
    }
    return i;
}

static unsigned memory_region_next_insertion(const MemoryRegion *container)
{
    unsigned next = 0;

    for (size_t i = 0; i < container->nr_subregions; i++) {
        next = MAX(next, container->subregions[i]->insertion + 1);
    }
    return next;
}

void memory_region_add_subregion_overlap(MemoryRegion *container,
                                         uint64_t offset, MemoryRegion *sub,
                                         int priority)
{
    size_t at;

    if (sub->container) {
        /* Mapped elsewhere already: move it rather than corrupt both. */
        memory_region_del_subregion(sub->container, sub);
    }
    sub->addr = offset;
    sub->priority = priority;
    sub->container = container;
    sub->insertion = memory_region_next_insertion(container);
    at = memory_region_insert_index(container, sub);
    container->subregions = xrealloc(container->subregions,
                                     (container->nr_subregions + 1) *
                                     sizeof(*container->subregions));
    memmove(&container->subregions[at + 1], &container->subregions[at],
            (container->nr_subregions - at) * sizeof(*container->subregions));
    container->subregions[at] = sub;
    container->nr_subregions++;
    memory_region_topology_changed(container);
}

void memory_region_add_subregion(MemoryRegion *container, uint64_t offset,
                                 MemoryRegion *sub)
{
    memory_region_add_subregion_overlap(container, offset, sub, 0);
}

void memory_region_del_subregion(MemoryRegion *container, MemoryRegion *sub)
{
    size_t i;

    for (i = 0; i < container->nr_subregions; i++) {
        if (container->subregions[i] == sub) {
            break;
        }
    }
    if (i == container->nr_subregions) {
        return;
    }
    memmove(&container->subregions[i], &container->subregions[i + 1],
            (container->nr_subregions - i - 1) *
            sizeof(*container->subregions));
    container->nr_subregions--;
    sub->container = NULL;
    memory_region_topology_changed(container);
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled == enabled) {
        return;
    }
    mr->enabled = enabled;
    memory_region_topology_changed(mr);
}

void memory_region_set_address(MemoryRegion *mr, uint64_t addr)
{
    if (mr->addr == addr) {
        return;
    }
    mr->addr = addr;
    memory_region_topology_changed(mr);
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    uint64_t offset = 0;

    for (int depth = 0; mr && mr->kind == MR_ALIAS; depth++) {
        if (depth == MEMORY_MAX_DEPTH) {
            return NULL;
        }
        offset += mr->alias_offset;
        mr = mr->alias;
    }
    if (!mr || !memory_region_is_ram(mr)) {
        return NULL;
    }
    return mr->ram_block->host + offset;
}
