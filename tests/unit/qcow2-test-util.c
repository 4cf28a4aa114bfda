/*
 * tests/unit/qcow2-test-util.c — see qcow2-test-util.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "qcow2-test-util.h"
#include "util/error.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char qt_dir[256];

char *qt_path(const char *name)
{
    if (!qt_dir[0]) {
        const char *tmp = getenv("TMPDIR");

        snprintf(qt_dir, sizeof(qt_dir), "%s/vireo-qcow2-XXXXXX",
                 tmp && *tmp ? tmp : "/tmp");
        assert_non_null(mkdtemp(qt_dir));
    }
    return xasprintf("%s/%s", qt_dir, name);
}

void qt_cleanup(void)
{
    if (qt_dir[0]) {
        char *cmd = xasprintf("rm -rf '%s'", qt_dir);

        if (system(cmd) != 0) {
            fprintf(stderr, "# could not remove %s\n", qt_dir);
        }
        free(cmd);
        qt_dir[0] = 0;
    }
}

void qt_create(const char *fmt, const char *path, uint64_t size,
               const char *opts)
{
    BlockCreateOptions o;
    Error *err = NULL;

    bdrv_create_options_init(&o);
    o.size = size;
    o.has_size = true;
    if ((opts && !bdrv_create_options_parse(&o, fmt, opts, &err)) ||
        !bdrv_create_prepare(fmt, path, &o, false, &err) ||
        !bdrv_create(fmt, path, &o, &err)) {
        fail_msg("create %s (%s): %s", path, opts ? opts : "",
                 error_get_pretty(err));
    }
    bdrv_create_options_free(&o);
}

BlockBackend *qt_try_open(const char *path, const char *fmt, int flags,
                          char **msg)
{
    Error *err = NULL;
    BlockBackend *blk = blk_new_open(path, fmt, flags, &err);

    if (msg) {
        *msg = blk ? NULL : xstrdup(error_get_pretty(err));
    }
    if (!blk) {
        error_free(err);
    }
    return blk;
}

BlockBackend *qt_open(const char *path, const char *fmt, int flags)
{
    char *msg;
    BlockBackend *blk = qt_try_open(path, fmt, flags, &msg);

    if (!blk) {
        fail_msg("open %s: %s", path, msg);
    }
    return blk;
}

uint8_t qt_pattern_byte(unsigned seed, uint64_t i)
{
    uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ seed * 0xbf58476d1ce4e5b9ull;

    if (!seed) {
        return 0;
    }
    x ^= x >> 29;
    return (uint8_t)(x ^ (x >> 17) ^ seed);
}

void qt_fill(uint8_t *buf, uint64_t offset, uint64_t len, unsigned seed)
{
    for (uint64_t i = 0; i < len; i++) {
        buf[i] = qt_pattern_byte(seed, offset + i);
    }
}

void qt_write_pattern(BlockBackend *blk, uint64_t offset, uint64_t len,
                      unsigned seed)
{
    uint8_t *buf = xmalloc(len);
    int ret;

    qt_fill(buf, offset, len, seed);
    ret = blk_pwrite(blk, offset, buf, len);
    if (ret) {
        fail_msg("write %" PRIu64 "+%" PRIu64 ": %s", offset, len,
                 strerror(-ret));
    }
    free(buf);
}

void qt_check_pattern(BlockBackend *blk, uint64_t offset, uint64_t len,
                      unsigned seed)
{
    uint8_t *buf = xmalloc(len);
    int ret = blk_pread(blk, offset, buf, len);

    if (ret) {
        fail_msg("read %" PRIu64 "+%" PRIu64 ": %s", offset, len,
                 strerror(-ret));
    }
    for (uint64_t i = 0; i < len; i++) {
        if (buf[i] != qt_pattern_byte(seed, offset + i)) {
            fail_msg("byte %" PRIu64 ": %#x, expected %#x (seed %u)",
                     offset + i, buf[i], qt_pattern_byte(seed, offset + i),
                     seed);
        }
    }
    free(buf);
}

void qt_check_clean(BlockBackend *blk)
{
    BlockCheckResult res;
    int ret = bdrv_check(blk_bs(blk), &res, 0);

    assert_int_equal(ret, 0);
    if (res.corruptions || res.leaks || res.check_errors) {
        fail_msg("check: %d corruptions, %d leaks, %d errors",
                 res.corruptions, res.leaks, res.check_errors);
    }
}

void qt_file_read(const char *path, uint64_t offset, void *buf, size_t len)
{
    int fd = open(path, O_RDONLY);

    assert_true(fd >= 0);
    memset(buf, 0, len);
    assert_true(pread(fd, buf, len, offset) >= 0);
    close(fd);
}

void qt_file_write(const char *path, uint64_t offset, const void *buf,
                   size_t len)
{
    int fd = open(path, O_WRONLY);

    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, buf, len, offset), (ssize_t)len);
    close(fd);
}

uint64_t qt_file_be64(const char *path, uint64_t offset)
{
    uint64_t v;

    qt_file_read(path, offset, &v, 8);
    return __builtin_bswap64(v);
}

void qt_file_set_be64(const char *path, uint64_t offset, uint64_t v)
{
    v = __builtin_bswap64(v);
    qt_file_write(path, offset, &v, 8);
}

uint32_t qt_file_be32(const char *path, uint64_t offset)
{
    uint32_t v;

    qt_file_read(path, offset, &v, 4);
    return __builtin_bswap32(v);
}

void qt_file_set_be32(const char *path, uint64_t offset, uint32_t v)
{
    v = __builtin_bswap32(v);
    qt_file_write(path, offset, &v, 4);
}

uint64_t qt_file_size(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

bool qt_have_qemu_img(void)
{
    return system("qemu-img --version >/dev/null 2>&1") == 0 &&
           system("qemu-io --version >/dev/null 2>&1") == 0;
}

int qt_run(const char *fmt, ...)
{
    va_list ap;
    char *cmd;
    int st;

    va_start(ap, fmt);
    if (vasprintf(&cmd, fmt, ap) < 0) {
        abort();
    }
    va_end(ap);
    st = system(cmd);
    free(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
