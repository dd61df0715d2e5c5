/*
 * sqlite_stats.c - GET /api/v1/stats/cases in the SQLite back-end: the
 * counts of core/metric.h for the cases created in [from, to) in a unit,
 * as of a moment, from the roll-ups of migration 14 (issue 13).
 *
 * The answer is assembled from three reads, each exact:
 *
 *  - the whole days of [from, to) from case_rollup: one row per node,
 *    grouping, day, group value and the days the cases fell due and
 *    closed.  A case counts as closed (due) as of 'as_of' when it closed
 *    (fell due) on a day before as_of's day.  The closed cases of a
 *    16-day bucket before as_of's are summed without those days in
 *    case_rollup_done (migration 21), and only the rest is read per day;
 *  - the cases of those days that closed or fell due on as_of's own day,
 *    up to as_of itself, from the cases (indexes on closed_at, due_at);
 *  - the part days at either end of [from, to), scanned from the cases
 *    as the plain query always did (scan_range).
 *
 * Units without roll-ups (a grid, or no unit) are scanned whole: a grid
 * holds few cases and its index finds them.
 */
#include "store/sqlite_int.h"

#include "core/datetime.h"
#include "core/unitcode.h"

/* The groups of one answer, merged by key. */
struct groups {
    arena_t *a;
    db_stats_row_t *r;
    int n, cap;
};

static case_figures_t *group(struct groups *g, const char *key)
{
    for (int i = 0; i < g->n; i++)
        if (strcmp(g->r[i].key, key) == 0)
            return &g->r[i].f;
    if (g->n == g->cap) {
        int cap = g->cap ? 2 * g->cap : 16;
        db_stats_row_t *bigger = arena_alloc_array(g->a, (size_t)cap, sizeof *bigger);
        if (g->n)
            memcpy(bigger, g->r, (size_t)g->n * sizeof *bigger);
        g->r = bigger;
        g->cap = cap;
    }
    memset(&g->r[g->n], 0, sizeof g->r[g->n]);
    g->r[g->n].key = arena_strdup(g->a, key);
    return &g->r[g->n++].f;
}

/* The group key of a case row, as SQL. */
static const char *key_sql(const db_stats_query_t *q)
{
    return q->group_by == DB_GROUP_UNIT       ? "substr(unit, 1, :klen)"
           : q->group_by == DB_GROUP_CATEGORY ? "category"
           : q->group_by == DB_GROUP_SOURCE   ? "source"
                                              : "''";
}

/* The cases of the query's unit, as SQL ('plus': keep the filter off the
 * unit indexes, which would fetch a large subtree's rows at random). */
static void add_unit(dynbuf_t *b, const db_stats_query_t *q, bool plus)
{
    if (q->unit.code && q->unit.subtree) {
        add(b, " AND ");
        add_scope(b, "unit", "u", &q->unit, plus);
    } else if (q->unit.code) {
        /* A department (or a grid): what happened there or was handed to it. */
        add(b, " AND (");
        add_scope(b, "unit", "u", &q->unit, false);
        add(b, " OR ");
        add_scope(b, "handling_unit", "h", &q->unit, false);
        add(b, ")");
    }
}

static bh_status_t step_end(db_conn_t *c, sqlite3_stmt *s, int rc, bh_err_t *err)
{
    sqlite3_finalize(s);
    if (read_end(rc) != BH_OK)
        return bh_fail(err, read_end(rc), "", "统计查询未读完：%s", sqlite3_errstr(rc));
    (void)c;
    return BH_OK;
}

static void bind_query(sqlite3_stmt *s, const db_stats_query_t *q, dt_ms_t from, dt_ms_t to,
                       arena_t *a)
{
    bind_name_int(s, ":klen", q->key_len);
    bind_name_int(s, ":asof", q->as_of);
    bind_name_int(s, ":from", from);
    bind_name_int(s, ":to", to);
    bind_scope(s, "u", &q->unit, a);
    bind_scope(s, "h", &q->unit, a);
}

/* Prepare "SELECT <key> AS k, <cols> FROM cases WHERE <where> AND <the
 * query's unit> GROUP BY k" with the query's parameters bound. */
static bh_status_t prepare_grouped(db_conn_t *c, const db_stats_query_t *q, const char *cols,
                                   const char *where, dt_ms_t from, dt_ms_t to, arena_t *a,
                                   sqlite3_stmt **s, bh_err_t *err)
{
    dynbuf_t b;
    dynbuf_init(&b, SQL_MAX);
    add(&b, "SELECT ");
    add(&b, key_sql(q));
    add(&b, " AS k, ");
    add(&b, cols);
    add(&b, " FROM cases WHERE ");
    add(&b, where);
    add_unit(&b, q, true);
    add(&b, " GROUP BY k");
    if (prepare_built(c, &b, s, err) != BH_OK)
        return err ? err->status : BH_INTERNAL;
    bind_query(*s, q, from, to, a);
    return BH_OK;
}

/* Every count of the cases created in [from, to), read from the cases:
 * the definition the roll-ups must agree with. */
static bh_status_t scan_range(db_conn_t *c, const db_stats_query_t *q, dt_ms_t from, dt_ms_t to,
                              struct groups *g, bh_err_t *err)
{
    static const case_count_t cols[] = {CM_REPORTED, CM_REGISTERED, CM_DUE, CM_CLOSED,
                                        CM_CLOSED_ON_TIME, CM_HANDLED, CM_REWORKED,
                                        CM_RATED, CM_SATISFIED};
    bh_status_t st;
    sqlite3_stmt *s;
    int rc;

    if (from >= to)
        return BH_OK;
    if ((st = prepare_grouped(c, q,
                              "count(*), count(registered_at),"
                              " coalesce(sum(registered_at IS NOT NULL AND ((closed_at IS NOT NULL"
                              "   AND closed_at <= :asof) OR (due_at IS NOT NULL AND due_at <= :asof))), 0),"
                              " coalesce(sum(closed_at IS NOT NULL AND closed_at <= :asof), 0),"
                              " coalesce(sum(closed_at IS NOT NULL AND closed_at <= :asof"
                              "   AND on_time = 1), 0),"
                              " count(handled_at), coalesce(sum(rework_count > 0), 0), count(rating),"
                              " coalesce(sum(rating >= 3), 0),"
                              " total(CASE WHEN handled_at IS NOT NULL AND dispatched_at IS NOT NULL"
                              "   THEN handled_at - dispatched_at END),"
                              " count(CASE WHEN handled_at IS NOT NULL AND dispatched_at IS NOT NULL"
                              "   THEN 1 END)",
                              "created_at >= :from AND created_at < :to", from, to, g->a, &s, err)))
        return st;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        case_figures_t *f = group(g, (const char *)sqlite3_column_text(s, 0));
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
            f->n[cols[i]] += sqlite3_column_int64(s, 1 + (int)i);
        f->handle_ms_sum += sqlite3_column_double(s, 10);
        f->handle_n += sqlite3_column_int64(s, 11);
    }
    return step_end(c, s, rc, err);
}

/* Add a roll-up read's rows (val, then the counts 'cols' names: a
 * case_count_t, or HMS and HN for the handling sums) to the groups. */
#define HMS (-1)
#define HN (-2)
static bh_status_t add_rows(const db_stats_query_t *q, sqlite3_stmt *s, const int *cols,
                            int ncols, struct groups *g, bh_err_t *err)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        /* ungrouped: the sources' rows (the fewest) summed under one key */
        case_figures_t *f =
            group(g, q->group_by == DB_GROUP_NONE ? "" : (const char *)sqlite3_column_text(s, 0));
        for (int i = 0; i < ncols; i++) {
            int64_t v = sqlite3_column_int64(s, 1 + i);
            if (cols[i] == HMS)
                f->handle_ms_sum += (double)v;
            else if (cols[i] == HN)
                f->handle_n += v;
            else
                f->n[cols[i]] += v;
        }
    }
    if (read_end(rc) != BH_OK)
        return bh_fail(err, read_end(rc), "", "统计查询未读完：%s", sqlite3_errstr(rc));
    return BH_OK;
}

/* Prepare a roll-up read: ?1 the node (the query's unit), ?2 the
 * grouping, ?3 and ?4 the days [d1, d2) where the statement has them. */
static bh_status_t prepare_node(db_conn_t *c, const db_stats_query_t *q, int dim, dt_day_t d1,
                                dt_day_t d2, const char *sql, sqlite3_stmt **s, bh_err_t *err)
{
    if (sqlite3_prepare_v2(SQ(c)->h, sql, -1, s, NULL) != SQLITE_OK)
        return bh_fail(err, BH_INTERNAL, "", "统计查询出错：%s", sqlite3_errmsg(SQ(c)->h));
    sqlite3_bind_text(*s, 1, q->unit.code, -1, SQLITE_STATIC);
    sqlite3_bind_int(*s, 2, dim);
    if (sqlite3_bind_parameter_count(*s) >= 4) {
        sqlite3_bind_int64(*s, 3, d1);
        sqlite3_bind_int64(*s, 4, d2);
    }
    return BH_OK;
}

/*
 * The whole days [d1, d2) from the roll-ups, with what closed or fell due
 * before as_of's day D.  Cases closed in a bucket before D's count as
 * closed and due (when registered) whatever their days, and are read
 * from case_rollup_done; the others - open, or closed in D's bucket or
 * later - from case_rollup's rows of bucket -1 and of D's bucket on, one
 * seek each.
 */
static bh_status_t rollup_days(db_conn_t *c, const db_stats_query_t *q, dt_day_t d1, dt_day_t d2,
                               dt_day_t D, struct groups *g, bh_err_t *err)
{
    static const int done_cols[] = {CM_REPORTED, CM_CLOSED, CM_REGISTERED, CM_DUE,
                                    CM_CLOSED_ON_TIME, CM_HANDLED, CM_REWORKED,
                                    CM_RATED, CM_SATISFIED, HMS, HN};
    static const int open_cols[] = {CM_REPORTED, CM_REGISTERED, CM_DUE, CM_CLOSED,
                                    CM_CLOSED_ON_TIME, CM_HANDLED, CM_REWORKED,
                                    CM_RATED, CM_SATISFIED, HMS, HN};
    int dim = q->group_by == DB_GROUP_UNIT ? 0 : q->group_by == DB_GROUP_CATEGORY ? 1 : 2;
    /* (a moment before 1970: nothing had closed, every closed row is in
     * a bucket from 0 on) */
    int64_t cut = D < 0 ? 0 : D / ROLLUP_CB_DAYS, last = -1;
    sqlite3_stmt *s;
    bh_status_t st;
    int rc;

    if ((st = prepare_node(c, q, dim, d1, d2,
                           "SELECT val, sum(n), sum(n), sum(reg), sum(reg), sum(ot), sum(hd),"
                           " sum(rw), sum(rt), sum(sat), sum(hms), sum(hn) FROM case_rollup_done"
                           " WHERE node = ?1 AND dim = ?2 AND day >= ?3 AND day < ?4 AND cb < ?5"
                           " GROUP BY val",
                           &s, err)))
        return st;
    sqlite3_bind_int64(s, 5, cut);
    st = add_rows(q, s, done_cols, (int)(sizeof done_cols / sizeof done_cols[0]), g, err);
    sqlite3_finalize(s);
    if (st)
        return st;

    /* the last bucket there is */
    if ((st = prepare_node(c, q, dim, d1, d2,
                           "SELECT cb FROM case_rollup WHERE node = ?1 AND dim = ?2"
                           " ORDER BY cb DESC LIMIT 1",
                           &s, err)))
        return st;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        last = sqlite3_column_int64(s, 0);
    if ((st = step_end(c, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, err)))
        return st;

    if ((st = prepare_node(c, q, dim, d1, d2,
                           "SELECT val, sum(n), sum(reg),"
                           " sum(CASE WHEN due_day >= 0 AND due_day < ?5 THEN n ELSE 0 END),"
                           " sum(CASE WHEN close_day >= 0 AND close_day < ?5 THEN n ELSE 0 END),"
                           " sum(CASE WHEN close_day >= 0 AND close_day < ?5 THEN ot ELSE 0 END),"
                           " sum(hd), sum(rw), sum(rt), sum(sat), sum(hms), sum(hn) FROM case_rollup"
                           " WHERE node = ?1 AND dim = ?2 AND cb = ?6 AND day >= ?3 AND day < ?4"
                           " GROUP BY val",
                           &s, err)))
        return st;
    sqlite3_bind_int64(s, 5, D);
    for (int64_t b = -1; b <= last && !st; b = b < 0 ? cut : b + 1) {
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 6, b);
        st = add_rows(q, s, open_cols, (int)(sizeof open_cols / sizeof open_cols[0]), g, err);
    }
    sqlite3_finalize(s);
    return st;
}

/* The cases created in [from, to) that closed or fell due in [ws, as_of]:
 * those the roll-ups leave to be decided by the moment. */
static bh_status_t as_of_day(db_conn_t *c, const db_stats_query_t *q, dt_ms_t from, dt_ms_t to,
                             dt_ms_t ws, struct groups *g, bh_err_t *err)
{
    bh_status_t st;
    sqlite3_stmt *s;
    int rc;

    if ((st = prepare_grouped(c, q,
                              "coalesce(sum(closed_at BETWEEN :ws AND :asof), 0),"
                              " coalesce(sum(closed_at BETWEEN :ws AND :asof AND on_time = 1), 0),"
                              " coalesce(sum(registered_at IS NOT NULL AND min(coalesce(closed_at, due_at),"
                              "   coalesce(due_at, closed_at)) BETWEEN :ws AND :asof), 0)",
                              "(closed_at BETWEEN :ws AND :asof OR due_at BETWEEN :ws AND :asof)"
                              " AND +created_at >= :from AND +created_at < :to",
                              from, to, g->a, &s, err)))
        return st;
    bind_name_int(s, ":ws", ws);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        case_figures_t *f = group(g, (const char *)sqlite3_column_text(s, 0));
        f->n[CM_CLOSED] += sqlite3_column_int64(s, 1);
        f->n[CM_CLOSED_ON_TIME] += sqlite3_column_int64(s, 2);
        f->n[CM_DUE] += sqlite3_column_int64(s, 3);
    }
    return step_end(c, s, rc, err);
}

/* Does the store keep roll-ups for this query's unit and grouping? */
static bool rolled_up(const db_stats_query_t *q)
{
    const char *u = q->unit.code;
    size_t n = u ? strlen(u) : 0;
    if (!u || (!strchr(u, '-') && n != 6 && n != 9 && n != 12))
        return false;
    return q->group_by != DB_GROUP_UNIT || q->key_len == unit_child_code_len(u);
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const db_stats_row_t *)a)->key, ((const db_stats_row_t *)b)->key);
}

/* Names of the groups (units, categories), in key order, without empty ones. */
static bh_status_t finish(db_conn_t *c, const db_stats_query_t *q, struct groups *g,
                          db_stats_row_t **rows, int *n, bh_err_t *err)
{
    sqlite3_stmt *s = NULL;
    int kept = 0;
    if (q->group_by == DB_GROUP_UNIT || q->group_by == DB_GROUP_CATEGORY) {
        const char *sql = q->group_by == DB_GROUP_UNIT ? "SELECT name FROM units WHERE code = ?1"
                                                       : "SELECT name FROM categories WHERE code = ?1";
        if (sqlite3_prepare_v2(SQ(c)->h, sql, -1, &s, NULL) != SQLITE_OK)
            return bh_fail(err, BH_INTERNAL, "", "统计查询出错：%s", sqlite3_errmsg(SQ(c)->h));
    }
    for (int i = 0; i < g->n; i++) {
        db_stats_row_t *r = &g->r[i];
        if (!r->f.n[CM_REPORTED])
            continue;
        case_figures_finish(&r->f);
        if (s) {
            int rc;
            sqlite3_reset(s);
            sqlite3_bind_text(s, 1, r->key, -1, SQLITE_STATIC);
            rc = sqlite3_step(s);
            if (rc == SQLITE_ROW)
                r->name = col_text(s, 0, g->a);
            else if (rc != SQLITE_DONE)
                return step_end(c, s, rc, err);
        }
        g->r[kept++] = *r;
    }
    sqlite3_finalize(s);
    if (kept > 1)
        qsort(g->r, (size_t)kept, sizeof *g->r, by_key);
    *rows = g->r ? g->r : arena_alloc(g->a, sizeof **rows);
    *n = kept;
    return BH_OK;
}

bh_status_t sq_stats(db_conn_t *c, const db_stats_query_t *q, arena_t *a, db_stats_row_t **rows,
                     int *n, bh_err_t *err)
{
    struct groups g = {a, NULL, 0, 0};
    /* the whole days: from the first midnight at or after 'from' to the
     * last at or before 'to' */
    dt_day_t d1 = dt_local_day(q->from), d2 = dt_local_day(q->to);
    bh_status_t st;

    *n = 0;
    if (dt_local_midnight(d1) < q->from)
        d1++;
    if (!q->scan && rolled_up(q) && d1 < d2) {
        dt_day_t D = dt_local_day(q->as_of);
        dt_ms_t m1 = dt_local_midnight(d1), m2 = dt_local_midnight(d2);
        if ((st = scan_range(c, q, q->from, m1, &g, err)) ||
            (st = rollup_days(c, q, d1, d2, D, &g, err)) ||
            (st = as_of_day(c, q, m1, m2, dt_local_midnight(D), &g, err)) ||
            (st = scan_range(c, q, m2, q->to, &g, err)))
            return st;
    } else if ((st = scan_range(c, q, q->from, q->to, &g, err))) {
        return st;
    }
    return finish(c, q, &g, rows, n, err);
}

/* How many keys of 'kept' and temp.'fresh' (same columns, key 'key')
 * differ: wrong, missing or extra, each once. */
static bh_status_t count_differing(sqlite3 *h, const char *kept, const char *fresh,
                                   const char *key, int64_t *n, bh_err_t *err)
{
    sqlite3_stmt *s;
    int rc;
    char *sql = sqlite3_mprintf("SELECT count(*) FROM (SELECT 1 FROM"
                                " (SELECT * FROM (SELECT * FROM %s EXCEPT SELECT * FROM temp.%s)"
                                "  UNION ALL SELECT * FROM (SELECT * FROM temp.%s EXCEPT"
                                "  SELECT * FROM %s)) GROUP BY %s)",
                                kept, fresh, fresh, kept, key);
    rc = sqlite3_prepare_v2(h, sql, -1, &s, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        return bh_fail(err, BH_INTERNAL, "", "比较统计汇总失败：%s", sqlite3_errmsg(h));
    *n = (rc = sqlite3_step(s)) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return bh_fail(err, BH_INTERNAL, "", "比较统计汇总失败：%s", sqlite3_errstr(rc));
    return BH_OK;
}

#define ROLLUP_KEY "node, dim, cb, day, val, due_day, close_day"
#define DONE_KEY "node, dim, day, val, cb"

/*
 * case_rollup recomputed from the view and compared key by key; the rows
 * that differ are replaced (case_rollup's triggers carry the change into
 * case_rollup_done).  Then case_rollup_done is recomputed from
 * case_rollup and compared too, and replaced whole if it differs.
 */
bh_status_t sq_stats_rebuild(db_conn_t *c, int64_t *rows, int64_t *differed, bh_err_t *err)
{
    sqlite3 *h = SQ(c)->h;
    int64_t done_differed;
    bh_status_t st;

    *rows = *differed = 0;
    if ((st = exec_what(h,
                   "DROP TABLE IF EXISTS temp.rollup_fresh;"
                   "CREATE TEMP TABLE rollup_fresh AS SELECT node, dim, " ROLLUP_CB("close_day")
                   " AS cb, day, val, due_day, close_day, " ROLLUP_SUM_COLS
                   " FROM case_rollup_src GROUP BY node, dim, day, val, due_day, close_day;",
                   "重算统计汇总", err)) ||
        (st = count_differing(h, "case_rollup", "rollup_fresh", ROLLUP_KEY, differed, err)))
        return st;
    if (*differed &&
        (st = exec_what(h,
                   "DELETE FROM case_rollup WHERE (" ROLLUP_KEY ") IN (SELECT " ROLLUP_KEY
                   " FROM (SELECT * FROM case_rollup EXCEPT SELECT * FROM temp.rollup_fresh));"
                   "INSERT INTO case_rollup SELECT * FROM (SELECT * FROM temp.rollup_fresh"
                   " EXCEPT SELECT * FROM case_rollup);",
                   "写入统计汇总", err)))
        return st;
    if ((st = exec_what(h,
                   "DROP TABLE IF EXISTS temp.done_fresh;"
                   "CREATE TEMP TABLE done_fresh AS " ROLLUP_DONE_SUMS ";",
                   "重算已办结统计汇总", err)) ||
        (st = count_differing(h, "case_rollup_done", "done_fresh", DONE_KEY, &done_differed,
                              err)))
        return st;
    if (done_differed && (st = exec_what(h,
                                    "DELETE FROM case_rollup_done;"
                                    "INSERT INTO case_rollup_done SELECT * FROM temp.done_fresh;",
                                    "写入已办结统计汇总", err)))
        return st;
    *differed += done_differed;
    if ((st = one_int(h,
                      "SELECT (SELECT count(*) FROM temp.rollup_fresh)"
                      " + (SELECT count(*) FROM temp.done_fresh)",
                      0, rows, err)))
        return st;
    sqlite3_exec(h, "DROP TABLE temp.rollup_fresh; DROP TABLE temp.done_fresh", NULL, NULL,
                 NULL);
    return BH_OK;
}
