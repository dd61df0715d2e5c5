/*
 * sqlite_target.c - the target loop's tables in SQLite: targets and
 * actuals as entered (every entry kept; the latest of a key is in force)
 * and the monthly flags (store/db.h, struct db_target_ops; schema
 * migration 9).
 */
#include <string.h>

#include "store/sqlite_int.h"

#define TARGET_COLS "id, unit, indicator, year, period, value, at, by, note"
#define ACTUAL_COLS "id, unit, indicator, year, month, cumulative, value, num, den, at, by, note"
#define FLAG_COLS "parent, unit, year, month, flag, rank, score, at, by"

const char *const sq_target_sql[ST__TARGET_END - ST__PATROL_END] = {
    [ST_TARGET_ADD - ST__PATROL_END] =
        "INSERT INTO targets(unit, indicator, year, period, value, at, by, note)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
    [ST_TARGET_LIST - ST__PATROL_END] =
        "SELECT " TARGET_COLS " FROM targets WHERE ?1=0 OR year=?1 ORDER BY id",
    [ST_ACTUAL_ADD - ST__PATROL_END] =
        "INSERT INTO target_actuals(unit, indicator, year, month, cumulative, value, num, den,"
        " at, by, note) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
    [ST_ACTUAL_LIST - ST__PATROL_END] =
        "SELECT " ACTUAL_COLS " FROM target_actuals WHERE ?1=0 OR year=?1 ORDER BY id",
    [ST_AWARD_ADD - ST__PATROL_END] =
        "INSERT INTO target_awards(parent, year, month, at, by) VALUES(?1,?2,?3,?4,?5)",
    [ST_FLAG_ADD - ST__PATROL_END] =
        "INSERT INTO target_flags(" FLAG_COLS ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [ST_FLAG_LIST - ST__PATROL_END] =
        "SELECT " FLAG_COLS " FROM target_flags WHERE parent=?1 AND year=?2"
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

static void row_target(sqlite3_stmt *s, arena_t *a, db_target_t *t)
{
    t->id = sqlite3_column_int64(s, 0);
    t->unit = col_text(s, 1, a);
    t->indicator = col_text(s, 2, a);
    t->year = sqlite3_column_int(s, 3);
    t->period = col_text(s, 4, a);
    t->value = sqlite3_column_double(s, 5);
    t->at = sqlite3_column_int64(s, 6);
    t->by = col_text(s, 7, a);
    t->note = col_text(s, 8, a);
}

static bh_status_t sq_target_list(db_conn_t *c, int year, arena_t *a, db_target_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_TARGET_LIST);
    bh_status_t st;
    sqlite3_bind_int(s, 1, year);
    COLLECT(s, a, out, n, db_target_t, row_target, st);
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

static void row_actual(sqlite3_stmt *s, arena_t *a, db_actual_t *x)
{
    x->id = sqlite3_column_int64(s, 0);
    x->unit = col_text(s, 1, a);
    x->indicator = col_text(s, 2, a);
    x->year = sqlite3_column_int(s, 3);
    x->month = sqlite3_column_int(s, 4);
    x->cumulative = sqlite3_column_int(s, 5) != 0;
    x->value = col_real_or(s, 6, 0);
    x->num = col_real_or(s, 7, 0);
    x->den = col_real_or(s, 8, 0);
    x->at = sqlite3_column_int64(s, 9);
    x->by = col_text(s, 10, a);
    x->note = col_text(s, 11, a);
}

static bh_status_t sq_actual_list(db_conn_t *c, int year, arena_t *a, db_actual_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_ACTUAL_LIST);
    bh_status_t st;
    sqlite3_bind_int(s, 1, year);
    COLLECT(s, a, out, n, db_actual_t, row_actual, st);
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

static void row_flag(sqlite3_stmt *s, arena_t *a, db_flag_t *f)
{
    f->parent = col_text(s, 0, a);
    f->unit = col_text(s, 1, a);
    f->year = sqlite3_column_int(s, 2);
    f->month = sqlite3_column_int(s, 3);
    f->flag = col_text(s, 4, a);
    f->rank = sqlite3_column_int(s, 5);
    f->score = sqlite3_column_double(s, 6);
    f->at = sqlite3_column_int64(s, 7);
    f->by = col_text(s, 8, a);
}

static bh_status_t sq_flag_list(db_conn_t *c, const char *parent, int year, arena_t *a,
                                db_flag_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_FLAG_LIST);
    bh_status_t st;
    bind_text(s, 1, parent);
    sqlite3_bind_int(s, 2, year);
    COLLECT(s, a, out, n, db_flag_t, row_flag, st);
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
