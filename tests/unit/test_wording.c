/*
 * test_wording.c - titles derived for cases reported without one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/wording.h"

static const char *title(const char *cat, const char *addr, const char *desc)
{
    static char buf[256];
    wording_case_title(cat, addr, desc, buf, sizeof buf);
    return buf;
}

static void derived_titles(void **state)
{
    (void)state;
    /* the address says where: category and address */
    assert_string_equal(title("占道经营", "深南大道1号", "早市摊位占用人行道"), "占道经营：深南大道1号");
    /* else the description's first sentence */
    assert_string_equal(title("井盖缺失", NULL, "人行道井盖丢失。晚上很危险"), "井盖缺失：人行道井盖丢失");
    assert_string_equal(title("井盖缺失", "", "  \n路口井盖丢失！"), "井盖缺失：路口井盖丢失");
    /* at most 20 characters of it, marked as cut */
    assert_string_equal(title("噪声扰民", NULL, "小区东门外的工地每天晚上十一点以后仍在施工，噪声很大"),
                        "噪声扰民：小区东门外的工地每天晚上十一点以后仍在施…");
    /* blank runs read as one space, the ideographic space too */
    assert_string_equal(title("乱堆物料", NULL, "A栋  后面\t\u3000堆放建筑垃圾"), "乱堆物料：A栋 后面 堆放建筑垃圾");
    /* nothing to go on: the category alone */
    assert_string_equal(title("道路不洁", NULL, NULL), "道路不洁");
    assert_string_equal(title("道路不洁", NULL, " 。"), "道路不洁");
    assert_string_equal(title(NULL, NULL, "x"), "案件：x");
}

static void never_overflows_or_splits_a_character(void **state)
{
    char small[12];
    (void)state;
    /* 12 bytes: "井盖" (6) + "：" would need 10 with the NUL; the next 3-byte character does not fit */
    wording_case_title("井盖", NULL, "丢失了", small, sizeof small);
    assert_string_equal(small, "井盖：");
    wording_case_title("很长很长的类别", NULL, "x", small, sizeof small);
    assert_string_equal(small, "很长很");
    wording_case_title("a", NULL, "\xff\xfe", small, sizeof small); /* stray bytes pass as themselves */
    assert_int_equal(small[0], 'a');
    assert_true(strlen(small) < sizeof small);
}

static void period_words(void **state)
{
    static const struct {
        int y1, m1, d1, y2, m2, d2;
        const char *full, *lead;
    } cases[] = {
        {2023, 1, 1, 2023, 6, 30, "2023年上半年", "上半年"},
        {2023, 7, 1, 2023, 12, 31, "2023年下半年", "下半年"},
        {2023, 1, 1, 2023, 12, 31, "2023年", "全年"},
        {2023, 4, 1, 2023, 6, 30, "2023年第二季度", "二季度"},
        {2024, 2, 1, 2024, 2, 29, "2024年2月", "2月"},
        {2023, 1, 1, 2023, 5, 31, "2023年1-5月", "1-5月"},
        {2023, 1, 1, 2023, 6, 24, "2023年1月1日至6月24日", "今年以来"},
        {2023, 6, 5, 2023, 6, 11, "2023年6月5日至6月11日", "本期"},
        {2022, 12, 26, 2023, 1, 1, "2022年12月26日至2023年1月1日", "本期"},
        {2023, 2, 1, 2023, 4, 30, "2023年2月1日至4月30日", "本期"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char full[64], lead[32];
        wording_period(dt_day_from_ymd(cases[i].y1, cases[i].m1, cases[i].d1),
                       dt_day_from_ymd(cases[i].y2, cases[i].m2, cases[i].d2), full, sizeof full,
                       lead, sizeof lead);
        assert_string_equal(full, cases[i].full);
        assert_string_equal(lead, cases[i].lead);
    }
    assert_string_equal(wording_next_period(dt_day_from_ymd(2023, 1, 1), dt_day_from_ymd(2023, 6, 30)), "下半年");
    assert_string_equal(wording_next_period(dt_day_from_ymd(2023, 7, 1), dt_day_from_ymd(2023, 12, 31)), "明年");
    assert_string_equal(wording_next_period(dt_day_from_ymd(2023, 1, 1), dt_day_from_ymd(2023, 12, 31)), "明年");
    assert_string_equal(wording_next_period(dt_day_from_ymd(2023, 4, 1), dt_day_from_ymd(2023, 6, 30)), "下季度");
    assert_string_equal(wording_next_period(dt_day_from_ymd(2023, 8, 1), dt_day_from_ymd(2023, 8, 31)), "下月");
    assert_string_equal(wording_next_period(dt_day_from_ymd(2023, 6, 5), dt_day_from_ymd(2023, 6, 11)), "下周");
    assert_string_equal(wording_next_period(dt_day_from_ymd(2023, 1, 1), dt_day_from_ymd(2023, 6, 24)), "下一阶段");
    char d[32];
    assert_string_equal(wording_date(dt_day_from_ymd(2023, 6, 30), d, sizeof d), "2023年6月30日");
}

static void time_left_as_people_say_it(void **state)
{
    char b[64];
    const int64_t day = 450; /* 09:00-12:00, 13:30-18:00 */
    (void)state;
    wording_remaining(WR_WORKING_DAYS, -3 * day - 20, day, b, sizeof b);
    assert_string_equal(b, "超期 3 个工作日");
    wording_remaining(WR_WORKING_DAYS, 2.6 * day, day, b, sizeof b);
    assert_string_equal(b, "剩余 3 个工作日");
    wording_remaining(WR_WORKING_DAYS, 100, day, b, sizeof b);
    assert_string_equal(b, "剩余不足 1 个工作日");
    wording_remaining(WR_WORKING_HOURS, 135, day, b, sizeof b);
    assert_string_equal(b, "剩余 2 小时 15 分");
    wording_remaining(WR_WORKING_HOURS, -45.4, day, b, sizeof b);
    assert_string_equal(b, "超期 45 分");
    wording_remaining(WR_WORKING_HOURS, 180, day, b, sizeof b);
    assert_string_equal(b, "剩余 3 小时");
    /* the demo's old cases: 30064.6 working hours over, said in working days */
    wording_remaining(WR_WORKING_HOURS, -30064.6 * 60, day, b, sizeof b);
    assert_string_equal(b, "超期 4009 个工作日");
    wording_remaining(WR_NATURAL, 47 * 60 + 59, day, b, sizeof b);
    assert_string_equal(b, "剩余 47 小时 59 分");
    wording_remaining(WR_NATURAL, -5 * 1440 - 600, day, b, sizeof b);
    assert_string_equal(b, "超期 5 天");
    wording_remaining(WR_NATURAL, 0, day, b, sizeof b);
    assert_string_equal(b, "剩余 0 分");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(derived_titles),
        cmocka_unit_test(never_overflows_or_splits_a_character),
        cmocka_unit_test(period_words),
        cmocka_unit_test(time_left_as_people_say_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
