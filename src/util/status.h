/*
 * status.h - the project's one status enum and the error record that
 * carries a human-readable message (in Chinese) and the offending field.
 *
 * The meaning of each code is fixed here.  Exactly one function, in the
 * HTTP layer, maps a status to an HTTP status; the core never knows HTTP.
 */
#ifndef BH_STATUS_H
#define BH_STATUS_H

#include <stddef.h>

typedef enum {
    BH_OK = 0,
    BH_INVALID_ARGUMENT,   /* the caller sent something malformed */
    BH_UNAUTHENTICATED,    /* no or bad credentials */
    BH_PERMISSION_DENIED,  /* authenticated, but this role may not */
    BH_NOT_FOUND,          /* no such object (or not visible) */
    BH_CONFLICT,           /* stale version, duplicate key */
    BH_FAILED_PRECONDITION,/* not allowed in the object's current state */
    BH_PAYLOAD_TOO_LARGE,
    BH_RATE_LIMITED,
    BH_UNAVAILABLE,
    BH_INTERNAL
} bh_status_t;

/*
 * An error record.  'field' names the input that was wrong ("" when the
 * error is not about one field); 'message' is for people, in Chinese.
 * Both are always NUL-terminated.
 */
typedef struct {
    bh_status_t status;
    char field[64];
    char message[512];
} bh_err_t;

/* The wire name of a status: "invalid_argument", "not_found", ... */
const char *bh_status_name(bh_status_t st);

/*
 * Fill 'err' (which may be NULL) and return 'st'.  'field' may be NULL.
 * The message is printf-formatted and truncated to fit.
 */
bh_status_t bh_fail(bh_err_t *err, bh_status_t st, const char *field,
                    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reset 'err' to BH_OK with empty field and message. */
void bh_err_clear(bh_err_t *err);

#endif
