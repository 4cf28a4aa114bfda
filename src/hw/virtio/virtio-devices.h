/*
 * hw/virtio/virtio-devices.h — the virtio device types, for a target's
 * device tables (hw/ARCH/target.c): add `virtio_device_types` to its
 * NULL-terminated list of tables.
 */
#ifndef HW_VIRTIO_VIRTIO_DEVICES_H
#define HW_VIRTIO_VIRTIO_DEVICES_H

#include "core/device.h"

/* NULL-terminated, in "-device help" order. */
extern const DeviceType *const virtio_device_types[];

extern const DeviceType virtio_blk_device_type;
extern const DeviceType virtio_rng_device_type;
extern const DeviceType virtconsole_type;
extern const DeviceType virtserialport_type;

#endif /* HW_VIRTIO_VIRTIO_DEVICES_H */
