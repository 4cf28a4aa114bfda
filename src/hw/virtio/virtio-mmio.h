/*
 * hw/virtio/virtio-mmio.h — the virtio-mmio transport (virtio 1.2 §4.2):
 * one memory-mapped register window and one interrupt line per slot.
 *
 * Boards create the transports (QEMU's riscv virt: 8 of them at
 * 0x10001000 + n * 0x1000, PLIC sources 1..8) and describe each in the
 * device tree; "-device virtio-*-device" then lands in a free slot. As in
 * QEMU, the slot created LAST is filled FIRST, so the first -device goes
 * to the highest address. QEMU's device tree lists the transports
 * highest address first (libfdt's fdt_add_subnode() puts each new node
 * before its earlier siblings), Linux probes them in that order, and so
 * the first -device becomes /dev/vda.
 *
 * Device-tree node per transport, as QEMU's virt writes it:
 *   virtio_mmio@<base> {
 *       compatible = "virtio,mmio";
 *       reg = <0x0 base 0x0 0x1000>;       (the slot's memory-map size)
 *       interrupt-parent = <&plic>;
 *       interrupts = <irq>;
 *   };
 */
#ifndef HW_VIRTIO_VIRTIO_MMIO_H
#define HW_VIRTIO_VIRTIO_MMIO_H

#include "util/osdep.h"
#include "util/typedefs.h"
#include "core/device.h"
#include "core/irq.h"

/* Bytes of the register window (QEMU's 0x200: registers + config). */
#define VIRTIO_MMIO_REGION_SIZE 0x200

/* "virtio,mmio" in the device tree. */
#define VIRTIO_MMIO_FDT_COMPATIBLE "virtio,mmio"

extern const DeviceType virtio_mmio_type;

/*
 * virtio_mmio_create - create and map one transport slot.
 * @base: guest-physical address of the register window.
 * @irq: the line it raises (the board wires it to an interrupt
 *       controller input).
 * @layout: VIRTIO_MMIO_LEGACY for the virtio 0.9.5 register layout
 *          (version 1), VIRTIO_MMIO_MODERN for version 2, or
 *          VIRTIO_MMIO_LAYOUT_DEFAULT for the "force-legacy" property's
 *          value (on, as in QEMU, unless -global virtio-mmio.force-legacy=off).
 * The transport is added to @m's device list (reset and freed with the
 * machine) and registered as a virtio bus. Returns NULL with *errp set
 * on failure. Call from the board's init, in slot order.
 */
typedef enum VirtioMmioLayout {
    VIRTIO_MMIO_LAYOUT_DEFAULT,
    VIRTIO_MMIO_LEGACY,
    VIRTIO_MMIO_MODERN,
} VirtioMmioLayout;

DeviceState *virtio_mmio_create(Machine *m, uint64_t base, IRQLine irq,
                                VirtioMmioLayout layout, Error **errp);

/* The plugged device's virtio device ID, 0 for an empty slot. */
uint32_t virtio_mmio_device_id(DeviceState *transport);

#endif /* HW_VIRTIO_VIRTIO_MMIO_H */
