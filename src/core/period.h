/*
 * period.h - the reporting periods of DESIGN.md §9: "2023" (a year),
 * "2023H1" (a half), "2023Q2" (a quarter), "2023-06" (a month) and
 * "2023-06-15" (a day), each a span of Asia/Shanghai local dates.  Shared by
 * the patrol, target and reporting loops.  Pure.
 */
#ifndef BH_PERIOD_H
#define BH_PERIOD_H

#include <stdbool.h>

#include "core/datetime.h"

/* Local dates from..to, both included. */
typedef struct {
    dt_day_t from, to;
} period_t;

/* Parse one of the forms above; false on anything else. */
bool period_parse(const char *s, period_t *out);

/* The natural week (Monday..Sunday), month, quarter, half-year and year
 * containing 'day'. */
period_t period_week(dt_day_t day);
period_t period_month(dt_day_t day);
period_t period_quarter(dt_day_t day);
period_t period_half(dt_day_t day);
period_t period_year(dt_day_t day);

/* The period before p, for 环比: the previous week, month, quarter, half
 * or year when p is a whole one of those; else the same number of days
 * just before. */
period_t period_previous(period_t p);
/* The same span a year before, for 同比: the same dates, a month's end
 * kept at the month's end (to 2024-02-29 from 2025-02-28, and back). */
period_t period_year_before(period_t p);

/*
 * Schedules of reports: the first instant after 'after' that is 'minute'
 * (0..1439) of a local day which is weekday 'day' (1 Monday .. 7 Sunday)
 * when weekly, or day 'day' (1..28) of a month when monthly.
 */
dt_ms_t period_next_run(bool monthly, int day, int minute, dt_ms_t after);
/* The period a run on local date 'run' reports: the week (Monday..Sunday)
 * or the month before the one 'run' is in. */
period_t period_before(bool monthly, dt_day_t run);

#endif
