/*
 * doc.c - the report formats and the writer of each (see doc.h).
 */
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "report/doc.h"

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
