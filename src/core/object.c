/*
 * object.c - validation of managed objects (see object.h).
 */
#include "core/object.h"

#include <string.h>

static const struct {
    const char *name, *label;
} kinds[OBJ__COUNT] = {
    [OBJ_ENTERPRISE] = {"enterprise", "企业/场所"}, [OBJ_COMPONENT] = {"component", "城市部件"},
    [OBJ_RIVER] = {"river_section", "河段"},        [OBJ_FOREST] = {"forest_section", "林段"},
    [OBJ_HOUSEHOLD] = {"household", "重点户"},
};

static const char *const types[][2] = {{"production", "一般生产经营单位"},
                                       {"small_venue", "三小场所"},
                                       {"office", "纯办公场所"},
                                       {"public_area", "公共区域管理单位"}};
static const char *const risks[][2] = {
    {"red", "重大风险（红）"}, {"orange", "较大风险（橙）"}, {"yellow", "一般风险（黄）"}, {"blue", "低风险（蓝）"}};

const char *obj_kind_name(obj_kind_t k)
{
    return (unsigned)k < OBJ__COUNT ? kinds[k].name : NULL;
}

const char *obj_kind_label(obj_kind_t k)
{
    return (unsigned)k < OBJ__COUNT ? kinds[k].label : NULL;
}

int obj_kind_from_name(const char *s)
{
    for (int i = 0; s && i < OBJ__COUNT; i++)
        if (strcmp(s, kinds[i].name) == 0)
            return i;
    return -1;
}

const char *obj_type_label(const char *type)
{
    for (size_t i = 0; type && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(type, types[i][0]) == 0)
            return types[i][1];
    return NULL;
}

const char *obj_risk_label(const char *risk)
{
    for (size_t i = 0; risk && i < sizeof risks / sizeof risks[0]; i++)
        if (strcmp(risk, risks[i][0]) == 0)
            return risks[i][1];
    return NULL;
}

bh_status_t obj_check(obj_kind_t kind, const char *type, const char *risk, const char *code,
                      const char *grid, bh_err_t *err)
{
    if ((unsigned)kind >= OBJ__COUNT)
        return bh_fail(err, BH_INVALID_ARGUMENT, "kind",
                       "对象种类应为 enterprise component river_section forest_section household");
    if (!grid || strlen(grid) != 14)
        return bh_fail(err, BH_INVALID_ARGUMENT, "grid", "所属网格（grid）应为14位网格编码");
    if (risk && !obj_risk_label(risk))
        return bh_fail(err, BH_INVALID_ARGUMENT, "risk", "风险等级应为 red orange yellow blue，实际为“%s”", risk);
    if (kind == OBJ_ENTERPRISE) {
        if (!obj_type_label(type))
            return bh_fail(err, BH_INVALID_ARGUMENT, "type",
                           "企业/场所类型应为 production（一般生产经营单位）、small_venue（三小场所）、"
                           "office（纯办公场所）或 public_area（公共区域管理单位）");
        if (!risk)
            return bh_fail(err, BH_INVALID_ARGUMENT, "risk", "企业/场所须有风险等级（red orange yellow blue）");
    } else if (type) {
        return bh_fail(err, BH_INVALID_ARGUMENT, "type", "只有企业/场所有类型（type）");
    }
    if (kind == OBJ_COMPONENT) {
        if (!code || strlen(code) != 16 || strspn(code, "0123456789") != 16)
            return bh_fail(err, BH_INVALID_ARGUMENT, "code",
                           "部件编码应为16位数字：区县6 + 大类2 + 小类2 + 流水号6");
        if (strncmp(code, grid, 6) != 0)
            return bh_fail(err, BH_INVALID_ARGUMENT, "code",
                           "部件编码的前6位（%.6s）应为所属网格的区县代码（%.6s）", code, grid);
        if (strncmp(code + 6, "00", 2) == 0 || strncmp(code + 8, "00", 2) == 0 ||
            strcmp(code + 10, "000000") == 0)
            return bh_fail(err, BH_INVALID_ARGUMENT, "code", "部件编码的大类、小类和流水号都不能为0");
    }
    return BH_OK;
}
