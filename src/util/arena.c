/*
 * arena.c - region allocator with cleanups.
 *
 * Blocks are chained; a request that needs more than a block's remainder
 * gets a new block (large requests get a block of their own size).
 */
#include "util/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#define BLOCK_SIZE 8192
#define ALIGN 16

struct block {
    struct block *next;
    size_t used, size;
    _Alignas(ALIGN) unsigned char data[];
};

struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *arg;
};

struct arena {
    struct block *head;
    struct cleanup *cleanups;
};

arena_t *arena_new(void)
{
    return xcalloc(1, sizeof(arena_t));
}

void arena_free(arena_t *a)
{
    if (!a)
        return;
    for (struct cleanup *c = a->cleanups; c; c = c->next)
        c->fn(c->arg);
    for (struct block *b = a->head, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    free(a);
}

void arena_reset(arena_t *a)
{
    struct block *keep = NULL;
    for (struct cleanup *c = a->cleanups, *n; c; c = n) {
        n = c->next;
        c->fn(c->arg);
    }
    a->cleanups = NULL;
    /* Keep one ordinary block for reuse; free the rest. */
    for (struct block *b = a->head, *n; b; b = n) {
        n = b->next;
        if (!keep && b->size == BLOCK_SIZE) {
            keep = b;
            keep->used = 0;
            keep->next = NULL;
        } else {
            free(b);
        }
    }
    a->head = keep;
}

void *arena_alloc(arena_t *a, size_t n)
{
    struct block *b = a->head;
    size_t need;

    /* A size no allocation can satisfy (a wrapped length computation) is a
     * bug, never a small block: stop like out-of-memory does. */
    if (n > SIZE_MAX / 2) {
        fprintf(stderr, "bihuan: arena_alloc(%zu): 长度溢出\n", n);
        abort();
    }
    need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (need == 0)
        need = ALIGN;
    if (!b || b->size - b->used < need) {
        size_t size = need > BLOCK_SIZE / 2 ? need : BLOCK_SIZE;
        struct block *nb = xmalloc(sizeof *nb + size);
        nb->size = size;
        nb->used = 0;
        if (b && size == need && b->size - b->used > ALIGN * 4) {
            /* A large one-off: keep filling the current block afterwards. */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    b->used += need;
    return b->data + b->used - need;
}

void *arena_alloc_array(arena_t *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / 2 / size) {
        fprintf(stderr, "bihuan: arena_alloc_array(%zu, %zu): 长度溢出\n", count, size);
        abort();
    }
    return arena_alloc(a, count * size);
}

void *arena_zalloc(arena_t *a, size_t n)
{
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    char *d;
    if (!s)
        return NULL;
    d = arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *arena_strdup(arena_t *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(arena_t *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) /* an encoding error: an empty string, not a wrapped length */
        n = 0;
    p = arena_alloc(a, (size_t)n + 1);
    if (n == 0) {
        *p = '\0';
        return p;
    }
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void arena_on_free(arena_t *a, void (*fn)(void *), void *arg)
{
    struct cleanup *c = arena_alloc(a, sizeof *c);
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
}
