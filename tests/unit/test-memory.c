/*
 * tests/unit/test-memory.c — the memory API: FlatView rendering
 * (priorities, equal-priority order, aliases, disabled regions, container
 * clipping), I/O access-size rules (valid → errors, impl → splitting and
 * widening with the right byte lanes), ROM, DMA across RAM/I/O
 * boundaries, code-write notification, the "info mtree" text, decode
 * errors and generation bumps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "exec/memory.h"
#include "util/error.h"

/* --- a recording I/O device: 256 bytes of registers --- */

#define DEV_MAX_CALLS 32

typedef struct DevCall {
    bool is_write;
    uint64_t addr;
    uint64_t value;
    unsigned size;
} DevCall;

typedef struct TestDev {
    uint8_t regs[256];
    DevCall calls[DEV_MAX_CALLS];
    unsigned nr_calls;
    bool refuse_addr_0x10;
} TestDev;

static void dev_record(TestDev *d, bool is_write, uint64_t addr,
                       uint64_t value, unsigned size)
{
    if (d->nr_calls < DEV_MAX_CALLS) {
        d->calls[d->nr_calls++] = (DevCall) { is_write, addr, value, size };
    }
}

static uint64_t dev_read(void *opaque, uint64_t addr, unsigned size)
{
    TestDev *d = opaque;
    uint64_t v = 0;

    memcpy(&v, &d->regs[addr & 0xff], size);
    dev_record(d, false, addr, v, size);
    return v;
}

static void dev_write(void *opaque, uint64_t addr, uint64_t value,
                      unsigned size)
{
    TestDev *d = opaque;

    memcpy(&d->regs[addr & 0xff], &value, size);
    dev_record(d, true, addr, value, size);
}

static bool dev_accepts(void *opaque, uint64_t addr, unsigned size,
                        bool is_write)
{
    TestDev *d = opaque;

    return !(d->refuse_addr_0x10 && addr == 0x10);
}

static const MemoryRegionOps dev_ops_default = {
    .read = dev_read, .write = dev_write, .accepts = dev_accepts,
};
static const MemoryRegionOps dev_ops_4only = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};
static const MemoryRegionOps dev_ops_4_unaligned = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 4, .max_access_size = 4,
               .unaligned = true },
};
static const MemoryRegionOps dev_ops_split = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};
static const MemoryRegionOps dev_ops_widen = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};
static const MemoryRegionOps dev_ops_dma = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

/* --- fixture: a system container and its address space --- */

typedef struct Fixture {
    MemoryRegion system;
    AddressSpace as;
    unsigned map_changes;
} Fixture;

static void on_map_changed(void *opaque, AddressSpace *as)
{
    ((Fixture *)opaque)->map_changes++;
}

static Fixture *fixture_new(void)
{
    Fixture *f = XNEW(Fixture);

    memory_region_init_container(&f->system, "system", UINT64_MAX);
    address_space_init(&f->as, &f->system, "memory");
    f->as.map_changed = on_map_changed;
    f->as.map_changed_opaque = f;
    return f;
}

static void fixture_free(Fixture *f)
{
    address_space_destroy(&f->as);
    memory_region_finalize(&f->system);
    free(f);
}

static MemoryRegion *section_at(Fixture *f, uint64_t addr,
                                MemoryRegionSection *s)
{
    return address_space_lookup(&f->as, addr, s) ? s->mr : NULL;
}

static void init_ram(MemoryRegion *mr, const char *name, uint64_t size)
{
    Error *err = NULL;

    assert_true(memory_region_init_ram(mr, name, size, &err));
    assert_null(err);
}

/* --- RAM --- */

static void test_ram_basic(void **state)
{
    Fixture *f = fixture_new();
    MemoryRegion ram;
    MemoryRegionSection s;
    uint64_t v;
    uint8_t *host;

    init_ram(&ram, "ram", 64 * KiB);
    assert_int_equal(ram.ram_block->size % 4096, 0);
    memory_region_add_subregion(&f->system, 0x80000000, &ram);
    assert_ptr_equal(section_at(f, 0x80001234, &s), &ram);
    assert_int_equal(s.start, 0x80000000);
    assert_int_equal(s.size, 64 * KiB);
    assert_int_equal(s.offset_in_region, 0);

    assert_int_equal(address_space_store(&f->as, 0x80000010, 8,
                                         0x1122334455667788ULL), MEMTX_OK);
    host = memory_region_get_ram_ptr(&ram);
    assert_int_equal(host[0x10], 0x88);
    assert_int_equal(host[0x17], 0x11);
    assert_int_equal(address_space_load(&f->as, 0x80000012, 2, &v), MEMTX_OK);
    assert_int_equal(v, 0x5566);
    /* RAM starts zeroed. */
    assert_int_equal(address_space_load(&f->as, 0x8000fff8, 8, &v), MEMTX_OK);
    assert_int_equal(v, 0);

    assert_ptr_equal(address_space_map(&f->as, 0x80000010, 16, true),
                     host + 0x10);
    assert_null(address_space_map(&f->as, 0x8000fff0, 32, false));
    assert_null(address_space_map(&f->as, 0x70000000, 4, false));

    memory_region_del_subregion(&f->system, &ram);
    memory_region_finalize(&ram);
    fixture_free(f);
}

static void test_ram_errors(void **state)
{
    MemoryRegion ram;
    Error *err = NULL;

    /* More than any host has (and more than x86-64 can map). */
    assert_false(memory_region_init_ram(&ram, "huge", 1ULL << 60, &err));
    assert_non_null(err);
    assert_non_null(strstr(error_get_pretty(err),
                           "cannot set up guest memory 'huge'"));
    error_free(err);
    err = NULL;
    memory_region_finalize(&ram);   /* harmless after a failed init */

    /* -m 100T: refused up front unless the host grants everything. */
    if (memory_region_init_ram(&ram, "100T", 100ULL << 40, &err)) {
        memory_region_finalize(&ram);
    } else {
        assert_non_null(strstr(error_get_pretty(err), "Cannot allocate"));
        error_free(err);
        err = NULL;
    }

    assert_false(memory_region_init_ram(&ram, "max", UINT64_MAX, &err));
    assert_non_null(err);
    error_free(err);
    err = NULL;

    assert_false(memory_region_init_rom(&ram, "empty", 0, &err));
    assert_non_null(strstr(error_get_pretty(err), "size is zero"));
    error_free(err);
}

/* --- rendering --- */

static void test_priorities(void **state)
{
    Fixture *f = fixture_new();
    TestDev d = { 0 };
    MemoryRegion a, b, c, later;
    MemoryRegionSection s;

    memory_region_init_io(&a, "a", &dev_ops_default, &d, 0x1000);
    memory_region_init_io(&b, "b", &dev_ops_default, &d, 0x1000);
    memory_region_init_io(&c, "c", &dev_ops_default, &d, 0x400);
    memory_region_init_io(&later, "later", &dev_ops_default, &d, 0x100);
    memory_region_add_subregion(&f->system, 0x0, &a);
    /* Higher priority wins where they overlap, whatever the order. */
    memory_region_add_subregion_overlap(&f->system, 0x800, &b, 1);
    memory_region_add_subregion_overlap(&f->system, 0x200, &c, -1);

    assert_ptr_equal(section_at(f, 0x100, &s), &a);
    assert_ptr_equal(section_at(f, 0x7ff, &s), &a);
    assert_ptr_equal(section_at(f, 0x800, &s), &b);
    assert_int_equal(s.offset_in_region, 0);
    assert_ptr_equal(section_at(f, 0x1700, &s), &b);
    assert_int_equal(s.start, 0x800);       /* the whole flat range */
    assert_int_equal(s.size, 0x1000);
    assert_ptr_equal(section_at(f, 0x300, &s), &a);     /* c is below a */
    assert_null(section_at(f, 0x1800, &s));

    /* Equal priority: the region added last wins (QEMU). */
    memory_region_add_subregion(&f->system, 0x80, &later);
    assert_ptr_equal(section_at(f, 0x80, &s), &later);
    assert_ptr_equal(section_at(f, 0x17f, &s), &later);
    assert_ptr_equal(section_at(f, 0x180, &s), &a);
    assert_int_equal(s.offset_in_region, 0x180);

    /* Disabling uncovers what is below; re-enabling hides it again. */
    memory_region_set_enabled(&b, false);
    assert_ptr_equal(section_at(f, 0x900, &s), &a);
    assert_null(section_at(f, 0x1100, &s));
    memory_region_set_enabled(&b, true);
    assert_ptr_equal(section_at(f, 0x900, &s), &b);

    /* Moving a region. */
    memory_region_set_address(&b, 0x10000);
    assert_ptr_equal(section_at(f, 0x900, &s), &a);
    assert_ptr_equal(section_at(f, 0x10000, &s), &b);

    memory_region_finalize(&a);
    memory_region_finalize(&b);
    memory_region_finalize(&c);
    memory_region_finalize(&later);
    assert_null(section_at(f, 0x10000, &s));
    fixture_free(f);
}

static void test_aliases(void **state)
{
    Fixture *f = fixture_new();
    TestDev d0 = { 0 }, d1 = { 0 };
    MemoryRegion ram, lo, hi, bus, dev0, dev1, bus_alias;
    MemoryRegionSection s;
    uint8_t *host;
    uint64_t v;

    init_ram(&ram, "ram", 0x10000);
    host = memory_region_get_ram_ptr(&ram);
    /* Two windows on the same RAM, neither mapping the RAM itself. */
    memory_region_init_alias(&lo, "lo", &ram, 0x1000, 0x1000);
    memory_region_init_alias(&hi, "hi", &ram, 0x8000, 0x8000);
    memory_region_add_subregion(&f->system, 0x0, &lo);
    memory_region_add_subregion(&f->system, 0x100000, &hi);

    assert_ptr_equal(section_at(f, 0x10, &s), &ram);
    assert_int_equal(s.start, 0);
    assert_int_equal(s.size, 0x1000);
    assert_int_equal(s.offset_in_region, 0x1000);
    assert_ptr_equal(section_at(f, 0x100010, &s), &ram);
    assert_int_equal(s.offset_in_region, 0x8000);
    assert_int_equal(s.size, 0x8000);
    assert_null(section_at(f, 0x1000, &s));

    assert_int_equal(address_space_store(&f->as, 0x20, 4, 0xcafef00d),
                     MEMTX_OK);
    assert_int_equal(host[0x1020], 0x0d);
    assert_ptr_equal(memory_region_get_ram_ptr(&hi), host + 0x8000);

    /* An alias of a container shows the container's children. */
    memory_region_init_container(&bus, "bus", 0x2000);
    memory_region_init_io(&dev0, "dev0", &dev_ops_dma, &d0, 0x100);
    memory_region_init_io(&dev1, "dev1", &dev_ops_dma, &d1, 0x100);
    memory_region_add_subregion(&bus, 0x0, &dev0);
    memory_region_add_subregion(&bus, 0x1000, &dev1);
    memory_region_init_alias(&bus_alias, "bus-window", &bus, 0x1000, 0x1000);
    memory_region_add_subregion(&f->system, 0x40000000, &bus_alias);
    assert_ptr_equal(section_at(f, 0x40000004, &s), &dev1);
    assert_int_equal(s.offset_in_region, 0);
    assert_int_equal(address_space_store(&f->as, 0x40000008, 4, 0x55),
                     MEMTX_OK);
    assert_int_equal(d1.regs[8], 0x55);
    assert_int_equal(d0.nr_calls, 0);

    /* A change inside the alias target re-renders the address space. */
    unsigned gen = f->as.generation;
    memory_region_set_address(&dev1, 0x1800);
    assert_true(f->as.generation > gen);
    assert_null(section_at(f, 0x40000004, &s));
    assert_ptr_equal(section_at(f, 0x40000800, &s), &dev1);

    /* Unmapped through the alias too. */
    assert_int_equal(address_space_load(&f->as, 0x40000004, 4, &v),
                     MEMTX_DECODE_ERROR);

    memory_region_finalize(&bus_alias);
    memory_region_finalize(&dev0);
    memory_region_finalize(&dev1);
    memory_region_finalize(&bus);
    memory_region_finalize(&lo);
    memory_region_finalize(&hi);
    memory_region_finalize(&ram);
    fixture_free(f);
}

static void test_container_clipping(void **state)
{
    Fixture *f = fixture_new();
    TestDev d = { 0 };
    MemoryRegion box, big, under;
    MemoryRegionSection s;

    memory_region_init_container(&box, "box", 0x1000);
    memory_region_init_io(&big, "big", &dev_ops_default, &d, 0x4000);
    memory_region_init_io(&under, "under", &dev_ops_default, &d, 0x10000);
    memory_region_add_subregion(&box, 0x800, &big);
    memory_region_add_subregion_overlap(&f->system, 0x10000, &box, 1);
    memory_region_add_subregion(&f->system, 0x10000, &under);

    assert_ptr_equal(section_at(f, 0x10900, &s), &big);
    assert_int_equal(s.start, 0x10800);
    assert_int_equal(s.size, 0x800);        /* clipped at the box's end */
    assert_int_equal(s.offset_in_region, 0);
    /* The container is transparent where it has nothing. */
    assert_ptr_equal(section_at(f, 0x10000, &s), &under);
    assert_int_equal(s.size, 0x800);
    assert_ptr_equal(section_at(f, 0x11000, &s), &under);
    assert_int_equal(s.offset_in_region, 0x1000);

    /* Disabling the container hides all of it. */
    memory_region_set_enabled(&box, false);
    assert_ptr_equal(section_at(f, 0x10900, &s), &under);
    assert_int_equal(s.size, 0x10000);

    memory_region_finalize(&big);
    memory_region_finalize(&box);
    memory_region_finalize(&under);
    fixture_free(f);
}

static void test_whole_space(void **state)
{
    Fixture *f = fixture_new();
    TestDev d = { 0 };
    MemoryRegion background, ram;
    MemoryRegionSection s;

    /* A catch-all region of 2^64 bytes under everything else. */
    memory_region_init_io(&background, "unassigned", &dev_ops_default, &d,
                          UINT64_MAX);
    init_ram(&ram, "ram", 0x1000);
    memory_region_add_subregion_overlap(&f->system, 0, &background, -1000);
    memory_region_add_subregion(&f->system, 0x1000, &ram);
    assert_ptr_equal(section_at(f, 0, &s), &background);
    assert_ptr_equal(section_at(f, 0x1000, &s), &ram);
    assert_ptr_equal(section_at(f, 0x2000, &s), &background);
    assert_int_equal(s.offset_in_region, 0x2000);
    assert_ptr_equal(section_at(f, UINT64_MAX, &s), &background);
    assert_int_equal(s.start + (s.size - 1), UINT64_MAX);

    memory_region_finalize(&ram);
    memory_region_finalize(&background);
    fixture_free(f);
}

static void test_generation(void **state)
{
    Fixture *f = fixture_new();
    TestDev d = { 0 };
    MemoryRegion io;
    unsigned gen = f->as.generation;

    memory_region_init_io(&io, "io", &dev_ops_default, &d, 0x100);
    memory_region_add_subregion(&f->system, 0x1000, &io);
    assert_int_equal(f->as.generation, gen + 1);
    assert_int_equal(f->map_changes, 1);
    memory_region_set_enabled(&io, false);
    assert_int_equal(f->as.generation, gen + 2);
    memory_region_set_enabled(&io, false);  /* no change: no rebuild */
    assert_int_equal(f->as.generation, gen + 2);
    memory_region_set_enabled(&io, true);
    memory_region_set_address(&io, 0x2000);
    assert_int_equal(f->as.generation, gen + 4);
    memory_region_del_subregion(&f->system, &io);
    assert_int_equal(f->as.generation, gen + 5);
    assert_int_equal(f->map_changes, 5);
    /* Changes to a region outside the tree do not touch the AS. */
    memory_region_set_address(&io, 0x3000);
    assert_int_equal(f->as.generation, gen + 5);
    /* Retired views stay valid until the AS is destroyed. */
    assert_non_null(f->as.view->older);

    memory_region_finalize(&io);
    fixture_free(f);
}

/* --- access rules --- */

static void test_valid_rules(void **state)
{
    TestDev d = { 0 };
    MemoryRegion io, io_u, io_def;
    uint64_t v;

    memory_region_init_io(&io, "io", &dev_ops_4only, &d, 0x100);
    memory_region_init_io(&io_u, "io-u", &dev_ops_4_unaligned, &d, 0x100);
    memory_region_init_io(&io_def, "io-def", &dev_ops_default, &d, 0x100);

    assert_int_equal(memory_region_dispatch_read(&io, 0, &v, 1),
                     MEMTX_ACCESS_ERROR);
    assert_int_equal(memory_region_dispatch_read(&io, 0, &v, 8),
                     MEMTX_ACCESS_ERROR);
    assert_int_equal(memory_region_dispatch_read(&io, 2, &v, 4),
                     MEMTX_ACCESS_ERROR);
    assert_int_equal(memory_region_dispatch_write(&io, 0, 0, 3),
                     MEMTX_ACCESS_ERROR);
    assert_int_equal(d.nr_calls, 0);
    assert_int_equal(memory_region_dispatch_read(&io, 4, &v, 4), MEMTX_OK);
    assert_int_equal(memory_region_dispatch_read(&io_u, 2, &v, 4), MEMTX_OK);

    /* Defaults: 1..4 bytes, aligned. */
    assert_int_equal(memory_region_dispatch_read(&io_def, 0, &v, 8),
                     MEMTX_ACCESS_ERROR);
    assert_int_equal(memory_region_dispatch_read(&io_def, 1, &v, 2),
                     MEMTX_ACCESS_ERROR);
    assert_int_equal(memory_region_dispatch_read(&io_def, 3, &v, 1),
                     MEMTX_OK);
    /* Beyond the region. */
    assert_int_equal(memory_region_dispatch_read(&io_def, 0x100, &v, 1),
                     MEMTX_DECODE_ERROR);

    /* The accepts hook vetoes before the callback runs. */
    d.refuse_addr_0x10 = true;
    d.nr_calls = 0;
    assert_int_equal(memory_region_dispatch_write(&io_def, 0x10, 1, 4),
                     MEMTX_ACCESS_ERROR);
    assert_int_equal(d.nr_calls, 0);
    assert_int_equal(memory_region_dispatch_write(&io_def, 0x14, 1, 4),
                     MEMTX_OK);
    assert_int_equal(d.nr_calls, 1);

    memory_region_finalize(&io);
    memory_region_finalize(&io_u);
    memory_region_finalize(&io_def);
}

static void test_impl_split(void **state)
{
    TestDev d = { 0 };
    MemoryRegion io;
    uint64_t v;

    memory_region_init_io(&io, "split", &dev_ops_split, &d, 0x100);
    for (int i = 0; i < 16; i++) {
        d.regs[0x20 + i] = 0x10 + i;
    }
    assert_int_equal(memory_region_dispatch_read(&io, 0x20, &v, 8), MEMTX_OK);
    assert_int_equal(v, 0x1716151413121110ULL);
    assert_int_equal(d.nr_calls, 2);
    assert_int_equal(d.calls[0].addr, 0x20);
    assert_int_equal(d.calls[0].size, 4);
    assert_int_equal(d.calls[1].addr, 0x24);
    assert_int_equal(d.calls[1].size, 4);

    d.nr_calls = 0;
    assert_int_equal(memory_region_dispatch_write(&io, 0x40, 
                                                  0x8877665544332211ULL, 8),
                     MEMTX_OK);
    assert_int_equal(d.nr_calls, 2);
    assert_true(d.calls[0].is_write);
    assert_int_equal(d.calls[0].addr, 0x40);
    assert_int_equal(d.calls[0].value, 0x44332211);
    assert_int_equal(d.calls[1].addr, 0x44);
    assert_int_equal(d.calls[1].value, 0x88776655);

    /* Accesses within impl pass straight through. */
    d.nr_calls = 0;
    assert_int_equal(memory_region_dispatch_read(&io, 0x21, &v, 1), MEMTX_OK);
    assert_int_equal(v, 0x11);
    assert_int_equal(d.nr_calls, 1);
    assert_int_equal(d.calls[0].size, 1);

    memory_region_finalize(&io);
}

static void test_impl_widen(void **state)
{
    TestDev d = { 0 };
    MemoryRegion io;
    uint64_t v;

    memory_region_init_io(&io, "widen", &dev_ops_widen, &d, 0x100);
    memcpy(&d.regs[0x10], "\x01\x02\x03\x04", 4);

    /* A byte read at offset 2 is a 4-byte read at 0, lane 2. */
    assert_int_equal(memory_region_dispatch_read(&io, 0x12, &v, 1), MEMTX_OK);
    assert_int_equal(v, 0x03);
    assert_int_equal(d.nr_calls, 1);
    assert_int_equal(d.calls[0].addr, 0x10);
    assert_int_equal(d.calls[0].size, 4);
    /* A halfword read at offset 2: lanes 2-3. */
    assert_int_equal(memory_region_dispatch_read(&io, 0x12, &v, 2), MEMTX_OK);
    assert_int_equal(v, 0x0403);

    /* A byte write at offset 1: read-modify-write keeping lanes 0, 2, 3. */
    d.nr_calls = 0;
    assert_int_equal(memory_region_dispatch_write(&io, 0x11, 0xab, 1),
                     MEMTX_OK);
    assert_int_equal(d.nr_calls, 2);
    assert_false(d.calls[0].is_write);
    assert_int_equal(d.calls[0].addr, 0x10);
    assert_true(d.calls[1].is_write);
    assert_int_equal(d.calls[1].addr, 0x10);
    assert_int_equal(d.calls[1].size, 4);
    assert_int_equal(d.calls[1].value, 0x0403ab01);
    /* A halfword write at offset 2. */
    assert_int_equal(memory_region_dispatch_write(&io, 0x12, 0xbeef, 2),
                     MEMTX_OK);
    assert_int_equal(d.calls[3].value, 0xbeefab01);

    /* A full-width access needs no read. */
    d.nr_calls = 0;
    assert_int_equal(memory_region_dispatch_write(&io, 0x14, 0x12345678, 4),
                     MEMTX_OK);
    assert_int_equal(d.nr_calls, 1);

    memory_region_finalize(&io);
}

/* --- ROM, DMA and code notification --- */

static void test_rom(void **state)
{
    Fixture *f = fixture_new();
    MemoryRegion rom;
    Error *err = NULL;
    uint8_t buf[4] = { 1, 2, 3, 4 }, out[4];
    uint64_t v;

    assert_true(memory_region_init_rom(&rom, "mrom", 0x1000, &err));
    memory_region_add_subregion(&f->system, 0x1000, &rom);
    assert_int_equal(address_space_write_rom(&f->as, 0x1100, buf, 4),
                     MEMTX_OK);
    assert_int_equal(address_space_load(&f->as, 0x1100, 4, &v), MEMTX_OK);
    assert_int_equal(v, 0x04030201);
    /* Guest writes are dropped but not an error. */
    assert_int_equal(address_space_store(&f->as, 0x1100, 4, 0xffffffff),
                     MEMTX_OK);
    assert_int_equal(address_space_write(&f->as, 0x1101, "xx", 2), MEMTX_OK);
    assert_int_equal(address_space_read(&f->as, 0x1100, out, 4), MEMTX_OK);
    assert_memory_equal(out, buf, 4);
    assert_int_equal(memory_region_dispatch_write(&rom, 0x100, 0, 4),
                     MEMTX_OK);
    assert_int_equal(address_space_load(&f->as, 0x1100, 4, &v), MEMTX_OK);
    assert_int_equal(v, 0x04030201);
    /* No writable mapping of ROM. */
    assert_null(address_space_map(&f->as, 0x1100, 4, true));
    assert_non_null(address_space_map(&f->as, 0x1100, 4, false));

    memory_region_finalize(&rom);
    fixture_free(f);
}

static void test_dma_boundaries(void **state)
{
    Fixture *f = fixture_new();
    TestDev d = { 0 };
    MemoryRegion ram, io;
    uint8_t buf[32], out[32];
    uint8_t *host;

    init_ram(&ram, "ram", 0x1000);
    memory_region_init_io(&io, "dev", &dev_ops_dma, &d, 0x100);
    memory_region_add_subregion(&f->system, 0x0, &ram);
    memory_region_add_subregion(&f->system, 0x1000, &io);
    host = memory_region_get_ram_ptr(&ram);
    for (int i = 0; i < 32; i++) {
        buf[i] = 0xa0 + i;
    }

    /* 4 bytes of RAM, then device offsets 0..11: one 8, one 4. */
    assert_int_equal(address_space_write(&f->as, 0xffc, buf, 16), MEMTX_OK);
    assert_memory_equal(host + 0xffc, buf, 4);
    assert_memory_equal(d.regs, buf + 4, 12);
    assert_int_equal(d.nr_calls, 2);
    assert_int_equal(d.calls[0].size, 8);
    assert_int_equal(d.calls[0].addr, 0);
    assert_int_equal(d.calls[1].size, 4);
    assert_int_equal(d.calls[1].addr, 8);

    /* Misaligned device range: pieces 1, 2, 4, 8, 1 at 0x21. */
    d.nr_calls = 0;
    assert_int_equal(address_space_write(&f->as, 0x1021, buf, 16), MEMTX_OK);
    assert_int_equal(d.nr_calls, 5);
    assert_int_equal(d.calls[0].size, 1);
    assert_int_equal(d.calls[1].size, 2);
    assert_int_equal(d.calls[1].addr, 0x22);
    assert_int_equal(d.calls[2].size, 4);
    assert_int_equal(d.calls[3].size, 8);
    assert_int_equal(d.calls[3].addr, 0x28);
    assert_int_equal(d.calls[4].size, 1);

    /* Read back across the boundary. */
    assert_int_equal(address_space_read(&f->as, 0xffc, out, 16), MEMTX_OK);
    assert_memory_equal(out, buf, 16);

    /* Running off the end stops with a decode error. */
    assert_int_equal(address_space_read(&f->as, 0x10f8, out, 16),
                     MEMTX_DECODE_ERROR);
    /* Loaders may not write devices. */
    assert_int_equal(address_space_write_rom(&f->as, 0xff0, buf, 32),
                     MEMTX_ACCESS_ERROR);

    /* A CPU access straddling RAM and the device is split. */
    assert_int_equal(address_space_store(&f->as, 0xffe, 4, 0x44332211),
                     MEMTX_OK);
    assert_int_equal(host[0xffe], 0x11);
    assert_int_equal(host[0xfff], 0x22);
    assert_int_equal(d.regs[0], 0x33);
    assert_int_equal(d.regs[1], 0x44);

    memory_region_finalize(&ram);
    memory_region_finalize(&io);
    fixture_free(f);
}

typedef struct CodeWrites {
    unsigned count;
    uint64_t offset, len;
} CodeWrites;

static void on_code_write(void *opaque, RAMBlock *block, uint64_t offset,
                          uint64_t len)
{
    CodeWrites *cw = opaque;

    cw->count++;
    cw->offset = offset;
    cw->len = len;
}

static void test_code_bitmap(void **state)
{
    Fixture *f = fixture_new();
    MemoryRegion ram;
    CodeWrites cw = { 0 };
    uint8_t buf[16] = { 0 };
    RAMBlock *block;

    init_ram(&ram, "ram", 0x10000);
    memory_region_add_subregion(&f->system, 0x80000000, &ram);
    block = ram.ram_block;
    block->code_write = on_code_write;
    block->code_write_opaque = &cw;
    block->code_bitmap[0] |= 1ul << 2;      /* page 2 holds code */

    assert_int_equal(address_space_write(&f->as, 0x80001000, buf, 16),
                     MEMTX_OK);
    assert_int_equal(address_space_store(&f->as, 0x80003000, 4, 1), MEMTX_OK);
    assert_int_equal(cw.count, 0);

    assert_int_equal(address_space_store(&f->as, 0x80002ffc, 4, 1), MEMTX_OK);
    assert_int_equal(cw.count, 1);
    assert_int_equal(cw.offset, 0x2ffc);
    assert_int_equal(cw.len, 4);

    /* DMA that spans pages 1-2. */
    assert_int_equal(address_space_write(&f->as, 0x80001ff8, buf, 16),
                     MEMTX_OK);
    assert_int_equal(cw.count, 2);
    assert_int_equal(cw.offset, 0x1ff8);
    assert_int_equal(cw.len, 16);

    /* Loader writes notify too; reads do not. */
    assert_int_equal(address_space_write_rom(&f->as, 0x80002000, buf, 1),
                     MEMTX_OK);
    assert_int_equal(cw.count, 3);
    assert_int_equal(address_space_read(&f->as, 0x80002000, buf, 16),
                     MEMTX_OK);
    assert_int_equal(cw.count, 3);

    ram_block_notify_write(block, 0x2800, 1);
    assert_int_equal(cw.count, 4);
    ram_block_notify_write(block, 0x5000, 0x1000);
    assert_int_equal(cw.count, 4);

    memory_region_finalize(&ram);
    fixture_free(f);
}

static void test_decode_errors(void **state)
{
    Fixture *f = fixture_new();
    uint64_t v = 0x1234;
    uint8_t buf[4];

    assert_int_equal(address_space_load(&f->as, 0x1000, 4, &v),
                     MEMTX_DECODE_ERROR);
    assert_int_equal(v, 0);
    assert_int_equal(address_space_store(&f->as, 0x1000, 4, 0),
                     MEMTX_DECODE_ERROR);
    assert_int_equal(address_space_read(&f->as, 0, buf, 4),
                     MEMTX_DECODE_ERROR);
    assert_int_equal(address_space_write(&f->as, UINT64_MAX, buf, 1),
                     MEMTX_DECODE_ERROR);
    assert_int_equal(address_space_load(&f->as, 0, 3, &v),
                     MEMTX_ACCESS_ERROR);
    fixture_free(f);
}

/* --- info mtree --- */

static void test_mtree_text(void **state)
{
    Fixture *f = fixture_new();
    TestDev d = { 0 };
    MemoryRegion ram, rom, uart, alias, off;
    Error *err = NULL;
    char *text;
    static const char expected[] =
        "address-space: memory\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
        "    0000000000000000-0000000000000fff (prio 1, ram): alias "
        "boot-alias @riscv.virt.ram 0000000000001000-0000000000001fff\n"
        "    0000000000001000-0000000000001fff (prio 0, rom): mrom\n"
        "    0000000010000000-00000000100000ff (prio 0, i/o): serial\n"
        "    0000000020000000-00000000200000ff (prio 0, i/o): off "
        "[disabled]\n"
        "    0000000080000000-000000008000ffff (prio 0, ram): "
        "riscv.virt.ram\n"
        "\n"
        "memory-region: riscv.virt.ram\n"
        "  0000000080000000-000000008000ffff (prio 0, ram): "
        "riscv.virt.ram\n"
        "\n"
        "FlatView #0\n"
        " AS \"memory\", root: system\n"
        " Root memory region: system\n"
        "  0000000000000000-0000000000000fff (prio 0, ram): riscv.virt.ram "
        "@0000000000001000\n"
        "  0000000000001000-0000000000001fff (prio 0, rom): mrom\n"
        "  0000000010000000-00000000100000ff (prio 0, i/o): serial\n"
        "  0000000080000000-000000008000ffff (prio 0, ram): riscv.virt.ram\n"
        "\n";

    init_ram(&ram, "riscv.virt.ram", 0x10000);
    assert_true(memory_region_init_rom(&rom, "mrom", 0x1000, &err));
    memory_region_init_io(&uart, "serial", &dev_ops_default, &d, 0x100);
    memory_region_init_io(&off, "off", &dev_ops_default, &d, 0x100);
    memory_region_init_alias(&alias, "boot-alias", &ram, 0x1000, 0x1000);
    memory_region_add_subregion(&f->system, 0x80000000, &ram);
    memory_region_add_subregion(&f->system, 0x10000000, &uart);
    memory_region_add_subregion(&f->system, 0x20000000, &off);
    memory_region_set_enabled(&off, false);
    memory_region_add_subregion(&f->system, 0x1000, &rom);
    memory_region_add_subregion_overlap(&f->system, 0x0, &alias, 1);

    text = memory_region_format_tree(&f->as, true);
    assert_string_equal(text, expected);
    free(text);
    /* Without the flat view, the text stops before "FlatView". */
    text = memory_region_format_tree(&f->as, false);
    assert_int_equal(strlen(text), strstr(expected, "FlatView") - expected);
    free(text);

    memory_region_finalize(&alias);
    memory_region_finalize(&ram);
    memory_region_finalize(&rom);
    memory_region_finalize(&uart);
    memory_region_finalize(&off);
    fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ram_basic),
        cmocka_unit_test(test_ram_errors),
        cmocka_unit_test(test_priorities),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_container_clipping),
        cmocka_unit_test(test_whole_space),
        cmocka_unit_test(test_generation),
        cmocka_unit_test(test_valid_rules),
        cmocka_unit_test(test_impl_split),
        cmocka_unit_test(test_impl_widen),
        cmocka_unit_test(test_rom),
        cmocka_unit_test(test_dma_boundaries),
        cmocka_unit_test(test_code_bitmap),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_mtree_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
