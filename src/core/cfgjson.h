/*
 * cfgjson.h - reading the JSON configuration documents of core/ (patrol
 * plans, target indicators): typed fields with their limits, unknown
 * members refused, every error naming the field's path ("plans[3].per")
 * in the document's Chinese name.  Pure.
 */
#ifndef BH_CFGJSON_H
#define BH_CFGJSON_H

#include <stdbool.h>
#include <jansson.h>

#include "util/status.h"

typedef struct {
    bh_err_t *err;
    const char *doc;  /* "巡查配置" */
    char where[128];  /* the path of the object being read, "" at the top */
} cfg_ctx_t;

/* Fail naming where.field. */
bh_status_t cfg_bad(cfg_ctx_t *c, const char *field, const char *what);
/* Refuse members not in 'allowed' (NULL-terminated). */
bh_status_t cfg_only_keys(cfg_ctx_t *c, json_t *obj, const char *const *allowed);
/* A string of at most 200 bytes, copied (xstrdup) to *out; NULL when absent
 * and optional. */
bh_status_t cfg_str(cfg_ctx_t *c, json_t *obj, const char *key, bool required, char **out);
/* An integer in [lo, hi]; 'dflt' when absent. */
bh_status_t cfg_int(cfg_ctx_t *c, json_t *obj, const char *key, int lo, int hi, int dflt,
                    int *out);
/* A number (integer or real) in [lo, hi]; 'dflt' when absent. */
bh_status_t cfg_num(cfg_ctx_t *c, json_t *obj, const char *key, double lo, double hi,
                    double dflt, double *out);
/* The array member 'key' (*st set, NULL when it is not an array). */
json_t *cfg_array(cfg_ctx_t *c, json_t *obj, const char *key, bh_status_t *st);

#endif
