/*
 * ledger_int.h - what ledger.c, ledger_import.c and ledger_export.c share:
 * each kind's columns and the enumerated values of cells.
 */
#ifndef BH_LEDGER_INT_H
#define BH_LEDGER_INT_H

#include "svc/ledger.h"

/* A column: C_REQ required on import, C_OUT export only, C_IN import only,
 * C_NUM a number in exports. */
enum { C_REQ = 1, C_OUT = 2, C_IN = 4, C_NUM = 8 };

typedef struct {
    const char *key, *label;
    unsigned flags;
} col_t;

/* A kind of ledger.  whole_check: a row may need a row before it in the
 * same file (a unit's parent, the month before a cumulative figure), so
 * the check before writing is one transaction (these ledgers are small). */
typedef struct {
    const char *name, *label;
    const col_t *cols;
    int ncols;
    bool whole_check;
} ledger_kind_def_t;

extern const ledger_kind_def_t ledger_kinds[LEDGER__COUNT];

/* An enumerated column: its identifiers and the label of each.  Roles,
 * object kinds and types and case sources take the core's labels; unit
 * types, risk levels and urgency have shorter spreadsheet labels. */
typedef struct {
    const char *const *values;
    const char *(*label)(const char *value); /* never NULL for a listed value */
} enum_t;

extern const enum_t E_UNIT_TYPE, E_OBJ_KIND, E_OBJ_TYPE, E_RISK, E_ROLE, E_URGENCY, E_SOURCE;

/* The label of an identifier (the identifier itself when unknown, "" for NULL). */
const char *ledger_enum_label(const enum_t *e, const char *value);

#endif
