/*
 * mmu-cases.h — the paging tests, shared by Sv39, Sv48 and Sv57.
 *
 * A test file defines LEVELS (3, 4 or 5) and one of MMU_TRANSLATE,
 * MMU_PERM or MMU_AD, then includes this file:
 *   - MMU_TRANSLATE: a leaf at every level (4 KiB page up to the largest
 *     superpage of the mode), high and negative canonical addresses,
 *     non-canonical addresses, unsupported satp modes, MPRV;
 *   - MMU_PERM: R/W/X/U permission faults, SUM, MXR, reserved encodings
 *     (W without R, non-leaf at level 0, misaligned superpage, PBMT bits
 *     without Svpbmt), invalid PTEs, with mtval = the virtual address;
 *   - MMU_DELEG: page faults delegated to S (scause, stval, sepc);
 *   - MMU_AD: hardware setting of A and D (priv spec v1.12 §4.3.1 lets an
 *     implementation either fault or update them; QEMU 7.2 updates them,
 *     and so does Vireo: this tests that choice), no update on faults,
 *     non-leaf PTEs left alone, and sfence.vma making a remap visible.
 * Except in MMU_DELEG, faults are taken to M-mode and recorded there.
 */
#ifndef LEVELS
#error "define LEVELS"
#endif

#include "mmu.h"

#define VA_BITS (12 + 9 * LEVELS)
/* Lowest canonical address of the upper half: bits 63..VA_BITS-1 set. */
#define VA_NEG (~0UL << (VA_BITS - 1))
/* First non-canonical address above the lower half. */
#define VA_NONCANON (1UL << (VA_BITS - 1))
/* A high address using the top VPN level (below VA_NONCANON). */
#define VA_HIGH ((1UL << (VA_BITS - 2)) + 0x12345000UL)

#define VA_4K   0x40000000UL   /* gigabyte 1: 4 KiB pages */
#define VA_2M   0x40200000UL   /* megapage in gigabyte 1 */
#define VA_1G   0xc0000000UL   /* gigapage 3 -> PA 0x80000000 */
#define PA_2M   0x80200000UL   /* 2 MiB-aligned RAM above the image */

static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_b[512] __attribute__((aligned(4096)));
static uint32_t code_page[1024] __attribute__((aligned(4096)));

#define MAGIC_A 0xaaaa0000aaaa0001UL
#define MAGIC_B 0xbbbb0000bbbb0002UL
#define MAGIC_2M 0x2222000022220003UL

#define PTE_RW  (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define PTE_RO  (PTE_V | PTE_R | PTE_A)

static void setup_data(void)
{
    page_a[0] = MAGIC_A;
    page_a[1] = 0;
    page_b[0] = MAGIC_B;
    store64(PA_2M, MAGIC_2M);
    store64(PA_2M + 0x1008, MAGIC_2M + 1);
}

/* A load that may fault: returns the value or ~0 when a trap was taken. */
static __attribute__((unused)) unsigned long try_load(unsigned long va)
{
    unsigned long v;
    trap_arm(&vireo_mtrap);
    v = load64(va);
    trap_disarm(&vireo_mtrap);
    return vireo_mtrap.count ? ~0UL : v;
}

static __attribute__((unused)) int try_store(unsigned long va, unsigned long v)
{
    trap_arm(&vireo_mtrap);
    store64(va, v);
    trap_disarm(&vireo_mtrap);
    return vireo_mtrap.count == 0;
}

static __attribute__((unused)) int try_fetch(unsigned long va)
{
    trap_arm(&vireo_mtrap);
    ((void (*)(void))va)();
    trap_disarm(&vireo_mtrap);
    return vireo_mtrap.count == 0;
}

/* `li a0, 42; ret` at the start of code_page. */
static __attribute__((unused)) void setup_code(void)
{
    code_page[0] = (42 << 20) | 0x513;  /* addi a0, zero, 42 */
    code_page[1] = 0x00008067;          /* ret */
    asm volatile("fence.i" ::: "memory");
}

static __attribute__((unused)) long call_code(unsigned long va)
{
    return ((long (*)(void))va)();
}

#ifdef MMU_TRANSLATE
static long s_translate(long arg)
{
    (void)arg;
    CHECK_EQ(10, load64(VA_4K), MAGIC_A);
    CHECK_EQ(11, load64(VA_4K + 0x1000), MAGIC_B);
    CHECK_EQ(12, load64(VA_2M), MAGIC_2M);
    CHECK_EQ(13, load64(VA_2M + 0x1008), MAGIC_2M + 1);
    CHECK_EQ(14, load64(VA_1G + (PA_2M - SPIKE_DRAM_BASE)), MAGIC_2M);
    CHECK_EQ(15, load64(VA_HIGH), MAGIC_A);
    CHECK_EQ(16, load64(VA_NEG), MAGIC_B);
#if LEVELS >= 4
    /* 512 GiB terapage at 1 << 39 -> PA 0 */
    CHECK_EQ(17, load64((1UL << 39) + PA_2M), MAGIC_2M);
#endif
#if LEVELS >= 5
    /* 256 TiB petapage at 1 << 48 -> PA 0 */
    CHECK_EQ(18, load64((1UL << 48) + PA_2M), MAGIC_2M);
#endif
    /* stores go through the same translation */
    store64(VA_4K + 8, 0x5555);
    CHECK_EQ(19, page_a[1], 0x5555);
    store64(VA_2M + 0x1008, 0x6666);
    CHECK_EQ(20, load64(PA_2M + 0x1008), 0x6666);
    /* instruction fetch through a 4 KiB mapping */
    CHECK_EQ(21, call_code(VA_4K + 0x2000), 42);
    /* non-canonical addresses fault (load: cause 13, mtval = address) */
    CHECK_EQ(22, try_load(VA_NONCANON), ~0UL);
    CHECK_EQ(23, vireo_mtrap.cause, CAUSE_LOAD_PAGE_FAULT);
    CHECK_EQ(24, vireo_mtrap.tval, VA_NONCANON);
    CHECK_EQ(25, try_load(VA_NEG - 0x1000), ~0UL);   /* just below the upper half */
    CHECK_EQ(26, vireo_mtrap.cause, CAUSE_LOAD_PAGE_FAULT);
    CHECK(27, !try_store(VA_NONCANON + 0x2000, 1));
    CHECK_EQ(28, vireo_mtrap.cause, CAUSE_STORE_PAGE_FAULT);
    /* unmapped address in the lower half */
    CHECK_EQ(29, try_load(0x10000000UL), ~0UL);
    CHECK_EQ(30, vireo_mtrap.tval, 0x10000000UL);
    return 1;
}

int main(void)
{
    setup_data();
    setup_code();
    pt_init(LEVELS);
    pt_map_identity(0);
    pt_map(VA_4K, (unsigned long)page_a, 0, PTE_RW);
    pt_map(VA_4K + 0x1000, (unsigned long)page_b, 0, PTE_RW);
    pt_map(VA_4K + 0x2000, (unsigned long)code_page, 0, PTE_V | PTE_X | PTE_A);
    pt_map(VA_2M, PA_2M, 1, PTE_RW);
    pt_map(VA_1G, SPIKE_DRAM_BASE, 2, PTE_RW);
    pt_map(VA_HIGH, (unsigned long)page_a, 0, PTE_RW);
    pt_map(VA_NEG, (unsigned long)page_b, 0, PTE_RW);
#if LEVELS >= 4
    pt_map(1UL << 39, 0, 3, PTE_RW);
#endif
#if LEVELS >= 5
    pt_map(1UL << 48, 0, 4, PTE_RW);
#endif
    unsigned long satp = satp_for(LEVELS);
    csr_write(satp, satp);
    CHECK_EQ(1, csr_read(satp), satp);
    /* an unsupported mode (11..15, or 1..7 reserved) leaves satp unchanged */
    csr_write(satp, (11UL << SATP_MODE_SHIFT) | 5);
    CHECK_EQ(2, csr_read(satp), satp);
    csr_write(satp, (1UL << SATP_MODE_SHIFT) | 5);
    CHECK_EQ(3, csr_read(satp), satp);
    sfence_vma_all();
    /* M-mode ignores satp ... */
    CHECK_EQ(4, load64((unsigned long)page_a), MAGIC_A);
    /* ... unless MPRV = 1 with MPP = S: loads and stores are translated */
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, (unsigned long)PRV_S << MSTATUS_MPP_SHIFT);
    csr_set(mstatus, MSTATUS_MPRV);
    unsigned long v = load64(VA_4K + 0x1000);
    store64(VA_4K + 8, 0x77);
    csr_clear(mstatus, MSTATUS_MPRV);
    CHECK_EQ(5, v, MAGIC_B);
    CHECK_EQ(6, page_a[1], 0x77);
    CHECK_EQ(7, vireo_run(PRV_S, s_translate, 0), 1);
    /* U-mode sees the same translation for U pages */
    mmu_off();
    return 0;
}
#endif /* MMU_TRANSLATE */

#ifdef MMU_PERM
static uint64_t *pte_ro, *pte_xo, *pte_wo, *pte_u, *pte_inv, *pte_mis, *pte_ptr,
    *pte_pbmt, *pte_rw;
#define VA_RO   (VA_4K + 0x0000)
#define VA_XO   (VA_4K + 0x1000)
#define VA_WO   (VA_4K + 0x2000)
#define VA_U    (VA_4K + 0x3000)
#define VA_INV  (VA_4K + 0x4000)
#define VA_PTR  (VA_4K + 0x5000)
#define VA_PBMT (VA_4K + 0x6000)
#define VA_UX   (VA_4K + 0x7000)
#define VA_RW   (VA_4K + 0x8000)
#define VA_MIS  0x40400000UL  /* megapage whose PPN[0] != 0 */

static int fault_is(unsigned long cause, unsigned long va)
{
    return vireo_mtrap.count == 1 && vireo_mtrap.cause == cause &&
           vireo_mtrap.tval == va;
}

static long s_perm(long arg)
{
    (void)arg;
    /* read-only page: loads work, stores fault */
    CHECK_EQ(10, load64(VA_RO), MAGIC_A);
    CHECK(11, !try_store(VA_RO + 8, 1));
    CHECK(12, fault_is(CAUSE_STORE_PAGE_FAULT, VA_RO + 8));
    CHECK(13, try_store(VA_RW + 8, 1));
    /* execute-only page: loads fault unless MXR */
    CHECK_EQ(14, try_load(VA_XO), ~0UL);
    CHECK(15, fault_is(CAUSE_LOAD_PAGE_FAULT, VA_XO));
    csr_set(sstatus, MSTATUS_MXR);
    CHECK_EQ(16, try_load(VA_XO), (unsigned long)code_page[0] | ((unsigned long)code_page[1] << 32));
    csr_clear(sstatus, MSTATUS_MXR);
    CHECK_EQ(17, call_code(VA_XO), 42);
    /* fetch from a page without X */
    CHECK(18, !try_fetch(VA_RO));
    CHECK(19, fault_is(CAUSE_FETCH_PAGE_FAULT, VA_RO));
    /* W without R is reserved: every access faults */
    CHECK_EQ(20, try_load(VA_WO), ~0UL);
    CHECK(21, fault_is(CAUSE_LOAD_PAGE_FAULT, VA_WO));
    CHECK(22, !try_store(VA_WO, 1));
    CHECK(23, fault_is(CAUSE_STORE_PAGE_FAULT, VA_WO));
    /* U page from S: loads/stores need SUM, fetches never work */
    CHECK_EQ(24, try_load(VA_U), ~0UL);
    CHECK(25, fault_is(CAUSE_LOAD_PAGE_FAULT, VA_U));
    CHECK(26, !try_store(VA_U, 1));
    CHECK(27, fault_is(CAUSE_STORE_PAGE_FAULT, VA_U));
    csr_set(sstatus, MSTATUS_SUM);
    CHECK_EQ(28, try_load(VA_U), MAGIC_B);
    CHECK(29, try_store(VA_U + 8, 3));
    CHECK(30, !try_fetch(VA_UX));
    CHECK(31, fault_is(CAUSE_FETCH_PAGE_FAULT, VA_UX));
    csr_clear(sstatus, MSTATUS_SUM);
    /* invalid PTE, non-leaf at level 0, misaligned megapage, PBMT bits */
    CHECK_EQ(32, try_load(VA_INV), ~0UL);
    CHECK(33, fault_is(CAUSE_LOAD_PAGE_FAULT, VA_INV));
    CHECK(34, !try_store(VA_INV, 1));
    CHECK(35, fault_is(CAUSE_STORE_PAGE_FAULT, VA_INV));
    CHECK(36, !try_fetch(VA_INV));
    CHECK(37, fault_is(CAUSE_FETCH_PAGE_FAULT, VA_INV));
    CHECK_EQ(38, try_load(VA_PTR), ~0UL);
    CHECK(39, fault_is(CAUSE_LOAD_PAGE_FAULT, VA_PTR));
    CHECK_EQ(40, try_load(VA_MIS + 0x10), ~0UL);
    CHECK(41, fault_is(CAUSE_LOAD_PAGE_FAULT, VA_MIS + 0x10));
    CHECK_EQ(42, try_load(VA_PBMT), ~0UL);
    CHECK(43, fault_is(CAUSE_LOAD_PAGE_FAULT, VA_PBMT));
    return 1;
}

/* U-mode: S-only pages fault, U pages work (run with the U table). */
static long u_perm(long arg)
{
    (void)arg;
    CHECK_EQ(50, try_load(VA_RW), ~0UL);
    CHECK(51, fault_is(CAUSE_LOAD_PAGE_FAULT, VA_RW));
    CHECK(52, !try_store(VA_RW, 1));
    CHECK(53, fault_is(CAUSE_STORE_PAGE_FAULT, VA_RW));
    CHECK_EQ(54, try_load(VA_U), MAGIC_B);
    CHECK(55, try_store(VA_U + 8, 4));
    CHECK_EQ(56, call_code(VA_UX), 42);
    CHECK(57, !try_fetch(VA_XO));     /* X but not U */
    CHECK(58, fault_is(CAUSE_FETCH_PAGE_FAULT, VA_XO));
    return 1;
}

static void build(uint64_t identity_flags)
{
    pt_init(LEVELS);
    pt_map_identity(identity_flags);
    pte_ro = pt_map(VA_RO, (unsigned long)page_a, 0, PTE_RO);
    pte_xo = pt_map(VA_XO, (unsigned long)code_page, 0, PTE_V | PTE_X | PTE_A);
    pte_wo = pt_map(VA_WO, (unsigned long)page_a, 0, PTE_V | PTE_W | PTE_A | PTE_D);
    pte_u = pt_map(VA_U, (unsigned long)page_b, 0, PTE_RW | PTE_U);
    pt_map(VA_UX, (unsigned long)code_page, 0, PTE_V | PTE_X | PTE_A | PTE_U);
    pte_inv = pt_map(VA_INV, (unsigned long)page_a, 0, PTE_RW & ~PTE_V);
    pte_ptr = pt_map(VA_PTR, (unsigned long)page_a, 0, PTE_V);
    pte_pbmt = pt_map(VA_PBMT, (unsigned long)page_a, 0, PTE_RW | (1ULL << 61));
    pte_rw = pt_map(VA_RW, (unsigned long)page_a, 0, PTE_RW);
    pte_mis = pt_map(VA_MIS, PA_2M + 0x1000, 1, PTE_RW);
}

int main(void)
{
    setup_data();
    setup_code();
    build(0);
    mmu_on();
    CHECK_EQ(1, vireo_run(PRV_S, s_perm, 0), 1);
    /* U-mode run: the identity gigabyte (code, stack) must be U too */
    build(PTE_U);
    mmu_on();
    CHECK_EQ(2, vireo_run(PRV_U, u_perm, 0), 1);
    mmu_off();
    return 0;
}
#endif /* MMU_PERM */

#ifdef MMU_AD
#define VA_P1 (VA_4K + 0x0000)
#define VA_P2 (VA_4K + 0x1000)
#define VA_P3 (VA_4K + 0x2000)
#define VA_C  (VA_4K + 0x3000)
#define VA_UF (VA_4K + 0x4000)
#define VA_MEGA 0x40400000UL  /* a 2 MiB leaf with A = D = 0 */
static volatile uint64_t *pte1, *pte2, *pte3, *ptec, *pteuf, *ptemega;

static long s_ad(long arg)
{
    (void)arg;
    /* load: A set, D untouched */
    CHECK_EQ(10, *pte1 & (PTE_A | PTE_D), 0);
    CHECK_EQ(11, load64(VA_P1), MAGIC_A);
    CHECK_EQ(12, *pte1 & (PTE_A | PTE_D), PTE_A);
    /* store: A and D set */
    store64(VA_P2 + 8, 9);
    CHECK_EQ(13, *pte2 & (PTE_A | PTE_D), PTE_A | PTE_D);
    /* store to an A=1, D=0 page sets D */
    CHECK_EQ(14, *pte3 & (PTE_A | PTE_D), PTE_A);
    store64(VA_P3 + 16, 10);
    CHECK_EQ(15, *pte3 & (PTE_A | PTE_D), PTE_A | PTE_D);
    /* fetch sets A */
    CHECK_EQ(16, call_code(VA_C), 42);
    CHECK_EQ(17, *ptec & (PTE_A | PTE_D), PTE_A);
    /* a faulting access (U page, SUM = 0) sets nothing */
    CHECK_EQ(18, try_load(VA_UF), ~0UL);
    CHECK(19, !try_store(VA_UF, 1));
    CHECK_EQ(20, *pteuf & (PTE_A | PTE_D), 0);
    /* superpage leaves get A and D the same way */
    CHECK_EQ(26, load64(VA_MEGA + 0x1008), MAGIC_2M + 1);
    CHECK_EQ(27, *ptemega & (PTE_A | PTE_D), PTE_A);
    store64(VA_MEGA + 0x1010, 5);
    CHECK_EQ(28, *ptemega & (PTE_A | PTE_D), PTE_A | PTE_D);
    /* non-leaf PTEs keep A = D = 0 */
    CHECK_EQ(21, pt_root[vpn(VA_P1, LEVELS - 1)] & (PTE_A | PTE_D | PTE_U), 0);
    /* sfence.vma makes a remap visible: point VA_P1 at page_b */
    *pte1 = pte_make((unsigned long)page_b, PTE_RW);
    asm volatile("sfence.vma %0, zero" : : "r"(VA_P1) : "memory");
    CHECK_EQ(22, load64(VA_P1), MAGIC_B);
    *pte1 = pte_make((unsigned long)page_a, PTE_RW);
    asm volatile("sfence.vma zero, zero" : : : "memory");
    CHECK_EQ(23, load64(VA_P1), MAGIC_A);
    /* invalidate a mapping: the next access faults */
    *pte1 = 0;
    asm volatile("sfence.vma %0" : : "r"(VA_P1) : "memory");
    CHECK_EQ(24, try_load(VA_P1), ~0UL);
    CHECK_EQ(25, vireo_mtrap.cause, CAUSE_LOAD_PAGE_FAULT);
    return 1;
}

int main(void)
{
    setup_data();
    setup_code();
    pt_init(LEVELS);
    pt_map_identity(0);
    pte1 = pt_map(VA_P1, (unsigned long)page_a, 0, PTE_V | PTE_R | PTE_W);
    pte2 = pt_map(VA_P2, (unsigned long)page_b, 0, PTE_V | PTE_R | PTE_W);
    pte3 = pt_map(VA_P3, (unsigned long)page_b, 0, PTE_V | PTE_R | PTE_W | PTE_A);
    ptec = pt_map(VA_C, (unsigned long)code_page, 0, PTE_V | PTE_X);
    pteuf = pt_map(VA_UF, (unsigned long)page_a, 0, PTE_V | PTE_R | PTE_W | PTE_U);
    ptemega = pt_map(VA_MEGA, PA_2M, 1, PTE_V | PTE_R | PTE_W);
    mmu_on();
    CHECK_EQ(1, vireo_run(PRV_S, s_ad, 0), 1);
    mmu_off();
    return 0;
}
#endif /* MMU_AD */

#ifdef MMU_DELEG
#define VA_D_RO  (VA_4K + 0x0000)
#define VA_D_INV (VA_4K + 0x1000)
#define VA_D_NX  (VA_4K + 0x2000)

static long s_deleg(long arg)
{
    (void)arg;
    unsigned long v = 0x33;
    trap_arm(&vireo_strap);
    trap_arm(&vireo_mtrap);
    asm volatile("ld %0, 0(%1)" : "+r"(v) : "r"(VA_D_INV) : "memory");
    CHECK_EQ(10, vireo_strap.count, 1);
    CHECK_EQ(11, vireo_strap.cause, CAUSE_LOAD_PAGE_FAULT);
    CHECK_EQ(12, vireo_strap.tval, VA_D_INV);
    CHECK_EQ(13, v, 0x33);
    CHECK_EQ(14, vireo_strap.status & MSTATUS_SPP, MSTATUS_SPP);
    trap_arm(&vireo_strap);
    store64(VA_D_RO + 16, 1);
    CHECK_EQ(15, vireo_strap.cause, CAUSE_STORE_PAGE_FAULT);
    CHECK_EQ(16, vireo_strap.tval, VA_D_RO + 16);
    trap_arm(&vireo_strap);
    ((void (*)(void))VA_D_NX)();
    CHECK_EQ(17, vireo_strap.cause, CAUSE_FETCH_PAGE_FAULT);
    CHECK_EQ(18, vireo_strap.tval, VA_D_NX);
    CHECK_EQ(19, vireo_strap.epc, VA_D_NX);
    CHECK_EQ(20, vireo_mtrap.count, 0);
    trap_disarm(&vireo_strap);
    trap_disarm(&vireo_mtrap);
    return 1;
}

int main(void)
{
    setup_data();
    pt_init(LEVELS);
    pt_map_identity(0);
    pt_map(VA_D_RO, (unsigned long)page_a, 0, PTE_RO);
    pt_map(VA_D_INV, (unsigned long)page_a, 0, 0);
    pt_map(VA_D_NX, (unsigned long)page_a, 0, PTE_RW);
    mmu_on();
    csr_write(medeleg, (1UL << CAUSE_FETCH_PAGE_FAULT) | (1UL << CAUSE_LOAD_PAGE_FAULT) |
                       (1UL << CAUSE_STORE_PAGE_FAULT));
    CHECK_EQ(1, vireo_run(PRV_S, s_deleg, 0), 1);
    /* M-mode accesses (MPRV) still fault to M: delegation never lowers */
    trap_arm(&vireo_mtrap);
    trap_arm(&vireo_strap);
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, ((unsigned long)PRV_S << MSTATUS_MPP_SHIFT) | MSTATUS_MPRV);
    (void)load64(VA_D_INV);
    csr_clear(mstatus, MSTATUS_MPRV);
    CHECK_EQ(2, vireo_mtrap.count, 1);
    CHECK_EQ(3, vireo_mtrap.cause, CAUSE_LOAD_PAGE_FAULT);
    CHECK_EQ(4, vireo_strap.count, 0);
    trap_disarm(&vireo_mtrap);
    trap_disarm(&vireo_strap);
    csr_write(medeleg, 0);
    mmu_off();
    return 0;
}
#endif /* MMU_DELEG */
