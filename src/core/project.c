/* project.c - see project.h. */
#include "core/project.h"

static const char *const ms_names[] = {"pending", "on_time", "late", "overdue"};
static const char *const ms_labels[] = {"未到期", "按期完成", "逾期完成", "逾期未完成"};

const char *prj_ms_state_name(prj_ms_state_t s)
{
    return ms_names[s];
}

const char *prj_ms_state_label(prj_ms_state_t s)
{
    return ms_labels[s];
}

prj_ms_state_t prj_milestone_state(dt_day_t planned, dt_day_t actual, dt_day_t as_of)
{
    if (actual && actual <= as_of)
        return actual <= planned ? PRJ_MS_ON_TIME : PRJ_MS_LATE;
    return as_of > planned ? PRJ_MS_OVERDUE : PRJ_MS_PENDING;
}

tgt_value_t prj_plan_completion(bool has_plan, double planned, double completed)
{
    if (!has_plan || !(planned > 0))
        return (tgt_value_t){TGT_NO_TARGET, 0};
    return (tgt_value_t){TGT_OK, completed / planned};
}

const char *prj_light(int overdue, const tgt_card_rule_t *rules, int nrules, bool before_start,
                      tgt_value_t completion, double time_progress)
{
    if (overdue > 0)
        return "red";
    if (before_start)
        return "green";
    return tgt_card(rules, nrules, "green", completion, time_progress);
}

prj_summary_t prj_summarize(const prj_item_t *items, int n)
{
    prj_summary_t s = {0};
    bool any_plan = false;
    s.projects = n;
    for (int i = 0; i < n; i++) {
        const prj_item_t *p = &items[i];
        s.started += p->started;
        s.finished += p->finished;
        if (p->has_plan) {
            any_plan = true;
            s.planned += p->planned;
            s.completed += p->completed;
        }
        s.milestones_due += p->milestones_due;
        s.milestones_on_time += p->milestones_on_time;
        s.milestones_overdue += p->milestones_overdue;
    }
    s.plan_completion = prj_plan_completion(any_plan, s.planned, s.completed);
    s.on_time_rate = s.milestones_due > 0
                         ? (tgt_value_t){TGT_OK, (double)s.milestones_on_time / s.milestones_due}
                         : (tgt_value_t){TGT_NO_TARGET, 0};
    return s;
}
