/*
 * tools/img/map.c — where an image's data lives: "vireo-img map" lists
 * the allocation of the whole backing chain, "vireo-img measure" sizes
 * a new image from it.
 *
 * map asks the block layer for the status of each range through the
 * chain (bdrv_block_status_above) and merges neighbours that look alike,
 * as qemu-img does, so both tools print the same extents for the same
 * image: "depth" is the chain layer that defines the range (0 = the
 * image itself; for ranges no layer allocates, the bottom of the chain),
 * "present" whether some layer allocates it, "offset" where the bytes
 * sit in the file named by the human format's last column.
 */
#include "tools/img/img-internal.h"

typedef struct ImgMapEntry {
    uint64_t start;
    uint64_t length;
    bool data;
    bool zero;
    bool present;
    int depth;
    bool has_offset;
    uint64_t offset;
    BlockDriverState *file;     /* where the offset points (has_offset) */
} ImgMapEntry;

/* One entry as qemu-img prints it; false if human output cannot show it. */
static bool img_map_print_entry(const ImgMapEntry *e, ImgOutputFormat output,
                                bool first)
{
    if (output == IMG_OUTPUT_HUMAN) {
        if (e->data && !e->has_offset) {
            error_report("File contains external, encrypted or compressed "
                         "clusters.");
            return false;
        }
        if (e->data) {
            printf("%#-16" PRIx64 "%#-16" PRIx64 "%#-16" PRIx64 "%s\n",
                   e->start, e->length, e->offset, e->file->filename);
        }
        return true;
    }
    printf("%s{ \"start\": %" PRIu64 ", \"length\": %" PRIu64 ", "
           "\"depth\": %d, \"present\": %s, \"zero\": %s, \"data\": %s",
           first ? "" : ",\n", e->start, e->length, e->depth,
           e->present ? "true" : "false", e->zero ? "true" : "false",
           e->data ? "true" : "false");
    if (e->has_offset) {
        printf(", \"offset\": %" PRIu64, e->offset);
    }
    printf("}");
    return true;
}

/* Whether @next continues @cur so that both print as one extent. */
static bool img_map_mergeable(const ImgMapEntry *cur, const ImgMapEntry *next)
{
    return cur->start + cur->length == next->start &&
           cur->data == next->data && cur->zero == next->zero &&
           cur->present == next->present && cur->depth == next->depth &&
           cur->has_offset == next->has_offset &&
           (!cur->has_offset || (cur->file == next->file &&
                                 cur->offset + cur->length == next->offset));
}

int img_map(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, IMG_OPT_OUTPUT },
        { "start-offset", required_argument, NULL, IMG_OPT_START_OFFSET },
        { "max-length", required_argument, NULL, IMG_OPT_MAX_LENGTH },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    ImgOutputFormat output = IMG_OUTPUT_HUMAN;
    const char *fmt = NULL;
    uint64_t start = 0, max_length = UINT64_MAX, end;
    int flags = 0, c, ret = 0;
    ImgMapEntry cur = { 0 };
    bool have_cur = false, first = true;
    BlockBackend *blk;
    BlockDriverState *bs;
    int64_t length;

    while ((c = img_getopt(argc, argv, ":f:hU", longopts)) != -1) {
        switch (c) {
        case 'h':
            img_help(stdout);
            return 0;
        case 'f':
            fmt = optarg;
            break;
        case 'U':
            flags |= BDRV_O_FORCE_SHARE;
            break;
        case IMG_OPT_OUTPUT:
            if (!img_parse_output(optarg, &output)) {
                return 1;
            }
            break;
        case IMG_OPT_START_OFFSET:
            if (!img_parse_size(optarg, "start offset", &start)) {
                return 1;
            }
            break;
        case IMG_OPT_MAX_LENGTH:
            if (!img_parse_size(optarg, "max length", &max_length)) {
                return 1;
            }
            break;
        default:
            return 1;
        }
    }
    if (optind != argc - 1) {
        return img_usage_error("Expecting one image file name");
    }

    blk = img_open(argv[optind], fmt, flags);
    if (!blk) {
        return 1;
    }
    bs = blk_bs(blk);
    length = blk_getlength(blk);
    if (length < 0) {
        error_report("Failed to get size for '%s'", argv[optind]);
        blk_unref(blk);
        return 1;
    }
    end = (uint64_t)length;
    if (max_length != UINT64_MAX && start <= end &&
        max_length < end - start) {
        end = start + max_length;
    }

    if (output == IMG_OUTPUT_HUMAN) {
        printf("%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to",
               "File");
    } else {
        printf("[");
    }
    for (uint64_t offset = start; offset < end;) {
        ImgMapEntry next = { .start = offset };
        uint64_t pnum = 0, map = 0;
        BlockDriverState *file = NULL;
        int depth = 0;
        int st = bdrv_block_status_above(bs, NULL, offset,
                                         MIN(end - offset, 1ull << 30),
                                         &pnum, &map, &file, &depth);

        if (st < 0) {
            error_report("Could not read file metadata: %s", strerror(-st));
            ret = 1;
            break;
        }
        next.length = pnum;
        next.data = st & BDRV_BLOCK_DATA;
        next.zero = st & BDRV_BLOCK_ZERO;
        next.present = st & BDRV_BLOCK_ALLOCATED;
        next.depth = depth;
        next.has_offset = (st & BDRV_BLOCK_OFFSET_VALID) && file;
        next.offset = next.has_offset ? map : 0;
        next.file = next.has_offset ? file : NULL;
        offset += pnum;

        if (have_cur && img_map_mergeable(&cur, &next)) {
            cur.length += next.length;
            continue;
        }
        if (have_cur) {
            if (!img_map_print_entry(&cur, output, first)) {
                ret = 1;
                break;
            }
            first = false;
        }
        cur = next;
        have_cur = true;
    }
    if (ret == 0 && have_cur && !img_map_print_entry(&cur, output, first)) {
        ret = 1;
    }
    if (output == IMG_OUTPUT_JSON) {
        printf("]\n");
    }
    blk_unref(blk);
    return ret;
}

int img_measure(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, IMG_OPT_OUTPUT },
        { "size", required_argument, NULL, IMG_OPT_SIZE },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    ImgOutputFormat output = IMG_OUTPUT_HUMAN;
    const char *fmt = NULL, *out_fmt = "raw", *filename = NULL;
    char *options = NULL;
    uint64_t img_size = UINT64_MAX;
    int flags = 0, c, ret = 1;
    BlockCreateOptions opts;
    BlockMeasureInfo info;
    BlockBackend *blk = NULL;
    Error *err = NULL;
    bool has_bitmaps;

    bdrv_create_options_init(&opts);
    while ((c = img_getopt(argc, argv, ":hf:O:o:U", longopts)) != -1) {
        switch (c) {
        case 'h':
            img_help(stdout);
            ret = 0;
            goto out;
        case 'f':
            fmt = optarg;
            break;
        case 'O':
            out_fmt = optarg;
            break;
        case 'o': {
            char *joined = options ? xasprintf("%s,%s", options, optarg)
                                   : xstrdup(optarg);

            free(options);
            options = joined;
            break;
        }
        case 'U':
            flags |= BDRV_O_FORCE_SHARE;
            break;
        case IMG_OPT_OUTPUT:
            if (!img_parse_output(optarg, &output)) {
                goto out;
            }
            break;
        case IMG_OPT_SIZE:
            if (!img_parse_size(optarg, "image size", &img_size)) {
                goto out;
            }
            break;
        default:
            goto out;
        }
    }
    if (optind != argc && optind != argc - 1) {
        ret = img_usage_error("Expecting one image file name");
        goto out;
    }
    if (optind == argc - 1) {
        filename = argv[optind];
    }
    if (!filename && fmt) {
        error_report("--image-opts, -f, and -l require a filename "
                     "argument.");
        goto out;
    }
    if (filename && img_size != UINT64_MAX) {
        error_report("--size N cannot be used together with a filename.");
        goto out;
    }
    if (!filename && img_size == UINT64_MAX) {
        error_report("Either --size N or one filename must be specified.");
        goto out;
    }
    if (!bdrv_find_format(out_fmt)) {
        error_report("Unknown file format '%s'", out_fmt);
        goto out;
    }
    if (options) {
        if (strstr(options, "help") || strchr(options, '?')) {
            ret = bdrv_create_options_help(out_fmt, stdout) ? 0 : 1;
            goto out;
        }
        if (!bdrv_create_options_parse(&opts, out_fmt, options, &err)) {
            error_report_err(err);
            goto out;
        }
    }
    if (filename) {
        blk = img_open(filename, fmt, flags);
        if (!blk) {
            goto out;
        }
    } else {
        opts.size = img_size;
        opts.has_size = true;
    }
    if (!bdrv_measure(out_fmt, &opts, blk ? blk_bs(blk) : NULL, &info,
                      &err)) {
        error_report_err(err);
        goto out;
    }
    /* qemu-img reports bitmaps for qcow2 v3 output from a qcow2 source. */
    has_bitmaps = blk && !strcmp(out_fmt, "qcow2") &&
                  !strcmp(bdrv_get_format_name(blk_bs(blk)), "qcow2") &&
                  !(opts.compat && (!strcmp(opts.compat, "0.10") ||
                                    !strcmp(opts.compat, "v2")));
    if (output == IMG_OUTPUT_JSON) {
        json_t *obj = json_object();

        if (has_bitmaps) {
            json_object_set_new(obj, "bitmaps", img_json_uint(info.bitmaps));
        }
        json_object_set_new(obj, "required", img_json_uint(info.required));
        json_object_set_new(obj, "fully-allocated",
                            img_json_uint(info.fully_allocated));
        img_json_print(obj);
        json_decref(obj);
    } else {
        printf("required size: %" PRIu64 "\nfully allocated size: %" PRIu64
               "\n", info.required, info.fully_allocated);
        if (has_bitmaps) {
            printf("bitmaps size: %" PRIu64 "\n", info.bitmaps);
        }
    }
    ret = 0;
out:
    if (blk) {
        blk_unref(blk);
    }
    bdrv_create_options_free(&opts);
    free(options);
    return ret;
}
