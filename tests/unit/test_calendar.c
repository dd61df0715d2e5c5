/*
 * test_calendar.c - the working-day calendar against the official
 * 2023-2026 schedules, the worked examples of DESIGN.md section 3, office
 * hours, regional overrides, unpublished years, and property tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/calendar.h"

/*
 * Every date listed in the State Council notices for 2023-2026, transcribed
 * independently of data/calendar/cn.csv: date, ISO weekday, workday?, name.
 */
static const struct {
    const char *date;
    int weekday;
    int work;
    const char *name;
} official[] = {
    {"2022-12-31", 6, 0, "元旦"},
    {"2023-01-01", 7, 0, "元旦"},
    {"2023-01-02", 1, 0, "元旦"},
    {"2023-01-21", 6, 0, "春节"},
    {"2023-01-22", 7, 0, "春节"},
    {"2023-01-23", 1, 0, "春节"},
    {"2023-01-24", 2, 0, "春节"},
    {"2023-01-25", 3, 0, "春节"},
    {"2023-01-26", 4, 0, "春节"},
    {"2023-01-27", 5, 0, "春节"},
    {"2023-01-28", 6, 1, "春节"},
    {"2023-01-29", 7, 1, "春节"},
    {"2023-04-05", 3, 0, "清明节"},
    {"2023-04-23", 7, 1, "劳动节"},
    {"2023-04-29", 6, 0, "劳动节"},
    {"2023-04-30", 7, 0, "劳动节"},
    {"2023-05-01", 1, 0, "劳动节"},
    {"2023-05-02", 2, 0, "劳动节"},
    {"2023-05-03", 3, 0, "劳动节"},
    {"2023-05-06", 6, 1, "劳动节"},
    {"2023-06-22", 4, 0, "端午节"},
    {"2023-06-23", 5, 0, "端午节"},
    {"2023-06-24", 6, 0, "端午节"},
    {"2023-06-25", 7, 1, "端午节"},
    {"2023-09-29", 5, 0, "中秋节、国庆节"},
    {"2023-09-30", 6, 0, "中秋节、国庆节"},
    {"2023-10-01", 7, 0, "中秋节、国庆节"},
    {"2023-10-02", 1, 0, "中秋节、国庆节"},
    {"2023-10-03", 2, 0, "中秋节、国庆节"},
    {"2023-10-04", 3, 0, "中秋节、国庆节"},
    {"2023-10-05", 4, 0, "中秋节、国庆节"},
    {"2023-10-06", 5, 0, "中秋节、国庆节"},
    {"2023-10-07", 6, 1, "中秋节、国庆节"},
    {"2023-10-08", 7, 1, "中秋节、国庆节"},
    {"2024-01-01", 1, 0, "元旦"},
    {"2024-02-04", 7, 1, "春节"},
    {"2024-02-10", 6, 0, "春节"},
    {"2024-02-11", 7, 0, "春节"},
    {"2024-02-12", 1, 0, "春节"},
    {"2024-02-13", 2, 0, "春节"},
    {"2024-02-14", 3, 0, "春节"},
    {"2024-02-15", 4, 0, "春节"},
    {"2024-02-16", 5, 0, "春节"},
    {"2024-02-17", 6, 0, "春节"},
    {"2024-02-18", 7, 1, "春节"},
    {"2024-04-04", 4, 0, "清明节"},
    {"2024-04-05", 5, 0, "清明节"},
    {"2024-04-06", 6, 0, "清明节"},
    {"2024-04-07", 7, 1, "清明节"},
    {"2024-04-28", 7, 1, "劳动节"},
    {"2024-05-01", 3, 0, "劳动节"},
    {"2024-05-02", 4, 0, "劳动节"},
    {"2024-05-03", 5, 0, "劳动节"},
    {"2024-05-04", 6, 0, "劳动节"},
    {"2024-05-05", 7, 0, "劳动节"},
    {"2024-05-11", 6, 1, "劳动节"},
    {"2024-06-10", 1, 0, "端午节"},
    {"2024-09-14", 6, 1, "中秋节"},
    {"2024-09-15", 7, 0, "中秋节"},
    {"2024-09-16", 1, 0, "中秋节"},
    {"2024-09-17", 2, 0, "中秋节"},
    {"2024-09-29", 7, 1, "国庆节"},
    {"2024-10-01", 2, 0, "国庆节"},
    {"2024-10-02", 3, 0, "国庆节"},
    {"2024-10-03", 4, 0, "国庆节"},
    {"2024-10-04", 5, 0, "国庆节"},
    {"2024-10-05", 6, 0, "国庆节"},
    {"2024-10-06", 7, 0, "国庆节"},
    {"2024-10-07", 1, 0, "国庆节"},
    {"2024-10-12", 6, 1, "国庆节"},
    {"2025-01-01", 3, 0, "元旦"},
    {"2025-01-26", 7, 1, "春节"},
    {"2025-01-28", 2, 0, "春节"},
    {"2025-01-29", 3, 0, "春节"},
    {"2025-01-30", 4, 0, "春节"},
    {"2025-01-31", 5, 0, "春节"},
    {"2025-02-01", 6, 0, "春节"},
    {"2025-02-02", 7, 0, "春节"},
    {"2025-02-03", 1, 0, "春节"},
    {"2025-02-04", 2, 0, "春节"},
    {"2025-02-08", 6, 1, "春节"},
    {"2025-04-04", 5, 0, "清明节"},
    {"2025-04-05", 6, 0, "清明节"},
    {"2025-04-06", 7, 0, "清明节"},
    {"2025-04-27", 7, 1, "劳动节"},
    {"2025-05-01", 4, 0, "劳动节"},
    {"2025-05-02", 5, 0, "劳动节"},
    {"2025-05-03", 6, 0, "劳动节"},
    {"2025-05-04", 7, 0, "劳动节"},
    {"2025-05-05", 1, 0, "劳动节"},
    {"2025-05-31", 6, 0, "端午节"},
    {"2025-06-01", 7, 0, "端午节"},
    {"2025-06-02", 1, 0, "端午节"},
    {"2025-09-28", 7, 1, "国庆节、中秋节"},
    {"2025-10-01", 3, 0, "国庆节、中秋节"},
    {"2025-10-02", 4, 0, "国庆节、中秋节"},
    {"2025-10-03", 5, 0, "国庆节、中秋节"},
    {"2025-10-04", 6, 0, "国庆节、中秋节"},
    {"2025-10-05", 7, 0, "国庆节、中秋节"},
    {"2025-10-06", 1, 0, "国庆节、中秋节"},
    {"2025-10-07", 2, 0, "国庆节、中秋节"},
    {"2025-10-08", 3, 0, "国庆节、中秋节"},
    {"2025-10-11", 6, 1, "国庆节、中秋节"},
    {"2026-01-01", 4, 0, "元旦"},
    {"2026-01-02", 5, 0, "元旦"},
    {"2026-01-03", 6, 0, "元旦"},
    {"2026-01-04", 7, 1, "元旦"},
    {"2026-02-14", 6, 1, "春节"},
    {"2026-02-15", 7, 0, "春节"},
    {"2026-02-16", 1, 0, "春节"},
    {"2026-02-17", 2, 0, "春节"},
    {"2026-02-18", 3, 0, "春节"},
    {"2026-02-19", 4, 0, "春节"},
    {"2026-02-20", 5, 0, "春节"},
    {"2026-02-21", 6, 0, "春节"},
    {"2026-02-22", 7, 0, "春节"},
    {"2026-02-23", 1, 0, "春节"},
    {"2026-02-28", 6, 1, "春节"},
    {"2026-04-04", 6, 0, "清明节"},
    {"2026-04-05", 7, 0, "清明节"},
    {"2026-04-06", 1, 0, "清明节"},
    {"2026-05-01", 5, 0, "劳动节"},
    {"2026-05-02", 6, 0, "劳动节"},
    {"2026-05-03", 7, 0, "劳动节"},
    {"2026-05-04", 1, 0, "劳动节"},
    {"2026-05-05", 2, 0, "劳动节"},
    {"2026-05-09", 6, 1, "劳动节"},
    {"2026-06-19", 5, 0, "端午节"},
    {"2026-06-20", 6, 0, "端午节"},
    {"2026-06-21", 7, 0, "端午节"},
    {"2026-09-20", 7, 1, "国庆节"},
    {"2026-09-25", 5, 0, "中秋节"},
    {"2026-09-26", 6, 0, "中秋节"},
    {"2026-09-27", 7, 0, "中秋节"},
    {"2026-10-01", 4, 0, "国庆节"},
    {"2026-10-02", 5, 0, "国庆节"},
    {"2026-10-03", 6, 0, "国庆节"},
    {"2026-10-04", 7, 0, "国庆节"},
    {"2026-10-05", 1, 0, "国庆节"},
    {"2026-10-06", 2, 0, "国庆节"},
    {"2026-10-07", 3, 0, "国庆节"},
    {"2026-10-10", 6, 1, "国庆节"},
};

static cal_t *cal;

static int setup(void **state)
{
    (void)state;
    cal = cal_new_national();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cal_free(cal);
    return 0;
}

static dt_day_t D(const char *s)
{
    dt_day_t d;
    assert_true(dt_parse_date(s, &d));
    return d;
}

static dt_ms_t T(const char *s)
{
    dt_ms_t t;
    assert_true(dt_parse_instant(s, &t));
    return t;
}

static void every_official_date(void **state)
{
    (void)state;
    assert_int_equal(sizeof official / sizeof official[0], 142);
    for (size_t i = 0; i < sizeof official / sizeof official[0]; i++) {
        dt_day_t d = D(official[i].date);
        unsigned flags = 0;
        const char *name = cal_day_name(cal, d);
        assert_int_equal(dt_weekday(d), official[i].weekday);
        if (cal_is_workday(cal, d, &flags) != (bool)official[i].work)
            fail_msg("%s should be a %s", official[i].date,
                     official[i].work ? "workday" : "rest day");
        assert_non_null(name);
        assert_string_equal(name, official[i].name);
        /* 2022-12-31 belongs to the 2023 notice; 2022 itself is unpublished. */
        assert_int_equal(flags & CAL_F_UNPUBLISHED,
                         strncmp(official[i].date, "2022", 4) == 0 ? CAL_F_UNPUBLISHED : 0);
    }
}

/* Dates not listed follow Monday-Friday in every published year. */
static void unlisted_dates_follow_weekdays(void **state)
{
    (void)state;
    for (dt_day_t d = D("2023-01-01"); d <= D("2026-12-31"); d++) {
        bool listed = false;
        char buf[16];
        dt_format_date(d, buf, sizeof buf);
        for (size_t i = 0; i < sizeof official / sizeof official[0] && !listed; i++)
            listed = strcmp(official[i].date, buf) == 0;
        if (!listed)
            assert_int_equal(cal_is_workday(cal, d, NULL), dt_weekday(d) <= 5);
    }
}

static void workdays_per_year(void **state)
{
    static const struct { int year; int n; } want[] = {
        {2023, 249}, {2024, 251}, {2025, 248}, {2026, 248}};
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        unsigned flags = 0;
        int64_t n = cal_count_workdays(cal, dt_day_from_ymd(want[i].year, 1, 1),
                                       dt_day_from_ymd(want[i].year, 12, 31), &flags);
        assert_int_equal(n, want[i].n);
        assert_int_equal(flags, 0);
        assert_true(cal_year_published(cal, want[i].year));
    }
}

static void design_worked_examples(void **state)
{
    unsigned flags = 0;
    (void)state;
    assert_int_equal(cal_add_workdays(cal, D("2025-01-24"), 5, &flags), D("2025-02-07"));
    assert_int_equal(cal_add_workdays(cal, D("2024-09-30"), 1, &flags), D("2024-10-08"));
    assert_int_equal(cal_add_workdays(cal, D("2026-02-13"), 1, &flags), D("2026-02-14"));
    assert_int_equal(cal_add_workdays(cal, D("2023-12-29"), 1, &flags), D("2024-01-02"));
    assert_int_equal(cal_civil_deadline(cal, D("2024-12-02"), 60, &flags), D("2025-02-05"));
    assert_int_equal(flags, 0);
}

static void add_workdays_edges(void **state)
{
    (void)state;
    /* n == 0 is the start itself, even on a rest day. */
    assert_int_equal(cal_add_workdays(cal, D("2025-02-01"), 0, NULL), D("2025-02-01"));
    /* Starting on a rest day: the first working day after it. */
    assert_int_equal(cal_add_workdays(cal, D("2025-02-01"), 1, NULL), D("2025-02-05"));
    /* Backwards across the Spring Festival of 2025. */
    assert_int_equal(cal_add_workdays(cal, D("2025-02-05"), -1, NULL), D("2025-01-27"));
    assert_int_equal(cal_add_workdays(cal, D("2025-02-05"), -2, NULL), D("2025-01-26"));
    /* Counting is inclusive; empty when to < from. */
    assert_int_equal(cal_count_workdays(cal, D("2025-02-07"), D("2025-02-07"), NULL), 1);
    assert_int_equal(cal_count_workdays(cal, D("2025-02-07"), D("2025-02-06"), NULL), 0);
    /* Civil rule: a deadline on a working day stays; on a rest day moves. */
    assert_int_equal(cal_civil_deadline(cal, D("2025-03-03"), 15, NULL), D("2025-03-18"));
    assert_int_equal(cal_civil_deadline(cal, D("2025-09-16"), 15, NULL), D("2025-10-09"));
    assert_int_equal(cal_next_workday(cal, D("2025-10-01"), NULL), D("2025-10-09"));
}

static void unpublished_year_is_flagged(void **state)
{
    unsigned flags = 0;
    int first, last;
    (void)state;
    /* 2027 follows Monday-Friday but says so. */
    assert_true(cal_is_workday(cal, D("2027-01-01"), &flags)); /* a Friday */
    assert_int_equal(flags, CAL_F_UNPUBLISHED);
    flags = 0;
    assert_int_equal(cal_add_workdays(cal, D("2026-12-30"), 3, &flags), D("2027-01-04"));
    assert_true(flags & CAL_F_UNPUBLISHED);
    flags = 0;
    cal_count_workdays(cal, D("2026-01-01"), D("2026-12-31"), &flags);
    assert_int_equal(flags, 0);
    assert_false(cal_year_published(cal, 2027));
    assert_false(cal_year_published(cal, 2022));
    assert_true(cal_published_range(cal, &first, &last));
    assert_int_equal(first, 2023);
    assert_int_equal(last, 2026);
    /* An empty calendar knows nothing. */
    {
        cal_t *empty = cal_new();
        flags = 0;
        assert_false(cal_is_workday(empty, D("2025-01-28"), &flags) == false);
        assert_int_equal(flags, CAL_F_UNPUBLISHED);
        assert_false(cal_published_range(empty, &first, &last));
        cal_free(empty);
    }
}

static void regional_overrides(void **state)
{
    static const char region[] =
        "# 某自治县：三月三放假一天，周日补班\n"
        "2025-03-31,OFF,三月三\n"
        "2025-03-30,WORK,三月三\n";
    cal_t *c = cal_new_national();
    bh_err_t err;
    (void)state;
    assert_int_equal(cal_load(c, region, strlen(region), "region.csv", &err), BH_OK);
    assert_false(cal_is_workday(c, D("2025-03-31"), NULL));
    assert_true(cal_is_workday(c, D("2025-03-30"), NULL));
    assert_string_equal(cal_day_name(c, D("2025-03-31")), "三月三");
    assert_int_equal(cal_count_workdays(c, D("2025-01-01"), D("2025-12-31"), NULL), 248);
    /* The national calendar is untouched by another instance's overrides. */
    assert_true(cal_is_workday(cal, D("2025-03-31"), NULL));
    /* A region may also override an official date. */
    {
        static const char r2[] = "2025-02-08,OFF,地方调整\n";
        assert_int_equal(cal_load(c, r2, strlen(r2), "r2", &err), BH_OK);
        assert_false(cal_is_workday(c, D("2025-02-08"), NULL));
        assert_string_equal(cal_day_name(c, D("2025-02-08")), "地方调整");
    }
    cal_free(c);
}

static void bad_calendar_text(void **state)
{
    static const struct { const char *text; const char *needle; } cases[] = {
        {"2025-02-30,OFF,x\n", "第1行"},
        {"# c\n\n2025-03-01,HOLIDAY,x\n", "第3行"},
        {"2025-03-01,OFF\n", "3个字段"},
        {"20x5,PUBLISHED,x\n", "年份"},
        {"2025/03/01,OFF,x\n", "日期"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cal_t *c = cal_new();
        bh_err_t err;
        assert_int_equal(cal_load(c, cases[i].text, strlen(cases[i].text), "bad.csv", &err),
                         BH_INVALID_ARGUMENT);
        if (!strstr(err.message, cases[i].needle))
            fail_msg("message for case %zu lacks '%s': %s", i, cases[i].needle, err.message);
        /* Nothing of a bad text is kept. */
        assert_true(cal_is_workday(c, D("2025-03-03"), NULL));
        cal_free(c);
    }
    {
        /* A bad line after good ones: the good ones are not applied either. */
        static const char t[] = "2025-03-03,OFF,x\n2025-03-04,OOPS,y\n";
        cal_t *c = cal_new();
        bh_err_t err;
        assert_int_equal(cal_load(c, t, strlen(t), "t", &err), BH_INVALID_ARGUMENT);
        assert_true(cal_is_workday(c, D("2025-03-03"), NULL));
        cal_free(c);
    }
}

static void office_hours(void **state)
{
    cal_hours_t h;
    unsigned flags = 0;
    char buf[40];
    (void)state;
    cal_hours_default(&h);
    assert_int_equal(cal_hours_per_day(&h), 7 * DT_HOUR_MS + 30 * DT_MINUTE_MS);
    /* The example: Monday 17:00 + 2 working hours = Tuesday 10:00. */
    assert_string_equal(dt_format_instant(cal_add_work_ms(cal, &h, T("2025-03-03T17:00"),
                                                          2 * DT_HOUR_MS, &flags), buf, sizeof buf),
                        "2025-03-04T10:00:00+08:00");
    /* Ending exactly at the end of a span stays there. */
    assert_int_equal(cal_add_work_ms(cal, &h, T("2025-03-03T17:00"), DT_HOUR_MS, NULL),
                     T("2025-03-03T18:00"));
    /* Lunch break does not count. */
    assert_int_equal(cal_add_work_ms(cal, &h, T("2025-03-03T11:30"), DT_HOUR_MS, NULL),
                     T("2025-03-03T14:00"));
    /* Before office hours: counting starts at 09:00. */
    assert_int_equal(cal_add_work_ms(cal, &h, T("2025-03-03T07:00"), DT_HOUR_MS, NULL),
                     T("2025-03-03T10:00"));
    /* Across the 2025 National Day holiday (10-01..10-08) and into 10-09. */
    assert_int_equal(cal_add_work_ms(cal, &h, T("2025-09-30T17:00"), 2 * DT_HOUR_MS, NULL),
                     T("2025-10-09T10:00"));
    /* Into a make-up Saturday (2025-10-11). */
    assert_int_equal(cal_add_work_ms(cal, &h, T("2025-10-10T17:00"), 2 * DT_HOUR_MS, NULL),
                     T("2025-10-11T10:00"));
    /* Between: Friday 17:00 to next Monday 10:00 is 2 hours. */
    assert_int_equal(cal_work_ms_between(cal, &h, T("2025-03-07T17:00"), T("2025-03-10T10:00"), NULL),
                     2 * DT_HOUR_MS);
    assert_int_equal(cal_work_ms_between(cal, &h, T("2025-03-10T10:00"), T("2025-03-07T17:00"), NULL), 0);
    /* A whole working day is 7.5 hours. */
    assert_int_equal(cal_work_ms_between(cal, &h, T("2025-03-10T00:00"), T("2025-03-11T00:00"), NULL),
                     cal_hours_per_day(&h));
    assert_int_equal(flags, 0);
}

static void office_hours_parse(void **state)
{
    cal_hours_t h;
    bh_err_t err;
    (void)state;
    assert_int_equal(cal_hours_parse(&h, "08:30-12:00,14:00-17:30", &err), BH_OK);
    assert_int_equal(h.n, 2);
    assert_int_equal(cal_hours_per_day(&h), 7 * DT_HOUR_MS);
    assert_int_equal(cal_add_work_ms(cal, &h, T("2025-03-03T17:00"), DT_HOUR_MS, NULL),
                     T("2025-03-04T09:00"));
    assert_int_equal(cal_hours_parse(&h, "00:00-24:00", &err), BH_OK);
    assert_int_equal(cal_hours_per_day(&h), DT_DAY_MS);
    assert_int_equal(cal_hours_parse(&h, "12:00-09:00", &err), BH_INVALID_ARGUMENT);
    assert_string_equal(err.field, "office_hours");
    assert_int_equal(cal_hours_parse(&h, "09:00-12:00,11:00-18:00", &err), BH_INVALID_ARGUMENT);
    assert_int_equal(cal_hours_parse(&h, "9:00-12:00", &err), BH_INVALID_ARGUMENT);
    assert_int_equal(cal_hours_parse(&h, "09:00-12:00;13:00-18:00", &err), BH_INVALID_ARGUMENT);
    assert_int_equal(cal_hours_parse(&h, "09:00-25:00", &err), BH_INVALID_ARGUMENT);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Property: adding n working days, then counting (start, result] gives n,
 * and the result is a working day. */
static void property_add_then_count(void **state)
{
    dt_day_t lo = D("2023-01-01"), span = D("2026-06-30") - lo;
    (void)state;
    for (int i = 0; i < 5000; i++) {
        dt_day_t start = lo + (dt_day_t)(next_rand() % (uint64_t)span);
        int n = 1 + (int)(next_rand() % 120);
        dt_day_t end = cal_add_workdays(cal, start, n, NULL);
        assert_int_equal(cal_count_workdays(cal, start + 1, end, NULL), n);
        assert_true(cal_is_workday(cal, end, NULL));
        assert_int_equal(cal_add_workdays(cal, end, -n, NULL) <= start, true);
    }
}

/* Property: the year-at-a-time walks of cal_add_workdays and
 * cal_count_workdays agree with cal_is_workday asked day by day, both
 * ways, across year ends and into the unpublished years, flags included. */
static void property_walks_match_day_by_day(void **state)
{
    dt_day_t lo = D("2022-06-01"), span = D("2027-06-30") - lo;
    (void)state;
    for (int i = 0; i < 3000; i++) {
        dt_day_t start = lo + (dt_day_t)(next_rand() % (uint64_t)span), day = start;
        int n = (int)(next_rand() % 600) - 300, left = n < 0 ? -n : n;
        unsigned f_walk = 0, f_days = 0;
        int64_t count = 0;
        while (left > 0) {
            day += n < 0 ? -1 : 1;
            left -= cal_is_workday(cal, day, &f_days);
        }
        assert_int_equal(cal_add_workdays(cal, start, n, &f_walk), day);
        assert_int_equal(f_walk, f_days);
        f_walk = f_days = 0;
        for (dt_day_t d = start; d <= start + (n < 0 ? -n : n); d++)
            count += cal_is_workday(cal, d, &f_days);
        assert_int_equal(cal_count_workdays(cal, start, start + (n < 0 ? -n : n), &f_walk), count);
        assert_int_equal(f_walk, f_days);
    }
}

/* Property: office time added then measured comes back exactly, and the
 * result never lies outside office hours of a working day. */
static void property_add_then_measure_hours(void **state)
{
    cal_hours_t h;
    dt_ms_t lo = T("2023-01-01T00:00");
    (void)state;
    cal_hours_default(&h);
    for (int i = 0; i < 3000; i++) {
        dt_ms_t start = lo + (dt_ms_t)(next_rand() % (uint64_t)(1200 * DT_DAY_MS));
        int64_t ms = (int64_t)(next_rand() % (uint64_t)(40 * DT_HOUR_MS)) + 1;
        dt_ms_t end = cal_add_work_ms(cal, &h, start, ms, NULL);
        int64_t tod = dt_local_ms_of_day(end);
        assert_int_equal(cal_work_ms_between(cal, &h, start, end, NULL), ms);
        assert_true(cal_is_workday(cal, dt_local_day(end), NULL));
        assert_true((tod > 9 * DT_HOUR_MS && tod <= 12 * DT_HOUR_MS) ||
                    (tod > 13 * DT_HOUR_MS + 30 * DT_MINUTE_MS && tod <= 18 * DT_HOUR_MS));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_official_date),
        cmocka_unit_test(unlisted_dates_follow_weekdays),
        cmocka_unit_test(workdays_per_year),
        cmocka_unit_test(design_worked_examples),
        cmocka_unit_test(add_workdays_edges),
        cmocka_unit_test(unpublished_year_is_flagged),
        cmocka_unit_test(regional_overrides),
        cmocka_unit_test(bad_calendar_text),
        cmocka_unit_test(office_hours),
        cmocka_unit_test(office_hours_parse),
        cmocka_unit_test(property_add_then_count),
        cmocka_unit_test(property_walks_match_day_by_day),
        cmocka_unit_test(property_add_then_measure_hours),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
