/*
 * hw/misc/sifive-test.c — the SiFive test finisher (see sifive-test.h).
 *
 * Power-off and reset are requests to the main loop
 * (machine_request_shutdown/reset), so the vCPU that wrote the register
 * returns normally and the VM stops in an orderly way. The exit status
 * of FAIL is the guest's 16-bit code, of which the host keeps the low 8
 * bits like any process exit status (QEMU passes it to exit() the same
 * way). Reads return 0; anything else written is a guest error.
 */
#include "hw/misc/sifive-test.h"
#include "hw/core/machine.h"
#include "util/error.h"
#include "util/log.h"

typedef struct SifiveTestState {
    DeviceState parent;
    uint64_t size;              /* property */
    MemoryRegion mmio;
} SifiveTestState;

static SifiveTestState *sifive_test_from_dev(DeviceState *dev)
{
    return container_of(dev, SifiveTestState, parent);
}

static uint64_t sifive_test_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0;
}

static void sifive_test_write(void *opaque, uint64_t addr, uint64_t value,
                              unsigned size)
{
    SifiveTestState *s = opaque;
    Machine *m = s->parent.machine;

    if (addr == 0) {
        uint32_t status = value & 0xffff;
        uint32_t code = (value >> 16) & 0xffff;

        switch (status) {
        case SIFIVE_TEST_FAIL:
            machine_request_shutdown(m, SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
                                     (int)code);
            return;
        case SIFIVE_TEST_PASS:
            machine_request_shutdown(m, SHUTDOWN_CAUSE_GUEST_SHUTDOWN, 0);
            return;
        case SIFIVE_TEST_RESET:
            machine_request_reset(m, SHUTDOWN_CAUSE_GUEST_RESET);
            return;
        default:
            break;
        }
    }
    log_guest(&m->log, LOG_GUEST_ERROR,
              "sifive-test: unknown write of 0x%" PRIx64 " at offset 0x%"
              PRIx64 " (0x5555 power-off, 0x3333|code<<16 fail, 0x7777 "
              "reset)\n", value, addr);
}

static const MemoryRegionOps sifive_test_ops = {
    .read = sifive_test_read,
    .write = sifive_test_write,
    .valid = { .min_access_size = 2, .max_access_size = 4 },
};

static bool sifive_test_realize(DeviceState *dev, Error **errp)
{
    SifiveTestState *s = sifive_test_from_dev(dev);

    if (!dev->machine) {
        error_setg(errp, "needs a machine to power off");
        return false;
    }
    if (!s->size) {
        s->size = 0x1000;
    }
    memory_region_init_io(&s->mmio, "riscv.sifive.test", &sifive_test_ops,
                          s, s->size);
    return true;
}

static void sifive_test_unrealize(DeviceState *dev)
{
    SifiveTestState *s = sifive_test_from_dev(dev);

    if (s->mmio.container) {
        memory_region_del_subregion(s->mmio.container, &s->mmio);
    }
    memory_region_finalize(&s->mmio);
}

static const Property sifive_test_props[] = {
    DEFINE_PROP_SIZE("size", SifiveTestState, size, 0x1000,
                     "register window"),
    DEFINE_PROP_END,
};

const DeviceType sifive_test_type = {
    .name = "riscv.sifive.test",
    .desc = "SiFive test finisher (power-off/reset)",
    .category = "Misc devices",
    .bus = DEVICE_BUS_NONE,
    .instance_size = sizeof(SifiveTestState),
    .props = sifive_test_props,
    .realize = sifive_test_realize,
    .unrealize = sifive_test_unrealize,
};

DeviceState *sifive_test_create(Machine *m, uint64_t addr, uint64_t size,
                                Error **errp)
{
    DeviceState *dev = device_new(m, &sifive_test_type);
    SifiveTestState *s = sifive_test_from_dev(dev);

    s->size = size;
    if (!machine_realize_device(m, dev, errp)) {
        device_free(dev);
        return NULL;
    }
    memory_region_add_subregion(&m->system_memory, addr, &s->mmio);
    return dev;
}
