/*
 * tests/unit/test-riscv-boot.c — hw/riscv/boot.c on a machine fixture
 * with RAM at 0x80000000 and a boot ROM at 0x1000: the reset vector's
 * instruction words (the same as QEMU's, so firmware sees the same
 * registers) and fw_dynamic info, device-tree placement, where Linux
 * Images and raw kernels go, initrd placement below the device tree,
 * firmware name resolution, and putting images back on reset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine-fixture.h"
#include "hw/riscv/boot.h"
#include "hw/core/fdt.h"
#include "util/error.h"

#include <unistd.h>

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (128 * MiB)
#define ROM_BASE 0x1000ULL
#define ROM_SIZE 0xf000ULL

typedef struct BootTest {
    Machine *m;
    MemoryRegion rom;
    RISCVBoot boot;
    char dir[64];
    unsigned nr_files;
} BootTest;

static int setup(void **state)
{
    BootTest *t = XNEW(BootTest);
    Error *err = NULL;

    t->m = fixture_machine_new(1, RAM_SIZE);
    assert_true(memory_region_init_rom(&t->rom, "mrom", ROM_SIZE, &err));
    memory_region_add_subregion(&t->m->system_memory, ROM_BASE, &t->rom);
    snprintf(t->dir, sizeof(t->dir), "/tmp/test-riscv-boot.XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    BootTest *t = *state;

    for (unsigned i = 0; i < t->nr_files; i++) {
        char *path = xasprintf("%s/f%u", t->dir, i);
        unlink(path);
        free(path);
    }
    rmdir(t->dir);
    riscv_boot_cleanup(&t->boot);
    memory_region_finalize(&t->rom);
    fixture_machine_free(t->m);
    free(t);
    return 0;
}

/* A file of @len bytes: @head first, then a counting pattern. */
static char *make_file(BootTest *t, const void *head, size_t head_len,
                       size_t len)
{
    char *path = xasprintf("%s/f%u", t->dir, t->nr_files++);
    uint8_t *buf = xmalloc(len);
    FILE *f;

    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(i * 7 + 1);
    }
    memcpy(buf, head, MIN(head_len, len));
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
    free(buf);
    return path;
}

static uint64_t rd64(BootTest *t, uint64_t addr)
{
    return fixture_read(t->m, addr, 8);
}

/* The Linux Image header (Documentation/riscv/boot-image-header.rst). */
static void image_header(uint8_t hdr[64], uint64_t text_offset,
                         uint64_t image_size, uint64_t flags)
{
    memset(hdr, 0, 64);
    memcpy(hdr + 8, &text_offset, 8);
    memcpy(hdr + 16, &image_size, 8);
    memcpy(hdr + 24, &flags, 8);
    memcpy(hdr + 48, "RISCV\0\0\0", 8);
    memcpy(hdr + 56, "RSC\x05", 4);
}

static void test_reset_vector(void **state)
{
    BootTest *t = *state;
    /* QEMU's rv64 reset vector (hw/riscv/boot.c there). */
    static const uint32_t expect[6] = {
        0x00000297,     /* auipc t0, 0 */
        0x02828613,     /* addi  a2, t0, 40 */
        0xf1402573,     /* csrr  a0, mhartid */
        0x0202b583,     /* ld    a1, 32(t0) */
        0x0182b283,     /* ld    t0, 24(t0) */
        0x00028067,     /* jr    t0 */
    };
    Error *err = NULL;

    assert_true(riscv_setup_rom_reset_vec(&t->m->address_space, ROM_BASE,
                                          ROM_SIZE, 0x80000000, 0x87e00000,
                                          0x80200000, &err));
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(fixture_readl(t->m, ROM_BASE + 4 * i), expect[i]);
    }
    assert_int_equal(rd64(t, ROM_BASE + 24), 0x80000000);
    assert_int_equal(rd64(t, ROM_BASE + 32), 0x87e00000);
    /* struct fw_dynamic_info at a2 = ROM + 40 */
    assert_int_equal(rd64(t, ROM_BASE + 40), FW_DYNAMIC_INFO_MAGIC);
    assert_int_equal(rd64(t, ROM_BASE + 48), 2);
    assert_int_equal(rd64(t, ROM_BASE + 56), 0x80200000);
    assert_int_equal(rd64(t, ROM_BASE + 64), FW_DYNAMIC_NEXT_MODE_S);
    assert_int_equal(rd64(t, ROM_BASE + 72), 0);
    assert_int_equal(rd64(t, ROM_BASE + 80), 0);

    /* A ROM too small is an error, not an overflow. */
    assert_false(riscv_setup_rom_reset_vec(&t->m->address_space, ROM_BASE,
                                           16, 0, 0, 0, &err));
    error_free(err);
}

static void test_fdt_addr(void **state)
{
    /* End of RAM, 2 MiB aligned. */
    assert_int_equal(riscv_compute_fdt_addr(RAM_BASE, 128 * MiB, 4096),
                     0x87e00000);
    assert_int_equal(riscv_compute_fdt_addr(RAM_BASE, 128 * MiB, 2 * MiB),
                     0x87e00000);
    assert_int_equal(riscv_compute_fdt_addr(RAM_BASE, 128 * MiB,
                                            2 * MiB + 1), 0x87c00000);
    /* Never above 3 GiB while RAM starts below it. */
    assert_int_equal(riscv_compute_fdt_addr(RAM_BASE, 4 * GiB, 8192),
                     0xbfe00000);
}

static void test_image_placement(void **state)
{
    BootTest *t = *state;
    uint8_t hdr[64];
    char *path;
    Error *err = NULL;

    /* After firmware ending at 0x8001c000: the next 2 MiB boundary, which
     * is also RAM + text_offset; bss (image_size) counts in the end. */
    image_header(hdr, 0x200000, 0x400000, 0);
    path = make_file(t, hdr, sizeof(hdr), 100000);
    assert_true(riscv_load_kernel(&t->boot, &t->m->address_space, path,
                                  RAM_BASE, 0x8001c000, RAM_BASE + RAM_SIZE,
                                  &err));
    assert_int_equal(t->boot.kernel.addr, 0x80200000);
    assert_int_equal(t->boot.kernel.entry, 0x80200000);
    assert_int_equal(t->boot.kernel.end, 0x80600000);
    assert_int_equal(fixture_readl(t->m, 0x80200000 + 56), 0x05435352);
    free(path);

    /* Large firmware: the kernel moves past it. */
    path = make_file(t, hdr, sizeof(hdr), 4096);
    assert_true(riscv_load_kernel(&t->boot, &t->m->address_space, path,
                                  RAM_BASE, 0x80300000, RAM_BASE + RAM_SIZE,
                                  &err));
    assert_int_equal(t->boot.kernel.addr, 0x80400000);
    free(path);

    /* Big-endian kernels and headers asking for more than the RAM. */
    image_header(hdr, 0x200000, 0x400000, 1);
    path = make_file(t, hdr, sizeof(hdr), 4096);
    assert_false(riscv_load_kernel(&t->boot, &t->m->address_space, path,
                                   RAM_BASE, RAM_BASE, RAM_BASE + RAM_SIZE,
                                   &err));
    assert_non_null(strstr(error_get_pretty(err), "big-endian"));
    error_free(err);
    err = NULL;
    free(path);
    image_header(hdr, 0x200000, 1ULL << 40, 0);
    path = make_file(t, hdr, sizeof(hdr), 4096);
    assert_false(riscv_load_kernel(&t->boot, &t->m->address_space, path,
                                   RAM_BASE, RAM_BASE, RAM_BASE + RAM_SIZE,
                                   &err));
    error_free(err);
    free(path);
}

static void test_raw_kernel(void **state)
{
    BootTest *t = *state;
    char *path = make_file(t, "raw!", 4, 8192);
    Error *err = NULL;

    /* No firmware: a raw image goes to the start of RAM. */
    assert_true(riscv_load_kernel(&t->boot, &t->m->address_space, path,
                                  RAM_BASE, RAM_BASE, RAM_BASE + RAM_SIZE,
                                  &err));
    assert_int_equal(t->boot.kernel.addr, RAM_BASE);
    assert_int_equal(t->boot.kernel.end, RAM_BASE + 8192);
    assert_int_equal(fixture_readl(t->m, RAM_BASE), 0x21776172);
    free(path);

    /* Not enough RAM left. */
    path = make_file(t, "raw!", 4, 5 * MiB);
    assert_false(riscv_load_kernel(&t->boot, &t->m->address_space, path,
                                   RAM_BASE, RAM_BASE + RAM_SIZE - 4 * MiB,
                                   RAM_BASE + RAM_SIZE, &err));
    assert_non_null(strstr(error_get_pretty(err), "does not fit"));
    error_free(err);
    free(path);
}

static void test_initrd_below_fdt(void **state)
{
    BootTest *t = *state;
    char *path = make_file(t, "initrd", 6, 10000);
    uint64_t top = 0x87e00000;
    Error *err = NULL;

    assert_true(riscv_load_initrd(&t->boot, &t->m->address_space, path,
                                  0x80600000, top, &err));
    assert_int_equal(t->boot.initrd.addr, ALIGN_DOWN(top - 10000, 4096));
    assert_int_equal(t->boot.initrd.end, t->boot.initrd.addr + 10000);
    assert_true(t->boot.initrd.end <= top);
    assert_int_equal(fixture_readl(t->m, t->boot.initrd.addr), 0x74696e69);
    free(path);

    /* Overlapping the kernel is refused. */
    path = make_file(t, "initrd", 6, 2 * MiB);
    assert_false(riscv_load_initrd(&t->boot, &t->m->address_space, path,
                                   top - MiB, top, &err));
    assert_non_null(strstr(error_get_pretty(err), "does not fit"));
    error_free(err);
    free(path);
}

static void test_find_firmware(void **state)
{
    BootTest *t = *state;
    Error *err = NULL;
    char *path, *found;

    assert_null(riscv_find_firmware("none", &err));
    assert_null(err);
    assert_null(riscv_find_firmware("/nonexistent/fw.bin", &err));
    assert_non_null(err);
    error_free(err);
    err = NULL;

    path = make_file(t, "fw", 2, 64);
    found = riscv_find_firmware(path, &err);
    assert_string_equal(found, path);
    free(found);
    free(path);

    /* A bare name is also looked for in the firmware directory. */
    found = riscv_find_firmware("fw_dynamic.bin", &err);
    if (found) {
        assert_string_equal(found, RISCV_DEFAULT_BIOS);
        free(found);
    } else {
        error_free(err);
        err = NULL;
    }

    /* "default" (and no -bios) is OpenSBI's fw_dynamic when installed. */
    found = riscv_find_firmware(NULL, &err);
    if (found) {
        assert_string_equal(found, RISCV_DEFAULT_BIOS);
        free(found);
    } else {
        assert_non_null(strstr(error_get_pretty(err), "opensbi"));
        error_free(err);
    }
}

static void test_reload_on_reset(void **state)
{
    BootTest *t = *state;
    char *fw = make_file(t, "FWFW", 4, 4096);
    char *kernel = make_file(t, "KRNL", 4, 4096);
    char *initrd = make_file(t, "INRD", 4, 4096);
    DeviceTree *dt = devtree_new();
    Error *err = NULL;
    AddressSpace *as = &t->m->address_space;

    assert_true(riscv_load_firmware(&t->boot, as, fw, RAM_BASE, RAM_SIZE,
                                    &err));
    assert_int_equal(t->boot.firmware.end, RAM_BASE + 4096);
    assert_true(riscv_load_kernel(&t->boot, as, kernel, RAM_BASE,
                                  t->boot.firmware.end, RAM_BASE + RAM_SIZE,
                                  &err));
    assert_int_equal(t->boot.kernel.addr, RAM_BASE + 2 * MiB);
    assert_true(riscv_load_initrd(&t->boot, as, initrd, t->boot.kernel.end,
                                  0x87e00000, &err));
    devtree_setprop_string(dt, "/", "model", "test");
    devtree_pack(dt);
    assert_true(riscv_load_fdt(&t->boot, as, dt, 0x87e00000, &err));

    /* The guest scribbles over everything... */
    fixture_writel(t->m, RAM_BASE, 0);
    fixture_writel(t->m, t->boot.kernel.addr, 0);
    fixture_writel(t->m, t->boot.initrd.addr, 0);
    fixture_writel(t->m, 0x87e00000, 0);
    /* ...and a reset puts it all back. */
    assert_true(riscv_boot_reload(&t->boot, as, &err));
    assert_int_equal(fixture_readl(t->m, RAM_BASE), 0x57465746);
    assert_int_equal(fixture_readl(t->m, t->boot.kernel.addr), 0x4c4e524b);
    assert_int_equal(fixture_readl(t->m, t->boot.initrd.addr), 0x44524e49);
    assert_int_equal(fixture_readl(t->m, 0x87e00000), 0xedfe0dd0);

    devtree_free(dt);
    free(fw);
    free(kernel);
    free(initrd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reset_vector, setup, teardown),
        cmocka_unit_test(test_fdt_addr),
        cmocka_unit_test_setup_teardown(test_image_placement, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_raw_kernel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_initrd_below_fdt, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_find_firmware, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload_on_reset, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
