/*
 * hw/riscv/boot.h — putting firmware, a kernel, an initrd and a device
 * tree into a RISC-V board's memory, and the boot ROM that starts them,
 * the way QEMU's RISC-V boards do (hw/riscv/boot.c there), so firmware
 * and kernels built for QEMU boot unchanged:
 *
 *   - firmware (-bios) at the start of RAM: "default" is OpenSBI's
 *     generic fw_dynamic from Debian's opensbi package, "none" is
 *     nothing, anything else is an ELF (at its addresses) or a raw image;
 *   - the kernel (-kernel): an ELF at its addresses, a Linux Image at the
 *     first 2 MiB boundary after the firmware (honouring the Image
 *     header's text_offset and image_size), or a raw image there;
 *   - the device tree near the top of RAM (below 3 GiB), the initrd just
 *     below it;
 *   - a reset vector in the boot ROM that every hart runs:
 *         a0 = mhartid, a1 = device tree, a2 = fw_dynamic info,
 *         jump to the firmware (or, without firmware, the kernel).
 *
 * Everything loaded is recorded in a RISCVBoot so that the board can put
 * it back on every machine reset, as QEMU re-copies its ROM blobs: a
 * rebooting guest finds a pristine kernel, initrd and device tree.
 */
#ifndef HW_RISCV_BOOT_H
#define HW_RISCV_BOOT_H

#include "util/osdep.h"
#include "util/typedefs.h"

typedef struct DeviceTree DeviceTree;

/* Kernels start on this boundary after the firmware (rv64; QEMU's). */
#define RISCV_KERNEL_ALIGN      (2 * MiB)
/* The device tree must stay addressable below this (QEMU's rule). */
#define RISCV_FDT_ADDR_LIMIT    (3 * GiB)
#define RISCV_FDT_ALIGN         (2 * MiB)
#define RISCV_INITRD_ALIGN      (4 * KiB)
/* -bios default: OpenSBI's generic platform, fw_dynamic flavour. */
#define RISCV_DEFAULT_BIOS      CONFIG_OPENSBI_DIR "/fw_dynamic.bin"

/*
 * OpenSBI's struct fw_dynamic_info (include/sbi/fw_dynamic.h, OpenSBI
 * 1.1), passed in a2: every field is an XLEN-sized little-endian word.
 */
#define FW_DYNAMIC_INFO_MAGIC   0x4942534fULL      /* "OSBI" */
#define FW_DYNAMIC_INFO_VERSION 2
#define FW_DYNAMIC_NEXT_MODE_U  0
#define FW_DYNAMIC_NEXT_MODE_S  1
#define FW_DYNAMIC_NEXT_MODE_M  3

typedef struct FwDynamicInfo {
    uint64_t magic;
    uint64_t version;
    uint64_t next_addr;     /* where the firmware jumps when done */
    uint64_t next_mode;     /* in which privilege mode */
    uint64_t options;
    uint64_t boot_hart;     /* -1: any (lottery); QEMU passes 0 */
} FwDynamicInfo;

/* One image as it was loaded (path NULL: none). */
typedef struct RISCVBootImage {
    char *path;
    bool is_elf;            /* reload with load_elf, else raw at @addr */
    uint64_t addr;          /* lowest address */
    uint64_t end;           /* one past the highest (incl. bss/image_size) */
    uint64_t entry;
} RISCVBootImage;

typedef struct RISCVBoot {
    RISCVBootImage firmware;
    RISCVBootImage kernel;
    RISCVBootImage initrd;
    void *fdt;              /* copy of the blob written to @fdt_addr */
    size_t fdt_size;
    uint64_t fdt_addr;
} RISCVBoot;

/*
 * The firmware file -bios @bios names: NULL or "default" is
 * RISCV_DEFAULT_BIOS, "none" is no firmware (returns NULL with no error
 * set), a bare file name not found in the current directory is also
 * looked for in CONFIG_OPENSBI_DIR. Returns a malloc'ed path, or NULL
 * with *errp set if the file is not there.
 */
char *riscv_find_firmware(const char *bios, Error **errp);

/*
 * Load firmware @path: an ELF at its own addresses, else raw at @addr
 * (at most @max_size bytes). Fills b->firmware.
 */
bool riscv_load_firmware(RISCVBoot *b, AddressSpace *as, const char *path,
                         uint64_t addr, uint64_t max_size, Error **errp);

/*
 * Load kernel @path: an ELF at its own addresses; a Linux Image or raw
 * image at the first RISCV_KERNEL_ALIGN boundary at or above @min_addr
 * (the end of the firmware, or the start of RAM), no further than
 * @ram_end. Fills b->kernel (entry, and end including the Image's bss).
 */
bool riscv_load_kernel(RISCVBoot *b, AddressSpace *as, const char *path,
                       uint64_t ram_base, uint64_t min_addr,
                       uint64_t ram_end, Error **errp);

/*
 * Where the device tree goes: the last RISCV_FDT_ALIGN boundary that
 * leaves @fdt_size bytes before the end of RAM or 3 GiB, whichever is
 * lower (for RAM that starts below 3 GiB).
 */
uint64_t riscv_compute_fdt_addr(uint64_t ram_base, uint64_t ram_size,
                                size_t fdt_size);

/*
 * Load initrd @path as high as it fits below @top (the device tree),
 * page-aligned, and not below @bottom (the end of the kernel). Fills
 * b->initrd.
 */
bool riscv_load_initrd(RISCVBoot *b, AddressSpace *as, const char *path,
                       uint64_t bottom, uint64_t top, Error **errp);

/*
 * Copy the (packed) tree @dt to @addr and remember it for resets.
 */
bool riscv_load_fdt(RISCVBoot *b, AddressSpace *as, const DeviceTree *dt,
                    uint64_t addr, Error **errp);

/*
 * Write the reset vector and the fw_dynamic info into the boot ROM at
 * @rom_base (@rom_size bytes): every hart sets a0 = mhartid,
 * a1 = @fdt_addr, a2 = &info and jumps to @start_addr; the info tells
 * the firmware to continue at @next_addr in S-mode.
 */
bool riscv_setup_rom_reset_vec(AddressSpace *as, uint64_t rom_base,
                               uint64_t rom_size, uint64_t start_addr,
                               uint64_t fdt_addr, uint64_t next_addr,
                               Error **errp);

/* Put every recorded image back (machine reset). */
bool riscv_boot_reload(const RISCVBoot *b, AddressSpace *as, Error **errp);

void riscv_boot_cleanup(RISCVBoot *b);

#endif /* HW_RISCV_BOOT_H */
