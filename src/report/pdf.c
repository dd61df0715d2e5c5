/*
 * pdf.c - a report as PDF, laid out with pango on cairo (see doc.h), on
 * the same GB/T 9704 page as the .docx: A4, margins 37/35/28/26 mm, 22
 * lines of 3号 (16 pt) text a page at an exact pitch, headings 一、 in a
 * 黑体-style face (Noto Sans CJK SC), （一） in a 楷体 (AR PL UKai), body in a
 * 宋/仿宋-style serif (Noto Serif CJK SC); "— N —" page numbers; tables
 * that break across pages with their header row repeated; charts as
 * vectors; the headings as the PDF's outline (bookmarks).
 */
#include <cairo-pdf.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

#include "report/chart.h"
#include "report/doc.h"

#define MM (72.0 / 25.4)
#define PAGE_W (210 * MM)
#define PAGE_H (297 * MM)
#define TOP (37 * MM)
#define BOTTOM (PAGE_H - 35 * MM)
#define LEFT (28 * MM)
#define WIDTH (PAGE_W - LEFT - 26 * MM)
#define PITCH 28.95 /* pt: 22 lines in the 225 mm text area */
#define BODY 16.0   /* 3号 */

#define SERIF "Noto Serif CJK SC"
#define SANS "Noto Sans CJK SC"
#define KAI "AR PL UKai CN"

typedef struct {
    cairo_surface_t *sf;
    cairo_t *cr;
    double y;   /* the top of the next line */
    int page;
    int outline[5]; /* the outline item of the latest heading at each level */
} pdf_t;

static void page_number(pdf_t *p)
{
    char buf[32];
    PangoLayout *l = pango_cairo_create_layout(p->cr);
    PangoFontDescription *fd = pango_font_description_from_string(SERIF);
    int w, h;
    snprintf(buf, sizeof buf, "— %d —", p->page);
    pango_font_description_set_absolute_size(fd, 14 * PANGO_SCALE);
    pango_layout_set_font_description(l, fd);
    pango_layout_set_text(l, buf, -1);
    pango_layout_get_pixel_size(l, &w, &h);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    cairo_move_to(p->cr, (PAGE_W - w) / 2, BOTTOM + 7 * MM);
    pango_cairo_show_layout(p->cr, l);
    pango_font_description_free(fd);
    g_object_unref(l);
}

static void new_page(pdf_t *p)
{
    page_number(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = TOP;
}

/* Room for h more points on this page, or a new one. */
static void need(pdf_t *p, double h)
{
    if (p->y + h > BOTTOM && p->y > TOP)
        new_page(p);
}

static PangoLayout *layout(pdf_t *p, const char *font, double size, bool bold, double width,
                           double indent, PangoAlignment align, const char *text)
{
    PangoLayout *l = pango_cairo_create_layout(p->cr);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    if (bold)
        pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(l, fd);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_indent(l, (int)(indent * PANGO_SCALE));
    pango_layout_set_alignment(l, align);
    pango_layout_set_justify(l, align == PANGO_ALIGN_LEFT);
    pango_layout_set_text(l, text, -1);
    pango_font_description_free(fd);
    return l;
}

/* Lines of text at the exact pitch, breaking pages between lines. */
static void text(pdf_t *p, const char *font, double size, bool bold, double pitch,
                 PangoAlignment align, double indent, double right, const char *s)
{
    PangoLayout *l = layout(p, font, size, bold, WIDTH - right, indent, align, s);
    PangoLayoutIter *it = pango_layout_get_iter(l);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    do {
        PangoRectangle ink, logical;
        PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
        pango_layout_iter_get_line_extents(it, &ink, &logical);
        need(p, pitch);
        /* the baseline sits where the line's box centres on the pitch */
        double asc = (double)(pango_layout_iter_get_baseline(it) - logical.y) / PANGO_SCALE;
        double lh = (double)logical.height / PANGO_SCALE;
        cairo_move_to(p->cr, LEFT + (double)logical.x / PANGO_SCALE, p->y + (pitch - lh) / 2 + asc);
        pango_cairo_show_layout_line(p->cr, line);
        p->y += pitch;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    g_object_unref(l);
}

static void heading(pdf_t *p, const rpt_block_t *k)
{
    char buf[4096], link[64];
    int lv = k->level < 1 ? 1 : k->level > 4 ? 4 : k->level;
    snprintf(buf, sizeof buf, "%s%s", k->number ? k->number : "", k->text);
    need(p, PITCH * 3); /* not alone at a page's foot */
    snprintf(link, sizeof link, "page=%d pos=[%.0f %.0f]", p->page, LEFT, p->y);
    p->outline[lv] = cairo_pdf_surface_add_outline(p->sf, lv > 1 ? p->outline[lv - 1] : CAIRO_PDF_OUTLINE_ROOT,
                                                   buf, link, lv == 1 ? CAIRO_PDF_OUTLINE_FLAG_OPEN : 0);
    text(p, lv == 1 ? SANS : lv == 2 ? KAI : SERIF, BODY, lv == 3, PITCH, PANGO_ALIGN_LEFT,
         2 * BODY, 0, buf);
}

static void caption(pdf_t *p, const char *s)
{
    text(p, SANS, 12, false, 20, PANGO_ALIGN_CENTER, 0, 0, s);
}

#define CELL_PAD 3.0
#define CELL_FONT 10.5 /* 五号 */

static double row_height(pdf_t *p, const char *const *cells, const double *w, int n, bool head)
{
    double h = 0;
    for (int c = 0; c < n; c++) {
        PangoLayout *l = layout(p, head ? SANS : SERIF, CELL_FONT, false, w[c] - 2 * CELL_PAD, 0,
                                PANGO_ALIGN_LEFT, cells[c]);
        int lw, lh;
        pango_layout_get_pixel_size(l, &lw, &lh);
        h = lh > h ? lh : h;
        g_object_unref(l);
    }
    return h + 2 * CELL_PAD;
}

static void row(pdf_t *p, const char *const *cells, const double *w, const bool *numeric, int n,
                bool head, double h)
{
    double x = LEFT;
    cairo_t *cr = p->cr;
    for (int c = 0; c < n; c++) {
        if (head) {
            cairo_set_source_rgb(cr, 0xDD / 255.0, 0xE4 / 255.0, 0xF0 / 255.0);
            cairo_rectangle(cr, x, p->y, w[c], h);
            cairo_fill(cr);
        }
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 0.5);
        cairo_rectangle(cr, x, p->y, w[c], h);
        cairo_stroke(cr);
        PangoLayout *l = layout(p, head ? SANS : SERIF, CELL_FONT, false, w[c] - 2 * CELL_PAD, 0,
                                head ? PANGO_ALIGN_CENTER : numeric[c] ? PANGO_ALIGN_RIGHT
                                                                       : PANGO_ALIGN_LEFT,
                                cells[c]);
        int lw, lh;
        pango_layout_get_pixel_size(l, &lw, &lh);
        cairo_move_to(cr, x + CELL_PAD, p->y + (h - lh) / 2);
        pango_cairo_show_layout(cr, l);
        g_object_unref(l);
        x += w[c];
    }
    p->y += h;
}

static void table(pdf_t *p, const rpt_table_t *t, const char *cap)
{
    double w[RPT_MAX_COLS];
    int n = rpt_column_widths(t, WIDTH, w);
    double hh = row_height(p, t->head, w, n, true);
    need(p, 20 + hh + row_height(p, t->cells, w, n, false)); /* caption, header, a row */
    p->y += 6;
    caption(p, cap);
    row(p, t->head, w, t->numeric, n, true, hh);
    for (int r = 0; r < t->nrows; r++) {
        const char *const *cells = t->cells + (size_t)r * (size_t)t->ncols;
        double h = row_height(p, cells, w, n, false);
        if (p->y + h > BOTTOM) {
            new_page(p);
            row(p, t->head, w, t->numeric, n, true, hh);
        }
        row(p, cells, w, t->numeric, n, false, h);
    }
    p->y += PITCH / 2;
}

static void chart(pdf_t *p, const rpt_chart_t *c, const char *cap)
{
    double h = WIDTH * 9 / 16;
    need(p, h + 26);
    cairo_save(p->cr);
    cairo_translate(p->cr, LEFT, p->y);
    rpt_chart_draw(p->cr, c, WIDTH, h);
    cairo_restore(p->cr);
    p->y += h + 4;
    caption(p, cap);
    p->y += PITCH / 2;
}

static cairo_status_t to_dynbuf(void *closure, const unsigned char *data, unsigned int len)
{
    return dynbuf_add(closure, data, len) == BH_OK ? CAIRO_STATUS_SUCCESS
                                                   : CAIRO_STATUS_WRITE_ERROR;
}

bh_status_t rpt_write_pdf(const rpt_doc_t *doc, dynbuf_t *out, bh_err_t *err)
{
    pdf_t p = {0};
    p.sf = cairo_pdf_surface_create_for_stream(to_dynbuf, out, PAGE_W, PAGE_H);
    p.cr = cairo_create(p.sf);
    p.page = 1;
    p.y = TOP;
    cairo_pdf_surface_set_metadata(p.sf, CAIRO_PDF_METADATA_TITLE, doc->title);
    cairo_pdf_surface_set_metadata(p.sf, CAIRO_PDF_METADATA_CREATOR, "bihuan");
    bool signed_off = false;
    for (int i = 0; i < doc->n; i++) {
        const rpt_block_t *k = &doc->blocks[i];
        switch (k->kind) {
        case RB_TITLE:
            text(&p, SERIF, 22, true, 36, PANGO_ALIGN_CENTER, 0, 0, k->text);
            p.y += PITCH;
            break;
        case RB_HEADING:
            heading(&p, k);
            break;
        case RB_PARA:
            text(&p, SERIF, BODY, false, PITCH, PANGO_ALIGN_LEFT, 2 * BODY, 0, k->text);
            break;
        case RB_TABLE:
            if (k->annex)
                break; /* the .xlsx annex only */
            table(&p, k->table, k->text);
            break;
        case RB_CHART:
            chart(&p, k->chart, k->text);
            break;
        case RB_SIGN:
            if (!signed_off)
                p.y += PITCH; /* a blank line before the sign-off */
            signed_off = true;
            text(&p, SERIF, BODY, false, PITCH, PANGO_ALIGN_RIGHT, 0, 2 * BODY, k->text);
            break;
        }
    }
    page_number(&p);
    cairo_destroy(p.cr);
    cairo_surface_finish(p.sf);
    cairo_status_t st = cairo_surface_status(p.sf);
    cairo_surface_destroy(p.sf);
    if (st != CAIRO_STATUS_SUCCESS)
        return bh_fail(err, out->failed ? BH_PAYLOAD_TOO_LARGE : BH_INTERNAL, NULL,
                       "生成 PDF 失败：%s", cairo_status_to_string(st));
    return BH_OK;
}
