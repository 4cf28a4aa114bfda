/*
 * net/filter.c — packet filters on a netdev ("-object TYPE,id=ID,
 * netdev=NETDEV,..."), and the -object registry they form.
 *
 * A filter sees every frame its netdev sends (tx) and receives (rx), in
 * the order filters were created, before the frame is delivered or
 * queued. Filters here only observe (filter-dump); QEMU's redirecting
 * filters would add a verdict to NetFilterType.observe.
 *
 * -object is QEMU's generic object option; so far the only objects Vireo
 * has are network filters, so this table is "-object help". When another
 * kind of object appears, the table moves to a module of its own.
 */
#include "net/net.h"
#include "net/net-internal.h"
#include "hw/core/machine.h"
#include "util/error.h"
#include "util/opts.h"

const NetFilterType *const net_filter_types[] = {
    &filter_dump_type,
    NULL,
};

/* Index = the NetFilter.queue value; "all" first, the default. */
const char *const net_filter_queue_names[] = { "all", "rx", "tx", NULL };

static const int net_filter_queue_dirs[] = {
    NET_FILTER_ALL, NET_FILTER_RX, NET_FILTER_TX,
};

const NetFilterType *net_filter_type_find(const char *name)
{
    for (const NetFilterType *const *t = net_filter_types; *t; t++) {
        if (!strcmp((*t)->name, name)) {
            return *t;
        }
    }
    return NULL;
}

void net_print_object_types(FILE *out)
{
    fprintf(out, "List of user creatable objects:\n");
    for (const NetFilterType *const *t = net_filter_types; *t; t++) {
        fprintf(out, "  %-20s %s\n", (*t)->name, (*t)->desc);
    }
}

bool net_filter_add(Machine *m, OptList *opts, Error **errp)
{
    static const char *const skip[] = { "qom-type", "id", NULL };
    const char *type_name = opts_get(opts, "qom-type");
    const char *id = opts_get(opts, "id");
    const NetFilterType *type = type_name ? net_filter_type_find(type_name)
                                          : NULL;
    NetFilter *f, **pp;

    if (!type) {
        error_setg(errp, "%s: invalid object type: %s", opts->origin,
                   type_name ? type_name : "");
        return false;
    }
    if (!id) {
        error_setg(errp, "%s: Parameter 'id' is missing", opts->origin);
        return false;
    }
    f = xzalloc(type->instance_size);
    f->type = type;
    f->id = xstrdup(id);
    props_set_defaults(f, type->props);
    if (!props_apply_opts(f, type->props, opts, skip, &m->links, type->name,
                          errp)) {
        goto fail;
    }
    if (!f->netdev) {
        error_setg(errp, "%s: Parameter 'netdev' is missing", opts->origin);
        goto fail;
    }
    f->queue = net_filter_queue_dirs[f->queue];
    if (type->setup && !type->setup(f, errp)) {
        error_prepend(errp, "%s: ", opts->origin);
        goto fail;
    }
    for (pp = &f->netdev->filters; *pp; pp = &(*pp)->next) {
        /* append: filters run in creation order */
    }
    *pp = f;
    return true;

fail:
    props_release(f, type->props);
    free(f->id);
    free(f);
    return false;
}

void net_filters_observe(NetClient *nc, NetFilterDirection dir,
                         const struct iovec *iov, int iovcnt)
{
    for (NetFilter *f = nc->filters; f; f = f->next) {
        if (f->status_on && (f->queue & dir) && f->type->observe) {
            f->type->observe(f, dir, iov, iovcnt,
                             nc->using_vnet_hdr ? nc->vnet_hdr_len : 0);
        }
    }
}

void net_filters_free(NetClient *nc)
{
    while (nc->filters) {
        NetFilter *f = nc->filters;

        nc->filters = f->next;
        if (f->type->cleanup) {
            f->type->cleanup(f);
        }
        props_release(f, f->type->props);
        free(f->id);
        free(f);
    }
}
