/*
 * ledger.c - ledgers (台账): what each kind's columns are, their names, and
 * the enumerated values a cell may hold.  Importing is ledger_import.c,
 * exporting ledger_export.c.
 *
 * Each kind is a table of columns (key, Chinese label, flags); importing
 * turns a row into a call of the service that writes it, so a ledger row
 * passes exactly the checks an API call does.  Enumerated columns take the
 * identifier or its Chinese label; exports write the label.
 */
#include "svc/ledger_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/object.h"

#define NCOLS(a) ((int)(sizeof a / sizeof a[0]))

static const col_t unit_cols[] = {
    {"code", "编码", C_REQ},       {"name", "名称", C_REQ}, {"type", "类型", C_REQ},
    {"parent", "上级编码", 0},     {"active", "状态", 0},
};

static const col_t object_cols[] = {
    {"id", "系统编号", C_NUM},  {"kind", "种类", C_REQ},   {"code", "编码", 0},
    {"name", "名称", C_REQ},    {"grid", "所属网格", C_REQ}, {"type", "场所类型", 0},
    {"risk", "风险等级", 0},    {"address", "地址", 0},     {"lat", "纬度", C_NUM},
    {"lng", "经度", C_NUM},     {"active", "状态", 0},       {"line", "走向", 0},
};

static const col_t user_cols[] = {
    {"username", "用户名", C_REQ}, {"display_name", "姓名", 0}, {"role", "角色", C_REQ},
    {"unit", "所属单位", C_REQ},   {"phone", "电话", 0},        {"active", "状态", 0},
    {"password", "初始密码", C_IN},
};

static const col_t case_cols[] = {
    {"number", "案件编号", C_OUT},      {"external_id", "外部编号", 0},
    {"source", "来源", C_REQ},          {"category", "类别", C_REQ},
    {"title", "标题", 0},               {"description", "问题描述", C_REQ},
    {"urgency", "紧急程度", 0},         {"unit", "事发单位", 0},
    {"address", "地址", 0},             {"lat", "纬度", C_NUM},
    {"lng", "经度", C_NUM},             {"reporter_name", "反映人", 0},
    {"reporter_phone", "联系电话", 0},  {"reported_at", "上报时间", 0},
    {"status", "状态", C_OUT},          {"light", "亮灯", C_OUT},
    {"handling_unit", "处置单位", C_OUT}, {"due_at", "办结时限", C_OUT},
    {"closed_at", "结案时间", C_OUT},   {"on_time", "按期结案", C_OUT},
    {"attachments", "附件", C_OUT},
};

/* The check-in ledger (巡查台账): written by the patrol loop, export only. */
static const col_t patrol_cols[] = {
    {"id", "巡查编号", C_OUT | C_NUM},    {"object", "对象编号", C_OUT | C_NUM},
    {"object_name", "对象名称", C_OUT},   {"object_kind", "对象种类", C_OUT},
    {"grid", "所属网格", C_OUT},          {"risk", "风险等级", C_OUT},
    {"source", "巡查类型", C_OUT},        {"created_by", "巡查人", C_OUT},
    {"at", "巡查时间", C_OUT},            {"received_at", "接收时间", C_OUT},
    {"late", "补巡", C_OUT},              {"lat", "纬度", C_OUT | C_NUM},
    {"lng", "经度", C_OUT | C_NUM},       {"accuracy", "定位精度（米）", C_OUT | C_NUM},
    {"distance_m", "距对象（米）", C_OUT | C_NUM}, {"flags", "标记", C_OUT},
    {"hazards", "隐患数", C_OUT | C_NUM}, {"track_m", "轨迹长度（米）", C_OUT | C_NUM},
    {"note", "巡查情况", C_OUT},
};

/* The target loop's entries (目标值, 指标完成值): every row a new entry,
 * so a corrected figure keeps its history; a row equal to the entry in
 * force is unchanged. */
static const col_t target_cols[] = {
    {"unit", "单位编码", C_REQ},         {"unit_name", "单位名称", C_OUT},
    {"indicator", "指标", C_REQ},        {"indicator_name", "指标名称", C_OUT},
    {"period", "期间", C_REQ},           {"value", "目标值", C_REQ | C_NUM},
    {"note", "备注", 0},                 {"entered_by", "填报人", C_OUT},
    {"entered_at", "填报时间", C_OUT},
};

static const col_t actual_cols[] = {
    {"unit", "单位编码", C_REQ},         {"unit_name", "单位名称", C_OUT},
    {"indicator", "指标", C_REQ},        {"indicator_name", "指标名称", C_OUT},
    {"period", "月份", C_REQ},           {"cumulative", "累计", 0},
    {"value", "完成值", C_NUM},          {"numerator", "分子", C_NUM},
    {"denominator", "分母", C_NUM},      {"note", "备注", 0},
    {"entered_by", "填报人", C_OUT},     {"entered_at", "填报时间", C_OUT},
};

const ledger_kind_def_t ledger_kinds[LEDGER__COUNT] = {
    [LEDGER_UNITS] = {"units", "单位", unit_cols, NCOLS(unit_cols), true},
    [LEDGER_GEOMETRIES] = {"geometries", "网格边界", NULL, 0, false},
    [LEDGER_OBJECTS] = {"objects", "管理对象", object_cols, NCOLS(object_cols), false},
    [LEDGER_USERS] = {"users", "用户", user_cols, NCOLS(user_cols), false},
    [LEDGER_CASES] = {"cases", "案件", case_cols, NCOLS(case_cols), false},
    [LEDGER_PATROLS] = {"patrols", "巡查记录", patrol_cols, NCOLS(patrol_cols), false},
    [LEDGER_TARGETS] = {"targets", "目标值", target_cols, NCOLS(target_cols), false},
    [LEDGER_ACTUALS] = {"actuals", "指标完成值", actual_cols, NCOLS(actual_cols), true},
};

int ledger_kind_from_name(const char *name)
{
    for (int i = 0; name && i < LEDGER__COUNT; i++)
        if (strcmp(name, ledger_kinds[i].name) == 0)
            return i;
    return -1;
}

const char *ledger_kind_name(ledger_kind_t k)
{
    return ledger_kinds[k].name;
}

const char *ledger_kind_label(ledger_kind_t k)
{
    return ledger_kinds[k].label;
}

int ledger_format_from_name(const char *name)
{
    if (name && strcmp(name, "geojson") == 0)
        return LEDGER_FMT_GEOJSON;
    return tab_format_from_name(name);
}

/* ---- enumerated values: identifier or Chinese label ---- */

#define LOCAL_LABELS(fn, ...)                                                        \
    static const char *fn(const char *v)                                             \
    {                                                                                \
        static const char *const pairs[][2] = {__VA_ARGS__};                         \
        for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)                  \
            if (strcmp(v, pairs[i][0]) == 0)                                         \
                return pairs[i][1];                                                  \
        return NULL;                                                                 \
    }

LOCAL_LABELS(unit_type_label_of, {"district", "区县"}, {"street", "街道"}, {"community", "社区"},
             {"grid", "网格"}, {"department", "部门"})
LOCAL_LABELS(risk_label_of, {"red", "重大风险"}, {"orange", "较大风险"}, {"yellow", "一般风险"},
             {"blue", "低风险"})
LOCAL_LABELS(urgency_label_of, {"normal", "一般"}, {"urgent", "紧急"})

static const char *role_label_of(const char *v)
{
    int r = role_from_name(v);
    return r < 0 ? NULL : role_label((bh_role_t)r);
}

static const char *kind_label_of(const char *v)
{
    int k = obj_kind_from_name(v);
    return k < 0 ? NULL : obj_kind_label((obj_kind_t)k);
}

static const char *const unit_types[] = {"district", "street", "community", "grid", "department", NULL};
static const char *const obj_kinds[] = {"enterprise", "component", "river_section", "forest_section",
                                        "household", NULL};
static const char *const obj_types[] = {"production", "small_venue", "office", "public_area", NULL};
static const char *const risks[] = {"red", "orange", "yellow", "blue", NULL};
static const char *const roles[] = {"admin", "leader", "operator", "handler", "reporter", "public", NULL};
static const char *const urgencies[] = {"normal", "urgent", NULL};

const enum_t E_UNIT_TYPE = {unit_types, unit_type_label_of};
const enum_t E_OBJ_KIND = {obj_kinds, kind_label_of};
const enum_t E_OBJ_TYPE = {obj_types, obj_type_label};
const enum_t E_RISK = {risks, risk_label_of};
const enum_t E_ROLE = {roles, role_label_of};
const enum_t E_URGENCY = {urgencies, urgency_label_of};
const enum_t E_SOURCE = {svc_sources, svc_source_label};

const char *ledger_enum_label(const enum_t *e, const char *value)
{
    const char *l = value ? e->label(value) : NULL;
    return l ? l : value ? value : "";
}

void ledger_result_free(ledger_result_t *res)
{
    free(res->bads);
    res->bads = NULL;
}
