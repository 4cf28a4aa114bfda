/*
 * net/net.h — network back ends (-netdev) and the registry of their kinds.
 *
 * The net-client model (front end and back end joined directly or through
 * a hub, with queues and flow control) is built by the networking issue;
 * this header fixes the registry that "-netdev help" loops over.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include "util/osdep.h"
#include "util/typedefs.h"
#include "core/property.h"

typedef struct NetdevType {
    const char *name;
    const char *desc;
    const Property *props;
    NetClient *(*create)(Machine *m, OptList *opts, Error **errp);
} NetdevType;

/* The back-end kinds, NULL-terminated. */
extern const NetdevType *const netdev_types[];

const NetdevType *netdev_type_find(const char *name);
void netdev_print_types(FILE *out);

#endif /* NET_NET_H */
