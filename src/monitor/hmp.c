/*
 * monitor/hmp.c — the human monitor: QEMU's HMP command language over a
 * line editor.
 *
 * A line is "NAME ARGS...", NAME one of the '|'-separated names of a
 * table row ("cont|c"), or "info SUB". Arguments are parsed in table
 * order into the same JSON object QMP would send, following QEMU's
 * monitor_parse_arguments(): words or "quoted strings", integer
 * expressions (+ - * / % & | ^ ~ ( ) 'c' and $pc), on|off, "-x" flags,
 * x/xp's "/[count][format][size]" (formats x d u o c i, sizes b h w g;
 * the last one used is remembered) and "the rest of the line". Messages
 * for bad input are QEMU's ("unknown command: 'foo'", "invalid char in
 * format: 'q'", "x: extraneous characters at the end of line", then
 * 'Try "help x" for more information').
 *
 * On a mux (-serial mon:stdio) the monitor holds its output while the
 * console has the focus; Ctrl-A c (MUX_IN) shows the banner on first use,
 * then the prompt, as QEMU's monitor_event() does.
 */
#include "monitor/monitor-cmds.h"
#include "chardev/char-mux.h"
#include "hw/core/cpu.h"
#include "util/error.h"

#include <ctype.h>

#define HMP_PROMPT "(vireo) "

/* --- command lookup --- */

/* Does @word (@len bytes) equal one of the '|'-separated @names? */
static bool hmp_name_matches(const char *names, const char *word, size_t len)
{
    while (*names) {
        size_t n = strcspn(names, "|");

        if (n == len && !strncmp(names, word, len)) {
            return true;
        }
        names += n + (names[n] == '|');
    }
    return false;
}

static bool hmp_is_info_row(const MonitorCommand *c)
{
    return c->hmp && !strncmp(c->hmp, "info ", 5);
}

static const MonitorCommand *hmp_find(const char *word, size_t len,
                                      bool info)
{
    for (const MonitorCommand *c = monitor_commands; c->qmp || c->hmp; c++) {
        if (!c->hmp || hmp_is_info_row(c) != info) {
            continue;
        }
        if (hmp_name_matches(info ? c->hmp + 5 : c->hmp, word, len)) {
            return c;
        }
    }
    return NULL;
}

/* --- expressions (QEMU's get_expr) --- */

typedef struct HmpExpr {
    const char *p;
    MonitorCmdCtx *ctx;
    bool failed;
} HmpExpr;

static void expr_error(HmpExpr *e, const char *fmt, ...) PRINTF_FMT(2, 3);

static void expr_error(HmpExpr *e, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (e->failed) {
        return;
    }
    e->failed = true;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) >= 0) {
        monitor_printf(e->ctx->mon, "%s\n", msg);
        free(msg);
    }
    va_end(ap);
}

static void expr_skip_spaces(HmpExpr *e)
{
    while (isspace((unsigned char)*e->p)) {
        e->p++;
    }
}

static void expr_next(HmpExpr *e)
{
    if (*e->p) {
        e->p++;
        expr_skip_spaces(e);
    }
}

static int64_t expr_sum(HmpExpr *e);

static int64_t expr_register(HmpExpr *e)
{
    char name[64];
    size_t n = 0;
    CPUState *cpu = monitor_current_cpu(e->ctx);

    e->p++;
    while (isalnum((unsigned char)*e->p) || *e->p == '_' || *e->p == '.') {
        if (n < sizeof(name) - 1) {
            name[n++] = *e->p;
        }
        e->p++;
    }
    name[n] = '\0';
    expr_skip_spaces(e);
    if (cpu && cpu->ops->get_pc && !strcmp(name, "pc")) {
        return cpu->ops->get_pc(cpu);
    }
    expr_error(e, "unknown register");
    return 0;
}

static int64_t expr_unary(HmpExpr *e)
{
    int64_t n = 0;
    char *end;

    if (e->failed) {
        return 0;
    }
    switch (*e->p) {
    case '+':
        expr_next(e);
        return expr_unary(e);
    case '-':
        expr_next(e);
        return -(uint64_t)expr_unary(e);
    case '~':
        expr_next(e);
        return ~expr_unary(e);
    case '(':
        expr_next(e);
        n = expr_sum(e);
        if (*e->p != ')') {
            expr_error(e, "')' expected");
        }
        expr_next(e);
        return n;
    case '\'':
        e->p++;
        if (!*e->p) {
            expr_error(e, "character constant expected");
            return 0;
        }
        n = (unsigned char)*e->p++;
        if (*e->p != '\'') {
            expr_error(e, "missing terminating ' character");
        }
        expr_next(e);
        return n;
    case '$':
        return expr_register(e);
    case '\0':
        expr_error(e, "unexpected end of expression");
        return 0;
    default:
        errno = 0;
        n = strtoull(e->p, &end, 0);
        if (errno == ERANGE) {
            expr_error(e, "number too large");
        } else if (end == e->p) {
            expr_error(e, "invalid char '%c' in expression", *e->p);
        }
        e->p = end;
        expr_skip_spaces(e);
        return n;
    }
}

/*
 * A '/' that starts a path ("pmemsave 0 4096 /tmp/mem") ends the
 * expression instead of dividing; QEMU would fail on it. A divisor is a
 * number, '(', '$', '\'', '~', '-' or '+', possibly after spaces.
 */
static bool expr_is_division(const char *p)
{
    p++;
    while (isspace((unsigned char)*p)) {
        p++;
    }
    return isdigit((unsigned char)*p) || (*p && strchr("($'~-+", *p));
}

static int64_t expr_prod(HmpExpr *e)
{
    int64_t val = expr_unary(e);

    while (!e->failed && (*e->p == '*' || *e->p == '%' ||
                          (*e->p == '/' && expr_is_division(e->p)))) {
        char op = *e->p;
        int64_t rhs;

        expr_next(e);
        rhs = expr_unary(e);
        if (op == '*') {
            val = (uint64_t)val * rhs;
        } else if (rhs == 0) {
            expr_error(e, "division by zero");
        } else if (rhs == -1) {
            val = op == '/' ? -(uint64_t)val : 0;
        } else {
            val = op == '/' ? val / rhs : val % rhs;
        }
    }
    return val;
}

static int64_t expr_logic(HmpExpr *e)
{
    int64_t val = expr_prod(e);

    while (!e->failed && (*e->p == '&' || *e->p == '|' || *e->p == '^')) {
        char op = *e->p;
        int64_t rhs;

        expr_next(e);
        rhs = expr_prod(e);
        val = op == '&' ? val & rhs : op == '|' ? val | rhs : val ^ rhs;
    }
    return val;
}

static int64_t expr_sum(HmpExpr *e)
{
    int64_t val = expr_logic(e);

    while (!e->failed && (*e->p == '+' || *e->p == '-')) {
        char op = *e->p;
        int64_t rhs;

        expr_next(e);
        rhs = expr_logic(e);
        val = op == '+' ? (uint64_t)val + rhs : (uint64_t)val - rhs;
    }
    return val;
}

/* --- argument parsing --- */

/* A word or a "quoted string" with \n \r \\ \' \" escapes (QEMU get_str). */
static bool hmp_get_str(const char **pp, StrBuf *out)
{
    const char *p = *pp;

    while (isspace((unsigned char)*p)) {
        p++;
    }
    if (!*p) {
        *pp = p;
        return false;
    }
    if (*p == '"') {
        p++;
        while (*p && *p != '"') {
            char c = *p++;

            if (c == '\\') {
                c = *p++;
                switch (c) {
                case 'n':
                    c = '\n';
                    break;
                case 'r':
                    c = '\r';
                    break;
                case '\\':
                case '\'':
                case '"':
                    break;
                default:
                    *pp = p;
                    return false;
                }
            }
            strbuf_append(out, &c, 1);
        }
        if (*p != '"') {
            *pp = p;
            return false;
        }
        p++;
    } else {
        const char *start = p;

        while (*p && !isspace((unsigned char)*p)) {
            p++;
        }
        strbuf_append(out, start, p - start);
    }
    if (!out->data) {
        strbuf_append(out, "", 0);
    }
    *pp = p;
    return true;
}

static bool hmp_parse_fmt(MonitorHMP *mon, const char *cmd, const char **pp,
                          json_t *args)
{
    const char *p = *pp;
    int count = 1, format = -1, size = -1;

    while (isspace((unsigned char)*p)) {
        p++;
    }
    if (*p == '/') {
        p++;
        if (isdigit((unsigned char)*p)) {
            count = 0;
            while (isdigit((unsigned char)*p)) {
                count = MIN(count * 10 + (*p - '0'), 1 << 24);
                p++;
            }
        }
        for (;; p++) {
            if (strchr("oduxic", *p) && *p) {
                format = *p;
            } else if (*p == 'b') {
                size = 1;
            } else if (*p == 'h') {
                size = 2;
            } else if (*p == 'w') {
                size = 4;
            } else if (*p == 'g' || *p == 'L') {
                size = 8;
            } else {
                break;
            }
        }
        if (*p && !isspace((unsigned char)*p)) {
            monitor_printf(&mon->common, "invalid char in format: '%c'\n",
                           *p);
            return false;
        }
        if (format < 0) {
            format = mon->fmt_format;
        }
        if (format != 'i') {
            if (size < 0) {
                size = mon->fmt_size;
            }
            mon->fmt_size = size;
        }
        mon->fmt_format = format;
    } else {
        format = mon->fmt_format;
        size = format != 'i' ? mon->fmt_size : -1;
    }
    json_object_set_new(args, "count", json_integer(count));
    json_object_set_new(args, "format", json_integer(format));
    json_object_set_new(args, "size", json_integer(size));
    *pp = p;
    return true;
}

static const char *hmp_cmd_name(const MonitorCommand *cmd)
{
    return cmd->hmp;
}

/* Parse what follows the command name; NULL (reported) on bad input. */
static json_t *hmp_parse_args(MonitorHMP *mon, MonitorCmdCtx *ctx,
                              const MonitorCommand *cmd, const char **pp)
{
    Monitor *m = &mon->common;
    json_t *args = json_object();
    const char *p = *pp;
    char name[64];

    snprintf(name, sizeof(name), "%.*s", (int)strcspn(hmp_cmd_name(cmd), "|"),
             hmp_cmd_name(cmd));
    for (const MonitorArg *a = cmd->args; a && a->name; a++) {
        if (a->qmp_only) {
            continue;
        }
        while (isspace((unsigned char)*p)) {
            p++;
        }
        switch (a->type) {
        case MONITOR_ARG_FLAG:
            if (p[0] == '-' && p[1] == a->flag &&
                (!p[2] || isspace((unsigned char)p[2]))) {
                json_object_set_new(args, a->name, json_true());
                p += 2;
            } else if (p[0] == '-' && p[1] && !isspace((unsigned char)p[1]) &&
                       !isdigit((unsigned char)p[1])) {
                monitor_printf(m, "%s: unsupported option -%c\n", name, p[1]);
                goto fail;
            }
            break;
        case MONITOR_ARG_FMT:
            if (!hmp_parse_fmt(mon, name, &p, args)) {
                goto fail;
            }
            break;
        case MONITOR_ARG_INT:
        case MONITOR_ARG_UINT: {
            HmpExpr e = { .p = p, .ctx = ctx };
            int64_t v;

            if (!*p && a->optional) {
                break;
            }
            v = expr_sum(&e);
            if (e.failed) {
                goto fail;
            }
            p = e.p;
            json_object_set_new(args, a->name, json_integer(v));
            break;
        }
        case MONITOR_ARG_BOOL: {
            size_t n = strcspn(p, " \t");

            if (!*p && a->optional) {
                break;
            }
            if (n == 2 && !strncmp(p, "on", 2)) {
                json_object_set_new(args, a->name, json_true());
            } else if (n == 3 && !strncmp(p, "off", 3)) {
                json_object_set_new(args, a->name, json_false());
            } else {
                monitor_printf(m, "Expected 'on' or 'off'\n");
                goto fail;
            }
            p += n;
            break;
        }
        case MONITOR_ARG_REST: {
            size_t n = strlen(p);

            while (n && isspace((unsigned char)p[n - 1])) {
                n--;
            }
            if (!n) {
                if (a->optional) {
                    break;
                }
                monitor_printf(m, "%s: string expected\n", name);
                goto fail;
            }
            json_object_set_new(args, a->name, json_stringn(p, n));
            p += strlen(p);
            break;
        }
        default: {      /* STR, ENUM */
            StrBuf word = { 0 };

            if (!*p && a->optional) {
                break;
            }
            if (!hmp_get_str(&p, &word)) {
                monitor_printf(m, "%s: %s expected\n", name,
                               !strcmp(a->name, "filename") ? "filename"
                                                            : "string");
                strbuf_free(&word);
                goto fail;
            }
            json_object_set_new(args, a->name,
                                json_stringn(word.data, word.len));
            strbuf_free(&word);
            break;
        }
        }
    }
    while (isspace((unsigned char)*p)) {
        p++;
    }
    if (*p) {
        monitor_printf(m, "%s: extraneous characters at the end of line\n",
                       name);
        goto fail;
    }
    *pp = p;
    return args;

fail:
    json_decref(args);
    return NULL;
}

/* --- running a line --- */

void hmp_handle_command(MonitorHMP *mon, const char *line)
{
    Monitor *m = &mon->common;
    MonitorCmdCtx ctx = { .mon = m, .machine = m->set->machine };
    const MonitorCommand *cmd;
    const char *p = line, *start, *name;
    size_t len;
    json_t *args, *ret = NULL;
    Error *err = NULL;

    while (isspace((unsigned char)*p)) {
        p++;
    }
    if (!*p) {
        return;
    }
    start = p;
    name = p;
    len = strcspn(p, " \t/");
    p += len;
    cmd = hmp_find(name, len, false);
    if (cmd && !strcmp(cmd->hmp, "info")) {
        while (isspace((unsigned char)*p)) {
            p++;
        }
        if (*p) {
            name = p;
            len = strcspn(p, " \t/");
            p += len;
            cmd = hmp_find(name, len, true);
        }
    }
    if (!cmd) {
        monitor_printf(m, "unknown command: '%.*s'\n", (int)(p - start),
                       start);
        return;
    }
    args = hmp_parse_args(mon, &ctx, cmd, &p);
    if (!args) {
        monitor_printf(m, "Try \"help %.*s\" for more information\n",
                       (int)(name + len - start), start);
        return;
    }
    if (!cmd->run(&ctx, args, &ret, &err)) {
        monitor_printf(m, "Error: %s\n", error_get_pretty(err));
        error_free(err);
    } else if (cmd->hmp_print) {
        cmd->hmp_print(m, ret);
    }
    json_decref(ret);
    json_decref(args);
}

/* --- help --- */

static int hmp_cmp_rows(const void *a, const void *b)
{
    const MonitorCommand *x = *(const MonitorCommand *const *)a;
    const MonitorCommand *y = *(const MonitorCommand *const *)b;

    return strcmp(x->hmp, y->hmp);
}

/* Print the help lines of the rows (info rows: @info), sorted as QEMU
 * sorts its tables, or only those named @only. */
static bool hmp_help_rows(Monitor *mon, bool info, const char *only)
{
    const MonitorCommand *rows[128];
    size_t n = 0;
    bool found = false;

    for (const MonitorCommand *c = monitor_commands;
         (c->qmp || c->hmp) && n < ARRAY_SIZE(rows); c++) {
        if (c->hmp && hmp_is_info_row(c) == info) {
            rows[n++] = c;
        }
    }
    qsort(rows, n, sizeof(rows[0]), hmp_cmp_rows);
    for (size_t i = 0; i < n; i++) {
        const char *names = info ? rows[i]->hmp + 5 : rows[i]->hmp;

        if (only && !hmp_name_matches(names, only, strlen(only))) {
            continue;
        }
        monitor_printf(mon, "%s %s -- %s\n", rows[i]->hmp,
                       rows[i]->hmp_params ? rows[i]->hmp_params : "",
                       rows[i]->help);
        found = true;
    }
    return found;
}

bool hmp_help(MonitorCmdCtx *ctx, json_t *args, json_t **ret, Error **errp)
{
    const char *name = monitor_arg_str(args, "name");
    char first[64], second[64];
    int n;

    if (!name) {
        hmp_help_rows(ctx->mon, false, NULL);
        return true;
    }
    if (!strcmp(name, "log")) {
        hmp_log_help(ctx->mon);
        return true;
    }
    n = sscanf(name, "%63s %63s", first, second);
    if (n >= 1 && !strcmp(first, "info")) {
        if (n == 1) {
            hmp_help_rows(ctx->mon, true, NULL);
        } else if (!hmp_help_rows(ctx->mon, true, second)) {
            monitor_printf(ctx->mon, "unknown command: 'info %s'\n", second);
        }
        return true;
    }
    if (n < 1 || !hmp_help_rows(ctx->mon, false, first)) {
        monitor_printf(ctx->mon, "unknown command: '%s'\n",
                       n >= 1 ? first : name);
    }
    return true;
}

bool hmp_info(MonitorCmdCtx *ctx, json_t *args, json_t **ret, Error **errp)
{
    /* "info" alone (subcommands are dispatched before this). */
    hmp_help_rows(ctx->mon, true, NULL);
    return true;
}

/* --- completion --- */

static char **hmp_complete(void *opaque, const char *line)
{
    const char *word = strrchr(line, ' ');
    bool info = false;
    size_t n = 0, cap = 16;
    char **out;

    word = word ? word + 1 : line;
    if (word != line) {
        char first[16];

        /* Only command names complete: "info SUB" and "help NAME". */
        if (sscanf(line, "%15s", first) != 1 || strchr(line, ' ') + 1 != word) {
            return NULL;
        }
        if (!strcmp(first, "info")) {
            info = true;
        } else if (strcmp(first, "help") && strcmp(first, "?")) {
            return NULL;
        }
    }
    out = XNEW_ARRAY(char *, cap);
    for (const MonitorCommand *c = monitor_commands; c->qmp || c->hmp; c++) {
        const char *names;

        if (!c->hmp || hmp_is_info_row(c) != info) {
            continue;
        }
        names = info ? c->hmp + 5 : c->hmp;
        while (*names) {
            size_t len = strcspn(names, "|");

            if (len >= strlen(word) && !strncmp(names, word, strlen(word))) {
                if (n + 2 > cap) {
                    cap *= 2;
                    out = xrealloc(out, cap * sizeof(*out));
                }
                out[n++] = xstrndup(names, len);
            }
            names += len + (names[len] == '|');
        }
    }
    out[n] = NULL;
    return out;
}

/* --- the monitor --- */

static void hmp_rl_out(void *opaque, const char *text)
{
    monitor_puts(opaque, text);
}

static void hmp_rl_line(void *opaque, const char *line)
{
    MonitorHMP *mon = opaque;

    hmp_handle_command(mon, line);
    /* After quit no prompt (QEMU suspends the monitor). */
    if (!mon->common.mux_out &&
        !atomic_load(&mon->common.set->machine->shutdown_request)) {
        readline_show_prompt(&mon->rl);
    }
}

void hmp_fe_read(void *opaque, const uint8_t *buf, size_t len)
{
    MonitorHMP *mon = opaque;

    for (size_t i = 0; i < len; i++) {
        readline_feed(&mon->rl, buf[i]);
    }
}

void hmp_fe_event(void *opaque, ChardevEvent event)
{
    MonitorHMP *mon = opaque;
    Monitor *m = &mon->common;

    switch (event) {
    case CHR_EVENT_OPENED:
        m->closed = false;
        monitor_printf(m, "Vireo %s monitor - type 'help' for more "
                       "information\n", VIREO_VERSION);
        if (!m->mux_out) {
            readline_restart(&mon->rl);
            readline_show_prompt(&mon->rl);
        }
        mon->banner_shown = true;
        break;
    case CHR_EVENT_CLOSED:
        m->closed = true;
        m->watching = false;
        strbuf_consume(&m->out, m->out.len);
        readline_restart(&mon->rl);
        break;
    case CHR_EVENT_MUX_IN:
        m->mux_out = false;
        if (mon->banner_shown) {
            readline_restart(&mon->rl);
            readline_show_prompt(&mon->rl);
        }
        monitor_flush(m);
        break;
    case CHR_EVENT_MUX_OUT:
        if (mon->banner_shown) {
            monitor_puts(m, "\n");
        }
        monitor_flush(m);
        m->mux_out = true;
        break;
    default:
        break;
    }
}

MonitorHMP *hmp_monitor_new(MonitorSet *set, Chardev *chr)
{
    MonitorHMP *mon = XNEW(MonitorHMP);

    mon->common.kind = MONITOR_HMP;
    mon->common.set = set;
    mon->common.chr = chr;
    /* On a mux the console has the focus until Ctrl-A c (MUX_IN). */
    mon->common.mux_out = chr && chardev_is_mux(chr);
    mon->fmt_format = 'x';
    mon->fmt_size = 4;
    readline_init(&mon->rl, HMP_PROMPT, hmp_rl_out, hmp_rl_line,
                  hmp_complete, mon);
    return mon;
}

void hmp_monitor_free(MonitorHMP *mon)
{
    readline_free(&mon->rl);
    strbuf_free(&mon->common.out);
    free(mon);
}

char *monitor_hmp_capture(Machine *m, unsigned cpu_index, const char *line)
{
    /* A set of its own: the capture monitor reaches only the machine
     * through it, and gets no events. */
    MonitorSet set = { .machine = m };
    MonitorHMP *mon = hmp_monitor_new(&set, NULL);
    char *out;

    mon->cpu_index = cpu_index < m->nr_cpus ? cpu_index : 0;
    hmp_handle_command(mon, line);
    out = strbuf_steal(&mon->common.out);
    hmp_monitor_free(mon);
    return out;
}
