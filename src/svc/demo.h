/*
 * demo.h - the demo district of DESIGN.md §7: ten streets, their
 * communities and grids, the departments of the seed reports, users of
 * every role, cases over a half-year with realistic lifecycles, and the
 * patrol loop over the same half-year (demo_patrol.c).
 * Deterministic for a seed (except random passwords).
 */
#ifndef BH_DEMO_H
#define BH_DEMO_H

#include <stdbool.h>
#include <stdio.h>

#include "svc/svc.h"

typedef struct {
    uint64_t seed;
    long cases;
    const char *password;      /* every user's password; NULL = random each */
    dt_ms_t from, to;          /* reports and patrols fall in [from, to) */
    bool no_patrols;           /* leave the patrol loop empty (plans only) */
    /* what: "cases", "patrols" (check-ins planned), "targets" (months), "projects" */
    void (*progress)(const char *what, long done, long total, void *ctx);
    void *progress_ctx;
} demo_opts_t;

typedef struct {
    char username[32], password[32], role[16], unit[32], unit_name[64];
} demo_login_t;

#define DEMO_MAX_LOGINS 64

/*
 * Build the district into an empty database.  'logins' (DEMO_MAX_LOGINS)
 * receives every user with the password it got; *nlogins their count.
 */
bh_status_t demo_build(svc_t *s, const demo_opts_t *o, demo_login_t *logins, int *nlogins,
                       bh_err_t *err);

#endif
