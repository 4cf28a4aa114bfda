/*
 * core/device.h — device types and instances.
 *
 * A device type is a const DeviceType record: name, the bus it plugs into,
 * instance size, property table and lifecycle callbacks. Each binary has
 * explicit tables of them (hw/device-table.c for devices every machine can
 * take, plus the target's own), so "-device help" is a loop over tables
 * and adding a device is a new file plus one table line.
 *
 * An instance struct embeds DeviceState as its first member and recovers
 * itself with container_of(). Lifecycle: device_new() allocates and
 * applies property defaults; the creator sets properties; the device is
 * plugged into its bus (the machine finds a free slot); device_realize()
 * makes it live; device_reset() runs on every machine reset.
 */
#ifndef CORE_DEVICE_H
#define CORE_DEVICE_H

#include "util/osdep.h"
#include "util/typedefs.h"
#include "core/property.h"

/* Where a device plugs in. */
typedef enum DeviceBusKind {
    DEVICE_BUS_NONE,     /* stands alone (loaders, machine-internal) */
    DEVICE_BUS_SYSTEM,   /* memory-mapped, placed by the machine */
    DEVICE_BUS_VIRTIO,   /* a virtio device: needs a virtio transport */
    DEVICE_BUS_VIRTIO_SERIAL, /* a port on a virtio-serial device */
} DeviceBusKind;

struct DeviceType {
    const char *name;
    const char *desc;
    const char *category;   /* help grouping: "Storage devices", ... */
    DeviceBusKind bus;
    size_t instance_size;
    const Property *props;
    bool user_creatable;    /* may appear in -device */
    bool (*realize)(DeviceState *dev, Error **errp);
    void (*unrealize)(DeviceState *dev);
    void (*reset)(DeviceState *dev);
};

struct DeviceState {
    const DeviceType *type;
    Machine *machine;
    char *id;               /* user-given id=, or NULL */
    bool realized;
    DeviceState *bus_parent; /* the transport/port owner, once plugged */
    DeviceState *next;      /* machine's device list, creation order */
};

/* A NULL-terminated table of device types. */
typedef const DeviceType *const DeviceTypeTable[];

/* Look @name up in @tables (NULL-terminated list of tables). */
const DeviceType *device_type_find(const DeviceType *const *const *tables,
                                   const char *name);

/* Allocate an instance with defaults applied; not yet on the machine. */
DeviceState *device_new(Machine *machine, const DeviceType *type);
/* Set one property by name from a string. */
bool device_set_prop(DeviceState *dev, const char *name, const char *value,
                     Error **errp);
bool device_realize(DeviceState *dev, Error **errp);
void device_reset(DeviceState *dev);
/* Unrealize (if needed) and free. */
void device_free(DeviceState *dev);

/* "-device help": every user-creatable type, grouped by category. */
void device_print_types(FILE *out, const DeviceType *const *const *tables);

#endif /* CORE_DEVICE_H */
