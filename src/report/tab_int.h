/*
 * tab_int.h - what the CSV and .xlsx readers share: the buffer one row's
 * cells are collected in (cells NUL-terminated, one allocation reused
 * for every row).
 */
#ifndef BH_TAB_INT_H
#define BH_TAB_INT_H

#include <stdbool.h>
#include <stddef.h>

struct tab_rb {
    char *text;       /* the cells, each NUL-terminated */
    size_t len, cap;
    size_t *start;    /* offsets into text */
    const char **cells;
    int n, cap_cells;
    size_t cell_len;  /* bytes of the cell being read */
    size_t cur;       /* where the cell being read starts in text */
    int too_big;      /* first over-long column, -1 */
    int nul;          /* first column with a NUL byte, -1 */
    bool too_many;    /* more than TAB_MAX_COLS columns */
};

/* Append a byte to the cell being read (dropped past max_cell bytes or
 * TAB_MAX_COLS columns, which are then flagged). */
void tab_rb_byte(struct tab_rb *b, char ch, size_t max_cell);
/* End the cell being read. */
void tab_rb_end_cell(struct tab_rb *b);
/* Start a new row. */
void tab_rb_reset(struct tab_rb *b);
/* A whole cell. */
void tab_rb_put(struct tab_rb *b, const char *s, size_t n, size_t max_cell);
/* Point cells[] at the row's text. */
void tab_rb_finish(struct tab_rb *b);
void tab_rb_free(struct tab_rb *b);

#endif
