/*
 * cmd_audit.c - `bihuan audit verify`: check the audit log's hash chain.
 */
#include <stdio.h>
#include <string.h>

#include "cli/app.h"
#include "cli/cli.h"

static const char usage[] =
    "用法: bihuan audit verify --db PATH\n"
    "\n"
    "逐条重算审计日志的散列链。链完整时输出条数并以0退出；否则指出第一条有问题的\n"
    "记录及原因（被修改、被删除、顺序被调换）并以1退出。\n";

int cmd_audit(int argc, char **argv)
{
    static const char *const subs[] = {"verify", NULL};
    const char *db;
    svc_t svc;
    svc_audit_result_t res;
    bh_status_t st;
    int c;

    if ((c = cli_subcommand_db(argc, argv, "audit", usage, subs, &db)) >= 0)
        return c;
    if (app_open(db, 1, &svc))
        return CLI_EXIT_NO;
    st = svc_audit_verify(&svc, &res);
    app_close(&svc);
    if (st == BH_OK) {
        printf("ok: 审计日志 %lld 条，散列链完整\n", (long long)res.rows);
        return CLI_EXIT_OK;
    }
    if (st != BH_FAILED_PRECONDITION) { /* not a verdict: the log could not be read */
        fprintf(stderr, "bihuan audit: %s\n", res.why);
        return CLI_EXIT_NO;
    }
    printf("审计日志损坏：第 %lld 条：%s\n", (long long)res.bad_seq, res.why);
    return CLI_EXIT_NO;
}
