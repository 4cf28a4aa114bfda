/*
 * net/slirp.c — the "user" back end: a whole IP network in user space on
 * libslirp (Debian's libslirp0), needing no privileges.
 *
 *   -netdev user,id=n0[,net=10.0.2.0/24][,host=10.0.2.2][,dhcpstart=..]
 *          [,dns=10.0.2.3][,restrict=on|off][,ipv4=on|off][,ipv6=on|off]
 *          [,ipv6-net=fec0::/64][,ipv6-host=..][,ipv6-dns=..]
 *          [,hostname=..][,domainname=..][,dnssearch=..]...
 *          [,tftp=dir][,bootfile=..][,hostfwd=RULE]...
 *   RULE = [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport
 *          (hostaddr may be an IPv6 address in brackets)
 *
 * libslirp gives the guest DHCP (from dhcpstart, 10.0.2.15 by default),
 * DNS forwarded to the host's resolvers at 10.0.2.3, the host's loopback
 * at 10.0.2.2, NAT for TCP/UDP/ICMP-echo to the outside (none with
 * restrict=on) and, with ipv6=on, SLAAC/DHCPv6 on fec0::/64.
 *
 * Main-loop integration. libslirp is written for poll(2): before sleeping
 * the application asks it which sockets to watch (slirp_pollfds_fill),
 * after waking it reports what happened (slirp_pollfds_poll). Vireo's
 * loop is epoll with level-triggered handlers and no "before sleeping"
 * hook, so one "poll cycle" stands in for a loop iteration:
 *   1. handlers of the watched fds record what became ready (revents)
 *      and schedule the cycle as a bottom half (which runs after the fd
 *      handlers of the same iteration, so all events of one wake-up are
 *      handled together);
 *   2. the cycle calls slirp_pollfds_poll with those revents, then
 *      slirp_pollfds_fill, and brings the fd handlers in line with the
 *      new set (adding, changing, removing only what differs);
 *   3. the timeout fill returns (TCP's fast and slow timers) arms a timer
 *      that runs the cycle again.
 * Frames from the guest (slirp_input), slirp's own timers and its notify
 * callback also schedule the cycle. libslirp reports a socket's close
 * through unregister_poll_fd before closing it, which drops our handler
 * so a reused fd number is registered afresh.
 *
 * Time: libslirp's clock and timers are Vireo's virtual clock, as in
 * QEMU, so TCP timers stand still while the VM is stopped.
 *
 * Frames to the guest have no flow control in libslirp (send_packet may
 * drop); they queue at the NIC up to NET_QUEUE_MAX_PACKETS, which TCP's
 * window keeps far from full.
 */
#include "net/net.h"
#include "net/net-internal.h"
#include "core/main-loop.h"
#include "hw/core/machine.h"
#include "util/error.h"
#include "util/log.h"
#include "util/opts.h"

#include <arpa/inet.h>
#include <slirp/libslirp.h>

typedef struct NetUser NetUser;

/* One fd slirp asked about in the last fill. */
typedef struct UserPollFd {
    int fd;
    int events;                 /* SLIRP_POLL_* */
    int revents;
} UserPollFd;

/* A main-loop handler we hold for an fd. */
typedef struct UserWatch {
    NetUser *s;
    int fd;
    int events;                 /* what the handler is registered for */
    struct UserWatch *next;
} UserWatch;

typedef struct UserTimer {
    NetUser *s;
    SlirpTimerId id;
    void *cb_opaque;
    Timer *timer;
} UserTimer;

struct NetUser {
    NetClient nc;
    MainLoop *loop;
    Log *log;
    Slirp *slirp;
    UserPollFd *pfds;
    unsigned npfds;
    unsigned pfds_cap;
    UserWatch *watches;
    BottomHalf *poll_bh;
    Timer *poll_timer;
    uint8_t *in_buf;            /* a guest frame made contiguous */
};

typedef struct UserOptions {
    char *net;
    char *host;
    char *dhcpstart;
    char *dns;
    bool restricted;
    bool ipv4;
    bool ipv6;
    char *ipv6_net;
    char *ipv6_host;
    char *ipv6_dns;
    char *hostname;
    char *domainname;
    char *tftp;
    char *bootfile;
    char *tftp_server_name;
    char *hostfwd_help;         /* rows for help only: never set */
    char *dnssearch_help;
} UserOptions;

/* Keys that may be repeated; read from the option list directly. */
static const char *const user_repeated[] = { "hostfwd", "dnssearch", NULL };

/* --- the poll cycle --- */

static int user_add_poll(int fd, int events, void *opaque)
{
    NetUser *s = opaque;

    if (s->npfds == s->pfds_cap) {
        s->pfds_cap = s->pfds_cap ? 2 * s->pfds_cap : 16;
        s->pfds = xrealloc(s->pfds, s->pfds_cap * sizeof(*s->pfds));
    }
    s->pfds[s->npfds] = (UserPollFd){ .fd = fd, .events = events };
    return s->npfds++;
}

static int user_get_revents(int idx, void *opaque)
{
    NetUser *s = opaque;

    return idx >= 0 && (unsigned)idx < s->npfds ? s->pfds[idx].revents : 0;
}

static void user_record(UserWatch *w, int revents)
{
    NetUser *s = w->s;

    for (unsigned i = 0; i < s->npfds; i++) {
        if (s->pfds[i].fd == w->fd) {
            s->pfds[i].revents |= revents & s->pfds[i].events;
        }
    }
    bh_schedule(s->poll_bh);
}

static void user_fd_readable(void *opaque)
{
    /* Never PRI: the loop cannot tell urgent data apart, and reporting it
     * makes libslirp read a byte as out-of-band (URG) from the stream. */
    user_record(opaque, SLIRP_POLL_IN);
}

static void user_fd_writable(void *opaque)
{
    user_record(opaque, SLIRP_POLL_OUT);
}

static void user_watch_set(NetUser *s, UserWatch *w, int events)
{
    bool rd = events & (SLIRP_POLL_IN | SLIRP_POLL_PRI);
    bool wr = events & SLIRP_POLL_OUT;
    Error *err = NULL;

    w->events = events;
    if (!main_loop_set_fd_handler(s->loop, w->fd,
                                  rd ? user_fd_readable : NULL,
                                  wr ? user_fd_writable : NULL, w, &err)) {
        log_guest(s->log, LOG_GUEST_ERROR, "%s: %s\n", s->nc.name,
                  error_get_pretty(err));
        error_free(err);
    }
}

static void user_watch_remove(NetUser *s, UserWatch **pw)
{
    UserWatch *w = *pw;

    main_loop_set_fd_handler(s->loop, w->fd, NULL, NULL, NULL, NULL);
    *pw = w->next;
    free(w);
}

/* Make the handlers match what the last fill asked for. */
static void user_sync_watches(NetUser *s)
{
    UserWatch **pw = &s->watches;

    while (*pw) {
        UserWatch *w = *pw;
        int events = 0;

        for (unsigned i = 0; i < s->npfds; i++) {
            if (s->pfds[i].fd == w->fd) {
                events |= s->pfds[i].events;
            }
        }
        events &= SLIRP_POLL_IN | SLIRP_POLL_PRI | SLIRP_POLL_OUT;
        if (!events) {
            user_watch_remove(s, pw);
            continue;
        }
        if (events != w->events) {
            user_watch_set(s, w, events);
        }
        pw = &w->next;
    }
    for (unsigned i = 0; i < s->npfds; i++) {
        UserWatch *w;
        int events = s->pfds[i].events &
                     (SLIRP_POLL_IN | SLIRP_POLL_PRI | SLIRP_POLL_OUT);

        for (w = s->watches; w && w->fd != s->pfds[i].fd; w = w->next) {
            continue;
        }
        if (w || !events) {
            continue;
        }
        w = XNEW(UserWatch);
        w->s = s;
        w->fd = s->pfds[i].fd;
        w->next = s->watches;
        s->watches = w;
        for (unsigned j = i + 1; j < s->npfds; j++) {
            if (s->pfds[j].fd == w->fd) {
                events |= s->pfds[j].events;
            }
        }
        user_watch_set(s, w, events & (SLIRP_POLL_IN | SLIRP_POLL_PRI |
                                       SLIRP_POLL_OUT));
    }
}

static void user_fill(NetUser *s)
{
    uint32_t timeout = UINT32_MAX;

    s->npfds = 0;
    slirp_pollfds_fill(s->slirp, &timeout, user_add_poll, s);
    user_sync_watches(s);
    if (timeout == UINT32_MAX) {
        timer_del(s->poll_timer);
    } else {
        timer_mod_ns(s->poll_timer,
                     clock_get_ns(s->loop, CLOCK_TYPE_VIRTUAL) +
                     (int64_t)timeout * 1000000);
    }
}

static void user_poll_cycle(void *opaque)
{
    NetUser *s = opaque;

    slirp_pollfds_poll(s->slirp, 0, user_get_revents, s);
    user_fill(s);
}

/* --- libslirp's callbacks --- */

static ssize_t user_send_packet(const void *buf, size_t len, void *opaque)
{
    NetUser *s = opaque;
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

    net_client_send(&s->nc, &iov, 1, NULL);
    return len;
}

static void user_guest_error(const char *msg, void *opaque)
{
    NetUser *s = opaque;

    log_guest(s->log, LOG_GUEST_ERROR, "%s: %s\n", s->nc.name, msg);
}

static int64_t user_clock_get_ns(void *opaque)
{
    NetUser *s = opaque;

    return clock_get_ns(s->loop, CLOCK_TYPE_VIRTUAL);
}

static void user_timer_fired(void *opaque)
{
    UserTimer *t = opaque;

    slirp_handle_timer(t->s->slirp, t->id, t->cb_opaque);
    bh_schedule(t->s->poll_bh);
}

static void *user_timer_new_opaque(SlirpTimerId id, void *cb_opaque,
                                   void *opaque)
{
    NetUser *s = opaque;
    UserTimer *t = XNEW(UserTimer);

    t->s = s;
    t->id = id;
    t->cb_opaque = cb_opaque;
    t->timer = timer_new_ns(s->loop, CLOCK_TYPE_VIRTUAL, user_timer_fired, t);
    return t;
}

static void user_timer_free(void *timer, void *opaque)
{
    UserTimer *t = timer;

    timer_free(t->timer);
    free(t);
}

static void user_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    UserTimer *t = timer;

    timer_mod_ns(t->timer, expire_ms * 1000000);
}

static void user_register_poll_fd(int fd, void *opaque)
{
    /* Watched from the next fill on. */
}

static void user_unregister_poll_fd(int fd, void *opaque)
{
    NetUser *s = opaque;

    for (UserWatch **pw = &s->watches; *pw; pw = &(*pw)->next) {
        if ((*pw)->fd == fd) {
            user_watch_remove(s, pw);
            break;
        }
    }
    for (unsigned i = 0; i < s->npfds; i++) {
        if (s->pfds[i].fd == fd) {
            s->pfds[i].events = s->pfds[i].revents = 0;
        }
    }
}

static void user_notify(void *opaque)
{
    NetUser *s = opaque;

    bh_schedule(s->poll_bh);
}

static const SlirpCb user_callbacks = {
    .send_packet = user_send_packet,
    .guest_error = user_guest_error,
    .clock_get_ns = user_clock_get_ns,
    .timer_free = user_timer_free,
    .timer_mod = user_timer_mod,
    .register_poll_fd = user_register_poll_fd,
    .unregister_poll_fd = user_unregister_poll_fd,
    .notify = user_notify,
    .timer_new_opaque = user_timer_new_opaque,
};

/* --- the client --- */

static ssize_t user_receive(NetClient *nc, const struct iovec *iov,
                            int iovcnt)
{
    NetUser *s = container_of(nc, NetUser, nc);
    size_t size = net_iov_size(iov, iovcnt);

    if (size > NET_BUFSIZE) {
        return size;            /* no Ethernet frame is that long */
    }
    if (iovcnt == 1) {
        slirp_input(s->slirp, iov[0].iov_base, size);
    } else {
        net_iov_to_buf(iov, iovcnt, 0, s->in_buf, size);
        slirp_input(s->slirp, s->in_buf, size);
    }
    /* Input may have opened sockets or queued output: look again. */
    bh_schedule(s->poll_bh);
    return size;
}

static void user_cleanup(NetClient *nc)
{
    NetUser *s = container_of(nc, NetUser, nc);

    if (s->slirp) {
        slirp_cleanup(s->slirp);
    }
    while (s->watches) {
        user_watch_remove(s, &s->watches);
    }
    if (s->poll_bh) {
        bh_delete(s->poll_bh);
    }
    if (s->poll_timer) {
        timer_free(s->poll_timer);
    }
    free(s->pfds);
    free(s->in_buf);
    free(s);
}

static const NetClientOps user_ops = {
    .kind = NET_CLIENT_USER,
    .type_name = "user",
    .receive = user_receive,
    .cleanup = user_cleanup,
};

/* --- options --- */

static bool user_parse_in_addr(const char *str, struct in_addr *out,
                               const char *what, Error **errp)
{
    if (!inet_aton(str, out)) {
        error_setg(errp, "Parameter '%s' expects an IPv4 address, not '%s'",
                   what, str);
        return false;
    }
    return true;
}

/* "10.0.2.0/24", "10.0.2.0/255.255.255.0" or "10.0.2.0" (/24). */
static bool user_parse_net(const char *str, struct in_addr *net,
                           struct in_addr *mask, Error **errp)
{
    const char *slash = strchr(str, '/');
    char *addr = slash ? xstrndup(str, slash - str) : xstrdup(str);
    uint64_t bits = 24;
    bool ok = inet_aton(addr, net);

    if (ok && slash && !parse_uint64(slash + 1, &bits)) {
        ok = inet_aton(slash + 1, mask);
        bits = 33;
    }
    if (ok && bits <= 32) {
        mask->s_addr = bits ? htonl(0xffffffffu << (32 - bits)) : 0;
    } else if (ok && bits != 33) {
        ok = false;
    }
    if (!ok) {
        error_setg(errp, "Parameter 'net' expects an IPv4 network such as "
                   "10.0.2.0/24, not '%s'", str);
    }
    net->s_addr &= mask->s_addr;
    free(addr);
    return ok;
}

static bool user_parse_in6(const char *str, struct in6_addr *out,
                           const char *what, Error **errp)
{
    if (inet_pton(AF_INET6, str, out) != 1) {
        error_setg(errp, "Parameter '%s' expects an IPv6 address, not '%s'",
                   what, str);
        return false;
    }
    return true;
}

/* An address at @host_part inside @net, unless the user gave one. */
static bool user_addr_in_net(const char *given, const char *what,
                             struct in_addr net, struct in_addr mask,
                             uint32_t host_part, struct in_addr *out,
                             Error **errp)
{
    if (!given) {
        out->s_addr = net.s_addr | htonl(host_part);
        return true;
    }
    if (!user_parse_in_addr(given, out, what, errp)) {
        return false;
    }
    if ((out->s_addr & mask.s_addr) != net.s_addr) {
        error_setg(errp, "%s address %s is not in the guest network",
                   what, given);
        return false;
    }
    return true;
}

/*
 * One hostfwd rule: [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport.
 * QEMU's syntax; a hostaddr in brackets is IPv6.
 */
static bool user_add_hostfwd(NetUser *s, const char *rule, Error **errp)
{
    char *copy = xstrdup(rule), *p = copy, *host, *guest, *sep;
    bool udp = false, ok = false;
    struct sockaddr_in haddr = { .sin_family = AF_INET };
    struct sockaddr_in6 haddr6 = { .sin6_family = AF_INET6 };
    struct sockaddr_in gaddr = { .sin_family = AF_INET };
    bool v6 = false;
    uint64_t port;

    sep = strchr(p, ':');
    if (!sep) {
        goto bad;
    }
    *sep = 0;
    if (!strcmp(p, "udp")) {
        udp = true;
    } else if (*p && strcmp(p, "tcp")) {
        goto bad;
    }
    host = sep + 1;
    guest = strchr(host, '-');
    if (!guest) {
        goto bad;
    }
    *guest++ = 0;

    /* Host side: [addr]:port, the address maybe "[v6]". */
    sep = strrchr(host, ':');
    if (!sep || !parse_uint64(sep + 1, &port) || port > 65535) {
        goto bad;
    }
    *sep = 0;
    if (host[0] == '[') {
        size_t n = strlen(host);

        if (n < 2 || host[n - 1] != ']') {
            goto bad;
        }
        host[n - 1] = 0;
        if (inet_pton(AF_INET6, host + 1, &haddr6.sin6_addr) != 1) {
            goto bad;
        }
        v6 = true;
        haddr6.sin6_port = htons(port);
    } else {
        if (*host && !inet_aton(host, &haddr.sin_addr)) {
            goto bad;
        }
        haddr.sin_port = htons(port);
    }

    /* Guest side: [addr]:port; no address means the DHCP start. */
    sep = strrchr(guest, ':');
    if (!sep || !parse_uint64(sep + 1, &port) || port > 65535 || !port) {
        goto bad;
    }
    *sep = 0;
    if (*guest && !inet_aton(guest, &gaddr.sin_addr)) {
        goto bad;
    }
    gaddr.sin_port = htons(port);

    if (v6) {
        ok = slirp_add_hostxfwd(s->slirp, (struct sockaddr *)&haddr6,
                                sizeof(haddr6), (struct sockaddr *)&gaddr,
                                sizeof(gaddr),
                                udp ? SLIRP_HOSTFWD_UDP : 0) == 0;
    } else {
        ok = slirp_add_hostfwd(s->slirp, udp, haddr.sin_addr,
                               ntohs(haddr.sin_port), gaddr.sin_addr,
                               ntohs(gaddr.sin_port)) == 0;
    }
    if (!ok) {
        error_setg(errp, "Could not set up host forwarding rule '%s' "
                   "(is the host port in use?)", rule);
    }
    free(copy);
    return ok;

bad:
    error_setg(errp, "Invalid host forwarding rule '%s' (expected "
               "[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport)", rule);
    free(copy);
    return false;
}

static const Property user_props[] = {
    DEFINE_PROP_STRING("net", UserOptions, net,
                       "guest network and mask (default 10.0.2.0/24)"),
    DEFINE_PROP_STRING("host", UserOptions, host,
                       "the host's address on it (default x.x.x.2)"),
    DEFINE_PROP_STRING("dhcpstart", UserOptions, dhcpstart,
                       "first address DHCP hands out (default x.x.x.15)"),
    DEFINE_PROP_STRING("dns", UserOptions, dns,
                       "the DNS forwarder's address (default x.x.x.3)"),
    DEFINE_PROP_BOOL("restrict", UserOptions, restricted, false,
                     "isolate the guest: only forwarded ports connect"),
    DEFINE_PROP_BOOL("ipv4", UserOptions, ipv4, true, "offer IPv4"),
    DEFINE_PROP_BOOL("ipv6", UserOptions, ipv6, true, "offer IPv6"),
    DEFINE_PROP_STRING("ipv6-net", UserOptions, ipv6_net,
                       "IPv6 prefix/length (default fec0::/64)"),
    DEFINE_PROP_STRING("ipv6-host", UserOptions, ipv6_host,
                       "the host's IPv6 address (default prefix::2)"),
    DEFINE_PROP_STRING("ipv6-dns", UserOptions, ipv6_dns,
                       "the IPv6 DNS forwarder (default prefix::3)"),
    DEFINE_PROP_STRING("hostname", UserOptions, hostname,
                       "client hostname sent by DHCP"),
    DEFINE_PROP_STRING("domainname", UserOptions, domainname,
                       "domain name sent by DHCP"),
    DEFINE_PROP_STRING("tftp", UserOptions, tftp,
                       "serve this directory over TFTP"),
    DEFINE_PROP_STRING("bootfile", UserOptions, bootfile,
                       "BOOTP boot file name"),
    DEFINE_PROP_STRING("tftp-server-name", UserOptions, tftp_server_name,
                       "TFTP server name sent by DHCP"),
    /* Repeatable; listed for help, read from the options themselves. */
    DEFINE_PROP_STRING("hostfwd", UserOptions, hostfwd_help,
                       "[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport"
                       " (repeatable)"),
    DEFINE_PROP_STRING("dnssearch", UserOptions, dnssearch_help,
                       "DNS search domain sent by DHCP (repeatable)"),
    DEFINE_PROP_END,
};

/* Fill @cfg from @o; strings in @cfg point into @o. */
static bool user_config(SlirpConfig *cfg, UserOptions *o, Error **errp)
{
    struct in6_addr prefix;
    uint64_t plen = 64;

    cfg->version = SLIRP_CONFIG_VERSION_MAX;
    cfg->restricted = o->restricted;
    cfg->in_enabled = o->ipv4;
    cfg->in6_enabled = o->ipv6;
    if (!o->ipv4 && !o->ipv6) {
        error_setg(errp, "IPv4 and IPv6 cannot both be disabled");
        return false;
    }
    cfg->vnetwork.s_addr = htonl(0x0a000200);       /* 10.0.2.0 */
    cfg->vnetmask.s_addr = htonl(0xffffff00);
    if (o->net && !user_parse_net(o->net, &cfg->vnetwork, &cfg->vnetmask,
                                  errp)) {
        return false;
    }
    if (!user_addr_in_net(o->host, "host", cfg->vnetwork, cfg->vnetmask, 2,
                          &cfg->vhost, errp) ||
        !user_addr_in_net(o->dhcpstart, "DHCP start", cfg->vnetwork,
                          cfg->vnetmask, 15, &cfg->vdhcp_start, errp) ||
        !user_addr_in_net(o->dns, "DNS", cfg->vnetwork, cfg->vnetmask, 3,
                          &cfg->vnameserver, errp)) {
        return false;
    }

    inet_pton(AF_INET6, "fec0::", &prefix);
    if (o->ipv6_net) {
        char *slash = strchr(o->ipv6_net, '/');
        char *addr = slash ? xstrndup(o->ipv6_net, slash - o->ipv6_net)
                           : xstrdup(o->ipv6_net);
        bool ok = user_parse_in6(addr, &prefix, "ipv6-net", errp);

        free(addr);
        if (!ok) {
            return false;
        }
        if (slash && (!parse_uint64(slash + 1, &plen) || plen > 126)) {
            error_setg(errp, "Parameter 'ipv6-net' expects a prefix length "
                       "of at most 126");
            return false;
        }
    }
    cfg->vprefix_addr6 = prefix;
    cfg->vprefix_len = plen;
    cfg->vhost6 = prefix;
    cfg->vhost6.s6_addr[15] |= 2;
    cfg->vnameserver6 = prefix;
    cfg->vnameserver6.s6_addr[15] |= 3;
    if ((o->ipv6_host &&
         !user_parse_in6(o->ipv6_host, &cfg->vhost6, "ipv6-host", errp)) ||
        (o->ipv6_dns &&
         !user_parse_in6(o->ipv6_dns, &cfg->vnameserver6, "ipv6-dns", errp))) {
        return false;
    }
    cfg->vhostname = o->hostname;
    cfg->vdomainname = o->domainname;
    cfg->tftp_path = o->tftp;
    cfg->bootfile = o->bootfile;
    cfg->tftp_server_name = o->tftp_server_name;
    return true;
}

static NetClient *user_create(Machine *m, OptList *opts, Error **errp)
{
    UserOptions o;
    SlirpConfig cfg = { 0 };
    const char **dnssearch = NULL;
    size_t ndns = 0;
    NetUser *s = NULL;
    char net_str[INET_ADDRSTRLEN];

    if (!net_apply_props(&o, user_props, opts, user_repeated, "user", errp) ||
        !user_config(&cfg, &o, errp)) {
        goto out;
    }
    for (size_t i = 0; i < opts->count; i++) {
        if (!strcmp(opts->items[i].key, "dnssearch")) {
            opts->items[i].used = true;
            dnssearch = xrealloc(dnssearch, (ndns + 2) * sizeof(char *));
            dnssearch[ndns++] = opts->items[i].value;
            dnssearch[ndns] = NULL;
        }
    }
    cfg.vdnssearch = dnssearch;

    s = XNEW(NetUser);
    s->loop = m->loop;
    s->log = &m->log;
    s->in_buf = xmalloc(NET_BUFSIZE);
    s->poll_bh = bh_new(m->loop, user_poll_cycle, s);
    s->poll_timer = timer_new_ns(m->loop, CLOCK_TYPE_VIRTUAL,
                                 user_poll_cycle, s);
    net_client_init(&s->nc, &user_ops, m, opts_get(opts, "id"));
    inet_ntop(AF_INET, &cfg.vnetwork, net_str, sizeof(net_str));
    s->nc.info_str = xasprintf("net=%s,restrict=%s", net_str,
                               o.restricted ? "on" : "off");
    s->slirp = slirp_new(&cfg, &user_callbacks, s);
    if (!s->slirp) {
        error_setg(errp, "libslirp refused the network configuration");
        goto fail;
    }
    for (size_t i = 0; i < opts->count; i++) {
        if (!strcmp(opts->items[i].key, "hostfwd")) {
            opts->items[i].used = true;
            if (!user_add_hostfwd(s, opts->items[i].value, errp)) {
                goto fail;
            }
        }
    }
    user_fill(s);
    goto out;

fail:
    net_client_destroy(&s->nc);
    s = NULL;
out:
    free(dnssearch);
    props_release(&o, user_props);
    return s ? &s->nc : NULL;
}

const NetdevType netdev_user_type = {
    .name = "user",
    .desc = "user-mode network stack (libslirp): DHCP, DNS, NAT, hostfwd",
    .props = user_props,
    .create = user_create,
};
