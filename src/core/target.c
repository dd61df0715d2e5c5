/* target.c - see target.h. */
#include "core/target.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define TIE_EPS 1e-9
#define FLAT_POINTS 0.0005 /* within 0.05 percentage points: 持平 */

static const char *const direction_names[] = {"lower", "", "higher"};
static const char *const basis_names[] = {"days", "months", "workdays"};
static const char *const agg_names[] = {"sum", "last", "avg", "ratio"};
static const char *const state_names[] = {"ok", "no_target", "no_actual", "no_base", "zero_base"};

const char *tgt_direction_name(tgt_direction_t d)
{
    return direction_names[d + 1];
}

const char *tgt_basis_name(tgt_basis_t b)
{
    return basis_names[b];
}

const char *tgt_agg_name(tgt_agg_t a)
{
    return agg_names[a];
}

const char *tgt_state_name(tgt_state_t s)
{
    return state_names[s];
}

static int name_index(const char *s, const char *const *names, int n)
{
    for (int i = 0; s && i < n; i++)
        if (*names[i] && strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

bool tgt_direction_parse(const char *s, tgt_direction_t *out)
{
    int i = name_index(s, direction_names, 3);
    if (i >= 0)
        *out = (tgt_direction_t)(i - 1);
    return i >= 0;
}

bool tgt_basis_parse(const char *s, tgt_basis_t *out)
{
    int i = name_index(s, basis_names, 3);
    if (i >= 0)
        *out = (tgt_basis_t)i;
    return i >= 0;
}

bool tgt_agg_parse(const char *s, tgt_agg_t *out)
{
    int i = name_index(s, agg_names, 4);
    if (i >= 0)
        *out = (tgt_agg_t)i;
    return i >= 0;
}

static tgt_value_t value(double v)
{
    return (tgt_value_t){TGT_OK, v};
}

static tgt_value_t none(tgt_state_t why)
{
    return (tgt_value_t){why, 0};
}

tgt_value_t tgt_aggregate(tgt_agg_t agg, const double *values, const double *num,
                          const double *den, const bool *has, int n)
{
    double sum = 0, dsum = 0;
    int k = 0, last = -1;
    for (int i = 0; i < n; i++) {
        if (!has[i])
            continue;
        k++;
        last = i;
        if (agg == TGT_AGG_RATIO) {
            sum += num[i];
            dsum += den[i];
        } else {
            sum += values[i];
        }
    }
    if (!k)
        return none(TGT_NO_ACTUAL);
    switch (agg) {
    case TGT_AGG_SUM: return value(sum);
    case TGT_AGG_LAST: return value(values[last]);
    case TGT_AGG_AVG: return value(sum / k);
    case TGT_AGG_RATIO: return dsum > 0 ? value(sum / dsum) : none(TGT_NO_ACTUAL);
    }
    return none(TGT_NO_ACTUAL);
}

void tgt_months_fill(tgt_agg_t agg, const tgt_entry_t *e, int ne, int upto, double *values,
                     double *num, double *den, bool *has)
{
    const tgt_entry_t *by[13] = {0};
    double run = 0, nrun = 0, drun = 0;
    if (upto > 12)
        upto = 12;
    for (int i = 0; i < ne; i++)
        if (e[i].month >= 1 && e[i].month <= upto)
            by[e[i].month] = &e[i];
    for (int m = 1; m <= upto; m++) {
        const tgt_entry_t *x = by[m];
        int i = m - 1;
        has[i] = x != NULL;
        values[i] = num[i] = den[i] = 0;
        if (!x)
            continue;
        bool less = x->cumulative && (agg == TGT_AGG_SUM || agg == TGT_AGG_RATIO);
        values[i] = less ? x->value - run : x->value;
        num[i] = less ? x->num - nrun : x->num;
        den[i] = less ? x->den - drun : x->den;
        run += values[i];
        nrun += num[i];
        drun += den[i];
    }
}

tgt_value_t tgt_completion(tgt_direction_t dir, bool has_target, double target,
                           bool has_actual, double actual)
{
    if (!has_target || (dir == TGT_HIGHER && target == 0) || target < 0)
        return none(TGT_NO_TARGET);
    if (!has_actual)
        return none(TGT_NO_ACTUAL);
    if (dir == TGT_HIGHER)
        return value(actual / target);
    return actual <= 0 ? value(1) : value(target / actual);
}

/* Whole months of 'year' ended by the end of day 'as_of'. */
static int months_ended(period_t year, dt_day_t as_of, int *total)
{
    int n = 0, ended = 0;
    for (dt_day_t d = year.from; d <= year.to; d = period_month(d).to + 1) {
        period_t m = period_month(d);
        n++;
        if (m.to <= as_of)
            ended++;
    }
    *total = n;
    return ended;
}

double tgt_time_progress(tgt_basis_t basis, const cal_t *cal, period_t year, dt_day_t as_of)
{
    if (as_of < year.from)
        return 0;
    if (as_of >= year.to)
        return 1;
    switch (basis) {
    case TGT_BASIS_DAYS:
        return (double)(as_of - year.from + 1) / (double)(year.to - year.from + 1);
    case TGT_BASIS_MONTHS: {
        int total, ended = months_ended(year, as_of, &total);
        return (double)ended / total;
    }
    case TGT_BASIS_WORKDAYS: {
        int64_t all = cal_count_workdays(cal, year.from, year.to, NULL);
        return all ? (double)cal_count_workdays(cal, year.from, as_of, NULL) / (double)all : 0;
    }
    }
    return 0;
}

double tgt_gap(double completion, double time_progress)
{
    return completion - time_progress;
}

char *tgt_gap_text(double gap, char *buf, size_t size)
{
    if (fabs(gap) < FLAT_POINTS)
        snprintf(buf, size, "与序时进度持平");
    else
        snprintf(buf, size, "%s序时进度%.1f个百分点", gap > 0 ? "超" : "落后", fabs(gap) * 100);
    return buf;
}

char *tgt_level_gap_text(double gap, char *buf, size_t size)
{
    if (gap > -FLAT_POINTS)
        snprintf(buf, size, "达到目标");
    else
        snprintf(buf, size, "低于目标%.1f个百分点", -gap * 100);
    return buf;
}

tgt_value_t tgt_change(bool has_current, double current, bool has_base, double base)
{
    if (!has_current)
        return none(TGT_NO_ACTUAL);
    if (!has_base)
        return none(TGT_NO_BASE);
    if (base == 0)
        return none(TGT_ZERO_BASE);
    return value((current - base) / fabs(base));
}

char *tgt_change_text(const char *what, bool points, bool has_current, double current,
                      bool has_base, double base, char *buf, size_t size)
{
    bool yoy = strcmp(what, "同比") == 0;
    tgt_value_t c;
    double d;
    if (!has_current) {
        snprintf(buf, size, "本期无数据");
        return buf;
    }
    if (!has_base) {
        snprintf(buf, size, "%s无数据", yoy ? "上年同期" : "上期");
        return buf;
    }
    if (points) {
        d = current - base;
        if (fabs(d) < FLAT_POINTS)
            snprintf(buf, size, "%s持平", what);
        else
            snprintf(buf, size, "%s%s%.1f个百分点", what, d > 0 ? "提高" : "降低", fabs(d) * 100);
        return buf;
    }
    c = tgt_change(true, current, true, base);
    if (c.state == TGT_ZERO_BASE)
        snprintf(buf, size, "%s为0", yoy ? "上年同期" : "上期");
    else if (fabs(c.value) < FLAT_POINTS)
        snprintf(buf, size, "%s持平", what);
    else
        snprintf(buf, size, "%s%s%.1f%%", what, c.value > 0 ? "增长" : "下降", fabs(c.value) * 100);
    return buf;
}

/* Is a strictly better than b in direction dir? */
static bool better(tgt_direction_t dir, double a, double b)
{
    return dir == TGT_HIGHER ? a > b + TIE_EPS : a < b - TIE_EPS;
}

void tgt_rank(tgt_direction_t dir, const double *value, const bool *has, int n, int *rank)
{
    for (int i = 0; i < n; i++) {
        rank[i] = 0;
        if (!has[i])
            continue;
        rank[i] = 1;
        for (int j = 0; j < n; j++)
            if (has[j] && better(dir, value[j], value[i]))
                rank[i]++;
    }
}

double tgt_score(const tgt_score_rule_t *rule, tgt_value_t completion)
{
    double s;
    if (completion.state != TGT_OK)
        return 0;
    if (completion.value >= rule->full_at)
        return rule->weight;
    if (rule->per_point > 0)
        s = rule->weight - rule->per_point * (rule->full_at - completion.value) * 100;
    else
        s = rule->full_at > 0 ? rule->weight * completion.value / rule->full_at : 0;
    return s > 0 ? s : 0;
}

const char *tgt_card(const tgt_card_rule_t *rules, int nrules, const char *otherwise,
                     tgt_value_t completion, double time_progress)
{
    double gap;
    if (completion.state != TGT_OK)
        return otherwise;
    gap = tgt_gap(completion.value, time_progress);
    for (int i = 0; i < nrules; i++)
        if (gap < rules[i].below_gap)
            return rules[i].card;
    return otherwise;
}

void tgt_flags(const int *rank, int n, int top, int bottom, tgt_flag_t *out)
{
    for (int i = 0; i < n; i++) {
        int from_bottom = 1;
        out[i] = TGT_FLAG_NONE;
        if (!rank[i])
            continue;
        if (rank[i] <= top) {
            out[i] = TGT_FLAG_RED;
            continue;
        }
        for (int j = 0; j < n; j++)
            if (rank[j] > rank[i])
                from_bottom++;
        if (from_bottom <= bottom)
            out[i] = TGT_FLAG_YELLOW;
    }
}
