/*
 * calendar.h - China's working-day calendar.
 *
 * A calendar is a set of years whose schedule has been published, plus
 * per-date overrides (official holidays OFF, make-up working days WORK, and
 * any regional additions loaded on top).  A date without an override follows
 * the Monday-Friday rule.
 *
 * A date in a year whose schedule has not been published is still answered
 * by the Monday-Friday rule, but every function that looks at such a date
 * sets CAL_F_UNPUBLISHED in its 'flags' out-parameter, so the caller can
 * warn instead of silently trusting a guess.  Functions OR their flags into
 * *flags (they never clear it); pass NULL when not interested.
 *
 * Data format (text, UTF-8, one record per line, '#' starts a comment):
 *     2025,PUBLISHED,国务院办公厅 2024-11-12
 *     2025-01-28,OFF,春节
 *     2025-01-26,WORK,春节
 * Loading a second text on top (a region's overrides) replaces the value of
 * any date it names.
 *
 * Pure computation over memory; no I/O.
 */
#ifndef BH_CALENDAR_H
#define BH_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/datetime.h"
#include "util/status.h"

#define CAL_F_UNPUBLISHED 0x1u /* touched a year with no published schedule */
#define CAL_F_RANGE 0x2u       /* arithmetic ran outside years 1900-9999 */

typedef struct cal cal_t;

/* An empty calendar: no published year, no override.  Free with cal_free. */
cal_t *cal_new(void);
void cal_free(cal_t *cal);

/*
 * Load calendar records from 'text' (length 'len').  'source' names the
 * text in error messages.  On a bad line nothing from this text is kept,
 * and err says which line and why.
 */
bh_status_t cal_load(cal_t *cal, const char *text, size_t len,
                     const char *source, bh_err_t *err);

/*
 * A new calendar holding the official national schedule that ships with
 * the project (data/calendar/cn.csv, compiled in).
 */
cal_t *cal_new_national(void);

bool cal_year_published(const cal_t *cal, int year);

/* The span of published years; returns false when there is none. */
bool cal_published_range(const cal_t *cal, int *first, int *last);

bool cal_is_workday(const cal_t *cal, dt_day_t day, unsigned *flags);

/* The holiday or make-up day's name, or NULL for an ordinary day. */
const char *cal_day_name(const cal_t *cal, dt_day_t day);

/*
 * The n-th working day after 'start' (start itself is not counted); a
 * negative n counts backwards; n == 0 returns start.
 */
dt_day_t cal_add_workdays(const cal_t *cal, dt_day_t start, int n,
                          unsigned *flags);

/* Working days in [from, to], both ends included; 0 when to < from. */
int64_t cal_count_workdays(const cal_t *cal, dt_day_t from, dt_day_t to,
                           unsigned *flags);

/* 'day' if it is a working day, else the next working day after it. */
dt_day_t cal_next_workday(const cal_t *cal, dt_day_t day, unsigned *flags);

/*
 * A calendar-day legal limit under the civil rule: the start day is not
 * counted, and a deadline falling on a rest day moves to the next working
 * day.  Returns the date on whose end the limit expires.
 */
dt_day_t cal_civil_deadline(const cal_t *cal, dt_day_t start, int days,
                            unsigned *flags);

/* ---- office hours ---- */

#define CAL_HOURS_MAX 8

/* Office hours of a working day: ordered, non-overlapping local spans. */
typedef struct {
    int n;
    struct {
        int64_t begin_ms, end_ms; /* ms since local midnight */
    } span[CAL_HOURS_MAX];
} cal_hours_t;

/* The default office hours: 09:00-12:00 and 13:30-18:00. */
void cal_hours_default(cal_hours_t *h);

/*
 * Parse office hours written as "09:00-12:00,13:30-18:00".  Spans must be
 * in order, not overlap, and lie within the day (24:00 allowed as an end).
 */
bh_status_t cal_hours_parse(cal_hours_t *h, const char *s, bh_err_t *err);

/* Total office milliseconds of one working day. */
int64_t cal_hours_per_day(const cal_hours_t *h);

/*
 * The instant 'ms' office milliseconds after 'start'.  Time before, between
 * or after office spans, and on rest days, does not count.  A result that
 * lands exactly at the end of a span is that end (17:00 + 1h = 18:00).
 */
dt_ms_t cal_add_work_ms(const cal_t *cal, const cal_hours_t *h, dt_ms_t start,
                        int64_t ms, unsigned *flags);

/* Office milliseconds in [a, b); 0 when b <= a. */
int64_t cal_work_ms_between(const cal_t *cal, const cal_hours_t *h, dt_ms_t a,
                            dt_ms_t b, unsigned *flags);

#endif
