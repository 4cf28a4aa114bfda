/*
 * net/net.h — the net-client model: front ends (NICs) and back ends
 * (-netdev user, tap, socket, hubport) joined directly or through a hub,
 * the queues between them, packet filters, and the registries that
 * "-netdev help", "-net nic,model=help" and "-object help" loop over.
 *
 * The model (QEMU's, without QOM):
 *
 *   virtio-net ──peer── NetClient "n0" (user/tap/socket)       direct
 *   virtio-net ──peer── hubport ─┐
 *                                hub ─ hubport ──peer── user   through a hub
 *   virtio-net ──peer── hubport ─┘
 *
 * Every end is a NetClient. A client sends a frame to its peer with
 * net_client_send(); the frame either goes straight into the peer's
 * receive() or, when the peer cannot take it now, into the peer's queue.
 *
 * Flow control, so a slow side neither drops nor spins:
 *   - A receiver that cannot take a frame (a NIC without guest buffers, a
 *     tap whose write would block) says so through can_receive() or by
 *     returning 0 from receive(). The frame is queued on the receiver and
 *     the receiver later calls net_client_flush_queued() (the guest posted
 *     buffers; the fd became writable). When its queue is empty again the
 *     sender is told through its peer_ready() callback.
 *   - A sender that can stop (tap and socket stop reading their fd,
 *     virtio-net stops taking frames off its transmit ring) passes a
 *     NetSentCB: a return of 0 means "queued; stop until the callback".
 *     These senders never lose a frame.
 *   - A sender that cannot stop (libslirp, hubs fanning out) passes no
 *     callback; its frames are queued up to NET_QUEUE_MAX_PACKETS and then
 *     dropped, as a real switch port would, and TCP recovers.
 *
 * Frames are whole Ethernet frames, preceded by a virtio-net header of
 * vnet_hdr_len bytes when both ends agreed to carry one (virtio-net and a
 * tap opened with IFF_VNET_HDR): that is what lets checksum and
 * segmentation offloads pass through to the host.
 *
 * Ownership: all clients hang off the machine's NetState (Machine.net).
 * Back ends are created from -netdev/-nic/-net and freed by
 * net_state_free() at machine teardown; NICs are embedded in their device
 * and come and go with it. Everything runs on the main loop with the BQL.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include "util/osdep.h"
#include "util/typedefs.h"
#include "core/property.h"

#include <netinet/in.h>
#include <sys/uio.h>

typedef struct NetState NetState;
typedef struct NetQueue NetQueue;
typedef struct NetFilter NetFilter;
typedef struct NetHub NetHub;

/* Frames queued for a receiver that cannot take them, before dropping
 * those of senders that cannot be stopped (QEMU's limit). */
#define NET_QUEUE_MAX_PACKETS   10000
/* The largest frame a back end reads or a NIC accepts: 64 KiB of GSO
 * frame plus headers, as QEMU's NET_BUFSIZE. */
#define NET_BUFSIZE             (4096 + 65536)

typedef enum NetClientKind {
    NET_CLIENT_NIC,
    NET_CLIENT_HUBPORT,
    NET_CLIENT_USER,
    NET_CLIENT_TAP,
    NET_CLIENT_SOCKET,
} NetClientKind;

/* Offloads a back end can take from the guest side (TUN_F_* of a tap). */
typedef struct NetOffloads {
    bool csum;
    bool tso4;
    bool tso6;
    bool ecn;
    bool ufo;
} NetOffloads;

/* Called when a frame queued by net_client_send() was delivered (or
 * purged, @len 0): the sender may resume. */
typedef void NetSentCB(NetClient *sender, ssize_t len);

typedef struct NetClientOps {
    NetClientKind kind;
    const char *type_name;  /* "user", "tap", ... for info and errors */
    /* May the client take a frame now? NULL: always. */
    bool (*can_receive)(NetClient *nc);
    /*
     * Take one frame. Return its length when it was consumed (or dropped
     * on purpose), 0 when it cannot be taken now (the core queues it and
     * waits for net_client_flush_queued()), or -errno (dropped).
     */
    ssize_t (*receive)(NetClient *nc, const struct iovec *iov, int iovcnt);
    /* The peer drained the frames queued for it: resume sending. */
    void (*peer_ready)(NetClient *nc);
    /* nc->link_down changed. */
    void (*link_status_changed)(NetClient *nc);
    /* virtio-net header support (tap with IFF_VNET_HDR). */
    bool (*has_vnet_hdr)(NetClient *nc);
    void (*using_vnet_hdr)(NetClient *nc, bool enable, unsigned len);
    void (*set_offload)(NetClient *nc, const NetOffloads *offloads);
    /* Release the back end (and free it, for allocated clients). */
    void (*cleanup)(NetClient *nc);
} NetClientOps;

struct NetClient {
    const NetClientOps *ops;
    NetState *net;
    char *name;                 /* -netdev id, or the NIC's name */
    char *info_str;             /* one line for "info network" */
    NetClient *peer;
    NetQueue *queue;            /* frames waiting for this client */
    bool link_down;
    bool receive_disabled;      /* receive() said 0: wait for a flush */
    bool using_vnet_hdr;        /* frames carry a virtio-net header */
    unsigned vnet_hdr_len;
    NetFilter *filters;         /* -object filter-* on this netdev */
    NetClient *next;            /* NetState.clients */
};

/* --- the machine's network --- */

/* The machine's NetState, created on first use. */
NetState *net_state(Machine *m);
/* Free every back end, hub and filter (after the devices are gone). */
void net_state_free(NetState *ns);
/* The next default MAC index: 52:54:00:12:34:56, :57, ... */
unsigned net_state_next_nic_index(NetState *ns);

/*
 * net_client_init - make @nc (embedded in a NIC or back end) a client of
 * @m's network, named @name, with no peer yet.
 */
void net_client_init(NetClient *nc, const NetClientOps *ops, Machine *m,
                     const char *name);
/*
 * net_client_destroy - detach @nc from its peer and the network, purge
 * the frames queued for it and by it, free its filters, and finally call
 * ops->cleanup (which frees an allocated back end).
 */
void net_client_destroy(NetClient *nc);
/* Join @nic to back end @backend (which must be free). */
bool net_client_attach_peer(NetClient *nic, NetClient *backend,
                            const char *what, Error **errp);
NetClient *net_client_find(NetState *ns, const char *name);

/*
 * net_client_send - send one frame from @sender to its peer.
 * Returns the frame's length when it was delivered or dropped (no peer,
 * link down, queue full), or 0 when it was queued: a sender with
 * @sent_cb then stops until the callback runs.
 */
ssize_t net_client_send(NetClient *sender, const struct iovec *iov,
                        int iovcnt, NetSentCB *sent_cb);
/* Would a frame from @sender be taken at once? (Back ends poll this
 * before reading from their fd.) */
bool net_client_can_send(NetClient *sender);
/*
 * net_client_flush_queued - @nc can take frames again: deliver what was
 * queued for it; once its queue is empty, tell its peer (peer_ready).
 */
void net_client_flush_queued(NetClient *nc);
/* Drop the frames queued for @nc (device reset), releasing their senders,
 * and offer it the next frame again. */
void net_client_purge_queued(NetClient *nc);

bool net_client_has_vnet_hdr(NetClient *nc);
void net_client_using_vnet_hdr(NetClient *nc, bool enable, unsigned len);
void net_client_set_offload(NetClient *nc, const NetOffloads *offloads);

/*
 * net_set_link - "set_link NAME on|off": set the link of client @name (a
 * netdev id or a NIC name); a netdev also takes its NIC peer along, as in
 * QEMU. Errors name the missing device.
 */
bool net_set_link(Machine *m, const char *name, bool up, Error **errp);
/* "info network": one line per NIC and back end, malloc'd. */
char *net_info_string(Machine *m);

/* --- queues (queue.c) --- */

NetQueue *net_queue_new(NetClient *receiver);
void net_queue_free(NetQueue *q);
ssize_t net_queue_send(NetQueue *q, NetClient *sender,
                       const struct iovec *iov, int iovcnt,
                       NetSentCB *sent_cb);
/* Deliver queued frames in order; true if the queue is now empty. */
bool net_queue_flush(NetQueue *q);
/* Drop queued frames sent by @sender (NULL: all), calling their sent_cb. */
void net_queue_purge(NetQueue *q, NetClient *sender);
bool net_queue_empty(const NetQueue *q);

/* --- hubs (hub.c) --- */

/* Add a port to hub @hub_id (created on first use); its name is @name or
 * "hubNportM". */
NetClient *net_hub_add_port(Machine *m, int hub_id, const char *name);
void net_hubs_free(NetState *ns);

/* --- back ends: the -netdev registry --- */

typedef struct NetdevType {
    const char *name;
    const char *desc;
    const Property *props;      /* for "-netdev NAME,help" */
    /* Create the back end from @opts ("type" and "id" are set). */
    NetClient *(*create)(Machine *m, OptList *opts, Error **errp);
} NetdevType;

/* The back-end kinds, NULL-terminated. */
extern const NetdevType *const netdev_types[];

extern const NetdevType netdev_user_type;
extern const NetdevType netdev_tap_type;
extern const NetdevType netdev_socket_type;
extern const NetdevType netdev_hubport_type;

const NetdevType *netdev_type_find(const char *name);
void netdev_print_types(FILE *out);

/*
 * net_netdev_add - create the back end @opts describes (type=, id=) and
 * register it with the machine under its id.
 */
NetClient *net_netdev_add(Machine *m, OptList *opts, Error **errp);

/*
 * net_create_backends - the -netdev back ends, then those -nic and -net
 * imply, then -object filters. Called before the board is built.
 */
bool net_create_backends(Machine *m, const VmConfig *c, Error **errp);
/*
 * net_create_nics - the NIC devices -nic and -net nic ask for, after the
 * -device ones (as with -drive if=virtio).
 */
bool net_create_nics(Machine *m, const VmConfig *c, Error **errp);

/*
 * "-net nic,model=help": the NIC models are the device types with a
 * netdev= property, from the binary's device tables.
 */
void net_print_nic_models(FILE *out, const DeviceType *const *const *tables);
bool net_is_nic_model(const DeviceType *type);

/* --- filters: the -object registry (filter.c, dump.c) --- */

typedef enum NetFilterDirection {
    NET_FILTER_RX = 1,          /* frames the netdev receives */
    NET_FILTER_TX = 2,          /* frames the netdev sends */
    NET_FILTER_ALL = 3,
} NetFilterDirection;

typedef struct NetFilterType {
    const char *name;
    const char *desc;
    size_t instance_size;       /* >= sizeof(NetFilter), NetFilter first */
    const Property *props;      /* include the common netdev/queue/status */
    bool (*setup)(NetFilter *f, Error **errp);
    /* See one frame pass; @offset skips the virtio-net header, if any. */
    void (*observe)(NetFilter *f, NetFilterDirection dir,
                    const struct iovec *iov, int iovcnt, size_t offset);
    void (*cleanup)(NetFilter *f);
} NetFilterType;

struct NetFilter {
    const NetFilterType *type;
    char *id;
    NetClient *netdev;          /* netdev= */
    int queue;                  /* queue=all|rx|tx (NetFilterDirection) */
    bool status_on;             /* status=on|off */
    NetFilter *next;
};

/* The common rows (netdev=, queue=, status=) for a filter struct S. */
extern const char *const net_filter_queue_names[];
#define NET_FILTER_COMMON_PROPS(S)                                          \
    DEFINE_PROP_NETDEV("netdev", S, nf.netdev,                              \
                       "the netdev whose frames the filter sees"),          \
    DEFINE_PROP_ENUM("queue", S, nf.queue, 0, net_filter_queue_names,       \
                     "which frames: all, rx (received) or tx (sent)"),      \
    DEFINE_PROP_BOOL("status", S, nf.status_on, true,                       \
                     "on: the filter is active")

/* The object types, NULL-terminated. */
extern const NetFilterType *const net_filter_types[];
extern const NetFilterType filter_dump_type;

const NetFilterType *net_filter_type_find(const char *name);
void net_print_object_types(FILE *out);
/* Create a filter from "-object TYPE,id=...,netdev=..." options. */
bool net_filter_add(Machine *m, OptList *opts, Error **errp);
/* Run @nc's filters on a frame going in @dir. */
void net_filters_observe(NetClient *nc, NetFilterDirection dir,
                         const struct iovec *iov, int iovcnt);
void net_filters_free(NetClient *nc);

/* --- small helpers --- */

static inline size_t net_iov_size(const struct iovec *iov, int iovcnt)
{
    size_t n = 0;

    for (int i = 0; i < iovcnt; i++) {
        n += iov[i].iov_len;
    }
    return n;
}

/* Copy at most @len bytes starting @offset bytes into @iov; returns the
 * count copied. */
size_t net_iov_to_buf(const struct iovec *iov, int iovcnt, size_t offset,
                      void *buf, size_t len);
/* Parse "host:port" / ":port" / "port" into an IPv4 address (@host empty:
 * @def_addr); errors name @what. */
bool net_parse_host_port(struct sockaddr_in *sa, const char *str,
                         const char *what, uint32_t def_addr, Error **errp);

#endif /* NET_NET_H */
