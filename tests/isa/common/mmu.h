/*
 * mmu.h — page-table building for the paging tests (priv spec v1.12 §4.3
 * Sv32/39 walk, §4.4 Sv39, §4.5 Sv48, §4.6 Sv57).
 *
 * Tables come from a static pool; pt_map() installs one leaf at a chosen
 * level (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB, 3 = 512 GiB, 4 = 256 TiB),
 * creating the intermediate tables it needs.  Code and data run identity
 * mapped: crt0.S and the trap handlers use absolute addresses.
 */
#ifndef TESTS_ISA_COMMON_MMU_H
#define TESTS_ISA_COMMON_MMU_H

#include "vireo.h"

#define PT_POOL_PAGES 24
#define PAGE_SIZE 4096UL

static uint64_t pt_pool[PT_POOL_PAGES][512] __attribute__((aligned(4096)));
static int pt_used;
static int pt_levels;
static uint64_t *pt_root;

static inline unsigned long level_size(int level)
{
    return PAGE_SIZE << (9 * level);
}

static inline uint64_t pte_make(unsigned long pa, uint64_t flags)
{
    return ((uint64_t)(pa >> 12) << PTE_PPN_SHIFT) | flags;
}

static inline unsigned long pte_pa(uint64_t pte)
{
    return (unsigned long)((pte >> PTE_PPN_SHIFT) & ((1ULL << 44) - 1)) << 12;
}

static uint64_t *pt_alloc(void)
{
    if (pt_used >= PT_POOL_PAGES)
        vireo_fail(255, __LINE__, "page-table pool exhausted", 0, 0, 0);
    uint64_t *t = pt_pool[pt_used++];
    memset(t, 0, PAGE_SIZE);
    return t;
}

/* Start a fresh table tree for `levels` (3 = Sv39, 4 = Sv48, 5 = Sv57). */
static void pt_init(int levels)
{
    pt_used = 0;
    pt_levels = levels;
    pt_root = pt_alloc();
}

static inline unsigned vpn(unsigned long va, int level)
{
    return (va >> (12 + 9 * level)) & 511;
}

/* Pointer to the PTE for va at `level`, creating tables above it. */
static uint64_t *pt_slot(unsigned long va, int level)
{
    uint64_t *t = pt_root;
    for (int l = pt_levels - 1; l > level; l--) {
        uint64_t *e = &t[vpn(va, l)];
        if (!(*e & PTE_V) || (*e & (PTE_R | PTE_W | PTE_X)))
            *e = pte_make((unsigned long)pt_alloc(), PTE_V);
        t = (uint64_t *)pte_pa(*e);
    }
    return &t[vpn(va, level)];
}

/* Map va -> pa with one leaf of the given level; flags should include V. */
static uint64_t *pt_map(unsigned long va, unsigned long pa, int level,
                        uint64_t flags)
{
    uint64_t *e = pt_slot(va, level);
    *e = pte_make(pa, flags);
    return e;
}

static inline unsigned long satp_for(int levels)
{
    unsigned long mode = levels == 3 ? SATP_MODE_SV39 :
                         levels == 4 ? SATP_MODE_SV48 : SATP_MODE_SV57;
    return (mode << SATP_MODE_SHIFT) | ((unsigned long)pt_root >> 12);
}

/* Identity-map the test image's gigabyte (RAM at 0x80000000). */
#define PTE_KERNEL (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
static inline void pt_map_identity(uint64_t extra_flags)
{
    pt_map(SPIKE_DRAM_BASE, SPIKE_DRAM_BASE, 2, PTE_KERNEL | extra_flags);
}

static inline void mmu_on(void)
{
    csr_write(satp, satp_for(pt_levels));
    sfence_vma_all();
}

static inline void mmu_off(void)
{
    csr_write(satp, 0);
    sfence_vma_all();
}

/* Accessors that the compiler cannot merge or drop. */
static inline unsigned long load64(unsigned long va)
{
    return *(volatile uint64_t *)va;
}
static inline void store64(unsigned long va, unsigned long v)
{
    *(volatile uint64_t *)va = v;
}

#endif /* TESTS_ISA_COMMON_MMU_H */
