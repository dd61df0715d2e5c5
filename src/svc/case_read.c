/*
 * case_read.c - the read use cases of the case loop: lists (with each
 * row's clocks), statistics and state counts, with the
 * jurisdiction rule applied here rather than in the HTTP layer, and every
 * store failure reported as a status.
 */
#include <string.h>

#include "svc/svc.h"

/* The rows f selects, each with its clocks. */
static bh_status_t list_rows(svc_t *s, const db_case_filter_t *f, arena_t *a,
                             svc_case_row_t **out, int *n, const char **next, bh_err_t *err)
{
    db_conn_t *c;
    db_case_t *rows;
    bh_status_t st;

    *n = 0;
    if ((st = svc_reader(s, &c, err)))
        return st;
    if ((st = DB(c, cases, case_list, f, a, &rows, n, next, err)) != BH_OK) {
        db_reader_done(s->db, c);
        return st;
    }
    *out = arena_alloc_array(a, (size_t)(*n > 0 ? *n : 1), sizeof **out);
    for (int i = 0; i < *n && st == BH_OK; i++) {
        (*out)[i].k = rows[i];
        st = DB(c, cases, clocks_get, rows[i].id, a, &(*out)[i].clocks, &(*out)[i].nclocks);
    }
    db_reader_done(s->db, c);
    if (st != BH_OK)
        return bh_fail(err, st, "", "读取案件时限失败，请稍后重试");
    return BH_OK;
}

bh_status_t svc_case_list(svc_t *s, const svc_user_t *u, db_case_filter_t *f, arena_t *a,
                          svc_case_row_t **out, int *n, const char **next_cursor, bh_err_t *err)
{
    /* Jurisdiction: the public see what they reported; everyone but the
     * administrator what happened in, or was handed to, their scope. */
    if (role_external(u->role))
        f->created_by = u->username;
    else if (u->role != ROLE_ADMIN && !u->unrestricted)
        f->visible = db_scope(u->unit);
    return list_rows(s, f, a, out, n, next_cursor, err);
}

bh_status_t svc_case_stats(svc_t *s, const svc_user_t *u, const char *unit,
                           db_stats_query_t *q, arena_t *a, db_stats_row_t **rows, int *n,
                           bh_err_t *err)
{
    bh_status_t st;
    if (u->role != ROLE_ADMIN && !unit_in_scope(u->unit, unit))
        return bh_fail(err, BH_PERMISSION_DENIED, "unit", "单位“%s”不在您的管辖范围内", unit);
    q->unit = db_scope(unit);
    SVC_READ(s, c, st, err, DB(c, cases, stats, q, a, rows, n, err));
    return st;
}

struct rebuild {
    int64_t rows, differed;
};

static bh_status_t rebuild_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct rebuild *r = ctx;
    return DB(c, cases, stats_rebuild, &r->rows, &r->differed, err);
}

bh_status_t svc_stats_rebuild(svc_t *s, int64_t *rows, int64_t *differed, bh_err_t *err)
{
    struct rebuild r = {0, 0};
    bh_status_t st = db_write(s->db, rebuild_tx, &r, err);
    *rows = r.rows;
    *differed = r.differed;
    return st;
}

bh_status_t svc_case_counts(svc_t *s, int64_t out[CASE_ST__COUNT][SLA_LIGHT_OVERDUE + 1],
                            bh_err_t *err)
{
    bh_status_t st;
    SVC_READ(s, c, st, err, DB(c, cases, counts, out));
    return st ? bh_fail(err, st, "", "读取案件计数失败") : BH_OK;
}
