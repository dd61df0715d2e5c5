/*
 * test_report.c - report templates expanded over figures (core/report.h):
 * the missing-data rules, numbering of what remains, the shipped templates.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/period.h"
#include "core/report.h"

static rpt_template_t *parse(const char *json)
{
    rpt_template_t *t = NULL;
    bh_err_t err;
    bh_err_clear(&err);
    if (rpt_template_parse(json, strlen(json), &t, &err) != BH_OK)
        fail_msg("template refused: %s", err.message);
    return t;
}

/* All the blocks' text, one per line, headings with their numbers. */
static const char *text_of(const rpt_doc_t *doc)
{
    static char buf[8192];
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < doc->n; i++) {
        const rpt_block_t *b = &doc->blocks[i];
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s%s\n",
                                b->kind == RB_TABLE ? "[表]" : b->kind == RB_CHART ? "[图]" : "",
                                b->number ? b->number : "", b->text ? b->text : "");
    }
    return buf;
}

static const char *TPL =
    "{\"kind\":\"summary\",\"name\":\"t\",\"title\":\"{unit}{period}工作总结\",\"body\":["
    " {\"h\":\"工作情况\",\"body\":["
    "  {\"h\":\"案件\",\"body\":[{\"p\":[[\"{period}，共上报案件{c.reported|件}\",\"同比{c.yoy}\","
    "     \"结案{c.closed|件}\",\"结案率{c.rate|2}\"],"
    "    [{\"text\":\"尚有{c.open|件}在办\",\"else\":\"均已办结\"}]]},"
    "   {\"table\":\"t1\"}]},"
    "  {\"h\":\"巡查\",\"body\":[{\"p\":[[\"开展巡查{p.visits|家次}\",\"发现隐患{p.hazards|宗}\"]]}]},"
    "  {\"h\":\"目标\",\"body\":[{\"list\":\"targets\"}]}]},"
    " {\"h\":\"存在的问题\",\"body\":[{\"list\":\"problems\",\"else\":\"未发现突出问题\"}]},"
    " {\"h\":\"下半年工作计划\",\"keep\":true,\"body\":[]}],"
    " \"sign\":[\"{unit}\",\"{date}\"]}";

static void figures_woven_in_and_numbered(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    rpt_data_t d = {0};
    rpt_set_text(&d, a, "unit", "某区");
    rpt_set_text(&d, a, "period", "上半年");
    rpt_set_count(&d, a, "c.reported", 11900);
    rpt_set_change(&d, a, "c.yoy", true, 11900, 10596);
    rpt_set_count(&d, a, "c.closed", 11888);
    rpt_set_rate(&d, a, "c.rate", 11888, 11900);
    rpt_set_count(&d, a, "c.open", 12);
    rpt_set_count(&d, a, "p.visits", 4491);
    rpt_set_count(&d, a, "p.hazards", 9163);
    const char *items[] = {"超期案件12件。", "隐患整改率偏低"};
    rpt_add_list(&d, a, "problems", items, 2);
    rpt_table_t *t = rpt_table_new(a, "t1", "各街道案件办理情况", 2, 1);
    rpt_cell(t, 0, 0, "东门街道");
    rpt_add_table(&d, a, t);
    rpt_set_text(&d, a, "date", "2023年6月30日");

    rpt_template_t *tpl = parse(TPL);
    rpt_doc_t doc;
    rpt_expand(tpl, &d, a, &doc);
    assert_string_equal(text_of(&doc),
                        "某区上半年工作总结\n"
                        "一、工作情况\n"
                        "（一）案件\n"
                        "上半年，共上报案件11900件，同比增长12.3%，结案11888件，结案率99.90%。尚有12件在办。\n"
                        "[表]表1 各街道案件办理情况\n"
                        "（二）巡查\n"
                        "开展巡查4491家次，发现隐患9163宗。\n"
                        "二、存在的问题\n"
                        "一是超期案件12件；二是隐患整改率偏低。\n"
                        "三、下半年工作计划\n"
                        "某区\n"
                        "2023年6月30日\n");
    rpt_template_free(tpl);
    arena_free(a);
}

static void missing_and_zero_figures_are_left_out(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    rpt_data_t d = {0};
    rpt_set_text(&d, a, "unit", "某街道");
    rpt_set_text(&d, a, "period", "上半年");
    /* nothing reported: no "共上报案件0件，结案率0.00%" */
    rpt_set_count(&d, a, "c.reported", 0);
    rpt_set_rate(&d, a, "c.rate", 0, 0);
    rpt_set_count(&d, a, "c.open", 0);
    /* a patrol count without the hazards: the clause goes, the sentence stays */
    rpt_set_count(&d, a, "p.visits", 7);
    rpt_set_count(&d, a, "p.hazards", 0);

    rpt_template_t *tpl = parse(TPL);
    rpt_doc_t doc;
    rpt_expand(tpl, &d, a, &doc);
    assert_string_equal(text_of(&doc),
                        "某街道上半年工作总结\n"
                        "一、工作情况\n"
                        "（一）案件\n"
                        "均已办结。\n"
                        "（二）巡查\n"
                        "开展巡查7家次。\n"
                        "二、存在的问题\n"
                        "未发现突出问题。\n"
                        "三、下半年工作计划\n"
                        "某街道\n");

    /* no patrol data at all: the heading goes and the next one is renumbered */
    rpt_data_t e = {0};
    rpt_set_count(&e, a, "c.reported", 5);
    rpt_set_count(&e, a, "c.open", 5);
    const char *one[] = {"指标滞后"};
    rpt_add_list(&e, a, "targets", one, 1);
    rpt_expand(tpl, &e, a, &doc);
    assert_string_equal(text_of(&doc),
                        "工作总结\n"
                        "一、工作情况\n"
                        "（一）案件\n"
                        "尚有5件在办。\n" /* no period: the sentence that needs it goes */
                        "（二）目标\n"
                        "指标滞后。\n"
                        "二、存在的问题\n"
                        "未发现突出问题。\n"
                        "三、下半年工作计划\n");
    rpt_template_free(tpl);
    arena_free(a);
}

static void a_heading_over_an_annex_table_only_goes(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    rpt_data_t d = {0};
    rpt_table_t *t = rpt_table_new(a, "long", "明细", 1, 1);
    rpt_add_table(&d, a, t);
    rpt_template_t *tpl = parse("{\"kind\":\"summary\",\"name\":\"n\",\"title\":\"t\",\"body\":["
                                "{\"h\":\"甲\",\"body\":[{\"table\":\"long\",\"annex\":true}]},"
                                "{\"h\":\"乙\",\"keep\":true,\"body\":[]}]}");
    rpt_doc_t doc;
    rpt_expand(tpl, &d, a, &doc);
    assert_string_equal(text_of(&doc), "t\n[表]附表1 明细\n一、乙\n");
    assert_true(doc.blocks[1].annex);
    rpt_template_free(tpl);
    arena_free(a);
}

static void values_format_by_kind(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    rpt_data_t d = {0};
    char buf[256];
    rpt_set_amount(&d, a, "inv", 23000, "万元");
    rpt_set_frac(&d, a, "done", true, 0.411);
    rpt_set_points(&d, a, "pp", true, 0.03);
    rpt_set_rank(&d, a, "rank", 2);
    rpt_set_quantity(&d, a, "h", 26.54, "小时");
    rpt_set_change(&d, a, "none", true, 5, 0);
    assert_true(rpt_expand_text("完成投资{inv}，完成全年目标任务的{done|1}，同比{pp}，居全市{rank}（{rank|cn}），"
                                "平均{h}",
                                &d, buf, sizeof buf));
    assert_string_equal(buf, "完成投资2.3亿元，完成全年目标任务的41.1%，同比提高3个百分点，居全市第2（第二），平均26.54小时");
    assert_false(rpt_expand_text("同比{none}", &d, buf, sizeof buf));
    assert_false(rpt_expand_text("{unknown}", &d, buf, sizeof buf));
    /* the last value set under a key counts */
    rpt_set_rank(&d, a, "rank", 1);
    assert_true(rpt_expand_text("{rank|cn}", &d, buf, sizeof buf));
    assert_string_equal(buf, "第一");
    arena_free(a);
}

static void bad_templates_name_the_place(void **state)
{
    (void)state;
    static const struct {
        const char *json, *field;
    } cases[] = {
        {"{\"kind\":\"memo\",\"name\":\"x\",\"title\":\"t\",\"body\":[]}", "kind"},
        {"{\"kind\":\"summary\",\"title\":\"t\",\"body\":[]}", "name"},
        {"{\"kind\":\"summary\",\"name\":\"x\",\"title\":\"t\",\"body\":[{\"h\":\"a\",\"body\":[{\"p\":[\"{x\"]}]}]}",
         "body[0].body[0].p[0]"},
        {"{\"kind\":\"summary\",\"name\":\"x\",\"title\":\"t\",\"body\":[{\"p\":[\"a\"],\"table\":\"t\"}]}", "body[0]"},
        {"{\"kind\":\"summary\",\"name\":\"x\",\"title\":\"t\",\"body\":[{\"p\":[[{\"txt\":\"a\"}]]}]}",
         "body[0].p[0][0]"},
        {"{\"kind\":\"summary\",\"name\":\"x\",\"title\":\"t\",\"body\":[],\"extra\":1}", "extra"},
        {"{\"kind\":\"summary\",\"name\":\"x\",\"title\":\"t\",\"body\":[{\"h\":\"1\",\"body\":[{\"h\":\"2\",\"body\":"
         "[{\"h\":\"3\",\"body\":[{\"h\":\"4\",\"body\":[{\"h\":\"5\",\"body\":[]}]}]}]}]}]}",
         "body[0].body[0].body[0].body[0].body[0]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rpt_template_t *t = NULL;
        bh_err_t err;
        bh_err_clear(&err);
        assert_int_equal(rpt_template_parse(cases[i].json, strlen(cases[i].json), &t, &err),
                         BH_INVALID_ARGUMENT);
        assert_null(t);
        assert_string_equal(err.field, cases[i].field);
        assert_non_null(strstr(err.message, "报告模板"));
    }
    rpt_template_t *t = NULL;
    bh_err_t err;
    assert_int_equal(rpt_template_parse("{", 1, &t, &err), BH_INVALID_ARGUMENT);
}

static void shipped_templates_parse(void **state)
{
    (void)state;
    static const char *const kinds[] = {"summary", "bulletin"};
    for (int i = 0; i < 2; i++) {
        size_t len;
        const char *json = rpt_template_builtin(kinds[i], &len);
        assert_non_null(json);
        rpt_template_t *t = NULL;
        bh_err_t err;
        bh_err_clear(&err);
        if (rpt_template_parse(json, len, &t, &err) != BH_OK)
            fail_msg("%s: %s", kinds[i], err.message);
        assert_string_equal(rpt_template_kind(t), kinds[i]);
        /* every figure zero, every rate over nothing: no "0件", no "0.00%" */
        arena_t *a = arena_new();
        rpt_data_t d = {0};
        static const char *const counts[] = {
            "cases.reported", "cases.registered", "cases.closed", "cases.open", "cases.overdue",
            "cases.overdue_open", "cases.supervised_open", "hazards.supervised", "patrols.objects",
            "patrols.visits", "patrols.missed", "patrols.hazards", "patrols.hazards_major",
            "patrols.rectified", "patrols.cases", "patrols.self_checks",
            "patrols.self_check_hazards", "projects.count", NULL};
        static const char *const rates[] = {
            "cases.close_rate", "cases.on_time_close_rate", "cases.satisfaction_rate",
            "cases.rework_rate", "patrols.coverage", "patrols.rectification_rate",
            "projects.plan_completion", NULL};
        for (int k = 0; counts[k]; k++)
            rpt_set_count(&d, a, counts[k], 0);
        for (int k = 0; rates[k]; k++)
            rpt_set_rate(&d, a, rates[k], 0, 0);
        rpt_set_amount(&d, a, "projects.planned", 0, "万元");
        rpt_set_quantity(&d, a, "cases.avg_handle_hours", NAN, "小时");
        rpt_set_change(&d, a, "cases.reported_yoy", true, 0, 0);
        rpt_set_text(&d, a, "unit", "某区");
        rpt_set_text(&d, a, "period_lead", "上半年");
        rpt_set_text(&d, a, "period_full", "2023年上半年");
        rpt_set_text(&d, a, "as_of", "6月30日");
        rpt_set_text(&d, a, "today", "2023年7月1日");
        rpt_set_text(&d, a, "next_period", "下半年");
        rpt_doc_t doc;
        rpt_expand(t, &d, a, &doc);
        int paras = 0;
        for (int b = 0; b < doc.n; b++) {
            const char *x = doc.blocks[b].text;
            if (strstr(x, "0件") || strstr(x, "0宗") || strstr(x, "0家次") || strstr(x, "0.00%") ||
                strstr(x, "0.0%") || strstr(x, "0元") || strstr(x, "均已办结"))
                fail_msg("%s: a zero figure or a claim without data: %s", kinds[i], x);
            paras += doc.blocks[b].kind == RB_PARA;
        }
        assert_true(paras >= 2); /* the opening and the kept plan */
        rpt_template_free(t);
        arena_free(a);
    }
    size_t len;
    assert_null(rpt_template_builtin("memo", &len));
}

static void content_survives_json(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    rpt_data_t d = {0};
    rpt_set_text(&d, a, "unit", "某区");
    rpt_set_text(&d, a, "period", "上半年");
    rpt_set_count(&d, a, "c.reported", 11900);
    rpt_set_count(&d, a, "c.open", 3);
    rpt_table_t *t = rpt_table_new(a, "t1", "各街道", 2, 2);
    t->head[0] = "单位", t->head[1] = "上报数", t->numeric[1] = true;
    rpt_cell(t, 0, 0, "东门街道"), rpt_cell(t, 0, 1, "7");
    rpt_cell(t, 1, 0, "黄贝街道"), rpt_cell(t, 1, 1, "13");
    rpt_add_table(&d, a, t);
    const char *tpl_json = "{\"kind\":\"bulletin\",\"name\":\"n\",\"title\":\"{unit}通报\",\"body\":["
                           "{\"h\":\"一\",\"body\":[{\"p\":[[\"共{c.reported|件}\"]]},{\"table\":\"t1\"},"
                           "{\"chart\":\"c1\"}]}],\"sign\":[\"{unit}\"]}";
    rpt_chart_t *c = rpt_chart_new(a, "c1", "图", RPT_LINE, "%", 1, 2);
    c->labels[0] = "1月", c->labels[1] = "2月", c->series[0] = "结案率", c->values[0] = 0.5;
    rpt_add_chart(&d, a, c);
    rpt_template_t *tpl = parse(tpl_json);
    rpt_doc_t doc, back;
    rpt_expand(tpl, &d, a, &doc);
    json_t *j = rpt_doc_to_json(&doc);
    char *text = json_dumps(j, JSON_COMPACT);
    bh_err_t err;
    assert_int_equal(rpt_doc_from_json(text, strlen(text), a, &back, &err), BH_OK);
    assert_string_equal(text_of(&back), text_of(&doc));
    assert_string_equal(back.kind, "bulletin");
    assert_int_equal(back.n, doc.n);
    const rpt_block_t *bt = &back.blocks[3], *bc = &back.blocks[4];
    assert_int_equal(bt->kind, RB_TABLE);
    assert_string_equal(rpt_cell_at(bt->table, 1, 1), "13");
    assert_true(bt->table->numeric[1]);
    assert_int_equal(bc->kind, RB_CHART);
    assert_int_equal(bc->chart->kind, RPT_LINE);
    assert_true(bc->chart->values[0] == 0.5 && isnan(bc->chart->values[1]));
    free(text);
    json_decref(j);
    assert_int_equal(rpt_doc_from_json("{}", 2, a, &back, &err), BH_INTERNAL);
    rpt_template_free(tpl);
    arena_free(a);
}

static dt_ms_t local(int y, int m, int d, int hh, int mm)
{
    return dt_local_midnight(dt_day_from_ymd(y, m, d)) + ((dt_ms_t)hh * 60 + mm) * 60000;
}

static void periods_compared_with(void **state)
{
    (void)state;
#define D(y, m, d) dt_day_from_ymd(y, m, d)
    /* 环比 of a month is the month before, not the same number of days */
    period_t p = period_previous((period_t){D(2023, 3, 1), D(2023, 3, 31)});
    assert_true(p.from == D(2023, 2, 1) && p.to == D(2023, 2, 28));
    p = period_previous((period_t){D(2023, 6, 1), D(2023, 6, 30)});
    assert_true(p.from == D(2023, 5, 1) && p.to == D(2023, 5, 31));
    p = period_previous((period_t){D(2023, 6, 5), D(2023, 6, 11)}); /* a Monday-Sunday week */
    assert_true(p.from == D(2023, 5, 29) && p.to == D(2023, 6, 4));
    p = period_previous((period_t){D(2023, 1, 1), D(2023, 6, 30)});
    assert_true(p.from == D(2022, 7, 1) && p.to == D(2022, 12, 31));
    p = period_previous((period_t){D(2023, 6, 10), D(2023, 6, 19)}); /* ten days */
    assert_true(p.from == D(2023, 5, 31) && p.to == D(2023, 6, 9));
    /* 同比: a month's end stays a month's end */
    p = period_year_before((period_t){D(2025, 2, 1), D(2025, 2, 28)});
    assert_true(p.from == D(2024, 2, 1) && p.to == D(2024, 2, 29));
    p = period_year_before((period_t){D(2024, 2, 1), D(2024, 2, 29)});
    assert_true(p.from == D(2023, 2, 1) && p.to == D(2023, 2, 28));
    p = period_year_before((period_t){D(2023, 1, 1), D(2023, 6, 24)});
    assert_true(p.from == D(2022, 1, 1) && p.to == D(2022, 6, 24));
#undef D
}

static void schedules_run_when_and_for_what(void **state)
{
    (void)state;
    /* every Monday 09:00: from Friday 2023-06-02 the next is Monday 06-05 */
    assert_true(period_next_run(false, 1, 540, local(2023, 6, 2, 15, 0)) == local(2023, 6, 5, 9, 0));
    /* on Monday itself: before nine it is today, at nine exactly the week after */
    assert_true(period_next_run(false, 1, 540, local(2023, 6, 5, 8, 59)) == local(2023, 6, 5, 9, 0));
    assert_true(period_next_run(false, 1, 540, local(2023, 6, 5, 9, 0)) == local(2023, 6, 12, 9, 0));
    /* monthly on the 1st at 08:30, across a year's end */
    assert_true(period_next_run(true, 1, 510, local(2023, 12, 15, 0, 0)) == local(2024, 1, 1, 8, 30));
    /* a run reports the week or month before it */
    period_t w = period_before(false, dt_day_from_ymd(2023, 6, 5));
    assert_int_equal(w.from, dt_day_from_ymd(2023, 5, 29));
    assert_int_equal(w.to, dt_day_from_ymd(2023, 6, 4));
    period_t m = period_before(true, dt_day_from_ymd(2024, 1, 1));
    assert_int_equal(m.from, dt_day_from_ymd(2023, 12, 1));
    assert_int_equal(m.to, dt_day_from_ymd(2023, 12, 31));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(figures_woven_in_and_numbered),
        cmocka_unit_test(missing_and_zero_figures_are_left_out),
        cmocka_unit_test(a_heading_over_an_annex_table_only_goes),
        cmocka_unit_test(values_format_by_kind),
        cmocka_unit_test(bad_templates_name_the_place),
        cmocka_unit_test(shipped_templates_parse),
        cmocka_unit_test(content_survives_json),
        cmocka_unit_test(periods_compared_with),
        cmocka_unit_test(schedules_run_when_and_for_what),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
