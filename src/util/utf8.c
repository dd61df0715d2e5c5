/*
 * utf8.c - strict UTF-8 decoding.
 */
#include "util/utf8.h"

int utf8_decode(const unsigned char *s, size_t i, size_t len, unsigned *cp)
{
    unsigned c = s[i];
    int n;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        c &= 0x07;
    } else {
        return 0;
    }
    if (i + (size_t)n > len)
        return 0;
    for (int k = 1; k < n; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i + k] & 0x3F);
    }
    if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
        (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
        return 0;
    *cp = c;
    return n;
}

bool utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned cp;
        int n = utf8_decode(s, i, len, &cp);
        if (n == 0 || cp == 0)
            return false;
        i += (size_t)n;
    }
    return true;
}
