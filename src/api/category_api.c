/*
 * category_api.c - the categories and their SLA policies: read by anyone
 * signed in; edited by the administrator, each edit a new version in
 * force for cases reported from then on (svc/categories.c).
 *
 *   GET /api/v1/categories                      the version in force (ETag: its number)
 *   PUT /api/v1/categories                      a whole new document
 *   GET /api/v1/categories/document             its text, as data/categories.json
 *   GET /api/v1/categories/versions             every version, newest first
 *   PUT /api/v1/categories/policies/{key}       the amounts of some of a policy's clocks
 *
 * The writes take If-Match (or "version" in the policy's body): the
 * version the editor saw; another edit since gets 409.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/render.h"


static void reply_current(http_req_t *r, int status)
{
    svc_catver_t cur = {0};
    svc_categories_current(APP(r), &cur);
    /* the header keeps the pointer until the answer is sent: the arena's */
    http_add_header(r, "ETag", arena_printf(r->a, "\"%d\"", cur.version));
    http_json(r, status, render_categories(&cur));
}

static void h_categories(http_req_t *r)
{
    if (api_auth(r))
        reply_current(r, 200);
}

static void h_document(http_req_t *r)
{
    svc_catver_t cur = {0};
    if (!api_auth(r) || !api_admin_only(r))
        return;
    svc_categories_current(APP(r), &cur);
    if (!cur.body) {
        http_fail(r, BH_FAILED_PRECONDITION, "", "案件类别尚未写入数据库");
        return;
    }
    http_add_header(r, "ETag", arena_printf(r->a, "\"%d\"", cur.version));
    http_reply(r, 200, "application/json; charset=utf-8", cur.body, strlen(cur.body));
}

static void h_versions(http_req_t *r)
{
    svc_catver_t *v, cur = {0};
    json_t *items;
    int n;
    if (!api_auth(r) || !api_admin_only(r))
        return;
    svc_categories_current(APP(r), &cur);
    n = svc_categories_versions(APP(r), r->a, &v);
    items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:i, s:s, s:o, s:o, s:s, s:b}", "version",
                                               v[i].version, "source", v[i].source, "at",
                                               render_time(v[i].at), "by",
                                               v[i].by ? json_string(v[i].by) : json_null(),
                                               "digest", v[i].digest, "in_force",
                                               v[i].version == cur.version));
    http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The If-Match version as an int (0: none given). */
static bool expected(http_req_t *r, int64_t body_version, int *out)
{
    int64_t v;
    if (!api_expected_version(r, body_version, &v))
        return false;
    if (v == 0 || v > 1000000000) {
        http_fail(r, BH_INVALID_ARGUMENT, "version", "版本号应为 1 起的整数");
        return false;
    }
    *out = v < 0 ? 0 : (int)v;
    return true;
}

static void h_put_document(http_req_t *r)
{
    svc_catver_t out;
    bh_err_t err = {0};
    int expect;
    if (!api_auth(r) || !api_admin_only(r) || !expected(r, -1, &expect))
        return;
    if (svc_categories_put(APP(r), &r->user, r->body, r->body_len, expect, NULL, &out, &err)) {
        http_error(r, &err);
        return;
    }
    reply_current(r, 200);
}

static void h_put_policy(http_req_t *r)
{
    static const char *const keys[] = {"clocks", "version", NULL};
    svc_catver_t out;
    bh_err_t err = {0};
    int expect;
    json_t *body, *ver;
    if (!api_auth(r) || !api_admin_only(r) || !(body = api_read_body(r, keys, "an")))
        return;
    ver = json_object_get(body, "version");
    if (ver && (!json_is_integer(ver) || json_integer_value(ver) < 1)) {
        json_decref(body);
        http_fail(r, BH_INVALID_ARGUMENT, "version", "version 应为 1 起的整数");
        return;
    }
    if (!expected(r, ver ? json_integer_value(ver) : -1, &expect)) {
        json_decref(body);
        return;
    }
    if (svc_policy_put(APP(r), &r->user, r->params[0], json_object_get(body, "clocks"), expect,
                       &out, &err)) {
        json_decref(body);
        http_error(r, &err);
        return;
    }
    json_decref(body);
    reply_current(r, 200);
}

const http_route_t category_routes[] = {
    {"GET", "/api/v1/categories", h_categories, HTTP_BODY_DEFAULT},
    {"PUT", "/api/v1/categories", h_put_document, HTTP_BODY_UPLOAD},
    {"GET", "/api/v1/categories/document", h_document, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/categories/versions", h_versions, HTTP_BODY_DEFAULT},
    {"PUT", "/api/v1/categories/policies/{key}", h_put_policy, HTTP_BODY_DEFAULT},
};
const int category_nroutes = (int)(sizeof category_routes / sizeof category_routes[0]);
