/*
 * chardev/chardev.h — character-device backends (host side of serial
 * ports, consoles and monitors).
 *
 * A Chardev is one backend instance (-chardev TYPE,id=ID,...). Exactly one
 * front end (a UART, a virtio console, a monitor) attaches to it and gets
 * bytes through its callbacks: the backend asks fe_can_read() how much the
 * front end can take and hands over at most that much with fe_read(), so
 * a slow guest applies back-pressure instead of losing input. Output goes
 * the other way through chardev_write(). All of this runs with the BQL.
 *
 * Backend kinds are rows of the const table chardev_types[]; "-chardev
 * help" loops over it.
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
    /* Optional: take a front end (the mux takes several). */
    bool (*attach)(Chardev *chr, const ChardevFrontend *fe, Error **errp);
    void (*close)(Chardev *chr);
} ChardevType;

struct Chardev {
    const ChardevType *type;
    char *id;
    MainLoop *loop;
    ChardevFrontend fe;
    bool fe_attached;
};

/* The backend kinds, NULL-terminated. */
extern const ChardevType *const chardev_types[];

const ChardevType *chardev_type_find(const char *name);
void chardev_print_types(FILE *out);

/* Create from "-chardev TYPE,id=ID,..." options. */
Chardev *chardev_new_from_opts(MainLoop *loop, OptList *opts, Error **errp);
/*
 * Create from the short forms -serial/-monitor take: "stdio", "null",
 * "file:PATH", "pipe:PATH", "pty", "tcp:HOST:PORT,server=on", "unix:PATH",
 * "mon:stdio" (the mux is handled by the caller). @id is the new id.
 */
Chardev *chardev_new_from_spec(MainLoop *loop, const char *id,
                               const char *spec, Error **errp);
void chardev_free(Chardev *chr);

/* Attach the front end. Fails if one is attached already (a mux takes
 * several). */
bool chardev_attach(Chardev *chr, const ChardevFrontend *fe, Error **errp);
void chardev_detach(Chardev *chr);

/* Front end → backend: write all of @buf (blocking briefly if needed). */
int chardev_write_all(Chardev *chr, const uint8_t *buf, size_t len);
/* Front end → backend: its input buffer has room again. */
void chardev_accept_input(Chardev *chr);

/* Backend → front end helpers. */
int chardev_fe_can_read(Chardev *chr);
void chardev_fe_read(Chardev *chr, const uint8_t *buf, size_t len);
void chardev_fe_event(Chardev *chr, ChardevEvent event);

#endif /* CHARDEV_CHARDEV_H */
