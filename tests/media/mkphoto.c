/*
 * mkphoto.c - photos for the tests, made with the libraries a camera
 * would stand in for: a gradient of W×H pixels encoded by libvips, and
 * optionally an EXIF block built with libexif (when it was taken, where:
 * GPS latitude and longitude) - an APP1 segment in a JPEG, written by
 * libvips into a PNG or WebP.
 *
 *   mkphoto OUT.jpg|OUT.png|OUT.webp [WIDTH] [--time "2026:12:07 09:30:05"] [--gps LAT,LNG]
 */
#include <libexif/exif-data.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

static ExifEntry *add(ExifData *d, ExifIfd ifd, ExifTag tag, ExifFormat fmt, unsigned n)
{
    ExifEntry *e = exif_entry_new();
    ExifMem *mem = exif_mem_new_default();
    e->tag = tag;
    e->format = fmt;
    e->components = n;
    e->size = exif_format_get_size(fmt) * n;
    e->data = exif_mem_alloc(mem, e->size);
    exif_content_add_entry(d->ifd[ifd], e);
    exif_mem_unref(mem);
    exif_entry_unref(e);
    return e;
}

static void dms(ExifData *d, ExifTag tag, ExifTag reftag, double v, const char *pos, const char *neg)
{
    ExifByteOrder o = exif_data_get_byte_order(d);
    ExifEntry *e = add(d, EXIF_IFD_GPS, tag, EXIF_FORMAT_RATIONAL, 3);
    ExifEntry *r = add(d, EXIF_IFD_GPS, reftag, EXIF_FORMAT_ASCII, 2);
    double a = fabs(v);
    unsigned deg = (unsigned)a, min = (unsigned)((a - deg) * 60);
    double sec = ((a - deg) * 60 - min) * 60;
    exif_set_rational(e->data, o, (ExifRational){deg, 1});
    exif_set_rational(e->data + 8, o, (ExifRational){min, 1});
    exif_set_rational(e->data + 16, o, (ExifRational){(ExifLong)llround(sec * 10000), 10000});
    memcpy(r->data, v < 0 ? neg : pos, 2);
}

int main(int argc, char **argv)
{
    const char *out = NULL, *when = NULL, *gps = NULL, *ext;
    int width = 640;
    VipsImage *x, *img;
    void *buf;
    size_t len;
    unsigned char *eb = NULL;
    unsigned int elen = 0;
    FILE *f;

    if (VIPS_INIT(argv[0]))
        return 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--time") && i + 1 < argc)
            when = argv[++i];
        else if (!strcmp(argv[i], "--gps") && i + 1 < argc)
            gps = argv[++i];
        else if (!out)
            out = argv[i];
        else
            width = atoi(argv[i]);
    }
    if (!out || width < 1) {
        fprintf(stderr, "usage: mkphoto OUT.jpg|.png|.webp [WIDTH] [--time T] [--gps LAT,LNG]\n");
        return 2;
    }
    ext = strrchr(out, '.');
    if (!ext)
        ext = ".jpg";
    if (vips_xyz(&x, width, width * 3 / 4, NULL) || vips_extract_band(x, &img, 0, "n", 1, NULL)) {
        fprintf(stderr, "mkphoto: %s\n", vips_error_buffer());
        return 1;
    }
    if (when || gps) {
        ExifData *d = exif_data_new();
        exif_data_set_byte_order(d, EXIF_BYTE_ORDER_INTEL);
        if (when) {
            ExifEntry *e = add(d, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL, EXIF_FORMAT_ASCII, 20);
            memcpy(e->data, when, strlen(when) < 19 ? strlen(when) : 19);
        }
        if (gps) {
            double lat, lng;
            if (sscanf(gps, "%lf,%lf", &lat, &lng) != 2)
                return 2;
            dms(d, EXIF_TAG_GPS_LATITUDE, EXIF_TAG_GPS_LATITUDE_REF, lat, "N", "S");
            dms(d, EXIF_TAG_GPS_LONGITUDE, EXIF_TAG_GPS_LONGITUDE_REF, lng, "E", "W");
        }
        exif_data_save_data(d, &eb, &elen); /* "Exif\0\0" + TIFF */
        exif_data_unref(d);
        if (strcmp(ext, ".jpg")) /* PNG (eXIf) and WebP (EXIF chunk): libvips writes the block */
            vips_image_set_blob_copy(img, VIPS_META_EXIF_NAME, eb, elen);
    }
    if (vips_image_write_to_buffer(img, ext, &buf, &len, NULL)) {
        fprintf(stderr, "mkphoto: %s\n", vips_error_buffer());
        return 1;
    }
    if (!(f = fopen(out, "wb")))
        return 1;
    if (eb && !strcmp(ext, ".jpg")) {
        /* SOI, then APP1 with the EXIF block, then the rest of the JPEG */
        fwrite(buf, 1, 2, f);
        fputc(0xFF, f);
        fputc(0xE1, f);
        fputc((int)((elen + 2) >> 8), f);
        fputc((int)((elen + 2) & 0xFF), f);
        fwrite(eb, 1, elen, f);
        fwrite((char *)buf + 2, 1, len - 2, f);
    } else {
        fwrite(buf, 1, len, f);
    }
    free(eb);
    fclose(f);
    g_free(buf);
    return 0;
}
