/*
 * chardev/chardev.h — character-device backends (host side of serial
 * ports, consoles and monitors).
 *
 * A Chardev is one backend instance (-chardev TYPE,id=ID,...). Exactly one
 * front end (a UART, a virtio console, a monitor) attaches to it and gets
 * bytes through its callbacks: the backend asks fe_can_read() how much the
 * front end can take and hands over at most that much with fe_read(), so
 * a slow guest applies back-pressure instead of losing input. Output goes
 * the other way through chardev_write_all() (devices: short blocking
 * retries) or chardev_write() plus a write watch (monitors: never block
 * the main loop on a peer that does not read). All of this runs with the
 * BQL.
 *
 * Connection state: most backends are open from creation. Those with a
 * peer that comes and goes (socket, pty) start "closed" and send
 * CHR_EVENT_OPENED / CHR_EVENT_CLOSED to the front end as peers arrive
 * and leave; while closed, their output is discarded (as in QEMU).
 *
 * Backend kinds are rows of the const table chardev_types[]; "-chardev
 * help" loops over it. The short forms -serial/-monitor/-qmp accept
 * ("stdio", "tcp::4444,server=on", "unix:PATH", ...) are rows of a second
 * table in chardev.c, mirroring QEMU's qemu_chr_parse_compat().
 */
#ifndef CHARDEV_CHARDEV_H
#define CHARDEV_CHARDEV_H

#include "util/osdep.h"
#include "util/typedefs.h"
#include "core/property.h"

typedef enum ChardevEvent {
    CHR_EVENT_OPENED,       /* a peer connected / the backend opened */
    CHR_EVENT_CLOSED,       /* the peer went away */
    CHR_EVENT_BREAK,        /* serial break */
    CHR_EVENT_MUX_IN,       /* a mux switched focus to this front end */
    CHR_EVENT_MUX_OUT,      /* ... or away from it */
} ChardevEvent;

typedef struct ChardevFrontend {
    int (*can_read)(void *opaque);
    void (*read)(void *opaque, const uint8_t *buf, size_t len);
    void (*event)(void *opaque, ChardevEvent event);
    /* Optional: the backend can take output again (after a write watch). */
    void (*write_ready)(void *opaque);
    void *opaque;
} ChardevFrontend;

typedef struct ChardevType {
    const char *name;
    const char *desc;
    size_t instance_size;       /* >= sizeof(Chardev) */
    const Property *props;      /* -chardev TYPE,key=value (not id) */
    bool (*open)(Chardev *chr, Error **errp);
    /* Write up to @len bytes; returns bytes taken or -errno. */
    int (*write)(Chardev *chr, const uint8_t *buf, size_t len);
    /* The front end can take input again (after can_read said 0). */
    void (*accept_input)(Chardev *chr);
    /* Optional: take a front end (the mux takes several) ... */
    bool (*attach)(Chardev *chr, const ChardevFrontend *fe, Error **errp);
    /* ... and let the one with this opaque go again. */
    void (*detach)(Chardev *chr, void *fe_opaque);
    /*
     * Optional: call chardev_fe_write_ready() once the backend can take
     * output again (after write returned -EAGAIN). Backends without it
     * block briefly in chardev_write_all() instead.
     */
    void (*add_write_watch)(Chardev *chr);
    /* Optional: what query-chardev shows as "filename" (malloc'ed). */
    char *(*filename)(Chardev *chr);
    void (*close)(Chardev *chr);
} ChardevType;

struct Chardev {
    const ChardevType *type;
    char *id;
    MainLoop *loop;
    ChardevFrontend fe;
    bool fe_attached;
    bool fe_open;       /* the front end has been sent OPENED */
    /* No peer yet (socket without client, pty nobody opened): OPENED is
     * sent when one arrives. Zero (open) for ordinary backends. */
    bool be_closed;
};

/* The backend kinds, NULL-terminated. */
extern const ChardevType *const chardev_types[];

const ChardevType *chardev_type_find(const char *name);
void chardev_print_types(FILE *out);

/*
 * Create from "-chardev TYPE,id=ID,..." options. The key "mux" is left to
 * the caller (which wraps the result with chardev_mux_new()).
 */
Chardev *chardev_new_from_opts(MainLoop *loop, OptList *opts, Error **errp);
/*
 * Create from the short forms -serial/-monitor/-qmp take: "stdio", "null",
 * "pty", "file:PATH", "pipe:PATH", "unix:PATH[,opts]",
 * "tcp:[HOST]:PORT[,opts]" (opts such as server=on,wait=off, or the legacy
 * "server,nowait"). "mon:" and "chardev:" prefixes are the caller's. @id is
 * the new id.
 */
Chardev *chardev_new_from_spec(MainLoop *loop, const char *id,
                               const char *spec, Error **errp);
void chardev_free(Chardev *chr);

/* What query-chardev / "info chardev" show as filename (malloc'ed). */
char *chardev_filename(Chardev *chr);
bool chardev_is_type(const Chardev *chr, const char *type_name);

/* Attach the front end. Fails if one is attached already (a mux takes
 * several). */
bool chardev_attach(Chardev *chr, const ChardevFrontend *fe, Error **errp);
void chardev_detach(Chardev *chr);
/* Detach the front end whose opaque is @fe_opaque (also from a mux). */
void chardev_detach_frontend(Chardev *chr, void *fe_opaque);

/* Front end → backend: write all of @buf (blocking briefly if needed). */
int chardev_write_all(Chardev *chr, const uint8_t *buf, size_t len);
/*
 * Front end → backend: one non-blocking attempt. Returns bytes taken (all
 * of them when the backend discards output), or -EAGAIN / -errno.
 */
int chardev_write(Chardev *chr, const uint8_t *buf, size_t len);
/*
 * Ask for fe.write_ready() once the backend can take output again. Returns
 * false if the backend cannot tell (then use chardev_write_all()).
 */
bool chardev_add_write_watch(Chardev *chr);
/* Front end → backend: its input buffer has room again. */
void chardev_accept_input(Chardev *chr);

/* Backend → front end helpers. */
int chardev_fe_can_read(Chardev *chr);
void chardev_fe_read(Chardev *chr, const uint8_t *buf, size_t len);
void chardev_fe_event(Chardev *chr, ChardevEvent event);
void chardev_fe_write_ready(Chardev *chr);
/*
 * A peer arrived (OPENED) or left (CLOSED): record it in be_closed and
 * tell the front end.
 */
void chardev_be_event(Chardev *chr, ChardevEvent event);

#endif /* CHARDEV_CHARDEV_H */
