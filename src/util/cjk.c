/*
 * cjk.c - the CJK bigram tokenizer's segmentation (see cjk.h).
 */
#include "util/cjk.h"

#include <string.h>

#include "util/utf8.h"

static bool is_cjk(unsigned c)
{
    return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF) ||
           (c >= 0x3040 && c <= 0x30FF) || /* kana */
           (c >= 0xAC00 && c <= 0xD7AF);   /* hangul */
}

/* ASCII word character after full-width folding and lower-casing; or 0. */
static char word_char(unsigned c)
{
    if (c >= 0xFF10 && c <= 0xFF19)
        c = c - 0xFF10 + '0';
    else if (c >= 0xFF21 && c <= 0xFF3A)
        c = c - 0xFF21 + 'a';
    else if (c >= 0xFF41 && c <= 0xFF5A)
        c = c - 0xFF41 + 'a';
    if (c >= 'A' && c <= 'Z')
        return (char)(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return (char)c;
    return 0;
}

int cjk_tokenize(const char *text, int len, bool query, cjk_token_fn fn,
                 void *ctx)
{
    const unsigned char *s = (const unsigned char *)text;
    int i = 0, rc;

    while (i < len) {
        unsigned cp;
        int n = utf8_decode(s, (size_t)i, (size_t)len, &cp);
        char w;

        if (n == 0) { /* invalid byte: skip it */
            i++;
            continue;
        }
        if ((w = word_char(cp)) != 0) {
            char buf[CJK_TOKEN_MAX];
            int blen = 0, start = i;
            while (i < len && (n = utf8_decode(s, (size_t)i, (size_t)len, &cp)) && (w = word_char(cp))) {
                if (blen < CJK_TOKEN_MAX)
                    buf[blen++] = w;
                i += n;
            }
            if ((rc = fn(ctx, 0, buf, blen, start, i)))
                return rc;
            continue;
        }
        if (is_cjk(cp)) {
            /* Collect the run's character boundaries one at a time. */
            int start = i, next = i + n, run = 1;
            unsigned cp2;
            int n2;
            while (next < len && (n2 = utf8_decode(s, (size_t)next, (size_t)len, &cp2)) && is_cjk(cp2)) {
                int end2 = next + n2;
                if (!query) {
                    if ((rc = fn(ctx, 0, text + start, next - start, start, next)))
                        return rc;
                    if ((rc = fn(ctx, CJK_TOKEN_COLOCATED, text + start, end2 - start, start, end2)))
                        return rc;
                } else if ((rc = fn(ctx, 0, text + start, end2 - start, start, end2))) {
                    return rc;
                }
                start = next;
                next = end2;
                run++;
            }
            /* The run's last character as a unigram (documents), or a lone
             * character (queries). */
            if ((!query || run == 1) &&
                (rc = fn(ctx, 0, text + start, next - start, start, next)))
                return rc;
            i = next;
            continue;
        }
        i += n;
    }
    return 0;
}
