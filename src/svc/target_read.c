/*
 * target_read.c - the read use cases of the target loop: the targets and
 * actuals in force (or their history), the target board - every
 * indicator of a unit's children, year to date, with 完成率, 序时进度,
 * 进度差, 同比, rank, card and score - and the monthly flags.  Derived
 * indicators read the very figures of GET /api/v1/stats/cases and
 * /api/v1/stats/patrols (svc_case_stats, svc_patrol_stats), so they
 * always agree with them.
 */
#include <stdlib.h>
#include <string.h>

#include "core/metric.h"
#include "svc/svc.h"

bh_status_t svc_target_readable(const svc_user_t *u, const char *unit, bh_err_t *err)
{
    if (role_external(u->role))
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "%s不能查看目标考核", role_label(u->role));
    if (u->role != ROLE_ADMIN && !u->unrestricted && !unit_in_scope(u->unit, unit))
        return bh_fail(err, BH_PERMISSION_DENIED, "unit", "单位“%s”不在您的管辖范围内", unit);
    return BH_OK;
}

static bool same_target(const db_target_t *a, const db_target_t *b)
{
    return strcmp(a->unit, b->unit) == 0 && strcmp(a->indicator, b->indicator) == 0 &&
           strcmp(a->period, b->period) == 0;
}

static bool same_actual(const db_actual_t *a, const db_actual_t *b)
{
    return a->year == b->year && a->month == b->month && strcmp(a->unit, b->unit) == 0 &&
           strcmp(a->indicator, b->indicator) == 0;
}

/* Is entry i the latest of its key (entries oldest first)?  The lists are
 * a year's entries of a few hundred units and indicators. */
static bool latest_target(const db_target_t *e, int n, int i)
{
    for (int j = i + 1; j < n; j++)
        if (same_target(&e[i], &e[j]))
            return false;
    return true;
}

static bool latest_actual(const db_actual_t *e, int n, int i)
{
    for (int j = i + 1; j < n; j++)
        if (same_actual(&e[i], &e[j]))
            return false;
    return true;
}

/* scope NULL: every unit */
static bool selected(const char *scope, const char *indicator, const char *unit,
                     const char *ind)
{
    return (!scope || unit_in_scope(scope, unit)) && (!indicator || strcmp(indicator, ind) == 0);
}

/* The unit a list reads: the caller's own when none is named, or (NULL)
 * every unit for the administrator and unrestricted callers. */
static bh_status_t list_scope(const svc_user_t *u, const char **unit, bh_err_t *err)
{
    if (!*unit && (u->role == ROLE_ADMIN || u->unrestricted))
        return BH_OK;
    if (!*unit)
        *unit = u->unit;
    return svc_target_readable(u, *unit, err);
}

bh_status_t svc_target_list(svc_t *s, const svc_user_t *u, const char *unit, int year,
                            const char *indicator, bool history, arena_t *a, db_target_t **out,
                            int *n, bh_err_t *err)
{
    db_target_t *all;
    int nall, k = 0;
    bh_status_t st;
    if ((st = list_scope(u, &unit, err)))
        return st;
    SVC_READ(s, c, st, err, DB(c, target, target_list, year, a, &all, &nall));
    if (st)
        return bh_fail(err, st, "", "读取目标失败，请稍后重试");
    for (int i = 0; i < nall; i++)
        if (selected(unit, indicator, all[i].unit, all[i].indicator) &&
            (history || latest_target(all, nall, i)))
            all[k++] = all[i];
    *out = all;
    *n = k;
    return BH_OK;
}

bh_status_t svc_actual_list(svc_t *s, const svc_user_t *u, const char *unit, int year,
                            const char *indicator, bool history, arena_t *a, db_actual_t **out,
                            int *n, bh_err_t *err)
{
    db_actual_t *all;
    int nall, k = 0;
    bh_status_t st;
    if ((st = list_scope(u, &unit, err)))
        return st;
    SVC_READ(s, c, st, err, DB(c, target, actual_list, year, a, &all, &nall));
    if (st)
        return bh_fail(err, st, "", "读取指标完成值失败，请稍后重试");
    for (int i = 0; i < nall; i++)
        if (selected(unit, indicator, all[i].unit, all[i].indicator) &&
            (history || latest_actual(all, nall, i)))
            all[k++] = all[i];
    *out = all;
    *n = k;
    return BH_OK;
}

/* ---- the board ---- */

/* What the board reads once. */
struct board_ctx {
    const target_cfg_t *cfg; /* the rules in force, read once */
    svc_t *s;
    const svc_user_t *u;
    arena_t *a;
    int year;
    dt_day_t as_of;
    db_target_t *targets;
    int ntargets;
    db_actual_t *actuals[2]; /* this year, last year: the ones in force */
    int nactuals[2];
    /* per child and year: the case and patrol figures, read on first use */
    case_figures_t *cases[2];
    svc_patrol_figures_t *patrols[2];
    bool *have_cases[2], *have_patrols[2];
    bool month_only; /* the month of as_of alone, not the year to date */
};

/* The annual target of a child: the year's own entry, else (an indicator
 * that adds up) the sum of its quarters, else of its months. */
static bool annual_target(const struct board_ctx *x, const char *unit, const indicator_t *d,
                          double *out)
{
    double q = 0, m = 0;
    bool hq = false, hm = false;
    for (int i = 0; i < x->ntargets; i++) {
        const db_target_t *t = &x->targets[i];
        if (strcmp(t->unit, unit) || strcmp(t->indicator, d->code))
            continue;
        size_t n = strlen(t->period);
        if (n == 4) {
            *out = t->value;
            return true;
        }
        if (d->aggregate != TGT_AGG_SUM)
            continue;
        if (n == 6)
            q += t->value, hq = true;
        else
            m += t->value, hm = true;
    }
    *out = hq ? q : m;
    return hq || hm;
}

/* Year to date of an entered indicator, through the month of x->as_of. */
static tgt_value_t entered(const struct board_ctx *x, int which, const char *unit,
                           const indicator_t *d)
{
    tgt_entry_t e[12];
    double v[12], num[12], den[12];
    bool has[12];
    int ne = 0, y, m, dd;
    dt_ymd(x->as_of, &y, &m, &dd);
    for (int i = 0; i < x->nactuals[which] && ne < 12; i++) {
        const db_actual_t *t = &x->actuals[which][i];
        if (strcmp(t->unit, unit) == 0 && strcmp(t->indicator, d->code) == 0)
            e[ne++] = (tgt_entry_t){t->month, t->cumulative, t->value, t->num, t->den};
    }
    tgt_months_fill(d->aggregate, e, ne, m, v, num, den, has);
    if (x->month_only)
        return tgt_aggregate(d->aggregate, v + m - 1, num + m - 1, den + m - 1, has + m - 1, 1);
    return tgt_aggregate(d->aggregate, v, num, den, has, m);
}

/* Does category 'code' lie in the subtree of 'root'? */
static bool in_category(const cat_set_t *cats, const char *code, const char *root)
{
    for (int depth = 0; code && depth < 16; depth++) {
        const cat_t *c;
        if (strcmp(code, root) == 0)
            return true;
        if (!(c = cat_find(cats, code)))
            return false;
        code = c->parent;
    }
    return false;
}

/* The span of the board's year to date (which 0), or the same span of the
 * year before (which 1; 29 February is the 28th); month_only: from the
 * first of as_of's month. */
static period_t span(const struct board_ctx *x, int which)
{
    int y, m, d;
    dt_ymd(x->as_of, &y, &m, &d);
    y -= which;
    if (!dt_ymd_valid(y, m, d))
        d--;
    return (period_t){dt_day_from_ymd(y, x->month_only ? m : 1, 1), dt_day_from_ymd(y, m, d)};
}

static bh_status_t derived(struct board_ctx *x, int which, int child, const db_unit_t *unit,
                           const indicator_t *d, tgt_value_t *out, bh_err_t *err)
{
    period_t p = span(x, which);
    double v;
    bh_status_t st;
    bool ok;
    *out = (tgt_value_t){TGT_NO_ACTUAL, 0};
    if (strncmp(d->derived, "cases.", 6) == 0) {
        case_figures_t *f = &x->cases[which][child];
        if (d->category || !x->have_cases[which][child]) {
            db_stats_query_t q = {0};
            db_stats_row_t *rows;
            dt_ms_t now = svc_now();
            int n;
            q.from = dt_local_midnight(p.from);
            q.to = dt_local_midnight(p.to + 1);
            q.as_of = q.to < now ? q.to : now;
            q.group_by = d->category ? DB_GROUP_CATEGORY : DB_GROUP_NONE;
            if ((st = svc_case_stats(x->s, x->u, unit->code, &q, x->a, &rows, &n, err)))
                return st;
            memset(f, 0, sizeof *f);
            for (int i = 0; i < n; i++)
                if (!d->category || in_category(x->s->cats, rows[i].key, d->category))
                    case_figures_add(f, &rows[i].f);
            x->have_cases[which][child] = !d->category;
        }
        ok = metric_value(case_metric(d->derived + 6), f, &v);
    } else {
        svc_patrol_figures_t *f = &x->patrols[which][child];
        if (!x->have_patrols[which][child]) {
            svc_patrol_figures_t *rows;
            int n;
            if ((st = svc_patrol_stats(x->s, x->u, unit->code, p, SVC_PATROL_GROUP_NONE,
                                       svc_now(), x->a, &rows, &n, err)))
                return st;
            memset(f, 0, sizeof *f);
            if (n > 0)
                *f = rows[0];
            x->have_patrols[which][child] = true;
        }
        ok = svc_patrol_figure(f, d->derived + 8, &v);
    }
    if (ok)
        *out = (tgt_value_t){TGT_OK, v};
    return BH_OK;
}

static bh_status_t actual_of(struct board_ctx *x, int which, int child, const db_unit_t *unit,
                             const indicator_t *d, tgt_value_t *out, bh_err_t *err)
{
    if (!ind_entered(x->cfg, d, span(x, which).to))
        return derived(x, which, child, unit, d, out, err);
    *out = entered(x, which, unit->code, d);
    return BH_OK;
}

/* What the board of 'unit' reads: the unit's children (or, 'self_only',
 * the unit itself as the one child), the year's targets in force and the
 * actuals in force of the year and the year before. */
static bh_status_t board_read(struct board_ctx *x, const char *unit, bool self_only,
                              db_unit_t **kids, int *nkids, bh_err_t *err)
{
    db_unit_t *self = arena_zalloc(x->a, sizeof *self);
    db_actual_t *all;
    int nall;
    bh_status_t st;
    SVC_READ(x->s, c, st, err, DB(c, registry, unit_get, unit, x->a, self));
    if (st == BH_NOT_FOUND)
        return bh_fail(err, st, "unit", "单位“%s”不存在", unit);
    if (st == BH_OK && self_only)
        *kids = self, *nkids = 1;
    else if (st == BH_OK)
        SVC_READ(x->s, c, st, err, DB(c, registry, unit_list, unit, x->a, kids, nkids));
    if (st == BH_OK)
        SVC_READ(x->s, c, st, err, DB(c, target, target_list, x->year, x->a, &x->targets,
                                      &x->ntargets));
    for (int w = 0; st == BH_OK && w < 2; w++) {
        SVC_READ(x->s, c, st, err, DB(c, target, actual_list, x->year - w, x->a, &all, &nall));
        x->actuals[w] = all;
        x->nactuals[w] = 0;
        for (int i = 0; st == BH_OK && i < nall; i++)
            if (latest_actual(all, nall, i))
                all[x->nactuals[w]++] = all[i];
    }
    if (st)
        return bh_fail(err, st, "", "读取目标考核数据失败，请稍后重试");
    /* the targets in force */
    {
        int k = 0;
        for (int i = 0; i < x->ntargets; i++)
            if (latest_target(x->targets, x->ntargets, i))
                x->targets[k++] = x->targets[i];
        x->ntargets = k;
    }
    for (int w = 0; w < 2; w++) {
        x->cases[w] = arena_zalloc(x->a, (size_t)(*nkids + 1) * sizeof *x->cases[w]);
        x->patrols[w] = arena_zalloc(x->a, (size_t)(*nkids + 1) * sizeof *x->patrols[w]);
        x->have_cases[w] = arena_zalloc(x->a, (size_t)(*nkids + 1) * sizeof(bool));
        x->have_patrols[w] = arena_zalloc(x->a, (size_t)(*nkids + 1) * sizeof(bool));
    }
    return BH_OK;
}

bh_status_t svc_target_board(svc_t *s, const svc_user_t *u, const char *unit, period_t p,
                             arena_t *a, svc_board_t *out, bh_err_t *err)
{
    const target_cfg_t *cfg = svc_targets(s);
    struct board_ctx x = {.cfg = cfg, .s = s, .u = u, .a = a};
    db_unit_t *kids;
    int nkids, y2, m, d;
    dt_day_t today = dt_local_day(svc_clock(s));
    bh_status_t st;
    if ((st = svc_target_readable(u, unit, err)))
        return st;
    dt_ymd(p.from, &x.year, &m, &d);
    dt_ymd(p.to, &y2, &m, &d);
    if (y2 != x.year)
        return bh_fail(err, BH_INVALID_ARGUMENT, "period", "目标按年度考核，period 须在同一年内");
    x.as_of = p.to < today ? p.to : today;
    if (x.as_of < p.from)
        return bh_fail(err, BH_FAILED_PRECONDITION, "period", "期间尚未开始");
    if ((st = board_read(&x, unit, false, &kids, &nkids, err)))
        return st;
    memset(out, 0, sizeof *out);
    out->cfg = cfg;
    out->year = x.year;
    out->as_of = x.as_of;
    out->rows = arena_alloc_array(a, (size_t)(nkids * cfg->ninds + 1), sizeof *out->rows);
    out->units = arena_zalloc(a, (size_t)(nkids + 1) * sizeof *out->units);
    for (int i = 0; i < nkids; i++)
        out->units[i].unit = &kids[i];
    /* each indicator, each type of child (streets, departments) ranked on its own */
    for (int di = 0; di < cfg->ninds; di++) {
        const indicator_t *ind = &cfg->inds[di];
        for (int ti = 0; ti < nkids; ti++) {
            bool first = true;
            int k = 0, row0 = out->nrows;
            tgt_input_t *in = arena_alloc_array(a, (size_t)nkids, sizeof *in);
            int *kid = arena_alloc_array(a, (size_t)nkids, sizeof *kid);
            tgt_row_t *r = arena_alloc_array(a, (size_t)nkids, sizeof *r);
            for (int j = 0; j < ti && first; j++)
                first = strcmp(kids[j].type, kids[ti].type) != 0;
            if (!first)
                continue;
            for (int j = ti; j < nkids; j++) {
                double target;
                svc_board_row_t *row = &out->rows[out->nrows];
                if (strcmp(kids[j].type, kids[ti].type) || !kids[j].active ||
                    !annual_target(&x, kids[j].code, ind, &target))
                    continue;
                memset(row, 0, sizeof *row);
                row->unit = &kids[j];
                row->ind = ind;
                row->target = target;
                if ((st = actual_of(&x, 0, j, &kids[j], ind, &row->actual, err)) ||
                    (st = actual_of(&x, 1, j, &kids[j], ind, &row->base, err)))
                    return st;
                row->actual_entered = ind_entered(cfg, ind, span(&x, 0).to);
                row->base_entered = ind_entered(cfg, ind, span(&x, 1).to);
                in[k] = (tgt_input_t){true, row->actual.state == TGT_OK,
                                      row->base.state == TGT_OK, target, row->actual.value,
                                      row->base.value};
                kid[k++] = j;
                out->nrows++;
            }
            if (!k)
                continue;
            target_board(cfg, ind, s->cal, period_year(x.as_of), x.as_of, in, k, r);
            for (int j = 0; j < k; j++) {
                out->rows[row0 + j].r = r[j];
                out->units[kid[j]].score += r[j].score;
                out->units[kid[j]].nrows++;
            }
        }
    }
    /* the totals ranked among the children of a type that have targets */
    for (int ti = 0; ti < nkids; ti++) {
        double *v = arena_alloc_array(a, (size_t)nkids, sizeof *v);
        bool *has = arena_alloc_array(a, (size_t)nkids, sizeof *has);
        int *rank = arena_alloc_array(a, (size_t)nkids, sizeof *rank), k = 0;
        int *kid = arena_alloc_array(a, (size_t)nkids, sizeof *kid);
        bool first = true;
        for (int j = 0; j < ti && first; j++)
            first = strcmp(kids[j].type, kids[ti].type) != 0;
        for (int j = ti; first && j < nkids; j++)
            if (strcmp(kids[j].type, kids[ti].type) == 0) {
                v[k] = out->units[j].score;
                has[k] = out->units[j].nrows > 0;
                kid[k++] = j;
            }
        tgt_rank(TGT_HIGHER, v, has, k, rank);
        for (int j = 0; j < k; j++)
            out->units[kid[j]].rank = rank[j];
    }
    /* only the children with targets */
    for (int i = 0; i < nkids; i++)
        if (out->units[i].nrows)
            out->units[out->nunits++] = out->units[i];
    return BH_OK;
}

/* Was an entered indicator's month m entered (its own value or the year
 * to date through it)?  A month not yet entered has no year to date. */
static bool month_entered(const struct board_ctx *x, int which, const char *unit,
                          const indicator_t *d, int m)
{
    if (!ind_entered(x->cfg, d, span(x, which).to))
        return true;
    for (int i = 0; i < x->nactuals[which]; i++) {
        const db_actual_t *t = &x->actuals[which][i];
        if (t->month == m && strcmp(t->unit, unit) == 0 && strcmp(t->indicator, d->code) == 0)
            return true;
    }
    return false;
}

bh_status_t svc_target_trend(svc_t *s, const svc_user_t *u, const char *unit,
                             const char *indicator, int year, arena_t *a, svc_trend_t *out,
                             bh_err_t *err)
{
    const target_cfg_t *cfg = svc_targets(s);
    struct board_ctx x = {.cfg = cfg, .s = s, .u = u, .a = a, .year = year};
    const indicator_t *ind = target_cfg_indicator(cfg, indicator);
    dt_day_t today = dt_local_day(svc_clock(s)), end = dt_day_from_ymd(year, 12, 31);
    db_unit_t *self;
    int n, y, m, d;
    bh_status_t st;
    if ((st = svc_target_readable(u, unit, err)))
        return st;
    if (!ind)
        return bh_fail(err, BH_INVALID_ARGUMENT, "indicator", "指标“%s”不存在", indicator);
    if (dt_day_from_ymd(year, 1, 1) > today)
        return bh_fail(err, BH_FAILED_PRECONDITION, "year", "%d年尚未开始", year);
    if ((st = board_read(&x, unit, true, &self, &n, err)))
        return st;
    memset(out, 0, sizeof *out);
    out->unit = self;
    out->ind = ind;
    out->year = year;
    out->as_of = end < today ? end : today;
    out->has_target = annual_target(&x, unit, ind, &out->target);
    dt_ymd(out->as_of, &y, &m, &d);
    out->nmonths = m;
    for (int i = 0; i < out->nmonths; i++) {
        dt_day_t month_end = period_month(dt_day_from_ymd(year, i + 1, 1)).to;
        x.as_of = month_end < out->as_of ? month_end : out->as_of;
        /* the derived figures are read afresh for each month's span */
        for (int w = 0; w < 2; w++)
            x.have_cases[w][0] = x.have_patrols[w][0] = false;
        if ((st = actual_of(&x, 0, 0, self, ind, &out->actual[i], err)) ||
            (st = actual_of(&x, 1, 0, self, ind, &out->base[i], err)))
            return st;
        for (int w = 0; w < 2; w++)
            if (!month_entered(&x, w, unit, ind, i + 1))
                (w ? &out->base[i] : &out->actual[i])->state = TGT_NO_ACTUAL;
        /* the month alone, for 环比 */
        x.month_only = true;
        x.have_cases[0][0] = x.have_patrols[0][0] = false;
        st = actual_of(&x, 0, 0, self, ind, &out->month[i], err);
        x.month_only = false;
        x.have_cases[0][0] = x.have_patrols[0][0] = false;
        if (st)
            return st;
        if (!month_entered(&x, 0, unit, ind, i + 1))
            out->month[i].state = TGT_NO_ACTUAL;
        {
            tgt_input_t in = {out->has_target, out->actual[i].state == TGT_OK,
                              out->base[i].state == TGT_OK, out->target, out->actual[i].value,
                              out->base[i].value};
            target_board(cfg, ind, s->cal, period_year(x.as_of), x.as_of, &in, 1,
                         &out->r[i]);
        }
    }
    return BH_OK;
}

bh_status_t svc_flags_list(svc_t *s, const svc_user_t *u, const char *unit, int year, arena_t *a,
                           db_flag_t **out, int *n, bh_err_t *err)
{
    bh_status_t st;
    if ((st = svc_target_readable(u, unit, err)))
        return st;
    SVC_READ(s, c, st, err, DB(c, target, flag_list, unit, year, a, out, n));
    return st ? bh_fail(err, st, "", "读取流动红旗失败，请稍后重试") : BH_OK;
}
