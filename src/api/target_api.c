/*
 * target_api.c - the target loop over HTTP (DESIGN.md §9; docs/API.md):
 * the indicators, targets and actuals (entered, with their history), the
 * target board, the ranking and the monthly flags.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/parse.h"
#include "api/render.h"
#include "util/jsonkeys.h"


static json_t *indicator_json(const indicator_t *d)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s?, s:s?, s:f}", "code", d->code,
                     "name", d->name, "unit", d->unit, "rate", d->rate, "direction",
                     tgt_direction_name(d->direction), "aggregate", tgt_agg_name(d->aggregate),
                     "basis", tgt_basis_name(d->basis), "source", ind_source_name(d->source),
                     "derived", d->derived, "category", d->category, "weight", d->score.weight);
}

static void h_indicators(http_req_t *r)
{
    static const char *const params[] = {NULL};
    const target_cfg_t *cfg = svc_targets(APP(r));
    json_t *arr = json_array();
    if (!api_auth(r) || !api_only_params(r, params)) {
        json_decref(arr);
        return;
    }
    for (int i = 0; i < cfg->ninds; i++)
        json_array_append_new(arr, indicator_json(&cfg->inds[i]));
    http_json(r, 200, json_pack("{s:o}", "items", arr));
}

/* year=2023 (default: this year); false: the 400 is set. */
static bool year_param(http_req_t *r, int *year)
{
    const char *v = qs_get(&r->query, "year");
    char *end;
    long y;
    int m, d;
    dt_ymd(dt_local_day(svc_now()), year, &m, &d);
    if (!v)
        return true;
    y = strtol(v, &end, 10);
    if (*end || end == v || y < DT_YEAR_MIN || y > DT_YEAR_MAX) {
        http_fail(r, BH_INVALID_ARGUMENT, "year", "年份应为 %d–%d 之间的四位数", DT_YEAR_MIN,
                  DT_YEAR_MAX);
        return false;
    }
    *year = (int)y;
    return true;
}

static json_t *target_json(const db_target_t *t)
{
    return json_pack("{s:I, s:s, s:s, s:i, s:s, s:f, s:o, s:s, s:s?}", "id", (json_int_t)t->id,
                     "unit", t->unit, "indicator", t->indicator, "year", t->year, "period",
                     t->period, "value", t->value, "entered_at", render_time(t->at),
                     "entered_by", t->by, "note", t->note);
}

static json_t *actual_json(const db_actual_t *x)
{
    char period[16];
    json_t *j;
    snprintf(period, sizeof period, "%04d-%02d", x->year % 10000, x->month % 100);
    j = json_pack("{s:I, s:s, s:s, s:s, s:b, s:o, s:s, s:s?}", "id", (json_int_t)x->id, "unit",
                  x->unit, "indicator", x->indicator, "period", period, "cumulative",
                  x->cumulative, "entered_at", render_time(x->at), "entered_by", x->by, "note",
                  x->note);
    if (x->den > 0) {
        json_object_set_new(j, "numerator", json_real(x->num));
        json_object_set_new(j, "denominator", json_real(x->den));
        json_object_set_new(j, "value", json_real(x->num / x->den));
    } else {
        json_object_set_new(j, "value", json_real(x->value));
    }
    return j;
}

/* GET /api/v1/targets and /api/v1/targets/actuals share their parameters. */
static bool list_params(http_req_t *r, int *year, bool *history)
{
    static const char *const params[] = {"unit", "year", "indicator", "history", NULL};
    return api_auth(r) && api_only_params(r, params) && year_param(r, year) &&
           api_bool_param(r, "history", history);
}

/* GET /targets and GET /targets/actuals share their parameters and shape. */
static void h_list(http_req_t *r, bool actuals)
{
    db_target_t *t = NULL;
    db_actual_t *x = NULL;
    const char *unit = qs_get(&r->query, "unit"), *ind = qs_get(&r->query, "indicator");
    int n, year;
    bool history;
    bh_err_t err;
    json_t *arr;
    if (!list_params(r, &year, &history))
        return;
    if (actuals ? svc_actual_list(APP(r), &r->user, unit, year, ind, history, r->a, &x, &n, &err)
                : svc_target_list(APP(r), &r->user, unit, year, ind, history, r->a, &t, &n, &err)) {
        http_error(r, &err);
        return;
    }
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, actuals ? actual_json(&x[i]) : target_json(&t[i]));
    http_json(r, 200, json_pack("{s:i, s:o}", "year", year, "items", arr));
}

static void h_targets(http_req_t *r) { h_list(r, false); }

static void h_actuals(http_req_t *r) { h_list(r, true); }

static void h_target_set(http_req_t *r)
{
    static const char *const keys[] = {"unit", "indicator", "period", "value", "note", NULL};
    json_t *body;
    db_target_t t;
    bh_err_t err;
    if (!(body = api_read_body(r, keys, "sssns")))
        return;
    if (!json_object_get(body, "value")) {
        http_fail(r, BH_INVALID_ARGUMENT, "value", "缺少目标值 value");
    } else {
        svc_target_new_t in = {api_str(body, "unit"), api_str(body, "indicator"), api_str(body, "period"),
                               json_number_value(json_object_get(body, "value")),
                               api_str(body, "note")};
        if (svc_target_set(APP(r), &r->user, &in, &t, &err))
            http_error(r, &err);
        else
            http_json(r, 201, target_json(&t));
    }
    json_decref(body);
}

static void h_actual_enter(http_req_t *r)
{
    static const char *const keys[] = {"unit",      "indicator",   "period", "value", "numerator",
                                       "denominator", "cumulative", "note",   NULL};
    json_t *body, *v;
    db_actual_t x;
    bh_err_t err;
    svc_actual_new_t in = {0};
    if (!(body = api_read_body(r, keys, "sssnnnbs")))
        return;
    in.unit = api_str(body, "unit");
    in.indicator = api_str(body, "indicator");
    in.period = api_str(body, "period");
    in.note = api_str(body, "note");
    in.cumulative = json_is_true(json_object_get(body, "cumulative"));
    if ((v = json_object_get(body, "value")))
        in.has_value = true, in.value = json_number_value(v);
    in.has_parts = json_object_get(body, "numerator") && json_object_get(body, "denominator");
    in.num = json_number_value(json_object_get(body, "numerator"));
    in.den = json_number_value(json_object_get(body, "denominator"));
    if (svc_actual_enter(APP(r), &r->user, &in, &x, &err))
        http_error(r, &err);
    else
        http_json(r, 201, actual_json(&x));
    json_decref(body);
}

/* ---- the board, the ranking, the flags ---- */

static json_t *value_json(tgt_value_t v)
{
    return v.state == TGT_OK ? json_real(v.value) : json_null();
}

static json_t *board_row_json(const svc_board_row_t *w)
{
    char gap[64], yoy[64];
    const indicator_t *d = w->ind;
    json_t *j;
    if (w->r.gap.state == TGT_OK && ind_is_level(d))
        tgt_level_gap_text(w->r.gap.value, gap, sizeof gap);
    else if (w->r.gap.state == TGT_OK)
        tgt_gap_text(w->r.gap.value, gap, sizeof gap);
    tgt_change_text("同比", d->rate, w->actual.state == TGT_OK, w->actual.value,
                    w->base.state == TGT_OK, w->base.value, yoy, sizeof yoy);
    j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:o, s:o, s:f, s:o, s:o, s:o, s:i, s:s?, s:f,"
                  " s:s, s:s?, s:s}",
                  "unit", w->unit->code, "unit_name", w->unit->name, "indicator", d->code,
                  "indicator_name", d->name, "measure", d->unit, "target", w->target, "actual",
                  value_json(w->actual), "completion", value_json(w->r.completion),
                  "time_progress", w->r.time_progress, "gap", value_json(w->r.gap), "yoy",
                  value_json(w->r.yoy), "base", value_json(w->base), "rank", w->r.rank, "card",
                  w->r.card, "score", w->r.score, "state", tgt_state_name(w->r.completion.state),
                  "gap_text", w->r.gap.state == TGT_OK ? gap : NULL, "yoy_text", yoy);
    json_object_set_new(j, "actual_source", json_string(w->actual_entered ? "entered" : "live"));
    json_object_set_new(j, "base_source", json_string(w->base_entered ? "entered" : "live"));
    return j;
}

static json_t *board_unit_json(const svc_board_unit_t *x)
{
    return json_pack("{s:s, s:s, s:s, s:f, s:i, s:i}", "unit", x->unit->code, "name",
                     x->unit->name, "type", x->unit->type, "score", x->score, "rank", x->rank,
                     "indicators", x->nrows);
}

/* unit (default the caller's) and period (default this half-year) of the
 * board and the ranking; false: the reply is set. */
static bool board_of(http_req_t *r, const char **unit, period_t *p, svc_board_t *b)
{
    static const char *const params[] = {"unit", "period", "from", "to", NULL};
    bh_err_t err;
    if (!api_auth(r) || !api_only_params(r, params) || !api_period_param(r, svc_now(), p))
        return false;
    if (!(*unit = qs_get(&r->query, "unit")))
        *unit = r->user.unit;
    if (svc_target_board(APP(r), &r->user, *unit, *p, r->a, b, &err)) {
        http_error(r, &err);
        return false;
    }
    return true;
}

static void h_board(http_req_t *r)
{
    svc_board_t b;
    const char *unit;
    period_t p;
    json_t *rows, *units, *inds;
    if (!board_of(r, &unit, &p, &b))
        return;
    rows = json_array();
    units = json_array();
    inds = json_array();
    for (int i = 0; i < b.nrows; i++)
        json_array_append_new(rows, board_row_json(&b.rows[i]));
    for (int i = 0; i < b.nunits; i++)
        json_array_append_new(units, board_unit_json(&b.units[i]));
    for (int i = 0; i < b.cfg->ninds; i++)
        json_array_append_new(inds, indicator_json(&b.cfg->inds[i]));
    http_json(r, 200, json_pack("{s:s, s:i, s:o, s:o, s:o, s:o, s:o}", "unit", unit, "year",
                                b.year, "period", api_period_json(p), "as_of",
                                api_date_json(b.as_of), "indicators", inds, "rows", rows,
                                "units", units));
}

/* GET /api/v1/targets/trend?unit=&indicator=&year= */
static void h_trend(http_req_t *r)
{
    static const char *const params[] = {"unit", "indicator", "year", NULL};
    const char *unit, *ind;
    int year;
    svc_trend_t t;
    bh_err_t err;
    json_t *months;
    if (!api_auth(r) || !api_only_params(r, params) || !year_param(r, &year))
        return;
    if (!(unit = qs_get(&r->query, "unit")))
        unit = r->user.unit;
    if (!(ind = qs_get(&r->query, "indicator"))) {
        http_fail(r, BH_INVALID_ARGUMENT, "indicator", "请指定指标 indicator");
        return;
    }
    if (svc_target_trend(APP(r), &r->user, unit, ind, year, r->a, &t, &err)) {
        http_error(r, &err);
        return;
    }
    months = json_array();
    for (int i = 0; i < t.nmonths; i++) {
        char month[16], yoy[64], momt[64];
        const tgt_row_t *w = &t.r[i];
        snprintf(month, sizeof month, "%04d-%02d", year % 10000, (i + 1) % 100);
        bool has = t.month[i].state == TGT_OK, had = i > 0 && t.month[i - 1].state == TGT_OK;
        tgt_value_t mom = {TGT_NO_BASE, 0};
        tgt_change_text("同比", t.ind->rate, t.actual[i].state == TGT_OK, t.actual[i].value,
                        t.base[i].state == TGT_OK, t.base[i].value, yoy, sizeof yoy);
        tgt_change_text("环比", t.ind->rate, has, t.month[i].value, had,
                        had ? t.month[i - 1].value : 0, momt, sizeof momt);
        if (has && had) /* a rate's in points, as 同比 */
            mom = t.ind->rate ? (tgt_value_t){TGT_OK, t.month[i].value - t.month[i - 1].value}
                              : tgt_change(true, t.month[i].value, true, t.month[i - 1].value);
        json_array_append_new(
            months, json_pack("{s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:s?, s:s}",
                              "month", month, "value", value_json(t.month[i]), "mom",
                              value_json(mom), "mom_text", momt,
                              "actual", value_json(t.actual[i]), "base", value_json(t.base[i]),
                              "completion", value_json(w->completion), "time_progress",
                              json_real(w->time_progress), "yoy", value_json(w->yoy), "card",
                              t.has_target ? w->card : NULL, "yoy_text", yoy));
    }
    http_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:o}", "unit", unit,
                                "unit_name", t.unit->name, "indicator", t.ind->code,
                                "indicator_name", t.ind->name, "year", year, "as_of",
                                api_date_json(t.as_of), "target",
                                t.has_target ? json_real(t.target) : json_null(), "months",
                                months));
}

static void h_config_get(http_req_t *r)
{
    api_doc_get(r, APP(r)->targets);
}

static void h_config_put(http_req_t *r)
{
    api_doc_put(r, APP(r)->targets);
}

static json_t *flag_json(const db_flag_t *f)
{
    char month[16];
    snprintf(month, sizeof month, "%04d-%02d", f->year % 10000, f->month % 100);
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:f, s:o, s:s}", "unit", f->unit, "month", month,
                     "flag", f->flag, "label",
                     strcmp(f->flag, "red") == 0 ? "流动红旗" : "黄旗", "rank", f->rank,
                     "score", f->score, "awarded_at", render_time(f->at), "awarded_by", f->by);
}

static void h_ranking(http_req_t *r)
{
    svc_board_t b;
    const char *unit;
    period_t p;
    db_flag_t *f = NULL;
    int nf = 0, y, m, d, y2, m2;
    bh_err_t err;
    json_t *units;
    if (!board_of(r, &unit, &p, &b))
        return;
    /* a month's ranking shows the flags awarded on it */
    dt_ymd(p.from, &y, &m, &d);
    dt_ymd(p.to, &y2, &m2, &d);
    if (m == m2 && p.from == dt_day_from_ymd(y, m, 1) &&
        svc_flags_list(APP(r), &r->user, unit, y, r->a, &f, &nf, &err)) {
        http_error(r, &err);
        return;
    }
    units = json_array();
    for (int i = 0; i < b.nunits; i++) {
        json_t *j = board_unit_json(&b.units[i]);
        const char *flag = NULL;
        for (int k = 0; k < nf; k++)
            if (f[k].month == m && strcmp(f[k].unit, b.units[i].unit->code) == 0)
                flag = f[k].flag;
        json_object_set_new(j, "flag", flag ? json_string(flag) : json_null());
        json_array_append_new(units, j);
    }
    http_json(r, 200, json_pack("{s:s, s:o, s:o, s:o}", "unit", unit, "period",
                                api_period_json(p), "as_of", api_date_json(b.as_of), "units",
                                units));
}

static void h_flags(http_req_t *r)
{
    static const char *const params[] = {"unit", "year", NULL};
    const char *unit;
    db_flag_t *f;
    int n, year;
    bh_err_t err;
    json_t *arr;
    if (!api_auth(r) || !api_only_params(r, params) || !year_param(r, &year))
        return;
    if (!(unit = qs_get(&r->query, "unit")))
        unit = r->user.unit;
    if (svc_flags_list(APP(r), &r->user, unit, year, r->a, &f, &n, &err)) {
        http_error(r, &err);
        return;
    }
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, flag_json(&f[i]));
    http_json(r, 200, json_pack("{s:s, s:i, s:o}", "unit", unit, "year", year, "items", arr));
}

static void h_flags_award(http_req_t *r)
{
    static const char *const keys[] = {"unit", "month", NULL};
    json_t *body, *arr;
    const char *month, *unit;
    db_flag_t *f;
    int n, y, m;
    char tail;
    bh_err_t err;
    if (!(body = api_read_body(r, keys, "ss")))
        return;
    month = api_str(body, "month");
    if (!(unit = api_str(body, "unit")))
        unit = r->user.unit;
    if (!month || strlen(month) != 7 || sscanf(month, "%4d-%2d%c", &y, &m, &tail) != 2) {
        http_fail(r, BH_INVALID_ARGUMENT, "month", "month 应为 2023-06 形式的月份");
    } else if (svc_flags_award(APP(r), &r->user, unit, y, m, r->a, &f, &n, &err)) {
        http_error(r, &err);
    } else {
        arr = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(arr, flag_json(&f[i]));
        http_json(r, 201, json_pack("{s:s, s:s, s:o}", "unit", unit, "month", month, "items", arr));
    }
    json_decref(body);
}

const http_route_t target_routes[] = {
    {"GET", "/api/v1/targets/indicators", h_indicators, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/targets", h_targets, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/targets", h_target_set, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/targets/actuals", h_actuals, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/targets/actuals", h_actual_enter, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/targets/board", h_board, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/targets/ranking", h_ranking, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/targets/trend", h_trend, HTTP_BODY_DEFAULT},
    {"GET", "/api/v1/targets/config", h_config_get, HTTP_BODY_DEFAULT},
    {"PUT", "/api/v1/targets/config", h_config_put, HTTP_BODY_UPLOAD},
    {"GET", "/api/v1/targets/flags", h_flags, HTTP_BODY_DEFAULT},
    {"POST", "/api/v1/targets/flags", h_flags_award, HTTP_BODY_DEFAULT},
};
const int target_nroutes = (int)(sizeof target_routes / sizeof target_routes[0]);
