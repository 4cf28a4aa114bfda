/*
 * tests/unit/test-qcow2-hostile.c — crafted, damaged and hostile qcow2
 * images. Each header field that sizes or locates something is pushed
 * out of range and must give a clear error at open (never a crash, a
 * huge allocation or a read out of bounds); metadata damaged behind a
 * valid header must fail the request with -EIO, mark the image corrupt,
 * and be reported by check; check -r leaks / -r all must repair what
 * they claim to. Images are made with bdrv_create() (4 KiB clusters,
 * 1 MiB: header at 0, refcount table at 0x1000, its block at 0x2000,
 * L1 at 0x3000, and after a first write the L2 table at 0x4000 and data
 * from 0x5000) and patched byte by byte.
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

#define CS 4096
#define RT_OFF 0x1000
#define RB_OFF 0x2000
#define L1_OFF 0x3000
#define L2_OFF 0x4000
#define DATA_OFF 0x5000

static int teardown_all(void **state)
{
    qt_cleanup();
    return 0;
}

/* A valid image with one written cluster at guest offset 0. */
static char *fresh_image(const char *name)
{
    char *path = qt_path(name);
    BlockBackend *blk;

    qt_create("qcow2", path, 1 * MiB, "cluster_size=4096");
    blk = qt_open(path, "qcow2", BDRV_O_RDWR);
    qt_write_pattern(blk, 0, CS, 1);
    blk_unref(blk);
    assert_int_equal(qt_file_be64(path, L1_OFF) & QCOW2_L1E_OFFSET_MASK,
                     L2_OFF);
    assert_int_equal(qt_file_be64(path, L2_OFF) & QCOW2_L2E_OFFSET_MASK,
                     DATA_OFF);
    return path;
}

static void expect_open_error(const char *path, const char *fmt, int flags,
                              const char *needle)
{
    char *msg;
    BlockBackend *blk = qt_try_open(path, fmt, flags, &msg);

    if (blk) {
        blk_unref(blk);
        fail_msg("open succeeded, expected \"%s\"", needle);
    }
    if (!strstr(msg, needle)) {
        fail_msg("expected \"%s\", got \"%s\"", needle, msg);
    }
    free(msg);
}

typedef struct HeaderCase {
    unsigned offset;
    unsigned width;     /* 4 or 8 */
    uint64_t value;
    const char *needle;
} HeaderCase;

static void test_bad_headers(void **state)
{
    static const HeaderCase cases[] = {
        { 0, 4, 0x12345678, "Image is not in qcow2 format" },
        { 4, 4, 4, "Unsupported qcow2 version 4" },
        { 4, 4, 1, "Unsupported qcow2 version 1" },
        { 20, 4, 8, "Unsupported cluster size: 2^8" },
        { 20, 4, 22, "Unsupported cluster size: 2^22" },
        { 20, 4, 0xffffffff, "Unsupported cluster size" },
        { 100, 4, 50, "qcow2 header too short" },
        { 100, 4, 1 << 20, "qcow2 header exceeds cluster size" },
        { 72, 8, 1ull << 40, "Unsupported qcow2 feature(s): Unknown "
                             "incompatible feature: 10000000000" },
        { 72, 8, QCOW2_INCOMPAT_EXTL2,
          "Unsupported qcow2 feature(s): extended L2 entries" },
        { 72, 8, QCOW2_INCOMPAT_DATA_FILE,
          "Unsupported qcow2 feature(s): external data file" },
        { 32, 4, 1, "Encrypted qcow2 images are not supported" },
        { 96, 4, 7, "may not exceed 64 bits" },
        { 8, 8, 8192, "Invalid backing file offset" },
        { 56, 4, 0, "does not contain a reference count table" },
        { 56, 4, 1 << 30, "reference count table too large" },
        { 48, 8, 0x1001, "Invalid reference count table offset" },
        { 48, 8, 0xfffffffffffff000ull, "reference count table offset" },
        { 36, 4, 1 << 30, "L1 table too large" },
        { 40, 8, 0x3008, "Invalid L1 table offset" },
        { 36, 4, 0, "L1 table is too small" },
        { 24, 8, 1ull << 62, "Image is too big" },
        { 24, 8, UINT64_MAX, "Image is too big" },
        { 60, 4, 70000, "Too many snapshots" },
        { 60, 4, 1, "Invalid snapshot table offset" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *path = fresh_image("hdr.qcow2");

        if (cases[i].width == 4) {
            qt_file_set_be32(path, cases[i].offset, cases[i].value);
        } else {
            qt_file_set_be64(path, cases[i].offset, cases[i].value);
        }
        if (cases[i].offset == 60 && cases[i].value == 1) {
            qt_file_set_be64(path, 64, 0x5008);
        }
        expect_open_error(path, "qcow2", 0, cases[i].needle);
        unlink(path);
        free(path);
    }
}

static void test_bad_compression_type(void **state)
{
    char *path = fresh_image("ctype.qcow2");
    uint8_t five = 5, one = 1;

    qt_file_write(path, 104, &one, 1);
    expect_open_error(path, "qcow2", 0, "Invalid compression type");
    qt_file_set_be64(path, 72, QCOW2_INCOMPAT_COMPRESSION);
    qt_file_write(path, 104, &five, 1);
    expect_open_error(path, "qcow2", 0, "Unknown compression type 5");
    free(path);
}

static void test_bad_extensions(void **state)
{
    char *path = fresh_image("ext.qcow2");
    uint64_t ext = 112;

    /* Replace the first extension (the feature table) by hostile ones. */
    qt_file_set_be32(path, ext, 0x12345678);
    qt_file_set_be32(path, ext + 4, 0xfffffff0);
    expect_open_error(path, "qcow2", 0, "Header extension too large");
    qt_file_set_be32(path, ext, QCOW2_EXT_BACKING_FORMAT);
    qt_file_set_be32(path, ext + 4, 100);
    expect_open_error(path, "qcow2", 0, "ext_backing_format");
    free(path);
}

/* An unknown extension survives a header rewrite (rebase -u). */
static void test_unknown_extension_kept(void **state)
{
    char *path = fresh_image("keep.qcow2");
    uint8_t data[12] = "hello world";
    uint8_t back[12];
    BlockBackend *blk;
    uint64_t pos = 112;

    /* Walk to the end marker and put an extension there. */
    while (qt_file_be32(path, pos)) {
        pos += 8 + ALIGN_UP(qt_file_be32(path, pos + 4), 8);
    }
    qt_file_set_be32(path, pos, 0xabcdef01);
    qt_file_set_be32(path, pos + 4, 11);
    qt_file_write(path, pos + 8, data, 11);
    qt_file_set_be64(path, pos + 24, 0);
    blk = qt_open(path, "qcow2", BDRV_O_RDWR | BDRV_O_NO_BACKING);
    assert_int_equal(bdrv_change_backing_file(blk_bs(blk), "x.raw", "raw"),
                     0);
    blk_unref(blk);
    for (pos = 112; qt_file_be32(path, pos) != 0xabcdef01;) {
        assert_int_not_equal(qt_file_be32(path, pos), 0);
        pos += 8 + ALIGN_UP(qt_file_be32(path, pos + 4), 8);
    }
    assert_int_equal(qt_file_be32(path, pos + 4), 11);
    qt_file_read(path, pos + 8, back, 11);
    assert_memory_equal(back, data, 11);
    free(path);
}

static void test_truncated_files(void **state)
{
    char *path = fresh_image("trunc.qcow2");
    char *copy = qt_path("trunc-copy.qcow2");
    uint64_t size = qt_file_size(path);

    /* Every prefix: the open fails cleanly or the image reads. */
    for (uint64_t len = 0; len < size; len += len < 200 ? 8 : 1024) {
        BlockBackend *blk;
        uint8_t buf[CS];

        assert_int_equal(qt_run("head -c %" PRIu64 " '%s' > '%s'", len,
                                path, copy), 0);
        blk = qt_try_open(copy, "qcow2", 0, NULL);
        if (blk) {
            int ret = blk_pread(blk, 0, buf, sizeof(buf));

            assert_true(ret == 0 || ret == -EIO);
            blk_unref(blk);
        }
    }
    assert_int_equal(qt_run(": > '%s'", copy), 0);
    expect_open_error(copy, "qcow2", 0, "Image is not in qcow2 format");
    free(path);
    free(copy);
}

static void test_bad_snapshot_table(void **state)
{
    char *path = fresh_image("snaps.qcow2");
    BlockSnapshotInfo sn = { .name = "s" };
    BlockBackend *blk;
    uint64_t snoff;

    blk = qt_open(path, "qcow2", BDRV_O_RDWR);
    assert_int_equal(bdrv_snapshot_create(blk_bs(blk), &sn), 0);
    blk_unref(blk);
    snoff = qt_file_be64(path, 64);
    assert_int_not_equal(snoff, 0);

    qt_file_set_be32(path, snoff + 36, 5000);
    expect_open_error(path, "qcow2", 0, "Too much extra metadata");
    qt_file_set_be32(path, snoff + 36, 24);
    qt_file_set_be32(path, snoff + 8, 1 << 30);
    expect_open_error(path, "qcow2", 0, "Snapshot L1 table too large");
    qt_file_set_be32(path, snoff + 8, 1);
    qt_file_set_be64(path, snoff, 0x3004);
    expect_open_error(path, "qcow2", 0, "Snapshot L1 table offset invalid");
    free(path);
}

/* Metadata broken behind a good header: -EIO, corrupt bit, check. */
static void test_unaligned_l2(void **state)
{
    char *path = fresh_image("l2.qcow2");
    BlockBackend *blk;
    BlockCheckResult res;
    uint8_t buf[CS];

    qt_file_set_be64(path, L1_OFF, QCOW2_OFLAG_COPIED | (L2_OFF + 512));
    blk = qt_open(path, "qcow2", 0);
    assert_int_equal(blk_pread(blk, 0, buf, sizeof(buf)), -EIO);
    assert_int_equal(bdrv_check(blk_bs(blk), &res, 0), 0);
    assert_true(res.corruptions > 0);
    blk_unref(blk);

    /* Read-write: the first bad access marks the image corrupt. */
    blk = qt_open(path, "qcow2", BDRV_O_RDWR);
    assert_int_equal(blk_pread(blk, 0, buf, sizeof(buf)), -EIO);
    assert_int_equal(blk_pwrite(blk, 65536, buf, sizeof(buf)), -EIO);
    blk_unref(blk);
    assert_true(qt_file_be64(path, QCOW2_HDR_INCOMPAT_OFF) &
                QCOW2_INCOMPAT_CORRUPT);
    expect_open_error(path, "qcow2", BDRV_O_RDWR,
                      "Image is corrupt; cannot be opened read/write");
    /* Read-only opens still work (and still fail the bad reads). */
    blk = qt_open(path, "qcow2", 0);
    assert_int_equal(blk_pread(blk, 4096, buf, 100), -EIO);
    blk_unref(blk);
    free(path);
}

static void test_data_on_metadata(void **state)
{
    char *path = fresh_image("overlap.qcow2");
    BlockBackend *blk;
    BlockCheckResult res;
    uint8_t buf[CS], hdr[CS], hdr2[CS];

    /* The L2 entry claims the refcount table cluster as data. */
    qt_file_set_be64(path, L2_OFF, QCOW2_OFLAG_COPIED | RT_OFF);
    qt_file_read(path, 0, hdr, sizeof(hdr));
    blk = qt_open(path, "qcow2", BDRV_O_RDWR | BDRV_O_CHECK);
    memset(buf, 0xee, sizeof(buf));
    assert_int_equal(blk_pwrite(blk, 0, buf, sizeof(buf)), -EIO);
    blk_unref(blk);
    qt_file_read(path, 0, hdr2, sizeof(hdr2));
    /* Only the corrupt bit changed; the refcount table is intact. */
    hdr2[QCOW2_HDR_INCOMPAT_OFF + 7] &= ~QCOW2_INCOMPAT_CORRUPT;
    assert_memory_equal(hdr, hdr2, sizeof(hdr));
    assert_int_equal(qt_file_be64(path, RT_OFF), RB_OFF);
    blk = qt_open(path, "qcow2", BDRV_O_CHECK);
    assert_int_equal(bdrv_check(blk_bs(blk), &res, 0), 0);
    assert_true(res.corruptions >= 1);      /* refcount 1, 2 references */
    assert_true(res.leaks >= 1);            /* the old data cluster */
    blk_unref(blk);
    free(path);
}

static void test_bad_compressed_data(void **state)
{
    char *path = qt_path("badcomp.qcow2");
    BlockBackend *blk;
    uint8_t buf[CS];
    uint64_t e;

    qt_create("qcow2", path, 1 * MiB, "cluster_size=4096");
    blk = qt_open(path, "qcow2", BDRV_O_RDWR);
    memset(buf, 'a', sizeof(buf));
    assert_int_equal(blk_pwrite_compressed(blk, 0, buf, sizeof(buf)), 0);
    blk_unref(blk);
    e = qt_file_be64(path, L2_OFF);
    assert_true(e & QCOW2_OFLAG_COMPRESSED);
    /* Garbage where the stream was; then a descriptor past the file. */
    memset(buf, 0x5a, 64);
    qt_file_write(path, e & ((1ull << 58) - 1), buf, 64);
    blk = qt_open(path, "qcow2", 0);
    assert_int_equal(blk_pread(blk, 0, buf, sizeof(buf)), -EIO);
    blk_unref(blk);
    qt_file_set_be64(path, L2_OFF, QCOW2_OFLAG_COMPRESSED |
                     (0x3full << 58) | (1ull << 50));
    blk = qt_open(path, "qcow2", 0);
    assert_int_equal(blk_pread(blk, 0, buf, sizeof(buf)), -EIO);
    blk_unref(blk);
    free(path);
}

/* References far past the end: counted as errors, not allocated for. */
static void test_far_references(void **state)
{
    char *path = fresh_image("far.qcow2");
    BlockBackend *blk;
    BlockCheckResult res;
    uint8_t buf[CS];

    qt_file_set_be64(path, L2_OFF, QCOW2_OFLAG_COPIED | (1ull << 54));
    qt_file_set_be64(path, L1_OFF + 0, QCOW2_OFLAG_COPIED | L2_OFF);
    blk = qt_open(path, "qcow2", 0);
    /* Past the end of the file reads zeroes, like any hole. */
    assert_int_equal(blk_pread(blk, 0, buf, sizeof(buf)), 0);
    assert_int_equal(bdrv_check(blk_bs(blk), &res, 0), 0);
    assert_true(res.corruptions >= 1);
    blk_unref(blk);
    free(path);
}

static void test_repair_leaks(void **state)
{
    char *path = fresh_image("leak.qcow2");
    BlockBackend *blk;
    BlockCheckResult res;

    /* The L1 table (cluster 3) and the data (cluster 5) get an extra
     * count: two leaks, and the data cluster's COPIED flag no longer
     * matches (a corruption, as qemu-img counts it). */
    qt_file_write(path, RB_OFF + 3 * 2, "\0\2", 2);
    qt_file_write(path, RB_OFF + 5 * 2, "\0\2", 2);
    blk = qt_open(path, "qcow2", BDRV_O_CHECK);
    assert_int_equal(bdrv_check(blk_bs(blk), &res, 0), 0);
    assert_int_equal(res.leaks, 2);
    assert_int_equal(res.corruptions, 1);
    assert_int_equal(res.image_end_offset, 6 * CS);
    blk_unref(blk);
    blk = qt_open(path, "qcow2", BDRV_O_RDWR | BDRV_O_CHECK);
    assert_int_equal(bdrv_check(blk_bs(blk), &res, BDRV_FIX_LEAKS), 0);
    assert_int_equal(res.leaks_fixed, 2);
    assert_int_equal(res.leaks, 0);
    assert_int_equal(res.corruptions, 0);
    assert_int_equal(bdrv_check(blk_bs(blk), &res, 0), 0);
    assert_int_equal(res.leaks + res.corruptions, 0);
    qt_check_pattern(blk, 0, CS, 1);
    blk_unref(blk);
    free(path);
}

static void test_repair_all(void **state)
{
    char *path = fresh_image("fixall.qcow2");
    BlockBackend *blk;
    BlockCheckResult res;

    /* The data cluster's refcount is 0: a write would reuse it. */
    qt_file_write(path, RB_OFF + 5 * 2, "\0\0", 2);
    blk = qt_open(path, "qcow2", BDRV_O_CHECK);
    assert_int_equal(bdrv_check(blk_bs(blk), &res, 0), 0);
    assert_true(res.corruptions >= 1);
    blk_unref(blk);
    blk = qt_open(path, "qcow2", BDRV_O_RDWR | BDRV_O_CHECK);
    assert_int_equal(bdrv_check(blk_bs(blk), &res,
                                BDRV_FIX_LEAKS | BDRV_FIX_ERRORS), 0);
    assert_true(res.corruptions_fixed >= 1);
    assert_int_equal(res.corruptions, 0);
    blk_unref(blk);
    blk = qt_open(path, "qcow2", BDRV_O_RDWR);
    qt_check_clean(blk);
    qt_write_pattern(blk, 8192, 3 * CS, 2);   /* allocates: no reuse */
    qt_check_pattern(blk, 0, CS, 1);
    qt_check_clean(blk);
    blk_unref(blk);

    /* A damaged refcount table entry: rebuilt from scratch. */
    qt_file_set_be64(path, qt_file_be64(path, QCOW2_HDR_REFTABLE_OFF),
                     0x2001);
    blk = qt_open(path, "qcow2", BDRV_O_RDWR | BDRV_O_CHECK);
    assert_int_equal(bdrv_check(blk_bs(blk), &res,
                                BDRV_FIX_LEAKS | BDRV_FIX_ERRORS), 0);
    assert_int_equal(res.corruptions, 0);
    blk_unref(blk);
    blk = qt_open(path, "qcow2", BDRV_O_RDWR);
    qt_check_clean(blk);
    qt_check_pattern(blk, 0, CS, 1);
    qt_check_pattern(blk, 8192, 3 * CS, 2);
    blk_unref(blk);
    free(path);
}

static void test_copied_flag_repair(void **state)
{
    char *path = fresh_image("copied.qcow2");
    BlockBackend *blk;
    BlockCheckResult res;

    qt_file_set_be64(path, L2_OFF, DATA_OFF);   /* COPIED cleared */
    blk = qt_open(path, "qcow2", BDRV_O_CHECK);
    assert_int_equal(bdrv_check(blk_bs(blk), &res, 0), 0);
    assert_int_equal(res.corruptions, 1);
    blk_unref(blk);
    /* -r leaks repairs flags when nothing else is wrong (QEMU's rule). */
    blk = qt_open(path, "qcow2", BDRV_O_RDWR | BDRV_O_CHECK);
    assert_int_equal(bdrv_check(blk_bs(blk), &res, BDRV_FIX_LEAKS), 0);
    assert_int_equal(res.corruptions_fixed, 1);
    blk_unref(blk);
    assert_true(qt_file_be64(path, L2_OFF) & QCOW2_OFLAG_COPIED);
    free(path);
}

/* A missing refcount block for an area in use: the allocator must not
 * put a new block over the header. */
static void test_missing_refblock(void **state)
{
    char *path = fresh_image("norb.qcow2");
    BlockBackend *blk;
    uint8_t hdr[512], hdr2[512];

    qt_file_set_be64(path, RT_OFF, 0);
    qt_file_read(path, 0, hdr, sizeof(hdr));
    blk = qt_open(path, "qcow2", BDRV_O_RDWR);
    qt_check_pattern(blk, 0, CS, 1);
    assert_int_equal(blk_pwrite(blk, 65536, hdr, sizeof(hdr)), -EIO);
    blk_unref(blk);
    qt_file_read(path, 0, hdr2, sizeof(hdr2));
    hdr2[QCOW2_HDR_INCOMPAT_OFF + 7] &= ~QCOW2_INCOMPAT_CORRUPT;
    assert_memory_equal(hdr, hdr2, sizeof(hdr));
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_bad_compression_type),
        cmocka_unit_test(test_bad_extensions),
        cmocka_unit_test(test_unknown_extension_kept),
        cmocka_unit_test(test_truncated_files),
        cmocka_unit_test(test_bad_snapshot_table),
        cmocka_unit_test(test_unaligned_l2),
        cmocka_unit_test(test_data_on_metadata),
        cmocka_unit_test(test_bad_compressed_data),
        cmocka_unit_test(test_far_references),
        cmocka_unit_test(test_repair_leaks),
        cmocka_unit_test(test_repair_all),
        cmocka_unit_test(test_copied_flag_repair),
        cmocka_unit_test(test_missing_refblock),
    };

    /* The driver reports corruption on stderr as QEMU does; expected. */
    fprintf(stderr, "# qcow2 corruption messages below are expected\n");
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
