/*
 * tests/unit/machine-fixture.h — a machine built in-process for device
 * tests, QEMU's qtest idea without the socket protocol: the test creates
 * a real Machine (main loop, memory map, log) on an empty board, creates
 * the device under test with its board-facing function (plic_create,
 * serial_create, ...), and then pokes its registers through the
 * machine's address space exactly as a CPU's loads and stores would,
 * with the access-size rules applied. No guest code runs.
 *
 * The fixture holds the big lock from creation to destruction, as the
 * main loop does while it runs device callbacks; fixture_run_until()
 * lets timers and bottom halves run.
 */
#ifndef TESTS_UNIT_MACHINE_FIXTURE_H
#define TESTS_UNIT_MACHINE_FIXTURE_H

#include "hw/core/machine.h"
#include "core/irq.h"

/* An empty board with @nr_cpus (no CPU objects) and @ram_size bytes of
 * RAM at 0x80000000 (0: none). Guest errors are logged to a buffer the
 * test can read with fixture_log(). */
Machine *fixture_machine_new(unsigned nr_cpus, uint64_t ram_size);
void fixture_machine_free(Machine *m);

/* Reset every device, as a machine reset does. */
void fixture_machine_reset(Machine *m);

/* One CPU-style access; the *_try forms return the bus result. */
MemTxResult fixture_read_try(Machine *m, uint64_t addr, unsigned size,
                             uint64_t *val);
MemTxResult fixture_write_try(Machine *m, uint64_t addr, unsigned size,
                              uint64_t val);
/* Same, failing the test unless the access succeeds. */
uint64_t fixture_read(Machine *m, uint64_t addr, unsigned size);
void fixture_write(Machine *m, uint64_t addr, unsigned size, uint64_t val);

#define fixture_readb(m, a)     ((uint8_t)fixture_read((m), (a), 1))
#define fixture_readl(m, a)     ((uint32_t)fixture_read((m), (a), 4))
#define fixture_writeb(m, a, v) fixture_write((m), (a), 1, (v))
#define fixture_writel(m, a, v) fixture_write((m), (a), 4, (v))

/*
 * Run the main loop until @cond(@opaque) holds or @limit_ms of real time
 * passed; returns whether @cond held.
 */
bool fixture_run_until(Machine *m, bool (*cond)(void *opaque), void *opaque,
                       int limit_ms);

/* Everything logged so far (guest errors are enabled); the caller frees. */
char *fixture_log(Machine *m);
/* Forget what was logged so far. */
void fixture_log_clear(Machine *m);

/* A recording interrupt line: level and number of rising edges. */
typedef struct FixtureIRQ {
    int level;
    unsigned raised;
} FixtureIRQ;

IRQLine fixture_irq_line(FixtureIRQ *irq);

#endif /* TESTS_UNIT_MACHINE_FIXTURE_H */
