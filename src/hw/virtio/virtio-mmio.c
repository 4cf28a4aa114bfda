/*
 * hw/virtio/virtio-mmio.c — the virtio-mmio transport (virtio 1.2 §4.2).
 *
 * Two register layouts, chosen by the "force-legacy" property (default on,
 * as in QEMU):
 *   version 2 (§4.2.2): 64-bit feature words through *Sel registers,
 *     QueueReady, ring addresses in Low/High halves, shared-memory
 *     registers (this transport has no regions: their lengths read
 *     all-ones), ConfigGeneration;
 *   version 1, legacy (§4.2.4): GuestPageSize, QueueAlign and QueuePFN
 *     place the whole ring at PFN * page size in the 0.9.5 layout, and
 *     features are taken as the driver writes them.
 * Both: MagicValue "virt", DeviceID (0 while the slot is empty, which
 * drivers skip), VendorID "QEMU", InterruptStatus/ACK, Status, and the
 * device's configuration space from offset 0x100.
 *
 * Registers below 0x100 are 32 bits wide; other access sizes are guest
 * errors (logged; reads give 0, writes are dropped), as are registers of
 * the other layout and queue registers for a queue that does not exist.
 */
#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio.h"
#include "exec/memory.h"
#include "hw/core/machine.h"
#include "util/error.h"
#include "util/log.h"

/* Register offsets (§4.2.2, legacy-only ones from §4.2.4). */
enum {
    VIRTIO_MMIO_MAGIC_VALUE         = 0x000,
    VIRTIO_MMIO_VERSION             = 0x004,
    VIRTIO_MMIO_DEVICE_ID           = 0x008,
    VIRTIO_MMIO_VENDOR_ID           = 0x00c,
    VIRTIO_MMIO_DEVICE_FEATURES     = 0x010,
    VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014,
    VIRTIO_MMIO_DRIVER_FEATURES     = 0x020,
    VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024,
    VIRTIO_MMIO_GUEST_PAGE_SIZE     = 0x028,    /* legacy */
    VIRTIO_MMIO_QUEUE_SEL           = 0x030,
    VIRTIO_MMIO_QUEUE_NUM_MAX       = 0x034,
    VIRTIO_MMIO_QUEUE_NUM           = 0x038,
    VIRTIO_MMIO_QUEUE_ALIGN         = 0x03c,    /* legacy */
    VIRTIO_MMIO_QUEUE_PFN           = 0x040,    /* legacy */
    VIRTIO_MMIO_QUEUE_READY         = 0x044,
    VIRTIO_MMIO_QUEUE_NOTIFY        = 0x050,
    VIRTIO_MMIO_INTERRUPT_STATUS    = 0x060,
    VIRTIO_MMIO_INTERRUPT_ACK       = 0x064,
    VIRTIO_MMIO_STATUS              = 0x070,
    VIRTIO_MMIO_QUEUE_DESC_LOW      = 0x080,
    VIRTIO_MMIO_QUEUE_DESC_HIGH     = 0x084,
    VIRTIO_MMIO_QUEUE_DRIVER_LOW    = 0x090,
    VIRTIO_MMIO_QUEUE_DRIVER_HIGH   = 0x094,
    VIRTIO_MMIO_QUEUE_DEVICE_LOW    = 0x0a0,
    VIRTIO_MMIO_QUEUE_DEVICE_HIGH   = 0x0a4,
    VIRTIO_MMIO_SHM_SEL             = 0x0ac,
    VIRTIO_MMIO_SHM_LEN_LOW         = 0x0b0,
    VIRTIO_MMIO_SHM_LEN_HIGH        = 0x0b4,
    VIRTIO_MMIO_SHM_BASE_LOW        = 0x0b8,
    VIRTIO_MMIO_SHM_BASE_HIGH       = 0x0bc,
    VIRTIO_MMIO_QUEUE_RESET         = 0x0c0,
    VIRTIO_MMIO_CONFIG_GENERATION   = 0x0fc,
    VIRTIO_MMIO_CONFIG              = 0x100,
};

#define VIRTIO_MMIO_MAGIC       0x74726976u     /* "virt" */
#define VIRTIO_MMIO_VENDOR      0x554d4551u     /* "QEMU" */
/* Queues per device whose legacy QueueAlign/QueuePFN are remembered. */
#define VIRTIO_MMIO_MAX_QUEUES  128

typedef struct VirtioMmio {
    DeviceState dev;
    bool legacy;                /* property force-legacy */
    uint64_t base;
    IRQLine irq;
    MemoryRegion iomem;
    bool mapped;
    VirtioBus bus;
    DeviceBus dbus;
    char *bus_name;

    uint32_t host_features_sel;
    uint32_t guest_features_sel;
    uint64_t guest_features;    /* staged until FEATURES_OK */
    uint32_t queue_sel;
    uint32_t guest_page_shift;  /* legacy GuestPageSize */
    uint32_t legacy_align[VIRTIO_MMIO_MAX_QUEUES];
    uint32_t legacy_pfn[VIRTIO_MMIO_MAX_QUEUES];
} VirtioMmio;

static VirtioMmio *virtio_mmio_from_dev(DeviceState *dev)
{
    return container_of(dev, VirtioMmio, dev);
}

static Log *virtio_mmio_log(VirtioMmio *s)
{
    return s->dev.machine ? &s->dev.machine->log : NULL;
}

#define virtio_mmio_guest_error(s, ...) \
    log_guest(virtio_mmio_log(s), LOG_GUEST_ERROR, __VA_ARGS__)

static void virtio_mmio_update_irq(VirtioBus *bus)
{
    VirtioMmio *s = container_of(bus, VirtioMmio, bus);

    irq_set(&s->irq, bus->vdev && bus->vdev->isr);
}

static const VirtioBusOps virtio_mmio_bus_ops = {
    .update_irq = virtio_mmio_update_irq,
};

/*
 * Transport-side register state back to reset values. A device reset
 * (Status = 0) keeps GuestPageSize: Linux writes it once at probe time,
 * before it resets the device, as QEMU's transport allows; only a
 * machine reset (@full) clears it.
 */
static void virtio_mmio_reset_regs(VirtioMmio *s, bool full)
{
    s->host_features_sel = 0;
    s->guest_features_sel = 0;
    s->guest_features = 0;
    s->queue_sel = 0;
    if (full) {
        s->guest_page_shift = 0;
    }
    for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
        s->legacy_align[i] = 4096;  /* the 0.9.5 default */
        s->legacy_pfn[i] = 0;
    }
}

static VirtQueue *virtio_mmio_queue(VirtioMmio *s)
{
    VirtQueue *vq = virtio_get_queue(s->bus.vdev, s->queue_sel);

    if (!vq) {
        virtio_mmio_guest_error(s, "virtio-mmio@0x%" PRIx64 ": access to "
                                "nonexistent queue %u\n", s->base,
                                s->queue_sel);
    }
    return vq;
}

/* Which layout a register belongs to: 1 legacy only, 2 modern only. */
static int virtio_mmio_reg_layout(uint64_t addr)
{
    switch (addr) {
    case VIRTIO_MMIO_GUEST_PAGE_SIZE:
    case VIRTIO_MMIO_QUEUE_ALIGN:
    case VIRTIO_MMIO_QUEUE_PFN:
        return 1;
    case VIRTIO_MMIO_QUEUE_READY:
    case VIRTIO_MMIO_QUEUE_DESC_LOW ... VIRTIO_MMIO_CONFIG_GENERATION:
        return 2;
    default:
        return 0;
    }
}

static bool virtio_mmio_reg_ok(VirtioMmio *s, uint64_t addr, unsigned size,
                               bool is_write)
{
    int layout = virtio_mmio_reg_layout(addr);

    if (size != 4 || addr % 4) {
        virtio_mmio_guest_error(s, "virtio-mmio@0x%" PRIx64 ": %u-byte %s "
                                "at register 0x%" PRIx64 "\n", s->base, size,
                                is_write ? "write" : "read", addr);
        return false;
    }
    if ((layout == 1 && !s->legacy) || (layout == 2 && s->legacy)) {
        virtio_mmio_guest_error(s, "virtio-mmio@0x%" PRIx64 ": register "
                                "0x%" PRIx64 " does not exist in the %s "
                                "layout\n", s->base, addr,
                                s->legacy ? "legacy" : "version 2");
        return false;
    }
    return true;
}

static uint64_t virtio_mmio_read(void *opaque, uint64_t addr, unsigned size)
{
    VirtioMmio *s = opaque;
    VirtioDevice *vdev = s->bus.vdev;
    VirtQueue *vq;
    uint64_t f;

    if (addr >= VIRTIO_MMIO_CONFIG) {
        return vdev ? virtio_config_read(vdev, addr - VIRTIO_MMIO_CONFIG,
                                         size)
                    : 0;
    }
    if (!virtio_mmio_reg_ok(s, addr, size, false)) {
        return 0;
    }
    switch (addr) {
    case VIRTIO_MMIO_MAGIC_VALUE:
        return VIRTIO_MMIO_MAGIC;
    case VIRTIO_MMIO_VERSION:
        return s->legacy ? 1 : 2;
    case VIRTIO_MMIO_DEVICE_ID:
        return vdev ? vdev->device_id : 0;
    case VIRTIO_MMIO_VENDOR_ID:
        return VIRTIO_MMIO_VENDOR;
    }
    if (!vdev) {
        return 0;   /* an empty slot: everything else reads as zero */
    }
    switch (addr) {
    case VIRTIO_MMIO_DEVICE_FEATURES:
        f = virtio_host_features(vdev);
        return s->host_features_sel == 0 ? (uint32_t)f
             : s->host_features_sel == 1 ? (uint32_t)(f >> 32) : 0;
    case VIRTIO_MMIO_QUEUE_NUM_MAX:
        vq = virtio_get_queue(vdev, s->queue_sel);
        return vq ? vq->num_max : 0;
    case VIRTIO_MMIO_QUEUE_PFN:
        return s->queue_sel < VIRTIO_MMIO_MAX_QUEUES
               ? s->legacy_pfn[s->queue_sel] : 0;
    case VIRTIO_MMIO_QUEUE_READY:
        vq = virtio_get_queue(vdev, s->queue_sel);
        return vq ? vq->ready : 0;
    case VIRTIO_MMIO_INTERRUPT_STATUS:
        return vdev->isr;
    case VIRTIO_MMIO_STATUS:
        return vdev->status;
    case VIRTIO_MMIO_SHM_LEN_LOW:
    case VIRTIO_MMIO_SHM_LEN_HIGH:
    case VIRTIO_MMIO_SHM_BASE_LOW:
    case VIRTIO_MMIO_SHM_BASE_HIGH:
        /* No shared memory regions: length -1 means "none" (§4.2.2.1). */
        return UINT32_MAX;
    case VIRTIO_MMIO_CONFIG_GENERATION:
        return vdev->config_generation;
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
    case VIRTIO_MMIO_DRIVER_FEATURES:
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
    case VIRTIO_MMIO_GUEST_PAGE_SIZE:
    case VIRTIO_MMIO_QUEUE_SEL:
    case VIRTIO_MMIO_QUEUE_NUM:
    case VIRTIO_MMIO_QUEUE_ALIGN:
    case VIRTIO_MMIO_QUEUE_NOTIFY:
    case VIRTIO_MMIO_INTERRUPT_ACK:
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
    case VIRTIO_MMIO_SHM_SEL:
        virtio_mmio_guest_error(s, "virtio-mmio@0x%" PRIx64 ": read of "
                                "write-only register 0x%" PRIx64 "\n",
                                s->base, addr);
        return 0;
    default:
        virtio_mmio_guest_error(s, "virtio-mmio@0x%" PRIx64 ": read of "
                                "unknown register 0x%" PRIx64 "\n", s->base,
                                addr);
        return 0;
    }
}

/* Legacy QueuePFN: the whole 0.9.5 ring at PFN << page shift. */
static void virtio_mmio_set_pfn(VirtioMmio *s, VirtQueue *vq, uint32_t pfn)
{
    uint32_t align = s->legacy_align[vq->index];
    uint64_t desc, avail, used;

    s->legacy_pfn[vq->index] = pfn;
    virtio_queue_set_ready(vq, false);
    if (pfn == 0) {
        virtio_queue_reset(vq);
        return;
    }
    if (!IS_POW2(align)) {
        virtio_error(vq->vdev, "queue %u: QueueAlign %u is not a power of "
                     "two", vq->index, align);
        return;
    }
    desc = (uint64_t)pfn << s->guest_page_shift;
    avail = desc + virtq_desc_size(vq->num);
    used = ALIGN_UP(avail + virtq_avail_size(vq->num), (uint64_t)align);
    virtio_queue_set_rings(vq, desc, avail, used);
    virtio_queue_set_ready(vq, true);
}

/* Replace the low or high half of a 64-bit ring address. */
static uint64_t virtio_mmio_set_half(uint64_t old, uint32_t value, bool high)
{
    return high ? (old & 0xffffffffULL) | ((uint64_t)value << 32)
                : (old & ~0xffffffffULL) | value;
}

static void virtio_mmio_write_queue_addr(VirtioMmio *s, uint64_t addr,
                                         uint32_t value)
{
    VirtQueue *vq = virtio_mmio_queue(s);
    bool high = addr & 4;
    uint64_t desc, avail, used;

    if (!vq) {
        return;
    }
    if (vq->ready) {
        virtio_mmio_guest_error(s, "virtio-mmio@0x%" PRIx64 ": ring address "
                                "of ready queue %u changed\n", s->base,
                                vq->index);
    }
    desc = vq->desc_addr;
    avail = vq->avail_addr;
    used = vq->used_addr;
    switch (addr & ~4ULL) {
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
        desc = virtio_mmio_set_half(desc, value, high);
        break;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
        avail = virtio_mmio_set_half(avail, value, high);
        break;
    default:
        used = virtio_mmio_set_half(used, value, high);
        break;
    }
    virtio_queue_set_rings(vq, desc, avail, used);
}

static void virtio_mmio_write(void *opaque, uint64_t addr, uint64_t value,
                              unsigned size)
{
    VirtioMmio *s = opaque;
    VirtioDevice *vdev = s->bus.vdev;
    VirtQueue *vq;
    unsigned shift;

    if (!vdev) {
        return;     /* an empty slot ignores writes */
    }
    if (addr >= VIRTIO_MMIO_CONFIG) {
        virtio_config_write(vdev, addr - VIRTIO_MMIO_CONFIG, value, size);
        return;
    }
    if (!virtio_mmio_reg_ok(s, addr, size, true)) {
        return;
    }
    switch (addr) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        s->host_features_sel = value;
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        if (s->guest_features_sel > 1) {
            break;
        }
        shift = 32 * s->guest_features_sel;
        s->guest_features = (s->guest_features & ~(0xffffffffULL << shift)) |
                            ((uint64_t)(uint32_t)value << shift);
        if (s->legacy) {
            virtio_set_features(vdev, s->guest_features);
        }
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        s->guest_features_sel = value;
        break;
    case VIRTIO_MMIO_GUEST_PAGE_SIZE:
        if (!IS_POW2((uint32_t)value)) {
            virtio_mmio_guest_error(s, "virtio-mmio@0x%" PRIx64 ": "
                                    "GuestPageSize %u is not a power of "
                                    "two\n", s->base, (uint32_t)value);
            break;
        }
        s->guest_page_shift = __builtin_ctz((uint32_t)value);
        break;
    case VIRTIO_MMIO_QUEUE_SEL:
        s->queue_sel = value;
        break;
    case VIRTIO_MMIO_QUEUE_NUM:
        vq = virtio_mmio_queue(s);
        if (vq) {
            virtio_queue_set_num(vq, value);
        }
        break;
    case VIRTIO_MMIO_QUEUE_ALIGN:
        if (s->queue_sel < VIRTIO_MMIO_MAX_QUEUES) {
            s->legacy_align[s->queue_sel] = value;
        }
        break;
    case VIRTIO_MMIO_QUEUE_PFN:
        vq = virtio_mmio_queue(s);
        if (vq && vq->index < VIRTIO_MMIO_MAX_QUEUES) {
            virtio_mmio_set_pfn(s, vq, value);
        }
        break;
    case VIRTIO_MMIO_QUEUE_READY:
        vq = virtio_mmio_queue(s);
        if (vq) {
            virtio_queue_set_ready(vq, value & 1);
        }
        break;
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        virtio_queue_notify(vdev, (uint32_t)value);
        break;
    case VIRTIO_MMIO_INTERRUPT_ACK:
        virtio_isr_ack(vdev, value);
        break;
    case VIRTIO_MMIO_STATUS:
        virtio_set_status(vdev, value & 0xff, s->guest_features);
        if ((value & 0xff) == 0) {
            virtio_mmio_reset_regs(s, false);
        }
        break;
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        virtio_mmio_write_queue_addr(s, addr, value);
        break;
    case VIRTIO_MMIO_SHM_SEL:
        break;      /* there are no regions to select */
    default:
        virtio_mmio_guest_error(s, "virtio-mmio@0x%" PRIx64 ": write 0x%"
                                PRIx64 " to %s register 0x%" PRIx64 "\n",
                                s->base, value,
                                addr == VIRTIO_MMIO_QUEUE_RESET
                                ? "unsupported" : "read-only or unknown",
                                addr);
        break;
    }
}

static const MemoryRegionOps virtio_mmio_ops = {
    .read = virtio_mmio_read,
    .write = virtio_mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

/*
 * Bus plugging. The machine offers a virtio device to each virtio bus in
 * registration order; the first virtio-mmio bus it asks picks the
 * last-registered free slot among itself and the buses after it, so
 * slots fill from the last created down, as in QEMU.
 */
static bool virtio_mmio_bus_plug(DeviceBus *dbus, DeviceState *dev,
                                 Error **errp);

static bool virtio_mmio_slot_free(DeviceBus *dbus)
{
    VirtioMmio *s = dbus->opaque;

    return !s->bus.vdev;
}

static bool virtio_mmio_bus_plug(DeviceBus *dbus, DeviceState *dev,
                                 Error **errp)
{
    VirtioDevice *vdev = container_of(dev, VirtioDevice, dev);
    DeviceBus *pick = NULL;
    VirtioMmio *s;

    for (DeviceBus *b = dbus; b; b = b->next) {
        if (b->plug == virtio_mmio_bus_plug && virtio_mmio_slot_free(b)) {
            pick = b;
        }
    }
    if (!pick) {
        return false;   /* the machine reports "No 'virtio-bus' bus ..." */
    }
    s = pick->opaque;
    /* Only a pointer from the device to the slot for now: the slot shows
     * the device once its realize succeeds (virtio_attach()). */
    vdev->bus = &s->bus;
    dev->bus_parent = &s->dev;
    return true;
}

static bool virtio_mmio_realize(DeviceState *dev, Error **errp)
{
    VirtioMmio *s = virtio_mmio_from_dev(dev);
    Machine *m = dev->machine;
    char *name = xasprintf("virtio-mmio@%" PRIx64, s->base);

    memory_region_init_io(&s->iomem, name, &virtio_mmio_ops, s,
                          VIRTIO_MMIO_REGION_SIZE);
    free(name);
    memory_region_add_subregion(&m->system_memory, s->base, &s->iomem);
    s->mapped = true;
    s->bus.ops = &virtio_mmio_bus_ops;
    s->bus.legacy = s->legacy;
    virtio_mmio_reset_regs(s, true);

    /* QEMU names the buses virtio-mmio-bus.N in creation order. */
    {
        unsigned n = 0;

        for (DeviceBus *b = m->buses; b; b = b->next) {
            n += b->plug == virtio_mmio_bus_plug;
        }
        s->bus_name = xasprintf("virtio-mmio-bus.%u", n);
    }
    s->dbus.kind = DEVICE_BUS_VIRTIO;
    s->dbus.name = s->bus_name;
    s->dbus.plug = virtio_mmio_bus_plug;
    s->dbus.opaque = s;
    machine_add_bus(m, &s->dbus);
    return true;
}

static void virtio_mmio_unrealize(DeviceState *dev)
{
    VirtioMmio *s = virtio_mmio_from_dev(dev);

    /* The plugged device may outlive us (machine teardown frees devices
     * in creation order): cut its link to this slot. */
    if (s->bus.vdev) {
        s->bus.vdev->bus = NULL;
        s->bus.vdev = NULL;
    }
    if (s->mapped) {
        memory_region_del_subregion(&dev->machine->system_memory, &s->iomem);
        s->mapped = false;
    }
    memory_region_finalize(&s->iomem);
    free(s->bus_name);
    s->bus_name = NULL;
}

static void virtio_mmio_reset(DeviceState *dev)
{
    VirtioMmio *s = virtio_mmio_from_dev(dev);

    /* The plugged device resets itself (it is on the machine's list);
     * the transport only forgets its own registers. */
    virtio_mmio_reset_regs(s, true);
}

static const Property virtio_mmio_props[] = {
    DEFINE_PROP_BOOL("force-legacy", VirtioMmio, legacy, true,
                     "use the legacy (version 1) register layout"),
    DEFINE_PROP_UINT64("addr", VirtioMmio, base, 0,
                       "guest-physical base address"),
    DEFINE_PROP_END,
};

const DeviceType virtio_mmio_type = {
    .name = "virtio-mmio",
    .desc = "virtio-mmio transport",
    .category = "Misc devices",
    .bus = DEVICE_BUS_NONE,
    .instance_size = sizeof(VirtioMmio),
    .props = virtio_mmio_props,
    .user_creatable = false,
    .realize = virtio_mmio_realize,
    .unrealize = virtio_mmio_unrealize,
    .reset = virtio_mmio_reset,
};

DeviceState *virtio_mmio_create(Machine *m, uint64_t base, IRQLine irq,
                                VirtioMmioLayout layout, Error **errp)
{
    DeviceState *dev = device_new(m, &virtio_mmio_type);
    VirtioMmio *s = virtio_mmio_from_dev(dev);

    s->base = base;
    s->irq = irq;
    if (layout != VIRTIO_MMIO_LAYOUT_DEFAULT) {
        s->legacy = layout == VIRTIO_MMIO_LEGACY;
    }
    if (!machine_realize_device(m, dev, errp)) {
        device_free(dev);
        return NULL;
    }
    return dev;
}

uint32_t virtio_mmio_device_id(DeviceState *transport)
{
    VirtioMmio *s = virtio_mmio_from_dev(transport);

    return s->bus.vdev ? s->bus.vdev->device_id : 0;
}
