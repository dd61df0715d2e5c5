/*
 * registry.c - geography (grid polygons, locating a point) and API keys.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "geo/crs.h"
#include "geo/geo.h"
#include "svc/svc.h"

/* ---- geometry ---- */

struct geom_put {
    const char *unit, *geojson;
    double bbox[4];
};

static bh_status_t geom_put_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct geom_put *g = ctx;
    arena_t *a = arena_new();
    db_unit_t u;
    bh_status_t st = DB(c, unit_get, g->unit, a, &u);
    arena_free(a);
    if (st != BH_OK)
        return bh_fail(err, BH_NOT_FOUND, "code", "单位“%s”不存在", g->unit);
    return DB(c, geometry_put, g->unit, g->geojson, g->bbox, err);
}

bh_status_t svc_geometry_put(svc_t *s, const char *unit, const char *geojson, size_t len,
                             bh_err_t *err)
{
    struct geom_put g = {unit, geojson, {0}};
    bh_status_t st = geo_validate(geojson, len, g.bbox, err);
    if (st)
        return st;
    return db_write(s->db, geom_put_tx, &g, err);
}

bh_status_t svc_locate(svc_t *s, double lng, double lat, arena_t *a, const char **unit,
                       bh_err_t *err)
{
    db_conn_t *c = db_reader(s->db);
    const char **units, **shapes;
    int n;
    bh_status_t st = DB(c, geometry_candidates, lng, lat, a, &units, &shapes, &n);

    db_reader_done(s->db, c);
    *unit = NULL;
    if (st)
        return bh_fail(err, st, "location", "定位失败");
    /* Candidates come in code order; a deeper unit (longer code) wins. */
    for (int i = 0; i < n; i++) {
        bool inside;
        if (geo_contains(shapes[i], lng, lat, &inside, err) != BH_OK)
            continue;
        if (inside && (!*unit || strlen(units[i]) > strlen(*unit)))
            *unit = units[i];
    }
    if (!*unit)
        return bh_fail(err, BH_NOT_FOUND, "location",
                       "坐标（经度 %.6f，纬度 %.6f）不在任何网格内", lng, lat);
    return BH_OK;
}

/* ---- API keys ---- */

#define KEY_BYTES 32

struct key_put {
    const char *name, *role, *unit;
    unsigned char hash[32];
};

static bh_status_t key_put_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct key_put *k = ctx;
    arena_t *a = arena_new();
    db_unit_t u;
    bh_status_t st = DB(c, unit_get, k->unit, a, &u);
    arena_free(a);
    if (st != BH_OK)
        return bh_fail(err, BH_INVALID_ARGUMENT, "unit", "单位“%s”不存在", k->unit);
    st = DB(c, apikey_put, k->name, k->hash, k->role, k->unit, svc_now(), err);
    if (st == BH_CONFLICT)
        return bh_fail(err, BH_CONFLICT, "name", "已有名为“%s”的 API 密钥", k->name);
    return st;
}

bh_status_t svc_apikey_add(svc_t *s, const char *name, const char *role, const char *unit,
                           arena_t *a, const char **key, bh_err_t *err)
{
    struct key_put k = {name, role, unit, {0}};
    unsigned char raw[KEY_BYTES];
    size_t enc = sodium_base64_ENCODED_LEN(KEY_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out;
    bh_status_t st;

    if (!name || !*name || strlen(name) > 64)
        return bh_fail(err, BH_INVALID_ARGUMENT, "name", "密钥名称须为1到64个字符");
    if (role_from_name(role) < 0 || strcmp(role, "admin") == 0)
        return bh_fail(err, BH_INVALID_ARGUMENT, "role",
                       "API 密钥的角色应为 leader operator handler reporter public 之一");
    randombytes_buf(raw, sizeof raw);
    out = arena_alloc(a, enc + 4);
    memcpy(out, "bhk_", 4);
    sodium_bin2base64(out + 4, enc, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_hash_sha256(k.hash, (const unsigned char *)out, strlen(out));
    if ((st = db_write(s->db, key_put_tx, &k, err)))
        return st;
    *key = out;
    return BH_OK;
}

struct key_revoke {
    const char *name;
};

static bh_status_t key_revoke_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    const char *name = ((struct key_revoke *)ctx)->name;
    if (DB(c, apikey_revoke, name, svc_now()) != BH_OK)
        return bh_fail(err, BH_NOT_FOUND, "name", "没有名为“%s”的有效 API 密钥", name);
    return BH_OK;
}

bh_status_t svc_apikey_revoke(svc_t *s, const char *name, bh_err_t *err)
{
    struct key_revoke r = {name};
    return db_write(s->db, key_revoke_tx, &r, err);
}

struct key_touch {
    int64_t id;
};

static bh_status_t key_touch_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    (void)err;
    return DB(c, apikey_touch, ((struct key_touch *)ctx)->id, svc_now());
}

bh_status_t svc_apikey_auth(svc_t *s, const char *key, arena_t *a, svc_user_t *out, bh_err_t *err)
{
    unsigned char h[32];
    db_apikey_t k;
    db_conn_t *c;
    bh_status_t st;
    int role;

    if (!key || strncmp(key, "bhk_", 4) != 0 || strlen(key) > 128)
        return bh_fail(err, BH_UNAUTHENTICATED, "api_key", "API 密钥无效");
    crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
    c = db_reader(s->db);
    st = DB(c, apikey_get, h, a, &k);
    db_reader_done(s->db, c);
    if (st != BH_OK || (role = role_from_name(k.role)) < 0)
        return bh_fail(err, BH_UNAUTHENTICATED, "api_key", "API 密钥无效或已吊销");
    /* Record use at most once a minute: a write per request would cost more
     * than the request. */
    if (svc_now() - k.last_used_at > 60000) {
        struct key_touch t = {k.id};
        db_write(s->db, key_touch_tx, &t, NULL);
    }
    out->id = -k.id;
    out->username = arena_printf(a, "apikey:%s", k.name);
    out->role = (bh_role_t)role;
    out->unit = k.unit;
    return BH_OK;
}
