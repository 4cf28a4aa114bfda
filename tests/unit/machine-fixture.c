/*
 * tests/unit/machine-fixture.c — the in-process machine for device tests
 * (see machine-fixture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine-fixture.h"
#include "core/main-loop.h"
#include "util/error.h"

#include <unistd.h>

#define FIXTURE_RAM_BASE 0x80000000ULL

static bool fixture_board_init(Machine *m, Error **errp)
{
    if (m->ram_size) {
        memory_region_add_subregion(&m->system_memory, FIXTURE_RAM_BASE,
                                    &m->ram);
    }
    return true;
}

static const MachineType fixture_machine_type = {
    .name = "fixture",
    .desc = "empty board for device unit tests",
    .instance_size = sizeof(Machine),
    .max_cpus = 64,
    .init = fixture_board_init,
};

static const MachineType *const fixture_machines[] = {
    &fixture_machine_type,
    NULL,
};

static const DeviceType *const *const fixture_device_tables[] = {
    common_device_types,
    NULL,
};

static const AccelType *const fixture_accels[] = {
    NULL,
};

static const CPUModel fixture_cpu_models[] = {
    { NULL },
};

static const SystemTarget fixture_target = {
    .arch = "fixture",
    .machines = fixture_machines,
    .cpu_models = fixture_cpu_models,
    .device_tables = fixture_device_tables,
    .accels = fixture_accels,
};

Machine *fixture_machine_new(unsigned nr_cpus, uint64_t ram_size)
{
    VmConfig *config = XNEW(VmConfig);
    Error *err = NULL;
    Machine *m;

    config->machine_type = &fixture_machine_type;
    config->ram_size = ram_size;
    config->smp.cpus = nr_cpus;
    m = machine_create(&fixture_target, config, &err);
    if (!m) {
        fail_msg("machine_create: %s", error_get_pretty(err));
    }
    m->ram_size = ram_size;
    m->log.mask |= LOG_GUEST_ERROR | LOG_UNIMP;
    m->log.file = tmpfile();
    m->log.owns_file = true;
    assert_non_null(m->log.file);
    bql_lock(m->loop);
    assert_true(fixture_board_init(m, &err));
    return m;
}

void fixture_machine_free(Machine *m)
{
    const VmConfig *config = m->config;

    /*
     * machine_destroy() frees the devices but not the memory map's root
     * container or the RAM region; release those here (after the
     * devices, which unmap themselves) so the sanitizer build's leak
     * check sees a clean teardown.
     */
    while (m->devices) {
        DeviceState *dev = m->devices;

        m->devices = dev->next;
        device_free(dev);
    }
    m->devices_tail = &m->devices;
    address_space_destroy(&m->address_space);
    if (m->ram.name) {
        memory_region_finalize(&m->ram);
    }
    memory_region_finalize(&m->system_memory);

    bql_unlock(m->loop);
    machine_destroy(m);
    free((void *)config);
}

void fixture_machine_reset(Machine *m)
{
    machine_reset(m);
}

MemTxResult fixture_read_try(Machine *m, uint64_t addr, unsigned size,
                             uint64_t *val)
{
    *val = 0;
    return address_space_load(&m->address_space, addr, size, val);
}

MemTxResult fixture_write_try(Machine *m, uint64_t addr, unsigned size,
                              uint64_t val)
{
    return address_space_store(&m->address_space, addr, size, val);
}

uint64_t fixture_read(Machine *m, uint64_t addr, unsigned size)
{
    uint64_t val;
    MemTxResult r = fixture_read_try(m, addr, size, &val);

    if (r != MEMTX_OK) {
        fail_msg("read of %u bytes at 0x%" PRIx64 " failed (%d)", size,
                 addr, (int)r);
    }
    return val;
}

void fixture_write(Machine *m, uint64_t addr, unsigned size, uint64_t val)
{
    MemTxResult r = fixture_write_try(m, addr, size, val);

    if (r != MEMTX_OK) {
        fail_msg("write of %u bytes at 0x%" PRIx64 " failed (%d)", size,
                 addr, (int)r);
    }
}

bool fixture_run_until(Machine *m, bool (*cond)(void *opaque), void *opaque,
                       int limit_ms)
{
    int64_t end = clock_get_ns(m->loop, CLOCK_TYPE_REALTIME) +
                  (int64_t)limit_ms * 1000000;

    while (!cond(opaque)) {
        int64_t left = end - clock_get_ns(m->loop, CLOCK_TYPE_REALTIME);

        if (left <= 0) {
            return false;
        }
        main_loop_wait(m->loop, (int)(left / 1000000) + 1);
    }
    return true;
}

char *fixture_log(Machine *m)
{
    FILE *f = m->log.file;
    long len;
    char *buf;

    fflush(f);
    len = ftell(f);
    assert_true(len >= 0);
    buf = xzalloc((size_t)len + 1);
    rewind(f);
    if (len && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        fail_msg("cannot read back the log");
    }
    fseek(f, 0, SEEK_END);
    return buf;
}

void fixture_log_clear(Machine *m)
{
    FILE *f = m->log.file;

    fflush(f);
    if (ftruncate(fileno(f), 0) != 0) {
        fail_msg("cannot truncate the log");
    }
    rewind(f);
}

static void fixture_irq_handler(void *opaque, int n, int level)
{
    FixtureIRQ *irq = opaque;

    if (level && !irq->level) {
        irq->raised++;
    }
    irq->level = level;
}

IRQLine fixture_irq_line(FixtureIRQ *irq)
{
    return irq_line(fixture_irq_handler, irq, 0);
}
