/*
 * audit.c - the hash-chained audit log.
 *
 * Row n stores hash_n = SHA-256(hash_{n-1} || canonical JSON of the row),
 * where the canonical JSON is {"action","actor","at","detail","object",
 * "seq"} with sorted keys and no spaces, and hash_0 is 32 zero bytes.
 * Changing, deleting or reordering any row breaks the chain at that row.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/svc.h"

/* hash = SHA-256(prev || canonical(row)); false if detail is not JSON. */
static bool row_hash(const db_audit_t *r, unsigned char out[32])
{
    json_error_t je;
    json_t *detail = json_loads(r->detail ? r->detail : "null", JSON_DECODE_ANY, &je), *o;
    char *canon;
    crypto_hash_sha256_state st;

    if (!detail)
        return false;
    o = json_pack("{s:I, s:I, s:s?, s:s?, s:s?, s:o}", "seq", (json_int_t)r->seq, "at",
                  (json_int_t)r->at, "actor", r->actor, "action", r->action, "object", r->object,
                  "detail", detail);
    canon = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(o);
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, r->prev_hash, 32);
    crypto_hash_sha256_update(&st, (const unsigned char *)canon, strlen(canon));
    crypto_hash_sha256_final(&st, out);
    free(canon);
    return true;
}

bh_status_t svc_audit(db_conn_t *c, const char *actor, const char *action, const char *object,
                      json_t *detail)
{
    db_audit_t r;
    char *text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    bh_status_t st;

    json_decref(detail);
    memset(&r, 0, sizeof r);
    DB(c, audit_last, &r.seq, r.prev_hash);
    r.seq++;
    r.at = svc_now();
    r.actor = actor;
    r.action = action;
    r.object = object;
    r.detail = text;
    if (!row_hash(&r, r.hash)) {
        free(text);
        return BH_INTERNAL;
    }
    st = DB(c, audit_put, &r);
    free(text);
    return st;
}

struct verify {
    int64_t expect_seq, rows;
    unsigned char prev[32];
    svc_audit_result_t *out;
};

static bh_status_t verify_row(const db_audit_t *r, void *ctx)
{
    struct verify *v = ctx;
    unsigned char h[32];

    v->rows++;
    if (r->seq != v->expect_seq) {
        v->out->bad_seq = r->seq;
        snprintf(v->out->why, sizeof v->out->why,
                 r->seq > v->expect_seq ? "第%lld条之前的记录被删除（应为第%lld条）"
                                        : "序号重复或倒退（第%lld条出现在第%lld条的位置）",
                 (long long)r->seq, (long long)v->expect_seq);
        return BH_FAILED_PRECONDITION;
    }
    if (memcmp(r->prev_hash, v->prev, 32) != 0) {
        v->out->bad_seq = r->seq;
        snprintf(v->out->why, sizeof v->out->why,
                 "第%lld条的前序散列与上一条不符：记录被调换顺序或替换", (long long)r->seq);
        return BH_FAILED_PRECONDITION;
    }
    if (!row_hash(r, h) || memcmp(h, r->hash, 32) != 0) {
        v->out->bad_seq = r->seq;
        snprintf(v->out->why, sizeof v->out->why, "第%lld条的内容被修改（散列不符）", (long long)r->seq);
        return BH_FAILED_PRECONDITION;
    }
    memcpy(v->prev, r->hash, 32);
    v->expect_seq++;
    return BH_OK;
}

bh_status_t svc_audit_verify(svc_t *s, svc_audit_result_t *out)
{
    struct verify v = {1, 0, {0}, out};
    db_conn_t *c = db_reader(s->db);
    bh_status_t st;

    memset(out, 0, sizeof *out);
    st = DB(c, audit_walk, verify_row, &v);
    db_reader_done(s->db, c);
    out->rows = v.rows;
    return st;
}
