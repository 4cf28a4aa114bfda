/*
 * accel/tcg/tcg-accel.h — the "tcg" accelerator, for a target's table.
 */
#ifndef ACCEL_TCG_TCG_ACCEL_H
#define ACCEL_TCG_TCG_ACCEL_H

#include "hw/core/machine.h"

extern const AccelType tcg_accel_type;

#endif /* ACCEL_TCG_TCG_ACCEL_H */
