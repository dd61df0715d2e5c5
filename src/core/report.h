/*
 * report.h - a report's content (报告内容) and the templates that word it.
 * Pure.
 *
 * A report is a flat list of blocks - title, headings with their numbers,
 * paragraphs, tables, charts, the sign-off - that every writer (.md, .docx,
 * .pdf, .xlsx in report/) renders the same way.  It is made by expanding a
 * template (a JSON document an admin may edit; the files in data/reports/ are
 * the shipped ones) over the figures the services gathered (rpt_data_t):
 *
 *   {"kind": "summary", "name": "…", "title": "{unit}{period}工作总结",
 *    "body": [ BLOCK, … ], "sign": ["{unit}", "{date}"]}
 *
 *   BLOCK:  {"h": "heading", "body": [BLOCK, …], "keep": false}
 *         | {"p": [SENTENCE, …]}        one paragraph
 *         | {"list": "name", "lead": "…", "else": "…"}  一是…；二是…。
 *         | {"table": "name", "annex": false} | {"chart": "name"}
 *           ("annex": true - the table goes in the .xlsx annex only: a long
 *           detail the printed report leaves out)
 *   SENTENCE: "text"                   as written (its own punctuation)
 *           | [CLAUSE, …]              clauses joined by "，", ended by "。"
 *   CLAUSE:   "text" | {"text": "…", "else": "…"}
 *
 * Text holds placeholders {key} or {key|arg}: arg is a count's measure word
 * ({cases.reported|件}) or a rate's decimals ({cases.close_rate|2}).  The
 * rule for missing data: a clause whose value is missing (no data, a rate
 * over nothing, no year-ago figure) or a zero count is left out - or its
 * "else" said instead -; a sentence without its first clause is left out;
 * a paragraph with no sentence, a list with no item (and no "else") and a
 * table or chart with no rows are left out; a heading with nothing under it
 * is left out unless "keep", and the numbers (一、（一）1.（1）) count only
 * what remains.  So no report says "共上报案件0件，结案率0.00%".
 */
#ifndef BH_REPORT_H
#define BH_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/status.h"

/* ---- the content ---- */

typedef struct {
    const char *name;    /* "cases_by_unit" */
    const char *caption; /* "各街道案件办理情况" */
    int ncols, nrows;
    const char **head;   /* ncols */
    const char **cells;  /* nrows × ncols, row-major; "" for an empty cell */
    bool *numeric;       /* ncols: right-aligned, a number in .xlsx */
} rpt_table_t;

typedef enum { RPT_BAR, RPT_LINE } rpt_chart_kind_t;

typedef struct {
    const char *name, *title;
    rpt_chart_kind_t kind;
    const char *unit;     /* of the values: "件", "%" (values then fractions) */
    int nlabels, nseries;
    const char **labels;  /* nlabels: the categories along the axis */
    const char **series;  /* nseries: the legend */
    double *values;       /* nseries × nlabels; NAN: no value */
} rpt_chart_t;

typedef enum { RB_TITLE, RB_HEADING, RB_PARA, RB_TABLE, RB_CHART, RB_SIGN } rpt_block_kind_t;

typedef struct {
    rpt_block_kind_t kind;
    int level;            /* RB_HEADING: 1..4 */
    const char *number;   /* RB_HEADING: "一、", "（二）", "3." */
    const char *text;     /* title, heading, paragraph, sign-off line; a table's or
                             chart's caption numbered as it appears ("表1 …", "图2 …") */
    const rpt_table_t *table;
    const rpt_chart_t *chart;
    bool annex;           /* RB_TABLE: in the .xlsx annex only */
} rpt_block_t;

typedef struct {
    const char *kind;     /* "summary" | "bulletin" */
    const char *title;
    rpt_block_t *blocks;
    int n, cap;
} rpt_doc_t;

/* ---- the figures a template is expanded over ---- */

typedef enum {
    RV_COUNT,    /* n, a measure word from the placeholder */
    RV_QUANTITY, /* x with 'measure' (default) */
    RV_AMOUNT,   /* x in 'measure' ("万元" or "元") */
    RV_RATE,     /* num/den, or x as a fraction when den is 0 */
    RV_CHANGE,   /* x against base: 增长…% / 下降…% / 持平 */
    RV_POINTS,   /* x: a rate's change, in points */
    RV_RANK,     /* n: "第2" (arg "cn": "第二") */
    RV_TEXT      /* text */
} rpt_value_kind_t;

typedef struct {
    const char *key;
    rpt_value_kind_t kind;
    bool missing;        /* no data: its clauses are left out */
    bool at_least;       /* RV_COUNT: n or more ("20000件以上") */
    int64_t n, num, den;
    double x, base;
    const char *measure, *text;
} rpt_value_t;

typedef struct {
    const char *name;
    const char **items;
    int n;
} rpt_list_t;

typedef struct {
    rpt_value_t *values;
    int nvalues, cap_values;
    rpt_table_t **tables;
    int ntables, cap_tables;
    rpt_chart_t **charts;
    int ncharts, cap_charts;
    rpt_list_t *lists;
    int nlists, cap_lists;
} rpt_data_t;

/* Adding figures (memory from a; a key added twice: the last one counts). */
void rpt_set_count(rpt_data_t *d, arena_t *a, const char *key, int64_t n);
/* A count known to be at least n (a list counted up to a bound). */
void rpt_set_count_at_least(rpt_data_t *d, arena_t *a, const char *key, int64_t n);
void rpt_set_quantity(rpt_data_t *d, arena_t *a, const char *key, double x, const char *measure);
void rpt_set_amount(rpt_data_t *d, arena_t *a, const char *key, double x, const char *unit);
/* A rate num/den; missing when den is 0. */
void rpt_set_rate(rpt_data_t *d, arena_t *a, const char *key, int64_t num, int64_t den);
/* A rate as a fraction; missing when !defined. */
void rpt_set_frac(rpt_data_t *d, arena_t *a, const char *key, bool defined, double frac);
/* cur against base; missing when base is 0 or !defined. */
void rpt_set_change(rpt_data_t *d, arena_t *a, const char *key, bool defined, double cur,
                    double base);
void rpt_set_points(rpt_data_t *d, arena_t *a, const char *key, bool defined, double delta);
void rpt_set_rank(rpt_data_t *d, arena_t *a, const char *key, int rank);
/* NULL or "": missing. */
void rpt_set_text(rpt_data_t *d, arena_t *a, const char *key, const char *text);
void rpt_add_table(rpt_data_t *d, arena_t *a, rpt_table_t *t);
void rpt_add_chart(rpt_data_t *d, arena_t *a, rpt_chart_t *c);
void rpt_add_list(rpt_data_t *d, arena_t *a, const char *name, const char **items, int n);

const rpt_value_t *rpt_value(const rpt_data_t *d, const char *key);

/* A table of nrows × ncols empty cells ("") to fill with rpt_cell. */
rpt_table_t *rpt_table_new(arena_t *a, const char *name, const char *caption, int ncols,
                           int nrows);
void rpt_cell(rpt_table_t *t, int row, int col, const char *text);
const char *rpt_cell_at(const rpt_table_t *t, int row, int col);
/* A chart of nseries × nlabels values, all NAN until set. */
rpt_chart_t *rpt_chart_new(arena_t *a, const char *name, const char *title,
                           rpt_chart_kind_t kind, const char *unit, int nseries, int nlabels);

/* One value as a placeholder with arg (NULL) writes it; false (buf "") when
 * missing or a zero count. */
bool rpt_format(const rpt_value_t *v, const char *arg, char *buf, size_t size);

/* ---- templates ---- */

typedef struct rpt_template rpt_template_t;

/* Parse and check a template; err names the place ("body[2].body[0].p[1]"). */
bh_status_t rpt_template_parse(const char *json, size_t len, rpt_template_t **out,
                               bh_err_t *err);
void rpt_template_free(rpt_template_t *t);
const char *rpt_template_kind(const rpt_template_t *t);
const char *rpt_template_name(const rpt_template_t *t);

/* The shipped template of a kind ("summary", "bulletin"), or NULL. */
const char *rpt_template_builtin(const char *kind, size_t *len);

/* Expand t over d into out (memory from a). */
void rpt_expand(const rpt_template_t *t, const rpt_data_t *d, arena_t *a, rpt_doc_t *out);

/* Expand one text: placeholders replaced; false when one of them is
 * missing (the text is then still written, with those left empty). */
bool rpt_expand_text(const char *text, const rpt_data_t *d, char *buf, size_t size);

/* ---- the content as JSON (report_json.c) ---- */

/* {"kind", "title", "blocks": [{"kind": "title"|"heading"|"paragraph"|
 * "table"|"chart"|"sign", "text", "level", "number", "table": {"name",
 * "caption", "head", "numeric", "rows"}, "chart": {"name", "title", "kind":
 * "bar"|"line", "unit", "labels", "series": [{"name", "values"}]}}]}. */
json_t *rpt_doc_to_json(const rpt_doc_t *doc);
/* Back from that text (memory from a); blocks it cannot read are skipped. */
bh_status_t rpt_doc_from_json(const char *text, size_t len, arena_t *a, rpt_doc_t *out,
                              bh_err_t *err);

#endif
