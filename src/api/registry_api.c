/*
 * registry_api.c - the unit tree, users (admin), managed objects, grid
 * polygons and locating, and API keys over HTTP; the use cases are in
 * svc/registry.c and svc/registry_read.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/parse.h"
#include "api/render.h"
#include "core/object.h"
#include "geo/crs.h"
#include "util/jsonkeys.h"


static void h_units(http_req_t *r)
{
    static const char *const params[] = {"parent", NULL};
    db_unit_t *u;
    int n;
    json_t *arr;
    bh_err_t err;

    if (!api_auth(r) || !api_list_params(r, params))
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
    api_list_reply(r, json_pack("{s:o, s:n}", "items", arr, "next_cursor"));
}


/* ---- the unit tree ---- */

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

    if (!api_auth(r))
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

    if (!api_auth(r) || !api_admin_only(r))
        return;
    if (parse_body(r->body, r->body_len, &body, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    json_object_foreach(body, k, v) {
        bool ok = str_in(k, keys);
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

    if (!api_auth(r) || !api_admin_only(r))
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
    if (!api_auth(r) || !api_admin_only(r))
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
    if (!api_auth(r) || !api_admin_only(r))
        return;
    if (svc_user_list(s, r->a, &u, &n, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:b, s:o}", "username", u[i].username,
            "role", u[i].role, "unit", u[i].unit, "display_name", u[i].display_name,
            "phone", u[i].phone, "active", u[i].active,
            "object", u[i].object_id ? json_integer(u[i].object_id) : json_null()));
    api_list_reply(r, json_pack("{s:o, s:n}", "items", arr, "next_cursor"));
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
        bool ok = str_in(k, keys);
        if (!ok) {
            http_fail(r, BH_INVALID_ARGUMENT, k, "未知字段“%s”", k);
            return false;
        }
        if (strcmp(k, "active") == 0 ? !json_is_boolean(v)
            : strcmp(k, "object") == 0 ? !json_is_integer(v) : !json_is_string(v)) {
            http_fail(r, BH_INVALID_ARGUMENT, k, "字段“%s”的类型不对", k);
            return false;
        }
    }
    return true;
}

static void h_user_add(http_req_t *r)
{
    static const char *const keys[] = {"username", "password", "role", "unit", "display_name", "phone",
                                       "object", NULL};
    json_t *b;
    db_user_t made;
    bh_err_t err;
    if (!api_auth(r) || !api_admin_only(r))
        return;
    if (parse_body(r->body, r->body_len, &b, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    if (!body_fields(r, b, keys)) {
        json_decref(b);
        return;
    }
    if (body_str(b, "username")) { /* spares the password hash; the write decides */
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
    if (svc_user_create(APP(r), r->user.username, body_str(b, "username"), body_str(b, "password"),
                     body_str(b, "role"), body_str(b, "unit") ? body_str(b, "unit") : "",
                     body_str(b, "display_name"), body_str(b, "phone"),
                     json_integer_value(json_object_get(b, "object")), &err) != BH_OK ||
        svc_user_get(APP(r), body_str(b, "username"), r->a, &made, &err) != BH_OK) {
        json_decref(b);
        http_error(r, &err);
        return;
    }
    json_decref(b);
    http_json(r, 201, json_pack("{s:s, s:s, s:s, s:o}", "username", made.username, "role", made.role,
                                "unit", made.unit, "object",
                                made.object_id ? json_integer(made.object_id) : json_null()));
}

static void h_user_update(http_req_t *r)
{
    static const char *const keys[] = {"password", "role", "unit", "active", NULL};
    json_t *b, *act;
    bh_err_t err;
    if (!api_auth(r) || !api_admin_only(r))
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
    if (o->line) {
        json_t *l = json_loads(o->line, 0, NULL);
        json_object_set_new(j, "line", l ? l : json_null());
    }
    return j;
}

/* Body fields of an object; false (400 sent) on a bad one. */
static bool object_body(http_req_t *r, json_t *b, db_object_t *o, bool create)
{
    static const char *const keys[] = {"kind", "code", "name", "grid", "type", "risk", "address",
                                       "location", "active", "line", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v) {
        bool ok = str_in(k, keys);
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
        } else if (!strcmp(k, "line")) {
            /* checked by svc (geo_line_parse); stored as compact JSON */
            char *j = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            o->line = arena_strdup(r->a, j ? j : "");
            free(j);
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
    if (!api_auth(r) || (!create && !api_parse_id(r, r->params[0], "对象", &o.id)))
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
    if (!api_auth(r))
        return;
    if (api_parse_id(r, r->params[0], "对象", &id))
        object_reply(r, 200, id);
}

static void h_objects(http_req_t *r)
{
    static const char *const params[] = {"kind", "grid", "risk", "type", "limit", "cursor", NULL};
    db_object_filter_t f = {0};
    const char *grid;
    db_object_t *o;
    int n;
    json_t *arr;
    bh_err_t err;

    if (!api_auth(r) || !api_list_params(r, params))
        return;
    if (role_external(r->user.role)) {
        http_fail(r, BH_PERMISSION_DENIED, "role", "%s不能列出管理对象", role_label(r->user.role));
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
    if (!api_page_params(r, &f.limit, &f.after_id))
        return;
    f.limit++;
    if (svc_object_list(APP(r), &r->user, grid, &f, r->a, &o, &n, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    arr = json_array();
    for (int i = 0; i < n && i < f.limit - 1; i++)
        json_array_append_new(arr, object_json(&o[i]));
    api_list_reply(r, json_pack("{s:o, s:o}", "items", arr, "next_cursor",
                                api_next_id_cursor(n, f.limit - 1, n > 1 ? o[n - 2].id : 0)));
}

/* ---- geography ---- */

static void h_geometry_put(http_req_t *r)
{
    bh_err_t err;
    if (!api_auth(r) || !api_admin_only(r))
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
    if (!api_auth(r))
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

    if (!api_auth(r) || !api_only_params(r, params) || !coord_param(r, "lat", -90, 90, &lat) ||
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
    if (!api_auth(r) || !api_admin_only(r))
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
    api_list_reply(r, json_pack("{s:o, s:n}", "items", arr, "next_cursor"));
}

/* ---- the audit log's hash chain (admin) ---- */

/* The chain checked now, from the first row: a verdict either way (200);
 * a log that could not be read is an error. */
static void h_audit_verify(http_req_t *r)
{
    svc_audit_result_t res;
    bh_status_t st;
    if (!api_auth(r) || !api_admin_only(r))
        return;
    st = svc_audit_verify(APP(r), &res);
    if (st != BH_OK && st != BH_FAILED_PRECONDITION) {
        http_fail(r, st, "", "读取审计日志失败：%s", res.why);
        return;
    }
    http_json(r, 200, json_pack("{s:b, s:I, s:o, s:o, s:o}", "intact", st == BH_OK, "rows",
                                (json_int_t)res.rows,
                                "bad_seq", st == BH_OK ? json_null() : json_integer(res.bad_seq),
                                "reason", st == BH_OK ? json_null() : json_string(res.why),
                                "checked_at", render_time(svc_now())));
}

static void h_apikey_add(http_req_t *r)
{
    static const char *const keys[] = {"name", "role", "unit", NULL};
    json_t *body;
    const char *name, *role, *unit, *key;
    bh_err_t err;
    if (!api_auth(r) || !api_admin_only(r))
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
    if (!api_auth(r) || !api_admin_only(r))
        return;
    if (svc_apikey_revoke(APP(r), r->user.username, r->params[0], &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    http_reply(r, 204, NULL, "", 0);
}


const http_route_t registry_routes[] = {
    {"GET", "/api/v1/units", h_units, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/units/{code}", h_unit_get, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/units", h_unit_create, HTTP_BODY_DEFAULT},
    {"PUT", "/api/v1/units/{code}", h_unit_update, HTTP_BODY_DEFAULT},
    {"DELETE", "/api/v1/units/{code}", h_unit_delete, HTTP_BODY_DEFAULT},
    {"PUT", "/api/v1/units/{code}/geometry", h_geometry_put, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/units/{code}/geometry", h_geometry_get, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/locate", h_locate, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/users", h_users, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/users", h_user_add, HTTP_BODY_DEFAULT},
    {"PUT", "/api/v1/users/{username}", h_user_update, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/objects", h_objects, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/objects", h_object_save, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/objects/{id}", h_object_get, HTTP_BODY_DEFAULT},
    {"PUT", "/api/v1/objects/{id}", h_object_save, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/apikeys", h_apikeys, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/audit/verify", h_audit_verify, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/apikeys", h_apikey_add, HTTP_BODY_DEFAULT},
    {"DELETE", "/api/v1/apikeys/{name}", h_apikey_revoke, HTTP_BODY_DEFAULT},
};
const int registry_nroutes = (int)(sizeof registry_routes / sizeof registry_routes[0]);
