/*
 * contract_bulk.c - a bulk load ends with the roll-ups and the search
 * index the triggers and the commits would have kept: cases written
 * between bulk_begin and bulk_end, filled in ranges that cut days and
 * the cases already there, are then all found by search and counted
 * exactly (stats_rebuild finds nothing to correct); a store left in the
 * middle of a load does not open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "contract.h"

#define NLOAD 700
#define TB 1770000000000LL /* 2026-02-02 */

struct load {
    int64_t first, lo, hi;
    db_bulk_check_t check;
    int64_t rebuilt[2];
};

static bh_status_t begin_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    return DB(c, ops, bulk_begin, &((struct load *)ctx)->first, err);
}

static bh_status_t cases_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    static const char *const units[] = {"44030600100101", "44030600200101", "440306-CG"};
    static const char *const cats[] = {"E0501", "E0502", "C0101"};
    (void)ctx;
    for (int i = 0; i < NLOAD; i++) {
        db_case_t k = new_case(units[i % 3], i % 4 ? "440306-CG" : NULL, NULL);
        bh_status_t st;
        k.title = "批量写入的案件";
        k.category = cats[i % 3];
        k.created_at = k.updated_at = TB + (int64_t)i * 600000; /* 144 a day: ranges cut days */
        if (i % 2) {
            k.registered_at = k.created_at + 1000;
            k.due_at = k.created_at + 86400000LL * (i % 5);
        }
        if (i % 3 == 0) {
            k.closed_at = k.created_at + 7200000;
            k.on_time = i % 2;
            k.status = CASE_ST_CLOSED;
        }
        if ((st = DB(c, cases, case_insert, &k, err)))
            return st;
    }
    return BH_OK;
}

static bh_status_t fill_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct load *x = ctx;
    return DB(c, ops, bulk_fill, x->lo, x->hi, err);
}

static bh_status_t end_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    return DB(c, ops, bulk_end, &((struct load *)ctx)->check, err);
}

static bh_status_t rebuild_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct load *x = ctx;
    return DB(c, cases, stats_rebuild, &x->rebuilt[0], &x->rebuilt[1], err);
}

void bulk_load_as_kept(void **state)
{
    struct load x;
    bh_err_t err;
    db_t *again;
    db_conn_t *c;
    db_case_filter_t f;
    db_case_t *rows;
    const char *next;
    arena_t *a = arena_new();
    int n, found = 0;
    (void)state;

    memset(&x, 0, sizeof x);
    assert_int_equal(db_write(db, begin_tx, &x, &err), BH_OK);
    assert_true(x.first > 0);
    /* one load at a time */
    assert_int_equal(db_write(db, begin_tx, &x, &err), BH_FAILED_PRECONDITION);
    assert_int_equal(db_write(db, cases_tx, &x, &err), BH_OK);
    /* cut short here, the store would not open */
    assert_int_equal(db_open(contract_url, 1, &again, &err), BH_FAILED_PRECONDITION);
    assert_non_null(strstr(err.message, "批量写入"));
    for (x.lo = x.first; x.lo < x.first + NLOAD; x.lo = x.hi) {
        x.hi = x.lo + 97;
        assert_int_equal(db_write(db, fill_tx, &x, &err), BH_OK);
    }
    assert_int_equal(db_write(db, end_tx, &x, &err), BH_OK);
    assert_int_equal(x.check.cases, NLOAD);
    assert_int_equal(x.check.indexed, NLOAD);
    assert_int_equal(x.check.counted, x.check.all_cases);
    assert_true(x.check.all_cases >= NLOAD);
    /* the roll-ups are those of the cases, old and new */
    assert_int_equal(db_write(db, rebuild_tx, &x, &err), BH_OK);
    assert_true(x.rebuilt[0] > 0);
    assert_int_equal(x.rebuilt[1], 0);
    /* the search index has every case of the load */
    memset(&f, 0, sizeof f);
    f.status = f.light = -1;
    f.search = "批量写入";
    f.limit = 200;
    assert_int_equal(db_reader(db, &c), BH_OK);
    do {
        assert_int_equal(DB(c, cases, case_list, &f, a, &rows, &n, &next, &err), BH_OK);
        found += n;
        f.cursor = next;
    } while (next);
    db_reader_done(db, c);
    assert_int_equal(found, NLOAD);
    /* and the store opens again; the triggers are back */
    assert_int_equal(db_open(contract_url, 1, &again, &err), BH_OK);
    db_close(again);
    assert_int_equal(db_write(db, end_tx, &x, &err), BH_FAILED_PRECONDITION);
    arena_free(a);
}
