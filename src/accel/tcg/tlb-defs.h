/*
 * accel/tcg/tlb-defs.h — the softmmu TLB's data layout, kept in CPUState
 * so translated code reaches it at fixed offsets from env.
 *
 * One direct-mapped table per MMU index. An entry caches one guest
 * virtual page: the tags are the page address plus flag bits (in the
 * page-offset bits, above the alignment bits), and addend turns a guest
 * virtual address into a host pointer. The fast path is: index by page
 * number, compare the tag for the access type, add addend. Any flag bit
 * makes the comparison fail, which sends the access to the slow path:
 * invalid entries, MMIO, pages holding translated code (writes must
 * invalidate TBs), ROM (writes are dropped), watchpoints.
 */
#ifndef ACCEL_TCG_TLB_DEFS_H
#define ACCEL_TCG_TLB_DEFS_H

#include "util/osdep.h"
#include "util/typedefs.h"

#define TCG_PAGE_BITS 12
#define TCG_PAGE_SIZE ((uint64_t)1 << TCG_PAGE_BITS)
#define TCG_PAGE_MASK (~(TCG_PAGE_SIZE - 1))

#define TCG_NB_MMU_MODES 8
#define TCG_TLB_BITS 10
#define TCG_TLB_SIZE (1u << TCG_TLB_BITS)

/* Flag bits in the tags. */
#define TLB_INVALID      (1u << 11)
#define TLB_MMIO         (1u << 10)
#define TLB_NOTDIRTY     (1u << 9)  /* page holds TBs: writes invalidate */
#define TLB_DISCARD_WRITE (1u << 8) /* ROM */
#define TLB_WATCHPOINT   (1u << 7)
#define TLB_FLAGS_MASK   (TLB_INVALID | TLB_MMIO | TLB_NOTDIRTY | \
                          TLB_DISCARD_WRITE | TLB_WATCHPOINT)

typedef struct CPUTLBEntry {
    uint64_t addr_read;
    uint64_t addr_write;
    uint64_t addr_code;
    uintptr_t addend;       /* host = guest vaddr + addend (RAM only) */
} CPUTLBEntry;

/* What the slow path needs about an entry. */
typedef struct CPUTLBEntryFull {
    uint64_t phys_page;     /* guest physical address of the page */
    MemoryRegion *mr;       /* the leaf region mapped there */
    uint64_t mr_offset;     /* offset of the page within mr */
    RAMBlock *ram_block;    /* for RAM: to check/clear the code bitmap */
    uint64_t ram_offset;
    uint8_t prot;           /* PAGE_READ | PAGE_WRITE | PAGE_EXEC */
} CPUTLBEntryFull;

typedef struct CPUTLB {
    CPUTLBEntry *table;     /* TCG_TLB_SIZE entries */
    CPUTLBEntryFull *full;
} CPUTLB;

enum {
    PAGE_READ = 1,
    PAGE_WRITE = 2,
    PAGE_EXEC = 4,
};

/* Interpreter frame: slots for a TB's temps and constants, in CPUState
 * so every IR operand is an offset from env. */
#define TCG_FRAME_SLOTS 512

static inline unsigned tlb_index(uint64_t vaddr)
{
    return (vaddr >> TCG_PAGE_BITS) & (TCG_TLB_SIZE - 1);
}

#endif /* ACCEL_TCG_TLB_DEFS_H */
