/*
 * chardev/char-ringbuf.c — the "ringbuf" backend: front-end output kept
 * in a fixed-size ring in memory (size=, a power of two, 64 KiB by
 * default), overwriting the oldest bytes when full. It never produces
 * input. The monitor reads it with ringbuf-read, which consumes what it
 * returns, and ringbuf-write appends to it as if the front end had
 * written (QEMU's semantics for both).
 *
 * prod and cons are free-running byte counters; prod - cons is the fill
 * level, and the ring index is the counter modulo size.
 */
#include "chardev/char-ringbuf.h"
#include "chardev/chardev-internal.h"
#include "util/error.h"

typedef struct RingbufChardev {
    Chardev chr;
    uint64_t size;
    uint8_t *buf;
    uint64_t prod;
    uint64_t cons;
} RingbufChardev;

static RingbufChardev *ringbuf_of(Chardev *chr)
{
    return container_of(chr, RingbufChardev, chr);
}

static bool ringbuf_open(Chardev *chr, Error **errp)
{
    RingbufChardev *r = ringbuf_of(chr);

    if (!IS_POW2(r->size) || r->size > 1 * GiB) {
        error_setg(errp, "size of ringbuf chardev must be power of two "
                   "(at most 1G)");
        return false;
    }
    r->buf = xzalloc(r->size);
    return true;
}

void chardev_ringbuf_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    RingbufChardev *r = ringbuf_of(chr);

    for (size_t i = 0; i < len; i++) {
        r->buf[r->prod++ & (r->size - 1)] = buf[i];
        if (r->prod - r->cons > r->size) {
            r->cons = r->prod - r->size;
        }
    }
}

static int ringbuf_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    chardev_ringbuf_write(chr, buf, len);
    return len;
}

size_t chardev_ringbuf_count(Chardev *chr)
{
    RingbufChardev *r = ringbuf_of(chr);

    return r->prod - r->cons;
}

size_t chardev_ringbuf_read(Chardev *chr, uint8_t *buf, size_t len)
{
    RingbufChardev *r = ringbuf_of(chr);
    size_t n = 0;

    while (n < len && r->cons != r->prod) {
        buf[n++] = r->buf[r->cons++ & (r->size - 1)];
    }
    return n;
}

bool chardev_is_ringbuf(const Chardev *chr)
{
    return chr->type == &chardev_ringbuf_type;
}

static void ringbuf_close(Chardev *chr)
{
    RingbufChardev *r = ringbuf_of(chr);

    free(r->buf);
    r->buf = NULL;
}

static const Property ringbuf_props[] = {
    DEFINE_PROP_SIZE("size", RingbufChardev, size, 64 * KiB,
                     "ring size in bytes (a power of two)"),
    DEFINE_PROP_END,
};

const ChardevType chardev_ringbuf_type = {
    .name = "ringbuf",
    .desc = "keep output in a ring buffer in memory (ringbuf-read)",
    .instance_size = sizeof(RingbufChardev),
    .props = ringbuf_props,
    .open = ringbuf_open,
    .write = ringbuf_write,
    .close = ringbuf_close,
};
