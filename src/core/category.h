/*
 * category.h - case categories and their SLA policies, as data.
 *
 * The project ships data/categories.json (compiled in; see
 * cat_set_builtin).  The loader validates every entry and field and says
 * exactly which is wrong, e.g. "categories[12] (E0501) 字段 policy: ...".
 *
 * Parsing works on a string in memory; reading files is the caller's job.
 */
#ifndef BH_CATEGORY_H
#define BH_CATEGORY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/sla.h"
#include "util/status.h"

typedef enum {
    CAT_KIND_CITY_EVENT,     /* 数字城管事件 */
    CAT_KIND_CITY_COMPONENT, /* 数字城管部件 */
    CAT_KIND_HOTLINE,        /* 12345 热线工单 */
    CAT_KIND_PETITION,       /* 信访 */
    CAT_KIND_HAZARD,         /* 安全隐患 */
    CAT_KIND_DISPUTE,        /* 矛盾纠纷 */
    CAT_KIND_ENV_COMPLAINT,  /* 环境投诉 */
    CAT_KIND_RATING_RECTIFY, /* 好差评差评整改 */
    CAT_KIND__COUNT
} cat_kind_t;

typedef enum {
    CAT_UNIT_STREET,     /* the street/town where it happened (属地) */
    CAT_UNIT_COMMUNITY,  /* the community/village */
    CAT_UNIT_DEPARTMENT, /* a functional department */
    CAT_UNIT__COUNT
} cat_unit_type_t;

typedef struct {
    char *source;  /* NULL = any */
    char *urgency; /* NULL = any */
    int policy;    /* index into cat_set_t.policies */
} cat_override_t;

/* Open311 GeoReport v2 attribute datatypes. */
typedef enum {
    CAT_ATTR_STRING,
    CAT_ATTR_NUMBER,
    CAT_ATTR_DATETIME,
    CAT_ATTR_TEXT,
    CAT_ATTR_SINGLEVALUELIST,
    CAT_ATTR_MULTIVALUELIST,
    CAT_ATTR__COUNT
} cat_attr_type_t;

/* An extra field a category asks of citizens (an Open311 attribute). */
typedef struct {
    char *code, *description, *datatype_description;
    cat_attr_type_t datatype;
    bool variable, required;
    int order;
    int nvalues;
    struct {
        char *key, *name;
    } *values; /* for the list types */
} cat_attr_t;

typedef struct {
    char *code;
    char *name;
    char *parent;             /* parent category code, or NULL */
    cat_kind_t kind;
    cat_unit_type_t default_unit_type;
    char *default_department; /* e.g. "城市管理局", or NULL */
    int policy;               /* index into cat_set_t.policies */
    char *register_standard;  /* 立案标准 */
    char *close_standard;     /* 结案标准 */
    cat_override_t *overrides;
    int noverrides;
    /* Open311: offered to the public, with its group, keywords, text and
     * attributes (all NULL/0 unless "open311" is given). */
    bool open311;
    char *group, *keywords, *service_description; /* keywords comma-joined */
    cat_attr_t *attrs;
    int nattrs;
} cat_t;

/* Evidence a policy requires (issue 14): taking 'action' (case_action_t)
 * needs a photo of 'stage' on the case ("before", "after", or "any"), when
 * taken by one of 'roles' (mask of 1u << bh_role_t; 0: by anyone). */
typedef struct {
    int action;
    char stage[8];
    uint32_t roles;
} cat_evidence_t;

typedef struct {
    int npolicies;
    char **policy_keys;    /* "city_event", ... */
    sla_policy_t *policies;
    cat_evidence_t **evidence; /* per policy: its "evidence" rules */
    int *nevidence;
    int ncats;
    cat_t *cats;
} cat_set_t;

/*
 * Parse and validate a categories document.  On success *out owns
 * everything (free with cat_set_free); on error *out is NULL and err names
 * the entry and field.
 */
bh_status_t cat_set_parse(const char *json, size_t len, cat_set_t **out,
                          bh_err_t *err);

/* The categories shipped with the project (data/categories.json). */
cat_set_t *cat_set_builtin(void);
const char *cat_builtin_text(size_t *len); /* its text, not NUL-terminated */

void cat_set_free(cat_set_t *set);

/* The category with this code, or NULL. */
const cat_t *cat_find(const cat_set_t *set, const char *code);

/*
 * The policy for a case of this category, source and urgency (either may
 * be NULL): the first override that matches, else the category's own.
 */
const sla_policy_t *cat_policy(const cat_set_t *set, const cat_t *cat,
                               const char *source, const char *urgency);

/* The evidence rules of policy p (one of set's) for 'action' taken by
 * 'role', from rule 'from' on: the next one that applies at or after it,
 * *at its index; NULL when none is left.  Every one applies. */
const cat_evidence_t *cat_evidence(const cat_set_t *set, const sla_policy_t *p, int action,
                                   int role, int from, int *at);

const char *cat_kind_name(cat_kind_t k);  /* "city_event" */
const char *cat_kind_label(cat_kind_t k); /* "数字城管事件" */
const char *cat_unit_type_name(cat_unit_type_t t);
const char *cat_attr_type_name(cat_attr_type_t t); /* "singlevaluelist" */

#endif
