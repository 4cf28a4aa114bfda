/*
 * net/tap.c — the "tap" back end: frames go to and from a Linux TAP
 * interface (drivers/net/tun.c, Documentation/networking/tuntap.rst).
 *
 *   -netdev tap,id=n0[,ifname=tap0][,fd=N][,script=PATH|no]
 *          [,downscript=PATH|no][,vnet_hdr=on|off]
 *
 * Creating or attaching a TAP interface needs CAP_NET_ADMIN (in the
 * interface's network namespace) and /dev/net/tun; without either the
 * error says which, in one line. script= runs "PATH IFNAME" after the
 * interface exists (QEMU's /etc/qemu-ifup convention; Vireo's default is
 * /etc/vireo-ifup when that file exists), downscript= at exit.
 *
 * vnet_hdr: opened with IFF_VNET_HDR (the default where the kernel has
 * it), every frame on the fd carries a virtio-net header. When the NIC
 * is virtio-net it adopts the header (TUNSETVNETHDRSZ to its length) and
 * the guest's checksum and segmentation offloads pass straight through;
 * TUNSETOFFLOAD then tells the kernel which offloaded frames the guest
 * takes in return. For any other peer the header is stripped on read and
 * a zero one prepended on write.
 *
 * Flow control: the fd is read only while the peer can take frames; a
 * frame that had to be queued stops reading until it is delivered. A
 * write that would block (EAGAIN) leaves the frame queued here and
 * resumes when the fd is writable.
 */
#include "net/net.h"
#include "net/net-internal.h"
#include "core/main-loop.h"
#include "hw/core/machine.h"
#include "util/error.h"
#include "util/log.h"
#include "util/opts.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAP_DEFAULT_SCRIPT      "/etc/vireo-ifup"
#define TAP_DEFAULT_DOWNSCRIPT  "/etc/vireo-ifdown"
/* Frames read per handler call before giving the loop a turn. */
#define TAP_READ_BURST          64
/* The largest virtio-net header (with num_buffers). */
#define TAP_MAX_VNET_HDR        12

typedef struct NetTap {
    NetClient nc;
    MainLoop *loop;
    Log *log;
    int fd;
    char ifname[IFNAMSIZ];
    char *downscript;
    unsigned host_hdr_len;      /* header on the fd; 0 without VNET_HDR */
    bool read_on;
    bool write_on;
    uint8_t buf[TAP_MAX_VNET_HDR + NET_BUFSIZE];
} NetTap;

typedef struct TapOptions {
    char *ifname;
    char *fd;
    char *script;
    char *downscript;
    char *vnet_hdr;
} TapOptions;

static void tap_readable(void *opaque);
static void tap_writable(void *opaque);

static void tap_update_handlers(NetTap *s)
{
    main_loop_set_fd_handler(s->loop, s->fd,
                             s->read_on ? tap_readable : NULL,
                             s->write_on ? tap_writable : NULL, s, NULL);
}

static void tap_read_poll(NetTap *s, bool on)
{
    if (s->read_on != on) {
        s->read_on = on;
        tap_update_handlers(s);
    }
}

static void tap_write_poll(NetTap *s, bool on)
{
    if (s->write_on != on) {
        s->write_on = on;
        tap_update_handlers(s);
    }
}

/* A frame we had to queue was delivered: read again. */
static void tap_send_completed(NetClient *nc, ssize_t len)
{
    tap_read_poll(container_of(nc, NetTap, nc), true);
}

static void tap_readable(void *opaque)
{
    NetTap *s = opaque;

    for (int n = 0; n < TAP_READ_BURST; n++) {
        struct iovec iov;
        ssize_t size;

        if (!net_client_can_send(&s->nc)) {
            tap_read_poll(s, false);    /* peer_ready turns it back on */
            return;
        }
        size = read(s->fd, s->buf, sizeof(s->buf));
        if (size <= 0) {
            if (size < 0 && errno != EAGAIN && errno != EINTR) {
                log_guest(s->log, LOG_GUEST_ERROR, "%s: read: %s\n",
                          s->nc.name, strerror(errno));
            }
            return;
        }
        iov.iov_base = s->buf;
        iov.iov_len = size;
        if (s->host_hdr_len && !s->nc.using_vnet_hdr) {
            if ((size_t)size <= s->host_hdr_len) {
                continue;
            }
            iov.iov_base = s->buf + s->host_hdr_len;
            iov.iov_len = size - s->host_hdr_len;
        }
        if (net_client_send(&s->nc, &iov, 1, tap_send_completed) == 0) {
            tap_read_poll(s, false);
            return;
        }
    }
}

static void tap_writable(void *opaque)
{
    NetTap *s = opaque;

    tap_write_poll(s, false);
    net_client_flush_queued(&s->nc);
}

static ssize_t tap_receive(NetClient *nc, const struct iovec *iov,
                           int iovcnt)
{
    static const uint8_t zero_hdr[TAP_MAX_VNET_HDR];
    NetTap *s = container_of(nc, NetTap, nc);
    size_t size = net_iov_size(iov, iovcnt);
    struct iovec v[1 + 64];
    const struct iovec *out = iov;
    int n = iovcnt;
    ssize_t ret;

    if (s->host_hdr_len && !nc->using_vnet_hdr) {
        if (iovcnt >= (int)ARRAY_SIZE(v)) {
            return size;        /* not from any NIC Vireo has */
        }
        v[0].iov_base = (void *)zero_hdr;
        v[0].iov_len = s->host_hdr_len;
        memcpy(&v[1], iov, iovcnt * sizeof(*iov));
        out = v;
        n = iovcnt + 1;
    }
    do {
        ret = writev(s->fd, out, n);
    } while (ret < 0 && errno == EINTR);
    if (ret < 0 && errno == EAGAIN) {
        tap_write_poll(s, true);
        return 0;
    }
    if (ret < 0) {
        /* The interface is down, say: the frame is lost, as on a wire. */
        return size;
    }
    return size;
}

static void tap_peer_ready(NetClient *nc)
{
    tap_read_poll(container_of(nc, NetTap, nc), true);
}

static bool tap_has_vnet_hdr(NetClient *nc)
{
    return container_of(nc, NetTap, nc)->host_hdr_len != 0;
}

static void tap_using_vnet_hdr(NetClient *nc, bool enable, unsigned len)
{
    NetTap *s = container_of(nc, NetTap, nc);
    int hdr = len;

    if (enable && len != s->host_hdr_len &&
        ioctl(s->fd, TUNSETVNETHDRSZ, &hdr) == 0) {
        s->host_hdr_len = len;
    }
}

static void tap_set_offload(NetClient *nc, const NetOffloads *o)
{
    NetTap *s = container_of(nc, NetTap, nc);
    unsigned flags = 0;

    if (!s->host_hdr_len) {
        return;
    }
    if (o->csum) {
        flags |= TUN_F_CSUM;
        flags |= o->tso4 ? TUN_F_TSO4 : 0;
        flags |= o->tso6 ? TUN_F_TSO6 : 0;
        flags |= o->ecn ? TUN_F_TSO_ECN : 0;
        flags |= o->ufo ? TUN_F_UFO : 0;
    }
    if (ioctl(s->fd, TUNSETOFFLOAD, flags) != 0 && (flags & TUN_F_UFO)) {
        /* Kernels without UFO: the rest still helps. */
        ioctl(s->fd, TUNSETOFFLOAD, flags & ~TUN_F_UFO);
    }
}

/* Run "@script @ifname"; false with an error if it fails. */
static bool tap_run_script(const char *script, const char *ifname,
                           Error **errp)
{
    pid_t pid = fork();
    int status;

    if (pid < 0) {
        error_setg_errno(errp, errno, "could not launch network script %s",
                         script);
        return false;
    }
    if (pid == 0) {
        execl(script, script, ifname, (char *)NULL);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            error_setg_errno(errp, errno, "network script %s", script);
            return false;
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        error_setg(errp, "network script %s failed with status %d", script,
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return false;
    }
    return true;
}

static void tap_cleanup(NetClient *nc)
{
    NetTap *s = container_of(nc, NetTap, nc);

    if (s->fd >= 0) {
        main_loop_set_fd_handler(s->loop, s->fd, NULL, NULL, NULL, NULL);
        if (s->downscript) {
            Error *err = NULL;

            if (!tap_run_script(s->downscript, s->ifname, &err)) {
                error_report_err(err);
            }
        }
        close(s->fd);
    }
    free(s->downscript);
    free(s);
}

static const NetClientOps tap_ops = {
    .kind = NET_CLIENT_TAP,
    .type_name = "tap",
    .receive = tap_receive,
    .peer_ready = tap_peer_ready,
    .has_vnet_hdr = tap_has_vnet_hdr,
    .using_vnet_hdr = tap_using_vnet_hdr,
    .set_offload = tap_set_offload,
    .cleanup = tap_cleanup,
};

/*
 * Open /dev/net/tun and attach to (or create) @ifname. *vnet_hdr: in,
 * -1 auto, 0 off, 1 required; out, whether the header is on.
 */
static int tap_open(const char *ifname, int *vnet_hdr, char *actual,
                    Error **errp)
{
    struct ifreq ifr = { 0 };
    unsigned features = 0;
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        error_setg_errno(errp, errno, "could not open /dev/net/tun");
        return -1;
    }
    if (ioctl(fd, TUNGETFEATURES, &features) != 0) {
        features = 0;
    }
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (*vnet_hdr != 0 && (features & IFF_VNET_HDR)) {
        ifr.ifr_flags |= IFF_VNET_HDR;
    } else if (*vnet_hdr == 1) {
        error_setg(errp, "vnet_hdr=on is not supported by this kernel's tun "
                   "driver");
        close(fd);
        return -1;
    }
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname && *ifname ? ifname
                                                             : "tap%d");
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
        int e = errno;

        error_setg(errp, "could not configure /dev/net/tun (%s): %s%s",
                   ifr.ifr_name, strerror(e),
                   e == EPERM ? " (CAP_NET_ADMIN is needed)" : "");
        close(fd);
        return -1;
    }
    snprintf(actual, IFNAMSIZ, "%s", ifr.ifr_name);
    *vnet_hdr = !!(ifr.ifr_flags & IFF_VNET_HDR);
    return fd;
}

/* An fd the caller opened: find its name and header mode. */
static int tap_adopt_fd(const char *str, int *vnet_hdr, char *actual,
                        Error **errp)
{
    struct ifreq ifr = { 0 };
    uint64_t fd;

    if (!parse_uint64(str, &fd) || fd > INT_MAX || fcntl(fd, F_GETFD) < 0) {
        error_setg(errp, "Parameter 'fd' expects an open file descriptor, "
                   "not '%s'", str);
        return -1;
    }
    if (ioctl(fd, TUNGETIFF, &ifr) != 0) {
        error_setg_errno(errp, errno, "fd=%s is not a TAP device", str);
        return -1;
    }
    snprintf(actual, IFNAMSIZ, "%s", ifr.ifr_name);
    *vnet_hdr = !!(ifr.ifr_flags & IFF_VNET_HDR);
    return fd;
}

static const Property tap_props[] = {
    DEFINE_PROP_STRING("ifname", TapOptions, ifname,
                       "interface name (default: the kernel picks tapN)"),
    DEFINE_PROP_STRING("fd", TapOptions, fd,
                       "use an already opened TAP file descriptor"),
    DEFINE_PROP_STRING("script", TapOptions, script,
                       "run after creation with the ifname, or 'no' "
                       "(default " TAP_DEFAULT_SCRIPT " if it exists)"),
    DEFINE_PROP_STRING("downscript", TapOptions, downscript,
                       "run at exit with the ifname, or 'no' "
                       "(default " TAP_DEFAULT_DOWNSCRIPT " if it exists)"),
    DEFINE_PROP_STRING("vnet_hdr", TapOptions, vnet_hdr,
                       "on|off: carry virtio-net headers for offloads "
                       "(default: when the kernel can)"),
    DEFINE_PROP_END,
};

/* The script to run: explicit, "no", or the default when it exists. */
static char *tap_script(const char *given, const char *def)
{
    if (given) {
        return strcmp(given, "no") && *given ? xstrdup(given) : NULL;
    }
    return access(def, X_OK) == 0 ? xstrdup(def) : NULL;
}

static NetClient *tap_create(Machine *m, OptList *opts, Error **errp)
{
    TapOptions o;
    NetTap *s = NULL;
    char ifname[IFNAMSIZ];
    char *script = NULL;
    int vnet_hdr = -1, fd;
    bool flag;

    if (!net_apply_props(&o, tap_props, opts, NULL, "tap", errp)) {
        goto out;
    }
    if (o.vnet_hdr) {
        if (!parse_bool(o.vnet_hdr, &flag)) {
            error_setg(errp, "Parameter 'vnet_hdr' expects 'on' or 'off'");
            goto out;
        }
        vnet_hdr = flag;
    }
    if (o.fd && (o.ifname || o.script || o.downscript)) {
        error_setg(errp, "ifname=, script= and downscript= are invalid "
                   "with fd=");
        goto out;
    }
    fd = o.fd ? tap_adopt_fd(o.fd, &vnet_hdr, ifname, errp)
              : tap_open(o.ifname, &vnet_hdr, ifname, errp);
    if (fd < 0) {
        goto out;
    }
    net_set_nonblock(fd);
    if (!o.fd) {
        script = tap_script(o.script, TAP_DEFAULT_SCRIPT);
        if (script && !tap_run_script(script, ifname, errp)) {
            close(fd);
            goto out;
        }
    }

    s = xzalloc(sizeof(*s));
    s->loop = m->loop;
    s->log = &m->log;
    s->fd = fd;
    snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
    s->downscript = o.fd ? NULL
                         : tap_script(o.downscript, TAP_DEFAULT_DOWNSCRIPT);
    s->host_hdr_len = vnet_hdr ? 10 : 0;  /* the kernel's default size */
    net_client_init(&s->nc, &tap_ops, m, opts_get(opts, "id"));
    s->nc.info_str = xasprintf("ifname=%s,script=%s,downscript=%s",
                               ifname, script ? script : "no",
                               s->downscript ? s->downscript : "no");
    tap_read_poll(s, true);

out:
    free(script);
    props_release(&o, tap_props);
    return s ? &s->nc : NULL;
}

const NetdevType netdev_tap_type = {
    .name = "tap",
    .desc = "a host TAP interface (needs CAP_NET_ADMIN)",
    .props = tap_props,
    .create = tap_create,
};
