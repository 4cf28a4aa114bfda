/*
 * hw/core/null-machine.c — the "none" machine: an empty board.
 *
 * Nothing is created except RAM when -m asks for it, mapped at address 0
 * as in QEMU, where "-device loader" or the monitor can put things. It
 * exists so the device, monitor and backend plumbing can be exercised
 * without any guest, and every binary offers it.
 */
#include "hw/core/null-machine.h"
#include "hw/core/machine.h"

static bool null_machine_init(Machine *m, Error **errp)
{
    m->nr_cpus = 0;     /* an empty board: no CPU runs */
    if (m->ram_size) {
        memory_region_add_subregion(&m->system_memory, 0, &m->ram);
    }
    return true;
}

const MachineType null_machine_type = {
    .name = "none",
    .desc = "empty machine",
    .instance_size = sizeof(Machine),
    .max_cpus = 1,
    .default_ram_size = 0,
    .init = null_machine_init,
};
