/*
 * chardev/chardev.c — the chardev registry, creation from options and the
 * front-end plumbing (see chardev/chardev.h).
 */
#include "chardev/chardev.h"
#include "chardev/chardev-internal.h"
#include "core/main-loop.h"
#include "util/error.h"
#include "util/opts.h"

#include <poll.h>
#include <unistd.h>

const ChardevType *const chardev_types[] = {
    &chardev_file_type,
    &chardev_null_type,
    &chardev_stdio_type,
    NULL,
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
    static const char *const skip[] = { "backend", "id", NULL };
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

Chardev *chardev_new_from_spec(MainLoop *loop, const char *id,
                               const char *spec, Error **errp)
{
    size_t name_len = strcspn(spec, ":,");
    char *name = xstrndup(spec, name_len);
    const ChardevType *type = chardev_type_find(name);
    const char *rest = spec + name_len;
    OptList opts;
    Chardev *chr = NULL;

    if (!type) {
        error_setg(errp, "'%s' is not a valid char driver", name);
        free(name);
        return NULL;
    }
    /* "file:PATH,append=on": what follows ':' starts with the path;
     * "stdio,signal=off": plain options. */
    if (!opts_parse(&opts, spec, *rest ? rest + 1 : "",
                    *rest == ':' ? "path" : NULL, errp)) {
        free(name);
        return NULL;
    }
    chr = chardev_create(loop, type, id, &opts, errp);
    opts_free(&opts);
    free(name);
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
    chardev_fe_event(chr, CHR_EVENT_OPENED);
    chardev_accept_input(chr);
    return true;
}

void chardev_detach(Chardev *chr)
{
    memset(&chr->fe, 0, sizeof(chr->fe));
    chr->fe_attached = false;
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
