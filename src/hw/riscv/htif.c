/*
 * hw/riscv/htif.c — HTIF (see htif.h for the protocol).
 *
 * tohost and fromhost are each covered by an 8-byte I/O region mapped
 * over RAM with priority 1, so the rest of their page stays RAM. A command
 * runs when the guest writes the word's high half (or all 8 bytes at
 * once), matching how RV32 and RV64 guests store it.
 *
 * The exit command asks the machine to shut down with the guest's code
 * as the process exit status, which is how bare-metal tests report.
 * Unknown commands are logged under -d unimp and acknowledged.
 */
#include "hw/riscv/htif.h"
#include "hw/core/machine.h"
#include "chardev/chardev.h"
#include "util/error.h"
#include "util/log.h"

typedef struct RISCVHtifState {
    DeviceState parent;
    uint64_t tohost_addr;
    uint64_t fromhost_addr;
    Chardev *chr;

    uint64_t tohost;
    uint64_t fromhost;
    MemoryRegion tohost_mr;
    MemoryRegion fromhost_mr;
} RISCVHtifState;

#define HTIF_DEV_SYSTEM  0
#define HTIF_DEV_CONSOLE 1
#define HTIF_CONSOLE_CMD_PUTC 1

static void htif_command(RISCVHtifState *s, uint64_t val)
{
    Machine *m = s->parent.machine;
    unsigned device = val >> 56;
    unsigned cmd = (val >> 48) & 0xff;
    uint64_t payload = val & ((1ULL << 48) - 1);

    if (device == HTIF_DEV_SYSTEM && cmd == 0 && (payload & 1)) {
        int code = (int)(payload >> 1);

        machine_request_shutdown(m, SHUTDOWN_CAUSE_GUEST_SHUTDOWN, code);
        s->tohost = val;
        return;
    }
    if (device == HTIF_DEV_CONSOLE && cmd == HTIF_CONSOLE_CMD_PUTC) {
        uint8_t ch = payload & 0xff;

        if (s->chr) {
            chardev_write_all(s->chr, &ch, 1);
        }
    } else {
        log_guest(&m->log, LOG_UNIMP, "htif: unsupported command: device "
                  "%u cmd %u payload 0x%" PRIx64 "\n", device, cmd, payload);
    }
    s->tohost = 0;
    s->fromhost = (val >> 48) << 48;
}

static uint64_t htif_read_word(uint64_t word, uint64_t addr, unsigned size)
{
    uint64_t v = word >> (8 * addr);

    return size == 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

static uint64_t merge(uint64_t old, uint64_t addr, uint64_t val,
                      unsigned size)
{
    uint64_t mask = size == 8 ? ~0ULL : ((1ULL << (8 * size)) - 1);

    return (old & ~(mask << (8 * addr))) | ((val & mask) << (8 * addr));
}

static uint64_t htif_tohost_read(void *opaque, uint64_t addr, unsigned size)
{
    RISCVHtifState *s = opaque;

    return htif_read_word(s->tohost, addr, size);
}

static void htif_tohost_write(void *opaque, uint64_t addr, uint64_t val,
                              unsigned size)
{
    RISCVHtifState *s = opaque;

    s->tohost = merge(s->tohost, addr, val, size);
    /* The high half completes a command (0 is "no command"). */
    if (addr + size == 8 && s->tohost) {
        htif_command(s, s->tohost);
    }
}

static uint64_t htif_fromhost_read(void *opaque, uint64_t addr,
                                   unsigned size)
{
    RISCVHtifState *s = opaque;

    return htif_read_word(s->fromhost, addr, size);
}

static void htif_fromhost_write(void *opaque, uint64_t addr, uint64_t val,
                                unsigned size)
{
    RISCVHtifState *s = opaque;

    s->fromhost = merge(s->fromhost, addr, val, size);
}

static const MemoryRegionOps htif_tohost_ops = {
    .read = htif_tohost_read,
    .write = htif_tohost_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

static const MemoryRegionOps htif_fromhost_ops = {
    .read = htif_fromhost_read,
    .write = htif_fromhost_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
};

static bool htif_realize(DeviceState *dev, Error **errp)
{
    RISCVHtifState *s = container_of(dev, RISCVHtifState, parent);
    Machine *m = dev->machine;

    memory_region_init_io(&s->tohost_mr, "riscv.htif.tohost",
                          &htif_tohost_ops, s, 8);
    memory_region_add_subregion_overlap(&m->system_memory, s->tohost_addr,
                                        &s->tohost_mr, 1);
    if (s->fromhost_addr) {
        memory_region_init_io(&s->fromhost_mr, "riscv.htif.fromhost",
                              &htif_fromhost_ops, s, 8);
        memory_region_add_subregion_overlap(&m->system_memory,
                                            s->fromhost_addr,
                                            &s->fromhost_mr, 1);
    }
    return true;
}

static void htif_reset(DeviceState *dev)
{
    RISCVHtifState *s = container_of(dev, RISCVHtifState, parent);

    s->tohost = 0;
    s->fromhost = 0;
}

static const Property htif_props[] = {
    DEFINE_PROP_UINT64("tohost", RISCVHtifState, tohost_addr, 0,
                       "address of tohost"),
    DEFINE_PROP_UINT64("fromhost", RISCVHtifState, fromhost_addr, 0,
                       "address of fromhost (0: none)"),
    DEFINE_PROP_CHARDEV("chardev", RISCVHtifState, chr, "console backend"),
    DEFINE_PROP_END,
};

const DeviceType riscv_htif_type = {
    .name = "riscv.htif",
    .desc = "RISC-V Host-Target Interface (tohost/fromhost)",
    .category = "Misc devices",
    .bus = DEVICE_BUS_NONE,
    .instance_size = sizeof(RISCVHtifState),
    .props = htif_props,
    .user_creatable = false,
    .realize = htif_realize,
    .reset = htif_reset,
};

DeviceState *riscv_htif_create(Machine *m, uint64_t tohost,
                               uint64_t fromhost, Chardev *chr,
                               Error **errp)
{
    DeviceState *dev = device_new(m, &riscv_htif_type);
    RISCVHtifState *s = container_of(dev, RISCVHtifState, parent);

    s->tohost_addr = tohost;
    s->fromhost_addr = fromhost;
    s->chr = chr;
    if (!machine_realize_device(m, dev, errp)) {
        device_free(dev);
        return NULL;
    }
    return dev;
}
