/*
 * test_notify.c - the notifications document: what is refused and where,
 * who a notice goes to, how long a failed one waits, what it says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/notify.h"

static const char doc[] =
    "{\"base_url\": \"http://console.example\","
    " \"smtp\": {\"url\": \"smtp://127.0.0.1:25\", \"from\": \"bihuan@x.gov.cn\"},"
    " \"retry\": {\"first_seconds\": 30, \"max_seconds\": 100, \"max_attempts\": 5},"
    " \"channels\": ["
    "  {\"key\": \"all\", \"type\": \"webhook\", \"url\": \"https://hooks.example/a\"},"
    "  {\"key\": \"street1\", \"type\": \"wecom\", \"url\": \"https://qyapi.example/send?key=k\","
    "   \"unit\": \"440303001\", \"mobiles\": [\"13800000000\"]},"
    "  {\"key\": \"cg\", \"type\": \"dingtalk\", \"url\": \"https://oapi.example/robot/send?access_token=t\","
    "   \"secret\": \"SECx\", \"unit\": \"440303-CG\"},"
    "  {\"key\": \"mail\", \"type\": \"email\", \"to\": [\"a@x.gov.cn\", \"b@x.gov.cn\"]}],"
    " \"rules\": ["
    "  {\"event\": \"dispatch\", \"channels\": [\"all\", \"street1\", \"cg\"]},"
    "  {\"event\": \"dispatch\", \"channels\": [\"all\", \"mail\"], \"categories\": [\"E01\"]},"
    "  {\"event\": \"overdue\", \"channels\": [\"mail\"]}]}";

static notify_cfg_t *parse(const char *text, bh_err_t *err)
{
    notify_cfg_t *cfg = NULL;
    bh_err_clear(err);
    if (notify_cfg_parse(text, strlen(text), &cfg, err) != BH_OK)
        return NULL;
    return cfg;
}

static void shipped_and_example(void **state)
{
    size_t len;
    const char *text = notify_cfg_builtin_text(&len);
    bh_err_t err;
    notify_cfg_t *cfg;
    (void)state;
    assert_int_equal(notify_cfg_parse(text, len, &cfg, &err), BH_OK);
    assert_int_equal(cfg->nchannels, 0); /* nobody is told until a district says who */
    assert_int_equal(cfg->nrules, 0);
    notify_cfg_free(cfg);
    assert_non_null(cfg = parse(doc, &err));
    assert_int_equal(cfg->nchannels, 4);
    assert_int_equal(cfg->channels[2].kind, NOTIFY_DINGTALK);
    assert_int_equal(cfg->channels[3].nto, 2);
    assert_int_equal(cfg->max_attempts, 5);
    notify_cfg_free(cfg);
}

/* Replace the first 'from' in doc with 'to' and expect the field named. */
static void refused(const char *from, const char *to, const char *field)
{
    char text[4096];
    const char *at = strstr(doc, from);
    bh_err_t err;
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - doc), doc, to, at + strlen(from));
    assert_null(parse(text, &err));
    if (strcmp(err.field, field) != 0)
        fail_msg("%s -> %s: field %s (%s), wanted %s", from, to, err.field, err.message, field);
    assert_non_null(strstr(err.message, "通知配置"));
}

static void refusals(void **state)
{
    (void)state;
    refused("\"type\": \"webhook\"", "\"type\": \"sms\"", "channels[0].type");
    refused("https://hooks.example/a", "ftp://hooks.example/a", "channels[0].url");
    refused("https://hooks.example/a", "https://hooks.example/a\\r\\nX-Evil: 1", "channels[0].url");
    refused("\"key\": \"all\"", "\"key\": \"a l\"", "channels[0].key");
    refused("\"key\": \"street1\"", "\"key\": \"all\"", "channels[1].key");
    refused("\"unit\": \"440303001\", \"mobiles\"", "\"secret\": \"x\", \"mobiles\"", "channels[1].secret");
    refused("13800000000", "call me", "channels[1].mobiles[0]");
    refused("b@x.gov.cn", "b@x.gov.cn>, c@evil", "channels[3].to[1]");
    refused("\"event\": \"overdue\"", "\"event\": \"rain\"", "rules[2].event");
    refused("[\"mail\"]}]", "[\"nobody\"]}]", "rules[2].channels[0]");
    refused("[\"mail\"]}]", "[]}]", "rules[2].channels");
    refused("\"smtp\": {\"url\": \"smtp://127.0.0.1:25\", \"from\": \"bihuan@x.gov.cn\"},", "", "smtp");
    refused("\"from\": \"bihuan@x.gov.cn\"", "\"from\": \"bihuan\"", "smtp.from");
    refused("\"max_seconds\": 100", "\"max_seconds\": 10", "retry.max_seconds");
    refused("\"max_attempts\": 5", "\"max_attempts\": 0", "retry.max_attempts");
    refused("\"base_url\"", "\"base_ur1\"", "base_ur1");
}

static void routing(void **state)
{
    bh_err_t err;
    notify_cfg_t *cfg = parse(doc, &err);
    const char *out[8];
    const char *in_street[2] = {"44030300100101", "440303-CG"};
    const char *elsewhere[2] = {"44030300200101", "440303-SW"};
    int n;
    (void)state;
    /* a case of street 1 dispatched to 城管: everyone, each once */
    n = notify_route(cfg, NOTIFY_DISPATCH, in_street, 2, "E0101", out, 8);
    assert_int_equal(n, 4);
    assert_string_equal(out[0], "all");
    assert_string_equal(out[1], "street1");
    assert_string_equal(out[2], "cg");
    assert_string_equal(out[3], "mail");
    /* another street's case for another department, outside E01 */
    n = notify_route(cfg, NOTIFY_DISPATCH, elsewhere, 2, "D0101", out, 8);
    assert_int_equal(n, 1);
    assert_string_equal(out[0], "all");
    /* a department is itself only: 440303-CG does not see 440303-CGX */
    elsewhere[1] = "440303-CGX";
    assert_int_equal(notify_route(cfg, NOTIFY_DISPATCH, elsewhere, 2, "D01", out, 8), 1);
    /* no rule: nobody */
    assert_int_equal(notify_route(cfg, NOTIFY_SUPERVISE, in_street, 2, "E0101", out, 8), 0);
    /* the room given is kept */
    assert_int_equal(notify_route(cfg, NOTIFY_DISPATCH, in_street, 2, "E0101", out, 2), 2);
    notify_cfg_free(cfg);
}

static void backoff(void **state)
{
    bh_err_t err;
    notify_cfg_t *cfg = parse(doc, &err);
    (void)state;
    assert_int_equal(notify_backoff_ms(cfg, 1), 30000);
    assert_int_equal(notify_backoff_ms(cfg, 2), 60000);
    assert_int_equal(notify_backoff_ms(cfg, 3), 100000); /* capped */
    assert_int_equal(notify_backoff_ms(cfg, 4), 100000);
    assert_int_equal(notify_backoff_ms(cfg, 5), 0);      /* the fifth failed: dead */
    notify_cfg_free(cfg);
}

static void wording(void **state)
{
    arena_t *a = arena_new();
    const char *subject, *text;
    dt_ms_t due;
    notify_facts_t f = {.event = NOTIFY_OVERDUE, .number = "2026120700000012", .title = "占道经营",
                        .category = "占道经营", .place = "翠竹街道", .handler = "区城管局",
                        .clock = "处置", .path = "#/cases/12"};
    (void)state;
    assert_true(dt_parse_instant("2026-12-04T18:00:00+08:00", &due));
    f.deadline = due;
    notify_wording(&f, "http://console.example", a, &subject, &text);
    assert_string_equal(subject, "【超期】占道经营 2026120700000012");
    assert_non_null(strstr(text, "已超期：处置已于 2026年12月4日 18:00 到期"));
    assert_non_null(strstr(text, "处置单位：区城管局"));
    assert_non_null(strstr(text, "查看：http://console.example/#/cases/12"));
    f.event = NOTIFY_DISPATCH;
    notify_wording(&f, NULL, a, &subject, &text);
    assert_non_null(strstr(text, "派遣至：区城管局"));
    assert_non_null(strstr(text, "处置时限：2026年12月4日 18:00"));
    assert_null(strstr(text, "查看")); /* no address, no link */
    f = (notify_facts_t){.event = NOTIFY_RED_CARD, .place = "翠竹街道", .indicator = "固定资产投资",
                         .period = "2026年12月", .completion = 0.05, .progress = 0.93};
    notify_wording(&f, NULL, a, &subject, &text);
    assert_string_equal(subject, "【红牌】翠竹街道 固定资产投资 2026年12月");
    assert_non_null(strstr(text, "完成：5.0%，时间进度：93.0%"));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_and_example),
        cmocka_unit_test(refusals),
        cmocka_unit_test(routing),
        cmocka_unit_test(backoff),
        cmocka_unit_test(wording),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
