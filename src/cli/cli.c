/*
 * cli.c - helpers shared by the subcommands.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "bihuan %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n\n%s", usage);
    return CLI_EXIT_USAGE;
}

int cli_subcommand(int argc, char **argv, const char *cmd, const char *usage,
                   const char *const *subs)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub)
        return cli_usage_error(cmd, usage, "缺少子命令");
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        fputs(usage, stdout);
        return CLI_EXIT_OK;
    }
    for (int i = 0; subs[i]; i++)
        if (strcmp(sub, subs[i]) == 0) {
            optind = 1;
            opterr = 0;
            return -1;
        }
    return cli_usage_error(cmd, usage, "未知子命令“%s”", sub);
}

int cli_subcommand_db(int argc, char **argv, const char *cmd, const char *usage,
                      const char *const *subs, const char **db)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    int rc = cli_subcommand(argc, argv, cmd, usage, subs), c;
    if (rc >= 0)
        return rc;
    *db = NULL;
    while ((c = getopt_long(argc - 1, argv + 1, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': *db = optarg; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error(cmd, usage, "无法识别的选项或缺少参数值：%s", argv[optind]);
        }
    }
    if (!*db)
        return cli_usage_error(cmd, usage, "需要 --db");
    return -1;
}

bool cli_parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    long v;
    if (!s || !*s)
        return false;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool cli_parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    double v;
    if (!s || !*s)
        return false;
    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v < min || v > max)
        return false;
    *out = v;
    return true;
}

void cli_print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    puts(s ? s : "null");
    free(s);
    json_decref(v);
}

void cli_progress(const char *label, double fraction, const char *tail)
{
    int width = 30, fill;
    if (fraction < 0)
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    fill = (int)(fraction * width);
    fprintf(stderr, "\r%s [%.*s%*s] %3d%% %s", label, fill, "##############################",
            width - fill, "", (int)(fraction * 100), tail ? tail : "");
    if (fraction >= 1)
        fputc('\n', stderr);
    fflush(stderr);
}
