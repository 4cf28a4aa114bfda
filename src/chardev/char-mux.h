/*
 * chardev/char-mux.h — the multiplexer: several front ends (a serial
 * port, the monitor) sharing one backend (usually the terminal), switched
 * with QEMU's Ctrl-A escapes.
 */
#ifndef CHARDEV_CHAR_MUX_H
#define CHARDEV_CHAR_MUX_H

#include "chardev/chardev.h"

/* What the escapes act on outside the chardev layer. */
typedef struct MuxHostOps {
    void (*quit)(void *opaque);             /* Ctrl-A x */
    void (*commit_snapshot)(void *opaque);  /* Ctrl-A s */
} MuxHostOps;

/*
 * Wrap @backend (which the mux now owns) in a mux with id @id. Front ends
 * attach with chardev_attach() on the mux, up to MUX_MAX_FRONTENDS; the
 * first one has the focus.
 */
Chardev *chardev_mux_new(MainLoop *loop, const char *id, Chardev *backend,
                         const MuxHostOps *host, void *host_opaque);
bool chardev_is_mux(const Chardev *chr);
/* The backend a mux wraps (its "ID-base" chardev, as QEMU names it). */
Chardev *chardev_mux_backend(Chardev *chr);

#define MUX_MAX_FRONTENDS 4

#endif /* CHARDEV_CHAR_MUX_H */
