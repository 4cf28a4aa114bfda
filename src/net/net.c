/*
 * net/net.c — net clients and their wiring: the machine's NetState, the
 * send/flush/link paths between a client and its peer (see net/net.h for
 * the model and the flow-control contract), the -netdev registry, and the
 * assembly of -netdev, -nic and -net into back ends and NIC devices.
 *
 * Command-line forms, as QEMU spells them:
 *   -netdev TYPE,id=ID,...              a back end; a NIC names it (netdev=)
 *   -nic TYPE,model=M,mac=X,...         a back end plus its NIC, in one go
 *   -net nic[,model=M][,macaddr=X]      a NIC on hub 0
 *   -net TYPE,...                       a back end on hub 0
 */
#include "net/net.h"
#include "net/net-internal.h"
#include "hw/core/machine.h"
#include "util/error.h"
#include "util/opts.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>

/* The -netdev kinds, in "-netdev help" order (QEMU's). */
const NetdevType *const netdev_types[] = {
    &netdev_socket_type,
    &netdev_hubport_type,
    &netdev_tap_type,
#if CONFIG_SLIRP
    &netdev_user_type,
#endif
    NULL,
};

/* The NIC model -nic and -net nic pick when none is given. */
#define NET_DEFAULT_NIC_MODEL   "virtio-net-device"

/* --- NetState --- */

NetState *net_state(Machine *m)
{
    if (!m->net) {
        m->net = XNEW(NetState);
        m->net->machine = m;
    }
    return m->net;
}

void net_state_free(NetState *ns)
{
    if (!ns) {
        return;
    }
    while (ns->clients) {
        net_client_destroy(ns->clients);
    }
    net_hubs_free(ns);
    free(ns);
}

unsigned net_state_next_nic_index(NetState *ns)
{
    return ns->mac_index++;
}

/* --- clients --- */

void net_client_init(NetClient *nc, const NetClientOps *ops, Machine *m,
                     const char *name)
{
    NetState *ns = net_state(m);
    NetClient **p = &ns->clients;

    nc->ops = ops;
    nc->net = ns;
    nc->name = xstrdup(name);
    nc->queue = net_queue_new(nc);
    nc->next = NULL;
    while (*p) {
        p = &(*p)->next;
    }
    *p = nc;
}

void net_client_destroy(NetClient *nc)
{
    NetClient **p = &nc->net->clients;
    NetClient *peer = nc->peer;

    while (*p && *p != nc) {
        p = &(*p)->next;
    }
    if (*p) {
        *p = nc->next;
    }
    /* Unlink first, so nothing sent from now on reaches @nc. */
    if (peer) {
        peer->peer = NULL;
        nc->peer = NULL;
        net_queue_purge(peer->queue, nc);
    }
    net_queue_free(nc->queue);
    nc->queue = NULL;
    net_filters_free(nc);
    free(nc->name);
    nc->name = NULL;
    free(nc->info_str);
    nc->info_str = NULL;
    if (nc->ops->cleanup) {
        nc->ops->cleanup(nc);   /* may free @nc */
    }
}

bool net_client_attach_peer(NetClient *nic, NetClient *backend,
                            const char *what, Error **errp)
{
    if (backend->peer) {
        error_setg(errp, "Property '%s.netdev' can't take value '%s', it's "
                   "in use", what, backend->name);
        return false;
    }
    nic->peer = backend;
    backend->peer = nic;
    return true;
}

NetClient *net_client_find(NetState *ns, const char *name)
{
    for (NetClient *nc = ns->clients; nc; nc = nc->next) {
        if (!strcmp(nc->name, name)) {
            return nc;
        }
    }
    return NULL;
}

size_t net_iov_to_buf(const struct iovec *iov, int iovcnt, size_t offset,
                      void *buf, size_t len)
{
    size_t done = 0;

    for (int i = 0; i < iovcnt && done < len; i++) {
        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        size_t n = MIN(iov[i].iov_len - offset, len - done);
        memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + offset, n);
        done += n;
        offset = 0;
    }
    return done;
}

/* --- sending, flushing --- */

ssize_t net_client_send(NetClient *sender, const struct iovec *iov,
                        int iovcnt, NetSentCB *sent_cb)
{
    NetClient *peer = sender->peer;
    size_t size = net_iov_size(iov, iovcnt);

    if (sender->link_down || !peer) {
        return size;            /* nobody at the other end: lost */
    }
    net_filters_observe(sender, NET_FILTER_TX, iov, iovcnt);
    net_filters_observe(peer, NET_FILTER_RX, iov, iovcnt);
    return net_queue_send(peer->queue, sender, iov, iovcnt, sent_cb);
}

bool net_client_can_send(NetClient *sender)
{
    NetClient *peer = sender->peer;

    if (!peer || sender->link_down || peer->link_down) {
        return true;            /* frames are dropped at once */
    }
    return net_queue_empty(peer->queue) && !peer->receive_disabled &&
           (!peer->ops->can_receive || peer->ops->can_receive(peer));
}

void net_client_flush_queued(NetClient *nc)
{
    nc->receive_disabled = false;
    if (net_queue_flush(nc->queue) && nc->peer &&
        nc->peer->ops->peer_ready) {
        nc->peer->ops->peer_ready(nc->peer);
    }
}

void net_client_purge_queued(NetClient *nc)
{
    /* A fresh start: the next frame is offered again. */
    nc->receive_disabled = false;
    net_queue_purge(nc->queue, NULL);
}

bool net_client_has_vnet_hdr(NetClient *nc)
{
    return nc && nc->ops->has_vnet_hdr && nc->ops->has_vnet_hdr(nc);
}

void net_client_using_vnet_hdr(NetClient *nc, bool enable, unsigned len)
{
    if (!net_client_has_vnet_hdr(nc) || !nc->ops->using_vnet_hdr) {
        return;
    }
    nc->ops->using_vnet_hdr(nc, enable, len);
    nc->using_vnet_hdr = enable;
    nc->vnet_hdr_len = enable ? len : 0;
}

void net_client_set_offload(NetClient *nc, const NetOffloads *offloads)
{
    if (nc && nc->ops->set_offload) {
        nc->ops->set_offload(nc, offloads);
    }
}

/* --- link state, info --- */

bool net_set_link(Machine *m, const char *name, bool up, Error **errp)
{
    NetClient *nc = m->net ? net_client_find(m->net, name) : NULL;

    if (!nc) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", name);
        return false;
    }
    nc->link_down = !up;
    if (nc->ops->link_status_changed) {
        nc->ops->link_status_changed(nc);
    }
    /* A back end takes its NIC along, so the guest sees the cable go;
     * hub ports and back ends keep their own state (QEMU does the same). */
    if (nc->peer) {
        if (nc->peer->ops->kind == NET_CLIENT_NIC) {
            nc->peer->link_down = !up;
        }
        if (nc->peer->ops->link_status_changed) {
            nc->peer->ops->link_status_changed(nc->peer);
        }
    }
    if (up) {
        net_client_flush_queued(nc);
    }
    return true;
}

char *net_info_string(Machine *m)
{
    char *out = xstrdup("");

    for (NetClient *nc = m->net ? m->net->clients : NULL; nc; nc = nc->next) {
        char *line = xasprintf("%s%s: index=0,type=%s,%s%s\n",
                               nc->ops->kind == NET_CLIENT_NIC ? "" : "  ",
                               nc->name, nc->ops->type_name,
                               nc->info_str ? nc->info_str : "",
                               nc->link_down ? " [link=down]" : "");
        char *grown = xasprintf("%s%s", out, line);

        free(line);
        free(out);
        out = grown;
        if (nc->ops->kind == NET_CLIENT_NIC && nc->peer) {
            line = xasprintf(" \\ %s: index=0,type=%s,%s%s\n",
                             nc->peer->name, nc->peer->ops->type_name,
                             nc->peer->info_str ? nc->peer->info_str : "",
                             nc->peer->link_down ? " [link=down]" : "");
            grown = xasprintf("%s%s", out, line);
            free(line);
            free(out);
            out = grown;
        }
    }
    return out;
}

/* --- the -netdev registry --- */

const NetdevType *netdev_type_find(const char *name)
{
    for (const NetdevType *const *t = netdev_types; *t; t++) {
        if (!strcmp((*t)->name, name)) {
            return *t;
        }
    }
    return NULL;
}

void netdev_print_types(FILE *out)
{
    fprintf(out, "Available netdev backend types:\n");
    for (const NetdevType *const *t = netdev_types; *t; t++) {
        fprintf(out, "%-10s %s\n", (*t)->name, (*t)->desc);
    }
}

bool net_apply_props(void *obj, const Property *props, OptList *opts,
                     const char *const *repeated, const char *what,
                     Error **errp)
{
    const char *skip[16] = { "type", "id" };
    size_t n = 2;

    for (const char *const *r = repeated; r && *r && n < 15; r++) {
        skip[n++] = *r;
    }
    skip[n] = NULL;
    props_set_defaults(obj, props);
    return props_apply_opts(obj, props, opts, skip, NULL, what, errp);
}

void net_set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

bool net_parse_host_port(struct sockaddr_in *sa, const char *str,
                         const char *what, uint32_t def_addr, Error **errp)
{
    const char *colon = strrchr(str, ':');
    char *host = colon ? xstrndup(str, colon - str) : xstrdup("");
    const char *port = colon ? colon + 1 : str;
    uint64_t pnum;
    bool ok = true;

    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_addr.s_addr = def_addr;
    if (!parse_uint64(port, &pnum) || pnum > 65535) {
        error_setg(errp, "%s: invalid port '%s' in '%s'", what, port, str);
        ok = false;
    } else if (*host && !inet_aton(host, &sa->sin_addr)) {
        struct addrinfo hints = { .ai_family = AF_INET }, *res;

        if (getaddrinfo(host, NULL, &hints, &res) != 0) {
            error_setg(errp, "%s: cannot resolve host '%s'", what, host);
            ok = false;
        } else {
            sa->sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
            freeaddrinfo(res);
        }
    }
    sa->sin_port = htons(pnum);
    free(host);
    return ok;
}

NetClient *net_netdev_add(Machine *m, OptList *opts, Error **errp)
{
    const char *type_name = opts_get(opts, "type");
    const char *id = opts_get(opts, "id");
    const NetdevType *type = type_name ? netdev_type_find(type_name) : NULL;
    NetClient *nc;

    if (!type) {
        error_setg(errp, "%s: network backend '%s' is not available in this "
                   "build (try -netdev help)", opts->origin,
                   type_name ? type_name : "");
        return NULL;
    }
    if (!id || !*id) {
        error_setg(errp, "%s: Parameter 'id' is missing", opts->origin);
        return NULL;
    }
    if (machine_find_backend(m, PROP_NETDEV, id) ||
        (m->net && net_client_find(m->net, id))) {
        error_setg(errp, "%s: Duplicate ID '%s' for netdev", opts->origin,
                   id);
        return NULL;
    }
    nc = type->create(m, opts, errp);
    if (!nc) {
        if (errp && *errp && !strstr(error_get_pretty(*errp), opts->origin)) {
            error_prepend(errp, "%s: ", opts->origin);
        }
        return NULL;
    }
    if (!opts_check_unused(opts, errp) ||
        !machine_add_backend(m, PROP_NETDEV, id, nc, errp)) {
        net_client_destroy(nc);
        return NULL;
    }
    return nc;
}

/* --- -nic and -net --- */

/* A copy of @src without the keys in @drop (NULL-terminated). */
static void net_opts_copy_except(OptList *dst, const OptList *src,
                                 const char *const *drop)
{
    memset(dst, 0, sizeof(*dst));
    dst->origin = xstrdup(src->origin);
    dst->items = XNEW_ARRAY(OptItem, src->count ? src->count : 1);
    dst->capacity = src->count ? src->count : 1;
    for (size_t i = 0; i < src->count; i++) {
        bool dropped = false;

        for (const char *const *d = drop; *d; d++) {
            dropped |= !strcmp(*d, src->items[i].key);
        }
        if (!dropped) {
            dst->items[dst->count].key = xstrdup(src->items[i].key);
            dst->items[dst->count].value = xstrdup(src->items[i].value);
            dst->count++;
        }
    }
}

static char *net_nic_netdev_id(const OptList *opts, size_t index)
{
    const char *id = NULL;

    for (size_t i = 0; i < opts->count; i++) {
        if (!strcmp(opts->items[i].key, "id")) {
            id = opts->items[i].value;
        }
    }
    return id ? xstrdup(id) : xasprintf("__vireo.nic%zu", index);
}

static const char *net_opt_peek(const OptList *opts, const char *key)
{
    const char *v = NULL;

    for (size_t i = 0; i < opts->count; i++) {
        if (!strcmp(opts->items[i].key, key)) {
            v = opts->items[i].value;
        }
    }
    return v;
}

/* A back end for "-nic TYPE,..." or "-net TYPE,..." under @id. */
static NetClient *net_add_implied_backend(Machine *m, const OptList *src,
                                          const char *id,
                                          const char *const *drop,
                                          Error **errp)
{
    OptList opts;
    NetClient *nc;

    net_opts_copy_except(&opts, src, drop);
    opts_set(&opts, "id", id);
    nc = net_netdev_add(m, &opts, errp);
    opts_free(&opts);
    return nc;
}

bool net_create_backends(Machine *m, const VmConfig *c, Error **errp)
{
    static const char *const nic_drop[] = { "model", "mac", NULL };
    static const char *const net_drop[] = { "name", NULL };

    net_state(m);
    for (size_t i = 0; i < c->netdevs.count; i++) {
        if (!net_netdev_add(m, &c->netdevs.items[i], errp)) {
            return false;
        }
    }
    for (size_t i = 0; i < c->nics.count; i++) {
        const OptList *o = &c->nics.items[i];
        const char *type = net_opt_peek(o, "type");
        char *id;
        bool ok;

        if (!type || !strcmp(type, "none")) {
            continue;
        }
        id = net_nic_netdev_id(o, i);
        ok = net_add_implied_backend(m, o, id, nic_drop, errp);
        free(id);
        if (!ok) {
            return false;
        }
    }
    for (size_t i = 0; i < c->nets.count; i++) {
        const OptList *o = &c->nets.items[i];
        const char *type = net_opt_peek(o, "type");
        const char *name = net_opt_peek(o, "name");
        char *id;
        NetClient *be, *port;

        if (!type || !strcmp(type, "nic") || !strcmp(type, "none")) {
            continue;
        }
        id = net_opt_peek(o, "id") ? xstrdup(net_opt_peek(o, "id"))
             : name ? xstrdup(name) : xasprintf("__vireo.net%zu", i);
        be = net_add_implied_backend(m, o, id, net_drop, errp);
        free(id);
        if (!be) {
            return false;
        }
        port = net_hub_add_port(m, 0, NULL);
        net_client_attach_peer(port, be, "hubport", NULL);
    }
    for (size_t i = 0; i < c->objects.count; i++) {
        if (!net_filter_add(m, &c->objects.items[i], errp)) {
            return false;
        }
    }
    return true;
}

/* Create "@model,netdev=@netdev[,mac=@mac][,id=@id]" as -device would. */
static bool net_add_nic_device(Machine *m, const char *origin,
                               const char *model, const char *netdev,
                               const char *mac, const char *id, Error **errp)
{
    char *spec = xasprintf("%s,netdev=%s%s%s%s%s", model, netdev,
                           mac ? ",mac=" : "", mac ? mac : "",
                           id ? ",id=" : "", id ? id : "");
    OptList opts;
    bool ok = false;

    if (opts_parse(&opts, origin, spec, "driver", errp)) {
        ok = machine_add_device(m, &opts, errp) != NULL;
    }
    opts_free(&opts);
    free(spec);
    return ok;
}

static bool net_check_nic_model(Machine *m, const char *origin,
                                const char *model, Error **errp)
{
    const DeviceType *type =
        device_type_find(machine_device_tables(m->target), model);

    if (!type || !net_is_nic_model(type)) {
        error_setg(errp, "%s: unsupported NIC model '%s' (try model=help)",
                   origin, model);
        return false;
    }
    return true;
}

bool net_create_nics(Machine *m, const VmConfig *c, Error **errp)
{
    for (size_t i = 0; i < c->nics.count; i++) {
        const OptList *o = &c->nics.items[i];
        const char *type = net_opt_peek(o, "type");
        const char *model = net_opt_peek(o, "model");
        char *id;
        bool ok;

        if (!type || !strcmp(type, "none")) {
            continue;
        }
        model = model ? model : NET_DEFAULT_NIC_MODEL;
        if (!net_check_nic_model(m, o->origin, model, errp)) {
            return false;
        }
        id = net_nic_netdev_id(o, i);
        ok = net_add_nic_device(m, o->origin, model, id,
                                net_opt_peek(o, "mac"), NULL, errp);
        free(id);
        if (!ok) {
            return false;
        }
    }
    for (size_t i = 0; i < c->nets.count; i++) {
        OptList *o = &c->nets.items[i];
        const char *type = net_opt_peek(o, "type");
        const char *model, *netdev, *mac, *name;
        NetClient *port = NULL;
        bool ok;

        if (!type || strcmp(type, "nic")) {
            continue;
        }
        opts_get(o, "type");
        model = opts_get(o, "model");
        netdev = opts_get(o, "netdev");
        mac = opts_get(o, "macaddr");
        name = opts_get(o, "name");
        opts_get(o, "id");
        if (!opts_check_unused(o, errp)) {
            return false;
        }
        model = model ? model : NET_DEFAULT_NIC_MODEL;
        if (!net_check_nic_model(m, o->origin, model, errp)) {
            return false;
        }
        if (!netdev) {
            port = net_hub_add_port(m, 0, NULL);
            if (!machine_add_backend(m, PROP_NETDEV, port->name, port,
                                     errp)) {
                return false;
            }
            netdev = port->name;
        }
        ok = net_add_nic_device(m, o->origin, model, netdev, mac, name, errp);
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool net_is_nic_model(const DeviceType *type)
{
    if (!type->user_creatable) {
        return false;
    }
    for (const Property *p = type->props; p && p->name; p++) {
        if (p->type == PROP_NETDEV) {
            return true;
        }
    }
    return false;
}

void net_print_nic_models(FILE *out, const DeviceType *const *const *tables)
{
    fprintf(out, "Available NIC models:\n");
    for (const DeviceType *const *const *t = tables; *t; t++) {
        for (const DeviceType *const *d = *t; *d; d++) {
            if (net_is_nic_model(*d)) {
                fprintf(out, "%s\n", (*d)->name);
            }
        }
    }
}
