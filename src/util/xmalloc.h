/*
 * xmalloc.h - the one allocation wrapper.  Out of memory is not a
 * condition bihuan half-handles: these functions print a message and abort.
 */
#ifndef BH_XMALLOC_H
#define BH_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
