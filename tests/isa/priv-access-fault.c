/*
 * priv-access-fault.c — accesses to physical addresses with nothing behind
 * them (on spike: 0x40000000 and just below RAM) raise access faults (priv
 * spec v1.12 §3.5, Table 3.6): load 5, store/AMO 7, fetch 1, with mtval =
 * the address and, for a fetch, mepc = the target.  The same from S/U.
 * (What a store to spike's mask ROM does is platform-defined: not tested.)
 */
#include "vireo.h"

#define HOLE  SPIKE_UNMAPPED_ADDR
#define HOLE2 UNMAPPED_ADDR_2

static unsigned long g_addr;

static long do_load(long a)
{
    return (long)*(volatile uint64_t *)a;
}

static long do_store(long a)
{
    *(volatile uint32_t *)a = 1;
    return 0;
}

static long do_lr(long a)
{
    long v;
    asm volatile("lr.w %0, (%1)" : "=r"(v) : "r"(a) : "memory");
    return v;
}

static long do_fetch(long a)
{
    return ((long (*)(void))a)();
}

static int faulted(long (*fn)(long), int mode, unsigned long addr,
                   unsigned long cause)
{
    trap_arm(&vireo_mtrap);
    if (mode == PRV_M)
        fn((long)addr);
    else
        vireo_run(mode, fn, (long)addr);
    trap_disarm(&vireo_mtrap);
    g_addr = addr;
    return vireo_mtrap.count == 1 && vireo_mtrap.cause == cause &&
           vireo_mtrap.tval == addr;
}

int main(void)
{
    CHECK(1, faulted(do_load, PRV_M, HOLE, CAUSE_LOAD_ACCESS));
    CHECK(2, faulted(do_load, PRV_M, HOLE2, CAUSE_LOAD_ACCESS));
    CHECK(3, faulted(do_store, PRV_M, HOLE, CAUSE_STORE_ACCESS));
    /* (AMOs: rva-access-fault.c) */
    CHECK(5, faulted(do_lr, PRV_M, HOLE, CAUSE_LOAD_ACCESS));
    CHECK(6, faulted(do_fetch, PRV_M, HOLE, CAUSE_FETCH_ACCESS));
    CHECK_EQ(7, vireo_mtrap.epc, HOLE);
    CHECK(8, faulted(do_load, PRV_S, HOLE, CAUSE_LOAD_ACCESS));
    CHECK(9, faulted(do_store, PRV_U, HOLE + 0x100, CAUSE_STORE_ACCESS));
    CHECK(10, faulted(do_fetch, PRV_U, HOLE, CAUSE_FETCH_ACCESS));
    return 0;
}
