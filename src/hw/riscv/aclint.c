/*
 * hw/riscv/aclint.c — the CLINT: msip, mtimecmp and mtime registers (see
 * aclint.h for the map; RISC-V ACLINT spec v1.0 §2-3 for the semantics).
 *
 * Registers accept 32- and 64-bit accesses; a 32-bit access to a 64-bit
 * register reads or writes that half. Each hart has a virtual-clock timer
 * armed for the moment mtime reaches its mtimecmp; MTIP is re-evaluated
 * on every mtimecmp or mtime write and when the timer fires. mtime is
 * computed, never stored: ticks = virtual ns * freq / 1e9 + delta, where
 * delta absorbs guest writes to mtime.
 */
#include "hw/riscv/aclint.h"
#include "hw/core/machine.h"
#include "core/main-loop.h"
#include "target/riscv/cpu.h"
#include "util/error.h"
#include "util/log.h"

typedef struct RISCVAclintState RISCVAclintState;

typedef struct RISCVAclintHart {
    RISCVAclintState *s;
    unsigned index;             /* 0-based within this CLINT */
    uint64_t mtimecmp;
    Timer *timer;
} RISCVAclintHart;

struct RISCVAclintState {
    DeviceState parent;
    uint64_t addr;
    uint32_t hartid_base;
    uint32_t num_harts;
    uint64_t timebase_freq;

    MemoryRegion mmio;
    int64_t time_delta;         /* ticks added to the clock-derived mtime */
    RISCVAclintHart *harts;
};

static uint64_t ns_to_ticks(RISCVAclintState *s, int64_t ns)
{
    return (uint64_t)((unsigned __int128)ns * s->timebase_freq /
                      NS_PER_SEC);
}

static uint64_t aclint_mtime(RISCVAclintState *s)
{
    MainLoop *ml = s->parent.machine->loop;

    return ns_to_ticks(s, clock_get_ns(ml, CLOCK_TYPE_VIRTUAL)) +
           s->time_delta;
}

/* The harts' time CSR: the same counter, read from a vCPU thread. */
static uint64_t aclint_rdtime(void *opaque, int64_t now_ns)
{
    RISCVAclintState *s = opaque;

    return ns_to_ticks(s, now_ns) +
           __atomic_load_n(&s->time_delta, __ATOMIC_RELAXED);
}

static RISCVCPU *aclint_cpu(RISCVAclintState *s, unsigned h)
{
    Machine *m = s->parent.machine;
    unsigned id = s->hartid_base + h;

    return id < m->nr_cpus ? riscv_cpu(m->cpus[id]) : NULL;
}

/* Set MTIP if the deadline passed, else clear it and arm the timer. */
static void aclint_update_timer(RISCVAclintState *s, unsigned h)
{
    RISCVAclintHart *hart = &s->harts[h];
    RISCVCPU *cpu = aclint_cpu(s, h);
    uint64_t now = aclint_mtime(s);
    uint64_t delta;
    int64_t ns;

    if (!cpu) {
        return;
    }
    if (now >= hart->mtimecmp) {
        timer_del(hart->timer);
        riscv_cpu_update_mip(cpu, MIP_MTIP, 1);
        return;
    }
    riscv_cpu_update_mip(cpu, MIP_MTIP, 0);
    delta = hart->mtimecmp - now;
    if (delta > (uint64_t)INT64_MAX / NS_PER_SEC) {
        ns = INT64_MAX / 2;     /* practically never */
    } else {
        ns = (int64_t)((delta * NS_PER_SEC + s->timebase_freq - 1) /
                       s->timebase_freq);
    }
    timer_mod_ns(hart->timer,
                 clock_get_ns(s->parent.machine->loop, CLOCK_TYPE_VIRTUAL)
                 + ns);
}

static void aclint_timer_cb(void *opaque)
{
    RISCVAclintHart *hart = opaque;

    aclint_update_timer(hart->s, hart->index);
}

/* Replace the 4 bytes at @ofs (0 or 4) of @old, or all 8 bytes. */
static uint64_t merge(uint64_t old, uint64_t ofs, uint64_t val,
                      unsigned size)
{
    if (size == 8) {
        return val;
    }
    ofs &= 4;
    return (old & ~(0xffffffffULL << (8 * ofs))) |
           ((val & 0xffffffffULL) << (8 * ofs));
}

static uint64_t aclint_read(void *opaque, uint64_t addr, unsigned size)
{
    RISCVAclintState *s = opaque;
    uint64_t val = 0;

    if (addr < RISCV_ACLINT_MTIMECMP_BASE) {
        RISCVCPU *cpu = addr / 4 < s->num_harts ? aclint_cpu(s, addr / 4)
                                                : NULL;

        if (cpu && size == 4 && !(addr & 3)) {
            return (__atomic_load_n(&cpu->mip, __ATOMIC_ACQUIRE) &
                    MIP_MSIP) ? 1 : 0;
        }
    } else if (addr < RISCV_ACLINT_MTIME) {
        uint64_t h = (addr - RISCV_ACLINT_MTIMECMP_BASE) / 8;

        if (h < s->num_harts) {
            val = s->harts[h].mtimecmp;
        }
    } else if (addr >= RISCV_ACLINT_MTIME && addr < RISCV_ACLINT_SIZE) {
        val = aclint_mtime(s);
    }
    if (size == 4) {
        val = (val >> (8 * (addr & 4))) & 0xffffffff;
    }
    return val;
}

static void aclint_write(void *opaque, uint64_t addr, uint64_t val,
                         unsigned size)
{
    RISCVAclintState *s = opaque;

    if (addr < RISCV_ACLINT_MTIMECMP_BASE) {
        RISCVCPU *cpu = addr / 4 < s->num_harts ? aclint_cpu(s, addr / 4)
                                                : NULL;

        if (cpu && size == 4 && !(addr & 3)) {
            riscv_cpu_update_mip(cpu, MIP_MSIP, val & 1);
        }
    } else if (addr < RISCV_ACLINT_MTIME) {
        uint64_t h = (addr - RISCV_ACLINT_MTIMECMP_BASE) / 8;

        if (h < s->num_harts) {
            s->harts[h].mtimecmp = merge(s->harts[h].mtimecmp, addr, val,
                                         size);
            aclint_update_timer(s, h);
        }
    } else if (addr < RISCV_ACLINT_SIZE) {
        uint64_t now = aclint_mtime(s);
        uint64_t newv = merge(now, addr, val, size);

        __atomic_store_n(&s->time_delta,
                         s->time_delta + (int64_t)(newv - now),
                         __ATOMIC_RELAXED);
        for (unsigned h = 0; h < s->num_harts; h++) {
            aclint_update_timer(s, h);
            riscv_cpu_time_changed(aclint_cpu(s, h));
        }
    }
}

static const MemoryRegionOps aclint_ops = {
    .read = aclint_read,
    .write = aclint_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

static bool aclint_realize(DeviceState *dev, Error **errp)
{
    RISCVAclintState *s = container_of(dev, RISCVAclintState, parent);
    Machine *m = dev->machine;

    if (!s->num_harts || !s->timebase_freq) {
        error_setg(errp, "riscv.aclint: num-harts and timebase-freq must "
                   "be non-zero");
        return false;
    }
    if (s->hartid_base + s->num_harts > m->nr_cpus) {
        error_setg(errp, "riscv.aclint: harts %u..%u do not exist",
                   s->hartid_base, s->hartid_base + s->num_harts - 1);
        return false;
    }
    s->harts = XNEW_ARRAY(RISCVAclintHart, s->num_harts);
    for (unsigned h = 0; h < s->num_harts; h++) {
        s->harts[h].s = s;
        s->harts[h].index = h;
        s->harts[h].timer = timer_new_ns(m->loop, CLOCK_TYPE_VIRTUAL,
                                         aclint_timer_cb, &s->harts[h]);
        riscv_cpu_set_rdtime(aclint_cpu(s, h), aclint_rdtime, s,
                             s->timebase_freq);
    }
    memory_region_init_io(&s->mmio, "riscv.aclint", &aclint_ops, s,
                          RISCV_ACLINT_SIZE);
    memory_region_add_subregion(&m->system_memory, s->addr, &s->mmio);
    return true;
}

static void aclint_unrealize(DeviceState *dev)
{
    RISCVAclintState *s = container_of(dev, RISCVAclintState, parent);

    if (s->mmio.container) {
        memory_region_del_subregion(s->mmio.container, &s->mmio);
    }
    memory_region_finalize(&s->mmio);
    for (unsigned h = 0; h < s->num_harts; h++) {
        timer_free(s->harts[h].timer);
    }
    free(s->harts);
    s->harts = NULL;
}

/* As QEMU: mtimecmp resets to 0 but MTIP is only evaluated on writes. */
static void aclint_reset(DeviceState *dev)
{
    RISCVAclintState *s = container_of(dev, RISCVAclintState, parent);

    s->time_delta = 0;
    for (unsigned h = 0; h < s->num_harts; h++) {
        s->harts[h].mtimecmp = 0;
        timer_del(s->harts[h].timer);
    }
}

static const Property aclint_props[] = {
    DEFINE_PROP_UINT64("addr", RISCVAclintState, addr, 0x2000000,
                       "base address"),
    DEFINE_PROP_UINT32("hartid-base", RISCVAclintState, hartid_base, 0,
                       "first hart served"),
    DEFINE_PROP_UINT32("num-harts", RISCVAclintState, num_harts, 1,
                       "number of harts served"),
    DEFINE_PROP_UINT64("timebase-freq", RISCVAclintState, timebase_freq,
                       RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ,
                       "mtime frequency in Hz"),
    DEFINE_PROP_END,
};

const DeviceType riscv_aclint_type = {
    .name = "riscv.aclint",
    .desc = "RISC-V CLINT (ACLINT MSWI + MTIMER)",
    .category = "Misc devices",
    .bus = DEVICE_BUS_NONE,
    .instance_size = sizeof(RISCVAclintState),
    .props = aclint_props,
    .user_creatable = false,
    .realize = aclint_realize,
    .unrealize = aclint_unrealize,
    .reset = aclint_reset,
};

DeviceState *riscv_aclint_create(Machine *m, uint64_t addr,
                                 unsigned hartid_base, unsigned num_harts,
                                 uint64_t timebase_freq, Error **errp)
{
    DeviceState *dev = device_new(m, &riscv_aclint_type);
    RISCVAclintState *s = container_of(dev, RISCVAclintState, parent);

    s->addr = addr;
    s->hartid_base = hartid_base;
    s->num_harts = num_harts;
    s->timebase_freq = timebase_freq;
    if (!machine_realize_device(m, dev, errp)) {
        device_free(dev);
        return NULL;
    }
    return dev;
}
