/*
 * net/net.c — the -netdev registry.
 *
 * No back end is built yet (the networking issue adds user, tap, socket
 * and hubport); the table is empty so "-netdev help" says so truthfully
 * and "-netdev user,..." fails with a clear message.
 */
#include "net/net.h"

const NetdevType *const netdev_types[] = {
    NULL,
};

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
        fprintf(out, "%s\n", (*t)->name);
    }
}
