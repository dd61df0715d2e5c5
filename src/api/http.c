/*
 * http.c - libmicrohttpd glue: request lifecycle, routing, replies and
 * request metrics.
 *
 * Lifecycle of a request: the URI log callback (the first thing MHD calls)
 * creates our request with its arena and keeps the raw URI so that our own
 * query-string parser sees it; the access handler collects the body (up to
 * the limit; beyond it the request is answered 413) and then dispatches;
 * the completion callback records metrics and frees the arena.
 *
 * Threads: MHD's polling threads (epoll) hold the connections and never
 * wait on a handler; a complete request is suspended and handed to one of
 * the workers, which runs the handler (waiting for its group commit, so
 * the workers busy at once are what fills a commit batch) and resumes it
 * for the polling thread to send the answer (docs/ARCHITECTURE.md).
 */
#include "api/http.h"
#include "util/dynbuf.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "util/utf8.h"
#include "util/xmalloc.h"

static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

struct route_stats {
    unsigned long count[6]; /* by status class: 1xx..5xx, [0] unused */
    unsigned long bucket[NBUCKETS + 1];
    double sum;
};

struct http_server {
    struct MHD_Daemon *d;
    const http_route_t *routes;
    int nroutes;
    void *app;
    http_config_t cfg;
    struct route_stats *stats; /* nroutes + 1: [nroutes] = unmatched */
    char csp[512]; /* the default policy */
    pthread_mutex_t stats_mu;
    /* The handlers' workers.  MHD's few polling threads never wait on a
     * handler: a request whose body is in is suspended and queued, a
     * worker runs its handler (which may wait for a group commit) and
     * resumes it, and the polling thread then sends the answer. */
    pthread_t *workers;
    int nworkers;
    pthread_mutex_t q_mu;
    pthread_cond_t q_cv, idle_cv;
    struct ctx *q_head, *q_tail;
    int inflight;   /* handed over and still suspended (queued or being handled) */
    int unsent;     /* handed over and not yet completed (answer sent, or the
                       client gone) */
    bool q_stop;    /* workers end once the queue is empty */
    bool closing;   /* stopping: new requests are refused (503), nothing queued */
};

/* Our per-request state, created by the URI log callback. */
struct ctx {
    http_req_t req;
    http_server_t *srv;
    const char *raw_uri;
    char *body;
    size_t body_len, body_cap, limit;
    bool too_large, started, answered;
    bool path_matched; /* some route has this path (with another method: 405) */
    int route;
    struct timespec t0;
    struct ctx *q_next;
    bool queued;    /* suspended, handed to a worker */
    bool handled;   /* the worker is done: answer when resumed (under q_mu) */
};

int http_status_of(bh_status_t st)
{
    switch (st) {
    case BH_OK: return 200;
    case BH_INVALID_ARGUMENT: return 400;
    case BH_UNAUTHENTICATED: return 401;
    case BH_PERMISSION_DENIED: return 403;
    case BH_NOT_FOUND: return 404;
    case BH_CONFLICT: return 409;
    case BH_FAILED_PRECONDITION: return 409;
    case BH_PAYLOAD_TOO_LARGE: return 413;
    case BH_RATE_LIMITED: return 429;
    case BH_UNAVAILABLE: return 503;
    case BH_INTERNAL: return 500;
    }
    return 500;
}

void http_csp(char *buf, size_t size, const char *img_host)
{
    snprintf(buf, size,
             "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
             " img-src 'self' data: blob:%s%s; connect-src 'self'; font-src 'self' data:;"
             " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
             img_host ? " " : "", img_host ? img_host : "");
}

/* Is 'addr' one of the comma-separated addresses in 'list'? */
static bool listed(const char *list, const char *addr, size_t n)
{
    while (list && *list) {
        size_t len;
        list += strspn(list, " ,");
        len = strcspn(list, " ,");
        if (len && len == n && strncmp(list, addr, n) == 0)
            return true;
        list += len;
    }
    return false;
}

/* An IPv4-mapped IPv6 address ("::ffff:127.0.0.1") as the IPv4 one, so
 * a proxy on a dual-stack listener matches "127.0.0.1". */
static void unmap(char *addr)
{
    if (strncasecmp(addr, "::ffff:", 7) == 0 && strchr(addr + 7, '.'))
        memmove(addr, addr + 7, strlen(addr + 7) + 1);
}

/*
 * One X-Forwarded-For hop s[0..n) as an address in buf: spaces trimmed, a
 * port taken off ("1.2.3.4:5678", "[2001:db8::1]:443"), a mapped address
 * unmapped.  False when it is not an address ("unknown", garbage).
 */
static bool hop_address(const char *s, size_t n, char *buf, size_t size)
{
    unsigned char bin[16];
    const char *colon;
    while (n && *s == ' ')
        s++, n--;
    while (n && s[n - 1] == ' ')
        n--;
    if (n && *s == '[') { /* [v6] or [v6]:port */
        const char *close = memchr(s, ']', n);
        if (!close)
            return false;
        n = (size_t)(close - s - 1);
        s++;
    } else if ((colon = memchr(s, ':', n)) && !memchr(colon + 1, ':', n - (size_t)(colon + 1 - s))) {
        n = (size_t)(colon - s); /* v4:port: one colon only */
    }
    if (n == 0 || n >= size)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET, buf, bin) != 1 && inet_pton(AF_INET6, buf, bin) != 1)
        return false;
    unmap(buf);
    return true;
}

/* Every X-Forwarded-For header of the request, joined by ',' in order
 * (a proxy may add its own header rather than extend the client's). */
struct xff {
    char *text;
    size_t len;
    arena_t *a;
};

static enum MHD_Result xff_collect(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct xff *x = cls;
    (void)kind;
    if (key && value && strcasecmp(key, "X-Forwarded-For") == 0) {
        size_t n = strlen(value);
        char *t = arena_alloc(x->a, x->len + n + 2);
        if (x->len) {
            memcpy(t, x->text, x->len);
            t[x->len++] = ',';
        }
        memcpy(t + x->len, value, n + 1);
        x->text = t;
        x->len += n;
    }
    return MHD_YES;
}

/*
 * The client's address.  A request from a trusted proxy (cfg.trusted_proxies)
 * is from the rightmost address of its X-Forwarded-For (all such headers,
 * in order) that is not itself a trusted proxy: addresses further left
 * were written by the client and prove nothing.  A hop that is no address
 * ("unknown") is the key as written.  From anyone else X-Forwarded-For is
 * ignored.
 */
/* The TCP peer's address as text (IPv4-mapped unmapped); false if none. */
static bool peer_address(http_req_t *r, char buf[INET6_ADDRSTRLEN])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa;
    if (!ci || !(sa = ci->client_addr))
        return false;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, INET6_ADDRSTRLEN);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, INET6_ADDRSTRLEN);
    else
        return false;
    unmap(buf);
    return true;
}

const char *http_client_address(http_req_t *r)
{
    const char *trusted = http_server_of(r)->cfg.trusted_proxies;
    char buf[INET6_ADDRSTRLEN];
    struct xff x = {NULL, 0, r->a};

    if (!peer_address(r, buf))
        return NULL;
    if (!trusted || !*trusted || !listed(trusted, buf, strlen(buf)))
        return arena_strdup(r->a, buf);
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, xff_collect, &x);
    for (size_t end = x.len; end > 0;) {
        size_t start = end;
        char hop[INET6_ADDRSTRLEN];
        while (start > 0 && x.text[start - 1] != ',')
            start--;
        if (!hop_address(x.text + start, end - start, hop, sizeof hop)) {
            size_t n = end - start < 64 ? end - start : 64;
            return arena_strndup(r->a, x.text + start, n); /* what the proxy wrote */
        }
        if (!listed(trusted, hop, strlen(hop)))
            return arena_strdup(r->a, hop);
        end = start > 0 ? start - 1 : 0;
    }
    return arena_strdup(r->a, buf);
}

bool http_forwarded_https(http_req_t *r)
{
    const char *trusted = http_server_of(r)->cfg.trusted_proxies, *proto;
    char buf[INET6_ADDRSTRLEN];
    return trusted && *trusted && (proto = http_header(r, "X-Forwarded-Proto")) &&
           peer_address(r, buf) && listed(trusted, buf, strlen(buf)) &&
           strcasecmp(proto, "https") == 0;
}

const char *http_header(http_req_t *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

struct joined {
    http_req_t *r;
    const char *name;
    dynbuf_t b;
    int n;
};

static enum MHD_Result join_value(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    struct joined *j = cls;
    (void)kind;
    if (key && value && strcasecmp(key, j->name) == 0) {
        if (j->n++)
            (void)dynbuf_addstr(&j->b, ", ");
        (void)dynbuf_addstr(&j->b, value);
    }
    return MHD_YES;
}

const char *http_header_all(http_req_t *r, const char *name)
{
    struct joined j = {r, name, {0}, 0};
    const char *out;
    dynbuf_init(&j.b, 16384);
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, join_value, &j);
    out = j.n && !dynbuf_failed(&j.b) ? arena_strdup(r->a, dynbuf_str(&j.b)) : NULL;
    dynbuf_free(&j.b);
    return out;
}

const char *http_cookie(http_req_t *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

void http_add_header(http_req_t *r, const char *name, const char *value)
{
    if (r->nheaders < HTTP_MAX_HEADERS) {
        /* kept until the answer is sent: a copy, so a caller's buffer may
         * go out of scope (an ETag formatted on the stack did) */
        r->headers[r->nheaders].name = name;
        r->headers[r->nheaders].value = arena_strdup(r->a, value);
        r->nheaders++;
    }
}

void http_reply(http_req_t *r, int status, const char *ctype, const char *body, size_t len)
{
    r->status = status;
    r->ctype = ctype;
    r->resp = body;
    r->resp_len = len;
}

void http_json(http_req_t *r, int status, json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    size_t n = s ? strlen(s) : 0;
    char *copy = arena_strndup(r->a, s ? s : "", n);
    free(s);
    json_decref(v);
    http_reply(r, status, "application/json; charset=utf-8", copy, n);
}

/* The error e answered with 'status': JSON, or the error_fn of the
 * server's error_prefix when the path is under it. */
static void error_reply(http_req_t *r, int status, const bh_err_t *e)
{
    const http_config_t *cfg = &((struct ctx *)r)->srv->cfg;
    json_t *inner;
    if (cfg->error_fn && cfg->error_prefix && r->path &&
        strncmp(r->path, cfg->error_prefix, strlen(cfg->error_prefix)) == 0) {
        cfg->error_fn(r, status, e);
        return;
    }
    inner = json_pack("{s:s, s:s}", "code", bh_status_name(e->status), "message",
                      e->message[0] ? e->message : bh_status_name(e->status));
    if (e->field[0])
        json_object_set_new(inner, "field", json_string(e->field));
    http_json(r, status, json_pack("{s:o}", "error", inner));
}

void http_error(http_req_t *r, const bh_err_t *e)
{
    error_reply(r, http_status_of(e->status), e);
}

static void fail_status(http_req_t *r, int status, bh_status_t st, const char *field,
                        const char *fmt, va_list ap)
{
    bh_err_t e;
    e.status = st;
    snprintf(e.field, sizeof e.field, "%s", field ? field : "");
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    error_reply(r, status ? status : http_status_of(st), &e);
}

void http_fail(http_req_t *r, bh_status_t st, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_status(r, 0, st, field, fmt, ap);
    va_end(ap);
}

/* http_fail with a status of its own (405 has no bh_status_t). */
static void fail_with(http_req_t *r, int status, bh_status_t st, const char *field,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void fail_with(http_req_t *r, int status, bh_status_t st, const char *field,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_status(r, status, st, field, fmt, ap);
    va_end(ap);
}

const char *http_static_dir(http_req_t *r)
{
    return ((struct ctx *)r)->srv->cfg.static_dir;
}

http_server_t *http_server_of(http_req_t *r)
{
    return ((struct ctx *)r)->srv;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A path segment with its %XX escapes decoded (the routes match the raw
 * path, so "/apikeys/%E7%83%AD%E7%BA%BF" names the key "热线"); a '%' not
 * followed by two hex digits, or an escape decoding to NUL, stays as it is,
 * and a segment that would decode to text that is not UTF-8 is kept raw
 * (the answer names it, and JSON takes only UTF-8). */
static char *unescape(arena_t *a, const char *s, size_t n)
{
    char *raw = arena_strndup(a, s, n);
    char *out = arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 &&
            (lo = hexval(s[i + 2])) >= 0 && (hi | lo)) {
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return utf8_valid(out, (size_t)(o - out)) ? out : raw;
}

/* Match 'path' against a pattern, filling {placeholders} (decoded).  A
 * placeholder ends at the next '/' or at the pattern's next literal
 * character ("{code}.{fmt}" splits "E0501.xml"). */
static bool match(const char *pattern, const char *path, arena_t *a, const char **params)
{
    int np = 0;
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *pe = strchr(pattern, '}'), *se = strchr(path, '/');
            size_t n = se ? (size_t)(se - path) : strlen(path);
            if (pe && pe[1] && pe[1] != '/') {
                const char *stop = memchr(path, pe[1], n);
                if (stop)
                    n = (size_t)(stop - path);
            }
            if (!pe || n == 0 || np == HTTP_MAX_PARAMS)
                return false;
            params[np++] = unescape(a, path, n);
            pattern = pe + 1;
            path += n;
            continue;
        }
        if (*pattern++ != *path++)
            return false;
    }
    return *pattern == '\0' && *path == '\0';
}

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct ctx *c = xcalloc(1, sizeof *c);
    (void)conn;
    c->srv = cls;
    c->req.a = arena_new();
    c->raw_uri = arena_strdup(c->req.a, uri);
    c->route = -1;
    clock_gettime(CLOCK_MONOTONIC, &c->t0);
    return c;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct ctx *c)
{
    http_req_t *r = &c->req;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->resp_len, (void *)(r->resp ? r->resp : ""),
                                        MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;
    bool cache_set = false;
    if (r->ctype)
        MHD_add_response_header(resp, "Content-Type", r->ctype);
    for (int i = 0; i < r->nheaders; i++)
        cache_set |= strcasecmp(r->headers[i].name, "Cache-Control") == 0;
    if (!cache_set) /* API answers are never cached */
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
    /* On every answer: no content sniffing, no framing, and a content
     * security policy that lets the console load only its own scripts. */
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            c->srv->cfg.csp ? c->srv->cfg.csp : c->srv->csp);
    ret = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    c->answered = true;
    return ret;
}

/* Route the request once, when it starts (its body limit depends on the
 * route): c->route, r->path and r->params, or c->route -1 with
 * c->path_matched telling a 405 from a 404. */
static void find_route(struct ctx *c)
{
    const http_server_t *s = c->srv;
    http_req_t *r = &c->req;
    const char *q = strchr(c->raw_uri, '?');

    r->path = q ? arena_strndup(r->a, c->raw_uri, (size_t)(q - c->raw_uri)) : c->raw_uri;
    for (int i = 0; i < s->nroutes; i++) {
        if (!match(s->routes[i].pattern, r->path, r->a, r->params))
            continue;
        c->path_matched = true;
        if (strcmp(s->routes[i].method, r->method) == 0) {
            c->route = i;
            return;
        }
    }
}

static void dispatch(struct ctx *c)
{
    http_server_t *s = c->srv;
    http_req_t *r = &c->req;
    const char *q = strchr(c->raw_uri, '?');
    bh_err_t err;

    r->app = s->app;
    if (qs_parse(q ? q + 1 : "", q ? strlen(q + 1) : 0, r->a, &r->query, &err) != BH_OK) {
        http_error(r, &err);
        return;
    }
    if (c->route >= 0)
        s->routes[c->route].fn(r);
    else if (c->path_matched)
        fail_with(r, 405, BH_FAILED_PRECONDITION, "method", "该地址不支持 %s 方法", r->method);
    else if (http_static(r, s->cfg.static_dir))
        return;
    else
        http_fail(r, BH_NOT_FOUND, "path", "没有这个接口：%s", r->path);
}

/* Run the handler and make sure there is an answer. */
static void handle(struct ctx *c)
{
    if (c->too_large) {
        http_fail(&c->req, BH_PAYLOAD_TOO_LARGE, "body", "请求体过大：上限 %zu 字节", c->limit);
    } else {
        c->req.body = c->body ? c->body : "";
        if (c->body)
            c->body[c->body_len] = '\0';
        c->req.body_len = c->body_len;
        dispatch(c);
    }
    if (!c->req.status)
        http_fail(&c->req, BH_INTERNAL, "", "处理程序没有给出响应");
}

static void *worker_main(void *arg)
{
    http_server_t *s = arg;
    pthread_mutex_lock(&s->q_mu);
    for (;;) {
        struct ctx *c;
        while (!s->q_head && !s->q_stop)
            pthread_cond_wait(&s->q_cv, &s->q_mu);
        if (!(c = s->q_head))
            break;
        if (!(s->q_head = c->q_next))
            s->q_tail = NULL;
        pthread_mutex_unlock(&s->q_mu);
        handle(c);
        pthread_mutex_lock(&s->q_mu);
        c->handled = true; /* what handle() wrote is the polling thread's after its lock */
        pthread_mutex_unlock(&s->q_mu);
        MHD_resume_connection(c->req.conn); /* no lock of ours held into MHD */
        pthread_mutex_lock(&s->q_mu);
        if (--s->inflight == 0)
            pthread_cond_broadcast(&s->idle_cv);
    }
    pthread_mutex_unlock(&s->q_mu);
    return NULL;
}

/* Suspend the request and give it to a worker; false when the server is
 * stopping (the caller handles it itself). */
static bool hand_over(http_server_t *s, struct MHD_Connection *conn, struct ctx *c)
{
    pthread_mutex_lock(&s->q_mu);
    if (s->closing) {
        pthread_mutex_unlock(&s->q_mu);
        return false;
    }
    s->inflight++; /* http_stop waits for it from here */
    s->unsent++;
    pthread_mutex_unlock(&s->q_mu);
    /* suspended before a worker can see it, so its resume comes after */
    MHD_suspend_connection(conn);
    c->queued = true;
    c->q_next = NULL;
    pthread_mutex_lock(&s->q_mu);
    if (s->q_tail)
        s->q_tail->q_next = c;
    else
        s->q_head = c;
    s->q_tail = c;
    pthread_cond_signal(&s->q_cv);
    pthread_mutex_unlock(&s->q_mu);
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **req_cls)
{
    http_server_t *s = cls;
    struct ctx *c = *req_cls;
    (void)version;
    (void)url; /* routed on the raw URI, as sent (find_route) */

    if (!c->started) {
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        c->started = true;
        c->req.conn = conn;
        c->req.method = arena_strdup(c->req.a, method);
        find_route(c);
        /* The route says how large a body it takes (uploads: the larger
         * limit); a request no route takes gets the default. */
        c->limit = c->route >= 0 && s->routes[c->route].body == HTTP_BODY_UPLOAD && s->cfg.upload_limit
                       ? s->cfg.upload_limit : s->cfg.body_limit;
        if (cl && strtoull(cl, NULL, 10) > c->limit)
            c->too_large = true;
        /* Answer at once only when the client waits for "100 Continue";
         * others are already sending, and would see a reset instead of the
         * 413, so their body is read and dropped. */
        if (c->too_large && MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect")) {
            http_fail(&c->req, BH_PAYLOAD_TOO_LARGE, "body", "请求体过大：上限 %zu 字节", c->limit);
            return send_reply(conn, c);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!c->too_large && c->body_len + *upload_size > c->limit) {
            c->too_large = true;
            free(c->body);
            c->body = NULL;
        }
        if (!c->too_large) {
            if (c->body_len + *upload_size + 1 > c->body_cap) {
                c->body_cap = (c->body_len + *upload_size + 1) * 2;
                c->body = xrealloc(c->body, c->body_cap);
            }
            memcpy(c->body + c->body_len, upload, *upload_size);
            c->body_len += *upload_size;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (c->answered)
        return MHD_YES;
    if (c->queued) { /* resumed: the worker has answered */
        bool handled;
        pthread_mutex_lock(&s->q_mu);
        handled = c->handled;
        pthread_mutex_unlock(&s->q_mu);
        return handled ? send_reply(conn, c) : MHD_YES;
    }
    if (hand_over(s, conn, c))
        return MHD_YES;
    /* stopping: a request not begun is not begun, so nothing is written
     * whose answer the stop could cut */
    http_fail(&c->req, BH_UNAVAILABLE, "", "服务正在停止，请稍后重试");
    http_add_header(&c->req, "Connection", "close");
    return send_reply(conn, c);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_server_t *s = cls;
    struct ctx *c = *req_cls;
    struct timespec t1;
    double secs;
    int route, cls_idx;
    (void)conn;
    (void)toe;

    if (!c)
        return;
    if (c->queued) {
        pthread_mutex_lock(&s->q_mu);
        if (--s->unsent == 0)
            pthread_cond_broadcast(&s->idle_cv);
        pthread_mutex_unlock(&s->q_mu);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - c->t0.tv_sec) + (double)(t1.tv_nsec - c->t0.tv_nsec) / 1e9;
    route = c->route >= 0 ? c->route : s->nroutes;
    cls_idx = c->req.status / 100;
    if (cls_idx < 1 || cls_idx > 5)
        cls_idx = 5;
    pthread_mutex_lock(&s->stats_mu);
    s->stats[route].count[cls_idx]++;
    s->stats[route].sum += secs;
    for (size_t i = 0; i <= NBUCKETS; i++)
        if (i == NBUCKETS || secs <= buckets[i])
            s->stats[route].bucket[i]++;
    pthread_mutex_unlock(&s->stats_mu);
    free(c->body);
    arena_free(c->req.a);
    free(c);
    *req_cls = NULL;
}

static bool parse_listen(const char *listen, struct sockaddr_storage *ss, bool *v6, bh_err_t *err)
{
    char host[64] = "127.0.0.1";
    const char *colon = strrchr(listen, ':');
    long port;
    char *end;

    memset(ss, 0, sizeof *ss);
    if (!colon)
        return bh_fail(err, BH_INVALID_ARGUMENT, "listen", "监听地址“%s”应为 主机:端口", listen), false;
    port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535 || end == colon + 1)
        return bh_fail(err, BH_INVALID_ARGUMENT, "listen", "监听端口“%s”无效", colon + 1), false;
    if (colon > listen) {
        size_t n = (size_t)(colon - listen);
        if (listen[0] == '[' && colon[-1] == ']') {
            listen++;
            n -= 2;
        }
        if (n >= sizeof host)
            return bh_fail(err, BH_INVALID_ARGUMENT, "listen", "监听主机名过长"), false;
        memcpy(host, listen, n);
        host[n] = '\0';
    }
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    *v6 = strchr(host, ':') != NULL;
    if (*v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return bh_fail(err, BH_INVALID_ARGUMENT, "listen", "无效的 IPv6 地址“%s”", host), false;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return bh_fail(err, BH_INVALID_ARGUMENT, "listen", "无效的 IPv4 地址“%s”（请使用数字地址）", host), false;
    }
    return true;
}

#define STOP_GRACE_S 10 /* for answers already made to reach their clients */

static void stop_workers(http_server_t *s)
{
    pthread_mutex_lock(&s->q_mu);
    s->q_stop = true;
    pthread_cond_broadcast(&s->q_cv);
    pthread_mutex_unlock(&s->q_mu);
    for (int i = 0; i < s->nworkers; i++)
        pthread_join(s->workers[i], NULL);
    free(s->workers);
    pthread_cond_destroy(&s->q_cv);
    pthread_cond_destroy(&s->idle_cv);
    pthread_mutex_destroy(&s->q_mu);
}

bh_status_t http_start(const http_config_t *cfg, const http_route_t *routes, int nroutes,
                       void *app, http_server_t **out, bh_err_t *err)
{
    http_server_t *s;
    struct sockaddr_storage ss;
    bool v6;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;

    *out = NULL;
    if (nroutes < 0)
        return bh_fail(err, BH_INTERNAL, "", "bad route count");
    if (!parse_listen(cfg->listen, &ss, &v6, err))
        return BH_INVALID_ARGUMENT;
    if (v6)
        flags |= MHD_USE_IPv6;
    s = xcalloc(1, sizeof *s);
    s->routes = routes;
    s->nroutes = nroutes;
    s->stats = xcalloc((size_t)nroutes + 1, sizeof *s->stats);
    s->app = app;
    s->cfg = *cfg;
    http_csp(s->csp, sizeof s->csp, NULL);
    pthread_mutex_init(&s->stats_mu, NULL);
    pthread_mutex_init(&s->q_mu, NULL);
    pthread_cond_init(&s->q_cv, NULL);
    pthread_cond_init(&s->idle_cv, NULL);
    s->nworkers = cfg->workers ? (int)cfg->workers : HTTP_WORKERS;
    s->workers = xcalloc((size_t)s->nworkers, sizeof *s->workers);
    for (int i = 0; i < s->nworkers; i++)
        if (pthread_create(&s->workers[i], NULL, worker_main, s) != 0) {
            fprintf(stderr, "bihuan: 无法创建处理线程\n");
            abort();
        }
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                            MHD_OPTION_THREAD_POOL_SIZE, cfg->pollers ? cfg->pollers : 2u,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_URI_LOG_CALLBACK, uri_logger, s,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
                            MHD_OPTION_CONNECTION_LIMIT, cfg->max_conns,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
                            MHD_OPTION_END);
    if (!s->d) {
        stop_workers(s);
        pthread_mutex_destroy(&s->stats_mu);
        free(s->stats);
        free(s);
        return bh_fail(err, BH_UNAVAILABLE, "listen", "无法在 %s 上监听（端口被占用？）", cfg->listen);
    }
    *out = s;
    return BH_OK;
}

int http_port(const http_server_t *s)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : -1;
}

void http_stop(http_server_t *s)
{
    if (!s)
        return;
    /* Requests handed over are answered first: from now on what arrives is
     * refused (503), the handlers running finish (MHD must not stop with a
     * connection suspended), and their answers are given STOP_GRACE_S to
     * reach clients that read them. */
    struct timespec until;
    pthread_mutex_lock(&s->q_mu);
    s->closing = true;
    while (s->inflight > 0)
        pthread_cond_wait(&s->idle_cv, &s->q_mu);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += STOP_GRACE_S;
    while (s->unsent > 0 && pthread_cond_timedwait(&s->idle_cv, &s->q_mu, &until) == 0)
        ;
    pthread_mutex_unlock(&s->q_mu);
    MHD_stop_daemon(s->d);
    stop_workers(s);
    pthread_mutex_destroy(&s->stats_mu);
    free(s->stats);
    free(s);
}

void http_metrics_text(http_server_t *s, dynbuf_t *b)
{
#define OUT(...) ((void)dynbuf_printf(b, __VA_ARGS__))
    OUT("# HELP bihuan_http_requests_total HTTP requests by route and status class.\n"
        "# TYPE bihuan_http_requests_total counter\n");
    pthread_mutex_lock(&s->stats_mu);
    for (int r = 0; r <= s->nroutes; r++) {
        const char *route = r < s->nroutes ? s->routes[r].pattern : "unmatched";
        const char *method = r < s->nroutes ? s->routes[r].method : "";
        for (int k = 1; k <= 5; k++)
            if (s->stats[r].count[k])
                OUT("bihuan_http_requests_total{method=\"%s\",route=\"%s\",code=\"%dxx\"} %lu\n",
                    method, route, k, s->stats[r].count[k]);
    }
    OUT("# HELP bihuan_http_request_duration_seconds Request latency by route.\n"
        "# TYPE bihuan_http_request_duration_seconds histogram\n");
    for (int r = 0; r <= s->nroutes; r++) {
        const char *route = r < s->nroutes ? s->routes[r].pattern : "unmatched";
        const char *method = r < s->nroutes ? s->routes[r].method : "";
        unsigned long total = s->stats[r].bucket[NBUCKETS];
        if (!total)
            continue;
        for (size_t i = 0; i < NBUCKETS; i++)
            OUT("bihuan_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} %lu\n",
                method, route, buckets[i], s->stats[r].bucket[i]);
        OUT("bihuan_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} %lu\n",
            method, route, total);
        OUT("bihuan_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n", method,
            route, s->stats[r].sum);
        OUT("bihuan_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %lu\n", method,
            route, total);
    }
    pthread_mutex_unlock(&s->stats_mu);
#undef OUT
}
