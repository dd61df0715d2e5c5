/* jsonkeys.c - see jsonkeys.h. */
#include "util/jsonkeys.h"

#include <string.h>

bool str_in(const char *s, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

const char *json_stray_key(json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (!str_in(key, allowed))
            return key;
    }
    return NULL;
}
