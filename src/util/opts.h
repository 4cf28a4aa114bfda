/*
 * util/opts.h — QEMU-style option values: "key=value,key=value".
 *
 * The syntax every -drive/-device/-chardev/-netdev/-machine value uses:
 *   - items are separated by ',' and a literal comma is written ",,";
 *   - the first item may omit its key ("-m 2G", "-drive file=x" vs
 *     "-smp 4,sockets=1", "-device virtio-blk-device,drive=d0"): it then
 *     belongs to the option's implied key (size, cpus, driver);
 *   - a later item without '=' is a boolean flag: "server" means
 *     server=on and "nowait" means wait=off (QemuOpts' legacy short form);
 *   - "help" or "?" anywhere asks for help instead.
 *
 * Getters mark an item as used; opts_check_unused() then reports the first
 * key nobody consumed, which is how "unknown property" errors arise without
 * every consumer keeping its own list of valid keys.
 */
#ifndef UTIL_OPTS_H
#define UTIL_OPTS_H

#include "util/osdep.h"
#include "util/typedefs.h"

typedef struct OptItem {
    char *key;
    char *value;
    bool used;
} OptItem;

struct OptList {
    char *origin;       /* "-drive file=x", for error messages */
    OptItem *items;
    size_t count;
    size_t capacity;
    bool help;          /* "help" or "?" was among the items */
};

/*
 * Parse @str into a fresh @list. @implied_key names the key of a first item
 * written without '=' (NULL: such an item is an error). @origin is how the
 * user wrote the option ("-drive"), used to prefix errors.
 */
bool opts_parse(OptList *list, const char *origin, const char *str,
                const char *implied_key, Error **errp);
void opts_free(OptList *list);
/* Set every occurrence of @key to @value, or append it (programs filling
 * in defaults use this). */
void opts_set(OptList *list, const char *key, const char *value);

/* The value of the last occurrence of @key, or NULL; marks all as used. */
const char *opts_get(OptList *list, const char *key);
bool opts_has(const OptList *list, const char *key);

bool opts_get_bool(OptList *list, const char *key, bool def, bool *out,
                   Error **errp);
bool opts_get_uint(OptList *list, const char *key, uint64_t def,
                   uint64_t *out, Error **errp);
bool opts_get_size(OptList *list, const char *key, uint64_t def,
                   uint64_t *out, Error **errp);

/* Fail with "Invalid parameter 'KEY'" for the first item nobody used. */
bool opts_check_unused(const OptList *list, Error **errp);

/* Value parsers shared with properties and monitor commands. */
bool parse_bool(const char *str, bool *out);
/* Decimal, 0x-hex or 0-octal unsigned integer; the whole string must parse. */
bool parse_uint64(const char *str, uint64_t *out);
bool parse_int64(const char *str, int64_t *out);
/*
 * A size with optional suffix k/K, M, G, T, P, E (powers of 1024) or B
 * (bytes); fractions allowed ("1.5G"). A bare number is in units of
 * @default_unit (bytes usually; MiB for -m, as in QEMU).
 */
bool parse_size(const char *str, uint64_t default_unit, uint64_t *out);

#endif /* UTIL_OPTS_H */
