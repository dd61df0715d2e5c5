/*
 * api.c - the v1 API's shared request helpers (authentication, query
 * parameters), the handlers of the index, health, metrics, session,
 * categories and calendar, and the table of every route served.  The
 * resources have files of their own: case_api.c (cases, actions,
 * statistics), registry_api.c (units, users, objects, polygons, API keys),
 * ledger_api.c, open311.c.
 */
#include "api/api.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/open311.h"
#include "api/parse.h"
#include "api/render.h"
#include "util/dynbuf.h"
#include "util/jsonkeys.h"
#include "util/xmalloc.h"


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
static bool only_params_but(http_req_t *r, const char *const *allowed, const char *also)
{
    for (int i = 0; i < r->query.n; i++) {
        if (!str_in(r->query.p[i].name, allowed) && !(also && strcmp(r->query.p[i].name, also) == 0)) {
            http_fail(r, BH_INVALID_ARGUMENT, r->query.p[i].name, "未知的查询参数“%s”", r->query.p[i].name);
            return false;
        }
    }
    return true;
}

static bool only_params(http_req_t *r, const char *const *allowed)
{
    return only_params_but(r, allowed, NULL);
}

bool api_list_params(http_req_t *r, const char *const *allowed)
{
    return only_params_but(r, allowed, "fields");
}

#define MAX_FIELDS 32

void api_list_reply(http_req_t *r, json_t *body)
{
    const char *spec = qs_get(&r->query, "fields");
    json_t *items = json_object_get(body, "items"), *item;
    const char *want[MAX_FIELDS];
    int nwant = 0;
    size_t i;

    if (!spec || !json_is_array(items)) {
        http_json(r, 200, body);
        return;
    }
    {
        char *list = arena_strdup(r->a, spec), *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (nwant == MAX_FIELDS) {
                json_decref(body);
                http_fail(r, BH_INVALID_ARGUMENT, "fields", "fields 最多列出%d个字段", MAX_FIELDS);
                return;
            }
            want[nwant++] = t;
        }
    }
    /* a name must be a member of some item (an empty page cannot say) */
    for (int k = 0; k < nwant && json_array_size(items) > 0; k++) {
        bool seen = false;
        json_array_foreach(items, i, item)
            if ((seen = json_object_get(item, want[k]) != NULL))
                break;
        if (!seen) {
            dynbuf_t names;
            const char *key;
            json_t *v;
            dynbuf_init(&names, 2048);
            json_object_foreach(json_array_get(items, 0), key, v)
                dynbuf_printf(&names, "%s%s", dynbuf_len(&names) ? " " : "", key);
            http_fail(r, BH_INVALID_ARGUMENT, "fields", "fields 中的“%s”不是列表项的字段；可选：%s",
                      want[k], dynbuf_str(&names));
            dynbuf_free(&names);
            json_decref(body);
            return;
        }
    }
    json_array_foreach(items, i, item) {
        const char *key;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(item, tmp, key, v) {
            bool keep = false;
            for (int k = 0; k < nwant && !keep; k++)
                keep = strcmp(key, want[k]) == 0;
            if (!keep)
                json_object_del(item, key);
        }
    }
    http_json(r, 200, body);
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
bool api_parse_id(http_req_t *r, const char *s, const char *what, int64_t *id)
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
bool api_time_param(http_req_t *r, const char *name, bool end, dt_ms_t *out)
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
    json_t *j = json_pack("{s:s, s:s, s:s, s:s?}", "username", u->username, "role", u->role,
                          "unit", u->unit, "display_name", u->display_name);
    if (u->object_id) /* an enterprise account: the object it files self-checks for */
        json_object_set_new(j, "object", json_integer(u->object_id));
    return j;
}

/* Is the request's Origin (when a browser sent one) this server itself?
 * A login posted by another site's form must not plant its session
 * cookie in the victim's browser (login CSRF). */
static bool same_origin(http_req_t *r)
{
    const char *origin = http_header(r, "Origin"), *host = http_header(r, "Host"), *p;
    if (!origin)
        return true; /* not a browser's cross-site request: curl, API clients */
    if (!host || !(p = strstr(origin, "://")))
        return false;
    return strcmp(p + 3, host) == 0;
}

static void h_login(http_req_t *r)
{
    json_t *body;
    const char *user, *pass, *token;
    db_user_t u;
    dt_ms_t expires;
    bh_err_t err;

    if (!same_origin(r)) {
        http_fail(r, BH_PERMISSION_DENIED, "Origin", "不接受来自其他站点（%s）的登录请求",
                  http_header(r, "Origin"));
        return;
    }
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
                    arena_printf(r->a, SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
                                 token, (long long)((expires - svc_now()) / 1000),
                                 http_forwarded_https(r) ? "; Secure" : ""));
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

/* ---- calendar ---- */

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

json_t *api_date_json(int32_t day)
{
    char b[16];
    return json_string(dt_format_date(day, b, sizeof b));
}

/* period=2023-06 (or from/to dates); the current half-year by default. */
bool api_period_param(http_req_t *r, dt_ms_t now, period_t *p)
{
    const char *v = qs_get(&r->query, "period"), *from = qs_get(&r->query, "from"),
               *to = qs_get(&r->query, "to");
    if (v && (from || to)) {
        http_fail(r, BH_INVALID_ARGUMENT, "period", "period 与 from/to 只能给一种");
        return false;
    }
    if (v) {
        if (!period_parse(v, p)) {
            http_fail(r, BH_INVALID_ARGUMENT, "period",
                      "period 应为 2023、2023H1、2023Q2、2023-06 或 2023-06-15 的形式");
            return false;
        }
        return true;
    }
    *p = period_half(dt_local_day(now));
    if ((from && !dt_parse_date(from, &p->from)) || (to && !dt_parse_date(to, &p->to))) {
        http_fail(r, BH_INVALID_ARGUMENT, from && !dt_parse_date(from, &p->from) ? "from" : "to",
                  "日期应为 YYYY-MM-DD");
        return false;
    }
    if (p->to < p->from) {
        http_fail(r, BH_INVALID_ARGUMENT, "to", "结束日期不能早于开始日期");
        return false;
    }
    return true;
}

json_t *api_period_json(period_t p)
{
    return json_pack("{s:o, s:o}", "from", api_date_json(p.from), "to", api_date_json(p.to));
}

static const http_route_t api_routes[] = {
    {"GET", "/", h_index, HTTP_BODY_DEFAULT},
    {"GET", "/healthz", h_healthz, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/console", h_console, HTTP_BODY_DEFAULT},
    {"GET", "/metrics", h_metrics, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/session", h_login, HTTP_BODY_DEFAULT},
    {"DELETE", "/api/v1/session", h_logout, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/calendar/deadline", h_calendar_deadline, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/calendar/{year}", h_calendar_year, HTTP_BODY_DEFAULT},
};

bool api_page_params(http_req_t *r, int *limit, int64_t *after_id)
{
    const char *v;
    *limit = 50;
    *after_id = 0;
    if ((v = qs_get(&r->query, "limit"))) {
        char *end;
        long l = strtol(v, &end, 10);
        if (*end || l < 1 || l > 200) {
            http_fail(r, BH_INVALID_ARGUMENT, "limit", "limit 应为 1 到 200 的整数");
            return false;
        }
        *limit = (int)l;
    }
    if ((v = qs_get(&r->query, "cursor"))) {
        char *end;
        *after_id = strtoll(v, &end, 10);
        if (*end || *after_id <= 0) {
            http_fail(r, BH_INVALID_ARGUMENT, "cursor", "cursor 无效");
            return false;
        }
    }
    return true;
}

json_t *api_next_id_cursor(int n, int limit, int64_t last_id)
{
    char buf[24];
    if (n <= limit)
        return json_null();
    snprintf(buf, sizeof buf, "%lld", (long long)last_id);
    return json_string(buf);
}

/* A body whose members are all known and of their type (api.h
 * api_read_body). */
static bool body_typed(http_req_t *r, json_t *body, const char *const *keys, const char *types)
{
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v) {
        int i = 0;
        while (keys[i] && strcmp(keys[i], k))
            i++;
        if (!keys[i]) {
            http_fail(r, BH_INVALID_ARGUMENT, k, "未知字段“%s”", k);
            return false;
        }
        if ((types[i] == 's' && !json_is_string(v) && !json_is_null(v)) ||
            (types[i] == 'n' && !json_is_number(v)) || (types[i] == 'b' && !json_is_boolean(v)) ||
            (types[i] == 'a' && !json_is_array(v))) {
            http_fail(r, BH_INVALID_ARGUMENT, k, "字段“%s”应为%s", k,
                      types[i] == 's'   ? "字符串"
                      : types[i] == 'n' ? "数字"
                      : types[i] == 'a' ? "数组"
                                        : "true 或 false");
            return false;
        }
    }
    return true;
}

/* The request's JSON object body, signed in and type-checked against
 * keys/types; NULL once the error has been answered. */
json_t *api_read_body(http_req_t *r, const char *const *keys, const char *types)
{
    json_t *body;
    bh_err_t err;
    if (!api_auth(r))
        return NULL;
    if (parse_body(r->body, r->body_len, &body, &err) != BH_OK) {
        http_error(r, &err);
        return NULL;
    }
    if (!body_typed(r, body, keys, types)) {
        json_decref(body);
        return NULL;
    }
    return body;
}

bool api_prefer_minimal(http_req_t *r)
{
    const char *p = http_header_all(r, "Prefer");
    /* RFC 7240: a list of token[=value][;params]; the first "return" counts */
    while (p && *p) {
        const char *e;
        p += strspn(p, " \t,");
        for (e = p; *e && *e != ','; e++)
            if (*e == '"') { /* a quoted value may hold a comma */
                for (e++; *e && *e != '"'; e++)
                    if (*e == '\\' && e[1])
                        e++;
                if (!*e)
                    break;
            }
        if (strncasecmp(p, "return", 6) == 0 && (p[6] == '=' || p[6] == ' ' || p[6] == '\t')) {
            const char *v = p + 6 + strspn(p + 6, " \t");
            if (*v != '=')
                return false;
            v += 1 + strspn(v + 1, " \t\"");
            return strncasecmp(v, "minimal", 7) == 0 && !isalnum((unsigned char)v[7]) &&
                   v[7] != '-' && v[7] != '_';
        }
        p = *e ? e + 1 : e;
    }
    return false;
}

/* The version a client expects: If-Match header ("3" or "\"3\"") or body. */
bool api_expected_version(http_req_t *r, int64_t body_version, int64_t *out)
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
            http_fail(r, BH_INVALID_ARGUMENT, "If-Match", "If-Match 应为版本号，如 \"3\"");
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

bool api_admin_only(http_req_t *r)
{
    if (r->user.role == ROLE_ADMIN)
        return true;
    http_fail(r, BH_PERMISSION_DENIED, "role", "只有系统管理员(admin)可以执行此操作");
    return false;
}

const char *api_str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static http_route_t *all_routes;
static int all_nroutes;

/* The table is sized to what the modules declare: a new loop's routes
 * cannot overflow it. */
static void build_routes(void)
{
    const struct {
        const http_route_t *routes;
        int n;
    } mods[] = {
        {api_routes, (int)(sizeof api_routes / sizeof api_routes[0])},
        {open311_routes, open311_nroutes},
        {ledger_routes, ledger_nroutes},
        {case_routes, case_nroutes},
        {registry_routes, registry_nroutes},
        {category_routes, category_nroutes},
        {attachment_routes, attachment_nroutes},
        {notify_routes, notify_nroutes},
        {patrol_routes, patrol_nroutes},
        {target_routes, target_nroutes},
        {project_routes, project_nroutes},
        {report_routes, report_nroutes},
    };
    int k = 0;
    for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++)
        all_nroutes += mods[i].n;
    all_routes = xcalloc((size_t)all_nroutes, sizeof *all_routes);
    for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++) {
        memcpy(all_routes + k, mods[i].routes, (size_t)mods[i].n * sizeof *all_routes);
        k += mods[i].n;
    }
}

int api_all_routes(const http_route_t **out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, build_routes);
    *out = all_routes;
    return all_nroutes;
}

void api_doc_get(http_req_t *r, svc_doc_t *d)
{
    const char *text;
    bool imported;
    bh_err_t err;
    if (!api_auth(r))
        return;
    if (r->user.role == ROLE_PUBLIC) { /* an enterprise reads its checklists */
        http_fail(r, BH_PERMISSION_DENIED, "role", "公众用户不能查看配置");
        return;
    }
    if (svc_doc_text(APP(r), d, r->a, &text, &imported, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    http_add_header(r, "X-Bihuan-Config", imported ? "imported" : "builtin");
    http_reply(r, 200, "application/json; charset=utf-8", text, strlen(text));
}

void api_doc_put(http_req_t *r, svc_doc_t *d)
{
    bh_err_t err;
    if (!api_auth(r))
        return;
    if (svc_doc_import(APP(r), d, &r->user, r->body, r->body_len, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    http_reply(r, 204, NULL, "", 0);
}
