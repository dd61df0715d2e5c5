/*
 * parse.c - request-body parsing with field-naming errors.
 */
#include "api/parse.h"
#include "geo/crs.h"

#include <math.h>
#include <string.h>

#include "api/qs.h"
#include "util/jsonkeys.h"

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
    const char *key = json_stray_key(o, allowed);
    char f[96];
    if (!key)
        return BH_OK;
    if (!*key)
        return bh_fail(err, BH_INVALID_ARGUMENT, *prefix ? prefix : "body", "字段名不能为空");
    snprintf(f, sizeof f, "%s%.80s", prefix, key);
    return bh_fail(err, BH_INVALID_ARGUMENT, f, "未知字段“%s”", f);
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

/* A location object {lat, lng, crs, ...} in WGS-84: 'keys' are the
 * fields allowed; address and accuracy are read when allowed. */
struct loc {
    bool has;
    double lat, lng, accuracy;
    const char *address;
};

static bh_status_t location(json_t *l, const char *const *keys, arena_t *a, struct loc *out,
                            bh_err_t *err)
{
    const char *crs_name = NULL;
    crs_t crs;
    bool has_lat = false, has_lng = false, has_acc = false;
    bh_status_t st;
    out->accuracy = -1;
    if (!json_is_object(l))
        return bh_fail(err, BH_INVALID_ARGUMENT, "location", "字段“location”应为对象 {lat, lng, crs}");
    if ((st = known(l, keys, "location.", err)) ||
        (st = num(l, "lat", "location.lat", &has_lat, &out->lat, err)) ||
        (st = num(l, "lng", "location.lng", &has_lng, &out->lng, err)) ||
        (st = num(l, "accuracy", "location.accuracy", &has_acc, &out->accuracy, err)) ||
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
    if (has_acc && out->accuracy < 0)
        return bh_fail(err, BH_INVALID_ARGUMENT, "location.accuracy", "定位精度（米）不能为负");
    out->has = has_lat;
    if (has_lat) /* stored in WGS-84 whatever the client's map uses */
        crs_to_wgs84(crs, out->lng, out->lat, &out->lng, &out->lat);
    return BH_OK;
}

/* "attachments": [id, …] (absent or null: none). */
static bh_status_t id_list(json_t *o, const char *key, arena_t *a, const int64_t **out, int *n,
                           bh_err_t *err)
{
    json_t *r = json_object_get(o, key), *v;
    int64_t *ids;
    size_t i;
    *out = NULL;
    *n = 0;
    if (!r || json_is_null(r))
        return BH_OK;
    if (!json_is_array(r) || json_array_size(r) > 20)
        return bh_fail(err, BH_INVALID_ARGUMENT, key,
                       "字段“%s”应为附件编号的数组（至多20个，先上传到 /api/v1/attachments）", key);
    ids = arena_alloc_array(a, json_array_size(r) + 1, sizeof *ids);
    json_array_foreach(r, i, v) {
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            char field[48];
            snprintf(field, sizeof field, "%.20s[%d]", key, (int)i);
            return bh_fail(err, BH_INVALID_ARGUMENT, field, "附件编号应为正整数");
        }
        ids[i] = json_integer_value(v);
    }
    *out = ids;
    *n = (int)json_array_size(r);
    return BH_OK;
}

bh_status_t parse_case_new(json_t *o, arena_t *a, svc_case_new_t *out, bh_err_t *err)
{
    static const char *const top[] = {"category", "title", "description", "source", "urgency",
                                      "unit", "location", "reporter", "external_id", "attachments",
                                      NULL};
    static const char *const loc[] = {"lat", "lng", "address", "crs", NULL};
    static const char *const rep[] = {"name", "phone", NULL};
    json_t *l, *r;
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
    if (!out->description)
        return bh_fail(err, BH_INVALID_ARGUMENT, "description", "缺少必填字段“description”（问题描述）");
    if ((l = json_object_get(o, "location")) && !json_is_null(l)) {
        struct loc p;
        if ((st = location(l, loc, a, &p, err)))
            return st;
        out->has_location = p.has;
        out->lat = p.lat;
        out->lng = p.lng;
        out->address = p.address;
    }
    if ((r = json_object_get(o, "reporter")) && !json_is_null(r)) {
        if (!json_is_object(r))
            return bh_fail(err, BH_INVALID_ARGUMENT, "reporter", "字段“reporter”应为对象 {name, phone}");
        if ((st = known(r, rep, "reporter.", err)) ||
            (st = str(r, "name", "reporter.name", 100, a, &out->reporter_name, err)) ||
            (st = str(r, "phone", "reporter.phone", 40, a, &out->reporter_phone, err)))
            return st;
    }
    if ((st = id_list(o, "attachments", a, &out->attachments, &out->nattachments, err)))
        return st;
    return BH_OK;
}

static bh_status_t finding(json_t *f, int i, arena_t *a, svc_finding_t *out, bh_err_t *err)
{
    static const char *const keys[] = {"severity", "type", "description", "on_spot",
                                       "supervisor", "plan", NULL};
    char prefix[32], field[64];
    json_t *v;
    bh_status_t st;
    snprintf(prefix, sizeof prefix, "findings[%d].", i);
    memset(out, 0, sizeof *out);
    if (!json_is_object(f))
        return bh_fail(err, BH_INVALID_ARGUMENT, "findings", "findings 的每一项应为对象");
#define F(name) (snprintf(field, sizeof field, "%s%s", prefix, name), field)
    if ((st = known(f, keys, prefix, err)) ||
        (st = str(f, "severity", F("severity"), 16, a, &out->severity, err)) ||
        (st = str(f, "type", F("type"), 32, a, &out->type, err)) ||
        (st = str(f, "description", F("description"), CASE_TEXT_MAX, a, &out->description, err)) ||
        (st = str(f, "supervisor", F("supervisor"), 200, a, &out->supervisor, err)) ||
        (st = str(f, "plan", F("plan"), CASE_TEXT_MAX, a, &out->plan, err)))
        return st;
    if ((v = json_object_get(f, "on_spot")) && !json_is_null(v)) {
        if (!json_is_boolean(v))
            return bh_fail(err, BH_INVALID_ARGUMENT, F("on_spot"), "on_spot 应为 true 或 false");
        out->on_spot = json_is_true(v);
    }
#undef F
    return BH_OK;
}

bh_status_t parse_patrol_new(json_t *o, arena_t *a, svc_patrol_new_t *out, bh_err_t *err)
{
    static const char *const top[] = {"object", "client_id", "at", "location", "answers", "note",
                                      "findings", "track", "attachments", NULL};
    static const char *const loc[] = {"lat", "lng", "crs", "accuracy", NULL};
    json_t *v;
    const char *at = NULL;
    bool has_object;
    bh_status_t st;

    memset(out, 0, sizeof *out);
    out->accuracy = -1;
    if ((st = known(o, top, "", err)) ||
        (st = integer(o, "object", &out->object_id, &has_object, err)) ||
        (st = str(o, "client_id", "client_id", 64, a, &out->client_id, err)) ||
        (st = str(o, "at", "at", 40, a, &at, err)) ||
        (st = str(o, "note", "note", CASE_TEXT_MAX, a, &out->note, err)))
        return st;
    if (!has_object || out->object_id <= 0)
        return bh_fail(err, BH_INVALID_ARGUMENT, "object", "缺少必填字段“object”（管理对象的 id）");
    if (!out->client_id)
        return bh_fail(err, BH_INVALID_ARGUMENT, "client_id",
                       "缺少必填字段“client_id”（手机生成的唯一编号，重试时不变）");
    if ((st = id_list(o, "attachments", a, &out->attachments, &out->nattachments, err)))
        return st;
    if (at && !dt_parse_instant(at, &out->at))
        return bh_fail(err, BH_INVALID_ARGUMENT, "at", "巡查时间（at）应为 RFC 3339 时间");
    if ((v = json_object_get(o, "location")) && !json_is_null(v)) {
        struct loc p;
        if ((st = location(v, loc, a, &p, err)))
            return st;
        out->has_location = p.has;
        out->lat = p.lat;
        out->lng = p.lng;
        out->accuracy = p.accuracy;
    }
    if ((v = json_object_get(o, "answers")) && !json_is_null(v)) {
        if (!json_is_object(v))
            return bh_fail(err, BH_INVALID_ARGUMENT, "answers", "answers 应为对象（检查项编码 → 选项）");
        out->answers = v; /* borrowed: lives as long as the body */
    }
    if ((v = json_object_get(o, "findings")) && !json_is_null(v)) {
        svc_finding_t *f;
        if (!json_is_array(v))
            return bh_fail(err, BH_INVALID_ARGUMENT, "findings", "findings 应为数组");
        if (json_array_size(v) > 20)
            return bh_fail(err, BH_INVALID_ARGUMENT, "findings", "一次巡查最多记录 20 条发现");
        f = arena_alloc_array(a, json_array_size(v) + 1, sizeof *f);
        for (size_t i = 0; i < json_array_size(v); i++)
            if ((st = finding(json_array_get(v, i), (int)i, a, &f[i], err)))
                return st;
        out->findings = f;
        out->nfindings = (int)json_array_size(v);
    }
    if ((v = json_object_get(o, "track")) && !json_is_null(v)) {
        double (*t)[3];
        if (!json_is_array(v) || json_array_size(v) < 2 || json_array_size(v) > 20000)
            return bh_fail(err, BH_INVALID_ARGUMENT, "track",
                           "track 应为 2 到 20000 个轨迹点 [经度, 纬度, 时间]");
        t = arena_alloc_array(a, json_array_size(v), sizeof *t);
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *pt = json_array_get(v, i);
            dt_ms_t ms;
            char field[32];
            snprintf(field, sizeof field, "track[%zu]", i);
            if (!json_is_array(pt) || json_array_size(pt) != 3 ||
                !json_is_number(json_array_get(pt, 0)) || !json_is_number(json_array_get(pt, 1)) ||
                !json_is_string(json_array_get(pt, 2)) ||
                !dt_parse_instant(json_string_value(json_array_get(pt, 2)), &ms))
                return bh_fail(err, BH_INVALID_ARGUMENT, field,
                               "轨迹点应为 [经度, 纬度, \"RFC 3339 时间\"]（WGS-84）");
            t[i][0] = json_number_value(json_array_get(pt, 0));
            t[i][1] = json_number_value(json_array_get(pt, 1));
            t[i][2] = (double)ms;
            if (t[i][0] < -180 || t[i][0] > 180 || t[i][1] < -90 || t[i][1] > 90 ||
                (i && t[i][2] < t[i - 1][2]))
                return bh_fail(err, BH_INVALID_ARGUMENT, field, "轨迹点坐标越界或时间倒序");
        }
        out->track = (const double (*)[3])t;
        out->ntrack = (int)json_array_size(v);
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
