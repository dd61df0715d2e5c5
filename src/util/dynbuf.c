/*
 * dynbuf.c - the size-capped growable buffer (see dynbuf.h).
 */
#include "util/dynbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

void dynbuf_init(dynbuf_t *b, size_t max)
{
    memset(b, 0, sizeof *b);
    b->max = max;
}

void dynbuf_free(dynbuf_t *b)
{
    free(b->buf);
    b->buf = NULL;
    b->len = b->alloc = 0;
    b->failed = false;
}

void dynbuf_reset(dynbuf_t *b)
{
    b->len = 0;
    b->failed = false;
    if (b->buf)
        b->buf[0] = '\0';
}

/* Room for n more bytes and the NUL, or false past the cap. */
static bool grow(dynbuf_t *b, size_t n)
{
    size_t need;
    if (n > b->max || b->len > b->max - n) {
        b->failed = true;
        return false;
    }
    need = b->len + n + 1;
    if (need > b->alloc) {
        size_t a = b->alloc ? b->alloc : 64;
        while (a < need)
            a = a > SIZE_MAX / 2 ? need : a * 2;
        b->buf = xrealloc(b->buf, a);
        b->alloc = a;
    }
    return true;
}

bh_status_t dynbuf_add(dynbuf_t *b, const void *p, size_t n)
{
    if (!grow(b, n))
        return BH_PAYLOAD_TOO_LARGE;
    if (n)
        memcpy(b->buf + b->len, p, n);
    b->len += n;
    b->buf[b->len] = '\0';
    return BH_OK;
}

bh_status_t dynbuf_addstr(dynbuf_t *b, const char *s)
{
    return dynbuf_add(b, s, strlen(s));
}

bh_status_t dynbuf_printf(dynbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !grow(b, (size_t)n)) {
        b->failed = true;
        return BH_PAYLOAD_TOO_LARGE;
    }
    va_start(ap, fmt);
    vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return BH_OK;
}

const char *dynbuf_str(const dynbuf_t *b)
{
    return b->buf ? b->buf : "";
}

size_t dynbuf_len(const dynbuf_t *b)
{
    return b->len;
}

bool dynbuf_failed(const dynbuf_t *b)
{
    return b->failed;
}

char *dynbuf_take(dynbuf_t *b)
{
    char *s = b->buf ? b->buf : xstrdup("");
    b->buf = NULL;
    b->len = b->alloc = 0;
    b->failed = false;
    return s;
}
