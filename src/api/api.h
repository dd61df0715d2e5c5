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

/* The route table. */
extern const http_route_t api_routes[];
extern const int api_nroutes;

#endif
