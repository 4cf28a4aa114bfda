/*
 * hw/core/cpu.c — the accelerator-independent CPU helpers.
 */
#include "hw/core/cpu.h"
#include "hw/core/machine.h"

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
