/*
 * gdbstub/gdbstub.h — debug the guest with a stock gdb over the GDB
 * Remote Serial Protocol (GDB manual, appendix "Remote Serial Protocol").
 *
 * One server per machine, started by -gdb DEV / -s and by the monitor's
 * "gdbserver" command. DEV is one of
 *   tcp:[HOST]:PORT   listen on TCP (-s is tcp::1234); "PORT" alone too
 *   unix:PATH         listen on a Unix socket
 *   chardev:ID        talk over an existing -chardev
 *   none              no server (the monitor's way to stop one)
 *   any other chardev spec ("stdio", "pipe:PATH", ...)
 * and options such as ",server=on,wait=off" are accepted and ignored (the
 * server never waits for a connection before the guest starts; use -S).
 *
 * Every hart is a gdb thread. The stub stops the whole machine when gdb
 * connects, when a breakpoint, watchpoint or step ends, and on Ctrl-C;
 * resuming restarts the harts gdb asked for (vCont per thread). Detaching
 * removes gdb's breakpoints and lets the guest run on; a lost connection
 * removes them too but leaves a stopped guest stopped, as QEMU does, for
 * the next gdb (or the monitor's "cont").
 */
#ifndef GDBSTUB_GDBSTUB_H
#define GDBSTUB_GDBSTUB_H

#include "util/osdep.h"
#include "util/typedefs.h"

/*
 * Start serving gdb on @dev for @m (BQL held), replacing the machine's
 * current server, if any (the monitor's "gdbserver DEV"). A NULL @dev does
 * nothing; "none" only stops the current server.
 */
bool gdbserver_start(Machine *m, const char *dev, Error **errp);

/*
 * Stop serving: tell a connected gdb that the program exited with
 * @exit_status ("W" packet), remove gdb's breakpoints, close the sockets.
 * Safe to call when no server runs.
 */
void gdbserver_stop(Machine *m, int exit_status);

#endif /* GDBSTUB_GDBSTUB_H */
