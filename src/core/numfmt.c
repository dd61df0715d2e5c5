/*
 * numfmt.c - numbers in report prose (see numfmt.h).
 */
#include "core/numfmt.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const int64_t pow10s[] = {1, 10, 100, 1000, 10000, 100000};

/* |v| scaled by 10^d and rounded half up, as an integer (0 for NaN, the
 * largest for what does not fit); the tiny nudge keeps 0.999 * 10^4
 * (9989.999…) from rounding down, and is far below half a last digit. */
static int64_t scaled(double v, int d)
{
    double s = fabs(v) * (double)pow10s[d];
    if (!(s == s))
        return 0;
    if (s >= 9.2e18)
        return INT64_MAX;
    double nudge = 1e-14 * (s > 1 ? s : 1); /* a few units in the last place of s */
    return (int64_t)floor(s + 0.5 + (nudge < 1e-3 ? nudge : 1e-3));
}

/* r / 10^d in digits with d decimals kept, or trimmed of trailing zeros. */
static void digits(char *out, size_t size, bool neg, int64_t r, int d, bool trim)
{
    int64_t ip = r / pow10s[d], fp = r % pow10s[d];
    int n = snprintf(out, size, "%s%" PRId64, neg && r ? "-" : "", ip);
    if (d == 0 || n < 0 || (size_t)n >= size)
        return;
    char frac[24];
    snprintf(frac, sizeof frac, "%0*" PRId64, d, fp);
    if (trim) {
        int k = d;
        while (k > 0 && frac[k - 1] == '0')
            frac[--k] = '\0';
        if (k == 0)
            return;
    }
    snprintf(out + n, size - (size_t)n, ".%s", frac);
}

static char *with(char *buf, size_t size, const char *num, const char *mag, const char *measure)
{
    snprintf(buf, size, "%s%s%s", num, mag ? mag : "", measure ? measure : "");
    return buf;
}

/* The magnitude v is written in, chosen after rounding: 99999.996 is
 * "10万", 99,999,999 "1亿" (not "100000", "10000万"). */
static double magnitude(double v, const char **mag, double wan, double yi)
{
    double a = fabs(v);
    *mag = NULL;
    if (a >= yi || scaled(v / wan, 2) >= (int64_t)(yi / wan) * 100) {
        *mag = "亿";
        return v / yi;
    }
    if (a >= 10 * wan || scaled(v, 2) >= (int64_t)(10 * wan) * 100) {
        *mag = "万";
        return v / wan;
    }
    return v;
}

char *nf_quantity(double v, const char *measure, char *buf, size_t size)
{
    char num[NF_MAX];
    const char *mag;
    if (!isfinite(v))
        v = 0;
    v = magnitude(v, &mag, 1e4, 1e8);
    digits(num, sizeof num, v < 0, scaled(v, 2), 2, true);
    return with(buf, size, num, mag, measure);
}

char *nf_count(int64_t n, const char *measure, char *buf, size_t size)
{
    if (n > -100000 && n < 100000) {
        char num[NF_MAX];
        snprintf(num, sizeof num, "%" PRId64, n);
        return with(buf, size, num, NULL, measure);
    }
    return nf_quantity((double)n, measure, buf, size);
}

char *nf_amount(double v, const char *unit, char *buf, size_t size)
{
    char num[NF_MAX];
    double yuan = isfinite(v) ? (unit && strcmp(unit, "万元") == 0 ? v * 1e4 : v) : 0;
    const char *mag = "元";
    /* 万元 from 1万元 (not 10万), 亿元 from 1亿元, after rounding */
    if (fabs(yuan) >= 1e8 || scaled(yuan / 1e4, 2) >= 10000 * 100) {
        yuan /= 1e8;
        mag = "亿元";
    } else if (fabs(yuan) >= 1e4 || scaled(yuan, 2) >= 10000 * 100) {
        yuan /= 1e4;
        mag = "万元";
    }
    digits(num, sizeof num, yuan < 0, scaled(yuan, 2), 2, true);
    return with(buf, size, num, mag, NULL);
}

static int clamp_decimals(int d)
{
    return d < 0 ? 0 : d > 4 ? 4 : d;
}

char *nf_rate(double frac, int decimals, char *buf, size_t size)
{
    char num[NF_MAX];
    int d = clamp_decimals(decimals);
    if (!isfinite(frac))
        frac = 0;
    digits(num, sizeof num, frac < 0, scaled(frac * 100.0, d), d, false);
    return with(buf, size, num, NULL, "%");
}

char *nf_rate_parts(int64_t num, int64_t den, int decimals, char *buf, size_t size)
{
    char s[NF_MAX];
    int d = clamp_decimals(decimals);
    if (den <= 0 || num < 0 || num > INT64_MAX / (pow10s[d] * 400) || den > INT64_MAX / 4)
        return nf_rate(den > 0 ? (double)num / (double)den : 0, d, buf, size);
    /* round(num * 100 * 10^d / den) half up, on integers */
    int64_t r = (num * 100 * pow10s[d] * 2 + den) / (2 * den);
    digits(s, sizeof s, false, r, d, false);
    return with(buf, size, s, NULL, "%");
}

bool nf_change(double cur, double base, char *buf, size_t size)
{
    if (base == 0 || !isfinite(cur) || !isfinite(base)) {
        buf[0] = '\0';
        return false;
    }
    double rel = (cur - base) / fabs(base) * 100.0;
    int64_t r = scaled(rel, 1);
    if (r == 0) {
        snprintf(buf, size, "持平");
        return true;
    }
    char num[NF_MAX];
    digits(num, sizeof num, false, r, 1, false);
    snprintf(buf, size, "%s%s%%", rel > 0 ? "增长" : "下降", num);
    return true;
}

char *nf_points(double delta, char *buf, size_t size)
{
    int64_t r = scaled(delta * 100.0, 2);
    if (r == 0)
        return with(buf, size, "持平", NULL, NULL);
    char num[NF_MAX];
    digits(num, sizeof num, false, r, 2, true);
    snprintf(buf, size, "%s%s个百分点", delta > 0 ? "提高" : "下降", num);
    return buf;
}

char *nf_delta(int64_t delta, const char *measure, char *buf, size_t size)
{
    if (delta == 0)
        return with(buf, size, "持平", NULL, NULL);
    char num[NF_MAX];
    nf_count(delta > 0 ? delta : delta == INT64_MIN ? INT64_MAX : -delta, measure, num, sizeof num);
    snprintf(buf, size, "%s%s", delta > 0 ? "增加" : "减少", num);
    return buf;
}

char *nf_chinese(int n, char *buf, size_t size)
{
    static const char *const d[] = {"", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    if (n < 1 || n > 99) {
        snprintf(buf, size, "%d", n);
        return buf;
    }
    int tens = n / 10, ones = n % 10;
    if (tens == 0)
        snprintf(buf, size, "%s", d[ones]);
    else
        snprintf(buf, size, "%s十%s", tens == 1 ? "" : d[tens], d[ones]);
    return buf;
}

char *nf_section(int level, int n, char *buf, size_t size)
{
    char cn[16];
    switch (level) {
    case 1:
        snprintf(buf, size, "%s、", nf_chinese(n, cn, sizeof cn));
        break;
    case 2:
        snprintf(buf, size, "（%s）", nf_chinese(n, cn, sizeof cn));
        break;
    case 3:
        snprintf(buf, size, "%d.", n);
        break;
    default:
        snprintf(buf, size, "（%d）", n);
        break;
    }
    return buf;
}
