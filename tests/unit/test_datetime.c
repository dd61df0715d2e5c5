/*
 * test_datetime.c - day numbers, weekdays, parsing and formatting of dates
 * and instants in Asia/Shanghai time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/datetime.h"

static void day_numbers(void **state)
{
    int y, m, d;
    (void)state;
    assert_int_equal(dt_day_from_ymd(1970, 1, 1), 0);
    assert_int_equal(dt_day_from_ymd(2000, 3, 1), 11017);
    assert_int_equal(dt_day_from_ymd(1969, 12, 31), -1);
    assert_int_equal(dt_weekday(0), 4);                          /* Thursday */
    assert_int_equal(dt_weekday(dt_day_from_ymd(2025, 1, 24)), 5); /* Friday */
    assert_int_equal(dt_weekday(dt_day_from_ymd(2026, 2, 14)), 6); /* Saturday */
    assert_int_equal(dt_weekday(dt_day_from_ymd(1900, 1, 1)), 1);  /* Monday */
    /* Round trip over every day from 1900 to 2200. */
    for (dt_day_t day = dt_day_from_ymd(1900, 1, 1); day <= dt_day_from_ymd(2200, 12, 31); day++) {
        dt_ymd(day, &y, &m, &d);
        assert_true(dt_ymd_valid(y, m, d));
        assert_int_equal(dt_day_from_ymd(y, m, d), day);
    }
}

static void validity(void **state)
{
    (void)state;
    assert_true(dt_ymd_valid(2024, 2, 29));
    assert_false(dt_ymd_valid(2023, 2, 29));
    assert_false(dt_ymd_valid(1900, 2, 29));
    assert_true(dt_ymd_valid(2000, 2, 29));
    assert_false(dt_ymd_valid(2025, 4, 31));
    assert_false(dt_ymd_valid(2025, 13, 1));
    assert_false(dt_ymd_valid(1899, 12, 31));
}

static void parse_dates(void **state)
{
    dt_day_t d;
    (void)state;
    assert_true(dt_parse_date("2025-01-24", &d));
    assert_int_equal(d, dt_day_from_ymd(2025, 1, 24));
    assert_false(dt_parse_date("2025-1-24", &d));
    assert_false(dt_parse_date("2025-01-24x", &d));
    assert_false(dt_parse_date("2025-02-29", &d));
    assert_false(dt_parse_date("", &d));
    assert_false(dt_parse_date(NULL, &d));
    assert_false(dt_parse_date("２０２５-01-01", &d));
}

static void parse_instants(void **state)
{
    dt_ms_t t, u;
    char buf[40];
    (void)state;
    /* No offset means Beijing time. */
    assert_true(dt_parse_instant("2025-03-03T17:00", &t));
    assert_int_equal(t, (dt_ms_t)dt_day_from_ymd(2025, 3, 3) * DT_DAY_MS + 9 * DT_HOUR_MS);
    assert_true(dt_parse_instant("2025-03-03T09:00:00Z", &u));
    assert_int_equal(t, u);
    assert_true(dt_parse_instant("2025-03-03 17:00:00+08:00", &u));
    assert_int_equal(t, u);
    assert_true(dt_parse_instant("2025-03-03T04:00-05:00", &u));
    assert_int_equal(t, u);
    assert_true(dt_parse_instant("2025-03-03T17:00:00.5", &u));
    assert_int_equal(u - t, 500);
    assert_true(dt_parse_instant("2025-03-03", &u));
    assert_int_equal(dt_local_ms_of_day(u), 0);
    assert_false(dt_parse_instant("2025-03-03T24:00", &u));
    assert_false(dt_parse_instant("2025-03-03T17", &u));
    assert_false(dt_parse_instant("2025-03-03T17:00+8", &u));
    assert_false(dt_parse_instant("2025-03-03T17:00:61", &u));
    assert_false(dt_parse_instant("2025-03-03T17:00:00.", &u));
    assert_string_equal(dt_format_instant(t, buf, sizeof buf), "2025-03-03T17:00:00+08:00");
    assert_string_equal(dt_format_instant(t + 1, buf, sizeof buf), "2025-03-03T17:00:00.001+08:00");
    /* An instant late in the UTC day is the next local day. */
    assert_true(dt_parse_instant("2025-03-03T20:00:00Z", &u));
    assert_int_equal(dt_local_day(u), dt_day_from_ymd(2025, 3, 4));
    assert_string_equal(dt_format_date(dt_local_day(u), buf, sizeof buf), "2025-03-04");
    /* Before the epoch. */
    assert_true(dt_parse_instant("1969-12-31T23:00:00+08:00", &u));
    assert_int_equal(dt_local_day(u), -1);
    assert_string_equal(dt_format_instant(u, buf, sizeof buf), "1969-12-31T23:00:00+08:00");
}

static void floor_div(void **state)
{
    (void)state;
    assert_int_equal(dt_floor_div(7, 2), 3);
    assert_int_equal(dt_floor_div(-7, 2), -4);
    assert_int_equal(dt_floor_div(-8, 2), -4);
    assert_int_equal(dt_floor_div(0, 5), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(day_numbers),
        cmocka_unit_test(validity),
        cmocka_unit_test(parse_dates),
        cmocka_unit_test(parse_instants),
        cmocka_unit_test(floor_div),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
