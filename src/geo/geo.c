/*
 * geo.c - GeoJSON polygon validation and point-in-polygon with GEOS.
 *
 * The structure (type, nesting, numbers, ranges, closed rings) is checked
 * with jansson first so that every refusal names the ring and position;
 * GEOS then judges validity (self-intersections, holes outside shells).
 */
#include "geo/geo.h"

#include <geos_c.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct msg {
    char text[256];
};

static void on_geos_message(const char *fmt, void *userdata)
{
    struct msg *m = userdata;
    snprintf(m->text, sizeof m->text, "%s", fmt);
}

/* One ring: an array of >= 4 [lng, lat] positions, first == last. */
static bh_status_t check_ring(json_t *ring, const char *where, double bbox[4], bh_err_t *err)
{
    size_t i, n;
    json_t *pos;

    if (!json_is_array(ring) || (n = json_array_size(ring)) < 4)
        return bh_fail(err, BH_INVALID_ARGUMENT, "coordinates",
                       "%s：环应为至少4个坐标点的数组（首尾相同）", where);
    json_array_foreach(ring, i, pos) {
        json_t *x = json_array_get(pos, 0), *y = json_array_get(pos, 1);
        double lng, lat;
        if (!json_is_array(pos) || json_array_size(pos) < 2 || !json_is_number(x) ||
            !json_is_number(y))
            return bh_fail(err, BH_INVALID_ARGUMENT, "coordinates",
                           "%s 第%zu个点：应为 [经度, 纬度] 数字数组", where, i + 1);
        lng = json_number_value(x);
        lat = json_number_value(y);
        if (!(lng >= -180 && lng <= 180 && lat >= -90 && lat <= 90))
            return bh_fail(err, BH_INVALID_ARGUMENT, "coordinates",
                           "%s 第%zu个点 [%g, %g] 超出 WGS-84 经纬度范围", where, i + 1, lng, lat);
        if (lng < bbox[0]) bbox[0] = lng;
        if (lat < bbox[1]) bbox[1] = lat;
        if (lng > bbox[2]) bbox[2] = lng;
        if (lat > bbox[3]) bbox[3] = lat;
    }
    {
        json_t *a = json_array_get(ring, 0), *b = json_array_get(ring, n - 1);
        if (json_number_value(json_array_get(a, 0)) != json_number_value(json_array_get(b, 0)) ||
            json_number_value(json_array_get(a, 1)) != json_number_value(json_array_get(b, 1)))
            return bh_fail(err, BH_INVALID_ARGUMENT, "coordinates",
                           "%s：环未闭合（首尾坐标点不同）", where);
    }
    return BH_OK;
}

static bh_status_t check_polygon(json_t *poly, int pi, double bbox[4], bh_err_t *err)
{
    size_t i;
    json_t *ring;
    char where[64];

    if (!json_is_array(poly) || json_array_size(poly) == 0)
        return bh_fail(err, BH_INVALID_ARGUMENT, "coordinates", "多边形%d：应为环的非空数组", pi + 1);
    json_array_foreach(poly, i, ring) {
        bh_status_t st;
        snprintf(where, sizeof where, "多边形%d的%s%zu", pi + 1, i ? "内环" : "外环", i ? i : 1);
        if ((st = check_ring(ring, where, bbox, err)))
            return st;
    }
    return BH_OK;
}

static bh_status_t check_structure(json_t *g, double bbox[4], bh_err_t *err)
{
    const char *type;
    json_t *coords, *poly;
    size_t i;
    bh_status_t st;

    if (!json_is_object(g))
        return bh_fail(err, BH_INVALID_ARGUMENT, "geometry", "几何应为 GeoJSON 对象");
    type = json_string_value(json_object_get(g, "type"));
    coords = json_object_get(g, "coordinates");
    if (!type || (strcmp(type, "Polygon") && strcmp(type, "MultiPolygon")))
        return bh_fail(err, BH_INVALID_ARGUMENT, "type",
                       "几何类型应为 Polygon 或 MultiPolygon，实际为“%s”", type ? type : "(缺失)");
    if (!json_is_array(coords) || json_array_size(coords) == 0)
        return bh_fail(err, BH_INVALID_ARGUMENT, "coordinates", "缺少 coordinates 数组");
    bbox[0] = bbox[1] = INFINITY;
    bbox[2] = bbox[3] = -INFINITY;
    if (strcmp(type, "Polygon") == 0)
        return check_polygon(coords, 0, bbox, err);
    json_array_foreach(coords, i, poly)
        if ((st = check_polygon(poly, (int)i, bbox, err)))
            return st;
    return BH_OK;
}

/* Read with GEOS; *out is NULL (with err set) on failure. */
static bh_status_t read_geos(GEOSContextHandle_t h, const char *geojson, size_t len,
                             GEOSGeometry **out, struct msg *m, bh_err_t *err)
{
    GEOSGeoJSONReader *r = GEOSGeoJSONReader_create_r(h);
    char *copy = malloc(len + 1);
    *out = NULL;
    if (copy) {
        memcpy(copy, geojson, len);
        copy[len] = '\0';
        *out = GEOSGeoJSONReader_readGeometry_r(h, r, copy);
        free(copy);
    }
    GEOSGeoJSONReader_destroy_r(h, r);
    if (!*out)
        return bh_fail(err, BH_INVALID_ARGUMENT, "geometry", "几何无法解析：%s", m->text);
    return BH_OK;
}

bh_status_t geo_validate(const char *geojson, size_t len, double bbox[4], bh_err_t *err)
{
    json_error_t je;
    json_t *g;
    GEOSContextHandle_t h;
    GEOSGeometry *geom;
    struct msg m = {""};
    bh_status_t st;

    if (len > GEO_MAX_BYTES)
        return bh_fail(err, BH_PAYLOAD_TOO_LARGE, "geometry", "几何过大（上限 %d 字节）", GEO_MAX_BYTES);
    if (!(g = json_loadb(geojson, len, 0, &je)))
        return bh_fail(err, BH_INVALID_ARGUMENT, "geometry", "GeoJSON 格式错误（第%d行第%d列）：%s",
                       je.line, je.column, je.text);
    st = check_structure(g, bbox, err);
    json_decref(g);
    if (st)
        return st;
    h = GEOS_init_r();
    GEOSContext_setErrorMessageHandler_r(h, on_geos_message, &m);
    if ((st = read_geos(h, geojson, len, &geom, &m, err)) == BH_OK) {
        if (GEOSisValid_r(h, geom) != 1) {
            char *why = GEOSisValidReason_r(h, geom);
            st = bh_fail(err, BH_INVALID_ARGUMENT, "geometry",
                         "多边形无效（未自动修复）：%s", why ? why : m.text);
            GEOSFree_r(h, why);
        }
        GEOSGeom_destroy_r(h, geom);
    }
    GEOS_finish_r(h);
    return st;
}

bh_status_t geo_contains(const char *geojson, double lng, double lat, bool *inside,
                         bh_err_t *err)
{
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSGeometry *geom, *pt;
    struct msg m = {""};
    bh_status_t st;

    GEOSContext_setErrorMessageHandler_r(h, on_geos_message, &m);
    *inside = false;
    if ((st = read_geos(h, geojson, strlen(geojson), &geom, &m, err)) == BH_OK) {
        pt = GEOSGeom_createPointFromXY_r(h, lng, lat);
        *inside = GEOSIntersects_r(h, geom, pt) == 1;
        GEOSGeom_destroy_r(h, pt);
        GEOSGeom_destroy_r(h, geom);
    }
    GEOS_finish_r(h);
    return st;
}

bh_status_t geo_inner_point(const char *geojson, double *lng, double *lat, bh_err_t *err)
{
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSGeometry *geom, *pt = NULL;
    struct msg m = {""};
    bh_status_t st;

    GEOSContext_setErrorMessageHandler_r(h, on_geos_message, &m);
    if ((st = read_geos(h, geojson, strlen(geojson), &geom, &m, err)) == BH_OK) {
        pt = GEOSGetCentroid_r(h, geom);
        if (pt && GEOSIntersects_r(h, geom, pt) != 1) { /* a ring, an L: not inside */
            GEOSGeom_destroy_r(h, pt);
            pt = GEOSPointOnSurface_r(h, geom);
        }
        if (!pt || GEOSisEmpty_r(h, pt) != 0 || GEOSGeomGetX_r(h, pt, lng) != 1 ||
            GEOSGeomGetY_r(h, pt, lat) != 1)
            st = bh_fail(err, BH_INVALID_ARGUMENT, "geometry", "无法求得区域内的点：%s", m.text);
        if (pt)
            GEOSGeom_destroy_r(h, pt);
        GEOSGeom_destroy_r(h, geom);
    }
    GEOS_finish_r(h);
    return st;
}
