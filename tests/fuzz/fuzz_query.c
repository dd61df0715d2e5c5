/*
 * fuzz_query.c - libFuzzer target: URL query strings (qs_parse) and the
 * search tokenizer on whatever text comes out of them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/qs.h"
#include "util/cjk.h"

static int check(void *ctx, int flags, const char *tok, int len, int start, int end)
{
    const char *text = ctx;
    (void)flags;
    (void)text;
    if (len <= 0 || len > CJK_TOKEN_MAX || start < 0 || end < start || !tok)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena_t *a = arena_new();
    qs_t q;
    bh_err_t err;

    if (qs_parse((const char *)data, size, a, &q, &err) == BH_OK) {
        for (int i = 0; i < q.n; i++) {
            if (!utf8_valid(q.p[i].value, strlen(q.p[i].value)))
                abort();
            cjk_tokenize(q.p[i].value, (int)strlen(q.p[i].value), true, check, NULL);
            cjk_tokenize(q.p[i].value, (int)strlen(q.p[i].value), false, check, NULL);
        }
    }
    /* The tokenizer also sees raw (possibly invalid) bytes in documents. */
    cjk_tokenize((const char *)data, (int)size, false, check, NULL);
    arena_free(a);
    return 0;
}
