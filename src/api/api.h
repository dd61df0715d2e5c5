/*
 * api.h - the HTTP JSON API of DESIGN.md §6 over the services.
 */
#ifndef BH_API_H
#define BH_API_H

#include "api/http.h"
#include "svc/svc.h"

typedef struct {
    svc_t *svc;
    const char *tile_url, *tile_attribution; /* the console map's base layer, "" for none */
    const char *tile_crs;      /* the base layer's coordinate system: wgs84 gcj02 bd09 */
    const char *metrics_token; /* a scraper's bearer token for /metrics ("" or NULL: admins only) */
} api_t;

/* The services behind a request. */
#define APP(r) (((api_t *)(r)->app)->svc)

/* For the handlers in other files (ledger_api.c): authenticate the
 * bearer token (false: the 401 is set), and refuse unknown query
 * parameters (false: the 400 is set). */
bool api_auth(http_req_t *r);
bool api_only_params(http_req_t *r, const char *const *allowed);
/* A list endpoint's check: 'allowed' and fields= (api_list_reply). */
bool api_list_params(http_req_t *r, const char *const *allowed);
/* Answer 200 with a list, body {"items": [...], ...} (taken).  With
 * fields=a,b every item keeps only those members; a name no item has is
 * 400 naming the members there are. */
void api_list_reply(http_req_t *r, json_t *body);
/* A true/false (or 1/0) query parameter; absent is false; false when it
 * is neither (the 400 is set). */
bool api_bool_param(http_req_t *r, const char *name, bool *out);

/* A positive decimal id from a path (false: the 404 "<what>不存在" is set). */
bool api_parse_id(http_req_t *r, const char *s, const char *what, int64_t *id);
/* A date ("2023-01-01": local midnight; as an end, the next midnight) or
 * an RFC 3339 instant; absent leaves *out (false: the 400 is set). */
bool api_time_param(http_req_t *r, const char *name, bool end, dt_ms_t *out);

/* limit (1..200, default 50) and an id cursor ("ids below"); false: the 400 is set. */
bool api_page_params(http_req_t *r, int *limit, int64_t *after_id);
/* The id-cursor page's next_cursor: the last id shown when there were more. */
json_t *api_next_id_cursor(int n, int limit, int64_t last_id);

/* period=2023-06 (or from/to dates; the current half-year by default as
 * of 'now'); false: the 400 is set. */
bool api_period_param(http_req_t *r, dt_ms_t now, period_t *p);
json_t *api_period_json(period_t p);
json_t *api_date_json(int32_t day); /* "2023-06-30" */

/* The request's JSON object body, signed in and type-checked: every
 * member named in keys (NULL-terminated), of types[i] - 's' a string (or
 * null), 'n' a number, 'b' a boolean, 'a' an array.  NULL once the error
 * has been answered; else the caller owns the body. */
json_t *api_read_body(http_req_t *r, const char *const *keys, const char *types);
/* The version a client expects: If-Match ("3" or "\"3\"") or body_version
 * (-1: none given; both given must agree).  false once answered (400). */
bool api_expected_version(http_req_t *r, int64_t body_version, int64_t *out);
/* The client asks for a short answer to a write: RFC 7240's
 * "Prefer: return=minimal" (among other preferences, any case). */
bool api_prefer_minimal(http_req_t *r);
/* The caller is the administrator; else 403, answered. */
bool api_admin_only(http_req_t *r);
/* A string member of o, or NULL. */
const char *api_str(json_t *o, const char *k);

/* A configuration document (the patrol plans, the target loop's rules):
 * GET the text in force, with X-Bihuan-Config: imported|builtin (not for
 * the public), and PUT a replacement (the administrator; 204). */
void api_doc_get(http_req_t *r, svc_doc_t *d);
void api_doc_put(http_req_t *r, svc_doc_t *d);

/* Each resource's routes: ledger_api.c, case_api.c, registry_api.c,
 * patrol_api.c, target_api.c, project_api.c. */
extern const http_route_t ledger_routes[];
extern const int ledger_nroutes;
extern const http_route_t case_routes[];
extern const int case_nroutes;
extern const http_route_t registry_routes[];
extern const int registry_nroutes;
extern const http_route_t category_routes[];
extern const int category_nroutes;
extern const http_route_t attachment_routes[];
extern const int attachment_nroutes;
extern const http_route_t notify_routes[];
extern const int notify_nroutes;
extern const http_route_t patrol_routes[];
extern const int patrol_nroutes;
extern const http_route_t target_routes[];
extern const int target_nroutes;
extern const http_route_t project_routes[];
extern const int project_nroutes;
extern const http_route_t report_routes[];
extern const int report_nroutes;

/* Every route served: the v1 API and Open311.  Returns the count. */
int api_all_routes(const http_route_t **out);

#endif
