/*
 * block/drive.c — "-drive" options → an open BlockBackend whose
 * completions run on the machine's main loop. Linked into the system
 * emulators only (it needs the Machine and its main loop).
 *
 * The keys are QEMU's, restricted to what means something today:
 *   file=PATH           the image (required: there is no removable media)
 *   format=raw|qcow2    absent: probe (guessing raw warns as QEMU does)
 *   if=virtio|none      absent: the machine's default (BLOCK_IF_DEFAULT)
 *   id=NAME             absent: QEMU's automatic name, "virtio0", "none1", ...
 *   readonly=on|off
 *   cache=writeback|none|writethrough|directsync|unsafe, and the
 *     cache.direct / cache.no-flush switches they are made of
 *   discard=ignore|off|unmap|on
 *   detect-zeroes=off|on|unmap
 *   snapshot=on|off     a temporary qcow2 overlay takes the writes
 *   media=disk
 *   aio=threads|io_uring
 *   file.locking=auto|on|off, force-share=on|off
 * Anything else is "Invalid parameter 'KEY'" (opts_check_unused()).
 *
 * The chosen id is written back into the option list ("id"), so that
 * blk_commit_snapshot_all() can find every drive of the machine again
 * through m->config without a registry of its own.
 */
#include "block/block-internal.h"
#include "core/main-loop.h"
#include "hw/core/machine.h"
#include "util/error.h"
#include "util/opts.h"

#include <ctype.h>

/* QEMU's if= names; the ones this build cannot attach are refused. */
static const char *const drive_if_names_unsupported[] = {
    "ide", "scsi", "floppy", "pflash", "mtd", "sd", "xen", NULL,
};

typedef struct DriveCacheMode {
    const char *name;
    bool direct;        /* cache.direct: O_DIRECT */
    bool writeback;     /* guest-visible write cache on */
    bool no_flush;      /* cache.no-flush: ignore flushes */
} DriveCacheMode;

static const DriveCacheMode drive_cache_modes[] = {
    { "writeback",    false, true,  false },
    { "none",         true,  true,  false },
    { "writethrough", false, false, false },
    { "directsync",   true,  false, false },
    { "unsafe",       false, true,  true  },
};

/* QEMU's rule for ids: a letter, then letters, digits, '-', '.', '_'. */
static bool drive_id_wellformed(const char *id)
{
    if (!isalpha((unsigned char)id[0])) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!isalnum((unsigned char)*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

static bool drive_parse_if(OptList *opts, BlockInterfaceType *iface,
                           Error **errp)
{
    const char *v = opts_get(opts, "if");

    *iface = BLOCK_IF_DEFAULT;
    if (!v) {
        return true;
    }
    if (!strcmp(v, "virtio")) {
        *iface = BLOCK_IF_VIRTIO;
        return true;
    }
    if (!strcmp(v, "none")) {
        *iface = BLOCK_IF_NONE;
        return true;
    }
    for (const char *const *n = drive_if_names_unsupported; *n; n++) {
        if (!strcmp(v, *n)) {
            error_setg(errp, "%s: machine type does not support "
                       "if=%s,bus=0,unit=0", opts->origin, v);
            return false;
        }
    }
    error_setg(errp, "%s: unsupported bus type '%s'", opts->origin, v);
    return false;
}

static bool drive_parse_cache(OptList *opts, int *flags, Error **errp)
{
    const char *v = opts_get(opts, "cache");
    const DriveCacheMode *mode = &drive_cache_modes[0];
    bool direct, no_flush;

    if (v) {
        mode = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(drive_cache_modes); i++) {
            if (!strcmp(v, drive_cache_modes[i].name)) {
                mode = &drive_cache_modes[i];
            }
        }
        if (!mode) {
            error_setg(errp, "%s: invalid cache option '%s'", opts->origin,
                       v);
            return false;
        }
    }
    if (!opts_get_bool(opts, "cache.direct", mode->direct, &direct, errp) ||
        !opts_get_bool(opts, "cache.no-flush", mode->no_flush, &no_flush,
                       errp)) {
        return false;
    }
    *flags |= (direct ? BDRV_O_NOCACHE : 0) |
              (no_flush ? BDRV_O_NO_FLUSH : 0) |
              (mode->writeback ? 0 : BDRV_O_WRITETHROUGH);
    return true;
}

static bool drive_parse_misc(OptList *opts, int *flags, Error **errp)
{
    const char *discard = opts_get(opts, "discard");
    const char *media = opts_get(opts, "media");
    bool readonly;

    if (!opts_get_bool(opts, "readonly", false, &readonly, errp)) {
        return false;
    }
    *flags |= readonly ? 0 : BDRV_O_RDWR;
    if (discard) {
        if (!strcmp(discard, "unmap") || !strcmp(discard, "on")) {
            *flags |= BDRV_O_UNMAP;
        } else if (strcmp(discard, "ignore") && strcmp(discard, "off")) {
            error_setg(errp, "%s: Invalid discard option '%s'", opts->origin,
                       discard);
            return false;
        }
    }
    if (media && strcmp(media, "disk")) {
        if (!strcmp(media, "cdrom")) {
            error_setg(errp, "%s: media=cdrom is not supported: no "
                       "removable-media device exists", opts->origin);
        } else {
            error_setg(errp, "%s: '%s' invalid media", opts->origin, media);
        }
        return false;
    }
    return true;
}

/*
 * Keys -drive and -blockdev share (the latter spells some with a
 * "file." prefix, passed as @file_prefix): detect-zeroes, aio, locking,
 * force-share.
 */
bool drive_parse_common(OptList *opts, const char *file_prefix, int *flags,
                        Error **errp)
{
    const char *dz = opts_get(opts, "detect-zeroes");
    char *key = xasprintf("%saio", file_prefix);
    const char *aio = opts_get(opts, key);
    const char *locking;
    bool force_share;

    free(key);
    if (!aio) {
        aio = opts_get(opts, "aio");
    }
    if (dz && !strcmp(dz, "unmap")) {
        if (!(*flags & BDRV_O_UNMAP)) {
            error_setg(errp, "%s: setting detect-zeroes to unmap is not "
                       "allowed without setting discard operation to unmap",
                       opts->origin);
            return false;
        }
        *flags |= BDRV_O_DETECT_ZEROES;
    } else if (dz && !strcmp(dz, "on")) {
        *flags |= BDRV_O_DETECT_ZEROES;
    } else if (dz && strcmp(dz, "off")) {
        error_setg(errp, "%s: Parameter 'detect-zeroes' does not accept "
                   "value '%s'", opts->origin, dz);
        return false;
    }
    if (aio && !strcmp(aio, "io_uring")) {
        *flags |= BDRV_O_IO_URING;
    } else if (aio && strcmp(aio, "threads")) {
        error_setg(errp, "%s: aio=%s is not supported (threads, io_uring)",
                   opts->origin, aio);
        return false;
    }
    key = xasprintf("%slocking", file_prefix);
    locking = opts_get(opts, key);
    free(key);
    if (locking && !strcmp(locking, "off")) {
        *flags |= BDRV_O_NO_LOCK;
    } else if (locking && strcmp(locking, "on") && strcmp(locking, "auto")) {
        error_setg(errp, "%s: Parameter 'locking' does not accept value "
                   "'%s'", opts->origin, locking);
        return false;
    }
    if (!opts_get_bool(opts, "force-share", false, &force_share, errp)) {
        return false;
    }
    if (force_share) {
        *flags |= BDRV_O_FORCE_SHARE;
    }
    return true;
}

/* QEMU's automatic drive name: interface name plus the first free unit. */
static char *drive_auto_id(Machine *m, BlockInterfaceType iface)
{
    const char *prefix = iface == BLOCK_IF_NONE ? "none" : "virtio";

    for (unsigned unit = 0;; unit++) {
        char *id = xasprintf("%s%u", prefix, unit);

        if (!machine_find_backend(m, PROP_DRIVE, id)) {
            return id;
        }
        free(id);
    }
}

static void drive_on_completion(void *opaque)
{
    blk_dispatch_completions(opaque);
}

static void drive_release(BlockBackend *blk, void *opaque)
{
    main_loop_set_fd_handler(opaque, blk_completion_fd(blk), NULL, NULL,
                             NULL, NULL);
}

/* Deliver @blk's completions on @m's main loop. */
bool drive_watch_completions(Machine *m, BlockBackend *blk, Error **errp)
{
    if (!main_loop_set_fd_handler(m->loop, blk_completion_fd(blk),
                                  drive_on_completion, NULL, blk, errp)) {
        return false;
    }
    blk_set_release_notifier(blk, drive_release, m->loop);
    return true;
}

bool blk_new_from_drive_opts(Machine *m, OptList *opts, BlockBackend **out,
                             Error **errp)
{
    const char *file;
    const char *format = opts_get(opts, "format");
    const char *id = opts_get(opts, "id");
    BlockInterfaceType iface;
    BlockBackend *blk;
    char *name;
    int flags = 0;
    bool snapshot = m->config && m->config->snapshot;

    *out = NULL;
    if (opts->origin && !strncmp(opts->origin, "-blockdev", 9)) {
        return blk_new_from_blockdev_opts(m, opts, out, errp);
    }
    file = opts_get(opts, "file");
    if (!opts_get_bool(opts, "snapshot", snapshot, &snapshot, errp) ||
        !drive_parse_if(opts, &iface, errp) ||
        !drive_parse_cache(opts, &flags, errp) ||
        !drive_parse_misc(opts, &flags, errp) ||
        !drive_parse_common(opts, "file.", &flags, errp) ||
        !opts_check_unused(opts, errp)) {
        return false;
    }
    if (snapshot) {
        flags |= BDRV_O_SNAPSHOT;
    }
    if (id && !drive_id_wellformed(id)) {
        error_setg(errp, "%s: Parameter 'id' expects an identifier",
                   opts->origin);
        return false;
    }
    if (id && machine_find_backend(m, PROP_DRIVE, id)) {
        error_setg(errp, "%s: Duplicate ID '%s' for drive", opts->origin,
                   id);
        return false;
    }
    if (format && !bdrv_find_format(format)) {
        char *list = bdrv_format_list();

        error_setg(errp, "%s: Unknown driver '%s' (formats: %s)",
                   opts->origin, format, list);
        free(list);
        return false;
    }
    if (!file || !*file) {
        error_setg(errp, "%s: Parameter 'file' is missing (empty drives "
                   "are not supported)", opts->origin);
        return false;
    }

    blk = blk_new_open(file, format, flags, errp);
    if (!blk) {
        error_prepend(errp, "%s: ", opts->origin);
        return false;
    }
    name = id ? xstrdup(id) : drive_auto_id(m, iface);
    blk_set_name(blk, name);
    if (!id) {
        opts_set(opts, "id", name);
        opts_get(opts, "id");
    }
    free(name);
    blk_set_interface(blk, iface);
    if (!drive_watch_completions(m, blk, errp)) {
        error_prepend(errp, "%s: ", opts->origin);
        blk_unref(blk);
        return false;
    }
    *out = blk;
    return true;
}

int blk_commit_snapshot_all(Machine *m)
{
    int failed = 0;

    if (!m->config) {
        return 0;
    }
    for (size_t i = 0; i < m->config->drives.count; i++) {
        OptList *opts = &m->config->drives.items[i];
        const char *id = opts_get(opts, "id");
        BlockBackend *blk;
        Error *err = NULL;

        if (!id) {
            id = opts_get(opts, "node-name");
        }
        blk = id ? machine_find_backend(m, PROP_DRIVE, id) : NULL;
        if (blk && !blk_commit_snapshot(blk, &err)) {
            error_prepend(&err, "Could not commit drive '%s': ", id);
            error_report_err(err);
            failed++;
        }
    }
    return failed;
}
