/*
 * hw/riscv/spike.c — the "spike" machine: the minimal board bare-metal
 * RISC-V tests (riscv-tests style) run on, with QEMU's -M spike map:
 *
 *   0x02000000  CLINT (msip, mtimecmp, mtime at 10 MHz)
 *   0x80000000  RAM (-m, 128 MiB by default)
 *   tohost/fromhost  HTIF, wherever the ELF's symbols of those names are
 *
 * Boot: "-bios none -kernel test.elf" (or "-bios fw.elf") loads the ELF
 * and starts every hart at its entry in M-mode with a0 = mhartid and
 * a1 = 0 (no device tree is generated). The HTIF exit command ends the
 * process with the guest's exit code; HTIF console output goes to the
 * first serial port.
 */
#include "hw/riscv/spike.h"
#include "hw/riscv/aclint.h"
#include "hw/riscv/htif.h"
#include "hw/core/loader.h"
#include "hw/core/machine.h"
#include "target/riscv/cpu.h"
#include "util/error.h"

#define EM_RISCV 243

enum {
    SPIKE_CLINT,
    SPIKE_DRAM,
};

static const struct {
    uint64_t base;
    uint64_t size;
} spike_memmap[] = {
    [SPIKE_CLINT] = { 0x02000000, RISCV_ACLINT_SIZE },
    [SPIKE_DRAM] = { 0x80000000, 0 },   /* size: -m */
};

typedef struct SpikeMachine {
    Machine parent;
    uint64_t entry;
} SpikeMachine;

/* Load the program; find tohost/fromhost in it. */
static bool spike_load(Machine *m, const char *path, uint64_t *entry,
                       Error **errp)
{
    ElfLoadInfo info;
    uint64_t tohost, fromhost = 0;
    Error *err = NULL;

    if (!load_elf(&m->address_space, path, EM_RISCV, &info, errp)) {
        return false;
    }
    *entry = info.entry;
    if (!elf_find_symbol(path, "tohost", &tohost, NULL, &err)) {
        /* No HTIF: the program has some other way out. */
        error_free(err);
        return true;
    }
    if (!elf_find_symbol(path, "fromhost", &fromhost, NULL, &err)) {
        error_free(err);
        fromhost = 0;
    }
    return riscv_htif_create(m, tohost, fromhost, machine_serial_hd(m, 0),
                             errp) != NULL;
}

static bool spike_init(Machine *m, Error **errp)
{
    SpikeMachine *sm = container_of(m, SpikeMachine, parent);
    const VmConfig *c = m->config;
    const char *bios = c->bios && strcmp(c->bios, "none") ? c->bios : NULL;

    memory_region_add_subregion(&m->system_memory,
                                spike_memmap[SPIKE_DRAM].base, &m->ram);
    if (!riscv_create_harts(m, spike_memmap[SPIKE_DRAM].base, errp)) {
        return false;
    }
    if (!riscv_aclint_create(m, spike_memmap[SPIKE_CLINT].base, 0,
                             m->nr_cpus, RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ,
                             errp)) {
        return false;
    }
    sm->entry = spike_memmap[SPIKE_DRAM].base;
    if (bios) {
        if (!spike_load(m, bios, &sm->entry, errp)) {
            error_prepend(errp, "-bios %s: ", bios);
            return false;
        }
    }
    if (c->kernel) {
        uint64_t kentry;

        if (!spike_load(m, c->kernel, &kentry, errp)) {
            error_prepend(errp, "-kernel %s: ", c->kernel);
            return false;
        }
        if (!bios) {
            sm->entry = kentry;
        }
    }
    if (!bios && !c->kernel) {
        error_setg(errp, "spike: nothing to run (use -kernel FILE or "
                   "-bios FILE)");
        return false;
    }
    return true;
}

/* After CPU reset: every hart enters the program as the reset vector of
 * QEMU's spike would send it there. */
static void spike_reset(Machine *m)
{
    SpikeMachine *sm = container_of(m, SpikeMachine, parent);

    for (unsigned i = 0; i < m->nr_cpus; i++) {
        RISCVCPU *cpu = riscv_cpu(m->cpus[i]);

        cpu->pc = sm->entry;
        cpu->gpr[10] = i;       /* a0 = mhartid */
        cpu->gpr[11] = 0;       /* a1 = no device tree */
    }
}

const MachineType spike_machine_type = {
    .name = "spike",
    .desc = "RISC-V Spike board",
    .instance_size = sizeof(SpikeMachine),
    .max_cpus = 8,
    .default_ram_size = 128 * MiB,
    .default_cpu = "rv64",
    .init = spike_init,
    .reset = spike_reset,
};
