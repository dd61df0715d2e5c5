/*
 * db.h - the storage layer: one opaque handle with a small table of
 * operations (lwan's database.h is the model), so that a PostgreSQL
 * back-end (db_pg.c) can sit beside db_sqlite.c without touching callers.
 * Callers never include a database library's header and never write SQL.
 *
 * Connections.  Every operation runs on a db_conn_t.  Reads take one from
 * the pool (db_reader, which can time out / db_reader_done).  Writes happen only inside
 * db_write(): the function passed runs on the single writer connection,
 * inside a transaction shared with other concurrent writes (group commit:
 * one fsync for the whole batch); db_write returns once the batch is
 * durably committed, or with the function's error after its changes were
 * rolled back (other writes of the batch are unaffected).
 *
 * Memory.  Strings and arrays returned by operations are allocated in the
 * caller's arena and live as long as it.
 */
#ifndef BH_DB_H
#define BH_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/case.h"
#include "core/metric.h"
#include "core/sla.h"
#include "core/unitcode.h"
#include "util/arena.h"
#include "util/status.h"

typedef struct db db_t;
typedef struct db_conn db_conn_t;

/*
 * A unit filter: the unit itself, or with 'subtree' every code extending
 * it.  Built by db_scope() from the one jurisdiction rule
 * (core/unitcode.h): a department is itself only, a numeric unit its
 * subtree.  A zeroed scope (code NULL) means "any unit".
 */
typedef struct {
    const char *code;
    bool subtree;
} db_scope_t;

static inline db_scope_t db_scope(const char *code)
{
    db_scope_t s = {code, unit_scope_is_subtree(code)};
    return s;
}

/* ---- rows ---- */

typedef struct {
    const char *code, *parent, *name, *type; /* type: district street community grid department */
    bool active;
} db_unit_t;

typedef struct {
    int64_t id;
    const char *username, *role, *unit, *display_name, *phone, *pwhash;
    bool active;
    int64_t object_id; /* an enterprise account's managed object, 0 for others */
} db_user_t;

/* A case as stored: the event-derived fields are a cache of the history. */
typedef struct {
    int64_t id;
    const char *category, *kind, *title, *description, *source, *urgency;
    const char *unit, *handling_unit, *address;
    bool has_location;
    double lat, lng;
    const char *reporter_name, *reporter_phone, *created_by;
    const char *external_id, *idempotency_key;
    dt_ms_t created_at, updated_at;
    int64_t version;
    case_state_t status;
    sla_light_t light;
    dt_ms_t next_change;             /* 0: nothing pending */
    int supervised, rework_count, return_count, rating;
    dt_ms_t registered_at, dispatched_at, handled_at, closed_at, due_at;
    int on_time;                     /* -1 unknown, 0 late, 1 on time */
    const char *attributes;          /* JSON object of extra fields, or NULL */
    const char *media_url;
    const char *contact;             /* JSON: email, device_id, account_id, names */
    bool published;                  /* anyone may read it (Open311): derived */
    bool reopen_requested;           /* a reopen request awaits an operator: derived */
    int policy_version;              /* the categories version it was reported under */
} db_case_t;

typedef struct {
    int64_t id;
    const char *name, *role, *unit;
    dt_ms_t created_at, last_used_at, revoked_at; /* 0 = never */
} db_apikey_t;

typedef struct {
    const char *name;
    dt_ms_t started_at, deadline, stopped_at; /* 0 when not applicable */
    sla_light_t light;
} db_clock_t;

/* Filters of GET /api/v1/cases; NULL / 0 means "any". */
typedef struct {
    db_scope_t unit;             /* where it happened: this unit or its subtree */
    const char *handling_unit;   /* exact */
    db_scope_t visible;          /* jurisdiction: unit or handling unit in this scope */
    const char *created_by;      /* only cases this user reported */
    int status;                  /* case_state_t or -1 */
    int open;                    /* 1: open states only, 2: closed or rejected only */
    bool supervised;             /* only cases under supervision (督办) */
    const char *const *categories; /* exact codes, ORed; ncategories <= DB_MAX_IN */
    int ncategories;
    int offset;                  /* rows to skip (page-numbered clients) */
    const char *category;        /* the category or its subclasses (prefix) */
    const char *source;
    bool published;              /* only the cases anyone may read */
    bool reopen_requested;       /* only the cases whose reporter asks to reopen */
    int light;                   /* sla_light_t or -1 */
    const char *search;          /* the user's words: every whitespace-separated term
                                    must occur (as a phrase); the back-end builds its
                                    own query (BH_INVALID_ARGUMENT "q" if none can) */
    dt_ms_t from, to;            /* created_at in [from, to) */
    int sort;                    /* DB_SORT_* */
    const char *cursor;          /* a next_cursor case_list returned, untouched; NULL: first page */
    int limit;
    bool scan;                   /* search by reading every match (the reference for
                                    tests; the back-end may otherwise take a shorter way) */
    int walk_budget;             /* matches a newest-first search reads before it tries
                                    probing the filtered cases, cases it probes before it
                                    walks on, and the newest matches a relevance order
                                    ranks; 0: the back-end's defaults (and a limit on
                                    the probing's work), < 0: no limit (tests) */
} db_case_filter_t;

#define DB_MAX_IN 64

/* A managed object. */
typedef struct {
    int64_t id;
    const char *kind, *code, *name, *grid, *type, *risk, *address;
    const char *line; /* a river or forest section: JSON [[lng,lat],...] or NULL */
    bool has_location, active;
    double lat, lng;
    dt_ms_t created_at, updated_at;
} db_object_t;

typedef struct {
    const char *kind, *risk, *type;
    db_scope_t grid;  /* the grid, or every grid of a unit's subtree */
    int64_t after_id; /* cursor: ids below this, newest first */
    int limit;        /* <= 0: all */
} db_object_filter_t;

/* One row of the audit log: row 'seq' of chain 'lane'. */
typedef struct {
    int lane;
    int64_t seq;
    dt_ms_t at;
    const char *actor, *action, *object, *detail;
    unsigned char prev_hash[32], hash[32];
} db_audit_t;

typedef bh_status_t (*db_audit_fn)(const db_audit_t *row, void *ctx);
/* Fills row->hash from the row with its lane, seq and prev_hash set. */
typedef bh_status_t (*db_audit_hash_fn)(db_audit_t *row, void *ctx);

/* One history entry with its case, for change feeds. */
typedef struct {
    int64_t case_id;
    int seq;
    case_event_t ev;
} db_event_row_t;

enum { DB_SORT_CREATED_DESC, DB_SORT_CREATED_ASC, DB_SORT_UPDATED_DESC,
       DB_SORT_UPDATED_ASC, DB_SORT_RELEVANCE };

/* Figures of GET /api/v1/stats/cases for one group: the counts of
 * core/metric.h (its registry says what each means). */
typedef struct {
    const char *key, *name;
    case_figures_t f;
} db_stats_row_t;

typedef struct {
    db_scope_t unit; /* a subtree: cases there; a department: also cases handed to it */
    dt_ms_t from, to, as_of;
    int group_by; /* DB_GROUP_* */
    int key_len;  /* with DB_GROUP_UNIT: the length of the group's code */
    bool scan;    /* read every case instead of the back-end's roll-ups (the
                   * reference the roll-ups are measured and tested against) */
} db_stats_query_t;

/* ---- the patrol loop ---- */

/* A check-in (巡查) or an enterprise's self-check (自查). */
typedef struct {
    int64_t id;
    const char *client_id, *created_by; /* unique together: the phone's retry is a replay */
    int64_t object_id;
    const char *object_kind, *grid, *risk; /* the object's, when checked in */
    bool self_check;
    dt_ms_t at, received_at;
    bool has_location;
    double lat, lng, accuracy, distance_m; /* WGS-84; distance to the object, -1 unknown */
    const char *flags;   /* comma-separated: far,outside_grid,... or NULL */
    const char *answers; /* JSON object */
    const char *note;
    const char *track;   /* JSON [[lng,lat,ms],...] or NULL */
    double track_m;
    int64_t duration_s;
    double covered;      /* share of the section's line the track covered, -1: no line */
    bool late;           /* made up a slot after it ended */
    int nhazards;
} db_patrol_t;

/* What the due computation needs of a check-in. */
typedef struct {
    int64_t object_id;
    dt_ms_t at;
    bool self_check;
    double track_m;  /* 0 without a track */
    double covered;  /* as db_patrol_t */
} db_visit_t;

/* An object's risk level from a local date on. */
typedef struct {
    int64_t object_id;
    int32_t from; /* dt_day_t */
    const char *risk;
} db_risk_t;

enum { DB_HAZARD_OPEN, DB_HAZARD_RECTIFIED, DB_HAZARD_CANCELLED };

typedef struct {
    int64_t id, patrol_id, object_id;
    const char *grid, *object_kind, *object_name, *severity, *type, *description;
    bool self_check, on_spot;
    dt_ms_t found_at;
    int32_t deadline;       /* dt_day_t: the last day to rectify */
    int status;             /* DB_HAZARD_*: for a major one, derived from its case */
    dt_ms_t rectified_at;   /* a major one: when its case closed (复查 passed) */
    const char *rectified_by, *note;
    int64_t case_id;        /* a major hazard's case, 0 for a general one */
    const char *supervisor; /* 挂牌督办 */
    const char *plan;       /* rectification plan */
    int64_t version;
    /* read only, from the case of a major hazard */
    const char *case_status;
    sla_light_t case_light;
} db_hazard_t;

typedef struct {
    db_scope_t grid;   /* where the object is */
    int64_t object_id; /* 0: any */
    int64_t patrol_id; /* 0: any */
    const char *severity;
    int status;        /* DB_HAZARD_* or -1 */
    int self_check;    /* -1 any, 0 government patrols, 1 self-checks */
    dt_ms_t from, to;  /* found_at in [from, to); 0: open */
    int64_t after_id;  /* cursor: ids below this, newest first */
    int limit;         /* <= 0: all */
} db_hazard_filter_t;

typedef struct {
    db_scope_t grid;
    int64_t object_id;
    dt_ms_t from, to; /* at in [from, to) */
    int64_t after_id;
    int limit;        /* <= 0: all */
} db_patrol_filter_t;

/* ---- the target loop ---- */

/* A target as entered (history: entries are never changed; the latest
 * for a unit, indicator and period is in force). */
typedef struct {
    int64_t id;
    const char *unit, *indicator;
    int year;
    const char *period; /* "2023", or a split: "2023Q2", "2023-06" */
    double value;
    dt_ms_t at;
    const char *by, *note;
} db_target_t;

/* An actual as entered (history, as targets). */
typedef struct {
    int64_t id;
    const char *unit, *indicator;
    int year, month;
    bool cumulative;        /* the total of the year up to this month */
    double value, num, den; /* num/den: a ratio indicator's parts (value unused) */
    dt_ms_t at;
    const char *by, *note;
} db_actual_t;

/* A monthly flag (流动红旗/黄旗) awarded among the children of 'parent'. */
typedef struct {
    const char *parent, *unit;
    int year, month;
    const char *flag; /* "red", "yellow" */
    int rank;
    double score;
    dt_ms_t at;
    const char *by;
} db_flag_t;

/* ---- reports (通报与总结) ---- */

/* A built report: its content frozen as JSON (core/report.h
 * rpt_doc_to_json), so every later download says what it said then. */
typedef struct {
    int64_t id;
    const char *kind, *unit, *title; /* kind: "summary" | "bulletin" */
    int32_t from_day, to_day;        /* local dates, both included */
    const char *content;             /* NULL in lists */
    dt_ms_t created_at;
    const char *created_by;
    int64_t schedule_id;             /* the schedule that built it, 0: on request */
} db_report_t;

/* A scheduled bulletin: every week (on 'day' 1..7, Monday 1) or month (on
 * 'day' 1..28) at 'minute' of the local day, for the period just ended. */
typedef struct {
    int64_t id;
    const char *kind, *unit, *every; /* every: "week" | "month" */
    int day, minute;
    dt_ms_t next_at;                 /* the next run */
    bool active;
    dt_ms_t created_at;
    const char *created_by;
    int64_t last_report;             /* the latest report it built, 0: none yet */
} db_schedule_t;

/* ---- key projects (重点项目) ---- */

/* A key project; started_on/finished_on are 0 until it has started or
 * is finished.  Days are dt_day_t. */
typedef struct {
    int64_t id;
    const char *code, *name, *unit, *category;
    double total;              /* total planned investment, 万元 */
    int32_t start_day, end_day; /* planned construction period */
    int32_t started_on, finished_on;
    dt_ms_t created_at;
    const char *created_by, *note;
    int64_t version;
} db_project_t;

typedef struct {
    int64_t id, project_id;
    const char *name;
    int32_t planned_day, actual_day; /* actual 0: not done */
    dt_ms_t at;                      /* when it was added or last marked done */
    const char *by;
} db_milestone_t;

/* An amount as entered (history, as targets: the latest of a project,
 * year and month is in force): month 0 is the year's planned investment,
 * 1..12 the investment completed in that month, 万元. */
typedef struct {
    int64_t id, project_id;
    int year, month;
    double amount;
    dt_ms_t at;
    const char *by, *note;
} db_prj_amount_t;

/* A progress log entry (日推进/周检点/月调度). */
typedef struct {
    int64_t id, project_id;
    const char *kind; /* "daily", "weekly", "monthly" */
    int32_t day;
    const char *text, *problems;
    double percent; /* 形象进度 0..1; < 0: not stated */
    dt_ms_t at;
    const char *by;
} db_prj_log_t;

/* How far a ledger import got (its checkpoint): the file is named by a
 * digest of its bytes and of the options that give its rows their
 * meaning, per kind and importing user.  rows_done counts the file's data
 * rows (blank rows not counted) that are settled: written, unchanged or
 * bad; the counts are those rows'. */
typedef struct {
    unsigned char digest[32];
    const char *kind, *username;
    int64_t rows_done, created, updated, unchanged, bad;
    dt_ms_t started_at, at, finished_at; /* finished_at 0: not finished */
} db_import_t;

/* Savepoint operations.  DB_SP_*: a real nested savepoint.  DB_SP_ROW_*:
 * around a row that fails, if at all, in one statement before writing
 * anything else; a back-end where a failed statement leaves the
 * transaction usable and nothing behind (SQLite) may make them free, one
 * where it aborts the transaction (PostgreSQL) must make them real. */
enum { DB_SP_BEGIN, DB_SP_RELEASE, DB_SP_ROLLBACK, DB_SP_ROW_BEGIN, DB_SP_ROW_RELEASE,
       DB_SP_ROW_ROLLBACK };

enum { DB_GROUP_NONE, DB_GROUP_UNIT, DB_GROUP_CATEGORY, DB_GROUP_SOURCE };

typedef bh_status_t (*db_write_fn)(db_conn_t *c, void *ctx, bh_err_t *err);

/* What bulk_end counts: the load's cases and how many of them the search
 * index has; every case, and how many the roll-ups count (each once at
 * its district). */
typedef struct {
    int64_t cases, indexed, all_cases, counted;
} db_bulk_check_t;

/* ---- the operations, one table per aggregate ---- */

/* Lifecycle, transactions and coordination (leases) */
struct db_ops {
    void (*close)(db_t *db);
    bh_status_t (*reader)(db_t *db, db_conn_t **out);
    void (*reader_done)(db_t *db, db_conn_t *c);
    bh_status_t (*write)(db_t *db, db_write_fn fn, void *ctx, bh_err_t *err);
    /* Inside a write: take or renew the lease 'name' for 'holder' until
     * now + ttl_ms; *held is false when another holder's lease is still
     * running (then nothing changed).  Works across servers sharing the
     * store: the row is the lock. */
    bh_status_t (*lease)(db_conn_t *c, const char *name, const char *holder, dt_ms_t now,
                         int64_t ttl_ms, bool *held);
    /* Give the lease up if 'holder' has it. */
    bh_status_t (*lease_release)(db_conn_t *c, const char *name, const char *holder);

    bh_status_t (*integrity_check)(db_conn_t *c, arena_t *a, const char **result);
    /* Refresh the query planner's statistics (after bulk loads). */
    bh_status_t (*analyze)(db_conn_t *c);
    /* A consistent copy of the whole store, as of now, into a new file at
     * 'path' (a reader connection; writers go on meanwhile). */
    bh_status_t (*snapshot)(db_conn_t *c, const char *path, bh_err_t *err);
    /* A bulk load (the demo's), each step inside a write: bulk_begin sets
     * the roll-ups and the search index aside for the cases written from
     * now on (*first: the id the first gets; BH_FAILED_PRECONDITION if a
     * load runs); bulk_fill builds both for the ids in [lo, hi); bulk_end
     * checks that every case of the load is indexed and every case counted
     * once at its district (BH_INTERNAL, the load left unfinished, if not)
     * and resumes keeping them; *out has the counts.  A store left by a
     * load cut short refuses to open. */
    bh_status_t (*bulk_begin)(db_conn_t *c, int64_t *first, bh_err_t *err);
    bh_status_t (*bulk_fill)(db_conn_t *c, int64_t lo, int64_t hi, bh_err_t *err);
    bh_status_t (*bulk_end)(db_conn_t *c, db_bulk_check_t *out, bh_err_t *err);

    /* An imported configuration document by kind ("patrol", "targets"):
     * its text, when and by whom (BH_NOT_FOUND: never imported); put
     * replaces it. */
    bh_status_t (*config_get)(db_conn_t *c, const char *kind, arena_t *a, const char **json,
                              dt_ms_t *at, const char **by);
    bh_status_t (*config_put)(db_conn_t *c, const char *kind, const char *json, dt_ms_t at,
                              const char *by);

    /* A ledger import's checkpoint (BH_NOT_FOUND: none); kind and
     * username are the caller's. */
    bh_status_t (*import_get)(db_conn_t *c, const unsigned char digest[32], const char *kind,
                              const char *username, db_import_t *out);
    /* Inside a write: record r.  expect < 0: a run starts, where there
     * was no checkpoint of the file (expect_at 0) or over the finished one
     * whose 'at' is expect_at - the one the run read when it began;
     * otherwise r replaces the unfinished checkpoint whose rows_done is
     * still 'expect'.  *won false: another run of the same file got there
     * first (nothing changed), so two runs never both write its rows. */
    bh_status_t (*import_mark)(db_conn_t *c, const db_import_t *r, int64_t expect,
                               dt_ms_t expect_at, bool *won);

    /* Inside a write: a nested savepoint around one row of a bulk load,
     * so a bad row can be undone alone (DB_SP_ROLLBACK also ends it). */
    bh_status_t (*savepoint)(db_conn_t *c, int op);
};

/* One version of the categories document (categories and SLA policies). */
typedef struct {
    int version;        /* 1, 2, ... */
    const char *body;   /* the document, as data/categories.json */
    const char *digest; /* hex SHA-256 of the file it came from */
    const char *source; /* "file" (the categories file or the built-in one) or "admin" */
    dt_ms_t at;
    const char *by;     /* username; NULL for the file */
} db_catver_t;

/* The unit tree, categories, polygons and managed objects */
struct db_registry_ops {
    bh_status_t (*unit_put)(db_conn_t *c, const db_unit_t *u, bh_err_t *err);
    bh_status_t (*unit_get)(db_conn_t *c, const char *code, arena_t *a, db_unit_t *out);
    bh_status_t (*unit_find)(db_conn_t *c, const char *name, const char *type,
                             arena_t *a, db_unit_t *out);
    bh_status_t (*unit_list)(db_conn_t *c, const char *parent, arena_t *a,
                             db_unit_t **out, int *n);

    bh_status_t (*category_put)(db_conn_t *c, const char *code, const char *name,
                                const char *kind, const char *parent, const char *policy);

    /* The categories documents in force one after another, oldest first,
     * from version 'after' + 1 on.  add stores the next one; BH_CONFLICT
     * when its version is taken (someone stored one meanwhile). */
    bh_status_t (*catver_list)(db_conn_t *c, int after, arena_t *a, db_catver_t **out, int *n);
    bh_status_t (*catver_add)(db_conn_t *c, const db_catver_t *v);

    /* A unit's polygon (GeoJSON, WGS-84) with its bounding box. */
    bh_status_t (*geometry_put)(db_conn_t *c, const char *unit, const char *geojson,
                                const double bbox[4], bh_err_t *err);
    bh_status_t (*geometry_get)(db_conn_t *c, const char *unit, arena_t *a, const char **geojson);
    /* Units whose bounding box contains the point (the R*Tree prefilter). */
    bh_status_t (*geometry_candidates)(db_conn_t *c, double lng, double lat, arena_t *a,
                                       const char ***units, const char ***geojson, int *n);

    /* Managed objects: insert (id assigned) or update by id (kind, code and
     * grid are kept: they never change). */
    bh_status_t (*object_put)(db_conn_t *c, db_object_t *o, bh_err_t *err);
    bh_status_t (*object_get)(db_conn_t *c, int64_t id, arena_t *a, db_object_t *out);
    /* The object with this code (codes are unique), or BH_NOT_FOUND. */
    bh_status_t (*object_by_code)(db_conn_t *c, const char *code, arena_t *a, db_object_t *out);
    bh_status_t (*object_list)(db_conn_t *c, const db_object_filter_t *f, arena_t *a,
                               db_object_t **out, int *n);
};

/* Users, sessions and API keys */
struct db_auth_ops {
    bh_status_t (*user_put)(db_conn_t *c, const db_user_t *u, bh_err_t *err);
    bh_status_t (*user_get)(db_conn_t *c, const char *username, arena_t *a, db_user_t *out);
    bh_status_t (*user_list)(db_conn_t *c, arena_t *a, db_user_t **out, int *n);
    bh_status_t (*user_count)(db_conn_t *c, int64_t *n);

    bh_status_t (*session_put)(db_conn_t *c, const unsigned char hash[32], int64_t user_id,
                               dt_ms_t created, dt_ms_t expires);
    /* The active user of a session neither expired (expires > now) nor idle
     * (last used > idle_since); *last_used is when it was last used.
     * BH_NOT_FOUND when there is none, another status when the read failed. */
    bh_status_t (*session_get)(db_conn_t *c, const unsigned char hash[32], dt_ms_t now,
                               dt_ms_t idle_since, arena_t *a, db_user_t *out,
                               dt_ms_t *last_used);
    bh_status_t (*session_del)(db_conn_t *c, const unsigned char hash[32]);
    bh_status_t (*session_touch)(db_conn_t *c, const unsigned char hash[32], dt_ms_t at);
    /* End every session of a user (password change, deactivation). */
    bh_status_t (*session_del_user)(db_conn_t *c, int64_t user_id);
    /* Delete expired and idle sessions; *n says how many. */
    bh_status_t (*session_purge)(db_conn_t *c, dt_ms_t now, dt_ms_t idle_since, int64_t *n);

    bh_status_t (*apikey_put)(db_conn_t *c, const char *name, const unsigned char hash[32],
                              const char *role, const char *unit, dt_ms_t created,
                              bh_err_t *err);
    bh_status_t (*apikey_get)(db_conn_t *c, const unsigned char hash[32], arena_t *a,
                              db_apikey_t *out);
    bh_status_t (*apikey_list)(db_conn_t *c, arena_t *a, db_apikey_t **out, int *n);
    bh_status_t (*apikey_revoke)(db_conn_t *c, const char *name, dt_ms_t at);
    bh_status_t (*apikey_touch)(db_conn_t *c, int64_t id, dt_ms_t at);
};

/* Cases, their history and clocks, the sweep, counts, lists and statistics */
struct db_case_ops {
    /* Insert a case with its derived columns (the id is assigned) and
     * index its text.  BH_CONFLICT, with nothing written, when its
     * idempotency key or source + external id is taken (the unique index
     * decides, not an earlier lookup: a concurrent twin loses here). */
    bh_status_t (*case_insert)(db_conn_t *c, db_case_t *k, bh_err_t *err);
    /* *id: the case with this idempotency key / source+external id, or 0. */
    bh_status_t (*case_lookup_key)(db_conn_t *c, const char *idem_key, const char *source,
                                   const char *external_id, int64_t *id);
    bh_status_t (*case_get)(db_conn_t *c, int64_t id, arena_t *a, db_case_t *out);
    /* Write the derived fields (status ... on_time, version, updated_at)
     * if the stored version is still 'read_version' (a conditional update:
     * under concurrent writers the second one gets BH_CONFLICT and nothing
     * is written, never a lost update). */
    bh_status_t (*case_update)(db_conn_t *c, const db_case_t *k, int64_t read_version,
                               bh_err_t *err);
    /* At most f->limit cases; *next_cursor is the opaque cursor of the
     * next page (the back-end's own format), or NULL after the last. */
    bh_status_t (*case_list)(db_conn_t *c, const db_case_filter_t *f, arena_t *a,
                             db_case_t **out, int *n, const char **next_cursor, bh_err_t *err);

    bh_status_t (*event_add)(db_conn_t *c, int64_t case_id, int seq, const case_event_t *e);
    bh_status_t (*event_list)(db_conn_t *c, int64_t case_id, arena_t *a,
                              case_event_t **out, int *n);
    /* The histories of n cases in one read (a page of a list): out[i] and
     * nout[i] (0: no such case) for ids[i]; out and nout are the caller's. */
    bh_status_t (*event_lists)(db_conn_t *c, const int64_t *ids, int n, arena_t *a,
                               case_event_t **out, int *nout);

    /* Replace a case's clock rows ('fresh': it has none yet). */
    bh_status_t (*clocks_put)(db_conn_t *c, int64_t case_id, const db_clock_t *k, int n,
                              bool fresh);
    bh_status_t (*clocks_get)(db_conn_t *c, int64_t case_id, arena_t *a,
                              db_clock_t **out, int *n);

    /* Ids of open cases whose light may change at or before 'now'. */
    bh_status_t (*sweep_due)(db_conn_t *c, dt_ms_t now, int limit, int64_t *ids, int *n);
    /* Set a case aside: record why, and take it off the sweep's schedule. */
    bh_status_t (*case_quarantine)(db_conn_t *c, int64_t id, dt_ms_t at, const char *reason);

    /* Cases by status and light: out[status][light]. */
    bh_status_t (*counts)(db_conn_t *c, int64_t out[CASE_ST__COUNT][SLA_LIGHT_OVERDUE + 1]);
    /* Add a delta (commutative, never read-modify-write in the caller): a
     * back-end with concurrent writers spreads it over shard rows so that
     * writers do not queue on one hot row; counts sums them. */
    bh_status_t (*counts_add)(db_conn_t *c, case_state_t st, sla_light_t l, int delta);

    bh_status_t (*stats)(db_conn_t *c, const db_stats_query_t *q, arena_t *a,
                         db_stats_row_t **rows, int *n, bh_err_t *err);
    /* Recompute the statistics roll-ups from the cases (in a write
     * transaction); *rows: how many there are, *differed: how many of the
     * kept ones were wrong or missing (0: they were exact). */
    bh_status_t (*stats_rebuild)(db_conn_t *c, int64_t *rows, int64_t *differed, bh_err_t *err);

    /* History entries with at in [from, to) (of published cases only, if
     * asked), oldest first, at most 'limit'. */
    bh_status_t (*events_between)(db_conn_t *c, dt_ms_t from, dt_ms_t to, bool published,
                                  int limit, arena_t *a, db_event_row_t **out, int *n);
};

/* The patrol loop: check-ins, hazards, objects' risk history, the patrol
 * configuration (sqlite_patrol.c) */
struct db_patrol_ops {
    /* Insert a check-in (id assigned); BH_CONFLICT, nothing written, when
     * its creator already used its client id. */
    bh_status_t (*patrol_insert)(db_conn_t *c, db_patrol_t *p, bh_err_t *err);
    /* *id: the check-in with this creator and client id, or 0. */
    bh_status_t (*patrol_lookup)(db_conn_t *c, const char *created_by, const char *client_id,
                                 int64_t *id);
    bh_status_t (*patrol_get)(db_conn_t *c, int64_t id, arena_t *a, db_patrol_t *out);
    /* Newest first. */
    bh_status_t (*patrol_list)(db_conn_t *c, const db_patrol_filter_t *f, arena_t *a,
                               db_patrol_t **out, int *n);
    /* Check-ins of objects in 'grid' with at in [from, to), by object then time. */
    bh_status_t (*visits)(db_conn_t *c, const db_scope_t *grid, dt_ms_t from, dt_ms_t to,
                          arena_t *a, db_visit_t **out, int *n);
    /* Check-ins of one object with at in [from, to), by time. */
    bh_status_t (*object_visits)(db_conn_t *c, int64_t object_id, dt_ms_t from, dt_ms_t to,
                                 arena_t *a, db_visit_t **out, int *n);

    bh_status_t (*hazard_insert)(db_conn_t *c, db_hazard_t *h, bh_err_t *err);
    bh_status_t (*hazard_get)(db_conn_t *c, int64_t id, arena_t *a, db_hazard_t *out);
    /* Write status, rectified_at, rectified_by and note if the stored
     * version is still read_version (else BH_CONFLICT); bumps the version. */
    bh_status_t (*hazard_update)(db_conn_t *c, const db_hazard_t *h, int64_t read_version,
                                 bh_err_t *err);
    /* Newest first. */
    bh_status_t (*hazard_list)(db_conn_t *c, const db_hazard_filter_t *f, arena_t *a,
                               db_hazard_t **out, int *n);

    /* An object's risk level from local date 'from' on (replacing one set
     * for the same date). */
    bh_status_t (*risk_put)(db_conn_t *c, int64_t object_id, int32_t from, const char *risk);
    /* The risk history of objects in 'grid', by object then date. */
    bh_status_t (*risks)(db_conn_t *c, const db_scope_t *grid, arena_t *a, db_risk_t **out,
                         int *n);
};

/* The target loop: targets, actuals and monthly flags (sqlite_target.c) */
struct db_target_ops {
    bh_status_t (*target_add)(db_conn_t *c, db_target_t *t, bh_err_t *err);
    /* Every entry of a year (0: of every year), oldest first. */
    bh_status_t (*target_list)(db_conn_t *c, int year, arena_t *a, db_target_t **out, int *n);
    bh_status_t (*actual_add)(db_conn_t *c, db_actual_t *x, bh_err_t *err);
    /* Every entry of a year (0: of every year), oldest first. */
    bh_status_t (*actual_list)(db_conn_t *c, int year, arena_t *a, db_actual_t **out, int *n);
    /* Record that the month's flags among the children of 'parent' are
     * awarded: BH_CONFLICT, nothing written, when they already are (the
     * unique key decides).  Then add its flags with flag_add. */
    bh_status_t (*award_add)(db_conn_t *c, const char *parent, int year, int month, dt_ms_t at,
                             const char *by, bh_err_t *err);
    bh_status_t (*flag_add)(db_conn_t *c, const db_flag_t *f, bh_err_t *err);
    /* The flags awarded among the children of 'parent' in a year, by month then rank. */
    bh_status_t (*flag_list)(db_conn_t *c, const char *parent, int year, arena_t *a,
                             db_flag_t **out, int *n);
};

/* The audit log */
struct db_audit_ops {
    /*
     * The audit log (svc/audit.c).  audit_append, inside a write: choose a
     * lane, lock its head against concurrent appenders until the
     * transaction ends, set row->lane, ->seq (the lane's last + 1) and
     * ->prev_hash (its last hash, zeros for the first), call hash(row) to
     * fill row->hash, and insert.  audit_walk: every row, lane by lane and
     * each lane in seq order; a read error is returned, never a short walk
     * reported as complete.
     */
    bh_status_t (*audit_append)(db_conn_t *c, db_audit_t *row, db_audit_hash_fn hash, void *ctx);
    bh_status_t (*audit_walk)(db_conn_t *c, db_audit_fn fn, void *ctx);
};

/* Key projects: projects, milestones, amounts and progress logs
 * (sqlite_project.c). */
struct db_project_ops {
    /* Insert (p->id set); BH_CONFLICT when the code is taken. */
    bh_status_t (*project_add)(db_conn_t *c, db_project_t *p, bh_err_t *err);
    /* Replace the project's fields if its version is still read_version
     * (then version + 1); BH_CONFLICT when it is not, BH_NOT_FOUND. */
    bh_status_t (*project_update)(db_conn_t *c, const db_project_t *p, int64_t read_version,
                                  bh_err_t *err);
    bh_status_t (*project_get)(db_conn_t *c, int64_t id, arena_t *a, db_project_t *out);
    /* Every project, by id (a district has dozens to hundreds). */
    bh_status_t (*project_list)(db_conn_t *c, arena_t *a, db_project_t **out, int *n);
    bh_status_t (*milestone_add)(db_conn_t *c, db_milestone_t *m, bh_err_t *err);
    /* Set a milestone of the project done on 'day' (0: not done);
     * BH_NOT_FOUND when the project has no such milestone. */
    bh_status_t (*milestone_done)(db_conn_t *c, int64_t project_id, int64_t id, int32_t day,
                                  dt_ms_t at, const char *by, bh_err_t *err);
    /* A project's milestones (0: every project's), by project, planned day. */
    bh_status_t (*milestone_list)(db_conn_t *c, int64_t project_id, arena_t *a,
                                  db_milestone_t **out, int *n);
    bh_status_t (*amount_add)(db_conn_t *c, db_prj_amount_t *x, bh_err_t *err);
    /* The entries of a year (0: every year) of a project (0: of every
     * project), oldest first. */
    bh_status_t (*amount_list)(db_conn_t *c, int64_t project_id, int year, arena_t *a,
                               db_prj_amount_t **out, int *n);
    bh_status_t (*log_add)(db_conn_t *c, db_prj_log_t *l, bh_err_t *err);
    /* A project's log up to day 'upto', newest first; project_id 0: the
     * newest entry up to that day of each project. */
    bh_status_t (*log_list)(db_conn_t *c, int64_t project_id, int32_t upto, arena_t *a,
                            db_prj_log_t **out, int *n);
};

/* Evidence: files attached to cases and patrol check-ins (sqlite_files.c).
 * The bytes live outside the store, named by their SHA-256 (svc/files.c). */
typedef struct {
    int64_t id;
    int64_t case_id;     /* 0: uploaded ahead of its case or check-in, not yet bound */
    int64_t patrol_id;   /* 0: none */
    const char *sha256;  /* hex */
    const char *type;    /* media_name(): "jpeg", "png", "webp", "mp4", "pdf" */
    int64_t size;
    const char *stage;   /* "before", "after", "other" */
    const char *name;    /* the client's file name, or NULL */
    dt_ms_t taken_at;    /* EXIF DateTimeOriginal; 0: none */
    bool has_exif, has_gps;
    double lat, lng;     /* EXIF GPS (when has_gps) */
    const char *uploaded_by;
    dt_ms_t at;
} db_attachment_t;

struct db_file_ops {
    bh_status_t (*attachment_add)(db_conn_t *c, db_attachment_t *f, bh_err_t *err); /* sets id */
    bh_status_t (*attachment_get)(db_conn_t *c, int64_t id, arena_t *a, db_attachment_t *out);
    /* A case's (case_id) or a check-in's (patrol_id, case_id 0), oldest first. */
    bh_status_t (*attachment_list)(db_conn_t *c, int64_t case_id, int64_t patrol_id, arena_t *a,
                                   db_attachment_t **out, int *n);
    /* Bind an unbound attachment to a case or check-in, if 'by' uploaded
     * it; *won false when it was not unbound or not theirs. */
    bh_status_t (*attachment_bind)(db_conn_t *c, int64_t id, const char *by, int64_t case_id,
                                   int64_t patrol_id, bool *won);
    /* The SHA-256 (hex) of every stored file, each once, in order. */
    bh_status_t (*attachment_digests)(db_conn_t *c, arena_t *a, const char ***out, int *n);
};

/*
 * Notifications: the transactional outbox (sqlite_notify.c).  A notice is
 * added inside the write whose event it tells of, once per event and
 * channel (dedupe); a deliverer leases the ones due, sends them outside
 * any transaction and records how it went.
 */
typedef struct {
    int64_t id;
    const char *dedupe;        /* the event, e.g. "case:12:event:5"; unique with channel */
    const char *channel;       /* the channel's key in the notifications document */
    const char *event;         /* notify_event_name() */
    const char *unit;          /* where it happened */
    const char *ref;           /* what it is about: "case:12", "hazard:3", "card:…" */
    const char *subject, *body;
    const char *data;          /* JSON: the event's facts, for webhooks */
    const char *status;        /* "pending", "sent", "dead" */
    int attempts;
    dt_ms_t next_at;           /* pending: when it is due */
    const char *last_error;    /* the last failed try's reason (kept once sent) */
    dt_ms_t created_at, sent_at;
} db_notice_t;

struct db_notify_ops {
    /* Add a pending notice due at next_at, unless one of the same dedupe
     * and channel exists (*added false; nothing changed). */
    bh_status_t (*notice_add)(db_conn_t *c, db_notice_t *n, bool *added);
    /* Inside a write: lease up to 'max' pending notices due at 'now' and
     * not leased by anyone else, to 'holder' until now + lease_ms. */
    bh_status_t (*notice_lease)(db_conn_t *c, dt_ms_t now, int64_t lease_ms, const char *holder,
                                int max, arena_t *a, db_notice_t **out, int *n);
    /* Record a try by the lease's holder: status "sent", "dead", or
     * "pending" again at next_at; *won false when the lease was lost (the
     * notice is left as it is). */
    bh_status_t (*notice_finish)(db_conn_t *c, int64_t id, const char *holder, const char *status,
                                 int attempts, dt_ms_t next_at, const char *error, dt_ms_t at,
                                 bool *won);
    /* Newest first, with status (NULL: any) and id < before (0: no bound). */
    bh_status_t (*notice_list)(db_conn_t *c, const char *status, int64_t before, int limit,
                               arena_t *a, db_notice_t **out, int *n);
    bh_status_t (*notice_get)(db_conn_t *c, int64_t id, arena_t *a, db_notice_t *out);
    /* A dead notice pending again from 'now', its tries counted anew;
     * *won false when it is not dead. */
    bh_status_t (*notice_retry)(db_conn_t *c, int64_t id, dt_ms_t now, bool *won);
    /* How many are pending, sent and dead. */
    bh_status_t (*notice_counts)(db_conn_t *c, int64_t out[3]);
};

/* Reports and their schedules (sqlite_report.c) */
struct db_report_ops {
    /* Insert (r->id set). */
    bh_status_t (*report_add)(db_conn_t *c, db_report_t *r, bh_err_t *err);
    bh_status_t (*report_get)(db_conn_t *c, int64_t id, arena_t *a, db_report_t *out);
    /* Those of units in 'unit' (db_scope), newest first, at most 'limit',
     * without their content. */
    bh_status_t (*report_list)(db_conn_t *c, const db_scope_t *unit, int limit, arena_t *a,
                               db_report_t **out, int *n);
    bh_status_t (*schedule_add)(db_conn_t *c, db_schedule_t *s, bh_err_t *err);
    /* Every schedule, active or not, by id (a district has a handful). */
    bh_status_t (*schedule_list)(db_conn_t *c, arena_t *a, db_schedule_t **out, int *n);
    /* Move an active schedule on to next_at, recording its report, if its
     * next run is still 'expect': *won false (nothing changed) when another
     * writer ran it first, so a run happens once however many servers sweep. */
    bh_status_t (*schedule_advance)(db_conn_t *c, int64_t id, dt_ms_t expect, dt_ms_t next_at,
                                    int64_t last_report, bool *won, bh_err_t *err);
    /* Deactivate; BH_NOT_FOUND when there is no such active schedule. */
    bh_status_t (*schedule_stop)(db_conn_t *c, int64_t id, bh_err_t *err);
};

/* A back-end: one table per aggregate, so that each can live in a file
 * of its own (db_sqlite.c and sqlite_*.c). */
struct db {
    const struct db_ops *ops;
    const struct db_registry_ops *registry;
    const struct db_auth_ops *auth;
    const struct db_case_ops *cases;
    const struct db_audit_ops *audit;
    const struct db_patrol_ops *patrol;
    const struct db_target_ops *target;
    const struct db_project_ops *project;
    const struct db_report_ops *report;
    const struct db_file_ops *files;
    const struct db_notify_ops *notify;
};

struct db_conn {
    db_t *db;
};

/*
 * Open the store a URL names: "sqlite:PATH" or a plain path (SQLite,
 * created and migrated if needed), "postgres://…" (not in this build:
 * BH_UNAVAILABLE says so).  'readers' is the size of the read pool.
 */
bh_status_t db_open(const char *url, int readers, db_t **out, bh_err_t *err);

/*
 * Open (creating and migrating if needed) the SQLite database at 'path'.
 * 'readers' is the size of the read-connection pool.
 */
bh_status_t db_sqlite_open(const char *path, int readers, db_t **out, bh_err_t *err);

static inline void db_close(db_t *db)
{
    if (db)
        db->ops->close(db);
}

/* How long db_reader waits for a free read connection. */
#define DB_READER_WAIT_MS 10000

/* A read connection (*out), or BH_UNAVAILABLE after DB_READER_WAIT_MS
 * with none free.  Give it back with db_reader_done. */
static inline bh_status_t db_reader(db_t *db, db_conn_t **out)
{
    return db->ops->reader(db, out);
}

static inline void db_reader_done(db_t *db, db_conn_t *c)
{
    db->ops->reader_done(db, c);
}

static inline bh_status_t db_write(db_t *db, db_write_fn fn, void *ctx, bh_err_t *err)
{
    return db->ops->write(db, fn, ctx, err);
}

/* Call an operation of an aggregate's table on a connection:
 * DB(c, cases, case_get, id, a, &k). */
#define DB(conn, table, op, ...) ((conn)->db->table->op((conn), __VA_ARGS__))

#endif
