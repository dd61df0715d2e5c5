/*
 * image.h - what a photo says about itself, and the copies of it that are
 * served: EXIF time and place (libexif), a thumbnail, and the image with
 * its metadata removed for roles that must not see where it was taken
 * (libvips).
 */
#ifndef BH_IMAGE_H
#define BH_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/datetime.h"
#include "core/media.h"
#include "util/status.h"

typedef struct {
    bool has_exif;    /* any EXIF at all (camera, time, place, ...) */
    dt_ms_t taken_at; /* DateTimeOriginal (its offset, else Beijing time); 0 when absent */
    bool has_gps;
    double lat, lng;  /* WGS-84, as the camera wrote them */
} image_meta_t;

/* EXIF of a JPEG, PNG or WebP (the block libvips finds in the header,
 * read by libexif); zeroes when there is none or it cannot be read. */
void image_meta(const void *data, size_t len, image_meta_t *out);

/* The most pixels an image may declare (a 64-megapixel camera's). */
#define IMAGE_MAX_PIXELS 64000000

/*
 * A JPEG thumbnail at most 'size' pixels on its longer side, turned
 * upright, without metadata; *out is g_free'd by image_free.  Fails
 * (field "file") when the image cannot be decoded or declares more than
 * IMAGE_MAX_PIXELS.
 */
bh_status_t image_thumbnail(const void *data, size_t len, int size, void **out, size_t *outlen,
                            bh_err_t *err);

/* The image in its own format with every metadata block removed. */
bh_status_t image_strip(const void *data, size_t len, media_kind_t k, void **out, size_t *outlen,
                        bh_err_t *err);

void image_free(void *p);

#endif
