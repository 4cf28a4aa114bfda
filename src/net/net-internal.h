/*
 * net/net-internal.h — what the files of net/ share and nobody else sees:
 * the NetState layout and helpers for back ends' option parsing.
 */
#ifndef NET_NET_INTERNAL_H
#define NET_NET_INTERNAL_H

#include "net/net.h"

struct NetState {
    Machine *machine;
    NetClient *clients;         /* every NIC and back end, creation order */
    NetHub *hubs;
    unsigned mac_index;         /* default MACs handed out so far */
};

/*
 * net_apply_props - defaults, then every key of @opts except "type",
 * "id" and @repeated (keys a back end reads itself, such as hostfwd),
 * into @obj through @props.
 */
bool net_apply_props(void *obj, const Property *props, OptList *opts,
                     const char *const *repeated, const char *what,
                     Error **errp);

/* Set O_NONBLOCK and FD_CLOEXEC on @fd. */
void net_set_nonblock(int fd);

#endif /* NET_NET_INTERNAL_H */
