/*
 * object.h - managed objects (DESIGN.md §5): enterprises and places with
 * a risk level, city components with their 16-digit code, river and forest
 * sections, monitored households.  Each belongs to a grid.  The patrol
 * loop visits them on schedules set by kind and risk.  Pure validation.
 */
#ifndef BH_OBJECT_H
#define BH_OBJECT_H

#include "util/status.h"

typedef enum {
    OBJ_ENTERPRISE,   /* 企业/场所 */
    OBJ_COMPONENT,    /* 城市部件 */
    OBJ_RIVER,        /* 河段 */
    OBJ_FOREST,       /* 林段 */
    OBJ_HOUSEHOLD,    /* 重点户 */
    OBJ__COUNT
} obj_kind_t;

const char *obj_kind_name(obj_kind_t k);  /* "enterprise" */
const char *obj_kind_label(obj_kind_t k); /* "企业/场所" */
int obj_kind_from_name(const char *s);

/* Enterprise types: production 一般生产经营单位, small_venue 三小场所,
 * office 纯办公场所, public_area 公共区域管理单位. */
const char *obj_type_label(const char *type); /* NULL when unknown */

/* Risk levels red orange yellow blue (重大 较大 一般 低). */
const char *obj_risk_label(const char *risk); /* NULL when unknown */

/*
 * Check an object: enterprises need a known type and a risk level; a
 * component's code is 16 digits = county 6 (the grid's) + class 2 +
 * subclass 2 + serial 6; others take an optional risk.  err names the field.
 */
bh_status_t obj_check(obj_kind_t kind, const char *type, const char *risk, const char *code,
                      const char *grid, bh_err_t *err);

#endif
