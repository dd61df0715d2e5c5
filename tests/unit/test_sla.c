/*
 * test_sla.c - SLA clocks over case histories: the ecology bureau policy
 * (1 hour to contact, 3 working days to handle, red at 5, close within 7),
 * holidays and make-up days, suspension, extension, rework, civil-rule
 * limits, stop and reject, the sweep's next-change instant, and property
 * tests that lights never improve without an event.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/category.h"
#include "core/sla.h"

static cal_t *cal;
static cal_hours_t hours;
static sla_env_t env;
static cat_set_t *cats;

static int setup(void **state)
{
    (void)state;
    cal = cal_new_national();
    cal_hours_default(&hours);
    env.cal = cal;
    env.hours = &hours;
    cats = cat_set_builtin();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cal_free(cal);
    cat_set_free(cats);
    return 0;
}

static dt_ms_t T(const char *s)
{
    dt_ms_t t;
    if (!dt_parse_instant(s, &t))
        fail_msg("bad instant %s", s);
    return t;
}

static const sla_policy_t *policy_of(const char *code)
{
    const cat_t *c = cat_find(cats, code);
    assert_non_null(c);
    return cat_policy(cats, c, NULL, NULL);
}

static int clock_index(const sla_policy_t *p, const char *name)
{
    for (int i = 0; i < p->nclocks; i++)
        if (strcmp(p->clock[i].name, name) == 0)
            return i;
    fail_msg("no clock %s", name);
    return -1;
}

/* A small history builder. */
struct hist {
    case_event_t ev[64];
    int n;
};

static case_event_t *add(struct hist *h, case_action_t a, const char *at)
{
    case_event_t *e = &h->ev[h->n++];
    memset(e, 0, sizeof *e);
    e->action = a;
    e->at = T(at);
    return e;
}

static sla_clock_state_t eval(const sla_policy_t *p, const struct hist *h,
                              const char *now, const char *clock)
{
    sla_clock_state_t st[SLA_CLOCKS_MAX];
    sla_evaluate(p, &env, h->ev, h->n, T(now), st);
    return st[clock_index(p, clock)];
}

static void assert_deadline(const sla_clock_state_t *st, const char *want)
{
    char buf[48];
    dt_format_instant(st->deadline, buf, sizeof buf);
    if (strcmp(buf, want))
        fail_msg("deadline %s, want %s", buf, want);
}

static void assert_light(const sla_policy_t *p, const struct hist *h,
                         const char *now, const char *clock, sla_light_t want)
{
    sla_clock_state_t st = eval(p, h, now, clock);
    if (st.light != want)
        fail_msg("%s at %s: light %s, want %s", clock, now, sla_light_name(st.light),
                 sla_light_name(want));
}

/* sla_remaining (what case lists show) agrees with the full evaluation's
 * remaining for every running clock, before and after the deadline,
 * across the 2025 Spring Festival holiday. */
static void remaining_matches_evaluation(void **state)
{
    static const char *const codes[] = {"E0501", "H01", "H02", "P01", "S01", "V01"};
    static const char *const nows[] = {"2025-01-24T11:00", "2025-01-27T17:59", "2025-01-30T10:00",
                                       "2025-02-05T09:30", "2025-02-14T16:00", "2025-03-20T08:00"};
    (void)state;
    for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++) {
        const cat_t *cat = cat_find(cats, codes[c]);
        const sla_policy_t *p;
        struct hist h = {0};
        assert_non_null(cat);
        p = cat_policy(cats, cat, NULL, NULL);
        add(&h, CASE_ACT_REPORT, "2025-01-24T10:00");
        add(&h, CASE_ACT_REGISTER, "2025-01-24T10:30");
        for (size_t i = 0; i < sizeof nows / sizeof nows[0]; i++) {
            sla_clock_state_t st[SLA_CLOCKS_MAX];
            sla_evaluate(p, &env, h.ev, h.n, T(nows[i]), st);
            for (int k = 0; k < p->nclocks; k++) {
                double want, got;
                if (!st[k].started || st[k].stopped)
                    continue;
                want = sla_amount_from_units(&p->clock[k], st[k].remaining);
                got = sla_remaining(&p->clock[k], &env, T(nows[i]), st[k].deadline);
                if (fabs(want - got) > 1e-6)
                    fail_msg("%s %s at %s: remaining %g, list shows %g", codes[c], p->clock[k].name,
                             nows[i], want, got);
            }
        }
    }
}

/* The seed's ecology bureau: contact within 1 hour, handle within 3
 * working days, red light at 5 working days, close within 7. */
static void ecology_policy_across_spring_festival(void **state)
{
    const sla_policy_t *p = policy_of("V01");
    struct hist h = {0};
    sla_clock_state_t st;
    (void)state;
    add(&h, CASE_ACT_REPORT, "2025-01-24T10:00");
    add(&h, CASE_ACT_REGISTER, "2025-01-24T10:10");
    add(&h, CASE_ACT_DISPATCH, "2025-01-24T10:30");
    add(&h, CASE_ACT_ACCEPT, "2025-01-24T10:50");

    st = eval(p, &h, "2025-01-24T11:00", "respond");
    assert_true(st.stopped);
    assert_true(st.on_time);
    assert_deadline(&st, "2025-01-24T11:00:00+08:00");
    assert_int_equal(st.consumed, 50 * DT_MINUTE_MS);

    /* Close: the 7th working day after Friday 01-24 is Monday 02-10
     * (01-26 and 02-08 are make-up working days; 01-28..02-04 are off). */
    st = eval(p, &h, "2025-01-24T11:00", "close");
    assert_deadline(&st, "2025-02-10T23:59:59.999+08:00");
    assert_light(p, &h, "2025-01-27T12:00", "close", SLA_LIGHT_GREEN);  /* day 2 */
    assert_light(p, &h, "2025-02-04T12:00", "close", SLA_LIGHT_GREEN);  /* holiday */
    assert_light(p, &h, "2025-02-05T00:00", "close", SLA_LIGHT_YELLOW); /* day 3 */
    assert_light(p, &h, "2025-02-07T09:00", "close", SLA_LIGHT_RED);    /* day 5 */
    assert_light(p, &h, "2025-02-10T23:59", "close", SLA_LIGHT_RED);    /* day 7 */
    assert_light(p, &h, "2025-02-11T00:00", "close", SLA_LIGHT_OVERDUE);
    st = eval(p, &h, "2025-02-07T09:00", "close");
    assert_int_equal(st.consumed, 5);
    assert_int_equal(st.remaining, 2);

    /* Handle: 3 working days from the dispatch: 01-26, 01-27, 02-05. */
    st = eval(p, &h, "2025-01-25T12:00", "handle");
    assert_deadline(&st, "2025-02-05T23:59:59.999+08:00");
    assert_int_equal(st.light, SLA_LIGHT_GREEN);
    assert_light(p, &h, "2025-01-27T08:00", "handle", SLA_LIGHT_YELLOW);
    assert_light(p, &h, "2025-02-05T08:00", "handle", SLA_LIGHT_RED);
    assert_light(p, &h, "2025-02-06T08:00", "handle", SLA_LIGHT_OVERDUE);

    /* Handled on the 3rd day: the handle clock stops on time; the light is
     * the one it had when it stopped, however late we look. */
    add(&h, CASE_ACT_HANDLE, "2025-02-05T16:00");
    st = eval(p, &h, "2025-03-01T00:00", "handle");
    assert_true(st.stopped);
    assert_true(st.on_time);
    assert_int_equal(st.light, SLA_LIGHT_RED);
    assert_int_equal(st.next_change, INT64_MAX);
    add(&h, CASE_ACT_VERIFY_PASS, "2025-02-06T10:00");
    st = eval(p, &h, "2025-03-01T00:00", "close");
    assert_true(st.on_time);
    assert_int_equal(st.light, SLA_LIGHT_YELLOW);
}

/* Suspension pauses every running clock; the paused days are not spent. */
static void suspension_pauses_all_clocks(void **state)
{
    const sla_policy_t *p = policy_of("V01");
    struct hist h = {0};
    sla_clock_state_t st[SLA_CLOCKS_MAX];
    (void)state;
    add(&h, CASE_ACT_REPORT, "2025-03-03T09:00");
    add(&h, CASE_ACT_REGISTER, "2025-03-03T09:05");
    add(&h, CASE_ACT_DISPATCH, "2025-03-03T10:00");
    /* Without suspension: handle due Thursday 03-06. */
    {
        sla_clock_state_t s = eval(p, &h, "2025-03-03T12:00", "handle");
        assert_deadline(&s, "2025-03-06T23:59:59.999+08:00");
    }
    add(&h, CASE_ACT_SUSPEND, "2025-03-04T11:00")->reason = "等待产权单位确认";

    /* While suspended: paused, consumption frozen, light frozen. */
    sla_evaluate(p, &env, h.ev, h.n, T("2025-03-05T12:00"), st);
    for (int i = 0; i < p->nclocks; i++) {
        if (!st[i].started || st[i].stopped)
            continue;
        assert_true(st[i].paused);
        assert_false(st[i].running);
        assert_int_equal(st[i].next_change, INT64_MAX);
    }
    assert_int_equal(st[clock_index(p, "handle")].consumed, 1);
    assert_int_equal(st[clock_index(p, "handle")].light, SLA_LIGHT_GREEN);
    sla_evaluate(p, &env, h.ev, h.n, T("2025-04-30T12:00"), st);
    assert_int_equal(st[clock_index(p, "handle")].consumed, 1);
    assert_int_equal(st[clock_index(p, "handle")].light, SLA_LIGHT_GREEN);

    /* Resumed Thursday afternoon: Wednesday and Thursday were not spent, so
     * the 2 remaining days are Friday 03-07 and Monday 03-10. */
    add(&h, CASE_ACT_RESUME, "2025-03-06T15:00");
    {
        sla_clock_state_t s = eval(p, &h, "2025-03-06T16:00", "handle");
        assert_deadline(&s, "2025-03-10T23:59:59.999+08:00");
        assert_true(s.running);
        assert_int_equal(s.consumed, 1);
        s = eval(p, &h, "2025-03-06T16:00", "close");
        /* close: 7 working days from 03-03 was 03-12; +2 → 03-14. */
        assert_deadline(&s, "2025-03-14T23:59:59.999+08:00");
    }
    assert_light(p, &h, "2025-03-07T10:00", "handle", SLA_LIGHT_YELLOW);
    assert_light(p, &h, "2025-03-10T10:00", "handle", SLA_LIGHT_RED);
    assert_light(p, &h, "2025-03-11T00:00", "handle", SLA_LIGHT_OVERDUE);
}

/* An overdue clock that is then suspended stays overdue. */
static void overdue_then_suspended_stays_overdue(void **state)
{
    const sla_policy_t *p = policy_of("V01");
    struct hist h = {0};
    sla_clock_state_t s;
    (void)state;
    add(&h, CASE_ACT_REPORT, "2025-03-03T09:00");
    add(&h, CASE_ACT_REGISTER, "2025-03-03T09:05");
    add(&h, CASE_ACT_DISPATCH, "2025-03-03T10:00");
    add(&h, CASE_ACT_SUSPEND, "2025-03-10T10:00")->reason = "x";
    s = eval(p, &h, "2025-03-20T10:00", "handle");
    assert_true(s.paused);
    assert_int_equal(s.light, SLA_LIGHT_OVERDUE);
    assert_deadline(&s, "2025-03-06T23:59:59.999+08:00");
    assert_int_equal(s.remaining, -2);
}

static void extension_moves_one_deadline(void **state)
{
    const sla_policy_t *p = policy_of("V01");
    struct hist h = {0};
    sla_clock_state_t st[SLA_CLOCKS_MAX];
    case_event_t *e;
    bh_err_t err;
    (void)state;
    add(&h, CASE_ACT_REPORT, "2025-03-03T09:00");
    add(&h, CASE_ACT_REGISTER, "2025-03-03T09:05");
    add(&h, CASE_ACT_DISPATCH, "2025-03-03T10:00");
    add(&h, CASE_ACT_ACCEPT, "2025-03-03T10:20");
    assert_light(p, &h, "2025-03-06T10:00", "handle", SLA_LIGHT_RED);

    sla_evaluate(p, &env, h.ev, h.n, T("2025-03-05T10:00"), st);
    assert_int_equal(sla_check_extension(p, st, "handle", 2, &err), BH_OK);
    assert_int_equal(sla_check_extension(p, st, "handle", 5, &err), BH_FAILED_PRECONDITION);
    assert_string_equal(err.field, "amount");
    assert_int_equal(sla_check_extension(p, st, "nosuch", 1, &err), BH_INVALID_ARGUMENT);
    assert_string_equal(err.field, "clock");
    assert_int_equal(sla_check_extension(p, st, "respond", 1, &err), BH_FAILED_PRECONDITION);

    e = add(&h, CASE_ACT_EXTEND, "2025-03-05T10:00");
    e->clock = "handle";
    e->amount = 2;
    e->reason = "需协调供电部门";
    {
        sla_clock_state_t s = eval(p, &h, "2025-03-05T11:00", "handle");
        assert_deadline(&s, "2025-03-10T23:59:59.999+08:00");
        assert_int_equal(s.extension, 2);
        assert_int_equal(s.limit, 5);
        /* Other clocks keep their deadlines. */
        s = eval(p, &h, "2025-03-05T11:00", "close");
        assert_deadline(&s, "2025-03-12T23:59:59.999+08:00");
    }
    /* Thresholds move with the deadline: Thursday is yellow now, not red. */
    assert_light(p, &h, "2025-03-06T10:00", "handle", SLA_LIGHT_GREEN);
    assert_light(p, &h, "2025-03-07T10:00", "handle", SLA_LIGHT_YELLOW);
    assert_light(p, &h, "2025-03-10T10:00", "handle", SLA_LIGHT_RED);
    /* Only 4 days may be granted in all. */
    sla_evaluate(p, &env, h.ev, h.n, T("2025-03-05T11:00"), st);
    assert_int_equal(sla_check_extension(p, st, "handle", 2, &err), BH_OK);
    assert_int_equal(sla_check_extension(p, st, "handle", 3, &err), BH_FAILED_PRECONDITION);
}

static void rework_restarts_handle_clock(void **state)
{
    const sla_policy_t *p = policy_of("E0501");
    struct hist h = {0};
    sla_clock_state_t s;
    (void)state;
    add(&h, CASE_ACT_REPORT, "2025-03-03T09:00");
    add(&h, CASE_ACT_REGISTER, "2025-03-03T09:20");
    add(&h, CASE_ACT_DISPATCH, "2025-03-03T09:30");
    add(&h, CASE_ACT_ACCEPT, "2025-03-03T10:00");
    add(&h, CASE_ACT_HANDLE, "2025-03-06T10:00");
    s = eval(p, &h, "2025-03-06T11:00", "handle");
    assert_true(s.stopped);
    assert_true(s.on_time);
    assert_int_equal(s.light, SLA_LIGHT_RED);
    add(&h, CASE_ACT_VERIFY_FAIL, "2025-03-06T15:00")->reason = "仍有摊位";
    s = eval(p, &h, "2025-03-06T16:00", "handle");
    assert_true(s.running);
    assert_false(s.stopped);
    assert_int_equal(s.started_at, T("2025-03-06T15:00"));
    assert_int_equal(s.consumed, 0);
    assert_int_equal(s.light, SLA_LIGHT_GREEN);
    assert_deadline(&s, "2025-03-11T23:59:59.999+08:00");
    /* The close clock is not restarted by rework. */
    s = eval(p, &h, "2025-03-06T16:00", "close");
    assert_int_equal(s.started_at, T("2025-03-03T09:00"));
    assert_int_equal(s.consumed, 3);
}

/* Working-hour clocks: the 数字城管 1-hour registration limit. */
static void working_hours_clock(void **state)
{
    const sla_policy_t *p = policy_of("E0501");
    struct hist h = {0};
    sla_clock_state_t s;
    (void)state;
    /* Friday 17:30 before the Spring Festival: 30 minutes that day, then the
     * make-up Sunday 01-26 from 09:00. */
    add(&h, CASE_ACT_REPORT, "2025-01-24T17:30");
    s = eval(p, &h, "2025-01-24T17:40", "register");
    assert_deadline(&s, "2025-01-26T09:30:00+08:00");
    assert_int_equal(s.light, SLA_LIGHT_GREEN);
    assert_int_equal(s.next_change, T("2025-01-24T18:00")); /* yellow at 0.5 h */
    assert_light(p, &h, "2025-01-25T12:00", "register", SLA_LIGHT_YELLOW);
    assert_light(p, &h, "2025-01-26T09:15", "register", SLA_LIGHT_RED);
    assert_light(p, &h, "2025-01-26T09:30", "register", SLA_LIGHT_RED);
    assert_light(p, &h, "2025-01-26T09:31", "register", SLA_LIGHT_OVERDUE);
    add(&h, CASE_ACT_REGISTER, "2025-01-26T09:20");
    s = eval(p, &h, "2025-02-10T00:00", "register");
    assert_true(s.on_time);
    assert_int_equal(s.consumed, 50 * DT_MINUTE_MS);
}

/* 信访: 15 calendar days to say whether it is accepted, 60 to finish,
 * extension up to 30; civil rule for the deadline day. */
static void petition_civil_rule(void **state)
{
    const sla_policy_t *p = policy_of("P01");
    struct hist h = {0};
    sla_clock_state_t st[SLA_CLOCKS_MAX], s;
    case_event_t *e;
    bh_err_t err;
    (void)state;
    add(&h, CASE_ACT_REPORT, "2025-09-16T10:00");
    s = eval(p, &h, "2025-09-16T11:00", "accept_notice");
    /* 09-16 + 15 = 10-01, a holiday: moves to 10-09. */
    assert_deadline(&s, "2025-10-09T23:59:59.999+08:00");
    assert_light(p, &h, "2025-09-26T10:00", "accept_notice", SLA_LIGHT_YELLOW);
    assert_light(p, &h, "2025-09-29T10:00", "accept_notice", SLA_LIGHT_RED);
    assert_light(p, &h, "2025-10-05T10:00", "accept_notice", SLA_LIGHT_RED);
    assert_light(p, &h, "2025-10-10T00:00", "accept_notice", SLA_LIGHT_OVERDUE);

    h.n = 0;
    add(&h, CASE_ACT_REPORT, "2024-11-28T10:00");
    add(&h, CASE_ACT_REGISTER, "2024-12-02T10:00");
    s = eval(p, &h, "2024-12-03T00:00", "finish");
    /* DESIGN.md: 2024-12-02 + 60 → 2025-01-31 (holiday) → 2025-02-05. */
    assert_deadline(&s, "2025-02-05T23:59:59.999+08:00");
    add(&h, CASE_ACT_DISPATCH, "2024-12-02T11:00");
    sla_evaluate(p, &env, h.ev, h.n, T("2025-01-20T00:00"), st);
    assert_int_equal(sla_check_extension(p, st, "finish", 31, &err), BH_FAILED_PRECONDITION);
    assert_non_null(strstr(err.message, "30"));
    assert_int_equal(sla_check_extension(p, st, "finish", 30, &err), BH_OK);
    e = add(&h, CASE_ACT_EXTEND, "2025-01-20T00:00");
    e->clock = "finish";
    e->amount = 30;
    s = eval(p, &h, "2025-01-21T00:00", "finish");
    /* 2024-12-02 + 90 = 2025-03-02, a Sunday → Monday 03-03. */
    assert_deadline(&s, "2025-03-03T23:59:59.999+08:00");
}

static void natural_hours_and_reject(void **state)
{
    const sla_policy_t *p = policy_of("H01");
    struct hist h = {0};
    sla_clock_state_t s;
    (void)state;
    add(&h, CASE_ACT_REPORT, "2025-10-01T20:00");
    add(&h, CASE_ACT_REGISTER, "2025-10-01T20:05");
    add(&h, CASE_ACT_DISPATCH, "2025-10-01T20:10");
    /* Natural time does not care about the holiday. */
    s = eval(p, &h, "2025-10-01T20:20", "handle");
    assert_deadline(&s, "2025-10-02T20:10:00+08:00");
    s = eval(p, &h, "2025-10-01T20:20", "respond");
    assert_deadline(&s, "2025-10-01T20:40:00+08:00");
    assert_light(p, &h, "2025-10-01T20:41", "respond", SLA_LIGHT_OVERDUE);
    /* A clock not yet started. */
    h.n = 1;
    s = eval(p, &h, "2025-10-01T20:20", "handle");
    assert_false(s.started);
    assert_int_equal(s.light, SLA_LIGHT_NONE);
    /* Reject stops every clock. */
    add(&h, CASE_ACT_REJECT, "2025-10-01T20:30")->reason = "重复来电";
    {
        sla_clock_state_t st[SLA_CLOCKS_MAX];
        assert_int_equal(sla_evaluate(p, &env, h.ev, h.n, T("2025-12-01T00:00"), st), SLA_LIGHT_NONE);
        s = st[clock_index(p, "close")];
        assert_true(s.stopped);
        assert_int_equal(s.stopped_at, T("2025-10-01T20:30"));
    }
}

static void events_after_now_are_ignored(void **state)
{
    const sla_policy_t *p = policy_of("V01");
    struct hist h = {0};
    sla_clock_state_t s;
    (void)state;
    add(&h, CASE_ACT_REPORT, "2025-03-03T09:00");
    add(&h, CASE_ACT_REGISTER, "2025-03-03T09:05");
    add(&h, CASE_ACT_DISPATCH, "2025-03-03T10:00");
    add(&h, CASE_ACT_ACCEPT, "2025-03-03T10:30");
    add(&h, CASE_ACT_HANDLE, "2025-03-04T10:00");
    s = eval(p, &h, "2025-03-03T12:00", "handle");
    assert_true(s.running);
    s = eval(p, &h, "2025-03-04T12:00", "handle");
    assert_true(s.stopped);
}

static void unpublished_year_reaches_clock_flags(void **state)
{
    const sla_policy_t *p = policy_of("V01");
    struct hist h = {0};
    sla_clock_state_t s;
    (void)state;
    add(&h, CASE_ACT_REPORT, "2026-12-28T09:00");
    s = eval(p, &h, "2026-12-28T10:00", "close");
    assert_true(s.cal_flags & CAL_F_UNPUBLISHED);
    h.n = 0;
    add(&h, CASE_ACT_REPORT, "2026-03-02T09:00");
    s = eval(p, &h, "2026-03-02T10:00", "close");
    assert_int_equal(s.cal_flags, 0);
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Build a random legal history by trying random actions through the state
 * machine, with random gaps between events. */
static void random_history(struct hist *h, dt_ms_t start)
{
    case_snapshot_t s;
    dt_ms_t t = start;
    int len = 2 + (int)(next_rand() % 14); /* many cases are left open */
    case_snapshot_init(&s);
    h->n = 0;
    for (int tries = 0; tries < 200 && h->n < len; tries++) {
        case_event_t e;
        bh_err_t err;
        memset(&e, 0, sizeof e);
        e.action = h->n == 0 ? CASE_ACT_REPORT : (case_action_t)(next_rand() % CASE_ACT__COUNT);
        e.role = (bh_role_t)(next_rand() % ROLE__COUNT);
        e.actor_unit = "U";
        e.to_unit = "U";
        e.reason = e.note = e.result = e.into = "x";
        e.clock = (next_rand() & 1) ? "handle" : "close";
        e.amount = (double)(1 + next_rand() % 2);
        e.level = 1;
        e.rating = 4;
        e.at = t + (dt_ms_t)(next_rand() % (uint64_t)(3 * DT_DAY_MS));
        if (case_check(&s, &e, &err) != BH_OK)
            continue;
        case_step(&s, &e, &err);
        t = e.at;
        h->ev[h->n++] = e;
    }
}

/* Property: with the history fixed, no clock's light ever gets better as
 * time passes, and nothing changes before next_change. */
static void property_lights_never_improve_without_event(void **state)
{
    const char *codes[] = {"V01", "E0501", "P01", "H01", "H02", "S02"};
    int changes = 0;
    (void)state;
    for (int round = 0; round < 300; round++) {
        const sla_policy_t *p = policy_of(codes[round % 6]);
        struct hist h;
        sla_clock_state_t prev[SLA_CLOCKS_MAX], cur[SLA_CLOCKS_MAX];
        dt_ms_t now;

        random_history(&h, T("2025-01-01T08:00") + (dt_ms_t)(next_rand() % (uint64_t)(300 * DT_DAY_MS)));
        now = h.ev[h.n - 1].at;
        sla_evaluate(p, &env, h.ev, h.n, now, prev);
        for (int step = 0; step < 40; step++) {
            dt_ms_t later = now + (dt_ms_t)(next_rand() % (uint64_t)(2 * DT_DAY_MS));
            sla_evaluate(p, &env, h.ev, h.n, later, cur);
            for (int i = 0; i < p->nclocks; i++) {
                if (cur[i].light < prev[i].light)
                    fail_msg("round %d: clock %s went from %s to %s without an event", round,
                             p->clock[i].name, sla_light_name(prev[i].light),
                             sla_light_name(cur[i].light));
                if (later < prev[i].next_change && cur[i].light != prev[i].light)
                    fail_msg("round %d: clock %s changed before next_change", round, p->clock[i].name);
                if (prev[i].next_change != INT64_MAX) {
                    sla_clock_state_t at[SLA_CLOCKS_MAX];
                    sla_evaluate(p, &env, h.ev, h.n, prev[i].next_change, at);
                    assert_true(at[i].light > prev[i].light);
                }
                assert_int_equal(cur[i].remaining, cur[i].limit - cur[i].consumed);
                changes += cur[i].light != prev[i].light;
            }
            memcpy(prev, cur, sizeof cur);
            now = later;
        }
    }
    /* The histories must actually exercise light changes. */
    print_message("light changes observed: %d\n", changes);
    assert_true(changes > 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ecology_policy_across_spring_festival),
        cmocka_unit_test(remaining_matches_evaluation),
        cmocka_unit_test(suspension_pauses_all_clocks),
        cmocka_unit_test(overdue_then_suspended_stays_overdue),
        cmocka_unit_test(extension_moves_one_deadline),
        cmocka_unit_test(rework_restarts_handle_clock),
        cmocka_unit_test(working_hours_clock),
        cmocka_unit_test(petition_civil_rule),
        cmocka_unit_test(natural_hours_and_reject),
        cmocka_unit_test(events_after_now_are_ignored),
        cmocka_unit_test(unpublished_year_reaches_clock_flags),
        cmocka_unit_test(property_lights_never_improve_without_event),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
