/*
 * chardev/char-null.c — the "null" backend: output vanishes, no input.
 */
#include "chardev/chardev-internal.h"

static int null_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    return len;
}

const ChardevType chardev_null_type = {
    .name = "null",
    .desc = "discard all output, never produce input",
    .instance_size = sizeof(Chardev),
    .write = null_write,
};
