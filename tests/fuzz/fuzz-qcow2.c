/*
 * tests/fuzz/fuzz-qcow2.c — fuzz target: a qcow2 image from untrusted
 * bytes, opened and used the way a guest and vireo-img would.
 *
 * One input is an image file. It is opened read-only (no backing file,
 * no locks): every byte of the first 4 MiB of the virtual disk and a
 * window at its end are read, block status is walked, snapshots are
 * listed, and the image is checked. If it opens, a copy is then opened
 * read-write and written to (allocating, zeroing, discarding, a
 * compressed cluster, a snapshot), flushed and checked with repair. The
 * input must never crash, hang, leak or touch memory out of bounds;
 * errors are the expected outcome for most inputs. Work per input is
 * bounded so that a hostile 1 TiB "virtual size" costs nothing.
 *
 * Built two ways by tests/fuzz/run: with libFuzzer (clang
 * -fsanitize=fuzzer), and with fuzz-main.c as a plain program that
 * replays files and deterministic mutations of seed images.
 */
#include "block/block.h"
#include "util/error.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_READ_WINDOW (4 * MiB)
#define FUZZ_CHUNK (64 * KiB)
#define FUZZ_MAX_STATUS_STEPS 4096
/* Ranges zeroed and discarded are capped: their cost grows with the
 * number of L2 tables, which a hostile size makes huge. */
#define FUZZ_MAX_RANGE (16 * MiB)

/* The input as a file: memfd, so no disk is touched. */
static int fuzz_memfd(const uint8_t *data, size_t size, char *path,
                      size_t path_len)
{
    int fd = memfd_create("fuzz-qcow2", MFD_CLOEXEC);

    if (fd < 0) {
        return -1;
    }
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return -1;
    }
    snprintf(path, path_len, "/proc/self/fd/%d", fd);
    return fd;
}

static void fuzz_read_only(const char *path)
{
    BlockDriverState *bs;
    BlockDriverInfo bdi;
    BlockSnapshotInfo *sn;
    BlockCheckResult res;
    uint8_t *buf = malloc(FUZZ_CHUNK);
    Error *err = NULL;
    int64_t len;
    uint64_t off;

    bs = bdrv_open(path, "qcow2", BDRV_O_NO_BACKING | BDRV_O_NO_LOCK |
                   BDRV_O_CHECK, &err);
    if (!bs) {
        error_free(err);
        free(buf);
        return;
    }
    len = bdrv_getlength(bs);
    for (off = 0; len > 0 && off < (uint64_t)len && off < FUZZ_READ_WINDOW;
         off += FUZZ_CHUNK) {
        bdrv_pread(bs, off, buf, MIN(FUZZ_CHUNK, (uint64_t)len - off));
    }
    if (len > (int64_t)FUZZ_CHUNK) {
        bdrv_pread(bs, len - FUZZ_CHUNK, buf, FUZZ_CHUNK);
        bdrv_pread(bs, len / 2 - 100, buf, 200);
    }
    off = 0;
    for (int i = 0; len > 0 && off < (uint64_t)len &&
         i < FUZZ_MAX_STATUS_STEPS; i++) {
        uint64_t pnum, map;
        int depth;

        if (bdrv_block_status_above(bs, NULL, off, len - off, &pnum, &map,
                                    NULL, &depth) < 0 || !pnum) {
            break;
        }
        off += pnum;
    }
    bdrv_get_info(bs, &bdi);
    bdrv_snapshot_list(bs, &sn);
    free(sn);
    bdrv_check(bs, &res, 0);
    bdrv_unref(bs);
    free(buf);
}

static void fuzz_read_write(const char *path)
{
    BlockDriverState *bs;
    BlockCheckResult res;
    BlockSnapshotInfo sn = { .name = "fuzz", .icount = UINT64_MAX };
    BlockDriverInfo bdi;
    uint8_t buf[8192];
    Error *err = NULL;
    int64_t len;

    bs = bdrv_open(path, "qcow2", BDRV_O_RDWR | BDRV_O_NO_BACKING |
                   BDRV_O_NO_LOCK | BDRV_O_UNMAP, &err);
    if (!bs) {
        error_free(err);
        return;
    }
    len = bdrv_getlength(bs);
    memset(buf, 0x5a, sizeof(buf));
    if (len >= (int64_t)sizeof(buf) * 4) {
        bdrv_pwrite(bs, 1000, buf, sizeof(buf));
        bdrv_pwrite(bs, len - sizeof(buf), buf, sizeof(buf));
        bdrv_pwrite_zeroes(bs, 0, MIN(len / 4, FUZZ_MAX_RANGE),
                           BDRV_REQ_MAY_UNMAP);
        bdrv_pdiscard(bs, len / 2, MIN(len / 4, FUZZ_MAX_RANGE));
        if (bdrv_get_info(bs, &bdi) == 0 && bdi.cluster_size &&
            bdi.cluster_size <= sizeof(buf) &&
            len >= 8 * (int64_t)bdi.cluster_size) {
            bdrv_pwrite_compressed(bs, 4 * (uint64_t)bdi.cluster_size, buf,
                                   bdi.cluster_size);
        }
        if (bdrv_snapshot_create(bs, &sn) == 0) {
            bdrv_pwrite(bs, 1000, buf, 100);
            bdrv_snapshot_goto(bs, sn.id_str, &err);
            error_free(err);
            err = NULL;
        }
    }
    bdrv_flush(bs);
    bdrv_check(bs, &res, BDRV_FIX_LEAKS | BDRV_FIX_ERRORS);
    bdrv_unref(bs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd;

    /* Keep hostile images small: a header claiming a huge file is fine,
     * a huge input only slows the fuzzer down. */
    if (size > 4 * MiB) {
        return 0;
    }
    fd = fuzz_memfd(data, size, path, sizeof(path));
    if (fd < 0) {
        return 0;
    }
    fuzz_read_only(path);
    fuzz_read_write(path);
    close(fd);
    return 0;
}
