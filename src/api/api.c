/*
 * api.c - the handlers of the v1 API: session, categories, cases, actions,
 * statistics, calendar, units, health and metrics.
 */
#include "api/api.h"
#include "util/xmalloc.h"

#include <ctype.h>
#include <sodium.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/open311.h"
#include "api/parse.h"
#include "api/render.h"
#include "core/object.h"
#include "geo/crs.h"
#include "util/cjk.h"

#define APP(r) (((api_t *)(r)->app)->svc)

/* ---- helpers ---- */

/* The console's session cookie: HttpOnly, so a script on the page cannot
 * read the token (docs/ROLES.md). */
#define SESSION_COOKIE "bh_session"

/*
 * The caller's token: "Authorization: Bearer …" (API clients, keys), else
 * the console's session cookie (*from_cookie set).  NULL when neither.
 */
static const char *request_token(http_req_t *r, bool *from_cookie)
{
    const char *h = http_header(r, "Authorization");
    *from_cookie = false;
    if (h && strncasecmp(h, "Bearer ", 7) == 0)
        return h + 7;
    if (h)
        return NULL;
    if ((h = http_cookie(r, SESSION_COOKIE)) && *h)
        *from_cookie = true;
    return *from_cookie ? h : NULL;
}

/* Authenticate the caller; on failure the 401 (or 403) is already set. */
static bool auth(http_req_t *r)
{
    bool cookie;
    const char *tok = request_token(r, &cookie);
    bh_err_t err;
    if (!tok) {
        http_fail(r, BH_UNAUTHENTICATED, "Authorization", "需要登录：请在 Authorization 头中提供 Bearer 令牌");
    } else if (cookie && strcmp(r->method, "GET") && strcmp(r->method, "HEAD") &&
               !http_header(r, "X-Requested-With")) {
        /* A cookie travels with any request the browser makes; a write on
         * it must prove it comes from the console's own script (besides
         * SameSite=Strict): a cross-site form cannot set this header. */
        http_fail(r, BH_PERMISSION_DENIED, "X-Requested-With",
                  "使用会话 Cookie 的写请求须带 X-Requested-With 头");
        return false;
    } else if (svc_authenticate(APP(r), tok, r->a, &r->user, &err) != BH_OK) {
        http_error(r, &err);
    } else {
        return true;
    }
    http_add_header(r, "WWW-Authenticate", "Bearer realm=\"bihuan\"");
    return false;
}

/* Refuse query parameters not in 'allowed'. */
static bool only_params(http_req_t *r, const char *const *allowed)
{
    for (int i = 0; i < r->query.n; i++) {
        int ok = 0;
        for (int k = 0; allowed[k] && !ok; k++)
            ok = strcmp(r->query.p[i].name, allowed[k]) == 0;
        if (!ok) {
            http_fail(r, BH_INVALID_ARGUMENT, r->query.p[i].name, "未知的查询参数“%s”", r->query.p[i].name);
            return false;
        }
    }
    return true;
}

bool api_auth(http_req_t *r)
{
    return auth(r);
}

bool api_only_params(http_req_t *r, const char *const *allowed)
{
    return only_params(r, allowed);
}

bool api_bool_param(http_req_t *r, const char *name, bool *out)
{
    const char *v = qs_get(&r->query, name);
    *out = v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
    if (v && !*out && strcmp(v, "false") && strcmp(v, "0")) {
        http_fail(r, BH_INVALID_ARGUMENT, name, "%s 应为 true 或 false", name);
        return false;
    }
    return true;
}

/* A positive decimal id; otherwise 404 "<what>不存在". */
static bool parse_id(http_req_t *r, const char *s, const char *what, int64_t *id)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || v <= 0) {
        http_fail(r, BH_NOT_FOUND, "id", "%s不存在", what);
        return false;
    }
    *id = v;
    return true;
}

/* A date ("2023-01-01": local midnight; as an end, the next midnight) or an instant. */
static bool time_param(http_req_t *r, const char *name, bool end, dt_ms_t *out)
{
    const char *v = qs_get(&r->query, name);
    dt_day_t d;
    if (!v)
        return true;
    if (dt_parse_date(v, &d)) {
        *out = dt_local_midnight(end ? d + 1 : d);
        return true;
    }
    if (dt_parse_instant(v, out))
        return true;
    http_fail(r, BH_INVALID_ARGUMENT, name, "参数“%s”应为日期 YYYY-MM-DD 或 RFC 3339 时刻", name);
    return false;
}

/* ---- index, health, metrics ---- */

/* Until the web console lands, "/" says what is served here. */
/* The console (web/dist/index.html); without it, a page saying so. */
static void h_index(http_req_t *r)
{
    static const char page[] =
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<title>bihuan 闭环</title></head><body>"
        "<h1>bihuan（闭环）</h1><p>API 正在运行。控制台文件未找到（用 <code>make</code> 构建，"
        "或用 <code>bihuan serve --web DIR</code> 指定目录）。</p><ul>"
        "<li><code>POST /api/v1/session</code> 登录，取得令牌</li>"
        "<li><code>GET /api/v1/cases</code> 案件列表与检索</li>"
        "<li><code>GET /api/v1/stats/cases</code> 统计</li>"
        "<li><a href=\"/healthz\">/healthz</a>、<a href=\"/metrics\">/metrics</a></li>"
        "</ul><p>接口说明见项目 docs/API.md。</p></body></html>";
    if (http_static(r, http_static_dir(r)))
        return;
    http_reply(r, 200, "text/html; charset=utf-8", page, sizeof page - 1);
}

/* What the console needs before login: the map's base layer. */
static void h_console(http_req_t *r)
{
    api_t *api = r->app;
    http_json(r, 200, json_pack("{s:s, s:s?, s:s?}", "crs",
                                api->tile_crs && *api->tile_crs ? api->tile_crs : "wgs84", "tile_url",
                                api->tile_url && *api->tile_url ? api->tile_url : NULL,
                                "tile_attribution",
                                api->tile_attribution && *api->tile_attribution ? api->tile_attribution
                                                                                : NULL));
}


static void h_healthz(http_req_t *r)
{
    static const char ok[] = "{\"status\":\"ok\"}";
    http_reply(r, 200, "application/json", ok, sizeof ok - 1);
}

/*
 * /metrics tells request volumes and case counts by state: operational
 * detail not for everyone.  It answers a scraper holding the configured
 * metrics_token (Authorization: Bearer …), or an administrator's session.
 */
static bool metrics_allowed(http_req_t *r)
{
    api_t *api = r->app;
    const char *h = http_header(r, "Authorization");
    if (h && strncasecmp(h, "Bearer ", 7) == 0 && api->metrics_token && *api->metrics_token &&
        svc_token_equal(h + 7, api->metrics_token))
        return true;
    if (!auth(r))
        return false;
    if (r->user.role != ROLE_ADMIN) {
        http_fail(r, BH_PERMISSION_DENIED, "Authorization",
                  "/metrics 只对监控令牌（metrics_token）或系统管理员开放");
        return false;
    }
    return true;
}

static void h_metrics(http_req_t *r)
{
    svc_t *s = APP(r);
    int64_t counts[CASE_ST__COUNT][SLA_LIGHT_OVERDUE + 1];
    dynbuf_t b;
    bh_err_t err;

    if (!metrics_allowed(r))
        return;
    if (svc_case_counts(s, counts, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    dynbuf_init(&b, 4 << 20);
    http_metrics_text(http_server_of(r), &b);
    dynbuf_addstr(&b, "# HELP bihuan_cases Cases by status and light.\n# TYPE bihuan_cases gauge\n");
    for (int cs = 1; cs < CASE_ST__COUNT; cs++)
        for (int l = 0; l <= SLA_LIGHT_OVERDUE; l++)
            dynbuf_printf(&b, "bihuan_cases{status=\"%s\",light=\"%s\"} %lld\n",
                          case_state_name((case_state_t)cs), sla_light_name((sla_light_t)l),
                          (long long)counts[cs][l]);
    svc_metrics_text(s, &b);
    if (dynbuf_failed(&b))
        http_fail(r, BH_INTERNAL, "", "指标文本过长");
    else
        http_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8",
                   arena_strndup(r->a, dynbuf_str(&b), dynbuf_len(&b)), dynbuf_len(&b));
    dynbuf_free(&b);
}

/* ---- session ---- */

static json_t *user_json(const db_user_t *u)
{
    return json_pack("{s:s, s:s, s:s, s:s?}", "username", u->username, "role", u->role,
                     "unit", u->unit, "display_name", u->display_name);
}

static void h_login(http_req_t *r)
{
    json_t *body;
    const char *user, *pass, *token;
    db_user_t u;
    dt_ms_t expires;
    bh_err_t err;

    if (parse_body(r->body, r->body_len, &body, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    if (parse_login(body, r->a, &user, &pass, &err) != BH_OK ||
        svc_login(APP(r), user, pass, http_client_address(r), r->a, &token, &u, &expires, &err) != BH_OK) {
        json_decref(body);
        http_error(r, &err);
        return;
    }
    json_decref(body);
    /* The console authenticates with the cookie; API clients with the token. */
    http_add_header(r, "Set-Cookie",
                    arena_printf(r->a, SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld",
                                 token, (long long)((expires - svc_now()) / 1000)));
    http_json(r, 201, json_pack("{s:s, s:o, s:o}", "token", token, "user", user_json(&u),
                                "expires_at", render_time(expires)));
}

static void h_logout(http_req_t *r)
{
    bool cookie;
    const char *tok = request_token(r, &cookie);
    if (!auth(r))
        return;
    svc_logout(APP(r), tok);
    http_add_header(r, "Set-Cookie", SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    http_reply(r, 204, NULL, "", 0);
}

/* ---- categories, units, calendar ---- */

static void h_categories(http_req_t *r)
{
    if (auth(r))
        http_json(r, 200, render_categories(APP(r)->cats));
}

static void h_units(http_req_t *r)
{
    static const char *const params[] = {"parent", NULL};
    db_unit_t *u;
    int n;
    json_t *arr;
    bh_err_t err;

    if (!auth(r) || !only_params(r, params))
        return;
    if (svc_unit_list(APP(r), qs_get(&r->query, "parent"), r->a, &u, &n, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s?, s:s, s:s, s:b}", "code", u[i].code,
                                             "parent", u[i].parent, "name", u[i].name, "type",
                                             u[i].type, "active", u[i].active));
    http_json(r, 200, json_pack("{s:o, s:n}", "items", arr, "next_cursor"));
}

static void h_calendar_year(http_req_t *r)
{
    svc_t *s = APP(r);
    char *end;
    long y = strtol(r->params[0], &end, 10);
    unsigned flags = 0;
    json_t *days;
    char buf[16];

    if (!auth(r))
        return;
    if (*end || y < DT_YEAR_MIN || y > DT_YEAR_MAX) {
        http_fail(r, BH_INVALID_ARGUMENT, "year", "年份应为 %d–%d 之间的四位数", DT_YEAR_MIN, DT_YEAR_MAX);
        return;
    }
    days = json_array();
    for (dt_day_t d = dt_day_from_ymd((int)y, 1, 1); d <= dt_day_from_ymd((int)y, 12, 31); d++) {
        const char *name = cal_day_name(s->cal, d);
        if (name)
            json_array_append_new(days, json_pack("{s:s, s:b, s:s}", "date",
                dt_format_date(d, buf, sizeof buf), "workday", cal_is_workday(s->cal, d, NULL), "name", name));
    }
    http_json(r, 200, json_pack("{s:i, s:b, s:I, s:o}", "year", (int)y, "published",
        cal_year_published(s->cal, (int)y), "workdays",
        (json_int_t)cal_count_workdays(s->cal, dt_day_from_ymd((int)y, 1, 1),
                                       dt_day_from_ymd((int)y, 12, 31), &flags), "days", days));
}

static void h_calendar_deadline(http_req_t *r)
{
    static const char *const params[] = {"start", "amount", "basis", NULL};
    svc_t *s = APP(r);
    const char *start = qs_get(&r->query, "start"), *amount = qs_get(&r->query, "amount");
    const char *basis = qs_get(&r->query, "basis");
    dt_ms_t t, res;
    double n;
    char *end;
    unsigned flags = 0;

    if (!auth(r) || !only_params(r, params))
        return;
    if (!start || !dt_parse_instant(start, &t)) {
        http_fail(r, BH_INVALID_ARGUMENT, "start", "start 应为日期或时刻，如 2025-01-24 或 2025-03-03T17:00");
        return;
    }
    n = amount ? strtod(amount, &end) : -1;
    if (!amount || *end || !(n >= 0 && n <= 36500)) {
        http_fail(r, BH_INVALID_ARGUMENT, "amount", "amount 应为 0 到 36500 之间的数");
        return;
    }
    if (!basis)
        basis = "working_days";
    if (strcmp(basis, "working_days") == 0) {
        res = dt_local_midnight(cal_add_workdays(s->cal, dt_local_day(t), (int)n, &flags) + 1) - 1;
    } else if (strcmp(basis, "civil") == 0) {
        res = dt_local_midnight(cal_civil_deadline(s->cal, dt_local_day(t), (int)n, &flags) + 1) - 1;
    } else if (strcmp(basis, "working_hours") == 0) {
        res = cal_add_work_ms(s->cal, &s->hours, t, (int64_t)(n * DT_HOUR_MS), &flags);
    } else if (strcmp(basis, "natural") == 0) {
        res = t + (int64_t)(n * DT_HOUR_MS);
    } else {
        http_fail(r, BH_INVALID_ARGUMENT, "basis", "basis 应为 working_days、working_hours、natural（小时）或 civil（自然日，民法计期）");
        return;
    }
    http_json(r, 200, json_pack("{s:o, s:f, s:s, s:o, s:b}", "start", render_time(t), "amount", n,
                                "basis", basis, "deadline", render_time(res), "schedule_published",
                                !(flags & CAL_F_UNPUBLISHED)));
}

/* ---- the unit tree ---- */

static bool admin_only(http_req_t *r)
{
    if (r->user.role == ROLE_ADMIN)
        return true;
    http_fail(r, BH_PERMISSION_DENIED, "role", "只有系统管理员(admin)可以执行此操作");
    return false;
}

static json_t *unit_json(const db_unit_t *u)
{
    return json_pack("{s:s, s:s?, s:s, s:s, s:b}", "code", u->code, "parent", u->parent, "name",
                     u->name, "type", u->type, "active", u->active);
}

static void h_unit_get(http_req_t *r)
{
    db_unit_t u, *kids;
    int n;
    bool geom;
    json_t *o, *arr;
    bh_err_t err;

    if (!auth(r))
        return;
    if (svc_unit_get(APP(r), r->params[0], r->a, &u, &kids, &n, &geom, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    o = unit_json(&u);
    json_object_set_new(o, "has_geometry", json_boolean(geom));
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, unit_json(&kids[i]));
    json_object_set_new(o, "children", arr);
    http_json(r, 200, o);
}

static void h_unit_create(http_req_t *r)
{
    static const char *const keys[] = {"code", "name", "type", "parent", NULL};
    json_t *body;
    bh_err_t err;
    const char *k;
    json_t *v;

    if (!auth(r) || !admin_only(r))
        return;
    if (parse_body(r->body, r->body_len, &body, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    json_object_foreach(body, k, v) {
        int ok = 0;
        for (int i = 0; keys[i] && !ok; i++)
            ok = strcmp(k, keys[i]) == 0;
        if (!ok || !json_is_string(v)) {
            http_fail(r, BH_INVALID_ARGUMENT, k, ok ? "字段“%s”应为字符串" : "未知字段“%s”", k);
            json_decref(body);
            return;
        }
    }
    if (svc_unit_create(APP(r), r->user.username, json_string_value(json_object_get(body, "code")),
                        json_string_value(json_object_get(body, "name")),
                        json_string_value(json_object_get(body, "type")),
                        json_string_value(json_object_get(body, "parent")), &err) != BH_OK) {
        json_decref(body);
        http_error(r, &err);
        return;
    }
    r->params[0] = arena_strdup(r->a, json_string_value(json_object_get(body, "code")));
    json_decref(body);
    http_add_header(r, "Location", arena_printf(r->a, "/api/v1/units/%s", r->params[0]));
    h_unit_get(r);
    if (r->status == 200)
        r->status = 201;
}

static void h_unit_update(http_req_t *r)
{
    json_t *body, *name, *active;
    bh_err_t err;
    svc_t *s = APP(r);
    db_unit_t u;
    bool was_active = true;

    if (!auth(r) || !admin_only(r))
        return;
    if (parse_body(r->body, r->body_len, &body, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    name = json_object_get(body, "name");
    active = json_object_get(body, "active");
    if ((name && !json_is_string(name)) || (active && !json_is_boolean(active)) ||
        json_object_size(body) != (size_t)(!!name + !!active)) {
        json_decref(body);
        http_fail(r, BH_INVALID_ARGUMENT, "body", "只能修改 name（字符串）和 active（true/false）");
        return;
    }
    if (svc_unit_get(s, r->params[0], r->a, &u, NULL, NULL, NULL, &err) == BH_OK)
        was_active = u.active;
    else if (err.status != BH_NOT_FOUND) { /* not found: the update says so */
        json_decref(body);
        http_error(r, &err);
        return;
    }
    if (svc_unit_update(s, r->user.username, r->params[0], name ? json_string_value(name) : NULL,
                        active ? json_is_true(active) : was_active, &err) != BH_OK) {
        json_decref(body);
        http_error(r, &err);
        return;
    }
    json_decref(body);
    h_unit_get(r);
}

static void h_unit_delete(http_req_t *r)
{
    if (!auth(r) || !admin_only(r))
        return;
    http_fail(r, BH_FAILED_PRECONDITION, "code",
              "单位不能删除（案件和用户引用它们）；请用 PUT {\"active\": false} 停用");
}

/* ---- users (admin) ---- */

static void h_users(http_req_t *r)
{
    svc_t *s = APP(r);
    db_user_t *u;
    int n;
    json_t *arr;
    bh_err_t err;
    if (!auth(r) || !admin_only(r))
        return;
    if (svc_user_list(s, r->a, &u, &n, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:b}", "username", u[i].username,
            "role", u[i].role, "unit", u[i].unit, "display_name", u[i].display_name,
            "phone", u[i].phone, "active", u[i].active));
    http_json(r, 200, json_pack("{s:o, s:n}", "items", arr, "next_cursor"));
}

static const char *body_str(json_t *b, const char *k)
{
    return json_string_value(json_object_get(b, k));
}

/* Every member a string (or, for "active", a boolean) from 'keys'. */
static bool body_fields(http_req_t *r, json_t *b, const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v) {
        int ok = 0;
        for (int i = 0; keys[i] && !ok; i++)
            ok = strcmp(k, keys[i]) == 0;
        if (!ok) {
            http_fail(r, BH_INVALID_ARGUMENT, k, "未知字段“%s”", k);
            return false;
        }
        if (strcmp(k, "active") == 0 ? !json_is_boolean(v) : !json_is_string(v)) {
            http_fail(r, BH_INVALID_ARGUMENT, k, "字段“%s”的类型不对", k);
            return false;
        }
    }
    return true;
}

static void h_user_add(http_req_t *r)
{
    static const char *const keys[] = {"username", "password", "role", "unit", "display_name", "phone", NULL};
    json_t *b;
    bh_err_t err;
    if (!auth(r) || !admin_only(r))
        return;
    if (parse_body(r->body, r->body_len, &b, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    if (!body_fields(r, b, keys)) {
        json_decref(b);
        return;
    }
    if (body_str(b, "username")) {
        db_user_t existing;
        bh_status_t st = svc_user_get(APP(r), body_str(b, "username"), r->a, &existing, &err);
        if (st != BH_NOT_FOUND) {
            json_decref(b);
            if (st == BH_OK)
                http_fail(r, BH_CONFLICT, "username", "用户名已存在");
            else
                http_error(r, &err);
            return;
        }
    }
    if (svc_user_put(APP(r), r->user.username, body_str(b, "username"), body_str(b, "password"),
                     body_str(b, "role"), body_str(b, "unit") ? body_str(b, "unit") : "",
                     body_str(b, "display_name"), body_str(b, "phone"), &err) != BH_OK) {
        json_decref(b);
        http_error(r, &err);
        return;
    }
    http_json(r, 201, json_pack("{s:s, s:s, s:s}", "username", body_str(b, "username"),
                                "role", body_str(b, "role"), "unit", body_str(b, "unit")));
    json_decref(b);
}

static void h_user_update(http_req_t *r)
{
    static const char *const keys[] = {"password", "role", "unit", "active", NULL};
    json_t *b, *act;
    bh_err_t err;
    if (!auth(r) || !admin_only(r))
        return;
    if (parse_body(r->body, r->body_len, &b, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    if (!body_fields(r, b, keys)) {
        json_decref(b);
        return;
    }
    act = json_object_get(b, "active");
    if (svc_user_update(APP(r), r->user.username, r->params[0], body_str(b, "role"), body_str(b, "unit"),
                        act ? json_is_true(act) : -1, body_str(b, "password"), &err) != BH_OK) {
        json_decref(b);
        http_error(r, &err);
        return;
    }
    json_decref(b);
    http_reply(r, 204, NULL, "", 0);
}

/* ---- managed objects ---- */

static json_t *object_json(const db_object_t *o)
{
    json_t *j = json_pack("{s:I, s:s, s:s?, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:b, s:o, s:o}",
        "id", (json_int_t)o->id, "kind", o->kind, "code", o->code, "name", o->name, "grid", o->grid,
        "type", o->type, "type_label", obj_type_label(o->type), "risk", o->risk,
        "risk_label", obj_risk_label(o->risk), "address", o->address, "active", o->active,
        "created_at", render_time(o->created_at), "updated_at", render_time(o->updated_at));
    json_object_set_new(j, "location", o->has_location
        ? json_pack("{s:f, s:f}", "lat", o->lat, "lng", o->lng) : json_null());
    return j;
}

/* Body fields of an object; false (400 sent) on a bad one. */
static bool object_body(http_req_t *r, json_t *b, db_object_t *o, bool create)
{
    static const char *const keys[] = {"kind", "code", "name", "grid", "type", "risk", "address",
                                       "location", "active", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v) {
        int ok = 0;
        for (int i = 0; keys[i] && !ok; i++)
            ok = strcmp(k, keys[i]) == 0;
        if (!ok || (!create && (!strcmp(k, "kind") || !strcmp(k, "code") || !strcmp(k, "grid")))) {
            http_fail(r, BH_INVALID_ARGUMENT, k, ok ? "字段“%s”不能修改" : "未知字段“%s”", k);
            return false;
        }
        if (!strcmp(k, "location")) {
            json_t *la = json_object_get(v, "lat"), *ln = json_object_get(v, "lng");
            if (!json_is_number(la) || !json_is_number(ln)) {
                http_fail(r, BH_INVALID_ARGUMENT, "location", "location 应为 {lat, lng}");
                return false;
            }
            o->has_location = true;
            o->lat = json_number_value(la);
            o->lng = json_number_value(ln);
        } else if (!strcmp(k, "active")) {
            if (!json_is_boolean(v)) {
                http_fail(r, BH_INVALID_ARGUMENT, k, "active 应为 true 或 false");
                return false;
            }
            o->active = json_is_true(v);
        } else if (!json_is_string(v)) {
            http_fail(r, BH_INVALID_ARGUMENT, k, "字段“%s”应为字符串", k);
            return false;
        } else {
            const char *sv = arena_strdup(r->a, json_string_value(v));
            if (!strcmp(k, "kind")) o->kind = sv;
            else if (!strcmp(k, "code")) o->code = sv;
            else if (!strcmp(k, "name")) o->name = sv;
            else if (!strcmp(k, "grid")) o->grid = sv;
            else if (!strcmp(k, "type")) o->type = sv;
            else if (!strcmp(k, "risk")) o->risk = sv;
            else o->address = sv;
        }
    }
    return true;
}

static void object_reply(http_req_t *r, int status, int64_t id)
{
    db_object_t o;
    bh_err_t err;
    if (svc_object_get(APP(r), &r->user, id, r->a, &o, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    http_json(r, status, object_json(&o));
}

static void h_object_save(http_req_t *r)
{
    bool create = strcmp(r->method, "POST") == 0;
    json_t *body;
    db_object_t o;
    bh_err_t err;
    memset(&o, 0, sizeof o);
    o.active = true;
    if (!auth(r) || (!create && !parse_id(r, r->params[0], "对象", &o.id)))
        return;
    if (!create) {
        /* Keep the stored active flag unless the body sets it. */
        db_object_t old;
        if (svc_object_get(APP(r), &r->user, o.id, r->a, &old, &err) == BH_OK)
            o.active = old.active;
        else if (err.status != BH_NOT_FOUND && err.status != BH_PERMISSION_DENIED) {
            http_error(r, &err);
            return;
        }
    }
    if (parse_body(r->body, r->body_len, &body, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    if (!object_body(r, body, &o, create)) {
        json_decref(body);
        return;
    }
    json_decref(body);
    if (svc_object_save(APP(r), &r->user, &o, create, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    object_reply(r, create ? 201 : 200, o.id);
}

static void h_object_get(http_req_t *r)
{
    int64_t id;
    if (!auth(r))
        return;
    if (parse_id(r, r->params[0], "对象", &id))
        object_reply(r, 200, id);
}

static void h_objects(http_req_t *r)
{
    static const char *const params[] = {"kind", "grid", "risk", "type", "limit", "cursor", NULL};
    db_object_filter_t f = {0};
    const char *grid;
    db_object_t *o;
    const char *v;
    int n;
    json_t *arr;
    bh_err_t err;

    if (!auth(r) || !only_params(r, params))
        return;
    if (r->user.role == ROLE_PUBLIC) {
        http_fail(r, BH_PERMISSION_DENIED, "role", "公众用户不能查看管理对象");
        return;
    }
    f.kind = qs_get(&r->query, "kind");
    f.risk = qs_get(&r->query, "risk");
    f.type = qs_get(&r->query, "type");
    grid = qs_get(&r->query, "grid");
    if (f.kind && obj_kind_from_name(f.kind) < 0) {
        http_fail(r, BH_INVALID_ARGUMENT, "kind", "未知的对象种类“%s”", f.kind);
        return;
    }
    if (f.risk && !obj_risk_label(f.risk)) {
        http_fail(r, BH_INVALID_ARGUMENT, "risk", "风险等级应为 red orange yellow blue");
        return;
    }
    f.limit = 50;
    if ((v = qs_get(&r->query, "limit"))) {
        char *end;
        long l = strtol(v, &end, 10);
        if (*end || l < 1 || l > 200) {
            http_fail(r, BH_INVALID_ARGUMENT, "limit", "limit 应为 1 到 200 的整数");
            return;
        }
        f.limit = (int)l;
    }
    if ((v = qs_get(&r->query, "cursor"))) {
        char *end;
        f.after_id = strtoll(v, &end, 10);
        if (*end || f.after_id <= 0) {
            http_fail(r, BH_INVALID_ARGUMENT, "cursor", "cursor 无效");
            return;
        }
    }
    f.limit++;
    if (svc_object_list(APP(r), &r->user, grid, &f, r->a, &o, &n, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    arr = json_array();
    for (int i = 0; i < n && i < f.limit - 1; i++)
        json_array_append_new(arr, object_json(&o[i]));
    http_json(r, 200, json_pack("{s:o, s:o}", "items", arr, "next_cursor",
                                n == f.limit ? json_string(arena_printf(r->a, "%lld", (long long)o[n - 2].id))
                                             : json_null()));
}

/* ---- geography ---- */

static void h_geometry_put(http_req_t *r)
{
    bh_err_t err;
    if (!auth(r) || !admin_only(r))
        return;
    if (svc_geometry_put(APP(r), r->user.username, r->params[0], r->body, r->body_len, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    http_reply(r, 204, NULL, "", 0);
}

static void h_geometry_get(http_req_t *r)
{
    const char *g;
    bh_err_t err;
    if (!auth(r))
        return;
    if (svc_geometry_get(APP(r), r->params[0], r->a, &g, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    http_reply(r, 200, "application/geo+json", g, strlen(g));
}

static bool coord_param(http_req_t *r, const char *name, double lo, double hi, double *out)
{
    const char *v = qs_get(&r->query, name);
    char *end;
    *out = v ? strtod(v, &end) : 0;
    if (!v || !*v || *end || !(*out >= lo && *out <= hi)) {
        http_fail(r, BH_INVALID_ARGUMENT, name, "%s 应为 %g 到 %g 之间的十进制度数", name, lo, hi);
        return false;
    }
    return true;
}

static void h_locate(http_req_t *r)
{
    static const char *const params[] = {"lat", "lng", "crs", NULL};
    svc_t *s = APP(r);
    double lat, lng, wlat, wlng;
    crs_t crs;
    const char *unit;
    db_unit_t u;
    bh_err_t err;

    if (!auth(r) || !only_params(r, params) || !coord_param(r, "lat", -90, 90, &lat) ||
        !coord_param(r, "lng", -180, 180, &lng))
        return;
    if (!crs_from_name(qs_get(&r->query, "crs"), &crs)) {
        http_fail(r, BH_INVALID_ARGUMENT, "crs", "crs 应为 wgs84、gcj02 或 bd09");
        return;
    }
    crs_to_wgs84(crs, lng, lat, &wlng, &wlat);
    if (svc_locate(s, wlng, wlat, r->a, &unit, &err) != BH_OK) {
        if (err.status == BH_NOT_FOUND) /* stated, not an error of the request */
            http_json(r, 200, json_pack("{s:b, s:f, s:f, s:s}", "found", 0, "lat", wlat, "lng", wlng,
                                        "message", err.message));
        else
            http_error(r, &err);
        return;
    }
    if (svc_unit_get(s, unit, r->a, &u, NULL, NULL, NULL, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    http_json(r, 200, json_pack("{s:b, s:f, s:f, s:s, s:s, s:s}", "found", 1, "lat", wlat, "lng", wlng,
                                "unit", unit, "name", u.name, "type", u.type));
}

/* ---- API keys ---- */

static void h_apikeys(http_req_t *r)
{
    svc_t *s = APP(r);
    db_apikey_t *k;
    int n;
    json_t *arr;
    bh_err_t err;
    if (!auth(r) || !admin_only(r))
        return;
    if (svc_apikey_list(s, r->a, &k, &n, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o}", "id", (json_int_t)k[i].id,
            "name", k[i].name, "role", k[i].role, "unit", k[i].unit, "created_at", render_time(k[i].created_at),
            "last_used_at", render_time(k[i].last_used_at), "revoked_at", render_time(k[i].revoked_at)));
    http_json(r, 200, json_pack("{s:o, s:n}", "items", arr, "next_cursor"));
}

static void h_apikey_add(http_req_t *r)
{
    static const char *const keys[] = {"name", "role", "unit", NULL};
    json_t *body;
    const char *name, *role, *unit, *key;
    bh_err_t err;
    if (!auth(r) || !admin_only(r))
        return;
    if (parse_body(r->body, r->body_len, &body, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    if (!body_fields(r, body, keys)) {
        json_decref(body);
        return;
    }
    name = body_str(body, "name");
    role = body_str(body, "role") ? body_str(body, "role") : "public";
    unit = body_str(body, "unit") ? body_str(body, "unit") : r->user.unit;
    if (svc_apikey_add(APP(r), r->user.username, name, role, unit, r->a, &key, &err) != BH_OK) {
        json_decref(body);
        http_error(r, &err);
        return;
    }
    http_json(r, 201, json_pack("{s:s, s:s, s:s, s:s}", "name", name, "role", role, "unit", unit,
                                "key", key));
    json_decref(body);
}

static void h_apikey_revoke(http_req_t *r)
{
    bh_err_t err;
    if (!auth(r) || !admin_only(r))
        return;
    if (svc_apikey_revoke(APP(r), r->user.username, r->params[0], &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    http_reply(r, 204, NULL, "", 0);
}

/* ---- cases ---- */

static void h_case_create(http_req_t *r)
{
    svc_t *s = APP(r);
    json_t *body;
    svc_case_new_t in;
    bool replayed;
    bh_err_t err;
    svc_case_view_t v;

    if (!auth(r))
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
    http_json(r, replayed ? 200 : 201, render_case_view(s, &r->user, &v, r->a));
}

static void h_case_get(http_req_t *r)
{
    svc_t *s = APP(r);
    svc_case_view_t v;
    int64_t id;
    bh_err_t err;

    if (!auth(r) || !parse_id(r, r->params[0], "案件", &id))
        return;
    if (svc_case_get(s, &r->user, id, r->a, &v, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    http_add_header(r, "ETag", arena_printf(r->a, "\"%lld\"", (long long)v.k.version));
    http_json(r, 200, render_case_view(s, &r->user, &v, r->a));
}

/* The version a client expects: If-Match header ("3" or "\"3\"") or body. */
static bool expected_version(http_req_t *r, int64_t body_version, int64_t *out)
{
    const char *h = http_header(r, "If-Match");
    *out = body_version;
    if (h && strcmp(h, "*") != 0) {
        char *end;
        const char *p = h[0] == 'W' && h[1] == '/' ? h + 2 : h;
        long long v;
        if (*p == '"')
            p++;
        v = strtoll(p, &end, 10);
        if (end == p || (*end && !(*end == '"' && end[1] == '\0')) || v < 0) {
            http_fail(r, BH_INVALID_ARGUMENT, "If-Match", "If-Match 应为案件版本号，如 \"3\"");
            return false;
        }
        if (body_version >= 0 && body_version != v) {
            http_fail(r, BH_INVALID_ARGUMENT, "version", "If-Match 与请求体中的 version 不一致");
            return false;
        }
        *out = v;
    }
    return true;
}

static void h_case_action(http_req_t *r)
{
    svc_t *s = APP(r);
    json_t *body;
    case_event_t ev;
    int64_t id, body_version, version;
    bh_err_t err;
    svc_case_view_t v;

    if (!auth(r) || !parse_id(r, r->params[0], "案件", &id))
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
    if (!expected_version(r, body_version, &version))
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
    if (!time_param(r, "from", false, &f->from) || !time_param(r, "to", true, &f->to))
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
     * cases this user reported (a grid worker's 我的上报). */
    {
        bool open, supervised, mine;
        if (!api_bool_param(r, "open", &open) || !api_bool_param(r, "supervised", &supervised) ||
            !api_bool_param(r, "mine", &mine))
            return false;
        if (open)
            f->open = 1;
        f->supervised = supervised;
        if (mine)
            f->created_by = r->user.username;
    }
    return true; /* the jurisdiction is svc_case_list's */
}

static void h_case_list(http_req_t *r)
{
    static const char *const params[] = {"unit", "status", "category", "source", "light", "q",
                                         "from", "to", "sort", "limit", "cursor", "handling_unit", "mine",
                                         "open", "supervised", NULL};
    svc_t *s = APP(r);
    db_case_filter_t f;
    svc_case_row_t *rows;
    int n;
    bh_err_t err;
    const char *next;
    json_t *items;

    if (!auth(r) || !only_params(r, params) || !list_filters(r, &f))
        return;
    if (svc_case_list(s, &r->user, &f, r->a, &rows, &n, &next, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, render_case_row(s, &r->user, &rows[i].k, rows[i].clocks,
                                                     rows[i].nclocks, r->a));
    http_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor",
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
    size_t ul;

    if (!auth(r) || !only_params(r, params))
        return;
    unit = qs_get(&r->query, "unit");
    if (!unit)
        unit = r->user.unit;
    dt_ymd(dt_local_day(now), &y, &m, &d);
    q.from = dt_local_midnight(dt_day_from_ymd(y, 1, 1));
    q.to = now;
    if (!time_param(r, "from", false, &q.from) || !time_param(r, "to", true, &q.to))
        return;
    if (q.to <= q.from) {
        http_fail(r, BH_INVALID_ARGUMENT, "to", "统计截止时间须晚于起始时间");
        return;
    }
    q.as_of = q.to < now ? q.to : now;
    gb = qs_get(&r->query, "group_by");
    ul = strlen(unit);
    if (!gb) {
        q.group_by = DB_GROUP_NONE;
    } else if (strcmp(gb, "unit") == 0) {
        q.group_by = DB_GROUP_UNIT;
        q.key_len = ul == 6 ? 9 : ul == 9 ? 12 : ul == 12 ? 14 : (int)ul;
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

static const http_route_t api_routes[] = {
    {"GET", "/", h_index},
    {"GET", "/healthz", h_healthz},
    {"GET", "/api/v1/console", h_console},
    {"GET", "/metrics", h_metrics},
    {"POST", "/api/v1/session", h_login},
    {"DELETE", "/api/v1/session", h_logout},
    {"GET", "/api/v1/categories", h_categories},
    {"GET", "/api/v1/units", h_units},
    {"GET", "/api/v1/calendar/deadline", h_calendar_deadline},
    {"GET", "/api/v1/calendar/{year}", h_calendar_year},
    {"POST", "/api/v1/cases", h_case_create},
    {"GET", "/api/v1/cases", h_case_list},
    {"GET", "/api/v1/cases/{id}", h_case_get},
    {"POST", "/api/v1/cases/{id}/actions", h_case_action},
    {"GET", "/api/v1/stats/cases", h_stats},
    {"GET", "/api/v1/units/{code}", h_unit_get},
    {"POST", "/api/v1/units", h_unit_create},
    {"PUT", "/api/v1/units/{code}", h_unit_update},
    {"DELETE", "/api/v1/units/{code}", h_unit_delete},
    {"PUT", "/api/v1/units/{code}/geometry", h_geometry_put},
    {"GET", "/api/v1/units/{code}/geometry", h_geometry_get},
    {"GET", "/api/v1/locate", h_locate},
    {"GET", "/api/v1/users", h_users},
    {"POST", "/api/v1/users", h_user_add},
    {"PUT", "/api/v1/users/{username}", h_user_update},
    {"GET", "/api/v1/objects", h_objects},
    {"POST", "/api/v1/objects", h_object_save},
    {"GET", "/api/v1/objects/{id}", h_object_get},
    {"PUT", "/api/v1/objects/{id}", h_object_save},
    {"GET", "/api/v1/apikeys", h_apikeys},
    {"POST", "/api/v1/apikeys", h_apikey_add},
    {"DELETE", "/api/v1/apikeys/{name}", h_apikey_revoke},
};

static http_route_t *all_routes;
static int all_nroutes;

/* The table is sized to what the modules declare: a new loop's routes
 * cannot overflow it. */
static void build_routes(void)
{
    int na = (int)(sizeof api_routes / sizeof api_routes[0]);
    all_nroutes = na + open311_nroutes + ledger_nroutes;
    all_routes = xcalloc((size_t)all_nroutes, sizeof *all_routes);
    memcpy(all_routes, api_routes, sizeof api_routes);
    memcpy(all_routes + na, open311_routes, (size_t)open311_nroutes * sizeof *all_routes);
    memcpy(all_routes + na + open311_nroutes, ledger_routes, (size_t)ledger_nroutes * sizeof *all_routes);
}

int api_all_routes(const http_route_t **out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, build_routes);
    *out = all_routes;
    return all_nroutes;
}
