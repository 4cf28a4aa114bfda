/*
 * hw/core/loader.c — ELF and raw image loading into guest memory.
 *
 * ELF follows the System V gABI ("ELF header", "Program header",
 * "Sections", "Symbol table" chapters); only little-endian files are
 * accepted, ELF64 and ELF32. Headers are read into one normalised form
 * (ElfHeader/ElfSegment/ElfSection with 64-bit fields) so the rest of the
 * code does not care about the class.
 *
 * Hostile files: every offset/size pair is checked against the file size
 * before it is read (elf_read()), segment address ranges are checked for
 * wrap-around, table entry sizes must match the class, and table counts
 * are 16-bit in the format, which bounds what is read into memory. Every
 * segment is checked to land entirely in RAM/ROM before the first byte is
 * written, so a bad file leaves guest memory untouched.
 */
#include "hw/core/loader.h"
#include "exec/memory.h"
#include "util/error.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Data is copied into the guest in pieces of this size. */
#define LOADER_CHUNK (1 * MiB)

typedef struct ElfHeader {
    uint16_t type;
    uint16_t machine;
    uint64_t entry;
    uint64_t phoff;
    uint64_t shoff;
    uint16_t phentsize;
    uint16_t phnum;
    uint16_t shentsize;
    uint16_t shnum;
} ElfHeader;

typedef struct ElfSegment {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
} ElfSegment;

typedef struct ElfSection {
    uint32_t type;
    uint32_t link;
    uint64_t offset;
    uint64_t size;
    uint64_t entsize;
} ElfSection;

/* An open ELF file whose header has been read and checked. */
typedef struct ElfFile {
    const char *path;
    int fd;
    uint64_t file_size;
    bool is_64bit;
    ElfHeader hdr;
} ElfFile;

/* Names for the e_machine values people are likely to meet. */
static const struct {
    uint16_t machine;
    const char *name;
} elf_machine_names[] = {
    { EM_386, "i386" },
    { EM_ARM, "ARM" },
    { EM_X86_64, "x86-64" },
    { EM_AARCH64, "AArch64" },
    { EM_RISCV, "RISC-V" },
};

static const char *elf_machine_name(uint16_t machine)
{
    for (size_t i = 0; i < ARRAY_SIZE(elf_machine_names); i++) {
        if (elf_machine_names[i].machine == machine) {
            return elf_machine_names[i].name;
        }
    }
    return "unknown";
}

/* --- file access --- */

static int loader_open(const char *path, uint64_t *file_size, Error **errp)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        error_setg_errno(errp, errno, "could not open '%s'", path);
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        error_setg_errno(errp, errno, "could not stat '%s'", path);
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        error_setg(errp, "'%s' is not a regular file", path);
        close(fd);
        return -1;
    }
    *file_size = (uint64_t)st.st_size;
    return fd;
}

/* pread() all of [offset, offset+len), which the caller checked exists. */
static bool loader_pread(int fd, const char *path, void *buf, uint64_t len,
                         uint64_t offset, Error **errp)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = pread(fd, p, MIN(len, (uint64_t)LOADER_CHUNK),
                          (off_t)offset);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error_setg_errno(errp, n < 0 ? errno : EIO,
                             "could not read '%s'", path);
            return false;
        }
        p += n;
        offset += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return true;
}

/* Check that @what, [offset, offset+len), lies inside the file. */
static bool elf_check_in_file(const ElfFile *ef, uint64_t offset,
                              uint64_t len, const char *what, Error **errp)
{
    if (offset > ef->file_size || len > ef->file_size - offset) {
        error_setg(errp, "'%s': %s (offset %" PRIu64 ", %" PRIu64
                   " bytes) lies beyond the end of the file (%" PRIu64
                   " bytes)", ef->path, what, offset, len, ef->file_size);
        return false;
    }
    return true;
}

/* Read @what, [offset, offset+len) of the file, after bounds checks. */
static bool elf_read(ElfFile *ef, uint64_t offset, void *buf, uint64_t len,
                     const char *what, Error **errp)
{
    return elf_check_in_file(ef, offset, len, what, errp) &&
           loader_pread(ef->fd, ef->path, buf, len, offset, errp);
}

/* --- headers --- */

static void elf_header_from64(ElfHeader *h, const Elf64_Ehdr *e)
{
    *h = (ElfHeader) {
        .type = e->e_type, .machine = e->e_machine, .entry = e->e_entry,
        .phoff = e->e_phoff, .shoff = e->e_shoff,
        .phentsize = e->e_phentsize, .phnum = e->e_phnum,
        .shentsize = e->e_shentsize, .shnum = e->e_shnum,
    };
}

static void elf_header_from32(ElfHeader *h, const Elf32_Ehdr *e)
{
    *h = (ElfHeader) {
        .type = e->e_type, .machine = e->e_machine, .entry = e->e_entry,
        .phoff = e->e_phoff, .shoff = e->e_shoff,
        .phentsize = e->e_phentsize, .phnum = e->e_phnum,
        .shentsize = e->e_shentsize, .shnum = e->e_shnum,
    };
}

/* Check e_ident (gABI "ELF Identification"): magic, class, order. */
static bool elf_check_ident(ElfFile *ef, const unsigned char *ident,
                            Error **errp)
{
    if (memcmp(ident, ELFMAG, SELFMAG) != 0) {
        error_setg(errp, "'%s' is not an ELF file", ef->path);
        return false;
    }
    if (ident[EI_CLASS] != ELFCLASS64 && ident[EI_CLASS] != ELFCLASS32) {
        error_setg(errp, "'%s': unsupported ELF class %u", ef->path,
                   ident[EI_CLASS]);
        return false;
    }
    if (ident[EI_DATA] != ELFDATA2LSB) {
        error_setg(errp, "'%s': only little-endian ELF files are supported",
                   ef->path);
        return false;
    }
    if (ident[EI_VERSION] != EV_CURRENT) {
        error_setg(errp, "'%s': unsupported ELF version %u", ef->path,
                   ident[EI_VERSION]);
        return false;
    }
    ef->is_64bit = ident[EI_CLASS] == ELFCLASS64;
    return true;
}

static bool elf_open(ElfFile *ef, const char *path, Error **errp)
{
    union {
        unsigned char ident[EI_NIDENT];
        Elf64_Ehdr e64;
        Elf32_Ehdr e32;
    } raw;

    memset(ef, 0, sizeof(*ef));
    ef->path = path;
    ef->fd = loader_open(path, &ef->file_size, errp);
    if (ef->fd < 0) {
        return false;
    }
    if (ef->file_size < EI_NIDENT) {
        error_setg(errp, "'%s' is not an ELF file (too short)", path);
        goto fail;
    }
    if (!elf_read(ef, 0, raw.ident, EI_NIDENT, "ELF identification", errp) ||
        !elf_check_ident(ef, raw.ident, errp)) {
        goto fail;
    }
    if (!elf_read(ef, 0, &raw, ef->is_64bit ? sizeof(Elf64_Ehdr)
                                            : sizeof(Elf32_Ehdr),
                  "ELF header", errp)) {
        goto fail;
    }
    if (ef->is_64bit) {
        elf_header_from64(&ef->hdr, &raw.e64);
    } else {
        elf_header_from32(&ef->hdr, &raw.e32);
    }
    return true;

fail:
    close(ef->fd);
    ef->fd = -1;
    return false;
}

static void elf_close(ElfFile *ef)
{
    if (ef->fd >= 0) {
        close(ef->fd);
        ef->fd = -1;
    }
}

/* Read one entry-sized table (program or section headers) into memory. */
static void *elf_read_table(ElfFile *ef, uint64_t offset, uint16_t count,
                            uint16_t entsize, size_t want_entsize,
                            const char *what, Error **errp)
{
    void *table;

    if (entsize != want_entsize) {
        error_setg(errp, "'%s': %s entry size is %u, expected %zu", ef->path,
                   what, entsize, want_entsize);
        return NULL;
    }
    table = xmalloc((size_t)count * entsize);
    if (!elf_read(ef, offset, table, (uint64_t)count * entsize, what, errp)) {
        free(table);
        return NULL;
    }
    return table;
}

/* The e_phnum program headers, normalised. */
static ElfSegment *elf_read_segments(ElfFile *ef, Error **errp)
{
    size_t entsize = ef->is_64bit ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    ElfSegment *segs;
    void *raw;

    if (ef->hdr.phnum == 0 || ef->hdr.phnum == PN_XNUM) {
        error_setg(errp, "'%s' has no program headers", ef->path);
        return NULL;
    }
    raw = elf_read_table(ef, ef->hdr.phoff, ef->hdr.phnum, ef->hdr.phentsize,
                         entsize, "program header table", errp);
    if (!raw) {
        return NULL;
    }
    segs = XNEW_ARRAY(ElfSegment, ef->hdr.phnum);
    for (unsigned i = 0; i < ef->hdr.phnum; i++) {
        if (ef->is_64bit) {
            const Elf64_Phdr *p = (const Elf64_Phdr *)raw + i;
            segs[i] = (ElfSegment) {
                .type = p->p_type, .flags = p->p_flags, .offset = p->p_offset,
                .vaddr = p->p_vaddr, .paddr = p->p_paddr,
                .filesz = p->p_filesz, .memsz = p->p_memsz,
            };
        } else {
            const Elf32_Phdr *p = (const Elf32_Phdr *)raw + i;
            segs[i] = (ElfSegment) {
                .type = p->p_type, .flags = p->p_flags, .offset = p->p_offset,
                .vaddr = p->p_vaddr, .paddr = p->p_paddr,
                .filesz = p->p_filesz, .memsz = p->p_memsz,
            };
        }
    }
    free(raw);
    return segs;
}

/* The section headers, normalised (NULL with an error if there are none). */
static ElfSection *elf_read_sections(ElfFile *ef, Error **errp)
{
    size_t entsize = ef->is_64bit ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
    ElfSection *secs;
    void *raw;

    if (ef->hdr.shnum == 0 || ef->hdr.shoff == 0) {
        error_setg(errp, "'%s' has no section headers", ef->path);
        return NULL;
    }
    raw = elf_read_table(ef, ef->hdr.shoff, ef->hdr.shnum, ef->hdr.shentsize,
                         entsize, "section header table", errp);
    if (!raw) {
        return NULL;
    }
    secs = XNEW_ARRAY(ElfSection, ef->hdr.shnum);
    for (unsigned i = 0; i < ef->hdr.shnum; i++) {
        if (ef->is_64bit) {
            const Elf64_Shdr *s = (const Elf64_Shdr *)raw + i;
            secs[i] = (ElfSection) {
                .type = s->sh_type, .link = s->sh_link, .offset = s->sh_offset,
                .size = s->sh_size, .entsize = s->sh_entsize,
            };
        } else {
            const Elf32_Shdr *s = (const Elf32_Shdr *)raw + i;
            secs[i] = (ElfSection) {
                .type = s->sh_type, .link = s->sh_link, .offset = s->sh_offset,
                .size = s->sh_size, .entsize = s->sh_entsize,
            };
        }
    }
    free(raw);
    return secs;
}

/* --- guest memory --- */

/*
 * Check that all of [addr, addr+len) is RAM or ROM in @as; the Error
 * names the first address that is not.
 */
static bool loader_check_range(AddressSpace *as, uint64_t addr, uint64_t len,
                               Error **errp)
{
    while (len) {
        MemoryRegionSection s;
        uint64_t chunk;

        if (!address_space_lookup(as, addr, &s)) {
            error_setg(errp, "nothing is mapped at 0x%" PRIx64, addr);
            return false;
        }
        if (!memory_region_is_ram(s.mr)) {
            error_setg(errp, "0x%" PRIx64 " is in I/O region '%s', not RAM "
                       "or ROM", addr, s.mr->name);
            return false;
        }
        chunk = MIN(len, s.size - (addr - s.start));
        addr += chunk;
        len -= chunk;
    }
    return true;
}

static bool loader_write(AddressSpace *as, uint64_t addr, const void *buf,
                         uint64_t len, Error **errp)
{
    if (address_space_write_rom(as, addr, buf, len) != MEMTX_OK) {
        error_setg(errp, "could not write guest memory at 0x%" PRIx64, addr);
        return false;
    }
    return true;
}

/*
 * Copy @len bytes of file @fd from @offset to guest @addr (or zeros if
 * @fd < 0), a chunk at a time through @buf (LOADER_CHUNK bytes).
 */
static bool loader_copy(AddressSpace *as, int fd, const char *path,
                        uint64_t offset, uint64_t addr, uint64_t len,
                        uint8_t *buf, Error **errp)
{
    if (fd < 0) {
        memset(buf, 0, LOADER_CHUNK);
    }
    while (len) {
        uint64_t chunk = MIN(len, (uint64_t)LOADER_CHUNK);

        if (fd >= 0 && !loader_pread(fd, path, buf, chunk, offset, errp)) {
            return false;
        }
        if (!loader_write(as, addr, buf, chunk, errp)) {
            return false;
        }
        offset += chunk;
        addr += chunk;
        len -= chunk;
    }
    return true;
}

/* --- ELF loading --- */

static bool elf_check_type(ElfFile *ef, uint16_t machine, Error **errp)
{
    if (ef->hdr.type != ET_EXEC && ef->hdr.type != ET_DYN) {
        error_setg(errp, "'%s' is not an executable (ELF type %u)", ef->path,
                   ef->hdr.type);
        return false;
    }
    if (machine && ef->hdr.machine != machine) {
        error_setg(errp, "'%s' is built for machine %u (%s), not %u (%s)",
                   ef->path, ef->hdr.machine,
                   elf_machine_name(ef->hdr.machine), machine,
                   elf_machine_name(machine));
        return false;
    }
    return true;
}

/* Check PT_LOAD segment @i against the file and the guest memory map. */
static bool elf_check_segment(ElfFile *ef, AddressSpace *as,
                              const ElfSegment *seg, unsigned i,
                              Error **errp)
{
    char what[32];

    if (seg->filesz > seg->memsz) {
        error_setg(errp, "'%s': segment %u has p_filesz 0x%" PRIx64
                   " larger than p_memsz 0x%" PRIx64, ef->path, i,
                   seg->filesz, seg->memsz);
        return false;
    }
    snprintf(what, sizeof(what), "segment %u data", i);
    if (!elf_check_in_file(ef, seg->offset, seg->filesz, what, errp)) {
        return false;
    }
    if (seg->memsz - 1 > UINT64_MAX - seg->paddr) {
        error_setg(errp, "'%s': segment %u at 0x%" PRIx64 " (0x%" PRIx64
                   " bytes) wraps around the address space", ef->path, i,
                   seg->paddr, seg->memsz);
        return false;
    }
    if (!loader_check_range(as, seg->paddr, seg->memsz, errp)) {
        error_prepend(errp, "'%s': segment %u (0x%" PRIx64 "-0x%" PRIx64
                      "): ", ef->path, i, seg->paddr,
                      seg->paddr + (seg->memsz - 1));
        return false;
    }
    return true;
}

/*
 * The entry point as a physical address: if a loaded executable segment
 * holds e_entry and is linked at a virtual address other than its
 * physical one, translate (as QEMU does for -kernel vmlinux).
 */
static uint64_t elf_physical_entry(const ElfFile *ef, const ElfSegment *segs)
{
    uint64_t entry = ef->hdr.entry;

    for (unsigned i = 0; i < ef->hdr.phnum; i++) {
        const ElfSegment *s = &segs[i];
        if (s->type == PT_LOAD && (s->flags & PF_X) && s->vaddr != s->paddr &&
            entry >= s->vaddr && entry - s->vaddr < s->filesz) {
            return entry - s->vaddr + s->paddr;
        }
    }
    return entry;
}

static bool elf_load_segments(ElfFile *ef, AddressSpace *as,
                              const ElfSegment *segs, ElfLoadInfo *info,
                              Error **errp)
{
    uint8_t *buf = xmalloc(LOADER_CHUNK);
    bool ok = true;

    for (unsigned i = 0; ok && i < ef->hdr.phnum; i++) {
        const ElfSegment *s = &segs[i];
        if (s->type != PT_LOAD || s->memsz == 0) {
            continue;
        }
        ok = loader_copy(as, ef->fd, ef->path, s->offset, s->paddr,
                         s->filesz, buf, errp) &&
             loader_copy(as, -1, ef->path, 0, s->paddr + s->filesz,
                         s->memsz - s->filesz, buf, errp);
        info->low_addr = MIN(info->low_addr, s->paddr);
        info->high_addr = MAX(info->high_addr, s->paddr + s->memsz);
    }
    free(buf);
    return ok;
}

bool load_elf(AddressSpace *as, const char *path, uint16_t machine,
              ElfLoadInfo *info, Error **errp)
{
    ElfSegment *segs = NULL;
    unsigned nr_load = 0;
    ElfFile ef;
    bool ok = false;

    if (!elf_open(&ef, path, errp)) {
        return false;
    }
    if (!elf_check_type(&ef, machine, errp)) {
        goto out;
    }
    segs = elf_read_segments(&ef, errp);
    if (!segs) {
        goto out;
    }
    /* Validate everything before writing anything. */
    for (unsigned i = 0; i < ef.hdr.phnum; i++) {
        if (segs[i].type != PT_LOAD || segs[i].memsz == 0) {
            continue;
        }
        if (!elf_check_segment(&ef, as, &segs[i], i, errp)) {
            goto out;
        }
        nr_load++;
    }
    if (nr_load == 0) {
        error_setg(errp, "'%s' has no loadable segments", path);
        goto out;
    }
    *info = (ElfLoadInfo) {
        .entry = elf_physical_entry(&ef, segs),
        .low_addr = UINT64_MAX,
        .machine = ef.hdr.machine,
        .is_64bit = ef.is_64bit,
    };
    ok = elf_load_segments(&ef, as, segs, info, errp);
out:
    free(segs);
    elf_close(&ef);
    return ok;
}

/* --- symbols --- */

/* Index of the symbol table to search: .symtab, else .dynsym. */
static int elf_find_symtab(const ElfFile *ef, const ElfSection *secs)
{
    int dynsym = -1;

    for (unsigned i = 0; i < ef->hdr.shnum; i++) {
        if (secs[i].type == SHT_SYMTAB) {
            return (int)i;
        }
        if (secs[i].type == SHT_DYNSYM && dynsym < 0) {
            dynsym = (int)i;
        }
    }
    return dynsym;
}

/* Whether the NUL-terminated string at @off in @strtab equals @name. */
static bool elf_strtab_equals(const char *strtab, uint64_t strtab_size,
                              uint64_t off, const char *name, size_t len)
{
    return off < strtab_size && len < strtab_size - off &&
           memcmp(strtab + off, name, len) == 0 && strtab[off + len] == '\0';
}

/* Search the symbols in @syms (raw table of @count entries). */
static bool elf_search_symbols(const ElfFile *ef, const void *syms,
                               uint64_t count, const char *strtab,
                               uint64_t strtab_size, const char *name,
                               uint64_t *value, uint64_t *size)
{
    size_t len = strlen(name);

    for (uint64_t i = 0; i < count; i++) {
        uint64_t st_name, st_value, st_size;
        uint16_t shndx;

        if (ef->is_64bit) {
            const Elf64_Sym *s = (const Elf64_Sym *)syms + i;
            st_name = s->st_name, st_value = s->st_value;
            st_size = s->st_size, shndx = s->st_shndx;
        } else {
            const Elf32_Sym *s = (const Elf32_Sym *)syms + i;
            st_name = s->st_name, st_value = s->st_value;
            st_size = s->st_size, shndx = s->st_shndx;
        }
        if (shndx != SHN_UNDEF &&
            elf_strtab_equals(strtab, strtab_size, st_name, name, len)) {
            if (value) {
                *value = st_value;
            }
            if (size) {
                *size = st_size;
            }
            return true;
        }
    }
    return false;
}

/* Read section @sec of the file into a fresh buffer. */
static void *elf_read_section(ElfFile *ef, const ElfSection *sec,
                              const char *what, Error **errp)
{
    void *data;

    /* Check the size against the file before trusting it for malloc. */
    if (!elf_check_in_file(ef, sec->offset, sec->size, what, errp)) {
        return NULL;
    }
    data = xmalloc(sec->size ? sec->size : 1);
    if (!elf_read(ef, sec->offset, data, sec->size, what, errp)) {
        free(data);
        return NULL;
    }
    return data;
}

bool elf_find_symbol(const char *path, const char *name, uint64_t *value,
                     uint64_t *size, Error **errp)
{
    size_t sym_size;
    ElfSection *secs = NULL;
    void *syms = NULL;
    char *strtab = NULL;
    bool ok = false;
    ElfFile ef;
    int idx;

    if (!elf_open(&ef, path, errp)) {
        return false;
    }
    sym_size = ef.is_64bit ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
    secs = elf_read_sections(&ef, errp);
    if (!secs) {
        goto out;
    }
    idx = elf_find_symtab(&ef, secs);
    if (idx < 0) {
        error_setg(errp, "'%s' has no symbol table", path);
        goto out;
    }
    if (secs[idx].entsize != sym_size || secs[idx].link >= ef.hdr.shnum ||
        secs[secs[idx].link].type != SHT_STRTAB) {
        error_setg(errp, "'%s': malformed symbol table", path);
        goto out;
    }
    syms = elf_read_section(&ef, &secs[idx], "symbol table", errp);
    strtab = syms ? elf_read_section(&ef, &secs[secs[idx].link],
                                     "string table", errp) : NULL;
    if (!strtab) {
        goto out;
    }
    ok = elf_search_symbols(&ef, syms, secs[idx].size / sym_size, strtab,
                            secs[secs[idx].link].size, name, value, size);
    if (!ok) {
        error_setg(errp, "'%s': symbol '%s' not found", path, name);
    }
out:
    free(strtab);
    free(syms);
    free(secs);
    elf_close(&ef);
    return ok;
}

/* --- raw images --- */

bool file_is_elf(const char *path)
{
    unsigned char magic[SELFMAG];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        return false;
    }
    n = pread(fd, magic, sizeof(magic), 0);
    close(fd);
    return n == (ssize_t)sizeof(magic) && memcmp(magic, ELFMAG, SELFMAG) == 0;
}

bool load_image_raw(AddressSpace *as, const char *path, uint64_t addr,
                    uint64_t max_size, uint64_t *size, Error **errp)
{
    uint64_t file_size;
    uint8_t *buf;
    bool ok;
    int fd = loader_open(path, &file_size, errp);

    if (fd < 0) {
        return false;
    }
    if (file_size > max_size) {
        error_setg(errp, "'%s' is too large: %" PRIu64 " bytes, at most %"
                   PRIu64 " fit at 0x%" PRIx64, path, file_size, max_size,
                   addr);
        close(fd);
        return false;
    }
    if (file_size && file_size - 1 > UINT64_MAX - addr) {
        error_setg(errp, "'%s' does not fit at 0x%" PRIx64 ": it would wrap "
                   "around the address space", path, addr);
        close(fd);
        return false;
    }
    if (!loader_check_range(as, addr, file_size, errp)) {
        error_prepend(errp, "cannot load '%s' at 0x%" PRIx64 ": ", path,
                      addr);
        close(fd);
        return false;
    }
    buf = xmalloc(LOADER_CHUNK);
    ok = loader_copy(as, fd, path, 0, addr, file_size, buf, errp);
    free(buf);
    close(fd);
    if (ok && size) {
        *size = file_size;
    }
    return ok;
}
