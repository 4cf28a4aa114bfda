/*
 * hw/misc/sifive-test.h — SiFive's "test finisher", the power and reset
 * control of QEMU's virt machine (compatible "sifive,test1",
 * "sifive,test0", "syscon"; Linux drives it through syscon-poweroff and
 * syscon-reboot, OpenSBI through its "sifive,test" reset driver).
 *
 * One 32-bit register at offset 0. The low 16 bits of a write say what
 * to do; for FAIL, the high 16 bits are the exit code:
 *
 *   0x5555              PASS   power off, process exit status 0
 *   0x3333 | code << 16 FAIL   power off, exit status @code
 *   0x7777              RESET  reset the machine
 */
#ifndef HW_MISC_SIFIVE_TEST_H
#define HW_MISC_SIFIVE_TEST_H

#include "core/device.h"

#define SIFIVE_TEST_FAIL   0x3333
#define SIFIVE_TEST_PASS   0x5555
#define SIFIVE_TEST_RESET  0x7777

extern const DeviceType sifive_test_type;

/* Create, realize and map at @addr a finisher with a @size-byte window. */
DeviceState *sifive_test_create(Machine *m, uint64_t addr, uint64_t size,
                                Error **errp);

#endif /* HW_MISC_SIFIVE_TEST_H */
