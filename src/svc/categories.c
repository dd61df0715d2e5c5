/*
 * categories.c - the categories and their SLA policies, in versions.
 *
 * Every categories document ever in force is stored (category_versions)
 * and kept loaded: a case is reported under the version in force then
 * (db_case_t.policy_version) and its clocks follow that version for the
 * rest of its life, so an administrator's edit applies to new cases only.
 *
 * Which version is in force: the newest.  At start the categories file the
 * server runs with (or the built-in one) is stored as a new version when
 * its text differs from the last file stored; an unchanged file leaves an
 * administrator's later edit in force.  Other servers sharing the store
 * pick new versions up from the sweep (svc_categories_refresh).
 *
 * Loaded sets are never freed before svc_fini: a request may be reading
 * one.  The set in force is an atomic pointer (svc_t.cats).
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/svc.h"
#include "util/jsonkeys.h"
#include "util/xmalloc.h"

struct svc_catver_rec {
    svc_catver_t v; /* its strings owned here */
};

/* Guards s->catv, s->ncatv, and s->cats with s->cat_version as a pair
 * (each is also atomic, for readers of one alone). */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void rec_free(struct svc_catver_rec *r)
{
    cat_set_free((cat_set_t *)r->v.set);
    free((char *)r->v.body);
    free((char *)r->v.digest);
    free((char *)r->v.source);
    free((char *)r->v.by);
    free(r);
}

/* Called with mu held: add a loaded version in version order (a refresh
 * and an edit may both bring the same one: the second is dropped) and put
 * the newest in force.  Takes set. */
static void install(svc_t *s, const db_catver_t *row, cat_set_t *set)
{
    struct svc_catver_rec *r;
    int i;
    for (i = s->ncatv; i > 0 && s->catv[i - 1]->v.version >= row->version; i--)
        if (s->catv[i - 1]->v.version == row->version) {
            cat_set_free(set);
            return;
        }
    r = xcalloc(1, sizeof *r);
    r->v.version = row->version;
    r->v.set = set;
    r->v.body = dup_or_null(row->body);
    r->v.digest = dup_or_null(row->digest);
    r->v.source = dup_or_null(row->source);
    r->v.by = dup_or_null(row->by);
    r->v.at = row->at;
    s->catv = xrealloc(s->catv, (size_t)(s->ncatv + 1) * sizeof *s->catv);
    memmove(s->catv + i + 1, s->catv + i, (size_t)(s->ncatv - i) * sizeof *s->catv);
    s->catv[i] = r;
    s->ncatv++;
    if (row->version >= s->cat_version) {
        s->cat_version = row->version;
        s->cats = set; /* an atomic store */
    }
}

void svc_categories_init(svc_t *s, cat_set_t *set)
{
    db_catver_t none = {.version = 0, .source = "file"};
    pthread_mutex_lock(&mu);
    install(s, &none, set);
    pthread_mutex_unlock(&mu);
}

void svc_categories_fini(svc_t *s)
{
    for (int i = 0; i < s->ncatv; i++)
        rec_free(s->catv[i]);
    free(s->catv);
    s->catv = NULL;
    s->ncatv = 0;
}

static const cat_set_t *loaded(svc_t *s, int version, int *newest)
{
    const cat_set_t *set = NULL;
    pthread_mutex_lock(&mu);
    for (int i = s->ncatv - 1; i >= 0 && !set; i--)
        if (s->catv[i]->v.version == version)
            set = s->catv[i]->v.set;
    *newest = s->ncatv ? s->catv[s->ncatv - 1]->v.version : 0;
    pthread_mutex_unlock(&mu);
    return set;
}

const cat_set_t *svc_cats_at(svc_t *s, int version)
{
    int newest;
    const cat_set_t *set = loaded(s, version, &newest);
    if (!set && version > newest) { /* another server stored it since our last refresh */
        bh_err_t err;
        if (svc_categories_refresh(s, &err) == BH_OK)
            set = loaded(s, version, &newest);
    }
    return set ? set : s->cats; /* one that does not parse (said when loaded) */
}

const cat_set_t *svc_cats_pinned(svc_t *s, int *version)
{
    const cat_set_t *set;
    pthread_mutex_lock(&mu);
    set = s->cats;
    *version = s->cat_version;
    pthread_mutex_unlock(&mu);
    return set;
}

void svc_categories_current(svc_t *s, svc_catver_t *out)
{
    pthread_mutex_lock(&mu);
    for (int i = s->ncatv - 1; i >= 0; i--)
        if (s->catv[i]->v.version == s->cat_version) {
            *out = s->catv[i]->v;
            break;
        }
    pthread_mutex_unlock(&mu);
}

int svc_categories_versions(svc_t *s, arena_t *a, svc_catver_t **out)
{
    int n = 0;
    pthread_mutex_lock(&mu);
    *out = arena_alloc_array(a, (size_t)s->ncatv + 1, sizeof **out);
    for (int i = s->ncatv - 1; i >= 0; i--) /* newest first */
        if (s->catv[i]->v.version > 0)
            (*out)[n++] = s->catv[i]->v;
    pthread_mutex_unlock(&mu);
    return n;
}

/* Parse and load stored versions.  One that does not parse (a newer
 * program's, say) is said and skipped: its cases follow the version in
 * force, and an administrator can still store a good one over it. */
static void load_rows(svc_t *s, const db_catver_t *rows, int n)
{
    for (int i = 0; i < n; i++) {
        cat_set_t *set;
        bh_err_t why;
        if (cat_set_parse(rows[i].body, strlen(rows[i].body), &set, &why) != BH_OK) {
            fprintf(stderr, "bihuan: 第 %d 版案件类别无法读取，已跳过：%s\n", rows[i].version,
                    why.message);
            continue;
        }
        pthread_mutex_lock(&mu);
        install(s, &rows[i], set);
        pthread_mutex_unlock(&mu);
    }
}

bh_status_t svc_categories_refresh(svc_t *s, bh_err_t *err)
{
    arena_t *a = arena_new();
    db_catver_t *rows;
    int n = 0, newest;
    bh_status_t st;
    loaded(s, -1, &newest);
    SVC_READ(s, c, st, err, DB(c, registry, catver_list, newest, a, &rows, &n));
    if (st)
        st = bh_fail(err, st, "", "读取案件类别版本失败");
    else
        load_rows(s, rows, n);
    arena_free(a);
    return st;
}

/* The categories table (what SQL reads by code) from the set in force. */
static bh_status_t put_rows(db_conn_t *c, const cat_set_t *set, bh_err_t *err)
{
    for (int i = 0; i < set->ncats; i++) {
        const cat_t *k = &set->cats[i];
        bh_status_t st = DB(c, registry, category_put, k->code, k->name, cat_kind_name(k->kind),
                            k->parent, set->policy_keys[k->policy]);
        if (st)
            return bh_fail(err, st, "", "写入案件类别失败");
    }
    return BH_OK;
}

static void digest_hex(const char *body, size_t len, char hex[65])
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, (const unsigned char *)body, len);
    sodium_bin2hex(hex, 65, d, sizeof d);
}

struct sync_ctx {
    svc_t *s;
    const char *body;
    char digest[65];
    bool serve;
    arena_t *a;
    db_catver_t *rows; /* every stored version, oldest first */
    int n;
    bool added;
};

static bh_status_t sync_tx(db_conn_t *c, void *vctx, bh_err_t *err)
{
    struct sync_ctx *x = vctx;
    const db_catver_t *file = NULL;
    bh_status_t st;
    x->added = false;
    if ((st = DB(c, registry, catver_list, 0, x->a, &x->rows, &x->n)))
        return bh_fail(err, st, "", "读取案件类别版本失败");
    for (int i = x->n - 1; i >= 0 && !file; i--)
        if (strcmp(x->rows[i].source, "file") == 0)
            file = &x->rows[i];
    /* a store without versions takes this file as version 1; only the
     * server puts a changed file in force */
    if (!x->n || (x->serve && (!file || strcmp(file->digest, x->digest) != 0))) {
        db_catver_t *rows = arena_alloc_array(x->a, (size_t)x->n + 1, sizeof *rows);
        char obj[32];
        memcpy(rows, x->rows, (size_t)x->n * sizeof *rows);
        rows[x->n] = (db_catver_t){.version = x->n ? x->rows[x->n - 1].version + 1 : 1,
                                   .body = x->body, .digest = x->digest, .source = "file",
                                   .at = svc_now()};
        if ((st = DB(c, registry, catver_add, &rows[x->n])))
            return bh_fail(err, st, "", "写入案件类别版本失败");
        snprintf(obj, sizeof obj, "categories:%d", rows[x->n].version);
        if ((st = svc_audit(c, "system", "categories.file", obj,
                            json_pack("{s:{s:i, s:s}}", "after", "version", rows[x->n].version,
                                      "digest", x->digest))))
            return st;
        x->rows = rows;
        x->n++;
        x->added = true;
    }
    return BH_OK;
}

static bh_status_t rows_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    return put_rows(c, ctx, err);
}

bh_status_t svc_sync_categories(svc_t *s, const char *body, size_t len, bool serve, bh_err_t *err)
{
    struct sync_ctx x = {.s = s, .serve = serve, .a = arena_new()};
    bh_status_t st;
    char *text = xmalloc(len + 1);
    memcpy(text, body, len);
    text[len] = 0;
    x.body = text;
    digest_hex(body, len, x.digest);
    /* Two servers starting at once with a new file: one stores it. */
    for (int tries = 0; (st = db_write(s->db, sync_tx, &x, err)) == BH_CONFLICT && tries < 3;
         tries++)
        ;
    if (st == BH_CONFLICT)
        st = bh_fail(err, BH_UNAVAILABLE, "", "另一进程同时在写入案件类别版本，请重试");
    if (st == BH_OK) {
        int n = x.n;
        if (x.added && n > 1 && strcmp(x.rows[n - 2].source, "admin") == 0)
            fprintf(stderr,
                    "bihuan: 案件类别文件已变更，作为第 %d 版生效；管理员在第 %d 版所做的修改不再适用于新案件\n",
                    x.rows[n - 1].version, x.rows[n - 2].version);
        load_rows(s, x.rows, n);
        if (s->cat_version == 0)
            st = bh_fail(err, BH_FAILED_PRECONDITION, "", "数据库中没有一个版本的案件类别能够读取");
    }
    if (st == BH_OK)
        st = db_write(s->db, rows_tx, s->cats, err);
    free(text);
    arena_free(x.a);
    return st;
}

/* ---- edits by an administrator ---- */

struct put_ctx {
    svc_t *s;
    const svc_user_t *u;
    const cat_set_t *set;
    db_catver_t row;
    int expect;       /* the version the editor saw; 0: any */
    const char *what; /* for the audit: "document" or the policy's key */
};

static bh_status_t put_tx(db_conn_t *c, void *vctx, bh_err_t *err)
{
    struct put_ctx *x = vctx;
    arena_t *a = arena_new();
    db_catver_t *rows;
    int n, newest;
    bh_status_t st = DB(c, registry, catver_list, 0, a, &rows, &n);
    newest = n ? rows[n - 1].version : 0;
    arena_free(a);
    if (st)
        return bh_fail(err, st, "", "读取案件类别版本失败");
    if (x->expect && x->expect != newest)
        return bh_fail(err, BH_CONFLICT, "version",
                       "案件类别与时限已被修改（现为第 %d 版，您看到的是第 %d 版），请刷新后再改",
                       newest, x->expect);
    x->row.version = newest + 1;
    x->row.at = svc_now();
    if ((st = DB(c, registry, catver_add, &x->row)))
        return bh_fail(err, st, "version", st == BH_CONFLICT
                                               ? "另一位管理员同时保存了案件类别，请刷新后再改"
                                               : "写入案件类别版本失败");
    if ((st = put_rows(c, x->set, err)))
        return st;
    {
        char obj[32];
        snprintf(obj, sizeof obj, "categories:%d", x->row.version);
        return svc_audit(c, x->u->username, "categories.update", obj,
                         json_pack("{s:{s:i, s:s, s:s}}", "after", "version", x->row.version,
                                   "changed", x->what, "digest", x->row.digest));
    }
}

bh_status_t svc_categories_put(svc_t *s, const svc_user_t *u, const char *body, size_t len,
                               int expect, const char *what, svc_catver_t *out, bh_err_t *err)
{
    cat_set_t *set;
    char digest[65], *text;
    struct put_ctx x = {.s = s, .u = u, .expect = expect, .what = what ? what : "document"};
    bh_status_t st;

    if (u->role != ROLE_ADMIN)
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "只有管理员可以修改案件类别与时限");
    if ((st = cat_set_parse(body, len, &set, err)))
        return st;
    /* Newer versions another server stored must be loaded first, or this
     * one would be numbered over them. */
    if ((st = svc_categories_refresh(s, err))) {
        cat_set_free(set);
        return st;
    }
    text = xmalloc(len + 1);
    memcpy(text, body, len);
    text[len] = 0;
    digest_hex(body, len, digest);
    x.set = set;
    x.row = (db_catver_t){.body = text, .digest = digest, .source = "admin", .by = u->username};
    if ((st = db_write(s->db, put_tx, &x, err)) == BH_OK) {
        pthread_mutex_lock(&mu);
        install(s, &x.row, set);
        pthread_mutex_unlock(&mu);
        svc_categories_current(s, out);
    } else {
        cat_set_free(set);
    }
    free(text);
    return st;
}

/* The fields of a clock an administrator may change here; the rest (when
 * it starts, stops, restarts) only with the whole document. */
static const char *const clock_keys[] = {"name", "basis", "unit", "limit", "yellow", "red",
                                         "max_extension", "civil", NULL};

/* A path of the document ("policies.K.clocks[2].yellow") as a field of the
 * request: "clocks[i].yellow", i the request's entry for that clock; and
 * the message names the clock by its label rather than its path. */
static void request_field(const char *key, json_t *doc_clocks, json_t *req, bh_err_t *err)
{
    char prefix[160], field[sizeof err->field], msg[sizeof err->message];
    size_t n = (size_t)snprintf(prefix, sizeof prefix, "policies.%s.clocks[", key), i, j;
    const char *name, *label, *rest;
    char *end;
    json_t *dc, *e;
    if (n >= sizeof prefix || strncmp(err->field, prefix, n) != 0)
        return;
    j = strtoul(err->field + n, &end, 10);
    dc = json_array_get(doc_clocks, j);
    name = json_string_value(json_object_get(dc, "name"));
    label = json_string_value(json_object_get(dc, "label"));
    if (*end != ']' || !name)
        return;
    json_array_foreach(req, i, e) {
        const char *rn = json_string_value(json_object_get(e, "name"));
        if (rn && strcmp(name, rn) == 0) {
            snprintf(field, sizeof field, "clocks[%zu]%s", i, end + 1);
            snprintf(err->field, sizeof err->field, "%s", field);
            break;
        }
    }
    /* "policies.K.clocks[2] 字段 red：…" -> "“结案”时限 字段 red：…" */
    if (strncmp(err->message, prefix, n) == 0 && (rest = strchr(err->message + n, ' '))) {
        snprintf(msg, sizeof msg, "“%s”时限%s", label ? label : name, rest);
        snprintf(err->message, sizeof err->message, "%s", msg);
    }
}

bh_status_t svc_policy_put(svc_t *s, const svc_user_t *u, const char *key, json_t *clocks,
                           int expect, svc_catver_t *out, bh_err_t *err)
{
    svc_catver_t cur = {0};
    json_error_t je;
    json_t *doc, *dclocks, *e;
    char *text;
    size_t i;
    bh_status_t st;

    if (u->role != ROLE_ADMIN)
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "只有管理员可以修改案件类别与时限");
    /* the edit applies to the newest version: load what other servers
     * stored, and refuse an editor who saw an older one */
    if ((st = svc_categories_refresh(s, err)))
        return st;
    svc_categories_current(s, &cur);
    if (!cur.body) /* run without a store's versions (svc_sync_categories not called) */
        return bh_fail(err, BH_FAILED_PRECONDITION, "", "案件类别尚未写入数据库，无法修改");
    if (expect && expect != cur.version)
        return bh_fail(err, BH_CONFLICT, "version",
                       "案件类别与时限已被修改（现为第 %d 版，您看到的是第 %d 版），请刷新后再改",
                       cur.version, expect);
    if (!(doc = json_loads(cur.body, 0, &je)))
        return bh_fail(err, BH_INTERNAL, "", "现行案件类别无法读取：%s", je.text);
    dclocks = json_object_get(json_object_get(json_object_get(doc, "policies"), key), "clocks");
    if (!json_is_array(dclocks)) {
        json_decref(doc);
        return bh_fail(err, BH_NOT_FOUND, "key", "时限策略“%s”不存在", key);
    }
    if (!json_is_array(clocks) || json_array_size(clocks) == 0) {
        json_decref(doc);
        return bh_fail(err, BH_INVALID_ARGUMENT, "clocks", "clocks 应为非空数组，每项给出时限名称 name 和要改的字段");
    }
    json_array_foreach(clocks, i, e) {
        const char *name = json_string_value(json_object_get(e, "name")), *stray;
        json_t *dc = NULL, *v;
        const char *k;
        size_t j;
        char field[96];
        if (!json_is_object(e) || !name) {
            snprintf(field, sizeof field, "clocks[%zu].name", i);
            json_decref(doc);
            return bh_fail(err, BH_INVALID_ARGUMENT, field, "每项应为对象并给出时限名称 name");
        }
        if ((stray = json_stray_key(e, clock_keys))) {
            snprintf(field, sizeof field, "clocks[%zu].%.40s", i, stray);
            json_decref(doc);
            return bh_fail(err, BH_INVALID_ARGUMENT, field,
                           "字段“%s”不能在此修改（可改 basis、unit、limit、yellow、red、max_extension、civil）",
                           stray);
        }
        for (size_t k2 = 0; k2 < i; k2++)
            if (strcmp(json_string_value(json_object_get(json_array_get(clocks, k2), "name")), name) == 0) {
                snprintf(field, sizeof field, "clocks[%zu].name", i);
                json_decref(doc);
                return bh_fail(err, BH_INVALID_ARGUMENT, field, "时限“%s”重复", name);
            }
        json_array_foreach(dclocks, j, v)
            if (json_is_string(json_object_get(v, "name")) &&
                strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
                dc = v;
        if (!dc) {
            snprintf(field, sizeof field, "clocks[%zu].name", i);
            json_decref(doc);
            return bh_fail(err, BH_INVALID_ARGUMENT, field, "时限策略“%s”没有名为“%s”的时限",
                           key, name);
        }
        json_object_foreach(e, k, v)
            if (strcmp(k, "name") != 0)
                json_object_set(dc, k, v);
    }
    text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    st = svc_categories_put(s, u, text, strlen(text), cur.version, key, out, err);
    if (st == BH_INVALID_ARGUMENT && err)
        request_field(key, dclocks, clocks, err);
    free(text);
    json_decref(doc);
    return st;
}
