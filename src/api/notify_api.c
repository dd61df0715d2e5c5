/*
 * notify_api.c - notifications for the administrator: the document of
 * channels and rules (GET/PUT /api/v1/notifications/config, admin only:
 * it holds robot keys and signing secrets), the outbox with its dead
 * letters (GET /api/v1/notifications) and sending a dead one again
 * (POST /api/v1/notifications/{id}/retry).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/qs.h"

static void h_config_get(http_req_t *r)
{
    if (api_auth(r) && api_admin_only(r))
        api_doc_get(r, APP(r)->notify);
}

static void h_config_put(http_req_t *r)
{
    if (api_auth(r) && api_admin_only(r)) {
        api_doc_put(r, APP(r)->notify);
        APP(r)->cards_due = true; /* a red_card rule may be new */
    }
}

static json_t *ms_json(dt_ms_t t)
{
    char buf[40];
    return t ? json_string(dt_format_instant(t, buf, sizeof buf)) : json_null();
}

static json_t *render_notice(const notify_cfg_t *cfg, const db_notice_t *n)
{
    const notify_channel_t *ch = cfg ? notify_channel(cfg, n->channel) : NULL;
    int e = notify_event_from_name(n->event);
    json_t *data = n->data ? json_loads(n->data, 0, NULL) : NULL;
    return json_pack("{s:I, s:s, s:s?, s:s, s:s?, s:s?, s:s, s:s?, s:s?, s:s, s:s, s:i, s:o, "
                     "s:s?, s:o, s:o, s:o}",
                     "id", (json_int_t)n->id, "event", n->event, "event_label",
                     e >= 0 ? notify_event_label((notify_event_t)e) : NULL, "channel", n->channel,
                     "channel_name", ch ? (ch->name ? ch->name : ch->key) : NULL, "channel_type",
                     ch ? notify_kind_name(ch->kind) : NULL, "status", n->status, "unit", n->unit,
                     "ref", n->ref, "subject", n->subject, "text", n->body, "attempts", n->attempts,
                     "next_at", strcmp(n->status, "pending") == 0 ? ms_json(n->next_at) : json_null(),
                     "last_error", n->last_error, "created_at", ms_json(n->created_at), "sent_at",
                     ms_json(n->sent_at), "data", data ? data : json_null());
}

static void h_list(http_req_t *r)
{
    static const char *const params[] = {"status", "limit", "cursor", "fields", NULL};
    const char *status;
    int limit, n;
    int64_t before, counts[3];
    db_notice_t *rows;
    json_t *items;
    bh_err_t err;
    const notify_cfg_t *cfg;
    if (!api_auth(r) || !api_admin_only(r) || !api_list_params(r, params) ||
        !api_page_params(r, &limit, &before))
        return;
    status = qs_get(&r->query, "status");
    if (status && strcmp(status, "pending") && strcmp(status, "sent") && strcmp(status, "dead")) {
        http_fail(r, BH_INVALID_ARGUMENT, "status",
                  "status 应为 pending（待发送）、sent（已发送）或 dead（已放弃）");
        return;
    }
    if (svc_notices_list(APP(r), &r->user, status, before, limit + 1, r->a, &rows, &n, counts,
                         &err)) {
        http_error(r, &err);
        return;
    }
    cfg = svc_notify_cfg(APP(r), NULL);
    items = json_array();
    for (int i = 0; i < n && i < limit; i++)
        json_array_append_new(items, render_notice(cfg, &rows[i]));
    api_list_reply(r, json_pack("{s:o, s:{s:I, s:I, s:I}, s:o}", "items", items, "counts",
                                "pending", (json_int_t)counts[0], "sent", (json_int_t)counts[1],
                                "dead", (json_int_t)counts[2], "next_cursor",
                                api_next_id_cursor(n, limit, n > limit ? rows[limit - 1].id : 0)));
}

static void h_retry(http_req_t *r)
{
    int64_t id;
    db_notice_t n;
    bh_err_t err;
    if (!api_auth(r) || !api_admin_only(r) || !api_only_params(r, (const char *const[]){NULL}) ||
        !api_parse_id(r, r->params[0], "通知", &id))
        return;
    if (svc_notice_retry(APP(r), &r->user, id, r->a, &n, &err)) {
        http_error(r, &err);
        return;
    }
    http_json(r, 200, render_notice(svc_notify_cfg(APP(r), NULL), &n));
}

const http_route_t notify_routes[] = {
    {"GET", "/api/v1/notifications/config", h_config_get, HTTP_BODY_DEFAULT},
    {"PUT", "/api/v1/notifications/config", h_config_put, HTTP_BODY_UPLOAD},
    {"GET", "/api/v1/notifications", h_list, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/notifications/{id}/retry", h_retry, HTTP_BODY_DEFAULT},
};
const int notify_nroutes = (int)(sizeof notify_routes / sizeof notify_routes[0]);
