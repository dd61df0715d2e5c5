/*
 * config.c - a configuration document in force: the patrol plans and
 * checklists, the target loop's indicators and rules.  The shipped text
 * until an administrator imports one; the imported text is stored (kind
 * by kind) and every server reloads it when it changes (svc_doc_refresh,
 * from the sweep).  Replaced documents are kept until svc_doc_free: a
 * request may still be reading one, and imports are rare.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/svc.h"
#include "util/xmalloc.h"

struct svc_doc {
    const svc_doc_kind_t *k;
    pthread_mutex_t mu;
    void *cfg;
    dt_ms_t at; /* when the one in force was stored; 0: the shipped one */
    void **old;
    int nold;
};

svc_doc_t *svc_doc_new(const svc_doc_kind_t *k)
{
    svc_doc_t *d = xcalloc(1, sizeof *d);
    d->k = k;
    pthread_mutex_init(&d->mu, NULL);
    return d;
}

void svc_doc_free(svc_doc_t *d)
{
    if (!d)
        return;
    if (d->cfg)
        d->k->release(d->cfg);
    for (int i = 0; i < d->nold; i++)
        d->k->release(d->old[i]);
    free(d->old);
    pthread_mutex_destroy(&d->mu);
    free(d);
}

/* Called with d->mu held. */
static void install(svc_doc_t *d, void *cfg, dt_ms_t at)
{
    if (d->cfg) {
        d->old = xrealloc(d->old, (size_t)(d->nold + 1) * sizeof *d->old);
        d->old[d->nold++] = d->cfg;
    }
    d->cfg = cfg;
    d->at = at;
}

/* The stored text and when it was stored; the shipped text and 0 when none. */
static bh_status_t doc_text(svc_t *s, const svc_doc_kind_t *k, arena_t *a, const char **json,
                            dt_ms_t *at, bh_err_t *err)
{
    const char *by;
    bh_status_t st;
    SVC_READ(s, c, st, err, DB(c, ops, config_get, k->kind, a, json, at, &by));
    if (st == BH_NOT_FOUND) {
        size_t len;
        *json = k->builtin(&len);
        *at = 0;
        return BH_OK;
    }
    return st ? bh_fail(err, st, "", "读取%s失败，请稍后重试", k->what) : BH_OK;
}

bh_status_t svc_doc_text(svc_t *s, svc_doc_t *d, arena_t *a, const char **json, bool *imported,
                         bh_err_t *err)
{
    dt_ms_t at;
    bh_status_t st = doc_text(s, d->k, a, json, &at, err);
    *imported = at != 0;
    return st;
}

/* Load the stored document if it is not the one in force (always when
 * none is); d->mu held. */
static bh_status_t reload(svc_t *s, svc_doc_t *d, bh_err_t *err)
{
    arena_t *a = arena_new();
    const char *text;
    dt_ms_t at;
    void *parsed;
    bh_status_t st = doc_text(s, d->k, a, &text, &at, err);
    if (st == BH_OK && (!d->cfg || at != d->at) &&
        (st = d->k->parse(text, strlen(text), &parsed, err)) == BH_OK)
        install(d, parsed, at);
    arena_free(a);
    /* nothing in force and the store unreadable (or its text no longer
     * valid): the shipped one, until a refresh succeeds */
    if (st != BH_OK && !d->cfg) {
        size_t len;
        bh_err_t ignored;
        text = d->k->builtin(&len);
        if (d->k->parse(text, len, &parsed, &ignored) == BH_OK)
            install(d, parsed, 0);
    }
    return st;
}

const void *svc_doc_current(svc_t *s, svc_doc_t *d, bh_err_t *err)
{
    const void *cfg;
    pthread_mutex_lock(&d->mu);
    if (!d->cfg && reload(s, d, err) != BH_OK)
        fprintf(stderr, "bihuan: %s：%s（暂用内置配置）\n", d->k->what, err->message);
    cfg = d->cfg;
    pthread_mutex_unlock(&d->mu);
    return cfg;
}

bh_status_t svc_doc_refresh(svc_t *s, svc_doc_t *d, bh_err_t *err)
{
    bh_status_t st;
    pthread_mutex_lock(&d->mu);
    st = reload(s, d, err);
    pthread_mutex_unlock(&d->mu);
    return st;
}

struct doc_put {
    const svc_doc_kind_t *k;
    const svc_user_t *u;
    const char *json;
    dt_ms_t at;
};

static bh_status_t doc_put_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct doc_put *x = ctx;
    bh_status_t st = DB(c, ops, config_put, x->k->kind, x->json, x->at = svc_now(), x->u->username);
    (void)err;
    if (st)
        return st;
    return svc_audit(c, x->u->username, x->k->audit, x->k->object,
                     json_pack("{s:{s:i}}", "after", "bytes", (int)strlen(x->json)));
}

bh_status_t svc_doc_import(svc_t *s, svc_doc_t *d, const svc_user_t *u, const char *json,
                           size_t len, bh_err_t *err)
{
    void *cfg;
    char *text;
    struct doc_put x = {d->k, u, NULL, 0};
    bh_status_t st;
    if (u->role != ROLE_ADMIN)
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "只有管理员可以修改%s", d->k->what);
    if ((st = d->k->parse(json, len, &cfg, err)))
        return st;
    text = xmalloc(len + 1);
    memcpy(text, json, len);
    text[len] = 0;
    x.json = text;
    if ((st = db_write(s->db, doc_put_tx, &x, err)) == BH_OK) {
        pthread_mutex_lock(&d->mu);
        install(d, cfg, x.at);
        pthread_mutex_unlock(&d->mu);
    } else {
        d->k->release(cfg);
    }
    free(text);
    return st;
}
