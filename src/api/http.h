/*
 * http.h - the HTTP server: libmicrohttpd underneath, a route table, one
 * arena per request, body size limit, JSON replies in the DESIGN.md §6
 * error format, and per-route request counters and latency histograms.
 */
#ifndef BH_HTTP_H
#define BH_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "api/qs.h"
#include "svc/svc.h"
#include "util/arena.h"
#include "util/dynbuf.h"

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_HEADERS 8

typedef struct http_server http_server_t;

typedef struct http_req {
    arena_t *a;           /* freed when the response has been sent */
    void *app;            /* what http_start was given */
    const char *method, *path;
    qs_t query;
    const char *body;     /* NUL-terminated, body_len bytes */
    size_t body_len;
    const char *params[HTTP_MAX_PARAMS]; /* {placeholders} of the route */
    svc_user_t user;      /* set by the auth step of a handler */
    void *conn;           /* the MHD connection (for headers) */
    /* The response. */
    int status;
    const char *ctype, *resp;
    size_t resp_len;
    int nheaders;
    struct {
        const char *name, *value;
    } headers[HTTP_MAX_HEADERS];
} http_req_t;

typedef void (*http_handler_fn)(http_req_t *r);

/* How large a request body a route takes. */
enum {
    HTTP_BODY_DEFAULT, /* http_config_t.body_limit (JSON bodies) */
    HTTP_BODY_UPLOAD,  /* http_config_t.upload_limit (spreadsheets, files) */
};

typedef struct {
    const char *method;  /* "GET", "POST", ... */
    const char *pattern; /* "/api/v1/cases/{id}/actions" */
    http_handler_fn fn;
    int body;            /* HTTP_BODY_*; 0 is the default */
} http_route_t;

/* Handlers that may run at once: writes waiting for one group commit
 * are batched together, so this bounds a batch as well. */
#define HTTP_WORKERS 64

typedef struct {
    const char *listen;     /* "127.0.0.1:8080", "[::1]:0", ":8080" */
    size_t body_limit;      /* bytes; larger bodies get 413 */
    size_t upload_limit;    /* the same for /api/v1/ledgers/ (0: body_limit) */
    unsigned timeout_s;     /* idle connection timeout */
    unsigned max_conns;
    unsigned pollers;       /* threads polling the connections (epoll); 0: 2 */
    unsigned workers;       /* threads running handlers; 0: HTTP_WORKERS */
    const char *static_dir; /* the console's files (web/dist), or NULL */
    const char *trusted_proxies; /* "127.0.0.1, ::1": whose X-Forwarded-For counts */
    const char *csp;        /* Content-Security-Policy; NULL: http_csp(…, NULL) */
    /* Errors under this path prefix - the server's own (404, 405, 413,
     * 500) and http_error's - are answered by error_fn in that API's own
     * format instead of the JSON error (the Open311 API under /open311/v2/). */
    const char *error_prefix;
    void (*error_fn)(http_req_t *r, int status, const bh_err_t *e);
} http_config_t;

/*
 * The console's Content-Security-Policy into buf: its own scripts, styles
 * (ECharts and Leaflet set inline styles), images (data:/blob: for charts
 * and the map, and 'img_host' - a map base layer's tile host - unless
 * NULL), nothing framing it.
 */
void http_csp(char *buf, size_t size, const char *img_host);

/* Start serving; routes must outlive the server. */
bh_status_t http_start(const http_config_t *cfg, const http_route_t *routes, int nroutes,
                       void *app, http_server_t **out, bh_err_t *err);
void http_stop(http_server_t *s);
int http_port(const http_server_t *s);

/* The client's address as text ("127.0.0.1", "::1"), or NULL; behind a
 * trusted proxy, the address it forwarded for. */
const char *http_client_address(http_req_t *r);

/* Did a trusted proxy say the client spoke HTTPS (X-Forwarded-Proto)? */
bool http_forwarded_https(http_req_t *r);

/* A request header, or NULL. */
const char *http_header(http_req_t *r, const char *name);
/* Every field of that header, in order, joined with ", " (RFC 9110: the
 * same as one field with the list); NULL when there is none. */
const char *http_header_all(http_req_t *r, const char *name);
/* A cookie the request carries, or NULL. */
const char *http_cookie(http_req_t *r, const char *name);
/* A response header; 'name' must outlive the request (a literal), 'value' is copied. */
void http_add_header(http_req_t *r, const char *name, const char *value);

/* Replies (the body is copied into the request arena when needed). */
void http_reply(http_req_t *r, int status, const char *ctype, const char *body, size_t len);
void http_json(http_req_t *r, int status, json_t *v); /* steals v */
void http_error(http_req_t *r, const bh_err_t *e);
void http_fail(http_req_t *r, bh_status_t st, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Serve r->path from 'dir' if it names a console file there (static.c);
 * false when it does not, and nothing was replied. */
bool http_static(http_req_t *r, const char *dir);
const char *http_static_dir(http_req_t *r); /* the server's, or NULL */

/* The one mapping from a project status to an HTTP status. */
int http_status_of(bh_status_t st);

/* Append the Prometheus text of the request metrics to 'b'. */
void http_metrics_text(http_server_t *s, dynbuf_t *b);

/* The server a request belongs to (for /metrics). */
http_server_t *http_server_of(http_req_t *r);

#endif
