/*
 * tools/img/chain.c — backing chains: "vireo-img commit" pushes an
 * overlay's data down into its backing file, "vireo-img rebase" points
 * an overlay at a different backing file.
 *
 * commit copies what the chain allocates above the base into the base
 * (the block layer's bdrv_commit reopens the base read-write for that),
 * then empties the top image so the base shows through, unless -d says
 * to keep it; committing into a deeper base (-b) implies -d, since an
 * emptied top would expose the intermediate layers.
 *
 * A safe rebase keeps the overlay's visible content unchanged: wherever
 * the overlay does not allocate a range and the old and new backing
 * files differ, the old content is copied into the overlay first. Only
 * then is the header changed. An unsafe rebase (-u) changes the header
 * alone, for renamed or moved backing files.
 */
#include "tools/img/img-internal.h"

#include <sys/stat.h>

#define IMG_REBASE_BUF_SIZE (2 * MiB)

/* Whether the files @a and @b are the same (by device and inode). */
static bool img_same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The node of @top's chain below @top that is the file @name, or NULL. */
static BlockDriverState *img_find_backing(BlockDriverState *top,
                                          const char *name)
{
    for (BlockDriverState *bs = top->backing; bs; bs = bs->backing) {
        if (!strcmp(bs->filename, name) || img_same_file(bs->filename, name)) {
            return bs;
        }
    }
    return NULL;
}

int img_commit(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *base_name = NULL, *filename;
    bool quiet = false, progress_on = false, drop = false;
    int flags = BDRV_O_RDWR | BDRV_O_UNMAP, c, ret = 1;
    BlockDriverState *bs, *base;
    ImgProgress progress;
    BlockBackend *blk;
    Error *err = NULL;

    while ((c = img_getopt(argc, argv, ":f:ht:b:dpqr:", longopts)) != -1) {
        switch (c) {
        case 'h':
            img_help(stdout);
            return 0;
        case 'f':
            fmt = optarg;
            break;
        case 't':
            if (!img_parse_cache(optarg, &flags, NULL)) {
                error_report("Invalid cache option: %s", optarg);
                return 1;
            }
            break;
        case 'b':
            base_name = optarg;
            drop = true;    /* qemu-img: -b implies -d */
            break;
        case 'd':
            drop = true;
            break;
        case 'p':
            progress_on = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'r':
            /* A rate limit: accepted for compatibility, not applied. */
            break;
        default:
            return 1;
        }
    }
    if (quiet) {
        progress_on = false;
    }
    if (optind != argc - 1) {
        return img_usage_error("Expecting one image file name");
    }
    filename = argv[optind];

    blk = img_open(filename, fmt, flags);
    if (!blk) {
        return 1;
    }
    bs = blk_bs(blk);
    if (base_name) {
        base = img_find_backing(bs, base_name);
        if (!base) {
            error_report("Did not find '%s' in the backing chain of '%s'",
                         base_name, filename);
            goto out;
        }
    } else {
        base = bs->backing;
        if (!base) {
            error_report("Image does not have a backing file");
            goto out;
        }
    }

    img_progress_init(&progress, progress_on, 1.0f);
    if (!bdrv_commit(bs, base, img_progress_cb, &progress, &err)) {
        img_progress_finish(&progress);
        error_report_err(err);
        goto out;
    }
    if (!drop) {
        int r = bdrv_make_empty(bs);

        if (r < 0) {
            img_progress_finish(&progress);
            error_report("Failed to empty %s: %s", filename, strerror(-r));
            goto out;
        }
    }
    img_progress_update(&progress, 1, 1);
    img_progress_finish(&progress);
    img_printf(quiet, "Image committed.\n");
    ret = 0;
out:
    blk_unref(blk);
    return ret;
}

/* --- rebase --- */

/* @name as a path: absolute, or relative to @image's directory. */
static char *img_backing_path(const char *image, const char *name)
{
    const char *slash = strrchr(image, '/');

    if (name[0] == '/' || !slash) {
        return xstrdup(name);
    }
    return xasprintf("%.*s/%s", (int)(slash - image), image, name);
}

/*
 * Read [offset, offset+n) of @bs (whose length is @size) into @buf,
 * zero-filling past its end or everywhere if @bs is NULL.
 */
static int img_read_backing(BlockDriverState *bs, int64_t size,
                            uint64_t offset, uint8_t *buf, uint64_t n)
{
    uint64_t avail = 0;

    if (bs && (uint64_t)size > offset) {
        avail = MIN(n, (uint64_t)size - offset);
    }
    if (avail) {
        int ret = bdrv_pread(bs, offset, buf, avail);

        if (ret < 0) {
            return ret;
        }
    }
    memset(buf + avail, 0, n - avail);
    return 0;
}

/*
 * The safe part of a rebase: copy into @blk's image every range it does
 * not allocate where @old_bs and @new_bs (either may be NULL: zeroes)
 * read differently. Returns 0 or 1 after printing the error.
 */
static int img_rebase_copy(BlockBackend *blk, BlockDriverState *old_bs,
                           BlockDriverState *new_bs, ImgProgress *progress)
{
    BlockDriverState *bs = blk_bs(blk);
    int64_t size = blk_getlength(blk);
    int64_t old_size = old_bs ? bdrv_getlength(old_bs) : 0;
    int64_t new_size = new_bs ? bdrv_getlength(new_bs) : 0;
    uint8_t *buf_old, *buf_new;
    int ret = 0;

    if (size < 0 || old_size < 0 || new_size < 0) {
        error_report("Could not get size of '%s': %s",
                     size < 0 ? bs->filename
                              : old_size < 0 ? old_bs->filename
                                             : new_bs->filename,
                     strerror(-(int)(size < 0 ? size
                                     : old_size < 0 ? old_size : new_size)));
        return 1;
    }
    buf_old = img_alloc_buffer(IMG_REBASE_BUF_SIZE);
    buf_new = img_alloc_buffer(IMG_REBASE_BUF_SIZE);
    for (uint64_t offset = 0; offset < (uint64_t)size;) {
        uint64_t n = MIN(IMG_REBASE_BUF_SIZE, (uint64_t)size - offset);
        uint64_t pnum;
        int st = bdrv_block_status(bs, offset, n, &pnum, NULL, NULL);

        if (st < 0) {
            error_report("error while reading image metadata: %s",
                         strerror(-st));
            ret = 1;
            break;
        }
        n = pnum;
        if (!(st & BDRV_BLOCK_ALLOCATED)) {
            if (img_read_backing(old_bs, old_size, offset, buf_old, n) < 0) {
                error_report("error while reading from old backing file");
                ret = 1;
                break;
            }
            if (img_read_backing(new_bs, new_size, offset, buf_new, n) < 0) {
                error_report("error while reading from new backing file");
                ret = 1;
                break;
            }
            /* Write back the differing 512-byte runs only. */
            for (uint64_t done = 0; done < n;) {
                uint64_t len = MIN(BDRV_SECTOR_SIZE, n - done);
                uint64_t run = 0;
                bool differ = memcmp(buf_old + done, buf_new + done, len);

                while (done + run < n) {
                    uint64_t l = MIN(BDRV_SECTOR_SIZE, n - done - run);

                    if ((memcmp(buf_old + done + run, buf_new + done + run,
                                l) != 0) != differ) {
                        break;
                    }
                    run += l;
                }
                if (differ) {
                    int w = blk_pwrite(blk, offset + done, buf_old + done,
                                       run);

                    if (w < 0) {
                        error_report("Error while writing to COW image: %s",
                                     strerror(-w));
                        ret = 1;
                        goto out;
                    }
                }
                done += run;
            }
        }
        offset += n;
        img_progress_update(progress, offset, size);
    }
out:
    free(buf_old);
    free(buf_new);
    return ret;
}

int img_rebase(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *out_base = NULL, *out_fmt = NULL, *filename;
    bool quiet = false, progress_on = false, unsafe = false;
    int flags = BDRV_O_RDWR, src_flags = 0, c, ret = 1;
    BlockDriverState *bs, *new_bs = NULL;
    ImgProgress progress;
    BlockBackend *blk;
    Error *err = NULL;

    while ((c = img_getopt(argc, argv, ":hf:F:b:upt:T:qU", longopts))
           != -1) {
        switch (c) {
        case 'h':
            img_help(stdout);
            return 0;
        case 'f':
            fmt = optarg;
            break;
        case 'F':
            out_fmt = optarg;
            break;
        case 'b':
            out_base = optarg;
            break;
        case 'u':
            unsafe = true;
            break;
        case 'p':
            progress_on = true;
            break;
        case 't':
            if (!img_parse_cache(optarg, &flags, NULL)) {
                error_report("Invalid cache option: %s", optarg);
                return 1;
            }
            break;
        case 'T':
            if (!img_parse_cache(optarg, &src_flags, NULL)) {
                error_report("Invalid source cache option: %s", optarg);
                return 1;
            }
            break;
        case 'q':
            quiet = true;
            break;
        case 'U':
            src_flags |= BDRV_O_FORCE_SHARE;
            break;
        default:
            return 1;
        }
    }
    if (quiet) {
        progress_on = false;
    }
    if (optind != argc - 1) {
        return img_usage_error("Expecting one image file name");
    }
    if (!unsafe && !out_base) {
        return img_usage_error("Must specify backing file (-b) or use unsafe "
                               "mode (-u)");
    }
    filename = argv[optind];
    if (out_fmt && !bdrv_find_format(out_fmt)) {
        error_report("Invalid format name: '%s'", out_fmt);
        return 1;
    }

    blk = img_open(filename, fmt, flags | (unsafe ? BDRV_O_NO_BACKING : 0));
    if (!blk) {
        return 1;
    }
    bs = blk_bs(blk);

    /*
     * qemu-img records no backing file without its format, and does not
     * guess it: refuse before anything is copied.
     */
    if (out_base && *out_base && !out_fmt) {
        error_report("Could not change the backing file to '%s': backing "
                     "format must be specified", out_base);
        goto out;
    }
    /* The new backing file, named relative to the image as in its header;
     * the copy of a safe rebase reads it. */
    if (!unsafe && out_base && *out_base) {
        char *path = img_backing_path(filename, out_base);

        new_bs = bdrv_open(path, out_fmt,
                           (src_flags & ~BDRV_O_RDWR) | BDRV_O_FORCE_SHARE,
                           &err);
        free(path);
        if (!new_bs) {
            error_report("Could not open new backing file '%s': %s",
                         out_base, error_get_pretty(err));
            error_free(err);
            goto out;
        }
    }

    if (!unsafe) {
        img_progress_init(&progress, progress_on, 2.0f);
        ret = img_rebase_copy(blk, bs->backing, new_bs, &progress);
        if (ret == 0) {
            img_progress_update(&progress, 1, 1);
        }
        img_progress_finish(&progress);
        if (ret) {
            goto out;
        }
        ret = 1;
    }

    c = bdrv_change_backing_file(bs, out_base && *out_base ? out_base : NULL,
                                 out_base && *out_base ? out_fmt : NULL);
    if (c == -ENOSPC) {
        error_report("Could not change the backing file to '%s': No space "
                     "left in the file header", out_base ? out_base : "");
        goto out;
    } else if (c < 0) {
        error_report("Could not change the backing file to '%s': %s",
                     out_base ? out_base : "", strerror(-c));
        goto out;
    }
    c = blk_flush(blk);
    if (c < 0) {
        error_report("Error flushing image: %s", strerror(-c));
        goto out;
    }
    ret = 0;
out:
    if (new_bs) {
        bdrv_unref(new_bs);
    }
    blk_unref(blk);
    return ret;
}
