/*
 * report.c - report content and template expansion (see report.h).
 */
#include "core/report.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/numfmt.h"
#include "util/dynbuf.h"
#include "util/xmalloc.h"

#define TEXT_MAX 4096 /* bytes of one expanded clause or heading */

/* ---- figures ---- */

static void *grow(arena_t *a, void *old, int n, int *cap, size_t size)
{
    if (n < *cap)
        return old;
    int ncap = *cap ? *cap * 2 : 16;
    void *p = arena_alloc_array(a, (size_t)ncap, size);
    if (old)
        memcpy(p, old, (size_t)n * size);
    *cap = ncap;
    return p;
}

static rpt_value_t *put(rpt_data_t *d, arena_t *a, const char *key, rpt_value_kind_t kind)
{
    d->values = grow(a, d->values, d->nvalues, &d->cap_values, sizeof *d->values);
    rpt_value_t *v = &d->values[d->nvalues++];
    memset(v, 0, sizeof *v);
    v->key = arena_strdup(a, key);
    v->kind = kind;
    return v;
}

void rpt_set_count(rpt_data_t *d, arena_t *a, const char *key, int64_t n)
{
    put(d, a, key, RV_COUNT)->n = n;
}

void rpt_set_count_at_least(rpt_data_t *d, arena_t *a, const char *key, int64_t n)
{
    rpt_value_t *v = put(d, a, key, RV_COUNT);
    v->n = n;
    v->at_least = true;
}

void rpt_set_quantity(rpt_data_t *d, arena_t *a, const char *key, double x, const char *measure)
{
    rpt_value_t *v = put(d, a, key, RV_QUANTITY);
    v->x = x;
    v->measure = arena_strdup(a, measure);
    v->missing = !isfinite(x);
}

void rpt_set_amount(rpt_data_t *d, arena_t *a, const char *key, double x, const char *unit)
{
    rpt_value_t *v = put(d, a, key, RV_AMOUNT);
    v->x = x;
    v->measure = arena_strdup(a, unit);
    v->missing = !isfinite(x);
}

void rpt_set_rate(rpt_data_t *d, arena_t *a, const char *key, int64_t num, int64_t den)
{
    rpt_value_t *v = put(d, a, key, RV_RATE);
    v->num = num;
    v->den = den;
    v->missing = den <= 0;
}

void rpt_set_frac(rpt_data_t *d, arena_t *a, const char *key, bool defined, double frac)
{
    rpt_value_t *v = put(d, a, key, RV_RATE);
    v->x = frac;
    v->missing = !defined || !isfinite(frac);
}

void rpt_set_change(rpt_data_t *d, arena_t *a, const char *key, bool defined, double cur,
                    double base)
{
    rpt_value_t *v = put(d, a, key, RV_CHANGE);
    v->x = cur;
    v->base = base;
    v->missing = !defined || base == 0 || !isfinite(cur) || !isfinite(base);
}

void rpt_set_points(rpt_data_t *d, arena_t *a, const char *key, bool defined, double delta)
{
    rpt_value_t *v = put(d, a, key, RV_POINTS);
    v->x = delta;
    v->missing = !defined || !isfinite(delta);
}

void rpt_set_rank(rpt_data_t *d, arena_t *a, const char *key, int rank)
{
    rpt_value_t *v = put(d, a, key, RV_RANK);
    v->n = rank;
    v->missing = rank <= 0;
}

void rpt_set_text(rpt_data_t *d, arena_t *a, const char *key, const char *text)
{
    rpt_value_t *v = put(d, a, key, RV_TEXT);
    v->text = arena_strdup(a, text);
    v->missing = !text || !*text;
}

void rpt_add_table(rpt_data_t *d, arena_t *a, rpt_table_t *t)
{
    d->tables = grow(a, d->tables, d->ntables, &d->cap_tables, sizeof *d->tables);
    d->tables[d->ntables++] = t;
}

void rpt_add_chart(rpt_data_t *d, arena_t *a, rpt_chart_t *c)
{
    d->charts = grow(a, d->charts, d->ncharts, &d->cap_charts, sizeof *d->charts);
    d->charts[d->ncharts++] = c;
}

void rpt_add_list(rpt_data_t *d, arena_t *a, const char *name, const char **items, int n)
{
    d->lists = grow(a, d->lists, d->nlists, &d->cap_lists, sizeof *d->lists);
    d->lists[d->nlists++] = (rpt_list_t){arena_strdup(a, name), items, n};
}

const rpt_value_t *rpt_value(const rpt_data_t *d, const char *key)
{
    for (int i = d->nvalues - 1; i >= 0; i--)
        if (strcmp(d->values[i].key, key) == 0)
            return &d->values[i];
    return NULL;
}

static const rpt_table_t *table_named(const rpt_data_t *d, const char *name)
{
    for (int i = d->ntables - 1; i >= 0; i--)
        if (strcmp(d->tables[i]->name, name) == 0)
            return d->tables[i];
    return NULL;
}

static const rpt_chart_t *chart_named(const rpt_data_t *d, const char *name)
{
    for (int i = d->ncharts - 1; i >= 0; i--)
        if (strcmp(d->charts[i]->name, name) == 0)
            return d->charts[i];
    return NULL;
}

static const rpt_list_t *list_named(const rpt_data_t *d, const char *name)
{
    for (int i = d->nlists - 1; i >= 0; i--)
        if (strcmp(d->lists[i].name, name) == 0)
            return &d->lists[i];
    return NULL;
}

rpt_table_t *rpt_table_new(arena_t *a, const char *name, const char *caption, int ncols,
                           int nrows)
{
    rpt_table_t *t = arena_zalloc(a, sizeof *t);
    t->name = arena_strdup(a, name);
    t->caption = arena_strdup(a, caption);
    t->ncols = ncols;
    t->nrows = nrows;
    t->head = arena_alloc_array(a, (size_t)ncols, sizeof *t->head);
    t->numeric = arena_alloc_array(a, (size_t)ncols, sizeof *t->numeric);
    t->cells = arena_alloc_array(a, (size_t)ncols * (size_t)(nrows ? nrows : 1),
                                 sizeof *t->cells);
    for (int c = 0; c < ncols; c++) {
        t->head[c] = "";
        t->numeric[c] = false;
    }
    for (int i = 0; i < ncols * nrows; i++)
        t->cells[i] = "";
    return t;
}

void rpt_cell(rpt_table_t *t, int row, int col, const char *text)
{
    if (row >= 0 && row < t->nrows && col >= 0 && col < t->ncols)
        t->cells[row * t->ncols + col] = text ? text : "";
}

const char *rpt_cell_at(const rpt_table_t *t, int row, int col)
{
    return t->cells[row * t->ncols + col];
}

rpt_chart_t *rpt_chart_new(arena_t *a, const char *name, const char *title,
                           rpt_chart_kind_t kind, const char *unit, int nseries, int nlabels)
{
    rpt_chart_t *c = arena_zalloc(a, sizeof *c);
    c->name = arena_strdup(a, name);
    c->title = arena_strdup(a, title);
    c->kind = kind;
    c->unit = arena_strdup(a, unit);
    c->nseries = nseries;
    c->nlabels = nlabels;
    c->labels = arena_alloc_array(a, (size_t)(nlabels ? nlabels : 1), sizeof *c->labels);
    c->series = arena_alloc_array(a, (size_t)(nseries ? nseries : 1), sizeof *c->series);
    c->values = arena_alloc_array(a, (size_t)(nseries > 0 && nlabels > 0 ? nseries * nlabels : 1),
                                  sizeof *c->values);
    for (int i = 0; i < nlabels; i++)
        c->labels[i] = "";
    for (int i = 0; i < nseries; i++)
        c->series[i] = "";
    for (int i = 0; i < nseries * nlabels; i++)
        c->values[i] = NAN;
    return c;
}

bool rpt_format(const rpt_value_t *v, const char *arg, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!v || v->missing)
        return false;
    int decimals = arg && *arg >= '0' && *arg <= '4' && !arg[1] ? *arg - '0' : 2;
    char cn[16];
    switch (v->kind) {
    case RV_COUNT:
        if (v->n == 0)
            return false;
        nf_count(v->n, arg, buf, size);
        if (v->at_least && strlen(buf) + sizeof "以上" <= size)
            strcat(buf, "以上");
        return true;
    case RV_QUANTITY:
        if (v->x == 0)
            return false;
        nf_quantity(v->x, arg ? arg : v->measure, buf, size);
        return true;
    case RV_AMOUNT:
        if (v->x == 0)
            return false;
        nf_amount(v->x, v->measure, buf, size);
        return true;
    case RV_RATE:
        if (v->den > 0)
            nf_rate_parts(v->num, v->den, decimals, buf, size);
        else
            nf_rate(v->x, decimals, buf, size);
        return true;
    case RV_CHANGE:
        return nf_change(v->x, v->base, buf, size);
    case RV_POINTS:
        nf_points(v->x, buf, size);
        return true;
    case RV_RANK:
        if (arg && strcmp(arg, "cn") == 0)
            snprintf(buf, size, "第%s", nf_chinese((int)v->n, cn, sizeof cn));
        else
            snprintf(buf, size, "第%d", (int)v->n);
        return true;
    case RV_TEXT:
        snprintf(buf, size, "%s", v->text);
        return true;
    }
    return false;
}

/* ---- expanding text ---- */

/* Append n bytes of s to buf (len so far), cut at a character boundary
 * when they do not fit with the NUL. */
static void append(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
    if (*len + n >= size) {
        n = size - 1 - *len;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* s[n] would start the cut: never half a character */
    }
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = '\0';
}

bool rpt_expand_text(const char *text, const rpt_data_t *d, char *buf, size_t size)
{
    size_t len = 0;
    bool ok = true;
    buf[0] = '\0';
    for (const char *p = text; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (!close) {
            const char *next = strchr(p + 1, '{');
            size_t n = next ? (size_t)(next - p) : strlen(p);
            append(buf, size, &len, p, n);
            p += n;
            continue;
        }
        char key[128];
        size_t klen = (size_t)(close - p - 1);
        if (klen >= sizeof key)
            klen = sizeof key - 1;
        memcpy(key, p + 1, klen);
        key[klen] = '\0';
        char *bar = strchr(key, '|');
        if (bar)
            *bar++ = '\0';
        const rpt_value_t *v = rpt_value(d, key);
        if (v && v->kind == RV_TEXT && !v->missing) { /* any length, as it is */
            append(buf, size, &len, v->text, strlen(v->text));
        } else {
            char val[NF_MAX * 4];
            if (!rpt_format(v, bar, val, sizeof val))
                ok = false;
            append(buf, size, &len, val, strlen(val));
        }
        p = close + 1;
    }
    return ok;
}

/* ---- templates ---- */

struct rpt_template {
    json_t *root;
};

#define WHERE 256 /* bytes of a place in a template: "body[2].body[0].p[1][3]" */

/* where + suffix as a new place (cut if deep beyond reason). */
__attribute__((format(printf, 3, 4))) static void place(char out[WHERE], const char *where,
                                                        const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(out, WHERE, "%s", where);
    if (n < 0 || n >= WHERE)
        return;
    va_start(ap, fmt);
    vsnprintf(out + n, WHERE - (size_t)n, fmt, ap);
    va_end(ap);
}

static bh_status_t bad(bh_err_t *err, const char *where, const char *what)
{
    return bh_fail(err, BH_INVALID_ARGUMENT, where, "报告模板 %s：%s", where, what);
}

static bool only(json_t *o, const char *const *keys, const char **extra)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        bool known = false;
        for (int i = 0; keys[i] && !known; i++)
            known = strcmp(keys[i], k) == 0;
        if (!known) {
            *extra = k;
            return false;
        }
    }
    return true;
}

/* Placeholders close, name no empty key. */
static bh_status_t check_text(json_t *s, const char *where, bh_err_t *err)
{
    if (!json_is_string(s))
        return bad(err, where, "应为文字");
    const char *t = json_string_value(s);
    if (strlen(t) > TEXT_MAX / 2)
        return bad(err, where, "文字过长");
    for (const char *p = strchr(t, '{'); p; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        if (!close || close == p + 1 || memchr(p + 1, '{', (size_t)(close - p - 1)))
            return bad(err, where, "占位符 {…} 不完整");
        if (close - p - 1 >= 127)
            return bad(err, where, "占位符过长");
    }
    return BH_OK;
}

static bh_status_t check_clause(json_t *c, const char *where, bh_err_t *err)
{
    if (json_is_string(c))
        return check_text(c, where, err);
    if (!json_is_object(c))
        return bad(err, where, "应为文字或 {\"text\", \"else\"}");
    static const char *const keys[] = {"text", "else", NULL};
    const char *extra;
    if (!only(c, keys, &extra))
        return bh_fail(err, BH_INVALID_ARGUMENT, where, "报告模板 %s：未知字段 %s", where, extra);
    char w[WHERE];
    place(w, where, ".text");
    bh_status_t st = check_text(json_object_get(c, "text"), w, err);
    if (st == BH_OK && json_object_get(c, "else")) {
        place(w, where, ".else");
        st = check_text(json_object_get(c, "else"), w, err);
    }
    return st;
}

static bh_status_t check_body(json_t *body, const char *where, int depth, bh_err_t *err);

static bh_status_t check_block(json_t *b, const char *where, int depth, bh_err_t *err)
{
    static const char *const keys[] = {"h", "body", "keep", "p", "list", "lead", "else",
                                       "table", "chart", "annex", NULL};
    char w[WHERE];
    const char *extra;
    bh_status_t st = BH_OK;
    if (!json_is_object(b))
        return bad(err, where, "应为对象");
    if (!only(b, keys, &extra))
        return bh_fail(err, BH_INVALID_ARGUMENT, where, "报告模板 %s：未知字段 %s", where, extra);
    int kinds = !!json_object_get(b, "h") + !!json_object_get(b, "p") +
                !!json_object_get(b, "list") + !!json_object_get(b, "table") +
                !!json_object_get(b, "chart");
    if (kinds != 1)
        return bad(err, where, "须且只须有 h、p、list、table、chart 之一");
    if (json_object_get(b, "h")) {
        if (depth > 4)
            return bad(err, where, "标题至多四级");
        place(w, where, ".h");
        if ((st = check_text(json_object_get(b, "h"), w, err)) != BH_OK)
            return st;
        json_t *keep = json_object_get(b, "keep");
        if (keep && !json_is_boolean(keep))
            return bad(err, where, "keep 应为 true 或 false");
        place(w, where, ".body");
        return check_body(json_object_get(b, "body"), w, depth + 1, err);
    }
    if (json_object_get(b, "body") || json_object_get(b, "keep"))
        return bad(err, where, "body、keep 只用于标题 h");
    if (json_object_get(b, "annex") && !json_object_get(b, "table"))
        return bad(err, where, "annex 只用于 table，应为 true 或 false");
    if (json_object_get(b, "p")) {
        json_t *p = json_object_get(b, "p"), *s, *c;
        size_t i, j;
        if (!json_is_array(p) || json_array_size(p) == 0)
            return bad(err, where, "p 应为句子的数组");
        json_array_foreach(p, i, s) {
            place(w, where, ".p[%zu]", i);
            if (json_is_array(s)) {
                if (json_array_size(s) == 0)
                    return bad(err, w, "句子至少有一个分句");
                json_array_foreach(s, j, c) {
                    char wc[WHERE];
                    place(wc, w, "[%zu]", j);
                    if ((st = check_clause(c, wc, err)) != BH_OK)
                        return st;
                }
            } else if ((st = check_text(s, w, err)) != BH_OK) {
                return st;
            }
        }
        return BH_OK;
    }
    const char *name = json_object_get(b, "list") ? "list"
                       : json_object_get(b, "table") ? "table" : "chart";
    if (!json_is_string(json_object_get(b, name)))
        return bad(err, where, "应为数据的名称");
    if (strcmp(name, "list") != 0 && (json_object_get(b, "lead") || json_object_get(b, "else")))
        return bad(err, where, "lead、else 只用于 list");
    if (json_object_get(b, "annex") &&
        (strcmp(name, "table") != 0 || !json_is_boolean(json_object_get(b, "annex"))))
        return bad(err, where, "annex 只用于 table，应为 true 或 false");
    if (json_object_get(b, "lead")) {
        place(w, where, ".lead");
        if ((st = check_text(json_object_get(b, "lead"), w, err)) != BH_OK)
            return st;
    }
    if (json_object_get(b, "else")) {
        place(w, where, ".else");
        st = check_text(json_object_get(b, "else"), w, err);
    }
    return st;
}

static bh_status_t check_body(json_t *body, const char *where, int depth, bh_err_t *err)
{
    json_t *b;
    size_t i;
    if (!json_is_array(body))
        return bad(err, where, "应为数组");
    json_array_foreach(body, i, b) {
        char w[WHERE];
        place(w, where, "[%zu]", i);
        bh_status_t st = check_block(b, w, depth, err);
        if (st != BH_OK)
            return st;
    }
    return BH_OK;
}

bh_status_t rpt_template_parse(const char *json, size_t len, rpt_template_t **out,
                               bh_err_t *err)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    *out = NULL;
    if (!root)
        return bh_fail(err, BH_INVALID_ARGUMENT, NULL, "报告模板不是有效的 JSON（第 %d 行）：%s", je.line,
                       je.text);
    static const char *const keys[] = {"kind", "name", "title", "body", "sign", NULL};
    const char *extra, *kind = json_string_value(json_object_get(root, "kind"));
    bh_status_t st = BH_OK;
    json_t *sign = json_object_get(root, "sign"), *s;
    size_t i;
    if (!json_is_object(root))
        st = bad(err, "", "应为对象");
    else if (!only(root, keys, &extra))
        st = bh_fail(err, BH_INVALID_ARGUMENT, extra, "报告模板：未知字段 %s", extra);
    else if (!kind || (strcmp(kind, "summary") != 0 && strcmp(kind, "bulletin") != 0))
        st = bad(err, "kind", "应为 summary 或 bulletin");
    else if (!json_is_string(json_object_get(root, "name")))
        st = bad(err, "name", "应为模板名称");
    else if ((st = check_text(json_object_get(root, "title"), "title", err)) != BH_OK)
        ;
    else if ((st = check_body(json_object_get(root, "body"), "body", 1, err)) != BH_OK)
        ;
    else if (sign && !json_is_array(sign))
        st = bad(err, "sign", "应为文字的数组");
    else {
        json_array_foreach(sign, i, s) {
            char w[32];
            snprintf(w, sizeof w, "sign[%zu]", i);
            if ((st = check_text(s, w, err)) != BH_OK)
                break;
        }
    }
    if (st != BH_OK) {
        json_decref(root);
        return st;
    }
    *out = xmalloc(sizeof **out);
    (*out)->root = root;
    return BH_OK;
}

void rpt_template_free(rpt_template_t *t)
{
    if (t) {
        json_decref(t->root);
        free(t);
    }
}

const char *rpt_template_kind(const rpt_template_t *t)
{
    return json_string_value(json_object_get(t->root, "kind"));
}

const char *rpt_template_name(const rpt_template_t *t)
{
    return json_string_value(json_object_get(t->root, "name"));
}

extern const char bh_data_report_summary[];
extern const size_t bh_data_report_summary_len;
extern const char bh_data_report_bulletin[];
extern const size_t bh_data_report_bulletin_len;

const char *rpt_template_builtin(const char *kind, size_t *len)
{
    if (kind && strcmp(kind, "summary") == 0) {
        *len = bh_data_report_summary_len;
        return bh_data_report_summary;
    }
    if (kind && strcmp(kind, "bulletin") == 0) {
        *len = bh_data_report_bulletin_len;
        return bh_data_report_bulletin;
    }
    *len = 0;
    return NULL;
}

/* ---- expansion ---- */

typedef struct {
    const rpt_data_t *d;
    arena_t *a;
    rpt_doc_t *doc;
    int ntables, ncharts, nannex; /* numbered in the order they appear: 表1, 图1, 附表1 */
} exp_t;

static rpt_block_t *emit(exp_t *x, rpt_block_kind_t kind, const char *text)
{
    rpt_doc_t *doc = x->doc;
    doc->blocks = grow(x->a, doc->blocks, doc->n, &doc->cap, sizeof *doc->blocks);
    rpt_block_t *b = &doc->blocks[doc->n++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->text = text;
    return b;
}

/* "text" with its placeholders, or (when one is missing) "else" if given;
 * NULL when neither can be said. */
static bool clause(exp_t *x, json_t *c, char *buf, size_t size)
{
    json_t *text = json_is_string(c) ? c : json_object_get(c, "text");
    json_t *alt = json_is_object(c) ? json_object_get(c, "else") : NULL;
    if (rpt_expand_text(json_string_value(text), x->d, buf, size))
        return true;
    return alt && rpt_expand_text(json_string_value(alt), x->d, buf, size);
}

static bool ends_sentence(const char *s)
{
    static const char *const ends[] = {"。", "：", "！", "？", "；", NULL};
    size_t n = strlen(s);
    for (int i = 0; ends[i]; i++) {
        size_t k = strlen(ends[i]);
        if (n >= k && memcmp(s + n - k, ends[i], k) == 0)
            return true;
    }
    return false;
}

static void sentence(exp_t *x, json_t *s, dynbuf_t *para)
{
    char buf[TEXT_MAX];
    size_t start = para->len;
    if (!json_is_array(s)) {
        if (clause(x, s, buf, sizeof buf) && *buf)
            dynbuf_addstr(para, buf); /* as written: no "。" added */
        return;
    } else {
        json_t *c;
        size_t i;
        json_array_foreach(s, i, c) {
            if (!clause(x, c, buf, sizeof buf) || !*buf) {
                if (i == 0)
                    return; /* no subject: no sentence */
                continue;
            }
            if (para->len > start)
                dynbuf_addstr(para, "，");
            dynbuf_addstr(para, buf);
        }
    }
    if (para->len > start && !ends_sentence(para->buf))
        dynbuf_addstr(para, "。");
}

/* 一是…；二是…。 */
static void list(exp_t *x, json_t *b, dynbuf_t *para)
{
    const rpt_list_t *l = list_named(x->d, json_string_value(json_object_get(b, "list")));
    char buf[TEXT_MAX];
    if (!l || l->n == 0) {
        json_t *alt = json_object_get(b, "else");
        if (alt && rpt_expand_text(json_string_value(alt), x->d, buf, sizeof buf) && *buf) {
            dynbuf_addstr(para, buf);
            if (!ends_sentence(para->buf))
                dynbuf_addstr(para, "。");
        }
        return;
    }
    json_t *lead = json_object_get(b, "lead");
    if (lead && rpt_expand_text(json_string_value(lead), x->d, buf, sizeof buf))
        dynbuf_addstr(para, buf);
    for (int i = 0; i < l->n; i++) {
        char cn[16];
        size_t n = strlen(l->items[i]);
        /* an item's own closing "。" gives way to the list's "；" */
        if (n >= 3 && strcmp(l->items[i] + n - 3, "。") == 0)
            n -= 3;
        dynbuf_addstr(para, l->n > 1 ? nf_chinese(i + 1, cn, sizeof cn) : "");
        dynbuf_addstr(para, l->n > 1 ? "是" : "");
        dynbuf_add(para, l->items[i], n);
        dynbuf_addstr(para, i + 1 < l->n ? "；" : "。");
    }
}

static void body(exp_t *x, json_t *blocks, int level);

static void block(exp_t *x, json_t *b, int level, int *nheadings)
{
    char buf[TEXT_MAX];
    if (json_object_get(b, "h")) {
        int before = x->doc->n;
        rpt_expand_text(json_string_value(json_object_get(b, "h")), x->d, buf, sizeof buf);
        rpt_block_t *h = emit(x, RB_HEADING, arena_strdup(x->a, buf));
        h->level = level;
        body(x, json_object_get(b, "body"), level + 1);
        bool printed = false; /* anything under it in the printed formats */
        for (int i = before + 1; i < x->doc->n && !printed; i++)
            printed = !x->doc->blocks[i].annex;
        if (!printed && !json_is_true(json_object_get(b, "keep"))) {
            /* nothing under it: the heading goes (an annex table stays) */
            memmove(&x->doc->blocks[before], &x->doc->blocks[before + 1],
                    (size_t)(x->doc->n - before - 1) * sizeof *x->doc->blocks);
            x->doc->n--;
            return;
        }
        nf_section(level, ++*nheadings, buf, sizeof buf);
        x->doc->blocks[before].number = arena_strdup(x->a, buf);
        return;
    }
    if (json_object_get(b, "table")) {
        const rpt_table_t *t = table_named(x->d, json_string_value(json_object_get(b, "table")));
        bool annex = json_is_true(json_object_get(b, "annex"));
        if (t && t->nrows > 0) {
            /* an annex table is numbered apart: 附表1 (the printed ones stay 表1, 表2 …) */
            rpt_block_t *k = emit(x, RB_TABLE, annex ? arena_printf(x->a, "附表%d %s", ++x->nannex, t->caption)
                                                     : arena_printf(x->a, "表%d %s", ++x->ntables, t->caption));
            k->table = t;
            k->annex = annex;
        }
        return;
    }
    if (json_object_get(b, "chart")) {
        const rpt_chart_t *c = chart_named(x->d, json_string_value(json_object_get(b, "chart")));
        if (c && c->nlabels > 0 && c->nseries > 0)
            emit(x, RB_CHART, arena_printf(x->a, "图%d %s", ++x->ncharts, c->title))->chart = c;
        return;
    }
    dynbuf_t para;
    dynbuf_init(&para, 1 << 20);
    if (json_object_get(b, "list")) {
        list(x, b, &para);
    } else {
        json_t *s;
        size_t i;
        json_array_foreach(json_object_get(b, "p"), i, s)
            sentence(x, s, &para);
    }
    if (para.len > 0)
        emit(x, RB_PARA, arena_strndup(x->a, para.buf, para.len));
    dynbuf_free(&para);
}

static void body(exp_t *x, json_t *blocks, int level)
{
    json_t *b;
    size_t i;
    int nheadings = 0;
    json_array_foreach(blocks, i, b)
        block(x, b, level, &nheadings);
}

void rpt_expand(const rpt_template_t *t, const rpt_data_t *d, arena_t *a, rpt_doc_t *out)
{
    char buf[TEXT_MAX];
    exp_t x = {d, a, out, 0, 0, 0};
    json_t *s;
    size_t i;
    memset(out, 0, sizeof *out);
    out->kind = arena_strdup(a, rpt_template_kind(t));
    rpt_expand_text(json_string_value(json_object_get(t->root, "title")), d, buf, sizeof buf);
    out->title = arena_strdup(a, buf);
    emit(&x, RB_TITLE, out->title);
    body(&x, json_object_get(t->root, "body"), 1);
    json_array_foreach(json_object_get(t->root, "sign"), i, s) {
        if (rpt_expand_text(json_string_value(s), d, buf, sizeof buf) && *buf)
            emit(&x, RB_SIGN, arena_strdup(a, buf));
    }
}
