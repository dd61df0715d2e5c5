/*
 * patrol.c - patrol plans, slots and the rules of check-ins and hazards
 * (see patrol.h).
 */
#include "core/patrol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cfgjson.h"
#include "core/object.h"
#include "core/role.h"
#include "core/unitcode.h"
#include "util/xmalloc.h"

extern const char bh_data_patrol[];
extern const size_t bh_data_patrol_len;

static const struct {
    const char *name, *label;
} pers[PATROL_PER__COUNT] = {
    [PATROL_PER_WEEK] = {"week", "周"},          [PATROL_PER_MONTH] = {"month", "月"},
    [PATROL_PER_QUARTER] = {"quarter", "季度"},  [PATROL_PER_HALF] = {"half", "半年"},
    [PATROL_PER_YEAR] = {"year", "年"},          [PATROL_PER_WORKDAYS] = {"workdays", "工作日"},
};

const char *patrol_per_name(patrol_per_t p)
{
    return (unsigned)p < PATROL_PER__COUNT ? pers[p].name : NULL;
}

const char *patrol_per_label(patrol_per_t p)
{
    return (unsigned)p < PATROL_PER__COUNT ? pers[p].label : NULL;
}

const char *patrol_slot_state_name(patrol_slot_state_t s)
{
    static const char *const names[] = {"done", "late", "missed", "pending"};
    return (unsigned)s <= PATROL_SLOT_PENDING ? names[s] : NULL;
}

const char *patrol_cfg_builtin_text(size_t *len)
{
    *len = bh_data_patrol_len;
    return bh_data_patrol;
}

/* ---- parsing ---- */

static bh_status_t parse_htype(cfg_ctx_t *c, json_t *o, patrol_hazard_type_t *t, bool coded)
{
    static const char *const keys[] = {"code", "name", "days", "yellow", "red", NULL};
    bh_status_t st;
    if (!json_is_object(o))
        return cfg_bad(c, "", "应为对象");
    if ((st = cfg_only_keys(c, o, keys)) || (coded && (st = cfg_str(c, o, "code", true, &t->code))) ||
        (st = cfg_str(c, o, "name", true, &t->name)) || (st = cfg_int(c, o, "days", 1, 365, 0, &t->days)) ||
        (st = cfg_int(c, o, "yellow", 1, 365, 0, &t->yellow)) ||
        (st = cfg_int(c, o, "red", 1, 365, 0, &t->red)))
        return st;
    if (!t->days || !t->yellow || !t->red)
        return cfg_bad(c, "days", "days、yellow、red 都必须给出");
    if (!(t->yellow <= t->red && t->red <= t->days))
        return cfg_bad(c, "yellow", "应满足 yellow ≤ red ≤ days");
    return BH_OK;
}

static bh_status_t parse_checklist(cfg_ctx_t *c, json_t *o, patrol_checklist_t *cl)
{
    static const char *const keys[] = {"code", "name", "kind", "items", NULL};
    static const char *const ikeys[] = {"code", "label", "required", "options", NULL};
    bh_status_t st;
    json_t *items, *it;
    size_t i;
    if (!json_is_object(o))
        return cfg_bad(c, "", "应为对象");
    if ((st = cfg_only_keys(c, o, keys)) || (st = cfg_str(c, o, "code", true, &cl->code)) ||
        (st = cfg_str(c, o, "name", true, &cl->name)) || (st = cfg_str(c, o, "kind", true, &cl->kind)))
        return st;
    if (obj_kind_from_name(cl->kind) < 0)
        return cfg_bad(c, "kind", "未知的对象种类");
    if (!(items = cfg_array(c, o, "items", &st)))
        return st;
    if (json_array_size(items) == 0 || json_array_size(items) > 100)
        return cfg_bad(c, "items", "应有 1 到 100 项");
    cl->items = xcalloc(json_array_size(items), sizeof *cl->items);
    json_array_foreach(items, i, it) {
        patrol_item_t *item = &cl->items[cl->nitems++];
        json_t *opts, *ov, *req;
        size_t j;
        char where[112];
        snprintf(where, sizeof where, "%.100s", c->where);
        snprintf(c->where, sizeof c->where, "%.100s.items[%u]", where, (unsigned)i);
        if (!json_is_object(it))
            return cfg_bad(c, "", "应为对象");
        if ((st = cfg_only_keys(c, it, ikeys)) || (st = cfg_str(c, it, "code", true, &item->code)) ||
            (st = cfg_str(c, it, "label", true, &item->label)))
            return st;
        req = json_object_get(it, "required");
        if (req && !json_is_boolean(req))
            return cfg_bad(c, "required", "应为 true 或 false");
        item->required = req && json_is_true(req);
        if (!(opts = cfg_array(c, it, "options", &st)))
            return st;
        if (json_array_size(opts) < 2 || json_array_size(opts) > 20)
            return cfg_bad(c, "options", "应有 2 到 20 个选项");
        item->options = xcalloc(json_array_size(opts), sizeof *item->options);
        json_array_foreach(opts, j, ov) {
            if (!json_is_string(ov) || !*json_string_value(ov))
                return cfg_bad(c, "options", "选项应为非空字符串");
            item->options[item->noptions++] = xstrdup(json_string_value(ov));
        }
        for (int k = 0; k + 1 < cl->nitems; k++)
            if (strcmp(cl->items[k].code, item->code) == 0)
                return cfg_bad(c, "code", "检查项编码重复");
        snprintf(c->where, sizeof c->where, "%.100s", where);
    }
    return BH_OK;
}

static int per_from_name(const char *s)
{
    for (int i = 0; s && i < PATROL_PER__COUNT; i++)
        if (strcmp(s, pers[i].name) == 0)
            return i;
    return -1;
}

static bh_status_t parse_plan(cfg_ctx_t *c, const patrol_cfg_t *cfg, json_t *o, patrol_plan_t *p)
{
    static const char *const keys[] = {"code", "name", "kind", "type", "risk", "unit", "per",
                                       "times", "every", "role", "checklist", NULL};
    bh_status_t st;
    char *per = NULL;
    int k;
    const patrol_checklist_t *cl;
    if (!json_is_object(o))
        return cfg_bad(c, "", "应为对象");
    if ((st = cfg_only_keys(c, o, keys)) || (st = cfg_str(c, o, "code", true, &p->code)) ||
        (st = cfg_str(c, o, "name", true, &p->name)) || (st = cfg_str(c, o, "kind", true, &p->kind)) ||
        (st = cfg_str(c, o, "type", false, &p->type)) || (st = cfg_str(c, o, "risk", false, &p->risk)) ||
        (st = cfg_str(c, o, "unit", false, &p->unit)) || (st = cfg_str(c, o, "role", false, &p->role)) ||
        (st = cfg_str(c, o, "checklist", false, &p->checklist)) || (st = cfg_str(c, o, "per", true, &per)))
        goto out;
    if (obj_kind_from_name(p->kind) < 0) {
        st = cfg_bad(c, "kind", "未知的对象种类");
        goto out;
    }
    if (p->type && !obj_type_label(p->type)) {
        st = cfg_bad(c, "type", "未知的企业类型");
        goto out;
    }
    if (p->risk && strcmp(p->risk, PATROL_RISK_FLAGGED) != 0 && !obj_risk_label(p->risk)) {
        st = cfg_bad(c, "risk", "未知的风险等级（red orange yellow blue，或 flagged：任一等级）");
        goto out;
    }
    if ((k = per_from_name(per)) < 0) {
        st = cfg_bad(c, "per", "应为 week month quarter half year workdays 之一");
        goto out;
    }
    p->per = (patrol_per_t)k;
    if ((st = cfg_int(c, o, "times", 1, 31, 1, &p->times)) ||
        (st = cfg_int(c, o, "every", 1, 250, 0, &p->every)))
        goto out;
    if ((p->per == PATROL_PER_WORKDAYS) != (p->every > 0)) {
        st = cfg_bad(c, "every", p->every ? "只用于 per=workdays" : "per=workdays 需要 every（工作日数）");
        goto out;
    }
    if (p->per == PATROL_PER_WORKDAYS && p->times != 1) {
        st = cfg_bad(c, "times", "per=workdays 每个周期一次");
        goto out;
    }
    if (!p->role)
        p->role = xstrdup("reporter");
    if (role_from_name(p->role) < 0) {
        st = cfg_bad(c, "role", "未知的角色");
        goto out;
    }
    cl = p->checklist ? patrol_checklist_find(cfg, p->checklist) : patrol_checklist_for(cfg, p->kind);
    if (!cl) {
        st = cfg_bad(c, "checklist", "没有这个检查表（或该种类没有检查表）");
        goto out;
    }
    if (strcmp(cl->kind, p->kind) != 0) {
        st = cfg_bad(c, "checklist", "检查表的对象种类与计划不同");
        goto out;
    }
    if (!p->checklist)
        p->checklist = xstrdup(cl->code);
out:
    free(per);
    return st;
}

static bh_status_t parse(cfg_ctx_t *c, json_t *root, patrol_cfg_t *cfg)
{
    static const char *const keys[] = {"max_distance_m", "supervisor", "major_category", "general",
                                       "major", "hazard_types", "checklists", "plans", NULL};
    bh_status_t st;
    json_t *arr, *v, *d;
    size_t i;
    if (!json_is_object(root))
        return cfg_bad(c, "", "应为 JSON 对象");
    if ((st = cfg_only_keys(c, root, keys)) || (st = cfg_str(c, root, "supervisor", true, &cfg->supervisor)) ||
        (st = cfg_str(c, root, "major_category", true, &cfg->major_category)))
        return st;
    d = json_object_get(root, "max_distance_m");
    cfg->max_distance_m = 500;
    if (d && (!json_is_number(d) || json_number_value(d) < 10 || json_number_value(d) > 100000))
        return cfg_bad(c, "max_distance_m", "应为 10 到 100000 的米数");
    if (d)
        cfg->max_distance_m = json_number_value(d);

    snprintf(c->where, sizeof c->where, "general");
    if ((st = parse_htype(c, json_object_get(root, "general"), &cfg->general, false)))
        return st;
    snprintf(c->where, sizeof c->where, "major");
    if ((st = parse_htype(c, json_object_get(root, "major"), &cfg->major, false)))
        return st;
    *c->where = 0;

    if (!(arr = cfg_array(c, root, "hazard_types", &st)))
        return st;
    cfg->hazard_types = xcalloc(json_array_size(arr) + 1, sizeof *cfg->hazard_types);
    json_array_foreach(arr, i, v) {
        snprintf(c->where, sizeof c->where, "hazard_types[%zu]", i);
        if ((st = parse_htype(c, v, &cfg->hazard_types[cfg->nhazard_types++], true)))
            return st;
        if (patrol_hazard_type(cfg, cfg->hazard_types[i].code) != &cfg->hazard_types[i])
            return cfg_bad(c, "code", "隐患类型编码重复");
    }
    *c->where = 0;

    if (!(arr = cfg_array(c, root, "checklists", &st)))
        return st;
    cfg->checklists = xcalloc(json_array_size(arr) + 1, sizeof *cfg->checklists);
    json_array_foreach(arr, i, v) {
        snprintf(c->where, sizeof c->where, "checklists[%zu]", i);
        if ((st = parse_checklist(c, v, &cfg->checklists[cfg->nchecklists++])))
            return st;
        if (patrol_checklist_find(cfg, cfg->checklists[i].code) != &cfg->checklists[i])
            return cfg_bad(c, "code", "检查表编码重复");
    }
    *c->where = 0;

    if (!(arr = cfg_array(c, root, "plans", &st)))
        return st;
    cfg->plans = xcalloc(json_array_size(arr) + 1, sizeof *cfg->plans);
    json_array_foreach(arr, i, v) {
        snprintf(c->where, sizeof c->where, "plans[%zu]", i);
        if ((st = parse_plan(c, cfg, v, &cfg->plans[cfg->nplans++])))
            return st;
        for (int k = 0; k < (int)i; k++)
            if (strcmp(cfg->plans[k].code, cfg->plans[i].code) == 0)
                return cfg_bad(c, "code", "计划编码重复");
    }
    return BH_OK;
}

bh_status_t patrol_cfg_parse(const char *json, size_t len, patrol_cfg_t **out, bh_err_t *err)
{
    json_error_t je;
    cfg_ctx_t c = {err, "巡查配置", ""};
    patrol_cfg_t *cfg = xcalloc(1, sizeof *cfg);
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    bh_status_t st;
    *out = NULL;
    if (!root) {
        patrol_cfg_free(cfg);
        return bh_fail(err, BH_INVALID_ARGUMENT, "", "巡查配置不是有效的 JSON（第 %d 行：%s）",
                       je.line, je.text);
    }
    st = parse(&c, root, cfg);
    json_decref(root);
    if (st) {
        patrol_cfg_free(cfg);
        return st;
    }
    *out = cfg;
    return BH_OK;
}

static void free_htype(patrol_hazard_type_t *t)
{
    free(t->code);
    free(t->name);
}

void patrol_cfg_free(patrol_cfg_t *cfg)
{
    if (!cfg)
        return;
    for (int i = 0; i < cfg->nplans; i++) {
        patrol_plan_t *p = &cfg->plans[i];
        free(p->code), free(p->name), free(p->kind), free(p->type), free(p->risk);
        free(p->unit), free(p->role), free(p->checklist);
    }
    for (int i = 0; i < cfg->nchecklists; i++) {
        patrol_checklist_t *cl = &cfg->checklists[i];
        for (int j = 0; j < cl->nitems; j++) {
            for (int k = 0; k < cl->items[j].noptions; k++)
                free(cl->items[j].options[k]);
            free(cl->items[j].options), free(cl->items[j].code), free(cl->items[j].label);
        }
        free(cl->items), free(cl->code), free(cl->name), free(cl->kind);
    }
    for (int i = 0; i < cfg->nhazard_types; i++)
        free_htype(&cfg->hazard_types[i]);
    free_htype(&cfg->general);
    free_htype(&cfg->major);
    free(cfg->plans), free(cfg->checklists), free(cfg->hazard_types);
    free(cfg->supervisor), free(cfg->major_category);
    free(cfg);
}

const patrol_checklist_t *patrol_checklist_find(const patrol_cfg_t *cfg, const char *code)
{
    for (int i = 0; code && i < cfg->nchecklists; i++)
        if (strcmp(cfg->checklists[i].code, code) == 0)
            return &cfg->checklists[i];
    return NULL;
}

const patrol_checklist_t *patrol_checklist_for(const patrol_cfg_t *cfg, const char *kind)
{
    for (int i = 0; kind && i < cfg->nplans; i++)
        if (strcmp(cfg->plans[i].kind, kind) == 0 && cfg->plans[i].checklist)
            return patrol_checklist_find(cfg, cfg->plans[i].checklist);
    for (int i = 0; kind && i < cfg->nchecklists; i++)
        if (strcmp(cfg->checklists[i].kind, kind) == 0)
            return &cfg->checklists[i];
    return NULL;
}

const patrol_hazard_type_t *patrol_hazard_type(const patrol_cfg_t *cfg, const char *type)
{
    if (!type)
        return &cfg->general;
    for (int i = 0; i < cfg->nhazard_types; i++)
        if (strcmp(cfg->hazard_types[i].code, type) == 0)
            return &cfg->hazard_types[i];
    return NULL;
}

/* ---- slots ---- */

/* The m-th working day of the year starting on 'jan1' (m >= 1). */
static dt_day_t nth_workday(const cal_t *cal, dt_day_t jan1, int64_t m)
{
    return cal_add_workdays(cal, jan1 - 1, (int)m, NULL);
}

period_t patrol_slot(const patrol_plan_t *p, const cal_t *cal, dt_day_t day)
{
    period_t y, s;
    int64_t w, k;
    switch (p->per) {
    case PATROL_PER_WEEK:
        return period_week(day);
    case PATROL_PER_MONTH:
        return period_month(day);
    case PATROL_PER_QUARTER:
        return period_quarter(day);
    case PATROL_PER_HALF:
        return period_half(day);
    case PATROL_PER_YEAR:
        return period_year(day);
    default:
        break;
    }
    /* Runs of 'every' working days from the year's first working day; the
     * rest days between runs belong to the run before them. */
    y = period_year(day);
    w = cal_count_workdays(cal, y.from, day, NULL);
    k = w == 0 ? 0 : (w - 1) / p->every;
    s.from = k == 0 ? y.from : nth_workday(cal, y.from, k * p->every + 1);
    s.to = nth_workday(cal, y.from, (k + 1) * p->every + 1) - 1;
    if (s.to > y.to)
        s.to = y.to;
    return s;
}

const char *patrol_risk_at(const patrol_object_t *o, dt_day_t day)
{
    const char *r = o->nrisks ? o->risks[0].risk : NULL;
    for (int i = 1; i < o->nrisks && o->risks[i].from <= day; i++)
        r = o->risks[i].risk;
    return r;
}

static bool any_or(const char *want, const char *have)
{
    return !want || !*want || (have && strcmp(want, have) == 0);
}

bool patrol_plan_covers(const patrol_plan_t *p, const patrol_object_t *o, const char *risk)
{
    bool risk_ok = p->risk && strcmp(p->risk, PATROL_RISK_FLAGGED) == 0 ? risk && *risk
                                                                        : any_or(p->risk, risk);
    return any_or(p->kind, o->kind) && any_or(p->type, o->type) && risk_ok &&
           (!p->unit || !*p->unit || (o->grid && unit_in_scope(p->unit, o->grid)));
}

/* Per plan and year: walk the slots of the year in order, filling them. */
struct walk {
    const patrol_plan_t *p;
    int plan;
    const cal_t *cal;
    const patrol_object_t *o;
    const dt_day_t *visits;
    int nvisits;
    signed char *how;
    dt_day_t from, to, today;
    patrol_slot_t *out;
    int max, n;
};

static void emit(struct walk *w, const patrol_slot_t *s)
{
    patrol_slot_t t = *s;
    if (t.span.to < w->from || t.span.to > w->to)
        return;
    if (t.on_time + t.late >= t.needed)
        t.state = t.late ? PATROL_SLOT_LATE : PATROL_SLOT_DONE;
    else
        t.state = t.span.to < w->today ? PATROL_SLOT_MISSED : PATROL_SLOT_PENDING;
    if (w->n < w->max)
        w->out[w->n] = t;
    w->n++;
}

static void mark(struct walk *w, int i, signed char v)
{
    if (w->how && v > w->how[i])
        w->how[i] = v;
}

/* The slot starting on 'd', the day after the previous one ended.  For
 * working-day runs this steps from the run before instead of counting
 * from January 1 again (patrol_slot), which made a year of runs quadratic. */
static period_t next_slot(const struct walk *w, dt_day_t d, period_t year)
{
    period_t s;
    if (w->p->per != PATROL_PER_WORKDAYS)
        return patrol_slot(w->p, w->cal, d);
    s.from = d; /* a working day: the previous run ended the day before it */
    s.to = cal_add_workdays(w->cal, d, w->p->every, NULL) - 1;
    if (s.to > year.to)
        s.to = year.to;
    return s;
}

/* The slots of one year: those whose last day is in it (a week that
 * starts in December and ends in January belongs to January's year). */
static void walk_year(struct walk *w, period_t year)
{
    patrol_slot_t prev = {0}, cur;
    bool have_prev = false, have_span = false;
    int vi = 0;
    dt_day_t d = year.from > w->o->created ? year.from : w->o->created;
    period_t first = patrol_slot(w->p, w->cal, d);
    while (vi < w->nvisits && w->visits[vi] < first.from)
        vi++;
    for (;;) {
        const char *risk;
        bool covers;
        memset(&cur, 0, sizeof cur);
        cur.plan = w->plan;
        if (d > year.to)
            break;
        cur.span = have_span ? next_slot(w, d, year) : patrol_slot(w->p, w->cal, d);
        have_span = true;
        if (cur.span.to > year.to)
            break;
        cur.needed = w->p->times;
        risk = patrol_risk_at(w->o, cur.span.from > w->o->created ? cur.span.from : w->o->created);
        covers = patrol_plan_covers(w->p, w->o, risk);
        for (; vi < w->nvisits && w->visits[vi] <= cur.span.to; vi++) {
            if (w->visits[vi] > w->today)
                continue;
            if (covers && cur.on_time < cur.needed) {
                cur.on_time++;
                mark(w, vi, PATROL_VISIT_ON_TIME);
            } else if (have_prev && prev.on_time + prev.late < prev.needed) {
                prev.late++;
                mark(w, vi, PATROL_VISIT_LATE);
            }
        }
        if (have_prev)
            emit(w, &prev);
        prev = cur;
        have_prev = covers;
        d = cur.span.to + 1;
    }
    if (have_prev)
        emit(w, &prev);
}

bool patrol_visit_counts(double covered)
{
    return covered < 0 || covered >= PATROL_SECTION_SHARE;
}

int patrol_slots(const patrol_cfg_t *cfg, const cal_t *cal, const patrol_object_t *o,
                 const dt_day_t *visits, int nvisits, dt_day_t from, dt_day_t to,
                 dt_day_t today, patrol_slot_t *out, int max, signed char *how)
{
    struct walk w = {0};
    if (how)
        memset(how, PATROL_VISIT_EXTRA, (size_t)nvisits);
    w.cal = cal, w.o = o, w.visits = visits, w.nvisits = nvisits, w.how = how;
    w.from = from, w.to = to, w.today = today, w.out = out, w.max = max;
    if (to < o->created)
        return 0;
    for (int i = 0; i < cfg->nplans; i++) {
        w.p = &cfg->plans[i];
        w.plan = i;
        for (period_t y = period_year(from > o->created ? from : o->created); y.from <= to;
             y = period_year(y.to + 1))
            walk_year(&w, y);
    }
    return w.n;
}

void patrol_tally_add(patrol_tally_t *t, const patrol_slot_t *s, int n)
{
    for (int i = 0; i < n; i++) {
        int rest = s[i].needed - s[i].on_time - s[i].late;
        t->due += s[i].needed;
        t->done += s[i].on_time + s[i].late;
        t->on_time += s[i].on_time;
        t->late += s[i].late;
        if (s[i].state == PATROL_SLOT_MISSED)
            t->missed += rest;
        else if (s[i].state == PATROL_SLOT_PENDING)
            t->pending += rest;
    }
}

const char *patrol_tally_status(const patrol_tally_t *t)
{
    if (!t->due)
        return "not_due";
    if (t->missed)
        return "missed";
    if (t->pending)
        return "pending";
    return t->late ? "late" : "done";
}

/* ---- check-ins ---- */

bh_status_t patrol_check_answers(const patrol_checklist_t *cl, const json_t *answers,
                                 bh_err_t *err)
{
    const char *key;
    json_t *v;
    if (answers && !json_is_object(answers))
        return bh_fail(err, BH_INVALID_ARGUMENT, "answers", "answers 应为对象（检查项编码 → 选项）");
    for (int i = 0; i < cl->nitems; i++) {
        const patrol_item_t *it = &cl->items[i];
        json_t *a = answers ? json_object_get(answers, it->code) : NULL;
        char field[96];
        snprintf(field, sizeof field, "answers.%s", it->code);
        if (!a || json_is_null(a)) {
            if (it->required)
                return bh_fail(err, BH_INVALID_ARGUMENT, field, "检查表“%s”的必填项“%s”没有填写",
                               cl->name, it->label);
            continue;
        }
        bool ok = false;
        for (int k = 0; json_is_string(a) && k < it->noptions && !ok; k++)
            ok = strcmp(json_string_value(a), it->options[k]) == 0;
        if (!ok)
            return bh_fail(err, BH_INVALID_ARGUMENT, field, "检查项“%s”的答案应为：%s%s%s%s%s",
                           it->label, it->options[0], it->noptions > 1 ? "、" : "",
                           it->noptions > 1 ? it->options[1] : "", it->noptions > 2 ? "、" : "",
                           it->noptions > 2 ? it->options[2] : "");
    }
    json_object_foreach((json_t *)answers, key, v) {
        bool known = false;
        for (int i = 0; i < cl->nitems && !known; i++)
            known = strcmp(cl->items[i].code, key) == 0;
        if (!known) {
            char field[96];
            snprintf(field, sizeof field, "answers.%s", key);
            return bh_fail(err, BH_INVALID_ARGUMENT, field, "检查表“%s”没有“%s”这一项", cl->name,
                           key);
        }
    }
    return BH_OK;
}

/* ---- hazards ---- */

dt_day_t patrol_hazard_deadline(const patrol_hazard_type_t *t, const cal_t *cal, dt_day_t found)
{
    return cal_add_workdays(cal, found, t->days, NULL);
}

sla_light_t patrol_hazard_light(const patrol_hazard_type_t *t, const cal_t *cal, dt_day_t found,
                                dt_day_t deadline, dt_day_t today)
{
    dt_day_t red = cal_add_workdays(cal, found, t->red, NULL);
    dt_day_t yellow = cal_add_workdays(cal, found, t->yellow, NULL);
    if (today > deadline)
        return SLA_LIGHT_OVERDUE;
    if (today >= red || today >= deadline)
        return SLA_LIGHT_RED;
    if (today >= yellow)
        return SLA_LIGHT_YELLOW;
    return SLA_LIGHT_GREEN;
}
