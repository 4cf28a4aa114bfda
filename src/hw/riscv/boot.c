/*
 * hw/riscv/boot.c — firmware, kernel, initrd, device tree and reset
 * vector for RISC-V boards (see boot.h for the layout and the rules).
 *
 * References:
 *   - Linux Documentation/riscv/boot-image-header.rst: the 64-byte
 *     Image header (text_offset, image_size, "RSC\x05" magic);
 *   - Linux Documentation/riscv/boot.rst: a0 = hartid, a1 = device tree
 *     (8-byte aligned, not overlapping the kernel), kernel on a 2 MiB
 *     boundary for rv64;
 *   - OpenSBI 1.1 include/sbi/fw_dynamic.h and docs/firmware/fw_dynamic.md:
 *     the info block passed in a2;
 *   - The RISC-V Unprivileged spec v20191213 §2.4-2.5 (AUIPC, ADDI, LD,
 *     JALR encodings) and the Privileged spec v1.12 §2.2 (CSRRS, mhartid)
 *     for the reset vector, which is assembled here from those encodings.
 */
#include "hw/riscv/boot.h"
#include "hw/core/fdt.h"
#include "hw/core/loader.h"
#include "exec/memory.h"
#include "util/error.h"

#include <sys/stat.h>
#include <unistd.h>

#define EM_RISCV 243

/* --- the reset vector --- */

enum {
    RV_ZERO = 0,
    RV_T0 = 5,
    RV_A0 = 10,
    RV_A1 = 11,
    RV_A2 = 12,
};

#define CSR_MHARTID 0xf14

static uint32_t rv_utype(uint32_t opcode, unsigned rd, uint32_t imm20)
{
    return (imm20 << 12) | (rd << 7) | opcode;
}

static uint32_t rv_itype(uint32_t opcode, unsigned funct3, unsigned rd,
                         unsigned rs1, uint32_t imm12)
{
    return ((imm12 & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) |
           (rd << 7) | opcode;
}

#define RV_AUIPC(rd, imm20)      rv_utype(0x17, (rd), (imm20))
#define RV_ADDI(rd, rs1, imm)    rv_itype(0x13, 0, (rd), (rs1), (imm))
#define RV_LD(rd, rs1, imm)      rv_itype(0x03, 3, (rd), (rs1), (imm))
#define RV_JALR(rd, rs1, imm)    rv_itype(0x67, 0, (rd), (rs1), (imm))
#define RV_CSRRS(rd, csr, rs1)   rv_itype(0x73, 2, (rd), (rs1), (csr))

/*
 * The boot ROM: code, then two data words, then the fw_dynamic info.
 * The code addresses the words relative to its own first instruction,
 * so it works wherever the ROM is mapped.
 */
typedef struct __attribute__((packed)) RISCVResetVector {
    uint32_t code[6];
    uint64_t start_addr;
    uint64_t fdt_addr;
    FwDynamicInfo info;     /* 8-byte aligned: offset 40 */
} RISCVResetVector;

#define RV_OFS(field) ((uint32_t)offsetof(RISCVResetVector, field))

bool riscv_setup_rom_reset_vec(AddressSpace *as, uint64_t rom_base,
                               uint64_t rom_size, uint64_t start_addr,
                               uint64_t fdt_addr, uint64_t next_addr,
                               Error **errp)
{
    RISCVResetVector rv = {
        .code = {
            RV_AUIPC(RV_T0, 0),                         /* t0 = rom */
            RV_ADDI(RV_A2, RV_T0, RV_OFS(info)),        /* a2 = &info */
            RV_CSRRS(RV_A0, CSR_MHARTID, RV_ZERO),      /* a0 = hartid */
            RV_LD(RV_A1, RV_T0, RV_OFS(fdt_addr)),      /* a1 = fdt */
            RV_LD(RV_T0, RV_T0, RV_OFS(start_addr)),
            RV_JALR(RV_ZERO, RV_T0, 0),                 /* jump */
        },
        .start_addr = start_addr,
        .fdt_addr = fdt_addr,
        .info = {
            .magic = FW_DYNAMIC_INFO_MAGIC,
            .version = FW_DYNAMIC_INFO_VERSION,
            .next_addr = next_addr,
            .next_mode = FW_DYNAMIC_NEXT_MODE_S,
            .options = 0,
            .boot_hart = 0,
        },
    };

    _Static_assert(offsetof(RISCVResetVector, info) % 8 == 0,
                   "fw_dynamic info must be naturally aligned");
    if (rom_size < sizeof(rv)) {
        error_setg(errp, "boot ROM too small for the reset vector");
        return false;
    }
    if (address_space_write_rom(as, rom_base, &rv, sizeof(rv)) != MEMTX_OK) {
        error_setg(errp, "cannot write the reset vector at 0x%" PRIx64,
                   rom_base);
        return false;
    }
    return true;
}

/* --- files --- */

static bool file_size(const char *path, uint64_t *size, Error **errp)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", path);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        error_setg(errp, "'%s' is not a regular file", path);
        return false;
    }
    *size = (uint64_t)st.st_size;
    return true;
}

static void boot_image_set(RISCVBootImage *img, const char *path,
                           bool is_elf, uint64_t addr, uint64_t end,
                           uint64_t entry)
{
    free(img->path);
    img->path = xstrdup(path);
    img->is_elf = is_elf;
    img->addr = addr;
    img->end = end;
    img->entry = entry;
}

static bool boot_image_load(const RISCVBootImage *img, AddressSpace *as,
                            Error **errp)
{
    ElfLoadInfo info;

    if (!img->path) {
        return true;
    }
    if (img->is_elf) {
        return load_elf(as, img->path, EM_RISCV, &info, errp);
    }
    return load_image_raw(as, img->path, img->addr, UINT64_MAX, NULL, errp);
}

/* Load an RV64 ELF; 32-bit ELFs are refused (this is an rv64 machine). */
static bool boot_load_elf(RISCVBootImage *img, AddressSpace *as,
                          const char *path, Error **errp)
{
    ElfLoadInfo info;

    if (!load_elf(as, path, EM_RISCV, &info, errp)) {
        return false;
    }
    if (!info.is_64bit) {
        error_setg(errp, "'%s' is a 32-bit ELF; this machine is rv64",
                   path);
        return false;
    }
    boot_image_set(img, path, true, info.low_addr, info.high_addr,
                   info.entry);
    return true;
}

char *riscv_find_firmware(const char *bios, Error **errp)
{
    bool is_default = !bios || !strcmp(bios, "default");
    const char *path = is_default ? RISCV_DEFAULT_BIOS : bios;
    uint64_t size;

    if (!is_default && !strcmp(bios, "none")) {
        return NULL;
    }
    if (!is_default && !strchr(bios, '/') && access(bios, F_OK) != 0) {
        /* A bare name not in the current directory: look in the
         * firmware directory, as QEMU searches its data directories
         * ("-bios fw_jump.elf"). */
        char *in_dir = xasprintf("%s/%s", CONFIG_OPENSBI_DIR, bios);

        if (access(in_dir, F_OK) == 0) {
            return in_dir;
        }
        free(in_dir);
    }
    if (!file_size(path, &size, errp)) {
        error_prepend(errp, is_default
                      ? "Unable to load the default RISC-V firmware (install "
                        "Debian's opensbi package, or use -bios FILE or "
                        "-bios none): "
                      : "Unable to load the RISC-V firmware: ");
        return NULL;
    }
    return xstrdup(path);
}

bool riscv_load_firmware(RISCVBoot *b, AddressSpace *as, const char *path,
                         uint64_t addr, uint64_t max_size, Error **errp)
{
    uint64_t size;

    if (file_is_elf(path)) {
        return boot_load_elf(&b->firmware, as, path, errp);
    }
    if (!load_image_raw(as, path, addr, max_size, &size, errp)) {
        return false;
    }
    boot_image_set(&b->firmware, path, false, addr, addr + size, addr);
    return true;
}

/* --- the kernel --- */

/* Linux Documentation/riscv/boot-image-header.rst */
typedef struct LinuxImageHeader {
    uint32_t code0;
    uint32_t code1;
    uint64_t text_offset;   /* load offset from a 2 MiB aligned RAM base */
    uint64_t image_size;    /* memory the kernel uses, bss included */
    uint64_t flags;         /* bit 0: big-endian kernel */
    uint32_t version;
    uint32_t res1;
    uint64_t res2;
    uint64_t magic;         /* "RISCV\0\0\0" (deprecated) */
    uint32_t magic2;        /* "RSC\x05" */
    uint32_t res3;          /* PE/COFF header offset */
} LinuxImageHeader;

#define LINUX_IMAGE_MAGIC   0x5643534952ULL     /* "RISCV" */
#define LINUX_IMAGE_MAGIC2  0x05435352u         /* "RSC\x05" */

_Static_assert(sizeof(LinuxImageHeader) == 64, "Image header is 64 bytes");

/* Read the Image header of @path; false if it has none. */
static bool linux_image_header(const char *path, LinuxImageHeader *hdr)
{
    FILE *f = fopen(path, "rb");
    bool ok;

    if (!f) {
        return false;
    }
    ok = fread(hdr, sizeof(*hdr), 1, f) == 1;
    fclose(f);
    return ok && (hdr->magic2 == LINUX_IMAGE_MAGIC2 ||
                  hdr->magic == LINUX_IMAGE_MAGIC);
}

bool riscv_load_kernel(RISCVBoot *b, AddressSpace *as, const char *path,
                       uint64_t ram_base, uint64_t min_addr,
                       uint64_t ram_end, Error **errp)
{
    LinuxImageHeader hdr;
    uint64_t addr, size, end;

    if (file_is_elf(path)) {
        return boot_load_elf(&b->kernel, as, path, errp);
    }
    if (!file_size(path, &size, errp)) {
        return false;
    }
    addr = ALIGN_UP(min_addr, RISCV_KERNEL_ALIGN);
    end = addr + size;
    if (linux_image_header(path, &hdr)) {
        if (hdr.flags & 1) {
            error_setg(errp, "'%s' is a big-endian kernel", path);
            return false;
        }
        if (hdr.text_offset >= ram_end - ram_base ||
            hdr.image_size >= ram_end - ram_base) {
            error_setg(errp, "kernel '%s': Image header asks for offset "
                       "0x%" PRIx64 " and size 0x%" PRIx64 ", more than "
                       "the RAM", path, hdr.text_offset, hdr.image_size);
            return false;
        }
        addr = ALIGN_UP(MAX(min_addr, ram_base + hdr.text_offset),
                        RISCV_KERNEL_ALIGN);
        end = addr + MAX(size, hdr.image_size);
    }
    if (addr >= ram_end || end > ram_end || end < addr) {
        error_setg(errp, "kernel '%s' (%" PRIu64 " KiB) does not fit in RAM "
                   "at 0x%" PRIx64 " (RAM ends at 0x%" PRIx64 ")", path,
                   (end - addr) / KiB, addr, ram_end);
        return false;
    }
    if (!load_image_raw(as, path, addr, ram_end - addr, NULL, errp)) {
        return false;
    }
    boot_image_set(&b->kernel, path, false, addr, end, addr);
    return true;
}

/* --- device tree and initrd --- */

uint64_t riscv_compute_fdt_addr(uint64_t ram_base, uint64_t ram_size,
                                size_t fdt_size)
{
    uint64_t top = ram_base + ram_size;

    if (ram_base < RISCV_FDT_ADDR_LIMIT) {
        top = MIN(top, RISCV_FDT_ADDR_LIMIT);
    }
    return ALIGN_DOWN(top - fdt_size, RISCV_FDT_ALIGN);
}

bool riscv_load_initrd(RISCVBoot *b, AddressSpace *as, const char *path,
                       uint64_t bottom, uint64_t top, Error **errp)
{
    uint64_t size, start;

    if (!file_size(path, &size, errp)) {
        return false;
    }
    if (top < bottom || size > top - bottom ||
        (start = ALIGN_DOWN(top - size, RISCV_INITRD_ALIGN)) < bottom) {
        error_setg(errp, "initrd '%s' (%" PRIu64 " KiB) does not fit "
                   "between the kernel (ends at 0x%" PRIx64 ") and the "
                   "device tree (at 0x%" PRIx64 "); use a larger -m",
                   path, size / KiB, bottom, top);
        return false;
    }
    if (!load_image_raw(as, path, start, size, NULL, errp)) {
        return false;
    }
    boot_image_set(&b->initrd, path, false, start, start + size, start);
    return true;
}

bool riscv_load_fdt(RISCVBoot *b, AddressSpace *as, const DeviceTree *dt,
                    uint64_t addr, Error **errp)
{
    size_t size = devtree_size(dt);

    if (address_space_write_rom(as, addr, devtree_blob(dt), size) !=
        MEMTX_OK) {
        error_setg(errp, "cannot write the device tree at 0x%" PRIx64,
                   addr);
        return false;
    }
    free(b->fdt);
    b->fdt = xmalloc(size);
    memcpy(b->fdt, devtree_blob(dt), size);
    b->fdt_size = size;
    b->fdt_addr = addr;
    return true;
}

/* --- reset --- */

bool riscv_boot_reload(const RISCVBoot *b, AddressSpace *as, Error **errp)
{
    if (!boot_image_load(&b->firmware, as, errp) ||
        !boot_image_load(&b->kernel, as, errp) ||
        !boot_image_load(&b->initrd, as, errp)) {
        return false;
    }
    if (b->fdt &&
        address_space_write_rom(as, b->fdt_addr, b->fdt, b->fdt_size) !=
        MEMTX_OK) {
        error_setg(errp, "cannot write the device tree at 0x%" PRIx64,
                   b->fdt_addr);
        return false;
    }
    return true;
}

void riscv_boot_cleanup(RISCVBoot *b)
{
    free(b->firmware.path);
    free(b->kernel.path);
    free(b->initrd.path);
    free(b->fdt);
    memset(b, 0, sizeof(*b));
}
