/*
 * report_store.c - built reports kept, and bulletins built on schedule
 * (see svc.h, "reports").  A report is built from the live figures once
 * and its content stored; downloads render that content in the format
 * asked, so the .docx, .pdf, .xlsx and .md of one report always agree.
 */
#include <string.h>

#include "svc/svc.h"

#define REPORT_MAX_BYTES ((size_t)16 << 20)

static bh_status_t add_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    return DB(c, report, report_add, ctx, err);
}

/* The content as the JSON text it is stored as (in a), or an error. */
static bh_status_t content_text(const rpt_doc_t *doc, arena_t *a, const char **out, bh_err_t *err)
{
    json_t *j = rpt_doc_to_json(doc);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text)
        return bh_fail(err, BH_INTERNAL, NULL, "报告内容无法保存");
    bh_status_t st = strlen(text) > REPORT_MAX_BYTES ? bh_fail(err, BH_PAYLOAD_TOO_LARGE, NULL, "报告过大")
                                                      : BH_OK;
    *out = st ? NULL : arena_strdup(a, text);
    free(text);
    return st;
}

/* Build req as u and keep it (schedule_id on out as given). */
static bh_status_t build_and_keep(svc_t *s, const svc_user_t *u, const svc_report_req_t *req,
                                  arena_t *a, db_report_t *out, rpt_doc_t *doc, bh_err_t *err)
{
    bh_status_t st = svc_report_build(s, u, req, a, doc, err);
    if (st || (st = content_text(doc, a, &out->content, err)))
        return st;
    out->kind = req->kind;
    out->unit = req->unit;
    out->from_day = req->from;
    out->to_day = req->to;
    out->title = doc->title;
    out->created_at = svc_clock(s);
    out->created_by = u->username;
    return db_write(s->db, add_tx, out, err);
}

bh_status_t svc_report_create(svc_t *s, const svc_user_t *u, const svc_report_req_t *req,
                              arena_t *a, db_report_t *out, rpt_doc_t *doc, bh_err_t *err)
{
    memset(out, 0, sizeof *out);
    return build_and_keep(s, u, req, a, out, doc, err);
}

static bool may_read(const svc_user_t *u, const char *unit)
{
    return u->role == ROLE_ADMIN || u->unrestricted || unit_in_scope(u->unit, unit);
}

static bool may_build(const svc_user_t *u)
{
    return u->role == ROLE_ADMIN || u->role == ROLE_LEADER || u->role == ROLE_OPERATOR ||
           u->role == ROLE_HANDLER;
}

bh_status_t svc_report_readable(const svc_user_t *u, const char *unit, bh_err_t *err)
{
    if (!may_build(u))
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "您的角色不能生成或查看报告");
    if (unit && !may_read(u, unit))
        return bh_fail(err, BH_PERMISSION_DENIED, "unit", "单位“%s”不在您的管辖范围内", unit);
    return BH_OK;
}

bh_status_t svc_report_template_of(svc_t *s, const svc_user_t *u, const char *kind,
                                   const char *unit, arena_t *a, const char **json,
                                   const char **from, bh_err_t *err)
{
    bh_status_t st = svc_report_readable(u, unit, err);
    return st ? st : svc_report_template(s, kind, unit, a, json, from, err);
}

bh_status_t svc_report_get(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                           db_report_t *out, rpt_doc_t *doc, bh_err_t *err)
{
    bh_status_t st;
    if ((st = svc_report_readable(u, NULL, err)))
        return st;
    SVC_READ(s, c, st, err, DB(c, report, report_get, id, a, out));
    if (st == BH_NOT_FOUND || (st == BH_OK && !may_read(u, out->unit)))
        return bh_fail(err, BH_NOT_FOUND, "id", "报告 %lld 不存在", (long long)id);
    if (st)
        return bh_fail(err, st, NULL, "读取报告失败，请稍后重试");
    if (doc)
        return rpt_doc_from_json(out->content, strlen(out->content), a, doc, err);
    return BH_OK;
}

bh_status_t svc_report_list(svc_t *s, const svc_user_t *u, const char *unit, int limit,
                            arena_t *a, db_report_t **out, int *n, bh_err_t *err)
{
    bh_status_t st;
    /* no unit (or an empty one): the caller's own; everything only for an
     * administrator bound to no unit */
    if (!unit || !*unit)
        unit = u->unit ? u->unit : "";
    if ((st = svc_report_readable(u, *unit ? unit : NULL, err)))
        return st;
    if (!*unit && u->role != ROLE_ADMIN)
        return bh_fail(err, BH_PERMISSION_DENIED, "unit", "您没有所属单位，不能查看报告");
    db_scope_t sc = *unit ? db_scope(unit) : (db_scope_t){"", true};
    SVC_READ(s, c, st, err, DB(c, report, report_list, &sc, limit, a, out, n));
    return st ? bh_fail(err, st, NULL, "读取报告列表失败，请稍后重试") : BH_OK;
}

/* ---- templates edited per unit ---- */

/* The configs key of a unit's own template of a kind. */
static const char *template_key(arena_t *a, const char *kind, const char *unit)
{
    return arena_printf(a, "report.%s@%s", kind, unit);
}

static bool known_kind(const char *kind)
{
    return kind && (strcmp(kind, "summary") == 0 || strcmp(kind, "bulletin") == 0);
}

bh_status_t svc_report_template(svc_t *s, const char *kind, const char *unit, arena_t *a,
                                const char **json, const char **from, bh_err_t *err)
{
    if (!known_kind(kind))
        return bh_fail(err, BH_INVALID_ARGUMENT, "kind", "报告类型应为 summary（工作总结）或 bulletin（通报）");
    /* the unit's own, else the nearest ancestor's; "" marks one removed */
    for (const char *u = unit; u && *u;) {
        const char *text, *by;
        dt_ms_t at;
        db_unit_t row;
        bh_status_t st;
        SVC_READ(s, c, st, err, DB(c, ops, config_get, template_key(a, kind, u), a, &text, &at, &by));
        if (st == BH_OK && *text) {
            *json = text;
            *from = u;
            return BH_OK;
        }
        if (st && st != BH_NOT_FOUND)
            return bh_fail(err, st, NULL, "读取报告模板失败，请稍后重试");
        if ((st = svc_unit_get(s, u, a, &row, NULL, NULL, NULL, err)))
            return st;
        u = row.parent;
    }
    size_t len;
    *json = rpt_template_builtin(kind, &len);
    *from = "";
    return BH_OK;
}

struct tpl_put {
    const char *key, *json, *unit, *kind;
    const svc_user_t *u;
};

static bh_status_t tpl_put_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct tpl_put *x = ctx;
    bh_status_t st = DB(c, ops, config_put, x->key, x->json, svc_now(), x->u->username);
    (void)err;
    if (st)
        return st;
    return svc_audit(c, x->u->username, *x->json ? "report.template" : "report.template_reset",
                     x->unit, json_pack("{s:s, s:i}", "kind", x->kind, "bytes", (int)strlen(x->json)));
}

bh_status_t svc_report_template_put(svc_t *s, const svc_user_t *u, const char *kind,
                                    const char *unit, const char *json, size_t len, bh_err_t *err)
{
    if (u->role != ROLE_ADMIN && u->role != ROLE_LEADER && u->role != ROLE_OPERATOR)
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "只有管理员、领导和指挥中心可以修改报告模板");
    if (!known_kind(kind))
        return bh_fail(err, BH_INVALID_ARGUMENT, "kind", "报告类型应为 summary（工作总结）或 bulletin（通报）");
    if (!unit || !may_read(u, unit))
        return bh_fail(err, BH_PERMISSION_DENIED, "unit", "单位“%s”不在您的管辖范围内", unit ? unit : "");
    arena_t *a = arena_new();
    db_unit_t row;
    bh_status_t st = svc_unit_get(s, unit, a, &row, NULL, NULL, NULL, err);
    if (st == BH_OK && json) {
        rpt_template_t *t;
        if ((st = rpt_template_parse(json, len, &t, err)) == BH_OK) {
            if (strcmp(rpt_template_kind(t), kind) != 0)
                st = bh_fail(err, BH_INVALID_ARGUMENT, "kind", "模板的 kind 是 %s，不是 %s",
                             rpt_template_kind(t), kind);
            rpt_template_free(t);
        }
    }
    if (st == BH_OK) {
        struct tpl_put x = {template_key(a, kind, unit), json ? arena_strndup(a, json, len) : "",
                            unit, kind, u};
        st = db_write(s->db, tpl_put_tx, &x, err);
    }
    arena_free(a);
    return st;
}

/* ---- schedules ---- */

static bh_status_t sched_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    db_schedule_t *x = ctx;
    bh_status_t st = DB(c, report, schedule_add, x, err);
    if (st)
        return st;
    return svc_audit(c, x->created_by, "report.schedule", x->unit,
                     json_pack("{s:I, s:s, s:s, s:i, s:i}", "id", (json_int_t)x->id, "kind",
                               x->kind, "every", x->every, "day", x->day, "minute", x->minute));
}

bh_status_t svc_schedule_create(svc_t *s, const svc_user_t *u, db_schedule_t *in, bh_err_t *err)
{
    bool monthly;
    db_unit_t unit;
    arena_t *a;
    bh_status_t st;
    if (u->role != ROLE_ADMIN && u->role != ROLE_LEADER && u->role != ROLE_OPERATOR)
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "只有管理员、领导和指挥中心可以设置定时通报");
    if (!in->kind || (strcmp(in->kind, "bulletin") != 0 && strcmp(in->kind, "summary") != 0))
        return bh_fail(err, BH_INVALID_ARGUMENT, "kind", "报告类型应为 bulletin（通报）或 summary（工作总结）");
    if (!in->every || (strcmp(in->every, "week") != 0 && strcmp(in->every, "month") != 0))
        return bh_fail(err, BH_INVALID_ARGUMENT, "every", "周期应为 week（每周）或 month（每月）");
    monthly = strcmp(in->every, "month") == 0;
    if (monthly ? in->day < 1 || in->day > 28 : in->day < 1 || in->day > 7)
        return bh_fail(err, BH_INVALID_ARGUMENT, "day",
                       monthly ? "每月的日期应为 1 到 28" : "星期应为 1（周一）到 7（周日）");
    if (in->minute < 0 || in->minute >= 24 * 60)
        return bh_fail(err, BH_INVALID_ARGUMENT, "time", "时间应为 00:00 到 23:59");
    if (!in->unit || !may_read(u, in->unit))
        return bh_fail(err, BH_PERMISSION_DENIED, "unit", "单位“%s”不在您的管辖范围内",
                       in->unit ? in->unit : "");
    a = arena_new();
    st = svc_unit_get(s, in->unit, a, &unit, NULL, NULL, NULL, err);
    arena_free(a);
    if (st)
        return st;
    in->created_at = svc_clock(s);
    in->created_by = u->username;
    in->next_at = period_next_run(monthly, in->day, in->minute, in->created_at);
    in->active = true;
    return db_write(s->db, sched_tx, in, err);
}

bh_status_t svc_schedule_list(svc_t *s, const svc_user_t *u, arena_t *a, db_schedule_t **out,
                              int *n, bh_err_t *err)
{
    db_schedule_t *all;
    int nall;
    bh_status_t st;
    if ((st = svc_report_readable(u, NULL, err)))
        return st;
    SVC_READ(s, c, st, err, DB(c, report, schedule_list, a, &all, &nall));
    if (st)
        return bh_fail(err, st, NULL, "读取定时通报失败，请稍后重试");
    *out = arena_alloc_array(a, (size_t)nall + 1, sizeof **out);
    *n = 0;
    for (int i = 0; i < nall; i++)
        if (all[i].active && may_read(u, all[i].unit))
            (*out)[(*n)++] = all[i];
    return BH_OK;
}

struct stop {
    int64_t id;
    const svc_user_t *u;
};

static bh_status_t stop_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct stop *x = ctx;
    bh_status_t st = DB(c, report, schedule_stop, x->id, err);
    if (st)
        return st;
    return svc_audit(c, x->u->username, "report.unschedule", "",
                     json_pack("{s:I}", "id", (json_int_t)x->id));
}

bh_status_t svc_schedule_stop(svc_t *s, const svc_user_t *u, int64_t id, bh_err_t *err)
{
    arena_t *a = arena_new();
    db_schedule_t *v;
    int n;
    bool mine = false;
    bh_status_t st = svc_schedule_list(s, u, a, &v, &n, err);
    for (int i = 0; st == BH_OK && i < n; i++)
        mine = mine || v[i].id == id;
    arena_free(a);
    if (st)
        return st;
    if (!mine || (u->role != ROLE_ADMIN && u->role != ROLE_LEADER && u->role != ROLE_OPERATOR))
        return bh_fail(err, BH_NOT_FOUND, "id", "没有在用的定时通报 %lld", (long long)id);
    struct stop x = {id, u};
    return db_write(s->db, stop_tx, &x, err);
}

struct run {
    const db_schedule_t *x;
    db_report_t *r; /* NULL: the run is skipped */
    dt_ms_t next;
};

/* Keep the report only if this run still owns the schedule's slot. */
static bh_status_t run_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct run *x = ctx;
    bool won;
    bh_status_t st = x->r ? DB(c, report, report_add, x->r, err) : BH_OK;
    if (!st)
        st = DB(c, report, schedule_advance, x->x->id, x->x->next_at, x->next,
                x->r ? x->r->id : x->x->last_report, &won, err);
    if (!st && !won)
        st = bh_fail(err, BH_CONFLICT, "schedule", "定时通报已由另一进程生成");
    return st;
}

/* The latest slot of x due by 'now' (after a downtime the runs missed are
 * not built one by one: the bulletin that matters is the latest one). */
static dt_ms_t latest_slot(const db_schedule_t *x, bool monthly, dt_ms_t now)
{
    dt_ms_t slot = x->next_at, next;
    for (int i = 0; i < 1000 && (next = period_next_run(monthly, x->day, x->minute, slot)) &&
                    next <= now; i++)
        slot = next;
    return slot;
}

/* One due run: build the period just ended with the rights its creator has
 * now (an account disabled, or moved out of the unit's jurisdiction, stops
 * building it) and keep it.  A report that cannot be built skips this run
 * rather than retrying it every second, and says why. */
static bh_status_t run_one(svc_t *s, const db_schedule_t *x, dt_ms_t now, arena_t *a,
                           bool *built, bh_err_t *err)
{
    bool monthly = strcmp(x->every, "month") == 0;
    period_t p = period_before(monthly, dt_local_day(latest_slot(x, monthly, now)));
    db_user_t owner;
    svc_report_req_t req = {x->kind, x->unit, p.from, p.to, NULL, 0};
    rpt_doc_t doc;
    db_report_t r = {.schedule_id = x->id};
    struct run run = {x, &r, period_next_run(monthly, x->day, x->minute, now)};
    if (!run.next) /* a day no calendar has (edited by hand): not every second */
        run.next = now + DT_DAY_MS;
    bh_err_t why;
    bh_status_t st;
    bh_err_clear(&why);
    if ((st = svc_user_get(s, x->created_by, a, &owner, &why)) == BH_OK && !owner.active)
        st = bh_fail(&why, BH_PERMISSION_DENIED, "created_by", "设置人 %s 的账号已停用", x->created_by);
    int role = st == BH_OK ? role_from_name(owner.role) : -1;
    if (st == BH_OK && role < 0)
        st = bh_fail(&why, BH_PERMISSION_DENIED, "created_by", "设置人 %s 的角色无效", x->created_by);
    if (st == BH_OK) {
        svc_user_t as = {owner.id, owner.username, (bh_role_t)role, owner.unit, false,
                         owner.object_id};
        st = svc_report_build(s, &as, &req, a, &doc, &why);
    }
    if (st == BH_OK && (st = content_text(&doc, a, &r.content, &why)) == BH_OK) {
        r.kind = req.kind, r.unit = req.unit, r.from_day = p.from, r.to_day = p.to;
        r.title = doc.title, r.created_at = now, r.created_by = x->created_by;
    }
    if (st)
        run.r = NULL; /* the run is skipped */
    *built = st == BH_OK;
    bh_status_t wst = db_write(s->db, run_tx, &run, err);
    if (wst == BH_CONFLICT) {
        *built = false; /* another server ran it */
        return BH_OK;
    }
    if (wst)
        return wst;
    if (st)
        return bh_fail(err, st, why.field, "定时通报 %lld 未能生成，已跳过本次：%s", (long long)x->id,
                       why.message);
    return BH_OK;
}

int svc_reports_run_due(svc_t *s, dt_ms_t now, bh_err_t *err)
{
    arena_t *a = arena_new();
    db_schedule_t *v;
    int n, built = 0, failed = 0;
    bh_status_t st;
    SVC_READ(s, c, st, err, DB(c, report, schedule_list, a, &v, &n));
    for (int i = 0; st == BH_OK && i < n; i++) {
        bool b;
        if (!v[i].active || v[i].next_at > now)
            continue;
        if (run_one(s, &v[i], now, a, &b, err) != BH_OK)
            failed++;
        built += b;
    }
    arena_free(a);
    return st != BH_OK || failed ? -1 : built;
}
