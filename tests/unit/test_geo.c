/*
 * test_geo.c - coordinate conversions (published vectors, round trips
 * under 1 m inside China, identity outside) and polygon validation and
 * point-in-polygon.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "geo/crs.h"
#include "geo/geo.h"
#include "geo/track.h"

static void published_vectors(void **state)
{
    double lng, lat;
    (void)state;
    /* The widely published reference values for Tiananmen (116.404, 39.915). */
    crs_wgs84_to_gcj02(116.404, 39.915, &lng, &lat);
    assert_true(fabs(lng - 116.41024449916938) < 1e-9 && fabs(lat - 39.91640428150164) < 1e-9);
    crs_gcj02_to_bd09(116.404, 39.915, &lng, &lat);
    assert_true(fabs(lng - 116.41036949371029) < 1e-9 && fabs(lat - 39.92133699351022) < 1e-9);
    crs_bd09_to_gcj02(116.404, 39.915, &lng, &lat);
    assert_true(fabs(lng - 116.39762729119315) < 1e-9 && fabs(lat - 39.90865673957631) < 1e-9);
}

static void round_trips_inside_china(void **state)
{
    (void)state;
    for (double lat = 18.5; lat < 53; lat += 1.7) {
        for (double lng = 74.1; lng < 134; lng += 2.3) {
            double g1, g2, w1, w2, b1, b2, x1, x2;
            crs_wgs84_to_gcj02(lng, lat, &g1, &g2);
            crs_gcj02_to_wgs84(g1, g2, &w1, &w2);
            assert_true(crs_distance_m(lng, lat, w1, w2) < 1.0);
            crs_gcj02_to_bd09(g1, g2, &b1, &b2);
            crs_to_wgs84(CRS_BD09, b1, b2, &x1, &x2);
            assert_true(crs_distance_m(lng, lat, x1, x2) < 1.0);
            /* The offset itself is real: hundreds of metres. */
            assert_true(crs_distance_m(lng, lat, g1, g2) > 1.0);
        }
    }
}

static void outside_china_unchanged(void **state)
{
    double lng, lat;
    crs_t c;
    (void)state;
    crs_wgs84_to_gcj02(2.3522, 48.8566, &lng, &lat); /* Paris */
    assert_true(lng == 2.3522 && lat == 48.8566);
    crs_gcj02_to_wgs84(-74.006, 40.7128, &lng, &lat);
    assert_true(lng == -74.006 && lat == 40.7128);
    assert_false(crs_in_china(151.2, -33.9));
    assert_true(crs_from_name("gcj02", &c) && c == CRS_GCJ02);
    assert_true(crs_from_name(NULL, &c) && c == CRS_WGS84);
    assert_false(crs_from_name("mars", &c));
}

#define SQUARE "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10,0],[10,10],[0,10],[0,0]]," \
               "[[4,4],[6,4],[6,6],[4,6],[4,4]]]}"

static void polygons(void **state)
{
    double bbox[4];
    bool in;
    bh_err_t err;
    static const struct { const char *json, *needle; } bad[] = {
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}", "Self-intersection"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}", "未闭合"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}", "至少4个"},
        {"{\"type\":\"Point\",\"coordinates\":[0,0]}", "Polygon"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,\"a\"],[1,1],[0,0]]]}", "数字"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[181,0],[1,1],[0,0]]]}", "范围"},
        {"{\"type\":\"Polygon\"", "格式错误"},
        {"{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]],"
         "[[[1,1],[3,1],[3,3],[1,3],[1,1]]]]}", "Self-intersection"},
    };
    (void)state;
    assert_int_equal(geo_validate(SQUARE, strlen(SQUARE), bbox, &err), BH_OK);
    assert_true(bbox[0] == 0 && bbox[1] == 0 && bbox[2] == 10 && bbox[3] == 10);
    assert_int_equal(geo_contains(SQUARE, 1, 1, &in, &err), BH_OK);
    assert_true(in);
    assert_int_equal(geo_contains(SQUARE, 5, 5, &in, &err), BH_OK);
    assert_false(in); /* in the hole */
    assert_int_equal(geo_contains(SQUARE, 10, 5, &in, &err), BH_OK);
    assert_true(in); /* on the boundary */
    assert_int_equal(geo_contains(SQUARE, 11, 5, &in, &err), BH_OK);
    assert_false(in);
    {
        /* the square's centroid is in its hole: a point on the surface instead */
        static const char rect[] = "{\"type\":\"Polygon\",\"coordinates\":"
                                   "[[[114,22],[114.2,22],[114.2,22.1],[114,22.1],[114,22]]]}";
        double x, y;
        assert_int_equal(geo_inner_point(SQUARE, &x, &y, &err), BH_OK);
        assert_int_equal(geo_contains(SQUARE, x, y, &in, &err), BH_OK);
        assert_true(in);
        assert_false(x > 4 && x < 6 && y > 4 && y < 6);
        assert_int_equal(geo_inner_point(rect, &x, &y, &err), BH_OK);
        assert_true(fabs(x - 114.1) < 1e-9 && fabs(y - 22.05) < 1e-9); /* the centroid */
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(geo_validate(bad[i].json, strlen(bad[i].json), bbox, &err), BH_INVALID_ARGUMENT);
        if (!strstr(err.message, bad[i].needle))
            fail_msg("case %zu: %s", i, err.message);
    }
}

/* A 1 km section running east along 22.5°N (0.0097375° of longitude is
 * about 1000 m there); tracks along it, beside it, and along part of it. */
static void section_coverage(void **state)
{
    const double k = 0.0097375, north50 = 45.0 / 111195.0, north80 = 80.0 / 111195.0;
    double line[3][2] = {{114.0, 22.5}, {114.0 + k / 2, 22.5}, {114.0 + k, 22.5}};
    double along[2][3] = {{114.0, 22.5 + north50, 0}, {114.0 + k, 22.5 + north50, 1}};
    double beside[2][3] = {{114.0, 22.5 + north80, 0}, {114.0 + k, 22.5 + north80, 1}};
    double part[2][3] = {{114.0 + k * 0.4, 22.5, 0}, {114.0 + k, 22.5, 1}};
    double point[1][3] = {{114.0 + k / 2, 22.5, 0}};
    arena_t *a = arena_new();
    double (*pts)[2];
    int n;
    bh_err_t err;
    (void)state;
    assert_true(fabs(geo_line_length_m((const double (*)[2])line, 3) - 1000) < 2);
    assert_true(geo_line_covered((const double (*)[2])line, 3, (const double (*)[3])along, 2, 50) > 0.99);
    assert_true(geo_line_covered((const double (*)[2])line, 3, (const double (*)[3])beside, 2, 50) < 0.01);
    /* 60% walked, plus the 50 m the tolerance reaches back: 65% */
    double share = geo_line_covered((const double (*)[2])line, 3, (const double (*)[3])part, 2, 50);
    assert_true(share > 0.64 && share < 0.66);
    /* one point covers 100 m of a straight line: 10% */
    share = geo_line_covered((const double (*)[2])line, 3, (const double (*)[3])point, 1, 50);
    assert_true(share > 0.09 && share < 0.11);
    assert_true(geo_line_covered((const double (*)[2])line, 3, NULL, 0, 50) == 0);

    assert_int_equal(geo_line_parse("[[114,22.5],[114.01,22.5]]", a, &pts, &n, &err), BH_OK);
    assert_int_equal(n, 2);
    assert_true(pts[1][0] == 114.01);
    assert_int_equal(geo_line_parse("[[114,22.5]]", a, &pts, &n, &err), BH_INVALID_ARGUMENT);
    assert_string_equal(err.field, "line");
    assert_int_equal(geo_line_parse("[[114,22.5],[114,95]]", a, &pts, &n, &err), BH_INVALID_ARGUMENT);
    assert_string_equal(err.field, "line[1]");
    assert_int_equal(geo_line_parse("[[114,22.5],[114,22.5]]", a, &pts, &n, &err), BH_INVALID_ARGUMENT);
    assert_int_equal(geo_line_parse("{\"type\":\"LineString\"}", a, &pts, &n, &err), BH_INVALID_ARGUMENT);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(published_vectors),
        cmocka_unit_test(round_trips_inside_china),
        cmocka_unit_test(outside_china_unchanged),
        cmocka_unit_test(polygons),
        cmocka_unit_test(section_coverage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
