/*
 * media.h - what an uploaded file is, judged by its bytes, never its name.
 *
 * Evidence on cases and patrols is a photo (JPEG, PNG, WebP), a video
 * (MP4) or a document (PDF).  media_check recognises the kind from the
 * leading bytes, refuses what is none of these, larger than its kind's
 * limit, or cut short (a JPEG without its end marker, a PNG without IEND,
 * a RIFF, MP4 box or PDF that stops before it says it ends, an MP4 without
 * its movie box), and still images in an MP4 container (HEIC, AVIF), naming
 * the field "file".  Pure.
 */
#ifndef BH_MEDIA_H
#define BH_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

#include "util/status.h"

typedef enum {
    MEDIA_UNKNOWN,
    MEDIA_JPEG,
    MEDIA_PNG,
    MEDIA_WEBP,
    MEDIA_MP4,
    MEDIA_PDF,
    MEDIA__COUNT
} media_kind_t;

/* Size limits, bytes. */
#define MEDIA_IMAGE_MAX (20u << 20)
#define MEDIA_PDF_MAX (20u << 20)
#define MEDIA_VIDEO_MAX (200u << 20)

media_kind_t media_sniff(const void *data, size_t len);
const char *media_mime(media_kind_t k);  /* "image/jpeg" */
const char *media_name(media_kind_t k);  /* "jpeg" */
media_kind_t media_from_name(const char *name); /* back from "jpeg"; MEDIA_UNKNOWN */
const char *media_label(media_kind_t k); /* "JPEG 图片" */
size_t media_limit(media_kind_t k);
bool media_is_image(media_kind_t k);

/*
 * Overwrite with zeros the digits of every ISO 6709 coordinate text in an
 * MP4 ("+22.5431+114.0579/": QuickTime's ©xyz, Apple's location key), the
 * length unchanged so every box keeps its size.  The number of places
 * overwritten.
 */
size_t media_scrub_iso6709(void *data, size_t len);

/* Recognise and check a whole upload; *kind is set when it is accepted. */
bh_status_t media_check(const void *data, size_t len, media_kind_t *kind, bh_err_t *err);

#endif
