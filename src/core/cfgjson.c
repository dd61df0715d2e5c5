/* cfgjson.c - see cfgjson.h. */
#include "core/cfgjson.h"

#include <stdio.h>

#include "util/jsonkeys.h"
#include "util/xmalloc.h"

bh_status_t cfg_bad(cfg_ctx_t *c, const char *field, const char *what)
{
    char path[256];
    snprintf(path, sizeof path, "%s%s%.100s", c->where, *c->where && *field ? "." : "", field);
    return bh_fail(c->err, BH_INVALID_ARGUMENT, path, "%s %s：%s", c->doc, path, what);
}

bh_status_t cfg_only_keys(cfg_ctx_t *c, json_t *obj, const char *const *allowed)
{
    const char *key = json_stray_key(obj, allowed);
    return key ? cfg_bad(c, key, "未知字段（拼写错误？）") : BH_OK;
}

bh_status_t cfg_str(cfg_ctx_t *c, json_t *obj, const char *key, bool required, char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? cfg_bad(c, key, "缺少必填字段") : BH_OK;
    if (!json_is_string(v) || (required && !*json_string_value(v)))
        return cfg_bad(c, key, required ? "应为非空字符串" : "应为字符串");
    if (json_string_length(v) > 200)
        return cfg_bad(c, key, "过长（最多 200 字节）");
    *out = xstrdup(json_string_value(v));
    return BH_OK;
}

bh_status_t cfg_int(cfg_ctx_t *c, json_t *obj, const char *key, int lo, int hi, int dflt,
                    int *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = dflt;
        return BH_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        char m[64];
        snprintf(m, sizeof m, "应为 %d 到 %d 的整数", lo, hi);
        return cfg_bad(c, key, m);
    }
    *out = (int)json_integer_value(v);
    return BH_OK;
}

bh_status_t cfg_num(cfg_ctx_t *c, json_t *obj, const char *key, double lo, double hi,
                    double dflt, double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = dflt;
        return BH_OK;
    }
    if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi) {
        char m[96];
        snprintf(m, sizeof m, "应为 %g 到 %g 之间的数", lo, hi);
        return cfg_bad(c, key, m);
    }
    *out = json_number_value(v);
    return BH_OK;
}

json_t *cfg_array(cfg_ctx_t *c, json_t *obj, const char *key, bh_status_t *st)
{
    json_t *v = json_object_get(obj, key);
    *st = BH_OK;
    if (!json_is_array(v)) {
        *st = cfg_bad(c, key, "应为数组");
        return NULL;
    }
    return v;
}
