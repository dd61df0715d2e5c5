/*
 * case_api.c - cases over HTTP: report, read, act, list and search, and
 * the statistics; the use cases are in svc/cases.c and svc/case_read.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/parse.h"
#include "api/render.h"


/* ---- cases ---- */

static void h_case_create(http_req_t *r)
{
    svc_t *s = APP(r);
    json_t *body;
    svc_case_new_t in;
    bool replayed;
    bh_err_t err;
    svc_case_view_t v;

    if (!api_auth(r))
        return;
    if (parse_body(r->body, r->body_len, &body, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    if (parse_case_new(body, r->a, &in, &err) != BH_OK) {
        json_decref(body);
        http_error(r, &err);
        return;
    }
    json_decref(body);
    in.idempotency_key = http_header(r, "Idempotency-Key");
    if (in.idempotency_key)
        in.idempotency_key = arena_printf(r->a, "%s:%s", r->user.username, in.idempotency_key);
    if (!in.source) /* the role's default (core/role.c); a role that cannot report has none */
        in.source = role_sources(r->user.role)[0] ? role_sources(r->user.role)[0] : "hotline";
    if (svc_case_create(s, &r->user, &in, r->a, &v, &replayed, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    http_add_header(r, "Location", arena_printf(r->a, "/api/v1/cases/%lld", (long long)v.k.id));
    http_add_header(r, "ETag", arena_printf(r->a, "\"%lld\"", (long long)v.k.version));
    if (replayed)
        http_add_header(r, "Idempotent-Replayed", "true");
    if (api_prefer_minimal(r)) { /* high-volume intake: no history, clocks or actions */
        http_add_header(r, "Preference-Applied", "return=minimal");
        http_json(r, replayed ? 200 : 201,
                  json_pack("{s:I, s:I, s:s, s:s}", "id", (json_int_t)v.k.id, "version",
                            (json_int_t)v.k.version, "status", case_state_name(v.k.status),
                            "light", sla_light_name(v.k.light)));
        return;
    }
    http_json(r, replayed ? 200 : 201, render_case_view(s, &r->user, &v, r->a));
}

static void h_case_get(http_req_t *r)
{
    svc_t *s = APP(r);
    svc_case_view_t v;
    int64_t id;
    bh_err_t err;

    if (!api_auth(r) || !api_parse_id(r, r->params[0], "案件", &id))
        return;
    if (svc_case_get(s, &r->user, id, r->a, &v, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    http_add_header(r, "ETag", arena_printf(r->a, "\"%lld\"", (long long)v.k.version));
    http_json(r, 200, render_case_view(s, &r->user, &v, r->a));
}

static void h_case_action(http_req_t *r)
{
    svc_t *s = APP(r);
    json_t *body;
    case_event_t ev;
    int64_t id, body_version, version;
    bh_err_t err;
    svc_case_view_t v;

    if (!api_auth(r) || !api_parse_id(r, r->params[0], "案件", &id))
        return;
    if (parse_body(r->body, r->body_len, &body, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    if (parse_action(body, r->a, &ev, &body_version, &err) != BH_OK) {
        json_decref(body);
        http_error(r, &err);
        return;
    }
    json_decref(body);
    if (!api_expected_version(r, body_version, &version))
        return;
    if (svc_case_act(s, &r->user, id, &ev, version, r->a, &v, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    http_add_header(r, "ETag", arena_printf(r->a, "\"%lld\"", (long long)v.k.version));
    http_json(r, 200, render_case_view(s, &r->user, &v, r->a));
}

static bool list_filters(http_req_t *r, db_case_filter_t *f)
{
    static const char *const sorts[] = {"-created_at", "created_at", "-updated_at", "updated_at", "relevance"};
    const char *v;
    memset(f, 0, sizeof *f);
    f->status = f->light = -1;
    f->limit = 50;
    if ((v = qs_get(&r->query, "unit")))
        f->unit = db_scope(v);
    f->category = qs_get(&r->query, "category");
    f->source = qs_get(&r->query, "source");
    f->handling_unit = qs_get(&r->query, "handling_unit");
    if ((v = qs_get(&r->query, "status")) && (f->status = case_state_from_name(v)) <= 0) {
        http_fail(r, BH_INVALID_ARGUMENT, "status", "未知的状态“%s”", v);
        return false;
    }
    if ((v = qs_get(&r->query, "light"))) {
        for (int l = SLA_LIGHT_NONE; l <= SLA_LIGHT_OVERDUE; l++)
            if (strcmp(v, sla_light_name((sla_light_t)l)) == 0)
                f->light = l;
        if (f->light < 0) {
            http_fail(r, BH_INVALID_ARGUMENT, "light", "亮灯应为 none、green、yellow、red 或 overdue");
            return false;
        }
    }
    f->search = qs_get(&r->query, "q"); /* the store builds its own query from the words */
    if (!api_time_param(r, "from", false, &f->from) || !api_time_param(r, "to", true, &f->to))
        return false;
    if ((v = qs_get(&r->query, "sort"))) {
        int i;
        for (i = 0; i < 5 && strcmp(v, sorts[i]); i++)
            ;
        if (i == 5 || (i == DB_SORT_RELEVANCE && !f->search)) {
            http_fail(r, BH_INVALID_ARGUMENT, "sort", "排序应为 -created_at、created_at、-updated_at、updated_at，或与 q 同用的 relevance");
            return false;
        }
        f->sort = i;
    }
    if ((v = qs_get(&r->query, "limit"))) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 1 || n > 200) {
            http_fail(r, BH_INVALID_ARGUMENT, "limit", "limit 应为 1 到 200 的整数");
            return false;
        }
        f->limit = (int)n;
    }
    if ((v = qs_get(&r->query, "cursor"))) {
        if (strlen(v) > 200) {
            http_fail(r, BH_INVALID_ARGUMENT, "cursor", "cursor 无效（须原样使用上一页返回的 next_cursor，且排序相同）");
            return false;
        }
        f->cursor = v; /* opaque: the store reads it */
    }
    /* open: not closed or rejected; supervised: under 督办; mine: the
     * cases this user reported (a grid worker's 我的上报); reopen_requested:
     * closed cases whose reporter asks for them to be taken up again. */
    {
        bool open, supervised, mine, reopen;
        if (!api_bool_param(r, "open", &open) || !api_bool_param(r, "supervised", &supervised) ||
            !api_bool_param(r, "mine", &mine) || !api_bool_param(r, "reopen_requested", &reopen))
            return false;
        if (open)
            f->open = 1;
        f->supervised = supervised;
        f->reopen_requested = reopen;
        if (mine)
            f->created_by = r->user.username;
    }
    return true; /* the jurisdiction is svc_case_list's */
}

static void h_case_list(http_req_t *r)
{
    static const char *const params[] = {"unit", "status", "category", "source", "light", "q",
                                         "from", "to", "sort", "limit", "cursor", "handling_unit", "mine",
                                         "open", "supervised", "reopen_requested", NULL};
    svc_t *s = APP(r);
    db_case_filter_t f;
    svc_case_row_t *rows;
    int n;
    bh_err_t err;
    const char *next;
    json_t *items;

    if (!api_auth(r) || !api_list_params(r, params) || !list_filters(r, &f))
        return;
    if (svc_case_list(s, &r->user, &f, r->a, &rows, &n, &next, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, render_case_row(s, &r->user, &rows[i].k, rows[i].clocks,
                                                     rows[i].nclocks, r->a));
    api_list_reply(r, json_pack("{s:o, s:o}", "items", items, "next_cursor",
                                next ? json_string(next) : json_null()));
}

/* ---- statistics ---- */

/* A group's figures, each named and computed by the registry
 * (core/metric.h); an undefined rate or average is null. */
static json_t *stats_json(const case_figures_t *f)
{
    int n;
    const metric_t *m = case_metrics(&n);
    json_t *o = json_object();
    for (int i = 0; i < n; i++) {
        double v;
        json_object_set_new(o, m[i].key,
                            !metric_value(&m[i], f, &v) ? json_null()
                            : m[i].kind == METRIC_COUNT ? json_integer((json_int_t)v)
                                                        : json_real(v));
    }
    return o;
}

/* The registry's labels and formulas, for the response to say what it used. */
static void stats_legend(json_t **labels, json_t **formulas)
{
    int n;
    const metric_t *m = case_metrics(&n);
    *labels = json_object();
    *formulas = json_object();
    for (int i = 0; i < n; i++) {
        json_object_set_new(*labels, m[i].key, json_string(m[i].label));
        if (m[i].formula)
            json_object_set_new(*formulas, m[i].key, json_string(m[i].formula));
    }
}

static void h_stats(http_req_t *r)
{
    static const char *const params[] = {"unit", "from", "to", "group_by", NULL};
    svc_t *s = APP(r);
    db_stats_query_t q = {0};
    const char *unit, *gb;
    db_stats_row_t *rows;
    case_figures_t total;
    int n;
    bh_err_t err;
    json_t *groups, *labels, *formulas;
    dt_ms_t now = svc_now();
    int y, m, d;

    if (!api_auth(r) || !api_only_params(r, params))
        return;
    unit = qs_get(&r->query, "unit");
    if (!unit)
        unit = r->user.unit;
    dt_ymd(dt_local_day(now), &y, &m, &d);
    q.from = dt_local_midnight(dt_day_from_ymd(y, 1, 1));
    q.to = now;
    if (!api_time_param(r, "from", false, &q.from) || !api_time_param(r, "to", true, &q.to))
        return;
    if (q.to <= q.from) {
        http_fail(r, BH_INVALID_ARGUMENT, "to", "统计截止时间须晚于起始时间");
        return;
    }
    q.as_of = q.to < now ? q.to : now;
    gb = qs_get(&r->query, "group_by");
    if (!gb) {
        q.group_by = DB_GROUP_NONE;
    } else if (strcmp(gb, "unit") == 0) {
        q.group_by = DB_GROUP_UNIT;
        q.key_len = unit_child_code_len(unit);
    } else if (strcmp(gb, "category") == 0) {
        q.group_by = DB_GROUP_CATEGORY;
    } else if (strcmp(gb, "source") == 0) {
        q.group_by = DB_GROUP_SOURCE;
    } else {
        http_fail(r, BH_INVALID_ARGUMENT, "group_by", "group_by 应为 unit、category 或 source");
        return;
    }
    if (svc_case_stats(s, &r->user, unit, &q, r->a, &rows, &n, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    /* The total is the sum of the groups (one scan, not two). */
    memset(&total, 0, sizeof total);
    for (int i = 0; i < n; i++)
        case_figures_add(&total, &rows[i].f);
    groups = json_array();
    for (int i = 0; q.group_by != DB_GROUP_NONE && i < n; i++) {
        json_t *g = stats_json(&rows[i].f);
        const char *name = rows[i].name;
        if (q.group_by == DB_GROUP_SOURCE)
            name = svc_source_label(rows[i].key);
        json_object_set_new(g, "key", json_string(rows[i].key ? rows[i].key : ""));
        json_object_set_new(g, "name", name ? json_string(name) : json_null());
        json_array_append_new(groups, g);
    }
    stats_legend(&labels, &formulas);
    http_json(r, 200, json_pack("{s:s, s:o, s:{s:o, s:o, s:o, s:s}, s:o, s:o, s:o, s:o}",
        "unit", unit, "group_by", gb ? json_string(gb) : json_null(),
        "period", "from", render_time(q.from), "to", render_time(q.to), "as_of", render_time(q.as_of),
        "basis", "created_at",
        "total", stats_json(&total),
        "groups", groups, "labels", labels, "formulas", formulas));
}


const http_route_t case_routes[] = {
    {"POST", "/api/v1/cases", h_case_create, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/cases", h_case_list, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/cases/{id}", h_case_get, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/cases/{id}/actions", h_case_action, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/stats/cases", h_stats, HTTP_BODY_DEFAULT},
};
const int case_nroutes = (int)(sizeof case_routes / sizeof case_routes[0]);
