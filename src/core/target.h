/*
 * target.h - the target loop's arithmetic (目标闭环): 完成率 with the
 * indicator's direction, 序时进度 by calendar days, months or working days,
 * 进度差, 同比/环比 and their Chinese wording, ranking among sibling units
 * with ties, 考核得分 from scoring rules, cards (亮牌) and monthly flags
 * (流动红旗/黄旗) from rules as data.  Pure: plain numbers in, plain numbers
 * and text out.
 *
 * Rates are fractions (0.411, not 41.1); text shows them as percentages
 * with one decimal ("41.1%", "3.2个百分点").  A figure that cannot be
 * computed (no target, no actual, last year zero) is a state, never a
 * division by zero or a silent 0%.
 */
#ifndef BH_TARGET_H
#define BH_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/calendar.h"
#include "core/period.h"

/* Which way is better: 越大越好 (cases closed) or 越小越好 (overdue cases). */
typedef enum { TGT_HIGHER = 1, TGT_LOWER = -1 } tgt_direction_t;

/* How 序时进度 counts the elapsed share of the year. */
typedef enum {
    TGT_BASIS_DAYS,     /* calendar days: 2023-06-30 → 181/365 */
    TGT_BASIS_MONTHS,   /* whole months ended: 2023-06-30 → 6/12, 2023-06-15 → 5/12 */
    TGT_BASIS_WORKDAYS, /* working days of the official calendar */
} tgt_basis_t;

/* How an indicator's monthly values make the value of a longer period. */
typedef enum {
    TGT_AGG_SUM,   /* 件, 家次, 万元: the months added */
    TGT_AGG_LAST,  /* a point-in-time level: the latest month with a value */
    TGT_AGG_AVG,   /* the mean of the months with a value */
    TGT_AGG_RATIO, /* a rate: sum of numerators ÷ sum of denominators */
} tgt_agg_t;

/* Why a figure has no value. */
typedef enum {
    TGT_OK,
    TGT_NO_TARGET, /* no target set, or a target of 0 for a higher-is-better indicator */
    TGT_NO_ACTUAL, /* nothing entered or derived for the period */
    TGT_NO_BASE,   /* 同比/环比: no value for the base period */
    TGT_ZERO_BASE, /* 同比/环比: the base period's value is 0 */
} tgt_state_t;

typedef struct {
    tgt_state_t state;
    double value; /* meaningful only when state == TGT_OK */
} tgt_value_t;

/* Names for the JSON and the ledgers ("higher", "days", "sum", "no_base"),
 * and parsing them back (false on an unknown name). */
const char *tgt_direction_name(tgt_direction_t d);
const char *tgt_basis_name(tgt_basis_t b);
const char *tgt_agg_name(tgt_agg_t a);
const char *tgt_state_name(tgt_state_t s);
bool tgt_direction_parse(const char *s, tgt_direction_t *out);
bool tgt_basis_parse(const char *s, tgt_basis_t *out);
bool tgt_agg_parse(const char *s, tgt_agg_t *out);

/*
 * Aggregate n monthly values (has[i] false: none entered for that month).
 * TGT_AGG_RATIO reads num[i]/den[i] (values unused) and gives no value when
 * the denominators sum to 0.
 */
tgt_value_t tgt_aggregate(tgt_agg_t agg, const double *values, const double *num,
                          const double *den, const bool *has, int n);

/* One month's entry of an indicator's actual: the month's own value, or
 * (cumulative) the total of the year's months up to and including it,
 * as offices report "1-5月累计". */
typedef struct {
    int month; /* 1..12 */
    bool cumulative;
    double value, num, den; /* num/den for TGT_AGG_RATIO */
} tgt_entry_t;

/*
 * The months 1..upto of a year from its entries (at most one per month):
 * out arrays of 'upto' slots, has[m-1] true for a month with an entry.  A
 * cumulative entry of a sum (or of a ratio's parts) becomes its month's
 * value by taking off the months before it; for last and avg a month's
 * value is the entry itself.
 */
void tgt_months_fill(tgt_agg_t agg, const tgt_entry_t *e, int ne, int upto, double *values,
                     double *num, double *den, bool *has);

/*
 * 完成率.  Higher is better: actual ÷ target.  Lower is better (a ceiling
 * such as 超期率 ≤ 1%): target ÷ actual, so staying under the ceiling is
 * ≥ 100%; an actual of 0 under a ceiling ≥ 0 is fully met (1.0).
 */
tgt_value_t tgt_completion(tgt_direction_t dir, bool has_target, double target,
                           bool has_actual, double actual);

/*
 * 序时进度 on local date 'as_of' of the span 'year' (normally a calendar
 * year): the elapsed share, 0 before it starts and 1 after it ends.
 * TGT_BASIS_WORKDAYS needs 'cal' (the other bases ignore it).
 */
double tgt_time_progress(tgt_basis_t basis, const cal_t *cal, period_t year, dt_day_t as_of);

/* 进度差 = 完成率 − 序时进度, in fractions (−0.032 is 3.2 points behind). */
double tgt_gap(double completion, double time_progress);

/* "超序时进度3.2个百分点", "落后序时进度3.2个百分点", or "与序时进度持平"
 * (within 0.05 points).  Returns buf. */
char *tgt_gap_text(double gap, char *buf, size_t size);

/* The same for an indicator whose target holds all year (a rate, a
 * level, a ceiling: 序时进度 100%): "达到目标" or "低于目标6.4个百分点". */
char *tgt_level_gap_text(double gap, char *buf, size_t size);

/* 同比 / 环比: (current − base) ÷ base; TGT_NO_BASE, TGT_ZERO_BASE. */
tgt_value_t tgt_change(bool has_current, double current, bool has_base, double base);

/*
 * The wording of a change: 'what' is "同比" or "环比".  For counts and
 * amounts the relative change: "同比增长12.3%", "同比下降4.5%", "同比持平";
 * for an indicator that is itself a rate (points true) the difference in
 * points: "同比提高1.2个百分点", "同比降低0.3个百分点".  No value:
 * "上年同期为0" / "上年同期无数据" (同比) or "上期为0" / "上期无数据" (环比).
 * Returns buf.
 */
char *tgt_change_text(const char *what, bool points, bool has_current, double current,
                      bool has_base, double base, char *buf, size_t size);

/*
 * Rank n units by value (best first by 'dir'): standard competition ranking,
 * so ties share a rank and the next rank skips (1, 2, 2, 4).  Units without
 * a value (has[i] false) get rank 0 and come after every ranked one.
 * Values within 1e-9 of each other tie.
 */
void tgt_rank(tgt_direction_t dir, const double *value, const bool *has, int n, int *rank);

/*
 * A scoring rule for one indicator (考核得分): full 'weight' when completion
 * ≥ full_at; below it, 'per_point' deducted for each percentage point short
 * (per_point 0: weight × completion ÷ full_at); never below 0.  No
 * completion scores 0.
 */
typedef struct {
    double weight;
    double full_at;   /* e.g. 0.95 */
    double per_point; /* e.g. 0.5 */
} tgt_score_rule_t;

double tgt_score(const tgt_score_rule_t *rule, tgt_value_t completion);

/*
 * Cards (亮牌): rules tried in order, the first whose bound the 进度差 is
 * below gives its card ("red" below −0.20, then "yellow" below −0.10…);
 * none matching gives 'otherwise' (e.g. "blue", or NULL for no card).  A
 * unit without a completion gets 'otherwise' too - the board says why.
 */
typedef struct {
    const char *card;
    double below_gap;
} tgt_card_rule_t;

const char *tgt_card(const tgt_card_rule_t *rules, int nrules, const char *otherwise,
                     tgt_value_t completion, double time_progress);

/* Monthly flags from a ranking. */
typedef enum { TGT_FLAG_NONE, TGT_FLAG_RED, TGT_FLAG_YELLOW } tgt_flag_t;

/*
 * 流动红旗 for the top 'top' ranks, 黄旗 for the bottom 'bottom' ranks
 * counted from the last ranked unit (ties at a boundary all get the flag).
 * A unit that would get both gets the red flag; unranked units (rank 0) get
 * none.
 */
void tgt_flags(const int *rank, int n, int top, int bottom, tgt_flag_t *out);

#endif
