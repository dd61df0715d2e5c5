/*
 * calendar.c - the working-day calendar: loading the published schedule and
 * regional overrides, and day and office-hour arithmetic over it.
 *
 * Each year that has any data gets a small record with two 366-bit maps:
 * which dates carry an override, and whether that override makes the date a
 * working day.  Years without a record follow the Monday-Friday rule.
 */
#include "core/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

struct cal_year {
    int year;
    bool published;
    uint8_t has[46];  /* bit per day of year: an override exists */
    uint8_t work[46]; /* bit per day of year: the override is a workday */
};

struct cal_name {
    dt_day_t day;
    char *name;
};

struct cal {
    struct cal_year *years; /* sorted by year */
    int nyears, capyears;
    struct cal_name *names; /* sorted by day */
    int nnames, capnames;
};

/* One parsed line, kept until the whole text is known to be good. */
struct record {
    bool is_year;
    int year;
    dt_day_t day;
    bool work;
    const char *name;
    size_t name_len;
};

cal_t *cal_new(void)
{
    return xcalloc(1, sizeof(cal_t));
}

void cal_free(cal_t *cal)
{
    if (!cal)
        return;
    for (int i = 0; i < cal->nnames; i++)
        free(cal->names[i].name);
    free(cal->names);
    free(cal->years);
    free(cal);
}

static struct cal_year *find_year(const cal_t *cal, int year)
{
    int lo = 0, hi = cal->nyears - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (cal->years[mid].year == year)
            return &cal->years[mid];
        if (cal->years[mid].year < year)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

static struct cal_year *get_year(cal_t *cal, int year)
{
    struct cal_year *y = find_year(cal, year);
    int i;

    if (y)
        return y;
    if (cal->nyears == cal->capyears) {
        cal->capyears = cal->capyears ? cal->capyears * 2 : 8;
        cal->years = xrealloc(cal->years, cal->capyears * sizeof *cal->years);
    }
    for (i = cal->nyears; i > 0 && cal->years[i - 1].year > year; i--)
        cal->years[i] = cal->years[i - 1];
    memset(&cal->years[i], 0, sizeof cal->years[i]);
    cal->years[i].year = year;
    cal->nyears++;
    return &cal->years[i];
}

static void set_name(cal_t *cal, dt_day_t day, const char *name, size_t len)
{
    int lo = 0, hi = cal->nnames;

    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cal->names[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < cal->nnames && cal->names[lo].day == day) {
        free(cal->names[lo].name);
        cal->names[lo].name = xstrndup(name, len);
        return;
    }
    if (cal->nnames == cal->capnames) {
        cal->capnames = cal->capnames ? cal->capnames * 2 : 64;
        cal->names = xrealloc(cal->names, cal->capnames * sizeof *cal->names);
    }
    memmove(&cal->names[lo + 1], &cal->names[lo],
            (cal->nnames - lo) * sizeof *cal->names);
    cal->names[lo].day = day;
    cal->names[lo].name = xstrndup(name, len);
    cal->nnames++;
}

static void apply(cal_t *cal, const struct record *r)
{
    int y, m, d, doy;
    struct cal_year *yr;

    if (r->is_year) {
        get_year(cal, r->year)->published = true;
        return;
    }
    dt_ymd(r->day, &y, &m, &d);
    yr = get_year(cal, y);
    doy = r->day - dt_day_from_ymd(y, 1, 1);
    yr->has[doy / 8] |= (uint8_t)(1u << (doy % 8));
    if (r->work)
        yr->work[doy / 8] |= (uint8_t)(1u << (doy % 8));
    else
        yr->work[doy / 8] &= (uint8_t)~(1u << (doy % 8));
    set_name(cal, r->day, r->name, r->name_len);
}

static bool field_is(const char *f, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(f, word, n) == 0;
}

/*
 * Parse one non-empty, non-comment line of 'len' bytes into 'r'.
 * Returns false with err filled when the line is bad.
 */
static bool parse_line(const char *line, size_t len, int lineno,
                       const char *source, struct record *r, bh_err_t *err)
{
    const char *f[3];
    size_t fl[3];
    int nf = 0;
    const char *p = line, *end = line + len;
    char key[16];

    while (nf < 3) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        f[nf] = p;
        if (!c || nf == 2) {
            fl[nf++] = (size_t)(end - p);
            break;
        }
        fl[nf++] = (size_t)(c - p);
        p = c + 1;
    }
    if (nf != 3) {
        bh_fail(err, BH_INVALID_ARGUMENT, source,
                "%s 第%d行：应有3个字段（日期或年份,类型,名称），实际%d个",
                source, lineno, nf);
        return false;
    }
    memset(r, 0, sizeof *r);
    r->name = f[2];
    r->name_len = fl[2];
    if (fl[0] >= sizeof key)
        fl[0] = sizeof key - 1;
    memcpy(key, f[0], fl[0]);
    key[fl[0]] = '\0';
    if (fl[0] == 4 && field_is(f[1], fl[1], "PUBLISHED")) {
        r->is_year = true;
        r->year = atoi(key);
        if (strspn(key, "0123456789") != 4 || r->year < DT_YEAR_MIN) {
            bh_fail(err, BH_INVALID_ARGUMENT, source,
                    "%s 第%d行：年份“%s”无效", source, lineno, key);
            return false;
        }
        return true;
    }
    if (!dt_parse_date(key, &r->day)) {
        bh_fail(err, BH_INVALID_ARGUMENT, source,
                "%s 第%d行：日期“%s”无效（应为 YYYY-MM-DD，或年份加 PUBLISHED）",
                source, lineno, key);
        return false;
    }
    if (field_is(f[1], fl[1], "OFF")) {
        r->work = false;
    } else if (field_is(f[1], fl[1], "WORK")) {
        r->work = true;
    } else {
        bh_fail(err, BH_INVALID_ARGUMENT, source,
                "%s 第%d行：类型“%.*s”无效（应为 OFF 或 WORK）", source,
                lineno, (int)(fl[1] > 32 ? 32 : fl[1]), f[1]);
        return false;
    }
    return true;
}

bh_status_t cal_load(cal_t *cal, const char *text, size_t len,
                     const char *source, bh_err_t *err)
{
    struct record *recs = NULL;
    int nrecs = 0, cap = 0, lineno = 0;
    const char *p = text, *end = text + len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *s = p;

        lineno++;
        p = nl ? nl + 1 : end;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (s == e || *s == '#')
            continue;
        if (nrecs == cap) {
            cap = cap ? cap * 2 : 256;
            recs = xrealloc(recs, cap * sizeof *recs);
        }
        if (!parse_line(s, (size_t)(e - s), lineno, source, &recs[nrecs], err)) {
            free(recs);
            return err ? err->status : BH_INVALID_ARGUMENT;
        }
        nrecs++;
    }
    for (int i = 0; i < nrecs; i++)
        apply(cal, &recs[i]);
    free(recs);
    return BH_OK;
}

extern const char bh_data_calendar_cn[];
extern const size_t bh_data_calendar_cn_len;

cal_t *cal_new_national(void)
{
    cal_t *cal = cal_new();
    bh_err_t err;

    if (cal_load(cal, bh_data_calendar_cn, bh_data_calendar_cn_len,
                 "data/calendar/cn.csv", &err) != BH_OK) {
        /* The file is compiled in and covered by tests: a programmer error. */
        fprintf(stderr, "bihuan: %s\n", err.message);
        abort();
    }
    return cal;
}

bool cal_year_published(const cal_t *cal, int year)
{
    const struct cal_year *y = find_year(cal, year);
    return y && y->published;
}

bool cal_published_range(const cal_t *cal, int *first, int *last)
{
    bool any = false;
    for (int i = 0; i < cal->nyears; i++) {
        if (!cal->years[i].published)
            continue;
        if (!any)
            *first = cal->years[i].year;
        *last = cal->years[i].year;
        any = true;
    }
    return any;
}

bool cal_is_workday(const cal_t *cal, dt_day_t day, unsigned *flags)
{
    int y, m, d;
    const struct cal_year *yr;
    unsigned f = 0;
    bool work;

    dt_ymd(day, &y, &m, &d);
    if (y < DT_YEAR_MIN || y > DT_YEAR_MAX)
        f |= CAL_F_RANGE;
    yr = find_year(cal, y);
    if (!yr || !yr->published)
        f |= CAL_F_UNPUBLISHED;
    if (yr) {
        int doy = day - dt_day_from_ymd(y, 1, 1);
        if (yr->has[doy / 8] & (1u << (doy % 8))) {
            work = (yr->work[doy / 8] >> (doy % 8)) & 1u;
            goto out;
        }
    }
    work = dt_weekday(day) <= 5;
out:
    if (flags)
        *flags |= f;
    return work;
}

const char *cal_day_name(const cal_t *cal, dt_day_t day)
{
    int lo = 0, hi = cal->nnames - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (cal->names[mid].day == day)
            return cal->names[mid].name;
        if (cal->names[mid].day < day)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* Day numbers of the first and last supported dates, to bound loops. */
static dt_day_t day_min(void) { return dt_day_from_ymd(DT_YEAR_MIN, 1, 1); }
static dt_day_t day_max(void) { return dt_day_from_ymd(DT_YEAR_MAX, 12, 31); }

/*
 * Walking day by day through the calendar without converting every date:
 * the year's overrides and flags are looked up once per year entered, the
 * weekday is stepped.  The loops below are what SLA deadlines and
 * working-day patrol slots spend their time in.
 */
struct walk {
    dt_day_t jan1, dec31; /* the year the walk is in */
    const struct cal_year *yr;
    int wd;               /* ISO weekday of the current day */
};

static void walk_enter(const cal_t *cal, struct walk *w, dt_day_t day, unsigned *flags)
{
    int y, m, d;
    dt_ymd(day, &y, &m, &d);
    w->jan1 = dt_day_from_ymd(y, 1, 1);
    w->dec31 = dt_day_from_ymd(y, 12, 31);
    w->yr = find_year(cal, y);
    w->wd = dt_weekday(day);
    if (flags) {
        if (y < DT_YEAR_MIN || y > DT_YEAR_MAX)
            *flags |= CAL_F_RANGE;
        if (!w->yr || !w->yr->published)
            *flags |= CAL_F_UNPUBLISHED;
    }
}

/* Is 'day' (in w's year, weekday w->wd) a working day?  As cal_is_workday. */
static bool walk_workday(const struct walk *w, dt_day_t day)
{
    int doy = day - w->jan1;
    if (w->yr && (w->yr->has[doy / 8] >> (doy % 8)) & 1u)
        return (w->yr->work[doy / 8] >> (doy % 8)) & 1u;
    return w->wd <= 5;
}

dt_day_t cal_add_workdays(const cal_t *cal, dt_day_t start, int n,
                          unsigned *flags)
{
    int step = n < 0 ? -1 : 1;
    int left = n < 0 ? -n : n;
    dt_day_t day = start, lo = day_min(), hi = day_max();
    struct walk w = {1, 0, NULL, 1}; /* empty: entered on the first step */

    while (left > 0) {
        day += step;
        if (day < lo || day > hi) {
            if (flags)
                *flags |= CAL_F_RANGE;
            return day;
        }
        if (day < w.jan1 || day > w.dec31)
            walk_enter(cal, &w, day, flags);
        else
            w.wd = step > 0 ? w.wd % 7 + 1 : (w.wd + 5) % 7 + 1;
        if (walk_workday(&w, day))
            left--;
    }
    return day;
}

int64_t cal_count_workdays(const cal_t *cal, dt_day_t from, dt_day_t to,
                           unsigned *flags)
{
    int64_t n = 0;
    struct walk w;
    if (from < day_min() || to > day_max()) {
        if (flags)
            *flags |= CAL_F_RANGE;
        if (from < day_min())
            from = day_min();
        if (to > day_max())
            to = day_max();
    }
    for (dt_day_t d = from; d <= to;) {
        walk_enter(cal, &w, d, flags);
        for (dt_day_t end = to < w.dec31 ? to : w.dec31; d <= end; d++) {
            n += walk_workday(&w, d);
            w.wd = w.wd % 7 + 1;
        }
    }
    return n;
}

dt_day_t cal_next_workday(const cal_t *cal, dt_day_t day, unsigned *flags)
{
    while (!cal_is_workday(cal, day, flags)) {
        if (day >= day_max()) {
            if (flags)
                *flags |= CAL_F_RANGE;
            break;
        }
        day++;
    }
    return day;
}

dt_day_t cal_civil_deadline(const cal_t *cal, dt_day_t start, int days,
                            unsigned *flags)
{
    return cal_next_workday(cal, start + days, flags);
}

/* ---- office hours ---- */

void cal_hours_default(cal_hours_t *h)
{
    h->n = 2;
    h->span[0].begin_ms = 9 * DT_HOUR_MS;
    h->span[0].end_ms = 12 * DT_HOUR_MS;
    h->span[1].begin_ms = 13 * DT_HOUR_MS + 30 * DT_MINUTE_MS;
    h->span[1].end_ms = 18 * DT_HOUR_MS;
}

/* Parse "HH:MM" at s (exactly 5 bytes); returns -1 when bad. */
static int64_t parse_hhmm(const char *s)
{
    int hh, mm;
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] != ':' ||
        s[3] < '0' || s[3] > '9' || s[4] < '0' || s[4] > '9')
        return -1;
    hh = (s[0] - '0') * 10 + (s[1] - '0');
    mm = (s[3] - '0') * 10 + (s[4] - '0');
    if (mm > 59 || hh > 24 || (hh == 24 && mm != 0))
        return -1;
    return hh * DT_HOUR_MS + mm * DT_MINUTE_MS;
}

bh_status_t cal_hours_parse(cal_hours_t *h, const char *s, bh_err_t *err)
{
    cal_hours_t out = {0};
    const char *p = s;

    for (;;) {
        int64_t b, e;
        if (out.n == CAL_HOURS_MAX)
            return bh_fail(err, BH_INVALID_ARGUMENT, "office_hours",
                           "办公时段最多%d段", CAL_HOURS_MAX);
        if (strlen(p) < 11 || p[5] != '-' || (b = parse_hhmm(p)) < 0 ||
            (e = parse_hhmm(p + 6)) < 0)
            return bh_fail(err, BH_INVALID_ARGUMENT, "office_hours",
                           "办公时段“%s”格式错误，应为 09:00-12:00,13:30-18:00", s);
        if (e <= b || (out.n > 0 && b < out.span[out.n - 1].end_ms))
            return bh_fail(err, BH_INVALID_ARGUMENT, "office_hours",
                           "办公时段“%s”须按时间先后排列且互不重叠，每段结束晚于开始", s);
        out.span[out.n].begin_ms = b;
        out.span[out.n].end_ms = e;
        out.n++;
        p += 11;
        if (*p == '\0')
            break;
        if (*p != ',')
            return bh_fail(err, BH_INVALID_ARGUMENT, "office_hours",
                           "办公时段“%s”格式错误，各段之间用逗号分隔", s);
        p++;
    }
    *h = out;
    return BH_OK;
}

int64_t cal_hours_per_day(const cal_hours_t *h)
{
    int64_t t = 0;
    for (int i = 0; i < h->n; i++)
        t += h->span[i].end_ms - h->span[i].begin_ms;
    return t;
}

dt_ms_t cal_add_work_ms(const cal_t *cal, const cal_hours_t *h, dt_ms_t start,
                        int64_t ms, unsigned *flags)
{
    dt_day_t day = dt_local_day(start), hi = day_max();
    int64_t tod = dt_local_ms_of_day(start);

    if (cal_hours_per_day(h) == 0) {
        if (flags)
            *flags |= CAL_F_RANGE;
        return start;
    }
    for (;;) {
        if (cal_is_workday(cal, day, flags)) {
            for (int i = 0; i < h->n; i++) {
                int64_t from, avail;
                if (tod >= h->span[i].end_ms)
                    continue;
                from = tod > h->span[i].begin_ms ? tod : h->span[i].begin_ms;
                avail = h->span[i].end_ms - from;
                if (ms <= avail)
                    return dt_local_midnight(day) + from + ms;
                ms -= avail;
                tod = h->span[i].end_ms;
            }
        }
        if (day >= hi) {
            if (flags)
                *flags |= CAL_F_RANGE;
            return dt_local_midnight(day + 1);
        }
        day++;
        tod = 0;
    }
}

int64_t cal_work_ms_between(const cal_t *cal, const cal_hours_t *h, dt_ms_t a,
                            dt_ms_t b, unsigned *flags)
{
    int64_t total = 0;
    dt_day_t last = dt_local_day(b);

    if (b <= a)
        return 0;
    for (dt_day_t day = dt_local_day(a); day <= last; day++) {
        dt_ms_t mid = dt_local_midnight(day);
        if (!cal_is_workday(cal, day, flags))
            continue;
        for (int i = 0; i < h->n; i++) {
            dt_ms_t s = mid + h->span[i].begin_ms, e = mid + h->span[i].end_ms;
            if (s < a)
                s = a;
            if (e > b)
                e = b;
            if (e > s)
                total += e - s;
        }
    }
    return total;
}
