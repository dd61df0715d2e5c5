/*
 * sqlite_int.h - what the SQLite back-end's files share: the connection
 * and database structs, the cached-statement table's ids, small binding
 * and stepping helpers, and the operations each file implements for the
 * ops table in db_sqlite.c.  Not for use outside src/store/.
 *
 *   db_sqlite.c       connections, migrations, group commit, the reader pool,
 *                     savepoints, the ops table
 *   sqlite_cases.c    cases, history, clocks, the sweep's schedule, counts,
 *                     lists (search, cursors) and statistics
 *   sqlite_registry.c units, users and sessions, categories, polygons, API
 *                     keys, managed objects
 *   sqlite_audit.c    the audit log and leases
 */
#ifndef BH_SQLITE_INT_H
#define BH_SQLITE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <sqlite3.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/dynbuf.h"
#include "util/xmalloc.h"

/* ---- cached statements ---- */

/* A close day's 16-day bucket, case_rollup.cb (-1: not closed), in SQL
 * and its width in C: migration 21's, which cannot change without a
 * migration. */
#define ROLLUP_CB(day) "CASE WHEN " day " < 0 THEN -1 ELSE " day " / 16 END"
#define ROLLUP_CB_DAYS 16

/* The sums of a group of roll-up rows, named as the columns. */
#define ROLLUP_SUM_COLS                                                                 \
    "sum(n) AS n, sum(reg) AS reg, sum(ot) AS ot, sum(hd) AS hd, sum(rw) AS rw,"         \
    " sum(rt) AS rt, sum(sat) AS sat, sum(hms) AS hms, sum(hn) AS hn"

/* case_rollup_done's rows, from case_rollup's (migration 21). */
#define ROLLUP_DONE_SUMS                                                                \
    "SELECT node, dim, day, val, cb, " ROLLUP_SUM_COLS                                   \
    " FROM case_rollup WHERE cb >= 0 GROUP BY node, dim, day, val, cb"

/* The roll-up rows of a group of contributions (migration 14). */
#define ROLLUP_SUMS                                                                     \
    "node, dim, day, val, due_day, close_day, sum(n), sum(reg), sum(ot), sum(hd), sum(rw)," \
    " sum(rt), sum(sat), sum(hms), sum(hn)"


enum {
    ST_UNIT_PUT, ST_UNIT_GET, ST_UNIT_FIND, ST_UNIT_CHILDREN, ST_UNIT_ALL,
    ST_USER_PUT, ST_USER_GET, ST_USER_LIST, ST_USER_COUNT,
    ST_SESSION_PUT, ST_SESSION_GET, ST_SESSION_DEL, ST_SESSION_TOUCH, ST_SESSION_DEL_USER,
    ST_SESSION_PURGE,
    ST_CATEGORY_PUT, ST_CATVER_LIST, ST_CATVER_ADD,
    ST_CASE_INSERT, ST_FTS_INSERT, ST_CASE_BY_IDEM,
    ST_CASE_BY_EXT, ST_CASE_GET, ST_CASE_UPDATE,
    ST_EVENT_ADD, ST_EVENT_LIST, ST_EVENT_LISTS, ST_CLOCK_DEL, ST_CLOCK_PUT, ST_CLOCK_GET,
    ST_SWEEP, ST_QUARANTINE, ST_UNSCHEDULE, ST_LEASE, ST_LEASE_FREE, ST_COUNTS, ST_COUNTS_ADD,
    ST_GEOM_PUT, ST_GEOM_ROWID, ST_RTREE_PUT, ST_GEOM_GET, ST_GEOM_CAND,
    ST_KEY_PUT, ST_KEY_GET, ST_KEY_LIST, ST_KEY_REVOKE, ST_KEY_TOUCH,
    ST_AUDIT_LAST, ST_AUDIT_PUT,
    ST_OBJ_INSERT, ST_OBJ_UPDATE, ST_OBJ_GET, ST_OBJ_BY_CODE,
    ST_SP_BEGIN, ST_SP_RELEASE, ST_SP_ROLLBACK, ST_CONFIG_GET, ST_CONFIG_PUT,
    ST_IMPORT_GET, ST_IMPORT_START, ST_IMPORT_STEP,
    ST__CORE, /* the statements above are in db_sqlite.c, the ones below in sqlite_patrol.c */
    ST_PATROL_INSERT = ST__CORE, ST_PATROL_BY_CLIENT, ST_PATROL_GET, ST_VISITS_ALL, ST_VISITS_OBJECT,
    ST_HAZARD_INSERT, ST_HAZARD_GET, ST_HAZARD_UPDATE, ST_RISK_PUT,
    ST__PATROL_END, /* the statements below are in sqlite_target.c */
    ST_TARGET_ADD = ST__PATROL_END, ST_TARGET_LIST, ST_ACTUAL_ADD, ST_ACTUAL_LIST, ST_AWARD_ADD,
    ST_FLAG_ADD, ST_FLAG_LIST,
    ST__TARGET_END, /* the statements below are in sqlite_project.c */
    ST_PRJ_ADD = ST__TARGET_END, ST_PRJ_UPDATE, ST_PRJ_GET, ST_PRJ_LIST, ST_MS_ADD, ST_MS_DONE,
    ST_MS_LIST, ST_AMOUNT_ADD, ST_AMOUNT_LIST, ST_LOG_ADD, ST_LOG_LIST, ST_LOG_LATEST,
    ST__PROJECT_END, /* the statements below are in sqlite_report.c */
    ST_REPORT_ADD = ST__PROJECT_END, ST_REPORT_GET, ST_REPORT_LIST, ST_SCHED_ADD, ST_SCHED_LIST,
    ST_SCHED_ADVANCE, ST_SCHED_STOP,
    ST__REPORT_END, /* the statements below are in sqlite_files.c */
    ST_FILE_ADD = ST__REPORT_END, ST_FILE_GET, ST_FILE_LIST_CASE, ST_FILE_LIST_PATROL, ST_FILE_BIND,
    ST_FILE_DIGESTS,
    ST__FILE_END, /* the statements below are in sqlite_notify.c */
    ST_NOTE_ADD = ST__FILE_END, ST_NOTE_DUE, ST_NOTE_LEASE, ST_NOTE_FINISH, ST_NOTE_GET,
    ST_NOTE_LIST, ST_NOTE_RETRY, ST_NOTE_COUNTS,
    ST__COUNT
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
    struct timespec busy_since; /* when the current wait for another process's lock began */
    /* Writer only: FTS rows of the current batch.  FTS5 flushes its
     * pending index data whenever a savepoint is released, so indexing
     * inside each job's savepoint wrote one tiny segment per request and
     * made intake slow down as the index grew; the batch indexes its new
     * cases once, just before COMMIT. */
    struct fts_row *fts;
    int nfts, capfts;
    int sp_mark; /* nfts when the row savepoint began */
    bool bulk;   /* a bulk load runs: its cases are indexed by bulk_fill */
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


/* The cached statement 'id' of this connection, reset and unbound. */
sqlite3_stmt *sq_stmt(db_conn_t *c, int id);

static inline void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Bind an instant, with 0 meaning NULL. */
static inline void bind_ms(sqlite3_stmt *s, int i, int64_t v)
{
    if (v)
        sqlite3_bind_int64(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

static inline const char *col_text(sqlite3_stmt *s, int i, arena_t *a)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(s, i)) : NULL;
}

static inline double col_real_or(sqlite3_stmt *s, int i, double dflt)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? dflt : sqlite3_column_double(s, i);
}

static inline void bind_real_or_null(sqlite3_stmt *s, int i, bool have, double v)
{
    if (have)
        sqlite3_bind_double(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

/* The status of a read that has stepped to its end: SQLITE_DONE is OK;
 * anything else (a busy or broken database, an interrupted read) is an
 * error the caller must see, never a short answer. */
static inline bh_status_t read_end(int rc)
{
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? BH_OK
           : rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_INTERRUPT ? BH_UNAVAILABLE
                                                                              : BH_INTERNAL;
}

/* The status of a one-row read after its first step. */
static inline bh_status_t read_one(int rc)
{
    return rc == SQLITE_ROW ? BH_OK : rc == SQLITE_DONE ? BH_NOT_FOUND : read_end(rc);
}

static inline bh_status_t step_done(db_conn_t *c, sqlite3_stmt *s, bh_err_t *err)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return BH_OK;
    if (rc == SQLITE_CONSTRAINT) {
        /* Only a taken unique key is the caller's conflict; any other
         * constraint (a foreign key, NOT NULL) is a bug in the layers above. */
        int x = sqlite3_extended_errcode(SQ(c)->h);
        if (x == SQLITE_CONSTRAINT_UNIQUE || x == SQLITE_CONSTRAINT_PRIMARYKEY)
            return bh_fail(err, BH_CONFLICT, "", "数据已存在（重复的编号或名称）");
        return bh_fail(err, BH_INTERNAL, "", "数据库约束错误：%s", sqlite3_errmsg(SQ(c)->h));
    }
    return bh_fail(err, BH_INTERNAL, "", "数据库错误：%s", sqlite3_errmsg(SQ(c)->h));
}

/* step_done for an INSERT; on success *id is the new row's id. */
static inline bh_status_t step_insert(db_conn_t *c, sqlite3_stmt *s, int64_t *id, bh_err_t *err)
{
    bh_status_t st = step_done(c, s, err);
    if (st == BH_OK)
        *id = sqlite3_last_insert_rowid(SQ(c)->h);
    return st;
}

/* ---- rows from column tables ----
 *
 * A row type's columns are one table (sq_map_t): each column's expression
 * in the SELECT list, how to read it and the field it fills.  A statement
 * writes "{name}" - or "{name:alias}" for alias.column - where the table's
 * SELECT list goes; sq_stmt and prepare_built put it in (sq_expand), and
 * sq_row reads a result row back through the same table, so a SELECT list
 * and the code that reads it cannot disagree on the order.  Columns a
 * statement selects after the list are read from index map->n on.
 */
typedef enum {
    SQ_TEXT,    /* const char *, NULL for NULL (copied into the arena; without
                   one, borrowed from the statement until its next step) */
    SQ_HASH,    /* unsigned char[32], left as it is unless 32 bytes */
    SQ_I64,     /* int64_t (ids, versions, instants never NULL) */
    SQ_INT,     /* int, 0 for NULL */
    SQ_BOOL,    /* bool: neither 0 nor NULL */
    SQ_MS,      /* dt_ms_t, 0 for NULL */
    SQ_REAL,    /* double, 0 for NULL */
    SQ_REAL_M1, /* double, -1 for NULL (not stated) */
    SQ_TRI,     /* int, -1 for NULL */
    SQ_STATE,   /* case_state_t by name, CASE_ST_NONE when unknown */
    SQ_LIGHT,   /* sla_light_t by name, SLA_LIGHT_NONE when unknown */
    SQ_ACTION,  /* case_action_t by name, CASE_ACT_REPORT when unknown */
    SQ_ROLE,    /* bh_role_t by name, ROLE_PUBLIC when unknown */
} sq_type_t;

typedef struct {
    const char *expr;
    sq_type_t type;
    size_t off; /* of the field in the row struct */
} sq_col_t;

typedef struct {
    const char *name;
    const sq_col_t *cols;
    int n;
} sq_map_t;

/* A column named like its field, and one with an expression of its own. */
#define SQ_COL(T, field, type) {#field, SQ_##type, offsetof(T, field)}
#define SQ_EXPR(expr, T, field, type) {expr, SQ_##type, offsetof(T, field)}
#define SQ_MAP(name, cols) {name, cols, (int)(sizeof(cols) / sizeof((cols)[0]))}

/* The tables, one per row type, beside the statements of their aggregate. */
extern const sq_map_t sq_map_unit, sq_map_user, sq_map_apikey, sq_map_object, sq_map_case,
    sq_map_event, sq_map_clock, sq_map_patrol, sq_map_visit, sq_map_hazard, sq_map_risk,
    sq_map_project, sq_map_milestone, sq_map_amount, sq_map_log, sq_map_report,
    sq_map_report_full, sq_map_schedule, sq_map_target, sq_map_actual, sq_map_flag,
    sq_map_audit, sq_map_catver, sq_map_attachment,
    sq_map_notice;

/* An SLA light by its name; SLA_LIGHT_NONE for NULL or an unknown one. */
int sq_light_from_name(const char *s);

/* Fill *out (a struct of the table's type) from the current row of s;
 * text into 'a', or borrowed from s when a is NULL. */
void sq_row(sqlite3_stmt *s, arena_t *a, const sq_map_t *m, void *out);

/* 'sql' with every {name} or {name:alias} replaced by that table's SELECT
 * list (malloc'd); an unknown name is a programmer error (abort). */
char *sq_expand(const char *sql);

/* Step 's' once: map the row into *out (zeroed first) with the table 'map',
 * the read's status (read_one: not-found or a failure) to 'st'; reset 's'. */
#define ONE_ROW(s, a, out, map, st)                                            \
    do {                                                                       \
        if (((st) = read_one(sqlite3_step(s))) == BH_OK) {                     \
            memset((out), 0, sizeof *(out));                                   \
            sq_row((s), (a), (map), (out));                                    \
        }                                                                      \
        sqlite3_reset(s);                                                      \
    } while (0)

/* Step 's' to its end, mapping each row into a growing arena array; the
 * read's status goes to 'st' (an error leaves the rows read so far). */
#define COLLECT(s, a, out, n, T, map, st)                                    \
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
            sq_row((s), (a), (map), &arr_[(*(n))++]);                          \
        }                                                                      \
        (st) = read_end(rc_);                                                  \
        sqlite3_reset(s);                                                      \
        *(out) = arr_;                                                         \
    } while (0)

/* The id the statement finds (0: none) and the read's status. */
static inline bh_status_t one_id(sqlite3_stmt *s, int64_t *id)
{
    bh_status_t st = read_one(sqlite3_step(s));
    *id = st == BH_OK ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return st == BH_NOT_FOUND ? BH_OK : st;
}

/* The integer a statement with one parameter reads ('dflt' for no row or
 * NULL); the statement is reset before, not after (a reader's snapshot
 * lasts while it is on a row). */
static inline bh_status_t one_value(sqlite3_stmt *s, int64_t arg, int64_t dflt, int64_t *v,
                                    bh_err_t *err)
{
    int rc;
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, arg);
    rc = sqlite3_step(s);
    *v = rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL ? sqlite3_column_int64(s, 0)
                                                                       : dflt;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return BH_OK;
    return bh_fail(err, read_end(rc), "", "查询未读完：%s", sqlite3_errstr(rc));
}

/* Run 'sql' (statements); on failure, say which step ('what') failed. */
static inline bh_status_t exec_what(sqlite3 *h, const char *sql, const char *what, bh_err_t *err)
{
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) == SQLITE_OK)
        return BH_OK;
    bh_fail(err, BH_INTERNAL, "", "%s失败：%s", what, msg ? msg : sqlite3_errmsg(h));
    sqlite3_free(msg);
    return BH_INTERNAL;
}

/* One integer a query of at most one parameter answers (0 for NULL). */
static inline bh_status_t one_int(sqlite3 *h, const char *sql, int64_t arg, int64_t *v,
                                  bh_err_t *err)
{
    sqlite3_stmt *s;
    bh_status_t st;
    if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK)
        return bh_fail(err, BH_INTERNAL, "", "查询出错：%s", sqlite3_errmsg(h));
    st = one_value(s, arg, 0, v, err);
    sqlite3_finalize(s);
    return st;
}

/* ---- list and statistics: SQL assembled from fixed fragments ---- */

/* The exclusive upper bound of strings starting with 'p'. */
static inline char *prefix_end(arena_t *a, const char *p)
{
    size_t n = strlen(p);
    char *e = arena_strndup(a, p, n);
    if (n > 0)
        e[n - 1] = (char)(e[n - 1] + 1);
    return e;
}

static inline void bind_name_text(sqlite3_stmt *s, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i)
        bind_text(s, i, v);
}

static inline void bind_name_int(sqlite3_stmt *s, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i)
        sqlite3_bind_int64(s, i, v);
}

/* SQL assembled from fixed fragments goes into a capped buffer: a query
 * that does not fit is refused whole (a dropped jurisdiction term would
 * widen it), never run with a fragment missing. */
#define SQL_MAX 16384

static inline void add(dynbuf_t *b, const char *frag)
{
    (void)dynbuf_addstr(b, frag); /* a refusal is sticky: checked at prepare */
}

/* Prepare the assembled query; BH_INTERNAL if it overflowed or SQLite
 * refused it.  Frees the buffer either way. */
static inline bh_status_t prepare_built(db_conn_t *c, dynbuf_t *b, sqlite3_stmt **s, bh_err_t *err)
{
    bh_status_t st = BH_OK;
    if (dynbuf_failed(b))
        st = bh_fail(err, BH_INTERNAL, "", "查询条件过长（超过 %d 字节）", SQL_MAX);
    else {
        char *sql = sq_expand(dynbuf_str(b));
        if (sqlite3_prepare_v2(SQ(c)->h, sql, -1, s, NULL) != SQLITE_OK)
            st = bh_fail(err, BH_INTERNAL, "", "查询出错：%s", sqlite3_errmsg(SQ(c)->h));
        free(sql);
    }
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
static inline void add_scope(dynbuf_t *b, const char *col, const char *name, const db_scope_t *sc,
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

static inline void bind_scope(sqlite3_stmt *s, const char *name, const db_scope_t *sc, arena_t *a)
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


static inline int64_t col_ms(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, i);
}

/* ---- the operations (the ops table is in db_sqlite.c) ---- */

bh_status_t sq_unit_put(db_conn_t *c, const db_unit_t *u, bh_err_t *err);
bh_status_t sq_unit_get(db_conn_t *c, const char *code, arena_t *a, db_unit_t *out);
bh_status_t sq_unit_find(db_conn_t *c, const char *name, const char *type, arena_t *a,
                                db_unit_t *out);
bh_status_t sq_unit_list(db_conn_t *c, const char *parent, arena_t *a, db_unit_t **out,
                                int *n);
bh_status_t sq_user_put(db_conn_t *c, const db_user_t *u, bh_err_t *err);
bh_status_t sq_user_get(db_conn_t *c, const char *username, arena_t *a, db_user_t *out);
bh_status_t sq_user_list(db_conn_t *c, arena_t *a, db_user_t **out, int *n);
bh_status_t sq_user_count(db_conn_t *c, int64_t *n);
bh_status_t sq_session_put(db_conn_t *c, const unsigned char hash[32], int64_t user_id,
                                  dt_ms_t created, dt_ms_t expires);
bh_status_t sq_session_get(db_conn_t *c, const unsigned char hash[32], dt_ms_t now,
                                  dt_ms_t idle_since, arena_t *a, db_user_t *out,
                                  dt_ms_t *last_used);
bh_status_t sq_session_del(db_conn_t *c, const unsigned char hash[32]);
bh_status_t sq_session_touch(db_conn_t *c, const unsigned char hash[32], dt_ms_t at);
bh_status_t sq_session_del_user(db_conn_t *c, int64_t user_id);
bh_status_t sq_session_purge(db_conn_t *c, dt_ms_t now, dt_ms_t idle_since, int64_t *n);
bh_status_t sq_category_put(db_conn_t *c, const char *code, const char *name,
                                   const char *kind, const char *parent, const char *policy);
bh_status_t sq_catver_list(db_conn_t *c, int after, arena_t *a, db_catver_t **out, int *n);
bh_status_t sq_catver_add(db_conn_t *c, const db_catver_t *v);
bh_status_t sq_case_insert(db_conn_t *c, db_case_t *k, bh_err_t *err);
bh_status_t sq_case_lookup_key(db_conn_t *c, const char *idem, const char *source,
                                      const char *external_id, int64_t *id);
bh_status_t sq_case_get(db_conn_t *c, int64_t id, arena_t *a, db_case_t *out);
bh_status_t sq_case_update(db_conn_t *c, const db_case_t *k, int64_t read_version,
                                  bh_err_t *err);
bh_status_t sq_case_list(db_conn_t *c, const db_case_filter_t *f, arena_t *a,
                                db_case_t **out, int *n, const char **next_cursor, bh_err_t *err);
/* The filters of a case list as " AND ..." terms on cases (with fts, the
 * FTS5 expression's as well, unless relevance orders), their parameters
 * bound, and the cursor naming the row (sort key, id) of a page's last. */
void sq_case_filters(dynbuf_t *b, const db_case_filter_t *f, const char *fts);
void sq_case_filters_bind(sqlite3_stmt *s, const db_case_filter_t *f, const char *fts, arena_t *a);
const char *sq_case_cursor(arena_t *a, int sort, int64_t key, int64_t id);
/* sqlite_search.c: a search newest first walked down the postings, with
 * the filtered cases probed for the words when the walk is long. */
bh_status_t sq_search_newest(db_conn_t *c, const db_case_filter_t *f, const char *fts,
                             int64_t ck, int64_t cid, arena_t *a, db_case_t **out, int *n,
                             const char **next_cursor, bh_err_t *err);
bh_status_t sq_event_add(db_conn_t *c, int64_t case_id, int seq, const case_event_t *e);
bh_status_t sq_event_list(db_conn_t *c, int64_t case_id, arena_t *a, case_event_t **out,
                                 int *n);
bh_status_t sq_event_lists(db_conn_t *c, const int64_t *ids, int n, arena_t *a,
                           case_event_t **out, int *nout);
bh_status_t sq_clocks_put(db_conn_t *c, int64_t case_id, const db_clock_t *k, int n,
                                 bool fresh);
bh_status_t sq_clocks_get(db_conn_t *c, int64_t case_id, arena_t *a, db_clock_t **out,
                                 int *n);
bh_status_t sq_sweep_due(db_conn_t *c, dt_ms_t now, int limit, int64_t *ids, int *n);
bh_status_t sq_case_quarantine(db_conn_t *c, int64_t id, dt_ms_t at, const char *reason);
bh_status_t sq_lease(db_conn_t *c, const char *name, const char *holder, dt_ms_t now,
                            int64_t ttl_ms, bool *held);
bh_status_t sq_lease_release(db_conn_t *c, const char *name, const char *holder);
bh_status_t sq_counts(db_conn_t *c, int64_t out[CASE_ST__COUNT][SLA_LIGHT_OVERDUE + 1]);
bh_status_t sq_counts_add(db_conn_t *c, case_state_t st, sla_light_t l, int delta);
/* sqlite_stats.c */
bh_status_t sq_stats(db_conn_t *c, const db_stats_query_t *q, arena_t *a,
                            db_stats_row_t **rows, int *n, bh_err_t *err);
bh_status_t sq_stats_rebuild(db_conn_t *c, int64_t *rows, int64_t *differed, bh_err_t *err);
bh_status_t sq_integrity_check(db_conn_t *c, arena_t *a, const char **result);
bh_status_t sq_analyze(db_conn_t *c);
/* sqlite_bulk.c */
bh_status_t sq_bulk_begin(db_conn_t *c, int64_t *first, bh_err_t *err);
bh_status_t sq_bulk_fill(db_conn_t *c, int64_t lo, int64_t hi, bh_err_t *err);
bh_status_t sq_bulk_end(db_conn_t *c, db_bulk_check_t *out, bh_err_t *err);
bh_status_t sq_geometry_put(db_conn_t *c, const char *unit, const char *geojson,
                                   const double bbox[4], bh_err_t *err);
bh_status_t sq_geometry_get(db_conn_t *c, const char *unit, arena_t *a, const char **geojson);
bh_status_t sq_geometry_candidates(db_conn_t *c, double lng, double lat, arena_t *a,
                                          const char ***units, const char ***geojson, int *n);
bh_status_t sq_apikey_put(db_conn_t *c, const char *name, const unsigned char hash[32],
                                 const char *role, const char *unit, dt_ms_t created, bh_err_t *err);
bh_status_t sq_apikey_get(db_conn_t *c, const unsigned char hash[32], arena_t *a,
                                 db_apikey_t *out);
bh_status_t sq_apikey_list(db_conn_t *c, arena_t *a, db_apikey_t **out, int *n);
bh_status_t sq_apikey_revoke(db_conn_t *c, const char *name, dt_ms_t at);
bh_status_t sq_apikey_touch(db_conn_t *c, int64_t id, dt_ms_t at);
bh_status_t sq_events_between(db_conn_t *c, dt_ms_t from, dt_ms_t to, bool published,
                              int limit, arena_t *a, db_event_row_t **out, int *n);
bh_status_t sq_savepoint(db_conn_t *c, int op);
bh_status_t sq_audit_append(db_conn_t *c, db_audit_t *row, db_audit_hash_fn hash,
                                   void *ctx);
bh_status_t sq_audit_walk(db_conn_t *c, db_audit_fn fn, void *ctx);
bh_status_t sq_object_put(db_conn_t *c, db_object_t *o, bh_err_t *err);
bh_status_t sq_object_get(db_conn_t *c, int64_t id, arena_t *a, db_object_t *out);
bh_status_t sq_object_by_code(db_conn_t *c, const char *code, arena_t *a, db_object_t *out);
bh_status_t sq_object_list(db_conn_t *c, const db_object_filter_t *f, arena_t *a,
                                  db_object_t **out, int *n);

/* sqlite_patrol.c: its statements and its operations table */
extern const char *const sq_patrol_sql[ST__PATROL_END - ST__CORE];
extern const struct db_patrol_ops sq_patrol_ops;
extern const char *const sq_target_sql[ST__TARGET_END - ST__PATROL_END];
extern const struct db_target_ops sq_target_ops;
extern const char *const sq_project_sql[ST__PROJECT_END - ST__TARGET_END];
extern const struct db_project_ops sq_project_ops;
extern const char *const sq_report_sql[ST__REPORT_END - ST__PROJECT_END];
extern const struct db_report_ops sq_report_ops;
extern const char *const sq_file_sql[ST__FILE_END - ST__REPORT_END];
extern const struct db_file_ops sq_file_ops;
extern const char *const sq_notify_sql[ST__COUNT - ST__FILE_END];
extern const struct db_notify_ops sq_notify_ops;

#endif
