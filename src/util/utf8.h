/*
 * utf8.h - decoding and validating UTF-8 (strict: no overlong forms, no
 * surrogates, nothing above U+10FFFF).
 */
#ifndef BH_UTF8_H
#define BH_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Decode the code point starting at s[i] (i < len) into *cp.  Returns its
 * length in bytes (1-4), or 0 when the bytes there are not valid UTF-8.
 */
int utf8_decode(const unsigned char *s, size_t i, size_t len, unsigned *cp);

/* Is s[0..len) valid UTF-8 without NUL characters? */
bool utf8_valid(const char *s, size_t len);

#endif
