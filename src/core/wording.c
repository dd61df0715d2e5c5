/*
 * wording.c - derived wording (see wording.h).
 */
#include "core/wording.h"

#include "core/period.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Bytes of the UTF-8 character at s (1 for a stray byte). */
static size_t char_len(const unsigned char *s)
{
    size_t n = *s < 0x80 ? 1 : *s >= 0xF0 ? 4 : *s >= 0xE0 ? 3 : *s >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 1;
    return n;
}

static bool sentence_end(const char *s, size_t n)
{
    static const char *const ends[] = {"。", "！", "？", "；", "!", "?", ";", "\n", "\r", NULL};
    for (int i = 0; ends[i]; i++)
        if (strlen(ends[i]) == n && memcmp(s, ends[i], n) == 0)
            return true;
    return false;
}

static bool blank(const char *s, size_t n)
{
    return (n == 1 && (*s == ' ' || *s == '\t')) || (n == 3 && memcmp(s, "\xe3\x80\x80", 3) == 0);
}

struct out {
    char *buf;
    size_t size, len;
    bool full;
};

/* Append n bytes (one character) if they fit with the NUL. */
static void put(struct out *o, const char *s, size_t n)
{
    if (o->full || o->len + n + 1 > o->size) {
        o->full = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void put_str(struct out *o, const char *s)
{
    for (size_t n; *s; s += n)
        put(o, s, n = char_len((const unsigned char *)s));
}

void wording_case_title(const char *category, const char *address, const char *description,
                        char *buf, size_t size)
{
    struct out o = {buf, size, 0, false};
    const char *s;
    int chars = 0;
    bool space = false, cut = false;

    buf[0] = '\0';
    put_str(&o, category && *category ? category : "案件");
    if (address && *address) {
        put_str(&o, "：");
        put_str(&o, address);
        return;
    }
    s = description ? description : "";
    for (size_t n; *s && (blank(s, n = char_len((const unsigned char *)s)) || sentence_end(s, n));)
        s += n; /* leading blanks and stops */
    if (!*s)
        return;
    put_str(&o, "：");
    for (size_t n; *s; s += n) {
        n = char_len((const unsigned char *)s);
        if (sentence_end(s, n))
            break;
        if (blank(s, n)) {
            space = true;
            continue;
        }
        if (chars == WORDING_TITLE_CHARS) {
            cut = true;
            break;
        }
        if (space && chars > 0)
            put(&o, " ", 1);
        space = false;
        put(&o, s, n);
        chars++;
    }
    if (cut)
        put_str(&o, "…");
}

char *wording_date(dt_day_t day, char *buf, size_t size)
{
    int y, m, d;
    dt_ymd(day, &y, &m, &d);
    snprintf(buf, size, "%d年%d月%d日", y, m, d);
    return buf;
}

void wording_period(dt_day_t from, dt_day_t to, char *full, size_t fsize, char *lead,
                    size_t lsize)
{
    static const char *const cn[] = {"一", "二", "三", "四"};
    int y1, m1, d1, y2, m2, d2, yn, mn, dn;
    dt_ymd(from, &y1, &m1, &d1);
    dt_ymd(to, &y2, &m2, &d2);
    dt_ymd(to + 1, &yn, &mn, &dn);
    if (y1 == y2 && d1 == 1 && dn == 1) { /* whole months */
        int months = m2 - m1 + 1;
        if (months == 12) {
            snprintf(full, fsize, "%d年", y1);
            snprintf(lead, lsize, "全年");
            return;
        }
        if (months == 6 && (m1 == 1 || m1 == 7)) {
            snprintf(full, fsize, "%d年%s半年", y1, m1 == 1 ? "上" : "下");
            snprintf(lead, lsize, "%s半年", m1 == 1 ? "上" : "下");
            return;
        }
        if (months == 3 && (m1 - 1) % 3 == 0) {
            snprintf(full, fsize, "%d年第%s季度", y1, cn[(m1 - 1) / 3]);
            snprintf(lead, lsize, "%s季度", cn[(m1 - 1) / 3]);
            return;
        }
        if (months == 1) {
            snprintf(full, fsize, "%d年%d月", y1, m1);
            snprintf(lead, lsize, "%d月", m1);
            return;
        }
        if (m1 == 1) {
            snprintf(full, fsize, "%d年1-%d月", y1, m2);
            snprintf(lead, lsize, "1-%d月", m2);
            return;
        }
    }
    if (y1 == y2)
        snprintf(full, fsize, "%d年%d月%d日至%d月%d日", y1, m1, d1, m2, d2);
    else
        snprintf(full, fsize, "%d年%d月%d日至%d年%d月%d日", y1, m1, d1, y2, m2, d2);
    snprintf(lead, lsize, "%s", y1 == y2 && m1 == 1 && d1 == 1 ? "今年以来" : "本期");
}

const char *wording_next_period(dt_day_t from, dt_day_t to)
{
    static const struct {
        period_t (*of)(dt_day_t);
        const char *next;
    } kinds[] = {{period_week, "下周"}, {period_month, "下月"}, {period_quarter, "下季度"},
                 {period_year, "明年"}};
    period_t h = period_half(from);
    if (h.from == from && h.to == to)
        return h.from == period_year(from).from ? "下半年" : "明年";
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        period_t p = kinds[i].of(from);
        if (p.from == from && p.to == to)
            return kinds[i].next;
    }
    return "下一阶段";
}

/* "2 小时 15 分", "45 分", "3 小时" from whole minutes. */
static void hours_minutes(char *buf, size_t size, const char *lead, int64_t m)
{
    if (m < 60)
        snprintf(buf, size, "%s %lld 分", lead, (long long)m);
    else if (m % 60 == 0)
        snprintf(buf, size, "%s %lld 小时", lead, (long long)(m / 60));
    else
        snprintf(buf, size, "%s %lld 小时 %lld 分", lead, (long long)(m / 60), (long long)(m % 60));
}

void wording_remaining(wording_clock_t kind, double minutes, int64_t workday_minutes, char *buf,
                       size_t size)
{
    const char *lead = minutes >= 0 ? "剩余" : "超期";
    double a = minutes < 0 ? -minutes : minutes;
    int64_t m = a >= 9e15 ? (int64_t)9e15 : (int64_t)(a + 0.5);
    int64_t day = workday_minutes > 0 ? workday_minutes : 8 * 60;
    switch (kind) {
    case WR_WORKING_DAYS:
        if (m < day)
            snprintf(buf, size, "%s不足 1 个工作日", lead);
        else
            snprintf(buf, size, "%s %lld 个工作日", lead, (long long)((m + day / 2) / day));
        return;
    case WR_WORKING_HOURS:
        if (m < 2 * day)
            hours_minutes(buf, size, lead, m);
        else
            snprintf(buf, size, "%s %lld 个工作日", lead, (long long)((m + day / 2) / day));
        return;
    case WR_NATURAL:
        if (m < 48 * 60)
            hours_minutes(buf, size, lead, m);
        else
            snprintf(buf, size, "%s %lld 天", lead, (long long)((m + 720) / 1440));
        return;
    }
    buf[0] = '\0';
}
