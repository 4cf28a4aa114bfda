/*
 * tests/unit/test-qcow2-meta.c — qcow2 metadata arithmetic that needs
 * no image: refcount entry packing for every width (qcow2.txt "Refcount
 * block entry", sub-byte widths LSB first), L2 entry classification,
 * compressed-cluster codecs (zlib raw deflate and zstd, with trailing
 * garbage as real images have), the refcount-metadata sizing of
 * measure, creation-option parsing and the "Formatting" description,
 * and qemu-img measure's numbers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "block/qcow2-internal.h"
#include "util/error.h"

static void test_refcount_entries(void **state)
{
    uint8_t block[512];

    for (unsigned order = 0; order <= 6; order++) {
        unsigned bits = 1u << order;
        uint64_t max = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
        uint64_t n = sizeof(block) * 8 / bits;

        memset(block, 0, sizeof(block));
        for (uint64_t i = 0; i < n; i++) {
            qcow2_refcount_set_entry(block, order, i, (i * 7 + 3) & max);
        }
        for (uint64_t i = 0; i < n; i++) {
            assert_int_equal(qcow2_refcount_get_entry(block, order, i),
                             (i * 7 + 3) & max);
        }
        /* Neighbours are untouched by a write. */
        qcow2_refcount_set_entry(block, order, 5, max);
        assert_int_equal(qcow2_refcount_get_entry(block, order, 4),
                         (4 * 7 + 3) & max);
        assert_int_equal(qcow2_refcount_get_entry(block, order, 6),
                         (6 * 7 + 3) & max);
        assert_int_equal(qcow2_refcount_get_entry(block, order, 5), max);
    }
    /* Sub-byte widths: bit 0 is the least significant (spec). */
    memset(block, 0, sizeof(block));
    qcow2_refcount_set_entry(block, 0, 0, 1);
    qcow2_refcount_set_entry(block, 0, 3, 1);
    assert_int_equal(block[0], 0x09);
    qcow2_refcount_set_entry(block, 2, 1, 0xa);
    assert_int_equal(block[0], 0xa9);
    /* 16 bits are big-endian. */
    qcow2_refcount_set_entry(block, 4, 1, 0x1234);
    assert_int_equal(block[2], 0x12);
    assert_int_equal(block[3], 0x34);
}

static void test_cluster_types(void **state)
{
    Qcow2State s = { .cluster_bits = 16 };

    assert_int_equal(qcow2_get_cluster_type(&s, 0),
                     QCOW2_CLUSTER_UNALLOCATED);
    assert_int_equal(qcow2_get_cluster_type(&s, 1),
                     QCOW2_CLUSTER_ZERO_PLAIN);
    assert_int_equal(qcow2_get_cluster_type(&s, 0x50000 | 1),
                     QCOW2_CLUSTER_ZERO_ALLOC);
    assert_int_equal(qcow2_get_cluster_type(&s, QCOW2_OFLAG_COPIED |
                                            0x50000),
                     QCOW2_CLUSTER_NORMAL);
    assert_int_equal(qcow2_get_cluster_type(&s, QCOW2_OFLAG_COMPRESSED |
                                            0x12345),
                     QCOW2_CLUSTER_COMPRESSED);
    /* COPIED alone (offset 0) is still unallocated here. */
    assert_int_equal(qcow2_get_cluster_type(&s, QCOW2_OFLAG_COPIED),
                     QCOW2_CLUSTER_UNALLOCATED);
}

static void codec_roundtrip(uint8_t type, uint32_t cs)
{
    uint8_t *in = malloc(cs), *out = malloc(cs), *back = malloc(cs);
    uint8_t *padded = malloc(cs + 1024);
    ssize_t n;

    for (uint32_t i = 0; i < cs; i++) {
        in[i] = (i / 13) ^ (i % 7);
    }
    n = qcow2_compress(type, out, cs - 1, in, cs);
    assert_true(n > 0 && n < (ssize_t)cs);
    assert_int_equal(qcow2_decompress(type, back, cs, out, n), 0);
    assert_memory_equal(back, in, cs);
    /* Images hold the stream rounded up to sectors: garbage follows. */
    memcpy(padded, out, n);
    memset(padded + n, 0xa5, 1024);
    memset(back, 0, cs);
    assert_int_equal(qcow2_decompress(type, back, cs, padded, n + 1024), 0);
    assert_memory_equal(back, in, cs);
    /* Truncated input is an error, not a crash. */
    assert_int_not_equal(qcow2_decompress(type, back, cs, out, n / 2), 0);
    /* Random data does not compress below a cluster. */
    for (uint32_t i = 0; i < cs; i++) {
        in[i] = (uint8_t)((i * 2654435761u) >> 13) ^ (uint8_t)(i * 97);
    }
    srand(7);
    for (uint32_t i = 0; i < cs; i++) {
        in[i] = rand();
    }
    assert_int_equal(qcow2_compress(type, out, cs - 1, in, cs), -ENOSPC);
    /* Garbage does not decompress (and does not crash). */
    assert_int_not_equal(qcow2_decompress(type, back, cs, in, 512), 0);
    free(in);
    free(out);
    free(back);
    free(padded);
}

static void test_codecs(void **state)
{
    for (uint32_t cs = 512; cs <= 2 * MiB; cs *= 4) {
        codec_roundtrip(QCOW2_COMPRESSION_ZLIB, cs);
        codec_roundtrip(QCOW2_COMPRESSION_ZSTD, cs);
    }
    assert_int_equal(qcow2_compress(7, NULL, 0, NULL, 0), -ENOTSUP);
}

static void test_refcount_metadata_size(void **state)
{
    uint64_t blocks;

    /* 16388 clusters, 64 KiB clusters, 16-bit refcounts: one block and
     * one table cluster. */
    assert_int_equal(qcow2_refcount_metadata_size(16388, 65536, 4, &blocks),
                     2 * 65536);
    assert_int_equal(blocks, 1);
    /* The blocks count themselves: 512-byte clusters, 64-bit refcounts
     * (64 per block) for 64 clusters need two blocks. */
    qcow2_refcount_metadata_size(64, 512, 6, &blocks);
    assert_int_equal(blocks, 2);
}

/* qemu-img create -o ... prints exactly these lines (QEMU 7.2). */
static void test_create_options(void **state)
{
    static const struct {
        const char *fmt, *opts;
        uint64_t size;
        const char *want;
    } cases[] = {
        { "qcow2", NULL, 1 * GiB,
          "fmt=qcow2 cluster_size=65536 extended_l2=off "
          "compression_type=zlib size=1073741824 lazy_refcounts=off "
          "refcount_bits=16" },
        { "qcow2", "cluster_size=4k,preallocation=metadata,"
          "lazy_refcounts=on,compression_type=zstd,refcount_bits=8", 1 * MiB,
          "fmt=qcow2 cluster_size=4096 extended_l2=off "
          "preallocation=metadata compression_type=zstd size=1048576 "
          "lazy_refcounts=on refcount_bits=8" },
        { "qcow2", "compat=0.10", 1 * MiB,
          "fmt=qcow2 cluster_size=65536 extended_l2=off "
          "compression_type=zlib size=1048576 compat=0.10 "
          "lazy_refcounts=off refcount_bits=16" },
        { "qcow2", "backing_file=a.qcow2,backing_fmt=qcow2,cluster_size=512",
          1 * MiB,
          "fmt=qcow2 cluster_size=512 extended_l2=off compression_type=zlib "
          "size=1048576 backing_file=a.qcow2 backing_fmt=qcow2 "
          "lazy_refcounts=off refcount_bits=16" },
        { "raw", NULL, 1 * MiB, "fmt=raw size=1048576" },
        { "raw", "preallocation=full", 1 * MiB,
          "fmt=raw size=1048576 preallocation=full" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        BlockCreateOptions o;
        Error *err = NULL;
        char *d;

        bdrv_create_options_init(&o);
        o.size = cases[i].size;
        o.has_size = true;
        if (cases[i].opts) {
            assert_true(bdrv_create_options_parse(&o, cases[i].fmt,
                                                  cases[i].opts, &err));
        }
        d = bdrv_create_options_describe(cases[i].fmt, &o);
        assert_string_equal(d, cases[i].want);
        free(d);
        bdrv_create_options_free(&o);
    }
}

static void expect_set_error(const char *fmt, const char *key,
                             const char *value, const char *msg)
{
    BlockCreateOptions o;
    Error *err = NULL;

    bdrv_create_options_init(&o);
    assert_false(bdrv_create_options_set(&o, fmt, key, value, &err));
    assert_non_null(strstr(error_get_pretty(err), msg));
    error_free(err);
    bdrv_create_options_free(&o);
}

static void test_create_option_errors(void **state)
{
    expect_set_error("qcow2", "foo", "1", "Invalid parameter 'foo'");
    expect_set_error("raw", "cluster_size", "4k",
                     "Invalid parameter 'cluster_size'");
    expect_set_error("qcow2", "cluster_size", "xx",
                     "Parameter 'cluster_size' expects a non-negative "
                     "number below 2^64");
    expect_set_error("qcow2", "lazy_refcounts", "maybe",
                     "Parameter 'lazy_refcounts' expects 'on' or 'off'");
    expect_set_error("qcow2", "refcount_bits", "x",
                     "Parameter 'refcount_bits' expects a number");
    expect_set_error("vmdk", "size", "1", "Unknown file format 'vmdk'");
}

static void measure(const char *opts, uint64_t size, uint64_t req,
                    uint64_t full)
{
    BlockCreateOptions o;
    BlockMeasureInfo info;
    Error *err = NULL;

    bdrv_create_options_init(&o);
    o.size = size;
    o.has_size = true;
    if (opts) {
        assert_true(bdrv_create_options_parse(&o, "qcow2", opts, &err));
    }
    assert_true(bdrv_measure("qcow2", &o, NULL, &info, &err));
    assert_int_equal(info.required, req);
    assert_int_equal(info.fully_allocated, full);
    bdrv_create_options_free(&o);
}

/* The numbers qemu-img measure -O qcow2 --size prints (QEMU 7.2). */
static void test_measure(void **state)
{
    BlockCreateOptions o;
    BlockMeasureInfo info;
    Error *err = NULL;

    measure(NULL, 1 * GiB, 393216, 1074135040);
    measure("cluster_size=4k", 1 * GiB, 2637824, 1076379648);
    measure("cluster_size=512,refcount_bits=1", 10 * MiB, 170496,
            10656256);
    measure("preallocation=full", 1 * GiB, 1074135040, 1074135040);
    bdrv_create_options_init(&o);
    assert_false(bdrv_measure("qcow2", &o, NULL, &info, &err));
    error_free(err);
    err = NULL;
    o.size = 1 * MiB;
    o.has_size = true;
    o.cluster_size = 3000;
    assert_false(bdrv_measure("qcow2", &o, NULL, &info, &err));
    assert_non_null(strstr(error_get_pretty(err), "Cluster size must be"));
    error_free(err);
    bdrv_create_options_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refcount_entries),
        cmocka_unit_test(test_cluster_types),
        cmocka_unit_test(test_codecs),
        cmocka_unit_test(test_refcount_metadata_size),
        cmocka_unit_test(test_create_options),
        cmocka_unit_test(test_create_option_errors),
        cmocka_unit_test(test_measure),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
