/*
 * image.c - EXIF, thumbnails and stripped copies (image.h).
 *
 * libvips is started once, with one worker thread, no operation cache and
 * no run-time generated SIMD code (liborc): a server decodes a photo now
 * and then, and must stay small and predictable.
 */
#include <libexif/exif-data.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <vips/vips.h>
#include <vips/vector.h>

#include "media/image.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool vips_ok;

static void start(void)
{
    vips_ok = VIPS_INIT("bihuan") == 0;
    if (vips_ok) {
        vips_concurrency_set(1);
        vips_cache_set_max(0);
        vips_vector_set_enabled(FALSE);
    }
}

static ExifEntry *entry(ExifData *d, ExifIfd ifd, int tag)
{
    return exif_content_get_entry(d->ifd[ifd], (ExifTag)tag);
}

/* Degrees from three rationals (degrees, minutes, seconds); NAN when bad. */
static double dms(ExifEntry *e, ExifByteOrder o)
{
    double v = 0, scale = 1;
    if (!e || e->format != EXIF_FORMAT_RATIONAL || e->components != 3 || e->size < 24)
        return NAN;
    for (int i = 0; i < 3; i++, scale *= 60) {
        ExifRational r = exif_get_rational(e->data + 8 * i, o);
        if (!r.denominator)
            return NAN;
        v += (double)r.numerator / r.denominator / scale;
    }
    return v;
}

static char ref(ExifEntry *e)
{
    return e && e->format == EXIF_FORMAT_ASCII && e->size >= 1 ? (char)e->data[0] : 0;
}

/* "2026:12:07 09:30:05" with an offset "+08:00" (or none: Beijing time). */
static dt_ms_t when(ExifEntry *e, ExifEntry *off)
{
    char s[32], o[8] = "+08:00", iso[48];
    int y, mo, d, h, mi, sec;
    dt_ms_t t;
    if (!e || e->format != EXIF_FORMAT_ASCII || e->size < 19)
        return 0;
    memcpy(s, e->data, 19);
    s[19] = 0;
    if (sscanf(s, "%4d:%2d:%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6)
        return 0;
    if (off && off->format == EXIF_FORMAT_ASCII && off->size >= 6 &&
        (off->data[0] == '+' || off->data[0] == '-')) {
        memcpy(o, off->data, 6);
        o[6] = 0;
    }
    snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d%s", y, mo, d, h, mi, sec, o);
    return dt_parse_instant(iso, &t) ? t : 0;
}

/* The EXIF block of a JPEG, PNG (eXIf) or WebP (EXIF chunk) as libvips
 * finds it in the header, read by libexif. */
void image_meta(const void *data, size_t len, image_meta_t *out)
{
    VipsImage *im;
    const void *blob;
    size_t blen;
    ExifData *d = NULL;
    memset(out, 0, sizeof *out);
    pthread_once(&once, start);
    if (!vips_ok ||
        !(im = vips_image_new_from_buffer(data, len, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL))) {
        vips_error_clear();
        return;
    }
    if (vips_image_get_typeof(im, VIPS_META_EXIF_NAME) &&
        !vips_image_get_blob(im, VIPS_META_EXIF_NAME, &blob, &blen) && blen > 6 && blen < 0xFFFFFF00u) {
        if (memcmp(blob, "Exif\0\0", 6) == 0) {
            d = exif_data_new_from_data(blob, (unsigned)blen);
        } else { /* a bare TIFF block (PNG's eXIf): libexif wants its header */
            unsigned char *h = g_malloc(blen + 6);
            memcpy(h, "Exif\0\0", 6);
            memcpy(h + 6, blob, blen);
            d = exif_data_new_from_data(h, (unsigned)blen + 6);
            g_free(h);
        }
    }
    g_object_unref(im);
    vips_thread_shutdown();
    if (!d)
        return;
    {
        ExifByteOrder o = exif_data_get_byte_order(d);
        bool any = false;
        for (int i = 0; i < EXIF_IFD_COUNT; i++)
            any |= d->ifd[i] && d->ifd[i]->count > 0;
        out->has_exif = any;
        out->taken_at = when(entry(d, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL),
                             entry(d, EXIF_IFD_EXIF, 0x9011 /* OffsetTimeOriginal */));
        {
            double lat = dms(entry(d, EXIF_IFD_GPS, EXIF_TAG_GPS_LATITUDE), o),
                   lng = dms(entry(d, EXIF_IFD_GPS, EXIF_TAG_GPS_LONGITUDE), o);
            char la = ref(entry(d, EXIF_IFD_GPS, EXIF_TAG_GPS_LATITUDE_REF)),
                 lo = ref(entry(d, EXIF_IFD_GPS, EXIF_TAG_GPS_LONGITUDE_REF));
            if (!isnan(lat) && !isnan(lng) && lat <= 90 && lng <= 180) {
                out->has_gps = true;
                out->lat = la == 'S' ? -lat : lat;
                out->lng = lo == 'W' ? -lng : lng;
            }
        }
    }
    exif_data_unref(d);
}

/* libvips's error text (copied under its lock: uploads run at once). */
static bh_status_t vips_failed(bh_err_t *err, const char *what)
{
    char *why = vips_error_buffer_copy();
    bh_status_t st = bh_fail(err, BH_INVALID_ARGUMENT, "file", "图片无法解码（%s）：%.200s", what,
                             why ? why : "");
    g_free(why);
    vips_thread_shutdown(); /* this thread is not libvips's: free its per-thread state */
    return st;
}

/* Start libvips, and refuse an image whose header declares more pixels
 * than a camera makes (a few bytes of PNG can claim 100000 × 100000): the
 * header is read, not the pixels. */
static bh_status_t ready(const void *data, size_t len, bh_err_t *err)
{
    VipsImage *im;
    double px;
    pthread_once(&once, start);
    if (!vips_ok)
        return bh_fail(err, BH_INTERNAL, "", "图像库 libvips 无法启动");
    if (!(im = vips_image_new_from_buffer(data, len, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL)))
        return vips_failed(err, "读取图片头");
    px = (double)vips_image_get_width(im) * vips_image_get_height(im);
    g_object_unref(im);
    if (px > IMAGE_MAX_PIXELS)
        return bh_fail(err, BH_INVALID_ARGUMENT, "file", "图片像素过多（%.0f 万像素，至多 %d 万）",
                       px / 1e4, IMAGE_MAX_PIXELS / 10000);
    return BH_OK;
}

bh_status_t image_thumbnail(const void *data, size_t len, int size, void **out, size_t *outlen,
                            bh_err_t *err)
{
    VipsImage *t = NULL;
    int rc;
    bh_status_t st;
    if ((st = ready(data, len, err)))
        return st;
    if (vips_thumbnail_buffer((void *)data, len, &t, size, "height", size, "size", VIPS_SIZE_DOWN, NULL))
        return vips_failed(err, "缩略图");
    rc = vips_jpegsave_buffer(t, out, outlen, "Q", 80, "strip", TRUE, NULL);
    g_object_unref(t);
    if (rc)
        return vips_failed(err, "缩略图");
    vips_thread_shutdown();
    return BH_OK;
}

bh_status_t image_strip(const void *data, size_t len, media_kind_t k, void **out, size_t *outlen,
                        bh_err_t *err)
{
    const char *fmt = k == MEDIA_PNG ? ".png[strip]" : k == MEDIA_WEBP ? ".webp[strip,Q=90]"
                                                                       : ".jpg[strip,Q=92]";
    VipsImage *im, *up, *clean;
    int rc;
    bh_status_t st;
    if ((st = ready(data, len, err)))
        return st;
    if (!(im = vips_image_new_from_buffer(data, len, "", NULL)))
        return vips_failed(err, "去除位置信息");
    /* the orientation goes with the metadata: turn the pixels upright first */
    rc = vips_autorot(im, &up, NULL);
    g_object_unref(im);
    if (rc)
        return vips_failed(err, "去除位置信息");
    /* and take every metadata block off the image itself: not every saver
     * honours "strip" (WebP in libvips 8.14 keeps its EXIF) */
    if (vips_copy(up, &clean, NULL)) {
        g_object_unref(up);
        return vips_failed(err, "去除位置信息");
    }
    g_object_unref(up);
    {
        gchar **fields = vips_image_get_fields(clean);
        for (int i = 0; fields[i]; i++)
            if (!strncmp(fields[i], "exif-", 5) || !strcmp(fields[i], VIPS_META_XMP_NAME) ||
                !strcmp(fields[i], VIPS_META_IPTC_NAME))
                vips_image_remove(clean, fields[i]);
        g_strfreev(fields);
    }
    rc = vips_image_write_to_buffer(clean, fmt, out, outlen, NULL);
    g_object_unref(clean);
    if (rc)
        return vips_failed(err, "去除位置信息");
    vips_thread_shutdown();
    return BH_OK;
}

void image_free(void *p)
{
    g_free(p);
}
