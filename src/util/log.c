/*
 * util/log.c — the -d/-D debug log (see util/log.h).
 */
#include "util/log.h"
#include "util/error.h"

const LogCategory log_categories[] = {
    { LOG_OUT_ASM, "out_asm", "show generated host assembly code for each compiled TB" },
    { LOG_IN_ASM, "in_asm", "show target assembly code for each compiled TB" },
    { LOG_OP, "op", "show IR ops before optimization" },
    { LOG_OP_OPT, "op_opt", "show IR ops after optimization" },
    { LOG_INT, "int", "show interrupts/exceptions in short format" },
    { LOG_EXEC, "exec", "show trace before each executed TB (lots of logs)" },
    { LOG_CPU, "cpu", "show CPU registers before entering a TB (lots of logs)" },
    { LOG_MMU, "mmu", "log MMU-related activities (page walks, TLB fills and flushes)" },
    { LOG_GUEST_ERROR, "guest_errors", "log when the guest OS does something invalid (eg accessing a non-existent register)" },
    { LOG_UNIMP, "unimp", "log unimplemented functionality" },
    { LOG_NOCHAIN, "nochain", "do not chain compiled TBs so that \"exec\" and \"cpu\" show complete traces" },
    { LOG_PAGE, "page", "dump pages at beginning of user mode emulation" },
    { LOG_TB_STATS, "tb_stats", "report translation cache statistics at exit" },
    { LOG_STRACE, "strace", "log every user-mode syscall, its input, and its result" },
};
const size_t log_categories_count = ARRAY_SIZE(log_categories);

#define LOG_GUEST_LINES_PER_SEC 100

void log_init(Log *log)
{
    memset(log, 0, sizeof(*log));
    log->file = stderr;
    pthread_mutex_init(&log->lock, NULL);
}

void log_close(Log *log)
{
    if (log->owns_file && log->file) {
        fclose(log->file);
    }
    log->file = stderr;
    log->owns_file = false;
}

bool log_parse_mask(const char *str, uint32_t *mask, Error **errp)
{
    const char *p = str;

    *mask = 0;
    while (*p) {
        size_t len = strcspn(p, ",");
        bool found = false;

        if (len == 3 && !strncmp(p, "all", 3)) {
            for (size_t i = 0; i < log_categories_count; i++) {
                *mask |= log_categories[i].mask;
            }
            found = true;
        }
        for (size_t i = 0; !found && i < log_categories_count; i++) {
            if (strlen(log_categories[i].name) == len &&
                !strncmp(log_categories[i].name, p, len)) {
                *mask |= log_categories[i].mask;
                found = true;
            }
        }
        if (!found) {
            error_setg(errp, "unknown log category '%.*s' (try -d help)",
                       (int)len, p);
            return false;
        }
        p += len;
        if (*p == ',') {
            p++;
        }
    }
    return true;
}

void log_print_help(FILE *out)
{
    fprintf(out, "Log items (comma separated):\n");
    for (size_t i = 0; i < log_categories_count; i++) {
        fprintf(out, "%-15s %s\n", log_categories[i].name,
                log_categories[i].help);
    }
    fprintf(out, "%-15s %s\n", "all", "enable every category above");
}

bool log_set_file(Log *log, const char *path, Error **errp)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        error_setg_errno(errp, errno, "could not open log file '%s'", path);
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    log_close(log);
    log->file = f;
    log->owns_file = true;
    return true;
}

void log_lock(Log *log)
{
    pthread_mutex_lock(&log->lock);
}

void log_unlock(Log *log)
{
    pthread_mutex_unlock(&log->lock);
}

void log_vprintf(Log *log, const char *fmt, va_list ap)
{
    log_lock(log);
    vfprintf(log->file, fmt, ap);
    log_unlock(log);
}

void log_printf(Log *log, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vprintf(log, fmt, ap);
    va_end(ap);
}

void log_guest(Log *log, uint32_t mask, const char *fmt, ...)
{
    struct timespec now;
    va_list ap;

    if (!log_enabled(log, mask)) {
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    log_lock(log);
    if (now.tv_sec != log->window_start.tv_sec) {
        if (log->suppressed) {
            fprintf(log->file, "(%u guest error messages suppressed)\n",
                    log->suppressed);
        }
        log->window_start = now;
        log->window_count = 0;
        log->suppressed = 0;
    }
    if (log->window_count++ < LOG_GUEST_LINES_PER_SEC) {
        va_start(ap, fmt);
        vfprintf(log->file, fmt, ap);
        va_end(ap);
    } else {
        log->suppressed++;
    }
    log_unlock(log);
}
