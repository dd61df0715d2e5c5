/*
 * wording.c - derived wording (see wording.h).
 */
#include "core/wording.h"

#include <stdbool.h>
#include <string.h>

/* Bytes of the UTF-8 character at s (1 for a stray byte). */
static size_t char_len(const unsigned char *s)
{
    size_t n = *s < 0x80 ? 1 : *s >= 0xF0 ? 4 : *s >= 0xE0 ? 3 : *s >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 1;
    return n;
}

static bool sentence_end(const char *s, size_t n)
{
    static const char *const ends[] = {"。", "！", "？", "；", "!", "?", ";", "\n", "\r", NULL};
    for (int i = 0; ends[i]; i++)
        if (strlen(ends[i]) == n && memcmp(s, ends[i], n) == 0)
            return true;
    return false;
}

static bool blank(const char *s, size_t n)
{
    return (n == 1 && (*s == ' ' || *s == '\t')) || (n == 3 && memcmp(s, "\xe3\x80\x80", 3) == 0);
}

struct out {
    char *buf;
    size_t size, len;
    bool full;
};

/* Append n bytes (one character) if they fit with the NUL. */
static void put(struct out *o, const char *s, size_t n)
{
    if (o->full || o->len + n + 1 > o->size) {
        o->full = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void put_str(struct out *o, const char *s)
{
    for (size_t n; *s; s += n)
        put(o, s, n = char_len((const unsigned char *)s));
}

void wording_case_title(const char *category, const char *address, const char *description,
                        char *buf, size_t size)
{
    struct out o = {buf, size, 0, false};
    const char *s;
    int chars = 0;
    bool space = false, cut = false;

    buf[0] = '\0';
    put_str(&o, category && *category ? category : "案件");
    if (address && *address) {
        put_str(&o, "：");
        put_str(&o, address);
        return;
    }
    s = description ? description : "";
    for (size_t n; *s && (blank(s, n = char_len((const unsigned char *)s)) || sentence_end(s, n));)
        s += n; /* leading blanks and stops */
    if (!*s)
        return;
    put_str(&o, "：");
    for (size_t n; *s; s += n) {
        n = char_len((const unsigned char *)s);
        if (sentence_end(s, n))
            break;
        if (blank(s, n)) {
            space = true;
            continue;
        }
        if (chars == WORDING_TITLE_CHARS) {
            cut = true;
            break;
        }
        if (space && chars > 0)
            put(&o, " ", 1);
        space = false;
        put(&o, s, n);
        chars++;
    }
    if (cut)
        put_str(&o, "…");
}
