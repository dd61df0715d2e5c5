/*
 * project_read.c - the read use cases of key projects: a list of the
 * projects of a unit's subtree, or one project, with the year's plan
 * completion (完成投资占年度计划), the time-elapsed progress by months, the
 * milestones' states, the light and the newest progress entries, as of the
 * end of the period asked for (or today).  The arithmetic is
 * core/project.h's.
 */
#include <stdlib.h>
#include <string.h>

#include "svc/svc.h"

struct read_ctx {
    svc_t *s;
    arena_t *a;
    int year;
    dt_day_t as_of;
    db_unit_t *units;
    int nunits;
    db_milestone_t *ms;
    int nms;
    db_prj_amount_t *amounts; /* in force: the latest of each key, by key */
    int namounts;
    db_prj_log_t *latest;
    int nlatest;
};

bh_status_t svc_project_visible(const svc_user_t *u, const db_project_t *p, bh_err_t *err)
{
    if (!role_external(u->role) && u->role != ROLE_ADMIN && !u->unrestricted &&
        !unit_in_scope(u->unit, p->unit))
        return bh_fail(err, BH_NOT_FOUND, "id", "项目 %lld 不存在", (long long)p->id);
    return svc_target_readable(u, p->unit, err); /* the outside roles' 403 */
}

static int amount_cmp(const void *pa, const void *pb)
{
    const db_prj_amount_t *a = pa, *b = pb;
    if (a->project_id != b->project_id)
        return a->project_id < b->project_id ? -1 : 1;
    if (a->year != b->year)
        return a->year - b->year;
    if (a->month != b->month)
        return a->month - b->month;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Keep the latest entry of each project, year and month. */
static int in_force(db_prj_amount_t *x, int n)
{
    int k = 0;
    qsort(x, (size_t)n, sizeof *x, amount_cmp);
    for (int i = 0; i < n; i++) {
        bool last = i + 1 == n || x[i + 1].project_id != x[i].project_id ||
                    x[i + 1].year != x[i].year || x[i + 1].month != x[i].month;
        if (last)
            x[k++] = x[i];
    }
    return k;
}

static bh_status_t read_all(struct read_ctx *x, db_conn_t *c, int64_t project_id, bh_err_t *err)
{
    bh_status_t st;
    if ((st = DB(c, registry, unit_list, NULL, x->a, &x->units, &x->nunits)) ||
        (st = DB(c, project, milestone_list, project_id, x->a, &x->ms, &x->nms)) ||
        (st = DB(c, project, amount_list, project_id, 0, x->a, &x->amounts, &x->namounts)) ||
        (st = DB(c, project, log_list, 0, x->as_of, x->a, &x->latest, &x->nlatest)))
        return bh_fail(err, st, "", "读取重点项目失败，请稍后重试");
    x->namounts = in_force(x->amounts, x->namounts);
    return BH_OK;
}

static void view_of(const struct read_ctx *x, const db_project_t *p, svc_project_view_t *v)
{
    const target_cfg_t *cfg = svc_targets(x->s);
    int ay, am, ad, upto;
    period_t year = {dt_day_from_ymd(x->year, 1, 1), dt_day_from_ymd(x->year, 12, 31)};
    memset(v, 0, sizeof *v);
    v->p = *p;
    v->year = x->year;
    v->as_of = x->as_of;
    v->unit_name = p->unit;
    for (int i = 0; i < x->nunits; i++)
        if (strcmp(x->units[i].code, p->unit) == 0)
            v->unit_name = x->units[i].name;
    dt_ymd(x->as_of, &ay, &am, &ad);
    upto = ay > x->year ? 12 : ay < x->year ? 0 : am;
    for (int i = 0; i < x->namounts; i++) {
        const db_prj_amount_t *e = &x->amounts[i];
        if (e->project_id != p->id)
            continue;
        if (e->year == x->year && e->month == 0) {
            v->has_plan = true;
            v->planned = e->amount;
        } else if (e->month >= 1 && e->year * 12 + e->month <= ay * 12 + am) {
            v->completed_total += e->amount;
            if (e->year == x->year) {
                v->has_month[e->month - 1] = true;
                v->month[e->month - 1] = e->amount;
            }
        }
    }
    for (int m = 1; m <= upto; m++)
        v->completed += v->month[m - 1];
    v->plan_completion = prj_plan_completion(v->has_plan, v->planned, v->completed);
    /* 序时进度 over the months the project runs in the year: a project
     * planned to start in March has its year's plan over March-December */
    {
        period_t run = year;
        if (p->start_day > run.from && p->start_day <= run.to)
            run.from = p->start_day;
        if (p->end_day < run.to && p->end_day >= run.from)
            run.to = p->end_day;
        v->time_progress = tgt_time_progress(TGT_BASIS_MONTHS, x->s->cal, run, x->as_of);
    }
    v->ms = arena_alloc_array(x->a, (size_t)x->nms + 1, sizeof *v->ms);
    for (int i = 0; i < x->nms; i++) {
        const db_milestone_t *m = &x->ms[i];
        svc_milestone_view_t *w;
        if (m->project_id != p->id)
            continue;
        w = &v->ms[v->nms++];
        w->m = *m;
        w->state = prj_milestone_state(m->planned_day, m->actual_day, x->as_of);
        if (m->planned_day <= x->as_of) {
            v->item.milestones_due++;
            v->item.milestones_on_time += w->state == PRJ_MS_ON_TIME;
        }
        v->item.milestones_overdue += w->state == PRJ_MS_OVERDUE;
    }
    for (int i = 0; i < x->nlatest; i++)
        if (x->latest[i].project_id == p->id)
            v->latest = &x->latest[i];
    v->item.has_plan = v->has_plan;
    v->item.planned = v->planned;
    v->item.completed = v->completed;
    v->item.started = p->started_on && p->started_on <= x->as_of;
    v->item.finished = p->finished_on && p->finished_on <= x->as_of;
    v->light = prj_light(v->item.milestones_overdue, cfg->cards, cfg->ncards,
                         p->start_day > x->as_of, v->plan_completion, v->time_progress);
}

/* The year of p and the day the figures are as of: p's end, or today. */
static bh_status_t as_of(svc_t *s, period_t p, struct read_ctx *x, bh_err_t *err)
{
    dt_day_t today = dt_local_day(svc_clock(s));
    int y2, m, d;
    dt_ymd(p.from, &x->year, &m, &d);
    dt_ymd(p.to, &y2, &m, &d);
    if (y2 != x->year)
        return bh_fail(err, BH_INVALID_ARGUMENT, "period", "项目按年度计划考核，period 须在同一年内");
    x->as_of = p.to < today ? p.to : today;
    if (x->as_of < p.from)
        return bh_fail(err, BH_FAILED_PRECONDITION, "period", "期间尚未开始");
    return BH_OK;
}

bh_status_t svc_project_list(svc_t *s, const svc_user_t *u, const char *unit, period_t p,
                             arena_t *a, svc_project_view_t **out, int *n, prj_summary_t *sum,
                             bh_err_t *err)
{
    struct read_ctx x = {s, a, 0, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0};
    db_project_t *all;
    prj_item_t *items;
    int nall;
    db_conn_t *c;
    bh_status_t st;
    if (!unit)
        unit = u->unit;
    if ((st = svc_target_readable(u, unit, err)) || (st = as_of(s, p, &x, err)))
        return st;
    if ((st = db_reader(s->db, &c)))
        return bh_fail(err, st, "", "数据库繁忙，请稍后重试");
    if ((st = DB(c, project, project_list, a, &all, &nall)))
        bh_fail(err, st, "", "读取重点项目失败，请稍后重试");
    else
        st = read_all(&x, c, 0, err);
    db_reader_done(s->db, c);
    if (st)
        return st;
    *out = arena_alloc_array(a, (size_t)nall + 1, sizeof **out);
    items = arena_alloc_array(a, (size_t)nall + 1, sizeof *items);
    *n = 0;
    for (int i = 0; i < nall; i++) {
        if (!unit_in_scope(unit, all[i].unit))
            continue;
        view_of(&x, &all[i], &(*out)[*n]);
        items[*n] = (*out)[*n].item;
        (*n)++;
    }
    *sum = prj_summarize(items, *n);
    return BH_OK;
}

bh_status_t svc_project_get(svc_t *s, const svc_user_t *u, int64_t id, period_t p, arena_t *a,
                            svc_project_view_t *out, bh_err_t *err)
{
    struct read_ctx x = {s, a, 0, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0};
    db_project_t pr;
    db_prj_log_t *logs = NULL;
    int nlogs = 0;
    db_conn_t *c;
    bh_status_t st;
    if ((st = as_of(s, p, &x, err)))
        return st;
    if ((st = db_reader(s->db, &c)))
        return bh_fail(err, st, "", "数据库繁忙，请稍后重试");
    st = DB(c, project, project_get, id, a, &pr);
    if (st == BH_NOT_FOUND)
        bh_fail(err, st, "id", "项目 %lld 不存在", (long long)id);
    else if (st)
        bh_fail(err, st, "", "读取重点项目失败，请稍后重试");
    else if (!(st = svc_project_visible(u, &pr, err)) && !(st = read_all(&x, c, id, err)) &&
             (st = DB(c, project, log_list, id, x.as_of, a, &logs, &nlogs)))
        bh_fail(err, st, "", "读取项目进展失败，请稍后重试");
    db_reader_done(s->db, c);
    if (st)
        return st;
    view_of(&x, &pr, out);
    out->logs = logs;
    out->nlogs = nlogs;
    return BH_OK;
}
