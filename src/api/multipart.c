/*
 * multipart.c - multipart/form-data bodies (multipart.h).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "api/multipart.h"

/* 'needle' in [p, p + len), or NULL. */
static const char *find(const char *p, size_t len, const char *needle, size_t nlen)
{
    const char *end = p + len;
    while (len >= nlen && (p = memchr(p, needle[0], len - nlen + 1))) {
        if (memcmp(p, needle, nlen) == 0)
            return p;
        p++;
        len = (size_t)(end - p);
    }
    return NULL;
}

/* The value of parameter 'key' in a header value ("form-data; name="a""),
 * unquoted, into the arena; NULL when absent. */
static const char *param(const char *v, size_t vlen, const char *key, arena_t *a)
{
    size_t klen = strlen(key);
    const char *end = v + vlen;
    for (const char *p = v; p < end; p++) {
        const char *q;
        if (*p != ';')
            continue;
        for (q = p + 1; q < end && (*q == ' ' || *q == '\t'); q++)
            ;
        if ((size_t)(end - q) <= klen || strncasecmp(q, key, klen) != 0 || q[klen] != '=')
            continue;
        q += klen + 1;
        if (q < end && *q == '"') {
            const char *s = ++q;
            char *out = arena_alloc(a, (size_t)(end - s) + 1), *o = out;
            for (; q < end && *q != '"'; q++) {
                if (*q == '\\' && q + 1 < end)
                    q++;
                *o++ = *q;
            }
            *o = 0;
            return q < end ? out : NULL; /* unterminated quote */
        }
        {
            const char *s = q;
            while (q < end && *q != ';' && *q != ' ' && *q != '\t')
                q++;
            return arena_strndup(a, s, (size_t)(q - s));
        }
    }
    return NULL;
}

const char *mp_boundary(const char *ctype, arena_t *a)
{
    static const char mt[] = "multipart/form-data";
    const char *b;
    size_t n;
    if (!ctype || strncasecmp(ctype, mt, sizeof mt - 1) != 0 ||
        (ctype[sizeof mt - 1] && ctype[sizeof mt - 1] != ';' && ctype[sizeof mt - 1] != ' '))
        return NULL;
    b = param(ctype, strlen(ctype), "boundary", a);
    n = b ? strlen(b) : 0;
    return n >= 1 && n <= 70 ? b : NULL; /* RFC 2046: 1 to 70 characters */
}

/* One part's headers [h, hend): its name, filename and type. */
static bh_status_t headers(const char *h, const char *hend, arena_t *a, mp_part_t *p, bh_err_t *err)
{
    while (h < hend) {
        const char *eol = find(h, (size_t)(hend - h), "\r\n", 2), *colon;
        size_t n;
        if (!eol)
            eol = hend;
        colon = memchr(h, ':', (size_t)(eol - h));
        if (!colon)
            return bh_fail(err, BH_INVALID_ARGUMENT, "body", "multipart 的部分头格式错误");
        n = (size_t)(colon - h);
        colon++;
        while (colon < eol && (*colon == ' ' || *colon == '\t'))
            colon++;
        if (n == 19 && strncasecmp(h, "Content-Disposition", n) == 0) {
            const char *v = colon;
            size_t vlen = (size_t)(eol - colon);
            if (vlen < 9 || strncasecmp(v, "form-data", 9) != 0)
                return bh_fail(err, BH_INVALID_ARGUMENT, "body", "multipart 的部分应为 form-data");
            p->name = param(v, vlen, "name", a);
            p->filename = param(v, vlen, "filename", a);
        } else if (n == 12 && strncasecmp(h, "Content-Type", n) == 0) {
            p->ctype = arena_strndup(a, colon, (size_t)(eol - colon));
        }
        h = eol + 2;
    }
    if (!p->name)
        return bh_fail(err, BH_INVALID_ARGUMENT, "body", "multipart 的部分缺少字段名（name）");
    return BH_OK;
}

bh_status_t mp_parse(const char *boundary, const char *body, size_t len, arena_t *a,
                     mp_part_t *parts, int *n, bh_err_t *err)
{
    size_t blen = strlen(boundary), dlen = blen + 4;
    char *delim = arena_alloc(a, dlen + 1); /* "\r\n--" boundary */
    const char *p, *end = body + len;

    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, blen + 1);
    *n = 0;
    /* the first delimiter may open the body (no CRLF before it) */
    if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
        p = body + dlen - 2;
    else if ((p = find(body, len, delim, dlen)))
        p += dlen;
    else
        return bh_fail(err, BH_INVALID_ARGUMENT, "body", "multipart 请求体中没有分隔符（boundary）");
    for (;;) {
        const char *hend, *next;
        mp_part_t *part;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            return *n ? BH_OK : bh_fail(err, BH_INVALID_ARGUMENT, "body", "multipart 请求体是空的");
        while (p < end && (*p == ' ' || *p == '\t')) /* transport padding */
            p++;
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return bh_fail(err, BH_INVALID_ARGUMENT, "body", "multipart 分隔符后应为换行");
        p += 2;
        if (*n == MP_MAX_PARTS)
            return bh_fail(err, BH_INVALID_ARGUMENT, "body", "multipart 的部分过多（至多 %d 个）",
                           MP_MAX_PARTS);
        part = &parts[*n];
        memset(part, 0, sizeof *part);
        if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
            hend = p; /* no headers */
        } else if (!(hend = find(p, (size_t)(end - p), "\r\n\r\n", 4))) {
            return bh_fail(err, BH_INVALID_ARGUMENT, "body", "multipart 的部分头不完整");
        }
        if (headers(p, hend, a, part, err) != BH_OK)
            return err ? err->status : BH_INVALID_ARGUMENT;
        p = hend + (hend == p ? 2 : 4);
        if (!(next = find(p, (size_t)(end - p), delim, dlen)))
            return bh_fail(err, BH_INVALID_ARGUMENT, "body",
                           "multipart 请求体不完整：字段“%.40s”之后没有结束分隔符（上传被截断？）", part->name);
        part->data = p;
        part->len = (size_t)(next - p);
        (*n)++;
        p = next + dlen;
    }
}

const mp_part_t *mp_get(const mp_part_t *parts, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(parts[i].name, name) == 0)
            return &parts[i];
    return NULL;
}
