/*
 * track.h - how much of a river or forest section a patrol's GPS track
 * covers.  A section is a line of WGS-84 [lng, lat] points; a track is the
 * patrol's points in order.  The section is cut into pieces of at most
 * GEO_PIECE_M metres; a piece is covered when its midpoint lies within
 * 'within_m' of the track (of any of its segments, or its only point).
 * The answer is the covered share of the section's length.  Distances are
 * measured on a local plane around the section (equirectangular), which is
 * good to well under a metre over a section's few kilometres.  Pure.
 */
#ifndef BH_TRACK_H
#define BH_TRACK_H

#include "util/arena.h"
#include "util/status.h"

#define GEO_PIECE_M 10.0
#define GEO_LINE_MAX 2000 /* points of a section */

/* Parse and check a section line: a JSON array of 2 to GEO_LINE_MAX
 * [lng, lat] positions within WGS-84 ranges, not all the same point.
 * *pts is allocated in 'a'; err names the field "line" or "line[i]". */
bh_status_t geo_line_parse(const char *json, arena_t *a, double (**pts)[2], int *n,
                           bh_err_t *err);

/* Length of a line in metres. */
double geo_line_length_m(const double (*line)[2], int n);

/* Share (0..1) of the line within 'within_m' metres of the track, whose
 * points are [lng, lat, anything]; 0 when there is no track. */
double geo_line_covered(const double (*line)[2], int nline, const double (*track)[3], int ntrack,
                        double within_m);

#endif
