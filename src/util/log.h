/*
 * util/log.h — the -d/-D debug log.
 *
 * A Log is owned by whoever runs the show (the Machine in the system
 * emulator, the process in tools) and reached through it: a CPU logs via
 * cpu->log, a device via dev->machine->log. There is no process-wide
 * logger. Categories are bits in Log.mask, named in the const table
 * log_categories[] that `-d help` prints.
 *
 * Logging is thread-safe: each log_printf() call writes whole lines under
 * the Log's lock, so vCPU and main-loop threads do not interleave mid-line.
 * Multi-line records (a TB disassembly) hold the lock across calls with
 * log_lock()/log_unlock().
 */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

#include "util/osdep.h"
#include "util/typedefs.h"

#include <pthread.h>
#include <stdarg.h>
#include <time.h>

enum {
    LOG_OUT_ASM      = 1u << 0,
    LOG_IN_ASM       = 1u << 1,
    LOG_OP           = 1u << 2,
    LOG_OP_OPT       = 1u << 3,
    LOG_INT          = 1u << 4,
    LOG_EXEC         = 1u << 5,
    LOG_CPU          = 1u << 6,
    LOG_MMU          = 1u << 7,
    LOG_GUEST_ERROR  = 1u << 8,
    LOG_UNIMP        = 1u << 9,
    LOG_NOCHAIN      = 1u << 10,
    LOG_PAGE         = 1u << 11,
    LOG_TB_STATS     = 1u << 12,
    LOG_STRACE       = 1u << 13,
};

typedef struct LogCategory {
    uint32_t mask;
    const char *name;
    const char *help;
} LogCategory;

extern const LogCategory log_categories[];
extern const size_t log_categories_count;

struct Log {
    uint32_t mask;
    FILE *file;             /* stderr unless -D was given */
    bool owns_file;
    pthread_mutex_t lock;
    /* Rate limit for guest-triggered messages (guest_errors, unimp). */
    struct timespec window_start;
    unsigned window_count;
    unsigned suppressed;
};

void log_init(Log *log);
void log_close(Log *log);

/* Parse "in_asm,op,cpu" (or "help"); Error names the unknown item. */
bool log_parse_mask(const char *str, uint32_t *mask, Error **errp);
/* Print the -d help text listing every category. */
void log_print_help(FILE *out);
/* Send output to @path ("-D file"). */
bool log_set_file(Log *log, const char *path, Error **errp);

static inline bool log_enabled(const Log *log, uint32_t mask)
{
    return log && unlikely(log->mask & mask);
}

void log_printf(Log *log, const char *fmt, ...) PRINTF_FMT(2, 3);
void log_vprintf(Log *log, const char *fmt, va_list ap) PRINTF_FMT(2, 0);
void log_lock(Log *log);
void log_unlock(Log *log);

/*
 * Log a message caused by the guest (category guest_errors or unimp). At
 * most 100 such lines a second reach the log; the rest are counted and
 * summarised, so a guest hammering a bad register cannot flood the host.
 */
void log_guest(Log *log, uint32_t mask, const char *fmt, ...)
    PRINTF_FMT(3, 4);

#define log_mask(log, m, ...)                       \
    do {                                            \
        if (log_enabled((log), (m))) {              \
            log_printf((log), __VA_ARGS__);         \
        }                                           \
    } while (0)

#endif /* UTIL_LOG_H */
