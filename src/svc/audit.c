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

/* hash = SHA-256(prev || canonical(row)) with the detail as JSON. */
static void hash_with(const db_audit_t *r, json_t *detail, unsigned char out[32])
{
    json_t *o;
    char *canon;
    crypto_hash_sha256_state st;

    o = json_pack("{s:I, s:I, s:s?, s:s?, s:s?, s:o}", "seq", (json_int_t)r->seq, "at",
                  (json_int_t)r->at, "actor", r->actor, "action", r->action, "object", r->object,
                  "detail", json_incref(detail));
    canon = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(o);
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, r->prev_hash, 32);
    crypto_hash_sha256_update(&st, (const unsigned char *)canon, strlen(canon));
    crypto_hash_sha256_final(&st, out);
    free(canon);
}

/* The same from the stored text; false if detail is not JSON. */
static bool row_hash(const db_audit_t *r, unsigned char out[32])
{
    json_error_t je;
    json_t *detail = json_loads(r->detail ? r->detail : "null", JSON_DECODE_ANY, &je);
    if (!detail)
        return false;
    hash_with(r, detail, out);
    json_decref(detail);
    return true;
}

/* Append s as a JSON string, escaped exactly as jansson does by default
 * (", \\ and control characters; UTF-8 passes through; '/' is not). */
static void put_json_string(char **p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF"; /* jansson writes \u001F */
    char *o = *p;
    if (!s) {
        memcpy(o, "null", 4);
        *p = o + 4;
        return;
    }
    *o++ = '"';
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        switch (ch) {
        case '"': *o++ = '\\'; *o++ = '"'; break;
        case '\\': *o++ = '\\'; *o++ = '\\'; break;
        case '\b': *o++ = '\\'; *o++ = 'b'; break;
        case '\f': *o++ = '\\'; *o++ = 'f'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        case '\t': *o++ = '\\'; *o++ = 't'; break;
        default:
            if (ch < 0x20) {
                memcpy(o, "\\u00", 4);
                o[4] = hex[ch >> 4];
                o[5] = hex[ch & 15];
                o += 6;
            } else {
                *o++ = (char)ch;
            }
        }
    }
    *o++ = '"';
    *p = o;
}

/*
 * The canonical row built directly: keys in sorted order (action, actor,
 * at, detail, object, seq), 'detail' already canonical text.  Byte for byte
 * what hash_with's jansson dump gives, which the verifier uses; the audit
 * tests would catch any difference.
 */
static void fast_hash(const db_audit_t *r, unsigned char out[32])
{
    size_t n = 96 + strlen(r->detail) + 6 * (strlen(r->actor ? r->actor : "") +
                                             strlen(r->action ? r->action : "") +
                                             strlen(r->object ? r->object : ""));
    char *buf = malloc(n), *p = buf;
    crypto_hash_sha256_state st;

    memcpy(p, "{\"action\":", 10), p += 10;
    put_json_string(&p, r->action);
    memcpy(p, ",\"actor\":", 9), p += 9;
    put_json_string(&p, r->actor);
    p += sprintf(p, ",\"at\":%lld,\"detail\":", (long long)r->at);
    memcpy(p, r->detail, strlen(r->detail)), p += strlen(r->detail);
    memcpy(p, ",\"object\":", 10), p += 10;
    put_json_string(&p, r->object);
    p += sprintf(p, ",\"seq\":%lld}", (long long)r->seq);
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, r->prev_hash, 32);
    crypto_hash_sha256_update(&st, (const unsigned char *)buf, (size_t)(p - buf));
    crypto_hash_sha256_final(&st, out);
    free(buf);
}

/* Append a row whose detail is already canonical text (takes 'text'). */
static bh_status_t append(db_conn_t *c, const char *actor, const char *action,
                          const char *object, char *text)
{
    db_audit_t r;
    bh_status_t st;

    if (!text)
        return BH_INTERNAL;
    memset(&r, 0, sizeof r);
    DB(c, audit_last, &r.seq, r.prev_hash);
    r.seq++;
    r.at = svc_now();
    r.actor = actor;
    r.action = action;
    r.object = object;
    r.detail = text;
    fast_hash(&r, r.hash);
    st = DB(c, audit_put, &r);
    free(text);
    return st;
}

bh_status_t svc_audit(db_conn_t *c, const char *actor, const char *action, const char *object,
                      json_t *detail)
{
    char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    json_decref(detail);
    return append(c, actor, action, object, text);
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const svc_audit_field_t *)a)->key, ((const svc_audit_field_t *)b)->key);
}

bh_status_t svc_audit_after(db_conn_t *c, const char *actor, const char *action,
                            const char *object, svc_audit_field_t *f, int n)
{
    size_t len = 16;
    char *text, *p;
    for (int i = 0; i < n; i++)
        len += 8 + strlen(f[i].key) + 6 * (f[i].value ? strlen(f[i].value) : 4);
    qsort(f, (size_t)n, sizeof *f, by_key);
    p = text = malloc(len);
    memcpy(p, "{\"after\":{", 10), p += 10;
    for (int i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        put_json_string(&p, f[i].key);
        *p++ = ':';
        if (f[i].is_bool) {
            memcpy(p, f[i].value ? "true" : "false", f[i].value ? 4 : 5);
            p += f[i].value ? 4 : 5;
        } else {
            put_json_string(&p, f[i].value);
        }
    }
    memcpy(p, "}}", 3);
    return append(c, actor, action, object, text);
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
