/*
 * tools/img/info.c — "vireo-img info": what an image is (format, sizes,
 * backing file, snapshots, qcow2 details), in qemu-img's human layout or
 * its JSON (QAPI ImageInfo field names, in the order qemu-img 7.2 prints
 * them, so golden files and diff-based scripts carry over).
 *
 * As in qemu-img, each image is opened on its own without its backing
 * file (info never needs the data below); --backing-chain then follows
 * the chain by opening each backing file by its resolved name, refusing
 * a chain that loops back on itself.
 */
#include "tools/img/img-internal.h"

#include <sys/stat.h>
#include <time.h>

/* What one "image:" paragraph (or JSON object) shows. */
typedef struct ImgImageInfo {
    char *filename;
    const char *format;
    int64_t virtual_size;
    int64_t actual_size;            /* < 0: unavailable */
    BlockDriverInfo bdi;
    bool has_bdi;
    char *backing_file;             /* as the image names it, or NULL */
    char *full_backing_file;
    char *backing_format;
    BlockSnapshotInfo *snapshots;
    int nb_snapshots;
} ImgImageInfo;

static void img_image_info_free(ImgImageInfo *info)
{
    free(info->filename);
    free(info->backing_file);
    free(info->full_backing_file);
    free(info->backing_format);
    free(info->snapshots);
}

static bool img_collect_info(BlockDriverState *bs, const char *filename,
                             ImgImageInfo *info)
{
    int ret;

    memset(info, 0, sizeof(*info));
    info->filename = xstrdup(filename);
    info->format = bdrv_get_format_name(bs);
    info->virtual_size = bdrv_getlength(bs);
    if (info->virtual_size < 0) {
        error_report("Could not get size of '%s': %s", filename,
                     strerror((int)-info->virtual_size));
        return false;
    }
    info->actual_size = bdrv_get_allocated_size(bs);
    info->has_bdi = bdrv_get_info(bs, &info->bdi) == 0;
    if (bs->backing_file && *bs->backing_file) {
        info->backing_file = xstrdup(bs->backing_file);
        info->full_backing_file = bdrv_get_full_backing_filename(bs);
        if (bs->backing_format && *bs->backing_format) {
            info->backing_format = xstrdup(bs->backing_format);
        }
    }
    ret = bdrv_snapshot_list(bs, &info->snapshots);
    if (ret < 0 && ret != -ENOTSUP) {
        error_report("Could not read snapshots: %s", strerror(-ret));
        return false;
    }
    info->nb_snapshots = MAX(ret, 0);
    return true;
}

/* --- JSON --- */

static json_t *img_snapshot_json(const BlockSnapshotInfo *sn)
{
    json_t *obj = json_object();

    if (sn->icount != UINT64_MAX) {
        json_object_set_new(obj, "icount", img_json_uint(sn->icount));
    }
    json_object_set_new(obj, "vm-clock-nsec",
                        json_integer(sn->vm_clock_nsec % 1000000000));
    json_object_set_new(obj, "name", json_string(sn->name));
    json_object_set_new(obj, "date-sec", json_integer(sn->date_sec));
    json_object_set_new(obj, "date-nsec", json_integer(sn->date_nsec));
    json_object_set_new(obj, "vm-clock-sec",
                        img_json_uint(sn->vm_clock_nsec / 1000000000));
    json_object_set_new(obj, "id", json_string(sn->id_str));
    json_object_set_new(obj, "vm-state-size",
                        img_json_uint(sn->vm_state_size));
    return obj;
}

static json_t *img_format_specific_json(const BlockDriverInfo *bdi)
{
    json_t *outer = json_object(), *data = json_object();
    bool v3 = strcmp(bdi->qcow2.compat, "0.10") != 0;

    json_object_set_new(data, "compat", json_string(bdi->qcow2.compat));
    json_object_set_new(data, "compression-type",
                        json_string(bdi->qcow2.compression_type));
    if (v3) {
        json_object_set_new(data, "lazy-refcounts",
                            json_boolean(bdi->qcow2.lazy_refcounts));
    }
    json_object_set_new(data, "refcount-bits",
                        json_integer(bdi->qcow2.refcount_bits));
    if (v3) {
        json_object_set_new(data, "corrupt",
                            json_boolean(bdi->qcow2.corrupt));
        json_object_set_new(data, "extended-l2",
                            json_boolean(bdi->qcow2.extended_l2));
    }
    json_object_set_new(outer, "type", json_string("qcow2"));
    json_object_set_new(outer, "data", data);
    return outer;
}

static json_t *img_info_json(const ImgImageInfo *info)
{
    json_t *obj = json_object();

    if (info->backing_format) {
        json_object_set_new(obj, "backing-filename-format",
                            json_string(info->backing_format));
    }
    if (info->nb_snapshots > 0) {
        json_t *list = json_array();

        for (int i = 0; i < info->nb_snapshots; i++) {
            json_array_append_new(list,
                                  img_snapshot_json(&info->snapshots[i]));
        }
        json_object_set_new(obj, "snapshots", list);
    }
    json_object_set_new(obj, "virtual-size",
                        json_integer(info->virtual_size));
    json_object_set_new(obj, "filename", json_string(info->filename));
    if (info->has_bdi && info->bdi.cluster_size) {
        json_object_set_new(obj, "cluster-size",
                            json_integer(info->bdi.cluster_size));
    }
    json_object_set_new(obj, "format", json_string(info->format));
    if (info->actual_size >= 0) {
        json_object_set_new(obj, "actual-size",
                            json_integer(info->actual_size));
    }
    if (info->has_bdi && info->bdi.has_qcow2) {
        json_object_set_new(obj, "format-specific",
                            img_format_specific_json(&info->bdi));
    }
    if (info->backing_file) {
        json_object_set_new(obj, "full-backing-filename",
                            json_string(info->full_backing_file
                                        ? info->full_backing_file
                                        : info->backing_file));
        json_object_set_new(obj, "backing-filename",
                            json_string(info->backing_file));
    }
    json_object_set_new(obj, "dirty-flag",
                        json_boolean(info->has_bdi && info->bdi.is_dirty));
    return obj;
}

/* --- human --- */

void img_print_snapshot_table(const BlockSnapshotInfo *sn, int count)
{
    printf("%-9s %-17s %7s%20s%13s%11s\n", "ID", "TAG", "VM SIZE", "DATE",
           "VM CLOCK", "ICOUNT");
    for (int i = 0; i < count; i++) {
        char date[32] = "", clock[32], icount[32] = "";
        char *vmsize = img_size_to_str(sn[i].vm_state_size);
        time_t t = sn[i].date_sec;
        struct tm tm;
        uint64_t secs = sn[i].vm_clock_nsec / 1000000000;

        if (localtime_r(&t, &tm)) {
            strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
        }
        snprintf(clock, sizeof(clock), "%02" PRIu64 ":%02u:%02u.%03u",
                 secs / 3600, (unsigned)(secs / 60 % 60),
                 (unsigned)(secs % 60),
                 (unsigned)(sn[i].vm_clock_nsec / 1000000 % 1000));
        if (sn[i].icount != UINT64_MAX) {
            snprintf(icount, sizeof(icount), "%" PRIu64, sn[i].icount);
        }
        printf("%-9s %-17s %7s%20s%13s%11s\n", sn[i].id_str, sn[i].name,
               vmsize, date, clock, icount);
        free(vmsize);
    }
}

static void img_info_print_human(const ImgImageInfo *info)
{
    char *vsize = img_size_to_str(info->virtual_size);

    printf("image: %s\nfile format: %s\nvirtual size: %s (%" PRId64
           " bytes)\n", info->filename, info->format, vsize,
           info->virtual_size);
    free(vsize);
    if (info->actual_size >= 0) {
        char *dsize = img_size_to_str(info->actual_size);

        printf("disk size: %s\n", dsize);
        free(dsize);
    } else {
        printf("disk size: unavailable\n");
    }
    if (info->has_bdi && info->bdi.cluster_size) {
        printf("cluster_size: %u\n", info->bdi.cluster_size);
    }
    if (info->has_bdi && info->bdi.is_dirty) {
        printf("cleanly shut down: no\n");
    }
    if (info->backing_file) {
        printf("backing file: %s", info->backing_file);
        if (info->full_backing_file &&
            strcmp(info->full_backing_file, info->backing_file)) {
            printf(" (actual path: %s)", info->full_backing_file);
        }
        printf("\n");
        if (info->backing_format) {
            printf("backing file format: %s\n", info->backing_format);
        }
    }
    if (info->nb_snapshots > 0) {
        printf("Snapshot list:\n");
        img_print_snapshot_table(info->snapshots, info->nb_snapshots);
    }
    if (info->has_bdi && info->bdi.has_qcow2) {
        const BlockDriverInfo *bdi = &info->bdi;
        bool v3 = strcmp(bdi->qcow2.compat, "0.10") != 0;

        printf("Format specific information:\n"
               "    compat: %s\n    compression type: %s\n",
               bdi->qcow2.compat, bdi->qcow2.compression_type);
        if (v3) {
            printf("    lazy refcounts: %s\n",
                   bdi->qcow2.lazy_refcounts ? "true" : "false");
        }
        printf("    refcount bits: %u\n", bdi->qcow2.refcount_bits);
        if (v3) {
            printf("    corrupt: %s\n    extended l2: %s\n",
                   bdi->qcow2.corrupt ? "true" : "false",
                   bdi->qcow2.extended_l2 ? "true" : "false");
        }
    }
}

/* Whether @filename names a file already in @seen (the chain loops). */
static bool img_chain_loops(char **seen, int nseen, const char *filename)
{
    struct stat st, other;

    if (stat(filename, &st) < 0) {
        return false;
    }
    for (int i = 0; i < nseen; i++) {
        if (stat(seen[i], &other) == 0 && st.st_dev == other.st_dev &&
            st.st_ino == other.st_ino) {
            return true;
        }
    }
    return false;
}

int img_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, IMG_OPT_OUTPUT },
        { "backing-chain", no_argument, NULL, IMG_OPT_BACKING_CHAIN },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    ImgOutputFormat output = IMG_OUTPUT_HUMAN;
    const char *fmt = NULL;
    bool chain = false;
    int flags = BDRV_O_NO_BACKING, c, nseen = 0, ret = 0;
    char *filename, **seen = NULL;
    json_t *list = NULL;

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
        case IMG_OPT_BACKING_CHAIN:
            chain = true;
            break;
        default:
            return 1;
        }
    }
    if (optind != argc - 1) {
        return img_usage_error("Expecting one image file name");
    }

    filename = xstrdup(argv[optind]);
    if (chain && output == IMG_OUTPUT_JSON) {
        list = json_array();
    }
    while (filename) {
        ImgImageInfo info;
        BlockBackend *blk;
        BlockDriverState *bs;
        bool ok;

        if (img_chain_loops(seen, nseen, filename)) {
            error_report("Backing file '%s' creates an infinite loop.",
                         filename);
            free(filename);
            ret = 1;
            break;
        }
        blk = img_open(filename, fmt, flags);
        if (!blk) {
            free(filename);
            ret = 1;
            break;
        }
        bs = blk_bs(blk);
        ok = img_collect_info(bs, filename, &info);
        blk_unref(blk);
        seen = xrealloc(seen, sizeof(*seen) * (nseen + 1));
        seen[nseen++] = filename;
        if (!ok) {
            img_image_info_free(&info);
            ret = 1;
            break;
        }
        if (list) {
            json_array_append_new(list, img_info_json(&info));
        } else if (output == IMG_OUTPUT_JSON) {
            json_t *obj = img_info_json(&info);

            img_json_print(obj);
            json_decref(obj);
        } else {
            if (nseen > 1) {
                printf("\n");
            }
            img_info_print_human(&info);
        }
        filename = NULL;
        fmt = NULL;
        if (chain && info.backing_file) {
            filename = xstrdup(info.full_backing_file
                               ? info.full_backing_file
                               : info.backing_file);
            fmt = NULL;
            if (info.backing_format) {
                /* Kept alive by the next iteration's copy below. */
                fmt = bdrv_find_format(info.backing_format)
                      ? bdrv_find_format(info.backing_format)->format_name
                      : NULL;
            }
        }
        img_image_info_free(&info);
    }
    if (list) {
        if (ret == 0) {
            img_json_print(list);
        }
        json_decref(list);
    }
    for (int i = 0; i < nseen; i++) {
        free(seen[i]);
    }
    free(seen);
    return ret;
}
