/*
 * sqlite_audit.c - the audit log's append and walk, and leases (the SQLite back-end; see sqlite_int.h).
 */
#include "store/sqlite_int.h"

bh_status_t sq_lease_release(db_conn_t *c, const char *name, const char *holder)
{
    sqlite3_stmt *s = sq_stmt(c, ST_LEASE_FREE);
    bind_text(s, 1, name);
    bind_text(s, 2, holder);
    return step_done(c, s, NULL);
}

bh_status_t sq_lease(db_conn_t *c, const char *name, const char *holder, dt_ms_t now,
                            int64_t ttl_ms, bool *held)
{
    sqlite3_stmt *s = sq_stmt(c, ST_LEASE);
    bh_status_t st;
    bind_text(s, 1, name);
    bind_text(s, 2, holder);
    sqlite3_bind_int64(s, 3, now);
    sqlite3_bind_int64(s, 4, ttl_ms);
    st = step_done(c, s, NULL);
    *held = st == BH_OK && sqlite3_changes(SQ(c)->h) == 1;
    return st;
}

/* One writer, so one lane: the transaction already excludes every other
 * appender, and the last row is the head. */
bh_status_t sq_audit_append(db_conn_t *c, db_audit_t *row, db_audit_hash_fn hash,
                                   void *ctx)
{
    sqlite3_stmt *s = sq_stmt(c, ST_AUDIT_LAST);
    bh_status_t st = read_one(sqlite3_step(s));
    row->lane = 0;
    row->seq = 1;
    memset(row->prev_hash, 0, 32);
    if (st == BH_OK) {
        row->seq = sqlite3_column_int64(s, 0) + 1;
        if (sqlite3_column_bytes(s, 1) == 32)
            memcpy(row->prev_hash, sqlite3_column_blob(s, 1), 32);
    }
    sqlite3_reset(s);
    if (st != BH_OK && st != BH_NOT_FOUND)
        return st;
    if ((st = hash(row, ctx)) != BH_OK)
        return st;
    s = sq_stmt(c, ST_AUDIT_PUT);
    sqlite3_bind_int64(s, 1, row->seq);
    sqlite3_bind_int64(s, 2, row->at);
    bind_text(s, 3, row->actor);
    bind_text(s, 4, row->action);
    bind_text(s, 5, row->object);
    bind_text(s, 6, row->detail);
    sqlite3_bind_blob(s, 7, row->prev_hash, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 8, row->hash, 32, SQLITE_STATIC);
    sqlite3_bind_int(s, 9, row->lane);
    return step_done(c, s, NULL);
}

static const sq_col_t audit_cols[] = {
    SQ_COL(db_audit_t, seq, I64),        SQ_COL(db_audit_t, at, I64),
    SQ_COL(db_audit_t, actor, TEXT),     SQ_COL(db_audit_t, action, TEXT),
    SQ_COL(db_audit_t, object, TEXT),    SQ_COL(db_audit_t, detail, TEXT),
    SQ_COL(db_audit_t, prev_hash, HASH), SQ_COL(db_audit_t, hash, HASH),
    SQ_COL(db_audit_t, lane, INT),
};
const sq_map_t sq_map_audit = SQ_MAP("audit", audit_cols);

/* Walk the rows one query gives, in its order (the text borrowed from the
 * statement: the log may be long). */
static bh_status_t audit_rows(db_conn_t *c, const char *sql_text, db_audit_fn fn, void *ctx)
{
    sqlite3_stmt *s;
    bh_status_t st = BH_OK;
    int rc = SQLITE_DONE;
    char *sql = sq_expand(sql_text);
    rc = sqlite3_prepare_v2(SQ(c)->h, sql, -1, &s, NULL);
    free(sql);
    if (rc != SQLITE_OK)
        return BH_INTERNAL;
    while (st == BH_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        db_audit_t r;
        memset(&r, 0, sizeof r);
        sq_row(s, NULL, &sq_map_audit, &r);
        st = fn(&r, ctx);
    }
    sqlite3_finalize(s);
    return st != BH_OK ? st : read_end(rc);
}

/* Lane 0 (everything SQLite writes) in primary-key order, without a sort;
 * then any other lane, which only a foreign hand could have added. */
bh_status_t sq_audit_walk(db_conn_t *c, db_audit_fn fn, void *ctx)
{
    bh_status_t st = audit_rows(c, "SELECT {audit} FROM audit WHERE lane = 0 ORDER BY seq", fn, ctx);
    return st != BH_OK ? st
                       : audit_rows(c, "SELECT {audit} FROM audit WHERE lane <> 0 ORDER BY lane, seq",
                                    fn, ctx);
}

