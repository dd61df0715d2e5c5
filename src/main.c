/*
 * main.c - the bihuan command: find the subcommand and hand over.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "util/xmalloc.h"

static const char usage[] =
    "用法: bihuan <命令> [选项]\n"
    "\n"
    "bihuan（闭环）——区县、街镇闭环管理平台。\n"
    "\n"
    "命令:\n"
    "  serve        启动 HTTP API 与时限巡检\n"
    "  init         新建数据库、区县单位和管理员\n"
    "  user         用户管理（add、list）\n"
    "  demo         生成演示区数据\n"
    "  apikey       机器客户端的 API 密钥（add、list、revoke）\n"
    "  audit        审计日志（verify：校验散列链）\n"
    "  stats        统计汇总（rebuild：由案件重算并核对）\n"
    "  import       导入台账（单位、网格边界、管理对象、用户、案件；CSV、xlsx、GeoJSON）\n"
    "  export       导出台账\n"
    "  backup       备份数据库和附件（服务运行时也可备份）\n"
    "  notify       通知（config-export、config-import：通道与规则；list：发送记录；retry：重发）\n"
    "  patrol       巡查（due：期间内应巡/已巡/漏巡；config-export、config-import：巡查计划与检查表）\n"
    "  report       报告（summary：工作总结；bulletin：通报；md、docx、pdf、xlsx）\n"
    "  target       目标考核（board：指标看板；flags：评定月度流动红旗、黄旗）\n"
    "  project      重点项目（list：年度计划投资完成、节点和最新进展）\n"
    "  calendar     工作日日历与时限计算（add、is-workday、count、show）\n"
    "  categories   案件类别与时限策略（check、list）\n"
    "  help         显示本帮助\n"
    "  version      显示版本\n"
    "\n"
    "每个命令都有 --help，例如: bihuan calendar --help\n";

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    /* jansson allocates through the one wrapper: out of memory aborts
     * with our message instead of a NULL that a caller might miss. */
    json_set_alloc_funcs(xmalloc, free);

    if (!cmd || strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "-h") == 0) {
        fputs(usage, cmd ? stdout : stderr);
        return cmd ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        puts("bihuan 0.1.0");
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "init") == 0)
        return cmd_init(argc - 1, argv + 1);
    if (strcmp(cmd, "backup") == 0)
        return cmd_backup(argc - 1, argv + 1);
    if (strcmp(cmd, "notify") == 0)
        return cmd_notify(argc - 1, argv + 1);
    if (strcmp(cmd, "patrol") == 0)
        return cmd_patrol(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if (strcmp(cmd, "target") == 0)
        return cmd_target(argc - 1, argv + 1);
    if (strcmp(cmd, "project") == 0)
        return cmd_project(argc - 1, argv + 1);
    if (strcmp(cmd, "user") == 0)
        return cmd_user(argc - 1, argv + 1);
    if (strcmp(cmd, "audit") == 0)
        return cmd_audit(argc - 1, argv + 1);
    if (strcmp(cmd, "stats") == 0)
        return cmd_stats(argc - 1, argv + 1);
    if (strcmp(cmd, "import") == 0)
        return cmd_import(argc - 1, argv + 1);
    if (strcmp(cmd, "export") == 0)
        return cmd_export(argc - 1, argv + 1);
    if (strcmp(cmd, "apikey") == 0)
        return cmd_apikey(argc - 1, argv + 1);
    if (strcmp(cmd, "demo") == 0)
        return cmd_demo(argc - 1, argv + 1);
    if (strcmp(cmd, "calendar") == 0)
        return cmd_calendar(argc - 1, argv + 1);
    if (strcmp(cmd, "categories") == 0)
        return cmd_categories(argc - 1, argv + 1);
    fprintf(stderr, "bihuan: 未知命令“%s”\n\n%s", cmd, usage);
    return CLI_EXIT_USAGE;
}
