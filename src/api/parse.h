/*
 * parse.h - turning JSON request bodies into service inputs, with errors
 * that name the offending field.  No HTTP here, so the fuzz targets can
 * drive these functions directly.
 */
#ifndef BH_PARSE_H
#define BH_PARSE_H

#include <jansson.h>
#include <stddef.h>

#include "svc/svc.h"
#include "util/arena.h"

/* Parse a body into a JSON object (400 with line/column on a syntax error).
 * The caller owns the result (json_decref). */
bh_status_t parse_body(const char *body, size_t len, json_t **out, bh_err_t *err);

/* The body of POST /api/v1/cases.  Strings are copied into the arena. */
bh_status_t parse_case_new(json_t *o, arena_t *a, svc_case_new_t *out, bh_err_t *err);

/* The body of POST /api/v1/cases/{id}/actions; *version is -1 if absent. */
bh_status_t parse_action(json_t *o, arena_t *a, case_event_t *out, int64_t *version,
                         bh_err_t *err);

/* The body of POST /api/v1/patrols.  answers is borrowed from o. */
bh_status_t parse_patrol_new(json_t *o, arena_t *a, svc_patrol_new_t *out, bh_err_t *err);

/* {"username","password"} */
bh_status_t parse_login(json_t *o, arena_t *a, const char **user, const char **pass,
                        bh_err_t *err);

#endif
