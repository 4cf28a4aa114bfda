/*
 * tests/unit/test-fdt.c — hw/core/fdt.c: building a tree by paths,
 * property encodings (cells big-endian, string lists), growing past the
 * initial buffer, sticky errors, in-place updates, phandles, and -dtb
 * files: a saved tree loads back, damaged files are refused with one
 * error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw/core/fdt.h"
#include "util/error.h"

#include <libfdt.h>
#include <unistd.h>

static uint32_t be32_at(const void *p, int i)
{
    return fdt32_to_cpu(((const fdt32_t *)p)[i]);
}

static void test_build(void **state)
{
    static const char *const compat[] = { "sifive,plic-1.0.0",
                                          "riscv,plic0" };
    DeviceTree *dt = devtree_new();
    const void *v;
    int len = -1;
    Error *err = NULL;

    devtree_setprop_u32(dt, "/", "#address-cells", 2);
    devtree_add_node(dt, "/soc");
    devtree_add_node(dt, "/soc/plic@c000000");
    devtree_setprop_strings(dt, "/soc/plic@c000000", "compatible", compat, 2);
    devtree_setprop_cells(dt, "/soc/plic@c000000", "reg", 0, 0xc000000, 0,
                          0x600000);
    devtree_setprop_empty(dt, "/soc/plic@c000000", "interrupt-controller");
    devtree_setprop_u64(dt, "/soc", "big", 0x1122334455667788ULL);
    devtree_setprop_string(dt, "/", "model", "riscv-virtio,qemu");
    assert_true(devtree_ok(dt, &err));

    assert_true(devtree_has_node(dt, "/soc/plic@c000000"));
    assert_false(devtree_has_node(dt, "/soc/nothing"));
    v = devtree_getprop(dt, "/soc/plic@c000000", "compatible", &len);
    assert_int_equal(len, sizeof("sifive,plic-1.0.0") + sizeof("riscv,plic0"));
    assert_memory_equal(v, "sifive,plic-1.0.0\0riscv,plic0", len);
    v = devtree_getprop(dt, "/soc/plic@c000000", "reg", &len);
    assert_int_equal(len, 16);
    assert_int_equal(be32_at(v, 1), 0xc000000);
    assert_int_equal(be32_at(v, 3), 0x600000);
    v = devtree_getprop(dt, "/soc/plic@c000000", "interrupt-controller",
                        &len);
    assert_non_null(v);
    assert_int_equal(len, 0);
    v = devtree_getprop(dt, "/soc", "big", &len);
    assert_int_equal(be32_at(v, 0), 0x11223344);
    assert_int_equal(be32_at(v, 1), 0x55667788);
    assert_string_equal(devtree_getprop(dt, "/", "model", NULL),
                        "riscv-virtio,qemu");

    /* Adding an existing node keeps it and its properties. */
    devtree_add_node(dt, "/soc");
    assert_non_null(devtree_getprop(dt, "/soc", "big", NULL));
    devtree_free(dt);
}

static void test_grows(void **state)
{
    DeviceTree *dt = devtree_new();
    char path[64];
    Error *err = NULL;

    /* Far beyond the initial 16 KiB. */
    for (int i = 0; i < 2000; i++) {
        snprintf(path, sizeof(path), "/node%d", i);
        devtree_add_node(dt, path);
        devtree_setprop_string(dt, path, "compatible",
                               "a-reasonably-long-compatible-string");
    }
    assert_true(devtree_ok(dt, &err));
    assert_true(devtree_has_node(dt, "/node0"));
    assert_true(devtree_has_node(dt, "/node1999"));
    devtree_pack(dt);
    assert_true(devtree_size(dt) > 64 * 1024);
    assert_int_equal(fdt_check_full(devtree_blob(dt), devtree_size(dt)), 0);
    devtree_free(dt);
}

static void test_sticky_error(void **state)
{
    DeviceTree *dt = devtree_new();
    Error *err = NULL;

    devtree_add_node(dt, "/missing/child");
    /* Later operations do nothing; the first error is kept. */
    devtree_add_node(dt, "/ok");
    devtree_setprop_u32(dt, "/", "x", 1);
    assert_false(devtree_has_node(dt, "/ok"));
    assert_false(devtree_ok(dt, &err));
    assert_non_null(strstr(error_get_pretty(err), "/missing"));
    error_free(err);
    err = NULL;
    devtree_free(dt);

    dt = devtree_new();
    devtree_setprop_u32(dt, "/nowhere", "x", 1);
    assert_false(devtree_ok(dt, &err));
    error_free(err);
    devtree_free(dt);
}

static void test_inplace_and_phandles(void **state)
{
    DeviceTree *dt = devtree_new();
    size_t size;
    const void *v;
    Error *err = NULL;

    devtree_add_node(dt, "/chosen");
    devtree_setprop_u64(dt, "/chosen", "linux,initrd-start", 0);
    devtree_pack(dt);
    size = devtree_size(dt);
    devtree_setprop_u64_inplace(dt, "/chosen", "linux,initrd-start",
                                0x87c00000);
    assert_true(devtree_ok(dt, &err));
    assert_int_equal(devtree_size(dt), size);
    v = devtree_getprop(dt, "/chosen", "linux,initrd-start", NULL);
    assert_int_equal(be32_at(v, 1), 0x87c00000);
    /* In place only fits a property of the same size. */
    devtree_setprop_u32(dt, "/chosen", "small", 1);
    devtree_setprop_u64_inplace(dt, "/chosen", "small", 2);
    assert_false(devtree_ok(dt, &err));
    error_free(err);
    err = NULL;
    devtree_free(dt);

    dt = devtree_new();
    assert_int_equal(devtree_alloc_phandle(dt), 1);
    assert_int_equal(devtree_alloc_phandle(dt), 2);
    devtree_free(dt);
}

static char *tmp_path(const char *name)
{
    return xasprintf("/tmp/test-fdt-%d-%s", (int)getpid(), name);
}

static void write_file(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
}

static void test_save_and_load(void **state)
{
    DeviceTree *dt = devtree_new();
    DeviceTree *back;
    char *path = tmp_path("good.dtb");
    Error *err = NULL;

    devtree_add_node(dt, "/cpus");
    devtree_setprop_u32(dt, "/cpus", "phandle", 7);
    devtree_setprop_string(dt, "/", "model", "saved");
    devtree_pack(dt);
    assert_true(devtree_save(dt, path, &err));

    back = devtree_load(path, &err);
    assert_non_null(back);
    assert_string_equal(devtree_getprop(back, "/", "model", NULL), "saved");
    /* New phandles start above the file's highest. */
    assert_int_equal(devtree_alloc_phandle(back), 8);
    /* There is room to add to a loaded tree. */
    devtree_add_node(back, "/chosen");
    devtree_setprop_string(back, "/chosen", "bootargs", "console=ttyS0");
    assert_true(devtree_ok(back, &err));
    devtree_free(back);
    devtree_free(dt);
    unlink(path);
    free(path);
}

static void test_load_rejects_damage(void **state)
{
    DeviceTree *dt = devtree_new();
    char *path = tmp_path("bad.dtb");
    uint8_t *copy;
    size_t size;
    Error *err = NULL;

    devtree_add_node(dt, "/soc");
    devtree_setprop_string(dt, "/soc", "compatible", "simple-bus");
    devtree_pack(dt);
    size = devtree_size(dt);
    copy = xmalloc(size);

    /* Not a device tree at all. */
    write_file(path, "hello world, not a dtb at all......................",
               50);
    assert_null(devtree_load(path, &err));
    assert_non_null(strstr(error_get_pretty(err), "not a valid"));
    error_free(err);
    err = NULL;

    /* Truncated: the header promises more than the file holds. */
    write_file(path, devtree_blob(dt), size - 8);
    assert_null(devtree_load(path, &err));
    error_free(err);
    err = NULL;

    /* A corrupt structure block (the root node's tag). */
    memcpy(copy, devtree_blob(dt), size);
    copy[fdt_off_dt_struct(copy) + 1] = 0x55;
    write_file(path, copy, size);
    assert_null(devtree_load(path, &err));
    error_free(err);
    err = NULL;

    /* Missing file. */
    assert_null(devtree_load("/nonexistent/x.dtb", &err));
    error_free(err);

    unlink(path);
    free(path);
    free(copy);
    devtree_free(dt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_grows),
        cmocka_unit_test(test_sticky_error),
        cmocka_unit_test(test_inplace_and_phandles),
        cmocka_unit_test(test_save_and_load),
        cmocka_unit_test(test_load_rejects_damage),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
