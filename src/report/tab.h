/*
 * tab.h - reading and writing tables: CSV (RFC 4180, UTF-8 or GB18030)
 * and .xlsx (our own reader on libzip + expat; libxlsxwriter to write).
 *
 * Reading pushes one row at a time to a callback, so a million-row sheet
 * never sits in memory as cells.  Problems come in two kinds:
 *   - a bad row (a cell that is not UTF-8, too large, a formula with no
 *     value, an Excel error value): the row is still delivered, with
 *     'bad' saying why and 'bad_col' where, so the caller can list it;
 *   - a bad file (broken zip, XML that is not well-formed, an unterminated
 *     quote): reading stops with BH_INVALID_ARGUMENT and a message that
 *     names the sheet and row where it broke.
 */
#ifndef BH_TAB_H
#define BH_TAB_H

#include <stdbool.h>
#include <stddef.h>

#include "util/status.h"

typedef enum { TAB_CSV, TAB_XLSX } tab_format_t;

/* "csv" / "xlsx" (case-insensitive), or -1. */
int tab_format_from_name(const char *name);

/* The format the bytes look like: a zip is .xlsx, anything else CSV. */
tab_format_t tab_sniff(const void *buf, size_t len);

typedef struct {
    const char *sheet;          /* the sheet's name ("" for CSV) */
    long row;                   /* 1-based row number as a spreadsheet shows it */
    int ncells;
    const char *const *cells;   /* UTF-8, never NULL: "" for an empty cell */
    int bad_col;                /* 0-based column of the problem, -1: none */
    const char *bad;            /* why the row is bad, or NULL */
    double progress;            /* 0..1: how far through the input */
} tab_row_t;

typedef bh_status_t (*tab_row_fn)(const tab_row_t *row, void *ctx, bh_err_t *err);

typedef struct {
    const char *sheet;      /* xlsx: the sheet to read by name; NULL: the first */
    const char *encoding;   /* csv: NULL or "utf-8" (default), "gb18030"/"gbk" */
    size_t max_cell;        /* bytes per cell; 0: 32767 characters' worth */
} tab_opts_t;

#define TAB_MAX_COLS 1024

/* Read every row (blank rows too) and hand it to fn; stops at fn's first
 * error and returns it. */
bh_status_t tab_read(const void *buf, size_t len, tab_format_t fmt, const tab_opts_t *o,
                     tab_row_fn fn, void *ctx, bh_err_t *err);

bh_status_t tab_read_csv(const void *buf, size_t len, const tab_opts_t *o, tab_row_fn fn,
                         void *ctx, bh_err_t *err);
bh_status_t tab_read_xlsx(const void *buf, size_t len, const tab_opts_t *o, tab_row_fn fn,
                          void *ctx, bh_err_t *err);

/* A column's spreadsheet name: 0 -> "A", 26 -> "AA". */
const char *tab_col_name(int col, char out[8]);

/*
 * Spreadsheet formula injection: a CSV text cell that starts with one of
 * = + - @ TAB CR would be run as a formula by Excel, so the writer puts a
 * single quote before it (OWASP's advice) and the reader takes that quote
 * off again, so that an export re-imports to the same values.
 */
bool tab_formula_lead(char c);

/* An Excel serial day number (1900 system, or 1904) as "YYYY-MM-DD" or,
 * with a time of day, "YYYY-MM-DD HH:MM:SS".  false if out of range. */
bool tab_excel_date(double serial, bool date1904, char out[32]);

/* ---- writing ---- */

typedef struct tab_writer tab_writer_t;

/* Create 'path' (CSV is written with a UTF-8 byte-order mark so that Excel
 * shows Chinese correctly). */
bh_status_t tab_writer_open(const char *path, tab_format_t fmt, const char *sheet,
                            tab_writer_t **out, bh_err_t *err);

/* One row; numeric[i] (may be NULL) writes cell i as a number when it
 * parses as one.  The first row written is the header. */
bh_status_t tab_writer_row(tab_writer_t *w, const char *const *cells, const bool *numeric, int n,
                           bh_err_t *err);

/* Finish the file; always frees w. */
bh_status_t tab_writer_close(tab_writer_t *w, bh_err_t *err);

#endif
