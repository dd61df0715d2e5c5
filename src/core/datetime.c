/*
 * datetime.c - civil-date arithmetic (proleptic Gregorian) and the parsing
 * and formatting of dates and instants.
 *
 * The day-number conversion follows the well-known "days from civil"
 * algorithm: shift the year to start in March so that the leap day is the
 * last day of the shifted year, then count 400-year eras.
 */
#include "core/datetime.h"

#include <stdio.h>
#include <string.h>

int64_t dt_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

bool dt_ymd_valid(int y, int m, int d)
{
    if (y < DT_YEAR_MIN || y > DT_YEAR_MAX || m < 1 || m > 12 || d < 1)
        return false;
    return d <= days_in_month(y, m);
}

dt_day_t dt_day_from_ymd(int y, int m, int d)
{
    int64_t yy = m <= 2 ? y - 1 : y;
    int64_t era = dt_floor_div(yy, 400);
    int64_t yoe = yy - era * 400;                      /* [0, 399] */
    int64_t mp = (m + 9) % 12;                         /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;          /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
    return (dt_day_t)(era * 146097 + doe - 719468);
}

void dt_ymd(dt_day_t day, int *y, int *m, int *d)
{
    int64_t z = (int64_t)day + 719468;
    int64_t era = dt_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = mm;
    *d = dd;
}

int dt_weekday(dt_day_t day)
{
    /* 1970-01-01 was a Thursday (ISO 4). */
    int64_t w = dt_floor_div((int64_t)day + 3, 7);
    return (int)((int64_t)day + 3 - w * 7) + 1;
}

dt_day_t dt_local_day(dt_ms_t t)
{
    return (dt_day_t)dt_floor_div(t + DT_LOCAL_OFFSET_MS, DT_DAY_MS);
}

int64_t dt_local_ms_of_day(dt_ms_t t)
{
    int64_t local = t + DT_LOCAL_OFFSET_MS;
    return local - dt_floor_div(local, DT_DAY_MS) * DT_DAY_MS;
}

dt_ms_t dt_local_midnight(dt_day_t day)
{
    return (dt_ms_t)day * DT_DAY_MS - DT_LOCAL_OFFSET_MS;
}

/* Read exactly n decimal digits; returns -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool parse_ymd(const char *s, int *y, int *m, int *d)
{
    if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
        return false;
    *y = digits(s, 4);
    *m = digits(s + 5, 2);
    *d = digits(s + 8, 2);
    return *y >= 0 && *m >= 0 && *d >= 0 && dt_ymd_valid(*y, *m, *d);
}

bool dt_parse_date(const char *s, dt_day_t *out)
{
    int y, m, d;
    if (!s || strlen(s) != 10 || !parse_ymd(s, &y, &m, &d))
        return false;
    *out = dt_day_from_ymd(y, m, d);
    return true;
}

/* Parse "Z", "+HH:MM" or "-HH:MM" (the whole rest of the string). */
static bool parse_offset(const char *p, int64_t *offset_ms)
{
    int hh, mm, sign;
    if (strcmp(p, "Z") == 0 || strcmp(p, "z") == 0) {
        *offset_ms = 0;
        return true;
    }
    if ((p[0] != '+' && p[0] != '-') || strlen(p) != 6 || p[3] != ':')
        return false;
    sign = p[0] == '-' ? -1 : 1;
    hh = digits(p + 1, 2);
    mm = digits(p + 4, 2);
    if (hh < 0 || mm < 0 || hh > 14 || mm > 59)
        return false;
    *offset_ms = sign * (hh * DT_HOUR_MS + mm * DT_MINUTE_MS);
    return true;
}

bool dt_parse_instant(const char *s, dt_ms_t *out)
{
    int y, m, d, hh = 0, mi = 0, ss = 0, ms = 0;
    int64_t offset = DT_LOCAL_OFFSET_MS;
    const char *p;

    if (!s || !parse_ymd(s, &y, &m, &d))
        return false;
    p = s + 10;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (strlen(p) < 5 || p[2] != ':')
            return false;
        hh = digits(p, 2);
        mi = digits(p + 3, 2);
        p += 5;
        if (*p == ':') {
            ss = digits(p + 1, 2);
            p += 3;
            if (ss < 0)
                return false;
            if (*p == '.') {
                int n = 0, v = 0;
                p++;
                while (*p >= '0' && *p <= '9') {
                    if (n < 3) {
                        v = v * 10 + (*p - '0');
                        n++;
                    }
                    p++;
                }
                if (n == 0)
                    return false;
                while (n++ < 3)
                    v *= 10;
                ms = v;
            }
        }
        if (hh < 0 || mi < 0 || hh > 23 || mi > 59 || ss > 59)
            return false;
        if (*p && !parse_offset(p, &offset))
            return false;
    } else if (*p) {
        return false;
    }
    *out = (dt_ms_t)dt_day_from_ymd(y, m, d) * DT_DAY_MS + hh * DT_HOUR_MS +
           mi * DT_MINUTE_MS + ss * 1000LL + ms - offset;
    return true;
}

char *dt_format_date(dt_day_t day, char *buf, size_t size)
{
    int y, m, d;
    dt_ymd(day, &y, &m, &d);
    snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
    return buf;
}

char *dt_format_instant(dt_ms_t t, char *buf, size_t size)
{
    int y, m, d;
    int64_t msd = dt_local_ms_of_day(t);
    int hh = (int)(msd / DT_HOUR_MS), mi = (int)(msd / DT_MINUTE_MS % 60);
    int ss = (int)(msd / 1000 % 60), ms = (int)(msd % 1000);

    dt_ymd(dt_local_day(t), &y, &m, &d);
    if (ms)
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+08:00", y, m,
                 d, hh, mi, ss, ms);
    else
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y, m, d,
                 hh, mi, ss);
    return buf;
}
