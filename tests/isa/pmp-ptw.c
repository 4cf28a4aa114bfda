/*
 * pmp-ptw.c — PMP also checks the implicit page-table accesses of an S/U
 * translation (priv spec v1.12 §3.7.1 "accesses to page tables ... are
 * checked as S-mode accesses" and §4.3.2 step 2: a PMP violation on a PTE
 * access raises an access-fault exception corresponding to the original
 * access type): with the table page of a mapping behind a no-access PMP
 * region, a load, a store and a fetch through it raise load (5), store (7)
 * and fetch (1) access faults with mtval = the virtual address.
 */
#include "mmu.h"

static uint32_t code[1024] __attribute__((aligned(4096)));
static uint64_t data[512] __attribute__((aligned(4096)));

#define VA_D 0x40000000UL
#define VA_C 0x40001000UL

static long s_load(long a) { return (long)load64((unsigned long)a); }
static long s_store(long a) { store64((unsigned long)a, 1); return 0; }
static long s_call(long a) { return ((long (*)(void))a)(); }

static unsigned long fault(long (*fn)(long), unsigned long va)
{
    trap_arm(&vireo_mtrap);
    vireo_run(PRV_S, fn, (long)va);
    trap_disarm(&vireo_mtrap);
    if (vireo_mtrap.count != 1)
        return vireo_mtrap.count ? 98 : 0;
    return vireo_mtrap.tval == va ? vireo_mtrap.cause : 99;
}

int main(void)
{
    data[0] = 0x1234;
    code[0] = (42 << 20) | 0x513;   /* li a0, 42 */
    code[1] = 0x00008067;           /* ret */
    asm volatile("fence.i" ::: "memory");
    pt_init(3);
    pt_map_identity(0);
    pt_map(VA_D, (unsigned long)data, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    pt_map(VA_C, (unsigned long)code, 0, PTE_V | PTE_X | PTE_A);
    /* the level-0 table holding both leaves */
    unsigned long leaf_table = (unsigned long)pt_slot(VA_D, 0) & ~0xfffUL;
    mmu_on();
    CHECK_EQ(1, vireo_run(PRV_S, s_load, (long)VA_D), 0x1234);
    CHECK_EQ(2, vireo_run(PRV_S, s_call, (long)VA_C), 42);
    /* PMP entry 0: NAPOT over that table page, no permissions */
    csr_write(pmpaddr0, (leaf_table >> 2) | 0x1ff);
    csr_write(pmpcfg0, PMP_A_NAPOT);
    sfence_vma_all();
    CHECK_EQ(3, fault(s_load, VA_D), CAUSE_LOAD_ACCESS);
    CHECK_EQ(4, fault(s_store, VA_D), CAUSE_STORE_ACCESS);
    CHECK_EQ(5, fault(s_call, VA_C), CAUSE_FETCH_ACCESS);
    /* readable again: translations work (hardware A/D need no write here) */
    csr_write(pmpcfg0, PMP_A_NAPOT | PMP_R);
    sfence_vma_all();
    CHECK_EQ(6, vireo_run(PRV_S, s_load, (long)VA_D), 0x1234);
    csr_write(pmpcfg0, 0);
    mmu_off();
    return 0;
}
