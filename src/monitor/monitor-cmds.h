/*
 * monitor/monitor-cmds.h — the command handlers and HMP printers the
 * command table (monitor/commands.c) refers to. qmp-cmds.c holds those
 * QMP has, hmp-cmds.c and hmp.c the HMP-only ones.
 */
#ifndef MONITOR_MONITOR_CMDS_H
#define MONITOR_MONITOR_CMDS_H

#include "monitor/monitor-internal.h"

/* The "version" member of query-version and of the greeting. */
json_t *qmp_version_info(void);

MonitorCmdFn qmp_capabilities;
MonitorCmdFn qmp_query_version;
MonitorCmdFn qmp_query_commands;
MonitorCmdFn qmp_query_status;
MonitorCmdFn qmp_query_name;
MonitorCmdFn qmp_query_machines;
MonitorCmdFn qmp_query_cpus_fast;
MonitorCmdFn qmp_query_kvm;
MonitorCmdFn qmp_query_block;
MonitorCmdFn qmp_query_blockstats;
MonitorCmdFn qmp_query_chardev;
MonitorCmdFn qmp_stop;
MonitorCmdFn qmp_cont;
MonitorCmdFn qmp_system_reset;
MonitorCmdFn qmp_system_powerdown;
MonitorCmdFn qmp_quit;
MonitorCmdFn qmp_human_monitor_command;
MonitorCmdFn qmp_pmemsave;
MonitorCmdFn qmp_memsave;
MonitorCmdFn qmp_ringbuf_read;
MonitorCmdFn qmp_ringbuf_write;
MonitorCmdFn qmp_set_link;

MonitorHmpPrintFn hmp_print_version;
MonitorHmpPrintFn hmp_print_status;
MonitorHmpPrintFn hmp_print_name;
MonitorHmpPrintFn hmp_print_cpus;
MonitorHmpPrintFn hmp_print_kvm;
MonitorHmpPrintFn hmp_print_block;
MonitorHmpPrintFn hmp_print_blockstats;
MonitorHmpPrintFn hmp_print_chardev;
MonitorHmpPrintFn hmp_print_ringbuf;

/* HMP only */
MonitorCmdFn hmp_help;
MonitorCmdFn hmp_info;
MonitorCmdFn hmp_info_registers;
MonitorCmdFn hmp_info_mtree;
MonitorCmdFn hmp_info_qtree;
MonitorCmdFn hmp_info_network;
MonitorCmdFn hmp_cpu;
MonitorCmdFn hmp_x;
MonitorCmdFn hmp_xp;
MonitorCmdFn hmp_log;
MonitorCmdFn hmp_gdbserver;
void hmp_log_help(Monitor *mon);

#endif /* MONITOR_MONITOR_CMDS_H */
