/*
 * unitcode.h - the national code structures of the unit tree.
 *
 *   district/county  6 digits, GB/T 2260 (province prefix 11-82)  440303
 *   street/town      9 digits = district + 3 (001-999)            440303001
 *   community/village 12 digits = street + 3 (001-999)            440303001001
 *   grid             14 digits = community + 2 (01-99)            44030300100101
 *   department       parent code + "-" + 1-16 of [A-Z0-9]         440303-CG
 *
 * A child's code extends its parent's.  Jurisdiction is NOT a raw string
 * prefix: "440303-CG" is a prefix of its sibling "440303-CGZF".  The one
 * rule (unit_in_scope): a department is itself only; a numeric unit is
 * its subtree, i.e. codes that extend it by digits or by "-" (its
 * departments).  Codes are strings.  Pure.
 */
#ifndef BH_UNITCODE_H
#define BH_UNITCODE_H

#include <stdbool.h>

#include "util/status.h"

typedef enum {
    UNIT_DISTRICT,
    UNIT_STREET,
    UNIT_COMMUNITY,
    UNIT_GRID,
    UNIT_DEPARTMENT,
    UNIT__COUNT
} unit_type_t;

const char *unit_type_name(unit_type_t t);   /* "district" ... */
const char *unit_type_label(unit_type_t t);  /* "区县" ... */
int unit_type_from_name(const char *s);      /* -1 when unknown */

/*
 * Check a unit's code against its type and its parent (parent_code and
 * parent_type are ignored for a district, which has no parent).  err names
 * the rule broken.
 */
bh_status_t unit_code_check(const char *code, unit_type_t type, const char *parent_code,
                            int parent_type, bh_err_t *err);

/* Is 'code' inside the jurisdiction of unit 'scope'?  (See above.)
 * False when either is NULL. */
bool unit_in_scope(const char *scope, const char *code);

/* Does 'scope' stand for a subtree (a numeric code that is not a grid),
 * rather than for exactly itself (a department, a grid)?  A store filter
 * on 'scope' is then the code range of strings extending it. */
bool unit_scope_is_subtree(const char *scope);

/* Is this the code of a grid (网格, 14 digits)?  Says nothing of whether
 * the grid exists. */
bool unit_code_is_grid(const char *code);

/* The narrower of two scopes, or NULL when they do not overlap: 'a' if it
 * is inside 'b', 'b' if it is inside 'a'. */
const char *unit_scope_meet(const char *a, const char *b);

/* The length of the codes one level below 'code' (district 6 → streets 9 →
 * communities 12 → grids 14); strlen(code) for a grid or a department,
 * which group only themselves. */
int unit_child_code_len(const char *code);

#endif
