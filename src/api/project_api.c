/*
 * project_api.c - key projects (重点项目) over HTTP (DESIGN.md §9;
 * docs/API.md): the list with its figures, one project with its months
 * and progress log, and the writes - create and update (the district),
 * investments, milestones and progress entries (the owner unit).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/render.h"
#include "util/jsonkeys.h"


static json_t *value_json(tgt_value_t v)
{
    return v.state == TGT_OK ? json_real(v.value) : json_null();
}

static json_t *day_json(dt_day_t d)
{
    return d ? api_date_json(d) : json_null();
}

static json_t *milestone_json(const svc_milestone_view_t *w)
{
    return json_pack("{s:I, s:s, s:o, s:o, s:s, s:s}", "id", (json_int_t)w->m.id, "name",
                     w->m.name, "planned", api_date_json(w->m.planned_day), "actual",
                     day_json(w->m.actual_day), "status", prj_ms_state_name(w->state),
                     "status_label", prj_ms_state_label(w->state));
}

static const char *log_kind_label(const char *kind)
{
    return strcmp(kind, "daily") == 0 ? "日推进" : strcmp(kind, "weekly") == 0 ? "周检点" : "月调度";
}

static json_t *log_json(const db_prj_log_t *l)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:s, s:s?, s:o, s:o, s:s}", "id", (json_int_t)l->id,
                     "kind", l->kind, "kind_label", log_kind_label(l->kind), "date",
                     api_date_json(l->day), "text", l->text, "problems", l->problems, "percent",
                     l->percent >= 0 ? json_real(l->percent) : json_null(), "entered_at",
                     render_time(l->at), "entered_by", l->by);
}

static json_t *project_json(const svc_project_view_t *v)
{
    const db_project_t *p = &v->p;
    json_t *ms = json_array();
    json_t *j;
    for (int i = 0; i < v->nms; i++)
        json_array_append_new(ms, milestone_json(&v->ms[i]));
    j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:f, s:o, s:o, s:o, s:o, s:i, s:o, s:f, s:o,"
                  " s:f, s:f, s:o, s:s, s:b, s:b, s:i, s:i, s:i, s:o, s:o, s:I, s:s?}",
                  "id", (json_int_t)p->id, "code", p->code, "name", p->name, "unit", p->unit,
                  "unit_name", v->unit_name, "category", p->category, "total_investment",
                  p->total, "start", api_date_json(p->start_day), "end",
                  api_date_json(p->end_day), "started_on", day_json(p->started_on),
                  "finished_on", day_json(p->finished_on), "year", v->year,
                  "planned_investment", v->has_plan ? json_real(v->planned) : json_null(),
                  "completed_investment", v->completed, "plan_completion",
                  value_json(v->plan_completion), "completed_total", v->completed_total,
                  "time_progress", v->time_progress, "gap",
                  v->plan_completion.state == TGT_OK
                      ? json_real(tgt_gap(v->plan_completion.value, v->time_progress))
                      : json_null(),
                  "light", v->light, "started", v->item.started, "finished", v->item.finished,
                  "milestones_due", v->item.milestones_due, "milestones_on_time",
                  v->item.milestones_on_time, "milestones_overdue", v->item.milestones_overdue,
                  "milestones", ms, "latest_log", v->latest ? log_json(v->latest) : json_null(),
                  "version", (json_int_t)p->version, "note", p->note);
    return j;
}

static json_t *summary_json(const prj_summary_t *s)
{
    return json_pack("{s:i, s:i, s:i, s:f, s:f, s:o, s:i, s:i, s:i, s:o}", "projects",
                     s->projects, "started", s->started, "finished", s->finished,
                     "planned_investment", s->planned, "completed_investment", s->completed,
                     "plan_completion", value_json(s->plan_completion), "milestones_due",
                     s->milestones_due, "milestones_on_time", s->milestones_on_time,
                     "milestones_overdue", s->milestones_overdue, "on_time_rate",
                     value_json(s->on_time_rate));
}

/* list: fields= is allowed too (api_list_reply) */
static bool period_of(http_req_t *r, const char *const *params, bool list, period_t *p)
{
    return api_auth(r) && (list ? api_list_params(r, params) : api_only_params(r, params)) &&
           api_period_param(r, svc_now(), p);
}

static void h_list(http_req_t *r)
{
    static const char *const params[] = {"unit", "period", "from", "to", NULL};
    svc_project_view_t *v;
    prj_summary_t sum;
    period_t p;
    int n;
    bh_err_t err;
    const char *unit;
    json_t *arr;
    if (!period_of(r, params, true, &p))
        return;
    unit = qs_get(&r->query, "unit");
    if (svc_project_list(APP(r), &r->user, unit, p, r->a, &v, &n, &sum, &err)) {
        http_error(r, &err);
        return;
    }
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, project_json(&v[i]));
    api_list_reply(r, json_pack("{s:s, s:o, s:o, s:o, s:o}", "unit", unit ? unit : r->user.unit,
                                "period", api_period_json(p), "as_of",
                                api_date_json(n ? v[0].as_of : (p.to < dt_local_day(svc_now())
                                                                    ? p.to
                                                                    : dt_local_day(svc_now()))),
                                "summary", summary_json(&sum), "items", arr));
}

/* The project of the path with its figures for period p into a reply. */
static void reply_project(http_req_t *r, int code, int64_t id, period_t p)
{
    svc_project_view_t v;
    bh_err_t err;
    json_t *j, *months, *logs;
    if (svc_project_get(APP(r), &r->user, id, p, r->a, &v, &err)) {
        http_error(r, &err);
        return;
    }
    j = project_json(&v);
    months = json_array();
    for (int m = 0; m < 12; m++)
        json_array_append_new(months, v.has_month[m] ? json_real(v.month[m]) : json_null());
    logs = json_array();
    for (int i = 0; i < v.nlogs; i++)
        json_array_append_new(logs, log_json(&v.logs[i]));
    json_object_set_new(j, "months", months);
    json_object_set_new(j, "logs", logs);
    json_object_set_new(j, "as_of", api_date_json(v.as_of));
    http_json(r, code, j);
}

static void h_get(http_req_t *r)
{
    static const char *const params[] = {"period", "from", "to", NULL};
    int64_t id;
    period_t p;
    if (!period_of(r, params, false, &p) || !api_parse_id(r, r->params[0], "项目", &id))
        return;
    reply_project(r, 200, id, p);
}

/* The figures a write answers with: year y's (0: this year's), as of today. */
static period_t year_of(int y)
{
    int m, d;
    if (!y)
        dt_ymd(dt_local_day(svc_now()), &y, &m, &d);
    return (period_t){dt_day_from_ymd(y, 1, 1), dt_day_from_ymd(y, 12, 31)};
}

static period_t this_year(void)
{
    return year_of(0);
}

static bool has(json_t *o, const char *k, double *v)
{
    json_t *x = json_object_get(o, k);
    if (x)
        *v = json_number_value(x);
    return x != NULL;
}

/* The fields of a create or an update body; false: the 400 is set. */
static bool project_in(http_req_t *r, json_t *body, svc_project_new_t *in)
{
    json_t *ms = json_object_get(body, "milestones");
    svc_milestone_new_t *arr;
    size_t i;
    json_t *m;
    memset(in, 0, sizeof *in);
    in->code = api_str(body, "code");
    in->name = api_str(body, "name");
    in->unit = api_str(body, "unit");
    in->category = api_str(body, "category");
    in->note = api_str(body, "note");
    in->start = api_str(body, "start");
    in->end = api_str(body, "end");
    in->started_on = api_str(body, "started_on");
    in->finished_on = api_str(body, "finished_on");
    in->has_total = has(body, "total_investment", &in->total);
    if ((in->has_plan = has(body, "planned_investment", &in->plan))) {
        int y, mm, d;
        double year;
        dt_ymd(dt_local_day(svc_now()), &y, &mm, &d);
        in->plan_year = y;
        if (has(body, "year", &year)) {
            if (!(year >= DT_YEAR_MIN && year <= DT_YEAR_MAX) || year != (double)(int)year) {
                http_fail(r, BH_INVALID_ARGUMENT, "year", "年份应为 %d–%d 之间的整数", DT_YEAR_MIN,
                          DT_YEAR_MAX);
                return false;
            }
            in->plan_year = (int)year;
        }
    }
    if (!ms)
        return true;
    in->nmilestones = (int)json_array_size(ms);
    in->milestones = arr = arena_alloc_array(r->a, json_array_size(ms) + 1, sizeof *arr);
    json_array_foreach(ms, i, m) {
        svc_milestone_new_t *x = &arr[i];
        if (!json_is_object(m)) {
            http_fail(r, BH_INVALID_ARGUMENT, "milestones", "milestones 的每一项应为 {\"name\",\"planned\"}");
            return false;
        }
        x->name = api_str(m, "name");
        x->planned = api_str(m, "planned");
    }
    return true;
}

static void h_create(http_req_t *r)
{
    static const char *const keys[] = {"code", "name", "unit", "category", "total_investment",
                                       "start", "end", "started_on", "finished_on", "year",
                                       "planned_investment", "milestones", "note", NULL};
    json_t *body;
    svc_project_new_t in;
    db_project_t p;
    bh_err_t err;
    if (!(body = api_read_body(r, keys, "ssssnssssnnas")))
        return;
    if (project_in(r, body, &in)) {
        if (svc_project_create(APP(r), &r->user, &in, &p, &err))
            http_error(r, &err);
        else /* the figures of the year planned */
            reply_project(r, 201, p.id, year_of(in.has_plan ? in.plan_year : 0));
    }
    json_decref(body);
}

static void h_update(http_req_t *r)
{
    static const char *const keys[] = {"name", "unit", "category", "total_investment", "start",
                                       "end", "started_on", "finished_on", "note", "version",
                                       NULL};
    json_t *body;
    svc_project_new_t in;
    db_project_t p;
    double version = -1;
    int64_t id;
    bh_err_t err;
    if (!api_auth(r) || !api_parse_id(r, r->params[0], "项目", &id) ||
        !(body = api_read_body(r, keys, "sssnsssssn")))
        return;
    if (has(body, "version", &version) && !(version >= 0 && version <= 9007199254740992.0 &&
                                             version == (double)(int64_t)version)) {
        http_fail(r, BH_INVALID_ARGUMENT, "version", "version 应为非负整数");
    } else if (project_in(r, body, &in)) {
        if (svc_project_update(APP(r), &r->user, id, &in, (int64_t)version, r->a, &p, &err))
            http_error(r, &err);
        else
            reply_project(r, 200, id, this_year());
    }
    json_decref(body);
}

static void h_investment(http_req_t *r)
{
    static const char *const keys[] = {"period", "amount", "note", NULL};
    json_t *body;
    db_prj_amount_t x;
    double amount;
    int64_t id;
    bh_err_t err;
    char period[16];
    if (!api_auth(r) || !api_parse_id(r, r->params[0], "项目", &id) ||
        !(body = api_read_body(r, keys, "sns")))
        return;
    if (!has(body, "amount", &amount)) {
        http_fail(r, BH_INVALID_ARGUMENT, "amount", "缺少金额 amount（万元）");
    } else if (svc_project_amount(APP(r), &r->user, id, api_str(body, "period"), amount,
                                  api_str(body, "note"), &x, &err)) {
        http_error(r, &err);
    } else {
        if (x.month)
            snprintf(period, sizeof period, "%04d-%02d", x.year % 10000, x.month % 100);
        else
            snprintf(period, sizeof period, "%04d", x.year % 10000);
        http_json(r, 201, json_pack("{s:I, s:I, s:s, s:s, s:f, s:o, s:s, s:s?}", "id",
                                    (json_int_t)x.id, "project", (json_int_t)id, "period",
                                    period, "kind", x.month ? "completed" : "planned", "amount",
                                    x.amount, "entered_at", render_time(x.at), "entered_by",
                                    x.by, "note", x.note));
    }
    json_decref(body);
}

static void h_milestone_add(http_req_t *r)
{
    static const char *const keys[] = {"name", "planned", NULL};
    json_t *body;
    db_milestone_t m;
    int64_t id;
    bh_err_t err;
    if (!api_auth(r) || !api_parse_id(r, r->params[0], "项目", &id) ||
        !(body = api_read_body(r, keys, "ss")))
        return;
    {
        svc_milestone_new_t in = {api_str(body, "name"), api_str(body, "planned")};
        if (svc_milestone_add(APP(r), &r->user, id, &in, &m, &err))
            http_error(r, &err);
        else
            reply_project(r, 201, id, this_year());
    }
    json_decref(body);
}

static void h_milestone_done(http_req_t *r)
{
    static const char *const keys[] = {"actual", NULL};
    json_t *body;
    int64_t id, mid;
    bh_err_t err;
    if (!api_auth(r) || !api_parse_id(r, r->params[0], "项目", &id) ||
        !api_parse_id(r, r->params[1], "节点", &mid) || !(body = api_read_body(r, keys, "s")))
        return;
    if (svc_milestone_done(APP(r), &r->user, id, mid, api_str(body, "actual"), &err))
        http_error(r, &err);
    else
        reply_project(r, 200, id, this_year());
    json_decref(body);
}

static void h_log(http_req_t *r)
{
    static const char *const keys[] = {"kind", "date", "text", "problems", "percent", NULL};
    json_t *body;
    db_prj_log_t l;
    svc_prj_log_new_t in = {0};
    int64_t id;
    bh_err_t err;
    if (!api_auth(r) || !api_parse_id(r, r->params[0], "项目", &id) ||
        !(body = api_read_body(r, keys, "ssssn")))
        return;
    in.kind = api_str(body, "kind");
    in.date = api_str(body, "date");
    in.text = api_str(body, "text");
    in.problems = api_str(body, "problems");
    in.has_percent = has(body, "percent", &in.percent);
    if (svc_project_log(APP(r), &r->user, id, &in, &l, &err))
        http_error(r, &err);
    else
        http_json(r, 201, log_json(&l));
    json_decref(body);
}

const http_route_t project_routes[] = {
    {"GET", "/api/v1/projects", h_list, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/projects", h_create, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/projects/{id}", h_get, HTTP_BODY_DEFAULT},
    {"PUT", "/api/v1/projects/{id}", h_update, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/projects/{id}/investments", h_investment, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/projects/{id}/milestones", h_milestone_add, HTTP_BODY_DEFAULT},
    {"PUT", "/api/v1/projects/{id}/milestones/{milestone}", h_milestone_done, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/projects/{id}/logs", h_log, HTTP_BODY_DEFAULT},
};
const int project_nroutes = (int)(sizeof project_routes / sizeof project_routes[0]);
