/*
 * sqlite_report.c - reports and their schedules in SQLite (store/db.h,
 * struct db_report_ops; schema migration 13).
 */
#include <string.h>

#include "store/sqlite_int.h"


const char *const sq_report_sql[ST__REPORT_END - ST__PROJECT_END] = {
    [ST_REPORT_ADD - ST__PROJECT_END] =
        "INSERT INTO reports(kind, unit, from_day, to_day, title, content, created_at, created_by,"
        " schedule_id) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [ST_REPORT_GET - ST__PROJECT_END] = "SELECT {report_full} FROM reports WHERE id=?1",
    [ST_REPORT_LIST - ST__PROJECT_END] =
        "SELECT {report} FROM reports"
        " WHERE (?2=0 AND unit=?1) OR (?2=1 AND unit>=?1 AND (?3='' OR unit<?3))"
        " ORDER BY id DESC LIMIT ?4",
    [ST_SCHED_ADD - ST__PROJECT_END] =
        "INSERT INTO report_schedules(kind, unit, every, day, minute, next_at, active, created_at,"
        " created_by) VALUES(?1,?2,?3,?4,?5,?6,1,?7,?8)",
    [ST_SCHED_LIST - ST__PROJECT_END] = "SELECT {schedule} FROM report_schedules ORDER BY id",
    [ST_SCHED_ADVANCE - ST__PROJECT_END] =
        "UPDATE report_schedules SET next_at=?3, last_report=?4"
        " WHERE id=?1 AND next_at=?2 AND active=1",
    [ST_SCHED_STOP - ST__PROJECT_END] =
        "UPDATE report_schedules SET active=0 WHERE id=?1 AND active=1",
};

static bh_status_t sq_report_add(db_conn_t *c, db_report_t *r, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_REPORT_ADD);
    bind_text(s, 1, r->kind);
    bind_text(s, 2, r->unit);
    sqlite3_bind_int(s, 3, r->from_day);
    sqlite3_bind_int(s, 4, r->to_day);
    bind_text(s, 5, r->title);
    bind_text(s, 6, r->content);
    sqlite3_bind_int64(s, 7, r->created_at);
    bind_text(s, 8, r->created_by);
    if (r->schedule_id)
        sqlite3_bind_int64(s, 9, r->schedule_id);
    else
        sqlite3_bind_null(s, 9);
    return step_insert(c, s, &r->id, err);
}

/* A report's list row; the whole report adds its content. */
static const sq_col_t report_cols[] = {
    SQ_COL(db_report_t, id, I64),          SQ_COL(db_report_t, kind, TEXT),
    SQ_COL(db_report_t, unit, TEXT),       SQ_COL(db_report_t, from_day, INT),
    SQ_COL(db_report_t, to_day, INT),      SQ_COL(db_report_t, title, TEXT),
    SQ_COL(db_report_t, created_at, I64),  SQ_COL(db_report_t, created_by, TEXT),
    SQ_COL(db_report_t, schedule_id, I64), SQ_COL(db_report_t, content, TEXT),
};
const sq_map_t sq_map_report_full = SQ_MAP("report_full", report_cols);
const sq_map_t sq_map_report = {"report", report_cols,
                                 (int)(sizeof report_cols / sizeof report_cols[0]) - 1};

static bh_status_t sq_report_get(db_conn_t *c, int64_t id, arena_t *a, db_report_t *out)
{
    sqlite3_stmt *s = sq_stmt(c, ST_REPORT_GET);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    ONE_ROW(s, a, out, &sq_map_report_full, st);
    return st;
}

static bh_status_t sq_report_list(db_conn_t *c, const db_scope_t *unit, int limit, arena_t *a,
                                  db_report_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_REPORT_LIST);
    bh_status_t st;
    bind_text(s, 1, unit->code);
    sqlite3_bind_int(s, 2, unit->subtree);
    if (unit->subtree)
        bind_text(s, 3, prefix_end(a, unit->code));
    sqlite3_bind_int(s, 4, limit);
    COLLECT(s, a, out, n, db_report_t, &sq_map_report, st);
    return st;
}

static bh_status_t sq_schedule_add(db_conn_t *c, db_schedule_t *x, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_SCHED_ADD);
    bind_text(s, 1, x->kind);
    bind_text(s, 2, x->unit);
    bind_text(s, 3, x->every);
    sqlite3_bind_int(s, 4, x->day);
    sqlite3_bind_int(s, 5, x->minute);
    sqlite3_bind_int64(s, 6, x->next_at);
    sqlite3_bind_int64(s, 7, x->created_at);
    bind_text(s, 8, x->created_by);
    x->active = true;
    return step_insert(c, s, &x->id, err);
}

static const sq_col_t schedule_cols[] = {
    SQ_COL(db_schedule_t, id, I64),          SQ_COL(db_schedule_t, kind, TEXT),
    SQ_COL(db_schedule_t, unit, TEXT),       SQ_COL(db_schedule_t, every, TEXT),
    SQ_COL(db_schedule_t, day, INT),         SQ_COL(db_schedule_t, minute, INT),
    SQ_COL(db_schedule_t, next_at, I64),     SQ_COL(db_schedule_t, active, BOOL),
    SQ_COL(db_schedule_t, created_at, I64),  SQ_COL(db_schedule_t, created_by, TEXT),
    SQ_COL(db_schedule_t, last_report, I64),
};
const sq_map_t sq_map_schedule = SQ_MAP("schedule", schedule_cols);

static bh_status_t sq_schedule_list(db_conn_t *c, arena_t *a, db_schedule_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_SCHED_LIST);
    bh_status_t st;
    COLLECT(s, a, out, n, db_schedule_t, &sq_map_schedule, st);
    return st;
}

static bh_status_t sq_schedule_advance(db_conn_t *c, int64_t id, dt_ms_t expect, dt_ms_t next_at,
                                       int64_t last_report, bool *won, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_SCHED_ADVANCE);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, expect);
    sqlite3_bind_int64(s, 3, next_at);
    if (last_report)
        sqlite3_bind_int64(s, 4, last_report);
    else
        sqlite3_bind_null(s, 4);
    if ((st = step_done(c, s, err)))
        return st;
    *won = sqlite3_changes(SQ(c)->h) == 1;
    return BH_OK;
}

static bh_status_t sq_schedule_stop(db_conn_t *c, int64_t id, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_SCHED_STOP);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    if ((st = step_done(c, s, err)))
        return st;
    if (sqlite3_changes(SQ(c)->h) != 1)
        return bh_fail(err, BH_NOT_FOUND, "id", "没有在用的定时报告 %lld", (long long)id);
    return BH_OK;
}

const struct db_report_ops sq_report_ops = {
    .report_add = sq_report_add,
    .report_get = sq_report_get,
    .report_list = sq_report_list,
    .schedule_add = sq_schedule_add,
    .schedule_list = sq_schedule_list,
    .schedule_advance = sq_schedule_advance,
    .schedule_stop = sq_schedule_stop,
};
