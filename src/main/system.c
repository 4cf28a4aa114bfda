/*
 * main/system.c — entry point of the system emulators
 * (vireo-system-riscv64, vireo-system-x86_64).
 *
 * Reads the command line into a VmConfig (main/options.c), then assembles
 * the machine in a fixed order: log and main loop, character devices,
 * serial ports, drives and network backends, the accelerator, the board,
 * -device devices, the monitors; then resets it, starts the vCPU threads
 * (the vCPUs never run on this thread, so the monitor, timers and I/O keep
 * going while the guest computes) and runs the main loop until shutdown.
 *
 * Exit status: 0 on guest power-off or host quit, the guest's code when it
 * reports failure through a test device, 1 with a one-line message on any
 * error.
 */
#include "main/options.h"
#include "block/block.h"
#include "chardev/char-mux.h"
#include "chardev/chardev.h"
#include "core/main-loop.h"
#include "gdbstub/gdbstub.h"
#include "hw/core/cpu.h"
#include "hw/core/machine.h"
#include "hw/virtio/virtio-devices.h"
#include "monitor/monitor.h"
#include "net/net.h"
#include "util/error.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

typedef struct SignalWatch {
    Machine *machine;
    int fd;
} SignalWatch;

/* Termination signals arrive through a signalfd, so they are handled on
 * the main loop like any other event. */
static void on_signal(void *opaque)
{
    SignalWatch *w = opaque;
    struct signalfd_siginfo si;

    if (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
        error_report("terminating on signal %u", si.ssi_signo);
        machine_request_shutdown(w->machine, SHUTDOWN_CAUSE_HOST_SIGNAL, 0);
    }
}

static bool watch_signals(Machine *m, SignalWatch *w, Error **errp)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    /* Blocked before any vCPU thread exists, so all threads inherit it. */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    w->machine = m;
    w->fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (w->fd < 0) {
        error_setg_errno(errp, errno, "signalfd");
        return false;
    }
    return main_loop_set_fd_handler(m->loop, w->fd, on_signal, NULL, w, errp);
}

/* Ctrl-A x on the terminal: quit, as QEMU does. */
static void mux_quit(void *opaque)
{
    machine_request_shutdown(opaque, SHUTDOWN_CAUSE_HOST_UI, 0);
}

/* Ctrl-A s: write the -snapshot overlays back into the images. */
static void mux_commit_snapshot(void *opaque)
{
    blk_commit_snapshot_all(opaque);
}

static const MuxHostOps mux_host_ops = {
    .quit = mux_quit,
    .commit_snapshot = mux_commit_snapshot,
};

/*
 * -chardev; with mux=on the backend becomes "ID-base" and a mux named ID
 * wraps it, so a serial port and a monitor can share it (QEMU's names).
 */
static bool create_chardevs(Machine *m, const VmConfig *c, Error **errp)
{
    for (size_t i = 0; i < c->chardevs.count; i++) {
        OptList *opts = &c->chardevs.items[i];
        bool mux = false;
        Chardev *chr;

        if (!opts_get_bool(opts, "mux", false, &mux, errp)) {
            return false;
        }
        if (mux) {
            char *id = xstrdup(opts_get(opts, "id"));
            char *base_id = xasprintf("%s-base", id);

            opts_set(opts, "id", base_id);
            chr = chardev_new_from_opts(m->loop, opts, errp);
            opts_set(opts, "id", id);
            free(base_id);
            if (chr) {
                chr = chardev_mux_new(m->loop, id, chr, &mux_host_ops, m);
            }
            free(id);
        } else {
            chr = chardev_new_from_opts(m->loop, opts, errp);
        }
        if (!chr) {
            return false;
        }
        if (!machine_add_backend(m, PROP_CHARDEV, chr->id, chr, errp)) {
            chardev_free(chr);
            return false;
        }
    }
    return true;
}

/*
 * The -serial specs, or the default: without any -serial the first port
 * goes to the terminal (Vireo has no graphical display, so it always
 * behaves as QEMU does with -nographic), shared with the HMP monitor
 * ("mon:stdio") unless -monitor, -qmp or -mon was given, as in QEMU.
 */
static const char *const *serial_specs(const VmConfig *c, size_t *n)
{
    static const char *const mon_stdio[] = { "mon:stdio" };
    static const char *const stdio[] = { "stdio" };

    *n = c->nr_serials;
    if (c->nr_serials || (c->display && !c->nographic)) {
        return (const char *const *)c->serials;
    }
    *n = 1;
    return c->nr_monitors || c->nr_qmps ? stdio : mon_stdio;
}

/* -serial specs become chardevs "serial0", "serial1", ... */
static bool create_serials(Machine *m, const VmConfig *c, Error **errp)
{
    size_t n;
    const char *const *specs = serial_specs(c, &n);

    m->serial_hds = XNEW_ARRAY(Chardev *, n);
    for (size_t i = 0; i < n; i++) {
        const char *spec = specs[i];
        char *id = xasprintf("serial%zu", i);
        Chardev *chr;

        if (!strcmp(spec, "none")) {
            free(id);
            continue;
        }
        if (!strncmp(spec, "chardev:", 8)) {
            chr = machine_find_backend(m, PROP_CHARDEV, spec + 8);
            if (!chr) {
                error_setg(errp, "-serial %s: chardev '%s' not found", spec,
                           spec + 8);
                free(id);
                return false;
            }
        } else if (!strncmp(spec, "mon:", 4)) {
            /* A mux: Ctrl-A escapes, and the monitor shares the port. The
             * guest gets Ctrl-C, as with QEMU's -nographic. */
            char *backend_spec = !strcmp(spec + 4, "stdio")
                                 ? xstrdup("stdio,signal=off")
                                 : xstrdup(spec + 4);
            char *backend_id = xasprintf("%s-base", id);
            Chardev *backend = chardev_new_from_spec(m->loop, backend_id,
                                                     backend_spec, errp);
            free(backend_spec);
            free(backend_id);
            if (!backend) {
                error_prepend(errp, "-serial %s: ", spec);
                free(id);
                return false;
            }
            chr = chardev_mux_new(m->loop, id, backend, &mux_host_ops, m);
            if (!machine_add_backend(m, PROP_CHARDEV, id, chr, errp)) {
                chardev_free(chr);
                free(id);
                return false;
            }
        } else {
            chr = chardev_new_from_spec(m->loop, id, spec, errp);
            if (!chr) {
                error_prepend(errp, "-serial %s: ", spec);
                free(id);
                return false;
            }
            if (!machine_add_backend(m, PROP_CHARDEV, id, chr, errp)) {
                chardev_free(chr);
                free(id);
                return false;
            }
        }
        m->serial_hds[i] = chr;
        m->nr_serial_hds = i + 1;
        free(id);
    }
    return true;
}

/* -drive: open each backend, in order, and register it by id. */
static bool create_drives(Machine *m, const VmConfig *c, BlockBackend ***blks,
                          Error **errp)
{
    *blks = XNEW_ARRAY(BlockBackend *, c->drives.count + 1);
    for (size_t i = 0; i < c->drives.count; i++) {
        BlockBackend *blk;

        if (!blk_new_from_drive_opts(m, &c->drives.items[i], &blk, errp)) {
            return false;
        }
        /* Registered at once: unnamed drives get QEMU's automatic names
         * (virtio0, ...) counted from what already exists. */
        if (!machine_add_backend(m, PROP_DRIVE, blk_name(blk), blk, errp)) {
            blk_unref(blk);
            return false;
        }
        (*blks)[i] = blk;
    }
    return true;
}

/*
 * "-drive if=virtio" (and no if=, which means virtio on these boards)
 * gets a virtio-blk device, after the explicit -device ones as in QEMU.
 * Until PCI exists it lands in a virtio-mmio slot, where QEMU would use
 * virtio-blk-pci.
 */
static bool attach_drives(Machine *m, BlockBackend **blks, size_t n,
                          Error **errp)
{
    for (size_t i = 0; i < n; i++) {
        if (blk_interface(blks[i]) != BLOCK_IF_NONE &&
            !virtio_blk_add_for_drive(m, blks[i], errp)) {
            return false;
        }
    }
    return true;
}

/*
 * -netdev, the back ends -nic and -net imply, and -object filters on
 * them; before the board, so -device netdev= finds them.
 */
static bool create_netdevs(Machine *m, const VmConfig *c, Error **errp)
{
    return net_create_backends(m, c, errp);
}

/* The NICs of -nic and -net nic, after the -device ones (as drives). */
static bool create_nics(Machine *m, const VmConfig *c, Error **errp)
{
    return net_create_nics(m, c, errp);
}

static bool choose_accel(Machine *m, const VmConfig *c, Error **errp)
{
    Error *first = NULL;
    size_t n = c->accels.count;

    if (!m->target->accels[0]) {
        /* A binary without accelerators can only run CPU-less boards. */
        return true;
    }

    /* Like QEMU, several -accel options are tried in order. */
    for (size_t i = 0; i < (n ? n : 1); i++) {
        OptList *opts = n ? &c->accels.items[i] : NULL;
        const AccelType *at = opts ? accel_type_find(m->target,
                                                     opts_get(opts, "accel"))
                                   : m->target->accels[0];
        Error *err = NULL;

        if (!at) {
            break;
        }
        m->accel = at;
        m->accel_opts = opts;
        free(m->accel_state);
        m->accel_state = xzalloc(MAX(at->state_size, 1));
        props_set_defaults(m->accel_state, at->props);
        if (opts) {
            static const char *const skip[] = { "accel", NULL };
            if (!props_apply_opts(m->accel_state, at->props, opts, skip,
                                  NULL, at->name, errp)) {
                error_free(first);
                return false;
            }
        }
        if ((!at->probe || at->probe(m, &err)) &&
            (!at->init || at->init(m, &err))) {
            error_free(first);
            return true;
        }
        error_prepend(&err, "-accel %s: ", at->name);
        if (!first) {
            first = err;
        } else {
            error_free(err);
        }
    }
    m->accel = NULL;
    error_propagate(errp, first);
    return false;
}

static bool create_devices(Machine *m, const VmConfig *c, Error **errp)
{
    for (size_t i = 0; i < c->devices.count; i++) {
        if (!machine_add_device(m, &c->devices.items[i], errp)) {
            return false;
        }
    }
    return true;
}

/* One -monitor/-qmp spec: "chardev:ID", "none", or a chardev short form
 * that becomes chardev "compat_monitorN" (QEMU's name). */
static bool create_monitor(Machine *m, MonitorSet *set, const char *opt,
                           const char *spec, bool qmp, bool pretty,
                           unsigned *counter, Error **errp)
{
    Chardev *chr;
    bool ok;

    if (!strcmp(spec, "none")) {
        return true;
    }
    if (!strncmp(spec, "chardev:", 8)) {
        chr = machine_find_backend(m, PROP_CHARDEV, spec + 8);
        if (!chr) {
            error_setg(errp, "%s %s: chardev '%s' not found", opt, spec,
                       spec + 8);
            return false;
        }
    } else {
        char *id = xasprintf("compat_monitor%u", (*counter)++);

        chr = chardev_new_from_spec(m->loop, id, spec, errp);
        if (chr && !machine_add_backend(m, PROP_CHARDEV, id, chr, errp)) {
            chardev_free(chr);
            chr = NULL;
        }
        free(id);
        if (!chr) {
            error_prepend(errp, "%s %s: ", opt, spec);
            return false;
        }
    }
    ok = qmp ? monitor_add_qmp(set, chr, pretty, errp)
             : monitor_add_hmp(set, chr, errp);
    if (!ok) {
        error_prepend(errp, "%s %s: ", opt, spec);
    }
    return ok;
}

/*
 * The monitors: HMP on every "mon:" serial port (after the board attached
 * its UART, so the console has the mux's focus first), then -monitor and
 * -qmp/-qmp-pretty/-mon in order. Before machine_start(), so clients
 * already connected (wait=on) see every event.
 */
static bool create_monitors(Machine *m, const VmConfig *c, MonitorSet **out,
                            Error **errp)
{
    MonitorSet *set = monitor_set_new(m);
    unsigned counter = 0;
    size_t n;
    const char *const *specs = serial_specs(c, &n);

    *out = set;
    for (size_t i = 0; i < n && i < m->nr_serial_hds; i++) {
        if (!strncmp(specs[i], "mon:", 4) && m->serial_hds[i] &&
            !monitor_add_hmp(set, m->serial_hds[i], errp)) {
            error_prepend(errp, "-serial %s: ", specs[i]);
            return false;
        }
    }
    for (size_t i = 0; i < c->nr_monitors; i++) {
        if (!create_monitor(m, set, "-monitor", c->monitors[i], false, false,
                            &counter, errp)) {
            return false;
        }
    }
    for (size_t i = 0; i < c->nr_qmps; i++) {
        if (!create_monitor(m, set, c->qmp_pretty[i] ? "-qmp-pretty" : "-qmp",
                            c->qmps[i], true, c->qmp_pretty[i], &counter,
                            errp)) {
            return false;
        }
    }
    return true;
}

static Machine *assemble(const VmConfig *c, SignalWatch *signals,
                         MonitorSet **monitors, Error **errp)
{
    Machine *m = machine_create(&system_target, c, errp);
    BlockBackend **blks = NULL;
    bool ok;

    if (!m) {
        return NULL;
    }
    bql_lock(m->loop);
    ok = watch_signals(m, signals, errp) &&
         create_chardevs(m, c, errp) &&
         create_serials(m, c, errp) &&
         create_drives(m, c, &blks, errp) &&
         create_netdevs(m, c, errp) &&
         choose_accel(m, c, errp) &&
         m->type->init(m, errp) &&
         create_devices(m, c, errp) &&
         attach_drives(m, blks, c->drives.count, errp) &&
         create_nics(m, c, errp) &&
         gdbserver_start(m, c->gdb, errp) &&
         create_monitors(m, c, monitors, errp) &&
         machine_start(m, errp);
    free(blks);
    if (!ok) {
        monitor_set_free(*monitors);
        *monitors = NULL;
    }
    bql_unlock(m->loop);
    if (!ok) {
        machine_destroy(m);
        return NULL;
    }
    return m;
}

int main(int argc, char **argv)
{
    VmConfig config;
    SignalWatch signals = { .fd = -1 };
    MonitorSet *monitors = NULL;
    Error *err = NULL;
    Machine *m;
    int status;

    switch (options_parse(&system_target, argc, argv, &config, &err)) {
    case OPTIONS_EXIT_OK:
        vm_config_free(&config);
        return 0;
    case OPTIONS_ERROR:
        error_report_err(err);
        vm_config_free(&config);
        return 1;
    case OPTIONS_RUN:
        break;
    }

    m = assemble(&config, &signals, &monitors, &err);
    if (!m) {
        error_report_err(err);
        vm_config_free(&config);
        if (signals.fd >= 0) {
            close(signals.fd);
        }
        return 1;
    }
    status = machine_run(m);
    /* Monitors go first: they flush their last events into chardevs the
     * machine is about to free. */
    bql_lock(m->loop);
    monitor_set_free(monitors);
    bql_unlock(m->loop);
    machine_destroy(m);
    if (signals.fd >= 0) {
        close(signals.fd);
    }
    vm_config_free(&config);
    return status;
}
