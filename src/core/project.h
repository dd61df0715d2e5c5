/*
 * project.h - the figures of key projects (重点项目): a milestone's state
 * against its planned date, the annual plan completion (完成投资占年度计划),
 * the project's light and the figures of a list of projects.  Pure: plain
 * days and amounts in, values out (the store and the clock are svc's).
 */
#ifndef BH_PROJECT_H
#define BH_PROJECT_H

#include <stdbool.h>

#include "core/datetime.h"
#include "core/target.h"

typedef enum {
    PRJ_MS_PENDING, /* not done, its date not yet passed: 未到期 */
    PRJ_MS_ON_TIME, /* done on or before its planned day: 按期完成 */
    PRJ_MS_LATE,    /* done after its planned day: 逾期完成 */
    PRJ_MS_OVERDUE, /* not done and its planned day passed: 逾期未完成 (red) */
} prj_ms_state_t;

const char *prj_ms_state_name(prj_ms_state_t s);  /* "pending", "on_time", ... */
const char *prj_ms_state_label(prj_ms_state_t s); /* "未到期", "按期完成", ... */

/* A milestone planned for 'planned', done on 'actual' (0: not done), as
 * of 'as_of': a milestone done after as_of is not yet done then. */
prj_ms_state_t prj_milestone_state(dt_day_t planned, dt_day_t actual, dt_day_t as_of);

/* Completed ÷ planned investment of the year; TGT_NO_TARGET when there is
 * no plan (or a plan of 0), never a division by zero. */
tgt_value_t prj_plan_completion(bool has_plan, double planned, double completed);

/* The project's light: "red" when a milestone is overdue, else the card
 * of the target loop's rules (core/target.h tgt_card: plan completion
 * against the time-elapsed progress), else "green".  A project with no
 * plan, or not yet due to start (before_start), is judged by its
 * milestones alone. */
const char *prj_light(int overdue, const tgt_card_rule_t *rules, int nrules, bool before_start,
                      tgt_value_t completion, double time_progress);

/* One project's part of a list's figures. */
typedef struct {
    bool has_plan;
    double planned, completed; /* the year's plan and completion, 万元 */
    bool started, finished;    /* as of the day */
    int milestones_due;        /* planned on or before the day */
    int milestones_on_time;    /* of those, done on time */
    int milestones_overdue;    /* not done though due */
} prj_item_t;

typedef struct {
    int projects, started, finished;
    double planned, completed; /* of the projects with a plan */
    tgt_value_t plan_completion;
    int milestones_due, milestones_on_time, milestones_overdue;
    tgt_value_t on_time_rate; /* on time ÷ due; TGT_NO_TARGET when none is due */
} prj_summary_t;

prj_summary_t prj_summarize(const prj_item_t *items, int n);

#endif
