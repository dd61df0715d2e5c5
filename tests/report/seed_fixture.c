/*
 * seed_fixture.c - the fidelity fixture of issue 12: into a database made
 * by `bihuan demo --cases 0`, the case loop of the seed's document D13
 * ("今年以来，共计上报案件11900件，结案率99.90%"): 11,900 cases reported
 * between 2023-01-03 and 2023-06-20, every one registered and dispatched
 * to its street; 11,888 handled and closed on time, 12 left in handling
 * since January, so past their deadline by 30 June.  结案率 = 结案数 /
 * 应结案数 = 11888 / 11900 = 99.899…% → "99.90%".
 * Usage: seed_fixture DB
 */
#include <stdio.h>
#include <string.h>

#include "svc/svc.h"

#define REPORTED 11900
#define OPEN 12
#define MINUTE (60 * 1000)

struct fill {
    svc_t *s;
    dt_ms_t now;
};

static bh_status_t fill_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct fill *f = ctx;
    dt_day_t first = dt_day_from_ymd(2023, 1, 3), last = dt_day_from_ymd(2023, 6, 20);
    for (int i = 0; i < REPORTED; i++) {
        char unit[16], grid[16];
        svc_case_new_t in = {0};
        case_event_t ev[6];
        int64_t id;
        int street = 1 + i % 10;
        bool open = i < OPEN; /* the first twelve, reported in January */
        dt_day_t day = first + (dt_day_t)((long)i * (last - first) / (REPORTED - 1));
        dt_ms_t t = dt_local_midnight(day) + (9 * 60 + i % 480) * MINUTE;
        snprintf(unit, sizeof unit, "440303%03d", street);
        snprintf(grid, sizeof grid, "440303%03d00101", street);
        in.category = "E0501";
        in.title = "占道经营";
        in.description = "门前早市摊位占用人行道";
        in.source = "grid";
        in.urgency = "normal";
        in.unit = grid;
        memset(ev, 0, sizeof ev);
        static const case_action_t acts[] = {CASE_ACT_REPORT, CASE_ACT_REGISTER,
                                             CASE_ACT_DISPATCH, CASE_ACT_ACCEPT,
                                             CASE_ACT_HANDLE, CASE_ACT_VERIFY_PASS};
        static const bh_role_t roles[] = {ROLE_REPORTER, ROLE_OPERATOR, ROLE_OPERATOR,
                                          ROLE_HANDLER, ROLE_HANDLER, ROLE_OPERATOR};
        int n = open ? 4 : 6;
        for (int k = 0; k < n; k++) {
            ev[k].action = acts[k];
            ev[k].role = roles[k];
            ev[k].actor = "fixture";
            ev[k].actor_unit = k == 0 || k >= 3 ? unit : "440303";
            ev[k].at = t + (dt_ms_t)k * 20 * MINUTE;
        }
        ev[2].to_unit = unit;
        ev[4].result = "已清理";
        bh_status_t st = svc_case_import_tx(f->s, c, &in, "fixture", ev, n, f->now, &id, err);
        if (st)
            return st;
    }
    return BH_OK;
}

int main(int argc, char **argv)
{
    svc_t s;
    db_t *db;
    bh_err_t err;
    if (argc != 2) {
        fprintf(stderr, "usage: seed_fixture DB\n");
        return 2;
    }
    if (db_sqlite_open(argv[1], 1, &db, &err) != BH_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    svc_init(&s, db, cat_set_builtin(), cal_new_national());
    struct fill f = {&s, svc_now()};
    size_t len;
    const char *body = cat_builtin_text(&len);
    if (svc_sync_categories(&s, body, len, false, &err) != BH_OK || db_write(db, fill_tx, &f, &err) != BH_OK) {
        fprintf(stderr, "seed_fixture: %s\n", err.message);
        return 1;
    }
    svc_fini(&s);
    printf("%d cases, %d open past their deadline\n", REPORTED, OPEN);
    return 0;
}
