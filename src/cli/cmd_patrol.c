/*
 * cmd_patrol.c - `bihuan patrol`: what is due in a period (due), and the
 * patrol configuration (plans and checklists) out of and into the store
 * (config-export, config-import).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/app.h"
#include "cli/cli.h"

static const char patrol_usage[] =
    "用法:\n"
    "  bihuan patrol due --db PATH --unit CODE --period P\n"
    "      单位（含下级）每个管理对象在期间内的应巡、已巡、补巡、漏巡次数。\n"
    "      P: 2023、2023H1、2023Q2、2023-06 或 2023-06-15\n"
    "      每行：对象ID<TAB>名称<TAB>种类<TAB>风险<TAB>应巡<TAB>已巡<TAB>补巡<TAB>漏巡<TAB>待巡<TAB>状态\n"
    "  bihuan patrol config-export --db PATH [-o FILE]\n"
    "      输出在用的巡查配置（巡查计划、检查表、隐患整改期限；JSON）。\n"
    "  bihuan patrol config-import --db PATH FILE\n"
    "      校验并替换巡查配置；运行中的服务在下一次时限巡检时（默认 1 秒内）启用。\n";

static const svc_user_t cli_admin = {0, "cli", ROLE_ADMIN, "", true, 0};

static int due(svc_t *svc, const char *unit, const char *period)
{
    period_t p;
    svc_due_row_t *rows;
    patrol_tally_t total = {0};
    arena_t *a;
    bh_err_t err;
    int n;
    if (!period_parse(period, &p)) {
        fprintf(stderr, "bihuan patrol due: 期间“%s”无效（如 2023、2023H1、2023Q2、2023-06）\n", period);
        return CLI_EXIT_USAGE;
    }
    a = arena_new();
    if (svc_patrol_due(svc, &cli_admin, unit, p, svc_now(), a, &rows, &n, &err) != BH_OK) {
        fprintf(stderr, "bihuan patrol due: %s\n", err.message);
        arena_free(a);
        return CLI_EXIT_NO;
    }
    for (int i = 0; i < n; i++) {
        const svc_due_row_t *r = &rows[i];
        printf("%lld\t%s\t%s\t%s\t%lld\t%lld\t%lld\t%lld\t%lld\t%s\n", (long long)r->o.id, r->o.name,
               r->o.kind, r->risk ? r->risk : "-", (long long)r->t.due, (long long)r->t.done,
               (long long)r->t.late, (long long)r->t.missed, (long long)r->t.pending, r->status);
        total.due += r->t.due, total.done += r->t.done, total.late += r->t.late;
        total.missed += r->t.missed, total.pending += r->t.pending;
    }
    fprintf(stderr, "合计 %d 个对象：应巡 %lld 次，已巡 %lld 次（其中补巡 %lld），漏巡 %lld，待巡 %lld\n", n,
            (long long)total.due, (long long)total.done, (long long)total.late,
            (long long)total.missed, (long long)total.pending);
    arena_free(a);
    return CLI_EXIT_OK;
}

int cmd_patrol(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},     {"unit", required_argument, NULL, 'u'},
        {"period", required_argument, NULL, 'p'}, {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    static const char *const subs[] = {"due", "config-export", "config-import", NULL};
    const char *sub = argc > 1 ? argv[1] : NULL;
    const char *db = NULL, *unit = NULL, *period = NULL, *out = NULL;
    svc_t svc;
    int c, rc;

    if ((rc = cli_subcommand(argc, argv, "patrol", patrol_usage, subs)) >= 0)
        return rc;
    while ((c = getopt_long(argc - 1, argv + 1, "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'u': unit = optarg; break;
        case 'p': period = optarg; break;
        case 'o': out = optarg; break;
        case 'h': fputs(patrol_usage, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("patrol", patrol_usage, "无法识别的选项或缺少参数值：%s", argv[optind]);
        }
    }
    if (!db)
        return cli_usage_error("patrol", patrol_usage, "需要 --db");
    if (strcmp(sub, "due") == 0 && (!unit || !period))
        return cli_usage_error("patrol", patrol_usage, "patrol due 需要 --unit 和 --period");
    if (strcmp(sub, "config-import") == 0 && optind + 1 >= argc)
        return cli_usage_error("patrol", patrol_usage, "patrol config-import 需要配置文件");
    if (app_open(db, 1, &svc))
        return CLI_EXIT_NO;
    if (strcmp(sub, "due") == 0) {
        rc = due(&svc, unit, period);
    } else if (strcmp(sub, "config-export") == 0) {
        rc = cli_doc_export(&svc, svc.patrol, "patrol config-export", out);
    } else {
        rc = cli_doc_import(&svc, svc.patrol, "patrol config-import", argv[optind + 1]);
    }
    app_close(&svc);
    return rc;
}
