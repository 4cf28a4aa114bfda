/*
 * monitor/qmp.c — the QMP server: QEMU's JSON wire protocol
 * (docs/interop/qmp-spec.rst).
 *
 * A session: on connect the server sends the greeting
 *   {"QMP": {"version": {...}, "capabilities": []}}
 * and accepts only qmp_capabilities until negotiation is done ("Expecting
 * capabilities negotiation with 'qmp_capabilities'" otherwise). Then each
 * request {"execute": NAME, "arguments": {...}, "id": ANY} gets exactly
 * one response, {"return": ...} or {"error": {"class", "desc"}}, with the
 * request's "id" copied back, and events may arrive at any time between
 * responses. Requests are checked the way QEMU's qmp_dispatch_check_obj()
 * and input visitor check them, with the same messages, so clients that
 * match on them keep working.
 *
 * Framing is monitor/json-stream.c; parsing is jansson. Bad input of any
 * kind (not JSON, not an object, too large, too deep) gets a GenericError
 * response and the session continues; a peer that goes away mid-message
 * leaves nothing behind for the next one (CLOSED resets the stream).
 */
#include "monitor/monitor-cmds.h"
#include "util/error.h"

/* --- output --- */

void qmp_send(MonitorQMP *mon, json_t *msg)
{
    size_t flags = JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII |
                   (mon->pretty ? JSON_INDENT(4) : 0);
    char *text = json_dumps(msg, flags);

    if (!text) {
        return;
    }
    monitor_puts(&mon->common, text);
    monitor_puts(&mon->common, "\n");
    free(text);
}

static void qmp_send_error(MonitorQMP *mon, json_t *id, ErrorClass cls,
                           const char *desc)
{
    json_t *rsp = json_pack("{s:{s:s,s:s}}", "error",
                            "class", error_class_name(cls), "desc", desc);

    if (id) {
        json_object_set(rsp, "id", id);
    }
    qmp_send(mon, rsp);
    json_decref(rsp);
}

/* --- argument checking (shared with HMP through the table) --- */

static const char *monitor_arg_type_name(MonitorArgType type)
{
    switch (type) {
    case MONITOR_ARG_INT:
    case MONITOR_ARG_UINT:
        return "integer";
    case MONITOR_ARG_BOOL:
    case MONITOR_ARG_FLAG:
        return "boolean";
    case MONITOR_ARG_STRLIST:
        return "array";
    default:
        return "string";
    }
}

static bool monitor_arg_check_one(const MonitorArg *arg, json_t *val,
                                  Error **errp)
{
    switch (arg->type) {
    case MONITOR_ARG_INT:
        if (json_is_integer(val)) {
            return true;
        }
        break;
    case MONITOR_ARG_UINT:
        /* QEMU accepts negative values for uint64 for compatibility
         * (addresses above 2^63 can be sent as negative numbers). */
        if (json_is_integer(val)) {
            return true;
        }
        error_setg(errp, "Parameter '%s' expects uint64", arg->name);
        return false;
    case MONITOR_ARG_BOOL:
    case MONITOR_ARG_FLAG:
        if (json_is_boolean(val)) {
            return true;
        }
        break;
    case MONITOR_ARG_ENUM:
        if (json_is_string(val)) {
            for (const char *const *e = arg->enum_values; e && *e; e++) {
                if (!strcmp(*e, json_string_value(val))) {
                    return true;
                }
            }
            error_setg(errp, "Parameter '%s' does not accept value '%s'",
                       arg->name, json_string_value(val));
            return false;
        }
        break;
    case MONITOR_ARG_STRLIST:
        if (json_is_array(val)) {
            size_t i;
            json_t *item;

            json_array_foreach(val, i, item) {
                if (!json_is_string(item)) {
                    error_setg(errp, "Invalid parameter type for '%s[%zu]', "
                               "expected: string", arg->name, i);
                    return false;
                }
            }
            return true;
        }
        break;
    default:
        if (json_is_string(val)) {
            return true;
        }
        break;
    }
    error_setg(errp, "Invalid parameter type for '%s', expected: %s",
               arg->name, monitor_arg_type_name(arg->type));
    return false;
}

static const MonitorArg *monitor_arg_find(const MonitorArg *args,
                                          const char *name)
{
    for (const MonitorArg *a = args; a && a->name; a++) {
        if (a->type != MONITOR_ARG_FMT && !strcmp(a->name, name)) {
            return a;
        }
    }
    return NULL;
}

bool monitor_args_check(const MonitorArg *args, json_t *obj, Error **errp)
{
    const char *key;
    json_t *val;

    /* In table order, as QEMU's generated visitors go... */
    for (const MonitorArg *a = args; a && a->name; a++) {
        if (a->type == MONITOR_ARG_FMT) {
            continue;       /* HMP syntax only */
        }
        val = json_object_get(obj, a->name);
        if (!val) {
            if (!a->optional) {
                error_setg(errp, "Parameter '%s' is missing", a->name);
                return false;
            }
            continue;
        }
        if (!monitor_arg_check_one(a, val, errp)) {
            return false;
        }
    }
    /* ... then whatever nobody asked for. */
    json_object_foreach(obj, key, val) {
        if (!monitor_arg_find(args, key)) {
            error_setg(errp, "Parameter '%s' is unexpected", key);
            return false;
        }
    }
    return true;
}

const char *monitor_arg_str(json_t *args, const char *name)
{
    return json_string_value(json_object_get(args, name));
}

int64_t monitor_arg_int(json_t *args, const char *name, int64_t def)
{
    json_t *v = json_object_get(args, name);

    return json_is_integer(v) ? json_integer_value(v) : def;
}

bool monitor_arg_bool(json_t *args, const char *name, bool def)
{
    json_t *v = json_object_get(args, name);

    return json_is_boolean(v) ? json_is_true(v) : def;
}

/* --- dispatch --- */

/*
 * QEMU's qmp_dispatch_check_obj(): only "execute", "arguments" and "id"
 * are allowed ("exec-oob" needs the oob capability, which Vireo does not
 * offer).
 */
static const char *qmp_check_request(json_t *req, Error **errp)
{
    const char *execute = NULL;
    const char *key;
    json_t *val;

    if (!json_is_object(req)) {
        error_setg(errp, "QMP input must be a JSON object");
        return NULL;
    }
    json_object_foreach(req, key, val) {
        if (!strcmp(key, "execute")) {
            if (!json_is_string(val)) {
                error_setg(errp, "QMP input member 'execute' must be a "
                           "string");
                return NULL;
            }
            execute = json_string_value(val);
        } else if (!strcmp(key, "arguments")) {
            if (!json_is_object(val)) {
                error_setg(errp, "QMP input member 'arguments' must be an "
                           "object");
                return NULL;
            }
        } else if (strcmp(key, "id")) {
            error_setg(errp, "QMP input member '%s' is unexpected", key);
            return NULL;
        }
    }
    if (!execute) {
        error_setg(errp, "QMP input lacks member 'execute'");
        return NULL;
    }
    return execute;
}

static void qmp_dispatch(MonitorQMP *mon, json_t *req)
{
    json_t *id = json_is_object(req) ? json_object_get(req, "id") : NULL;
    MonitorCmdCtx ctx = {
        .mon = &mon->common,
        .machine = mon->common.set->machine,
    };
    const MonitorCommand *cmd;
    const char *name;
    json_t *args, *ret = NULL, *rsp;
    Error *err = NULL;

    name = qmp_check_request(req, &err);
    if (!name) {
        goto fail;
    }
    cmd = monitor_command_find_qmp(name);
    if (!mon->negotiated && (!cmd || !(cmd->flags & MONITOR_CMD_NEGOTIATION))) {
        error_set(&err, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Expecting capabilities negotiation with "
                  "'qmp_capabilities'");
        goto fail;
    }
    if (!cmd) {
        error_set(&err, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "The command %s has not been found", name);
        goto fail;
    }
    if (mon->negotiated && (cmd->flags & MONITOR_CMD_NEGOTIATION_ONLY)) {
        error_set(&err, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Capabilities negotiation is already complete, command "
                  "ignored");
        goto fail;
    }
    args = json_object_get(req, "arguments");
    args = args ? json_incref(args) : json_object();
    if (!monitor_args_check(cmd->args, args, &err) ||
        !cmd->run(&ctx, args, &ret, &err)) {
        json_decref(args);
        goto fail;
    }
    json_decref(args);
    rsp = json_object();
    json_object_set_new(rsp, "return", ret ? ret : json_object());
    if (id) {
        json_object_set(rsp, "id", id);
    }
    qmp_send(mon, rsp);
    json_decref(rsp);
    return;

fail:
    qmp_send_error(mon, id, error_get_class(err), error_get_pretty(err));
    error_free(err);
}

/* One framed message (or a framing error) from the stream. */
static void qmp_handle_message(void *opaque, const char *msg, size_t len,
                               const char *error)
{
    MonitorQMP *mon = opaque;
    json_error_t jerr;
    json_t *req;

    if (error) {
        qmp_send_error(mon, NULL, ERROR_CLASS_GENERIC_ERROR, error);
        return;
    }
    req = json_loadb(msg, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES |
                     JSON_ALLOW_NUL, &jerr);
    if (!req) {
        char *desc = xasprintf("JSON parse error, %s", jerr.text);

        qmp_send_error(mon, NULL, ERROR_CLASS_GENERIC_ERROR, desc);
        free(desc);
        return;
    }
    qmp_dispatch(mon, req);
    json_decref(req);
}

/* --- the session --- */

static void qmp_greet(MonitorQMP *mon)
{
    json_t *greeting = json_pack("{s:{s:o,s:[]}}", "QMP",
                                 "version", qmp_version_info(),
                                 "capabilities");

    qmp_send(mon, greeting);
    json_decref(greeting);
}

void qmp_fe_read(void *opaque, const uint8_t *buf, size_t len)
{
    MonitorQMP *mon = opaque;

    json_stream_feed(&mon->stream, buf, len);
}

void qmp_fe_event(void *opaque, ChardevEvent event)
{
    MonitorQMP *mon = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        /* A new session (QEMU monitor_qmp_event). */
        mon->common.closed = false;
        mon->negotiated = false;
        json_stream_reset(&mon->stream);
        qmp_greet(mon);
        break;
    case CHR_EVENT_CLOSED:
        mon->common.closed = true;
        mon->common.watching = false;
        mon->negotiated = false;
        json_stream_reset(&mon->stream);
        strbuf_consume(&mon->common.out, mon->common.out.len);
        break;
    default:
        break;
    }
}

MonitorQMP *qmp_monitor_new(MonitorSet *set, Chardev *chr, bool pretty)
{
    MonitorQMP *mon = XNEW(MonitorQMP);

    mon->common.kind = MONITOR_QMP;
    mon->common.set = set;
    mon->common.chr = chr;
    mon->pretty = pretty;
    json_stream_init(&mon->stream, qmp_handle_message, mon);
    return mon;
}

void qmp_monitor_free(MonitorQMP *mon)
{
    json_stream_destroy(&mon->stream);
    strbuf_free(&mon->common.out);
    free(mon);
}
