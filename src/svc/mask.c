/*
 * mask.c - personal data as a role may see it: phone numbers and names
 * masked for every role but the ones that handle citizens' reports.
 */
#include <string.h>

#include "svc/svc.h"

bool svc_sees_pii(bh_role_t role)
{
    return role == ROLE_ADMIN || role == ROLE_OPERATOR;
}

const char *svc_mask_phone(const char *phone, arena_t *a)
{
    size_t n;
    char *m;
    if (!phone)
        return NULL;
    n = strlen(phone);
    if (n < 7)
        return arena_strdup(a, "****");
    m = arena_strdup(a, phone);
    for (size_t i = 3; i < n - 4; i++)
        m[i] = '*';
    return m;
}

/* "张三丰" → "张**": keep the first UTF-8 character. */
const char *svc_mask_name(const char *name, arena_t *a)
{
    size_t first = 1, chars = 0;
    const unsigned char *p = (const unsigned char *)name;
    char *out;
    if (!name || !*name)
        return name;
    while (p[first] && (p[first] & 0xC0) == 0x80)
        first++;
    for (const unsigned char *q = p + first; *q; q++)
        chars += (*q & 0xC0) != 0x80;
    out = arena_alloc(a, first + chars + 1);
    memcpy(out, name, first);
    memset(out + first, '*', chars);
    out[first + chars] = '\0';
    return out;
}

