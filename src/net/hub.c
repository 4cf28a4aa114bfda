/*
 * net/hub.c — hubs: several clients on one segment, and the "hubport"
 * back end ("-netdev hubport,id=ID,hubid=N[,netdev=BACKEND]").
 *
 * A hub is a set of ports; every port is a NetClient whose peer is a NIC
 * or a back end. A frame a port receives from its peer is sent out of
 * every other port, like a dumb Ethernet hub (QEMU's old "vlan"). -net
 * puts its NICs and back ends on hub 0.
 *
 * Flow control: a port takes a frame when at least one other port's peer
 * can (otherwise the frame waits in the port's queue, and a tap or
 * socket behind it stops reading). The fan-out itself cannot be held
 * back per destination, so it sends without a callback: a destination
 * that stays full loses frames beyond its queue limit, as on a real hub.
 * When a port's peer drains, the other ports' queues are flushed.
 */
#include "net/net.h"
#include "net/net-internal.h"
#include "hw/core/machine.h"
#include "util/error.h"

typedef struct NetHubPort {
    NetClient nc;
    NetHub *hub;
    unsigned index;
    struct NetHubPort *next_port;
} NetHubPort;

struct NetHub {
    int id;
    unsigned next_index;
    NetHubPort *ports;
    NetHub *next;
};

typedef struct HubportOptions {
    int32_t hubid;
    char *netdev;
} HubportOptions;

static NetHubPort *hubport_of(NetClient *nc)
{
    return container_of(nc, NetHubPort, nc);
}

static bool hubport_can_receive(NetClient *nc)
{
    NetHubPort *src = hubport_of(nc);

    for (NetHubPort *p = src->hub->ports; p; p = p->next_port) {
        if (p != src && net_client_can_send(&p->nc)) {
            return true;
        }
    }
    return false;
}

static ssize_t hubport_receive(NetClient *nc, const struct iovec *iov,
                               int iovcnt)
{
    NetHubPort *src = hubport_of(nc);

    for (NetHubPort *p = src->hub->ports; p; p = p->next_port) {
        if (p != src) {
            net_client_send(&p->nc, iov, iovcnt, NULL);
        }
    }
    return net_iov_size(iov, iovcnt);
}

/*
 * @nc's peer can take frames again: frames held at the other ports may
 * move now, and back ends that stopped reading (their port's queue may
 * be empty) are told, by flushing every other port.
 */
static void hubport_peer_ready(NetClient *nc)
{
    NetHubPort *src = hubport_of(nc);

    for (NetHubPort *p = src->hub->ports; p; p = p->next_port) {
        if (p != src) {
            net_client_flush_queued(&p->nc);
        }
    }
}

static void hubport_cleanup(NetClient *nc)
{
    NetHubPort *port = hubport_of(nc);
    NetHubPort **pp = &port->hub->ports;

    while (*pp && *pp != port) {
        pp = &(*pp)->next_port;
    }
    if (*pp) {
        *pp = port->next_port;
    }
    free(port);
}

static const NetClientOps hubport_ops = {
    .kind = NET_CLIENT_HUBPORT,
    .type_name = "hubport",
    .can_receive = hubport_can_receive,
    .receive = hubport_receive,
    .peer_ready = hubport_peer_ready,
    .cleanup = hubport_cleanup,
};

static NetHub *net_hub_get(NetState *ns, int id)
{
    NetHub **pp = &ns->hubs;

    for (; *pp; pp = &(*pp)->next) {
        if ((*pp)->id == id) {
            return *pp;
        }
    }
    *pp = XNEW(NetHub);
    (*pp)->id = id;
    return *pp;
}

NetClient *net_hub_add_port(Machine *m, int hub_id, const char *name)
{
    NetHub *hub = net_hub_get(net_state(m), hub_id);
    NetHubPort *port = XNEW(NetHubPort), **pp = &hub->ports;
    char *auto_name = NULL;

    port->hub = hub;
    port->index = hub->next_index++;
    if (!name) {
        name = auto_name = xasprintf("hub%dport%u", hub_id, port->index);
    }
    net_client_init(&port->nc, &hubport_ops, m, name);
    port->nc.info_str = xasprintf("hub=%d", hub_id);
    free(auto_name);
    while (*pp) {
        pp = &(*pp)->next_port;
    }
    *pp = port;
    return &port->nc;
}

void net_hubs_free(NetState *ns)
{
    while (ns->hubs) {
        NetHub *hub = ns->hubs;

        ns->hubs = hub->next;
        while (hub->ports) {
            net_client_destroy(&hub->ports->nc);
        }
        free(hub);
    }
}

static const Property hubport_props[] = {
    DEFINE_PROP_INT32("hubid", HubportOptions, hubid, -1,
                      "the hub to join (created on first use)"),
    DEFINE_PROP_STRING("netdev", HubportOptions, netdev,
                       "a back end to connect to this port"),
    DEFINE_PROP_END,
};

static NetClient *hubport_create(Machine *m, OptList *opts, Error **errp)
{
    HubportOptions o;
    NetClient *nc, *backend = NULL;

    if (!net_apply_props(&o, hubport_props, opts, NULL, "hubport", errp)) {
        props_release(&o, hubport_props);
        return NULL;
    }
    if (o.hubid < 0) {
        error_setg(errp, "Parameter 'hubid' is missing");
        props_release(&o, hubport_props);
        return NULL;
    }
    if (o.netdev) {
        backend = machine_find_backend(m, PROP_NETDEV, o.netdev);
        if (!backend) {
            error_setg(errp, "netdev '%s' not found", o.netdev);
            props_release(&o, hubport_props);
            return NULL;
        }
    }
    nc = net_hub_add_port(m, o.hubid, opts_get(opts, "id"));
    if (backend && !net_client_attach_peer(nc, backend, "hubport", errp)) {
        net_client_destroy(nc);
        nc = NULL;
    }
    props_release(&o, hubport_props);
    return nc;
}

const NetdevType netdev_hubport_type = {
    .name = "hubport",
    .desc = "a port on a hub that links clients (hubid=N)",
    .props = hubport_props,
    .create = hubport_create,
};
