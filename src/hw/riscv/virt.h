/*
 * hw/riscv/virt.h — the "virt" machine: QEMU's RISC-V virt board memory
 * map, so kernels, device trees and firmware built for QEMU run
 * unchanged. The map itself is the table virt_memmap[] in virt.c; this
 * header names its rows and the interrupt sources, which tests and other
 * code may want to refer to.
 */
#ifndef HW_RISCV_VIRT_H
#define HW_RISCV_VIRT_H

#include "hw/core/machine.h"

/* Rows of the memory map (virt_memmap[] in virt.c). */
typedef enum VirtMemmapIndex {
    VIRT_MROM,          /* boot ROM: reset vector + fw_dynamic info */
    VIRT_TEST,          /* sifive_test finisher (power-off/reset) */
    VIRT_RTC,           /* goldfish RTC */
    VIRT_CLINT,         /* CLINT: msip, mtimecmp, mtime */
    VIRT_PLIC,          /* PLIC */
    VIRT_UART0,         /* ns16550a */
    VIRT_VIRTIO,        /* virtio-mmio transports (several, see count) */
    VIRT_DRAM,          /* RAM, -m bytes */
    VIRT_MEMMAP_COUNT,
} VirtMemmapIndex;

/* PLIC interrupt sources (QEMU's virt numbering). */
enum {
    VIRT_VIRTIO_IRQ = 1,    /* 1..8, one per virtio-mmio transport */
    VIRT_VIRTIO_COUNT = 8,
    VIRT_UART0_IRQ = 10,
    VIRT_RTC_IRQ = 11,
    VIRT_PLIC_NUM_SOURCES = 96,     /* IDs 1..95, plus reserved 0 */
    VIRT_PLIC_PRIORITY_BITS = 3,
};

#define VIRT_MAX_CPUS       8
#define VIRT_MAX_RAM_SIZE   (16 * GiB)
#define VIRT_DEFAULT_RAM_SIZE (128 * MiB)
#define VIRT_TIMEBASE_FREQ  10000000
#define VIRT_UART_CLOCK     3686400

/* Base and size of memory map row @idx (size 0 for DRAM: -m decides). */
uint64_t virt_memmap_base(VirtMemmapIndex idx);
uint64_t virt_memmap_size(VirtMemmapIndex idx);

extern const MachineType virt_machine_type;

#endif /* HW_RISCV_VIRT_H */
