/*
 * indicator.h - the target loop's indicators (指标) and assessment rules as
 * data: what each indicator measures, in which unit, which way is better,
 * how its months make a period, how 序时进度 counts, where its values come
 * from (derived from the case and patrol figures, entered by hand, or
 * imported from a spreadsheet), and how it scores; the card rules and the
 * monthly flags.  The shipped document is data/targets.json.  Pure.
 */
#ifndef BH_INDICATOR_H
#define BH_INDICATOR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/target.h"
#include "util/status.h"

typedef enum { IND_DERIVED, IND_MANUAL, IND_IMPORT } ind_source_t;

typedef struct {
    char *code;    /* "case_close_rate" */
    char *name;    /* "结案率" */
    char *unit;    /* "%", "件", "万元", "起" */
    bool rate;     /* unit "%": values are fractions, 同比 in points */
    tgt_direction_t direction;
    tgt_agg_t aggregate;
    tgt_basis_t basis;
    ind_source_t source;
    char *derived;  /* IND_DERIVED: "cases.close_rate", "patrols.coverage" */
    char *category; /* optional: derived case figures of this category subtree */
    tgt_score_rule_t score;
} indicator_t;

typedef struct {
    indicator_t *inds;
    int ninds;
    tgt_card_rule_t *cards; /* strictest first */
    int ncards;
    char *card_otherwise;   /* NULL: no card */
    int flag_top, flag_bottom;
    /* The day the district's figures begin in bihuan ("live_from"): a
     * derived indicator is computed from the case and patrol data for
     * spans ending on or after it, and entered (the figures of the system
     * before, for 同比 in the first year) for spans ending before it. */
    bool has_live_from;
    dt_day_t live_from;
} target_cfg_t;

/* Parse and check a document; err names the field ("indicators[2].direction"). */
bh_status_t target_cfg_parse(const char *json, size_t len, target_cfg_t **out, bh_err_t *err);
void target_cfg_free(target_cfg_t *cfg);

/* The shipped document's text (data/targets.json). */
const char *target_cfg_builtin_text(size_t *len);

const indicator_t *target_cfg_indicator(const target_cfg_t *cfg, const char *code);

const char *ind_source_name(ind_source_t s);

/* Are d's values for a span ending on 'end' entered (manual and import
 * indicators always; a derived one before cfg's live_from) rather than
 * computed from the other loops? */
bool ind_entered(const target_cfg_t *cfg, const indicator_t *d, dt_day_t end);

/* Is 'derived' a figure a derived indicator may name - "cases.<key>" of
 * core/metric.h's registry or "patrols.<key>" of /api/v1/stats/patrols -
 * and is it a rate (*rate)? */
bool ind_derived_known(const char *derived, bool *rate);

/*
 * Does the indicator's target hold at every date of the year rather than
 * accumulate towards its end: a rate (结案率 ≥ 98%), a level (last or
 * average of the months) or a ceiling (lower is better: 事故 ≤ 4 起)?  Its
 * 序时进度 is then 100%, so 进度差 measures the shortfall against the target
 * itself.
 */
bool ind_is_level(const indicator_t *d);

/* One unit's numbers for one indicator and period. */
typedef struct {
    bool has_target, has_actual, has_base;
    double target, actual;
    double base; /* the actual of the same period last year (同比) */
} tgt_input_t;

/* One row of the target board. */
typedef struct {
    tgt_value_t completion;
    double time_progress;
    tgt_value_t gap;  /* state of completion when it has none */
    tgt_value_t yoy;  /* relative change; for a rate indicator the change in points */
    int rank;         /* by completion among the rows, ties shared; 0 without one */
    const char *card; /* the cards rule's, or NULL */
    double score;     /* the indicator's scoring rule */
} tgt_row_t;

/*
 * The board for indicator d over n sibling units on local date 'as_of' of
 * the target year 'year': 完成率 by d's direction, 序时进度 by d's basis
 * (cal for working days; 100% for a level indicator, ind_is_level), 进度差, 同比, rank by 完成率 (so a lower-is-better
 * indicator ranks the unit furthest under its ceiling first), card and score.
 */
void target_board(const target_cfg_t *cfg, const indicator_t *d, const cal_t *cal, period_t year,
                  dt_day_t as_of, const tgt_input_t *in, int n, tgt_row_t *out);

#endif
