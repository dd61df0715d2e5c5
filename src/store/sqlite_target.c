/*
 * sqlite_target.c - the target loop's tables in SQLite: targets and
 * actuals as entered (every entry kept; the latest of a key is in force)
 * and the monthly flags (store/db.h, struct db_target_ops; schema
 * migration 9).
 */
#include <string.h>

#include "store/sqlite_int.h"


const char *const sq_target_sql[ST__TARGET_END - ST__PATROL_END] = {
    [ST_TARGET_ADD - ST__PATROL_END] =
        "INSERT INTO targets(unit, indicator, year, period, value, at, by, note)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
    [ST_TARGET_LIST - ST__PATROL_END] =
        "SELECT {target} FROM targets WHERE ?1=0 OR year=?1 ORDER BY id",
    [ST_ACTUAL_ADD - ST__PATROL_END] =
        "INSERT INTO target_actuals(unit, indicator, year, month, cumulative, value, num, den,"
        " at, by, note) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
    [ST_ACTUAL_LIST - ST__PATROL_END] =
        "SELECT {actual} FROM target_actuals WHERE ?1=0 OR year=?1 ORDER BY id",
    [ST_AWARD_ADD - ST__PATROL_END] =
        "INSERT INTO target_awards(parent, year, month, at, by) VALUES(?1,?2,?3,?4,?5)",
    [ST_FLAG_ADD - ST__PATROL_END] =
        "INSERT INTO target_flags(parent, unit, year, month, flag, rank, score, at, by) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [ST_FLAG_LIST - ST__PATROL_END] =
        "SELECT {flag} FROM target_flags WHERE parent=?1 AND year=?2"
        " ORDER BY month, rank, unit",
};

static bh_status_t sq_target_add(db_conn_t *c, db_target_t *t, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_TARGET_ADD);
    bind_text(s, 1, t->unit);
    bind_text(s, 2, t->indicator);
    sqlite3_bind_int(s, 3, t->year);
    bind_text(s, 4, t->period);
    sqlite3_bind_double(s, 5, t->value);
    sqlite3_bind_int64(s, 6, t->at);
    bind_text(s, 7, t->by);
    bind_text(s, 8, t->note);
    return step_insert(c, s, &t->id, err);
}

static const sq_col_t target_cols[] = {
    SQ_COL(db_target_t, id, I64),         SQ_COL(db_target_t, unit, TEXT),
    SQ_COL(db_target_t, indicator, TEXT), SQ_COL(db_target_t, year, INT),
    SQ_COL(db_target_t, period, TEXT),    SQ_COL(db_target_t, value, REAL),
    SQ_COL(db_target_t, at, I64),         SQ_COL(db_target_t, by, TEXT),
    SQ_COL(db_target_t, note, TEXT),
};
const sq_map_t sq_map_target = SQ_MAP("target", target_cols);

static bh_status_t sq_target_list(db_conn_t *c, int year, arena_t *a, db_target_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_TARGET_LIST);
    bh_status_t st;
    sqlite3_bind_int(s, 1, year);
    COLLECT(s, a, out, n, db_target_t, &sq_map_target, st);
    return st;
}

static bh_status_t sq_actual_add(db_conn_t *c, db_actual_t *x, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_ACTUAL_ADD);
    bool parts = x->den > 0;
    bind_text(s, 1, x->unit);
    bind_text(s, 2, x->indicator);
    sqlite3_bind_int(s, 3, x->year);
    sqlite3_bind_int(s, 4, x->month);
    sqlite3_bind_int(s, 5, x->cumulative);
    bind_real_or_null(s, 6, !parts, x->value);
    bind_real_or_null(s, 7, parts, x->num);
    bind_real_or_null(s, 8, parts, x->den);
    sqlite3_bind_int64(s, 9, x->at);
    bind_text(s, 10, x->by);
    bind_text(s, 11, x->note);
    return step_insert(c, s, &x->id, err);
}

static const sq_col_t actual_cols[] = {
    SQ_COL(db_actual_t, id, I64),          SQ_COL(db_actual_t, unit, TEXT),
    SQ_COL(db_actual_t, indicator, TEXT),  SQ_COL(db_actual_t, year, INT),
    SQ_COL(db_actual_t, month, INT),       SQ_COL(db_actual_t, cumulative, BOOL),
    SQ_COL(db_actual_t, value, REAL),      SQ_COL(db_actual_t, num, REAL),
    SQ_COL(db_actual_t, den, REAL),        SQ_COL(db_actual_t, at, I64),
    SQ_COL(db_actual_t, by, TEXT),         SQ_COL(db_actual_t, note, TEXT),
};
const sq_map_t sq_map_actual = SQ_MAP("actual", actual_cols);

static bh_status_t sq_actual_list(db_conn_t *c, int year, arena_t *a, db_actual_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_ACTUAL_LIST);
    bh_status_t st;
    sqlite3_bind_int(s, 1, year);
    COLLECT(s, a, out, n, db_actual_t, &sq_map_actual, st);
    return st;
}

static bh_status_t sq_award_add(db_conn_t *c, const char *parent, int year, int month, dt_ms_t at,
                                const char *by, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_AWARD_ADD);
    bind_text(s, 1, parent);
    sqlite3_bind_int(s, 2, year);
    sqlite3_bind_int(s, 3, month);
    sqlite3_bind_int64(s, 4, at);
    bind_text(s, 5, by);
    return step_done(c, s, err);
}

static bh_status_t sq_flag_add(db_conn_t *c, const db_flag_t *f, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_FLAG_ADD);
    bind_text(s, 1, f->parent);
    bind_text(s, 2, f->unit);
    sqlite3_bind_int(s, 3, f->year);
    sqlite3_bind_int(s, 4, f->month);
    bind_text(s, 5, f->flag);
    sqlite3_bind_int(s, 6, f->rank);
    sqlite3_bind_double(s, 7, f->score);
    sqlite3_bind_int64(s, 8, f->at);
    bind_text(s, 9, f->by);
    return step_done(c, s, err);
}

static const sq_col_t flag_cols[] = {
    SQ_COL(db_flag_t, parent, TEXT), SQ_COL(db_flag_t, unit, TEXT),  SQ_COL(db_flag_t, year, INT),
    SQ_COL(db_flag_t, month, INT),   SQ_COL(db_flag_t, flag, TEXT),  SQ_COL(db_flag_t, rank, INT),
    SQ_COL(db_flag_t, score, REAL),  SQ_COL(db_flag_t, at, I64),     SQ_COL(db_flag_t, by, TEXT),
};
const sq_map_t sq_map_flag = SQ_MAP("flag", flag_cols);

static bh_status_t sq_flag_list(db_conn_t *c, const char *parent, int year, arena_t *a,
                                db_flag_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_FLAG_LIST);
    bh_status_t st;
    bind_text(s, 1, parent);
    sqlite3_bind_int(s, 2, year);
    COLLECT(s, a, out, n, db_flag_t, &sq_map_flag, st);
    return st;
}

const struct db_target_ops sq_target_ops = {
    .target_add = sq_target_add,
    .target_list = sq_target_list,
    .actual_add = sq_actual_add,
    .actual_list = sq_actual_list,
    .award_add = sq_award_add,
    .flag_add = sq_flag_add,
    .flag_list = sq_flag_list,
};
