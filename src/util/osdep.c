/*
 * util/osdep.c — allocation wrappers.
 *
 * Running out of host memory leaves an emulator with nothing sensible to do
 * (the guest's state is already half-updated), so these print one line and
 * exit instead of returning NULL for every caller to check.
 */
#include "util/osdep.h"

#include <stdarg.h>

static void NORETURN out_of_memory(size_t size)
{
    fprintf(stderr, "%s: out of memory allocating %zu bytes\n",
            program_invocation_short_name, size);
    exit(1);
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        out_of_memory(size);
    }
    return p;
}

void *xzalloc(size_t size)
{
    return xcalloc(1, size);
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        out_of_memory(n * size);
    }
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p) {
        out_of_memory(size);
    }
    return p;
}

char *xstrdup(const char *s)
{
    return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (!p) {
        out_of_memory(n);
    }
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0) {
        out_of_memory(strlen(fmt));
    }
    va_end(ap);
    return s;
}
