/*
 * doc.h - writing a report's content (core/report.h) as a document:
 * Markdown here; .docx, .pdf and .xlsx beside it.  Each writer renders the
 * same blocks - title, numbered headings, paragraphs, tables, charts,
 * sign-off - so every format says the same thing.
 */
#ifndef BH_REPORT_DOC_H
#define BH_REPORT_DOC_H

#include <stdbool.h>

#include "core/report.h"
#include "util/dynbuf.h"
#include "util/status.h"

typedef enum { RPT_MD, RPT_DOCX, RPT_PDF, RPT_XLSX, RPT__FORMATS } rpt_format_t;

/* "md", "docx", "pdf", "xlsx" → the format, or -1. */
int rpt_format_from_name(const char *name);
const char *rpt_format_name(rpt_format_t f);
/* The media type a download is served with. */
const char *rpt_format_mime(rpt_format_t f);

/* Append s with only the characters XML 1.0 allows (bytes that are not
 * UTF-8 become U+FFFD; U+FFFE, U+FFFF and control characters other than
 * tab and line breaks are dropped), escaped for XML text when 'escape'.
 * The .docx and .xlsx writers pass every text through it: a case title a
 * citizen typed must not make the file unreadable. */
void rpt_xml_chars(dynbuf_t *b, const char *s, bool escape);

#define RPT_MAX_COLS 64 /* columns a printed table lays out */

/* Widths of t's columns spread over 'total' (any unit): each as wide as
 * its widest cell in characters (a CJK character counts 2), 4 to 30,
 * scaled; the number of columns laid out (at most RPT_MAX_COLS). */
int rpt_column_widths(const rpt_table_t *t, double total, double *w);

/* Markdown (CommonMark with pipe tables): a chart is written as the table
 * of its values, since Markdown has no pictures of its own. */
bh_status_t rpt_write_md(const rpt_doc_t *doc, dynbuf_t *out, bh_err_t *err);

/* Word (.docx, our own OOXML on libzip): GB/T 9704 page and fonts,
 * numbered headings, tables with a repeated header row, charts as PNG,
 * page numbers in the footer (docx.c). */
bh_status_t rpt_write_docx(const rpt_doc_t *doc, dynbuf_t *out, bh_err_t *err);

/* The annex workbook (.xlsx, libxlsxwriter): the text on a first sheet,
 * a sheet per table and per chart, numbers as numbers (xlsx.c). */
bh_status_t rpt_write_xlsx(const rpt_doc_t *doc, dynbuf_t *out, bh_err_t *err);

/* PDF (cairo + pango): the same page as the .docx, charts as vectors, the
 * headings as bookmarks (pdf.c). */
bh_status_t rpt_write_pdf(const rpt_doc_t *doc, dynbuf_t *out, bh_err_t *err);

/* Write doc in format f to out (from any thread: the formats that lay out
 * text with pango are drawn one at a time). */
bh_status_t rpt_write(const rpt_doc_t *doc, rpt_format_t f, dynbuf_t *out, bh_err_t *err);

#endif
