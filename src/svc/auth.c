/*
 * auth.c - users, password hashes (argon2id, libsodium) and sessions
 * (random opaque tokens; only their SHA-256 is stored).
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "svc/svc.h"
#include "util/dynbuf.h"

/* argon2id cost: 2 passes over 19 MiB (the OWASP minimum for argon2id). */
#define PW_OPSLIMIT 2
#define PW_MEMLIMIT (19u * 1024 * 1024)
#define TOKEN_BYTES 32

/*
 * Login throttling: exponential backoff, never a lock-out.  Failures are
 * counted under three keys - the account from this address, the account
 * from anywhere, the address for any account - and each key lets a few
 * failures pass, then makes the next attempt wait 1, 2, 4 ... seconds up
 * to a cap.  A guesser at one address is slowed to a crawl on that pair;
 * the account's own owner, from another address, waits at most
 * ACCOUNT_CAP even when the account is attacked from everywhere; the
 * address key catches one client sweeping many accounts.  Behind a
 * reverse proxy the address is the client's only when the proxy is named
 * in trusted_proxies (api/).  Kept in memory (a restart forgets), in a
 * small table whose longest-quiet entry makes room; a key quiet for
 * FORGET_MS starts over.
 */
#define PAIR_FREE 5
#define PAIR_CAP_S (15 * 60)
#define ACCOUNT_FREE 10
#define ACCOUNT_CAP_S 30
#define ADDRESS_FREE 30
#define ADDRESS_CAP_S (15 * 60)
#define FORGET_MS (60 * DT_MINUTE_MS)
#define THROTTLE_SLOTS 1024

static struct {
    char key[160];
    int fails;
    dt_ms_t last;
} throttle[THROTTLE_SLOTS];
static pthread_mutex_t throttle_mu = PTHREAD_MUTEX_INITIALIZER;

/* The slot for key (created if 'create'), or -1.  Caller holds the lock. */
static int slot(const char *key, bool create, dt_ms_t now)
{
    int oldest = 0;
    for (int i = 0; i < THROTTLE_SLOTS; i++) {
        if (throttle[i].key[0] && strcmp(throttle[i].key, key) == 0) {
            if (now - throttle[i].last > FORGET_MS)
                throttle[i].fails = 0;
            return i;
        }
        if (throttle[i].last < throttle[oldest].last)
            oldest = i;
    }
    if (!create)
        return -1;
    snprintf(throttle[oldest].key, sizeof throttle[oldest].key, "%s", key);
    throttle[oldest].fails = 0;
    throttle[oldest].last = now;
    return oldest;
}

/* Seconds the key must still wait before its next attempt, or 0. */
static int backoff_left(const char *key, int free, int cap_s, dt_ms_t now)
{
    int i, left = 0;
    pthread_mutex_lock(&throttle_mu);
    if ((i = slot(key, false, now)) >= 0 && throttle[i].fails >= free) {
        int k = throttle[i].fails - free;
        int64_t wait_s = k >= 20 ? cap_s : (1LL << k) < cap_s ? (1LL << k) : cap_s;
        dt_ms_t until = throttle[i].last + wait_s * 1000;
        if (until > now)
            left = (int)((until - now + 999) / 1000);
    }
    pthread_mutex_unlock(&throttle_mu);
    return left;
}

static void count_failure(const char *key, dt_ms_t now)
{
    int i;
    pthread_mutex_lock(&throttle_mu);
    i = slot(key, true, now);
    throttle[i].fails++;
    throttle[i].last = now;
    pthread_mutex_unlock(&throttle_mu);
}

static void forget(const char *key, dt_ms_t now)
{
    int i;
    pthread_mutex_lock(&throttle_mu);
    if ((i = slot(key, false, now)) >= 0)
        throttle[i].fails = 0;
    pthread_mutex_unlock(&throttle_mu);
}

/*
 * The password-hashing gate: each argon2id computation takes PW_MEMLIMIT
 * of memory, so at most PW_CONCURRENT run at once (a thousand concurrent
 * logins would otherwise want 19 GiB); the others wait up to PW_WAIT_S,
 * then get BH_UNAVAILABLE.  The counters feed /metrics.
 */
#define PW_CONCURRENT 4
#define PW_WAIT_S 10

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC (gate_init) */
    int inflight, inflight_max;
    int64_t verified, refused;
} gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0};
static pthread_once_t gate_once = PTHREAD_ONCE_INIT;

static void gate_init(void)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&gate.cv, &ca);
    pthread_condattr_destroy(&ca);
}

static bool gate_enter(void)
{
    struct timespec ts;
    bool ok = true;
    pthread_once(&gate_once, gate_init);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += PW_WAIT_S;
    pthread_mutex_lock(&gate.mu);
    while (gate.inflight >= PW_CONCURRENT && ok)
        ok = pthread_cond_timedwait(&gate.cv, &gate.mu, &ts) == 0 || gate.inflight < PW_CONCURRENT;
    if (ok) {
        gate.inflight++;
        if (gate.inflight > gate.inflight_max)
            gate.inflight_max = gate.inflight;
    } else {
        gate.refused++;
    }
    pthread_mutex_unlock(&gate.mu);
    return ok;
}

static void gate_leave(void)
{
    pthread_mutex_lock(&gate.mu);
    gate.inflight--;
    gate.verified++;
    pthread_cond_signal(&gate.cv);
    pthread_mutex_unlock(&gate.mu);
}

void svc_auth_metrics_text(dynbuf_t *b)
{
    pthread_mutex_lock(&gate.mu);
    dynbuf_printf(b,
                  "# HELP bihuan_pwhash_total Password hashes computed (argon2id).\n"
                  "# TYPE bihuan_pwhash_total counter\nbihuan_pwhash_total %lld\n"
                  "# HELP bihuan_pwhash_refused_total Logins refused because hashing was saturated.\n"
                  "# TYPE bihuan_pwhash_refused_total counter\nbihuan_pwhash_refused_total %lld\n"
                  "# HELP bihuan_pwhash_inflight_max Most password hashes computed at once.\n"
                  "# TYPE bihuan_pwhash_inflight_max gauge\nbihuan_pwhash_inflight_max %d\n",
                  (long long)gate.verified, (long long)gate.refused, gate.inflight_max);
    pthread_mutex_unlock(&gate.mu);
}

/* Unknown and inactive users are checked against this hash, so that they
 * take as long to refuse as a wrong password (no user enumeration by
 * timing). */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    unsigned char pw[16];
    randombytes_buf(pw, sizeof pw);
    if (crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof pw, PW_OPSLIMIT, PW_MEMLIMIT) != 0)
        dummy_hash[0] = '\0';
}

/* Verify through the gate: 1 match, 0 mismatch, -1 saturated.  Without
 * a hash (the dummy could not be made) the same work is done anyway, so
 * the answer takes as long. */
static int verify_password(const char *hash, const char *password)
{
    int ok = 0;
    if (!gate_enter())
        return -1;
    if (hash && *hash) {
        ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    } else {
        char scratch[crypto_pwhash_STRBYTES];
        if (crypto_pwhash_str(scratch, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT) != 0)
            ok = 0; /* the answer is "no" either way */
    }
    gate_leave();
    return ok;
}

bool svc_token_equal(const char *a, const char *b)
{
    unsigned char ha[32], hb[32];
    /* Compare digests so the time depends on neither length nor content. */
    crypto_hash_sha256(ha, (const unsigned char *)a, strlen(a));
    crypto_hash_sha256(hb, (const unsigned char *)b, strlen(b));
    return sodium_memcmp(ha, hb, sizeof ha) == 0;
}

dt_ms_t svc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (dt_ms_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bh_status_t svc_hash_password(const char *password, arena_t *a, const char **out,
                              bh_err_t *err)
{
    char *h = arena_alloc(a, crypto_pwhash_STRBYTES);
    int rc;
    if (!gate_enter())
        return bh_fail(err, BH_UNAVAILABLE, "", "服务器繁忙（密码运算排队已满），请稍后再试");
    rc = crypto_pwhash_str(h, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT);
    gate_leave();
    if (rc != 0)
        return bh_fail(err, BH_INTERNAL, "", "计算密码散列失败（内存不足？）");
    *out = h;
    return BH_OK;
}

struct user_put {
    db_user_t u;
    const char *actor;
    bool create_only; /* BH_CONFLICT if the user exists (decided in the transaction) */
    char unit_buf[64];  /* an enterprise account's unit (its object's grid): outlives the arena */
};

static bh_status_t user_put_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct user_put *p = ctx;
    arena_t *a = arena_new();
    db_unit_t unit;
    db_user_t old;
    bh_status_t st, had;

    /* An enterprise account is bound to its enterprise: its unit is the
     * enterprise's grid.  Nobody else is bound to an object. */
    if ((role_from_name(p->u.role) == ROLE_ENTERPRISE) != (p->u.object_id != 0)) {
        arena_free(a);
        return bh_fail(err, BH_INVALID_ARGUMENT, "object",
                       p->u.object_id ? "只有企业账号（enterprise）绑定管理对象"
                                      : "企业账号须绑定其企业（object：管理对象 id）");
    }
    if (p->u.object_id) {
        db_object_t o;
        if ((st = DB(c, registry, object_get, p->u.object_id, a, &o)) != BH_OK ||
            strcmp(o.kind, "enterprise") != 0 || !o.active) {
            arena_free(a);
            return st && st != BH_NOT_FOUND
                       ? bh_fail(err, st, "", "读取管理对象失败")
                       : bh_fail(err, BH_INVALID_ARGUMENT, "object", "管理对象 %lld 不存在、不是企业或已停用",
                                 (long long)p->u.object_id);
        }
        snprintf(p->unit_buf, sizeof p->unit_buf, "%s", o.grid);
        p->u.unit = p->unit_buf;
    }
    st = DB(c, registry, unit_get, p->u.unit, a, &unit);
    if (st != BH_OK) {
        arena_free(a);
        return bh_fail(err, st == BH_NOT_FOUND ? BH_INVALID_ARGUMENT : st, "unit",
                       "单位“%s”不存在", p->u.unit);
    }
    had = DB(c, auth, user_get, p->u.username, a, &old);
    if (had != BH_OK && had != BH_NOT_FOUND) {
        arena_free(a);
        return bh_fail(err, had, "", "读取用户失败");
    }
    if (had == BH_OK && p->create_only) {
        arena_free(a);
        return bh_fail(err, BH_CONFLICT, "username", "用户名已存在");
    }
    if (had == BH_OK && old.object_id != p->u.object_id) {
        arena_free(a);
        return bh_fail(err, BH_FAILED_PRECONDITION, "object", "账号绑定的企业不能更改，请新建账号");
    }
    st = DB(c, auth, user_put, &p->u, err);
    /* A new password (a reset by `bihuan user add`, a ledger row) or a
     * deactivation ends the user's sessions, as svc_user_update does. */
    if (st == BH_OK && had == BH_OK &&
        (!p->u.active || !old.pwhash || !p->u.pwhash || strcmp(old.pwhash, p->u.pwhash) != 0))
        st = DB(c, auth, session_del_user, old.id);
    arena_free(a);
    if (st)
        return st;
    /* The password hash stays out of the log. */
    return svc_audit(c, p->actor, "user.put", p->u.username,
                     json_pack("{s:{s:s, s:s, s:b}}", "after", "role", p->u.role, "unit", p->u.unit,
                               "active", p->u.active));
}

static bh_status_t user_check(const char *username, const char *role, const char *password,
                              bh_err_t *err)
{
    size_t n = username ? strlen(username) : 0;
    if (n == 0 || n > 64 || strspn(username, "abcdefghijklmnopqrstuvwxyz"
                                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
        return bh_fail(err, BH_INVALID_ARGUMENT, "username",
                       "用户名须为1到64个英文字母、数字或 _ . -");
    if (role_from_name(role) < 0)
        return bh_fail(err, BH_INVALID_ARGUMENT, "role",
                       "未知角色“%s”（可选 admin leader operator handler reporter public enterprise）",
                       role ? role : "");
    if (password && strlen(password) < 8)
        return bh_fail(err, BH_INVALID_ARGUMENT, "password", "密码至少8个字符");
    if (password && strlen(password) > 1024)
        return bh_fail(err, BH_INVALID_ARGUMENT, "password", "密码过长");
    return BH_OK;
}

static bh_status_t user_put(svc_t *s, const char *actor, const char *username,
                            const char *password, const char *role, const char *unit,
                            const char *display_name, const char *phone, int64_t object_id,
                            bool create_only, bh_err_t *err)
{
    struct user_put p = {{0}, actor, create_only, ""};
    arena_t *a;
    bh_status_t st;

    if ((st = user_check(username, role, password, err)))
        return st;
    if (!password)
        return bh_fail(err, BH_INVALID_ARGUMENT, "password", "密码至少8个字符");
    a = arena_new();
    if ((st = svc_hash_password(password, a, &p.u.pwhash, err)) == BH_OK) {
        p.u.username = username;
        p.u.role = role;
        p.u.unit = unit;
        p.u.display_name = display_name;
        p.u.phone = phone;
        p.u.object_id = object_id;
        p.u.active = true;
        st = db_write(s->db, user_put_tx, &p, err);
    }
    arena_free(a);
    return st;
}

bh_status_t svc_user_put(svc_t *s, const char *actor, const char *username, const char *password,
                         const char *role, const char *unit, const char *display_name,
                         const char *phone, int64_t object_id, bh_err_t *err)
{
    return user_put(s, actor, username, password, role, unit, display_name, phone, object_id,
                    false, err);
}

bh_status_t svc_user_create(svc_t *s, const char *actor, const char *username,
                            const char *password, const char *role, const char *unit,
                            const char *display_name, const char *phone, int64_t object_id,
                            bh_err_t *err)
{
    return user_put(s, actor, username, password, role, unit, display_name, phone, object_id,
                    true, err);
}

bh_status_t svc_user_put_tx(db_conn_t *c, const char *actor, const db_user_t *in,
                            const char *password, bool *created, bh_err_t *err)
{
    struct user_put p = {*in, actor, false, ""};
    arena_t *a = arena_new();
    db_user_t old;
    bh_status_t st;

    *created = DB(c, auth, user_get, in->username, a, &old) != BH_OK;
    if ((st = user_check(in->username, in->role, password, err)))
        goto out;
    if (*created && !password) {
        st = bh_fail(err, BH_INVALID_ARGUMENT, "password", "新用户须给出初始密码（至少8个字符）");
        goto out;
    }
    if (password)
        st = svc_hash_password(password, a, &p.u.pwhash, err);
    else
        p.u.pwhash = old.pwhash;
    if (!*created) {
        if (!p.u.display_name)
            p.u.display_name = old.display_name;
        if (!p.u.phone)
            p.u.phone = old.phone;
    }
    if (st == BH_OK)
        st = user_put_tx(c, &p, err);
out:
    arena_free(a);
    return st;
}

static void token_hash(const char *token, unsigned char out[32])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

struct session_put {
    unsigned char hash[32];
    int64_t user_id;
    const char *username;
    dt_ms_t created, expires;
};

static bh_status_t session_put_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct session_put *p = ctx;
    bh_status_t st = DB(c, auth, session_put, p->hash, p->user_id, p->created, p->expires);
    (void)err;
    return st ? st : svc_audit(c, p->username, "session.login", p->username, json_pack("{}"));
}

bh_status_t svc_login(svc_t *s, const char *username, const char *password, const char *address,
                      arena_t *a, const char **token, db_user_t *user, dt_ms_t *expires,
                      bh_err_t *err)
{
    db_conn_t *c;
    unsigned char raw[TOKEN_BYTES];
    char *tok, pkey[160], akey[96], ukey[96];
    struct session_put p;
    dt_ms_t now = svc_now();
    bh_status_t st;
    int wait, ok;

    snprintf(ukey, sizeof ukey, "u:%.90s", username);
    snprintf(akey, sizeof akey, "a:%.90s", address ? address : "");
    snprintf(pkey, sizeof pkey, "p:%.90s\n%.60s", username, address ? address : "");
    if ((wait = backoff_left(pkey, PAIR_FREE, PAIR_CAP_S, now)) ||
        (wait = backoff_left(ukey, ACCOUNT_FREE, ACCOUNT_CAP_S, now)) ||
        (address && (wait = backoff_left(akey, ADDRESS_FREE, ADDRESS_CAP_S, now))))
        return bh_fail(err, BH_RATE_LIMITED, "username",
                       "登录失败次数过多，请 %d 秒后再试", wait);
    if ((st = svc_reader(s, &c, err)))
        return st;
    st = DB(c, auth, user_get, username, a, user);
    db_reader_done(s->db, c);
    if (st != BH_OK && st != BH_NOT_FOUND)
        return bh_fail(err, BH_UNAVAILABLE, "", "读取用户失败，请稍后再试");
    pthread_once(&dummy_once, make_dummy);
    /* The same argon2id work whether or not the user exists. */
    ok = verify_password(st == BH_OK && user->active ? user->pwhash : dummy_hash, password);
    if (ok < 0)
        return bh_fail(err, BH_UNAVAILABLE, "", "登录请求过多，请稍后再试");
    if (st != BH_OK || !user->active || !ok) {
        count_failure(pkey, now);
        count_failure(ukey, now);
        if (address)
            count_failure(akey, now);
        return bh_fail(err, BH_UNAUTHENTICATED, "password", "用户名或密码错误");
    }
    forget(pkey, now);
    forget(ukey, now);
    randombytes_buf(raw, sizeof raw);
    tok = arena_alloc(a, sodium_base64_ENCODED_LEN(TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING) + 3);
    memcpy(tok, "bh_", 3);
    sodium_bin2base64(tok + 3, sodium_base64_ENCODED_LEN(TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                      raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    token_hash(tok, p.hash);
    p.user_id = user->id;
    p.username = user->username;
    p.created = svc_now();
    p.expires = p.created + s->session_ttl_ms;
    if ((st = db_write(s->db, session_put_tx, &p, err)) != BH_OK)
        return st;
    *token = tok;
    *expires = p.expires;
    return BH_OK;
}

struct session_touch {
    unsigned char hash[32];
    dt_ms_t at;
};

static bh_status_t session_touch_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct session_touch *t = ctx;
    (void)err;
    return DB(c, auth, session_touch, t->hash, t->at);
}

/* A session used more recently than this is not written again (a write
 * per request would cost an fsync): a minute, or a quarter of a shorter
 * idle timeout, so the idle clock never ends a session in use. */
static int64_t touch_every(const svc_t *s)
{
    return s->session_idle_ms > 0 && s->session_idle_ms / 4 < DT_MINUTE_MS ? s->session_idle_ms / 4
                                                                           : DT_MINUTE_MS;
}

bh_status_t svc_authenticate(svc_t *s, const char *token, arena_t *a, svc_user_t *out,
                             bh_err_t *err)
{
    unsigned char h[32];
    db_conn_t *c;
    db_user_t u;
    bh_status_t st;
    dt_ms_t now, last_used = 0;
    int role;

    if (token && strncmp(token, "bhk_", 4) == 0)
        return svc_apikey_auth(s, token, a, out, err);
    if (!token || strncmp(token, "bh_", 3) != 0 || strlen(token) > 128)
        return bh_fail(err, BH_UNAUTHENTICATED, "Authorization", "缺少或无效的访问令牌，请先登录");
    token_hash(token, h);
    now = svc_now();
    if ((st = svc_reader(s, &c, err)))
        return st;
    st = DB(c, auth, session_get, h, now, s->session_idle_ms > 0 ? now - s->session_idle_ms : 0, a, &u,
            &last_used);
    db_reader_done(s->db, c);
    if (st != BH_OK && st != BH_NOT_FOUND)
        return bh_fail(err, BH_UNAVAILABLE, "", "读取会话失败，请稍后再试");
    if (st != BH_OK || (role = role_from_name(u.role)) < 0)
        return bh_fail(err, BH_UNAUTHENTICATED, "Authorization", "登录已过期或令牌无效，请重新登录");
    if (now - last_used >= touch_every(s)) {
        struct session_touch t;
        memcpy(t.hash, h, sizeof h);
        t.at = now;
        (void)db_write(s->db, session_touch_tx, &t, NULL); /* best effort: it only delays the idle end */
    }
    memset(out, 0, sizeof *out);
    out->id = u.id;
    out->username = u.username;
    out->role = (bh_role_t)role;
    out->unit = u.unit;
    out->object_id = u.object_id;
    return BH_OK;
}

struct session_del {
    unsigned char hash[32];
};

static bh_status_t session_del_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    (void)err;
    return DB(c, auth, session_del, ((struct session_del *)ctx)->hash);
}

bh_status_t svc_logout(svc_t *s, const char *token)
{
    struct session_del d;
    token_hash(token, d.hash);
    return db_write(s->db, session_del_tx, &d, NULL);
}

struct user_update {
    const char *actor, *username, *role, *unit, *password_hash;
    int active; /* -1 keep */
};

static bh_status_t user_update_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct user_update *x = ctx;
    arena_t *a = arena_new();
    db_user_t u;
    db_unit_t unit;
    bh_status_t st;

    if (DB(c, auth, user_get, x->username, a, &u) != BH_OK) {
        st = bh_fail(err, BH_NOT_FOUND, "username", "用户“%s”不存在", x->username);
        goto out;
    }
    if (x->unit && DB(c, registry, unit_get, x->unit, a, &unit) != BH_OK) {
        st = bh_fail(err, BH_INVALID_ARGUMENT, "unit", "单位“%s”不存在", x->unit);
        goto out;
    }
    if ((x->role && (role_from_name(x->role) == ROLE_ENTERPRISE) != (u.object_id != 0)) ||
        (x->unit && u.object_id)) {
        st = bh_fail(err, BH_FAILED_PRECONDITION, x->role ? "role" : "unit",
                     "企业账号绑定其企业：不能改为其他角色或单位，其他账号也不能改为企业账号（请新建）");
        goto out;
    }
    if (x->role)
        u.role = x->role;
    if (x->unit)
        u.unit = x->unit;
    if (x->active >= 0)
        u.active = x->active;
    if (x->password_hash)
        u.pwhash = x->password_hash;
    if ((st = DB(c, auth, user_put, &u, err)))
        goto out;
    /* A new password or a deactivation ends every session of the user:
     * whoever held the old password is out. */
    if ((x->password_hash || !u.active) && (st = DB(c, auth, session_del_user, u.id)))
        goto out;
    st = svc_audit(c, x->actor, "user.update", u.username,
                   json_pack("{s:{s:s, s:s, s:b, s:b}}", "after", "role", u.role, "unit", u.unit,
                             "active", u.active, "password_changed", x->password_hash != NULL));
out:
    arena_free(a);
    return st;
}

bh_status_t svc_user_update(svc_t *s, const char *actor, const char *username, const char *role,
                            const char *unit, int active, const char *password, bh_err_t *err)
{
    struct user_update x = {actor, username, role, unit, NULL, active};
    arena_t *a = arena_new();
    bh_status_t st = BH_OK;

    if (role && role_from_name(role) < 0)
        st = bh_fail(err, BH_INVALID_ARGUMENT, "role", "未知角色“%s”", role);
    else if (password && (strlen(password) < 8 || strlen(password) > 1024))
        st = bh_fail(err, BH_INVALID_ARGUMENT, "password", "密码须为8到1024个字符");
    else if (!password || (st = svc_hash_password(password, a, &x.password_hash, err)) == BH_OK)
        st = db_write(s->db, user_update_tx, &x, err);
    arena_free(a);
    return st;
}
