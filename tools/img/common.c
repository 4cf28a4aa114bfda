/*
 * tools/img/common.c — helpers every vireo-img subcommand uses: option
 * parsing with qemu-img's messages, opening images, sizes in qemu's
 * human notation, JSON output and zero detection.
 *
 * Message texts follow qemu-img 7.2 (Debian's qemu-utils), which the
 * interoperability tests run side by side; where qemu-img splits one
 * error over two lines, vireo-img prints the same words on one line
 * (house style: one line per error).
 */
#include "tools/img/img-internal.h"
#include "util/opts.h"

#include <math.h>
#include <stdarg.h>

int img_usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", program_invocation_short_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help' for more information\n",
            program_invocation_short_name);
    return 1;
}

void img_getopt_reset(void)
{
    optind = 0;         /* 0: glibc also resets its internal state */
    opterr = 0;
}

int img_getopt(int argc, char **argv, const char *shortopts,
               const struct option *longopts)
{
    static const struct option no_longopts[] = { { NULL, 0, NULL, 0 } };
    int c = getopt_long(argc, argv, shortopts,
                        longopts ? longopts : no_longopts, NULL);

    if (c == '?') {
        img_usage_error("unrecognized option '%s'", argv[optind - 1]);
    } else if (c == ':') {
        img_usage_error("missing argument for option '%s'",
                        argv[optind - 1]);
        c = '?';
    }
    return c;
}

bool img_parse_output(const char *arg, ImgOutputFormat *out)
{
    if (!strcmp(arg, "json")) {
        *out = IMG_OUTPUT_JSON;
    } else if (!strcmp(arg, "human")) {
        *out = IMG_OUTPUT_HUMAN;
    } else {
        error_report("--output must be used with human or json as "
                     "argument.");
        return false;
    }
    return true;
}

/* QEMU's cache modes as (O_DIRECT, no-flush, write cache) triples. */
static const struct {
    const char *name;
    int flags;
    bool writethrough;
} img_cache_modes[] = {
    { "none",         BDRV_O_NOCACHE,  false },
    { "off",          BDRV_O_NOCACHE,  false },  /* QEMU's alias */
    { "writeback",    0,               false },
    { "writethrough", 0,               true },
    { "directsync",   BDRV_O_NOCACHE,  true },
    { "unsafe",       BDRV_O_NO_FLUSH, false },
};

bool img_parse_cache(const char *mode, int *flags, bool *writethrough)
{
    for (size_t i = 0; i < ARRAY_SIZE(img_cache_modes); i++) {
        if (!strcmp(mode, img_cache_modes[i].name)) {
            *flags &= ~(BDRV_O_NOCACHE | BDRV_O_NO_FLUSH |
                        BDRV_O_WRITETHROUGH);
            *flags |= img_cache_modes[i].flags;
            if (img_cache_modes[i].writethrough) {
                *flags |= BDRV_O_WRITETHROUGH;
            }
            if (writethrough) {
                *writethrough = img_cache_modes[i].writethrough;
            }
            return true;
        }
    }
    return false;
}

bool img_parse_size(const char *str, const char *what, uint64_t *out)
{
    uint64_t value;

    /* parse_size() would accept "-1" through strtod: refuse signs here. */
    if (!*str || *str == '-' || *str == '+' || !parse_size(str, 1, &value)) {
        if (what) {
            error_report("Invalid %s specified. You may use k, M, G, T, P "
                         "or E suffixes for kilobytes, megabytes, gigabytes, "
                         "terabytes, petabytes and exabytes.", what);
        }
        return false;
    }
    *out = value;
    return true;
}

BlockBackend *img_open(const char *filename, const char *fmt, int flags)
{
    Error *err = NULL;
    BlockBackend *blk = blk_new_open(filename, fmt, flags, &err);

    if (!blk) {
        error_report("Could not open '%s': %s", filename,
                     error_get_pretty(err));
        error_free(err);
    }
    return blk;
}

char *img_size_to_str(uint64_t bytes)
{
    static const char *const prefix[] = { "", "Ki", "Mi", "Gi", "Ti",
                                          "Pi", "Ei" };
    int exp, unit;

    /*
     * Pick the unit so that the number shown stays below 1000 (qemu shows
     * 1000 KiB as "0.977 MiB"): scale by 1024/1000 before asking for the
     * binary exponent; ten binary digits per unit.
     */
    frexp((double)bytes * 1.024, &exp);
    unit = MAX(0, (exp - 1) / 10);
    unit = MIN(unit, (int)ARRAY_SIZE(prefix) - 1);
    return xasprintf("%0.3g %sB", (double)bytes / ldexp(1.0, unit * 10),
                     prefix[unit]);
}

void img_json_print(json_t *obj)
{
    char *text = json_dumps(obj, JSON_INDENT(4) | JSON_PRESERVE_ORDER |
                            JSON_ENSURE_ASCII);

    if (text) {
        printf("%s\n", text);
        free(text);
    }
}

json_t *img_json_uint(uint64_t value)
{
    return json_integer(value > INT64_MAX ? INT64_MAX : (json_int_t)value);
}

void img_printf(bool quiet, const char *fmt, ...)
{
    va_list ap;

    if (quiet) {
        return;
    }
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

bool img_buffer_is_zero(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t i = 0;

    /* Bytes up to an 8-byte boundary, then words, then the tail. */
    for (; i < len && ((uintptr_t)(p + i) & 7); i++) {
        if (p[i]) {
            return false;
        }
    }
    for (; i + 32 <= len; i += 32) {
        const uint64_t *w = (const uint64_t *)(p + i);

        if (w[0] | w[1] | w[2] | w[3]) {
            return false;
        }
    }
    for (; i < len; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

void *img_alloc_buffer(size_t size)
{
    void *buf;

    if (posix_memalign(&buf, 4096, MAX(size, 1))) {
        fprintf(stderr, "%s: out of memory\n", program_invocation_short_name);
        abort();
    }
    return buf;
}
