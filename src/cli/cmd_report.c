/*
 * cmd_report.c - `bihuan report summary|bulletin`: a unit's work summary
 * (工作总结) or bulletin (通报) for a period, from the live data, as .md,
 * .docx, .pdf or .xlsx (DESIGN.md §9).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/app.h"
#include "cli/cli.h"
#include "report/doc.h"
#include "util/file.h"

static const char report_usage[] =
    "用法:\n"
    "  bihuan report summary  --db PATH --unit CODE (--period P | --from DATE --to DATE)\n"
    "                         [--format md|docx|pdf|xlsx] [-o FILE] [--template FILE]\n"
    "      单位（区、街道、部门）在期间内的工作总结：案件、巡查、目标、重点项目的数字写入正文，\n"
    "      附排名表与图表；“存在的问题”由数据得出，“下半年工作计划”留待填写。\n"
    "  bihuan report bulletin --db PATH --unit CODE (--period P | --from DATE --to DATE) ...\n"
    "      通报：总体情况、各下级单位排名、流动红旗/黄旗、超期及督办事项。\n"
    "  bihuan report run-due  --db PATH\n"
    "      生成已到时间的定时通报（运行中的服务每秒自动检查；不运行服务时可由 cron 调用）。\n"
    "  P: 2023、2023H1、2023Q2、2023-06、2023-06-15；DATE: 2023-01-01（均含当日）\n"
    "  --format 缺省时按 -o 的扩展名；无 -o 时输出 Markdown 到标准输出。\n"
    "  --template 使用编辑过的模板（JSON，见 docs/REPORTS.md），缺省为内置模板。\n"
    "  例: bihuan report summary --db var/bihuan.db --unit 440303 --period 2023H1 -o 上半年工作总结.docx\n";

static const svc_user_t cli_admin = {0, "cli", ROLE_ADMIN, "", true, 0};

/* Write all of b to path through a temporary file renamed into place, so
 * an interrupted run never leaves half a document under the name. */
static int write_file(const char *path, const dynbuf_t *b)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    int fd = -1, ok = 0;
    if (!tmp)
        return -1;
    snprintf(tmp, n, "%s.tmp%d", path, (int)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        size_t off = 0;
        ok = 1;
        while (ok && off < b->len) {
            ssize_t w = write(fd, b->buf + off, b->len - off);
            if (w < 0 && errno == EINTR)
                continue;
            ok = w > 0;
            off += w > 0 ? (size_t)w : 0;
        }
        ok = ok && fsync(fd) == 0;
        ok = close(fd) == 0 && ok;
        ok = ok && rename(tmp, path) == 0;
        if (!ok)
            unlink(tmp);
    }
    free(tmp);
    return ok ? 0 : -1;
}

static int build(svc_t *svc, svc_report_req_t *req, int format, const char *out)
{
    arena_t *a = arena_new();
    rpt_doc_t doc;
    dynbuf_t b;
    bh_err_t err;
    int rc = CLI_EXIT_OK;
    bh_err_clear(&err);
    dynbuf_init(&b, (size_t)256 << 20);
    if (svc_report_build(svc, &cli_admin, req, a, &doc, &err) != BH_OK ||
        rpt_write(&doc, (rpt_format_t)format, &b, &err) != BH_OK) {
        fprintf(stderr, "bihuan report: %s\n", err.message);
        rc = CLI_EXIT_NO;
    } else if (!out) {
        fwrite(b.buf, 1, b.len, stdout);
    } else if (write_file(out, &b) != 0) {
        fprintf(stderr, "bihuan report: 无法写入 %s：%s\n", out, strerror(errno));
        rc = CLI_EXIT_NO;
    } else {
        fprintf(stderr, "已生成《%s》：%s（%zu 字节）\n", doc.title, out, b.len);
    }
    dynbuf_free(&b);
    arena_free(a);
    return rc;
}

static int run_due(const char *db)
{
    svc_t svc;
    bh_err_t err;
    if (app_open(db, 1, &svc))
        return CLI_EXIT_NO;
    int n = svc_reports_run_due(&svc, svc_now(), &err);
    app_close(&svc);
    if (n < 0) {
        fprintf(stderr, "bihuan report: %s\n", err.message);
        return CLI_EXIT_NO;
    }
    fprintf(stderr, "已生成 %d 份定时通报\n", n);
    return CLI_EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},       {"unit", required_argument, NULL, 'u'},
        {"period", required_argument, NULL, 'p'},   {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},       {"format", required_argument, NULL, 'F'},
        {"output", required_argument, NULL, 'o'},   {"template", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    static const char *const subs[] = {"summary", "bulletin", "run-due", NULL};
    const char *db = NULL, *unit = NULL, *period = NULL, *from = NULL, *to = NULL;
    const char *format = NULL, *out = NULL, *tpl = NULL;
    svc_report_req_t req = {0};
    char *tpl_text = NULL;
    size_t tpl_len = 0;
    svc_t svc;
    int c, rc, fmt;

    if ((rc = cli_subcommand(argc, argv, "report", report_usage, subs)) >= 0)
        return rc;
    req.kind = argv[1];
    while ((c = getopt_long(argc - 1, argv + 1, "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'u': unit = optarg; break;
        case 'p': period = optarg; break;
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'F': format = optarg; break;
        case 'o': out = optarg; break;
        case 'T': tpl = optarg; break;
        case 'h': fputs(report_usage, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("report", report_usage, "无法识别的选项或缺少参数值：%s", argv[optind]);
        }
    }
    if (optind + 1 < argc)
        return cli_usage_error("report", report_usage, "多余的参数：%s", argv[optind + 1]);
    if (strcmp(req.kind, "run-due") == 0)
        return db ? run_due(db) : cli_usage_error("report", report_usage, "需要 --db");
    if (!db || !unit)
        return cli_usage_error("report", report_usage, "需要 --db 和 --unit");
    if (period && (from || to))
        return cli_usage_error("report", report_usage, "--period 与 --from/--to 只能选一种");
    if (period) {
        period_t p;
        if (!period_parse(period, &p))
            return cli_usage_error("report", report_usage, "期间“%s”无效（如 2023、2023H1、2023Q2、2023-06）", period);
        req.from = p.from, req.to = p.to;
    } else if (!from || !to) {
        return cli_usage_error("report", report_usage, "需要 --period，或 --from 与 --to");
    } else if (!dt_parse_date(from, &req.from) || !dt_parse_date(to, &req.to)) {
        return cli_usage_error("report", report_usage, "日期应写作 YYYY-MM-DD");
    }
    if (!format && out) {
        const char *dot = strrchr(out, '.');
        format = dot ? dot + 1 : NULL;
        if (rpt_format_from_name(format) < 0)
            return cli_usage_error("report", report_usage, "无法从文件名 %s 判断格式，请用 --format", out);
    }
    fmt = format ? rpt_format_from_name(format) : RPT_MD;
    if (fmt < 0)
        return cli_usage_error("report", report_usage, "格式应为 md、docx、pdf 或 xlsx：%s", format);
    if (fmt != RPT_MD && !out)
        return cli_usage_error("report", report_usage, "%s 格式需要 -o 文件名", format);
    if (tpl) {
        bh_err_t err;
        if (file_read_all(tpl, (size_t)1 << 20, &tpl_text, &tpl_len, &err) != BH_OK) {
            fprintf(stderr, "bihuan report: %s\n", err.message);
            return CLI_EXIT_NO;
        }
        req.template_json = tpl_text;
        req.template_len = tpl_len;
    }
    req.unit = unit;
    if (app_open(db, 1, &svc)) {
        free(tpl_text);
        return CLI_EXIT_NO;
    }
    rc = build(&svc, &req, fmt, out);
    app_close(&svc);
    free(tpl_text);
    return rc;
}
