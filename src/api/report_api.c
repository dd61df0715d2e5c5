/*
 * report_api.c - the reporting loop over HTTP (DESIGN.md §9; docs/API.md
 * "Reports"): build a work summary or a bulletin (POST /api/v1/reports),
 * list and preview kept reports, download one as .docx, .pdf, .xlsx or .md
 * with its Chinese title as the file name, and schedule bulletins.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/render.h"
#include "report/doc.h"

#define LIST_MAX 200

static const char *const formats[] = {"md", "docx", "pdf", "xlsx"};

static json_t *report_json(const db_report_t *k)
{
    json_t *links = json_object();
    char buf[96];
    for (int i = 0; i < 4; i++) {
        snprintf(buf, sizeof buf, "/api/v1/reports/%lld.%s", (long long)k->id, formats[i]);
        json_object_set_new(links, formats[i], json_string(buf));
    }
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:o}", "id",
                     (json_int_t)k->id, "kind", k->kind, "kind_label",
                     strcmp(k->kind, "bulletin") == 0 ? "通报" : "工作总结", "unit", k->unit,
                     "title", k->title, "from", api_date_json(k->from_day), "to",
                     api_date_json(k->to_day), "created_at", render_time(k->created_at),
                     "created_by", k->created_by,
                     "schedule", k->schedule_id ? json_integer(k->schedule_id) : json_null(),
                     "downloads", links);
}

static void h_create(http_req_t *r)
{
    static const char *const keys[] = {"kind", "unit", "from", "to", "period", NULL};
    json_t *body;
    svc_report_req_t req = {0};
    db_report_t k;
    rpt_doc_t doc;
    bh_err_t err;
    const char *from, *to, *period;
    period_t p;
    if (!(body = api_read_body(r, keys, "sssss")))
        return;
    req.kind = api_str(body, "kind");
    req.unit = api_str(body, "unit");
    from = api_str(body, "from");
    to = api_str(body, "to");
    period = api_str(body, "period");
    if (!req.kind)
        http_fail(r, BH_INVALID_ARGUMENT, "kind", "需要 kind：summary（工作总结）或 bulletin（通报）");
    else if (period && (from || to))
        http_fail(r, BH_INVALID_ARGUMENT, "period", "period 与 from/to 只能给一种");
    else if (period && !period_parse(period, &p))
        http_fail(r, BH_INVALID_ARGUMENT, "period", "period 应为 2023、2023H1、2023Q2、2023-06 的形式");
    else if (!period && (!from || !dt_parse_date(from, &p.from)))
        http_fail(r, BH_INVALID_ARGUMENT, "from", "需要起始日期 from（YYYY-MM-DD）");
    else if (!period && (!to || !dt_parse_date(to, &p.to)))
        http_fail(r, BH_INVALID_ARGUMENT, "to", "需要截止日期 to（YYYY-MM-DD）");
    else {
        req.unit = req.unit ? req.unit : r->user.unit;
        req.from = p.from;
        req.to = p.to;
        if (svc_report_create(APP(r), &r->user, &req, r->a, &k, &doc, &err))
            http_error(r, &err);
        else
            http_json(r, 201, report_json(&k));
    }
    json_decref(body);
}

static void h_list(http_req_t *r)
{
    static const char *const params[] = {"unit", "limit", NULL};
    const char *lim;
    long limit = 50;
    db_report_t *v;
    int n;
    bh_err_t err;
    if (!api_auth(r) || !api_list_params(r, params))
        return;
    if ((lim = qs_get(&r->query, "limit"))) {
        char *end;
        limit = strtol(lim, &end, 10);
        if (*end || limit < 1 || limit > LIST_MAX) {
            http_fail(r, BH_INVALID_ARGUMENT, "limit", "limit 应为 1 到 %d", LIST_MAX);
            return;
        }
    }
    if (svc_report_list(APP(r), &r->user, qs_get(&r->query, "unit"), (int)limit, r->a, &v, &n,
                        &err)) {
        http_error(r, &err);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, report_json(&v[i]));
    api_list_reply(r, json_pack("{s:o}", "items", items));
}

/* RFC 6266 / 5987: an ASCII fallback name and the UTF-8 one, percent-encoded. */
static void disposition(http_req_t *r, const char *title, int64_t id, const char *ext)
{
    dynbuf_t b;
    char buf[128];
    dynbuf_init(&b, (size_t)64 << 10);
    snprintf(buf, sizeof buf, "attachment; filename=\"report-%lld.%s\"; filename*=UTF-8''",
             (long long)id, ext);
    dynbuf_addstr(&b, buf);
    for (const unsigned char *p = (const unsigned char *)title; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("!#$&+-.^_`|~", *p)) {
            dynbuf_add(&b, p, 1);
        } else {
            snprintf(buf, sizeof buf, "%%%02X", *p);
            dynbuf_addstr(&b, buf);
        }
    }
    dynbuf_addstr(&b, ".");
    dynbuf_addstr(&b, ext);
    /* the reply is sent after the handler returns: its parts live in r->a */
    http_add_header(r, "Content-Disposition", arena_strdup(r->a, b.buf));
    dynbuf_free(&b);
}

static void h_get(http_req_t *r)
{
    static const char *const params[] = {NULL};
    char idtext[32];
    const char *dot = strchr(r->params[0], '.');
    int fmt = -1;
    int64_t id;
    db_report_t k;
    rpt_doc_t doc;
    bh_err_t err;
    if (!api_auth(r) || !api_only_params(r, params))
        return;
    if (dot && (fmt = rpt_format_from_name(dot + 1)) < 0) {
        http_fail(r, BH_NOT_FOUND, "format", "报告格式应为 .docx、.pdf、.xlsx 或 .md");
        return;
    }
    snprintf(idtext, sizeof idtext, "%.*s", dot ? (int)(dot - r->params[0]) : 31, r->params[0]);
    if (!api_parse_id(r, idtext, "报告", &id))
        return;
    if (svc_report_get(APP(r), &r->user, id, r->a, &k, &doc, &err)) {
        http_error(r, &err);
        return;
    }
    if (fmt < 0) { /* the preview: the report and its content */
        json_t *j = report_json(&k);
        json_object_set_new(j, "content", rpt_doc_to_json(&doc));
        http_json(r, 200, j);
        return;
    }
    dynbuf_t out;
    dynbuf_init(&out, (size_t)256 << 20);
    if (rpt_write(&doc, (rpt_format_t)fmt, &out, &err) != BH_OK) {
        http_error(r, &err);
    } else {
        char *body = arena_alloc(r->a, out.len + 1);
        memcpy(body, out.buf, out.len);
        disposition(r, k.title, k.id, rpt_format_name((rpt_format_t)fmt));
        http_reply(r, 200, rpt_format_mime((rpt_format_t)fmt), body, out.len);
    }
    dynbuf_free(&out);
}

/* ---- schedules ---- */

static json_t *schedule_json(const db_schedule_t *x)
{
    static const char *const wd[] = {"", "周一", "周二", "周三", "周四", "周五", "周六", "周日"};
    char when[128];
    bool monthly = strcmp(x->every, "month") == 0;
    if (monthly)
        snprintf(when, sizeof when, "每月%d日 %02d:%02d，通报上月", x->day, x->minute / 60, x->minute % 60);
    else
        snprintf(when, sizeof when, "每%s %02d:%02d，通报上周", wd[x->day < 1 || x->day > 7 ? 0 : x->day],
                 x->minute / 60, x->minute % 60);
    char time[32];
    snprintf(time, sizeof time, "%02d:%02d", x->minute / 60, x->minute % 60);
    return json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:s, s:o, s:o, s:s, s:o}", "id",
                     (json_int_t)x->id, "kind", x->kind, "unit", x->unit, "every", x->every,
                     "day", x->day, "time", time, "label", when, "next_run",
                     render_time(x->next_at), "created_at", render_time(x->created_at),
                     "created_by", x->created_by,
                     "last_report", x->last_report ? json_integer(x->last_report) : json_null());
}

static void h_schedules(http_req_t *r)
{
    static const char *const params[] = {NULL};
    db_schedule_t *v;
    int n;
    bh_err_t err;
    if (!api_auth(r) || !api_list_params(r, params))
        return;
    if (svc_schedule_list(APP(r), &r->user, r->a, &v, &n, &err)) {
        http_error(r, &err);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, schedule_json(&v[i]));
    api_list_reply(r, json_pack("{s:o}", "items", items));
}

static void h_schedule_create(http_req_t *r)
{
    static const char *const keys[] = {"kind", "unit", "every", "day", "time", NULL};
    json_t *body;
    db_schedule_t x = {0};
    bh_err_t err;
    const char *time;
    int hh, mm;
    char tail;
    if (!(body = api_read_body(r, keys, "sssns")))
        return;
    x.kind = api_str(body, "kind");
    x.unit = api_str(body, "unit");
    x.every = api_str(body, "every");
    json_t *day = json_object_get(body, "day");
    if (day && !json_is_integer(day)) {
        http_fail(r, BH_INVALID_ARGUMENT, "day", "day 应为整数：星期 1（周一）到 7，或每月 1 到 28 日");
        json_decref(body);
        return;
    }
    x.day = day ? (int)json_integer_value(day) : 1;
    time = api_str(body, "time");
    x.kind = x.kind ? x.kind : "bulletin";
    x.unit = x.unit ? x.unit : r->user.unit;
    if (!time)
        time = "09:00";
    if (sscanf(time, "%d:%d%c", &hh, &mm, &tail) != 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59) {
        http_fail(r, BH_INVALID_ARGUMENT, "time", "时间应写作 HH:MM，如 09:00");
    } else {
        x.minute = hh * 60 + mm;
        if (svc_schedule_create(APP(r), &r->user, &x, &err))
            http_error(r, &err);
        else
            http_json(r, 201, schedule_json(&x));
    }
    json_decref(body);
}

static void h_schedule_stop(http_req_t *r)
{
    static const char *const params[] = {NULL};
    int64_t id;
    bh_err_t err;
    if (!api_auth(r) || !api_only_params(r, params) ||
        !api_parse_id(r, r->params[0], "定时通报", &id))
        return;
    if (svc_schedule_stop(APP(r), &r->user, id, &err))
        http_error(r, &err);
    else
        http_reply(r, 204, NULL, "", 0);
}

/* ---- templates ---- */

/* GET: the template a unit's reports of a kind are built with, the text as
 * stored, and whose it is (X-Bihuan-Template: unit | inherited | builtin). */
static void h_template_get(http_req_t *r)
{
    static const char *const params[] = {"unit", NULL};
    const char *json, *from, *unit;
    bh_err_t err;
    if (!api_auth(r) || !api_only_params(r, params))
        return;
    unit = qs_get(&r->query, "unit");
    unit = unit ? unit : r->user.unit;
    if (svc_report_template_of(APP(r), &r->user, r->params[0], unit, r->a, &json, &from, &err)) {
        http_error(r, &err);
        return;
    }
    http_add_header(r, "X-Bihuan-Template", !*from ? "builtin" : strcmp(from, unit) == 0 ? "unit" : "inherited");
    if (*from)
        http_add_header(r, "X-Bihuan-Template-Unit", from);
    http_reply(r, 200, "application/json; charset=utf-8", json, strlen(json));
}

/* PUT: the body is the template; DELETE: the unit inherits again. */
static void template_put(http_req_t *r, bool remove)
{
    static const char *const params[] = {"unit", NULL};
    const char *unit;
    bh_err_t err;
    if (!api_auth(r) || !api_only_params(r, params))
        return;
    unit = qs_get(&r->query, "unit");
    unit = unit ? unit : r->user.unit;
    if (svc_report_template_put(APP(r), &r->user, r->params[0], unit, remove ? NULL : r->body ? r->body : "",
                                remove ? 0 : r->body_len, &err))
        http_error(r, &err);
    else
        http_reply(r, 204, NULL, "", 0);
}

static void h_template_put(http_req_t *r)
{
    template_put(r, false);
}

static void h_template_delete(http_req_t *r)
{
    template_put(r, true);
}

const http_route_t report_routes[] = {
    {"GET", "/api/v1/reports/templates/{kind}", h_template_get, HTTP_BODY_DEFAULT},
    {"PUT", "/api/v1/reports/templates/{kind}", h_template_put, HTTP_BODY_DEFAULT},
    {"DELETE", "/api/v1/reports/templates/{kind}", h_template_delete, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/reports", h_create, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/reports", h_list, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/reports/schedules", h_schedules, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/reports/schedules", h_schedule_create, HTTP_BODY_DEFAULT},
    {"DELETE", "/api/v1/reports/schedules/{id}", h_schedule_stop, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/reports/{id}", h_get, HTTP_BODY_DEFAULT},
};
const int report_nroutes = (int)(sizeof report_routes / sizeof report_routes[0]);
