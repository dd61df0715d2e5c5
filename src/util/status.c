/*
 * status.c - names of the project status codes and the error record helper.
 */
#include "util/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *bh_status_name(bh_status_t st)
{
    switch (st) {
    case BH_OK: return "ok";
    case BH_INVALID_ARGUMENT: return "invalid_argument";
    case BH_UNAUTHENTICATED: return "unauthenticated";
    case BH_PERMISSION_DENIED: return "permission_denied";
    case BH_NOT_FOUND: return "not_found";
    case BH_CONFLICT: return "conflict";
    case BH_FAILED_PRECONDITION: return "failed_precondition";
    case BH_PAYLOAD_TOO_LARGE: return "payload_too_large";
    case BH_RATE_LIMITED: return "rate_limited";
    case BH_UNAVAILABLE: return "unavailable";
    case BH_INTERNAL: return "internal";
    }
    return "internal";
}

void bh_err_clear(bh_err_t *err)
{
    if (!err)
        return;
    err->status = BH_OK;
    err->field[0] = '\0';
    err->message[0] = '\0';
}

bh_status_t bh_fail(bh_err_t *err, bh_status_t st, const char *field,
                    const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return st;
    err->status = st;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return st;
}
