/*
 * gdbstub/gdbstub.c — the gdb server: its connection, the packet framing
 * of the GDB Remote Serial Protocol, and stopping and resuming the machine
 * for gdb. (GDB manual, appendix E "GDB Remote Serial Protocol": "Overview"
 * for framing, checksums, acks and escapes; "Interrupts" for Ctrl-C;
 * "Packet Acknowledgment" for QStartNoAckMode; "Stop Reply Packets".)
 *
 * Framing. A packet is $payload#cc with cc the payload's byte sum modulo
 * 256 in hex. Until QStartNoAckMode each side answers a packet with '+'
 * (good) or '-' (bad checksum: send it again). '}' escapes the next byte
 * (XOR 0x20). A lone 0x03 between packets is Ctrl-C. Malformed input
 * never takes the server down: a bad checksum is nacked, an oversized
 * packet is answered with an error, and anything outside a packet other
 * than acks and Ctrl-C is ignored.
 *
 * Execution control is all-stop, as with QEMU: when gdb connects, when a
 * hart stops for a breakpoint, watchpoint or finished step, and on Ctrl-C,
 * every hart stops (vm_stop) and gdb gets one stop reply naming the hart
 * (thread) that stopped. Resuming (c/s/vCont) runs the harts gdb named,
 * each continuing or stepping; the others stay parked through
 * CPUState.stop. The vCPU thread reports a debug stop through the CPU's
 * debug_notify hook, which only records the hart and schedules a bottom
 * half: the stop itself happens on the main loop with the BQL. Stops gdb
 * did not cause (the monitor's "stop") reach a waiting gdb as SIGINT,
 * through the machine's run-state notifier.
 *
 * Transport. For tcp:/unix: the server has its own listening socket on
 * the main loop and serves one client at a time (the listening socket is
 * not watched while a client is connected). For chardev:ID (and other
 * chardev specs) it is the chardev's front end.
 */
#include "gdbstub/gdbstub-internal.h"
#include "chardev/chardev.h"
#include "core/main-loop.h"
#include "util/error.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void gdb_receive(GDBServer *s, const uint8_t *buf, size_t len);

/* --- output --- */

static void gdb_write(GDBServer *s, const void *data, size_t len)
{
    const uint8_t *p = data;

    if (s->chr) {
        if (s->connected) {
            chardev_write_all(s->chr, p, len);
        }
        return;
    }
    while (len && s->fd >= 0) {
        ssize_t n = write(s->fd, p, len);

        if (n > 0) {
            p += n;
            len -= n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            /* The client is slow: wait a little, then give up on it. */
            struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };
            if (poll(&pfd, 1, 10000) <= 0) {
                gdb_disconnect(s);
            }
        } else {
            gdb_disconnect(s);
        }
    }
}

void gdb_out(GDBServer *s, const char *data, size_t len)
{
    if (s->out_len + len + 1 > s->out_cap) {
        s->out_cap = MAX(s->out_cap * 2, s->out_len + len + 1);
        s->out = xrealloc(s->out, s->out_cap);
    }
    memcpy(s->out + s->out_len, data, len);
    s->out_len += len;
    s->out[s->out_len] = '\0';
}

void gdb_out_str(GDBServer *s, const char *str)
{
    gdb_out(s, str, strlen(str));
}

void gdb_out_fmt(GDBServer *s, const char *fmt, ...)
{
    va_list ap;
    char *str;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&str, fmt, ap);
    va_end(ap);
    if (n >= 0) {
        gdb_out(s, str, n);
        free(str);
    }
}

void gdb_out_hex(GDBServer *s, const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < len; i++) {
        char two[2] = { digits[data[i] >> 4], digits[data[i] & 15] };
        gdb_out(s, two, 2);
    }
}

void gdb_out_binary(GDBServer *s, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = data[i];

        if (c == '#' || c == '$' || c == '}' || c == '*') {
            char esc[2] = { '}', c ^ 0x20 };
            gdb_out(s, esc, 2);
        } else {
            gdb_out(s, &c, 1);
        }
    }
}

static void gdb_send_packet(GDBServer *s, const char *payload, size_t len)
{
    uint8_t sum = 0;
    char *framed = xmalloc(len + 5);      /* $data#cc and snprintf's NUL */

    framed[0] = '$';
    memcpy(framed + 1, payload, len);
    for (size_t i = 0; i < len; i++) {
        sum += (uint8_t)payload[i];
    }
    snprintf(framed + 1 + len, 4, "#%02x", sum);
    gdb_write(s, framed, len + 4);
    free(s->last_sent);
    s->last_sent = framed;
    s->last_sent_len = len + 4;
}

void gdb_send_reply(GDBServer *s)
{
    gdb_send_packet(s, s->out ? s->out : "", s->out_len);
    s->out_len = 0;
}

/* --- threads --- */

unsigned gdb_thread_id(const CPUState *cpu)
{
    return cpu->index + 1;
}

CPUState *gdb_cpu_by_thread(GDBServer *s, unsigned tid)
{
    Machine *m = s->machine;

    if (tid == 0 || tid > m->nr_cpus) {
        return NULL;
    }
    return m->cpus[tid - 1];
}

/* --- stopping and resuming --- */

/* Report that the machine stopped (it is stopped already). */
static void gdb_report_stop(GDBServer *s, CPUState *cpu, int signal)
{
    Machine *m = s->machine;
    const CPUWatchpointHit *hit = &cpu->watchpoint_hit;
    char watch[48] = "";

    s->running = false;
    for (unsigned i = 0; i < m->nr_cpus; i++) {
        cpu_single_step(m->cpus[i], 0);
    }
    s->g_cpu = cpu;
    s->c_cpu = cpu;
    if (hit->active && signal == GDB_SIGNAL_TRAP) {
        int kind = hit->wp.flags & BP_MEM_ACCESS;
        snprintf(watch, sizeof(watch), "%s:%" PRIx64 ";",
                 kind == BP_MEM_WRITE ? "watch"
                 : kind == BP_MEM_READ ? "rwatch" : "awatch",
                 hit->wp.vaddr);
    }
    snprintf(s->last_stop, sizeof(s->last_stop), "T%02x%sthread:%x;",
             signal, watch, gdb_thread_id(cpu));
    if (s->connected) {
        gdb_send_packet(s, s->last_stop, strlen(s->last_stop));
    }
}

/* vCPU thread: @cpu stopped for gdb. Only record it and wake the loop. */
static void gdb_cpu_debug_notify(CPUState *cpu, void *opaque)
{
    GDBServer *s = opaque;
    CPUState *none = NULL;

    atomic_compare_exchange_strong(&s->debug_cpu, &none, cpu);
    bh_schedule(s->stop_bh);
}

/* Main loop: a hart hit a breakpoint or watchpoint, or finished a step.
 * The vCPU thread has parked itself; make the stop official. */
static void gdb_debug_stop_bh(void *opaque)
{
    GDBServer *s = opaque;
    Machine *m = s->machine;
    CPUState *cpu = atomic_exchange(&s->debug_cpu, NULL);

    if (!cpu || m->run_state == RUN_STATE_SHUTDOWN) {
        return;
    }
    vm_stop(m, RUN_STATE_DEBUG);
    if (!s->connected) {
        gdb_release_machine(s, true);
        return;
    }
    if (s->running) {
        gdb_report_stop(s, cpu, GDB_SIGNAL_TRAP);
    }
}

/* The machine stopped: if gdb is waiting and this is not a debug stop
 * (those are reported by gdb_debug_stop_bh), e.g. the monitor's "stop"
 * or Ctrl-C, tell gdb it was interrupted, as QEMU does. */
static void gdb_machine_notify(MachineNotifier *n, MachineEvent event,
                               ShutdownCause cause)
{
    GDBServer *s = container_of(n, GDBServer, notifier);
    Machine *m = s->machine;

    if (event == MACHINE_EVENT_STOP && s->running &&
        m->run_state != RUN_STATE_DEBUG) {
        gdb_report_stop(s, s->c_cpu ? s->c_cpu : m->cpus[0], GDB_SIGNAL_INT);
    }
}

void gdb_resume(GDBServer *s, const GDBAction *actions)
{
    Machine *m = s->machine;
    bool stepping = false;

    if (m->run_state == RUN_STATE_SHUTDOWN) {
        return;
    }
    for (unsigned i = 0; i < m->nr_cpus; i++) {
        CPUState *cpu = m->cpus[i];

        cpu->stop = actions[i] == GDB_ACTION_NONE;
        cpu->watchpoint_hit.active = false;
        cpu_single_step(cpu, actions[i] == GDB_ACTION_STEP
                             ? s->sstep_flags | SSTEP_ENABLE : 0);
        stepping |= actions[i] == GDB_ACTION_STEP;
    }
    s->running = true;
    vm_start(m);
    if (stepping && (s->sstep_flags & SSTEP_NOTIMER)) {
        /* Guest time stands still for a step (vm_stop restarts it). */
        clock_virtual_pause(m->loop);
    }
}

void gdb_release_machine(GDBServer *s, bool resume)
{
    Machine *m = s->machine;
    bool was_running = m->run_state == RUN_STATE_RUNNING;

    s->running = false;     /* gdb waits for no stop any more */
    /* The lists may only change with the vCPUs parked. */
    if (was_running) {
        vm_stop(m, RUN_STATE_PAUSED);
    }
    for (unsigned i = 0; i < m->nr_cpus; i++) {
        CPUState *cpu = m->cpus[i];

        cpu_breakpoint_remove_all(cpu, BP_GDB);
        cpu_watchpoint_remove_all(cpu, BP_GDB);
        cpu_single_step(cpu, 0);
        cpu->watchpoint_hit.active = false;
        cpu->stop = false;
    }
    s->running = false;
    if (atomic_load(&m->shutdown_request)) {
        return;
    }
    if (was_running || (resume && (m->run_state == RUN_STATE_PAUSED ||
                                   m->run_state == RUN_STATE_PRELAUNCH ||
                                   m->run_state == RUN_STATE_DEBUG))) {
        vm_start(m);
    }
}

/* gdb is there: stop the machine and start from a clean protocol state. */
static void gdb_connected(GDBServer *s)
{
    Machine *m = s->machine;

    s->connected = true;
    s->state = GDB_RECV_IDLE;
    s->in_len = 0;
    s->no_ack = false;
    s->out_len = 0;
    s->running = false;
    s->g_cpu = s->c_cpu = m->cpus[0];
    free(s->target_xml);
    s->target_xml = NULL;
    snprintf(s->last_stop, sizeof(s->last_stop), "T%02xthread:%x;",
             GDB_SIGNAL_TRAP, gdb_thread_id(m->cpus[0]));
    if (m->run_state == RUN_STATE_RUNNING) {
        vm_stop(m, RUN_STATE_PAUSED);
    }
}

/* --- the socket transport --- */

static void gdb_accept(void *opaque);

static void gdb_client_read(void *opaque)
{
    GDBServer *s = opaque;
    uint8_t buf[4096];
    ssize_t n = read(s->fd, buf, sizeof(buf));

    if (n > 0) {
        gdb_receive(s, buf, n);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        gdb_disconnect(s);
    }
}

void gdb_disconnect(GDBServer *s)
{
    Machine *m = s->machine;

    if (!s->connected) {
        return;
    }
    s->connected = false;
    if (s->fd >= 0) {
        main_loop_set_fd_handler(m->loop, s->fd, NULL, NULL, NULL, NULL);
        close(s->fd);
        s->fd = -1;
        if (s->listen_fd >= 0) {
            main_loop_set_fd_handler(m->loop, s->listen_fd, gdb_accept, NULL,
                                     s, NULL);
        }
    }
    /* Whatever gdb left behind must not stop the guest later; a stopped
     * guest stays stopped (as with QEMU) for the next gdb or "cont". */
    gdb_release_machine(s, false);
}

static void gdb_accept(void *opaque)
{
    GDBServer *s = opaque;
    Machine *m = s->machine;
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    int one = 1;

    if (fd < 0) {
        return;
    }
    if (s->connected) {
        close(fd);      /* one debugger at a time */
        return;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (!main_loop_set_fd_handler(m->loop, fd, gdb_client_read, NULL, s,
                                  NULL)) {
        close(fd);
        return;
    }
    s->fd = fd;
    /* Further clients wait in the backlog until this one leaves. */
    main_loop_set_fd_handler(m->loop, s->listen_fd, NULL, NULL, NULL, NULL);
    gdb_connected(s);
}

/* "HOST:PORT" (HOST may be empty: every interface) → a listening socket. */
static int gdb_listen_tcp(const char *addr, Error **errp)
{
    const char *colon = strrchr(addr, ':');
    char *host = colon ? xstrndup(addr, colon - addr) : xstrdup("");
    const char *port = colon ? colon + 1 : addr;
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_PASSIVE,
    };
    struct addrinfo *res = NULL;
    int fd = -1, err, saved = 0;

    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host) - 2);
        host[strlen(host) - 2] = '\0';
    }
    if (!*port || strspn(port, "0123456789") != strlen(port)) {
        error_setg(errp, "-gdb tcp:%s: the port must be a number", addr);
        free(host);
        return -1;
    }
    err = getaddrinfo(*host ? host : NULL, port, &hints, &res);
    if (err) {
        error_setg(errp, "-gdb tcp:%s: %s", addr, gai_strerror(err));
        free(host);
        return -1;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int one = 1;

        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
                    SOCK_NONBLOCK, 0);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
            listen(fd, 1) == 0) {
            break;
        }
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        error_setg_errno(errp, saved, "-gdb tcp:%s: cannot listen", addr);
    }
    free(host);
    return fd;
}

static int gdb_listen_unix(const char *path, Error **errp)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd;

    if (!*path || strlen(path) >= sizeof(sun.sun_path)) {
        error_setg(errp, "-gdb unix:%s: invalid socket path", path);
        return -1;
    }
    strcpy(sun.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "-gdb unix:%s: socket", path);
        return -1;
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
        listen(fd, 1) < 0) {
        error_setg_errno(errp, errno, "-gdb unix:%s: cannot listen", path);
        close(fd);
        return -1;
    }
    return fd;
}

/* --- the chardev transport --- */

static int gdb_chr_can_read(void *opaque)
{
    return GDB_PACKET_SIZE;
}

static void gdb_chr_read(void *opaque, const uint8_t *buf, size_t len)
{
    gdb_receive(opaque, buf, len);
}

static void gdb_chr_event(void *opaque, ChardevEvent event)
{
    GDBServer *s = opaque;

    if (event == CHR_EVENT_OPENED) {
        gdb_connected(s);
    } else if (event == CHR_EVENT_CLOSED) {
        gdb_disconnect(s);
    }
}

/* --- framing --- */

static int hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Ctrl-C: stop a running guest and say so (SIGINT). */
static void gdb_interrupt(GDBServer *s)
{
    Machine *m = s->machine;

    if (!s->running) {
        return;
    }
    atomic_store(&s->debug_cpu, NULL);
    vm_stop(m, RUN_STATE_PAUSED);       /* reported by gdb_machine_notify */
    if (s->running) {
        /* It was not running after all (e.g. a step still to start). */
        gdb_report_stop(s, s->c_cpu ? s->c_cpu : m->cpus[0], GDB_SIGNAL_INT);
    }
}

static void gdb_packet_done(GDBServer *s, uint8_t sum)
{
    if (sum != s->in_sum) {
        /* Damaged: ask again (without acks, gdb will not resend it). */
        if (!s->no_ack) {
            gdb_write(s, "-", 1);
        }
        return;
    }
    if (!s->no_ack) {
        gdb_write(s, "+", 1);
    }
    s->out_len = 0;
    if (s->in_overflow) {
        gdb_out_str(s, "E01");      /* longer than our PacketSize */
        gdb_send_reply(s);
        return;
    }
    s->in[s->in_len] = '\0';
    s->in_handler = true;
    gdb_handle_packet(s, (const char *)s->in, s->in_len);
    s->in_handler = false;
}

static void gdb_receive(GDBServer *s, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len && s->connected; i++) {
        uint8_t c = buf[i];
        int d;

        switch (s->state) {
        case GDB_RECV_IDLE:
            if (c == '$') {
                s->state = GDB_RECV_DATA;
                s->in_len = 0;
                s->in_sum = 0;
                s->in_overflow = false;
            } else if (c == 0x03) {
                gdb_interrupt(s);
            } else if (c == '-' && s->last_sent && !s->no_ack) {
                gdb_write(s, s->last_sent, s->last_sent_len);
            }
            /* '+' and noise between packets are ignored. */
            break;
        case GDB_RECV_DATA:
        case GDB_RECV_ESCAPE:
            if (s->state == GDB_RECV_DATA && c == '#') {
                s->state = GDB_RECV_CHECKSUM1;
                break;
            }
            s->in_sum += c;
            if (s->state == GDB_RECV_DATA && c == '}') {
                s->state = GDB_RECV_ESCAPE;
                break;
            }
            if (s->state == GDB_RECV_ESCAPE) {
                c ^= 0x20;
                s->state = GDB_RECV_DATA;
            }
            if (s->in_len < GDB_PACKET_SIZE) {
                s->in[s->in_len++] = c;
            } else {
                s->in_overflow = true;
            }
            break;
        case GDB_RECV_CHECKSUM1:
            d = hex_digit(c);
            s->sum_hi = d < 0 ? 0xff : d;
            s->state = d < 0 ? GDB_RECV_IDLE : GDB_RECV_CHECKSUM2;
            if (d < 0 && !s->no_ack) {
                gdb_write(s, "-", 1);
            }
            break;
        case GDB_RECV_CHECKSUM2:
            d = hex_digit(c);
            s->state = GDB_RECV_IDLE;
            if (d < 0) {
                if (!s->no_ack) {
                    gdb_write(s, "-", 1);
                }
                break;
            }
            gdb_packet_done(s, s->sum_hi << 4 | d);
            break;
        }
    }
}

/* --- lifetime --- */

static void gdb_free(GDBServer *s, int exit_status)
{
    Machine *m = s->machine;

    if (s->connected) {
        char w[8];

        snprintf(w, sizeof(w), "W%02x", exit_status & 0xff);
        gdb_send_packet(s, w, strlen(w));
        gdb_disconnect(s);
    }
    for (unsigned i = 0; i < m->nr_cpus; i++) {
        cpu_set_debug_notify(m->cpus[i], NULL, NULL);
    }
    machine_remove_notifier(m, &s->notifier);
    if (s->chr) {
        chardev_detach(s->chr);
    }
    if (s->listen_fd >= 0) {
        main_loop_set_fd_handler(m->loop, s->listen_fd, NULL, NULL, NULL,
                                 NULL);
        close(s->listen_fd);
    }
    if (s->unix_path) {
        unlink(s->unix_path);
        free(s->unix_path);
    }
    bh_delete(s->stop_bh);
    free(s->in);
    free(s->out);
    free(s->last_sent);
    free(s->target_xml);
    free(s);
}

void gdbserver_stop(Machine *m, int exit_status)
{
    if (m->gdbserver) {
        gdb_free(m->gdbserver, exit_status);
        m->gdbserver = NULL;
    }
}

/* Drop ",server=on,wait=off"-style options the listener does not need. */
static char *gdb_strip_options(const char *dev, Error **errp)
{
    static const char *const ignored[] = {
        "server", "server=on", "nowait", "wait=off", "ipv4", "ipv4=on",
        "ipv6", "ipv6=on", "nodelay", "nodelay=on", NULL,
    };
    const char *comma = strchr(dev, ',');
    const char *opt = comma;

    while (opt) {
        const char *next = strchr(opt + 1, ',');
        size_t n = next ? (size_t)(next - opt - 1) : strlen(opt + 1);
        bool known = false;

        for (size_t i = 0; ignored[i]; i++) {
            known |= strlen(ignored[i]) == n && !strncmp(opt + 1, ignored[i], n);
        }
        if (!known) {
            error_setg(errp, "-gdb %s: unsupported option '%.*s'", dev,
                       (int)n, opt + 1);
            return NULL;
        }
        opt = next;
    }
    return comma ? xstrndup(dev, comma - dev) : xstrdup(dev);
}

/* Make @s serve on @dev (not "none"). */
static bool gdb_open_transport(GDBServer *s, const char *dev, Error **errp)
{
    Machine *m = s->machine;
    static const ChardevFrontend fe_template = {
        .can_read = gdb_chr_can_read,
        .read = gdb_chr_read,
        .event = gdb_chr_event,
    };
    ChardevFrontend fe = fe_template;
    char *addr;

    fe.opaque = s;
    if (!strncmp(dev, "chardev:", 8)) {
        s->chr = machine_find_backend(m, PROP_CHARDEV, dev + 8);
        if (!s->chr) {
            error_setg(errp, "-gdb %s: chardev '%s' not found", dev, dev + 8);
            return false;
        }
    } else if (!strncmp(dev, "tcp:", 4) || !strncmp(dev, "unix:", 5) ||
               strspn(dev, "0123456789") == strlen(dev)) {
        addr = gdb_strip_options(dev, errp);
        if (!addr) {
            return false;
        }
        if (!strncmp(addr, "unix:", 5)) {
            s->listen_fd = gdb_listen_unix(addr + 5, errp);
            s->unix_path = s->listen_fd >= 0 ? xstrdup(addr + 5) : NULL;
        } else {
            s->listen_fd = gdb_listen_tcp(addr + (addr[0] == 't' ? 4 : 0),
                                          errp);
        }
        free(addr);
        if (s->listen_fd < 0) {
            return false;
        }
        return main_loop_set_fd_handler(m->loop, s->listen_fd, gdb_accept,
                                        NULL, s, errp);
    } else {
        /* Any other chardev spec ("stdio", "pipe:PATH"): a backend of the
         * machine's, so it is freed with the others. */
        s->chr = chardev_new_from_spec(m->loop, "gdb", dev, errp);
        if (!s->chr) {
            error_prepend(errp, "-gdb %s: ", dev);
            return false;
        }
        if (!machine_add_backend(m, PROP_CHARDEV, "gdb", s->chr, errp)) {
            chardev_free(s->chr);
            s->chr = NULL;
            return false;
        }
    }
    if (!chardev_attach(s->chr, &fe, errp)) {
        error_prepend(errp, "-gdb %s: ", dev);
        s->chr = NULL;
        return false;
    }
    /* The chardev reports CHR_EVENT_OPENED when a peer is there (a
     * stream such as stdio: at once, in chardev_attach). */
    return true;
}

bool gdbserver_start(Machine *m, const char *dev, Error **errp)
{
    GDBServer *s;

    if (!dev) {
        return true;
    }
    if (m->gdbserver && m->gdbserver->in_handler) {
        /* "monitor gdbserver ..." typed in gdb itself. */
        error_setg(errp, "the gdb server cannot be replaced from gdb");
        return false;
    }
    gdbserver_stop(m, 0);
    if (!strcmp(dev, "none")) {
        return true;
    }
    if (!m->nr_cpus || !m->cpus || !m->cpus[0]->ops->gdb) {
        error_setg(errp, "-gdb %s: this machine has no CPU gdb can debug",
                   dev);
        return false;
    }
    s = XNEW(GDBServer);
    s->machine = m;
    s->listen_fd = -1;
    s->fd = -1;
    s->in = xmalloc(GDB_PACKET_SIZE + 1);
    s->sstep_flags = SSTEP_ENABLE | SSTEP_NOIRQ | SSTEP_NOTIMER;
    atomic_init(&s->debug_cpu, NULL);
    s->stop_bh = bh_new(m->loop, gdb_debug_stop_bh, s);
    s->notifier.notify = gdb_machine_notify;
    machine_add_notifier(m, &s->notifier);
    m->gdbserver = s;
    if (!gdb_open_transport(s, dev, errp)) {
        gdbserver_stop(m, 0);
        return false;
    }
    for (unsigned i = 0; i < m->nr_cpus; i++) {
        cpu_set_debug_notify(m->cpus[i], gdb_cpu_debug_notify, s);
    }
    return true;
}
