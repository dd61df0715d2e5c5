/*
 * stats_bench.c - GET /api/v1/stats/cases's store query from the roll-ups
 * against the full scan (db_stats_query_t.scan, the reference), on an
 * existing demo database.
 *
 * For each unit (the district, a street, a community, a department) ×
 * grouping (none, unit, category, source) × period (the half-year and the
 * year, as of their end), RUNS runs of each way in alternation; prints the
 * medians in ms and the scan's multiple of the roll-ups, and checks the two
 * answers are equal.  SCAN_RUNS (default RUNS) runs the scan fewer times -
 * at 10M one scan takes seconds; 0 leaves it out.  H1: the half-year only
 * (a demo's cases are all in it: the year reads the same rows).
 * Usage: bench_stats DB YEAR [RUNS [SCAN_RUNS [H1]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/datetime.h"
#include "core/unitcode.h"
#include "store/db.h"
#include "timing.h"

static double once(db_t *db, db_stats_query_t *q, db_stats_row_t **rows, int *n, arena_t *a)
{
    db_conn_t *c;
    bh_err_t err;
    double t0 = bench_secs();
    if (db_reader(db, &c) != BH_OK || DB(c, cases, stats, q, a, rows, n, &err) != BH_OK) {
        fprintf(stderr, "stats failed: %s\n", err.message);
        exit(1);
    }
    db_reader_done(db, c);
    return (bench_secs() - t0) * 1000;
}

static bool same(const db_stats_row_t *a, int na, const db_stats_row_t *b, int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++)
        if (strcmp(a[i].key, b[i].key) || memcmp(a[i].f.n, b[i].f.n, sizeof a[i].f.n) ||
            a[i].f.handle_n != b[i].f.handle_n)
            return false;
    return true;
}

int main(int argc, char **argv)
{
    static const char *const units[] = {"440303", "440303001", "440303001001", "440303-CG"};
    static const char *const groups[] = {"none", "unit", "category", "source"};
    db_t *db;
    bh_err_t err;
    int year = argc > 2 ? atoi(argv[2]) : 2023, runs = argc > 3 ? atoi(argv[3]) : 5;
    int scans = argc > 4 ? atoi(argv[4]) : runs;
    int periods = argc > 5 && strcmp(argv[5], "H1") == 0 ? 1 : 2;
    char url[512];
    double *tr = calloc((size_t)runs, sizeof *tr), *ts = calloc((size_t)runs, sizeof *ts);
    int bad = 0;

    if (argc < 3 || runs < 1 || scans < 0 || scans > runs) {
        fprintf(stderr, "usage: bench_stats DB YEAR [RUNS [SCAN_RUNS [H1]]]\n");
        return 2;
    }
    snprintf(url, sizeof url, "sqlite:%s", argv[1]);
    if (db_open(url, 2, &db, &err) != BH_OK) {
        fprintf(stderr, "cannot open %s: %s\n", argv[1], err.message);
        return 1;
    }
    printf("%-14s %-9s %-6s %9s %9s %7s %8s\n", "unit", "group_by", "period", "rollup", "scan",
           "ratio", "groups");
    for (int p = 0; p < periods; p++)
        for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
            for (int g = 0; g < 4; g++) {
                db_stats_query_t q = {0};
                db_stats_row_t *rr = NULL, *rs = NULL;
                int nr = 0, ns = 0;
                q.unit = db_scope(units[u]);
                q.group_by = g;
                q.key_len = unit_child_code_len(units[u]);
                q.from = dt_local_midnight(dt_day_from_ymd(year, 1, 1));
                q.to = dt_local_midnight(p ? dt_day_from_ymd(year + 1, 1, 1)
                                           : dt_day_from_ymd(year, 7, 1));
                q.as_of = q.to;
                for (int r = 0; r < runs; r++) {
                    arena_t *a = arena_new(), *b = arena_new();
                    q.scan = false;
                    tr[r] = once(db, &q, &rr, &nr, a);
                    if (r >= scans) {
                        arena_free(a);
                        arena_free(b);
                        continue;
                    }
                    q.scan = true;
                    ts[r] = once(db, &q, &rs, &ns, b);
                    if (r == 0 && !same(rr, nr, rs, ns)) {
                        fprintf(stderr, "DIFFERENT: %s %s\n", units[u], groups[g]);
                        bad = 1;
                    }
                    arena_free(a);
                    arena_free(b);
                }
                double mr = bench_median(tr, runs), ms = scans ? bench_median(ts, scans) : 0;
                printf("%-14s %-9s %-6s %9.1f %9.1f %6.0f× %8d\n", units[u], groups[g],
                       p ? "year" : "H1", mr, ms, ms / mr, nr);
                fflush(stdout);
            }
    db_close(db);
    return bad;
}
