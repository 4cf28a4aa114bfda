/*
 * exec/memory-dump.c — "info mtree": the region tree and the flat view as
 * text, in the format of QEMU's monitor command so that people and
 * scripts used to it can read ours:
 *
 *   address-space: memory
 *     0000000000000000-ffffffffffffffff (prio 0, i/o): system
 *       0000000080000000-00000000bfffffff (prio 0, ram): riscv.virt.ram
 *       0000000000000000-0000000000000fff (prio 1, ram): alias lo @ram 0000000000000000-0000000000000fff
 *
 *   memory-region: ram
 *     0000000000000000-000000003fffffff (prio 0, ram): ram
 *
 *   FlatView #0
 *    AS "memory", root: system
 *    Root memory region: system
 *     0000000080000000-00000000bfffffff (prio 0, ram): riscv.virt.ram
 *
 * Within a container, children are listed by address, then by priority
 * (highest first), then in the container's own order. Regions reached
 * only through an alias get a "memory-region:" section after the tree,
 * in the order their aliases were met. A region's kind is its alias
 * target's kind; containers print as "i/o". End addresses are inclusive.
 * The output depends only on the tree, so tests can compare it as text.
 */
#include "exec/memory-internal.h"

#define MTREE_INDENT "  "

/* Alias targets still to be printed, in the order they were found. */
typedef struct AliasQueue {
    const MemoryRegion **mrs;
    size_t nr;
} AliasQueue;

static void alias_queue_add(AliasQueue *q, const MemoryRegion *mr)
{
    if (!mr) {
        return;
    }
    for (size_t i = 0; i < q->nr; i++) {
        if (q->mrs[i] == mr) {
            return;
        }
    }
    q->mrs = xrealloc(q->mrs, (q->nr + 1) * sizeof(*q->mrs));
    q->mrs[q->nr++] = mr;
}

static const char *mtree_kind_name(const MemoryRegion *mr)
{
    for (int depth = 0; mr && mr->kind == MR_ALIAS; depth++) {
        if (depth == MEMORY_MAX_DEPTH) {
            return "i/o";
        }
        mr = mr->alias;
    }
    if (mr && mr->kind == MR_RAM) {
        return "ram";
    }
    if (mr && mr->kind == MR_ROM) {
        return "rom";
    }
    return "i/o";
}

/* Offset of the last byte of @mr (0 for an empty region, as QEMU). */
static uint64_t mtree_last_offset(const MemoryRegion *mr)
{
    return mr->size == 0 ? 0 : (uint64_t)(memory_region_extent(mr) - 1);
}

/* @mr's children in print order: address, then priority, then array. */
static const MemoryRegion **mtree_sorted_children(const MemoryRegion *mr)
{
    const MemoryRegion **kids = XNEW_ARRAY(const MemoryRegion *,
                                           mr->nr_subregions + 1);

    for (size_t i = 0; i < mr->nr_subregions; i++) {
        const MemoryRegion *sub = mr->subregions[i];
        size_t j = i;

        /* Insertion sort keeps equal keys in array order. */
        while (j > 0 && (kids[j - 1]->addr > sub->addr ||
                         (kids[j - 1]->addr == sub->addr &&
                          kids[j - 1]->priority < sub->priority))) {
            kids[j] = kids[j - 1];
            j--;
        }
        kids[j] = sub;
    }
    return kids;
}

static void mtree_print_region(FILE *out, const MemoryRegion *mr,
                               unsigned level, uint64_t base,
                               AliasQueue *aliases)
{
    uint64_t start = base + mr->addr;
    const MemoryRegion **kids;

    if (level > MEMORY_MAX_DEPTH) {
        return;
    }
    for (unsigned i = 0; i < level; i++) {
        fputs(MTREE_INDENT, out);
    }
    fprintf(out, "%016" PRIx64 "-%016" PRIx64 " (prio %d, %s): ", start,
            start + mtree_last_offset(mr), mr->priority, mtree_kind_name(mr));
    if (mr->kind == MR_ALIAS) {
        alias_queue_add(aliases, mr->alias);
        fprintf(out, "alias %s @%s %016" PRIx64 "-%016" PRIx64, mr->name,
                mr->alias ? mr->alias->name : "(none)", mr->alias_offset,
                mr->alias_offset + mtree_last_offset(mr));
    } else {
        fputs(mr->name, out);
    }
    fprintf(out, "%s\n", mr->enabled ? "" : " [disabled]");

    kids = mtree_sorted_children(mr);
    for (size_t i = 0; i < mr->nr_subregions; i++) {
        mtree_print_region(out, kids[i], level + 1, start, aliases);
    }
    free(kids);
}

static void mtree_print_flatview(FILE *out, AddressSpace *as)
{
    const FlatView *view = __atomic_load_n(&as->view, __ATOMIC_ACQUIRE);
    const char *root = as->root ? as->root->name : "(none)";

    fprintf(out, "FlatView #0\n AS \"%s\", root: %s\n", as->name, root);
    fprintf(out, " Root memory region: %s\n", root);
    if (!view || view->nr == 0) {
        fputs(MTREE_INDENT "No rendered FlatView\n", out);
    }
    for (size_t i = 0; view && i < view->nr; i++) {
        const MemoryRegionSection *s = &view->ranges[i];

        fprintf(out, MTREE_INDENT "%016" PRIx64 "-%016" PRIx64
                " (prio %d, %s): %s", s->start, s->start + (s->size - 1),
                s->mr->priority, mtree_kind_name(s->mr), s->mr->name);
        if (s->offset_in_region) {
            fprintf(out, " @%016" PRIx64, s->offset_in_region);
        }
        fputc('\n', out);
    }
    fputc('\n', out);
}

void memory_region_print_tree(FILE *out, AddressSpace *as, bool flat)
{
    AliasQueue aliases = { 0 };

    fprintf(out, "address-space: %s\n", as->name);
    if (as->root) {
        mtree_print_region(out, as->root, 1, 0, &aliases);
    }
    fputc('\n', out);
    /* The queue grows while it is printed: aliases inside alias targets. */
    for (size_t i = 0; i < aliases.nr; i++) {
        fprintf(out, "memory-region: %s\n", aliases.mrs[i]->name);
        mtree_print_region(out, aliases.mrs[i], 1, 0, &aliases);
        fputc('\n', out);
    }
    free(aliases.mrs);
    if (flat) {
        mtree_print_flatview(out, as);
    }
}

char *memory_region_format_tree(AddressSpace *as, bool flat)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    if (!out) {
        return xstrdup("");
    }
    memory_region_print_tree(out, as, flat);
    fclose(out);
    return text;
}
