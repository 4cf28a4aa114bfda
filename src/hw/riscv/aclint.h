/*
 * hw/riscv/aclint.h — the CLINT (SiFive core-local interruptor, the
 * layout the RISC-V ACLINT spec v1.0 keeps as MSWI + MTIMER): per-hart
 * machine software interrupts (msip) and machine timers (mtimecmp) over
 * one shared mtime, as QEMU's spike and virt machines map it.
 *
 *   base + 0x0000 + 4*h   msip[h]      bit 0 drives mip.MSIP of hart h
 *   base + 0x4000 + 8*h   mtimecmp[h]  mip.MTIP = (mtime >= mtimecmp[h])
 *   base + 0xbff8         mtime        ticks at timebase-freq Hz
 *
 * mtime is derived from the machine's virtual clock (it stops while the
 * VM is stopped), and the harts' time CSR reads the same counter.
 */
#ifndef HW_RISCV_ACLINT_H
#define HW_RISCV_ACLINT_H

#include "core/device.h"

#define RISCV_ACLINT_SIZE          0x10000
#define RISCV_ACLINT_MTIMECMP_BASE 0x4000
#define RISCV_ACLINT_MTIME         0xbff8
#define RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ 10000000

extern const DeviceType riscv_aclint_type;

/*
 * Create, configure and realize a CLINT at @addr serving harts
 * [hartid_base, hartid_base + num_harts) of @m, counting at @timebase_freq.
 */
DeviceState *riscv_aclint_create(Machine *m, uint64_t addr,
                                 unsigned hartid_base, unsigned num_harts,
                                 uint64_t timebase_freq, Error **errp);

#endif /* HW_RISCV_ACLINT_H */
