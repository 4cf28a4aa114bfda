/*
 * block/block-create.c — image creation options ("qemu-img create -o"),
 * the steps qemu-img takes before creating (size from the backing file,
 * backing checks), and the generic side of bdrv_create()/bdrv_measure().
 *
 * Option values are parsed by type here (size, number, bool, string)
 * with QEMU's error messages; whether a value makes sense for a format
 * (cluster size range, refcount width, compat level) is the driver's
 * create() to decide, because qemu-img prints its "Formatting" line
 * between the two steps and scripts see that order.
 */
#include "block/block-internal.h"
#include "util/error.h"
#include "util/opts.h"

#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

typedef enum CreateOptType {
    CREATE_OPT_SIZE,
    CREATE_OPT_NUMBER,
    CREATE_OPT_BOOL,
    CREATE_OPT_STRING,
} CreateOptType;

/* Bits of BlockCreateOptions.set_mask. */
enum {
    CREATE_SET_SIZE = 1 << 0,
    CREATE_SET_CLUSTER_SIZE = 1 << 1,
    CREATE_SET_BACKING_FILE = 1 << 2,
    CREATE_SET_BACKING_FMT = 1 << 3,
    CREATE_SET_COMPAT = 1 << 4,
    CREATE_SET_COMPRESSION_TYPE = 1 << 5,
    CREATE_SET_PREALLOCATION = 1 << 6,
    CREATE_SET_REFCOUNT_BITS = 1 << 7,
    CREATE_SET_LAZY_REFCOUNTS = 1 << 8,
    CREATE_SET_EXTENDED_L2 = 1 << 9,
};

typedef struct CreateOptDesc {
    const char *name;
    CreateOptType type;
    unsigned set_bit;
    const char *help;
} CreateOptDesc;

/* Every -o key any driver knows, sorted as qemu-img's help lists them. */
static const CreateOptDesc create_opt_descs[] = {
    { "backing_file", CREATE_OPT_STRING, CREATE_SET_BACKING_FILE,
      "File name of a base image" },
    { "backing_fmt", CREATE_OPT_STRING, CREATE_SET_BACKING_FMT,
      "Image format of the base image" },
    { "cluster_size", CREATE_OPT_SIZE, CREATE_SET_CLUSTER_SIZE,
      "qcow2 cluster size" },
    { "compat", CREATE_OPT_STRING, CREATE_SET_COMPAT,
      "Compatibility level (v2 [0.10] or v3 [1.1])" },
    { "compression_type", CREATE_OPT_STRING, CREATE_SET_COMPRESSION_TYPE,
      "Compression method used for image cluster compression" },
    { "extended_l2", CREATE_OPT_BOOL, CREATE_SET_EXTENDED_L2,
      "Extended L2 tables" },
    { "lazy_refcounts", CREATE_OPT_BOOL, CREATE_SET_LAZY_REFCOUNTS,
      "Postpone refcount updates" },
    { "preallocation", CREATE_OPT_STRING, CREATE_SET_PREALLOCATION,
      "Preallocation mode (allowed values: off, metadata, falloc, full)" },
    { "refcount_bits", CREATE_OPT_NUMBER, CREATE_SET_REFCOUNT_BITS,
      "Width of a reference count entry in bits" },
    { "size", CREATE_OPT_SIZE, CREATE_SET_SIZE, "Virtual disk size" },
};

static const char *const prealloc_names[] = {
    [BLOCK_PREALLOC_OFF] = "off",
    [BLOCK_PREALLOC_METADATA] = "metadata",
    [BLOCK_PREALLOC_FALLOC] = "falloc",
    [BLOCK_PREALLOC_FULL] = "full",
};

const char *block_prealloc_mode_name(BlockPreallocMode mode)
{
    return (unsigned)mode < ARRAY_SIZE(prealloc_names) ? prealloc_names[mode]
                                                       : "?";
}

bool block_prealloc_mode_parse(const char *str, BlockPreallocMode *out)
{
    for (size_t i = 0; i < ARRAY_SIZE(prealloc_names); i++) {
        if (!strcmp(str, prealloc_names[i])) {
            *out = (BlockPreallocMode)i;
            return true;
        }
    }
    return false;
}

void bdrv_create_options_init(BlockCreateOptions *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->cluster_size = 64 * KiB;
    opts->refcount_bits = 16;
}

void bdrv_create_options_free(BlockCreateOptions *opts)
{
    free(opts->backing_file);
    free(opts->backing_fmt);
    free(opts->compat);
    free(opts->compression_type);
    free(opts->preallocation);
    memset(opts, 0, sizeof(*opts));
}

static const CreateOptDesc *create_opt_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(create_opt_descs); i++) {
        if (!strcmp(create_opt_descs[i].name, name)) {
            return &create_opt_descs[i];
        }
    }
    return NULL;
}

/* The keys @drv accepts; raw and others without a list take "size". */
static bool create_key_allowed(const BlockDriver *drv, const char *key)
{
    static const char *const raw_keys[] = { "size", "preallocation", NULL };
    const char *const *keys = drv->create_keys ? drv->create_keys
                                               : raw_keys;

    for (; *keys; keys++) {
        if (!strcmp(*keys, key)) {
            return true;
        }
    }
    return false;
}

static char **create_string_field(BlockCreateOptions *opts, unsigned bit)
{
    switch (bit) {
    case CREATE_SET_BACKING_FILE: return &opts->backing_file;
    case CREATE_SET_BACKING_FMT: return &opts->backing_fmt;
    case CREATE_SET_COMPAT: return &opts->compat;
    case CREATE_SET_COMPRESSION_TYPE: return &opts->compression_type;
    case CREATE_SET_PREALLOCATION: return &opts->preallocation;
    default: return NULL;
    }
}

bool bdrv_create_options_set(BlockCreateOptions *opts, const char *driver,
                             const char *key, const char *value,
                             Error **errp)
{
    const BlockDriver *drv = bdrv_find_format(driver);
    const CreateOptDesc *d = create_opt_find(key);
    uint64_t n;
    bool b;

    if (!drv) {
        error_setg(errp, "Unknown file format '%s'", driver);
        return false;
    }
    if (!d || !create_key_allowed(drv, key)) {
        error_setg(errp, "Invalid parameter '%s'", key);
        return false;
    }
    switch (d->type) {
    case CREATE_OPT_SIZE:
        if (!parse_size(value, 1, &n)) {
            error_setg(errp, "Parameter '%s' expects a non-negative number "
                       "below 2^64. Optional suffix k, M, G, T, P or E "
                       "means kilo-, mega-, giga-, tera-, peta- and "
                       "exabytes, respectively.", key);
            return false;
        }
        if (d->set_bit == CREATE_SET_SIZE) {
            opts->size = n;
            opts->has_size = true;
        } else {
            opts->cluster_size = n;
        }
        break;
    case CREATE_OPT_NUMBER:
        if (!parse_uint64(value, &n)) {
            error_setg(errp, "Parameter '%s' expects a number", key);
            return false;
        }
        opts->refcount_bits = n;
        break;
    case CREATE_OPT_BOOL:
        if (!parse_bool(value, &b)) {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off'", key);
            return false;
        }
        if (d->set_bit == CREATE_SET_LAZY_REFCOUNTS) {
            opts->lazy_refcounts = b;
        } else {
            opts->extended_l2 = b;
        }
        break;
    case CREATE_OPT_STRING: {
        char **field = create_string_field(opts, d->set_bit);

        free(*field);
        *field = xstrdup(value);
        break;
    }
    }
    opts->set_mask |= d->set_bit;
    return true;
}

bool bdrv_create_options_parse(BlockCreateOptions *opts, const char *driver,
                               const char *str, Error **errp)
{
    OptList list = { 0 };
    bool ok;

    if (!opts_parse(&list, "-o", str, NULL, errp)) {
        return false;
    }
    ok = true;
    for (size_t i = 0; i < list.count && ok; i++) {
        ok = bdrv_create_options_set(opts, driver, list.items[i].key,
                                     list.items[i].value ? list.items[i].value
                                                         : "on", errp);
    }
    opts_free(&list);
    return ok;
}

bool bdrv_create_options_help(const char *driver, FILE *out)
{
    const BlockDriver *drv = bdrv_find_format(driver);

    if (!drv || !drv->create) {
        return false;
    }
    fprintf(out, "Supported %s options:\n", driver);
    for (size_t i = 0; i < ARRAY_SIZE(create_opt_descs); i++) {
        const CreateOptDesc *d = &create_opt_descs[i];
        static const char *const type_names[] = {
            [CREATE_OPT_SIZE] = "size", [CREATE_OPT_NUMBER] = "num",
            [CREATE_OPT_BOOL] = "bool (on/off)",
            [CREATE_OPT_STRING] = "str",
        };
        char *left;

        /* raw's preallocation belongs to the protocol: QEMU omits it. */
        if (!drv->create_keys ? strcmp(d->name, "size")
                              : !create_key_allowed(drv, d->name)) {
            continue;
        }
        left = xasprintf("%s=<%s>", d->name, type_names[d->type]);
        fprintf(out, "  %-22s - %s\n", left, d->help);
        free(left);
    }
    fprintf(out, "\nThe protocol level may support further options.\n"
            "Specify the target filename to include those options.\n");
    return true;
}

static void describe_append(char **out, const char *fmt, ...)
    PRINTF_FMT(2, 3);

static void describe_append(char **out, const char *fmt, ...)
{
    va_list ap;
    char *piece, *joined;

    va_start(ap, fmt);
    if (vasprintf(&piece, fmt, ap) < 0) {
        abort();
    }
    va_end(ap);
    joined = xasprintf("%s %s", *out, piece);
    free(piece);
    free(*out);
    *out = joined;
}

char *bdrv_create_options_describe(const char *driver,
                                   const BlockCreateOptions *opts)
{
    const BlockDriver *drv = bdrv_find_format(driver);
    char *out = xasprintf("fmt=%s", driver);
    unsigned set = opts->set_mask;

    if (!drv || !drv->create_keys) {
        /* raw and the like: size, then what the protocol took. */
        if (opts->has_size) {
            describe_append(&out, "size=%" PRIu64, opts->size);
        }
        if (set & CREATE_SET_PREALLOCATION) {
            describe_append(&out, "preallocation=%s", opts->preallocation);
        }
        return out;
    }
    /* qcow2's order, as qemu-img prints it. */
    describe_append(&out, "cluster_size=%" PRIu64, opts->cluster_size);
    describe_append(&out, "extended_l2=%s", opts->extended_l2 ? "on" : "off");
    if (set & CREATE_SET_PREALLOCATION) {
        describe_append(&out, "preallocation=%s", opts->preallocation);
    }
    describe_append(&out, "compression_type=%s",
                    opts->compression_type ? opts->compression_type
                                           : "zlib");
    if (opts->has_size) {
        describe_append(&out, "size=%" PRIu64, opts->size);
    }
    if (set & CREATE_SET_COMPAT) {
        describe_append(&out, "compat=%s", opts->compat);
    }
    if (opts->backing_file) {
        describe_append(&out, "backing_file=%s", opts->backing_file);
    }
    if (opts->backing_fmt) {
        describe_append(&out, "backing_fmt=%s", opts->backing_fmt);
    }
    describe_append(&out, "lazy_refcounts=%s",
                    opts->lazy_refcounts ? "on" : "off");
    describe_append(&out, "refcount_bits=%" PRIu64, opts->refcount_bits);
    return out;
}

/* The backing file named in @opts, resolved against @filename's dir. */
static char *create_backing_path(const char *filename, const char *backing)
{
    const char *slash = strrchr(filename, '/');

    if (backing[0] == '/' || !slash) {
        return xstrdup(backing);
    }
    return xasprintf("%.*s/%s", (int)(slash - filename), filename, backing);
}

bool bdrv_create_prepare(const char *driver, const char *filename,
                         BlockCreateOptions *opts, bool no_backing_check,
                         Error **errp)
{
    const BlockDriver *drv = bdrv_find_format(driver);

    if (!drv) {
        error_setg(errp, "Unknown file format '%s'", driver);
        return false;
    }
    if (opts->backing_file && !*opts->backing_file) {
        free(opts->backing_file);
        opts->backing_file = NULL;
    }
    if (opts->backing_file && !drv->supports_backing) {
        error_setg(errp, "Backing file not supported for file format '%s'",
                   driver);
        return false;
    }
    if (opts->backing_fmt && !opts->backing_file) {
        error_setg(errp, "Backing format specified without backing file");
        return false;
    }
    if (opts->backing_file && (!no_backing_check || !opts->has_size ||
                               !opts->backing_fmt)) {
        char *path = create_backing_path(filename, opts->backing_file);
        BlockDriverState *bs;
        int64_t len;

        if (opts->backing_fmt && !bdrv_find_format(opts->backing_fmt)) {
            error_setg(errp, "Unknown driver '%s'", opts->backing_fmt);
            free(path);
            return false;
        }
        bs = bdrv_open(path, opts->backing_fmt,
                       BDRV_O_NO_BACKING | BDRV_O_FORCE_SHARE, errp);
        free(path);
        if (!bs) {
            block_error_append(errp, "Could not open backing image.");
            return false;
        }
        if (!opts->backing_fmt) {
            error_setg(errp, "Backing file specified without backing format. "
                       "Detected format of %s.", bdrv_get_format_name(bs));
            bdrv_unref(bs);
            return false;
        }
        if (!opts->has_size) {
            len = bdrv_getlength(bs);
            if (len < 0) {
                error_setg_errno(errp, -(int)len, "Could not get size of "
                                 "'%s'", opts->backing_file);
                bdrv_unref(bs);
                return false;
            }
            opts->size = len;
            opts->has_size = true;
        }
        bdrv_unref(bs);
    }
    if (!opts->has_size) {
        error_setg(errp, "Image creation needs a size parameter");
        return false;
    }
    if (opts->size > INT64_MAX - BDRV_SECTOR_SIZE) {
        error_setg(errp, "Image size too large");
        return false;
    }
    opts->size = ALIGN_UP(opts->size, BDRV_SECTOR_SIZE);
    return true;
}

bool bdrv_create(const char *driver, const char *filename,
                 const BlockCreateOptions *opts, Error **errp)
{
    const BlockDriver *drv = bdrv_find_format(driver);

    if (!drv) {
        error_setg(errp, "Unknown file format '%s'", driver);
        return false;
    }
    if (!drv->create) {
        error_setg(errp, "Format driver '%s' does not support image "
                   "creation", driver);
        return false;
    }
    if (!opts->has_size) {
        error_setg(errp, "Image creation needs a size parameter");
        return false;
    }
    return drv->create(filename, opts, errp);
}

bool bdrv_measure(const char *driver, const BlockCreateOptions *opts,
                  BlockDriverState *in, BlockMeasureInfo *out, Error **errp)
{
    const BlockDriver *drv = bdrv_find_format(driver);

    memset(out, 0, sizeof(*out));
    if (!drv) {
        error_setg(errp, "Unknown file format '%s'", driver);
        return false;
    }
    if (!drv->measure) {
        error_setg(errp, "Format driver '%s' does not support size "
                   "measurement", driver);
        return false;
    }
    if (!in && !opts->has_size) {
        error_setg(errp, "Either --size N or one filename must be "
                   "specified.");
        return false;
    }
    return drv->measure(opts, in, out, errp);
}

/*
 * Shared by the drivers' create(): make @filename an empty file of
 * @size bytes preallocated per @prealloc (falloc or full; metadata is
 * the format's business and leaves the file alone here).
 */
bool block_create_file(const char *filename, uint64_t size,
                       BlockPreallocMode prealloc, Error **errp)
{
    BlockDriverState *bs;
    int fd = open(filename, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    int ret;

    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not create '%s'", filename);
        return false;
    }
    close(fd);
    /* Truncate only once we hold the write lock: never under a user. */
    bs = bdrv_open_protocol(filename, BDRV_O_RDWR, errp);
    if (!bs) {
        return false;
    }
    ret = bdrv_truncate_prealloc(bs, 0, BLOCK_PREALLOC_OFF, errp);
    if (ret == 0) {
        ret = bdrv_truncate_prealloc(bs, size, prealloc, errp);
    }
    bdrv_unref(bs);
    if (ret < 0) {
        error_prepend(errp, "Could not resize file: ");
        return false;
    }
    return true;
}

bool block_create_parse_prealloc(const BlockCreateOptions *opts,
                                 BlockPreallocMode *out, Error **errp)
{
    *out = BLOCK_PREALLOC_OFF;
    if (opts->preallocation &&
        !block_prealloc_mode_parse(opts->preallocation, out)) {
        error_setg(errp, "Parameter 'preallocation' does not accept value "
                   "'%s'", opts->preallocation);
        return false;
    }
    return true;
}

void block_error_append(Error **errp, const char *text)
{
    char *msg;

    if (!errp || !*errp) {
        return;
    }
    msg = xasprintf("%s. %s", error_get_pretty(*errp), text);
    error_free(*errp);
    *errp = NULL;
    error_setg(errp, "%s", msg);
    free(msg);
}
