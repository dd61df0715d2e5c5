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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(derived_titles),
        cmocka_unit_test(never_overflows_or_splits_a_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
