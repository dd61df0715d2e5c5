/*
 * open311.h - the Open311 GeoReport v2 interface under /open311/v2/, in XML
 * and JSON (see docs/OPEN311.md).
 */
#ifndef BH_OPEN311_H
#define BH_OPEN311_H

#include "api/http.h"

extern const http_route_t open311_routes[];
extern const int open311_nroutes;

#endif
