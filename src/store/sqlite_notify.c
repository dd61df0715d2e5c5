/*
 * sqlite_notify.c - the notifications outbox in SQLite (store/db.h,
 * struct db_notify_ops; schema migration 18).
 */
#include <string.h>

#include "store/sqlite_int.h"

#define NOTE_FROM "SELECT {notice} FROM notify_outbox"

const char *const sq_notify_sql[ST__COUNT - ST__FILE_END] = {
    [ST_NOTE_ADD - ST__FILE_END] =
        ("INSERT INTO notify_outbox(dedupe, channel, event, unit, ref, subject, body, data, status,"
        " attempts, next_at, created_at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,'pending',0,?9,?10)"
        " ON CONFLICT(dedupe, channel) DO NOTHING"),
    [ST_NOTE_DUE - ST__FILE_END] =
        (NOTE_FROM " WHERE status = 'pending' AND next_at <= ?1"
        " AND (lease_until IS NULL OR lease_until <= ?1) ORDER BY next_at, id LIMIT ?2"),
    [ST_NOTE_LEASE - ST__FILE_END] =
        ("UPDATE notify_outbox SET lease_until = ?2, leased_by = ?3 WHERE id = ?1"),
    [ST_NOTE_FINISH - ST__FILE_END] =
        ("UPDATE notify_outbox SET status = ?3, attempts = ?4, next_at = ?5, last_error = coalesce(?6, last_error),"
        " sent_at = CASE WHEN ?3 = 'sent' THEN ?7 END, lease_until = NULL, leased_by = NULL"
        " WHERE id = ?1 AND leased_by = ?2 AND status = 'pending'"),
    [ST_NOTE_GET - ST__FILE_END] =
        (NOTE_FROM " WHERE id = ?1"),
    [ST_NOTE_LIST - ST__FILE_END] =
        (NOTE_FROM " WHERE (?1 IS NULL OR status = ?1) AND (?2 = 0 OR id < ?2)"
        " ORDER BY id DESC LIMIT ?3"),
    [ST_NOTE_RETRY - ST__FILE_END] =
        ("UPDATE notify_outbox SET status = 'pending', attempts = 0, next_at = ?2,"
        " lease_until = NULL, leased_by = NULL WHERE id = ?1 AND status = 'dead'"),
    [ST_NOTE_COUNTS - ST__FILE_END] =
        ("SELECT status, count(*) FROM notify_outbox GROUP BY status"),
};

static const sq_col_t notice_cols[] = {
    SQ_COL(db_notice_t, id, I64),          SQ_COL(db_notice_t, dedupe, TEXT),
    SQ_COL(db_notice_t, channel, TEXT),    SQ_COL(db_notice_t, event, TEXT),
    SQ_COL(db_notice_t, unit, TEXT),       SQ_COL(db_notice_t, ref, TEXT),
    SQ_COL(db_notice_t, subject, TEXT),    SQ_COL(db_notice_t, body, TEXT),
    SQ_COL(db_notice_t, data, TEXT),       SQ_COL(db_notice_t, status, TEXT),
    SQ_COL(db_notice_t, attempts, INT),    SQ_COL(db_notice_t, next_at, I64),
    SQ_COL(db_notice_t, last_error, TEXT), SQ_COL(db_notice_t, created_at, I64),
    SQ_COL(db_notice_t, sent_at, MS),
};
const sq_map_t sq_map_notice = SQ_MAP("notice", notice_cols);

static bh_status_t sq_notice_add(db_conn_t *c, db_notice_t *n, bool *added)
{
    sqlite3_stmt *s = sq_stmt(c, ST_NOTE_ADD);
    bh_status_t st;
    bind_text(s, 1, n->dedupe);
    bind_text(s, 2, n->channel);
    bind_text(s, 3, n->event);
    bind_text(s, 4, n->unit);
    bind_text(s, 5, n->ref);
    bind_text(s, 6, n->subject);
    bind_text(s, 7, n->body);
    bind_text(s, 8, n->data);
    sqlite3_bind_int64(s, 9, n->next_at);
    sqlite3_bind_int64(s, 10, n->created_at);
    if ((st = step_done(c, s, NULL)) == BH_OK) {
        *added = sqlite3_changes(SQ(c)->h) == 1;
        if (*added)
            n->id = sqlite3_last_insert_rowid(SQ(c)->h);
    }
    return st;
}

static bh_status_t sq_notice_lease(db_conn_t *c, dt_ms_t now, int64_t lease_ms, const char *holder,
                                   int max, arena_t *a, db_notice_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_NOTE_DUE);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int(s, 2, max);
    COLLECT(s, a, out, n, db_notice_t, &sq_map_notice, st);
    for (int i = 0; st == BH_OK && i < *n; i++) {
        s = sq_stmt(c, ST_NOTE_LEASE);
        sqlite3_bind_int64(s, 1, (*out)[i].id);
        sqlite3_bind_int64(s, 2, now + lease_ms);
        bind_text(s, 3, holder);
        st = step_done(c, s, NULL);
    }
    return st;
}

static bh_status_t sq_notice_finish(db_conn_t *c, int64_t id, const char *holder, const char *status,
                                    int attempts, dt_ms_t next_at, const char *error, dt_ms_t at,
                                    bool *won)
{
    sqlite3_stmt *s = sq_stmt(c, ST_NOTE_FINISH);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    bind_text(s, 2, holder);
    bind_text(s, 3, status);
    sqlite3_bind_int(s, 4, attempts);
    sqlite3_bind_int64(s, 5, next_at);
    bind_text(s, 6, error);
    sqlite3_bind_int64(s, 7, at);
    if ((st = step_done(c, s, NULL)) == BH_OK)
        *won = sqlite3_changes(SQ(c)->h) == 1;
    return st;
}

static bh_status_t sq_notice_list(db_conn_t *c, const char *status, int64_t before, int limit,
                                  arena_t *a, db_notice_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_NOTE_LIST);
    bh_status_t st;
    bind_text(s, 1, status);
    sqlite3_bind_int64(s, 2, before);
    sqlite3_bind_int(s, 3, limit);
    COLLECT(s, a, out, n, db_notice_t, &sq_map_notice, st);
    return st;
}

static bh_status_t sq_notice_get(db_conn_t *c, int64_t id, arena_t *a, db_notice_t *out)
{
    sqlite3_stmt *s = sq_stmt(c, ST_NOTE_GET);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    ONE_ROW(s, a, out, &sq_map_notice, st);
    return st;
}

static bh_status_t sq_notice_retry(db_conn_t *c, int64_t id, dt_ms_t now, bool *won)
{
    sqlite3_stmt *s = sq_stmt(c, ST_NOTE_RETRY);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now);
    if ((st = step_done(c, s, NULL)) == BH_OK)
        *won = sqlite3_changes(SQ(c)->h) == 1;
    return st;
}

static bh_status_t sq_notice_counts(db_conn_t *c, int64_t out[3])
{
    static const char *const names[3] = {"pending", "sent", "dead"};
    sqlite3_stmt *s = sq_stmt(c, ST_NOTE_COUNTS);
    int rc;
    out[0] = out[1] = out[2] = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        for (int i = 0; i < 3; i++)
            if (strcmp((const char *)sqlite3_column_text(s, 0), names[i]) == 0)
                out[i] = sqlite3_column_int64(s, 1);
    sqlite3_reset(s);
    return read_end(rc);
}

const struct db_notify_ops sq_notify_ops = {
    .notice_add = sq_notice_add,
    .notice_lease = sq_notice_lease,
    .notice_finish = sq_notice_finish,
    .notice_list = sq_notice_list,
    .notice_get = sq_notice_get,
    .notice_retry = sq_notice_retry,
    .notice_counts = sq_notice_counts,
};
