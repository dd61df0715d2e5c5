/*
 * test_numfmt.c - numbers as the reports write them (core/numfmt.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/numfmt.h"

static char b[NF_MAX];

static void counts_in_digits_then_wan_and_yi(void **state)
{
    (void)state;
    assert_string_equal(nf_count(11900, "件", b, sizeof b), "11900件");
    assert_string_equal(nf_count(0, "宗", b, sizeof b), "0宗");
    assert_string_equal(nf_count(99999, "家次", b, sizeof b), "99999家次");
    assert_string_equal(nf_count(100000, "件", b, sizeof b), "10万件");
    assert_string_equal(nf_count(325000, "件", b, sizeof b), "32.5万件");
    assert_string_equal(nf_count(1150944, "人", b, sizeof b), "115.09万人");
    assert_string_equal(nf_count(123456789, "人次", b, sizeof b), "1.23亿人次");
    assert_string_equal(nf_count(200000000, NULL, b, sizeof b), "2亿");
    assert_string_equal(nf_quantity(9.1485, "万亩", b, sizeof b), "9.15万亩");
    assert_string_equal(nf_quantity(1700, "亩", b, sizeof b), "1700亩");
    /* the magnitude is chosen after rounding */
    assert_string_equal(nf_count(99999999, "件", b, sizeof b), "1亿件");
    assert_string_equal(nf_count(99999995, "件", b, sizeof b), "1亿件");
    assert_string_equal(nf_count(99995000, "件", b, sizeof b), "9999.5万件");
    assert_string_equal(nf_quantity(99999.996, "人", b, sizeof b), "10万人");
    assert_string_equal(nf_count(-120000, "人", b, sizeof b), "-12万人");
}

static void amounts_in_wan_and_yi_yuan(void **state)
{
    (void)state;
    assert_string_equal(nf_amount(89.36, "万元", b, sizeof b), "89.36万元");
    assert_string_equal(nf_amount(7741, "万元", b, sizeof b), "7741万元");
    assert_string_equal(nf_amount(23000, "万元", b, sizeof b), "2.3亿元");
    assert_string_equal(nf_amount(233700, "万元", b, sizeof b), "23.37亿元");
    assert_string_equal(nf_amount(0.5, "万元", b, sizeof b), "5000元");
    assert_string_equal(nf_amount(200900, "元", b, sizeof b), "20.09万元");
    assert_string_equal(nf_amount(8500, "元", b, sizeof b), "8500元");
    assert_string_equal(nf_amount(206.334, "万元", b, sizeof b), "206.33万元");
    assert_string_equal(nf_amount(9999.999, "万元", b, sizeof b), "1亿元");
    assert_string_equal(nf_amount(9999.996, "元", b, sizeof b), "1万元");
}

static void rates_keep_their_decimals(void **state)
{
    (void)state;
    /* 11888 of 11900: 99.899…% */
    assert_string_equal(nf_rate_parts(11888, 11900, 2, b, sizeof b), "99.90%");
    assert_string_equal(nf_rate((double)11888 / 11900, 2, b, sizeof b), "99.90%");
    assert_string_equal(nf_rate(0.5, 2, b, sizeof b), "50.00%");
    assert_string_equal(nf_rate(1, 0, b, sizeof b), "100%");
    assert_string_equal(nf_rate(0.999, 2, b, sizeof b), "99.90%");
    /* half up: 85/96 = 88.5416…, 821/960 = 85.52…, 1/8 = 12.5 */
    assert_string_equal(nf_rate_parts(85, 96, 1, b, sizeof b), "88.5%");
    assert_string_equal(nf_rate_parts(821, 960, 0, b, sizeof b), "86%");
    assert_string_equal(nf_rate_parts(1, 8, 0, b, sizeof b), "13%");
    assert_string_equal(nf_rate(0.125, 0, b, sizeof b), "13%");
    assert_string_equal(nf_rate_parts(0, 7, 2, b, sizeof b), "0.00%");
    assert_string_equal(nf_rate(0.41104, 1, b, sizeof b), "41.1%");
}

static void changes_say_rise_fall_or_level(void **state)
{
    (void)state;
    assert_true(nf_change(1123, 1000, b, sizeof b));
    assert_string_equal(b, "增长12.3%");
    assert_true(nf_change(3399, 3994, b, sizeof b));
    assert_string_equal(b, "下降14.9%");
    assert_true(nf_change(97, 100, b, sizeof b));
    assert_string_equal(b, "下降3.0%"); /* never "增长-3%" */
    assert_true(nf_change(10000, 10001, b, sizeof b));
    assert_string_equal(b, "持平");
    assert_false(nf_change(5, 0, b, sizeof b)); /* nothing to compare with */
    assert_string_equal(b, "");
    assert_string_equal(nf_points(0.03, b, sizeof b), "提高3个百分点");
    assert_string_equal(nf_points(-0.0125, b, sizeof b), "下降1.25个百分点");
    assert_string_equal(nf_points(0.00001, b, sizeof b), "持平");
    assert_string_equal(nf_delta(-1, "起", b, sizeof b), "减少1起");
    assert_string_equal(nf_delta(5, "人", b, sizeof b), "增加5人");
    assert_string_equal(nf_delta(0, "人", b, sizeof b), "持平");
}

static void chinese_numerals_and_section_numbers(void **state)
{
    (void)state;
    assert_string_equal(nf_chinese(1, b, sizeof b), "一");
    assert_string_equal(nf_chinese(10, b, sizeof b), "十");
    assert_string_equal(nf_chinese(12, b, sizeof b), "十二");
    assert_string_equal(nf_chinese(20, b, sizeof b), "二十");
    assert_string_equal(nf_chinese(99, b, sizeof b), "九十九");
    assert_string_equal(nf_chinese(100, b, sizeof b), "100");
    assert_string_equal(nf_section(1, 3, b, sizeof b), "三、");
    assert_string_equal(nf_section(2, 11, b, sizeof b), "（十一）");
    assert_string_equal(nf_section(3, 2, b, sizeof b), "2.");
    assert_string_equal(nf_section(4, 1, b, sizeof b), "（1）");
}

static void never_overflows(void **state)
{
    char small[5];
    (void)state;
    nf_count(11900, "件", small, sizeof small);
    assert_true(strlen(small) < sizeof small);
    /* the extremes are written right, not just within the buffer */
    assert_string_equal(nf_count(INT64_MAX, NULL, b, sizeof b), "92233720368.55亿");
    assert_string_equal(nf_delta(INT64_MIN, "件", b, sizeof b), "减少92233720368.55亿件");
    nf_rate_parts(INT64_MAX, 3, 2, b, sizeof b); /* falls back to doubles: no overflow */
    assert_true(strlen(b) < sizeof b && b[strlen(b) - 1] == '%');
    assert_string_equal(nf_rate_parts(1, INT64_MAX, 2, b, sizeof b), "0.00%");
    assert_string_equal(nf_rate(0.0 / 0.0, 2, b, sizeof b), "0.00%");
    assert_string_equal(nf_quantity(1.0 / 0.0, "件", b, sizeof b), "0件");
    /* a large amount in 元 keeps its last digit: no half-digit nudge */
    assert_string_equal(nf_quantity(12345.675, NULL, b, sizeof b), "12345.68");
    assert_string_equal(nf_quantity(99999.994, NULL, b, sizeof b), "99999.99");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_in_digits_then_wan_and_yi),
        cmocka_unit_test(amounts_in_wan_and_yi_yuan),
        cmocka_unit_test(rates_keep_their_decimals),
        cmocka_unit_test(changes_say_rise_fall_or_level),
        cmocka_unit_test(chinese_numerals_and_section_numbers),
        cmocka_unit_test(never_overflows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
