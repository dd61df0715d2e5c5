/*
 * case.h - the case state machine of DESIGN.md section 4.
 *
 * A case is its event history.  The current state, handling unit, rework
 * count, supervision flag and rating are derived by replaying the events
 * through case_step(); nothing else may set them.  Each action has the
 * states it may be taken from, the roles that may take it and the fields
 * it requires; case_check() says which rule an event breaks.
 *
 * Pure computation; no I/O.  Strings in events are borrowed: a snapshot
 * points into the events it was built from and is valid while they are.
 */
#ifndef BH_CASE_H
#define BH_CASE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/datetime.h"
#include "core/role.h"
#include "util/status.h"

typedef enum {
    CASE_ST_NONE,       /* before the report event: not a case yet */
    CASE_ST_REPORTED,   /* 上报 */
    CASE_ST_REGISTERED, /* 立案 */
    CASE_ST_DISPATCHED, /* 派遣 */
    CASE_ST_ACCEPTED,   /* 签收 / 处置中 */
    CASE_ST_HANDLED,    /* 处置完毕, awaiting verification */
    CASE_ST_CLOSED,     /* 结案 */
    CASE_ST_REJECTED,   /* 不予立案 / 注销 / 合并 */
    CASE_ST_SUSPENDED,  /* 挂起; remembers the state it paused */
    CASE_ST__COUNT
} case_state_t;

typedef enum {
    CASE_ACT_REPORT,      /* 上报: creates the case */
    CASE_ACT_REGISTER,    /* 立案 */
    CASE_ACT_REJECT,      /* 不予立案 */
    CASE_ACT_DISPATCH,    /* 派遣 */
    CASE_ACT_ACCEPT,      /* 签收 */
    CASE_ACT_RETURN,      /* 退回 */
    CASE_ACT_HANDLE,      /* 处置完毕 */
    CASE_ACT_VERIFY_PASS, /* 核查通过 */
    CASE_ACT_VERIFY_FAIL, /* 返工 */
    CASE_ACT_SUSPEND,     /* 挂起 */
    CASE_ACT_RESUME,      /* 恢复 */
    CASE_ACT_EXTEND,      /* 延期 */
    CASE_ACT_SUPERVISE,   /* 督办 */
    CASE_ACT_MERGE,       /* 合并重复件 */
    CASE_ACT_RATE,        /* 评价 */
    CASE_ACT_REOPEN,      /* 重新打开 */
    CASE_ACT_COMMENT,     /* 留言: a citizen's or reporter's words, no change */
    CASE_ACT_REOPEN_REQUEST, /* 申请重新办理: the reporter says a closed case is not solved */
    CASE_ACT_PUBLISH,     /* 公开: readable by anyone through Open311; its note is
                             the description the public reads */
    CASE_ACT_UNPUBLISH,   /* 撤回公开 */
    CASE_ACT__COUNT
} case_action_t;

/* Fields an action may require (bit mask). */
enum {
    CASE_F_REASON = 1u << 0,
    CASE_F_TO_UNIT = 1u << 1,
    CASE_F_RESULT = 1u << 2,
    CASE_F_CLOCK = 1u << 3,
    CASE_F_AMOUNT = 1u << 4,
    CASE_F_LEVEL = 1u << 5,
    CASE_F_NOTE = 1u << 6,
    CASE_F_INTO = 1u << 7,
    CASE_F_RATING = 1u << 8,
};

#define CASE_TEXT_MAX 4000 /* bytes in a reason, note or result */
#define CASE_EXT_ID_MAX 100 /* bytes in an event's ext_id */
#define CASE_SUPERVISE_LEVEL_MAX 3 /* 1 一般督办, 2 重点督办, 3 挂牌督办 */

/* One entry of a case's history. */
typedef struct {
    case_action_t action;
    bh_role_t role;
    const char *actor;      /* user name, may be NULL */
    const char *actor_unit; /* the actor's unit code; needed by handlers */
    dt_ms_t at;             /* when it happened (UTC ms) */
    const char *reason;     /* reject, return, verify_fail, suspend, extend, reopen */
    const char *note;       /* free text; required by supervise */
    const char *to_unit;    /* dispatch */
    const char *result;     /* handle */
    const char *clock;      /* extend: the clock's name */
    double amount;          /* extend: in the clock's unit (days or hours) */
    int level;              /* supervise: 1..3 */
    int rating;             /* rate: 1 (非常不满意) .. 5 (非常满意) */
    const char *into;       /* merge: the case it duplicates */
    const char *ext_id;     /* the client's id of this entry (an Open311 update_id):
                               unique within a case, makes a repeated post harmless */
    const char *extra;      /* JSON the client sent with it (who wrote a comment, a
                               photo URL, the status it claimed); personal data */
} case_event_t;

/* What the history adds up to. */
typedef struct {
    case_state_t state;
    case_state_t before_suspend; /* valid while state == SUSPENDED */
    const char *handling_unit;   /* NULL when not dispatched */
    int rework_count;            /* verify_fail events */
    int return_count;            /* return events */
    int supervise_level;         /* highest level, 0 = not supervised */
    int rating;                  /* latest rating, 0 = none */
    const char *merged_into;     /* set by merge */
    bool reopen_requested;       /* a reopen request since the last close or reopen */
    int publicity;               /* the latest publish (1) or unpublish (-1); 0 neither */
    dt_ms_t reported_at, closed_at; /* closed_at 0 while open */
    int nevents;
} case_snapshot_t;

void case_snapshot_init(case_snapshot_t *s);

/*
 * Check that 'ev' may be applied to 's': the state allows the action
 * (else BH_FAILED_PRECONDITION, naming the state and the actions allowed in
 * it), the role may take it (else BH_PERMISSION_DENIED; a handler must
 * belong to the handling unit), and every required field is present and
 * well-formed (else BH_INVALID_ARGUMENT naming the field).
 */
bh_status_t case_check(const case_snapshot_t *s, const case_event_t *ev,
                       bh_err_t *err);

/* case_check, then apply the event to 's'.  On error 's' is unchanged. */
bh_status_t case_step(case_snapshot_t *s, const case_event_t *ev,
                      bh_err_t *err);

/*
 * Replay a stored history into 'out': "apply", not "admit".  Each event
 * must be a known action that is legal in the state the history has
 * reached (the first a report), but today's role rules, unit matching and
 * field limits are NOT re-run: an event admitted under yesterday's rules
 * (a longer note limit, a role that has since lost an action) stays
 * history.  A bad event stops the replay; err names its index.
 */
bh_status_t case_replay(const case_event_t *ev, int n, case_snapshot_t *out,
                        bh_err_t *err);

/* Admit a whole history as new (bulk imports): case_step on every event,
 * with today's rules.  err names the bad event's index. */
bh_status_t case_admit_history(const case_event_t *ev, int n, case_snapshot_t *out,
                        bh_err_t *err);

/* Bit mask (1u << action) of the actions the state allows to anyone. */
uint32_t case_actions_in_state(case_state_t st);

/*
 * Bit mask of the actions 'role' (of unit 'unit', may be NULL) may take on
 * the case now, ignoring required fields.
 */
uint32_t case_allowed_actions(const case_snapshot_t *s, bh_role_t role,
                              const char *unit);

/* The fields (CASE_F_*) an action requires. */
unsigned case_action_fields(case_action_t a);

/* Bit mask (1u << role) of the roles that may take an action. */
uint32_t case_action_roles(case_action_t a);

bool case_state_is_open(case_state_t st);

const char *case_state_name(case_state_t st);  /* "dispatched" */
const char *case_state_label(case_state_t st); /* "已派遣" */
const char *case_action_name(case_action_t a); /* "dispatch" */
const char *case_action_label(case_action_t a);/* "派遣" */
int case_state_from_name(const char *s);       /* -1 when unknown */
int case_action_from_name(const char *s);      /* -1 when unknown */

/* Rating labels: 1 非常不满意 ... 5 非常满意; NULL out of range. */
const char *case_rating_label(int rating);

#endif
