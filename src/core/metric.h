/*
 * metric.h - the one registry of the case loop's figures: each figure's
 * key (the JSON name), Chinese label, formula as people read it, and how
 * it is computed from the counts a statistics query returns.  Statistics
 * responses, the dashboard, and later targets (derived indicators) and
 * reports all take their names, labels, formulas and arithmetic from here,
 * so "结案率" means one thing everywhere.  Pure.
 */
#ifndef BH_METRIC_H
#define BH_METRIC_H

#include <stdbool.h>
#include <stdint.h>

/* The counts of one group (unit, category, source) of cases. */
typedef enum {
    CM_REPORTED,       /* 上报数 */
    CM_REGISTERED,     /* 立案数 */
    CM_DUE,            /* 应结案数 */
    CM_CLOSED,         /* 结案数 */
    CM_CLOSED_ON_TIME, /* 按期结案数 */
    CM_OVERDUE,        /* 超期数 (derived: due - closed on time) */
    CM_HANDLED,        /* 处置数 */
    CM_REWORKED,       /* 返工数 */
    CM_RATED,          /* 已评价数 */
    CM_SATISFIED,      /* 满意数 */
    CM_OPEN,           /* 在办数 (derived: registered - closed) */
    CM__COUNT
} case_count_t;

typedef struct {
    int64_t n[CM__COUNT];
    double handle_ms_sum; /* dispatch → latest handling, summed */
    int64_t handle_n;     /* cases behind that sum */
} case_figures_t;

typedef enum { METRIC_COUNT, METRIC_RATE, METRIC_AVG_HOURS } metric_kind_t;

typedef struct {
    const char *key;     /* "close_rate" */
    const char *label;   /* "结案率" */
    const char *formula; /* "结案率 = 结案数 / 应结案数" (NULL for plain counts) */
    metric_kind_t kind;
    case_count_t num, den; /* the count (METRIC_COUNT: num), or the rate's parts */
} metric_t;

/* The figures, in the order responses list them; *n is their number. */
const metric_t *case_metrics(int *n);
/* One by key, or NULL. */
const metric_t *case_metric(const char *key);

/* Fill the derived counts (overdue, open) from the others. */
void case_figures_finish(case_figures_t *f);
/* Add b's counts into a. */
void case_figures_add(case_figures_t *a, const case_figures_t *b);

/* The value of m over f: false when it is undefined (a rate over zero, an
 * average of nothing) - a report words that, it never prints 0%. */
bool metric_value(const metric_t *m, const case_figures_t *f, double *out);

#endif
