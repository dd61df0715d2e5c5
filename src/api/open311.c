/*
 * open311.c - Open311 GeoReport v2: discovery, services, service
 * definitions, requests (create, list, one), tokens and the FixMyStreet
 * service request updates (read, and post a citizen's comment), each as
 * .xml or .json.
 *
 * Every response is first built as a jansson tree and then written either
 * as JSON (lists as bare arrays) or as XML (element names from the spec; a
 * list member "attributes" holds <attribute> items, etc.).  Errors follow
 * the spec: the HTTP status plus <errors><error><code/><description/>
 * </error></errors> or [{"code":…,"description":…}], never HTML.
 */
#include "api/open311.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/render.h"
#include "core/unitcode.h"

#define CHANGESET "2026-11-29T00:00:00+08:00"
#define MAX_DAYS 90
/* A page of anonymous reads (the page's cases and histories are read in
 * one go; each history is replayed) */
#define MAX_PAGE 100
#define MAX_PAGE_EXT 20 /* with extensions=true (the public notes) */
#define MAX_UPDATES 1000 /* servicerequestupdates in one window */

/* ---- output ---- */

struct buf {
    char *p;
    size_t len, cap;
    arena_t *a;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *np = arena_alloc(b->a, cap);
        if (b->len)
            memcpy(np, b->p, b->len);
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_escaped(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': puts_(b, "&amp;"); break;
        case '<': puts_(b, "&lt;"); break;
        case '>': puts_(b, "&gt;"); break;
        case '"': puts_(b, "&quot;"); break;
        case '\'': puts_(b, "&apos;"); break;
        default: /* XML 1.0 has no other control characters: a space */
            put(b, (unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r' ? " " : s, 1);
        }
    }
}

/* The element name of one item of a list member. */
static const char *item_name(const char *list)
{
    static const char *const map[][2] = {
        {"services", "service"}, {"service_requests", "request"}, {"errors", "error"},
        {"attributes", "attribute"}, {"values", "value"}, {"endpoints", "endpoint"},
        {"formats", "format"}, {"notes", "note"}, {"service_request_updates", "request_update"},
        {"tokens", "request"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(list, map[i][0]) == 0)
            return map[i][1];
    return "item";
}

static void xml_value(struct buf *b, const char *name, json_t *v);

static void xml_children(struct buf *b, const char *name, json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        json_object_foreach(v, k, c)
            xml_value(b, k, c);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c)
            xml_value(b, item_name(name), c);
    }
}

static void xml_value(struct buf *b, const char *name, json_t *v)
{
    char num[64];
    puts_(b, "<");
    puts_(b, name);
    puts_(b, ">");
    if (json_is_string(v)) {
        put_escaped(b, json_string_value(v));
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        puts_(b, num);
    } else if (json_is_real(v)) {
        snprintf(num, sizeof num, "%.7f", json_real_value(v));
        puts_(b, num);
    } else if (json_is_boolean(v)) {
        puts_(b, json_is_true(v) ? "true" : "false");
    } else {
        xml_children(b, name, v);
    }
    puts_(b, "</");
    puts_(b, name);
    puts_(b, ">");
}

/* Send 'v' (stolen) as XML (root element 'root') or JSON. */
static void reply(http_req_t *r, int status, bool xml, const char *root, json_t *v)
{
    struct buf b = {NULL, 0, 0, r->a};
    if (!xml) { /* reals are coordinates: 7 decimals, never 22.559602999999999 */
        char *s = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(10));
        size_t n = s ? strlen(s) : 0;
        const char *copy = arena_strndup(r->a, s ? s : "", n);
        free(s);
        json_decref(v);
        http_reply(r, status, "application/json; charset=utf-8", copy, n);
        return;
    }
    puts_(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml_value(&b, root, v);
    json_decref(v);
    http_reply(r, status, "text/xml; charset=utf-8", b.p, b.len);
}

static void o311_error(http_req_t *r, bool xml, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* GeoReport's error list for 'msg' - cut back to whole UTF-8 characters
 * if a bound cut one (a NULL string would leave an empty body). */
static json_t *error_list(int status, char *msg)
{
    json_t *d;
    size_t n = strlen(msg);
    while (!(d = json_string(msg)) && n > 0)
        msg[--n] = '\0';
    return json_pack("[{s:i, s:o}]", "code", status, "description", d ? d : json_string(""));
}

static void o311_error(http_req_t *r, bool xml, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    reply(r, status, xml, "errors", error_list(status, msg));
}

void open311_error_reply(http_req_t *r, int status, const bh_err_t *e)
{
    size_t n = strlen(r->path);
    bool json = n >= 5 && strcmp(r->path + n - 5, ".json") == 0;
    char msg[sizeof e->message];
    snprintf(msg, sizeof msg, "%s", e->message[0] ? e->message : bh_status_name(e->status));
    reply(r, status, !json, "errors", error_list(status, msg));
}

/* The format from the route's {fmt}; false (404 sent) when unknown. */
static bool format(http_req_t *r, int idx, bool *xml)
{
    const char *f = r->params[idx];
    if (strcmp(f, "xml") == 0) {
        *xml = true;
        return true;
    }
    if (strcmp(f, "json") == 0) {
        *xml = false;
        return true;
    }
    *xml = true;
    o311_error(r, true, 404, "unknown format '%s': use .xml or .json", f); /* GeoReport's default */
    return false;
}

/* The optional jurisdiction_id must be ours (the root district). */
static bool jurisdiction_ok(http_req_t *r, bool xml, const char *jid)
{
    db_unit_t u;
    bh_err_t err;
    bh_status_t st;
    if (!jid || !*jid)
        return true;
    st = svc_unit_get(APP(r), jid, r->a, &u, NULL, NULL, NULL, &err);
    if (st == BH_OK && !u.parent)
        return true;
    if (st == BH_OK || st == BH_NOT_FOUND)
        o311_error(r, xml, 404, "jurisdiction_id '%s' is not served here", jid);
    else
        o311_error(r, xml, 503, "the service is busy; try again");
    return false;
}

static const cat_t *public_service(svc_t *s, const char *code)
{
    const cat_t *c = cat_find(s->cats, code);
    return c && c->open311 ? c : NULL;
}

/* ---- discovery, services ---- */

static const char *base_url(http_req_t *r)
{
    const char *host = http_header(r, "Host");
    return arena_printf(r->a, "http://%s/open311/v2", host ? host : "127.0.0.1:8080");
}

static void h_discovery(http_req_t *r)
{
    bool xml;
    if (!format(r, 0, &xml))
        return;
    reply(r, 200, xml, "discovery", json_pack(
        "{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:[s, s]}]}",
        "changeset", CHANGESET,
        "contact", "示范区城市运行管理指挥中心，电话 12345",
        "key_service", "API 密钥由系统管理员发放：bihuan apikey add",
        "endpoints", "specification", "http://wiki.open311.org/GeoReport_v2",
        "url", base_url(r), "changeset", CHANGESET, "type", "production",
        "formats", "text/xml", "application/json"));
}

static json_t *service_json(const cat_t *c)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "service_code", c->code,
                     "service_name", c->name, "description",
                     c->service_description ? c->service_description : c->name,
                     "metadata", c->nattrs > 0, "type", "realtime", "keywords",
                     c->keywords ? c->keywords : "", "group", c->group ? c->group : "");
}

static void h_services(http_req_t *r)
{
    svc_t *s = APP(r);
    const cat_set_t *set;
    json_t *arr;
    bool xml;
    if (!format(r, 0, &xml) || !jurisdiction_ok(r, xml, qs_get(&r->query, "jurisdiction_id")))
        return;
    arr = json_array();
    set = s->cats; /* once: an edit may put another in force meanwhile */
    for (int i = 0; i < set->ncats; i++)
        if (set->cats[i].open311)
            json_array_append_new(arr, service_json(&set->cats[i]));
    reply(r, 200, xml, "services", arr);
}

static void h_service_definition(http_req_t *r)
{
    svc_t *s = APP(r);
    const cat_t *c;
    json_t *attrs;
    bool xml;
    if (!format(r, 1, &xml) || !jurisdiction_ok(r, xml, qs_get(&r->query, "jurisdiction_id")))
        return;
    if (!(c = public_service(s, r->params[0]))) {
        o311_error(r, xml, 404, "service_code '%s' not found", r->params[0]);
        return;
    }
    attrs = json_array();
    for (int i = 0; i < c->nattrs; i++) {
        const cat_attr_t *at = &c->attrs[i];
        json_t *o = json_pack("{s:b, s:s, s:s, s:b, s:s, s:i, s:s}", "variable", at->variable,
                              "code", at->code, "datatype", cat_attr_type_name(at->datatype),
                              "required", at->required, "datatype_description",
                              at->datatype_description ? at->datatype_description : "",
                              "order", at->order, "description", at->description);
        if (at->nvalues) {
            json_t *vals = json_array();
            for (int k = 0; k < at->nvalues; k++)
                json_array_append_new(vals, json_pack("{s:s, s:s}", "key", at->values[k].key,
                                                      "name", at->values[k].name));
            json_object_set_new(o, "values", vals);
        }
        json_array_append_new(attrs, o);
    }
    reply(r, 200, xml, "service_definition",
          json_pack("{s:s, s:o}", "service_code", c->code, "attributes", attrs));
}

/* ---- a request as Open311 sees it ---- */

static bool is_closed(case_state_t st)
{
    return st == CASE_ST_CLOSED || st == CASE_ST_REJECTED;
}

/* Words in a refusal's reason that say the case is another body's. */
static const char *const elsewhere[] = {"不属", "非本", "管辖", "职责", "其他部门", "移交", "转交", NULL};

/*
 * The extended status FixMyStreet reads (its servicerequestupdates
 * extension) for state st after the first nev events: 结案 is fixed; a
 * refusal is duplicate (merged), not_councils_responsibility (its reason
 * says the case is another body's) or no_further_action - never fixed.
 */
static const char *extended_status(case_state_t st, const case_event_t *ev, int nev)
{
    switch (st) {
    case CASE_ST_REPORTED: return "open";
    case CASE_ST_REGISTERED:
    case CASE_ST_SUSPENDED: return "investigating";
    case CASE_ST_DISPATCHED: return "action_scheduled";
    case CASE_ST_ACCEPTED:
    case CASE_ST_HANDLED: return "in_progress";
    case CASE_ST_CLOSED: return "fixed";
    case CASE_ST_REJECTED:
        for (int i = nev - 1; i >= 0; i--) {
            if (ev[i].action == CASE_ACT_MERGE)
                return "duplicate";
            if (ev[i].action != CASE_ACT_REJECT)
                continue;
            for (int k = 0; ev[i].reason && elsewhere[k]; k++)
                if (strstr(ev[i].reason, elsewhere[k]))
                    return "not_councils_responsibility";
            break;
        }
        return "no_further_action";
    default: return "open";
    }
}

/* The units a response names (agency_responsible) and places requests in
 * (a grid's inner point), each read once per response. */
struct place {
    const char *code, *name; /* name NULL: unknown (decoration: left out) */
    bool point;              /* a grid with a polygon: lat/lng inside it */
    double lat, lng;
};

struct places {
    svc_t *s;
    arena_t *a;
    int n;
    struct place p[128]; /* past that, read again */
};

static void places_init(struct places *ps, http_req_t *r)
{
    ps->s = APP(r);
    ps->a = r->a;
    ps->n = 0;
}

static const struct place *place_of(struct places *ps, const char *code, struct place *spare)
{
    struct place *p = spare;
    db_unit_t u;
    for (int i = 0; i < ps->n; i++)
        if (strcmp(ps->p[i].code, code) == 0)
            return &ps->p[i];
    if (ps->n < (int)(sizeof ps->p / sizeof ps->p[0]))
        p = &ps->p[ps->n++];
    memset(p, 0, sizeof *p);
    p->code = code;
    if (svc_unit_get(ps->s, code, ps->a, &u, NULL, NULL, NULL, NULL) == BH_OK)
        p->name = u.name;
    p->point = unit_code_is_grid(code) &&
               svc_unit_point(ps->s, code, ps->a, &p->lng, &p->lat, NULL) == BH_OK;
    return p;
}

/* "已派遣：请尽快处置" - the detailed state and the latest note. */
/*
 * What of a case's history the public reads: the steps a citizen follows
 * (reported, registered or refused, dispatched, accepted, handled, closed,
 * merged, reopened, rated) - not returns, rework, suspensions, extensions
 * or supervision - and of their words only the reason of a refusal and
 * the handling result, and citizens' comments (posted through Open311);
 * dispatch notes, verification remarks and grid workers' descriptions
 * stay internal.  *text: the public words or NULL.
 */
static bool public_event(const case_event_t *e, const char **text)
{
    *text = NULL;
    switch (e->action) {
    case CASE_ACT_REJECT:
    case CASE_ACT_MERGE: *text = e->reason; return true;
    case CASE_ACT_HANDLE: *text = e->result; return true;
    case CASE_ACT_COMMENT:
    case CASE_ACT_REOPEN_REQUEST: /* a citizen's own words are public; a grid worker's not */
        if (e->role != ROLE_PUBLIC)
            return false;
        *text = e->note;
        return true;
    case CASE_ACT_REPORT:
    case CASE_ACT_REGISTER:
    case CASE_ACT_DISPATCH:
    case CASE_ACT_ACCEPT:
    case CASE_ACT_VERIFY_PASS:
    case CASE_ACT_RATE:
    case CASE_ACT_REOPEN: return true;
    default: return false;
    }
}

/* The detailed state and the council's latest public words (not a
 * citizen's comment: that is not the council speaking). */
static const char *status_notes(const svc_case_view_t *v, arena_t *a)
{
    const char *note = NULL;
    for (int i = v->nevents - 1; i >= 0 && !note; i--)
        if (v->events[i].action != CASE_ACT_COMMENT && v->events[i].action != CASE_ACT_REOPEN_REQUEST)
            public_event(&v->events[i], &note);
    return note ? arena_printf(a, "%s：%s", case_state_label(v->k.status), note)
                : case_state_label(v->k.status);
}

static dt_ms_t expected(const svc_case_view_t *v)
{
    for (int i = 0; i < v->policy->nclocks; i++)
        if (v->policy->clock[i].stop & (1u << CASE_ACT_VERIFY_PASS))
            return v->clocks[i].started ? v->clocks[i].deadline : 0;
    return v->k.due_at;
}

static json_t *or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The case attributes' member holding what a client sent beyond the
 * service's own attributes (never an attribute code: [a-z0-9_]). */
#define O311_UNKNOWN_KEY "x-unknown"

/* What anyone reads of a case's own text: a request's own words when it
 * came in through Open311 (*own); for a case an operator published, the
 * public description given with the latest 公开 - a grid worker's or the
 * hotline's description, photo and extra fields stay internal. */
static const char *public_description(const svc_case_view_t *v, bool *own)
{
    if ((*own = svc_case_via_open311(&v->k)))
        return v->k.description;
    for (int i = v->nevents - 1; i >= 0; i--)
        if (v->events[i].action == CASE_ACT_PUBLISH && v->events[i].note)
            return v->events[i].note;
    return ""; /* published under older rules without a text: nothing of the internal one */
}

static json_t *request_json(struct places *ps, const svc_case_view_t *v, bool extensions)
{
    bool own;
    const char *description = public_description(v, &own);
    svc_t *s = ps->s;
    arena_t *a = ps->a;
    const cat_t *cat = svc_case_category(s, &v->k);
    struct place spare;
    const struct place *agency = v->k.handling_unit ? place_of(ps, v->k.handling_unit, &spare) : NULL;
    json_t *o = json_object();

    json_object_set_new(o, "service_request_id", json_string(arena_printf(a, "%lld", (long long)v->k.id)));
    json_object_set_new(o, "status", json_string(is_closed(v->k.status) ? "closed" : "open"));
    /* FixMyStreet's extension: the extended status and bihuan's own state */
    json_object_set_new(o, "extended_status",
                        json_string(extended_status(v->k.status, v->events, v->nevents)));
    json_object_set_new(o, "external_status_code", json_string(case_state_name(v->k.status)));
    json_object_set_new(o, "status_notes", json_string(status_notes(v, a)));
    json_object_set_new(o, "service_name", json_string(cat ? cat->name : v->k.category));
    json_object_set_new(o, "service_code", json_string(v->k.category));
    json_object_set_new(o, "description", json_string(description));
    json_object_set_new(o, "agency_responsible", or_null(agency ? agency->name : NULL));
    json_object_set_new(o, "service_notice", json_string(arena_printf(a, "案件编号 %s", svc_case_number(&v->k, a))));
    json_object_set_new(o, "requested_datetime", render_time(v->k.created_at));
    json_object_set_new(o, "updated_datetime", render_time(v->k.updated_at));
    json_object_set_new(o, "expected_datetime", render_time(expected(v)));
    json_object_set_new(o, "address", or_null(v->k.address));
    json_object_set_new(o, "address_id", json_string(v->k.unit));
    json_object_set_new(o, "zipcode", json_null());
    {
        /* a request without a point is shown inside its grid; omitted, not
         * null, when it is not placed in a grid, or the grid has no polygon */
        const struct place *grid = v->k.has_location ? NULL : place_of(ps, v->k.unit, &spare);
        if (v->k.has_location || grid->point) {
            json_object_set_new(o, "lat", json_real(round((grid ? grid->lat : v->k.lat) * 1e7) / 1e7));
            json_object_set_new(o, "long", json_real(round((grid ? grid->lng : v->k.lng) * 1e7) / 1e7));
        }
    }
    json_object_set_new(o, "media_url", or_null(own ? v->k.media_url : NULL));
    if (extensions) {
        json_t *notes = json_array(), *ext;
        json_error_t je;
        json_t *attrs = own && v->k.attributes ? json_loads(v->k.attributes, 0, &je) : NULL;
        if (attrs) /* what a client sent beyond the service's own: for operators only */
            json_object_del(attrs, O311_UNKNOWN_KEY);
        /* rework and supervision (督办) are internal workflow: not here */
        ext = json_pack("{s:s, s:s, s:o}", "detailed_status", case_state_name(v->k.status),
                        "detailed_status_label", case_state_label(v->k.status), "attributes",
                        attrs ? attrs : json_object());
        for (int i = 0; i < v->nevents; i++) {
            const case_event_t *e = &v->events[i];
            const char *text;
            if (!public_event(e, &text))
                continue;
            json_array_append_new(notes, json_pack("{s:o, s:s, s:s, s:s}", "datetime", render_time(e->at),
                "type", case_action_name(e->action), "summary", case_action_label(e->action),
                "description", text ? text : ""));
        }
        json_object_set_new(o, "extended_attributes", ext);
        json_object_set_new(o, "notes", notes);
    }
    return o;
}

/* The public cases (of a public service) f selects, or with f NULL those
 * of ids[]: *v and *n.  False, after answering 503, if the read failed. */
static bool public_cases(http_req_t *r, bool xml, const db_case_filter_t *f, const int64_t *ids,
                         int nids, svc_case_view_t **v, int *n)
{
    svc_t *s = APP(r);
    int kept = 0;
    if (svc_case_views_public(s, f, ids, nids, r->a, v, n, NULL) != BH_OK) {
        o311_error(r, xml, 503, "could not read the requests; try again");
        return false;
    }
    for (int i = 0; i < *n; i++)
        if (public_service(s, (*v)[i].k.category))
            (*v)[kept++] = (*v)[i];
    *n = kept;
    return true;
}

/* One public case: *v NULL when there is none; false after a 503. */
static bool public_case(http_req_t *r, bool xml, int64_t id, svc_case_view_t **v)
{
    int n;
    if (!public_cases(r, xml, NULL, &id, 1, v, &n))
        return false;
    if (n != 1)
        *v = NULL;
    return true;
}

static bool want_extensions(const qs_t *q)
{
    const char *e = qs_get(q, "extensions");
    return e && strcmp(e, "true") == 0;
}

static void h_request_one(http_req_t *r)
{
    svc_case_view_t *v = NULL;
    struct places ps;
    char *end;
    long long id = strtoll(r->params[0], &end, 10);
    bool xml;
    if (!format(r, 1, &xml) || !jurisdiction_ok(r, xml, qs_get(&r->query, "jurisdiction_id")))
        return;
    if (!*end && id > 0 && !public_case(r, xml, id, &v))
        return;
    if (!v) {
        o311_error(r, xml, 404, "service_request_id '%s' not found", r->params[0]);
        return;
    }
    places_init(&ps, r);
    reply(r, 200, xml, "service_requests",
          json_pack("[o]", request_json(&ps, v, want_extensions(&r->query))));
}

static void h_token(http_req_t *r)
{
    svc_case_view_t *v = NULL;
    const char *tok = r->params[0];
    long long id = strlen(tok) > 8 ? strtoll(tok + 8, NULL, 10) : 0;
    bool xml;
    if (!format(r, 1, &xml) || !jurisdiction_ok(r, xml, qs_get(&r->query, "jurisdiction_id")))
        return;
    /* Requests are created at once (realtime): a token is the case number. */
    if (id > 0 && !public_case(r, xml, id, &v))
        return;
    if (!v || strcmp(svc_case_number(&v->k, r->a), tok) != 0) {
        o311_error(r, xml, 404, "token '%s' not found", tok);
        return;
    }
    reply(r, 200, xml, "service_requests",
          json_pack("[{s:s, s:s}]", "service_request_id",
                    arena_printf(r->a, "%lld", id), "token", tok));
}

/* ---- parameters ---- */

/* Query parameters and, for POST, the form body; body values win. */
static bool params(http_req_t *r, bool xml, qs_t *out)
{
    bh_err_t err;
    const char *ct = http_header(r, "Content-Type");
    *out = r->query;
    if (r->body_len == 0)
        return true;
    if (ct && strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
        o311_error(r, xml, 400, "the body must be application/x-www-form-urlencoded (UTF-8)");
        return false;
    }
    {
        qs_t body;
        if (qs_parse(r->body, r->body_len, r->a, &body, &err) != BH_OK) {
            o311_error(r, xml, 400, "bad form body: %s", err.message);
            return false;
        }
        for (int i = 0; i < body.n; i++) {
            if (out->n == QS_MAX_PARAMS) {
                o311_error(r, xml, 400, "too many parameters");
                return false;
            }
            /* Prepend, so that qs_get finds the body's value first. */
            memmove(&out->p[1], &out->p[0], (size_t)out->n * sizeof out->p[0]);
            out->p[0] = body.p[body.n - 1 - i];
            out->n++;
        }
    }
    return true;
}

/* o as compact JSON text in the request's arena; o is released. */
static const char *json_text(json_t *o, arena_t *a)
{
    char *dump = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    const char *text = dump ? arena_strdup(a, dump) : NULL;
    free(dump);
    json_decref(o);
    return text;
}

/* The start of every POST: the format, the parameters (query and form),
 * the jurisdiction and the API key ('what' names the call in the 403). */
static bool posted(http_req_t *r, bool *xml, qs_t *q, svc_user_t *who, const char *what)
{
    const char *key;
    bh_err_t err;
    if (!format(r, 0, xml) || !params(r, *xml, q) ||
        !jurisdiction_ok(r, *xml, qs_get(q, "jurisdiction_id")))
        return false;
    if (!(key = qs_get(q, "api_key")) || !*key) {
        o311_error(r, *xml, 403, "api_key is required to %s", what);
        return false;
    }
    if (svc_apikey_auth(APP(r), key, r->a, who, &err) != BH_OK) {
        o311_error(r, *xml, 403, "api_key is invalid or revoked");
        return false;
    }
    return true;
}

/* The description, within the case's own limit (so no later refusal). */
static bool description(http_req_t *r, bool xml, const qs_t *q, const char **desc)
{
    *desc = qs_get(q, "description");
    if (*desc && strlen(*desc) > CASE_TEXT_MAX) {
        o311_error(r, xml, 400, "description is longer than %d bytes (about %d Chinese characters)",
                   CASE_TEXT_MAX, CASE_TEXT_MAX / 3);
        return false;
    }
    return true;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool parse_number(const char *s, double *out)
{
    char *end;
    if (!s || !*s)
        return false;
    *out = strtod(s, &end);
    return !*end && isfinite(*out);
}

/* Check attribute[CODE] / attribute[CODE][] against the service's
 * definition; on success *json is the attributes as a JSON object. */
/* The attributes a client may send that the service does not define
 * (FixMyStreet sends every extra field of its own): kept as given. */
#define O311_UNKNOWN_MAX 50

static bool attributes(http_req_t *r, bool xml, const qs_t *q, const cat_t *c, const char **json)
{
    json_t *o = json_object(), *unknown = json_object();

    for (int i = 0; i < q->n; i++) {
        const char *name = q->p[i].name;
        size_t n = strlen(name), inner;
        bool known = false;
        char key[72];
        json_t *was;
        if (strncmp(name, "attribute[", 10) != 0)
            continue;
        for (int k = 0; k < c->nattrs && !known; k++) {
            const char *code = c->attrs[k].code;
            size_t cl = strlen(code);
            known = n >= 11 + cl && strncmp(name + 10, code, cl) == 0 &&
                    (strcmp(name + 10 + cl, "]") == 0 || strcmp(name + 10 + cl, "][]") == 0);
        }
        if (known)
            continue;
        /* attribute[NAME] or attribute[NAME][] */
        inner = n >= 12 && strcmp(name + n - 3, "][]") == 0 ? n - 13 : n - 11;
        if (n < 12 || name[n - 1] != ']' || inner == 0 || inner > 64 ||
            memchr(name + 10, '[', inner) || memchr(name + 10, ']', inner)) {
            json_decref(o);
            json_decref(unknown);
            o311_error(r, xml, 400, "attribute name '%.80s' is not attribute[NAME]", name);
            return false;
        }
        snprintf(key, sizeof key, "%.*s", (int)inner, name + 10);
        if (utf8_chars(q->p[i].value) > 4000 ||
            (!json_object_get(unknown, key) && json_object_size(unknown) >= O311_UNKNOWN_MAX)) {
            json_decref(o);
            json_decref(unknown);
            o311_error(r, xml, 400, "too many or too long attributes (at most %d, 4000 characters each)",
                       O311_UNKNOWN_MAX);
            return false;
        }
        if (!(was = json_object_get(unknown, key)))
            json_object_set_new(unknown, key, json_string(q->p[i].value));
        else if (json_is_array(was))
            json_array_append_new(was, json_string(q->p[i].value));
        else
            json_object_set_new(unknown, key, json_pack("[O, s]", was, q->p[i].value));
    }
    if (json_object_size(unknown))
        json_object_set(o, O311_UNKNOWN_KEY, unknown);
    json_decref(unknown);
    for (int k = 0; k < c->nattrs; k++) {
        const cat_attr_t *at = &c->attrs[k];
        char one[96], many[96];
        json_t *vals = json_array();
        snprintf(one, sizeof one, "attribute[%s]", at->code);
        snprintf(many, sizeof many, "attribute[%s][]", at->code);
        for (int i = 0; i < q->n; i++) {
            const char *v = q->p[i].value;
            double d;
            dt_ms_t t;
            bool ok = true;
            if (strcmp(q->p[i].name, one) && strcmp(q->p[i].name, many))
                continue;
            switch (at->datatype) {
            case CAT_ATTR_NUMBER: ok = parse_number(v, &d); break;
            case CAT_ATTR_DATETIME: ok = dt_parse_instant(v, &t); break;
            case CAT_ATTR_SINGLEVALUELIST:
            case CAT_ATTR_MULTIVALUELIST:
                ok = false;
                for (int x = 0; x < at->nvalues && !ok; x++)
                    ok = strcmp(at->values[x].key, v) == 0;
                break;
            default: ok = utf8_chars(v) <= 4000; break;
            }
            if (!ok) {
                json_decref(vals);
                json_decref(o);
                o311_error(r, xml, 400, "attribute '%s': '%s' is not a valid %s%s", at->code, v,
                           cat_attr_type_name(at->datatype),
                           at->nvalues ? " key of this attribute" : "");
                return false;
            }
            json_array_append_new(vals, json_string(v));
        }
        if (json_array_size(vals) == 0) {
            json_decref(vals);
            if (at->required) {
                json_decref(o);
                o311_error(r, xml, 400, "attribute '%s' (%s) is required", at->code, at->description);
                return false;
            }
            continue;
        }
        if (json_array_size(vals) > 1 && at->datatype != CAT_ATTR_MULTIVALUELIST) {
            json_decref(vals);
            json_decref(o);
            o311_error(r, xml, 400, "attribute '%s' takes one value", at->code);
            return false;
        }
        if (at->datatype == CAT_ATTR_MULTIVALUELIST)
            json_object_set_new(o, at->code, vals);
        else {
            json_object_set(o, at->code, json_array_get(vals, 0));
            json_decref(vals);
        }
    }
    *json = json_text(o, r->a);
    return true;
}

static int status_for(bh_status_t st)
{
    return st == BH_INVALID_ARGUMENT || st == BH_FAILED_PRECONDITION || st == BH_CONFLICT ? 400
           : http_status_of(st);
}

static void h_request_create(http_req_t *r)
{
    svc_t *s = APP(r);
    qs_t q;
    const char *code, *lat, *lng, *addr, *addr_id, *desc, *first, *last;
    const cat_t *c;
    svc_user_t who;
    svc_case_new_t in;
    svc_case_view_t v;
    bool xml, replayed;
    bh_err_t err;

    if (!posted(r, &xml, &q, &who, "create a request"))
        return;
    if (!(code = qs_get(&q, "service_code")) || !*code) {
        o311_error(r, xml, 400, "service_code is required");
        return;
    }
    if (!(c = public_service(s, code))) {
        o311_error(r, xml, 404, "service_code '%s' not found", code);
        return;
    }
    memset(&in, 0, sizeof in);
    lat = qs_get(&q, "lat");
    lng = qs_get(&q, "long");
    addr = qs_get(&q, "address_string");
    addr_id = qs_get(&q, "address_id");
    if (!description(r, xml, &q, &desc))
        return;
    if (lat || lng) {
        if (!parse_number(lat, &in.lat) || !parse_number(lng, &in.lng) || in.lat < -90 ||
            in.lat > 90 || in.lng < -180 || in.lng > 180) {
            o311_error(r, xml, 400, "lat and long must both be given as WGS-84 decimal degrees");
            return;
        }
        in.has_location = true;
    } else if (addr_id && *addr_id) {
        db_object_t part;
        /* our address ids: a grid's code, or the code on a city component's plate */
        if (svc_component_find(s, addr_id, r->a, &part, NULL) == BH_OK) {
            in.unit = part.grid;
            in.has_location = part.has_location;
            in.lat = part.lat;
            in.lng = part.lng;
            if (!addr || !*addr)
                addr = arena_printf(r->a, "%s（编码 %s）", part.name, part.code);
        } else {
            in.unit = addr_id;
        }
    } else if (addr && *addr) {
        in.unit = who.unit; /* no geocoder: the operators will place it */
    } else {
        o311_error(r, xml, 400, "a location is required: lat and long, address_string or address_id");
        return;
    }
    if (!attributes(r, xml, &q, c, &in.attributes))
        return;
    first = qs_get(&q, "first_name");
    last = qs_get(&q, "last_name");
    in.contact = json_text(json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "email", qs_get(&q, "email"),
                                     "device_id", qs_get(&q, "device_id"), "account_id",
                                     qs_get(&q, "account_id"), "first_name", first, "last_name", last),
                           r->a);
    in.category = c->code;
    in.source = "open311";
    in.via_open311 = true;
    in.address = addr;
    in.description = desc && *desc ? desc : c->name;
    in.media_url = qs_get(&q, "media_url");
    if (first || last)
        in.reporter_name = arena_printf(r->a, "%s%s", last ? last : "", first ? first : "");
    in.reporter_phone = qs_get(&q, "phone");
    if (svc_case_create(s, &who, &in, r->a, &v, &replayed, &err) != BH_OK) {
        o311_error(r, xml, status_for(err.status), "%s%s%s", err.field[0] ? err.field : "",
                   err.field[0] ? ": " : "", err.message);
        return;
    }
    {
        char due[40];
        dt_ms_t exp = expected(&v);
        const char *later = addr && !in.has_location && !addr_id ? "；地址待人工定位" : "";
        const char *notice =
            exp ? arena_printf(r->a, "已受理，案件编号 %s，预计 %s 前办结%s", svc_case_number(&v.k, r->a),
                               dt_format_instant(exp, due, sizeof due), later)
                : arena_printf(r->a, "已受理，案件编号 %s%s", svc_case_number(&v.k, r->a), later);
        reply(r, 200, xml, "service_requests", json_pack("[{s:s, s:s, s:o}]",
            "service_request_id", arena_printf(r->a, "%lld", (long long)v.k.id),
            "service_notice", notice, "account_id", or_null(qs_get(&q, "account_id"))));
    }
}

/* ---- lists ---- */

/* start_date / end_date: default the last 90 days; a range over 90 days
 * is refused. */
static bool date_range(http_req_t *r, bool xml, const qs_t *q, dt_ms_t *from, dt_ms_t *to)
{
    const char *a = qs_get(q, "start_date"), *b = qs_get(q, "end_date");
    *to = svc_now() + 1; /* up to now, this very millisecond included */
    if (b && !dt_parse_instant(b, to)) {
        o311_error(r, xml, 400, "end_date '%s' is not a date or RFC 3339 datetime", b);
        return false;
    }
    *from = *to - MAX_DAYS * DT_DAY_MS;
    if (a && !dt_parse_instant(a, from)) {
        o311_error(r, xml, 400, "start_date '%s' is not a date or RFC 3339 datetime", a);
        return false;
    }
    if (a && !b)
        *to = *from + MAX_DAYS * DT_DAY_MS;
    if (*to < *from) {
        o311_error(r, xml, 400, "end_date is before start_date");
        return false;
    }
    if (*to - *from > MAX_DAYS * DT_DAY_MS) {
        o311_error(r, xml, 400, "the date range may span at most %d days", MAX_DAYS);
        return false;
    }
    return true;
}

static bool int_param(http_req_t *r, bool xml, const qs_t *q, const char *name, long lo, long hi,
                      long *out)
{
    const char *v = qs_get(q, name);
    char *end;
    if (!v)
        return true;
    *out = strtol(v, &end, 10);
    if (!*v || *end || *out < lo || *out > hi) {
        o311_error(r, xml, 400, "%s must be an integer from %ld to %ld", name, lo, hi);
        return false;
    }
    return true;
}

static void h_requests(http_req_t *r)
{
    qs_t *q = &r->query;
    svc_t *s = APP(r);
    const char *ids = qs_get(q, "service_request_id"), *codes = qs_get(q, "service_code");
    const char *status = qs_get(q, "status");
    bool xml, extensions = want_extensions(q);
    long page = 1, cap = extensions ? MAX_PAGE_EXT : MAX_PAGE, page_size = cap;
    svc_case_view_t *v;
    struct places ps;
    json_t *arr;
    int n = 0;

    if (!format(r, 0, &xml) || !jurisdiction_ok(r, xml, qs_get(q, "jurisdiction_id")))
        return;
    if (ids) { /* overrides every other filter; a page's worth at most */
        char *list = arena_strdup(r->a, ids), *save = NULL;
        int64_t want[MAX_PAGE];
        int nwant = 0;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            char *end;
            long long id = strtoll(t, &end, 10);
            if (nwant == cap) {
                o311_error(r, xml, 400, "at most %ld service_request_id values at a time", cap);
                return;
            }
            if (!*end && id > 0)
                want[nwant++] = id;
        }
        if (!public_cases(r, xml, NULL, want, nwant, &v, &n))
            return;
    } else {
        db_case_filter_t f;
        const char *cats[DB_MAX_IN];

        memset(&f, 0, sizeof f);
        f.status = f.light = -1;
        if (!date_range(r, xml, q, &f.from, &f.to) ||
            !int_param(r, xml, q, "page", 1, 1000000, &page) ||
            !int_param(r, xml, q, "page_size", 1, cap, &page_size))
            return;
        if (status && strcmp(status, "open") && strcmp(status, "closed")) {
            o311_error(r, xml, 400, "status must be open or closed");
            return;
        }
        f.open = !status ? 0 : strcmp(status, "open") == 0 ? 1 : 2;
        if (codes) {
            char *list = arena_strdup(r->a, codes), *save = NULL;
            for (char *t = strtok_r(list, ",", &save); t && f.ncategories < DB_MAX_IN;
                 t = strtok_r(NULL, ",", &save))
                if (public_service(s, t))
                    cats[f.ncategories++] = t;
        } else {
            const cat_set_t *set = s->cats;
            for (int i = 0; i < set->ncats && f.ncategories < DB_MAX_IN; i++)
                if (set->cats[i].open311)
                    cats[f.ncategories++] = set->cats[i].code;
        }
        f.categories = cats;
        f.limit = (int)page_size;
        f.offset = (int)((page - 1) * page_size);
        if (f.ncategories > 0 && !public_cases(r, xml, &f, NULL, 0, &v, &n))
            return;
    }
    places_init(&ps, r);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, request_json(&ps, &v[i], extensions));
    reply(r, 200, xml, "service_requests", arr);
}

/* FixMyStreet: status changes and comments since start_date. */
static void h_updates(http_req_t *r)
{
    db_event_row_t *ev;
    svc_case_view_t *v;
    int64_t *ids;
    int n, nids = 0, nv;
    dt_ms_t from, to;
    json_t *arr;
    bool xml;

    if (!format(r, 0, &xml) || !jurisdiction_ok(r, xml, qs_get(&r->query, "jurisdiction_id")) ||
        !date_range(r, xml, &r->query, &from, &to))
        return;
    if (svc_events_public(APP(r), from, to, MAX_UPDATES, r->a, &ev, &n, NULL) != BH_OK) {
        o311_error(r, xml, 503, "could not read the updates; try again");
        return;
    }
    /* the cases of the window, each read once */
    ids = arena_alloc_array(r->a, (size_t)(n > 0 ? n : 1), sizeof *ids);
    for (int i = 0; i < n; i++) {
        int j = 0;
        while (j < nids && ids[j] != ev[i].case_id)
            j++;
        if (j == nids)
            ids[nids++] = ev[i].case_id;
    }
    if (!public_cases(r, xml, NULL, ids, nids, &v, &nv))
        return;
    arr = json_array();
    for (int i = 0; i < n; i++) {
        const svc_case_view_t *c = NULL;
        case_snapshot_t snap, before;
        const case_event_t *e = &ev[i].ev;
        const char *text;
        bool shown = public_event(e, &text);
        for (int j = 0; j < nv && !c; j++)
            if (v[j].k.id == ev[i].case_id)
                c = &v[j];
        if (!c || ev[i].seq > c->nevents || case_replay(c->events, ev[i].seq, &snap, NULL) != BH_OK)
            continue;
        /* an internal step that changes the status (退回, 挂起, 返工…) is told
         * as the new status alone, without its words */
        if (!shown && (ev[i].seq < 2 ||
                       case_replay(c->events, ev[i].seq - 1, &before, NULL) != BH_OK ||
                       before.state == snap.state))
            continue;
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:n}",
            "update_id", arena_printf(r->a, "%lld-%d", (long long)ev[i].case_id, ev[i].seq),
            "service_request_id", arena_printf(r->a, "%lld", (long long)ev[i].case_id),
            "status", extended_status(snap.state, c->events, ev[i].seq),
            "external_status_code", case_state_name(snap.state),
            "status_notes", case_state_label(snap.state),
            "updated_datetime", render_time(e->at),
            "description", !shown ? case_state_label(snap.state)
                           : text ? arena_printf(r->a, "%s：%s", case_action_label(e->action), text)
                                  : case_action_label(e->action),
            "media_url"));
    }
    reply(r, 200, xml, "service_request_updates", arr);
}

/* Does the status FixMyStreet posts with an update say the citizen finds
 * the problem still there?  Only OPEN (its "not fixed", which reopens the
 * report there) and REOPEN: the others are FixMyStreet's last knowledge
 * of the council's state, sent with every comment, and an unknown one is
 * kept with the comment - refusing it would fail every retry. */
static bool says_not_solved(const char *status)
{
    return status && (strcasecmp(status, "open") == 0 || strcasecmp(status, "reopen") == 0);
}

/* FixMyStreet's extension: a citizen's comment on a request it sent. */
static void h_update_create(http_req_t *r)
{
    svc_t *s = APP(r);
    qs_t q;
    const char *rid, *uid, *desc, *status, *media, *when;
    svc_user_t who;
    svc_comment_t in;
    svc_case_view_t v;
    bool xml, replayed;
    bh_err_t err;
    char *end;
    long long id;
    int seq;

    if (!posted(r, &xml, &q, &who, "post an update"))
        return;
    rid = qs_get(&q, "service_request_id");
    id = rid ? strtoll(rid, &end, 10) : 0;
    if (!rid || !*rid || *end || id <= 0) {
        o311_error(r, xml, 400, "service_request_id is required (a request id this server gave)");
        return;
    }
    /* update_id, or update_id_ext when the client uses extended updates */
    if (!(uid = qs_get(&q, "update_id")) || !*uid)
        uid = qs_get(&q, "update_id_ext");
    if (!uid || !*uid || strlen(uid) > CASE_EXT_ID_MAX) {
        o311_error(r, xml, 400, "update_id is required (at most %d bytes): it makes a repeated post harmless",
                   CASE_EXT_ID_MAX);
        return;
    }
    status = qs_get(&q, "status");
    media = qs_get(&q, "media_url");
    if (!description(r, xml, &q, &desc))
        return;
    if ((!desc || !*desc) && !(media && *media)) {
        o311_error(r, xml, 400, "description is required");
        return;
    }
    memset(&in, 0, sizeof in);
    in.text = desc && *desc ? desc : "（仅附图片）";
    in.ext_id = uid;
    in.not_solved = says_not_solved(status);
    when = qs_get(&q, "updated_datetime");
    if (when && *when && !dt_parse_instant(when, &in.at)) {
        o311_error(r, xml, 400, "updated_datetime '%s' is not an RFC 3339 datetime", when);
        return;
    }
    in.extra = json_text(json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "first_name",
                                   qs_get(&q, "first_name"), "last_name", qs_get(&q, "last_name"),
                                   "email", qs_get(&q, "email"), "media_url", media, "status", status),
                         r->a);
    /* on what anyone may read only: a withdrawn request takes no more comments */
    if (svc_case_comment(s, &who, id, &in, r->a, &v, &seq, &replayed, &err) != BH_OK) {
        if (err.status == BH_NOT_FOUND)
            o311_error(r, xml, 404, "service_request_id '%s' not found", rid);
        else
            o311_error(r, xml, status_for(err.status), "%s%s%s", err.field[0] ? err.field : "",
                       err.field[0] ? ": " : "", err.message);
        return;
    }
    reply(r, 200, xml, "service_request_updates",
          json_pack("[{s:s}]", "update_id", arena_printf(r->a, "%lld-%d", id, seq)));
}

const http_route_t open311_routes[] = {
    {"GET", "/open311/v2/discovery.{fmt}", h_discovery, HTTP_BODY_DEFAULT},
    {"GET", "/open311/v2/services.{fmt}", h_services, HTTP_BODY_DEFAULT},
    {"GET", "/open311/v2/services/{code}.{fmt}", h_service_definition, HTTP_BODY_DEFAULT},
    {"POST", "/open311/v2/requests.{fmt}", h_request_create, HTTP_BODY_DEFAULT},
    {"GET", "/open311/v2/requests.{fmt}", h_requests, HTTP_BODY_DEFAULT},
    {"GET", "/open311/v2/requests/{id}.{fmt}", h_request_one, HTTP_BODY_DEFAULT},
    {"GET", "/open311/v2/tokens/{token}.{fmt}", h_token, HTTP_BODY_DEFAULT},
    {"GET", "/open311/v2/servicerequestupdates.{fmt}", h_updates, HTTP_BODY_DEFAULT},
    {"POST", "/open311/v2/servicerequestupdates.{fmt}", h_update_create, HTTP_BODY_DEFAULT},
};
const int open311_nroutes = (int)(sizeof open311_routes / sizeof open311_routes[0]);
