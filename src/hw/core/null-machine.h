/*
 * hw/core/null-machine.h — the "none" machine every binary offers.
 */
#ifndef HW_CORE_NULL_MACHINE_H
#define HW_CORE_NULL_MACHINE_H

#include "hw/core/machine.h"

extern const MachineType null_machine_type;

#endif /* HW_CORE_NULL_MACHINE_H */
