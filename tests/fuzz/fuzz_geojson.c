/*
 * fuzz_geojson.c - libFuzzer target: GeoJSON polygons as PUT to
 * /api/v1/units/{code}/geometry, then a point-in-polygon test on whatever
 * validates.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double bbox[4];
    bh_err_t err;
    if (geo_validate((const char *)data, size, bbox, &err) == BH_OK) {
        char *s = malloc(size + 1);
        bool in;
        memcpy(s, data, size);
        s[size] = '\0';
        if (strlen(s) == size)
            geo_contains(s, (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2, &in, &err);
        free(s);
    } else if (err.field[0] == '\0') {
        abort(); /* every refusal names what is wrong */
    }
    return 0;
}
