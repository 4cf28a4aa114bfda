/*
 * hw/device-table.c — the device types every machine can take, in
 * "-device help" order. Target-specific devices are listed in
 * hw/ARCH/target.c. Adding a device: a new file plus one line here.
 */
#include "hw/core/machine.h"
#include "hw/core/generic-loader.h"

const DeviceType *const common_device_types[] = {
    &generic_loader_type,
    NULL,
};
