/*
 * sqlite_files.c - attachments in SQLite (store/db.h, struct
 * db_file_ops; schema migration 17).
 */
#include <string.h>

#include "store/sqlite_int.h"

#define ATT_FROM "SELECT {attachment} FROM attachments"

const char *const sq_file_sql[ST__FILE_END - ST__REPORT_END] = {
    [ST_FILE_ADD - ST__REPORT_END] =
        "INSERT INTO attachments(case_id, patrol_id, sha256, type, size, stage, name, taken_at,"
        " has_exif, lat, lng, uploaded_by, at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
    [ST_FILE_GET - ST__REPORT_END] = ATT_FROM " WHERE id=?1",
    [ST_FILE_LIST_CASE - ST__REPORT_END] = ATT_FROM " WHERE case_id=?1 ORDER BY id",
    [ST_FILE_LIST_PATROL - ST__REPORT_END] =
        ATT_FROM " WHERE patrol_id=?1 AND case_id IS NULL ORDER BY id",
    [ST_FILE_BIND - ST__REPORT_END] =
        "UPDATE attachments SET case_id=?3, patrol_id=?4"
        " WHERE id=?1 AND uploaded_by=?2 AND case_id IS NULL AND patrol_id IS NULL",
    [ST_FILE_DIGESTS - ST__REPORT_END] = "SELECT DISTINCT sha256 FROM attachments ORDER BY 1",
};

static const sq_col_t attachment_cols[] = {
    SQ_COL(db_attachment_t, id, I64),         SQ_COL(db_attachment_t, case_id, MS),
    SQ_COL(db_attachment_t, patrol_id, MS),   SQ_COL(db_attachment_t, sha256, TEXT),
    SQ_COL(db_attachment_t, type, TEXT),      SQ_COL(db_attachment_t, size, I64),
    SQ_COL(db_attachment_t, stage, TEXT),     SQ_COL(db_attachment_t, name, TEXT),
    SQ_COL(db_attachment_t, taken_at, MS),    SQ_COL(db_attachment_t, has_exif, BOOL),
    SQ_EXPR("lat IS NOT NULL", db_attachment_t, has_gps, BOOL),
    SQ_COL(db_attachment_t, lat, REAL),       SQ_COL(db_attachment_t, lng, REAL),
    SQ_COL(db_attachment_t, uploaded_by, TEXT), SQ_COL(db_attachment_t, at, I64),
};
const sq_map_t sq_map_attachment = SQ_MAP("attachment", attachment_cols);

static void bind_id(sqlite3_stmt *s, int i, int64_t id)
{
    if (id)
        sqlite3_bind_int64(s, i, id);
}

static bh_status_t sq_attachment_add(db_conn_t *c, db_attachment_t *f, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_FILE_ADD);
    bind_id(s, 1, f->case_id);
    bind_id(s, 2, f->patrol_id);
    bind_text(s, 3, f->sha256);
    bind_text(s, 4, f->type);
    sqlite3_bind_int64(s, 5, f->size);
    bind_text(s, 6, f->stage);
    bind_text(s, 7, f->name);
    bind_ms(s, 8, f->taken_at);
    sqlite3_bind_int(s, 9, f->has_exif);
    if (f->has_gps) {
        sqlite3_bind_double(s, 10, f->lat);
        sqlite3_bind_double(s, 11, f->lng);
    }
    bind_text(s, 12, f->uploaded_by);
    sqlite3_bind_int64(s, 13, f->at);
    return step_insert(c, s, &f->id, err);
}

static bh_status_t sq_attachment_get(db_conn_t *c, int64_t id, arena_t *a, db_attachment_t *out)
{
    sqlite3_stmt *s = sq_stmt(c, ST_FILE_GET);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    if ((st = read_one(sqlite3_step(s))) == BH_OK) {
        memset(out, 0, sizeof *out);
        sq_row(s, a, &sq_map_attachment, out);
    }
    sqlite3_reset(s);
    return st;
}

static bh_status_t sq_attachment_list(db_conn_t *c, int64_t case_id, int64_t patrol_id, arena_t *a,
                                      db_attachment_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, case_id ? ST_FILE_LIST_CASE : ST_FILE_LIST_PATROL);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, case_id ? case_id : patrol_id);
    COLLECT(s, a, out, n, db_attachment_t, &sq_map_attachment, st);
    return st;
}

static bh_status_t sq_attachment_bind(db_conn_t *c, int64_t id, const char *by, int64_t case_id,
                                      int64_t patrol_id, bool *won)
{
    sqlite3_stmt *s = sq_stmt(c, ST_FILE_BIND);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    bind_text(s, 2, by);
    bind_id(s, 3, case_id);
    bind_id(s, 4, patrol_id);
    if ((st = step_done(c, s, NULL)) == BH_OK)
        *won = sqlite3_changes(SQ(c)->h) == 1;
    return st;
}

static bh_status_t sq_attachment_digests(db_conn_t *c, arena_t *a, const char ***out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_FILE_DIGESTS);
    int rc, cap = 64;
    *n = 0;
    *out = arena_alloc_array(a, (size_t)cap, sizeof **out);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            const char **more = arena_alloc_array(a, (size_t)(cap *= 2), sizeof *more);
            memcpy(more, *out, (size_t)*n * sizeof *more);
            *out = more;
        }
        (*out)[(*n)++] = col_text(s, 0, a);
    }
    sqlite3_reset(s);
    return read_end(rc);
}

const struct db_file_ops sq_file_ops = {
    .attachment_add = sq_attachment_add,
    .attachment_get = sq_attachment_get,
    .attachment_list = sq_attachment_list,
    .attachment_bind = sq_attachment_bind,
    .attachment_digests = sq_attachment_digests,
};
