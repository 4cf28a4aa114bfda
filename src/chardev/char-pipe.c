/*
 * chardev/char-pipe.c — the "pipe" backend: a pair of named pipes.
 *
 * As in QEMU, path=P opens P.in (input to the front end) and P.out (its
 * output) if both exist, and otherwise P itself for both directions.
 * They are opened O_RDWR, which on a FIFO never blocks at open and never
 * reads EOF when a writer goes away: the pipe outlives the programs that
 * come and go on its other end.
 */
#include "chardev/chardev-internal.h"
#include "util/error.h"

#include <fcntl.h>
#include <unistd.h>

typedef struct PipeChardev {
    Chardev chr;
    char *path;
    int fd_in;
    int fd_out;
    ChardevIO io;
} PipeChardev;

static PipeChardev *pipe_of(Chardev *chr)
{
    return container_of(chr, PipeChardev, chr);
}

static bool pipe_open(Chardev *chr, Error **errp)
{
    PipeChardev *p = pipe_of(chr);
    char *in_path, *out_path;

    p->fd_in = p->fd_out = -1;
    if (!p->path || !*p->path) {
        error_setg(errp, "pipe: 'path' is required");
        return false;
    }
    in_path = xasprintf("%s.in", p->path);
    out_path = xasprintf("%s.out", p->path);
    p->fd_in = open(in_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
    p->fd_out = open(out_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
    free(in_path);
    free(out_path);
    if (p->fd_in < 0 || p->fd_out < 0) {
        if (p->fd_in >= 0) {
            close(p->fd_in);
        }
        if (p->fd_out >= 0) {
            close(p->fd_out);
        }
        p->fd_in = p->fd_out = open(p->path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (p->fd_in < 0) {
            error_setg_errno(errp, errno, "Could not open '%s'", p->path);
            return false;
        }
    }
    chardev_io_init(&p->io, chr, p->fd_in, p->fd_out, NULL);
    return true;
}

static int pipe_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    return chardev_fd_write(pipe_of(chr)->fd_out, buf, len);
}

static void pipe_accept_input(Chardev *chr)
{
    chardev_io_update(&pipe_of(chr)->io);
}

static void pipe_add_write_watch(Chardev *chr)
{
    chardev_io_add_write_watch(&pipe_of(chr)->io);
}

static char *pipe_filename(Chardev *chr)
{
    return xasprintf("pipe:%s", pipe_of(chr)->path);
}

static void pipe_close(Chardev *chr)
{
    PipeChardev *p = pipe_of(chr);

    if (p->io.chr) {
        chardev_io_stop(&p->io);
    }
    if (p->fd_out >= 0 && p->fd_out != p->fd_in) {
        close(p->fd_out);
    }
    if (p->fd_in >= 0) {
        close(p->fd_in);
    }
    p->fd_in = p->fd_out = -1;
}

static const Property pipe_props[] = {
    DEFINE_PROP_STRING("path", PipeChardev, path,
                       "named pipe (or PATH.in and PATH.out)"),
    DEFINE_PROP_END,
};

const ChardevType chardev_pipe_type = {
    .name = "pipe",
    .desc = "a named pipe, or the pair PATH.in/PATH.out",
    .instance_size = sizeof(PipeChardev),
    .props = pipe_props,
    .open = pipe_open,
    .write = pipe_write,
    .accept_input = pipe_accept_input,
    .add_write_watch = pipe_add_write_watch,
    .filename = pipe_filename,
    .close = pipe_close,
};
