/*
 * target/riscv/time-helper.c — the time base seen by a hart: the time
 * CSR (Privileged spec v1.12 §3.1.10, read through the platform's mtime),
 * the free-running cycle/instret source, and the Sstc comparator
 * (Sstc v1.0: mip.STIP = time >= stimecmp while menvcfg.STCE is set).
 *
 * cycle and instret count host nanoseconds rather than guest events, as
 * QEMU does without icount: they only need to be monotonic and advance.
 *
 * The Sstc timer lives on the main loop's virtual clock. CSR writes run
 * on the vCPU thread without the big lock, so they take it to arm or
 * cancel the timer; the timer callback runs on the main loop with it.
 */
#include "target/riscv/cpu-internal.h"
#include "core/main-loop.h"
#include "hw/core/machine.h"

#include <time.h>

uint64_t riscv_cpu_host_ticks(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void riscv_cpu_set_rdtime(RISCVCPU *cpu, RISCVRdtimeFn *fn, void *opaque,
                          uint64_t timebase_freq)
{
    cpu->rdtime = fn;
    cpu->rdtime_opaque = opaque;
    cpu->timebase_freq = timebase_freq;
}

uint64_t riscv_cpu_read_time(RISCVCPU *cpu)
{
    return cpu->rdtime ? cpu->rdtime(cpu->rdtime_opaque,
                                     cpu_clock_ns(&cpu->parent)) : 0;
}

void riscv_cpu_time_changed(RISCVCPU *cpu)
{
    riscv_timer_update_stimecmp(cpu);
}

/* Main loop, BQL held: the virtual clock reached the deadline. */
static void riscv_stimer_cb(void *opaque)
{
    RISCVCPU *cpu = opaque;

    /* Re-check against time: the deadline is rounded to nanoseconds. */
    riscv_timer_update_stimecmp(cpu);
}

void riscv_timer_init(RISCVCPU *cpu)
{
    Machine *m = cpu->parent.machine;

    if (cpu->cfg.ext_sstc && m && m->loop && !cpu->stimer) {
        cpu->stimer = timer_new_ns(m->loop, CLOCK_TYPE_VIRTUAL,
                                   riscv_stimer_cb, cpu);
    }
}

void riscv_timer_update_stimecmp(RISCVCPU *cpu)
{
    MainLoop *ml = cpu->parent.machine ? cpu->parent.machine->loop : NULL;
    uint64_t now, delta_ticks;
    int64_t now_ns, delta_ns;
    bool locked = false;

    if (!cpu->stimer || !ml) {
        return;
    }
    if (!bql_held_by_me(ml)) {
        bql_lock(ml);
        locked = true;
    }
    if (!riscv_sstc_enabled(cpu) || !cpu->rdtime || !cpu->timebase_freq) {
        timer_del(cpu->stimer);
        goto out;
    }
    now = riscv_cpu_read_time(cpu);
    if (now >= cpu->stimecmp) {
        timer_del(cpu->stimer);
        riscv_cpu_update_mip(cpu, MIP_STIP, 1);
        goto out;
    }
    riscv_cpu_update_mip(cpu, MIP_STIP, 0);
    delta_ticks = cpu->stimecmp - now;
    /* Saturate far deadlines instead of overflowing. */
    if (delta_ticks > (uint64_t)INT64_MAX / NS_PER_SEC) {
        delta_ns = INT64_MAX / 2;
    } else {
        delta_ns = (int64_t)((delta_ticks * NS_PER_SEC + cpu->timebase_freq
                              - 1) / cpu->timebase_freq);
    }
    now_ns = clock_get_ns(ml, CLOCK_TYPE_VIRTUAL);
    timer_mod_ns(cpu->stimer, now_ns + delta_ns);
out:
    if (locked) {
        bql_unlock(ml);
    }
}
