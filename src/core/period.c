/*
 * period.c - reporting periods (see period.h).
 */
#include "core/period.h"

#include <stdio.h>
#include <string.h>

static period_t months(int y, int m, int n)
{
    period_t p;
    int ey = y, em = m + n;
    if (em > 12) {
        em -= 12;
        ey++;
    }
    p.from = dt_day_from_ymd(y, m, 1);
    p.to = dt_day_from_ymd(ey, em, 1) - 1;
    return p;
}

period_t period_month(dt_day_t day)
{
    int y, m, d;
    dt_ymd(day, &y, &m, &d);
    return months(y, m, 1);
}

period_t period_quarter(dt_day_t day)
{
    int y, m, d;
    dt_ymd(day, &y, &m, &d);
    return months(y, (m - 1) / 3 * 3 + 1, 3);
}

period_t period_half(dt_day_t day)
{
    int y, m, d;
    dt_ymd(day, &y, &m, &d);
    return months(y, m <= 6 ? 1 : 7, 6);
}

period_t period_year(dt_day_t day)
{
    int y, m, d;
    dt_ymd(day, &y, &m, &d);
    return months(y, 1, 12);
}

period_t period_week(dt_day_t day)
{
    period_t p;
    p.from = day - (dt_weekday(day) - 1);
    p.to = p.from + 6;
    return p;
}

/* Exactly 'n' ASCII digits at s; their value in *v. */
static bool digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

bool period_parse(const char *s, period_t *out)
{
    int y, k;
    size_t n = s ? strlen(s) : 0;
    if (n < 4 || !digits(s, 4, &y) || y < DT_YEAR_MIN || y > DT_YEAR_MAX - 1)
        return false;
    if (n == 4) {
        *out = months(y, 1, 12);
        return true;
    }
    if (n == 6 && (s[4] == 'H' || s[4] == 'h') && (s[5] == '1' || s[5] == '2')) {
        *out = months(y, s[5] == '1' ? 1 : 7, 6);
        return true;
    }
    if (n == 6 && (s[4] == 'Q' || s[4] == 'q') && s[5] >= '1' && s[5] <= '4') {
        *out = months(y, (s[5] - '1') * 3 + 1, 3);
        return true;
    }
    if (n == 7 && s[4] == '-' && digits(s + 5, 2, &k) && k >= 1 && k <= 12) {
        *out = months(y, k, 1);
        return true;
    }
    if (n == 10 && dt_parse_date(s, &out->from)) {
        out->to = out->from;
        return true;
    }
    return false;
}

dt_ms_t period_next_run(bool monthly, int day, int minute, dt_ms_t after)
{
    dt_day_t d = dt_local_day(after);
    for (int i = 0; i < 64; i++, d++) {
        int y, m, dd;
        dt_ymd(d, &y, &m, &dd);
        if ((monthly ? dd : dt_weekday(d)) != day)
            continue;
        dt_ms_t t = dt_local_midnight(d) + (dt_ms_t)minute * 60000;
        if (t > after)
            return t;
    }
    return 0; /* no such day: the caller validated day */
}

period_t period_before(bool monthly, dt_day_t run)
{
    return monthly ? period_month(period_month(run).from - 1) : period_week(period_week(run).from - 1);
}

static bool same(period_t a, period_t b)
{
    return a.from == b.from && a.to == b.to;
}

period_t period_previous(period_t p)
{
    period_t (*kinds[])(dt_day_t) = {period_week, period_month, period_quarter, period_half,
                                     period_year};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (same(p, kinds[i](p.from)))
            return kinds[i](p.from - 1);
    dt_day_t len = p.to - p.from + 1;
    return (period_t){p.from - len, p.from - 1};
}

/* The same date a year before; a month's last day stays the last day. */
static dt_day_t year_before(dt_day_t d)
{
    int y, m, dd;
    dt_ymd(d, &y, &m, &dd);
    if (period_month(d).to == d)
        return period_month(dt_day_from_ymd(y - 1, m, 1)).to;
    return dt_day_from_ymd(y - 1, m, dd == 29 && m == 2 ? 28 : dd);
}

period_t period_year_before(period_t p)
{
    return (period_t){year_before(p.from), year_before(p.to)};
}
