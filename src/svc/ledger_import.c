/*
 * ledger_import.c - importing a ledger: the file read in passes, each row
 * through the service call the API uses, written in chunks with a
 * checkpoint so that other writers go on and a cut-short import resumes.
 */
#include "svc/ledger_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/object.h"
#include "util/xmalloc.h"

/* The identifier for a cell (identifier or label); NULL if neither. */
static const char *enum_parse(const enum_t *e, const char *cell)
{
    for (int i = 0; e->values[i]; i++)
        if (strcmp(cell, e->values[i]) == 0 || strcmp(cell, e->label(e->values[i])) == 0)
            return e->values[i];
    return NULL;
}

/* "可选：区县(district)、街道(street)…" for error messages. */
static const char *enum_choices(const enum_t *e, arena_t *a)
{
    char buf[512] = "";
    for (int i = 0; e->values[i]; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s(%s)", i ? "、" : "",
                 e->label(e->values[i]), e->values[i]);
    return arena_strdup(a, buf);
}

/* 启用/停用 and friends; -1 when it is none of them.  Empty is active. */
static int parse_active(const char *v)
{
    static const char *const yes[] = {"启用", "是", "1", "true", "TRUE", "有效", "正常"};
    static const char *const no[] = {"停用", "否", "0", "false", "FALSE", "无效", "注销"};
    if (!v)
        return 1;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcmp(v, yes[i]) == 0)
            return 1;
        if (strcmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

/*
 * An import walks the file in passes:
 *   PASS_READ   the file alone (no store): its header, and that it reads
 *               to the end, before anything is written;
 *   PASS_CHECK  every row written as it would be, in chunks whose
 *               transactions are rolled back;
 *   PASS_WRITE  every row written, in chunks each committed together with
 *               the import's checkpoint (db_import_t).
 * A dry run is CHECK; skip_bad is READ then WRITE; otherwise CHECK then
 * WRITE, and WRITE only when CHECK found no bad row.  A chunk is at most
 * chunk_rows rows (or LEDGER_CHUNK_BYTES of cells) and holds the writer
 * for at most about LEDGER_CHUNK_MS, so other writers - logins, case
 * reports - wait for one chunk, never for the whole file.
 * A run cut short (a crash, kill -9) leaves its committed chunks and the
 * checkpoint: the same file imported again by the same user goes on
 * after the rows already settled instead of writing them twice.
 */
enum { PASS_READ, PASS_CHECK, PASS_WRITE };

#define LEDGER_CHUNK_BYTES ((size_t)16 << 20)

struct imp {
    svc_t *s;
    const svc_user_t *u;
    ledger_kind_t kind;
    const ledger_opts_t *o;
    ledger_result_t *res;
    const col_t *cols;
    int ncols;
    int map[TAB_MAX_COLS]; /* file column -> cols index, -1 ignored */
    int where[32];         /* cols index -> file column, -1 absent */
    int nfile;
    bool header_done;
    long header_row;
    db_conn_t *c;          /* inside a transaction: the writer */
    arena_t *a;            /* per row */
    const void *buf;
    size_t len;
    json_t *features;      /* geometries: the FeatureCollection's features */
    double last_progress;
    arena_t *keep;         /* for the whole import: the entries in force (targets, actuals) */
    bool loaded;
    db_target_t *targets;
    db_actual_t *actuals;
    int nentries;
    char **codes;          /* objects: the codes the file's new rows carry, this pass */
    size_t ncodes, capcodes;
    arena_t *keep_codes;
    /* passes and chunks */
    int pass;
    bh_status_t (*process)(struct imp *x, const tab_row_t *r, bh_err_t *err);
    long chunk_rows;
    arena_t *ca;           /* the chunk's rows */
    tab_row_t *rows;
    int nrows, cap;
    size_t chunk_bytes;
    int next;              /* the next buffered row to run */
    bool last;             /* the buffered rows end the pass */
    bool rolled;           /* a CHECK transaction got to its end (and is rolled back) */
    long skip;             /* data rows an earlier run of the file settled */
    db_import_t mark;      /* the checkpoint */
    int64_t expect;        /* its rows_done as committed, -1: none yet */
    dt_ms_t expect_at;     /* none yet: the 'at' of the finished one this run replaces, 0: none */
    bool marked;           /* the chunk's transaction moved the checkpoint */
    long committed;        /* data rows settled in committed chunks, this run's and earlier */
};

typedef bh_status_t (*row_fn)(struct imp *x, const char *const *v, bh_err_t *err);

static void add_bad(struct imp *x, const char *sheet, long row, int fcol, const char *reason)
{
    ledger_bad_t *b;
    x->res->bad++;
    if (x->res->nbads >= LEDGER_MAX_LISTED)
        return;
    if (!x->res->bads)
        x->res->bads = xcalloc(LEDGER_MAX_LISTED, sizeof *x->res->bads);
    b = &x->res->bads[x->res->nbads++];
    snprintf(b->sheet, sizeof b->sheet, "%s", sheet ? sheet : "");
    b->row = row;
    if (fcol >= 0) {
        tab_col_name(fcol, b->col);
        if (fcol < x->nfile && x->map[fcol] >= 0)
            snprintf(b->column, sizeof b->column, "%s", x->cols[x->map[fcol]].label);
    }
    snprintf(b->reason, sizeof b->reason, "%s", reason);
}

/* Trim ASCII white space and the ideographic space U+3000 at both ends. */
static char *trim(arena_t *a, const char *s)
{
    size_t n;
    for (;;) {
        if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
            s++;
        else if (strncmp(s, "\xE3\x80\x80", 3) == 0)
            s += 3;
        else
            break;
    }
    n = strlen(s);
    for (;;) {
        if (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
            n--;
        else if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0)
            n -= 3;
        else
            break;
    }
    return arena_strndup(a, s, n);
}

static bh_status_t header(struct imp *x, const tab_row_t *r, bh_err_t *err)
{
    char missing[256] = "", col[8];
    x->nfile = r->ncells;
    for (int i = 0; i < x->ncols; i++)
        x->where[i] = -1;
    for (int f = 0; f < r->ncells; f++) {
        char *h = trim(x->a, r->cells[f]);
        size_t n = strlen(h);
        x->map[f] = -1;
        while (n && h[n - 1] == '*') /* "编码*" marks a required column in templates */
            h[--n] = 0;
        if (!*h)
            continue;
        for (int i = 0; i < x->ncols; i++)
            if (strcmp(h, x->cols[i].key) == 0 || strcmp(h, x->cols[i].label) == 0) {
                if (x->where[i] >= 0)
                    return bh_fail(err, BH_INVALID_ARGUMENT, "file", "%s%s第%ld行%s列：列“%s”重复",
                                   *r->sheet ? "工作表“" : "", *r->sheet ? r->sheet : "", r->row,
                                   tab_col_name(f, col), h);
                x->map[f] = i;
                x->where[i] = f;
            }
        if (x->map[f] < 0) {
            char known[600] = "";
            for (int i = 0; i < x->ncols; i++)
                if (!(x->cols[i].flags & C_OUT))
                    snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                             *known ? "、" : "", x->cols[i].label);
            return bh_fail(err, BH_INVALID_ARGUMENT, "file", "第%ld行%s列：未知的列“%s”（%s台账的列：%s）",
                           r->row, tab_col_name(f, col), h, ledger_kinds[x->kind].label, known);
        }
    }
    for (int i = 0; i < x->ncols; i++)
        if ((x->cols[i].flags & C_REQ) && x->where[i] < 0)
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s（%s）",
                     *missing ? "、" : "", x->cols[i].label, x->cols[i].key);
    if (*missing)
        return bh_fail(err, BH_INVALID_ARGUMENT, "file", "第%ld行（表头）缺少必需的列：%s", r->row,
                       missing);
    x->header_done = true;
    x->header_row = r->row;
    return BH_OK;
}

static const char *const pass_names[] = {"读取", "检查", "写入"};

static void progress(struct imp *x, double frac)
{
    if (x->o->progress && (frac - x->last_progress >= 0.01 || frac >= 1)) {
        x->last_progress = frac;
        x->o->progress(pass_names[x->pass], frac, x->res->rows, x->o->progress_ctx);
    }
}

/*
 * Sort out a row of the file: a blank row (skipped), the header row, or
 * a data row, counted and its progress shown; *data is true for a data
 * row this run must settle (not one an earlier run of the file did).
 */
static bh_status_t classify(struct imp *x, const tab_row_t *r, bool *data, bh_err_t *err)
{
    bool blank = x->kind != LEDGER_GEOMETRIES;

    *data = false;
    arena_reset(x->a);
    for (int f = 0; f < r->ncells && blank; f++)
        blank = !*trim(x->a, r->cells[f]);
    if (blank)
        return BH_OK;
    if (!x->header_done && r->bad) {
        char col[8];
        return bh_fail(err, BH_INVALID_ARGUMENT, "file", "第%ld行（表头）%s列：%s", r->row,
                       tab_col_name(r->bad_col, col), r->bad);
    }
    if (!x->header_done)
        return header(x, r, err);
    x->res->rows++;
    progress(x, r->progress);
    *data = x->res->rows > x->skip;
    return BH_OK;
}

static row_fn row_fns[LEDGER__COUNT];

typedef bh_status_t (*write_fn)(struct imp *x, const void *arg, bh_err_t *err);

/*
 * Write one row with fn.  BH_OK with *bad false: written; BH_OK with *bad
 * true: refused, nothing of it remains, rerr says why; any other status:
 * the import must stop (err says why).
 *
 * Every row runs in its own savepoint.  A case row writes several tables:
 * a real one.  The other kinds write one row (a geometry: its row and
 * R*Tree entry) and then the audit entry: they fail, if at all, before
 * writing, or with an internal error that ends the whole import, so they
 * take the row kind (DB_SP_ROW_*), which SQLite makes free (a savepoint
 * there costs a fifth of an object row) and PostgreSQL real.
 */
static bh_status_t write_row(struct imp *x, write_fn fn, const void *arg, bh_err_t *rerr, bool *bad,
                             bh_err_t *err)
{
    int sp = x->kind == LEDGER_CASES ? DB_SP_BEGIN : DB_SP_ROW_BEGIN;
    bh_status_t st;

    *bad = false;
    bh_err_clear(rerr);
    if (DB(x->c, ops, savepoint, sp))
        return bh_fail(err, BH_INTERNAL, "", "数据库错误");
    st = fn(x, arg, rerr);
    if (st == BH_OK)
        return DB(x->c, ops, savepoint, sp + 1) ? bh_fail(err, BH_INTERNAL, "", "数据库错误") : BH_OK;
    if (DB(x->c, ops, savepoint, sp + 2))
        return bh_fail(err, BH_INTERNAL, "", "数据库错误");
    if (st == BH_INTERNAL || st == BH_UNAVAILABLE) {
        *err = *rerr;
        return st;
    }
    *bad = true;
    return BH_OK;
}

static bh_status_t kind_row(struct imp *x, const void *v, bh_err_t *err)
{
    return row_fns[x->kind](x, v, err);
}

static bh_status_t process_row(struct imp *x, const tab_row_t *r, bh_err_t *err)
{
    const char *v[32];
    bool data, bad;
    bh_err_t rerr;
    bh_status_t st;

    if ((st = classify(x, r, &data, err)) || !data)
        return st;
    if (r->bad) {
        add_bad(x, r->sheet, r->row, r->bad_col, r->bad);
        return BH_OK;
    }
    if (r->ncells > x->nfile) {
        for (int f = x->nfile; f < r->ncells; f++)
            if (*trim(x->a, r->cells[f])) {
                add_bad(x, r->sheet, r->row, f, "这一列没有表头");
                return BH_OK;
            }
    }
    for (int i = 0; i < x->ncols; i++) {
        int f = x->where[i];
        v[i] = NULL;
        if (f >= 0 && f < r->ncells && !(x->cols[i].flags & C_OUT)) {
            char *t = trim(x->a, r->cells[f]);
            v[i] = *t ? t : NULL;
        }
        if ((x->cols[i].flags & C_REQ) && !v[i]) {
            char msg[128];
            snprintf(msg, sizeof msg, "“%s”不能为空", x->cols[i].label);
            add_bad(x, r->sheet, r->row, f, msg);
            return BH_OK;
        }
    }
    if ((st = write_row(x, kind_row, v, &rerr, &bad, err)) || !bad)
        return st;
    {
        int fcol = -1;
        const char *field = strcmp(rerr.field, "location") == 0 ? "lat" : rerr.field;
        size_t flen = strcspn(field, "["); /* line[3] is the line's column */
        for (int i = 0; i < x->ncols; i++)
            if (strlen(x->cols[i].key) == flen && strncmp(field, x->cols[i].key, flen) == 0)
                fcol = x->where[i];
        add_bad(x, r->sheet, r->row, fcol, rerr.message);
    }
    return BH_OK;
}

/* Column values by key (v is indexed like the kind's columns). */
#define V(key) val(x, v, key)
static const char *val(struct imp *x, const char *const *v, const char *key)
{
    for (int i = 0; i < x->ncols; i++)
        if (strcmp(x->cols[i].key, key) == 0)
            return v[i];
    return NULL;
}

static bh_status_t enum_field(struct imp *x, const enum_t *e, const char *cell, const char *field,
                              const char *what, const char **out, bh_err_t *err)
{
    *out = NULL;
    if (!cell)
        return BH_OK;
    if (!(*out = enum_parse(e, cell)))
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "%s“%s”无效（可选：%s）", what, cell,
                       enum_choices(e, x->a));
    return BH_OK;
}

static bh_status_t active_field(const char *cell, bool *out, bh_err_t *err)
{
    int a = parse_active(cell);
    if (a < 0)
        return bh_fail(err, BH_INVALID_ARGUMENT, "active", "状态“%s”无效（可选：启用、停用）", cell);
    *out = a;
    return BH_OK;
}

static bh_status_t number_field(const char *cell, const char *field, const char *what, double lo,
                                double hi, double *out, bh_err_t *err)
{
    char *end;
    *out = strtod(cell, &end);
    if (*end || end == cell || !(*out >= lo && *out <= hi))
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "%s“%s”不是%g到%g之间的数", what, cell, lo, hi);
    return BH_OK;
}

static bh_status_t location(const char *const *v, struct imp *x, bool *has, double *lat,
                            double *lng, bh_err_t *err)
{
    const char *la = V("lat"), *ln = V("lng");
    bh_status_t st;
    *has = la || ln;
    if (!*has)
        return BH_OK;
    if (!la || !ln)
        return bh_fail(err, BH_INVALID_ARGUMENT, la ? "lng" : "lat", "纬度和经度须同时给出");
    if ((st = number_field(la, "lat", "纬度", -90, 90, lat, err)))
        return st;
    return number_field(ln, "lng", "经度", -180, 180, lng, err);
}

static bh_status_t unit_row(struct imp *x, const char *const *v, bh_err_t *err)
{
    db_unit_t u = {V("code"), V("parent"), V("name"), NULL, true}, old;
    bh_status_t st;
    if ((st = enum_field(x, &E_UNIT_TYPE, V("type"), "type", "单位类型", &u.type, err)) ||
        (st = active_field(V("active"), &u.active, err)))
        return st;
    if (DB(x->c, registry, unit_get, u.code, x->a, &old) == BH_OK) {
        if (strcmp(old.type, u.type) != 0 || strcmp(old.parent ? old.parent : "", u.parent ? u.parent : ""))
            return bh_fail(err, BH_CONFLICT, "code",
                           "编码“%s”已存在（%s，类型%s，上级%s），类型或上级不能通过台账修改", u.code,
                           old.name, ledger_enum_label(&E_UNIT_TYPE, old.type), old.parent ? old.parent : "无");
        if (strcmp(old.name, u.name) == 0 && old.active == u.active) {
            x->res->unchanged++;
            return BH_OK;
        }
        x->res->updated++;
        return svc_unit_put_tx(x->c, x->u->username, &u, false, err);
    }
    if ((st = svc_unit_put_tx(x->c, x->u->username, &u, true, err)))
        return st;
    x->res->created++;
    return BH_OK;
}

static size_t code_hash(const char *code)
{
    size_t h = 5381;
    for (const char *p = code; *p; p++)
        h = h * 33 + (unsigned char)*p;
    return h;
}

/* The slot of 'code' in the set of codes the file's rows created (open
 * addressing): where it is, or the empty slot where it would go. */
static size_t code_slot(char *const *codes, size_t cap, const char *code)
{
    size_t i = code_hash(code) & (cap - 1);
    while (codes[i] && strcmp(codes[i], code) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

static bool code_seen(const struct imp *x, const char *code)
{
    return x->capcodes && x->codes[code_slot(x->codes, x->capcodes, code)];
}

static void code_add(struct imp *x, const char *code)
{
    if (x->ncodes * 2 >= x->capcodes) { /* grow at half full */
        size_t cap = x->capcodes ? 2 * x->capcodes : 1024;
        char **grown = xcalloc(cap, sizeof *grown);
        for (size_t j = 0; j < x->capcodes; j++)
            if (x->codes[j])
                grown[code_slot(grown, cap, x->codes[j])] = x->codes[j];
        free(x->codes);
        x->codes = grown;
        x->capcodes = cap;
    }
    x->codes[code_slot(x->codes, x->capcodes, code)] = arena_strdup(x->keep_codes, code);
    x->ncodes++;
}

static bh_status_t object_row(struct imp *x, const char *const *v, bh_err_t *err)
{
    db_object_t o;
    bool create = true;
    const char *id = V("id");
    bh_status_t st;

    memset(&o, 0, sizeof o);
    o.code = V("code");
    o.name = V("name");
    o.grid = V("grid");
    o.address = V("address");
    o.line = V("line"); /* empty: an update keeps the line it has */
    if ((st = enum_field(x, &E_OBJ_KIND, V("kind"), "kind", "对象种类", &o.kind, err)) ||
        (st = enum_field(x, &E_OBJ_TYPE, V("type"), "type", "场所类型", &o.type, err)) ||
        (st = enum_field(x, &E_RISK, V("risk"), "risk", "风险等级", &o.risk, err)) ||
        (st = active_field(V("active"), &o.active, err)) ||
        (st = location(v, x, &o.has_location, &o.lat, &o.lng, err)))
        return st;
    /* A chunk of the check is rolled back before the next one runs, so the
     * store cannot see a code repeated across chunks: the import does. */
    if (o.code && !id && code_seen(x, o.code))
        return bh_fail(err, BH_CONFLICT, "code", "编码“%s”在文件中重复", o.code);
    if (id) {
        char *end;
        db_object_t old;
        o.id = strtoll(id, &end, 10);
        if (*end || o.id <= 0)
            return bh_fail(err, BH_INVALID_ARGUMENT, "id", "系统编号“%s”不是正整数", id);
        if (DB(x->c, registry, object_get, o.id, x->a, &old) != BH_OK)
            return bh_fail(err, BH_NOT_FOUND, "id", "系统编号为 %s 的对象不存在（新对象请留空）", id);
        if (strcmp(old.kind, o.kind) || strcmp(old.grid, o.grid) ||
            strcmp(old.code ? old.code : "", o.code ? o.code : ""))
            return bh_fail(err, BH_CONFLICT, "id", "对象 %s 的种类、编码和所属网格不能修改", id);
        create = false;
    }
    if ((st = svc_object_save_tx(x->c, x->u, &o, create, err)))
        return st;
    if (create && o.code)
        code_add(x, o.code);
    if (create)
        x->res->created++;
    else
        x->res->updated++;
    return BH_OK;
}

static bh_status_t user_row(struct imp *x, const char *const *v, bh_err_t *err)
{
    db_user_t u = {0};
    bool created;
    bh_status_t st;
    u.username = V("username");
    u.display_name = V("display_name");
    u.unit = V("unit");
    u.phone = V("phone");
    if ((st = enum_field(x, &E_ROLE, V("role"), "role", "角色", &u.role, err)) ||
        (st = active_field(V("active"), &u.active, err)) ||
        (st = svc_user_put_tx(x->c, x->u->username, &u, V("password"), &created, err)))
        return st;
    if (created)
        x->res->created++;
    else
        x->res->updated++;
    return BH_OK;
}

/* A category by code or by its Chinese name. */
static const char *category_code(svc_t *s, const char *cell)
{
    const cat_set_t *set = s->cats;
    for (int i = 0; i < set->ncats; i++)
        if (strcmp(cell, set->cats[i].code) == 0 || strcmp(cell, set->cats[i].name) == 0)
            return set->cats[i].code;
    return NULL;
}

static bh_status_t case_row(struct imp *x, const char *const *v, bh_err_t *err)
{
    svc_case_new_t in;
    svc_user_t as;
    int64_t id;
    bool replayed;
    const char *when = V("reported_at");
    bh_status_t st;

    memset(&in, 0, sizeof in);
    if (!(in.category = category_code(x->s, V("category"))))
        return bh_fail(err, BH_INVALID_ARGUMENT, "category", "案件类别“%s”不存在（填类别编码或名称）",
                       V("category"));
    in.description = V("description");
    in.title = V("title");
    if (!in.title) { /* a title from the first 30 characters of the description */
        const unsigned char *p = (const unsigned char *)in.description;
        size_t n = 0;
        for (int chars = 0; p[n] && chars < 30; chars++)
            do
                n++;
            while ((p[n] & 0xC0) == 0x80);
        in.title = arena_strndup(x->a, in.description, n);
    }
    in.unit = V("unit");
    in.address = V("address");
    in.reporter_name = V("reporter_name");
    in.reporter_phone = V("reporter_phone");
    in.external_id = V("external_id");
    if ((st = enum_field(x, &E_SOURCE, V("source"), "source", "来源", &in.source, err)) ||
        (st = enum_field(x, &E_URGENCY, V("urgency"), "urgency", "紧急程度", &in.urgency, err)) ||
        (st = location(v, x, &in.has_location, &in.lat, &in.lng, err)))
        return st;
    if (when) {
        if (!dt_parse_instant(when, &in.at))
            return bh_fail(err, BH_INVALID_ARGUMENT, "reported_at",
                           "上报时间“%s”无效（如 2023-03-01 09:30 或 2023-03-01）", when);
        if (in.at > svc_now())
            return bh_fail(err, BH_INVALID_ARGUMENT, "reported_at", "上报时间“%s”在将来", when);
    }
    /* Cases enter the loop as the command centre registers them: an
     * administrator's import reports them in the operator's role. */
    as = *x->u;
    if (as.role == ROLE_ADMIN) {
        as.role = ROLE_OPERATOR;
        as.unrestricted = true;
    }
    if ((st = svc_case_create_tx(x->s, x->c, &as, &in, x->a, &id, &replayed, err)))
        return st;
    if (replayed)
        x->res->unchanged++;
    else
        x->res->created++;
    return BH_OK;
}

/* An indicator by its code or name, or NULL. */
static const char *indicator_code(svc_t *s, const char *cell)
{
    const target_cfg_t *cfg = svc_targets(s);
    for (int i = 0; i < cfg->ninds; i++)
        if (strcmp(cell, cfg->inds[i].code) == 0 || strcmp(cell, cfg->inds[i].name) == 0)
            return cfg->inds[i].code;
    return NULL;
}

/* "2023-5", "2023年5月", "2023-05-01" (a spreadsheet's date) as "2023-05";
 * "2023年" as "2023"; anything else as written (the service says why). */
static const char *period_cell(arena_t *a, const char *cell)
{
    int y, m, d, n = 0;
    if ((sscanf(cell, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && !cell[n]) ||
        (sscanf(cell, "%4d-%2d%n", &y, &m, &n) == 2 && !cell[n]) ||
        (sscanf(cell, "%4d年%2d月%n", &y, &m, &n) == 2 && !cell[n]))
        return arena_printf(a, "%04d-%02d", y % 10000, m % 100);
    if (sscanf(cell, "%4d年%n", &y, &n) == 1 && !cell[n])
        return arena_printf(a, "%04d", y % 10000);
    return cell;
}

/* A number, or a percentage ("98%" is 0.98); *has false when empty. */
static bh_status_t amount_cell(const char *cell, const char *field, const char *what, bool *has,
                               double *out, bh_err_t *err)
{
    char *end;
    *has = cell != NULL;
    if (!cell)
        return BH_OK;
    *out = strtod(cell, &end);
    if (end != cell && strcmp(end, "%") == 0)
        *out /= 100, end++;
    if (*end || end == cell || !isfinite(*out))
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "%s“%s”不是数字", what, cell);
    return BH_OK;
}

/* The same figure as a ledger shows it: exports write 10 significant
 * digits, so a re-imported export is unchanged. */
static bool same_figure(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(1, fabs(b));
}

/* The entries in force, once per transaction (chunk_tx and whole_tx clear
 * 'loaded': between chunks other writers may enter figures). */
static bh_status_t load_entries(struct imp *x, bh_err_t *err)
{
    bh_status_t st;
    if (x->loaded)
        return BH_OK;
    arena_reset(x->keep);
    st = x->kind == LEDGER_TARGETS
             ? DB(x->c, target, target_list, 0, x->keep, &x->targets, &x->nentries)
             : DB(x->c, target, actual_list, 0, x->keep, &x->actuals, &x->nentries);
    if (st)
        return bh_fail(err, st, "", "读取已填报的数据失败");
    x->loaded = true;
    return BH_OK;
}

static bh_status_t target_row(struct imp *x, const char *const *v, bh_err_t *err)
{
    svc_target_new_t in = {V("unit"), NULL, period_cell(x->a, V("period")), 0, V("note")};
    const db_target_t *now = NULL;
    db_target_t out;
    bool has;
    bh_status_t st;
    if (!(in.indicator = indicator_code(x->s, V("indicator"))))
        return bh_fail(err, BH_INVALID_ARGUMENT, "indicator", "指标“%s”不存在（填指标代码或名称）",
                       V("indicator"));
    /* the jurisdiction first: "unchanged" must not confirm another unit's figure */
    if ((st = amount_cell(V("value"), "value", "目标值", &has, &in.value, err)) ||
        (in.unit && (st = svc_unit_writable(x->c, x->u, in.unit, true, err))) ||
        (st = load_entries(x, err)))
        return st;
    for (int i = 0; i < x->nentries; i++) {
        const db_target_t *t = &x->targets[i];
        if (strcmp(t->unit, in.unit) == 0 && strcmp(t->indicator, in.indicator) == 0 &&
            strcmp(t->period, in.period) == 0)
            now = t;
    }
    if (now && same_figure(now->value, in.value)) {
        x->res->unchanged++;
        return BH_OK;
    }
    if ((st = svc_target_set_tx(x->s, x->c, x->u, &in, &out, err)))
        return st;
    x->res->created++;
    return BH_OK;
}

static bh_status_t actual_row(struct imp *x, const char *const *v, bh_err_t *err)
{
    svc_actual_new_t in = {0};
    const char *cum = V("cumulative");
    const db_actual_t *now = NULL;
    db_actual_t out;
    bool has_num, has_den;
    int y, m;
    bh_status_t st;
    in.unit = V("unit");
    in.period = period_cell(x->a, V("period"));
    in.note = V("note");
    if (!(in.indicator = indicator_code(x->s, V("indicator"))))
        return bh_fail(err, BH_INVALID_ARGUMENT, "indicator", "指标“%s”不存在（填指标代码或名称）",
                       V("indicator"));
    if (cum) {
        int yes = strcmp(cum, "累计") == 0 ? 1 : strcmp(cum, "当月") == 0 ? 0 : parse_active(cum);
        if (yes < 0)
            return bh_fail(err, BH_INVALID_ARGUMENT, "cumulative",
                           "累计“%s”无效（可选：是、否、累计、当月）", cum);
        in.cumulative = yes;
    }
    if ((st = amount_cell(V("value"), "value", "完成值", &in.has_value, &in.value, err)) ||
        (st = amount_cell(V("numerator"), "numerator", "分子", &has_num, &in.num, err)) ||
        (st = amount_cell(V("denominator"), "denominator", "分母", &has_den, &in.den, err)) ||
        (in.unit && (st = svc_unit_writable(x->c, x->u, in.unit, false, err))) ||
        (st = load_entries(x, err)))
        return st;
    in.has_parts = has_num && has_den;
    for (int i = 0; i < x->nentries && sscanf(in.period, "%4d-%2d", &y, &m) == 2; i++) {
        const db_actual_t *e = &x->actuals[i];
        if (e->year == y && e->month == m && strcmp(e->unit, in.unit) == 0 &&
            strcmp(e->indicator, in.indicator) == 0)
            now = e;
    }
    if (now && now->cumulative == in.cumulative &&
        (in.has_parts ? now->den > 0 && same_figure(now->num, in.num) && same_figure(now->den, in.den)
                      : now->den <= 0 && in.has_value && same_figure(now->value, in.value))) {
        x->res->unchanged++;
        return BH_OK;
    }
    if ((st = svc_actual_enter_tx(x->s, x->c, x->u, &in, &out, err)))
        return st;
    x->res->created++;
    return BH_OK;
}

static row_fn row_fns[LEDGER__COUNT] = {
    [LEDGER_UNITS] = unit_row,
    [LEDGER_OBJECTS] = object_row,
    [LEDGER_USERS] = user_row,
    [LEDGER_CASES] = case_row,
    [LEDGER_TARGETS] = target_row,
    [LEDGER_ACTUALS] = actual_row,
};

struct geom {
    const char *code, *text;
};

static bh_status_t geom_row(struct imp *x, const void *arg, bh_err_t *err)
{
    const struct geom *g = arg;
    bh_status_t st = svc_geometry_put_tx(x->c, x->u->username, g->code, g->text, strlen(g->text), err);
    if (st == BH_OK)
        x->res->updated++;
    return st;
}

/* A feature of a GeoJSON ledger, as feed_geojson makes it a row. */
static bh_status_t process_feature(struct imp *x, const tab_row_t *r, bh_err_t *err)
{
    struct geom g = {r->cells[0], r->cells[1]};
    bh_err_t rerr;
    bool data, bad;
    bh_status_t st;

    if ((st = classify(x, r, &data, err)) || !data)
        return st;
    if (r->bad) {
        add_bad(x, r->sheet, r->row, -1, r->bad);
        return BH_OK;
    }
    if ((st = write_row(x, geom_row, &g, &rerr, &bad, err)) || !bad)
        return st;
    char msg[640];
    snprintf(msg, sizeof msg, "网格“%s”：%s", g.code, rerr.message);
    add_bad(x, r->sheet, r->row, -1, msg);
    return BH_OK;
}

/* GeoJSON: a FeatureCollection whose features carry properties.code. */
static bh_status_t open_geojson(struct imp *x, bh_err_t *err)
{
    json_error_t je;
    json_t *root = json_loadb(x->buf, x->len, 0, &je), *type;

    if (!root)
        return bh_fail(err, BH_INVALID_ARGUMENT, "file", "GeoJSON 格式错误（第%d行第%d列）：%s", je.line,
                       je.column, je.text);
    type = json_object_get(root, "type");
    if (json_is_string(type) && strcmp(json_string_value(type), "FeatureCollection") == 0 &&
        json_is_array(json_object_get(root, "features")))
        x->features = json_incref(json_object_get(root, "features"));
    json_decref(root);
    if (!x->features)
        return bh_fail(err, BH_INVALID_ARGUMENT, "file",
                       "须为 GeoJSON FeatureCollection（每个 Feature 的 properties.code 为网格编码）");
    return BH_OK;
}

/* Each feature as a row of two cells, its code and its geometry. */
static bh_status_t feed_geojson(struct imp *x, tab_row_fn fn, bh_err_t *err)
{
    size_t i, n = json_array_size(x->features);
    json_t *f;
    bh_status_t st = BH_OK;

    json_array_foreach(x->features, i, f) {
        const char *code = json_string_value(json_object_get(json_object_get(f, "properties"), "code"));
        json_t *geom = json_object_get(f, "geometry");
        char *text = NULL;
        const char *cells[2] = {code ? code : "", ""};
        tab_row_t r = {"features", (long)i + 1, 2, cells, -1, NULL, (double)(i + 1) / (double)n};

        if (!code || !*code)
            r.bad = "缺少 properties.code（网格编码）";
        else if (!json_is_object(geom))
            r.bad = "缺少 geometry";
        else if ((text = json_dumps(geom, JSON_COMPACT)))
            cells[1] = text;
        st = fn(&r, x, err);
        free(text);
        if (st)
            break;
    }
    return st;
}

static bh_status_t feed(struct imp *x, tab_row_fn fn, bh_err_t *err)
{
    if (x->kind == LEDGER_GEOMETRIES)
        return feed_geojson(x, fn, err);
    return tab_read(x->buf, x->len, (tab_format_t)x->o->format, &x->o->tab, fn, x, err);
}

/* Inside a WRITE chunk's transaction: how far the import got ('done':
 * all of it).  A chunk that only passed over rows an earlier run settled
 * marks nothing: the checkpoint never moves back. */
static bh_status_t checkpoint(struct imp *x, bool done, bh_err_t *err)
{
    bool won;
    x->marked = false;
    if (x->res->rows <= x->skip && !done)
        return BH_OK;
    x->mark.rows_done = x->res->rows;
    x->mark.created = x->res->created;
    x->mark.updated = x->res->updated;
    x->mark.unchanged = x->res->unchanged;
    x->mark.bad = x->res->bad;
    x->mark.at = svc_now();
    x->mark.finished_at = done ? x->mark.at : 0;
    if (DB(x->c, ops, import_mark, &x->mark, x->expect, x->expect_at, &won))
        return bh_fail(err, BH_INTERNAL, "", "数据库错误（记录导入进度）");
    if (!won)
        return bh_fail(err, BH_CONFLICT, "file",
                       "同一文件正由另一次导入写入，或刚由另一次导入写完：这次导入已停止，请查看那次导入的结果");
    x->marked = true;
    return BH_OK;
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Buffered rows from x->next on, in one transaction, until they are done
 * or the transaction has held the writer for LEDGER_CHUNK_MS. */
static bh_status_t chunk_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct imp *x = ctx;
    struct timespec t0;
    bh_status_t st = BH_OK;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    x->c = c;
    x->loaded = false;
    while (x->next < x->nrows && !st) {
        st = x->process(x, &x->rows[x->next++], err);
        if (x->next < x->nrows && ms_since(&t0) >= LEDGER_CHUNK_MS)
            break;
    }
    if (st)
        return st;
    if (x->pass == PASS_CHECK) {
        x->rolled = true; /* an error status is what makes db_write roll back */
        return bh_fail(err, BH_FAILED_PRECONDITION, "", "检查：不写入");
    }
    return checkpoint(x, x->last && x->next == x->nrows, err);
}

static bh_status_t on_read(const tab_row_t *r, void *ctx, bh_err_t *err);

/* A whole CHECK pass in one transaction (ledger_kinds[].whole_check). */
static bh_status_t whole_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct imp *x = ctx;
    bh_status_t st;
    x->c = c;
    x->loaded = false;
    if ((st = feed(x, on_read, err)))
        return st;
    x->rolled = true;
    return bh_fail(err, BH_FAILED_PRECONDITION, "", "检查：不写入");
}

static bh_status_t run_tx(struct imp *x, db_write_fn fn, bh_err_t *err)
{
    bh_status_t st = db_write(x->s->db, fn, x, err);
    x->c = NULL;
    if (x->rolled) {
        x->rolled = false;
        bh_err_clear(err);
        return BH_OK;
    }
    if (st == BH_OK && x->pass == PASS_WRITE && x->marked) {
        x->expect = x->mark.rows_done;
        x->committed = x->res->rows;
    }
    return st;
}

/* Run the buffered rows, in as many transactions as LEDGER_CHUNK_MS
 * needs (and at the end of a WRITE pass mark it finished, even with none). */
static bh_status_t flush(struct imp *x, bool last, bh_err_t *err)
{
    bh_status_t st = BH_OK;
    x->last = last;
    x->next = 0;
    if (x->nrows || (last && x->pass == PASS_WRITE))
        do
            st = run_tx(x, chunk_tx, err);
        while (st == BH_OK && x->next < x->nrows);
    arena_reset(x->ca);
    x->nrows = 0;
    x->chunk_bytes = 0;
    return st;
}

static void buffer(struct imp *x, const tab_row_t *r)
{
    tab_row_t *b;
    char **cells;
    if (x->nrows == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 256;
        x->rows = xrealloc(x->rows, (size_t)x->cap * sizeof *x->rows);
    }
    b = &x->rows[x->nrows++];
    *b = *r;
    cells = arena_alloc_array(x->ca, r->ncells ? (size_t)r->ncells : 1, sizeof *cells);
    for (int f = 0; f < r->ncells; f++) {
        size_t n = strlen(r->cells[f]);
        cells[f] = arena_strndup(x->ca, r->cells[f], n);
        x->chunk_bytes += n + 1 + sizeof *cells;
    }
    b->cells = (const char *const *)cells;
    b->sheet = arena_strdup(x->ca, r->sheet);
    b->bad = arena_strdup(x->ca, r->bad);
}

static bh_status_t on_read(const tab_row_t *r, void *ctx, bh_err_t *err)
{
    struct imp *x = ctx;
    bool data;
    if (x->pass == PASS_READ)
        return classify(x, r, &data, err);
    if (x->c) /* the pass is one transaction */
        return x->process(x, r, err);
    buffer(x, r);
    if (x->nrows >= x->chunk_rows || x->chunk_bytes >= LEDGER_CHUNK_BYTES)
        return flush(x, false, err);
    return BH_OK;
}

static bh_status_t run_pass(struct imp *x, int pass, bh_err_t *err)
{
    bool resume = pass == PASS_WRITE && x->skip;
    bh_status_t st;

    x->pass = pass;
    x->header_done = x->kind == LEDGER_GEOMETRIES;
    x->last_progress = -1;
    x->res->rows = 0;
    x->res->created = resume ? x->mark.created : 0;
    x->res->updated = resume ? x->mark.updated : 0;
    x->res->unchanged = resume ? x->mark.unchanged : 0;
    x->res->bad = resume ? x->mark.bad : 0;
    x->res->nbads = 0;
    x->ncodes = 0;
    if (x->codes)
        memset(x->codes, 0, x->capcodes * sizeof *x->codes);
    arena_reset(x->keep_codes);
    if (pass == PASS_CHECK && ledger_kinds[x->kind].whole_check)
        st = run_tx(x, whole_tx, err);
    else if ((st = feed(x, on_read, err)) == BH_OK)
        st = flush(x, true, err);
    arena_reset(x->ca);
    x->nrows = 0;
    x->chunk_bytes = 0;
    if (st == BH_OK && !x->header_done)
        return bh_fail(err, BH_INVALID_ARGUMENT, "file", "文件是空的：没有表头行");
    if (st == BH_OK)
        progress(x, 1);
    return st;
}

/*
 * The checkpoint of an earlier run of the same file (bytes, kind, format,
 * sheet, encoding, skip_bad) by the same user: when it did not finish,
 * this run settles only the rows after it.
 */
static bh_status_t resume_point(struct imp *x, bh_err_t *err)
{
    crypto_hash_sha256_state h;
    const ledger_opts_t *o = x->o;
    char opts[400];
    db_import_t prev;
    db_conn_t *c;
    bh_status_t st;

    snprintf(opts, sizeof opts, "%s\n%d\n%.150s\n%.150s\n%d", ledger_kinds[x->kind].name, o->format,
             o->tab.sheet ? o->tab.sheet : "", o->tab.encoding ? o->tab.encoding : "", o->skip_bad);
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)opts, strlen(opts) + 1);
    crypto_hash_sha256_update(&h, x->buf, x->len);
    crypto_hash_sha256_final(&h, x->mark.digest);
    x->mark.kind = ledger_kinds[x->kind].name;
    x->mark.username = x->u->username;
    x->mark.started_at = svc_now();
    x->expect = -1;
    if ((st = db_reader(x->s->db, &c)))
        return bh_fail(err, st, "", "数据库繁忙，请稍后再试");
    st = DB(c, ops, import_get, x->mark.digest, x->mark.kind, x->mark.username, &prev);
    db_reader_done(x->s->db, c);
    if (st == BH_NOT_FOUND)
        return BH_OK;
    if (st == BH_OK && prev.finished_at) {
        x->expect_at = prev.at;
        return BH_OK;
    }
    if (st)
        return bh_fail(err, BH_INTERNAL, "", "数据库错误（读取导入进度）");
    x->mark = prev;
    x->skip = (long)prev.rows_done;
    x->expect = prev.rows_done;
    x->committed = x->skip;
    return BH_OK;
}

static bool may_import(const svc_user_t *u, ledger_kind_t k)
{
    if (u->role == ROLE_ADMIN)
        return true;
    if (k == LEDGER_TARGETS) /* each row's unit is then checked as POST /targets checks it */
        return u->role == ROLE_LEADER || u->role == ROLE_OPERATOR;
    if (k == LEDGER_ACTUALS)
        return !role_external(u->role) && u->role != ROLE_REPORTER;
    return u->role == ROLE_OPERATOR && (k == LEDGER_OBJECTS || k == LEDGER_CASES);
}

static bh_status_t import(struct imp *x, bh_err_t *err)
{
    const ledger_opts_t *o = x->o;
    bh_status_t st;

    if (x->kind == LEDGER_GEOMETRIES && (st = open_geojson(x, err)))
        return st;
    if ((st = resume_point(x, err)) ||
        (st = run_pass(x, o->skip_bad && !o->dry_run ? PASS_READ : PASS_CHECK, err)))
        return st;
    if (x->res->bad && !o->skip_bad)
        return x->skip ? bh_fail(err, BH_INVALID_ARGUMENT, "file",
                                 "%ld行有错误，这次没有写入（此文件的前%ld行已在上次导入中写入；改正后重新导入，或选择跳过错误行）",
                                 x->res->bad, x->skip)
                       : bh_fail(err, BH_INVALID_ARGUMENT, "file",
                                 "%ld行有错误，没有导入任何数据（改正后重新导入，或选择跳过错误行）",
                                 x->res->bad);
    if (o->dry_run)
        return BH_OK;
    if ((st = run_pass(x, PASS_WRITE, err)) && st != BH_CONFLICT && x->committed) {
        bh_err_t e = *err;
        return bh_fail(err, st, e.field,
                       "%s（前%ld行已写入；重新导入同一文件将从第%ld个数据行接着导入）", e.message,
                       x->committed, x->committed + 1);
    }
    x->res->written = st == BH_OK;
    return st;
}

bh_status_t svc_ledger_import(svc_t *s, const svc_user_t *u, ledger_kind_t kind, const void *buf,
                              size_t len, const ledger_opts_t *o, ledger_result_t *res,
                              bh_err_t *err)
{
    struct imp *x;
    bh_status_t st;

    memset(res, 0, sizeof *res);
    if (kind == LEDGER_PATROLS)
        return bh_fail(err, BH_INVALID_ARGUMENT, "kind",
                       "巡查记录台账只能导出：巡查由手机或 POST /api/v1/patrols 登记");
    if (!may_import(u, kind))
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "%s不能导入%s台账", role_label(u->role),
                       ledger_kinds[kind].label);
    if ((kind == LEDGER_GEOMETRIES) != (o->format == LEDGER_FMT_GEOJSON))
        return bh_fail(err, BH_INVALID_ARGUMENT, "format",
                       kind == LEDGER_GEOMETRIES ? "网格边界台账须为 GeoJSON"
                                                 : "台账须为 CSV 或 xlsx（GeoJSON 只用于网格边界）");
    x = xcalloc(1, sizeof *x);
    x->s = s;
    x->u = u;
    x->kind = kind;
    x->o = o;
    x->res = res;
    x->cols = ledger_kinds[kind].cols;
    x->ncols = ledger_kinds[kind].ncols;
    x->a = arena_new();
    x->keep = arena_new();
    x->ca = arena_new();
    x->keep_codes = arena_new();
    x->buf = buf;
    x->len = len;
    x->process = kind == LEDGER_GEOMETRIES ? process_feature : process_row;
    x->chunk_rows = o->chunk_rows > 0 ? o->chunk_rows : LEDGER_CHUNK_ROWS;
    st = import(x, err);
    res->resumed = x->skip;
    json_decref(x->features);
    free(x->rows);
    free(x->codes);
    arena_free(x->keep_codes);
    arena_free(x->a);
    arena_free(x->keep);
    arena_free(x->ca);
    free(x);
    return st;
}
