/*
 * tests/unit/test-riscv-mmu.c — the RISC-V page-table walk
 * (target/riscv/mmu.c) on page tables built in a RAM-only address space:
 * Sv39/Sv48/Sv57 levels, superpages and their alignment rule, canonical
 * virtual addresses, reserved encodings, U/S and MXR permission rules
 * (Privileged spec v1.12 §4.3.1-4.3.2, §4.4, §4.5). Walks go through
 * riscv_cpu_translate_debug(), which never updates A/D or the TLB.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "target/riscv/cpu-internal.h"
#include "exec/memory.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (16 * MiB)

typedef struct Fixture {
    MemoryRegion system;
    MemoryRegion ram;
    AddressSpace as;
    RISCVCPU cpu;
    uint64_t next_table;    /* bump allocator for page-table pages */
} Fixture;

static int setup(void **state)
{
    Fixture *f = xzalloc(sizeof(*f));
    Error *err = NULL;

    memory_region_init_container(&f->system, "system", UINT64_MAX);
    address_space_init(&f->as, &f->system, "memory");
    assert_true(memory_region_init_ram(&f->ram, "ram", RAM_SIZE, &err));
    memory_region_add_subregion(&f->system, RAM_BASE, &f->ram);
    f->cpu.parent.as = &f->as;
    f->cpu.cfg.mmu = true;
    f->cpu.priv = PRV_S;
    f->next_table = RAM_BASE;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;

    address_space_destroy(&f->as);
    memory_region_finalize(&f->system);
    memory_region_finalize(&f->ram);
    free(f);
    return 0;
}

static uint64_t new_table(Fixture *f)
{
    uint64_t pa = f->next_table;

    f->next_table += 4096;
    return pa;
}

static void write_pte(Fixture *f, uint64_t table, unsigned idx, uint64_t pte)
{
    assert_int_equal(address_space_write(&f->as, table + idx * 8, &pte, 8),
                     MEMTX_OK);
}

static uint64_t pte_for(uint64_t pa, uint64_t flags)
{
    return ((pa >> PGSHIFT) << PTE_PPN_SHIFT) | flags | PTE_V;
}

static unsigned vpn(uint64_t va, int level)
{
    return (va >> (PGSHIFT + level * PTIDXBITS)) & 0x1ff;
}

/*
 * Map @va to @pa with a leaf at @leaf_level under a root of @levels
 * levels, creating intermediate tables. Returns the root.
 */
static uint64_t map(Fixture *f, uint64_t root, int levels, uint64_t va,
                    uint64_t pa, int leaf_level, uint64_t flags)
{
    uint64_t table = root;

    for (int level = levels - 1; level > leaf_level; level--) {
        uint64_t pte;

        address_space_read(&f->as, table + vpn(va, level) * 8, &pte, 8);
        if (!(pte & PTE_V)) {
            uint64_t next = new_table(f);

            write_pte(f, table, vpn(va, level), pte_for(next, 0));
            table = next;
        } else {
            table = ((pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << PGSHIFT;
        }
    }
    write_pte(f, table, vpn(va, leaf_level), pte_for(pa, flags));
    return root;
}

static void use_root(Fixture *f, unsigned mode, uint64_t root)
{
    f->cpu.satp = ((uint64_t)mode << SATP_MODE_SHIFT) | (root >> PGSHIFT);
}

static bool xlate(Fixture *f, uint64_t va, uint64_t *pa)
{
    return riscv_cpu_translate_debug(&f->cpu, va, pa);
}

#define RW (PTE_R | PTE_W | PTE_A | PTE_D)

static void test_sv39_pages(void **state)
{
    Fixture *f = *state;
    uint64_t root = new_table(f), pa;

    map(f, root, 3, 0x1000, 0x80400000, 0, RW);
    map(f, root, 3, 0x40200000, 0x80600000, 1, RW);     /* 2 MiB */
    map(f, root, 3, 0x80000000, 0x80000000, 2, RW);     /* 1 GiB */
    use_root(f, SATP_MODE_SV39, root);

    assert_true(xlate(f, 0x1234, &pa));
    assert_int_equal(pa, 0x80400234);
    assert_false(xlate(f, 0x2000, &pa));
    assert_true(xlate(f, 0x40212345, &pa));
    assert_int_equal(pa, 0x80612345);
    assert_true(xlate(f, 0xbfffffff, &pa));
    assert_int_equal(pa, 0xbfffffff);
    /* Bits 63:39 must copy bit 38. */
    assert_false(xlate(f, 0x8000001234ULL, &pa));
    /* Bare mode and M-mode do not translate. */
    f->cpu.satp = 0;
    assert_true(xlate(f, 0x1234, &pa));
    assert_int_equal(pa, 0x1234);
}

static void test_misaligned_superpage(void **state)
{
    Fixture *f = *state;
    uint64_t root = new_table(f), pa;

    /* A 2 MiB leaf whose PPN is only 4 KiB aligned. */
    map(f, root, 3, 0x200000, 0x80401000, 1, RW);
    use_root(f, SATP_MODE_SV39, root);
    assert_false(xlate(f, 0x200000, &pa));
}

static void test_reserved_encodings(void **state)
{
    Fixture *f = *state;
    uint64_t root = new_table(f), pa;

    map(f, root, 3, 0x1000, 0x80400000, 0, PTE_W | PTE_A | PTE_D);
    map(f, root, 3, 0x2000, 0x80400000, 0, RW | (1ULL << 54));
    map(f, root, 3, 0x3000, 0x80400000, 0, RW | PTE_N);
    map(f, root, 3, 0x4000, 0x80400000, 0, RW | (1ULL << 61));
    use_root(f, SATP_MODE_SV39, root);
    assert_false(xlate(f, 0x1000, &pa));    /* W without R */
    assert_false(xlate(f, 0x2000, &pa));    /* reserved bit 54 */
    assert_false(xlate(f, 0x3000, &pa));    /* N without Svnapot */
    assert_false(xlate(f, 0x4000, &pa));    /* PBMT without Svpbmt */
}

static void test_user_and_mxr(void **state)
{
    Fixture *f = *state;
    uint64_t root = new_table(f), pa;

    map(f, root, 3, 0x1000, 0x80400000, 0, RW | PTE_U);
    map(f, root, 3, 0x2000, 0x80401000, 0, RW);
    map(f, root, 3, 0x3000, 0x80402000, 0, PTE_X | PTE_A);
    use_root(f, SATP_MODE_SV39, root);

    /* S-mode with SUM (the debug walk assumes it) reads U pages. */
    assert_true(xlate(f, 0x1000, &pa));
    f->cpu.priv = PRV_U;
    assert_true(xlate(f, 0x1000, &pa));
    assert_false(xlate(f, 0x2000, &pa));    /* S page from U */
    f->cpu.priv = PRV_S;
    /* An execute-only page is readable only with mstatus.MXR. */
    assert_false(xlate(f, 0x3000, &pa));
    f->cpu.mstatus |= MSTATUS_MXR;
    assert_true(xlate(f, 0x3000, &pa));
    assert_int_equal(pa, 0x80402000);
}

static void test_sv48_sv57(void **state)
{
    Fixture *f = *state;
    uint64_t root48 = new_table(f), root57 = new_table(f), pa;
    uint64_t va48 = 0x00007f0000001000ULL;      /* needs level 3 */
    uint64_t va57 = 0x00ff000000002000ULL;      /* needs level 4 */

    map(f, root48, 4, va48, 0x80500000, 0, RW);
    use_root(f, SATP_MODE_SV48, root48);
    assert_true(xlate(f, va48 + 8, &pa));
    assert_int_equal(pa, 0x80500008);
    assert_false(xlate(f, 0x0000800000000000ULL, &pa));  /* bit 47 */

    map(f, root57, 5, va57, 0x80501000, 0, RW);
    /* A 512 GiB superpage (level 3) under Sv57. */
    map(f, root57, 5, 0x0000008000000000ULL, 0, 3, RW);
    use_root(f, SATP_MODE_SV57, root57);
    assert_true(xlate(f, va57, &pa));
    assert_int_equal(pa, 0x80501000);
    assert_true(xlate(f, 0x0000008012345678ULL, &pa));
    assert_int_equal(pa, 0x12345678);
    assert_false(xlate(f, 0x0100000000000000ULL, &pa));  /* bit 56 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sv39_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_misaligned_superpage, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reserved_encodings, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_user_and_mxr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sv48_sv57, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
