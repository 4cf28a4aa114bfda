/*
 * hw/virtio/virtio.c — the virtio core: split virtqueues (virtio 1.2
 * §2.7), feature negotiation (§2.2, §3.1), device status and reset
 * (§2.1, §2.4), the config space (§2.5) and guest-error handling.
 *
 * Split ring in guest memory, for a queue of Queue Size N (§2.7):
 *   descriptor table  16*N bytes   {le64 addr; le32 len; le16 flags, next}
 *   available ring    6+2*N        {flags; idx; ring[N]; used_event}
 *   used ring         6+8*N        {flags; idx; ring[N] {le32 id, len};
 *                                   avail_event}
 * The driver produces at avail->idx, the device consumes from
 * last_avail_idx; the device produces at used_idx and publishes it in
 * used->idx. All indexes are free-running 16-bit counters taken modulo N
 * (N is a power of two, §2.7).
 *
 * Memory ordering with the guest's vCPUs (§2.7.13, §2.7.7): read
 * avail->idx, then a read barrier, then the ring entries and
 * descriptors; write the used entry, a write barrier, then used->idx;
 * a full barrier between publishing used->idx and reading the driver's
 * interrupt suppression (flags / used_event), and between re-enabling
 * notifications and re-checking avail->idx.
 *
 * Every guest-controlled value is validated here; see virtio.h for the
 * list and for what a violation does (virtio_error()).
 */
#include "hw/virtio/virtio.h"
#include "exec/memory.h"
#include "hw/core/machine.h"
#include "util/log.h"

#include <stdarg.h>

/* One descriptor as the guest wrote it (§2.7.5). */
typedef struct VirtqDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VirtqDesc;

#define virtio_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define virtio_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define virtio_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

const char *virtio_name(const VirtioDevice *vdev)
{
    return vdev->dev.type ? vdev->dev.type->name : "virtio";
}

void virtio_error(VirtioDevice *vdev, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_guest(vdev->log, LOG_GUEST_ERROR, "%s: %s\n", virtio_name(vdev), msg);
    if (vdev->broken) {
        return;
    }
    vdev->broken = true;
    if (virtio_is_modern(vdev)) {
        vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
        virtio_notify_config(vdev);
    }
}

/* --- guest memory --- */

/*
 * Host pointer to guest-physical @addr if it is RAM (or ROM, when the
 * device only reads), with *plen set to how much of @len is contiguous
 * there and @ref to the RAM block (for write notification).
 */
static uint8_t *virtio_map(VirtioDevice *vdev, uint64_t addr, uint64_t len,
                           bool is_write, uint64_t *plen,
                           VirtQueueRamRef *ref)
{
    MemoryRegionSection sec;
    MemoryRegion *mr;
    uint8_t *base;
    uint64_t in_range;

    if (!vdev->as || !address_space_lookup(vdev->as, addr, &sec)) {
        return NULL;
    }
    mr = sec.mr;
    if (mr->kind != MR_RAM && (is_write || mr->kind != MR_ROM)) {
        return NULL;
    }
    base = memory_region_get_ram_ptr(mr);
    if (!base) {
        return NULL;
    }
    in_range = sec.size - (addr - sec.start);
    *plen = MIN(len, in_range);
    base += sec.offset_in_region + (addr - sec.start);
    if (ref) {
        ref->block = mr->ram_block;
        ref->offset = mr->ram_block ? (uint64_t)(base - mr->ram_block->host)
                                    : 0;
    }
    return base;
}

/* Map [addr, addr+len) as one piece, or NULL. */
static uint8_t *virtio_map_whole(VirtioDevice *vdev, uint64_t addr,
                                 uint64_t len, bool is_write,
                                 VirtQueueRamRef *ref)
{
    uint64_t got;
    uint8_t *p;

    if (len > UINT64_MAX - addr) {
        return NULL;
    }
    p = virtio_map(vdev, addr, len, is_write, &got, ref);
    return p && got == len ? p : NULL;
}

/* (Re)map the rings of a ready queue if the memory map changed. */
static bool virtqueue_map_rings(VirtQueue *vq)
{
    VirtioDevice *vdev = vq->vdev;
    VirtQueueRamRef used_ref;

    if (vq->mapped && vq->map_generation == vdev->as->generation) {
        return true;
    }
    vq->mapped = false;
    vq->desc = virtio_map_whole(vdev, vq->desc_addr,
                                virtq_desc_size(vq->num), false, NULL);
    vq->avail = virtio_map_whole(vdev, vq->avail_addr,
                                 virtq_avail_size(vq->num), false, NULL);
    vq->used = virtio_map_whole(vdev, vq->used_addr,
                                virtq_used_size(vq->num), true, &used_ref);
    if (!vq->desc || !vq->avail || !vq->used) {
        virtio_error(vdev, "queue %u: ring outside RAM (desc 0x%" PRIx64
                     " avail 0x%" PRIx64 " used 0x%" PRIx64 ", size %u)",
                     vq->index, vq->desc_addr, vq->avail_addr, vq->used_addr,
                     vq->num);
        return false;
    }
    vq->used_block = used_ref.block;
    vq->used_block_offset = used_ref.offset;
    vq->map_generation = vdev->as->generation;
    vq->mapped = true;
    return true;
}

/* --- ring field access (host is little-endian, as the rings are) --- */

static uint16_t vring_avail_flags(VirtQueue *vq)
{
    return __atomic_load_n((uint16_t *)vq->avail, __ATOMIC_RELAXED);
}

static uint16_t vring_avail_idx(VirtQueue *vq)
{
    return __atomic_load_n((uint16_t *)(vq->avail + 2), __ATOMIC_RELAXED);
}

static uint16_t vring_avail_ring(VirtQueue *vq, unsigned i)
{
    return __atomic_load_n((uint16_t *)(vq->avail + 4 + 2 * i),
                           __ATOMIC_RELAXED);
}

static uint16_t vring_used_event(VirtQueue *vq)
{
    return vring_avail_ring(vq, vq->num);
}

static void vring_used_write16(VirtQueue *vq, uint64_t offset, uint16_t v)
{
    __atomic_store_n((uint16_t *)(vq->used + offset), v, __ATOMIC_RELAXED);
    ram_block_notify_write(vq->used_block, vq->used_block_offset + offset, 2);
}

static void vring_set_avail_event(VirtQueue *vq, uint16_t v)
{
    vring_used_write16(vq, 4 + 8ULL * vq->num, v);
}

static void vring_set_used_flags(VirtQueue *vq, uint16_t flags)
{
    vring_used_write16(vq, 0, flags);
}

static void vring_read_desc(const uint8_t *table, unsigned i, VirtqDesc *d)
{
    memcpy(d, table + 16 * (size_t)i, sizeof(*d));
}

/* --- set-up --- */

void virtio_init(VirtioDevice *vdev, const VirtioDeviceOps *ops,
                 uint16_t device_id, size_t config_len)
{
    vdev->ops = ops;
    vdev->device_id = device_id;
    if (vdev->dev.machine) {
        vdev->as = &vdev->dev.machine->address_space;
        vdev->log = &vdev->dev.machine->log;
    }
    vdev->host_features |= virtio_bit(VIRTIO_F_VERSION_1) |
                           virtio_bit(VIRTIO_F_RING_INDIRECT_DESC) |
                           virtio_bit(VIRTIO_F_RING_EVENT_IDX);
    vdev->config_len = config_len;
    vdev->config = config_len ? xzalloc(config_len) : NULL;
}

VirtQueue *virtio_add_queue(VirtioDevice *vdev, unsigned num_max,
                            VirtQueueHandler *handler)
{
    VirtQueue *vq = XNEW(VirtQueue);

    vq->vdev = vdev;
    vq->index = vdev->nr_vqs;
    vq->handler = handler;
    vq->num_max = MIN(num_max, VIRTQUEUE_MAX_SIZE);
    vq->num = vq->num_max;
    vq->notification = true;
    vdev->vqs = xrealloc(vdev->vqs, (vdev->nr_vqs + 1) * sizeof(vq));
    vdev->vqs[vdev->nr_vqs++] = vq;
    if (!vdev->scratch_iov) {
        vdev->scratch_iov = XNEW_ARRAY(struct iovec, VIRTQUEUE_MAX_IOV);
        vdev->scratch_ram = XNEW_ARRAY(VirtQueueRamRef, VIRTQUEUE_MAX_IOV);
        vdev->scratch_is_write = XNEW_ARRAY(bool, VIRTQUEUE_MAX_IOV);
    }
    return vq;
}

bool virtio_attach(VirtioDevice *vdev, Error **errp)
{
    if (vdev->bus) {
        vdev->bus->vdev = vdev;
    }
    virtio_reset(vdev);
    return true;
}

void virtio_cleanup(VirtioDevice *vdev)
{
    if (vdev->bus) {
        if (vdev->bus->vdev == vdev) {
            vdev->isr = 0;
            vdev->bus->ops->update_irq(vdev->bus);
            vdev->bus->vdev = NULL;
        }
        vdev->bus = NULL;
    }
    for (unsigned i = 0; i < vdev->nr_vqs; i++) {
        free(vdev->vqs[i]);
    }
    free(vdev->vqs);
    free(vdev->scratch_iov);
    free(vdev->scratch_ram);
    free(vdev->scratch_is_write);
    vdev->scratch_iov = NULL;
    vdev->scratch_ram = NULL;
    vdev->scratch_is_write = NULL;
    vdev->vqs = NULL;
    vdev->nr_vqs = 0;
    free(vdev->config);
    vdev->config = NULL;
}

/* --- features, status, reset, interrupts --- */

static void virtio_update_irq(VirtioDevice *vdev)
{
    if (vdev->bus && vdev->bus->vdev == vdev) {
        vdev->bus->ops->update_irq(vdev->bus);
    }
}

uint64_t virtio_host_features(const VirtioDevice *vdev)
{
    uint64_t f = vdev->host_features;

    if (vdev->bus && vdev->bus->legacy) {
        /* A legacy interface offers no 1.x bits (§7.2.1), but may offer
         * ANY_LAYOUT: every device here is layout-independent. */
        f &= 0xffffffffULL;
        f |= virtio_bit(VIRTIO_F_ANY_LAYOUT);
    }
    return f;
}

void virtio_set_features(VirtioDevice *vdev, uint64_t features)
{
    uint64_t offered = virtio_host_features(vdev);

    if (features & ~offered) {
        log_guest(vdev->log, LOG_GUEST_ERROR, "%s: driver accepted features "
                  "0x%" PRIx64 " that were not offered\n", virtio_name(vdev),
                  features & ~offered);
    }
    vdev->guest_features = features & offered;
    if (vdev->ops->set_features) {
        vdev->ops->set_features(vdev, vdev->guest_features);
    }
}

/*
 * §2.2.1/§3.1.1: the device must refuse FEATURES_OK for features it did
 * not offer; a modern transport also requires VERSION_1 (§7.2.1).
 */
static bool virtio_features_acceptable(VirtioDevice *vdev, uint64_t features)
{
    uint64_t offered = virtio_host_features(vdev);

    if (features & ~offered) {
        log_guest(vdev->log, LOG_GUEST_ERROR, "%s: FEATURES_OK refused: "
                  "features 0x%" PRIx64 " were not offered\n",
                  virtio_name(vdev), features & ~offered);
        return false;
    }
    if (!(features & virtio_bit(VIRTIO_F_VERSION_1))) {
        log_guest(vdev->log, LOG_GUEST_ERROR, "%s: FEATURES_OK refused: "
                  "a virtio 1.x transport needs VIRTIO_F_VERSION_1\n",
                  virtio_name(vdev));
        return false;
    }
    return true;
}

void virtio_set_status(VirtioDevice *vdev, uint8_t status, uint64_t features)
{
    uint8_t old = vdev->status;

    if (status == 0) {
        virtio_reset(vdev);
        return;
    }
    if (vdev->bus && !vdev->bus->legacy &&
        (status & VIRTIO_CONFIG_S_FEATURES_OK) &&
        !(old & VIRTIO_CONFIG_S_FEATURES_OK)) {
        if (virtio_features_acceptable(vdev, features)) {
            virtio_set_features(vdev, features);
        } else {
            status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
        }
    }
    /* NEEDS_RESET belongs to the device: only a reset clears it. */
    vdev->status = status | (old & VIRTIO_CONFIG_S_NEEDS_RESET);
    if (vdev->ops->set_status) {
        vdev->ops->set_status(vdev, vdev->status);
    }
}

void virtio_queue_reset(VirtQueue *vq)
{
    vq->ready = false;
    vq->num = vq->num_max;
    vq->desc_addr = vq->avail_addr = vq->used_addr = 0;
    vq->last_avail_idx = vq->shadow_avail_idx = 0;
    vq->used_idx = 0;
    vq->signalled_used = 0;
    vq->signalled_used_valid = false;
    vq->notification = true;
    vq->inuse = 0;
    vq->mapped = false;
    vq->desc = vq->avail = vq->used = NULL;
    vq->used_block = NULL;
    vq->reset_count++;
}

void virtio_reset(VirtioDevice *vdev)
{
    if (vdev->ops && vdev->ops->reset) {
        vdev->ops->reset(vdev);
    }
    for (unsigned i = 0; i < vdev->nr_vqs; i++) {
        virtio_queue_reset(vdev->vqs[i]);
    }
    vdev->status = 0;
    vdev->guest_features = 0;
    vdev->broken = false;
    vdev->isr = 0;
    virtio_update_irq(vdev);
}

void virtio_isr_ack(VirtioDevice *vdev, uint8_t bits)
{
    vdev->isr &= ~bits;
    virtio_update_irq(vdev);
}

void virtio_notify_config(VirtioDevice *vdev)
{
    if (!(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    vdev->config_generation++;
    vdev->isr |= VIRTIO_ISR_CONFIG;
    virtio_update_irq(vdev);
}

/* --- config space --- */

uint32_t virtio_config_read(VirtioDevice *vdev, uint32_t offset,
                            unsigned size)
{
    uint32_t v = 0;

    if (size > 4 || offset > vdev->config_len ||
        size > vdev->config_len - offset) {
        return UINT32_MAX;
    }
    if (vdev->ops->get_config) {
        vdev->ops->get_config(vdev, vdev->config);
    }
    memcpy(&v, vdev->config + offset, size);
    return v;
}

void virtio_config_write(VirtioDevice *vdev, uint32_t offset,
                         uint32_t value, unsigned size)
{
    if (size > 4 || offset > vdev->config_len ||
        size > vdev->config_len - offset) {
        return;
    }
    if (vdev->ops->get_config) {
        vdev->ops->get_config(vdev, vdev->config);
    }
    memcpy(vdev->config + offset, &value, size);
    if (vdev->ops->set_config) {
        vdev->ops->set_config(vdev, vdev->config);
    }
}

/* --- queue registers --- */

VirtQueue *virtio_get_queue(VirtioDevice *vdev, unsigned n)
{
    return n < vdev->nr_vqs ? vdev->vqs[n] : NULL;
}

void virtio_queue_set_num(VirtQueue *vq, unsigned num)
{
    /* Checked when the queue is enabled; keep what the driver wrote,
     * clamped to the register width, so a read-back shows it. */
    vq->num = MIN(num, 0xffffu);
}

void virtio_queue_set_rings(VirtQueue *vq, uint64_t desc, uint64_t avail,
                            uint64_t used)
{
    vq->desc_addr = desc;
    vq->avail_addr = avail;
    vq->used_addr = used;
    vq->mapped = false;
}

void virtio_queue_set_ready(VirtQueue *vq, bool ready)
{
    VirtioDevice *vdev = vq->vdev;

    if (!ready) {
        vq->ready = false;
        vq->mapped = false;
        return;
    }
    if (vq->ready) {
        return;
    }
    if (vq->num == 0 || vq->num > vq->num_max || !IS_POW2(vq->num)) {
        virtio_error(vdev, "queue %u: invalid size %u (max %u, must be a "
                     "power of two)", vq->index, vq->num, vq->num_max);
        return;
    }
    if (vq->desc_addr % VIRTQ_DESC_ALIGN ||
        vq->avail_addr % VIRTQ_AVAIL_ALIGN ||
        vq->used_addr % VIRTQ_USED_ALIGN) {
        virtio_error(vdev, "queue %u: misaligned ring (desc 0x%" PRIx64
                     " avail 0x%" PRIx64 " used 0x%" PRIx64 ")", vq->index,
                     vq->desc_addr, vq->avail_addr, vq->used_addr);
        return;
    }
    vq->last_avail_idx = vq->shadow_avail_idx = 0;
    vq->used_idx = 0;
    vq->signalled_used_valid = false;
    vq->inuse = 0;
    vq->mapped = false;
    vq->ready = true;
    virtqueue_map_rings(vq);
}

void virtio_queue_notify(VirtioDevice *vdev, unsigned n)
{
    VirtQueue *vq = virtio_get_queue(vdev, n);

    if (vdev->broken) {
        return;
    }
    if (!vq || !vq->handler) {
        virtio_error(vdev, "notify for nonexistent queue %u", n);
        return;
    }
    if (!vq->ready) {
        log_guest(vdev->log, LOG_GUEST_ERROR, "%s: notify for queue %u, "
                  "which is not ready\n", virtio_name(vdev), n);
        return;
    }
    vq->handler(vdev, vq);
}

/* --- elements --- */

/* Number of available entries not yet taken, or -1 if the index is bad. */
static int virtqueue_num_heads(VirtQueue *vq)
{
    uint16_t avail = vring_avail_idx(vq);
    uint16_t n = avail - vq->last_avail_idx;

    if (n > vq->num) {
        virtio_error(vq->vdev, "queue %u: available index moved from %u "
                     "to %u (queue size %u)", vq->index, vq->last_avail_idx,
                     avail, vq->num);
        return -1;
    }
    vq->shadow_avail_idx = avail;
    if (n) {
        virtio_rmb();   /* ring entries after the index */
    }
    return n;
}

bool virtqueue_empty(VirtQueue *vq)
{
    if (!vq->ready || vq->vdev->broken || !virtqueue_map_rings(vq)) {
        return true;
    }
    if (vq->shadow_avail_idx != vq->last_avail_idx) {
        return false;
    }
    return virtqueue_num_heads(vq) <= 0;
}

/* Chain walk state: the scratch arrays filled so far. */
typedef struct ChainWalk {
    VirtQueue *vq;
    unsigned niov;
    unsigned nout;
    bool seen_write;
    uint64_t out_len;
    uint64_t in_len;
} ChainWalk;

/* Add one descriptor's buffer to the walk. False (device broken) if bad. */
static bool chain_add_buffer(ChainWalk *w, const VirtqDesc *d)
{
    VirtQueue *vq = w->vq;
    bool is_write = d->flags & VIRTQ_DESC_F_WRITE;
    uint64_t addr = d->addr, left = d->len;

    if (is_write) {
        w->seen_write = true;
    } else if (w->seen_write) {
        virtio_error(vq->vdev, "queue %u: device-readable descriptor after "
                     "a device-writable one", vq->index);
        return false;
    }
    if (left > UINT64_MAX - addr) {
        virtio_error(vq->vdev, "queue %u: descriptor 0x%" PRIx64 "+%" PRIu64
                     " wraps around", vq->index, addr, left);
        return false;
    }
    while (left) {
        uint64_t got;
        uint8_t *p;

        if (w->niov == VIRTQUEUE_MAX_IOV) {
            virtio_error(vq->vdev, "queue %u: descriptor chain needs more "
                         "than %u buffers", vq->index, VIRTQUEUE_MAX_IOV);
            return false;
        }
        p = virtio_map(vq->vdev, addr, left, is_write, &got,
                       &vq->vdev->scratch_ram[w->niov]);
        if (!p) {
            virtio_error(vq->vdev, "queue %u: %s buffer at 0x%" PRIx64
                         " (%" PRIu64 " bytes) is not in RAM", vq->index,
                         is_write ? "writable" : "readable", addr, left);
            return false;
        }
        vq->vdev->scratch_iov[w->niov] = (struct iovec){ p, got };
        vq->vdev->scratch_is_write[w->niov] = is_write;
        w->niov++;
        if (is_write) {
            w->in_len += got;
        } else {
            w->nout++;
            w->out_len += got;
        }
        addr += got;
        left -= got;
    }
    return true;
}

/* Walk an indirect table (§2.7.5.3) described by descriptor @d. */
static bool chain_walk_indirect(ChainWalk *w, const VirtqDesc *d)
{
    VirtQueue *vq = w->vq;
    VirtioDevice *vdev = vq->vdev;
    const uint8_t *table;
    unsigned n, i = 0, count = 0;
    VirtqDesc id;

    if (!virtio_has_feature(vdev, VIRTIO_F_RING_INDIRECT_DESC)) {
        virtio_error(vdev, "queue %u: indirect descriptor without "
                     "VIRTIO_F_INDIRECT_DESC", vq->index);
        return false;
    }
    if (d->flags & VIRTQ_DESC_F_NEXT) {
        virtio_error(vdev, "queue %u: descriptor has both INDIRECT and "
                     "NEXT", vq->index);
        return false;
    }
    if (d->len == 0 || d->len % 16 || d->len / 16 > VIRTQUEUE_MAX_SIZE) {
        virtio_error(vdev, "queue %u: invalid indirect table size %u",
                     vq->index, d->len);
        return false;
    }
    n = d->len / 16;
    table = virtio_map_whole(vdev, d->addr, d->len, false, NULL);
    if (!table) {
        virtio_error(vdev, "queue %u: indirect table at 0x%" PRIx64
                     " is not in RAM", vq->index, d->addr);
        return false;
    }
    for (;;) {
        vring_read_desc(table, i, &id);
        if (id.flags & VIRTQ_DESC_F_INDIRECT) {
            virtio_error(vdev, "queue %u: nested indirect descriptor",
                         vq->index);
            return false;
        }
        if (++count > n) {
            virtio_error(vdev, "queue %u: loop in indirect descriptor "
                         "table", vq->index);
            return false;
        }
        if (!chain_add_buffer(w, &id)) {
            return false;
        }
        if (!(id.flags & VIRTQ_DESC_F_NEXT)) {
            return true;
        }
        i = id.next;
        if (i >= n) {
            virtio_error(vdev, "queue %u: indirect descriptor index %u out "
                         "of range (table of %u)", vq->index, i, n);
            return false;
        }
    }
}

/* Walk the chain starting at descriptor @head (§2.7.5, §2.7.13.2). */
static bool chain_walk(ChainWalk *w, unsigned head)
{
    VirtQueue *vq = w->vq;
    unsigned i = head, count = 0;
    VirtqDesc d;

    for (;;) {
        vring_read_desc(vq->desc, i, &d);
        if (++count > vq->num) {
            virtio_error(vq->vdev, "queue %u: loop in descriptor chain "
                         "(head %u)", vq->index, head);
            return false;
        }
        /* Zero or more direct descriptors may precede one indirect one
         * (§2.7.5.3.2); it ends the chain. */
        if (d.flags & VIRTQ_DESC_F_INDIRECT) {
            return chain_walk_indirect(w, &d);
        }
        if (!chain_add_buffer(w, &d)) {
            return false;
        }
        if (!(d.flags & VIRTQ_DESC_F_NEXT)) {
            return true;
        }
        i = d.next;
        if (i >= vq->num) {
            virtio_error(vq->vdev, "queue %u: descriptor index %u out of "
                         "range (queue size %u)", vq->index, i, vq->num);
            return false;
        }
    }
}

void *virtqueue_pop(VirtQueue *vq, size_t size)
{
    VirtioDevice *vdev = vq->vdev;
    ChainWalk w = { .vq = vq };
    VirtQueueElement *elem;
    unsigned head, nin, o = 0, in = 0;
    uint8_t *p;

    if (!vq->ready || vdev->broken || !virtqueue_map_rings(vq)) {
        return NULL;
    }
    if (vq->shadow_avail_idx == vq->last_avail_idx &&
        virtqueue_num_heads(vq) <= 0) {
        return NULL;
    }
    head = vring_avail_ring(vq, vq->last_avail_idx & (vq->num - 1));
    if (head >= vq->num) {
        virtio_error(vdev, "queue %u: available ring names descriptor %u "
                     "(queue size %u)", vq->index, head, vq->num);
        return NULL;
    }
    if (!chain_walk(&w, head)) {
        return NULL;
    }

    vq->last_avail_idx++;
    vq->inuse++;
    if (virtio_has_feature(vdev, VIRTIO_F_RING_EVENT_IDX) &&
        vq->notification) {
        vring_set_avail_event(vq, vq->last_avail_idx);
    }

    /* One allocation: the caller's struct, then the arrays. */
    nin = w.niov - w.nout;
    size = ALIGN_UP(MAX(size, sizeof(VirtQueueElement)), 16);
    p = xzalloc(size + w.niov * sizeof(struct iovec) +
                nin * sizeof(VirtQueueRamRef));
    elem = (VirtQueueElement *)p;
    elem->index = head;
    elem->out_num = w.nout;
    elem->in_num = nin;
    elem->out_sg = (struct iovec *)(p + size);
    elem->in_sg = elem->out_sg + w.nout;
    elem->in_ram = (VirtQueueRamRef *)(elem->in_sg + nin);
    elem->out_len = w.out_len;
    elem->in_len = w.in_len;
    elem->reset_count = vq->reset_count;
    for (unsigned k = 0; k < w.niov; k++) {
        if (vq->vdev->scratch_is_write[k]) {
            elem->in_ram[in] = vq->vdev->scratch_ram[k];
            elem->in_sg[in++] = vq->vdev->scratch_iov[k];
        } else {
            elem->out_sg[o++] = vq->vdev->scratch_iov[k];
        }
    }
    return elem;
}

void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem)
{
    if (elem->reset_count != vq->reset_count) {
        return;
    }
    vq->last_avail_idx--;
    vq->inuse--;
}

/* Whether @elem can still be returned: popped since the last reset, and
 * the ring is live (a broken device or unmapped ring takes nothing). */
static bool virtqueue_elem_current(VirtQueue *vq,
                                   const VirtQueueElement *elem)
{
    return elem->reset_count == vq->reset_count && vq->ready &&
           !vq->vdev->broken && virtqueue_map_rings(vq);
}

void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem,
                    uint32_t len)
{
    if (!virtqueue_elem_current(vq, elem)) {
        return;
    }
    virtqueue_fill(vq, elem, len, 0);
    virtqueue_flush(vq, 1);
}

void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                    uint32_t len, unsigned idx)
{
    uint64_t off, left;
    unsigned slot;

    if (!virtqueue_elem_current(vq, elem)) {
        return;
    }
    /* The device wrote @len bytes into the in-buffers: tell TCG. */
    left = MIN((uint64_t)len, elem->in_len);
    for (unsigned i = 0; i < elem->in_num && left; i++) {
        uint64_t n = MIN(left, elem->in_sg[i].iov_len);

        ram_block_notify_write(elem->in_ram[i].block,
                               elem->in_ram[i].offset, n);
        left -= n;
    }
    slot = (uint16_t)(vq->used_idx + idx) & (vq->num - 1);
    off = 4 + 8ULL * slot;
    __atomic_store_n((uint32_t *)(vq->used + off), elem->index,
                     __ATOMIC_RELAXED);
    __atomic_store_n((uint32_t *)(vq->used + off + 4), len,
                     __ATOMIC_RELAXED);
    ram_block_notify_write(vq->used_block, vq->used_block_offset + off, 8);
}

void virtqueue_flush(VirtQueue *vq, unsigned count)
{
    if (!vq->ready || vq->vdev->broken || !virtqueue_map_rings(vq)) {
        return;
    }
    virtio_wmb();   /* the entries before the index that publishes them */
    vq->used_idx += count;
    vring_used_write16(vq, 2, vq->used_idx);
    vq->inuse -= MIN(vq->inuse, count);
}

void virtio_queue_set_notification(VirtQueue *vq, bool enable)
{
    vq->notification = enable;
    if (!vq->ready || vq->vdev->broken || !virtqueue_map_rings(vq)) {
        return;
    }
    if (virtio_has_feature(vq->vdev, VIRTIO_F_RING_EVENT_IDX)) {
        if (enable) {
            vring_set_avail_event(vq, vring_avail_idx(vq));
        }
    } else {
        vring_set_used_flags(vq, enable ? 0 : VIRTQ_USED_F_NO_NOTIFY);
    }
    if (enable) {
        virtio_mb();    /* the flag before the caller's re-check */
    }
}

bool virtio_should_notify(VirtQueue *vq)
{
    uint16_t old, new;
    bool valid;

    if (!vq->ready || !virtqueue_map_rings(vq)) {
        return false;
    }
    virtio_mb();        /* used->idx before the driver's suppression */
    if (!virtio_has_feature(vq->vdev, VIRTIO_F_RING_EVENT_IDX)) {
        return !(vring_avail_flags(vq) & VIRTQ_AVAIL_F_NO_INTERRUPT);
    }
    valid = vq->signalled_used_valid;
    old = vq->signalled_used;
    new = vq->signalled_used = vq->used_idx;
    vq->signalled_used_valid = true;
    return !valid || virtio_ring_need_event(vring_used_event(vq), new, old);
}

void virtio_notify(VirtioDevice *vdev, VirtQueue *vq)
{
    if (vdev->broken || !virtio_should_notify(vq)) {
        return;
    }
    vdev->isr |= VIRTIO_ISR_QUEUE;
    virtio_update_irq(vdev);
}

/* --- scatter-gather helpers --- */

size_t virtio_iov_size(const struct iovec *iov, unsigned n)
{
    size_t len = 0;

    for (unsigned i = 0; i < n; i++) {
        len += iov[i].iov_len;
    }
    return len;
}

static size_t virtio_iov_copy(const struct iovec *iov, unsigned n,
                              size_t offset, uint8_t *buf, size_t len,
                              bool to_iov)
{
    size_t done = 0;

    for (unsigned i = 0; i < n && done < len; i++) {
        size_t ilen = iov[i].iov_len, chunk;
        uint8_t *base = iov[i].iov_base;

        if (offset >= ilen) {
            offset -= ilen;
            continue;
        }
        chunk = MIN(ilen - offset, len - done);
        if (to_iov) {
            memcpy(base + offset, buf + done, chunk);
        } else {
            memcpy(buf + done, base + offset, chunk);
        }
        done += chunk;
        offset = 0;
    }
    return done;
}

size_t virtio_iov_to_buf(const struct iovec *iov, unsigned n, size_t offset,
                         void *buf, size_t len)
{
    return virtio_iov_copy(iov, n, offset, buf, len, false);
}

size_t virtio_iov_from_buf(const struct iovec *iov, unsigned n,
                           size_t offset, const void *buf, size_t len)
{
    return virtio_iov_copy(iov, n, offset, (uint8_t *)buf, len, true);
}

unsigned virtio_iov_slice(struct iovec *dst, unsigned max,
                          const struct iovec *src, unsigned n,
                          size_t offset, size_t len)
{
    unsigned out = 0;

    for (unsigned i = 0; i < n && len && out < max; i++) {
        size_t ilen = src[i].iov_len, chunk;

        if (offset >= ilen) {
            offset -= ilen;
            continue;
        }
        chunk = MIN(ilen - offset, len);
        dst[out].iov_base = (uint8_t *)src[i].iov_base + offset;
        dst[out].iov_len = chunk;
        out++;
        len -= chunk;
        offset = 0;
    }
    return out;
}
