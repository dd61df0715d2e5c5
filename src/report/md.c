/*
 * md.c - a report as Markdown (see doc.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/numfmt.h"
#include "report/doc.h"

/* Text with the characters Markdown would read as markup escaped; in a
 * table cell the pipe too, and line breaks as spaces. */
static void text(dynbuf_t *b, const char *s, bool cell)
{
    for (; s && *s; s++) {
        if (strchr("\\`*_[]<>#", *s) || (cell && *s == '|'))
            dynbuf_add(b, "\\", 1);
        if (*s == '\n' || *s == '\r')
            dynbuf_add(b, cell ? " " : "\n", 1);
        else
            dynbuf_add(b, s, 1);
    }
}

static void row(dynbuf_t *b, const char *const *cells, int n)
{
    dynbuf_addstr(b, "|");
    for (int i = 0; i < n; i++) {
        dynbuf_addstr(b, " ");
        text(b, cells[i], true);
        dynbuf_addstr(b, " |");
    }
    dynbuf_addstr(b, "\n");
}

static void rule(dynbuf_t *b, const bool *numeric, int n)
{
    dynbuf_addstr(b, "|");
    for (int i = 0; i < n; i++)
        dynbuf_addstr(b, numeric && numeric[i] ? " ---: |" : " --- |");
    dynbuf_addstr(b, "\n");
}

static void caption(dynbuf_t *b, const char *s)
{
    if (s && *s) {
        dynbuf_addstr(b, "**");
        text(b, s, false);
        dynbuf_addstr(b, "**\n\n");
    }
}

static void table(dynbuf_t *b, const rpt_table_t *t, const char *cap)
{
    caption(b, cap);
    row(b, t->head, t->ncols);
    rule(b, t->numeric, t->ncols);
    for (int r = 0; r < t->nrows; r++)
        row(b, t->cells + (size_t)r * (size_t)t->ncols, t->ncols);
    dynbuf_addstr(b, "\n");
}

/* The chart's values: a row per label, a column per series. */
static void chart(dynbuf_t *b, const rpt_chart_t *c, const char *cap)
{
    bool pct = c->unit && strcmp(c->unit, "%") == 0;
    caption(b, cap);
    dynbuf_addstr(b, "| ");
    dynbuf_addstr(b, pct || !c->unit ? "" : "单位：");
    dynbuf_addstr(b, pct || !c->unit ? "" : c->unit);
    dynbuf_addstr(b, " |");
    for (int s = 0; s < c->nseries; s++) {
        dynbuf_addstr(b, " ");
        text(b, c->series[s], true);
        dynbuf_addstr(b, " |");
    }
    dynbuf_addstr(b, "\n| --- |");
    for (int s = 0; s < c->nseries; s++)
        dynbuf_addstr(b, " ---: |");
    dynbuf_addstr(b, "\n");
    for (int l = 0; l < c->nlabels; l++) {
        dynbuf_addstr(b, "| ");
        text(b, c->labels[l], true);
        dynbuf_addstr(b, " |");
        for (int s = 0; s < c->nseries; s++) {
            double v = c->values[s * c->nlabels + l];
            char num[NF_MAX] = "";
            if (!isnan(v)) {
                if (pct)
                    nf_rate(v, 2, num, sizeof num);
                else
                    nf_quantity(v, NULL, num, sizeof num);
            }
            dynbuf_addstr(b, " ");
            dynbuf_addstr(b, num);
            dynbuf_addstr(b, " |");
        }
        dynbuf_addstr(b, "\n");
    }
    dynbuf_addstr(b, "\n");
}

bh_status_t rpt_write_md(const rpt_doc_t *doc, dynbuf_t *b, bh_err_t *err)
{
    for (int i = 0; i < doc->n; i++) {
        const rpt_block_t *k = &doc->blocks[i];
        switch (k->kind) {
        case RB_TITLE:
            dynbuf_addstr(b, "# ");
            text(b, k->text, false);
            dynbuf_addstr(b, "\n\n");
            break;
        case RB_HEADING:
            for (int l = 0; l <= k->level && l < 5; l++)
                dynbuf_addstr(b, "#");
            dynbuf_addstr(b, " ");
            dynbuf_addstr(b, k->number ? k->number : "");
            text(b, k->text, false);
            dynbuf_addstr(b, "\n\n");
            break;
        case RB_PARA:
            text(b, k->text, false);
            dynbuf_addstr(b, "\n\n");
            break;
        case RB_TABLE:
            if (k->annex)
                break; /* the .xlsx annex only */
            table(b, k->table, k->text);
            break;
        case RB_CHART:
            chart(b, k->chart, k->text);
            break;
        case RB_SIGN:
            text(b, k->text, false);
            dynbuf_addstr(b, "  \n");
            break;
        }
    }
    if (b->failed)
        return bh_fail(err, BH_PAYLOAD_TOO_LARGE, NULL, "报告过大");
    return BH_OK;
}
