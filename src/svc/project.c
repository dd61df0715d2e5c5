/*
 * project.c - the write use cases of key projects (重点项目): a project is
 * created with its year's plan and milestones by a superior (the district's
 * leaders or command centre, or an admin); the owner unit enters the
 * month's completed investment, marks milestones done and writes the
 * progress log (日推进/周检点/月调度).  Amounts are entries: a correction
 * keeps the earlier one.  Every write is audited.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "svc/svc.h"

#define NAME_MAX_BYTES 300
#define TEXT_MAX_BYTES 4000

static bool may_plan(const svc_user_t *u)
{
    return u->role == ROLE_ADMIN || u->role == ROLE_LEADER || u->role == ROLE_OPERATOR;
}

static bh_status_t deny_plan(const svc_user_t *u, bh_err_t *err)
{
    return bh_fail(err, BH_PERMISSION_DENIED, "role", "%s不能设立或调整重点项目",
                   role_label(u->role));
}

static bool may_report(const svc_user_t *u)
{
    return !role_external(u->role) && u->role != ROLE_REPORTER;
}

static bh_status_t amount_ok(double v, const char *field, bh_err_t *err)
{
    if (!isfinite(v))
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "%s 应为数字", field);
    if (v < 0)
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "%s 不能为负数", field);
    return BH_OK;
}

static bh_status_t text_ok(const char *v, bool required, size_t max, const char *field,
                           const char *label, bh_err_t *err)
{
    if (required && (!v || !*v))
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "缺少%s %s", label, field);
    if (v && strlen(v) > max)
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "%s过长（不超过 %zu 字节）", label, max);
    return BH_OK;
}

/* A date "2023-05-31" into *day; NULL or "" is 0 when optional. */
static bh_status_t date_ok(const char *v, bool required, const char *field, dt_day_t *day,
                           bh_err_t *err)
{
    *day = 0;
    if (!v || !*v)
        return required ? bh_fail(err, BH_INVALID_ARGUMENT, field, "缺少日期 %s", field) : BH_OK;
    if (!dt_parse_date(v, day))
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "%s 应为 2023-05-31 形式的日期", field);
    return BH_OK;
}

static bh_status_t not_future(const svc_t *s, dt_day_t day, const char *field, bh_err_t *err)
{
    if (day > dt_local_day(svc_clock(s)))
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "%s 不能是将来的日期", field);
    return BH_OK;
}

/* The fields every create and update checks, into *p (strings borrowed). */
static bh_status_t project_fields(const svc_t *s, const svc_project_new_t *in, db_project_t *p,
                                  bh_err_t *err)
{
    dt_day_t d;
    bh_status_t st;
    if ((st = text_ok(in->name, true, NAME_MAX_BYTES, "name", "项目名称", err)) ||
        (st = text_ok(in->unit, true, 64, "unit", "责任单位", err)) ||
        (st = text_ok(in->category, true, 64, "category", "项目类别", err)) ||
        (st = text_ok(in->note, false, TEXT_MAX_BYTES, "note", "备注", err)))
        return st;
    if (!in->has_total)
        return bh_fail(err, BH_INVALID_ARGUMENT, "total_investment", "缺少总投资 total_investment（万元）");
    if ((st = amount_ok(in->total, "total_investment", err)))
        return st;
    if ((st = date_ok(in->start, true, "start", &d, err)))
        return st;
    p->start_day = d;
    if ((st = date_ok(in->end, true, "end", &d, err)))
        return st;
    p->end_day = d;
    if (p->end_day < p->start_day)
        return bh_fail(err, BH_INVALID_ARGUMENT, "end", "计划竣工日期 end 不能早于开工日期 start");
    if ((st = date_ok(in->started_on, false, "started_on", &d, err)) ||
        (st = not_future(s, d, "started_on", err)))
        return st;
    p->started_on = d;
    if ((st = date_ok(in->finished_on, false, "finished_on", &d, err)) ||
        (st = not_future(s, d, "finished_on", err)))
        return st;
    p->finished_on = d;
    if (p->finished_on && (!p->started_on || p->finished_on < p->started_on))
        return bh_fail(err, BH_INVALID_ARGUMENT, "finished_on",
                       "竣工日期 finished_on 应在实际开工日期 started_on 之后");
    p->name = in->name;
    p->unit = in->unit;
    p->category = in->category;
    p->total = in->total;
    p->note = in->note;
    return BH_OK;
}

static json_t *project_detail(const db_project_t *p)
{
    return json_pack("{s:s, s:s, s:s, s:f, s:i, s:i, s:i, s:i}", "name", p->name, "unit", p->unit,
                     "category", p->category, "total_investment", p->total, "start",
                     (int)p->start_day, "end", (int)p->end_day, "started_on", (int)p->started_on,
                     "finished_on", (int)p->finished_on);
}

static bh_status_t audit_project(db_conn_t *c, const svc_user_t *u, const char *action,
                                 int64_t id, json_t *detail)
{
    char obj[48];
    snprintf(obj, sizeof obj, "project:%lld", (long long)id);
    return svc_audit(c, u->username, action, obj, detail);
}

struct create {
    const svc_user_t *u;
    const svc_project_new_t *in;
    db_project_t *p;
    db_milestone_t *ms;
};

static bh_status_t create_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct create *w = ctx;
    bh_status_t st;
    /* set up by a superior unit, as targets are */
    if ((st = svc_unit_writable(c, w->u, w->p->unit, true, err)) ||
        (st = DB(c, project, project_add, w->p, err)))
        return st;
    if (w->in->has_plan) {
        db_prj_amount_t x = {0, w->p->id, w->in->plan_year, 0, w->in->plan, w->p->created_at,
                             w->u->username, NULL};
        if ((st = DB(c, project, amount_add, &x, err)))
            return st;
    }
    for (int i = 0; i < w->in->nmilestones; i++) {
        w->ms[i].project_id = w->p->id;
        if ((st = DB(c, project, milestone_add, &w->ms[i], err)))
            return st;
    }
    return audit_project(c, w->u, "project.create", w->p->id,
                         json_pack("{s:o}", "after", project_detail(w->p)));
}

static bh_status_t milestone_fields(const svc_milestone_new_t *in, const svc_user_t *u,
                                    dt_ms_t at, db_milestone_t *m, bh_err_t *err)
{
    dt_day_t d;
    bh_status_t st;
    if ((st = text_ok(in->name, true, NAME_MAX_BYTES, "milestones.name", "节点名称", err)) ||
        (st = date_ok(in->planned, true, "milestones.planned", &d, err)))
        return st;
    *m = (db_milestone_t){0, 0, in->name, d, 0, at, u->username};
    return BH_OK;
}

static bool year_ok(int y)
{
    return y >= DT_YEAR_MIN && y <= DT_YEAR_MAX;
}

bh_status_t svc_project_create(svc_t *s, const svc_user_t *u, const svc_project_new_t *in,
                               db_project_t *out, bh_err_t *err)
{
    db_milestone_t ms[64];
    struct create w = {u, in, out, ms};
    bh_status_t st;
    if (!may_plan(u))
        return deny_plan(u, err);
    memset(out, 0, sizeof *out);
    if ((st = text_ok(in->code, true, 64, "code", "项目编号", err)) ||
        (st = project_fields(s, in, out, err)))
        return st;
    if (in->has_plan && (!year_ok(in->plan_year) || (st = amount_ok(in->plan, "planned_investment", err))))
        return st ? st
                  : bh_fail(err, BH_INVALID_ARGUMENT, "year", "年度计划的年份应为 %d–%d",
                            DT_YEAR_MIN, DT_YEAR_MAX);
    if (in->nmilestones > (int)(sizeof ms / sizeof ms[0]))
        return bh_fail(err, BH_INVALID_ARGUMENT, "milestones", "节点过多（不超过 %zu 个）",
                       sizeof ms / sizeof ms[0]);
    out->code = in->code;
    out->created_at = svc_now();
    out->created_by = u->username;
    for (int i = 0; i < in->nmilestones; i++)
        if ((st = milestone_fields(&in->milestones[i], u, out->created_at, &ms[i], err)))
            return st;
    return db_write(s->db, create_tx, &w, err);
}

/* ---- changes to an existing project ---- */

struct change {
    const svc_user_t *u;
    int64_t id;
    arena_t *a;
    db_project_t p; /* as read inside the write */
    /* one of: */
    const svc_project_new_t *update;
    int64_t version;
    db_project_t *updated;
    db_prj_amount_t *amount;
    db_milestone_t *milestone;
    int64_t done_id;
    dt_day_t done_day;
    db_prj_log_t *log;
};

static bh_status_t change_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct change *w = ctx;
    bh_status_t st = DB(c, project, project_get, w->id, w->a, &w->p);
    json_t *detail;
    const char *action;
    bool plan;
    if (st == BH_NOT_FOUND)
        return bh_fail(err, st, "id", "项目 %lld 不存在", (long long)w->id);
    if (st)
        return bh_fail(err, st, "", "读取项目失败，请稍后重试");
    /* the project's set-up (fields, the year's plan, milestones) is a
     * superior unit's; the owner unit reports on it */
    plan = w->update || (w->amount && !w->amount->month) || w->milestone;
    if ((st = svc_project_visible(w->u, &w->p, err)) ||
        (st = svc_unit_writable(c, w->u, w->p.unit, plan, err)))
        return st;
    if (w->update) {
        db_project_t *n = w->updated;
        if ((st = svc_unit_writable(c, w->u, n->unit, true, err)))
            return st;
        n->id = w->id;
        n->code = w->p.code;
        n->created_at = w->p.created_at;
        n->created_by = w->p.created_by;
        if ((st = DB(c, project, project_update, n, w->version < 0 ? w->p.version : w->version,
                     err)))
            return st;
        n->version = (w->version < 0 ? w->p.version : w->version) + 1;
        action = "project.update";
        detail = json_pack("{s:o, s:o}", "before", project_detail(&w->p), "after",
                           project_detail(n));
    } else if (w->amount) {
        db_prj_amount_t *x = w->amount;
        x->project_id = w->id;
        if ((st = DB(c, project, amount_add, x, err)))
            return st;
        action = x->month ? "project.invest" : "project.plan";
        detail = json_pack("{s:{s:i, s:i, s:f, s:s?}}", "after", "year", x->year, "month",
                           x->month, "amount", x->amount, "note", x->note);
    } else if (w->milestone) {
        w->milestone->project_id = w->id;
        if ((st = DB(c, project, milestone_add, w->milestone, err)))
            return st;
        action = "project.milestone";
        detail = json_pack("{s:{s:I, s:s, s:i}}", "after", "milestone",
                           (json_int_t)w->milestone->id, "name", w->milestone->name, "planned",
                           (int)w->milestone->planned_day);
    } else if (w->log) {
        w->log->project_id = w->id;
        if ((st = DB(c, project, log_add, w->log, err)))
            return st;
        action = "project.log";
        detail = json_pack("{s:{s:I, s:s, s:i}}", "after", "log", (json_int_t)w->log->id, "kind",
                           w->log->kind, "date", (int)w->log->day);
    } else {
        if ((st = DB(c, project, milestone_done, w->id, w->done_id, w->done_day, svc_now(),
                     w->u->username, err)))
            return st;
        action = "project.milestone_done";
        detail = json_pack("{s:{s:I, s:i}}", "after", "milestone", (json_int_t)w->done_id,
                           "actual", (int)w->done_day);
    }
    return audit_project(c, w->u, action, w->id, detail);
}

static bh_status_t change(svc_t *s, struct change *w, bh_err_t *err)
{
    arena_t *a = arena_new();
    bh_status_t st;
    w->a = a;
    st = db_write(s->db, change_tx, w, err);
    arena_free(a);
    return st;
}

bh_status_t svc_project_update(svc_t *s, const svc_user_t *u, int64_t id,
                               const svc_project_new_t *in, int64_t version, arena_t *a,
                               db_project_t *out, bh_err_t *err)
{
    struct change w = {.u = u, .id = id, .update = in, .version = version,
                       .updated = out};
    bh_status_t st;
    if (!may_plan(u))
        return deny_plan(u, err);
    memset(out, 0, sizeof *out);
    if ((st = project_fields(s, in, out, err)))
        return st;
    if ((st = change(s, &w, err)))
        return st;
    /* the strings of *out are in[]'s and the code the stored one's: read
     * it back into the caller's arena */
    {
        db_conn_t *c;
        if ((st = db_reader(s->db, &c)))
            return bh_fail(err, st, "", "数据库繁忙，请稍后重试");
        st = DB(c, project, project_get, id, a, out);
        db_reader_done(s->db, c);
        if (st)
            return bh_fail(err, st, "", "读取项目失败，请稍后重试");
    }
    return BH_OK;
}

bh_status_t svc_project_amount(svc_t *s, const svc_user_t *u, int64_t id, const char *period,
                               double amount, const char *note, db_prj_amount_t *out,
                               bh_err_t *err)
{
    struct change w = {.u = u, .id = id, .amount = out};
    size_t n = period ? strlen(period) : 0;
    int y = 0, m = 0, today_y, today_m, today_d;
    char tail;
    bh_status_t st;
    memset(out, 0, sizeof *out);
    if (n == 4 && sscanf(period, "%4d%c", &y, &tail) == 1 && year_ok(y)) {
        if (!may_plan(u))
            return deny_plan(u, err);
    } else if (n == 7 && sscanf(period, "%4d-%2d%c", &y, &m, &tail) == 2 && year_ok(y) && m >= 1 &&
               m <= 12) {
        if (!may_report(u))
            return bh_fail(err, BH_PERMISSION_DENIED, "role", "%s不能填报项目投资",
                           role_label(u->role));
        dt_ymd(dt_local_day(svc_clock(s)), &today_y, &today_m, &today_d);
        if (y * 12 + m > today_y * 12 + today_m)
            return bh_fail(err, BH_INVALID_ARGUMENT, "period", "不能填报未来月份 %s 的投资", period);
    } else {
        return bh_fail(err, BH_INVALID_ARGUMENT, "period",
                       "period 应为年度 2023（年度计划投资）或月份 2023-05（当月完成投资）");
    }
    if ((st = amount_ok(amount, "amount", err)) ||
        (st = text_ok(note, false, TEXT_MAX_BYTES, "note", "备注", err)))
        return st;
    *out = (db_prj_amount_t){0, id, y, m, amount, svc_now(), u->username, note};
    return change(s, &w, err);
}

bh_status_t svc_milestone_add(svc_t *s, const svc_user_t *u, int64_t id,
                              const svc_milestone_new_t *in, db_milestone_t *out, bh_err_t *err)
{
    struct change w = {.u = u, .id = id, .milestone = out};
    bh_status_t st;
    if (!may_plan(u))
        return deny_plan(u, err);
    if ((st = milestone_fields(in, u, svc_now(), out, err)))
        return st;
    return change(s, &w, err);
}

bh_status_t svc_milestone_done(svc_t *s, const svc_user_t *u, int64_t id, int64_t milestone,
                               const char *actual, bh_err_t *err)
{
    struct change w = {.u = u, .id = id, .done_id = milestone};
    bh_status_t st;
    if (!may_report(u))
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "%s不能填报项目节点", role_label(u->role));
    if ((st = date_ok(actual, false, "actual", &w.done_day, err)) ||
        (st = not_future(s, w.done_day, "actual", err)))
        return st;
    return change(s, &w, err);
}

static const char *const log_kinds[] = {"daily", "weekly", "monthly", NULL};

bh_status_t svc_project_log(svc_t *s, const svc_user_t *u, int64_t id, const svc_prj_log_new_t *in,
                            db_prj_log_t *out, bh_err_t *err)
{
    struct change w = {.u = u, .id = id, .log = out};
    dt_day_t day;
    int k = 0;
    bh_status_t st;
    if (!may_report(u))
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "%s不能填报项目进展", role_label(u->role));
    while (log_kinds[k] && (!in->kind || strcmp(in->kind, log_kinds[k])))
        k++;
    if (!log_kinds[k])
        return bh_fail(err, BH_INVALID_ARGUMENT, "kind",
                       "kind 应为 daily（日推进）、weekly（周检点）或 monthly（月调度）");
    if ((st = text_ok(in->text, true, TEXT_MAX_BYTES, "text", "进展情况", err)) ||
        (st = text_ok(in->problems, false, TEXT_MAX_BYTES, "problems", "存在问题", err)) ||
        (st = date_ok(in->date, false, "date", &day, err)) ||
        (st = not_future(s, day, "date", err)))
        return st;
    if (in->has_percent && (!isfinite(in->percent) || in->percent < 0 || in->percent > 1))
        return bh_fail(err, BH_INVALID_ARGUMENT, "percent",
                       "形象进度 percent 应为 0 到 1 之间的小数（如 0.6 表示 60%%）");
    *out = (db_prj_log_t){0,       id,           log_kinds[k],
                          day ? day : dt_local_day(svc_clock(s)),
                          in->text, in->problems, in->has_percent ? in->percent : -1,
                          svc_now(), u->username};
    return change(s, &w, err);
}
