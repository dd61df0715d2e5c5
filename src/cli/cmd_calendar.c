/*
 * cmd_calendar.c - `bihuan calendar`: the working-day arithmetic of
 * core/calendar on the command line, plain by default or --json.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/calendar.h"
#include "util/file.h"

static const char usage[] =
    "用法:\n"
    "  bihuan calendar add --start DATE --workdays N      N 个工作日之后的日期（起始日不计）\n"
    "  bihuan calendar add --start DATE --days N [--civil] N 个自然日之后；--civil 按民法计期：\n"
    "                                                     起始日不计，期满日遇休息日顺延\n"
    "  bihuan calendar add --start TIME --hours H          H 个工作小时之后的时刻\n"
    "  bihuan calendar is-workday DATE                    是工作日输出 workday（退出码0），\n"
    "                                                     否则输出 restday（退出码1）\n"
    "  bihuan calendar count --from DATE --to DATE        区间内（含首尾）的工作日天数\n"
    "  bihuan calendar show --year YYYY                   列出该年的节假日和调休上班日\n"
    "\n"
    "DATE 形如 2025-01-24；TIME 形如 2025-03-03T17:00（北京时间），可带 +08:00 或 Z。\n"
    "\n"
    "通用选项:\n"
    "  --region FILE          叠加地方节假日/工作日调整（格式同 data/calendar/cn.csv，可多次）\n"
    "  --office-hours SPEC    办公时间，默认 09:00-12:00,13:30-18:00\n"
    "  --json                 以 JSON 输出\n"
    "  --help                 显示本帮助\n"
    "\n"
    "日期落在尚未公布节假日安排的年份时，按周一至周五推算并在标准错误输出警告\n"
    "（--json 时 schedule_published 为 false）。参数错误时退出码为2。\n";

struct opts {
    const char *start, *from, *to, *workdays, *days, *hours, *year;
    bool civil, json;
    cal_hours_t office;
    cal_t *cal;
};

enum { O_START = 256, O_FROM, O_TO, O_WORKDAYS, O_DAYS, O_HOURS, O_CIVIL,
       O_JSON, O_REGION, O_OFFICE, O_YEAR, O_HELP };

static const struct option longopts[] = {
    {"start", required_argument, NULL, O_START},
    {"from", required_argument, NULL, O_FROM},
    {"to", required_argument, NULL, O_TO},
    {"workdays", required_argument, NULL, O_WORKDAYS},
    {"days", required_argument, NULL, O_DAYS},
    {"hours", required_argument, NULL, O_HOURS},
    {"civil", no_argument, NULL, O_CIVIL},
    {"json", no_argument, NULL, O_JSON},
    {"region", required_argument, NULL, O_REGION},
    {"office-hours", required_argument, NULL, O_OFFICE},
    {"year", required_argument, NULL, O_YEAR},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0},
};

static int load_region(cal_t *cal, const char *path)
{
    char *text;
    size_t len;
    bh_err_t err;

    if (file_read_all(path, 16 << 20, &text, &len, &err) != BH_OK ||
        cal_load(cal, text, len, path, &err) != BH_OK) {
        free(text);
        return cli_usage_error("calendar", usage, "%s", err.message);
    }
    free(text);
    return 0;
}

/* Parse the options after the subcommand; returns 0 or an exit code. */
static int parse(int argc, char **argv, struct opts *o)
{
    int c, rc;
    bh_err_t err;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_START: o->start = optarg; break;
        case O_FROM: o->from = optarg; break;
        case O_TO: o->to = optarg; break;
        case O_WORKDAYS: o->workdays = optarg; break;
        case O_DAYS: o->days = optarg; break;
        case O_HOURS: o->hours = optarg; break;
        case O_YEAR: o->year = optarg; break;
        case O_CIVIL: o->civil = true; break;
        case O_JSON: o->json = true; break;
        case O_REGION:
            if ((rc = load_region(o->cal, optarg)))
                return rc;
            break;
        case O_OFFICE:
            if (cal_hours_parse(&o->office, optarg, &err) != BH_OK)
                return cli_usage_error("calendar", usage, "%s", err.message);
            break;
        case O_HELP: fputs(usage, stdout); return -1;
        default:
            return cli_usage_error("calendar", usage, "无法识别的选项或缺少参数值：%s",
                                   argv[optind - 1]);
        }
    }
    return 0;
}

static void warn_unpublished(const struct opts *o, unsigned flags, json_t *j)
{
    int first = 0, last = 0;
    bool published = !(flags & CAL_F_UNPUBLISHED);

    if (j) {
        json_object_set_new(j, "schedule_published", json_boolean(published));
        if (flags & CAL_F_RANGE)
            json_object_set_new(j, "out_of_range", json_true());
    }
    if (!published) {
        if (cal_published_range(o->cal, &first, &last))
            fprintf(stderr, "警告：计算涉及尚未公布节假日安排的年份（已公布 %d–%d 年），"
                            "该部分按周一至周五推算，结果可能不准确\n", first, last);
        else
            fprintf(stderr, "警告：日历中没有任何已公布的节假日安排，按周一至周五推算\n");
    }
    if (flags & CAL_F_RANGE)
        fprintf(stderr, "警告：计算超出支持的年份范围（%d–%d）\n", DT_YEAR_MIN, DT_YEAR_MAX);
}

/* A date argument: "YYYY-MM-DD", or an instant whose local date is used. */
static bool parse_day(const char *s, dt_day_t *out)
{
    dt_ms_t t;
    if (dt_parse_date(s, out))
        return true;
    if (!dt_parse_instant(s, &t))
        return false;
    *out = dt_local_day(t);
    return true;
}

static int add_days(struct opts *o, const char *what, long n)
{
    dt_day_t start, res;
    unsigned flags = 0;
    char a[16], b[16];
    json_t *j;

    if (!parse_day(o->start, &start))
        return cli_usage_error("calendar", usage, "--start 的日期“%s”无效，应为 YYYY-MM-DD", o->start);
    if (what[0] == 'w')
        res = cal_add_workdays(o->cal, start, (int)n, &flags);
    else if (o->civil)
        res = cal_civil_deadline(o->cal, start, (int)n, &flags);
    else
        res = start + (dt_day_t)n;
    dt_format_date(start, a, sizeof a);
    dt_format_date(res, b, sizeof b);
    if (!o->json) {
        puts(b);
        warn_unpublished(o, flags, NULL);
        return CLI_EXIT_OK;
    }
    j = json_pack("{s:s, s:I, s:b, s:s}", "start", a, what, (json_int_t)n,
                  "civil", o->civil, "result", b);
    warn_unpublished(o, flags, j);
    cli_print_json(j);
    return CLI_EXIT_OK;
}

static int add_hours(struct opts *o, double h)
{
    dt_ms_t start, res;
    unsigned flags = 0;
    char a[40], b[40];
    json_t *j;

    if (!dt_parse_instant(o->start, &start))
        return cli_usage_error("calendar", usage,
                               "--start 的时刻“%s”无效，应为 YYYY-MM-DDTHH:MM（北京时间）", o->start);
    res = cal_add_work_ms(o->cal, &o->office, start, (int64_t)(h * DT_HOUR_MS + 0.5), &flags);
    dt_format_instant(start, a, sizeof a);
    dt_format_instant(res, b, sizeof b);
    if (!o->json) {
        puts(b);
        warn_unpublished(o, flags, NULL);
        return CLI_EXIT_OK;
    }
    j = json_pack("{s:s, s:f, s:s}", "start", a, "hours", h, "result", b);
    warn_unpublished(o, flags, j);
    cli_print_json(j);
    return CLI_EXIT_OK;
}

static int do_add(struct opts *o)
{
    long n;
    double h;
    int modes = !!o->workdays + !!o->days + !!o->hours;

    if (!o->start)
        return cli_usage_error("calendar", usage, "add 需要 --start");
    if (modes != 1)
        return cli_usage_error("calendar", usage,
                               "add 需要且只能给出 --workdays、--days、--hours 之一");
    if (o->civil && !o->days)
        return cli_usage_error("calendar", usage, "--civil 只能与 --days 一起使用");
    if (o->workdays) {
        if (!cli_parse_int(o->workdays, -36500, 36500, &n))
            return cli_usage_error("calendar", usage, "--workdays 应为 -36500 到 36500 之间的整数，实际为“%s”", o->workdays);
        return add_days(o, "workdays", n);
    }
    if (o->days) {
        if (!cli_parse_int(o->days, o->civil ? 0 : -365000, 365000, &n))
            return cli_usage_error("calendar", usage, "--days 应为%s整数，实际为“%s”",
                                   o->civil ? "0 到 365000 之间的" : "", o->days);
        return add_days(o, "days", n);
    }
    if (!cli_parse_double(o->hours, 0, 100000, &h))
        return cli_usage_error("calendar", usage, "--hours 应为 0 到 100000 之间的数，实际为“%s”", o->hours);
    return add_hours(o, h);
}

static const char *day_kind(const cal_t *cal, dt_day_t d, bool work)
{
    bool weekend = dt_weekday(d) >= 6;
    (void)cal;
    if (work)
        return weekend ? "makeup_workday" : "workday";
    return weekend ? "weekend" : "holiday";
}

static int do_is_workday(struct opts *o, int argc, char **argv)
{
    dt_day_t d;
    unsigned flags = 0;
    bool work;
    char buf[16];
    const char *name;
    json_t *j;

    if (argc - optind != 1)
        return cli_usage_error("calendar", usage, "is-workday 需要且只需要一个日期参数");
    if (!parse_day(argv[optind], &d))
        return cli_usage_error("calendar", usage, "日期“%s”无效，应为 YYYY-MM-DD", argv[optind]);
    work = cal_is_workday(o->cal, d, &flags);
    name = cal_day_name(o->cal, d);
    if (!o->json) {
        puts(work ? "workday" : "restday");
    } else {
        j = json_pack("{s:s, s:i, s:b, s:s, s:s?}", "date",
                      dt_format_date(d, buf, sizeof buf), "weekday",
                      dt_weekday(d), "workday", work, "kind",
                      day_kind(o->cal, d, work), "name", name);
        warn_unpublished(o, flags, j);
        cli_print_json(j);
        return work ? CLI_EXIT_OK : CLI_EXIT_NO;
    }
    warn_unpublished(o, flags, NULL);
    return work ? CLI_EXIT_OK : CLI_EXIT_NO;
}

static int do_count(struct opts *o)
{
    dt_day_t from, to;
    unsigned flags = 0;
    int64_t n;
    char a[16], b[16];
    json_t *j;

    if (!o->from || !o->to)
        return cli_usage_error("calendar", usage, "count 需要 --from 和 --to");
    if (!parse_day(o->from, &from))
        return cli_usage_error("calendar", usage, "--from 的日期“%s”无效", o->from);
    if (!parse_day(o->to, &to))
        return cli_usage_error("calendar", usage, "--to 的日期“%s”无效", o->to);
    if (to < from)
        return cli_usage_error("calendar", usage, "--to 不能早于 --from");
    n = cal_count_workdays(o->cal, from, to, &flags);
    if (!o->json) {
        printf("%lld\n", (long long)n);
        warn_unpublished(o, flags, NULL);
        return CLI_EXIT_OK;
    }
    j = json_pack("{s:s, s:s, s:I}", "from", dt_format_date(from, a, sizeof a),
                  "to", dt_format_date(to, b, sizeof b), "workdays", (json_int_t)n);
    warn_unpublished(o, flags, j);
    cli_print_json(j);
    return CLI_EXIT_OK;
}

static int do_show(struct opts *o)
{
    static const char *const wk[] = {"", "周一", "周二", "周三", "周四", "周五", "周六", "周日"};
    long y;
    unsigned flags = 0;
    json_t *days = json_array(), *j;
    char buf[16];

    if (!o->year || !cli_parse_int(o->year, DT_YEAR_MIN, DT_YEAR_MAX, &y)) {
        json_decref(days);
        return cli_usage_error("calendar", usage, "show 需要 --year YYYY（%d–%d）", DT_YEAR_MIN, DT_YEAR_MAX);
    }
    for (dt_day_t d = dt_day_from_ymd((int)y, 1, 1); d <= dt_day_from_ymd((int)y, 12, 31); d++) {
        const char *name = cal_day_name(o->cal, d);
        bool work = cal_is_workday(o->cal, d, &flags);
        if (!name)
            continue;
        dt_format_date(d, buf, sizeof buf);
        if (o->json)
            json_array_append_new(days, json_pack("{s:s, s:b, s:s, s:s}", "date", buf,
                                                  "workday", work, "kind", day_kind(o->cal, d, work), "name", name));
        else
            printf("%s %s %s %s\n", buf, wk[dt_weekday(d)], work ? "班" : "休", name);
    }
    {
        int64_t n = cal_count_workdays(o->cal, dt_day_from_ymd((int)y, 1, 1),
                                       dt_day_from_ymd((int)y, 12, 31), &flags);
        if (o->json) {
            j = json_pack("{s:i, s:I, s:o}", "year", (int)y, "workdays", (json_int_t)n, "days", days);
            warn_unpublished(o, flags, j);
            cli_print_json(j);
            return CLI_EXIT_OK;
        }
        json_decref(days);
        printf("%ld年共有工作日 %lld 天\n", y, (long long)n);
    }
    warn_unpublished(o, flags, NULL);
    return CLI_EXIT_OK;
}

int cmd_calendar(int argc, char **argv)
{
    struct opts o = {0};
    const char *sub = argc > 1 ? argv[1] : NULL;
    int rc;

    if (!sub)
        return cli_usage_error("calendar", usage, "缺少子命令");
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        fputs(usage, stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "add") && strcmp(sub, "is-workday") && strcmp(sub, "count") &&
        strcmp(sub, "show"))
        return cli_usage_error("calendar", usage, "未知子命令“%s”", sub);
    o.cal = cal_new_national();
    cal_hours_default(&o.office);
    rc = parse(argc - 1, argv + 1, &o);
    if (rc == -1) {
        rc = CLI_EXIT_OK;
    } else if (rc == 0) {
        if (strcmp(sub, "is-workday") == 0)
            rc = do_is_workday(&o, argc - 1, argv + 1);
        else if (argc - 1 - optind > 0)
            rc = cli_usage_error("calendar", usage, "多余的参数“%s”", argv[1 + optind]);
        else if (strcmp(sub, "add") == 0)
            rc = do_add(&o);
        else if (strcmp(sub, "count") == 0)
            rc = do_count(&o);
        else
            rc = do_show(&o);
    }
    cal_free(o.cal);
    return rc;
}
