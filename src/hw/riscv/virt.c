/*
 * hw/riscv/virt.c — the "virt" machine: QEMU's RISC-V virt board, the
 * default machine of vireo-system-riscv64.
 *
 * The memory map is the table virt_memmap[] below, with QEMU's addresses
 * and PLIC source numbers; it is the one source both for creating the
 * devices and for describing them in the device tree, so the two cannot
 * disagree. The device tree is generated from the machine actually built
 * (the table, the number of harts and their extensions, the RAM size),
 * unless -dtb supplies one; either way /chosen gets the kernel command
 * line and the initrd location, as QEMU does.
 *
 * Interrupts: every device line goes to a PLIC source; PLIC context 2h
 * drives hart h's mip.MEIP and context 2h+1 its mip.SEIP. The CLINT
 * drives MSIP and MTIP itself.
 *
 * Boot (hw/riscv/boot.c): firmware at the start of RAM (OpenSBI's
 * fw_dynamic by default), the kernel after it, the device tree near the
 * top of RAM and the initrd below it; every hart starts in the boot ROM
 * at 0x1000, which jumps to the firmware with a0 = hartid, a1 = device
 * tree and a2 = fw_dynamic info (next stage: the kernel, in S-mode).
 * Without firmware (-bios none) the harts jump straight to the kernel in
 * M-mode. All images are put back on every reset.
 *
 * -machine virt,dumpdtb=FILE writes the device tree and exits with 0.
 *
 * Device tree conventions: Devicetree Specification v0.4; the RISC-V
 * bindings in Linux Documentation/devicetree/bindings (riscv/cpus.yaml,
 * interrupt-controller/sifive,plic-1.0.0.yaml, timer/sifive,clint.yaml,
 * serial/8250.yaml, power/reset/syscon-{poweroff,reboot}.yaml).
 */
#include "hw/riscv/virt.h"
#include "hw/riscv/aclint.h"
#include "hw/riscv/boot.h"
#include "hw/riscv/plic.h"
#include "hw/char/serial.h"
#include "hw/core/fdt.h"
#include "hw/misc/sifive-test.h"
#include "hw/rtc/goldfish-rtc.h"
#include "hw/virtio/virtio-mmio.h"
#include "target/riscv/cpu.h"
#include "util/error.h"

#include <sys/random.h>

typedef struct VirtMemMapEntry {
    uint64_t base;
    uint64_t size;          /* of one instance */
    unsigned count;         /* instances, base + n * size (0 means 1) */
    unsigned irq;           /* PLIC source of instance 0 (+n), 0: none */
    const char *node;       /* device-tree node name */
} VirtMemMapEntry;

/*
 * QEMU's virt map (hw/riscv/virt.c there). The PLIC window is sized for
 * QEMU's 512 harts (0x200000 + 1024 contexts * 0x1000), so the device
 * tree's reg matches QEMU's byte for byte; contexts of harts that do not
 * exist read as zero.
 */
static const VirtMemMapEntry virt_memmap[VIRT_MEMMAP_COUNT] = {
    [VIRT_MROM] =   { 0x1000,     0xf000,   .node = "mrom" },
    [VIRT_TEST] =   { 0x100000,   0x1000,   .node = "test" },
    [VIRT_RTC] =    { 0x101000,   0x1000,   .irq = VIRT_RTC_IRQ,
                      .node = "rtc" },
    [VIRT_CLINT] =  { 0x2000000,  RISCV_ACLINT_SIZE, .node = "clint" },
    [VIRT_PLIC] =   { 0xc000000,  PLIC_SIZE(1024), .node = "plic" },
    [VIRT_UART0] =  { 0x10000000, 0x100,    .irq = VIRT_UART0_IRQ,
                      .node = "serial" },
    [VIRT_VIRTIO] = { 0x10001000, 0x1000,   .count = VIRT_VIRTIO_COUNT,
                      .irq = VIRT_VIRTIO_IRQ, .node = "virtio_mmio" },
    [VIRT_DRAM] =   { 0x80000000, 0,        .node = "memory" },
};

/* virtio-mmio register layout: false = version 2 (see virt_create_virtio). */

typedef struct VirtMachine {
    Machine parent;
    char *dumpdtb;              /* -machine virt,dumpdtb=FILE */

    MemoryRegion mrom;
    DeviceState *plic;
    unsigned nr_virtio;         /* virtio-mmio transports created */
    DeviceTree *fdt;
    RISCVBoot boot;
    bool boot_fresh;            /* images loaded, not yet run */
} VirtMachine;

uint64_t virt_memmap_base(VirtMemmapIndex idx)
{
    return virt_memmap[idx].base;
}

uint64_t virt_memmap_size(VirtMemmapIndex idx)
{
    return virt_memmap[idx].size;
}

static VirtMachine *virt_machine(Machine *m)
{
    return container_of(m, VirtMachine, parent);
}

/* --- devices --- */

/* PLIC context output → a hart's MEIP or SEIP (@irq is the mip bit). */
static void virt_hart_irq(void *opaque, int irq, int level)
{
    riscv_cpu_update_mip(opaque, 1ULL << irq, level);
}

static bool virt_create_plic(VirtMachine *vm, Error **errp)
{
    Machine *m = &vm->parent;
    const VirtMemMapEntry *e = &virt_memmap[VIRT_PLIC];

    vm->plic = plic_create(m, e->base, e->size, m->nr_cpus,
                           VIRT_PLIC_NUM_SOURCES, VIRT_PLIC_PRIORITY_BITS,
                           errp);
    if (!vm->plic) {
        return false;
    }
    for (unsigned h = 0; h < m->nr_cpus; h++) {
        RISCVCPU *cpu = riscv_cpu(m->cpus[h]);

        plic_connect_context(vm->plic, plic_context(h, false),
                             irq_line(virt_hart_irq, cpu, IRQ_M_EXT));
        plic_connect_context(vm->plic, plic_context(h, true),
                             irq_line(virt_hart_irq, cpu, IRQ_S_EXT));
    }
    return true;
}

/*
 * The virtio-mmio transports (virtio 1.2 §4.2): VIRT_VIRTIO_COUNT
 * windows of 0x1000 bytes from 0x10001000, PLIC sources 1..8, created in
 * address order (the transport fills the last-created slot first, so the
 * first -device lands at the highest address, where Linux, probing the
 * device tree's nodes highest first, finds it first: /dev/vda, as on
 * QEMU).
 *
 * Their register layout is the transport's "force-legacy" property: the
 * legacy one (version 1) by default, as QEMU's virt has it, and version 2
 * with -global virtio-mmio.force-legacy=off.
 */
static bool virt_create_virtio(VirtMachine *vm, Error **errp)
{
    Machine *m = &vm->parent;
    const VirtMemMapEntry *e = &virt_memmap[VIRT_VIRTIO];

    for (unsigned n = 0; n < e->count; n++) {
        if (!virtio_mmio_create(m, e->base + n * e->size,
                                plic_input(vm->plic, e->irq + n),
                                VIRTIO_MMIO_LAYOUT_DEFAULT, errp)) {
            return false;
        }
        vm->nr_virtio++;
    }
    return true;
}

static bool virt_create_devices(VirtMachine *vm, Error **errp)
{
    Machine *m = &vm->parent;
    const VirtMemMapEntry *map = virt_memmap;
    DeviceState *dev;

    if (!riscv_aclint_create(m, map[VIRT_CLINT].base, 0, m->nr_cpus,
                             VIRT_TIMEBASE_FREQ, errp) ||
        !virt_create_plic(vm, errp) ||
        !sifive_test_create(m, map[VIRT_TEST].base, map[VIRT_TEST].size,
                            errp)) {
        return false;
    }

    dev = goldfish_rtc_create(m, map[VIRT_RTC].base, map[VIRT_RTC].size,
                              errp);
    if (!dev) {
        return false;
    }
    goldfish_rtc_connect_irq(dev, plic_input(vm->plic, map[VIRT_RTC].irq));

    dev = serial_create(m, map[VIRT_UART0].base, map[VIRT_UART0].size, 0,
                        VIRT_UART_CLOCK, machine_serial_hd(m, 0), errp);
    if (!dev) {
        return false;
    }
    serial_connect_irq(dev, plic_input(vm->plic, map[VIRT_UART0].irq));

    return virt_create_virtio(vm, errp);
}

/* --- device tree --- */

/* "reg" with #address-cells = #size-cells = 2 (the root and /soc). */
static void virt_fdt_reg(DeviceTree *dt, const char *path, uint64_t base,
                         uint64_t size)
{
    devtree_setprop_cells(dt, path, "reg", (uint32_t)(base >> 32),
                          (uint32_t)base, (uint32_t)(size >> 32),
                          (uint32_t)size);
}

/*
 * riscv,isa from the hart's extensions: single letters in canonical
 * order, then the multi-letter ones (ISA manual, "ISA Extension Naming
 * Conventions"), e.g. "rv64imafdc_zicsr_zifencei_zba_zbb_zbc_zbs".
 */
static void virt_isa_string(const RISCVCPU *cpu, char *buf, size_t len)
{
    static const char letters[] = "imafdc";
    static const struct {
        size_t offset;
        const char *name;
    } multi[] = {
        { offsetof(RISCVCPUConfig, ext_zicsr), "zicsr" },
        { offsetof(RISCVCPUConfig, ext_zifencei), "zifencei" },
        { offsetof(RISCVCPUConfig, ext_zihintpause), "zihintpause" },
        { offsetof(RISCVCPUConfig, ext_zba), "zba" },
        { offsetof(RISCVCPUConfig, ext_zbb), "zbb" },
        { offsetof(RISCVCPUConfig, ext_zbc), "zbc" },
        { offsetof(RISCVCPUConfig, ext_zbs), "zbs" },
        { offsetof(RISCVCPUConfig, ext_sstc), "sstc" },
    };
    size_t pos = (size_t)snprintf(buf, len, "rv64");

    for (const char *l = letters; *l && pos + 1 < len; l++) {
        if (riscv_has_ext(cpu, MISA_EXT(*l - 'a' + 'A'))) {
            buf[pos++] = *l;
            buf[pos] = '\0';
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(multi) && pos < len; i++) {
        if (*(const bool *)((const char *)&cpu->cfg + multi[i].offset)) {
            pos += (size_t)snprintf(buf + pos, len - pos, "_%s",
                                    multi[i].name);
        }
    }
}

/* /cpus: one node per hart with its local interrupt controller. */
static void virt_fdt_cpus(VirtMachine *vm, DeviceTree *dt, uint32_t *intc)
{
    Machine *m = &vm->parent;
    char path[64], isa[128];

    devtree_add_node(dt, "/cpus");
    devtree_setprop_u32(dt, "/cpus", "timebase-frequency",
                        VIRT_TIMEBASE_FREQ);
    devtree_setprop_u32(dt, "/cpus", "#size-cells", 0);
    devtree_setprop_u32(dt, "/cpus", "#address-cells", 1);
    devtree_add_node(dt, "/cpus/cpu-map");
    devtree_add_node(dt, "/cpus/cpu-map/cluster0");

    /* Added in reverse so that libfdt, which puts a new node first,
     * leaves them in hart order. */
    for (int h = (int)m->nr_cpus - 1; h >= 0; h--) {
        RISCVCPU *cpu = riscv_cpu(m->cpus[h]);
        uint32_t cpu_phandle = devtree_alloc_phandle(dt);

        snprintf(path, sizeof(path), "/cpus/cpu@%d", h);
        devtree_add_node(dt, path);
        devtree_setprop_u32(dt, path, "phandle", cpu_phandle);
        devtree_setprop_string(dt, path, "device_type", "cpu");
        devtree_setprop_u32(dt, path, "reg", (uint32_t)h);
        devtree_setprop_string(dt, path, "status", "okay");
        devtree_setprop_string(dt, path, "compatible", "riscv");
        virt_isa_string(cpu, isa, sizeof(isa));
        devtree_setprop_string(dt, path, "riscv,isa", isa);
        /* The deepest satp mode the hart implements. */
        devtree_setprop_string(dt, path, "mmu-type",
                               cpu->cfg.mmu ? "riscv,sv57" : "riscv,none");

        intc[h] = devtree_alloc_phandle(dt);
        snprintf(path, sizeof(path), "/cpus/cpu@%d/interrupt-controller", h);
        devtree_add_node(dt, path);
        devtree_setprop_u32(dt, path, "#interrupt-cells", 1);
        devtree_setprop_empty(dt, path, "interrupt-controller");
        devtree_setprop_string(dt, path, "compatible", "riscv,cpu-intc");
        devtree_setprop_u32(dt, path, "phandle", intc[h]);

        snprintf(path, sizeof(path), "/cpus/cpu-map/cluster0/core%d", h);
        devtree_add_node(dt, path);
        devtree_setprop_u32(dt, path, "cpu", cpu_phandle);
    }
}

/* interrupts-extended naming, per hart, the two given local IRQs. */
static void virt_fdt_irqs_extended(DeviceTree *dt, const char *path,
                                   const uint32_t *intc, unsigned nr_cpus,
                                   uint32_t irq_a, uint32_t irq_b)
{
    uint32_t *cells = XNEW_ARRAY(uint32_t, 4 * nr_cpus);

    for (unsigned h = 0; h < nr_cpus; h++) {
        cells[4 * h + 0] = intc[h];
        cells[4 * h + 1] = irq_a;
        cells[4 * h + 2] = intc[h];
        cells[4 * h + 3] = irq_b;
    }
    devtree_setprop_cell_array(dt, path, "interrupts-extended", cells,
                               4 * nr_cpus);
    free(cells);
}

/* A /soc device wired to one PLIC source. */
static void virt_fdt_soc_device(DeviceTree *dt, char *path, size_t len,
                                const VirtMemMapEntry *e, unsigned n,
                                const char *compatible, uint32_t plic)
{
    uint64_t base = e->base + n * e->size;

    snprintf(path, len, "/soc/%s@%" PRIx64, e->node, base);
    devtree_add_node(dt, path);
    devtree_setprop_string(dt, path, "compatible", compatible);
    virt_fdt_reg(dt, path, base, e->size);
    if (e->irq) {
        devtree_setprop_u32(dt, path, "interrupt-parent", plic);
        devtree_setprop_u32(dt, path, "interrupts", e->irq + n);
    }
}

static DeviceTree *virt_build_fdt(VirtMachine *vm)
{
    static const char *const clint_compat[] = {
        "sifive,clint0", "riscv,clint0",
    };
    static const char *const plic_compat[] = {
        "sifive,plic-1.0.0", "riscv,plic0",
    };
    static const char *const test_compat[] = {
        "sifive,test1", "sifive,test0", "syscon",
    };
    Machine *m = &vm->parent;
    const VirtMemMapEntry *map = virt_memmap;
    DeviceTree *dt = devtree_new();
    uint32_t *intc = XNEW_ARRAY(uint32_t, m->nr_cpus);
    uint32_t plic_phandle, test_phandle;
    char path[96];

    devtree_setprop_string(dt, "/", "model", "riscv-virtio,qemu");
    devtree_setprop_string(dt, "/", "compatible", "riscv-virtio");
    devtree_setprop_u32(dt, "/", "#size-cells", 2);
    devtree_setprop_u32(dt, "/", "#address-cells", 2);

    devtree_add_node(dt, "/soc");
    devtree_setprop_empty(dt, "/soc", "ranges");
    devtree_setprop_string(dt, "/soc", "compatible", "simple-bus");
    devtree_setprop_u32(dt, "/soc", "#size-cells", 2);
    devtree_setprop_u32(dt, "/soc", "#address-cells", 2);

    virt_fdt_cpus(vm, dt, intc);

    snprintf(path, sizeof(path), "/memory@%" PRIx64, map[VIRT_DRAM].base);
    devtree_add_node(dt, path);
    devtree_setprop_string(dt, path, "device_type", "memory");
    virt_fdt_reg(dt, path, map[VIRT_DRAM].base, m->ram_size);

    snprintf(path, sizeof(path), "/soc/clint@%" PRIx64, map[VIRT_CLINT].base);
    devtree_add_node(dt, path);
    devtree_setprop_strings(dt, path, "compatible", clint_compat,
                            ARRAY_SIZE(clint_compat));
    virt_fdt_reg(dt, path, map[VIRT_CLINT].base, map[VIRT_CLINT].size);
    virt_fdt_irqs_extended(dt, path, intc, m->nr_cpus, IRQ_M_SOFT,
                           IRQ_M_TIMER);

    plic_phandle = devtree_alloc_phandle(dt);
    snprintf(path, sizeof(path), "/soc/plic@%" PRIx64, map[VIRT_PLIC].base);
    devtree_add_node(dt, path);
    devtree_setprop_u32(dt, path, "#interrupt-cells", 1);
    devtree_setprop_u32(dt, path, "#address-cells", 0);
    devtree_setprop_strings(dt, path, "compatible", plic_compat,
                            ARRAY_SIZE(plic_compat));
    devtree_setprop_empty(dt, path, "interrupt-controller");
    virt_fdt_irqs_extended(dt, path, intc, m->nr_cpus, IRQ_M_EXT,
                           IRQ_S_EXT);
    virt_fdt_reg(dt, path, map[VIRT_PLIC].base, map[VIRT_PLIC].size);
    devtree_setprop_u32(dt, path, "riscv,ndev", VIRT_PLIC_NUM_SOURCES - 1);
    devtree_setprop_u32(dt, path, "phandle", plic_phandle);

    /* Lowest address first: libfdt puts each node before its earlier
     * siblings, so the tree lists them highest first, as QEMU's does. */
    for (unsigned n = 0; n < vm->nr_virtio; n++) {
        virt_fdt_soc_device(dt, path, sizeof(path), &map[VIRT_VIRTIO], n,
                            VIRTIO_MMIO_FDT_COMPATIBLE, plic_phandle);
    }

    test_phandle = devtree_alloc_phandle(dt);
    virt_fdt_soc_device(dt, path, sizeof(path), &map[VIRT_TEST], 0,
                        "sifive,test1", plic_phandle);
    devtree_setprop_strings(dt, path, "compatible", test_compat,
                            ARRAY_SIZE(test_compat));
    devtree_setprop_u32(dt, path, "phandle", test_phandle);

    devtree_add_node(dt, "/reboot");
    devtree_setprop_string(dt, "/reboot", "compatible", "syscon-reboot");
    devtree_setprop_u32(dt, "/reboot", "regmap", test_phandle);
    devtree_setprop_u32(dt, "/reboot", "offset", 0);
    devtree_setprop_u32(dt, "/reboot", "value", SIFIVE_TEST_RESET);

    devtree_add_node(dt, "/poweroff");
    devtree_setprop_string(dt, "/poweroff", "compatible", "syscon-poweroff");
    devtree_setprop_u32(dt, "/poweroff", "regmap", test_phandle);
    devtree_setprop_u32(dt, "/poweroff", "offset", 0);
    devtree_setprop_u32(dt, "/poweroff", "value", SIFIVE_TEST_PASS);

    virt_fdt_soc_device(dt, path, sizeof(path), &map[VIRT_UART0], 0,
                        "ns16550a", plic_phandle);
    devtree_setprop_u32(dt, path, "clock-frequency", VIRT_UART_CLOCK);
    devtree_add_node(dt, "/chosen");
    devtree_setprop_string(dt, "/chosen", "stdout-path", path);

    virt_fdt_soc_device(dt, path, sizeof(path), &map[VIRT_RTC], 0,
                        "google,goldfish-rtc", plic_phandle);

    free(intc);
    return dt;
}

/*
 * What every tree gets in /chosen, generated or -dtb: the command line,
 * room for the initrd location (filled in once it is placed) and a seed
 * for the kernel's random number generator.
 */
static void virt_fdt_chosen(VirtMachine *vm, DeviceTree *dt)
{
    const VmConfig *c = vm->parent.config;
    uint8_t seed[32];

    devtree_add_node(dt, "/chosen");
    if (c->append && *c->append) {
        devtree_setprop_string(dt, "/chosen", "bootargs", c->append);
    }
    if (c->initrd) {
        devtree_setprop_u64(dt, "/chosen", "linux,initrd-start", 0);
        devtree_setprop_u64(dt, "/chosen", "linux,initrd-end", 0);
    }
    if (getrandom(seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed)) {
        devtree_setprop(dt, "/chosen", "rng-seed", seed, sizeof(seed));
    }
}

/* --- boot --- */

static bool virt_boot(VirtMachine *vm, Error **errp)
{
    Machine *m = &vm->parent;
    const VmConfig *c = m->config;
    AddressSpace *as = &m->address_space;
    RISCVBoot *b = &vm->boot;
    uint64_t ram_base = virt_memmap[VIRT_DRAM].base;
    uint64_t ram_end = ram_base + m->ram_size;
    uint64_t start_addr = ram_base, next_addr = 0, used_end = ram_base;
    uint64_t fdt_addr;
    Error *err = NULL;
    char *firmware;

    firmware = riscv_find_firmware(c->bios, &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    if (firmware) {
        bool ok = riscv_load_firmware(b, as, firmware, ram_base,
                                      m->ram_size, errp);
        if (!ok) {
            error_prepend(errp, "-bios %s: ", firmware);
        }
        free(firmware);
        if (!ok) {
            return false;
        }
        start_addr = b->firmware.entry;
        used_end = MAX(used_end, b->firmware.end);
    }
    if (c->kernel) {
        if (!riscv_load_kernel(b, as, c->kernel, ram_base, used_end, ram_end,
                               errp)) {
            error_prepend(errp, "-kernel: ");
            return false;
        }
        next_addr = b->kernel.entry;
        if (!firmware) {
            start_addr = b->kernel.entry;
        }
        if (b->kernel.end <= ram_end) {
            used_end = MAX(used_end, b->kernel.end);
        }
    }

    devtree_pack(vm->fdt);
    if (!devtree_ok(vm->fdt, errp)) {
        return false;
    }
    fdt_addr = riscv_compute_fdt_addr(ram_base, m->ram_size,
                                      devtree_size(vm->fdt));
    if (fdt_addr < used_end || fdt_addr < ram_base) {
        error_setg(errp, "-m %" PRIu64 "M leaves no room for the device "
                   "tree above the firmware and kernel (they end at 0x%"
                   PRIx64 ")", m->ram_size / MiB, used_end);
        return false;
    }
    if (c->initrd) {
        if (!riscv_load_initrd(b, as, c->initrd, used_end, fdt_addr, errp)) {
            error_prepend(errp, "-initrd: ");
            return false;
        }
        devtree_setprop_u64_inplace(vm->fdt, "/chosen", "linux,initrd-start",
                                    b->initrd.addr);
        devtree_setprop_u64_inplace(vm->fdt, "/chosen", "linux,initrd-end",
                                    b->initrd.end);
        if (!devtree_ok(vm->fdt, errp)) {
            return false;
        }
    }
    if (!riscv_load_fdt(b, as, vm->fdt, fdt_addr, errp)) {
        return false;
    }
    return riscv_setup_rom_reset_vec(as, virt_memmap[VIRT_MROM].base,
                                     virt_memmap[VIRT_MROM].size,
                                     start_addr, fdt_addr, next_addr, errp);
}

/* --- the machine --- */

static bool virt_init(Machine *m, Error **errp)
{
    VirtMachine *vm = virt_machine(m);
    const VmConfig *c = m->config;
    const VirtMemMapEntry *map = virt_memmap;

    if (c->append && *c->append && !c->kernel) {
        error_setg(errp, "-append only allowed with -kernel option");
        return false;
    }
    if (c->initrd && !c->kernel) {
        error_setg(errp, "-initrd only allowed with -kernel option");
        return false;
    }
    if (!m->ram_size) {
        error_setg(errp, "virt: needs RAM (-m)");
        return false;
    }

    memory_region_add_subregion(&m->system_memory, map[VIRT_DRAM].base,
                                &m->ram);
    if (!memory_region_init_rom(&vm->mrom, "riscv_virt_board.mrom",
                                map[VIRT_MROM].size, errp)) {
        return false;
    }
    memory_region_add_subregion(&m->system_memory, map[VIRT_MROM].base,
                                &vm->mrom);

    if (!riscv_create_harts(m, map[VIRT_MROM].base, errp) ||
        !virt_create_devices(vm, errp)) {
        return false;
    }

    if (c->dtb) {
        vm->fdt = devtree_load(c->dtb, errp);
        if (!vm->fdt) {
            error_prepend(errp, "-dtb: ");
            return false;
        }
    } else {
        vm->fdt = virt_build_fdt(vm);
    }
    virt_fdt_chosen(vm, vm->fdt);

    if (!virt_boot(vm, errp)) {
        return false;
    }
    vm->boot_fresh = true;

    if (vm->dumpdtb) {
        /* QEMU's behaviour: write the tree the guest would get, then
         * exit successfully without running anything. */
        if (!devtree_save(vm->fdt, vm->dumpdtb, errp)) {
            error_prepend(errp, "dumpdtb: ");
            return false;
        }
        exit(0);
    }
    return true;
}

/* After every device reset: put firmware, kernel, initrd and device tree
 * back, except on the first reset, which finds them freshly loaded. */
static void virt_reset(Machine *m)
{
    VirtMachine *vm = virt_machine(m);
    Error *err = NULL;

    if (vm->boot_fresh) {
        vm->boot_fresh = false;
        return;
    }
    if (!riscv_boot_reload(&vm->boot, &m->address_space, &err)) {
        error_prepend(&err, "virt: reset: ");
        error_report_err(err);
        machine_request_shutdown(m, SHUTDOWN_CAUSE_HOST_ERROR, 1);
    }
}

static const Property virt_props[] = {
    DEFINE_PROP_STRING("dumpdtb", VirtMachine, dumpdtb,
                       "write the device tree to this file and exit"),
    DEFINE_PROP_END,
};

/* At exit, after the devices: what the board itself allocated. */
static void virt_finalize(Machine *m)
{
    VirtMachine *vm = virt_machine(m);

    riscv_boot_cleanup(&vm->boot);
    devtree_free(vm->fdt);
    vm->fdt = NULL;
    memory_region_finalize(&vm->mrom);
}

const MachineType virt_machine_type = {
    .name = "virt",
    .desc = "RISC-V VirtIO board",
    .is_default = true,
    .instance_size = sizeof(VirtMachine),
    .props = virt_props,
    .max_cpus = VIRT_MAX_CPUS,
    .default_ram_size = VIRT_DEFAULT_RAM_SIZE,
    .max_ram_size = VIRT_MAX_RAM_SIZE,
    .default_cpu = "rv64",
    .init = virt_init,
    .reset = virt_reset,
    .finalize = virt_finalize,
};
