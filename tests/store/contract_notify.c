/*
 * contract_notify.c - the store contract of the notifications outbox: a
 * notice once per event and channel, a lease that one holder has at a
 * time, outcomes recorded only by the holder, dead ones sent again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "contract.h"

#define T0 1800000000000LL

struct lease {
    const char *holder;
    dt_ms_t now;
    arena_t *a;
    db_notice_t *rows;
    int n;
};

static bh_status_t add_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    db_notice_t *n = ctx;
    bool added;
    bh_status_t st = DB(c, notify, notice_add, n, &added);
    (void)err;
    if (st == BH_OK && !added)
        n->id = -1;
    return st;
}

static bh_status_t lease_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct lease *l = ctx;
    (void)err;
    return DB(c, notify, notice_lease, l->now, 60000, l->holder, 10, l->a, &l->rows, &l->n);
}

struct finish {
    int64_t id;
    const char *holder, *status, *error;
    int attempts;
    dt_ms_t next_at;
    bool won;
};

static bh_status_t finish_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct finish *f = ctx;
    (void)err;
    return DB(c, notify, notice_finish, f->id, f->holder, f->status, f->attempts, f->next_at,
              f->error, T0 + 5, &f->won);
}

struct retry {
    int64_t id;
    bool won;
};

static bh_status_t retry_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct retry *r = ctx;
    (void)err;
    return DB(c, notify, notice_retry, r->id, T0 + 100, &r->won);
}

static db_notice_t notice(const char *dedupe, const char *channel, dt_ms_t due)
{
    db_notice_t n = {.dedupe = dedupe, .channel = channel, .event = "dispatch", .unit = "440303001",
                     .ref = "case:1", .subject = "【派遣】井盖缺失", .body = "案件编号：1",
                     .data = "{\"case\":{\"id\":1}}", .next_at = due, .created_at = T0};
    return n;
}

void notices(void **state)
{
    db_notice_t a = notice("case:1:event:3", "hook", T0), b = notice("case:1:event:3", "mail", T0),
                twin = notice("case:1:event:3", "hook", T0), later = notice("case:1:event:4", "hook", T0 + 1000),
                got, *rows;
    struct lease l1 = {"one", T0, arena_new(), NULL, 0}, l2 = {"two", T0, l1.a, NULL, 0};
    struct finish f;
    struct retry r;
    int64_t counts[3];
    db_conn_t *c;
    bh_err_t err;
    int n;
    (void)state;
    /* once per event and channel */
    assert_int_equal(db_write(db, add_tx, &a, &err), BH_OK);
    assert_int_equal(db_write(db, add_tx, &b, &err), BH_OK);
    assert_int_equal(db_write(db, add_tx, &twin, &err), BH_OK);
    assert_int_equal(db_write(db, add_tx, &later, &err), BH_OK);
    assert_true(a.id > 0 && b.id > a.id && later.id > b.id);
    assert_int_equal(twin.id, -1);
    /* the due ones, leased to one holder at a time */
    assert_int_equal(db_write(db, lease_tx, &l1, &err), BH_OK);
    assert_int_equal(l1.n, 2);
    assert_int_equal(l1.rows[0].id, a.id);
    assert_string_equal(l1.rows[1].channel, "mail");
    assert_string_equal(l1.rows[0].status, "pending");
    assert_int_equal(db_write(db, lease_tx, &l2, &err), BH_OK);
    assert_int_equal(l2.n, 0);
    /* only the holder records; a failure waits for its next try */
    f = (struct finish){a.id, "two", "sent", NULL, 1, T0, false};
    assert_int_equal(db_write(db, finish_tx, &f, &err), BH_OK);
    assert_false(f.won);
    f = (struct finish){a.id, "one", "pending", "HTTP 500", 1, T0 + 30000, false};
    assert_int_equal(db_write(db, finish_tx, &f, &err), BH_OK);
    assert_true(f.won);
    f = (struct finish){b.id, "one", "dead", "HTTP 404", 1, T0, false};
    assert_int_equal(db_write(db, finish_tx, &f, &err), BH_OK);
    assert_true(f.won);
    /* a lapsed lease is anyone's: later is due at T0 + 1000, a at T0 + 30000 */
    l2.now = T0 + 60000;
    assert_int_equal(db_write(db, lease_tx, &l2, &err), BH_OK);
    assert_int_equal(l2.n, 2);
    assert_int_equal(l2.rows[0].id, later.id);
    assert_int_equal(l2.rows[1].attempts, 1);
    f = (struct finish){a.id, "two", "sent", NULL, 2, T0, false};
    assert_int_equal(db_write(db, finish_tx, &f, &err), BH_OK);
    assert_true(f.won);
    f.won = false;
    assert_int_equal(db_write(db, finish_tx, &f, &err), BH_OK);
    assert_false(f.won); /* recorded once */
    /* the last error is kept once sent; the dead one is sent again */
    assert_int_equal(db_reader(db, &c), BH_OK);
    assert_int_equal(DB(c, notify, notice_get, a.id, l1.a, &got), BH_OK);
    assert_string_equal(got.status, "sent");
    assert_string_equal(got.last_error, "HTTP 500");
    assert_int_equal(got.sent_at, T0 + 5);
    assert_int_equal(got.attempts, 2);
    assert_string_equal(got.data, "{\"case\":{\"id\":1}}");
    assert_int_equal(DB(c, notify, notice_counts, counts), BH_OK);
    assert_true(counts[0] == 1 && counts[1] == 1 && counts[2] == 1);
    assert_int_equal(DB(c, notify, notice_list, "dead", 0, 10, l1.a, &rows, &n), BH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, b.id);
    assert_int_equal(DB(c, notify, notice_list, NULL, later.id, 10, l1.a, &rows, &n), BH_OK);
    assert_int_equal(n, 2); /* below the cursor, newest first */
    assert_int_equal(rows[0].id, b.id);
    db_reader_done(db, c);
    r = (struct retry){a.id, false};
    assert_int_equal(db_write(db, retry_tx, &r, &err), BH_OK);
    assert_false(r.won); /* sent: nothing to retry */
    r.id = b.id;
    assert_int_equal(db_write(db, retry_tx, &r, &err), BH_OK);
    assert_true(r.won);
    l1.now = T0 + 100;
    assert_int_equal(db_write(db, lease_tx, &l1, &err), BH_OK);
    assert_int_equal(l1.n, 1);
    assert_int_equal(l1.rows[0].id, b.id);
    assert_int_equal(l1.rows[0].attempts, 0);
    arena_free(l1.a);
}
