/*
 * block/blockdev.c — "-blockdev": one node graph per option, spelled
 * with QEMU's dotted keys (QAPI BlockdevOptions flattened), wrapped in a
 * backend named after its node-name so that devices find it with
 * drive=NODE. Linked into the system emulators only.
 *
 *   -blockdev driver=qcow2,node-name=d0,file.driver=file,file.filename=x
 *   -blockdev driver=file,node-name=f0,filename=x.qcow2
 *   -blockdev driver=qcow2,node-name=d0,file=f0,backing=null
 *
 * Keys understood: driver (file|raw|qcow2), node-name (required),
 * filename (driver=file), file (a node-name) or file.driver=file +
 * file.filename, backing (a node-name, or "null" for none; absent: the
 * image's own backing file), read-only, cache.direct, cache.no-flush,
 * discard, detect-zeroes, force-share, file.locking, file.aio, and
 * auto-read-only (accepted, ignored). A node-name referenced by file=
 * or backing= must belong to an earlier -blockdev.
 */
#include "block/block-internal.h"
#include "hw/core/machine.h"
#include "util/error.h"
#include "util/opts.h"

#include <ctype.h>

/* QEMU's node-name rule: a letter, then letters, digits, '-', '.', '_'. */
static bool blockdev_name_wellformed(const char *id)
{
    if (!isalpha((unsigned char)id[0]) || strlen(id) > 31) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!isalnum((unsigned char)*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

/* The node of an earlier -blockdev called @name (a new reference). */
static BlockDriverState *blockdev_find_node(Machine *m, OptList *opts,
                                            const char *name, Error **errp)
{
    BlockBackend *blk = machine_find_backend(m, PROP_DRIVE, name);

    if (!blk) {
        error_setg(errp, "%s: Cannot find device='' nor node-name='%s'",
                   opts->origin, name);
        return NULL;
    }
    bdrv_ref(blk_bs(blk));
    return blk_bs(blk);
}

static bool blockdev_parse_flags(OptList *opts, int *flags, Error **errp)
{
    bool ro, direct, no_flush, auto_ro;
    const char *discard = opts_get(opts, "discard");

    if (!opts_get_bool(opts, "read-only", false, &ro, errp) ||
        !opts_get_bool(opts, "auto-read-only", false, &auto_ro, errp) ||
        !opts_get_bool(opts, "cache.direct", false, &direct, errp) ||
        !opts_get_bool(opts, "cache.no-flush", false, &no_flush, errp)) {
        return false;
    }
    *flags |= (ro ? 0 : BDRV_O_RDWR) | (direct ? BDRV_O_NOCACHE : 0) |
              (no_flush ? BDRV_O_NO_FLUSH : 0);
    if (discard) {
        if (!strcmp(discard, "unmap") || !strcmp(discard, "on")) {
            *flags |= BDRV_O_UNMAP;
        } else if (strcmp(discard, "ignore") && strcmp(discard, "off")) {
            error_setg(errp, "%s: Parameter 'discard' does not accept value "
                       "'%s'", opts->origin, discard);
            return false;
        }
    }
    return drive_parse_common(opts, "file.", flags, errp);
}

/* The format node's protocol child: file=NODE or file.driver=file,... */
static BlockDriverState *blockdev_open_file(Machine *m, OptList *opts,
                                            int flags, Error **errp)
{
    const char *ref = opts_get(opts, "file");
    const char *drv = opts_get(opts, "file.driver");
    const char *filename = opts_get(opts, "file.filename");
    BlockDriverState *file;

    if (ref) {
        if (drv || filename) {
            error_setg(errp, "%s: Cannot reference an existing block device "
                       "with additional options or a new filename",
                       opts->origin);
            return NULL;
        }
        return blockdev_find_node(m, opts, ref, errp);
    }
    if (!drv || strcmp(drv, "file")) {
        error_setg(errp, "%s: %s", opts->origin,
                   drv ? "Only file.driver=file is supported"
                       : "Parameter 'file.driver' is missing");
        return NULL;
    }
    if (!filename) {
        error_setg(errp, "%s: Parameter 'file.filename' is missing",
                   opts->origin);
        return NULL;
    }
    file = bdrv_open_protocol(filename, flags, errp);
    if (!file) {
        error_prepend(errp, "%s: ", opts->origin);
    }
    return file;
}

bool blk_new_from_blockdev_opts(Machine *m, OptList *opts,
                                BlockBackend **out, Error **errp)
{
    const char *driver = opts_get(opts, "driver");
    const char *node_name = opts_get(opts, "node-name");
    const char *backing = opts_get(opts, "backing");
    BlockDriverState *bs, *file, *backing_bs = NULL;
    BlockBackend *blk;
    int flags = 0, open_flags;
    bool snapshot;

    *out = NULL;
    if (!driver) {
        error_setg(errp, "%s: Parameter 'driver' is missing", opts->origin);
        return false;
    }
    if (!node_name) {
        error_setg(errp, "%s: Parameter 'node-name' is missing (Vireo needs "
                   "it to find the node)", opts->origin);
        return false;
    }
    if (!blockdev_name_wellformed(node_name)) {
        error_setg(errp, "%s: Invalid node-name: '%s'", opts->origin,
                   node_name);
        return false;
    }
    if (machine_find_backend(m, PROP_DRIVE, node_name)) {
        error_setg(errp, "%s: node-name '%s' is already in use",
                   opts->origin, node_name);
        return false;
    }
    if (!blockdev_parse_flags(opts, &flags, errp)) {
        return false;
    }
    /* -snapshot: the node itself stays read-only under the overlay. */
    snapshot = m->config && m->config->snapshot;
    open_flags = snapshot ? flags & ~(BDRV_O_RDWR | BDRV_O_DETECT_ZEROES)
                          : flags;

    if (!strcmp(driver, "file")) {
        const char *filename = opts_get(opts, "filename");

        if (!filename) {
            error_setg(errp, "%s: Parameter 'filename' is missing",
                       opts->origin);
            return false;
        }
        if (!opts_check_unused(opts, errp)) {
            return false;
        }
        bs = bdrv_open_protocol(filename, open_flags, errp);
        if (!bs) {
            error_prepend(errp, "%s: ", opts->origin);
            return false;
        }
    } else {
        const BlockDriver *drv = bdrv_find_format(driver);

        if (!drv || drv->is_protocol) {
            error_setg(errp, "%s: Invalid parameter value for 'driver': "
                       "'%s'", opts->origin, driver);
            return false;
        }
        if (backing && strcmp(backing, "null")) {
            backing_bs = blockdev_find_node(m, opts, backing, errp);
            if (!backing_bs) {
                return false;
            }
        }
        /* Mark the file keys used before looking for unknown ones. */
        opts_get(opts, "file");
        opts_get(opts, "file.driver");
        opts_get(opts, "file.filename");
        if (!opts_check_unused(opts, errp)) {
            bdrv_unref(backing_bs);
            return false;
        }
        file = blockdev_open_file(m, opts, open_flags, errp);
        if (!file) {
            bdrv_unref(backing_bs);
            return false;
        }
        /* backing= given (a node or null): do not open the image's own. */
        bs = bdrv_open_on(driver, file,
                          open_flags | (backing ? BDRV_O_NO_BACKING : 0),
                          errp);
        if (!bs) {
            error_prepend(errp, "%s: ", opts->origin);
            bdrv_unref(backing_bs);
            return false;
        }
        if (backing_bs) {
            bdrv_set_backing(bs, backing_bs);
            bdrv_unref(backing_bs);
        }
    }
    bs->node_name = xstrdup(node_name);
    if (!snapshot) {
        bs->open_flags |= flags & BDRV_O_DETECT_ZEROES;
    }

    if (snapshot) {
        blk = blk_new_with_snapshot(bs, flags, errp);
    } else {
        blk = blk_new_with_root(bs, flags);
        if (!blk) {
            error_setg(errp, "out of file descriptors");
        }
    }
    if (!blk) {
        error_prepend(errp, "%s: ", opts->origin);
        return false;
    }
    blk_set_name(blk, node_name);
    blk_set_interface(blk, BLOCK_IF_NONE);
    if (!drive_watch_completions(m, blk, errp)) {
        error_prepend(errp, "%s: ", opts->origin);
        blk_unref(blk);
        return false;
    }
    *out = blk;
    return true;
}
