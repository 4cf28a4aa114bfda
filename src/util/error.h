/*
 * util/error.h — errors that carry context up to one printed line.
 *
 * Configuration, realize, monitor and image-tool paths report failure
 * QEMU-style: the function takes `Error **errp` as its last parameter and
 * returns false (or NULL) on failure after filling *errp. Callers add
 * context on the way up with error_prepend() ("-drive file=x: " + "Could not
 * open 'x': No such file or directory"), and the top level prints the one
 * line with error_report_err(). QMP maps the ErrorClass to QEMU's wire
 * class names.
 *
 * errp may be NULL when the caller does not care why something failed.
 * An Error is owned by whoever holds it; pass it on with error_propagate()
 * or release it with error_free().
 */
#ifndef UTIL_ERROR_H
#define UTIL_ERROR_H

#include "util/osdep.h"
#include "util/typedefs.h"

#include <stdarg.h>

/* QEMU's QMP error classes (qapi/error.json); most errors are Generic. */
typedef enum ErrorClass {
    ERROR_CLASS_GENERIC_ERROR,
    ERROR_CLASS_COMMAND_NOT_FOUND,
    ERROR_CLASS_DEVICE_NOT_ACTIVE,
    ERROR_CLASS_DEVICE_NOT_FOUND,
    ERROR_CLASS_KVM_MISSING_CAP,
} ErrorClass;

/* The wire name QMP uses for @cls, e.g. "GenericError". */
const char *error_class_name(ErrorClass cls);

/* Fill *errp with a formatted message (no trailing newline or period). */
void error_setg(Error **errp, const char *fmt, ...) PRINTF_FMT(2, 3);
void error_set(Error **errp, ErrorClass cls, const char *fmt, ...)
    PRINTF_FMT(3, 4);
/* Like error_setg, with ": strerror(os_errno)" appended. */
void error_setg_errno(Error **errp, int os_errno, const char *fmt, ...)
    PRINTF_FMT(3, 4);
void error_vsetg(Error **errp, ErrorClass cls, const char *fmt, va_list ap)
    PRINTF_FMT(3, 0);

/* Prefix the message in *errp (if any) with a formatted context string. */
void error_prepend(Error **errp, const char *fmt, ...) PRINTF_FMT(2, 3);

/* Move @local into *dst (freeing it if dst is NULL or already set). */
void error_propagate(Error **dst, Error *local);

const char *error_get_pretty(const Error *err);
ErrorClass error_get_class(const Error *err);
void error_free(Error *err);

/*
 * Print "program: message" on stderr. error_report_err() also frees @err.
 * These are for the top level only; library code returns errors instead.
 */
void error_report(const char *fmt, ...) PRINTF_FMT(1, 2);
void error_report_err(Error *err);
void warn_report(const char *fmt, ...) PRINTF_FMT(1, 2);

#endif /* UTIL_ERROR_H */
