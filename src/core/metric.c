/*
 * metric.c - the registry of the case loop's figures (see metric.h).
 */
#include "core/metric.h"

#include <string.h>

#include "core/datetime.h"

#define COUNT(k, l, f, c) {k, l, f, METRIC_COUNT, c, c}
#define RATE(k, l, f, a, b) {k, l, f, METRIC_RATE, a, b}

static const metric_t metrics[] = {
    COUNT("reported", "上报数", "统计期内上报（created_at ∈ [from, to)）且位于所选单位辖区内的案件数",
          CM_REPORTED),
    COUNT("registered", "立案数", "其中已立案的案件数", CM_REGISTERED),
    COUNT("due", "应结案数", "应结案数 = 已立案且（截至 as_of 已结案，或主时限截止时间 ≤ as_of）的案件数",
          CM_DUE),
    COUNT("closed", "结案数", "结案数 = 截至 as_of 已结案的案件数", CM_CLOSED),
    COUNT("closed_on_time", "按期结案数", "按期：主时限停止时未超过截止时间", CM_CLOSED_ON_TIME),
    COUNT("overdue", "超期数", "超期数 = 应结案数 − 按期结案数（逾期结案或到期未结）", CM_OVERDUE),
    COUNT("handled", "处置数", "至少处置完毕一次的案件数", CM_HANDLED),
    COUNT("reworked", "返工数", "至少返工一次的案件数", CM_REWORKED),
    COUNT("rated", "评价数", "已评价的案件数", CM_RATED),
    COUNT("satisfied", "满意数", "评价为基本满意及以上（3–5）的案件数", CM_SATISFIED),
    COUNT("open", "在办数", "在办数 = 立案数 − 结案数", CM_OPEN),
    RATE("close_rate", "结案率", "结案率 = 结案数 / 应结案数", CM_CLOSED, CM_DUE),
    RATE("on_time_close_rate", "按期结案率",
         "按期结案率 = 按期结案数 / 应结案数（按期：主时限停止时未超过截止时间）", CM_CLOSED_ON_TIME,
         CM_DUE),
    RATE("overdue_rate", "超期率", "超期率 = 超期数 / 应结案数", CM_OVERDUE, CM_DUE),
    RATE("rework_rate", "返工率",
         "返工率 = 返工数（至少返工一次的案件）/ 处置数（至少处置完毕一次的案件）", CM_REWORKED,
         CM_HANDLED),
    RATE("satisfaction_rate", "满意率", "满意率 = 评价为基本满意及以上（3–5）的案件数 / 已评价案件数",
         CM_SATISFIED, CM_RATED),
    {"avg_handle_hours", "平均处置时长（小时）", "平均处置时长 = 首次派遣到最近一次处置完毕的平均自然小时数",
     METRIC_AVG_HOURS, CM_HANDLED, CM_HANDLED},
};

const metric_t *case_metrics(int *n)
{
    *n = (int)(sizeof metrics / sizeof metrics[0]);
    return metrics;
}

const metric_t *case_metric(const char *key)
{
    for (size_t i = 0; key && i < sizeof metrics / sizeof metrics[0]; i++)
        if (strcmp(metrics[i].key, key) == 0)
            return &metrics[i];
    return NULL;
}

void case_figures_finish(case_figures_t *f)
{
    f->n[CM_OVERDUE] = f->n[CM_DUE] - f->n[CM_CLOSED_ON_TIME];
    f->n[CM_OPEN] = f->n[CM_REGISTERED] - f->n[CM_CLOSED];
}

void case_figures_add(case_figures_t *a, const case_figures_t *b)
{
    for (int i = 0; i < CM__COUNT; i++)
        a->n[i] += b->n[i];
    a->handle_ms_sum += b->handle_ms_sum;
    a->handle_n += b->handle_n;
}

bool metric_value(const metric_t *m, const case_figures_t *f, double *out)
{
    switch (m->kind) {
    case METRIC_COUNT:
        *out = (double)f->n[m->num];
        return true;
    case METRIC_RATE:
        if (!f->n[m->den])
            return false;
        *out = (double)f->n[m->num] / (double)f->n[m->den];
        return true;
    case METRIC_AVG_HOURS:
        if (!f->handle_n)
            return false;
        *out = f->handle_ms_sum / (double)f->handle_n / DT_HOUR_MS;
        return true;
    }
    return false;
}
