/*
 * cmd_ledger.c - `bihuan import` and `bihuan export`: ledgers (台账) of
 * units, grid geometries, managed objects, users and cases; export of the
 * patrol check-in ledger.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/app.h"
#include "cli/cli.h"
#include "svc/ledger.h"
#include "util/file.h"

static const char import_usage[] =
    "用法: bihuan import KIND FILE --db PATH [选项]\n"
    "\n"
    "导入台账。KIND: units（单位） geometries（网格边界，GeoJSON） objects（管理对象）\n"
    "              users（用户） cases（案件） targets（目标值） actuals（指标完成值）\n"
    "格式由扩展名决定（.csv .xlsx .geojson/.json），也可用 --format 指定。\n"
    "表头可用中文列名或英文键名，见 docs/LEDGERS.md。\n"
    "默认先检查每一行：只要有一行出错就什么都不写入，并列出每个错误行（工作表、行号、\n"
    "列、原因）；检查通过后分批写入（每批一个事务，导入期间其他写入照常进行）。\n"
    "导入中断（如进程被终止）后，用同一用户重新导入同一文件，会从已写入的行之后接着导入。\n"
    "\n"
    "  --db PATH          数据库\n"
    "  --format F         csv | xlsx | geojson\n"
    "  --sheet NAME       xlsx：读取此工作表（默认第一个）\n"
    "  --encoding E       csv：utf-8（默认）或 gb18030（Excel中文版“CSV”）\n"
    "  --skip-bad         跳过错误行，导入其余各行\n"
    "  --dry-run          只检查，不写入\n"
    "  --chunk N          每批（一个事务）最多写入的行数（默认 10000；每批占用写入约 0.1 秒以内）\n"
    "  --user NAME        以此用户的角色和管辖范围导入（默认：命令行管理员）\n"
    "  --quiet            不显示进度条\n"
    "\n"
    "退出码：0 全部导入；1 有错误行或文件无法读取；2 用法错误。\n";

static const char export_usage[] =
    "用法: bihuan export KIND FILE --db PATH [--format csv|xlsx|geojson] [--user NAME]\n"
    "\n"
    "导出台账（KIND 同 import，另有 patrols：巡查记录，只能导出）。导出的文件可直接\n"
    "修改后再导入。\n"
    "--user 时按该用户的管辖范围导出，并按其角色遮盖个人信息。\n";

static int guess_format(const char *path, const char *given, const char *buf, size_t len)
{
    const char *dot = strrchr(path, '.');
    if (given)
        return ledger_format_from_name(given);
    if (dot && (strcmp(dot, ".geojson") == 0 || strcmp(dot, ".json") == 0))
        return LEDGER_FMT_GEOJSON;
    if (dot && ledger_format_from_name(dot + 1) >= 0)
        return ledger_format_from_name(dot + 1);
    return buf ? (int)tab_sniff(buf, len) : -1;
}

/* The user the command acts as: a named one, or an administrator. */
static int acting_user(svc_t *svc, const char *name, arena_t *a, svc_user_t *u)
{
    db_conn_t *c;
    db_user_t row;
    bh_status_t st;
    u->id = 0;
    u->username = "cli";
    u->role = ROLE_ADMIN;
    u->unrestricted = false;
    u->unit = "";
    if (!name)
        return 0;
    (void)c;
    st = svc_user_get(svc, name, a, &row, NULL);
    if (st != BH_OK || !row.active) {
        fprintf(stderr, "用户“%s”不存在或已停用\n", name);
        return -1;
    }
    u->id = row.id;
    u->username = row.username;
    u->role = (bh_role_t)role_from_name(row.role);
    u->unit = row.unit;
    return 0;
}

static void on_progress(const char *phase, double fraction, long rows, void *ctx)
{
    char label[32], tail[48];
    (void)ctx;
    snprintf(label, sizeof label, "%s中", phase);
    snprintf(tail, sizeof tail, "%ld 行", rows);
    cli_progress(label, fraction, tail);
}

struct args {
    const char *db, *format, *sheet, *encoding, *user;
    long chunk;
    bool skip_bad, dry_run, quiet;
    const char *kind, *file;
};

static int parse(int argc, char **argv, const char *cmd, const char *usage, struct args *g)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},       {"format", required_argument, NULL, 'f'},
        {"sheet", required_argument, NULL, 's'},    {"encoding", required_argument, NULL, 'e'},
        {"user", required_argument, NULL, 'u'},     {"skip-bad", no_argument, NULL, 'k'},
        {"dry-run", no_argument, NULL, 'n'},        {"quiet", no_argument, NULL, 'q'},
        {"chunk", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    int c;
    memset(g, 0, sizeof *g);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': g->db = optarg; break;
        case 'f': g->format = optarg; break;
        case 's': g->sheet = optarg; break;
        case 'e': g->encoding = optarg; break;
        case 'u': g->user = optarg; break;
        case 'k': g->skip_bad = true; break;
        case 'n': g->dry_run = true; break;
        case 'q': g->quiet = true; break;
        case 'c': {
            char *end;
            g->chunk = strtol(optarg, &end, 10);
            if (*end || end == optarg || g->chunk < 1 || g->chunk > 1000000)
                return cli_usage_error(cmd, usage, "--chunk 须为 1 到 1000000 的整数：%s", optarg);
            break;
        }
        case 'h': fputs(usage, stdout); return -1;
        default: return cli_usage_error(cmd, usage, "无法识别的选项或缺少参数值：%s", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return cli_usage_error(cmd, usage, "需要 KIND 和 FILE 两个参数");
    g->kind = argv[optind];
    g->file = argv[optind + 1];
    if (ledger_kind_from_name(g->kind) < 0)
        return cli_usage_error(cmd, usage, "未知的台账种类“%s”（units geometries objects users cases patrols targets actuals）",
                               g->kind);
    if (!g->db)
        return cli_usage_error(cmd, usage, "需要 --db");
    if (g->format && ledger_format_from_name(g->format) < 0)
        return cli_usage_error(cmd, usage, "未知格式“%s”（csv xlsx geojson）", g->format);
    return 0;
}

int cmd_import(int argc, char **argv)
{
    struct args g;
    svc_t svc;
    svc_user_t u;
    ledger_opts_t o;
    ledger_result_t res;
    bh_err_t err;
    char *buf;
    size_t len;
    arena_t *a;
    int rc, kind;
    bh_status_t st;

    if ((rc = parse(argc, argv, "import", import_usage, &g)))
        return rc < 0 ? CLI_EXIT_OK : rc;
    kind = ledger_kind_from_name(g.kind);
    if (file_read_all(g.file, (size_t)2 << 30, &buf, &len, &err) != BH_OK) {
        fprintf(stderr, "bihuan import: %s\n", err.message);
        return CLI_EXIT_NO;
    }
    memset(&o, 0, sizeof o);
    o.format = guess_format(g.file, g.format, buf, len);
    o.tab.sheet = g.sheet;
    o.tab.encoding = g.encoding;
    o.skip_bad = g.skip_bad;
    o.dry_run = g.dry_run;
    o.chunk_rows = g.chunk;
    if (!g.quiet && isatty(2))
        o.progress = on_progress;
    if (app_open(g.db, 2, &svc)) {
        free(buf);
        return CLI_EXIT_NO;
    }
    a = arena_new();
    if (acting_user(&svc, g.user, a, &u)) {
        rc = CLI_EXIT_NO;
        goto out;
    }
    st = svc_ledger_import(&svc, &u, (ledger_kind_t)kind, buf, len, &o, &res, &err);
    for (int i = 0; i < res.nbads && i < 50; i++) {
        const ledger_bad_t *b = &res.bads[i];
        fprintf(stderr, "%s%s%s第%ld行", *b->sheet ? "工作表“" : "", b->sheet, *b->sheet ? "”" : "",
                b->row);
        if (*b->col)
            fprintf(stderr, " %s列%s%s%s", b->col, *b->column ? "（" : "", b->column,
                    *b->column ? "）" : "");
        fprintf(stderr, "：%s\n", b->reason);
    }
    if (res.bad > 50)
        fprintf(stderr, "……另有 %ld 行错误未列出\n", res.bad - 50);
    if (res.resumed)
        fprintf(stderr, "续传：此文件的前 %ld 行已在上次未完成的导入中处理，这次从第 %ld 个数据行接着导入\n",
                res.resumed, res.resumed + 1);
    if (st != BH_OK) {
        fprintf(stderr, "bihuan import: %s\n", err.message);
        rc = CLI_EXIT_NO;
    } else {
        printf("%s台账：读取 %ld 行，新建 %ld，更新 %ld，未变 %ld，错误 %ld%s\n",
               ledger_kind_label((ledger_kind_t)kind), res.rows, res.created, res.updated,
               res.unchanged, res.bad,
               g.dry_run ? "（试导入，未写入）" : res.bad ? "（错误行已跳过）" : "");
        rc = res.bad ? CLI_EXIT_NO : CLI_EXIT_OK;
    }
    ledger_result_free(&res);
out:
    arena_free(a);
    app_close(&svc);
    free(buf);
    return rc;
}

int cmd_export(int argc, char **argv)
{
    struct args g;
    svc_t svc;
    svc_user_t u;
    bh_err_t err;
    arena_t *a;
    long rows;
    int rc, kind, format;

    if ((rc = parse(argc, argv, "export", export_usage, &g)))
        return rc < 0 ? CLI_EXIT_OK : rc;
    kind = ledger_kind_from_name(g.kind);
    format = guess_format(g.file, g.format, NULL, 0);
    if (format < 0)
        format = kind == LEDGER_GEOMETRIES ? LEDGER_FMT_GEOJSON : LEDGER_FMT_XLSX;
    if (app_open(g.db, 1, &svc))
        return CLI_EXIT_NO;
    a = arena_new();
    if (acting_user(&svc, g.user, a, &u)) {
        rc = CLI_EXIT_NO;
    } else if (svc_ledger_export(&svc, &u, (ledger_kind_t)kind, format, g.file, &rows, &err)) {
        fprintf(stderr, "bihuan export: %s\n", err.message);
        rc = CLI_EXIT_NO;
    } else {
        printf("已导出%s台账 %ld 行到 %s\n", ledger_kind_label((ledger_kind_t)kind), rows, g.file);
        rc = CLI_EXIT_OK;
    }
    arena_free(a);
    app_close(&svc);
    return rc;
}
