/*
 * tests/unit/test-loader.c — ELF and raw image loading: a small ELF64
 * (and ELF32) executable built byte by byte in the test, its symbols, and
 * a set of hostile or truncated files that must fail with one clear line
 * and leave guest memory untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw/core/loader.h"
#include "exec/memory.h"
#include "util/error.h"

#include <elf.h>
#include <unistd.h>

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE 0x10000ULL
#define ROM_BASE 0x1000ULL
#define IO_BASE 0x10000000ULL
#define KERNEL_VBASE 0xffffffff80000000ULL

/*
 * The test executable: text (16 bytes + 0xf0 of bss) linked at a virtual
 * address above its physical one, data (tohost/fromhost) at RAM+0x1000,
 * and a symbol table. Every member is 8-byte aligned, so the struct has
 * no padding and its layout is the file layout.
 */
typedef struct TestElf64 {
    Elf64_Ehdr eh;
    Elf64_Phdr ph[2];
    uint8_t text[16];
    uint8_t data[16];
    Elf64_Sym sym[3];
    char strtab[24];
    Elf64_Shdr sh[3];
} TestElf64;

typedef struct TestElf32 {
    Elf32_Ehdr eh;
    Elf32_Phdr ph[1];
    uint8_t text[8];
} TestElf32;

static const char test_strtab[] = "\0tohost\0fromhost";

static void elf64_build(TestElf64 *e)
{
    memset(e, 0, sizeof(*e));
    memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
    e->eh.e_ident[EI_CLASS] = ELFCLASS64;
    e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    e->eh.e_ident[EI_VERSION] = EV_CURRENT;
    e->eh.e_type = ET_EXEC;
    e->eh.e_machine = EM_RISCV;
    e->eh.e_version = EV_CURRENT;
    e->eh.e_entry = KERNEL_VBASE + 4;
    e->eh.e_phoff = offsetof(TestElf64, ph);
    e->eh.e_shoff = offsetof(TestElf64, sh);
    e->eh.e_ehsize = sizeof(Elf64_Ehdr);
    e->eh.e_phentsize = sizeof(Elf64_Phdr);
    e->eh.e_phnum = 2;
    e->eh.e_shentsize = sizeof(Elf64_Shdr);
    e->eh.e_shnum = 3;

    e->ph[0] = (Elf64_Phdr) {
        .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
        .p_offset = offsetof(TestElf64, text),
        .p_vaddr = KERNEL_VBASE, .p_paddr = RAM_BASE,
        .p_filesz = sizeof(e->text), .p_memsz = 0x100, .p_align = 8,
    };
    e->ph[1] = (Elf64_Phdr) {
        .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
        .p_offset = offsetof(TestElf64, data),
        .p_vaddr = RAM_BASE + 0x1000, .p_paddr = RAM_BASE + 0x1000,
        .p_filesz = sizeof(e->data), .p_memsz = sizeof(e->data),
    };
    for (size_t i = 0; i < sizeof(e->text); i++) {
        e->text[i] = 0x10 + i;
    }
    memset(e->data, 0xdd, sizeof(e->data));

    e->sym[1] = (Elf64_Sym) {
        .st_name = 1, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
        .st_shndx = 1, .st_value = RAM_BASE + 0x1000, .st_size = 8,
    };
    e->sym[2] = (Elf64_Sym) {
        .st_name = 8, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
        .st_shndx = 1, .st_value = RAM_BASE + 0x1008, .st_size = 8,
    };
    memcpy(e->strtab, test_strtab, sizeof(test_strtab));
    e->sh[1] = (Elf64_Shdr) {
        .sh_type = SHT_SYMTAB, .sh_offset = offsetof(TestElf64, sym),
        .sh_size = sizeof(e->sym), .sh_link = 2,
        .sh_entsize = sizeof(Elf64_Sym),
    };
    e->sh[2] = (Elf64_Shdr) {
        .sh_type = SHT_STRTAB, .sh_offset = offsetof(TestElf64, strtab),
        .sh_size = sizeof(test_strtab),
    };
}

static void elf32_build(TestElf32 *e)
{
    memset(e, 0, sizeof(*e));
    memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
    e->eh.e_ident[EI_CLASS] = ELFCLASS32;
    e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    e->eh.e_ident[EI_VERSION] = EV_CURRENT;
    e->eh.e_type = ET_EXEC;
    e->eh.e_machine = EM_RISCV;
    e->eh.e_version = EV_CURRENT;
    e->eh.e_entry = RAM_BASE + 0x2000;
    e->eh.e_phoff = offsetof(TestElf32, ph);
    e->eh.e_ehsize = sizeof(Elf32_Ehdr);
    e->eh.e_phentsize = sizeof(Elf32_Phdr);
    e->eh.e_phnum = 1;
    e->ph[0] = (Elf32_Phdr) {
        .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
        .p_offset = offsetof(TestElf32, text),
        .p_vaddr = RAM_BASE + 0x2000, .p_paddr = RAM_BASE + 0x2000,
        .p_filesz = sizeof(e->text), .p_memsz = sizeof(e->text),
    };
    memcpy(e->text, "rv32elf!", 8);
}

/* --- fixture: RAM, ROM and a device; a temp file --- */

typedef struct Fixture {
    MemoryRegion system, ram, rom, io;
    AddressSpace as;
    char path[64];
    uint8_t *ram_host;
} Fixture;

static const MemoryRegionOps io_ops = { 0 };

static int fixture_setup(void **state)
{
    Fixture *f = XNEW(Fixture);
    int fd;

    memory_region_init_container(&f->system, "system", UINT64_MAX);
    address_space_init(&f->as, &f->system, "memory");
    assert_true(memory_region_init_ram(&f->ram, "ram", RAM_SIZE, NULL));
    assert_true(memory_region_init_rom(&f->rom, "mrom", 0x1000, NULL));
    memory_region_init_io(&f->io, "uart", &io_ops, NULL, 0x100);
    memory_region_add_subregion(&f->system, RAM_BASE, &f->ram);
    memory_region_add_subregion(&f->system, ROM_BASE, &f->rom);
    memory_region_add_subregion(&f->system, IO_BASE, &f->io);
    f->ram_host = memory_region_get_ram_ptr(&f->ram);
    snprintf(f->path, sizeof(f->path), "/tmp/vireo-test-loader-XXXXXX");
    fd = mkstemp(f->path);
    assert_true(fd >= 0);
    close(fd);
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    Fixture *f = *state;

    unlink(f->path);
    address_space_destroy(&f->as);
    memory_region_finalize(&f->ram);
    memory_region_finalize(&f->rom);
    memory_region_finalize(&f->io);
    memory_region_finalize(&f->system);
    free(f);
    return 0;
}

static void write_file(Fixture *f, const void *data, size_t len)
{
    FILE *out = fopen(f->path, "wb");

    assert_non_null(out);
    assert_int_equal(fwrite(data, 1, len, out), len);
    fclose(out);
}

static bool ram_is_zero(Fixture *f)
{
    for (uint64_t i = 0; i < RAM_SIZE; i++) {
        if (f->ram_host[i]) {
            return false;
        }
    }
    return true;
}

/* --- good files --- */

static void test_load_elf64(void **state)
{
    Fixture *f = *state;
    TestElf64 e;
    ElfLoadInfo info;
    Error *err = NULL;

    elf64_build(&e);
    write_file(f, &e, sizeof(e));
    assert_true(file_is_elf(f->path));
    memset(f->ram_host, 0xee, 0x200);   /* bss must be zeroed */
    assert_true(load_elf(&f->as, f->path, EM_RISCV, &info, &err));
    assert_null(err);
    /* The entry is translated from the virtual link address. */
    assert_int_equal(info.entry, RAM_BASE + 4);
    assert_int_equal(info.low_addr, RAM_BASE);
    assert_int_equal(info.high_addr, RAM_BASE + 0x1000 + 16);
    assert_int_equal(info.machine, EM_RISCV);
    assert_true(info.is_64bit);
    assert_memory_equal(f->ram_host, e.text, sizeof(e.text));
    for (int i = 16; i < 0x100; i++) {
        assert_int_equal(f->ram_host[i], 0);
    }
    assert_int_equal(f->ram_host[0x100], 0xee);     /* beyond p_memsz */
    assert_memory_equal(f->ram_host + 0x1000, e.data, sizeof(e.data));

    /* Machine 0 accepts any machine. */
    assert_true(load_elf(&f->as, f->path, 0, &info, &err));
}

static void test_load_elf32_and_rom(void **state)
{
    Fixture *f = *state;
    TestElf32 e;
    ElfLoadInfo info;
    uint8_t out[8];

    elf32_build(&e);
    write_file(f, &e, sizeof(e));
    assert_true(load_elf(&f->as, f->path, EM_RISCV, &info, NULL));
    assert_false(info.is_64bit);
    assert_int_equal(info.entry, RAM_BASE + 0x2000);
    assert_memory_equal(f->ram_host + 0x2000, "rv32elf!", 8);

    /* Into ROM: loaders may write it. */
    e.ph[0].p_paddr = ROM_BASE + 0x10;
    write_file(f, &e, sizeof(e));
    assert_true(load_elf(&f->as, f->path, EM_RISCV, &info, NULL));
    assert_int_equal(address_space_read(&f->as, ROM_BASE + 0x10, out, 8),
                     MEMTX_OK);
    assert_memory_equal(out, "rv32elf!", 8);
}

static void test_symbols(void **state)
{
    Fixture *f = *state;
    TestElf64 e;
    uint64_t value = 0, size = 0;
    Error *err = NULL;

    elf64_build(&e);
    write_file(f, &e, sizeof(e));
    assert_true(elf_find_symbol(f->path, "tohost", &value, &size, &err));
    assert_int_equal(value, RAM_BASE + 0x1000);
    assert_int_equal(size, 8);
    assert_true(elf_find_symbol(f->path, "fromhost", &value, NULL, &err));
    assert_int_equal(value, RAM_BASE + 0x1008);
    /* Prefixes and suffixes of real names are not matches. */
    assert_false(elf_find_symbol(f->path, "tohos", &value, NULL, &err));
    assert_non_null(strstr(error_get_pretty(err), "symbol 'tohos' not found"));
    error_free(err);
    err = NULL;
    assert_false(elf_find_symbol(f->path, "fromhostx", NULL, NULL, &err));
    error_free(err);
}

static void test_load_raw(void **state)
{
    Fixture *f = *state;
    uint64_t size = 0;
    Error *err = NULL;

    write_file(f, "raw image", 9);
    assert_false(file_is_elf(f->path));
    assert_true(load_image_raw(&f->as, f->path, RAM_BASE + 0x300, RAM_SIZE,
                               &size, &err));
    assert_int_equal(size, 9);
    assert_memory_equal(f->ram_host + 0x300, "raw image", 9);

    assert_false(load_image_raw(&f->as, f->path, RAM_BASE, 8, NULL, &err));
    assert_non_null(strstr(error_get_pretty(err), "too large"));
    error_free(err);
    err = NULL;
    /* Running off the end of RAM: names the first bad address. */
    assert_false(load_image_raw(&f->as, f->path, RAM_BASE + RAM_SIZE - 4,
                                UINT64_MAX, NULL, &err));
    assert_non_null(strstr(error_get_pretty(err), "0x80010000"));
    error_free(err);
    err = NULL;
    assert_false(load_image_raw(&f->as, f->path, IO_BASE, UINT64_MAX, NULL,
                                &err));
    assert_non_null(strstr(error_get_pretty(err), "'uart'"));
    error_free(err);
    err = NULL;
    assert_false(load_image_raw(&f->as, f->path, UINT64_MAX - 2, UINT64_MAX,
                                NULL, &err));
    error_free(err);
    err = NULL;
    assert_false(load_image_raw(&f->as, "/nonexistent/vireo", RAM_BASE,
                                UINT64_MAX, NULL, &err));
    assert_non_null(strstr(error_get_pretty(err), "No such file"));
    error_free(err);
    assert_false(file_is_elf("/nonexistent/vireo"));
}

/* --- hostile files --- */

#define WHOLE SIZE_MAX

typedef struct Hostile {
    const char *what;
    void (*mutate)(TestElf64 *e);
    size_t keep;                /* bytes of the file kept, or WHOLE */
    const char *expect;         /* substring of the error */
} Hostile;

static void m_magic(TestElf64 *e) { e->eh.e_ident[1] = 'X'; }
static void m_class(TestElf64 *e) { e->eh.e_ident[EI_CLASS] = 3; }
static void m_big_endian(TestElf64 *e) { e->eh.e_ident[EI_DATA] = ELFDATA2MSB; }
static void m_version(TestElf64 *e) { e->eh.e_ident[EI_VERSION] = 9; }
static void m_machine(TestElf64 *e) { e->eh.e_machine = EM_X86_64; }
static void m_type_rel(TestElf64 *e) { e->eh.e_type = ET_REL; }
static void m_phnum0(TestElf64 *e) { e->eh.e_phnum = 0; }
static void m_phnum_xnum(TestElf64 *e) { e->eh.e_phnum = PN_XNUM; }
static void m_phnum_big(TestElf64 *e) { e->eh.e_phnum = 60000; }
static void m_phoff(TestElf64 *e) { e->eh.e_phoff = UINT64_MAX - 8; }
static void m_phentsize(TestElf64 *e) { e->eh.e_phentsize = 32; }
static void m_seg_offset(TestElf64 *e) { e->ph[1].p_offset = 1ULL << 62; }
static void m_seg_filesz(TestElf64 *e) { e->ph[1].p_filesz = UINT64_MAX; e->ph[1].p_memsz = UINT64_MAX; }
static void m_filesz_gt_memsz(TestElf64 *e) { e->ph[0].p_memsz = 4; }
static void m_wrap(TestElf64 *e) { e->ph[1].p_paddr = UINT64_MAX - 4; }
static void m_unmapped(TestElf64 *e) { e->ph[1].p_paddr = 0x40000000; }
static void m_past_ram(TestElf64 *e) { e->ph[1].p_memsz = RAM_SIZE; }
static void m_into_io(TestElf64 *e) { e->ph[1].p_paddr = IO_BASE + 0x10; }
static void m_no_load(TestElf64 *e) { e->ph[0].p_type = PT_NOTE; e->ph[1].p_type = PT_NULL; }

static const Hostile hostile_loads[] = {
    { "bad magic", m_magic, WHOLE, "is not an ELF file" },
    { "bad class", m_class, WHOLE, "unsupported ELF class 3" },
    { "big-endian", m_big_endian, WHOLE, "little-endian" },
    { "bad version", m_version, WHOLE, "unsupported ELF version" },
    { "wrong machine", m_machine, WHOLE, "machine 62 (x86-64), not 243 (RISC-V)" },
    { "relocatable", m_type_rel, WHOLE, "not an executable" },
    { "no program headers", m_phnum0, WHOLE, "no program headers" },
    { "PN_XNUM", m_phnum_xnum, WHOLE, "no program headers" },
    { "phnum past EOF", m_phnum_big, WHOLE, "beyond the end of the file" },
    { "phoff overflow", m_phoff, WHOLE, "beyond the end of the file" },
    { "phentsize", m_phentsize, WHOLE, "entry size is 32" },
    { "segment offset", m_seg_offset, WHOLE, "segment 1 data" },
    { "segment filesz", m_seg_filesz, WHOLE, "segment 1 data" },
    { "filesz > memsz", m_filesz_gt_memsz, WHOLE, "larger than p_memsz" },
    { "address wrap", m_wrap, WHOLE, "wraps around" },
    { "unmapped", m_unmapped, WHOLE, "nothing is mapped at 0x40000000" },
    { "past RAM end", m_past_ram, WHOLE, "nothing is mapped at 0x80010000" },
    { "into I/O", m_into_io, WHOLE, "0x10000010 is in I/O region 'uart'" },
    { "no PT_LOAD", m_no_load, WHOLE, "no loadable segments" },
    { "empty file", NULL, 0, "too short" },
    { "short header", NULL, 39, "ELF header" },
    { "cut in phdrs", NULL, offsetof(TestElf64, ph) + 59,
      "program header table" },
    { "cut in data", NULL, offsetof(TestElf64, data) + 2, "segment 1 data" },
};

static void check_one_line(const Error *err, const char *expect,
                           const char *what)
{
    const char *msg = error_get_pretty(err);

    if (!strstr(msg, expect) || strchr(msg, '\n')) {
        fail_msg("%s: got \"%s\", wanted \"%s\"", what, msg, expect);
    }
}

static void test_hostile_elf(void **state)
{
    Fixture *f = *state;

    for (size_t i = 0; i < ARRAY_SIZE(hostile_loads); i++) {
        const Hostile *h = &hostile_loads[i];
        ElfLoadInfo info;
        Error *err = NULL;
        TestElf64 e;

        elf64_build(&e);
        if (h->mutate) {
            h->mutate(&e);
        }
        write_file(f, &e, h->keep == WHOLE ? sizeof(e) : h->keep);
        memset(f->ram_host, 0, RAM_SIZE);
        if (load_elf(&f->as, f->path, EM_RISCV, &info, &err)) {
            fail_msg("%s: loaded", h->what);
        }
        check_one_line(err, h->expect, h->what);
        /* Nothing was written before the file was found bad. */
        if (!ram_is_zero(f)) {
            fail_msg("%s: guest memory was modified", h->what);
        }
        error_free(err);
    }
}

static void s_no_sections(TestElf64 *e) { e->eh.e_shnum = 0; }
static void s_shoff(TestElf64 *e) { e->eh.e_shoff = UINT64_MAX - 100; }
static void s_shentsize(TestElf64 *e) { e->eh.e_shentsize = 40; }
static void s_no_symtab(TestElf64 *e) { e->sh[1].sh_type = SHT_PROGBITS; }
static void s_link(TestElf64 *e) { e->sh[1].sh_link = 77; }
static void s_link_type(TestElf64 *e) { e->sh[1].sh_link = 1; }
static void s_entsize(TestElf64 *e) { e->sh[1].sh_entsize = 16; }
static void s_sym_size(TestElf64 *e) { e->sh[1].sh_size = 1ULL << 60; }
static void s_sym_offset(TestElf64 *e) { e->sh[1].sh_offset = UINT64_MAX; }
static void s_str_size(TestElf64 *e) { e->sh[2].sh_size = UINT64_MAX; }
static void s_name_oob(TestElf64 *e) { e->sym[1].st_name = 0x7fffffff; e->sym[2].st_name = 9999; }
/* "tohost" at the very end of the string table with no terminator. */
static void s_unterminated(TestElf64 *e) { e->sh[2].sh_size = 7; e->sym[2].st_name = 1; e->sym[1].st_name = 0; }

static const Hostile hostile_symbols[] = {
    { "no section headers", s_no_sections, WHOLE, "no section headers" },
    { "shoff overflow", s_shoff, WHOLE, "beyond the end of the file" },
    { "shentsize", s_shentsize, WHOLE, "entry size is 40" },
    { "no symtab", s_no_symtab, WHOLE, "no symbol table" },
    { "sh_link out of range", s_link, WHOLE, "malformed symbol table" },
    { "sh_link not strtab", s_link_type, WHOLE, "malformed symbol table" },
    { "sym entsize", s_entsize, WHOLE, "malformed symbol table" },
    { "huge symtab", s_sym_size, WHOLE, "symbol table" },
    { "symtab offset", s_sym_offset, WHOLE, "symbol table" },
    { "huge strtab", s_str_size, WHOLE, "string table" },
    { "names out of bounds", s_name_oob, WHOLE, "not found" },
    { "unterminated name", s_unterminated, WHOLE, "not found" },
    { "cut in symtab", NULL, offsetof(TestElf64, sym) + 9,
      "section header table" },
    { "not ELF", NULL, 2, "too short" },
};

static void test_hostile_symbols(void **state)
{
    Fixture *f = *state;

    for (size_t i = 0; i < ARRAY_SIZE(hostile_symbols); i++) {
        const Hostile *h = &hostile_symbols[i];
        uint64_t value;
        Error *err = NULL;
        TestElf64 e;

        elf64_build(&e);
        if (h->mutate) {
            h->mutate(&e);
        }
        write_file(f, &e, h->keep == WHOLE ? sizeof(e) : h->keep);
        if (elf_find_symbol(f->path, "tohost", &value, NULL, &err)) {
            fail_msg("%s: found", h->what);
        }
        check_one_line(err, h->expect, h->what);
        error_free(err);
    }
}

static void test_not_a_file(void **state)
{
    ElfLoadInfo info;
    Error *err = NULL;
    Fixture *f = *state;

    assert_false(load_elf(&f->as, "/tmp", EM_RISCV, &info, &err));
    assert_non_null(strstr(error_get_pretty(err), "not a regular file"));
    error_free(err);
    err = NULL;
    assert_false(load_elf(&f->as, "/nonexistent/vmlinux", EM_RISCV, &info,
                          &err));
    assert_non_null(strstr(error_get_pretty(err),
                           "could not open '/nonexistent/vmlinux'"));
    error_free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load_elf64, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_load_elf32_and_rom,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_symbols, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_load_raw, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_hostile_elf, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_hostile_symbols, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_not_a_file, fixture_setup,
                                        fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
