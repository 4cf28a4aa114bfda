/*
 * tools/img/compare.c — "vireo-img compare": do two images (of any
 * formats, through their backing chains) show the same content?
 *
 * The walk follows qemu-img's: over the common length, ranges that both
 * images report as zero are skipped, ranges allocated in both are read
 * and compared, and a range allocated in one only must read as zeroes
 * there. Past the shorter image's end the longer one must be unallocated
 * or zero ("Warning: Image size mismatch!" is not itself a difference).
 * Strict mode (-s) also fails on a size mismatch or on any difference in
 * block status, i.e. allocation must match too.
 *
 * Mismatch offsets are reported at 512-byte granularity, as qemu-img
 * does. Exit status: 0 identical, 1 different, 2 an image could not be
 * opened, 3 an allocation query failed, 4 a read failed.
 */
#include "tools/img/img-internal.h"

#define IMG_COMPARE_BUF_SIZE (2 * MiB)

enum {
    IMG_CMP_SAME = 0,
    IMG_CMP_DIFFERENT = 1,
    IMG_CMP_OPEN_ERROR = 2,
    IMG_CMP_STATUS_ERROR = 3,
    IMG_CMP_READ_ERROR = 4,
};

/* Byte offset of the first 512-byte sector that differs, or -1. */
static int64_t img_first_difference(const uint8_t *a, const uint8_t *b,
                                    uint64_t len)
{
    for (uint64_t i = 0; i < len; i += BDRV_SECTOR_SIZE) {
        uint64_t n = MIN(BDRV_SECTOR_SIZE, len - i);

        if (memcmp(a + i, b + i, n)) {
            return (int64_t)i;
        }
    }
    return -1;
}

/* Byte offset of the first 512-byte sector that is not zero, or -1. */
static int64_t img_first_nonzero(const uint8_t *buf, uint64_t len)
{
    for (uint64_t i = 0; i < len; i += BDRV_SECTOR_SIZE) {
        if (!img_buffer_is_zero(buf + i, MIN(BDRV_SECTOR_SIZE, len - i))) {
            return (int64_t)i;
        }
    }
    return -1;
}

/* The range must read as zeroes in @blk: 0, IMG_CMP_DIFFERENT or error. */
static int img_check_empty(BlockBackend *blk, const char *filename,
                           uint64_t offset, uint64_t bytes, uint8_t *buf,
                           bool quiet)
{
    int ret = blk_pread(blk, offset, buf, bytes);
    int64_t idx;

    if (ret < 0) {
        error_report("Error while reading offset %" PRIu64 " of %s: %s",
                     offset, filename, strerror(-ret));
        return IMG_CMP_READ_ERROR;
    }
    idx = img_first_nonzero(buf, bytes);
    if (idx >= 0) {
        img_printf(quiet, "Content mismatch at offset %" PRIu64 "!\n",
                   offset + idx);
        return IMG_CMP_DIFFERENT;
    }
    return IMG_CMP_SAME;
}

/* Compare the common length [0, size) of the two images. */
static int img_compare_common(BlockBackend *blk1, BlockBackend *blk2,
                              const char *name1, const char *name2,
                              uint64_t size, bool strict, bool quiet,
                              uint8_t *buf1, uint8_t *buf2,
                              ImgProgress *progress, uint64_t base)
{
    BlockDriverState *bs1 = blk_bs(blk1), *bs2 = blk_bs(blk2);

    for (uint64_t offset = 0; offset < size;) {
        uint64_t pnum1, pnum2, chunk;
        int st1, st2, ret;
        bool alloc1, alloc2;

        st1 = bdrv_block_status_above(bs1, NULL, offset, size - offset,
                                      &pnum1, NULL, NULL, NULL);
        if (st1 < 0) {
            error_report("Sector allocation test failed for %s", name1);
            return IMG_CMP_STATUS_ERROR;
        }
        st2 = bdrv_block_status_above(bs2, NULL, offset, size - offset,
                                      &pnum2, NULL, NULL, NULL);
        if (st2 < 0) {
            error_report("Sector allocation test failed for %s", name2);
            return IMG_CMP_STATUS_ERROR;
        }
        /* EOF only says where the query ended; it is no difference. */
        st1 &= ~BDRV_BLOCK_EOF;
        st2 &= ~BDRV_BLOCK_EOF;
        alloc1 = st1 & BDRV_BLOCK_ALLOCATED;
        alloc2 = st2 & BDRV_BLOCK_ALLOCATED;
        chunk = MIN(pnum1, pnum2);

        if (strict && st1 != st2) {
            img_printf(quiet, "Strict mode: Offset %" PRIu64 " block status "
                       "mismatch!\n", offset);
            return IMG_CMP_DIFFERENT;
        }
        if ((st1 & BDRV_BLOCK_ZERO) && (st2 & BDRV_BLOCK_ZERO)) {
            /* Both read as zeroes: nothing to compare. */
        } else if (alloc1 && alloc2) {
            int64_t diff;

            chunk = MIN(chunk, IMG_COMPARE_BUF_SIZE);
            ret = blk_pread(blk1, offset, buf1, chunk);
            if (ret < 0) {
                error_report("Error while reading offset %" PRIu64 " of %s: "
                             "%s", offset, name1, strerror(-ret));
                return IMG_CMP_READ_ERROR;
            }
            ret = blk_pread(blk2, offset, buf2, chunk);
            if (ret < 0) {
                error_report("Error while reading offset %" PRIu64 " of %s: "
                             "%s", offset, name2, strerror(-ret));
                return IMG_CMP_READ_ERROR;
            }
            diff = img_first_difference(buf1, buf2, chunk);
            if (diff >= 0) {
                img_printf(quiet, "Content mismatch at offset %" PRIu64
                           "!\n", offset + diff);
                return IMG_CMP_DIFFERENT;
            }
        } else if (alloc1 != alloc2) {
            chunk = MIN(chunk, IMG_COMPARE_BUF_SIZE);
            ret = alloc1 ? img_check_empty(blk1, name1, offset, chunk, buf1,
                                           quiet)
                         : img_check_empty(blk2, name2, offset, chunk, buf1,
                                           quiet);
            if (ret) {
                return ret;
            }
        }
        offset += chunk;
        img_progress_update(progress, offset, base);
    }
    return IMG_CMP_SAME;
}

int img_compare(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt1 = NULL, *fmt2 = NULL, *name1, *name2;
    bool progress_on = false, quiet = false, strict = false;
    int flags = 0, c, ret;
    BlockBackend *blk1 = NULL, *blk2 = NULL;
    uint8_t *buf1 = NULL, *buf2 = NULL;
    int64_t size1, size2;
    uint64_t common, base;
    ImgProgress progress;

    while ((c = img_getopt(argc, argv, ":hf:F:T:pqsU", longopts)) != -1) {
        switch (c) {
        case 'h':
            img_help(stdout);
            return 0;
        case 'f':
            fmt1 = optarg;
            break;
        case 'F':
            fmt2 = optarg;
            break;
        case 'T':
            if (!img_parse_cache(optarg, &flags, NULL)) {
                error_report("Invalid source cache option: %s", optarg);
                return IMG_CMP_OPEN_ERROR;
            }
            break;
        case 'p':
            progress_on = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 's':
            strict = true;
            break;
        case 'U':
            flags |= BDRV_O_FORCE_SHARE;
            break;
        default:
            return 1;
        }
    }
    if (quiet) {
        progress_on = false;
    }
    if (optind != argc - 2) {
        return img_usage_error("Expecting two image file names");
    }
    name1 = argv[optind];
    name2 = argv[optind + 1];

    blk1 = img_open(name1, fmt1, flags);
    if (!blk1) {
        return IMG_CMP_OPEN_ERROR;
    }
    blk2 = img_open(name2, fmt2, flags);
    if (!blk2) {
        ret = IMG_CMP_OPEN_ERROR;
        goto out;
    }
    size1 = blk_getlength(blk1);
    size2 = blk_getlength(blk2);
    if (size1 < 0 || size2 < 0) {
        error_report("Can't get size of %s: %s", size1 < 0 ? name1 : name2,
                     strerror((int)-(size1 < 0 ? size1 : size2)));
        ret = IMG_CMP_READ_ERROR;
        goto out;
    }
    buf1 = img_alloc_buffer(IMG_COMPARE_BUF_SIZE);
    buf2 = img_alloc_buffer(IMG_COMPARE_BUF_SIZE);
    common = MIN(size1, size2);
    base = MAX(size1, size2);
    img_progress_init(&progress, progress_on, 2.0f);

    if (strict && size1 != size2) {
        img_printf(quiet, "Strict mode: Image size mismatch!\n");
        ret = IMG_CMP_DIFFERENT;
        goto out_progress;
    }
    ret = img_compare_common(blk1, blk2, name1, name2, common, strict, quiet,
                             buf1, buf2, &progress, base);
    if (ret) {
        goto out_progress;
    }
    if (size1 != size2) {
        BlockBackend *over = size1 > size2 ? blk1 : blk2;
        const char *over_name = size1 > size2 ? name1 : name2;

        img_printf(quiet, "Warning: Image size mismatch!\n");
        for (uint64_t offset = common; offset < base;) {
            uint64_t chunk;
            int st = bdrv_block_status_above(blk_bs(over), NULL, offset,
                                             base - offset, &chunk, NULL,
                                             NULL, NULL);

            if (st < 0) {
                error_report("Sector allocation test failed for %s",
                             over_name);
                ret = IMG_CMP_STATUS_ERROR;
                goto out_progress;
            }
            if ((st & BDRV_BLOCK_ALLOCATED) && !(st & BDRV_BLOCK_ZERO)) {
                chunk = MIN(chunk, IMG_COMPARE_BUF_SIZE);
                ret = img_check_empty(over, over_name, offset, chunk, buf1,
                                      quiet);
                if (ret) {
                    goto out_progress;
                }
            }
            offset += chunk;
            img_progress_update(&progress, offset, base);
        }
    }
    img_printf(quiet, "Images are identical.\n");
    ret = IMG_CMP_SAME;

out_progress:
    img_progress_finish(&progress);
out:
    free(buf1);
    free(buf2);
    if (blk2) {
        blk_unref(blk2);
    }
    blk_unref(blk1);
    return ret;
}
