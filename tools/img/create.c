/*
 * tools/img/create.c — an image's size: "vireo-img create" makes one,
 * "vireo-img resize" changes it.
 *
 * create follows qemu-img's order of events, which scripts can see: the
 * options are parsed (unknown keys fail before anything is printed), the
 * backing file is opened to check it and to take the size from it, then
 * the "Formatting 'x', fmt=..." line is printed, and only then does the
 * driver validate the values (cluster size range and the like) and write
 * the file. Errors from those last two steps carry the file name as a
 * prefix, as qemu-img's do.
 *
 * resize takes the size from the end of the command line before option
 * parsing, as qemu-img does, so "-1G" is a size and not an option.
 */
#include "tools/img/img-internal.h"

/* Append "-o" strings the way qemu-img accumulates repeated -o. */
static void img_append_options(char **options, const char *more)
{
    char *joined;

    if (!*options) {
        *options = xstrdup(more);
        return;
    }
    joined = xasprintf("%s,%s", *options, more);
    free(*options);
    *options = joined;
}

/* "-o help" or "-o ?" anywhere in the list (qemu's has_help_option()). */
static bool img_options_want_help(const char *options)
{
    char *copy = xstrdup(options), *save = NULL;
    bool help = false;

    for (char *tok = strtok_r(copy, ",", &save); tok && !help;
         tok = strtok_r(NULL, ",", &save)) {
        help = !strcmp(tok, "help") || !strcmp(tok, "?");
    }
    free(copy);
    return help;
}

int img_create(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = "raw", *base_filename = NULL, *base_fmt = NULL;
    const char *filename;
    char *options = NULL, *desc;
    bool quiet = false, unsafe = false;
    BlockCreateOptions opts;
    Error *err = NULL;
    int c, ret = 1;

    while ((c = img_getopt(argc, argv, ":F:b:f:ho:qu", longopts)) != -1) {
        switch (c) {
        case 'h':
            img_help(stdout);
            free(options);
            return 0;
        case 'F':
            base_fmt = optarg;
            break;
        case 'b':
            base_filename = optarg;
            break;
        case 'f':
            fmt = optarg;
            break;
        case 'o':
            img_append_options(&options, optarg);
            break;
        case 'q':
            quiet = true;
            break;
        case 'u':
            unsafe = true;
            break;
        default:
            free(options);
            return 1;
        }
    }

    filename = optind < argc ? argv[optind] : NULL;
    if (options && img_options_want_help(options)) {
        free(options);
        if (!bdrv_create_options_help(fmt, stdout)) {
            error_report("Unknown file format '%s'", fmt);
            return 1;
        }
        return 0;
    }
    if (!filename) {
        free(options);
        return img_usage_error("Expecting image file name");
    }
    optind++;

    bdrv_create_options_init(&opts);
    if (!bdrv_find_format(fmt)) {
        error_report("%s: Unknown file format '%s'", filename, fmt);
        goto out;
    }
    if (optind < argc) {
        const char *arg = argv[optind++];

        if (!img_parse_size(arg, NULL, &opts.size)) {
            error_report("Invalid image size specified. You may use k, M, G, "
                         "T, P or E suffixes for kilobytes, megabytes, "
                         "gigabytes, terabytes, petabytes and exabytes.");
            goto out;
        }
        if (opts.size > INT64_MAX) {
            error_report("Image size must be less than 8 EiB!");
            goto out;
        }
        opts.has_size = true;
    }
    if (optind != argc) {
        ret = img_usage_error("Unexpected argument: %s", argv[optind]);
        goto out;
    }
    if (options && !bdrv_create_options_parse(&opts, fmt, options, &err)) {
        goto fail_err;
    }
    /* -b/-F override what -o said, as qemu-img's add_old_style_options. */
    if (base_filename &&
        !bdrv_create_options_set(&opts, fmt, "backing_file", base_filename,
                                 &err)) {
        error_free(err);
        error_report("%s: Backing file not supported for file format '%s'",
                     filename, fmt);
        goto out;
    }
    if (base_fmt &&
        !bdrv_create_options_set(&opts, fmt, "backing_fmt", base_fmt, &err)) {
        error_free(err);
        error_report("%s: Backing file format not supported for file "
                     "format '%s'", filename, fmt);
        goto out;
    }
    /* -u: the backing file is not opened, so it cannot give the size. */
    if (unsafe && !opts.has_size) {
        error_report("%s: Image creation needs a size parameter", filename);
        goto out;
    }
    if (!bdrv_create_prepare(fmt, filename, &opts, unsafe, &err)) {
        goto fail_err;
    }
    desc = bdrv_create_options_describe(fmt, &opts);
    img_printf(quiet, "Formatting '%s', %s\n", filename, desc);
    fflush(stdout);
    free(desc);
    if (!bdrv_create(fmt, filename, &opts, &err)) {
        goto fail_err;
    }
    ret = 0;
    goto out;

fail_err:
    error_report("%s: %s", filename, error_get_pretty(err));
    error_free(err);
out:
    bdrv_create_options_free(&opts);
    free(options);
    return ret;
}

int img_resize(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "preallocation", required_argument, NULL, IMG_OPT_PREALLOCATION },
        { "shrink", no_argument, NULL, IMG_OPT_SHRINK },
        { NULL, 0, NULL, 0 },
    };
    BlockPreallocMode prealloc = BLOCK_PREALLOC_OFF;
    const char *fmt = NULL, *size_arg, *filename;
    bool quiet = false, shrink = false;
    int64_t current, total;
    uint64_t n;
    BlockBackend *blk;
    Error *err = NULL;
    int c, ret;

    if (argc < 3) {
        return img_usage_error("Expecting image file name and size");
    }
    /* The size is the last word, taken before getopt sees "-1G". */
    size_arg = argv[--argc];

    while ((c = img_getopt(argc, argv, ":f:hq", longopts)) != -1) {
        switch (c) {
        case 'h':
            img_help(stdout);
            return 0;
        case 'f':
            fmt = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case IMG_OPT_SHRINK:
            shrink = true;
            break;
        case IMG_OPT_PREALLOCATION:
            if (!block_prealloc_mode_parse(optarg, &prealloc)) {
                error_report("Invalid preallocation mode '%s'", optarg);
                return 1;
            }
            break;
        default:
            return 1;
        }
    }
    if (optind != argc - 1) {
        return img_usage_error("Expecting image file name and size");
    }
    filename = argv[optind];

    if (!img_parse_size(size_arg + (*size_arg == '+' || *size_arg == '-'),
                        NULL, &n) || n > INT64_MAX) {
        error_report("Parameter 'size' expects a non-negative number below "
                     "2^64. Optional suffix k, M, G, T, P or E means kilo-, "
                     "mega-, giga-, tera-, peta- and exabytes, "
                     "respectively.");
        return 1;
    }

    blk = img_open(filename, fmt, BDRV_O_RDWR);
    if (!blk) {
        return 1;
    }
    current = blk_getlength(blk);
    if (current < 0) {
        error_report("Failed to inquire current image length: %s",
                     strerror((int)-current));
        ret = 1;
        goto out;
    }
    if (*size_arg == '+') {
        total = (int64_t)n > INT64_MAX - current ? -1 : current + (int64_t)n;
        if (total < 0) {
            error_report("Image size too large");
            ret = 1;
            goto out;
        }
    } else if (*size_arg == '-') {
        total = current - (int64_t)n;
    } else {
        total = (int64_t)n;
    }
    if (total <= 0) {
        error_report("New image size must be positive");
        ret = 1;
        goto out;
    }
    if (total < current && !shrink) {
        error_report("Use the --shrink option to perform a shrink "
                     "operation.");
        warn_report("Shrinking an image will delete all data beyond the "
                    "shrunken image's end. Before performing such an "
                    "operation, make sure there is no important data there.");
        ret = 1;
        goto out;
    }
    if (total < current && prealloc != BLOCK_PREALLOC_OFF) {
        error_report("Preallocation can only be used for growing images");
        ret = 1;
        goto out;
    }
    ret = bdrv_truncate_prealloc(blk_bs(blk), total, prealloc, &err);
    if (ret < 0) {
        if (err) {
            error_report_err(err);
        } else {
            error_report("Error resizing image: %s", strerror(-ret));
        }
        ret = 1;
        goto out;
    }
    ret = 0;
    img_printf(quiet, "Image resized.\n");
out:
    blk_unref(blk);
    return ret;
}
