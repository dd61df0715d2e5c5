/*
 * qs.h - parsing a URL query string ("a=1&b=%E4%BA%95") into decoded
 * name/value pairs.  Our own code (not the HTTP library's) so that it can
 * be fuzzed and so that malformed escapes are errors, not silent guesses.
 */
#ifndef BH_QS_H
#define BH_QS_H

#include <stddef.h>

#include "util/arena.h"
#include "util/status.h"
#include "util/utf8.h"

#define QS_MAX_PARAMS 64

typedef struct {
    int n;
    struct {
        const char *name, *value;
    } p[QS_MAX_PARAMS];
} qs_t;

/*
 * Parse 'len' bytes of a query string (without the '?').  '+' is a space;
 * %XX must be two hex digits; decoded text must be valid UTF-8 without NUL.
 * Repeated names are kept in order; more than QS_MAX_PARAMS is an error.
 */
bh_status_t qs_parse(const char *s, size_t len, arena_t *a, qs_t *out, bh_err_t *err);

/* The first value of 'name', or NULL. */
const char *qs_get(const qs_t *q, const char *name);

#endif
