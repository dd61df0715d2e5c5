/*
 * ledger_export.c - exporting ledgers: what a user may see, as CSV, .xlsx
 * (labels for enumerated values, personal data masked by role) or GeoJSON.
 */
#include "svc/ledger_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dynbuf.h"
#include "util/xmalloc.h"

static const char *fmt_time(dt_ms_t t, arena_t *a)
{
    char buf[40], *p;
    if (!t)
        return "";
    dt_format_instant(t, buf, sizeof buf);
    if ((p = strchr(buf, 'T')))
        *p = ' ';
    if ((p = strchr(buf, '+')) || (p = strchr(buf, '.')))
        *p = 0;
    return arena_strdup(a, buf);
}

static const char *fmt_num(double d, arena_t *a)
{
    return arena_printf(a, "%.7f", d);
}

struct exp {
    tab_writer_t *w;
    const col_t *cols;
    int ncols;
    const char *cells[32];
    bool numeric[32];
    long rows;
};

static bh_status_t put(struct exp *e, bh_err_t *err)
{
    const char *out[32];
    bool num[32];
    int n = 0;
    for (int i = 0; i < e->ncols; i++)
        if (!(e->cols[i].flags & C_IN)) {
            out[n] = e->cells[i] ? e->cells[i] : "";
            num[n++] = e->cols[i].flags & C_NUM;
        }
    memset(e->cells, 0, sizeof e->cells);
    e->rows++;
    return tab_writer_row(e->w, out, num, n, err);
}

static void set(struct exp *e, const char *key, const char *value)
{
    for (int i = 0; i < e->ncols; i++)
        if (strcmp(e->cols[i].key, key) == 0)
            e->cells[i] = value;
}

static bh_status_t export_units(struct exp *e, db_conn_t *c, arena_t *a, bh_err_t *err)
{
    db_unit_t *u;
    int n;
    bh_status_t st = DB(c, registry, unit_list, NULL, a, &u, &n);
    for (int i = 0; i < n && st == BH_OK; i++) {
        set(e, "code", u[i].code);
        set(e, "name", u[i].name);
        set(e, "type", ledger_enum_label(&E_UNIT_TYPE, u[i].type));
        set(e, "parent", u[i].parent);
        set(e, "active", u[i].active ? "启用" : "停用");
        st = put(e, err);
    }
    return st;
}

static bh_status_t export_users(struct exp *e, db_conn_t *c, arena_t *a, bh_err_t *err)
{
    db_user_t *u;
    int n;
    bh_status_t st = DB(c, auth, user_list, a, &u, &n);
    for (int i = 0; i < n && st == BH_OK; i++) {
        set(e, "username", u[i].username);
        set(e, "display_name", u[i].display_name);
        set(e, "role", ledger_enum_label(&E_ROLE, u[i].role));
        set(e, "unit", u[i].unit);
        set(e, "phone", u[i].phone);
        set(e, "active", u[i].active ? "启用" : "停用");
        st = put(e, err);
    }
    return st;
}

static bh_status_t export_objects(struct exp *e, const svc_user_t *u, db_conn_t *c, bh_err_t *err)
{
    db_object_filter_t f = {0};
    bh_status_t st = BH_OK;
    if (u->role != ROLE_ADMIN)
        f.grid = db_scope(u->unit);
    f.limit = 5000;
    for (;;) {
        arena_t *a = arena_new();
        db_object_t *o;
        int n;
        if ((st = DB(c, registry, object_list, &f, a, &o, &n)) != BH_OK) {
            arena_free(a);
            return bh_fail(err, st, "", "读取管理对象失败，导出中止");
        }
        for (int i = 0; i < n && st == BH_OK; i++) {
            set(e, "id", arena_printf(a, "%lld", (long long)o[i].id));
            set(e, "kind", ledger_enum_label(&E_OBJ_KIND, o[i].kind));
            set(e, "code", o[i].code);
            set(e, "name", o[i].name);
            set(e, "grid", o[i].grid);
            set(e, "type", o[i].type ? ledger_enum_label(&E_OBJ_TYPE, o[i].type) : NULL);
            set(e, "risk", o[i].risk ? ledger_enum_label(&E_RISK, o[i].risk) : NULL);
            set(e, "address", o[i].address);
            if (o[i].has_location) {
                set(e, "lat", fmt_num(o[i].lat, a));
                set(e, "lng", fmt_num(o[i].lng, a));
            }
            set(e, "active", o[i].active ? "启用" : "停用");
            set(e, "line", o[i].line);
            st = put(e, err);
        }
        if (n)
            f.after_id = o[n - 1].id;
        arena_free(a);
        if (st || n < f.limit)
            return st;
    }
}

/* Check-ins in u's jurisdiction (an enterprise: its own self-checks), newest first. */
static bh_status_t export_patrols(struct exp *e, const svc_user_t *u, db_conn_t *c, bh_err_t *err)
{
    static const char *const flag_words[][2] = {
        {"far", "距对象较远"}, {"outside_grid", "不在网格内"}, {"low_accuracy", "定位精度低"},
        {"synced_late", "延迟同步"}};
    db_patrol_filter_t f = {0};
    db_object_t o = {0};
    bh_status_t st = BH_OK;
    if (u->role == ROLE_ENTERPRISE)
        f.object_id = u->object_id;
    else if (u->role != ROLE_ADMIN && !u->unrestricted)
        f.grid = db_scope(u->unit);
    f.limit = 5000;
    for (;;) {
        arena_t *a = arena_new();
        db_patrol_t *p;
        int n;
        if ((st = DB(c, patrol, patrol_list, &f, a, &p, &n)) != BH_OK) {
            arena_free(a);
            return bh_fail(err, st, "", "读取巡查记录失败，导出中止");
        }
        for (int i = 0; i < n && st == BH_OK; i++) {
            dynbuf_t fl;
            if (o.id != p[i].object_id && DB(c, registry, object_get, p[i].object_id, a, &o) != BH_OK)
                o = (db_object_t){.id = p[i].object_id};
            set(e, "id", arena_printf(a, "%lld", (long long)p[i].id));
            set(e, "object", arena_printf(a, "%lld", (long long)p[i].object_id));
            set(e, "object_name", o.name);
            set(e, "object_kind", ledger_enum_label(&E_OBJ_KIND, p[i].object_kind));
            set(e, "grid", p[i].grid);
            set(e, "risk", p[i].risk ? ledger_enum_label(&E_RISK, p[i].risk) : NULL);
            set(e, "source", p[i].self_check ? "企业自查" : "政府巡查");
            set(e, "created_by", p[i].created_by);
            set(e, "at", fmt_time(p[i].at, a));
            set(e, "received_at", fmt_time(p[i].received_at, a));
            set(e, "late", p[i].late ? "是" : "否");
            if (p[i].has_location) {
                set(e, "lat", fmt_num(p[i].lat, a));
                set(e, "lng", fmt_num(p[i].lng, a));
                if (p[i].accuracy >= 0)
                    set(e, "accuracy", arena_printf(a, "%.0f", p[i].accuracy));
                if (p[i].distance_m >= 0)
                    set(e, "distance_m", arena_printf(a, "%.0f", p[i].distance_m));
            }
            dynbuf_init(&fl, 64);
            for (size_t k = 0; p[i].flags && k < sizeof flag_words / sizeof flag_words[0]; k++)
                if (strstr(p[i].flags, flag_words[k][0]))
                    dynbuf_printf(&fl, "%s%s", dynbuf_len(&fl) ? "、" : "", flag_words[k][1]);
            set(e, "flags", dynbuf_len(&fl) ? arena_strdup(a, dynbuf_str(&fl)) : NULL);
            dynbuf_free(&fl);
            set(e, "hazards", arena_printf(a, "%d", p[i].nhazards));
            if (p[i].track)
                set(e, "track_m", arena_printf(a, "%.0f", p[i].track_m));
            set(e, "note", p[i].note);
            st = put(e, err);
        }
        if (n)
            f.after_id = p[n - 1].id;
        arena_free(a);
        o = (db_object_t){0}; /* its strings were in the arena */
        if (st || n < f.limit)
            return st;
    }
}

/* A case's attachments as one cell: "处置前 现场.jpg /api/v1/attachments/12；…"
 * (the links work for whoever may read the case). */
static bh_status_t attachment_cell(db_conn_t *c, const db_case_t *k, arena_t *a, struct exp *e,
                                   bh_err_t *err)
{
    db_attachment_t *f;
    int n;
    dynbuf_t b;
    bh_status_t st = DB(c, files, attachment_list, k->id, 0, a, &f, &n);
    if (st)
        return bh_fail(err, st, "", "读取附件失败");
    dynbuf_init(&b, 1 << 16);
    for (int i = 0; i < n; i++) {
        const char *label = svc_attachment_stage_label(f[i].stage);
        dynbuf_printf(&b, "%s%s %s /api/v1/attachments/%lld", i ? "；" : "", label ? label : f[i].stage,
                      f[i].name ? f[i].name : f[i].type, (long long)f[i].id);
    }
    set(e, "attachments", arena_strdup(a, b.len ? b.buf : ""));
    dynbuf_free(&b);
    return BH_OK;
}

static bh_status_t export_cases(struct exp *e, svc_t *s, const svc_user_t *u, db_conn_t *c,
                                bh_err_t *err)
{
    db_case_filter_t f;
    bool pii = svc_sees_pii(u->role);
    bh_status_t st = BH_OK;

    memset(&f, 0, sizeof f);
    f.status = -1;
    f.light = -1;
    f.sort = DB_SORT_CREATED_ASC;
    f.limit = 5000;
    if (u->role != ROLE_ADMIN)
        f.visible = db_scope(u->unit);
    for (char cursor[256];;) {
        arena_t *a = arena_new();
        db_case_t *k;
        const char *next;
        int n;
        if ((st = DB(c, cases, case_list, &f, a, &k, &n, &next, err))) {
            arena_free(a);
            return st;
        }
        for (int i = 0; i < n && st == BH_OK; i++) {
            const cat_t *cat = svc_case_category(s, &k[i]);
            set(e, "number", svc_case_number(&k[i], a));
            set(e, "external_id", k[i].external_id);
            set(e, "source", ledger_enum_label(&E_SOURCE, k[i].source));
            set(e, "category", cat ? cat->name : k[i].category);
            set(e, "title", k[i].title);
            set(e, "description", k[i].description);
            set(e, "urgency", ledger_enum_label(&E_URGENCY, k[i].urgency));
            set(e, "unit", k[i].unit);
            set(e, "address", k[i].address);
            if (k[i].has_location) {
                set(e, "lat", fmt_num(k[i].lat, a));
                set(e, "lng", fmt_num(k[i].lng, a));
            }
            set(e, "reporter_name", pii ? k[i].reporter_name : svc_mask_name(k[i].reporter_name, a));
            set(e, "reporter_phone",
                pii ? k[i].reporter_phone : svc_mask_phone(k[i].reporter_phone, a));
            set(e, "reported_at", fmt_time(k[i].created_at, a));
            set(e, "status", case_state_label(k[i].status));
            set(e, "light", k[i].light ? sla_light_label(k[i].light) : "");
            set(e, "handling_unit", k[i].handling_unit);
            set(e, "due_at", fmt_time(k[i].due_at, a));
            set(e, "closed_at", fmt_time(k[i].closed_at, a));
            set(e, "on_time", k[i].on_time < 0 ? "" : k[i].on_time ? "是" : "否");
            if ((st = attachment_cell(c, &k[i], a, e, err)) == BH_OK)
                st = put(e, err);
        }
        if (next) { /* it lives in 'a': keep a copy for the next page */
            snprintf(cursor, sizeof cursor, "%s", next);
            f.cursor = cursor;
        }
        arena_free(a);
        if (st || !next)
            return st;
    }
}

/* The name of a unit among u[n], or its code. */
static const char *unit_name_of(const db_unit_t *u, int n, const char *code)
{
    for (int i = 0; i < n; i++)
        if (strcmp(u[i].code, code) == 0)
            return u[i].name;
    return code;
}

/* The target loop's entries in force, read before the export's own reader. */
struct entries {
    db_target_t *t;
    db_actual_t *x;
    int n;
};

static bh_status_t export_entries(struct exp *e, svc_t *s, const struct entries *en,
                                  db_conn_t *c, arena_t *a, bh_err_t *err)
{
    const target_cfg_t *cfg = svc_targets(s);
    db_unit_t *units;
    int nunits;
    bh_status_t st = DB(c, registry, unit_list, NULL, a, &units, &nunits);
    for (int i = 0; i < en->n && st == BH_OK; i++) {
        const char *unit = en->t ? en->t[i].unit : en->x[i].unit;
        const char *code = en->t ? en->t[i].indicator : en->x[i].indicator;
        const indicator_t *d = target_cfg_indicator(cfg, code);
        set(e, "unit", unit);
        set(e, "unit_name", unit_name_of(units, nunits, unit));
        set(e, "indicator", code);
        set(e, "indicator_name", d ? d->name : code);
        if (en->t) {
            const db_target_t *t = &en->t[i];
            set(e, "period", t->period);
            set(e, "value", arena_printf(a, "%.10g", t->value));
            set(e, "note", t->note);
            set(e, "entered_by", t->by);
            set(e, "entered_at", fmt_time(t->at, a));
        } else {
            const db_actual_t *x = &en->x[i];
            set(e, "period", arena_printf(a, "%04d-%02d", x->year % 10000, x->month % 100));
            set(e, "cumulative", x->cumulative ? "是" : "否");
            if (x->den > 0) {
                set(e, "numerator", arena_printf(a, "%.10g", x->num));
                set(e, "denominator", arena_printf(a, "%.10g", x->den));
            } else {
                set(e, "value", arena_printf(a, "%.10g", x->value));
            }
            set(e, "note", x->note);
            set(e, "entered_by", x->by);
            set(e, "entered_at", fmt_time(x->at, a));
        }
        st = put(e, err);
    }
    return st;
}

static bh_status_t export_geojson(svc_t *s, db_conn_t *c, const char *path, long *rows,
                                  bh_err_t *err)
{
    arena_t *a = arena_new();
    db_unit_t *u;
    int n;
    json_t *features = json_array();
    json_t *root = json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", features);
    bh_status_t st = DB(c, registry, unit_list, NULL, a, &u, &n);
    (void)s;
    for (int i = 0; i < n && st == BH_OK; i++) {
        const char *g;
        json_t *geom;
        if (DB(c, registry, geometry_get, u[i].code, a, &g) != BH_OK || !g || !(geom = json_loads(g, 0, NULL)))
            continue;
        json_array_append_new(features,
                              json_pack("{s:s, s:{s:s, s:s, s:s}, s:o}", "type", "Feature",
                                        "properties", "code", u[i].code, "name", u[i].name, "type",
                                        u[i].type, "geometry", geom));
        (*rows)++;
    }
    if (st == BH_OK && json_dump_file(root, path, JSON_COMPACT) != 0)
        st = bh_fail(err, BH_UNAVAILABLE, "output", "写入 %s 失败", path);
    json_decref(root);
    arena_free(a);
    return st;
}

bh_status_t svc_ledger_export(svc_t *s, const svc_user_t *u, ledger_kind_t kind, int format,
                              const char *path, long *rows, bh_err_t *err)
{
    struct exp e;
    struct entries en = {NULL, NULL, 0};
    db_conn_t *c;
    arena_t *a, *pre;
    bh_status_t st, st2;

    *rows = 0;
    if (role_external(u->role) || (kind == LEDGER_USERS && u->role != ROLE_ADMIN))
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "%s不能导出%s台账", role_label(u->role),
                       ledger_kinds[kind].label);
    if ((kind == LEDGER_GEOMETRIES) != (format == LEDGER_FMT_GEOJSON))
        return bh_fail(err, BH_INVALID_ARGUMENT, "format",
                       kind == LEDGER_GEOMETRIES ? "网格边界台账须为 GeoJSON"
                                                 : "台账须为 CSV 或 xlsx（GeoJSON 只用于网格边界）");
    pre = arena_new();
    st = kind == LEDGER_TARGETS
             ? svc_target_list(s, u, NULL, 0, NULL, false, pre, &en.t, &en.n, err)
         : kind == LEDGER_ACTUALS
             ? svc_actual_list(s, u, NULL, 0, NULL, false, pre, &en.x, &en.n, err)
             : BH_OK;
    if (st || (st = svc_reader(s, &c, err))) {
        arena_free(pre);
        return st;
    }
    if (kind == LEDGER_GEOMETRIES) {
        arena_free(pre);
        st = export_geojson(s, c, path, rows, err);
        db_reader_done(s->db, c);
        return st;
    }
    memset(&e, 0, sizeof e);
    e.cols = ledger_kinds[kind].cols;
    e.ncols = ledger_kinds[kind].ncols;
    if ((st = tab_writer_open(path, (tab_format_t)format, ledger_kinds[kind].label, &e.w, err))) {
        db_reader_done(s->db, c);
        arena_free(pre);
        return st;
    }
    for (int i = 0; i < e.ncols; i++)
        e.cells[i] = e.cols[i].label;
    st = put(&e, err);
    e.rows = 0;
    a = arena_new();
    if (st == BH_OK) {
        switch (kind) {
        case LEDGER_UNITS: st = export_units(&e, c, a, err); break;
        case LEDGER_USERS: st = export_users(&e, c, a, err); break;
        case LEDGER_OBJECTS: st = export_objects(&e, u, c, err); break;
        case LEDGER_PATROLS: st = export_patrols(&e, u, c, err); break;
        case LEDGER_TARGETS:
        case LEDGER_ACTUALS: st = export_entries(&e, s, &en, c, a, err); break;
        default: st = export_cases(&e, s, u, c, err); break;
        }
    }
    arena_free(a);
    arena_free(pre);
    db_reader_done(s->db, c);
    st2 = tab_writer_close(e.w, st ? NULL : err);
    *rows = e.rows;
    return st ? st : st2;
}
