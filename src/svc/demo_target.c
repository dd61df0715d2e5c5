/*
 * demo_target.c - the target loop of the demo district: the year's and
 * the year before's targets for the ten streets (every indicator) and the
 * departments (the case indicators), monthly actuals of the entered
 * indicators through June 2023 and all of 2022 (so 同比 has a base; one
 * street reports May as "1-5月累计"), some streets ahead of 序时进度 and
 * some behind, and the flags of January to June 2023 awarded.  Everything
 * goes through the service, as an administrator would enter it.
 */
#include "svc/demo_int.h"

#include <stdio.h>
#include <string.h>

#define DEMO_YEAR 2023
#define DEMO_LAST_MONTH 6

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
    for (int y = DEMO_YEAR - 1; !st && y <= DEMO_YEAR; y++) {
        int months = y == DEMO_YEAR ? DEMO_LAST_MONTH : 12;
        double yinvest = y == DEMO_YEAR ? invest : invest * 0.9, sum = 0;
        for (size_t i = 0; !st && i < sizeof rates / sizeof rates[0]; i++)
            st = target(s, unit, rates[i][0], y, strtod(rates[i][1], NULL), err);
        if (!st)
            st = target(s, unit, "fixed_investment", y, yinvest, err);
        if (!st)
            st = target(s, unit, "safety_accidents", y, ceiling, err);
        if (!st)
            st = target(s, unit, "waste_sorting", y, sorting, err);
        for (int m = 1; !st && m <= months; m++) {
            /* mid-year at 'pace' of the target (last year at 0.45), the
             * rest of the year catching up to about 100% */
            double share = (y == DEMO_YEAR ? pace : 0.45) / 6;
            double month = yinvest * (m <= 6 ? share : (1.0 - 6 * share) / 6) *
                           (0.9 + 0.2 * urand(rng));
            double den = 3000 + pick(rng, 1000);
            sum += month;
            /* the third street reports May as the total of January to May */
            if (y == DEMO_YEAR && m == 5 && si == 2)
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
    uint64_t rng = (o->seed ? o->seed : 1) * 0x9e3779b97f4a7c15ull | 1;
    db_unit_t *kids;
    int nkids;
    arena_t *a = arena_new();
    bh_status_t st = svc_unit_list(s, "440303", a, &kids, &nkids, err);
    for (int i = 0, si = 0; !st && i < nkids; i++) {
        if (strcmp(kids[i].type, "street") == 0) {
            st = street(s, &rng, kids[i].code, si++, err);
        } else if (strcmp(kids[i].type, "department") == 0) {
            for (int y = DEMO_YEAR - 1; !st && y <= DEMO_YEAR; y++) {
                st = target(s, kids[i].code, "case_close_rate", y, 0.98, err);
                if (!st)
                    st = target(s, kids[i].code, "case_on_time_rate", y, 0.95, err);
                if (!st)
                    st = target(s, kids[i].code, "case_satisfaction", y, 0.9, err);
            }
        }
    }
    for (int m = 1; !st && m <= DEMO_LAST_MONTH; m++) {
        db_flag_t *f;
        int n;
        st = svc_flags_award(s, &admin, "440303", DEMO_YEAR, m, a, &f, &n, err);
        if (o->progress)
            o->progress("targets", m, DEMO_LAST_MONTH, o->progress_ctx);
    }
    arena_free(a);
    return st;
}
