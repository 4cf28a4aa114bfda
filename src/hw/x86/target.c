/*
 * hw/x86/target.c — what vireo-system-x86_64 is made of: its machine
 * types, CPU models, devices and accelerators.
 */
#include "hw/core/machine.h"
#include "hw/core/null-machine.h"

static const MachineType *const x86_machines[] = {
    &null_machine_type,
    NULL,
};

static const DeviceType *const x86_device_types[] = {
    NULL,
};

static const DeviceType *const *const x86_device_tables[] = {
    common_device_types,
    x86_device_types,
    NULL,
};

static const CPUModel x86_cpu_models[] = {
    { NULL },
};

static const AccelType *const x86_accels[] = {
    NULL,
};

const SystemTarget system_target = {
    .arch = "x86_64",
    .machines = x86_machines,
    .cpu_models = x86_cpu_models,
    .device_tables = x86_device_tables,
    .accels = x86_accels,
};
