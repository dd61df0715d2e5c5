/*
 * ledger.h - ledgers (台账): importing and exporting units, grid
 * geometries, managed objects, users, cases and the target loop's targets
 * and actuals as CSV / .xlsx (geometries as GeoJSON), and exporting the
 * patrol check-in ledger (巡查台账), one call for the CLI and the HTTP API
 * alike.
 *
 * An import writes in chunks (at most LEDGER_CHUNK_ROWS rows and about
 * LEDGER_CHUNK_MS a transaction), so other writers wait for a chunk, never
 * for the whole file.  Unless
 * skip_bad is set, every row is checked first (chunks rolled back) and one
 * bad row means nothing is written.  Every row runs in its own savepoint,
 * so a bad row is undone alone and reported with sheet, row, column and
 * reason.  A run cut short resumes: the same file imported again by the
 * same user goes on after the rows already committed (a checkpoint is
 * committed with every chunk).  Column headers may be the Chinese label
 * or the English key (docs/LEDGERS.md).
 */
#ifndef BH_LEDGER_H
#define BH_LEDGER_H

#include "report/tab.h"
#include "svc/svc.h"

typedef enum {
    LEDGER_UNITS,
    LEDGER_GEOMETRIES,
    LEDGER_OBJECTS,
    LEDGER_USERS,
    LEDGER_CASES,
    LEDGER_PATROLS, /* check-ins and self-checks: export only */
    LEDGER_TARGETS, /* the target loop's targets (目标值) */
    LEDGER_ACTUALS, /* and its entered actuals (指标完成值) */
    LEDGER__COUNT
} ledger_kind_t;

/* "units" "geometries" "objects" "users" "cases" "patrols" "targets"
 * "actuals", or -1. */
int ledger_kind_from_name(const char *name);
const char *ledger_kind_name(ledger_kind_t k);
const char *ledger_kind_label(ledger_kind_t k); /* "单位" ... */

/* The file format of a ledger: tab.h's formats, or GeoJSON (geometries). */
enum { LEDGER_FMT_CSV = TAB_CSV, LEDGER_FMT_XLSX = TAB_XLSX, LEDGER_FMT_GEOJSON };
int ledger_format_from_name(const char *name); /* "csv" "xlsx" "geojson", or -1 */

typedef struct {
    char sheet[64];
    long row;          /* 1-based, as the spreadsheet shows it */
    char col[8];       /* "C", or "" when the whole row */
    char column[64];   /* the column's header, or "" */
    char reason[640];
} ledger_bad_t;

#define LEDGER_MAX_LISTED 1000 /* bad rows listed; all are counted */

typedef struct {
    long rows;          /* data rows read (blank rows not counted) */
    long created, updated, unchanged, bad;
    ledger_bad_t *bads; /* the first LEDGER_MAX_LISTED */
    int nbads;
    bool written;       /* the good rows were committed */
    long resumed;       /* data rows an earlier, unfinished run of the same file settled
                           (counted in created ... bad, not listed) */
} ledger_result_t;

/* Progress of one pass over the file: phase "读取", "检查" or "写入",
 * fraction 0..1 of that pass, data rows so far. */
typedef void (*ledger_progress_fn)(const char *phase, double fraction, long rows, void *ctx);

#define LEDGER_CHUNK_ROWS 10000 /* rows a transaction at most */
#define LEDGER_CHUNK_MS 100      /* and the time one holds the writer (then the next begins) */

typedef struct {
    int format;              /* LEDGER_FMT_* */
    tab_opts_t tab;          /* sheet, encoding, cell limit */
    bool skip_bad;           /* import the good rows, list the bad */
    bool dry_run;            /* check everything, write nothing */
    long chunk_rows;         /* rows a transaction; 0: LEDGER_CHUNK_ROWS */
    ledger_progress_fn progress;
    void *progress_ctx;
} ledger_opts_t;

/*
 * Import a ledger as user 'u' (its role and jurisdiction apply to every
 * row).  BH_OK when the file was read: look at res->bad and res->written.
 * BH_INVALID_ARGUMENT when the file itself is unusable (message says
 * where), or when rows were bad and skip_bad was not set (nothing
 * written; res lists them).  A row that passed the check but fails when
 * written (the store changed in between) is listed in res like a bad row
 * skipped.  Another status after some chunks were committed: the message
 * says how many rows are written, and importing the file again resumes.
 */
bh_status_t svc_ledger_import(svc_t *s, const svc_user_t *u, ledger_kind_t kind, const void *buf,
                              size_t len, const ledger_opts_t *o, ledger_result_t *res,
                              bh_err_t *err);
void ledger_result_free(ledger_result_t *res);

/* Export what 'u' may see to 'path'; *rows is how many data rows. */
bh_status_t svc_ledger_export(svc_t *s, const svc_user_t *u, ledger_kind_t kind, int format,
                              const char *path, long *rows, bh_err_t *err);

#endif
