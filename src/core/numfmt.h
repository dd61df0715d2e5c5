/*
 * numfmt.h - how numbers are written in a Chinese report (通报, 工作总结),
 * after the seed's usage (../shared/data/report-style.md §2).  Pure.
 *
 * The rules, one each (the seed is not uniform; these are bihuan's):
 *   - counts in full digits below 10万 ("11900件"), from 10万 in 万 and
 *     from 1亿 in 亿 with up to two decimals, trailing zeros dropped
 *     ("32.5万件", "1.2亿人次");
 *   - amounts in 万元 with up to two decimals ("89.36万元"), from 1亿元 in
 *     亿元 ("2.3亿元"), below 1万元 in 元;
 *   - rates (fractions) as percentages with the stated decimals, kept when
 *     trailing ("99.90%", "50.00%"), rounded half up;
 *   - changes: "增长12.3%" / "下降3.0%" / "持平" (relative, one decimal, no
 *     "增长-3%"), "提高1.2个百分点" / "下降…" / "持平" for a rate's change;
 *     "增加5件" / "减少2件" for a count's;
 *   - section numbers 一、 （一） 1. （1）; Chinese numerals 一 … 九十九.
 * Each writes to buf (size > 0), cut if it does not fit, and returns buf.
 */
#ifndef BH_NUMFMT_H
#define BH_NUMFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NF_MAX 64 /* enough for any one number with its words */

/* A count with its measure word (NULL: none): 11900 "件" → "11900件". */
char *nf_count(int64_t n, const char *measure, char *buf, size_t size);
/* A quantity that may have a fraction (人次 from a target, 亩…): like
 * nf_count, up to two decimals below 10万. */
char *nf_quantity(double v, const char *measure, char *buf, size_t size);
/* An amount in 'unit' ("元" or "万元") written in 元 / 万元 / 亿元. */
char *nf_amount(double v, const char *unit, char *buf, size_t size);
/* A fraction as a percentage with 'decimals' (0..4) decimals. */
char *nf_rate(double frac, int decimals, char *buf, size_t size);
/* num/den as a percentage, rounded exactly on the integers (den > 0). */
char *nf_rate_parts(int64_t num, int64_t den, int decimals, char *buf, size_t size);

/* Relative change of cur against base: false when base is 0 (undefined). */
bool nf_change(double cur, double base, char *buf, size_t size);
/* A change of a rate in percentage points (fractions in: 0.012 → 1.2个百分点). */
char *nf_points(double delta, char *buf, size_t size);
/* A change of a count: "增加5件", "减少2件", "持平". */
char *nf_delta(int64_t delta, const char *measure, char *buf, size_t size);

/* 1..99 in Chinese numerals ("十二"); other values in digits. */
char *nf_chinese(int n, char *buf, size_t size);
/* The number of the n-th (1-based) heading at 'level' 1..4:
 * "一、", "（一）", "1.", "（1）". */
char *nf_section(int level, int n, char *buf, size_t size);

#endif
