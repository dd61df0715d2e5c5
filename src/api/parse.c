/*
 * parse.c - request-body parsing with field-naming errors.
 */
#include "api/parse.h"
#include "geo/crs.h"

#include <math.h>
#include <string.h>

#include "api/qs.h"

bh_status_t parse_body(const char *body, size_t len, json_t **out, bh_err_t *err)
{
    json_error_t je;
    *out = NULL;
    if (len == 0)
        return bh_fail(err, BH_INVALID_ARGUMENT, "body", "请求体为空，应为 JSON 对象");
    *out = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!*out)
        return bh_fail(err, BH_INVALID_ARGUMENT, "body", "JSON 格式错误（第%d行第%d列）：%s",
                       je.line, je.column, je.text);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return bh_fail(err, BH_INVALID_ARGUMENT, "body", "请求体应为 JSON 对象");
    }
    return BH_OK;
}

/* Refuse members not in 'allowed' (NULL-terminated). */
static bh_status_t known(json_t *o, const char *const *allowed, const char *prefix,
                         bh_err_t *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        int ok = 0;
        for (int i = 0; allowed[i] && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok) {
            char f[96];
            if (!*key)
                return bh_fail(err, BH_INVALID_ARGUMENT, *prefix ? prefix : "body",
                               "字段名不能为空");
            snprintf(f, sizeof f, "%s%.80s", prefix, key);
            return bh_fail(err, BH_INVALID_ARGUMENT, f, "未知字段“%s”", f);
        }
    }
    return BH_OK;
}

/* An optional string member; *out stays NULL when absent or null. */
static bh_status_t str(json_t *o, const char *key, const char *field, size_t max, arena_t *a,
                       const char **out, bh_err_t *err)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return BH_OK;
    if (!json_is_string(v))
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "字段“%s”应为字符串", field);
    if (json_string_length(v) > max)
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "字段“%s”过长（最多%zu字节）", field, max);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "字段“%s”含有 NUL 字符", field);
    *out = arena_strndup(a, json_string_value(v), json_string_length(v));
    return BH_OK;
}

static bh_status_t num(json_t *o, const char *key, const char *field, bool *present,
                       double *out, bh_err_t *err)
{
    json_t *v = json_object_get(o, key);
    *present = false;
    if (!v || json_is_null(v))
        return BH_OK;
    if (!json_is_number(v) || !isfinite(json_number_value(v)))
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "字段“%s”应为数字", field);
    *out = json_number_value(v);
    *present = true;
    return BH_OK;
}

static bh_status_t integer(json_t *o, const char *key, int64_t *out, bool *present,
                           bh_err_t *err)
{
    json_t *v = json_object_get(o, key);
    *present = false;
    if (!v || json_is_null(v))
        return BH_OK;
    if (!json_is_integer(v))
        return bh_fail(err, BH_INVALID_ARGUMENT, key, "字段“%s”应为整数", key);
    *out = json_integer_value(v);
    *present = true;
    return BH_OK;
}

bh_status_t parse_case_new(json_t *o, arena_t *a, svc_case_new_t *out, bh_err_t *err)
{
    static const char *const top[] = {"category", "title", "description", "source", "urgency",
                                      "unit", "location", "reporter", "external_id", NULL};
    static const char *const loc[] = {"lat", "lng", "address", "crs", NULL};
    const char *crs_name = NULL;
    crs_t crs;
    static const char *const rep[] = {"name", "phone", NULL};
    json_t *l, *r;
    bool has_lat = false, has_lng = false;
    bh_status_t st;

    memset(out, 0, sizeof *out);
    if ((st = known(o, top, "", err)) ||
        (st = str(o, "category", "category", 32, a, &out->category, err)) ||
        (st = str(o, "title", "title", 1000, a, &out->title, err)) ||
        (st = str(o, "description", "description", 20000, a, &out->description, err)) ||
        (st = str(o, "source", "source", 32, a, &out->source, err)) ||
        (st = str(o, "urgency", "urgency", 16, a, &out->urgency, err)) ||
        (st = str(o, "unit", "unit", 32, a, &out->unit, err)) ||
        (st = str(o, "external_id", "external_id", 128, a, &out->external_id, err)))
        return st;
    if (!out->category)
        return bh_fail(err, BH_INVALID_ARGUMENT, "category", "缺少必填字段“category”（案件类别编码）");
    if (!out->title)
        return bh_fail(err, BH_INVALID_ARGUMENT, "title", "缺少必填字段“title”（标题）");
    if (!out->description)
        return bh_fail(err, BH_INVALID_ARGUMENT, "description", "缺少必填字段“description”（问题描述）");
    if ((l = json_object_get(o, "location")) && !json_is_null(l)) {
        if (!json_is_object(l))
            return bh_fail(err, BH_INVALID_ARGUMENT, "location", "字段“location”应为对象 {lat, lng, address}");
        if ((st = known(l, loc, "location.", err)) ||
            (st = num(l, "lat", "location.lat", &has_lat, &out->lat, err)) ||
            (st = num(l, "lng", "location.lng", &has_lng, &out->lng, err)) ||
            (st = str(l, "address", "location.address", 500, a, &out->address, err)) ||
            (st = str(l, "crs", "location.crs", 16, a, &crs_name, err)))
            return st;
        if (!crs_from_name(crs_name, &crs))
            return bh_fail(err, BH_INVALID_ARGUMENT, "location.crs",
                           "坐标系（location.crs）应为 wgs84、gcj02 或 bd09");
        if (has_lat != has_lng)
            return bh_fail(err, BH_INVALID_ARGUMENT, has_lat ? "location.lng" : "location.lat",
                           "经度和纬度须同时给出");
        if (has_lat && (out->lat < -90 || out->lat > 90))
            return bh_fail(err, BH_INVALID_ARGUMENT, "location.lat", "纬度应在 -90 到 90 之间");
        if (has_lng && (out->lng < -180 || out->lng > 180))
            return bh_fail(err, BH_INVALID_ARGUMENT, "location.lng", "经度应在 -180 到 180 之间");
        out->has_location = has_lat;
        if (has_lat) /* stored in WGS-84 whatever the client's map uses */
            crs_to_wgs84(crs, out->lng, out->lat, &out->lng, &out->lat);
    }
    if ((r = json_object_get(o, "reporter")) && !json_is_null(r)) {
        if (!json_is_object(r))
            return bh_fail(err, BH_INVALID_ARGUMENT, "reporter", "字段“reporter”应为对象 {name, phone}");
        if ((st = known(r, rep, "reporter.", err)) ||
            (st = str(r, "name", "reporter.name", 100, a, &out->reporter_name, err)) ||
            (st = str(r, "phone", "reporter.phone", 40, a, &out->reporter_phone, err)))
            return st;
    }
    return BH_OK;
}

bh_status_t parse_action(json_t *o, arena_t *a, case_event_t *out, int64_t *version,
                         bh_err_t *err)
{
    static const char *const keys[] = {"action", "reason", "note", "to_unit", "result",
                                       "clock", "amount", "level", "rating", "into",
                                       "version", NULL};
    const char *action;
    int act;
    int64_t v;
    bool present;
    double amount = 0;
    bh_status_t st;

    memset(out, 0, sizeof *out);
    *version = -1;
    if ((st = known(o, keys, "", err)) ||
        (st = str(o, "action", "action", 32, a, &action, err)) ||
        (st = str(o, "reason", "reason", 8000, a, &out->reason, err)) ||
        (st = str(o, "note", "note", 8000, a, &out->note, err)) ||
        (st = str(o, "to_unit", "to_unit", 32, a, &out->to_unit, err)) ||
        (st = str(o, "result", "result", 8000, a, &out->result, err)) ||
        (st = str(o, "clock", "clock", 32, a, &out->clock, err)) ||
        (st = str(o, "into", "into", 64, a, &out->into, err)) ||
        (st = num(o, "amount", "amount", &present, &amount, err)))
        return st;
    out->amount = amount;
    if (!action)
        return bh_fail(err, BH_INVALID_ARGUMENT, "action", "缺少必填字段“action”（操作名称）");
    if ((act = case_action_from_name(action)) < 0 || act == CASE_ACT_REPORT)
        return bh_fail(err, BH_INVALID_ARGUMENT, "action", "未知的操作“%s”", action);
    out->action = (case_action_t)act;
    if ((st = integer(o, "level", &v, &present, err)))
        return st;
    if (present)
        out->level = v < 0 || v > 100 ? -1 : (int)v;
    if ((st = integer(o, "rating", &v, &present, err)))
        return st;
    if (present)
        out->rating = v < 0 || v > 100 ? -1 : (int)v;
    if ((st = integer(o, "version", &v, &present, err)))
        return st;
    if (present) {
        if (v < 0)
            return bh_fail(err, BH_INVALID_ARGUMENT, "version", "版本号不能为负");
        *version = v;
    }
    return BH_OK;
}

bh_status_t parse_login(json_t *o, arena_t *a, const char **user, const char **pass,
                        bh_err_t *err)
{
    static const char *const keys[] = {"username", "password", NULL};
    bh_status_t st;
    if ((st = known(o, keys, "", err)) ||
        (st = str(o, "username", "username", 64, a, user, err)) ||
        (st = str(o, "password", "password", 1024, a, pass, err)))
        return st;
    if (!*user)
        return bh_fail(err, BH_INVALID_ARGUMENT, "username", "缺少用户名（username）");
    if (!*pass)
        return bh_fail(err, BH_INVALID_ARGUMENT, "password", "缺少密码（password）");
    return BH_OK;
}
