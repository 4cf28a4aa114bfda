/*
 * hw/core/loader.h — putting firmware, kernels and other images into
 * guest memory before the CPUs start: ELF executables (PT_LOAD segments
 * at their physical addresses, as QEMU's -kernel/-bios/loader device do)
 * and raw images at a given address.
 *
 * Images go in through address_space_write_rom(), so they may land in
 * ROM, and TCG hears about the write. Every byte must land in RAM or
 * ROM: loading over a device or over nothing fails with an Error naming
 * the address, before anything is written.
 *
 * Files are untrusted input: offsets, sizes and counts are checked
 * against the file and against overflow before use, and a bad file
 * produces a one-line Error, never a crash.
 */
#ifndef HW_CORE_LOADER_H
#define HW_CORE_LOADER_H

#include "util/osdep.h"
#include "util/typedefs.h"

/* What load_elf() put where. */
typedef struct ElfLoadInfo {
    /*
     * Start address. If the segment holding e_entry is linked at a virtual
     * address different from its physical one, the entry is translated
     * to the physical address, as QEMU does for -kernel ELFs.
     */
    uint64_t entry;
    uint64_t low_addr;      /* lowest physical address loaded */
    uint64_t high_addr;     /* one past the highest (p_paddr + p_memsz) */
    uint16_t machine;       /* e_machine */
    bool is_64bit;          /* ELFCLASS64 (else ELFCLASS32) */
} ElfLoadInfo;

/* True if @path can be opened and starts with the ELF magic. */
bool file_is_elf(const char *path);

/*
 * Load the PT_LOAD segments of the little-endian ELF executable @path
 * (ELF64 or ELF32) at their physical addresses (p_paddr), zero-filling
 * p_memsz beyond p_filesz. @machine is the required e_machine (EM_RISCV,
 * EM_X86_64, ...) or 0 to accept any. Fills @info.
 */
bool load_elf(AddressSpace *as, const char *path, uint16_t machine,
              ElfLoadInfo *info, Error **errp);

/*
 * Look up symbol @name in the symbol table (.symtab, else .dynsym) of the
 * ELF file @path: its value and size (either pointer may be NULL). Fails
 * if the file has no symbol table or no such symbol.
 */
bool elf_find_symbol(const char *path, const char *name, uint64_t *value,
                     uint64_t *size, Error **errp);

/*
 * Copy the whole of @path to guest address @addr; fail if it is larger
 * than @max_size bytes. *size (if non-NULL) gets the file size.
 */
bool load_image_raw(AddressSpace *as, const char *path, uint64_t addr,
                    uint64_t max_size, uint64_t *size, Error **errp);

#endif /* HW_CORE_LOADER_H */
