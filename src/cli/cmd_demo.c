/*
 * cmd_demo.c - `bihuan demo`: build the demo district into a new database
 * and print the logins.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/app.h"
#include "cli/cli.h"
#include "svc/demo.h"

static const char usage[] =
    "用法: bihuan demo --db PATH [--cases N] [--period P | --from DATE --to DATE]\n"
    "                  [--no-patrols] [--seed S] [--password P] [--logins FILE]\n"
    "\n"
    "在新数据库中生成演示区：10个街道、100个社区、1000个网格、10个职能部门，\n"
    "各角色用户，以及期间内的案件（多数按期结案，部分超期、返工、退回、挂起、延期、\n"
    "已评价；期间截至今天时，近期的案件仍在办理，红黄绿灯和超期各有一些），以及\n"
    "同期的巡查闭环：按巡查计划的网格巡查（多数按期、部分逾期补巡或漏巡）、发现的\n"
    "隐患（多为一般隐患并已整改，少量重大隐患立案挂牌督办）和各街道一家企业的每月\n"
    "自查；还有目标考核：各街道和部门在期间最后一个完整月份所在年及上一年的指标\n"
    "目标与逐月完成值（该年1月1日上线，上一年的结案率等派生指标按原系统数据填报，\n"
    "使同比有基数），以及12个重点项目的年度计划投资、逐月完成投资、节点和进展记录。\n"
    "相同 --seed 和期间生成相同数据。\n"
    "\n"
    "  --cases N       案件数（默认 2000）\n"
    "  --period P      期间：2023H1（种子材料的上半年）、2023、2023Q2、2023-06\n"
    "  --from/--to     或起止日期 YYYY-MM-DD（均含当日）\n"
    "                  缺省：截至今天的半年（最近六个月）\n"
    "  --no-patrols    不生成巡查、隐患和企业自查（只有巡查计划）\n"
    "  --seed S        随机种子（默认 1）\n"
    "  --password P    所有演示用户使用此密码（默认每人随机，打印在输出中）\n"
    "  --logins FILE   另把登录信息写入此文件\n";

/* The half-year ending now: from the same day six months ago. */
static void live_period(dt_ms_t now, dt_ms_t *from, dt_ms_t *to)
{
    int y, m, d;
    dt_ymd(dt_local_day(now), &y, &m, &d);
    m -= 6;
    if (m < 1) {
        m += 12;
        y--;
    }
    while (d > 28 && !dt_ymd_valid(y, m, d))
        d--;
    *from = dt_local_midnight(dt_day_from_ymd(y, m, d));
    *to = now;
}

static void progress(const char *what, long done, long total, void *ctx)
{
    char tail[64];
    (void)ctx;
    snprintf(tail, sizeof tail, "%ld/%ld", done, total);
    cli_progress(strcmp(what, "cases") == 0      ? "生成演示案件"
                 : strcmp(what, "index") == 0    ? "建立统计汇总和检索索引"
                 : strcmp(what, "targets") == 0  ? "生成演示目标"
                 : strcmp(what, "projects") == 0 ? "生成重点项目"
                                                 : "生成演示巡查",
                 total ? (double)done / (double)total : 1, tail);
}

int cmd_demo(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"cases", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"password", required_argument, NULL, 'p'},
        {"logins", required_argument, NULL, 'l'},
        {"no-patrols", no_argument, NULL, 'P'},
        {"period", required_argument, NULL, 'e'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *logins_file = NULL, *period = NULL, *from = NULL, *to = NULL;
    demo_opts_t o = {0};
    demo_login_t logins[DEMO_MAX_LOGINS];
    int nlogins = 0, c, rc = CLI_EXIT_OK;
    long v;
    svc_t svc;
    bh_err_t err;

    o.cases = 2000;
    o.seed = 1;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'n':
            if (!cli_parse_int(optarg, 0, 100000000, &v))
                return cli_usage_error("demo", usage, "--cases 应为 0 到 100000000 之间的整数");
            o.cases = v;
            break;
        case 's':
            if (!cli_parse_int(optarg, 0, 0x7fffffffffffffffL, &v))
                return cli_usage_error("demo", usage, "--seed 应为非负整数");
            o.seed = (uint64_t)v + 1;
            break;
        case 'p':
            if (strlen(optarg) < 8)
                return cli_usage_error("demo", usage, "--password 至少8个字符");
            o.password = optarg;
            break;
        case 'l': logins_file = optarg; break;
        case 'P': o.no_patrols = true; break;
        case 'e': period = optarg; break;
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("demo", usage, "无法识别的选项或缺少参数值：%s", argv[optind - 1]);
        }
    }
    if (!db)
        return cli_usage_error("demo", usage, "需要 --db");
    if (optind < argc)
        return cli_usage_error("demo", usage, "多余的参数“%s”", argv[optind]);
    if (period && (from || to))
        return cli_usage_error("demo", usage, "--period 与 --from/--to 只能选一种");
    if (period || from || to) {
        period_t p;
        if (period && !period_parse(period, &p))
            return cli_usage_error("demo", usage, "期间“%s”无效（如 2023H1、2023、2023Q2、2023-06）", period);
        if (!period && (!from || !to || !dt_parse_date(from, &p.from) || !dt_parse_date(to, &p.to)))
            return cli_usage_error("demo", usage, "--from 和 --to 应同时给出，写作 YYYY-MM-DD");
        if (p.to < p.from)
            return cli_usage_error("demo", usage, "截止日期不能早于起始日期");
        o.from = dt_local_midnight(p.from);
        o.to = dt_local_midnight(p.to + 1);
        if (o.to > svc_now())
            o.to = svc_now(); /* nothing happens after now */
        if (o.from >= o.to)
            return cli_usage_error("demo", usage, "期间尚未开始");
    } else {
        live_period(svc_now(), &o.from, &o.to);
    }
    o.progress = progress;
    if (app_open(db, 1, &svc))
        return CLI_EXIT_NO;
    if (demo_build(&svc, &o, logins, &nlogins, &err) != BH_OK) {
        fprintf(stderr, "\nbihuan demo: %s\n", err.message);
        rc = CLI_EXIT_NO;
    } else {
        FILE *f = logins_file ? fopen(logins_file, "w") : NULL;
        if (logins_file && !f)
            perror(logins_file);
        printf("演示数据已写入 %s：%ld 件案件。登录账号：\n", db, o.cases);
        printf("用户名\t密码\t角色\t单位\n");
        for (int i = 0; i < nlogins; i++) {
            printf("%s\t%s\t%s\t%s %s\n", logins[i].username, logins[i].password, logins[i].role,
                   logins[i].unit, logins[i].unit_name);
            if (f)
                fprintf(f, "%s\t%s\t%s\t%s %s\n", logins[i].username, logins[i].password,
                        logins[i].role, logins[i].unit, logins[i].unit_name);
        }
        if (f)
            fclose(f);
    }
    app_close(&svc);
    return rc;
}
