/*
 * audit.c - the hash-chained audit log.
 *
 * Row n stores hash_n = SHA-256(hash_{n-1} || canonical JSON of the row),
 * where the canonical JSON is {"action","actor","at","detail","object",
 * "seq"} with sorted keys and no spaces, and hash_0 is 32 zero bytes.
 * Changing, deleting or reordering any row breaks the chain at that row.
 *
 * Concurrent writers: the log is a set of chains ("lanes"), each with its
 * own seq from 1 and its own hash_0.  The store appends a row atomically
 * - it locks the lane's head, assigns seq and prev_hash, lets us hash, and
 * inserts (db.h audit_append) - so transactions on different lanes never
 * wait for each other and two on one lane cannot fork it.  SQLite, with
 * one writer, uses lane 0 only; a row's canonical JSON names its lane
 * when it is not 0 ("lane" sorts between "detail" and "object").
 * docs/STORE.md has the design.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/svc.h"
#include "util/dynbuf.h"

/* hash = SHA-256(prev || canonical(row)) with the detail as JSON. */
static void hash_with(const db_audit_t *r, json_t *detail, unsigned char out[32])
{
    json_t *o;
    char *canon;
    crypto_hash_sha256_state st;

    o = json_pack("{s:I, s:I, s:s?, s:s?, s:s?, s:o}", "seq", (json_int_t)r->seq, "at",
                  (json_int_t)r->at, "actor", r->actor, "action", r->action, "object", r->object,
                  "detail", json_incref(detail));
    if (r->lane) /* rows of lane 0 (all of SQLite's) hash as they always did */
        json_object_set_new(o, "lane", json_integer(r->lane));
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
static void put_json_string(dynbuf_t *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF"; /* jansson writes \u001F */
    const char *run;
    if (!s) {
        dynbuf_addstr(b, "null");
        return;
    }
    dynbuf_add(b, "\"", 1);
    for (run = s; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        char esc[7];
        size_t n = 2;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        dynbuf_add(b, run, (size_t)(s - run));
        esc[0] = '\\';
        switch (ch) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[ch >> 4];
            esc[5] = hex[ch & 15];
            n = 6;
        }
        dynbuf_add(b, esc, n);
        run = s + 1;
    }
    dynbuf_add(b, run, (size_t)(s - run));
    dynbuf_add(b, "\"", 1);
}

/* A canonical row is at most this long; a larger detail is refused. */
#define AUDIT_ROW_MAX (16u << 20)

/*
 * The canonical row built directly: keys in sorted order (action, actor,
 * at, detail, [lane,] object, seq), 'detail' already canonical text.  Byte
 * for byte what hash_with's jansson dump gives, which the verifier uses;
 * the audit tests would catch any difference.  Called by the store with
 * the row's lane, seq and prev_hash assigned.
 */
static bh_status_t fast_hash(db_audit_t *r, void *ctx)
{
    dynbuf_t b;
    crypto_hash_sha256_state st;
    (void)ctx;

    dynbuf_init(&b, AUDIT_ROW_MAX);
    dynbuf_addstr(&b, "{\"action\":");
    put_json_string(&b, r->action);
    dynbuf_addstr(&b, ",\"actor\":");
    put_json_string(&b, r->actor);
    dynbuf_printf(&b, ",\"at\":%lld,\"detail\":", (long long)r->at);
    dynbuf_addstr(&b, r->detail);
    if (r->lane)
        dynbuf_printf(&b, ",\"lane\":%d", r->lane);
    dynbuf_addstr(&b, ",\"object\":");
    put_json_string(&b, r->object);
    dynbuf_printf(&b, ",\"seq\":%lld}", (long long)r->seq);
    if (dynbuf_failed(&b)) {
        dynbuf_free(&b);
        return BH_PAYLOAD_TOO_LARGE;
    }
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, r->prev_hash, 32);
    crypto_hash_sha256_update(&st, (const unsigned char *)dynbuf_str(&b), dynbuf_len(&b));
    crypto_hash_sha256_final(&st, r->hash);
    dynbuf_free(&b);
    return BH_OK;
}

/* Append a row whose detail is already canonical text (takes 'text').
 * The store links it into the chain atomically (db.h audit_append). */
static bh_status_t append(db_conn_t *c, const char *actor, const char *action,
                          const char *object, char *text)
{
    db_audit_t r;
    bh_status_t st;

    if (!text)
        return BH_INTERNAL;
    memset(&r, 0, sizeof r);
    r.at = svc_now();
    r.actor = actor;
    r.action = action;
    r.object = object;
    r.detail = text;
    st = DB(c, audit, audit_append, &r, fast_hash, NULL);
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
    dynbuf_t b;
    qsort(f, (size_t)n, sizeof *f, by_key);
    dynbuf_init(&b, AUDIT_ROW_MAX);
    dynbuf_addstr(&b, "{\"after\":{");
    for (int i = 0; i < n; i++) {
        if (i)
            dynbuf_add(&b, ",", 1);
        put_json_string(&b, f[i].key);
        dynbuf_add(&b, ":", 1);
        if (f[i].is_bool)
            dynbuf_addstr(&b, f[i].value ? "true" : "false");
        else
            put_json_string(&b, f[i].value);
    }
    dynbuf_addstr(&b, "}}");
    if (dynbuf_failed(&b)) {
        dynbuf_free(&b);
        return BH_PAYLOAD_TOO_LARGE;
    }
    return append(c, actor, action, object, dynbuf_take(&b));
}

struct verify {
    int64_t expect_seq, rows;
    int lane;
    unsigned char prev[32];
    svc_audit_result_t *out;
};

/* Rows come lane by lane, each lane in seq order: every lane is a chain
 * of its own, from seq 1 and a zero hash. */
static bh_status_t verify_row(const db_audit_t *r, void *ctx)
{
    struct verify *v = ctx;
    unsigned char h[32];

    v->rows++;
    if (r->lane != v->lane) {
        if (r->lane < v->lane) {
            v->out->bad_seq = r->seq;
            snprintf(v->out->why, sizeof v->out->why, "审计记录的分链顺序错乱（第%d链）", r->lane);
            return BH_FAILED_PRECONDITION;
        }
        v->lane = r->lane;
        v->expect_seq = 1;
        memset(v->prev, 0, sizeof v->prev);
    }
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
    struct verify v = {1, 0, 0, {0}, out};
    db_conn_t *c;
    bh_status_t st;

    memset(out, 0, sizeof *out);
    if (db_reader(s->db, &c) != BH_OK) {
        snprintf(out->why, sizeof out->why, "数据库繁忙（没有空闲的读连接）：未能校验");
        return BH_UNAVAILABLE;
    }
    st = DB(c, audit, audit_walk, verify_row, &v);
    db_reader_done(s->db, c);
    out->rows = v.rows;
    if (st != BH_OK && st != BH_FAILED_PRECONDITION && !out->why[0])
        snprintf(out->why, sizeof out->why, "审计日志未能读完（第%lld条之后读取出错）：不能判定完好",
                 (long long)v.rows);
    return st;
}
