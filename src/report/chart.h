/*
 * chart.h - drawing a report's charts (core/report.h rpt_chart_t): bars
 * grouped by label, or lines with markers; a legend above, the value axis
 * with "nice" ticks (a rate's in %), labels turned when they crowd.  The
 * same drawing goes into a PDF page as vectors and into .docx as a PNG.
 */
#ifndef BH_REPORT_CHART_H
#define BH_REPORT_CHART_H

#include <cairo.h>

#include "core/report.h"
#include "util/dynbuf.h"
#include "util/status.h"

/* The font of chart text (fontconfig picks the CJK face Debian ships). */
#define RPT_CHART_FONT "Noto Sans CJK SC"

/* Draw c into the w × h box at cr's origin (user units). */
void rpt_chart_draw(cairo_t *cr, const rpt_chart_t *c, double w, double h);

/* c as a w × h pixel PNG appended to out. */
bh_status_t rpt_chart_png(const rpt_chart_t *c, int w, int h, dynbuf_t *out, bh_err_t *err);

#endif
