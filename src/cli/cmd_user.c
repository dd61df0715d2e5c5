/*
 * cmd_user.c - `bihuan init` (a new database with its first unit and
 * admin) and `bihuan user add|list`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/app.h"
#include "cli/cli.h"

static const char init_usage[] =
    "用法: bihuan init --db PATH [--unit-code 440303] [--unit-name 示范区] [--admin admin]\n"
    "\n"
    "创建（或迁移）数据库，建立区县单位和管理员账号。管理员密码取自环境变量\n"
    "BIHUAN_ADMIN_PASSWORD，未设置时在终端提示输入；没有密码时拒绝创建。\n";

static const char user_usage[] =
    "用法:\n"
    "  bihuan user add --db PATH --username U --role ROLE --unit CODE [--name 姓名] [--phone 电话]\n"
    "  bihuan user add --db PATH --username U --role enterprise --object ID\n"
    "      密码取自环境变量 BIHUAN_PASSWORD，未设置时在终端提示输入（至少8个字符）。\n"
    "      ROLE: admin leader operator handler reporter public enterprise\n"
    "      企业账号（enterprise）绑定其企业（管理对象 ID），单位取该企业所在网格，用于企业自查。\n"
    "  bihuan user list --db PATH\n"
    "      每行一个用户：用户名<TAB>角色<TAB>单位编码<TAB>单位名称\n";

int cmd_init(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"unit-code", required_argument, NULL, 'c'},
        {"unit-name", required_argument, NULL, 'n'},
        {"admin", required_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *code = "440303", *name = "示范区", *admin = "admin";
    svc_t svc;
    char *pw;
    bh_err_t err;
    int c, rc = CLI_EXIT_OK;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'c': code = optarg; break;
        case 'n': name = optarg; break;
        case 'a': admin = optarg; break;
        case 'h': fputs(init_usage, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("init", init_usage, "无法识别的选项或缺少参数值：%s", argv[optind - 1]);
        }
    }
    if (!db)
        return cli_usage_error("init", init_usage, "需要 --db");
    if (strlen(code) != 6 || strspn(code, "0123456789") != 6)
        return cli_usage_error("init", init_usage, "--unit-code 应为6位区县代码（GB/T 2260），实际为“%s”", code);
    if (!(pw = app_password("BIHUAN_ADMIN_PASSWORD", "管理员密码: ")))
        return CLI_EXIT_NO;
    if (app_open(db, 1, &svc)) {
        free(pw);
        return CLI_EXIT_NO;
    }
    /* The district through the same use case as the API (checked, audited);
     * one that exists already is kept (init again on the same database). */
    if ((svc_unit_create(&svc, "cli", code, name, "district", NULL, &err) != BH_OK &&
         err.status != BH_CONFLICT) ||
        svc_user_put(&svc, "cli", admin, pw, "admin", code, "系统管理员", NULL, 0, &err) != BH_OK) {
        fprintf(stderr, "bihuan init: %s\n", err.message);
        rc = CLI_EXIT_NO;
    } else {
        printf("已初始化 %s：单位 %s %s，管理员 %s\n", db, code, name, admin);
    }
    free(pw);
    app_close(&svc);
    return rc;
}

static int user_list(const char *db)
{
    svc_t svc;
    arena_t *a;
    bh_err_t err;
    db_user_t *u;
    int n;

    if (app_open(db, 1, &svc))
        return CLI_EXIT_NO;
    a = arena_new();
    if (svc_user_list(&svc, a, &u, &n, &err) != BH_OK) {
        fprintf(stderr, "bihuan user: %s\n", err.message);
        n = -1;
    }
    for (int i = 0; i < n; i++) {
        db_unit_t unit;
        bool found = svc_unit_get(&svc, u[i].unit, a, &unit, NULL, NULL, NULL, &err) == BH_OK;
        printf("%s\t%s\t%s\t%s\n", u[i].username, u[i].role, u[i].unit, found ? unit.name : "");
    }
    arena_free(a);
    app_close(&svc);
    return n < 0 ? CLI_EXIT_NO : CLI_EXIT_OK;
}

int cmd_user(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"username", required_argument, NULL, 'u'},
        {"role", required_argument, NULL, 'r'},
        {"unit", required_argument, NULL, 'n'},
        {"name", required_argument, NULL, 'N'},
        {"phone", required_argument, NULL, 'p'},
        {"object", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *sub = argc > 1 ? argv[1] : NULL;
    const char *db = NULL, *username = NULL, *role = NULL, *unit = NULL, *name = NULL, *phone = NULL;
    svc_t svc;
    char *pw, *end;
    long long object = 0;
    bh_err_t err;
    int c, rc = CLI_EXIT_OK;

    if (!sub)
        return cli_usage_error("user", user_usage, "缺少子命令");
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        fputs(user_usage, stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "add") && strcmp(sub, "list"))
        return cli_usage_error("user", user_usage, "未知子命令“%s”", sub);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'u': username = optarg; break;
        case 'r': role = optarg; break;
        case 'n': unit = optarg; break;
        case 'N': name = optarg; break;
        case 'p': phone = optarg; break;
        case 'o':
            object = strtoll(optarg, &end, 10);
            if (*end || object <= 0)
                return cli_usage_error("user", user_usage, "--object 应为管理对象的 ID");
            break;
        case 'h': fputs(user_usage, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("user", user_usage, "无法识别的选项或缺少参数值：%s", argv[optind]);
        }
    }
    if (optind < argc - 1)
        return cli_usage_error("user", user_usage, "多余的参数“%s”", argv[1 + optind]);
    if (!db)
        return cli_usage_error("user", user_usage, "需要 --db");
    if (strcmp(sub, "list") == 0)
        return user_list(db);
    if (!username || !role || (!unit && !object))
        return cli_usage_error("user", user_usage, "user add 需要 --username、--role 和 --unit（企业账号为 --object）");
    if (role_from_name(role) < 0)
        return cli_usage_error("user", user_usage, "未知角色“%s”", role);
    if (!(pw = app_password("BIHUAN_PASSWORD", "密码: ")))
        return CLI_EXIT_NO;
    if (app_open(db, 1, &svc)) {
        free(pw);
        return CLI_EXIT_NO;
    }
    if (svc_user_put(&svc, "cli", username, pw, role, unit ? unit : "", name, phone, object, &err) !=
        BH_OK) {
        fprintf(stderr, "bihuan user add: %s\n", err.message);
        rc = CLI_EXIT_NO;
    } else if (object) {
        printf("已添加企业账号 %s（管理对象 %lld）\n", username, object);
    } else {
        printf("已添加用户 %s（%s，单位 %s）\n", username, role, unit);
    }
    free(pw);
    app_close(&svc);
    return rc;
}
