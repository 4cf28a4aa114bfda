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
    (void)cpu;
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
