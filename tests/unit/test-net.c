/*
 * tests/unit/test-net.c — the net-client model and virtio-net, in
 * process (machine fixture, no guest code):
 *
 *   - queues: a receiver that refuses queues frames; a sender with a
 *     callback is held back and released in order; one without is
 *     dropped beyond the limit; purge releases; peer_ready follows a
 *     flush; a hub fans frames out to every other port;
 *   - software offloads (net/offload.c): checksum completion and TCP
 *     segmentation over IPv4 and IPv6, every segment's IP and TCP
 *     checksums verified, sequence numbers, IDs and flags; bad requests
 *     are refused;
 *   - filter-dump: the pcap header and records;
 *   - virtio-net over a scripted driver: transmit strips the header (or
 *     segments), receive fills one or several mergeable buffers with
 *     num_buffers set and waits (no drop) for buffers, the control queue
 *     switches promiscuous mode and sets the MAC table; malformed
 *     transmit buffers, receive buffers and control requests mark the
 *     device broken with a guest_errors line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "machine-fixture.h"
#include "core/main-loop.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-devices.h"
#include "net/net.h"
#include "net/offload.h"
#include "util/error.h"
#include "util/opts.h"

#include <fcntl.h>
#include <unistd.h>

#define RAM_BASE    0x80000000ULL
#define RAM_SIZE    (4 * MiB)

/* --- a fake back end: records frames, can refuse them --- */

typedef struct FakeNet {
    NetClient nc;
    bool refuse;
    unsigned frames;
    uint8_t last[NET_BUFSIZE];
    size_t last_len;
    unsigned peer_ready;
    unsigned sent_cb;
    ssize_t sent_len;
} FakeNet;

static ssize_t fake_receive(NetClient *nc, const struct iovec *iov,
                            int iovcnt)
{
    FakeNet *f = container_of(nc, FakeNet, nc);

    if (f->refuse) {
        return 0;
    }
    f->last_len = net_iov_to_buf(iov, iovcnt, 0, f->last, sizeof(f->last));
    f->frames++;
    return f->last_len;
}

static void fake_peer_ready(NetClient *nc)
{
    container_of(nc, FakeNet, nc)->peer_ready++;
}

static void fake_cleanup(NetClient *nc)
{
    free(container_of(nc, FakeNet, nc));
}

static const NetClientOps fake_ops = {
    .kind = NET_CLIENT_SOCKET,
    .type_name = "fake",
    .receive = fake_receive,
    .peer_ready = fake_peer_ready,
    .cleanup = fake_cleanup,
};

static FakeNet *fake_new(Machine *m, const char *name)
{
    FakeNet *f = XNEW(FakeNet);

    net_client_init(&f->nc, &fake_ops, m, name);
    return f;
}

static void fake_sent(NetClient *sender, ssize_t len)
{
    FakeNet *f = container_of(sender, FakeNet, nc);

    f->sent_cb++;
    f->sent_len = len;
}

static ssize_t send_bytes(NetClient *from, const void *buf, size_t len,
                          NetSentCB *cb)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

    return net_client_send(from, &iov, 1, cb);
}

/* --- queues and hubs --- */

static void test_queue_flow_control(void **state)
{
    Machine *m = fixture_machine_new(0, 0);
    FakeNet *a = fake_new(m, "a"), *b = fake_new(m, "b");
    uint8_t frame[64] = { 1, 2, 3 };

    assert_true(net_client_attach_peer(&a->nc, &b->nc, "test", NULL));
    assert_false(net_client_attach_peer(&a->nc, &b->nc, "test", NULL));

    assert_int_equal(send_bytes(&a->nc, frame, 64, fake_sent), 64);
    assert_int_equal(b->frames, 1);

    /* b refuses: the frame is queued and a must stop. */
    b->refuse = true;
    frame[0] = 0x11;
    assert_int_equal(send_bytes(&a->nc, frame, 64, fake_sent), 0);
    assert_false(net_client_can_send(&a->nc));
    frame[0] = 0x22;    /* queued even though b could take it: order */
    b->refuse = false;
    assert_int_equal(send_bytes(&a->nc, frame, 64, fake_sent), 0);
    assert_int_equal(b->frames, 1);

    net_client_flush_queued(&b->nc);
    assert_int_equal(b->frames, 3);
    assert_int_equal(b->last[0], 0x22);
    assert_int_equal(a->sent_cb, 2);
    assert_int_equal(a->sent_len, 64);
    assert_int_equal(a->peer_ready, 1);
    assert_true(net_client_can_send(&a->nc));

    /* Without a callback the sender cannot be held: the queue is capped. */
    b->refuse = true;
    for (unsigned i = 0; i < NET_QUEUE_MAX_PACKETS + 10; i++) {
        send_bytes(&a->nc, frame, 64, NULL);
    }
    send_bytes(&a->nc, frame, 64, fake_sent);   /* held, never dropped */
    b->refuse = false;
    net_client_flush_queued(&b->nc);
    assert_int_equal(b->frames, 3 + NET_QUEUE_MAX_PACKETS + 1);
    assert_int_equal(a->sent_cb, 3);

    /* Purge releases held senders with 0. */
    b->refuse = true;
    assert_int_equal(send_bytes(&a->nc, frame, 64, fake_sent), 0);
    net_client_purge_queued(&b->nc);
    assert_int_equal(a->sent_cb, 4);
    assert_int_equal(a->sent_len, 0);

    /* Link down: frames vanish, as on a pulled cable. */
    b->refuse = false;
    assert_true(net_set_link(m, "b", false, NULL));
    assert_int_equal(send_bytes(&a->nc, frame, 64, fake_sent), 64);
    assert_int_equal(b->frames, 3 + NET_QUEUE_MAX_PACKETS + 1);
    assert_false(net_set_link(m, "nosuch", true, NULL));
    fixture_machine_free(m);
}

static void test_hub_fans_out(void **state)
{
    Machine *m = fixture_machine_new(0, 0);
    FakeNet *f[3];
    uint8_t frame[60] = { 0xff };

    for (int i = 0; i < 3; i++) {
        char name[8];

        snprintf(name, sizeof(name), "f%d", i);
        f[i] = fake_new(m, name);
        assert_true(net_client_attach_peer(net_hub_add_port(m, 7, NULL),
                                           &f[i]->nc, "test", NULL));
    }
    assert_non_null(net_client_find(net_state(m), "hub7port2"));
    send_bytes(&f[0]->nc, frame, sizeof(frame), NULL);
    assert_int_equal(f[0]->frames, 0);
    assert_int_equal(f[1]->frames, 1);
    assert_int_equal(f[2]->frames, 1);
    /* A stalled port holds frames; when it drains, the others hear. */
    f[2]->refuse = true;
    send_bytes(&f[0]->nc, frame, sizeof(frame), NULL);
    assert_int_equal(f[1]->frames, 2);
    f[2]->refuse = false;
    net_client_flush_queued(&f[2]->nc);
    assert_int_equal(f[2]->frames, 2);
    assert_true(f[0]->peer_ready >= 1 && f[1]->peer_ready >= 1);
    fixture_machine_free(m);
}

/* --- software offloads --- */

static uint16_t be16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)be16(p) << 16 | be16(p + 2);
}

/* Build Ethernet + IPv4/IPv6 + TCP (20-byte header) + @payload bytes. */
static size_t build_tcp(uint8_t *buf, bool v6, size_t payload,
                        uint8_t tcp_flags)
{
    size_t l3 = 14, l4 = l3 + (v6 ? 40 : 20), len = l4 + 20 + payload;

    memset(buf, 0, len);
    memcpy(buf, "\x52\x54\x00\x00\x00\x02\x52\x54\x00\x00\x00\x01", 12);
    if (v6) {
        buf[12] = 0x86, buf[13] = 0xdd;
        buf[l3] = 0x60;
        buf[l3 + 4] = (20 + payload) >> 8, buf[l3 + 5] = 20 + payload;
        buf[l3 + 6] = 6, buf[l3 + 7] = 64;
        buf[l3 + 8 + 15] = 1, buf[l3 + 24 + 15] = 2;   /* ::1 -> ::2 */
    } else {
        buf[12] = 0x08, buf[13] = 0x00;
        buf[l3] = 0x45;
        buf[l3 + 2] = (len - l3) >> 8, buf[l3 + 3] = len - l3;
        buf[l3 + 4] = 0x12, buf[l3 + 5] = 0x34;
        buf[l3 + 8] = 64, buf[l3 + 9] = 6;
        memcpy(buf + l3 + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
    }
    buf[l4] = 0x9c, buf[l4 + 1] = 0x40;     /* ports 40000 -> 80 */
    buf[l4 + 3] = 80;
    memcpy(buf + l4 + 4, "\x10\x00\x00\x00", 4);
    buf[l4 + 12] = 0x50;
    buf[l4 + 13] = tcp_flags;
    for (size_t i = 0; i < payload; i++) {
        buf[l4 + 20 + i] = i * 7;
    }
    return len;
}

/* The checksum of @seg's TCP segment, verified over the pseudo-header. */
static bool tcp_checksum_ok(const uint8_t *seg, size_t len, bool v6)
{
    size_t l3 = 14, l4 = l3 + (v6 ? 40 : 20), tcp_len = len - l4;
    uint8_t pseudo[12];
    uint32_t sum;

    if (v6) {
        sum = net_checksum_add(0, seg + l3 + 8, 32);
        pseudo[0] = tcp_len >> 24, pseudo[1] = tcp_len >> 16;
        pseudo[2] = tcp_len >> 8, pseudo[3] = tcp_len;
        memset(pseudo + 4, 0, 3);
        pseudo[7] = 6;
        sum = net_checksum_add(sum, pseudo, 8);
    } else {
        sum = net_checksum_add(0, seg + l3 + 12, 8);
        pseudo[0] = 0, pseudo[1] = 6;
        pseudo[2] = tcp_len >> 8, pseudo[3] = tcp_len;
        sum = net_checksum_add(sum, pseudo, 4);
    }
    sum = net_checksum_add(sum, seg + l4, tcp_len);
    return net_checksum_finish(sum) == 0;
}

/* Capture what net_offload_send() emits. */
typedef struct Capture {
    NetClient nc;
    uint8_t seg[8][2048];
    size_t len[8];
    unsigned n;
} Capture;

static ssize_t capture_receive(NetClient *nc, const struct iovec *iov,
                               int iovcnt)
{
    Capture *c = container_of(nc, Capture, nc);

    assert_true(c->n < 8);
    c->len[c->n] = net_iov_to_buf(iov, iovcnt, 0, c->seg[c->n], 2048);
    return c->len[c->n++];
}

static void capture_cleanup(NetClient *nc)
{
    free(container_of(nc, Capture, nc));
}

static const NetClientOps capture_ops = {
    .kind = NET_CLIENT_SOCKET,
    .type_name = "capture",
    .receive = capture_receive,
    .cleanup = capture_cleanup,
};

static void tso_case(bool v6)
{
    Machine *m = fixture_machine_new(0, 0);
    FakeNet *src = fake_new(m, "src");
    Capture *c = XNEW(Capture);
    uint8_t frame[4096];
    size_t l4 = 14 + (v6 ? 40 : 20);
    size_t len = build_tcp(frame, v6, 2500, 0x18 | 0x01 | 0x80);
    NetVnetHdr hdr = {
        .flags = NET_VNET_HDR_F_NEEDS_CSUM,
        .gso_type = v6 ? NET_VNET_HDR_GSO_TCPV6 : NET_VNET_HDR_GSO_TCPV4,
        .gso_size = 1000, .csum_start = l4, .csum_offset = 16,
    };
    struct iovec iov[2] = {
        { frame, 100 }, { frame + 100, len - 100 },    /* split input */
    };
    const char *why;

    net_client_init(&c->nc, &capture_ops, m, "dst");
    assert_true(net_client_attach_peer(&src->nc, &c->nc, "t", NULL));
    assert_int_equal(net_offload_send(&src->nc, &hdr, iov, 2, NULL, &why),
                     l4 + 20 + 500);
    assert_null(why);
    assert_int_equal(c->n, 3);
    for (unsigned i = 0; i < 3; i++) {
        const uint8_t *s = c->seg[i];
        size_t pay = i < 2 ? 1000 : 500;

        assert_int_equal(c->len[i], l4 + 20 + pay);
        assert_true(tcp_checksum_ok(s, c->len[i], v6));
        assert_int_equal(be32(s + l4 + 4), 0x10000000 + 1000 * i);
        assert_memory_equal(s + l4 + 20, frame + l4 + 20 + 1000 * i, pay);
        /* FIN|PSH on the last only, CWR on the first only. */
        assert_int_equal(s[l4 + 13], i == 2 ? 0x19 : i == 0 ? 0x90 : 0x10);
        if (v6) {
            assert_int_equal(be16(s + 14 + 4), 20 + pay);
        } else {
            assert_int_equal(be16(s + 14 + 2), 40 + pay);
            assert_int_equal(be16(s + 14 + 4), 0x1234 + i);
            assert_int_equal(net_checksum_finish(
                                 net_checksum_add(0, s + 14, 20)), 0);
        }
    }

    /* Checksum only: completed in place. */
    c->n = 0;
    len = build_tcp(frame, v6, 300, 0x18);
    hdr.gso_type = NET_VNET_HDR_GSO_NONE;
    iov[0].iov_len = len;
    assert_int_equal(net_offload_send(&src->nc, &hdr, iov, 1, NULL, &why),
                     len);
    /* The field held 0 (no pseudo-header sum): the segment now sums to 0
     * on its own. */
    assert_int_equal(c->n, 1);
    assert_int_equal(net_checksum_finish(net_checksum_add(
                         0, c->seg[0] + l4, len - l4)), 0);

    /* Refused requests. */
    hdr.csum_start = len;
    assert_int_equal(net_offload_send(&src->nc, &hdr, iov, 1, NULL, &why),
                     -1);
    assert_non_null(why);
    hdr.csum_start = l4;
    hdr.gso_type = NET_VNET_HDR_GSO_UDP;
    assert_int_equal(net_offload_send(&src->nc, &hdr, iov, 1, NULL, &why),
                     -1);
    hdr.gso_type = v6 ? NET_VNET_HDR_GSO_TCPV4 : NET_VNET_HDR_GSO_TCPV6;
    hdr.gso_size = 100;
    assert_int_equal(net_offload_send(&src->nc, &hdr, iov, 1, NULL, &why),
                     -1);
    assert_int_equal(c->n, 1);
    fixture_machine_free(m);
}

static void test_tso_ipv4(void **state)
{
    tso_case(false);
}

static void test_tso_ipv6(void **state)
{
    tso_case(true);
}

/* --- filter-dump --- */

static void test_pcap_dump(void **state)
{
    Machine *m = fixture_machine_new(0, 0);
    FakeNet *a = fake_new(m, "a"), *b = fake_new(m, "b");
    char path[] = "/tmp/vireo-test-net-XXXXXX";
    int fd = mkstemp(path);
    char *spec;
    OptList opts;
    uint8_t frame[100], file[4096];
    uint32_t hdr[6], rec[4];
    ssize_t n;

    assert_true(fd >= 0);
    close(fd);
    assert_true(machine_add_backend(m, PROP_NETDEV, "a", &a->nc, NULL));
    assert_true(net_client_attach_peer(&a->nc, &b->nc, "t", NULL));
    spec = xasprintf("filter-dump,id=f0,netdev=a,file=%s,maxlen=64", path);
    assert_true(opts_parse(&opts, "-object", spec, "qom-type", NULL));
    assert_true(net_filter_add(m, &opts, NULL));
    opts_free(&opts);
    free(spec);
    memset(frame, 0xab, sizeof(frame));
    send_bytes(&a->nc, frame, 100, NULL);      /* tx of a: truncated */
    send_bytes(&b->nc, frame, 42, NULL);       /* rx of a */

    fd = open(path, O_RDONLY);
    n = read(fd, file, sizeof(file));
    close(fd);
    unlink(path);
    assert_int_equal(n, 24 + 16 + 64 + 16 + 42);
    memcpy(hdr, file, 24);
    assert_int_equal(hdr[0], 0xa1b2c3d4);
    assert_int_equal(hdr[1], 2 | 4 << 16);
    assert_int_equal(hdr[4], 64);               /* snaplen */
    assert_int_equal(hdr[5], 1);                /* Ethernet */
    memcpy(rec, file + 24, 16);
    assert_int_equal(rec[2], 64);
    assert_int_equal(rec[3], 100);
    memcpy(rec, file + 24 + 16 + 64, 16);
    assert_int_equal(rec[2], 42);
    assert_int_equal(rec[3], 42);
    fixture_machine_free(m);
}

/* --- virtio-net and a scripted driver --- */

enum { RXQ, TXQ, CTRLQ, NQ };
#define QSIZE 16
#define RING(q)     (RAM_BASE + 0x10000ULL * (q))
#define DESC(q)     RING(q)
#define AVAIL(q)    (RING(q) + 0x1000)
#define USED(q)     (RING(q) + 0x2000)
#define BUF(q, i)   (RAM_BASE + 0x100000ULL + 0x10000ULL * (q) + \
                     0x1000ULL * (i))

#define F_MAC        (1ULL << 5)
#define F_MRG_RXBUF  (1ULL << 15)
#define F_STATUS     (1ULL << 16)
#define F_CTRL_VQ    (1ULL << 17)
#define F_CTRL_RX    (1ULL << 18)
#define F_CSUM       (1ULL << 0)
#define F_HOST_TSO4  (1ULL << 11)
#define F_V1         (1ULL << VIRTIO_F_VERSION_1)

typedef struct NetFixture {
    Machine *m;
    VirtioBus bus;
    FakeNet *fake;
    VirtioDevice *vdev;
    uint16_t next_desc[NQ];
} NetFixture;

static void nf_update_irq(VirtioBus *bus)
{
}

static const VirtioBusOps nf_bus_ops = { .update_irq = nf_update_irq };

static void gw(NetFixture *f, uint64_t addr, const void *buf, size_t len)
{
    assert_int_equal(address_space_write(&f->m->address_space, addr, buf,
                                         len), MEMTX_OK);
}

static void gr(NetFixture *f, uint64_t addr, void *buf, size_t len)
{
    assert_int_equal(address_space_read(&f->m->address_space, addr, buf,
                                        len), MEMTX_OK);
}

static uint16_t gr16(NetFixture *f, uint64_t addr)
{
    uint16_t v;

    gr(f, addr, &v, 2);
    return v;
}

static void put_desc(NetFixture *f, unsigned q, unsigned i, uint64_t addr,
                     uint32_t len, uint16_t flags, uint16_t next)
{
    uint8_t d[16];

    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
    gw(f, DESC(q) + 16ULL * i, d, 16);
}

static void avail_add(NetFixture *f, unsigned q, uint16_t head)
{
    uint16_t idx = gr16(f, AVAIL(q) + 2);

    gw(f, AVAIL(q) + 4 + 2 * (idx % QSIZE), &head, 2);
    idx++;
    gw(f, AVAIL(q) + 2, &idx, 2);
}

static uint16_t used_idx(NetFixture *f, unsigned q)
{
    return gr16(f, USED(q) + 2);
}

static uint32_t used_len(NetFixture *f, unsigned q, unsigned i)
{
    uint32_t v;

    gr(f, USED(q) + 8 + 8 * (i % QSIZE), &v, 4);
    return v;
}

static void run_loop(NetFixture *f)
{
    for (int i = 0; i < 5; i++) {
        main_loop_wait(f->m->loop, 0);
    }
}

static NetFixture *nf_new(const char *props, uint64_t features)
{
    NetFixture *f = XNEW(NetFixture);
    DeviceState *dev;
    char *spec;
    OptList opts;
    Error *err = NULL;

    f->m = fixture_machine_new(0, RAM_SIZE);
    f->fake = fake_new(f->m, "fake0");
    assert_true(machine_add_backend(f->m, PROP_NETDEV, "fake0", &f->fake->nc,
                                    NULL));
    dev = device_new(f->m, &virtio_net_device_type);
    spec = xasprintf("netdev=fake0%s%s", *props ? "," : "", props);
    assert_true(opts_parse(&opts, "test", spec, NULL, NULL));
    assert_true(props_apply_opts(dev, dev->type->props, &opts, NULL,
                                 &f->m->links, "virtio-net-device", NULL));
    opts_free(&opts);
    free(spec);
    f->vdev = (VirtioDevice *)dev;
    f->bus.ops = &nf_bus_ops;
    f->vdev->bus = &f->bus;
    if (!machine_realize_device(f->m, dev, &err)) {
        fail_msg("realize: %s", error_get_pretty(err));
    }

    virtio_set_status(f->vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER, 0);
    virtio_set_status(f->vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK,
                      features);
    assert_true(f->vdev->status & VIRTIO_CONFIG_S_FEATURES_OK);
    for (unsigned q = 0; q < NQ; q++) {
        VirtQueue *vq = virtio_get_queue(f->vdev, q);

        if (!vq) {
            continue;
        }
        virtio_queue_set_num(vq, QSIZE);
        virtio_queue_set_rings(vq, DESC(q), AVAIL(q), USED(q));
        virtio_queue_set_ready(vq, true);
        assert_true(vq->ready);
    }
    virtio_set_status(f->vdev, f->vdev->status | VIRTIO_CONFIG_S_DRIVER_OK,
                      0);
    return f;
}

static void nf_free(NetFixture *f)
{
    fixture_machine_free(f->m);
    free(f);
}

/* Post one receive buffer of @len bytes. */
static void post_rx(NetFixture *f, uint32_t len)
{
    unsigned i = f->next_desc[RXQ]++;

    put_desc(f, RXQ, i, BUF(RXQ, i), len, VIRTQ_DESC_F_WRITE, 0);
    avail_add(f, RXQ, i);
    virtio_queue_notify(f->vdev, RXQ);
}

/* Transmit @hdr (of @hdr_len bytes) + @frame as a two-descriptor chain. */
static void tx(NetFixture *f, const void *hdr, size_t hdr_len,
               const void *frame, size_t len)
{
    unsigned i = f->next_desc[TXQ];

    f->next_desc[TXQ] += 2;
    gw(f, BUF(TXQ, i), hdr, hdr_len);
    gw(f, BUF(TXQ, i + 1), frame, len);
    put_desc(f, TXQ, i, BUF(TXQ, i), hdr_len, VIRTQ_DESC_F_NEXT, i + 1);
    put_desc(f, TXQ, i + 1, BUF(TXQ, i + 1), len, 0, 0);
    avail_add(f, TXQ, i);
    virtio_queue_notify(f->vdev, TXQ);
    run_loop(f);
}

static uint8_t ctrl(NetFixture *f, uint8_t class, uint8_t cmd,
                    const void *data, size_t len)
{
    unsigned i = f->next_desc[CTRLQ];
    uint8_t head[2] = { class, cmd }, ack = 0xee;

    f->next_desc[CTRLQ] += 3;
    gw(f, BUF(CTRLQ, i), head, 2);
    gw(f, BUF(CTRLQ, i + 1), data, len);
    put_desc(f, CTRLQ, i, BUF(CTRLQ, i), 2, VIRTQ_DESC_F_NEXT, i + 1);
    put_desc(f, CTRLQ, i + 1, BUF(CTRLQ, i + 1), len, VIRTQ_DESC_F_NEXT,
             i + 2);
    gw(f, BUF(CTRLQ, i + 2), &ack, 1);
    put_desc(f, CTRLQ, i + 2, BUF(CTRLQ, i + 2), 1, VIRTQ_DESC_F_WRITE, 0);
    avail_add(f, CTRLQ, i);
    virtio_queue_notify(f->vdev, CTRLQ);
    gr(f, BUF(CTRLQ, i + 2), &ack, 1);
    return ack;
}

static void assert_broken_logged(NetFixture *f, const char *needle)
{
    char *log = fixture_log(f->m);

    assert_true(f->vdev->broken);
    if (!strstr(log, needle)) {
        fail_msg("expected \"%s\" in the guest_errors log, got:\n%s",
                 needle, log);
    }
    free(log);
}

static const uint8_t own_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static size_t eth_frame(uint8_t *buf, const uint8_t *dst, size_t len)
{
    memcpy(buf, dst, 6);
    memcpy(buf + 6, "\x52\x54\x00\x99\x99\x99\x08\x00", 8);
    for (size_t i = 14; i < len; i++) {
        buf[i] = i;
    }
    return len;
}

static void test_virtio_net_tx_rx(void **state)
{
    NetFixture *f = nf_new("", F_V1 | F_MAC | F_STATUS | F_MRG_RXBUF);
    NetVnetHdr hdr = { 0 };
    uint8_t frame[3000], got[4096], mac[6];
    struct iovec iov;

    /* Config space: the default MAC and link up. */
    for (int i = 0; i < 6; i++) {
        mac[i] = virtio_config_read(f->vdev, i, 1);
    }
    assert_memory_equal(mac, own_mac, 6);
    assert_int_equal(virtio_config_read(f->vdev, 6, 2), 1);

    /* Transmit: the back end gets the frame without the header. */
    eth_frame(frame, own_mac, 60);
    tx(f, &hdr, 12, frame, 60);
    assert_int_equal(f->fake->frames, 1);
    assert_int_equal(f->fake->last_len, 60);
    assert_memory_equal(f->fake->last, frame, 60);
    assert_int_equal(used_idx(f, TXQ), 1);

    /* Receive with no buffer posted: refused, then delivered on refill. */
    iov.iov_base = frame;
    iov.iov_len = eth_frame(frame, own_mac, 2000);
    assert_int_equal(net_client_send(&f->fake->nc, &iov, 1, fake_sent), 0);
    post_rx(f, 1024);
    assert_int_equal(used_idx(f, RXQ), 0);  /* 1024 is too little */
    post_rx(f, 1024);
    assert_int_equal(used_idx(f, RXQ), 2);  /* merged across both */
    assert_int_equal(f->fake->sent_cb, 1);
    assert_int_equal(used_len(f, RXQ, 0), 1024);
    assert_int_equal(used_len(f, RXQ, 1), 12 + 2000 - 1024);
    gr(f, BUF(RXQ, 0), got, 1024);
    gr(f, BUF(RXQ, 1), got + 1024, 12 + 2000 - 1024);
    memcpy(&hdr, got, 12);
    assert_int_equal(hdr.num_buffers, 2);
    assert_memory_equal(got + 12, frame, 2000);

    /* Link down through set_link: status clears. */
    assert_true(net_set_link(f->m, "fake0", false, NULL));
    assert_int_equal(virtio_config_read(f->vdev, 6, 2), 0);
    assert_true(net_set_link(f->m, "fake0", true, NULL));
    assert_int_equal(virtio_config_read(f->vdev, 6, 2), 1);
    nf_free(f);
}

static void test_virtio_net_soft_tso(void **state)
{
    NetFixture *f = nf_new("", F_V1 | F_MAC | F_CSUM | F_HOST_TSO4);
    uint8_t frame[4096];
    size_t len = build_tcp(frame, false, 2500, 0x18);
    NetVnetHdr hdr = {
        .flags = NET_VNET_HDR_F_NEEDS_CSUM,
        .gso_type = NET_VNET_HDR_GSO_TCPV4, .gso_size = 1448,
        .csum_start = 34, .csum_offset = 16,
    };

    tx(f, &hdr, 12, frame, len);
    assert_int_equal(f->fake->frames, 2);
    assert_int_equal(f->fake->last_len, 54 + 2500 - 1448);
    assert_true(tcp_checksum_ok(f->fake->last, f->fake->last_len, false));
    assert_false(f->vdev->broken);

    /* A segmentation request that is not TCP: the device breaks. */
    frame[23] = 17;
    tx(f, &hdr, 12, frame, len);
    assert_broken_logged(f, "transmit offload request");
    nf_free(f);
}

static void test_virtio_net_rx_filter(void **state)
{
    NetFixture *f = nf_new("mac=52:54:00:12:34:56",
                           F_V1 | F_MAC | F_CTRL_VQ | F_CTRL_RX |
                           F_MRG_RXBUF);
    static const uint8_t other[6] = { 0x52, 0x54, 0x00, 1, 2, 3 };
    static const uint8_t mcast[6] = { 0x33, 0x33, 0, 0, 0, 1 };
    uint8_t frame[100], off = 0, table[4 + 4 + 6];
    struct iovec iov = { frame, 0 };

    for (int i = 0; i < 8; i++) {
        post_rx(f, 2048);
    }
    /* Promiscuous until the driver says otherwise (QEMU's default). */
    iov.iov_len = eth_frame(frame, other, 60);
    net_client_send(&f->fake->nc, &iov, 1, NULL);
    assert_int_equal(used_idx(f, RXQ), 1);

    assert_int_equal(ctrl(f, 0, 0, &off, 1),
                     0);
    net_client_send(&f->fake->nc, &iov, 1, NULL);
    assert_int_equal(used_idx(f, RXQ), 1);      /* filtered */
    iov.iov_len = eth_frame(frame, own_mac, 60);
    net_client_send(&f->fake->nc, &iov, 1, NULL);
    assert_int_equal(used_idx(f, RXQ), 2);
    iov.iov_len = eth_frame(frame, mcast, 60);
    net_client_send(&f->fake->nc, &iov, 1, NULL);
    assert_int_equal(used_idx(f, RXQ), 2);      /* not in the table */

    /* MAC table: no unicast entries, one multicast. */
    memset(table, 0, sizeof(table));
    table[4] = 1;
    memcpy(table + 8, mcast, 6);
    assert_int_equal(ctrl(f, 1, 0, table, sizeof(table)), 0);
    net_client_send(&f->fake->nc, &iov, 1, NULL);
    assert_int_equal(used_idx(f, RXQ), 3);
    /* A table whose length does not add up is refused. */
    assert_int_equal(ctrl(f, 1, 0, table, sizeof(table) - 1), 1);
    /* Unknown classes are refused, not fatal. */
    assert_int_equal(ctrl(f, 99, 0, &off, 1), 1);
    assert_false(f->vdev->broken);
    nf_free(f);
}

static void test_virtio_net_malformed_tx(void **state)
{
    NetFixture *f = nf_new("", F_V1 | F_MAC);
    uint8_t hdr[12] = { 0 };

    /* Shorter than the 12-byte header. */
    tx(f, hdr, 8, hdr, 0);
    assert_broken_logged(f, "transmit buffer");
    assert_int_equal(f->fake->frames, 0);
    nf_free(f);
}

static void test_virtio_net_writable_tx(void **state)
{
    NetFixture *f = nf_new("", F_V1 | F_MAC);

    put_desc(f, TXQ, 0, BUF(TXQ, 0), 64, VIRTQ_DESC_F_WRITE, 0);
    avail_add(f, TXQ, 0);
    virtio_queue_notify(f->vdev, TXQ);
    run_loop(f);
    assert_broken_logged(f, "transmit buffer");
    nf_free(f);
}

static void test_virtio_net_readonly_rx(void **state)
{
    NetFixture *f = nf_new("", F_V1 | F_MAC);
    uint8_t frame[60];
    struct iovec iov = { frame, eth_frame(frame, own_mac, 60) };

    put_desc(f, RXQ, 0, BUF(RXQ, 0), 2048, 0, 0);   /* not writable */
    avail_add(f, RXQ, 0);
    assert_int_equal(net_client_send(&f->fake->nc, &iov, 1, NULL), 60);
    assert_broken_logged(f, "receive buffer");
    nf_free(f);
}

static void test_virtio_net_small_rx_without_mergeable(void **state)
{
    NetFixture *f = nf_new("", F_V1 | F_MAC);
    uint8_t frame[1514];
    struct iovec iov = { frame, eth_frame(frame, own_mac, 1514) };

    post_rx(f, 256);
    net_client_send(&f->fake->nc, &iov, 1, NULL);
    assert_broken_logged(f, "cannot hold");
    nf_free(f);
}

static void test_virtio_net_malformed_ctrl(void **state)
{
    NetFixture *f = nf_new("", F_V1 | F_MAC | F_CTRL_VQ);
    uint8_t head[2] = { 0, 0 };

    /* A control request without the writable ack byte. */
    gw(f, BUF(CTRLQ, 0), head, 2);
    put_desc(f, CTRLQ, 0, BUF(CTRLQ, 0), 2, 0, 0);
    avail_add(f, CTRLQ, 0);
    virtio_queue_notify(f->vdev, CTRLQ);
    assert_broken_logged(f, "control request");
    nf_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_flow_control),
        cmocka_unit_test(test_hub_fans_out),
        cmocka_unit_test(test_tso_ipv4),
        cmocka_unit_test(test_tso_ipv6),
        cmocka_unit_test(test_pcap_dump),
        cmocka_unit_test(test_virtio_net_tx_rx),
        cmocka_unit_test(test_virtio_net_soft_tso),
        cmocka_unit_test(test_virtio_net_rx_filter),
        cmocka_unit_test(test_virtio_net_malformed_tx),
        cmocka_unit_test(test_virtio_net_writable_tx),
        cmocka_unit_test(test_virtio_net_readonly_rx),
        cmocka_unit_test(test_virtio_net_small_rx_without_mergeable),
        cmocka_unit_test(test_virtio_net_malformed_ctrl),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
