/*
 * contract_search.c - search newest first answers exactly as the
 * reference plan (f.scan: every match read, then ordered): on a random
 * corpus whose created_at mostly follows the id but not always (imported
 * and offline cases are older than their ids, and some cases share a
 * millisecond), for random words, filters, page sizes and budgets (a
 * small one sends the search past the walk to probing the filtered cases,
 * and past that back to the walk), page after page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "contract.h"

#define NCASES 5000            /* five blocks of case_spans and more */
#define PER_TX 500
#define TS 1760000000000LL     /* 2025-10-09: after every other case of the suite */
#define MINUTE 60000LL

static uint64_t rng = 1;

static uint64_t rnd(void) { return contract_rnd(&rng); }

static int pick(int n) { return (int)(rnd() % (uint64_t)n); }

static const char *const words[] = {"井盖", "占道经营", "渔民村", "垃圾", "噪音扰民",
                                    "路灯", "积水", "违建", "油烟", "井盖松动"};
static const char *const units[] = {"44030500100101", "44030500100102", "44030500200101",
                                    "44030500200201", "440305-CG"};
static const char *const handlers[] = {NULL, "440305-CG", "440305001-SF"};
static const char *const cats[] = {"E0501", "E0502", "C0101"};
static const char *const sources[] = {"hotline", "grid", "app"};
/* searches: a word, a bigram inside words, two words, a word in no case */
static const char *const queries[] = {"井盖", "村", "民村", "井盖 路灯", "占道 垃圾", "松动",
                                      "扰民 积水", "城管"};
static const char *const scopes[] = {"440305", "440305001", "44030500100101", "440305-CG",
                                     "440305002"};

struct corpus {
    int from, to;
    char text[NCASES][96];
    char idem[NCASES][24];
};

/* Mostly a minute after the last; 1 in 10 older (imported, offline),
 * 1 in 20 the same millisecond as the last, 1 in 20 newer than the next
 * few; and case 2300 newer than every other - the blocks above it would
 * not bound it by their own newest, only by the running maximum. */
static dt_ms_t next_at(int i, dt_ms_t last)
{
    if (i == 2300)
        return TS + (dt_ms_t)(NCASES + 500) * MINUTE;
    switch (pick(20)) {
    case 0: case 1: return TS + (dt_ms_t)pick(i + 1) * MINUTE;
    case 2: return TS - (dt_ms_t)pick(1000) * MINUTE;
    case 3: return last;
    case 4: return TS + (dt_ms_t)(i + 1 + pick(200)) * MINUTE;
    default: return TS + (dt_ms_t)i * MINUTE;
    }
}

static bh_status_t corpus_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct corpus *x = ctx;
    static dt_ms_t last = TS;
    for (int i = x->from; i < x->to; i++) {
        db_case_t k = new_case(units[pick(5)], handlers[pick(3)], x->idem[i]);
        bh_status_t st;
        snprintf(x->idem[i], sizeof x->idem[i], "search-%d", i);
        snprintf(x->text[i], sizeof x->text[i], "%s，%s", words[pick(10)], words[pick(10)]);
        if (i == 2300) /* the newest of all: found by most searches */
            snprintf(x->text[i], sizeof x->text[i], "井盖松动，渔民村");
        k.title = x->text[i];
        k.description = i == 2300 ? "路灯" : pick(2) ? words[pick(10)] : "无";
        k.category = cats[pick(3)];
        k.source = sources[pick(3)];
        k.status = pick(2) ? CASE_ST_REPORTED : CASE_ST_CLOSED;
        k.light = pick(2) ? SLA_LIGHT_GREEN : SLA_LIGHT_RED;
        k.created_at = k.updated_at = last = next_at(i, last);
        if ((st = DB(c, cases, case_insert, &k, err)))
            return st;
    }
    return BH_OK;
}

/* A random filter of the kinds the API sets. */
static void random_filter(db_case_filter_t *f)
{
    memset(f, 0, sizeof *f);
    f->status = f->light = -1;
    f->sort = DB_SORT_CREATED_DESC;
    f->search = queries[pick(8)];
    f->limit = pick(3) ? 1 + pick(60) : 1 + pick(4);
    if (pick(3) == 0)
        f->unit = db_scope(scopes[pick(5)]);
    if (pick(3) == 0)
        f->visible = db_scope(scopes[pick(5)]);
    if (pick(5) == 0)
        f->status = pick(2) ? CASE_ST_REPORTED : CASE_ST_CLOSED;
    if (pick(5) == 0)
        f->light = pick(2) ? SLA_LIGHT_GREEN : SLA_LIGHT_RED;
    if (pick(5) == 0)
        f->category = pick(2) ? "E05" : "C0101";
    if (pick(6) == 0)
        f->source = sources[pick(3)];
    if (pick(6) == 0)
        f->from = TS + (dt_ms_t)pick(NCASES) * MINUTE;
    if (pick(6) == 0)
        f->to = TS + (dt_ms_t)pick(NCASES) * MINUTE;
    /* the walk gives up at once or midway, by default, or never */
    f->walk_budget = pick(3) == 0 ? 1 + pick(300) : pick(2) ? -1 : 0;
}

static void page_same(const db_case_t *want, int nwant, const char *wnext, const db_case_t *got,
                      int ngot, const char *gnext, const db_case_filter_t *f, int page, int q)
{
    bool same = nwant == ngot && !wnext == !gnext && (!wnext || strcmp(wnext, gnext) == 0);
    for (int i = 0; same && i < nwant; i++)
        same = want[i].id == got[i].id && strcmp(want[i].title, got[i].title) == 0;
    if (same)
        return;
    fprintf(stderr, "search %d page %d differs: q=%s limit %d budget %d unit %s visible %s\n", q,
            page, f->search, f->limit, f->walk_budget, f->unit.code ? f->unit.code : "-",
            f->visible.code ? f->visible.code : "-");
    for (int i = 0; i < nwant || i < ngot; i++)
        fprintf(stderr, "  want %lld@%lld  got %lld@%lld\n", i < nwant ? (long long)want[i].id : 0,
                i < nwant ? (long long)want[i].created_at : 0, i < ngot ? (long long)got[i].id : 0,
                i < ngot ? (long long)got[i].created_at : 0);
    fail();
}

static void relevance_top3(const char *unit);

static int by_id_desc(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? 1 : a > b ? -1 : 0;
}

/* Relevance ranks the newest matches only (walk_budget of them): the
 * answer is the newest three of all the matches that pass the filters
 * (the grid's, or none), in some order. */
static void relevance_ranks_the_newest(void)
{
    relevance_top3(NULL);
    relevance_top3("44030500100101");
}

static void relevance_top3(const char *unit)
{
    static int64_t all[NCASES + 1000];
    int64_t got[3];
    db_case_filter_t f;
    db_case_t *rows;
    const char *next;
    db_conn_t *c;
    bh_err_t err;
    arena_t *a = arena_new();
    int n, nall = 0;

    memset(&f, 0, sizeof f);
    f.status = f.light = -1;
    f.sort = DB_SORT_RELEVANCE;
    f.search = "渔民村";
    f.limit = 200;
    f.walk_budget = -1;
    if (unit)
        f.unit = db_scope(unit);
    assert_int_equal(db_reader(db, &c), BH_OK);
    do {
        assert_int_equal(DB(c, cases, case_list, &f, a, &rows, &n, &next, &err), BH_OK);
        for (int i = 0; i < n && nall < (int)(sizeof all / sizeof all[0]); i++)
            all[nall++] = rows[i].id;
        f.cursor = next;
    } while (next);
    assert_true(nall > 50);
    qsort(all, (size_t)nall, sizeof all[0], by_id_desc);
    f.walk_budget = 3;
    assert_int_equal(DB(c, cases, case_list, &f, a, &rows, &n, &next, &err), BH_OK);
    assert_int_equal(n, 3);
    assert_null(next);
    for (int i = 0; i < 3; i++)
        got[i] = rows[i].id;
    qsort(got, 3, sizeof got[0], by_id_desc);
    assert_memory_equal(got, all, sizeof got);
    db_reader_done(db, c);
    arena_free(a);
}

void search_equals_the_scan(void **state)
{
    static struct corpus x;
    const char *seed = getenv("BIHUAN_TEST_SEED");
    bh_err_t err;
    int pages = 0;
    (void)state;

    rng = seed ? strtoull(seed, NULL, 10) | 1 : 20261207;
    for (x.from = 0; x.from < NCASES; x.from = x.to) {
        x.to = x.from + PER_TX;
        assert_int_equal(db_write(db, corpus_tx, &x, &err), BH_OK);
    }
    for (int q = 0; q < 400; q++) {
        db_case_filter_t f, ref;
        db_conn_t *c;
        arena_t *a = arena_new();
        random_filter(&f);
        assert_int_equal(db_reader(db, &c), BH_OK);
        for (int page = 0; page < 6; page++, pages++) {
            db_case_t *want, *got;
            const char *wnext, *gnext;
            int nwant, ngot;
            ref = f;
            ref.scan = true;
            assert_int_equal(DB(c, cases, case_list, &ref, a, &want, &nwant, &wnext, &err), BH_OK);
            assert_int_equal(DB(c, cases, case_list, &f, a, &got, &ngot, &gnext, &err), BH_OK);
            page_same(want, nwant, wnext, got, ngot, gnext, &f, page, q);
            if (!gnext)
                break;
            f.cursor = gnext;
        }
        db_reader_done(db, c);
        arena_free(a);
    }
    assert_true(pages > 800); /* the corpus gives pages to follow */
    relevance_ranks_the_newest();
}
