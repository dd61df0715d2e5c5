/*
 * sweep_bench.c - the SLA sweep over many open cases.
 *
 * Builds (once) a database of N open cases - reported, registered and
 * dispatched at instants spread over the last 30 days - then times:
 *   tick:  svc_sweep(now) as the server runs it every second, when only
 *          the cases whose light changes in that second are due;
 *   burst: svc_sweep(now + 2r days) in run r, re-evaluating every case whose light
 *          changes by then (cases/s).
 * Usage: bench_sweep DB N [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "svc/svc.h"
#include "timing.h"


struct fill {
    svc_t *s;
    long from, to;
    dt_ms_t now;
};

static bh_status_t unit_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    db_unit_t d = {"440303", NULL, "示范区", "district", true};
    db_unit_t g = {"44030300100101", "440303", "网格", "grid", true};
    db_unit_t h = {"440303-CG", "440303", "城市管理局", "department", true};
    bh_status_t st;
    (void)ctx;
    if ((st = DB(c, registry, unit_put, &d, err)) || (st = DB(c, registry, unit_put, &g, err)))
        return st;
    return DB(c, registry, unit_put, &h, err);
}

static bh_status_t fill_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct fill *f = ctx;
    static const char *const cats[] = {"E0501", "C0101", "H02", "V01", "S01", "P01"};
    for (long i = f->from; i < f->to; i++) {
        svc_case_new_t in = {0};
        case_event_t ev[3];
        int64_t id;
        dt_ms_t t = f->now - (dt_ms_t)(i * 7919 % (30L * 86400)) * 1000; /* last 30 days */
        bh_status_t st;
        memset(ev, 0, sizeof ev);
        in.category = cats[i % 6];
        in.title = "巡检基准";
        in.description = "时限巡检基准案件";
        in.source = "grid";
        in.unit = "44030300100101";
        ev[0].action = CASE_ACT_REPORT;
        ev[0].role = ROLE_REPORTER;
        ev[0].at = t;
        ev[1].action = CASE_ACT_REGISTER;
        ev[1].role = ROLE_OPERATOR;
        ev[1].at = t + 60000;
        ev[2].action = CASE_ACT_DISPATCH;
        ev[2].role = ROLE_OPERATOR;
        ev[2].to_unit = "440303-CG";
        ev[2].at = t + 120000;
        if ((st = svc_case_import_tx(f->s, c, &in, "bench", ev, 3, f->now, &id, err)))
            return st;
    }
    return BH_OK;
}

int main(int argc, char **argv)
{
    svc_t s;
    db_t *db;
    bh_err_t err;
    long n, runs, have;
    double tick[32], burst[32];
    int burst_n[32];

    if (argc < 3) {
        fprintf(stderr, "usage: bench_sweep DB N [RUNS]\n");
        return 2;
    }
    n = atol(argv[2]);
    runs = argc > 3 ? atol(argv[3]) : 5;
    if (runs > 32)
        runs = 32;
    if (db_sqlite_open(argv[1], 1, &db, &err) != BH_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    svc_init(&s, db, cat_set_builtin(), cal_new_national());
    {
        size_t len;
        const char *body = cat_builtin_text(&len);
        svc_sync_categories(&s, body, len, false, &err);
    }
    {
        int64_t counts[CASE_ST__COUNT][SLA_LIGHT_OVERDUE + 1];
        if (svc_case_counts(&s, counts, &err) != BH_OK) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        have = 0;
        for (int l = 0; l <= SLA_LIGHT_OVERDUE; l++)
            have += counts[CASE_ST_DISPATCHED][l];
    }
    if (have < n) {
        struct fill f = {&s, have, have, svc_now()};
        double t0 = bench_secs();
        db_write(db, unit_tx, NULL, &err);
        while (f.from < n) {
            f.to = f.from + 20000 < n ? f.from + 20000 : n;
            if (db_write(db, fill_tx, &f, &err) != BH_OK) {
                fprintf(stderr, "fill: %s\n", err.message);
                return 1;
            }
            f.from = f.to;
            fprintf(stderr, "\rfilling %ld/%ld", f.from, n);
        }
        fprintf(stderr, "\nfilled %ld open cases in %.1f s\n", n - have, bench_secs() - t0);
        svc_sweep(&s, svc_now(), &err); /* settle */
    }
    for (long r = 0; r < runs; r++) {
        double t0 = bench_secs();
        svc_sweep(&s, svc_now(), &err);
        tick[r] = (bench_secs() - t0) * 1000;
        t0 = bench_secs();
        burst_n[r] = svc_sweep(&s, svc_now() + (dt_ms_t)(r + 1) * 2 * DT_DAY_MS, &err);
        burst[r] = bench_secs() - t0;
        sleep(1);
    }
    printf("open cases: %ld\n", n);
    for (long r = 0; r < runs; r++)
        printf("run %ld: tick %.2f ms; burst %d cases in %.3f s (%.0f cases/s)\n", r + 1, tick[r],
               burst_n[r], burst[r], burst_n[r] / (burst[r] > 0 ? burst[r] : 1));
    printf("median tick: %.2f ms\n", bench_median(tick, runs));
    svc_fini(&s);
    db_close(db);
    return 0;
}
