/* indicator.c - see indicator.h. */
#include "core/indicator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cfgjson.h"
#include "core/metric.h"
#include "util/xmalloc.h"

extern const char bh_data_targets[];
extern const size_t bh_data_targets_len;

const char *target_cfg_builtin_text(size_t *len)
{
    *len = bh_data_targets_len;
    return bh_data_targets;
}

const char *ind_source_name(ind_source_t s)
{
    static const char *const names[] = {"derived", "manual", "import"};
    return names[s];
}

/* The figures of GET /api/v1/stats/patrols an indicator may derive from. */
static const struct {
    const char *key;
    bool rate;
} patrol_figures[] = {
    {"coverage", true},   {"on_time_rate", true}, {"rectification_rate", true},
    {"section_coverage_rate", true}, {"due", false}, {"done", false},
    {"missed", false},    {"visits", false},      {"hazards", false},
    {"hazards_major", false}, {"rectified", false}, {"cases", false},
    {"self_checks", false},
};

bool ind_derived_known(const char *derived, bool *rate)
{
    if (strncmp(derived, "cases.", 6) == 0) {
        const metric_t *m = case_metric(derived + 6);
        if (!m || m->kind == METRIC_AVG_HOURS)
            return false;
        *rate = m->kind == METRIC_RATE;
        return true;
    }
    if (strncmp(derived, "patrols.", 8) == 0)
        for (size_t i = 0; i < sizeof patrol_figures / sizeof patrol_figures[0]; i++)
            if (strcmp(derived + 8, patrol_figures[i].key) == 0) {
                *rate = patrol_figures[i].rate;
                return true;
            }
    return false;
}

bool ind_is_level(const indicator_t *d)
{
    return d->rate || d->aggregate == TGT_AGG_LAST || d->aggregate == TGT_AGG_AVG ||
           d->direction == TGT_LOWER;
}

const indicator_t *target_cfg_indicator(const target_cfg_t *cfg, const char *code)
{
    for (int i = 0; i < cfg->ninds; i++)
        if (strcmp(cfg->inds[i].code, code) == 0)
            return &cfg->inds[i];
    return NULL;
}

void target_cfg_free(target_cfg_t *cfg)
{
    if (!cfg)
        return;
    for (int i = 0; i < cfg->ninds; i++) {
        indicator_t *d = &cfg->inds[i];
        free(d->code);
        free(d->name);
        free(d->unit);
        free(d->derived);
        free(d->category);
    }
    for (int i = 0; i < cfg->ncards; i++)
        free((char *)cfg->cards[i].card);
    free(cfg->inds);
    free(cfg->cards);
    free(cfg->card_otherwise);
    free(cfg);
}

void target_board(const target_cfg_t *cfg, const indicator_t *d, const cal_t *cal, period_t year,
                  dt_day_t as_of, const tgt_input_t *in, int n, tgt_row_t *out)
{
    double tp = ind_is_level(d) ? 1 : tgt_time_progress(d->basis, cal, year, as_of);
    double *done = xcalloc((size_t)n + 1, sizeof *done);
    bool *has = xcalloc((size_t)n + 1, sizeof *has);
    int *rank = xcalloc((size_t)n + 1, sizeof *rank);
    for (int i = 0; i < n; i++) {
        tgt_row_t *r = &out[i];
        const tgt_input_t *x = &in[i];
        r->completion = tgt_completion(d->direction, x->has_target, x->target, x->has_actual, x->actual);
        r->time_progress = tp;
        r->gap = r->completion;
        if (r->completion.state == TGT_OK)
            r->gap.value = tgt_gap(r->completion.value, tp);
        if (d->rate && x->has_actual && x->has_base)
            r->yoy = (tgt_value_t){TGT_OK, x->actual - x->base};
        else
            r->yoy = tgt_change(x->has_actual, x->actual, x->has_base, x->base);
        r->card = tgt_card(cfg->cards, cfg->ncards, cfg->card_otherwise, r->completion, tp);
        r->score = tgt_score(&d->score, r->completion);
        has[i] = r->completion.state == TGT_OK;
        done[i] = r->completion.value;
    }
    tgt_rank(TGT_HIGHER, done, has, n, rank);
    for (int i = 0; i < n; i++)
        out[i].rank = rank[i];
    free(done);
    free(has);
    free(rank);
}

/* ---- parsing ---- */

/* A name that parse() knows, or dflt when absent (dflt < 0: required). */
static bh_status_t choice(cfg_ctx_t *c, json_t *o, const char *key, bool (*parse)(const char *, int *),
                          const char *allowed, int dflt, int *out)
{
    json_t *v = json_object_get(o, key);
    char m[160];
    if (!v) {
        if (dflt < 0)
            return cfg_bad(c, key, "缺少必填字段");
        *out = dflt;
        return BH_OK;
    }
    if (json_is_string(v) && parse(json_string_value(v), out))
        return BH_OK;
    snprintf(m, sizeof m, "应为 %s 之一", allowed);
    return cfg_bad(c, key, m);
}

static bool parse_dir(const char *s, int *out)
{
    tgt_direction_t d;
    return tgt_direction_parse(s, &d) ? (*out = (int)d, true) : false;
}

static bool parse_agg(const char *s, int *out)
{
    tgt_agg_t a;
    return tgt_agg_parse(s, &a) ? (*out = (int)a, true) : false;
}

static bool parse_basis(const char *s, int *out)
{
    tgt_basis_t b;
    return tgt_basis_parse(s, &b) ? (*out = (int)b, true) : false;
}

static bool parse_source(const char *s, int *out)
{
    for (int i = IND_DERIVED; i <= IND_IMPORT; i++)
        if (strcmp(s, ind_source_name((ind_source_t)i)) == 0) {
            *out = i;
            return true;
        }
    return false;
}

static bool code_ok(const char *s)
{
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return *s >= 'a' && *s <= 'z';
}

static bh_status_t parse_indicator(cfg_ctx_t *c, json_t *o, indicator_t *d)
{
    static const char *const keys[] = {"code", "name", "unit", "direction", "aggregate", "basis",
                                       "source", "derived", "category", "weight", "full_at",
                                       "per_point", NULL};
    int dir = TGT_HIGHER, agg = TGT_AGG_SUM, basis = TGT_BASIS_DAYS, src = IND_MANUAL;
    bool rate = false;
    bh_status_t st;
    if (!json_is_object(o))
        return cfg_bad(c, "", "应为对象");
    if ((st = cfg_only_keys(c, o, keys)) || (st = cfg_str(c, o, "code", true, &d->code)) ||
        (st = cfg_str(c, o, "name", true, &d->name)) || (st = cfg_str(c, o, "unit", true, &d->unit)) ||
        (st = choice(c, o, "direction", parse_dir, "higher、lower", -1, &dir)) ||
        (st = choice(c, o, "basis", parse_basis, "days、months、workdays", TGT_BASIS_DAYS, &basis)) ||
        (st = choice(c, o, "source", parse_source, "derived、manual、import", -1, &src)) ||
        (st = cfg_str(c, o, "derived", false, &d->derived)) ||
        (st = cfg_str(c, o, "category", false, &d->category)) ||
        (st = cfg_num(c, o, "weight", 0, 100, 0, &d->score.weight)) ||
        (st = cfg_num(c, o, "full_at", 0, 10, 1, &d->score.full_at)) ||
        (st = cfg_num(c, o, "per_point", 0, 100, 0, &d->score.per_point)))
        return st;
    if (!code_ok(d->code))
        return cfg_bad(c, "code", "应以小写字母开头，只含小写字母、数字和下划线");
    d->direction = (tgt_direction_t)dir;
    d->basis = (tgt_basis_t)basis;
    d->source = (ind_source_t)src;
    d->rate = strcmp(d->unit, "%") == 0;
    if (d->source == IND_DERIVED) {
        if (!d->derived)
            return cfg_bad(c, "derived", "派生指标须写明来源（如 cases.close_rate、patrols.coverage）");
        if (!ind_derived_known(d->derived, &rate))
            return cfg_bad(c, "derived", "不是可派生的统计指标（cases.<案件统计项> 或 patrols.<巡查统计项>）");
        if (rate != d->rate)
            return cfg_bad(c, "unit", rate ? "派生自比率的指标单位应为 %" : "派生自计数的指标单位不能为 %");
        if (d->category && strncmp(d->derived, "cases.", 6))
            return cfg_bad(c, "category", "只有派生自案件统计的指标可以限定类别");
        if (json_object_get(o, "aggregate"))
            return cfg_bad(c, "aggregate", "派生指标按统计口径汇总，不能另行指定");
        agg = rate ? TGT_AGG_RATIO : TGT_AGG_SUM;
    } else {
        if (d->derived || d->category)
            return cfg_bad(c, d->derived ? "derived" : "category", "只有派生指标（source 为 derived）可以填写");
        if ((st = choice(c, o, "aggregate", parse_agg, "sum、last、avg、ratio", -1, &agg)))
            return st;
    }
    d->aggregate = (tgt_agg_t)agg;
    if (d->score.full_at <= 0 && d->score.weight > 0)
        return cfg_bad(c, "full_at", "计分的指标 full_at 应大于 0");
    return BH_OK;
}

static bool card_ok(const char *s)
{
    static const char *const cards[] = {"red", "yellow", "blue", "green", NULL};
    for (int i = 0; cards[i]; i++)
        if (strcmp(s, cards[i]) == 0)
            return true;
    return false;
}

static bh_status_t parse_cards(cfg_ctx_t *c, json_t *o, target_cfg_t *cfg)
{
    static const char *const keys[] = {"rules", "otherwise", NULL};
    static const char *const rkeys[] = {"card", "below_gap", NULL};
    json_t *rules, *r;
    size_t i;
    bh_status_t st;
    if (!json_is_object(o))
        return cfg_bad(c, "", "应为对象");
    if ((st = cfg_only_keys(c, o, keys)) || !(rules = cfg_array(c, o, "rules", &st)) ||
        (st = cfg_str(c, o, "otherwise", false, &cfg->card_otherwise)))
        return st;
    if (cfg->card_otherwise && !card_ok(cfg->card_otherwise))
        return cfg_bad(c, "otherwise", "应为 red、yellow、blue、green 之一");
    cfg->cards = xcalloc(json_array_size(rules) + 1, sizeof *cfg->cards);
    json_array_foreach(rules, i, r) {
        char *card;
        double below;
        snprintf(c->where, sizeof c->where, "cards.rules[%zu]", i);
        if (!json_is_object(r))
            return cfg_bad(c, "", "应为对象");
        if ((st = cfg_only_keys(c, r, rkeys)) || (st = cfg_str(c, r, "card", true, &card)))
            return st;
        cfg->cards[cfg->ncards++] = (tgt_card_rule_t){card, 0};
        if (!card_ok(card))
            return cfg_bad(c, "card", "应为 red、yellow、blue、green 之一");
        if (!json_object_get(r, "below_gap"))
            return cfg_bad(c, "below_gap", "缺少必填字段");
        if ((st = cfg_num(c, r, "below_gap", -1, 1, 0, &below)))
            return st;
        if (i > 0 && below <= cfg->cards[i - 1].below_gap)
            return cfg_bad(c, "below_gap", "各条规则的 below_gap 应从严到宽递增（先红牌后黄牌）");
        cfg->cards[i].below_gap = below;
    }
    snprintf(c->where, sizeof c->where, "cards");
    return BH_OK;
}

static bh_status_t parse(cfg_ctx_t *c, json_t *root, target_cfg_t *cfg)
{
    static const char *const keys[] = {"indicators", "cards", "flags", "live_from", NULL};
    static const char *const fkeys[] = {"top", "bottom", NULL};
    json_t *inds, *o, *f, *live;
    size_t i;
    bh_status_t st;
    if (!json_is_object(root))
        return cfg_bad(c, "", "应为 JSON 对象");
    if ((st = cfg_only_keys(c, root, keys)) || !(inds = cfg_array(c, root, "indicators", &st)))
        return st;
    if (!json_array_size(inds))
        return cfg_bad(c, "indicators", "至少要有一个指标");
    cfg->inds = xcalloc(json_array_size(inds), sizeof *cfg->inds);
    json_array_foreach(inds, i, o) {
        snprintf(c->where, sizeof c->where, "indicators[%zu]", i);
        cfg->ninds++;
        if ((st = parse_indicator(c, o, &cfg->inds[i])))
            return st;
        for (size_t k = 0; k < i; k++)
            if (strcmp(cfg->inds[k].code, cfg->inds[i].code) == 0)
                return cfg_bad(c, "code", "与前面的指标重复");
    }
    *c->where = 0;
    if ((o = json_object_get(root, "cards"))) {
        snprintf(c->where, sizeof c->where, "cards");
        if ((st = parse_cards(c, o, cfg)))
            return st;
        *c->where = 0;
    }
    cfg->flag_top = cfg->flag_bottom = 3;
    if ((f = json_object_get(root, "flags"))) {
        snprintf(c->where, sizeof c->where, "flags");
        if (!json_is_object(f))
            return cfg_bad(c, "", "应为对象");
        if ((st = cfg_only_keys(c, f, fkeys)) ||
            (st = cfg_int(c, f, "top", 0, 50, 3, &cfg->flag_top)) ||
            (st = cfg_int(c, f, "bottom", 0, 50, 3, &cfg->flag_bottom)))
            return st;
        *c->where = 0;
    }
    if ((live = json_object_get(root, "live_from")) && !json_is_null(live)) {
        int y, m, d;
        if (!json_is_string(live) || !dt_parse_date(json_string_value(live), &cfg->live_from))
            return cfg_bad(c, "live_from", "应为 2023-01-01 形式的日期（系统数据起始日）");
        /* the board adds a year's months up from January: a year is
         * either all entered or all computed */
        dt_ymd(cfg->live_from, &y, &m, &d);
        if (m != 1 || d != 1)
            return cfg_bad(c, "live_from", "考核按年度进行，系统数据起始日应为某年的1月1日");
        cfg->has_live_from = true;
    }
    return BH_OK;
}

bool ind_entered(const target_cfg_t *cfg, const indicator_t *d, dt_day_t end)
{
    return d->source != IND_DERIVED || (cfg->has_live_from && end < cfg->live_from);
}

bh_status_t target_cfg_parse(const char *json, size_t len, target_cfg_t **out, bh_err_t *err)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    cfg_ctx_t c = {err, "指标配置", ""};
    target_cfg_t *cfg;
    bh_status_t st;
    *out = NULL;
    if (!root)
        return bh_fail(err, BH_INVALID_ARGUMENT, "", "指标配置不是合法的 JSON（第%d行第%d列）：%s",
                       je.line, je.column, je.text);
    cfg = xcalloc(1, sizeof *cfg);
    st = parse(&c, root, cfg);
    json_decref(root);
    if (st) {
        target_cfg_free(cfg);
        return st;
    }
    *out = cfg;
    return BH_OK;
}
