/*
 * patrol_read.c - the read use cases of the patrol loop: check-ins,
 * hazards with their lights, each object's due patrols in a period, and
 * the patrol figures (GET /api/v1/stats/patrols).  Due patrols are
 * computed, not stored: core/patrol.h over the objects, their risk
 * history and their check-ins, so a plan or a risk change needs no
 * migration of data.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/object.h"
#include "svc/svc.h"

/* The unit subtree u reads (NULL: everything).  An enterprise account
 * reads its own object's rows: *object is set (lists pass it on). */
static bh_status_t scope_of(const svc_user_t *u, const char *unit, const char **out,
                            bh_err_t *err)
{
    if (u->role == ROLE_PUBLIC)
        return bh_fail(err, BH_PERMISSION_DENIED, "role", "公众用户不能查看巡查");
    if (u->role == ROLE_ENTERPRISE) {
        *out = NULL; /* narrowed by object (own_object) */
        return BH_OK;
    }
    if (!unit)
        unit = u->role == ROLE_ADMIN || u->unrestricted ? NULL : u->unit;
    else if (u->role != ROLE_ADMIN && !u->unrestricted && !unit_in_scope(u->unit, unit))
        return bh_fail(err, BH_PERMISSION_DENIED, "unit", "单位“%s”不在您的管辖范围内", unit);
    *out = unit;
    return BH_OK;
}

static db_scope_t scope(const char *unit)
{
    return unit ? db_scope(unit) : (db_scope_t){NULL, false};
}

/* An enterprise account's lists: its own object's rows only. */
static void own_object(const svc_user_t *u, int64_t *object_id)
{
    if (u->role == ROLE_ENTERPRISE)
        *object_id = u->object_id;
}

/* Due patrols and figures are the government's. */
static bh_status_t government_only(const svc_user_t *u, bh_err_t *err)
{
    return role_external(u->role)
               ? bh_fail(err, BH_PERMISSION_DENIED, "role", "%s不能查看巡查统计", role_label(u->role))
               : BH_OK;
}

bh_status_t svc_patrol_get(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                           svc_patrol_view_t *out, bh_err_t *err)
{
    bh_status_t st;
    const char *unit = NULL;
    db_hazard_filter_t f = {{0}, 0, id, NULL, -1, -1, 0, 0, 0, 0};
    if ((st = scope_of(u, NULL, &unit, err)))
        return st;
    memset(out, 0, sizeof *out);
    (void)unit;
    SVC_READ(s, c, st, err, DB(c, patrol, patrol_get, id, a, &out->p));
    if (st == BH_OK && !svc_row_visible(u, out->p.object_id, out->p.grid))
        st = BH_NOT_FOUND;
    if (st == BH_NOT_FOUND)
        return bh_fail(err, st, "id", "巡查记录 %lld 不存在", (long long)id);
    if (st)
        return bh_fail(err, st, "", "读取巡查记录失败，请稍后重试");
    SVC_READ(s, c, st, err, DB(c, patrol, hazard_list, &f, a, &out->hazards, &out->nhazards));
    if (st)
        return bh_fail(err, st, "", "读取隐患失败，请稍后重试");
    SVC_READ(s, c, st, err, DB(c, files, attachment_list, 0, id, a, &out->files, &out->nfiles));
    if (st)
        return bh_fail(err, st, "", "读取附件失败，请稍后重试");
    /* newest first from the store; a check-in lists its findings in order */
    for (int i = 0, j = out->nhazards - 1; i < j; i++, j--) {
        db_hazard_t t = out->hazards[i];
        out->hazards[i] = out->hazards[j];
        out->hazards[j] = t;
    }
    return BH_OK;
}

/* What a list may show the caller: the grids of 'unit' (or all it may see),
 * and an enterprise account's own object only. */
static bh_status_t list_scope(const svc_user_t *u, const char *unit, db_scope_t *grid,
                              int64_t *object_id, bh_err_t *err)
{
    bh_status_t st = scope_of(u, unit, &unit, err);
    if (st == BH_OK) {
        *grid = scope(unit);
        own_object(u, object_id);
    }
    return st;
}

bh_status_t svc_patrol_list(svc_t *s, const svc_user_t *u, const char *unit,
                            db_patrol_filter_t *f, arena_t *a, db_patrol_t **out, int *n,
                            bh_err_t *err)
{
    bh_status_t st;
    *n = 0;
    if ((st = list_scope(u, unit, &f->grid, &f->object_id, err)))
        return st;
    SVC_READ(s, c, st, err, DB(c, patrol, patrol_list, f, a, out, n));
    return st ? bh_fail(err, st, "", "读取巡查记录失败，请稍后重试") : BH_OK;
}

bh_status_t svc_hazard_list(svc_t *s, const svc_user_t *u, const char *unit,
                            db_hazard_filter_t *f, arena_t *a, db_hazard_t **out, int *n,
                            bh_err_t *err)
{
    bh_status_t st;
    *n = 0;
    if ((st = list_scope(u, unit, &f->grid, &f->object_id, err)))
        return st;
    SVC_READ(s, c, st, err, DB(c, patrol, hazard_list, f, a, out, n));
    return st ? bh_fail(err, st, "", "读取隐患失败，请稍后重试") : BH_OK;
}

bh_status_t svc_hazard_get(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                           db_hazard_t *out, bh_err_t *err)
{
    bh_status_t st;
    const char *unit = NULL;
    if ((st = scope_of(u, NULL, &unit, err)))
        return st;
    (void)unit;
    SVC_READ(s, c, st, err, DB(c, patrol, hazard_get, id, a, out));
    if (st == BH_OK && !svc_row_visible(u, out->object_id, out->grid))
        st = BH_NOT_FOUND;
    if (st == BH_NOT_FOUND)
        return bh_fail(err, st, "id", "隐患 %lld 不存在", (long long)id);
    return st ? bh_fail(err, st, "", "读取隐患失败，请稍后重试") : BH_OK;
}

sla_light_t svc_hazard_light(svc_t *s, const db_hazard_t *h, dt_ms_t now)
{
    bh_err_t err;
    const patrol_cfg_t *cfg;
    const patrol_hazard_type_t *t;
    if (h->status != DB_HAZARD_OPEN)
        return SLA_LIGHT_NONE;
    if (h->case_id)
        return h->case_light; /* the case's clocks, like every other case */
    if (!(cfg = svc_patrol_cfg(s, &err)))
        return SLA_LIGHT_NONE;
    if (!(t = patrol_hazard_type(cfg, h->type)))
        t = &cfg->general; /* a type removed from the configuration */
    return patrol_hazard_light(t, s->cal, dt_local_day(h->found_at), h->deadline,
                               dt_local_day(now));
}

/* ---- due patrols ---- */

/* Everything the computation reads, for one subtree. */
struct world {
    db_object_t *objs;
    int nobjs;
    db_risk_t *risks;
    int nrisks;
    db_visit_t *visits;
    int nvisits;
};

static int by_id(const void *a, const void *b)
{
    const db_object_t *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static bh_status_t load(svc_t *s, const char *unit, period_t p, arena_t *a, struct world *w,
                        bh_err_t *err)
{
    db_object_filter_t of = {0};
    db_scope_t sc = scope(unit);
    /* make-ups reach one slot back but never across a year: read whole years */
    dt_ms_t from = dt_local_midnight(period_year(p.from).from);
    dt_ms_t to = dt_local_midnight(period_year(p.to).to + 1);
    bh_status_t st;
    db_conn_t *c;
    of.grid = sc;
    if ((st = svc_reader(s, &c, err)))
        return st;
    if ((st = DB(c, registry, object_list, &of, a, &w->objs, &w->nobjs)) == BH_OK &&
        (st = DB(c, patrol, risks, &sc, a, &w->risks, &w->nrisks)) == BH_OK)
        st = DB(c, patrol, visits, &sc, from, to, a, &w->visits, &w->nvisits);
    db_reader_done(s->db, c);
    if (st)
        return bh_fail(err, st, "", "读取巡查数据失败，请稍后重试");
    qsort(w->objs, (size_t)w->nobjs, sizeof *w->objs, by_id);
    return BH_OK;
}

/* Walks the objects in id order with the risk and visit rows beside them. */
struct cursor {
    int ri, vi;
    patrol_risk_t *risks;
    dt_day_t *days;
    dt_ms_t last_at; /* the latest government check-in up to now */
    int nself;       /* self-checks */
    int ndays;
};

static void gather(const struct world *w, const db_object_t *o, struct cursor *k, dt_ms_t now,
                   patrol_object_t *po)
{
    int nr = 0;
    while (k->ri < w->nrisks && w->risks[k->ri].object_id < o->id)
        k->ri++;
    while (k->ri < w->nrisks && w->risks[k->ri].object_id == o->id) {
        k->risks[nr++] = (patrol_risk_t){w->risks[k->ri].from, w->risks[k->ri].risk};
        k->ri++;
    }
    if (nr == 0) /* no history row (an object written around svc): its risk now */
        k->risks[nr++] = (patrol_risk_t){dt_local_day(o->created_at), o->risk};
    k->ndays = 0;
    k->nself = 0;
    k->last_at = 0;
    while (k->vi < w->nvisits && w->visits[k->vi].object_id < o->id)
        k->vi++;
    for (; k->vi < w->nvisits && w->visits[k->vi].object_id == o->id; k->vi++) {
        const db_visit_t *v = &w->visits[k->vi];
        if (v->self_check) {
            k->nself++;
            continue;
        }
        if (!patrol_visit_counts(v->covered))
            continue; /* a section's track that fell short fills no slot */
        k->days[k->ndays++] = dt_local_day(v->at);
        if (v->at <= now && v->at > k->last_at)
            k->last_at = v->at;
    }
    *po = (patrol_object_t){o->kind, o->type, o->grid, dt_local_day(o->created_at), k->risks, nr};
}

static void cursor_init(struct cursor *k, const struct world *w, arena_t *a)
{
    memset(k, 0, sizeof *k);
    k->risks = arena_alloc_array(a, (size_t)w->nrisks + 1, sizeof *k->risks);
    k->days = arena_alloc_array(a, (size_t)w->nvisits + 1, sizeof *k->days);
}

#define SLOTS_MAX 800 /* a weekly plan over a decade; periods are at most years */

bh_status_t svc_patrol_due(svc_t *s, const svc_user_t *u, const char *unit, period_t p,
                           dt_ms_t now, arena_t *a, svc_due_row_t **out, int *n, bh_err_t *err)
{
    const patrol_cfg_t *cfg;
    struct world w;
    struct cursor k;
    patrol_slot_t *slots = arena_alloc_array(a, SLOTS_MAX, sizeof *slots);
    dt_day_t today = dt_local_day(now);
    bh_status_t st;

    *n = 0;
    if ((st = government_only(u, err)) || (st = scope_of(u, unit, &unit, err)))
        return st;
    if (p.to - p.from > 366 * 3)
        return bh_fail(err, BH_INVALID_ARGUMENT, "period", "期间最长三年");
    if (!(cfg = svc_patrol_cfg(s, err)))
        return BH_INTERNAL;
    if ((st = load(s, unit, p, a, &w, err)))
        return st;
    cursor_init(&k, &w, a);
    *out = arena_alloc_array(a, (size_t)w.nobjs + 1, sizeof **out);
    for (int i = 0; i < w.nobjs; i++) {
        const db_object_t *o = &w.objs[i];
        svc_due_row_t *r;
        patrol_object_t po;
        int ns;
        if (!o->active)
            continue;
        gather(&w, o, &k, now, &po);
        r = &(*out)[(*n)++];
        memset(r, 0, sizeof *r);
        r->o = *o;
        r->risk = patrol_risk_at(&po, today);
        ns = patrol_slots(cfg, s->cal, &po, k.days, k.ndays, p.from, p.to, today, slots,
                          SLOTS_MAX, NULL);
        patrol_tally_add(&r->t, slots, ns < SLOTS_MAX ? ns : SLOTS_MAX);
        r->status = patrol_tally_status(&r->t);
        r->last_at = k.last_at;
        /* the slot running through today, for the grid worker's list */
        ns = patrol_slots(cfg, s->cal, &po, k.days, k.ndays, today, period_year(today).to, today,
                          slots, SLOTS_MAX, NULL);
        for (int j = 0; j < ns && j < SLOTS_MAX; j++)
            if (slots[j].span.from <= today && (!r->has_current || slots[j].span.to < r->current.to)) {
                r->has_current = true;
                r->current = slots[j].span;
                r->current_needed = slots[j].needed;
                r->current_done = slots[j].on_time + slots[j].late;
            }
    }
    return BH_OK;
}

/* ---- figures ---- */

struct groups {
    svc_patrol_figures_t *rows;
    int n;
    db_unit_t *kids; /* SVC_PATROL_GROUP_UNIT */
    int nkids;
};

static const char *const risks[] = {"red", "orange", "yellow", "blue"};

/* The group of an object, -1 when it belongs to none (outside every child). */
static int group_of(const struct groups *g, int by, const db_object_t *o)
{
    switch (by) {
    case SVC_PATROL_GROUP_UNIT:
        for (int i = 0; i < g->nkids; i++)
            if (unit_in_scope(g->kids[i].code, o->grid))
                return i;
        return -1;
    case SVC_PATROL_GROUP_KIND: {
        int k = obj_kind_from_name(o->kind);
        return k < 0 ? -1 : k;
    }
    case SVC_PATROL_GROUP_RISK:
        for (int i = 0; i < 4; i++)
            if (o->risk && strcmp(o->risk, risks[i]) == 0)
                return i;
        return 4;
    default:
        return 0;
    }
}

static bh_status_t groups_init(svc_t *s, const char *unit, int by, arena_t *a, struct groups *g,
                               bh_err_t *err)
{
    bh_status_t st;
    memset(g, 0, sizeof *g);
    switch (by) {
    case SVC_PATROL_GROUP_UNIT:
        if ((st = svc_unit_list(s, unit, a, &g->kids, &g->nkids, err)))
            return st;
        /* departments hold no managed objects: the groups are the territorial units */
        g->n = 0;
        for (int i = 0; i < g->nkids; i++)
            if (!g->kids[i].type || strcmp(g->kids[i].type, "department") != 0)
                g->kids[g->n++] = g->kids[i];
        g->nkids = g->n;
        break;
    case SVC_PATROL_GROUP_KIND:
        g->n = OBJ__COUNT;
        break;
    case SVC_PATROL_GROUP_RISK:
        g->n = 5;
        break;
    default:
        g->n = 1;
    }
    g->rows = arena_alloc_array(a, (size_t)g->n + 1, sizeof *g->rows);
    memset(g->rows, 0, ((size_t)g->n + 1) * sizeof *g->rows);
    for (int i = 0; i < g->n; i++) {
        svc_patrol_figures_t *r = &g->rows[i];
        switch (by) {
        case SVC_PATROL_GROUP_UNIT:
            r->key = g->kids[i].code, r->name = g->kids[i].name;
            break;
        case SVC_PATROL_GROUP_KIND:
            r->key = obj_kind_name((obj_kind_t)i), r->name = obj_kind_label((obj_kind_t)i);
            break;
        case SVC_PATROL_GROUP_RISK:
            r->key = i < 4 ? risks[i] : "none";
            r->name = i < 4 ? obj_risk_label(risks[i]) : "未分级";
            break;
        default:
            r->key = unit ? unit : "", r->name = "合计";
        }
    }
    return BH_OK;
}

static const db_object_t *find_object(const struct world *w, int64_t id)
{
    db_object_t key;
    key.id = id;
    return bsearch(&key, w->objs, (size_t)w->nobjs, sizeof *w->objs, by_id);
}

/* A check-in in the period: 家次 or a self-check; a section's track. */
static void count_visit(svc_patrol_figures_t *r, const db_visit_t *v)
{
    r->track_m += v->track_m;
    if (v->self_check) {
        r->self_checks++;
        return;
    }
    r->visits++;
    if (v->covered >= 0) {
        r->section_patrols++;
        if (patrol_visit_counts(v->covered))
            r->sections_covered++;
    }
}

bh_status_t svc_patrol_stats(svc_t *s, const svc_user_t *u, const char *unit, period_t p,
                             int by, dt_ms_t now, arena_t *a, svc_patrol_figures_t **rows,
                             int *n, bh_err_t *err)
{
    const patrol_cfg_t *cfg;
    struct world w;
    struct cursor k;
    struct groups g;
    patrol_slot_t *slots = arena_alloc_array(a, SLOTS_MAX, sizeof *slots);
    dt_day_t today = dt_local_day(now);
    dt_ms_t from = dt_local_midnight(p.from), to = dt_local_midnight(p.to + 1);
    db_hazard_t *hz;
    int nhz;
    db_hazard_filter_t hf = {{0}, 0, 0, NULL, -1, -1, from, to, 0, 0};
    bh_status_t st;

    *n = 0;
    if ((st = government_only(u, err)) || (st = scope_of(u, unit, &unit, err)))
        return st;
    if (p.to < p.from || p.to - p.from > 366 * 3)
        return bh_fail(err, BH_INVALID_ARGUMENT, "from", "期间应为三年以内，且开始不晚于结束");
    if (!(cfg = svc_patrol_cfg(s, err)))
        return BH_INTERNAL;
    if ((st = groups_init(s, unit ? unit : "", by, a, &g, err)) || (st = load(s, unit, p, a, &w, err)))
        return st;
    hf.grid = scope(unit);
    SVC_READ(s, c, st, err, DB(c, patrol, hazard_list, &hf, a, &hz, &nhz));
    if (st)
        return bh_fail(err, st, "", "读取隐患失败，请稍后重试");

    cursor_init(&k, &w, a);
    for (int i = 0; i < w.nobjs; i++) {
        const db_object_t *o = &w.objs[i];
        patrol_object_t po;
        int gi = group_of(&g, by, o), ns, vstart;
        svc_patrol_figures_t *r;
        if (!o->active || dt_local_day(o->created_at) > p.to) {
            gather(&w, o, &k, now, &po); /* keep the cursor in step */
            continue;
        }
        vstart = k.vi;
        gather(&w, o, &k, now, &po);
        if (gi < 0)
            continue;
        r = &g.rows[gi];
        r->objects++;
        ns = patrol_slots(cfg, s->cal, &po, k.days, k.ndays, p.from, p.to, today, slots,
                          SLOTS_MAX, NULL);
        patrol_tally_add(&r->t, slots, ns < SLOTS_MAX ? ns : SLOTS_MAX);
        for (int v = vstart; v < k.vi; v++)
            if (w.visits[v].object_id == o->id && w.visits[v].at >= from && w.visits[v].at < to &&
                w.visits[v].at <= now)
                count_visit(r, &w.visits[v]);
    }
    for (int i = 0; i < nhz; i++) {
        const db_hazard_t *h = &hz[i];
        const db_object_t *o = find_object(&w, h->object_id);
        int gi = o ? group_of(&g, by, o) : -1;
        svc_patrol_figures_t *r;
        if (gi < 0 || h->status == DB_HAZARD_CANCELLED)
            continue;
        r = &g.rows[gi];
        if (h->self_check)
            r->self_check_hazards++;
        else
            r->hazards++;
        if (strcmp(h->severity, "major") == 0)
            r->hazards_major++;
        if (h->case_id)
            r->cases++;
        if (h->status == DB_HAZARD_RECTIFIED && h->rectified_at <= now) {
            r->rectified++;
            if (dt_local_day(h->rectified_at) <= h->deadline)
                r->rectified_on_time++;
        } else if (today > h->deadline) {
            r->overdue++;
        }
    }
    *rows = g.rows;
    *n = g.n;
    return BH_OK;
}

bool svc_patrol_figure(const svc_patrol_figures_t *f, const char *key, double *out)
{
    int64_t found = f->hazards + f->self_check_hazards;
    static const struct {
        const char *key;
        size_t num, den; /* offsets of int64_t fields; den 0: a count */
    } fig[] = {
#define F(m) offsetof(svc_patrol_figures_t, m)
        {"coverage", F(t.done), F(t.due)},
        {"on_time_rate", F(t.on_time), F(t.due)},
        {"section_coverage_rate", F(sections_covered), F(section_patrols)},
        {"objects", F(objects), 0},   {"due", F(t.due), 0},
        {"done", F(t.done), 0},       {"on_time", F(t.on_time), 0},
        {"late", F(t.late), 0},       {"missed", F(t.missed), 0},
        {"pending", F(t.pending), 0}, {"visits", F(visits), 0},
        {"hazards", F(hazards), 0},   {"hazards_major", F(hazards_major), 0},
        {"rectified", F(rectified), 0}, {"rectified_on_time", F(rectified_on_time), 0},
        {"overdue", F(overdue), 0},   {"cases", F(cases), 0},
        {"self_checks", F(self_checks), 0}, {"self_check_hazards", F(self_check_hazards), 0},
        {"section_patrols", F(section_patrols), 0}, {"sections_covered", F(sections_covered), 0},
#undef F
    };
#define AT(o) (*(const int64_t *)((const char *)f + (o)))
    /* the rectification rates are over every hazard found, by patrol or self-check */
    if (strcmp(key, "rectification_rate") == 0 || strcmp(key, "rectified_on_time_rate") == 0) {
        if (!found)
            return false;
        bool on_time = strcmp(key, "rectified_on_time_rate") == 0;
        *out = (double)(on_time ? f->rectified_on_time : f->rectified) / (double)found;
        return true;
    }
    for (size_t i = 0; i < sizeof fig / sizeof fig[0]; i++) {
        if (strcmp(fig[i].key, key) != 0)
            continue;
        if (!fig[i].den) {
            *out = (double)AT(fig[i].num);
            return true;
        }
        if (!AT(fig[i].den))
            return false;
        *out = (double)AT(fig[i].num) / (double)AT(fig[i].den);
        return true;
    }
#undef AT
    return false;
}
