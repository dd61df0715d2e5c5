/*
 * report_json.c - a report's content as JSON and back (see report.h): the
 * form a built report is stored in, so that every later download of it in
 * any format says what it said the day it was built, and the form the
 * console previews.
 */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "core/report.h"

static const char *const kinds[] = {[RB_TITLE] = "title", [RB_HEADING] = "heading",
                                    [RB_PARA] = "paragraph", [RB_TABLE] = "table",
                                    [RB_CHART] = "chart", [RB_SIGN] = "sign"};

static json_t *strings(const char *const *s, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(s[i] ? s[i] : ""));
    return a;
}

static json_t *table_json(const rpt_table_t *t)
{
    json_t *rows = json_array(), *numeric = json_array();
    for (int r = 0; r < t->nrows; r++)
        json_array_append_new(rows, strings(t->cells + (size_t)r * (size_t)t->ncols, t->ncols));
    for (int c = 0; c < t->ncols; c++)
        json_array_append_new(numeric, json_boolean(t->numeric[c]));
    return json_pack("{s:s, s:s, s:o, s:o, s:o}", "name", t->name ? t->name : "", "caption",
                     t->caption ? t->caption : "", "head", strings(t->head, t->ncols), "numeric",
                     numeric, "rows", rows);
}

static json_t *chart_json(const rpt_chart_t *c)
{
    json_t *series = json_array();
    for (int s = 0; s < c->nseries; s++) {
        json_t *v = json_array();
        for (int l = 0; l < c->nlabels; l++) {
            double x = c->values[s * c->nlabels + l];
            json_array_append_new(v, isnan(x) ? json_null() : json_real(x));
        }
        json_array_append_new(series, json_pack("{s:s, s:o}", "name", c->series[s], "values", v));
    }
    return json_pack("{s:s, s:s, s:s, s:s?, s:o, s:o}", "name", c->name ? c->name : "", "title",
                     c->title ? c->title : "", "kind", c->kind == RPT_LINE ? "line" : "bar",
                     "unit", c->unit, "labels", strings(c->labels, c->nlabels), "series", series);
}

json_t *rpt_doc_to_json(const rpt_doc_t *doc)
{
    json_t *blocks = json_array();
    for (int i = 0; i < doc->n; i++) {
        const rpt_block_t *b = &doc->blocks[i];
        json_t *o = json_pack("{s:s, s:s}", "kind", kinds[b->kind], "text", b->text ? b->text : "");
        if (b->kind == RB_HEADING) {
            json_object_set_new(o, "level", json_integer(b->level));
            json_object_set_new(o, "number", json_string(b->number ? b->number : ""));
        } else if (b->kind == RB_TABLE) {
            json_object_set_new(o, "table", table_json(b->table));
            json_object_set_new(o, "annex", json_boolean(b->annex));
        } else if (b->kind == RB_CHART) {
            json_object_set_new(o, "chart", chart_json(b->chart));
        }
        json_array_append_new(blocks, o);
    }
    return json_pack("{s:s, s:s, s:o}", "kind", doc->kind ? doc->kind : "", "title",
                     doc->title ? doc->title : "", "blocks", blocks);
}

/* ---- reading it back ---- */

static const char *str(json_t *o, const char *key, arena_t *a)
{
    const char *s = json_string_value(json_object_get(o, key));
    return arena_strdup(a, s ? s : "");
}

/* An array of n strings, or NULL when it is not one. */
static const char **strs(json_t *arr, int n, arena_t *a)
{
    if (!json_is_array(arr) || (int)json_array_size(arr) != n)
        return NULL;
    const char **out = arena_alloc_array(a, (size_t)(n ? n : 1), sizeof *out);
    for (int i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(arr, (size_t)i));
        if (!s)
            return NULL;
        out[i] = arena_strdup(a, s);
    }
    return out;
}

static rpt_table_t *table_from(json_t *o, arena_t *a)
{
    json_t *head = json_object_get(o, "head"), *rows = json_object_get(o, "rows");
    json_t *numeric = json_object_get(o, "numeric");
    if (!json_is_array(head) || !json_is_array(rows) || !json_is_array(numeric))
        return NULL;
    int ncols = (int)json_array_size(head), nrows = (int)json_array_size(rows);
    if ((int)json_array_size(numeric) != ncols)
        return NULL;
    rpt_table_t *t = rpt_table_new(a, str(o, "name", a), str(o, "caption", a), ncols, nrows);
    const char **h = strs(head, ncols, a);
    if (!h)
        return NULL;
    for (int c = 0; c < ncols; c++) {
        t->head[c] = h[c];
        t->numeric[c] = json_is_true(json_array_get(numeric, (size_t)c));
    }
    for (int r = 0; r < nrows; r++) {
        const char **cells = strs(json_array_get(rows, (size_t)r), ncols, a);
        if (!cells)
            return NULL;
        for (int c = 0; c < ncols; c++)
            rpt_cell(t, r, c, cells[c]);
    }
    return t;
}

static rpt_chart_t *chart_from(json_t *o, arena_t *a)
{
    json_t *labels = json_object_get(o, "labels"), *series = json_object_get(o, "series");
    const char *kind = json_string_value(json_object_get(o, "kind"));
    const char *unit = json_string_value(json_object_get(o, "unit"));
    if (!json_is_array(labels) || !json_is_array(series) || !kind)
        return NULL;
    int nl = (int)json_array_size(labels), ns = (int)json_array_size(series);
    rpt_chart_t *c = rpt_chart_new(a, str(o, "name", a), str(o, "title", a),
                                   strcmp(kind, "line") == 0 ? RPT_LINE : RPT_BAR, unit, ns, nl);
    const char **l = strs(labels, nl, a);
    if (!l)
        return NULL;
    memcpy(c->labels, l, (size_t)nl * sizeof *l);
    for (int s = 0; s < ns; s++) {
        json_t *e = json_array_get(series, (size_t)s), *v = json_object_get(e, "values");
        const char *name = json_string_value(json_object_get(e, "name"));
        if (!name || !json_is_array(v) || (int)json_array_size(v) != nl)
            return NULL;
        c->series[s] = arena_strdup(a, name);
        for (int i = 0; i < nl; i++) {
            json_t *x = json_array_get(v, (size_t)i);
            c->values[s * nl + i] = json_is_number(x) ? json_number_value(x) : NAN;
        }
    }
    return c;
}

bh_status_t rpt_doc_from_json(const char *text, size_t len, arena_t *a, rpt_doc_t *out,
                              bh_err_t *err)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je), *blocks = json_object_get(root, "blocks"), *b;
    size_t i;
    memset(out, 0, sizeof *out);
    if (!json_is_array(blocks)) {
        json_decref(root);
        return bh_fail(err, BH_INTERNAL, NULL, "报告内容已损坏");
    }
    out->kind = str(root, "kind", a);
    out->title = str(root, "title", a);
    out->cap = (int)json_array_size(blocks) + 1;
    out->blocks = arena_zalloc(a, (size_t)out->cap * sizeof *out->blocks);
    json_array_foreach(blocks, i, b) {
        rpt_block_t *k = &out->blocks[out->n];
        const char *kind = json_string_value(json_object_get(b, "kind"));
        int ki = -1;
        for (int j = 0; kind && j <= RB_SIGN; j++)
            if (strcmp(kinds[j], kind) == 0)
                ki = j;
        if (ki < 0)
            continue; /* a kind of block a later version writes: skipped */
        k->kind = (rpt_block_kind_t)ki;
        k->text = str(b, "text", a);
        if (ki == RB_HEADING) {
            k->level = (int)json_integer_value(json_object_get(b, "level"));
            k->number = str(b, "number", a);
        } else if (ki == RB_TABLE && !(k->table = table_from(json_object_get(b, "table"), a))) {
            continue;
        } else if (ki == RB_TABLE) {
            k->annex = json_is_true(json_object_get(b, "annex"));
        } else if (ki == RB_CHART && !(k->chart = chart_from(json_object_get(b, "chart"), a))) {
            continue;
        }
        out->n++;
    }
    json_decref(root);
    return BH_OK;
}
