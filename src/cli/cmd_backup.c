/*
 * cmd_backup.c - `bihuan backup`: the store and its attachments into a
 * new directory, while the server runs (svc/backup.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/app.h"
#include "cli/cli.h"

static const char backup_usage[] =
    "用法: bihuan backup --db PATH --to DIR [--files DIR]\n"
    "  将数据库（某一时刻的一致副本，服务可照常运行）和它引用的全部附件文件（逐个核对 SHA-256）\n"
    "  备份到新目录 DIR：DIR/bihuan.db 和 DIR/files/。\n"
    "  --files: 附件目录（默认同服务：BIHUAN_FILES_DIR，或数据库旁的 files/）。\n"
    "  恢复：停止服务，删除目标处的 数据库-wal、数据库-shm（若有），把 DIR/bihuan.db 复制为数据库文件，\n"
    "  把 DIR/files 复制为附件目录；或直接以 DIR/bihuan.db 启动服务。\n";

static void progress(long done, long total, void *ctx)
{
    char tail[48];
    (void)ctx;
    snprintf(tail, sizeof tail, "%ld/%ld", done, total);
    cli_progress("备份附件", (double)done / (double)total, tail);
}

int cmd_backup(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"to", required_argument, NULL, 't'},
        {"files", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *to = NULL, *files = NULL;
    struct stat sb;
    svc_t svc;
    svc_backup_t r;
    bh_err_t err;
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 't': to = optarg; break;
        case 'f': files = optarg; break;
        case 'h': fputs(backup_usage, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("backup", backup_usage, "无法识别的选项或缺少参数值：%s", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("backup", backup_usage, "多余的参数“%s”", argv[optind]);
    if (!db || !to)
        return cli_usage_error("backup", backup_usage, "需要 --db 和 --to");
    /* a mistyped path would be a new, empty store backed up */
    if (stat(strncmp(db, "sqlite:", 7) == 0 ? db + 7 : db, &sb) != 0) {
        fprintf(stderr, "bihuan backup: 数据库“%s”不存在\n", db);
        return CLI_EXIT_NO;
    }
    if (files)
        setenv("BIHUAN_FILES_DIR", files, 1); /* where app_open looks */
    if (app_open(db, 1, &svc))
        return CLI_EXIT_NO;
    if (svc_backup(&svc, to, progress, NULL, &r, &err) != BH_OK) {
        if (r.started)
            fprintf(stderr, "bihuan backup: %s（备份目录 %s 不完整，请删除）\n", err.message, to);
        else
            fprintf(stderr, "bihuan backup: %s\n", err.message);
        app_close(&svc);
        return CLI_EXIT_NO;
    }
    printf("备份完成：%s\n  数据库 %.1f MB；附件文件 %lld 个，%.1f MB\n", to, (double)r.db_bytes / 1048576.0,
           (long long)r.files, (double)r.file_bytes / 1048576.0);
    app_close(&svc);
    return CLI_EXIT_OK;
}
