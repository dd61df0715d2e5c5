/* notify.c - see notify.h. */
#include "core/notify.h"

#include <stdio.h>
#include <string.h>

#include "core/cfgjson.h"
#include "core/unitcode.h"
#include "util/xmalloc.h"

extern const char bh_data_notify[];
extern const size_t bh_data_notify_len;

static const struct {
    const char *name, *label;
} events[NOTIFY_EVENT__COUNT] = {
    [NOTIFY_DISPATCH] = {"dispatch", "派遣"},
    [NOTIFY_RED_LIGHT] = {"red_light", "红灯"},
    [NOTIFY_OVERDUE] = {"overdue", "超期"},
    [NOTIFY_SUPERVISE] = {"supervise", "督办"},
    [NOTIFY_RED_CARD] = {"red_card", "红牌"},
    [NOTIFY_MAJOR_HAZARD] = {"major_hazard", "挂牌督办"},
};

static const char *const kinds[] = {"webhook", "wecom", "dingtalk", "email", NULL};

const char *notify_event_name(notify_event_t e)
{
    return (unsigned)e < NOTIFY_EVENT__COUNT ? events[e].name : NULL;
}

const char *notify_event_label(notify_event_t e)
{
    return (unsigned)e < NOTIFY_EVENT__COUNT ? events[e].label : NULL;
}

int notify_event_from_name(const char *s)
{
    for (int i = 0; s && i < NOTIFY_EVENT__COUNT; i++)
        if (strcmp(s, events[i].name) == 0)
            return i;
    return -1;
}

const char *notify_kind_name(notify_kind_t k)
{
    return (unsigned)k <= NOTIFY_EMAIL ? kinds[k] : NULL;
}

const char *notify_cfg_builtin_text(size_t *len)
{
    *len = bh_data_notify_len;
    return bh_data_notify;
}

const notify_channel_t *notify_channel(const notify_cfg_t *cfg, const char *key)
{
    for (int i = 0; key && i < cfg->nchannels; i++)
        if (strcmp(cfg->channels[i].key, key) == 0)
            return &cfg->channels[i];
    return NULL;
}

/* ---- parsing ---- */

/* A string member kept in the document (no copy): at most 'max' bytes,
 * without control characters (they would end a header or a line). */
static bh_status_t str(cfg_ctx_t *c, json_t *o, const char *key, bool required, size_t max,
                       const char **out)
{
    json_t *v = json_object_get(o, key);
    const char *s;
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? cfg_bad(c, key, "缺少必填字段") : BH_OK;
    if (!json_is_string(v) || !*json_string_value(v))
        return cfg_bad(c, key, "应为非空字符串");
    if (json_string_length(v) > max) {
        char m[64];
        snprintf(m, sizeof m, "过长（最多 %zu 字节）", max);
        return cfg_bad(c, key, m);
    }
    s = json_string_value(v);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return cfg_bad(c, key, "不能含换行等控制字符");
    *out = s;
    return BH_OK;
}

static bool url_ok(const char *u, const char *const *schemes)
{
    for (; *schemes; schemes++) {
        size_t n = strlen(*schemes);
        if (strncmp(u, *schemes, n) == 0 && u[n] && u[n] != '/' && !strchr(u, ' '))
            return true;
    }
    return false;
}

/* An array of strings (each checked by 'ok', which may be NULL). */
static bh_status_t strings(cfg_ctx_t *c, json_t *o, const char *key, bool required,
                           bool (*ok)(const char *), const char *what, const char ***out, int *n)
{
    json_t *arr = json_object_get(o, key), *v;
    size_t i;
    *out = NULL;
    *n = 0;
    if (!arr && !required)
        return BH_OK;
    if (!json_is_array(arr) || (required && json_array_size(arr) == 0))
        return cfg_bad(c, key, required ? "应为非空数组" : "应为数组");
    *out = xcalloc(json_array_size(arr) + 1, sizeof **out);
    json_array_foreach(arr, i, v) {
        const char *s = json_string_value(v);
        if (!s || !*s || strlen(s) > 200 || (ok && !ok(s))) {
            char f[96];
            snprintf(f, sizeof f, "%s[%zu]", key, i);
            return cfg_bad(c, f, what);
        }
        (*out)[(*n)++] = s;
    }
    return BH_OK;
}

static bool address_ok(const char *s)
{
    const char *at = strchr(s, '@');
    return at && at > s && at[1] && !strchr(at + 1, '@') && !strpbrk(s, " <>,;\"\r\n\t");
}

static bool mobile_ok(const char *s)
{
    return strlen(s) <= 20 && strspn(s, "+-0123456789") == strlen(s);
}

static bool key_ok(const char *s)
{
    size_t n = strlen(s);
    return n <= 64 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static bh_status_t parse_channel(cfg_ctx_t *c, json_t *o, notify_channel_t *ch)
{
    static const char *const keys[] = {"key", "name", "type", "url", "secret", "to", "mobiles",
                                       "unit", NULL};
    static const char *const web[] = {"http://", "https://", NULL};
    const char *type;
    bh_status_t st;
    int k;
    if (!json_is_object(o))
        return cfg_bad(c, "", "应为 JSON 对象");
    if ((st = cfg_only_keys(c, o, keys)) || (st = str(c, o, "key", true, 64, &ch->key)) ||
        (st = str(c, o, "name", false, 200, &ch->name)) || (st = str(c, o, "type", true, 16, &type)) ||
        (st = str(c, o, "unit", false, 64, &ch->unit)) ||
        (st = str(c, o, "secret", false, 200, &ch->secret)))
        return st;
    if (!key_ok(ch->key))
        return cfg_bad(c, "key", "只能用字母、数字、下划线、点和连字符");
    for (k = 0; kinds[k] && strcmp(kinds[k], type); k++)
        ;
    if (!kinds[k])
        return cfg_bad(c, "type", "应为 webhook、wecom（企业微信群机器人）、dingtalk（钉钉群机器人）或 email");
    ch->kind = (notify_kind_t)k;
    if (ch->kind == NOTIFY_EMAIL) {
        if (json_object_get(o, "url") || json_object_get(o, "secret") || json_object_get(o, "mobiles"))
            return cfg_bad(c, json_object_get(o, "url") ? "url" : json_object_get(o, "secret") ? "secret" : "mobiles",
                           "邮件通道不用此字段（收件人写在 to）");
        return strings(c, o, "to", true, address_ok, "应为电子邮件地址", &ch->to, &ch->nto);
    }
    if (json_object_get(o, "to"))
        return cfg_bad(c, "to", "只有邮件通道有收件人 to");
    if ((st = str(c, o, "url", true, 2000, &ch->url)))
        return st;
    if (!url_ok(ch->url, web))
        return cfg_bad(c, "url", "应为 http:// 或 https:// 开头的地址");
    if (ch->kind == NOTIFY_WECOM && ch->secret)
        return cfg_bad(c, "secret", "企业微信群机器人没有加签：地址中的 key 即凭据");
    if (ch->kind == NOTIFY_WEBHOOK && json_object_get(o, "mobiles"))
        return cfg_bad(c, "mobiles", "只有企业微信和钉钉群机器人可以 @ 手机号");
    return strings(c, o, "mobiles", false, mobile_ok, "应为手机号", &ch->mobiles, &ch->nmobiles);
}

static bh_status_t parse_rule(cfg_ctx_t *c, const notify_cfg_t *cfg, json_t *o, notify_rule_t *r)
{
    static const char *const keys[] = {"event", "channels", "categories", NULL};
    const char *ev;
    int e;
    bh_status_t st;
    if (!json_is_object(o))
        return cfg_bad(c, "", "应为 JSON 对象");
    if ((st = cfg_only_keys(c, o, keys)) || (st = str(c, o, "event", true, 32, &ev)))
        return st;
    if ((e = notify_event_from_name(ev)) < 0)
        return cfg_bad(c, "event",
                       "应为 dispatch（派遣）、red_light（红灯）、overdue（超期）、supervise（督办）、"
                       "red_card（红牌）或 major_hazard（挂牌督办）");
    r->event = (notify_event_t)e;
    if ((st = strings(c, o, "channels", true, NULL, "应为通道的 key", &r->channels, &r->nchannels)) ||
        (st = strings(c, o, "categories", false, NULL, "应为类别编码", &r->categories,
                      &r->ncategories)))
        return st;
    for (int i = 0; i < r->nchannels; i++)
        if (!notify_channel(cfg, r->channels[i])) {
            char f[64], m[300];
            snprintf(f, sizeof f, "channels[%d]", i);
            snprintf(m, sizeof m, "没有 key 为“%.200s”的通道", r->channels[i]);
            return cfg_bad(c, f, m);
        }
    return BH_OK;
}

static bh_status_t parse_top(cfg_ctx_t *c, json_t *root, notify_cfg_t *cfg)
{
    static const char *const keys[] = {"base_url", "smtp", "retry", "channels", "rules", NULL};
    static const char *const rkeys[] = {"first_seconds", "max_seconds", "max_attempts", NULL};
    static const char *const skeys[] = {"url", "from", "username", "password", NULL};
    static const char *const web[] = {"http://", "https://", NULL};
    static const char *const mail[] = {"smtp://", "smtps://", NULL};
    json_t *arr, *v, *o;
    size_t i;
    bool email = false;
    bh_status_t st;

    if (!json_is_object(root))
        return cfg_bad(c, "", "应为 JSON 对象");
    if ((st = cfg_only_keys(c, root, keys)) || (st = str(c, root, "base_url", false, 500, &cfg->base_url)))
        return st;
    if (cfg->base_url && !url_ok(cfg->base_url, web))
        return cfg_bad(c, "base_url", "应为控制台的 http:// 或 https:// 地址");
    o = json_object_get(root, "retry");
    snprintf(c->where, sizeof c->where, "retry");
    if (o && !json_is_object(o))
        return cfg_bad(c, "", "应为 JSON 对象");
    if (o && (st = cfg_only_keys(c, o, rkeys)))
        return st;
    if ((st = cfg_int(c, o, "first_seconds", 1, 86400, 30, &cfg->first_s)) ||
        (st = cfg_int(c, o, "max_seconds", cfg->first_s, 7 * 86400, cfg->first_s > 3600 ? cfg->first_s : 3600,
                      &cfg->max_s)) ||
        (st = cfg_int(c, o, "max_attempts", 1, 100, 10, &cfg->max_attempts)))
        return st;
    *c->where = 0;
    if ((o = json_object_get(root, "smtp")) && !json_is_null(o)) {
        snprintf(c->where, sizeof c->where, "smtp");
        if (!json_is_object(o))
            return cfg_bad(c, "", "应为 JSON 对象");
        if ((st = cfg_only_keys(c, o, skeys)) || (st = str(c, o, "url", true, 500, &cfg->smtp_url)) ||
            (st = str(c, o, "from", true, 200, &cfg->smtp_from)) ||
            (st = str(c, o, "username", false, 200, &cfg->smtp_user)) ||
            (st = str(c, o, "password", false, 200, &cfg->smtp_password)))
            return st;
        if (!url_ok(cfg->smtp_url, mail))
            return cfg_bad(c, "url", "应为 smtp://主机:端口 或 smtps://主机:端口");
        if (!address_ok(cfg->smtp_from))
            return cfg_bad(c, "from", "应为发件人的电子邮件地址");
        *c->where = 0;
    }
    if (!(arr = cfg_array(c, root, "channels", &st)))
        return st;
    cfg->channels = xcalloc(json_array_size(arr) + 1, sizeof *cfg->channels);
    json_array_foreach(arr, i, v) {
        snprintf(c->where, sizeof c->where, "channels[%zu]", i);
        if ((st = parse_channel(c, v, &cfg->channels[cfg->nchannels++])))
            return st;
        if (notify_channel(cfg, cfg->channels[i].key) != &cfg->channels[i])
            return cfg_bad(c, "key", "通道 key 重复");
        email |= cfg->channels[i].kind == NOTIFY_EMAIL;
    }
    *c->where = 0;
    if (email && !cfg->smtp_url)
        return cfg_bad(c, "smtp", "有邮件通道时须设置发信服务器（url 和 from）");
    if (!(arr = cfg_array(c, root, "rules", &st)))
        return st;
    cfg->rules = xcalloc(json_array_size(arr) + 1, sizeof *cfg->rules);
    json_array_foreach(arr, i, v) {
        snprintf(c->where, sizeof c->where, "rules[%zu]", i);
        if ((st = parse_rule(c, cfg, v, &cfg->rules[cfg->nrules++])))
            return st;
    }
    return BH_OK;
}

bh_status_t notify_cfg_parse(const char *json, size_t len, notify_cfg_t **out, bh_err_t *err)
{
    json_error_t je;
    cfg_ctx_t c = {err, "通知配置", ""};
    notify_cfg_t *cfg = xcalloc(1, sizeof *cfg);
    bh_status_t st;
    *out = NULL;
    if (!(cfg->root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je))) {
        notify_cfg_free(cfg);
        return bh_fail(err, BH_INVALID_ARGUMENT, "", "通知配置不是有效的 JSON（第 %d 行：%s）",
                       je.line, je.text);
    }
    if ((st = parse_top(&c, cfg->root, cfg))) {
        notify_cfg_free(cfg);
        return st;
    }
    *out = cfg;
    return BH_OK;
}

void notify_cfg_free(notify_cfg_t *cfg)
{
    if (!cfg)
        return;
    for (int i = 0; i < cfg->nchannels; i++) {
        free(cfg->channels[i].to);
        free(cfg->channels[i].mobiles);
    }
    for (int i = 0; i < cfg->nrules; i++) {
        free(cfg->rules[i].channels);
        free(cfg->rules[i].categories);
    }
    free(cfg->channels);
    free(cfg->rules);
    json_decref(cfg->root);
    free(cfg);
}

/* ---- routing and retries ---- */

static bool category_in(const notify_rule_t *r, const char *category)
{
    if (!r->ncategories)
        return true;
    for (int i = 0; category && i < r->ncategories; i++) {
        if (strncmp(category, r->categories[i], strlen(r->categories[i])) == 0)
            return true; /* the code or one of its children (E01, E0101) */
    }
    return false;
}

static bool channel_sees(const notify_channel_t *ch, const char *const *units, int n)
{
    if (!ch->unit)
        return true;
    for (int i = 0; i < n; i++)
        if (units[i] && unit_in_scope(ch->unit, units[i]))
            return true;
    return false;
}

int notify_route(const notify_cfg_t *cfg, notify_event_t e, const char *const *units, int n,
                 const char *category, const char **out, int max)
{
    int k = 0;
    for (int i = 0; i < cfg->nrules; i++) {
        const notify_rule_t *r = &cfg->rules[i];
        if (r->event != e || !category_in(r, category))
            continue;
        for (int j = 0; j < r->nchannels && k < max; j++) {
            const notify_channel_t *ch = notify_channel(cfg, r->channels[j]);
            bool dup = false;
            for (int m = 0; m < k && !dup; m++)
                dup = strcmp(out[m], ch->key) == 0;
            if (!dup && channel_sees(ch, units, n))
                out[k++] = ch->key;
        }
    }
    return k;
}

int64_t notify_backoff_ms(const notify_cfg_t *cfg, int attempt)
{
    int64_t d = cfg->first_s;
    if (attempt >= cfg->max_attempts)
        return 0;
    for (int i = 1; i < attempt && d < cfg->max_s; i++)
        d *= 2;
    return (d < cfg->max_s ? d : cfg->max_s) * 1000;
}

/* ---- wording ---- */

/* "2026年12月14日 18:00" */
static const char *when(arena_t *a, dt_ms_t t)
{
    int y, m, d;
    int64_t ms = dt_local_ms_of_day(t);
    dt_ymd(dt_local_day(t), &y, &m, &d);
    return arena_printf(a, "%d年%d月%d日 %02d:%02d", y, m, d, (int)(ms / 3600000),
                        (int)(ms / 60000 % 60));
}

void notify_wording(const notify_facts_t *f, const char *base_url, arena_t *a,
                    const char **subject, const char **text)
{
    const char *label = notify_event_label(f->event);
    const char *body, *link = NULL;
    if (f->event == NOTIFY_RED_CARD) {
        *subject = arena_printf(a, "【%s】%s %s %s", label, f->place ? f->place : "",
                                f->indicator ? f->indicator : "", f->period ? f->period : "");
        body = arena_printf(a, "单位：%s\n指标：%s\n期间：%s\n完成：%.1f%%，时间进度：%.1f%%", f->place ? f->place : "",
                            f->indicator ? f->indicator : "", f->period ? f->period : "",
                            f->completion * 100, f->progress * 100);
    } else {
        const char *what = f->event == NOTIFY_MAJOR_HAZARD ? "重大隐患" : "案件";
        *subject = arena_printf(a, "【%s】%s %s", label, f->title ? f->title : "",
                                f->number ? f->number : "");
        body = arena_printf(a, "%s编号：%s\n标题：%s", what, f->number ? f->number : "",
                            f->title ? f->title : "");
        if (f->category)
            body = arena_printf(a, "%s\n类别：%s", body, f->category);
        if (f->place)
            body = arena_printf(a, "%s\n发生地：%s", body, f->place);
        if (f->handler)
            body = arena_printf(a, "%s\n%s：%s", body,
                                f->event == NOTIFY_DISPATCH ? "派遣至" : "处置单位", f->handler);
        if (f->event == NOTIFY_RED_LIGHT && f->clock)
            body = arena_printf(a, "%s\n亮红灯：%s将于 %s 到期", body, f->clock, when(a, f->deadline));
        else if (f->event == NOTIFY_OVERDUE && f->clock)
            body = arena_printf(a, "%s\n已超期：%s已于 %s 到期", body, f->clock, when(a, f->deadline));
        else if (f->deadline)
            body = arena_printf(a, "%s\n%s：%s", body,
                                f->event == NOTIFY_MAJOR_HAZARD ? "整改期限" : "处置时限",
                                when(a, f->deadline));
        if (f->event == NOTIFY_SUPERVISE && f->level > 0)
            body = arena_printf(a, "%s\n督办级别：%d", body, f->level);
        if (f->note)
            body = arena_printf(a, "%s\n%s：%s", body,
                                f->event == NOTIFY_MAJOR_HAZARD ? "隐患" : "说明", f->note);
    }
    if (f->path && base_url)
        link = arena_printf(a, "%s%s%s", base_url,
                            base_url[strlen(base_url) - 1] == '/' ? "" : "/", f->path);
    *text = link ? arena_printf(a, "%s\n查看：%s", body, link) : body;
}
