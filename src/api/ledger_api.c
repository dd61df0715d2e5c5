/*
 * ledger_api.c - ledgers over HTTP:
 *   POST /api/v1/ledgers/{kind}          the file is the request body
 *        ?format=csv|xlsx|geojson  (default: Content-Type, then the bytes)
 *        &sheet=NAME &encoding=gb18030 &skip_bad=true &dry_run=true
 *   GET  /api/v1/ledgers/{kind}.{fmt}    download (csv, xlsx, geojson)
 * The import answers with counts and every bad row (sheet, row, column,
 * reason); when rows are bad and skip_bad is not set it is a 400 with the
 * same list, and nothing was written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/api.h"
#include "svc/ledger.h"
#include "util/file.h"


static const char CT_XLSX[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

static int kind_param(http_req_t *r)
{
    int kind = ledger_kind_from_name(r->params[0]);
    if (kind < 0)
        http_fail(r, BH_NOT_FOUND, "kind", "没有“%s”台账（units geometries objects users cases patrols targets actuals）",
                  r->params[0]);
    return kind;
}

static int body_format(http_req_t *r, int kind)
{
    const char *f = qs_get(&r->query, "format"), *ct = http_header(r, "Content-Type");
    if (f)
        return ledger_format_from_name(f);
    if (kind == LEDGER_GEOMETRIES)
        return LEDGER_FMT_GEOJSON;
    if (ct && strncasecmp(ct, CT_XLSX, sizeof CT_XLSX - 1) == 0)
        return LEDGER_FMT_XLSX;
    if (ct && strncasecmp(ct, "text/csv", 8) == 0)
        return LEDGER_FMT_CSV;
    return (int)tab_sniff(r->body, r->body_len);
}

static void h_import(http_req_t *r)
{
    static const char *const params[] = {"format", "sheet", "encoding", "skip_bad", "dry_run", NULL};
    int kind;
    ledger_opts_t o;
    ledger_result_t res;
    bh_err_t err;
    bh_status_t st;
    json_t *body, *errors;

    if ((kind = kind_param(r)) < 0 || !api_auth(r) || !api_only_params(r, params))
        return;
    memset(&o, 0, sizeof o);
    if (!api_bool_param(r, "skip_bad", &o.skip_bad) || !api_bool_param(r, "dry_run", &o.dry_run))
        return;
    if ((o.format = body_format(r, kind)) < 0) {
        http_fail(r, BH_INVALID_ARGUMENT, "format", "format 应为 csv、xlsx 或 geojson");
        return;
    }
    if (r->body_len == 0) {
        http_fail(r, BH_INVALID_ARGUMENT, "body", "请求体是空的：请上传台账文件");
        return;
    }
    o.tab.sheet = qs_get(&r->query, "sheet");
    o.tab.encoding = qs_get(&r->query, "encoding");
    bh_err_clear(&err);
    st = svc_ledger_import(APP(r), &r->user, (ledger_kind_t)kind, r->body, r->body_len, &o, &res,
                           &err);
    errors = json_array();
    for (int i = 0; i < res.nbads; i++) {
        const ledger_bad_t *b = &res.bads[i];
        json_array_append_new(errors, json_pack("{s:s, s:I, s:s?, s:s?, s:s}", "sheet", b->sheet, "row",
                                                (json_int_t)b->row, "column", *b->col ? b->col : NULL,
                                                "header", *b->column ? b->column : NULL, "reason",
                                                b->reason));
    }
    body = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:I, s:o}", "kind",
                     ledger_kind_name((ledger_kind_t)kind), "rows", (json_int_t)res.rows, "created",
                     (json_int_t)res.created, "updated", (json_int_t)res.updated, "unchanged",
                     (json_int_t)res.unchanged, "bad", (json_int_t)res.bad, "written", res.written,
                     "dry_run", o.dry_run, "resumed", (json_int_t)res.resumed, "errors", errors);
    if (st != BH_OK) {
        json_t *e = json_pack("{s:s, s:s}", "code", bh_status_name(st), "message", err.message);
        if (err.field[0])
            json_object_set_new(e, "field", json_string(err.field));
        json_object_set_new(body, "error", e);
    }
    ledger_result_free(&res);
    http_json(r, st == BH_OK ? 200 : http_status_of(st), body);
}

static void h_export(http_req_t *r)
{
    static const char *const params[] = {NULL};
    int kind, format;
    char path[] = "/tmp/bihuan-export-XXXXXX";
    int fd;
    long rows;
    bh_err_t err;
    char *data;
    size_t len;
    const char *fmt = r->params[1];

    if ((kind = kind_param(r)) < 0 || !api_auth(r) || !api_only_params(r, params))
        return;
    if ((format = ledger_format_from_name(fmt)) < 0) {
        http_fail(r, BH_NOT_FOUND, "format", "格式应为 csv、xlsx 或 geojson");
        return;
    }
    if ((fd = mkstemp(path)) < 0) {
        http_fail(r, BH_UNAVAILABLE, "", "无法创建临时文件：%s", strerror(errno));
        return;
    }
    close(fd);
    if (svc_ledger_export(APP(r), &r->user, (ledger_kind_t)kind, format, path, &rows, &err) != BH_OK) {
        unlink(path);
        http_error(r, &err);
        return;
    }
    if (file_read_all(path, (size_t)1 << 31, &data, &len, &err) != BH_OK) {
        unlink(path);
        http_error(r, &err);
        return;
    }
    unlink(path);
    http_add_header(r, "Content-Disposition",
                    arena_printf(r->a, "attachment; filename=\"%s.%s\"",
                                 ledger_kind_name((ledger_kind_t)kind), fmt));
    http_add_header(r, "X-Rows", arena_printf(r->a, "%ld", rows));
    http_reply(r, 200,
               format == LEDGER_FMT_XLSX  ? CT_XLSX
               : format == LEDGER_FMT_CSV ? "text/csv; charset=utf-8"
                                          : "application/geo+json",
               data, len);
    arena_on_free(r->a, free, data); /* sent after this returns */
}

const http_route_t ledger_routes[] = {
    {"GET", "/api/v1/ledgers/{kind}.{fmt}", h_export, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/ledgers/{kind}", h_import, HTTP_BODY_UPLOAD},
};
const int ledger_nroutes = (int)(sizeof ledger_routes / sizeof ledger_routes[0]);
