/*
 * test_patrol.c - the patrol loop's rules: periods, the seed's default
 * plan (one red object over 2023 is due 12 times, orange 4, yellow 2,
 * blue 1), make-ups and misses, a risk change in the middle of a slot,
 * every-N-working-days plans across the national holidays, checklist
 * answers, hazard deadlines and lights, and the configuration's errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/patrol.h"

static cal_t *cal;
static patrol_cfg_t *cfg;

static dt_day_t D(const char *s)
{
    dt_day_t d;
    assert_true(dt_parse_date(s, &d));
    return d;
}

static int setup(void **state)
{
    size_t len;
    const char *text = patrol_cfg_builtin_text(&len);
    bh_err_t err;
    (void)state;
    cal = cal_new_national();
    assert_int_equal(patrol_cfg_parse(text, len, &cfg, &err), BH_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    patrol_cfg_free(cfg);
    cal_free(cal);
    return 0;
}

static void test_periods(void **state)
{
    period_t p;
    (void)state;
    assert_true(period_parse("2023", &p));
    assert_int_equal(p.from, D("2023-01-01"));
    assert_int_equal(p.to, D("2023-12-31"));
    assert_true(period_parse("2023H1", &p));
    assert_int_equal(p.to, D("2023-06-30"));
    assert_true(period_parse("2023H2", &p));
    assert_int_equal(p.from, D("2023-07-01"));
    assert_true(period_parse("2024Q1", &p));
    assert_int_equal(p.to, D("2024-03-31"));
    assert_true(period_parse("2024-02", &p));
    assert_int_equal(p.to, D("2024-02-29")); /* a leap year */
    assert_true(period_parse("2023-12", &p));
    assert_int_equal(p.to, D("2023-12-31"));
    assert_true(period_parse("2023-06-15", &p));
    assert_int_equal(p.from, p.to);
    assert_false(period_parse("2023H3", &p));
    assert_false(period_parse("2023-13", &p));
    assert_false(period_parse("23", &p));
    assert_false(period_parse("2023Q0", &p));
    assert_false(period_parse("2023-06-31", &p));
    assert_false(period_parse(NULL, &p));
    p = period_week(D("2023-06-15")); /* a Thursday */
    assert_int_equal(p.from, D("2023-06-12"));
    assert_int_equal(p.to, D("2023-06-18"));
}

static patrol_object_t enterprise(const char *risk, patrol_risk_t *r)
{
    patrol_object_t o = {"enterprise", "production", "44030300100101", D("2022-05-01"), r, 1};
    r[0].from = o.created;
    r[0].risk = risk;
    return o;
}

static int due_in(const patrol_object_t *o, const char *period, const dt_day_t *v, int nv,
                  dt_day_t today, patrol_tally_t *t)
{
    period_t p;
    patrol_slot_t slots[400];
    int n;
    assert_true(period_parse(period, &p));
    n = patrol_slots(cfg, cal, o, v, nv, p.from, p.to, today, slots, 400, NULL);
    assert_true(n <= 400);
    memset(t, 0, sizeof *t);
    patrol_tally_add(t, slots, n);
    return n;
}

/* The seed: 红色一月一巡，橙色季度一巡，黄色半年一巡，蓝色一年一巡. */
static void test_default_plan_over_2023(void **state)
{
    static const char *const risks[] = {"red", "orange", "yellow", "blue"};
    static const int want[] = {12, 4, 2, 1}, want_h1[] = {6, 2, 1, 0};
    patrol_risk_t r[1];
    patrol_tally_t t;
    (void)state;
    for (int i = 0; i < 4; i++) {
        patrol_object_t o = enterprise(risks[i], r);
        assert_int_equal(due_in(&o, "2023", NULL, 0, D("2024-01-15"), &t), want[i]);
        assert_int_equal(t.missed, want[i]);
        assert_int_equal(due_in(&o, "2023H1", NULL, 0, D("2024-01-15"), &t), want_h1[i]);
    }
    /* A red object patrolled once in every month of 2023. */
    {
        patrol_object_t o = enterprise("red", r);
        dt_day_t v[12];
        for (int m = 0; m < 12; m++)
            v[m] = dt_day_from_ymd(2023, m + 1, 10);
        due_in(&o, "2023", v, 12, D("2024-01-15"), &t);
        assert_int_equal(t.due, 12);
        assert_int_equal(t.on_time, 12);
        assert_int_equal(t.late + t.missed + t.pending, 0);
        assert_string_equal(patrol_tally_status(&t), "done");
    }
    /* Before the year is out the rest is pending, not missed. */
    {
        patrol_object_t o = enterprise("red", r);
        due_in(&o, "2023", NULL, 0, D("2023-06-15"), &t);
        assert_int_equal(t.missed, 5);
        assert_int_equal(t.pending, 7);
        assert_string_equal(patrol_tally_status(&t), "missed");
    }
}

static void test_makeup_is_late_and_extra_visits(void **state)
{
    patrol_risk_t r[1];
    patrol_object_t o = enterprise("red", r);
    patrol_slot_t s[4];
    signed char how[4];
    /* Nothing in May: 2 June is June's, 20 June (beyond June's one) makes
     * May up (late), 25 June is extra. */
    dt_day_t v[] = {D("2023-04-03"), D("2023-06-02"), D("2023-06-20"), D("2023-06-25")};
    int n;
    (void)state;
    n = patrol_slots(cfg, cal, &o, v, 4, D("2023-04-01"), D("2023-06-30"), D("2023-07-05"), s, 4,
                     how);
    assert_int_equal(n, 3);
    assert_int_equal(s[0].state, PATROL_SLOT_DONE);   /* April */
    assert_int_equal(s[1].state, PATROL_SLOT_LATE);   /* May, made up on 20 June */
    assert_int_equal(s[2].state, PATROL_SLOT_DONE);   /* June */
    assert_int_equal(how[0], PATROL_VISIT_ON_TIME);
    assert_int_equal(how[1], PATROL_VISIT_ON_TIME);
    assert_int_equal(how[2], PATROL_VISIT_LATE);
    assert_int_equal(how[3], PATROL_VISIT_EXTRA);
    /* A make-up reaches back one slot only: March stays missed. */
    {
        dt_day_t w[] = {D("2023-05-10"), D("2023-05-11")};
        n = patrol_slots(cfg, cal, &o, w, 2, D("2023-03-01"), D("2023-05-31"), D("2023-07-05"),
                         s, 4, how);
        assert_int_equal(n, 3);
        assert_int_equal(s[0].state, PATROL_SLOT_MISSED); /* March */
        assert_int_equal(s[1].state, PATROL_SLOT_LATE);   /* April, by 10 May */
        assert_int_equal(s[2].state, PATROL_SLOT_DONE);   /* May, by 11 May */
    }
    /* Make-ups do not cross a year: 3 January 2024 is January's, December stays missed. */
    {
        dt_day_t w[] = {D("2024-01-03")};
        n = patrol_slots(cfg, cal, &o, w, 1, D("2023-12-01"), D("2024-01-31"), D("2024-02-05"),
                         s, 4, how);
        assert_int_equal(n, 2);
        assert_int_equal(s[0].state, PATROL_SLOT_MISSED);
        assert_int_equal(s[1].state, PATROL_SLOT_DONE);
    }
}

/* Red until 14 March 2023, blue from then: March is still a red month;
 * from April no red slot, and the 2023 blue (yearly) slot began while it
 * was red, so blue is due from 2024. */
static void test_risk_change_takes_effect_next_slot(void **state)
{
    patrol_risk_t r[2] = {{D("2022-05-01"), "red"}, {D("2023-03-15"), "blue"}};
    patrol_object_t o = {"enterprise", "production", "44030300100101", D("2022-05-01"), r, 2};
    patrol_tally_t t;
    period_t y;
    patrol_slot_t s[20];
    (void)state;
    assert_int_equal(due_in(&o, "2023", NULL, 0, D("2024-06-01"), &t), 3);
    assert_int_equal(due_in(&o, "2024", NULL, 0, D("2025-01-10"), &t), 1);
    assert_true(period_parse("2023", &y));
    patrol_slots(cfg, cal, &o, NULL, 0, y.from, y.to, D("2024-06-01"), s, 20, NULL);
    assert_string_equal(cfg->plans[s[2].plan].code, "enterprise_red");
    assert_int_equal(s[2].span.to, D("2023-03-31"));
    /* Blue to red on 1 July (a slot's first day) applies from July. */
    {
        patrol_risk_t q[2] = {{D("2022-05-01"), "blue"}, {D("2023-07-01"), "red"}};
        o.risks = q;
        /* July-December red, and the 2023 blue (yearly) slot began blue, so it stays due */
        assert_int_equal(due_in(&o, "2023", NULL, 0, D("2024-06-01"), &t), 7);
    }
    /* An object registered on 20 June is due in June (its first slot). */
    {
        patrol_risk_t q[1] = {{D("2023-06-20"), "red"}};
        patrol_object_t n = {"enterprise", "production", "44030300100101", D("2023-06-20"), q, 1};
        assert_int_equal(due_in(&n, "2023H1", NULL, 0, D("2023-07-10"), &t), 1);
        assert_int_equal(due_in(&n, "2023", NULL, 0, D("2024-01-10"), &t), 7);
    }
}

/* 林段每10个工作日巡林: 2023 has 249 working days → 25 slots (the last
 * one short); the first runs 3 January (1-2 January are 元旦) to the day
 * before the 11th working day; the Spring Festival does not count. */
static void test_workday_plan_across_holidays(void **state)
{
    patrol_risk_t r[1] = {{D("2022-01-01"), NULL}};
    patrol_object_t o = {"forest_section", NULL, "44030300100101", D("2022-01-01"), r, 1};
    const patrol_plan_t *p = NULL;
    period_t s;
    patrol_tally_t t;
    (void)state;
    for (int i = 0; i < cfg->nplans; i++)
        if (strcmp(cfg->plans[i].code, "forest_10wd") == 0)
            p = &cfg->plans[i];
    assert_non_null(p);
    assert_int_equal(cal_count_workdays(cal, D("2023-01-01"), D("2023-12-31"), NULL), 249);
    s = patrol_slot(p, cal, D("2023-01-02"));
    assert_int_equal(s.from, D("2023-01-01"));
    /* working days 1-10 of 2023: 3-6 Jan, 9-13 Jan, 16 Jan; the 11th is 17 Jan */
    assert_int_equal(s.to, D("2023-01-16"));
    s = patrol_slot(p, cal, D("2023-01-17"));
    assert_int_equal(s.from, D("2023-01-17"));
    /* 17-20 Jan, then the Spring Festival 21-27 Jan off, 28-29 Jan are make-up days */
    assert_int_equal(cal_count_workdays(cal, s.from, s.to, NULL), 10);
    assert_true(s.to >= D("2023-01-29"));
    s = patrol_slot(p, cal, D("2023-12-31"));
    assert_int_equal(s.to, D("2023-12-31"));
    assert_int_equal(cal_count_workdays(cal, s.from, s.to, NULL), 9);
    assert_int_equal(due_in(&o, "2023", NULL, 0, D("2024-01-10"), &t), 25);
}

/* patrol_slots steps from one working-day run to the next; every run it
 * gives must be the run patrol_slot finds for each of its days, and the
 * runs must tile 2023-2026 with no gap. */
static void test_workday_runs_match_patrol_slot(void **state)
{
    patrol_risk_t r[1] = {{D("2022-01-01"), NULL}};
    patrol_object_t o = {"forest_section", NULL, "44030300100101", D("2022-01-01"), r, 1};
    patrol_slot_t s[200];
    const patrol_plan_t *p;
    dt_day_t next = D("2023-01-01");
    int n;
    (void)state;
    n = patrol_slots(cfg, cal, &o, NULL, 0, D("2023-01-01"), D("2026-12-31"), D("2027-01-10"), s,
                     200, NULL);
    assert_true(n > 90 && n <= 200);
    for (int i = 0; i < n; i++) {
        p = &cfg->plans[s[i].plan];
        assert_int_equal(p->per, PATROL_PER_WORKDAYS);
        assert_int_equal(s[i].span.from, next);
        for (dt_day_t d = s[i].span.from; d <= s[i].span.to; d++) {
            period_t q = patrol_slot(p, cal, d);
            assert_int_equal(q.from, s[i].span.from);
            assert_int_equal(q.to, s[i].span.to);
        }
        next = s[i].span.to + 1;
    }
    assert_int_equal(next, D("2027-01-01"));
}

/* 重点监管户每月走访两次: a flagged household (any risk level) is due
 * twice a month, each visit counted; an unflagged one not at all; a flag
 * set on 1 July applies from July. */
static void test_flagged_households_twice_a_month(void **state)
{
    patrol_risk_t flagged[1] = {{D("2022-01-01"), "yellow"}};
    patrol_risk_t plain[1] = {{D("2022-01-01"), NULL}};
    patrol_risk_t later[2] = {{D("2022-01-01"), NULL}, {D("2023-07-01"), "red"}};
    patrol_object_t f = {"household", NULL, "44030300100101", D("2022-01-01"), flagged, 1};
    patrol_object_t p = {"household", NULL, "44030300100101", D("2022-01-01"), plain, 1};
    patrol_object_t l = {"household", NULL, "44030300100101", D("2022-01-01"), later, 2};
    dt_day_t v[3] = {D("2023-01-05"), D("2023-01-20"), D("2023-02-10")};
    patrol_tally_t t;
    (void)state;
    assert_int_equal(due_in(&f, "2023", v, 3, D("2024-01-10"), &t), 12);
    assert_int_equal(t.due, 24);
    assert_int_equal(t.done, 3);
    assert_int_equal(t.on_time, 3);
    assert_int_equal(t.missed, 21);
    assert_string_equal(patrol_tally_status(&t), "missed");
    assert_int_equal(due_in(&f, "2023-01", v, 3, D("2024-01-10"), &t), 1);
    assert_int_equal(t.due, 2);
    assert_string_equal(patrol_tally_status(&t), "done");
    /* half of February: one done, one pending while the month runs */
    assert_int_equal(due_in(&f, "2023-02", v, 3, D("2023-02-15"), &t), 1);
    assert_int_equal(t.done, 1);
    assert_int_equal(t.pending, 1);
    assert_int_equal(due_in(&p, "2023", v, 3, D("2024-01-10"), &t), 0);
    assert_int_equal(t.due, 0);
    assert_int_equal(due_in(&l, "2023", NULL, 0, D("2024-01-10"), &t), 6);
    assert_int_equal(t.due, 12);
}

static void test_answers(void **state)
{
    const patrol_checklist_t *cl = patrol_checklist_for(cfg, "enterprise");
    bh_err_t err;
    json_t *a;
    (void)state;
    assert_non_null(cl);
    assert_string_equal(cl->code, "enterprise_safety");
    a = json_pack("{s:s, s:s, s:s}", "fire_exit", "畅通", "extinguisher", "完好有效", "wiring", "规范");
    assert_int_equal(patrol_check_answers(cl, a, &err), BH_OK);
    json_object_del(a, "wiring");
    assert_int_equal(patrol_check_answers(cl, a, &err), BH_INVALID_ARGUMENT);
    assert_string_equal(err.field, "answers.wiring");
    assert_non_null(strstr(err.message, "电气线路"));
    json_object_set_new(a, "wiring", json_string("很好"));
    assert_int_equal(patrol_check_answers(cl, a, &err), BH_INVALID_ARGUMENT);
    assert_string_equal(err.field, "answers.wiring");
    json_object_set_new(a, "wiring", json_string("老化"));
    json_object_set_new(a, "colour", json_string("红"));
    assert_int_equal(patrol_check_answers(cl, a, &err), BH_INVALID_ARGUMENT);
    assert_string_equal(err.field, "answers.colour");
    json_decref(a);
    assert_int_equal(patrol_check_answers(cl, NULL, &err), BH_INVALID_ARGUMENT);
    assert_string_equal(err.field, "answers.fire_exit");
}

static void test_hazard_deadline_and_light(void **state)
{
    const patrol_hazard_type_t *g = patrol_hazard_type(cfg, NULL);
    dt_day_t found = D("2024-09-27"), dl; /* a Friday before the National Day week */
    (void)state;
    assert_int_equal(g->days, 10);
    dl = patrol_hazard_deadline(g, cal, found);
    /* working days after it: 29 Sep (a make-up Sunday) 1, 30 Sep 2, then
     * 8-11 Oct 3-6, 12 Oct (a make-up Saturday) 7, 14-16 Oct 8-10 */
    assert_int_equal(dl, D("2024-10-16"));
    assert_int_equal(patrol_hazard_light(g, cal, found, dl, found), SLA_LIGHT_GREEN);
    assert_int_equal(patrol_hazard_light(g, cal, found, dl, D("2024-10-05")), SLA_LIGHT_GREEN);
    assert_int_equal(patrol_hazard_light(g, cal, found, dl, D("2024-10-10")), SLA_LIGHT_GREEN);
    /* yellow from the 6th working day, red from the 8th */
    assert_int_equal(patrol_hazard_light(g, cal, found, dl, D("2024-10-11")), SLA_LIGHT_YELLOW);
    assert_int_equal(patrol_hazard_light(g, cal, found, dl, D("2024-10-12")), SLA_LIGHT_YELLOW);
    assert_int_equal(patrol_hazard_light(g, cal, found, dl, D("2024-10-14")), SLA_LIGHT_RED);
    assert_int_equal(patrol_hazard_light(g, cal, found, dl, dl), SLA_LIGHT_RED);
    assert_int_equal(patrol_hazard_light(g, cal, found, dl, dl + 1), SLA_LIGHT_OVERDUE);
    assert_null(patrol_hazard_type(cfg, "nosuch"));
    assert_int_equal(patrol_hazard_type(cfg, "chemical")->days, 3);
}

static void expect_bad(const char *json, const char *field)
{
    patrol_cfg_t *c;
    bh_err_t err;
    assert_int_equal(patrol_cfg_parse(json, strlen(json), &c, &err), BH_INVALID_ARGUMENT);
    assert_null(c);
    if (strcmp(err.field, field) != 0)
        fail_msg("field %s, wanted %s (%s)", err.field, field, err.message);
}

#define HEAD                                                                                 \
    "{\"supervisor\":\"x\",\"major_category\":\"S02\","                                      \
    "\"general\":{\"name\":\"g\",\"days\":10,\"yellow\":6,\"red\":8},"                      \
    "\"major\":{\"name\":\"m\",\"days\":30,\"yellow\":20,\"red\":25},\"hazard_types\":[],"  \
    "\"checklists\":[{\"code\":\"c\",\"name\":\"c\",\"kind\":\"enterprise\",\"items\":"      \
    "[{\"code\":\"a\",\"label\":\"a\",\"options\":[\"好\",\"坏\"]}]}],"

static void test_config_errors(void **state)
{
    (void)state;
    expect_bad("[]", "");
    expect_bad(HEAD "\"plans\":[{\"code\":\"p\",\"name\":\"p\",\"kind\":\"enterprise\",\"per\":\"fortnight\"}]}",
               "plans[0].per");
    expect_bad(HEAD "\"plans\":[{\"code\":\"p\",\"name\":\"p\",\"kind\":\"enterprise\",\"per\":\"workdays\"}]}",
               "plans[0].every");
    expect_bad(HEAD "\"plans\":[{\"code\":\"p\",\"name\":\"p\",\"kind\":\"enterprise\",\"per\":\"month\",\"risk\":\"pink\"}]}",
               "plans[0].risk");
    expect_bad(HEAD "\"plans\":[{\"code\":\"p\",\"name\":\"p\",\"kind\":\"river_section\",\"per\":\"month\"}]}",
               "plans[0].checklist");
    expect_bad(HEAD "\"plans\":[{\"code\":\"p\",\"name\":\"p\",\"kind\":\"enterprise\",\"per\":\"month\",\"times\":0}]}",
               "plans[0].times");
    expect_bad(HEAD "\"plans\":[{\"code\":\"p\",\"name\":\"p\",\"kind\":\"enterprise\",\"per\":\"month\"},"
                    "{\"code\":\"p\",\"name\":\"q\",\"kind\":\"enterprise\",\"per\":\"year\"}]}",
               "plans[1].code");
    expect_bad(HEAD "\"plans\":[], \"colour\":1}", "colour");
    {
        patrol_cfg_t *c;
        bh_err_t err;
        const char *ok = HEAD "\"plans\":[{\"code\":\"p\",\"name\":\"p\",\"kind\":\"enterprise\",\"per\":\"month\"}]}";
        assert_int_equal(patrol_cfg_parse(ok, strlen(ok), &c, &err), BH_OK);
        assert_string_equal(c->plans[0].role, "reporter");
        assert_string_equal(c->plans[0].checklist, "c");
        patrol_cfg_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_default_plan_over_2023),
        cmocka_unit_test(test_makeup_is_late_and_extra_visits),
        cmocka_unit_test(test_risk_change_takes_effect_next_slot),
        cmocka_unit_test(test_workday_runs_match_patrol_slot),
        cmocka_unit_test(test_flagged_households_twice_a_month),
        cmocka_unit_test(test_workday_plan_across_holidays),
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_hazard_deadline_and_light),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
