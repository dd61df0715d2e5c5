/*
 * attachment_api.c - evidence over HTTP (DESIGN.md §9, svc/files.c).
 *
 *   POST /api/v1/cases/{id}/attachments    upload to a case → 201 {"id","sha256","type","size",…}
 *   POST /api/v1/attachments               upload ahead of a case report (bound by its "attachments")
 *   GET  /api/v1/attachments/{id}          the file (jurisdiction checked)
 *   GET  /api/v1/attachments/{id}/thumbnail  a JPEG preview of an image
 *
 * An upload is multipart/form-data (field "file", optional "stage") or the
 * raw bytes with ?stage= and ?name=.  Its kind is found from its bytes,
 * whatever its name or Content-Type say.  A download is a photo shown
 * inline, or a PDF or video as a file to save; never cached without
 * revalidation (another role gets another copy at the same address).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/multipart.h"
#include "api/render.h"


/* The upload in the request: multipart or raw.  false once answered. */
static bool read_upload(http_req_t *r, svc_upload_t *in)
{
    const char *ctype = http_header(r, "Content-Type"), *boundary;
    static const char *const params[] = {"stage", "name", NULL};
    bh_err_t err;

    memset(in, 0, sizeof *in);
    in->stage = "other";
    if ((boundary = mp_boundary(ctype, r->a))) {
        mp_part_t parts[MP_MAX_PARTS];
        const mp_part_t *file, *stage;
        int n;
        if (!api_only_params(r, (const char *const[]){NULL}))
            return false;
        if (mp_parse(boundary, r->body, r->body_len, r->a, parts, &n, &err)) {
            http_error(r, &err);
            return false;
        }
        if (!(file = mp_get(parts, n, "file"))) {
            http_fail(r, BH_INVALID_ARGUMENT, "file", "缺少文件：multipart 表单中应有字段“file”");
            return false;
        }
        if ((stage = mp_get(parts, n, "stage")))
            in->stage = arena_strndup(r->a, stage->data, stage->len < 16 ? stage->len : 16);
        in->name = file->filename;
        in->data = file->data;
        in->len = file->len;
        return true;
    }
    if (ctype && !strncasecmp(ctype, "multipart/", 10)) {
        http_fail(r, BH_INVALID_ARGUMENT, "Content-Type",
                  "multipart 请求须为 multipart/form-data 并给出 boundary");
        return false;
    }
    if (!api_only_params(r, params))
        return false;
    if (qs_get(&r->query, "stage"))
        in->stage = qs_get(&r->query, "stage");
    in->name = qs_get(&r->query, "name");
    in->data = r->body;
    in->len = r->body_len;
    return true;
}

static void upload(http_req_t *r, int64_t case_id)
{
    svc_upload_t in;
    db_attachment_t f;
    bh_err_t err;
    if (!read_upload(r, &in))
        return;
    in.case_id = case_id;
    if (svc_attachment_add(APP(r), &r->user, &in, r->a, &f, &err)) {
        http_error(r, &err);
        return;
    }
    http_add_header(r, "Location", arena_printf(r->a, "/api/v1/attachments/%lld", (long long)f.id));
    http_json(r, 201, render_attachment(&r->user, &f));
}

static void h_case_upload(http_req_t *r)
{
    int64_t id;
    if (api_auth(r) && api_parse_id(r, r->params[0], "案件", &id))
        upload(r, id);
}

static void h_upload(http_req_t *r)
{
    if (api_auth(r))
        upload(r, 0);
}

static void download(http_req_t *r, bool thumbnail)
{
    svc_file_t f;
    bh_err_t err;
    int64_t id;
    char disp[600];
    if (!api_auth(r) || !api_only_params(r, (const char *const[]){NULL}) ||
        !api_parse_id(r, r->params[0], "附件", &id))
        return;
    if (svc_attachment_open(APP(r), &r->user, id, thumbnail, r->a, &f, &err)) {
        http_error(r, &err);
        return;
    }
    http_add_header(r, "ETag", arena_printf(r->a, "\"%s%s\"", f.f.sha256,
                                            thumbnail ? "-t" : f.stripped ? "-s" : ""));
    /* the same address gives another copy to another role: never reused
     * from a cache without asking (a shared command-centre PC) */
    http_add_header(r, "Cache-Control", "private, no-cache");
    /* a photo shows in the page; a PDF or video is saved, never opened as
     * a document of this site (nor in a viewer the sandbox would block) */
    snprintf(disp, sizeof disp, "%s; filename=\"attachment-%lld.%s\"",
             thumbnail || !strncmp(f.mime, "image/", 6) ? "inline" : "attachment", (long long)id,
             thumbnail ? "jpg" : f.f.type);
    http_add_header(r, "Content-Disposition", arena_strdup(r->a, disp));
    http_add_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
    http_reply(r, 200, thumbnail ? "image/jpeg" : f.mime, f.data, f.len);
}

static void h_download(http_req_t *r)
{
    download(r, false);
}

static void h_thumbnail(http_req_t *r)
{
    download(r, true);
}

const http_route_t attachment_routes[] = {
    {"POST", "/api/v1/cases/{id}/attachments", h_case_upload, HTTP_BODY_UPLOAD},
    {"POST", "/api/v1/attachments", h_upload, HTTP_BODY_UPLOAD},
    {"GET", "/api/v1/attachments/{id}", h_download, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/attachments/{id}/thumbnail", h_thumbnail, HTTP_BODY_DEFAULT},
};
const int attachment_nroutes = (int)(sizeof attachment_routes / sizeof attachment_routes[0]);
