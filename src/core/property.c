/*
 * core/property.c — parse, format and apply table-described properties
 * (see core/property.h).
 */
#include "core/property.h"
#include "util/error.h"
#include "util/opts.h"

#include <ctype.h>

static const char *const prop_type_names[] = {
    [PROP_BOOL] = "bool",
    [PROP_UINT8] = "uint8",
    [PROP_UINT16] = "uint16",
    [PROP_UINT32] = "uint32",
    [PROP_UINT64] = "uint64",
    [PROP_INT32] = "int32",
    [PROP_SIZE] = "size",
    [PROP_STRING] = "str",
    [PROP_ENUM] = "enum",
    [PROP_MACADDR] = "str",
    [PROP_CHARDEV] = "str",
    [PROP_DRIVE] = "str",
    [PROP_NETDEV] = "str",
};

const char *prop_type_name(const Property *prop)
{
    return prop_type_names[prop->type];
}

static void *prop_ptr(const void *obj, const Property *prop)
{
    return (char *)obj + prop->offset;
}

static void prop_store_uint(void *obj, const Property *prop, uint64_t v)
{
    void *p = prop_ptr(obj, prop);

    switch (prop->type) {
    case PROP_BOOL:
        *(bool *)p = v != 0;
        break;
    case PROP_UINT8:
        *(uint8_t *)p = v;
        break;
    case PROP_UINT16:
        *(uint16_t *)p = v;
        break;
    case PROP_UINT32:
        *(uint32_t *)p = v;
        break;
    case PROP_INT32:
        *(int32_t *)p = (int32_t)v;
        break;
    case PROP_UINT64:
    case PROP_SIZE:
        *(uint64_t *)p = v;
        break;
    case PROP_ENUM:
        *(int *)p = (int)v;
        break;
    default:
        break;
    }
}

static uint64_t prop_load_uint(const void *obj, const Property *prop)
{
    const void *p = prop_ptr(obj, prop);

    switch (prop->type) {
    case PROP_BOOL:
        return *(const bool *)p;
    case PROP_UINT8:
        return *(const uint8_t *)p;
    case PROP_UINT16:
        return *(const uint16_t *)p;
    case PROP_UINT32:
        return *(const uint32_t *)p;
    case PROP_INT32:
        return (uint64_t)(int64_t)*(const int32_t *)p;
    case PROP_UINT64:
    case PROP_SIZE:
        return *(const uint64_t *)p;
    case PROP_ENUM:
        return *(const int *)p;
    default:
        return 0;
    }
}

void props_set_defaults(void *obj, const Property *props)
{
    for (const Property *prop = props; prop && prop->name; prop++) {
        switch (prop->type) {
        case PROP_STRING:
            *(char **)prop_ptr(obj, prop) = xstrdup(prop->def.s);
            break;
        case PROP_MACADDR:
        case PROP_CHARDEV:
        case PROP_DRIVE:
        case PROP_NETDEV:
            break;      /* zero-initialised by the allocation */
        default:
            prop_store_uint(obj, prop, prop->def.u);
            break;
        }
    }
}

void props_release(void *obj, const Property *props)
{
    for (const Property *prop = props; prop && prop->name; prop++) {
        if (prop->type == PROP_STRING) {
            char **p = prop_ptr(obj, prop);
            free(*p);
            *p = NULL;
        }
    }
}

const Property *props_find(const Property *props, const char *name)
{
    for (const Property *prop = props; prop && prop->name; prop++) {
        if (!strcmp(prop->name, name)) {
            return prop;
        }
    }
    return NULL;
}

static bool parse_macaddr(const char *str, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        char *end;
        unsigned long v;

        if (!isxdigit((unsigned char)str[0])) {
            return false;
        }
        v = strtoul(str, &end, 16);
        if (v > 0xff || end - str > 2 || (i < 5 && *end != ':') ||
            (i == 5 && *end != '\0')) {
            return false;
        }
        mac[i] = v;
        str = end + 1;
    }
    return true;
}

static uint64_t prop_uint_max(PropType type)
{
    switch (type) {
    case PROP_UINT8:
        return UINT8_MAX;
    case PROP_UINT16:
        return UINT16_MAX;
    case PROP_UINT32:
        return UINT32_MAX;
    default:
        return UINT64_MAX;
    }
}

bool prop_set(void *obj, const Property *prop, const char *value,
              const PropLinkResolver *links, Error **errp)
{
    uint64_t u;
    int64_t i;
    bool b;

    switch (prop->type) {
    case PROP_BOOL:
        if (!parse_bool(value, &b)) {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off'",
                       prop->name);
            return false;
        }
        prop_store_uint(obj, prop, b);
        return true;
    case PROP_UINT8:
    case PROP_UINT16:
    case PROP_UINT32:
    case PROP_UINT64:
        if (!parse_uint64(value, &u) || u > prop_uint_max(prop->type)) {
            error_setg(errp, "Parameter '%s' expects %s", prop->name,
                       prop->type == PROP_UINT64
                       ? "a non-negative integer"
                       : prop->type == PROP_UINT32 ? "an integer in 0..4294967295"
                       : prop->type == PROP_UINT16 ? "an integer in 0..65535"
                       : "an integer in 0..255");
            return false;
        }
        prop_store_uint(obj, prop, u);
        return true;
    case PROP_INT32:
        if (!parse_int64(value, &i) || i < INT32_MIN || i > INT32_MAX) {
            error_setg(errp, "Parameter '%s' expects a 32-bit integer",
                       prop->name);
            return false;
        }
        prop_store_uint(obj, prop, (uint64_t)i);
        return true;
    case PROP_SIZE:
        if (!parse_size(value, 1, &u)) {
            error_setg(errp, "Parameter '%s' expects a size (a non-negative "
                       "number with optional suffix k, M, G, T, P or E)",
                       prop->name);
            return false;
        }
        prop_store_uint(obj, prop, u);
        return true;
    case PROP_STRING: {
        char **p = prop_ptr(obj, prop);
        free(*p);
        *p = xstrdup(value);
        return true;
    }
    case PROP_ENUM:
        for (int n = 0; prop->enum_names[n]; n++) {
            if (!strcmp(prop->enum_names[n], value)) {
                prop_store_uint(obj, prop, n);
                return true;
            }
        }
        error_setg(errp, "Parameter '%s' does not accept value '%s'",
                   prop->name, value);
        return false;
    case PROP_MACADDR:
        if (!parse_macaddr(value, prop_ptr(obj, prop))) {
            error_setg(errp, "Property '%s' doesn't take value '%s' "
                       "(expected a MAC address like 52:54:00:12:34:56)",
                       prop->name, value);
            return false;
        }
        return true;
    case PROP_CHARDEV:
    case PROP_DRIVE:
    case PROP_NETDEV: {
        void *target;
        if (!*value) {
            error_setg(errp, "Parameter '%s' expects a non-empty id",
                       prop->name);
            return false;
        }
        if (!links) {
            error_setg(errp, "Property '%s' cannot be linked here",
                       prop->name);
            return false;
        }
        target = links->resolve(links->opaque, prop->type, value, errp);
        if (!target) {
            return false;
        }
        *(void **)prop_ptr(obj, prop) = target;
        return true;
    }
    }
    error_setg(errp, "Property '%s' has an unknown type", prop->name);
    return false;
}

static char *format_uint(const Property *prop, uint64_t v)
{
    switch (prop->type) {
    case PROP_BOOL:
        return xstrdup(v ? "on" : "off");
    case PROP_INT32:
        return xasprintf("%" PRId64, (int64_t)v);
    case PROP_ENUM:
        return xstrdup(prop->enum_names[v]);
    default:
        return xasprintf("%" PRIu64, v);
    }
}

char *prop_format(const void *obj, const Property *prop)
{
    switch (prop->type) {
    case PROP_STRING: {
        const char *s = *(char *const *)prop_ptr(obj, prop);
        return xstrdup(s ? s : "");
    }
    case PROP_MACADDR: {
        const uint8_t *m = prop_ptr(obj, prop);
        return xasprintf("%02x:%02x:%02x:%02x:%02x:%02x",
                         m[0], m[1], m[2], m[3], m[4], m[5]);
    }
    case PROP_CHARDEV:
    case PROP_DRIVE:
    case PROP_NETDEV:
        return xstrdup(*(void *const *)prop_ptr(obj, prop) ? "<linked>" : "");
    default:
        return format_uint(prop, prop_load_uint(obj, prop));
    }
}

char *prop_format_default(const Property *prop)
{
    switch (prop->type) {
    case PROP_STRING:
        return prop->def.s ? xasprintf("\"%s\"", prop->def.s) : NULL;
    case PROP_MACADDR:
    case PROP_CHARDEV:
    case PROP_DRIVE:
    case PROP_NETDEV:
        return NULL;
    default:
        return format_uint(prop, prop->def.u);
    }
}

bool props_apply_opts(void *obj, const Property *props, OptList *opts,
                      const char *const *skip, const PropLinkResolver *links,
                      const char *what, Error **errp)
{
    for (size_t n = 0; n < opts->count; n++) {
        OptItem *item = &opts->items[n];
        const Property *prop;
        bool skipped = false;

        for (const char *const *s = skip; s && *s; s++) {
            if (!strcmp(*s, item->key)) {
                skipped = true;
            }
        }
        if (skipped) {
            continue;
        }
        prop = props_find(props, item->key);
        if (!prop) {
            error_setg(errp, "%s: Property '%s.%s' not found", opts->origin,
                       what, item->key);
            return false;
        }
        item->used = true;
        if (!prop_set(obj, prop, item->value, links, errp)) {
            error_prepend(errp, "%s: ", opts->origin);
            return false;
        }
    }
    return true;
}

void props_print_help(FILE *out, const char *what, const Property *props)
{
    bool any = false;

    for (const Property *prop = props; prop && prop->name; prop++) {
        char *def = prop_format_default(prop);
        char *left = xasprintf("%s=<%s>", prop->name, prop_type_name(prop));

        if (!any) {
            fprintf(out, "%s options:\n", what);
            any = true;
        }
        fprintf(out, "  %-24s - %s", left, prop->help ? prop->help : "");
        if (prop->type == PROP_ENUM) {
            fprintf(out, " (one of:");
            for (int i = 0; prop->enum_names[i]; i++) {
                fprintf(out, " %s", prop->enum_names[i]);
            }
            fprintf(out, ")");
        }
        if (def) {
            fprintf(out, " (default: %s)", def);
        }
        fputc('\n', out);
        free(def);
        free(left);
    }
    if (!any) {
        fprintf(out, "There are no options for %s.\n", what);
    }
}
