/*
 * monitor/qmp-cmds.c — the handlers of the commands QMP speaks (most of
 * which HMP speaks too), and the HMP renderings of their results.
 *
 * Each handler builds the JSON its QEMU namesake returns (QEMU's qapi
 * schema: query-status → StatusInfo, query-block → [BlockInfo], ...); the HMP
 * printer turns that same JSON into the text QEMU's hmp_info_*() prints,
 * so "info status" and query-status cannot disagree.
 */
#include "monitor/monitor-cmds.h"
#include "block/block.h"
#include "chardev/char-mux.h"
#include "chardev/char-ringbuf.h"
#include "chardev/chardev.h"
#include "exec/memory.h"
#include "hw/core/cpu.h"
#include "net/net.h"
#include "util/error.h"

#include <unistd.h>

CPUState *monitor_current_cpu(MonitorCmdCtx *ctx)
{
    Machine *m = ctx->machine;
    unsigned index = 0;

    if (ctx->mon && ctx->mon->kind == MONITOR_HMP) {
        index = container_of(ctx->mon, MonitorHMP, common)->cpu_index;
    }
    if (!m->cpus || !m->nr_cpus) {
        return NULL;
    }
    return m->cpus[index < m->nr_cpus ? index : 0];
}

/* --- qmp_capabilities, query-version, query-commands --- */

bool qmp_capabilities(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                             Error **errp)
{
    json_t *enable = json_object_get(args, "enable");
    size_t i;
    json_t *cap;

    json_array_foreach(enable, i, cap) {
        const char *name = json_string_value(cap);

        if (!strcmp(name, "oob")) {
            /* QEMU offers oob only with a monitor I/O thread; so do we
             * (none), hence the greeting's empty list. */
            error_setg(errp, "Capability oob not available");
        } else {
            error_setg(errp, "Parameter 'enable[%zu]' does not accept "
                       "value '%s'", i, name);
        }
        return false;
    }
    container_of(ctx->mon, MonitorQMP, common)->negotiated = true;
    return true;
}

json_t *qmp_version_info(void)
{
    unsigned major = 0, minor = 0, micro = 0;

    sscanf(VIREO_VERSION, "%u.%u.%u", &major, &minor, &micro);
    return json_pack("{s:{s:i,s:i,s:i},s:s}", "qemu", "micro", micro,
                     "minor", minor, "major", major, "package", "");
}

bool qmp_query_version(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                              Error **errp)
{
    *ret = qmp_version_info();
    return true;
}

void hmp_print_version(Monitor *mon, json_t *ret)
{
    json_t *v = json_object_get(ret, "qemu");

    monitor_printf(mon, "%" JSON_INTEGER_FORMAT ".%" JSON_INTEGER_FORMAT
                   ".%" JSON_INTEGER_FORMAT "%s\n",
                   json_integer_value(json_object_get(v, "major")),
                   json_integer_value(json_object_get(v, "minor")),
                   json_integer_value(json_object_get(v, "micro")),
                   json_string_value(json_object_get(ret, "package")));
}

bool qmp_query_commands(MonitorCmdCtx *ctx, json_t *args,
                               json_t **ret, Error **errp)
{
    json_t *list = json_array();

    for (const MonitorCommand *c = monitor_commands; c->qmp || c->hmp; c++) {
        if (c->qmp) {
            json_array_append_new(list, json_pack("{s:s}", "name", c->qmp));
        }
    }
    *ret = list;
    return true;
}

/* --- run state --- */

bool qmp_query_status(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                             Error **errp)
{
    RunState st = ctx->machine->run_state;

    *ret = json_pack("{s:s,s:b,s:b}", "status", run_state_name(st),
                     "singlestep", 0, "running", st == RUN_STATE_RUNNING);
    return true;
}

void hmp_print_status(Monitor *mon, json_t *ret)
{
    bool running = json_is_true(json_object_get(ret, "running"));
    const char *status = json_string_value(json_object_get(ret, "status"));

    monitor_printf(mon, "VM status: %s", running ? "running" : "paused");
    if (!running && strcmp(status, "paused")) {
        monitor_printf(mon, " (%s)", status);
    }
    monitor_printf(mon, "\n");
}

bool qmp_stop(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                     Error **errp)
{
    vm_stop(ctx->machine, RUN_STATE_PAUSED);
    return true;
}

bool qmp_cont(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                     Error **errp)
{
    if (ctx->machine->run_state == RUN_STATE_SHUTDOWN) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return false;
    }
    vm_start(ctx->machine);
    return true;
}

bool qmp_system_reset(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                             Error **errp)
{
    machine_request_reset(ctx->machine, SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    return true;
}

bool qmp_system_powerdown(MonitorCmdCtx *ctx, json_t *args,
                                 json_t **ret, Error **errp)
{
    machine_request_powerdown(ctx->machine);
    return true;
}

bool qmp_quit(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                     Error **errp)
{
    machine_request_shutdown(ctx->machine, SHUTDOWN_CAUSE_HOST_QMP_QUIT, 0);
    return true;
}

/* --- the machine --- */

bool qmp_query_name(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                           Error **errp)
{
    const char *name = ctx->machine->config->name;

    *ret = name ? json_pack("{s:s}", "name", name) : json_object();
    return true;
}

void hmp_print_name(Monitor *mon, json_t *ret)
{
    const char *name = json_string_value(json_object_get(ret, "name"));

    if (name) {
        monitor_printf(mon, "%s\n", name);
    }
}

bool qmp_query_machines(MonitorCmdCtx *ctx, json_t *args,
                               json_t **ret, Error **errp)
{
    const SystemTarget *t = ctx->machine->target;
    json_t *list = json_array();

    for (const MachineType *const *mt = t->machines; *mt; mt++) {
        json_t *info = json_pack("{s:s}", "name", (*mt)->name);

        if ((*mt)->is_default) {
            json_object_set_new(info, "is-default", json_true());
        }
        json_object_set_new(info, "cpu-max",
                            json_integer((*mt)->max_cpus ? (*mt)->max_cpus
                                                         : 1));
        json_object_set_new(info, "hotpluggable-cpus", json_false());
        json_object_set_new(info, "numa-mem-supported", json_false());
        json_object_set_new(info, "deprecated", json_false());
        if ((*mt)->default_cpu) {
            json_object_set_new(info, "default-cpu-type",
                                json_string((*mt)->default_cpu));
        }
        json_object_set_new(info, "acpi", json_false());
        json_array_append_new(list, info);
    }
    *ret = list;
    return true;
}

bool qmp_query_cpus_fast(MonitorCmdCtx *ctx, json_t *args,
                                json_t **ret, Error **errp)
{
    Machine *m = ctx->machine;
    json_t *list = json_array();

    for (unsigned i = 0; m->cpus && i < m->nr_cpus; i++) {
        char *path = xasprintf("/machine/soc0/harts[%u]", i);

        /* vCPUs have no thread of their own to name (one TCG thread runs
         * them all, as QEMU's single-threaded TCG does): report the
         * process, which is what such QEMUs report too. */
        json_array_append_new(list, json_pack(
            "{s:i,s:I,s:{s:i,s:i,s:i},s:s,s:s}",
            "cpu-index", i, "thread-id", (json_int_t)getpid(),
            "props", "core-id", i, "socket-id", 0, "thread-id", 0,
            "qom-path", path, "target", m->target->arch));
        free(path);
    }
    *ret = list;
    return true;
}

void hmp_print_cpus(Monitor *mon, json_t *ret)
{
    unsigned cur = mon->kind == MONITOR_HMP
                   ? container_of(mon, MonitorHMP, common)->cpu_index : 0;
    size_t i;
    json_t *cpu;

    json_array_foreach(ret, i, cpu) {
        json_int_t index = json_integer_value(json_object_get(cpu,
                                                              "cpu-index"));

        monitor_printf(mon, "%c CPU #%" JSON_INTEGER_FORMAT ": thread_id="
                       "%" JSON_INTEGER_FORMAT "\n",
                       index == cur ? '*' : ' ', index,
                       json_integer_value(json_object_get(cpu,
                                                          "thread-id")));
    }
}

bool qmp_query_kvm(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                          Error **errp)
{
    Machine *m = ctx->machine;
    bool present = false;

    for (const AccelType *const *a = m->target->accels; *a; a++) {
        if (!strcmp((*a)->name, "kvm")) {
            present = access("/dev/kvm", R_OK | W_OK) == 0;
        }
    }
    *ret = json_pack("{s:b,s:b}", "enabled",
                     m->accel && !strcmp(m->accel->name, "kvm"),
                     "present", present);
    return true;
}

void hmp_print_kvm(Monitor *mon, json_t *ret)
{
    monitor_printf(mon, "kvm support: ");
    if (json_is_true(json_object_get(ret, "present"))) {
        monitor_printf(mon, "%s\n",
                       json_is_true(json_object_get(ret, "enabled"))
                       ? "enabled" : "disabled");
    } else {
        monitor_printf(mon, "not compiled\n");
    }
}

/* --- block devices --- */

static void query_block_one(void *backend, const char *id, void *opaque)
{
    BlockBackend *blk = backend;
    BlockDriverState *bs = blk_bs(blk);
    const char *name = blk_name(blk);
    json_t *info = json_pack("{s:s,s:b,s:b,s:s}",
                             "device", *name ? name : id,
                             "locked", 0, "removable", 0, "type", "unknown");

    if (bs) {
        int64_t size = blk_getlength(blk);
        int64_t used = bdrv_get_allocated_size(bs);
        const char *fmt = bdrv_get_format_name(bs);
        unsigned depth = 0;
        json_t *image, *ins;

        for (BlockDriverState *b = bs->backing; b; b = b->backing) {
            depth++;
        }
        fmt = fmt ? fmt : "";
        image = json_pack("{s:s,s:s,s:I,s:b}", "filename", bs->filename,
                          "format", fmt,
                          "virtual-size", (json_int_t)MAX(size, 0),
                          "dirty-flag", 0);
        if (used >= 0) {
            json_object_set_new(image, "actual-size", json_integer(used));
        }
        if (bs->backing_file && *bs->backing_file) {
            json_object_set_new(image, "backing-filename",
                                json_string(bs->backing_file));
        }
        ins = json_pack(
            "{s:s,s:b,s:s,s:b,s:i,s:{s:b,s:b,s:b},s:o,s:s,"
            "s:i,s:i,s:i,s:i,s:i,s:i,s:i}",
            "file", bs->filename,
            "ro", blk_is_read_only(blk),
            "drv", fmt,
            "encrypted", 0,
            "backing_file_depth", depth,
            "cache",
              "writeback", blk_enable_write_cache(blk),
              "direct", !!(bs->open_flags & BDRV_O_NOCACHE),
              "no-flush", !!(bs->open_flags & BDRV_O_NO_FLUSH),
            "image", image,
            "detect_zeroes", "off",
            "bps", 0, "bps_rd", 0, "bps_wr", 0,
            "iops", 0, "iops_rd", 0, "iops_wr", 0,
            "write_threshold", 0);
        if (bs->node_name) {
            json_object_set_new(ins, "node-name", json_string(bs->node_name));
        }
        if (bs->backing_file && *bs->backing_file) {
            json_object_set_new(ins, "backing_file",
                                json_string(bs->backing_file));
        }
        json_object_set_new(info, "inserted", ins);
    }
    json_array_append_new(opaque, info);
}

bool qmp_query_block(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                            Error **errp)
{
    *ret = json_array();
    machine_foreach_backend(ctx->machine, PROP_DRIVE, query_block_one, *ret);
    return true;
}

void hmp_print_block(Monitor *mon, json_t *ret)
{
    size_t i;
    json_t *info;

    json_array_foreach(ret, i, info) {
        json_t *ins = json_object_get(info, "inserted");
        json_t *cache = json_object_get(ins, "cache");

        if (i) {
            monitor_printf(mon, "\n");
        }
        monitor_printf(mon, "%s",
                       json_string_value(json_object_get(info, "device")));
        if (json_object_get(ins, "node-name")) {
            monitor_printf(mon, " (%s)", json_string_value(
                json_object_get(ins, "node-name")));
        }
        if (!ins) {
            monitor_printf(mon, ": [not inserted]\n");
            continue;
        }
        monitor_printf(mon, ": %s (%s%s)\n",
                       json_string_value(json_object_get(ins, "file")),
                       json_string_value(json_object_get(ins, "drv")),
                       json_is_true(json_object_get(ins, "ro"))
                       ? ", read-only" : "");
        if (json_object_get(ins, "backing_file")) {
            monitor_printf(mon, "    Backing file:     %s (chain depth: %"
                           JSON_INTEGER_FORMAT ")\n",
                           json_string_value(json_object_get(
                               ins, "backing_file")),
                           json_integer_value(json_object_get(
                               ins, "backing_file_depth")));
        }
        monitor_printf(mon, "    Cache mode:       %s%s%s\n",
                       json_is_true(json_object_get(cache, "writeback"))
                       ? "writeback" : "writethrough",
                       json_is_true(json_object_get(cache, "direct"))
                       ? ", direct" : "",
                       json_is_true(json_object_get(cache, "no-flush"))
                       ? ", ignore flushes" : "");
    }
}

/*
 * QEMU's BlockDeviceStats from the backend's accounting: one row per
 * counter, naming the BlockAcctStats array and the request kind. Merging
 * is not done, so the *_merged counters stay 0 as in QEMU without it.
 */
static const struct {
    const char *name;
    size_t field;               /* offset of a uint64_t[BLOCK_ACCT__MAX] */
    int type;                   /* BlockAcctType, or -1: always 0 */
} blockstats_counters[] = {
#define ACCT(name, field, type) \
    { name, offsetof(BlockAcctStats, field), BLOCK_ACCT_##type }
    ACCT("rd_bytes", bytes, READ),
    ACCT("wr_bytes", bytes, WRITE),
    ACCT("unmap_bytes", bytes, UNMAP),
    ACCT("rd_operations", ops, READ),
    ACCT("wr_operations", ops, WRITE),
    ACCT("flush_operations", ops, FLUSH),
    ACCT("unmap_operations", ops, UNMAP),
    ACCT("rd_total_time_ns", total_time_ns, READ),
    ACCT("wr_total_time_ns", total_time_ns, WRITE),
    ACCT("flush_total_time_ns", total_time_ns, FLUSH),
    ACCT("unmap_total_time_ns", total_time_ns, UNMAP),
    { "rd_merged", 0, -1 },
    { "wr_merged", 0, -1 },
    { "unmap_merged", 0, -1 },
    ACCT("failed_rd_operations", failed, READ),
    ACCT("failed_wr_operations", failed, WRITE),
    ACCT("failed_flush_operations", failed, FLUSH),
    ACCT("failed_unmap_operations", failed, UNMAP),
    ACCT("invalid_rd_operations", invalid, READ),
    ACCT("invalid_wr_operations", invalid, WRITE),
    ACCT("invalid_flush_operations", invalid, FLUSH),
    ACCT("invalid_unmap_operations", invalid, UNMAP),
#undef ACCT
};

static void query_blockstats_one(void *backend, const char *id,
                                 void *opaque)
{
    BlockBackend *blk = backend;
    const char *name = blk_name(blk);
    const BlockAcctStats *acct = blk_get_stats(blk);
    json_t *stats = json_object();

    for (size_t i = 0; i < ARRAY_SIZE(blockstats_counters); i++) {
        uint64_t v = 0;

        if (blockstats_counters[i].type >= 0) {
            const uint64_t *row = (const uint64_t *)
                ((const char *)acct + blockstats_counters[i].field);

            v = row[blockstats_counters[i].type];
        }
        json_object_set_new(stats, blockstats_counters[i].name,
                            json_integer((json_int_t)v));
    }
    json_object_set_new(stats, "wr_highest_offset",
                        json_integer((json_int_t)acct->wr_highest_offset));
    json_object_set_new(stats, "account_invalid", json_true());
    json_object_set_new(stats, "account_failed", json_true());
    json_object_set_new(stats, "timed_stats", json_array());
    json_array_append_new(opaque, json_pack("{s:s,s:o}", "device",
                                            *name ? name : id,
                                            "stats", stats));
}

bool qmp_query_blockstats(MonitorCmdCtx *ctx, json_t *args,
                                 json_t **ret, Error **errp)
{
    *ret = json_array();
    machine_foreach_backend(ctx->machine, PROP_DRIVE, query_blockstats_one,
                            *ret);
    return true;
}

void hmp_print_blockstats(Monitor *mon, json_t *ret)
{
    static const char *const shown[] = {
        "rd_bytes", "wr_bytes", "rd_operations", "wr_operations",
        "flush_operations", "wr_total_time_ns", "rd_total_time_ns",
        "flush_total_time_ns", "rd_merged", "wr_merged",
    };
    size_t i;
    json_t *info;

    json_array_foreach(ret, i, info) {
        json_t *stats = json_object_get(info, "stats");

        monitor_printf(mon, "%s:",
                       json_string_value(json_object_get(info, "device")));
        for (size_t k = 0; k < ARRAY_SIZE(shown); k++) {
            monitor_printf(mon, " %s=%" JSON_INTEGER_FORMAT, shown[k],
                           json_integer_value(json_object_get(stats,
                                                              shown[k])));
        }
        monitor_printf(mon, "\n");
    }
}

/* --- chardevs --- */

static void query_chardev_add(json_t *list, Chardev *chr, const char *label)
{
    char *filename = chardev_filename(chr);

    json_array_append_new(list, json_pack("{s:s,s:s,s:b}", "label", label,
                                          "filename", filename,
                                          "frontend-open", chr->fe_open));
    free(filename);
}

static void query_chardev_one(void *backend, const char *id, void *opaque)
{
    Chardev *chr = backend;

    query_chardev_add(opaque, chr, id);
    if (chardev_is_mux(chr)) {
        Chardev *base = chardev_mux_backend(chr);

        query_chardev_add(opaque, base, base->id);
    }
}

bool qmp_query_chardev(MonitorCmdCtx *ctx, json_t *args,
                              json_t **ret, Error **errp)
{
    *ret = json_array();
    machine_foreach_backend(ctx->machine, PROP_CHARDEV, query_chardev_one,
                            *ret);
    return true;
}

void hmp_print_chardev(Monitor *mon, json_t *ret)
{
    size_t i;
    json_t *info;

    json_array_foreach(ret, i, info) {
        monitor_printf(mon, "%s: filename=%s\n",
                       json_string_value(json_object_get(info, "label")),
                       json_string_value(json_object_get(info, "filename")));
    }
}

static Chardev *ringbuf_find(MonitorCmdCtx *ctx, json_t *args, Error **errp)
{
    const char *id = monitor_arg_str(args, "device");
    Chardev *chr = machine_find_backend(ctx->machine, PROP_CHARDEV, id);

    if (!chr) {
        error_setg(errp, "Device '%s' not found", id);
        return NULL;
    }
    if (!chardev_is_ringbuf(chr)) {
        error_setg(errp, "%s is not a ringbuf device", id);
        return NULL;
    }
    return chr;
}

static const char base64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64_encode(const uint8_t *in, size_t len)
{
    char *out = xmalloc(4 * ((len + 2) / 3) + 1);
    size_t o = 0;

    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = in[i] << 16 | (i + 1 < len ? in[i + 1] << 8 : 0) |
                     (i + 2 < len ? in[i + 2] : 0);

        out[o++] = base64_chars[v >> 18 & 63];
        out[o++] = base64_chars[v >> 12 & 63];
        out[o++] = i + 1 < len ? base64_chars[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? base64_chars[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

/* Strict RFC 4648 decoding (whitespace ignored); NULL on bad input. */
static uint8_t *base64_decode(const char *in, size_t *out_len)
{
    uint8_t *out = xmalloc(strlen(in) / 4 * 3 + 3);
    uint32_t acc = 0;
    unsigned bits = 0, pad = 0;
    size_t o = 0;

    for (const char *p = in; *p; p++) {
        const char *c;

        if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') {
            continue;
        }
        if (*p == '=') {
            pad++;
            continue;
        }
        c = strchr(base64_chars, *p);
        if (!c || pad) {
            free(out);
            return NULL;
        }
        acc = acc << 6 | (uint32_t)(c - base64_chars);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = acc >> bits & 0xff;
        }
    }
    if (pad > 2) {
        free(out);
        return NULL;
    }
    *out_len = o;
    return out;
}

/* JSON strings are UTF-8: invalid bytes become U+FFFD (as QEMU does). */
static char *utf8_sanitize(const uint8_t *in, size_t len, size_t *out_len)
{
    char *out = xmalloc(len * 3 + 1);
    size_t o = 0, i = 0;

    while (i < len) {
        uint8_t c = in[i];
        size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2
                 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        bool ok = n && i + n <= len && !(n == 2 && c < 0xc2);

        for (size_t k = 1; ok && k < n; k++) {
            ok = (in[i + k] & 0xc0) == 0x80;
        }
        if (ok) {
            memcpy(out + o, in + i, n);
            o += n;
            i += n;
        } else {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

bool qmp_ringbuf_read(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                             Error **errp)
{
    Chardev *chr = ringbuf_find(ctx, args, errp);
    int64_t size = monitor_arg_int(args, "size", 0);
    const char *format = monitor_arg_str(args, "format");
    uint8_t *buf;
    size_t n;

    if (!chr) {
        return false;
    }
    if (size < 0) {
        error_setg(errp, "size must be greater than zero");
        return false;
    }
    n = MIN((size_t)size, chardev_ringbuf_count(chr));
    buf = xmalloc(n + 1);
    n = chardev_ringbuf_read(chr, buf, n);
    if (format && !strcmp(format, "base64")) {
        char *text = base64_encode(buf, n);

        *ret = json_string(text);
        free(text);
    } else {
        size_t len;
        char *text = utf8_sanitize(buf, n, &len);

        *ret = json_stringn(text, len);
        free(text);
    }
    free(buf);
    return true;
}

void hmp_print_ringbuf(Monitor *mon, json_t *ret)
{
    const char *data = json_string_value(ret);
    size_t len = json_string_length(ret);
    StrBuf out = { 0 };

    /* QEMU's hmp_ringbuf_read(): control characters as \uXXXX. */
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = data[i];

        if (ch == '\\') {
            strbuf_append(&out, "\\\\", 2);
        } else if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f) {
            strbuf_printf(&out, "\\u%04X", ch);
        } else {
            strbuf_append(&out, (const char *)&ch, 1);
        }
    }
    strbuf_append(&out, "\n", 1);
    monitor_puts(mon, out.data);
    strbuf_free(&out);
}

bool qmp_ringbuf_write(MonitorCmdCtx *ctx, json_t *args,
                              json_t **ret, Error **errp)
{
    Chardev *chr = ringbuf_find(ctx, args, errp);
    json_t *data = json_object_get(args, "data");
    const char *format = monitor_arg_str(args, "format");

    if (!chr) {
        return false;
    }
    if (format && !strcmp(format, "base64")) {
        size_t len;
        uint8_t *bytes = base64_decode(json_string_value(data), &len);

        if (!bytes) {
            error_setg(errp, "Invalid base64 data");
            return false;
        }
        chardev_ringbuf_write(chr, bytes, len);
        free(bytes);
    } else {
        chardev_ringbuf_write(chr, (const uint8_t *)json_string_value(data),
                              json_string_length(data));
    }
    return true;
}

/* --- memory --- */

#define MONITOR_SAVE_CHUNK 4096

static bool monitor_save(MonitorCmdCtx *ctx, json_t *args, bool physical,
                         Error **errp)
{
    uint64_t addr = monitor_arg_int(args, "val", 0);
    int64_t size = monitor_arg_int(args, "size", 0);
    const char *filename = monitor_arg_str(args, "filename");
    int64_t cpu_index = monitor_arg_int(args, "cpu-index", -1);
    CPUState *cpu = NULL;
    uint8_t buf[MONITOR_SAVE_CHUNK];
    FILE *f;

    if (!physical) {
        Machine *m = ctx->machine;

        if (cpu_index >= 0) {
            cpu = (uint64_t)cpu_index < m->nr_cpus && m->cpus
                  ? m->cpus[cpu_index] : NULL;
        } else {
            cpu = monitor_current_cpu(ctx);
        }
        if (!cpu) {
            error_setg(errp, "Parameter 'cpu-index' expects a CPU number");
            return false;
        }
    }
    if (size < 0) {
        error_setg(errp, "Parameter 'size' expects a non-negative size");
        return false;
    }
    f = fopen(filename, "wb");
    if (!f) {
        error_setg_errno(errp, errno, "Could not open '%s'", filename);
        return false;
    }
    for (uint64_t done = 0; done < (uint64_t)size; ) {
        uint64_t n = MIN((uint64_t)size - done, sizeof(buf));
        bool ok = physical
            ? address_space_read(&ctx->machine->address_space, addr + done,
                                 buf, n) == MEMTX_OK
            : cpu_memory_rw_debug(cpu, addr + done, buf, n, false) == 0;

        if (!ok) {
            error_setg(errp, "Invalid addr 0x%016" PRIx64 "/size %" PRId64
                       " specified", addr, size);
            fclose(f);
            return false;
        }
        if (fwrite(buf, 1, n, f) != n) {
            error_setg_errno(errp, errno, "writing memory to '%s'", filename);
            fclose(f);
            return false;
        }
        done += n;
    }
    if (fclose(f) != 0) {
        error_setg_errno(errp, errno, "writing memory to '%s'", filename);
        return false;
    }
    return true;
}

bool qmp_pmemsave(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                         Error **errp)
{
    return monitor_save(ctx, args, true, errp);
}

bool qmp_memsave(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                        Error **errp)
{
    return monitor_save(ctx, args, false, errp);
}

/* --- human-monitor-command --- */

bool qmp_human_monitor_command(MonitorCmdCtx *ctx, json_t *args,
                               json_t **ret, Error **errp)
{
    int64_t cpu_index = monitor_arg_int(args, "cpu-index", 0);
    char *out;

    if (cpu_index < 0 || (uint64_t)cpu_index >= MAX(ctx->machine->nr_cpus,
                                                    1u)) {
        error_setg(errp, "Parameter 'cpu-index' expects a CPU number");
        return false;
    }
    out = monitor_hmp_capture(ctx->machine, cpu_index,
                              monitor_arg_str(args, "command-line"));
    *ret = json_string(out);
    if (!*ret) {
        size_t len;
        char *clean = utf8_sanitize((const uint8_t *)out, strlen(out), &len);

        *ret = json_stringn(clean, len);
        free(clean);
    }
    free(out);
    return true;
}


/* --- network --- */

bool qmp_set_link(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                  Error **errp)
{
    return net_set_link(ctx->machine, monitor_arg_str(args, "name"),
                        monitor_arg_bool(args, "up", true), errp);
}
