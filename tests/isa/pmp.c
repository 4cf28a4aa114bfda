/*
 * pmp.c — physical memory protection (priv spec v1.12 §3.7): NAPOT, TOR
 * and NA4 regions, R/W/X checks for S and U, the lowest-numbered matching
 * entry decides, an access only partly inside the deciding region fails,
 * M-mode is checked only against locked entries, and a locked entry's
 * pmpcfg byte and pmpaddr ignore writes.  Denied accesses raise access
 * faults (load 5, store 7, fetch 1) with mtval = the address.  On RV64
 * the odd pmpcfg registers do not exist.
 * crt0.S keeps entry 15 as a catch-all RWX region.
 */
#include "vireo.h"

static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_b[512] __attribute__((aligned(4096)));
static uint64_t page_c[512] __attribute__((aligned(4096)));
static uint32_t code[1024] __attribute__((aligned(4096)));

static void pmpaddr_write(int i, unsigned long v)
{
    switch (i) {
    case 0: csr_write(pmpaddr0, v); break;
    case 1: csr_write(pmpaddr1, v); break;
    case 2: csr_write(pmpaddr2, v); break;
    case 3: csr_write(pmpaddr3, v); break;
    case 4: csr_write(pmpaddr4, v); break;
    case 5: csr_write(pmpaddr5, v); break;
    case 6: csr_write(pmpaddr6, v); break;
    case 7: csr_write(pmpaddr7, v); break;
    }
}

static unsigned long pmpaddr_read(int i)
{
    switch (i) {
    case 6: return csr_read(pmpaddr6);
    default: return 0;
    }
}

static void pmpcfg_byte(int i, unsigned cfg)
{
    unsigned long v = csr_read(pmpcfg0);
    v &= ~(0xffUL << (8 * i));
    v |= (unsigned long)cfg << (8 * i);
    csr_write(pmpcfg0, v);
}

static unsigned pmpcfg_get(int i)
{
    return (csr_read(pmpcfg0) >> (8 * i)) & 0xff;
}

static unsigned long napot(unsigned long base, unsigned long size)
{
    return (base >> 2) | ((size >> 3) - 1);
}

static long do_load(long a) { return (long)*(volatile uint64_t *)a; }
static long do_load32(long a) { return (long)*(volatile uint32_t *)a; }
static long do_store(long a) { *(volatile uint64_t *)a = 0x99; return 0; }
static long do_call(long a) { return ((long (*)(void))a)(); }

/* Returns the mcause of the one trap fn(addr) took in mode, or 0. */
static unsigned long fault(long (*fn)(long), int mode, unsigned long addr)
{
    trap_arm(&vireo_mtrap);
    if (mode == PRV_M)
        fn((long)addr);
    else
        vireo_run(mode, fn, (long)addr);
    trap_disarm(&vireo_mtrap);
    if (vireo_mtrap.count == 0)
        return 0;
    if (vireo_mtrap.count != 1 || vireo_mtrap.tval != addr)
        return 99;
    return vireo_mtrap.cause;
}

int main(void)
{
    unsigned long a = (unsigned long)page_a, b = (unsigned long)page_b;
    unsigned long c = (unsigned long)page_c, x = (unsigned long)code;
    code[0] = (42 << 20) | 0x513;   /* li a0, 42 */
    code[1] = 0x00008067;           /* ret */
    asm volatile("fence.i" ::: "memory");

    /* NAPOT read-only over page_a */
    pmpaddr_write(0, napot(a, 4096));
    pmpcfg_byte(0, PMP_A_NAPOT | PMP_R);
    CHECK_EQ(1, pmpcfg_get(0), PMP_A_NAPOT | PMP_R);
    CHECK_EQ(2, fault(do_load, PRV_U, a + 8), 0);
    CHECK_EQ(3, fault(do_store, PRV_U, a + 8), CAUSE_STORE_ACCESS);
    CHECK_EQ(4, fault(do_store, PRV_S, a + 16), CAUSE_STORE_ACCESS);
    CHECK_EQ(5, fault(do_store, PRV_M, a + 16), 0);     /* unlocked: M free */
    CHECK_EQ(6, fault(do_store, PRV_U, a + 4096), 0);   /* outside: entry 15 */
    CHECK_EQ(7, fault(do_store, PRV_U, a - 8), 0);
    /* lower index wins: entry 0 R over entry 1 RW */
    pmpaddr_write(1, napot(a, 4096));
    pmpcfg_byte(1, PMP_A_NAPOT | PMP_R | PMP_W);
    CHECK_EQ(8, fault(do_store, PRV_U, a + 8), CAUSE_STORE_ACCESS);
    pmpcfg_byte(0, PMP_A_NAPOT | PMP_R | PMP_W);
    pmpcfg_byte(1, PMP_A_NAPOT | PMP_R);
    CHECK_EQ(9, fault(do_store, PRV_U, a + 8), 0);
    /* a larger NAPOT region (16 KiB around page_a's 16 KiB block) */
    pmpcfg_byte(0, 0);
    pmpcfg_byte(1, 0);
    pmpaddr_write(0, napot(a & ~0x3fffUL, 0x4000));
    pmpcfg_byte(0, PMP_A_NAPOT);
    CHECK_EQ(10, fault(do_load, PRV_S, (a & ~0x3fffUL) + 0x3ff8), CAUSE_LOAD_ACCESS);
    CHECK_EQ(11, fault(do_load, PRV_S, (a & ~0x3fffUL) + 0x4000), 0);
    pmpcfg_byte(0, 0);

    /* TOR [page_b, page_b + 4096) with no permissions: entry 3 gives the
     * base (and is OFF), entry 4 is the TOR region */
    pmpaddr_write(3, b >> 2);
    pmpaddr_write(4, (b + 4096) >> 2);
    pmpcfg_byte(3, PMP_A_OFF);
    pmpcfg_byte(4, PMP_A_TOR);
    CHECK_EQ(12, fault(do_load, PRV_U, b), CAUSE_LOAD_ACCESS);
    CHECK_EQ(13, fault(do_load, PRV_S, b + 4088), CAUSE_LOAD_ACCESS);
    CHECK_EQ(14, fault(do_load, PRV_U, b + 4096), 0);
    CHECK_EQ(15, fault(do_load, PRV_U, b - 8), 0);
    CHECK_EQ(16, fault(do_store, PRV_U, b + 8), CAUSE_STORE_ACCESS);
    pmpcfg_byte(4, PMP_A_TOR | PMP_R | PMP_W);
    CHECK_EQ(17, fault(do_store, PRV_U, b + 8), 0);
    pmpcfg_byte(4, 0);

    /* X: code in a read-only region cannot be fetched from U */
    pmpaddr_write(2, napot(x, 4096));
    pmpcfg_byte(2, PMP_A_NAPOT | PMP_R);
    CHECK_EQ(18, fault(do_call, PRV_U, x), CAUSE_FETCH_ACCESS);
    CHECK_EQ(19, vireo_mtrap.epc, x);
    pmpcfg_byte(2, PMP_A_NAPOT | PMP_R | PMP_X);
    CHECK_EQ(20, vireo_run(PRV_U, do_call, (long)x), 42);
    pmpcfg_byte(2, 0);

    /* NA4 over one word: that word faults, the next does not; an 8-byte
     * access covering it only partly fails too */
    pmpaddr_write(5, (c + 16) >> 2);
    pmpcfg_byte(5, PMP_A_NA4);
    CHECK_EQ(21, fault(do_load32, PRV_U, c + 16), CAUSE_LOAD_ACCESS);
    CHECK_EQ(22, fault(do_load32, PRV_U, c + 20), 0);
    CHECK_EQ(23, fault(do_load32, PRV_U, c + 12), 0);
    CHECK_EQ(24, fault(do_load, PRV_U, c + 16), CAUSE_LOAD_ACCESS);
    pmpcfg_byte(5, 0);

    /* locked, read-only page_c: applies to M too; entry frozen */
    pmpaddr_write(6, napot(c, 4096));
    pmpcfg_byte(6, PMP_A_NAPOT | PMP_R | PMP_L);
    CHECK_EQ(25, fault(do_store, PRV_M, c + 8), CAUSE_STORE_ACCESS);
    CHECK_EQ(26, fault(do_load, PRV_M, c + 8), 0);
    CHECK_EQ(27, fault(do_store, PRV_U, c + 8), CAUSE_STORE_ACCESS);
    pmpcfg_byte(6, PMP_A_NAPOT | PMP_R | PMP_W);
    CHECK_EQ(28, pmpcfg_get(6), PMP_A_NAPOT | PMP_R | PMP_L);
    pmpaddr_write(6, napot(b, 4096));
    CHECK_EQ(29, pmpaddr_read(6), napot(c, 4096));
    CHECK_EQ(30, fault(do_store, PRV_M, c + 8), CAUSE_STORE_ACCESS);
    /* other entries stay writable */
    pmpcfg_byte(5, PMP_A_NA4 | PMP_R);
    CHECK_EQ(31, pmpcfg_get(5), PMP_A_NA4 | PMP_R);
    pmpcfg_byte(5, 0);
    /* RV64 has only the even pmpcfg registers: pmpcfg1/3 are illegal */
    trap_arm(&vireo_mtrap);
    (void)csr_read(pmpcfg1);
    CHECK_EQ(32, vireo_mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
    trap_arm(&vireo_mtrap);
    csr_write(pmpcfg3, 0);
    CHECK_EQ(33, vireo_mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
    trap_disarm(&vireo_mtrap);
    return 0;
}
