/*
 * unitcode.c - validation of unit codes (see unitcode.h).
 */
#include "core/unitcode.h"

#include <stdbool.h>
#include <string.h>

static const struct {
    const char *name, *label;
    size_t len; /* code length; 0 for departments */
} types[UNIT__COUNT] = {
    [UNIT_DISTRICT] = {"district", "区县", 6},
    [UNIT_STREET] = {"street", "街道/乡镇", 9},
    [UNIT_COMMUNITY] = {"community", "社区/村", 12},
    [UNIT_GRID] = {"grid", "网格", 14},
    [UNIT_DEPARTMENT] = {"department", "部门", 0},
};

const char *unit_type_name(unit_type_t t)
{
    return (unsigned)t < UNIT__COUNT ? types[t].name : NULL;
}

const char *unit_type_label(unit_type_t t)
{
    return (unsigned)t < UNIT__COUNT ? types[t].label : NULL;
}

int unit_type_from_name(const char *s)
{
    for (int i = 0; s && i < UNIT__COUNT; i++)
        if (strcmp(s, types[i].name) == 0)
            return i;
    return -1;
}

static bool all_digits(const char *s, size_t n)
{
    return strspn(s, "0123456789") >= n;
}

/* GB/T 2260 province-level prefixes. */
static bool province_ok(const char *c)
{
    static const char *const p[] = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32",
                                    "33", "34", "35", "36", "37", "41", "42", "43", "44", "45",
                                    "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
                                    "65", "71", "81", "82"};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        if (strncmp(c, p[i], 2) == 0)
            return true;
    return false;
}

/* The parent type each type requires (-1: a department may hang anywhere
 * but under a grid or a department). */
static int parent_of(unit_type_t t)
{
    return t == UNIT_STREET ? UNIT_DISTRICT : t == UNIT_COMMUNITY ? UNIT_STREET
         : t == UNIT_GRID ? UNIT_COMMUNITY : -1;
}

bh_status_t unit_code_check(const char *code, unit_type_t type, const char *parent_code,
                            int parent_type, bh_err_t *err)
{
    size_t n = code ? strlen(code) : 0, pl;

    if ((unsigned)type >= UNIT__COUNT)
        return bh_fail(err, BH_INVALID_ARGUMENT, "type", "未知的单位类型");
    if (type == UNIT_DISTRICT) {
        if (n != 6 || !all_digits(code, 6))
            return bh_fail(err, BH_INVALID_ARGUMENT, "code",
                           "区县编码应为6位数字（GB/T 2260），实际为“%s”", code ? code : "");
        if (!province_ok(code))
            return bh_fail(err, BH_INVALID_ARGUMENT, "code",
                           "区县编码“%s”的前两位不是 GB/T 2260 中的省级代码", code);
        if (strcmp(code + 4, "00") == 0)
            return bh_fail(err, BH_INVALID_ARGUMENT, "code",
                           "区县编码“%s”的末两位不能为00（那是地市级代码）", code);
        return BH_OK;
    }
    if (!parent_code || !*parent_code)
        return bh_fail(err, BH_INVALID_ARGUMENT, "parent", "%s须有上级单位", types[type].label);
    if (parent_of(type) >= 0 && parent_type != parent_of(type))
        return bh_fail(err, BH_INVALID_ARGUMENT, "parent", "%s的上级应为%s", types[type].label,
                       types[parent_of(type)].label);
    if (type == UNIT_DEPARTMENT && (parent_type == UNIT_GRID || parent_type == UNIT_DEPARTMENT))
        return bh_fail(err, BH_INVALID_ARGUMENT, "parent", "部门的上级应为区县、街道或社区");
    pl = strlen(parent_code);
    if (n <= pl || strncmp(code, parent_code, pl) != 0)
        return bh_fail(err, BH_INVALID_ARGUMENT, "code",
                       "下级编码须以上级编码“%s”开头（实际为“%s”）", parent_code, code ? code : "");
    if (type == UNIT_DEPARTMENT) {
        const char *suffix = code + pl + 1;
        size_t sl = strlen(suffix);
        if (code[pl] != '-' || sl < 1 || sl > 16 ||
            strspn(suffix, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != sl)
            return bh_fail(err, BH_INVALID_ARGUMENT, "code",
                           "部门编码应为 上级编码-后缀（后缀为1到16个大写字母或数字），如 %s-CG", parent_code);
        return BH_OK;
    }
    if (n != types[type].len || !all_digits(code, n))
        return bh_fail(err, BH_INVALID_ARGUMENT, "code", "%s编码应为%zu位数字（%s），实际为“%s”",
                       types[type].label, types[type].len,
                       type == UNIT_GRID ? "区县6+街道3+社区3+网格2" : "统计用区划代码 6+3+3", code);
    if (strspn(code + pl, "0") == n - pl)
        return bh_fail(err, BH_INVALID_ARGUMENT, "code", "%s编码“%s”的本级部分不能全为0",
                       types[type].label, code);
    return BH_OK;
}

bool unit_scope_is_subtree(const char *scope)
{
    size_t n = scope ? strlen(scope) : 0;
    return n > 0 && n < 14 && all_digits(scope, n);
}

bool unit_code_is_grid(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    return n == 14 && all_digits(code, n);
}

bool unit_in_scope(const char *scope, const char *code)
{
    size_t n;
    if (!scope || !code)
        return false;
    if (!unit_scope_is_subtree(scope))
        return strcmp(scope, code) == 0;
    n = strlen(scope);
    /* Numeric codes are fixed-width per level, so any extension by a
     * digit or by the department separator is a descendant. */
    return strncmp(scope, code, n) == 0 &&
           (code[n] == '\0' || code[n] == '-' || (code[n] >= '0' && code[n] <= '9'));
}

const char *unit_scope_meet(const char *a, const char *b)
{
    if (unit_in_scope(b, a))
        return a;
    if (unit_in_scope(a, b))
        return b;
    return NULL;
}

int unit_child_code_len(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (code && strchr(code, '-'))
        return (int)n; /* a department */
    return n == 6 ? 9 : n == 9 ? 12 : n == 12 ? 14 : (int)n;
}
