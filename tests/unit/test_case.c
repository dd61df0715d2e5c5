/*
 * test_case.c - the case state machine against DESIGN.md section 4: every
 * action from every state by every role, the fields each action requires,
 * handler unit checks, suspension memory and derived counters.
 *
 * The expected table below is written from DESIGN.md, independently of the
 * table in src/core/case.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/case.h"

#define ST(x) (1u << CASE_ST_##x)
#define RL(x) (1u << ROLE_##x)
#define OPEN (ST(REPORTED) | ST(REGISTERED) | ST(DISPATCHED) | ST(ACCEPTED) | ST(HANDLED))
#define SAME 100
#define PREV 101

static const struct {
    case_action_t a;
    uint32_t from;
    int to;
    uint32_t roles;
} design[] = {
    {CASE_ACT_REPORT, ST(NONE), CASE_ST_REPORTED, RL(OPERATOR) | RL(REPORTER) | RL(PUBLIC)},
    {CASE_ACT_REGISTER, ST(REPORTED), CASE_ST_REGISTERED, RL(OPERATOR)},
    {CASE_ACT_REJECT, ST(REPORTED), CASE_ST_REJECTED, RL(OPERATOR)},
    {CASE_ACT_DISPATCH, ST(REGISTERED), CASE_ST_DISPATCHED, RL(OPERATOR)},
    {CASE_ACT_ACCEPT, ST(DISPATCHED), CASE_ST_ACCEPTED, RL(HANDLER)},
    {CASE_ACT_RETURN, ST(DISPATCHED) | ST(ACCEPTED), CASE_ST_REGISTERED, RL(HANDLER)},
    {CASE_ACT_HANDLE, ST(ACCEPTED), CASE_ST_HANDLED, RL(HANDLER)},
    {CASE_ACT_VERIFY_PASS, ST(HANDLED), CASE_ST_CLOSED, RL(OPERATOR) | RL(REPORTER)},
    {CASE_ACT_VERIFY_FAIL, ST(HANDLED), CASE_ST_DISPATCHED, RL(OPERATOR) | RL(REPORTER)},
    {CASE_ACT_SUSPEND, OPEN, CASE_ST_SUSPENDED, RL(OPERATOR)},
    {CASE_ACT_RESUME, ST(SUSPENDED), PREV, RL(OPERATOR)},
    {CASE_ACT_EXTEND, ST(DISPATCHED) | ST(ACCEPTED), SAME, RL(LEADER) | RL(OPERATOR)},
    {CASE_ACT_SUPERVISE, OPEN | ST(SUSPENDED), SAME, RL(LEADER) | RL(OPERATOR)},
    {CASE_ACT_MERGE, ST(REPORTED) | ST(REGISTERED), CASE_ST_REJECTED, RL(OPERATOR)},
    {CASE_ACT_RATE, ST(CLOSED), SAME, RL(REPORTER) | RL(PUBLIC) | RL(OPERATOR)},
    {CASE_ACT_REOPEN, ST(CLOSED), CASE_ST_DISPATCHED, RL(OPERATOR)},
    /* Open311 updates (docs/OPEN311.md): a citizen's words on any case, and
     * on a closed one the request to take it up again */
    {CASE_ACT_COMMENT, OPEN | ST(SUSPENDED) | ST(CLOSED) | ST(REJECTED), SAME,
     RL(REPORTER) | RL(PUBLIC)},
    {CASE_ACT_REOPEN_REQUEST, ST(CLOSED), SAME, RL(REPORTER) | RL(PUBLIC)},
    /* an operator opens any case to anonymous Open311 reads, or closes it again */
    {CASE_ACT_PUBLISH, OPEN | ST(SUSPENDED) | ST(CLOSED) | ST(REJECTED), SAME, RL(OPERATOR)},
    {CASE_ACT_UNPUBLISH, OPEN | ST(SUSPENDED) | ST(CLOSED) | ST(REJECTED), SAME, RL(OPERATOR)},
};

#define UNIT "440303001"
static dt_ms_t clock_ms = 1700000000000;

/* An event with every field an action could need, filled correctly. */
static case_event_t ev(case_action_t a, bh_role_t r)
{
    case_event_t e;
    memset(&e, 0, sizeof e);
    e.action = a;
    e.role = r;
    e.actor = "tester";
    e.actor_unit = UNIT;
    e.at = clock_ms += 60000;
    e.reason = "原因";
    e.note = "督办意见";
    e.to_unit = UNIT;
    e.result = "已清理";
    e.clock = "handle";
    e.amount = 2;
    e.level = 1;
    e.rating = 5;
    e.into = "C2025000001";
    return e;
}

static void step_ok(case_snapshot_t *s, case_action_t a, bh_role_t r)
{
    bh_err_t err;
    case_event_t e = ev(a, r);
    if (case_step(s, &e, &err) != BH_OK)
        fail_msg("%s by %s: %s", case_action_name(a), role_name(r), err.message);
}

/* Drive a fresh case into state 'st' (SUSPENDED pauses an accepted case). */
static void reach(case_snapshot_t *s, case_state_t st)
{
    case_snapshot_init(s);
    if (st == CASE_ST_NONE)
        return;
    step_ok(s, CASE_ACT_REPORT, ROLE_REPORTER);
    if (st == CASE_ST_REPORTED)
        return;
    if (st == CASE_ST_REJECTED) {
        step_ok(s, CASE_ACT_REJECT, ROLE_OPERATOR);
        return;
    }
    step_ok(s, CASE_ACT_REGISTER, ROLE_OPERATOR);
    if (st == CASE_ST_REGISTERED)
        return;
    step_ok(s, CASE_ACT_DISPATCH, ROLE_OPERATOR);
    if (st == CASE_ST_DISPATCHED)
        return;
    step_ok(s, CASE_ACT_ACCEPT, ROLE_HANDLER);
    if (st == CASE_ST_ACCEPTED)
        return;
    if (st == CASE_ST_SUSPENDED) {
        step_ok(s, CASE_ACT_SUSPEND, ROLE_OPERATOR);
        return;
    }
    step_ok(s, CASE_ACT_HANDLE, ROLE_HANDLER);
    if (st == CASE_ST_HANDLED)
        return;
    step_ok(s, CASE_ACT_VERIFY_PASS, ROLE_OPERATOR);
}

static void every_transition_for_every_role(void **state)
{
    int allowed = 0, refused_state = 0, refused_role = 0;
    (void)state;
    for (int st = 0; st < CASE_ST__COUNT; st++) {
        for (size_t i = 0; i < sizeof design / sizeof design[0]; i++) {
            for (int r = 0; r < ROLE__COUNT; r++) {
                case_snapshot_t s, before;
                case_event_t e = ev(design[i].a, (bh_role_t)r);
                bh_err_t err;
                bh_status_t got;

                reach(&s, (case_state_t)st);
                before = s;
                got = case_step(&s, &e, &err);
                if (!((design[i].from >> st) & 1u)) {
                    assert_int_equal(got, BH_FAILED_PRECONDITION);
                    assert_memory_equal(&s, &before, sizeof s);
                    refused_state++;
                } else if (!((design[i].roles >> r) & 1u)) {
                    assert_int_equal(got, BH_PERMISSION_DENIED);
                    assert_memory_equal(&s, &before, sizeof s);
                    refused_role++;
                } else {
                    int to = design[i].to;
                    if (got != BH_OK)
                        fail_msg("%s by %s from %s: %s", case_action_name(design[i].a),
                                 role_name((bh_role_t)r), case_state_name((case_state_t)st), err.message);
                    if (to == SAME)
                        to = st;
                    else if (to == PREV)
                        to = before.before_suspend;
                    assert_int_equal(s.state, to);
                    allowed++;
                }
                /* case_allowed_actions agrees with case_step. */
                assert_int_equal((case_allowed_actions(&before, (bh_role_t)r, UNIT) >> design[i].a) & 1u,
                                 got == BH_OK);
            }
        }
    }
    assert_int_equal(allowed + refused_state + refused_role, CASE_ST__COUNT * (int)(sizeof design / sizeof design[0]) * ROLE__COUNT);
    print_message("transitions: %d allowed, %d refused by state, %d refused by role\n",
                  allowed, refused_state, refused_role);
}

static void refusal_names_state_and_allowed_actions(void **state)
{
    case_snapshot_t s;
    case_event_t e;
    bh_err_t err;
    (void)state;
    reach(&s, CASE_ST_DISPATCHED);
    e = ev(CASE_ACT_REGISTER, ROLE_OPERATOR);
    assert_int_equal(case_step(&s, &e, &err), BH_FAILED_PRECONDITION);
    assert_string_equal(err.field, "action");
    assert_non_null(strstr(err.message, "已派遣"));
    assert_non_null(strstr(err.message, "dispatched"));
    assert_non_null(strstr(err.message, "签收(accept)"));
    assert_non_null(strstr(err.message, "退回(return)"));
    assert_null(strstr(err.message, "立案(register)、"));
    e = ev(CASE_ACT_ACCEPT, ROLE_OPERATOR);
    assert_int_equal(case_step(&s, &e, &err), BH_PERMISSION_DENIED);
    assert_non_null(strstr(err.message, "处置单位(handler)"));
}

static void handler_must_belong_to_handling_unit(void **state)
{
    case_snapshot_t s;
    case_event_t e;
    bh_err_t err;
    (void)state;
    reach(&s, CASE_ST_DISPATCHED);
    assert_string_equal(s.handling_unit, UNIT);
    e = ev(CASE_ACT_ACCEPT, ROLE_HANDLER);
    e.actor_unit = "440303002";
    assert_int_equal(case_step(&s, &e, &err), BH_PERMISSION_DENIED);
    assert_non_null(strstr(err.message, "440303002"));
    e.actor_unit = NULL;
    assert_int_equal(case_step(&s, &e, &err), BH_PERMISSION_DENIED);
    assert_int_equal(case_allowed_actions(&s, ROLE_HANDLER, "440303002"), 0);
    assert_int_equal(case_allowed_actions(&s, ROLE_HANDLER, UNIT),
                     (1u << CASE_ACT_ACCEPT) | (1u << CASE_ACT_RETURN));
}

static void required_fields(void **state)
{
    static const struct {
        case_state_t st;
        case_action_t a;
        bh_role_t r;
        const char *field;
    } cases[] = {
        {CASE_ST_REPORTED, CASE_ACT_REJECT, ROLE_OPERATOR, "reason"},
        {CASE_ST_REGISTERED, CASE_ACT_DISPATCH, ROLE_OPERATOR, "to_unit"},
        {CASE_ST_DISPATCHED, CASE_ACT_RETURN, ROLE_HANDLER, "reason"},
        {CASE_ST_ACCEPTED, CASE_ACT_HANDLE, ROLE_HANDLER, "result"},
        {CASE_ST_HANDLED, CASE_ACT_VERIFY_FAIL, ROLE_REPORTER, "reason"},
        {CASE_ST_ACCEPTED, CASE_ACT_SUSPEND, ROLE_OPERATOR, "reason"},
        {CASE_ST_ACCEPTED, CASE_ACT_EXTEND, ROLE_LEADER, "clock"},
        {CASE_ST_ACCEPTED, CASE_ACT_EXTEND, ROLE_LEADER, "amount"},
        {CASE_ST_ACCEPTED, CASE_ACT_EXTEND, ROLE_LEADER, "reason"},
        {CASE_ST_ACCEPTED, CASE_ACT_SUPERVISE, ROLE_LEADER, "level"},
        {CASE_ST_ACCEPTED, CASE_ACT_SUPERVISE, ROLE_LEADER, "note"},
        {CASE_ST_REPORTED, CASE_ACT_MERGE, ROLE_OPERATOR, "into"},
        {CASE_ST_CLOSED, CASE_ACT_RATE, ROLE_PUBLIC, "rating"},
        {CASE_ST_CLOSED, CASE_ACT_REOPEN, ROLE_OPERATOR, "reason"},
        {CASE_ST_DISPATCHED, CASE_ACT_COMMENT, ROLE_PUBLIC, "note"},
        {CASE_ST_CLOSED, CASE_ACT_REOPEN_REQUEST, ROLE_REPORTER, "note"},
        {CASE_ST_ACCEPTED, CASE_ACT_UNPUBLISH, ROLE_OPERATOR, "reason"},
        {CASE_ST_CLOSED, CASE_ACT_PUBLISH, ROLE_OPERATOR, "note"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        case_snapshot_t s, before;
        case_event_t e = ev(cases[i].a, cases[i].r);
        bh_err_t err;
        const char *f = cases[i].field;

        reach(&s, cases[i].st);
        before = s;
        if (!strcmp(f, "reason")) e.reason = "  ";
        else if (!strcmp(f, "to_unit")) e.to_unit = NULL;
        else if (!strcmp(f, "result")) e.result = "";
        else if (!strcmp(f, "clock")) e.clock = NULL;
        else if (!strcmp(f, "amount")) e.amount = 0;
        else if (!strcmp(f, "level")) e.level = 4;
        else if (!strcmp(f, "note")) e.note = NULL;
        else if (!strcmp(f, "into")) e.into = "";
        else if (!strcmp(f, "rating")) e.rating = 6;
        assert_int_equal(case_step(&s, &e, &err), BH_INVALID_ARGUMENT);
        if (strcmp(err.field, f))
            fail_msg("%s: expected field %s, got %s (%s)", case_action_name(cases[i].a), f,
                     err.field, err.message);
        assert_memory_equal(&s, &before, sizeof s);
    }
    {
        /* Oversized text is refused, naming the field. */
        static char big[CASE_TEXT_MAX + 2];
        case_snapshot_t s;
        case_event_t e = ev(CASE_ACT_REJECT, ROLE_OPERATOR);
        bh_err_t err;
        memset(big, 'x', sizeof big - 1);
        reach(&s, CASE_ST_REPORTED);
        e.reason = big;
        assert_int_equal(case_step(&s, &e, &err), BH_INVALID_ARGUMENT);
        assert_string_equal(err.field, "reason");
        e = ev(CASE_ACT_REGISTER, ROLE_OPERATOR);
        e.note = big;
        assert_int_equal(case_step(&s, &e, &err), BH_INVALID_ARGUMENT);
        assert_string_equal(err.field, "note");
    }
}

static void suspension_remembers_state(void **state)
{
    case_state_t from[] = {CASE_ST_REPORTED, CASE_ST_REGISTERED, CASE_ST_DISPATCHED,
                           CASE_ST_ACCEPTED, CASE_ST_HANDLED};
    (void)state;
    for (size_t i = 0; i < 5; i++) {
        case_snapshot_t s;
        reach(&s, from[i]);
        step_ok(&s, CASE_ACT_SUSPEND, ROLE_OPERATOR);
        assert_int_equal(s.state, CASE_ST_SUSPENDED);
        step_ok(&s, CASE_ACT_SUPERVISE, ROLE_LEADER);
        step_ok(&s, CASE_ACT_RESUME, ROLE_OPERATOR);
        assert_int_equal(s.state, from[i]);
        assert_int_equal(s.supervise_level, 1);
    }
}

static void derived_counters(void **state)
{
    case_snapshot_t s;
    case_event_t e;
    bh_err_t err;
    (void)state;
    reach(&s, CASE_ST_HANDLED);
    step_ok(&s, CASE_ACT_VERIFY_FAIL, ROLE_REPORTER);
    assert_int_equal(s.state, CASE_ST_DISPATCHED);
    assert_int_equal(s.rework_count, 1);
    assert_string_equal(s.handling_unit, UNIT);
    step_ok(&s, CASE_ACT_RETURN, ROLE_HANDLER);
    assert_null(s.handling_unit);
    assert_int_equal(s.return_count, 1);
    step_ok(&s, CASE_ACT_DISPATCH, ROLE_OPERATOR);
    step_ok(&s, CASE_ACT_ACCEPT, ROLE_HANDLER);
    e = ev(CASE_ACT_SUPERVISE, ROLE_LEADER);
    e.level = 3;
    assert_int_equal(case_step(&s, &e, &err), BH_OK);
    step_ok(&s, CASE_ACT_SUPERVISE, ROLE_OPERATOR); /* a lower level keeps 3 */
    assert_int_equal(s.supervise_level, 3);
    step_ok(&s, CASE_ACT_HANDLE, ROLE_HANDLER);
    step_ok(&s, CASE_ACT_VERIFY_PASS, ROLE_OPERATOR);
    assert_int_equal(s.state, CASE_ST_CLOSED);
    assert_true(s.closed_at > s.reported_at);
    e = ev(CASE_ACT_RATE, ROLE_PUBLIC);
    e.rating = 2;
    assert_int_equal(case_step(&s, &e, &err), BH_OK);
    assert_int_equal(s.rating, 2);
    assert_string_equal(case_rating_label(s.rating), "不满意");
    step_ok(&s, CASE_ACT_REOPEN, ROLE_OPERATOR);
    assert_int_equal(s.state, CASE_ST_DISPATCHED);
    assert_int_equal(s.closed_at, 0);
    assert_int_equal(s.nevents, 15);
}

/* A reopen request stays on the case until it is reopened or closed again;
 * a comment changes nothing but the history. */
static void comments_reopen_requests_and_publicity(void **state)
{
    case_snapshot_t s, before;
    case_event_t e;
    bh_err_t err;
    static char long_id[CASE_EXT_ID_MAX + 2];
    (void)state;
    reach(&s, CASE_ST_ACCEPTED);
    before = s;
    e = ev(CASE_ACT_COMMENT, ROLE_PUBLIC);
    e.ext_id = "fms-1";
    assert_int_equal(case_step(&s, &e, &err), BH_OK);
    assert_int_equal(s.state, before.state);
    assert_false(s.reopen_requested);
    assert_int_equal(s.nevents, before.nevents + 1);
    memset(long_id, 'x', sizeof long_id - 1);
    e.ext_id = long_id;
    assert_int_equal(case_step(&s, &e, &err), BH_INVALID_ARGUMENT);
    assert_string_equal(err.field, "ext_id");
    e.ext_id = "";
    assert_int_equal(case_step(&s, &e, &err), BH_INVALID_ARGUMENT);
    reach(&s, CASE_ST_CLOSED);
    step_ok(&s, CASE_ACT_REOPEN_REQUEST, ROLE_PUBLIC);
    assert_true(s.reopen_requested);
    assert_int_equal(s.state, CASE_ST_CLOSED);
    step_ok(&s, CASE_ACT_RATE, ROLE_PUBLIC);
    assert_true(s.reopen_requested);
    step_ok(&s, CASE_ACT_REOPEN, ROLE_OPERATOR);
    assert_false(s.reopen_requested);
    step_ok(&s, CASE_ACT_ACCEPT, ROLE_HANDLER);
    step_ok(&s, CASE_ACT_HANDLE, ROLE_HANDLER);
    step_ok(&s, CASE_ACT_VERIFY_PASS, ROLE_OPERATOR);
    step_ok(&s, CASE_ACT_REOPEN_REQUEST, ROLE_REPORTER);
    assert_true(s.reopen_requested);
    step_ok(&s, CASE_ACT_REOPEN, ROLE_OPERATOR);
    assert_false(s.reopen_requested);
    /* publicity: the latest publish or unpublish counts */
    assert_int_equal(s.publicity, 0);
    step_ok(&s, CASE_ACT_PUBLISH, ROLE_OPERATOR);
    assert_int_equal(s.publicity, 1);
    step_ok(&s, CASE_ACT_UNPUBLISH, ROLE_OPERATOR);
    assert_int_equal(s.publicity, -1);
    step_ok(&s, CASE_ACT_PUBLISH, ROLE_OPERATOR);
    assert_int_equal(s.publicity, 1);
}

static void replay_history(void **state)
{
    case_event_t h[4];
    case_snapshot_t s;
    bh_err_t err;
    (void)state;
    h[0] = ev(CASE_ACT_REPORT, ROLE_PUBLIC);
    h[1] = ev(CASE_ACT_REGISTER, ROLE_OPERATOR);
    h[2] = ev(CASE_ACT_DISPATCH, ROLE_OPERATOR);
    h[3] = ev(CASE_ACT_ACCEPT, ROLE_HANDLER);
    assert_int_equal(case_replay(h, 4, &s, &err), BH_OK);
    assert_int_equal(s.state, CASE_ST_ACCEPTED);
    /* A history that does not start with a report is refused. */
    assert_int_equal(case_replay(h + 1, 3, &s, &err), BH_FAILED_PRECONDITION);
    assert_non_null(strstr(err.message, "第1条事件"));
    /* An illegal step in the middle names its position. */
    h[2] = ev(CASE_ACT_HANDLE, ROLE_HANDLER);
    assert_int_equal(case_replay(h, 4, &s, &err), BH_FAILED_PRECONDITION);
    assert_non_null(strstr(err.message, "第3条事件"));
}

static void names_round_trip(void **state)
{
    (void)state;
    for (int a = 0; a < CASE_ACT__COUNT; a++) {
        assert_int_equal(case_action_from_name(case_action_name((case_action_t)a)), a);
        assert_non_null(case_action_label((case_action_t)a));
    }
    for (int st = 0; st < CASE_ST__COUNT; st++)
        assert_int_equal(case_state_from_name(case_state_name((case_state_t)st)), st);
    for (int r = 0; r < ROLE__COUNT; r++)
        assert_int_equal(role_from_name(role_name((bh_role_t)r)), r);
    assert_int_equal(case_action_from_name("approve"), -1);
    assert_int_equal(case_state_from_name(NULL), -1);
    assert_int_equal(role_from_name("root"), -1);
    assert_true(case_state_is_open(CASE_ST_SUSPENDED));
    assert_false(case_state_is_open(CASE_ST_CLOSED));
    assert_false(case_state_is_open(CASE_ST_REJECTED));
    {
        case_snapshot_t s;
        case_event_t e;
        bh_err_t err;
        case_snapshot_init(&s);
        e = ev((case_action_t)99, ROLE_OPERATOR);
        assert_int_equal(case_step(&s, &e, &err), BH_INVALID_ARGUMENT);
        assert_string_equal(err.field, "action");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_transition_for_every_role),
        cmocka_unit_test(refusal_names_state_and_allowed_actions),
        cmocka_unit_test(handler_must_belong_to_handling_unit),
        cmocka_unit_test(required_fields),
        cmocka_unit_test(suspension_remembers_state),
        cmocka_unit_test(derived_counters),
        cmocka_unit_test(comments_reopen_requests_and_publicity),
        cmocka_unit_test(replay_history),
        cmocka_unit_test(names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
