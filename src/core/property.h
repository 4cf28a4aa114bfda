/*
 * core/property.h — typed, table-described properties of devices, machines
 * and backends.
 *
 * A Property row names a field of an instance struct (by offset), its type,
 * its default and a help line. The same table drives three things, so they
 * cannot disagree: setting values from "-device NAME,key=value", applying
 * defaults before that, and printing "-device NAME,help". There is no
 * runtime introspection engine: a property is just a row.
 *
 * Link properties (chardev=, drive=, netdev=) hold a pointer to a backend
 * looked up by id in the Machine when the value is set.
 */
#ifndef CORE_PROPERTY_H
#define CORE_PROPERTY_H

#include "util/osdep.h"
#include "util/typedefs.h"

typedef enum PropType {
    PROP_BOOL,      /* bool */
    PROP_UINT8,     /* uint8_t */
    PROP_UINT16,    /* uint16_t */
    PROP_UINT32,    /* uint32_t */
    PROP_UINT64,    /* uint64_t */
    PROP_INT32,     /* int32_t */
    PROP_SIZE,      /* uint64_t, accepts k/M/G suffixes */
    PROP_STRING,    /* char *, owned by the instance */
    PROP_ENUM,      /* int, index into Property.enum_names */
    PROP_MACADDR,   /* uint8_t[6], "52:54:00:12:34:56" */
    PROP_CHARDEV,   /* Chardev *, by -chardev id */
    PROP_DRIVE,     /* BlockBackend *, by -drive/-blockdev id */
    PROP_NETDEV,    /* NetClient *, by -netdev id */
} PropType;

typedef struct Property {
    const char *name;
    PropType type;
    size_t offset;
    union {
        uint64_t u;
        int64_t i;
        const char *s;
    } def;
    const char *help;
    const char *const *enum_names;  /* PROP_ENUM: NULL-terminated */
} Property;

/* Helpers to write property tables tersely; S is the instance struct. */
#define PROP_FIELD(S, f) offsetof(S, f)
#define DEFINE_PROP_BOOL(n, S, f, d, h) \
    { .name = (n), .type = PROP_BOOL, .offset = offsetof(S, f), .def.u = (d), .help = (h) }
#define DEFINE_PROP_UINT8(n, S, f, d, h) \
    { .name = (n), .type = PROP_UINT8, .offset = offsetof(S, f), .def.u = (d), .help = (h) }
#define DEFINE_PROP_UINT16(n, S, f, d, h) \
    { .name = (n), .type = PROP_UINT16, .offset = offsetof(S, f), .def.u = (d), .help = (h) }
#define DEFINE_PROP_UINT32(n, S, f, d, h) \
    { .name = (n), .type = PROP_UINT32, .offset = offsetof(S, f), .def.u = (d), .help = (h) }
#define DEFINE_PROP_UINT64(n, S, f, d, h) \
    { .name = (n), .type = PROP_UINT64, .offset = offsetof(S, f), .def.u = (d), .help = (h) }
#define DEFINE_PROP_INT32(n, S, f, d, h) \
    { .name = (n), .type = PROP_INT32, .offset = offsetof(S, f), .def.i = (d), .help = (h) }
#define DEFINE_PROP_SIZE(n, S, f, d, h) \
    { .name = (n), .type = PROP_SIZE, .offset = offsetof(S, f), .def.u = (d), .help = (h) }
#define DEFINE_PROP_STRING(n, S, f, h) \
    { .name = (n), .type = PROP_STRING, .offset = offsetof(S, f), .help = (h) }
#define DEFINE_PROP_ENUM(n, S, f, d, names, h) \
    { .name = (n), .type = PROP_ENUM, .offset = offsetof(S, f), .def.u = (d), \
      .enum_names = (names), .help = (h) }
#define DEFINE_PROP_MACADDR(n, S, f, h) \
    { .name = (n), .type = PROP_MACADDR, .offset = offsetof(S, f), .help = (h) }
#define DEFINE_PROP_CHARDEV(n, S, f, h) \
    { .name = (n), .type = PROP_CHARDEV, .offset = offsetof(S, f), .help = (h) }
#define DEFINE_PROP_DRIVE(n, S, f, h) \
    { .name = (n), .type = PROP_DRIVE, .offset = offsetof(S, f), .help = (h) }
#define DEFINE_PROP_NETDEV(n, S, f, h) \
    { .name = (n), .type = PROP_NETDEV, .offset = offsetof(S, f), .help = (h) }
#define DEFINE_PROP_END { .name = NULL }

/*
 * Resolves link properties (chardev=, drive=, netdev=) to backend objects.
 * The Machine supplies one; tools and tests may pass NULL, which makes
 * link properties an error.
 */
typedef struct PropLinkResolver {
    void *(*resolve)(void *opaque, PropType type, const char *id,
                     Error **errp);
    void *opaque;
} PropLinkResolver;

/* The name users see for a type in help output ("uint32", "size", ...). */
const char *prop_type_name(const Property *prop);

/* Store defaults for every row of @props into @obj. */
void props_set_defaults(void *obj, const Property *props);
/* Free PROP_STRING fields of @obj. */
void props_release(void *obj, const Property *props);

const Property *props_find(const Property *props, const char *name);

/* Parse @value for @prop and store it into @obj. */
bool prop_set(void *obj, const Property *prop, const char *value,
              const PropLinkResolver *links, Error **errp);
/* Format @obj's current value of @prop ("on", "4096", "<null>"). */
char *prop_format(const void *obj, const Property *prop);
/* Format the default of @prop, or NULL when it has none worth printing. */
char *prop_format_default(const Property *prop);

/*
 * Apply every key of @opts (except those listed in @skip, NULL-terminated)
 * to @obj through @props; unknown keys are errors naming @what.
 */
bool props_apply_opts(void *obj, const Property *props, OptList *opts,
                      const char *const *skip, const PropLinkResolver *links,
                      const char *what, Error **errp);

/* Print "  name=<type>  - help (default: x)" for each row, as QEMU does. */
void props_print_help(FILE *out, const char *what, const Property *props);

#endif /* CORE_PROPERTY_H */
