/*
 * hw/core/generic-loader.h — the "loader" device (-device loader,...).
 */
#ifndef HW_CORE_GENERIC_LOADER_H
#define HW_CORE_GENERIC_LOADER_H

#include "core/device.h"

extern const DeviceType generic_loader_type;

#endif /* HW_CORE_GENERIC_LOADER_H */
