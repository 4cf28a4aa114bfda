/*
 * exec/flatview.c — rendering a region tree into a FlatView, address
 * space lifecycle, and lookup.
 *
 * Rendering walks the tree from the root in the order QEMU's
 * render_memory_region() does: a region is clipped to its container's
 * window; an alias renders its target shifted by the alias offset; a
 * container renders its subregions in array order (highest priority
 * first, ties: last added first); a leaf (RAM/ROM/I/O) then fills only
 * the gaps that nothing rendered before it occupies. So the first region
 * to claim a byte owns it, which is exactly "higher priority wins".
 * Containers are transparent where none of their subregions is mapped,
 * and a container's children never escape the container's own size.
 * Disabled regions (and anything under them) render nothing.
 *
 * Addresses are computed in signed 128-bit arithmetic: an alias whose
 * offset exceeds its address places its target's start below zero, and a
 * region may end exactly at 2^64.
 *
 * The resulting ranges are sorted and disjoint, so lookup is a binary
 * search. Adjacent ranges of the same region at consecutive offsets are
 * merged. A view is never modified once published; a rebuild publishes a
 * new one with an atomic store and keeps the old one on the address
 * space's retired list until address_space_destroy(), so a lookup racing
 * with a rebuild on another thread reads a consistent view.
 */
#include "exec/memory-internal.h"

/* A FlatView under construction. */
typedef struct ViewBuilder {
    MemoryRegionSection *ranges;
    size_t nr;
    size_t cap;
} ViewBuilder;

static Int128 section_end(const MemoryRegionSection *s)
{
    return (Int128)s->start + s->size;
}

static void view_insert(ViewBuilder *vb, size_t at, MemoryRegion *leaf,
                        Int128 leaf_base, Int128 start, Int128 end)
{
    if (vb->nr == vb->cap) {
        vb->cap = vb->cap ? vb->cap * 2 : 16;
        vb->ranges = xrealloc(vb->ranges, vb->cap * sizeof(*vb->ranges));
    }
    memmove(&vb->ranges[at + 1], &vb->ranges[at],
            (vb->nr - at) * sizeof(*vb->ranges));
    vb->ranges[at] = (MemoryRegionSection) {
        .mr = leaf,
        .offset_in_region = (uint64_t)(start - leaf_base),
        .start = (uint64_t)start,
        .size = (uint64_t)(end - start),
    };
    vb->nr++;
}

/*
 * Give @leaf (whose offset 0 sits at @leaf_base) every byte of
 * [start, end) that no earlier-rendered region took.
 */
static void view_fill_gaps(ViewBuilder *vb, MemoryRegion *leaf,
                           Int128 leaf_base, Int128 start, Int128 end)
{
    size_t i = 0;

    /* A 2^64-byte range does not fit a section's size: halve it. */
    if (end - start == (Int128)1 << 64) {
        Int128 mid = start + ((Int128)1 << 63);
        view_fill_gaps(vb, leaf, leaf_base, start, mid);
        view_fill_gaps(vb, leaf, leaf_base, mid, end);
        return;
    }
    while (i < vb->nr && section_end(&vb->ranges[i]) <= start) {
        i++;
    }
    while (start < end) {
        if (i == vb->nr || (Int128)vb->ranges[i].start >= end) {
            view_insert(vb, i, leaf, leaf_base, start, end);
            return;
        }
        if ((Int128)vb->ranges[i].start > start) {
            view_insert(vb, i, leaf, leaf_base, start, vb->ranges[i].start);
            i++;
        }
        start = MAX(start, section_end(&vb->ranges[i]));
        i++;
    }
}

/*
 * Render @mr, whose offset 0 sits at @base in the address space, into
 * the window [clip_start, clip_end).
 */
static void view_render(ViewBuilder *vb, MemoryRegion *mr, Int128 base,
                        Int128 clip_start, Int128 clip_end, int depth)
{
    Int128 start, end;

    if (!mr || !mr->enabled || depth > MEMORY_MAX_DEPTH) {
        return;
    }
    start = MAX(base, clip_start);
    end = MIN(base + memory_region_extent(mr), clip_end);
    if (start >= end) {
        return;
    }
    if (mr->kind == MR_ALIAS) {
        view_render(vb, mr->alias, base - (Int128)mr->alias_offset,
                    start, end, depth + 1);
        return;
    }
    for (size_t i = 0; i < mr->nr_subregions; i++) {
        MemoryRegion *sub = mr->subregions[i];
        view_render(vb, sub, base + sub->addr, start, end, depth + 1);
    }
    if (mr->kind != MR_CONTAINER) {
        view_fill_gaps(vb, mr, base, start, end);
    }
}

/* Merge neighbours that continue the same region at the next offset. */
static void view_simplify(ViewBuilder *vb)
{
    size_t out = 0;

    for (size_t i = 0; i < vb->nr; i++) {
        MemoryRegionSection *prev = out ? &vb->ranges[out - 1] : NULL;
        MemoryRegionSection *cur = &vb->ranges[i];

        if (prev && prev->mr == cur->mr &&
            section_end(prev) == cur->start &&
            prev->offset_in_region + prev->size == cur->offset_in_region &&
            prev->size <= UINT64_MAX - cur->size) {
            prev->size += cur->size;
            continue;
        }
        vb->ranges[out++] = *cur;
    }
    vb->nr = out;
}

static FlatView *flatview_render(MemoryRegion *root)
{
    ViewBuilder vb = { 0 };
    FlatView *view = XNEW(FlatView);

    if (root) {
        view_render(&vb, root, root->addr, 0, (Int128)1 << 64, 0);
    }
    view_simplify(&vb);
    view->ranges = vb.ranges;
    view->nr = vb.nr;
    return view;
}

static void flatview_free(FlatView *view)
{
    free(view->ranges);
    free(view);
}

/* --- address spaces --- */

static void address_space_rebuild(AddressSpace *as)
{
    FlatView *view = flatview_render(as->root);

    view->older = as->view;
    __atomic_store_n(&as->view, view, __ATOMIC_RELEASE);
    __atomic_add_fetch(&as->generation, 1, __ATOMIC_RELEASE);
    if (as->map_changed) {
        as->map_changed(as->map_changed_opaque, as);
    }
}

static void topology_changed_from(MemoryRegion *mr, int depth)
{
    if (depth > MEMORY_MAX_DEPTH) {
        return;
    }
    for (MemoryRegion *r = mr; r; r = r->container) {
        for (AddressSpace *as = r->owner_as; as; as = as->root_next) {
            address_space_rebuild(as);
        }
        for (MemoryRegion *user = r->alias_users; user;
             user = user->alias_next) {
            topology_changed_from(user, depth + 1);
        }
    }
}

void memory_region_topology_changed(MemoryRegion *mr)
{
    topology_changed_from(mr, 0);
}

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name)
{
    memset(as, 0, sizeof(*as));
    as->name = xstrdup(name ? name : "anonymous");
    as->root = root;
    if (root) {
        as->root_next = root->owner_as;
        root->owner_as = as;
    }
    as->view = flatview_render(root);
}

void address_space_destroy(AddressSpace *as)
{
    FlatView *view = as->view;

    if (as->root) {
        AddressSpace **link = &as->root->owner_as;
        while (*link && *link != as) {
            link = &(*link)->root_next;
        }
        if (*link) {
            *link = as->root_next;
        }
    }
    while (view) {
        FlatView *older = view->older;
        flatview_free(view);
        view = older;
    }
    free(as->name);
    memset(as, 0, sizeof(*as));
}

bool address_space_lookup(AddressSpace *as, uint64_t addr,
                          MemoryRegionSection *section)
{
    const FlatView *view = __atomic_load_n(&as->view, __ATOMIC_ACQUIRE);
    size_t lo = 0, hi;

    if (!view) {
        return false;
    }
    /* Find the last range starting at or below @addr. */
    hi = view->nr;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (view->ranges[mid].start <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return false;
    }
    const MemoryRegionSection *s = &view->ranges[lo - 1];
    if (addr - s->start >= s->size) {
        return false;
    }
    *section = *s;
    return true;
}
