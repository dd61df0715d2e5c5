/*
 * test_project.c - the figures of key projects (core/project.h) on worked
 * examples: milestone states around their planned day, plan completion
 * with and without a plan, the light, a list's figures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/project.h"

#define NEAR(a, b) assert_true((a) > (b) - 1e-9 && (a) < (b) + 1e-9)

static dt_day_t day(int y, int m, int d)
{
    return dt_day_from_ymd(y, m, d);
}

static void milestone_states(void **state)
{
    dt_day_t planned = day(2023, 5, 31), june30 = day(2023, 6, 30);
    (void)state;
    /* done the day it was planned: on time; a day after: late */
    assert_int_equal(prj_milestone_state(planned, planned, june30), PRJ_MS_ON_TIME);
    assert_int_equal(prj_milestone_state(planned, day(2023, 6, 1), june30), PRJ_MS_LATE);
    /* not done: pending up to and on its day, overdue the day after */
    assert_int_equal(prj_milestone_state(planned, 0, planned), PRJ_MS_PENDING);
    assert_int_equal(prj_milestone_state(planned, 0, day(2023, 6, 1)), PRJ_MS_OVERDUE);
    /* as of May 15 a milestone done in June was not yet done */
    assert_int_equal(prj_milestone_state(day(2023, 7, 31), day(2023, 6, 10), day(2023, 5, 15)),
                     PRJ_MS_PENDING);
    assert_int_equal(prj_milestone_state(planned, day(2023, 6, 10), day(2023, 6, 5)),
                     PRJ_MS_OVERDUE);
    assert_string_equal(prj_ms_state_name(PRJ_MS_OVERDUE), "overdue");
    assert_string_equal(prj_ms_state_label(PRJ_MS_LATE), "逾期完成");
}

/* "完成固定资产投资2.3亿元，占全年目标任务的32.86%": 23,000 of 70,000 万元 */
static void plan_completion(void **state)
{
    tgt_value_t v;
    (void)state;
    v = prj_plan_completion(true, 70000, 23000);
    assert_int_equal(v.state, TGT_OK);
    NEAR(v.value, 23000.0 / 70000.0);
    assert_true(v.value > 0.3285 && v.value < 0.3287);
    /* no plan, or a plan of 0: an explicit state, not a division by zero */
    assert_int_equal(prj_plan_completion(false, 0, 500).state, TGT_NO_TARGET);
    assert_int_equal(prj_plan_completion(true, 0, 500).state, TGT_NO_TARGET);
    /* beyond the plan is beyond 100% */
    NEAR(prj_plan_completion(true, 1000, 1200).value, 1.2);
}

static void lights(void **state)
{
    const tgt_card_rule_t rules[] = {{"red", -0.2}, {"yellow", -0.1}, {"blue", -0.05}};
    tgt_value_t c;
    (void)state;
    /* half the year gone (0.5): 45% is 5 points behind - not below -0.05 */
    c = (tgt_value_t){TGT_OK, 0.45};
    assert_string_equal(prj_light(0, rules, 3, false, c, 0.5), "green");
    c.value = 0.44;
    assert_string_equal(prj_light(0, rules, 3, false, c, 0.5), "blue");
    c.value = 0.35;
    assert_string_equal(prj_light(0, rules, 3, false, c, 0.5), "yellow");
    c.value = 0.25;
    assert_string_equal(prj_light(0, rules, 3, false, c, 0.5), "red");
    /* an overdue milestone is red however well the money goes */
    c.value = 0.9;
    assert_string_equal(prj_light(1, rules, 3, false, c, 0.5), "red");
    /* no plan: the milestones alone */
    c = (tgt_value_t){TGT_NO_TARGET, 0};
    assert_string_equal(prj_light(0, rules, 3, false, c, 0.5), "green");
    assert_string_equal(prj_light(2, rules, 3, false, c, 0.5), "red");
    /* planned to start later in the year: nothing spent is not behind */
    c = (tgt_value_t){TGT_OK, 0};
    assert_string_equal(prj_light(0, rules, 3, false, c, 0.5), "red");
    assert_string_equal(prj_light(0, rules, 3, true, c, 0.5), "green");
    assert_string_equal(prj_light(1, rules, 3, true, c, 0.5), "red");
}

static void summary(void **state)
{
    const prj_item_t items[] = {
        {true, 5000, 3000, true, false, 3, 2, 1},
        {true, 3000, 600, true, true, 2, 2, 0},
        {false, 0, 800, false, false, 0, 0, 0}, /* no plan: its money is not counted */
    };
    prj_summary_t s;
    (void)state;
    s = prj_summarize(items, 3);
    assert_int_equal(s.projects, 3);
    assert_int_equal(s.started, 2);
    assert_int_equal(s.finished, 1);
    NEAR(s.planned, 8000);
    NEAR(s.completed, 3600);
    assert_int_equal(s.plan_completion.state, TGT_OK);
    NEAR(s.plan_completion.value, 0.45);
    assert_int_equal(s.milestones_due, 5);
    assert_int_equal(s.milestones_on_time, 4);
    assert_int_equal(s.milestones_overdue, 1);
    NEAR(s.on_time_rate.value, 0.8);
    /* nothing due, nothing planned */
    s = prj_summarize(items + 2, 1);
    assert_int_equal(s.plan_completion.state, TGT_NO_TARGET);
    assert_int_equal(s.on_time_rate.state, TGT_NO_TARGET);
    s = prj_summarize(NULL, 0);
    assert_int_equal(s.projects, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(milestone_states),
        cmocka_unit_test(plan_completion),
        cmocka_unit_test(lights),
        cmocka_unit_test(summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
