/*
 * gdbstub/gdbstub-internal.h — what the files of gdbstub/ share: the
 * server state, the packet output helpers and the execution control the
 * packet handlers call.
 *
 * gdbstub.c owns the connection (sockets or a chardev), the framing of
 * packets ($data#checksum, acks, escapes, Ctrl-C) and stopping/resuming
 * the machine; packets.c owns the meaning of each packet, one row per
 * packet in a const table.
 */
#ifndef GDBSTUB_GDBSTUB_INTERNAL_H
#define GDBSTUB_GDBSTUB_INTERNAL_H

#include "gdbstub/gdbstub.h"
#include "hw/core/cpu.h"
#include "hw/core/machine.h"

#include <stdatomic.h>

/* The largest packet either side sends (advertised in qSupported). */
#define GDB_PACKET_SIZE 0x4000

/* GDB's signal numbers for stop replies (gdb/signals.def). */
enum {
    GDB_SIGNAL_INT = 2,
    GDB_SIGNAL_TRAP = 5,
};

/* What one hart does on resume. */
typedef enum GDBAction {
    GDB_ACTION_NONE,            /* stays stopped */
    GDB_ACTION_CONTINUE,
    GDB_ACTION_STEP,
} GDBAction;

typedef enum GDBRecvState {
    GDB_RECV_IDLE,              /* between packets: '$', Ctrl-C, acks */
    GDB_RECV_DATA,
    GDB_RECV_ESCAPE,            /* after '}' */
    GDB_RECV_CHECKSUM1,
    GDB_RECV_CHECKSUM2,
} GDBRecvState;

typedef struct GDBServer {
    Machine *machine;

    /* Transport: a listening socket and its one client, or a chardev. */
    int listen_fd;
    char *unix_path;            /* unlinked on stop */
    int fd;                     /* connected client, -1 if none */
    Chardev *chr;
    bool connected;

    /* Framing. */
    GDBRecvState state;
    uint8_t *in;                /* packet payload being received */
    size_t in_len;
    bool in_overflow;
    uint8_t in_sum;             /* running checksum of the payload */
    uint8_t sum_hi;             /* first checksum digit */
    bool no_ack;                /* QStartNoAckMode */
    bool in_handler;            /* a packet is being handled */
    char *last_sent;            /* framed, for a '-' retransmission */
    size_t last_sent_len;

    /* The reply being built by a handler. */
    char *out;
    size_t out_len;
    size_t out_cap;

    /* Execution control. */
    CPUState *g_cpu;            /* Hg: registers and memory */
    CPUState *c_cpu;            /* Hc: c/s; NULL = all */
    bool running;               /* resumed by gdb, no stop reported yet */
    int sstep_flags;            /* SSTEP_* for steps (qqemu.sstep) */
    char last_stop[96];         /* the last stop reply, for '?' */
    _Atomic(CPUState *) debug_cpu;  /* set on a vCPU thread */
    BottomHalf *stop_bh;
    MachineNotifier notifier;   /* stops gdb did not ask for */

    char *target_xml;           /* generated once per connection */
} GDBServer;

/* --- gdbstub.c: output and control for the handlers --- */

/* Append to the reply being built. */
void gdb_out(GDBServer *s, const char *data, size_t len);
void gdb_out_str(GDBServer *s, const char *str);
void gdb_out_fmt(GDBServer *s, const char *fmt, ...) PRINTF_FMT(2, 3);
void gdb_out_hex(GDBServer *s, const uint8_t *data, size_t len);
/* Binary data (qXfer): escape '#', '$', '}' and '*'. */
void gdb_out_binary(GDBServer *s, const uint8_t *data, size_t len);
/* Send the reply built so far as one packet and start a new one. */
void gdb_send_reply(GDBServer *s);

/* The gdb thread id of @cpu (index + 1) and back (NULL: none). */
unsigned gdb_thread_id(const CPUState *cpu);
CPUState *gdb_cpu_by_thread(GDBServer *s, unsigned tid);

/* Resume: @actions has one entry per hart. The stop is reported later. */
void gdb_resume(GDBServer *s, const GDBAction *actions);
/* Remove gdb's breakpoints, watchpoints and steps (detach, disconnect);
 * with @resume, also restart a machine stopped for gdb (detach). */
void gdb_release_machine(GDBServer *s, bool resume);
/* End the connection (after 'k' or a fatal error). */
void gdb_disconnect(GDBServer *s);

/* --- packets.c --- */

/* Handle one received packet (payload unescaped, @len bytes). */
void gdb_handle_packet(GDBServer *s, const char *pkt, size_t len);

#endif /* GDBSTUB_GDBSTUB_INTERNAL_H */
