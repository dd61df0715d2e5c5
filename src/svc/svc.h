/*
 * svc.h - application services: the use cases of the case loop, written
 * once over core/ (rules) and store/ (persistence) and called by the HTTP
 * handlers and the command line alike.
 *
 * Every write goes through db_write (group commit) and derives the case's
 * state, clocks and lights from its full event history inside the same
 * transaction, so the cached columns always agree with the history.
 */
#ifndef BH_SVC_H
#define BH_SVC_H

#include "core/calendar.h"
#include "core/category.h"
#include "core/indicator.h"
#include "core/notify.h"
#include "core/patrol.h"
#include "core/project.h"
#include "core/period.h"
#include "core/report.h"
#include <jansson.h>

#include "store/db.h"
#include "util/dynbuf.h"

/* A kind of configuration document (config.c): its store key, what it is
 * called in messages, its audit action and object, and how its text is
 * shipped, parsed and freed. */
typedef struct {
    const char *kind, *what, *audit, *object;
    const char *(*builtin)(size_t *len);
    bh_status_t (*parse)(const char *json, size_t len, void **out, bh_err_t *err);
    void (*release)(void *cfg);
} svc_doc_kind_t;

typedef struct svc_doc svc_doc_t;

typedef struct {
    db_t *db;
    cat_set_t *_Atomic cats;    /* the categories in force (categories.c); a loop over
                                   them reads it once: an edit may swap it meanwhile */
    _Atomic int cat_version;    /* its version; 0 before svc_sync_categories */
    struct svc_catver_rec **catv; /* every version loaded (categories.c) */
    int ncatv;
    cal_t *cal;
    cal_hours_t hours;
    sla_env_t env;
    int64_t session_ttl_ms;
    int64_t session_idle_ms;  /* a session unused this long ends; 0: never */
    dt_ms_t sessions_purged_at; /* the sweep's last purge of ended sessions */
    _Atomic int64_t sweep_quarantined; /* cases whose history did not replay, since start */
    _Atomic bool sweep_leader;  /* this server holds the sweep lease */
    dt_ms_t lease_until;        /* until when (this server's clock) */
    bool now_purge_due;         /* the sweep purges ended sessions in its next batch */
    char instance[32];          /* this server's lease-holder name (hex) */
    svc_doc_t *patrol;          /* the patrol configuration in force (patrol.c) */
    svc_doc_t *targets;         /* the indicators and assessment rules (target.c) */
    dt_ms_t clock_fixed;        /* the patrol loop's now when set (the demo generator
                                   replays a half-year); 0: the wall clock */
    char files_dir[1024];       /* where attachments' bytes are (files.c); "" : none */
    svc_doc_t *notify;          /* the notifications document in force (notify.c) */
    _Atomic bool notices_waiting; /* a write added a notice: the deliverer looks now */
    _Atomic bool cards_due;     /* targets, actuals or rules changed: look at the red cards */
    _Atomic bool stopping;      /* serve is stopping: the deliverer gives its leases back */
} svc_t;

/* The authenticated caller. */
typedef struct {
    int64_t id;
    const char *username;
    bh_role_t role;
    const char *unit;
    bool unrestricted; /* acting for an administrator in another role (an admin's
                          ledger import reports as operator): no jurisdiction */
    int64_t object_id; /* an enterprise account's managed object, else 0 */
} svc_user_t;

/* ---- evidence: attachments (files.c) ---- */

typedef struct {
    int64_t case_id;   /* 0: ahead of its case (bound when the case is reported) */
    const char *stage; /* "before", "after", "other" */
    const char *name;  /* the client's file name, or NULL */
    const char *data;
    size_t len;
} svc_upload_t;

/* An attachment's bytes as u may have them. */
typedef struct {
    db_attachment_t f;
    const char *mime;
    const char *data; /* in the arena */
    size_t len;
    bool stripped;    /* the copy without EXIF (u does not see where it was taken) */
} svc_file_t;

bool svc_attachment_stage_ok(const char *stage);
const char *svc_attachment_stage_label(const char *stage); /* "处置前"; NULL: not a stage */
/* mkdir -p, each directory made flushed into its parent; flush a
 * directory's entries. */
bh_status_t svc_mkdirs(const char *dir, bh_err_t *err);
void svc_sync_dir(const char *dir);

/* A backup (backup.c): the store as of one instant and every attachment
 * it names, verified, into 'dir' (new or empty): dir/bihuan.db and
 * dir/files/ab/<sha256>[.thumb.jpg|.strip].  progress (may be NULL) is
 * told of each stored file copied. */
typedef struct {
    int64_t db_bytes, files, file_bytes;
    bool started; /* something was written into dir (a failure leaves it incomplete) */
} svc_backup_t;
bh_status_t svc_backup(svc_t *s, const char *dir, void (*progress)(long done, long total, void *ctx),
                       void *ctx, svc_backup_t *out, bh_err_t *err);

/* Where attachments are kept (made at the first upload). */
bh_status_t svc_files_open(svc_t *s, const char *dir, bh_err_t *err);
/* Store an upload: checked by content, EXIF read, thumbnail made. */
bh_status_t svc_attachment_add(svc_t *s, const svc_user_t *u, const svc_upload_t *in, arena_t *a,
                               db_attachment_t *out, bh_err_t *err);
/* A case's attachments (the caller has checked u may read the case). */
bh_status_t svc_attachment_list(svc_t *s, const svc_user_t *u, int64_t case_id, arena_t *a,
                                db_attachment_t **out, int *n, bh_err_t *err);
/* The file or its thumbnail, jurisdiction checked (404 otherwise). */
bh_status_t svc_attachment_open(svc_t *s, const svc_user_t *u, int64_t id, bool thumbnail,
                                arena_t *a, svc_file_t *out, bh_err_t *err);
/*
 * Inside a write: the evidence k's policy requires of 'action' by 'role'
 * (cat_evidence): at least one photo of the rule's stage on the case - for
 * handle, uploaded since the last dispatch or rework ('hist', n events).
 * A report without it is BH_INVALID_ARGUMENT, another action
 * BH_FAILED_PRECONDITION; both name the field "attachments".
 */
bh_status_t svc_evidence_check(svc_t *s, db_conn_t *c, arena_t *a, const db_case_t *k,
                               int action, int role, const case_event_t *hist, int n,
                               bh_err_t *err);
/* Inside a write: bind attachments u uploaded ahead to a new case or
 * check-in (patrol_id, case_id 0). */
bh_status_t svc_attachments_bind(db_conn_t *c, const svc_user_t *u, const int64_t *ids, int n,
                                 int64_t case_id, int64_t patrol_id, bh_err_t *err);

/* ---- notifications (notify.c; sent by notify_send.c) ---- */

void svc_notify_init(svc_t *s); /* by svc_init; loaded by svc_load_configs */
void svc_notify_fini(svc_t *s);
/* The channels, rules and retries in force (data/notify.json until one
 * is imported through s->notify); NULL (err set) when unreadable. */
const notify_cfg_t *svc_notify_cfg(svc_t *s, bh_err_t *err);
/*
 * Inside a write: add to the outbox the notices a case's change tells of -
 * 'ev', the event just added as number 'seq' (NULL: none, a sweep that
 * found the light changed), a dispatch or supervision; the light turned
 * red or overdue since 'old_light' (clocks: the case's, as derived).
 */
bh_status_t svc_notify_case(svc_t *s, db_conn_t *c, arena_t *a, const db_case_t *k,
                            const case_event_t *ev, int seq, sla_light_t old_light,
                            const sla_clock_state_t *clocks);
/* Inside a write: a major hazard put under 挂牌督办 (h->id set), its case
 * dispatched to 'department' (NULL: none). */
bh_status_t svc_notify_hazard(svc_t *s, db_conn_t *c, arena_t *a, const db_hazard_t *h,
                              const char *department);
/* The units' indicators carded red on their boards this year as of
 * 'now', told once a month each (the sweeping server, now and then).
 * Returns how many are red (-1: err set). */
int svc_notify_cards(svc_t *s, dt_ms_t now, bh_err_t *err);
/* One round of the deliverer: lease the notices due at 'now', send each,
 * record it.  Returns how many were recorded (-1: err set). */
int svc_notify_deliver(svc_t *s, dt_ms_t now, bh_err_t *err);
/* The outbox, newest first (admin): status NULL for all, id < before (0:
 * no bound); counts: pending, sent, dead. */
bh_status_t svc_notices_list(svc_t *s, const svc_user_t *u, const char *status, int64_t before,
                             int limit, arena_t *a, db_notice_t **out, int *n, int64_t counts[3],
                             bh_err_t *err);
/* Send a dead notice again (admin): pending from now, tries counted anew. */
bh_status_t svc_notice_retry(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                             db_notice_t *out, bh_err_t *err);

/* ---- categories and SLA policies in versions (categories.c) ---- */

/* One version of the categories document as loaded. */
typedef struct {
    int version;
    const cat_set_t *set;
    const char *body, *digest;
    const char *source; /* "file" or "admin" */
    const char *by;
    dt_ms_t at;
} svc_catver_t;

void svc_categories_init(svc_t *s, cat_set_t *set); /* by svc_init: version 0, in force */
void svc_categories_fini(svc_t *s);

/*
 * Load every stored version and put the newest in force.  body is the
 * categories file this process runs with (or the built-in one): stored as
 * version 1 into a store that has none; with 'serve' (the server), also
 * stored as the next version when it differs from the last file stored.
 * Other commands never change the version in force of a store that has one.
 */
bh_status_t svc_sync_categories(svc_t *s, const char *body, size_t len, bool serve, bh_err_t *err);

/* Load versions other servers stored since (from the sweep). */
bh_status_t svc_categories_refresh(svc_t *s, bh_err_t *err);

/* The set of a version (a case's policy_version).  A version newer than
 * any loaded (another server stored it) is loaded from the store first; the
 * set in force only for one that cannot be read. */
const cat_set_t *svc_cats_at(svc_t *s, int version);
/* The set in force with its version, read together. */
const cat_set_t *svc_cats_pinned(svc_t *s, int *version);

/* The version in force; newest first, all loaded versions (not version 0). */
void svc_categories_current(svc_t *s, svc_catver_t *out);
int svc_categories_versions(svc_t *s, arena_t *a, svc_catver_t **out);

/*
 * An administrator's edit, in force for cases reported from now on:
 * a whole new document, or the amounts of some clocks of one policy
 * (clocks: [{"name","limit","yellow","red","basis","unit","max_extension"}]).
 * expect: the version the editor saw (BH_CONFLICT when another is newer);
 * 0 for any.  Validation errors name the field ("clocks[0].yellow").
 */
bh_status_t svc_categories_put(svc_t *s, const svc_user_t *u, const char *body, size_t len,
                               int expect, const char *what, svc_catver_t *out, bh_err_t *err);
bh_status_t svc_policy_put(svc_t *s, const svc_user_t *u, const char *key, json_t *clocks,
                           int expect, svc_catver_t *out, bh_err_t *err);

/* svc takes ownership of cats and cal. */
void svc_init(svc_t *s, db_t *db, cat_set_t *cats, cal_t *cal);
void svc_fini(svc_t *s);

/* Wall-clock now, UTC ms. */
dt_ms_t svc_now(void);
/* The service's now: s->clock_fixed when set, else svc_now(). */
static inline dt_ms_t svc_clock(const svc_t *s)
{
    return s->clock_fixed ? s->clock_fixed : svc_now();
}

/* ---- users and sessions (auth.c) ---- */

/* argon2id hash of a password (libsodium); the result is in the arena. */
bh_status_t svc_hash_password(const char *password, arena_t *a, const char **out,
                              bh_err_t *err);

/* Create or replace a user.  The unit must exist; password >= 8 bytes.
 * Replacing one whose password changes (or who is deactivated) ends its
 * sessions.  An enterprise account (role enterprise) is bound to its
 * enterprise, object_id (0 for every other role), and its unit is set to
 * the enterprise's grid. */
bh_status_t svc_user_put(svc_t *s, const char *actor, const char *username, const char *password,
                         const char *role, const char *unit, const char *display_name,
                         const char *phone, int64_t object_id, bh_err_t *err);

/* The same, but BH_CONFLICT (field username) when the user exists: the
 * check is inside the write, so two concurrent creates cannot both win. */
bh_status_t svc_user_create(svc_t *s, const char *actor, const char *username,
                            const char *password, const char *role, const char *unit,
                            const char *display_name, const char *phone, int64_t object_id,
                            bh_err_t *err);

/* Inside a db_write function: create or replace a user from a ledger row.
 * A new user needs a password; an existing one keeps its password (NULL),
 * display name and phone (NULL) unless given.  *created says which. */
bh_status_t svc_user_put_tx(db_conn_t *c, const char *actor, const db_user_t *u,
                            const char *password, bool *created, bh_err_t *err);

/* Change a user's role, unit, active flag (-1 keeps it) or password (each
 * NULL keeps the value). */
bh_status_t svc_user_update(svc_t *s, const char *actor, const char *username, const char *role,
                            const char *unit, int active, const char *password, bh_err_t *err);

/* Check a password and open a session: *token is the bearer token.
 * Repeated failures for a user name or from an address (may be NULL) are
 * throttled with BH_RATE_LIMITED. */
bh_status_t svc_login(svc_t *s, const char *username, const char *password, const char *address,
                      arena_t *a, const char **token, db_user_t *user, dt_ms_t *expires,
                      bh_err_t *err);

/* The user behind a bearer token, or BH_UNAUTHENTICATED. */
bh_status_t svc_authenticate(svc_t *s, const char *token, arena_t *a, svc_user_t *out,
                             bh_err_t *err);

bh_status_t svc_logout(svc_t *s, const char *token);

/* Constant-time equality of two secrets (tokens), by their digests. */
bool svc_token_equal(const char *a, const char *b);

/* The Prometheus text of the service's own counters: password hashing
 * (auth.c), the sweep's quarantine (cases.c). */
void svc_auth_metrics_text(dynbuf_t *b);
void svc_metrics_text(svc_t *s, dynbuf_t *b);

/* ---- cases (cases.c) ---- */

typedef struct {
    const char *attributes, *media_url, *contact; /* Open311 extras (JSON / URL) */
    const char *category, *title, *description, *source, *urgency, *unit, *address;
    const char *reporter_name, *reporter_phone, *external_id, *idempotency_key;
    bool has_location;
    double lat, lng;
    dt_ms_t at; /* when it was reported; 0 = now */
    bool via_open311; /* through /open311/v2/: the only way to source "open311", which
                         makes the case readable by anyone there (svc_case_public) */
    int policy_version; /* set by the checks: the categories version it is reported under */
    const int64_t *attachments; /* uploaded ahead by the reporter (/api/v1/attachments) */
    int nattachments;
} svc_case_new_t;

/* The sources a case can come from, and their Chinese labels. */
extern const char *const svc_sources[];
const char *svc_source_label(const char *source);

/* A case with its history and clocks, as 'u' sees it. */
typedef struct {
    db_case_t k;
    case_event_t *events;
    int nevents;
    const sla_policy_t *policy;
    sla_clock_state_t clocks[SLA_CLOCKS_MAX];
    case_snapshot_t snap;
    uint32_t allowed; /* actions u may take now (mask of 1u << action) */
    db_attachment_t *files; /* the single-case view's attachments, oldest first */
    int nfiles;
} svc_case_view_t;

/*
 * Report a case; *out is the new case (allocated in 'a').  If the
 * idempotency key (or source + external id) is already known, nothing is
 * written, *replayed is set and *out is the existing case.
 */
bh_status_t svc_case_create(svc_t *s, const svc_user_t *u, const svc_case_new_t *in, arena_t *a,
                            svc_case_view_t *out, bool *replayed, bh_err_t *err);

/*
 * Take an action on a case; *out is the case after it (in 'a').  'ev'
 * carries the action and its fields; the role, actor, unit and time are
 * set from 'u' and the clock ('at' if non-zero).  expected_version < 0
 * skips the optimistic-concurrency check.
 */
bh_status_t svc_case_act(svc_t *s, const svc_user_t *u, int64_t id, case_event_t *ev,
                         int64_t expected_version, arena_t *a, svc_case_view_t *out,
                         bh_err_t *err);

/* A citizen's words on a case, from an outside client (Open311 updates). */
typedef struct {
    const char *text;   /* the comment */
    const char *ext_id; /* the client's id for it: a repeat with this id writes nothing */
    const char *extra;  /* JSON: who wrote it, a photo URL, the status the client claimed */
    bool not_solved;    /* the client says the problem is still there: on a closed
                           case the comment is a reopen request (申请重新办理) */
    dt_ms_t at;         /* when it was written; 0 or later than now: now */
} svc_comment_t;

/*
 * Add a comment (CASE_ACT_COMMENT, or CASE_ACT_REOPEN_REQUEST when
 * in->not_solved and the case is closed - decided in the transaction) to
 * a case u may see and anyone may read (svc_case_public; else BH_NOT_FOUND).
 * If the case already holds an event with in->ext_id, nothing is written
 * and *replayed is set (BH_CONFLICT if another user wrote that one).
 * *seq is the comment's place in the history, *out the case after it.
 */
bh_status_t svc_case_comment(svc_t *s, const svc_user_t *u, int64_t id, const svc_comment_t *in,
                             arena_t *a, svc_case_view_t *out, int *seq, bool *replayed,
                             bh_err_t *err);

/* The human-readable number of a case: local report date + id. */
const char *svc_case_number(const db_case_t *k, arena_t *a);

bh_status_t svc_case_get(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                         svc_case_view_t *out, bh_err_t *err);

/* The same without the jurisdiction check: for answering an action the
 * user just took (a handler that returns a case no longer sees it). */
bh_status_t svc_case_get_after_act(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                                   svc_case_view_t *out, bh_err_t *err);

/* May this user see this case?  (Jurisdiction: unit subtree.) */
bool svc_case_visible(const svc_user_t *u, const db_case_t *k);

/*
 * Inside a db_write function: insert a case with its whole history at
 * once (the history must replay cleanly from a report), deriving its state
 * and clocks as of 'now'.  For bulk loads (demo data, ledgers); 'in' is not
 * validated beyond what the store enforces.  *id is the new case.
 */
bh_status_t svc_case_import_tx(svc_t *s, db_conn_t *c, const svc_case_new_t *in,
                               const char *created_by, const case_event_t *ev, int n,
                               dt_ms_t now, int64_t *id, bh_err_t *err);

/* Inside a db_write function: svc_case_create for bulk loads (ledgers):
 * the same checks, the new case's id (or the existing one's, *replayed). */
bh_status_t svc_case_create_tx(svc_t *s, db_conn_t *c, const svc_user_t *u,
                               const svc_case_new_t *in, arena_t *a, int64_t *id, bool *replayed,
                               bh_err_t *err);

/* Write the categories into the store (the reporting tables join them). */

/* ---- geography and API keys (registry.c) ---- */

/*
 * Add a unit to the tree: the code follows the national structures and
 * extends the (active) parent's (core/unitcode.h).  BH_CONFLICT if the
 * code exists.
 */
bh_status_t svc_unit_create(svc_t *s, const char *actor, const char *code, const char *name,
                            const char *type, const char *parent, bh_err_t *err);

/* Rename a unit (name may be NULL) and set whether it is active.  Units
 * are never deleted: cases refer to them. */
bh_status_t svc_unit_update(svc_t *s, const char *actor, const char *code, const char *name,
                            bool active, bh_err_t *err);

/*
 * Create (create=true; o->id is assigned) or update a managed object in
 * the user's jurisdiction (admin and operator only).  An update keeps kind,
 * code and grid; NULL fields keep their values.
 */
bh_status_t svc_object_save(svc_t *s, const svc_user_t *u, db_object_t *o, bool create,
                            bh_err_t *err);

/* The same three inside a db_write function, for bulk loads (ledgers). */
bh_status_t svc_unit_put_tx(db_conn_t *c, const char *actor, const db_unit_t *u, bool create,
                            bh_err_t *err);
bh_status_t svc_object_save_tx(db_conn_t *c, const svc_user_t *u, db_object_t *o, bool create,
                               bh_err_t *err);
bh_status_t svc_geometry_put_tx(db_conn_t *c, const char *actor, const char *unit,
                                const char *geojson, size_t len, bh_err_t *err);

/* Validate and store a unit's polygon (GeoJSON, WGS-84). */
bh_status_t svc_geometry_put(svc_t *s, const char *actor, const char *unit, const char *geojson,
                             size_t len, bh_err_t *err);

/* The deepest unit whose polygon contains the WGS-84 point; BH_NOT_FOUND
 * (with a message saying so) when the point is outside every polygon. */
bh_status_t svc_locate(svc_t *s, double lng, double lat, arena_t *a, const char **unit,
                       bh_err_t *err);

/* A new API key "bhk_…" (only its hash is kept), scoped to a unit and role. */
bh_status_t svc_apikey_add(svc_t *s, const char *actor, const char *name, const char *role,
                           const char *unit, arena_t *a, const char **key, bh_err_t *err);
bh_status_t svc_apikey_revoke(svc_t *s, const char *actor, const char *name, bh_err_t *err);

/* The identity behind an API key (username "apikey:NAME"). */
bh_status_t svc_apikey_auth(svc_t *s, const char *key, arena_t *a, svc_user_t *out,
                            bh_err_t *err);

/* ---- reads of the registry (registry_read.c) ----
 * Each takes a read connection (BH_UNAVAILABLE when none is free in
 * time), applies the caller's jurisdiction where there is one, and tells
 * a failed read (BH_UNAVAILABLE / BH_INTERNAL) from an absent row
 * (BH_NOT_FOUND).  Results live in 'a'. */

/* A read connection, or BH_UNAVAILABLE with a message for people. */
bh_status_t svc_reader(svc_t *s, db_conn_t **c, bh_err_t *err);

/* Run one read, 'call', on a pooled connection named 'c'; st gets its
 * status (or svc_reader's, with err set).  For the read use cases. */
#define SVC_READ(s, c, st, err, call)                                          \
    do {                                                                       \
        db_conn_t *c;                                                          \
        if (((st) = svc_reader((s), &c, (err))) == BH_OK) {                    \
            (st) = (call);                                                     \
            db_reader_done((s)->db, c);                                        \
        }                                                                      \
    } while (0)

bh_status_t svc_unit_list(svc_t *s, const char *parent, arena_t *a, db_unit_t **out, int *n,
                          bh_err_t *err);
/* A unit, and optionally (non-NULL) its children and whether it has a polygon. */
bh_status_t svc_unit_get(svc_t *s, const char *code, arena_t *a, db_unit_t *out,
                         db_unit_t **kids, int *nkids, bool *has_geometry, bh_err_t *err);
bh_status_t svc_geometry_get(svc_t *s, const char *unit, arena_t *a, const char **geojson,
                             bh_err_t *err);
bh_status_t svc_user_list(svc_t *s, arena_t *a, db_user_t **out, int *n, bh_err_t *err);
bh_status_t svc_user_get(svc_t *s, const char *username, arena_t *a, db_user_t *out,
                         bh_err_t *err);
/* May u read this managed object?  (Its grid in u's jurisdiction; an
 * enterprise account its own object only.) */
bool svc_object_visible(const svc_user_t *u, const db_object_t *o);
/* The same for a row about an object (a check-in, a hazard). */
bool svc_row_visible(const svc_user_t *u, int64_t object_id, const char *grid);
/* BH_NOT_FOUND also when it is outside u's jurisdiction; public users may not. */
bh_status_t svc_object_get(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                           db_object_t *out, bh_err_t *err);
/* Places a citizen names by code (Open311 address_id), readable by anyone:
 * an active city component (城市部件) by the code on its plate - with its
 * grid and point - or BH_NOT_FOUND; a point inside a grid's polygon, or
 * BH_NOT_FOUND when the unit has none. */
bh_status_t svc_component_find(svc_t *s, const char *code, arena_t *a, db_object_t *out,
                               bh_err_t *err);
bh_status_t svc_unit_point(svc_t *s, const char *unit, arena_t *a, double *lng, double *lat,
                           bh_err_t *err);
/* Objects of 'grid' (a unit's subtree, or NULL) within u's jurisdiction;
 * f's other filters and paging as given (f->grid is set here). */
bh_status_t svc_object_list(svc_t *s, const svc_user_t *u, const char *grid,
                            db_object_filter_t *f, arena_t *a, db_object_t **out, int *n,
                            bh_err_t *err);
bh_status_t svc_apikey_list(svc_t *s, arena_t *a, db_apikey_t **out, int *n, bh_err_t *err);

/* ---- reads of the case loop (case_read.c) ---- */

/* A list row: the case and its clock rows. */
typedef struct {
    db_case_t k;
    db_clock_t *clocks;
    int nclocks;
} svc_case_row_t;

/* The cases f selects that u may read (the jurisdiction is added to f);
 * *next_cursor: the opaque cursor of the next page, NULL after the last. */
bh_status_t svc_case_list(svc_t *s, const svc_user_t *u, db_case_filter_t *f, arena_t *a,
                          svc_case_row_t **out, int *n, const char **next_cursor, bh_err_t *err);
/*
 * The anonymous Open311 reads, in one store read for the page: the public
 * cases (svc_case_public) f selects - no jurisdiction, so f must name the
 * categories open to the public (ncategories > 0) - or, with f NULL, those
 * of ids[] (unknown and other cases left out, the order kept).  Each is a
 * whole view (history, clocks evaluated now) as an anonymous reader sees it.
 */
bh_status_t svc_case_views_public(svc_t *s, const db_case_filter_t *f, const int64_t *ids,
                                  int nids, arena_t *a, svc_case_view_t **out, int *n,
                                  bh_err_t *err);
/* May anyone read case k through Open311?  It came in through Open311 or
 * an operator published it (publish / unpublish; derived, db_case_t.published). */
bool svc_case_public(const db_case_t *k);
/* Did it come in through Open311 (so its own words and photo are public)? */
bool svc_case_via_open311(const db_case_t *k);
/* Statistics of 'unit' (BH_PERMISSION_DENIED outside u's jurisdiction);
 * q's period and grouping as given, q->unit set here. */
bh_status_t svc_case_stats(svc_t *s, const svc_user_t *u, const char *unit,
                           db_stats_query_t *q, arena_t *a, db_stats_row_t **rows, int *n,
                           bh_err_t *err);
bh_status_t svc_case_counts(svc_t *s, int64_t out[CASE_ST__COUNT][SLA_LIGHT_OVERDUE + 1],
                            bh_err_t *err);
/* Recompute the statistics roll-ups from the cases (`bihuan stats
 * rebuild`): *rows kept, *differed of them were wrong or missing before. */
bh_status_t svc_stats_rebuild(svc_t *s, int64_t *rows, int64_t *differed, bh_err_t *err);
/* History entries with at in [from, to) of the cases anyone may read
 * (svc_case_public), oldest first: the public change feed. */
bh_status_t svc_events_public(svc_t *s, dt_ms_t from, dt_ms_t to, int limit, arena_t *a,
                              db_event_row_t **out, int *n, bh_err_t *err);

/* ---- configuration documents in force (config.c) ---- */

svc_doc_t *svc_doc_new(const svc_doc_kind_t *k);
void svc_doc_free(svc_doc_t *d);
/* The document in force: the one imported into the store, or the shipped
 * one when none was.  Loaded at start by svc_load_configs (else read on
 * first use); NULL (err set) only when that read failed.  Valid until
 * svc_doc_free. */
const void *svc_doc_current(svc_t *s, svc_doc_t *d, bh_err_t *err);
/* Put the stored document in force if its text changed (another process,
 * the CLI's config-import, replaced it); the server's sweeper calls it
 * each tick.  A stored one that does not parse leaves the one in force
 * (BH_INVALID_ARGUMENT, once per such text). */
bh_status_t svc_doc_refresh(svc_t *s, svc_doc_t *d, bh_err_t *err);
/* Load the patrol, target and notification documents (app_open, before any request). */
bh_status_t svc_load_configs(svc_t *s, bh_err_t *err);
/* Replace it (admin): validated first, audited, in force at once. */
bh_status_t svc_doc_import(svc_t *s, svc_doc_t *d, const svc_user_t *u, const char *json,
                           size_t len, bh_err_t *err);
/* The text in force (*imported: false when it is the shipped one). */
bh_status_t svc_doc_text(svc_t *s, svc_doc_t *d, arena_t *a, const char **json, bool *imported,
                         bh_err_t *err);

/* ---- the patrol loop (patrol.c, patrol_read.c) ---- */

void svc_patrol_init(svc_t *s);
void svc_patrol_fini(svc_t *s);

/* The patrol configuration in force (data/patrol.json until one is
 * imported; svc_doc_import/text/refresh on s->patrol change and read it). */
const patrol_cfg_t *svc_patrol_cfg(svc_t *s, bh_err_t *err);

typedef struct {
    const char *severity;    /* "general" | "major" */
    const char *type;        /* a hazard type of the configuration, or NULL */
    const char *description;
    bool on_spot;            /* 当场整改 (general only) */
    const char *supervisor;  /* major: the 挂牌督办 leader (default from the configuration) */
    const char *plan;        /* major: the rectification plan */
} svc_finding_t;

typedef struct {
    int64_t object_id;
    const char *client_id;
    dt_ms_t at;              /* 0: now */
    bool has_location;
    double lat, lng, accuracy; /* WGS-84; accuracy in metres, -1 unknown */
    const json_t *answers;
    const char *note;
    const svc_finding_t *findings;
    int nfindings;
    const double (*track)[3]; /* lng, lat, ms; river and forest patrols */
    int ntrack;
    const int64_t *attachments; /* photos uploaded ahead (/api/v1/attachments) */
    int nattachments;
} svc_patrol_new_t;

typedef struct {
    db_patrol_t p;
    db_hazard_t *hazards;
    int nhazards;
    db_attachment_t *files; /* its photos (svc_patrol_get) */
    int nfiles;
} svc_patrol_view_t;

/*
 * Record a check-in (a government patrol, or an enterprise's self-check
 * when u is an enterprise account): validated, flagged (far from the
 * object, outside its grid), counted late when it makes up a slot, its
 * findings turned into hazards (a major one into a case, dispatched and
 * under 挂牌督办).  A client id u has used before replays: nothing is
 * written, *replayed is set, *out is the first check-in.
 */
bh_status_t svc_patrol_create(svc_t *s, const svc_user_t *u, const svc_patrol_new_t *in,
                              arena_t *a, svc_patrol_view_t *out, bool *replayed, bh_err_t *err);
bh_status_t svc_patrol_get(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                           svc_patrol_view_t *out, bh_err_t *err);
/* Check-ins of 'unit' (NULL: u's jurisdiction), f's other filters as given. */
bh_status_t svc_patrol_list(svc_t *s, const svc_user_t *u, const char *unit,
                            db_patrol_filter_t *f, arena_t *a, db_patrol_t **out, int *n,
                            bh_err_t *err);

/* One object's standing in a period. */
typedef struct {
    db_object_t o;
    const char *risk;        /* in effect on 'today' */
    patrol_tally_t t;        /* slots ending in the period */
    const char *status;      /* patrol_tally_status */
    bool has_current;        /* a slot runs through 'today': */
    period_t current;
    int current_needed, current_done;
    dt_ms_t last_at;         /* the latest check-in up to 'today', 0 none */
} svc_due_row_t;

/* Every active managed object of 'unit' with its due patrols in 'p', as of 'now'. */
bh_status_t svc_patrol_due(svc_t *s, const svc_user_t *u, const char *unit, period_t p,
                           dt_ms_t now, arena_t *a, svc_due_row_t **out, int *n, bh_err_t *err);

/* Hazards of 'unit' (NULL: u's jurisdiction), f's other filters as given. */
bh_status_t svc_hazard_list(svc_t *s, const svc_user_t *u, const char *unit,
                            db_hazard_filter_t *f, arena_t *a, db_hazard_t **out, int *n,
                            bh_err_t *err);
bh_status_t svc_hazard_get(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                           db_hazard_t *out, bh_err_t *err);
/* The light of a hazard as of 'now' (NONE once rectified or cancelled). */
sla_light_t svc_hazard_light(svc_t *s, const db_hazard_t *h, dt_ms_t now);
/* 'rectify' (整改完成) a general hazard; a major one is rectified and
 * re-inspected (复查) through its case.  expected_version < 0 skips the check. */
bh_status_t svc_hazard_act(svc_t *s, const svc_user_t *u, int64_t id, const char *action,
                           const char *note, int64_t expected_version, arena_t *a,
                           db_hazard_t *out, bh_err_t *err);

enum { SVC_PATROL_GROUP_NONE, SVC_PATROL_GROUP_UNIT, SVC_PATROL_GROUP_KIND,
       SVC_PATROL_GROUP_RISK };

typedef struct {
    const char *key, *name;
    int64_t objects;
    patrol_tally_t t;
    int64_t visits, self_checks;
    int64_t hazards, hazards_major, self_check_hazards;
    int64_t rectified, rectified_on_time, overdue, cases;
    double track_m;
    /* check-ins on sections with a line, and those whose track covered it */
    int64_t section_patrols, sections_covered;
} svc_patrol_figures_t;

/* The patrol figures of 'unit' over the local dates p, as of 'now', by group. */
bh_status_t svc_patrol_stats(svc_t *s, const svc_user_t *u, const char *unit, period_t p,
                             int group_by, dt_ms_t now, arena_t *a, svc_patrol_figures_t **rows,
                             int *n, bh_err_t *err);

/* The value of one figure of GET /api/v1/stats/patrols ("coverage",
 * "visits"…) as that response computes it; false when it is undefined (a
 * rate over nothing) or unknown.  Derived indicators read it. */
bool svc_patrol_figure(const svc_patrol_figures_t *f, const char *key, double *out);

/* ---- the target loop (target.c, target_read.c) ---- */

void svc_target_init(svc_t *s);
void svc_target_fini(svc_t *s);

/* The indicators and assessment rules in force (data/targets.json until
 * one is imported through s->targets); never NULL. */
const target_cfg_t *svc_targets(svc_t *s);

typedef struct {
    const char *unit, *indicator;
    const char *period; /* "2023", "2023Q2" or "2023-06" */
    double value;
    const char *note;
} svc_target_new_t;

/* Set a target (admin; a leader or the command centre for a unit under
 * its own): a new entry, the earlier one kept as history, audited. */
bh_status_t svc_target_set(svc_t *s, const svc_user_t *u, const svc_target_new_t *in,
                           db_target_t *out, bh_err_t *err);
/* svc_target_set inside the caller's write 'c' (a ledger import). */
bh_status_t svc_target_set_tx(svc_t *s, db_conn_t *c, const svc_user_t *u,
                              const svc_target_new_t *in, db_target_t *out, bh_err_t *err);

typedef struct {
    const char *unit, *indicator;
    const char *period; /* "2023-05" */
    bool cumulative;    /* "1-5月累计" */
    bool has_value, has_parts;
    double value, num, den; /* num/den: a ratio indicator's */
    const char *note;
} svc_actual_new_t;

/* Enter an actual of a manual or import indicator for a unit in u's
 * jurisdiction (a street its own): a new entry, a correction keeps the
 * earlier one, audited. */
bh_status_t svc_actual_enter(svc_t *s, const svc_user_t *u, const svc_actual_new_t *in,
                             db_actual_t *out, bh_err_t *err);
/* svc_actual_enter inside the caller's write 'c' (a ledger import). */
bh_status_t svc_actual_enter_tx(svc_t *s, db_conn_t *c, const svc_user_t *u,
                                const svc_actual_new_t *in, db_actual_t *out, bh_err_t *err);

/* A year's entries for units in 'unit''s subtree (NULL: u's), optionally
 * of one indicator; history false: only the ones in force.  Year 0 lists
 * every year. */
bh_status_t svc_target_list(svc_t *s, const svc_user_t *u, const char *unit, int year,
                            const char *indicator, bool history, arena_t *a, db_target_t **out,
                            int *n, bh_err_t *err);
bh_status_t svc_actual_list(svc_t *s, const svc_user_t *u, const char *unit, int year,
                            const char *indicator, bool history, arena_t *a, db_actual_t **out,
                            int *n, bh_err_t *err);

/* One row of the board: a child unit's indicator. */
typedef struct {
    const db_unit_t *unit;
    const indicator_t *ind;
    double target;
    tgt_value_t actual, base; /* year to date, and the same span last year */
    bool actual_entered, base_entered; /* entered, or computed from the other loops */
    tgt_row_t r;
} svc_board_row_t;

/* A child unit's total: its score summed over its rows, ranked among the
 * children of its type. */
typedef struct {
    const db_unit_t *unit;
    double score;
    int rank, nrows;
} svc_board_unit_t;

typedef struct {
    const target_cfg_t *cfg; /* the rules it was computed with */
    int year;
    dt_day_t as_of; /* the end of the period, or today within it */
    svc_board_row_t *rows;
    int nrows;
    svc_board_unit_t *units;
    int nunits;
} svc_board_t;

/* The target board of the children of 'unit' (those with targets), year
 * to date at the end of p (p within one year). */
bh_status_t svc_target_board(svc_t *s, const svc_user_t *u, const char *unit, period_t p,
                             arena_t *a, svc_board_t *out, bh_err_t *err);

/* An indicator of one unit month by month: year to date at each month's
 * end through as_of (the end of 'year', or today within it), against the
 * same span last year, with the board's figures of each month. */
typedef struct {
    const db_unit_t *unit;
    const indicator_t *ind;
    int year, nmonths;
    dt_day_t as_of;
    bool has_target;
    double target;
    tgt_value_t actual[12], base[12];
    tgt_value_t month[12]; /* the month alone (环比 compares it with the month before) */
    tgt_row_t r[12];       /* the board's figures at each month's end */
} svc_trend_t;

bh_status_t svc_target_trend(svc_t *s, const svc_user_t *u, const char *unit,
                             const char *indicator, int year, arena_t *a, svc_trend_t *out,
                             bh_err_t *err);

/* Award the month's flags (流动红旗, 黄旗) among the children of 'unit' by
 * the board at the month's end (a leader or the command centre of 'unit',
 * or admin), once: BH_CONFLICT when already awarded.  *out: the flags. */
bh_status_t svc_flags_award(svc_t *s, const svc_user_t *u, const char *unit, int year, int month,
                            arena_t *a, db_flag_t **out, int *n, bh_err_t *err);
bh_status_t svc_flags_list(svc_t *s, const svc_user_t *u, const char *unit, int year, arena_t *a,
                           db_flag_t **out, int *n, bh_err_t *err);

/* ---- reports (report.c) ---- */

typedef struct {
    const char *kind;          /* "summary" (工作总结) | "bulletin" (通报) */
    const char *unit;
    dt_day_t from, to;         /* local dates, both included */
    const char *template_json; /* NULL: the unit's template (svc_report_template) */
    size_t template_len;
} svc_report_req_t;

/* The figures of req's unit and period that u may read (its jurisdiction;
 * not the outside roles nor grid workers), as a template's values, tables,
 * charts and lists (docs/REPORTS.md names them). */
bh_status_t svc_report_data(svc_t *s, const svc_user_t *u, const svc_report_req_t *req,
                            arena_t *a, rpt_data_t *out, bh_err_t *err);
/* The report: svc_report_data expanded by the template. */
bh_status_t svc_report_build(svc_t *s, const svc_user_t *u, const svc_report_req_t *req,
                             arena_t *a, rpt_doc_t *out, bh_err_t *err);

/* Build req and keep it (report_store.c): *out the stored report, *doc
 * its content. */
bh_status_t svc_report_create(svc_t *s, const svc_user_t *u, const svc_report_req_t *req,
                              arena_t *a, db_report_t *out, rpt_doc_t *doc, bh_err_t *err);
/* A kept report u may read (BH_NOT_FOUND outside its jurisdiction), with
 * its content when doc is non-NULL. */
bh_status_t svc_report_get(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                           db_report_t *out, rpt_doc_t *doc, bh_err_t *err);
/* The kept reports of 'unit''s subtree (NULL: u's), newest first. */
bh_status_t svc_report_list(svc_t *s, const svc_user_t *u, const char *unit, int limit,
                            arena_t *a, db_report_t **out, int *n, bh_err_t *err);
/* May u build and read reports (admin, leaders, the command centre,
 * handlers), of 'unit' when given (its jurisdiction)?  The field named is
 * "role" or "unit". */
bh_status_t svc_report_readable(const svc_user_t *u, const char *unit, bh_err_t *err);
/* svc_report_template for a reader u of 'unit' (svc_report_readable). */
bh_status_t svc_report_template_of(svc_t *s, const svc_user_t *u, const char *kind,
                                   const char *unit, arena_t *a, const char **json,
                                   const char **from, bh_err_t *err);
/* The template a report of 'kind' for 'unit' is built with: the unit's
 * own, else its nearest ancestor's, else the shipped one; *from is the
 * unit whose it is ("" for the shipped one). */
bh_status_t svc_report_template(svc_t *s, const char *kind, const char *unit, arena_t *a,
                                const char **json, const char **from, bh_err_t *err);
/* Set a unit's own template (admin, leaders, the command centre, within
 * their jurisdiction), checked first, audited; json NULL removes it, so
 * the unit inherits again. */
bh_status_t svc_report_template_put(svc_t *s, const svc_user_t *u, const char *kind,
                                    const char *unit, const char *json, size_t len, bh_err_t *err);
/* A scheduled report (admin, leader, command centre; in's kind, unit,
 * every, day, minute): its first run is set, audited. */
bh_status_t svc_schedule_create(svc_t *s, const svc_user_t *u, db_schedule_t *in, bh_err_t *err);
/* The active schedules of units in u's jurisdiction. */
bh_status_t svc_schedule_list(svc_t *s, const svc_user_t *u, arena_t *a, db_schedule_t **out,
                              int *n, bh_err_t *err);
bh_status_t svc_schedule_stop(svc_t *s, const svc_user_t *u, int64_t id, bh_err_t *err);
/* Build every scheduled report due by 'now' (the server's sweeper calls it
 * each tick; `bihuan report run-due` from cron): the number built, -1
 * (err set, the others still run) when one failed. */
int svc_reports_run_due(svc_t *s, dt_ms_t now, bh_err_t *err);

/* ---- the audit log (audit.c) ---- */

/* Inside a write: the unit exists and u may write for it (its
 * jurisdiction); 'below': only strictly under u's own unit (a target or a
 * project is set by a superior).  The field named is "unit". */
bh_status_t svc_unit_writable(db_conn_t *c, const svc_user_t *u, const char *unit, bool below,
                              bh_err_t *err);

/* May u read the target loop's figures of 'unit' (not an outside role;
 * its jurisdiction)?  The field named is "role" or "unit". */
bh_status_t svc_target_readable(const svc_user_t *u, const char *unit, bh_err_t *err);

/* May u see the key project p?  Outside roles: 403 "role"; outside the
 * jurisdiction: BH_NOT_FOUND, as if there were no such project (field "id"). */
bh_status_t svc_project_visible(const svc_user_t *u, const db_project_t *p, bh_err_t *err);

/* ---- key projects (project.c writes, project_read.c reads) ---- */

typedef struct {
    const char *name;
    const char *planned; /* "2023-05-31" */
} svc_milestone_new_t;

/* A project's fields as given: dates "2023-01-01" (started_on and
 * finished_on NULL or "" when not yet); plans and milestones only at
 * creation (year 0: none). */
typedef struct {
    const char *code, *name, *unit, *category, *note;
    bool has_total;
    double total;
    const char *start, *end, *started_on, *finished_on;
    int plan_year;
    bool has_plan;
    double plan;
    const svc_milestone_new_t *milestones;
    int nmilestones;
} svc_project_new_t;

/* Create a key project (admin; a leader or the command centre for a unit
 * in its jurisdiction), with its year's plan and milestones; audited. */
bh_status_t svc_project_create(svc_t *s, const svc_user_t *u, const svc_project_new_t *in,
                               db_project_t *out, bh_err_t *err);

/* Change a project's fields (the same roles) if it is still at 'version'
 * (< 0: any); code, plans and milestones are not changed here. */
bh_status_t svc_project_update(svc_t *s, const svc_user_t *u, int64_t id,
                               const svc_project_new_t *in, int64_t version, arena_t *a,
                               db_project_t *out, bh_err_t *err);

/* Enter an amount, 万元: the year's planned investment (the same roles;
 * period "2023") or the investment completed in a month (the owner unit
 * or above; period "2023-05", not a future month).  A correction is a new
 * entry; audited. */
bh_status_t svc_project_amount(svc_t *s, const svc_user_t *u, int64_t id, const char *period,
                               double amount, const char *note, db_prj_amount_t *out,
                               bh_err_t *err);

/* Add a milestone (the creating roles), or mark one done on 'actual'
 * ("2023-05-31"; NULL or "": not done after all; the owner unit or
 * above); audited. */
bh_status_t svc_milestone_add(svc_t *s, const svc_user_t *u, int64_t id,
                              const svc_milestone_new_t *in, db_milestone_t *out, bh_err_t *err);
bh_status_t svc_milestone_done(svc_t *s, const svc_user_t *u, int64_t id, int64_t milestone,
                               const char *actual, bh_err_t *err);

typedef struct {
    const char *kind; /* "daily" 日推进, "weekly" 周检点, "monthly" 月调度 */
    const char *date; /* "2023-06-12"; NULL: today */
    const char *text, *problems;
    bool has_percent;
    double percent; /* 形象进度 0..1 */
} svc_prj_log_new_t;

/* Add a progress log entry (the owner unit or above); audited. */
bh_status_t svc_project_log(svc_t *s, const svc_user_t *u, int64_t id, const svc_prj_log_new_t *in,
                            db_prj_log_t *out, bh_err_t *err);

typedef struct {
    db_milestone_t m;
    prj_ms_state_t state;
} svc_milestone_view_t;

/* A project with its figures for a year, as of a day. */
typedef struct {
    db_project_t p;
    const char *unit_name;
    int year;
    dt_day_t as_of;
    bool has_plan;
    double planned, completed; /* the year's plan; completed through as_of's month */
    bool has_month[12];
    double month[12];          /* completed in each month (entered) */
    double completed_total;    /* every year's completion through as_of (累计) */
    tgt_value_t plan_completion;
    double time_progress;      /* of the year, by months */
    const char *light;         /* core/project.h prj_light */
    prj_item_t item;
    svc_milestone_view_t *ms;
    int nms;
    const db_prj_log_t *latest; /* the newest progress entry, or NULL */
    db_prj_log_t *logs;         /* svc_project_get only: the log up to as_of, newest first */
    int nlogs;
} svc_project_view_t;

/* The projects owned by units in 'unit''s subtree (NULL: u's), with
 * their figures for the year of period p as of its end (or today), and
 * the figures of the list. */
bh_status_t svc_project_list(svc_t *s, const svc_user_t *u, const char *unit, period_t p,
                             arena_t *a, svc_project_view_t **out, int *n, prj_summary_t *sum,
                             bh_err_t *err);
bh_status_t svc_project_get(svc_t *s, const svc_user_t *u, int64_t id, period_t p, arena_t *a,
                            svc_project_view_t *out, bh_err_t *err);

/*
 * Inside a write: append who did what to which object, with 'detail'
 * (stolen; typically {"before":…,"after":…}) to the hash chain.
 */
bh_status_t svc_audit(db_conn_t *c, const char *actor, const char *action, const char *object,
                      json_t *detail);

/*
 * The same for the common {"after":{…}} detail of flat fields, written
 * without building a JSON tree (the hot path of bulk imports).  A field is
 * a string (NULL: null) or, with is_bool, true when value is non-NULL.
 * Sorts f.  The text is what svc_audit would store for the same object.
 */
typedef struct {
    const char *key, *value;
    bool is_bool;
} svc_audit_field_t;

bh_status_t svc_audit_after(db_conn_t *c, const char *actor, const char *action,
                            const char *object, svc_audit_field_t *f, int n);

typedef struct {
    int64_t rows;    /* rows checked */
    int64_t bad_seq; /* the first bad row, 0 when intact */
    char why[256];
} svc_audit_result_t;

/* Check the whole chain: BH_OK, or BH_FAILED_PRECONDITION with the first
 * bad row and why (deleted, reordered, modified). */
bh_status_t svc_audit_verify(svc_t *s, svc_audit_result_t *out);

/* ---- personal data (mask.c) ---- */

/* May this role see reporters' names and phone numbers unmasked? */
bool svc_sees_pii(bh_role_t role);
/* "13812341234" → "138****1234" (shorter numbers keep less). */
const char *svc_mask_phone(const char *phone, arena_t *a);
/* "张三丰" → "张**": the first character stays. */
const char *svc_mask_name(const char *name, arena_t *a);

/* Give up the leases this server holds (before closing the store), so
 * another server's sweep need not wait for them to lapse. */
void svc_release(svc_t *s);

/* Re-evaluate cases whose light is due to change; returns how many, or -1
 * (err says why).  Only the holder of the "sweep" lease sweeps: on any
 * other server this returns 0. */
int svc_sweep(svc_t *s, dt_ms_t now, bh_err_t *err);

/* The category policy a stored case runs under. */
const sla_policy_t *svc_case_policy(svc_t *s, const db_case_t *k);
/* The same, with the set it is one of (*set). */
const sla_policy_t *svc_case_policy_in(svc_t *s, const db_case_t *k, const cat_set_t **set);
/* A case's category as its version has it (else as the version in force has it), or NULL. */
const cat_t *svc_case_category(svc_t *s, const db_case_t *k);

#endif
