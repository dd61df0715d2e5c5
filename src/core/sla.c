/*
 * sla.c - SLA clocks computed from a case's event history.
 *
 * Each clock's life is cut into running segments [s, e): time between
 * segments is suspension.  'consume' measures a segment in the clock's
 * units; 'deadline_from' and 'reach' invert that measure from a segment's
 * start.  The deadline is found by walking the segments until the one in
 * which the limit runs out.
 */
#include "core/sla.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

struct seg {
    dt_ms_t s, e; /* e is ignored for the last, open segment */
};

bool sla_day_based(const sla_clock_def_t *c)
{
    return c->basis == SLA_BASIS_WORKING_DAYS ||
           (c->basis == SLA_BASIS_NATURAL && c->civil);
}

static int64_t unit_ms(sla_unit_t u)
{
    return u == SLA_UNIT_MINUTES ? DT_MINUTE_MS
           : u == SLA_UNIT_HOURS ? DT_HOUR_MS
                                 : DT_DAY_MS;
}

int64_t sla_units_from_amount(const sla_clock_def_t *c, double amount)
{
    if (sla_day_based(c))
        return (int64_t)llround(amount);
    return (int64_t)llround(amount * (double)unit_ms(c->unit));
}

double sla_amount_from_units(const sla_clock_def_t *c, int64_t units)
{
    if (sla_day_based(c))
        return (double)units;
    return (double)units / (double)unit_ms(c->unit);
}

/* End of the local day 'day': its last millisecond. */
static dt_ms_t end_of_day(dt_day_t day)
{
    return dt_local_midnight(day + 1) - 1;
}

/* Units consumed running from s to e (e >= s). */
static int64_t consume(const sla_clock_def_t *c, const sla_env_t *env,
                       dt_ms_t s, dt_ms_t e, unsigned *fl)
{
    dt_day_t ds = dt_local_day(s), de = dt_local_day(e);

    if (e <= s)
        return 0;
    switch (c->basis) {
    case SLA_BASIS_NATURAL:
        return c->civil ? de - ds : e - s;
    case SLA_BASIS_WORKING_DAYS:
        return de > ds ? cal_count_workdays(env->cal, ds + 1, de, fl) : 0;
    case SLA_BASIS_WORKING_HOURS:
        return cal_work_ms_between(env->cal, env->hours, s, e, fl);
    }
    return 0;
}

double sla_remaining(const sla_clock_def_t *c, const sla_env_t *env, dt_ms_t now,
                     dt_ms_t deadline)
{
    unsigned fl = 0;
    int64_t u = now <= deadline ? consume(c, env, now, deadline, &fl)
                                : -consume(c, env, deadline, now, &fl);
    return sla_amount_from_units(c, u);
}

/* The first instant at which running from s has consumed r units. */
static dt_ms_t reach(const sla_clock_def_t *c, const sla_env_t *env,
                     dt_ms_t s, int64_t r, unsigned *fl)
{
    if (r <= 0)
        return s;
    switch (c->basis) {
    case SLA_BASIS_NATURAL:
        return c->civil ? dt_local_midnight(dt_local_day(s) + (dt_day_t)r)
                        : s + r;
    case SLA_BASIS_WORKING_DAYS:
        return dt_local_midnight(
            cal_add_workdays(env->cal, dt_local_day(s), (int)r, fl));
    case SLA_BASIS_WORKING_HOURS:
        return cal_add_work_ms(env->cal, env->hours, s, r, fl);
    }
    return s;
}

/* The last on-time instant when running from s with 'need' units left. */
static dt_ms_t deadline_from(const sla_clock_def_t *c, const sla_env_t *env,
                             dt_ms_t s, int64_t need, unsigned *fl)
{
    dt_day_t d = dt_local_day(s);

    if (need < 0)
        need = 0;
    if (c->basis == SLA_BASIS_WORKING_DAYS)
        return end_of_day(cal_add_workdays(env->cal, d, (int)need, fl));
    if (c->basis == SLA_BASIS_NATURAL && c->civil)
        return end_of_day(cal_civil_deadline(env->cal, d, (int)need, fl));
    return need == 0 ? s : reach(c, env, s, need, fl);
}

/* Does the event stop every clock (the case leaves the open states)? */
static bool ends_case(case_action_t a)
{
    return a == CASE_ACT_REJECT || a == CASE_ACT_MERGE;
}

/*
 * Pass one: replay the events for one clock, collecting its running
 * segments and the extension granted since its latest (re)start.
 */
static int collect(const sla_clock_def_t *c, const case_event_t *ev, int n,
                   dt_ms_t now, sla_clock_state_t *st, struct seg *segs)
{
    int nseg = 0;
    bool suspended = false;

    for (int i = 0; i < n && ev[i].at <= now; i++) {
        uint32_t bit = 1u << ev[i].action;
        dt_ms_t at = ev[i].at;

        if (ev[i].action == CASE_ACT_SUSPEND) {
            suspended = true;
            if (st->running) {
                segs[nseg - 1].e = at;
                st->running = false;
                st->paused = true;
            }
        } else if (ev[i].action == CASE_ACT_RESUME) {
            suspended = false;
            if (st->paused) {
                segs[nseg].s = segs[nseg].e = at;
                nseg++;
                st->running = true;
                st->paused = false;
            }
        } else if ((bit & c->restart) || ((bit & c->start) && !st->started)) {
            nseg = 0;
            st->extension = 0;
            st->started = true;
            st->stopped = false;
            st->started_at = at;
            st->running = !suspended;
            st->paused = suspended;
            if (!suspended) {
                segs[nseg].s = segs[nseg].e = at;
                nseg++;
            }
        } else if (((bit & c->stop) || ends_case(ev[i].action)) &&
                   st->started && !st->stopped) {
            if (st->running)
                segs[nseg - 1].e = at;
            st->stopped = true;
            st->stopped_at = at;
            st->running = st->paused = false;
        } else if (ev[i].action == CASE_ACT_EXTEND && ev[i].clock &&
                   strcmp(ev[i].clock, c->name) == 0 && st->started &&
                   !st->stopped) {
            st->extension += sla_units_from_amount(c, ev[i].amount);
        }
    }
    return nseg;
}

static sla_light_t light_at(const sla_clock_state_t *st, int64_t yellow,
                            int64_t red, dt_ms_t t)
{
    if (t > st->deadline)
        return SLA_LIGHT_OVERDUE;
    if (st->consumed >= red)
        return SLA_LIGHT_RED;
    if (st->consumed >= yellow)
        return SLA_LIGHT_YELLOW;
    return SLA_LIGHT_GREEN;
}

static void evaluate_clock(const sla_clock_def_t *c, const sla_env_t *env,
                           const case_event_t *ev, int n, dt_ms_t now,
                           struct seg *segs, sla_clock_state_t *st)
{
    int nseg, last;
    int64_t yellow, red, acc = 0, acc_last = 0;
    dt_ms_t t;
    unsigned *fl = &st->cal_flags;

    memset(st, 0, sizeof *st);
    st->def = c;
    st->next_change = INT64_MAX;
    nseg = collect(c, ev, n, now, st, segs);
    if (!st->started)
        return;
    t = st->stopped ? st->stopped_at : now;
    st->limit = c->limit + st->extension;
    yellow = c->yellow + st->extension;
    red = c->red + st->extension;

    /* A paused clock projects its deadline as if it resumed now; a clock
     * that never ran counts from its start. */
    if (st->paused || nseg == 0) {
        segs[nseg].s = segs[nseg].e = st->paused ? now : st->started_at;
        nseg++;
        last = nseg - 1;
    } else {
        last = nseg - 1;
        if (st->running)
            segs[last].e = t;
    }
    st->deadline = INT64_MIN;
    for (int i = 0; i < nseg; i++) {
        int64_t part = (i == last && !st->running && !st->stopped)
                           ? 0 : consume(c, env, segs[i].s, segs[i].e, fl);
        if (st->deadline == INT64_MIN) {
            dt_ms_t cand = deadline_from(c, env, segs[i].s, st->limit - acc, fl);
            if (i == last || cand < segs[i].e)
                st->deadline = cand;
        }
        if (i == last)
            acc_last = acc;
        acc += part;
    }
    st->consumed = acc;
    st->remaining = st->limit - acc;
    st->light = light_at(st, yellow, red, t);
    st->on_time = st->stopped && st->stopped_at <= st->deadline;

    if (st->running) {
        dt_ms_t cands[3];
        int k = 0;
        if (st->light < SLA_LIGHT_YELLOW)
            cands[k++] = reach(c, env, segs[last].s, yellow - acc_last, fl);
        if (st->light < SLA_LIGHT_RED)
            cands[k++] = reach(c, env, segs[last].s, red - acc_last, fl);
        if (st->light < SLA_LIGHT_OVERDUE)
            cands[k++] = st->deadline + 1;
        for (int i = 0; i < k; i++)
            if (cands[i] > now && cands[i] < st->next_change)
                st->next_change = cands[i];
    }
}

sla_light_t sla_evaluate(const sla_policy_t *policy, const sla_env_t *env,
                         const case_event_t *ev, int n, dt_ms_t now,
                         sla_clock_state_t *out)
{
    /* A clock has at most one segment per event, plus one projected. */
    struct seg *segs = xmalloc((size_t)(n + 2) * sizeof *segs);
    sla_light_t worst = SLA_LIGHT_NONE;

    for (int i = 0; i < policy->nclocks; i++) {
        evaluate_clock(&policy->clock[i], env, ev, n, now, segs, &out[i]);
        if ((out[i].running || out[i].paused) && out[i].light > worst)
            worst = out[i].light;
    }
    free(segs);
    return worst;
}

bh_status_t sla_check_extension(const sla_policy_t *policy,
                                const sla_clock_state_t *states,
                                const char *clock, double amount,
                                bh_err_t *err)
{
    for (int i = 0; i < policy->nclocks; i++) {
        const sla_clock_def_t *c = &policy->clock[i];
        int64_t units;

        if (!clock || strcmp(c->name, clock) != 0)
            continue;
        if (!states[i].running && !states[i].paused)
            return bh_fail(err, BH_FAILED_PRECONDITION, "clock",
                           "时限“%s”(%s)%s，不能延期", c->label, c->name,
                           states[i].stopped ? "已停止" : "尚未开始");
        units = sla_units_from_amount(c, amount);
        if (units <= 0)
            return bh_fail(err, BH_INVALID_ARGUMENT, "amount",
                           "延期时长须大于0%s", sla_unit_label(c));
        if (states[i].extension + units > c->max_extension)
            return bh_fail(err, BH_FAILED_PRECONDITION, "amount",
                           "时限“%s”(%s)累计延期不得超过%g%s，已延期%g%s",
                           c->label, c->name,
                           sla_amount_from_units(c, c->max_extension),
                           sla_unit_label(c),
                           sla_amount_from_units(c, states[i].extension),
                           sla_unit_label(c));
        return BH_OK;
    }
    return bh_fail(err, BH_INVALID_ARGUMENT, "clock",
                   "该案件的时限策略“%s”中没有名为“%s”的时限", policy->name,
                   clock ? clock : "");
}

const char *sla_light_name(sla_light_t l)
{
    static const char *const n[] = {"none", "green", "yellow", "red", "overdue"};
    return (unsigned)l <= SLA_LIGHT_OVERDUE ? n[l] : "none";
}

const char *sla_light_label(sla_light_t l)
{
    static const char *const n[] = {"未开始", "绿灯", "黄灯", "红灯", "超期"};
    return (unsigned)l <= SLA_LIGHT_OVERDUE ? n[l] : "未开始";
}

const char *sla_basis_name(sla_basis_t b)
{
    static const char *const n[] = {"natural", "working_days", "working_hours"};
    return (unsigned)b <= SLA_BASIS_WORKING_HOURS ? n[b] : "natural";
}

const char *sla_unit_name(sla_unit_t u)
{
    static const char *const n[] = {"minutes", "hours", "days"};
    return (unsigned)u <= SLA_UNIT_DAYS ? n[u] : "days";
}

const char *sla_unit_label(const sla_clock_def_t *c)
{
    switch (c->basis) {
    case SLA_BASIS_WORKING_DAYS: return "个工作日";
    case SLA_BASIS_WORKING_HOURS:
        return c->unit == SLA_UNIT_MINUTES ? "工作分钟" : "工作小时";
    case SLA_BASIS_NATURAL:
        return c->unit == SLA_UNIT_MINUTES ? "分钟"
               : c->unit == SLA_UNIT_HOURS ? "小时"
                                           : "天";
    }
    return "";
}
