/*
 * cmd_categories.c - `bihuan categories`: check a categories file and list
 * the categories with their SLA policies.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/category.h"
#include "util/file.h"

static const char usage[] =
    "用法:\n"
    "  bihuan categories check [--file PATH]   校验类别文件，指出出错的条目和字段\n"
    "  bihuan categories list  [--file PATH] [--json]\n"
    "                                          列出类别及其时限策略\n"
    "\n"
    "不给 --file 时使用程序内置的 data/categories.json。\n"
    "退出码: 0 正常；1 文件有错误；2 参数错误。\n";

static json_t *clock_json(const sla_clock_def_t *c)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:f, s:f, s:f, s:f}",
                     "name", c->name, "label", c->label,
                     "basis", sla_basis_name(c->basis), "unit",
                     sla_unit_name(sla_day_based(c) ? SLA_UNIT_DAYS : c->unit),
                     "civil", c->civil, "limit", sla_amount_from_units(c, c->limit),
                     "yellow", sla_amount_from_units(c, c->yellow),
                     "red", sla_amount_from_units(c, c->red),
                     "max_extension", sla_amount_from_units(c, c->max_extension));
}

static void list(const cat_set_t *set, bool json)
{
    json_t *arr = json ? json_array() : NULL;

    for (int i = 0; i < set->ncats; i++) {
        const cat_t *c = &set->cats[i];
        const sla_policy_t *p = &set->policies[c->policy];
        if (json) {
            json_t *clocks = json_array();
            for (int k = 0; k < p->nclocks; k++)
                json_array_append_new(clocks, clock_json(&p->clock[k]));
            json_array_append_new(arr, json_pack(
                "{s:s, s:s, s:s, s:s?, s:s, s:s?, s:s, s:o}", "code", c->code,
                "name", c->name, "kind", cat_kind_name(c->kind), "parent", c->parent,
                "default_unit_type", cat_unit_type_name(c->default_unit_type),
                "default_department", c->default_department, "policy",
                set->policy_keys[c->policy], "clocks", clocks));
            continue;
        }
        printf("%s\t%s\t%s\t%s", c->code, c->name, cat_kind_label(c->kind),
               set->policy_keys[c->policy]);
        for (int k = 0; k < p->nclocks; k++)
            printf("%s%s %g%s", k ? "，" : "\t", p->clock[k].label,
                   sla_amount_from_units(&p->clock[k], p->clock[k].limit),
                   sla_unit_label(&p->clock[k]));
        putchar('\n');
    }
    if (json)
        cli_print_json(arr);
}

int cmd_categories(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"file", required_argument, NULL, 'f'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *sub = argc > 1 ? argv[1] : NULL, *path = NULL;
    bool json = false;
    cat_set_t *set;
    int c;

    if (!sub)
        return cli_usage_error("categories", usage, "缺少子命令");
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        fputs(usage, stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "check") && strcmp(sub, "list"))
        return cli_usage_error("categories", usage, "未知子命令“%s”", sub);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': path = optarg; break;
        case 'j': json = true; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default:
            return cli_usage_error("categories", usage, "无法识别的选项或缺少参数值：%s",
                                   argv[optind]);
        }
    }
    if (optind < argc - 1)
        return cli_usage_error("categories", usage, "多余的参数“%s”", argv[1 + optind]);
    if (path) {
        char *text;
        size_t len;
        bh_err_t err;
        if (file_read_all(path, 64 << 20, &text, &len, &err) != BH_OK) {
            fprintf(stderr, "bihuan categories: %s\n", err.message);
            return CLI_EXIT_NO;
        }
        if (cat_set_parse(text, len, &set, &err) != BH_OK) {
            fprintf(stderr, "bihuan categories: %s: %s\n", path, err.message);
            free(text);
            return CLI_EXIT_NO;
        }
        free(text);
    } else {
        set = cat_set_builtin();
    }
    if (strcmp(sub, "check") == 0)
        printf("ok: %d 个类别，%d 个时限策略\n", set->ncats, set->npolicies);
    else
        list(set, json);
    cat_set_free(set);
    return CLI_EXIT_OK;
}
