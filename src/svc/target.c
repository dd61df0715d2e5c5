/*
 * target.c - the write use cases of the target loop: targets set by a
 * superior unit, actuals entered by the responsible unit (every entry
 * kept, so a correction or a late entry leaves its history), and the
 * monthly flags awarded once by the board at the month's end.  The
 * arithmetic is core/target.h's; the indicators are data/targets.json.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/svc.h"

static bh_status_t parse(const char *json, size_t len, void **out, bh_err_t *err)
{
    return target_cfg_parse(json, len, (target_cfg_t **)out, err);
}

static void release(void *cfg)
{
    target_cfg_free(cfg);
}

static const svc_doc_kind_t target_doc = {
    "targets", "考核指标和评分规则", "target.config", "target_config",
    target_cfg_builtin_text, parse, release,
};

void svc_target_init(svc_t *s)
{
    s->targets = svc_doc_new(&target_doc); /* loaded by svc_load_configs */
}

void svc_target_fini(svc_t *s)
{
    svc_doc_free(s->targets);
    s->targets = NULL;
}

const target_cfg_t *svc_targets(svc_t *s)
{
    bh_err_t err;
    const target_cfg_t *cfg = svc_doc_current(s, s->targets, &err);
    if (!cfg) { /* app_open loads it at start: only without that, on a store that fails */
        fprintf(stderr, "bihuan: %s\n", err.message);
        abort();
    }
    return cfg;
}

/* "2023", "2023Q2", "2023-06": *year, and *month (1..12, 0 for a year or
 * a quarter); false on anything else. */
static bool target_period(const char *p, bool month_only, int *year, int *month)
{
    period_t span;
    size_t n = p ? strlen(p) : 0;
    int y, m, d;
    if (!p || !period_parse(p, &span))
        return false;
    dt_ymd(span.from, &y, &m, &d);
    *year = y;
    *month = n == 7 ? m : 0;
    return month_only ? n == 7 : n == 4 || (n == 6 && p[4] == 'Q') || n == 7;
}

/* A finite, non-negative number; a rate's value (not a ratio's parts) a
 * fraction. */
static bh_status_t check_number(double v, const indicator_t *d, const char *field, bh_err_t *err)
{
    if (!isfinite(v))
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "%s 应为数字", field);
    if (v < 0)
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "%s 不能为负数", field);
    if (d->rate && strcmp(field, "value") == 0 && v > 1)
        return bh_fail(err, BH_INVALID_ARGUMENT, field,
                       "“%s”是比率，应填 0 到 1 之间的小数（如 0.98 表示 98%%）", d->name);
    return BH_OK;
}

static bh_status_t indicator_of(const target_cfg_t *cfg, const char *code, const indicator_t **out,
                                bh_err_t *err)
{
    if (!code || !*code)
        return bh_fail(err, BH_INVALID_ARGUMENT, "indicator", "缺少指标代码 indicator");
    if (!(*out = target_cfg_indicator(cfg, code)))
        return bh_fail(err, BH_INVALID_ARGUMENT, "indicator", "指标“%s”不存在", code);
    return BH_OK;
}

bh_status_t svc_unit_writable(db_conn_t *c, const svc_user_t *u, const char *unit, bool below,
                              bh_err_t *err)
{
    db_unit_t x;
    arena_t *a = arena_new();
    bh_status_t st = DB(c, registry, unit_get, unit, a, &x);
    arena_free(a);
    if (st == BH_NOT_FOUND)
        return bh_fail(err, BH_INVALID_ARGUMENT, "unit", "单位“%s”不存在", unit);
    if (st)
        return bh_fail(err, st, "", "读取单位失败，请稍后重试");
    if (u->role == ROLE_ADMIN || u->unrestricted)
        return BH_OK;
    if (!unit_in_scope(u->unit, unit))
        return bh_fail(err, BH_PERMISSION_DENIED, "unit", "单位“%s”不在您的管辖范围内", unit);
    if (below && strcmp(u->unit, unit) == 0)
        return bh_fail(err, BH_PERMISSION_DENIED, "unit", "单位“%s”的目标由上级单位下达", unit);
    return BH_OK;
}

struct target_put {
    const svc_user_t *u;
    db_target_t *t;
    db_actual_t *x;
};

/* Write the checked target t as u, audited. */
static bh_status_t target_put(db_conn_t *c, const svc_user_t *u, db_target_t *t, bh_err_t *err)
{
    bh_status_t st;
    char obj[96];
    if ((st = svc_unit_writable(c, u, t->unit, true, err)) ||
        (st = DB(c, target, target_add, t, err)))
        return st;
    snprintf(obj, sizeof obj, "target:%s:%s:%s", t->unit, t->indicator, t->period);
    return svc_audit(c, u->username, "target.set", obj,
                     json_pack("{s:{s:f, s:s?}}", "after", "value", t->value, "note", t->note));
}

static bh_status_t target_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct target_put *p = ctx;
    return target_put(c, p->u, p->t, err);
}

/* Check the target 'in' and fill *out with it; nothing is written. */
static bh_status_t target_check(svc_t *s, const svc_user_t *u, const svc_target_new_t *in,
                                db_target_t *out, bh_err_t *err)
{
    const target_cfg_t *cfg = svc_targets(s);
    const indicator_t *d;
    int month;
    bh_status_t st;
    if (u->role != ROLE_ADMIN && u->role != ROLE_LEADER && u->role != ROLE_OPERATOR)
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "%s不能下达目标", role_label(u->role));
    if (!in->unit || !*in->unit)
        return bh_fail(err, BH_INVALID_ARGUMENT, "unit", "缺少单位 unit");
    if ((st = indicator_of(cfg, in->indicator, &d, err)))
        return st;
    memset(out, 0, sizeof *out);
    if (!target_period(in->period, false, &out->year, &month))
        return bh_fail(err, BH_INVALID_ARGUMENT, "period",
                       "period 应为年度 2023、季度 2023Q2 或月份 2023-06");
    if (strlen(in->period) != 4 && d->aggregate != TGT_AGG_SUM)
        return bh_fail(err, BH_INVALID_ARGUMENT, "period",
                       "“%s”不按月累加，只能下达年度目标", d->name);
    if ((st = check_number(in->value, d, "value", err)))
        return st;
    out->unit = in->unit;
    out->indicator = d->code;
    out->period = in->period;
    out->value = in->value;
    out->note = in->note;
    out->by = u->username;
    out->at = svc_now();
    return BH_OK;
}

bh_status_t svc_target_set(svc_t *s, const svc_user_t *u, const svc_target_new_t *in,
                           db_target_t *out, bh_err_t *err)
{
    struct target_put p = {u, out, NULL};
    bh_status_t st = target_check(s, u, in, out, err);
    if (st == BH_OK && (st = db_write(s->db, target_tx, &p, err)) == BH_OK)
        s->cards_due = true; /* the boards' cards may have changed */
    return st;
}

bh_status_t svc_target_set_tx(svc_t *s, db_conn_t *c, const svc_user_t *u,
                              const svc_target_new_t *in, db_target_t *out, bh_err_t *err)
{
    bh_status_t st = target_check(s, u, in, out, err);
    return st ? st : target_put(c, u, out, err);
}

/* Write the checked entry x as u, audited. */
static bh_status_t actual_put(db_conn_t *c, const svc_user_t *u, db_actual_t *x, bh_err_t *err)
{
    bh_status_t st;
    char obj[96];
    if ((st = svc_unit_writable(c, u, x->unit, false, err)) ||
        (st = DB(c, target, actual_add, x, err)))
        return st;
    snprintf(obj, sizeof obj, "actual:%s:%s:%04d-%02d", x->unit, x->indicator, x->year, x->month);
    return svc_audit(c, u->username, "target.actual", obj,
                     x->den > 0 ? json_pack("{s:{s:f, s:f, s:b, s:s?}}", "after", "numerator",
                                            x->num, "denominator", x->den, "cumulative",
                                            x->cumulative, "note", x->note)
                                : json_pack("{s:{s:f, s:b, s:s?}}", "after", "value", x->value,
                                            "cumulative", x->cumulative, "note", x->note));
}

static bh_status_t actual_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct target_put *p = ctx;
    return actual_put(c, p->u, p->x, err);
}

/* Check the entry 'in' and fill *out with it; nothing is written. */
static bh_status_t actual_check(svc_t *s, const svc_user_t *u, const svc_actual_new_t *in,
                                db_actual_t *out, bh_err_t *err)
{
    const target_cfg_t *cfg = svc_targets(s);
    const indicator_t *d;
    int y, m, dd;
    bh_status_t st;
    if (role_external(u->role) || u->role == ROLE_REPORTER)
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "%s不能填报指标完成值",
                       role_label(u->role));
    if (!in->unit || !*in->unit)
        return bh_fail(err, BH_INVALID_ARGUMENT, "unit", "缺少单位 unit");
    if ((st = indicator_of(cfg, in->indicator, &d, err)))
        return st;
    memset(out, 0, sizeof *out);
    if (!target_period(in->period, true, &out->year, &out->month))
        return bh_fail(err, BH_INVALID_ARGUMENT, "period", "period 应为 2023-05 形式的月份");
    /* a derived indicator takes only the figures from before the system */
    if (!ind_entered(cfg, d, period_month(dt_day_from_ymd(out->year, out->month, 1)).to)) {
        char live[16];
        if (!cfg->has_live_from)
            return bh_fail(err, BH_INVALID_ARGUMENT, "indicator",
                           "“%s”由系统按案件和巡查数据计算，不能填报", d->name);
        return bh_fail(err, BH_INVALID_ARGUMENT, "indicator",
                       "“%s”由系统按案件和巡查数据计算，只能填报 %s 以前的历史数据", d->name,
                       dt_format_date(cfg->live_from, live, sizeof live));
    }
    dt_ymd(dt_local_day(svc_clock(s)), &y, &m, &dd);
    if (out->year * 12 + out->month > y * 12 + m)
        return bh_fail(err, BH_INVALID_ARGUMENT, "period", "不能填报未来月份 %s", in->period);
    if (in->cumulative && d->aggregate == TGT_AGG_AVG)
        return bh_fail(err, BH_INVALID_ARGUMENT, "cumulative",
                       "“%s”按月平均，请填报当月值，不能填报累计值", d->name);
    if (d->aggregate == TGT_AGG_RATIO) {
        if (!in->has_parts)
            return bh_fail(err, BH_INVALID_ARGUMENT, "numerator",
                           "“%s”是两数之比，请填报分子 numerator 和分母 denominator", d->name);
        if ((st = check_number(in->num, d, "numerator", err)) ||
            (st = check_number(in->den, d, "denominator", err)))
            return st;
        if (in->den <= 0)
            return bh_fail(err, BH_INVALID_ARGUMENT, "denominator", "分母 denominator 应大于 0");
        if (in->num > in->den)
            return bh_fail(err, BH_INVALID_ARGUMENT, "numerator", "分子 numerator 不能大于分母");
    } else {
        if (!in->has_value)
            return bh_fail(err, BH_INVALID_ARGUMENT, "value", "缺少完成值 value");
        if ((st = check_number(in->value, d, "value", err)))
            return st;
    }
    out->unit = in->unit;
    out->indicator = d->code;
    out->cumulative = in->cumulative;
    out->value = in->value;
    out->num = in->num;
    out->den = d->aggregate == TGT_AGG_RATIO ? in->den : 0;
    out->note = in->note;
    out->by = u->username;
    out->at = svc_now();
    return BH_OK;
}

bh_status_t svc_actual_enter(svc_t *s, const svc_user_t *u, const svc_actual_new_t *in,
                             db_actual_t *out, bh_err_t *err)
{
    struct target_put p = {u, NULL, out};
    bh_status_t st = actual_check(s, u, in, out, err);
    if (st == BH_OK && (st = db_write(s->db, actual_tx, &p, err)) == BH_OK)
        s->cards_due = true;
    return st;
}

bh_status_t svc_actual_enter_tx(svc_t *s, db_conn_t *c, const svc_user_t *u,
                                const svc_actual_new_t *in, db_actual_t *out, bh_err_t *err)
{
    bh_status_t st = actual_check(s, u, in, out, err);
    return st ? st : actual_put(c, u, out, err);
}

/* ---- monthly flags ---- */

struct award {
    const svc_user_t *u;
    const char *parent;
    int year, month;
    db_flag_t *flags;
    int n;
};

static bh_status_t award_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct award *w = ctx;
    dt_ms_t at = svc_now();
    bh_status_t st = DB(c, target, award_add, w->parent, w->year, w->month, at, w->u->username, err);
    char obj[64];
    if (st == BH_CONFLICT)
        return bh_fail(err, st, "month", "%04d年%d月的流动红旗和黄旗已评定，不能重复评定", w->year,
                       w->month);
    for (int i = 0; !st && i < w->n; i++) {
        w->flags[i].at = at;
        st = DB(c, target, flag_add, &w->flags[i], err);
    }
    if (st)
        return st;
    snprintf(obj, sizeof obj, "flags:%s:%04d-%02d", w->parent, w->year, w->month);
    return svc_audit(c, w->u->username, "target.flags", obj,
                     json_pack("{s:{s:i}}", "after", "flags", w->n));
}

bh_status_t svc_flags_award(svc_t *s, const svc_user_t *u, const char *unit, int year, int month,
                            arena_t *a, db_flag_t **out, int *n, bh_err_t *err)
{
    const target_cfg_t *cfg;
    svc_board_t b;
    struct award w = {u, unit, year, month, NULL, 0};
    period_t p;
    bh_status_t st;
    if (u->role != ROLE_ADMIN && ((u->role != ROLE_LEADER && u->role != ROLE_OPERATOR) ||
                                  strcmp(u->unit, unit) != 0))
        return bh_fail(err, BH_PERMISSION_DENIED, "unit", "只有%s的领导或指挥中心可以评定流动红旗",
                       unit);
    if (month < 1 || month > 12 || !dt_ymd_valid(year, month, 1))
        return bh_fail(err, BH_INVALID_ARGUMENT, "month", "month 应为 2023-06 形式的月份");
    p = period_month(dt_day_from_ymd(year, month, 1));
    if (p.to >= dt_local_day(svc_clock(s)))
        return bh_fail(err, BH_FAILED_PRECONDITION, "month", "%04d年%d月尚未结束，月末后再评定",
                       year, month);
    if ((st = svc_target_board(s, u, unit, p, a, &b, err)))
        return st;
    cfg = b.cfg; /* the rules the board was computed with */
    /* the flags of each type of child (the streets of a district, the
     * communities of a street) in its own ranking, when there are more of
     * them than flags; departments are ranked but not flagged */
    w.flags = arena_alloc_array(a, (size_t)b.nunits + 1, sizeof *w.flags);
    for (int i = 0; i < b.nunits; i++) {
        int *rank = arena_alloc_array(a, (size_t)b.nunits, sizeof *rank), k = 0;
        int *idx = arena_alloc_array(a, (size_t)b.nunits, sizeof *idx);
        tgt_flag_t *f = arena_alloc_array(a, (size_t)b.nunits, sizeof *f);
        bool first = true;
        for (int j = 0; j < i; j++)
            if (strcmp(b.units[j].unit->type, b.units[i].unit->type) == 0)
                first = false;
        if (!first || strcmp(b.units[i].unit->type, "department") == 0)
            continue;
        for (int j = i; j < b.nunits; j++)
            if (strcmp(b.units[j].unit->type, b.units[i].unit->type) == 0) {
                idx[k] = j;
                rank[k++] = b.units[j].rank;
            }
        if (k <= cfg->flag_top + cfg->flag_bottom)
            continue;
        tgt_flags(rank, k, cfg->flag_top, cfg->flag_bottom, f);
        for (int j = 0; j < k; j++) {
            const svc_board_unit_t *x = &b.units[idx[j]];
            if (f[j] == TGT_FLAG_NONE)
                continue;
            w.flags[w.n++] = (db_flag_t){unit, x->unit->code, year, month,
                                         f[j] == TGT_FLAG_RED ? "red" : "yellow", x->rank,
                                         x->score, 0, u->username};
        }
    }
    if ((st = db_write(s->db, award_tx, &w, err)))
        return st;
    *out = w.flags;
    *n = w.n;
    return BH_OK;
}
