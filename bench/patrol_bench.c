/*
 * patrol_bench.c - the patrol loop's two heavy computations.
 *
 *   bench_patrol due N [RUNS]
 *       core/patrol: the due patrols of N objects over 2023 (the shipped
 *       plans; the demo's mix of kinds and risk levels; each object with
 *       the check-ins its plans need, one in ten slots missed), as the
 *       due list and the figures compute them.  Baseline in the same run:
 *       the same N objects under a single monthly plan.
 *   bench_patrol stats DB N [RUNS]
 *       svc_patrol_stats over 2023 for the whole district, grouped by unit,
 *       once DB (a `bihuan demo --cases 0 --no-patrols` district) holds N
 *       check-ins (filled here on first use, straight into the store).
 *       Baseline in the same run: the same figures for one street.
 *
 * Prints every run and the medians.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "svc/svc.h"
#include "timing.h"
#include "util/xmalloc.h"

#define MAX_RUNS 32



/* ---- due ---- */

struct obj {
    patrol_object_t po;
    patrol_risk_t risk;
    dt_day_t visits[64];
    int nvisits;
};

/* The demo's mix per 13 objects: 10 components, 2 enterprises, 1 section. */
static void make_objects(const patrol_cfg_t *cfg, const cal_t *cal, struct obj *o, long n)
{
    static const char *const risks[] = {"red", "orange", "orange", "yellow", "yellow", "yellow",
                                        "blue", "blue", "blue", "blue"};
    dt_day_t y0 = dt_day_from_ymd(2023, 1, 1), y1 = dt_day_from_ymd(2023, 12, 31);
    patrol_slot_t slots[64];
    for (long i = 0; i < n; i++) {
        struct obj *x = &o[i];
        long k = i % 13;
        memset(x, 0, sizeof *x);
        x->po.grid = "44030300100101";
        x->po.created = y0 - 30;
        if (k < 10) {
            x->po.kind = "component";
        } else if (k < 12) {
            x->po.kind = "enterprise";
            x->po.type = "production";
            x->risk = (patrol_risk_t){x->po.created, risks[(i / 13 * 2 + k - 10) % 10]};
            x->po.risks = &x->risk;
            x->po.nrisks = 1;
        } else {
            x->po.kind = (i / 13) % 2 ? "forest_section" : "river_section";
        }
        int ns = patrol_slots(cfg, cal, &x->po, NULL, 0, y0, y1, y1, slots, 64, NULL);
        for (int s = 0; s < ns && s < 64; s++)
            if ((i + s) % 10 != 0 && x->nvisits < 64)
                x->visits[x->nvisits++] = slots[s].span.from + (slots[s].span.to - slots[s].span.from) / 2;
    }
}

static double due_run(const patrol_cfg_t *cfg, const cal_t *cal, const struct obj *o, long n,
                      patrol_tally_t *t)
{
    dt_day_t y0 = dt_day_from_ymd(2023, 1, 1), y1 = dt_day_from_ymd(2023, 12, 31);
    patrol_slot_t slots[64];
    double t0 = bench_secs();
    memset(t, 0, sizeof *t);
    for (long i = 0; i < n; i++) {
        int ns = patrol_slots(cfg, cal, &o[i].po, o[i].visits, o[i].nvisits, y0, y1, y1, slots, 64,
                              NULL);
        patrol_tally_add(t, slots, ns < 64 ? ns : 64);
    }
    return bench_secs() - t0;
}

static int bench_due(long n, long runs)
{
    bh_err_t err;
    size_t len;
    const char *text = patrol_cfg_builtin_text(&len);
    patrol_cfg_t *cfg, *monthly;
    cal_t *cal = cal_new_national();
    static const char one_plan[] =
        "{\"plans\":[{\"code\":\"m\",\"name\":\"每月\",\"kind\":\"component\",\"per\":\"month\"},"
        "{\"code\":\"e\",\"name\":\"每月\",\"kind\":\"enterprise\",\"per\":\"month\"},"
        "{\"code\":\"r\",\"name\":\"每月\",\"kind\":\"river_section\",\"per\":\"month\"},"
        "{\"code\":\"f\",\"name\":\"每月\",\"kind\":\"forest_section\",\"per\":\"month\"}],"
        "\"checklists\":[{\"code\":\"c\",\"name\":\"c\",\"kind\":\"component\",\"items\":[{\"code\":\"a\",\"label\":\"a\",\"options\":[\"y\",\"n\"]}]},"
        "{\"code\":\"e\",\"name\":\"e\",\"kind\":\"enterprise\",\"items\":[{\"code\":\"a\",\"label\":\"a\",\"options\":[\"y\",\"n\"]}]},"
        "{\"code\":\"r\",\"name\":\"r\",\"kind\":\"river_section\",\"items\":[{\"code\":\"a\",\"label\":\"a\",\"options\":[\"y\",\"n\"]}]},"
        "{\"code\":\"f\",\"name\":\"f\",\"kind\":\"forest_section\",\"items\":[{\"code\":\"a\",\"label\":\"a\",\"options\":[\"y\",\"n\"]}]}],"
        "\"supervisor\":\"s\",\"major_category\":\"S02\",\"max_distance_m\":500,"
        "\"general\":{\"name\":\"g\",\"days\":10,\"yellow\":6,\"red\":8},"
        "\"major\":{\"name\":\"m\",\"days\":30,\"yellow\":20,\"red\":25},\"hazard_types\":[]}";
    struct obj *o = xmalloc((size_t)n * sizeof *o), *m = xmalloc((size_t)n * sizeof *m);
    double shipped[MAX_RUNS], base[MAX_RUNS];
    patrol_tally_t t, tb;

    if (patrol_cfg_parse(text, len, &cfg, &err) || patrol_cfg_parse(one_plan, sizeof one_plan - 1,
                                                                    &monthly, &err)) {
        fprintf(stderr, "config: %s (%s)\n", err.message, err.field);
        return 1;
    }
    make_objects(cfg, cal, o, n);
    make_objects(monthly, cal, m, n);
    printf("due patrols over 2023, %ld objects, %ld runs\n", n, runs);
    for (long r = 0; r < runs; r++) {
        base[r] = due_run(monthly, cal, m, n, &tb);
        shipped[r] = due_run(cfg, cal, o, n, &t);
        printf("run %ld: shipped plans %.3f s (%.0f objects/s; due %lld, done %lld, missed %lld); "
               "one monthly plan %.3f s; ratio %.2f\n", r + 1, shipped[r], n / shipped[r],
               (long long)t.due, (long long)t.done, (long long)t.missed, base[r],
               shipped[r] / base[r]);
    }
    double ratios[MAX_RUNS];
    for (long r = 0; r < runs; r++)
        ratios[r] = shipped[r] / base[r];
    printf("median: shipped plans %.3f s (%.0f objects/s); one monthly plan %.3f s; ratio %.2f\n",
           bench_median(shipped, runs), n / bench_median(shipped, runs), bench_median(base, runs),
           bench_median(ratios, runs));
    free(o);
    free(m);
    patrol_cfg_free(cfg);
    patrol_cfg_free(monthly);
    cal_free(cal);
    return 0;
}

/* ---- stats ---- */

struct fill {
    db_object_t *objs;
    int nobjs;
    long from, to;
};

static bh_status_t fill_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct fill *f = ctx;
    dt_ms_t y0 = dt_local_midnight(dt_day_from_ymd(2023, 1, 1));
    char cid[32];
    for (long i = f->from; i < f->to; i++) {
        const db_object_t *o = &f->objs[i % f->nobjs];
        db_patrol_t p = {0};
        bh_status_t st;
        snprintf(cid, sizeof cid, "bench-%ld", i);
        p.client_id = cid;
        p.created_by = "bench";
        p.covered = -1;
        p.object_id = o->id;
        p.object_kind = o->kind;
        p.grid = o->grid;
        p.risk = o->risk;
        p.at = p.received_at = y0 + (dt_ms_t)((i * 7919) % (365L * 86400)) * 1000;
        p.has_location = true;
        p.lat = o->lat, p.lng = o->lng, p.accuracy = 10, p.distance_m = 5;
        p.answers = "{}";
        p.nhazards = i % 5 == 0;
        if ((st = DB(c, patrol, patrol_insert, &p, err)))
            return st;
        if (p.nhazards) {
            db_hazard_t h = {0};
            h.patrol_id = p.id;
            h.object_id = o->id;
            h.grid = o->grid;
            h.object_kind = o->kind;
            h.object_name = o->name;
            h.severity = "general";
            h.description = "bench";
            h.found_at = p.at;
            h.deadline = dt_local_day(p.at) + 14;
            h.status = i % 10 == 0 ? DB_HAZARD_OPEN : DB_HAZARD_RECTIFIED;
            h.rectified_at = h.status == DB_HAZARD_RECTIFIED ? p.at + 3 * DT_DAY_MS : 0;
            if ((st = DB(c, patrol, hazard_insert, &h, err)))
                return st;
        }
    }
    return BH_OK;
}

static int bench_stats(const char *path, long n, long runs)
{
    svc_t s;
    db_t *db;
    bh_err_t err;
    svc_user_t admin = {.username = "admin", .role = ROLE_ADMIN, .unit = "440303"};
    period_t y = {dt_day_from_ymd(2023, 1, 1), dt_day_from_ymd(2023, 12, 31)};
    dt_ms_t now = dt_local_midnight(dt_day_from_ymd(2024, 1, 1));
    double whole[MAX_RUNS], street[MAX_RUNS];
    long have = 0;
    bh_status_t st;

    if (db_sqlite_open(path, 1, &db, &err) != BH_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    svc_init(&s, db, cat_set_builtin(), cal_new_national());
    {
        db_patrol_filter_t f = {.limit = 1};
        db_patrol_t *p;
        int k;
        arena_t *a = arena_new();
        SVC_READ(&s, c, st, &err, DB(c, patrol, patrol_list, &f, a, &p, &k));
        if (st == BH_OK && k)
            have = (long)p[0].id;
        arena_free(a);
    }
    if (have < n) {
        struct fill f = {0};
        db_object_filter_t of = {.grid = db_scope("440303")};
        arena_t *a = arena_new();
        double t0 = bench_secs();
        SVC_READ(&s, c, st, &err, DB(c, registry, object_list, &of, a, &f.objs, &f.nobjs));
        if (st || f.nobjs == 0) {
            fprintf(stderr, "no objects in %s: build it with bihuan demo --cases 0 --no-patrols\n", path);
            return 1;
        }
        for (f.from = have; f.from < n; f.from = f.to) {
            f.to = f.from + 20000 < n ? f.from + 20000 : n;
            if (db_write(db, fill_tx, &f, &err) != BH_OK) {
                fprintf(stderr, "fill: %s\n", err.message);
                return 1;
            }
            fprintf(stderr, "\rfilling %ld/%ld", f.to, n);
        }
        fprintf(stderr, "\nfilled %ld check-ins in %.1f s\n", n - have, bench_secs() - t0);
        arena_free(a);
    }
    printf("patrol stats over 2023, %ld check-ins, %ld runs\n", n, runs);
    for (long r = 0; r < runs; r++) {
        svc_patrol_figures_t *rows;
        int nrows;
        int64_t visits = 0;
        arena_t *a = arena_new();
        double t0 = bench_secs();
        if ((st = svc_patrol_stats(&s, &admin, "440303", y, SVC_PATROL_GROUP_UNIT, now, a, &rows,
                                   &nrows, &err))) {
            fprintf(stderr, "stats: %s\n", err.message);
            return 1;
        }
        whole[r] = bench_secs() - t0;
        for (int i = 0; i < nrows; i++)
            visits += rows[i].visits;
        arena_reset(a);
        t0 = bench_secs();
        if ((st = svc_patrol_stats(&s, &admin, "440303001", y, SVC_PATROL_GROUP_UNIT, now, a, &rows,
                                   &nrows, &err))) {
            fprintf(stderr, "stats: %s\n", err.message);
            return 1;
        }
        street[r] = bench_secs() - t0;
        arena_free(a);
        printf("run %ld: district by street %.3f s (%lld visits); one street by community %.3f s\n",
               r + 1, whole[r], (long long)visits, street[r]);
    }
    printf("median: district %.3f s; one street %.3f s\n", bench_median(whole, runs), bench_median(street, runs));
    svc_fini(&s);
    db_close(db);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "due") == 0) {
        long runs = argc > 3 ? atol(argv[3]) : 5;
        return bench_due(atol(argv[2]), runs < 1 ? 1 : runs > MAX_RUNS ? MAX_RUNS : runs);
    }
    if (argc >= 4 && strcmp(argv[1], "stats") == 0) {
        long runs = argc > 4 ? atol(argv[4]) : 5;
        return bench_stats(argv[2], atol(argv[3]), runs < 1 ? 1 : runs > MAX_RUNS ? MAX_RUNS : runs);
    }
    fprintf(stderr, "usage: bench_patrol due N [RUNS] | bench_patrol stats DB N [RUNS]\n");
    return 2;
}
