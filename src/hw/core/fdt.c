/*
 * hw/core/fdt.c — device-tree building on top of libfdt's read-write API
 * (see hw/core/fdt.h for the conventions).
 *
 * Every write goes through devtree_retry(): libfdt reports
 * -FDT_ERR_NOSPACE when the blob is full, and we then double the buffer
 * (fdt_open_into moves the tree into it) and try again. Lookups by path
 * use fdt_path_offset, which is linear in the tree size; board trees are
 * a few KiB, so that is cheaper than keeping offsets up to date.
 */
#include "hw/core/fdt.h"
#include "util/error.h"

#include <libfdt.h>
#include <stdarg.h>
#include <sys/stat.h>

#define DEVTREE_INITIAL_SIZE (16 * KiB)
/* A -dtb larger than this is certainly not a device tree for a VM. */
#define DEVTREE_MAX_FILE_SIZE (64 * MiB)

struct DeviceTree {
    void *blob;
    size_t capacity;
    uint32_t next_phandle;
    char *error;            /* first failure, sticky */
};

static void PRINTF_FMT(2, 3) devtree_fail(DeviceTree *dt, const char *fmt,
                                          ...)
{
    va_list ap;

    if (dt->error) {
        return;
    }
    va_start(ap, fmt);
    if (vasprintf(&dt->error, fmt, ap) < 0) {
        dt->error = xstrdup("device tree: out of memory");
    }
    va_end(ap);
}

static bool devtree_grow(DeviceTree *dt)
{
    size_t cap = dt->capacity * 2;
    void *blob;
    int err;

    if (cap > INT_MAX) {
        return false;
    }
    blob = xzalloc(cap);
    err = fdt_open_into(dt->blob, blob, (int)cap);
    if (err) {
        free(blob);
        return false;
    }
    free(dt->blob);
    dt->blob = blob;
    dt->capacity = cap;
    return true;
}

DeviceTree *devtree_new(void)
{
    DeviceTree *dt = XNEW(DeviceTree);
    int err;

    dt->capacity = DEVTREE_INITIAL_SIZE;
    dt->blob = xzalloc(dt->capacity);
    dt->next_phandle = 1;
    err = fdt_create_empty_tree(dt->blob, (int)dt->capacity);
    if (err) {
        devtree_fail(dt, "device tree: cannot create: %s", fdt_strerror(err));
    }
    return dt;
}

DeviceTree *devtree_load(const char *path, Error **errp)
{
    FILE *f = fopen(path, "rb");
    DeviceTree *dt;
    struct stat st;
    void *file = NULL;
    uint32_t phandle_max = 0;
    int err;

    if (!f) {
        error_setg_errno(errp, errno, "Could not open '%s'", path);
        return NULL;
    }
    if (fstat(fileno(f), &st) < 0 ||
        st.st_size < (off_t)sizeof(struct fdt_header) ||
        st.st_size > (off_t)DEVTREE_MAX_FILE_SIZE) {
        error_setg(errp, "'%s' is not a device tree blob (size %lld)", path,
                   (long long)st.st_size);
        goto fail;
    }
    file = xmalloc(st.st_size);
    if (fread(file, 1, st.st_size, f) != (size_t)st.st_size) {
        error_setg_errno(errp, errno, "Could not read '%s'", path);
        goto fail;
    }
    err = fdt_check_header(file);
    if (!err && fdt_totalsize(file) > (uint64_t)st.st_size) {
        err = -FDT_ERR_TRUNCATED;
    }
    if (!err) {
        /* Walk the whole structure block now, so later edits cannot trip
         * over a corrupt file. */
        err = fdt_check_full(file, fdt_totalsize(file));
    }
    if (err) {
        error_setg(errp, "'%s' is not a valid device tree blob: %s", path,
                   fdt_strerror(err));
        goto fail;
    }

    dt = XNEW(DeviceTree);
    /* Room for what the board adds (/chosen properties). */
    dt->capacity = MAX((size_t)fdt_totalsize(file) * 2, DEVTREE_INITIAL_SIZE);
    dt->blob = xzalloc(dt->capacity);
    err = fdt_open_into(file, dt->blob, (int)dt->capacity);
    if (!err) {
        err = fdt_find_max_phandle(dt->blob, &phandle_max);
    }
    if (err) {
        error_setg(errp, "'%s': %s", path, fdt_strerror(err));
        devtree_free(dt);
        goto fail;
    }
    dt->next_phandle = phandle_max + 1;
    free(file);
    fclose(f);
    return dt;

fail:
    free(file);
    fclose(f);
    return NULL;
}

void devtree_free(DeviceTree *dt)
{
    if (dt) {
        free(dt->blob);
        free(dt->error);
        free(dt);
    }
}

bool devtree_ok(const DeviceTree *dt, Error **errp)
{
    if (dt->error) {
        error_setg(errp, "%s", dt->error);
        return false;
    }
    return true;
}

bool devtree_has_node(const DeviceTree *dt, const char *path)
{
    return !dt->error && fdt_path_offset(dt->blob, path) >= 0;
}

/* Offset of @path, recording a failure (naming @what) if it is missing. */
static int devtree_node_offset(DeviceTree *dt, const char *path,
                               const char *what)
{
    int off;

    if (dt->error) {
        return -1;
    }
    off = fdt_path_offset(dt->blob, path);
    if (off < 0) {
        devtree_fail(dt, "device tree: %s: node %s: %s", what, path,
                     fdt_strerror(off));
        return -1;
    }
    return off;
}

void devtree_add_node(DeviceTree *dt, const char *path)
{
    const char *slash = strrchr(path, '/');
    char *parent;
    int parent_off, err;

    if (dt->error || devtree_has_node(dt, path)) {
        return;
    }
    if (!slash || !slash[1]) {
        devtree_fail(dt, "device tree: bad node path '%s'", path);
        return;
    }
    parent = slash == path ? xstrdup("/") : xstrndup(path, slash - path);
    for (;;) {
        parent_off = devtree_node_offset(dt, parent, "add node");
        if (parent_off < 0) {
            break;
        }
        err = fdt_add_subnode(dt->blob, parent_off, slash + 1);
        if (err == -FDT_ERR_NOSPACE && devtree_grow(dt)) {
            continue;
        }
        if (err < 0) {
            devtree_fail(dt, "device tree: add node %s: %s", path,
                         fdt_strerror(err));
        }
        break;
    }
    free(parent);
}

void devtree_setprop(DeviceTree *dt, const char *path, const char *name,
                     const void *val, size_t len)
{
    int off, err;

    if (len > INT_MAX) {
        devtree_fail(dt, "device tree: %s/%s: value too large", path, name);
        return;
    }
    for (;;) {
        off = devtree_node_offset(dt, path, name);
        if (off < 0) {
            return;
        }
        err = fdt_setprop(dt->blob, off, name, val, (int)len);
        if (err == -FDT_ERR_NOSPACE && devtree_grow(dt)) {
            continue;
        }
        if (err < 0) {
            devtree_fail(dt, "device tree: set %s in %s: %s", name, path,
                         fdt_strerror(err));
        }
        return;
    }
}

void devtree_setprop_empty(DeviceTree *dt, const char *path,
                           const char *name)
{
    devtree_setprop(dt, path, name, NULL, 0);
}

void devtree_setprop_u32(DeviceTree *dt, const char *path, const char *name,
                         uint32_t val)
{
    fdt32_t be = cpu_to_fdt32(val);

    devtree_setprop(dt, path, name, &be, sizeof(be));
}

void devtree_setprop_u64(DeviceTree *dt, const char *path, const char *name,
                         uint64_t val)
{
    fdt64_t be = cpu_to_fdt64(val);

    devtree_setprop(dt, path, name, &be, sizeof(be));
}

void devtree_setprop_string(DeviceTree *dt, const char *path,
                            const char *name, const char *val)
{
    devtree_setprop(dt, path, name, val, strlen(val) + 1);
}

void devtree_setprop_strings(DeviceTree *dt, const char *path,
                             const char *name, const char *const *list,
                             size_t n)
{
    size_t len = 0, pos = 0;
    char *buf;

    for (size_t i = 0; i < n; i++) {
        len += strlen(list[i]) + 1;
    }
    buf = xmalloc(MAX(len, 1));
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(list[i]) + 1;
        memcpy(buf + pos, list[i], l);
        pos += l;
    }
    devtree_setprop(dt, path, name, buf, len);
    free(buf);
}

void devtree_setprop_cell_array(DeviceTree *dt, const char *path,
                                const char *name, const uint32_t *cells,
                                size_t n)
{
    fdt32_t *be = XNEW_ARRAY(fdt32_t, MAX(n, 1));

    for (size_t i = 0; i < n; i++) {
        be[i] = cpu_to_fdt32(cells[i]);
    }
    devtree_setprop(dt, path, name, be, n * sizeof(*be));
    free(be);
}

void devtree_setprop_u64_inplace(DeviceTree *dt, const char *path,
                                 const char *name, uint64_t val)
{
    int off = devtree_node_offset(dt, path, name);
    int err;

    if (off < 0) {
        return;
    }
    err = fdt_setprop_inplace_u64(dt->blob, off, name, val);
    if (err < 0) {
        devtree_fail(dt, "device tree: update %s in %s: %s", name, path,
                     fdt_strerror(err));
    }
}

const void *devtree_getprop(const DeviceTree *dt, const char *path,
                            const char *name, int *len)
{
    int off, l;
    const void *val;

    if (dt->error || (off = fdt_path_offset(dt->blob, path)) < 0) {
        return NULL;
    }
    val = fdt_getprop(dt->blob, off, name, &l);
    if (val && len) {
        *len = l;
    }
    return val;
}

uint32_t devtree_alloc_phandle(DeviceTree *dt)
{
    return dt->next_phandle++;
}

void devtree_pack(DeviceTree *dt)
{
    int err;

    if (dt->error) {
        return;
    }
    err = fdt_pack(dt->blob);
    if (err) {
        devtree_fail(dt, "device tree: pack: %s", fdt_strerror(err));
        return;
    }
    /* The buffer stays as large as it was; totalsize shrank. */
}

const void *devtree_blob(const DeviceTree *dt)
{
    return dt->blob;
}

size_t devtree_size(const DeviceTree *dt)
{
    return fdt_totalsize(dt->blob);
}

bool devtree_save(const DeviceTree *dt, const char *path, Error **errp)
{
    FILE *f;
    size_t size = devtree_size(dt);

    if (!devtree_ok(dt, errp)) {
        return false;
    }
    f = fopen(path, "wb");
    if (!f) {
        error_setg_errno(errp, errno, "Could not open '%s' for writing",
                         path);
        return false;
    }
    if (fwrite(dt->blob, 1, size, f) != size) {
        error_setg_errno(errp, errno, "Could not write '%s'", path);
        fclose(f);
        return false;
    }
    if (fclose(f) != 0) {
        error_setg_errno(errp, errno, "Could not write '%s'", path);
        return false;
    }
    return true;
}
