/*
 * test_store_contract.c - the store contract (store/db.h) as a test suite
 * that runs against any db_t: the one the URL in argv[1] (or
 * BIHUAN_TEST_STORE) opens, a fresh SQLite file by default.  A PostgreSQL
 * back-end is written against this suite; every rule here is one that
 * svc/ relies on when writers run concurrently (issue 17, items 10-13).
 *
 * Usage: test_store_contract [URL]
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "contract.h"
#include "core/unitcode.h"
#include "util/arena.h"

char contract_url[600];
db_t *db;

static int setup(void **state)
{
    bh_err_t err;
    (void)state;
    if (db_open(contract_url, 2, &db, &err) != BH_OK) {
        fprintf(stderr, "cannot open %s: %s\n", contract_url, err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    db_close(db);
    return 0;
}

/* ---- writes: a function per step, run through db_write ---- */

static bh_status_t put_units(db_conn_t *c, void *ctx, bh_err_t *err)
{
    static const db_unit_t units[] = {
        {"440303", NULL, "罗湖区", "district", true},
        {"440303001", "440303", "黄贝街道", "street", true},
        {"440303001001", "440303001", "社区", "community", true},
        {"44030300100101", "440303001001", "网格", "grid", true},
        {"440303-CG", "440303", "城市管理局", "department", true},
        {"440303-CGZF", "440303", "城市管理综合执法局", "department", true},
    };
    bh_status_t st = BH_OK;
    (void)ctx;
    for (size_t i = 0; i < sizeof units / sizeof units[0] && st == BH_OK; i++)
        st = DB(c, registry, unit_put, &units[i], err);
    return st;
}

db_case_t new_case(const char *unit, const char *handling, const char *idem)
{
    db_case_t k;
    memset(&k, 0, sizeof k);
    k.category = "E0501";
    k.kind = "city_event";
    k.title = "井盖缺失";
    k.description = "路口井盖缺失";
    k.source = "hotline";
    k.unit = unit;
    k.handling_unit = handling;
    k.idempotency_key = idem;
    k.created_at = k.updated_at = 1700000000000;
    k.version = 1;
    k.status = CASE_ST_REPORTED;
    k.light = SLA_LIGHT_GREEN;
    k.on_time = -1;
    return k;
}

struct ins {
    db_case_t k;
    bh_status_t st;
};

static bh_status_t insert_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct ins *x = ctx;
    x->st = DB(c, cases, case_insert, &x->k, err);
    return x->st;
}

static int64_t insert(const char *unit, const char *handling, const char *idem, bh_status_t *st)
{
    struct ins x = {new_case(unit, handling, idem), BH_OK};
    bh_err_t err;
    bh_status_t w = db_write(db, insert_tx, &x, &err);
    if (st)
        *st = w;
    return w == BH_OK ? x.k.id : 0;
}

/* The case an idempotency key names (0: none). */
static int64_t by_key(const char *key)
{
    db_conn_t *c;
    int64_t found = -1;
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, cases, case_lookup_key, key, "hotline", NULL, &found), BH_OK);
    db_reader_done(db, c);
    return found;
}

static void units_and_scopes(void **state)
{
    bh_err_t err;
    arena_t *a = arena_new();
    db_conn_t *c;
    db_unit_t u;
    db_case_t *rows;
    db_case_filter_t f;
    const char *next;
    int n;
    int64_t cg, cgzf, grid;
    (void)state;

    assert_int_equal(db_write(db, put_units, NULL, &err), BH_OK);
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, registry, unit_get, "440303-CG", a, &u), BH_OK);
    assert_string_equal(u.name, "城市管理局");
    assert_int_equal(DB(c, registry, unit_get, "440399", a, &u), BH_NOT_FOUND);
    db_reader_done(db, c);

    cg = insert("44030300100101", "440303-CG", NULL, NULL);
    cgzf = insert("44030300100101", "440303-CGZF", NULL, NULL);
    grid = insert("44030300100101", NULL, NULL, NULL);
    assert_true(cg && cgzf && grid);
    assert_true(insert("440303-CGZF", NULL, NULL, NULL) > 0); /* a case located at the sibling */

    /* a department's scope is itself: the sibling sharing its prefix is out */
    memset(&f, 0, sizeof f);
    f.status = f.light = -1;
    f.limit = 100;
    f.visible = db_scope("440303-CG");
    assert_false(f.visible.subtree);
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, cases, case_list, &f, a, &rows, &n, &next, &err), BH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, cg);
    /* a street's scope is its subtree */
    f.visible = db_scope("440303001");
    assert_true(f.visible.subtree);
    assert_int_equal(DB(c, cases, case_list, &f, a, &rows, &n, &next, &err), BH_OK);
    assert_int_equal(n, 3); /* not the one located at the district's department */
    /* a unit filter on a department code is exact too: the case located
     * at 440303-CGZF is not under 440303-CG, but is under itself */
    memset(&f.visible, 0, sizeof f.visible);
    f.unit = db_scope("440303-CG");
    assert_int_equal(DB(c, cases, case_list, &f, a, &rows, &n, &next, &err), BH_OK);
    assert_int_equal(n, 0);
    f.unit = db_scope("440303-CGZF");
    assert_int_equal(DB(c, cases, case_list, &f, a, &rows, &n, &next, &err), BH_OK);
    assert_int_equal(n, 1);
    db_reader_done(db, c);
    arena_free(a);
}

/* The unique key decides, not an earlier lookup: a twin insert is a
 * conflict and writes nothing. */
/* Pages follow the back-end's opaque cursor to the end, each row once;
 * a forged cursor and words with nothing searchable are the caller's
 * errors, named by field. */
static void cursors_and_search(void **state)
{
    bh_err_t err;
    arena_t *a = arena_new();
    db_conn_t *c;
    db_case_t *rows;
    db_case_filter_t f;
    const char *next;
    int n, seen = 0, pages = 0;
    (void)state;
    for (int i = 0; i < 7; i++)
        assert_true(insert("44030300100101", NULL, NULL, NULL) > 0);
    memset(&f, 0, sizeof f);
    f.status = f.light = -1;
    f.limit = 3;
    f.sort = DB_SORT_CREATED_DESC;
    assert_int_equal(db_reader(db, &c), BH_OK);
    do {
        assert_int_equal(DB(c, cases, case_list, &f, a, &rows, &n, &next, &err), BH_OK);
        seen += n;
        pages++;
        f.cursor = next;
    } while (next && pages < 100);
    assert_true(seen >= 7);
    assert_int_equal(pages, (seen + 2) / 3);
    f.cursor = "not-a-cursor";
    assert_int_equal(DB(c, cases, case_list, &f, a, &rows, &n, &next, &err), BH_INVALID_ARGUMENT);
    assert_string_equal(err.field, "cursor");
    f.cursor = NULL;
    f.search = "井盖";
    assert_int_equal(DB(c, cases, case_list, &f, a, &rows, &n, &next, &err), BH_OK);
    assert_true(n > 0);
    f.search = "  ，。 ";
    assert_int_equal(DB(c, cases, case_list, &f, a, &rows, &n, &next, &err), BH_INVALID_ARGUMENT);
    assert_string_equal(err.field, "q");
    db_reader_done(db, c);
    arena_free(a);
}

static void insert_conflicts_on_keys(void **state)
{
    bh_status_t st;
    int64_t id, again;
    (void)state;
    id = insert("44030300100101", NULL, "u1:key-1", &st);
    assert_int_equal(st, BH_OK);
    again = insert("44030300100101", NULL, "u1:key-1", &st);
    assert_int_equal(st, BH_CONFLICT);
    assert_int_equal(again, 0);
    assert_int_equal(by_key("u1:key-1"), id);
    assert_int_equal(by_key("u1:none"), 0);
}

struct ev_add {
    int64_t id;
    int seq;
    case_event_t ev;
};

static bh_status_t event_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct ev_add *x = ctx;
    (void)err;
    return DB(c, cases, event_add, x->id, x->seq, &x->ev);
}

struct upd {
    int64_t id, read_version; /* read_version < 0: the version stored */
    dt_ms_t next_change;      /* set it (0: register the case instead) */
    bh_status_t st;
    bool publish;             /* mark it published instead */
};

static bh_status_t update_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct upd *x = ctx;
    arena_t *a = arena_new();
    db_case_t k;
    bh_status_t st = DB(c, cases, case_get, x->id, a, &k);
    if (st == BH_OK) {
        int64_t read = x->read_version < 0 ? k.version : x->read_version;
        k.version = read + 1;
        if (x->publish)
            k.published = true;
        else if (x->next_change)
            k.next_change = x->next_change;
        else
            k.status = CASE_ST_REGISTERED;
        st = DB(c, cases, case_update, &k, read, err);
    }
    x->st = st;
    arena_free(a);
    return st;
}

/* A client's id of an event is unique within its case only, and comes
 * back with the event; the change feed can be limited to one source. */
static void events_keep_client_ids(void **state)
{
    arena_t *a = arena_new();
    bh_err_t err;
    db_conn_t *c;
    case_event_t *ev;
    db_event_row_t *rows;
    int n;
    int64_t one = insert("44030300100101", NULL, NULL, NULL),
            two = insert("44030300100101", NULL, NULL, NULL);
    struct ev_add x = {one, 1, {.action = CASE_ACT_REPORT, .role = ROLE_PUBLIC, .at = 1700000000000}};
    (void)state;
    assert_int_equal(db_write(db, event_tx, &x, &err), BH_OK);
    x.seq = 2;
    x.ev.action = CASE_ACT_COMMENT;
    x.ev.note = "还没修";
    x.ev.ext_id = "fms-9";
    x.ev.extra = "{\"email\":\"a@example.org\"}";
    x.ev.at++;
    assert_int_equal(db_write(db, event_tx, &x, &err), BH_OK);
    x.seq = 3; /* the same client id again on this case */
    assert_int_equal(db_write(db, event_tx, &x, &err), BH_CONFLICT);
    x.id = two; /* on another case it is another comment */
    x.seq = 1;
    assert_int_equal(db_write(db, event_tx, &x, &err), BH_OK);

    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, cases, event_list, one, a, &ev, &n), BH_OK);
    assert_int_equal(n, 2);
    assert_null(ev[0].ext_id);
    assert_string_equal(ev[1].ext_id, "fms-9");
    assert_string_equal(ev[1].extra, "{\"email\":\"a@example.org\"}");
    {
        /* a page's histories in one read, in the order asked, an unknown id empty */
        int64_t ids[4] = {two, 999999, one, two};
        case_event_t *lists[4];
        int nlists[4];
        assert_int_equal(DB(c, cases, event_lists, ids, 4, a, lists, nlists), BH_OK);
        assert_int_equal(nlists[0], 1);
        assert_int_equal(nlists[1], 0);
        assert_int_equal(nlists[2], 2);
        assert_int_equal(nlists[3], 1);
        assert_int_equal(lists[2][0].action, CASE_ACT_REPORT);
        assert_string_equal(lists[2][1].note, "还没修");
        assert_string_equal(lists[0][0].ext_id, "fms-9");
        assert_int_equal(DB(c, cases, event_lists, ids, 0, a, lists, nlists), BH_OK);
    }
    assert_int_equal(DB(c, cases, events_between, 1700000000000, 1700000000002, false, 10, a,
                        &rows, &n), BH_OK);
    assert_int_equal(n, 3);
    assert_string_equal(rows[1].ev.ext_id, "fms-9");
    assert_int_equal(DB(c, cases, events_between, 1700000000000, 1700000000002, true, 10, a,
                        &rows, &n), BH_OK);
    assert_int_equal(n, 0);
    db_reader_done(db, c);
    /* published: the feed and the lists of what anyone may read */
    {
        struct upd u = {two, -1, 0, BH_OK, true};
        db_case_filter_t f;
        db_case_t *list;
        const char *next;
        assert_int_equal(db_write(db, update_tx, &u, &err), BH_OK);
        assert_int_equal(db_reader(db, &c), BH_OK);
        assert_int_equal(DB(c, cases, events_between, 1700000000000, 1700000000002, true, 10, a,
                            &rows, &n), BH_OK);
        assert_int_equal(n, 1);
        assert_int_equal(rows[0].case_id, two);
        memset(&f, 0, sizeof f);
        f.status = f.light = -1;
        f.limit = 100;
        f.published = true;
        assert_int_equal(DB(c, cases, case_list, &f, a, &list, &n, &next, &err), BH_OK);
        assert_int_equal(n, 1);
        assert_int_equal(list[0].id, two);
        assert_true(list[0].published);
        db_reader_done(db, c);
    }
    arena_free(a);
}

static bh_status_t put_component(db_conn_t *c, void *ctx, bh_err_t *err)
{
    db_object_t o = {0};
    (void)ctx;
    o.kind = "component";
    o.code = "4403030101000077";
    o.name = "上水井盖";
    o.grid = "44030300100101";
    o.has_location = o.active = true;
    o.lat = 22.53;
    o.lng = 114.08;
    o.created_at = o.updated_at = 1700000000000;
    return DB(c, registry, object_put, &o, err);
}

static void objects_by_code(void **state)
{
    arena_t *a = arena_new();
    bh_err_t err;
    db_conn_t *c;
    db_object_t o;
    (void)state;
    assert_int_equal(db_write(db, put_units, NULL, &err), BH_OK);
    assert_int_equal(db_write(db, put_component, NULL, &err), BH_OK);
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, registry, object_by_code, "4403030101000077", a, &o), BH_OK);
    assert_string_equal(o.grid, "44030300100101");
    assert_true(o.has_location && o.lat == 22.53 && o.lng == 114.08);
    assert_int_equal(DB(c, registry, object_by_code, "4403030101000078", a, &o), BH_NOT_FOUND);
    db_reader_done(db, c);
    arena_free(a);
}

/* An update conditional on the version read: the second of two writers
 * that read version 1 gets a conflict, never a lost update. */
static void update_is_conditional(void **state)
{
    int64_t id = insert("44030300100101", NULL, NULL, NULL);
    struct upd first = {id, 1, 0, BH_OK, false}, second = {id, 1, 0, BH_OK, false};
    bh_err_t err;
    arena_t *a = arena_new();
    db_conn_t *c;
    db_case_t k;
    (void)state;
    assert_int_equal(db_write(db, update_tx, &first, &err), BH_OK);
    assert_int_equal(db_write(db, update_tx, &second, &err), BH_CONFLICT);
    assert_string_equal(err.field, "version");
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, cases, case_get, id, a, &k), BH_OK);
    assert_int_equal(k.version, 2);
    assert_int_equal(DB(c, cases, case_get, id + 1000000, a, &k), BH_NOT_FOUND);
    db_reader_done(db, c);
    arena_free(a);
}

/* ---- key projects ---- */

static bh_status_t project_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    db_project_t *p = ctx;
    bh_status_t st = DB(c, project, project_add, p, err);
    db_milestone_t m = {0, p->id, "开工", 19400, 0, 1, "t"};
    db_prj_amount_t plan = {0, p->id, 2023, 0, 1000, 1, "t", NULL};
    db_prj_amount_t may = {0, p->id, 2023, 5, 100, 1, "t", NULL};
    db_prj_amount_t fix = {0, p->id, 2023, 5, 120, 2, "t", "更正"};
    db_prj_log_t early = {0, p->id, "daily", 19400, "早", NULL, -1, 1, "t"};
    db_prj_log_t late = {0, p->id, "weekly", 19410, "晚", "问题", 0.5, 1, "t"};
    if (st || (st = DB(c, project, milestone_add, &m, err)) ||
        (st = DB(c, project, amount_add, &plan, err)) ||
        (st = DB(c, project, amount_add, &may, err)) ||
        (st = DB(c, project, amount_add, &fix, err)) ||
        (st = DB(c, project, log_add, &late, err)) || (st = DB(c, project, log_add, &early, err)))
        return st;
    return BH_OK;
}

struct prj_upd {
    db_project_t p;
    int64_t version;
    int64_t ms;
    int32_t day;
};

static bh_status_t project_update_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct prj_upd *u = ctx;
    return DB(c, project, project_update, &u->p, u->version, err);
}

static bh_status_t milestone_done_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct prj_upd *u = ctx;
    return DB(c, project, milestone_done, u->p.id, u->ms, u->day, 5, "t", err);
}

/* A project's code is a key; its update is conditional on the version;
 * amounts are entries, oldest first; the log is read up to a day, newest
 * first, and its latest entry per project up to that day. */
static void projects(void **state)
{
    db_project_t p = {0, "P-1", "道路工程", "440303-CG", "市政", 5000, 19300, 19800, 19350, 0,
                      1, "t", NULL, 0};
    db_project_t dup = p;
    struct prj_upd u;
    bh_err_t err;
    arena_t *a = arena_new();
    db_conn_t *c;
    db_project_t got;
    db_milestone_t *ms;
    db_prj_amount_t *am;
    db_prj_log_t *logs;
    int n;
    (void)state;
    assert_int_equal(db_write(db, put_units, NULL, &err), BH_OK);
    assert_int_equal(db_write(db, project_tx, &p, &err), BH_OK);
    assert_int_equal(db_write(db, project_tx, &dup, &err), BH_CONFLICT);
    assert_string_equal(err.field, "code");
    u = (struct prj_upd){p, 1, 0, 0};
    u.p.name = "道路工程（一期）";
    assert_int_equal(db_write(db, project_update_tx, &u, &err), BH_OK);
    assert_int_equal(db_write(db, project_update_tx, &u, &err), BH_CONFLICT); /* still at 1 */
    assert_string_equal(err.field, "version");
    u.p.id = p.id + 1000;
    assert_int_equal(db_write(db, project_update_tx, &u, &err), BH_NOT_FOUND);
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, project, project_get, p.id, a, &got), BH_OK);
    assert_string_equal(got.name, "道路工程（一期）");
    assert_string_equal(got.code, "P-1");
    assert_int_equal(got.version, 2);
    assert_int_equal(got.started_on, 19350);
    assert_int_equal(got.finished_on, 0);
    assert_int_equal(DB(c, project, milestone_list, p.id, a, &ms, &n), BH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ms[0].actual_day, 0);
    assert_int_equal(DB(c, project, amount_list, p.id, 2023, a, &am, &n), BH_OK);
    assert_int_equal(n, 3);
    assert_true(am[1].amount == 100 && am[2].amount == 120 && am[2].month == 5);
    assert_int_equal(DB(c, project, amount_list, p.id, 2022, a, &am, &n), BH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(DB(c, project, log_list, p.id, 19405, a, &logs, &n), BH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(logs[0].text, "早");
    assert_true(logs[0].percent < 0);
    assert_int_equal(DB(c, project, log_list, 0, 19420, a, &logs, &n), BH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(logs[0].text, "晚");
    assert_true(logs[0].percent == 0.5);
    assert_int_equal(DB(c, project, log_list, 0, 19000, a, &logs, &n), BH_OK);
    assert_int_equal(n, 0);
    db_reader_done(db, c);
    u = (struct prj_upd){p, 0, ms[0].id, 19401};
    assert_int_equal(db_write(db, milestone_done_tx, &u, &err), BH_OK);
    u.ms = ms[0].id + 1000;
    assert_int_equal(db_write(db, milestone_done_tx, &u, &err), BH_NOT_FOUND);
    assert_string_equal(err.field, "milestone");
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, project, milestone_list, 0, a, &ms, &n), BH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ms[0].actual_day, 19401);
    db_reader_done(db, c);
    arena_free(a);
}

static bh_status_t fill_hash(db_audit_t *r, void *ctx)
{
    (void)ctx;
    memset(r->hash, (int)(r->seq & 0xff), 32);
    return BH_OK;
}

static bh_status_t audit_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    db_audit_t r;
    (void)err;
    memset(&r, 0, sizeof r);
    r.at = 1700000000000;
    r.actor = "t";
    r.action = "test";
    r.object = ctx;
    r.detail = "{}";
    return DB(c, audit, audit_append, &r, fill_hash, NULL);
}

struct walk {
    int n, lane;
    int64_t last_seq;
    unsigned char prev[32];
    bool ok;
};

static bh_status_t walk_row(const db_audit_t *r, void *ctx)
{
    struct walk *w = ctx;
    if (w->n == 0 || r->lane != w->lane) {
        w->ok &= w->n == 0 || r->lane > w->lane;
        w->lane = r->lane;
        w->last_seq = 0;
        memset(w->prev, 0, 32);
    }
    w->ok &= r->seq == w->last_seq + 1 && memcmp(r->prev_hash, w->prev, 32) == 0;
    w->last_seq = r->seq;
    memcpy(w->prev, r->hash, 32);
    w->n++;
    return BH_OK;
}

/* Appends are linked by the store: seq and prev_hash follow the lane's
 * head; the walk returns every row, lane by lane, in seq order. */
static void audit_chains(void **state)
{
    struct walk w = {0, 0, 0, {0}, true};
    bh_err_t err;
    db_conn_t *c;
    (void)state;
    for (int i = 0; i < 5; i++)
        assert_int_equal(db_write(db, audit_tx, "obj", &err), BH_OK);
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, audit, audit_walk, walk_row, &w), BH_OK);
    db_reader_done(db, c);
    assert_int_equal(w.n, 5);
    assert_true(w.ok);
}

struct lease {
    const char *holder;
    dt_ms_t now;
    bool held;
    bool release;
};

static bh_status_t lease_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct lease *x = ctx;
    (void)err;
    if (x->release)
        return DB(c, ops, lease_release, "job", x->holder);
    return DB(c, ops, lease, "job", x->holder, x->now, 10000, &x->held);
}

static bool take(const char *holder, dt_ms_t now)
{
    struct lease x = {holder, now, false, false};
    bh_err_t err;
    assert_int_equal(db_write(db, lease_tx, &x, &err), BH_OK);
    return x.held;
}

/* One holder at a time; the holder renews; a lapsed or released lease
 * passes to the next. */
static void leases(void **state)
{
    struct lease rel = {"b", 0, false, true};
    bh_err_t err;
    (void)state;
    assert_true(take("a", 1000));
    assert_false(take("b", 2000));
    assert_true(take("a", 5000));   /* renewed until 15000 */
    assert_false(take("b", 12000));
    assert_true(take("b", 15000));  /* lapsed */
    assert_false(take("a", 16000));
    assert_int_equal(db_write(db, lease_tx, &rel, &err), BH_OK);
    assert_true(take("a", 16001));  /* released */
}

struct mark {
    db_import_t r;
    int64_t expect;
    dt_ms_t expect_at;
    bool won;
};

static bh_status_t mark_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct mark *x = ctx;
    (void)err;
    return DB(c, ops, import_mark, &x->r, x->expect, x->expect_at, &x->won);
}

static bool mark_at(db_import_t *r, int64_t rows_done, int64_t expect, dt_ms_t expect_at,
                    bool finished)
{
    struct mark x = {*r, expect, expect_at, false};
    bh_err_t err;
    x.r.rows_done = rows_done;
    x.r.created = rows_done;
    x.r.at = 5000 + rows_done;
    x.r.finished_at = finished ? x.r.at : 0;
    assert_int_equal(db_write(db, mark_tx, &x, &err), BH_OK);
    return x.won;
}

static bool mark(db_import_t *r, int64_t rows_done, int64_t expect, bool finished)
{
    return mark_at(r, rows_done, expect, 0, finished);
}

static db_import_t mark_read(const db_import_t *r)
{
    db_import_t out;
    db_conn_t *c;
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, ops, import_get, r->digest, r->kind, r->username, &out), BH_OK);
    db_reader_done(db, c);
    return out;
}

/* A ledger import's checkpoint moves on only from where its run left it,
 * so two runs of one file never both write its rows; the finished one a
 * run read when it began is replaced by it, an unfinished one or another
 * finished one is not. */
static void import_checkpoints(void **state)
{
    db_import_t r = {.kind = "cases", .username = "op", .started_at = 1000}, o = r, got;
    db_conn_t *c;
    (void)state;
    memset(r.digest, 0xab, 32);
    o.digest[0] = 1;
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, ops, import_get, r.digest, "cases", "op", &got), BH_NOT_FOUND);
    db_reader_done(db, c);
    assert_true(mark(&r, 2000, -1, false));   /* the first chunk starts the run */
    assert_false(mark(&r, 2000, -1, false));  /* a second run of the file cannot start */
    assert_false(mark(&r, 4000, 0, false));   /* nor go on from elsewhere */
    assert_true(mark(&r, 4000, 2000, false)); /* the run goes on */
    got = mark_read(&r);
    assert_int_equal(got.rows_done, 4000);
    assert_int_equal(got.created, 4000);
    assert_int_equal(got.started_at, 1000);
    assert_int_equal(got.at, 9000);
    assert_int_equal(got.finished_at, 0);
    r.username = "other"; /* another user's run of the same bytes is its own */
    assert_true(mark(&r, 10, -1, false));
    r.username = "op";
    assert_true(mark(&o, 10, -1, true));       /* another file */
    assert_true(mark(&r, 4500, 4000, true));  /* finished */
    assert_false(mark(&r, 4600, 4500, false)); /* a finished run does not go on */
    got = mark_read(&r);
    assert_int_equal(got.rows_done, 4500);
    assert_int_equal(got.finished_at, 9500);
    r.started_at = 20000;
    assert_false(mark(&r, 100, -1, false));   /* a run that saw no checkpoint finds one */
    assert_false(mark_at(&r, 100, -1, 9000, false)); /* nor over another finished run than it saw */
    assert_true(mark_at(&r, 100, -1, 9500, false)); /* the next run of the file starts afresh */
    got = mark_read(&r);
    assert_int_equal(got.rows_done, 100);
    assert_int_equal(got.started_at, 20000);
    assert_int_equal(got.finished_at, 0);
}

static bh_status_t catver_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    (void)err;
    return DB(c, registry, catver_add, ctx);
}

/* Categories documents in versions: listed oldest first from a version on;
 * a number taken is a conflict and stores nothing; a case keeps the version
 * it was stored with. */
static void category_versions(void **state)
{
    db_catver_t v1 = {1, "{\"a\":1}", "d1", "file", 1000, NULL},
                v2 = {2, "{\"a\":2}", "d2", "admin", 2000, "admin"},
                twin = {2, "{\"a\":3}", "d3", "admin", 3000, "other"}, *rows;
    struct ins x = {new_case("44030300100101", NULL, NULL), BH_OK};
    db_conn_t *c;
    arena_t *a = arena_new();
    db_case_t k;
    bh_err_t err;
    int n;
    (void)state;
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, registry, catver_list, 0, a, &rows, &n), BH_OK);
    db_reader_done(db, c);
    assert_int_equal(n, 0);
    assert_int_equal(db_write(db, catver_tx, &v1, &err), BH_OK);
    assert_int_equal(db_write(db, catver_tx, &v2, &err), BH_OK);
    assert_int_equal(db_write(db, catver_tx, &twin, &err), BH_CONFLICT);
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, registry, catver_list, 0, a, &rows, &n), BH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].version, 1);
    assert_string_equal(rows[0].source, "file");
    assert_null(rows[0].by);
    assert_int_equal(rows[0].at, 1000);
    assert_int_equal(rows[1].version, 2);
    assert_string_equal(rows[1].body, "{\"a\":2}");
    assert_string_equal(rows[1].digest, "d2");
    assert_string_equal(rows[1].by, "admin");
    assert_int_equal(DB(c, registry, catver_list, 1, a, &rows, &n), BH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].version, 2);
    db_reader_done(db, c);
    x.k.policy_version = 2;
    assert_int_equal(db_write(db, insert_tx, &x, &err), BH_OK);
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, cases, case_get, x.k.id, a, &k), BH_OK);
    db_reader_done(db, c);
    assert_int_equal(k.policy_version, 2);
    arena_free(a);
}

static bh_status_t file_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    return DB(c, files, attachment_add, ctx, err);
}

struct bind {
    int64_t id, case_id;
    const char *by;
    bool won;
};

static bh_status_t bind_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct bind *b = ctx;
    (void)err;
    return DB(c, files, attachment_bind, b->id, b->by, b->case_id, 0, &b->won);
}

/* Attachments: stored with every field, listed by case oldest first; one
 * uploaded ahead is bound once, by its uploader only. */
static void attachments(void **state)
{
    int64_t k = insert("44030300100101", NULL, NULL, NULL);
    db_attachment_t a1 = {.case_id = k, .sha256 = "aa", .type = "jpeg", .size = 10,
                          .stage = "before", .name = "照片.jpg", .taken_at = 1700000000000,
                          .has_exif = true, .has_gps = true, .lat = 22.5, .lng = 114.1,
                          .uploaded_by = "wgy", .at = 1700000001000},
                    a2 = {.sha256 = "bb", .type = "pdf", .size = 20, .stage = "other",
                          .uploaded_by = "wgy", .at = 1700000002000},
                    got, *rows;
    struct bind b;
    db_conn_t *c;
    arena_t *a = arena_new();
    bh_err_t err;
    int n;
    (void)state;
    assert_int_equal(db_write(db, file_tx, &a1, &err), BH_OK);
    assert_int_equal(db_write(db, file_tx, &a2, &err), BH_OK);
    assert_true(a1.id > 0 && a2.id > a1.id);
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, files, attachment_get, a1.id, a, &got), BH_OK);
    assert_int_equal(got.case_id, k);
    assert_string_equal(got.name, "照片.jpg");
    assert_int_equal(got.taken_at, 1700000000000);
    assert_true(got.has_exif && got.has_gps);
    assert_true(got.lat == 22.5 && got.lng == 114.1);
    assert_int_equal(DB(c, files, attachment_get, a2.id, a, &got), BH_OK);
    assert_int_equal(got.case_id, 0);
    assert_false(got.has_gps);
    assert_null(got.name);
    assert_int_equal(DB(c, files, attachment_get, a2.id + 1000, a, &got), BH_NOT_FOUND);
    db_reader_done(db, c);
    b = (struct bind){a2.id, k, "other", false};
    assert_int_equal(db_write(db, bind_tx, &b, &err), BH_OK);
    assert_false(b.won); /* not theirs */
    b.by = "wgy";
    assert_int_equal(db_write(db, bind_tx, &b, &err), BH_OK);
    assert_true(b.won);
    assert_int_equal(db_write(db, bind_tx, &b, &err), BH_OK);
    assert_false(b.won); /* bound already */
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, files, attachment_list, k, 0, a, &rows, &n), BH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, a1.id);
    assert_int_equal(rows[1].id, a2.id);
    {
        /* what a backup copies: every stored file once, and a snapshot of
         * the store that opens and holds the same rows */
        const char **sha;
        char path[700];
        db_t *copy;
        db_conn_t *cc;
        assert_int_equal(DB(c, files, attachment_digests, a, &sha, &n), BH_OK);
        assert_int_equal(n, 2);
        assert_string_equal(sha[0], "aa");
        assert_string_equal(sha[1], "bb");
        snprintf(path, sizeof path, "%s.snapshot", strncmp(contract_url, "sqlite:", 7) ? contract_url : contract_url + 7);
        unlink(path);
        assert_int_equal(DB(c, ops, snapshot, path, &err), BH_OK);
        assert_int_equal(db_open(path, 1, &copy, &err), BH_OK);
        assert_int_equal(db_reader(copy, &cc), BH_OK);
        assert_int_equal(DB(cc, files, attachment_get, a1.id, a, &got), BH_OK);
        assert_string_equal(got.name, "照片.jpg");
        db_reader_done(copy, cc);
        db_close(copy);
        unlink(path);
    }
    db_reader_done(db, c);
    arena_free(a);
}

struct config {
    const char *kind, *json;
    dt_ms_t at;
};

static bh_status_t config_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    const struct config *x = ctx;
    (void)err;
    return DB(c, ops, config_put, x->kind, x->json, x->at, "contract");
}

/* A configuration document per kind: absent until put, then the newest. */
static void configs(void **state)
{
    struct config p = {"patrol", "{\"plans\":[]}", 1000}, t = {"targets", "{\"indicators\":[]}", 2000};
    db_conn_t *c;
    arena_t *a = arena_new();
    const char *json, *by;
    dt_ms_t at;
    bh_err_t err;
    (void)state;
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, ops, config_get, "targets", a, &json, &at, &by), BH_NOT_FOUND);
    db_reader_done(db, c);
    assert_int_equal(db_write(db, config_tx, &p, &err), BH_OK);
    assert_int_equal(db_write(db, config_tx, &t, &err), BH_OK);
    t.json = "{\"indicators\":[1]}";
    t.at = 3000;
    assert_int_equal(db_write(db, config_tx, &t, &err), BH_OK);
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, ops, config_get, "patrol", a, &json, &at, &by), BH_OK);
    assert_string_equal(json, "{\"plans\":[]}");
    assert_int_equal(at, 1000);
    assert_string_equal(by, "contract");
    assert_int_equal(DB(c, ops, config_get, "targets", a, &json, &at, &by), BH_OK);
    assert_string_equal(json, "{\"indicators\":[1]}");
    assert_int_equal(at, 3000);
    db_reader_done(db, c);
    arena_free(a);
}

struct sess {
    int op;
    unsigned char hash[32];
    int64_t user, purged;
    dt_ms_t at;
};

static bh_status_t user_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    db_user_t u = {0, "contract", "operator", "440303", NULL, NULL, "x", true, 0};
    (void)ctx;
    return DB(c, auth, user_put, &u, err);
}

static bh_status_t sess_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct sess *x = ctx;
    (void)err;
    switch (x->op) {
    case 0: return DB(c, auth, session_put, x->hash, x->user, x->at, x->at + 100000);
    case 1: return DB(c, auth, session_touch, x->hash, x->at);
    case 2: return DB(c, auth, session_del_user, x->user);
    default: return DB(c, auth, session_purge, x->at, x->at - 1000, &x->purged);
    }
}

static bh_status_t sess_get(const unsigned char hash[32], dt_ms_t now, dt_ms_t idle_since)
{
    arena_t *a = arena_new();
    db_conn_t *c;
    db_user_t u;
    dt_ms_t last = 0;
    bh_status_t st;
    assert_int_equal(db_reader(db, &c), BH_OK);
    st = DB(c, auth, session_get, hash, now, idle_since, a, &u, &last);
    db_reader_done(db, c);
    arena_free(a);
    return st;
}

/* Sessions: expiry, the idle clock, revocation by user, purge. */
static void sessions(void **state)
{
    struct sess x;
    bh_err_t err;
    arena_t *a = arena_new();
    db_conn_t *c;
    db_user_t u;
    (void)state;
    assert_int_equal(db_write(db, user_tx, NULL, &err), BH_OK);
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, auth, user_get, "contract", a, &u), BH_OK);
    db_reader_done(db, c);
    memset(&x, 0, sizeof x);
    memset(x.hash, 7, 32);
    x.user = u.id;
    x.at = 10000;
    assert_int_equal(db_write(db, sess_tx, &x, &err), BH_OK);
    assert_int_equal(sess_get(x.hash, 20000, 5000), BH_OK);
    assert_int_equal(sess_get(x.hash, 20000, 15000), BH_NOT_FOUND); /* idle since 10000 */
    x.op = 1;
    x.at = 16000;
    assert_int_equal(db_write(db, sess_tx, &x, &err), BH_OK);
    assert_int_equal(sess_get(x.hash, 20000, 15000), BH_OK);         /* touched at 16000 */
    assert_int_equal(sess_get(x.hash, 200000, 0), BH_NOT_FOUND);     /* expired at 110000 */
    x.op = 2;
    assert_int_equal(db_write(db, sess_tx, &x, &err), BH_OK);
    assert_int_equal(sess_get(x.hash, 20000, 0), BH_NOT_FOUND);      /* revoked */
    x.op = 0;
    x.at = 10000;
    assert_int_equal(db_write(db, sess_tx, &x, &err), BH_OK);
    x.op = 3;
    x.at = 120000; /* past expiry */
    assert_int_equal(db_write(db, sess_tx, &x, &err), BH_OK);
    assert_int_equal(x.purged, 1);
    arena_free(a);
}

struct sp {
    int64_t id;
};

/* Inside a write: a rolled-back savepoint leaves nothing; the rest of
 * the transaction commits. */
static bh_status_t savepoint_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct sp *x = ctx;
    db_case_t gone = new_case("44030300100101", NULL, "sp:gone"), kept = new_case("44030300100101", NULL, "sp:kept");
    bh_status_t st;
    if ((st = DB(c, ops, savepoint, DB_SP_BEGIN)) || (st = DB(c, cases, case_insert, &gone, err)) ||
        (st = DB(c, ops, savepoint, DB_SP_ROLLBACK)))
        return st;
    if ((st = DB(c, ops, savepoint, DB_SP_ROW_BEGIN)) || (st = DB(c, cases, case_insert, &kept, err)) ||
        (st = DB(c, ops, savepoint, DB_SP_ROW_RELEASE)))
        return st;
    x->id = kept.id;
    return BH_OK;
}

static void savepoints(void **state)
{
    struct sp x = {0};
    bh_err_t err;
    (void)state;
    assert_int_equal(db_write(db, savepoint_tx, &x, &err), BH_OK);
    assert_int_equal(by_key("sp:gone"), 0);
    assert_int_equal(by_key("sp:kept"), x.id);
}

struct quar {
    int64_t id;
};

static bh_status_t quarantine_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    (void)err;
    return DB(c, cases, case_quarantine, ((struct quar *)ctx)->id, 10, "测试");
}

static bool due(int64_t id)
{
    int64_t ids[256];
    int n;
    bool found = false;
    db_conn_t *c;
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, cases, sweep_due, 100, 256, ids, &n), BH_OK);
    db_reader_done(db, c);
    for (int i = 0; i < n; i++)
        found |= ids[i] == id;
    return found;
}

/* A quarantined case leaves the sweep's schedule. */
static void quarantine_unschedules(void **state)
{
    struct quar x = {insert("44030300100101", NULL, NULL, NULL)};
    struct upd due_now = {x.id, -1, 5, BH_OK, false};
    bh_err_t err;
    (void)state;
    assert_int_equal(db_write(db, update_tx, &due_now, &err), BH_OK);
    assert_true(due(x.id));
    assert_int_equal(db_write(db, quarantine_tx, &x, &err), BH_OK);
    assert_false(due(x.id));
}

/* ---- concurrent writers: the rules hold when writes race ---- */

#define RACERS 8

struct racer {
    int64_t id;        /* update race: the case */
    const char *key;   /* insert race: the idempotency key */
    bh_status_t st;
};

static void *update_racer(void *arg)
{
    struct racer *r = arg;
    struct upd u = {r->id, 1, 0, BH_OK, false}; /* every racer read version 1 */
    bh_err_t err;
    r->st = db_write(db, update_tx, &u, &err);
    return NULL;
}

static void *insert_racer(void *arg)
{
    struct racer *r = arg;
    insert("44030300100101", NULL, r->key, &r->st);
    return NULL;
}

/* Run RACERS threads of fn over r; how many got BH_OK (*conflicts: how
 * many BH_CONFLICT). */
static int race(void *(*fn)(void *), struct racer *r, int *conflicts)
{
    pthread_t t[RACERS];
    int won = 0;
    *conflicts = 0;
    for (int i = 0; i < RACERS; i++)
        pthread_create(&t[i], NULL, fn, &r[i]);
    for (int i = 0; i < RACERS; i++) {
        pthread_join(t[i], NULL);
        won += r[i].st == BH_OK;
        *conflicts += r[i].st == BH_CONFLICT;
    }
    return won;
}

/* Eight writers that all read version 1 race to update: exactly one
 * wins, the others get BH_CONFLICT.  Eight inserts with one idempotency
 * key: exactly one row. */
static void writers_race(void **state)
{
    struct racer r[RACERS];
    int conflicts;
    int64_t id = insert("44030300100101", NULL, NULL, NULL);
    (void)state;
    for (int i = 0; i < RACERS; i++)
        r[i] = (struct racer){id, NULL, BH_OK};
    assert_int_equal(race(update_racer, r, &conflicts), 1);
    assert_int_equal(conflicts, RACERS - 1);
    for (int i = 0; i < RACERS; i++)
        r[i] = (struct racer){0, "race:key", BH_OK};
    assert_int_equal(race(insert_racer, r, &conflicts), 1);
    assert_int_equal(conflicts, RACERS - 1);
    assert_true(by_key("race:key") > 0);
}

/* A reader wait ends: with the pool (2) held, the next one is refused
 * after DB_READER_WAIT_MS instead of hanging. */
static void reader_wait_times_out(void **state)
{
    db_conn_t *a, *b, *c;
    (void)state;
    assert_int_equal(db_reader(db, &a), BH_OK);
    assert_int_equal(db_reader(db, &b), BH_OK);
    assert_int_equal(db_reader(db, &c), BH_UNAVAILABLE);
    assert_null(c);
    db_reader_done(db, a);
    assert_int_equal(db_reader(db, &c), BH_OK);
    db_reader_done(db, b);
    db_reader_done(db, c);
}

/* ---- statistics: the roll-ups answer as the definition does ---- */

static uint64_t rng_state; /* contract_rnd's, seeded by the test */

static uint64_t rnd(void) { return contract_rnd(&rng_state); }

static int pick(int n) { return (int)(rnd() % (uint64_t)n); }

#define NSTATS_CASES 400
#define DAY_MS 86400000LL
/* 2024-03-04 00:00 China Standard Time: whole local days from here */
#define T0 (1709481600000LL)

static const char *const st_units[] = {
    "440304", "440304001", "440304002", "440304001001", "440304001002", "440304002001",
    "44030400100101", "44030400100102", "44030400100201", "44030400200101",
    "440304-CG", "440304-CGZF", "440304001-SF",
};
static const char *const st_handlers[] = {NULL, "440304-CG", "440304-CGZF", "440304001-SF"};
static const char *const st_categories[] = {"E0501", "E0502", "C0101"};
static const char *const st_sources[] = {"hotline", "grid", "app", "petition"};

/* A moment within the 40 days from T0 (three 16-day buckets of
 * migration 21): often a midnight exactly, or a millisecond either side
 * of one, since that is where days split. */
static dt_ms_t moment(void)
{
    dt_ms_t day = T0 + pick(40) * DAY_MS;
    switch (pick(6)) {
    case 0: return day;
    case 1: return day - 1;
    case 2: return day + 1;
    default: return day + (dt_ms_t)(rnd() % (uint64_t)DAY_MS);
    }
}

static dt_ms_t later(dt_ms_t t, int pct)
{
    if (pick(100) >= pct)
        return 0;
    dt_ms_t m = moment();
    return m > t ? m : t + 1 + pick(3600000);
}

/* Random values of every field the figures read, as a case's history
 * could leave them - and a reopen, a transfer, a second rating. */
static void st_history(db_case_t *k)
{
    k->handling_unit = st_handlers[pick(4)];
    k->registered_at = later(k->created_at, 80);
    k->dispatched_at = k->registered_at ? later(k->registered_at, 80) : 0;
    k->handled_at = k->dispatched_at ? later(k->dispatched_at, 70) : 0;
    k->closed_at = k->registered_at ? later(k->registered_at, 50) : 0;
    k->due_at = k->registered_at && pick(10) < 8 ? later(k->registered_at, 100) : 0;
    k->on_time = k->closed_at ? pick(3) - 1 : -1;
    k->rework_count = pick(4) == 0 ? 1 + pick(2) : 0;
    k->rating = pick(3) == 0 ? 1 + pick(5) : 0;
}

struct st_write {
    db_case_t *k;
    bool insert;
};

static bh_status_t st_write_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct st_write *x = ctx;
    if (x->insert)
        return DB(c, cases, case_insert, x->k, err);
    x->k->version++;
    return DB(c, cases, case_update, x->k, x->k->version - 1, err);
}

/* The reference: the figures of 'q' computed here from the cases as
 * written, by the definitions of core/metric.h. */
static int st_reference(const db_case_t *ks, int nk, const db_stats_query_t *q,
                        db_stats_row_t *out, char keys[][16])
{
    int n = 0;
    for (int i = 0; i < nk; i++) {
        const db_case_t *k = &ks[i];
        char key[16];
        int g;
        bool in = q->unit.subtree ? unit_in_scope(q->unit.code, k->unit)
                                  : strcmp(k->unit, q->unit.code) == 0 ||
                                        (k->handling_unit &&
                                         strcmp(k->handling_unit, q->unit.code) == 0);
        if (!in || k->created_at < q->from || k->created_at >= q->to)
            continue;
        snprintf(key, sizeof key, "%.*s",
                 q->group_by == DB_GROUP_UNIT ? q->key_len : 15,
                 q->group_by == DB_GROUP_UNIT       ? k->unit
                 : q->group_by == DB_GROUP_CATEGORY ? k->category
                 : q->group_by == DB_GROUP_SOURCE   ? k->source
                                                    : "");
        for (g = 0; g < n && strcmp(keys[g], key); g++)
            ;
        if (g == n) {
            memset(&out[n], 0, sizeof out[n]);
            snprintf(keys[n], 16, "%s", key);
            n++;
        }
        case_figures_t *f = &out[g].f;
        bool closed = k->closed_at && k->closed_at <= q->as_of;
        f->n[CM_REPORTED]++;
        f->n[CM_REGISTERED] += k->registered_at != 0;
        f->n[CM_DUE] += k->registered_at && (closed || (k->due_at && k->due_at <= q->as_of));
        f->n[CM_CLOSED] += closed;
        f->n[CM_CLOSED_ON_TIME] += closed && k->on_time == 1;
        f->n[CM_HANDLED] += k->handled_at != 0;
        f->n[CM_REWORKED] += k->rework_count > 0;
        f->n[CM_RATED] += k->rating != 0;
        f->n[CM_SATISFIED] += k->rating >= 3;
        if (k->handled_at && k->dispatched_at) {
            f->handle_ms_sum += (double)(k->handled_at - k->dispatched_at);
            f->handle_n++;
        }
    }
    for (int i = 0; i < n; i++) { /* key order, as the store answers */
        out[i].key = keys[i];
        case_figures_finish(&out[i].f);
        for (int j = i; j > 0 && strcmp(out[j - 1].key, out[j].key) > 0; j--) {
            db_stats_row_t t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    }
    return n;
}

static void st_same(const db_stats_row_t *want, int nwant, const db_stats_row_t *got, int ngot,
                    const char *what, const db_stats_query_t *q, uint64_t seed)
{
    bool same = nwant == ngot;
    for (int i = 0; same && i < nwant; i++)
        same = strcmp(want[i].key, got[i].key) == 0 &&
               memcmp(want[i].f.n, got[i].f.n, sizeof want[i].f.n) == 0 &&
               want[i].f.handle_ms_sum == got[i].f.handle_ms_sum &&
               want[i].f.handle_n == got[i].f.handle_n;
    if (same)
        return;
    fprintf(stderr, "%s differs (seed %llu): unit %s group %d from %lld to %lld as_of %lld\n", what,
            (unsigned long long)seed, q->unit.code, q->group_by, (long long)q->from,
            (long long)q->to, (long long)q->as_of);
    for (int i = 0; i < nwant || i < ngot; i++) {
        if (i < nwant)
            fprintf(stderr, "  want %-15s rep %lld due %lld closed %lld ot %lld\n", want[i].key,
                    (long long)want[i].f.n[CM_REPORTED], (long long)want[i].f.n[CM_DUE],
                    (long long)want[i].f.n[CM_CLOSED], (long long)want[i].f.n[CM_CLOSED_ON_TIME]);
        if (i < ngot)
            fprintf(stderr, "  got  %-15s rep %lld due %lld closed %lld ot %lld\n", got[i].key,
                    (long long)got[i].f.n[CM_REPORTED], (long long)got[i].f.n[CM_DUE],
                    (long long)got[i].f.n[CM_CLOSED], (long long)got[i].f.n[CM_CLOSED_ON_TIME]);
    }
    fail();
}

static bh_status_t st_rebuild_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    int64_t *r = ctx;
    return DB(c, cases, stats_rebuild, &r[0], &r[1], err);
}

/* Random case histories, written and rewritten through the store; for
 * random units, periods, groupings and moments the statistics equal the
 * reference computed here (and the back-end's own full scan), and a
 * rebuild finds nothing to correct. */
static void stats_equal_the_definition(void **state)
{
    static db_case_t ks[NSTATS_CASES];
    static db_stats_row_t want[64];
    static char keys[64][16], idems[NSTATS_CASES][16];
    const char *seed_env = getenv("BIHUAN_TEST_SEED");
    uint64_t seed = seed_env ? strtoull(seed_env, NULL, 10) : 20241203;
    bh_err_t err;
    int64_t rebuilt[2];
    (void)state;

    rng_state = seed ? seed : 1;
    for (int i = 0; i < NSTATS_CASES; i++) {
        struct st_write w = {&ks[i], true};
        snprintf(idems[i], sizeof idems[i], "stats-%d", i);
        ks[i] = new_case(st_units[pick(13)], NULL, idems[i]);
        ks[i].category = st_categories[pick(3)];
        ks[i].source = st_sources[pick(4)];
        ks[i].created_at = ks[i].updated_at = moment();
        if (pick(2))
            st_history(&ks[i]);
        bh_status_t st = db_write(db, st_write_tx, &w, &err);
        if (st != BH_OK)
            fprintf(stderr, "case %d: %s\n", i, err.message);
        assert_int_equal(st, BH_OK);
    }
    for (int i = 0; i < 3 * NSTATS_CASES; i++) { /* histories move on, back and forth */
        struct st_write w = {&ks[pick(NSTATS_CASES)], false};
        if (pick(4) == 0) { /* reopened, or a field corrected */
            w.k->closed_at = 0;
            w.k->on_time = -1;
        } else {
            st_history(w.k);
        }
        assert_int_equal(db_write(db, st_write_tx, &w, &err), BH_OK);
    }
    for (int i = 0; i < 300; i++) {
        db_stats_query_t q = {0};
        db_stats_row_t *got, *scan;
        int ngot, nscan, nwant;
        db_conn_t *c;
        arena_t *a = arena_new();
        const char *unit = st_units[pick(13)];
        q.unit = db_scope(unit);
        q.group_by = pick(4); /* DB_GROUP_NONE, UNIT, CATEGORY, SOURCE */
        q.key_len = unit_child_code_len(unit);
        q.from = pick(3) ? moment() : T0 - DAY_MS;
        q.to = pick(4) ? moment() : T0 + 41 * DAY_MS;
        if (q.to <= q.from) {
            dt_ms_t t = q.to;
            q.to = q.from + 1;
            q.from = t;
        }
        q.as_of = pick(2) ? q.to : moment();
        if (i % 50 == 0) /* before 1970: nothing had closed or fallen due */
            q.as_of = -(dt_ms_t)pick(40) * DAY_MS - 1;
        nwant = st_reference(ks, NSTATS_CASES, &q, want, keys);
        assert_int_equal(db_reader(db, &c), BH_OK);
        assert_int_equal(DB(c, cases, stats, &q, a, &got, &ngot, &err), BH_OK);
        st_same(want, nwant, got, ngot, "roll-ups", &q, seed);
        q.scan = true;
        assert_int_equal(DB(c, cases, stats, &q, a, &scan, &nscan, &err), BH_OK);
        st_same(want, nwant, scan, nscan, "scan", &q, seed);
        db_reader_done(db, c);
        arena_free(a);
    }
    assert_int_equal(db_write(db, st_rebuild_tx, rebuilt, &err), BH_OK);
    assert_true(rebuilt[0] > 0);
    assert_int_equal(rebuilt[1], 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(units_and_scopes),
        cmocka_unit_test(cursors_and_search),
        cmocka_unit_test(search_equals_the_scan),
        cmocka_unit_test(insert_conflicts_on_keys),
        cmocka_unit_test(events_keep_client_ids),
        cmocka_unit_test(objects_by_code),
        cmocka_unit_test(update_is_conditional),
        cmocka_unit_test(projects),
        cmocka_unit_test(audit_chains),
        cmocka_unit_test(leases),
        cmocka_unit_test(configs),
        cmocka_unit_test(import_checkpoints),
        cmocka_unit_test(category_versions),
        cmocka_unit_test(attachments),
        cmocka_unit_test(notices),
        cmocka_unit_test(sessions),
        cmocka_unit_test(savepoints),
        cmocka_unit_test(quarantine_unschedules),
        cmocka_unit_test(writers_race),
        cmocka_unit_test(reader_wait_times_out),
        cmocka_unit_test(bulk_load_as_kept),
        cmocka_unit_test(stats_equal_the_definition),
    };
    const char *u = argc > 1 ? argv[1] : getenv("BIHUAN_TEST_STORE");
    int rc;
    if (u && *u) {
        snprintf(contract_url, sizeof contract_url, "%s", u);
        rc = cmocka_run_group_tests(tests, setup, teardown);
    } else {
        char dir[] = "/tmp/bihuan-store-XXXXXX";
        if (!mkdtemp(dir))
            return 1;
        snprintf(contract_url, sizeof contract_url, "sqlite:%s/contract.db", dir);
        rc = cmocka_run_group_tests(tests, setup, teardown);
        for (int i = 0; i < 3; i++) {
            char path[64];
            snprintf(path, sizeof path, "%s/contract.db%s", dir, (const char *[]){"", "-wal", "-shm"}[i]);
            unlink(path);
        }
        rmdir(dir);
    }
    return rc;
}
