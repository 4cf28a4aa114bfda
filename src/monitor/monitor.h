/*
 * monitor/monitor.h — the monitors: QMP (JSON, for programs) and HMP
 * (text, for people), both speaking QEMU's protocols over chardevs.
 *
 * A MonitorSet belongs to one Machine and holds all its monitors (any
 * number of each kind: -qmp, -qmp-pretty, -monitor, -mon, and the HMP
 * monitor sharing a "mon:" serial mux). It listens to the machine's
 * run-state notifier and turns STOP/RESUME/RESET/SHUTDOWN/POWERDOWN into
 * QMP events for every QMP monitor past capabilities negotiation.
 *
 * Protocol references: QEMU docs/interop/qmp-spec.rst (greeting,
 * negotiation, commands, responses, errors, events), qapi/control.json
 * and qapi/run-state.json (commands and events as QEMU names them),
 * hmp-commands.hx / hmp-commands-info.hx (HMP commands and output).
 *
 * Everything here runs on the main loop with the BQL held.
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include "util/osdep.h"
#include "util/typedefs.h"

typedef struct MonitorSet MonitorSet;

/* A set of monitors for @m; it registers a run-state notifier on @m. */
MonitorSet *monitor_set_new(Machine *m);
/*
 * Flush what every monitor still has to say (the SHUTDOWN event), detach
 * them from their chardevs and free them; then the set. Call before the
 * machine (and its chardevs) is destroyed.
 */
void monitor_set_free(MonitorSet *set);

/* A QMP monitor on @chr (pretty: indented JSON, as -qmp-pretty). */
bool monitor_add_qmp(MonitorSet *set, Chardev *chr, bool pretty,
                     Error **errp);
/* An HMP monitor on @chr (a mux: it shares the terminal via Ctrl-A c). */
bool monitor_add_hmp(MonitorSet *set, Chardev *chr, Error **errp);

/*
 * Run one HMP command line for @m on a monitor without a chardev, with
 * @cpu_index as its current CPU, and return what it printed (malloc'd,
 * lines end in "\r\n"): gdb's "monitor CMD" (the gdb stub's qRcmd), as
 * QMP's human-monitor-command does.
 */
char *monitor_hmp_capture(Machine *m, unsigned cpu_index, const char *line);

#endif /* MONITOR_MONITOR_H */
