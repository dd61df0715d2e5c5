/*
 * xlsx_read.c - reading an .xlsx workbook (Office Open XML, ECMA-376) with
 * libzip and expat.  What it understands:
 *   xl/workbook.xml             sheet names and relationship ids, date1904
 *   xl/_rels/workbook.xml.rels  relationship id -> part name
 *   xl/sharedStrings.xml        the shared string table (runs joined,
 *                               phonetic guides dropped)
 *   xl/styles.xml               which cell formats are dates
 *   the sheet part              rows and cells, streamed in 64 KiB chunks and
 *                               parsed on a second thread (rows handed over
 *                               in batches; the callback runs on the caller's)
 * Cell types: shared string, inline string, formula string, number, date
 * (a number with a date format, or t="d"), boolean, error.  A formula cell
 * gives its cached value; without one the row is reported as bad.
 *
 * Hostile input: DTDs are refused (no entity expansion), every part read
 * whole is capped, the shared-string table is capped, cells are capped at
 * max_cell bytes and rows at TAB_MAX_COLS columns, row numbers must rise.
 */
#include <expat.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "report/tab.h"
#include "report/tab_int.h"
#include "util/xmalloc.h"

#define SST_MAX_BYTES ((size_t)512 << 20)
#define MAX_SHEETS 256
#define MAX_ROWS 1048576L
#define MAX_XF 65536

struct sbuf {
    char *s;
    size_t len, cap;
    bool over; /* more than the cap was offered */
};

static void sb_add(struct sbuf *b, const char *s, size_t n, size_t cap)
{
    if (b->len + n > cap) {
        b->over = true;
        n = b->len < cap ? cap - b->len : 0;
    }
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void sb_clear(struct sbuf *b)
{
    b->len = 0;
    b->over = false;
    if (b->s)
        b->s[0] = 0;
}

struct sheet_ref {
    char *name, *rid, *part;
};

struct xr {
    zip_t *z;
    size_t max_cell;
    char max_cell_text[24];
    XML_Parser p;
    bh_err_t *err;
    bh_status_t st;     /* an error raised inside a handler */
    const char *what;   /* the part being parsed, for messages */

    /* workbook */
    struct sheet_ref sheets[MAX_SHEETS];
    int nsheets;
    bool date1904;

    /* shared strings */
    char **sst;
    size_t nsst, cap_sst, sst_bytes;
    unsigned char *sst_big; /* 1: the string was longer than max_cell */
    int si_depth, rph_depth;
    bool in_t;
    struct sbuf text;

    /* styles */
    int custom_ids[512];
    bool custom_date[512];
    int ncustom;
    bool in_cellxfs;
    unsigned char *xf_date;
    int nxf;

    /* the sheet */
    const char *sheet;
    tab_row_fn fn;
    void *ctx;
    struct tab_rb rb;
    long row, last_row;
    int col_next, cell_col, cell_style;
    char cell_type; /* 's' shared, 'i' inline, 'f' formula string, 'b' bool, 'e' error, 'd' date text, 'n' number */
    bool in_row, in_cell, in_v, in_is, has_v, has_f;
    int bad_col;
    char bad[160];
    uint64_t done, total;
    struct pipe *pipe; /* rows go to the other thread (NULL: call fn here) */
};

/* The local part of a qualified name: "x:row" -> "row".  Namespaces are
 * not resolved (a non-namespace parser is markedly faster); OOXML parts
 * use their element names unambiguously, whatever the prefix. */
static const char *local(const char *name)
{
    const char *colon = strchr(name, ':');
    return colon ? colon + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(local(atts[i]), name) == 0)
            return atts[i + 1];
    return NULL;
}

static void xr_fail(struct xr *x, bh_status_t st)
{
    x->st = st;
    XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL no_dtd(void *ud, const XML_Char *name, const XML_Char *sys,
                           const XML_Char *pub, int internal)
{
    struct xr *x = ud;
    (void)name, (void)sys, (void)pub, (void)internal;
    xr_fail(x, bh_fail(x->err, BH_INVALID_ARGUMENT, "file", "%s：不允许DTD（文档类型声明）", x->what));
}

/*
 * Parse one part of the package with the given handlers.  'cap' bounds the
 * uncompressed bytes read (0: none).  A missing part is BH_NOT_FOUND
 * (silently: the caller decides whether that matters).
 */
static bh_status_t parse_part(struct xr *x, const char *name, const char *what,
                              XML_StartElementHandler start, XML_EndElementHandler end,
                              XML_CharacterDataHandler chars, uint64_t cap)
{
    zip_int64_t idx = zip_name_locate(x->z, name, ZIP_FL_NOCASE);
    zip_stat_t zs;
    zip_file_t *f;
    char buf[65536];
    zip_int64_t n;
    bh_status_t st = BH_OK;

    if (idx < 0)
        return BH_NOT_FOUND;
    if (zip_stat_index(x->z, (zip_uint64_t)idx, 0, &zs) != 0 || !(f = zip_fopen_index(x->z, (zip_uint64_t)idx, 0)))
        return bh_fail(x->err, BH_INVALID_ARGUMENT, "file", "xlsx文件损坏：无法打开其中的 %s（%s）", name,
                       zip_strerror(x->z));
    x->what = what;
    x->total = (zs.valid & ZIP_STAT_SIZE) ? zs.size : 0;
    x->done = 0;
    x->st = BH_OK;
    x->p = XML_ParserCreate(NULL);
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, start, end);
    XML_SetCharacterDataHandler(x->p, chars);
    XML_SetStartDoctypeDeclHandler(x->p, no_dtd);
    for (;;) {
        n = zip_fread(f, buf, sizeof buf);
        if (n < 0) {
            st = bh_fail(x->err, BH_INVALID_ARGUMENT, "file", "xlsx文件损坏：读取 %s 失败（%s）", name,
                         zip_file_strerror(f));
            break;
        }
        x->done += (uint64_t)n;
        if (cap && x->done > cap) {
            st = bh_fail(x->err, BH_INVALID_ARGUMENT, "file", "%s过大（解压后超过%llu字节）", what,
                         (unsigned long long)cap);
            break;
        }
        if (XML_Parse(x->p, buf, (int)n, n == 0) == XML_STATUS_ERROR) {
            if (x->st)
                st = x->st;
            else if (x->sheet && x->row)
                st = bh_fail(x->err, BH_INVALID_ARGUMENT, "file",
                             "工作表“%s”第%ld行附近：XML格式错误（%s，XML第%lu行），文件可能被截断或损坏",
                             x->sheet, x->row, XML_ErrorString(XML_GetErrorCode(x->p)),
                             (unsigned long)XML_GetCurrentLineNumber(x->p));
            else
                st = bh_fail(x->err, BH_INVALID_ARGUMENT, "file", "%s：XML格式错误（%s，XML第%lu行）", what,
                             XML_ErrorString(XML_GetErrorCode(x->p)),
                             (unsigned long)XML_GetCurrentLineNumber(x->p));
            break;
        }
        if (n == 0)
            break;
    }
    XML_ParserFree(x->p);
    x->p = NULL;
    zip_fclose(f);
    return st;
}

/* ---- workbook and relationships ---- */

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xr *x = ud;
    const char *l = local(name);
    if (strcmp(l, "sheet") == 0 && x->nsheets < MAX_SHEETS) {
        const char *n = attr(atts, "name"), *id = attr(atts, "id");
        if (n && id) {
            x->sheets[x->nsheets].name = xstrdup(n);
            x->sheets[x->nsheets].rid = xstrdup(id);
            x->nsheets++;
        }
    } else if (strcmp(l, "workbookPr") == 0) {
        const char *v = attr(atts, "date1904");
        x->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    }
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xr *x = ud;
    const char *id, *target;
    if (strcmp(local(name), "Relationship") != 0 || !(id = attr(atts, "Id")) ||
        !(target = attr(atts, "Target")))
        return;
    for (int i = 0; i < x->nsheets; i++)
        if (!x->sheets[i].part && strcmp(x->sheets[i].rid, id) == 0) {
            size_t n = strlen(target) + 4;
            char *part = xmalloc(n);
            if (target[0] == '/')
                snprintf(part, n, "%s", target + 1);
            else
                snprintf(part, n, "xl/%s", target);
            x->sheets[i].part = part;
        }
}

static void XMLCALL ignore_end(void *ud, const XML_Char *name)
{
    (void)ud, (void)name;
}

static void XMLCALL ignore_chars(void *ud, const XML_Char *s, int len)
{
    (void)ud, (void)s, (void)len;
}

/* ---- shared strings ---- */

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xr *x = ud;
    const char *l = local(name);
    (void)atts;
    if (strcmp(l, "si") == 0) {
        x->si_depth = 1;
        sb_clear(&x->text);
    } else if (strcmp(l, "rPh") == 0) {
        x->rph_depth++;
    } else if (strcmp(l, "t") == 0 && x->si_depth && !x->rph_depth) {
        x->in_t = true;
    }
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
    struct xr *x = ud;
    const char *l = local(name);
    if (strcmp(l, "t") == 0) {
        x->in_t = false;
    } else if (strcmp(l, "rPh") == 0) {
        x->rph_depth--;
    } else if (strcmp(l, "si") == 0) {
        x->si_depth = 0;
        if (x->nsst == x->cap_sst) {
            x->cap_sst = x->cap_sst ? x->cap_sst * 2 : 1024;
            x->sst = xrealloc(x->sst, x->cap_sst * sizeof *x->sst);
            x->sst_big = xrealloc(x->sst_big, x->cap_sst);
        }
        x->sst_bytes += x->text.len + 1;
        if (x->sst_bytes > SST_MAX_BYTES) {
            xr_fail(x, bh_fail(x->err, BH_INVALID_ARGUMENT, "file", "共享字符串表过大（超过%zu字节）",
                               SST_MAX_BYTES));
            return;
        }
        x->sst_big[x->nsst] = x->text.over;
        x->sst[x->nsst++] = xstrdup(x->text.s ? x->text.s : "");
    }
}

static void XMLCALL text_chars(void *ud, const XML_Char *s, int len)
{
    struct xr *x = ud;
    if (x->in_t || x->in_v)
        sb_add(&x->text, s, (size_t)len, x->max_cell);
}

/* ---- styles: which cell formats show dates ---- */

static bool builtin_date(int id)
{
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
           (id >= 50 && id <= 58);
}

/* A custom number format shows a date or time if, outside quoted text,
 * [brackets] and escapes, it has y d h s or 年 月 日. */
static bool format_is_date(const char *f)
{
    for (const char *p = f; *p; p++) {
        if (*p == '"') {
            while (p[1] && p[1] != '"')
                p++;
            if (p[1])
                p++;
        } else if (*p == '[') {
            while (p[1] && p[1] != ']')
                p++;
            if (p[1])
                p++;
        } else if (*p == '\\' || *p == '_' || *p == '*') {
            if (p[1])
                p++;
        } else if (strchr("yYdDhHsS", *p) || strncmp(p, "年", 3) == 0 || strncmp(p, "日", 3) == 0) {
            return true;
        }
    }
    return false;
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xr *x = ud;
    const char *l = local(name), *v;
    if (strcmp(l, "numFmt") == 0 && x->ncustom < 512 && (v = attr(atts, "numFmtId"))) {
        const char *code = attr(atts, "formatCode");
        x->custom_ids[x->ncustom] = atoi(v);
        x->custom_date[x->ncustom++] = code && format_is_date(code);
    } else if (strcmp(l, "cellXfs") == 0) {
        x->in_cellxfs = true;
    } else if (strcmp(l, "xf") == 0 && x->in_cellxfs && x->nxf < MAX_XF) {
        int id = (v = attr(atts, "numFmtId")) ? atoi(v) : 0;
        bool date = builtin_date(id);
        for (int i = 0; i < x->ncustom; i++)
            if (x->custom_ids[i] == id)
                date = x->custom_date[i];
        x->xf_date = xrealloc(x->xf_date, (size_t)x->nxf + 1);
        x->xf_date[x->nxf++] = date;
    }
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
    struct xr *x = ud;
    if (strcmp(local(name), "cellXfs") == 0)
        x->in_cellxfs = false;
}


/* ---- reading the sheet on a second thread ----
 *
 * Inflating and parsing a large sheet costs about as much as what the
 * caller does with the rows (a database insert each), so the sheet is
 * parsed on its own thread and rows are handed over in batches through a
 * small bounded queue; fn still runs on the caller's thread.
 */
#define BATCH_ROWS 512
#define QUEUE_DEPTH 4

struct batch {
    int n;
    struct {
        long row;
        int ncells, bad_col;
        size_t first;    /* index of its first cell in off[] */
        double progress;
        char bad[160];
        bool has_bad;
    } r[BATCH_ROWS];
    char *text;          /* the cells, NUL-terminated */
    size_t len, cap;
    size_t *off;         /* cell starts in text */
    size_t noff, capoff;
};

struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch *q[QUEUE_DEPTH];
    int head, count;
    bool done, stop;
    struct batch *cur;   /* being filled by the parser */
    bh_status_t st;      /* the parser's result */
    bh_err_t err;        /* and its message */
    const char *part, *name;
};

static void batch_free(struct batch *b)
{
    if (b) {
        free(b->text);
        free(b->off);
        free(b);
    }
}

/* Hand the filled batch to the consumer; false when it has stopped. */
static bool pipe_push(struct pipe *p)
{
    bool ok;
    pthread_mutex_lock(&p->mu);
    while (p->count == QUEUE_DEPTH && !p->stop)
        pthread_cond_wait(&p->cv, &p->mu);
    ok = !p->stop;
    if (ok) {
        p->q[(p->head + p->count) % QUEUE_DEPTH] = p->cur;
        p->count++;
        p->cur = NULL;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return ok;
}

/* Copy a row into the current batch (the parser's side). */
static bh_status_t pipe_row(struct pipe *p, const tab_row_t *r)
{
    struct batch *b = p->cur;
    if (!b)
        b = p->cur = xcalloc(1, sizeof *b);
    b->r[b->n].row = r->row;
    b->r[b->n].ncells = r->ncells;
    b->r[b->n].bad_col = r->bad_col;
    b->r[b->n].first = b->noff;
    b->r[b->n].progress = r->progress;
    b->r[b->n].has_bad = r->bad != NULL;
    if (r->bad)
        snprintf(b->r[b->n].bad, sizeof b->r[b->n].bad, "%s", r->bad);
    for (int i = 0; i < r->ncells; i++) {
        size_t n = strlen(r->cells[i]) + 1;
        if (b->len + n > b->cap) {
            b->cap = (b->len + n) * 2;
            b->text = xrealloc(b->text, b->cap);
        }
        if (b->noff == b->capoff) {
            b->capoff = b->capoff ? b->capoff * 2 : 4096;
            b->off = xrealloc(b->off, b->capoff * sizeof *b->off);
        }
        b->off[b->noff++] = b->len;
        memcpy(b->text + b->len, r->cells[i], n);
        b->len += n;
    }
    if (++b->n == BATCH_ROWS && !pipe_push(p))
        return BH_FAILED_PRECONDITION; /* the consumer stopped: stop parsing */
    return BH_OK;
}

/* ---- the sheet ---- */

static void row_bad(struct xr *x, int col, const char *fmt, const char *arg)
{
    if (x->bad_col >= 0)
        return;
    x->bad_col = col;
    snprintf(x->bad, sizeof x->bad, fmt, arg);
}

/* "AB12" -> 27 (0-based column); -1 if there are no letters. */
static int ref_col(const char *r)
{
    int col = 0, n = 0;
    for (; *r >= 'A' && *r <= 'Z' && n < 4; r++, n++)
        col = col * 26 + (*r - 'A' + 1);
    return n == 0 || n > 3 ? -1 : col - 1;
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xr *x = ud;
    const char *l = local(name), *v;

    if (strcmp(l, "row") == 0) {
        long r = (v = attr(atts, "r")) ? atol(v) : x->last_row + 1;
        if (r <= x->last_row || r > MAX_ROWS) {
            xr_fail(x, bh_fail(x->err, BH_INVALID_ARGUMENT, "file",
                               "工作表“%s”：行号 %ld 无效（须递增且不超过%ld）", x->sheet, r, MAX_ROWS));
            return;
        }
        x->row = r;
        x->in_row = true;
        x->col_next = 0;
        x->bad_col = -1;
        x->bad[0] = 0;
        tab_rb_reset(&x->rb);
    } else if (strcmp(l, "c") == 0 && x->in_row) {
        int col = (v = attr(atts, "r")) ? ref_col(v) : x->col_next;
        if (col < 0)
            col = x->col_next;
        if (col < x->col_next) {
            row_bad(x, x->col_next, "单元格顺序错乱（%s）", v ? v : "");
            col = x->col_next;
        }
        x->cell_col = col;
        v = attr(atts, "t");
        x->cell_type = !v                            ? 'n'
                       : strcmp(v, "s") == 0         ? 's'
                       : strcmp(v, "inlineStr") == 0 ? 'i'
                       : strcmp(v, "str") == 0       ? 'f'
                       : strcmp(v, "b") == 0         ? 'b'
                       : strcmp(v, "e") == 0         ? 'e'
                       : strcmp(v, "d") == 0         ? 'd'
                                                     : 'n';
        v = attr(atts, "s");
        x->cell_style = v ? atoi(v) : 0;
        x->in_cell = true;
        x->has_v = x->has_f = x->in_is = false;
        sb_clear(&x->text);
    } else if (x->in_cell) {
        if (strcmp(l, "v") == 0)
            x->in_v = true;
        else if (strcmp(l, "f") == 0)
            x->has_f = true;
        else if (strcmp(l, "is") == 0)
            x->in_is = true;
        else if (strcmp(l, "rPh") == 0)
            x->rph_depth++;
        else if (strcmp(l, "t") == 0 && x->in_is && !x->rph_depth)
            x->in_t = true;
    }
}

static void end_cell(struct xr *x)
{
    const char *val = x->text.s ? x->text.s : "";
    size_t len = x->text.len;
    char tmp[32];
    char t = x->cell_type;
    int col = x->cell_col;

    if (x->text.over)
        row_bad(x, col, "单元格内容超过%s字节", x->max_cell_text);
    if (t == 's') {
        char *end;
        unsigned long i = strtoul(val, &end, 10);
        if (!x->has_v || *end || end == val || i >= x->nsst) {
            row_bad(x, col, "共享字符串编号“%s”不存在", val);
            val = "", len = 0;
        } else {
            if (x->sst_big[i])
                row_bad(x, col, "单元格内容超过%s字节", x->max_cell_text);
            val = x->sst[i];
            len = strlen(val);
        }
    } else if (t == 'b') {
        val = strcmp(val, "1") == 0 ? "TRUE" : "FALSE";
        len = strlen(val);
    } else if (t == 'e') {
        row_bad(x, col, "单元格是Excel错误值 %s", val);
        val = "", len = 0;
    } else if (t == 'i' || t == 'f' || t == 'd') {
        /* the text as it is */
    } else if (!x->has_v || len == 0) {
        if (x->has_f)
            row_bad(x, col, "公式单元格没有计算结果%s（请在Excel中打开并保存，或把公式粘贴为数值）", "");
        val = "", len = 0;
    } else if (x->cell_style >= 0 && x->cell_style < x->nxf && x->xf_date[x->cell_style]) {
        char *end;
        double d = strtod(val, &end);
        if (*end || !tab_excel_date(d, x->date1904, tmp)) {
            row_bad(x, col, "日期值“%s”无效", val);
            val = "", len = 0;
        } else {
            val = tmp;
            len = strlen(tmp);
        }
    }
    while (x->rb.n < col && !x->rb.too_many)
        tab_rb_put(&x->rb, "", 0, x->max_cell);
    tab_rb_put(&x->rb, val, len, x->max_cell);
    x->col_next = col + 1;
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
    struct xr *x = ud;
    const char *l = local(name);

    if (strcmp(l, "v") == 0) {
        x->in_v = false;
        x->has_v = true;
    } else if (strcmp(l, "t") == 0) {
        x->in_t = false;
    } else if (strcmp(l, "rPh") == 0) {
        if (x->rph_depth)
            x->rph_depth--;
    } else if (strcmp(l, "is") == 0) {
        x->in_is = false;
        x->has_v = true;
    } else if (strcmp(l, "c") == 0 && x->in_cell) {
        x->in_cell = false;
        end_cell(x);
    } else if (strcmp(l, "row") == 0 && x->in_row) {
        tab_row_t r = {x->sheet, x->row, 0, NULL, -1, NULL,
                       x->total ? (double)x->done / (double)x->total : 0};
        char msg[64];
        bh_status_t st;
        x->in_row = false;
        x->last_row = x->row;
        tab_rb_finish(&x->rb);
        r.ncells = x->rb.n;
        r.cells = x->rb.cells;
        if (x->rb.too_many) {
            r.bad_col = TAB_MAX_COLS;
            snprintf(msg, sizeof msg, "列数超过%d", TAB_MAX_COLS);
            r.bad = msg;
        } else if (x->bad_col >= 0) {
            r.bad_col = x->bad_col;
            r.bad = x->bad;
        }
        st = x->pipe ? pipe_row(x->pipe, &r) : x->fn(&r, x->ctx, x->err);
        if (st)
            xr_fail(x, st);
    }
}

static void *parse_sheet(void *arg)
{
    struct xr *x = arg;
    struct pipe *p = x->pipe;
    bh_status_t st = parse_part(x, p->part, p->name, sheet_start, sheet_end, text_chars, 0);
    if (st == BH_OK && p->cur && p->cur->n)
        pipe_push(p);
    pthread_mutex_lock(&p->mu);
    p->st = st;
    p->done = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* The caller's side: run fn on every row the parser thread hands over. */
static bh_status_t read_sheet_threaded(struct xr *x, const char *part, const char *name,
                                       tab_row_fn fn, void *ctx, bh_err_t *err)
{
    struct pipe p;
    pthread_t t;
    const char **cells = NULL;
    int capcells = 0;
    bh_status_t st = BH_OK;

    memset(&p, 0, sizeof p);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    p.part = part;
    p.name = name;
    bh_err_clear(&p.err);
    x->pipe = &p;
    x->err = &p.err; /* the parser writes only its own record */
    if (pthread_create(&t, NULL, parse_sheet, x) != 0) {
        x->pipe = NULL;
        x->err = err;
        pthread_cond_destroy(&p.cv);
        pthread_mutex_destroy(&p.mu);
        return parse_part(x, part, name, sheet_start, sheet_end, text_chars, 0);
    }
    for (;;) {
        struct batch *b;
        pthread_mutex_lock(&p.mu);
        while (p.count == 0 && !p.done)
            pthread_cond_wait(&p.cv, &p.mu);
        if (p.count == 0) {
            pthread_mutex_unlock(&p.mu);
            break;
        }
        b = p.q[p.head];
        p.head = (p.head + 1) % QUEUE_DEPTH;
        p.count--;
        pthread_cond_broadcast(&p.cv);
        pthread_mutex_unlock(&p.mu);
        for (int i = 0; i < b->n && st == BH_OK; i++) {
            tab_row_t r = {name, b->r[i].row, b->r[i].ncells, NULL, b->r[i].bad_col,
                           b->r[i].has_bad ? b->r[i].bad : NULL, b->r[i].progress};
            if (r.ncells > capcells) {
                capcells = r.ncells * 2;
                cells = xrealloc(cells, (size_t)capcells * sizeof *cells);
            }
            for (int c = 0; c < r.ncells; c++)
                cells[c] = b->text + b->off[b->r[i].first + (size_t)c];
            r.cells = cells;
            st = fn(&r, ctx, err);
        }
        batch_free(b);
        if (st) {
            pthread_mutex_lock(&p.mu);
            p.stop = true;
            pthread_cond_broadcast(&p.cv);
            pthread_mutex_unlock(&p.mu);
            break;
        }
    }
    pthread_join(t, NULL);
    while (p.count) { /* left over after a stop */
        batch_free(p.q[p.head]);
        p.head = (p.head + 1) % QUEUE_DEPTH;
        p.count--;
    }
    batch_free(p.cur);
    free(cells);
    x->pipe = NULL;
    x->err = err;
    if (st == BH_OK && p.st != BH_OK) {
        st = p.st;
        if (err)
            *err = p.err;
    }
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    return st;
}

static void xr_free(struct xr *x)
{
    for (int i = 0; i < x->nsheets; i++) {
        free(x->sheets[i].name);
        free(x->sheets[i].rid);
        free(x->sheets[i].part);
    }
    for (size_t i = 0; i < x->nsst; i++)
        free(x->sst[i]);
    free(x->sst);
    free(x->sst_big);
    free(x->xf_date);
    free(x->text.s);
    tab_rb_free(&x->rb);
    if (x->z)
        zip_discard(x->z);
}

bh_status_t tab_read_xlsx(const void *buf, size_t len, const tab_opts_t *o, tab_row_fn fn,
                          void *ctx, bh_err_t *err)
{
    struct xr x;
    zip_error_t ze;
    zip_source_t *src;
    const struct sheet_ref *sh = NULL;
    bh_status_t st;

    memset(&x, 0, sizeof x);
    x.err = err;
    x.fn = fn;
    x.ctx = ctx;
    x.max_cell = o && o->max_cell ? o->max_cell : 32767 * 3;
    snprintf(x.max_cell_text, sizeof x.max_cell_text, "%zu", x.max_cell);
    zip_error_init(&ze);
    if (!(src = zip_source_buffer_create(buf, len, 0, &ze)) ||
        !(x.z = zip_open_from_source(src, ZIP_RDONLY, &ze))) {
        st = bh_fail(err, BH_INVALID_ARGUMENT, "file", "不是有效的xlsx文件（zip格式错误：%s）",
                     zip_error_strerror(&ze));
        if (src)
            zip_source_free(src);
        zip_error_fini(&ze);
        return st;
    }
    zip_error_fini(&ze);

    st = parse_part(&x, "xl/workbook.xml", "工作簿（xl/workbook.xml）", wb_start, ignore_end,
                    ignore_chars, 16 << 20);
    if (st == BH_NOT_FOUND)
        st = bh_fail(err, BH_INVALID_ARGUMENT, "file", "不是xlsx工作簿：缺少 xl/workbook.xml");
    if (st)
        goto out;
    st = parse_part(&x, "xl/_rels/workbook.xml.rels", "工作簿关系（workbook.xml.rels）", rels_start,
                    ignore_end, ignore_chars, 16 << 20);
    if (st && st != BH_NOT_FOUND)
        goto out;
    if (x.nsheets == 0) {
        st = bh_fail(err, BH_INVALID_ARGUMENT, "file", "工作簿中没有工作表");
        goto out;
    }
    for (int i = 0; i < x.nsheets; i++)
        if (!o || !o->sheet || strcmp(o->sheet, x.sheets[i].name) == 0) {
            sh = &x.sheets[i];
            break;
        }
    if (!sh) {
        char names[256] = "";
        for (int i = 0; i < x.nsheets && strlen(names) < 200; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s“%s”", i ? "、" : "",
                     x.sheets[i].name);
        st = bh_fail(err, BH_INVALID_ARGUMENT, "sheet", "没有名为“%s”的工作表（有：%s）", o->sheet,
                     names);
        goto out;
    }
    if (!sh->part) {
        st = bh_fail(err, BH_INVALID_ARGUMENT, "file", "工作表“%s”在工作簿关系中找不到（xlsx文件损坏）",
                     sh->name);
        goto out;
    }
    st = parse_part(&x, "xl/sharedStrings.xml", "共享字符串表（sharedStrings.xml）", sst_start, sst_end,
                    text_chars, 0);
    if (st && st != BH_NOT_FOUND)
        goto out;
    st = parse_part(&x, "xl/styles.xml", "样式表（styles.xml）", styles_start, styles_end,
                    ignore_chars, 64 << 20);
    if (st && st != BH_NOT_FOUND)
        goto out;
    x.sheet = sh->name;
    x.in_t = x.in_v = false;
    x.rph_depth = 0;
    st = read_sheet_threaded(&x, sh->part, sh->name, fn, ctx, err);
    if (st == BH_NOT_FOUND)
        st = bh_fail(err, BH_INVALID_ARGUMENT, "file", "工作表“%s”的内容（%s）不在文件中", sh->name, sh->part);
out:
    xr_free(&x);
    return st;
}
