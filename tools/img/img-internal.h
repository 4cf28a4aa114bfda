/*
 * tools/img/img-internal.h — what the vireo-img subcommands share.
 *
 * vireo-img is qemu-img for Vireo's block layer: the same subcommands,
 * options, messages, exit codes and JSON field names, so that scripts
 * written for qemu-img keep working. Each subcommand lives in the file
 * named after its idea (create.c: create and resize; info.c; check.c;
 * convert.c; compare.c; map.c: map and measure; snapshot.c; chain.c:
 * commit and rebase; bench.c) and is one row of img_commands[] in
 * tools/vireo-img.c, whose --help is a loop over that table.
 *
 * Conventions every subcommand follows:
 *   - a subcommand returns its exit status; it never calls exit(), so the
 *     sanitizer build sees every allocation released;
 *   - an error is one line, "vireo-img: MESSAGE", printed by the
 *     subcommand; usage errors add qemu-img's "Try 'vireo-img --help'"
 *     hint line (img_usage_error()) and return 1;
 *   - exit codes are qemu-img's: 1 for errors in general, and the
 *     documented exceptions (check 0/1/2/3/63, compare 0/1/2).
 */
#ifndef TOOLS_IMG_IMG_INTERNAL_H
#define TOOLS_IMG_IMG_INTERNAL_H

#include "block/block.h"
#include "util/error.h"
#include "util/osdep.h"

#include <getopt.h>
#include <jansson.h>

/* One subcommand: a row of img_commands[] (tools/vireo-img.c). */
typedef struct ImgCommand {
    const char *name;
    /* The "Command syntax" line of --help. */
    const char *synopsis;
    /* argv[0] is the subcommand's name; returns the exit status. */
    int (*run)(int argc, char **argv);
} ImgCommand;

/* The subcommands (one file each, see the overview above). */
int img_bench(int argc, char **argv);
int img_check(int argc, char **argv);
int img_commit(int argc, char **argv);
int img_compare(int argc, char **argv);
int img_convert(int argc, char **argv);
int img_create(int argc, char **argv);
int img_info(int argc, char **argv);
int img_map(int argc, char **argv);
int img_measure(int argc, char **argv);
int img_rebase(int argc, char **argv);
int img_resize(int argc, char **argv);
int img_snapshot(int argc, char **argv);

/* Print the whole help text (vireo-img --help, and -h in a subcommand). */
void img_help(FILE *out);

/* Long options shared by several subcommands (values past any char). */
enum {
    IMG_OPT_OUTPUT = 256,
    IMG_OPT_BACKING_CHAIN,
    IMG_OPT_SHRINK,
    IMG_OPT_PREALLOCATION,
    IMG_OPT_SIZE,
    IMG_OPT_START_OFFSET,
    IMG_OPT_MAX_LENGTH,
    IMG_OPT_PATTERN,
    IMG_OPT_FLUSH_INTERVAL,
    IMG_OPT_NO_DRAIN,
    IMG_OPT_OBJECT,
    IMG_OPT_IMAGE_OPTS,
    IMG_OPT_TARGET_IS_ZERO,
    IMG_OPT_SALVAGE,
};

/* --output=human|json */
typedef enum ImgOutputFormat {
    IMG_OUTPUT_HUMAN,
    IMG_OUTPUT_JSON,
} ImgOutputFormat;

/* --- common.c --- */

/*
 * Report a usage error the way qemu-img's error_exit() does: the message,
 * then "Try 'vireo-img --help' for more information". Returns 1, the exit
 * status, so callers write `return img_usage_error(...)`.
 */
int img_usage_error(const char *fmt, ...) PRINTF_FMT(1, 2);
/*
 * getopt_long() with qemu-img's messages for unknown options and missing
 * arguments (opterr is turned off). Returns the option, -1 at the end, or
 * '?' after printing the usage error; 'h' makes the caller print help.
 * @shortopts must start with ':' and '+'-less; @longopts may be NULL.
 */
int img_getopt(int argc, char **argv, const char *shortopts,
               const struct option *longopts);
/* Reset getopt for a fresh argument vector (each subcommand calls it). */
void img_getopt_reset(void);

/* Parse --output; prints qemu-img's message and returns false if bad. */
bool img_parse_output(const char *arg, ImgOutputFormat *out);
/*
 * Parse a -t/-T cache mode into BDRV_O_* flags (none, writeback,
 * writethrough, directsync, unsafe). @writethrough gets whether the
 * guest-visible cache is off.
 */
bool img_parse_cache(const char *mode, int *flags, bool *writethrough);
/*
 * Parse a size argument with qemu-img's suffix rules ("1G", "512", "4k").
 * Negative values and garbage fail. @what names the value in the message
 * qemu-img prints ("Invalid %s specified. You may use k, M, G, ...");
 * NULL prints nothing.
 */
bool img_parse_size(const char *str, const char *what, uint64_t *out);

/*
 * Open @filename as qemu-img does: format @fmt or probed, with its
 * backing chain unless BDRV_O_NO_BACKING is in @flags, read-write with
 * BDRV_O_RDWR, sharing with BDRV_O_FORCE_SHARE (-U). On failure prints
 * "Could not open 'FILE': REASON" and returns NULL.
 */
BlockBackend *img_open(const char *filename, const char *fmt, int flags);

/* qemu's size_to_str(): "0 B", "4 KiB", "2.52 MiB" (caller frees). */
char *img_size_to_str(uint64_t bytes);

/* Print @obj as qemu-img prints JSON (4-space indent, key order kept). */
void img_json_print(json_t *obj);
/* json_integer() for the unsigned counts qemu-img prints. */
json_t *img_json_uint(uint64_t value);

/* A printf that -q silences. */
void img_printf(bool quiet, const char *fmt, ...) PRINTF_FMT(2, 3);

/* Whether @buf[0..len) is all zero bytes. */
bool img_buffer_is_zero(const void *buf, size_t len);

/* Allocate a buffer aligned for O_DIRECT (4 KiB); free() releases it. */
void *img_alloc_buffer(size_t size);

/* --- progress.c: qemu-img's "-p" progress line --- */

typedef struct ImgProgress {
    bool enabled;
    float min_step;         /* percentage points between two prints */
    float last_printed;     /* -1: nothing printed yet */
    float current;
} ImgProgress;

/*
 * Start a progress line (prints "    (0.00/100%)" with a carriage return
 * when @enabled). @min_step: percentage points between updates.
 */
void img_progress_init(ImgProgress *p, bool enabled, float min_step);
/* Set the progress to @done out of @total. */
void img_progress_update(ImgProgress *p, uint64_t done, uint64_t total);
/* End the progress line (a newline, if enabled). */
void img_progress_finish(ImgProgress *p);
/* BlockProgressFunc adapter: @opaque is an ImgProgress. */
void img_progress_cb(void *opaque, uint64_t done, uint64_t total);

/* --- info.c --- */

/* The "Snapshot list:" table of info and snapshot -l. */
void img_print_snapshot_table(const BlockSnapshotInfo *sn, int count);

#endif /* TOOLS_IMG_IMG_INTERNAL_H */
