/*
 * test_unitcode.c - unit code rules: lengths, digits, province prefixes,
 * parent types and prefixes, department suffixes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/unitcode.h"

static void valid_codes(void **state)
{
    bh_err_t err;
    (void)state;
    assert_int_equal(unit_code_check("440303", UNIT_DISTRICT, NULL, -1, &err), BH_OK);
    assert_int_equal(unit_code_check("110105", UNIT_DISTRICT, NULL, -1, &err), BH_OK);
    assert_int_equal(unit_code_check("440303001", UNIT_STREET, "440303", UNIT_DISTRICT, &err), BH_OK);
    assert_int_equal(unit_code_check("440303001002", UNIT_COMMUNITY, "440303001", UNIT_STREET, &err), BH_OK);
    assert_int_equal(unit_code_check("44030300100203", UNIT_GRID, "440303001002", UNIT_COMMUNITY, &err), BH_OK);
    assert_int_equal(unit_code_check("440303-CG", UNIT_DEPARTMENT, "440303", UNIT_DISTRICT, &err), BH_OK);
    assert_int_equal(unit_code_check("440303001-SF2", UNIT_DEPARTMENT, "440303001", UNIT_STREET, &err), BH_OK);
}

static void invalid_codes(void **state)
{
    static const struct {
        const char *code;
        unit_type_t type;
        const char *parent;
        int ptype;
        const char *field, *needle;
    } cases[] = {
        {"44030", UNIT_DISTRICT, NULL, -1, "code", "6位"},
        {"44030x", UNIT_DISTRICT, NULL, -1, "code", "6位"},
        {"990303", UNIT_DISTRICT, NULL, -1, "code", "省级"},
        {"440300", UNIT_DISTRICT, NULL, -1, "code", "地市"},
        {"440303001", UNIT_STREET, NULL, -1, "parent", "上级"},
        {"440304001", UNIT_STREET, "440303", UNIT_DISTRICT, "code", "开头"},
        {"4403030011", UNIT_STREET, "440303", UNIT_DISTRICT, "code", "9位"},
        {"440303000", UNIT_STREET, "440303", UNIT_DISTRICT, "code", "全为0"},
        {"440303001001", UNIT_COMMUNITY, "440303", UNIT_DISTRICT, "parent", "街道"},
        {"44030300100100", UNIT_GRID, "440303001001", UNIT_COMMUNITY, "code", "全为0"},
        {"4403030010010", UNIT_GRID, "440303001001", UNIT_COMMUNITY, "code", "14位"},
        {"440303CG", UNIT_DEPARTMENT, "440303", UNIT_DISTRICT, "code", "后缀"},
        {"440303-cg", UNIT_DEPARTMENT, "440303", UNIT_DISTRICT, "code", "后缀"},
        {"44030300100101-X", UNIT_DEPARTMENT, "44030300100101", UNIT_GRID, "parent", "部门"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bh_err_t err;
        assert_int_equal(unit_code_check(cases[i].code, cases[i].type, cases[i].parent, cases[i].ptype, &err),
                         BH_INVALID_ARGUMENT);
        if (strcmp(err.field, cases[i].field) || !strstr(err.message, cases[i].needle))
            fail_msg("case %zu (%s): field %s, message %s", i, cases[i].code, err.field, err.message);
    }
}

static void type_names(void **state)
{
    (void)state;
    for (int t = 0; t < UNIT__COUNT; t++)
        assert_int_equal(unit_type_from_name(unit_type_name((unit_type_t)t)), t);
    assert_int_equal(unit_type_from_name("province"), -1);
}

/* Jurisdiction: a department is itself only, a numeric unit its subtree;
 * never a raw string prefix (issue 17, item 1). */
static void scopes(void **state)
{
    (void)state;
    assert_true(unit_in_scope("440303", "440303"));
    assert_true(unit_in_scope("440303", "440303001"));
    assert_true(unit_in_scope("440303", "44030300100101"));
    assert_true(unit_in_scope("440303", "440303-CG"));
    assert_true(unit_in_scope("440303001", "440303001-JD"));
    assert_true(unit_in_scope("440303-CG", "440303-CG"));
    assert_false(unit_in_scope("440303-CG", "440303-CGZF"));
    assert_false(unit_in_scope("440303-CGZF", "440303-CG"));
    assert_false(unit_in_scope("440303-CG", "440303-CG1"));
    assert_false(unit_in_scope("440303001", "440303002001"));
    assert_false(unit_in_scope("440303", "440304001"));
    assert_false(unit_in_scope("440303", "440303CG"));   /* not a code we issue */
    assert_false(unit_in_scope("44030300100101", "4403030010010101"));
    assert_true(unit_in_scope("44030300100101", "44030300100101"));
    assert_false(unit_in_scope(NULL, "440303"));
    assert_false(unit_in_scope("440303", NULL));
    assert_true(unit_scope_is_subtree("440303"));
    assert_true(unit_scope_is_subtree("440303001001"));
    assert_false(unit_scope_is_subtree("44030300100101"));
    assert_true(unit_code_is_grid("44030300100101"));
    assert_false(unit_code_is_grid("440303001001"));
    assert_false(unit_code_is_grid("440303-CGZF001"));
    assert_false(unit_code_is_grid(NULL));
    assert_false(unit_scope_is_subtree("440303-CG"));
    assert_false(unit_scope_is_subtree(""));
    assert_string_equal(unit_scope_meet("440303", "440303001"), "440303001");
    assert_string_equal(unit_scope_meet("440303001", "440303"), "440303001");
    assert_string_equal(unit_scope_meet("440303-CG", "440303"), "440303-CG");
    assert_null(unit_scope_meet("440303-CG", "440303-CGZF"));
    assert_null(unit_scope_meet("440303001", "440303002"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_codes),
        cmocka_unit_test(invalid_codes),
        cmocka_unit_test(type_names),
        cmocka_unit_test(scopes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
