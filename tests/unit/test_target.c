/*
 * test_target.c - the target loop's arithmetic (core/target.h), on worked
 * examples a reader can check by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/indicator.h"
#include "core/target.h"

#define NEAR(a, b) assert_true((a) > (b) - 1e-9 && (a) < (b) + 1e-9)

static period_t year(int y)
{
    return (period_t){dt_day_from_ymd(y, 1, 1), dt_day_from_ymd(y, 12, 31)};
}

/* "完成全年目标任务的41.1%": 4,110 of 10,000; lower is better is target ÷ actual. */
static void completion_both_directions(void **state)
{
    tgt_value_t v;
    (void)state;
    v = tgt_completion(TGT_HIGHER, true, 10000, true, 4110);
    assert_int_equal(v.state, TGT_OK);
    NEAR(v.value, 0.411);
    /* 超期率 ceiling 2%: 1% is 200%, 4% is 50%, 0 is met */
    v = tgt_completion(TGT_LOWER, true, 0.02, true, 0.01);
    NEAR(v.value, 2.0);
    v = tgt_completion(TGT_LOWER, true, 0.02, true, 0.04);
    NEAR(v.value, 0.5);
    v = tgt_completion(TGT_LOWER, true, 0.02, true, 0);
    NEAR(v.value, 1.0);
    /* zero tolerance (重大事故 0 起): none is met, one is 0% */
    NEAR(tgt_completion(TGT_LOWER, true, 0, true, 0).value, 1.0);
    NEAR(tgt_completion(TGT_LOWER, true, 0, true, 1).value, 0.0);
    /* what cannot be computed says why */
    assert_int_equal(tgt_completion(TGT_HIGHER, false, 0, true, 5).state, TGT_NO_TARGET);
    assert_int_equal(tgt_completion(TGT_HIGHER, true, 0, true, 5).state, TGT_NO_TARGET);
    assert_int_equal(tgt_completion(TGT_HIGHER, true, 100, false, 0).state, TGT_NO_ACTUAL);
    assert_int_equal(tgt_completion(TGT_LOWER, true, -1, true, 0).state, TGT_NO_TARGET);
}

/* 2023-06-30: by days 181/365 = 49.6%, by months 6/12, by working days
 * 123/249 (the official 2023 schedule: 249 working days, 123 by 30 June). */
static void time_progress_each_basis(void **state)
{
    cal_t *cal = cal_new_national();
    dt_day_t june30 = dt_day_from_ymd(2023, 6, 30), june15 = dt_day_from_ymd(2023, 6, 15);
    dt_day_t may31 = dt_day_from_ymd(2023, 5, 31);
    (void)state;
    NEAR(tgt_time_progress(TGT_BASIS_DAYS, cal, year(2023), june30), 181.0 / 365);
    NEAR(tgt_time_progress(TGT_BASIS_MONTHS, cal, year(2023), june30), 0.5);
    NEAR(tgt_time_progress(TGT_BASIS_MONTHS, cal, year(2023), june15), 5.0 / 12);
    NEAR(tgt_time_progress(TGT_BASIS_WORKDAYS, cal, year(2023), june30), 123.0 / 249);
    NEAR(tgt_time_progress(TGT_BASIS_WORKDAYS, cal, year(2023), may31), 102.0 / 249);
    /* 2024 is a leap year: 30 June is day 182 of 366 */
    NEAR(tgt_time_progress(TGT_BASIS_DAYS, cal, year(2024), dt_day_from_ymd(2024, 6, 30)), 182.0 / 366);
    /* before and after the year */
    NEAR(tgt_time_progress(TGT_BASIS_DAYS, cal, year(2023), dt_day_from_ymd(2022, 12, 31)), 0);
    NEAR(tgt_time_progress(TGT_BASIS_WORKDAYS, cal, year(2023), dt_day_from_ymd(2024, 1, 5)), 1);
    NEAR(tgt_time_progress(TGT_BASIS_MONTHS, cal, year(2023), dt_day_from_ymd(2023, 12, 31)), 1);
    /* 1 January by days is one day done */
    NEAR(tgt_time_progress(TGT_BASIS_DAYS, cal, year(2023), dt_day_from_ymd(2023, 1, 1)), 1.0 / 365);
    cal_free(cal);
}

static void gap_wording(void **state)
{
    char buf[96];
    (void)state;
    /* 52.8% done against 49.6% elapsed */
    NEAR(tgt_gap(0.528, 0.496), 0.032);
    assert_string_equal(tgt_gap_text(tgt_gap(0.528, 0.496), buf, sizeof buf), "超序时进度3.2个百分点");
    assert_string_equal(tgt_gap_text(tgt_gap(0.411, 0.496), buf, sizeof buf), "落后序时进度8.5个百分点");
    assert_string_equal(tgt_gap_text(0.0002, buf, sizeof buf), "与序时进度持平");
    assert_string_equal(tgt_level_gap_text(-0.064, buf, sizeof buf), "低于目标6.4个百分点");
    assert_string_equal(tgt_level_gap_text(0.02, buf, sizeof buf), "达到目标");
    assert_string_equal(tgt_level_gap_text(-0.0004, buf, sizeof buf), "达到目标");
}

static void year_on_year(void **state)
{
    char buf[96];
    tgt_value_t c;
    (void)state;
    /* "同比增长12.3%": 11,230 against 10,000 */
    c = tgt_change(true, 11230, true, 10000);
    assert_int_equal(c.state, TGT_OK);
    NEAR(c.value, 0.123);
    assert_string_equal(tgt_change_text("同比", false, true, 11230, true, 10000, buf, sizeof buf),
                        "同比增长12.3%");
    assert_string_equal(tgt_change_text("同比", false, true, 9550, true, 10000, buf, sizeof buf),
                        "同比下降4.5%");
    assert_string_equal(tgt_change_text("环比", false, true, 100, true, 100, buf, sizeof buf), "环比持平");
    /* last year 0 or missing: a condition, not a division by zero */
    assert_int_equal(tgt_change(true, 5, true, 0).state, TGT_ZERO_BASE);
    assert_int_equal(tgt_change(true, 5, false, 0).state, TGT_NO_BASE);
    assert_int_equal(tgt_change(false, 0, true, 5).state, TGT_NO_ACTUAL);
    assert_string_equal(tgt_change_text("同比", false, true, 5, true, 0, buf, sizeof buf), "上年同期为0");
    assert_string_equal(tgt_change_text("同比", false, true, 5, false, 0, buf, sizeof buf), "上年同期无数据");
    assert_string_equal(tgt_change_text("环比", false, true, 5, true, 0, buf, sizeof buf), "上期为0");
    /* a rate changes by points: 99.90% against 98.70% */
    assert_string_equal(tgt_change_text("同比", true, true, 0.999, true, 0.987, buf, sizeof buf),
                        "同比提高1.2个百分点");
    assert_string_equal(tgt_change_text("同比", true, true, 0.95, true, 0.953, buf, sizeof buf),
                        "同比降低0.3个百分点");
    /* points need no non-zero base */
    assert_string_equal(tgt_change_text("同比", true, true, 0.5, true, 0, buf, sizeof buf),
                        "同比提高50.0个百分点");
    /* a negative base (a loss) turned to profit is growth */
    NEAR(tgt_change(true, 50, true, -100).value, 1.5);
}

static void aggregation(void **state)
{
    double v[6] = {10, 20, 0, 40, 0, 60}, num[6] = {9, 18, 0, 40, 0, 0}, den[6] = {10, 20, 0, 40, 0, 0};
    bool has[6] = {true, true, false, true, false, false};
    bool nothing[6] = {false};
    (void)state;
    NEAR(tgt_aggregate(TGT_AGG_SUM, v, num, den, has, 6).value, 70);
    NEAR(tgt_aggregate(TGT_AGG_LAST, v, num, den, has, 6).value, 40);
    NEAR(tgt_aggregate(TGT_AGG_AVG, v, num, den, has, 6).value, 70.0 / 3);
    /* a ratio of sums, not a mean of ratios: 67/70, not (0.9+0.9+1)/3 */
    NEAR(tgt_aggregate(TGT_AGG_RATIO, v, num, den, has, 6).value, 67.0 / 70);
    assert_int_equal(tgt_aggregate(TGT_AGG_SUM, v, num, den, nothing, 6).state, TGT_NO_ACTUAL);
    den[0] = den[1] = den[3] = 0;
    assert_int_equal(tgt_aggregate(TGT_AGG_RATIO, v, num, den, has, 6).state, TGT_NO_ACTUAL);
}

/* "1-3月累计" after two monthly entries, then May on its own; a month in
 * the future of 'upto' is left out. */
static void cumulative_entries(void **state)
{
    const tgt_entry_t e[] = {
        {1, false, 100, 9, 10}, {2, false, 150, 18, 20}, {3, true, 400, 40, 45},
        {5, false, 80, 7, 8},   {7, false, 999, 1, 1},
    };
    double v[6], num[6], den[6];
    bool has[6];
    (void)state;
    tgt_months_fill(TGT_AGG_SUM, e, 5, 6, v, num, den, has);
    NEAR(v[2], 150); /* 400 - 100 - 150 */
    assert_false(has[3]);
    assert_true(has[4]);
    assert_false(has[5]);
    NEAR(tgt_aggregate(TGT_AGG_SUM, v, num, den, has, 6).value, 480);
    NEAR(tgt_aggregate(TGT_AGG_SUM, v, num, den, has, 3).value, 400);
    tgt_months_fill(TGT_AGG_RATIO, e, 5, 6, v, num, den, has);
    NEAR(num[2], 13);
    NEAR(den[2], 15);
    NEAR(tgt_aggregate(TGT_AGG_RATIO, v, num, den, has, 6).value, 47.0 / 53);
    /* a level is the entry itself */
    tgt_months_fill(TGT_AGG_LAST, e, 5, 3, v, num, den, has);
    NEAR(v[2], 400);
    NEAR(tgt_aggregate(TGT_AGG_LAST, v, num, den, has, 3).value, 400);
}

/* Ten streets, two tied for second, one without a value. */
static void ranking_with_ties(void **state)
{
    double v[5] = {0.95, 0.99, 0.95, 0.90, 0};
    bool has[5] = {true, true, true, true, false};
    int r[5];
    (void)state;
    tgt_rank(TGT_HIGHER, v, has, 5, r);
    assert_int_equal(r[0], 2);
    assert_int_equal(r[1], 1);
    assert_int_equal(r[2], 2);
    assert_int_equal(r[3], 4);
    assert_int_equal(r[4], 0);
    /* lower is better turns it round */
    tgt_rank(TGT_LOWER, v, has, 5, r);
    assert_int_equal(r[3], 1);
    assert_int_equal(r[0], 2);
    assert_int_equal(r[2], 2);
    assert_int_equal(r[1], 4);
    /* values a rounding apart tie */
    {
        double w[2] = {0.1 + 0.2, 0.3};
        bool h2[2] = {true, true};
        int r2[2];
        tgt_rank(TGT_HIGHER, w, h2, 2, r2);
        assert_int_equal(r2[0], 1);
        assert_int_equal(r2[1], 1);
    }
}

/* Full marks (10) at ≥ 95%, half a mark off per point below. */
static void scoring(void **state)
{
    tgt_score_rule_t r = {10, 0.95, 0.5}, prop = {20, 1.0, 0};
    (void)state;
    NEAR(tgt_score(&r, (tgt_value_t){TGT_OK, 0.97}), 10);
    NEAR(tgt_score(&r, (tgt_value_t){TGT_OK, 0.95}), 10);
    NEAR(tgt_score(&r, (tgt_value_t){TGT_OK, 0.91}), 8);
    NEAR(tgt_score(&r, (tgt_value_t){TGT_OK, 0.50}), 0); /* 22.5 off: floored */
    NEAR(tgt_score(&r, (tgt_value_t){TGT_NO_ACTUAL, 0}), 0);
    NEAR(tgt_score(&prop, (tgt_value_t){TGT_OK, 0.8}), 16);
    NEAR(tgt_score(&prop, (tgt_value_t){TGT_OK, 1.3}), 20);
}

/* 进度差 below −20 points red, below −10 yellow, else blue. */
static void cards(void **state)
{
    const tgt_card_rule_t rules[] = {{"red", -0.20}, {"yellow", -0.10}};
    (void)state;
    assert_string_equal(tgt_card(rules, 2, "blue", (tgt_value_t){TGT_OK, 0.25}, 0.496), "red");
    assert_string_equal(tgt_card(rules, 2, "blue", (tgt_value_t){TGT_OK, 0.38}, 0.496), "yellow");
    assert_string_equal(tgt_card(rules, 2, "blue", (tgt_value_t){TGT_OK, 0.40}, 0.496), "blue");
    assert_string_equal(tgt_card(rules, 2, "blue", (tgt_value_t){TGT_OK, 0.60}, 0.496), "blue");
    /* exactly on a bound is not below it (binary-exact numbers) */
    {
        const tgt_card_rule_t quarter[] = {{"red", -0.25}};
        assert_string_equal(tgt_card(quarter, 1, "blue", (tgt_value_t){TGT_OK, 0.25}, 0.5), "blue");
        assert_string_equal(tgt_card(quarter, 1, "blue", (tgt_value_t){TGT_OK, 0.25}, 0.5 + 1e-6), "red");
    }
    assert_null(tgt_card(rules, 2, NULL, (tgt_value_t){TGT_OK, 0.60}, 0.496));
    assert_string_equal(tgt_card(rules, 2, "blue", (tgt_value_t){TGT_NO_TARGET, 0}, 0.496), "blue");
}

/* 流动红旗 for the top three, 黄旗 for the bottom three. */
static void flags(void **state)
{
    /* ranks of ten streets with a tie for third and a tie for last */
    const int rank[10] = {1, 2, 3, 3, 5, 6, 7, 8, 9, 9};
    tgt_flag_t f[10];
    (void)state;
    tgt_flags(rank, 10, 3, 3, f);
    for (int i = 0; i < 4; i++)
        assert_int_equal(f[i], TGT_FLAG_RED);
    assert_int_equal(f[4], TGT_FLAG_NONE);
    assert_int_equal(f[5], TGT_FLAG_NONE);
    assert_int_equal(f[6], TGT_FLAG_NONE);
    for (int i = 7; i < 10; i++)
        assert_int_equal(f[i], TGT_FLAG_YELLOW);
    /* four units: the top three take red; the fourth is bottom */
    {
        const int r4[5] = {1, 2, 3, 4, 0};
        tgt_flag_t g[5];
        tgt_flags(r4, 5, 3, 3, g);
        assert_int_equal(g[0], TGT_FLAG_RED);
        assert_int_equal(g[2], TGT_FLAG_RED);
        assert_int_equal(g[3], TGT_FLAG_YELLOW);
        assert_int_equal(g[4], TGT_FLAG_NONE); /* unranked */
    }
}

static void names_round_trip(void **state)
{
    tgt_direction_t d;
    tgt_basis_t b;
    tgt_agg_t a;
    (void)state;
    assert_true(tgt_direction_parse("lower", &d));
    assert_int_equal(d, TGT_LOWER);
    assert_string_equal(tgt_direction_name(TGT_HIGHER), "higher");
    assert_false(tgt_direction_parse("", &d));
    assert_false(tgt_direction_parse("up", &d));
    assert_true(tgt_basis_parse("workdays", &b));
    assert_int_equal(b, TGT_BASIS_WORKDAYS);
    assert_true(tgt_agg_parse("ratio", &a));
    assert_string_equal(tgt_agg_name(a), "ratio");
    assert_false(tgt_agg_parse(NULL, &a));
    assert_string_equal(tgt_state_name(TGT_ZERO_BASE), "zero_base");
}

/* The shipped document parses, and its indicators read as written. */
static void shipped_indicators(void **state)
{
    size_t len;
    const char *text = target_cfg_builtin_text(&len);
    target_cfg_t *cfg;
    bh_err_t err;
    const indicator_t *d;
    (void)state;
    assert_int_equal(target_cfg_parse(text, len, &cfg, &err), BH_OK);
    assert_true(cfg->ninds >= 8);
    d = target_cfg_indicator(cfg, "case_close_rate");
    assert_non_null(d);
    assert_int_equal(d->source, IND_DERIVED);
    assert_string_equal(d->derived, "cases.close_rate");
    assert_true(d->rate);
    assert_int_equal(d->aggregate, TGT_AGG_RATIO); /* derived rates are ratios of sums */
    d = target_cfg_indicator(cfg, "safety_accidents");
    assert_int_equal(d->direction, TGT_LOWER);
    assert_int_equal(d->aggregate, TGT_AGG_SUM);
    assert_false(d->rate);
    d = target_cfg_indicator(cfg, "fixed_investment");
    assert_int_equal(d->basis, TGT_BASIS_MONTHS);
    assert_int_equal(d->source, IND_MANUAL);
    assert_null(target_cfg_indicator(cfg, "nosuch"));
    assert_int_equal(cfg->ncards, 3);
    assert_string_equal(cfg->cards[0].card, "red");
    assert_int_equal(cfg->flag_top, 3);
    assert_int_equal(cfg->flag_bottom, 3);
    target_cfg_free(cfg);
}

/* Each bad document names its field. */
static void indicator_errors(void **state)
{
    static const struct {
        const char *json, *field;
    } cases[] = {
        {"[]", ""},
        {"{\"indicators\": []}", "indicators"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"件\", \"source\": \"manual\","
         " \"aggregate\": \"sum\"}]}", "indicators[0].direction"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"件\", \"direction\": \"up\","
         " \"source\": \"manual\", \"aggregate\": \"sum\"}]}", "indicators[0].direction"},
        {"{\"indicators\": [{\"code\": \"A-1\", \"name\": \"甲\", \"unit\": \"件\", \"direction\": \"higher\","
         " \"source\": \"manual\", \"aggregate\": \"sum\"}]}", "indicators[0].code"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"件\", \"direction\": \"higher\","
         " \"source\": \"manual\"}]}", "indicators[0].aggregate"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"%\", \"direction\": \"higher\","
         " \"source\": \"derived\", \"derived\": \"cases.nosuch\"}]}", "indicators[0].derived"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"件\", \"direction\": \"higher\","
         " \"source\": \"derived\", \"derived\": \"patrols.coverage\"}]}", "indicators[0].unit"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"%\", \"direction\": \"higher\","
         " \"source\": \"derived\", \"derived\": \"patrols.coverage\", \"aggregate\": \"sum\"}]}",
         "indicators[0].aggregate"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"件\", \"direction\": \"higher\","
         " \"source\": \"manual\", \"aggregate\": \"sum\", \"derived\": \"cases.closed\"}]}",
         "indicators[0].derived"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"件\", \"direction\": \"higher\","
         " \"source\": \"manual\", \"aggregate\": \"sum\", \"weight\": 500}]}", "indicators[0].weight"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"件\", \"direction\": \"higher\","
         " \"source\": \"manual\", \"aggregate\": \"sum\", \"colour\": 1}]}", "indicators[0].colour"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"件\", \"direction\": \"higher\","
         " \"source\": \"manual\", \"aggregate\": \"sum\"}, {\"code\": \"a\", \"name\": \"乙\", \"unit\": \"件\","
         " \"direction\": \"higher\", \"source\": \"manual\", \"aggregate\": \"sum\"}]}", "indicators[1].code"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"件\", \"direction\": \"higher\","
         " \"source\": \"manual\", \"aggregate\": \"sum\"}], \"cards\": {\"rules\": [{\"card\": \"yellow\","
         " \"below_gap\": -0.1}, {\"card\": \"red\", \"below_gap\": -0.2}]}}", "cards.rules[1].below_gap"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"件\", \"direction\": \"higher\","
         " \"source\": \"manual\", \"aggregate\": \"sum\"}], \"cards\": {\"rules\": [{\"card\": \"pink\","
         " \"below_gap\": -0.1}]}}", "cards.rules[0].card"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"件\", \"direction\": \"higher\","
         " \"source\": \"manual\", \"aggregate\": \"sum\"}], \"flags\": {\"top\": -1}}", "flags.top"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"件\", \"direction\": \"higher\","
         " \"source\": \"manual\", \"aggregate\": \"sum\"}], \"live_from\": \"2023-02-30\"}", "live_from"},
        {"{\"indicators\": [{\"code\": \"a\", \"name\": \"甲\", \"unit\": \"件\", \"direction\": \"higher\","
         " \"source\": \"manual\", \"aggregate\": \"sum\"}], \"live_from\": \"2023-07-01\"}", "live_from"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        target_cfg_t *cfg = NULL;
        bh_err_t err;
        bh_status_t st = target_cfg_parse(cases[i].json, strlen(cases[i].json), &cfg, &err);
        if (st != BH_INVALID_ARGUMENT || strcmp(err.field, cases[i].field) != 0)
            fail_msg("case %zu: status %d field \"%s\", want \"%s\"", i, st, st ? err.field : "",
                     cases[i].field);
        assert_null(cfg);
        assert_non_null(strstr(err.message, "指标配置"));
    }
}

/* Before live_from a derived indicator's values are entered (the old
 * system's figures, for 同比 in the first year); on and after it, computed.
 * Manual ones are always entered; without live_from, derived never are. */
static void live_from(void **state)
{
    static const char doc[] =
        "{\"indicators\": [{\"code\": \"r\", \"name\": \"结案率\", \"unit\": \"%\","
        " \"direction\": \"higher\", \"source\": \"derived\", \"derived\": \"cases.close_rate\"},"
        " {\"code\": \"m\", \"name\": \"投资\", \"unit\": \"万元\", \"direction\": \"higher\","
        " \"source\": \"manual\", \"aggregate\": \"sum\"}], \"live_from\": \"2023-01-01\"}";
    target_cfg_t *cfg;
    bh_err_t err;
    dt_day_t live = dt_day_from_ymd(2023, 1, 1);
    size_t len;
    const char *text = target_cfg_builtin_text(&len);
    (void)state;
    assert_int_equal(target_cfg_parse(doc, strlen(doc), &cfg, &err), BH_OK);
    assert_true(cfg->has_live_from);
    assert_int_equal(cfg->live_from, live);
    assert_true(ind_entered(cfg, &cfg->inds[0], live - 1));   /* 2022-12-31: the old figures */
    assert_false(ind_entered(cfg, &cfg->inds[0], live));      /* 2023-01-01: computed */
    assert_true(ind_entered(cfg, &cfg->inds[1], live + 100)); /* manual: always */
    cfg->has_live_from = false;
    assert_false(ind_entered(cfg, &cfg->inds[0], live - 1000));
    target_cfg_free(cfg);
    assert_int_equal(target_cfg_parse(text, len, &cfg, &err), BH_OK);
    assert_false(cfg->has_live_from); /* shipped: every derived value computed */
    target_cfg_free(cfg);
}

/*
 * A board by hand: four streets on 2023-06-30 (序时进度 by days 181/365),
 * 固定资产投资 (higher, weight 15 full at 100%) and 生产安全事故起数 (lower).
 */
static void board_by_hand(void **state)
{
    size_t len;
    const char *text = target_cfg_builtin_text(&len);
    target_cfg_t *cfg;
    bh_err_t err;
    cal_t *cal = cal_new_national();
    tgt_row_t r[4];
    const tgt_input_t inv[4] = {
        {true, true, true, 10000, 5280, 4700},  /* 52.8%: ahead by 3.2 points, 同比 +12.3% */
        {true, true, true, 10000, 4110, 4110},  /* 41.1%: behind by 8.5, 同比 flat */
        {true, true, false, 20000, 5000, 0},    /* 25.0%: 24.6 behind - red; no base */
        {true, false, true, 8000, 0, 100},      /* nothing entered */
    };
    const tgt_input_t acc[4] = {
        {true, true, true, 4, 2, 3},  /* under the ceiling: 200% */
        {true, true, true, 4, 8, 0},  /* twice the ceiling: 50%; last year 0 */
        {true, true, true, 4, 0, 1},  /* none: met, 100% */
        {true, true, true, 4, 4, 4},  /* at the ceiling: 100% */
    };
    (void)state;
    assert_int_equal(target_cfg_parse(text, len, &cfg, &err), BH_OK);
    target_board(cfg, target_cfg_indicator(cfg, "fixed_investment"), cal, year(2023),
                 dt_day_from_ymd(2023, 6, 30), inv, 4, r);
    /* fixed_investment counts by months: 6/12 */
    NEAR(r[0].time_progress, 0.5);
    NEAR(r[0].completion.value, 0.528);
    NEAR(r[0].gap.value, 0.028);
    NEAR(r[0].yoy.value, 580.0 / 4700);
    assert_null(r[0].card);
    assert_int_equal(r[0].rank, 1);
    NEAR(r[0].score, 15 * 0.528);       /* below full_at 1, proportional */
    NEAR(r[1].gap.value, 0.411 - 0.5);
    assert_string_equal(r[1].card, "blue"); /* −8.9 points: below −5, above −10 */
    NEAR(r[1].yoy.value, 0);
    assert_int_equal(r[1].rank, 2);
    assert_string_equal(r[2].card, "red");
    assert_int_equal(r[2].yoy.state, TGT_NO_BASE);
    assert_int_equal(r[2].rank, 3);
    assert_int_equal(r[3].completion.state, TGT_NO_ACTUAL);
    assert_int_equal(r[3].gap.state, TGT_NO_ACTUAL);
    assert_int_equal(r[3].rank, 0);
    assert_null(r[3].card);
    NEAR(r[3].score, 0);
    target_board(cfg, target_cfg_indicator(cfg, "safety_accidents"), cal, year(2023),
                 dt_day_from_ymd(2023, 6, 30), acc, 4, r);
    NEAR(r[0].time_progress, 1.0); /* a ceiling holds all year */
    NEAR(r[0].completion.value, 2.0);
    NEAR(r[1].completion.value, 0.5);
    NEAR(r[2].completion.value, 1.0);
    NEAR(r[3].completion.value, 1.0);
    assert_int_equal(r[0].rank, 1);
    assert_int_equal(r[2].rank, 2); /* tied with the fourth */
    assert_int_equal(r[3].rank, 2);
    assert_int_equal(r[1].rank, 4);
    assert_int_equal(r[1].yoy.state, TGT_ZERO_BASE);
    NEAR(r[2].yoy.value, -1.0);
    NEAR(r[0].score, 10);
    NEAR(r[1].score, 0); /* 50 points short at half a mark each: floored */
    /* a rate's 同比 is in points, and needs no non-zero base: 99.90% against 98.70% */
    {
        const tgt_input_t rate[2] = {{true, true, true, 0.98, 0.999, 0.987}, {true, true, true, 0.98, 0.9, 0}};
        target_board(cfg, target_cfg_indicator(cfg, "case_close_rate"), cal, year(2023),
                     dt_day_from_ymd(2023, 6, 30), rate, 2, r);
        NEAR(r[0].yoy.value, 0.012);
        NEAR(r[0].time_progress, 1.0); /* a rate's target holds at every date */
        NEAR(r[1].gap.value, 0.9 / 0.98 - 1);
        assert_string_equal(r[1].card, "blue"); /* 8.2 points short */
        assert_int_equal(r[1].yoy.state, TGT_OK);
        NEAR(r[1].yoy.value, 0.9);
        NEAR(r[0].score, 20);
        NEAR(r[1].score, 20 - (0.98 - 0.9 / 0.98) * 100); /* 完成率 91.8%: 6.2 points under full marks at 98% */
    }
    target_cfg_free(cfg);
    cal_free(cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(completion_both_directions),
        cmocka_unit_test(time_progress_each_basis),
        cmocka_unit_test(gap_wording),
        cmocka_unit_test(year_on_year),
        cmocka_unit_test(aggregation),
        cmocka_unit_test(cumulative_entries),
        cmocka_unit_test(ranking_with_ties),
        cmocka_unit_test(scoring),
        cmocka_unit_test(cards),
        cmocka_unit_test(flags),
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(shipped_indicators),
        cmocka_unit_test(indicator_errors),
        cmocka_unit_test(board_by_hand),
        cmocka_unit_test(live_from),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
