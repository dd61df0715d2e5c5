/*
 * test_text.c - the CJK bigram tokenizer, the query-string parser and the
 * request arena.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/qs.h"
#include "util/arena.h"
#include "util/cjk.h"

struct toks {
    char out[1024];
    size_t len;
};

static int collect(void *ctx, int flags, const char *tok, int len, int start, int end)
{
    struct toks *t = ctx;
    (void)start;
    (void)end;
    t->len += (size_t)snprintf(t->out + t->len, sizeof t->out - t->len, "%s%s%.*s",
                               t->len ? " " : "", (flags & CJK_TOKEN_COLOCATED) ? "+" : "", len, tok);
    return 0;
}

static const char *tokens(const char *s, bool query)
{
    static struct toks t;
    memset(&t, 0, sizeof t);
    cjk_tokenize(s, (int)strlen(s), query, collect, &t);
    return t.out;
}

static void tokenizer_documents(void **state)
{
    (void)state;
    /* Unigrams, each bigram colocated with its first character. */
    assert_string_equal(tokens("井盖破损", false), "井 +井盖 盖 +盖破 破 +破损 损");
    assert_string_equal(tokens("井", false), "井");
    assert_string_equal(tokens("ABC井盖 x1", false), "abc 井 +井盖 盖 x1");
    assert_string_equal(tokens("Ｗｉｆｉ３号", false), "wifi3 号");
    assert_string_equal(tokens("井，盖", false), "井 盖");
    assert_string_equal(tokens("", false), "");
    /* Invalid UTF-8 bytes are skipped, never read past. */
    assert_string_equal(tokens("a\xff\xfe" "b \xe4\xba", false), "a b");
}

static void tokenizer_queries(void **state)
{
    (void)state;
    assert_string_equal(tokens("井盖", true), "井盖");
    assert_string_equal(tokens("井盖破损", true), "井盖 盖破 破损");
    assert_string_equal(tokens("井", true), "井");
    assert_string_equal(tokens("ABC井盖", true), "abc 井盖");
}

static void long_words_are_cut(void **state)
{
    char big[600];
    (void)state;
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(strlen(tokens(big, false)), CJK_TOKEN_MAX);
}

static void query_strings(void **state)
{
    arena_t *a = arena_new();
    qs_t q;
    bh_err_t err;
    static const char s[] = "q=%E4%BA%95%E7%9B%96+x&status=closed&&empty=&flag&q=second";
    (void)state;
    assert_int_equal(qs_parse(s, strlen(s), a, &q, &err), BH_OK);
    assert_int_equal(q.n, 5);
    assert_string_equal(qs_get(&q, "q"), "井盖 x");
    assert_string_equal(qs_get(&q, "status"), "closed");
    assert_string_equal(qs_get(&q, "empty"), "");
    assert_string_equal(qs_get(&q, "flag"), "");
    assert_null(qs_get(&q, "nope"));
    assert_int_equal(qs_parse("a=%4", 4, a, &q, &err), BH_INVALID_ARGUMENT);
    assert_int_equal(qs_parse("a=%zz", 5, a, &q, &err), BH_INVALID_ARGUMENT);
    assert_int_equal(qs_parse("a=%FF", 5, a, &q, &err), BH_INVALID_ARGUMENT);
    assert_string_equal(err.field, "a");
    assert_int_equal(qs_parse("a=%00", 5, a, &q, &err), BH_INVALID_ARGUMENT);
    assert_int_equal(qs_parse("", 0, a, &q, &err), BH_OK);
    assert_int_equal(q.n, 0);
    {
        char many[1024];
        size_t n = 0;
        for (int i = 0; i < QS_MAX_PARAMS + 1; i++)
            n += (size_t)snprintf(many + n, sizeof many - n, "a%d=1&", i);
        assert_int_equal(qs_parse(many, n, a, &q, &err), BH_INVALID_ARGUMENT);
    }
    arena_free(a);
}

static int cleaned;
static void cleanup(void *arg)
{
    cleaned += *(int *)arg;
}

static void arena_basics(void **state)
{
    arena_t *a = arena_new();
    static int one = 1;
    char *big;
    (void)state;
    for (int i = 0; i < 10000; i++) {
        char *p = arena_printf(a, "item %d", i);
        assert_string_equal(p, arena_printf(a, "item %d", i));
        assert_int_equal((uintptr_t)arena_alloc(a, 3) % 16, 0);
    }
    big = arena_zalloc(a, 1 << 20);
    assert_int_equal(big[(1 << 20) - 1], 0);
    assert_null(arena_strdup(a, NULL));
    arena_on_free(a, cleanup, &one);
    arena_on_free(a, cleanup, &one);
    arena_free(a);
    assert_int_equal(cleaned, 2);
    arena_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokenizer_documents),
        cmocka_unit_test(tokenizer_queries),
        cmocka_unit_test(long_words_are_cut),
        cmocka_unit_test(query_strings),
        cmocka_unit_test(arena_basics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
