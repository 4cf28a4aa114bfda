/*
 * monitor/hmp-cmds.c — commands only HMP has (as in QEMU): examining
 * memory (x, xp), CPU state (info registers, cpu), the memory map (info
 * mtree), the device tree (info qtree) and the debug log (log).
 *
 * Output formats follow QEMU's monitor/hmp-cmds-target.c and
 * monitor/misc.c: x/xp print "%016x:" then up to 16 bytes (8 for byte
 * units) per line, each value in the /fmt's base and zero-padded width.
 */
#include "monitor/monitor-cmds.h"
#include "block/block.h"
#include "chardev/chardev.h"
#include "core/device.h"
#include "exec/memory.h"
#include "gdbstub/gdbstub.h"
#include "hw/core/cpu.h"
#include "net/net.h"
#include "util/error.h"
#include "util/log.h"

/* --- info registers, cpu --- */

static void hmp_dump_cpu(Monitor *mon, CPUState *cpu)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (!f) {
        return;
    }
    if (cpu->ops->dump_state) {
        cpu->ops->dump_state(cpu, f, CPU_DUMP_FPU);
    }
    fclose(f);
    monitor_puts(mon, text);
    free(text);
}

bool hmp_info_registers(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                        Error **errp)
{
    Machine *m = ctx->machine;
    CPUState *cpu = monitor_current_cpu(ctx);

    if (!cpu) {
        error_setg(errp, "No CPU available");
        return false;
    }
    if (monitor_arg_bool(args, "cpustate_all", false)) {
        for (unsigned i = 0; i < m->nr_cpus; i++) {
            monitor_printf(ctx->mon, "\nCPU#%u\n", i);
            hmp_dump_cpu(ctx->mon, m->cpus[i]);
        }
    } else {
        hmp_dump_cpu(ctx->mon, cpu);
    }
    return true;
}

bool hmp_cpu(MonitorCmdCtx *ctx, json_t *args, json_t **ret, Error **errp)
{
    int64_t index = monitor_arg_int(args, "index", 0);

    if (index < 0 || (uint64_t)index >= ctx->machine->nr_cpus ||
        ctx->mon->kind != MONITOR_HMP) {
        monitor_printf(ctx->mon, "invalid CPU index\n");
        return true;
    }
    container_of(ctx->mon, MonitorHMP, common)->cpu_index = index;
    return true;
}

/* --- info mtree, info qtree --- */

bool hmp_info_mtree(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                    Error **errp)
{
    char *text = memory_region_format_tree(&ctx->machine->address_space,
                                           monitor_arg_bool(args, "flatview",
                                                            false));

    monitor_puts(ctx->mon, text);
    free(text);
    return true;
}

bool hmp_info_network(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                      Error **errp)
{
    char *text = net_info_string(ctx->machine);

    monitor_puts(ctx->mon, text);
    free(text);
    return true;
}

static const char *hmp_bus_name(DeviceBusKind kind)
{
    switch (kind) {
    case DEVICE_BUS_VIRTIO:
        return "virtio-bus";
    case DEVICE_BUS_VIRTIO_SERIAL:
        return "virtio-serial-bus";
    default:
        return "System";
    }
}

static void hmp_qtree_device(Monitor *mon, Machine *m, DeviceState *dev,
                             int indent);

/* The devices plugged into @parent (NULL: the system bus). */
static void hmp_qtree_bus(Monitor *mon, Machine *m, DeviceState *parent,
                          const char *name, DeviceBusKind kind, int indent)
{
    monitor_printf(mon, "%*sbus: %s\n", indent, "", name);
    monitor_printf(mon, "%*stype %s\n", indent + 2, "", hmp_bus_name(kind));
    for (DeviceState *d = m->devices; d; d = d->next) {
        if (d->bus_parent == parent) {
            hmp_qtree_device(mon, m, d, indent + 2);
        }
    }
}

static void hmp_qtree_device(Monitor *mon, Machine *m, DeviceState *dev,
                             int indent)
{
    const DeviceType *type = dev->type;
    DeviceState *child = NULL;

    monitor_printf(mon, "%*sdev: %s, id \"%s\"\n", indent, "", type->name,
                   dev->id ? dev->id : "");
    for (const Property *p = type->props; p && p->name; p++) {
        void *link = p->type == PROP_CHARDEV || p->type == PROP_DRIVE
                     ? *(void **)((char *)dev + p->offset) : NULL;
        char *val = link && p->type == PROP_CHARDEV
                    ? xstrdup(((Chardev *)link)->id)
                    : link ? xstrdup(blk_name(link)) : prop_format(dev, p);

        if (p->type == PROP_STRING || p->type == PROP_ENUM ||
            p->type == PROP_CHARDEV || p->type == PROP_DRIVE ||
            p->type == PROP_NETDEV) {
            monitor_printf(mon, "%*s%s = \"%s\"\n", indent + 2, "", p->name,
                           val ? val : "");
        } else {
            monitor_printf(mon, "%*s%s = %s\n", indent + 2, "", p->name,
                           val ? val : "<null>");
        }
        free(val);
    }
    for (DeviceState *d = m->devices; d; d = d->next) {
        if (d->bus_parent == dev) {
            child = d;
            break;
        }
    }
    if (child) {
        char *bus = xasprintf("%s.0", dev->id ? dev->id : type->name);

        hmp_qtree_bus(mon, m, dev, bus, child->type->bus, indent + 2);
        free(bus);
    }
}

bool hmp_info_qtree(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                    Error **errp)
{
    hmp_qtree_bus(ctx->mon, ctx->machine, NULL, "main-system-bus",
                  DEVICE_BUS_SYSTEM, 0);
    return true;
}

/* --- x, xp --- */

/* At most this much memory per x/xp, so one command cannot produce
 * gigabytes of text. */
#define HMP_DUMP_MAX (64 * KiB)

static void hmp_printc(StrBuf *out, int c)
{
    strbuf_append(out, "'", 1);
    switch (c) {
    case '\'':
        strbuf_append(out, "\\'", 2);
        break;
    case '\\':
        strbuf_append(out, "\\\\", 2);
        break;
    case '\n':
        strbuf_append(out, "\\n", 2);
        break;
    case '\r':
        strbuf_append(out, "\\r", 2);
        break;
    default:
        if (c >= 32 && c <= 126) {
            char ch = c;

            strbuf_append(out, &ch, 1);
        } else {
            strbuf_printf(out, "\\x%02x", c);
        }
        break;
    }
    strbuf_append(out, "'", 1);
}

/* x/Ni: @count instructions from @addr, through the CPU's disassembler. */
static void hmp_disassemble(MonitorCmdCtx *ctx, CPUState *cpu, uint64_t addr,
                            int count, bool physical)
{
    if (!cpu || !cpu->ops->disas_insn) {
        monitor_printf(ctx->mon, "x/i: disassembly is not available for "
                       "this CPU\n");
        return;
    }
    for (int i = 0; i < count && i < 4096; i++) {
        uint8_t bytes[16] = { 0 };
        char text[128];
        size_t avail = 0;
        unsigned len;

        /* Read as much as is readable (an instruction may end a page). */
        for (size_t n = sizeof(bytes); n >= 2 && !avail; n /= 2) {
            bool ok = physical
                ? address_space_read(&ctx->machine->address_space, addr,
                                     bytes, n) == MEMTX_OK
                : cpu_memory_rw_debug(cpu, addr, bytes, n, false) == 0;
            avail = ok ? n : 0;
        }
        len = avail ? cpu->ops->disas_insn(cpu, addr, bytes, avail, text,
                                           sizeof(text)) : 0;
        if (!len) {
            monitor_printf(ctx->mon, "0x%016" PRIx64 ":  Cannot access "
                           "memory\n", addr);
            return;
        }
        monitor_printf(ctx->mon, "0x%016" PRIx64 ":  ", addr);
        for (unsigned k = len; k-- > 0;) {
            monitor_printf(ctx->mon, "%02x", bytes[k]);
        }
        monitor_printf(ctx->mon, "%*s  %s\n", (int)(8 - 2 * len), "", text);
        addr += len;
    }
}

static void hmp_memory_dump(MonitorCmdCtx *ctx, json_t *args, bool physical)
{
    int count = monitor_arg_int(args, "count", 1);
    int format = monitor_arg_int(args, "format", 'x');
    int wsize = monitor_arg_int(args, "size", 4);
    uint64_t addr = monitor_arg_int(args, "addr", 0);
    CPUState *cpu = monitor_current_cpu(ctx);
    int line_size, max_digits = 0;
    int64_t len;
    StrBuf out = { 0 };

    if (!cpu && !physical) {
        monitor_printf(ctx->mon, "Can not dump without CPU\n");
        return;
    }
    if (format == 'i') {
        hmp_disassemble(ctx, cpu, addr, count, physical);
        return;
    }
    if (wsize != 1 && wsize != 2 && wsize != 4 && wsize != 8) {
        wsize = 4;
    }
    len = (int64_t)wsize * count;
    if (len > HMP_DUMP_MAX) {
        monitor_printf(ctx->mon, "at most %u bytes can be dumped at once\n",
                       (unsigned)HMP_DUMP_MAX);
        return;
    }
    line_size = wsize == 1 ? 8 : 16;
    switch (format) {
    case 'o':
        max_digits = (wsize * 8 + 2) / 3;
        break;
    case 'u':
    case 'd':
        max_digits = (wsize * 8 * 10 + 32) / 33;
        break;
    case 'c':
        wsize = 1;
        break;
    default:
        format = 'x';
        max_digits = wsize * 2;
        break;
    }
    while (len > 0) {
        uint8_t buf[16];
        int l = MIN(len, (int64_t)line_size);
        bool ok;

        strbuf_printf(&out, "%016" PRIx64 ":", addr);
        ok = physical
             ? address_space_read(&ctx->machine->address_space, addr, buf,
                                  l) == MEMTX_OK
             : cpu_memory_rw_debug(cpu, addr, buf, l, false) == 0;
        if (!ok) {
            strbuf_printf(&out, " Cannot access memory\n");
            break;
        }
        for (int i = 0; i < l; i += wsize) {
            uint64_t v = 0;

            /* Guests here are little-endian (riscv64, x86_64). */
            for (int k = wsize - 1; k >= 0; k--) {
                v = v << 8 | buf[i + k];
            }
            strbuf_append(&out, " ", 1);
            switch (format) {
            case 'o':
                strbuf_printf(&out, "%#*" PRIo64, max_digits, v);
                break;
            case 'x':
                strbuf_printf(&out, "0x%0*" PRIx64, max_digits, v);
                break;
            case 'u':
                strbuf_printf(&out, "%*" PRIu64, max_digits, v);
                break;
            case 'd':
                strbuf_printf(&out, "%*" PRId64, max_digits, (int64_t)v);
                break;
            case 'c':
                hmp_printc(&out, (int)v);
                break;
            }
        }
        strbuf_append(&out, "\n", 1);
        addr += l;
        len -= l;
    }
    if (out.len) {
        monitor_puts(ctx->mon, out.data);
    }
    strbuf_free(&out);
}

bool hmp_x(MonitorCmdCtx *ctx, json_t *args, json_t **ret, Error **errp)
{
    hmp_memory_dump(ctx, args, false);
    return true;
}

bool hmp_xp(MonitorCmdCtx *ctx, json_t *args, json_t **ret, Error **errp)
{
    hmp_memory_dump(ctx, args, true);
    return true;
}

/* --- log --- */

void hmp_log_help(Monitor *mon)
{
    monitor_printf(mon, "Log items (comma separated):\n");
    monitor_printf(mon, "%-10s %s\n", "none", "remove all logs");
    for (size_t i = 0; i < log_categories_count; i++) {
        monitor_printf(mon, "%-10s %s\n", log_categories[i].name,
                       log_categories[i].help);
    }
}

/* --- gdbserver --- */

bool hmp_gdbserver(MonitorCmdCtx *ctx, json_t *args, json_t **ret,
                   Error **errp)
{
    const char *dev = monitor_arg_str(args, "device");

    if (!dev) {
        dev = "tcp::1234";
    }
    if (!gdbserver_start(ctx->machine, dev, errp)) {
        return false;
    }
    if (!strcmp(dev, "none")) {
        monitor_printf(ctx->mon, "Disabled gdbserver\n");
    } else {
        monitor_printf(ctx->mon, "Waiting for gdb connection on device "
                       "'%s'\n", dev);
    }
    return true;
}

bool hmp_log(MonitorCmdCtx *ctx, json_t *args, json_t **ret, Error **errp)
{
    const char *items = monitor_arg_str(args, "items");
    uint32_t mask = 0;
    Error *err = NULL;

    if (strcmp(items, "none")) {
        if (!log_parse_mask(items, &mask, &err) || !mask) {
            error_free(err);
            hmp_log_help(ctx->mon);
            return true;
        }
    }
    ctx->machine->log.mask = mask;
    return true;
}
