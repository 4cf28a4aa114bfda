/*
 * monitor/commands.c — the one command table QMP and HMP share.
 *
 * Each row is one command. Columns: the QMP name (NULL: HMP only), the
 * HMP name ('|' separates aliases; "info X" rows are the subcommands of
 * info; NULL: QMP only), the HMP usage and help line (what "help" prints),
 * the arguments (types, optional, help; QMP validates against them and
 * HMP parses into them, in this order), the handler, the HMP printer of
 * the result, flags, and the documentation docs/qmp.md is generated from
 * (tests/unit/test-qmp-docs.c fails when the two differ).
 *
 * Names, arguments, results and messages are QEMU's (the qapi schema
 * files, hmp-commands.hx, hmp-commands-info.hx) wherever the command
 * exists in QEMU, so existing clients and habits carry over.
 */
#include "monitor/monitor-cmds.h"

static const char *const ringbuf_formats[] = { "utf8", "base64", NULL };

static const MonitorArg args_qmp_capabilities[] = {
    { "enable", MONITOR_ARG_STRLIST, .optional = true,
      .help = "capabilities to enable (Vireo offers none; \"oob\" is "
              "refused as QEMU refuses it without an I/O thread)" },
    { NULL },
};

static const MonitorArg args_human_monitor_command[] = {
    { "command-line", MONITOR_ARG_STR, .help = "the HMP command to run" },
    { "cpu-index", MONITOR_ARG_INT, .optional = true,
      .help = "the CPU the command acts on (default 0)" },
    { NULL },
};

static const MonitorArg args_memsave[] = {
    { "val", MONITOR_ARG_UINT, .help = "start address (guest virtual; "
      "above 2^63 may be sent negative, as QEMU accepts)" },
    { "size", MONITOR_ARG_INT, .help = "bytes to save" },
    { "filename", MONITOR_ARG_STR, .help = "host file to write" },
    { "cpu-index", MONITOR_ARG_INT, .optional = true, .qmp_only = true,
      .help = "whose page tables translate the addresses (default: the "
              "monitor's current CPU)" },
    { NULL },
};

static const MonitorArg args_pmemsave[] = {
    { "val", MONITOR_ARG_UINT, .help = "start address (guest physical)" },
    { "size", MONITOR_ARG_INT, .help = "bytes to save" },
    { "filename", MONITOR_ARG_STR, .help = "host file to write" },
    { NULL },
};

static const MonitorArg args_ringbuf_read[] = {
    { "device", MONITOR_ARG_STR, .help = "id of a ringbuf chardev" },
    { "size", MONITOR_ARG_INT, .help = "at most this many bytes" },
    { "format", MONITOR_ARG_ENUM, .optional = true, .qmp_only = true,
      .enum_values = ringbuf_formats,
      .help = "utf8 (default; invalid bytes become U+FFFD) or base64" },
    { NULL },
};

static const MonitorArg args_ringbuf_write[] = {
    { "device", MONITOR_ARG_STR, .help = "id of a ringbuf chardev" },
    { "data", MONITOR_ARG_STR, .help = "what to append" },
    { "format", MONITOR_ARG_ENUM, .optional = true, .qmp_only = true,
      .enum_values = ringbuf_formats,
      .help = "utf8 (default) or base64" },
    { NULL },
};

static const MonitorArg args_gdbserver[] = {
    { "device", MONITOR_ARG_STR, .optional = true,
      .help = "tcp::PORT (default tcp::1234), unix:PATH, chardev:ID, or "
              "none to stop serving gdb" },
    { NULL },
};

static const MonitorArg args_help[] = {
    { "name", MONITOR_ARG_REST, .optional = true,
      .help = "a command, or \"info\"" },
    { NULL },
};

static const MonitorArg args_info_registers[] = {
    { "cpustate_all", MONITOR_ARG_FLAG, .optional = true, .flag = 'a',
      .help = "every CPU, not just the current one" },
    { NULL },
};

static const MonitorArg args_info_mtree[] = {
    { "flatview", MONITOR_ARG_FLAG, .optional = true, .flag = 'f',
      .help = "also the flattened view" },
    { NULL },
};

static const MonitorArg args_memory_dump[] = {
    { "fmt", MONITOR_ARG_FMT, .help = "/count, format x|d|u|o|c|i, "
      "size b|h|w|g" },
    { "addr", MONITOR_ARG_INT, .help = "start address" },
    { NULL },
};

static const MonitorArg args_log[] = {
    { "items", MONITOR_ARG_STR, .help = "comma-separated -d items, or none" },
    { NULL },
};

static const MonitorArg args_cpu[] = {
    { "index", MONITOR_ARG_INT, .help = "CPU index" },
    { NULL },
};

static const MonitorArg args_set_link[] = {
    { "name", MONITOR_ARG_STR, .help = "a NIC (device id, or "
      "virtio-net-device.N) or a -netdev id" },
    { "up", MONITOR_ARG_BOOL, .help = "true: cable in; false: cable out" },
    { NULL },
};

const MonitorCommand monitor_commands[] = {
    /* QMP session control */
    { .qmp = "qmp_capabilities",
      .help = "leave capabilities negotiation mode (enables the other "
              "commands and events)",
      .args = args_qmp_capabilities, .run = qmp_capabilities,
      .flags = MONITOR_CMD_NEGOTIATION | MONITOR_CMD_NEGOTIATION_ONLY,
      .returns = "{}",
      .example = "-> {\"execute\": \"qmp_capabilities\"}\n"
                 "<- {\"return\": {}}" },
    { .qmp = "query-commands",
      .help = "list the QMP commands",
      .run = qmp_query_commands,
      .returns = "[{\"name\": string}]",
      .example = "-> {\"execute\": \"query-commands\"}\n"
                 "<- {\"return\": [{\"name\": \"qmp_capabilities\"}, "
                 "{\"name\": \"query-commands\"}, ...]}" },
    { .qmp = "human-monitor-command",
      .help = "run an HMP command and return what it printed",
      .args = args_human_monitor_command, .run = qmp_human_monitor_command,
      .returns = "string (the output, lines ending in \\r\\n)",
      .example = "-> {\"execute\": \"human-monitor-command\", \"arguments\": "
                 "{\"command-line\": \"info status\"}}\n"
                 "<- {\"return\": \"VM status: running\\r\\n\"}" },

    /* queries */
    { .qmp = "query-version", .hmp = "info version",
      .help = "show the version of Vireo",
      .run = qmp_query_version, .hmp_print = hmp_print_version,
      .returns = "{\"qemu\": {\"major\", \"minor\", \"micro\"}, "
                 "\"package\": string}",
      .example = "-> {\"execute\": \"query-version\"}\n"
                 "<- {\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 1, "
                 "\"major\": 0}, \"package\": \"\"}}" },
    { .qmp = "query-status", .hmp = "info status",
      .help = "show the current VM status (running|paused)",
      .run = qmp_query_status, .hmp_print = hmp_print_status,
      .returns = "{\"status\": string, \"singlestep\": false, "
                 "\"running\": boolean}",
      .example = "-> {\"execute\": \"query-status\"}\n"
                 "<- {\"return\": {\"status\": \"running\", \"singlestep\": "
                 "false, \"running\": true}}" },
    { .qmp = "query-name", .hmp = "info name",
      .help = "show the current VM name",
      .run = qmp_query_name, .hmp_print = hmp_print_name,
      .returns = "{\"name\": string} (empty without -name)",
      .example = "-> {\"execute\": \"query-name\"}\n"
                 "<- {\"return\": {\"name\": \"guest0\"}}" },
    { .qmp = "query-machines",
      .help = "list the machine types of this binary",
      .run = qmp_query_machines,
      .returns = "[{\"name\", \"is-default\" (if so), \"cpu-max\", "
                 "\"hotpluggable-cpus\", \"numa-mem-supported\", "
                 "\"deprecated\", \"default-cpu-type\", \"acpi\"}]",
      .example = "-> {\"execute\": \"query-machines\"}\n"
                 "<- {\"return\": [{\"name\": \"virt\", \"is-default\": "
                 "true, \"cpu-max\": 512, ...}, ...]}" },
    { .qmp = "query-cpus-fast", .hmp = "info cpus",
      .help = "show information for each CPU",
      .run = qmp_query_cpus_fast, .hmp_print = hmp_print_cpus,
      .returns = "[{\"cpu-index\", \"thread-id\", \"props\", \"qom-path\", "
                 "\"target\"}]",
      .example = "-> {\"execute\": \"query-cpus-fast\"}\n"
                 "<- {\"return\": [{\"cpu-index\": 0, \"thread-id\": 4242, "
                 "\"props\": {\"core-id\": 0, \"socket-id\": 0, "
                 "\"thread-id\": 0}, \"qom-path\": "
                 "\"/machine/soc0/harts[0]\", \"target\": \"riscv64\"}]}" },
    { .qmp = "query-kvm", .hmp = "info kvm",
      .help = "show KVM information",
      .run = qmp_query_kvm, .hmp_print = hmp_print_kvm,
      .returns = "{\"enabled\": boolean, \"present\": boolean}",
      .example = "-> {\"execute\": \"query-kvm\"}\n"
                 "<- {\"return\": {\"enabled\": false, \"present\": "
                 "false}}" },
    { .qmp = "query-block", .hmp = "info block",
      .help = "show the block devices",
      .run = qmp_query_block, .hmp_print = hmp_print_block,
      .returns = "[{\"device\", \"locked\", \"removable\", \"type\", "
                 "\"inserted\": {\"file\", \"ro\", \"drv\", \"cache\", "
                 "\"image\": {\"filename\", \"format\", \"virtual-size\", "
                 "...}, ...}}]",
      .example = "-> {\"execute\": \"query-block\"}\n"
                 "<- {\"return\": [{\"device\": \"virtio0\", \"locked\": "
                 "false, \"removable\": false, \"type\": \"unknown\", "
                 "\"inserted\": {\"file\": \"disk.img\", \"ro\": false, "
                 "\"drv\": \"raw\", ...}}]}" },
    { .qmp = "query-blockstats", .hmp = "info blockstats",
      .help = "show block device statistics",
      .run = qmp_query_blockstats, .hmp_print = hmp_print_blockstats,
      .returns = "[{\"device\", \"stats\": {\"rd_bytes\", \"wr_bytes\", "
                 "\"rd_operations\", ...}}] (the counters read 0 until the "
                 "block layer keeps accounts)",
      .example = "-> {\"execute\": \"query-blockstats\"}\n"
                 "<- {\"return\": [{\"device\": \"virtio0\", \"stats\": "
                 "{\"rd_bytes\": 0, ...}}]}" },
    { .qmp = "query-chardev", .hmp = "info chardev",
      .help = "show the character devices",
      .run = qmp_query_chardev, .hmp_print = hmp_print_chardev,
      .returns = "[{\"label\", \"filename\", \"frontend-open\"}]",
      .example = "-> {\"execute\": \"query-chardev\"}\n"
                 "<- {\"return\": [{\"label\": \"serial0\", \"filename\": "
                 "\"mux\", \"frontend-open\": true}, {\"label\": "
                 "\"serial0-base\", \"filename\": \"stdio\", "
                 "\"frontend-open\": true}]}" },

    /* run control */
    { .qmp = "stop", .hmp = "stop",
      .help = "stop emulation",
      .run = qmp_stop, .returns = "{} (a STOP event follows if it ran)",
      .example = "-> {\"execute\": \"stop\"}\n<- {\"return\": {}}\n"
                 "<- {\"timestamp\": {...}, \"event\": \"STOP\"}" },
    { .qmp = "cont", .hmp = "cont|c",
      .help = "resume emulation",
      .run = qmp_cont, .returns = "{} (a RESUME event follows if stopped)",
      .example = "-> {\"execute\": \"cont\"}\n<- {\"return\": {}}\n"
                 "<- {\"timestamp\": {...}, \"event\": \"RESUME\"}" },
    { .qmp = "system_reset", .hmp = "system_reset",
      .help = "reset the system",
      .run = qmp_system_reset, .returns = "{} (a RESET event follows)",
      .example = "-> {\"execute\": \"system_reset\"}\n<- {\"return\": {}}\n"
                 "<- {\"timestamp\": {...}, \"event\": \"RESET\", \"data\": "
                 "{\"guest\": false, \"reason\": "
                 "\"host-qmp-system-reset\"}}" },
    { .qmp = "system_powerdown", .hmp = "system_powerdown",
      .help = "send system power down event",
      .run = qmp_system_powerdown,
      .returns = "{} (a POWERDOWN event follows)",
      .example = "-> {\"execute\": \"system_powerdown\"}\n"
                 "<- {\"return\": {}}\n"
                 "<- {\"timestamp\": {...}, \"event\": \"POWERDOWN\"}" },
    { .qmp = "quit", .hmp = "quit|q",
      .help = "quit the emulator",
      .run = qmp_quit,
      .returns = "{} (then a SHUTDOWN event, and Vireo exits 0)",
      .example = "-> {\"execute\": \"quit\"}\n<- {\"return\": {}}\n"
                 "<- {\"timestamp\": {...}, \"event\": \"SHUTDOWN\", "
                 "\"data\": {\"guest\": false, \"reason\": "
                 "\"host-qmp-quit\"}}" },

    /* network */
    { .qmp = "set_link", .hmp = "set_link", .hmp_params = "name on|off",
      .help = "change the link status of a network adapter",
      .args = args_set_link, .run = qmp_set_link,
      .returns = "{} (a netdev also takes its NIC along; the guest sees "
                 "the link change)",
      .example = "-> {\"execute\": \"set_link\", \"arguments\": "
                 "{\"name\": \"n0\", \"up\": false}}\n"
                 "<- {\"return\": {}}" },

    /* memory */
    { .qmp = "pmemsave", .hmp = "pmemsave", .hmp_params = "addr size file",
      .help = "save to disk physical memory dump starting at 'addr' of size "
              "'size'",
      .args = args_pmemsave, .run = qmp_pmemsave, .returns = "{}",
      .example = "-> {\"execute\": \"pmemsave\", \"arguments\": {\"val\": "
                 "2149580800, \"size\": 4096, \"filename\": "
                 "\"/tmp/phys\"}}\n<- {\"return\": {}}" },
    { .qmp = "memsave", .hmp = "memsave", .hmp_params = "addr size file",
      .help = "save to disk virtual memory dump starting at 'addr' of size "
              "'size'",
      .args = args_memsave, .run = qmp_memsave, .returns = "{}",
      .example = "-> {\"execute\": \"memsave\", \"arguments\": {\"val\": "
                 "-2147483648, \"size\": 4096, \"filename\": \"/tmp/virt\", "
                 "\"cpu-index\": 0}}\n<- {\"return\": {}}" },

    /* ring buffers */
    { .qmp = "ringbuf-read", .hmp = "ringbuf_read",
      .hmp_params = "device size",
      .help = "Read from a ring buffer character device",
      .args = args_ringbuf_read, .run = qmp_ringbuf_read,
      .hmp_print = hmp_print_ringbuf,
      .returns = "string (what was read, now gone from the ring)",
      .example = "-> {\"execute\": \"ringbuf-read\", \"arguments\": "
                 "{\"device\": \"rb0\", \"size\": 1024, \"format\": "
                 "\"utf8\"}}\n<- {\"return\": \"hello\"}" },
    { .qmp = "ringbuf-write", .hmp = "ringbuf_write",
      .hmp_params = "device data",
      .help = "Write to a ring buffer character device",
      .args = args_ringbuf_write, .run = qmp_ringbuf_write, .returns = "{}",
      .example = "-> {\"execute\": \"ringbuf-write\", \"arguments\": "
                 "{\"device\": \"rb0\", \"data\": \"aGVsbG8=\", \"format\": "
                 "\"base64\"}}\n<- {\"return\": {}}" },

    /* HMP only */
    { .hmp = "help|?", .hmp_params = "[cmd]",
      .help = "show the help", .args = args_help, .run = hmp_help },
    { .hmp = "info", .hmp_params = "[subcommand]",
      .help = "show various information about the system state",
      .run = hmp_info },
    { .hmp = "info registers", .hmp_params = "[-a]",
      .help = "show the cpu registers (-a: all CPUs)",
      .args = args_info_registers, .run = hmp_info_registers },
    { .hmp = "info mtree", .hmp_params = "[-f]",
      .help = "show memory tree (-f: also the flat view)",
      .args = args_info_mtree, .run = hmp_info_mtree },
    { .hmp = "info qtree",
      .help = "show device tree", .run = hmp_info_qtree },
    { .hmp = "info network",
      .help = "show the network state", .run = hmp_info_network },
    { .hmp = "x", .hmp_params = "/fmt addr",
      .help = "virtual memory dump starting at 'addr'",
      .args = args_memory_dump, .run = hmp_x },
    { .hmp = "xp", .hmp_params = "/fmt addr",
      .help = "physical memory dump starting at 'addr'",
      .args = args_memory_dump, .run = hmp_xp },
    { .hmp = "log", .hmp_params = "item1[,...]",
      .help = "activate logging of the specified items",
      .args = args_log, .run = hmp_log },
    { .hmp = "cpu", .hmp_params = "index",
      .help = "set the default CPU", .args = args_cpu, .run = hmp_cpu },
    { .hmp = "gdbserver", .hmp_params = "[device]",
      .help = "start gdbserver on given device (default 'tcp::1234'), stop "
              "with 'none'",
      .args = args_gdbserver, .run = hmp_gdbserver },
    { NULL },
};

const MonitorCommand *monitor_command_find_qmp(const char *name)
{
    for (const MonitorCommand *c = monitor_commands; c->qmp || c->hmp; c++) {
        if (c->qmp && !strcmp(c->qmp, name)) {
            return c;
        }
    }
    return NULL;
}
