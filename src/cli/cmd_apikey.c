/*
 * cmd_apikey.c - `bihuan apikey add|list|revoke`: keys for machine clients
 * (Open311 apps, hotline integrations).  A key is printed once; only its
 * SHA-256 is stored.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/app.h"
#include "cli/cli.h"

static const char usage[] =
    "用法:\n"
    "  bihuan apikey add --db PATH --name NAME --role ROLE --unit CODE\n"
    "      新建密钥并打印一次（之后无法再查看）。ROLE: leader operator handler reporter public\n"
    "  bihuan apikey list --db PATH\n"
    "      每行：名称<TAB>角色<TAB>单位<TAB>创建时间<TAB>最近使用<TAB>状态\n"
    "  bihuan apikey revoke --db PATH --name NAME\n";

int cmd_apikey(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'}, {"name", required_argument, NULL, 'n'},
        {"role", required_argument, NULL, 'r'}, {"unit", required_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *sub = argc > 1 ? argv[1] : NULL, *db = NULL, *name = NULL, *role = NULL, *unit = NULL;
    svc_t svc;
    arena_t *a;
    bh_err_t err;
    int c, rc = CLI_EXIT_OK;

    if (!sub)
        return cli_usage_error("apikey", usage, "缺少子命令");
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        fputs(usage, stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "revoke"))
        return cli_usage_error("apikey", usage, "未知子命令“%s”", sub);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'n': name = optarg; break;
        case 'r': role = optarg; break;
        case 'u': unit = optarg; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("apikey", usage, "无法识别的选项或缺少参数值：%s", argv[optind]);
        }
    }
    if (!db)
        return cli_usage_error("apikey", usage, "需要 --db");
    if (strcmp(sub, "add") == 0 && (!name || !role || !unit))
        return cli_usage_error("apikey", usage, "apikey add 需要 --name、--role 和 --unit");
    if (strcmp(sub, "revoke") == 0 && !name)
        return cli_usage_error("apikey", usage, "apikey revoke 需要 --name");
    if (app_open(db, 1, &svc))
        return CLI_EXIT_NO;
    a = arena_new();
    if (strcmp(sub, "add") == 0) {
        const char *key;
        if (svc_apikey_add(&svc, "cli", name, role, unit, a, &key, &err) != BH_OK) {
            fprintf(stderr, "bihuan apikey add: %s\n", err.message);
            rc = err.status == BH_INVALID_ARGUMENT && strcmp(err.field, "unit") ? CLI_EXIT_USAGE : CLI_EXIT_NO;
        } else {
            printf("%s\n", key);
            fprintf(stderr, "已创建 API 密钥“%s”（%s，单位 %s）。请妥善保存，密钥不会再次显示。\n", name, role, unit);
        }
    } else if (strcmp(sub, "revoke") == 0) {
        if (svc_apikey_revoke(&svc, "cli", name, &err) != BH_OK) {
            fprintf(stderr, "bihuan apikey revoke: %s\n", err.message);
            rc = CLI_EXIT_NO;
        } else {
            printf("已吊销 API 密钥“%s”\n", name);
        }
    } else {
        db_apikey_t *k;
        int n;
        char t1[40], t2[40];
        if (svc_apikey_list(&svc, a, &k, &n, &err) != BH_OK) {
            fprintf(stderr, "bihuan apikey: %s\n", err.message);
            arena_free(a);
            app_close(&svc);
            return CLI_EXIT_NO;
        }
        for (int i = 0; i < n; i++)
            printf("%s\t%s\t%s\t%s\t%s\t%s\n", k[i].name, k[i].role, k[i].unit,
                   dt_format_instant(k[i].created_at, t1, sizeof t1),
                   k[i].last_used_at ? dt_format_instant(k[i].last_used_at, t2, sizeof t2) : "-",
                   k[i].revoked_at ? "revoked" : "active");
    }
    arena_free(a);
    app_close(&svc);
    return rc;
}
