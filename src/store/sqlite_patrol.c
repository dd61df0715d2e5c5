/*
 * sqlite_patrol.c - the patrol loop's tables in SQLite: check-ins,
 * hazards, objects' risk history and the patrol configuration (store/db.h,
 * struct db_patrol_ops; schema migration 6).
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

/* A major hazard's state follows its case: rectified once the case is
 * closed (复查 passed), cancelled if the case was refused or merged. */
#define HAZARD_STATUS                                                                         \
    "CASE WHEN h.case_id IS NULL THEN h.status WHEN k.status = 'closed' THEN 1"              \
    " WHEN k.status = 'rejected' THEN 2 ELSE 0 END"
#define HAZARD_FROM                                                                           \
    " FROM hazards h JOIN objects o ON o.id = h.object_id LEFT JOIN cases k ON k.id = h.case_id"

const char *const sq_patrol_sql[ST__PATROL_END - ST__CORE] = {
    [ST_PATROL_INSERT - ST__CORE] =
        "INSERT INTO patrols(client_id, created_by, object_id, object_kind, grid, risk,"
        " self_check, at, received_at, lat, lng, accuracy, distance_m, flags, answers, note,"
        " track, track_m, duration_s, late, nhazards, covered)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22)",
    [ST_PATROL_BY_CLIENT - ST__CORE] = "SELECT id FROM patrols WHERE created_by=?1 AND client_id=?2",
    [ST_PATROL_GET - ST__CORE] = "SELECT {patrol} FROM patrols WHERE id=?1",
    [ST_VISITS_ALL - ST__CORE] = "SELECT {visit} FROM patrols"
                                 " WHERE +at >= ?1 AND +at < ?2 ORDER BY object_id, at",
    [ST_VISITS_OBJECT - ST__CORE] = "SELECT {visit} FROM patrols"
                                    " WHERE object_id=?1 AND at >= ?2 AND at < ?3 ORDER BY at",
    [ST_HAZARD_INSERT - ST__CORE] =
        "INSERT INTO hazards(patrol_id, object_id, grid, severity, type, description, self_check,"
        " on_spot, found_at, deadline, status, rectified_at, rectified_by, note, case_id,"
        " supervisor, plan, version)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,1)",
    [ST_HAZARD_GET - ST__CORE] = "SELECT {hazard}" HAZARD_FROM " WHERE h.id=?1",
    [ST_HAZARD_UPDATE - ST__CORE] =
        ("UPDATE hazards SET status=?2, rectified_at=?3, rectified_by=?4, note=?5,"
         " version=version+1 WHERE id=?1 AND version=?6"),
    /* an upsert, not INSERT OR REPLACE: REPLACE may delete, so SQLite gives
     * each one a statement journal, and releasing it walked the whole
     * in-memory sub-journal of the transaction (a ledger import of 300k
     * objects spent a quarter of its time there) */
    [ST_RISK_PUT - ST__CORE] =
        "INSERT INTO object_risks(object_id, from_day, risk) VALUES(?1,?2,?3)"
        " ON CONFLICT(object_id, from_day) DO UPDATE SET risk = excluded.risk",
};

/* ---- check-ins ---- */

static const sq_col_t patrol_cols[] = {
    SQ_COL(db_patrol_t, id, I64),            SQ_COL(db_patrol_t, client_id, TEXT),
    SQ_COL(db_patrol_t, created_by, TEXT),   SQ_COL(db_patrol_t, object_id, I64),
    SQ_COL(db_patrol_t, object_kind, TEXT),  SQ_COL(db_patrol_t, grid, TEXT),
    SQ_COL(db_patrol_t, risk, TEXT),         SQ_COL(db_patrol_t, self_check, BOOL),
    SQ_COL(db_patrol_t, at, I64),            SQ_COL(db_patrol_t, received_at, I64),
    SQ_EXPR("lat IS NOT NULL", db_patrol_t, has_location, BOOL),
    SQ_COL(db_patrol_t, lat, REAL),          SQ_COL(db_patrol_t, lng, REAL),
    SQ_COL(db_patrol_t, accuracy, REAL_M1),  SQ_COL(db_patrol_t, distance_m, REAL_M1),
    SQ_COL(db_patrol_t, flags, TEXT),        SQ_COL(db_patrol_t, answers, TEXT),
    SQ_COL(db_patrol_t, note, TEXT),         SQ_COL(db_patrol_t, track, TEXT),
    SQ_COL(db_patrol_t, track_m, REAL),      SQ_COL(db_patrol_t, duration_s, I64),
    SQ_COL(db_patrol_t, late, BOOL),         SQ_COL(db_patrol_t, nhazards, INT),
    SQ_COL(db_patrol_t, covered, REAL_M1),
};
const sq_map_t sq_map_patrol = SQ_MAP("patrol", patrol_cols);

static bh_status_t sq_patrol_insert(db_conn_t *c, db_patrol_t *p, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_PATROL_INSERT);
    bh_status_t st;
    bind_text(s, 1, p->client_id);
    bind_text(s, 2, p->created_by);
    sqlite3_bind_int64(s, 3, p->object_id);
    bind_text(s, 4, p->object_kind);
    bind_text(s, 5, p->grid);
    bind_text(s, 6, p->risk);
    sqlite3_bind_int(s, 7, p->self_check);
    sqlite3_bind_int64(s, 8, p->at);
    sqlite3_bind_int64(s, 9, p->received_at);
    bind_real_or_null(s, 10, p->has_location, p->lat);
    bind_real_or_null(s, 11, p->has_location, p->lng);
    bind_real_or_null(s, 12, p->has_location && p->accuracy >= 0, p->accuracy);
    bind_real_or_null(s, 13, p->distance_m >= 0, p->distance_m);
    bind_text(s, 14, p->flags);
    bind_text(s, 15, p->answers ? p->answers : "{}");
    bind_text(s, 16, p->note);
    bind_text(s, 17, p->track);
    bind_real_or_null(s, 18, p->track != NULL, p->track_m);
    if (p->track)
        sqlite3_bind_int64(s, 19, p->duration_s);
    sqlite3_bind_int(s, 20, p->late);
    sqlite3_bind_int(s, 21, p->nhazards);
    bind_real_or_null(s, 22, p->covered >= 0, p->covered);
    if ((st = step_done(c, s, err)) == BH_OK)
        p->id = sqlite3_last_insert_rowid(SQ(c)->h);
    else if (st == BH_CONFLICT)
        bh_fail(err, BH_CONFLICT, "client_id", "这个 client_id 已经用过");
    return st;
}

static bh_status_t sq_patrol_lookup(db_conn_t *c, const char *created_by, const char *client_id,
                                    int64_t *id)
{
    sqlite3_stmt *s = sq_stmt(c, ST_PATROL_BY_CLIENT);
    bind_text(s, 1, created_by);
    bind_text(s, 2, client_id);
    return one_id(s, id);
}

static bh_status_t sq_patrol_get(db_conn_t *c, int64_t id, arena_t *a, db_patrol_t *out)
{
    sqlite3_stmt *s = sq_stmt(c, ST_PATROL_GET);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    ONE_ROW(s, a, out, &sq_map_patrol, st);
    return st;
}

static bh_status_t sq_patrol_list(db_conn_t *c, const db_patrol_filter_t *f, arena_t *a,
                                  db_patrol_t **out, int *n)
{
    dynbuf_t b;
    sqlite3_stmt *s;
    bh_status_t st;
    dynbuf_init(&b, SQL_MAX);
    add(&b, "SELECT {patrol} FROM patrols WHERE 1");
    if (f->grid.code) {
        add(&b, " AND ");
        add_scope(&b, "grid", "g", &f->grid, false);
    }
    if (f->object_id)
        add(&b, " AND object_id = :object");
    if (f->from)
        add(&b, " AND at >= :from");
    if (f->to)
        add(&b, " AND at < :to");
    if (f->after_id)
        add(&b, " AND id < :after");
    add(&b, " ORDER BY id DESC LIMIT :limit");
    if (prepare_built(c, &b, &s, NULL) != BH_OK)
        return BH_INTERNAL;
    bind_scope(s, "g", &f->grid, a);
    bind_name_int(s, ":object", f->object_id);
    bind_name_int(s, ":from", f->from);
    bind_name_int(s, ":to", f->to);
    bind_name_int(s, ":after", f->after_id);
    bind_name_int(s, ":limit", f->limit > 0 ? f->limit : -1);
    COLLECT(s, a, out, n, db_patrol_t, &sq_map_patrol, st);
    sqlite3_finalize(s);
    return st;
}

static const sq_col_t visit_cols[] = {
    SQ_COL(db_visit_t, object_id, I64),  SQ_COL(db_visit_t, at, I64),
    SQ_COL(db_visit_t, self_check, BOOL), SQ_COL(db_visit_t, track_m, REAL),
    SQ_COL(db_visit_t, covered, REAL_M1),
};
const sq_map_t sq_map_visit = SQ_MAP("visit", visit_cols);

static bh_status_t sq_visits(db_conn_t *c, const db_scope_t *grid, dt_ms_t from, dt_ms_t to,
                             arena_t *a, db_visit_t **out, int *n)
{
    sqlite3_stmt *s;
    bh_status_t st;
    dynbuf_t b;
    if (!grid->code) {
        s = sq_stmt(c, ST_VISITS_ALL);
        sqlite3_bind_int64(s, 1, from);
        sqlite3_bind_int64(s, 2, to);
        COLLECT(s, a, out, n, db_visit_t, &sq_map_visit, st);
        return st;
    }
    dynbuf_init(&b, SQL_MAX);
    add(&b, "SELECT {visit} FROM patrols WHERE ");
    add_scope(&b, "grid", "g", grid, false);
    add(&b, " AND at >= :from AND at < :to ORDER BY object_id, at");
    if (prepare_built(c, &b, &s, NULL) != BH_OK)
        return BH_INTERNAL;
    bind_scope(s, "g", grid, a);
    bind_name_int(s, ":from", from);
    bind_name_int(s, ":to", to);
    COLLECT(s, a, out, n, db_visit_t, &sq_map_visit, st);
    sqlite3_finalize(s);
    return st;
}

static bh_status_t sq_object_visits(db_conn_t *c, int64_t object_id, dt_ms_t from, dt_ms_t to,
                                    arena_t *a, db_visit_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_VISITS_OBJECT);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, object_id);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    COLLECT(s, a, out, n, db_visit_t, &sq_map_visit, st);
    return st;
}

/* ---- hazards ---- */

static const sq_col_t hazard_cols[] = {
    SQ_EXPR("h.id", db_hazard_t, id, I64),
    SQ_EXPR("h.patrol_id", db_hazard_t, patrol_id, I64),
    SQ_EXPR("h.object_id", db_hazard_t, object_id, I64),
    SQ_EXPR("h.grid", db_hazard_t, grid, TEXT),
    SQ_EXPR("o.kind", db_hazard_t, object_kind, TEXT),
    SQ_EXPR("o.name", db_hazard_t, object_name, TEXT),
    SQ_EXPR("h.severity", db_hazard_t, severity, TEXT),
    SQ_EXPR("h.type", db_hazard_t, type, TEXT),
    SQ_EXPR("h.description", db_hazard_t, description, TEXT),
    SQ_EXPR("h.self_check", db_hazard_t, self_check, BOOL),
    SQ_EXPR("h.on_spot", db_hazard_t, on_spot, BOOL),
    SQ_EXPR("h.found_at", db_hazard_t, found_at, I64),
    SQ_EXPR("h.deadline", db_hazard_t, deadline, INT),
    SQ_EXPR(HAZARD_STATUS, db_hazard_t, status, INT),
    SQ_EXPR("CASE WHEN h.case_id IS NULL THEN h.rectified_at ELSE k.closed_at END", db_hazard_t,
            rectified_at, MS),
    SQ_EXPR("h.rectified_by", db_hazard_t, rectified_by, TEXT),
    SQ_EXPR("h.note", db_hazard_t, note, TEXT),
    SQ_EXPR("h.case_id", db_hazard_t, case_id, I64),
    SQ_EXPR("h.supervisor", db_hazard_t, supervisor, TEXT),
    SQ_EXPR("h.plan", db_hazard_t, plan, TEXT),
    SQ_EXPR("h.version", db_hazard_t, version, I64),
    SQ_EXPR("k.status", db_hazard_t, case_status, TEXT),
    SQ_EXPR("k.light", db_hazard_t, case_light, LIGHT),
};
const sq_map_t sq_map_hazard = SQ_MAP("hazard", hazard_cols);

static bh_status_t sq_hazard_insert(db_conn_t *c, db_hazard_t *h, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_HAZARD_INSERT);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, h->patrol_id);
    sqlite3_bind_int64(s, 2, h->object_id);
    bind_text(s, 3, h->grid);
    bind_text(s, 4, h->severity);
    bind_text(s, 5, h->type);
    bind_text(s, 6, h->description);
    sqlite3_bind_int(s, 7, h->self_check);
    sqlite3_bind_int(s, 8, h->on_spot);
    sqlite3_bind_int64(s, 9, h->found_at);
    sqlite3_bind_int(s, 10, h->deadline);
    sqlite3_bind_int(s, 11, h->status);
    bind_ms(s, 12, h->rectified_at);
    bind_text(s, 13, h->rectified_by);
    bind_text(s, 14, h->note);
    bind_ms(s, 15, h->case_id);
    bind_text(s, 16, h->supervisor);
    bind_text(s, 17, h->plan);
    if ((st = step_done(c, s, err)) == BH_OK) {
        h->id = sqlite3_last_insert_rowid(SQ(c)->h);
        h->version = 1;
    }
    return st;
}

static bh_status_t sq_hazard_get(db_conn_t *c, int64_t id, arena_t *a, db_hazard_t *out)
{
    sqlite3_stmt *s = sq_stmt(c, ST_HAZARD_GET);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    ONE_ROW(s, a, out, &sq_map_hazard, st);
    return st;
}

static bh_status_t sq_hazard_update(db_conn_t *c, const db_hazard_t *h, int64_t read_version,
                                    bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_HAZARD_UPDATE);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, h->id);
    sqlite3_bind_int(s, 2, h->status);
    bind_ms(s, 3, h->rectified_at);
    bind_text(s, 4, h->rectified_by);
    bind_text(s, 5, h->note);
    sqlite3_bind_int64(s, 6, read_version);
    if ((st = step_done(c, s, err)))
        return st;
    if (sqlite3_changes(SQ(c)->h) == 0)
        return bh_fail(err, BH_CONFLICT, "version", "隐患已被他人修改，请刷新后重试");
    return BH_OK;
}

static bh_status_t sq_hazard_list(db_conn_t *c, const db_hazard_filter_t *f, arena_t *a,
                                  db_hazard_t **out, int *n)
{
    dynbuf_t b;
    sqlite3_stmt *s;
    bh_status_t st;
    dynbuf_init(&b, SQL_MAX);
    add(&b, "SELECT {hazard}" HAZARD_FROM " WHERE 1");
    if (f->grid.code) {
        add(&b, " AND ");
        add_scope(&b, "h.grid", "g", &f->grid, false);
    }
    if (f->object_id)
        add(&b, " AND h.object_id = :object");
    if (f->patrol_id)
        add(&b, " AND h.patrol_id = :patrol");
    if (f->severity)
        add(&b, " AND h.severity = :severity");
    if (f->status >= 0)
        add(&b, " AND (" HAZARD_STATUS ") = :status");
    if (f->self_check >= 0)
        add(&b, " AND h.self_check = :self");
    if (f->from)
        add(&b, " AND h.found_at >= :from");
    if (f->to)
        add(&b, " AND h.found_at < :to");
    if (f->after_id)
        add(&b, " AND h.id < :after");
    add(&b, " ORDER BY h.id DESC LIMIT :limit");
    if (prepare_built(c, &b, &s, NULL) != BH_OK)
        return BH_INTERNAL;
    bind_scope(s, "g", &f->grid, a);
    bind_name_int(s, ":object", f->object_id);
    bind_name_int(s, ":patrol", f->patrol_id);
    bind_name_text(s, ":severity", f->severity);
    bind_name_int(s, ":status", f->status);
    bind_name_int(s, ":self", f->self_check);
    bind_name_int(s, ":from", f->from);
    bind_name_int(s, ":to", f->to);
    bind_name_int(s, ":after", f->after_id);
    bind_name_int(s, ":limit", f->limit > 0 ? f->limit : -1);
    COLLECT(s, a, out, n, db_hazard_t, &sq_map_hazard, st);
    sqlite3_finalize(s);
    return st;
}

/* ---- risk history and configuration ---- */

static bh_status_t sq_risk_put(db_conn_t *c, int64_t object_id, int32_t from, const char *risk)
{
    sqlite3_stmt *s = sq_stmt(c, ST_RISK_PUT);
    sqlite3_bind_int64(s, 1, object_id);
    sqlite3_bind_int(s, 2, from);
    bind_text(s, 3, risk);
    return step_done(c, s, NULL);
}

static const sq_col_t risk_cols[] = {
    SQ_COL(db_risk_t, object_id, I64), SQ_EXPR("from_day", db_risk_t, from, INT),
    SQ_COL(db_risk_t, risk, TEXT),
};
const sq_map_t sq_map_risk = SQ_MAP("risk", risk_cols);

static bh_status_t sq_risks(db_conn_t *c, const db_scope_t *grid, arena_t *a, db_risk_t **out,
                            int *n)
{
    dynbuf_t b;
    sqlite3_stmt *s;
    bh_status_t st;
    dynbuf_init(&b, SQL_MAX);
    add(&b, "SELECT {risk:r} FROM object_risks r");
    if (grid->code) {
        add(&b, " JOIN objects o ON o.id = r.object_id WHERE ");
        add_scope(&b, "o.grid", "g", grid, false);
    }
    add(&b, " ORDER BY r.object_id, r.from_day");
    if (prepare_built(c, &b, &s, NULL) != BH_OK)
        return BH_INTERNAL;
    bind_scope(s, "g", grid, a);
    COLLECT(s, a, out, n, db_risk_t, &sq_map_risk, st);
    sqlite3_finalize(s);
    return st;
}

const struct db_patrol_ops sq_patrol_ops = {
    .patrol_insert = sq_patrol_insert,
    .patrol_lookup = sq_patrol_lookup,
    .patrol_get = sq_patrol_get,
    .patrol_list = sq_patrol_list,
    .visits = sq_visits,
    .object_visits = sq_object_visits,
    .hazard_insert = sq_hazard_insert,
    .hazard_get = sq_hazard_get,
    .hazard_update = sq_hazard_update,
    .hazard_list = sq_hazard_list,
    .risk_put = sq_risk_put,
    .risks = sq_risks,
};
