/*
 * priv-misaligned.c — misaligned loads and stores.  The spec lets an
 * implementation either perform them or raise address-misaligned (or
 * access-fault) exceptions (unprivileged spec §2.6); QEMU 7.2 performs
 * them in every mode, and Vireo follows: this tests that choice.  Covered:
 * every width and offset, FP loads/stores, S and U mode, and (with Sv39)
 * accesses that straddle two pages mapped to non-adjacent frames, or whose
 * second page is unmapped (page fault with mtval inside the access).
 * Misaligned LR/SC/AMOs always trap: rva-lrsc.S, rva-misaligned.S.
 */
#include "mmu.h"

static uint8_t buf[64] __attribute__((aligned(16)));
static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_b[512] __attribute__((aligned(4096)));

static uint64_t ref_load(const uint8_t *p, int size)
{
    uint64_t v = 0;
    for (int i = size - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void fill(void)
{
    for (int i = 0; i < 64; i++)
        buf[i] = (uint8_t)(0x11 * (i + 1) ^ (i << 3));
}

/* All widths at offsets 1..7 in the current mode; returns 0 or a code. */
static long check_all(long arg)
{
    (void)arg;
    for (int off = 1; off < 8; off++) {
        uint8_t *p = buf + 8 + off;
        fill();
        if (*(volatile uint16_t *)p != ref_load(p, 2)) return 100 + off;
        if (*(volatile int16_t *)p != (int16_t)ref_load(p, 2)) return 110 + off;
        if (*(volatile uint32_t *)p != ref_load(p, 4)) return 120 + off;
        if (*(volatile int32_t *)p != (int32_t)ref_load(p, 4)) return 130 + off;
        if (*(volatile uint64_t *)p != ref_load(p, 8)) return 140 + off;
        *(volatile uint16_t *)p = 0xa1b2;
        if (ref_load(p, 2) != 0xa1b2 || p[-1] != (uint8_t)(0x11 * (8 + off) ^ ((7 + off) << 3)))
            return 150 + off;
        *(volatile uint32_t *)p = 0xc3d4e5f6;
        if (ref_load(p, 4) != 0xc3d4e5f6) return 160 + off;
        *(volatile uint64_t *)p = 0x0102030405060708;
        if (ref_load(p, 8) != 0x0102030405060708 || p[8] != (uint8_t)(0x11 * (17 + off) ^ ((16 + off) << 3)))
            return 170 + off;
        /* FP: flw/fsw/fld/fsd */
        uint64_t d;
        uint32_t w;
        asm volatile("fld f5, 0(%1)\n fsd f5, 16(%1)\n ld %0, 16(%1)" : "=r"(d) : "r"(p) : "f5", "memory");
        if (d != 0x0102030405060708) return 180 + off;
        asm volatile("flw f5, 0(%1)\n fsw f5, 20(%1)\n lwu %0, 20(%1)" : "=r"(w) : "r"(p) : "f5", "memory");
        if (w != 0x05060708) return 190 + off;
    }
    return 0;
}

int main(void)
{
    trap_arm(&vireo_mtrap);
    CHECK_EQ(1, check_all(0), 0);
    CHECK_EQ(2, vireo_run(PRV_S, check_all, 0), 0);
    CHECK_EQ(3, vireo_run(PRV_U, check_all, 0), 0);
    CHECK_EQ(4, vireo_mtrap.count, 0);
    trap_disarm(&vireo_mtrap);

    /* Sv39: VA 0x40000000 -> page_a, 0x40001000 -> page_b, 0x40002000 unmapped */
    page_a[511] = 0x8877665544332211;
    page_b[0] = 0xffeeddccbbaa9988;
    pt_init(3);
    pt_map_identity(0);
    pt_map(0x40000000, (unsigned long)page_a, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    pt_map(0x40001000, (unsigned long)page_b, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    csr_write(satp, satp_for(3));
    sfence_vma_all();
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, ((unsigned long)PRV_S << MSTATUS_MPP_SHIFT) | MSTATUS_MPRV);
    unsigned long v = *(volatile uint64_t *)0x40000ffcUL;
    *(volatile uint32_t *)0x40000ffeUL = 0x12345678;
    csr_clear(mstatus, MSTATUS_MPRV);
    CHECK_EQ(5, v, 0xbbaa998888776655);
    CHECK_EQ(6, page_a[511], 0x5678665544332211);
    CHECK_EQ(7, page_b[0], 0xffeeddccbbaa1234);
    /* second page unmapped: a load page fault, nothing loaded */
    trap_arm(&vireo_mtrap);
    csr_set(mstatus, MSTATUS_MPRV);
    v = 0x55;
    asm volatile("ld %0, 0(%1)" : "+r"(v) : "r"(0x40001ffcUL) : "memory");
    asm volatile("sw %0, 0(%1)" : : "r"(0L), "r"(0x40001ffeUL) : "memory");
    csr_clear(mstatus, MSTATUS_MPRV);
    trap_disarm(&vireo_mtrap);
    CHECK_EQ(8, vireo_mtrap.count, 2);
    CHECK_EQ(9, vireo_mtrap.cause, CAUSE_STORE_PAGE_FAULT);
    CHECK(10, vireo_mtrap.tval >= 0x40001ffeUL && vireo_mtrap.tval < 0x40002002UL);
    CHECK_EQ(11, v, 0x55);
    /* a store whose second half faults must not write the first half */
    CHECK_EQ(12, page_b[511] >> 48, 0);
    mmu_off();
    return 0;
}
