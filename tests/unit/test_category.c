/*
 * test_category.c - the shipped categories file and the loader's
 * validation: every error names the entry and the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/category.h"

static const cat_t *find_name(const cat_set_t *set, const char *name)
{
    for (int i = 0; i < set->ncats; i++)
        if (strcmp(set->cats[i].name, name) == 0)
            return &set->cats[i];
    return NULL;
}

static void builtin_has_required_categories(void **state)
{
    static const char *const names[] = {
        "市容环境", "宣传广告", "施工管理", "突发事件", "街面秩序", "占道经营",
        "流动摊贩", "店外经营", "乱堆物料", "沿街晾挂", "乱泼乱倒", "占道修车洗车",
        "非法小广告", "上水井盖", "雨水井盖", "路灯", "公厕", "行道树", "道路护栏",
        "公交站亭", "12345热线紧急工单", "12345热线一般工单", "信访事项", "一般安全隐患",
        "重大安全隐患", "矛盾纠纷", "环境信访投诉", "政务服务差评整改"};
    cat_set_t *set = cat_set_builtin();
    const cat_t *c;
    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!find_name(set, names[i]))
            fail_msg("category %s missing", names[i]);
    /* Subclasses point at their class. */
    c = find_name(set, "占道经营");
    assert_string_equal(c->parent, "E05");
    assert_string_equal(cat_find(set, c->parent)->name, "街面秩序");
    assert_int_equal(c->kind, CAT_KIND_CITY_EVENT);
    assert_int_equal(find_name(set, "路灯")->kind, CAT_KIND_CITY_COMPONENT);
    /* Every kind appears, every category has its standards. */
    for (int k = 0; k < CAT_KIND__COUNT; k++) {
        int seen = 0;
        for (int i = 0; i < set->ncats; i++)
            seen += set->cats[i].kind == (cat_kind_t)k;
        assert_true(seen > 0);
    }
    for (int i = 0; i < set->ncats; i++) {
        assert_true(strlen(set->cats[i].register_standard) > 0);
        assert_true(strlen(set->cats[i].close_standard) > 0);
    }
    cat_set_free(set);
}

static const sla_clock_def_t *clock_of(const sla_policy_t *p, const char *name)
{
    for (int i = 0; i < p->nclocks; i++)
        if (strcmp(p->clock[i].name, name) == 0)
            return &p->clock[i];
    fail_msg("no clock %s", name);
    return NULL;
}

static void builtin_policies_match_the_rules(void **state)
{
    cat_set_t *set = cat_set_builtin();
    const sla_policy_t *p;
    const sla_clock_def_t *c;
    (void)state;
    /* 环境投诉: 1小时内联系、3天内处理、5天亮红灯、7天内办结. */
    p = cat_policy(set, find_name(set, "环境信访投诉"), NULL, NULL);
    c = clock_of(p, "respond");
    assert_int_equal(c->basis, SLA_BASIS_NATURAL);
    assert_int_equal(c->limit, DT_HOUR_MS);
    c = clock_of(p, "handle");
    assert_int_equal(c->basis, SLA_BASIS_WORKING_DAYS);
    assert_int_equal(c->limit, 3);
    c = clock_of(p, "close");
    assert_int_equal(c->limit, 7);
    assert_int_equal(c->red, 5);
    /* 信访: 15 days to accept, 60 to finish, extension up to 30, civil rule. */
    p = cat_policy(set, find_name(set, "信访事项"), NULL, NULL);
    c = clock_of(p, "accept_notice");
    assert_true(c->civil);
    assert_int_equal(c->limit, 15);
    c = clock_of(p, "finish");
    assert_true(c->civil);
    assert_int_equal(c->limit, 60);
    assert_int_equal(c->max_extension, 30);
    /* Open311: public services with attribute definitions. */
    {
        const cat_t *c0101 = find_name(set, "上水井盖");
        assert_true(c0101->open311);
        assert_int_equal(c0101->nattrs, 2);
        assert_string_equal(c0101->attrs[0].code, "damage");
        assert_int_equal(c0101->attrs[0].datatype, CAT_ATTR_SINGLEVALUELIST);
        assert_true(c0101->attrs[0].required);
        assert_int_equal(c0101->attrs[0].nvalues, 4);
        assert_false(find_name(set, "12345热线紧急工单")->open311);
    }
    /* Rework restarts the handle clock of city events. */
    p = cat_policy(set, find_name(set, "占道经营"), NULL, NULL);
    c = clock_of(p, "handle");
    assert_true(c->restart & (1u << CASE_ACT_VERIFY_FAIL));
    assert_true(c->start & (1u << CASE_ACT_DISPATCH));
    assert_true(c->stop & (1u << CASE_ACT_HANDLE));
    cat_set_free(set);
}

/* A minimal valid document with one replaceable fragment. */
static bh_status_t parse_with(const char *policy_clock, const char *category,
                              bh_err_t *err)
{
    char doc[4096];
    cat_set_t *set;
    bh_status_t st;
    snprintf(doc, sizeof doc,
             "{\"version\":1,\"policies\":{\"p\":{\"name\":\"策略\",\"clocks\":[%s]}},"
             "\"categories\":[{\"code\":\"A\",\"name\":\"甲\",\"kind\":\"dispute\","
             "\"default_unit_type\":\"street\",\"policy\":\"p\","
             "\"register_standard\":\"r\",\"close_standard\":\"c\"}%s%s]}",
             policy_clock, category ? "," : "", category ? category : "");
    st = cat_set_parse(doc, strlen(doc), &set, err);
    if (st == BH_OK) {
        assert_non_null(set);
        cat_set_free(set);
    } else {
        assert_null(set);
    }
    return st;
}

#define GOOD_CLOCK \
    "{\"name\":\"handle\",\"label\":\"处置\",\"start\":[\"dispatch\"],\"stop\":[\"handle\"]," \
    "\"basis\":\"working_days\",\"limit\":3}"

static void loader_reports_entry_and_field(void **state)
{
    static const struct {
        const char *clock, *cat, *field, *needle;
    } cases[] = {
        {GOOD_CLOCK, NULL, NULL, NULL},
        {"{\"name\":\"handle\",\"label\":\"处置\",\"start\":[\"dispatch\"],\"stop\":[\"handle\"],"
         "\"basis\":\"workdays\",\"limit\":3}", NULL, "policies.p.clocks[0].basis", "workdays"},
        {"{\"name\":\"handle\",\"label\":\"处置\",\"start\":[\"approve\"],\"stop\":[\"handle\"],"
         "\"basis\":\"working_days\",\"limit\":3}", NULL, "policies.p.clocks[0].start", "approve"},
        {"{\"name\":\"handle\",\"label\":\"处置\",\"start\":[\"dispatch\"],\"stop\":[\"handle\"],"
         "\"basis\":\"working_days\",\"limit\":3,\"yelow\":1}", NULL, "policies.p.clocks[0].yelow", "未知字段"},
        {"{\"name\":\"handle\",\"label\":\"处置\",\"start\":[\"dispatch\"],\"stop\":[\"handle\"],"
         "\"basis\":\"working_days\",\"limit\":3,\"yellow\":3,\"red\":2}", NULL,
         "policies.p.clocks[0].yellow", "黄灯"},
        {"{\"name\":\"handle\",\"label\":\"处置\",\"start\":[\"dispatch\"],\"stop\":[\"handle\"],"
         "\"basis\":\"working_days\",\"limit\":0}", NULL, "policies.p.clocks[0].limit", "大于0"},
        {"{\"name\":\"handle\",\"label\":\"处置\",\"start\":[\"dispatch\"],\"stop\":[\"handle\"],"
         "\"basis\":\"working_days\",\"limit\":2.5}", NULL, "policies.p.clocks[0].limit", "整数"},
        {"{\"name\":\"handle\",\"label\":\"处置\",\"start\":[\"dispatch\"],\"stop\":[\"handle\"],"
         "\"basis\":\"natural\",\"limit\":3}", NULL, "policies.p.clocks[0].unit", "natural"},
        {"{\"name\":\"handle\",\"label\":\"处置\",\"start\":[\"dispatch\"],\"stop\":[\"handle\"],"
         "\"basis\":\"working_hours\",\"unit\":\"hours\",\"civil\":true,\"limit\":3}", NULL,
         "policies.p.clocks[0].civil", "民法"},
        {"{\"name\":\"Handle\",\"label\":\"处置\",\"start\":[\"dispatch\"],\"stop\":[\"handle\"],"
         "\"basis\":\"working_days\",\"limit\":3}", NULL, "policies.p.clocks[0].name", "小写"},
        {GOOD_CLOCK "," GOOD_CLOCK, NULL, "policies.p.clocks[1].name", "重复"},
        {"{\"label\":\"处置\",\"start\":[\"dispatch\"],\"stop\":[\"handle\"],"
         "\"basis\":\"working_days\",\"limit\":3}", NULL, "policies.p.clocks[0].name", "缺少"},
        {GOOD_CLOCK, "{\"code\":\"B\",\"name\":\"乙\",\"kind\":\"riot\",\"default_unit_type\":\"street\","
         "\"policy\":\"p\",\"register_standard\":\"r\",\"close_standard\":\"c\"}",
         "categories[1] (B).kind", "riot"},
        {GOOD_CLOCK, "{\"code\":\"B\",\"name\":\"乙\",\"kind\":\"hazard\",\"default_unit_type\":\"street\","
         "\"policy\":\"q\",\"register_standard\":\"r\",\"close_standard\":\"c\"}",
         "categories[1] (B).policy", "不存在"},
        {GOOD_CLOCK, "{\"code\":\"A\",\"name\":\"乙\",\"kind\":\"hazard\",\"default_unit_type\":\"street\","
         "\"policy\":\"p\",\"register_standard\":\"r\",\"close_standard\":\"c\"}",
         "categories[1] (A).code", "重复"},
        {GOOD_CLOCK, "{\"code\":\"B\",\"name\":\"乙\",\"kind\":\"hazard\",\"parent\":\"Z\","
         "\"default_unit_type\":\"street\",\"policy\":\"p\",\"register_standard\":\"r\",\"close_standard\":\"c\"}",
         "categories[1] (B).parent", "Z"},
        {GOOD_CLOCK, "{\"code\":\"B\",\"name\":\"乙\",\"kind\":\"hazard\",\"default_unit_type\":\"city\","
         "\"policy\":\"p\",\"register_standard\":\"r\",\"close_standard\":\"c\"}",
         "categories[1] (B).default_unit_type", "city"},
        {GOOD_CLOCK, "{\"code\":\"B\",\"name\":\"\",\"kind\":\"hazard\",\"default_unit_type\":\"street\","
         "\"policy\":\"p\",\"register_standard\":\"r\",\"close_standard\":\"c\"}",
         "categories[1] (B).name", "不能为空"},
        {GOOD_CLOCK, "{\"code\":\"B\",\"name\":\"乙\",\"kind\":\"hazard\",\"default_unit_type\":\"street\","
         "\"policy\":\"p\",\"register_standard\":\"r\"}", "categories[1] (B).close_standard", "缺少"},
        {GOOD_CLOCK, "{\"code\":7}", "categories[1].code", "字符串"},
        {GOOD_CLOCK, "{\"code\":\"B\",\"name\":\"乙\",\"kind\":\"hazard\",\"default_unit_type\":\"street\","
         "\"policy\":\"p\",\"register_standard\":\"r\",\"close_standard\":\"c\",\"open311\":{\"public\":true,"
         "\"attributes\":[{\"code\":\"kind\",\"datatype\":\"singlevaluelist\",\"description\":\"d\"}]}}",
         "categories[1] (B).open311.attributes[0].values", "values"},
        {GOOD_CLOCK, "{\"code\":\"B\",\"name\":\"乙\",\"kind\":\"hazard\",\"default_unit_type\":\"street\","
         "\"policy\":\"p\",\"register_standard\":\"r\",\"close_standard\":\"c\",\"open311\":{"
         "\"attributes\":[{\"code\":\"n\",\"datatype\":\"float\",\"description\":\"d\"}]}}",
         "categories[1] (B).open311.attributes[0].datatype", "float"},
        {GOOD_CLOCK, "{\"code\":\"B\",\"name\":\"乙\",\"kind\":\"hazard\",\"default_unit_type\":\"street\","
         "\"policy\":\"p\",\"register_standard\":\"r\",\"close_standard\":\"c\",\"open311\":{"
         "\"attributes\":[{\"code\":\"n\",\"datatype\":\"number\",\"description\":\"d\"},"
         "{\"code\":\"n\",\"datatype\":\"text\",\"description\":\"d\"}]}}",
         "categories[1] (B).open311.attributes[1].code", "重复"},
        {GOOD_CLOCK, "{\"code\":\"B\",\"name\":\"乙\",\"kind\":\"hazard\",\"default_unit_type\":\"street\","
         "\"policy\":\"p\",\"register_standard\":\"r\",\"close_standard\":\"c\",\"open311\":{\"public\":\"yes\"}}",
         "categories[1] (B).open311.public", "true"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bh_err_t err;
        bh_status_t st = parse_with(cases[i].clock, cases[i].cat, &err);
        if (!cases[i].field) {
            if (st != BH_OK)
                fail_msg("case %zu should load: %s", i, err.message);
            continue;
        }
        assert_int_equal(st, BH_INVALID_ARGUMENT);
        if (strcmp(err.field, cases[i].field) || !strstr(err.message, cases[i].needle))
            fail_msg("case %zu: field '%s' message '%s'; want field '%s' mentioning '%s'", i,
                     err.field, err.message, cases[i].field, cases[i].needle);
    }
}

static void loader_rejects_broken_documents(void **state)
{
    static const char *const docs[] = {
        "", "{", "[]", "{\"version\":2}", "{\"version\":1,\"policies\":{}}",
        "{\"version\":1,\"version\":1}",
    };
    (void)state;
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        cat_set_t *set = (cat_set_t *)1;
        bh_err_t err;
        assert_int_equal(cat_set_parse(docs[i], strlen(docs[i]), &set, &err), BH_INVALID_ARGUMENT);
        assert_null(set);
        assert_true(strlen(err.message) > 0);
    }
}

static void policy_overrides_by_source_and_urgency(void **state)
{
    static const char doc[] =
        "{\"version\":1,\"policies\":{"
        "\"slow\":{\"name\":\"一般\",\"clocks\":[" GOOD_CLOCK "]},"
        "\"fast\":{\"name\":\"紧急\",\"clocks\":[{\"name\":\"handle\",\"label\":\"处置\","
        "\"start\":[\"dispatch\"],\"stop\":[\"handle\"],\"basis\":\"natural\",\"unit\":\"hours\",\"limit\":2}]}},"
        "\"categories\":[{\"code\":\"A\",\"name\":\"甲\",\"kind\":\"hotline\",\"default_unit_type\":\"department\","
        "\"policy\":\"slow\",\"register_standard\":\"r\",\"close_standard\":\"c\","
        "\"policy_overrides\":[{\"urgency\":\"urgent\",\"policy\":\"fast\"},"
        "{\"source\":\"petition\",\"urgency\":\"urgent\",\"policy\":\"slow\"}]}]}";
    cat_set_t *set;
    bh_err_t err;
    const cat_t *c;
    (void)state;
    assert_int_equal(cat_set_parse(doc, strlen(doc), &set, &err), BH_OK);
    c = cat_find(set, "A");
    assert_string_equal(cat_policy(set, c, NULL, NULL)->name, "一般");
    assert_string_equal(cat_policy(set, c, "hotline", "urgent")->name, "紧急");
    assert_string_equal(cat_policy(set, c, "hotline", "normal")->name, "一般");
    assert_null(cat_find(set, "B"));
    cat_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_has_required_categories),
        cmocka_unit_test(builtin_policies_match_the_rules),
        cmocka_unit_test(loader_reports_entry_and_field),
        cmocka_unit_test(loader_rejects_broken_documents),
        cmocka_unit_test(policy_overrides_by_source_and_urgency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
