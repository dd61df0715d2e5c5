/*
 * dynbuf.h - a growable byte buffer with a size cap (curl's dynbuf is the
 * model).  Every piece of text assembled from parts - SQL from fragments,
 * the audit log's canonical rows, the metrics page - goes through one,
 * so nothing is silently cut short: an append that would pass the cap
 * fails, the buffer remembers it (dynbuf_failed), and the caller refuses
 * the whole result instead of using a truncated one.
 *
 * The text is always NUL-terminated.  Memory comes from xmalloc (aborts
 * on out-of-memory); dynbuf_free releases it and accepts a zeroed buffer.
 */
#ifndef BH_DYNBUF_H
#define BH_DYNBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "util/status.h"

typedef struct {
    char *buf;
    size_t len, alloc, max; /* max: the cap on len, including nothing of the NUL */
    bool failed;            /* an append was refused: the contents are incomplete */
} dynbuf_t;

void dynbuf_init(dynbuf_t *b, size_t max);
void dynbuf_free(dynbuf_t *b);
/* Empty it again (keeps the memory and clears 'failed'). */
void dynbuf_reset(dynbuf_t *b);

/* Append; BH_PAYLOAD_TOO_LARGE (and nothing appended) past the cap. */
bh_status_t dynbuf_add(dynbuf_t *b, const void *p, size_t n);
bh_status_t dynbuf_addstr(dynbuf_t *b, const char *s);
bh_status_t dynbuf_printf(dynbuf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The text so far ("" when empty); valid until the next append or free. */
const char *dynbuf_str(const dynbuf_t *b);
size_t dynbuf_len(const dynbuf_t *b);
bool dynbuf_failed(const dynbuf_t *b);
/* Hand the text over to the caller (free() it); the buffer is emptied. */
char *dynbuf_take(dynbuf_t *b);

#endif
