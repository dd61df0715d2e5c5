/*
 * sqlite_patrol.c - the patrol loop's tables in SQLite: check-ins,
 * hazards, objects' risk history and the patrol configuration (store/db.h,
 * struct db_patrol_ops; schema migration 6).
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

#define PATROL_COLS                                                                           \
    "id, client_id, created_by, object_id, object_kind, grid, risk, self_check, at,"          \
    " received_at, lat, lng, accuracy, distance_m, flags, answers, note, track, track_m,"     \
    " duration_s, late, nhazards, covered"

#define VISIT_COLS "object_id, at, self_check, track_m, covered"

/* A major hazard's state follows its case: rectified once the case is
 * closed (复查 passed), cancelled if the case was refused or merged. */
#define HAZARD_STATUS                                                                         \
    "CASE WHEN h.case_id IS NULL THEN h.status WHEN k.status = 'closed' THEN 1"              \
    " WHEN k.status = 'rejected' THEN 2 ELSE 0 END"
#define HAZARD_COLS                                                                           \
    "h.id, h.patrol_id, h.object_id, h.grid, o.kind, o.name, h.severity, h.type,"            \
    " h.description, h.self_check, h.on_spot, h.found_at, h.deadline, " HAZARD_STATUS ","     \
    " CASE WHEN h.case_id IS NULL THEN h.rectified_at ELSE k.closed_at END, h.rectified_by,"  \
    " h.note, h.case_id, h.supervisor, h.plan, h.version, k.status, k.light"
#define HAZARD_FROM                                                                           \
    " FROM hazards h JOIN objects o ON o.id = h.object_id LEFT JOIN cases k ON k.id = h.case_id"

const char *const sq_patrol_sql[ST__PATROL_END - ST__CORE] = {
    [ST_PATROL_INSERT - ST__CORE] =
        "INSERT INTO patrols(client_id, created_by, object_id, object_kind, grid, risk,"
        " self_check, at, received_at, lat, lng, accuracy, distance_m, flags, answers, note,"
        " track, track_m, duration_s, late, nhazards, covered)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22)",
    [ST_PATROL_BY_CLIENT - ST__CORE] = "SELECT id FROM patrols WHERE created_by=?1 AND client_id=?2",
    [ST_PATROL_GET - ST__CORE] = "SELECT " PATROL_COLS " FROM patrols WHERE id=?1",
    [ST_VISITS_ALL - ST__CORE] = "SELECT " VISIT_COLS " FROM patrols"
                                 " WHERE +at >= ?1 AND +at < ?2 ORDER BY object_id, at",
    [ST_VISITS_OBJECT - ST__CORE] = "SELECT " VISIT_COLS " FROM patrols"
                                    " WHERE object_id=?1 AND at >= ?2 AND at < ?3 ORDER BY at",
    [ST_HAZARD_INSERT - ST__CORE] =
        "INSERT INTO hazards(patrol_id, object_id, grid, severity, type, description, self_check,"
        " on_spot, found_at, deadline, status, rectified_at, rectified_by, note, case_id,"
        " supervisor, plan, version)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,1)",
    [ST_HAZARD_GET - ST__CORE] = "SELECT " HAZARD_COLS HAZARD_FROM " WHERE h.id=?1",
    [ST_HAZARD_UPDATE - ST__CORE] =
        ("UPDATE hazards SET status=?2, rectified_at=?3, rectified_by=?4, note=?5,"
         " version=version+1 WHERE id=?1 AND version=?6"),
    [ST_RISK_PUT - ST__CORE] =
        "INSERT OR REPLACE INTO object_risks(object_id, from_day, risk) VALUES(?1,?2,?3)",
};

/* ---- check-ins ---- */

static void row_patrol(sqlite3_stmt *s, arena_t *a, db_patrol_t *p)
{
    p->id = sqlite3_column_int64(s, 0);
    p->client_id = col_text(s, 1, a);
    p->created_by = col_text(s, 2, a);
    p->object_id = sqlite3_column_int64(s, 3);
    p->object_kind = col_text(s, 4, a);
    p->grid = col_text(s, 5, a);
    p->risk = col_text(s, 6, a);
    p->self_check = sqlite3_column_int(s, 7) != 0;
    p->at = sqlite3_column_int64(s, 8);
    p->received_at = sqlite3_column_int64(s, 9);
    p->has_location = sqlite3_column_type(s, 10) != SQLITE_NULL;
    p->lat = sqlite3_column_double(s, 10);
    p->lng = sqlite3_column_double(s, 11);
    p->accuracy = col_real_or(s, 12, -1);
    p->distance_m = col_real_or(s, 13, -1);
    p->flags = col_text(s, 14, a);
    p->answers = col_text(s, 15, a);
    p->note = col_text(s, 16, a);
    p->track = col_text(s, 17, a);
    p->track_m = col_real_or(s, 18, 0);
    p->duration_s = sqlite3_column_int64(s, 19);
    p->late = sqlite3_column_int(s, 20) != 0;
    p->nhazards = sqlite3_column_int(s, 21);
    p->covered = col_real_or(s, 22, -1);
}

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
    ONE_ROW(s, a, out, row_patrol, st);
    return st;
}

static bh_status_t sq_patrol_list(db_conn_t *c, const db_patrol_filter_t *f, arena_t *a,
                                  db_patrol_t **out, int *n)
{
    dynbuf_t b;
    sqlite3_stmt *s;
    bh_status_t st;
    dynbuf_init(&b, SQL_MAX);
    add(&b, "SELECT " PATROL_COLS " FROM patrols WHERE 1");
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
    COLLECT(s, a, out, n, db_patrol_t, row_patrol, st);
    sqlite3_finalize(s);
    return st;
}

static void row_visit(sqlite3_stmt *s, arena_t *a, db_visit_t *v)
{
    (void)a;
    v->object_id = sqlite3_column_int64(s, 0);
    v->at = sqlite3_column_int64(s, 1);
    v->self_check = sqlite3_column_int(s, 2) != 0;
    v->track_m = col_real_or(s, 3, 0);
    v->covered = col_real_or(s, 4, -1);
}

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
        COLLECT(s, a, out, n, db_visit_t, row_visit, st);
        return st;
    }
    dynbuf_init(&b, SQL_MAX);
    add(&b, "SELECT " VISIT_COLS " FROM patrols WHERE ");
    add_scope(&b, "grid", "g", grid, false);
    add(&b, " AND at >= :from AND at < :to ORDER BY object_id, at");
    if (prepare_built(c, &b, &s, NULL) != BH_OK)
        return BH_INTERNAL;
    bind_scope(s, "g", grid, a);
    bind_name_int(s, ":from", from);
    bind_name_int(s, ":to", to);
    COLLECT(s, a, out, n, db_visit_t, row_visit, st);
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
    COLLECT(s, a, out, n, db_visit_t, row_visit, st);
    return st;
}

/* ---- hazards ---- */

static void row_hazard(sqlite3_stmt *s, arena_t *a, db_hazard_t *h)
{
    const char *light;
    h->id = sqlite3_column_int64(s, 0);
    h->patrol_id = sqlite3_column_int64(s, 1);
    h->object_id = sqlite3_column_int64(s, 2);
    h->grid = col_text(s, 3, a);
    h->object_kind = col_text(s, 4, a);
    h->object_name = col_text(s, 5, a);
    h->severity = col_text(s, 6, a);
    h->type = col_text(s, 7, a);
    h->description = col_text(s, 8, a);
    h->self_check = sqlite3_column_int(s, 9) != 0;
    h->on_spot = sqlite3_column_int(s, 10) != 0;
    h->found_at = sqlite3_column_int64(s, 11);
    h->deadline = sqlite3_column_int(s, 12);
    h->status = sqlite3_column_int(s, 13);
    h->rectified_at = col_ms(s, 14);
    h->rectified_by = col_text(s, 15, a);
    h->note = col_text(s, 16, a);
    h->case_id = sqlite3_column_int64(s, 17);
    h->supervisor = col_text(s, 18, a);
    h->plan = col_text(s, 19, a);
    h->version = sqlite3_column_int64(s, 20);
    h->case_status = col_text(s, 21, a);
    light = (const char *)sqlite3_column_text(s, 22);
    h->case_light = SLA_LIGHT_NONE;
    for (int l = SLA_LIGHT_NONE; light && l <= SLA_LIGHT_OVERDUE; l++)
        if (strcmp(light, sla_light_name((sla_light_t)l)) == 0)
            h->case_light = (sla_light_t)l;
}

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
    ONE_ROW(s, a, out, row_hazard, st);
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
    add(&b, "SELECT " HAZARD_COLS HAZARD_FROM " WHERE 1");
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
    COLLECT(s, a, out, n, db_hazard_t, row_hazard, st);
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

static void row_risk(sqlite3_stmt *s, arena_t *a, db_risk_t *r)
{
    r->object_id = sqlite3_column_int64(s, 0);
    r->from = sqlite3_column_int(s, 1);
    r->risk = col_text(s, 2, a);
}

static bh_status_t sq_risks(db_conn_t *c, const db_scope_t *grid, arena_t *a, db_risk_t **out,
                            int *n)
{
    dynbuf_t b;
    sqlite3_stmt *s;
    bh_status_t st;
    dynbuf_init(&b, SQL_MAX);
    add(&b, "SELECT r.object_id, r.from_day, r.risk FROM object_risks r");
    if (grid->code) {
        add(&b, " JOIN objects o ON o.id = r.object_id WHERE ");
        add_scope(&b, "o.grid", "g", grid, false);
    }
    add(&b, " ORDER BY r.object_id, r.from_day");
    if (prepare_built(c, &b, &s, NULL) != BH_OK)
        return BH_INTERNAL;
    bind_scope(s, "g", grid, a);
    COLLECT(s, a, out, n, db_risk_t, row_risk, st);
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
