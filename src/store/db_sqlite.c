/*
 * db_sqlite.c - the embedded SQLite back-end of db.h.
 *
 * One writer connection owned by a writer thread; every db_write() call is
 * queued, and the writer runs whatever has queued up in one transaction
 * (each call inside its own SAVEPOINT), then commits once: with WAL and
 * synchronous=FULL that is one fsync for the whole batch (group commit).
 * Readers come from a pool of connections; WAL lets them read while the
 * writer writes.  Statements are prepared once per connection and cached.
 * The operations live in files by aggregate (sqlite_int.h lists them).
 */
#include "store/sqlite_int.h"

#include <time.h>

#include "store/db_sqlite_schema.h"
#include "util/cjk.h"

static const char *const sql[ST__CORE] = {
    [ST_UNIT_PUT] = "INSERT INTO units(code, parent, name, type, active) VALUES(?1,?2,?3,?4,?5)"
                    " ON CONFLICT(code) DO UPDATE SET parent=?2, name=?3, type=?4, active=?5",
    [ST_UNIT_GET] = "SELECT {unit} FROM units WHERE code=?1",
    [ST_UNIT_FIND] = "SELECT {unit} FROM units WHERE name=?1 AND type=?2"
                     " ORDER BY code LIMIT 1",
    [ST_UNIT_CHILDREN] = "SELECT {unit} FROM units WHERE parent=?1 ORDER BY code",
    [ST_UNIT_ALL] = "SELECT {unit} FROM units ORDER BY code",
    [ST_USER_PUT] = "INSERT INTO users(username, role, unit, display_name, phone, pwhash, active,"
                    " object_id) VALUES(?1,?2,?3,?4,?5,?6,?7,?8) ON CONFLICT(username) DO UPDATE SET"
                    " role=?2, unit=?3, display_name=?4, phone=?5, pwhash=?6, active=?7, object_id=?8",
    [ST_USER_GET] = "SELECT {user} FROM users WHERE username=?1",
    [ST_USER_LIST] = "SELECT {user} FROM users ORDER BY username",
    [ST_USER_COUNT] = "SELECT count(*) FROM users",
    [ST_SESSION_PUT] = "INSERT INTO sessions(token_hash, user_id, created_at, expires_at) VALUES(?1,?2,?3,?4)",
    [ST_SESSION_GET] = "SELECT {user:u}, coalesce(s.last_used_at, s.created_at)"
                       " FROM sessions s JOIN users u ON u.id = s.user_id"
                       " WHERE s.token_hash=?1 AND s.expires_at > ?2"
                       " AND coalesce(s.last_used_at, s.created_at) > ?3 AND u.active",
    [ST_SESSION_DEL] = "DELETE FROM sessions WHERE token_hash=?1",
    [ST_SESSION_TOUCH] = "UPDATE sessions SET last_used_at=?2 WHERE token_hash=?1",
    [ST_SESSION_DEL_USER] = "DELETE FROM sessions WHERE user_id=?1",
    [ST_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at <= ?1"
                         " OR coalesce(last_used_at, created_at) <= ?2",
    [ST_CATEGORY_PUT] = "INSERT OR REPLACE INTO categories(code, name, kind, parent, policy) VALUES(?1,?2,?3,?4,?5)",
    [ST_CATVER_LIST] = "SELECT {catver} FROM category_versions WHERE version > ?1 ORDER BY version",
    [ST_CATVER_ADD] = "INSERT INTO category_versions(version, body, digest, source, at, by)"
                      " VALUES(?1,?2,?3,?4,?5,?6)",
    [ST_CASE_INSERT] = "INSERT INTO cases(category, kind, title, description, source, urgency, unit,"
                       " lat, lng, address, reporter_name, reporter_phone, created_by,"
                       " external_id, idempotency_key, created_at,"
                       " status, light, next_change, supervised, rework_count, return_count, rating,"
                       " registered_at, dispatched_at, handled_at, closed_at, due_at, on_time,"
                       " handling_unit, version, updated_at, attributes, media_url, contact, published,"
                       " reopen_requested, policy_version)"
                       " VALUES(?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33,"
                       " ?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?34,?35,?36,?37,?38,"
                       " ?39)",
    [ST_FTS_INSERT] = "INSERT INTO cases_fts(rowid, title, description, address) VALUES(?1,?2,?3,?4)",
    [ST_CASE_BY_IDEM] = "SELECT id FROM cases WHERE idempotency_key=?1",
    [ST_CASE_BY_EXT] = "SELECT id FROM cases WHERE source=?1 AND external_id=?2",
    [ST_CASE_GET] = "SELECT {case} FROM cases WHERE id=?1",
    [ST_CASE_UPDATE] = "UPDATE cases SET status=?2, light=?3, next_change=?4, supervised=?5,"
                       " rework_count=?6, return_count=?7, rating=?8, registered_at=?9,"
                       " dispatched_at=?10, handled_at=?11, closed_at=?12, due_at=?13, on_time=?14,"
                       " handling_unit=?15, version=?16, updated_at=?17, published=?37,"
                       " reopen_requested=?38 WHERE id=?1 AND version=?18",
    [ST_EVENT_ADD] = "INSERT INTO case_events(case_id, seq, action, role, actor, actor_unit, at,"
                     " reason, note, to_unit, result, clock, amount, level, rating, into_case,"
                     " ext_id, extra)"
                     " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)",
    [ST_EVENT_LIST] = "SELECT {event} FROM case_events WHERE case_id=?1 ORDER BY seq",
    [ST_EVENT_LISTS] = "SELECT {event}, case_id FROM case_events WHERE case_id IN (SELECT value FROM json_each(?1))"
                       " ORDER BY case_id, seq",
    [ST_CLOCK_DEL] = "DELETE FROM case_clocks WHERE case_id=?1",
    [ST_CLOCK_PUT] = "INSERT INTO case_clocks(case_id, name, started_at, deadline, stopped_at, light)"
                     " VALUES(?1,?2,?3,?4,?5,?6)",
    [ST_CLOCK_GET] = "SELECT {clock} FROM case_clocks"
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
    [ST_CONFIG_GET] = "SELECT body, at, by FROM configs WHERE kind=?1",
    [ST_CONFIG_PUT] = "INSERT OR REPLACE INTO configs(kind, body, at, by) VALUES(?1,?2,?3,?4)",
    [ST_IMPORT_GET] = "SELECT rows_done, created, updated, unchanged, bad, started_at, at, finished_at"
                      " FROM ledger_imports WHERE digest=?1 AND kind=?2 AND username=?3",
    /* A new run of a file replaces only the finished one it saw (?12: its
     * 'at'); changes() tells. */
    [ST_IMPORT_START] = "INSERT INTO ledger_imports(digest, kind, username, rows_done, created,"
                        " updated, unchanged, bad, started_at, at, finished_at)"
                        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"
                        " ON CONFLICT(digest, kind, username) DO UPDATE SET rows_done=?4,"
                        " created=?5, updated=?6, unchanged=?7, bad=?8, started_at=?9, at=?10,"
                        " finished_at=?11 WHERE ledger_imports.finished_at IS NOT NULL"
                        " AND ledger_imports.at=?12",
    /* and a chunk moves on only from where this run left it */
    [ST_IMPORT_STEP] = "UPDATE ledger_imports SET rows_done=?4, created=?5, updated=?6,"
                       " unchanged=?7, bad=?8, at=?10, finished_at=?11"
                       " WHERE digest=?1 AND kind=?2 AND username=?3 AND rows_done=?12"
                       " AND finished_at IS NULL",
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
    [ST_KEY_GET] = "SELECT {apikey} FROM api_keys"
                   " WHERE key_hash=?1 AND revoked_at IS NULL",
    [ST_KEY_LIST] = "SELECT {apikey} FROM api_keys"
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
                      " address=?8, lat=?9, lng=?10, active=?11, updated_at=?13, line=?14 WHERE id=?1",
    [ST_OBJ_INSERT] = "INSERT INTO objects(kind, code, name, grid, type, risk, address, lat, lng,"
                      " active, created_at, updated_at, line)"
                      " VALUES(?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
    [ST_OBJ_GET] = "SELECT {object} FROM objects WHERE id=?1",
    [ST_OBJ_BY_CODE] = "SELECT {object} FROM objects WHERE code=?1",
    [ST_SP_BEGIN] = "SAVEPOINT row",
    [ST_SP_RELEASE] = "RELEASE row",
    [ST_SP_ROLLBACK] = "ROLLBACK TO row",
};


sqlite3_stmt *sq_stmt(db_conn_t *c, int id)
{
    struct sq_conn *s = SQ(c);
    if (!s->st[id]) {
        const char *text = id < ST__CORE         ? sql[id]
                           : id < ST__PATROL_END ? sq_patrol_sql[id - ST__CORE]
                           : id < ST__TARGET_END ? sq_target_sql[id - ST__PATROL_END]
                           : id < ST__PROJECT_END ? sq_project_sql[id - ST__TARGET_END]
                           : id < ST__REPORT_END ? sq_report_sql[id - ST__PROJECT_END]
                           : id < ST__FILE_END ? sq_file_sql[id - ST__REPORT_END]
                                               : sq_notify_sql[id - ST__FILE_END];
        char *full = sq_expand(text);
        if (sqlite3_prepare_v3(s->h, full, -1, SQLITE_PREPARE_PERSISTENT, &s->st[id], NULL) != SQLITE_OK) {
            fprintf(stderr, "bihuan: SQL 预编译失败 (%d): %s\n", id, sqlite3_errmsg(s->h));
            abort(); /* the statements are constants: a programmer error */
        }
        free(full);
    }
    sqlite3_reset(s->st[id]);
    sqlite3_clear_bindings(s->st[id]);
    return s->st[id];
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

#define SQ_BUSY_WAIT_MS 10000

/*
 * Another process holds the write lock (the CLI importing a ledger while
 * the server runs, or the other way round): try again every millisecond,
 * for SQ_BUSY_WAIT_MS in all.  SQLite's own handler (busy_timeout) backs
 * off to a try every 100 ms, and a writer that commits in chunks with
 * short gaps between them - a ledger import - would take the lock again
 * before such a try: waits of seconds were measured (bench/import_wait.sh).
 */
static int busy_wait(void *arg, int tries)
{
    struct sq_conn *c = arg;
    struct timespec now, ms = {0, 1000000};
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (tries == 0)
        c->busy_since = now;
    else if ((now.tv_sec - c->busy_since.tv_sec) * 1000 +
                 (now.tv_nsec - c->busy_since.tv_nsec) / 1000000 >= SQ_BUSY_WAIT_MS)
        return 0;
    nanosleep(&ms, NULL);
    return 1;
}

/* Before SQLite starts: no global count of its memory, which took a
 * process-wide mutex around every allocation (7% of a bulk load in perf;
 * nothing here reads the count). */
static void sqlite_config(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static bh_status_t open_conn(const char *path, bool writer, struct sq_conn **out, bh_err_t *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct sq_conn *c = xcalloc(1, sizeof *c);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
    static const char pragmas[] =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
        " PRAGMA temp_store=MEMORY;";
    char *msg = NULL;

    /* Page cache: 64 MiB for the writer, 12 MiB per reader, to keep the
     * server's memory bounded (the OS caches the file as well): serve's
     * eight readers fill theirs at 10M cases (docs/BENCHMARKS.md, RSS). */
    pthread_once(&once, sqlite_config);
    if (sqlite3_open_v2(path, &c->h, flags, NULL) != SQLITE_OK ||
        sqlite3_busy_handler(c->h, busy_wait, c) != SQLITE_OK ||
        sqlite3_exec(c->h, pragmas, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(c->h, writer ? "PRAGMA cache_size=-65536" : "PRAGMA cache_size=-12288",
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
        if (v == 13 && version > 0) /* reads every case once */
            fprintf(stderr, "bihuan: 正在为已有案件建立统计汇总（一次性，每百万件约需一分钟）…\n");
        if (v == 20 && version > 0) /* rewrites the roll-ups in a new key order */
            fprintf(stderr, "bihuan: 正在按办结时段重排统计汇总（一次性，每百万件约需十秒）…\n");
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
    /* A bulk load cut short (sqlite_bulk.c) left figures and an index
     * without its cases. */
    int64_t unfinished = 1;
    if (sqlite3_prepare_v2(c->h, "SELECT count(*) FROM bulk_load", -1, &s, NULL) == SQLITE_OK)
        (void)one_value(s, 0, 1, &unfinished, NULL);
    sqlite3_finalize(s);
    if (unfinished)
        return bh_fail(err, BH_FAILED_PRECONDITION, "db",
                       "数据库 %s 的批量写入（生成演示数据）中途停止，统计汇总和检索索引不完整："
                       "请删除它重新生成", path);
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

    bool bulk = d->writer->bulk; /* as it was, if the batch does not commit */

    exec_or_die(h, "BEGIN IMMEDIATE");
    if (!batch->next) {
        /* One job alone needs no savepoint: it fails with its transaction.
         * Inside a savepoint, SQLite ends each statement by truncating the
         * in-memory statement journal back to the savepoint's mark, walking
         * its 1 KiB chunks from the start; the journal holds every page the
         * job changed, so a job writing thousands of cases (the demo, an
         * import chunk) spent 86% of its time in that walk (perf). */
        batch->st = batch->fn(&d->writer->base, batch->ctx, batch->err);
        if (batch->st != BH_OK) {
            fts_truncate(d->writer, 0);
            exec_or_die(h, "ROLLBACK");
            d->writer->bulk = bulk;
            return;
        }
    }
    for (struct job *j = batch->next ? batch : NULL; j; j = j->next) {
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
        d->writer->bulk = bulk;
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
        sqlite3_stmt *s = sq_stmt(&w->base, ST_FTS_INSERT);
        sqlite3_bind_int64(s, 1, w->fts[i].id);
        bind_text(s, 2, w->fts[i].title);
        bind_text(s, 3, w->fts[i].description);
        bind_text(s, 4, w->fts[i].address);
        ok = step_done(&w->base, s, NULL) == BH_OK;
    }
    fts_truncate(w, 0);
    return ok;
}

bh_status_t sq_savepoint(db_conn_t *c, int op)
{
    struct sq_conn *w = SQ(c);
    static const int q[] = {ST_SP_BEGIN, ST_SP_RELEASE, ST_SP_ROLLBACK};
    if (op >= DB_SP_ROW_BEGIN) /* a failed SQLite statement undoes itself alone */
        return op <= DB_SP_ROW_ROLLBACK ? BH_OK : BH_INTERNAL;
    if (op == DB_SP_BEGIN)
        w->sp_mark = w->nfts;
    if (step_done(c, sq_stmt(c, q[op]), NULL) != BH_OK) {
        fprintf(stderr, "bihuan: savepoint %d: %s\n", op, sqlite3_errmsg(w->h));
        return BH_INTERNAL;
    }
    if (op == DB_SP_ROLLBACK) {
        fts_truncate(w, w->sp_mark);
        /* ROLLBACK TO keeps the savepoint open; end it. */
        if (step_done(c, sq_stmt(c, ST_SP_RELEASE), NULL) != BH_OK)
            return BH_INTERNAL;
    }
    return BH_OK;
}

bh_status_t sq_analyze(db_conn_t *c)
{
    return sqlite3_exec(SQ(c)->h, "ANALYZE", NULL, NULL, NULL) == SQLITE_OK ? BH_OK : BH_INTERNAL;
}

bh_status_t sq_integrity_check(db_conn_t *c, arena_t *a, const char **result)
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

static bh_status_t sq_snapshot(db_conn_t *c, const char *path, bh_err_t *err)
{
    sqlite3_stmt *s;
    int rc;
    if (sqlite3_prepare_v2(SQ(c)->h, "VACUUM INTO ?1", -1, &s, NULL) != SQLITE_OK)
        return bh_fail(err, BH_INTERNAL, "", "数据库错误：%s", sqlite3_errmsg(SQ(c)->h));
    bind_text(s, 1, path);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return bh_fail(err, read_end(rc), "", "复制数据库失败：%s", sqlite3_errmsg(SQ(c)->h));
    return BH_OK;
}

static bh_status_t sq_config_get(db_conn_t *c, const char *kind, arena_t *a, const char **json,
                                 dt_ms_t *at, const char **by)
{
    sqlite3_stmt *s = sq_stmt(c, ST_CONFIG_GET);
    bh_status_t st;
    bind_text(s, 1, kind);
    if ((st = read_one(sqlite3_step(s))) == BH_OK) {
        *json = col_text(s, 0, a);
        *at = sqlite3_column_int64(s, 1);
        *by = col_text(s, 2, a);
    }
    sqlite3_reset(s);
    return st;
}

static bh_status_t sq_config_put(db_conn_t *c, const char *kind, const char *json, dt_ms_t at,
                                 const char *by)
{
    sqlite3_stmt *s = sq_stmt(c, ST_CONFIG_PUT);
    bind_text(s, 1, kind);
    bind_text(s, 2, json);
    sqlite3_bind_int64(s, 3, at);
    bind_text(s, 4, by);
    return step_done(c, s, NULL);
}

static bh_status_t sq_import_get(db_conn_t *c, const unsigned char digest[32], const char *kind,
                                 const char *username, db_import_t *out)
{
    sqlite3_stmt *s = sq_stmt(c, ST_IMPORT_GET);
    bh_status_t st;
    sqlite3_bind_blob(s, 1, digest, 32, SQLITE_STATIC);
    bind_text(s, 2, kind);
    bind_text(s, 3, username);
    if ((st = read_one(sqlite3_step(s))) == BH_OK) {
        memcpy(out->digest, digest, 32);
        out->kind = kind;
        out->username = username;
        out->rows_done = sqlite3_column_int64(s, 0);
        out->created = sqlite3_column_int64(s, 1);
        out->updated = sqlite3_column_int64(s, 2);
        out->unchanged = sqlite3_column_int64(s, 3);
        out->bad = sqlite3_column_int64(s, 4);
        out->started_at = sqlite3_column_int64(s, 5);
        out->at = sqlite3_column_int64(s, 6);
        out->finished_at = sqlite3_column_int64(s, 7);
    }
    sqlite3_reset(s);
    return st;
}

static bh_status_t sq_import_mark(db_conn_t *c, const db_import_t *r, int64_t expect,
                                  dt_ms_t expect_at, bool *won)
{
    sqlite3_stmt *s = sq_stmt(c, expect < 0 ? ST_IMPORT_START : ST_IMPORT_STEP);
    bh_status_t st;
    sqlite3_bind_blob(s, 1, r->digest, 32, SQLITE_STATIC);
    bind_text(s, 2, r->kind);
    bind_text(s, 3, r->username);
    sqlite3_bind_int64(s, 4, r->rows_done);
    sqlite3_bind_int64(s, 5, r->created);
    sqlite3_bind_int64(s, 6, r->updated);
    sqlite3_bind_int64(s, 7, r->unchanged);
    sqlite3_bind_int64(s, 8, r->bad);
    sqlite3_bind_int64(s, 9, r->started_at);
    sqlite3_bind_int64(s, 10, r->at);
    bind_ms(s, 11, r->finished_at);
    sqlite3_bind_int64(s, 12, expect >= 0 ? expect : expect_at);
    st = step_done(c, s, NULL);
    *won = st == BH_OK && sqlite3_changes(SQ(c)->h) == 1;
    return st;
}

static const struct db_ops sqlite_ops = {
    .close = sq_close,
    .reader = sq_reader,
    .reader_done = sq_reader_done,
    .write = sq_write,
    .lease = sq_lease,
    .lease_release = sq_lease_release,
    .integrity_check = sq_integrity_check,
    .analyze = sq_analyze,
    .savepoint = sq_savepoint,
    .snapshot = sq_snapshot,
    .bulk_begin = sq_bulk_begin,
    .bulk_fill = sq_bulk_fill,
    .bulk_end = sq_bulk_end,
    .config_get = sq_config_get,
    .config_put = sq_config_put,
    .import_get = sq_import_get,
    .import_mark = sq_import_mark,
};

static const struct db_registry_ops sqlite_registry = {
    .unit_put = sq_unit_put,
    .unit_get = sq_unit_get,
    .unit_find = sq_unit_find,
    .unit_list = sq_unit_list,
    .category_put = sq_category_put,
    .catver_list = sq_catver_list,
    .catver_add = sq_catver_add,
    .geometry_put = sq_geometry_put,
    .geometry_get = sq_geometry_get,
    .geometry_candidates = sq_geometry_candidates,
    .object_put = sq_object_put,
    .object_get = sq_object_get,
    .object_by_code = sq_object_by_code,
    .object_list = sq_object_list,
};

static const struct db_auth_ops sqlite_auth = {
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
    .apikey_put = sq_apikey_put,
    .apikey_get = sq_apikey_get,
    .apikey_list = sq_apikey_list,
    .apikey_revoke = sq_apikey_revoke,
    .apikey_touch = sq_apikey_touch,
};

static const struct db_case_ops sqlite_cases = {
    .case_insert = sq_case_insert,
    .case_lookup_key = sq_case_lookup_key,
    .case_get = sq_case_get,
    .case_update = sq_case_update,
    .case_list = sq_case_list,
    .event_add = sq_event_add,
    .event_lists = sq_event_lists,
    .event_list = sq_event_list,
    .clocks_put = sq_clocks_put,
    .clocks_get = sq_clocks_get,
    .sweep_due = sq_sweep_due,
    .case_quarantine = sq_case_quarantine,
    .counts = sq_counts,
    .counts_add = sq_counts_add,
    .stats = sq_stats,
    .stats_rebuild = sq_stats_rebuild,
    .events_between = sq_events_between,
};

static const struct db_audit_ops sqlite_audit = {
    .audit_append = sq_audit_append,
    .audit_walk = sq_audit_walk,
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
    d->base.registry = &sqlite_registry;
    d->base.auth = &sqlite_auth;
    d->base.cases = &sqlite_cases;
    d->base.audit = &sqlite_audit;
    d->base.patrol = &sq_patrol_ops;
    d->base.target = &sq_target_ops;
    d->base.project = &sq_project_ops;
    d->base.report = &sq_report_ops;
    d->base.files = &sq_file_ops;
    d->base.notify = &sq_notify_ops;
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

