/*
 * open311.h - the Open311 GeoReport v2 interface under /open311/v2/, in XML
 * and JSON (see docs/OPEN311.md).
 */
#ifndef BH_OPEN311_H
#define BH_OPEN311_H

#include "api/http.h"

extern const http_route_t open311_routes[];
extern const int open311_nroutes;

/* An error under /open311/v2/ in GeoReport's format: <errors><error>
 * <code>404</code><description>…</description></error></errors>, XML
 * unless the path ends in .json (the http_config_t error_fn). */
void open311_error_reply(http_req_t *r, int status, const bh_err_t *e);

#endif
