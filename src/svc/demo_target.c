/*
 * demo_target.c - the target loop of the demo district: the year's and
 * the year before's targets for the ten streets (every indicator) and the
 * departments (the case indicators), monthly actuals of the entered
 * indicators through June 2023 and all of 2022 (so 同比 has a base; one
 * street reports May as "1-5月累计"), some streets ahead of 序时进度 and
 * some behind, and the flags of January to June 2023 awarded.  The demo
 * district went live on 2023-01-01 (live_from in its imported rules): its
 * derived indicators (结案率, 巡查覆盖率…) are computed from the cases and
 * patrols from then on, and 2022's are the old system's monthly figures,
 * entered, so 同比 has a base for them too.  Everything goes through the
 * service, as an administrator would enter it.
 */
#include "svc/demo_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The demo's year and last complete month (demo_year_month), set by
 * demo_targets: 2023 and June for the seed's half-year. */
static int demo_year = 2023, demo_last_month = 6;

static const svc_user_t admin = {0, "admin", ROLE_ADMIN, "440303", false, 0};

static bh_status_t target(svc_t *s, const char *unit, const char *ind, int year, double v,
                          bh_err_t *err)
{
    char period[16];
    db_target_t t;
    snprintf(period, sizeof period, "%04d", year);
    return svc_target_set(s, &admin, &(svc_target_new_t){unit, ind, period, v, NULL}, &t, err);
}

static bh_status_t actual(svc_t *s, const char *unit, const char *ind, int year, int month,
                          bool cumulative, double v, double num, double den, bh_err_t *err)
{
    char period[16]; /* room for any int the compiler can imagine */
    db_actual_t x;
    svc_actual_new_t in = {unit, ind, period, cumulative, den <= 0, den > 0, v, num, den, NULL};
    snprintf(period, sizeof period, "%04d-%02d", year % 10000, month % 100);
    return svc_actual_enter(s, &admin, &in, &x, err);
}

/* The shipped rules with live_from at the demo year's first day. */
static bh_status_t go_live(svc_t *s, bh_err_t *err)
{
    size_t len;
    const char *text = target_cfg_builtin_text(&len);
    json_t *doc = json_loadb(text, len, 0, NULL);
    char *out;
    bh_status_t st;
    char day[16];
    snprintf(day, sizeof day, "%04d-01-01", demo_year % 10000);
    json_object_set_new(doc, "live_from", json_string(day));
    out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    st = svc_doc_import(s, s->targets, &admin, out, strlen(out), err);
    free(out);
    json_decref(doc);
    return st;
}

/* The old system's 2022 figures of a derived rate: each month 'den' cases
 * (or due patrols, hazards) and the share done near 'rate'. */
static bh_status_t history(svc_t *s, uint64_t *rng, const char *unit, const char *ind, double rate,
                           int den_lo, bh_err_t *err)
{
    bh_status_t st = BH_OK;
    for (int m = 1; !st && m <= 12; m++) {
        double den = den_lo + pick(rng, den_lo / 2 + 1);
        double r = rate - 0.04 + 0.05 * urand(rng);
        double num = (double)(long)(den * (r > 1 ? 1 : r) + 0.5);
        st = actual(s, unit, ind, demo_year - 1, m, false, 0, num, den, err);
    }
    return st;
}

/* One street's two years: investment paced by 'pace' (its share of the
 * annual target reached by mid-year), accidents and waste sorting. */
static bh_status_t street(svc_t *s, uint64_t *rng, const char *unit, int si, bh_err_t *err)
{
    static const char *const rates[][2] = {
        {"case_close_rate", "0.98"},      {"case_on_time_rate", "0.95"},
        {"case_satisfaction", "0.9"},     {"patrol_coverage", "0.95"},
        {"hazard_rectification", "0.95"},
    };
    double invest = 60000 + 10000 * pick(rng, 15), pace = 0.30 + 0.03 * si + 0.02 * urand(rng);
    double ceiling = 4 + pick(rng, 4), sorting = (35 + pick(rng, 10)) / 100.0;
    bh_status_t st = BH_OK;
    for (int y = demo_year - 1; !st && y <= demo_year; y++) {
        int months = y == demo_year ? demo_last_month : 12;
        double yinvest = y == demo_year ? invest : invest * 0.9, sum = 0;
        for (size_t i = 0; !st && i < sizeof rates / sizeof rates[0]; i++) {
            double rate = strtod(rates[i][1], NULL);
            st = target(s, unit, rates[i][0], y, rate, err);
            if (!st && y < demo_year)
                st = history(s, rng, unit, rates[i][0], rate, i < 3 ? 20 : 40, err);
        }
        if (!st)
            st = target(s, unit, "fixed_investment", y, yinvest, err);
        if (!st)
            st = target(s, unit, "safety_accidents", y, ceiling, err);
        if (!st)
            st = target(s, unit, "waste_sorting", y, sorting, err);
        for (int m = 1; !st && m <= months; m++) {
            /* mid-year at 'pace' of the target (last year at 0.45), the
             * rest of the year catching up to about 100% */
            double share = (y == demo_year ? pace : 0.45) / 6;
            double month = yinvest * (m <= 6 ? share : (1.0 - 6 * share) / 6) *
                           (0.9 + 0.2 * urand(rng));
            double den = 3000 + pick(rng, 1000);
            sum += month;
            /* the third street reports May as the total of January to May */
            if (y == demo_year && m == 5 && si == 2)
                st = actual(s, unit, "fixed_investment", y, m, true, sum, 0, 0, err);
            else
                st = actual(s, unit, "fixed_investment", y, m, false, month, 0, 0, err);
            if (!st)
                st = actual(s, unit, "safety_accidents", y, m, false,
                            pick(rng, 8) == 0 ? 1 + pick(rng, 2) : 0, 0, 0, err);
            if (!st)
                st = actual(s, unit, "waste_sorting", y, m, false, 0,
                            den * (sorting - 0.05 + 0.1 * urand(rng)), den, err);
        }
    }
    return st;
}

bh_status_t demo_targets(svc_t *s, const demo_opts_t *o, bh_err_t *err)
{
    demo_year_month(o, &demo_year, &demo_last_month);
    uint64_t rng = (o->seed ? o->seed : 1) * 0x9e3779b97f4a7c15ull | 1;
    db_unit_t *kids;
    int nkids;
    arena_t *a = arena_new();
    bh_status_t st = go_live(s, err);
    if (!st)
        st = svc_unit_list(s, "440303", a, &kids, &nkids, err);
    for (int i = 0, si = 0; !st && i < nkids; i++) {
        if (strcmp(kids[i].type, "street") == 0) {
            st = street(s, &rng, kids[i].code, si++, err);
        } else if (strcmp(kids[i].type, "department") == 0) {
            static const struct {
                const char *ind;
                double rate;
            } dept[] = {{"case_close_rate", 0.98}, {"case_on_time_rate", 0.95},
                        {"case_satisfaction", 0.9}};
            for (int y = demo_year - 1; !st && y <= demo_year; y++)
                for (size_t k = 0; !st && k < sizeof dept / sizeof dept[0]; k++) {
                    st = target(s, kids[i].code, dept[k].ind, y, dept[k].rate, err);
                    if (!st && y < demo_year)
                        st = history(s, &rng, kids[i].code, dept[k].ind, dept[k].rate, 10, err);
                }
        }
    }
    for (int m = 1; !st && m <= demo_last_month; m++) {
        db_flag_t *f;
        int n;
        st = svc_flags_award(s, &admin, "440303", demo_year, m, a, &f, &n, err);
        if (o->progress)
            o->progress("targets", m, demo_last_month, o->progress_ctx);
    }
    arena_free(a);
    return st;
}
