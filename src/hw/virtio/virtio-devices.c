/*
 * hw/virtio/virtio-devices.c — the table of virtio device types. Adding a
 * virtio device: a new file plus one line here.
 */
#include "hw/virtio/virtio-devices.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio-serial.h"

const DeviceType *const virtio_device_types[] = {
    &virtio_blk_device_type,
    &virtio_net_device_type,
    &virtio_rng_device_type,
    &virtio_serial_device_type,
    &virtconsole_type,
    &virtserialport_type,
    &virtio_mmio_type,          /* created by boards, not by -device */
    NULL,
};
