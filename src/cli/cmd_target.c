/*
 * cmd_target.c - the target loop on the command line: `bihuan target`
 * (the board of a unit's children, awarding a month's flags, the
 * indicators and rules out of and into the store) and
 * `bihuan project` (the key projects with their figures).  Both read the
 * same use cases as the API, as the administrator.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/app.h"
#include "cli/cli.h"
#include "core/target.h"

static const char target_usage[] =
    "用法:\n"
    "  bihuan target board --db PATH --unit CODE [--period P]\n"
    "      "
    "下级单位每项指标的目标、完成、完成率、序时进度、进度差、同比、排名和亮牌（年初至期末）。\n"
    "      P: 2023、2023H1、2023Q2、2023-06 或 2023-06-15（须在同一年内；默认本半年）\n"
    "      "
    "每行：单位<TAB>单位名称<TAB>指标<TAB>目标<TAB>完成<TAB>完成率<TAB>序时进度<TAB>进度差<TAB>"
    "同比<TAB>排名<TAB>亮牌\n"
    "      （比率以百分数输出；无数据处为 -）\n"
    "  bihuan target flags --db PATH --unit CODE --month 2023-07\n"
    "      按月末看板评定该月流动红旗和黄旗（每月一次，月份须已结束）。\n"
    "      每行：单位<TAB>旗<TAB>名次<TAB>得分\n"
    "  bihuan target config-export --db PATH [-o FILE]\n"
    "      输出在用的考核配置（指标、评分规则、亮牌规则、红黄旗数；JSON）。\n"
    "  bihuan target config-import --db PATH FILE\n"
    "      校验并替换考核配置；运行中的服务在下一次时限巡检时（默认 1 秒内）启用。\n"
    "      已填报的目标值和完成值保留；被删除指标的数据在指标恢复后重新计入。\n";

static const char project_usage[] =
    "用法:\n"
    "  bihuan project list --db PATH --unit CODE [--period P]\n"
    "      单位（含下级）的重点项目及其年度计划投资完成情况（截至期末）。\n"
    "      P 同 target board（默认本半年）。\n"
    "      每行：编号<TAB>名称<TAB>责任单位<TAB>年度计划(万元)<TAB>完成投资(万元)<TAB>计划完成率\n"
    "            <TAB>亮灯<TAB>应完成节点<TAB>按期<TAB>逾期<TAB>最新进展日期<TAB>最新进展\n"
    "      最后在标准错误输出汇总。\n";

static const svc_user_t cli_admin = {0, "cli", ROLE_ADMIN, "", true, 0};

/* A figure for a TSV cell: a rate as a percentage with one decimal, an
 * amount with up to two; "-" without a value. */
static const char *cell(tgt_value_t v, bool rate, char *buf, size_t size)
{
    if (v.state != TGT_OK)
        return "-";
    if (rate)
        snprintf(buf, size, "%.1f%%", v.value * 100);
    else
        snprintf(buf, size, "%.2f", v.value);
    return buf;
}

static tgt_value_t ok(double v)
{
    return (tgt_value_t){TGT_OK, v};
}

/* --period, or the current half-year; false: said why. */
static bool period_of(const char *cmd, const char *arg, period_t *p)
{
    dt_day_t today = dt_local_day(svc_now());
    int y, m, d;
    if (arg) {
        if (period_parse(arg, p))
            return true;
        fprintf(stderr, "bihuan %s: 期间“%s”无效（如 2023、2023H1、2023Q2、2023-06）\n", cmd, arg);
        return false;
    }
    dt_ymd(today, &y, &m, &d);
    *p = m <= 6 ? (period_t){dt_day_from_ymd(y, 1, 1), dt_day_from_ymd(y, 6, 30)}
                : (period_t){dt_day_from_ymd(y, 7, 1), dt_day_from_ymd(y, 12, 31)};
    return true;
}

static int board(svc_t *svc, const char *unit, period_t p)
{
    arena_t *a = arena_new();
    svc_board_t b;
    bh_err_t err;
    int cards = 0;
    char t[32];
    if (svc_target_board(svc, &cli_admin, unit, p, a, &b, &err) != BH_OK) {
        fprintf(stderr, "bihuan target board: %s\n", err.message);
        arena_free(a);
        return CLI_EXIT_NO;
    }
    for (int i = 0; i < b.nrows; i++) {
        const svc_board_row_t *w = &b.rows[i];
        const indicator_t *d = w->ind;
        char tg[32], v[32], c[32], tp[32], gap[64], yoy[64];
        bool pts = d->rate; /* a rate's 进度差 and 同比 are in points */
        if (w->r.gap.state == TGT_OK && ind_is_level(d))
            tgt_level_gap_text(w->r.gap.value, gap, sizeof gap);
        else if (w->r.gap.state == TGT_OK)
            tgt_gap_text(w->r.gap.value, gap, sizeof gap);
        else
            strcpy(gap, "-");
        tgt_change_text("同比", pts, w->actual.state == TGT_OK, w->actual.value,
                        w->base.state == TGT_OK, w->base.value, yoy, sizeof yoy);
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t", w->unit->code, w->unit->name, d->name,
               cell(ok(w->target), d->rate, tg, sizeof tg), cell(w->actual, d->rate, v, sizeof v),
               cell(w->r.completion, true, c, sizeof c),
               cell(ok(w->r.time_progress), true, tp, sizeof tp), gap, yoy);
        if (w->r.rank > 0)
            printf("%d", w->r.rank);
        else
            fputc('-', stdout);
        printf("\t%s\n", w->r.card ? w->r.card : "-");
        cards += w->r.card != NULL;
    }
    fprintf(stderr, "截至 %s：%d 个单位、%d 项考核指标，亮牌 %d 项\n",
            dt_format_date(b.as_of, t, sizeof t), b.nunits, b.nrows, cards);
    arena_free(a);
    return CLI_EXIT_OK;
}

static int flags(svc_t *svc, const char *unit, const char *month)
{
    arena_t *a;
    db_flag_t *f;
    bh_err_t err;
    int n, y, m;
    char tail;
    if (strlen(month) != 7 || sscanf(month, "%4d-%2d%c", &y, &m, &tail) != 2 || m < 1 || m > 12) {
        fprintf(stderr, "bihuan target flags: 月份“%s”无效，应为 2023-07 形式\n", month);
        return CLI_EXIT_USAGE;
    }
    a = arena_new();
    if (svc_flags_award(svc, &cli_admin, unit, y, m, a, &f, &n, &err) != BH_OK) {
        fprintf(stderr, "bihuan target flags: %s\n", err.message);
        arena_free(a);
        return CLI_EXIT_NO;
    }
    for (int i = 0; i < n; i++)
        printf("%s\t%s\t%d\t%.1f\n", f[i].unit, strcmp(f[i].flag, "red") == 0 ? "流动红旗" : "黄旗",
               f[i].rank, f[i].score);
    fprintf(stderr, "已评定 %s 的红黄旗 %d 面\n", month, n);
    arena_free(a);
    return CLI_EXIT_OK;
}

static int projects(svc_t *svc, const char *unit, period_t p)
{
    arena_t *a = arena_new();
    svc_project_view_t *v;
    prj_summary_t s;
    bh_err_t err;
    int n;
    char b1[32], b2[32], b3[32];
    if (svc_project_list(svc, &cli_admin, unit, p, a, &v, &n, &s, &err) != BH_OK) {
        fprintf(stderr, "bihuan project list: %s\n", err.message);
        arena_free(a);
        return CLI_EXIT_NO;
    }
    for (int i = 0; i < n; i++) {
        const svc_project_view_t *x = &v[i];
        char day[16] = "-";
        if (x->latest)
            dt_format_date(x->latest->day, day, sizeof day);
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", x->p.code, x->p.name,
               x->unit_name,
               cell(x->has_plan ? ok(x->planned) : (tgt_value_t){0}, false, b1, sizeof b1),
               cell(ok(x->completed), false, b2, sizeof b2),
               cell(x->plan_completion, true, b3, sizeof b3), x->light, x->item.milestones_due,
               x->item.milestones_on_time, x->item.milestones_overdue, day,
               x->latest ? x->latest->text : "-");
    }
    fprintf(stderr,
            "重点项目 %d 个，已开工 %d 个、竣工 %d 个；年度计划投资 %.2f 万元，完成 %.2f 万元，"
            "占年度计划 %s；应完成节点 %d 个，按期 %d 个，逾期 %d 个\n",
            s.projects, s.started, s.finished, s.planned, s.completed,
            cell(s.plan_completion, true, b1, sizeof b1), s.milestones_due, s.milestones_on_time,
            s.milestones_overdue);
    arena_free(a);
    return CLI_EXIT_OK;
}

/* The shared option parsing of `target` and `project`. */
static int run(int argc, char **argv, const char *cmd, const char *usage, const char *const *subs)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"unit", required_argument, NULL, 'u'},
        {"period", required_argument, NULL, 'p'},
        {"month", required_argument, NULL, 'm'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *sub = argc > 1 ? argv[1] : NULL;
    const char *db = NULL, *unit = NULL, *period = NULL, *month = NULL, *out = NULL;
    bool config = strncmp(sub ? sub : "", "config-", 7) == 0;
    period_t p;
    svc_t svc;
    int c, rc;
    if ((rc = cli_subcommand(argc, argv, cmd, usage, subs)) >= 0)
        return rc;
    while ((c = getopt_long(argc - 1, argv + 1, "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'u': unit = optarg; break;
        case 'p': period = optarg; break;
        case 'm': month = optarg; break;
        case 'o': out = optarg; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error(cmd, usage, "无法识别的选项或缺少参数值：%s", argv[optind]);
        }
    }
    if (!db)
        return cli_usage_error(cmd, usage, "需要 --db");
    if (!unit && !config)
        return cli_usage_error(cmd, usage, "%s %s 需要 --unit", cmd, sub);
    if (strcmp(sub, "config-import") == 0 && optind + 1 >= argc)
        return cli_usage_error(cmd, usage, "%s config-import 需要配置文件", cmd);
    if (strcmp(sub, "flags") == 0 && !month)
        return cli_usage_error(cmd, usage, "target flags 需要 --month");
    if (strcmp(sub, "flags") && !config && !period_of(cmd, period, &p))
        return CLI_EXIT_USAGE;
    if (app_open(db, 1, &svc))
        return CLI_EXIT_NO;
    if (strcmp(sub, "config-export") == 0)
        rc = cli_doc_export(&svc, svc.targets, "target config-export", out);
    else if (strcmp(sub, "config-import") == 0)
        rc = cli_doc_import(&svc, svc.targets, "target config-import", argv[optind + 1]);
    else if (strcmp(sub, "board") == 0)
        rc = board(&svc, unit, p);
    else if (strcmp(sub, "flags") == 0)
        rc = flags(&svc, unit, month);
    else
        rc = projects(&svc, unit, p);
    app_close(&svc);
    return rc;
}

int cmd_target(int argc, char **argv)
{
    static const char *const subs[] = {"board", "flags", "config-export", "config-import", NULL};
    return run(argc, argv, "target", target_usage, subs);
}

int cmd_project(int argc, char **argv)
{
    static const char *const subs[] = {"list", NULL};
    return run(argc, argv, "project", project_usage, subs);
}
