/*
 * track.c - the share of a section a GPS track covers (see track.h).
 */
#include "geo/track.h"

#include <jansson.h>
#include <stdbool.h>
#include <math.h>
#include <string.h>

#include "util/xmalloc.h"

#define EARTH_R 6371008.8
#define DEG (3.14159265358979323846 / 180.0)

/* A local plane: metres east and north of an origin. */
struct plane {
    double lng0, lat0, kx;
};

static struct plane plane_at(double lng, double lat)
{
    return (struct plane){lng, lat, cos(lat * DEG) * EARTH_R * DEG};
}

static void project(const struct plane *p, double lng, double lat, double *x, double *y)
{
    *x = (lng - p->lng0) * p->kx;
    *y = (lat - p->lat0) * EARTH_R * DEG;
}

/* Squared distance from (px, py) to the segment (ax, ay)-(bx, by). */
static double seg_dist2(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, t = 0;
    if (l2 > 0) {
        t = ((px - ax) * dx + (py - ay) * dy) / l2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
    }
    dx = ax + t * dx - px;
    dy = ay + t * dy - py;
    return dx * dx + dy * dy;
}

bh_status_t geo_line_parse(const char *json, arena_t *a, double (**pts)[2], int *n,
                           bh_err_t *err)
{
    json_t *v = json ? json_loads(json, 0, NULL) : NULL;
    double (*p)[2];
    size_t np = v && json_is_array(v) ? json_array_size(v) : 0;
    bool moves = false;
    if (np < 2 || np > GEO_LINE_MAX) {
        json_decref(v);
        return bh_fail(err, BH_INVALID_ARGUMENT, "line",
                       "line 应为 2 到 %d 个点 [经度, 纬度]（WGS-84）", GEO_LINE_MAX);
    }
    p = arena_alloc_array(a, np, sizeof *p);
    for (size_t i = 0; i < np; i++) {
        json_t *pt = json_array_get(v, i);
        if (!json_is_array(pt) || json_array_size(pt) != 2 ||
            !json_is_number(json_array_get(pt, 0)) || !json_is_number(json_array_get(pt, 1)) ||
            fabs(json_number_value(json_array_get(pt, 0))) > 180 ||
            fabs(json_number_value(json_array_get(pt, 1))) > 90) {
            json_decref(v);
            return bh_fail(err, BH_INVALID_ARGUMENT, arena_printf(a, "line[%zu]", i),
                           "点应为 [经度, 纬度]，经度 -180 到 180，纬度 -90 到 90");
        }
        p[i][0] = json_number_value(json_array_get(pt, 0));
        p[i][1] = json_number_value(json_array_get(pt, 1));
        moves = moves || p[i][0] != p[0][0] || p[i][1] != p[0][1];
    }
    json_decref(v);
    if (!moves)
        return bh_fail(err, BH_INVALID_ARGUMENT, "line", "line 的点不能全部相同");
    *pts = p;
    *n = (int)np;
    return BH_OK;
}

double geo_line_length_m(const double (*line)[2], int n)
{
    struct plane pl;
    double m = 0, x0, y0, x1, y1;
    if (n < 2)
        return 0;
    pl = plane_at(line[0][0], line[0][1]);
    project(&pl, line[0][0], line[0][1], &x0, &y0);
    for (int i = 1; i < n; i++, x0 = x1, y0 = y1) {
        project(&pl, line[i][0], line[i][1], &x1, &y1);
        m += hypot(x1 - x0, y1 - y0);
    }
    return m;
}

/* Is (x, y) within sqrt(r2) of the projected track? */
static bool near_track(const double *tx, const double *ty, int nt, double x, double y, double r2)
{
    if (nt == 1)
        return (tx[0] - x) * (tx[0] - x) + (ty[0] - y) * (ty[0] - y) <= r2;
    for (int j = 1; j < nt; j++)
        if (seg_dist2(x, y, tx[j - 1], ty[j - 1], tx[j], ty[j]) <= r2)
            return true;
    return false;
}

double geo_line_covered(const double (*line)[2], int nline, const double (*track)[3], int ntrack,
                        double within_m)
{
    struct plane pl;
    double total = 0, covered = 0, r2 = within_m * within_m;
    double *tx, *ty;
    if (nline < 2 || ntrack < 1)
        return 0;
    pl = plane_at(line[0][0], line[0][1]);
    tx = xmalloc(sizeof *tx * (size_t)ntrack * 2);
    ty = tx + ntrack;
    for (int j = 0; j < ntrack; j++)
        project(&pl, track[j][0], track[j][1], &tx[j], &ty[j]);
    for (int i = 1; i < nline; i++) {
        double ax, ay, bx, by, len;
        int pieces;
        project(&pl, line[i - 1][0], line[i - 1][1], &ax, &ay);
        project(&pl, line[i][0], line[i][1], &bx, &by);
        len = hypot(bx - ax, by - ay);
        pieces = (int)ceil(len / GEO_PIECE_M);
        total += len;
        for (int k = 0; k < pieces; k++) {
            double t = (k + 0.5) / pieces;
            if (near_track(tx, ty, ntrack, ax + t * (bx - ax), ay + t * (by - ay), r2))
                covered += len / pieces;
        }
    }
    free(tx);
    return total > 0 ? covered / total : 0;
}
