/*
 * hw/riscv/spike.h — the "spike" machine type (see spike.c).
 */
#ifndef HW_RISCV_SPIKE_H
#define HW_RISCV_SPIKE_H

#include "hw/core/machine.h"

extern const MachineType spike_machine_type;

#endif /* HW_RISCV_SPIKE_H */
