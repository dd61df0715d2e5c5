/*
 * cmd_notify.c - `bihuan notify`: the notifications document out of and
 * into the store (config-export, config-import), the outbox (list) and a
 * dead notice sent again (retry).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/app.h"
#include "cli/cli.h"

static const char notify_usage[] =
    "用法:\n"
    "  bihuan notify config-export --db PATH [-o FILE]\n"
    "      输出在用的通知配置（通道、规则、重试、发信服务器；JSON，含密钥）。\n"
    "  bihuan notify config-import --db PATH FILE\n"
    "      校验并替换通知配置；运行中的服务在下一次时限巡检时（默认 1 秒内）启用。\n"
    "  bihuan notify list --db PATH [--status pending|sent|dead] [--limit N]\n"
    "      发送记录，新的在前。每行：编号<TAB>时间<TAB>事件<TAB>通道<TAB>状态<TAB>次数<TAB>标题<TAB>最近错误\n"
    "  bihuan notify retry --db PATH ID\n"
    "      重发一条已放弃（dead）的通知：运行中的服务在 2 秒内发送。\n"
    "格式见 docs/NOTIFICATIONS.md。\n";

static const svc_user_t cli_admin = {0, "cli", ROLE_ADMIN, "", true, 0};

static int list(svc_t *svc, const char *status, int limit)
{
    arena_t *a = arena_new();
    db_notice_t *rows;
    int64_t counts[3];
    bh_err_t err;
    int n;
    if (svc_notices_list(svc, &cli_admin, status, 0, limit, a, &rows, &n, counts, &err) != BH_OK) {
        fprintf(stderr, "bihuan notify list: %s\n", err.message);
        arena_free(a);
        return CLI_EXIT_NO;
    }
    for (int i = 0; i < n; i++) {
        char t[40];
        printf("%lld\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", (long long)rows[i].id,
               dt_format_instant(rows[i].created_at, t, sizeof t), rows[i].event, rows[i].channel,
               rows[i].status, rows[i].attempts, rows[i].subject,
               rows[i].last_error ? rows[i].last_error : "");
    }
    fprintf(stderr, "待发送 %lld 条，已发送 %lld 条，已放弃 %lld 条\n", (long long)counts[0],
            (long long)counts[1], (long long)counts[2]);
    arena_free(a);
    return CLI_EXIT_OK;
}

static int retry(svc_t *svc, const char *arg)
{
    arena_t *a = arena_new();
    db_notice_t n;
    bh_err_t err;
    char *end;
    long long id = strtoll(arg, &end, 10);
    int rc = CLI_EXIT_OK;
    if (*end || id <= 0) {
        fprintf(stderr, "bihuan notify retry: 通知编号“%s”无效\n", arg);
        rc = CLI_EXIT_USAGE;
    } else if (svc_notice_retry(svc, &cli_admin, id, a, &n, &err) != BH_OK) {
        fprintf(stderr, "bihuan notify retry: %s\n", err.message);
        rc = CLI_EXIT_NO;
    } else {
        printf("通知 %lld（%s → %s）已重新排队发送\n", id, n.event, n.channel);
    }
    arena_free(a);
    return rc;
}

int cmd_notify(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},    {"output", required_argument, NULL, 'o'},
        {"status", required_argument, NULL, 's'}, {"limit", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    static const char *const subs[] = {"config-export", "config-import", "list", "retry", NULL};
    const char *sub = argc > 1 ? argv[1] : NULL;
    const char *db = NULL, *out = NULL, *status = NULL;
    int limit = 50;
    svc_t svc;
    int c, rc;

    if ((rc = cli_subcommand(argc, argv, "notify", notify_usage, subs)) >= 0)
        return rc;
    while ((c = getopt_long(argc - 1, argv + 1, "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'o': out = optarg; break;
        case 's': status = optarg; break;
        case 'n': limit = atoi(optarg); break;
        case 'h': fputs(notify_usage, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("notify", notify_usage, "无法识别的选项或缺少参数值：%s", argv[optind]);
        }
    }
    if (!db)
        return cli_usage_error("notify", notify_usage, "需要 --db");
    if (status && strcmp(status, "pending") && strcmp(status, "sent") && strcmp(status, "dead"))
        return cli_usage_error("notify", notify_usage, "--status 应为 pending、sent 或 dead");
    if (limit < 1 || limit > 10000)
        return cli_usage_error("notify", notify_usage, "--limit 应为 1 到 10000");
    if ((strcmp(sub, "config-import") == 0 || strcmp(sub, "retry") == 0) && optind + 1 >= argc)
        return cli_usage_error("notify", notify_usage, "notify %s 需要%s", sub,
                               strcmp(sub, "retry") == 0 ? "通知编号" : "配置文件");
    if (app_open(db, 1, &svc))
        return CLI_EXIT_NO;
    if (strcmp(sub, "config-export") == 0)
        rc = cli_doc_export(&svc, svc.notify, "notify config-export", out);
    else if (strcmp(sub, "config-import") == 0)
        rc = cli_doc_import(&svc, svc.notify, "notify config-import", argv[optind + 1]);
    else if (strcmp(sub, "list") == 0)
        rc = list(&svc, status, limit);
    else
        rc = retry(&svc, argv[optind + 1]);
    app_close(&svc);
    return rc;
}
