/*
 * monitor/monitor-internal.h — what the pieces of the monitor share:
 * the Monitor objects (QMP and HMP), the one command table both speak,
 * the event table, and the output buffer.
 *
 * The command table (monitor/commands.c, monitor_commands[]) is the single
 * registry of everything a user can ask the monitor: each row names the
 * QMP command and/or the HMP command, the arguments (typed, shared by
 * both: QMP validates a JSON object against them, HMP parses a line into
 * the same JSON object), the handler, the HMP printer of its result, and
 * the documentation docs/qmp.md is generated from. QMP-only rows have no
 * HMP name and HMP-only rows (x, info registers, ...) no QMP name, as in
 * QEMU, but no command exists twice.
 *
 * Handlers follow style point 11: `bool fn(..., json_t **ret, Error
 * **errp)`; QMP maps the ErrorClass to QEMU's wire name, HMP prints
 * "Error: <message>".
 */
#ifndef MONITOR_MONITOR_INTERNAL_H
#define MONITOR_MONITOR_INTERNAL_H

#include "monitor/monitor.h"
#include "monitor/json-stream.h"
#include "monitor/readline.h"
#include "chardev/chardev.h"
#include "hw/core/machine.h"

#include <jansson.h>

/* --- a growable text buffer --- */

typedef struct StrBuf {
    char *data;
    size_t len;
    size_t cap;
} StrBuf;

void strbuf_append(StrBuf *b, const char *data, size_t len);
void strbuf_printf(StrBuf *b, const char *fmt, ...) PRINTF_FMT(2, 3);
void strbuf_vprintf(StrBuf *b, const char *fmt, va_list ap) PRINTF_FMT(2, 0);
/* Drop the first @n bytes. */
void strbuf_consume(StrBuf *b, size_t n);
/* Hand the contents over as a NUL-terminated string; @b is emptied. */
char *strbuf_steal(StrBuf *b);
void strbuf_free(StrBuf *b);

/* --- monitors --- */

typedef enum MonitorKind {
    MONITOR_QMP,
    MONITOR_HMP,
} MonitorKind;

/*
 * The common part; MonitorQMP and MonitorHMP embed it first. Output goes
 * into @out and is flushed to the chardev without blocking: a peer that
 * does not read makes it grow up to MONITOR_OUT_SUSPEND, then input from
 * that monitor is suspended until the backlog drains (so one client can
 * never make Vireo block or grow without bound).
 */
struct Monitor {
    MonitorKind kind;
    MonitorSet *set;
    Chardev *chr;           /* NULL: a capture monitor (human-monitor-command) */
    StrBuf out;
    bool mux_out;           /* on a mux that gave the focus away: hold output */
    bool watching;          /* a chardev write watch is armed */
    bool closed;            /* no peer: output is dropped */
    Monitor *next;          /* MonitorSet.monitors */
};

#define MONITOR_OUT_SUSPEND (1u << 20)

typedef struct MonitorQMP {
    Monitor common;
    bool pretty;
    bool negotiated;        /* qmp_capabilities done: commands and events */
    JsonStream stream;
} MonitorQMP;

typedef struct MonitorHMP {
    Monitor common;
    ReadLine rl;
    bool banner_shown;      /* QEMU's reset_seen */
    unsigned cpu_index;     /* "cpu N": the CPU info registers / x use */
    int fmt_format;         /* x/xp remember the last /fmt, as QEMU does */
    int fmt_size;
} MonitorHMP;

struct MonitorSet {
    Machine *machine;
    Monitor *monitors;
    MachineNotifier notifier;
};

/* Queue text (each "\n" becomes "\r\n", as QEMU's monitor does) and try
 * to send it. */
void monitor_puts(Monitor *mon, const char *text);
void monitor_printf(Monitor *mon, const char *fmt, ...) PRINTF_FMT(2, 3);
void monitor_flush(Monitor *mon);
/* How much input the monitor takes now (0 while output is backlogged). */
int monitor_can_read(Monitor *mon);

/* --- QMP --- */

typedef enum QmpEvent {
    QMP_EVENT_SHUTDOWN,
    QMP_EVENT_POWERDOWN,
    QMP_EVENT_RESET,
    QMP_EVENT_STOP,
    QMP_EVENT_RESUME,
    QMP_EVENT__MAX,
} QmpEvent;

typedef struct MonitorEventDesc {
    const char *name;
    const char *help;
    const char *data_doc;       /* docs: the members of "data", or NULL */
    const char *example;        /* docs: one event as sent */
} MonitorEventDesc;

extern const MonitorEventDesc monitor_events[QMP_EVENT__MAX];

/* Send @event (with @data, stolen; may be NULL) to every negotiated QMP
 * monitor of @set, with a timestamp. */
void monitor_event_emit(MonitorSet *set, QmpEvent event, json_t *data);

/* Chardev front-end callbacks of each kind (opaque: the Monitor). */
void qmp_fe_read(void *opaque, const uint8_t *buf, size_t len);
void qmp_fe_event(void *opaque, ChardevEvent event);
void hmp_fe_read(void *opaque, const uint8_t *buf, size_t len);
void hmp_fe_event(void *opaque, ChardevEvent event);

/* Serialise one QMP message (greeting, response, event) to @mon. */
void qmp_send(MonitorQMP *mon, json_t *msg);
void qmp_monitor_free(MonitorQMP *mon);
MonitorQMP *qmp_monitor_new(MonitorSet *set, Chardev *chr, bool pretty);

/* --- HMP --- */

MonitorHMP *hmp_monitor_new(MonitorSet *set, Chardev *chr);
void hmp_monitor_free(MonitorHMP *mon);
/* Run one command line on @mon (also used by human-monitor-command). */
void hmp_handle_command(MonitorHMP *mon, const char *line);

/* --- the command table --- */

typedef enum MonitorArgType {
    MONITOR_ARG_STR,        /* QMP string; HMP a word or "quoted string" */
    MONITOR_ARG_INT,        /* QMP integer; HMP an expression ($pc + 4) */
    MONITOR_ARG_UINT,       /* as INT, a uint64 (QMP also takes negatives) */
    MONITOR_ARG_BOOL,       /* QMP boolean; HMP on|off */
    MONITOR_ARG_ENUM,       /* QMP string from @enum_values; HMP a word */
    MONITOR_ARG_STRLIST,    /* QMP array of strings (QMP only) */
    MONITOR_ARG_FLAG,       /* HMP "-x" option (letter: @flag); QMP boolean */
    MONITOR_ARG_FMT,        /* HMP "/fmt" of x/xp → count, format, size */
    MONITOR_ARG_REST,       /* HMP the rest of the line; QMP string */
} MonitorArgType;

typedef struct MonitorArg {
    const char *name;
    MonitorArgType type;
    bool optional;
    bool qmp_only;          /* not parsed from an HMP line */
    char flag;              /* MONITOR_ARG_FLAG: the HMP option letter */
    const char *const *enum_values;
    const char *help;
} MonitorArg;

enum {
    /* Allowed before capabilities negotiation (only qmp_capabilities). */
    MONITOR_CMD_NEGOTIATION = 1 << 0,
    /* Only during negotiation: afterwards "already complete". */
    MONITOR_CMD_NEGOTIATION_ONLY = 1 << 1,
};

typedef struct MonitorCmdCtx {
    Monitor *mon;           /* who asked: an HMP or QMP monitor */
    Machine *machine;
} MonitorCmdCtx;

typedef bool MonitorCmdFn(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                          Error **errp);
typedef void MonitorHmpPrintFn(Monitor *mon, json_t *ret);

typedef struct MonitorCommand {
    const char *qmp;            /* QMP name, or NULL (HMP only) */
    const char *hmp;            /* "cont|c", "info status", or NULL */
    const char *hmp_params;     /* HMP usage after the name */
    const char *help;
    const MonitorArg *args;     /* terminated by name == NULL; may be NULL */
    MonitorCmdFn *run;
    MonitorHmpPrintFn *hmp_print;   /* HMP rendering of the result */
    unsigned flags;
    const char *returns;        /* docs: what "return" holds */
    const char *example;        /* docs: "-> ...\n<- ..." */
} MonitorCommand;

/* Terminated by a row with neither name. */
extern const MonitorCommand monitor_commands[];

const MonitorCommand *monitor_command_find_qmp(const char *name);

/*
 * Check a QMP "arguments" object against @args: every required argument
 * present, each of the right type, nothing else (QEMU's messages:
 * "Parameter 'x' is missing", "Invalid parameter type for 'x', expected:
 * integer", "Parameter 'x' is unexpected").
 */
bool monitor_args_check(const MonitorArg *args, json_t *obj, Error **errp);

/* Argument getters for handlers (arguments were checked). */
const char *monitor_arg_str(json_t *args, const char *name);
int64_t monitor_arg_int(json_t *args, const char *name, int64_t def);
bool monitor_arg_bool(json_t *args, const char *name, bool def);

/* The CPU a command acts on: the HMP monitor's current CPU, else 0. */
CPUState *monitor_current_cpu(MonitorCmdCtx *ctx);

/* docs/qmp.md, generated from the tables (monitor/qmp-docs.c). */
char *monitor_qmp_docs(void);

#endif /* MONITOR_MONITOR_INTERNAL_H */
