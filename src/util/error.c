/*
 * util/error.c — Error objects (see util/error.h for the conventions).
 */
#include "util/error.h"

struct Error {
    ErrorClass cls;
    char *msg;
};

static const char *const error_class_names[] = {
    [ERROR_CLASS_GENERIC_ERROR] = "GenericError",
    [ERROR_CLASS_COMMAND_NOT_FOUND] = "CommandNotFound",
    [ERROR_CLASS_DEVICE_NOT_ACTIVE] = "DeviceNotActive",
    [ERROR_CLASS_DEVICE_NOT_FOUND] = "DeviceNotFound",
    [ERROR_CLASS_KVM_MISSING_CAP] = "KVMMissingCap",
};

const char *error_class_name(ErrorClass cls)
{
    if ((unsigned)cls < ARRAY_SIZE(error_class_names)) {
        return error_class_names[cls];
    }
    return "GenericError";
}

void error_vsetg(Error **errp, ErrorClass cls, const char *fmt, va_list ap)
{
    Error *err;

    if (!errp) {
        return;
    }
    /* Setting an error twice loses the first: a bug in the caller. */
    if (*errp) {
        error_free(*errp);
    }
    err = XNEW(Error);
    err->cls = cls;
    if (vasprintf(&err->msg, fmt, ap) < 0) {
        err->msg = xstrdup(fmt);
    }
    *errp = err;
}

void error_setg(Error **errp, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vsetg(errp, ERROR_CLASS_GENERIC_ERROR, fmt, ap);
    va_end(ap);
}

void error_set(Error **errp, ErrorClass cls, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vsetg(errp, cls, fmt, ap);
    va_end(ap);
}

void error_setg_errno(Error **errp, int os_errno, const char *fmt, ...)
{
    va_list ap;
    char *old;

    if (!errp) {
        return;
    }
    va_start(ap, fmt);
    error_vsetg(errp, ERROR_CLASS_GENERIC_ERROR, fmt, ap);
    va_end(ap);
    old = (*errp)->msg;
    (*errp)->msg = xasprintf("%s: %s", old, strerror(os_errno));
    free(old);
}

void error_prepend(Error **errp, const char *fmt, ...)
{
    va_list ap;
    char *prefix, *old;

    if (!errp || !*errp) {
        return;
    }
    va_start(ap, fmt);
    if (vasprintf(&prefix, fmt, ap) < 0) {
        prefix = xstrdup("");
    }
    va_end(ap);
    old = (*errp)->msg;
    (*errp)->msg = xasprintf("%s%s", prefix, old);
    free(prefix);
    free(old);
}

void error_propagate(Error **dst, Error *local)
{
    if (!local) {
        return;
    }
    if (dst && !*dst) {
        *dst = local;
    } else {
        error_free(local);
    }
}

const char *error_get_pretty(const Error *err)
{
    return err->msg;
}

ErrorClass error_get_class(const Error *err)
{
    return err->cls;
}

void error_free(Error *err)
{
    if (err) {
        free(err->msg);
        free(err);
    }
}

static void report_line(const char *kind, const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: %s", program_invocation_short_name, kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_line("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_line("warning: ", fmt, ap);
    va_end(ap);
}

void error_report_err(Error *err)
{
    if (err) {
        error_report("%s", err->msg);
        error_free(err);
    }
}
