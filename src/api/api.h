/*
 * api.h - the HTTP JSON API of DESIGN.md §6 over the services.
 */
#ifndef BH_API_H
#define BH_API_H

#include "api/http.h"
#include "svc/svc.h"

typedef struct {
    svc_t *svc;
} api_t;

/* Every route served: the v1 API and Open311.  Returns the count. */
int api_all_routes(const http_route_t **out);

#endif
