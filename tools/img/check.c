/*
 * tools/img/check.c — "vireo-img check": the image's metadata checked
 * (and with -r repaired) by the format driver, reported as qemu-img does.
 *
 * Exit status, as documented for qemu-img check:
 *   0   no inconsistencies (or all of them repaired)
 *   1   the check could not be completed (open failed, internal errors)
 *   2   corruptions remain
 *   3   only leaked clusters remain (wasted space, no harm to data)
 *   63  the format cannot be checked (raw)
 *
 * After a repair qemu-img checks the image a second time and reports
 * that second result, carrying over how much the first pass fixed.
 */
#include "tools/img/img-internal.h"

enum {
    IMG_CHECK_OK = 0,
    IMG_CHECK_ERROR = 1,
    IMG_CHECK_CORRUPT = 2,
    IMG_CHECK_LEAKS = 3,
    IMG_CHECK_NOTSUP = 63,
};

static json_t *img_check_json(const BlockCheckResult *r, const char *filename,
                              const char *format)
{
    json_t *obj = json_object();
    bool stats = r->has_cluster_info;

    /*
     * Field order as qemu-img 7.2 prints its ImageCheck; like it, the
     * optional counts appear only when they are not zero.
     */
    if (r->image_end_offset) {
        json_object_set_new(obj, "image-end-offset",
                            json_integer(r->image_end_offset));
    }
    if (stats && r->compressed_clusters) {
        json_object_set_new(obj, "compressed-clusters",
                            img_json_uint(r->compressed_clusters));
    }
    if (stats && r->total_clusters) {
        json_object_set_new(obj, "total-clusters",
                            img_json_uint(r->total_clusters));
    }
    if (r->corruptions) {
        json_object_set_new(obj, "corruptions", json_integer(r->corruptions));
    }
    if (r->corruptions_fixed) {
        json_object_set_new(obj, "corruptions-fixed",
                            json_integer(r->corruptions_fixed));
    }
    json_object_set_new(obj, "check-errors", json_integer(r->check_errors));
    if (r->leaks) {
        json_object_set_new(obj, "leaks", json_integer(r->leaks));
    }
    if (r->leaks_fixed) {
        json_object_set_new(obj, "leaks-fixed", json_integer(r->leaks_fixed));
    }
    if (stats && r->allocated_clusters) {
        json_object_set_new(obj, "allocated-clusters",
                            img_json_uint(r->allocated_clusters));
    }
    json_object_set_new(obj, "filename", json_string(filename));
    json_object_set_new(obj, "format", json_string(format));
    if (stats && r->fragmented_clusters) {
        json_object_set_new(obj, "fragmented-clusters",
                            img_json_uint(r->fragmented_clusters));
    }
    return obj;
}

static void img_check_print_human(const BlockCheckResult *r, bool quiet)
{
    if (!(r->corruptions || r->leaks || r->check_errors)) {
        img_printf(quiet, "No errors were found on the image.\n");
    } else {
        if (r->corruptions) {
            img_printf(quiet, "\n%d errors were found on the image.\n"
                       "Data may be corrupted, or further writes to the "
                       "image may corrupt it.\n", r->corruptions);
        }
        if (r->leaks) {
            img_printf(quiet, "\n%d leaked clusters were found on the "
                       "image.\nThis means waste of disk space, but no "
                       "harm to data.\n", r->leaks);
        }
        if (r->check_errors) {
            img_printf(quiet, "\n%d internal errors have occurred during "
                       "the check.\n", r->check_errors);
        }
    }
    if (r->has_cluster_info && r->total_clusters && r->allocated_clusters) {
        double alloc = r->allocated_clusters;

        img_printf(quiet, "%" PRIu64 "/%" PRIu64 " = %0.2f%% allocated, "
                   "%0.2f%% fragmented, %0.2f%% compressed clusters\n",
                   r->allocated_clusters, r->total_clusters,
                   alloc * 100.0 / (double)r->total_clusters,
                   (double)r->fragmented_clusters * 100.0 / alloc,
                   (double)r->compressed_clusters * 100.0 / alloc);
    }
    if (r->image_end_offset) {
        img_printf(quiet, "Image end offset: %" PRId64 "\n",
                   r->image_end_offset);
    }
}

int img_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "repair", required_argument, NULL, 'r' },
        { "output", required_argument, NULL, IMG_OPT_OUTPUT },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    ImgOutputFormat output = IMG_OUTPUT_HUMAN;
    const char *fmt = NULL, *filename;
    int flags = BDRV_O_CHECK, fix = 0, c, ret;
    bool quiet = false;
    BlockCheckResult res;
    BlockBackend *blk;
    BlockDriverState *bs;

    while ((c = img_getopt(argc, argv, ":hf:r:T:qU", longopts)) != -1) {
        switch (c) {
        case 'h':
            img_help(stdout);
            return 0;
        case 'f':
            fmt = optarg;
            break;
        case 'r':
            flags |= BDRV_O_RDWR;
            if (!strcmp(optarg, "leaks")) {
                fix = BDRV_FIX_LEAKS;
            } else if (!strcmp(optarg, "all")) {
                fix = BDRV_FIX_LEAKS | BDRV_FIX_ERRORS;
            } else {
                return img_usage_error("Unknown option value for -r "
                                       "(expecting 'leaks' or 'all'): %s",
                                       optarg);
            }
            break;
        case 'T':
            if (!img_parse_cache(optarg, &flags, NULL)) {
                error_report("Invalid source cache option: %s", optarg);
                return 1;
            }
            break;
        case 'q':
            quiet = true;
            break;
        case 'U':
            flags |= BDRV_O_FORCE_SHARE;
            break;
        case IMG_OPT_OUTPUT:
            if (!img_parse_output(optarg, &output)) {
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
    filename = argv[optind];
    if (fix && (flags & BDRV_O_FORCE_SHARE)) {
        error_report("force-share=on can only be used with read-only images");
        return 1;
    }

    blk = img_open(filename, fmt, flags);
    if (!blk) {
        return IMG_CHECK_ERROR;
    }
    bs = blk_bs(blk);

    ret = bdrv_check(bs, &res, fix);
    if (ret == -ENOTSUP) {
        error_report("This image format does not support checks");
        blk_unref(blk);
        return IMG_CHECK_NOTSUP;
    }
    if (ret == 0 && (res.corruptions_fixed || res.leaks_fixed)) {
        int corruptions_fixed = res.corruptions_fixed;
        int leaks_fixed = res.leaks_fixed;

        if (output == IMG_OUTPUT_HUMAN) {
            img_printf(quiet, "The following inconsistencies were found and "
                       "repaired:\n\n    %d leaked clusters\n    %d "
                       "corruptions\n\nDouble checking the fixed image "
                       "now...\n", leaks_fixed, corruptions_fixed);
        }
        ret = bdrv_check(bs, &res, 0);
        res.corruptions_fixed = corruptions_fixed;
        res.leaks_fixed = leaks_fixed;
    }
    if (ret == 0) {
        if (output == IMG_OUTPUT_JSON) {
            json_t *obj = img_check_json(&res, filename,
                                         bdrv_get_format_name(bs));

            if (!quiet) {
                img_json_print(obj);
            }
            json_decref(obj);
        } else {
            img_check_print_human(&res, quiet);
        }
    }
    blk_unref(blk);

    if (ret < 0 || res.check_errors) {
        if (ret < 0) {
            error_report("Check failed: %s", strerror(-ret));
        } else {
            error_report("Check failed");
        }
        return IMG_CHECK_ERROR;
    }
    if (res.corruptions) {
        return IMG_CHECK_CORRUPT;
    }
    return res.leaks ? IMG_CHECK_LEAKS : IMG_CHECK_OK;
}
