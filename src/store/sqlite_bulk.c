/*
 * sqlite_bulk.c - bulk loads: the demo's millions of cases (issue 13
 * item 4; the SQLite back-end, see sqlite_int.h).
 *
 * A case written the normal way updates its roll-ups as it goes (the
 * triggers of migrations 14 and 21: a dozen upserts, ~100 us) and is added to
 * the search index at its commit.  A bulk load sets both aside while it
 * writes: bulk_begin keeps the roll-up triggers' text in bulk_load
 * (migration 20) and drops them, and the writer stops indexing.  Then
 * bulk_fill builds both for a range of ids, one transaction per range:
 * the roll-ups from the same view the triggers and `stats rebuild` read,
 * grouped per range and added in; the index from the cases' rows.
 * bulk_end sums case_rollup_done (migration 21) anew from case_rollup.
 * bulk_end puts the triggers back and checks the result against the
 * cases.  A store left with rows in bulk_load (a load cut short) does
 * not open: its figures and index would be missing cases.
 */
#include "store/sqlite_int.h"

#include <stdlib.h>

bh_status_t sq_bulk_begin(db_conn_t *c, int64_t *first, bh_err_t *err)
{
    sqlite3 *h = SQ(c)->h;
    int64_t n;
    bh_status_t st;

    if ((st = one_int(h, "SELECT count(*) FROM bulk_load", 0, &n, err)))
        return st;
    if (n)
        return bh_fail(err, BH_FAILED_PRECONDITION, "", "已有一次批量写入在进行");
    if ((st = one_int(h, "SELECT coalesce(max(id), 0) + 1 FROM cases", 0, first, err)) ||
        (st = exec_what(h,
                   "INSERT INTO bulk_load SELECT name, sql, (SELECT coalesce(max(id), 0) + 1"
                   " FROM cases) FROM sqlite_master WHERE type = 'trigger'"
                   " AND (name GLOB 'cases_rollup_*' OR name GLOB 'rollup_done_*');"
                   "DROP TRIGGER cases_rollup_ins; DROP TRIGGER cases_rollup_old;"
                   " DROP TRIGGER cases_rollup_new; DROP TRIGGER rollup_done_ins;"
                   " DROP TRIGGER rollup_done_upd; DROP TRIGGER rollup_done_move;"
                   " DROP TRIGGER rollup_done_del;"
                   /* a large batch's pages stay in memory until its commit */
                   "PRAGMA cache_size=-1048576;",
                   "批量写入准备", err)))
        return st;
    SQ(c)->bulk = true;
    return BH_OK;
}

/*
 * The roll-up rows of a range of cases.  SQLite's GROUP BY over the view
 * cost ~3 us per contribution (a sorter record of 15 columns each), five
 * times reading the view, so the view is read here and summed in a hash
 * table; the sums go in ordered by key, added to rows already there (a
 * day's cases can fall in two ranges).  What a case contributes is the
 * view's alone: this only adds up equal keys.
 */
#define KEY_TEXT 32
#define NSUMS 9

typedef struct {
    char node[KEY_TEXT], val[KEY_TEXT];
    int64_t dim, day, due, close;
    int64_t sum[NSUMS];
} agg_t;

typedef struct {
    agg_t *rows;
    int n, cap;
    uint32_t *slot; /* 1 + index into rows, 0 free */
    uint32_t nslot; /* a power of two, at least twice n */
} agg_map_t;

static uint64_t agg_hash(const agg_t *k)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = k->node; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (const char *p = k->val; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h ^= (uint64_t)k->dim * 0x9E3779B97F4A7C15ULL ^ (uint64_t)k->day * 0xC2B2AE3D27D4EB4FULL ^
         (uint64_t)k->due * 0x165667B19E3779F9ULL ^ (uint64_t)k->close * 0x27D4EB2F165667C5ULL;
    return h ^ (h >> 29);
}

static bool agg_same(const agg_t *a, const agg_t *b)
{
    return a->dim == b->dim && a->day == b->day && a->due == b->due && a->close == b->close &&
           strcmp(a->node, b->node) == 0 && strcmp(a->val, b->val) == 0;
}

/* A close day's bucket, as migration 21's ROLLUP_CB. */
static int64_t close_bucket(int64_t close) { return close < 0 ? -1 : close / ROLLUP_CB_DAYS; }

/* The key order of case_rollup's primary key (BINARY: strcmp). */
static int agg_cmp(const void *x, const void *y)
{
    const agg_t *a = x, *b = y;
    int c;
    if ((c = strcmp(a->node, b->node)))
        return c;
    if (a->dim != b->dim)
        return a->dim < b->dim ? -1 : 1;
    if (close_bucket(a->close) != close_bucket(b->close))
        return close_bucket(a->close) < close_bucket(b->close) ? -1 : 1;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    if ((c = strcmp(a->val, b->val)))
        return c;
    if (a->due != b->due)
        return a->due < b->due ? -1 : 1;
    return a->close < b->close ? -1 : a->close > b->close;
}

static void agg_grow(agg_map_t *m)
{
    free(m->slot);
    m->nslot = m->nslot ? 2 * m->nslot : 1u << 16;
    m->slot = xcalloc(m->nslot, sizeof *m->slot);
    for (int i = 0; i < m->n; i++) {
        uint32_t j = (uint32_t)agg_hash(&m->rows[i]) & (m->nslot - 1);
        while (m->slot[j])
            j = (j + 1) & (m->nslot - 1);
        m->slot[j] = (uint32_t)i + 1;
    }
}

static void agg_add(agg_map_t *m, const agg_t *k)
{
    uint32_t j;
    if (2 * (uint32_t)(m->n + 1) > m->nslot)
        agg_grow(m);
    for (j = (uint32_t)agg_hash(k) & (m->nslot - 1); m->slot[j]; j = (j + 1) & (m->nslot - 1)) {
        agg_t *r = &m->rows[m->slot[j] - 1];
        if (agg_same(r, k)) {
            for (int i = 0; i < NSUMS; i++)
                r->sum[i] += k->sum[i];
            return;
        }
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 1 << 14;
        m->rows = xrealloc(m->rows, (size_t)m->cap * sizeof *m->rows);
    }
    m->rows[m->n] = *k;
    m->slot[j] = (uint32_t)++m->n;
}

static bool copy_key(char *dst, const unsigned char *src)
{
    size_t n = src ? strlen((const char *)src) : 0;
    if (!src || n >= KEY_TEXT)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

static bh_status_t rollups_fill(sqlite3 *h, int64_t lo, int64_t hi, bh_err_t *err)
{
    sqlite3_stmt *rd = NULL, *wr = NULL;
    agg_map_t m = {0};
    bh_status_t st = BH_OK;
    int rc;

    if (sqlite3_prepare_v2(h,
                           "SELECT node, dim, day, val, due_day, close_day, n, reg, ot, hd, rw,"
                           " rt, sat, hms, hn FROM case_rollup_src WHERE id >= ?1 AND id < ?2",
                           -1, &rd, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(h,
                           "INSERT INTO case_rollup VALUES(?1, ?2, ?16, ?3, ?4, ?5, ?6, ?7, ?8,"
                           " ?9, ?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT DO UPDATE SET"
                           " n = n + excluded.n, reg = reg + excluded.reg, ot = ot + excluded.ot,"
                           " hd = hd + excluded.hd, rw = rw + excluded.rw, rt = rt + excluded.rt,"
                           " sat = sat + excluded.sat, hms = hms + excluded.hms,"
                           " hn = hn + excluded.hn",
                           -1, &wr, NULL) != SQLITE_OK) {
        st = bh_fail(err, BH_INTERNAL, "", "批量建立统计汇总出错：%s", sqlite3_errmsg(h));
        goto out;
    }
    sqlite3_bind_int64(rd, 1, lo);
    sqlite3_bind_int64(rd, 2, hi);
    while ((rc = sqlite3_step(rd)) == SQLITE_ROW) {
        agg_t k;
        if (!copy_key(k.node, sqlite3_column_text(rd, 0)) ||
            !copy_key(k.val, sqlite3_column_text(rd, 3))) {
            st = bh_fail(err, BH_INTERNAL, "", "统计汇总的单位或分组值过长：%s / %s",
                         sqlite3_column_text(rd, 0), sqlite3_column_text(rd, 3));
            goto out;
        }
        k.dim = sqlite3_column_int64(rd, 1);
        k.day = sqlite3_column_int64(rd, 2);
        k.due = sqlite3_column_int64(rd, 4);
        k.close = sqlite3_column_int64(rd, 5);
        for (int i = 0; i < NSUMS; i++)
            k.sum[i] = sqlite3_column_int64(rd, 6 + i);
        agg_add(&m, &k);
    }
    if (rc != SQLITE_DONE) {
        st = bh_fail(err, BH_INTERNAL, "", "读取统计汇总来源出错：%s", sqlite3_errmsg(h));
        goto out;
    }
    if (m.n)
        qsort(m.rows, (size_t)m.n, sizeof *m.rows, agg_cmp);
    for (int r = 0; r < m.n; r++) {
        const agg_t *k = &m.rows[r];
        sqlite3_bind_text(wr, 1, k->node, -1, SQLITE_STATIC);
        sqlite3_bind_int64(wr, 2, k->dim);
        sqlite3_bind_int64(wr, 3, k->day);
        sqlite3_bind_text(wr, 4, k->val, -1, SQLITE_STATIC);
        sqlite3_bind_int64(wr, 5, k->due);
        sqlite3_bind_int64(wr, 6, k->close);
        sqlite3_bind_int64(wr, 16, close_bucket(k->close));
        for (int i = 0; i < NSUMS; i++)
            sqlite3_bind_int64(wr, 7 + i, k->sum[i]);
        if (sqlite3_step(wr) != SQLITE_DONE) {
            st = bh_fail(err, BH_INTERNAL, "", "写入统计汇总出错：%s", sqlite3_errmsg(h));
            goto out;
        }
        sqlite3_reset(wr);
    }
out:
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    free(m.rows);
    free(m.slot);
    return st;
}

bh_status_t sq_bulk_fill(db_conn_t *c, int64_t lo, int64_t hi, bh_err_t *err)
{
    sqlite3 *h = SQ(c)->h;
    sqlite3_stmt *s;
    int rc;
    bh_status_t st;

    if ((st = rollups_fill(h, lo, hi, err)))
        return st;
    if (sqlite3_prepare_v2(h,
                           "INSERT INTO cases_fts(rowid, title, description, address)"
                           " SELECT id, title, description, address FROM cases"
                           " WHERE id >= ?1 AND id < ?2",
                           -1, &s, NULL) != SQLITE_OK)
        return bh_fail(err, BH_INTERNAL, "", "批量建立检索索引出错：%s", sqlite3_errmsg(h));
    sqlite3_bind_int64(s, 1, lo);
    sqlite3_bind_int64(s, 2, hi);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? BH_OK
                             : bh_fail(err, BH_INTERNAL, "", "批量建立检索索引出错：%s",
                                       sqlite3_errmsg(h));
}

bh_status_t sq_bulk_end(db_conn_t *c, db_bulk_check_t *out, bh_err_t *err)
{
    sqlite3 *h = SQ(c)->h;
    sqlite3_stmt *s;
    int64_t first;
    bh_status_t st;
    int rc;

    memset(out, 0, sizeof *out);
    if ((st = one_int(h, "SELECT coalesce(min(first_id), -1) FROM bulk_load", 0, &first, err)))
        return st;
    if (first < 0)
        return bh_fail(err, BH_FAILED_PRECONDITION, "", "没有进行中的批量写入");
    /* The check, before anything is put back: every case of the load is
     * in the index and counted once at its district in the roll-ups.  A
     * load that fails it stays unfinished (the store does not open). */
    if ((st = one_int(h, "SELECT count(*) FROM cases WHERE id >= ?1", first, &out->cases, err)) ||
        (st = one_int(h, "SELECT count(*) FROM cases_fts_docsize WHERE id >= ?1", first,
                      &out->indexed, err)) ||
        (st = one_int(h, "SELECT count(*) FROM cases", 0, &out->all_cases, err)) ||
        (st = one_int(h,
                      "SELECT coalesce(sum(n), 0) FROM case_rollup WHERE dim = 1"
                      " AND length(node) = 6 AND instr(node, '-') = 0",
                      0, &out->counted, err)))
        return st;
    if (out->indexed != out->cases || out->counted != out->all_cases)
        return bh_fail(err, BH_INTERNAL, "",
                       "批量写入校验失败：写入案件 %lld 件，检索索引 %lld 件；统计汇总计 %lld 件，"
                       "案件共 %lld 件",
                       (long long)out->cases, (long long)out->indexed, (long long)out->counted,
                       (long long)out->all_cases);
    /* The closed cases' sums, set aside with their triggers: summed anew
     * from case_rollup (one sort, instead of an upsert per row filled). */
    if ((st = exec_what(h, "DELETE FROM case_rollup_done;"
                           "INSERT INTO case_rollup_done " ROLLUP_DONE_SUMS ";",
                        "批量建立已办结统计汇总", err)))
        return st;
    if (sqlite3_prepare_v2(h, "SELECT sql FROM bulk_load", -1, &s, NULL) != SQLITE_OK)
        return bh_fail(err, BH_INTERNAL, "", "查询出错：%s", sqlite3_errmsg(h));
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if ((st = exec_what(h, (const char *)sqlite3_column_text(s, 0), "恢复统计汇总触发器", err))) {
            sqlite3_finalize(s);
            return st;
        }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return bh_fail(err, BH_INTERNAL, "", "读取批量写入状态失败：%s", sqlite3_errstr(rc));
    if ((st = exec_what(h, "DELETE FROM bulk_load; PRAGMA cache_size=-65536;", "结束批量写入", err)))
        return st;
    SQ(c)->bulk = false;
    return BH_OK;
}
