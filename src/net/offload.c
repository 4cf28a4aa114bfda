/*
 * net/offload.c — checksum completion and TCP segmentation in software,
 * for frames a guest handed over with offload requests (virtio 1.2
 * §5.1.6.2) when the back end cannot take the virtio-net header.
 *
 * Checksum (NEEDS_CSUM): the guest already put the pseudo-header sum in
 * the checksum field (Linux's CHECKSUM_PARTIAL convention, which the
 * spec's "csum_start/csum_offset" describes), so the device sums the
 * bytes from csum_start to the end and stores the complement there.
 *
 * Segmentation (GSO_TCPV4/TCPV6, ECN allowed): the super-frame is
 * Ethernet (optionally one 802.1Q tag) + IPv4 or IPv6 (no extension
 * headers) + TCP. Each segment carries a copy of the headers with:
 *   IPv4: total length, identification +1 per segment, header checksum;
 *   IPv6: payload length;
 *   TCP:  sequence number advanced by the payload sent so far, FIN and
 *         PSH only on the last segment, CWR only on the first, and its
 *         checksum over the pseudo-header (RFC 793, RFC 8200 §8.1).
 * That is what Linux's tcp_gso_segment() produces, so the peer sees the
 * same stream it would from a NIC's TSO engine.
 */
#include "net/offload.h"

#include <arpa/inet.h>

#define ETH_HLEN            14
#define ETH_P_IP            0x0800
#define ETH_P_IPV6          0x86dd
#define ETH_P_8021Q         0x8100
#define IPPROTO_TCP_NUM     6
#define TCP_FLAG_FIN        0x01
#define TCP_FLAG_PSH        0x08
#define TCP_FLAG_CWR        0x80

uint32_t net_checksum_add(uint32_t sum, const uint8_t *buf, size_t len)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        sum += (uint32_t)buf[i] << 8 | buf[i + 1];
    }
    if (i < len) {
        sum += (uint32_t)buf[i] << 8;
    }
    while (sum >> 16) {     /* keep the sum from overflowing 32 bits */
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

uint16_t net_checksum_finish(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum & 0xffff;
}

static uint16_t load_be16(const uint8_t *p)
{
    return (uint16_t)p[0] << 8 | p[1];
}

static void store_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)load_be16(p) << 16 | load_be16(p + 2);
}

static void store_be32(uint8_t *p, uint32_t v)
{
    store_be16(p, v >> 16);
    store_be16(p + 2, v);
}

static ssize_t offload_send_one(NetClient *sender, uint8_t *frame,
                                size_t len, NetSentCB *sent_cb, bool *queued)
{
    struct iovec iov = { .iov_base = frame, .iov_len = len };
    ssize_t ret = net_client_send(sender, &iov, 1, sent_cb);

    *queued |= ret == 0;
    return ret;
}

/* Complete a partial checksum in place. */
static bool offload_csum(uint8_t *frame, size_t len, const NetVnetHdr *hdr,
                         const char **why)
{
    size_t start = hdr->csum_start, off = hdr->csum_offset;

    if (start >= len || len - start < 2 || off > len - start - 2) {
        *why = "checksum offsets outside the frame";
        return false;
    }
    store_be16(frame + start + off,
               net_checksum_finish(net_checksum_add(0, frame + start,
                                                    len - start)));
    return true;
}

/* The TCP checksum of a segment: pseudo-header + TCP header + data. */
static void offload_tcp_csum(uint8_t *frame, size_t l3, size_t l4,
                             size_t len, bool v6)
{
    uint32_t sum;
    uint8_t pseudo[8];
    size_t tcp_len = len - l4;

    store_be16(frame + l4 + 16, 0);
    if (v6) {
        sum = net_checksum_add(0, frame + l3 + 8, 32);  /* src, dst */
        store_be32(pseudo, tcp_len);
        store_be32(pseudo + 4, IPPROTO_TCP_NUM);
    } else {
        sum = net_checksum_add(0, frame + l3 + 12, 8);  /* src, dst */
        store_be16(pseudo, IPPROTO_TCP_NUM);
        store_be16(pseudo + 2, tcp_len);
        store_be32(pseudo + 4, 0);
    }
    sum = net_checksum_add(sum, pseudo, 8);
    sum = net_checksum_add(sum, frame + l4, tcp_len);
    store_be16(frame + l4 + 16, net_checksum_finish(sum));
}

/* Split a TCP super-frame into segments of hdr->gso_size payload. */
static ssize_t offload_tso(NetClient *sender, uint8_t *frame, size_t len,
                           const NetVnetHdr *hdr, NetSentCB *sent_cb,
                           const char **why)
{
    bool v6 = (hdr->gso_type & ~NET_VNET_HDR_GSO_ECN) ==
              NET_VNET_HDR_GSO_TCPV6;
    size_t l3 = ETH_HLEN, l4, hlen, payload, mss = hdr->gso_size;
    uint16_t ethertype, ip_id = 0;
    uint32_t seq;
    uint8_t flags, *seg;
    bool queued = false;
    ssize_t ret = len;

    if (len < ETH_HLEN + 4) {
        goto bad;
    }
    ethertype = load_be16(frame + 12);
    if (ethertype == ETH_P_8021Q) {
        ethertype = load_be16(frame + 16);
        l3 += 4;
    }
    if (v6) {
        if (ethertype != ETH_P_IPV6 || len < l3 + 40 ||
            frame[l3 + 6] != IPPROTO_TCP_NUM) {
            goto bad;
        }
        l4 = l3 + 40;
    } else {
        if (ethertype != ETH_P_IP || len < l3 + 20 ||
            (frame[l3] >> 4) != 4 || frame[l3 + 9] != IPPROTO_TCP_NUM) {
            goto bad;
        }
        l4 = l3 + (frame[l3] & 0xf) * 4;
        ip_id = load_be16(frame + l3 + 4);
    }
    if (len < l4 + 20 || (frame[l4 + 12] >> 4) < 5) {
        goto bad;
    }
    hlen = l4 + (frame[l4 + 12] >> 4) * 4;
    if (hlen > len || mss == 0) {
        goto bad;
    }
    payload = len - hlen;
    seq = load_be32(frame + l4 + 4);
    flags = frame[l4 + 13];

    seg = xmalloc(hlen + mss);
    for (size_t off = 0, i = 0; off < payload || (payload == 0 && i == 0);
         off += mss, i++) {
        size_t chunk = MIN(mss, payload - off);
        size_t seg_len = hlen + chunk;
        bool last = off + chunk >= payload;

        memcpy(seg, frame, hlen);
        memcpy(seg + hlen, frame + hlen + off, chunk);
        if (v6) {
            store_be16(seg + l3 + 4, seg_len - l4);
        } else {
            store_be16(seg + l3 + 2, seg_len - l3);
            store_be16(seg + l3 + 4, ip_id + i);
            store_be16(seg + l3 + 10, 0);
            store_be16(seg + l3 + 10,
                       net_checksum_finish(net_checksum_add(0, seg + l3,
                                                            l4 - l3)));
        }
        store_be32(seg + l4 + 4, seq + off);
        seg[l4 + 13] = flags & ~(last ? 0 : TCP_FLAG_FIN | TCP_FLAG_PSH)
                             & ~(i ? TCP_FLAG_CWR : 0);
        offload_tcp_csum(seg, l3, l4, seg_len, v6);
        ret = offload_send_one(sender, seg, seg_len, sent_cb, &queued);
        if (payload == 0) {
            break;
        }
    }
    free(seg);
    return queued ? 0 : ret;

bad:
    *why = "segmentation request for a frame that is not TCP over "
           "IPv4/IPv6, or with an MSS of 0";
    return -1;
}

ssize_t net_offload_send(NetClient *sender, const NetVnetHdr *hdr,
                         const struct iovec *iov, int iovcnt,
                         NetSentCB *sent_cb, const char **why)
{
    size_t len = net_iov_size(iov, iovcnt);
    uint8_t *frame = xmalloc(len ? len : 1);
    unsigned gso = hdr->gso_type & ~NET_VNET_HDR_GSO_ECN;
    bool queued = false;
    ssize_t ret = -1;

    *why = NULL;
    net_iov_to_buf(iov, iovcnt, 0, frame, len);
    if (gso == NET_VNET_HDR_GSO_NONE) {
        if (offload_csum(frame, len, hdr, why)) {
            ret = offload_send_one(sender, frame, len, sent_cb, &queued);
        }
    } else if (gso == NET_VNET_HDR_GSO_TCPV4 ||
               gso == NET_VNET_HDR_GSO_TCPV6) {
        ret = offload_tso(sender, frame, len, hdr, sent_cb, why);
    } else {
        *why = "unsupported segmentation type";
    }
    free(frame);
    return ret;
}
