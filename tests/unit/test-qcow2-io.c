/*
 * tests/unit/test-qcow2-io.c — the qcow2 driver through the block layer:
 * data written at every cluster size and refcount width reads back and
 * leaves a clean image; copy-on-write against raw and qcow2 backing
 * files; zero clusters and discard; zlib and zstd compressed clusters
 * (including COW out of one); internal snapshots; resize with and
 * without preallocation; commit, make_empty and change_backing_file;
 * the lazy-refcounts dirty bit and its repair after a "crash"; image
 * locks; many concurrent requests; the -snapshot overlay; VM state.
 *
 * Every image is checked with bdrv_check() at the end of its test;
 * test-qcow2-peer runs the same kinds of images past qemu-img.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "block/qcow2-internal.h"
#include "qcow2-test-util.h"
#include "util/error.h"

#include <unistd.h>

#define RW BDRV_O_RDWR

static int teardown_all(void **state)
{
    qt_cleanup();
    return 0;
}

/* Writes at awkward offsets across cluster and L2-table boundaries. */
static void exercise(BlockBackend *blk, uint32_t cs)
{
    uint64_t l2_span = (uint64_t)cs / 8 * cs;

    qt_write_pattern(blk, 0, 3 * cs + 17, 1);
    qt_write_pattern(blk, cs / 2, cs, 2);               /* overwrite */
    qt_write_pattern(blk, 5 * cs + 100, 1000, 3);       /* inside one */
    if (l2_span < 3 * MiB) {
        qt_write_pattern(blk, l2_span - 700, 1400, 4);  /* two tables */
    }
    qt_check_pattern(blk, 0, cs / 2, 1);
    qt_check_pattern(blk, cs / 2, cs, 2);
    qt_check_pattern(blk, cs / 2 + cs, 3 * cs + 17 - cs / 2 - cs, 1);
    qt_check_pattern(blk, 5 * cs, 100, 0);
    qt_check_pattern(blk, 5 * cs + 100, 1000, 3);
}

static void test_cluster_sizes(void **state)
{
    static const struct {
        uint32_t cs;
        const char *rc;
    } cases[] = {
        { 512, "16" }, { 512, "1" }, { 512, "64" }, { 1024, "2" },
        { 4096, "16" }, { 65536, "16" }, { 65536, "8" },
        { 2 * MiB, "16" }, { 2 * MiB, "64" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint32_t cs = cases[i].cs;
        char *path = qt_path("sizes.qcow2");
        char *opts = xasprintf("cluster_size=%u,refcount_bits=%s", cs,
                               cases[i].rc);
        uint64_t l2_span = (uint64_t)cs / 8 * cs;
        BlockBackend *blk;
        BlockDriverInfo bdi;

        qt_create("qcow2", path, 16 * MiB, opts);
        blk = qt_open(path, "qcow2", RW);
        assert_int_equal(bdrv_get_info(blk_bs(blk), &bdi), 0);
        assert_int_equal(bdi.cluster_size, cs);
        assert_int_equal(bdi.qcow2.refcount_bits, atoi(cases[i].rc));
        exercise(blk, cs);
        qt_check_clean(blk);
        blk_unref(blk);
        /* Again after a reopen: it all reached the disk. */
        blk = qt_open(path, "qcow2", 0);
        qt_check_pattern(blk, 5 * cs + 100, 1000, 3);
        if (l2_span < 3 * MiB) {
            qt_check_pattern(blk, l2_span - 700, 1400, 4);
        }
        qt_check_clean(blk);
        blk_unref(blk);
        unlink(path);
        free(path);
        free(opts);
    }
}

/* Enough small clusters that the refcount table has to grow. */
static void test_refcount_table_growth(void **state)
{
    char *path = qt_path("grow.qcow2");
    BlockBackend *blk;
    uint64_t rt0;

    qt_create("qcow2", path, 64 * MiB, "cluster_size=512,refcount_bits=64");
    rt0 = qt_file_be64(path, QCOW2_HDR_REFTABLE_OFF);
    blk = qt_open(path, "qcow2", RW);
    qt_write_pattern(blk, 1000, 20 * MiB, 5);
    qt_write_pattern(blk, 40 * MiB, 3 * MiB, 6);
    blk_unref(blk);
    assert_int_not_equal(qt_file_be64(path, QCOW2_HDR_REFTABLE_OFF), rt0);
    blk = qt_open(path, "qcow2", 0);
    qt_check_pattern(blk, 1000, 20 * MiB, 5);
    qt_check_pattern(blk, 40 * MiB, 3 * MiB, 6);
    qt_check_pattern(blk, 0, 1000, 0);
    qt_check_clean(blk);
    blk_unref(blk);
    free(path);
}

static void test_backing_cow(void **state)
{
    char *base = qt_path("base.raw"), *mid = qt_path("mid.qcow2");
    char *top = qt_path("top.qcow2");
    BlockBackend *blk;
    uint64_t pnum, map;
    int depth, ret;

    qt_create("raw", base, 2 * MiB, NULL);
    blk = qt_open(base, "raw", RW);
    qt_write_pattern(blk, 0, 2 * MiB, 7);
    blk_unref(blk);

    qt_create("qcow2", mid, 4 * MiB,
              "cluster_size=4096,backing_file=base.raw,backing_fmt=raw");
    qt_create("qcow2", top, 4 * MiB,
              "backing_file=mid.qcow2,backing_fmt=qcow2");
    blk = qt_open(mid, "qcow2", RW);
    qt_write_pattern(blk, 10000, 3000, 8);      /* partial: COW from base */
    blk_unref(blk);

    blk = qt_open(top, NULL, RW);
    assert_non_null(blk_bs(blk)->backing);
    assert_non_null(blk_bs(blk)->backing->backing);
    qt_write_pattern(blk, 70000, 100, 9);       /* COW from the chain */
    qt_check_pattern(blk, 0, 10000, 7);
    qt_check_pattern(blk, 10000, 3000, 8);
    qt_check_pattern(blk, 13000, 70000 - 13000, 7);
    qt_check_pattern(blk, 70000, 100, 9);
    qt_check_pattern(blk, 70100, 2 * MiB - 70100, 7);
    qt_check_pattern(blk, 2 * MiB, 2 * MiB, 0); /* past the raw base */

    /* Status: top's own cluster at depth 0, mid's at 1, base's at 2. */
    ret = bdrv_block_status_above(blk_bs(blk), NULL, 65536, 4096, &pnum,
                                  &map, NULL, &depth);
    assert_true(ret & BDRV_BLOCK_ALLOCATED);
    assert_int_equal(depth, 0);
    ret = bdrv_block_status_above(blk_bs(blk), NULL, 8192, 4096, &pnum,
                                  &map, NULL, &depth);
    assert_true(ret & BDRV_BLOCK_DATA);
    assert_int_equal(depth, 1);
    ret = bdrv_block_status_above(blk_bs(blk), NULL, 200000, 4096, &pnum,
                                  &map, NULL, &depth);
    assert_int_equal(depth, 2);
    assert_true(ret & BDRV_BLOCK_OFFSET_VALID);
    assert_int_equal(map, 200000);
    ret = bdrv_block_status_above(blk_bs(blk), NULL, 3 * MiB, 4096, &pnum,
                                  &map, NULL, &depth);
    assert_true(ret & BDRV_BLOCK_ZERO);
    assert_int_equal(bdrv_is_allocated_above(blk_bs(blk), NULL, 8192, 4096,
                                             &pnum), 1);
    assert_int_equal(bdrv_is_allocated_above(blk_bs(blk),
                                             blk_bs(blk)->backing, 8192,
                                             4096, &pnum), 0);
    qt_check_clean(blk);
    blk_unref(blk);

    /* The base did not change. */
    blk = qt_open(base, "raw", 0);
    qt_check_pattern(blk, 0, 2 * MiB, 7);
    blk_unref(blk);

    /* No backing: unallocated reads zeroes. */
    blk = qt_open(top, "qcow2", BDRV_O_NO_BACKING);
    assert_null(blk_bs(blk)->backing);
    assert_string_equal(blk_bs(blk)->backing_file, "mid.qcow2");
    assert_string_equal(blk_bs(blk)->backing_format, "qcow2");
    qt_check_pattern(blk, 0, 65536, 0);
    qt_check_pattern(blk, 70000, 100, 9);
    blk_unref(blk);
    free(base);
    free(mid);
    free(top);
}

static void test_zero_clusters(void **state)
{
    char *base = qt_path("zbase.qcow2"), *top = qt_path("ztop.qcow2");
    char *v2 = qt_path("zv2.qcow2");
    BlockBackend *blk;
    uint64_t pnum;
    int ret;

    qt_create("qcow2", base, 1 * MiB, "cluster_size=4096");
    blk = qt_open(base, "qcow2", RW);
    qt_write_pattern(blk, 0, 1 * MiB, 11);
    /* Whole clusters without a backing file: deallocate or zero flag. */
    assert_int_equal(blk_pwrite_zeroes(blk, 8192, 8192, 0), 0);
    assert_int_equal(blk_pwrite_zeroes(blk, 16384, 8192,
                                       BDRV_REQ_MAY_UNMAP), 0);
    /* Partial clusters: zero data. */
    assert_int_equal(blk_pwrite_zeroes(blk, 30000, 5000, 0), 0);
    qt_check_pattern(blk, 0, 8192, 11);
    qt_check_pattern(blk, 8192, 16384, 0);
    qt_check_pattern(blk, 24576, 30000 - 24576, 11);
    qt_check_pattern(blk, 30000, 5000, 0);
    qt_check_pattern(blk, 35000, 1 * MiB - 35000, 11);
    ret = bdrv_block_status(blk_bs(blk), 8192, 8192, &pnum, NULL, NULL);
    assert_true(ret & BDRV_BLOCK_ZERO);
    qt_check_clean(blk);
    blk_unref(blk);

    /* With a backing file the zero flag hides it. */
    qt_create("qcow2", top, 1 * MiB,
              "cluster_size=4096,backing_file=zbase.qcow2,backing_fmt=qcow2");
    blk = qt_open(top, NULL, RW);
    assert_int_equal(blk_pwrite_zeroes(blk, 0, 8192, BDRV_REQ_MAY_UNMAP), 0);
    qt_check_pattern(blk, 0, 8192, 0);
    qt_check_pattern(blk, 35000, 10000, 11);
    ret = bdrv_block_status(blk_bs(blk), 0, 8192, &pnum, NULL, NULL);
    assert_int_equal(ret & (BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED),
                     BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED);
    qt_check_clean(blk);
    blk_unref(blk);

    /* v2 has no zero flag: zeroes are written. */
    qt_create("qcow2", v2, 1 * MiB,
              "compat=0.10,cluster_size=4096,backing_file=zbase.qcow2,"
              "backing_fmt=qcow2");
    blk = qt_open(v2, NULL, RW);
    assert_int_equal(blk_pwrite_zeroes(blk, 40960, 8192, 0), 0);
    qt_check_pattern(blk, 40960, 8192, 0);
    qt_check_pattern(blk, 49152, 4096, 11);
    qt_check_clean(blk);
    blk_unref(blk);
    assert_int_equal(qt_file_be32(v2, 4), 2);
    free(base);
    free(top);
    free(v2);
}

static void test_discard(void **state)
{
    char *path = qt_path("discard.qcow2");
    BlockBackend *blk;
    BlockCheckResult res;

    qt_create("qcow2", path, 1 * MiB, "cluster_size=4096");
    blk = qt_open(path, "qcow2", RW | BDRV_O_UNMAP);
    qt_write_pattern(blk, 0, 64 * 1024, 12);
    assert_int_equal(blk_pdiscard(blk, 4096, 3 * 4096 + 100), 0);
    qt_check_pattern(blk, 0, 4096, 12);
    qt_check_pattern(blk, 4096, 3 * 4096, 0);
    qt_check_pattern(blk, 4 * 4096, 100, 12);   /* partial: kept */
    assert_int_equal(blk_flush(blk), 0);
    assert_int_equal(bdrv_check(blk_bs(blk), &res, 0), 0);
    assert_int_equal(res.allocated_clusters, 13);
    assert_int_equal(res.leaks + res.corruptions, 0);
    blk_unref(blk);
    free(path);
}

static void compressed_case(const char *ctype)
{
    char *path = qt_path("comp.qcow2");
    char *opts = xasprintf("cluster_size=4096,compression_type=%s", ctype);
    uint8_t buf[4096];
    BlockBackend *blk;
    BlockCheckResult res;
    BlockDriverInfo bdi;
    uint64_t pnum;
    int ret;

    /* The last cluster is short: the disk is not cluster aligned. */
    qt_create("qcow2", path, 64 * 1024 + 1024, opts);
    blk = qt_open(path, "qcow2", RW);
    for (unsigned c = 0; c < 8; c++) {
        for (unsigned i = 0; i < sizeof(buf); i++) {
            buf[i] = (i / (c + 3)) + c;
        }
        assert_int_equal(blk_pwrite_compressed(blk, c * 4096, buf, 4096), 0);
    }
    assert_int_equal(blk_pwrite_compressed(blk, 16 * 4096, buf, 1024), 0);
    /* Incompressible: stored as a normal cluster. */
    qt_fill(buf, 9 * 4096, sizeof(buf), 13);
    assert_int_equal(blk_pwrite_compressed(blk, 9 * 4096, buf, 4096), 0);
    /* Unaligned requests are refused. */
    assert_int_equal(blk_pwrite_compressed(blk, 100, buf, 4096), -EINVAL);
    ret = bdrv_block_status(blk_bs(blk), 0, 4096, &pnum, NULL, NULL);
    assert_true(ret & BDRV_BLOCK_COMPRESSED);
    for (unsigned c = 0; c < 8; c++) {
        uint8_t out[4096];

        assert_int_equal(blk_pread(blk, c * 4096, out, 4096), 0);
        for (unsigned i = 0; i < sizeof(out); i++) {
            assert_int_equal(out[i], (uint8_t)((i / (c + 3)) + c));
        }
    }
    qt_check_pattern(blk, 9 * 4096, 4096, 13);
    /* Partial overwrite of a compressed cluster: COW out of it. */
    qt_write_pattern(blk, 2 * 4096 + 100, 50, 14);
    assert_int_equal(blk_pread(blk, 2 * 4096, buf, 4096), 0);
    for (unsigned i = 0; i < 4096; i++) {
        uint8_t want = i >= 100 && i < 150 ? qt_pattern_byte(14, 8192 + i)
                                           : (uint8_t)((i / 5) + 2);

        assert_int_equal(buf[i], want);
    }
    assert_int_equal(bdrv_check(blk_bs(blk), &res, 0), 0);
    assert_int_equal(res.corruptions + res.leaks + res.check_errors, 0);
    assert_int_equal(res.compressed_clusters, 8);
    assert_int_equal(bdrv_get_info(blk_bs(blk), &bdi), 0);
    assert_string_equal(bdi.qcow2.compression_type, ctype);
    blk_unref(blk);
    /* Reopened: the decompressed-cluster cache is gone. */
    blk = qt_open(path, "qcow2", 0);
    assert_int_equal(blk_pread(blk, 7 * 4096, buf, 4096), 0);
    assert_int_equal(buf[4095], (uint8_t)(4095 / 10 + 7));
    blk_unref(blk);
    unlink(path);
    free(path);
    free(opts);
}

static void test_compressed(void **state)
{
    compressed_case("zlib");
    compressed_case("zstd");
}

static void test_snapshots(void **state)
{
    char *path = qt_path("snap.qcow2");
    BlockSnapshotInfo sn = { 0 }, *list, found;
    BlockBackend *blk;
    Error *err = NULL;
    int n;

    qt_create("qcow2", path, 1 * MiB, "cluster_size=4096");
    blk = qt_open(path, "qcow2", RW);
    qt_write_pattern(blk, 0, 256 * 1024, 21);
    snprintf(sn.name, sizeof(sn.name), "one");
    sn.date_sec = 1234567890;
    sn.vm_clock_nsec = 5000000000ull;
    sn.icount = UINT64_MAX;
    assert_int_equal(bdrv_snapshot_create(blk_bs(blk), &sn), 0);
    assert_string_equal(sn.id_str, "1");
    qt_write_pattern(blk, 4096, 8192, 22);      /* COW from the snapshot */
    qt_write_pattern(blk, 512 * 1024, 4096, 23);
    memset(&sn, 0, sizeof(sn));
    snprintf(sn.name, sizeof(sn.name), "two");
    assert_int_equal(bdrv_snapshot_create(blk_bs(blk), &sn), 0);
    assert_string_equal(sn.id_str, "2");
    /* An explicit id that exists is refused. */
    snprintf(sn.id_str, sizeof(sn.id_str), "1");
    assert_int_equal(bdrv_snapshot_create(blk_bs(blk), &sn), -EEXIST);
    qt_write_pattern(blk, 0, 4096, 24);
    qt_check_clean(blk);

    n = bdrv_snapshot_list(blk_bs(blk), &list);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].name, "one");
    assert_int_equal(list[0].date_sec, 1234567890);
    assert_int_equal(list[0].vm_clock_nsec, 5000000000ull);
    assert_int_equal(list[0].icount, UINT64_MAX);
    free(list);

    assert_int_equal(bdrv_snapshot_goto(blk_bs(blk), "one", &err), 0);
    qt_check_pattern(blk, 0, 256 * 1024, 21);
    qt_check_pattern(blk, 512 * 1024, 4096, 0);
    qt_check_clean(blk);
    assert_int_equal(bdrv_snapshot_goto(blk_bs(blk), "2", &err), 0);
    qt_check_pattern(blk, 0, 4096, 21);
    qt_check_pattern(blk, 4096, 8192, 22);
    qt_check_pattern(blk, 512 * 1024, 4096, 23);
    assert_true(bdrv_snapshot_goto(blk_bs(blk), "nope", &err) < 0);
    assert_non_null(strstr(error_get_pretty(err), "Failed to load snapshot: "
                           "No such file or directory"));
    error_free(err);
    err = NULL;

    assert_int_equal(bdrv_snapshot_find(blk_bs(blk), &found, "one"), 0);
    assert_int_equal(bdrv_snapshot_delete(blk_bs(blk), found.id_str,
                                          found.name, &err), 0);
    assert_int_equal(bdrv_snapshot_delete(blk_bs(blk), "1", NULL, &err),
                     -ENOENT);
    error_free(err);
    err = NULL;
    qt_check_pattern(blk, 4096, 8192, 22);
    qt_check_clean(blk);
    /* Deleting the last one hands every cluster back to the active
     * state: writes are in place again (no leak, no COW left). */
    assert_int_equal(bdrv_snapshot_delete(blk_bs(blk), "2", NULL, &err), 0);
    qt_write_pattern(blk, 0, 4096, 25);
    qt_check_clean(blk);
    blk_unref(blk);

    blk = qt_open(path, "qcow2", 0);
    assert_int_equal(bdrv_snapshot_list(blk_bs(blk), &list), 0);
    free(list);
    qt_check_pattern(blk, 0, 4096, 25);
    qt_check_pattern(blk, 4096, 8192, 22);
    blk_unref(blk);
    free(path);
}

/* A snapshot remembers the disk size; resizing after it, then going
 * back, restores the size. */
static void test_snapshot_resize(void **state)
{
    char *path = qt_path("snapsize.qcow2");
    BlockSnapshotInfo sn = { .name = "small" };
    BlockBackend *blk;
    Error *err = NULL;

    qt_create("qcow2", path, 1 * MiB, NULL);
    blk = qt_open(path, "qcow2", RW);
    qt_write_pattern(blk, 0, 4096, 31);
    assert_int_equal(bdrv_snapshot_create(blk_bs(blk), &sn), 0);
    assert_int_equal(bdrv_truncate_prealloc(blk_bs(blk), 3 * MiB,
                                            BLOCK_PREALLOC_OFF, &err), 0);
    qt_write_pattern(blk, 2 * MiB, 4096, 32);
    /* Shrinking with snapshots is refused, as QEMU does. */
    assert_true(bdrv_truncate_prealloc(blk_bs(blk), 512 * 1024,
                                       BLOCK_PREALLOC_OFF, &err) < 0);
    error_free(err);
    err = NULL;
    assert_int_equal(bdrv_snapshot_goto(blk_bs(blk), "small", &err), 0);
    assert_int_equal(blk_getlength(blk), 1 * MiB);
    qt_check_pattern(blk, 0, 4096, 31);
    qt_check_clean(blk);
    blk_unref(blk);
    free(path);
}

static void test_resize(void **state)
{
    static const BlockPreallocMode modes[] = {
        BLOCK_PREALLOC_OFF, BLOCK_PREALLOC_METADATA, BLOCK_PREALLOC_FALLOC,
        BLOCK_PREALLOC_FULL,
    };

    for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
        char *path = qt_path("resize.qcow2");
        BlockBackend *blk;
        BlockCheckResult res;
        Error *err = NULL;
        uint64_t file_before;

        qt_create("qcow2", path, 1 * MiB, "cluster_size=4096");
        blk = qt_open(path, "qcow2", RW);
        qt_write_pattern(blk, 1 * MiB - 4096, 4096, 41);
        assert_int_equal(bdrv_truncate_prealloc(blk_bs(blk), 9 * MiB,
                                                modes[m], &err), 0);
        assert_int_equal(blk_getlength(blk), 9 * MiB);
        qt_check_pattern(blk, 1 * MiB - 4096, 4096, 41);
        qt_check_pattern(blk, 1 * MiB, 8 * MiB, 0);
        qt_write_pattern(blk, 9 * MiB - 100, 100, 42);
        assert_int_equal(bdrv_check(blk_bs(blk), &res, 0), 0);
        assert_int_equal(res.corruptions + res.leaks, 0);
        if (modes[m] != BLOCK_PREALLOC_OFF) {
            /* The grown part, and the one cluster written before. */
            assert_int_equal(res.allocated_clusters, 8 * MiB / 4096 + 1);
        }
        /* Shrink: the tail goes, the file gives space back; regrown
         * space reads zeroes. */
        file_before = qt_file_size(path);
        assert_int_equal(bdrv_truncate_prealloc(blk_bs(blk), 1 * MiB - 2048,
                                                BLOCK_PREALLOC_OFF, &err),
                         0);
        assert_true(qt_file_size(path) <= file_before);
        assert_int_equal(bdrv_truncate_prealloc(blk_bs(blk), 2 * MiB,
                                                BLOCK_PREALLOC_OFF, &err),
                         0);
        qt_check_pattern(blk, 1 * MiB - 4096, 2048, 41);
        qt_check_pattern(blk, 1 * MiB - 2048, 1 * MiB + 2048, 0);
        assert_true(bdrv_truncate_prealloc(blk_bs(blk), 1000,
                                           BLOCK_PREALLOC_OFF, &err) < 0);
        error_free(err);
        qt_check_clean(blk);
        blk_unref(blk);
        unlink(path);
        free(path);
    }
}

static void test_commit_and_rebase(void **state)
{
    char *base = qt_path("cbase.qcow2"), *top = qt_path("ctop.qcow2");
    char *other = qt_path("cother.qcow2");
    BlockBackend *blk;
    Error *err = NULL;

    qt_create("qcow2", base, 1 * MiB, NULL);
    blk = qt_open(base, "qcow2", RW);
    qt_write_pattern(blk, 0, 1 * MiB, 51);
    blk_unref(blk);
    qt_create("qcow2", top, 1 * MiB,
              "backing_file=cbase.qcow2,backing_fmt=qcow2");
    blk = qt_open(top, NULL, RW);
    qt_write_pattern(blk, 100000, 5000, 52);
    assert_int_equal(blk_pwrite_zeroes(blk, 0, 65536, 0), 0);
    /* Commit: the base (opened read-only in the chain) gets both. */
    assert_true(blk_bs(blk)->backing->read_only);
    assert_true(bdrv_commit(blk_bs(blk), NULL, NULL, NULL, &err));
    assert_true(blk_bs(blk)->backing->read_only);
    assert_int_equal(bdrv_make_empty(blk_bs(blk)), 0);
    qt_check_pattern(blk, 0, 65536, 0);
    qt_check_pattern(blk, 65536, 100000 - 65536, 51);
    qt_check_pattern(blk, 100000, 5000, 52);
    assert_int_equal(bdrv_is_allocated_above(blk_bs(blk),
                                             blk_bs(blk)->backing, 100000,
                                             5000, &(uint64_t){ 0 }), 0);
    qt_check_clean(blk);
    blk_unref(blk);
    blk = qt_open(base, "qcow2", 0);
    qt_check_pattern(blk, 100000, 5000, 52);
    qt_check_pattern(blk, 0, 65536, 0);
    qt_check_clean(blk);
    blk_unref(blk);

    /* rebase -u: point the overlay elsewhere, then nowhere. */
    qt_create("qcow2", other, 1 * MiB, NULL);
    blk = qt_open(top, "qcow2", RW | BDRV_O_NO_BACKING);
    assert_int_equal(bdrv_change_backing_file(blk_bs(blk), "cother.qcow2",
                                              "qcow2"), 0);
    blk_unref(blk);
    blk = qt_open(top, NULL, 0);
    assert_string_equal(blk_bs(blk)->backing->filename +
                        strlen(blk_bs(blk)->backing->filename) - 12,
                        "cother.qcow2");
    qt_check_pattern(blk, 0, 65536, 0);
    blk_unref(blk);
    blk = qt_open(top, "qcow2", RW);
    assert_int_equal(bdrv_change_backing_file(blk_bs(blk), NULL, NULL), 0);
    blk_unref(blk);
    blk = qt_open(top, "qcow2", 0);
    assert_null(blk_bs(blk)->backing);
    assert_null(blk_bs(blk)->backing_file);
    qt_check_clean(blk);
    blk_unref(blk);
    free(base);
    free(top);
    free(other);
}

/* Lazy refcounts: dirty while open, clean after close; a copy taken
 * while dirty (a crash) is repaired when opened read-write. */
static void test_dirty_bit(void **state)
{
    char *path = qt_path("lazy.qcow2"), *copy = qt_path("lazy-copy.qcow2");
    BlockBackend *blk;
    BlockDriverInfo bdi;

    qt_create("qcow2", path, 1 * MiB, "lazy_refcounts=on,cluster_size=4096");
    blk = qt_open(path, "qcow2", RW);
    qt_write_pattern(blk, 0, 40000, 61);
    assert_int_equal(blk_flush(blk), 0);
    assert_true(qt_file_be64(path, QCOW2_HDR_INCOMPAT_OFF) &
                QCOW2_INCOMPAT_DIRTY);
    assert_int_equal(bdrv_get_info(blk_bs(blk), &bdi), 0);
    assert_true(bdi.is_dirty);
    assert_true(bdi.qcow2.lazy_refcounts);
    assert_int_equal(qt_run("cp '%s' '%s'", path, copy), 0);
    blk_unref(blk);
    assert_false(qt_file_be64(path, QCOW2_HDR_INCOMPAT_OFF) &
                 QCOW2_INCOMPAT_DIRTY);

    /* Break the copy's refcounts the way a crash could leave them. */
    {
        uint64_t rt = qt_file_be64(copy, QCOW2_HDR_REFTABLE_OFF);
        uint64_t rb = qt_file_be64(copy, rt);
        uint8_t zero[64] = { 0 };

        qt_file_write(copy, rb + 2 * 4, zero, sizeof(zero));
    }
    blk = qt_open(copy, "qcow2", RW);
    assert_false(qt_file_be64(copy, QCOW2_HDR_INCOMPAT_OFF) &
                 QCOW2_INCOMPAT_DIRTY);
    qt_check_pattern(blk, 0, 40000, 61);
    qt_check_clean(blk);
    blk_unref(blk);
    free(path);
    free(copy);
}

static void test_locking(void **state)
{
    char *path = qt_path("lock.qcow2");
    BlockBackend *a, *b;
    char *msg;

    qt_create("qcow2", path, 1 * MiB, NULL);
    a = qt_open(path, "qcow2", RW);
    b = qt_try_open(path, "qcow2", RW, &msg);
    assert_null(b);
    assert_non_null(strstr(msg, "Failed to get \"write\" lock"));
    assert_non_null(strstr(msg, "Is another process using the image"));
    free(msg);
    b = qt_try_open(path, "qcow2", 0, &msg);
    assert_null(b);
    assert_non_null(strstr(msg, "Failed to get shared \"write\" lock"));
    free(msg);
    /* -U: a reader that excludes nobody. */
    b = qt_open(path, "qcow2", BDRV_O_FORCE_SHARE);
    blk_unref(b);
    assert_null(qt_try_open(path, "qcow2", RW | BDRV_O_FORCE_SHARE, &msg));
    assert_non_null(strstr(msg, "force-share=on can only be used with "
                            "read-only images"));
    free(msg);
    blk_unref(a);
    /* Readers share. */
    a = qt_open(path, "qcow2", 0);
    b = qt_open(path, "qcow2", 0);
    blk_unref(a);
    blk_unref(b);
    free(path);
}

typedef struct Pending {
    int done;
    int ret;
} Pending;

static void pending_cb(void *opaque, int ret)
{
    Pending *p = opaque;

    p->done++;
    if (ret && !p->ret) {
        p->ret = ret;
    }
}

/* Many requests on the worker threads at once, several allocating
 * clusters in the same L2 table. */
static void test_concurrent(void **state)
{
    enum { N = 64, LEN = 3000 };
    char *path = qt_path("conc.qcow2");
    BlockBackend *blk;
    uint8_t *bufs[N];
    struct iovec iov[N];
    Pending p = { 0 };

    qt_create("qcow2", path, 4 * MiB, "cluster_size=4096");
    blk = qt_open(path, "qcow2", RW);
    for (int i = 0; i < N; i++) {
        uint64_t off = (uint64_t)i * 5000;

        bufs[i] = xmalloc(LEN);
        qt_fill(bufs[i], off, LEN, 71);
        iov[i] = (struct iovec) { bufs[i], LEN };
        blk_aio_pwritev(blk, off, &iov[i], 1, 0, pending_cb, &p);
    }
    while (p.done < N) {
        blk_aio_wait(blk, -1);
    }
    assert_int_equal(p.ret, 0);
    for (int i = 0; i < N; i++) {
        qt_check_pattern(blk, (uint64_t)i * 5000, LEN, 71);
        qt_check_pattern(blk, (uint64_t)i * 5000 + LEN, 2000, 0);
    }
    /* Reads while writing in place. */
    p = (Pending) { 0 };
    for (int i = 0; i < N; i++) {
        if (i % 2) {
            blk_aio_preadv(blk, (uint64_t)i * 5000, &iov[i], 1, 0,
                           pending_cb, &p);
        } else {
            blk_aio_pwritev(blk, (uint64_t)i * 5000, &iov[i], 1, 0,
                            pending_cb, &p);
        }
    }
    blk_drain(blk);
    assert_int_equal(p.done, N);
    assert_int_equal(p.ret, 0);
    assert_int_equal(blk_flush(blk), 0);
    qt_check_clean(blk);
    blk_unref(blk);
    for (int i = 0; i < N; i++) {
        free(bufs[i]);
    }
    free(path);
}

static void test_snapshot_overlay(void **state)
{
    char *path = qt_path("overlay.qcow2");
    BlockBackend *blk;
    uint8_t before[4096], after[4096];
    Error *err = NULL;

    qt_create("qcow2", path, 1 * MiB, NULL);
    blk = qt_open(path, "qcow2", RW);
    qt_write_pattern(blk, 0, 65536, 81);
    blk_unref(blk);
    qt_file_read(path, 0, before, sizeof(before));

    blk = qt_open(path, "qcow2", RW | BDRV_O_SNAPSHOT);
    assert_false(blk_is_read_only(blk));
    assert_true(blk_bs(blk)->backing->read_only);
    qt_write_pattern(blk, 4096, 4096, 82);
    qt_check_pattern(blk, 0, 4096, 81);
    qt_check_pattern(blk, 4096, 4096, 82);
    assert_int_equal(blk_flush(blk), 0);
    blk_unref(blk);
    /* The image is untouched. */
    blk = qt_open(path, "qcow2", 0);
    qt_check_pattern(blk, 4096, 4096, 81);
    blk_unref(blk);
    qt_file_read(path, 0, after, sizeof(after));
    assert_memory_equal(before, after, sizeof(before));

    /* Commit (Ctrl-A s) moves the writes into the image. */
    blk = qt_open(path, "qcow2", RW | BDRV_O_SNAPSHOT);
    qt_write_pattern(blk, 8192, 4096, 83);
    assert_true(blk_commit_snapshot(blk, &err));
    qt_check_pattern(blk, 8192, 4096, 83);
    assert_true(blk_bs(blk)->backing->read_only);
    blk_unref(blk);
    blk = qt_open(path, "qcow2", 0);
    qt_check_pattern(blk, 8192, 4096, 83);
    qt_check_pattern(blk, 4096, 4096, 81);
    qt_check_clean(blk);
    blk_unref(blk);
    free(path);
}

static void test_vmstate(void **state)
{
    char *path = qt_path("vmstate.qcow2");
    BlockSnapshotInfo sn = { .name = "vm" };
    BlockBackend *blk;
    BlockDriverState *bs;
    uint8_t state_buf[10000], back[10000];
    BlockSnapshotInfo *list;
    Error *err = NULL;

    qt_create("qcow2", path, 1 * MiB, "cluster_size=4096");
    blk = qt_open(path, "qcow2", RW);
    bs = blk_bs(blk);
    qt_fill(state_buf, 0, sizeof(state_buf), 91);
    assert_int_equal(bdrv_save_vmstate(bs, state_buf, 0, sizeof(state_buf)),
                     0);
    sn.vm_state_size = sizeof(state_buf);
    assert_int_equal(bdrv_snapshot_create(bs, &sn), 0);
    /* The active state no longer holds it. */
    assert_int_equal(bdrv_load_vmstate(bs, back, 0, sizeof(back)), 0);
    qt_fill(state_buf, 0, sizeof(state_buf), 0);
    assert_memory_equal(back, state_buf, sizeof(back));
    assert_int_equal(bdrv_snapshot_list(bs, &list), 1);
    assert_int_equal(list[0].vm_state_size, sizeof(state_buf));
    free(list);
    assert_int_equal(bdrv_snapshot_goto(bs, "vm", &err), 0);
    assert_int_equal(bdrv_load_vmstate(bs, back, 0, sizeof(back)), 0);
    qt_fill(state_buf, 0, sizeof(state_buf), 91);
    assert_memory_equal(back, state_buf, sizeof(back));
    qt_check_clean(blk);
    blk_unref(blk);
    free(path);
}

static void test_measure_source(void **state)
{
    char *path = qt_path("msrc.qcow2");
    BlockCreateOptions o;
    BlockMeasureInfo info;
    BlockBackend *blk;
    Error *err = NULL;

    qt_create("qcow2", path, 64 * MiB, NULL);
    blk = qt_open(path, "qcow2", RW);
    qt_write_pattern(blk, 0, 3 * 65536, 95);
    qt_write_pattern(blk, 10 * MiB + 100, 10, 96);
    bdrv_create_options_init(&o);
    assert_true(bdrv_measure("qcow2", &o, blk_bs(blk), &info, &err));
    /* 4 data clusters plus the metadata of a 64 MiB image. */
    assert_int_equal(info.required, 4 * 65536 + 5 * 65536);
    assert_int_equal(info.fully_allocated, 64 * MiB + 5 * 65536);
    assert_true(bdrv_measure("raw", &o, blk_bs(blk), &info, &err));
    assert_int_equal(info.required, 64 * MiB);
    bdrv_create_options_free(&o);
    blk_unref(blk);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cluster_sizes),
        cmocka_unit_test(test_refcount_table_growth),
        cmocka_unit_test(test_backing_cow),
        cmocka_unit_test(test_zero_clusters),
        cmocka_unit_test(test_discard),
        cmocka_unit_test(test_compressed),
        cmocka_unit_test(test_snapshots),
        cmocka_unit_test(test_snapshot_resize),
        cmocka_unit_test(test_resize),
        cmocka_unit_test(test_commit_and_rebase),
        cmocka_unit_test(test_dirty_bit),
        cmocka_unit_test(test_locking),
        cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_snapshot_overlay),
        cmocka_unit_test(test_vmstate),
        cmocka_unit_test(test_measure_source),
    };

    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
