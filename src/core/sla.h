/*
 * sla.h - SLA policies and clocks (DESIGN.md section 3).
 *
 * A policy has one or more clocks.  Each clock starts at one of its start
 * actions, stops at one of its stop actions and is restarted from zero by
 * its restart actions (rework restarts the handle clock).  Its limit and
 * its yellow and red thresholds are amounts of the clock's basis:
 *
 *   natural        wall-clock time (minutes, hours or days); with 'civil'
 *                  set, calendar days under the civil rule: the start day
 *                  is not counted and a deadline on a rest day moves to
 *                  the next working day
 *   working_days   working days of the calendar; the start day is not
 *                  counted, so a case reported on Friday with a limit of
 *                  5 working days is due at the end of the 5th working day
 *                  after Friday
 *   working_hours  office time of working days
 *
 * Consumption is measured in 'units': milliseconds for natural (non-civil)
 * and working_hours clocks, whole days for working_days and civil clocks.
 * A day-based clock has consumed d units during the d-th counted day after
 * its start; its deadline is the last millisecond of the limit-th day.
 *
 * The light, evaluated at an instant T (or at the stop instant for a
 * stopped clock):  overdue if T is past the deadline; else red when
 * consumed >= red; else yellow when consumed >= yellow; else green.
 *
 * Suspension (suspend ... resume) pauses every running clock: paused time
 * is not consumed.  An extension adds its amount to one clock's limit and
 * thresholds.  Reject and merge end the case and stop every clock.
 *
 * Pure computation; no I/O.
 */
#ifndef BH_SLA_H
#define BH_SLA_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/case.h"

typedef enum {
    SLA_BASIS_NATURAL,
    SLA_BASIS_WORKING_DAYS,
    SLA_BASIS_WORKING_HOURS,
} sla_basis_t;

typedef enum {
    SLA_UNIT_MINUTES,
    SLA_UNIT_HOURS,
    SLA_UNIT_DAYS,
} sla_unit_t;

typedef enum {
    SLA_LIGHT_NONE,    /* not started */
    SLA_LIGHT_GREEN,
    SLA_LIGHT_YELLOW,
    SLA_LIGHT_RED,
    SLA_LIGHT_OVERDUE,
} sla_light_t;

#define SLA_CLOCKS_MAX 6
#define SLA_NAME_MAX 32

typedef struct {
    char name[SLA_NAME_MAX];  /* "respond", "handle", "close", ... */
    char label[SLA_NAME_MAX * 2]; /* Chinese, e.g. "处置" */
    uint32_t start, stop, restart; /* masks of 1u << case_action_t */
    sla_basis_t basis;
    sla_unit_t unit;  /* how amounts are written; days for day bases */
    bool civil;       /* natural days under the civil rule */
    int64_t limit, yellow, red; /* in units (ms or days), 0 < y <= r <= limit */
    int64_t max_extension;      /* total extension allowed, in units; 0 none */
} sla_clock_def_t;

typedef struct {
    char name[SLA_NAME_MAX * 2];
    int nclocks;
    sla_clock_def_t clock[SLA_CLOCKS_MAX];
} sla_policy_t;

/* A clock's state at an instant. */
typedef struct {
    const sla_clock_def_t *def;
    bool started, running, paused, stopped;
    dt_ms_t started_at;  /* latest start or restart */
    dt_ms_t stopped_at;  /* when stopped */
    dt_ms_t deadline;    /* last on-time instant (projected while paused) */
    int64_t limit;       /* limit with extensions, in units */
    int64_t extension;   /* granted extensions, in units */
    int64_t consumed;    /* in units, at now (or at the stop) */
    int64_t remaining;   /* limit - consumed; negative when overdue */
    sla_light_t light;
    bool on_time;        /* stopped no later than the deadline */
    dt_ms_t next_change; /* when the light changes if nothing else happens;
                            INT64_MAX when it cannot */
    unsigned cal_flags;  /* CAL_F_* met while computing */
} sla_clock_state_t;

/* Everything the computation needs besides the events. */
typedef struct {
    const cal_t *cal;
    const cal_hours_t *hours;
} sla_env_t;

/*
 * Compute every clock of 'policy' over a case's events (in order), as of
 * 'now'; events after 'now' are ignored.  'out' must have room for
 * policy->nclocks states.  Returns the worst light among clocks that are
 * running or paused (SLA_LIGHT_NONE when there is none).
 */
sla_light_t sla_evaluate(const sla_policy_t *policy, const sla_env_t *env,
                         const case_event_t *ev, int n, dt_ms_t now,
                         sla_clock_state_t *out);

/*
 * Check an extension request against the policy and the clocks as they
 * stand: the clock exists, is running or paused, and the total granted
 * would not exceed its max_extension.  'amount' is in the clock's unit.
 */
bh_status_t sla_check_extension(const sla_policy_t *policy,
                                const sla_clock_state_t *states,
                                const char *clock, double amount,
                                bh_err_t *err);

/* Convert an amount in the clock's written unit to internal units. */
int64_t sla_units_from_amount(const sla_clock_def_t *c, double amount);

/* And back, for display: units to the clock's written unit. */
double sla_amount_from_units(const sla_clock_def_t *c, int64_t units);

/*
 * What is left at 'now' of a running clock whose deadline is 'deadline',
 * in the clock's written unit; negative once past it.  For case lists,
 * where the history is not at hand (a paused clock is not recognised).
 */
double sla_remaining(const sla_clock_def_t *c, const sla_env_t *env, dt_ms_t now,
                     dt_ms_t deadline);

/* True when the clock counts whole days (working_days or civil). */
bool sla_day_based(const sla_clock_def_t *c);

const char *sla_light_name(sla_light_t l);  /* "green", ... "none" */
const char *sla_light_label(sla_light_t l); /* "绿灯", ... */
const char *sla_basis_name(sla_basis_t b);
const char *sla_unit_name(sla_unit_t u);
const char *sla_unit_label(const sla_clock_def_t *c); /* "工作日", "工作小时", "天"... */

#endif
