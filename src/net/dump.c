/*
 * net/dump.c — "filter-dump": write every frame a netdev sends and
 * receives to a pcap file (-object filter-dump,id=f0,netdev=n0,
 * file=x.pcap[,maxlen=N]), readable by tcpdump, tshark and Wireshark.
 *
 * Format: classic libpcap (not pcapng), microsecond timestamps, host byte
 * order (readers detect it from the magic), link type 1 (Ethernet). Each
 * record is one writev() of header and frame, with no stdio buffering, so
 * the file is complete up to the last frame while the VM still runs.
 * Frames longer than maxlen are truncated, their original length kept.
 * A virtio-net header in front of the frame (tap with vnet_hdr) is not
 * part of what is written.
 */
#include "net/net.h"
#include "util/error.h"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#define PCAP_MAGIC              0xa1b2c3d4u
#define PCAP_VERSION_MAJOR      2
#define PCAP_VERSION_MINOR      4
#define PCAP_LINKTYPE_ETHERNET  1

typedef struct PcapFileHeader {
    uint32_t magic;
    uint16_t version_major;
    uint16_t version_minor;
    int32_t thiszone;
    uint32_t sigfigs;
    uint32_t snaplen;
    uint32_t linktype;
} PcapFileHeader;

typedef struct PcapRecordHeader {
    uint32_t ts_sec;
    uint32_t ts_usec;
    uint32_t caplen;
    uint32_t len;
} PcapRecordHeader;

typedef struct FilterDump {
    NetFilter nf;
    char *file;
    uint32_t maxlen;
    int fd;
} FilterDump;

static bool filter_dump_setup(NetFilter *f, Error **errp)
{
    FilterDump *d = container_of(f, FilterDump, nf);
    PcapFileHeader h = {
        .magic = PCAP_MAGIC,
        .version_major = PCAP_VERSION_MAJOR,
        .version_minor = PCAP_VERSION_MINOR,
        .snaplen = d->maxlen,
        .linktype = PCAP_LINKTYPE_ETHERNET,
    };

    d->fd = -1;
    if (!d->file) {
        error_setg(errp, "Parameter 'file' is missing");
        return false;
    }
    if (d->maxlen == 0) {
        error_setg(errp, "Parameter 'maxlen' expects a positive length");
        return false;
    }
    d->fd = open(d->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (d->fd < 0) {
        error_setg_errno(errp, errno, "net dump: can't open %s", d->file);
        return false;
    }
    if (write(d->fd, &h, sizeof(h)) != sizeof(h)) {
        error_setg_errno(errp, errno, "net dump write error");
        close(d->fd);
        d->fd = -1;
        return false;
    }
    return true;
}

static void filter_dump_observe(NetFilter *f, NetFilterDirection dir,
                                const struct iovec *iov, int iovcnt,
                                size_t offset)
{
    FilterDump *d = container_of(f, FilterDump, nf);
    size_t size = net_iov_size(iov, iovcnt);
    struct iovec out[1 + 64];
    PcapRecordHeader h;
    struct timeval tv;
    size_t left;
    int n = 1;

    if (d->fd < 0 || size <= offset) {
        return;
    }
    size -= offset;
    gettimeofday(&tv, NULL);
    h.ts_sec = tv.tv_sec;
    h.ts_usec = tv.tv_usec;
    h.len = size;
    h.caplen = MIN(size, (size_t)d->maxlen);
    out[0].iov_base = &h;
    out[0].iov_len = sizeof(h);
    left = h.caplen;
    for (int i = 0; i < iovcnt && left && n < (int)ARRAY_SIZE(out); i++) {
        size_t len = iov[i].iov_len;

        if (offset >= len) {
            offset -= len;
            continue;
        }
        len = MIN(len - offset, left);
        out[n].iov_base = (uint8_t *)iov[i].iov_base + offset;
        out[n].iov_len = len;
        left -= len;
        offset = 0;
        n++;
    }
    if (left) {
        h.caplen -= left;       /* more pieces than out[]: truncate */
    }
    if (writev(d->fd, out, n) < 0) {
        /* A full disk must not stop the network: stop dumping instead. */
        error_report("network dump to %s failed (%s); dump stopped",
                     d->file, strerror(errno));
        close(d->fd);
        d->fd = -1;
    }
}

static void filter_dump_cleanup(NetFilter *f)
{
    FilterDump *d = container_of(f, FilterDump, nf);

    if (d->fd >= 0) {
        close(d->fd);
        d->fd = -1;
    }
}

static const Property filter_dump_props[] = {
    NET_FILTER_COMMON_PROPS(FilterDump),
    DEFINE_PROP_STRING("file", FilterDump, file, "the pcap file to write"),
    DEFINE_PROP_UINT32("maxlen", FilterDump, maxlen, 65536,
                       "bytes kept of each frame (pcap snaplen)"),
    DEFINE_PROP_END,
};

const NetFilterType filter_dump_type = {
    .name = "filter-dump",
    .desc = "write a netdev's frames to a pcap file",
    .instance_size = sizeof(FilterDump),
    .props = filter_dump_props,
    .setup = filter_dump_setup,
    .observe = filter_dump_observe,
    .cleanup = filter_dump_cleanup,
};
