/*
 * hw/core/generic-loader.c — QEMU's generic "loader" device: put a file or
 * a value into guest memory, and/or set a CPU's entry point, at every
 * reset.
 *
 *   -device loader,file=FILE[,addr=A][,force-raw=on][,cpu-num=N]
 *       an ELF is loaded at its own addresses (entry point goes to CPU N
 *       if cpu-num is given); anything else (or force-raw) at addr=A
 *   -device loader,addr=A,data=V,data-len=1|2|4|8[,data-be=on]
 *       store V at A
 *   -device loader,addr=A,cpu-num=N
 *       start CPU N at A
 *
 * Loading at reset rather than once at realize means a guest that
 * scribbled over the image gets it back after a reboot, as with ROM.
 */
#include "hw/core/generic-loader.h"
#include "hw/core/cpu.h"
#include "hw/core/loader.h"
#include "hw/core/machine.h"
#include "util/error.h"

#define LOADER_NO_CPU UINT32_MAX

typedef struct GenericLoader {
    DeviceState parent;
    char *file;
    uint64_t addr;
    uint64_t data;
    uint8_t data_len;
    bool data_be;
    uint32_t cpu_num;
    bool force_raw;
    bool has_addr;      /* addr= was given (0 is a valid address) */
} GenericLoader;

static bool generic_loader_load(GenericLoader *l, uint64_t *entry,
                                Error **errp);

static bool generic_loader_realize(DeviceState *dev, Error **errp)
{
    GenericLoader *l = container_of(dev, GenericLoader, parent);
    Machine *m = dev->machine;

    /* addr defaults to an impossible value so "given" can be detected. */
    l->has_addr = l->addr != UINT64_MAX;
    if (l->data_len) {
        if (l->file) {
            error_setg(errp, "specify either file or data, not both");
            return false;
        }
        if (!l->has_addr) {
            error_setg(errp, "data requires addr");
            return false;
        }
        if (l->data_len != 1 && l->data_len != 2 && l->data_len != 4 &&
            l->data_len != 8) {
            error_setg(errp, "data-len must be 1, 2, 4 or 8");
            return false;
        }
    } else if (!l->file && !(l->has_addr && l->cpu_num != LOADER_NO_CPU)) {
        error_setg(errp, "needs file=, data= with data-len=, or addr= with "
                   "cpu-num=");
        return false;
    }
    if (l->file && (l->force_raw || !file_is_elf(l->file)) && !l->has_addr) {
        error_setg(errp, "'%s' is not an ELF file: addr is required",
                   l->file);
        return false;
    }
    if (l->cpu_num != LOADER_NO_CPU && l->cpu_num >= m->nr_cpus) {
        error_setg(errp, "cpu-num %u does not exist (the machine has %u "
                   "CPUs)", l->cpu_num, m->nr_cpus);
        return false;
    }
    /* Check the file loads now, so mistakes show up at start-up. */
    if (l->file) {
        uint64_t entry;
        if (!generic_loader_load(l, &entry, errp)) {
            return false;
        }
    }
    return true;
}

/* Load the file into guest memory; *entry gets the start PC. */
static bool generic_loader_load(GenericLoader *l, uint64_t *entry,
                                Error **errp)
{
    AddressSpace *as = &l->parent.machine->address_space;

    *entry = l->addr;
    if (!l->force_raw && file_is_elf(l->file)) {
        ElfLoadInfo info;
        if (!load_elf(as, l->file, 0, &info, errp)) {
            return false;
        }
        *entry = info.entry;
        return true;
    }
    return load_image_raw(as, l->file, l->addr, UINT64_MAX, NULL, errp);
}

static void generic_loader_reset(DeviceState *dev)
{
    GenericLoader *l = container_of(dev, GenericLoader, parent);
    Machine *m = dev->machine;
    uint64_t entry = l->addr;
    Error *err = NULL;

    if (l->file && !generic_loader_load(l, &entry, &err)) {
        log_guest(&m->log, LOG_GUEST_ERROR, "loader: %s\n",
                  error_get_pretty(err));
        error_free(err);
        return;
    }
    if (l->data_len) {
        uint64_t v = l->data;
        if (l->data_be) {
            v = __builtin_bswap64(v) >> (64 - 8 * l->data_len);
        }
        address_space_store(&m->address_space, l->addr, l->data_len, v);
    }
    if (l->cpu_num != LOADER_NO_CPU && m->cpus && m->cpus[l->cpu_num]) {
        CPUState *cpu = m->cpus[l->cpu_num];
        cpu->ops->set_pc(cpu, entry);
    }
}

static const Property generic_loader_props[] = {
    DEFINE_PROP_STRING("file", GenericLoader, file,
                       "file to load (ELF at its own addresses, else raw)"),
    DEFINE_PROP_UINT64("addr", GenericLoader, addr, UINT64_MAX,
                       "guest physical address to load/store at"),
    DEFINE_PROP_UINT64("data", GenericLoader, data, 0, "value to store"),
    DEFINE_PROP_UINT8("data-len", GenericLoader, data_len, 0,
                      "size of data in bytes: 1, 2, 4 or 8"),
    DEFINE_PROP_BOOL("data-be", GenericLoader, data_be, false,
                     "store data big-endian"),
    DEFINE_PROP_UINT32("cpu-num", GenericLoader, cpu_num, LOADER_NO_CPU,
                       "CPU whose program counter is set to the entry point"),
    DEFINE_PROP_BOOL("force-raw", GenericLoader, force_raw, false,
                     "load an ELF file as a raw image"),
    DEFINE_PROP_END,
};

const DeviceType generic_loader_type = {
    .name = "loader",
    .desc = "Generic Loader",
    .category = "Misc devices",
    .bus = DEVICE_BUS_NONE,
    .instance_size = sizeof(GenericLoader),
    .props = generic_loader_props,
    .user_creatable = true,
    .realize = generic_loader_realize,
    .reset = generic_loader_reset,
};
