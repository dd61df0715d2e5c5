/*
 * config.c - a configuration document in force: the patrol plans and
 * checklists, the target loop's indicators and rules.  The shipped text
 * until an administrator imports one; the imported text is stored (kind
 * by kind) and every server reloads it when its text changes
 * (svc_doc_refresh, from the sweep).  Loaded at start (svc_load_configs):
 * a request never reads the store for it, nor waits while it is read.
 * Replaced documents are kept until svc_doc_free: a request may still be
 * reading one, and imports are rare.  Never the shipped one in place of
 * a stored one that cannot be read: that is an error, said.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "svc/svc.h"
#include "util/xmalloc.h"

struct svc_doc {
    const svc_doc_kind_t *k;
    pthread_mutex_t mu;
    void *cfg;
    char *text; /* the text of the one in force */
    char *bad;  /* a stored text that did not parse (said once, not every tick) */
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
    free(d->text);
    free(d->bad);
    pthread_mutex_destroy(&d->mu);
    free(d);
}

/* Called with d->mu held; takes cfg and text. */
static void install(svc_doc_t *d, void *cfg, char *text)
{
    if (d->cfg) {
        d->old = xrealloc(d->old, (size_t)(d->nold + 1) * sizeof *d->old);
        d->old[d->nold++] = d->cfg;
    }
    free(d->text);
    d->cfg = cfg;
    d->text = text;
}

/* The stored text, or the shipped one when none was imported (*imported false). */
static bh_status_t doc_text(svc_t *s, const svc_doc_kind_t *k, arena_t *a, const char **json,
                            bool *imported, bh_err_t *err)
{
    const char *by;
    dt_ms_t at;
    bh_status_t st;
    SVC_READ(s, c, st, err, DB(c, ops, config_get, k->kind, a, json, &at, &by));
    *imported = st == BH_OK;
    if (st == BH_NOT_FOUND) {
        size_t len;
        *json = k->builtin(&len);
        return BH_OK;
    }
    return st ? bh_fail(err, st, "", "读取%s失败，请稍后重试", k->what) : BH_OK;
}

bh_status_t svc_doc_text(svc_t *s, svc_doc_t *d, arena_t *a, const char **json, bool *imported,
                         bh_err_t *err)
{
    return doc_text(s, d->k, a, json, imported, err);
}

/* Put the stored document in force if it is not already.  The store is
 * read and the text parsed outside the lock: requests never wait on it. */
bh_status_t svc_doc_refresh(svc_t *s, svc_doc_t *d, bh_err_t *err)
{
    arena_t *a = arena_new();
    const char *text;
    bool imported, seen;
    void *parsed;
    bh_status_t st = doc_text(s, d->k, a, &text, &imported, err);
    if (st == BH_OK) {
        /* in force already, or known not to parse (said once) */
        pthread_mutex_lock(&d->mu);
        seen = (d->text && strcmp(d->text, text) == 0) || (d->bad && strcmp(d->bad, text) == 0);
        pthread_mutex_unlock(&d->mu);
        if (!seen) {
            st = d->k->parse(text, strlen(text), &parsed, err);
            pthread_mutex_lock(&d->mu);
            if (st == BH_OK) {
                install(d, parsed, xstrdup(text));
            } else {
                free(d->bad);
                d->bad = xstrdup(text);
            }
            pthread_mutex_unlock(&d->mu);
        }
    }
    arena_free(a);
    return st;
}

const void *svc_doc_current(svc_t *s, svc_doc_t *d, bh_err_t *err)
{
    const void *cfg;
    pthread_mutex_lock(&d->mu);
    cfg = d->cfg;
    pthread_mutex_unlock(&d->mu);
    if (!cfg && svc_doc_refresh(s, d, err) == BH_OK) { /* not loaded at start (svc_load_configs) */
        pthread_mutex_lock(&d->mu);
        cfg = d->cfg;
        pthread_mutex_unlock(&d->mu);
    }
    return cfg;
}

bh_status_t svc_load_configs(svc_t *s, bh_err_t *err)
{
    bh_status_t st = svc_doc_refresh(s, s->patrol, err);
    if (st == BH_OK)
        st = svc_doc_refresh(s, s->targets, err);
    return st ? st : svc_doc_refresh(s, s->notify, err);
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
        install(d, cfg, text);
        pthread_mutex_unlock(&d->mu);
    } else {
        d->k->release(cfg);
        free(text);
    }
    return st;
}
