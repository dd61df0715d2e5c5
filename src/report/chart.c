/*
 * chart.c - a report's bar and line charts drawn with cairo and pango:
 * as vectors into a PDF page, or as a PNG for .docx (see chart.h).
 */
#include "report/chart.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

#include "core/numfmt.h"

/* The palette of the console's charts (ECharts' default), so a report and
 * the dashboard colour a series alike. */
static const double palette[][3] = {
    {0x54 / 255.0, 0x70 / 255.0, 0xc6 / 255.0}, {0x91 / 255.0, 0xcc / 255.0, 0x75 / 255.0},
    {0xfa / 255.0, 0xc8 / 255.0, 0x58 / 255.0}, {0xee / 255.0, 0x66 / 255.0, 0x66 / 255.0},
    {0x73 / 255.0, 0xc0 / 255.0, 0xde / 255.0}, {0x3b / 255.0, 0xa2 / 255.0, 0x72 / 255.0},
};
#define NPALETTE (int)(sizeof palette / sizeof palette[0])

static void colour(cairo_t *cr, int series)
{
    const double *p = palette[series % NPALETTE];
    cairo_set_source_rgb(cr, p[0], p[1], p[2]);
}

/* A layout of text in font at size (user units); the caller unrefs it. */
static PangoLayout *layout_of(cairo_t *cr, const char *font, double size, const char *text)
{
    PangoLayout *l = pango_cairo_create_layout(cr);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_layout_set_font_description(l, fd);
    pango_layout_set_text(l, text, -1);
    pango_font_description_free(fd);
    return l;
}

/* Text at (x, y) anchored by ax, ay in 0..1 (0: left/top, 1: right/bottom),
 * optionally turned by 'angle' radians about the anchor. */
static void label(cairo_t *cr, const char *font, double size, const char *text, double x,
                  double y, double ax, double ay, double angle)
{
    PangoLayout *l = layout_of(cr, font, size, text);
    int w, h;
    pango_layout_get_pixel_size(l, &w, &h);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, angle);
    cairo_move_to(cr, -ax * w, -ay * h);
    pango_cairo_show_layout(cr, l);
    cairo_restore(cr);
    g_object_unref(l);
}

static double text_width(cairo_t *cr, const char *font, double size, const char *text)
{
    PangoLayout *l = layout_of(cr, font, size, text);
    int w, h;
    pango_layout_get_pixel_size(l, &w, &h);
    g_object_unref(l);
    return w;
}

/* A "nice" step (1, 2 or 5 × 10^k) for about 5 ticks up to max. */
static double nice_step(double max)
{
    double raw = max / 5, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static void tick_text(const rpt_chart_t *c, double v, char *buf, size_t size)
{
    if (c->unit && strcmp(c->unit, "%") == 0)
        nf_rate(v, v * 100 == floor(v * 100) ? 0 : 1, buf, size);
    else
        nf_quantity(v, NULL, buf, size);
}

void rpt_chart_draw(cairo_t *cr, const rpt_chart_t *c, double w, double h)
{
    const double fs = h / 22;          /* the text size */
    const double top = fs * 3.2;       /* the legend above the plot */
    double max = 0;
    char buf[NF_MAX];
    int n = c->nlabels, m = c->nseries;

    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, 0, 0, w, h);
    cairo_fill(cr);
    for (int i = 0; i < n * m; i++)
        if (!isnan(c->values[i]) && c->values[i] > max)
            max = c->values[i];
    if (max <= 0)
        max = c->unit && strcmp(c->unit, "%") == 0 ? 1 : 1;
    double step = nice_step(max), ymax = ceil(max / step) * step;

    /* room for the axis labels: the widest tick, and the category labels
     * turned when they would not fit side by side */
    double yw = 0, lw = 0;
    for (double v = 0; v <= ymax + step / 2; v += step) {
        tick_text(c, v, buf, sizeof buf);
        double tw = text_width(cr, RPT_CHART_FONT, fs, buf);
        yw = tw > yw ? tw : yw;
    }
    for (int i = 0; i < n; i++) {
        double tw = text_width(cr, RPT_CHART_FONT, fs, c->labels[i]);
        lw = tw > lw ? tw : lw;
    }
    double left = yw + fs * 1.5, right = fs * 1.5;
    double slot = (w - left - right) / (n > 0 ? n : 1);
    bool turn = lw > slot * 0.95;
    double bottom = turn ? lw * 0.71 + fs * 2 : fs * 2.5;
    double x0 = left, y0 = h - bottom, pw = w - left - right, ph = y0 - top;

    /* grid lines and the value axis */
    cairo_set_line_width(cr, fs / 16);
    for (double v = 0; v <= ymax + step / 2; v += step) {
        double y = y0 - v / ymax * ph;
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_move_to(cr, x0, y);
        cairo_line_to(cr, x0 + pw, y);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        tick_text(c, v, buf, sizeof buf);
        label(cr, RPT_CHART_FONT, fs, buf, x0 - fs / 2, y, 1, 0.5, 0);
    }
    if (c->unit && strcmp(c->unit, "%") != 0) {
        snprintf(buf, sizeof buf, "单位：%s", c->unit);
        label(cr, RPT_CHART_FONT, fs * 0.9, buf, fs * 0.3, top - fs * 0.4, 0, 1, 0);
    }

    /* the series */
    for (int s = 0; s < m; s++) {
        colour(cr, s);
        if (c->kind == RPT_BAR) {
            double bw = slot * 0.7 / m;
            for (int i = 0; i < n; i++) {
                double v = c->values[s * n + i];
                if (isnan(v))
                    continue;
                double bh = v / ymax * ph;
                cairo_rectangle(cr, x0 + i * slot + slot * 0.15 + s * bw, y0 - bh, bw * 0.92, bh);
                cairo_fill(cr);
            }
        } else {
            bool pen = false;
            cairo_set_line_width(cr, fs / 6);
            for (int i = 0; i < n; i++) {
                double v = c->values[s * n + i];
                if (isnan(v)) {
                    pen = false;
                    continue;
                }
                double x = x0 + (i + 0.5) * slot, y = y0 - v / ymax * ph;
                if (pen)
                    cairo_line_to(cr, x, y);
                else
                    cairo_move_to(cr, x, y);
                pen = true;
            }
            cairo_stroke(cr);
            for (int i = 0; i < n; i++) {
                double v = c->values[s * n + i];
                if (isnan(v))
                    continue;
                cairo_arc(cr, x0 + (i + 0.5) * slot, y0 - v / ymax * ph, fs / 4, 0, 2 * G_PI);
                cairo_fill(cr);
            }
        }
    }

    /* the category axis and its labels */
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    cairo_set_line_width(cr, fs / 12);
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x0 + pw, y0);
    cairo_stroke(cr);
    for (int i = 0; i < n; i++) {
        double x = x0 + (i + 0.5) * slot;
        if (turn)
            label(cr, RPT_CHART_FONT, fs, c->labels[i], x + fs / 3, y0 + fs / 2, 1, 0, -G_PI / 4);
        else
            label(cr, RPT_CHART_FONT, fs, c->labels[i], x, y0 + fs / 2, 0.5, 0, 0);
    }

    /* the legend, centred above */
    double total = 0;
    for (int s = 0; s < m; s++)
        total += fs * 1.6 + text_width(cr, RPT_CHART_FONT, fs, c->series[s]) + fs;
    double lx = (w - total) / 2;
    for (int s = 0; s < m; s++) {
        colour(cr, s);
        cairo_rectangle(cr, lx, fs * 0.9, fs * 1.2, fs * 0.8);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        label(cr, RPT_CHART_FONT, fs, c->series[s], lx + fs * 1.6, fs * 1.3, 0, 0.5, 0);
        lx += fs * 1.6 + text_width(cr, RPT_CHART_FONT, fs, c->series[s]) + fs;
    }
    cairo_restore(cr);
}

static cairo_status_t to_dynbuf(void *closure, const unsigned char *data, unsigned int len)
{
    return dynbuf_add(closure, data, len) == BH_OK ? CAIRO_STATUS_SUCCESS
                                                   : CAIRO_STATUS_WRITE_ERROR;
}

bh_status_t rpt_chart_png(const rpt_chart_t *c, int w, int h, dynbuf_t *out, bh_err_t *err)
{
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(sf);
    rpt_chart_draw(cr, c, w, h);
    cairo_destroy(cr);
    cairo_status_t st = cairo_surface_write_to_png_stream(sf, to_dynbuf, out);
    cairo_surface_destroy(sf);
    if (st != CAIRO_STATUS_SUCCESS)
        return bh_fail(err, BH_INTERNAL, NULL, "图表绘制失败：%s", cairo_status_to_string(st));
    return BH_OK;
}
