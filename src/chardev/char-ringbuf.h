/*
 * chardev/char-ringbuf.h — the "ringbuf" backend's own interface: what
 * the QMP commands ringbuf-read and ringbuf-write (and HMP ringbuf_read /
 * ringbuf_write) do with it.
 */
#ifndef CHARDEV_CHAR_RINGBUF_H
#define CHARDEV_CHAR_RINGBUF_H

#include "chardev/chardev.h"

bool chardev_is_ringbuf(const Chardev *chr);
/* Bytes currently held (at most the ring's size). */
size_t chardev_ringbuf_count(Chardev *chr);
/* Take up to @len of the oldest bytes out of the ring into @buf. */
size_t chardev_ringbuf_read(Chardev *chr, uint8_t *buf, size_t len);
/* Append @buf, overwriting the oldest bytes when full (like front-end
 * output). */
void chardev_ringbuf_write(Chardev *chr, const uint8_t *buf, size_t len);

#endif /* CHARDEV_CHAR_RINGBUF_H */
