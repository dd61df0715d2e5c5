/*
 * category.c - loading and validating the categories document: named SLA
 * policies with their clocks, and categories that refer to them.
 *
 * Every error names the place in the document ("policies.petition.clocks[1]
 * 字段 basis", "categories[12] (E0501) 字段 policy") and what was expected.
 * Unknown fields are errors too: a misspelt "yelow" must not be ignored.
 */
#include "core/category.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/case.h"
#include "core/role.h"
#include "util/jsonkeys.h"
#include "util/xmalloc.h"

static const struct {
    const char *name, *label;
} kinds[CAT_KIND__COUNT] = {
    [CAT_KIND_CITY_EVENT] = {"city_event", "数字城管事件"},
    [CAT_KIND_CITY_COMPONENT] = {"city_component", "数字城管部件"},
    [CAT_KIND_HOTLINE] = {"hotline", "12345热线工单"},
    [CAT_KIND_PETITION] = {"petition", "信访"},
    [CAT_KIND_HAZARD] = {"hazard", "安全隐患"},
    [CAT_KIND_DISPUTE] = {"dispute", "矛盾纠纷"},
    [CAT_KIND_ENV_COMPLAINT] = {"env_complaint", "环境投诉"},
    [CAT_KIND_RATING_RECTIFY] = {"rating_rectify", "好差评差评整改"},
};

static const char *const unit_types[CAT_UNIT__COUNT] = {"street", "community",
                                                        "department"};

static const char *const attr_types[CAT_ATTR__COUNT] = {
    "string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"};

const char *cat_attr_type_name(cat_attr_type_t t)
{
    return (unsigned)t < CAT_ATTR__COUNT ? attr_types[t] : NULL;
}

const char *cat_kind_name(cat_kind_t k)
{
    return (unsigned)k < CAT_KIND__COUNT ? kinds[k].name : NULL;
}

const char *cat_kind_label(cat_kind_t k)
{
    return (unsigned)k < CAT_KIND__COUNT ? kinds[k].label : NULL;
}

const char *cat_unit_type_name(cat_unit_type_t t)
{
    return (unsigned)t < CAT_UNIT__COUNT ? unit_types[t] : NULL;
}

/* Where in the document we are, for error messages. */
struct ctx {
    bh_err_t *err;
    char where[160];
};

static bh_status_t bad(struct ctx *c, const char *field, const char *fmt,
                       const char *detail)
{
    char path[256];
    snprintf(path, sizeof path, "%s.%s", c->where, field);
    return bh_fail(c->err, BH_INVALID_ARGUMENT, path, "%s 字段 %s：%s%s",
                   c->where, field, fmt, detail ? detail : "");
}

/* Reject keys not in the NULL-terminated list 'allowed'. */
static bh_status_t only_keys(struct ctx *c, json_t *obj,
                             const char *const *allowed)
{
    const char *key = json_stray_key(obj, allowed);
    return key ? bad(c, key, "未知字段（拼写错误？）", NULL) : BH_OK;
}

/* A string field; required ones must be non-empty. */
static bh_status_t get_str(struct ctx *c, json_t *obj, const char *key,
                           int required, const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return bad(c, key, "缺少必填字段", NULL);
        return BH_OK;
    }
    if (!json_is_string(v))
        return bad(c, key, "应为字符串", NULL);
    if (required && json_string_length(v) == 0)
        return bad(c, key, "不能为空", NULL);
    *out = json_string_value(v);
    return BH_OK;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* A non-negative number field; absent gives -1. */
static bh_status_t get_amount(struct ctx *c, json_t *obj, const char *key,
                              int required, double *out)
{
    json_t *v = json_object_get(obj, key);
    *out = -1;
    if (!v) {
        if (required)
            return bad(c, key, "缺少必填字段", NULL);
        return BH_OK;
    }
    if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
        json_number_value(v) < 0 || json_number_value(v) > 1e6)
        return bad(c, key, "应为0到1000000之间的数", NULL);
    *out = json_number_value(v);
    return BH_OK;
}

/* An array of action names into a mask; 'required' means non-empty. */
static bh_status_t get_actions(struct ctx *c, json_t *obj, const char *key,
                               int required, uint32_t *mask)
{
    json_t *v = json_object_get(obj, key), *a;
    size_t i;

    *mask = 0;
    if (!v) {
        if (required)
            return bad(c, key, "缺少必填字段（案件操作名称数组）", NULL);
        return BH_OK;
    }
    if (!json_is_array(v) || (required && json_array_size(v) == 0))
        return bad(c, key, "应为非空的操作名称数组，如 [\"dispatch\"]", NULL);
    json_array_foreach(v, i, a) {
        int act = json_is_string(a) ? case_action_from_name(json_string_value(a)) : -1;
        if (act < 0)
            return bad(c, key, "未知的案件操作：",
                       json_is_string(a) ? json_string_value(a) : "(非字符串)");
        *mask |= 1u << act;
    }
    return BH_OK;
}

static bh_status_t parse_basis(struct ctx *c, const char *s, sla_clock_def_t *d)
{
    if (strcmp(s, "natural") == 0)
        d->basis = SLA_BASIS_NATURAL;
    else if (strcmp(s, "working_days") == 0)
        d->basis = SLA_BASIS_WORKING_DAYS;
    else if (strcmp(s, "working_hours") == 0)
        d->basis = SLA_BASIS_WORKING_HOURS;
    else
        return bad(c, "basis", "应为 natural、working_days 或 working_hours，实际为 ", s);
    return BH_OK;
}

static bh_status_t parse_unit(struct ctx *c, const char *s, sla_clock_def_t *d)
{
    if (!s) {
        if (d->basis == SLA_BASIS_NATURAL)
            return bad(c, "unit", "natural 计时须写明单位 minutes、hours 或 days", NULL);
        d->unit = d->basis == SLA_BASIS_WORKING_DAYS ? SLA_UNIT_DAYS : SLA_UNIT_HOURS;
        return BH_OK;
    }
    if (strcmp(s, "minutes") == 0)
        d->unit = SLA_UNIT_MINUTES;
    else if (strcmp(s, "hours") == 0)
        d->unit = SLA_UNIT_HOURS;
    else if (strcmp(s, "days") == 0)
        d->unit = SLA_UNIT_DAYS;
    else
        return bad(c, "unit", "应为 minutes、hours 或 days，实际为 ", s);
    if (d->basis == SLA_BASIS_WORKING_DAYS && d->unit != SLA_UNIT_DAYS)
        return bad(c, "unit", "working_days 计时的单位只能是 days", NULL);
    if (d->basis == SLA_BASIS_WORKING_HOURS && d->unit == SLA_UNIT_DAYS)
        return bad(c, "unit", "working_hours 计时的单位应为 hours 或 minutes", NULL);
    return BH_OK;
}

/* Limit and thresholds; defaults for thresholds are 1/2 and 4/5 of limit. */
static bh_status_t parse_amounts(struct ctx *c, json_t *o, sla_clock_def_t *d)
{
    double limit, yellow, red, maxext;
    bh_status_t st;

    if ((st = get_amount(c, o, "limit", 1, &limit)) ||
        (st = get_amount(c, o, "yellow", 0, &yellow)) ||
        (st = get_amount(c, o, "red", 0, &red)) ||
        (st = get_amount(c, o, "max_extension", 0, &maxext)))
        return st;
    d->limit = sla_units_from_amount(d, limit);
    if (d->limit <= 0)
        return bad(c, "limit", "时限必须大于0", sla_day_based(d) ? "（按天计时须为整数天）" : NULL);
    if (sla_day_based(d) && (limit != floor(limit) || (yellow > 0 && yellow != floor(yellow)) ||
                             (red > 0 && red != floor(red))))
        return bad(c, "limit", "按天计时的时限和亮灯阈值须为整数天", NULL);
    d->red = red >= 0 ? sla_units_from_amount(d, red) : d->limit * 4 / 5;
    d->yellow = yellow >= 0 ? sla_units_from_amount(d, yellow) : d->limit / 2;
    if (d->red <= 0)
        d->red = d->limit;
    if (d->yellow <= 0)
        d->yellow = d->red;
    d->max_extension = maxext >= 0 ? sla_units_from_amount(d, maxext) : 0;
    if (d->yellow > d->red)
        return bad(c, "yellow", "黄灯阈值不能晚于红灯阈值", NULL);
    if (d->red > d->limit)
        return bad(c, "red", "红灯阈值不能晚于时限", NULL);
    return BH_OK;
}

static bh_status_t parse_clock(struct ctx *c, json_t *o, sla_clock_def_t *d)
{
    static const char *const keys[] = {"name", "label", "start", "stop",
                                       "restart", "basis", "unit", "civil",
                                       "limit", "yellow", "red",
                                       "max_extension", NULL};
    const char *name, *label, *basis, *unit;
    json_t *civil;
    bh_status_t st;

    if (!json_is_object(o))
        return bad(c, "clocks", "每个时限应为对象", NULL);
    memset(d, 0, sizeof *d);
    if ((st = only_keys(c, o, keys)) || (st = get_str(c, o, "name", 1, &name)) ||
        (st = get_str(c, o, "label", 1, &label)) ||
        (st = get_str(c, o, "basis", 1, &basis)) ||
        (st = get_str(c, o, "unit", 0, &unit)))
        return st;
    if (strlen(name) >= sizeof d->name || strspn(name, "abcdefghijklmnopqrstuvwxyz_") != strlen(name))
        return bad(c, "name", "时限名称应为不超过31个字符的小写英文字母或下划线：", name);
    if (strlen(label) >= sizeof d->label)
        return bad(c, "label", "名称过长", NULL);
    snprintf(d->name, sizeof d->name, "%s", name);
    snprintf(d->label, sizeof d->label, "%s", label);
    if ((st = get_actions(c, o, "start", 1, &d->start)) ||
        (st = get_actions(c, o, "stop", 1, &d->stop)) ||
        (st = get_actions(c, o, "restart", 0, &d->restart)) ||
        (st = parse_basis(c, basis, d)) || (st = parse_unit(c, unit, d)))
        return st;
    civil = json_object_get(o, "civil");
    if (civil && !json_is_boolean(civil))
        return bad(c, "civil", "应为 true 或 false", NULL);
    d->civil = civil && json_is_true(civil);
    if (d->civil && (d->basis != SLA_BASIS_NATURAL || d->unit != SLA_UNIT_DAYS))
        return bad(c, "civil", "民法计期规则只适用于 natural 计时、单位为 days 的时限", NULL);
    return parse_amounts(c, o, d);
}

static bh_status_t parse_policy(struct ctx *c, json_t *o, sla_policy_t *p)
{
    static const char *const keys[] = {"name", "clocks", "evidence", NULL};
    const char *name;
    json_t *clocks, *ck;
    size_t i;
    bh_status_t st;
    char base[sizeof c->where];

    if (!json_is_object(o))
        return bad(c, "", "时限策略应为对象", NULL);
    if ((st = only_keys(c, o, keys)) || (st = get_str(c, o, "name", 1, &name)))
        return st;
    snprintf(p->name, sizeof p->name, "%s", name);
    clocks = json_object_get(o, "clocks");
    if (!json_is_array(clocks) || json_array_size(clocks) == 0 ||
        json_array_size(clocks) > SLA_CLOCKS_MAX)
        return bad(c, "clocks", "应为含1到6个时限的数组", NULL);
    memcpy(base, c->where, sizeof base);
    json_array_foreach(clocks, i, ck) {
        snprintf(c->where, sizeof c->where, "%.100s.clocks[%zu]", base, i);
        if ((st = parse_clock(c, ck, &p->clock[i])))
            return st;
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->clock[j].name, p->clock[i].name) == 0)
                return bad(c, "name", "同一策略中时限名称重复：", p->clock[i].name);
        p->nclocks++;
    }
    memcpy(c->where, base, sizeof base);
    return BH_OK;
}

/* "evidence": [{"action": "handle", "stage": "after", "roles": ["handler"]}] */
static bh_status_t parse_evidence(struct ctx *c, json_t *o, cat_set_t *set, int k)
{
    static const char *const keys[] = {"action", "stage", "roles", NULL};
    json_t *v = json_object_get(o, "evidence"), *e, *r;
    char base[sizeof c->where];
    size_t i, j;
    bh_status_t st;

    if (!v)
        return BH_OK;
    if (!json_is_array(v) || json_array_size(v) > 16)
        return bad(c, "evidence", "应为至多16条规则的数组", NULL);
    set->evidence[k] = xcalloc(json_array_size(v) + 1, sizeof **set->evidence);
    memcpy(base, c->where, sizeof base);
    json_array_foreach(v, i, e) {
        cat_evidence_t *ev = &set->evidence[k][i];
        const char *action, *stage;
        snprintf(c->where, sizeof c->where, "%.100s.evidence[%zu]", base, i);
        if (!json_is_object(e))
            return bad(c, "", "每条规则应为对象 {action, stage, roles}", NULL);
        if ((st = only_keys(c, e, keys)) || (st = get_str(c, e, "action", 1, &action)) ||
            (st = get_str(c, e, "stage", 1, &stage)))
            return st;
        if ((ev->action = case_action_from_name(action)) < 0)
            return bad(c, "action", "未知的案件操作：", action);
        if (strcmp(stage, "before") && strcmp(stage, "after") && strcmp(stage, "any"))
            return bad(c, "stage", "应为 before、after 或 any，实际为 ", stage);
        snprintf(ev->stage, sizeof ev->stage, "%s", stage);
        if ((r = json_object_get(e, "roles"))) {
            json_t *x;
            if (!json_is_array(r) || !json_array_size(r))
                return bad(c, "roles", "应为非空的角色数组", NULL);
            json_array_foreach(r, j, x) {
                int role = json_is_string(x) ? role_from_name(json_string_value(x)) : -1;
                if (role < 0)
                    return bad(c, "roles", "未知的角色：", json_is_string(x) ? json_string_value(x) : "(非字符串)");
                ev->roles |= 1u << role;
            }
        }
        set->nevidence[k]++;
    }
    memcpy(c->where, base, sizeof base);
    return BH_OK;
}

const cat_evidence_t *cat_evidence(const cat_set_t *set, const sla_policy_t *p, int action,
                                   int role, int from, int *at)
{
    int k = -1;
    for (int i = 0; i < set->npolicies; i++) /* by identity, not pointer arithmetic */
        if (&set->policies[i] == p)
            k = i;
    if (k < 0)
        return NULL;
    for (int i = from < 0 ? 0 : from; i < set->nevidence[k]; i++) {
        const cat_evidence_t *e = &set->evidence[k][i];
        if (e->action == action && (!e->roles || (e->roles >> role & 1u))) {
            *at = i;
            return e;
        }
    }
    return NULL;
}

static int policy_index(const cat_set_t *set, const char *key)
{
    for (int i = 0; key && i < set->npolicies; i++)
        if (strcmp(set->policy_keys[i], key) == 0)
            return i;
    return -1;
}

static bh_status_t parse_policies(struct ctx *c, json_t *o, cat_set_t *set)
{
    const char *key;
    json_t *v;
    bh_status_t st;

    if (!json_is_object(o) || json_object_size(o) == 0)
        return bh_fail(c->err, BH_INVALID_ARGUMENT, "policies",
                       "policies 应为非空对象（策略名 → 策略）");
    set->policies = xcalloc(json_object_size(o), sizeof *set->policies);
    set->policy_keys = xcalloc(json_object_size(o), sizeof *set->policy_keys);
    set->evidence = xcalloc(json_object_size(o), sizeof *set->evidence);
    set->nevidence = xcalloc(json_object_size(o), sizeof *set->nevidence);
    json_object_foreach(o, key, v) {
        snprintf(c->where, sizeof c->where, "policies.%.120s", key);
        set->policy_keys[set->npolicies] = xstrdup(key);
        set->npolicies++;
        if ((st = parse_policy(c, v, &set->policies[set->npolicies - 1])) ||
            (st = parse_evidence(c, v, set, set->npolicies - 1)))
            return st;
    }
    return BH_OK;
}

static bh_status_t parse_overrides(struct ctx *c, json_t *o, cat_set_t *set,
                                   cat_t *cat)
{
    static const char *const keys[] = {"source", "urgency", "policy", NULL};
    json_t *v = json_object_get(o, "policy_overrides"), *e;
    size_t i;
    bh_status_t st;

    if (!v)
        return BH_OK;
    if (!json_is_array(v))
        return bad(c, "policy_overrides", "应为数组", NULL);
    cat->overrides = xcalloc(json_array_size(v), sizeof *cat->overrides);
    json_array_foreach(v, i, e) {
        const char *src, *urg, *pol;
        if (!json_is_object(e))
            return bad(c, "policy_overrides", "每项应为对象", NULL);
        if ((st = only_keys(c, e, keys)) || (st = get_str(c, e, "source", 0, &src)) ||
            (st = get_str(c, e, "urgency", 0, &urg)) ||
            (st = get_str(c, e, "policy", 1, &pol)))
            return st;
        cat->overrides[i].policy = policy_index(set, pol);
        if (cat->overrides[i].policy < 0)
            return bad(c, "policy_overrides", "引用了不存在的时限策略：", pol);
        cat->overrides[i].source = dup_or_null(src);
        cat->overrides[i].urgency = dup_or_null(urg);
        cat->noverrides++;
    }
    return BH_OK;
}

static bh_status_t parse_attr_values(struct ctx *c, json_t *o, cat_attr_t *at)
{
    static const char *const keys[] = {"key", "name", NULL};
    json_t *vals = json_object_get(o, "values"), *v;
    size_t i;
    bh_status_t st;
    bool list = at->datatype == CAT_ATTR_SINGLEVALUELIST || at->datatype == CAT_ATTR_MULTIVALUELIST;

    if (!list) {
        if (vals)
            return bad(c, "values", "只有 singlevaluelist 和 multivaluelist 属性可以有 values", NULL);
        return BH_OK;
    }
    if (!json_is_array(vals) || json_array_size(vals) == 0)
        return bad(c, "values", "列表型属性须有非空的 values 数组", NULL);
    at->values = xcalloc(json_array_size(vals), sizeof *at->values);
    json_array_foreach(vals, i, v) {
        const char *key, *name;
        if (!json_is_object(v))
            return bad(c, "values", "每个取值应为对象 {key, name}", NULL);
        if ((st = only_keys(c, v, keys)) || (st = get_str(c, v, "key", 1, &key)) ||
            (st = get_str(c, v, "name", 1, &name)))
            return st;
        for (int k = 0; k < at->nvalues; k++)
            if (strcmp(at->values[k].key, key) == 0)
                return bad(c, "values", "取值 key 重复：", key);
        at->values[at->nvalues].key = xstrdup(key);
        at->values[at->nvalues].name = xstrdup(name);
        at->nvalues++;
    }
    return BH_OK;
}

static bh_status_t parse_attr(struct ctx *c, json_t *o, cat_attr_t *at)
{
    static const char *const keys[] = {"code", "variable", "datatype", "required",
                                       "datatype_description", "order", "description",
                                       "values", NULL};
    const char *code, *type, *desc, *tdesc;
    json_t *v;
    int t;
    bh_status_t st;

    if (!json_is_object(o))
        return bad(c, "attributes", "每个属性应为对象", NULL);
    if ((st = only_keys(c, o, keys)) || (st = get_str(c, o, "code", 1, &code)) ||
        (st = get_str(c, o, "datatype", 1, &type)) ||
        (st = get_str(c, o, "description", 1, &desc)) ||
        (st = get_str(c, o, "datatype_description", 0, &tdesc)))
        return st;
    if (strlen(code) > 64 || strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(code))
        return bad(c, "code", "属性编码应为小写字母、数字或下划线：", code);
    for (t = 0; t < CAT_ATTR__COUNT && strcmp(type, attr_types[t]); t++)
        ;
    if (t == CAT_ATTR__COUNT)
        return bad(c, "datatype", "应为 string number datetime text singlevaluelist multivaluelist，实际为 ", type);
    at->code = xstrdup(code);
    at->description = xstrdup(desc);
    at->datatype_description = dup_or_null(tdesc);
    at->datatype = (cat_attr_type_t)t;
    v = json_object_get(o, "variable");
    if (v && !json_is_boolean(v))
        return bad(c, "variable", "应为 true 或 false", NULL);
    at->variable = !v || json_is_true(v);
    v = json_object_get(o, "required");
    if (v && !json_is_boolean(v))
        return bad(c, "required", "应为 true 或 false", NULL);
    at->required = v && json_is_true(v);
    v = json_object_get(o, "order");
    if (v && !json_is_integer(v))
        return bad(c, "order", "应为整数", NULL);
    at->order = v ? (int)json_integer_value(v) : 0;
    return parse_attr_values(c, o, at);
}

/* The "open311" block of a category. */
static bh_status_t parse_open311(struct ctx *c, json_t *cat_obj, cat_t *cat)
{
    static const char *const keys[] = {"public", "group", "keywords", "description",
                                       "attributes", NULL};
    json_t *o = json_object_get(cat_obj, "open311"), *v, *e;
    const char *group, *desc;
    size_t i, len = 0;
    bh_status_t st;
    char base[sizeof c->where];

    if (!o)
        return BH_OK;
    if (!json_is_object(o))
        return bad(c, "open311", "应为对象", NULL);
    memcpy(base, c->where, sizeof base);
    snprintf(c->where, sizeof c->where, "%.120s.open311", base);
    if ((st = only_keys(c, o, keys)) || (st = get_str(c, o, "group", 0, &group)) ||
        (st = get_str(c, o, "description", 0, &desc)))
        return st;
    v = json_object_get(o, "public");
    if (v && !json_is_boolean(v))
        return bad(c, "public", "应为 true 或 false", NULL);
    cat->open311 = v && json_is_true(v);
    cat->group = dup_or_null(group);
    cat->service_description = dup_or_null(desc);
    if ((v = json_object_get(o, "keywords"))) {
        if (!json_is_array(v))
            return bad(c, "keywords", "应为字符串数组", NULL);
        json_array_foreach(v, i, e) {
            if (!json_is_string(e))
                return bad(c, "keywords", "应为字符串数组", NULL);
            len += json_string_length(e) + 1;
        }
        cat->keywords = xcalloc(len + 1, 1);
        json_array_foreach(v, i, e) {
            if (i)
                strcat(cat->keywords, ",");
            strcat(cat->keywords, json_string_value(e));
        }
    }
    if ((v = json_object_get(o, "attributes"))) {
        if (!json_is_array(v))
            return bad(c, "attributes", "应为数组", NULL);
        cat->attrs = xcalloc(json_array_size(v) + 1, sizeof *cat->attrs);
        json_array_foreach(v, i, e) {
            snprintf(c->where, sizeof c->where, "%.100s.open311.attributes[%zu]", base, i);
            cat->nattrs++;
            if ((st = parse_attr(c, e, &cat->attrs[i])))
                return st;
            for (size_t k = 0; k < i; k++)
                if (strcmp(cat->attrs[k].code, cat->attrs[i].code) == 0)
                    return bad(c, "code", "属性编码重复：", cat->attrs[i].code);
        }
    }
    memcpy(c->where, base, sizeof base);
    return BH_OK;
}

static bh_status_t parse_category(struct ctx *c, json_t *o, cat_set_t *set,
                                  cat_t *cat)
{
    static const char *const keys[] = {
        "code", "name", "kind", "parent", "default_unit_type",
        "default_department", "policy", "policy_overrides",
        "register_standard", "close_standard", "open311", NULL};
    const char *code, *name, *kind, *parent, *ut, *dept, *pol, *reg, *clo;
    bh_status_t st;
    int k;

    if (!json_is_object(o))
        return bad(c, "", "类别应为对象", NULL);
    if ((st = get_str(c, o, "code", 1, &code)))
        return st;
    if (strlen(code) > 32)
        return bad(c, "code", "类别编码最长32个字符", NULL);
    snprintf(c->where + strlen(c->where), sizeof c->where - strlen(c->where),
             " (%s)", code);
    if ((st = only_keys(c, o, keys)) || (st = get_str(c, o, "name", 1, &name)) ||
        (st = get_str(c, o, "kind", 1, &kind)) ||
        (st = get_str(c, o, "parent", 0, &parent)) ||
        (st = get_str(c, o, "default_unit_type", 1, &ut)) ||
        (st = get_str(c, o, "default_department", 0, &dept)) ||
        (st = get_str(c, o, "policy", 1, &pol)) ||
        (st = get_str(c, o, "register_standard", 1, &reg)) ||
        (st = get_str(c, o, "close_standard", 1, &clo)))
        return st;
    for (k = 0; k < CAT_KIND__COUNT && strcmp(kind, kinds[k].name); k++)
        ;
    if (k == CAT_KIND__COUNT)
        return bad(c, "kind", "未知的类别种类：", kind);
    cat->kind = (cat_kind_t)k;
    for (k = 0; k < CAT_UNIT__COUNT && strcmp(ut, unit_types[k]); k++)
        ;
    if (k == CAT_UNIT__COUNT)
        return bad(c, "default_unit_type", "应为 street、community 或 department，实际为 ", ut);
    cat->default_unit_type = (cat_unit_type_t)k;
    cat->policy = policy_index(set, pol);
    if (cat->policy < 0)
        return bad(c, "policy", "引用了不存在的时限策略：", pol);
    if (cat_find(set, code))
        return bad(c, "code", "类别编码重复：", code);
    if (parent && !cat_find(set, parent))
        return bad(c, "parent", "上级类别须先于下级出现，未找到：", parent);
    cat->code = xstrdup(code);
    cat->name = xstrdup(name);
    cat->parent = dup_or_null(parent);
    cat->default_department = dup_or_null(dept);
    cat->register_standard = xstrdup(reg);
    cat->close_standard = xstrdup(clo);
    if ((st = parse_overrides(c, o, set, cat)))
        return st;
    return parse_open311(c, o, cat);
}

static bh_status_t parse_doc(struct ctx *c, json_t *root, cat_set_t *set)
{
    static const char *const keys[] = {"version", "comment", "policies",
                                       "categories", NULL};
    json_t *cats, *e, *ver;
    size_t i;
    bh_status_t st;

    snprintf(c->where, sizeof c->where, "(根)");
    if (!json_is_object(root))
        return bh_fail(c->err, BH_INVALID_ARGUMENT, "", "类别文件的顶层应为 JSON 对象");
    if ((st = only_keys(c, root, keys)))
        return st;
    ver = json_object_get(root, "version");
    if (!json_is_integer(ver) || json_integer_value(ver) != 1)
        return bad(c, "version", "应为 1", NULL);
    if ((st = parse_policies(c, json_object_get(root, "policies"), set)))
        return st;
    cats = json_object_get(root, "categories");
    if (!json_is_array(cats) || json_array_size(cats) == 0)
        return bh_fail(c->err, BH_INVALID_ARGUMENT, "categories",
                       "categories 应为非空数组");
    set->cats = xcalloc(json_array_size(cats), sizeof *set->cats);
    json_array_foreach(cats, i, e) {
        snprintf(c->where, sizeof c->where, "categories[%zu]", i);
        set->ncats++;
        if ((st = parse_category(c, e, set, &set->cats[i])))
            return st;
    }
    return BH_OK;
}

bh_status_t cat_set_parse(const char *json, size_t len, cat_set_t **out,
                          bh_err_t *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    cat_set_t *set;
    struct ctx c = {.err = err};
    bh_status_t st;

    *out = NULL;
    if (!root)
        return bh_fail(err, BH_INVALID_ARGUMENT, "",
                       "第%d行第%d列：JSON 格式错误：%s", jerr.line,
                       jerr.column, jerr.text);
    set = xcalloc(1, sizeof *set);
    st = parse_doc(&c, root, set);
    json_decref(root);
    if (st != BH_OK) {
        cat_set_free(set);
        return st;
    }
    *out = set;
    return BH_OK;
}

extern const char bh_data_categories[];
extern const size_t bh_data_categories_len;

const char *cat_builtin_text(size_t *len)
{
    *len = bh_data_categories_len;
    return bh_data_categories;
}

cat_set_t *cat_set_builtin(void)
{
    cat_set_t *set;
    bh_err_t err;
    if (cat_set_parse(bh_data_categories, bh_data_categories_len, &set, &err)) {
        /* Compiled in and covered by tests: a programmer error. */
        fprintf(stderr, "bihuan: data/categories.json: %s\n", err.message);
        abort();
    }
    return set;
}

void cat_set_free(cat_set_t *set)
{
    if (!set)
        return;
    for (int i = 0; i < set->ncats; i++) {
        cat_t *c = &set->cats[i];
        free(c->code);
        free(c->name);
        free(c->parent);
        free(c->default_department);
        free(c->register_standard);
        free(c->close_standard);
        for (int j = 0; j < c->noverrides; j++) {
            free(c->overrides[j].source);
            free(c->overrides[j].urgency);
        }
        free(c->overrides);
        free(c->group);
        free(c->keywords);
        free(c->service_description);
        for (int j = 0; j < c->nattrs; j++) {
            cat_attr_t *at = &c->attrs[j];
            free(at->code);
            free(at->description);
            free(at->datatype_description);
            for (int k = 0; k < at->nvalues; k++) {
                free(at->values[k].key);
                free(at->values[k].name);
            }
            free(at->values);
        }
        free(c->attrs);
    }
    for (int i = 0; i < set->npolicies; i++) {
        free(set->policy_keys[i]);
        if (set->evidence)
            free(set->evidence[i]);
    }
    free(set->evidence);
    free(set->nevidence);
    free(set->policy_keys);
    free(set->policies);
    free(set->cats);
    free(set);
}

const cat_t *cat_find(const cat_set_t *set, const char *code)
{
    for (int i = 0; code && i < set->ncats; i++)
        if (set->cats[i].code && strcmp(set->cats[i].code, code) == 0)
            return &set->cats[i];
    return NULL;
}

static int matches(const char *want, const char *have)
{
    return !want || (have && strcmp(want, have) == 0);
}

const sla_policy_t *cat_policy(const cat_set_t *set, const cat_t *cat,
                               const char *source, const char *urgency)
{
    for (int i = 0; i < cat->noverrides; i++)
        if (matches(cat->overrides[i].source, source) &&
            matches(cat->overrides[i].urgency, urgency))
            return &set->policies[cat->overrides[i].policy];
    return &set->policies[cat->policy];
}
