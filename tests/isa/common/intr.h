/*
 * intr.h — helpers for the interrupt tests: CLINT access (spike layout,
 * priv spec v1.12 §3.2.1 mtime/mtimecmp) and bounded waits.
 */
#ifndef TESTS_ISA_COMMON_INTR_H
#define TESTS_ISA_COMMON_INTR_H

#include "vireo.h"

static inline uint64_t mtime_now(void)
{
    return mmio_read64(CLINT_MTIME);
}

static inline void mtimecmp_set(uint64_t v)
{
    mmio_write64(CLINT_MTIMECMP, v);
}

static inline void msip_set(uint32_t v)
{
    mmio_write32(CLINT_MSIP, v);
}

/* Spin until rec->count reaches n or 2 s of mtime pass (generous: a
 * loaded host may run the emulator's timers late). */
static inline int wait_count(struct vireo_trap_rec *rec, unsigned long n)
{
    uint64_t end = mtime_now() + 2 * SPIKE_TIMEBASE_HZ;
    while (rec->count < n) {
        if (mtime_now() > end)
            return 0;
    }
    return 1;
}

/* Spin until (mip & bits) or 2 s of mtime pass. */
static inline int wait_mip(unsigned long bits)
{
    uint64_t end = mtime_now() + 2 * SPIKE_TIMEBASE_HZ;
    while (!(csr_read(mip) & bits)) {
        if (mtime_now() > end)
            return 0;
    }
    return 1;
}

#endif /* TESTS_ISA_COMMON_INTR_H */
