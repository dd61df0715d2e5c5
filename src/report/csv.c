/*
 * csv.c - an RFC 4180 reader (quoted fields, "" escapes, CRLF, LF or CR
 * line ends, newlines inside quotes, an optional UTF-8 byte-order mark)
 * and the common parts of tab.h.
 *
 * Chinese Excel saves "CSV" in GB18030 (GBK) unless told otherwise; such a
 * file is not valid UTF-8 and is reported as a bad cell that says so.
 * With encoding "gb18030" the whole input is converted with iconv first.
 */
#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report/tab.h"
#include "report/tab_int.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

int tab_format_from_name(const char *name)
{
    if (!name)
        return -1;
    if (strcasecmp(name, "csv") == 0)
        return TAB_CSV;
    if (strcasecmp(name, "xlsx") == 0)
        return TAB_XLSX;
    return -1;
}

tab_format_t tab_sniff(const void *buf, size_t len)
{
    return len >= 4 && memcmp(buf, "PK\3\4", 4) == 0 ? TAB_XLSX : TAB_CSV;
}

const char *tab_col_name(int col, char out[8])
{
    char tmp[8];
    int n = 0;
    if (col < 0)
        col = 0;
    col++;
    while (col > 0 && n < 7) {
        tmp[n++] = (char)('A' + (col - 1) % 26);
        col = (col - 1) / 26;
    }
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = 0;
    return out;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

bool tab_excel_date(double serial, bool date1904, char out[32])
{
    int64_t day, secs;
    int y, m, d;
    if (!(serial >= 0 && serial < 2958466)) /* up to 9999-12-31 */
        return false;
    day = (int64_t)floor(serial);
    secs = (int64_t)llround((serial - (double)day) * 86400.0);
    if (secs >= 86400) {
        day++;
        secs -= 86400;
    }
    if (date1904) {
        day += days_from_civil(1904, 1, 1);
    } else {
        /* Serial 1 is 1900-01-01; Excel counts a 29 February 1900 that
         * never was, so from serial 61 on it is one day ahead. */
        if (day >= 61)
            day--;
        day += days_from_civil(1899, 12, 31);
    }
    civil_from_days(day, &y, &m, &d);
    if (secs == 0 && serial == floor(serial))
        snprintf(out, 32, "%04d-%02d-%02d", y, m, d);
    else
        snprintf(out, 32, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, (int)(secs / 3600),
                 (int)(secs / 60 % 60), (int)(secs % 60));
    return true;
}

bh_status_t tab_read(const void *buf, size_t len, tab_format_t fmt, const tab_opts_t *o,
                     tab_row_fn fn, void *ctx, bh_err_t *err)
{
    return fmt == TAB_XLSX ? tab_read_xlsx(buf, len, o, fn, ctx, err)
                           : tab_read_csv(buf, len, o, fn, ctx, err);
}

/* ---- the CSV reader ---- */

void tab_rb_byte(struct tab_rb *b, char ch, size_t max_cell)
{
    if (b->too_many)
        return;
    if (ch == 0 && b->nul < 0)
        b->nul = b->n;
    if (++b->cell_len > max_cell) {
        if (b->too_big < 0)
            b->too_big = b->n;
        return;
    }
    if (b->len + 1 >= b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1024;
        b->text = xrealloc(b->text, b->cap);
    }
    b->text[b->len++] = ch;
}

void tab_rb_end_cell(struct tab_rb *b)
{
    b->cell_len = 0;
    if (b->n >= TAB_MAX_COLS) {
        b->too_many = true;
        return;
    }
    if (b->len + 1 >= b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1024;
        b->text = xrealloc(b->text, b->cap);
    }
    b->text[b->len++] = 0;
    if (b->n == b->cap_cells) {
        b->cap_cells = b->cap_cells ? b->cap_cells * 2 : 32;
        b->start = xrealloc(b->start, (size_t)b->cap_cells * sizeof *b->start);
        b->cells = xrealloc(b->cells, (size_t)b->cap_cells * sizeof *b->cells);
    }
    b->start[b->n++] = b->cur;
    b->cur = b->len;
}

void tab_rb_reset(struct tab_rb *b)
{
    b->len = 0;
    b->n = 0;
    b->cell_len = 0;
    b->cur = 0;
    b->too_big = -1;
    b->nul = -1;
    b->too_many = false;
}


void tab_rb_put(struct tab_rb *b, const char *s, size_t n, size_t max_cell)
{
    if (b->too_many || n > max_cell || memchr(s, 0, n)) {
        for (size_t i = 0; i < n; i++) /* the slow path flags what is wrong */
            tab_rb_byte(b, s[i], max_cell);
    } else {
        if (b->len + n + 1 >= b->cap) {
            b->cap = (b->len + n + 1) * 2;
            b->text = xrealloc(b->text, b->cap);
        }
        memcpy(b->text + b->len, s, n);
        b->len += n;
        b->cell_len = n;
    }
    tab_rb_end_cell(b);
}

void tab_rb_finish(struct tab_rb *b)
{
    for (int i = 0; i < b->n; i++)
        b->cells[i] = b->text + b->start[i];
}

void tab_rb_free(struct tab_rb *b)
{
    free(b->text);
    free(b->start);
    free(b->cells);
}

static bh_status_t emit(struct tab_rb *b, long row, size_t at, size_t total, size_t max_cell,
                        tab_row_fn fn, void *ctx, bh_err_t *err)
{
    tab_row_t r = {"", row, b->n, b->cells, -1, NULL, total ? (double)at / (double)total : 1};
    char msg[160];
    tab_rb_finish(b);
    for (int i = 0; i < b->n; i++) /* the writer's guard against formulas */
        if (b->cells[i][0] == '\'' && tab_formula_lead(b->cells[i][1]))
            b->cells[i]++;
    if (b->too_many) {
        r.bad_col = TAB_MAX_COLS;
        snprintf(msg, sizeof msg, "列数超过%d", TAB_MAX_COLS);
        r.bad = msg;
    } else if (b->too_big >= 0) {
        r.bad_col = b->too_big;
        snprintf(msg, sizeof msg, "单元格内容超过%zu字节", max_cell);
        r.bad = msg;
    } else if (b->nul >= 0) {
        r.bad_col = b->nul;
        r.bad = "单元格含有NUL字节（这不是文本文件）";
    } else {
        for (int i = 0; i < b->n; i++)
            if (!utf8_valid(b->cells[i], strlen(b->cells[i]))) {
                r.bad_col = i;
                r.bad = "不是UTF-8编码（Excel中文版默认把CSV存为GBK：请另存为“CSV UTF-8”，"
                        "或导入时指定编码 gb18030）";
                break;
            }
    }
    return fn(&r, ctx, err);
}

/* Convert GB18030 to UTF-8; NULL with err set when the bytes are not. */
static char *from_gb18030(const char *in, size_t len, size_t *outlen, bh_err_t *err)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    size_t cap = len * 2 + 16, left = cap;
    char *out, *op, *ip = (char *)in;
    size_t ileft = len;
    if (cd == (iconv_t)-1) {
        bh_fail(err, BH_INTERNAL, "encoding", "系统不支持 GB18030 转换");
        return NULL;
    }
    out = op = xmalloc(cap);
    while (ileft > 0) {
        if (iconv(cd, &ip, &ileft, &op, &left) == (size_t)-1) {
            if (errno == E2BIG) {
                size_t used = (size_t)(op - out);
                cap *= 2;
                out = xrealloc(out, cap);
                op = out + used;
                left = cap - used;
                continue;
            }
            long line = 1;
            for (const char *p = in; p < ip; p++)
                line += *p == '\n';
            bh_fail(err, BH_INVALID_ARGUMENT, "file", "第%ld行：不是有效的 GB18030 编码（第%zu字节）",
                    line, (size_t)(ip - in) + 1);
            iconv_close(cd);
            free(out);
            return NULL;
        }
    }
    iconv_close(cd);
    *outlen = (size_t)(op - out);
    return out;
}

bh_status_t tab_read_csv(const void *buf, size_t len, const tab_opts_t *o, tab_row_fn fn,
                         void *ctx, bh_err_t *err)
{
    const char *p = buf, *conv = NULL;
    size_t max_cell = o && o->max_cell ? o->max_cell : 32767 * 3;
    struct tab_rb b = {0};
    long row = 1, quote_row = 0;
    bool quoted = false, at_start = true, any = false;
    bh_status_t st = BH_OK;
    size_t i = 0;

    if (o && o->encoding && strcasecmp(o->encoding, "utf-8") && strcasecmp(o->encoding, "utf8")) {
        if (strcasecmp(o->encoding, "gb18030") && strcasecmp(o->encoding, "gbk"))
            return bh_fail(err, BH_INVALID_ARGUMENT, "encoding", "编码应为 utf-8 或 gb18030");
        if (!(conv = from_gb18030(p, len, &len, err)))
            return err ? err->status : BH_INVALID_ARGUMENT;
        p = conv;
    }
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    tab_rb_reset(&b);
    for (; i < len && st == BH_OK; i++) {
        char ch = p[i];
        any = true;
        if (quoted) {
            if (ch == '"') {
                if (i + 1 < len && p[i + 1] == '"') {
                    tab_rb_byte(&b, '"', max_cell);
                    i++;
                } else {
                    quoted = false;
                }
            } else {
                tab_rb_byte(&b, ch, max_cell);
            }
            continue;
        }
        if (ch == '"' && at_start) {
            quoted = true;
            quote_row = row;
            at_start = false;
        } else if (ch == ',') {
            tab_rb_end_cell(&b);
            at_start = true;
        } else if (ch == '\r' || ch == '\n') {
            if (ch == '\r' && i + 1 < len && p[i + 1] == '\n')
                i++;
            tab_rb_end_cell(&b);
            st = emit(&b, row, i + 1, len, max_cell, fn, ctx, err);
            tab_rb_reset(&b);
            row++;
            at_start = true;
            any = false;
        } else {
            tab_rb_byte(&b, ch, max_cell);
            at_start = false;
        }
    }
    if (st == BH_OK && quoted)
        st = bh_fail(err, BH_INVALID_ARGUMENT, "file",
                     "第%ld行：引号没有闭合，文件在引号内结束（CSV可能被截断）", quote_row);
    else if (st == BH_OK && any) {
        tab_rb_end_cell(&b);
        st = emit(&b, row, len, len, max_cell, fn, ctx, err);
    }
    tab_rb_free(&b);
    free((char *)conv);
    return st;
}
