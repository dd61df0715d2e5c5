/*
 * multipart.h - a multipart/form-data body (RFC 7578), as browsers and
 * curl -F send it.
 *
 * The parts point into the body (nothing is copied but their names); a
 * body that does not follow the format is refused with a reason naming
 * what is wrong, never read past its end.
 */
#ifndef BH_MULTIPART_H
#define BH_MULTIPART_H

#include <stddef.h>

#include "util/arena.h"
#include "util/status.h"

#define MP_MAX_PARTS 16

typedef struct {
    const char *name;     /* the form field */
    const char *filename; /* or NULL */
    const char *ctype;    /* or NULL */
    const char *data;
    size_t len;
} mp_part_t;

/* The boundary of a Content-Type "multipart/form-data; boundary=…" into
 * 'out' (arena); NULL when it is not multipart/form-data. */
const char *mp_boundary(const char *ctype, arena_t *a);

/* Split 'body' at 'boundary' into at most MP_MAX_PARTS parts. */
bh_status_t mp_parse(const char *boundary, const char *body, size_t len, arena_t *a,
                     mp_part_t *parts, int *n, bh_err_t *err);

/* The part named 'name', or NULL. */
const mp_part_t *mp_get(const mp_part_t *parts, int n, const char *name);

#endif
