/*
 * hw/core/fdt.h — building and patching flattened device trees (libfdt)
 * for boards that hand one to the guest.
 *
 * A DeviceTree owns one blob in libfdt's read-write form and grows it as
 * nodes and properties are added, so callers never size buffers. Nodes
 * are named by path ("/soc/serial@10000000"), as in QEMU's qemu_fdt_*
 * helpers: offsets move whenever the tree changes, paths do not.
 *
 * Errors are sticky: the first failing operation records its message and
 * every later call does nothing, so a board can describe dozens of nodes
 * and check once with devtree_ok(). A tree built by the board cannot fail
 * except through a bug; a user's -dtb can, which is why the check exists
 * and why devtree_load() validates the whole file up front.
 *
 * The format is the Devicetree Specification v0.4 §5 (flattened blob);
 * property encodings (cells big-endian, string lists NUL-separated) are
 * §2.2.4.
 *
 * Names start with devtree_ rather than the file's fdt_, which is
 * libfdt's namespace.
 */
#ifndef HW_CORE_FDT_H
#define HW_CORE_FDT_H

#include "util/osdep.h"
#include "util/typedefs.h"

typedef struct DeviceTree DeviceTree;

/* An empty tree: just "/", no properties, no memory reservations. */
DeviceTree *devtree_new(void);
/* Read a flattened tree from @path (-dtb FILE), checking its structure. */
DeviceTree *devtree_load(const char *path, Error **errp);
void devtree_free(DeviceTree *dt);

/*
 * False (with the message of the first failed operation in *errp) if any
 * operation on @dt failed since it was created.
 */
bool devtree_ok(const DeviceTree *dt, Error **errp);

/* True if @path names an existing node. */
bool devtree_has_node(const DeviceTree *dt, const char *path);
/* Add the node @path; its parent must exist. Existing nodes are kept. */
void devtree_add_node(DeviceTree *dt, const char *path);

/* Set property @name of node @path to @len bytes of @val. */
void devtree_setprop(DeviceTree *dt, const char *path, const char *name,
                     const void *val, size_t len);
/* An empty (boolean) property such as "interrupt-controller". */
void devtree_setprop_empty(DeviceTree *dt, const char *path,
                           const char *name);
void devtree_setprop_u32(DeviceTree *dt, const char *path, const char *name,
                         uint32_t val);
void devtree_setprop_u64(DeviceTree *dt, const char *path, const char *name,
                         uint64_t val);
void devtree_setprop_string(DeviceTree *dt, const char *path,
                            const char *name, const char *val);
/* A string list ("compatible" with several entries). */
void devtree_setprop_strings(DeviceTree *dt, const char *path,
                             const char *name, const char *const *list,
                             size_t n);
/* A cell array, each cell stored big-endian. */
void devtree_setprop_cell_array(DeviceTree *dt, const char *path,
                                const char *name, const uint32_t *cells,
                                size_t n);

/* devtree_setprop_cells(dt, path, name, c0, c1, ...) */
#define devtree_setprop_cells(dt, path, name, ...)                          \
    devtree_setprop_cell_array((dt), (path), (name),                        \
                               (const uint32_t[]){ __VA_ARGS__ },           \
                               sizeof((const uint32_t[]){ __VA_ARGS__ }) /  \
                               sizeof(uint32_t))

/*
 * Overwrite an existing property with a value of the same length, which
 * never moves anything in the blob (initrd addresses filled in after the
 * tree's size, and hence its load address, is fixed).
 */
void devtree_setprop_u64_inplace(DeviceTree *dt, const char *path,
                                 const char *name, uint64_t val);

/* Property @name of @path, or NULL (then *len is left alone). */
const void *devtree_getprop(const DeviceTree *dt, const char *path,
                            const char *name, int *len);

/*
 * A phandle not used anywhere in the tree yet (1, 2, ... for a new
 * tree; above the highest existing one for a loaded tree).
 */
uint32_t devtree_alloc_phandle(DeviceTree *dt);

/* Shrink the blob to its contents (before copying it into the guest). */
void devtree_pack(DeviceTree *dt);
/* The blob and its total size in bytes (fdt header "totalsize"). */
const void *devtree_blob(const DeviceTree *dt);
size_t devtree_size(const DeviceTree *dt);

/* Write the blob to @path (-machine dumpdtb=FILE). */
bool devtree_save(const DeviceTree *dt, const char *path, Error **errp);

#endif /* HW_CORE_FDT_H */
