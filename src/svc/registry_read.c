/*
 * registry_read.c - the read use cases of the registry: units, users,
 * managed objects, grid polygons and API keys, with the jurisdiction
 * rule applied here (not in the HTTP layer) and every store failure
 * reported as a status, never as "not found" or a short list.
 */
#include <string.h>

#include "geo/geo.h"
#include "svc/svc.h"

bh_status_t svc_reader(svc_t *s, db_conn_t **c, bh_err_t *err)
{
    if (db_reader(s->db, c) != BH_OK)
        return bh_fail(err, BH_UNAVAILABLE, "", "数据库繁忙（没有空闲的读连接），请稍后重试");
    return BH_OK;
}

/* A store status as an error for people: not-found says what was missing. */
static bh_status_t read_fail(bh_status_t st, bh_err_t *err, const char *field, const char *what)
{
    if (st == BH_NOT_FOUND)
        return bh_fail(err, BH_NOT_FOUND, field, "%s不存在", what);
    if (st == BH_UNAVAILABLE) /* no reader in time, or a busy database */
        return bh_fail(err, st, "", "数据库繁忙，读取%s失败，请稍后重试", what);
    return bh_fail(err, st == BH_OK ? BH_INTERNAL : st, "", "读取%s失败，请稍后重试", what);
}

bh_status_t svc_unit_list(svc_t *s, const char *parent, arena_t *a, db_unit_t **out, int *n,
                          bh_err_t *err)
{
    bh_status_t st;
    SVC_READ(s, c, st, err, DB(c, registry, unit_list, parent, a, out, n));
    return st ? read_fail(st, err, "", "单位列表") : BH_OK;
}

bh_status_t svc_unit_get(svc_t *s, const char *code, arena_t *a, db_unit_t *out,
                         db_unit_t **kids, int *nkids, bool *has_geometry, bh_err_t *err)
{
    db_conn_t *c;
    const char *g;
    bh_status_t st;
    if ((st = svc_reader(s, &c, err)))
        return st;
    if ((st = DB(c, registry, unit_get, code, a, out)) == BH_OK && kids)
        st = DB(c, registry, unit_list, code, a, kids, nkids);
    if (st == BH_OK && has_geometry) {
        bh_status_t gs = DB(c, registry, geometry_get, code, a, &g);
        *has_geometry = gs == BH_OK;
        if (gs != BH_OK && gs != BH_NOT_FOUND)
            st = gs;
    }
    db_reader_done(s->db, c);
    if (st == BH_NOT_FOUND)
        return bh_fail(err, BH_NOT_FOUND, "code", "单位“%s”不存在", code);
    return st ? read_fail(st, err, "code", "单位") : BH_OK;
}

bh_status_t svc_geometry_get(svc_t *s, const char *unit, arena_t *a, const char **geojson,
                             bh_err_t *err)
{
    bh_status_t st;
    SVC_READ(s, c, st, err, DB(c, registry, geometry_get, unit, a, geojson));
    if (st == BH_NOT_FOUND)
        return bh_fail(err, BH_NOT_FOUND, "code", "单位“%s”没有几何边界", unit);
    return st ? read_fail(st, err, "code", "几何边界") : BH_OK;
}

bh_status_t svc_user_list(svc_t *s, arena_t *a, db_user_t **out, int *n, bh_err_t *err)
{
    bh_status_t st;
    SVC_READ(s, c, st, err, DB(c, auth, user_list, a, out, n));
    return st ? read_fail(st, err, "", "用户列表") : BH_OK;
}

bh_status_t svc_user_get(svc_t *s, const char *username, arena_t *a, db_user_t *out,
                         bh_err_t *err)
{
    bh_status_t st;
    SVC_READ(s, c, st, err, DB(c, auth, user_get, username, a, out));
    if (st == BH_NOT_FOUND)
        return bh_fail(err, BH_NOT_FOUND, "username", "用户“%s”不存在", username);
    return st ? read_fail(st, err, "username", "用户") : BH_OK;
}

bool svc_object_visible(const svc_user_t *u, const db_object_t *o)
{
    return svc_row_visible(u, o->id, o->grid);
}

bool svc_row_visible(const svc_user_t *u, int64_t object_id, const char *grid)
{
    if (u->role == ROLE_ADMIN || u->unrestricted)
        return true;
    if (u->role == ROLE_ENTERPRISE)
        return object_id && object_id == u->object_id;
    return u->role != ROLE_PUBLIC && grid && unit_in_scope(u->unit, grid);
}

bh_status_t svc_object_get(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                           db_object_t *out, bh_err_t *err)
{
    bh_status_t st;
    if (u->role == ROLE_PUBLIC)
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "公众用户不能查看管理对象");
    SVC_READ(s, c, st, err, DB(c, registry, object_get, id, a, out));
    if (st == BH_OK && !svc_object_visible(u, out))
        st = BH_NOT_FOUND; /* outside the jurisdiction: as if absent */
    return st ? read_fail(st, err, "id", "对象") : BH_OK;
}

bh_status_t svc_component_find(svc_t *s, const char *code, arena_t *a, db_object_t *out,
                               bh_err_t *err)
{
    bh_status_t st;
    SVC_READ(s, c, st, err, DB(c, registry, object_by_code, code, a, out));
    if (st == BH_OK && (!out->active || strcmp(out->kind, "component") != 0))
        st = BH_NOT_FOUND; /* enterprises and households are not placed for the public */
    return st ? read_fail(st, err, "code", "城市部件") : BH_OK;
}

bh_status_t svc_unit_point(svc_t *s, const char *unit, arena_t *a, double *lng, double *lat,
                           bh_err_t *err)
{
    const char *g;
    bh_status_t st = svc_geometry_get(s, unit, a, &g, err);
    return st ? st : geo_inner_point(g, lng, lat, err);
}

bh_status_t svc_object_list(svc_t *s, const svc_user_t *u, const char *grid,
                            db_object_filter_t *f, arena_t *a, db_object_t **out, int *n,
                            bh_err_t *err)
{
    bh_status_t st;
    *n = 0;
    if (role_external(u->role))
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "%s不能列出管理对象", role_label(u->role));
    /* Jurisdiction: the narrower of the filter and the user's scope. */
    if (u->role != ROLE_ADMIN && !u->unrestricted) {
        if (grid && !(grid = unit_scope_meet(grid, u->unit)))
            return BH_OK; /* disjoint: nothing to see */
        if (!grid)
            grid = u->unit;
    }
    f->grid = grid ? db_scope(grid) : (db_scope_t){NULL, false};
    SVC_READ(s, c, st, err, DB(c, registry, object_list, f, a, out, n));
    return st ? read_fail(st, err, "", "管理对象") : BH_OK;
}

bh_status_t svc_apikey_list(svc_t *s, arena_t *a, db_apikey_t **out, int *n, bh_err_t *err)
{
    bh_status_t st;
    SVC_READ(s, c, st, err, DB(c, auth, apikey_list, a, out, n));
    return st ? read_fail(st, err, "", "API 密钥") : BH_OK;
}
