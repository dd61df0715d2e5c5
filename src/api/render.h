/*
 * render.h - the JSON shapes of the API (DESIGN.md §6): cases with clocks
 * and history, categories with policies, personal data masked per role.
 */
#ifndef BH_RENDER_H
#define BH_RENDER_H

#include <jansson.h>

#include "svc/svc.h"

/* Instants as RFC 3339 with +08:00; 0 gives JSON null. */
json_t *render_time(dt_ms_t t);

/* A case row (list item): cached light and the stored clocks. */
json_t *render_case_row(svc_t *s, const svc_user_t *u, const db_case_t *k,
                        const db_clock_t *clocks, int nclocks, arena_t *a);

/* A full case: clocks evaluated now, history, allowed actions. */
json_t *render_case_view(svc_t *s, const svc_user_t *u, const svc_case_view_t *v, arena_t *a);

/* An attachment (DESIGN §9: id, sha256, type, size; with its urls). */
json_t *render_attachment(const svc_user_t *u, const db_attachment_t *f);

/* The categories in force with their SLA policies, and which version. */
json_t *render_categories(const svc_catver_t *v);

#endif
