/*
 * util/opts.c — "key=value,..." option parsing (see util/opts.h).
 */
#include "util/opts.h"
#include "util/error.h"

#include <ctype.h>
#include <math.h>

static void opts_append(OptList *list, char *key, char *value)
{
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 8;
        list->items = xrealloc(list->items,
                               list->capacity * sizeof(list->items[0]));
    }
    list->items[list->count++] = (OptItem){ .key = key, .value = value };
}

/*
 * Copy one item starting at *pp up to an unescaped ',' (or end), turning
 * ",," into ','. Stops early at '=' when @stop_at_equals, so keys can be
 * split from values. Advances *pp past what was consumed.
 */
static char *opts_scan(const char **pp, bool stop_at_equals)
{
    const char *p = *pp;
    size_t len = 0, cap = 16;
    char *out = xmalloc(cap);

    for (;;) {
        if (*p == '\0') {
            break;
        }
        if (*p == ',') {
            if (p[1] != ',') {
                break;
            }
            p++;            /* ",," is a literal comma */
        } else if (*p == '=' && stop_at_equals) {
            break;
        }
        if (len + 2 > cap) {
            cap *= 2;
            out = xrealloc(out, cap);
        }
        out[len++] = *p++;
    }
    out[len] = '\0';
    *pp = p;
    return out;
}

bool opts_parse(OptList *list, const char *origin, const char *str,
                const char *implied_key, Error **errp)
{
    const char *p = str;
    bool first = true;

    memset(list, 0, sizeof(*list));
    list->origin = xstrdup(origin);
    if (*p == '\0') {
        return true;
    }
    for (;;) {
        char *key = opts_scan(&p, true);
        char *value = NULL;

        if (*p == '=') {
            p++;
            value = opts_scan(&p, false);
        }
        if (!value && (!strcmp(key, "help") || !strcmp(key, "?"))) {
            list->help = true;
            free(key);
        } else if (!value && first && implied_key) {
            opts_append(list, xstrdup(implied_key), key);
        } else if (*key == '\0') {
            free(key);
            free(value);
            error_setg(errp, value ? "%s: Expected parameter name before '='"
                                   : "%s: Empty parameter in option list",
                       origin);
            opts_free(list);
            return false;
        } else if (!value) {
            /* Legacy boolean shorthand: "server" = on, "nowait" = wait=off. */
            if (!strncmp(key, "no", 2) && key[2]) {
                opts_append(list, xstrdup(key + 2), xstrdup("off"));
                free(key);
            } else {
                opts_append(list, key, xstrdup("on"));
            }
        } else {
            opts_append(list, key, value);
        }
        first = false;
        if (*p == '\0') {
            break;
        }
        p++;                    /* the separating ',' */
        if (*p == '\0') {
            break;              /* a trailing comma is tolerated */
        }
    }
    return true;
}

void opts_free(OptList *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].key);
        free(list->items[i].value);
    }
    free(list->items);
    free(list->origin);
    memset(list, 0, sizeof(*list));
}

void opts_set(OptList *list, const char *key, const char *value)
{
    bool found = false;

    for (size_t i = 0; i < list->count; i++) {
        if (!strcmp(list->items[i].key, key)) {
            free(list->items[i].value);
            list->items[i].value = xstrdup(value);
            found = true;
        }
    }
    if (!found) {
        opts_append(list, xstrdup(key), xstrdup(value));
    }
}

const char *opts_get(OptList *list, const char *key)
{
    const char *value = NULL;

    for (size_t i = 0; i < list->count; i++) {
        if (!strcmp(list->items[i].key, key)) {
            list->items[i].used = true;
            value = list->items[i].value;
        }
    }
    return value;
}

bool opts_has(const OptList *list, const char *key)
{
    for (size_t i = 0; i < list->count; i++) {
        if (!strcmp(list->items[i].key, key)) {
            return true;
        }
    }
    return false;
}

bool opts_get_bool(OptList *list, const char *key, bool def, bool *out,
                   Error **errp)
{
    const char *v = opts_get(list, key);

    if (!v) {
        *out = def;
        return true;
    }
    if (!parse_bool(v, out)) {
        error_setg(errp, "%s: Parameter '%s' expects 'on' or 'off'",
                   list->origin, key);
        return false;
    }
    return true;
}

bool opts_get_uint(OptList *list, const char *key, uint64_t def,
                   uint64_t *out, Error **errp)
{
    const char *v = opts_get(list, key);

    if (!v) {
        *out = def;
        return true;
    }
    if (!parse_uint64(v, out)) {
        error_setg(errp, "%s: Parameter '%s' expects a non-negative integer",
                   list->origin, key);
        return false;
    }
    return true;
}

bool opts_get_size(OptList *list, const char *key, uint64_t def,
                   uint64_t *out, Error **errp)
{
    const char *v = opts_get(list, key);

    if (!v) {
        *out = def;
        return true;
    }
    if (!parse_size(v, 1, out)) {
        error_setg(errp, "%s: Parameter '%s' expects a size (a non-negative "
                   "number with optional suffix k, M, G, T, P or E)",
                   list->origin, key);
        return false;
    }
    return true;
}

bool opts_check_unused(const OptList *list, Error **errp)
{
    for (size_t i = 0; i < list->count; i++) {
        if (!list->items[i].used) {
            error_setg(errp, "%s: Invalid parameter '%s'", list->origin,
                       list->items[i].key);
            return false;
        }
    }
    return true;
}

bool parse_bool(const char *str, bool *out)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(str, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(str, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

bool parse_uint64(const char *str, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (!str || !*str || isspace((unsigned char)*str) || *str == '-' ||
        *str == '+') {
        return false;
    }
    errno = 0;
    v = strtoull(str, &end, 0);
    if (errno || *end) {
        return false;
    }
    *out = v;
    return true;
}

bool parse_int64(const char *str, int64_t *out)
{
    char *end;
    long long v;

    if (!str || !*str || isspace((unsigned char)*str)) {
        return false;
    }
    errno = 0;
    v = strtoll(str, &end, 0);
    if (errno || *end) {
        return false;
    }
    *out = v;
    return true;
}

bool parse_size(const char *str, uint64_t default_unit, uint64_t *out)
{
    static const char suffixes[] = "BKMGTPE";
    const char *p = str;
    char *end;
    uint64_t unit = default_unit;
    uint64_t whole;
    double frac = 0;

    if (!str || !*str || !isdigit((unsigned char)*str)) {
        return false;
    }
    /* Integer part parsed exactly, so 2^64-1 bytes round-trips. */
    errno = 0;
    whole = strtoull(p, &end, 10);
    if (errno) {
        return false;
    }
    p = end;
    if (*p == '.') {
        const char *fstart = p;
        frac = strtod(fstart, &end);
        if (end == fstart + 1) {
            return false;       /* "1." */
        }
        p = end;
    }
    if (*p) {
        const char *s = strchr(suffixes, toupper((unsigned char)*p));
        if (!s || p[1]) {
            return false;
        }
        unit = 1ULL << (10 * (s - suffixes));
    }
    if (frac != 0 && unit == 1) {
        return false;           /* fractional bytes */
    }
    if (whole > UINT64_MAX / unit) {
        return false;
    }
    whole *= unit;
    if (frac != 0) {
        double extra = frac * (double)unit;
        if (extra >= 18446744073709551616.0 - (double)whole) {
            return false;
        }
        whole += (uint64_t)extra;
    }
    *out = whole;
    return true;
}
