/*
 * tools/img/snapshot.c — "vireo-img snapshot": list, create, apply and
 * delete the internal snapshots of a qcow2 image.
 *
 * One action per call (-l is the default); qemu-img's rules for mixing
 * them and its messages apply. Snapshots made here carry no VM state:
 * VM SIZE 0, VM CLOCK 0, the wall-clock time of creation with
 * microsecond resolution (what qemu-img records).
 */
#include "tools/img/img-internal.h"

#include <sys/time.h>

typedef enum ImgSnapshotAction {
    IMG_SNAPSHOT_NONE,
    IMG_SNAPSHOT_LIST,
    IMG_SNAPSHOT_APPLY,
    IMG_SNAPSHOT_CREATE,
    IMG_SNAPSHOT_DELETE,
} ImgSnapshotAction;

static int img_snapshot_create(BlockDriverState *bs, const char *name)
{
    BlockSnapshotInfo sn;
    struct timeval tv;
    int ret;

    memset(&sn, 0, sizeof(sn));
    if (strlen(name) >= sizeof(sn.name)) {
        error_report("Could not create snapshot '%s': %d (%s)", name,
                     -ENAMETOOLONG, strerror(ENAMETOOLONG));
        return 1;
    }
    strcpy(sn.name, name);
    gettimeofday(&tv, NULL);
    sn.date_sec = (uint32_t)tv.tv_sec;
    sn.date_nsec = (uint32_t)tv.tv_usec * 1000;
    ret = bdrv_snapshot_create(bs, &sn);
    if (ret < 0) {
        error_report("Could not create snapshot '%s': %d (%s)", name, ret,
                     strerror(-ret));
        return 1;
    }
    return 0;
}

static int img_snapshot_delete(BlockDriverState *bs, const char *name)
{
    BlockSnapshotInfo sn;
    Error *err = NULL;

    if (bdrv_snapshot_find(bs, &sn, name) < 0) {
        error_report("Could not delete snapshot '%s': snapshot not found",
                     name);
        return 1;
    }
    if (bdrv_snapshot_delete(bs, sn.id_str, sn.name, &err) < 0) {
        error_report("Could not delete snapshot '%s': %s", name,
                     err ? error_get_pretty(err) : "unknown error");
        error_free(err);
        return 1;
    }
    return 0;
}

static int img_snapshot_list(BlockDriverState *bs)
{
    BlockSnapshotInfo *sn = NULL;
    int n = bdrv_snapshot_list(bs, &sn);

    if (n > 0) {
        printf("Snapshot list:\n");
        img_print_snapshot_table(sn, n);
    }
    free(sn);
    return 0;
}

int img_snapshot(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    ImgSnapshotAction action = IMG_SNAPSHOT_NONE;
    const char *name = NULL;
    bool quiet = false;
    int flags = BDRV_O_NO_BACKING, c, ret;
    BlockBackend *blk;
    Error *err = NULL;

    while ((c = img_getopt(argc, argv, ":la:c:d:hqU", longopts)) != -1) {
        ImgSnapshotAction want;

        switch (c) {
        case 'h':
            img_help(stdout);
            return 0;
        case 'l':
            want = IMG_SNAPSHOT_LIST;
            break;
        case 'a':
            want = IMG_SNAPSHOT_APPLY;
            break;
        case 'c':
            want = IMG_SNAPSHOT_CREATE;
            break;
        case 'd':
            want = IMG_SNAPSHOT_DELETE;
            break;
        case 'q':
            quiet = true;
            continue;
        case 'U':
            flags |= BDRV_O_FORCE_SHARE;
            continue;
        default:
            return 1;
        }
        if (action != IMG_SNAPSHOT_NONE) {
            return img_usage_error("Cannot mix '-l', '-a', '-c', '-d'");
        }
        action = want;
        name = want == IMG_SNAPSHOT_LIST ? NULL : optarg;
    }
    (void)quiet;    /* every action but -l prints nothing anyway */
    if (optind != argc - 1) {
        return img_usage_error("Expecting one image file name");
    }
    if (action == IMG_SNAPSHOT_NONE) {
        action = IMG_SNAPSHOT_LIST;
    }
    if (action != IMG_SNAPSHOT_LIST) {
        if (flags & BDRV_O_FORCE_SHARE) {
            error_report("force-share=on can only be used with read-only "
                         "images");
            return 1;
        }
        flags |= BDRV_O_RDWR;
    }

    blk = img_open(argv[optind], NULL, flags);
    if (!blk) {
        return 1;
    }
    switch (action) {
    case IMG_SNAPSHOT_CREATE:
        ret = img_snapshot_create(blk_bs(blk), name);
        break;
    case IMG_SNAPSHOT_APPLY:
        ret = 0;
        if (bdrv_snapshot_goto(blk_bs(blk), name, &err) < 0) {
            error_report("Could not apply snapshot '%s': %s", name,
                         err ? error_get_pretty(err) : "unknown error");
            error_free(err);
            ret = 1;
        }
        break;
    case IMG_SNAPSHOT_DELETE:
        ret = img_snapshot_delete(blk_bs(blk), name);
        break;
    default:
        ret = img_snapshot_list(blk_bs(blk));
        break;
    }
    if (ret == 0 && action != IMG_SNAPSHOT_LIST) {
        int fret = blk_flush(blk);

        if (fret < 0) {
            error_report("Error flushing image: %s", strerror(-fret));
            ret = 1;
        }
    }
    blk_unref(blk);
    return ret;
}
