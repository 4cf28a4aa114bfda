/*
 * gdbstub/packets.c — what each packet of the GDB Remote Serial Protocol
 * means to Vireo: one row per packet in gdb_packets[], one handler each.
 * (GDB manual, appendix E: "Packets", "General Query Packets", "Stop
 * Reply Packets", "Host I/O" is not offered; the target description comes
 * from "qXfer:features:read", see "Target Descriptions".)
 *
 * Threads are harts: gdb thread N is hart N-1 (thread ids start at 1;
 * 0 means "any" and -1 "all"). Registers and memory are read through the
 * Hg thread's CPU: memory by its current virtual view (its page tables,
 * without side effects), falling back to nothing for unmapped pages.
 *
 * Replies: every packet gets exactly one reply, except the resume packets
 * (c, s, vCont...), whose reply is the stop reply sent when the machine
 * stops again, and k. Unknown packets get the empty reply, as the protocol
 * asks. Errors are "Enn" with errno-like numbers (E14 bad address, E22
 * invalid argument, E16 busy: the guest is running).
 */
#include "gdbstub/gdbstub-internal.h"
#include "monitor/monitor.h"
#include "util/error.h"

typedef void GDBPacketHandler(GDBServer *s, const char *args, size_t len);

typedef struct GDBPacketType {
    const char *name;       /* one letter, or the whole q/Q/v name */
    GDBPacketHandler *handler;
    bool need_stopped;      /* touches CPU state: not while running */
} GDBPacketType;

/* --- parsing --- */

static int hexval(char c)
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

/* A hex number of at most 16 digits at *p; advances *p. */
static bool parse_hex(const char **p, uint64_t *val)
{
    const char *q = *p;
    uint64_t v = 0;
    int d, n = 0;

    while ((d = hexval(*q)) >= 0) {
        if (++n > 16) {
            return false;
        }
        v = v << 4 | d;
        q++;
    }
    if (!n) {
        return false;
    }
    *p = q;
    *val = v;
    return true;
}

/* Expect @c at *p and step over it. */
static bool parse_char(const char **p, char c)
{
    if (**p != c) {
        return false;
    }
    (*p)++;
    return true;
}

/* A thread id: "-1" (all, returned as -1), hex, or "pPID.TID". */
static bool parse_thread(const char **p, int64_t *tid)
{
    uint64_t v;

    if ((*p)[0] == '-' && (*p)[1] == '1') {
        *p += 2;
        *tid = -1;
        return true;
    }
    if (**p == 'p') {
        (*p)++;
        if (!parse_hex(p, &v) || !parse_char(p, '.')) {
            return false;
        }
        return parse_thread(p, tid);
    }
    if (!parse_hex(p, &v) || v > INT32_MAX) {
        return false;
    }
    *tid = v;
    return true;
}

/* Decode @n hex pairs at @hex into @buf; false on a bad digit. */
static bool decode_hex(const char *hex, uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            return false;
        }
        buf[i] = hi << 4 | lo;
    }
    return true;
}

/* --- replies --- */

static void reply(GDBServer *s, const char *str)
{
    gdb_out_str(s, str);
    gdb_send_reply(s);
}

static void reply_error(GDBServer *s, int code)
{
    gdb_out_fmt(s, "E%02d", code);
    gdb_send_reply(s);
}

/* qXfer-style reply: @data[offset, offset+len) with 'm' (more) or 'l'. */
static void reply_xfer(GDBServer *s, const char *data, size_t size,
                       uint64_t offset, uint64_t len)
{
    if (offset >= size) {
        reply(s, "l");
        return;
    }
    len = MIN(len, size - offset);
    len = MIN(len, (uint64_t)GDB_PACKET_SIZE / 2);
    gdb_out_str(s, offset + len < size ? "m" : "l");
    gdb_out_binary(s, (const uint8_t *)data + offset, len);
    gdb_send_reply(s);
}

static const CPUGDBOps *gdb_ops(GDBServer *s)
{
    return s->g_cpu->ops->gdb;
}

/* --- stop reason, threads --- */

static void handle_stop_reason(GDBServer *s, const char *args, size_t len)
{
    reply(s, s->last_stop);
}

static void handle_set_thread(GDBServer *s, const char *args, size_t len)
{
    char op = *args++;
    int64_t tid;
    CPUState *cpu = NULL;

    if ((op != 'g' && op != 'c') || !parse_thread(&args, &tid)) {
        reply_error(s, 22);
        return;
    }
    if (tid > 0) {
        cpu = gdb_cpu_by_thread(s, tid);
        if (!cpu) {
            reply_error(s, 22);
            return;
        }
    }
    if (op == 'g') {
        if (cpu) {
            s->g_cpu = cpu;     /* 0 and -1: keep the current one */
        }
    } else {
        s->c_cpu = tid == -1 ? NULL : cpu ? cpu : s->c_cpu;
    }
    reply(s, "OK");
}

static void handle_thread_alive(GDBServer *s, const char *args, size_t len)
{
    int64_t tid;

    if (!parse_thread(&args, &tid) || tid <= 0 ||
        !gdb_cpu_by_thread(s, tid)) {
        reply_error(s, 22);
        return;
    }
    reply(s, "OK");
}

static void handle_current_thread(GDBServer *s, const char *args, size_t len)
{
    gdb_out_fmt(s, "QC%x", gdb_thread_id(s->c_cpu ? s->c_cpu : s->g_cpu));
    gdb_send_reply(s);
}

static void handle_first_thread(GDBServer *s, const char *args, size_t len)
{
    Machine *m = s->machine;

    gdb_out_str(s, "m");
    for (unsigned i = 0; i < m->nr_cpus; i++) {
        gdb_out_fmt(s, i ? ",%x" : "%x", gdb_thread_id(m->cpus[i]));
    }
    gdb_send_reply(s);
}

static void handle_next_thread(GDBServer *s, const char *args, size_t len)
{
    reply(s, "l");      /* qfThreadInfo listed them all */
}

static const char *cpu_state_name(const CPUState *cpu)
{
    return cpu->powered_off ? "powered off" : cpu->halted ? "halted "
                                                          : "running";
}

static void handle_thread_extra_info(GDBServer *s, const char *args,
                                     size_t len)
{
    int64_t tid;
    CPUState *cpu;
    char info[64];

    if (!parse_thread(&args, &tid) || !(cpu = gdb_cpu_by_thread(s, tid))) {
        reply_error(s, 22);
        return;
    }
    snprintf(info, sizeof(info), "CPU#%u [%s]", cpu->index,
             cpu_state_name(cpu));
    gdb_out_hex(s, (const uint8_t *)info, strlen(info));
    gdb_send_reply(s);
}

/* --- registers --- */

static void handle_read_regs(GDBServer *s, const char *args, size_t len)
{
    const CPUGDBOps *ops = gdb_ops(s);
    uint8_t buf[CPU_GDB_MAX_REG_BYTES];

    for (unsigned n = 0; n < ops->g_regs; n++) {
        bool available;
        int size = ops->read_register(s->g_cpu, n, buf, &available);

        if (available) {
            gdb_out_hex(s, buf, size);
        } else {
            for (int i = 0; i < size; i++) {
                gdb_out_str(s, "xx");
            }
        }
    }
    gdb_send_reply(s);
}

static void handle_write_regs(GDBServer *s, const char *args, size_t len)
{
    const CPUGDBOps *ops = gdb_ops(s);
    uint8_t buf[CPU_GDB_MAX_REG_BYTES];
    size_t left = len;

    for (unsigned n = 0; n < ops->g_regs && left; n++) {
        bool available;
        int size = ops->read_register(s->g_cpu, n, buf, &available);

        if (left < (size_t)size * 2 || !decode_hex(args, buf, size) ||
            !ops->write_register(s->g_cpu, n, buf, size)) {
            reply_error(s, 22);
            return;
        }
        args += size * 2;
        left -= size * 2;
    }
    reply(s, "OK");
}

static void handle_read_reg(GDBServer *s, const char *args, size_t len)
{
    const CPUGDBOps *ops = gdb_ops(s);
    uint8_t buf[CPU_GDB_MAX_REG_BYTES];
    uint64_t n;
    bool available;
    int size;

    if (!parse_hex(&args, &n) || *args || n >= UINT32_MAX) {
        reply_error(s, 22);
        return;
    }
    size = ops->read_register(s->g_cpu, n, buf, &available);
    if (!size) {
        reply_error(s, 22);
        return;
    }
    if (available) {
        gdb_out_hex(s, buf, size);
    } else {
        for (int i = 0; i < size; i++) {
            gdb_out_str(s, "xx");
        }
    }
    gdb_send_reply(s);
}

static void handle_write_reg(GDBServer *s, const char *args, size_t len)
{
    const CPUGDBOps *ops = gdb_ops(s);
    uint8_t buf[CPU_GDB_MAX_REG_BYTES];
    const char *end = args + len;
    uint64_t n;
    bool available;
    size_t bytes;
    int size;

    if (!parse_hex(&args, &n) || !parse_char(&args, '=') ||
        n >= UINT32_MAX) {
        reply_error(s, 22);
        return;
    }
    size = ops->read_register(s->g_cpu, n, buf, &available);
    bytes = (end - args) / 2;
    if (!size || (end - args) % 2 || bytes != (size_t)size ||
        !decode_hex(args, buf, bytes) ||
        !ops->write_register(s->g_cpu, n, buf, bytes)) {
        reply_error(s, 22);
        return;
    }
    reply(s, "OK");
}

/* --- memory --- */

/* "ADDR,LEN" then @sep; false on a malformed header. */
static bool parse_addr_len(const char **p, uint64_t *addr, uint64_t *len,
                           char sep)
{
    return parse_hex(p, addr) && parse_char(p, ',') && parse_hex(p, len) &&
           (sep == '\0' ? **p == '\0' : parse_char(p, sep));
}

static void handle_read_mem(GDBServer *s, const char *args, size_t len)
{
    uint64_t addr, size, done = 0;
    uint8_t buf[GDB_PACKET_SIZE / 2];

    if (!parse_addr_len(&args, &addr, &size, '\0')) {
        reply_error(s, 22);
        return;
    }
    size = MIN(size, (uint64_t)sizeof(buf) - 8);
    /* Page by page: gdb takes a short read up to the first hole. */
    while (done < size) {
        uint64_t a = addr + done;
        uint64_t n = MIN(size - done, 4096 - (a & 4095));

        if (cpu_memory_rw_debug(s->g_cpu, a, buf + done, n, false) < 0) {
            break;
        }
        done += n;
    }
    if (size && !done) {
        reply_error(s, 14);
        return;
    }
    gdb_out_hex(s, buf, done);
    gdb_send_reply(s);
}

static void write_mem(GDBServer *s, uint64_t addr, uint8_t *data,
                      uint64_t size)
{
    if (size && cpu_memory_rw_debug(s->g_cpu, addr, data, size, true) < 0) {
        reply_error(s, 14);
        return;
    }
    reply(s, "OK");
}

static void handle_write_mem(GDBServer *s, const char *args, size_t len)
{
    const char *end = args + len;
    uint64_t addr, size;
    uint8_t *data;

    if (!parse_addr_len(&args, &addr, &size, ':') ||
        (uint64_t)(end - args) != size * 2) {
        reply_error(s, 22);
        return;
    }
    data = xmalloc(size + 1);
    if (!decode_hex(args, data, size)) {
        reply_error(s, 22);
    } else {
        write_mem(s, addr, data, size);
    }
    free(data);
}

static void handle_write_mem_binary(GDBServer *s, const char *args,
                                    size_t len)
{
    const char *end = args + len;
    uint64_t addr, size;

    /* The payload is already unescaped; X with no data probes support. */
    if (!parse_addr_len(&args, &addr, &size, ':') ||
        (uint64_t)(end - args) != size) {
        reply_error(s, 22);
        return;
    }
    write_mem(s, addr, (uint8_t *)args, size);
}

/* --- breakpoints and watchpoints --- */

/* Z/z type → CPUState flags; 0 for types we do not offer. */
static int point_flags(uint64_t type)
{
    static const int flags[] = {
        [0] = BP_GDB,                   /* software breakpoint */
        [1] = BP_GDB,                   /* hardware breakpoint: the same */
        [2] = BP_GDB | BP_MEM_WRITE,    /* write watchpoint */
        [3] = BP_GDB | BP_MEM_READ,     /* read watchpoint */
        [4] = BP_GDB | BP_MEM_ACCESS,   /* access watchpoint */
    };

    return type < ARRAY_SIZE(flags) ? flags[type] : 0;
}

static void handle_point(GDBServer *s, const char *args, bool insert)
{
    Machine *m = s->machine;
    uint64_t type, addr, kind;
    unsigned done = 0;
    bool was_running;
    int flags;

    /* "TYPE,ADDR,KIND" and possibly ";cond..." that we do not use. */
    if (!parse_hex(&args, &type) || !parse_char(&args, ',') ||
        !parse_hex(&args, &addr) || !parse_char(&args, ',') ||
        !parse_hex(&args, &kind) || (*args && *args != ';')) {
        reply_error(s, 22);
        return;
    }
    flags = point_flags(type);
    if (!flags) {
        reply(s, "");
        return;
    }
    if ((flags & BP_MEM_ACCESS) && gdb_ops(s)->stop_before_watchpoint) {
        flags |= BP_STOP_BEFORE_ACCESS;
    }
    /* The lists change only with the vCPUs parked (hw/core/cpu.h); the
     * monitor's "cont" may have restarted them behind gdb's back. */
    was_running = m->run_state == RUN_STATE_RUNNING;
    if (was_running) {
        vm_stop(m, RUN_STATE_PAUSED);
    }
    /* gdb's breakpoints hold on every hart, as in QEMU. */
    for (unsigned i = 0; i < m->nr_cpus; i++) {
        CPUState *cpu = m->cpus[i];
        int r;

        if (flags & BP_MEM_ACCESS) {
            r = insert ? cpu_watchpoint_insert(cpu, addr, kind, flags)
                       : cpu_watchpoint_remove(cpu, addr, kind, flags);
        } else {
            r = insert ? cpu_breakpoint_insert(cpu, addr, flags)
                       : cpu_breakpoint_remove(cpu, addr, flags);
        }
        done += r == 0;
    }
    if (was_running) {
        vm_start(m);
    }
    if (!done) {
        reply_error(s, 22);
        return;
    }
    reply(s, "OK");
}

static void handle_insert_point(GDBServer *s, const char *args, size_t len)
{
    handle_point(s, args, true);
}

static void handle_remove_point(GDBServer *s, const char *args, size_t len)
{
    handle_point(s, args, false);
}

/* --- execution --- */

/* "[ADDR]" after c/s: resume there (on the Hc thread). */
static bool resume_at(GDBServer *s, const char *args)
{
    CPUState *cpu = s->c_cpu ? s->c_cpu : s->g_cpu;
    uint64_t addr;

    if (!*args) {
        return true;
    }
    if (!parse_hex(&args, &addr) || *args) {
        return false;
    }
    cpu->ops->set_pc(cpu, addr);
    return true;
}

/* c/s: @step_cpu steps (or nobody), every other hart continues. */
static void resume_all(GDBServer *s, CPUState *step_cpu)
{
    Machine *m = s->machine;
    GDBAction *actions = XNEW_ARRAY(GDBAction, m->nr_cpus);

    for (unsigned i = 0; i < m->nr_cpus; i++) {
        actions[i] = m->cpus[i] == step_cpu ? GDB_ACTION_STEP
                                            : GDB_ACTION_CONTINUE;
    }
    gdb_resume(s, actions);
    free(actions);
}

/* Skip the signal of C/S ("SIG[;ADDR]"): the guest gets no signals. */
static const char *skip_signal(const char *args)
{
    uint64_t sig;

    if (!parse_hex(&args, &sig)) {
        return NULL;
    }
    return *args == ';' ? args + 1 : args;
}

static void handle_continue(GDBServer *s, const char *args, size_t len)
{
    if (!resume_at(s, args)) {
        reply_error(s, 22);
        return;
    }
    resume_all(s, NULL);
}

static void handle_continue_signal(GDBServer *s, const char *args,
                                   size_t len)
{
    args = skip_signal(args);
    if (!args || !resume_at(s, args)) {
        reply_error(s, 22);
        return;
    }
    resume_all(s, NULL);
}

static void handle_step(GDBServer *s, const char *args, size_t len)
{
    if (!resume_at(s, args)) {
        reply_error(s, 22);
        return;
    }
    resume_all(s, s->c_cpu ? s->c_cpu : s->g_cpu);
}

static void handle_step_signal(GDBServer *s, const char *args, size_t len)
{
    args = skip_signal(args);
    if (!args || !resume_at(s, args)) {
        reply_error(s, 22);
        return;
    }
    resume_all(s, s->c_cpu ? s->c_cpu : s->g_cpu);
}

static void handle_vcont_query(GDBServer *s, const char *args, size_t len)
{
    reply(s, "vCont;c;C;s;S");
}

/*
 * vCont;ACTION[:TID];ACTION[:TID]... Each hart takes the leftmost action
 * that names it or has no thread; harts no action applies to stay
 * stopped.
 */
static void handle_vcont(GDBServer *s, const char *args, size_t len)
{
    Machine *m = s->machine;
    GDBAction *actions = XNEW_ARRAY(GDBAction, m->nr_cpus);
    bool any = false;

    while (*args) {
        char op = *args++;
        GDBAction act;
        int64_t tid = -1;

        if (op == 'c' || op == 's') {
            act = op == 'c' ? GDB_ACTION_CONTINUE : GDB_ACTION_STEP;
        } else if (op == 'C' || op == 'S') {
            uint64_t sig;
            act = op == 'C' ? GDB_ACTION_CONTINUE : GDB_ACTION_STEP;
            if (!parse_hex(&args, &sig)) {
                goto bad;
            }
        } else {
            goto bad;
        }
        if (*args == ':' && (args++, !parse_thread(&args, &tid))) {
            goto bad;
        }
        if (*args && !parse_char(&args, ';')) {
            goto bad;
        }
        for (unsigned i = 0; i < m->nr_cpus; i++) {
            if (actions[i] == GDB_ACTION_NONE &&
                (tid <= 0 || gdb_thread_id(m->cpus[i]) == tid)) {
                actions[i] = act;
                any = true;
            }
        }
    }
    if (!any) {
        goto bad;
    }
    gdb_resume(s, actions);
    free(actions);
    return;
bad:
    free(actions);
    reply_error(s, 22);
}

static void handle_detach(GDBServer *s, const char *args, size_t len)
{
    reply(s, "OK");
    gdb_release_machine(s, true);
}

/* End the emulator, as QEMU does for gdb's "kill". */
static void kill_machine(GDBServer *s)
{
    error_report("terminated via the gdb stub");
    machine_request_shutdown(s->machine, SHUTDOWN_CAUSE_HOST_UI, 0);
    gdb_release_machine(s, false);
    gdb_disconnect(s);
}

static void handle_kill(GDBServer *s, const char *args, size_t len)
{
    kill_machine(s);        /* k has no reply */
}

static void handle_vkill(GDBServer *s, const char *args, size_t len)
{
    reply(s, "OK");
    kill_machine(s);
}

/* --- queries --- */

static void handle_supported(GDBServer *s, const char *args, size_t len)
{
    gdb_out_fmt(s, "PacketSize=%x;qXfer:features:read+;"
                "qXfer:threads:read+;vContSupported+;QStartNoAckMode+",
                GDB_PACKET_SIZE);
    gdb_send_reply(s);
}

static void handle_no_ack(GDBServer *s, const char *args, size_t len)
{
    reply(s, "OK");
    s->no_ack = true;       /* from the next packet on */
}

static void handle_attached(GDBServer *s, const char *args, size_t len)
{
    reply(s, "1");          /* detach, not kill, when gdb quits */
}

static void handle_symbol(GDBServer *s, const char *args, size_t len)
{
    reply(s, "OK");         /* no symbols wanted */
}

static char *threads_xml(GDBServer *s)
{
    Machine *m = s->machine;
    char *xml = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&xml, &size);

    if (!f) {
        return NULL;
    }
    fputs("<?xml version=\"1.0\"?>\n<threads>\n", f);
    for (unsigned i = 0; i < m->nr_cpus; i++) {
        CPUState *cpu = m->cpus[i];
        fprintf(f, "<thread id=\"%x\" core=\"%u\" name=\"hart%u\">"
                "CPU#%u [%s]</thread>\n", gdb_thread_id(cpu), cpu->index,
                cpu->index, cpu->index, cpu_state_name(cpu));
    }
    fputs("</threads>\n", f);
    fclose(f);
    return xml;
}

/* qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH */
static void handle_xfer(GDBServer *s, const char *args, size_t len)
{
    const char *annex;
    uint64_t offset, length;
    char *threads;

    if (!strncmp(args, "features:read:", 14)) {
        annex = args + 14;
        if (strncmp(annex, "target.xml:", 11)) {
            reply_error(s, 0);  /* we describe everything in target.xml */
            return;
        }
        args = annex + 11;
        if (!parse_addr_len(&args, &offset, &length, '\0')) {
            reply_error(s, 22);
            return;
        }
        if (!s->target_xml) {
            s->target_xml = gdb_ops(s)->target_xml(s->g_cpu);
        }
        if (!s->target_xml) {
            reply_error(s, 12);
            return;
        }
        reply_xfer(s, s->target_xml, strlen(s->target_xml), offset, length);
    } else if (!strncmp(args, "threads:read::", 14)) {
        args += 14;
        if (!parse_addr_len(&args, &offset, &length, '\0')) {
            reply_error(s, 22);
            return;
        }
        threads = threads_xml(s);
        if (!threads) {
            reply_error(s, 12);
            return;
        }
        reply_xfer(s, threads, strlen(threads), offset, length);
        free(threads);
    } else {
        reply(s, "");           /* an object we do not offer */
    }
}

/*
 * qRcmd,HEX: "monitor CMD" in gdb, run by the HMP monitor with gdb's
 * current thread as the monitor's CPU. The output goes back as console
 * output ("O" packets, hex), then OK.
 */
static void handle_monitor(GDBServer *s, const char *args, size_t len)
{
    size_t n = len / 2, chunk = GDB_PACKET_SIZE / 4;
    char *cmd = xmalloc(n + 1);
    char *out, *w;

    if (len % 2 || !decode_hex(args, (uint8_t *)cmd, n)) {
        free(cmd);
        reply_error(s, 22);
        return;
    }
    cmd[n] = '\0';
    out = monitor_hmp_capture(s->machine, s->g_cpu->index, cmd);
    free(cmd);
    /* The monitor ends lines with "\r\n" for terminals; gdb wants "\n". */
    w = out;
    for (const char *r = out; *r; r++) {
        if (*r != '\r') {
            *w++ = *r;
        }
    }
    *w = '\0';
    for (size_t off = 0, total = strlen(out); off < total; off += chunk) {
        gdb_out_str(s, "O");
        gdb_out_hex(s, (const uint8_t *)out + off, MIN(chunk, total - off));
        gdb_send_reply(s);
    }
    free(out);
    reply(s, "OK");
}

/* QEMU's own packets for the single-step flags ("maintenance packet"). */
static void handle_sstep_bits(GDBServer *s, const char *args, size_t len)
{
    gdb_out_fmt(s, "ENABLE=%x,NOIRQ=%x,NOTIMER=%x", SSTEP_ENABLE,
                SSTEP_NOIRQ, SSTEP_NOTIMER);
    gdb_send_reply(s);
}

static void handle_sstep_get(GDBServer *s, const char *args, size_t len)
{
    gdb_out_fmt(s, "0x%x", s->sstep_flags);
    gdb_send_reply(s);
}

static void handle_sstep_set(GDBServer *s, const char *args, size_t len)
{
    uint64_t flags;

    if (args[0] == '0' && (args[1] == 'x' || args[1] == 'X')) {
        args += 2;
    }
    if (!parse_hex(&args, &flags) || *args ||
        (flags & ~(uint64_t)(SSTEP_ENABLE | SSTEP_NOIRQ | SSTEP_NOTIMER))) {
        reply_error(s, 22);
        return;
    }
    s->sstep_flags = flags;
    reply(s, "OK");
}

/* --- the table --- */

static const GDBPacketType gdb_packets[] = {
    /* name               handler                  stopped */
    { "?",                handle_stop_reason,      false },
    { "c",                handle_continue,         true },  /* [addr] */
    { "C",                handle_continue_signal,  true },  /* sig[;addr] */
    { "D",                handle_detach,           false }, /* [;pid] */
    { "g",                handle_read_regs,        true },
    { "G",                handle_write_regs,       true },
    { "H",                handle_set_thread,       false }, /* g|c tid */
    { "k",                handle_kill,             false },
    { "m",                handle_read_mem,         true },  /* addr,len */
    { "M",                handle_write_mem,        true },  /* addr,len:hex */
    { "p",                handle_read_reg,         true },  /* n */
    { "P",                handle_write_reg,        true },  /* n=hex */
    { "s",                handle_step,             true },  /* [addr] */
    { "S",                handle_step_signal,      true },  /* sig[;addr] */
    { "T",                handle_thread_alive,     false }, /* tid */
    { "X",                handle_write_mem_binary, true },  /* addr,len:bin */
    { "z",                handle_remove_point,     true },  /* type,addr,kind */
    { "Z",                handle_insert_point,     true },  /* type,addr,kind */
    { "qAttached",        handle_attached,         false },
    { "qC",               handle_current_thread,   false },
    { "qfThreadInfo",     handle_first_thread,     false },
    { "qsThreadInfo",     handle_next_thread,      false },
    { "qThreadExtraInfo", handle_thread_extra_info, false },
    { "qRcmd",            handle_monitor,          true },
    { "qSupported",       handle_supported,        false },
    { "qSymbol",          handle_symbol,           false },
    { "qXfer",            handle_xfer,             false },
    { "qqemu.sstepbits",  handle_sstep_bits,       false },
    { "qqemu.sstep",      handle_sstep_get,        false },
    { "Qqemu.sstep",      handle_sstep_set,        false }, /* =flags */
    { "QStartNoAckMode",  handle_no_ack,           false },
    { "vCont?",           handle_vcont_query,      false },
    { "vCont",            handle_vcont,            true },  /* ;act[:tid]... */
    { "vKill",            handle_vkill,            false }, /* ;pid */
};

void gdb_handle_packet(GDBServer *s, const char *pkt, size_t len)
{
    size_t name_len = 1;

    if (len == 0) {
        reply(s, "");
        return;
    }
    if (pkt[0] == 'q' || pkt[0] == 'Q' || pkt[0] == 'v') {
        name_len = strcspn(pkt, ":,;=");
    }
    for (size_t i = 0; i < ARRAY_SIZE(gdb_packets); i++) {
        const GDBPacketType *t = &gdb_packets[i];
        const char *args = pkt + name_len;

        if (strlen(t->name) != name_len || memcmp(t->name, pkt, name_len)) {
            continue;
        }
        if (name_len > 1 && *args && strchr(":,;=", *args)) {
            args++;
        }
        if (t->need_stopped && s->running) {
            reply_error(s, 16);
            return;
        }
        t->handler(s, args, len - (args - pkt));
        return;
    }
    reply(s, "");       /* unknown: the empty reply */
}
