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
} target_cfg_t;

/* Parse and check a document; err names the field ("indicators[2].direction"). */
bh_status_t target_cfg_parse(const char *json, size_t len, target_cfg_t **out, bh_err_t *err);
void target_cfg_free(target_cfg_t *cfg);

/* The shipped document's text (data/targets.json). */
const char *target_cfg_builtin_text(size_t *len);

const indicator_t *target_cfg_indicator(const target_cfg_t *cfg, const char *code);

const char *ind_source_name(ind_source_t s);

/* Is 'derived' a figure a derived indicator may name - "cases.<key>" of
 * core/metric.h's registry or "patrols.<key>" of /api/v1/stats/patrols -
 * and is it a rate (*rate)? */
bool ind_derived_known(const char *derived, bool *rate);

#endif
