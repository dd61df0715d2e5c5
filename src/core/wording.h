/*
 * wording.h - how bihuan words what a person did not write: rules of plain
 * text, no I/O.
 */
#ifndef BH_WORDING_H
#define BH_WORDING_H

#include <stddef.h>

#include "core/datetime.h"

#define WORDING_TITLE_CHARS 20 /* of the description, in a derived title */

/*
 * The title of a case reported without one: "类别名：地址" when there is an
 * address, else "类别名：" and the description's first sentence (up to
 * 。！？；, a line break or WORDING_TITLE_CHARS characters, "…" when cut),
 * white space runs as one space; the category name alone when there is
 * neither.  Written to buf (size > 0), cut at a character boundary if it
 * does not fit.  Any argument but buf may be NULL.
 */
void wording_case_title(const char *category, const char *address, const char *description,
                        char *buf, size_t size);

/*
 * How a report names the local dates from..to (both included):
 *   full  - in a title: "2023年上半年", "2023年", "2023年第二季度",
 *           "2023年6月", "2023年1-5月", "2023年6月5日至6月11日";
 *   lead  - opening a sentence: "上半年", "全年", "二季度", "6月", "1-5月",
 *           "今年以来" (1 January to a day within a month), "本期" otherwise.
 */
void wording_period(dt_day_t from, dt_day_t to, char *full, size_t fsize, char *lead,
                    size_t lsize);
/* What comes after from..to, for the plan's heading ("下半年工作计划"):
 * 下半年 after a first half, 明年 after a second half or a year, 下季度,
 * 下月, 下周 after a whole quarter, month or week, else 下一阶段. */
const char *wording_next_period(dt_day_t from, dt_day_t to);
/* How a clock's time left is said ("剩余 2 个工作日", "超期 3 个工作日",
 * "剩余 2 小时 15 分", "超期 45 分", "剩余 3 天"), from the minutes left
 * (negative once overdue) and the office minutes of a working day:
 *   - a working-days clock in whole working days, rounded ("不足 1 个工作日"
 *     below one);
 *   - a working-hours clock in hours and minutes below two working days,
 *     beyond that in working days;
 *   - a natural clock in hours and minutes below two days, beyond in days.
 * Never fractional hours, never hundreds of hours. */
typedef enum { WR_WORKING_DAYS, WR_WORKING_HOURS, WR_NATURAL } wording_clock_t;
void wording_remaining(wording_clock_t kind, double minutes, int64_t workday_minutes, char *buf,
                       size_t size);
/* "2023年6月30日". */
char *wording_date(dt_day_t day, char *buf, size_t size);

#endif
