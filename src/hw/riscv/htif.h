/*
 * hw/riscv/htif.h — the Host-Target Interface of spike and QEMU's
 * -M spike: two 64-bit words, tohost and fromhost, at the addresses of the
 * guest ELF's "tohost"/"fromhost" symbols.
 *
 * A write to tohost is a command: device = bits 63:56, cmd = 55:48,
 * payload = 47:0.
 *   device 0 cmd 0, payload bit 0 set:  exit with code payload >> 1
 *   device 1 cmd 1:                     putchar(payload & 0xff)
 * As in QEMU, commands complete at once: tohost reads back 0 and fromhost
 * gets the device/cmd bits (non-zero), which the guest polls and clears.
 */
#ifndef HW_RISCV_HTIF_H
#define HW_RISCV_HTIF_H

#include "core/device.h"

extern const DeviceType riscv_htif_type;

/*
 * Map an HTIF over @tohost (and @fromhost, if non-zero) of @m, with the
 * console going to @chr (may be NULL: output is dropped).
 */
DeviceState *riscv_htif_create(Machine *m, uint64_t tohost,
                               uint64_t fromhost, Chardev *chr,
                               Error **errp);

#endif /* HW_RISCV_HTIF_H */
