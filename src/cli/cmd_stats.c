/*
 * cmd_stats.c - `bihuan stats rebuild`: recompute the statistics roll-ups
 * from the cases and say whether the kept ones were exact.
 */
#include <stdio.h>
#include <string.h>

#include "cli/app.h"
#include "cli/cli.h"

static const char usage[] =
    "用法: bihuan stats rebuild --db PATH\n"
    "\n"
    "由案件重新计算统计汇总（按单位、类别、来源和日期累计的上报、立案、结案、按期、\n"
    "超期等计数；GET /api/v1/stats/cases 与报告读取它们），与库中保存的汇总逐行比较，\n"
    "不一致时以重算结果替换。汇总一致时输出行数并以0退出；发现并修正了差异时\n"
    "输出差异行数并以1退出（说明此前的统计有误，应查明原因）。\n";

int cmd_stats(int argc, char **argv)
{
    static const char *const subs[] = {"rebuild", NULL};
    const char *db;
    svc_t svc;
    int64_t rows, differed;
    bh_err_t err;
    bh_status_t st;
    int c;

    if ((c = cli_subcommand_db(argc, argv, "stats", usage, subs, &db)) >= 0)
        return c;
    if (app_open(db, 1, &svc))
        return CLI_EXIT_NO;
    fprintf(stderr, "正在由案件重算统计汇总…\n");
    st = svc_stats_rebuild(&svc, &rows, &differed, &err);
    app_close(&svc);
    if (st != BH_OK) {
        fprintf(stderr, "bihuan stats: %s\n", err.message);
        return CLI_EXIT_NO;
    }
    if (!differed) {
        printf("ok: 统计汇总 %lld 行，与由案件重算的结果一致\n", (long long)rows);
        return CLI_EXIT_OK;
    }
    printf("统计汇总有 %lld 行与重算结果不一致，已按案件重算修正（现 %lld 行）\n",
           (long long)differed, (long long)rows);
    return CLI_EXIT_NO;
}
