/*
 * target/riscv/gdbstub.h — the RISC-V hart's gdb registers and target
 * description (CPUOps.gdb; see target/riscv/gdbstub.c for the numbering).
 */
#ifndef TARGET_RISCV_GDBSTUB_H
#define TARGET_RISCV_GDBSTUB_H

#include "hw/core/cpu.h"

extern const CPUGDBOps riscv_gdb_ops;

#endif /* TARGET_RISCV_GDBSTUB_H */
