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
 * postings - or sooner, once the share passing so far says the page
 * would take more - it gives up and the caller runs the reference plan,
 * whose cost is the doclist's.  A period helps: the walk starts below the
 * blocks all newer than 'to' and ends once the unseen are all older than
 * 'from'.  The answer is the reference's either way (test_store_contract's
 * search_equals_the_scan).
 */
#include "store/sqlite_int.h"

#include <limits.h>
#include <stdlib.h>

#define SPAN_SHIFT 10         /* as migration 19's "id >> 10" */
#define WALK_BUDGET 10000     /* postings: ~30 ms of seeks here */

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

bh_status_t sq_search_newest(db_conn_t *c, const db_case_filter_t *f, const char *fts,
                             int64_t ck, int64_t cid, arena_t *a, db_case_t **out, int *n,
                             const char **next_cursor, bool *done, bh_err_t *err)
{
    sqlite3 *h = SQ(c)->h;
    sqlite3_stmt *walk = NULL, *pre = NULL, *top = NULL;
    const int want = f->limit + 1;
    const int budget = f->walk_budget > 0 ? f->walk_budget : f->walk_budget < 0 ? INT_MAX : WALK_BUDGET;
    hit_t *hits = NULL;
    int nhits = 0, caphits = 0, ready = 0, walked = 0, rc = SQLITE_DONE;
    int64_t block = -1, bound = INT64_MAX, start = INT64_MAX;
    bh_status_t st = BH_OK;
    dynbuf_t b;

    *done = false;
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
    if (start == 0) { /* nothing is that old */
        *done = true;
        goto out;
    }

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
        /* Not done - the caller reads every match - past the budget, or
         * once the matches passing so far say the page would need more. */
        if (++walked > budget ||
            (walked >= 500 && (int64_t)walked * want / (nhits ? nhits : 1) > budget))
            goto out;
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
        st = rc == SQLITE_ERROR ? bh_fail(err, BH_INVALID_ARGUMENT, "q", "检索条件无效：%s",
                                          sqlite3_errmsg(h))
                                : bh_fail(err, read_end(rc), "", "查询未读完：%s", sqlite3_errstr(rc));
        goto out;
    }
    /* The walk ended (every match seen) or limit + 1 are in place: the
     * page is the newest of those in place. */
    if (nhits)
        qsort(hits, (size_t)nhits, sizeof *hits, hit_cmp);
    if (rc == SQLITE_ROW)
        nhits = want; /* the ready ones sort first: none is older than bound */
    *done = true;
    for (int i = 0; i < nhits && i < f->limit; i++) {
        memset(&(*out)[*n], 0, sizeof **out);
        if ((st = sq_case_get(c, hits[i].id, a, &(*out)[*n]))) {
            bh_fail(err, st, "", "读取检索到的案件 %lld 失败", (long long)hits[i].id);
            goto out;
        }
        ++*n;
    }
    if (nhits > f->limit && *n > 0)
        *next_cursor = sq_case_cursor(a, f->sort, (*out)[*n - 1].created_at, (*out)[*n - 1].id);
out:
    if (st != BH_OK)
        *n = 0;
    sqlite3_finalize(walk);
    sqlite3_finalize(pre);
    sqlite3_finalize(top);
    free(hits);
    return st;
}
