/*
 * patrol_api.c - the patrol loop over HTTP (DESIGN.md §9; docs/API.md):
 * check-ins, due patrols, hazards and their rectification, the patrol
 * figures, and the patrol configuration (plans and checklists).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/parse.h"
#include "api/render.h"
#include "core/object.h"
#include "util/jsonkeys.h"


static const char *severity_label(const char *s)
{
    return s && strcmp(s, "major") == 0 ? "重大隐患" : "一般隐患";
}

static const char *const hazard_status[] = {"open", "rectified", "cancelled"};
static const char *const hazard_status_label[] = {"待整改", "已整改", "已撤销"};

static json_t *hazard_json(svc_t *s, const db_hazard_t *h, dt_ms_t now)
{
    sla_light_t l = svc_hazard_light(s, h, now);
    int st = h->status >= 0 && h->status <= DB_HAZARD_CANCELLED ? h->status : 0;
    return json_pack(
        "{s:I, s:I, s:I, s:s?, s:s?, s:s, s:s, s:s, s:s?, s:s, s:b, s:b, s:o, s:o, s:s, s:s,"
        " s:s, s:s, s:o, s:s?, s:s?, s:o, s:s?, s:s?, s:s?, s:I}",
        "id", (json_int_t)h->id, "patrol", (json_int_t)h->patrol_id, "object",
        (json_int_t)h->object_id, "object_name", h->object_name, "object_kind", h->object_kind,
        "grid", h->grid, "severity", h->severity, "severity_label", severity_label(h->severity),
        "type", h->type, "description", h->description, "self_check", h->self_check, "on_spot",
        h->on_spot, "found_at", render_time(h->found_at), "deadline", api_date_json(h->deadline),
        "status", hazard_status[st], "status_label", hazard_status_label[st], "light",
        sla_light_name(l), "light_label", sla_light_label(l), "rectified_at",
        render_time(h->rectified_at), "rectified_by", h->rectified_by, "note", h->note, "case",
        h->case_id ? json_integer(h->case_id) : json_null(), "case_status", h->case_status,
        "supervisor", h->supervisor, "plan", h->plan, "version", (json_int_t)h->version);
}

static json_t *flags_json(const char *flags)
{
    json_t *arr = json_array();
    const char *p = flags;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        json_array_append_new(arr, json_stringn(p, n));
        p = e ? e + 1 : NULL;
    }
    return arr;
}

static json_t *patrol_json(svc_t *s, const db_patrol_t *p, const db_hazard_t *hz, int nhz,
                           dt_ms_t now)
{
    json_t *j, *answers = p->answers ? json_loads(p->answers, 0, NULL) : NULL;
    j = json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s?, s:b, s:o, s:o, s:o, s:o, s:s?, s:b}",
                  "id", (json_int_t)p->id, "client_id", p->client_id, "created_by", p->created_by,
                  "object", (json_int_t)p->object_id, "object_kind", p->object_kind, "grid",
                  p->grid, "risk", p->risk, "self_check", p->self_check, "at", render_time(p->at),
                  "received_at", render_time(p->received_at), "flags", flags_json(p->flags),
                  "answers", answers ? answers : json_object(), "note", p->note, "late", p->late);
    json_object_set_new(j, "location",
                        p->has_location
                            ? json_pack("{s:f, s:f, s:o}", "lat", p->lat, "lng", p->lng, "accuracy",
                                        p->accuracy >= 0 ? json_real(p->accuracy) : json_null())
                            : json_null());
    json_object_set_new(j, "distance_m",
                        p->distance_m >= 0 ? json_integer((json_int_t)(p->distance_m + 0.5))
                                           : json_null());
    if (p->track) {
        json_t *t = json_loads(p->track, 0, NULL);
        json_object_set_new(j, "track", t ? t : json_null());
        json_object_set_new(j, "track_m", json_integer((json_int_t)(p->track_m + 0.5)));
        json_object_set_new(j, "duration_s", json_integer(p->duration_s));
    }
    /* a section with a line: the share of it the track covered (0..1) */
    json_object_set_new(j, "section_covered",
                        p->covered >= 0 ? json_real((double)(int64_t)(p->covered * 1000 + 0.5) / 1000)
                                        : json_null());
    if (hz) {
        json_t *arr = json_array();
        for (int i = 0; i < nhz; i++)
            json_array_append_new(arr, hazard_json(s, &hz[i], now));
        json_object_set_new(j, "hazards", arr);
    } else {
        json_object_set_new(j, "hazard_count", json_integer(p->nhazards));
    }
    return j;
}

/* ---- check-ins ---- */

static void h_patrol_create(http_req_t *r)
{
    svc_t *s = APP(r);
    json_t *body;
    svc_patrol_new_t in;
    svc_patrol_view_t v;
    bool replayed;
    bh_err_t err;

    if (!api_auth(r))
        return;
    if (parse_body(r->body, r->body_len, &body, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    if (parse_patrol_new(body, r->a, &in, &err) != BH_OK ||
        svc_patrol_create(s, &r->user, &in, r->a, &v, &replayed, &err) != BH_OK) {
        json_decref(body);
        http_error(r, &err);
        return;
    }
    json_decref(body);
    if (replayed)
        http_add_header(r, "Idempotent-Replayed", "true");
    http_json(r, replayed ? 200 : 201, patrol_json(s, &v.p, v.hazards, v.nhazards, svc_now()));
}

static void h_patrol_get(http_req_t *r)
{
    svc_t *s = APP(r);
    int64_t id;
    svc_patrol_view_t v;
    bh_err_t err;
    if (!api_auth(r) || !api_parse_id(r, r->params[0], "巡查记录", &id))
        return;
    if (svc_patrol_get(s, &r->user, id, r->a, &v, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    {
        json_t *j = patrol_json(s, &v.p, v.hazards, v.nhazards, svc_now()), *files = json_array();
        for (int i = 0; i < v.nfiles; i++)
            json_array_append_new(files, render_attachment(&r->user, &v.files[i]));
        json_object_set_new(j, "attachments", files);
        http_json(r, 200, j);
    }
}

static bool object_param(http_req_t *r, int64_t *id)
{
    const char *v = qs_get(&r->query, "object");
    char *end;
    *id = 0;
    if (!v)
        return true;
    *id = strtoll(v, &end, 10);
    if (*end || *id <= 0) {
        http_fail(r, BH_INVALID_ARGUMENT, "object", "object 应为对象 id");
        return false;
    }
    return true;
}

static void h_patrols(http_req_t *r)
{
    static const char *const params[] = {"unit", "object", "from", "to", "limit", "cursor", NULL};
    svc_t *s = APP(r);
    db_patrol_filter_t f = {0};
    db_patrol_t *p;
    int n;
    json_t *arr;
    bh_err_t err;
    dt_ms_t now = svc_now();

    if (!api_auth(r) || !api_list_params(r, params) || !object_param(r, &f.object_id) ||
        !api_time_param(r, "from", false, &f.from) || !api_time_param(r, "to", true, &f.to) ||
        !api_page_params(r, &f.limit, &f.after_id))
        return;
    f.limit++;
    if (svc_patrol_list(s, &r->user, qs_get(&r->query, "unit"), &f, r->a, &p, &n, &err)) {
        http_error(r, &err);
        return;
    }
    arr = json_array();
    for (int i = 0; i < n && i < f.limit - 1; i++)
        json_array_append_new(arr, patrol_json(s, &p[i], NULL, 0, now));
    api_list_reply(r, json_pack("{s:o, s:o}", "items", arr, "next_cursor",
                                api_next_id_cursor(n, f.limit - 1, n > 1 ? p[n - 2].id : 0)));
}

static void h_due(http_req_t *r)
{
    static const char *const params[] = {"unit", "period", "from", "to", "status", "kind", NULL};
    svc_t *s = APP(r);
    dt_ms_t now = svc_now();
    period_t p;
    svc_due_row_t *rows;
    int n;
    json_t *arr;
    patrol_tally_t total = {0};
    const char *want = qs_get(&r->query, "status"), *kind = qs_get(&r->query, "kind");
    bh_err_t err;

    if (!api_auth(r) || !api_only_params(r, params) || !api_period_param(r, now, &p))
        return;
    if (kind && obj_kind_from_name(kind) < 0) {
        http_fail(r, BH_INVALID_ARGUMENT, "kind", "未知的对象种类“%s”", kind);
        return;
    }
    if (svc_patrol_due(s, &r->user, qs_get(&r->query, "unit"), p, now, r->a, &rows, &n, &err)) {
        http_error(r, &err);
        return;
    }
    arr = json_array();
    for (int i = 0; i < n; i++) {
        const svc_due_row_t *d = &rows[i];
        json_t *j;
        if ((want && strcmp(want, d->status) != 0) || (kind && strcmp(kind, d->o.kind) != 0))
            continue;
        total.due += d->t.due, total.done += d->t.done, total.on_time += d->t.on_time;
        total.late += d->t.late, total.missed += d->t.missed, total.pending += d->t.pending;
        j = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:s,"
                      " s:o}",
                      "object", (json_int_t)d->o.id, "name", d->o.name, "kind", d->o.kind, "grid",
                      d->o.grid, "risk", d->risk, "risk_label", obj_risk_label(d->risk), "address",
                      d->o.address, "due", (json_int_t)d->t.due, "done", (json_int_t)d->t.done,
                      "on_time", (json_int_t)d->t.on_time, "late", (json_int_t)d->t.late,
                      "missed", (json_int_t)d->t.missed, "pending", (json_int_t)d->t.pending,
                      "status", d->status, "last_patrol_at", render_time(d->last_at));
        json_object_set_new(j, "location",
                            d->o.has_location
                                ? json_pack("{s:f, s:f}", "lat", d->o.lat, "lng", d->o.lng)
                                : json_null());
        json_object_set_new(
            j, "current",
            d->has_current
                ? json_pack("{s:o, s:o, s:i, s:i}", "from", api_date_json(d->current.from), "to",
                            api_date_json(d->current.to), "needed", d->current_needed, "done",
                            d->current_done)
                : json_null());
        json_array_append_new(arr, j);
    }
    http_json(r, 200,
              json_pack("{s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:o}", "period",
                        api_period_json(p), "as_of", render_time(now), "unit",
                        qs_get(&r->query, "unit") ? json_string(qs_get(&r->query, "unit"))
                                                  : json_null(),
                        "total", "due", (json_int_t)total.due, "done", (json_int_t)total.done,
                        "on_time", (json_int_t)total.on_time, "late", (json_int_t)total.late,
                        "missed", (json_int_t)total.missed, "pending", (json_int_t)total.pending,
                        "items", arr));
}

/* ---- hazards ---- */

static void h_hazards(http_req_t *r)
{
    static const char *const params[] = {"unit", "status", "severity", "object", "patrol",
                                         "source", "from", "to", "light", "limit", "cursor",
                                         NULL};
    svc_t *s = APP(r);
    db_hazard_filter_t f = {{0}, 0, 0, NULL, -1, -1, 0, 0, 0, 0};
    const char *v, *light = qs_get(&r->query, "light");
    db_hazard_t *h;
    int n, shown = 0, limit;
    json_t *arr;
    dt_ms_t now = svc_now();
    bh_err_t err;

    if (!api_auth(r) || !api_list_params(r, params) || !object_param(r, &f.object_id) ||
        !api_time_param(r, "from", false, &f.from) || !api_time_param(r, "to", true, &f.to) ||
        !api_page_params(r, &f.limit, &f.after_id))
        return;
    if ((v = qs_get(&r->query, "status"))) {
        for (int i = 0; i <= DB_HAZARD_CANCELLED; i++)
            if (strcmp(v, hazard_status[i]) == 0)
                f.status = i;
        if (f.status < 0) {
            http_fail(r, BH_INVALID_ARGUMENT, "status", "status 应为 open、rectified 或 cancelled");
            return;
        }
    }
    if ((f.severity = qs_get(&r->query, "severity")) && strcmp(f.severity, "general") != 0 &&
        strcmp(f.severity, "major") != 0) {
        http_fail(r, BH_INVALID_ARGUMENT, "severity", "severity 应为 general 或 major");
        return;
    }
    if ((v = qs_get(&r->query, "source"))) {
        if (strcmp(v, "patrol") != 0 && strcmp(v, "self_check") != 0) {
            http_fail(r, BH_INVALID_ARGUMENT, "source", "source 应为 patrol（政府巡查）或 self_check（企业自查）");
            return;
        }
        f.self_check = strcmp(v, "self_check") == 0;
    }
    if ((v = qs_get(&r->query, "patrol"))) {
        char *end;
        f.patrol_id = strtoll(v, &end, 10);
        if (*end || f.patrol_id <= 0) {
            http_fail(r, BH_INVALID_ARGUMENT, "patrol", "patrol 应为巡查记录 id");
            return;
        }
    }
    if (light) {
        bool known = false;
        for (int l = SLA_LIGHT_GREEN; l <= SLA_LIGHT_OVERDUE; l++)
            known = known || strcmp(light, sla_light_name((sla_light_t)l)) == 0;
        if (!known) {
            http_fail(r, BH_INVALID_ARGUMENT, "light", "light 应为 green、yellow、red 或 overdue");
            return;
        }
        f.status = DB_HAZARD_OPEN;
        limit = f.limit;
        f.limit = 0; /* the light is computed: filter after reading */
    } else {
        limit = f.limit;
        f.limit++;
    }
    if (svc_hazard_list(s, &r->user, qs_get(&r->query, "unit"), &f, r->a, &h, &n, &err)) {
        http_error(r, &err);
        return;
    }
    arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *j;
        if (light && strcmp(light, sla_light_name(svc_hazard_light(s, &h[i], now))) != 0)
            continue;
        if (shown == limit) {
            shown++;
            break;
        }
        j = hazard_json(s, &h[i], now);
        json_array_append_new(arr, j);
        shown++;
    }
    api_list_reply(r, json_pack("{s:o, s:o}", "items", arr, "next_cursor",
                        api_next_id_cursor(shown, limit,
                                           json_array_size(arr)
                                               ? json_integer_value(json_object_get(
                                                     json_array_get(arr, json_array_size(arr) - 1),
                                                     "id"))
                                               : 0)));
}

static void h_hazard_get(http_req_t *r)
{
    svc_t *s = APP(r);
    int64_t id;
    db_hazard_t h;
    bh_err_t err;
    if (!api_auth(r) || !api_parse_id(r, r->params[0], "隐患", &id))
        return;
    if (svc_hazard_get(s, &r->user, id, r->a, &h, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    http_json(r, 200, hazard_json(s, &h, svc_now()));
}

static void h_hazard_action(http_req_t *r)
{
    static const char *const keys[] = {"action", "note", "version", NULL};
    svc_t *s = APP(r);
    int64_t id, version = -1;
    json_t *body, *v;
    const char *k;
    db_hazard_t h;
    bh_err_t err;
    if (!api_auth(r) || !api_parse_id(r, r->params[0], "隐患", &id))
        return;
    if (parse_body(r->body, r->body_len, &body, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    json_object_foreach(body, k, v) {
        bool ok = str_in(k, keys);
        if (!ok || (strcmp(k, "version") && !json_is_string(v)) ||
            (!strcmp(k, "version") && !json_is_integer(v))) {
            http_fail(r, BH_INVALID_ARGUMENT, k, ok ? "字段“%s”类型不对" : "未知字段“%s”", k);
            json_decref(body);
            return;
        }
    }
    if ((v = json_object_get(body, "version")))
        version = json_integer_value(v);
    if (svc_hazard_act(s, &r->user, id, json_string_value(json_object_get(body, "action")),
                       json_string_value(json_object_get(body, "note")), version, r->a, &h,
                       &err) != BH_OK) {
        json_decref(body);
        http_error(r, &err);
        return;
    }
    http_json(r, 200, hazard_json(s, &h, svc_now())); /* h.note is the body's */
    json_decref(body);
}

/* ---- figures ---- */

static json_t *figures_json(const svc_patrol_figures_t *f)
{
    static const char *const rates[] = {"coverage", "on_time_rate", "rectification_rate",
                                        "rectified_on_time_rate", "section_coverage_rate"};
    json_t *j = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
        "objects", (json_int_t)f->objects, "due", (json_int_t)f->t.due, "done",
        (json_int_t)f->t.done, "on_time", (json_int_t)f->t.on_time, "late", (json_int_t)f->t.late,
        "missed", (json_int_t)f->t.missed, "pending", (json_int_t)f->t.pending, "visits",
        (json_int_t)f->visits, "hazards", (json_int_t)f->hazards, "hazards_major",
        (json_int_t)f->hazards_major, "rectified", (json_int_t)f->rectified, "rectified_on_time",
        (json_int_t)f->rectified_on_time, "overdue", (json_int_t)f->overdue, "cases",
        (json_int_t)f->cases, "self_checks", (json_int_t)f->self_checks, "self_check_hazards",
        (json_int_t)f->self_check_hazards);
    /* the rates as svc_patrol_figure computes them, so derived indicators agree */
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        double v;
        json_object_set_new(j, rates[i], svc_patrol_figure(f, rates[i], &v) ? json_real(v) : json_null());
    }
    json_object_set_new(j, "track_km", json_real((double)(int64_t)(f->track_m / 10 + 0.5) / 100));
    json_object_set_new(j, "section_patrols", json_integer((json_int_t)f->section_patrols));
    json_object_set_new(j, "sections_covered", json_integer((json_int_t)f->sections_covered));
    return j;
}

static void h_stats(http_req_t *r)
{
    static const char *const params[] = {"unit", "from", "to", "period", "group_by", NULL};
    svc_t *s = APP(r);
    dt_ms_t now = svc_now();
    period_t p;
    const char *gb = qs_get(&r->query, "group_by"), *unit = qs_get(&r->query, "unit");
    int by = SVC_PATROL_GROUP_NONE, n;
    svc_patrol_figures_t *rows, total;
    json_t *groups;
    bh_err_t err;

    if (!api_auth(r) || !api_only_params(r, params) || !api_period_param(r, now, &p))
        return;
    if (gb) {
        if (!strcmp(gb, "unit"))
            by = SVC_PATROL_GROUP_UNIT;
        else if (!strcmp(gb, "kind"))
            by = SVC_PATROL_GROUP_KIND;
        else if (!strcmp(gb, "risk"))
            by = SVC_PATROL_GROUP_RISK;
        else {
            http_fail(r, BH_INVALID_ARGUMENT, "group_by", "group_by 应为 unit、kind 或 risk");
            return;
        }
    }
    if (!unit && r->user.role != ROLE_ADMIN)
        unit = r->user.unit;
    if (by == SVC_PATROL_GROUP_UNIT && !unit) {
        http_fail(r, BH_INVALID_ARGUMENT, "unit", "按单位分组须指明 unit");
        return;
    }
    if (svc_patrol_stats(s, &r->user, unit, p, by, now, r->a, &rows, &n, &err)) {
        http_error(r, &err);
        return;
    }
    memset(&total, 0, sizeof total);
    groups = json_array();
    for (int i = 0; i < n; i++) {
        const svc_patrol_figures_t *f = &rows[i];
        total.objects += f->objects, total.visits += f->visits, total.self_checks += f->self_checks;
        total.t.due += f->t.due, total.t.done += f->t.done, total.t.on_time += f->t.on_time;
        total.t.late += f->t.late, total.t.missed += f->t.missed, total.t.pending += f->t.pending;
        total.hazards += f->hazards, total.hazards_major += f->hazards_major;
        total.self_check_hazards += f->self_check_hazards, total.rectified += f->rectified;
        total.rectified_on_time += f->rectified_on_time, total.overdue += f->overdue;
        total.cases += f->cases, total.track_m += f->track_m;
        total.section_patrols += f->section_patrols, total.sections_covered += f->sections_covered;
        if (by != SVC_PATROL_GROUP_NONE) {
            json_t *g = figures_json(f);
            json_object_set_new(g, "key", json_string(f->key));
            json_object_set_new(g, "name", f->name ? json_string(f->name) : json_null());
            json_array_append_new(groups, g);
        }
    }
    http_json(
        r, 200,
        json_pack(
            "{s:o, s:o, s:{s:o, s:o, s:o}, s:o, s:o, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
            " s:s}, s:{s:s, s:s, s:s, s:s, s:s}}",
            "unit", unit ? json_string(unit) : json_null(), "group_by",
            gb ? json_string(gb) : json_null(), "period", "from", api_date_json(p.from), "to",
            api_date_json(p.to), "as_of", render_time(now), "total", figures_json(&total), "groups",
            groups, "labels", "objects", "管理对象数", "due", "应巡查次数", "done", "已巡查次数",
            "visits", "巡查家次", "hazards", "巡查发现隐患", "self_check_hazards", "自查隐患",
            "rectified", "已整改隐患", "cases", "重大隐患立案数", "section_patrols", "河段林段巡查次数",
            "sections_covered", "轨迹覆盖河段林段的巡查次数", "formulas", "coverage",
            "覆盖率 = 已巡查次数（按时 + 补巡）÷ 应巡查次数；应巡查次数 = 期间内截止的巡查周期所需次数",
            "on_time_rate", "按时巡查率 = 按时巡查次数 ÷ 应巡查次数",
            "rectification_rate", "整改率 = 已整改隐患 ÷（巡查发现隐患 + 自查隐患），隐患按发现时间计入期间",
            "rectified_on_time_rate", "按期整改率 = 在整改期限内整改的隐患 ÷（巡查发现隐患 + 自查隐患）",
            "section_coverage_rate",
            "轨迹覆盖率 = 轨迹覆盖河段林段的巡查次数 ÷ 河段林段巡查次数；轨迹在 50 米以内经过河段林段走向长度的 60% 及以上才算覆盖，未覆盖的巡查不计入已巡查次数"));
}

/* ---- configuration ---- */

static void h_config_get(http_req_t *r)
{
    api_doc_get(r, APP(r)->patrol);
}

static void h_config_put(http_req_t *r)
{
    api_doc_put(r, APP(r)->patrol);
}

const http_route_t patrol_routes[] = {
    {"POST", "/api/v1/patrols", h_patrol_create, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/patrols", h_patrols, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/patrols/due", h_due, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/patrols/{id}", h_patrol_get, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/hazards", h_hazards, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/hazards/{id}", h_hazard_get, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/hazards/{id}/actions", h_hazard_action, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/stats/patrols", h_stats, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/patrol/config", h_config_get, HTTP_BODY_DEFAULT},
    {"PUT", "/api/v1/patrol/config", h_config_put, HTTP_BODY_UPLOAD},
};
const int patrol_nroutes = (int)(sizeof patrol_routes / sizeof patrol_routes[0]);
