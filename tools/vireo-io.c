/*
 * tools/vireo-io.c — a small qemu-io: run read/write/flush commands
 * against an image through Vireo's block layer.
 *
 * Tests use it to put known data into images (and check it) with
 * exactly the I/O path a guest's disk uses, and the crash-safety test
 * uses it as the writer whose I/O is recorded (--blklog) or killed
 * halfway. Commands come from -c options, in order, or else one per
 * line from standard input; stdout is flushed after each, so a reader
 * on a pipe sees a command's output as soon as it has completed.
 *
 * The commands are rows of io_commands[] ("help" is a loop over it);
 * their syntax and first output line follow qemu-io ("wrote 4096/4096
 * bytes at offset 0"), without qemu-io's timing line. Two additions:
 * "echo TEXT" prints TEXT (an acknowledgement a reader can wait for) and
 * "mark TEXT" appends TEXT to the blklog log.
 *
 * Exit status: 0, or 1 if opening the image or any command failed.
 */
#include "block/blklog.h"
#include "block/block.h"
#include "util/error.h"
#include "util/opts.h"

#include <getopt.h>

typedef struct IoContext {
    BlockBackend *blk;
    bool quiet;
} IoContext;

typedef struct IoCommand {
    const char *name;
    const char *args;
    const char *help;
    int (*run)(IoContext *io, int argc, char **argv);
} IoCommand;

static int io_help(IoContext *io, int argc, char **argv);
static int io_read(IoContext *io, int argc, char **argv);
static int io_write(IoContext *io, int argc, char **argv);
static int io_discard(IoContext *io, int argc, char **argv);
static int io_flush(IoContext *io, int argc, char **argv);
static int io_truncate(IoContext *io, int argc, char **argv);
static int io_echo(IoContext *io, int argc, char **argv);
static int io_mark(IoContext *io, int argc, char **argv);

static const IoCommand io_commands[] = {
    { "read", "[-P pattern] [-q] off len",
      "reads a range, checking every byte is pattern with -P", io_read },
    { "write", "[-P pattern | -z [-u]] [-c] [-q] off len",
      "writes pattern (default 0xcd), zeroes (-z, -u may unmap) or one "
      "compressed cluster (-c)", io_write },
    { "discard", "[-q] off len", "discards a range", io_discard },
    { "flush", "", "flushes all in-core state to the image", io_flush },
    { "truncate", "size", "resizes the image", io_truncate },
    { "echo", "text...", "prints text", io_echo },
    { "mark", "text...", "adds text to the --blklog log", io_mark },
    { "help", "", "lists the commands", io_help },
};

static int io_help(IoContext *io, int argc, char **argv)
{
    for (size_t i = 0; i < ARRAY_SIZE(io_commands); i++) {
        printf("%s %s -- %s\n", io_commands[i].name, io_commands[i].args,
               io_commands[i].help);
    }
    return 0;
}

/* A qemu-io number: decimal/hex with optional k/M/G/T/P/E suffix. */
static bool io_parse_num(const char *str, uint64_t *out)
{
    if (!strncmp(str, "0x", 2) || !strncmp(str, "0X", 2)) {
        return parse_uint64(str, out);
    }
    return parse_size(str, 1, out);
}

/* Parse "off len" at argv[optind..]. */
static bool io_parse_range(const char *cmd, int argc, char **argv,
                           uint64_t *off, uint64_t *len)
{
    if (optind + 2 != argc) {
        error_report("%s: expected offset and length", cmd);
        return false;
    }
    if (!io_parse_num(argv[optind], off)) {
        error_report("%s: invalid offset '%s'", cmd, argv[optind]);
        return false;
    }
    if (!io_parse_num(argv[optind + 1], len)) {
        error_report("%s: invalid length '%s'", cmd, argv[optind + 1]);
        return false;
    }
    return true;
}

static bool io_parse_pattern(const char *str, int *out)
{
    uint64_t v;

    if (!io_parse_num(str, &v) || v > 0xff) {
        error_report("invalid pattern '%s'", str);
        return false;
    }
    *out = (int)v;
    return true;
}

static void *io_alloc(uint64_t len)
{
    void *buf;

    if (len > SIZE_MAX / 2 || posix_memalign(&buf, 4096, MAX(len, 1))) {
        return NULL;
    }
    return buf;
}

static int io_read(IoContext *io, int argc, char **argv)
{
    int pattern = -1, c, ret;
    bool quiet = io->quiet;
    uint64_t off, len;
    uint8_t *buf;

    while ((c = getopt(argc, argv, "+P:q")) != -1) {
        if (c == 'P') {
            if (!io_parse_pattern(optarg, &pattern)) {
                return -1;
            }
        } else if (c == 'q') {
            quiet = true;
        } else {
            return -1;
        }
    }
    if (!io_parse_range("read", argc, argv, &off, &len)) {
        return -1;
    }
    buf = io_alloc(len);
    if (!buf) {
        error_report("read: cannot allocate %" PRIu64 " bytes", len);
        return -1;
    }
    ret = blk_pread(io->blk, off, buf, len);
    if (ret < 0) {
        printf("read failed: %s\n", strerror(-ret));
        free(buf);
        return -1;
    }
    if (pattern >= 0) {
        for (uint64_t i = 0; i < len; i++) {
            if (buf[i] != pattern) {
                uint64_t n = 1;

                while (i + n < len && buf[i + n] != pattern) {
                    n++;
                }
                printf("Pattern verification failed at offset %" PRIu64
                       ", %" PRIu64 " bytes\n", off + i, n);
                free(buf);
                return -1;
            }
        }
    }
    free(buf);
    if (!quiet) {
        printf("read %" PRIu64 "/%" PRIu64 " bytes at offset %" PRIu64 "\n",
               len, len, off);
    }
    return 0;
}

static int io_write(IoContext *io, int argc, char **argv)
{
    int pattern = 0xcd, c, ret;
    bool quiet = io->quiet, zero = false, unmap = false, compress = false;
    uint64_t off, len;
    uint8_t *buf = NULL;

    while ((c = getopt(argc, argv, "+P:zucq")) != -1) {
        switch (c) {
        case 'P':
            if (!io_parse_pattern(optarg, &pattern)) {
                return -1;
            }
            break;
        case 'z':
            zero = true;
            break;
        case 'u':
            unmap = true;
            break;
        case 'c':
            compress = true;
            break;
        case 'q':
            quiet = true;
            break;
        default:
            return -1;
        }
    }
    if (!io_parse_range("write", argc, argv, &off, &len)) {
        return -1;
    }
    if (zero && compress) {
        error_report("write: -z and -c cannot be combined");
        return -1;
    }
    if (zero) {
        ret = blk_pwrite_zeroes(io->blk, off, len,
                                unmap ? BDRV_REQ_MAY_UNMAP : 0);
    } else {
        buf = io_alloc(len);
        if (!buf) {
            error_report("write: cannot allocate %" PRIu64 " bytes", len);
            return -1;
        }
        memset(buf, pattern, len);
        ret = compress ? blk_pwrite_compressed(io->blk, off, buf, len)
                       : blk_pwrite(io->blk, off, buf, len);
        free(buf);
    }
    if (ret < 0) {
        printf("write failed: %s\n", strerror(-ret));
        return -1;
    }
    if (!quiet) {
        printf("wrote %" PRIu64 "/%" PRIu64 " bytes at offset %" PRIu64 "\n",
               len, len, off);
    }
    return 0;
}

static int io_discard(IoContext *io, int argc, char **argv)
{
    bool quiet = io->quiet;
    uint64_t off, len;
    int c, ret;

    while ((c = getopt(argc, argv, "+q")) != -1) {
        if (c != 'q') {
            return -1;
        }
        quiet = true;
    }
    if (!io_parse_range("discard", argc, argv, &off, &len)) {
        return -1;
    }
    ret = blk_pdiscard(io->blk, off, len);
    if (ret < 0) {
        printf("discard failed: %s\n", strerror(-ret));
        return -1;
    }
    if (!quiet) {
        printf("discard %" PRIu64 "/%" PRIu64 " bytes at offset %" PRIu64
               "\n", len, len, off);
    }
    return 0;
}

static int io_flush(IoContext *io, int argc, char **argv)
{
    int ret = blk_flush(io->blk);

    if (ret < 0) {
        printf("flush failed: %s\n", strerror(-ret));
        return -1;
    }
    return 0;
}

static int io_truncate(IoContext *io, int argc, char **argv)
{
    uint64_t size;
    int ret;

    if (argc != 2 || !io_parse_num(argv[1], &size)) {
        error_report("truncate: expected one size");
        return -1;
    }
    ret = blk_truncate(io->blk, size);
    if (ret < 0) {
        printf("truncate: %s\n", strerror(-ret));
        return -1;
    }
    return 0;
}

static int io_echo(IoContext *io, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        printf("%s%s", i > 1 ? " " : "", argv[i]);
    }
    printf("\n");
    return 0;
}

static int io_mark(IoContext *io, int argc, char **argv)
{
    char *tag = xstrdup("");
    int ret;

    for (int i = 1; i < argc; i++) {
        char *joined = xasprintf("%s%s%s", tag, i > 1 ? " " : "", argv[i]);

        free(tag);
        tag = joined;
    }
    ret = blklog_mark(blk_bs(io->blk), tag);
    free(tag);
    if (ret < 0) {
        error_report("mark: %s", ret == -ENOENT ? "no --blklog log"
                                                : strerror(-ret));
        return -1;
    }
    return 0;
}

/* Split @line at blanks and run it; 0 or -1. Empty lines do nothing. */
static int io_run_line(IoContext *io, const char *line)
{
    char *copy = xstrdup(line), *save = NULL, *argv[64];
    int argc = 0, ret = -1;

    for (char *tok = strtok_r(copy, " \t\r\n", &save); tok;
         tok = strtok_r(NULL, " \t\r\n", &save)) {
        if (argc == (int)ARRAY_SIZE(argv) - 1) {
            error_report("too many arguments");
            goto out;
        }
        argv[argc++] = tok;
    }
    argv[argc] = NULL;
    if (!argc) {
        ret = 0;
        goto out;
    }
    for (size_t i = 0; i < ARRAY_SIZE(io_commands); i++) {
        if (!strcmp(io_commands[i].name, argv[0])) {
            optind = 0;     /* reset getopt for the command's options */
            ret = io_commands[i].run(io, argc, argv);
            goto out;
        }
    }
    error_report("command not found: %s", argv[0]);
out:
    fflush(stdout);
    free(copy);
    return ret;
}

static void io_usage(FILE *out)
{
    fprintf(out, "Usage: vireo-io [-f fmt] [-r] [-n] [-t cache] [-U] [-q] "
            "[--blklog=LOG] [-c command]... filename\n"
            "Runs the commands (from -c, or one per line on stdin) on the "
            "image.\n\nCommands:\n");
    for (size_t i = 0; i < ARRAY_SIZE(io_commands); i++) {
        fprintf(out, "  %s %s\n", io_commands[i].name, io_commands[i].args);
    }
}

/* Open @filename, through a blklog node if @logfile is set. */
static BlockBackend *io_open(const char *filename, const char *fmt,
                             const char *logfile, int flags, Error **errp)
{
    BlockDriverState *file, *bs;

    if (!logfile) {
        return blk_new_open(filename, fmt, flags, errp);
    }
    file = blklog_open(logfile, filename, flags, errp);
    if (!file) {
        return NULL;
    }
    bs = bdrv_open_on(fmt, file, flags, errp);
    return bs ? blk_new_with_root(bs, flags) : NULL;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "cmd", required_argument, NULL, 'c' },
        { "format", required_argument, NULL, 'f' },
        { "read-only", no_argument, NULL, 'r' },
        { "nocache", no_argument, NULL, 'n' },
        { "cache", required_argument, NULL, 't' },
        { "force-share", no_argument, NULL, 'U' },
        { "blklog", required_argument, NULL, 'L' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *logfile = NULL;
    const char **cmds = NULL;
    int ncmds = 0, flags = BDRV_O_RDWR | BDRV_O_UNMAP, c, status = 0;
    IoContext io = { 0 };
    Error *err = NULL;

    while ((c = getopt_long(argc, argv, "+hc:f:rnt:Uq", longopts, NULL))
           != -1) {
        switch (c) {
        case 'h':
            io_usage(stdout);
            free(cmds);
            return 0;
        case 'c':
            cmds = xrealloc(cmds, sizeof(*cmds) * (ncmds + 1));
            cmds[ncmds++] = optarg;
            break;
        case 'f':
            fmt = optarg;
            break;
        case 'r':
            flags &= ~BDRV_O_RDWR;
            break;
        case 'n':
            flags |= BDRV_O_NOCACHE;
            break;
        case 't':
            flags &= ~(BDRV_O_NOCACHE | BDRV_O_NO_FLUSH |
                       BDRV_O_WRITETHROUGH);
            if (!strcmp(optarg, "none") || !strcmp(optarg, "directsync")) {
                flags |= BDRV_O_NOCACHE;
            } else if (!strcmp(optarg, "unsafe")) {
                flags |= BDRV_O_NO_FLUSH;
            } else if (strcmp(optarg, "writeback") &&
                       strcmp(optarg, "writethrough")) {
                error_report("Invalid cache option: %s", optarg);
                free(cmds);
                return 1;
            }
            if (!strcmp(optarg, "writethrough") ||
                !strcmp(optarg, "directsync")) {
                flags |= BDRV_O_WRITETHROUGH;
            }
            break;
        case 'U':
            flags |= BDRV_O_FORCE_SHARE;
            break;
        case 'q':
            io.quiet = true;
            break;
        case 'L':
            logfile = optarg;
            break;
        default:
            io_usage(stderr);
            free(cmds);
            return 1;
        }
    }
    if (optind != argc - 1) {
        error_report("expected one image file name");
        free(cmds);
        return 1;
    }
    if (flags & BDRV_O_FORCE_SHARE) {
        flags &= ~BDRV_O_RDWR;
    }
    io.blk = io_open(argv[optind], fmt, logfile, flags, &err);
    if (!io.blk) {
        error_report("can't open device %s: %s", argv[optind],
                     error_get_pretty(err));
        error_free(err);
        free(cmds);
        return 1;
    }
    if (ncmds) {
        for (int i = 0; i < ncmds; i++) {
            if (io_run_line(&io, cmds[i]) < 0) {
                status = 1;
            }
        }
    } else {
        char *line = NULL;
        size_t cap = 0;

        while (getline(&line, &cap, stdin) > 0) {
            if (io_run_line(&io, line) < 0) {
                status = 1;
            }
        }
        free(line);
    }
    blk_unref(io.blk);
    free(cmds);
    return status;
}
