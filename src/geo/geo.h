/*
 * geo.h - grid polygons: validating GeoJSON Polygon/MultiPolygon (GEOS)
 * and the exact point-in-polygon test.  Coordinates are WGS-84 [lng, lat].
 * Each call uses its own GEOS context, so the functions are thread-safe.
 */
#ifndef BH_GEO_H
#define BH_GEO_H

#include <stdbool.h>
#include <stddef.h>

#include "util/status.h"

#define GEO_MAX_BYTES (4 << 20) /* a polygon document's size limit */

/*
 * Check a GeoJSON geometry object: type Polygon or MultiPolygon, numeric
 * coordinates within WGS-84 ranges, closed rings of at least 4 positions,
 * and valid as a surface (no self-intersection: GEOS's reason is reported,
 * nothing is repaired).  On success bbox = {minx, miny, maxx, maxy}.
 */
bh_status_t geo_validate(const char *geojson, size_t len, double bbox[4], bh_err_t *err);

/* Does the (already validated) polygon contain the point?  Points on the
 * boundary count as inside. */
/* A point of the (already validated) polygon that lies inside it - its
 * centroid when that is inside, else GEOS's point on surface - for
 * placing something known only by its area. */
bh_status_t geo_inner_point(const char *geojson, double *lng, double *lat, bh_err_t *err);

bh_status_t geo_contains(const char *geojson, double lng, double lat, bool *inside,
                         bh_err_t *err);

#endif
