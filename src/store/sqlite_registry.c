/*
 * sqlite_registry.c - units, users and sessions, categories, grid polygons, API keys and managed objects (the SQLite back-end; see sqlite_int.h).
 */
#include "store/sqlite_int.h"

/* ---- units ---- */

static const sq_col_t unit_cols[] = {
    SQ_COL(db_unit_t, code, TEXT), SQ_COL(db_unit_t, parent, TEXT), SQ_COL(db_unit_t, name, TEXT),
    SQ_COL(db_unit_t, type, TEXT), SQ_COL(db_unit_t, active, BOOL),
};
const sq_map_t sq_map_unit = SQ_MAP("unit", unit_cols);

bh_status_t sq_unit_put(db_conn_t *c, const db_unit_t *u, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_UNIT_PUT);
    bind_text(s, 1, u->code);
    bind_text(s, 2, u->parent);
    bind_text(s, 3, u->name);
    bind_text(s, 4, u->type);
    sqlite3_bind_int(s, 5, u->active);
    return step_done(c, s, err);
}

static bh_status_t one_unit(sqlite3_stmt *s, arena_t *a, db_unit_t *out)
{
    bh_status_t st;
    ONE_ROW(s, a, out, &sq_map_unit, st);
    return st;
}

bh_status_t sq_unit_get(db_conn_t *c, const char *code, arena_t *a, db_unit_t *out)
{
    sqlite3_stmt *s = sq_stmt(c, ST_UNIT_GET);
    bind_text(s, 1, code);
    return one_unit(s, a, out);
}

bh_status_t sq_unit_find(db_conn_t *c, const char *name, const char *type, arena_t *a,
                                db_unit_t *out)
{
    sqlite3_stmt *s = sq_stmt(c, ST_UNIT_FIND);
    bind_text(s, 1, name);
    bind_text(s, 2, type);
    return one_unit(s, a, out);
}

/* Collect rows into an arena array, growing by doubling. */
bh_status_t sq_unit_list(db_conn_t *c, const char *parent, arena_t *a, db_unit_t **out,
                                int *n)
{
    sqlite3_stmt *s = sq_stmt(c, parent ? ST_UNIT_CHILDREN : ST_UNIT_ALL);
    bh_status_t st;
    if (parent)
        bind_text(s, 1, parent);
    COLLECT(s, a, out, n, db_unit_t, &sq_map_unit, st);
    return st;
}

/* ---- users and sessions ---- */

static const sq_col_t user_cols[] = {
    SQ_COL(db_user_t, id, I64),          SQ_COL(db_user_t, username, TEXT),
    SQ_COL(db_user_t, role, TEXT),       SQ_COL(db_user_t, unit, TEXT),
    SQ_COL(db_user_t, display_name, TEXT), SQ_COL(db_user_t, phone, TEXT),
    SQ_COL(db_user_t, pwhash, TEXT),     SQ_COL(db_user_t, active, BOOL),
    SQ_COL(db_user_t, object_id, I64),
};
const sq_map_t sq_map_user = SQ_MAP("user", user_cols);

bh_status_t sq_user_put(db_conn_t *c, const db_user_t *u, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_USER_PUT);
    bind_text(s, 1, u->username);
    bind_text(s, 2, u->role);
    bind_text(s, 3, u->unit);
    bind_text(s, 4, u->display_name);
    bind_text(s, 5, u->phone);
    bind_text(s, 6, u->pwhash);
    sqlite3_bind_int(s, 7, u->active);
    bind_ms(s, 8, u->object_id);
    return step_done(c, s, err);
}

bh_status_t sq_user_get(db_conn_t *c, const char *username, arena_t *a, db_user_t *out)
{
    sqlite3_stmt *s = sq_stmt(c, ST_USER_GET);
    bh_status_t st;
    bind_text(s, 1, username);
    ONE_ROW(s, a, out, &sq_map_user, st);
    return st;
}

bh_status_t sq_user_list(db_conn_t *c, arena_t *a, db_user_t **out, int *n)
{
    bh_status_t st;
    sqlite3_stmt *s = sq_stmt(c, ST_USER_LIST);
    COLLECT(s, a, out, n, db_user_t, &sq_map_user, st);
    return st;
}

bh_status_t sq_user_count(db_conn_t *c, int64_t *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_USER_COUNT);
    bh_status_t st = read_one(sqlite3_step(s));
    *n = st == BH_OK ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return st;
}

bh_status_t sq_session_put(db_conn_t *c, const unsigned char hash[32], int64_t user_id,
                                  dt_ms_t created, dt_ms_t expires)
{
    sqlite3_stmt *s = sq_stmt(c, ST_SESSION_PUT);
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, user_id);
    sqlite3_bind_int64(s, 3, created);
    sqlite3_bind_int64(s, 4, expires);
    return step_done(c, s, NULL);
}

bh_status_t sq_session_get(db_conn_t *c, const unsigned char hash[32], dt_ms_t now,
                                  dt_ms_t idle_since, arena_t *a, db_user_t *out,
                                  dt_ms_t *last_used)
{
    sqlite3_stmt *s = sq_stmt(c, ST_SESSION_GET);
    bh_status_t st;
    int rc;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_int64(s, 3, idle_since);
    if ((st = read_one(rc = sqlite3_step(s))) == BH_OK) {
        sq_row(s, a, &sq_map_user, out);
        *last_used = sqlite3_column_int64(s, sq_map_user.n);
    }
    sqlite3_reset(s);
    return st;
}

bh_status_t sq_session_touch(db_conn_t *c, const unsigned char hash[32], dt_ms_t at)
{
    sqlite3_stmt *s = sq_stmt(c, ST_SESSION_TOUCH);
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, at);
    return step_done(c, s, NULL);
}

bh_status_t sq_session_del_user(db_conn_t *c, int64_t user_id)
{
    sqlite3_stmt *s = sq_stmt(c, ST_SESSION_DEL_USER);
    sqlite3_bind_int64(s, 1, user_id);
    return step_done(c, s, NULL);
}

bh_status_t sq_session_purge(db_conn_t *c, dt_ms_t now, dt_ms_t idle_since, int64_t *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_SESSION_PURGE);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int64(s, 2, idle_since);
    st = step_done(c, s, NULL);
    *n = st == BH_OK ? sqlite3_changes(SQ(c)->h) : 0;
    return st;
}

bh_status_t sq_session_del(db_conn_t *c, const unsigned char hash[32])
{
    sqlite3_stmt *s = sq_stmt(c, ST_SESSION_DEL);
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    return step_done(c, s, NULL);
}

bh_status_t sq_category_put(db_conn_t *c, const char *code, const char *name,
                                   const char *kind, const char *parent, const char *policy)
{
    sqlite3_stmt *s = sq_stmt(c, ST_CATEGORY_PUT);
    bind_text(s, 1, code);
    bind_text(s, 2, name);
    bind_text(s, 3, kind);
    bind_text(s, 4, parent);
    bind_text(s, 5, policy);
    return step_done(c, s, NULL);
}

/* ---- categories documents in versions ---- */

static const sq_col_t catver_cols[] = {
    SQ_COL(db_catver_t, version, INT), SQ_COL(db_catver_t, body, TEXT),
    SQ_COL(db_catver_t, digest, TEXT), SQ_COL(db_catver_t, source, TEXT),
    SQ_COL(db_catver_t, at, I64),      SQ_COL(db_catver_t, by, TEXT),
};
const sq_map_t sq_map_catver = SQ_MAP("catver", catver_cols);

bh_status_t sq_catver_list(db_conn_t *c, int after, arena_t *a, db_catver_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_CATVER_LIST);
    bh_status_t st;
    sqlite3_bind_int(s, 1, after);
    COLLECT(s, a, out, n, db_catver_t, &sq_map_catver, st);
    return st;
}

bh_status_t sq_catver_add(db_conn_t *c, const db_catver_t *v)
{
    sqlite3_stmt *s = sq_stmt(c, ST_CATVER_ADD);
    sqlite3_bind_int(s, 1, v->version);
    bind_text(s, 2, v->body);
    bind_text(s, 3, v->digest);
    bind_text(s, 4, v->source);
    sqlite3_bind_int64(s, 5, v->at);
    bind_text(s, 6, v->by);
    return step_done(c, s, NULL);
}

/* ---- geometry ---- */

bh_status_t sq_geometry_put(db_conn_t *c, const char *unit, const char *geojson,
                                   const double bbox[4], bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_GEOM_PUT);
    int64_t rowid;
    bh_status_t st;

    bind_text(s, 1, unit);
    bind_text(s, 2, geojson);
    for (int i = 0; i < 4; i++)
        sqlite3_bind_double(s, 3 + i, bbox[i]);
    if ((st = step_done(c, s, err)))
        return st;
    s = sq_stmt(c, ST_GEOM_ROWID);
    bind_text(s, 1, unit);
    if ((st = one_id(s, &rowid)) != BH_OK || !rowid)
        return bh_fail(err, st ? st : BH_INTERNAL, "", "读取网格边界行号失败");
    s = sq_stmt(c, ST_RTREE_PUT);
    sqlite3_bind_int64(s, 1, rowid);
    sqlite3_bind_double(s, 2, bbox[0]);
    sqlite3_bind_double(s, 3, bbox[2]);
    sqlite3_bind_double(s, 4, bbox[1]);
    sqlite3_bind_double(s, 5, bbox[3]);
    return step_done(c, s, err);
}

bh_status_t sq_geometry_get(db_conn_t *c, const char *unit, arena_t *a, const char **geojson)
{
    sqlite3_stmt *s = sq_stmt(c, ST_GEOM_GET);
    bh_status_t st;
    bind_text(s, 1, unit);
    if ((st = read_one(sqlite3_step(s))) == BH_OK)
        *geojson = col_text(s, 0, a);
    sqlite3_reset(s);
    return st;
}

bh_status_t sq_geometry_candidates(db_conn_t *c, double lng, double lat, arena_t *a,
                                          const char ***units, const char ***geojson, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_GEOM_CAND);
    int cap = 8, rc;
    *units = arena_alloc(a, (size_t)cap * sizeof **units);
    *geojson = arena_alloc(a, (size_t)cap * sizeof **geojson);
    *n = 0;
    sqlite3_bind_double(s, 1, lng);
    sqlite3_bind_double(s, 2, lat);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            const char **u2 = arena_alloc(a, (size_t)cap * 2 * sizeof *u2);
            const char **g2 = arena_alloc(a, (size_t)cap * 2 * sizeof *g2);
            memcpy(u2, *units, (size_t)cap * sizeof *u2);
            memcpy(g2, *geojson, (size_t)cap * sizeof *g2);
            *units = u2;
            *geojson = g2;
            cap *= 2;
        }
        (*units)[*n] = col_text(s, 0, a);
        (*geojson)[*n] = col_text(s, 1, a);
        (*n)++;
    }
    sqlite3_reset(s);
    return read_end(rc);
}

/* ---- API keys ---- */

static const sq_col_t apikey_cols[] = {
    SQ_COL(db_apikey_t, id, I64),         SQ_COL(db_apikey_t, name, TEXT),
    SQ_COL(db_apikey_t, role, TEXT),      SQ_COL(db_apikey_t, unit, TEXT),
    SQ_COL(db_apikey_t, created_at, MS),  SQ_COL(db_apikey_t, last_used_at, MS),
    SQ_COL(db_apikey_t, revoked_at, MS),
};
const sq_map_t sq_map_apikey = SQ_MAP("apikey", apikey_cols);

bh_status_t sq_apikey_put(db_conn_t *c, const char *name, const unsigned char hash[32],
                                 const char *role, const char *unit, dt_ms_t created, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_KEY_PUT);
    bind_text(s, 1, name);
    sqlite3_bind_blob(s, 2, hash, 32, SQLITE_STATIC);
    bind_text(s, 3, role);
    bind_text(s, 4, unit);
    sqlite3_bind_int64(s, 5, created);
    return step_done(c, s, err);
}

bh_status_t sq_apikey_get(db_conn_t *c, const unsigned char hash[32], arena_t *a,
                                 db_apikey_t *out)
{
    sqlite3_stmt *s = sq_stmt(c, ST_KEY_GET);
    bh_status_t st;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    ONE_ROW(s, a, out, &sq_map_apikey, st);
    return st;
}

bh_status_t sq_apikey_list(db_conn_t *c, arena_t *a, db_apikey_t **out, int *n)
{
    bh_status_t st;
    sqlite3_stmt *s = sq_stmt(c, ST_KEY_LIST);
    COLLECT(s, a, out, n, db_apikey_t, &sq_map_apikey, st);
    return st;
}

bh_status_t sq_apikey_revoke(db_conn_t *c, const char *name, dt_ms_t at)
{
    sqlite3_stmt *s = sq_stmt(c, ST_KEY_REVOKE);
    bh_status_t st;
    bind_text(s, 1, name);
    sqlite3_bind_int64(s, 2, at);
    if ((st = step_done(c, s, NULL)))
        return st;
    return sqlite3_changes(SQ(c)->h) ? BH_OK : BH_NOT_FOUND;
}

bh_status_t sq_apikey_touch(db_conn_t *c, int64_t id, dt_ms_t at)
{
    sqlite3_stmt *s = sq_stmt(c, ST_KEY_TOUCH);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, at);
    return step_done(c, s, NULL);
}

/* ---- managed objects ---- */

static const sq_col_t object_cols[] = {
    SQ_COL(db_object_t, id, I64),          SQ_COL(db_object_t, kind, TEXT),
    SQ_COL(db_object_t, code, TEXT),       SQ_COL(db_object_t, name, TEXT),
    SQ_COL(db_object_t, grid, TEXT),       SQ_COL(db_object_t, type, TEXT),
    SQ_COL(db_object_t, risk, TEXT),       SQ_COL(db_object_t, address, TEXT),
    SQ_EXPR("lat IS NOT NULL", db_object_t, has_location, BOOL),
    SQ_COL(db_object_t, lat, REAL),        SQ_COL(db_object_t, lng, REAL),
    SQ_COL(db_object_t, active, BOOL),     SQ_COL(db_object_t, created_at, I64),
    SQ_COL(db_object_t, updated_at, I64),  SQ_COL(db_object_t, line, TEXT),
};
const sq_map_t sq_map_object = SQ_MAP("object", object_cols);

bh_status_t sq_object_put(db_conn_t *c, db_object_t *o, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, o->id ? ST_OBJ_UPDATE : ST_OBJ_INSERT);
    bh_status_t st;
    if (o->id)
        sqlite3_bind_int64(s, 1, o->id);
    bind_text(s, 2, o->kind);
    bind_text(s, 3, o->code);
    bind_text(s, 4, o->name);
    bind_text(s, 5, o->grid);
    bind_text(s, 6, o->type);
    bind_text(s, 7, o->risk);
    bind_text(s, 8, o->address);
    if (o->has_location) {
        sqlite3_bind_double(s, 9, o->lat);
        sqlite3_bind_double(s, 10, o->lng);
    }
    sqlite3_bind_int(s, 11, o->active);
    sqlite3_bind_int64(s, 12, o->created_at);
    sqlite3_bind_int64(s, 13, o->updated_at);
    bind_text(s, 14, o->line);
    st = step_done(c, s, err);
    if (st == BH_CONFLICT)
        return bh_fail(err, BH_CONFLICT, "code", "编码“%s”已被另一个对象使用", o->code ? o->code : "");
    if (st == BH_OK && !o->id)
        o->id = sqlite3_last_insert_rowid(SQ(c)->h);
    return st;
}

bh_status_t sq_object_get(db_conn_t *c, int64_t id, arena_t *a, db_object_t *out)
{
    sqlite3_stmt *s = sq_stmt(c, ST_OBJ_GET);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    ONE_ROW(s, a, out, &sq_map_object, st);
    return st;
}

bh_status_t sq_object_by_code(db_conn_t *c, const char *code, arena_t *a, db_object_t *out)
{
    sqlite3_stmt *s = sq_stmt(c, ST_OBJ_BY_CODE);
    bh_status_t st;
    bind_text(s, 1, code);
    ONE_ROW(s, a, out, &sq_map_object, st);
    return st;
}

bh_status_t sq_object_list(db_conn_t *c, const db_object_filter_t *f, arena_t *a,
                                  db_object_t **out, int *n)
{
    dynbuf_t b;
    sqlite3_stmt *s;
    bh_status_t st;
    dynbuf_init(&b, SQL_MAX);
    add(&b, "SELECT {object} FROM objects WHERE 1");
    if (f->kind)
        add(&b, " AND kind = :kind");
    if (f->grid.code) {
        add(&b, " AND ");
        add_scope(&b, "grid", "g", &f->grid, false);
    }
    if (f->risk)
        add(&b, " AND risk = :risk");
    if (f->type)
        add(&b, " AND type = :type");
    if (f->after_id)
        add(&b, " AND id < :after");
    add(&b, " ORDER BY id DESC LIMIT :limit");
    if (prepare_built(c, &b, &s, NULL) != BH_OK)
        return BH_INTERNAL;
    bind_name_text(s, ":kind", f->kind);
    bind_scope(s, "g", &f->grid, a);
    bind_name_text(s, ":risk", f->risk);
    bind_name_text(s, ":type", f->type);
    bind_name_int(s, ":after", f->after_id);
    bind_name_int(s, ":limit", f->limit > 0 ? f->limit : -1);
    COLLECT(s, a, out, n, db_object_t, &sq_map_object, st);
    sqlite3_finalize(s);
    return st;
}

