/*
 * fuzz_upload.c - libFuzzer target for what an upload goes through before
 * anything is stored: the multipart parser (the first byte picks the
 * boundary's length) and the recognition of each part by its bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/multipart.h"
#include "core/media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena_t *a;
    mp_part_t parts[MP_MAX_PARTS];
    bh_err_t err;
    media_kind_t k;
    int n;
    char boundary[16];
    size_t blen;
    if (size < 1)
        return 0;
    blen = 1 + data[0] % 8;
    if (size < 1 + blen)
        return 0;
    memcpy(boundary, data + 1, blen);
    boundary[blen] = 0;
    if (strlen(boundary) != blen)
        return 0;
    a = arena_new();
    if (mp_parse(boundary, (const char *)data + 1 + blen, size - 1 - blen, a, parts, &n, &err) == BH_OK) {
        if (n < 1 || n > MP_MAX_PARTS)
            abort();
        for (int i = 0; i < n; i++) {
            if (!parts[i].name || parts[i].data < (const char *)data ||
                parts[i].data + parts[i].len > (const char *)data + size)
                abort();
            if (media_check(parts[i].data, parts[i].len, &k, &err) == BH_OK && k == MEDIA_UNKNOWN)
                abort();
        }
    }
    media_check(data, size, &k, &err);
    arena_free(a);
    return 0;
}
