/*
 * crs.c - WGS-84 / GCJ-02 / BD-09 conversions (see crs.h).
 */
#include "geo/crs.h"

#include <math.h>
#include <string.h>

#define PI 3.14159265358979324
#define X_PI (PI * 3000.0 / 180.0)
#define KRASOVSKY_A 6378245.0
#define KRASOVSKY_EE 0.00669342162296594323

bool crs_from_name(const char *s, crs_t *out)
{
    if (!s || strcmp(s, "wgs84") == 0)
        *out = CRS_WGS84;
    else if (strcmp(s, "gcj02") == 0)
        *out = CRS_GCJ02;
    else if (strcmp(s, "bd09") == 0)
        *out = CRS_BD09;
    else
        return false;
    return true;
}

bool crs_in_china(double lng, double lat)
{
    return lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

static double tlat(double x, double y)
{
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * PI) + 20.0 * sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * sin(y * PI) + 40.0 * sin(y / 3.0 * PI)) * 2.0 / 3.0;
    r += (160.0 * sin(y / 12.0 * PI) + 320 * sin(y * PI / 30.0)) * 2.0 / 3.0;
    return r;
}

static double tlng(double x, double y)
{
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * PI) + 20.0 * sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * sin(x * PI) + 40.0 * sin(x / 3.0 * PI)) * 2.0 / 3.0;
    r += (150.0 * sin(x / 12.0 * PI) + 300.0 * sin(x / 30.0 * PI)) * 2.0 / 3.0;
    return r;
}

/* The GCJ-02 offset (degrees) at a WGS-84 point. */
static void offset(double lng, double lat, double *dlng, double *dlat)
{
    double dl = tlat(lng - 105.0, lat - 35.0), dg = tlng(lng - 105.0, lat - 35.0);
    double radlat = lat / 180.0 * PI, magic = sin(radlat);
    double sqrtmagic;
    magic = 1 - KRASOVSKY_EE * magic * magic;
    sqrtmagic = sqrt(magic);
    *dlat = (dl * 180.0) / ((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sqrtmagic) * PI);
    *dlng = (dg * 180.0) / (KRASOVSKY_A / sqrtmagic * cos(radlat) * PI);
}

void crs_wgs84_to_gcj02(double lng, double lat, double *olng, double *olat)
{
    double dlng, dlat;
    if (!crs_in_china(lng, lat)) {
        *olng = lng;
        *olat = lat;
        return;
    }
    offset(lng, lat, &dlng, &dlat);
    *olng = lng + dlng;
    *olat = lat + dlat;
}

void crs_gcj02_to_wgs84(double lng, double lat, double *olng, double *olat)
{
    double wlng = lng, wlat = lat;
    if (!crs_in_china(lng, lat)) {
        *olng = lng;
        *olat = lat;
        return;
    }
    /* Find w with forward(w) = (lng, lat): the offset varies slowly, so
     * w_{k+1} = w_k - (forward(w_k) - target) converges fast. */
    for (int i = 0; i < 30; i++) {
        double glng, glat;
        crs_wgs84_to_gcj02(wlng, wlat, &glng, &glat);
        if (fabs(glng - lng) < 1e-12 && fabs(glat - lat) < 1e-12)
            break;
        wlng -= glng - lng;
        wlat -= glat - lat;
    }
    *olng = wlng;
    *olat = wlat;
}

void crs_gcj02_to_bd09(double lng, double lat, double *olng, double *olat)
{
    double z = sqrt(lng * lng + lat * lat) + 0.00002 * sin(lat * X_PI);
    double theta = atan2(lat, lng) + 0.000003 * cos(lng * X_PI);
    *olng = z * cos(theta) + 0.0065;
    *olat = z * sin(theta) + 0.006;
}

void crs_bd09_to_gcj02(double lng, double lat, double *olng, double *olat)
{
    double x = lng - 0.0065, y = lat - 0.006;
    double z = sqrt(x * x + y * y) - 0.00002 * sin(y * X_PI);
    double theta = atan2(y, x) - 0.000003 * cos(x * X_PI);
    *olng = z * cos(theta);
    *olat = z * sin(theta);
}

void crs_to_wgs84(crs_t from, double lng, double lat, double *olng, double *olat)
{
    double glng, glat;
    switch (from) {
    case CRS_GCJ02:
        crs_gcj02_to_wgs84(lng, lat, olng, olat);
        return;
    case CRS_BD09:
        crs_bd09_to_gcj02(lng, lat, &glng, &glat);
        crs_gcj02_to_wgs84(glng, glat, olng, olat);
        return;
    case CRS_WGS84:
        break;
    }
    *olng = lng;
    *olat = lat;
}

double crs_distance_m(double lng1, double lat1, double lng2, double lat2)
{
    double r = 6371008.8, p1 = lat1 * PI / 180, p2 = lat2 * PI / 180;
    double dp = p2 - p1, dl = (lng2 - lng1) * PI / 180;
    double h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    return 2 * r * asin(sqrt(h));
}
