/*
 * sqlite_search.c - q= newest first without reading every match (the
 * SQLite back-end; see sqlite_int.h).
 *
 * The reference plan reads the whole FTS5 doclist of the words (a common
 * bigram is in ~5% of cases: 500k postings at 10M) before it walks the
 * created_at index.  Here the postings are walked instead, highest case
 * id first, and the walk stops as soon as the page is known.
 *
 * Postings are in id order, the page in (created_at, id) order.  The two
 * nearly agree - a case is written when it is reported - but not always:
 * an imported case, or a check-in made offline that raises one, is older
 * than its id.  case_spans (migration 19) keeps, for each block of 1024
 * ids, the least created_at in it (lo) and the greatest at or below it
 * (pre).  Once the walk is at a posting in block b, every case not yet
 * seen has an id below it, so it is no newer than pre[b]: each match seen
 * that is at least that new has its final place.  When limit + 1 of them
 * do, the page (and whether another follows) is known.  A cursor's page
 * starts in the highest block whose lo is not after the cursor: every case
 * above it is newer than the cursor, so already on an earlier page.
 *
 * The filters are tested per posting, on the case row.  Filters that pass
 * few of the matches would make the walk long, so after walk_budget
 * postings the cases passing the filters are probed for the words instead
 * (probe_filtered), newest first, within a budget of their own; past that
 * the walk goes on to the end of the postings.  Its cost is then bounded
 * by the doclist, as the reference plan's; but the reference reads every
 * case newer than the page's last, which for a filter that passes fewer
 * than a page of the matches is every case.  A period helps: the walk
 * starts below the blocks all newer than 'to' and ends once the unseen
 * are all older than 'from'.  The answer is the reference's either way
 * (test_store_contract's search_equals_the_scan).
 */
#include "store/sqlite_int.h"

#include <limits.h>
#include <stdlib.h>

#define SPAN_SHIFT 10         /* as migration 19's "id >> 10" */
#define WALK_BUDGET 10000     /* postings: ~30 ms of seeks here */
#define PROBE_BUDGET 5000     /* filtered cases probed: see probe_filtered */
#define PROBE_TICKS 300       /* and its work, in thousands of SQLite VM steps */

typedef struct {
    int64_t id, at;
} hit_t;

/* Newest first: created_at descending, then id descending. */
static int hit_cmp(const void *x, const void *y)
{
    const hit_t *p = x, *q = y;
    if (p->at != q->at)
        return p->at < q->at ? 1 : -1;
    return p->id < q->id ? 1 : p->id > q->id ? -1 : 0;
}

/* The first id past the highest block that may hold a case created at or
 * before 'at' (every case above it is newer); 0 when none may. */
static bh_status_t start_at(sqlite3_stmt *top, int64_t at, int64_t *start, bh_err_t *err)
{
    int64_t block;
    bh_status_t st = one_value(top, at, -1, &block, err);
    *start = block < 0 ? 0 : (block + 1) << SPAN_SHIFT;
    return st;
}

/* The page of the first (up to limit + 1) of 'hits', newest first. */
static bh_status_t read_page(db_conn_t *c, const db_case_filter_t *f, const hit_t *hits,
                             int nhits, arena_t *a, db_case_t *out, int *n,
                             const char **next_cursor, bh_err_t *err)
{
    for (int i = 0; i < nhits && i < f->limit; i++) {
        bh_status_t st;
        memset(&out[*n], 0, sizeof *out);
        if ((st = sq_case_get(c, hits[i].id, a, &out[*n])))
            return bh_fail(err, st, "", "读取检索到的案件 %lld 失败", (long long)hits[i].id);
        ++*n;
    }
    if (nhits > f->limit && *n > 0)
        *next_cursor = sq_case_cursor(a, f->sort, out[*n - 1].created_at, out[*n - 1].id);
    return BH_OK;
}

/* A failed step of a search statement, as the caller's error. */
static bh_status_t step_failed(sqlite3 *h, int rc, bh_err_t *err)
{
    return rc == SQLITE_ERROR ? bh_fail(err, BH_INVALID_ARGUMENT, "q", "检索条件无效：%s",
                                        sqlite3_errmsg(h))
                              : bh_fail(err, read_end(rc), "", "查询未读完：%s", sqlite3_errstr(rc));
}

/* The probe's work so far: SQLite calls this every thousand VM steps of
 * its statements, and interrupts them (SQLITE_INTERRUPT) past the limit. */
struct ticks {
    int n, limit;
};

static int probe_ticks(void *p)
{
    struct ticks *t = p;
    return ++t->n > t->limit;
}

/*
 * The other way round, for filters that pass few of the matches (the
 * walk is past its budget): the cases passing the filters, newest first
 * as a list reads them, each tested against the words with an FTS5 rowid
 * probe, until limit + 1 match.  It gives up after PROBE_BUDGET probes or
 * PROBE_TICKS thousand VM steps (30-60 ms at 10M cases here) - the words
 * are rare among the filtered cases, or the filters' rows are far down
 * the list - and the walk goes on.  Work, not time, so that a test's small budget takes
 * the same way on every run.  The order is the reference's by
 * construction: the same filters, cursor and ORDER BY.
 */
static bh_status_t probe_filtered(db_conn_t *c, const db_case_filter_t *f, const char *fts,
                                  int64_t ck, int64_t cid, arena_t *a, db_case_t *out, int *n,
                                  const char **next_cursor, bool *found, bh_err_t *err)
{
    sqlite3 *h = SQ(c)->h;
    sqlite3_stmt *cand = NULL, *probe = NULL;
    const int want = f->limit + 1;
    const int budget = f->walk_budget > 0   ? f->walk_budget
                       : f->walk_budget < 0 ? INT_MAX
                                            : PROBE_BUDGET;
    /* a test's budget b: b probes, and b / 16 + 1 thousand steps, which
     * stops some of its probing midway */
    struct ticks work = {0, f->walk_budget > 0   ? f->walk_budget / 16 + 1
                            : f->walk_budget < 0 ? INT_MAX
                                                 : PROBE_TICKS};
    hit_t *hits = arena_alloc_array(a, (size_t)want, sizeof *hits);
    int nhits = 0, probed = 0, rc = SQLITE_DONE, prc;
    bh_status_t st = BH_OK;
    dynbuf_t b;

    *found = false;
    dynbuf_init(&b, SQL_MAX);
    add(&b, "SELECT cases.id FROM cases WHERE 1");
    sq_case_filters(&b, f, NULL);
    if (f->cursor)
        add(&b, " AND (cases.created_at < :ck OR (cases.created_at = :ck AND cases.id < :cid))");
    add(&b, " ORDER BY cases.created_at DESC, cases.id DESC");
    if ((st = prepare_built(c, &b, &cand, err)))
        goto out;
    if (sqlite3_prepare_v2(h, "SELECT 1 FROM cases_fts WHERE cases_fts MATCH ?1 AND rowid = ?2",
                           -1, &probe, NULL)) {
        st = bh_fail(err, BH_INTERNAL, "", "查询出错：%s", sqlite3_errmsg(h));
        goto out;
    }
    sq_case_filters_bind(cand, f, NULL, a);
    bind_name_int(cand, ":ck", ck);
    bind_name_int(cand, ":cid", cid);
    sqlite3_bind_text(probe, 1, fts, -1, SQLITE_STATIC);
    sqlite3_progress_handler(h, 1000, probe_ticks, &work);
    while (nhits < want && (rc = sqlite3_step(cand)) == SQLITE_ROW) {
        if (++probed > budget)
            goto out;
        sqlite3_reset(probe);
        sqlite3_bind_int64(probe, 2, sqlite3_column_int64(cand, 0));
        if ((prc = sqlite3_step(probe)) == SQLITE_ROW)
            hits[nhits++] = (hit_t){sqlite3_column_int64(cand, 0), 0};
        else if (prc == SQLITE_INTERRUPT)
            goto out;
        else if (prc != SQLITE_DONE) {
            st = step_failed(h, prc, err);
            goto out;
        }
    }
    sqlite3_progress_handler(h, 0, NULL, NULL); /* not over the page's own reads */
    if (rc == SQLITE_INTERRUPT)
        goto out;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        st = step_failed(h, rc, err);
        goto out;
    }
    *found = true;
    st = read_page(c, f, hits, nhits, a, out, n, next_cursor, err);
out:
    sqlite3_progress_handler(h, 0, NULL, NULL);
    if (st != BH_OK)
        *n = 0;
    sqlite3_finalize(cand);
    sqlite3_finalize(probe);
    return st;
}

bh_status_t sq_search_newest(db_conn_t *c, const db_case_filter_t *f, const char *fts,
                             int64_t ck, int64_t cid, arena_t *a, db_case_t **out, int *n,
                             const char **next_cursor, bh_err_t *err)
{
    sqlite3 *h = SQ(c)->h;
    sqlite3_stmt *walk = NULL, *pre = NULL, *top = NULL;
    const int want = f->limit + 1;
    int budget = f->walk_budget > 0 ? f->walk_budget : f->walk_budget < 0 ? INT_MAX : WALK_BUDGET;
    bool probed = false;
    hit_t *hits = NULL;
    int nhits = 0, caphits = 0, ready = 0, walked = 0, rc = SQLITE_DONE;
    int64_t block = -1, bound = INT64_MAX, start = INT64_MAX;
    bh_status_t st = BH_OK;
    dynbuf_t b;

    *out = arena_alloc_array(a, (size_t)(f->limit > 0 ? f->limit : 1), sizeof **out);
    if (sqlite3_prepare_v2(h, "SELECT pre FROM case_spans WHERE block = ?1", -1, &pre, NULL) ||
        sqlite3_prepare_v2(h, "SELECT block FROM case_spans WHERE lo <= ?1 ORDER BY block DESC LIMIT 1",
                           -1, &top, NULL)) {
        st = bh_fail(err, BH_INTERNAL, "", "查询出错：%s", sqlite3_errmsg(h));
        goto out;
    }
    /* Where to start: below the blocks all newer than the cursor's row or
     * than 'to'. */
    if (f->cursor) {
        if ((st = start_at(top, ck, &start, err)))
            goto out;
    }
    if (f->to) {
        int64_t below_to;
        if ((st = start_at(top, f->to - 1, &below_to, err)))
            goto out;
        if (below_to < start)
            start = below_to;
    }
    if (start == 0) /* nothing is that old */
        goto out;

    dynbuf_init(&b, SQL_MAX);
    add(&b, "SELECT cases.id, cases.created_at, (1");
    sq_case_filters(&b, f, NULL);
    if (f->cursor)
        add(&b, " AND (cases.created_at < :ck OR (cases.created_at = :ck AND cases.id < :cid))");
    add(&b, ") FROM cases_fts CROSS JOIN cases ON cases.id = cases_fts.rowid"
            " WHERE cases_fts MATCH :q AND cases_fts.rowid < :top ORDER BY cases_fts.rowid DESC");
    if ((st = prepare_built(c, &b, &walk, err)))
        goto out;
    sq_case_filters_bind(walk, f, fts, a);
    bind_name_int(walk, ":ck", ck);
    bind_name_int(walk, ":cid", cid);
    bind_name_int(walk, ":top", start);

    while ((rc = sqlite3_step(walk)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(walk, 0), at = sqlite3_column_int64(walk, 1);
        /* Past the budget, the filtered cases are probed for the words
         * once; if that gives up too, the walk goes on to the end.  (It
         * never gives way to the reference plan: for words with many
         * matches and a filter that passes fewer than a page of them, that
         * reads every case newer than the last: 2.5 s at 10M.) */
        if (++walked > budget && !probed) {
            bool found;
            probed = true;
            if ((st = probe_filtered(c, f, fts, ck, cid, a, *out, n, next_cursor, &found, err)) ||
                found)
                goto out;
            budget = INT_MAX;
        }
        if (id >> SPAN_SHIFT != block) { /* cases not yet seen are no newer than this */
            block = id >> SPAN_SHIFT;
            if ((st = one_value(pre, block, INT64_MAX, &bound, err)))
                goto out;
            if (f->from && bound < f->from) { /* and none of them is after 'from' */
                rc = SQLITE_DONE;
                break;
            }
            ready = 0;
            for (int i = 0; i < nhits; i++)
                ready += hits[i].at >= bound;
        }
        if (sqlite3_column_int(walk, 2)) {
            if (nhits == caphits) {
                caphits = caphits ? 2 * caphits : 64;
                hits = xrealloc(hits, (size_t)caphits * sizeof *hits);
            }
            hits[nhits++] = (hit_t){id, at};
            ready += at >= bound;
        }
        if (ready >= want)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        st = step_failed(h, rc, err);
        goto out;
    }
    /* The walk ended (every match seen) or limit + 1 are in place: the
     * page is the newest of those in place. */
    if (nhits)
        qsort(hits, (size_t)nhits, sizeof *hits, hit_cmp);
    if (rc == SQLITE_ROW)
        nhits = want; /* the ready ones sort first: none is older than bound */
    st = read_page(c, f, hits, nhits, a, *out, n, next_cursor, err);
out:
    if (st != BH_OK)
        *n = 0;
    sqlite3_finalize(walk);
    sqlite3_finalize(pre);
    sqlite3_finalize(top);
    free(hits);
    return st;
}
