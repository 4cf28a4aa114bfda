/*
 * chardev/char-pty.c — the "pty" backend: a new pseudo-terminal whose
 * slave side (/dev/pts/N) a user opens with screen, minicom or socat.
 *
 * Like QEMU it announces "char device redirected to /dev/pts/N (label ID)"
 * on stdout, keeps the line raw, and tracks whether anybody has the slave
 * open: with no reader the master reads EIO and polls as hung up, so the
 * backend stops watching it, discards output (a guest printing to an
 * unattended pty must not stall), and checks once a second for a reader.
 * A reader arriving sends CHR_EVENT_OPENED, leaving CHR_EVENT_CLOSED.
 */
#include "chardev/chardev-internal.h"
#include "core/main-loop.h"
#include "util/error.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#define PTY_POLL_NS (NS_PER_SEC)

typedef struct PtyChardev {
    Chardev chr;
    int fd;                 /* master */
    char *pts;              /* slave path */
    bool connected;
    Timer *poll_timer;
    ChardevIO io;
} PtyChardev;

static PtyChardev *pty_of(Chardev *chr)
{
    return container_of(chr, PtyChardev, chr);
}

/* Somebody has the slave open: the master does not report a hang-up. */
static bool pty_peer_present(PtyChardev *p)
{
    struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

    return poll(&pfd, 1, 0) >= 0 && !(pfd.revents & POLLHUP);
}

static void pty_arm_poll(PtyChardev *p)
{
    if (p->poll_timer) {
        timer_mod_ns(p->poll_timer,
                     clock_get_ns(p->chr.loop, CLOCK_TYPE_REALTIME) +
                     PTY_POLL_NS);
    }
}

static void pty_set_connected(PtyChardev *p, bool connected)
{
    if (p->connected == connected) {
        return;
    }
    p->connected = connected;
    p->io.paused = !connected;
    chardev_io_update(&p->io);
    if (connected) {
        chardev_be_event(&p->chr, CHR_EVENT_OPENED);
    } else {
        chardev_be_event(&p->chr, CHR_EVENT_CLOSED);
        pty_arm_poll(p);
    }
}

static void pty_poll(void *opaque)
{
    PtyChardev *p = opaque;

    if (pty_peer_present(p)) {
        pty_set_connected(p, true);
    } else {
        pty_arm_poll(p);
    }
}

static void pty_on_eof(Chardev *chr, int err)
{
    pty_set_connected(pty_of(chr), false);
}

static bool pty_open(Chardev *chr, Error **errp)
{
    PtyChardev *p = pty_of(chr);
    struct termios tty;
    const char *name;

    p->fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (p->fd < 0 || grantpt(p->fd) < 0 || unlockpt(p->fd) < 0 ||
        !(name = ptsname(p->fd))) {
        error_setg_errno(errp, errno, "Failed to create a pty");
        if (p->fd >= 0) {
            close(p->fd);
        }
        p->fd = -1;
        return false;
    }
    p->pts = xstrdup(name);
    /*
     * Open and close the slave once, as openpty() + close() does in QEMU:
     * only a slave that was open and is closed again makes the master
     * report the hang-up that says "nobody is listening".
     */
    {
        int slave = open(p->pts, O_RDWR | O_NOCTTY | O_CLOEXEC);

        if (slave >= 0) {
            close(slave);
        }
    }
    /* Raw: bytes pass unchanged in both directions. */
    if (tcgetattr(p->fd, &tty) == 0) {
        cfmakeraw(&tty);
        tcsetattr(p->fd, TCSAFLUSH, &tty);
    }
    chardev_fd_set_nonblock(p->fd, true);
    chardev_io_init(&p->io, chr, p->fd, p->fd, pty_on_eof);
    p->io.paused = true;
    chr->be_closed = true;
    if (chr->loop) {
        p->poll_timer = timer_new_ns(chr->loop, CLOCK_TYPE_REALTIME,
                                     pty_poll, p);
        pty_arm_poll(p);
    }
    printf("char device redirected to %s (label %s)\n", p->pts, chr->id);
    fflush(stdout);
    return true;
}

static int pty_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    PtyChardev *p = pty_of(chr);

    if (!p->connected) {
        if (!pty_peer_present(p)) {
            return len;     /* nobody listens: discard, as QEMU does */
        }
        pty_set_connected(p, true);
    }
    return chardev_fd_write(p->fd, buf, len);
}

static void pty_accept_input(Chardev *chr)
{
    chardev_io_update(&pty_of(chr)->io);
}

static void pty_add_write_watch(Chardev *chr)
{
    chardev_io_add_write_watch(&pty_of(chr)->io);
}

static char *pty_filename(Chardev *chr)
{
    return xasprintf("pty:%s", pty_of(chr)->pts);
}

static void pty_close(Chardev *chr)
{
    PtyChardev *p = pty_of(chr);

    if (p->poll_timer) {
        timer_free(p->poll_timer);
        p->poll_timer = NULL;
    }
    if (p->fd >= 0) {
        chardev_io_stop(&p->io);
        close(p->fd);
        p->fd = -1;
    }
    free(p->pts);
    p->pts = NULL;
}

const ChardevType chardev_pty_type = {
    .name = "pty",
    .desc = "a new pseudo-terminal (its /dev/pts path is printed)",
    .instance_size = sizeof(PtyChardev),
    .open = pty_open,
    .write = pty_write,
    .accept_input = pty_accept_input,
    .add_write_watch = pty_add_write_watch,
    .filename = pty_filename,
    .close = pty_close,
};
