/*
 * hw/riscv/plic.h — the RISC-V Platform-Level Interrupt Controller, as
 * the RISC-V PLIC Specification v1.0.0 lays it out (and QEMU's virt
 * machine maps it):
 *
 *   base + 0x000000 + 4*s        priority of source s (s = 1..N-1)
 *   base + 0x001000 + 4*(s/32)   pending bits, read-only
 *   base + 0x002000 + 0x80*c     enable bits of context c
 *   base + 0x200000 + 0x1000*c   threshold of context c
 *   base + 0x200004 + 0x1000*c   claim (read) / complete (write)
 *
 * Every register is 32 bits wide and must be accessed as such. Each hart
 * h has two contexts: 2h for M-mode (drives its mip.MEIP) and 2h+1 for
 * S-mode (drives mip.SEIP), the "MS" hart configuration of QEMU's virt.
 * Sources have level-triggered gateways.
 */
#ifndef HW_RISCV_PLIC_H
#define HW_RISCV_PLIC_H

#include "core/device.h"
#include "core/irq.h"

#define PLIC_MAX_SOURCES        1024
#define PLIC_MAX_CONTEXTS       15872
#define PLIC_PRIORITY_BASE      0x0
#define PLIC_PENDING_BASE       0x1000
#define PLIC_ENABLE_BASE        0x2000
#define PLIC_ENABLE_STRIDE      0x80
#define PLIC_CONTEXT_BASE       0x200000
#define PLIC_CONTEXT_STRIDE     0x1000
#define PLIC_CONTEXT_THRESHOLD  0x0
#define PLIC_CONTEXT_CLAIM      0x4

/* Bytes of register space that @nr_contexts contexts need. */
#define PLIC_SIZE(nr_contexts) \
    (PLIC_CONTEXT_BASE + (uint64_t)(nr_contexts) * PLIC_CONTEXT_STRIDE)

extern const DeviceType plic_type;

/* The context of hart @hart's M-mode (@smode false) or S-mode. */
static inline unsigned plic_context(unsigned hart, bool smode)
{
    return 2 * hart + (smode ? 1 : 0);
}

/*
 * Create, realize and map at @addr a PLIC with @num_sources sources
 * (counting the reserved source 0, so IDs 1..num_sources-1 exist),
 * priorities of @priority_bits bits, and M+S contexts for @num_harts
 * harts. @size is the window mapped (at least PLIC_SIZE(2 * num_harts);
 * accesses past the implemented contexts read as zero).
 */
DeviceState *plic_create(Machine *m, uint64_t addr, uint64_t size,
                         unsigned num_harts, unsigned num_sources,
                         unsigned priority_bits, Error **errp);

/* The interrupt line a device drives for source @source (1..N-1). */
IRQLine plic_input(DeviceState *dev, unsigned source);

/* Wire context @context's interrupt output (to a hart's MEIP/SEIP). */
void plic_connect_context(DeviceState *dev, unsigned context, IRQLine out);

#endif /* HW_RISCV_PLIC_H */
