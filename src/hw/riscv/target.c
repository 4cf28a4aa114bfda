/*
 * hw/riscv/target.c — what vireo-system-riscv64 is made of: its machine
 * types, CPU models, devices and accelerators.
 */
#include "hw/core/machine.h"
#include "hw/core/null-machine.h"
#include "hw/riscv/aclint.h"
#include "hw/riscv/htif.h"
#include "hw/riscv/plic.h"
#include "hw/riscv/spike.h"
#include "hw/riscv/virt.h"
#include "hw/char/serial.h"
#include "hw/misc/sifive-test.h"
#include "hw/rtc/goldfish-rtc.h"
#include "hw/virtio/virtio-devices.h"
#include "accel/tcg/tcg-accel.h"
#include "target/riscv/cpu.h"

static const MachineType *const riscv_machines[] = {
    &null_machine_type,
    &spike_machine_type,
    &virt_machine_type,         /* the default */
    NULL,
};

static const DeviceType *const riscv_device_types[] = {
    &riscv_aclint_type,
    &riscv_htif_type,
    &plic_type,
    &serial_type,
    &goldfish_rtc_type,
    &sifive_test_type,
    NULL,
};

static const DeviceType *const *const riscv_device_tables[] = {
    common_device_types,
    riscv_device_types,
    virtio_device_types,
    NULL,
};

static const AccelType *const riscv_accels[] = {
    &tcg_accel_type,
    NULL,
};

const SystemTarget system_target = {
    .arch = "riscv64",
    .machines = riscv_machines,
    .cpu_models = riscv_cpu_models,
    .device_tables = riscv_device_tables,
    .accels = riscv_accels,
    .cpu_create = riscv_cpu_create,
};
