/*
 * db_sqlite.c - the embedded SQLite back-end of db.h.
 *
 * One writer connection owned by a writer thread; every db_write() call is
 * queued, and the writer runs whatever has queued up in one transaction
 * (each call inside its own SAVEPOINT), then commits once: with WAL and
 * synchronous=FULL that is one fsync for the whole batch (group commit).
 * Readers come from a pool of connections; WAL lets them read while the
 * writer writes.  Statements are prepared once per connection and cached.
 */
#include "store/db.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db_sqlite_schema.h"
#include "util/cjk.h"
#include "util/dynbuf.h"
#include "util/xmalloc.h"

/* ---- cached statements ---- */

#define CASE_COLS                                                              \
    "id, category, kind, title, description, source, urgency, unit,"           \
    " handling_unit, lat, lng, address, reporter_name, reporter_phone,"        \
    " created_by, external_id, idempotency_key, created_at, updated_at,"       \
    " version, status, light, next_change, supervised, rework_count,"          \
    " return_count, rating, registered_at, dispatched_at, handled_at,"         \
    " closed_at, due_at, on_time, attributes, media_url, contact"

#define OBJ_COLS "id, kind, code, name, grid, type, risk, address, lat, lng, active, created_at, updated_at"

enum {
    ST_UNIT_PUT, ST_UNIT_GET, ST_UNIT_FIND, ST_UNIT_CHILDREN, ST_UNIT_ALL,
    ST_USER_PUT, ST_USER_GET, ST_USER_LIST, ST_USER_COUNT,
    ST_SESSION_PUT, ST_SESSION_GET, ST_SESSION_DEL, ST_SESSION_TOUCH, ST_SESSION_DEL_USER,
    ST_SESSION_PURGE,
    ST_CATEGORY_PUT,
    ST_CASE_INSERT, ST_FTS_INSERT, ST_CASE_BY_IDEM,
    ST_CASE_BY_EXT, ST_CASE_GET, ST_CASE_UPDATE,
    ST_EVENT_ADD, ST_EVENT_LIST, ST_CLOCK_DEL, ST_CLOCK_PUT, ST_CLOCK_GET,
    ST_SWEEP, ST_QUARANTINE, ST_UNSCHEDULE, ST_LEASE, ST_LEASE_FREE, ST_COUNTS, ST_COUNTS_ADD,
    ST_GEOM_PUT, ST_GEOM_ROWID, ST_RTREE_PUT, ST_GEOM_GET, ST_GEOM_CAND,
    ST_KEY_PUT, ST_KEY_GET, ST_KEY_LIST, ST_KEY_REVOKE, ST_KEY_TOUCH,
    ST_AUDIT_LAST, ST_AUDIT_PUT,
    ST_OBJ_INSERT, ST_OBJ_UPDATE, ST_OBJ_GET,
    ST_SP_BEGIN, ST_SP_RELEASE, ST_SP_ROLLBACK,
    ST__COUNT
};

static const char *const sql[ST__COUNT] = {
    [ST_UNIT_PUT] = "INSERT INTO units(code, parent, name, type, active) VALUES(?1,?2,?3,?4,?5)"
                    " ON CONFLICT(code) DO UPDATE SET parent=?2, name=?3, type=?4, active=?5",
    [ST_UNIT_GET] = "SELECT code, parent, name, type, active FROM units WHERE code=?1",
    [ST_UNIT_FIND] = "SELECT code, parent, name, type, active FROM units WHERE name=?1 AND type=?2"
                     " ORDER BY code LIMIT 1",
    [ST_UNIT_CHILDREN] = "SELECT code, parent, name, type, active FROM units WHERE parent=?1 ORDER BY code",
    [ST_UNIT_ALL] = "SELECT code, parent, name, type, active FROM units ORDER BY code",
    [ST_USER_PUT] = "INSERT INTO users(username, role, unit, display_name, phone, pwhash, active)"
                    " VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(username) DO UPDATE SET"
                    " role=?2, unit=?3, display_name=?4, phone=?5, pwhash=?6, active=?7",
    [ST_USER_GET] = "SELECT id, username, role, unit, display_name, phone, pwhash, active"
                    " FROM users WHERE username=?1",
    [ST_USER_LIST] = "SELECT id, username, role, unit, display_name, phone, pwhash, active"
                     " FROM users ORDER BY username",
    [ST_USER_COUNT] = "SELECT count(*) FROM users",
    [ST_SESSION_PUT] = "INSERT INTO sessions(token_hash, user_id, created_at, expires_at) VALUES(?1,?2,?3,?4)",
    [ST_SESSION_GET] = "SELECT u.id, u.username, u.role, u.unit, u.display_name, u.phone, u.pwhash,"
                       " u.active, coalesce(s.last_used_at, s.created_at)"
                       " FROM sessions s JOIN users u ON u.id = s.user_id"
                       " WHERE s.token_hash=?1 AND s.expires_at > ?2"
                       " AND coalesce(s.last_used_at, s.created_at) > ?3 AND u.active",
    [ST_SESSION_DEL] = "DELETE FROM sessions WHERE token_hash=?1",
    [ST_SESSION_TOUCH] = "UPDATE sessions SET last_used_at=?2 WHERE token_hash=?1",
    [ST_SESSION_DEL_USER] = "DELETE FROM sessions WHERE user_id=?1",
    [ST_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at <= ?1"
                         " OR coalesce(last_used_at, created_at) <= ?2",
    [ST_CATEGORY_PUT] = "INSERT OR REPLACE INTO categories(code, name, kind, parent, policy) VALUES(?1,?2,?3,?4,?5)",
    [ST_CASE_INSERT] = "INSERT INTO cases(category, kind, title, description, source, urgency, unit,"
                       " lat, lng, address, reporter_name, reporter_phone, created_by,"
                       " external_id, idempotency_key, created_at,"
                       " status, light, next_change, supervised, rework_count, return_count, rating,"
                       " registered_at, dispatched_at, handled_at, closed_at, due_at, on_time,"
                       " handling_unit, version, updated_at, attributes, media_url, contact)"
                       " VALUES(?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33,"
                       " ?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?34,?35,?36)",
    [ST_FTS_INSERT] = "INSERT INTO cases_fts(rowid, title, description, address) VALUES(?1,?2,?3,?4)",
    [ST_CASE_BY_IDEM] = "SELECT id FROM cases WHERE idempotency_key=?1",
    [ST_CASE_BY_EXT] = "SELECT id FROM cases WHERE source=?1 AND external_id=?2",
    [ST_CASE_GET] = "SELECT " CASE_COLS " FROM cases WHERE id=?1",
    [ST_CASE_UPDATE] = "UPDATE cases SET status=?2, light=?3, next_change=?4, supervised=?5,"
                       " rework_count=?6, return_count=?7, rating=?8, registered_at=?9,"
                       " dispatched_at=?10, handled_at=?11, closed_at=?12, due_at=?13, on_time=?14,"
                       " handling_unit=?15, version=?16, updated_at=?17 WHERE id=?1 AND version=?18",
    [ST_EVENT_ADD] = "INSERT INTO case_events(case_id, seq, action, role, actor, actor_unit, at,"
                     " reason, note, to_unit, result, clock, amount, level, rating, into_case)"
                     " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
    [ST_EVENT_LIST] = "SELECT action, role, actor, actor_unit, at, reason, note, to_unit, result,"
                      " clock, amount, level, rating, into_case FROM case_events WHERE case_id=?1"
                      " ORDER BY seq",
    [ST_CLOCK_DEL] = "DELETE FROM case_clocks WHERE case_id=?1",
    [ST_CLOCK_PUT] = "INSERT INTO case_clocks(case_id, name, started_at, deadline, stopped_at, light)"
                     " VALUES(?1,?2,?3,?4,?5,?6)",
    [ST_CLOCK_GET] = "SELECT name, started_at, deadline, stopped_at, light FROM case_clocks"
                     " WHERE case_id=?1",
    [ST_SWEEP] = "SELECT id FROM cases WHERE next_change IS NOT NULL AND next_change <= ?1"
                 " ORDER BY next_change LIMIT ?2",
    [ST_QUARANTINE] = "INSERT INTO case_quarantine(case_id, at, reason) VALUES(?1,?2,?3)"
                      " ON CONFLICT(case_id) DO UPDATE SET at=?2, reason=?3",
    [ST_UNSCHEDULE] = "UPDATE cases SET next_change=NULL WHERE id=?1",
    /* Taken when free, expired, or already ours; changes() tells. */
    [ST_LEASE] = "INSERT INTO leases(name, holder, expires_at) VALUES(?1,?2,?3+?4)"
                 " ON CONFLICT(name) DO UPDATE SET holder=?2, expires_at=?3+?4"
                 " WHERE leases.holder=?2 OR leases.expires_at <= ?3",
    [ST_LEASE_FREE] = "DELETE FROM leases WHERE name=?1 AND holder=?2",
    [ST_COUNTS] = "SELECT status, light, n FROM case_counts",
    [ST_COUNTS_ADD] = "INSERT INTO case_counts(status, light, n) VALUES(?1,?2,?3)"
                      " ON CONFLICT(status, light) DO UPDATE SET n = n + ?3",
    [ST_GEOM_PUT] = "INSERT INTO unit_geometry(unit, geojson, minx, miny, maxx, maxy)"
                    " VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(unit) DO UPDATE SET geojson=?2,"
                    " minx=?3, miny=?4, maxx=?5, maxy=?6",
    [ST_GEOM_ROWID] = "SELECT rowid FROM unit_geometry WHERE unit=?1",
    [ST_RTREE_PUT] = "INSERT OR REPLACE INTO unit_rtree(id, minx, maxx, miny, maxy) VALUES(?1,?2,?3,?4,?5)",
    [ST_GEOM_GET] = "SELECT geojson FROM unit_geometry WHERE unit=?1",
    [ST_GEOM_CAND] = "SELECT g.unit, g.geojson FROM unit_rtree r JOIN unit_geometry g ON g.rowid = r.id"
                     " WHERE r.minx <= ?1 AND r.maxx >= ?1 AND r.miny <= ?2 AND r.maxy >= ?2"
                     " ORDER BY g.unit",
    [ST_KEY_PUT] = "INSERT INTO api_keys(name, key_hash, role, unit, created_at) VALUES(?1,?2,?3,?4,?5)",
    [ST_KEY_GET] = "SELECT id, name, role, unit, created_at, last_used_at, revoked_at FROM api_keys"
                   " WHERE key_hash=?1 AND revoked_at IS NULL",
    [ST_KEY_LIST] = "SELECT id, name, role, unit, created_at, last_used_at, revoked_at FROM api_keys"
                    " ORDER BY name",
    [ST_KEY_REVOKE] = "UPDATE api_keys SET revoked_at=?2 WHERE name=?1 AND revoked_at IS NULL",
    [ST_KEY_TOUCH] = "UPDATE api_keys SET last_used_at=?2 WHERE id=?1",
    [ST_AUDIT_LAST] = "SELECT seq, hash FROM audit WHERE lane = 0 ORDER BY seq DESC LIMIT 1",
    [ST_AUDIT_PUT] = "INSERT INTO audit(seq, at, actor, action, object, detail, prev_hash, hash, lane)"
                     " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    /* Kind, code and grid never change (svc enforces it): leaving them out
     * spares SQLite the statement journal that a unique or foreign-key
     * column would need, whose cost grew with a bulk import's size. */
    [ST_OBJ_UPDATE] = "UPDATE objects SET name=?4, type=?6, risk=?7,"
                      " address=?8, lat=?9, lng=?10, active=?11, updated_at=?13 WHERE id=?1",
    [ST_OBJ_INSERT] = "INSERT INTO objects(kind, code, name, grid, type, risk, address, lat, lng,"
                      " active, created_at, updated_at) VALUES(?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
    [ST_OBJ_GET] = "SELECT " OBJ_COLS " FROM objects WHERE id=?1",
    [ST_SP_BEGIN] = "SAVEPOINT row",
    [ST_SP_RELEASE] = "RELEASE row",
    [ST_SP_ROLLBACK] = "ROLLBACK TO row",
};

/* A case's text waiting to be indexed at the end of the batch. */
struct fts_row {
    int64_t id;
    char *title, *description, *address;
};

struct sq_conn {
    db_conn_t base;
    sqlite3 *h;
    sqlite3_stmt *st[ST__COUNT];
    struct sq_conn *next_free;
    /* Writer only: FTS rows of the current batch.  FTS5 flushes its
     * pending index data whenever a savepoint is released, so indexing
     * inside each job's savepoint wrote one tiny segment per request and
     * made intake slow down as the index grew; the batch indexes its new
     * cases once, just before COMMIT. */
    struct fts_row *fts;
    int nfts, capfts;
    int sp_mark; /* nfts when the row savepoint began */
};

struct job {
    db_write_fn fn;
    void *ctx;
    bh_err_t *err;
    bh_status_t st;
    bool done;
    pthread_cond_t cv; /* signalled when done: only this waiter wakes */
    struct job *next;
};

struct sq_db {
    db_t base;
    struct sq_conn *writer;
    pthread_t writer_thread;
    pthread_mutex_t mu;      /* the write queue */
    pthread_cond_t cv_jobs;
    struct job *head, *tail;
    bool stopping;
    pthread_mutex_t pool_mu; /* the reader pool */
    pthread_cond_t cv_reader;
    struct sq_conn **readers, *free_readers;
    int nreaders;
};

#define SQ(c) ((struct sq_conn *)(c))

static sqlite3_stmt *stmt(db_conn_t *c, int id)
{
    struct sq_conn *s = SQ(c);
    if (!s->st[id]) {
        if (sqlite3_prepare_v3(s->h, sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s->st[id], NULL) != SQLITE_OK) {
            fprintf(stderr, "bihuan: SQL 预编译失败 (%d): %s\n", id, sqlite3_errmsg(s->h));
            abort(); /* the statements are constants: a programmer error */
        }
    }
    sqlite3_reset(s->st[id]);
    sqlite3_clear_bindings(s->st[id]);
    return s->st[id];
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Bind an instant, with 0 meaning NULL. */
static void bind_ms(sqlite3_stmt *s, int i, int64_t v)
{
    if (v)
        sqlite3_bind_int64(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

static const char *col_text(sqlite3_stmt *s, int i, arena_t *a)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(s, i)) : NULL;
}

/* The status of a read that has stepped to its end: SQLITE_DONE is OK;
 * anything else (a busy or broken database, an interrupted read) is an
 * error the caller must see, never a short answer. */
static bh_status_t read_end(int rc)
{
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? BH_OK
           : rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_INTERRUPT ? BH_UNAVAILABLE
                                                                              : BH_INTERNAL;
}

/* The status of a one-row read after its first step. */
static bh_status_t read_one(int rc)
{
    return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_NOT_FOUND : read_end(rc);
}

static bh_status_t step_done(db_conn_t *c, sqlite3_stmt *s, bh_err_t *err)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return BH_OK;
    if (rc == SQLITE_CONSTRAINT)
        return bh_fail(err, BH_CONFLICT, "", "数据冲突：%s", sqlite3_errmsg(SQ(c)->h));
    return bh_fail(err, BH_INTERNAL, "", "数据库错误：%s", sqlite3_errmsg(SQ(c)->h));
}

/* ---- the CJK bigram tokenizer for FTS5 ---- */

struct tok_ctx {
    void *fts_ctx;
    int (*xToken)(void *, int, const char *, int, int, int);
};

static int tok_emit(void *ctx, int flags, const char *tok, int len, int start, int end)
{
    struct tok_ctx *t = ctx;
    return t->xToken(t->fts_ctx, (flags & CJK_TOKEN_COLOCATED) ? FTS5_TOKEN_COLOCATED : 0,
                     tok, len, start, end);
}

static int tok_create(void *unused, const char **args, int nargs, Fts5Tokenizer **out)
{
    (void)unused;
    (void)args;
    (void)nargs;
    *out = (Fts5Tokenizer *)1; /* stateless */
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *t)
{
    (void)t;
}

static int tok_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int len,
                        int (*xToken)(void *, int, const char *, int, int, int))
{
    struct tok_ctx tc = {ctx, xToken};
    (void)t;
    return cjk_tokenize(text, len, (flags & FTS5_TOKENIZE_QUERY) != 0, tok_emit, &tc);
}

static int register_tokenizer(sqlite3 *h)
{
    fts5_api *api = NULL;
    sqlite3_stmt *s;
    static fts5_tokenizer tok = {tok_create, tok_delete, tok_tokenize};

    if (sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(s);
    sqlite3_finalize(s);
    if (!api)
        return SQLITE_ERROR;
    return api->xCreateTokenizer(api, "bihuan_cjk", NULL, &tok, NULL);
}

/* ---- connections ---- */

static bh_status_t open_conn(const char *path, bool writer, struct sq_conn **out, bh_err_t *err)
{
    struct sq_conn *c = xcalloc(1, sizeof *c);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
    static const char pragmas[] =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
        " PRAGMA busy_timeout=10000; PRAGMA temp_store=MEMORY;";
    char *msg = NULL;

    /* Page cache: 64 MiB for the writer, 16 MiB per reader, to keep the
     * server's memory bounded (the OS caches the file as well). */
    if (sqlite3_open_v2(path, &c->h, flags, NULL) != SQLITE_OK ||
        sqlite3_exec(c->h, pragmas, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(c->h, writer ? "PRAGMA cache_size=-65536" : "PRAGMA cache_size=-16384",
                     NULL, NULL, &msg) != SQLITE_OK ||
        register_tokenizer(c->h) != SQLITE_OK) {
        bh_fail(err, BH_UNAVAILABLE, "db", "无法打开数据库 %s：%s", path,
                msg ? msg : sqlite3_errmsg(c->h));
        sqlite3_free(msg);
        sqlite3_close(c->h);
        free(c);
        return BH_UNAVAILABLE;
    }
    *out = c;
    return BH_OK;
}

static void fts_truncate(struct sq_conn *w, int keep);
static bool fts_flush(struct sq_conn *w);

static void close_conn(struct sq_conn *c)
{
    if (!c)
        return;
    fts_truncate(c, 0);
    free(c->fts);
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(c->st[i]);
    sqlite3_close(c->h);
    free(c);
}

static bh_status_t migrate(struct sq_conn *c, const char *path, bh_err_t *err)
{
    sqlite3_stmt *s;
    int version = 0, n = (int)(sizeof migrations / sizeof migrations[0]);
    char *msg = NULL;

    sqlite3_prepare_v2(c->h, "PRAGMA user_version", -1, &s, NULL);
    if (sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (version > n)
        return bh_fail(err, BH_FAILED_PRECONDITION, "db",
                       "数据库 %s 的结构版本(%d)比本程序(%d)新，请升级 bihuan", path, version, n);
    for (int v = version; v < n; v++) {
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version=%d;", v + 1);
        if (sqlite3_exec(c->h, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(c->h, migrations[v], NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(c->h, bump, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(c->h, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            bh_fail(err, BH_INTERNAL, "db", "数据库迁移 %d 失败：%s", v + 1, msg ? msg : "");
            sqlite3_free(msg);
            sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
            return BH_INTERNAL;
        }
    }
    return BH_OK;
}

/* ---- group commit ---- */

static void exec_or_die(sqlite3 *h, const char *q)
{
    char *msg = NULL;
    if (sqlite3_exec(h, q, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bihuan: %s: %s\n", q, msg ? msg : "");
        sqlite3_free(msg);
    }
}

static void run_batch(struct sq_db *d, struct job *batch)
{
    sqlite3 *h = d->writer->h;
    char *msg = NULL;
    int rc;

    exec_or_die(h, "BEGIN IMMEDIATE");
    for (struct job *j = batch; j; j = j->next) {
        int mark = d->writer->nfts;
        exec_or_die(h, "SAVEPOINT job");
        j->st = j->fn(&d->writer->base, j->ctx, j->err);
        if (j->st != BH_OK) {
            exec_or_die(h, "ROLLBACK TO job");
            fts_truncate(d->writer, mark);
        }
        exec_or_die(h, "RELEASE job");
    }
    rc = fts_flush(d->writer) ? sqlite3_exec(h, "COMMIT", NULL, NULL, &msg) : SQLITE_ERROR;
    if (rc != SQLITE_OK) {
        for (struct job *j = batch; j; j = j->next)
            if (j->st == BH_OK)
                j->st = bh_fail(j->err, BH_UNAVAILABLE, "", "写入数据库失败：%s", msg ? msg : "");
        sqlite3_free(msg);
        sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
    }
}

static void *writer_main(void *arg)
{
    struct sq_db *d = arg;
    pthread_mutex_lock(&d->mu);
    for (;;) {
        struct job *batch;
        while (!d->head && !d->stopping)
            pthread_cond_wait(&d->cv_jobs, &d->mu);
        if (!d->head)
            break;
        batch = d->head;
        d->head = d->tail = NULL;
        pthread_mutex_unlock(&d->mu);
        run_batch(d, batch);
        pthread_mutex_lock(&d->mu);
        for (struct job *j = batch, *next; j; j = next) {
            next = j->next; /* j lives on its waiter's stack */
            j->done = true;
            pthread_cond_signal(&j->cv);
        }
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

static bh_status_t sq_write(db_t *db, db_write_fn fn, void *ctx, bh_err_t *err)
{
    struct sq_db *d = (struct sq_db *)db;
    bh_err_t local;
    struct job j = {fn, ctx, err ? err : &local, BH_OK, false, PTHREAD_COND_INITIALIZER, NULL};

    pthread_mutex_lock(&d->mu);
    if (d->stopping) {
        pthread_mutex_unlock(&d->mu);
        pthread_cond_destroy(&j.cv);
        return bh_fail(err, BH_UNAVAILABLE, "", "服务正在关闭");
    }
    if (d->tail)
        d->tail->next = &j;
    else
        d->head = &j;
    d->tail = &j;
    pthread_cond_signal(&d->cv_jobs);
    while (!j.done)
        pthread_cond_wait(&j.cv, &d->mu);
    pthread_mutex_unlock(&d->mu);
    pthread_cond_destroy(&j.cv);
    return j.st;
}

/* A reader from the pool, waiting at most DB_READER_WAIT_MS for one to be
 * returned (BH_UNAVAILABLE then: the pool is held by stuck requests). */
static bh_status_t sq_reader(db_t *db, db_conn_t **out)
{
    struct sq_db *d = (struct sq_db *)db;
    struct sq_conn *c;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += DB_READER_WAIT_MS / 1000;
    ts.tv_nsec += (long)(DB_READER_WAIT_MS % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    *out = NULL;
    pthread_mutex_lock(&d->pool_mu);
    while (!d->free_readers)
        if (pthread_cond_timedwait(&d->cv_reader, &d->pool_mu, &ts) != 0 && !d->free_readers) {
            pthread_mutex_unlock(&d->pool_mu);
            return BH_UNAVAILABLE;
        }
    c = d->free_readers;
    d->free_readers = c->next_free;
    pthread_mutex_unlock(&d->pool_mu);
    *out = &c->base;
    return BH_OK;
}

static void sq_reader_done(db_t *db, db_conn_t *conn)
{
    struct sq_db *d = (struct sq_db *)db;
    struct sq_conn *c = SQ(conn);
    pthread_mutex_lock(&d->pool_mu);
    c->next_free = d->free_readers;
    d->free_readers = c;
    pthread_cond_signal(&d->cv_reader);
    pthread_mutex_unlock(&d->pool_mu);
}

static void sq_close(db_t *db)
{
    struct sq_db *d = (struct sq_db *)db;
    pthread_mutex_lock(&d->mu);
    d->stopping = true;
    pthread_cond_broadcast(&d->cv_jobs);
    pthread_mutex_unlock(&d->mu);
    pthread_join(d->writer_thread, NULL);
    exec_or_die(d->writer->h, "PRAGMA optimize");
    exec_or_die(d->writer->h, "PRAGMA wal_checkpoint(PASSIVE)");
    for (int i = 0; i < d->nreaders; i++)
        close_conn(d->readers[i]);
    close_conn(d->writer);
    free(d->readers);
    pthread_mutex_destroy(&d->mu);
    pthread_mutex_destroy(&d->pool_mu);
    pthread_cond_destroy(&d->cv_jobs);
    pthread_cond_destroy(&d->cv_reader);
    free(d);
}

/* ---- units ---- */

static void row_unit(sqlite3_stmt *s, arena_t *a, db_unit_t *u)
{
    u->code = col_text(s, 0, a);
    u->parent = col_text(s, 1, a);
    u->name = col_text(s, 2, a);
    u->type = col_text(s, 3, a);
    u->active = sqlite3_column_int(s, 4) != 0;
}

static bh_status_t sq_unit_put(db_conn_t *c, const db_unit_t *u, bh_err_t *err)
{
    sqlite3_stmt *s = stmt(c, ST_UNIT_PUT);
    bind_text(s, 1, u->code);
    bind_text(s, 2, u->parent);
    bind_text(s, 3, u->name);
    bind_text(s, 4, u->type);
    sqlite3_bind_int(s, 5, u->active);
    return step_done(c, s, err);
}

static bh_status_t one_unit(sqlite3_stmt *s, arena_t *a, db_unit_t *out)
{
    bh_status_t st = read_one(sqlite3_step(s));
    if (st == BH_OK)
        row_unit(s, a, out);
    sqlite3_reset(s);
    return st;
}

static bh_status_t sq_unit_get(db_conn_t *c, const char *code, arena_t *a, db_unit_t *out)
{
    sqlite3_stmt *s = stmt(c, ST_UNIT_GET);
    bind_text(s, 1, code);
    return one_unit(s, a, out);
}

static bh_status_t sq_unit_find(db_conn_t *c, const char *name, const char *type, arena_t *a,
                                db_unit_t *out)
{
    sqlite3_stmt *s = stmt(c, ST_UNIT_FIND);
    bind_text(s, 1, name);
    bind_text(s, 2, type);
    return one_unit(s, a, out);
}

/* Collect rows into an arena array, growing by doubling. */
/* Step 's' to its end, mapping each row into a growing arena array; the
 * read's status goes to 'st' (an error leaves the rows read so far). */
#define COLLECT(s, a, out, n, T, rowfn, st)                                    \
    do {                                                                       \
        int cap_ = 16, rc_;                                                    \
        T *arr_ = arena_alloc_array((a), (size_t)cap_, sizeof(T));             \
        *(n) = 0;                                                              \
        while ((rc_ = sqlite3_step(s)) == SQLITE_ROW) {                        \
            if (*(n) == cap_) {                                                \
                T *bigger_ = arena_alloc_array((a), 2 * (size_t)cap_, sizeof(T)); \
                memcpy(bigger_, arr_, cap_ * sizeof(T));                       \
                arr_ = bigger_;                                                \
                cap_ *= 2;                                                     \
            }                                                                  \
            memset(&arr_[*(n)], 0, sizeof(T));                                 \
            rowfn((s), (a), &arr_[(*(n))++]);                                  \
        }                                                                      \
        (st) = read_end(rc_);                                                  \
        sqlite3_reset(s);                                                      \
        *(out) = arr_;                                                         \
    } while (0)

static bh_status_t sq_unit_list(db_conn_t *c, const char *parent, arena_t *a, db_unit_t **out,
                                int *n)
{
    sqlite3_stmt *s = stmt(c, parent ? ST_UNIT_CHILDREN : ST_UNIT_ALL);
    bh_status_t st;
    if (parent)
        bind_text(s, 1, parent);
    COLLECT(s, a, out, n, db_unit_t, row_unit, st);
    return st;
}

/* ---- users and sessions ---- */

static void row_user(sqlite3_stmt *s, arena_t *a, db_user_t *u)
{
    u->id = sqlite3_column_int64(s, 0);
    u->username = col_text(s, 1, a);
    u->role = col_text(s, 2, a);
    u->unit = col_text(s, 3, a);
    u->display_name = col_text(s, 4, a);
    u->phone = col_text(s, 5, a);
    u->pwhash = col_text(s, 6, a);
    u->active = sqlite3_column_int(s, 7) != 0;
}

static bh_status_t sq_user_put(db_conn_t *c, const db_user_t *u, bh_err_t *err)
{
    sqlite3_stmt *s = stmt(c, ST_USER_PUT);
    bind_text(s, 1, u->username);
    bind_text(s, 2, u->role);
    bind_text(s, 3, u->unit);
    bind_text(s, 4, u->display_name);
    bind_text(s, 5, u->phone);
    bind_text(s, 6, u->pwhash);
    sqlite3_bind_int(s, 7, u->active);
    return step_done(c, s, err);
}

static bh_status_t sq_user_get(db_conn_t *c, const char *username, arena_t *a, db_user_t *out)
{
    sqlite3_stmt *s = stmt(c, ST_USER_GET);
    bh_status_t st;
    bind_text(s, 1, username);
    if ((st = read_one(sqlite3_step(s))) == BH_OK)
        row_user(s, a, out);
    sqlite3_reset(s);
    return st;
}

static bh_status_t sq_user_list(db_conn_t *c, arena_t *a, db_user_t **out, int *n)
{
    bh_status_t st;
    sqlite3_stmt *s = stmt(c, ST_USER_LIST);
    COLLECT(s, a, out, n, db_user_t, row_user, st);
    return st;
}

static bh_status_t sq_user_count(db_conn_t *c, int64_t *n)
{
    sqlite3_stmt *s = stmt(c, ST_USER_COUNT);
    bh_status_t st = read_one(sqlite3_step(s));
    *n = st == BH_OK ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return st;
}

static bh_status_t sq_session_put(db_conn_t *c, const unsigned char hash[32], int64_t user_id,
                                  dt_ms_t created, dt_ms_t expires)
{
    sqlite3_stmt *s = stmt(c, ST_SESSION_PUT);
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, user_id);
    sqlite3_bind_int64(s, 3, created);
    sqlite3_bind_int64(s, 4, expires);
    return step_done(c, s, NULL);
}

static bh_status_t sq_session_get(db_conn_t *c, const unsigned char hash[32], dt_ms_t now,
                                  dt_ms_t idle_since, arena_t *a, db_user_t *out,
                                  dt_ms_t *last_used)
{
    sqlite3_stmt *s = stmt(c, ST_SESSION_GET);
    bh_status_t st;
    int rc;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_int64(s, 3, idle_since);
    if ((st = read_one(rc = sqlite3_step(s))) == BH_OK) {
        row_user(s, a, out);
        *last_used = sqlite3_column_int64(s, 8);
    }
    sqlite3_reset(s);
    return st;
}

static bh_status_t sq_session_touch(db_conn_t *c, const unsigned char hash[32], dt_ms_t at)
{
    sqlite3_stmt *s = stmt(c, ST_SESSION_TOUCH);
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, at);
    return step_done(c, s, NULL);
}

static bh_status_t sq_session_del_user(db_conn_t *c, int64_t user_id)
{
    sqlite3_stmt *s = stmt(c, ST_SESSION_DEL_USER);
    sqlite3_bind_int64(s, 1, user_id);
    return step_done(c, s, NULL);
}

static bh_status_t sq_session_purge(db_conn_t *c, dt_ms_t now, dt_ms_t idle_since, int64_t *n)
{
    sqlite3_stmt *s = stmt(c, ST_SESSION_PURGE);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int64(s, 2, idle_since);
    st = step_done(c, s, NULL);
    *n = st == BH_OK ? sqlite3_changes(SQ(c)->h) : 0;
    return st;
}

static bh_status_t sq_session_del(db_conn_t *c, const unsigned char hash[32])
{
    sqlite3_stmt *s = stmt(c, ST_SESSION_DEL);
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    return step_done(c, s, NULL);
}

static bh_status_t sq_category_put(db_conn_t *c, const char *code, const char *name,
                                   const char *kind, const char *parent, const char *policy)
{
    sqlite3_stmt *s = stmt(c, ST_CATEGORY_PUT);
    bind_text(s, 1, code);
    bind_text(s, 2, name);
    bind_text(s, 3, kind);
    bind_text(s, 4, parent);
    bind_text(s, 5, policy);
    return step_done(c, s, NULL);
}

/* ---- cases ---- */

static int light_from_name(const char *s)
{
    for (int l = SLA_LIGHT_NONE; l <= SLA_LIGHT_OVERDUE; l++)
        if (s && strcmp(s, sla_light_name((sla_light_t)l)) == 0)
            return l;
    return SLA_LIGHT_NONE;
}

static int64_t col_ms(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, i);
}

static void row_case(sqlite3_stmt *s, arena_t *a, db_case_t *k)
{
    int st;
    k->id = sqlite3_column_int64(s, 0);
    k->category = col_text(s, 1, a);
    k->kind = col_text(s, 2, a);
    k->title = col_text(s, 3, a);
    k->description = col_text(s, 4, a);
    k->source = col_text(s, 5, a);
    k->urgency = col_text(s, 6, a);
    k->unit = col_text(s, 7, a);
    k->handling_unit = col_text(s, 8, a);
    k->has_location = sqlite3_column_type(s, 9) != SQLITE_NULL;
    k->lat = sqlite3_column_double(s, 9);
    k->lng = sqlite3_column_double(s, 10);
    k->address = col_text(s, 11, a);
    k->reporter_name = col_text(s, 12, a);
    k->reporter_phone = col_text(s, 13, a);
    k->created_by = col_text(s, 14, a);
    k->external_id = col_text(s, 15, a);
    k->idempotency_key = col_text(s, 16, a);
    k->created_at = sqlite3_column_int64(s, 17);
    k->updated_at = sqlite3_column_int64(s, 18);
    k->version = sqlite3_column_int64(s, 19);
    st = case_state_from_name((const char *)sqlite3_column_text(s, 20));
    k->status = st < 0 ? CASE_ST_NONE : (case_state_t)st;
    k->light = (sla_light_t)light_from_name((const char *)sqlite3_column_text(s, 21));
    k->next_change = col_ms(s, 22);
    k->supervised = sqlite3_column_int(s, 23);
    k->rework_count = sqlite3_column_int(s, 24);
    k->return_count = sqlite3_column_int(s, 25);
    k->rating = sqlite3_column_int(s, 26);
    k->registered_at = col_ms(s, 27);
    k->dispatched_at = col_ms(s, 28);
    k->handled_at = col_ms(s, 29);
    k->closed_at = col_ms(s, 30);
    k->due_at = col_ms(s, 31);
    k->on_time = sqlite3_column_type(s, 32) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 32);
    k->attributes = col_text(s, 33, a);
    k->media_url = col_text(s, 34, a);
    k->contact = col_text(s, 35, a);
}

/* Bind the event-derived columns as ?2..?17 (shared by insert and update). */
static void bind_derived(sqlite3_stmt *s, const db_case_t *k)
{
    bind_text(s, 2, case_state_name(k->status));
    bind_text(s, 3, sla_light_name(k->light));
    bind_ms(s, 4, k->next_change);
    sqlite3_bind_int(s, 5, k->supervised);
    sqlite3_bind_int(s, 6, k->rework_count);
    sqlite3_bind_int(s, 7, k->return_count);
    if (k->rating)
        sqlite3_bind_int(s, 8, k->rating);
    bind_ms(s, 9, k->registered_at);
    bind_ms(s, 10, k->dispatched_at);
    bind_ms(s, 11, k->handled_at);
    bind_ms(s, 12, k->closed_at);
    bind_ms(s, 13, k->due_at);
    if (k->on_time >= 0)
        sqlite3_bind_int(s, 14, k->on_time);
    bind_text(s, 15, k->handling_unit);
    sqlite3_bind_int64(s, 16, k->version);
    sqlite3_bind_int64(s, 17, k->updated_at);
}

static bh_status_t sq_case_insert(db_conn_t *c, db_case_t *k, bh_err_t *err)
{
    sqlite3_stmt *s = stmt(c, ST_CASE_INSERT);
    bh_status_t st;

    bind_derived(s, k);
    bind_text(s, 18, k->category);
    bind_text(s, 19, k->kind);
    bind_text(s, 20, k->title);
    bind_text(s, 21, k->description);
    bind_text(s, 22, k->source);
    bind_text(s, 23, k->urgency);
    bind_text(s, 24, k->unit);
    if (k->has_location) {
        sqlite3_bind_double(s, 25, k->lat);
        sqlite3_bind_double(s, 26, k->lng);
    }
    bind_text(s, 27, k->address);
    bind_text(s, 28, k->reporter_name);
    bind_text(s, 29, k->reporter_phone);
    bind_text(s, 30, k->created_by);
    bind_text(s, 31, k->external_id);
    bind_text(s, 32, k->idempotency_key);
    sqlite3_bind_int64(s, 33, k->created_at);
    bind_text(s, 34, k->attributes);
    bind_text(s, 35, k->media_url);
    bind_text(s, 36, k->contact);
    if ((st = step_done(c, s, err)))
        return st;
    k->id = sqlite3_last_insert_rowid(SQ(c)->h);
    {
        struct sq_conn *w = SQ(c);
        struct fts_row *r;
        if (w->nfts == w->capfts) {
            w->capfts = w->capfts ? w->capfts * 2 : 256;
            w->fts = xrealloc(w->fts, (size_t)w->capfts * sizeof *w->fts);
        }
        r = &w->fts[w->nfts++];
        r->id = k->id;
        r->title = k->title ? xstrdup(k->title) : NULL;
        r->description = k->description ? xstrdup(k->description) : NULL;
        r->address = k->address ? xstrdup(k->address) : NULL;
    }
    return BH_OK;
}

/* Drop the queued FTS rows from index 'keep' on (a job was rolled back). */
static void fts_truncate(struct sq_conn *w, int keep)
{
    for (int i = keep; i < w->nfts; i++) {
        free(w->fts[i].title);
        free(w->fts[i].description);
        free(w->fts[i].address);
    }
    w->nfts = keep;
}

/* Index the batch's new cases; false if SQLite refused. */
static bool fts_flush(struct sq_conn *w)
{
    bool ok = true;
    for (int i = 0; i < w->nfts && ok; i++) {
        sqlite3_stmt *s = stmt(&w->base, ST_FTS_INSERT);
        sqlite3_bind_int64(s, 1, w->fts[i].id);
        bind_text(s, 2, w->fts[i].title);
        bind_text(s, 3, w->fts[i].description);
        bind_text(s, 4, w->fts[i].address);
        ok = step_done(&w->base, s, NULL) == BH_OK;
    }
    fts_truncate(w, 0);
    return ok;
}

/* The id the statement finds (0: none) and the read's status. */
static bh_status_t one_id(sqlite3_stmt *s, int64_t *id)
{
    bh_status_t st = read_one(sqlite3_step(s));
    *id = st == BH_OK ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return st == BH_NOT_FOUND ? BH_OK : st;
}

static bh_status_t sq_case_lookup_key(db_conn_t *c, const char *idem, const char *source,
                                      const char *external_id, int64_t *id)
{
    sqlite3_stmt *s;
    bh_status_t st = BH_OK;
    *id = 0;
    if (idem) {
        s = stmt(c, ST_CASE_BY_IDEM);
        bind_text(s, 1, idem);
        st = one_id(s, id);
    }
    if (st == BH_OK && !*id && external_id) {
        s = stmt(c, ST_CASE_BY_EXT);
        bind_text(s, 1, source);
        bind_text(s, 2, external_id);
        st = one_id(s, id);
    }
    return st;
}

static bh_status_t sq_case_get(db_conn_t *c, int64_t id, arena_t *a, db_case_t *out)
{
    sqlite3_stmt *s = stmt(c, ST_CASE_GET);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    if ((st = read_one(sqlite3_step(s))) == BH_OK) {
        memset(out, 0, sizeof *out);
        row_case(s, a, out);
    }
    sqlite3_reset(s);
    return st;
}

static bh_status_t sq_case_update(db_conn_t *c, const db_case_t *k, int64_t read_version,
                                  bh_err_t *err)
{
    sqlite3_stmt *s = stmt(c, ST_CASE_UPDATE);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, k->id);
    bind_derived(s, k);
    sqlite3_bind_int64(s, 18, read_version);
    if ((st = step_done(c, s, err)) != BH_OK)
        return st;
    if (sqlite3_changes(SQ(c)->h) != 1)
        return bh_fail(err, BH_CONFLICT, "version", "案件已被同时修改，请刷新后重试");
    return BH_OK;
}

static bh_status_t sq_event_add(db_conn_t *c, int64_t case_id, int seq, const case_event_t *e)
{
    sqlite3_stmt *s = stmt(c, ST_EVENT_ADD);
    sqlite3_bind_int64(s, 1, case_id);
    sqlite3_bind_int(s, 2, seq);
    bind_text(s, 3, case_action_name(e->action));
    bind_text(s, 4, role_name(e->role));
    bind_text(s, 5, e->actor);
    bind_text(s, 6, e->actor_unit);
    sqlite3_bind_int64(s, 7, e->at);
    bind_text(s, 8, e->reason);
    bind_text(s, 9, e->note);
    bind_text(s, 10, e->to_unit);
    bind_text(s, 11, e->result);
    bind_text(s, 12, e->clock);
    if (e->amount)
        sqlite3_bind_double(s, 13, e->amount);
    if (e->level)
        sqlite3_bind_int(s, 14, e->level);
    if (e->rating)
        sqlite3_bind_int(s, 15, e->rating);
    bind_text(s, 16, e->into);
    return step_done(c, s, NULL);
}

static void row_event(sqlite3_stmt *s, arena_t *a, case_event_t *e)
{
    int act = case_action_from_name((const char *)sqlite3_column_text(s, 0));
    int role = role_from_name((const char *)sqlite3_column_text(s, 1));
    e->action = act < 0 ? CASE_ACT_REPORT : (case_action_t)act;
    e->role = role < 0 ? ROLE_PUBLIC : (bh_role_t)role;
    e->actor = col_text(s, 2, a);
    e->actor_unit = col_text(s, 3, a);
    e->at = sqlite3_column_int64(s, 4);
    e->reason = col_text(s, 5, a);
    e->note = col_text(s, 6, a);
    e->to_unit = col_text(s, 7, a);
    e->result = col_text(s, 8, a);
    e->clock = col_text(s, 9, a);
    e->amount = sqlite3_column_double(s, 10);
    e->level = sqlite3_column_int(s, 11);
    e->rating = sqlite3_column_int(s, 12);
    e->into = col_text(s, 13, a);
}

static bh_status_t sq_event_list(db_conn_t *c, int64_t case_id, arena_t *a, case_event_t **out,
                                 int *n)
{
    bh_status_t st;
    sqlite3_stmt *s = stmt(c, ST_EVENT_LIST);
    sqlite3_bind_int64(s, 1, case_id);
    COLLECT(s, a, out, n, case_event_t, row_event, st);
    return st;
}

static bh_status_t sq_clocks_put(db_conn_t *c, int64_t case_id, const db_clock_t *k, int n,
                                 bool fresh)
{
    sqlite3_stmt *s;
    bh_status_t st;
    if (!fresh) {
        s = stmt(c, ST_CLOCK_DEL);
        sqlite3_bind_int64(s, 1, case_id);
        if ((st = step_done(c, s, NULL)))
            return st;
    }
    for (int i = 0; i < n; i++) {
        s = stmt(c, ST_CLOCK_PUT);
        sqlite3_bind_int64(s, 1, case_id);
        bind_text(s, 2, k[i].name);
        bind_ms(s, 3, k[i].started_at);
        bind_ms(s, 4, k[i].deadline);
        bind_ms(s, 5, k[i].stopped_at);
        bind_text(s, 6, sla_light_name(k[i].light));
        if ((st = step_done(c, s, NULL)))
            return st;
    }
    return BH_OK;
}

static void row_clock(sqlite3_stmt *s, arena_t *a, db_clock_t *k)
{
    k->name = col_text(s, 0, a);
    k->started_at = col_ms(s, 1);
    k->deadline = col_ms(s, 2);
    k->stopped_at = col_ms(s, 3);
    k->light = (sla_light_t)light_from_name((const char *)sqlite3_column_text(s, 4));
}

static bh_status_t sq_clocks_get(db_conn_t *c, int64_t case_id, arena_t *a, db_clock_t **out,
                                 int *n)
{
    bh_status_t st;
    sqlite3_stmt *s = stmt(c, ST_CLOCK_GET);
    sqlite3_bind_int64(s, 1, case_id);
    COLLECT(s, a, out, n, db_clock_t, row_clock, st);
    return st;
}

static bh_status_t sq_sweep_due(db_conn_t *c, dt_ms_t now, int limit, int64_t *ids, int *n)
{
    sqlite3_stmt *s = stmt(c, ST_SWEEP);
    int rc = SQLITE_DONE;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int(s, 2, limit);
    *n = 0;
    while (*n < limit && (rc = sqlite3_step(s)) == SQLITE_ROW)
        ids[(*n)++] = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? BH_OK : BH_UNAVAILABLE;
}

static bh_status_t sq_case_quarantine(db_conn_t *c, int64_t id, dt_ms_t at, const char *reason)
{
    sqlite3_stmt *s = stmt(c, ST_QUARANTINE);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, at);
    bind_text(s, 3, reason);
    if ((st = step_done(c, s, NULL)) != BH_OK)
        return st;
    s = stmt(c, ST_UNSCHEDULE);
    sqlite3_bind_int64(s, 1, id);
    return step_done(c, s, NULL);
}

static bh_status_t sq_lease_release(db_conn_t *c, const char *name, const char *holder)
{
    sqlite3_stmt *s = stmt(c, ST_LEASE_FREE);
    bind_text(s, 1, name);
    bind_text(s, 2, holder);
    return step_done(c, s, NULL);
}

static bh_status_t sq_lease(db_conn_t *c, const char *name, const char *holder, dt_ms_t now,
                            int64_t ttl_ms, bool *held)
{
    sqlite3_stmt *s = stmt(c, ST_LEASE);
    bh_status_t st;
    bind_text(s, 1, name);
    bind_text(s, 2, holder);
    sqlite3_bind_int64(s, 3, now);
    sqlite3_bind_int64(s, 4, ttl_ms);
    st = step_done(c, s, NULL);
    *held = st == BH_OK && sqlite3_changes(SQ(c)->h) == 1;
    return st;
}

static bh_status_t sq_counts(db_conn_t *c, int64_t out[CASE_ST__COUNT][SLA_LIGHT_OVERDUE + 1])
{
    sqlite3_stmt *s = stmt(c, ST_COUNTS);
    int rc;
    memset(out, 0, sizeof(int64_t) * CASE_ST__COUNT * (SLA_LIGHT_OVERDUE + 1));
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int st = case_state_from_name((const char *)sqlite3_column_text(s, 0));
        int l = light_from_name((const char *)sqlite3_column_text(s, 1));
        if (st >= 0)
            out[st][l] = sqlite3_column_int64(s, 2);
    }
    sqlite3_reset(s);
    return read_end(rc);
}

static bh_status_t sq_counts_add(db_conn_t *c, case_state_t st, sla_light_t l, int delta)
{
    sqlite3_stmt *s = stmt(c, ST_COUNTS_ADD);
    bind_text(s, 1, case_state_name(st));
    bind_text(s, 2, sla_light_name(l));
    sqlite3_bind_int(s, 3, delta);
    return step_done(c, s, NULL);
}

/* ---- list and statistics: SQL assembled from fixed fragments ---- */

/* The exclusive upper bound of strings starting with 'p'. */
static char *prefix_end(arena_t *a, const char *p)
{
    size_t n = strlen(p);
    char *e = arena_strndup(a, p, n);
    if (n > 0)
        e[n - 1] = (char)(e[n - 1] + 1);
    return e;
}

static void bind_name_text(sqlite3_stmt *s, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i)
        bind_text(s, i, v);
}

static void bind_name_int(sqlite3_stmt *s, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i)
        sqlite3_bind_int64(s, i, v);
}

/* SQL assembled from fixed fragments goes into a capped buffer: a query
 * that does not fit is refused whole (a dropped jurisdiction term would
 * widen it), never run with a fragment missing. */
#define SQL_MAX 16384

static void add(dynbuf_t *b, const char *frag)
{
    (void)dynbuf_addstr(b, frag); /* a refusal is sticky: checked at prepare */
}

/* Prepare the assembled query; BH_INTERNAL if it overflowed or SQLite
 * refused it.  Frees the buffer either way. */
static bh_status_t prepare_built(db_conn_t *c, dynbuf_t *b, sqlite3_stmt **s, bh_err_t *err)
{
    bh_status_t st = BH_OK;
    if (dynbuf_failed(b))
        st = bh_fail(err, BH_INTERNAL, "", "查询条件过长（超过 %d 字节）", SQL_MAX);
    else if (sqlite3_prepare_v2(SQ(c)->h, dynbuf_str(b), -1, s, NULL) != SQLITE_OK)
        st = bh_fail(err, BH_INTERNAL, "", "查询出错：%s", sqlite3_errmsg(SQ(c)->h));
    dynbuf_free(b);
    return st;
}

/*
 * A unit scope as SQL on 'col': the unit itself (a department, a grid)
 * is an equality; a subtree is the range of codes extending it
 * (core/unitcode.h: numeric codes extend by digits or "-", and nothing
 * else is issued).  'name' prefixes the parameters (:name0 :name1 :name2).
 * 'plus' adds SQLite's unary '+' to keep the range off the column index.
 */
static void add_scope(dynbuf_t *b, const char *col, const char *name, const db_scope_t *sc,
                      bool plus)
{
    if (!sc->code)
        return;
    if (!sc->subtree)
        dynbuf_printf(b, "%s = :%s0", col, name);
    else
        dynbuf_printf(b, "%s%s >= :%s1 AND %s%s < :%s2", plus ? "+" : "", col, name,
                      plus ? "+" : "", col, name);
}

static void bind_scope(sqlite3_stmt *s, const char *name, const db_scope_t *sc, arena_t *a)
{
    char p[16];
    if (!sc->code)
        return;
    snprintf(p, sizeof p, ":%s0", name);
    bind_name_text(s, p, sc->code);
    snprintf(p, sizeof p, ":%s1", name);
    bind_name_text(s, p, sc->code);
    snprintf(p, sizeof p, ":%s2", name);
    bind_name_text(s, p, prefix_end(a, sc->code));
}

static void add_filters(dynbuf_t *b, const db_case_filter_t *f, const char *fts)
{
    if (f->unit.code) {
        add(b, " AND ");
        add_scope(b, "cases.unit", "u", &f->unit, true);
    }
    if (f->handling_unit)
        add(b, " AND cases.handling_unit = :h");
    if (f->visible.code) {
        add(b, " AND ((");
        add_scope(b, "cases.unit", "v", &f->visible, true);
        add(b, ") OR (");
        add_scope(b, "cases.handling_unit", "w", &f->visible, true);
        add(b, "))");
    }
    if (f->created_by)
        add(b, " AND cases.created_by = :by");
    if (f->supervised)
        add(b, " AND cases.supervised > 0");
    if (f->status >= 0)
        add(b, " AND cases.status = :st");
    if (f->open == 1)
        add(b, " AND cases.status NOT IN ('closed', 'rejected')");
    else if (f->open == 2)
        add(b, " AND cases.status IN ('closed', 'rejected')");
    if (f->ncategories > 0) {
        char frag[16];
        add(b, " AND cases.category IN (");
        for (int i = 0; i < f->ncategories && i < DB_MAX_IN; i++) {
            snprintf(frag, sizeof frag, "%s:k%d", i ? "," : "", i);
            add(b, frag);
        }
        add(b, ")");
    }
    if (f->category)
        add(b, " AND +cases.category >= :c1 AND +cases.category < :c2");
    if (f->source)
        add(b, " AND cases.source = :src");
    if (f->light >= 0)
        add(b, " AND cases.light = :li");
    if (f->from)
        add(b, " AND cases.created_at >= :from");
    if (f->to)
        add(b, " AND cases.created_at < :to");
    if (fts && f->sort != DB_SORT_RELEVANCE)
        add(b, " AND +cases.id IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH :q)");
}

static void bind_filters(sqlite3_stmt *s, const db_case_filter_t *f, const char *fts, arena_t *a)
{
    bind_scope(s, "u", &f->unit, a);
    bind_name_text(s, ":h", f->handling_unit);
    bind_scope(s, "v", &f->visible, a);
    bind_scope(s, "w", &f->visible, a);
    bind_name_text(s, ":by", f->created_by);
    if (f->status >= 0)
        bind_name_text(s, ":st", case_state_name((case_state_t)f->status));
    if (f->category) {
        bind_name_text(s, ":c1", f->category);
        bind_name_text(s, ":c2", prefix_end(a, f->category));
    }
    bind_name_text(s, ":src", f->source);
    for (int i = 0; i < f->ncategories && i < DB_MAX_IN; i++) {
        char name[16];
        snprintf(name, sizeof name, ":k%d", i);
        bind_name_text(s, name, f->categories[i]);
    }
    if (f->light >= 0)
        bind_name_text(s, ":li", sla_light_name((sla_light_t)f->light));
    bind_name_int(s, ":from", f->from);
    bind_name_int(s, ":to", f->to);
    bind_name_text(s, ":q", fts);
}

/* Count the search tokens of one term. */
static int count_tok(void *ctx, int flags, const char *t, int len, int s0, int e)
{
    (void)flags, (void)t, (void)len, (void)s0, (void)e;
    ++*(int *)ctx;
    return 0;
}

/* The FTS5 MATCH expression for the user's words: each whitespace-
 * separated term becomes a quoted phrase (quotes doubled), terms are
 * ANDed; NULL if no term has a searchable character. */
static const char *fts_expr(arena_t *a, const char *q)
{
    size_t cap = strlen(q) * 2 + 16, len = 0;
    char *out = arena_alloc(a, cap);
    const char *p = q;

    while (*p) {
        const char *e;
        int ntok = 0;
        while (*p && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v'))
            p++;
        for (e = p; *e && !(*e == ' ' || *e == '\t' || *e == '\n' || *e == '\r' || *e == '\f' || *e == '\v'); e++)
            ;
        if (e > p && (cjk_tokenize(p, (int)(e - p), true, count_tok, &ntok), ntok > 0)) {
            if (len)
                out[len++] = ' ';
            out[len++] = '"';
            for (const char *c = p; c < e; c++) {
                if (*c == '"')
                    out[len++] = '"';
                out[len++] = *c;
            }
            out[len++] = '"';
        }
        p = e;
    }
    out[len] = '\0';
    return len ? out : NULL;
}

/*
 * List cursors are this back-end's own: "c1:SORT:KEY:ID" in hex (after
 * the row with that sort key and id), or for relevance, whose order has
 * no key, "c1:4:OFFSET:0".  Callers hand them back untouched.
 */
static const char *cursor_encode(arena_t *a, int sort, int64_t key, int64_t id)
{
    char raw[80], *out;
    int n = snprintf(raw, sizeof raw, "c1:%d:%lld:%lld", sort, (long long)key, (long long)id);
    out = arena_alloc(a, 2 * (size_t)n + 1);
    for (int i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", (unsigned char)raw[i]);
    return out;
}

static bool cursor_decode(const char *cur, int sort, int64_t *key, int64_t *id)
{
    char raw[80];
    size_t n = strlen(cur);
    int s, used = 0;
    long long k, i;
    if (n == 0 || n % 2 || n / 2 >= sizeof raw)
        return false;
    for (size_t j = 0; j < n / 2; j++) {
        unsigned v;
        if (sscanf(cur + 2 * j, "%2x", &v) != 1 || !strchr("0123456789abcdef", cur[2 * j]) ||
            !strchr("0123456789abcdef", cur[2 * j + 1]))
            return false;
        raw[j] = (char)v;
    }
    raw[n / 2] = '\0';
    if (sscanf(raw, "c1:%d:%lld:%lld%n", &s, &k, &i, &used) != 3 || raw[used] || s != sort ||
        (sort == DB_SORT_RELEVANCE && k < 0))
        return false;
    *key = k;
    *id = i;
    return true;
}

static bh_status_t sq_case_list(db_conn_t *c, const db_case_filter_t *f, arena_t *a,
                                db_case_t **out, int *n, const char **next_cursor, bh_err_t *err)
{
    static const char *const keycol[] = {"created_at", "created_at", "updated_at", "updated_at"};
    dynbuf_t b;
    sqlite3_stmt *s;
    const char *fts = NULL;
    int64_t ck = 0, cid = 0;
    int rc;

    *n = 0;
    *next_cursor = NULL;
    if (f->search && !(fts = fts_expr(a, f->search)))
        return bh_fail(err, BH_INVALID_ARGUMENT, "q", "检索词中没有可检索的文字");
    if (f->sort == DB_SORT_RELEVANCE && !fts)
        return bh_fail(err, BH_INVALID_ARGUMENT, "sort", "按相关度排序须给出检索词（q）");
    if (f->cursor && !cursor_decode(f->cursor, f->sort, &ck, &cid))
        return bh_fail(err, BH_INVALID_ARGUMENT, "cursor",
                       "cursor 无效（须原样使用上一页返回的 next_cursor，且排序相同）");
    if (f->cursor && f->offset)
        return bh_fail(err, BH_INTERNAL, "", "cursor and offset together");

    dynbuf_init(&b, SQL_MAX);
    if (f->sort == DB_SORT_RELEVANCE) {
        add(&b, "SELECT " CASE_COLS " FROM cases JOIN (SELECT rowid AS rid, rank AS r FROM"
                " cases_fts WHERE cases_fts MATCH :q) f ON f.rid = cases.id WHERE 1");
        add_filters(&b, f, fts);
        add(&b, " ORDER BY f.r, cases.id LIMIT :limit OFFSET :off");
    } else {
        bool desc = f->sort == DB_SORT_CREATED_DESC || f->sort == DB_SORT_UPDATED_DESC;
        add(&b, "SELECT " CASE_COLS " FROM cases WHERE 1");
        add_filters(&b, f, fts);
        if (f->cursor)
            dynbuf_printf(&b, " AND (cases.%s %s :ck OR (cases.%s = :ck AND cases.id %s :cid))",
                          keycol[f->sort], desc ? "<" : ">", keycol[f->sort], desc ? "<" : ">");
        dynbuf_printf(&b, " ORDER BY cases.%s %s, cases.id %s LIMIT :limit OFFSET :off",
                      keycol[f->sort], desc ? "DESC" : "ASC", desc ? "DESC" : "ASC");
    }
    if (prepare_built(c, &b, &s, err) != BH_OK)
        return err ? err->status : BH_INTERNAL;
    bind_filters(s, f, fts, a);
    bind_name_int(s, ":limit", (int64_t)f->limit + 1); /* one more tells of a next page */
    /* Relevance pages by offset (the cursor carries it); the others by key. */
    if (f->sort == DB_SORT_RELEVANCE) {
        bind_name_int(s, ":off", f->cursor ? ck : f->offset);
    } else {
        bind_name_int(s, ":off", f->offset);
        bind_name_int(s, ":ck", ck);
        bind_name_int(s, ":cid", cid);
    }
    *out = arena_alloc_array(a, (size_t)(f->limit > 0 ? f->limit : 1), sizeof **out);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < f->limit) {
        memset(&(*out)[*n], 0, sizeof **out);
        row_case(s, a, &(*out)[(*n)++]);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        bh_status_t st = rc == SQLITE_ERROR
                             ? bh_fail(err, BH_INVALID_ARGUMENT, "q", "检索条件无效：%s",
                                       sqlite3_errmsg(SQ(c)->h))
                             : bh_fail(err, read_end(rc), "", "查询未读完：%s", sqlite3_errstr(rc));
        sqlite3_finalize(s);
        *n = 0;
        return st;
    }
    if (rc == SQLITE_ROW && *n > 0) { /* there is a next page */
        const db_case_t *last = &(*out)[*n - 1];
        *next_cursor = f->sort == DB_SORT_RELEVANCE
                           ? cursor_encode(a, f->sort, (f->cursor ? ck : f->offset) + *n, 0)
                       : cursor_encode(a, f->sort,
                                       f->sort <= DB_SORT_CREATED_ASC ? last->created_at
                                                                      : last->updated_at,
                                       last->id);
    }
    sqlite3_finalize(s);
    return BH_OK;
}

static bh_status_t sq_stats(db_conn_t *c, const db_stats_query_t *q, arena_t *a,
                            db_stats_row_t **rows, int *n, bh_err_t *err)
{
    dynbuf_t b;
    sqlite3_stmt *s;
    int cap = 16, rc;
    const char *key = q->group_by == DB_GROUP_UNIT       ? "substr(unit, 1, :klen)"
                      : q->group_by == DB_GROUP_CATEGORY ? "category"
                      : q->group_by == DB_GROUP_SOURCE   ? "source"
                                                         : "''";
    const char *name = q->group_by == DB_GROUP_UNIT
                           ? "(SELECT name FROM units WHERE code = g.k)"
                       : q->group_by == DB_GROUP_CATEGORY
                           ? "(SELECT name FROM categories WHERE code = g.k)"
                           : "NULL";

    dynbuf_init(&b, SQL_MAX);
    add(&b, "SELECT g.*, ");
    add(&b, name);
    add(&b, " FROM (SELECT ");
    add(&b, key);
    add(&b, " AS k, count(*), count(registered_at),"
            " coalesce(sum(registered_at IS NOT NULL AND ((closed_at IS NOT NULL AND closed_at <= :asof)"
            "   OR (due_at IS NOT NULL AND due_at <= :asof))), 0),"
            " coalesce(sum(closed_at IS NOT NULL AND closed_at <= :asof), 0),"
            " coalesce(sum(closed_at IS NOT NULL AND closed_at <= :asof AND on_time = 1), 0),"
            " count(handled_at), coalesce(sum(rework_count > 0), 0), count(rating),"
            " coalesce(sum(rating >= 3), 0),"
            " total(CASE WHEN handled_at IS NOT NULL AND dispatched_at IS NOT NULL"
            "   THEN handled_at - dispatched_at END),"
            " count(CASE WHEN handled_at IS NOT NULL AND dispatched_at IS NOT NULL THEN 1 END)"
            " FROM cases WHERE created_at >= :from AND created_at < :to");
    /* '+': a subtree is a large share of the table; reading it through
     * the unit index would fetch every row at random. */
    if (q->unit.code && q->unit.subtree) {
        add(&b, " AND ");
        add_scope(&b, "unit", "u", &q->unit, true);
    } else if (q->unit.code) {
        /* A department (or a grid): what happened there or was handed to it. */
        add(&b, " AND (");
        add_scope(&b, "unit", "u", &q->unit, false);
        add(&b, " OR ");
        add_scope(&b, "handling_unit", "h", &q->unit, false);
        add(&b, ")");
    }
    add(&b, " GROUP BY k ORDER BY k) g");
    if (prepare_built(c, &b, &s, err) != BH_OK)
        return err ? err->status : BH_INTERNAL;
    bind_name_int(s, ":klen", q->key_len);
    bind_name_int(s, ":asof", q->as_of);
    bind_name_int(s, ":from", q->from);
    bind_name_int(s, ":to", q->to);
    bind_scope(s, "u", &q->unit, a);
    bind_scope(s, "h", &q->unit, a);
    *rows = arena_alloc(a, cap * sizeof **rows);
    *n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        db_stats_row_t *r;
        if (*n == cap) {
            db_stats_row_t *bigger = arena_alloc(a, 2 * cap * sizeof *bigger);
            memcpy(bigger, *rows, cap * sizeof *bigger);
            *rows = bigger;
            cap *= 2;
        }
        r = &(*rows)[(*n)++];
        static const case_count_t cols[] = {CM_REPORTED, CM_REGISTERED, CM_DUE, CM_CLOSED,
                                            CM_CLOSED_ON_TIME, CM_HANDLED, CM_REWORKED,
                                            CM_RATED, CM_SATISFIED};
        memset(r, 0, sizeof *r);
        r->key = col_text(s, 0, a);
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
            r->f.n[cols[i]] = sqlite3_column_int64(s, 1 + (int)i);
        r->f.handle_ms_sum = sqlite3_column_double(s, 10);
        r->f.handle_n = sqlite3_column_int64(s, 11);
        case_figures_finish(&r->f);
        r->name = col_text(s, 12, a);
    }
    sqlite3_finalize(s);
    if (read_end(rc) != BH_OK)
        return bh_fail(err, read_end(rc), "", "统计查询未读完：%s", sqlite3_errstr(rc));
    return BH_OK;
}

static bh_status_t sq_analyze(db_conn_t *c)
{
    return sqlite3_exec(SQ(c)->h, "ANALYZE", NULL, NULL, NULL) == SQLITE_OK ? BH_OK : BH_INTERNAL;
}

/* ---- geometry ---- */

static bh_status_t sq_geometry_put(db_conn_t *c, const char *unit, const char *geojson,
                                   const double bbox[4], bh_err_t *err)
{
    sqlite3_stmt *s = stmt(c, ST_GEOM_PUT);
    int64_t rowid;
    bh_status_t st;

    bind_text(s, 1, unit);
    bind_text(s, 2, geojson);
    for (int i = 0; i < 4; i++)
        sqlite3_bind_double(s, 3 + i, bbox[i]);
    if ((st = step_done(c, s, err)))
        return st;
    s = stmt(c, ST_GEOM_ROWID);
    bind_text(s, 1, unit);
    if ((st = one_id(s, &rowid)) != BH_OK || !rowid)
        return bh_fail(err, st ? st : BH_INTERNAL, "", "读取网格边界行号失败");
    s = stmt(c, ST_RTREE_PUT);
    sqlite3_bind_int64(s, 1, rowid);
    sqlite3_bind_double(s, 2, bbox[0]);
    sqlite3_bind_double(s, 3, bbox[2]);
    sqlite3_bind_double(s, 4, bbox[1]);
    sqlite3_bind_double(s, 5, bbox[3]);
    return step_done(c, s, err);
}

static bh_status_t sq_geometry_get(db_conn_t *c, const char *unit, arena_t *a, const char **geojson)
{
    sqlite3_stmt *s = stmt(c, ST_GEOM_GET);
    bh_status_t st;
    bind_text(s, 1, unit);
    if ((st = read_one(sqlite3_step(s))) == BH_OK)
        *geojson = col_text(s, 0, a);
    sqlite3_reset(s);
    return st;
}

static bh_status_t sq_geometry_candidates(db_conn_t *c, double lng, double lat, arena_t *a,
                                          const char ***units, const char ***geojson, int *n)
{
    sqlite3_stmt *s = stmt(c, ST_GEOM_CAND);
    int cap = 8, rc;
    *units = arena_alloc(a, (size_t)cap * sizeof **units);
    *geojson = arena_alloc(a, (size_t)cap * sizeof **geojson);
    *n = 0;
    sqlite3_bind_double(s, 1, lng);
    sqlite3_bind_double(s, 2, lat);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            const char **u2 = arena_alloc(a, (size_t)cap * 2 * sizeof *u2);
            const char **g2 = arena_alloc(a, (size_t)cap * 2 * sizeof *g2);
            memcpy(u2, *units, (size_t)cap * sizeof *u2);
            memcpy(g2, *geojson, (size_t)cap * sizeof *g2);
            *units = u2;
            *geojson = g2;
            cap *= 2;
        }
        (*units)[*n] = col_text(s, 0, a);
        (*geojson)[*n] = col_text(s, 1, a);
        (*n)++;
    }
    sqlite3_reset(s);
    return read_end(rc);
}

/* ---- API keys ---- */

static void row_key(sqlite3_stmt *s, arena_t *a, db_apikey_t *k)
{
    k->id = sqlite3_column_int64(s, 0);
    k->name = col_text(s, 1, a);
    k->role = col_text(s, 2, a);
    k->unit = col_text(s, 3, a);
    k->created_at = col_ms(s, 4);
    k->last_used_at = col_ms(s, 5);
    k->revoked_at = col_ms(s, 6);
}

static bh_status_t sq_apikey_put(db_conn_t *c, const char *name, const unsigned char hash[32],
                                 const char *role, const char *unit, dt_ms_t created, bh_err_t *err)
{
    sqlite3_stmt *s = stmt(c, ST_KEY_PUT);
    bind_text(s, 1, name);
    sqlite3_bind_blob(s, 2, hash, 32, SQLITE_STATIC);
    bind_text(s, 3, role);
    bind_text(s, 4, unit);
    sqlite3_bind_int64(s, 5, created);
    return step_done(c, s, err);
}

static bh_status_t sq_apikey_get(db_conn_t *c, const unsigned char hash[32], arena_t *a,
                                 db_apikey_t *out)
{
    sqlite3_stmt *s = stmt(c, ST_KEY_GET);
    bh_status_t st;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    if ((st = read_one(sqlite3_step(s))) == BH_OK)
        row_key(s, a, out);
    sqlite3_reset(s);
    return st;
}

static bh_status_t sq_apikey_list(db_conn_t *c, arena_t *a, db_apikey_t **out, int *n)
{
    bh_status_t st;
    sqlite3_stmt *s = stmt(c, ST_KEY_LIST);
    COLLECT(s, a, out, n, db_apikey_t, row_key, st);
    return st;
}

static bh_status_t sq_apikey_revoke(db_conn_t *c, const char *name, dt_ms_t at)
{
    sqlite3_stmt *s = stmt(c, ST_KEY_REVOKE);
    bh_status_t st;
    bind_text(s, 1, name);
    sqlite3_bind_int64(s, 2, at);
    if ((st = step_done(c, s, NULL)))
        return st;
    return sqlite3_changes(SQ(c)->h) ? BH_OK : BH_NOT_FOUND;
}

static bh_status_t sq_apikey_touch(db_conn_t *c, int64_t id, dt_ms_t at)
{
    sqlite3_stmt *s = stmt(c, ST_KEY_TOUCH);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, at);
    return step_done(c, s, NULL);
}

static bh_status_t sq_savepoint(db_conn_t *c, int op)
{
    struct sq_conn *w = SQ(c);
    static const int q[] = {ST_SP_BEGIN, ST_SP_RELEASE, ST_SP_ROLLBACK};
    if (op >= DB_SP_ROW_BEGIN) /* a failed SQLite statement undoes itself alone */
        return op <= DB_SP_ROW_ROLLBACK ? BH_OK : BH_INTERNAL;
    if (op == DB_SP_BEGIN)
        w->sp_mark = w->nfts;
    if (step_done(c, stmt(c, q[op]), NULL) != BH_OK) {
        fprintf(stderr, "bihuan: savepoint %d: %s\n", op, sqlite3_errmsg(w->h));
        return BH_INTERNAL;
    }
    if (op == DB_SP_ROLLBACK) {
        fts_truncate(w, w->sp_mark);
        /* ROLLBACK TO keeps the savepoint open; end it. */
        if (step_done(c, stmt(c, ST_SP_RELEASE), NULL) != BH_OK)
            return BH_INTERNAL;
    }
    return BH_OK;
}

/* One writer, so one lane: the transaction already excludes every other
 * appender, and the last row is the head. */
static bh_status_t sq_audit_append(db_conn_t *c, db_audit_t *row, db_audit_hash_fn hash,
                                   void *ctx)
{
    sqlite3_stmt *s = stmt(c, ST_AUDIT_LAST);
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
    s = stmt(c, ST_AUDIT_PUT);
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

/* Walk the rows one query gives, in its order. */
static bh_status_t audit_rows(db_conn_t *c, const char *sql_text, db_audit_fn fn, void *ctx)
{
    sqlite3_stmt *s;
    bh_status_t st = BH_OK;
    int rc = SQLITE_DONE;
    if (sqlite3_prepare_v2(SQ(c)->h, sql_text, -1, &s, NULL) != SQLITE_OK)
        return BH_INTERNAL;
    while (st == BH_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        db_audit_t r;
        memset(&r, 0, sizeof r);
        r.lane = sqlite3_column_int(s, 8);
        r.seq = sqlite3_column_int64(s, 0);
        r.at = sqlite3_column_int64(s, 1);
        r.actor = (const char *)sqlite3_column_text(s, 2);
        r.action = (const char *)sqlite3_column_text(s, 3);
        r.object = (const char *)sqlite3_column_text(s, 4);
        r.detail = (const char *)sqlite3_column_text(s, 5);
        if (sqlite3_column_bytes(s, 6) == 32)
            memcpy(r.prev_hash, sqlite3_column_blob(s, 6), 32);
        if (sqlite3_column_bytes(s, 7) == 32)
            memcpy(r.hash, sqlite3_column_blob(s, 7), 32);
        st = fn(&r, ctx);
    }
    sqlite3_finalize(s);
    return st != BH_OK ? st : read_end(rc);
}

/* Lane 0 (everything SQLite writes) in primary-key order, without a sort;
 * then any other lane, which only a foreign hand could have added. */
static bh_status_t sq_audit_walk(db_conn_t *c, db_audit_fn fn, void *ctx)
{
#define AUDIT_COLS "SELECT seq, at, actor, action, object, detail, prev_hash, hash, lane FROM audit"
    bh_status_t st = audit_rows(c, AUDIT_COLS " WHERE lane = 0 ORDER BY seq", fn, ctx);
    return st != BH_OK ? st : audit_rows(c, AUDIT_COLS " WHERE lane <> 0 ORDER BY lane, seq", fn, ctx);
#undef AUDIT_COLS
}

/* ---- managed objects ---- */

static void row_object(sqlite3_stmt *s, arena_t *a, db_object_t *o)
{
    o->id = sqlite3_column_int64(s, 0);
    o->kind = col_text(s, 1, a);
    o->code = col_text(s, 2, a);
    o->name = col_text(s, 3, a);
    o->grid = col_text(s, 4, a);
    o->type = col_text(s, 5, a);
    o->risk = col_text(s, 6, a);
    o->address = col_text(s, 7, a);
    o->has_location = sqlite3_column_type(s, 8) != SQLITE_NULL;
    o->lat = sqlite3_column_double(s, 8);
    o->lng = sqlite3_column_double(s, 9);
    o->active = sqlite3_column_int(s, 10) != 0;
    o->created_at = sqlite3_column_int64(s, 11);
    o->updated_at = sqlite3_column_int64(s, 12);
}

static bh_status_t sq_object_put(db_conn_t *c, db_object_t *o, bh_err_t *err)
{
    sqlite3_stmt *s = stmt(c, o->id ? ST_OBJ_UPDATE : ST_OBJ_INSERT);
    bh_status_t st;
    if (o->id)
        sqlite3_bind_int64(s, 1, o->id);
    bind_text(s, 2, o->kind);
    bind_text(s, 3, o->code);
    bind_text(s, 4, o->name);
    bind_text(s, 5, o->grid);
    bind_text(s, 6, o->type);
    bind_text(s, 7, o->risk);
    bind_text(s, 8, o->address);
    if (o->has_location) {
        sqlite3_bind_double(s, 9, o->lat);
        sqlite3_bind_double(s, 10, o->lng);
    }
    sqlite3_bind_int(s, 11, o->active);
    sqlite3_bind_int64(s, 12, o->created_at);
    sqlite3_bind_int64(s, 13, o->updated_at);
    st = step_done(c, s, err);
    if (st == BH_CONFLICT)
        return bh_fail(err, BH_CONFLICT, "code", "编码“%s”已被另一个对象使用", o->code ? o->code : "");
    if (st == BH_OK && !o->id)
        o->id = sqlite3_last_insert_rowid(SQ(c)->h);
    return st;
}

static bh_status_t sq_object_get(db_conn_t *c, int64_t id, arena_t *a, db_object_t *out)
{
    sqlite3_stmt *s = stmt(c, ST_OBJ_GET);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    if ((st = read_one(sqlite3_step(s))) == BH_OK) {
        memset(out, 0, sizeof *out);
        row_object(s, a, out);
    }
    sqlite3_reset(s);
    return st;
}

static bh_status_t sq_object_list(db_conn_t *c, const db_object_filter_t *f, arena_t *a,
                                  db_object_t **out, int *n)
{
    dynbuf_t b;
    sqlite3_stmt *s;
    bh_status_t st;
    dynbuf_init(&b, SQL_MAX);
    add(&b, "SELECT " OBJ_COLS " FROM objects WHERE 1");
    if (f->kind)
        add(&b, " AND kind = :kind");
    if (f->grid.code) {
        add(&b, " AND ");
        add_scope(&b, "grid", "g", &f->grid, false);
    }
    if (f->risk)
        add(&b, " AND risk = :risk");
    if (f->type)
        add(&b, " AND type = :type");
    if (f->after_id)
        add(&b, " AND id < :after");
    add(&b, " ORDER BY id DESC LIMIT :limit");
    if (prepare_built(c, &b, &s, NULL) != BH_OK)
        return BH_INTERNAL;
    bind_name_text(s, ":kind", f->kind);
    bind_scope(s, "g", &f->grid, a);
    bind_name_text(s, ":risk", f->risk);
    bind_name_text(s, ":type", f->type);
    bind_name_int(s, ":after", f->after_id);
    bind_name_int(s, ":limit", f->limit);
    COLLECT(s, a, out, n, db_object_t, row_object, st);
    sqlite3_finalize(s);
    return st;
}

static bh_status_t sq_events_between(db_conn_t *c, dt_ms_t from, dt_ms_t to, int limit,
                                     arena_t *a, db_event_row_t **out, int *n)
{
    sqlite3_stmt *s;
    int rc;
    if (sqlite3_prepare_v2(SQ(c)->h,
                           "SELECT action, role, actor, actor_unit, at, reason, note, to_unit, result,"
                           " clock, amount, level, rating, into_case, case_id, seq FROM case_events"
                           " WHERE at >= ?1 AND at < ?2 ORDER BY at, case_id, seq LIMIT ?3",
                           -1, &s, NULL) != SQLITE_OK)
        return BH_INTERNAL;
    sqlite3_bind_int64(s, 1, from);
    sqlite3_bind_int64(s, 2, to);
    sqlite3_bind_int(s, 3, limit);
    *out = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **out);
    *n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < limit) {
        db_event_row_t *r = &(*out)[(*n)++];
        memset(r, 0, sizeof *r);
        row_event(s, a, &r->ev);
        r->case_id = sqlite3_column_int64(s, 14);
        r->seq = sqlite3_column_int(s, 15);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? BH_OK : BH_INTERNAL;
}

static bh_status_t sq_integrity_check(db_conn_t *c, arena_t *a, const char **result)
{
    sqlite3_stmt *s;
    int rc;
    if (sqlite3_prepare_v2(SQ(c)->h, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
        return BH_INTERNAL;
    rc = sqlite3_step(s);
    *result = rc == SQLITE_ROW ? col_text(s, 0, a) : "no result";
    sqlite3_finalize(s);
    return read_end(rc);
}

static const struct db_ops sqlite_ops = {
    .close = sq_close,
    .reader = sq_reader,
    .reader_done = sq_reader_done,
    .write = sq_write,
    .unit_put = sq_unit_put,
    .unit_get = sq_unit_get,
    .unit_find = sq_unit_find,
    .unit_list = sq_unit_list,
    .user_put = sq_user_put,
    .user_get = sq_user_get,
    .user_list = sq_user_list,
    .user_count = sq_user_count,
    .session_put = sq_session_put,
    .session_get = sq_session_get,
    .session_del = sq_session_del,
    .session_touch = sq_session_touch,
    .session_del_user = sq_session_del_user,
    .session_purge = sq_session_purge,
    .category_put = sq_category_put,
    .case_insert = sq_case_insert,
    .case_lookup_key = sq_case_lookup_key,
    .case_get = sq_case_get,
    .case_update = sq_case_update,
    .case_list = sq_case_list,
    .event_add = sq_event_add,
    .event_list = sq_event_list,
    .clocks_put = sq_clocks_put,
    .clocks_get = sq_clocks_get,
    .sweep_due = sq_sweep_due,
    .case_quarantine = sq_case_quarantine,
    .lease = sq_lease,
    .lease_release = sq_lease_release,
    .counts = sq_counts,
    .counts_add = sq_counts_add,
    .stats = sq_stats,
    .integrity_check = sq_integrity_check,
    .analyze = sq_analyze,
    .geometry_put = sq_geometry_put,
    .geometry_get = sq_geometry_get,
    .geometry_candidates = sq_geometry_candidates,
    .apikey_put = sq_apikey_put,
    .apikey_get = sq_apikey_get,
    .apikey_list = sq_apikey_list,
    .apikey_revoke = sq_apikey_revoke,
    .apikey_touch = sq_apikey_touch,
    .events_between = sq_events_between,
    .savepoint = sq_savepoint,
    .audit_append = sq_audit_append,
    .audit_walk = sq_audit_walk,
    .object_put = sq_object_put,
    .object_get = sq_object_get,
    .object_list = sq_object_list,
};

bh_status_t db_sqlite_open(const char *path, int readers, db_t **out, bh_err_t *err)
{
    struct sq_db *d = xcalloc(1, sizeof *d);
    bh_status_t st;

    *out = NULL;
    if (sqlite3_threadsafe() == 0)
        return bh_fail(err, BH_INTERNAL, "db", "SQLite 未以线程安全方式编译");
    if ((st = open_conn(path, true, &d->writer, err)) != BH_OK) {
        free(d);
        return st;
    }
    if ((st = migrate(d->writer, path, err)) != BH_OK) {
        close_conn(d->writer);
        free(d);
        return st;
    }
    d->base.ops = &sqlite_ops;
    d->writer->base.db = &d->base;
    d->nreaders = readers < 1 ? 1 : readers;
    d->readers = xcalloc((size_t)d->nreaders, sizeof *d->readers);
    for (int i = 0; i < d->nreaders; i++) {
        if ((st = open_conn(path, false, &d->readers[i], err)) != BH_OK) {
            for (int k = 0; k < i; k++)
                close_conn(d->readers[k]);
            close_conn(d->writer);
            free(d->readers);
            free(d);
            return st;
        }
        d->readers[i]->base.db = &d->base;
        d->readers[i]->next_free = d->free_readers;
        d->free_readers = d->readers[i];
    }
    pthread_mutex_init(&d->mu, NULL);
    pthread_mutex_init(&d->pool_mu, NULL);
    pthread_cond_init(&d->cv_jobs, NULL);
    {
        pthread_condattr_t ca; /* the reader wait's timeout runs on the monotonic clock */
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&d->cv_reader, &ca);
        pthread_condattr_destroy(&ca);
    }
    pthread_create(&d->writer_thread, NULL, writer_main, d);
    *out = &d->base;
    return BH_OK;
}
