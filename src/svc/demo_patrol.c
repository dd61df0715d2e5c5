/*
 * demo_patrol.c - the patrol loop of the demo district (DESIGN.md §7):
 * a half-year of check-ins, hazards and self-checks whose mix follows the
 * seed reports — most slots patrolled on time, some late, some missed;
 * about two hazards per enterprise visit, nearly all general and most of
 * those rectified (many on the spot), a few major ones turned into cases
 * under 挂牌督办, most of which are rectified and re-inspected.
 *
 * Everything goes through the service (svc_patrol_create, svc_hazard_act,
 * svc_case_act), so the flags, late marks, deadlines and cases are the
 * ones the live system would make; s->clock_fixed is set to each step's
 * time so that the history reads as if it had happened then.
 */
#include "svc/demo_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#define MAX_SLOTS 64

/* One planned check-in. */
struct visit {
    dt_ms_t at;
    int obj;       /* index into the objects */
    int account;   /* an enterprise's self-check: its account + 1; 0: the grid worker */
};

struct pgen {
    svc_t *s;
    const patrol_cfg_t *cfg;
    uint64_t rng;
    db_object_t *objs;
    int nobjs;
    struct visit *v;
    int nv, cap;
    svc_user_t accounts[NSTREETS]; /* the enterprise accounts */
    int naccounts;
    svc_user_t workers[NSTREETS];  /* each street's grid worker */
    char names[2][NSTREETS][32], units[NSTREETS][16];
    int checkins, hazards, majors;
};

static const char *const findings_enterprise[][2] = {
    {"fire", "消防通道堆放杂物"},          {"fire", "灭火器压力不足"},
    {"fire", "安全出口指示灯损坏"},        {"electric", "电线私拉乱接"},
    {"electric", "配电箱未上锁、线路老化"}, {"chemical", "危化品未分类存放"},
    {"structure", "违规搭建阁楼"},          {"fire", "员工宿舍与仓库未分隔（三合一）"},
};

static void add_visit(struct pgen *g, dt_day_t day, int obj, int account)
{
    /* grid workers patrol on working days: a weekend visit moves on */
    for (int i = 0; i < 3 && !cal_is_workday(g->s->cal, day, NULL); i++)
        day++;
    if (g->nv == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 1024;
        g->v = xrealloc(g->v, (size_t)g->cap * sizeof *g->v);
    }
    g->v[g->nv++] = (struct visit){dt_local_midnight(day) + 510 * DT_MINUTE_MS +
                                       pick(&g->rng, 480) * DT_MINUTE_MS,
                                   obj, account};
}

static int by_time(const void *pa, const void *pb)
{
    const struct visit *a = pa, *b = pb;
    return a->at < b->at ? -1 : a->at > b->at ? 1 : a->obj - b->obj;
}

/* The government check-ins of one object: per slot ending in [from, last],
 * on time (86%), late in the week after (7%) or missed. */
static void plan_object(struct pgen *g, int oi, dt_day_t from, dt_day_t last)
{
    const db_object_t *o = &g->objs[oi];
    patrol_risk_t r = {dt_local_day(o->created_at), o->risk};
    patrol_object_t po = {o->kind, o->type, o->grid, r.from, o->risk ? &r : NULL, o->risk ? 1 : 0};
    patrol_slot_t slots[MAX_SLOTS];
    int n = patrol_slots(g->cfg, g->s->cal, &po, NULL, 0, from, last, last, slots, MAX_SLOTS, NULL);

    if (n > MAX_SLOTS)
        n = MAX_SLOTS;
    for (int i = 0; i < n; i++) {
        const period_t *sp = &slots[i].span;
        dt_day_t lo = sp->from > from ? sp->from : from, hi = sp->to < last ? sp->to : last;
        for (int k = 0; k < slots[i].needed; k++) {
            double u = urand(&g->rng);
            if (sp->to > last && u < 0.5) /* a yearly slot: half are done by the summer */
                continue;
            if (u < 0.86)
                add_visit(g, lo + pick(&g->rng, hi - lo + 1), oi, 0);
            else if (u < 0.93 && sp->to + 7 <= last)
                add_visit(g, sp->to + 1 + pick(&g->rng, 6), oi, 0);
        }
    }
}

/* The first enterprise of each street gets an account filing monthly self-checks. */
static bh_status_t accounts(struct pgen *g, const demo_opts_t *o, demo_login_t *logins,
                            int *nlogins, bh_err_t *err)
{
    for (int si = 0; si < NSTREETS && *nlogins < DEMO_MAX_LOGINS; si++) {
        char prefix[16], name[32], disp[160];
        int oi;
        snprintf(prefix, sizeof prefix, "440303%03d", si + 1);
        for (oi = 0; oi < g->nobjs; oi++)
            if (strcmp(g->objs[oi].kind, "enterprise") == 0 &&
                strncmp(g->objs[oi].grid, prefix, strlen(prefix)) == 0)
                break;
        if (oi == g->nobjs)
            continue;
        snprintf(name, sizeof name, "qy_%s", demo_streets[si].abbr);
        snprintf(disp, sizeof disp, "%s（企业自查）", g->objs[oi].name);
        demo_login_t *l = &logins[(*nlogins)++];
        bh_status_t st = demo_add_user(g->s, o, l, name, "enterprise", g->objs[oi].grid,
                                       g->objs[oi].name, disp, g->objs[oi].id, err);
        if (st)
            return st;
        memcpy(g->names[1][g->naccounts], name, sizeof name);
        g->accounts[g->naccounts] = (svc_user_t){.username = g->names[1][g->naccounts],
                                                   .role = ROLE_ENTERPRISE,
                                                   .unit = g->objs[oi].grid,
                                                   .object_id = g->objs[oi].id};
        g->naccounts++;
        for (dt_day_t d = dt_local_day(o->from); d + 20 < dt_local_day(o->to); d += 30)
            add_visit(g, d + pick(&g->rng, 20), oi, g->naccounts);
    }
    return BH_OK;
}

/* ---- one check-in ---- */

/* Good answers to every required item, a bad one where a finding is. */
static json_t *answers(const patrol_checklist_t *cl, const char *bad)
{
    json_t *j = json_object();
    for (int i = 0; i < cl->nitems; i++) {
        const patrol_item_t *it = &cl->items[i];
        bool is_bad = bad && strcmp(it->code, bad) == 0 && it->noptions > 1;
        if (it->required || is_bad)
            json_object_set_new(j, it->code, json_string(it->options[is_bad ? 1 : 0]));
    }
    return j;
}

/* How many hazards a check-in finds: about two per enterprise visit (the
 * seed: 9163 in 4491 visits), few on components, rivers and forests. */
static int nfindings(struct pgen *g, const db_object_t *o)
{
    static const int enterprise[] = {0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5};
    if (strcmp(o->kind, "enterprise") == 0)
        return enterprise[pick(&g->rng, 12)];
    return urand(&g->rng) < 0.08 ? 1 : 0;
}

static const char *bad_item(const char *type)
{
    static const char *const map[][2] = {
        {"fire", "fire_exit"}, {"electric", "wiring"}, {"chemical", "chemicals"},
        {"component", "state"}, {"water", "floating"}, {"forest", "fire_source"},
    };
    for (size_t i = 0; type && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], type) == 0)
            return map[i][1];
    return NULL;
}

static void finding(struct pgen *g, const db_object_t *o, bool self, svc_finding_t *f)
{
    memset(f, 0, sizeof *f);
    f->severity = "general";
    if (strcmp(o->kind, "enterprise") == 0) {
        int k = pick(&g->rng, (int)(sizeof findings_enterprise / sizeof findings_enterprise[0]));
        f->type = findings_enterprise[k][0];
        f->description = findings_enterprise[k][1];
        /* the seed: 42 cases from 9163 hazards; a few more, to have some */
        if (!self && urand(&g->rng) < 0.012) {
            f->severity = "major";
            f->type = NULL;
            f->description = "生产车间与员工宿舍未分隔，疏散通道被封堵，存在重大火灾隐患";
            f->plan = "停产整改：拆除违规隔断，设置防火分隔，恢复两个安全出口";
            return;
        }
    } else if (strcmp(o->kind, "component") == 0) {
        f->type = "component", f->description = "部件破损，存在安全隐患";
    } else if (strcmp(o->kind, "river_section") == 0) {
        f->type = "water", f->description = "河面大量漂浮物";
    } else {
        f->type = "forest", f->description = "林区内有野外用火痕迹";
    }
    f->on_spot = urand(&g->rng) < (self ? 0.6 : 0.4);
}

/* A general hazard left open: rectified by the deadline (84%), after it
 * (12%), or still open. */
static bh_status_t follow_general(struct pgen *g, const svc_user_t *u, const db_hazard_t *h,
                                  arena_t *a, bh_err_t *err)
{
    dt_day_t found = dt_local_day(h->found_at), day;
    double r = urand(&g->rng);
    db_hazard_t out;
    if (r < 0.84)
        day = found + 1 + pick(&g->rng, h->deadline - found > 0 ? h->deadline - found : 1);
    else if (r < 0.96)
        day = h->deadline + 1 + pick(&g->rng, 8);
    else
        return BH_OK;
    g->s->clock_fixed = dt_local_midnight(day) + 10 * DT_HOUR_MS + pick(&g->rng, 360) * DT_MINUTE_MS;
    return svc_hazard_act(g->s, u, h->id, "rectify", "已按要求整改完毕，经网格员现场确认", -1, a,
                          &out, err);
}

/* A major hazard's case: accepted, rectified and re-inspected (复查) within
 * its 30 working days (70%), or still being rectified under 挂牌督办. */
static bh_status_t follow_major(struct pgen *g, const svc_user_t *worker, const db_hazard_t *h,
                                arena_t *a, bh_err_t *err)
{
    svc_user_t admin = {.username = "admin", .role = ROLE_ADMIN, .unit = "440303",
                        .unrestricted = true};
    svc_user_t handler = {.role = ROLE_HANDLER};
    svc_case_view_t v;
    char name[32];
    const char *dash;
    dt_ms_t t = h->found_at;
    bh_status_t st;

    g->majors++;
    if (!h->case_id || urand(&g->rng) >= 0.7)
        return BH_OK;
    if ((st = svc_case_get(g->s, &admin, h->case_id, a, &v, err)))
        return st;
    if (!v.k.handling_unit || !(dash = strchr(v.k.handling_unit, '-')))
        return BH_OK; /* not dispatched: stays with the command centre */
    snprintf(name, sizeof name, "%s", dash + 1);
    for (char *p = name; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    handler.username = name;
    handler.unit = v.k.handling_unit;

    case_event_t ev[3] = {{.action = CASE_ACT_ACCEPT}, {.action = CASE_ACT_HANDLE},
                          {.action = CASE_ACT_VERIFY_PASS}};
    ev[1].result = "已按整改方案完成整改：拆除违规隔断，设置防火分隔，恢复安全出口";
    ev[2].note = "复查合格，同意销号";
    dt_ms_t step[3] = {2 * DT_HOUR_MS + pick(&g->rng, 120) * DT_MINUTE_MS,
                       (8 + pick(&g->rng, 20)) * DT_DAY_MS, (1 + pick(&g->rng, 2)) * DT_DAY_MS};
    for (int i = 0; i < 3; i++) {
        t += step[i];
        ev[i].at = t;
        if ((st = svc_case_act(g->s, i < 2 ? &handler : worker, h->case_id, &ev[i], -1, a, &v,
                               err)))
            return st;
    }
    return BH_OK;
}

/* A river or forest patrol walks about a kilometre along its section; one
 * in 25 turns back after a quarter of it (too short to count). */
static double (*walk(struct pgen *g, const db_object_t *o, dt_ms_t at, arena_t *a, int *n))[3]
{
    double (*t)[3] = arena_alloc_array(a, 12, sizeof *t);
    int np = urand(&g->rng) < 0.04 ? 4 : 12;
    for (int i = 0; i < np; i++) {
        t[i][0] = o->lng - 0.005 + i * 0.0009 + (urand(&g->rng) - 0.5) * 0.0001;
        t[i][1] = o->lat + (urand(&g->rng) - 0.5) * 0.0002;
        t[i][2] = (double)(at - (np - 1 - i) * 4 * DT_MINUTE_MS);
    }
    *n = np;
    return t;
}

/* The street (0-based) of an object of the demo map: its grid is 440303SSSCCCGG. */
static int street_of(const db_object_t *o)
{
    int si = (o->grid[6] - '0') * 100 + (o->grid[7] - '0') * 10 + (o->grid[8] - '0') - 1;
    return si >= 0 && si < NSTREETS ? si : 0;
}

static bh_status_t checkin(struct pgen *g, const struct visit *vi, arena_t *a, bh_err_t *err)
{
    const db_object_t *o = &g->objs[vi->obj];
    const svc_user_t *u = vi->account ? &g->accounts[vi->account - 1] : &g->workers[street_of(o)];
    const patrol_checklist_t *cl = patrol_checklist_for(g->cfg, o->kind);
    svc_finding_t f[6];
    svc_patrol_new_t in = {0};
    svc_patrol_view_t out;
    char cid[32];
    bool replayed;
    bh_status_t st;

    if (!cl)
        return BH_OK;
    in.nfindings = nfindings(g, o);
    for (int i = 0; i < in.nfindings; i++)
        finding(g, o, vi->account != 0, &f[i]);
    snprintf(cid, sizeof cid, "demo-%06d", g->checkins + 1);
    in.object_id = o->id;
    in.client_id = cid;
    in.at = vi->at;
    in.findings = f;
    in.note = in.nfindings ? "巡查发现问题，已告知负责人" : "巡查未发现问题";
    if (!vi->account) {
        bool far = urand(&g->rng) < 0.03; /* a few are made from the road */
        in.has_location = true;
        in.lng = o->lng + (urand(&g->rng) - 0.5) * (far ? 0.02 : 0.0004);
        in.lat = o->lat + (urand(&g->rng) - 0.5) * 0.0003;
        in.accuracy = 5 + pick(&g->rng, 25);
    }
    if (strcmp(o->kind, "river_section") == 0 || strcmp(o->kind, "forest_section") == 0)
        in.track = (const double (*)[3])walk(g, o, vi->at, a, &in.ntrack);
    json_t *ans = answers(cl, in.nfindings ? bad_item(f[0].type) : NULL);
    in.answers = ans;
    g->s->clock_fixed = vi->at + (5 + pick(&g->rng, 25)) * DT_MINUTE_MS; /* synced soon after */
    st = svc_patrol_create(g->s, u, &in, a, &out, &replayed, err);
    json_decref(ans);
    if (st)
        return st;
    g->checkins++;
    g->hazards += out.nhazards;
    for (int i = 0; i < out.nhazards && st == BH_OK; i++) {
        const db_hazard_t *h = &out.hazards[i];
        if (strcmp(h->severity, "major") == 0)
            st = follow_major(g, u, h, a, err);
        else if (h->status == DB_HAZARD_OPEN)
            st = follow_general(g, u, h, a, err);
    }
    return st;
}

bh_status_t demo_patrols(svc_t *s, const demo_opts_t *o, demo_login_t *logins, int *nlogins,
                         bh_err_t *err)
{
    struct pgen g = {.s = s, .rng = (o->seed ? o->seed : 1) * 7919 + 17};
    db_object_filter_t f = {.grid = db_scope("440303")};
    arena_t *keep = arena_new(), *a = arena_new();
    dt_day_t from = dt_local_day(o->from), last = dt_local_day(o->to) - 1;
    bh_status_t st;

    if (!(g.cfg = svc_patrol_cfg(s, err))) {
        st = BH_INTERNAL;
        goto out;
    }
    SVC_READ(s, c, st, err, DB(c, registry, object_list, &f, keep, &g.objs, &g.nobjs));
    if (st)
        goto out;
    for (int si = 0; si < NSTREETS; si++) {
        snprintf(g.names[0][si], sizeof g.names[0][si], "wgy_%s", demo_streets[si].abbr);
        snprintf(g.units[si], sizeof g.units[si], "440303%03d", si + 1);
        g.workers[si] = (svc_user_t){.username = g.names[0][si], .role = ROLE_REPORTER,
                                     .unit = g.units[si]};
    }
    for (int i = 0; i < g.nobjs; i++)
        plan_object(&g, i, from, last);
    if ((st = accounts(&g, o, logins, nlogins, err)))
        goto out;
    qsort(g.v, (size_t)g.nv, sizeof *g.v, by_time);
    for (int i = 0; i < g.nv && st == BH_OK; i++) {
        st = checkin(&g, &g.v[i], a, err);
        arena_reset(a);
        if (o->progress && (i % 500 == 499 || i == g.nv - 1))
            o->progress("patrols", i + 1, g.nv, o->progress_ctx);
    }
out:
    s->clock_fixed = 0;
    free(g.v);
    arena_free(a);
    arena_free(keep);
    return st;
}
