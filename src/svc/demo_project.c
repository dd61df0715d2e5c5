/*
 * demo_project.c - the demo district's twelve key projects (重点项目): the
 * owner departments, total and 2023 planned investment, the completed
 * investment of January to June 2023 (some ahead of the time-elapsed
 * progress, some behind), milestones done on time, late or not yet (two
 * overdue at the half-year), a monthly 月调度 entry for each month and a
 * 周检点 in the last week of June.  Everything goes through the service,
 * as the command centre and the departments would enter it.  The table is
 * the seed's 2023; a demo of another year (demo_year_month) moves every
 * date and code by whole years, and the months run to its last complete
 * month.
 */
#include "svc/demo_int.h"

#include <stdio.h>
#include <string.h>

#define TABLE_YEAR 2023 /* the year the table below is written for */

static int demo_year = 2023, demo_last_month = 6; /* set by demo_projects */

/* "2023-04-30" moved by the demo's years, in 'buf' (NULL stays NULL). */
static const char *shifted(const char *date, char buf[16])
{
    int y, m, d;
    if (!date || sscanf(date, "%d-%d-%d", &y, &m, &d) != 3)
        return date;
    snprintf(buf, 16, "%04d-%02d-%02d", (y + demo_year - TABLE_YEAR) % 10000, m % 100, d % 100);
    return buf;
}

static const svc_user_t admin = {0, "admin", ROLE_ADMIN, "440303", false, 0};

static const struct {
    const char *code, *name, *dept, *category;
    double total, plan, pace; /* pace: the share of the plan done by the last month (June) */
    const char *start, *end, *started_on, *finished_on;
    struct {
        const char *name, *planned, *actual;
    } ms[4];
} projects[] = {
    {"ZD2023-01", "笋岗西路改造提升工程", "JT", "交通基础设施", 38000, 12000, 0.52,
     "2022-03-01", "2024-12-31", "2022-04-10", NULL,
     {{"完成施工图设计", "2022-06-30", "2022-06-20"}, {"主线路基完工", "2023-04-30", "2023-04-26"},
      {"路面铺装完成", "2023-09-30", NULL}, {"竣工验收", "2024-12-31", NULL}}},
    {"ZD2023-02", "布心路市政道路工程", "JT", "交通基础设施", 21000, 8000, 0.31,
     "2022-09-01", "2024-06-30", "2022-10-15", NULL,
     {{"征地拆迁完成", "2023-03-31", "2023-05-20"}, {"管线迁改完成", "2023-06-15", NULL},
      {"路基完工", "2023-12-31", NULL}}},
    {"ZD2023-03", "深南东路人行天桥", "JT", "交通基础设施", 3600, 3600, 0.61,
     "2023-01-01", "2023-10-31", "2023-01-16", NULL,
     {{"桩基完成", "2023-03-15", "2023-03-10"}, {"钢箱梁吊装", "2023-06-30", "2023-06-28"},
      {"竣工通行", "2023-10-31", NULL}}},
    {"ZD2023-04", "沿河北路排水管网改造", "SW", "水务治理", 9800, 6000, 0.46,
     "2022-11-01", "2023-12-31", "2022-11-20", NULL,
     {{"一期管网完工", "2023-04-30", "2023-05-10"}, {"二期管网完工", "2023-09-30", NULL},
      {"竣工验收", "2023-12-31", NULL}}},
    {"ZD2023-05", "布吉河水环境综合整治", "SW", "水务治理", 52000, 15000, 0.38,
     "2021-06-01", "2025-06-30", "2021-07-01", NULL,
     {{"清淤工程完成", "2023-02-28", "2023-02-25"}, {"截污箱涵贯通", "2023-05-31", NULL},
      {"生态补水工程", "2024-06-30", NULL}}},
    {"ZD2023-06", "东湖片区污水管网补短板", "SW", "水务治理", 6400, 4000, 0.55,
     "2023-02-01", "2023-12-31", "2023-02-20", NULL,
     {{"开工", "2023-02-28", "2023-02-20"}, {"主管铺设过半", "2023-06-30", "2023-06-21"}}},
    {"ZD2023-07", "翠竹保障性住房项目", "ZJ", "民生保障", 46000, 18000, 0.47,
     "2022-05-01", "2025-03-31", "2022-06-01", NULL,
     {{"基坑支护完成", "2022-12-31", "2022-12-28"}, {"主体结构出正负零", "2023-05-31", "2023-05-30"},
      {"主体封顶", "2024-03-31", NULL}}},
    {"ZD2023-08", "东门老街城市更新", "ZJ", "城市更新", 120000, 20000, 0.24,
     "2023-01-01", "2026-12-31", "2023-03-01", NULL,
     {{"专项规划批复", "2023-02-28", "2023-03-20"}, {"首期拆除完成", "2023-06-30", NULL},
      {"首期开工", "2023-10-31", NULL}}},
    {"ZD2023-09", "黄贝岭片区综合整治", "ZJ", "城市更新", 15000, 7000, 0.44,
     "2022-08-01", "2024-08-31", "2022-09-01", NULL,
     {{"立面整治一期", "2023-03-31", "2023-03-28"}, {"立面整治二期", "2023-08-31", NULL}}},
    {"ZD2023-10", "环卫车辆停保场", "CG", "市政设施", 5200, 5200, 0.63,
     "2022-10-01", "2023-06-30", "2022-10-08", "2023-06-26",
     {{"主体完工", "2023-03-31", "2023-03-30"}, {"竣工验收", "2023-06-30", "2023-06-26"}}},
    {"ZD2023-11", "街心公园提升工程", "CG", "市政设施", 2800, 2800, 0.0,
     "2023-09-01", "2024-03-31", NULL, NULL,
     {{"方案批复", "2023-07-31", NULL}, {"开工", "2023-09-01", NULL}}},
    {"ZD2023-12", "政务服务中心智慧化改造", "ZWFW", "信息化", 3000, 1800, 0.50,
     "2023-01-01", "2023-12-31", "2023-02-01", NULL,
     {{"需求调研完成", "2023-02-28", "2023-02-27"}, {"一期系统上线", "2023-06-30", "2023-06-30"},
      {"二期系统上线", "2023-11-30", NULL}}},
};
#define NPROJECTS (int)(sizeof projects / sizeof projects[0])

static bh_status_t monthly(svc_t *s, int64_t id, int pi, bh_err_t *err)
{
    const svc_user_t *u = &admin;
    double plan = projects[pi].plan, pace = projects[pi].pace, done = 0;
    bh_status_t st = BH_OK;
    char period[16], text[256], date[16];
    for (int m = 1; !st && m <= demo_last_month; m++) {
        db_prj_amount_t x;
        db_prj_log_t l;
        /* uneven months (0.8..1.2 of an even share) adding up to 'pace' */
        double w = 0.8 + 0.1 * ((m * 7 + pi * 3) % 5), month = plan * pace * w / demo_last_month;
        if (m == demo_last_month)
            month = plan * pace - done;
        done += month;
        if (pace <= 0)
            break;
        snprintf(period, sizeof period, "%04d-%02d", demo_year, m % 100);
        if ((st = svc_project_amount(s, u, id, period, month, NULL, &x, err)))
            break;
        snprintf(date, sizeof date, "%04d-%02d-28", demo_year, m % 100);
        snprintf(text, sizeof text, "%d月完成投资%.0f万元，累计完成年度计划的%.1f%%。", m, month,
                 100 * done / plan);
        st = svc_project_log(s, u, id,
                             &(svc_prj_log_new_t){"monthly", date, text,
                                                  pace < 0.35 ? "征拆和管线迁改进度滞后，需协调推进"
                                                              : NULL,
                                                  true, done / plan * 0.9},
                             &l, err);
    }
    if (!st && pace > 0) {
        db_prj_log_t l;
        char last_week[16];
        snprintf(last_week, sizeof last_week, "%04d-%02d-26", demo_year % 10000, demo_last_month % 100);
        st = svc_project_log(s, u, id,
                             &(svc_prj_log_new_t){"weekly", last_week,
                                                  "周检点：现场施工正常推进，安全文明施工检查无问题。",
                                                  NULL, false, 0},
                             &l, err);
    }
    return st;
}

bh_status_t demo_projects(svc_t *s, const demo_opts_t *o, bh_err_t *err)
{
    bh_status_t st = BH_OK;
    demo_year_month(o, &demo_year, &demo_last_month);
    for (int i = 0; !st && i < NPROJECTS; i++) {
        svc_milestone_new_t ms[4];
        char planned[4][16], actual[4][16], dates[4][16], code[32];
        int nms = 0;
        char unit[32];
        db_project_t p;
        snprintf(unit, sizeof unit, "440303-%s", projects[i].dept);
        while (nms < 4 && projects[i].ms[nms].name) {
            ms[nms] = (svc_milestone_new_t){projects[i].ms[nms].name,
                                            shifted(projects[i].ms[nms].planned, planned[nms])};
            nms++;
        }
        /* ZD2023-01 → ZD2026-01 in a demo of 2026 */
        snprintf(code, sizeof code, "ZD%04d%s", demo_year % 10000, projects[i].code + 6);
        svc_project_new_t in = {code, projects[i].name, unit, projects[i].category,
                                NULL, true, projects[i].total, shifted(projects[i].start, dates[0]),
                                shifted(projects[i].end, dates[1]),
                                shifted(projects[i].started_on, dates[2]),
                                shifted(projects[i].finished_on, dates[3]), demo_year, true,
                                projects[i].plan, ms, nms};
        if ((st = svc_project_create(s, &admin, &in, &p, err)))
            break;
        /* the milestones done, in their order (ids follow the list's) */
        {
            svc_project_view_t v;
            arena_t *a = arena_new();
            period_t year = {dt_day_from_ymd(demo_year, 1, 1), dt_day_from_ymd(demo_year, 12, 31)};
            st = svc_project_get(s, &admin, p.id, year, a, &v, err);
            for (int k = 0; !st && k < v.nms; k++)
                for (int j = 0; j < nms; j++)
                    if (projects[i].ms[j].actual &&
                        strcmp(projects[i].ms[j].name, v.ms[k].m.name) == 0)
                        st = svc_milestone_done(s, &admin, p.id, v.ms[k].m.id,
                                                shifted(projects[i].ms[j].actual, actual[j]), err);
            arena_free(a);
        }
        if (!st)
            st = monthly(s, p.id, i, err);
        if (o->progress)
            o->progress("projects", i + 1, NPROJECTS, o->progress_ctx);
    }
    return st;
}
