/*
 * hw/virtio/virtio.h — the device-independent virtio core: the
 * VirtioDevice base every virtio device embeds, feature negotiation,
 * device status and reset, the configuration space, and split
 * virtqueues (virtio 1.2 §2.7) with the element API devices use.
 *
 * Layering, as in kvmtool's virtio_ops split:
 *   device (virtio-blk.c, ...)   VirtioDeviceOps + queue handlers
 *        │  embeds VirtioDevice first, recovers itself with container_of
 *   core (virtio.c)              rings, features, status, config, errors
 *        │  VirtioBus: the transport's side of the contract
 *   transport (virtio-mmio.c)    registers, interrupt line, plugging
 *
 * Guest memory. Rings and buffers are reached through the machine's
 * AddressSpace. Rings are mapped once (host pointers into guest RAM) and
 * re-mapped when the memory map changes; buffers become iovecs pointing
 * straight into guest RAM, so a block read lands in the guest without a
 * copy. Anything that is not RAM (or, for buffers the device only reads,
 * ROM) is a guest error.
 *
 * Guest mistakes. Every value read from the guest is checked before use:
 * ring addresses and alignment, queue sizes, available-index jumps,
 * descriptor indexes, chain length (a loop cannot make the device spin:
 * a chain is at most Queue Size long, an indirect table at most its own
 * length), indirect tables (size, nesting, feature negotiated),
 * readable-after-writable ordering, and buffer addresses. A violation
 * calls virtio_error(): the device logs one guest_errors line, stops
 * processing, and (for a virtio 1.x driver) sets DEVICE_NEEDS_RESET and
 * raises a configuration-change interrupt (§2.1.1, §2.1.2). The host
 * never asserts on such values.
 *
 * Threads: everything here runs with the BQL held (MMIO dispatch, main
 * loop callbacks); the guest's vCPUs touch the rings concurrently, which
 * the memory barriers in virtio.c account for.
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include "util/osdep.h"
#include "util/typedefs.h"
#include "core/device.h"

#include <sys/uio.h>

/* Device status bits (§2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE     0x01
#define VIRTIO_CONFIG_S_DRIVER          0x02
#define VIRTIO_CONFIG_S_DRIVER_OK       0x04
#define VIRTIO_CONFIG_S_FEATURES_OK     0x08
#define VIRTIO_CONFIG_S_NEEDS_RESET     0x40
#define VIRTIO_CONFIG_S_FAILED          0x80

/* Reserved feature bits (§6). */
#define VIRTIO_F_NOTIFY_ON_EMPTY        24  /* legacy */
#define VIRTIO_F_ANY_LAYOUT             27  /* legacy */
#define VIRTIO_F_RING_INDIRECT_DESC     28
#define VIRTIO_F_RING_EVENT_IDX         29
#define VIRTIO_F_VERSION_1              32

/* Interrupt status bits (§4.2.2 InterruptStatus). */
#define VIRTIO_ISR_QUEUE                0x1
#define VIRTIO_ISR_CONFIG               0x2

/* Device IDs (§5). */
#define VIRTIO_ID_NET                   1
#define VIRTIO_ID_BLOCK                 2
#define VIRTIO_ID_CONSOLE               3
#define VIRTIO_ID_RNG                   4

/* Split virtqueue layout (§2.7). */
#define VIRTQ_DESC_F_NEXT               1
#define VIRTQ_DESC_F_WRITE              2
#define VIRTQ_DESC_F_INDIRECT           4
#define VIRTQ_USED_F_NO_NOTIFY          1
#define VIRTQ_AVAIL_F_NO_INTERRUPT      1

/* Ring alignment required by §2.7 (modern); legacy uses QueueAlign. */
#define VIRTQ_DESC_ALIGN                16
#define VIRTQ_AVAIL_ALIGN               2
#define VIRTQ_USED_ALIGN                4

/* Largest Queue Size a device may offer (the spec allows 32768). */
#define VIRTQUEUE_MAX_SIZE              1024
/* Most iovec entries one element may have (a buffer that crosses RAM
 * regions takes more than one). */
#define VIRTQUEUE_MAX_IOV               (2 * VIRTQUEUE_MAX_SIZE)

static inline uint64_t virtio_bit(unsigned bit)
{
    return 1ULL << bit;
}

/* Size of each part of a split virtqueue of @num entries (§2.7). */
static inline uint64_t virtq_desc_size(unsigned num)
{
    return 16ULL * num;
}

static inline uint64_t virtq_avail_size(unsigned num)
{
    return 6 + 2ULL * num;      /* flags, idx, ring[num], used_event */
}

static inline uint64_t virtq_used_size(unsigned num)
{
    return 6 + 8ULL * num;      /* flags, idx, ring[num], avail_event */
}

/*
 * virtio_ring_need_event - the VIRTIO_F_EVENT_IDX test (§2.7.10).
 *
 * The other side asked to be notified once the index passes @event_idx;
 * the index just moved from @old_idx to @new_idx. True if @event_idx lies
 * in [old_idx, new_idx) modulo 2^16, i.e. the move crossed it.
 */
static inline bool virtio_ring_need_event(uint16_t event_idx,
                                          uint16_t new_idx, uint16_t old_idx)
{
    return (uint16_t)(new_idx - event_idx - 1) <
           (uint16_t)(new_idx - old_idx);
}

typedef struct VirtioDevice VirtioDevice;
typedef struct VirtQueue VirtQueue;
typedef struct VirtioBus VirtioBus;

/* Guest RAM behind an in-buffer iovec, for dirty/TB invalidation. */
typedef struct VirtQueueRamRef {
    RAMBlock *block;
    uint64_t offset;
} VirtQueueRamRef;

/*
 * One available buffer, as virtqueue_pop() returns it. Devices embed it
 * as the first member of their request struct. out_sg are the buffers the
 * device reads (driver → device), in_sg those it writes.
 */
typedef struct VirtQueueElement {
    unsigned index;             /* head descriptor, for the used ring */
    unsigned out_num;
    unsigned in_num;
    struct iovec *out_sg;
    struct iovec *in_sg;
    VirtQueueRamRef *in_ram;    /* parallel to in_sg */
    uint64_t out_len;           /* total bytes of out_sg */
    uint64_t in_len;            /* total bytes of in_sg */
    unsigned reset_count;       /* the queue's reset count when popped */
} VirtQueueElement;

/* Called when the driver notifies queue @vq (QueueNotify). */
typedef void VirtQueueHandler(VirtioDevice *vdev, VirtQueue *vq);

/* What a device implements. Every entry is optional. */
typedef struct VirtioDeviceOps {
    /* Refresh vdev->config before the driver reads it. */
    void (*get_config)(VirtioDevice *vdev, uint8_t *config);
    /* The driver wrote (part of) the config: react to the new bytes. */
    void (*set_config)(VirtioDevice *vdev, const uint8_t *config);
    /* Negotiation finished: these are the driver's features. */
    void (*set_features)(VirtioDevice *vdev, uint64_t features);
    /* The driver wrote the status register (after the core's checks). */
    void (*set_status)(VirtioDevice *vdev, uint8_t status);
    /*
     * Device reset (driver wrote 0, or machine reset): finish or cancel
     * in-flight work so no element is pushed after this returns.
     */
    void (*reset)(VirtioDevice *vdev);
} VirtioDeviceOps;

/* The transport's side: set when a device is plugged into it. */
typedef struct VirtioBusOps {
    /* vdev->isr changed: drive the interrupt line to (isr != 0). */
    void (*update_irq)(VirtioBus *bus);
} VirtioBusOps;

struct VirtioBus {
    const VirtioBusOps *ops;
    VirtioDevice *vdev;         /* the realized device, or NULL */
    bool legacy;                /* virtio 0.9.5 register layout */
};


struct VirtQueue {
    VirtioDevice *vdev;
    unsigned index;
    VirtQueueHandler *handler;
    uint16_t num_max;           /* QueueNumMax */
    uint16_t num;               /* QueueNum */
    bool ready;
    uint64_t desc_addr;
    uint64_t avail_addr;
    uint64_t used_addr;

    uint16_t last_avail_idx;    /* next available entry to take */
    uint16_t shadow_avail_idx;  /* last avail->idx read */
    uint16_t used_idx;          /* next used entry to fill */
    uint16_t signalled_used;    /* used_idx at the last interrupt */
    bool signalled_used_valid;
    bool notification;          /* device wants available-buffer notices */
    unsigned inuse;             /* popped, not yet pushed */
    unsigned reset_count;       /* bumped by every reset of the queue */

    /* Host mappings of the rings, valid for map_generation. */
    unsigned map_generation;
    bool mapped;
    uint8_t *desc;
    uint8_t *avail;
    uint8_t *used;
    RAMBlock *used_block;
    uint64_t used_block_offset;
};

struct VirtioDevice {
    DeviceState dev;            /* first: device core, properties */
    const VirtioDeviceOps *ops;
    uint16_t device_id;
    AddressSpace *as;           /* guest memory (the machine's) */
    Log *log;                   /* where guest errors go */

    uint64_t host_features;     /* what the device offers */
    uint64_t guest_features;    /* what the driver accepted */
    uint8_t status;
    uint8_t isr;
    bool broken;                /* a guest error stopped the device */
    uint32_t config_generation;
    size_t config_len;
    uint8_t *config;

    VirtQueue **vqs;
    unsigned nr_vqs;

    /* Scratch space for walking a chain (VIRTQUEUE_MAX_IOV entries),
     * shared by the queues: only one pop runs at a time (BQL). */
    struct iovec *scratch_iov;
    VirtQueueRamRef *scratch_ram;
    bool *scratch_is_write;

    VirtioBus *bus;             /* the transport it is plugged into */
};

/* --- set-up (device realize/unrealize) --- */

/*
 * virtio_init - initialise the base of a device being realized.
 * @device_id: §5 device ID; @config_len: bytes of device config space.
 * Takes guest memory and the log from vdev->dev.machine when set (unit
 * tests set vdev->as and vdev->log themselves). The core offers
 * VERSION_1, RING_INDIRECT_DESC and RING_EVENT_IDX on top of whatever the
 * device puts in host_features.
 */
void virtio_init(VirtioDevice *vdev, const VirtioDeviceOps *ops,
                 uint16_t device_id, size_t config_len);
/* Add queue number vdev->nr_vqs, of at most @num_max entries (power of
 * two, <= VIRTQUEUE_MAX_SIZE). */
VirtQueue *virtio_add_queue(VirtioDevice *vdev, unsigned num_max,
                            VirtQueueHandler *handler);
/*
 * virtio_attach - last step of a successful realize: connect the device
 * to the transport chosen when it was plugged (vdev->bus). Until then the
 * transport shows an empty slot, so a realize that fails leaves nothing
 * behind.
 */
bool virtio_attach(VirtioDevice *vdev, Error **errp);
/* Unrealize: detach from the transport and free queues and config. */
void virtio_cleanup(VirtioDevice *vdev);

/* A name for log lines: the device type's name. */
const char *virtio_name(const VirtioDevice *vdev);

static inline bool virtio_has_feature(const VirtioDevice *vdev, unsigned bit)
{
    return vdev->guest_features & virtio_bit(bit);
}

/* True if the driver speaks virtio 1.x (VERSION_1 negotiated). */
static inline bool virtio_is_modern(const VirtioDevice *vdev)
{
    return virtio_has_feature(vdev, VIRTIO_F_VERSION_1);
}

/* --- transport-facing: registers --- */

/* Features offered through this transport (no VERSION_1 on legacy). */
uint64_t virtio_host_features(const VirtioDevice *vdev);
/*
 * Legacy drivers: set features directly (unknown bits are dropped).
 * Modern drivers stage them and virtio_set_status() checks them when
 * FEATURES_OK is set.
 */
void virtio_set_features(VirtioDevice *vdev, uint64_t features);
/*
 * Write the status register: 0 resets the device; setting FEATURES_OK
 * validates the staged features (@features) and leaves the bit clear if
 * they are unacceptable (§2.2.1, §3.1.1).
 */
void virtio_set_status(VirtioDevice *vdev, uint8_t status,
                       uint64_t features);
void virtio_reset(VirtioDevice *vdev);
/* Acknowledge interrupt bits (InterruptACK). */
void virtio_isr_ack(VirtioDevice *vdev, uint8_t bits);

/* Config space access of 1, 2 or 4 bytes; out of range reads all-ones. */
uint32_t virtio_config_read(VirtioDevice *vdev, uint32_t offset,
                            unsigned size);
void virtio_config_write(VirtioDevice *vdev, uint32_t offset,
                         uint32_t value, unsigned size);

/* Queue registers; @n out of range reads 0 / is ignored. */
VirtQueue *virtio_get_queue(VirtioDevice *vdev, unsigned n);
void virtio_queue_set_num(VirtQueue *vq, unsigned num);
void virtio_queue_set_rings(VirtQueue *vq, uint64_t desc, uint64_t avail,
                            uint64_t used);
/* Enable (validating size and rings) or disable the queue. */
void virtio_queue_set_ready(VirtQueue *vq, bool ready);
/* Forget the queue's programming and indexes (legacy QueuePFN = 0). */
void virtio_queue_reset(VirtQueue *vq);
/* The driver wrote QueueNotify = @n. */
void virtio_queue_notify(VirtioDevice *vdev, unsigned n);

/* --- device-facing: errors, elements, notifications --- */

/*
 * virtio_error - the guest drove the device into an invalid state.
 * Logs "NAME: message" under guest_errors (rate-limited), marks the
 * device broken (no more processing until reset) and, for a virtio 1.x
 * driver, sets DEVICE_NEEDS_RESET and notifies a configuration change.
 */
void virtio_error(VirtioDevice *vdev, const char *fmt, ...) PRINTF_FMT(2, 3);

/*
 * virtqueue_pop - take the next available buffer.
 * @size: bytes to allocate (>= sizeof(VirtQueueElement)); the element is
 * at the start, so a device passes sizeof(its request struct) and casts.
 * Returns NULL if the queue is empty, not ready, or the device is broken
 * (including because this very chain was invalid). Free with free().
 */
void *virtqueue_pop(VirtQueue *vq, size_t size);
/*
 * virtqueue_push - return @elem to the driver as used, with @len bytes
 * written into its in-buffers; publishes the used index. Does not free
 * @elem and does not interrupt: call virtio_notify() after a batch.
 */
void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem,
                    uint32_t len);
/*
 * virtqueue_fill - write @elem as used entry @idx past the used index,
 * with @len bytes written into its in-buffers, without publishing it.
 * virtqueue_flush(@count) then publishes entries 0..count-1 at once, so
 * the driver never sees part of a group (virtio-net's mergeable receive
 * buffers, §5.1.6.4: all buffers of a packet must be used together).
 */
void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                    uint32_t len, unsigned idx);
void virtqueue_flush(VirtQueue *vq, unsigned count);
/* Return @elem to the available ring unused (it will be popped again). */
void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem);
/* True if the driver has made no buffer available that is not popped. */
bool virtqueue_empty(VirtQueue *vq);
/*
 * Tell the driver whether the device wants notifications for new
 * buffers (VIRTQ_USED_F_NO_NOTIFY, or avail_event with EVENT_IDX).
 * Devices disable them while they drain the queue and re-enable them
 * before checking virtqueue_empty() one last time.
 */
void virtio_queue_set_notification(VirtQueue *vq, bool enable);
/* Whether the driver wants an interrupt now (EVENT_IDX/NO_INTERRUPT). */
bool virtio_should_notify(VirtQueue *vq);
/* Raise the used-buffer interrupt for @vq if the driver wants one. */
void virtio_notify(VirtioDevice *vdev, VirtQueue *vq);
/* Raise the configuration-change interrupt (config_generation++). */
void virtio_notify_config(VirtioDevice *vdev);

/* --- scatter-gather helpers --- */

size_t virtio_iov_size(const struct iovec *iov, unsigned n);
/* Copy at most @len bytes at @offset of the iovec's data out / in;
 * returns bytes copied. */
size_t virtio_iov_to_buf(const struct iovec *iov, unsigned n, size_t offset,
                         void *buf, size_t len);
size_t virtio_iov_from_buf(const struct iovec *iov, unsigned n,
                           size_t offset, const void *buf, size_t len);
/*
 * Describe bytes [@offset, @offset+@len) of @src in @dst (at most @max
 * entries, pointing into the same memory); returns the entry count.
 */
unsigned virtio_iov_slice(struct iovec *dst, unsigned max,
                          const struct iovec *src, unsigned n,
                          size_t offset, size_t len);

#endif /* HW_VIRTIO_VIRTIO_H */
