/*
 * demo.c - the demo district generator.
 *
 * Units and users are written first; cases are generated as whole
 * histories (svc_case_import_tx) in batches of BATCH per transaction, so a
 * million cases take minutes, not hours.  Every history is checked by the
 * state machine as it is imported.
 */
#include "svc/demo.h"
#include "svc/demo_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "util/xmalloc.h"

/* Cases per transaction: a bulk load's commit writes every page it changed
 * once, and the indexes of a large store spread a batch's cases over
 * thousands of pages (a grid's, a category's), so larger batches write
 * fewer pages per case: 2,000 ran at ~4,800 cases/s past 500k, ... */
#define BATCH 20000


/*
 * The demo map (WGS-84): streets are 0.02° squares in two rows of five
 * from (114.08 E, 22.53 N); each street holds its communities in 2 rows
 * of 5, each community its grids in 2 rows of 5 (a grid is about 80 m by
 * 550 m).  Real districts import their polygons instead.
 */
static void grid_rect(int street, int comm, int grid, double r[4])
{
    double sx = 114.08 + (street % 5) * 0.02, sy = 22.53 + (street / 5) * 0.02;
    double cx = sx + (comm % 5) * 0.004, cy = sy + (comm / 5) * 0.01;
    r[0] = cx + (grid % 5) * 0.0008;
    r[1] = cy + (grid / 5) * 0.005;
    r[2] = r[0] + 0.0008;
    r[3] = r[1] + 0.005;
}

static const char *const community_names[] = {
    "新港", "文华", "碧波", "凤凰", "罗芳", "怡景", "湖景", "金湖", "翠华", "东乐", "向西", "南庆",
    "滨河", "锦联", "红岭", "宝岗", "东晓", "独树", "莲花", "长岭", "梧桐", "银湖", "洪湖", "松园",
    "鹿丹", "湖贝", "立新", "晒布", "螺岭", "清庆", "草埔", "坭岗", "布心", "太白", "金稻田", "大望",
    "水库", "翠锦", "华丽", "桃源", "仙湖", "延芳", "西岭", "畔山", "木棉岭", "笋西", "田心", "爱国",
    "百仕达", "新秀", "嘉北", "北斗", "东昌", "文锦", "深南", "人民桥", "黄贝岭", "渔民村", "罗湖",
    "南湖", "金山", "华文", "笋岗", "洪湖东", "清水河", "玉龙", "蔡屋围", "湖贝旧村", "桂园", "松坪",
    "宝安南", "京基", "东方", "泥岗", "凤凰路", "碧岭", "和平", "春风", "解放", "乐园", "建设",
    "东门北", "东门南", "南塘", "笔架山", "银华", "翠北", "翠达", "翠岭", "湖畔", "翠宁", "新秀二",
    "长岭下", "莲塘尾", "鹏兴", "仙桐", "坳下", "聚宝", "国威", "西坑"};

static const struct {
    const char *suffix, *name, *abbr;
} depts[] = {
    {"CG", "城市管理局", "cg"},       {"STHJ", "生态环境局", "sthj"},
    {"YJGL", "应急管理局", "yjgl"},   {"ZJ", "住房和建设局", "zj"},
    {"SW", "水务局", "sw"},           {"JT", "交通运输局", "jt"},
    {"SCJG", "市场监督管理局", "scjg"}, {"SF", "司法局", "sf"},
    {"XF", "信访局", "xf"},           {"ZWFW", "政务服务数据管理局", "zwfw"},
};
#define NDEPTS (int)(sizeof depts / sizeof depts[0])

static const char *const roads[] = {"深南东路", "人民南路", "解放路", "东门中路", "宝安南路", "建设路",
                                    "沿河北路", "爱国路", "太宁路", "布心路", "笋岗西路", "泥岗路",
                                    "凤凰路", "文锦中路", "春风路", "嘉宾路", "和平路", "北斗路"};
static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "林", "郭"};
static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "涛", "明", "霞", "平"};
static const char *const details[] = {
    "影响居民通行，请尽快处理", "已持续多日，周边群众反映强烈", "存在安全隐患，需及时处置",
    "夜间尤为严重，影响附近居民休息", "网格员巡查时发现，已拍照取证", "市民多次来电反映",
    "位于学校周边，影响学生上下学", "临近农贸市场，人流量大"};

const demo_street_t demo_streets[NSTREETS] = {
    {"黄贝街道", "hb"}, {"翠竹街道", "cz"}, {"东门街道", "dm"}, {"桂园街道", "gy"},
    {"南湖街道", "nh"}, {"笋岗街道", "sg"}, {"东湖街道", "dh"}, {"东晓街道", "dx"},
    {"莲塘街道", "lt"}, {"清水河街道", "qsh"},
};

/* ---- units ---- */

static bh_status_t put_unit(db_conn_t *c, const char *code, const char *parent, const char *name,
                            const char *type, bh_err_t *err)
{
    db_unit_t u = {code, parent, name, type, true};
    return DB(c, registry, unit_put, &u, err);
}

/*
 * Managed objects of the demo map: in every community two enterprises (one
 * of each type in turn, risk red : orange : yellow : blue = 1 : 2 : 3 : 4)
 * a river or forest section (a 1 km line running east through its point)
 * and a household, flagged for monitoring (重点监管户) in every other
 * community; in every grid one component (a manhole cover or street lamp)
 * with its 16-digit code.  Deterministic.
 */
/* When the demo's managed objects were registered: the first day of the
 * year before the demo's (core of units_tx; set by demo_build). */
static dt_ms_t objects_at;

static bh_status_t objects(db_conn_t *c, bh_err_t *err)
{
    static const char *const types[] = {"production", "small_venue", "office", "public_area"};
    static const char *const risk[] = {"red", "orange", "orange", "yellow", "yellow", "yellow",
                                       "blue", "blue", "blue", "blue"};
    static const char *const shops[] = {"五金厂", "小餐馆", "写字楼", "农贸市场", "汽修店",
                                        "便利店", "物流仓库", "培训机构"};
    int serial = 0, n = 0;
    bh_status_t st;

    for (int si = 0; si < NSTREETS; si++) {
        for (int ci = 0; ci < NCOMM; ci++) {
            for (int gi = 0; gi < NGRID; gi++) {
                char grid[24], name[96], code[24], line[96];
                double r[4];
                db_object_t o;
                snprintf(grid, sizeof grid, "440303%03d%03d%02d", si + 1, ci + 1, gi + 1);
                grid_rect(si, ci, gi, r);
                memset(&o, 0, sizeof o);
                o.grid = grid;
                o.active = true;
                o.has_location = true;
                o.lng = (r[0] + r[2]) / 2;
                o.lat = (r[1] + r[3]) / 2;
                o.created_at = o.updated_at = objects_at;
                o.kind = "component";
                o.name = gi % 2 ? "路灯" : "上水井盖";
                snprintf(code, sizeof code, "440303%s%06d", gi % 2 ? "0110" : "0101", ++serial);
                o.code = code;
                if ((st = DB(c, registry, object_put, &o, err)))
                    return st;
                if (gi > 3)
                    continue;
                o.code = NULL;
                o.id = 0;
                if (gi < 2) {
                    o.kind = "enterprise";
                    o.type = types[n % 4];
                    o.risk = risk[n % 10];
                    snprintf(name, sizeof name, "%s%s%d号%s", demo_streets[si].name,
                             community_names[si * NCOMM + ci], gi + 1, shops[n % 8]);
                    n++;
                } else if (gi == 2) {
                    o.kind = si % 2 ? "forest_section" : "river_section";
                    o.type = NULL;
                    o.risk = NULL;
                    snprintf(name, sizeof name, "%s%s段", community_names[si * NCOMM + ci],
                             si % 2 ? "林" : "河");
                    snprintf(line, sizeof line, "[[%.6f,%.6f],[%.6f,%.6f]]", o.lng - 0.005, o.lat,
                             o.lng + 0.005, o.lat);
                    o.line = line;
                } else {
                    o.kind = "household";
                    o.type = NULL;
                    o.risk = ci % 2 ? NULL : "yellow";
                    snprintf(name, sizeof name, "%s%s住户", community_names[si * NCOMM + ci],
                             ci % 2 ? "" : "重点监管");
                }
                o.name = name;
                if ((st = DB(c, registry, object_put, &o, err)) ||
                    (o.risk && (st = DB(c, patrol, risk_put, o.id, dt_local_day(o.created_at), o.risk))))
                    return st;
                o.type = o.risk = o.line = NULL;
            }
        }
    }
    return BH_OK;
}

static bh_status_t units_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    char code[32], parent[32], name[128];
    bh_status_t st;
    (void)ctx;

    if ((st = put_unit(c, "440303", NULL, "示范区", "district", err)))
        return st;
    for (int d = 0; d < NDEPTS; d++) {
        snprintf(code, sizeof code, "440303-%s", depts[d].suffix);
        if ((st = put_unit(c, code, "440303", depts[d].name, "department", err)))
            return st;
    }
    for (int si = 0; si < NSTREETS; si++) {
        snprintf(code, sizeof code, "440303%03d", si + 1);
        if ((st = put_unit(c, code, "440303", demo_streets[si].name, "street", err)))
            return st;
        for (int ci = 0; ci < NCOMM; ci++) {
            snprintf(parent, sizeof parent, "440303%03d", si + 1);
            snprintf(code, sizeof code, "440303%03d%03d", si + 1, ci + 1);
            snprintf(name, sizeof name, "%s社区", community_names[si * NCOMM + ci]);
            if ((st = put_unit(c, code, parent, name, "community", err)))
                return st;
            for (int gi = 0; gi < NGRID; gi++) {
                char gcode[48], gname[160], geo[256];
                double r[4];
                snprintf(gcode, sizeof gcode, "%s%02d", code, gi + 1);
                snprintf(gname, sizeof gname, "%s第%02d网格", name, gi + 1);
                grid_rect(si, ci, gi, r);
                snprintf(geo, sizeof geo,
                         "{\"type\":\"Polygon\",\"coordinates\":[[[%.4f,%.4f],[%.4f,%.4f],"
                         "[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]]]}",
                         r[0], r[1], r[2], r[1], r[2], r[3], r[0], r[3], r[0], r[1]);
                if ((st = put_unit(c, gcode, code, gname, "grid", err)) ||
                    (st = DB(c, registry, geometry_put, gcode, geo, r, err)))
                    return st;
            }
        }
    }
    if ((st = objects(c, err)))
        return st;
    return svc_audit(c, "demo", "unit.create", "440303",
                     json_pack("{s:{s:i, s:i, s:i, s:i}}", "after", "streets", NSTREETS, "communities",
                               NSTREETS * NCOMM, "grids", NSTREETS * NCOMM * NGRID, "departments", NDEPTS));
}

/* ---- users ---- */

static void random_password(char *out)
{
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 12; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[12] = '\0';
}

bh_status_t demo_add_user(svc_t *s, const demo_opts_t *o, demo_login_t *l, const char *username,
                          const char *role, const char *unit, const char *unit_name,
                          const char *display, int64_t object_id, bh_err_t *err)
{
    snprintf(l->username, sizeof l->username, "%s", username);
    snprintf(l->role, sizeof l->role, "%s", role);
    snprintf(l->unit, sizeof l->unit, "%s", unit);
    snprintf(l->unit_name, sizeof l->unit_name, "%s", unit_name);
    if (o->password)
        snprintf(l->password, sizeof l->password, "%s", o->password);
    else
        random_password(l->password);
    return svc_user_put(s, "demo", username, l->password, role, unit, display, NULL, object_id, err);
}

static bh_status_t users(svc_t *s, const demo_opts_t *o, demo_login_t *l, int *n, bh_err_t *err)
{
    char name[32], unit[32], disp[96];
    bh_status_t st;

#define ADD(...) do { if ((st = demo_add_user(s, o, &l[(*n)++], __VA_ARGS__, 0, err))) return st; } while (0)
    *n = 0;
    ADD("admin", "admin", "440303", "示范区", "系统管理员");
    ADD("zhzx01", "operator", "440303", "示范区", "指挥中心受理员");
    ADD("zhzx02", "operator", "440303", "示范区", "指挥中心派遣员");
    ADD("leader", "leader", "440303", "示范区", "区领导");
    ADD("hb_leader", "leader", "440303001", "黄贝街道", "黄贝街道领导");
    ADD("citizen", "public", "440303", "示范区", "市民（公众）");
    for (int d = 0; d < NDEPTS; d++) {
        snprintf(unit, sizeof unit, "440303-%s", depts[d].suffix);
        snprintf(disp, sizeof disp, "%s处置员", depts[d].name);
        ADD(depts[d].abbr, "handler", unit, depts[d].name, disp);
    }
    for (int si = 0; si < NSTREETS; si++) {
        snprintf(unit, sizeof unit, "440303%03d", si + 1);
        snprintf(name, sizeof name, "%s_jd", demo_streets[si].abbr);
        snprintf(disp, sizeof disp, "%s处置员", demo_streets[si].name);
        ADD(name, "handler", unit, demo_streets[si].name, disp);
        snprintf(name, sizeof name, "wgy_%s", demo_streets[si].abbr);
        snprintf(disp, sizeof disp, "%s网格员", demo_streets[si].name);
        ADD(name, "reporter", unit, demo_streets[si].name, disp);
    }
#undef ADD
    return BH_OK;
}

/* ---- cases ---- */

struct gen {
    svc_t *s;
    const demo_opts_t *o;
    uint64_t rng;
    long done;
    const cat_t **leaves;
    int nleaves;
    double *weights; /* cumulative */
};

/* Leaf categories (no children), weighted by how common the kind is. */
static void pick_leaves(struct gen *g)
{
    static const double kind_weight[CAT_KIND__COUNT] = {
        [CAT_KIND_CITY_EVENT] = 45, [CAT_KIND_CITY_COMPONENT] = 15, [CAT_KIND_HOTLINE] = 15,
        [CAT_KIND_PETITION] = 3, [CAT_KIND_HAZARD] = 8, [CAT_KIND_DISPUTE] = 5,
        [CAT_KIND_ENV_COMPLAINT] = 6, [CAT_KIND_RATING_RECTIFY] = 3};
    int per_kind[CAT_KIND__COUNT] = {0};
    const cat_set_t *set = g->s->cats;
    double acc = 0;

    g->leaves = xcalloc((size_t)set->ncats, sizeof *g->leaves);
    g->weights = xcalloc((size_t)set->ncats, sizeof *g->weights);
    for (int i = 0; i < set->ncats; i++) {
        bool parent = false;
        for (int k = 0; k < set->ncats && !parent; k++)
            parent = set->cats[k].parent && strcmp(set->cats[k].parent, set->cats[i].code) == 0;
        if (!parent) {
            g->leaves[g->nleaves++] = &set->cats[i];
            per_kind[set->cats[i].kind]++;
        }
    }
    for (int i = 0; i < g->nleaves; i++) {
        acc += kind_weight[g->leaves[i]->kind] / per_kind[g->leaves[i]->kind];
        g->weights[i] = acc;
    }
    for (int i = 0; i < g->nleaves; i++)
        g->weights[i] /= acc;
}

static const cat_t *pick_category(struct gen *g)
{
    double u = urand(&g->rng);
    for (int i = 0; i < g->nleaves; i++)
        if (u <= g->weights[i])
            return g->leaves[i];
    return g->leaves[g->nleaves - 1];
}

static const char *source_for(struct gen *g, cat_kind_t k)
{
    double u = urand(&g->rng);
    switch (k) {
    case CAT_KIND_CITY_EVENT:
    case CAT_KIND_CITY_COMPONENT: return u < 0.7 ? "grid" : u < 0.8 ? "video" : u < 0.9 ? "citizen" : "hotline";
    case CAT_KIND_HOTLINE: return "hotline";
    case CAT_KIND_PETITION: return "petition";
    case CAT_KIND_HAZARD: return u < 0.5 ? "inspection" : "self_check";
    case CAT_KIND_DISPUTE: return u < 0.7 ? "grid" : "citizen";
    case CAT_KIND_ENV_COMPLAINT: return u < 0.6 ? "hotline" : u < 0.8 ? "citizen" : "petition";
    case CAT_KIND_RATING_RECTIFY: return "superior";
    default: return "grid";
    }
}

/* The handling unit and its handler's user name. */
static void handler_for(struct gen *g, const cat_t *cat, int street, arena_t *a,
                        const char **unit, const char **user)
{
    int d = -1;
    if (cat->default_unit_type == CAT_UNIT_DEPARTMENT) {
        for (int i = 0; i < NDEPTS && cat->default_department; i++)
            if (strcmp(depts[i].name, cat->default_department) == 0)
                d = i;
        if (d < 0)
            d = pick(&g->rng, NDEPTS);
    }
    if (d >= 0) {
        *unit = arena_printf(a, "440303-%s", depts[d].suffix);
        *user = depts[d].abbr;
    } else {
        *unit = arena_printf(a, "440303%03d", street + 1);
        *user = arena_printf(a, "%s_jd", demo_streets[street].abbr);
    }
}

/* How long handling takes: mostly within the handle limit, some late. */
static dt_ms_t handle_delay(struct gen *g, const sla_policy_t *p)
{
    double frac = urand(&g->rng) < 0.08 ? 1.05 + urand(&g->rng) : 0.1 + 0.8 * urand(&g->rng);
    for (int i = 0; i < p->nclocks; i++) {
        const sla_clock_def_t *c = &p->clock[i];
        if (!(c->stop & (1u << CASE_ACT_HANDLE)))
            continue;
        if (sla_day_based(c))
            return (dt_ms_t)(frac * (double)c->limit * 1.4 * DT_DAY_MS);
        if (c->basis == SLA_BASIS_WORKING_HOURS)
            return (dt_ms_t)(frac * (double)c->limit * 3.2);
        return (dt_ms_t)(frac * (double)c->limit);
    }
    return (dt_ms_t)(frac * 3 * DT_DAY_MS);
}

static dt_ms_t between(struct gen *g, dt_ms_t lo, dt_ms_t hi)
{
    return lo + (dt_ms_t)(urand(&g->rng) * (double)(hi - lo));
}

#define MIN(x) ((dt_ms_t)(x) * DT_MINUTE_MS)
#define HOUR(x) ((dt_ms_t)(x) * DT_HOUR_MS)
#define DAY(x) ((dt_ms_t)(x) * DT_DAY_MS)

struct hist {
    case_event_t ev[40];
    int n;
    dt_ms_t t;
};

static case_event_t *push(struct hist *h, case_action_t a, bh_role_t role, const char *actor,
                          const char *unit, dt_ms_t delay)
{
    case_event_t *e = &h->ev[h->n++];
    memset(e, 0, sizeof *e);
    h->t += delay;
    e->action = a;
    e->role = role;
    e->actor = actor;
    e->actor_unit = unit;
    e->at = h->t;
    return e;
}

/* One case's whole life; returns its number of events. */
static void lifecycle(struct gen *g, const cat_t *cat, const sla_policy_t *p, int street,
                      const char *reporter, bh_role_t reporter_role, struct hist *h, arena_t *a)
{
    const char *unit, *handler, *reporter_unit = arena_printf(a, "440303%03d", street + 1);
    const char *op = pick(&g->rng, 2) ? "zhzx01" : "zhzx02";
    double end_at = urand(&g->rng); /* < 0.02: the case stays open somewhere */
    int stop_step = end_at < 0.02 ? 1 + pick(&g->rng, 4) : 99;

    push(h, CASE_ACT_REPORT, reporter_role, reporter, reporter_role == ROLE_PUBLIC ? "440303" : reporter_unit, 0);
    if (urand(&g->rng) < 0.03) {
        push(h, CASE_ACT_REJECT, ROLE_OPERATOR, op, "440303", between(g, MIN(5), MIN(50)))->reason =
            "经核实不属于受理范围";
        return;
    }
    push(h, CASE_ACT_REGISTER, ROLE_OPERATOR, op, "440303", between(g, MIN(3), MIN(50)));
    if (stop_step == 1)
        return;
    handler_for(g, cat, street, a, &unit, &handler);
    push(h, CASE_ACT_DISPATCH, ROLE_OPERATOR, op, "440303", between(g, MIN(5), MIN(60)))->to_unit = unit;
    if (urand(&g->rng) < 0.04) {
        push(h, CASE_ACT_RETURN, ROLE_HANDLER, handler, unit, between(g, MIN(30), HOUR(4)))->reason =
            "经核实不属于本单位职责范围";
        handler_for(g, cat, street, a, &unit, &handler);
        push(h, CASE_ACT_DISPATCH, ROLE_OPERATOR, op, "440303", between(g, MIN(10), HOUR(2)))->to_unit = unit;
    }
    if (stop_step == 2)
        return;
    push(h, CASE_ACT_ACCEPT, ROLE_HANDLER, handler, unit, between(g, MIN(10), HOUR(3)));
    if (urand(&g->rng) < 0.03) {
        push(h, CASE_ACT_SUSPEND, ROLE_OPERATOR, op, "440303", between(g, HOUR(1), DAY(1)))->reason =
            "需等待产权单位确认";
        push(h, CASE_ACT_RESUME, ROLE_OPERATOR, op, "440303", between(g, DAY(1), DAY(5)));
    }
    if (urand(&g->rng) < 0.02) {
        case_event_t *e = push(h, CASE_ACT_EXTEND, ROLE_LEADER, "leader", "440303", between(g, HOUR(1), HOUR(8)));
        e->clock = "handle";
        e->amount = 1;
        e->reason = "需协调多个部门，申请延期";
        for (int i = 0; i < p->nclocks; i++)
            if (strcmp(p->clock[i].name, "handle") == 0 && p->clock[i].max_extension == 0)
                h->n--; /* this policy allows no extension */
    }
    if (stop_step == 3)
        return;
    for (int round = 0;; round++) {
        push(h, CASE_ACT_HANDLE, ROLE_HANDLER, handler, unit, handle_delay(g, p))->result =
            "已按要求处置完毕，现场已恢复";
        if (stop_step == 4)
            return;
        if (round < 2 && urand(&g->rng) < 0.06) {
            push(h, CASE_ACT_VERIFY_FAIL, ROLE_REPORTER, arena_printf(a, "wgy_%s", demo_streets[street].abbr),
                 reporter_unit, between(g, HOUR(2), HOUR(24)))->reason = "现场核查问题仍存在";
            push(h, CASE_ACT_ACCEPT, ROLE_HANDLER, handler, unit, between(g, MIN(10), HOUR(2)));
            continue;
        }
        break;
    }
    push(h, CASE_ACT_VERIFY_PASS, ROLE_REPORTER, arena_printf(a, "wgy_%s", demo_streets[street].abbr),
         reporter_unit, between(g, HOUR(1), HOUR(20)));
    if (urand(&g->rng) < 0.6) {
        double u = urand(&g->rng);
        push(h, CASE_ACT_RATE, ROLE_OPERATOR, op, "440303", between(g, HOUR(2), HOUR(48)))->rating =
            u < 0.55 ? 5 : u < 0.85 ? 4 : u < 0.95 ? 3 : u < 0.98 ? 2 : 1;
    }
}

static void describe(struct gen *g, const cat_t *cat, int street, int comm, int grid,
                     svc_case_new_t *in, arena_t *a)
{
    const char *cname = community_names[street * NCOMM + comm];
    const char *road = roads[pick(&g->rng, (int)(sizeof roads / sizeof roads[0]))];
    int no = 1 + pick(&g->rng, 300);

    in->category = cat->code;
    in->unit = arena_printf(a, "440303%03d%03d%02d", street + 1, comm + 1, grid + 1);
    in->address = arena_printf(a, "%s%s社区%s%d号", demo_streets[street].name, cname, road, no);
    in->title = arena_printf(a, "%s%d号附近%s", road, no, cat->name);
    in->description = arena_printf(a, "%s%s社区%s%d号附近发现%s问题，%s。", demo_streets[street].name, cname,
                                   road, no, cat->name,
                                   details[pick(&g->rng, (int)(sizeof details / sizeof details[0]))]);
    {
        double r[4];
        grid_rect(street, comm, grid, r);
        /* Strictly inside the grid, so that locating agrees with it. */
        in->has_location = true;
        in->lng = r[0] + (0.05 + 0.9 * urand(&g->rng)) * (r[2] - r[0]);
        in->lat = r[1] + (0.05 + 0.9 * urand(&g->rng)) * (r[3] - r[1]);
    }
    in->urgency = urand(&g->rng) < 0.1 ? "urgent" : "normal";
    if (strcmp(in->source, "hotline") == 0 || strcmp(in->source, "citizen") == 0 ||
        strcmp(in->source, "petition") == 0) {
        in->reporter_name = arena_printf(a, "%s%s", surnames[pick(&g->rng, 14)], given[pick(&g->rng, 16)]);
        in->reporter_phone = arena_printf(a, "13%09d", (int)(rnd(&g->rng) % 1000000000u));
    }
}

static bh_status_t batch_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct gen *g = ctx;
    long n = g->o->cases - g->done < BATCH ? g->o->cases - g->done : BATCH;
    dt_ms_t now = svc_now();

    for (long i = 0; i < n; i++) {
        arena_t *a = arena_new();
        const cat_t *cat = pick_category(g);
        svc_case_new_t in;
        struct hist h;
        int street = pick(&g->rng, NSTREETS), comm = pick(&g->rng, NCOMM), grid = pick(&g->rng, NGRID);
        const char *reporter;
        bh_role_t role;
        int64_t id;
        bh_status_t st;

        memset(&in, 0, sizeof in);
        in.source = source_for(g, cat->kind);
        describe(g, cat, street, comm, grid, &in, a);
        if (strcmp(in.source, "grid") == 0 || strcmp(in.source, "inspection") == 0) {
            reporter = arena_printf(a, "wgy_%s", demo_streets[street].abbr);
            role = ROLE_REPORTER;
        } else if (strcmp(in.source, "citizen") == 0) {
            reporter = "citizen";
            role = ROLE_PUBLIC;
        } else {
            reporter = pick(&g->rng, 2) ? "zhzx01" : "zhzx02";
            role = ROLE_OPERATOR;
        }
        h.n = 0;
        /* Reports arrive in time order over the period (as ids do in real
         * intake), in daytime (07:00-21:00 local). */
        h.t = dt_local_midnight(dt_local_day(
                  g->o->from + (dt_ms_t)((double)(g->done + i) / (double)g->o->cases *
                                         (double)(g->o->to - g->o->from)))) +
              between(g, HOUR(7), HOUR(21));
        if (h.t > now - 10 * 60000) /* the last day: reported before now */
            h.t = now - 10 * 60000 - between(g, 0, HOUR(3));
        lifecycle(g, cat, cat_policy(g->s->cats, cat, in.source, in.urgency), street, reporter, role, &h, a);
        /* a live demo: what has not happened yet has not happened (a prefix of
         * a history replays as cleanly as the whole) */
        while (h.n > 1 && h.ev[h.n - 1].at > now)
            h.n--;
        st = svc_case_import_tx(g->s, c, &in, reporter, h.ev, h.n, now, &id, err);
        arena_free(a);
        if (st)
            return st;
    }
    g->done += n;
    return BH_OK;
}

/* The cases are written as a bulk load (store/db.h): their roll-ups and
 * search index are built afterwards per range of ids, then checked. */
static bh_status_t bulk_begin_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    return c->db->ops->bulk_begin(c, ctx, err);
}

static bh_status_t bulk_fill_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    const int64_t *r = ctx;
    return c->db->ops->bulk_fill(c, r[0], r[1], err);
}

static bh_status_t bulk_end_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    return c->db->ops->bulk_end(c, ctx, err);
}

#define FILL_IDS 100000 /* cases per transaction of bulk_fill */

static bh_status_t bulk_finish(svc_t *s, const demo_opts_t *o, int64_t first, long n,
                               bh_err_t *err)
{
    db_bulk_check_t k;
    bh_status_t st;
    for (int64_t lo = first; lo < first + n; lo += FILL_IDS) {
        int64_t r[2] = {lo, lo + FILL_IDS};
        if ((st = db_write(s->db, bulk_fill_tx, r, err)))
            return st;
        if (o->progress)
            o->progress("index", (long)(r[1] < first + n ? r[1] - first : n), n, o->progress_ctx);
    }
    /* the store checks the index and the roll-ups against its cases */
    if ((st = db_write(s->db, bulk_end_tx, &k, err)))
        return st;
    if (k.cases != n)
        return bh_fail(err, BH_INTERNAL, "", "演示数据校验失败：生成案件 %ld 件，库中 %lld 件", n,
                       (long long)k.cases);
    return BH_OK;
}

static bh_status_t analyze_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    (void)ctx;
    (void)err;
    return c->db->ops->analyze(c);
}

void demo_year_month(const demo_opts_t *o, int *year, int *month)
{
    dt_day_t last = dt_local_day(o->to - 1), end = period_month(last).to;
    int d;
    if (last != end) /* the month is not over: the one before */
        last = period_month(last).from - 1;
    dt_ymd(last, year, month, &d);
}

bh_status_t demo_build(svc_t *s, const demo_opts_t *o, demo_login_t *logins, int *nlogins,
                       bh_err_t *err)
{
    struct gen g = {s, o, o->seed ? o->seed : 1, 0, NULL, 0, NULL};
    db_conn_t *c;
    int64_t existing, first;
    bh_status_t st;

    if ((st = svc_reader(s, &c, err)))
        return st;
    st = DB(c, auth, user_count, &existing);

    db_reader_done(s->db, c);
    if (st != BH_OK)
        return bh_fail(err, st, "db", "读取用户数失败");
    if (existing > 0)
        return bh_fail(err, BH_FAILED_PRECONDITION, "db",
                       "数据库中已有 %lld 个用户：演示数据只能写入新数据库", (long long)existing);
    {
        int y, m;
        demo_year_month(o, &y, &m);
        objects_at = dt_local_midnight(dt_day_from_ymd(y - 1, 1, 1));
        if (objects_at > o->from)
            objects_at = o->from;
    }
    if ((st = db_write(s->db, units_tx, NULL, err)) || (st = users(s, o, logins, nlogins, err)))
        return st;
    pick_leaves(&g);
    if ((st = db_write(s->db, bulk_begin_tx, &first, err)))
        return st;
    while (g.done < o->cases) {
        if ((st = db_write(s->db, batch_tx, &g, err)))
            break;
        if (o->progress)
            o->progress("cases", g.done, o->cases, o->progress_ctx);
    }
    free(g.leaves);
    free(g.weights);
    if (st == BH_OK)
        st = bulk_finish(s, o, first, g.done, err);
    if (st == BH_OK && !o->no_patrols)
        st = demo_patrols(s, o, logins, nlogins, err);
    if (st == BH_OK)
        st = demo_targets(s, o, err);
    if (st == BH_OK)
        st = demo_projects(s, o, err);
    if (st == BH_OK) {
        int left = svc_sweep(s, svc_now(), err); /* start the lights at now */
        if (left < 0)
            st = err->status;
    }
    if (st == BH_OK)
        st = db_write(s->db, analyze_tx, NULL, err);
    return st;
}
