/*
 * crs.h - conversions between the coordinate systems in use in China:
 * WGS-84 (GPS, what bihuan stores), GCJ-02 (the obfuscated national
 * system of Chinese web maps) and BD-09 (Baidu's offset of GCJ-02).
 *
 * The GCJ-02 offset is the published algorithm (Krasovsky 1940 ellipsoid
 * constants a = 6378245, ee = 0.00669342162296594323).  Points outside
 * China's rough bounding box are returned unchanged.  GCJ-02 → WGS-84
 * inverts the forward transform by fixed-point iteration (error well under
 * a millimetre).  Pure functions.
 */
#ifndef BH_CRS_H
#define BH_CRS_H

#include <stdbool.h>

typedef enum { CRS_WGS84, CRS_GCJ02, CRS_BD09 } crs_t;

/* Parse "wgs84", "gcj02", "bd09"; false when unknown. */
bool crs_from_name(const char *s, crs_t *out);

/* Is the point inside the box the GCJ-02 offset applies to? */
bool crs_in_china(double lng, double lat);

void crs_wgs84_to_gcj02(double lng, double lat, double *olng, double *olat);
void crs_gcj02_to_wgs84(double lng, double lat, double *olng, double *olat);
void crs_gcj02_to_bd09(double lng, double lat, double *olng, double *olat);
void crs_bd09_to_gcj02(double lng, double lat, double *olng, double *olat);

/* Any system to WGS-84. */
void crs_to_wgs84(crs_t from, double lng, double lat, double *olng, double *olat);

/* Great-circle distance in metres (for tests and tolerances). */
double crs_distance_m(double lng1, double lat1, double lng2, double lat2);

#endif
