/*
 * demo_int.h - what the demo generators (demo.c: the map, users and
 * cases; demo_patrol.c: the patrol loop) share: the streets of the demo
 * district, its shape, and one deterministic random source.
 */
#ifndef BH_DEMO_INT_H
#define BH_DEMO_INT_H

#include <stdint.h>

#include "svc/demo.h"

#define NSTREETS 10
#define NCOMM 10
#define NGRID 10

typedef struct {
    const char *name, *abbr;
} demo_street_t;

extern const demo_street_t demo_streets[NSTREETS];

/* xorshift64*: small, fast, deterministic for a seed. */
static inline uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* Uniform in [0, 1). */
static inline double urand(uint64_t *s)
{
    return (double)(rnd(s) >> 11) / 9007199254740992.0;
}

/* Uniform in [0, n). */
static inline int pick(uint64_t *s, int n)
{
    return (int)(rnd(s) % (uint64_t)n);
}

/* A user with the demo's password (or a random one), recorded in *l. */
bh_status_t demo_add_user(svc_t *s, const demo_opts_t *o, demo_login_t *l, const char *username,
                          const char *role, const char *unit, const char *unit_name,
                          const char *display, int64_t object_id, bh_err_t *err);

/*
 * The patrol loop of the demo district over [o->from, o->to): check-ins
 * by each street's grid worker for every plan's slots (most on time, some
 * late, some missed), hazards found (mostly general and rectified, a few
 * major ones as cases under 挂牌督办 that are rectified and re-inspected),
 * and an enterprise account per street filing monthly self-checks (added
 * to logins).  Runs on the service with its clock set to each step's time.
 */
bh_status_t demo_patrols(svc_t *s, const demo_opts_t *o, demo_login_t *logins, int *nlogins,
                         bh_err_t *err);

/* The target loop: targets, actuals and the monthly flags (demo_target.c). */
bh_status_t demo_targets(svc_t *s, const demo_opts_t *o, bh_err_t *err);
/* The demo's year and its last complete month: those of the period's last
 * complete month (June 2023 for 2023 H1; for a period ending on 5 December,
 * November).  The targets, flags and key projects are of that year, through
 * that month. */
void demo_year_month(const demo_opts_t *o, int *year, int *month);

/* The key projects with their investment, milestones and progress log
 * (demo_project.c). */
bh_status_t demo_projects(svc_t *s, const demo_opts_t *o, bh_err_t *err);

#endif
