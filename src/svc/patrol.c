/*
 * patrol.c - the write use cases of the patrol loop: the configuration in
 * force, check-ins (with their flags, lateness and hazards; a major hazard
 * becomes a case dispatched under 挂牌督办) and hazard rectification.
 * The rules are core/patrol.h's; this file reads, decides with them and
 * writes in one transaction.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/object.h"
#include "geo/crs.h"
#include "geo/geo.h"
#include "geo/track.h"
#include "svc/svc.h"
#include "util/xmalloc.h"

static bh_status_t parse(const char *json, size_t len, void **out, bh_err_t *err)
{
    return patrol_cfg_parse(json, len, (patrol_cfg_t **)out, err);
}

static void release(void *cfg)
{
    patrol_cfg_free(cfg);
}

static const svc_doc_kind_t patrol_doc = {
    "patrol", "巡查计划和检查表", "patrol.config", "patrol_config",
    patrol_cfg_builtin_text, parse, release,
};

void svc_patrol_init(svc_t *s)
{
    s->patrol = svc_doc_new(&patrol_doc);
}

void svc_patrol_fini(svc_t *s)
{
    svc_doc_free(s->patrol);
    s->patrol = NULL;
}

const patrol_cfg_t *svc_patrol_cfg(svc_t *s, bh_err_t *err)
{
    return svc_doc_current(s, s->patrol, err);
}

/* ---- check-ins ---- */

/* Government patrols; an enterprise account self-checks its own enterprise. */
static bool may_patrol(bh_role_t r)
{
    return r == ROLE_REPORTER || r == ROLE_OPERATOR || r == ROLE_LEADER || r == ROLE_ADMIN ||
           r == ROLE_ENTERPRISE;
}

/* What the write needs, read and checked before it. */
struct checkin {
    svc_t *s;
    const svc_user_t *u;
    const patrol_cfg_t *cfg;
    const svc_patrol_new_t *in;
    db_object_t o;
    arena_t *a;
    db_patrol_t p;
    db_hazard_t *hz;
    int nhz;
    bool replayed;
};

static bh_status_t check_findings(const patrol_cfg_t *cfg, const svc_patrol_new_t *in,
                                  bh_err_t *err)
{
    if (in->nfindings > 20)
        return bh_fail(err, BH_INVALID_ARGUMENT, "findings", "一次巡查最多记录 20 条发现");
    for (int i = 0; i < in->nfindings; i++) {
        const svc_finding_t *f = &in->findings[i];
        char field[48];
        bool major = f->severity && strcmp(f->severity, "major") == 0;
        if (!f->severity || (!major && strcmp(f->severity, "general") != 0)) {
            snprintf(field, sizeof field, "findings[%d].severity", i);
            return bh_fail(err, BH_INVALID_ARGUMENT, field,
                           "隐患等级应为 general（一般）或 major（重大）");
        }
        if (!f->description || !*f->description || strlen(f->description) > CASE_TEXT_MAX) {
            snprintf(field, sizeof field, "findings[%d].description", i);
            return bh_fail(err, BH_INVALID_ARGUMENT, field, "请描述发现的隐患（1 到 %d 字节）",
                           CASE_TEXT_MAX);
        }
        if (f->type && !patrol_hazard_type(cfg, f->type)) {
            snprintf(field, sizeof field, "findings[%d].type", i);
            return bh_fail(err, BH_INVALID_ARGUMENT, field, "没有“%s”这种隐患类型", f->type);
        }
        if (major && f->on_spot) {
            snprintf(field, sizeof field, "findings[%d].on_spot", i);
            return bh_fail(err, BH_INVALID_ARGUMENT, field,
                           "重大隐患不能当场整改：须立案挂牌督办");
        }
        if ((f->supervisor && strlen(f->supervisor) > 200) ||
            (f->plan && strlen(f->plan) > CASE_TEXT_MAX)) {
            snprintf(field, sizeof field, "findings[%d].%s", i, f->plan ? "plan" : "supervisor");
            return bh_fail(err, BH_INVALID_ARGUMENT, field, "内容过长");
        }
    }
    return BH_OK;
}

/* Everything that needs no write: the object, the answers, the flags. */
static bh_status_t prepare(struct checkin *x, dynbuf_t *flags, bh_err_t *err)
{
    const svc_patrol_new_t *in = x->in;
    const patrol_checklist_t *cl;
    const char *geojson = NULL;
    bh_status_t st;
    dt_ms_t now = svc_clock(x->s);

    if (!may_patrol(x->u->role))
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "%s不能登记巡查",
                       role_label(x->u->role));
    if (!in->client_id || !*in->client_id || strlen(in->client_id) > 64)
        return bh_fail(err, BH_INVALID_ARGUMENT, "client_id",
                       "client_id（手机生成的唯一编号）必填，最多 64 字节");
    if (in->object_id <= 0)
        return bh_fail(err, BH_INVALID_ARGUMENT, "object", "请指明巡查的对象（object）");
    if (in->at > now + 5 * DT_MINUTE_MS)
        return bh_fail(err, BH_INVALID_ARGUMENT, "at", "巡查时间不能晚于现在");
    if (!in->has_location && x->u->role != ROLE_ENTERPRISE)
        return bh_fail(err, BH_INVALID_ARGUMENT, "location", "巡查须带定位（location）");
    if (in->accuracy > 100000)
        return bh_fail(err, BH_INVALID_ARGUMENT, "location.accuracy", "定位精度应为 0 到 100000 米");
    if (in->note && strlen(in->note) > CASE_TEXT_MAX)
        return bh_fail(err, BH_INVALID_ARGUMENT, "note", "备注最多 %d 字节", CASE_TEXT_MAX);
    if ((st = check_findings(x->cfg, in, err)))
        return st;

    SVC_READ(x->s, c, st, err, DB(c, registry, object_get, in->object_id, x->a, &x->o));
    if (st == BH_OK && !svc_object_visible(x->u, &x->o))
        st = BH_NOT_FOUND;
    if (st == BH_NOT_FOUND)
        return bh_fail(err, BH_NOT_FOUND, "object", "对象 %lld 不存在或不在您的管辖范围内",
                       (long long)in->object_id);
    if (st)
        return st;
    if (!x->o.active)
        return bh_fail(err, BH_FAILED_PRECONDITION, "object", "对象“%s”已停用", x->o.name);
    if (!(cl = patrol_checklist_for(x->cfg, x->o.kind)))
        return bh_fail(err, BH_FAILED_PRECONDITION, "object", "巡查配置中没有“%s”的检查表",
                       obj_kind_label((obj_kind_t)obj_kind_from_name(x->o.kind)));
    if ((st = patrol_check_answers(cl, in->answers, err)))
        return st;

    /* Flags: accepted, but marked for the command centre to look at. */
    x->p.distance_m = -1;
    if (!in->has_location)
        return BH_OK;
    if (x->o.has_location) {
        x->p.distance_m = crs_distance_m(in->lng, in->lat, x->o.lng, x->o.lat);
        if (x->p.distance_m > x->cfg->max_distance_m)
            dynbuf_addstr(flags, ",far");
    }
    SVC_READ(x->s, c, st, err, DB(c, registry, geometry_get, x->o.grid, x->a, &geojson));
    if (st == BH_OK && geojson) {
        bool inside = true;
        if (geo_contains(geojson, in->lng, in->lat, &inside, err) == BH_OK && !inside)
            dynbuf_addstr(flags, ",outside_grid");
    }
    if (in->accuracy > x->cfg->max_distance_m)
        dynbuf_addstr(flags, ",low_accuracy");
    return BH_OK;
}

/* The check-in's days and the object's check-ins in the same year, for
 * deciding whether it is late (it made up a slot after it ended). */
static bh_status_t decide_late(db_conn_t *c, struct checkin *x, bool *late)
{
    period_t y = period_year(dt_local_day(x->p.at));
    db_visit_t *rows;
    db_risk_t *risks;
    int n, nr, nv = 0, mine = -1;
    db_scope_t grid = {x->o.grid, false};
    bh_status_t st;
    patrol_object_t po = {x->o.kind, x->o.type, x->o.grid, dt_local_day(x->o.created_at), NULL, 0};
    dt_day_t *days;
    signed char *how;
    patrol_risk_t *pr;

    *late = false;
    if ((st = DB(c, patrol, object_visits, x->o.id, dt_local_midnight(y.from),
                 dt_local_midnight(y.to + 1), x->a, &rows, &n)) ||
        (st = DB(c, patrol, risks, &grid, x->a, &risks, &nr)))
        return st;
    days = arena_alloc_array(x->a, (size_t)n + 1, sizeof *days);
    how = arena_alloc_array(x->a, (size_t)n + 1, 1);
    /* rows are by time; the new check-in goes in its place */
    for (int i = 0; i < n; i++) {
        if (rows[i].self_check || !patrol_visit_counts(rows[i].covered))
            continue;
        if (mine < 0 && rows[i].at > x->p.at) {
            mine = nv;
            days[nv++] = dt_local_day(x->p.at);
        }
        days[nv++] = dt_local_day(rows[i].at);
    }
    if (mine < 0) {
        mine = nv;
        days[nv++] = dt_local_day(x->p.at);
    }
    pr = arena_alloc_array(x->a, (size_t)nr + 1, sizeof *pr);
    for (int i = 0; i < nr; i++)
        if (risks[i].object_id == x->o.id)
            pr[po.nrisks++] = (patrol_risk_t){risks[i].from, risks[i].risk};
    po.risks = pr;
    patrol_slots(x->cfg, x->s->cal, &po, days, nv, y.from, y.to, dt_local_day(svc_clock(x->s)), NULL,
                 0, how);
    *late = how[mine] == PATROL_VISIT_LATE;
    return BH_OK;
}

/* A major hazard becomes a case: reported by the patrol, registered and
 * dispatched to the category's department, under 挂牌督办 (level 3). */
static bh_status_t major_case(db_conn_t *c, struct checkin *x, db_hazard_t *h, int i,
                              const char **department, bh_err_t *err)
{
    svc_t *s = x->s;
    const cat_t *cat = cat_find(s->cats, x->cfg->major_category);
    svc_case_new_t k = {0};
    case_event_t ev[4] = {{0}};
    db_unit_t dept;
    int n = 0;
    /* who reported, in the case loop's roles (an enterprise's self-check
     * comes in through the command centre) */
    bh_role_t reporter = x->u->role == ROLE_REPORTER ? ROLE_REPORTER : ROLE_OPERATOR;
    const char *system = "patrol";
    bh_status_t st;

    if (!cat)
        return bh_fail(err, BH_FAILED_PRECONDITION, "findings",
                       "巡查配置的重大隐患类别“%s”不存在", x->cfg->major_category);
    k.category = cat->code;
    k.title = arena_printf(x->a, "重大隐患：%s", x->o.name);
    k.description = h->plan ? arena_printf(x->a, "%s\n整改方案：%s", h->description, h->plan)
                            : h->description;
    k.source = x->p.self_check ? "self_check" : "inspection";
    k.unit = x->o.grid;
    k.address = x->o.address;
    k.has_location = true;
    k.lat = x->p.lat;
    k.lng = x->p.lng;
    k.external_id = arena_printf(x->a, "patrol:%lld:%d", (long long)x->p.id, i + 1);
    ev[n++] = (case_event_t){.action = CASE_ACT_REPORT, .role = reporter,
                             .actor = x->u->username, .actor_unit = x->u->unit, .at = x->p.at,
                             .note = "巡查发现重大隐患"};
    ev[n++] = (case_event_t){.action = CASE_ACT_REGISTER, .role = ROLE_OPERATOR, .actor = system,
                             .at = x->p.received_at, .note = "重大隐患自动立案"};
    *department = NULL;
    if (cat->default_department &&
        DB(c, registry, unit_find, cat->default_department, "department", x->a, &dept) == BH_OK &&
        (*department = dept.code))
        ev[n++] = (case_event_t){.action = CASE_ACT_DISPATCH, .role = ROLE_OPERATOR,
                                 .actor = system, .at = x->p.received_at, .to_unit = dept.code};
    ev[n++] = (case_event_t){.action = CASE_ACT_SUPERVISE, .role = ROLE_OPERATOR, .actor = system,
                             .at = x->p.received_at, .level = CASE_SUPERVISE_LEVEL_MAX,
                             .note = arena_printf(x->a, "挂牌督办：%s", h->supervisor)};
    if ((st = svc_case_import_tx(s, c, &k, x->u->username, ev, n, x->p.received_at, &h->case_id,
                                 err)))
        return st;
    return BH_OK;
}

static bh_status_t hazards_tx(db_conn_t *c, struct checkin *x, bh_err_t *err)
{
    const svc_patrol_new_t *in = x->in;
    dt_day_t found = dt_local_day(x->p.at);
    bh_status_t st;
    x->hz = arena_alloc_array(x->a, (size_t)in->nfindings + 1, sizeof *x->hz);
    for (int i = 0; i < in->nfindings; i++) {
        const svc_finding_t *f = &in->findings[i];
        db_hazard_t *h = &x->hz[x->nhz++];
        bool major = strcmp(f->severity, "major") == 0;
        const patrol_hazard_type_t *t = major ? &x->cfg->major : patrol_hazard_type(x->cfg, f->type);
        memset(h, 0, sizeof *h);
        h->patrol_id = x->p.id;
        h->object_id = x->o.id;
        h->grid = x->o.grid;
        h->object_kind = x->o.kind;
        h->object_name = x->o.name;
        h->severity = major ? "major" : "general";
        h->type = f->type;
        h->description = f->description;
        h->self_check = x->p.self_check;
        h->on_spot = f->on_spot;
        h->found_at = x->p.at;
        h->deadline = patrol_hazard_deadline(t, x->s->cal, found);
        h->status = f->on_spot ? DB_HAZARD_RECTIFIED : DB_HAZARD_OPEN;
        if (f->on_spot) {
            h->rectified_at = x->p.at;
            h->rectified_by = x->u->username;
            h->note = "当场整改";
        }
        if (major) {
            h->supervisor = f->supervisor ? f->supervisor : x->cfg->supervisor;
            h->plan = f->plan;
        }
        const char *department = NULL;
        if (major && (st = major_case(c, x, h, i, &department, err)))
            return st;
        if ((st = DB(c, patrol, hazard_insert, h, err)))
            return st;
        if (major && (st = svc_notify_hazard(x->s, c, x->a, h, department)))
            return st;
    }
    return BH_OK;
}

static bh_status_t checkin_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct checkin *x = ctx;
    int64_t id;
    bool late;
    bh_status_t st;
    char obj[32];

    if ((st = DB(c, patrol, patrol_lookup, x->p.created_by, x->p.client_id, &id)))
        return st;
    if (id) {
        x->replayed = true;
        x->p.id = id;
        return BH_OK;
    }
    if (!x->p.self_check && patrol_visit_counts(x->p.covered)) {
        if ((st = decide_late(c, x, &late)))
            return st;
        x->p.late = late;
    }
    x->p.nhazards = x->in->nfindings;
    if ((st = DB(c, patrol, patrol_insert, &x->p, err)))
        return st;
    if ((st = hazards_tx(c, x, err)) ||
        (st = svc_attachments_bind(c, x->u, x->in->attachments, x->in->nattachments, 0, x->p.id, err)))
        return st;
    snprintf(obj, sizeof obj, "patrol:%lld", (long long)x->p.id);
    return svc_audit(c, x->u->username, x->p.self_check ? "patrol.self_check" : "patrol.create",
                     obj,
                     json_pack("{s:{s:I, s:s, s:b, s:i, s:s?}}", "after", "object",
                               (json_int_t)x->o.id, "client_id", x->p.client_id, "late",
                               x->p.late, "hazards", x->nhz, "flags", x->p.flags));
}

/* Track length and duration: points in order, metres and seconds. */
static void track_measure(const svc_patrol_new_t *in, db_patrol_t *p, arena_t *a)
{
    dynbuf_t b;
    double m = 0;
    if (in->ntrack < 1)
        return;
    dynbuf_init(&b, (size_t)in->ntrack * 64 + 16);
    dynbuf_addstr(&b, "[");
    for (int i = 0; i < in->ntrack; i++) {
        if (i)
            m += crs_distance_m(in->track[i - 1][0], in->track[i - 1][1], in->track[i][0],
                                in->track[i][1]);
        dynbuf_printf(&b, "%s[%.7f,%.7f,%.0f]", i ? "," : "", in->track[i][0], in->track[i][1],
                      in->track[i][2]);
    }
    dynbuf_addstr(&b, "]");
    p->track = arena_strdup(a, dynbuf_str(&b));
    dynbuf_free(&b);
    p->track_m = m;
    p->duration_s = (int64_t)((in->track[in->ntrack - 1][2] - in->track[0][2]) / 1000);
}

/* The share of a section's line the track covered; -1 when the object has
 * no line (its line was checked when it was saved). */
static double section_covered(const db_object_t *o, const svc_patrol_new_t *in, arena_t *a)
{
    double (*line)[2];
    int n;
    bh_err_t ignored;
    if (!o->line || geo_line_parse(o->line, a, &line, &n, &ignored) != BH_OK)
        return -1;
    return geo_line_covered((const double (*)[2])line, n, in->track, in->ntrack,
                            PATROL_SECTION_WITHIN_M);
}

bh_status_t svc_patrol_create(svc_t *s, const svc_user_t *u, const svc_patrol_new_t *in,
                              arena_t *a, svc_patrol_view_t *out, bool *replayed, bh_err_t *err)
{
    struct checkin x = {0};
    dynbuf_t flags;
    bh_status_t st;
    char *answers;

    *replayed = false;
    x.s = s, x.u = u, x.in = in, x.a = a;
    if (!(x.cfg = svc_patrol_cfg(s, err)))
        return BH_INTERNAL;
    dynbuf_init(&flags, 256);
    if ((st = prepare(&x, &flags, err))) {
        dynbuf_free(&flags);
        return st;
    }
    x.p.client_id = in->client_id;
    x.p.created_by = u->username;
    x.p.object_id = x.o.id;
    x.p.object_kind = x.o.kind;
    x.p.grid = x.o.grid;
    x.p.risk = x.o.risk;
    x.p.self_check = u->role == ROLE_ENTERPRISE;
    x.p.received_at = svc_clock(s);
    x.p.at = in->at ? in->at : x.p.received_at;
    x.p.has_location = in->has_location;
    x.p.lat = in->lat;
    x.p.lng = in->lng;
    x.p.accuracy = in->accuracy;
    x.p.covered = section_covered(&x.o, in, a);
    if (!patrol_visit_counts(x.p.covered))
        dynbuf_addstr(&flags, ",track_short");
    if (x.p.received_at - x.p.at > DT_DAY_MS)
        dynbuf_addstr(&flags, ",synced_late");
    x.p.flags = dynbuf_len(&flags) ? arena_strdup(a, dynbuf_str(&flags) + 1) : NULL;
    dynbuf_free(&flags);
    answers = in->answers ? json_dumps(in->answers, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    x.p.answers = answers ? arena_strdup(a, answers) : "{}";
    free(answers);
    x.p.note = in->note;
    track_measure(in, &x.p, a);

    st = db_write(s->db, checkin_tx, &x, err);
    if (st == BH_CONFLICT && !x.replayed) /* a concurrent twin won the unique index */
        x.replayed = true;
    if (st && !x.replayed)
        return st;
    if (x.replayed && !x.p.id) {
        SVC_READ(s, c, st, err, DB(c, patrol, patrol_lookup, u->username, in->client_id, &x.p.id));
        if (st)
            return st;
    }
    *replayed = x.replayed;
    /* Read back: the hazards as stored, with their cases' state and lights. */
    return svc_patrol_get(s, u, x.p.id, a, out, err);
}

/* ---- hazards ---- */

struct hazard_act {
    svc_t *s;
    const svc_user_t *u;
    int64_t id, expected;
    const char *note;
    arena_t *a;
    db_hazard_t h;
};

static bh_status_t rectify_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct hazard_act *x = ctx;
    db_hazard_t *h = &x->h;
    int64_t read;
    bh_status_t st;
    char obj[32];

    if ((st = DB(c, patrol, hazard_get, x->id, x->a, h)) == BH_NOT_FOUND ||
        (st == BH_OK && !svc_row_visible(x->u, h->object_id, h->grid)))
        return bh_fail(err, BH_NOT_FOUND, "id", "隐患 %lld 不存在", (long long)x->id);
    if (st)
        return st;
    if (h->case_id)
        return bh_fail(err, BH_FAILED_PRECONDITION, "action",
                       "重大隐患在案件 %lld 中整改与复查（处置完毕、核查通过即销号）",
                       (long long)h->case_id);
    if (x->expected >= 0 && x->expected != h->version)
        return bh_fail(err, BH_CONFLICT, "version", "隐患已被他人修改（版本 %lld），请刷新后重试",
                       (long long)h->version);
    if (h->status != DB_HAZARD_OPEN)
        return bh_fail(err, BH_FAILED_PRECONDITION, "action", "隐患已整改，不能重复整改");
    read = h->version;
    h->status = DB_HAZARD_RECTIFIED;
    h->rectified_at = svc_clock(x->s);
    h->rectified_by = x->u->username;
    h->note = x->note;
    if ((st = DB(c, patrol, hazard_update, h, read, err)))
        return st;
    h->version = read + 1;
    snprintf(obj, sizeof obj, "hazard:%lld", (long long)h->id);
    return svc_audit(c, x->u->username, "hazard.rectify", obj,
                     json_pack("{s:{s:s}, s:{s:s, s:s?}}", "before", "status", "open", "after",
                               "status", "rectified", "note", x->note));
}

bh_status_t svc_hazard_act(svc_t *s, const svc_user_t *u, int64_t id, const char *action,
                           const char *note, int64_t expected_version, arena_t *a,
                           db_hazard_t *out, bh_err_t *err)
{
    struct hazard_act x = {s, u, id, expected_version, note, a, {0}};
    bh_status_t st;
    if (!action || strcmp(action, "rectify") != 0)
        return bh_fail(err, BH_INVALID_ARGUMENT, "action",
                       "隐患的操作只有 rectify（整改完成）；重大隐患在其案件中办理");
    if (!may_patrol(u->role) && u->role != ROLE_HANDLER)
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "%s不能登记隐患整改", role_label(u->role));
    if (!note || !*note || strlen(note) > CASE_TEXT_MAX)
        return bh_fail(err, BH_INVALID_ARGUMENT, "note", "请写明整改情况（note，1 到 %d 字节）",
                       CASE_TEXT_MAX);
    if ((st = db_write(s->db, rectify_tx, &x, err)))
        return st;
    *out = x.h;
    return BH_OK;
}
