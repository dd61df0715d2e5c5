/*
 * registry.c - geography (grid polygons, locating a point) and API keys.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/object.h"
#include "core/unitcode.h"
#include "geo/crs.h"
#include "geo/geo.h"
#include "geo/track.h"
#include "svc/svc.h"

/* ---- geometry ---- */

/* Does the unit exist (active or not)? */
static bool unit_exists(db_conn_t *c, const char *code)
{
    arena_t *a = arena_new();
    db_unit_t u;
    bool found = DB(c, registry, unit_get, code, a, &u) == BH_OK;
    arena_free(a);
    return found;
}

struct geom_put {
    const char *actor, *unit, *geojson;
    double bbox[4];
};

static bh_status_t geom_put_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct geom_put *g = ctx;
    bh_status_t st;
    if (!unit_exists(c, g->unit))
        return bh_fail(err, BH_NOT_FOUND, "code", "单位“%s”不存在", g->unit);
    if ((st = DB(c, registry, geometry_put, g->unit, g->geojson, g->bbox, err)))
        return st;
    return svc_audit(c, g->actor, "unit.geometry", g->unit,
                     json_pack("{s:{s:[f, f, f, f]}}", "after", "bbox", g->bbox[0], g->bbox[1],
                               g->bbox[2], g->bbox[3]));
}

bh_status_t svc_geometry_put_tx(db_conn_t *c, const char *actor, const char *unit,
                                const char *geojson, size_t len, bh_err_t *err)
{
    struct geom_put g = {actor, unit, geojson, {0}};
    bh_status_t st = geo_validate(geojson, len, g.bbox, err);
    return st ? st : geom_put_tx(c, &g, err);
}

bh_status_t svc_geometry_put(svc_t *s, const char *actor, const char *unit, const char *geojson,
                             size_t len, bh_err_t *err)
{
    struct geom_put g = {actor, unit, geojson, {0}};
    bh_status_t st = geo_validate(geojson, len, g.bbox, err);
    if (st)
        return st;
    return db_write(s->db, geom_put_tx, &g, err);
}

bh_status_t svc_locate(svc_t *s, double lng, double lat, arena_t *a, const char **unit,
                       bh_err_t *err)
{
    db_conn_t *c;
    const char **units, **shapes;
    int n;
    bh_status_t st;

    *unit = NULL;
    if ((st = svc_reader(s, &c, err)))
        return st;
    st = DB(c, registry, geometry_candidates, lng, lat, a, &units, &shapes, &n);
    db_reader_done(s->db, c);
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
    const char *actor, *name, *role, *unit;
    unsigned char hash[32];
};

static bh_status_t key_put_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct key_put *k = ctx;
    bh_status_t st;
    if (!unit_exists(c, k->unit))
        return bh_fail(err, BH_INVALID_ARGUMENT, "unit", "单位“%s”不存在", k->unit);
    st = DB(c, auth, apikey_put, k->name, k->hash, k->role, k->unit, svc_now(), err);
    if (st == BH_CONFLICT)
        return bh_fail(err, BH_CONFLICT, "name", "已有名为“%s”的 API 密钥", k->name);
    return st ? st : svc_audit(c, k->actor, "apikey.add", k->name,
                               json_pack("{s:{s:s, s:s}}", "after", "role", k->role, "unit", k->unit));
}

bh_status_t svc_apikey_add(svc_t *s, const char *actor, const char *name, const char *role,
                           const char *unit, arena_t *a, const char **key, bh_err_t *err)
{
    struct key_put k = {actor, name, role, unit, {0}};
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
    const char *actor, *name;
};

static bh_status_t key_revoke_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct key_revoke *r = ctx;
    if (DB(c, auth, apikey_revoke, r->name, svc_now()) != BH_OK)
        return bh_fail(err, BH_NOT_FOUND, "name", "没有名为“%s”的有效 API 密钥", r->name);
    return svc_audit(c, r->actor, "apikey.revoke", r->name, json_pack("{}"));
}

bh_status_t svc_apikey_revoke(svc_t *s, const char *actor, const char *name, bh_err_t *err)
{
    struct key_revoke r = {actor, name};
    return db_write(s->db, key_revoke_tx, &r, err);
}

struct key_touch {
    int64_t id;
};

static bh_status_t key_touch_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    (void)err;
    return DB(c, auth, apikey_touch, ((struct key_touch *)ctx)->id, svc_now());
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
    if ((st = svc_reader(s, &c, err)))
        return st;
    st = DB(c, auth, apikey_get, h, a, &k);
    db_reader_done(s->db, c);
    if (st != BH_OK && st != BH_NOT_FOUND)
        return bh_fail(err, BH_UNAVAILABLE, "", "读取 API 密钥失败，请稍后再试");
    if (st != BH_OK || (role = role_from_name(k.role)) < 0)
        return bh_fail(err, BH_UNAUTHENTICATED, "api_key", "API 密钥无效或已吊销");
    /* Record use at most once a minute: a write per request would cost more
     * than the request. */
    if (svc_now() - k.last_used_at > 60000) {
        struct key_touch t = {k.id};
        db_write(s->db, key_touch_tx, &t, NULL);
    }
    memset(out, 0, sizeof *out);
    out->id = -k.id;
    out->username = arena_printf(a, "apikey:%s", k.name);
    out->role = (bh_role_t)role;
    out->unit = k.unit;
    return BH_OK;
}

/* ---- the unit tree ---- */

struct unit_put {
    db_unit_t u;
    bool create;
    const char *actor;
};

static bh_status_t unit_put_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct unit_put *p = ctx;
    arena_t *a = arena_new();
    db_unit_t old, parent;
    bh_status_t st = BH_OK;
    bool exists = DB(c, registry, unit_get, p->u.code, a, &old) == BH_OK;
    int type = unit_type_from_name(p->u.type), ptype = -1;

    if (p->create && exists) {
        st = bh_fail(err, BH_CONFLICT, "code", "单位编码“%s”已存在（%s）", p->u.code, old.name);
        goto out;
    }
    if (!p->create) {
        if (!exists) {
            st = bh_fail(err, BH_NOT_FOUND, "code", "单位“%s”不存在", p->u.code);
            goto out;
        }
        /* An update changes the name and the active flag only. */
        p->u.parent = old.parent;
        p->u.type = old.type;
        if (!p->u.name)
            p->u.name = old.name;
    } else {
        if (p->u.parent) {
            if (DB(c, registry, unit_get, p->u.parent, a, &parent) != BH_OK || !parent.active) {
                st = bh_fail(err, BH_INVALID_ARGUMENT, "parent", "上级单位“%s”不存在或已停用",
                             p->u.parent);
                goto out;
            }
            ptype = unit_type_from_name(parent.type);
        }
        if (type < 0) {
            st = bh_fail(err, BH_INVALID_ARGUMENT, "type",
                         "单位类型应为 district street community grid department");
            goto out;
        }
        if ((st = unit_code_check(p->u.code, (unit_type_t)type, p->u.parent, ptype, err)))
            goto out;
    }
    if ((st = DB(c, registry, unit_put, &p->u, err)))
        goto out;
    st = svc_audit(c, p->actor, p->create ? "unit.create" : "unit.update", p->u.code,
                   p->create ? json_pack("{s:{s:s, s:s, s:s?}}", "after", "name", p->u.name, "type",
                                         p->u.type, "parent", p->u.parent)
                             : json_pack("{s:{s:s, s:b}, s:{s:s, s:b}}", "before", "name", old.name,
                                         "active", old.active, "after", "name", p->u.name, "active",
                                         p->u.active));
out:
    arena_free(a);
    return st;
}

static bh_status_t unit_new_check(const char *code, const char *name, bh_err_t *err)
{
    if (!code || !*code)
        return bh_fail(err, BH_INVALID_ARGUMENT, "code", "缺少单位编码（code）");
    if (!name || !*name || strlen(name) > 128)
        return bh_fail(err, BH_INVALID_ARGUMENT, "name", "单位名称（name）须为1到128字节");
    return BH_OK;
}

bh_status_t svc_unit_put_tx(db_conn_t *c, const char *actor, const db_unit_t *u, bool create,
                            bh_err_t *err)
{
    struct unit_put p = {*u, create, actor};
    bh_status_t st = create ? unit_new_check(u->code, u->name, err) : BH_OK;
    return st ? st : unit_put_tx(c, &p, err);
}

bh_status_t svc_unit_create(svc_t *s, const char *actor, const char *code, const char *name,
                            const char *type, const char *parent, bh_err_t *err)
{
    struct unit_put p = {{code, parent, name, type, true}, true, actor};
    bh_status_t st = unit_new_check(code, name, err);
    return st ? st : db_write(s->db, unit_put_tx, &p, err);
}

bh_status_t svc_unit_update(svc_t *s, const char *actor, const char *code, const char *name,
                            bool active, bh_err_t *err)
{
    struct unit_put p = {{code, NULL, name, NULL, active}, false, actor};
    if (name && (!*name || strlen(name) > 128))
        return bh_fail(err, BH_INVALID_ARGUMENT, "name", "单位名称（name）须为1到128字节");
    return db_write(s->db, unit_put_tx, &p, err);
}

/* ---- managed objects ---- */

struct obj_save {
    const svc_user_t *u;
    db_object_t *o;
    bool create;
};

/* A river or forest section may carry its line (for track coverage). */
static bh_status_t check_line(const db_object_t *o, int kind, arena_t *a, bh_err_t *err)
{
    double (*pts)[2];
    int n;
    if (!o->line)
        return BH_OK;
    if (kind != OBJ_RIVER && kind != OBJ_FOREST)
        return bh_fail(err, BH_INVALID_ARGUMENT, "line", "只有河段和林段可以有 line（走向）");
    return geo_line_parse(o->line, a, &pts, &n, err);
}

static bh_status_t obj_save_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct obj_save *x = ctx;
    db_object_t *o = x->o;
    arena_t *a = arena_new();
    db_unit_t grid;
    int kind = obj_kind_from_name(o->kind);
    const char *old_risk = NULL;
    bh_status_t st;

    if (!x->create) {
        db_object_t old;
        if (DB(c, registry, object_get, o->id, a, &old) != BH_OK ||
            (x->u->role != ROLE_ADMIN && !unit_in_scope(x->u->unit, old.grid))) {
            st = bh_fail(err, BH_NOT_FOUND, "id", "对象不存在");
            goto out;
        }
        /* Kind, code and grid stay; the rest may change. */
        o->kind = old.kind;
        o->code = old.code;
        o->grid = old.grid;
        o->created_at = old.created_at;
        if (!o->name) o->name = old.name;
        if (!o->type) o->type = old.type;
        if (!o->risk) o->risk = old.risk;
        old_risk = old.risk;
        if (!o->address) o->address = old.address;
        if (!o->line) o->line = old.line;
        if (!o->has_location) {
            o->has_location = old.has_location;
            o->lat = old.lat;
            o->lng = old.lng;
        }
        kind = obj_kind_from_name(o->kind);
    }
    if ((st = obj_check((obj_kind_t)kind, o->type, o->risk, o->code, o->grid, err)) ||
        (st = check_line(o, kind, a, err)))
        goto out;
    if (DB(c, registry, unit_get, o->grid, a, &grid) != BH_OK || strcmp(grid.type, "grid") != 0 || !grid.active) {
        st = bh_fail(err, BH_INVALID_ARGUMENT, "grid", "网格“%s”不存在、不是网格或已停用", o->grid);
        goto out;
    }
    if (x->u->role != ROLE_ADMIN && !unit_in_scope(x->u->unit, o->grid)) {
        st = bh_fail(err, BH_PERMISSION_DENIED, "grid", "网格“%s”不在您的管辖范围内", o->grid);
        goto out;
    }
    o->updated_at = svc_now();
    if (x->create)
        o->created_at = o->updated_at;
    if ((st = DB(c, registry, object_put, o, err)))
        goto out;
    /* The risk history: a change applies from the next patrol slot (core/patrol.h). */
    if ((x->create || !old_risk != !o->risk || (o->risk && strcmp(old_risk, o->risk) != 0)) &&
        (st = DB(c, patrol, risk_put, o->id, dt_local_day(o->updated_at), o->risk)))
        goto out;
    {
        svc_audit_field_t f[] = {{"kind", o->kind, false}, {"code", o->code, false},
                                 {"name", o->name, false}, {"grid", o->grid, false},
                                 {"type", o->type, false}, {"risk", o->risk, false},
                                 {"active", o->active ? "" : NULL, true}};
        char obj[32];
        snprintf(obj, sizeof obj, "object:%lld", (long long)o->id);
        st = svc_audit_after(c, x->u->username, x->create ? "object.create" : "object.update", obj,
                             f, (int)(sizeof f / sizeof f[0]));
    }
out:
    arena_free(a);
    return st;
}

static bh_status_t obj_save_check(const svc_user_t *u, const db_object_t *o, bool create,
                                  bh_err_t *err)
{
    if (u->role != ROLE_ADMIN && u->role != ROLE_OPERATOR)
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "只有管理员和指挥中心可以维护管理对象");
    if (create && obj_kind_from_name(o->kind) < 0)
        return bh_fail(err, BH_INVALID_ARGUMENT, "kind",
                       "对象种类应为 enterprise component river_section forest_section household");
    if ((create || o->name) && (!o->name || !*o->name || strlen(o->name) > 200))
        return bh_fail(err, BH_INVALID_ARGUMENT, "name", "名称（name）须为1到200字节");
    return BH_OK;
}

bh_status_t svc_object_save_tx(db_conn_t *c, const svc_user_t *u, db_object_t *o, bool create,
                               bh_err_t *err)
{
    struct obj_save x = {u, o, create};
    bh_status_t st = obj_save_check(u, o, create, err);
    return st ? st : obj_save_tx(c, &x, err);
}

bh_status_t svc_object_save(svc_t *s, const svc_user_t *u, db_object_t *o, bool create,
                            bh_err_t *err)
{
    struct obj_save x = {u, o, create};
    bh_status_t st = obj_save_check(u, o, create, err);
    return st ? st : db_write(s->db, obj_save_tx, &x, err);
}
