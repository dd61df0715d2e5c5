/*
 * cases.c - the case loop's use cases: report, act, comment, view (also
 * the anonymous Open311 reads and change feed), sweep.
 *
 * derive() is the one place that turns an event history into the cached
 * columns of a case (state, handling unit, counters, light, next change,
 * due date) and its clock rows; every write calls it inside the write
 * transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/wording.h"
#include "svc/svc.h"
#include "util/xmalloc.h"

const char *const svc_sources[] = {"grid", "hotline", "citizen", "petition", "inspection",
                                   "self_check", "video", "superior", "open311", NULL};
static const char *const source_labels[] = {"网格员上报", "12345热线", "群众反映", "信访",
                                            "巡查检查", "企业自查", "视频监控", "上级交办",
                                            "Open311"};

const char *svc_source_label(const char *source)
{
    for (int i = 0; svc_sources[i]; i++)
        if (source && strcmp(source, svc_sources[i]) == 0)
            return source_labels[i];
    return NULL;
}

void svc_init(svc_t *s, db_t *db, cat_set_t *cats, cal_t *cal)
{
    memset(s, 0, sizeof *s);
    s->db = db;
    svc_categories_init(s, cats);
    s->cal = cal;
    cal_hours_default(&s->hours);
    s->env.cal = cal;
    s->env.hours = &s->hours;
    s->session_ttl_ms = 12 * DT_HOUR_MS;
    s->session_idle_ms = 2 * DT_HOUR_MS;
    svc_patrol_init(s);
    svc_target_init(s);
    svc_notify_init(s);
    {
        /* This server's name as a lease holder: random, so two servers
         * sharing a store never take each other for themselves. */
        unsigned char r[12];
        randombytes_buf(r, sizeof r);
        sodium_bin2hex(s->instance, sizeof s->instance, r, sizeof r);
    }
}

void svc_fini(svc_t *s)
{
    svc_patrol_fini(s);
    svc_target_fini(s);
    svc_notify_fini(s);
    svc_categories_fini(s);
    cal_free(s->cal);
}

const cat_t *svc_case_category(svc_t *s, const db_case_t *k)
{
    const cat_t *cat = cat_find(svc_cats_at(s, k->policy_version), k->category);
    return cat ? cat : cat_find(s->cats, k->category);
}

const sla_policy_t *svc_case_policy_in(svc_t *s, const db_case_t *k, const cat_set_t **set)
{
    /* the version it was reported under: an edit applies to new cases only */
    const cat_t *cat;
    *set = svc_cats_at(s, k->policy_version);
    if (!(cat = cat_find(*set, k->category))) /* a category removed: fall back to the first */
        cat = &(*set)->cats[0];
    return cat_policy(*set, cat, k->source, k->urgency);
}

const sla_policy_t *svc_case_policy(svc_t *s, const db_case_t *k)
{
    const cat_set_t *set;
    return svc_case_policy_in(s, k, &set);
}

bool svc_case_visible(const svc_user_t *u, const db_case_t *k)
{
    if (u->role == ROLE_ADMIN || u->unrestricted) /* the administrator sees every case */
        return true;
    if (role_external(u->role))
        return k->created_by && strcmp(k->created_by, u->username) == 0;
    return unit_in_scope(u->unit, k->unit) || unit_in_scope(u->unit, k->handling_unit) ||
           (k->created_by && strcmp(k->created_by, u->username) == 0);
}

/* The clock the case is judged by: the one verification stops, else the
 * one handling stops, else the first. */
static int governing_clock(const sla_policy_t *p)
{
    for (int i = 0; i < p->nclocks; i++)
        if (p->clock[i].stop & (1u << CASE_ACT_VERIFY_PASS))
            return i;
    for (int i = 0; i < p->nclocks; i++)
        if (p->clock[i].stop & (1u << CASE_ACT_HANDLE))
            return i;
    return 0;
}

/* First (or, with last=true, latest) instant of an action in the history. */
static dt_ms_t when(const case_event_t *ev, int n, case_action_t a, bool last)
{
    dt_ms_t t = 0;
    for (int i = 0; i < n; i++)
        if (ev[i].action == a) {
            t = ev[i].at;
            if (!last)
                break;
        }
    return t;
}

/*
 * Derive the cached columns of 'k' and its clocks from the history.
 * 'clocks' (SLA_CLOCKS_MAX) and 'snap' are out-parameters.
 */
/* The source of the cases anyone may read unless withdrawn (unpublish). */
#define PUBLIC_SOURCE "open311"

/* The actions u may take now: the state machine's, less publishing what is
 * already public or of a category Open311 does not offer, and withdrawing
 * what is not public. */
static uint32_t allowed_now(svc_t *s, const db_case_t *k, const case_snapshot_t *snap,
                            const svc_user_t *u)
{
    const cat_t *cat = svc_case_category(s, k);
    uint32_t m = case_allowed_actions(snap, u->role, u->unit);
    if (k->published || !cat || !cat->open311)
        m &= ~(1u << CASE_ACT_PUBLISH);
    if (!k->published)
        m &= ~(1u << CASE_ACT_UNPUBLISH);
    return m;
}

static bh_status_t derive(svc_t *s, db_case_t *k, const case_event_t *ev, int n, dt_ms_t now,
                          sla_clock_state_t *clocks, case_snapshot_t *snap, bh_err_t *err)
{
    const sla_policy_t *p = svc_case_policy(s, k);
    int g = governing_clock(p);
    dt_ms_t next = INT64_MAX;

    /* A history that does not replay is a condition of the stored data
     * (BH_FAILED_PRECONDITION: the sweep quarantines it), not a failure. */
    if (n < 1)
        return bh_fail(err, BH_FAILED_PRECONDITION, "", "案件 %lld 没有任何历史事件，无法重放",
                       (long long)k->id);
    if (case_replay(ev, n, snap, err) != BH_OK) {
        char why[sizeof err->message]; /* bh_fail must not format err->message into itself */
        snprintf(why, sizeof why, "%s", err ? err->message : "");
        return bh_fail(err, BH_FAILED_PRECONDITION, "", "案件 %lld 的历史无法重放：%s",
                       (long long)k->id, why);
    }
    k->light = sla_evaluate(p, &s->env, ev, n, now, clocks);
    for (int i = 0; i < p->nclocks; i++)
        if (clocks[i].next_change < next)
            next = clocks[i].next_change;
    k->next_change = next == INT64_MAX ? 0 : next;
    k->status = snap->state;
    k->handling_unit = snap->handling_unit;
    k->supervised = snap->supervise_level;
    k->rework_count = snap->rework_count;
    k->return_count = snap->return_count;
    k->rating = snap->rating;
    k->registered_at = when(ev, n, CASE_ACT_REGISTER, false);
    k->dispatched_at = when(ev, n, CASE_ACT_DISPATCH, false);
    k->handled_at = when(ev, n, CASE_ACT_HANDLE, true);
    k->closed_at = snap->closed_at;
    k->due_at = clocks[g].started ? clocks[g].deadline : 0;
    k->on_time = clocks[g].stopped ? clocks[g].on_time : -1;
    k->published = snap->publicity > 0 || (snap->publicity == 0 && svc_case_via_open311(k));
    k->reopen_requested = snap->reopen_requested;
    return BH_OK;
}

static void clock_rows(const sla_policy_t *p, const sla_clock_state_t *st, db_clock_t *rows)
{
    for (int i = 0; i < p->nclocks; i++) {
        rows[i].name = p->clock[i].name;
        rows[i].started_at = st[i].started ? st[i].started_at : 0;
        rows[i].deadline = st[i].started ? st[i].deadline : 0;
        rows[i].stopped_at = st[i].stopped ? st[i].stopped_at : 0;
        rows[i].light = st[i].light;
    }
}

/* Write the clock rows and the status/light counters. */
static bh_status_t save_rest(svc_t *s, db_conn_t *c, const db_case_t *k, case_state_t old_st,
                             sla_light_t old_light, bool is_new, const sla_clock_state_t *clocks)
{
    const sla_policy_t *p = svc_case_policy(s, k);
    db_clock_t rows[SLA_CLOCKS_MAX];
    bh_status_t st;

    clock_rows(p, clocks, rows);
    if ((st = DB(c, cases, clocks_put, k->id, rows, p->nclocks, is_new)))
        return st;
    if (!is_new && old_st == k->status && old_light == k->light)
        return BH_OK;
    if (!is_new && (st = DB(c, cases, counts_add, old_st, old_light, -1)))
        return st;
    return DB(c, cases, counts_add, k->status, k->light, 1);
}

/* An existing case, read at 'read_version': its derived columns (if no
 * one changed it since), then clocks and counters. */
static bh_status_t save(svc_t *s, db_conn_t *c, db_case_t *k, int64_t read_version,
                        case_state_t old_st, sla_light_t old_light,
                        const sla_clock_state_t *clocks, bh_err_t *err)
{
    bh_status_t st = DB(c, cases, case_update, k, read_version, err);
    return st ? st : save_rest(s, c, k, old_st, old_light, false, clocks);
}

/* ---- numbers ---- */

const char *svc_case_number(const db_case_t *k, arena_t *a)
{
    int y, m, d;
    dt_ymd(dt_local_day(k->created_at), &y, &m, &d);
    return arena_printf(a, "%04d%02d%02d%08lld", y, m, d, (long long)k->id);
}

/* The case a number names (its id follows the 8-digit date), checking
 * that the date matches; 0 if none. */
static int64_t case_by_number(db_conn_t *c, const char *number, arena_t *a)
{
    db_case_t k;
    char *end;
    long long id;
    if (!number || strlen(number) < 9 || strspn(number, "0123456789") != strlen(number))
        return 0;
    id = strtoll(number + 8, &end, 10);
    if (id <= 0 || DB(c, cases, case_get, id, a, &k) != BH_OK ||
        strcmp(svc_case_number(&k, a), number) != 0)
        return 0;
    return id;
}

/* ---- report ---- */

/* The stored row for a new case (no id yet). */
static void new_row(db_case_t *k, const svc_case_new_t *in, const cat_t *cat,
                    const char *created_by, int policy_version)
{
    memset(k, 0, sizeof *k);
    k->category = in->category;
    k->kind = cat_kind_name(cat->kind);
    k->title = in->title;
    k->description = in->description;
    k->source = in->source;
    k->urgency = in->urgency;
    k->unit = in->unit;
    k->has_location = in->has_location;
    k->lat = in->lat;
    k->lng = in->lng;
    k->address = in->address;
    k->reporter_name = in->reporter_name;
    k->reporter_phone = in->reporter_phone;
    k->created_by = created_by;
    k->external_id = in->external_id;
    k->idempotency_key = in->idempotency_key;
    k->attributes = in->attributes;
    k->media_url = in->media_url;
    k->contact = in->contact;
    k->created_at = k->updated_at = in->at ? in->at : svc_now();
    k->version = 1;
    k->policy_version = policy_version;
}

/* Derive, insert, write events, clocks and counters of a new case. */
static bh_status_t insert_case(svc_t *s, db_conn_t *c, db_case_t *k, const case_event_t *ev,
                               int n, dt_ms_t now, sla_clock_state_t *clocks,
                               case_snapshot_t *snap, bh_err_t *err)
{
    bh_status_t st;
    if ((st = derive(s, k, ev, n, now, clocks, snap, err)) || (st = DB(c, cases, case_insert, k, err)))
        return st;
    for (int i = 0; i < n; i++)
        if ((st = DB(c, cases, event_add, k->id, i + 1, &ev[i])))
            return st;
    return save_rest(s, c, k, CASE_ST_NONE, SLA_LIGHT_NONE, true, clocks);
}

bh_status_t svc_case_import_tx(svc_t *s, db_conn_t *c, const svc_case_new_t *in,
                               const char *created_by, const case_event_t *ev, int n,
                               dt_ms_t now, int64_t *id, bh_err_t *err)
{
    int version;
    const cat_t *cat = cat_find(svc_cats_pinned(s, &version), in->category);
    db_case_t k;
    case_snapshot_t snap;
    sla_clock_state_t clocks[SLA_CLOCKS_MAX];
    bh_status_t st;

    if (!cat)
        return bh_fail(err, BH_INVALID_ARGUMENT, "category", "案件类别“%s”不存在", in->category);
    if (n < 1 || ev[0].action != CASE_ACT_REPORT)
        return bh_fail(err, BH_INVALID_ARGUMENT, "history", "案件历史须以上报开始");
    /* Imported events are new to this system: admitted under today's rules. */
    if ((st = case_admit_history(ev, n, &snap, err)))
        return st;
    new_row(&k, in, cat, created_by, version);
    k.created_at = ev[0].at;
    k.version = n;
    k.updated_at = ev[n - 1].at;
    if ((st = insert_case(s, c, &k, ev, n, now, clocks, &snap, err)))
        return st;
    {
        char obj[32];
        snprintf(obj, sizeof obj, "case:%lld", (long long)k.id);
        if ((st = svc_audit(c, created_by, "case.import", obj,
                            json_pack("{s:{s:s, s:s, s:s, s:i}}", "after", "category", k.category,
                                      "unit", k.unit, "status", case_state_name(k.status),
                                      "events", n))))
            return st;
    }
    *id = k.id;
    return BH_OK;
}

/* Fill a view from what a write has just derived. */
static void fill_view(svc_t *s, const svc_user_t *u, const db_case_t *k, case_event_t *ev, int n,
                      const sla_clock_state_t *clocks, const case_snapshot_t *snap,
                      svc_case_view_t *v)
{
    v->k = *k;
    v->events = ev;
    v->nevents = n;
    v->policy = svc_case_policy(s, k);
    memcpy(v->clocks, clocks, sizeof v->clocks);
    v->snap = *snap;
    v->allowed = allowed_now(s, k, snap, u);
    v->files = NULL; /* a write's answer; the single-case read lists them */
    v->nfiles = 0;
}

struct create_ctx {
    svc_t *s;
    const svc_user_t *u;
    const svc_case_new_t *in;
    const cat_t *cat;
    arena_t *a;
    svc_case_view_t *out;
    bool replayed;
    bool retried; /* the insert lost a race to its twin once */
};

static bh_status_t create_tx(db_conn_t *c, void *vctx, bh_err_t *err)
{
    struct create_ctx *x = vctx;
    const svc_case_new_t *in = x->in;
    db_unit_t unit;
    db_case_t k;
    case_event_t *ev;
    case_snapshot_t snap;
    sla_clock_state_t clocks[SLA_CLOCKS_MAX];
    bh_status_t st;

    if ((st = DB(c, cases, case_lookup_key, in->idempotency_key, in->source, in->external_id,
                 &x->out->k.id)) != BH_OK)
        return bh_fail(err, st, "", "查询幂等键失败");
    if (x->out->k.id) {
        /* The idempotency key is per principal already; an external id
         * (a 12345 ticket number) is per source, so a replay shows the
         * case only to whoever may read it: anyone else learns nothing
         * but that the number is taken. */
        db_case_t old;
        if ((st = DB(c, cases, case_get, x->out->k.id, x->a, &old)) != BH_OK)
            return bh_fail(err, st == BH_NOT_FOUND ? BH_INTERNAL : st, "", "读取已有案件失败");
        if (!svc_case_visible(x->u, &old))
            return bh_fail(err, BH_CONFLICT, "external_id",
                           "来源“%s”的外部编号“%s”已被另一案件使用", svc_source_label(in->source),
                           in->external_id ? in->external_id : "");
        x->replayed = true;
        return BH_OK;
    }
    if (DB(c, registry, unit_get, in->unit, x->a, &unit) != BH_OK || !unit.active)
        return bh_fail(err, BH_INVALID_ARGUMENT, "unit", "单位“%s”不存在或已停用", in->unit);
    new_row(&k, in, x->cat, x->u->username, in->policy_version);
    ev = arena_zalloc(x->a, sizeof *ev);
    ev->action = CASE_ACT_REPORT;
    ev->role = x->u->role;
    ev->actor = x->u->username;
    ev->actor_unit = x->u->unit;
    ev->at = k.created_at;
    if ((st = case_check(&(case_snapshot_t){.state = CASE_ST_NONE}, ev, err)))
        return st;
    if ((st = insert_case(x->s, c, &k, ev, 1, k.created_at, clocks, &snap, err)) == BH_CONFLICT &&
        !x->retried) {
        /* A twin with the same key committed between our lookup and our
         * insert (possible with concurrent writers): answer as its replay. */
        x->retried = true;
        return create_tx(c, vctx, err);
    }
    if (st ||
        (st = svc_audit(c, x->u->username, "case.report", arena_printf(x->a, "case:%lld", (long long)k.id),
                        json_pack("{s:{s:s, s:s, s:s, s:s, s:I}}", "after", "category", k.category,
                                  "unit", k.unit, "source", k.source, "status",
                                  case_state_name(k.status), "version", (json_int_t)k.version))))
        return st;
    fill_view(x->s, x->u, &k, ev, 1, clocks, &snap, x->out);
    if (in->nattachments &&
        ((st = svc_attachments_bind(c, x->u, in->attachments, in->nattachments, k.id, 0, err)) ||
         (st = DB(c, files, attachment_list, k.id, 0, x->a, &x->out->files, &x->out->nfiles))))
        return st;
    if ((st = svc_evidence_check(x->s, c, x->a, &k, CASE_ACT_REPORT, x->u->role, NULL, 0, err)))
        return st;
    return BH_OK;
}

static bool valid_text(const char *s, size_t max)
{
    return s && strlen(s) <= max;
}

/* Check a new case and locate it; *located is 'in' with the unit filled
 * (and the title, when none was given). */
static bh_status_t new_case_check(svc_t *s, const svc_user_t *u, const svc_case_new_t *in, arena_t *a,
                                  svc_case_new_t *located, const cat_t **cat, bh_err_t *err)
{
    bh_status_t st;

    *located = *in;
    /* the category as the version it will be reported under has it */
    if (!in->category ||
        !(*cat = cat_find(svc_cats_pinned(s, &located->policy_version), in->category)))
        return bh_fail(err, BH_INVALID_ARGUMENT, "category", "案件类别“%s”不存在",
                       in->category ? in->category : "");
    if (!in->title || !*in->title) { /* derived: category and address, or the description */
        char t[201];
        wording_case_title((*cat)->name, in->address,
                           in->description, t, sizeof t);
        located->title = arena_strdup(a, t);
    } else if (!valid_text(in->title, 200)) {
        return bh_fail(err, BH_INVALID_ARGUMENT, "title", "标题（title）最多200字节");
    }
    if (!in->description || !*in->description || !valid_text(in->description, 4000))
        return bh_fail(err, BH_INVALID_ARGUMENT, "description",
                       "问题描述（description）不能为空，最多4000字节");
    if (!svc_source_label(in->source))
        return bh_fail(err, BH_INVALID_ARGUMENT, "source",
                       "来源（source）“%s”无效，可选 grid hotline citizen petition inspection"
                       " self_check video superior open311", in->source ? in->source : "");
    if (strcmp(in->source, "open311") == 0 && !in->via_open311)
        return bh_fail(err, BH_INVALID_ARGUMENT, "source",
                       "来源 open311 只用于经 Open311 接口（/open311/v2/）上报的案件，这类案件对公众公开");
    if (role_sources(u->role)[0] && !role_may_use_source(u->role, in->source)) {
        char list[160] = "";
        size_t len = 0;
        for (const char *const *p = role_sources(u->role); *p && len < sizeof list; p++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? " " : "", *p);
        return bh_fail(err, BH_PERMISSION_DENIED, "source",
                       "“%s”角色不能以来源“%s”上报案件，可选：%s", role_label(u->role),
                       svc_source_label(in->source), list);
    }
    if (in->urgency && strcmp(in->urgency, "normal") && strcmp(in->urgency, "urgent"))
        return bh_fail(err, BH_INVALID_ARGUMENT, "urgency", "紧急程度（urgency）应为 normal 或 urgent");
    if ((!in->unit || !*in->unit) && in->has_location) {
        /* Locate the point to its grid; outside every grid is an error,
         * never a guess. */
        if ((st = svc_locate(s, in->lng, in->lat, a, &located->unit, err)) != BH_OK) {
            if (err && st == BH_NOT_FOUND)
                err->status = st = BH_INVALID_ARGUMENT;
            return st;
        }
        in = located;
    }
    if (!in->unit || !*in->unit)
        return bh_fail(err, BH_INVALID_ARGUMENT, "unit",
                       "须给出事发单位或网格编码（unit），或可定位到网格的坐标（location）");
    if (!role_external(u->role) && u->role != ROLE_ADMIN && !u->unrestricted &&
        !unit_in_scope(u->unit, in->unit))
        return bh_fail(err, BH_PERMISSION_DENIED, "unit",
                       "单位“%s”不在您的管辖范围（%s）内", in->unit, u->unit);
    if (in->has_location && !(in->lat >= -90 && in->lat <= 90 && in->lng >= -180 && in->lng <= 180))
        return bh_fail(err, BH_INVALID_ARGUMENT, "location", "坐标超出范围");
    if (!valid_text(in->address ? in->address : "", 500) ||
        !valid_text(in->reporter_name ? in->reporter_name : "", 100) ||
        !valid_text(in->reporter_phone ? in->reporter_phone : "", 40) ||
        !valid_text(in->external_id ? in->external_id : "", 128) ||
        !valid_text(in->idempotency_key ? in->idempotency_key : "", 256))
        return bh_fail(err, BH_INVALID_ARGUMENT, "", "地址、报告人、外部编号或幂等键过长");
    return BH_OK;
}

bh_status_t svc_case_create(svc_t *s, const svc_user_t *u, const svc_case_new_t *in, arena_t *a,
                            svc_case_view_t *out, bool *replayed, bh_err_t *err)
{
    struct create_ctx x = {s, u, NULL, NULL, a, out, false, false};
    svc_case_new_t located;
    bh_status_t st;

    if ((st = new_case_check(s, u, in, a, &located, &x.cat, err)))
        return st;
    x.in = &located;
    memset(out, 0, sizeof *out);
    st = db_write(s->db, create_tx, &x, err);
    *replayed = x.replayed;
    if (st == BH_OK && x.replayed) /* show the case as it is now */
        st = svc_case_get_after_act(s, u, out->k.id, a, out, err);
    return st;
}

bh_status_t svc_case_create_tx(svc_t *s, db_conn_t *c, const svc_user_t *u,
                               const svc_case_new_t *in, arena_t *a, int64_t *id, bool *replayed,
                               bh_err_t *err)
{
    svc_case_view_t out;
    struct create_ctx x = {s, u, NULL, NULL, a, &out, false, false};
    svc_case_new_t located;
    bh_status_t st;

    memset(&out, 0, sizeof out);
    if ((st = new_case_check(s, u, in, a, &located, &x.cat, err)))
        return st;
    x.in = &located;
    if ((st = create_tx(c, &x, err)))
        return st;
    *id = out.k.id;
    *replayed = x.replayed;
    return BH_OK;
}

/* ---- actions ---- */

struct act_ctx {
    svc_t *s;
    const svc_user_t *u;
    int64_t id, expected_version;
    case_event_t *ev;
    arena_t *a;
    svc_case_view_t *out;
    bool not_solved; /* a comment: a reopen request if the case is closed */
    bool public_only; /* a comment: only on a case anyone may read */
    int seq;         /* out: the event's place in the history */
    bool replayed;   /* out: ev->ext_id was already there; nothing written */
};

/* An event already in the history with the new one's ext_id: *at is its
 * place (1-based), or 0. */
static bh_status_t find_ext(const struct act_ctx *x, const case_event_t *ev, int n, int *at,
                            bh_err_t *err)
{
    *at = 0;
    for (int i = 0; x->ev->ext_id && i < n; i++) {
        if (!ev[i].ext_id || strcmp(ev[i].ext_id, x->ev->ext_id) != 0)
            continue;
        if (!ev[i].actor || strcmp(ev[i].actor, x->u->username) != 0)
            return bh_fail(err, BH_CONFLICT, "ext_id", "编号“%s”已被其他用户用于本案件",
                           x->ev->ext_id);
        *at = i + 1;
        break;
    }
    return BH_OK;
}

/* Checks that need the store or the policy, after the state machine's. */
static bh_status_t check_refs(svc_t *s, db_conn_t *c, arena_t *a, const db_case_t *k,
                              const case_event_t *ev, const case_event_t *hist, int n,
                              bh_err_t *err)
{
    db_unit_t unit;
    if (ev->action == CASE_ACT_DISPATCH &&
        (DB(c, registry, unit_get, ev->to_unit, a, &unit) != BH_OK || !unit.active))
        return bh_fail(err, BH_INVALID_ARGUMENT, "to_unit", "处置单位“%s”不存在或已停用",
                       ev->to_unit);
    if (ev->action == CASE_ACT_MERGE) {
        int64_t into = case_by_number(c, ev->into, a);
        if (!into || into == k->id)
            return bh_fail(err, BH_INVALID_ARGUMENT, "into",
                           "要合并到的案件“%s”不存在或就是本案件", ev->into);
    }
    if (ev->action == CASE_ACT_PUBLISH || ev->action == CASE_ACT_UNPUBLISH) {
        const cat_t *cat = svc_case_category(s, k);
        if ((ev->action == CASE_ACT_PUBLISH) == k->published)
            return bh_fail(err, BH_FAILED_PRECONDITION, "action",
                           k->published ? "案件已公开" : "案件未公开，无需撤回");
        if (ev->action == CASE_ACT_PUBLISH && !(cat && cat->open311))
            return bh_fail(err, BH_FAILED_PRECONDITION, "action",
                           "类别“%s”不对公众开放（Open311），公开后也无人能查看",
                           cat ? cat->name : k->category);
    }
    if (ev->action == CASE_ACT_EXTEND) {
        sla_clock_state_t st[SLA_CLOCKS_MAX];
        const sla_policy_t *p = svc_case_policy(s, k);
        sla_evaluate(p, &s->env, hist, n, ev->at, st);
        return sla_check_extension(p, st, ev->clock, ev->amount, err);
    }
    return BH_OK;
}

/* Append to a history: a conflict is a twin written meanwhile (the same
 * seq, or the same ext_id) - the caller's retry reads it. */
static bh_status_t add_event(db_conn_t *c, int64_t id, int seq, const case_event_t *ev,
                             bh_err_t *err)
{
    bh_status_t st = DB(c, cases, event_add, id, seq, ev);
    if (st == BH_CONFLICT)
        return bh_fail(err, st, "version", "案件已被同时修改，请重试");
    return st ? bh_fail(err, st, "", "写入案件历史失败，请稍后重试") : BH_OK;
}

static bh_status_t act_tx(db_conn_t *c, void *vctx, bh_err_t *err)
{
    struct act_ctx *x = vctx;
    db_case_t k;
    case_event_t *ev, *all;
    int n;
    case_snapshot_t snap;
    sla_clock_state_t clocks[SLA_CLOCKS_MAX];
    case_state_t old_st;
    sla_light_t old_light;
    dt_ms_t now = svc_now();
    bh_status_t st;

    if (DB(c, cases, case_get, x->id, x->a, &k) != BH_OK || !svc_case_visible(x->u, &k) ||
        (x->public_only && !svc_case_public(&k)))
        return bh_fail(err, BH_NOT_FOUND, "id", "案件不存在");
    if (x->expected_version >= 0 && x->expected_version != k.version)
        return bh_fail(err, BH_CONFLICT, "version",
                       "案件已被他人修改：您看到的是第%lld版，当前是第%lld版，请刷新后重试",
                       (long long)x->expected_version, (long long)k.version);
    if ((st = DB(c, cases, event_list, k.id, x->a, &ev, &n)) != BH_OK)
        return bh_fail(err, st, "", "读取案件历史失败");
    if (n < 1)
        return bh_fail(err, BH_INTERNAL, "", "案件 %lld 没有任何历史事件", (long long)k.id);
    if ((st = case_replay(ev, n, &snap, err)) != BH_OK || (st = find_ext(x, ev, n, &x->seq, err)))
        return st;
    if (x->seq) { /* said before: the history stands */
        x->replayed = true;
        return BH_OK;
    }
    if (x->not_solved && snap.state == CASE_ST_CLOSED)
        x->ev->action = CASE_ACT_REOPEN_REQUEST;
    if (x->ev->at < ev[n - 1].at)
        x->ev->at = ev[n - 1].at; /* keep the history in time order */
    if ((st = case_check(&snap, x->ev, err)) ||
        (st = check_refs(x->s, c, x->a, &k, x->ev, ev, n, err)) ||
        (st = svc_evidence_check(x->s, c, x->a, &k, x->ev->action, x->ev->role, ev, n, err)))
        return st;
    all = arena_alloc(x->a, (size_t)(n + 1) * sizeof *all);
    memcpy(all, ev, (size_t)n * sizeof *all);
    all[n] = *x->ev;
    old_st = k.status;
    old_light = k.light;
    k.version++;
    k.updated_at = x->ev->at;
    if ((st = svc_audit(c, x->u->username, arena_printf(x->a, "case.%s", case_action_name(x->ev->action)),
                        arena_printf(x->a, "case:%lld", (long long)k.id),
                        json_pack("{s:{s:s, s:I}, s:{s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:f, s:i, s:i, s:s?}}",
                                  "before", "status", case_state_name(k.status), "version",
                                  (json_int_t)(k.version - 1), "after", "version", (json_int_t)k.version,
                                  "reason", x->ev->reason, "note", x->ev->note, "to_unit", x->ev->to_unit,
                                  "result", x->ev->result, "clock", x->ev->clock, "amount", x->ev->amount,
                                  "level", x->ev->level, "rating", x->ev->rating, "into", x->ev->into))) ||
        (st = add_event(c, k.id, n + 1, x->ev, err)) ||
        (st = derive(x->s, &k, all, n + 1, now > x->ev->at ? now : x->ev->at, clocks, &snap, err)) ||
        (st = save(x->s, c, &k, k.version - 1, old_st, old_light, clocks, err)) ||
        (st = svc_notify_case(x->s, c, x->a, &k, x->ev, n + 1, old_light, clocks)))
        return st;
    fill_view(x->s, x->u, &k, all, n + 1, clocks, &snap, x->out);
    x->seq = n + 1;
    return BH_OK;
}

static bh_status_t act(struct act_ctx *x, bh_err_t *err)
{
    x->ev->role = x->u->role;
    x->ev->actor = x->u->username;
    x->ev->actor_unit = x->u->unit;
    if (!x->ev->at)
        x->ev->at = svc_now();
    return db_write(x->s->db, act_tx, x, err);
}

bh_status_t svc_case_act(svc_t *s, const svc_user_t *u, int64_t id, case_event_t *ev,
                         int64_t expected_version, arena_t *a, svc_case_view_t *out,
                         bh_err_t *err)
{
    struct act_ctx x = {s, u, id, expected_version, ev, a, out, false, false, 0, false};
    return act(&x, err);
}

bh_status_t svc_case_comment(svc_t *s, const svc_user_t *u, int64_t id, const svc_comment_t *in,
                             arena_t *a, svc_case_view_t *out, int *seq, bool *replayed,
                             bh_err_t *err)
{
    dt_ms_t now = svc_now();
    case_event_t ev = {.action = CASE_ACT_COMMENT, .note = in->text, .ext_id = in->ext_id,
                       .extra = in->extra, .at = in->at > 0 && in->at < now ? in->at : now};
    struct act_ctx x = {s, u, id, -1, &ev, a, out, in->not_solved, true, 0, false};
    bh_status_t st = act(&x, err);
    *seq = x.seq;
    *replayed = x.replayed;
    if (st == BH_OK && x.replayed) /* show the case as it is now */
        st = svc_case_get_after_act(s, u, id, a, out, err);
    return st;
}

/* ---- view ---- */

/* The rest of a view of out->k and its history, as u sees it now. */
static bh_status_t complete_view(svc_t *s, const svc_user_t *u, svc_case_view_t *out,
                                 bh_err_t *err)
{
    out->policy = svc_case_policy(s, &out->k);
    /* Lights are evaluated now, not read from the cache the sweep keeps. */
    out->k.light = sla_evaluate(out->policy, &s->env, out->events, out->nevents, svc_now(),
                                out->clocks);
    if (case_replay(out->events, out->nevents, &out->snap, err) != BH_OK)
        return bh_fail(err, BH_INTERNAL, "", "案件历史无法重放");
    out->allowed = allowed_now(s, &out->k, &out->snap, u);
    return BH_OK;
}

static bh_status_t get_view(svc_t *s, const svc_user_t *u, int64_t id, bool check, arena_t *a,
                            svc_case_view_t *out, bh_err_t *err)
{
    db_conn_t *c;
    bh_status_t st;

    if ((st = svc_reader(s, &c, err)))
        return st;
    st = DB(c, cases, case_get, id, a, &out->k);
    if (st == BH_OK && check && !svc_case_visible(u, &out->k))
        st = BH_NOT_FOUND;
    if (st == BH_OK && (st = DB(c, cases, event_list, id, a, &out->events, &out->nevents)) == BH_NOT_FOUND)
        st = BH_INTERNAL;
    if (st == BH_OK)
        st = DB(c, files, attachment_list, id, 0, a, &out->files, &out->nfiles);
    db_reader_done(s->db, c);
    if (st == BH_NOT_FOUND)
        return bh_fail(err, BH_NOT_FOUND, "id", "案件不存在");
    if (st != BH_OK)
        return bh_fail(err, st, "", "读取案件失败，请稍后重试");
    return complete_view(s, u, out, err);
}

bh_status_t svc_case_get(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                         svc_case_view_t *out, bh_err_t *err)
{
    return get_view(s, u, id, true, a, out, err);
}

bh_status_t svc_case_get_after_act(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                                   svc_case_view_t *out, bh_err_t *err)
{
    return get_view(s, u, id, false, a, out, err);
}

/* ---- what anyone may read (Open311) ---- */

bool svc_case_public(const db_case_t *k)
{
    return k->published;
}

bool svc_case_via_open311(const db_case_t *k)
{
    return k->source && strcmp(k->source, PUBLIC_SOURCE) == 0;
}

/* The rows f selects (from the public source), or those of ids[]. */
static bh_status_t public_rows(db_conn_t *c, const db_case_filter_t *f, const int64_t *ids,
                               int nids, arena_t *a, db_case_t **rows, int *n, bh_err_t *err)
{
    bh_status_t st = BH_OK;
    *n = 0;
    if (f) {
        db_case_filter_t g = *f;
        const char *next;
        g.published = true;
        return DB(c, cases, case_list, &g, a, rows, n, &next, err);
    }
    *rows = arena_alloc_array(a, (size_t)(nids > 0 ? nids : 1), sizeof **rows);
    for (int i = 0; i < nids && st == BH_OK; i++)
        if ((st = DB(c, cases, case_get, ids[i], a, &(*rows)[*n])) == BH_OK)
            *n += svc_case_public(&(*rows)[*n]);
        else if (st == BH_NOT_FOUND)
            st = BH_OK;
    return st;
}

bh_status_t svc_case_views_public(svc_t *s, const db_case_filter_t *f, const int64_t *ids,
                                  int nids, arena_t *a, svc_case_view_t **out, int *n,
                                  bh_err_t *err)
{
    static const svc_user_t reader = {0, "open311", ROLE_PUBLIC, "", false, 0};
    db_conn_t *c;
    db_case_t *rows = NULL;
    case_event_t **ev = NULL;
    int *nev = NULL, nrows = 0;
    int64_t *rid;
    bh_status_t st;

    *n = 0;
    *out = NULL;
    if (f && f->ncategories <= 0) /* only the categories the caller names as public */
        return bh_fail(err, BH_INTERNAL, "", "公开检索须限定公开类别");
    if ((st = svc_reader(s, &c, err)))
        return st;
    if ((st = public_rows(c, f, ids, nids, a, &rows, &nrows, err)) == BH_OK && nrows > 0) {
        rid = arena_alloc_array(a, (size_t)nrows, sizeof *rid);
        ev = arena_alloc_array(a, (size_t)nrows, sizeof *ev);
        nev = arena_alloc_array(a, (size_t)nrows, sizeof *nev);
        for (int i = 0; i < nrows; i++)
            rid[i] = rows[i].id;
        st = DB(c, cases, event_lists, rid, nrows, a, ev, nev);
    }
    db_reader_done(s->db, c);
    if (st != BH_OK)
        return bh_fail(err, st, "", "读取案件失败，请稍后重试");
    *out = arena_alloc_array(a, (size_t)(nrows > 0 ? nrows : 1), sizeof **out);
    for (int i = 0; i < nrows; i++) {
        svc_case_view_t *v = &(*out)[*n];
        memset(v, 0, sizeof *v);
        v->k = rows[i];
        v->events = ev[i];
        v->nevents = nev[i];
        /* a history that does not replay is the sweep's quarantine's: left out */
        if (v->nevents > 0 && complete_view(s, &reader, v, NULL) == BH_OK)
            (*n)++;
    }
    return BH_OK;
}

bh_status_t svc_events_public(svc_t *s, dt_ms_t from, dt_ms_t to, int limit, arena_t *a,
                              db_event_row_t **out, int *n, bh_err_t *err)
{
    bh_status_t st;
    SVC_READ(s, c, st, err,
             DB(c, cases, events_between, from, to, true, limit, a, out, n));
    return st ? bh_fail(err, st, "", "读取案件动态失败，请稍后重试") : BH_OK;
}

/* ---- sweep ---- */

struct sweep_ctx {
    svc_t *s;
    dt_ms_t now;
    int done;
    bool more;
    bool careful;    /* a case of this batch failed: redo it case by case */
    int64_t failed;  /* the case that failed a fast batch */
};

/* A clock that just turned red (or overdue) gets an automatic 督办. */
static case_event_t *auto_supervise(arena_t *a, const sla_policy_t *p,
                                    const sla_clock_state_t *clocks, const case_snapshot_t *snap,
                                    dt_ms_t now)
{
    for (int i = 0; i < p->nclocks; i++) {
        int level = clocks[i].light == SLA_LIGHT_OVERDUE ? 2 : clocks[i].light == SLA_LIGHT_RED ? 1 : 0;
        case_event_t *e;
        if (!clocks[i].running || level <= snap->supervise_level)
            continue;
        e = arena_zalloc(a, sizeof *e);
        e->action = CASE_ACT_SUPERVISE;
        e->role = ROLE_OPERATOR;
        e->actor = "system";
        e->at = now;
        e->level = level;
        e->note = arena_printf(a, "系统自动督办：时限“%s”%s", p->clock[i].label,
                               level == 2 ? "已超期" : "亮红灯");
        return e;
    }
    return NULL;
}

static bh_status_t sweep_one(svc_t *s, db_conn_t *c, int64_t id, dt_ms_t now, bh_err_t *err)
{
    arena_t *a = arena_new();
    db_case_t k;
    case_event_t *ev, *sup;
    int n;
    case_snapshot_t snap;
    sla_clock_state_t clocks[SLA_CLOCKS_MAX];
    case_state_t old_st;
    sla_light_t old_light;
    int64_t read_version;
    bh_status_t st;

    if ((st = DB(c, cases, case_get, id, a, &k)) != BH_OK || (st = DB(c, cases, event_list, id, a, &ev, &n)) != BH_OK)
        goto out;
    read_version = k.version;
    old_st = k.status;
    old_light = k.light;
    if ((st = derive(s, &k, ev, n, now, clocks, &snap, err)))
        goto out;
    sup = auto_supervise(a, svc_case_policy(s, &k), clocks, &snap, now);
    if (sup && case_check(&snap, sup, NULL) != BH_OK)
        sup = NULL; /* not allowed in this state: nothing written, nothing told */
    if (sup) {
        case_event_t *all = arena_alloc(a, (size_t)(n + 1) * sizeof *all);
        memcpy(all, ev, (size_t)n * sizeof *all);
        all[n] = *sup;
        if ((st = DB(c, cases, event_add, id, n + 1, sup)) ||
            (st = derive(s, &k, all, n + 1, now, clocks, &snap, err)) ||
            (st = svc_audit(c, "system", "case.supervise", arena_printf(a, "case:%lld", (long long)id),
                            json_pack("{s:{s:i, s:s}}", "after", "level", sup->level, "note", sup->note))))
            goto out;
        k.version++;
        k.updated_at = now;
    }
    if ((st = save(s, c, &k, read_version, old_st, old_light, clocks, err)) == BH_OK)
        st = svc_notify_case(s, c, a, &k, sup, n + 1, old_light, clocks);
out:
    arena_free(a);
    return st;
}

/*
 * One case in its own savepoint: a case whose history does not replay is
 * rolled back alone and quarantined - recorded with the reason, taken off
 * the schedule, counted in /metrics and logged - and the sweep goes on
 * with the others.  A concurrent change skips the case; a storage failure
 * ends the batch and quarantines nothing.
 */
static bh_status_t sweep_isolated(struct sweep_ctx *x, db_conn_t *c, int64_t id)
{
    bh_err_t why;
    bh_status_t st;

    if ((st = DB(c, ops, savepoint, DB_SP_BEGIN)) != BH_OK)
        return st;
    bh_err_clear(&why);
    if ((st = sweep_one(x->s, c, id, x->now, &why)) == BH_OK)
        return DB(c, ops, savepoint, DB_SP_RELEASE);
    if (st == BH_CONFLICT) /* changed by a concurrent writer: its own write re-derived it */
        return DB(c, ops, savepoint, DB_SP_ROLLBACK);
    if (st != BH_FAILED_PRECONDITION) {
        /* A storage failure (busy, I/O, full disk) says nothing about the
         * case: end the batch, the next tick tries again. */
        (void)DB(c, ops, savepoint, DB_SP_ROLLBACK);
        return st;
    }
    if ((st = DB(c, ops, savepoint, DB_SP_ROLLBACK)) != BH_OK ||
        (st = DB(c, cases, case_quarantine, id, x->now, why.message[0] ? why.message : "未知错误")) != BH_OK)
        return st;
    x->s->sweep_quarantined++;
    fprintf(stderr, "bihuan: 时限巡检：案件 %lld 已隔离（不再自动巡检）：%s\n", (long long)id,
            why.message);
    return BH_OK;
}

/* The sweep runs on one server at a time: its holder renews the lease once
 * half of it has run (checked by every batch), and it lapses
 * SWEEP_LEASE_MS after a holder that stops without releasing it. */
#define SWEEP_LEASE_MS (10 * 1000)

static bh_status_t sweep_tx(db_conn_t *c, void *vctx, bh_err_t *err)
{
    struct sweep_ctx *x = vctx;
    int64_t ids[256];
    int n;
    bool held;
    bh_status_t st;

    /* Renewed once half of it has run (a write per tick would cost an
     * fsync a second), on the clock now rather than the sweep's 'now', so
     * a long sweep renews too; servers' clocks must agree to a few seconds. */
    dt_ms_t t = svc_now();
    if (!x->s->sweep_leader || t >= x->s->lease_until - SWEEP_LEASE_MS / 2) {
        if ((st = DB(c, ops, lease, "sweep", x->s->instance, t, SWEEP_LEASE_MS, &held)) != BH_OK)
            return bh_fail(err, st, "", "取得巡检租约失败");
        x->s->sweep_leader = held;
        x->s->lease_until = held ? t + SWEEP_LEASE_MS : 0;
    }
    if (!x->s->sweep_leader) {
        x->more = false;
        return BH_OK;
    }
    if (x->s->now_purge_due) {
        int64_t purged;
        x->s->now_purge_due = false;
        if ((st = DB(c, auth, session_purge, x->now,
                     x->s->session_idle_ms > 0 ? x->now - x->s->session_idle_ms : 0, &purged)))
            return bh_fail(err, st, "", "清理过期会话失败");
    }
    if ((st = DB(c, cases, sweep_due, x->now, 256, ids, &n)) != BH_OK)
        return bh_fail(err, st, "", "读取待巡检案件失败");
    /* Fast: the batch as one; the first case that fails rolls the whole
     * batch back and svc_sweep redoes it case by case (sweep_isolated),
     * so a savepoint per case is paid only when one is needed. */
    for (int i = 0; i < n; i++) {
        if (x->careful) {
            if ((st = sweep_isolated(x, c, ids[i])))
                return bh_fail(err, st, "", "巡检案件 %lld 时存储出错", (long long)ids[i]);
        } else if ((st = sweep_one(x->s, c, ids[i], x->now, err)) != BH_OK) {
            x->failed = ids[i];
            return st;
        }
    }
    x->done += n;
    x->more = n == 256;
    return BH_OK;
}

static bh_status_t release_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    svc_t *s = ctx;
    (void)err;
    return DB(c, ops, lease_release, "sweep", s->instance);
}

void svc_release(svc_t *s)
{
    if (s->sweep_leader && db_write(s->db, release_tx, s, NULL) == BH_OK)
        s->sweep_leader = false;
}

int svc_sweep(svc_t *s, dt_ms_t now, bh_err_t *err)
{
    struct sweep_ctx x = {s, now, 0, true, false, 0};
    bool purge;
    if (now - s->sessions_purged_at >= DT_MINUTE_MS) { /* ended sessions, once a minute */
        s->sessions_purged_at = now;
        s->now_purge_due = true;
    }
    purge = s->now_purge_due;
    while (x.more) {
        bh_status_t st = db_write(s->db, sweep_tx, &x, err);
        if (st != BH_OK && x.failed && !x.careful) {
            /* The batch was rolled back whole (lease renewal, purge and all):
             * take it again, each case in its own savepoint. */
            x.careful = true;
            x.failed = 0;
            s->sweep_leader = false; /* renew the lease inside the retry */
            s->now_purge_due = purge;
            continue;
        }
        if (st != BH_OK) {
            /* The batch, and any lease renewal in it, was rolled back. */
            s->sweep_leader = false;
            s->lease_until = 0;
            return -1;
        }
        x.careful = false;
        purge = false;
    }
    return x.done;
}

void svc_metrics_text(svc_t *s, dynbuf_t *b)
{
    dynbuf_printf(b,
                  "# HELP bihuan_sweep_quarantined_total Cases the SLA sweep set aside since start.\n"
                  "# TYPE bihuan_sweep_quarantined_total counter\n"
                  "bihuan_sweep_quarantined_total %lld\n"
                  "# HELP bihuan_sweep_leader Whether this server holds the sweep lease.\n"
                  "# TYPE bihuan_sweep_leader gauge\nbihuan_sweep_leader %d\n",
                  (long long)s->sweep_quarantined, s->sweep_leader ? 1 : 0);
    svc_auth_metrics_text(b);
}
