/*
 * hw/virtio/virtio-blk.c — the virtio block device, "virtio-blk-device"
 * (virtio 1.2 §5.2), on a BlockBackend given by drive=.
 *
 * A request (§5.2.6) is a 16-byte header {le32 type; le32 reserved; le64
 * sector} in the device-readable part, data in either part, and a status
 * byte as the last device-writable byte. The framing across descriptors
 * is not assumed (§2.6.4): header, data and status are located by byte
 * offset in the element's scatter lists.
 *
 * Reads, writes, flushes, discards and write-zeroes go to the block layer
 * asynchronously: the queue handler (run from the vCPU's QueueNotify
 * write) only validates and submits, and the completion callback runs on
 * the main loop, where it writes the status, pushes the element and
 * raises the interrupt. Reset drains in-flight requests first, so no
 * completion touches a queue the driver has torn down.
 *
 * Status values: OK; IOERR for backend errors, writes to a read-only
 * drive and sectors outside the disk; UNSUPP for unknown types and
 * discard/write-zeroes forms this device does not offer. A request too
 * short to hold a header and a status byte is a driver bug: the device
 * is marked broken (virtio_error()).
 */
#include "hw/virtio/virtio.h"
#include "block/block.h"
#include "hw/core/machine.h"
#include "hw/virtio/virtio-devices.h"
#include "util/error.h"
#include "util/log.h"
#include "util/opts.h"

/* Feature bits (§5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX       1
#define VIRTIO_BLK_F_SEG_MAX        2
#define VIRTIO_BLK_F_RO             5
#define VIRTIO_BLK_F_BLK_SIZE       6
#define VIRTIO_BLK_F_FLUSH          9
#define VIRTIO_BLK_F_CONFIG_WCE     11
#define VIRTIO_BLK_F_DISCARD        13
#define VIRTIO_BLK_F_WRITE_ZEROES   14

/* Request types and status (§5.2.6). */
#define VIRTIO_BLK_T_IN             0
#define VIRTIO_BLK_T_OUT            1
#define VIRTIO_BLK_T_FLUSH          4
#define VIRTIO_BLK_T_GET_ID         8
#define VIRTIO_BLK_T_DISCARD        11
#define VIRTIO_BLK_T_WRITE_ZEROES   13
#define VIRTIO_BLK_T_BARRIER        0x80000000u     /* legacy, ignored */

#define VIRTIO_BLK_S_OK             0
#define VIRTIO_BLK_S_IOERR          1
#define VIRTIO_BLK_S_UNSUPP         2

/* Internal outcomes of starting a request, besides a status byte. */
#define VIRTIO_BLK_REQ_ASYNC        0x100   /* completes from the main loop */
#define VIRTIO_BLK_REQ_BROKEN       (-1)    /* virtio_error() was raised */

#define VIRTIO_BLK_ID_BYTES         20
#define VIRTIO_BLK_DWZ_F_UNMAP      1u

/* Config space offsets (§5.2.4, struct virtio_blk_config). */
enum {
    VIRTIO_BLK_CFG_CAPACITY         = 0,    /* le64 */
    VIRTIO_BLK_CFG_SIZE_MAX         = 8,    /* le32 */
    VIRTIO_BLK_CFG_SEG_MAX          = 12,   /* le32 */
    VIRTIO_BLK_CFG_GEOMETRY         = 16,   /* le16 cyl, u8 heads, u8 sec */
    VIRTIO_BLK_CFG_BLK_SIZE         = 20,   /* le32 */
    VIRTIO_BLK_CFG_TOPOLOGY         = 24,   /* 8 bytes */
    VIRTIO_BLK_CFG_WRITEBACK        = 32,   /* u8 */
    VIRTIO_BLK_CFG_NUM_QUEUES       = 34,   /* le16 */
    VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS = 36,
    VIRTIO_BLK_CFG_MAX_DISCARD_SEG  = 40,
    VIRTIO_BLK_CFG_DISCARD_ALIGN    = 44,
    VIRTIO_BLK_CFG_MAX_WZ_SECTORS   = 48,
    VIRTIO_BLK_CFG_MAX_WZ_SEG       = 52,
    VIRTIO_BLK_CFG_WZ_MAY_UNMAP     = 56,   /* u8, then 3 unused */
    VIRTIO_BLK_CFG_SIZE             = 60,
};

typedef struct VirtioBlk {
    VirtioDevice vdev;
    BlockBackend *blk;          /* drive= */
    char *serial;
    uint16_t queue_size;
    bool config_wce;
    bool discard;
    bool write_zeroes;
    uint32_t max_discard_sectors;
    uint32_t max_write_zeroes_sectors;
    VirtQueue *vq;
    bool original_wce;          /* the drive's cache mode, restored at reset */
    unsigned in_flight;
} VirtioBlk;

typedef struct VirtioBlkReq {
    VirtQueueElement elem;      /* first: virtqueue_pop() allocates it */
    VirtioBlk *s;
    VirtQueue *vq;
    struct iovec *data;         /* the data part, sliced from elem */
    unsigned ndata;
} VirtioBlkReq;

/* The on-wire segment of discard / write-zeroes (§5.2.6). */
typedef struct VirtioBlkDiscardWriteZeroes {
    uint64_t sector;
    uint32_t num_sectors;
    uint32_t flags;
} VirtioBlkDiscardWriteZeroes;

static VirtioBlk *virtio_blk_from_vdev(VirtioDevice *vdev)
{
    return container_of(vdev, VirtioBlk, vdev);
}

static uint64_t virtio_blk_capacity(VirtioBlk *s)
{
    int64_t len = blk_getlength(s->blk);

    return len > 0 ? (uint64_t)len >> BDRV_SECTOR_BITS : 0;
}

/* [sector, sector + bytes) lies on the disk and is whole sectors. */
static bool virtio_blk_range_ok(VirtioBlk *s, uint64_t sector,
                                uint64_t bytes)
{
    uint64_t cap = virtio_blk_capacity(s);

    return bytes % BDRV_SECTOR_SIZE == 0 && sector <= cap &&
           bytes / BDRV_SECTOR_SIZE <= cap - sector;
}

/* Write the status byte, return the element and interrupt. */
static void virtio_blk_complete(VirtioBlkReq *req, uint8_t status)
{
    VirtioBlk *s = req->s;
    VirtQueueElement *elem = &req->elem;

    virtio_iov_from_buf(elem->in_sg, elem->in_num, elem->in_len - 1,
                        &status, 1);
    virtqueue_push(req->vq, elem, elem->in_len);
    virtio_notify(&s->vdev, req->vq);
    free(req->data);
    free(req);
}

/* Block-layer completion, on the main loop. */
static void virtio_blk_rw_done(void *opaque, int ret)
{
    VirtioBlkReq *req = opaque;

    req->s->in_flight--;
    if (ret < 0) {
        log_guest(req->s->vdev.log, LOG_GUEST_ERROR,
                  "%s: I/O error on drive '%s': %s\n",
                  virtio_name(&req->s->vdev), blk_name(req->s->blk),
                  strerror(-ret));
    }
    virtio_blk_complete(req, ret < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK);
}

/* Slice @len bytes at @offset of @sg into req->data. */
static void virtio_blk_slice(VirtioBlkReq *req, const struct iovec *sg,
                             unsigned n, size_t offset, size_t len)
{
    req->data = XNEW_ARRAY(struct iovec, n ? n : 1);
    req->ndata = virtio_iov_slice(req->data, n, sg, n, offset, len);
}

static int virtio_blk_rw(VirtioBlk *s, VirtioBlkReq *req, bool is_write,
                             uint64_t sector)
{
    VirtQueueElement *elem = &req->elem;
    uint64_t len = is_write ? elem->out_len - 16 : elem->in_len - 1;

    if (!virtio_blk_range_ok(s, sector, len)) {
        log_guest(s->vdev.log, LOG_GUEST_ERROR, "%s: %s of %" PRIu64
                  " bytes at sector %" PRIu64 " is outside the %" PRIu64
                  "-sector disk\n", virtio_name(&s->vdev),
                  is_write ? "write" : "read", len, sector,
                  virtio_blk_capacity(s));
        return VIRTIO_BLK_S_IOERR;
    }
    if (is_write && blk_is_read_only(s->blk)) {
        return VIRTIO_BLK_S_IOERR;
    }
    s->in_flight++;
    if (is_write) {
        virtio_blk_slice(req, elem->out_sg, elem->out_num, 16, len);
        blk_aio_pwritev(s->blk, sector << BDRV_SECTOR_BITS, req->data,
                        req->ndata, 0, virtio_blk_rw_done, req);
    } else {
        virtio_blk_slice(req, elem->in_sg, elem->in_num, 0, len);
        blk_aio_preadv(s->blk, sector << BDRV_SECTOR_BITS, req->data,
                       req->ndata, 0, virtio_blk_rw_done, req);
    }
    return VIRTIO_BLK_REQ_ASYNC;
}

static int virtio_blk_get_id(VirtioBlk *s, VirtioBlkReq *req)
{
    char id[VIRTIO_BLK_ID_BYTES] = { 0 };

    /* Up to 20 bytes, not NUL-terminated when all are used (§5.2.6). */
    if (s->serial) {
        memcpy(id, s->serial, MIN(strlen(s->serial), sizeof(id)));
    }
    virtio_iov_from_buf(req->elem.in_sg, req->elem.in_num, 0, id,
                        MIN(sizeof(id), req->elem.in_len - 1));
    return VIRTIO_BLK_S_OK;
}

static int virtio_blk_discard_write_zeroes(VirtioBlk *s, VirtioBlkReq *req,
                                           bool is_wz)
{
    VirtQueueElement *elem = &req->elem;
    VirtioBlkDiscardWriteZeroes seg;
    uint64_t payload = elem->out_len - 16;
    uint32_t max = is_wz ? s->max_write_zeroes_sectors
                         : s->max_discard_sectors;

    if (!(is_wz ? s->write_zeroes : s->discard)) {
        return VIRTIO_BLK_S_UNSUPP;
    }
    if (payload < sizeof(seg)) {
        virtio_error(&s->vdev, "%s request without a segment",
                     is_wz ? "write-zeroes" : "discard");
        return VIRTIO_BLK_REQ_BROKEN;
    }
    /* max_discard_seg = max_write_zeroes_seg = 1 in the config. */
    if (payload / sizeof(seg) > 1) {
        return VIRTIO_BLK_S_UNSUPP;
    }
    virtio_iov_to_buf(elem->out_sg, elem->out_num, 16, &seg, sizeof(seg));
    if (seg.flags & ~VIRTIO_BLK_DWZ_F_UNMAP ||
        (!is_wz && (seg.flags & VIRTIO_BLK_DWZ_F_UNMAP))) {
        return VIRTIO_BLK_S_UNSUPP;
    }
    if (seg.num_sectors > max ||
        !virtio_blk_range_ok(s, seg.sector,
                             (uint64_t)seg.num_sectors << BDRV_SECTOR_BITS)) {
        return VIRTIO_BLK_S_IOERR;
    }
    if (blk_is_read_only(s->blk)) {
        return VIRTIO_BLK_S_IOERR;
    }
    s->in_flight++;
    if (is_wz) {
        blk_aio_pwrite_zeroes(s->blk, seg.sector << BDRV_SECTOR_BITS,
                              (uint64_t)seg.num_sectors << BDRV_SECTOR_BITS,
                              (seg.flags & VIRTIO_BLK_DWZ_F_UNMAP)
                              ? BDRV_REQ_MAY_UNMAP : 0,
                              virtio_blk_rw_done, req);
    } else {
        blk_aio_pdiscard(s->blk, seg.sector << BDRV_SECTOR_BITS,
                         (uint64_t)seg.num_sectors << BDRV_SECTOR_BITS,
                         virtio_blk_rw_done, req);
    }
    return VIRTIO_BLK_REQ_ASYNC;
}

/*
 * Start one request. Returns false if the device broke on it (the
 * element is then dropped, as the driver must reset anyway).
 */
static bool virtio_blk_handle_request(VirtioBlk *s, VirtQueue *vq,
                                      VirtioBlkReq *req)
{
    VirtQueueElement *elem = &req->elem;
    struct {
        uint32_t type;
        uint32_t reserved;
        uint64_t sector;
    } hdr;
    int status;

    req->s = s;
    req->vq = vq;
    if (elem->out_len < sizeof(hdr) || elem->in_len < 1) {
        virtio_error(&s->vdev, "request without header or status byte "
                     "(%" PRIu64 " readable, %" PRIu64 " writable bytes)",
                     elem->out_len, elem->in_len);
        free(req);
        return false;
    }
    virtio_iov_to_buf(elem->out_sg, elem->out_num, 0, &hdr, sizeof(hdr));

    switch (hdr.type & ~VIRTIO_BLK_T_BARRIER) {
    case VIRTIO_BLK_T_IN:
        status = virtio_blk_rw(s, req, false, hdr.sector);
        break;
    case VIRTIO_BLK_T_OUT:
        status = virtio_blk_rw(s, req, true, hdr.sector);
        break;
    case VIRTIO_BLK_T_FLUSH:
        s->in_flight++;
        blk_aio_flush(s->blk, virtio_blk_rw_done, req);
        status = VIRTIO_BLK_REQ_ASYNC;
        break;
    case VIRTIO_BLK_T_GET_ID:
        status = virtio_blk_get_id(s, req);
        break;
    case VIRTIO_BLK_T_DISCARD:
        status = virtio_blk_discard_write_zeroes(s, req, false);
        break;
    case VIRTIO_BLK_T_WRITE_ZEROES:
        status = virtio_blk_discard_write_zeroes(s, req, true);
        break;
    default:
        status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
    if (status == VIRTIO_BLK_REQ_BROKEN) {
        free(req);
        return false;
    }
    if (status != VIRTIO_BLK_REQ_ASYNC) {
        virtio_blk_complete(req, status);
    }
    return true;
}

static void virtio_blk_handle_output(VirtioDevice *vdev, VirtQueue *vq)
{
    VirtioBlk *s = virtio_blk_from_vdev(vdev);
    VirtioBlkReq *req;

    do {
        virtio_queue_set_notification(vq, false);
        while ((req = virtqueue_pop(vq, sizeof(*req)))) {
            if (!virtio_blk_handle_request(s, vq, req)) {
                return;
            }
        }
        virtio_queue_set_notification(vq, true);
    } while (!virtqueue_empty(vq));
}

static void virtio_blk_get_config(VirtioDevice *vdev, uint8_t *cfg)
{
    VirtioBlk *s = virtio_blk_from_vdev(vdev);
    uint64_t cap = virtio_blk_capacity(s);
    uint32_t seg_max = s->queue_size - 2, blk_size = BDRV_SECTOR_SIZE;
    uint32_t one = 1;
    uint16_t nq = 1;

    memset(cfg, 0, VIRTIO_BLK_CFG_SIZE);
    memcpy(cfg + VIRTIO_BLK_CFG_CAPACITY, &cap, 8);
    memcpy(cfg + VIRTIO_BLK_CFG_SEG_MAX, &seg_max, 4);
    memcpy(cfg + VIRTIO_BLK_CFG_BLK_SIZE, &blk_size, 4);
    cfg[VIRTIO_BLK_CFG_WRITEBACK] = blk_enable_write_cache(s->blk);
    memcpy(cfg + VIRTIO_BLK_CFG_NUM_QUEUES, &nq, 2);
    memcpy(cfg + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, &s->max_discard_sectors,
           4);
    memcpy(cfg + VIRTIO_BLK_CFG_MAX_DISCARD_SEG, &one, 4);
    memcpy(cfg + VIRTIO_BLK_CFG_DISCARD_ALIGN, &one, 4);
    memcpy(cfg + VIRTIO_BLK_CFG_MAX_WZ_SECTORS, &s->max_write_zeroes_sectors,
           4);
    memcpy(cfg + VIRTIO_BLK_CFG_MAX_WZ_SEG, &one, 4);
    cfg[VIRTIO_BLK_CFG_WZ_MAY_UNMAP] = 1;
}

static void virtio_blk_set_config(VirtioDevice *vdev, const uint8_t *cfg)
{
    VirtioBlk *s = virtio_blk_from_vdev(vdev);

    /* Only "writeback" is writable, and only with CONFIG_WCE (§5.2.5). */
    if (virtio_has_feature(vdev, VIRTIO_BLK_F_CONFIG_WCE)) {
        blk_set_enable_write_cache(s->blk, cfg[VIRTIO_BLK_CFG_WRITEBACK]);
    }
}

static void virtio_blk_set_features(VirtioDevice *vdev, uint64_t features)
{
    VirtioBlk *s = virtio_blk_from_vdev(vdev);

    /* A driver without FLUSH cannot order writes: keep it safe (§5.2.5.1
     * "writethrough" when VIRTIO_BLK_F_FLUSH is not negotiated). */
    if (!(features & virtio_bit(VIRTIO_BLK_F_FLUSH))) {
        blk_set_enable_write_cache(s->blk, false);
    }
}

static void virtio_blk_reset(VirtioDevice *vdev)
{
    VirtioBlk *s = virtio_blk_from_vdev(vdev);

    /* Completions run now (their pushes land before the queues reset),
     * so no worker writes guest memory the driver gets back. */
    if (s->blk) {
        blk_drain(s->blk);
        blk_set_enable_write_cache(s->blk, s->original_wce);
    }
}

static const VirtioDeviceOps virtio_blk_ops = {
    .get_config = virtio_blk_get_config,
    .set_config = virtio_blk_set_config,
    .set_features = virtio_blk_set_features,
    .reset = virtio_blk_reset,
};

static bool virtio_blk_realize(DeviceState *dev, Error **errp)
{
    VirtioBlk *s = container_of(dev, VirtioBlk, vdev.dev);
    VirtioDevice *vdev = &s->vdev;

    if (!s->blk) {
        error_setg(errp, "drive property not set");
        return false;
    }
    if (s->queue_size <= 2 || s->queue_size > VIRTQUEUE_MAX_SIZE ||
        !IS_POW2(s->queue_size)) {
        error_setg(errp, "invalid queue-size property (%u), must be a "
                   "power of 2 between 4 and %u", s->queue_size,
                   VIRTQUEUE_MAX_SIZE);
        return false;
    }
    if (s->serial && strlen(s->serial) > VIRTIO_BLK_ID_BYTES) {
        error_setg(errp, "serial '%s' is longer than %u characters",
                   s->serial, VIRTIO_BLK_ID_BYTES);
        return false;
    }
    if (!blk_attach_dev(s->blk, s)) {
        error_setg(errp, "Property 'virtio-blk-device.drive' can't take "
                   "value '%s', it's in use", blk_name(s->blk));
        return false;
    }
    s->original_wce = blk_enable_write_cache(s->blk);
    vdev->host_features = virtio_bit(VIRTIO_BLK_F_SEG_MAX) |
                          virtio_bit(VIRTIO_BLK_F_BLK_SIZE) |
                          virtio_bit(VIRTIO_BLK_F_FLUSH);
    if (s->config_wce) {
        vdev->host_features |= virtio_bit(VIRTIO_BLK_F_CONFIG_WCE);
    }
    if (blk_is_read_only(s->blk)) {
        vdev->host_features |= virtio_bit(VIRTIO_BLK_F_RO);
    }
    if (s->discard) {
        vdev->host_features |= virtio_bit(VIRTIO_BLK_F_DISCARD);
    }
    if (s->write_zeroes) {
        vdev->host_features |= virtio_bit(VIRTIO_BLK_F_WRITE_ZEROES);
    }
    virtio_init(vdev, &virtio_blk_ops, VIRTIO_ID_BLOCK, VIRTIO_BLK_CFG_SIZE);
    s->vq = virtio_add_queue(vdev, s->queue_size, virtio_blk_handle_output);
    return virtio_attach(vdev, errp);
}

static void virtio_blk_unrealize(DeviceState *dev)
{
    VirtioBlk *s = container_of(dev, VirtioBlk, vdev.dev);

    if (s->blk) {
        blk_drain(s->blk);
        blk_detach_dev(s->blk, s);
    }
    virtio_cleanup(&s->vdev);
}

static void virtio_blk_device_reset(DeviceState *dev)
{
    virtio_reset(container_of(dev, VirtioDevice, dev));
}

static const Property virtio_blk_props[] = {
    DEFINE_PROP_DRIVE("drive", VirtioBlk, blk, "the drive (-drive id=)"),
    DEFINE_PROP_STRING("serial", VirtioBlk, serial,
                       "serial number returned by GET_ID (max 20 chars)"),
    DEFINE_PROP_UINT16("queue-size", VirtioBlk, queue_size, 256,
                       "virtqueue size"),
    DEFINE_PROP_BOOL("config-wce", VirtioBlk, config_wce, true,
                     "let the guest switch the write cache"),
    DEFINE_PROP_BOOL("discard", VirtioBlk, discard, true,
                     "offer VIRTIO_BLK_F_DISCARD"),
    DEFINE_PROP_BOOL("write-zeroes", VirtioBlk, write_zeroes, true,
                     "offer VIRTIO_BLK_F_WRITE_ZEROES"),
    DEFINE_PROP_UINT32("max-discard-sectors", VirtioBlk, max_discard_sectors,
                       0x3fffff, "largest discard request, in sectors"),
    DEFINE_PROP_UINT32("max-write-zeroes-sectors", VirtioBlk,
                       max_write_zeroes_sectors, 0x3fffff,
                       "largest write-zeroes request, in sectors"),
    DEFINE_PROP_END,
};

const DeviceType virtio_blk_device_type = {
    .name = "virtio-blk-device",
    .desc = "Virtio block device",
    .category = "Storage devices",
    .bus = DEVICE_BUS_VIRTIO,
    .instance_size = sizeof(VirtioBlk),
    .props = virtio_blk_props,
    .user_creatable = true,
    .realize = virtio_blk_realize,
    .unrealize = virtio_blk_unrealize,
    .reset = virtio_blk_device_reset,
};

DeviceState *virtio_blk_add_for_drive(Machine *m, BlockBackend *blk,
                                      Error **errp)
{
    char *spec = xasprintf("virtio-blk-device,drive=%s", blk_name(blk));
    char *origin = xasprintf("-drive id=%s,if=virtio", blk_name(blk));
    DeviceState *dev = NULL;
    OptList opts;

    if (opts_parse(&opts, origin, spec, "driver", errp)) {
        dev = machine_add_device(m, &opts, errp);
    }
    opts_free(&opts);
    free(origin);
    free(spec);
    return dev;
}
