/*
 * jsonkeys.h - checking a JSON object's member names against the ones a
 * reader knows, so a misspelt field is refused instead of ignored.
 */
#ifndef BH_JSONKEYS_H
#define BH_JSONKEYS_H

#include <stdbool.h>
#include <jansson.h>

/* Is s one of the NULL-terminated list? */
bool str_in(const char *s, const char *const *list);

/* The first member name of 'obj' not in 'allowed' (NULL-terminated), or
 * NULL when every one is known. */
const char *json_stray_key(json_t *obj, const char *const *allowed);

#endif
