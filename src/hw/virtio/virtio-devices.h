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
extern const DeviceType virtio_net_device_type;
extern const DeviceType virtio_rng_device_type;
extern const DeviceType virtconsole_type;
extern const DeviceType virtserialport_type;

/*
 * virtio_blk_add_for_drive - "-drive if=virtio": plug a virtio-blk-device
 * on @blk, which must already be registered with machine_add_backend()
 * under blk_name(@blk). Like QEMU, call it for each such drive, in
 * command-line order, after the -device options were processed (QEMU
 * appends these devices to the -device list), so the explicit devices
 * take the first (highest) virtio-mmio slots.
 */
DeviceState *virtio_blk_add_for_drive(Machine *m, BlockBackend *blk,
                                      Error **errp);

#endif /* HW_VIRTIO_VIRTIO_DEVICES_H */
