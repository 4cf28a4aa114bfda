/*
 * core/device.c — device instances: allocation, properties, realize,
 * reset, and the "-device help" listing (see core/device.h).
 */
#include "core/device.h"
#include "hw/core/machine.h"
#include "util/error.h"

const DeviceType *device_type_find(const DeviceType *const *const *tables,
                                   const char *name)
{
    for (; *tables; tables++) {
        for (const DeviceType *const *t = *tables; *t; t++) {
            if (!strcmp((*t)->name, name)) {
                return *t;
            }
        }
    }
    return NULL;
}

/* -global defaults for @dev's type, in command-line order (values were
 * checked when the option was parsed). */
static void device_apply_globals(DeviceState *dev, const OptListArray *globals)
{
    for (size_t i = 0; i < globals->count; i++) {
        OptList *g = &globals->items[i];
        const char *driver = opts_get(g, "driver");
        const Property *prop;

        if (!driver || strcmp(driver, dev->type->name)) {
            continue;
        }
        prop = props_find(dev->type->props, opts_get(g, "property"));
        if (prop) {
            prop_set(dev, prop, opts_get(g, "value"), NULL, NULL);
        }
    }
}

DeviceState *device_new(Machine *machine, const DeviceType *type)
{
    DeviceState *dev = xzalloc(MAX(type->instance_size, sizeof(DeviceState)));

    dev->type = type;
    dev->machine = machine;
    props_set_defaults(dev, type->props);
    if (machine && machine->config) {
        device_apply_globals(dev, &machine->config->globals);
    }
    return dev;
}

bool device_set_prop(DeviceState *dev, const char *name, const char *value,
                     Error **errp)
{
    const Property *prop = props_find(dev->type->props, name);

    if (!prop) {
        error_setg(errp, "Property '%s.%s' not found", dev->type->name, name);
        return false;
    }
    return prop_set(dev, prop, value,
                    dev->machine ? &dev->machine->links : NULL, errp);
}

bool device_realize(DeviceState *dev, Error **errp)
{
    if (dev->realized) {
        return true;
    }
    if (dev->type->realize && !dev->type->realize(dev, errp)) {
        error_prepend(errp, "Device '%s': ", dev->type->name);
        return false;
    }
    dev->realized = true;
    return true;
}

void device_reset(DeviceState *dev)
{
    if (dev->realized && dev->type->reset) {
        dev->type->reset(dev);
    }
}

void device_free(DeviceState *dev)
{
    if (!dev) {
        return;
    }
    if (dev->realized && dev->type->unrealize) {
        dev->type->unrealize(dev);
    }
    props_release(dev, dev->type->props);
    free(dev->id);
    free(dev);
}

static const char *device_bus_name(DeviceBusKind bus)
{
    switch (bus) {
    case DEVICE_BUS_SYSTEM:
        return "System";
    case DEVICE_BUS_VIRTIO:
        return "virtio-bus";
    case DEVICE_BUS_VIRTIO_SERIAL:
        return "virtio-serial-bus";
    default:
        return NULL;
    }
}

void device_print_types(FILE *out, const DeviceType *const *const *tables)
{
    /* Categories in first-seen order, so the listing is deterministic. */
    const char *categories[32];
    size_t nr_categories = 0;

    for (const DeviceType *const *const *tab = tables; *tab; tab++) {
        for (const DeviceType *const *t = *tab; *t; t++) {
            const char *cat = (*t)->category ? (*t)->category : "Misc devices";
            size_t i;

            for (i = 0; i < nr_categories; i++) {
                if (!strcmp(categories[i], cat)) {
                    break;
                }
            }
            if (i == nr_categories && nr_categories < ARRAY_SIZE(categories)) {
                categories[nr_categories++] = cat;
            }
        }
    }
    for (size_t c = 0; c < nr_categories; c++) {
        fprintf(out, "%s%s:\n", c ? "\n" : "", categories[c]);
        for (const DeviceType *const *const *tab = tables; *tab; tab++) {
            for (const DeviceType *const *t = *tab; *t; t++) {
                const DeviceType *type = *t;
                const char *cat = type->category ? type->category
                                                 : "Misc devices";
                const char *bus = device_bus_name(type->bus);

                if (strcmp(cat, categories[c])) {
                    continue;
                }
                fprintf(out, "name \"%s\"", type->name);
                if (bus) {
                    fprintf(out, ", bus %s", bus);
                }
                if (!type->user_creatable) {
                    fprintf(out, ", no-user");
                }
                if (type->desc) {
                    fprintf(out, ", desc \"%s\"", type->desc);
                }
                fputc('\n', out);
            }
        }
    }
}
