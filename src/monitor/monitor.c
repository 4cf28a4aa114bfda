/*
 * monitor/monitor.c — what QMP and HMP monitors have in common: the
 * MonitorSet, output buffering and flow control, and events.
 *
 * Output never blocks the main loop. monitor_puts() appends to the
 * monitor's buffer and tries one non-blocking write; what the chardev
 * does not take waits for its write watch (fe.write_ready). While more
 * than MONITOR_OUT_SUSPEND bytes wait, the monitor takes no input, so a
 * client that sends commands but never reads replies is throttled by the
 * kernel's socket buffers rather than by Vireo's memory. Chardevs without
 * write watches (the terminal, a mux) are written with the short blocking
 * retries of chardev_write_all().
 *
 * Events (QEMU qapi/run-state.json: SHUTDOWN, POWERDOWN, RESET, STOP,
 * RESUME) come from the machine's run-state notifier and go to every QMP
 * monitor that finished capabilities negotiation, as qmp-spec.rst says,
 * with a wall-clock "timestamp" {seconds, microseconds}.
 */
#include "monitor/monitor-internal.h"
#include "chardev/char-mux.h"
#include "chardev/chardev.h"
#include "util/error.h"

#include <stdarg.h>
#include <sys/time.h>

/* --- StrBuf --- */

void strbuf_append(StrBuf *b, const char *data, size_t len)
{
    if (b->len + len + 1 > b->cap) {
        b->cap = MAX(b->cap * 2, b->len + len + 1);
        b->cap = MAX(b->cap, 256);
        b->data = xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void strbuf_vprintf(StrBuf *b, const char *fmt, va_list ap)
{
    char *s;
    int n = vasprintf(&s, fmt, ap);

    if (n < 0) {
        return;
    }
    strbuf_append(b, s, n);
    free(s);
}

void strbuf_printf(StrBuf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    strbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

void strbuf_consume(StrBuf *b, size_t n)
{
    n = MIN(n, b->len);
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    if (b->data) {
        b->data[b->len] = '\0';
    }
    /* Give back the memory of a large backlog once it has drained. */
    if (b->len == 0 && b->cap > 64 * 1024) {
        strbuf_free(b);
    }
}

char *strbuf_steal(StrBuf *b)
{
    char *s = b->data ? b->data : xstrdup("");

    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void strbuf_free(StrBuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* --- output --- */

void monitor_flush(Monitor *mon)
{
    bool was_backlogged = mon->out.len >= MONITOR_OUT_SUSPEND;

    if (!mon->chr || mon->mux_out || mon->watching) {
        return;
    }
    if (mon->closed) {
        strbuf_consume(&mon->out, mon->out.len);
        return;
    }
    while (mon->out.len) {
        int n = chardev_write(mon->chr, (const uint8_t *)mon->out.data,
                              mon->out.len);

        if (n > 0) {
            strbuf_consume(&mon->out, n);
            continue;
        }
        if (n == 0 || n == -EAGAIN) {
            if (chardev_add_write_watch(mon->chr)) {
                mon->watching = true;
                return;
            }
            chardev_write_all(mon->chr, (const uint8_t *)mon->out.data,
                              mon->out.len);
        }
        /* Written the slow way, or the peer is gone: either way done. */
        strbuf_consume(&mon->out, mon->out.len);
    }
    if (was_backlogged) {
        chardev_accept_input(mon->chr);
    }
}

void monitor_puts(Monitor *mon, const char *text)
{
    const char *p = text;

    /* QEMU's monitor_puts(): every "\n" goes out as "\r\n". */
    while (*p) {
        const char *nl = strchr(p, '\n');

        if (!nl) {
            strbuf_append(&mon->out, p, strlen(p));
            break;
        }
        strbuf_append(&mon->out, p, nl - p);
        strbuf_append(&mon->out, "\r\n", 2);
        p = nl + 1;
    }
    monitor_flush(mon);
}

void monitor_printf(Monitor *mon, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) >= 0) {
        monitor_puts(mon, s);
        free(s);
    }
    va_end(ap);
}

int monitor_can_read(Monitor *mon)
{
    return mon->out.len >= MONITOR_OUT_SUSPEND ? 0 : 4096;
}

/* fe.write_ready: the chardev takes output again. */
static void monitor_write_ready(void *opaque)
{
    Monitor *mon = opaque;

    mon->watching = false;
    monitor_flush(mon);
}

/* --- events --- */

const MonitorEventDesc monitor_events[QMP_EVENT__MAX] = {
    [QMP_EVENT_SHUTDOWN] = {
        .name = "SHUTDOWN",
        .help = "The virtual machine has shut down: the guest powered off, "
                "or the host asked (quit, a signal, Ctrl-A x). Vireo exits "
                "after sending it.",
        .data_doc = "guest (boolean): whether the guest asked for it; "
                    "reason (string): host-error, host-qmp-quit, "
                    "host-qmp-system-reset, host-signal, host-ui, "
                    "guest-shutdown, guest-reset or guest-panic",
        .example = "{\"timestamp\": {\"seconds\": 1700000000, "
                   "\"microseconds\": 123456}, \"event\": \"SHUTDOWN\", "
                   "\"data\": {\"guest\": true, \"reason\": "
                   "\"guest-shutdown\"}}",
    },
    [QMP_EVENT_POWERDOWN] = {
        .name = "POWERDOWN",
        .help = "The power button was pressed (system_powerdown). Boards "
                "without one, like riscv virt (as in QEMU), then carry on.",
        .example = "{\"timestamp\": {\"seconds\": 1700000000, "
                   "\"microseconds\": 123456}, \"event\": \"POWERDOWN\"}",
    },
    [QMP_EVENT_RESET] = {
        .name = "RESET",
        .help = "The machine was reset (system_reset, or the guest "
                "rebooted).",
        .data_doc = "guest (boolean): whether the guest asked for it; "
                    "reason (string): as for SHUTDOWN",
        .example = "{\"timestamp\": {\"seconds\": 1700000000, "
                   "\"microseconds\": 123456}, \"event\": \"RESET\", "
                   "\"data\": {\"guest\": false, \"reason\": "
                   "\"host-qmp-system-reset\"}}",
    },
    [QMP_EVENT_STOP] = {
        .name = "STOP",
        .help = "The VM stopped running (stop): vCPUs paused, guest clock "
                "stopped.",
        .example = "{\"timestamp\": {\"seconds\": 1700000000, "
                   "\"microseconds\": 123456}, \"event\": \"STOP\"}",
    },
    [QMP_EVENT_RESUME] = {
        .name = "RESUME",
        .help = "The VM runs again (cont).",
        .example = "{\"timestamp\": {\"seconds\": 1700000000, "
                   "\"microseconds\": 123456}, \"event\": \"RESUME\"}",
    },
};

void monitor_event_emit(MonitorSet *set, QmpEvent event, json_t *data)
{
    struct timeval tv;
    json_t *msg;

    gettimeofday(&tv, NULL);
    msg = json_pack("{s:{s:I,s:I},s:s}", "timestamp",
                    "seconds", (json_int_t)tv.tv_sec,
                    "microseconds", (json_int_t)tv.tv_usec,
                    "event", monitor_events[event].name);
    if (data) {
        json_object_set_new(msg, "data", data);
    }
    for (Monitor *mon = set->monitors; mon; mon = mon->next) {
        if (mon->kind == MONITOR_QMP) {
            MonitorQMP *qmp = container_of(mon, MonitorQMP, common);

            if (qmp->negotiated) {
                qmp_send(qmp, msg);
            }
        }
    }
    json_decref(msg);
}

static json_t *monitor_cause_data(ShutdownCause cause)
{
    return json_pack("{s:b,s:s}", "guest",
                     cause >= SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
                     "reason", shutdown_cause_name(cause));
}

static void monitor_set_notify(MachineNotifier *n, MachineEvent event,
                               ShutdownCause cause)
{
    MonitorSet *set = container_of(n, MonitorSet, notifier);

    switch (event) {
    case MACHINE_EVENT_STOP:
        monitor_event_emit(set, QMP_EVENT_STOP, NULL);
        break;
    case MACHINE_EVENT_RESUME:
        monitor_event_emit(set, QMP_EVENT_RESUME, NULL);
        break;
    case MACHINE_EVENT_RESET:
        monitor_event_emit(set, QMP_EVENT_RESET, monitor_cause_data(cause));
        break;
    case MACHINE_EVENT_SHUTDOWN:
        monitor_event_emit(set, QMP_EVENT_SHUTDOWN,
                           monitor_cause_data(cause));
        break;
    case MACHINE_EVENT_POWERDOWN:
        monitor_event_emit(set, QMP_EVENT_POWERDOWN, NULL);
        break;
    }
}

/* --- the set --- */

MonitorSet *monitor_set_new(Machine *m)
{
    MonitorSet *set = XNEW(MonitorSet);

    set->machine = m;
    set->notifier.notify = monitor_set_notify;
    machine_add_notifier(m, &set->notifier);
    return set;
}

static void monitor_add(MonitorSet *set, Monitor *mon)
{
    Monitor **p = &set->monitors;

    while (*p) {
        p = &(*p)->next;
    }
    *p = mon;
}

/* The chardev callbacks, shared by both kinds; reading is per kind. */
static int monitor_fe_can_read(void *opaque)
{
    return monitor_can_read(opaque);
}

static bool monitor_attach(Monitor *mon, Error **errp)
{
    ChardevFrontend fe = {
        .can_read = monitor_fe_can_read,
        .read = mon->kind == MONITOR_QMP ? qmp_fe_read : hmp_fe_read,
        .event = mon->kind == MONITOR_QMP ? qmp_fe_event : hmp_fe_event,
        .write_ready = monitor_write_ready,
        .opaque = mon,
    };

    /* Joined before attaching: OPENED (the greeting) arrives at once. */
    monitor_add(mon->set, mon);
    if (!chardev_attach(mon->chr, &fe, errp)) {
        Monitor **p = &mon->set->monitors;

        while (*p != mon) {
            p = &(*p)->next;
        }
        *p = mon->next;
        return false;
    }
    return true;
}

bool monitor_add_qmp(MonitorSet *set, Chardev *chr, bool pretty,
                     Error **errp)
{
    MonitorQMP *mon = qmp_monitor_new(set, chr, pretty);

    if (!monitor_attach(&mon->common, errp)) {
        qmp_monitor_free(mon);
        return false;
    }
    return true;
}

bool monitor_add_hmp(MonitorSet *set, Chardev *chr, Error **errp)
{
    MonitorHMP *mon = hmp_monitor_new(set, chr);

    if (!monitor_attach(&mon->common, errp)) {
        hmp_monitor_free(mon);
        return false;
    }
    return true;
}

void monitor_set_free(MonitorSet *set)
{
    if (!set) {
        return;
    }
    machine_remove_notifier(set->machine, &set->notifier);
    while (set->monitors) {
        Monitor *mon = set->monitors;

        set->monitors = mon->next;
        /* Last words (the SHUTDOWN event) go out the slow way. */
        if (mon->out.len && !mon->closed && !mon->mux_out) {
            chardev_write_all(mon->chr, (const uint8_t *)mon->out.data,
                              mon->out.len);
        }
        chardev_detach_frontend(mon->chr, mon);
        if (mon->kind == MONITOR_QMP) {
            qmp_monitor_free(container_of(mon, MonitorQMP, common));
        } else {
            hmp_monitor_free(container_of(mon, MonitorHMP, common));
        }
    }
    free(set);
}
