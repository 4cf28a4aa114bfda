/*
 * hw/core/cpu.c — the accelerator-independent CPU helpers.
 */
#include "hw/core/cpu.h"
#include "hw/core/machine.h"
#include "exec/memory.h"

void cpu_common_init(CPUState *cpu, const CPUOps *ops, Machine *m,
                     unsigned index)
{
    cpu->ops = ops;
    cpu->machine = m;
    cpu->log = &m->log;
    cpu->index = index;
    cpu->as = &m->address_space;
    cpu->exception_index = -1;
    atomic_init(&cpu->exit_request, 0);
    atomic_init(&cpu->interrupt_request, 0);
    if (m->accel && m->accel->init_vcpu) {
        m->accel->init_vcpu(cpu);
    }
}

void cpu_common_finalize(CPUState *cpu)
{
    free(cpu->breakpoints);
    free(cpu->watchpoints);
    cpu->breakpoints = NULL;
    cpu->watchpoints = NULL;
    cpu->nr_breakpoints = cpu->nr_watchpoints = 0;
}

void cpu_interrupt(CPUState *cpu)
{
    Machine *m = cpu->machine;

    atomic_store(&cpu->interrupt_request, 1);
    if (m && m->accel && m->accel->kick_vcpu) {
        m->accel->kick_vcpu(cpu);
    } else {
        atomic_store(&cpu->exit_request, 1);
    }
}

int cpu_memory_rw_debug(CPUState *cpu, uint64_t vaddr, void *buf,
                        uint64_t len, bool is_write)
{
    uint8_t *p = buf;

    while (len) {
        uint64_t page = vaddr & ~(uint64_t)(4096 - 1);
        uint64_t n = MIN(len, page + 4096 - vaddr);
        uint64_t paddr;
        MemTxResult r;

        if (cpu->ops->get_phys_page_debug) {
            if (!cpu->ops->get_phys_page_debug(cpu, page, &paddr)) {
                return -1;
            }
            paddr |= vaddr & 4095;
        } else {
            paddr = vaddr;
        }
        /* Debugger writes may patch ROM (breakpoints in firmware). */
        r = is_write ? address_space_write_rom(cpu->as, paddr, p, n)
                     : address_space_read(cpu->as, paddr, p, n);
        if (r != MEMTX_OK) {
            return -1;
        }
        vaddr += n;
        p += n;
        len -= n;
    }
    return 0;
}

/* --- debugging --- */

/* The lists changed: the accelerator re-translates and refills its TLB
 * before running guest code again (see debug_gen in cpu.h). */
static void cpu_debug_changed(CPUState *cpu)
{
    atomic_fetch_add(&cpu->debug_gen, 1);
    atomic_store(&cpu->exit_request, 1);
}

int cpu_breakpoint_insert(CPUState *cpu, uint64_t pc, int flags)
{
    if (cpu_breakpoint_test(cpu, pc, flags)) {
        return 0;
    }
    cpu->breakpoints = xrealloc(cpu->breakpoints, (cpu->nr_breakpoints + 1) *
                                sizeof(*cpu->breakpoints));
    cpu->breakpoints[cpu->nr_breakpoints++] = (CPUBreakpoint) {
        .pc = pc, .flags = flags,
    };
    cpu_debug_changed(cpu);
    return 0;
}

int cpu_breakpoint_remove(CPUState *cpu, uint64_t pc, int flags)
{
    for (unsigned i = 0; i < cpu->nr_breakpoints; i++) {
        if (cpu->breakpoints[i].pc == pc &&
            cpu->breakpoints[i].flags == flags) {
            cpu->breakpoints[i] = cpu->breakpoints[--cpu->nr_breakpoints];
            cpu_debug_changed(cpu);
            return 0;
        }
    }
    return -ENOENT;
}

void cpu_breakpoint_remove_all(CPUState *cpu, int mask)
{
    unsigned kept = 0;

    for (unsigned i = 0; i < cpu->nr_breakpoints; i++) {
        if (!(cpu->breakpoints[i].flags & mask)) {
            cpu->breakpoints[kept++] = cpu->breakpoints[i];
        }
    }
    if (kept != cpu->nr_breakpoints) {
        cpu->nr_breakpoints = kept;
        cpu_debug_changed(cpu);
    }
}

bool cpu_breakpoint_test(CPUState *cpu, uint64_t pc, int mask)
{
    for (unsigned i = 0; i < cpu->nr_breakpoints; i++) {
        if (cpu->breakpoints[i].pc == pc &&
            (cpu->breakpoints[i].flags & mask)) {
            return true;
        }
    }
    return false;
}

int cpu_watchpoint_insert(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags)
{
    if (len == 0 || addr + len - 1 < addr || !(flags & BP_MEM_ACCESS)) {
        return -EINVAL;
    }
    for (unsigned i = 0; i < cpu->nr_watchpoints; i++) {
        const CPUWatchpoint *wp = &cpu->watchpoints[i];
        if (wp->vaddr == addr && wp->len == len && wp->flags == flags) {
            return 0;
        }
    }
    cpu->watchpoints = xrealloc(cpu->watchpoints, (cpu->nr_watchpoints + 1) *
                                sizeof(*cpu->watchpoints));
    cpu->watchpoints[cpu->nr_watchpoints++] = (CPUWatchpoint) {
        .vaddr = addr, .len = len, .flags = flags,
    };
    cpu_debug_changed(cpu);
    return 0;
}

int cpu_watchpoint_remove(CPUState *cpu, uint64_t addr, uint64_t len,
                          int flags)
{
    for (unsigned i = 0; i < cpu->nr_watchpoints; i++) {
        const CPUWatchpoint *wp = &cpu->watchpoints[i];
        if (wp->vaddr == addr && wp->len == len && wp->flags == flags) {
            cpu->watchpoints[i] = cpu->watchpoints[--cpu->nr_watchpoints];
            cpu_debug_changed(cpu);
            return 0;
        }
    }
    return -ENOENT;
}

void cpu_watchpoint_remove_all(CPUState *cpu, int mask)
{
    unsigned kept = 0;

    for (unsigned i = 0; i < cpu->nr_watchpoints; i++) {
        if (!(cpu->watchpoints[i].flags & mask)) {
            cpu->watchpoints[kept++] = cpu->watchpoints[i];
        }
    }
    if (kept != cpu->nr_watchpoints) {
        cpu->nr_watchpoints = kept;
        cpu_debug_changed(cpu);
    }
}

/* Do [a, a+alen) and [b, b+blen) overlap? (Neither wraps.) */
static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b,
                           uint64_t blen)
{
    return a <= b + blen - 1 && b <= a + alen - 1;
}

const CPUWatchpoint *cpu_watchpoint_match(CPUState *cpu, uint64_t addr,
                                          uint64_t len, int access)
{
    for (unsigned i = 0; i < cpu->nr_watchpoints; i++) {
        const CPUWatchpoint *wp = &cpu->watchpoints[i];
        if ((wp->flags & access) &&
            ranges_overlap(wp->vaddr, wp->len, addr, len)) {
            return wp;
        }
    }
    return NULL;
}

int cpu_watchpoint_page_flags(CPUState *cpu, uint64_t page, uint64_t size)
{
    int flags = 0;

    for (unsigned i = 0; i < cpu->nr_watchpoints; i++) {
        const CPUWatchpoint *wp = &cpu->watchpoints[i];
        if (ranges_overlap(wp->vaddr, wp->len, page, size)) {
            flags |= wp->flags & BP_MEM_ACCESS;
        }
    }
    return flags;
}

void cpu_single_step(CPUState *cpu, int flags)
{
    if (cpu->singlestep_enabled != flags) {
        cpu->singlestep_enabled = flags;
        cpu_debug_changed(cpu);
    }
}

void cpu_set_debug_notify(CPUState *cpu, CPUDebugNotify *fn, void *opaque)
{
    cpu->debug_notify = fn;
    cpu->debug_opaque = opaque;
}

bool cpu_debug_notify(CPUState *cpu)
{
    if (!cpu->debug_notify) {
        return false;
    }
    cpu->debug_notify(cpu, cpu->debug_opaque);
    return true;
}
