/*
 * datetime.h - civil dates and instants, the two kinds of time bihuan uses.
 *
 * An instant is int64 milliseconds since 1970-01-01T00:00:00Z (UTC); this is
 * what is stored.  A civil date is a day number, days since 1970-01-01.
 * Working-day arithmetic happens in Asia/Shanghai local dates; China has had
 * one fixed offset (UTC+08:00, no daylight saving) since 1991, so the
 * conversion is a constant and needs no time-zone database.
 *
 * Pure functions; no I/O.
 */
#ifndef BH_DATETIME_H
#define BH_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t dt_day_t;  /* days since 1970-01-01 (may be negative) */
typedef int64_t dt_ms_t;   /* milliseconds since the Unix epoch, UTC */

#define DT_MINUTE_MS 60000LL
#define DT_HOUR_MS 3600000LL
#define DT_DAY_MS 86400000LL
#define DT_LOCAL_OFFSET_MS (8 * DT_HOUR_MS) /* Asia/Shanghai */

#define DT_YEAR_MIN 1900
#define DT_YEAR_MAX 9999

/* True when y-m-d names a real date between DT_YEAR_MIN and DT_YEAR_MAX. */
bool dt_ymd_valid(int y, int m, int d);

/* Day number of a date; the date must be valid (see dt_ymd_valid). */
dt_day_t dt_day_from_ymd(int y, int m, int d);

/* Split a day number into year, month (1-12) and day (1-31). */
void dt_ymd(dt_day_t day, int *y, int *m, int *d);

/* ISO weekday: 1 = Monday ... 7 = Sunday. */
int dt_weekday(dt_day_t day);

/* The local (Asia/Shanghai) date an instant falls on. */
dt_day_t dt_local_day(dt_ms_t t);

/* Milliseconds since local midnight of the instant's local date. */
int64_t dt_local_ms_of_day(dt_ms_t t);

/* The instant of local midnight (00:00 +08:00) starting 'day'. */
dt_ms_t dt_local_midnight(dt_day_t day);

/*
 * Parse "YYYY-MM-DD" strictly (four-digit year, two-digit month and day,
 * nothing after).  Returns false on anything else.
 */
bool dt_parse_date(const char *s, dt_day_t *out);

/*
 * Parse an instant: "YYYY-MM-DD" (local midnight), or
 * "YYYY-MM-DDTHH:MM[:SS[.fff]]" optionally followed by "Z" or "+HH:MM" /
 * "-HH:MM".  Without an offset the time is Asia/Shanghai local time.
 * A space is accepted in place of 'T'.  Returns false on anything else.
 */
bool dt_parse_instant(const char *s, dt_ms_t *out);

/* "YYYY-MM-DD" into buf (at least 11 bytes).  Returns buf. */
char *dt_format_date(dt_day_t day, char *buf, size_t size);

/*
 * RFC 3339 in local time with the +08:00 offset, e.g.
 * "2025-03-04T10:00:00+08:00"; milliseconds are shown only when non-zero.
 * buf should hold at least 32 bytes.  Returns buf.
 */
char *dt_format_instant(dt_ms_t t, char *buf, size_t size);

/* Floor division helpers, correct for negative numerators. */
int64_t dt_floor_div(int64_t a, int64_t b);

#endif
