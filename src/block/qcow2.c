/*
 * block/qcow2.c — the qcow2 format (placeholder while the driver is
 * being written: it recognises images and refuses to open them).
 */
#include "block/block-internal.h"
#include "util/error.h"

static int qcow2_probe(const uint8_t *buf, size_t len, const char *filename)
{
    return len >= 8 && !memcmp(buf, "QFI\xfb", 4) ? 100 : 0;
}

static bool qcow2_open(BlockDriverState *bs, const char *filename, int flags,
                       Error **errp)
{
    error_setg(errp, "qcow2 is not supported yet");
    return false;
}

static const char *const qcow2_create_keys[] = {
    "size", "compat", "backing_file", "backing_fmt", "cluster_size",
    "preallocation", "lazy_refcounts", "refcount_bits", "compression_type",
    "extended_l2", NULL,
};

const BlockDriver bdrv_qcow2 = {
    .format_name = "qcow2",
    .desc = "QEMU copy-on-write image v2/v3",
    .instance_size = sizeof(BlockDriverState),
    .supports_backing = true,
    .probe = qcow2_probe,
    .open = qcow2_open,
    .create_keys = qcow2_create_keys,
};
