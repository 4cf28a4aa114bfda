/*
 * hw/virtio/virtio-net.c — the network device, "virtio-net-device"
 * (virtio 1.2 §5.1), joined to a back end through a NetClient
 * (net/net.h): -device virtio-net-device,netdev=n0,mac=52:54:00:12:34:56.
 *
 * Queues (§5.1.2): 0 receive, 1 transmit, 2 control (with CTRL_VQ).
 *
 * Every buffer starts with a struct virtio_net_hdr (§5.1.6): 12 bytes
 * for a virtio 1.x driver or with MRG_RXBUF, 10 bytes for a legacy
 * driver without it. It carries the checksum and segmentation requests
 * (NEEDS_CSUM + csum_start/offset, gso_type + gso_size) and, on receive,
 * num_buffers.
 *
 * Transmit runs in a bottom half on the main loop, not in the vCPU's
 * QueueNotify write: the notify only disables further notifications and
 * schedules it, so the guest keeps computing while frames go out. Up to
 * TX_BURST frames per run; when the back end queues a frame (it cannot
 * take more now) transmission pauses until its "sent" callback.
 *
 * Receive (§5.1.6.3, §5.1.6.4): a frame is copied into one buffer, or
 * with mergeable receive buffers into as many as it needs, which are
 * published together (virtqueue_fill/flush) with num_buffers in the
 * first header. When the guest has posted too little room the frame is
 * refused (the net layer queues it and the back end stops reading),
 * notifications are enabled, and the guest's next kick on the receive
 * queue flushes what was queued. Nothing is dropped for lack of room.
 *
 * Offloads: with a back end that carries the header (tap, vnet_hdr) the
 * header passes through unchanged in both directions, so the guest may
 * hand over unchecksummed 64 KiB TCP segments (CSUM, HOST_TSO4/6) and
 * receive them (GUEST_CSUM, GUEST_TSO4/6) — the tap's offload flags
 * follow what the driver accepted. Any other back end gets plain frames:
 * the device completes checksums and segments TCP itself (net/offload.c)
 * before passing them on, which saves the guest per-packet work all the
 * same.
 *
 * Receive filtering (§5.1.6.5.1, §5.1.6.5.2): promiscuous, all-multicast,
 * all-unicast, no-multicast, no-unicast, no-broadcast and a 64-entry
 * MAC table (unicast then multicast entries; more than fit means
 * "accept all of that kind"), as the control queue sets them. Like QEMU
 * the device starts promiscuous until the driver says otherwise.
 *
 * Link status (§5.1.4): LINK_UP follows the NIC's link, which "set_link"
 * on the NIC or on its back end changes; a change raises a configuration
 * interrupt.
 *
 * Guest mistakes — a transmit buffer with writable parts or shorter than
 * the header, a frame beyond 64 KiB, a receive buffer the device cannot
 * write, a malformed offload request or control command framing — mark
 * the device broken (virtio_error: one rate-limited guest_errors line,
 * DEVICE_NEEDS_RESET); the host carries on.
 */
#include "hw/virtio/virtio.h"
#include "core/main-loop.h"
#include "hw/core/machine.h"
#include "hw/virtio/virtio-devices.h"
#include "net/net.h"
#include "net/offload.h"
#include "util/error.h"
#include "util/log.h"

/* Feature bits (§5.1.3). */
#define VIRTIO_NET_F_CSUM               0
#define VIRTIO_NET_F_GUEST_CSUM         1
#define VIRTIO_NET_F_CTRL_GUEST_OFFLOADS 2
#define VIRTIO_NET_F_MTU                3
#define VIRTIO_NET_F_MAC                5
#define VIRTIO_NET_F_GUEST_TSO4         7
#define VIRTIO_NET_F_GUEST_TSO6         8
#define VIRTIO_NET_F_GUEST_ECN          9
#define VIRTIO_NET_F_GUEST_UFO          10
#define VIRTIO_NET_F_HOST_TSO4          11
#define VIRTIO_NET_F_HOST_TSO6          12
#define VIRTIO_NET_F_HOST_ECN           13
#define VIRTIO_NET_F_HOST_UFO           14
#define VIRTIO_NET_F_MRG_RXBUF          15
#define VIRTIO_NET_F_STATUS             16
#define VIRTIO_NET_F_CTRL_VQ            17
#define VIRTIO_NET_F_CTRL_RX            18
#define VIRTIO_NET_F_CTRL_VLAN          19
#define VIRTIO_NET_F_CTRL_RX_EXTRA      20
#define VIRTIO_NET_F_GUEST_ANNOUNCE     21
#define VIRTIO_NET_F_CTRL_MAC_ADDR      23

#define VIRTIO_NET_S_LINK_UP            1
#define VIRTIO_NET_S_ANNOUNCE           2

/* Control queue (§5.1.6.5). */
#define VIRTIO_NET_OK                   0
#define VIRTIO_NET_ERR                  1
#define VIRTIO_NET_CTRL_RX              0
#define  VIRTIO_NET_CTRL_RX_PROMISC     0
#define  VIRTIO_NET_CTRL_RX_ALLMULTI    1
#define  VIRTIO_NET_CTRL_RX_ALLUNI      2
#define  VIRTIO_NET_CTRL_RX_NOMULTI     3
#define  VIRTIO_NET_CTRL_RX_NOUNI       4
#define  VIRTIO_NET_CTRL_RX_NOBCAST     5
#define VIRTIO_NET_CTRL_MAC             1
#define  VIRTIO_NET_CTRL_MAC_TABLE_SET  0
#define  VIRTIO_NET_CTRL_MAC_ADDR_SET   1
#define VIRTIO_NET_CTRL_ANNOUNCE        3
#define  VIRTIO_NET_CTRL_ANNOUNCE_ACK   0
#define VIRTIO_NET_CTRL_GUEST_OFFLOADS  5
#define  VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET 0

/* Config space (§5.1.4, struct virtio_net_config). */
enum {
    VIRTIO_NET_CFG_MAC              = 0,    /* u8[6] */
    VIRTIO_NET_CFG_STATUS           = 6,    /* le16 */
    VIRTIO_NET_CFG_MAX_VQ_PAIRS     = 8,    /* le16 */
    VIRTIO_NET_CFG_MTU              = 10,   /* le16 */
    VIRTIO_NET_CFG_SIZE             = 12,
};

#define VIRTIO_NET_RX_QUEUE             0
#define VIRTIO_NET_TX_QUEUE             1
#define VIRTIO_NET_CTRL_QUEUE           2

#define VIRTIO_NET_MAC_TABLE_ENTRIES    64
/* Frames sent per transmit bottom-half run before yielding the loop. */
#define VIRTIO_NET_TX_BURST             256
/* The largest frame: 64 KiB of GSO payload plus headers. */
#define VIRTIO_NET_MAX_FRAME            (65535 + 14 + 4)
#define VIRTIO_NET_CTRL_MAX_DATA        (8 + 2 * (4 + 6 * 256))
#define ETH_HLEN                        14

/* The offloads a driver may turn on in the back end (GUEST_*). */
#define VIRTIO_NET_GUEST_OFFLOADS \
    (virtio_bit(VIRTIO_NET_F_GUEST_CSUM) | \
     virtio_bit(VIRTIO_NET_F_GUEST_TSO4) | \
     virtio_bit(VIRTIO_NET_F_GUEST_TSO6) | \
     virtio_bit(VIRTIO_NET_F_GUEST_ECN) | \
     virtio_bit(VIRTIO_NET_F_GUEST_UFO))

typedef struct VirtioNet {
    VirtioDevice vdev;
    NetClient nic;
    /* properties */
    NetClient *netdev;
    uint8_t perm_mac[6];
    uint16_t rx_queue_size;
    uint16_t tx_queue_size;
    uint16_t host_mtu;
    bool csum;
    bool guest_csum;
    bool host_tso4;
    bool host_tso6;
    bool host_ecn;
    bool guest_tso4;
    bool guest_tso6;
    bool guest_ecn;
    bool mrg_rxbuf;
    bool status_feature;
    bool ctrl_vq;
    bool ctrl_rx;
    bool ctrl_mac_addr;
    bool ctrl_guest_offloads;

    VirtQueue *rx_vq;
    VirtQueue *tx_vq;
    VirtQueue *ctrl_vq_q;
    BottomHalf *tx_bh;
    BottomHalf *rx_notify_bh;
    bool tx_waiting;            /* a frame is queued at the back end */
    VirtQueueElement **rx_elems;    /* scratch for one received frame */

    uint8_t mac[6];             /* current: config space, ADDR_SET */
    uint16_t status;
    unsigned guest_hdr_len;     /* 10 or 12 */
    bool mergeable;
    bool peer_has_vnet_hdr;     /* the back end carries our header */
    uint64_t curr_guest_offloads;

    /* receive filter */
    bool promisc;
    bool allmulti;
    bool alluni;
    bool nomulti;
    bool nouni;
    bool nobcast;
    unsigned mac_in_use;
    unsigned mac_first_multi;
    bool uni_overflow;
    bool multi_overflow;
    uint8_t mac_table[VIRTIO_NET_MAC_TABLE_ENTRIES][6];
} VirtioNet;

static VirtioNet *virtio_net_from_vdev(VirtioDevice *vdev)
{
    return container_of(vdev, VirtioNet, vdev);
}

static bool virtio_net_running(VirtioNet *s)
{
    return (s->vdev.status & VIRTIO_CONFIG_S_DRIVER_OK) && !s->vdev.broken;
}

/* --- link --- */

static void virtio_net_update_link(VirtioNet *s)
{
    uint16_t old = s->status;

    /* The NIC's own link, as in QEMU: "set_link NETDEV" sets it too. */
    if (s->nic.link_down) {
        s->status &= ~VIRTIO_NET_S_LINK_UP;
    } else {
        s->status |= VIRTIO_NET_S_LINK_UP;
    }
    if (old != s->status && virtio_has_feature(&s->vdev, VIRTIO_NET_F_STATUS)
        && (s->vdev.status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        virtio_notify_config(&s->vdev);
    }
}

static void virtio_net_link_status_changed(NetClient *nc)
{
    virtio_net_update_link(container_of(nc, VirtioNet, nic));
}

/* --- transmit --- */

static void virtio_net_tx_complete(NetClient *nc, ssize_t len)
{
    VirtioNet *s = container_of(nc, VirtioNet, nic);

    s->tx_waiting = false;
    bh_schedule(s->tx_bh);
}

/*
 * Send one guest frame (header included in @sg). Returns the
 * net_client_send() result of the last frame sent, or -1 if the guest's
 * request was malformed (the device is then broken).
 */
static ssize_t virtio_net_tx_one(VirtioNet *s, VirtQueueElement *elem)
{
    struct iovec iov[VIRTQUEUE_MAX_IOV];
    NetVnetHdr hdr = { 0 };
    unsigned n;

    if (elem->in_num || elem->out_len < s->guest_hdr_len ||
        elem->out_len > s->guest_hdr_len + VIRTIO_NET_MAX_FRAME) {
        virtio_error(&s->vdev, "transmit buffer of %" PRIu64 " readable "
                     "and %" PRIu64 " writable bytes (header is %u)",
                     elem->out_len, elem->in_len, s->guest_hdr_len);
        return -1;
    }
    if (s->peer_has_vnet_hdr) {
        /* The back end takes our header as it is. */
        return net_client_send(&s->nic, elem->out_sg, elem->out_num,
                               virtio_net_tx_complete);
    }
    virtio_iov_to_buf(elem->out_sg, elem->out_num, 0, &hdr,
                      MIN(s->guest_hdr_len, sizeof(hdr)));
    n = virtio_iov_slice(iov, ARRAY_SIZE(iov), elem->out_sg, elem->out_num,
                         s->guest_hdr_len, elem->out_len - s->guest_hdr_len);
    if (hdr.flags & NET_VNET_HDR_F_NEEDS_CSUM ||
        hdr.gso_type != NET_VNET_HDR_GSO_NONE) {
        const char *why = NULL;
        ssize_t ret = net_offload_send(&s->nic, &hdr, iov, n,
                                       virtio_net_tx_complete, &why);

        if (why) {
            virtio_error(&s->vdev, "transmit offload request: %s", why);
            return -1;
        }
        return ret;
    }
    return net_client_send(&s->nic, iov, n, virtio_net_tx_complete);
}

/* Send up to a burst; returns frames sent, or -1 if the device broke. */
static int virtio_net_flush_tx(VirtioNet *s)
{
    VirtQueueElement *elem;
    int count = 0;

    while (count < VIRTIO_NET_TX_BURST &&
           (elem = virtqueue_pop(s->tx_vq, sizeof(*elem)))) {
        ssize_t ret = virtio_net_tx_one(s, elem);

        if (ret < 0) {
            free(elem);
            return -1;
        }
        /* The frame was sent or copied into a queue: the buffer is
         * free. A queued frame pauses transmission until it is sent. */
        virtqueue_push(s->tx_vq, elem, 0);
        free(elem);
        count++;
        if (ret == 0) {
            s->tx_waiting = true;
            break;
        }
    }
    if (count) {
        virtio_notify(&s->vdev, s->tx_vq);
    }
    return count;
}

static void virtio_net_tx_bh(void *opaque)
{
    VirtioNet *s = opaque;
    int n;

    if (s->tx_waiting || !virtio_net_running(s)) {
        return;
    }
    n = virtio_net_flush_tx(s);
    if (n < 0 || s->tx_waiting) {
        return;
    }
    if (n >= VIRTIO_NET_TX_BURST) {
        bh_schedule(s->tx_bh);      /* more to do: let the loop breathe */
        return;
    }
    virtio_queue_set_notification(s->tx_vq, true);
    if (!virtqueue_empty(s->tx_vq)) {
        virtio_queue_set_notification(s->tx_vq, false);
        bh_schedule(s->tx_bh);
    }
}

static void virtio_net_handle_tx(VirtioDevice *vdev, VirtQueue *vq)
{
    VirtioNet *s = virtio_net_from_vdev(vdev);

    if (!virtio_net_running(s)) {
        return;
    }
    virtio_queue_set_notification(vq, false);
    bh_schedule(s->tx_bh);
}

/* --- receive --- */

static bool virtio_net_mac_match(const uint8_t *a, const uint8_t *b)
{
    return !memcmp(a, b, 6);
}

/* Should a frame for @dst reach the guest? (§5.1.6.5.1/2) */
static bool virtio_net_rx_filter(VirtioNet *s, const uint8_t *dst)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    if (s->promisc) {
        return true;
    }
    if (dst[0] & 1) {
        if (virtio_net_mac_match(dst, bcast)) {
            return !s->nobcast;
        }
        if (s->nomulti) {
            return false;
        }
        if (s->allmulti || s->multi_overflow) {
            return true;
        }
        for (unsigned i = s->mac_first_multi; i < s->mac_in_use; i++) {
            if (virtio_net_mac_match(dst, s->mac_table[i])) {
                return true;
            }
        }
        return false;
    }
    if (s->nouni) {
        return false;
    }
    if (s->alluni || s->uni_overflow || virtio_net_mac_match(dst, s->mac)) {
        return true;
    }
    for (unsigned i = 0; i < s->mac_first_multi; i++) {
        if (virtio_net_mac_match(dst, s->mac_table[i])) {
            return true;
        }
    }
    return false;
}

/*
 * True if the guest has posted receive buffers. When it has not,
 * notifications are enabled first so its next refill kicks us.
 */
static bool virtio_net_has_buffers(VirtioNet *s)
{
    if (!virtqueue_empty(s->rx_vq)) {
        return true;
    }
    virtio_queue_set_notification(s->rx_vq, true);
    if (virtqueue_empty(s->rx_vq)) {
        return false;
    }
    virtio_queue_set_notification(s->rx_vq, false);
    return true;
}

static bool virtio_net_can_receive(NetClient *nc)
{
    VirtioNet *s = container_of(nc, VirtioNet, nic);

    /* A stopped driver cannot take frames: they are dropped at once. */
    if (!virtio_net_running(s) || !s->rx_vq->ready) {
        return true;
    }
    return virtio_net_has_buffers(s);
}

/* Give back elems[0..n) unused, last first. */
static void virtio_net_unpop_all(VirtioNet *s, unsigned n)
{
    while (n--) {
        virtqueue_unpop(s->rx_vq, s->rx_elems[n]);
        free(s->rx_elems[n]);
    }
}

/*
 * Take enough receive buffers for @need bytes into rx_elems. Returns the
 * count, 0 if there is not enough room yet, or -1 if the device broke.
 */
static int virtio_net_pop_rx(VirtioNet *s, size_t need)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        unsigned n = 0;
        size_t room = 0;

        while (room < need && n < s->rx_queue_size) {
            VirtQueueElement *e = virtqueue_pop(s->rx_vq, sizeof(*e));

            if (!e) {
                break;
            }
            s->rx_elems[n++] = e;
            if (e->out_num || e->in_len < (n == 1 ? s->guest_hdr_len : 1)) {
                virtio_error(&s->vdev, "receive buffer with %" PRIu64
                             " readable and %" PRIu64 " writable bytes",
                             e->out_len, e->in_len);
                while (n--) {
                    free(s->rx_elems[n]);
                }
                return -1;
            }
            room += e->in_len;
            if (!s->mergeable) {
                break;
            }
        }
        if (room >= need) {
            return n;
        }
        if (!s->mergeable && n == 1) {
            virtio_error(&s->vdev, "receive buffer of %zu bytes cannot hold "
                         "a %zu-byte frame (no mergeable buffers)", room,
                         need);
            free(s->rx_elems[0]);
            return -1;
        }
        virtio_net_unpop_all(s, n);
        /* Wait for a refill, unless it raced in just now. */
        virtio_queue_set_notification(s->rx_vq, true);
        if (virtqueue_empty(s->rx_vq)) {
            return 0;
        }
    }
    return 0;
}

/* Copy @len bytes from @src at @soff to @dst at @doff. */
static void virtio_net_iov_copy(const struct iovec *dst, unsigned dn,
                                size_t doff, const struct iovec *src,
                                int sn, size_t soff, size_t len)
{
    unsigned di = 0;
    int si = 0;

    while (di < dn && doff >= dst[di].iov_len) {
        doff -= dst[di++].iov_len;
    }
    while (si < sn && soff >= src[si].iov_len) {
        soff -= src[si++].iov_len;
    }
    while (len && di < dn && si < sn) {
        size_t n = MIN(MIN(dst[di].iov_len - doff, src[si].iov_len - soff),
                       len);

        memcpy((uint8_t *)dst[di].iov_base + doff,
               (uint8_t *)src[si].iov_base + soff, n);
        len -= n;
        doff += n;
        soff += n;
        if (doff == dst[di].iov_len) {
            di++;
            doff = 0;
        }
        if (soff == src[si].iov_len) {
            si++;
            soff = 0;
        }
    }
}

static ssize_t virtio_net_receive(NetClient *nc, const struct iovec *iov,
                                  int iovcnt)
{
    VirtioNet *s = container_of(nc, VirtioNet, nic);
    size_t size = net_iov_size(iov, iovcnt);
    size_t host_hdr = s->peer_has_vnet_hdr ? s->guest_hdr_len : 0;
    size_t payload, offset, need;
    NetVnetHdr hdr = { 0 };
    uint8_t dst[6];
    int n;

    if (!virtio_net_running(s) || !s->rx_vq->ready ||
        size < host_hdr + ETH_HLEN) {
        return size;            /* nobody listening, or a runt: dropped */
    }
    net_iov_to_buf(iov, iovcnt, host_hdr, dst, sizeof(dst));
    if (!virtio_net_rx_filter(s, dst)) {
        return size;
    }
    payload = size - host_hdr;
    need = s->guest_hdr_len + payload;
    n = virtio_net_pop_rx(s, need);
    if (n <= 0) {
        return n < 0 ? (ssize_t)size : 0;
    }
    virtio_queue_set_notification(s->rx_vq, false);

    if (host_hdr) {
        net_iov_to_buf(iov, iovcnt, 0, &hdr, host_hdr);
    }
    hdr.num_buffers = n;
    /* Copy the header, then the frame, across the buffers in order. */
    offset = host_hdr;
    for (int i = 0; i < n; i++) {
        VirtQueueElement *e = s->rx_elems[i];
        size_t done = 0;

        if (i == 0) {
            done = virtio_iov_from_buf(e->in_sg, e->in_num, 0, &hdr,
                                       s->guest_hdr_len);
        }
        if (offset < size && done < e->in_len) {
            size_t len = MIN(e->in_len - done, size - offset);

            virtio_net_iov_copy(e->in_sg, e->in_num, done, iov, iovcnt,
                                offset, len);
            done += len;
            offset += len;
        }
        virtqueue_fill(s->rx_vq, e, done, i);
        free(e);
    }
    virtqueue_flush(s->rx_vq, n);
    bh_schedule(s->rx_notify_bh);
    return size;
}

/* Interrupt once for all frames received in one loop iteration. */
static void virtio_net_rx_notify_bh(void *opaque)
{
    VirtioNet *s = opaque;

    virtio_notify(&s->vdev, s->rx_vq);
}

static void virtio_net_handle_rx(VirtioDevice *vdev, VirtQueue *vq)
{
    VirtioNet *s = virtio_net_from_vdev(vdev);

    /* The guest posted buffers: deliver what waited, then let the back
     * end read again. */
    net_client_flush_queued(&s->nic);
}

/* --- control queue --- */

static void virtio_net_apply_offloads(VirtioNet *s)
{
    NetOffloads o = {
        .csum = s->curr_guest_offloads & virtio_bit(VIRTIO_NET_F_GUEST_CSUM),
        .tso4 = s->curr_guest_offloads & virtio_bit(VIRTIO_NET_F_GUEST_TSO4),
        .tso6 = s->curr_guest_offloads & virtio_bit(VIRTIO_NET_F_GUEST_TSO6),
        .ecn = s->curr_guest_offloads & virtio_bit(VIRTIO_NET_F_GUEST_ECN),
        .ufo = s->curr_guest_offloads & virtio_bit(VIRTIO_NET_F_GUEST_UFO),
    };

    if (s->peer_has_vnet_hdr) {
        net_client_set_offload(s->nic.peer, &o);
    }
}

static uint8_t virtio_net_ctrl_rx(VirtioNet *s, uint8_t cmd,
                                  const uint8_t *data, size_t len)
{
    bool *flags[] = {
        [VIRTIO_NET_CTRL_RX_PROMISC] = &s->promisc,
        [VIRTIO_NET_CTRL_RX_ALLMULTI] = &s->allmulti,
        [VIRTIO_NET_CTRL_RX_ALLUNI] = &s->alluni,
        [VIRTIO_NET_CTRL_RX_NOMULTI] = &s->nomulti,
        [VIRTIO_NET_CTRL_RX_NOUNI] = &s->nouni,
        [VIRTIO_NET_CTRL_RX_NOBCAST] = &s->nobcast,
    };

    if (len != 1 || cmd >= ARRAY_SIZE(flags) ||
        !virtio_has_feature(&s->vdev, VIRTIO_NET_F_CTRL_RX)) {
        return VIRTIO_NET_ERR;
    }
    *flags[cmd] = data[0];
    return VIRTIO_NET_OK;
}

/* Parse one "le32 entries; u8 macs[entries][6]" table at @data. */
static bool virtio_net_mac_table_part(VirtioNet *s, const uint8_t *data,
                                      size_t len, size_t *used,
                                      bool *overflow)
{
    uint32_t entries;

    if (len < 4) {
        return false;
    }
    memcpy(&entries, data, 4);
    if (entries > (len - 4) / 6) {
        return false;
    }
    *used = 4 + (size_t)entries * 6;
    if (entries > VIRTIO_NET_MAC_TABLE_ENTRIES - s->mac_in_use) {
        *overflow = true;
        return true;
    }
    memcpy(s->mac_table[s->mac_in_use], data + 4, entries * 6);
    s->mac_in_use += entries;
    return true;
}

static uint8_t virtio_net_ctrl_mac(VirtioNet *s, uint8_t cmd,
                                   const uint8_t *data, size_t len)
{
    size_t used_uni, used_multi;

    if (cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET) {
        if (len != 6) {
            return VIRTIO_NET_ERR;
        }
        memcpy(s->mac, data, 6);
        return VIRTIO_NET_OK;
    }
    if (cmd != VIRTIO_NET_CTRL_MAC_TABLE_SET) {
        return VIRTIO_NET_ERR;
    }
    s->mac_in_use = 0;
    s->mac_first_multi = 0;
    s->uni_overflow = s->multi_overflow = false;
    if (!virtio_net_mac_table_part(s, data, len, &used_uni,
                                   &s->uni_overflow)) {
        goto bad;
    }
    s->mac_first_multi = s->mac_in_use;
    if (!virtio_net_mac_table_part(s, data + used_uni, len - used_uni,
                                   &used_multi, &s->multi_overflow) ||
        used_uni + used_multi != len) {
        goto bad;
    }
    return VIRTIO_NET_OK;

bad:
    s->mac_in_use = s->mac_first_multi = 0;
    s->uni_overflow = s->multi_overflow = false;
    return VIRTIO_NET_ERR;
}

static uint8_t virtio_net_ctrl_offloads(VirtioNet *s, uint8_t cmd,
                                        const uint8_t *data, size_t len)
{
    uint64_t offloads;

    if (cmd != VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET || len != 8 ||
        !virtio_has_feature(&s->vdev, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS)) {
        return VIRTIO_NET_ERR;
    }
    memcpy(&offloads, data, 8);
    /* Only offloads the driver negotiated may be switched on. */
    if (offloads & ~(s->vdev.guest_features & VIRTIO_NET_GUEST_OFFLOADS)) {
        return VIRTIO_NET_ERR;
    }
    s->curr_guest_offloads = offloads;
    virtio_net_apply_offloads(s);
    return VIRTIO_NET_OK;
}

static uint8_t virtio_net_ctrl_command(VirtioNet *s, uint8_t class,
                                       uint8_t cmd, const uint8_t *data,
                                       size_t len)
{
    switch (class) {
    case VIRTIO_NET_CTRL_RX:
        return virtio_net_ctrl_rx(s, cmd, data, len);
    case VIRTIO_NET_CTRL_MAC:
        return virtio_net_ctrl_mac(s, cmd, data, len);
    case VIRTIO_NET_CTRL_ANNOUNCE:
        if (cmd != VIRTIO_NET_CTRL_ANNOUNCE_ACK) {
            return VIRTIO_NET_ERR;
        }
        s->status &= ~VIRTIO_NET_S_ANNOUNCE;
        return VIRTIO_NET_OK;
    case VIRTIO_NET_CTRL_GUEST_OFFLOADS:
        return virtio_net_ctrl_offloads(s, cmd, data, len);
    default:
        return VIRTIO_NET_ERR;  /* VLAN, MQ, ...: not offered */
    }
}

static void virtio_net_handle_ctrl(VirtioDevice *vdev, VirtQueue *vq)
{
    VirtioNet *s = virtio_net_from_vdev(vdev);
    VirtQueueElement *elem;
    bool pushed = false;

    while ((elem = virtqueue_pop(vq, sizeof(*elem)))) {
        uint8_t ctrl[2], ack = VIRTIO_NET_ERR;
        size_t len;

        if (elem->out_len < sizeof(ctrl) || elem->in_len < 1) {
            virtio_error(vdev, "control request with %" PRIu64 " readable "
                         "and %" PRIu64 " writable bytes", elem->out_len,
                         elem->in_len);
            free(elem);
            return;
        }
        virtio_iov_to_buf(elem->out_sg, elem->out_num, 0, ctrl, 2);
        len = elem->out_len - 2;
        if (len <= VIRTIO_NET_CTRL_MAX_DATA) {
            uint8_t *data = xmalloc(len ? len : 1);

            virtio_iov_to_buf(elem->out_sg, elem->out_num, 2, data, len);
            ack = virtio_net_ctrl_command(s, ctrl[0], ctrl[1], data, len);
            free(data);
        }
        virtio_iov_from_buf(elem->in_sg, elem->in_num, 0, &ack, 1);
        virtqueue_push(vq, elem, 1);
        free(elem);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(vdev, vq);
    }
}

/* --- config, features, reset --- */

static void virtio_net_get_config(VirtioDevice *vdev, uint8_t *cfg)
{
    VirtioNet *s = virtio_net_from_vdev(vdev);
    uint16_t pairs = 1;

    memset(cfg, 0, VIRTIO_NET_CFG_SIZE);
    memcpy(cfg + VIRTIO_NET_CFG_MAC, s->mac, 6);
    memcpy(cfg + VIRTIO_NET_CFG_STATUS, &s->status, 2);
    memcpy(cfg + VIRTIO_NET_CFG_MAX_VQ_PAIRS, &pairs, 2);
    memcpy(cfg + VIRTIO_NET_CFG_MTU, &s->host_mtu, 2);
}

static void virtio_net_set_config(VirtioDevice *vdev, const uint8_t *cfg)
{
    VirtioNet *s = virtio_net_from_vdev(vdev);

    /* Legacy drivers set the MAC by writing it (§5.1.4.2: modern ones
     * must use the control queue). */
    if (!virtio_has_feature(vdev, VIRTIO_NET_F_CTRL_MAC_ADDR) &&
        !virtio_is_modern(vdev)) {
        memcpy(s->mac, cfg + VIRTIO_NET_CFG_MAC, 6);
    }
}

static void virtio_net_set_features(VirtioDevice *vdev, uint64_t features)
{
    VirtioNet *s = virtio_net_from_vdev(vdev);

    s->mergeable = features & virtio_bit(VIRTIO_NET_F_MRG_RXBUF);
    s->guest_hdr_len = s->mergeable ||
                       (features & virtio_bit(VIRTIO_F_VERSION_1))
                       ? sizeof(NetVnetHdr) : sizeof(NetVnetHdr) - 2;
    if (s->peer_has_vnet_hdr) {
        net_client_using_vnet_hdr(s->nic.peer, true, s->guest_hdr_len);
    }
    s->curr_guest_offloads = features & VIRTIO_NET_GUEST_OFFLOADS;
    virtio_net_apply_offloads(s);
}

static void virtio_net_reset(VirtioDevice *vdev)
{
    VirtioNet *s = virtio_net_from_vdev(vdev);

    s->tx_waiting = false;
    bh_cancel(s->tx_bh);
    bh_cancel(s->rx_notify_bh);
    memcpy(s->mac, s->perm_mac, 6);
    s->promisc = true;          /* until the driver sets its filter */
    s->allmulti = s->alluni = s->nomulti = s->nouni = s->nobcast = false;
    s->mac_in_use = s->mac_first_multi = 0;
    s->uni_overflow = s->multi_overflow = false;
    s->mergeable = false;
    s->guest_hdr_len = sizeof(NetVnetHdr) - 2;
    s->status &= ~VIRTIO_NET_S_ANNOUNCE;
    /* Frames that waited for the old driver are stale. */
    net_client_purge_queued(&s->nic);
}

static const VirtioDeviceOps virtio_net_ops = {
    .get_config = virtio_net_get_config,
    .set_config = virtio_net_set_config,
    .set_features = virtio_net_set_features,
    .reset = virtio_net_reset,
};

static const NetClientOps virtio_net_nic_ops = {
    .kind = NET_CLIENT_NIC,
    .type_name = "nic",
    .can_receive = virtio_net_can_receive,
    .receive = virtio_net_receive,
    .link_status_changed = virtio_net_link_status_changed,
};

/* --- realize --- */

static uint64_t virtio_net_host_features(VirtioNet *s)
{
    uint64_t f = virtio_bit(VIRTIO_NET_F_MAC);

    f |= s->status_feature ? virtio_bit(VIRTIO_NET_F_STATUS) : 0;
    f |= s->mrg_rxbuf ? virtio_bit(VIRTIO_NET_F_MRG_RXBUF) : 0;
    f |= s->host_mtu ? virtio_bit(VIRTIO_NET_F_MTU) : 0;
    if (s->ctrl_vq) {
        f |= virtio_bit(VIRTIO_NET_F_CTRL_VQ);
        f |= s->ctrl_rx ? virtio_bit(VIRTIO_NET_F_CTRL_RX) |
                          virtio_bit(VIRTIO_NET_F_CTRL_RX_EXTRA) : 0;
        f |= s->ctrl_mac_addr ? virtio_bit(VIRTIO_NET_F_CTRL_MAC_ADDR) : 0;
    }
    /* Transmit offloads: the back end takes them, or we do them. */
    if (s->csum) {
        f |= virtio_bit(VIRTIO_NET_F_CSUM);
        f |= s->host_tso4 ? virtio_bit(VIRTIO_NET_F_HOST_TSO4) : 0;
        f |= s->host_tso6 ? virtio_bit(VIRTIO_NET_F_HOST_TSO6) : 0;
        f |= s->host_ecn ? virtio_bit(VIRTIO_NET_F_HOST_ECN) : 0;
    }
    /* Receive offloads only exist when the back end produces them. */
    if (s->peer_has_vnet_hdr && s->guest_csum) {
        f |= virtio_bit(VIRTIO_NET_F_GUEST_CSUM);
        f |= s->guest_tso4 ? virtio_bit(VIRTIO_NET_F_GUEST_TSO4) : 0;
        f |= s->guest_tso6 ? virtio_bit(VIRTIO_NET_F_GUEST_TSO6) : 0;
        f |= s->guest_ecn ? virtio_bit(VIRTIO_NET_F_GUEST_ECN) : 0;
        if (s->ctrl_vq && s->ctrl_guest_offloads) {
            f |= virtio_bit(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS);
        }
    }
    return f;
}

/* "virtio-net-device.N": the first name no client has yet. */
static char *virtio_net_default_name(Machine *m)
{
    for (unsigned i = 0;; i++) {
        char *name = xasprintf("virtio-net-device.%u", i);

        if (!net_client_find(net_state(m), name)) {
            return name;
        }
        free(name);
    }
}

static void virtio_net_unrealize(DeviceState *dev);

static bool virtio_net_realize(DeviceState *dev, Error **errp)
{
    static const uint8_t zero_mac[6];
    VirtioNet *s = container_of(dev, VirtioNet, vdev.dev);
    VirtioDevice *vdev = &s->vdev;
    Machine *m = dev->machine;
    char *name;

    if (s->rx_queue_size < 4 || s->rx_queue_size > VIRTQUEUE_MAX_SIZE ||
        !IS_POW2(s->rx_queue_size) || s->tx_queue_size < 4 ||
        s->tx_queue_size > VIRTQUEUE_MAX_SIZE || !IS_POW2(s->tx_queue_size)) {
        error_setg(errp, "invalid rx_queue_size/tx_queue_size (%u/%u), must "
                   "be powers of 2 between 4 and %u", s->rx_queue_size,
                   s->tx_queue_size, VIRTQUEUE_MAX_SIZE);
        return false;
    }
    if (s->host_mtu && (s->host_mtu < 68 || s->host_mtu > 65535 - 14)) {
        error_setg(errp, "invalid host_mtu %u", s->host_mtu);
        return false;
    }
    if (!memcmp(s->perm_mac, zero_mac, 6)) {
        static const uint8_t base[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

        memcpy(s->perm_mac, base, 6);
        s->perm_mac[5] += net_state_next_nic_index(net_state(m));
    }
    name = dev->id ? xstrdup(dev->id) : virtio_net_default_name(m);
    if (net_client_find(net_state(m), name)) {
        error_setg(errp, "Duplicate ID '%s' for a network device", name);
        free(name);
        return false;
    }
    net_client_init(&s->nic, &virtio_net_nic_ops, m, name);
    free(name);
    if (s->netdev && !net_client_attach_peer(&s->nic, s->netdev,
                                             dev->type->name, errp)) {
        net_client_destroy(&s->nic);
        return false;
    }
    s->nic.info_str = xasprintf("model=%s,macaddr=%02x:%02x:%02x:%02x:%02x:"
                                "%02x", dev->type->name, s->perm_mac[0],
                                s->perm_mac[1], s->perm_mac[2],
                                s->perm_mac[3], s->perm_mac[4],
                                s->perm_mac[5]);
    s->peer_has_vnet_hdr = net_client_has_vnet_hdr(s->netdev);
    memcpy(s->mac, s->perm_mac, 6);
    s->status = VIRTIO_NET_S_LINK_UP;
    s->guest_hdr_len = sizeof(NetVnetHdr) - 2;
    s->promisc = true;
    s->tx_bh = bh_new(m->loop, virtio_net_tx_bh, s);
    s->rx_notify_bh = bh_new(m->loop, virtio_net_rx_notify_bh, s);
    s->rx_elems = XNEW_ARRAY(VirtQueueElement *, s->rx_queue_size);

    vdev->host_features = virtio_net_host_features(s);
    virtio_init(vdev, &virtio_net_ops, VIRTIO_ID_NET, VIRTIO_NET_CFG_SIZE);
    s->rx_vq = virtio_add_queue(vdev, s->rx_queue_size, virtio_net_handle_rx);
    s->tx_vq = virtio_add_queue(vdev, s->tx_queue_size, virtio_net_handle_tx);
    if (s->ctrl_vq) {
        s->ctrl_vq_q = virtio_add_queue(vdev, 64, virtio_net_handle_ctrl);
    }
    virtio_net_update_link(s);
    if (!virtio_attach(vdev, errp)) {
        virtio_net_unrealize(dev);
        return false;
    }
    return true;
}

static void virtio_net_unrealize(DeviceState *dev)
{
    VirtioNet *s = container_of(dev, VirtioNet, vdev.dev);

    if (s->nic.net) {
        net_client_destroy(&s->nic);
    }
    if (s->tx_bh) {
        bh_delete(s->tx_bh);
        bh_delete(s->rx_notify_bh);
    }
    free(s->rx_elems);
    virtio_cleanup(&s->vdev);
}

static void virtio_net_device_reset(DeviceState *dev)
{
    virtio_reset(container_of(dev, VirtioDevice, dev));
}

static const Property virtio_net_props[] = {
    DEFINE_PROP_NETDEV("netdev", VirtioNet, netdev,
                       "the back end (-netdev id=)"),
    DEFINE_PROP_MACADDR("mac", VirtioNet, perm_mac,
                        "MAC address (default 52:54:00:12:34:56 + n)"),
    DEFINE_PROP_UINT16("rx_queue_size", VirtioNet, rx_queue_size, 256,
                       "receive virtqueue size"),
    DEFINE_PROP_UINT16("tx_queue_size", VirtioNet, tx_queue_size, 256,
                       "transmit virtqueue size"),
    DEFINE_PROP_UINT16("host_mtu", VirtioNet, host_mtu, 0,
                       "MTU advised to the guest (0: none)"),
    DEFINE_PROP_BOOL("csum", VirtioNet, csum, true,
                     "offer transmit checksum offload"),
    DEFINE_PROP_BOOL("host_tso4", VirtioNet, host_tso4, true,
                     "offer TCPv4 segmentation offload"),
    DEFINE_PROP_BOOL("host_tso6", VirtioNet, host_tso6, true,
                     "offer TCPv6 segmentation offload"),
    DEFINE_PROP_BOOL("host_ecn", VirtioNet, host_ecn, true,
                     "offer TSO with ECN"),
    DEFINE_PROP_BOOL("guest_csum", VirtioNet, guest_csum, true,
                     "pass received partial checksums (back end permitting)"),
    DEFINE_PROP_BOOL("guest_tso4", VirtioNet, guest_tso4, true,
                     "pass received TCPv4 super-frames"),
    DEFINE_PROP_BOOL("guest_tso6", VirtioNet, guest_tso6, true,
                     "pass received TCPv6 super-frames"),
    DEFINE_PROP_BOOL("guest_ecn", VirtioNet, guest_ecn, true,
                     "pass received super-frames with ECN"),
    DEFINE_PROP_BOOL("mrg_rxbuf", VirtioNet, mrg_rxbuf, true,
                     "offer mergeable receive buffers"),
    DEFINE_PROP_BOOL("status", VirtioNet, status_feature, true,
                     "report link status"),
    DEFINE_PROP_BOOL("ctrl_vq", VirtioNet, ctrl_vq, true,
                     "offer the control virtqueue"),
    DEFINE_PROP_BOOL("ctrl_rx", VirtioNet, ctrl_rx, true,
                     "receive filtering through the control queue"),
    DEFINE_PROP_BOOL("ctrl_mac_addr", VirtioNet, ctrl_mac_addr, true,
                     "MAC address changes through the control queue"),
    DEFINE_PROP_BOOL("ctrl_guest_offloads", VirtioNet, ctrl_guest_offloads,
                     true, "receive offload changes through the control "
                     "queue"),
    DEFINE_PROP_END,
};

const DeviceType virtio_net_device_type = {
    .name = "virtio-net-device",
    .desc = "Virtio network device",
    .category = "Network devices",
    .bus = DEVICE_BUS_VIRTIO,
    .instance_size = sizeof(VirtioNet),
    .props = virtio_net_props,
    .user_creatable = true,
    .realize = virtio_net_realize,
    .unrealize = virtio_net_unrealize,
    .reset = virtio_net_device_reset,
};
