/*
 * qs.c - query-string parsing.
 */
#include "api/qs.h"

#include <string.h>

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode s[0..len) into a new arena string; NULL on a bad escape. */
static char *decode(const char *s, size_t len, arena_t *a, size_t *outlen)
{
    char *d = arena_alloc(a, len + 1);
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            d[j++] = ' ';
        } else if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= len || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
                (lo = hexval((unsigned char)s[i + 2])) < 0)
                return NULL;
            d[j++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            d[j++] = s[i];
        }
    }
    d[j] = '\0';
    *outlen = j;
    return d;
}

bh_status_t qs_parse(const char *s, size_t len, arena_t *a, qs_t *out, bh_err_t *err)
{
    size_t i = 0;
    out->n = 0;
    while (i < len) {
        size_t end = i, eq, nl, vl;
        char *name, *value;
        while (end < len && s[end] != '&')
            end++;
        if (end == i) { /* empty pair: "a=1&&b=2" */
            i = end + 1;
            continue;
        }
        for (eq = i; eq < end && s[eq] != '='; eq++)
            ;
        name = decode(s + i, eq - i, a, &nl);
        value = eq < end ? decode(s + eq + 1, end - eq - 1, a, &vl) : decode("", 0, a, &vl);
        if (!name || !value)
            return bh_fail(err, BH_INVALID_ARGUMENT, "query", "查询参数中的 %% 转义无效");
        if (!utf8_valid(name, nl) || !utf8_valid(value, vl))
            return bh_fail(err, BH_INVALID_ARGUMENT, name && utf8_valid(name, nl) ? name : "query",
                           "查询参数不是有效的 UTF-8 文本");
        if (out->n == QS_MAX_PARAMS)
            return bh_fail(err, BH_INVALID_ARGUMENT, "query", "查询参数过多（最多%d个）", QS_MAX_PARAMS);
        out->p[out->n].name = name;
        out->p[out->n].value = value;
        out->n++;
        i = end + 1;
    }
    return BH_OK;
}

const char *qs_get(const qs_t *q, const char *name)
{
    for (int i = 0; i < q->n; i++)
        if (strcmp(q->p[i].name, name) == 0)
            return q->p[i].value;
    return NULL;
}
