/*
 * net/socket.c — the "socket" back end: a virtual Ethernet cable over a
 * host socket, to link Vireo VMs (or Vireo and QEMU) without privileges.
 *
 *   -netdev socket,id=n0,listen=[host]:port       TCP, wait for the peer
 *   -netdev socket,id=n0,connect=host:port        TCP, call the peer
 *   -netdev socket,id=n0,mcast=maddr:port[,localaddr=addr]
 *                                                 UDP multicast segment
 *   -netdev socket,id=n0,udp=host:port,localaddr=host:port
 *                                                 UDP point to point
 *
 * Framing is QEMU's, so the two ends may be either emulator: on a TCP
 * stream every frame is preceded by its length as a 32-bit big-endian
 * number; over UDP every datagram is one frame.
 *
 * A listening end takes one connection at a time and listens again when
 * it closes; frames sent while no peer is connected are lost, as on an
 * unplugged cable. A connecting end connects at start-up (an error if
 * nobody listens) and stays down once the peer hangs up.
 *
 * Flow control: like tap, the socket is read only while the peer can
 * take frames. On a stream a frame that does not fit the send buffer is
 * kept (only one) and the fd watched for writing; further frames wait in
 * this client's queue meanwhile. A stream frame longer than NET_BUFSIZE
 * means the other end does not speak this framing: the connection is
 * dropped with an error message.
 */
#include "net/net.h"
#include "net/net-internal.h"
#include "core/main-loop.h"
#include "hw/core/machine.h"
#include "util/error.h"
#include "util/opts.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for several frames per read() on a stream. */
#define SOCKET_RX_BUF           (4 * (4 + NET_BUFSIZE))
#define SOCKET_READ_BURST       64

typedef struct NetSocket {
    NetClient nc;
    MainLoop *loop;
    int listen_fd;              /* listen=: accepts the peer; else -1 */
    int fd;                     /* the connection / datagram socket */
    bool dgram;
    struct sockaddr_in dgram_dst;
    bool read_on;
    bool write_on;
    /* stream receive: bytes read, frames parsed from rx_off on */
    uint8_t *rx_buf;
    size_t rx_len;
    size_t rx_off;
    /* stream send: one frame partly written */
    uint8_t *tx_buf;
    size_t tx_len;
    size_t tx_off;
} NetSocket;

typedef struct SocketOptions {
    char *listen;
    char *connect;
    char *mcast;
    char *udp;
    char *localaddr;
} SocketOptions;

static void socket_readable(void *opaque);
static void socket_writable(void *opaque);
static void socket_accept(void *opaque);

static void socket_update_handlers(NetSocket *s)
{
    if (s->fd >= 0) {
        main_loop_set_fd_handler(s->loop, s->fd,
                                 s->read_on ? socket_readable : NULL,
                                 s->write_on ? socket_writable : NULL, s,
                                 NULL);
    }
}

static void socket_read_poll(NetSocket *s, bool on)
{
    if (s->read_on != on) {
        s->read_on = on;
        socket_update_handlers(s);
    }
}

static void socket_write_poll(NetSocket *s, bool on)
{
    if (s->write_on != on) {
        s->write_on = on;
        socket_update_handlers(s);
    }
}

/* The stream peer went away: forget it, and listen again if we can. */
static void socket_disconnect(NetSocket *s)
{
    if (s->fd >= 0) {
        main_loop_set_fd_handler(s->loop, s->fd, NULL, NULL, NULL, NULL);
        close(s->fd);
        s->fd = -1;
    }
    s->read_on = s->write_on = false;
    s->rx_len = s->rx_off = 0;
    s->tx_len = s->tx_off = 0;
    /* Frames waiting for the old connection are lost with it. */
    net_client_purge_queued(&s->nc);
    if (s->listen_fd >= 0) {
        main_loop_set_fd_handler(s->loop, s->listen_fd, socket_accept, NULL,
                                 s, NULL);
    }
}

/* --- receiving from the socket --- */

/*
 * Hand the complete frames in rx_buf to the peer. False if the peer
 * cannot take more now (reading stops until it can).
 */
static bool socket_stream_deliver(NetSocket *s);

static void socket_send_completed(NetClient *nc, ssize_t len)
{
    NetSocket *s = container_of(nc, NetSocket, nc);

    if (s->fd >= 0 && (s->dgram || socket_stream_deliver(s))) {
        socket_read_poll(s, true);
    }
}

static bool socket_stream_deliver(NetSocket *s)
{
    while (s->rx_len - s->rx_off >= 4) {
        uint8_t *p = s->rx_buf + s->rx_off;
        uint32_t len = (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
        struct iovec iov = { .iov_base = p + 4, .iov_len = len };

        if (len > NET_BUFSIZE) {
            error_report("%s: received a %u-byte frame; the peer does not "
                         "speak the socket netdev framing, disconnecting",
                         s->nc.name, len);
            socket_disconnect(s);
            return false;
        }
        if (s->rx_len - s->rx_off < 4 + (size_t)len) {
            break;
        }
        if (!net_client_can_send(&s->nc)) {
            return false;       /* peer_ready resumes */
        }
        s->rx_off += 4 + len;
        if (net_client_send(&s->nc, &iov, 1, socket_send_completed) == 0) {
            return false;       /* queued (copied): resumes when sent */
        }
    }
    memmove(s->rx_buf, s->rx_buf + s->rx_off, s->rx_len - s->rx_off);
    s->rx_len -= s->rx_off;
    s->rx_off = 0;
    return true;
}

static void socket_readable(void *opaque)
{
    NetSocket *s = opaque;

    for (int n = 0; n < SOCKET_READ_BURST && s->fd >= 0; n++) {
        ssize_t size;

        if (!net_client_can_send(&s->nc)) {
            socket_read_poll(s, false);
            return;
        }
        if (s->dgram) {
            struct iovec iov;

            size = recv(s->fd, s->rx_buf, NET_BUFSIZE, 0);
            if (size < 0) {
                return;         /* EAGAIN, or an ICMP error: ignore */
            }
            iov.iov_base = s->rx_buf;
            iov.iov_len = size;
            if (net_client_send(&s->nc, &iov, 1,
                                socket_send_completed) == 0) {
                socket_read_poll(s, false);
                return;
            }
            continue;
        }
        size = recv(s->fd, s->rx_buf + s->rx_len,
                    SOCKET_RX_BUF - s->rx_len, 0);
        if (size < 0 && (errno == EAGAIN || errno == EINTR)) {
            return;
        }
        if (size <= 0) {
            socket_disconnect(s);
            return;
        }
        s->rx_len += size;
        if (!socket_stream_deliver(s)) {
            if (s->fd >= 0) {
                socket_read_poll(s, false);
            }
            return;
        }
    }
}

static void socket_peer_ready(NetClient *nc)
{
    socket_send_completed(nc, 0);
}

/* --- sending to the socket --- */

static void socket_writable(void *opaque)
{
    NetSocket *s = opaque;

    while (s->tx_off < s->tx_len) {
        ssize_t n = send(s->fd, s->tx_buf + s->tx_off, s->tx_len - s->tx_off,
                         MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            return;
        }
        if (n <= 0) {
            socket_disconnect(s);
            return;
        }
        s->tx_off += n;
    }
    s->tx_len = s->tx_off = 0;
    socket_write_poll(s, false);
    net_client_flush_queued(&s->nc);
}

static ssize_t socket_receive_dgram(NetSocket *s, const struct iovec *iov,
                                    int iovcnt, size_t size)
{
    struct msghdr msg = {
        .msg_name = &s->dgram_dst,
        .msg_namelen = sizeof(s->dgram_dst),
        .msg_iov = (struct iovec *)iov,
        .msg_iovlen = iovcnt,
    };

    if (sendmsg(s->fd, &msg, MSG_DONTWAIT) < 0 && errno == EAGAIN) {
        socket_write_poll(s, true);
        return 0;
    }
    return size;                /* sent, or lost as a datagram may be */
}

static ssize_t socket_receive(NetClient *nc, const struct iovec *iov,
                              int iovcnt)
{
    NetSocket *s = container_of(nc, NetSocket, nc);
    size_t size = net_iov_size(iov, iovcnt);
    uint8_t len_be[4] = { size >> 24, size >> 16, size >> 8, size };
    struct iovec v[1 + 64];
    struct msghdr msg = { .msg_iov = v };
    ssize_t n;

    if (s->fd < 0) {
        return size;            /* no cable */
    }
    if (s->dgram) {
        return socket_receive_dgram(s, iov, iovcnt, size);
    }
    if (s->tx_off < s->tx_len) {
        return 0;               /* one frame still going out */
    }
    if (iovcnt >= (int)ARRAY_SIZE(v)) {
        return size;
    }
    v[0].iov_base = len_be;
    v[0].iov_len = 4;
    memcpy(&v[1], iov, iovcnt * sizeof(*iov));
    msg.msg_iovlen = iovcnt + 1;
    do {
        n = sendmsg(s->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN) {
        socket_disconnect(s);
        return size;
    }
    if (n == (ssize_t)(4 + size)) {
        return size;
    }
    /* Keep the unsent tail; the frame counts as taken. */
    n = n < 0 ? 0 : n;
    s->tx_len = 4 + size - n;
    s->tx_off = 0;
    if (n < 4) {
        memcpy(s->tx_buf, len_be + n, 4 - n);
        net_iov_to_buf(iov, iovcnt, 0, s->tx_buf + 4 - n, size);
    } else {
        net_iov_to_buf(iov, iovcnt, n - 4, s->tx_buf, size - (n - 4));
    }
    socket_write_poll(s, true);
    return size;
}

/* --- connection set-up --- */

static void socket_set_connected(NetSocket *s, int fd)
{
    int one = 1;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    net_set_nonblock(fd);
    s->fd = fd;
    s->read_on = s->write_on = false;
    socket_read_poll(s, true);
}

static void socket_accept(void *opaque)
{
    NetSocket *s = opaque;
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);

    if (fd < 0) {
        return;
    }
    /* One peer at a time: stop listening until it hangs up. */
    main_loop_set_fd_handler(s->loop, s->listen_fd, NULL, NULL, NULL, NULL);
    socket_set_connected(s, fd);
    net_client_flush_queued(&s->nc);
}

static void socket_cleanup(NetClient *nc)
{
    NetSocket *s = container_of(nc, NetSocket, nc);

    if (s->fd >= 0) {
        main_loop_set_fd_handler(s->loop, s->fd, NULL, NULL, NULL, NULL);
        close(s->fd);
    }
    if (s->listen_fd >= 0) {
        main_loop_set_fd_handler(s->loop, s->listen_fd, NULL, NULL, NULL,
                                 NULL);
        close(s->listen_fd);
    }
    free(s->rx_buf);
    free(s->tx_buf);
    free(s);
}

static const NetClientOps socket_ops = {
    .kind = NET_CLIENT_SOCKET,
    .type_name = "socket",
    .receive = socket_receive,
    .peer_ready = socket_peer_ready,
    .cleanup = socket_cleanup,
};

static int socket_listen(const char *str, Error **errp)
{
    struct sockaddr_in sa;
    int fd, one = 1;

    if (!net_parse_host_port(&sa, str, "listen", INADDR_ANY, errp)) {
        return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "can't create stream socket");
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 1) < 0) {
        error_setg_errno(errp, errno, "can't bind ip=%s to socket",
                         inet_ntoa(sa.sin_addr));
        close(fd);
        return -1;
    }
    return fd;
}

static int socket_connect(const char *str, Error **errp)
{
    struct sockaddr_in sa;
    int fd;

    if (!net_parse_host_port(&sa, str, "connect", htonl(INADDR_LOOPBACK),
                             errp)) {
        return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "can't create stream socket");
        return -1;
    }
    while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        if (errno != EINTR) {
            error_setg_errno(errp, errno, "can't connect socket to %s",
                             str);
            close(fd);
            return -1;
        }
    }
    return fd;
}

/* mcast=maddr:port: join the group on @localaddr (or any interface). */
static int socket_mcast(NetSocket *s, const char *str, const char *localaddr,
                        Error **errp)
{
    struct sockaddr_in sa;
    struct ip_mreq mreq = { .imr_interface.s_addr = htonl(INADDR_ANY) };
    int fd, one = 1;

    if (!net_parse_host_port(&sa, str, "mcast", INADDR_ANY, errp)) {
        return -1;
    }
    if (!IN_MULTICAST(ntohl(sa.sin_addr.s_addr))) {
        error_setg(errp, "specified mcastaddr %s (0x%08x) does not contain a "
                   "multicast address", inet_ntoa(sa.sin_addr),
                   ntohl(sa.sin_addr.s_addr));
        return -1;
    }
    if (localaddr && !inet_aton(localaddr, &mreq.imr_interface)) {
        error_setg(errp, "localaddr '%s' is not an IPv4 address", localaddr);
        return -1;
    }
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "can't create datagram socket");
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    mreq.imr_multiaddr = sa.sin_addr;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq,
                   sizeof(mreq)) < 0 ||
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &one,
                   sizeof(one)) < 0 ||
        (localaddr && setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF,
                                 &mreq.imr_interface,
                                 sizeof(mreq.imr_interface)) < 0)) {
        error_setg_errno(errp, errno, "can't join multicast group %s", str);
        close(fd);
        return -1;
    }
    s->dgram_dst = sa;
    return fd;
}

/* udp=host:port,localaddr=host:port: a point-to-point UDP cable. */
static int socket_udp(NetSocket *s, const char *str, const char *localaddr,
                      Error **errp)
{
    struct sockaddr_in local;
    int fd, one = 1;

    if (!localaddr) {
        error_setg(errp, "localaddr= is mandatory with udp=");
        return -1;
    }
    if (!net_parse_host_port(&s->dgram_dst, str, "udp",
                             htonl(INADDR_LOOPBACK), errp) ||
        !net_parse_host_port(&local, localaddr, "localaddr", INADDR_ANY,
                             errp)) {
        return -1;
    }
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "can't create datagram socket");
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
        error_setg_errno(errp, errno, "can't bind ip=%s to socket",
                         inet_ntoa(local.sin_addr));
        close(fd);
        return -1;
    }
    return fd;
}

static const Property socket_props[] = {
    DEFINE_PROP_STRING("listen", SocketOptions, listen,
                       "[host]:port: wait for the peer's TCP connection"),
    DEFINE_PROP_STRING("connect", SocketOptions, connect,
                       "host:port: connect to a listening peer"),
    DEFINE_PROP_STRING("mcast", SocketOptions, mcast,
                       "maddr:port: join a UDP multicast segment"),
    DEFINE_PROP_STRING("udp", SocketOptions, udp,
                       "host:port: send UDP datagrams there"),
    DEFINE_PROP_STRING("localaddr", SocketOptions, localaddr,
                       "local address (mcast) or host:port (udp)"),
    DEFINE_PROP_END,
};

static NetClient *socket_create(Machine *m, OptList *opts, Error **errp)
{
    SocketOptions o;
    NetSocket *s = NULL;
    int modes, fd = -1;

    if (!net_apply_props(&o, socket_props, opts, NULL, "socket", errp)) {
        goto out;
    }
    modes = !!o.listen + !!o.connect + !!o.mcast + !!o.udp;
    if (modes != 1) {
        error_setg(errp, "exactly one of listen=, connect=, mcast= or udp= "
                   "is needed");
        goto out;
    }
    if (o.localaddr && !o.mcast && !o.udp) {
        error_setg(errp, "localaddr= is only valid with mcast= or udp=");
        goto out;
    }
    s = xzalloc(sizeof(*s));
    s->loop = m->loop;
    s->fd = s->listen_fd = -1;
    s->rx_buf = xmalloc(SOCKET_RX_BUF);
    s->tx_buf = xmalloc(4 + NET_BUFSIZE);
    if (o.listen) {
        s->listen_fd = socket_listen(o.listen, errp);
        fd = s->listen_fd;
    } else if (o.connect) {
        fd = socket_connect(o.connect, errp);
    } else if (o.mcast) {
        fd = socket_mcast(s, o.mcast, o.localaddr, errp);
        s->dgram = true;
    } else {
        fd = socket_udp(s, o.udp, o.localaddr, errp);
        s->dgram = true;
    }
    if (fd < 0) {
        free(s->rx_buf);
        free(s->tx_buf);
        free(s);
        s = NULL;
        goto out;
    }
    net_client_init(&s->nc, &socket_ops, m, opts_get(opts, "id"));
    s->nc.info_str = o.listen ? xasprintf("listen=%s", o.listen)
                     : o.connect ? xasprintf("connect=%s", o.connect)
                     : o.mcast ? xasprintf("mcast=%s", o.mcast)
                     : xasprintf("udp=%s", o.udp);
    if (o.listen) {
        main_loop_set_fd_handler(m->loop, s->listen_fd, socket_accept, NULL,
                                 s, NULL);
    } else {
        socket_set_connected(s, fd);
    }

out:
    props_release(&o, socket_props);
    return s ? &s->nc : NULL;
}

const NetdevType netdev_socket_type = {
    .name = "socket",
    .desc = "a virtual cable over TCP (listen/connect) or UDP (mcast/udp)",
    .props = socket_props,
    .create = socket_create,
};
