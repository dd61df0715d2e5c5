/*
 * arena.h - a region allocator: many small allocations freed in one call.
 *
 * Each HTTP request gets one (nginx r->pool, h2o_mem_pool_t); everything a
 * handler allocates for the request lives until arena_free.  Non-memory
 * resources register a cleanup that runs, newest first, when it is freed.
 * Allocation aborts on out-of-memory (xmalloc).  Not thread-safe: one arena
 * belongs to one thread at a time.
 */
#ifndef BH_ARENA_H
#define BH_ARENA_H

#include <stddef.h>

typedef struct arena arena_t;

arena_t *arena_new(void);
/* Runs the cleanups, frees every block.  Accepts NULL. */
void arena_free(arena_t *a);
/* Run the cleanups and forget every allocation, keeping the arena for
 * reuse (one block is kept, so a loop that resets it does not allocate). */
void arena_reset(arena_t *a);

/* 'n' bytes aligned for any type; valid until arena_free.  A size past
 * SIZE_MAX / 2 (a wrapped computation) aborts, like out-of-memory. */
void *arena_alloc(arena_t *a, size_t n);
/* count * size bytes, the product checked for overflow. */
void *arena_alloc_array(arena_t *a, size_t count, size_t size);
void *arena_zalloc(arena_t *a, size_t n);
char *arena_strdup(arena_t *a, const char *s);      /* NULL gives NULL */
char *arena_strndup(arena_t *a, const char *s, size_t n);
char *arena_printf(arena_t *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Register fn(arg) to run when the arena is freed. */
void arena_on_free(arena_t *a, void (*fn)(void *), void *arg);

#endif
