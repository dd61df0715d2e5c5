/*
 * xlsx.c - a report's annex as a workbook (libxlsxwriter; see doc.h): a
 * first sheet with the title and the text, then a sheet per table and per
 * chart (its values), named by caption.  Cells that are numbers in the
 * report are numbers here: "516" a count, "97.72%" a fraction shown as a
 * percentage, so the annex can be summed and sorted; 万/亿 amounts and
 * words stay text as printed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "report/doc.h"
#include "util/file.h"

typedef struct {
    lxw_workbook *wb;
    lxw_format *head, *pct, *title, *wrap;
    char names[64][128];
    int nnames;
    dynbuf_t clean; /* the last string passed through text() */
} book_t;

/* s with only the characters XML allows (doc.h); valid until the next call
 * (libxlsxwriter copies what it is given). */
static const char *text(book_t *b, const char *s)
{
    dynbuf_reset(&b->clean);
    rpt_xml_chars(&b->clean, s, false);
    return b->clean.failed ? "" : b->clean.buf ? b->clean.buf : "";
}

/* A sheet name from a caption: at most 31 characters, none of []:*?/\,
 * unique in the book. */
static lxw_worksheet *sheet(book_t *b, const char *caption)
{
    caption = text(b, caption);
    char name[128];
    int len = 0, chars = 0;
    for (const char *p = caption; *p && chars < 28; chars++) {
        int n = (unsigned char)*p >= 0xF0 ? 4 : (unsigned char)*p >= 0xE0 ? 3
                : (unsigned char)*p >= 0xC0 ? 2 : 1;
        if (len + n >= (int)sizeof name - 8)
            break;
        if (n == 1 && strchr("[]:*?/\\'", *p)) {
            name[len++] = '_';
            p++;
            continue;
        }
        memcpy(name + len, p, (size_t)n);
        len += n;
        p += n;
        while (*p && ((unsigned char)*p & 0xC0) == 0x80)
            p++;
    }
    name[len] = '\0';
    for (int i = 0; i < b->nnames; i++)
        if (strcmp(b->names[i], name) == 0) {
            snprintf(name + len, sizeof name - (size_t)len, "%d", b->nnames + 1);
            break;
        }
    if (b->nnames < 64)
        snprintf(b->names[b->nnames++], sizeof b->names[0], "%s", name);
    return workbook_add_worksheet(b->wb, name);
}

/* Write a cell as a number when it reads as one. */
static void put(book_t *b, lxw_worksheet *ws, int r, int c, const char *s, bool numeric)
{
    char *end;
    double d;
    size_t n = strlen(s);
    if (!*s)
        return;
    if (numeric && (d = strtod(s, &end), end != s)) {
        if (!*end) {
            worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c, d, NULL);
            return;
        }
        if (strcmp(end, "%") == 0 && n > 1) {
            /* 97.53% is 0.9753 exactly as Excel would parse it, not 97.53 / 100 */
            worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c, round(d * 1e6) / 1e8, b->pct);
            return;
        }
    }
    worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, text(b, s), NULL);
}

static void table(book_t *b, const rpt_table_t *t, const char *caption)
{
    lxw_worksheet *ws = sheet(b, caption);
    worksheet_write_string(ws, 0, 0, text(b, caption), b->title);
    for (int c = 0; c < t->ncols; c++) {
        worksheet_write_string(ws, 1, (lxw_col_t)c, text(b, t->head[c]), b->head);
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, c == 0 ? 18 : 12, NULL);
    }
    for (int r = 0; r < t->nrows; r++)
        for (int c = 0; c < t->ncols; c++)
            put(b, ws, r + 2, c, rpt_cell_at(t, r, c), t->numeric[c]);
    worksheet_freeze_panes(ws, 2, 1);
}

static void chart(book_t *b, const rpt_chart_t *c, const char *caption)
{
    lxw_worksheet *ws = sheet(b, caption);
    bool pct = c->unit && strcmp(c->unit, "%") == 0;
    worksheet_write_string(ws, 0, 0, text(b, caption), b->title);
    if (c->unit && !pct) {
        char unit[64];
        snprintf(unit, sizeof unit, "单位：%s", c->unit);
        worksheet_write_string(ws, 1, 0, text(b, unit), b->head);
    } else {
        worksheet_write_blank(ws, 1, 0, b->head);
    }
    worksheet_set_column(ws, 0, 0, 18, NULL);
    for (int s = 0; s < c->nseries; s++)
        worksheet_write_string(ws, 1, (lxw_col_t)(s + 1), text(b, c->series[s]), b->head);
    for (int l = 0; l < c->nlabels; l++) {
        worksheet_write_string(ws, (lxw_row_t)(l + 2), 0, text(b, c->labels[l]), NULL);
        for (int s = 0; s < c->nseries; s++) {
            double v = c->values[s * c->nlabels + l];
            if (!isnan(v))
                worksheet_write_number(ws, (lxw_row_t)(l + 2), (lxw_col_t)(s + 1), v,
                                       pct ? b->pct : NULL);
        }
    }
}

bh_status_t rpt_write_xlsx(const rpt_doc_t *doc, dynbuf_t *out, bh_err_t *err)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/bihuan-report-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return bh_fail(err, BH_UNAVAILABLE, NULL, "无法创建临时文件：%s", strerror(errno));
    close(fd);

    book_t b = {0};
    dynbuf_init(&b.clean, (size_t)1 << 20);
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
    if (!(b.wb = workbook_new_opt(path, &opt))) {
        dynbuf_free(&b.clean);
        unlink(path);
        return bh_fail(err, BH_UNAVAILABLE, NULL, "无法创建 .xlsx");
    }
    b.head = workbook_add_format(b.wb);
    format_set_bold(b.head);
    format_set_bg_color(b.head, 0xDDE4F0);
    format_set_border(b.head, LXW_BORDER_THIN);
    b.pct = workbook_add_format(b.wb);
    format_set_num_format(b.pct, "0.00%");
    b.title = workbook_add_format(b.wb);
    format_set_bold(b.title);
    format_set_font_size(b.title, 14);
    b.wrap = workbook_add_format(b.wb);
    format_set_text_wrap(b.wrap);
    format_set_align(b.wrap, LXW_ALIGN_VERTICAL_TOP);

    /* the text first, a paragraph a row, so the annex stands on its own */
    lxw_worksheet *ws = sheet(&b, "正文");
    worksheet_set_column(ws, 0, 0, 100, b.wrap);
    int row = 0;
    for (int i = 0; i < doc->n; i++) {
        const rpt_block_t *k = &doc->blocks[i];
        char *line;
        switch (k->kind) {
        case RB_TITLE:
            worksheet_write_string(ws, (lxw_row_t)row++, 0, text(&b, k->text), b.title);
            break;
        case RB_HEADING:
            line = malloc(strlen(k->text) + strlen(k->number ? k->number : "") + 1);
            if (line) {
                sprintf(line, "%s%s", k->number ? k->number : "", k->text);
                worksheet_write_string(ws, (lxw_row_t)row++, 0, text(&b, line), b.head);
                free(line);
            }
            break;
        case RB_PARA:
        case RB_SIGN:
            worksheet_write_string(ws, (lxw_row_t)row++, 0, text(&b, k->text), b.wrap);
            break;
        case RB_TABLE:
        case RB_CHART:
            if (!k->annex)
                worksheet_write_string(ws, (lxw_row_t)row++, 0, text(&b, k->text), NULL);
            break;
        }
    }
    for (int i = 0; i < doc->n; i++) {
        const rpt_block_t *k = &doc->blocks[i];
        if (k->kind == RB_TABLE)
            table(&b, k->table, k->text);
        else if (k->kind == RB_CHART)
            chart(&b, k->chart, k->text);
    }
    lxw_error e = workbook_close(b.wb);
    dynbuf_free(&b.clean);
    bh_status_t st = BH_OK;
    if (e != LXW_NO_ERROR) {
        st = bh_fail(err, BH_UNAVAILABLE, NULL, "写入 .xlsx 失败：%s", lxw_strerror(e));
    } else {
        char *data;
        size_t len;
        if ((st = file_read_all(path, (size_t)256 << 20, &data, &len, err)) == BH_OK) {
            if (dynbuf_add(out, data, len) != BH_OK)
                st = bh_fail(err, BH_PAYLOAD_TOO_LARGE, NULL, "报告过大");
            free(data);
        }
    }
    unlink(path);
    return st;
}
