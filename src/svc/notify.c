/*
 * notify.c - notifications: the document in force (channels, rules,
 * retries; core/notify.h), the notices an event adds to the outbox inside
 * its own write, and the deliverer's round: lease what is due, send it
 * (notify_send.c) outside any transaction, record how it went - sent,
 * tried again after a growing delay, or dead after the last try, where
 * an administrator sees it and may send it again.
 *
 * Exactly once per event and channel in the outbox (the store's dedupe
 * key; a restart or a sweep that sees the same light again adds
 * nothing).  Delivery is at least once: a server that dies between a
 * receiver's answer and recording it sends again after the lease lapses;
 * every request carries the notice's id for receivers that must not see
 * a twin (X-Bihuan-Delivery, the e-mail's Message-ID).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "svc/notify_send.h"
#include "svc/svc.h"

static bh_status_t parse(const char *json, size_t len, void **out, bh_err_t *err)
{
    return notify_cfg_parse(json, len, (notify_cfg_t **)out, err);
}

static void release(void *cfg)
{
    notify_cfg_free(cfg);
}

static const svc_doc_kind_t notify_doc = {
    "notify", "通知配置", "notify.config", "notify_config",
    notify_cfg_builtin_text, parse, release,
};

void svc_notify_init(svc_t *s)
{
    s->notify = svc_doc_new(&notify_doc);
}

void svc_notify_fini(svc_t *s)
{
    svc_doc_free(s->notify);
    s->notify = NULL;
}

const notify_cfg_t *svc_notify_cfg(svc_t *s, bh_err_t *err)
{
    return svc_doc_current(s, s->notify, err);
}

/* ---- adding notices, inside the event's write ---- */

static const char *unit_name(db_conn_t *c, arena_t *a, const char *code)
{
    db_unit_t u;
    if (!code)
        return NULL;
    return DB(c, registry, unit_get, code, a, &u) == BH_OK ? u.name : code;
}

/* Add the notice of event 'e' about 'units' to every channel the rules
 * route it to.  'dedupe' names the event: the same one is added once. */
static bh_status_t add(svc_t *s, db_conn_t *c, arena_t *a, const notify_cfg_t *cfg,
                       notify_event_t e, const char *const units[2], const char *category,
                       const char *dedupe, const char *ref, const notify_facts_t *f, json_t *data)
{
    const char *keys[64], *subject, *text;
    int n = notify_route(cfg, e, units, 2, category, keys, 64);
    char *json;
    bh_status_t st = BH_OK;
    dt_ms_t now = svc_now();
    if (!n) {
        json_decref(data);
        return BH_OK;
    }
    notify_wording(f, cfg->base_url, a, &subject, &text);
    json_object_set_new(data, "event", json_string(notify_event_name(e)));
    json = json_dumps(data, JSON_COMPACT);
    json_decref(data);
    for (int i = 0; st == BH_OK && i < n; i++) {
        db_notice_t nt = {.dedupe = dedupe, .channel = keys[i], .event = notify_event_name(e),
                          .unit = units[0], .ref = ref, .subject = subject, .body = text,
                          .data = json, .next_at = now, .created_at = now};
        bool added;
        if ((st = DB(c, notify, notice_add, &nt, &added)) == BH_OK && added)
            atomic_store(&s->notices_waiting, true);
    }
    free(json);
    return st;
}

/* The clock that gives the case its light (the first with it). */
static int worst_clock(const sla_policy_t *p, const sla_clock_state_t *clocks, sla_light_t light)
{
    for (int i = 0; i < p->nclocks; i++)
        if (clocks[i].started && !clocks[i].stopped && clocks[i].light == light)
            return i;
    return -1;
}

static bool routed(const notify_cfg_t *cfg, notify_event_t e)
{
    for (int i = 0; i < cfg->nrules; i++)
        if (cfg->rules[i].event == e)
            return true;
    return false;
}

bh_status_t svc_notify_case(svc_t *s, db_conn_t *c, arena_t *a, const db_case_t *k,
                            const case_event_t *ev, int seq, sla_light_t old_light,
                            const sla_clock_state_t *clocks)
{
    const notify_cfg_t *cfg = svc_notify_cfg(s, NULL);
    const sla_policy_t *p;
    const cat_t *cat;
    notify_event_t todo[3];
    int ntodo = 0;
    bh_status_t st = BH_OK;

    if (!cfg || !cfg->nrules)
        return BH_OK;
    if (ev && ev->action == CASE_ACT_DISPATCH)
        todo[ntodo++] = NOTIFY_DISPATCH;
    if (ev && ev->action == CASE_ACT_SUPERVISE)
        todo[ntodo++] = NOTIFY_SUPERVISE;
    if (k->light == SLA_LIGHT_OVERDUE && old_light < SLA_LIGHT_OVERDUE)
        todo[ntodo++] = NOTIFY_OVERDUE;
    else if (k->light == SLA_LIGHT_RED && old_light < SLA_LIGHT_RED)
        todo[ntodo++] = NOTIFY_RED_LIGHT;
    for (int i = 0; i < ntodo && st == BH_OK; i++) {
        notify_event_t e = todo[i];
        const char *units[2] = {k->unit, k->handling_unit};
        char ref[32], *dedupe;
        notify_facts_t f = {.event = e, .title = k->title};
        json_t *data;
        int clk = -1;
        if (!routed(cfg, e))
            continue;
        p = svc_case_policy(s, k);
        cat = svc_case_category(s, k);
        snprintf(ref, sizeof ref, "case:%lld", (long long)k->id);
        f.number = svc_case_number(k, a);
        f.category = cat ? cat->name : k->category;
        f.place = unit_name(c, a, k->unit);
        f.handler = unit_name(c, a, k->handling_unit);
        f.path = arena_printf(a, "#/cases/%lld", (long long)k->id);
        if (e == NOTIFY_DISPATCH || e == NOTIFY_SUPERVISE) {
            dedupe = arena_printf(a, "%s:event:%d", ref, seq);
            f.deadline = k->due_at;
            f.note = ev->note;
            f.level = e == NOTIFY_SUPERVISE ? ev->level : 0;
        } else {
            clk = worst_clock(p, clocks, k->light);
            /* once per light, clock and version: a sweep that finds the
             * same light again, or a restart, adds nothing */
            dedupe = arena_printf(a, "%s:%s:%s:v%lld", ref, notify_event_name(e),
                                  clk >= 0 ? p->clock[clk].name : "", (long long)k->version);
            f.clock = clk >= 0 ? p->clock[clk].label : NULL;
            f.deadline = clk >= 0 ? clocks[clk].deadline : k->due_at;
        }
        data = json_pack("{s:{s:I, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s}}", "case", "id",
                         (json_int_t)k->id, "number", f.number, "title", k->title, "category",
                         k->category, "unit", k->unit, "handling_unit", k->handling_unit,
                         "category_name", f.category, "status", case_state_name(k->status),
                         "light", sla_light_name(k->light));
        if (f.deadline) {
            char t[40];
            json_object_set_new(data, "deadline", json_string(dt_format_instant(f.deadline, t, sizeof t)));
        }
        if (clk >= 0)
            json_object_set_new(data, "clock", json_string(p->clock[clk].name));
        if (f.level)
            json_object_set_new(data, "level", json_integer(f.level));
        if (f.note)
            json_object_set_new(data, "note", json_string(f.note));
        st = add(s, c, a, cfg, e, units, k->category, dedupe, ref, &f, data);
    }
    return st;
}

bh_status_t svc_notify_hazard(svc_t *s, db_conn_t *c, arena_t *a, const db_hazard_t *h,
                              const char *department)
{
    const notify_cfg_t *cfg = svc_notify_cfg(s, NULL);
    const char *units[2] = {h->grid, department};
    notify_facts_t f = {.event = NOTIFY_MAJOR_HAZARD};
    char ref[32], day[16];
    json_t *data;
    if (!cfg || !routed(cfg, NOTIFY_MAJOR_HAZARD))
        return BH_OK;
    snprintf(ref, sizeof ref, "hazard:%lld", (long long)h->id);
    f.number = arena_printf(a, "%lld", (long long)h->id);
    f.title = arena_printf(a, "%s：%s", h->object_name, h->description);
    f.place = unit_name(c, a, h->grid);
    f.handler = unit_name(c, a, department);
    f.deadline = dt_local_midnight(h->deadline + 1) - 1;
    f.note = h->supervisor ? arena_printf(a, "%s（%s）", h->description, h->supervisor)
                           : h->description;
    f.path = h->case_id ? arena_printf(a, "#/cases/%lld", (long long)h->case_id) : NULL;
    data = json_pack("{s:{s:I, s:I, s:s, s:s, s:s, s:s?, s:s, s:s?}}", "hazard", "id",
                     (json_int_t)h->id, "object", (json_int_t)h->object_id, "object_name",
                     h->object_name, "grid", h->grid, "description", h->description,
                     "supervisor", h->supervisor, "deadline",
                     dt_format_date(h->deadline, day, sizeof day), "plan", h->plan);
    if (h->case_id)
        json_object_set_new(json_object_get(data, "hazard"), "case", json_integer(h->case_id));
    return add(s, c, a, cfg, NOTIFY_MAJOR_HAZARD, units, NULL, ref, ref, &f, data);
}

/* ---- red cards: derived, not events ----
 *
 * A card is not written anywhere: the board derives it from the targets,
 * the actuals and the time elapsed.  So the cards are looked at by the
 * sweeping server (svc_notify_cards) and a unit's indicator carded red is
 * told once per month while it stays red (the dedupe key names the
 * month): the monthly 考核 the bulletins report.
 */

struct card {
    const char *unit, *parent, *indicator, *ind_name, *unit_name;
    double completion, progress;
};

struct cards_ctx {
    svc_t *s;
    const notify_cfg_t *cfg;
    arena_t *a;
    struct card *cards;
    int n;
    dt_day_t today;
};

static bh_status_t cards_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct cards_ctx *x = ctx;
    int y, m, d;
    bh_status_t st = BH_OK;
    (void)err;
    dt_ymd(x->today, &y, &m, &d);
    for (int i = 0; st == BH_OK && i < x->n; i++) {
        const struct card *k = &x->cards[i];
        const char *units[2] = {k->unit, NULL};
        notify_facts_t f = {.event = NOTIFY_RED_CARD, .place = k->unit_name,
                            .indicator = k->ind_name, .completion = k->completion,
                            .progress = k->progress,
                            .period = arena_printf(x->a, "%d年%d月", y, m),
                            .path = arena_printf(x->a, "#/targets?unit=%s", k->parent)};
        json_t *data = json_pack("{s:{s:s, s:s, s:s, s:f, s:f, s:s}}", "card", "unit", k->unit,
                                 "indicator", k->indicator, "card", "red", "completion",
                                 k->completion, "time_progress", k->progress, "month",
                                 arena_printf(x->a, "%04d-%02d", y, m));
        st = add(x->s, c, x->a, x->cfg, NOTIFY_RED_CARD, units, NULL,
                 arena_printf(x->a, "card:%s:%s:%04d-%02d", k->unit, k->indicator, y, m),
                 arena_printf(x->a, "unit:%s", k->unit), &f, data);
    }
    return st;
}

int svc_notify_cards(svc_t *s, dt_ms_t now, bh_err_t *err)
{
    const notify_cfg_t *cfg = svc_notify_cfg(s, err);
    static const svc_user_t system = {0, "system", ROLE_ADMIN, NULL, true, 0};
    arena_t *a;
    struct cards_ctx x = {s, cfg, NULL, NULL, 0, dt_local_day(now)};
    db_target_t *t;
    const char **parents;
    int nt, np = 0, cap = 0, y, m, d;
    bh_status_t st;

    if (!cfg || !routed(cfg, NOTIFY_RED_CARD))
        return cfg ? 0 : -1;
    a = x.a = arena_new();
    /* the boards with targets: the parents of the units that have one */
    dt_ymd(x.today, &y, &m, &d);
    SVC_READ(s, c, st, err, DB(c, target, target_list, y, a, &t, &nt));
    if (st) {
        arena_free(a);
        return -1;
    }
    parents = arena_alloc_array(a, (size_t)nt + 1, sizeof *parents);
    for (int i = 0; st == BH_OK && i < nt; i++) {
        db_unit_t u;
        bool seen = false;
        for (int j = 0; j < i && !seen; j++) /* a unit has a row per indicator and entry */
            seen = strcmp(t[j].unit, t[i].unit) == 0;
        if (seen)
            continue;
        SVC_READ(s, c, st, err, DB(c, registry, unit_get, t[i].unit, a, &u));
        if (st == BH_NOT_FOUND || (st == BH_OK && !u.parent)) {
            st = BH_OK;
            continue;
        }
        for (int j = 0; j < np && !seen; j++)
            seen = strcmp(parents[j], u.parent) == 0;
        if (st == BH_OK && !seen)
            parents[np++] = u.parent;
    }
    for (int i = 0; st == BH_OK && i < np; i++) {
        svc_board_t b;
        bh_err_t why;
        if (svc_target_board(s, &system, parents[i], period_year(x.today), a, &b, &why) != BH_OK)
            continue; /* a board that cannot be computed has no cards to tell */
        for (int r = 0; r < b.nrows; r++) {
            const svc_board_row_t *row = &b.rows[r];
            if (!row->r.card || strcmp(row->r.card, "red") != 0)
                continue;
            if (x.n == cap) {
                struct card *more = arena_alloc_array(a, (size_t)(cap = cap ? 2 * cap : 16), sizeof *more);
                if (x.n)
                    memcpy(more, x.cards, (size_t)x.n * sizeof *more);
                x.cards = more;
            }
            x.cards[x.n++] = (struct card){row->unit->code, parents[i], row->ind->code,
                                           row->ind->name, row->unit->name,
                                           row->r.completion.value, row->r.time_progress};
        }
    }
    if (st == BH_OK && x.n)
        st = db_write(s->db, cards_tx, &x, err);
    arena_free(a);
    return st ? -1 : x.n;
}

/* ---- delivering ---- */

/* A delivery takes at most NOTIFY_SEND_TIMEOUT_S: the lease covers a
 * round of them with room to record the outcome. */
#define ROUND 8
#define LEASE_MS ((int64_t)(ROUND * (NOTIFY_SEND_TIMEOUT_S + 5)) * 1000)

struct lease_ctx {
    svc_t *s;
    dt_ms_t now;
    arena_t *a;
    db_notice_t *rows;
    int n;
};

static bh_status_t lease_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct lease_ctx *x = ctx;
    bh_status_t st = DB(c, notify, notice_lease, x->now, LEASE_MS, x->s->instance, ROUND, x->a,
                        &x->rows, &x->n);
    return st ? bh_fail(err, st, "", "读取待发通知失败") : BH_OK;
}

struct finish_ctx {
    svc_t *s;
    const db_notice_t *n;
    const char *status, *error;
    int attempts;
    dt_ms_t next_at, at;
};

static bh_status_t finish_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct finish_ctx *x = ctx;
    bool won;
    bh_status_t st = DB(c, notify, notice_finish, x->n->id, x->s->instance, x->status, x->attempts,
                        x->next_at, x->error, x->at, &won);
    return st ? bh_fail(err, st, "", "记录通知发送结果失败") : BH_OK;
}

int svc_notify_deliver(svc_t *s, dt_ms_t now, bh_err_t *err)
{
    arena_t *a = arena_new();
    struct lease_ctx x = {s, now, a, NULL, 0};
    const notify_cfg_t *cfg = svc_notify_cfg(s, err);
    int done = 0;
    if (!cfg || db_write(s->db, lease_tx, &x, err) != BH_OK) {
        arena_free(a);
        return -1;
    }
    for (int i = 0; i < x.n; i++) {
        const db_notice_t *n = &x.rows[i];
        const notify_channel_t *ch = notify_channel(cfg, n->channel);
        struct finish_ctx f = {s, n, "sent", NULL, n->attempts + 1, n->next_at, 0};
        char why[512] = "";
        bool permanent = false;
        if (s->stopping) { /* the server stops: the rest are given back untried */
            f.status = "pending";
            f.attempts = n->attempts;
            if (db_write(s->db, finish_tx, &f, err) != BH_OK)
                break;
            continue;
        }
        if (!ch) {
            snprintf(why, sizeof why, "通道“%s”已不在通知配置中", n->channel);
            permanent = true;
        } else if (notify_send(cfg, ch, n, svc_now(), why, sizeof why, &permanent) == BH_OK) {
            why[0] = 0;
        }
        f.at = svc_now();
        if (why[0]) {
            int64_t delay = permanent ? 0 : notify_backoff_ms(cfg, f.attempts);
            f.error = why;
            f.status = delay ? "pending" : "dead";
            f.next_at = delay ? f.at + delay : f.at;
            fprintf(stderr, "bihuan: 通知 %lld（%s → %s）第 %d 次发送失败%s：%s\n", (long long)n->id,
                    n->event, n->channel, f.attempts, delay ? "，稍后重试" : "，不再重试", why);
        }
        if (db_write(s->db, finish_tx, &f, err) != BH_OK)
            break; /* the lease lapses: the notice is tried again then */
        done++;
    }
    arena_free(a);
    return done;
}

/* ---- the administrator's view ---- */

static bh_status_t admin_only(const svc_user_t *u, bh_err_t *err)
{
    return u->role == ROLE_ADMIN ? BH_OK
                                 : bh_fail(err, BH_PERMISSION_DENIED, "role", "只有管理员可以查看和重发通知");
}

bh_status_t svc_notices_list(svc_t *s, const svc_user_t *u, const char *status, int64_t before,
                             int limit, arena_t *a, db_notice_t **out, int *n, int64_t counts[3],
                             bh_err_t *err)
{
    bh_status_t st;
    if ((st = admin_only(u, err)))
        return st;
    SVC_READ(s, c, st, err, DB(c, notify, notice_list, status, before, limit, a, out, n));
    if (st == BH_OK)
        SVC_READ(s, c, st, err, DB(c, notify, notice_counts, counts));
    return st ? bh_fail(err, st, "", "读取通知失败，请稍后重试") : BH_OK;
}

struct retry_ctx {
    const svc_user_t *u;
    int64_t id;
    arena_t *a;
    db_notice_t *out;
};

static bh_status_t retry_tx(db_conn_t *c, void *ctx, bh_err_t *err)
{
    struct retry_ctx *x = ctx;
    bool won;
    bh_status_t st = DB(c, notify, notice_get, x->id, x->a, x->out);
    if (st == BH_NOT_FOUND)
        return bh_fail(err, st, "id", "通知 %lld 不存在", (long long)x->id);
    if (st || (st = DB(c, notify, notice_retry, x->id, svc_now(), &won)))
        return bh_fail(err, st, "", "重发通知失败，请稍后重试");
    if (!won)
        return bh_fail(err, BH_CONFLICT, "status", "只有发送失败（已放弃）的通知可以重发；此通知%s",
                       strcmp(x->out->status, "sent") == 0 ? "已发送" : "正在发送或等待重试");
    if ((st = DB(c, notify, notice_get, x->id, x->a, x->out)))
        return st;
    return svc_audit(c, x->u->username, "notify.retry", arena_printf(x->a, "notice:%lld", (long long)x->id),
                     json_pack("{s:{s:s, s:s}}", "after", "channel", x->out->channel, "event",
                               x->out->event));
}

bh_status_t svc_notice_retry(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                             db_notice_t *out, bh_err_t *err)
{
    struct retry_ctx x = {u, id, a, out};
    bh_status_t st;
    if ((st = admin_only(u, err)) || (st = db_write(s->db, retry_tx, &x, err)))
        return st;
    atomic_store(&s->notices_waiting, true);
    return BH_OK;
}
