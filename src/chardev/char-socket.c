/*
 * chardev/char-socket.c — the "socket" backend: a stream socket, TCP
 * (host=, port=) or Unix (path=), as server or client.
 *
 * Server (server=on): listens, and serves one client at a time. While a
 * client is connected the listening socket is not watched, so later
 * clients wait in the kernel's backlog and are accepted in turn when the
 * current one leaves (QEMU behaves the same). wait=on (the default for a
 * server, as in QEMU) blocks start-up until the first client connects;
 * the wait can be interrupted by SIGINT/SIGTERM/SIGHUP, which the system
 * emulator has blocked for its signalfd by then, so they are checked with
 * sigpending() while polling.
 *
 * Client (server=off): connects at start-up; with reconnect=SECONDS a
 * failed or lost connection is retried every SECONDS on the realtime
 * clock instead of being an error.
 *
 * Peers arriving and leaving become CHR_EVENT_OPENED / CHR_EVENT_CLOSED
 * (a QMP monitor greets each client). Without a peer, output is discarded.
 * A Unix server unlinks a stale socket file before binding and removes
 * its own at close.
 */
#include "chardev/chardev-internal.h"
#include "core/main-loop.h"
#include "util/error.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

typedef struct SocketChardev {
    Chardev chr;
    /* properties */
    char *path;
    char *host;
    char *port;
    bool server;
    bool wait;
    bool nodelay;
    bool telnet;
    uint64_t reconnect;
    /* state */
    bool is_unix;
    int listen_fd;          /* server: -1 when not listening */
    bool listen_watched;
    int fd;                 /* the connected peer, -1 when none */
    char *local;            /* "HOST:PORT" or the path, for filename */
    char *peer;             /* "HOST:PORT" of a TCP peer */
    Timer *reconnect_timer;
    BottomHalf *hup_bh;     /* disconnect after a failed write */
    ChardevIO io;
} SocketChardev;

static SocketChardev *socket_of(Chardev *chr)
{
    return container_of(chr, SocketChardev, chr);
}

static void socket_accept(void *opaque);

static void socket_update_listen(SocketChardev *s)
{
    bool want = s->listen_fd >= 0 && s->fd < 0 && s->chr.loop;

    if (want != s->listen_watched && s->chr.loop) {
        main_loop_set_fd_handler(s->chr.loop, s->listen_fd,
                                 want ? socket_accept : NULL, NULL, s, NULL);
    }
    s->listen_watched = want;
}

static char *socket_format_addr(const struct sockaddr *sa, socklen_t len)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];

    if (sa->sa_family == AF_UNIX) {
        return xstrdup(((const struct sockaddr_un *)sa)->sun_path);
    }
    if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV)) {
        return xstrdup("?");
    }
    return sa->sa_family == AF_INET6 ? xasprintf("[%s]:%s", host, serv)
                                     : xasprintf("%s:%s", host, serv);
}

/* --- the connected peer --- */

static void socket_on_eof(Chardev *chr, int err);

static void socket_connected(SocketChardev *s, int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    chardev_fd_set_nonblock(fd, true);
    if (!s->is_unix) {
        int one = 1;

        /* Interactive traffic (monitors, consoles): no Nagle delay. */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
            s->peer = socket_format_addr((struct sockaddr *)&ss, len);
        }
    }
    s->fd = fd;
    chardev_io_init(&s->io, &s->chr, fd, fd, socket_on_eof);
    socket_update_listen(s);
    chardev_be_event(&s->chr, CHR_EVENT_OPENED);
    chardev_io_update(&s->io);
}

static void socket_arm_reconnect(SocketChardev *s)
{
    if (s->reconnect_timer) {
        timer_mod_ns(s->reconnect_timer,
                     clock_get_ns(s->chr.loop, CLOCK_TYPE_REALTIME) +
                     (int64_t)s->reconnect * NS_PER_SEC);
    }
}

static void socket_disconnect(SocketChardev *s)
{
    if (s->fd < 0) {
        return;
    }
    chardev_io_stop(&s->io);
    close(s->fd);
    s->fd = -1;
    free(s->peer);
    s->peer = NULL;
    chardev_be_event(&s->chr, CHR_EVENT_CLOSED);
    socket_update_listen(s);
    if (!s->server && s->reconnect) {
        socket_arm_reconnect(s);
    }
}

static void socket_on_eof(Chardev *chr, int err)
{
    socket_disconnect(socket_of(chr));
}

static void socket_hup_bh(void *opaque)
{
    socket_disconnect(opaque);
}

/* --- server --- */

static void socket_accept(void *opaque)
{
    SocketChardev *s = opaque;
    int fd;

    if (s->fd >= 0) {
        socket_update_listen(s);
        return;
    }
    fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        return;     /* EAGAIN, or the client gave up already */
    }
    socket_connected(s, fd);
}

static bool socket_listen_unix(SocketChardev *s, Error **errp)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    if (strlen(s->path) >= sizeof(sun.sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", s->path);
        return false;
    }
    strcpy(sun.sun_path, s->path);
    s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0) {
        error_setg_errno(errp, errno, "Failed to create Unix socket");
        return false;
    }
    if (unlink(s->path) < 0 && errno != ENOENT) {
        error_setg_errno(errp, errno, "Failed to unlink socket %s", s->path);
        return false;
    }
    if (bind(s->listen_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        error_setg_errno(errp, errno, "Failed to bind socket to %s",
                         s->path);
        return false;
    }
    if (listen(s->listen_fd, 8) < 0) {
        error_setg_errno(errp, errno, "Failed to listen on socket");
        return false;
    }
    s->local = xstrdup(s->path);
    return true;
}

static bool socket_listen_inet(SocketChardev *s, Error **errp)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_PASSIVE,
    };
    struct addrinfo *res, *ai;
    int rc, last_errno = 0;

    rc = getaddrinfo(s->host && *s->host ? s->host : NULL, s->port, &hints,
                     &res);
    if (rc) {
        error_setg(errp, "address resolution failed for %s:%s: %s",
                   s->host ? s->host : "", s->port, gai_strerror(rc));
        return false;
    }
    /* Prefer IPv4 for an empty host, as "tcp::PORT" users expect. */
    for (int pass = 0; pass < 2 && s->listen_fd < 0; pass++) {
        for (ai = res; ai; ai = ai->ai_next) {
            int one = 1;
            int fd;

            if ((pass == 0) != (ai->ai_family == AF_INET)) {
                continue;
            }
            fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                        ai->ai_protocol);
            if (fd < 0) {
                last_errno = errno;
                continue;
            }
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
                listen(fd, 8) < 0) {
                last_errno = errno;
                close(fd);
                continue;
            }
            s->listen_fd = fd;
            break;
        }
    }
    freeaddrinfo(res);
    if (s->listen_fd < 0) {
        error_setg_errno(errp, last_errno, "Failed to bind socket to %s:%s",
                         s->host ? s->host : "", s->port);
        return false;
    }
    {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);

        getsockname(s->listen_fd, (struct sockaddr *)&ss, &len);
        s->local = socket_format_addr((struct sockaddr *)&ss, len);
    }
    return true;
}

static bool socket_termination_pending(void)
{
    sigset_t pending;

    if (sigpending(&pending) < 0) {
        return false;
    }
    return sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) ||
           sigismember(&pending, SIGHUP);
}

/* wait=on: block until the first client arrives. */
static bool socket_wait_first_client(SocketChardev *s, Error **errp)
{
    char *name = chardev_filename(&s->chr);

    fprintf(stderr, "%s: info: Vireo waiting for connection on: %s\n",
            program_invocation_short_name, name);
    free(name);
    for (;;) {
        struct pollfd pfd = { .fd = s->listen_fd, .events = POLLIN };
        int fd;

        if (socket_termination_pending()) {
            error_setg(errp, "interrupted while waiting for a connection");
            return false;
        }
        if (poll(&pfd, 1, 200) <= 0) {
            continue;
        }
        fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            socket_connected(s, fd);
            return true;
        }
    }
}

/* --- client --- */

static int socket_connect_fd(SocketChardev *s, Error **errp)
{
    if (s->is_unix) {
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        int fd;

        if (strlen(s->path) >= sizeof(sun.sun_path)) {
            error_setg(errp, "UNIX socket path '%s' is too long", s->path);
            return -1;
        }
        strcpy(sun.sun_path, s->path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
            error_setg_errno(errp, errno, "Failed to connect to '%s'",
                             s->path);
            if (fd >= 0) {
                close(fd);
            }
            return -1;
        }
        return fd;
    } else {
        struct addrinfo hints = { .ai_family = AF_UNSPEC,
                                  .ai_socktype = SOCK_STREAM };
        struct addrinfo *res, *ai;
        int fd = -1, err = 0;
        int rc = getaddrinfo(s->host && *s->host ? s->host : NULL, s->port,
                             &hints, &res);

        if (rc) {
            error_setg(errp, "address resolution failed for %s:%s: %s",
                       s->host ? s->host : "", s->port, gai_strerror(rc));
            return -1;
        }
        for (ai = res; ai; ai = ai->ai_next) {
            fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                        ai->ai_protocol);
            if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
                break;
            }
            err = errno;
            if (fd >= 0) {
                close(fd);
            }
            fd = -1;
        }
        freeaddrinfo(res);
        if (fd < 0) {
            error_setg_errno(errp, err, "Failed to connect to '%s:%s'",
                             s->host ? s->host : "", s->port);
        }
        return fd;
    }
}

static void socket_reconnect(void *opaque)
{
    SocketChardev *s = opaque;
    int fd;

    if (s->fd >= 0) {
        return;
    }
    fd = socket_connect_fd(s, NULL);
    if (fd >= 0) {
        socket_connected(s, fd);
    } else {
        socket_arm_reconnect(s);
    }
}

/* --- ChardevType --- */

static void socket_close(Chardev *chr);

static bool socket_do_open(Chardev *chr, Error **errp)
{
    SocketChardev *s = socket_of(chr);
    Error *err = NULL;
    int fd;

    if (s->telnet) {
        error_setg(errp, "telnet=on is not supported");
        return false;
    }
    if (s->path && (s->host || s->port)) {
        error_setg(errp, "'path' cannot be combined with 'host' or 'port'");
        return false;
    }
    if (!s->path && (!s->port || !*s->port)) {
        error_setg(errp, "socket: 'path' or 'port' is required");
        return false;
    }
    if (s->server && s->reconnect) {
        error_setg(errp, "'reconnect' option is incompatible with "
                   "socket in server listen mode");
        return false;
    }
    s->is_unix = s->path != NULL;
    if (chr->loop) {
        s->hup_bh = bh_new(chr->loop, socket_hup_bh, s);
    }
    if (s->server) {
        if (!(s->is_unix ? socket_listen_unix(s, errp)
                         : socket_listen_inet(s, errp))) {
            return false;
        }
        if (s->wait && !socket_wait_first_client(s, errp)) {
            return false;
        }
        socket_update_listen(s);
        return true;
    }
    s->local = s->is_unix ? xstrdup(s->path)
               : xasprintf("%s:%s", s->host ? s->host : "", s->port);
    if (chr->loop && s->reconnect) {
        s->reconnect_timer = timer_new_ns(chr->loop, CLOCK_TYPE_REALTIME,
                                          socket_reconnect, s);
    }
    fd = socket_connect_fd(s, &err);
    if (fd >= 0) {
        socket_connected(s, fd);
        return true;
    }
    if (!s->reconnect) {
        error_propagate(errp, err);
        return false;
    }
    error_free(err);
    socket_arm_reconnect(s);
    return true;
}

static bool socket_open(Chardev *chr, Error **errp)
{
    SocketChardev *s = socket_of(chr);

    s->listen_fd = s->fd = -1;
    chr->be_closed = true;
    if (!socket_do_open(chr, errp)) {
        socket_close(chr);
        return false;
    }
    return true;
}

static int socket_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    SocketChardev *s = socket_of(chr);
    ssize_t n;

    if (s->fd < 0) {
        return len;     /* no peer: discard */
    }
    n = send(s->fd, buf, len, MSG_NOSIGNAL);
    if (n >= 0) {
        return n;
    }
    if (errno == EAGAIN || errno == EINTR) {
        return -EAGAIN;
    }
    /* The peer went away: disconnect from the main loop, not from inside
     * a front end's write. */
    n = -errno;
    if (s->hup_bh) {
        bh_schedule(s->hup_bh);
    }
    return n;
}

static void socket_accept_input(Chardev *chr)
{
    SocketChardev *s = socket_of(chr);

    if (s->fd >= 0) {
        chardev_io_update(&s->io);
    }
}

static void socket_add_write_watch(Chardev *chr)
{
    SocketChardev *s = socket_of(chr);

    if (s->fd >= 0) {
        chardev_io_add_write_watch(&s->io);
    } else {
        chardev_fe_write_ready(chr);
    }
}

static char *socket_filename(Chardev *chr)
{
    SocketChardev *s = socket_of(chr);
    const char *kind = s->is_unix ? "unix" : "tcp";
    const char *mode = s->server ? ",server=on" : "";

    if (s->fd < 0) {
        return xasprintf("disconnected:%s:%s%s", kind,
                         s->local ? s->local : "", mode);
    }
    if (s->peer) {
        return xasprintf("%s:%s%s <-> %s", kind, s->local, mode, s->peer);
    }
    return xasprintf("%s:%s%s", kind, s->local, mode);
}

static void socket_close(Chardev *chr)
{
    SocketChardev *s = socket_of(chr);

    if (s->fd >= 0) {
        chardev_io_stop(&s->io);
        close(s->fd);
        s->fd = -1;
    }
    if (s->listen_fd >= 0) {
        if (s->listen_watched) {
            main_loop_set_fd_handler(chr->loop, s->listen_fd, NULL, NULL,
                                     NULL, NULL);
        }
        close(s->listen_fd);
        s->listen_fd = -1;
        if (s->is_unix && s->path) {
            unlink(s->path);
        }
    }
    if (s->reconnect_timer) {
        timer_free(s->reconnect_timer);
        s->reconnect_timer = NULL;
    }
    if (s->hup_bh) {
        bh_delete(s->hup_bh);
        s->hup_bh = NULL;
    }
    free(s->local);
    free(s->peer);
    s->local = s->peer = NULL;
}

static const Property socket_props[] = {
    DEFINE_PROP_STRING("path", SocketChardev, path, "Unix socket path"),
    DEFINE_PROP_STRING("host", SocketChardev, host,
                       "TCP host (empty: any address for a server)"),
    DEFINE_PROP_STRING("port", SocketChardev, port, "TCP port"),
    DEFINE_PROP_BOOL("server", SocketChardev, server, false,
                     "listen for a client instead of connecting"),
    DEFINE_PROP_BOOL("wait", SocketChardev, wait, true,
                     "server: wait for the first client before starting"),
    DEFINE_PROP_UINT64("reconnect", SocketChardev, reconnect, 0,
                       "client: retry a lost connection every N seconds"),
    DEFINE_PROP_BOOL("nodelay", SocketChardev, nodelay, false,
                     "accepted for compatibility (TCP_NODELAY is always on)"),
    DEFINE_PROP_BOOL("telnet", SocketChardev, telnet, false,
                     "telnet negotiation (not supported)"),
    DEFINE_PROP_END,
};

const ChardevType chardev_socket_type = {
    .name = "socket",
    .desc = "a TCP or Unix stream socket, server or client",
    .instance_size = sizeof(SocketChardev),
    .props = socket_props,
    .open = socket_open,
    .write = socket_write,
    .accept_input = socket_accept_input,
    .add_write_watch = socket_add_write_watch,
    .filename = socket_filename,
    .close = socket_close,
};
