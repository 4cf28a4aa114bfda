/*
 * net/offload.h — the virtio-net header (virtio 1.2 §5.1.6) and, for back
 * ends that cannot take it, doing in software what it asks: completing a
 * partial checksum and splitting a TCP super-frame into MSS-sized
 * segments (what a NIC's TSO engine does).
 */
#ifndef NET_OFFLOAD_H
#define NET_OFFLOAD_H

#include "util/osdep.h"
#include "net/net.h"

/* struct virtio_net_hdr (with num_buffers), little-endian fields. */
typedef struct NetVnetHdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
    uint16_t num_buffers;
} NetVnetHdr;

#define NET_VNET_HDR_F_NEEDS_CSUM   1
#define NET_VNET_HDR_F_DATA_VALID   2
#define NET_VNET_HDR_GSO_NONE       0
#define NET_VNET_HDR_GSO_TCPV4      1
#define NET_VNET_HDR_GSO_UDP        3
#define NET_VNET_HDR_GSO_TCPV6      4
#define NET_VNET_HDR_GSO_ECN        0x80

/*
 * net_offload_send - send the frame @iov from @sender after completing
 * what @hdr asks (checksum, TCP segmentation), as one or more plain
 * frames through net_client_send(@sender, ..., @sent_cb).
 * Returns like net_client_send(): 0 if any frame had to be queued.
 * A request that cannot be honoured (offsets outside the frame, not TCP,
 * an MSS of 0) sets *@why and sends nothing.
 */
ssize_t net_offload_send(NetClient *sender, const NetVnetHdr *hdr,
                         const struct iovec *iov, int iovcnt,
                         NetSentCB *sent_cb, const char **why);

/*
 * net_checksum_add - add @len bytes at @buf, as big-endian 16-bit words,
 * to the running one's complement sum @sum (RFC 1071); an odd length is
 * padded with a zero byte. net_checksum_finish folds and complements.
 */
uint32_t net_checksum_add(uint32_t sum, const uint8_t *buf, size_t len);
uint16_t net_checksum_finish(uint32_t sum);

#endif /* NET_OFFLOAD_H */
