/*
 * chardev/char-file.c — the "file" backend: output appended or written to
 * a host file (path=, append=); it never produces input.
 */
#include "chardev/chardev-internal.h"
#include "util/error.h"

#include <fcntl.h>
#include <unistd.h>

typedef struct FileChardev {
    Chardev chr;
    char *path;
    bool append;
    int fd;
} FileChardev;

int chardev_fd_write(int fd, const uint8_t *buf, size_t len)
{
    ssize_t n = write(fd, buf, len);

    return n < 0 ? -errno : (int)n;
}

static bool file_open(Chardev *chr, Error **errp)
{
    FileChardev *f = container_of(chr, FileChardev, chr);
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC |
                (f->append ? O_APPEND : O_TRUNC);

    if (!f->path || !*f->path) {
        error_setg(errp, "file: 'path' is required");
        return false;
    }
    f->fd = open(f->path, flags, 0666);
    if (f->fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", f->path);
        return false;
    }
    return true;
}

static int file_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    return chardev_fd_write(container_of(chr, FileChardev, chr)->fd, buf, len);
}

static char *file_filename(Chardev *chr)
{
    return xasprintf("file:%s", container_of(chr, FileChardev, chr)->path);
}

static void file_close(Chardev *chr)
{
    FileChardev *f = container_of(chr, FileChardev, chr);

    if (f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
    }
}

static const Property file_props[] = {
    DEFINE_PROP_STRING("path", FileChardev, path, "file to write output to"),
    DEFINE_PROP_BOOL("append", FileChardev, append, false,
                     "append instead of truncating"),
    DEFINE_PROP_END,
};

const ChardevType chardev_file_type = {
    .name = "file",
    .desc = "write output to a host file",
    .instance_size = sizeof(FileChardev),
    .props = file_props,
    .open = file_open,
    .write = file_write,
    .filename = file_filename,
    .close = file_close,
};
