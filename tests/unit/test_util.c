/*
 * test_util.c - the capped buffer (dynbuf) and the arena's overflow
 * checks (issue 17, item 15).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/arena.h"
#include "util/dynbuf.h"

static void dynbuf_appends_and_caps(void **state)
{
    dynbuf_t b;
    char *s;
    (void)state;
    dynbuf_init(&b, 10);
    assert_string_equal(dynbuf_str(&b), "");
    assert_int_equal(dynbuf_addstr(&b, "abc"), BH_OK);
    assert_int_equal(dynbuf_printf(&b, "%d-%s", 42, "x"), BH_OK);
    assert_string_equal(dynbuf_str(&b), "abc42-x");
    assert_int_equal(dynbuf_len(&b), 7);
    /* past the cap: refused whole, remembered, the text left as it was */
    assert_int_equal(dynbuf_addstr(&b, "defg"), BH_PAYLOAD_TOO_LARGE);
    assert_true(dynbuf_failed(&b));
    assert_string_equal(dynbuf_str(&b), "abc42-x");
    assert_int_equal(dynbuf_printf(&b, "%s", "0123456789"), BH_PAYLOAD_TOO_LARGE);
    assert_int_equal(dynbuf_addstr(&b, "de"), BH_OK); /* fits: still appended */
    assert_true(dynbuf_failed(&b));                   /* but the failure sticks */
    dynbuf_reset(&b);
    assert_false(dynbuf_failed(&b));
    assert_int_equal(dynbuf_add(&b, "0123456789", 10), BH_OK); /* exactly the cap */
    s = dynbuf_take(&b);
    assert_string_equal(s, "0123456789");
    free(s);
    assert_string_equal(dynbuf_str(&b), "");
    dynbuf_free(&b);
}

static void dynbuf_grows(void **state)
{
    dynbuf_t b;
    (void)state;
    dynbuf_init(&b, 1 << 20);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(dynbuf_addstr(&b, "0123456789"), BH_OK);
    assert_int_equal(dynbuf_len(&b), 100000);
    assert_int_equal(strlen(dynbuf_str(&b)), 100000);
    dynbuf_free(&b);
}

/* Run fn in a child; true when it died of SIGABRT. */
static bool aborts(void (*fn)(void))
{
    int status;
    pid_t pid = fork();
    if (pid == 0) {
        fclose(stderr); /* the child's message is expected */
        fn();
        _exit(0);
    }
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void huge_alloc(void)
{
    arena_t *a = arena_new();
    (void)arena_alloc(a, SIZE_MAX - 3); /* (n + 15) would wrap to a tiny block */
}

static void huge_array(void)
{
    arena_t *a = arena_new();
    (void)arena_alloc_array(a, SIZE_MAX / 8 + 1, 16); /* the product wraps */
}

static void arena_overflow_aborts(void **state)
{
    arena_t *a = arena_new();
    (void)state;
    assert_true(aborts(huge_alloc));
    assert_true(aborts(huge_array));
    assert_non_null(arena_alloc_array(a, 1000, 16));
    assert_string_equal(arena_printf(a, "%s-%d", "a", 1), "a-1");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dynbuf_appends_and_caps),
        cmocka_unit_test(dynbuf_grows),
        cmocka_unit_test(arena_overflow_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
