/*
 * report.c - the reporting loop's service: gather a unit's figures for a
 * period from the case, patrol, target and project loops into the values,
 * tables, charts and lists a report template words (core/report.h).
 *
 * Every figure comes from the same reads the API answers with
 * (svc_case_stats, svc_patrol_stats, svc_target_board, svc_project_list,
 * svc_flags_list, svc_case_list), so a report never says a number the
 * dashboard does not.  Keys are documented in docs/REPORTS.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/numfmt.h"
#include "core/report.h"
#include "core/wording.h"
#include "svc/svc.h"
#include "util/dynbuf.h"

#define OVERDUE_ROWS 50 /* cases listed in a bulletin's table of overdue cases */

typedef struct {
    svc_t *s;
    const svc_user_t *u;
    arena_t *a;
    rpt_data_t *d;
    const char *unit, *unit_name;
    db_unit_t *kids; /* active children, the groups of the tables */
    int nkids;
    dt_day_t from, to, as_of; /* as_of: to, or today within the period */
    dt_ms_t now;
    const char **problems;
    int nproblems;
} rctx_t;

static const char *A(rctx_t *x, const char *s)
{
    return arena_strdup(x->a, s);
}

static void problem(rctx_t *x, const char *text)
{
    const char **p = arena_alloc_array(x->a, (size_t)x->nproblems + 1, sizeof *p);
    if (x->nproblems)
        memcpy(p, x->problems, (size_t)x->nproblems * sizeof *p);
    p[x->nproblems++] = A(x, text);
    x->problems = p;
}

/* ---- the case loop ---- */

static bh_status_t case_stats(rctx_t *x, dt_day_t from, dt_day_t to, int group_by,
                              db_stats_row_t **rows, int *n, case_figures_t *total,
                              bh_err_t *err)
{
    db_stats_query_t q = {0};
    q.from = dt_local_midnight(from);
    q.to = dt_local_midnight(to + 1);
    q.as_of = q.to < x->now ? q.to : x->now;
    q.group_by = group_by;
    q.key_len = unit_child_code_len(x->unit);
    bh_status_t st = svc_case_stats(x->s, x->u, x->unit, &q, x->a, rows, n, err);
    if (st)
        return st;
    memset(total, 0, sizeof *total);
    for (int i = 0; i < *n; i++) {
        case_figures_finish(&(*rows)[i].f);
        case_figures_add(total, &(*rows)[i].f);
    }
    case_figures_finish(total);
    return BH_OK;
}

/* The value of metric key over f as text for a table cell ("" undefined). */
static const char *metric_cell(rctx_t *x, const char *key, const case_figures_t *f)
{
    const metric_t *m = case_metric(key);
    double v;
    char buf[NF_MAX];
    if (!m || !metric_value(m, f, &v))
        return "";
    if (m->kind == METRIC_COUNT)
        snprintf(buf, sizeof buf, "%lld", (long long)v);
    else if (m->kind == METRIC_RATE)
        nf_rate_parts(f->n[m->num], f->n[m->den], 2, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "%.1f", v);
    return A(x, buf);
}

static void case_values(rctx_t *x, const char *prefix, const case_figures_t *f)
{
    int n;
    const metric_t *ms = case_metrics(&n);
    char key[96];
    for (int i = 0; i < n; i++) {
        const metric_t *m = &ms[i];
        snprintf(key, sizeof key, "%s.%s", prefix, m->key);
        if (m->kind == METRIC_COUNT) {
            rpt_set_count(x->d, x->a, key, f->n[m->num]);
        } else if (m->kind == METRIC_RATE) {
            rpt_set_rate(x->d, x->a, key, f->n[m->num], f->n[m->den]);
        } else {
            double v;
            bool ok = metric_value(m, f, &v);
            rpt_set_quantity(x->d, x->a, key, ok ? v : NAN, "小时");
        }
    }
}

/* "其中，12345热线3200件，网格员上报6100件" - two sources or more, largest first. */
static void by_source(rctx_t *x, db_stats_row_t *rows, int n)
{
    int order[32], k = 0;
    for (int i = 0; i < n && k < 32; i++)
        if (rows[i].f.n[CM_REPORTED] > 0)
            order[k++] = i;
    for (int i = 1; i < k; i++)
        for (int j = i; j > 0 && rows[order[j]].f.n[CM_REPORTED] >
                                     rows[order[j - 1]].f.n[CM_REPORTED]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    if (k < 2)
        return;
    dynbuf_t b;
    dynbuf_init(&b, 1 << 16);
    dynbuf_addstr(&b, "其中");
    for (int i = 0; i < k; i++) {
        char num[NF_MAX];
        const char *label = svc_source_label(rows[order[i]].key);
        dynbuf_addstr(&b, "，");
        dynbuf_addstr(&b, label ? label : rows[order[i]].key);
        dynbuf_addstr(&b, nf_count(rows[order[i]].f.n[CM_REPORTED], "件", num, sizeof num));
    }
    rpt_set_text(x->d, x->a, "cases.by_source", b.buf);
    dynbuf_free(&b);
}

static const db_stats_row_t *row_of(db_stats_row_t *rows, int n, const char *code)
{
    for (int i = 0; i < n; i++)
        if (rows[i].key && strcmp(rows[i].key, code) == 0)
            return &rows[i];
    return NULL;
}

/* The rows of the children (in the unit tree's order) whose count 'nonzero'
 * is not 0; *k their number. */
static const db_stats_row_t **kid_rows(rctx_t *x, db_stats_row_t *rows, int n,
                                       case_count_t nonzero, int *k)
{
    const db_stats_row_t **use = arena_alloc_array(x->a, (size_t)x->nkids + 1, sizeof *use);
    *k = 0;
    for (int i = 0; i < x->nkids; i++) {
        const db_stats_row_t *r = row_of(rows, n, x->kids[i].code);
        if (r && r->f.n[nonzero] > 0)
            use[(*k)++] = r;
    }
    return use;
}

static void cases_by_unit(rctx_t *x, db_stats_row_t *rows, int n, const case_figures_t *total)
{
    static const char *const head[] = {"单位", "上报数", "立案数", "结案数", "结案率",
                                       "按期结案率", "超期数"};
    static const char *const keys[] = {NULL, "reported", "registered", "closed", "close_rate",
                                       "on_time_close_rate", "overdue"};
    int nrows;
    const db_stats_row_t **use = kid_rows(x, rows, n, CM_REPORTED, &nrows);
    if (nrows < 2)
        return;
    rpt_table_t *t = rpt_table_new(x->a, "cases_by_unit", "各单位案件办理情况", 7, nrows + 1);
    rpt_chart_t *c = rpt_chart_new(x->a, "cases_by_unit", "各单位上报及结案数", RPT_BAR, "件",
                                   2, nrows);
    c->series[0] = "上报数";
    c->series[1] = "结案数";
    for (int col = 0; col < 7; col++) {
        t->head[col] = head[col];
        t->numeric[col] = col > 0;
    }
    for (int i = 0; i <= nrows; i++) {
        const case_figures_t *f = i < nrows ? &use[i]->f : total;
        const char *name = i < nrows ? (use[i]->name ? use[i]->name : use[i]->key) : "合计";
        rpt_cell(t, i, 0, name);
        for (int col = 1; col < 7; col++)
            rpt_cell(t, i, col, metric_cell(x, keys[col], f));
        if (i < nrows) {
            c->labels[i] = name;
            c->values[i] = (double)f->n[CM_REPORTED];
            c->values[nrows + i] = (double)f->n[CM_CLOSED];
        }
    }
    rpt_add_table(x->d, x->a, t);
    rpt_add_chart(x->d, x->a, c);
}

/* The reported cases month by month, when the period spans two or more. */
static bh_status_t cases_by_month(rctx_t *x, bh_err_t *err)
{
    int y1, m1, d1, y2, m2, d2;
    dt_ymd(x->from, &y1, &m1, &d1);
    dt_ymd(x->to, &y2, &m2, &d2);
    int months = (y2 - y1) * 12 + (m2 - m1) + 1;
    if (months < 2 || months > 24)
        return BH_OK;
    rpt_chart_t *c = rpt_chart_new(x->a, "cases_by_month", "逐月上报及结案数", RPT_LINE, "件",
                                   2, months);
    c->series[0] = "上报数";
    c->series[1] = "结案数";
    for (int i = 0; i < months; i++) {
        int y = y1 + (m1 - 1 + i) / 12, m = (m1 - 1 + i) % 12 + 1;
        dt_day_t a = dt_day_from_ymd(y, m, 1), b = period_month(a).to;
        if (a < x->from)
            a = x->from;
        if (b > x->to)
            b = x->to;
        db_stats_row_t *rows;
        int n;
        case_figures_t f;
        bh_status_t st = case_stats(x, a, b, DB_GROUP_NONE, &rows, &n, &f, err);
        if (st)
            return st;
        c->labels[i] = arena_printf(x->a, "%d月", m);
        c->values[i] = (double)f.n[CM_REPORTED];
        c->values[months + i] = (double)f.n[CM_CLOSED];
    }
    rpt_add_chart(x->d, x->a, c);
    return BH_OK;
}

/* The bulletin's ranking of the children by 按期结案率, then 结案率 (the
 * higher first; 0 when both are equal). */
static int rates_cmp(const db_stats_row_t *a, const db_stats_row_t *b)
{
    double ra = a->f.n[CM_DUE] ? (double)a->f.n[CM_CLOSED_ON_TIME] / (double)a->f.n[CM_DUE] : -1;
    double rb = b->f.n[CM_DUE] ? (double)b->f.n[CM_CLOSED_ON_TIME] / (double)b->f.n[CM_DUE] : -1;
    if (ra != rb)
        return ra > rb ? -1 : 1;
    double ca = a->f.n[CM_DUE] ? (double)a->f.n[CM_CLOSED] / (double)a->f.n[CM_DUE] : -1;
    double cb = b->f.n[CM_DUE] ? (double)b->f.n[CM_CLOSED] / (double)b->f.n[CM_DUE] : -1;
    return ca != cb ? (ca > cb ? -1 : 1) : 0;
}

/* rates_cmp, ties in the order of the codes. */
static int rank_cmp(const void *pa, const void *pb)
{
    const db_stats_row_t *a = *(const db_stats_row_t *const *)pa;
    const db_stats_row_t *b = *(const db_stats_row_t *const *)pb;
    int c = rates_cmp(a, b);
    return c ? c : strcmp(a->key ? a->key : "", b->key ? b->key : "");
}

static void ranking(rctx_t *x, db_stats_row_t *rows, int n)
{
    int k;
    const db_stats_row_t **r = kid_rows(x, rows, n, CM_DUE, &k);
    if (k < 2)
        return;
    qsort(r, (size_t)k, sizeof *r, rank_cmp);
    static const char *const head[] = {"排名", "单位", "上报数", "应结案数", "结案率", "按期结案率",
                                       "超期数"};
    static const char *const keys[] = {NULL, NULL, "reported", "due", "close_rate",
                                       "on_time_close_rate", "overdue"};
    rpt_table_t *t = rpt_table_new(x->a, "ranking", "各单位按期结案率排名", 7, k);
    rpt_chart_t *c = rpt_chart_new(x->a, "ranking", "各单位按期结案率", RPT_BAR, "%", 1, k);
    c->series[0] = "按期结案率";
    for (int col = 0; col < 7; col++) {
        t->head[col] = head[col];
        t->numeric[col] = col != 1;
    }
    for (int i = 0; i < k; i++) {
        const char *name = r[i]->name ? r[i]->name : r[i]->key;
        rpt_cell(t, i, 0, arena_printf(x->a, "%d", i + 1));
        rpt_cell(t, i, 1, name);
        for (int col = 2; col < 7; col++)
            rpt_cell(t, i, col, metric_cell(x, keys[col], &r[i]->f));
        c->labels[i] = name;
        c->values[i] = (double)r[i]->f.n[CM_CLOSED_ON_TIME] / (double)r[i]->f.n[CM_DUE];
    }
    rpt_add_table(x->d, x->a, t);
    rpt_add_chart(x->d, x->a, c);
    if (rates_cmp(r[0], r[k - 1]) != 0) {
        /* first and last only when they differ in rate, not by a tie broken on the code */
        rpt_set_text(x->d, x->a, "ranking.first", r[0]->name ? r[0]->name : r[0]->key);
        rpt_set_text(x->d, x->a, "ranking.last", r[k - 1]->name ? r[k - 1]->name : r[k - 1]->key);
    }
}

#define COUNT_PAGES 20 /* of 1000: open cases counted one by one up to 20,000 */

/* The open cases f selects but those of exclude[] (ids), counted page by
 * page up to COUNT_PAGES (*more: there are more than *total), the first
 * OVERDUE_ROWS kept, oldest first. */
static bh_status_t count_cases(rctx_t *x, db_case_filter_t *f, const int64_t *exclude,
                               int nexclude, svc_case_row_t **first, int *nfirst,
                               int64_t *total, bool *more, bh_err_t *err)
{
    svc_case_row_t *rows;
    int n;
    const char *next = NULL;
    f->unit = db_scope(x->unit);
    f->status = -1;
    f->open = 1;
    f->sort = DB_SORT_CREATED_ASC;
    f->limit = 1000;
    *first = arena_alloc_array(x->a, OVERDUE_ROWS, sizeof **first);
    *nfirst = 0;
    *total = 0;
    for (int page = 0; page < COUNT_PAGES; page++) {
        bh_status_t st = svc_case_list(x->s, x->u, f, x->a, &rows, &n, &next, err);
        if (st)
            return st;
        for (int i = 0; i < n; i++) {
            bool skip = false;
            for (int j = 0; j < nexclude && !skip; j++)
                skip = exclude[j] == rows[i].k.id;
            if (skip)
                continue;
            if (*nfirst < OVERDUE_ROWS)
                (*first)[(*nfirst)++] = rows[i];
            ++*total;
        }
        if (!next)
            break;
        f->cursor = next;
    }
    *more = next != NULL;
    return BH_OK;
}

/* The name of a unit for a table cell ('none' when there is no unit). */
static const char *unit_name(rctx_t *x, const char *code, const char *none)
{
    db_unit_t u;
    bh_err_t e;
    if (!code)
        return none;
    return svc_unit_get(x->s, code, x->a, &u, NULL, NULL, NULL, &e) == BH_OK ? u.name : code;
}

/* The open cases whose clock has run out now (the store's light is the
 * sweep's, as of now: a bulletin says "截至{today}"), oldest first: all
 * counted, the first OVERDUE_ROWS listed. */
static bh_status_t overdue_cases(rctx_t *x, bh_err_t *err)
{
    db_case_filter_t f = {0};
    svc_case_row_t *first;
    int nfirst;
    int64_t total;
    bool more;
    f.light = SLA_LIGHT_OVERDUE;
    bh_status_t st = count_cases(x, &f, NULL, 0, &first, &nfirst, &total, &more, err);
    if (st)
        return st;
    if (more)
        rpt_set_count_at_least(x->d, x->a, "cases.overdue_open", total);
    else
        rpt_set_count(x->d, x->a, "cases.overdue_open", total);
    if (total == 0)
        return BH_OK;
    static const char *const head[] = {"案件编号", "标题", "所在单位", "处置单位", "上报日期", "督办"};
    rpt_table_t *t = rpt_table_new(x->a, "overdue",
                                   total > nfirst ? arena_printf(x->a, "超期未结案件（最早的%d件）", nfirst)
                                                  : "超期未结案件",
                                   6, nfirst);
    for (int col = 0; col < 6; col++)
        t->head[col] = head[col];
    t->numeric[0] = true;
    for (int i = 0; i < nfirst; i++) {
        const db_case_t *k = &first[i].k;
        char when[32];
        dt_format_date(dt_local_day(k->created_at), when, sizeof when);
        rpt_cell(t, i, 0, arena_printf(x->a, "%lld", (long long)k->id));
        rpt_cell(t, i, 1, k->title);
        rpt_cell(t, i, 2, unit_name(x, k->unit, ""));
        rpt_cell(t, i, 3, unit_name(x, k->handling_unit, "（未派遣）"));
        rpt_cell(t, i, 4, A(x, when));
        rpt_cell(t, i, 5, k->supervised ? "是" : "");
    }
    rpt_add_table(x->d, x->a, t);
    return BH_OK;
}

/* What is under supervision now: open major hazards 挂牌督办 and the other
 * open cases 督办 (a major hazard's own case is listed as the hazard), in
 * one table, with their counts. */
static bh_status_t supervised_items(rctx_t *x, bh_err_t *err)
{
    db_hazard_filter_t hf = {0};
    db_hazard_t *hz = NULL;
    int nh = 0, nsup = 0;
    hf.severity = "major";
    hf.status = DB_HAZARD_OPEN;
    hf.self_check = -1;
    bh_status_t st = svc_hazard_list(x->s, x->u, x->unit, &hf, x->a, &hz, &nh, err);
    if (st == BH_PERMISSION_DENIED || st == BH_INVALID_ARGUMENT) { /* a department: no objects */
        bh_err_clear(err);
        nh = 0;
    } else if (st) {
        return st;
    }
    /* a hazard's case counts once, as the hazard */
    int64_t *own = arena_alloc_array(x->a, (size_t)nh + 1, sizeof *own);
    for (int i = 0; i < nh; i++)
        if (hz[i].supervisor)
            own[nsup++] = hz[i].case_id;
    db_case_filter_t f = {0};
    svc_case_row_t *cases;
    int ncases;
    int64_t total;
    bool more;
    f.light = -1;
    f.supervised = true;
    if ((st = count_cases(x, &f, own, nsup, &cases, &ncases, &total, &more, err)))
        return st;
    if (more)
        rpt_set_count_at_least(x->d, x->a, "cases.supervised_open", total);
    else
        rpt_set_count(x->d, x->a, "cases.supervised_open", total);
    rpt_set_count(x->d, x->a, "hazards.supervised", nsup);
    if (ncases + nsup == 0)
        return BH_OK;
    static const char *const head[] = {"类型", "编号", "事项", "单位", "日期", "督办"};
    rpt_table_t *t = rpt_table_new(x->a, "supervised", "督办事项", 6, ncases + nsup);
    for (int col = 0; col < 6; col++)
        t->head[col] = head[col];
    t->numeric[1] = true;
    int r = 0;
    for (int i = 0; i < nh; i++) {
        if (!hz[i].supervisor)
            continue;
        char when[32];
        dt_format_date(dt_local_day(hz[i].found_at), when, sizeof when);
        rpt_cell(t, r, 0, "重大隐患");
        rpt_cell(t, r, 1, arena_printf(x->a, "%lld", (long long)hz[i].id));
        rpt_cell(t, r, 2, arena_printf(x->a, "%s：%s", hz[i].object_name ? hz[i].object_name : "",
                                       hz[i].description ? hz[i].description : ""));
        rpt_cell(t, r, 3, unit_name(x, hz[i].grid, ""));
        rpt_cell(t, r, 4, A(x, when));
        rpt_cell(t, r, 5, arena_printf(x->a, "挂牌督办（%s）", hz[i].supervisor));
        r++;
    }
    for (int i = 0; i < ncases; i++, r++) {
        const db_case_t *k = &cases[i].k;
        char when[32];
        dt_format_date(dt_local_day(k->created_at), when, sizeof when);
        rpt_cell(t, r, 0, "督办案件");
        rpt_cell(t, r, 1, arena_printf(x->a, "%lld", (long long)k->id));
        rpt_cell(t, r, 2, k->title);
        rpt_cell(t, r, 3, unit_name(x, k->handling_unit, "（未派遣）"));
        rpt_cell(t, r, 4, A(x, when));
        rpt_cell(t, r, 5, k->supervised > 1 ? arena_printf(x->a, "第%d次督办", k->supervised) : "督办");
    }
    rpt_add_table(x->d, x->a, t);
    return BH_OK;
}

static bh_status_t cases_section(rctx_t *x, bool bulletin, bh_err_t *err)
{
    db_stats_row_t *rows;
    int n;
    case_figures_t total, prev;
    bh_status_t st;
    if ((st = case_stats(x, x->from, x->to, DB_GROUP_UNIT, &rows, &n, &total, err)))
        return st;
    case_values(x, "cases", &total);
    if (bulletin)
        ranking(x, rows, n);
    else
        cases_by_unit(x, rows, n, &total);
    if (total.n[CM_OVERDUE] > 0) {
        char num[NF_MAX], rate[NF_MAX];
        const db_stats_row_t *worst = NULL;
        /* the child unit with most (a department's groups are not its children) */
        for (int i = 0; i < x->nkids; i++) {
            const db_stats_row_t *r = row_of(rows, n, x->kids[i].code);
            if (r && r->f.n[CM_OVERDUE] > 0 && (!worst || r->f.n[CM_OVERDUE] > worst->f.n[CM_OVERDUE]))
                worst = r;
        }
        nf_count(total.n[CM_OVERDUE], "件", num, sizeof num);
        nf_rate_parts(total.n[CM_CLOSED_ON_TIME], total.n[CM_DUE], 2, rate, sizeof rate);
        if (worst && x->nkids > 1 && worst->name)
            problem(x, arena_printf(x->a, "超期案件%s，按期结案率%s，其中%s超期%lld件，居各单位之首", num,
                                    rate, worst->name, (long long)worst->f.n[CM_OVERDUE]));
        else
            problem(x, arena_printf(x->a, "超期案件%s，按期结案率%s", num, rate));
    }
    if ((st = case_stats(x, x->from, x->to, DB_GROUP_SOURCE, &rows, &n, &prev, err)))
        return st;
    by_source(x, rows, n);
    /* 同比: the same span a year before; 环比: the period before (core/period.h) */
    period_t yb = period_year_before((period_t){x->from, x->to});
    if ((st = case_stats(x, yb.from, yb.to, DB_GROUP_NONE, &rows, &n, &prev, err)))
        return st;
    rpt_set_change(x->d, x->a, "cases.reported_yoy", true, (double)total.n[CM_REPORTED],
                   (double)prev.n[CM_REPORTED]);
    period_t before = period_previous((period_t){x->from, x->to});
    if ((st = case_stats(x, before.from, before.to, DB_GROUP_NONE, &rows, &n, &prev, err)))
        return st;
    rpt_set_change(x->d, x->a, "cases.reported_mom", true, (double)total.n[CM_REPORTED],
                   (double)prev.n[CM_REPORTED]);
    if (!bulletin)
        return cases_by_month(x, err);
    if ((st = overdue_cases(x, err)))
        return st;
    return supervised_items(x, err);
}

/* ---- the patrol loop ---- */

static const char *frac_cell(rctx_t *x, bool ok, double v)
{
    char buf[NF_MAX];
    return ok ? A(x, nf_rate(v, 1, buf, sizeof buf)) : "";
}

static bh_status_t patrols_section(rctx_t *x, bh_err_t *err)
{
    static const char *const counts[] = {"objects", "due", "done", "on_time", "late", "missed",
                                         "visits", "hazards", "hazards_major", "rectified",
                                         "rectified_on_time", "overdue", "cases", "self_checks",
                                         "self_check_hazards", NULL};
    static const char *const rates[] = {"coverage", "on_time_rate", "rectification_rate",
                                        "rectified_on_time_rate", NULL};
    svc_patrol_figures_t *rows;
    int n;
    period_t p = {x->from, x->to};
    bh_status_t st = svc_patrol_stats(x->s, x->u, x->unit, p, SVC_PATROL_GROUP_NONE,
                                      x->now, x->a, &rows, &n, err);
    if (st)
        return st;
    if (n == 0)
        return BH_OK;
    char key[64];
    double v;
    for (int i = 0; counts[i]; i++) {
        snprintf(key, sizeof key, "patrols.%s", counts[i]);
        rpt_set_count(x->d, x->a, key, svc_patrol_figure(&rows[0], counts[i], &v) ? (int64_t)v : 0);
    }
    for (int i = 0; rates[i]; i++) {
        snprintf(key, sizeof key, "patrols.%s", rates[i]);
        bool ok = svc_patrol_figure(&rows[0], rates[i], &v);
        rpt_set_frac(x->d, x->a, key, ok, v);
    }
    char num[NF_MAX], rate[NF_MAX];
    if (rows[0].t.missed > 0 && svc_patrol_figure(&rows[0], "coverage", &v))
        problem(x, arena_printf(x->a, "漏巡%s，巡查覆盖率%s",
                                nf_count(rows[0].t.missed, "次", num, sizeof num),
                                nf_rate(v, 1, rate, sizeof rate)));
    if (rows[0].overdue > 0)
        problem(x, arena_printf(x->a, "逾期未整改隐患%s，需加快整改",
                                nf_count(rows[0].overdue, "宗", num, sizeof num)));

    if ((st = svc_patrol_stats(x->s, x->u, x->unit, p, SVC_PATROL_GROUP_UNIT, x->now, x->a,
                               &rows, &n, err)))
        return st;
    int k = 0;
    for (int i = 0; i < n; i++)
        k += rows[i].objects > 0;
    if (k < 2)
        return BH_OK;
    static const char *const head[] = {"单位", "纳管对象", "应巡", "已巡", "覆盖率", "发现隐患",
                                       "已整改", "整改率"};
    rpt_table_t *t = rpt_table_new(x->a, "patrols_by_unit", "各单位巡查检查情况", 8, k);
    for (int col = 0; col < 8; col++) {
        t->head[col] = head[col];
        t->numeric[col] = col > 0;
    }
    for (int i = 0, r = 0; i < n; i++) {
        const svc_patrol_figures_t *f = &rows[i];
        if (f->objects == 0)
            continue;
        bool ok;
        rpt_cell(t, r, 0, f->name ? f->name : f->key);
        rpt_cell(t, r, 1, arena_printf(x->a, "%lld", (long long)f->objects));
        rpt_cell(t, r, 2, arena_printf(x->a, "%lld", (long long)f->t.due));
        rpt_cell(t, r, 3, arena_printf(x->a, "%lld", (long long)f->t.done));
        ok = svc_patrol_figure(f, "coverage", &v);
        rpt_cell(t, r, 4, frac_cell(x, ok, v));
        rpt_cell(t, r, 5, arena_printf(x->a, "%lld", (long long)(f->hazards + f->self_check_hazards)));
        rpt_cell(t, r, 6, arena_printf(x->a, "%lld", (long long)f->rectified));
        ok = svc_patrol_figure(f, "rectification_rate", &v);
        rpt_cell(t, r, 7, frac_cell(x, ok, v));
        r++;
    }
    rpt_add_table(x->d, x->a, t);
    return BH_OK;
}

/* ---- targets and projects ---- */

static const char *tv_cell(rctx_t *x, tgt_value_t v, bool points)
{
    char buf[NF_MAX];
    if (v.state != TGT_OK)
        return "";
    if (points)
        return A(x, nf_quantity(v.value * 100, "个百分点", buf, sizeof buf));
    return A(x, nf_rate(v.value, 1, buf, sizeof buf));
}

static const char *card_label(const char *card)
{
    return !card ? "" : strcmp(card, "red") == 0 ? "红牌" : strcmp(card, "yellow") == 0 ? "黄牌"
                      : strcmp(card, "blue") == 0 ? "蓝牌" : strcmp(card, "green") == 0 ? "绿牌"
                      : card;
}

/* A target or actual in the indicator's unit. */
static const char *ind_value(rctx_t *x, const indicator_t *ind, double v)
{
    char buf[NF_MAX];
    if (ind->rate)
        return A(x, nf_rate(v, 2, buf, sizeof buf));
    if (strcmp(ind->unit, "万元") == 0 || strcmp(ind->unit, "元") == 0)
        return A(x, nf_amount(v, ind->unit, buf, sizeof buf));
    return A(x, nf_quantity(v, ind->unit, buf, sizeof buf));
}

/* Up to three names joined by "、", then "等N个单位". */
static const char *some_names(rctx_t *x, const char **names, int n)
{
    dynbuf_t b;
    dynbuf_init(&b, 1 << 14);
    for (int i = 0; i < n && i < 3; i++) {
        if (i)
            dynbuf_addstr(&b, "、");
        dynbuf_addstr(&b, names[i]);
    }
    const char *out = n > 3 ? arena_printf(x->a, "%s等%d个单位", b.buf, n) : A(x, b.len ? b.buf : "");
    dynbuf_free(&b);
    return out;
}

static int unit_cmp(const void *pa, const void *pb)
{
    const svc_board_unit_t *a = pa, *b = pb;
    int t = strcmp(a->unit->type, b->unit->type);
    if (t)
        return -t; /* streets before departments */
    return a->rank - b->rank;
}

/* Each unit's standing (the printed table), every unit × indicator in the
 * annex, a sentence per indicator, and the red cards as problems. */
static bh_status_t targets_section(rctx_t *x, bh_err_t *err)
{
    svc_board_t b;
    period_t p = {x->from, x->to};
    int y1, y2, m, d;
    dt_ymd(x->from, &y1, &m, &d);
    dt_ymd(x->to, &y2, &m, &d);
    if (y1 != y2 || x->nkids == 0)
        return BH_OK; /* targets are set by the year, for the children */
    bh_status_t st = svc_target_board(x->s, x->u, x->unit, p, x->a, &b, err);
    if (st == BH_FAILED_PRECONDITION || st == BH_INVALID_ARGUMENT) {
        bh_err_clear(err);
        return BH_OK;
    }
    if (st || b.nrows == 0)
        return st;

    static const char *const dhead[] = {"单位", "指标", "年度目标", "完成值", "完成率", "序时进度",
                                        "进度差", "同比", "排名", "亮牌"};
    rpt_table_t *dt = rpt_table_new(x->a, "target_detail", "目标任务完成情况明细", 10, b.nrows);
    for (int col = 0; col < 10; col++) {
        dt->head[col] = dhead[col];
        dt->numeric[col] = col >= 2 && col <= 8;
    }
    for (int i = 0; i < b.nrows; i++) {
        const svc_board_row_t *r = &b.rows[i];
        char buf[NF_MAX];
        rpt_cell(dt, i, 0, r->unit->name);
        rpt_cell(dt, i, 1, r->ind->name);
        rpt_cell(dt, i, 2, ind_value(x, r->ind, r->target));
        rpt_cell(dt, i, 3, r->actual.state == TGT_OK ? ind_value(x, r->ind, r->actual.value) : "");
        rpt_cell(dt, i, 4, tv_cell(x, r->r.completion, false));
        rpt_cell(dt, i, 5, A(x, nf_rate(r->r.time_progress, 1, buf, sizeof buf)));
        rpt_cell(dt, i, 6, tv_cell(x, r->r.gap, true));
        rpt_cell(dt, i, 7, r->r.yoy.state != TGT_OK ? ""
                           : r->ind->rate ? A(x, nf_points(r->r.yoy.value, buf, sizeof buf))
                           : A(x, nf_change(1 + r->r.yoy.value, 1, buf, sizeof buf) ? buf : ""));
        rpt_cell(dt, i, 8, r->r.rank ? arena_printf(x->a, "%d", r->r.rank) : "");
        rpt_cell(dt, i, 9, card_label(r->r.card));
    }

    /* the standing of each unit */
    int nunits = 0;
    svc_board_unit_t *us = arena_alloc_array(x->a, (size_t)b.nunits + 1, sizeof *us);
    for (int i = 0; i < b.nunits; i++)
        if (b.units[i].nrows > 0)
            us[nunits++] = b.units[i];
    qsort(us, (size_t)nunits, sizeof *us, unit_cmp);
    static const char *const head[] = {"单位", "得分", "排名", "达到序时进度", "落后于序时进度的指标",
                                       "亮牌"};
    rpt_table_t *t = rpt_table_new(x->a, "target_board", "目标任务考核情况", 6, nunits);
    for (int col = 0; col < 6; col++) {
        t->head[col] = head[col];
        t->numeric[col] = col >= 1 && col <= 3;
    }
    for (int i = 0; i < nunits; i++) {
        int on = 0, all = 0;
        dynbuf_t behind, cards;
        dynbuf_init(&behind, 1 << 14);
        dynbuf_init(&cards, 1 << 14);
        for (int k = 0; k < b.nrows; k++) {
            const svc_board_row_t *r = &b.rows[k];
            if (r->unit != us[i].unit || r->r.gap.state != TGT_OK)
                continue;
            all++;
            if (r->r.gap.value >= 0) {
                on++;
            } else {
                dynbuf_addstr(&behind, behind.len ? "、" : "");
                dynbuf_addstr(&behind, r->ind->name);
            }
            if (r->r.card) {
                dynbuf_addstr(&cards, cards.len ? "、" : "");
                dynbuf_addstr(&cards, r->ind->name);
                dynbuf_addstr(&cards, card_label(r->r.card));
            }
        }
        rpt_cell(t, i, 0, us[i].unit->name);
        rpt_cell(t, i, 1, arena_printf(x->a, "%.1f", us[i].score));
        rpt_cell(t, i, 2, us[i].rank ? arena_printf(x->a, "%d", us[i].rank) : "");
        rpt_cell(t, i, 3, arena_printf(x->a, "%d/%d", on, all));
        rpt_cell(t, i, 4, A(x, behind.len ? behind.buf : ""));
        rpt_cell(t, i, 5, A(x, cards.len ? cards.buf : ""));
        dynbuf_free(&behind);
        dynbuf_free(&cards);
    }

    /* per indicator: a sentence of who is on time-elapsed progress, and
     * its red cards as one problem */
    const char **items = arena_alloc_array(x->a, (size_t)b.nrows + 1, sizeof *items);
    const char **behind = arena_alloc_array(x->a, (size_t)b.nrows + 1, sizeof *behind);
    const char **red = arena_alloc_array(x->a, (size_t)b.nrows + 1, sizeof *red);
    int nitems = 0;
    for (int i = 0; i < b.nrows; i++) {
        const indicator_t *ind = b.rows[i].ind;
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = b.rows[j].ind == ind;
        if (seen)
            continue;
        int ahead = 0, nbehind = 0, nred = 0;
        for (int j = i; j < b.nrows; j++) {
            const svc_board_row_t *r = &b.rows[j];
            if (r->ind != ind || r->r.gap.state != TGT_OK)
                continue;
            if (r->r.gap.value >= 0)
                ahead++;
            else
                behind[nbehind++] = r->unit->name;
            if (r->r.card && strcmp(r->r.card, "red") == 0)
                red[nred++] = r->unit->name;
        }
        if (ahead + nbehind > 0) {
            if (nbehind == 0)
                items[nitems++] = arena_printf(x->a, "%s%d个单位均达到序时进度", ind->name, ahead);
            else if (ahead == 0)
                items[nitems++] = arena_printf(x->a, "%s%d个单位均落后于序时进度", ind->name, nbehind);
            else
                items[nitems++] = arena_printf(x->a, "%s%d个单位达到序时进度，%s落后于序时进度",
                                               ind->name, ahead, some_names(x, behind, nbehind));
        }
        if (nred)
            problem(x, arena_printf(x->a, "%s%s被亮红牌，严重落后于序时进度", some_names(x, red, nred),
                                    arena_printf(x->a, "的%s", ind->name)));
    }
    rpt_add_table(x->d, x->a, t);
    rpt_add_table(x->d, x->a, dt);
    rpt_add_list(x->d, x->a, "targets", items, nitems);
    return BH_OK;
}

static bh_status_t projects_section(rctx_t *x, bh_err_t *err)
{
    svc_project_view_t *v;
    int n;
    prj_summary_t sum;
    period_t p = {x->from, x->to};
    int y1, y2, m, d;
    dt_ymd(x->from, &y1, &m, &d);
    dt_ymd(x->to, &y2, &m, &d);
    if (y1 != y2)
        return BH_OK;
    bh_status_t st = svc_project_list(x->s, x->u, x->unit, p, x->a, &v, &n, &sum, err);
    if (st == BH_PERMISSION_DENIED) { /* a role that does not see projects */
        bh_err_clear(err);
        return BH_OK;
    }
    if (st || n == 0)
        return st;
    rpt_set_count(x->d, x->a, "projects.count", sum.projects);
    rpt_set_amount(x->d, x->a, "projects.planned", sum.planned, "万元");
    rpt_set_amount(x->d, x->a, "projects.completed", sum.completed, "万元");
    rpt_set_frac(x->d, x->a, "projects.plan_completion", sum.plan_completion.state == TGT_OK,
                 sum.plan_completion.value);
    if (sum.milestones_overdue > 0)
        problem(x, arena_printf(x->a, "重点项目有%d个节点逾期未完成", sum.milestones_overdue));
    static const char *const head[] = {"项目名称", "责任单位", "年度计划投资", "已完成投资",
                                       "完成率"};
    rpt_table_t *t = rpt_table_new(x->a, "projects", "重点项目推进情况", 5, n);
    for (int col = 0; col < 5; col++) {
        t->head[col] = head[col];
        t->numeric[col] = col >= 2;
    }
    for (int i = 0; i < n; i++) {
        char buf[NF_MAX];
        rpt_cell(t, i, 0, v[i].p.name);
        rpt_cell(t, i, 1, v[i].unit_name);
        rpt_cell(t, i, 2, v[i].has_plan ? A(x, nf_amount(v[i].planned, "万元", buf, sizeof buf)) : "");
        rpt_cell(t, i, 3, A(x, nf_amount(v[i].completed, "万元", buf, sizeof buf)));
        rpt_cell(t, i, 4, tv_cell(x, v[i].plan_completion, false));
    }
    rpt_add_table(x->d, x->a, t);
    return BH_OK;
}

static bh_status_t flags_section(rctx_t *x, bh_err_t *err)
{
    db_flag_t *f;
    int n, y, m, d;
    dt_ymd(x->to, &y, &m, &d);
    bh_status_t st = svc_flags_list(x->s, x->u, x->unit, y, x->a, &f, &n, err);
    if (st == BH_PERMISSION_DENIED) {
        bh_err_clear(err);
        return BH_OK;
    }
    if (st)
        return st;
    static const char *const kinds[] = {"red", "yellow"};
    for (int k = 0; k < 2; k++) {
        dynbuf_t b;
        dynbuf_init(&b, 1 << 14);
        for (int i = 0; i < n; i++) {
            if (f[i].month != m || strcmp(f[i].flag, kinds[k]) != 0 ||
                strcmp(f[i].parent, x->unit) != 0)
                continue;
            const char *name = f[i].unit;
            for (int j = 0; j < x->nkids; j++)
                if (strcmp(x->kids[j].code, f[i].unit) == 0)
                    name = x->kids[j].name;
            if (b.len)
                dynbuf_addstr(&b, "、");
            dynbuf_addstr(&b, name);
        }
        rpt_set_text(x->d, x->a, k ? "flags.yellow" : "flags.red", b.len ? b.buf : NULL);
        dynbuf_free(&b);
    }
    return BH_OK;
}

/* ---- the report ---- */

static bh_status_t period_values(rctx_t *x)
{
    char full[96], lead[32], buf[64];
    int y, m, d;
    /* a period not over yet is named by what it holds so far ("今年以来") */
    wording_period(x->from, x->as_of, full, sizeof full, lead, sizeof lead);
    rpt_set_text(x->d, x->a, "next_period", wording_next_period(x->from, x->to));
    rpt_set_text(x->d, x->a, "unit", x->unit_name);
    rpt_set_text(x->d, x->a, "period_full", full);
    rpt_set_text(x->d, x->a, "period_lead", lead);
    rpt_set_text(x->d, x->a, "from", wording_date(x->from, buf, sizeof buf));
    rpt_set_text(x->d, x->a, "to", wording_date(x->to, buf, sizeof buf));
    rpt_set_text(x->d, x->a, "date", wording_date(x->as_of, buf, sizeof buf));
    dt_ymd(x->as_of, &y, &m, &d);
    rpt_set_text(x->d, x->a, "as_of", arena_printf(x->a, "%d月%d日", m, d));
    dt_ymd(dt_local_day(x->now), &y, &m, &d);
    rpt_set_text(x->d, x->a, "today", arena_printf(x->a, "%d年%d月%d日", y, m, d));
    dt_ymd(x->as_of, &y, &m, &d);
    rpt_set_count(x->d, x->a, "year", y);
    return BH_OK;
}

bh_status_t svc_report_data(svc_t *s, const svc_user_t *u, const svc_report_req_t *req,
                            arena_t *a, rpt_data_t *out, bh_err_t *err)
{
    rctx_t x = {.s = s, .u = u, .a = a, .d = out, .unit = req->unit};
    db_unit_t self, *kids;
    int nkids;
    bool bulletin = strcmp(req->kind, "bulletin") == 0;
    bh_status_t st;
    memset(out, 0, sizeof *out);
    if ((st = svc_report_readable(u, req->unit, err)))
        return st;
    if (req->to < req->from)
        return bh_fail(err, BH_INVALID_ARGUMENT, "to", "截止日期须不早于起始日期");
    if (req->to - req->from > 366 * 2)
        return bh_fail(err, BH_INVALID_ARGUMENT, "to", "报告期间至多两年");
    x.now = svc_clock(s);
    dt_day_t today = dt_local_day(x.now);
    if (req->from > today)
        return bh_fail(err, BH_INVALID_ARGUMENT, "from", "报告期间尚未开始");
    if ((st = svc_unit_get(s, req->unit, a, &self, &kids, &nkids, NULL, err)))
        return st;
    x.unit_name = self.name;
    x.kids = arena_alloc_array(a, (size_t)nkids + 1, sizeof *x.kids);
    for (int i = 0; i < nkids; i++)
        if (kids[i].active)
            x.kids[x.nkids++] = kids[i];
    x.from = req->from;
    x.to = req->to;
    x.as_of = req->to < today ? req->to : today;
    period_values(&x);
    if ((st = cases_section(&x, bulletin, err)) || (st = patrols_section(&x, err)))
        return st;
    if (!bulletin && ((st = targets_section(&x, err)) || (st = projects_section(&x, err))))
        return st;
    if (bulletin && (st = flags_section(&x, err)))
        return st;
    rpt_add_list(out, a, "problems", x.problems, x.nproblems);
    return BH_OK;
}

bh_status_t svc_report_build(svc_t *s, const svc_user_t *u, const svc_report_req_t *req,
                             arena_t *a, rpt_doc_t *out, bh_err_t *err)
{
    rpt_data_t d;
    rpt_template_t *t = NULL;
    const char *json = req->template_json, *from;
    size_t len = req->template_len;
    bh_status_t st;
    if (!req->kind || (strcmp(req->kind, "summary") != 0 && strcmp(req->kind, "bulletin") != 0))
        return bh_fail(err, BH_INVALID_ARGUMENT, "kind", "报告类型应为 summary（工作总结）或 bulletin（通报）");
    /* the figures first: they check who may read the unit */
    if ((st = svc_report_data(s, u, req, a, &d, err)))
        return st;
    if (!json) {
        if ((st = svc_report_template(s, req->kind, req->unit, a, &json, &from, err)))
            return st;
        len = strlen(json);
    }
    if ((st = rpt_template_parse(json, len, &t, err)))
        return st;
    if (strcmp(rpt_template_kind(t), req->kind) != 0)
        st = bh_fail(err, BH_INVALID_ARGUMENT, "template", "模板类型（%s）与报告类型（%s）不符",
                     rpt_template_kind(t), req->kind);
    else
        rpt_expand(t, &d, a, out);
    rpt_template_free(t);
    return st;
}
