/*
 * sqlite_cases.c - cases, their history and clocks, the sweep's schedule, counts and lists (the SQLite back-end; see sqlite_int.h).
 */
#include "store/sqlite_int.h"

#include "util/cjk.h"

/* ---- cases ---- */

static const sq_col_t case_cols[] = {
    SQ_COL(db_case_t, id, I64),              SQ_COL(db_case_t, category, TEXT),
    SQ_COL(db_case_t, kind, TEXT),           SQ_COL(db_case_t, title, TEXT),
    SQ_COL(db_case_t, description, TEXT),    SQ_COL(db_case_t, source, TEXT),
    SQ_COL(db_case_t, urgency, TEXT),        SQ_COL(db_case_t, unit, TEXT),
    SQ_COL(db_case_t, handling_unit, TEXT),
    SQ_EXPR("lat IS NOT NULL", db_case_t, has_location, BOOL),
    SQ_COL(db_case_t, lat, REAL),            SQ_COL(db_case_t, lng, REAL),
    SQ_COL(db_case_t, address, TEXT),        SQ_COL(db_case_t, reporter_name, TEXT),
    SQ_COL(db_case_t, reporter_phone, TEXT), SQ_COL(db_case_t, created_by, TEXT),
    SQ_COL(db_case_t, external_id, TEXT),    SQ_COL(db_case_t, idempotency_key, TEXT),
    SQ_COL(db_case_t, created_at, I64),      SQ_COL(db_case_t, updated_at, I64),
    SQ_COL(db_case_t, version, I64),         SQ_COL(db_case_t, status, STATE),
    SQ_COL(db_case_t, light, LIGHT),         SQ_COL(db_case_t, next_change, MS),
    SQ_COL(db_case_t, supervised, INT),      SQ_COL(db_case_t, rework_count, INT),
    SQ_COL(db_case_t, return_count, INT),    SQ_COL(db_case_t, rating, INT),
    SQ_COL(db_case_t, registered_at, MS),    SQ_COL(db_case_t, dispatched_at, MS),
    SQ_COL(db_case_t, handled_at, MS),       SQ_COL(db_case_t, closed_at, MS),
    SQ_COL(db_case_t, due_at, MS),           SQ_COL(db_case_t, on_time, TRI),
    SQ_COL(db_case_t, attributes, TEXT),     SQ_COL(db_case_t, media_url, TEXT),
    SQ_COL(db_case_t, contact, TEXT),        SQ_COL(db_case_t, published, BOOL),
    SQ_COL(db_case_t, reopen_requested, BOOL), SQ_COL(db_case_t, policy_version, INT),
};
const sq_map_t sq_map_case = SQ_MAP("case", case_cols);

/* Bind the event-derived columns as ?2..?17, ?37 and ?38 (shared by insert
 * and update). */
static void bind_derived(sqlite3_stmt *s, const db_case_t *k)
{
    bind_text(s, 2, case_state_name(k->status));
    bind_text(s, 3, sla_light_name(k->light));
    bind_ms(s, 4, k->next_change);
    sqlite3_bind_int(s, 5, k->supervised);
    sqlite3_bind_int(s, 6, k->rework_count);
    sqlite3_bind_int(s, 7, k->return_count);
    if (k->rating)
        sqlite3_bind_int(s, 8, k->rating);
    bind_ms(s, 9, k->registered_at);
    bind_ms(s, 10, k->dispatched_at);
    bind_ms(s, 11, k->handled_at);
    bind_ms(s, 12, k->closed_at);
    bind_ms(s, 13, k->due_at);
    if (k->on_time >= 0)
        sqlite3_bind_int(s, 14, k->on_time);
    bind_text(s, 15, k->handling_unit);
    sqlite3_bind_int64(s, 16, k->version);
    sqlite3_bind_int64(s, 17, k->updated_at);
    sqlite3_bind_int(s, 37, k->published);
    sqlite3_bind_int(s, 38, k->reopen_requested);
}

bh_status_t sq_case_insert(db_conn_t *c, db_case_t *k, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_CASE_INSERT);
    bh_status_t st;

    bind_derived(s, k);
    bind_text(s, 18, k->category);
    bind_text(s, 19, k->kind);
    bind_text(s, 20, k->title);
    bind_text(s, 21, k->description);
    bind_text(s, 22, k->source);
    bind_text(s, 23, k->urgency);
    bind_text(s, 24, k->unit);
    if (k->has_location) {
        sqlite3_bind_double(s, 25, k->lat);
        sqlite3_bind_double(s, 26, k->lng);
    }
    bind_text(s, 27, k->address);
    bind_text(s, 28, k->reporter_name);
    bind_text(s, 29, k->reporter_phone);
    bind_text(s, 30, k->created_by);
    bind_text(s, 31, k->external_id);
    bind_text(s, 32, k->idempotency_key);
    sqlite3_bind_int64(s, 33, k->created_at);
    bind_text(s, 34, k->attributes);
    bind_text(s, 35, k->media_url);
    bind_text(s, 36, k->contact);
    sqlite3_bind_int(s, 39, k->policy_version);
    if ((st = step_done(c, s, err)))
        return st;
    k->id = sqlite3_last_insert_rowid(SQ(c)->h);
    if (!SQ(c)->bulk) {
        struct sq_conn *w = SQ(c);
        struct fts_row *r;
        if (w->nfts == w->capfts) {
            w->capfts = w->capfts ? w->capfts * 2 : 256;
            w->fts = xrealloc(w->fts, (size_t)w->capfts * sizeof *w->fts);
        }
        r = &w->fts[w->nfts++];
        r->id = k->id;
        r->title = k->title ? xstrdup(k->title) : NULL;
        r->description = k->description ? xstrdup(k->description) : NULL;
        r->address = k->address ? xstrdup(k->address) : NULL;
    }
    return BH_OK;
}

bh_status_t sq_case_lookup_key(db_conn_t *c, const char *idem, const char *source,
                                      const char *external_id, int64_t *id)
{
    sqlite3_stmt *s;
    bh_status_t st = BH_OK;
    *id = 0;
    if (idem) {
        s = sq_stmt(c, ST_CASE_BY_IDEM);
        bind_text(s, 1, idem);
        st = one_id(s, id);
    }
    if (st == BH_OK && !*id && external_id) {
        s = sq_stmt(c, ST_CASE_BY_EXT);
        bind_text(s, 1, source);
        bind_text(s, 2, external_id);
        st = one_id(s, id);
    }
    return st;
}

bh_status_t sq_case_get(db_conn_t *c, int64_t id, arena_t *a, db_case_t *out)
{
    sqlite3_stmt *s = sq_stmt(c, ST_CASE_GET);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    ONE_ROW(s, a, out, &sq_map_case, st);
    return st;
}

bh_status_t sq_case_update(db_conn_t *c, const db_case_t *k, int64_t read_version,
                                  bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_CASE_UPDATE);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, k->id);
    bind_derived(s, k);
    sqlite3_bind_int64(s, 18, read_version);
    if ((st = step_done(c, s, err)) != BH_OK)
        return st;
    if (sqlite3_changes(SQ(c)->h) != 1)
        return bh_fail(err, BH_CONFLICT, "version", "案件已被同时修改，请刷新后重试");
    return BH_OK;
}

bh_status_t sq_event_add(db_conn_t *c, int64_t case_id, int seq, const case_event_t *e)
{
    sqlite3_stmt *s = sq_stmt(c, ST_EVENT_ADD);
    sqlite3_bind_int64(s, 1, case_id);
    sqlite3_bind_int(s, 2, seq);
    bind_text(s, 3, case_action_name(e->action));
    bind_text(s, 4, role_name(e->role));
    bind_text(s, 5, e->actor);
    bind_text(s, 6, e->actor_unit);
    sqlite3_bind_int64(s, 7, e->at);
    bind_text(s, 8, e->reason);
    bind_text(s, 9, e->note);
    bind_text(s, 10, e->to_unit);
    bind_text(s, 11, e->result);
    bind_text(s, 12, e->clock);
    if (e->amount)
        sqlite3_bind_double(s, 13, e->amount);
    if (e->level)
        sqlite3_bind_int(s, 14, e->level);
    if (e->rating)
        sqlite3_bind_int(s, 15, e->rating);
    bind_text(s, 16, e->into);
    bind_text(s, 17, e->ext_id);
    bind_text(s, 18, e->extra);
    return step_done(c, s, NULL);
}

static const sq_col_t event_cols[] = {
    SQ_COL(case_event_t, action, ACTION),    SQ_COL(case_event_t, role, ROLE),
    SQ_COL(case_event_t, actor, TEXT),       SQ_COL(case_event_t, actor_unit, TEXT),
    SQ_COL(case_event_t, at, I64),           SQ_COL(case_event_t, reason, TEXT),
    SQ_COL(case_event_t, note, TEXT),        SQ_COL(case_event_t, to_unit, TEXT),
    SQ_COL(case_event_t, result, TEXT),      SQ_COL(case_event_t, clock, TEXT),
    SQ_COL(case_event_t, amount, REAL),      SQ_COL(case_event_t, level, INT),
    SQ_COL(case_event_t, rating, INT),       SQ_EXPR("into_case", case_event_t, into, TEXT),
    SQ_COL(case_event_t, ext_id, TEXT),      SQ_COL(case_event_t, extra, TEXT),
};
const sq_map_t sq_map_event = SQ_MAP("event", event_cols);

bh_status_t sq_event_list(db_conn_t *c, int64_t case_id, arena_t *a, case_event_t **out,
                                 int *n)
{
    bh_status_t st;
    sqlite3_stmt *s = sq_stmt(c, ST_EVENT_LIST);
    sqlite3_bind_int64(s, 1, case_id);
    COLLECT(s, a, out, n, case_event_t, &sq_map_event, st);
    return st;
}

/* One statement for the page: the ids go in as a JSON array. */
bh_status_t sq_event_lists(db_conn_t *c, const int64_t *ids, int n, arena_t *a,
                           case_event_t **out, int *nout)
{
    sqlite3_stmt *s = sq_stmt(c, ST_EVENT_LISTS);
    dynbuf_t b;
    case_event_t *all;
    int64_t *owner;
    int total = 0, cap = 64, rc;
    bh_status_t st;

    dynbuf_init(&b, (size_t)n * 21 + 3);
    st = dynbuf_add(&b, "[", 1);
    for (int i = 0; i < n && st == BH_OK; i++)
        st = dynbuf_printf(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
    if (st == BH_OK)
        st = dynbuf_add(&b, "]", 1);
    if (st != BH_OK) {
        dynbuf_free(&b);
        return BH_INTERNAL;
    }
    sqlite3_bind_text(s, 1, dynbuf_str(&b), (int)dynbuf_len(&b), SQLITE_TRANSIENT);
    dynbuf_free(&b);
    all = arena_alloc_array(a, (size_t)cap, sizeof *all);
    owner = arena_alloc_array(a, (size_t)cap, sizeof *owner);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (total == cap) {
            case_event_t *more = arena_alloc_array(a, 2 * (size_t)cap, sizeof *more);
            int64_t *more_owner = arena_alloc_array(a, 2 * (size_t)cap, sizeof *more_owner);
            memcpy(more, all, (size_t)cap * sizeof *all);
            memcpy(more_owner, owner, (size_t)cap * sizeof *owner);
            all = more;
            owner = more_owner;
            cap *= 2;
        }
        memset(&all[total], 0, sizeof all[total]);
        sq_row(s, a, &sq_map_event, &all[total]);
        owner[total++] = sqlite3_column_int64(s, sq_map_event.n);
    }
    st = read_end(rc);
    sqlite3_reset(s);
    /* the rows come ordered by case: hand each run to the ids it belongs to */
    for (int i = 0; i < n; i++) {
        out[i] = NULL;
        nout[i] = 0;
    }
    for (int j = 0, run; j < total; j += run) {
        for (run = 1; j + run < total && owner[j + run] == owner[j]; run++)
            ;
        for (int i = 0; i < n; i++)
            if (ids[i] == owner[j]) {
                out[i] = &all[j];
                nout[i] = run;
            }
    }
    return st;
}

bh_status_t sq_clocks_put(db_conn_t *c, int64_t case_id, const db_clock_t *k, int n,
                                 bool fresh)
{
    sqlite3_stmt *s;
    bh_status_t st;
    if (!fresh) {
        s = sq_stmt(c, ST_CLOCK_DEL);
        sqlite3_bind_int64(s, 1, case_id);
        if ((st = step_done(c, s, NULL)))
            return st;
    }
    for (int i = 0; i < n; i++) {
        s = sq_stmt(c, ST_CLOCK_PUT);
        sqlite3_bind_int64(s, 1, case_id);
        bind_text(s, 2, k[i].name);
        bind_ms(s, 3, k[i].started_at);
        bind_ms(s, 4, k[i].deadline);
        bind_ms(s, 5, k[i].stopped_at);
        bind_text(s, 6, sla_light_name(k[i].light));
        if ((st = step_done(c, s, NULL)))
            return st;
    }
    return BH_OK;
}

static const sq_col_t clock_cols[] = {
    SQ_COL(db_clock_t, name, TEXT),       SQ_COL(db_clock_t, started_at, MS),
    SQ_COL(db_clock_t, deadline, MS),     SQ_COL(db_clock_t, stopped_at, MS),
    SQ_COL(db_clock_t, light, LIGHT),
};
const sq_map_t sq_map_clock = SQ_MAP("clock", clock_cols);

bh_status_t sq_clocks_get(db_conn_t *c, int64_t case_id, arena_t *a, db_clock_t **out,
                                 int *n)
{
    bh_status_t st;
    sqlite3_stmt *s = sq_stmt(c, ST_CLOCK_GET);
    sqlite3_bind_int64(s, 1, case_id);
    COLLECT(s, a, out, n, db_clock_t, &sq_map_clock, st);
    return st;
}

bh_status_t sq_sweep_due(db_conn_t *c, dt_ms_t now, int limit, int64_t *ids, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_SWEEP);
    int rc = SQLITE_DONE;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int(s, 2, limit);
    *n = 0;
    while (*n < limit && (rc = sqlite3_step(s)) == SQLITE_ROW)
        ids[(*n)++] = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? BH_OK : BH_UNAVAILABLE;
}

bh_status_t sq_case_quarantine(db_conn_t *c, int64_t id, dt_ms_t at, const char *reason)
{
    sqlite3_stmt *s = sq_stmt(c, ST_QUARANTINE);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, at);
    bind_text(s, 3, reason);
    if ((st = step_done(c, s, NULL)) != BH_OK)
        return st;
    s = sq_stmt(c, ST_UNSCHEDULE);
    sqlite3_bind_int64(s, 1, id);
    return step_done(c, s, NULL);
}

bh_status_t sq_counts(db_conn_t *c, int64_t out[CASE_ST__COUNT][SLA_LIGHT_OVERDUE + 1])
{
    sqlite3_stmt *s = sq_stmt(c, ST_COUNTS);
    int rc;
    memset(out, 0, sizeof(int64_t) * CASE_ST__COUNT * (SLA_LIGHT_OVERDUE + 1));
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int st = case_state_from_name((const char *)sqlite3_column_text(s, 0));
        int l = sq_light_from_name((const char *)sqlite3_column_text(s, 1));
        if (st >= 0)
            out[st][l] = sqlite3_column_int64(s, 2);
    }
    sqlite3_reset(s);
    return read_end(rc);
}

bh_status_t sq_counts_add(db_conn_t *c, case_state_t st, sla_light_t l, int delta)
{
    sqlite3_stmt *s = sq_stmt(c, ST_COUNTS_ADD);
    bind_text(s, 1, case_state_name(st));
    bind_text(s, 2, sla_light_name(l));
    sqlite3_bind_int(s, 3, delta);
    return step_done(c, s, NULL);
}

void sq_case_filters(dynbuf_t *b, const db_case_filter_t *f, const char *fts)
{
    if (f->unit.code) {
        add(b, " AND ");
        add_scope(b, "cases.unit", "u", &f->unit, true);
    }
    if (f->handling_unit)
        add(b, " AND cases.handling_unit = :h");
    if (f->visible.code) {
        add(b, " AND ((");
        add_scope(b, "cases.unit", "v", &f->visible, true);
        add(b, ") OR (");
        add_scope(b, "cases.handling_unit", "w", &f->visible, true);
        add(b, "))");
    }
    if (f->created_by)
        add(b, " AND cases.created_by = :by");
    if (f->supervised)
        add(b, " AND cases.supervised > 0");
    if (f->status >= 0)
        add(b, " AND cases.status = :st");
    if (f->open == 1)
        add(b, " AND cases.status NOT IN ('closed', 'rejected')");
    else if (f->open == 2)
        add(b, " AND cases.status IN ('closed', 'rejected')");
    if (f->ncategories > 0) {
        char frag[16];
        add(b, " AND cases.category IN (");
        for (int i = 0; i < f->ncategories && i < DB_MAX_IN; i++) {
            snprintf(frag, sizeof frag, "%s:k%d", i ? "," : "", i);
            add(b, frag);
        }
        add(b, ")");
    }
    if (f->category)
        add(b, " AND +cases.category >= :c1 AND +cases.category < :c2");
    if (f->source)
        add(b, " AND cases.source = :src");
    if (f->published)
        add(b, " AND cases.published = 1");
    if (f->reopen_requested)
        add(b, " AND cases.reopen_requested = 1");
    if (f->light >= 0)
        add(b, " AND cases.light = :li");
    if (f->from)
        add(b, " AND cases.created_at >= :from");
    if (f->to)
        add(b, " AND cases.created_at < :to");
    if (fts && f->sort != DB_SORT_RELEVANCE)
        add(b, " AND +cases.id IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH :q)");
}

void sq_case_filters_bind(sqlite3_stmt *s, const db_case_filter_t *f, const char *fts, arena_t *a)
{
    bind_scope(s, "u", &f->unit, a);
    bind_name_text(s, ":h", f->handling_unit);
    bind_scope(s, "v", &f->visible, a);
    bind_scope(s, "w", &f->visible, a);
    bind_name_text(s, ":by", f->created_by);
    if (f->status >= 0)
        bind_name_text(s, ":st", case_state_name((case_state_t)f->status));
    if (f->category) {
        bind_name_text(s, ":c1", f->category);
        bind_name_text(s, ":c2", prefix_end(a, f->category));
    }
    bind_name_text(s, ":src", f->source);
    for (int i = 0; i < f->ncategories && i < DB_MAX_IN; i++) {
        char name[16];
        snprintf(name, sizeof name, ":k%d", i);
        bind_name_text(s, name, f->categories[i]);
    }
    if (f->light >= 0)
        bind_name_text(s, ":li", sla_light_name((sla_light_t)f->light));
    bind_name_int(s, ":from", f->from);
    bind_name_int(s, ":to", f->to);
    bind_name_text(s, ":q", fts);
}

/* Count the search tokens of one term. */
static int count_tok(void *ctx, int flags, const char *t, int len, int s0, int e)
{
    (void)flags, (void)t, (void)len, (void)s0, (void)e;
    ++*(int *)ctx;
    return 0;
}

/* The FTS5 MATCH expression for the user's words: each whitespace-
 * separated term becomes a quoted phrase (quotes doubled), terms are
 * ANDed; NULL if no term has a searchable character. */
static const char *fts_expr(arena_t *a, const char *q)
{
    size_t cap = strlen(q) * 2 + 16, len = 0;
    char *out = arena_alloc(a, cap);
    const char *p = q;

    while (*p) {
        const char *e;
        int ntok = 0;
        while (*p && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v'))
            p++;
        for (e = p; *e && !(*e == ' ' || *e == '\t' || *e == '\n' || *e == '\r' || *e == '\f' || *e == '\v'); e++)
            ;
        if (e > p && (cjk_tokenize(p, (int)(e - p), true, count_tok, &ntok), ntok > 0)) {
            if (len)
                out[len++] = ' ';
            out[len++] = '"';
            for (const char *c = p; c < e; c++) {
                if (*c == '"')
                    out[len++] = '"';
                out[len++] = *c;
            }
            out[len++] = '"';
        }
        p = e;
    }
    out[len] = '\0';
    return len ? out : NULL;
}

/*
 * List cursors are this back-end's own: "c1:SORT:KEY:ID" in hex (after
 * the row with that sort key and id), or for relevance, whose order has
 * no key, "c1:4:OFFSET:0".  Callers hand them back untouched.
 */
const char *sq_case_cursor(arena_t *a, int sort, int64_t key, int64_t id)
{
    char raw[80], *out;
    int n = snprintf(raw, sizeof raw, "c1:%d:%lld:%lld", sort, (long long)key, (long long)id);
    out = arena_alloc(a, 2 * (size_t)n + 1);
    for (int i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", (unsigned char)raw[i]);
    return out;
}

static bool cursor_decode(const char *cur, int sort, int64_t *key, int64_t *id)
{
    char raw[80];
    size_t n = strlen(cur);
    int s, used = 0;
    long long k, i;
    if (n == 0 || n % 2 || n / 2 >= sizeof raw)
        return false;
    for (size_t j = 0; j < n / 2; j++) {
        unsigned v;
        if (sscanf(cur + 2 * j, "%2x", &v) != 1 || !strchr("0123456789abcdef", cur[2 * j]) ||
            !strchr("0123456789abcdef", cur[2 * j + 1]))
            return false;
        raw[j] = (char)v;
    }
    raw[n / 2] = '\0';
    if (sscanf(raw, "c1:%d:%lld:%lld%n", &s, &k, &i, &used) != 3 || raw[used] || s != sort ||
        (sort == DB_SORT_RELEVANCE && k < 0))
        return false;
    *key = k;
    *id = i;
    return true;
}

/* Relevance ranks at most this many matches, the last written (by id). */
#define RANK_MATCHES 20000

bh_status_t sq_case_list(db_conn_t *c, const db_case_filter_t *f, arena_t *a,
                                db_case_t **out, int *n, const char **next_cursor, bh_err_t *err)
{
    static const char *const keycol[] = {"created_at", "created_at", "updated_at", "updated_at"};
    dynbuf_t b;
    sqlite3_stmt *s;
    const char *fts = NULL;
    int64_t ck = 0, cid = 0;
    int rc;

    *n = 0;
    *next_cursor = NULL;
    if (f->search && !(fts = fts_expr(a, f->search)))
        return bh_fail(err, BH_INVALID_ARGUMENT, "q", "检索词中没有可检索的文字");
    if (f->sort == DB_SORT_RELEVANCE && !fts)
        return bh_fail(err, BH_INVALID_ARGUMENT, "sort", "按相关度排序须给出检索词（q）");
    if (f->cursor && !cursor_decode(f->cursor, f->sort, &ck, &cid))
        return bh_fail(err, BH_INVALID_ARGUMENT, "cursor",
                       "cursor 无效（须原样使用上一页返回的 next_cursor，且排序相同）");
    if (f->cursor && f->offset)
        return bh_fail(err, BH_INTERNAL, "", "cursor and offset together");
    if (fts && f->sort == DB_SORT_CREATED_DESC && !f->offset && !f->scan) {
        return sq_search_newest(c, f, fts, ck, cid, a, out, n, next_cursor, err);
    }

    dynbuf_init(&b, SQL_MAX);
    if (f->sort == DB_SORT_RELEVANCE) {
        /* BM25 of every match would cost one score per match (200k for a
         * common word at 10M): of the matches that pass the filters, the
         * RANK_MATCHES written last (highest ids) are ranked */
        /* (the page is cut from ids and scores; only its rows are read whole) */
        add(&b, "SELECT {case} FROM (SELECT rid, r FROM (SELECT cases.id AS rid,"
                " cases_fts.rank AS r FROM cases_fts CROSS JOIN cases"
                " ON cases.id = cases_fts.rowid WHERE cases_fts MATCH :q");
        sq_case_filters(&b, f, NULL);
        add(&b, " ORDER BY cases_fts.rowid DESC LIMIT :cap) ORDER BY r, rid LIMIT :limit OFFSET :off) f"
                " CROSS JOIN cases ON cases.id = f.rid ORDER BY f.r, cases.id");
    } else {
        bool desc = f->sort == DB_SORT_CREATED_DESC || f->sort == DB_SORT_UPDATED_DESC;
        add(&b, "SELECT {case} FROM cases WHERE 1");
        sq_case_filters(&b, f, fts);
        if (f->cursor)
            dynbuf_printf(&b, " AND (cases.%s %s :ck OR (cases.%s = :ck AND cases.id %s :cid))",
                          keycol[f->sort], desc ? "<" : ">", keycol[f->sort], desc ? "<" : ">");
        dynbuf_printf(&b, " ORDER BY cases.%s %s, cases.id %s LIMIT :limit OFFSET :off",
                      keycol[f->sort], desc ? "DESC" : "ASC", desc ? "DESC" : "ASC");
    }
    if (prepare_built(c, &b, &s, err) != BH_OK)
        return err ? err->status : BH_INTERNAL;
    sq_case_filters_bind(s, f, fts, a);
    bind_name_int(s, ":limit", (int64_t)f->limit + 1); /* one more tells of a next page */
    /* Relevance pages by offset (the cursor carries it); the others by key. */
    if (f->sort == DB_SORT_RELEVANCE) {
        bind_name_int(s, ":off", f->cursor ? ck : f->offset);
        bind_name_int(s, ":cap", f->scan || f->walk_budget < 0 ? INT64_MAX
                                 : f->walk_budget > 0   ? f->walk_budget
                                                        : RANK_MATCHES);
    } else {
        bind_name_int(s, ":off", f->offset);
        bind_name_int(s, ":ck", ck);
        bind_name_int(s, ":cid", cid);
    }
    *out = arena_alloc_array(a, (size_t)(f->limit > 0 ? f->limit : 1), sizeof **out);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < f->limit) {
        memset(&(*out)[*n], 0, sizeof **out);
        sq_row(s, a, &sq_map_case, &(*out)[(*n)++]);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        bh_status_t st = rc == SQLITE_ERROR
                             ? bh_fail(err, BH_INVALID_ARGUMENT, "q", "检索条件无效：%s",
                                       sqlite3_errmsg(SQ(c)->h))
                             : bh_fail(err, read_end(rc), "", "查询未读完：%s", sqlite3_errstr(rc));
        sqlite3_finalize(s);
        *n = 0;
        return st;
    }
    if (rc == SQLITE_ROW && *n > 0) { /* there is a next page */
        const db_case_t *last = &(*out)[*n - 1];
        *next_cursor = f->sort == DB_SORT_RELEVANCE
                           ? sq_case_cursor(a, f->sort, (f->cursor ? ck : f->offset) + *n, 0)
                       : sq_case_cursor(a, f->sort,
                                       f->sort <= DB_SORT_CREATED_ASC ? last->created_at
                                                                      : last->updated_at,
                                       last->id);
    }
    sqlite3_finalize(s);
    return BH_OK;
}

bh_status_t sq_events_between(db_conn_t *c, dt_ms_t from, dt_ms_t to, bool published,
                              int limit, arena_t *a, db_event_row_t **out, int *n)
{
    sqlite3_stmt *s;
    int rc;
    char *sql = sq_expand("SELECT {event:e}, e.case_id, e.seq FROM case_events e"
                          " WHERE e.at >= ?1 AND e.at < ?2 AND (?4 = 0 OR"
                          " (SELECT k.published FROM cases k WHERE k.id = e.case_id) = 1)"
                          " ORDER BY e.at, e.case_id, e.seq LIMIT ?3");
    rc = sqlite3_prepare_v2(SQ(c)->h, sql, -1, &s, NULL);
    free(sql);
    if (rc != SQLITE_OK)
        return BH_INTERNAL;
    sqlite3_bind_int64(s, 1, from);
    sqlite3_bind_int64(s, 2, to);
    sqlite3_bind_int(s, 3, limit);
    sqlite3_bind_int(s, 4, published);
    *out = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **out);
    *n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < limit) {
        db_event_row_t *r = &(*out)[(*n)++];
        memset(r, 0, sizeof *r);
        sq_row(s, a, &sq_map_event, &r->ev);
        r->case_id = sqlite3_column_int64(s, sq_map_event.n);
        r->seq = sqlite3_column_int(s, sq_map_event.n + 1);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? BH_OK : BH_INTERNAL;
}

