/*
 * doc.c - the report formats and the writer of each (see doc.h).
 */
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "report/doc.h"
#include "util/utf8.h"

static const struct {
    const char *name, *mime;
} formats[RPT__FORMATS] = {
    [RPT_MD] = {"md", "text/markdown; charset=utf-8"},
    [RPT_DOCX] = {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    [RPT_PDF] = {"pdf", "application/pdf"},
    [RPT_XLSX] = {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
};

int rpt_format_from_name(const char *name)
{
    for (int i = 0; name && i < RPT__FORMATS; i++)
        if (strcasecmp(name, formats[i].name) == 0)
            return i;
    return -1;
}

const char *rpt_format_name(rpt_format_t f)
{
    return f < RPT__FORMATS ? formats[f].name : "";
}

const char *rpt_format_mime(rpt_format_t f)
{
    return f < RPT__FORMATS ? formats[f].mime : "application/octet-stream";
}

void rpt_xml_chars(dynbuf_t *b, const char *s, bool escape)
{
    size_t len = s ? strlen(s) : 0;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        int n = utf8_decode((const unsigned char *)s, i, len, &cp);
        if (n == 0) { /* not UTF-8: the replacement character */
            dynbuf_addstr(b, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        /* XML 1.0: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF] */
        bool ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                  (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
        if (!ok)
            ;
        else if (escape && cp == '&')
            dynbuf_addstr(b, "&amp;");
        else if (escape && cp == '<')
            dynbuf_addstr(b, "&lt;");
        else if (escape && cp == '>')
            dynbuf_addstr(b, "&gt;");
        else if (escape && cp == '"')
            dynbuf_addstr(b, "&quot;");
        else
            dynbuf_add(b, s + i, (size_t)n);
        i += (size_t)n;
    }
}

/* Display width in "characters": a CJK character counts 2. */
static int width_of(const char *s)
{
    int w = 0;
    for (const unsigned char *q = (const unsigned char *)s; q && *q; q++)
        if ((*q & 0xC0) != 0x80)
            w += *q >= 0xE0 ? 2 : 1;
    return w;
}

int rpt_column_widths(const rpt_table_t *t, double total, double *w)
{
    int n = t->ncols < RPT_MAX_COLS ? t->ncols : RPT_MAX_COLS, sum = 0, cw[RPT_MAX_COLS];
    for (int c = 0; c < n; c++) {
        cw[c] = width_of(t->head[c]);
        for (int r = 0; r < t->nrows; r++) {
            int x = width_of(rpt_cell_at(t, r, c));
            cw[c] = x > cw[c] ? x : cw[c];
        }
        cw[c] = cw[c] < 4 ? 4 : cw[c] > 30 ? 30 : cw[c];
        sum += cw[c];
    }
    for (int c = 0; c < n; c++)
        w[c] = total * cw[c] / (sum ? sum : 1);
    return n;
}

/* Text laid out with pango (the .pdf, the .docx's charts) goes through
 * fontconfig's process-wide caches, which several server threads must not
 * fill at once: such documents are drawn one at a time.  A report takes a
 * fraction of a second and is built rarely, so the wait is short. */
static pthread_mutex_t layout_lock = PTHREAD_MUTEX_INITIALIZER;

static bh_status_t write_laid_out(bh_status_t (*fn)(const rpt_doc_t *, dynbuf_t *, bh_err_t *),
                                  const rpt_doc_t *doc, dynbuf_t *out, bh_err_t *err)
{
    pthread_mutex_lock(&layout_lock);
    bh_status_t st = fn(doc, out, err);
    pthread_mutex_unlock(&layout_lock);
    return st;
}

bh_status_t rpt_write(const rpt_doc_t *doc, rpt_format_t f, dynbuf_t *out, bh_err_t *err)
{
    switch (f) {
    case RPT_MD:
        return rpt_write_md(doc, out, err);
    case RPT_DOCX:
        return write_laid_out(rpt_write_docx, doc, out, err);
    case RPT_XLSX:
        return rpt_write_xlsx(doc, out, err);
    case RPT_PDF:
        return write_laid_out(rpt_write_pdf, doc, out, err);
    default:
        return bh_fail(err, BH_INVALID_ARGUMENT, "format", "格式应为 md、docx、pdf 或 xlsx");
    }
}
