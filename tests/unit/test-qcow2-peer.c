/*
 * tests/unit/test-qcow2-peer.c — qcow2 interoperability with the peer,
 * Debian's qemu-utils: images Vireo writes (every cluster size, v2 and
 * v3, zstd, refcount widths, backing files, compressed and zero
 * clusters, after snapshots and resize) pass "qemu-img check" and
 * "qemu-img compare" against the expected content; images qemu-img and
 * qemu-io write in those shapes read back correctly here and stay clean
 * for qemu-img after Vireo writes to them; both programs' image locks
 * exclude each other.
 *
 * Without qemu-img the whole test is skipped with the reason (TAP
 * "1..0 # SKIP"), never passed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "block/qcow2-internal.h"
#include "qcow2-test-util.h"
#include "util/error.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define RW BDRV_O_RDWR
#define SIZE (8 * MiB)

static int teardown_all(void **state)
{
    qt_cleanup();
    return 0;
}

/* The same writes on the image and on a raw file of expected content. */
typedef struct Pair {
    BlockBackend *img;
    BlockBackend *raw;
} Pair;

static void pair_write(Pair *p, uint64_t off, uint64_t len, unsigned seed)
{
    qt_write_pattern(p->img, off, len, seed);
    qt_write_pattern(p->raw, off, len, seed);
}

static void pair_zero(Pair *p, uint64_t off, uint64_t len, unsigned flags)
{
    len = MIN(len, SIZE - off);
    assert_int_equal(blk_pwrite_zeroes(p->img, off, len, flags), 0);
    assert_int_equal(blk_pwrite_zeroes(p->raw, off, len, 0), 0);
}

static void pair_compressed(Pair *p, uint64_t off, uint32_t cs)
{
    uint8_t *buf = xmalloc(cs);

    for (uint32_t i = 0; i < cs; i++) {
        buf[i] = (uint8_t)((off + i) / 11);
    }
    int ret = blk_pwrite_compressed(p->img, off, buf, cs);

    if (ret) {
        fail_msg("compressed write at %" PRIu64 " (cluster %u): %s", off, cs,
                 strerror(-ret));
    }
    assert_int_equal(blk_pwrite(p->raw, off, buf, cs), 0);
    free(buf);
}

static void peer_ok(const char *img, const char *raw)
{
    if (qt_run("qemu-img check -q '%s' >&2", img) != 0) {
        qt_run("qemu-img check '%s' >&2", img);
        fail_msg("qemu-img check failed on %s", img);
    }
    if (raw && qt_run("qemu-img compare -q -f raw '%s' '%s' >&2", raw,
                      img) != 0) {
        fail_msg("qemu-img compare: %s differs from expected", img);
    }
}

static void test_vireo_images_pass_qemu_img(void **state)
{
    static const char *const shapes[] = {
        "cluster_size=512",
        "cluster_size=4096",
        "cluster_size=65536",
        "cluster_size=2M",
        "compat=0.10,cluster_size=4096",
        "compression_type=zstd,cluster_size=4096",
        "refcount_bits=1,cluster_size=512",
        "refcount_bits=64,cluster_size=1024",
        "lazy_refcounts=on",
    };

    for (size_t i = 0; i < ARRAY_SIZE(shapes); i++) {
        char *img = qt_path("v.qcow2"), *raw = qt_path("v.raw");
        BlockSnapshotInfo sn = { .name = "snap" };
        BlockDriverInfo bdi;
        Error *err = NULL;
        Pair p;
        uint32_t cs;

        qt_create("qcow2", img, SIZE, shapes[i]);
        qt_create("raw", raw, SIZE, NULL);
        p.img = qt_open(img, "qcow2", RW);
        p.raw = qt_open(raw, "raw", RW);
        assert_int_equal(bdrv_get_info(blk_bs(p.img), &bdi), 0);
        cs = bdi.cluster_size;
        pair_write(&p, 1000, 300000, 1);
        pair_compressed(&p, ALIGN_UP(400000, cs), cs);
        pair_zero(&p, ALIGN_UP(2000, cs), 4 * cs, 0);
        pair_zero(&p, ALIGN_UP(100000, cs), 2 * cs, BDRV_REQ_MAY_UNMAP);
        if (strstr(shapes[i], "refcount_bits=1,")) {
            /* One-bit refcounts cannot share a cluster (QEMU: -ERANGE). */
            assert_int_equal(bdrv_snapshot_create(blk_bs(p.img), &sn),
                             -ERANGE);
            memset(&sn, 0, sizeof(sn));
            snprintf(sn.name, sizeof(sn.name), "none");
        } else {
            assert_int_equal(bdrv_snapshot_create(blk_bs(p.img), &sn), 0);
        }
        pair_write(&p, 5000, 20000, 2);             /* COW from snapshot */
        pair_write(&p, SIZE - 3000, 3000, 3);
        blk_unref(p.img);
        blk_unref(p.raw);
        peer_ok(img, raw);
        if (strstr(shapes[i], "refcount_bits=1,")) {
            unlink(img);
            unlink(raw);
            free(img);
            free(raw);
            continue;
        }
        if (qt_run("qemu-img snapshot -l '%s' | grep -q snap", img) != 0) {
            fail_msg("qemu-img does not list the snapshot (%s)", shapes[i]);
        }

        /* Back to the snapshot, then grow (after snapshots). */
        p.img = qt_open(img, "qcow2", RW);
        assert_int_equal(bdrv_snapshot_goto(blk_bs(p.img), "snap", &err), 0);
        if (strstr(shapes[i], "compat=0.10")) {
            /* v2 cannot be resized with snapshots (QEMU neither). */
            assert_true(bdrv_truncate_prealloc(blk_bs(p.img), SIZE + MiB,
                                               BLOCK_PREALLOC_OFF, &err) < 0);
            error_free(err);
            blk_unref(p.img);
        } else {
            assert_int_equal(bdrv_truncate_prealloc(blk_bs(p.img),
                                                    SIZE + MiB,
                                                    BLOCK_PREALLOC_OFF, &err),
                             0);
            qt_write_pattern(p.img, SIZE + 1000, 5000, 4);
            blk_unref(p.img);
            assert_int_equal(qt_run("qemu-img info '%s' | grep -q 'virtual "
                                    "size: 9 MiB'", img), 0);
        }
        peer_ok(img, NULL);
        unlink(img);
        unlink(raw);
        free(img);
        free(raw);
    }
}

/* A backing chain written by Vireo, compared through qemu-img. */
static void test_vireo_chain(void **state)
{
    char *base = qt_path("base.qcow2"), *top = qt_path("top.qcow2");
    char *raw = qt_path("chain.raw");
    Pair p;

    qt_create("qcow2", base, SIZE, "cluster_size=4096");
    qt_create("raw", raw, SIZE, NULL);
    p.img = qt_open(base, "qcow2", RW);
    p.raw = qt_open(raw, "raw", RW);
    pair_write(&p, 0, 1 * MiB, 5);
    blk_unref(p.img);
    qt_create("qcow2", top, SIZE,
              "backing_file=base.qcow2,backing_fmt=qcow2,cluster_size=65536");
    p.img = qt_open(top, NULL, RW);
    pair_write(&p, 70000, 1000, 6);
    pair_zero(&p, 131072, 65536, 0);
    blk_unref(p.img);
    blk_unref(p.raw);
    peer_ok(top, raw);
    assert_int_equal(qt_run("qemu-img info --backing-chain '%s' | "
                            "grep -q 'backing file format: qcow2'", top), 0);
    /* qemu-img commit of our overlay, then our read of the base. */
    assert_int_equal(qt_run("qemu-img commit -q '%s' >&2", top), 0);
    p.img = qt_open(base, "qcow2", 0);
    qt_check_pattern(p.img, 70000, 1000, 6);
    qt_check_pattern(p.img, 131072, 65536, 0);
    qt_check_pattern(p.img, 0, 70000, 5);
    blk_unref(p.img);
    free(base);
    free(top);
    free(raw);
}

/* Images written by qemu-img/qemu-io, read and then written by us. */
static void test_qemu_images_read_here(void **state)
{
    static const char *const shapes[] = {
        "cluster_size=512", "cluster_size=65536", "cluster_size=2M",
        "compat=0.10", "compression_type=zstd", "refcount_bits=64",
        "lazy_refcounts=on",
    };

    for (size_t i = 0; i < ARRAY_SIZE(shapes); i++) {
        char *img = qt_path("q.qcow2");
        BlockBackend *blk;
        uint8_t buf[4096];

        assert_int_equal(qt_run("qemu-img create -q -f qcow2 -o %s '%s' 8M",
                                shapes[i], img), 0);
        assert_int_equal(qt_run("qemu-io -f qcow2 -c 'write -P 0x11 0 1M' "
                                "-c 'write -c -P 0x22 2M 2M' "
                                "-c 'write -z 512k 64k' "
                                "-c 'write -P 0x33 6M 4096' '%s' >/dev/null",
                                img), 0);
        assert_int_equal(qt_run("qemu-img snapshot -c s1 '%s'", img), 0);
        assert_int_equal(qt_run("qemu-io -f qcow2 -c 'write -P 0x44 0 4096' "
                                "'%s' >/dev/null", img), 0);

        blk = qt_open(img, "qcow2", 0);
        assert_int_equal(blk_pread(blk, 0, buf, 4096), 0);
        assert_int_equal(buf[0], 0x44);
        assert_int_equal(blk_pread(blk, 4096, buf, 4096), 0);
        assert_int_equal(buf[4095], 0x11);
        assert_int_equal(blk_pread(blk, 512 * 1024, buf, 4096), 0);
        assert_int_equal(buf[100], 0);
        assert_int_equal(blk_pread(blk, 3 * MiB + 5, buf, 4096), 0);
        assert_int_equal(buf[4000], 0x22);
        assert_int_equal(blk_pread(blk, 6 * MiB, buf, 4096), 0);
        assert_int_equal(buf[0], 0x33);
        qt_check_clean(blk);
        blk_unref(blk);

        /* Our writes (COW from their compressed and snapshot clusters),
         * our snapshot revert; qemu-img must still be happy. */
        blk = qt_open(img, "qcow2", RW);
        qt_write_pattern(blk, 2 * MiB + 100, 200, 7);
        qt_write_pattern(blk, 8000, 100, 8);
        blk_unref(blk);
        peer_ok(img, NULL);
        assert_int_equal(qt_run("qemu-io -f qcow2 -c 'read -P 0x22 "
                                "%d 3000' '%s' >/dev/null",
                                2 * 1024 * 1024 + 300, img), 0);
        blk = qt_open(img, "qcow2", RW);
        {
            Error *err = NULL;

            assert_int_equal(bdrv_snapshot_goto(blk_bs(blk), "s1", &err), 0);
        }
        assert_int_equal(blk_pread(blk, 8000, buf, 100), 0);
        assert_int_equal(buf[0], 0x11);
        assert_int_equal(buf[99], 0x11);
        blk_unref(blk);
        peer_ok(img, NULL);
        assert_int_equal(qt_run("qemu-io -f qcow2 -c 'read -P 0x11 0 4096' "
                                "'%s' | grep -q 'read 4096'", img), 0);
        unlink(img);
        free(img);
    }
}

/* qemu-img's check and ours count the same damage the same way. */
static void test_check_agrees(void **state)
{
    char *img = qt_path("agree.qcow2");
    BlockBackend *blk;
    BlockCheckResult res;

    qt_create("qcow2", img, 1 * MiB, "cluster_size=4096");
    blk = qt_open(img, "qcow2", RW);
    qt_write_pattern(blk, 0, 4096, 1);
    blk_unref(blk);
    /* One leak: the L1 table's refcount 1 -> 2. */
    qt_file_write(img, 0x2000 + 3 * 2, "\0\2", 2);
    assert_int_equal(qt_run("qemu-img check '%s' >/dev/null 2>&1", img), 3);
    blk = qt_open(img, "qcow2", BDRV_O_CHECK);
    assert_int_equal(bdrv_check(blk_bs(blk), &res, 0), 0);
    assert_int_equal(res.leaks, 1);
    assert_int_equal(res.corruptions, 0);
    blk_unref(blk);
    blk = qt_open(img, "qcow2", RW | BDRV_O_CHECK);
    assert_int_equal(bdrv_check(blk_bs(blk), &res, BDRV_FIX_LEAKS), 0);
    assert_int_equal(res.leaks_fixed, 1);
    blk_unref(blk);
    peer_ok(img, NULL);
    free(img);
}

/*
 * Whether another process holds @path's "write" permission lock: QEMU's
 * layout puts a shared lock on byte 100 + 1 (BLK_PERM_WRITE is bit 1).
 * Polled for up to 10 s with F_OFD_GETLK, which takes no lock itself.
 */
static bool wait_for_write_holder(const char *path)
{
    int fd = open(path, O_RDONLY);
    bool held = false;

    assert_true(fd >= 0);
    for (int i = 0; i < 500 && !held; i++) {
        struct flock fl = {
            .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 101,
            .l_len = 1,
        };

        assert_int_equal(fcntl(fd, F_OFD_GETLK, &fl), 0);
        held = fl.l_type != F_UNLCK;
        if (!held) {
            usleep(20000);
        }
    }
    close(fd);
    return held;
}

static void test_locks_exclude_qemu(void **state)
{
    char *img = qt_path("lock.qcow2");
    BlockBackend *blk;
    char *msg;
    pid_t pid;

    qt_create("qcow2", img, 1 * MiB, NULL);
    blk = qt_open(img, "qcow2", RW);
    assert_int_equal(qt_run("qemu-io -c 'write 0 512' '%s' 2>&1 | "
                            "grep -q 'Failed to get \"write\" lock'", img),
                     0);
    assert_int_equal(qt_run("qemu-img info '%s' 2>&1 | grep -q "
                            "'Failed to get shared \"write\" lock'", img), 0);
    assert_int_equal(qt_run("qemu-img info -U '%s' >/dev/null", img), 0);
    blk_unref(blk);

    /* qemu-io holds it open read-write for a while. */
    pid = fork();
    if (pid == 0) {
        execlp("qemu-io", "qemu-io", "-c", "sleep 3000", img, (char *)NULL);
        _exit(127);
    }
    /* Wait until it holds the write permission, without opening the
     * image ourselves: an open of ours could make its open fail. */
    assert_true(wait_for_write_holder(img));
    blk = qt_try_open(img, "qcow2", RW, &msg);
    assert_null(blk);
    assert_non_null(strstr(msg, "Failed to get \"write\" lock"));
    free(msg);
    assert_null(qt_try_open(img, "qcow2", 0, &msg));
    assert_non_null(strstr(msg, "Failed to get shared \"write\" lock"));
    free(msg);
    blk = qt_open(img, "qcow2", BDRV_O_FORCE_SHARE);
    blk_unref(blk);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    blk = qt_open(img, "qcow2", RW);
    blk_unref(blk);
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vireo_images_pass_qemu_img),
        cmocka_unit_test(test_vireo_chain),
        cmocka_unit_test(test_qemu_images_read_here),
        cmocka_unit_test(test_check_agrees),
        cmocka_unit_test(test_locks_exclude_qemu),
    };

    if (!qt_have_qemu_img()) {
        printf("1..0 # SKIP qemu-img/qemu-io (Debian qemu-utils) not "
               "installed\n");
        return 0;
    }
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
