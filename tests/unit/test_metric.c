/*
 * test_metric.c - the registry of the case loop's figures (core/metric.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/metric.h"

/* The seed's own figure: 11900 due, 11888 closed → 结案率 99.90%. */
static void worked_example(void **state)
{
    case_figures_t f;
    double v;
    (void)state;
    memset(&f, 0, sizeof f);
    f.n[CM_REGISTERED] = 11950;
    f.n[CM_DUE] = 11900;
    f.n[CM_CLOSED] = 11888;
    f.n[CM_CLOSED_ON_TIME] = 11800;
    f.n[CM_HANDLED] = 11890;
    f.n[CM_REWORKED] = 119;
    f.handle_ms_sum = 3.0 * 3600000.0 * 10;
    f.handle_n = 10;
    case_figures_finish(&f);
    assert_int_equal(f.n[CM_OVERDUE], 100);
    assert_int_equal(f.n[CM_OPEN], 62);
    assert_true(metric_value(case_metric("close_rate"), &f, &v));
    assert_true(v > 0.99899 && v < 0.99900); /* 0.998991… → "99.90%" */
    assert_true(metric_value(case_metric("overdue_rate"), &f, &v));
    assert_true(v > 0.0084 && v < 0.0085);
    assert_true(metric_value(case_metric("rework_rate"), &f, &v));
    assert_true(v > 0.01000 && v < 0.01001);
    assert_true(metric_value(case_metric("avg_handle_hours"), &f, &v));
    assert_true(v > 2.999 && v < 3.001);
    assert_true(metric_value(case_metric("overdue"), &f, &v));
    assert_true(v == 100.0);
}

/* A rate over nothing is undefined, never 0 (a report words it). */
static void undefined_over_zero(void **state)
{
    case_figures_t f;
    double v = -1;
    (void)state;
    memset(&f, 0, sizeof f);
    case_figures_finish(&f);
    assert_false(metric_value(case_metric("close_rate"), &f, &v));
    assert_false(metric_value(case_metric("satisfaction_rate"), &f, &v));
    assert_false(metric_value(case_metric("avg_handle_hours"), &f, &v));
    assert_true(metric_value(case_metric("reported"), &f, &v));
    assert_true(v == 0.0);
}

static void registry_is_consistent(void **state)
{
    int n;
    const metric_t *m = case_metrics(&n);
    (void)state;
    assert_true(n >= 17);
    for (int i = 0; i < n; i++) {
        assert_non_null(m[i].label);
        assert_ptr_equal(case_metric(m[i].key), &m[i]); /* keys are unique */
        if (m[i].kind == METRIC_RATE)
            assert_non_null(m[i].formula);
        assert_true(m[i].num < CM__COUNT && m[i].den < CM__COUNT);
    }
    assert_null(case_metric("nope"));
    assert_string_equal(case_metric("on_time_close_rate")->label, "按期结案率");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worked_example),
        cmocka_unit_test(undefined_over_zero),
        cmocka_unit_test(registry_is_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
