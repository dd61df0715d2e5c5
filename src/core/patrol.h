/*
 * patrol.h - the rules of the patrol loop (DESIGN.md §1.2), as functions
 * of plain data: the patrol configuration (plans, checklists, hazard
 * rules), the slots a plan makes for an object, which check-ins fill them,
 * checklist answers and hazard lights.  Pure; no I/O.
 *
 * Slots.  A plan says how often its objects are patrolled: N times per
 * natural week, month, quarter, half-year or year, or once every N working
 * days (runs of N working days counted from the first working day of each
 * year; the last run of a year ends on 31 December).  One period of a plan
 * is a slot; it needs 'times' check-ins.  A slot belongs to the reporting
 * period that contains its last day (a yearly slot is due in December).
 *
 * Risk changes.  Whether a plan applies to an object in a slot is decided
 * by the object's risk on the slot's first day (or on the day it was
 * registered, for the slot it was registered in): a change made in the
 * middle of a slot takes effect from the next slot of each plan.
 *
 * Filling.  Check-ins are taken in time order; each fills its own slot
 * first (on time); once that is full, it makes up the slot before (if
 * that ended unfilled: counted as late).  So one missed month is made up
 * by an extra visit in the next and does not turn every later visit into
 * a late one.  A check-in beyond what both need is an extra visit: it
 * counts as a visit, not towards a slot.  Make-ups do not cross the start
 * of a year, so a year is computed on its own.
 */
#ifndef BH_PATROL_H
#define BH_PATROL_H

#include <jansson.h>
#include <stdbool.h>

#include "core/calendar.h"
#include "core/period.h"
#include "core/sla.h"
#include "util/status.h"

typedef enum {
    PATROL_PER_WEEK,
    PATROL_PER_MONTH,
    PATROL_PER_QUARTER,
    PATROL_PER_HALF,
    PATROL_PER_YEAR,
    PATROL_PER_WORKDAYS, /* every 'every' working days */
    PATROL_PER__COUNT
} patrol_per_t;

const char *patrol_per_name(patrol_per_t p);  /* "month" */
const char *patrol_per_label(patrol_per_t p); /* "月" */

/* A plan's risk that takes any level: the households flagged for
 * monitoring (重点监管户) but not the others. */
#define PATROL_RISK_FLAGGED "flagged"

/*
 * A river or forest section with a line counts as patrolled by a check-in
 * only when its track comes within PATROL_SECTION_WITHIN_M metres of at
 * least PATROL_SECTION_SHARE of the section's length (geo/track.h).  A
 * check-in that covers less is kept, flagged, and counted as 家次, but it
 * fills no due slot.
 */
#define PATROL_SECTION_WITHIN_M 50.0
#define PATROL_SECTION_SHARE 0.6

/* Does a check-in with this coverage (-1: not a section with a line) count
 * towards its object's due patrols? */
bool patrol_visit_counts(double covered);

/* Which objects a plan covers ("" or NULL: any; risk PATROL_RISK_FLAGGED:
 * any level), how often, who, which checklist. */
typedef struct {
    char *code, *name;
    char *kind, *type, *risk, *unit; /* unit: a unit scope (core/unitcode.h) */
    patrol_per_t per;
    int times;  /* check-ins per slot, >= 1 */
    int every;  /* PATROL_PER_WORKDAYS: working days per slot */
    char *role; /* who patrols: a role name; "reporter" by default */
    char *checklist;
} patrol_plan_t;

typedef struct {
    char *code, *label;
    bool required;
    char **options; /* allowed answers, the first is the good one */
    int noptions;
} patrol_item_t;

typedef struct {
    char *code, *name, *kind; /* kind: the object kind it is for */
    patrol_item_t *items;
    int nitems;
} patrol_checklist_t;

/* A hazard type with its rectification limit and lights, in working days. */
typedef struct {
    char *code, *name;
    int days, yellow, red;
} patrol_hazard_type_t;

typedef struct {
    patrol_plan_t *plans;
    int nplans;
    patrol_checklist_t *checklists;
    int nchecklists;
    patrol_hazard_type_t *hazard_types;
    int nhazard_types;
    patrol_hazard_type_t general; /* the default for a general hazard */
    patrol_hazard_type_t major;   /* the limit of a major hazard's rectification */
    double max_distance_m;        /* a check-in farther from its object is flagged */
    char *supervisor;             /* the default 挂牌督办 leader of a major hazard */
    char *major_category;         /* the case category a major hazard becomes */
} patrol_cfg_t;

/*
 * Parse and validate a patrol configuration (data/patrol.json is the
 * shipped one; docs/PATROL.md describes the format).  On error *out is
 * NULL and err names the entry and field.
 */
bh_status_t patrol_cfg_parse(const char *json, size_t len, patrol_cfg_t **out, bh_err_t *err);
void patrol_cfg_free(patrol_cfg_t *cfg);
/* The shipped configuration, compiled in. */
const char *patrol_cfg_builtin_text(size_t *len);

const patrol_checklist_t *patrol_checklist_find(const patrol_cfg_t *cfg, const char *code);
/* The checklist for an object kind: the first plan's for that kind, else
 * the first checklist declared for the kind; NULL when there is none. */
const patrol_checklist_t *patrol_checklist_for(const patrol_cfg_t *cfg, const char *kind);
/* The hazard type (NULL type: the general default); NULL when unknown. */
const patrol_hazard_type_t *patrol_hazard_type(const patrol_cfg_t *cfg, const char *type);

/* ---- slots ---- */

/* The slot of plan p containing 'day'. */
period_t patrol_slot(const patrol_plan_t *p, const cal_t *cal, dt_day_t day);

/* One risk level of an object from local date 'from' on. */
typedef struct {
    dt_day_t from;
    const char *risk;
} patrol_risk_t;

/* What the rules need of a managed object. */
typedef struct {
    const char *kind, *type, *grid;
    dt_day_t created;             /* the local date it was registered */
    const patrol_risk_t *risks;   /* ascending by from; at least one when it has a risk */
    int nrisks;
} patrol_object_t;

/* The risk in effect on 'day' (the first one before the first change). */
const char *patrol_risk_at(const patrol_object_t *o, dt_day_t day);

/* Does plan p cover object o when o has risk 'risk'? */
bool patrol_plan_covers(const patrol_plan_t *p, const patrol_object_t *o, const char *risk);

typedef enum {
    PATROL_SLOT_DONE,    /* filled by check-ins inside it */
    PATROL_SLOT_LATE,    /* filled, at least in part by a make-up after it ended */
    PATROL_SLOT_MISSED,  /* ended unfilled (a make-up may still come in the next slot) */
    PATROL_SLOT_PENDING, /* not ended, not yet filled */
} patrol_slot_state_t;

const char *patrol_slot_state_name(patrol_slot_state_t s); /* "done" */

typedef struct {
    int plan;        /* index into cfg->plans */
    period_t span;
    int needed, on_time, late;
    patrol_slot_state_t state;
} patrol_slot_t;

/* Per check-in, how it counted. */
enum { PATROL_VISIT_EXTRA = -1, PATROL_VISIT_ON_TIME = 0, PATROL_VISIT_LATE = 1 };

/*
 * The slots of every plan covering o that end in [from, to], as of 'today'
 * (a slot not ended by then is pending): at most 'max' written to out;
 * returns how many there are.  'visits' are the local dates of o's
 * government check-ins, ascending; check-ins on days after 'today' are
 * ignored.  With 'how' non-NULL (nvisits entries) each visit's part is
 * written (PATROL_VISIT_*; late if it made up a slot of any plan).
 */
int patrol_slots(const patrol_cfg_t *cfg, const cal_t *cal, const patrol_object_t *o,
                 const dt_day_t *visits, int nvisits, dt_day_t from, dt_day_t to,
                 dt_day_t today, patrol_slot_t *out, int max, signed char *how);

/* The patrols due of an object, a unit, a period: a slot of a plan that
 * wants N check-ins counts N, and each of them is done (on time or late),
 * missed or pending. */
typedef struct {
    int64_t due, done, on_time, late, missed, pending;
} patrol_tally_t;

void patrol_tally_add(patrol_tally_t *t, const patrol_slot_t *s, int n);

/* One word for an object's standing: missed > pending > late > done, or
 * "not_due" when no slot is due. */
const char *patrol_tally_status(const patrol_tally_t *t);

/* ---- check-ins ---- */

/*
 * Check a check-in's answers (a JSON object: item code -> one of its
 * options) against a checklist: every required item answered, no unknown
 * item, every answer allowed.  err->field is "answers.CODE".
 */
bh_status_t patrol_check_answers(const patrol_checklist_t *cl, const json_t *answers,
                                 bh_err_t *err);

/* ---- hazards ---- */

/* The rectification deadline of a hazard found on 'found' (a local date):
 * the 'days'-th working day after it. */
dt_day_t patrol_hazard_deadline(const patrol_hazard_type_t *t, const cal_t *cal, dt_day_t found);

/* The light of an open hazard on 'today', like an SLA clock counted in
 * working days: overdue after its deadline day, red from the red-th
 * working day after it was found, yellow from the yellow-th, else green
 * (the thresholds of its type, never later than the deadline). */
sla_light_t patrol_hazard_light(const patrol_hazard_type_t *t, const cal_t *cal, dt_day_t found,
                                dt_day_t deadline, dt_day_t today);

#endif
