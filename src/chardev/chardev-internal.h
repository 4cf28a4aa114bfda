/*
 * chardev/chardev-internal.h — what the chardev backends share with the
 * registry; not for use outside chardev/.
 *
 * ChardevIO is the plumbing every fd-based backend with input needs (pipe,
 * pty, socket): it watches the input fd only while the front end has room
 * (so input waits in the kernel's buffer rather than being dropped), reads
 * at most what fe_can_read() allows, reports EOF/errors to the backend, and
 * turns a write watch into fe.write_ready(). In and out may be one fd (a
 * socket, a pty master) or two (pipe PATH.in / PATH.out); the main loop
 * keeps one handler per fd, so the two watches are merged when they share
 * it.
 */
#ifndef CHARDEV_CHARDEV_INTERNAL_H
#define CHARDEV_CHARDEV_INTERNAL_H

#include "chardev/chardev.h"

extern const ChardevType chardev_file_type;
extern const ChardevType chardev_mux_type;
extern const ChardevType chardev_null_type;
extern const ChardevType chardev_pipe_type;
extern const ChardevType chardev_pty_type;
extern const ChardevType chardev_ringbuf_type;
extern const ChardevType chardev_socket_type;
extern const ChardevType chardev_stdio_type;

/* Shared by fd-based backends: write to @fd, returning bytes or -errno. */
int chardev_fd_write(int fd, const uint8_t *buf, size_t len);
/* O_NONBLOCK on (true) or off; returns false with errno on failure. */
bool chardev_fd_set_nonblock(int fd, bool on);

typedef struct ChardevIO {
    Chardev *chr;
    int in_fd;              /* -1: no input */
    int out_fd;             /* -1: no output */
    bool paused;            /* do not read (no peer, or EOF seen) */
    bool want_write;        /* a write watch is armed */
    bool in_watched;        /* registered with the main loop ... */
    bool out_watched;       /* ... for read / for write */
    /* Input fd returned EOF (err 0) or an error (-errno). The backend
     * decides: a socket disconnects, a pty waits for a new reader. */
    void (*on_eof)(Chardev *chr, int err);
} ChardevIO;

void chardev_io_init(ChardevIO *io, Chardev *chr, int in_fd, int out_fd,
                     void (*on_eof)(Chardev *chr, int err));
/* Re-evaluate the watches (front end room changed, paused changed). */
void chardev_io_update(ChardevIO *io);
/* Drop every watch (before closing the fds). */
void chardev_io_stop(ChardevIO *io);
void chardev_io_add_write_watch(ChardevIO *io);

#endif /* CHARDEV_CHARDEV_INTERNAL_H */
