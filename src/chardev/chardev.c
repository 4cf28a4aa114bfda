/*
 * chardev/chardev.c — the chardev registry, creation from options and
 * short forms, the front-end plumbing (see chardev/chardev.h) and the
 * ChardevIO helper fd-based backends share (chardev/chardev-internal.h).
 */
#include "chardev/chardev.h"
#include "chardev/chardev-internal.h"
#include "core/main-loop.h"
#include "util/error.h"
#include "util/opts.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

/* The -chardev backends, in the order "-chardev help" lists them. */
const ChardevType *const chardev_types[] = {
    &chardev_file_type,
    &chardev_null_type,
    &chardev_pipe_type,
    &chardev_pty_type,
    &chardev_ringbuf_type,
    &chardev_socket_type,
    &chardev_stdio_type,
    NULL,
};

/*
 * The short forms (QEMU's qemu_chr_parse_compat()). A row matches a spec
 * that equals @prefix, or starts with it followed by ',' (plain names) or
 * anything (prefixes ending in ':'). What follows a ':' prefix up to the
 * first ',' is the address: it becomes @addr_key, or host/port for tcp.
 */
typedef struct ChardevShortForm {
    const char *prefix;
    const char *type;
    const char *addr_key;       /* NULL: host:port (tcp) */
} ChardevShortForm;

static const ChardevShortForm chardev_short_forms[] = {
    { "null",   "null",   NULL },
    { "stdio",  "stdio",  NULL },
    { "pty",    "pty",    NULL },
    { "file:",  "file",   "path" },
    { "pipe:",  "pipe",   "path" },
    { "unix:",  "socket", "path" },
    { "tcp:",   "socket", NULL },
};

const ChardevType *chardev_type_find(const char *name)
{
    for (const ChardevType *const *t = chardev_types; *t; t++) {
        if (!strcmp((*t)->name, name)) {
            return *t;
        }
    }
    return NULL;
}

void chardev_print_types(FILE *out)
{
    fprintf(out, "Available chardev backend types:\n");
    for (const ChardevType *const *t = chardev_types; *t; t++) {
        fprintf(out, "  %-10s %s\n", (*t)->name, (*t)->desc);
    }
}

static Chardev *chardev_create(MainLoop *loop, const ChardevType *type,
                               const char *id, OptList *opts, Error **errp)
{
    static const char *const skip[] = { "backend", "id", "mux", NULL };
    Chardev *chr = xzalloc(MAX(type->instance_size, sizeof(Chardev)));

    chr->type = type;
    chr->id = xstrdup(id);
    chr->loop = loop;
    props_set_defaults(chr, type->props);
    if (opts && !props_apply_opts(chr, type->props, opts, skip, NULL,
                                  type->name, errp)) {
        goto fail;
    }
    if (type->open && !type->open(chr, errp)) {
        error_prepend(errp, "chardev '%s': ", id);
        goto fail;
    }
    return chr;

fail:
    props_release(chr, type->props);
    free(chr->id);
    free(chr);
    return NULL;
}

Chardev *chardev_new_from_opts(MainLoop *loop, OptList *opts, Error **errp)
{
    const char *backend = opts_get(opts, "backend");
    const char *id = opts_get(opts, "id");
    const ChardevType *type;

    if (!backend || !*backend) {
        error_setg(errp, "%s: chardev: backend type is missing", opts->origin);
        return NULL;
    }
    type = chardev_type_find(backend);
    if (!type) {
        error_setg(errp, "%s: '%s' is not a valid char driver name "
                   "(try -chardev help)", opts->origin, backend);
        return NULL;
    }
    if (!id || !*id) {
        error_setg(errp, "%s: chardev: no id specified", opts->origin);
        return NULL;
    }
    return chardev_create(loop, type, id, opts, errp);
}

/* "HOST:PORT", "[V6]:PORT" or ":PORT" → host=, port= */
static bool chardev_parse_inet(OptList *opts, const char *addr, Error **errp)
{
    const char *colon = strrchr(addr, ':');
    char *host;

    if (!colon || !colon[1]) {
        error_setg(errp, "host and/or port not specified in '%s' (expected "
                   "HOST:PORT)", addr);
        return false;
    }
    if (addr[0] == '[' && colon > addr && colon[-1] == ']') {
        host = xstrndup(addr + 1, colon - addr - 2);
    } else {
        host = xstrndup(addr, colon - addr);
    }
    opts_set(opts, "host", host);
    opts_set(opts, "port", colon + 1);
    free(host);
    return true;
}

static const ChardevShortForm *chardev_short_form_find(const char *spec)
{
    for (size_t i = 0; i < ARRAY_SIZE(chardev_short_forms); i++) {
        const ChardevShortForm *f = &chardev_short_forms[i];
        size_t n = strlen(f->prefix);

        if (strncmp(spec, f->prefix, n)) {
            continue;
        }
        if (f->prefix[n - 1] == ':' || spec[n] == '\0' || spec[n] == ',') {
            return f;
        }
    }
    return NULL;
}

Chardev *chardev_new_from_spec(MainLoop *loop, const char *id,
                               const char *spec, Error **errp)
{
    const ChardevShortForm *form = chardev_short_form_find(spec);
    const ChardevType *type;
    const char *rest;
    OptList opts;
    Chardev *chr;

    if (!form) {
        /* Any backend by name: "ringbuf,size=4096". */
        size_t n = strcspn(spec, ",");
        char *name = xstrndup(spec, n);

        type = chardev_type_find(name);
        free(name);
        if (!type) {
            error_setg(errp, "'%s' is not a valid char driver", spec);
            return NULL;
        }
        rest = spec + n + (spec[n] == ',');
        if (!opts_parse(&opts, spec, rest, NULL, errp)) {
            return NULL;
        }
    } else {
        size_t plen = strlen(form->prefix);
        bool has_addr = form->prefix[plen - 1] == ':';

        type = chardev_type_find(form->type);
        rest = spec + plen;
        if (!has_addr) {
            rest += (*rest == ',');
            if (!opts_parse(&opts, spec, rest, NULL, errp)) {
                return NULL;
            }
        } else if (form->addr_key) {
            /* "file:PATH,append=on": the path is the implied first key. */
            if (!*rest) {
                error_setg(errp, "'%s': %s is missing", spec, form->addr_key);
                return NULL;
            }
            if (!opts_parse(&opts, spec, rest, form->addr_key, errp)) {
                return NULL;
            }
        } else {
            size_t n = strcspn(rest, ",");
            char *addr = xstrndup(rest, n);
            bool ok = opts_parse(&opts, spec, rest + n + (rest[n] == ','),
                                 NULL, errp);

            if (ok && !chardev_parse_inet(&opts, addr, errp)) {
                opts_free(&opts);
                ok = false;
            }
            free(addr);
            if (!ok) {
                return NULL;
            }
        }
    }
    if (opts.help) {
        error_setg(errp, "'%s': use -chardev %s,help for the options", spec,
                   type->name);
        opts_free(&opts);
        return NULL;
    }
    chr = chardev_create(loop, type, id, &opts, errp);
    opts_free(&opts);
    return chr;
}

void chardev_free(Chardev *chr)
{
    if (!chr) {
        return;
    }
    if (chr->type->close) {
        chr->type->close(chr);
    }
    props_release(chr, chr->type->props);
    free(chr->id);
    free(chr);
}

char *chardev_filename(Chardev *chr)
{
    return chr->type->filename ? chr->type->filename(chr)
                               : xstrdup(chr->type->name);
}

bool chardev_is_type(const Chardev *chr, const char *type_name)
{
    return !strcmp(chr->type->name, type_name);
}

bool chardev_attach(Chardev *chr, const ChardevFrontend *fe, Error **errp)
{
    if (chr->type->attach) {
        return chr->type->attach(chr, fe, errp);
    }
    if (chr->fe_attached) {
        error_setg(errp, "chardev '%s' is already in use", chr->id);
        return false;
    }
    chr->fe = *fe;
    chr->fe_attached = true;
    if (!chr->be_closed) {
        chr->fe_open = true;
        chardev_fe_event(chr, CHR_EVENT_OPENED);
    }
    chardev_accept_input(chr);
    return true;
}

void chardev_detach(Chardev *chr)
{
    memset(&chr->fe, 0, sizeof(chr->fe));
    chr->fe_attached = false;
    chr->fe_open = false;
    /* Input watches depend on the front end's room: re-evaluate them. */
    chardev_accept_input(chr);
}

void chardev_detach_frontend(Chardev *chr, void *fe_opaque)
{
    if (chr->type->detach) {
        chr->type->detach(chr, fe_opaque);
    } else if (chr->fe_attached && chr->fe.opaque == fe_opaque) {
        chardev_detach(chr);
    }
}

int chardev_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    if (!chr->type->write) {
        return len;
    }
    return chr->type->write(chr, buf, len);
}

bool chardev_add_write_watch(Chardev *chr)
{
    if (!chr->type->add_write_watch) {
        return false;
    }
    chr->type->add_write_watch(chr);
    return true;
}

int chardev_write_all(Chardev *chr, const uint8_t *buf, size_t len)
{
    size_t done = 0;
    int tries = 0;

    if (!chr->type->write) {
        return len;
    }
    while (done < len) {
        int n = chr->type->write(chr, buf + done, len - done);

        if (n == -EAGAIN || n == 0) {
            /* A full pipe or terminal: wait a little, but never forever. */
            if (++tries > 1000) {
                return done;
            }
            usleep(1000);
            continue;
        }
        if (n < 0) {
            return done ? (int)done : n;
        }
        done += n;
    }
    return done;
}

void chardev_accept_input(Chardev *chr)
{
    if (chr->type->accept_input) {
        chr->type->accept_input(chr);
    }
}

int chardev_fe_can_read(Chardev *chr)
{
    if (!chr->fe_attached || !chr->fe.can_read) {
        return 0;
    }
    return chr->fe.can_read(chr->fe.opaque);
}

void chardev_fe_read(Chardev *chr, const uint8_t *buf, size_t len)
{
    if (chr->fe_attached && chr->fe.read && len) {
        chr->fe.read(chr->fe.opaque, buf, len);
    }
}

void chardev_fe_event(Chardev *chr, ChardevEvent event)
{
    if (chr->fe_attached && chr->fe.event) {
        chr->fe.event(chr->fe.opaque, event);
    }
}

void chardev_fe_write_ready(Chardev *chr)
{
    if (chr->fe_attached && chr->fe.write_ready) {
        chr->fe.write_ready(chr->fe.opaque);
    }
}

void chardev_be_event(Chardev *chr, ChardevEvent event)
{
    if (event == CHR_EVENT_OPENED) {
        chr->be_closed = false;
        chr->fe_open = chr->fe_attached;
    } else if (event == CHR_EVENT_CLOSED) {
        chr->be_closed = true;
        chr->fe_open = false;
    }
    chardev_fe_event(chr, event);
}

/* --- ChardevIO --- */

bool chardev_fd_set_nonblock(int fd, bool on)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0) {
        return false;
    }
    flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
    return fcntl(fd, F_SETFL, flags) == 0;
}

static void chardev_io_on_read(void *opaque)
{
    ChardevIO *io = opaque;
    uint8_t buf[4096];
    int room = chardev_fe_can_read(io->chr);
    ssize_t n;

    if (room <= 0 || io->paused) {
        chardev_io_update(io);
        return;
    }
    n = read(io->in_fd, buf, MIN((size_t)room, sizeof(buf)));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        /* EOF or error: stop reading; the backend decides what next. */
        io->paused = true;
        chardev_io_update(io);
        if (io->on_eof) {
            io->on_eof(io->chr, n < 0 ? -errno : 0);
        }
        return;
    }
    chardev_fe_read(io->chr, buf, n);
    chardev_io_update(io);
}

static void chardev_io_on_write(void *opaque)
{
    ChardevIO *io = opaque;

    io->want_write = false;
    chardev_io_update(io);
    chardev_fe_write_ready(io->chr);
}

void chardev_io_init(ChardevIO *io, Chardev *chr, int in_fd, int out_fd,
                     void (*on_eof)(Chardev *chr, int err))
{
    memset(io, 0, sizeof(*io));
    io->chr = chr;
    io->in_fd = in_fd;
    io->out_fd = out_fd;
    io->on_eof = on_eof;
}

void chardev_io_update(ChardevIO *io)
{
    MainLoop *loop = io->chr->loop;
    bool want_in = io->in_fd >= 0 && !io->paused &&
                   chardev_fe_can_read(io->chr) > 0;
    bool want_out = io->out_fd >= 0 && io->want_write;

    if (!loop) {
        return;
    }
    if (io->in_fd >= 0 && io->in_fd == io->out_fd) {
        if (want_in != io->in_watched || want_out != io->out_watched) {
            main_loop_set_fd_handler(loop, io->in_fd,
                                     want_in ? chardev_io_on_read : NULL,
                                     want_out ? chardev_io_on_write : NULL,
                                     io, NULL);
        }
    } else {
        if (io->in_fd >= 0 && want_in != io->in_watched) {
            main_loop_set_fd_handler(loop, io->in_fd,
                                     want_in ? chardev_io_on_read : NULL,
                                     NULL, io, NULL);
        }
        if (io->out_fd >= 0 && want_out != io->out_watched) {
            main_loop_set_fd_handler(loop, io->out_fd, NULL,
                                     want_out ? chardev_io_on_write : NULL,
                                     io, NULL);
        }
    }
    io->in_watched = want_in;
    io->out_watched = want_out;
}

void chardev_io_stop(ChardevIO *io)
{
    io->paused = true;
    io->want_write = false;
    chardev_io_update(io);
}

void chardev_io_add_write_watch(ChardevIO *io)
{
    io->want_write = true;
    chardev_io_update(io);
}
