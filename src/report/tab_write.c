/*
 * tab_write.c - writing a table as CSV (UTF-8 with a byte-order mark,
 * RFC 4180 quoting) or .xlsx (libxlsxwriter in constant-memory mode, so a
 * million rows stream to disk).
 *
 * Spreadsheet formula injection: a text cell starting with = or @ would run as a formula when opened; such cells are written with a
 * leading apostrophe in CSV, and always as text in .xlsx.  The readers do
 * not strip it: the apostrophe is what the cell holds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "report/tab.h"
#include "util/xmalloc.h"

struct tab_writer {
    tab_format_t fmt;
    FILE *f;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold;
    long row;
    const char *path;
};

bh_status_t tab_writer_open(const char *path, tab_format_t fmt, const char *sheet,
                            tab_writer_t **out, bh_err_t *err)
{
    tab_writer_t *w = xcalloc(1, sizeof *w);
    w->fmt = fmt;
    w->path = path;
    if (fmt == TAB_CSV) {
        if (!(w->f = fopen(path, "wb"))) {
            free(w);
            return bh_fail(err, BH_INVALID_ARGUMENT, "output", "无法创建 %s：%s", path, strerror(errno));
        }
        fputs("\xEF\xBB\xBF", w->f);
    } else {
        lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
        if (!(w->wb = workbook_new_opt(path, &opt)) ||
            !(w->ws = workbook_add_worksheet(w->wb, sheet))) {
            if (w->wb)
                workbook_close(w->wb);
            free(w);
            return bh_fail(err, BH_INVALID_ARGUMENT, "output", "无法创建 %s", path);
        }
        w->bold = workbook_add_format(w->wb);
        format_set_bold(w->bold);
        worksheet_freeze_panes(w->ws, 1, 0);
    }
    *out = w;
    return BH_OK;
}

bool tab_formula_lead(char c)
{
    return c && strchr("=+-@\t\r", c) != NULL;
}

/* A number in a numeric column ("-3.5") is data, not a formula. */
static bool is_number(const char *s)
{
    char *end;
    if (!*s || !(*s == '-' || *s == '+' || *s == '.' || (*s >= '0' && *s <= '9')))
        return false; /* strtod would skip leading white space: "\t5" is no number */
    (void)strtod(s, &end);
    return !*end;
}

static void csv_cell(FILE *f, const char *s, bool numeric)
{
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        fputc('"', f);
    if (tab_formula_lead(*s) && !(numeric && is_number(s)))
        fputc('\'', f); /* inside the quotes: the field still starts with one */
    if (!quote) {
        fputs(s, f);
        return;
    }
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

bh_status_t tab_writer_row(tab_writer_t *w, const char *const *cells, const bool *numeric, int n,
                           bh_err_t *err)
{
    if (w->fmt == TAB_CSV) {
        for (int i = 0; i < n; i++) {
            if (i)
                fputc(',', w->f);
            csv_cell(w->f, cells[i] ? cells[i] : "", numeric && numeric[i]);
        }
        fputs("\r\n", w->f);
        w->row++;
        return ferror(w->f) ? bh_fail(err, BH_UNAVAILABLE, "output", "写入 %s 失败", w->path) : BH_OK;
    }
    if (w->row >= LXW_ROW_MAX)
        return bh_fail(err, BH_INVALID_ARGUMENT, "output",
                       "超过xlsx的最大行数（%d行），请导出为CSV", LXW_ROW_MAX);
    for (int i = 0; i < n; i++) {
        const char *s = cells[i] ? cells[i] : "";
        lxw_error e;
        char *end;
        double d;
        if (!*s)
            continue;
        if (numeric && numeric[i] && w->row > 0 && (d = strtod(s, &end), !*end))
            e = worksheet_write_number(w->ws, (lxw_row_t)w->row, (lxw_col_t)i, d, NULL);
        else
            e = worksheet_write_string(w->ws, (lxw_row_t)w->row, (lxw_col_t)i, s,
                                       w->row == 0 ? w->bold : NULL);
        if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
            return bh_fail(err, BH_INVALID_ARGUMENT, "output",
                           "第%ld行第%d列超过xlsx单元格的长度上限（32767字），请导出为CSV", w->row + 1,
                           i + 1);
        if (e != LXW_NO_ERROR)
            return bh_fail(err, BH_INVALID_ARGUMENT, "output", "第%ld行第%d列写入失败：%s", w->row + 1,
                           i + 1, lxw_strerror(e));
    }
    if (w->row == 0)
        worksheet_set_column(w->ws, 0, (lxw_col_t)(n > 0 ? n - 1 : 0), 16, NULL);
    w->row++;
    return BH_OK;
}

bh_status_t tab_writer_close(tab_writer_t *w, bh_err_t *err)
{
    bh_status_t st = BH_OK;
    if (w->fmt == TAB_CSV) {
        if (fclose(w->f) != 0)
            st = bh_fail(err, BH_UNAVAILABLE, "output", "写入 %s 失败：%s", w->path, strerror(errno));
    } else {
        lxw_error e = workbook_close(w->wb);
        if (e != LXW_NO_ERROR)
            st = bh_fail(err, BH_UNAVAILABLE, "output", "写入 %s 失败：%s", w->path, lxw_strerror(e));
    }
    free(w);
    return st;
}
