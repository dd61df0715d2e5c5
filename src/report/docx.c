/*
 * docx.c - a report as a Word document: our own OOXML writer on libzip
 * (see doc.h).
 *
 * The layout follows GB/T 9704-2012 (党政机关公文格式) as far as a report
 * needs it: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
 * 22 lines a page (exact line pitch 28.95 pt); the title in 2号 小标宋,
 * centred; body 3号 仿宋 with a two-character first-line indent; headings
 * 一、 in 黑体, （一） in 楷体, 1. in 仿宋 bold; page numbers "— 1 —" in the
 * footer; the sign-off right-aligned.  Fonts are named as Chinese offices
 * have them (仿宋, 黑体, 楷体, 方正小标宋简体), each with the face Debian ships
 * as its alternative in the font table (Noto Serif/Sans CJK SC, AR PL
 * UKai), so LibreOffice on Debian and Word on an office PC both render it.
 * Tables repeat their header row on each page; charts are embedded PNGs.
 */
#include <stdio.h>
#include <string.h>
#include <zip.h>

#include "report/chart.h"
#include "report/doc.h"

#define TEXT_WIDTH 8844 /* twips between the margins: 210 - 28 - 26 mm */
#define CHART_CX 5580000L /* EMU: 15.5 cm */
#define CHART_CY 3138750L /* 9:16 */

/* XML text: escaped, only the characters XML allows (doc.h). */
static void esc(dynbuf_t *b, const char *s)
{
    rpt_xml_chars(b, s, true);
}

static void run(dynbuf_t *b, const char *text, bool bold)
{
    dynbuf_addstr(b, bold ? "<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">"
                          : "<w:r><w:t xml:space=\"preserve\">");
    esc(b, text);
    dynbuf_addstr(b, "</w:t></w:r>");
}

static void para(dynbuf_t *b, const char *style, const char *number, const char *text)
{
    dynbuf_addstr(b, "<w:p><w:pPr><w:pStyle w:val=\"");
    dynbuf_addstr(b, style);
    dynbuf_addstr(b, "\"/></w:pPr>");
    if (number && *number)
        run(b, number, false);
    run(b, text, false);
    dynbuf_addstr(b, "</w:p>");
}

static void cell(dynbuf_t *b, int width, const char *text, bool head, bool right)
{
    char buf[160];
    snprintf(buf, sizeof buf, "<w:tc><w:tcPr><w:tcW w:w=\"%d\" w:type=\"dxa\"/>%s<w:vAlign w:val=\"center\"/></w:tcPr>",
             width, head ? "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"DDE4F0\"/>" : "");
    dynbuf_addstr(b, buf);
    dynbuf_addstr(b, "<w:p><w:pPr><w:pStyle w:val=\"TableText\"/><w:jc w:val=\"");
    dynbuf_addstr(b, head ? "center" : right ? "right" : "left");
    dynbuf_addstr(b, "\"/></w:pPr>");
    run(b, text, head);
    dynbuf_addstr(b, "</w:p></w:tc>");
}

static void table(dynbuf_t *b, const rpt_table_t *t, const char *caption)
{
    double wd[RPT_MAX_COLS];
    int w[RPT_MAX_COLS], n = rpt_column_widths(t, TEXT_WIDTH, wd);
    char buf[96];
    para(b, "Caption", NULL, caption);
    for (int c = 0; c < n; c++)
        w[c] = (int)wd[c];
    dynbuf_addstr(b, "<w:tbl><w:tblPr><w:tblStyle w:val=\"ReportTable\"/>"
                     "<w:tblW w:w=\"5000\" w:type=\"pct\"/><w:jc w:val=\"center\"/>"
                     "<w:tblBorders>");
    static const char *const sides[] = {"top", "left", "bottom", "right", "insideH", "insideV"};
    for (int i = 0; i < 6; i++) {
        snprintf(buf, sizeof buf, "<w:%s w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>",
                 sides[i]);
        dynbuf_addstr(b, buf);
    }
    dynbuf_addstr(b, "</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
                     "<w:tblCellMar><w:left w:w=\"60\" w:type=\"dxa\"/><w:right w:w=\"60\" w:type=\"dxa\"/></w:tblCellMar>"
                     "</w:tblPr><w:tblGrid>");
    for (int c = 0; c < n; c++) {
        snprintf(buf, sizeof buf, "<w:gridCol w:w=\"%d\"/>", w[c]);
        dynbuf_addstr(b, buf);
    }
    dynbuf_addstr(b, "</w:tblGrid><w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
    for (int c = 0; c < n; c++)
        cell(b, w[c], t->head[c], true, false);
    dynbuf_addstr(b, "</w:tr>");
    for (int r = 0; r < t->nrows; r++) {
        dynbuf_addstr(b, "<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (int c = 0; c < n; c++)
            cell(b, w[c], rpt_cell_at(t, r, c), false, t->numeric[c]);
        dynbuf_addstr(b, "</w:tr>");
    }
    dynbuf_addstr(b, "</w:tbl>");
}

static void picture(dynbuf_t *b, int id, const char *caption)
{
    char buf[1024];
    snprintf(buf, sizeof buf,
             "<w:p><w:pPr><w:pStyle w:val=\"Figure\"/></w:pPr><w:r><w:drawing>"
             "<wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">"
             "<wp:extent cx=\"%ld\" cy=\"%ld\"/><wp:docPr id=\"%d\" name=\"chart%d\"/>"
             "<a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">"
             "<pic:pic><pic:nvPicPr><pic:cNvPr id=\"%d\" name=\"chart%d.png\"/><pic:cNvPicPr/></pic:nvPicPr>"
             "<pic:blipFill><a:blip r:embed=\"rIdChart%d\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>"
             "<pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"%ld\" cy=\"%ld\"/></a:xfrm>"
             "<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>"
             "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>",
             CHART_CX, CHART_CY, id, id, id, id, id, CHART_CX, CHART_CY);
    dynbuf_addstr(b, buf);
    para(b, "Caption", NULL, caption);
}

static const char content_types[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Default Extension=\"png\" ContentType=\"image/png\"/>"
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
    "<Override PartName=\"/word/fontTable.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>"
    "<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>"
    "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
    "</Types>";

static const char package_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
    "</Relationships>";

/* Fonts: the office name, the face Debian ships in its place. */
#define FONT(name, alt, family)                                                                   \
    "<w:font w:name=\"" name "\"><w:altName w:val=\"" alt "\"/><w:charset w:val=\"86\"/>"         \
    "<w:family w:val=\"" family "\"/><w:pitch w:val=\"variable\"/></w:font>"

static const char font_table[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    FONT("仿宋", "Noto Serif CJK SC", "modern")
    FONT("黑体", "Noto Sans CJK SC", "modern")
    FONT("楷体", "AR PL UKai CN", "modern")
    FONT("方正小标宋简体", "Noto Serif CJK SC", "script")
    "<w:font w:name=\"Times New Roman\"><w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/></w:font>"
    "</w:fonts>";

/* rPr fonts for an East Asian face with Times New Roman for Latin text. */
#define RFONTS(ea) \
    "<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"" ea "\" w:cs=\"Times New Roman\"/>"
/* A paragraph style: id, name, pPr, rPr. */
#define STYLE(id, name, ppr, rpr)                                                                 \
    "<w:style w:type=\"paragraph\" w:styleId=\"" id "\"><w:name w:val=\"" name "\"/>"             \
    "<w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr>" ppr "</w:pPr><w:rPr>" rpr "</w:rPr></w:style>"
#define LINE "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"579\" w:lineRule=\"exact\"/>"
#define INDENT "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>"

static const char styles[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:docDefaults><w:rPrDefault><w:rPr>" RFONTS("仿宋")
    "<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>"
    "<w:pPrDefault><w:pPr>" LINE "<w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>"
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>"
    STYLE("Title", "Title", "<w:spacing w:before=\"0\" w:after=\"579\" w:line=\"700\" w:lineRule=\"exact\"/><w:jc w:val=\"center\"/>",
          RFONTS("方正小标宋简体") "<w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/>")
    STYLE("Heading1", "heading 1", "<w:keepNext/>" INDENT "<w:outlineLvl w:val=\"0\"/>",
          RFONTS("黑体"))
    STYLE("Heading2", "heading 2", "<w:keepNext/>" INDENT "<w:outlineLvl w:val=\"1\"/>",
          RFONTS("楷体"))
    STYLE("Heading3", "heading 3", "<w:keepNext/>" INDENT "<w:outlineLvl w:val=\"2\"/>",
          "<w:b/><w:bCs/>")
    STYLE("Heading4", "heading 4", "<w:keepNext/>" INDENT "<w:outlineLvl w:val=\"3\"/>", "")
    STYLE("BodyText", "Body Text", INDENT, "")
    STYLE("Caption", "caption", "<w:keepNext/><w:spacing w:before=\"120\" w:after=\"60\" w:line=\"360\" w:lineRule=\"auto\"/><w:jc w:val=\"center\"/>",
          RFONTS("黑体") "<w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/>")
    STYLE("Figure", "Figure", "<w:keepNext/><w:spacing w:before=\"120\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"center\"/>", "")
    STYLE("TableText", "Table Text", "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"280\" w:lineRule=\"exact\"/>",
          "<w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/>")
    STYLE("Sign", "Closing", "<w:ind w:right=\"640\"/><w:jc w:val=\"right\"/>", "")
    STYLE("Footer", "footer", "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"center\"/>",
          RFONTS("宋体") "<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/>")
    "<w:style w:type=\"table\" w:styleId=\"ReportTable\"><w:name w:val=\"Report Table\"/>"
    "<w:tblPr><w:tblBorders/></w:tblPr></w:style>"
    "</w:styles>";

static const char footer[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:p><w:pPr><w:pStyle w:val=\"Footer\"/></w:pPr>"
    "<w:r><w:t xml:space=\"preserve\">— </w:t></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
    "<w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
    "<w:r><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>";

static void core_props(dynbuf_t *b, const char *title)
{
    dynbuf_addstr(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                     "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
                     "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>");
    esc(b, title);
    dynbuf_addstr(b, "</dc:title><dc:creator>bihuan</dc:creator><dc:language>zh-CN</dc:language>"
                     "</cp:coreProperties>");
}

/* The parts, kept until the archive is written (libzip reads them then). */
typedef struct {
    dynbuf_t bufs[64 + 8];
    int n;
} parts_t;

static dynbuf_t *part(parts_t *p)
{
    dynbuf_t *b = &p->bufs[p->n++];
    dynbuf_init(b, (size_t)64 << 20);
    return b;
}

static bool add(zip_t *z, const char *name, const void *data, size_t len)
{
    zip_source_t *s = zip_source_buffer(z, data, len, 0);
    if (!s)
        return false;
    if (zip_file_add(z, name, s, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
        zip_source_free(s);
        return false;
    }
    return true;
}

bh_status_t rpt_write_docx(const rpt_doc_t *doc, dynbuf_t *out, bh_err_t *err)
{
    parts_t p = {.n = 0};
    dynbuf_t *body = part(&p), *rels = part(&p), *core = part(&p);
    dynbuf_t *png[64];
    int ncharts = 0;
    bh_status_t st = BH_OK;
    char buf[256];

    dynbuf_addstr(body, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
                        "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" "
                        "xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" "
                        "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
                        "xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><w:body>");
    for (int i = 0; i < doc->n && st == BH_OK; i++) {
        const rpt_block_t *k = &doc->blocks[i];
        switch (k->kind) {
        case RB_TITLE:
            para(body, "Title", NULL, k->text);
            break;
        case RB_HEADING:
            snprintf(buf, sizeof buf, "Heading%d", k->level < 1 ? 1 : k->level > 4 ? 4 : k->level);
            para(body, buf, k->number, k->text);
            break;
        case RB_PARA:
            para(body, "BodyText", NULL, k->text);
            break;
        case RB_TABLE:
            if (k->annex)
                break; /* the .xlsx annex only */
            table(body, k->table, k->text);
            break;
        case RB_CHART:
            if (ncharts >= 64)
                break; /* more charts than a report has: the rest stay out */
            png[ncharts] = part(&p);
            st = rpt_chart_png(k->chart, 1600, 900, png[ncharts], err);
            ncharts++;
            picture(body, ncharts, k->text);
            break;
        case RB_SIGN:
            para(body, "Sign", NULL, k->text);
            break;
        }
    }
    dynbuf_addstr(body, "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooter\"/>"
                        "<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"
                        "<w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" "
                        "w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>"
                        "<w:docGrid w:type=\"lines\" w:linePitch=\"579\"/></w:sectPr></w:body></w:document>");
    dynbuf_addstr(rels, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                        "<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
                        "<Relationship Id=\"rIdFonts\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable\" Target=\"fontTable.xml\"/>"
                        "<Relationship Id=\"rIdFooter\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>");
    for (int i = 1; i <= ncharts; i++) {
        snprintf(buf, sizeof buf, "<Relationship Id=\"rIdChart%d\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/chart%d.png\"/>",
                 i, i);
        dynbuf_addstr(rels, buf);
    }
    dynbuf_addstr(rels, "</Relationships>");
    core_props(core, doc->title);

    if (st == BH_OK && (body->failed || rels->failed))
        st = bh_fail(err, BH_PAYLOAD_TOO_LARGE, NULL, "报告过大");
    if (st == BH_OK) {
        zip_error_t ze;
        zip_error_init(&ze);
        zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
        zip_t *z = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
        bool ok = z != NULL;
        if (z) {
            zip_source_keep(src);
            ok = add(z, "[Content_Types].xml", content_types, sizeof content_types - 1) &&
                 add(z, "_rels/.rels", package_rels, sizeof package_rels - 1) &&
                 add(z, "docProps/core.xml", core->buf, core->len) &&
                 add(z, "word/document.xml", body->buf, body->len) &&
                 add(z, "word/_rels/document.xml.rels", rels->buf, rels->len) &&
                 add(z, "word/styles.xml", styles, sizeof styles - 1) &&
                 add(z, "word/fontTable.xml", font_table, sizeof font_table - 1) &&
                 add(z, "word/footer1.xml", footer, sizeof footer - 1);
            for (int i = 0; ok && i < ncharts; i++) {
                snprintf(buf, sizeof buf, "word/media/chart%d.png", i + 1);
                ok = add(z, buf, png[i]->buf, png[i]->len);
                /* PNG is compressed already */
                ok = ok && zip_set_file_compression(z, (zip_uint64_t)zip_name_locate(z, buf, 0),
                                                    ZIP_CM_STORE, 0) == 0;
            }
            if (ok)
                ok = zip_close(z) == 0;
            else
                zip_discard(z);
        }
        if (ok && zip_source_open(src) == 0) {
            zip_int64_t len;
            char chunk[65536];
            while ((len = zip_source_read(src, chunk, sizeof chunk)) > 0)
                dynbuf_add(out, chunk, (size_t)len);
            ok = len == 0 && !out->failed;
            zip_source_close(src);
        } else {
            ok = false;
        }
        if (src)
            zip_source_free(src);
        zip_error_fini(&ze);
        if (!ok)
            st = bh_fail(err, BH_INTERNAL, NULL, "生成 .docx 失败");
    }
    for (int i = 0; i < p.n; i++)
        dynbuf_free(&p.bufs[i]);
    return st;
}
