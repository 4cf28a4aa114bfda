/*
 * monitor/qmp-docs.c — docs/qmp.md, generated from the command and event
 * tables, so the reference cannot drift from what the monitor does.
 * tests/unit/test-qmp-docs.c compares the file with this text (and
 * rewrites it when run with --write).
 */
#include "monitor/monitor-internal.h"
#include "util/error.h"

static const char *docs_arg_type(const MonitorArg *a)
{
    switch (a->type) {
    case MONITOR_ARG_INT:
        return "int";
    case MONITOR_ARG_UINT:
        return "uint64";
    case MONITOR_ARG_BOOL:
    case MONITOR_ARG_FLAG:
        return "bool";
    case MONITOR_ARG_STRLIST:
        return "array of string";
    case MONITOR_ARG_ENUM:
        return "enum";
    default:
        return "string";
    }
}

static void docs_args(StrBuf *b, const MonitorArg *args)
{
    bool any = false;

    for (const MonitorArg *a = args; a && a->name; a++) {
        if (a->type == MONITOR_ARG_FMT) {
            continue;
        }
        if (!any) {
            strbuf_printf(b, "Arguments:\n\n"
                          "| name | type | required | description |\n"
                          "|------|------|----------|-------------|\n");
            any = true;
        }
        strbuf_printf(b, "| `%s` | %s | %s | %s", a->name, docs_arg_type(a),
                      a->optional ? "no" : "yes", a->help ? a->help : "");
        if (a->enum_values) {
            strbuf_printf(b, " (one of:");
            for (const char *const *e = a->enum_values; *e; e++) {
                strbuf_printf(b, " `%s`", *e);
            }
            strbuf_printf(b, ")");
        }
        strbuf_printf(b, " |\n");
    }
    strbuf_printf(b, any ? "\n" : "Arguments: none.\n\n");
}

char *monitor_qmp_docs(void)
{
    StrBuf b = { 0 };

    strbuf_printf(&b,
        "# QMP and HMP reference\n\n"
        "<!-- Generated from src/monitor/commands.c and src/monitor/monitor.c "
        "by build/tests/unit/test-qmp-docs --write; the unit test fails "
        "when this file and the tables differ. Do not edit by hand. -->\n\n"
        "Vireo's monitor speaks QEMU's protocols. QMP (the QEMU Machine "
        "Protocol, docs/interop/qmp-spec.rst in QEMU) is JSON for programs; "
        "HMP is the text monitor for people. Both are served by one command "
        "table, so every command below behaves the same in both.\n\n"
        "## Starting monitors\n\n"
        "- `-qmp unix:/tmp/q.sock,server=on,wait=off` (also the legacy "
        "`server,nowait`), `-qmp tcp:127.0.0.1:4444,server=on,wait=off`, "
        "`-qmp stdio`; `-qmp-pretty` indents the JSON. Several may be "
        "given; each serves one client at a time, later clients are "
        "served in turn.\n"
        "- `-monitor stdio`, `-monitor unix:...`, `-monitor pty`: HMP.\n"
        "- `-mon chardev=ID,mode=control|readline[,pretty=on]` on a "
        "`-chardev`.\n"
        "- `-serial mon:stdio` (the default without -monitor/-qmp): the "
        "terminal is shared by the serial console and HMP; Ctrl-A c "
        "switches, Ctrl-A h lists the other escapes.\n\n"
        "## The QMP session\n\n"
        "On connection the server greets:\n\n"
        "```\n<- {\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, "
        "\"minor\": 1, \"major\": 0}, \"package\": \"\"}, "
        "\"capabilities\": []}}\n```\n\n"
        "Until `qmp_capabilities` is executed every other command fails "
        "with `CommandNotFound` (\"Expecting capabilities negotiation with "
        "'qmp_capabilities'\") and no events are sent. A request is "
        "`{\"execute\": NAME, \"arguments\": {...}, \"id\": ANY}` "
        "(`arguments` and `id` optional); the response is `{\"return\": "
        "VALUE}` or `{\"error\": {\"class\": CLASS, \"desc\": TEXT}}`, "
        "with the request's `id` copied back. Output lines end in "
        "`\\r\\n`.\n\n"
        "Error classes: `GenericError` (most errors), `CommandNotFound`, "
        "`DeviceNotFound`, `DeviceNotActive`, `KVMMissingCap`.\n\n"
        "Every argument is checked: a missing one gives \"Parameter 'x' is "
        "missing\", an unknown one \"Parameter 'x' is unexpected\", a wrong "
        "type \"Invalid parameter type for 'x', expected: integer\". Input "
        "that is not JSON, not an object, larger than 16 MiB or nested "
        "deeper than 1024 levels gets a `GenericError` (\"JSON parse error, "
        "...\", \"QMP input must be a JSON object\", \"JSON token size "
        "limit exceeded\") and the session goes on; the VM is never "
        "affected. Integers are 64-bit signed: send addresses above 2^63 "
        "as their negative two's-complement value (QEMU accepts that "
        "too).\n\n"
        "## Commands\n\n");

    for (const MonitorCommand *c = monitor_commands; c->qmp || c->hmp; c++) {
        if (!c->qmp) {
            continue;
        }
        strbuf_printf(&b, "### %s\n\n%s.\n\n", c->qmp, c->help);
        if (c->hmp) {
            strbuf_printf(&b, "HMP: `%s%s%s`\n\n", c->hmp,
                          c->hmp_params ? " " : "",
                          c->hmp_params ? c->hmp_params : "");
        } else {
            strbuf_printf(&b, "HMP: none (QMP only).\n\n");
        }
        docs_args(&b, c->args);
        strbuf_printf(&b, "Returns: %s\n\n", c->returns ? c->returns : "{}");
        if (c->example) {
            strbuf_printf(&b, "Example:\n\n```\n%s\n```\n\n", c->example);
        }
    }

    strbuf_printf(&b, "## HMP-only commands\n\n"
                  "These have no QMP form (as in QEMU); from QMP, run them "
                  "with `human-monitor-command`.\n\n"
                  "| command | usage | description |\n"
                  "|---------|-------|-------------|\n");
    for (const MonitorCommand *c = monitor_commands; c->qmp || c->hmp; c++) {
        if (!c->qmp) {
            strbuf_printf(&b, "| `%s` | `%s%s%s` | %s |\n", c->hmp, c->hmp,
                          c->hmp_params ? " " : "",
                          c->hmp_params ? c->hmp_params : "", c->help);
        }
    }
    strbuf_printf(&b, "\n`x` and `xp` take QEMU's `/[count][format][size]`: "
                  "formats `x` (hex, the default), `d`, `u`, `o`, `c`; sizes "
                  "`b`, `h`, `w` (default), `g`; the last format is "
                  "remembered. Addresses are expressions (`0x80000000 + "
                  "16`, `$pc`).\n\n");

    strbuf_printf(&b, "## Events\n\n"
                  "Sent to every QMP monitor past negotiation, as "
                  "`{\"timestamp\": {\"seconds\": S, \"microseconds\": US}, "
                  "\"event\": NAME, \"data\": {...}}` (wall-clock time; "
                  "`data` only where listed).\n\n");
    for (int i = 0; i < QMP_EVENT__MAX; i++) {
        const MonitorEventDesc *e = &monitor_events[i];

        strbuf_printf(&b, "### %s\n\n%s\n\n", e->name, e->help);
        strbuf_printf(&b, "Data: %s\n\n", e->data_doc ? e->data_doc : "none.");
        strbuf_printf(&b, "Example:\n\n```\n<- %s\n```\n\n", e->example);
    }
    /* One trailing newline. */
    while (b.len > 1 && b.data[b.len - 1] == '\n' &&
           b.data[b.len - 2] == '\n') {
        b.data[--b.len] = '\0';
    }
    return strbuf_steal(&b);
}
