/*
 * doc.c - the report formats and the writer of each (see doc.h).
 */
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

bh_status_t rpt_write(const rpt_doc_t *doc, rpt_format_t f, dynbuf_t *out, bh_err_t *err)
{
    switch (f) {
    case RPT_MD:
        return rpt_write_md(doc, out, err);
    case RPT_DOCX:
        return rpt_write_docx(doc, out, err);
    case RPT_XLSX:
        return rpt_write_xlsx(doc, out, err);
    case RPT_PDF:
        return rpt_write_pdf(doc, out, err);
    default:
        return bh_fail(err, BH_INVALID_ARGUMENT, "format", "格式应为 md、docx、pdf 或 xlsx");
    }
}
