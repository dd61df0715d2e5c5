/*
 * test_media.c - uploads recognised by their bytes: each kind, each way
 * of being cut short, the limits, and names that lie.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/media.h"

/* SOI, an APP0 segment, a scan header, entropy data with a stuffed FF and
 * a restart marker, EOI. */
static const unsigned char jpeg[] = {
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 'J', 'F', 0xFF, 0xDA, 0x00, 0x04, 0x01, 0x00,
    0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD9};

static void png(unsigned char *out, size_t *len, bool iend)
{
    static const unsigned char sig[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char ihdr[] = {0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1,
                                         8, 0, 0, 0, 0, 1, 2, 3, 4};
    static const unsigned char end[] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    memcpy(out, sig, sizeof sig);
    memcpy(out + 8, ihdr, sizeof ihdr);
    *len = 8 + sizeof ihdr;
    if (iend) {
        memcpy(out + *len, end, sizeof end);
        *len += sizeof end;
    }
}

static bh_status_t check(const void *p, size_t n, media_kind_t *k, const char **field)
{
    static bh_err_t err;
    bh_status_t st = media_check(p, n, k, &err);
    *field = err.field;
    return st;
}

static void kinds(void **state)
{
    unsigned char p[64];
    size_t n;
    media_kind_t k = MEDIA_UNKNOWN;
    const char *field;
    static const char pdf[] = "%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n";
    unsigned char webp[20] = {'R', 'I', 'F', 'F', 12, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' '};
    unsigned char mp4[32] = {0, 0, 0, 16, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 0, 1,
                             0, 0, 0, 8, 'm', 'o', 'o', 'v', 0, 0, 0, 8, 'm', 'd', 'a', 't'};
    (void)state;
    assert_int_equal(check(jpeg, sizeof jpeg, &k, &field), BH_OK);
    assert_int_equal(k, MEDIA_JPEG);
    assert_string_equal(media_mime(k), "image/jpeg");
    png(p, &n, true);
    assert_int_equal(check(p, n, &k, &field), BH_OK);
    assert_int_equal(k, MEDIA_PNG);
    assert_int_equal(check(pdf, sizeof pdf - 1, &k, &field), BH_OK);
    assert_int_equal(k, MEDIA_PDF);
    assert_int_equal(check(webp, sizeof webp, &k, &field), BH_OK);
    assert_int_equal(k, MEDIA_WEBP);
    assert_int_equal(check(mp4, sizeof mp4, &k, &field), BH_OK);
    assert_int_equal(k, MEDIA_MP4);
    assert_true(media_is_image(MEDIA_WEBP) && !media_is_image(MEDIA_PDF));
    assert_int_equal(media_limit(MEDIA_MP4), MEDIA_VIDEO_MAX);
}

static void cut_short(void **state)
{
    unsigned char p[64];
    size_t n;
    media_kind_t k;
    const char *field;
    static const char pdf[] = "%PDF-1.7\n1 0 obj<<>>endobj\n";
    unsigned char webp[20] = {'R', 'I', 'F', 'F', 40, 0, 0, 0, 'W', 'E', 'B', 'P'};
    unsigned char mp4[24] = {0, 0, 0, 16, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 0, 1,
                             0, 0, 1, 0, 'm', 'd', 'a', 't'};
    (void)state;
    /* every proper prefix of the JPEG: no end marker after the scan */
    for (size_t i = 3; i < sizeof jpeg; i++) {
        assert_int_equal(check(jpeg, i, &k, &field), BH_INVALID_ARGUMENT);
        assert_string_equal(field, "file");
    }
    png(p, &n, false);
    assert_int_equal(check(p, n, &k, &field), BH_INVALID_ARGUMENT);
    png(p, &n, true);
    assert_int_equal(check(p, n - 1, &k, &field), BH_INVALID_ARGUMENT);
    assert_int_equal(check(pdf, sizeof pdf - 1, &k, &field), BH_INVALID_ARGUMENT);
    assert_int_equal(check(webp, sizeof webp, &k, &field), BH_INVALID_ARGUMENT);
    assert_int_equal(check(mp4, sizeof mp4, &k, &field), BH_INVALID_ARGUMENT);
    /* a box whose size is below its own header */
    mp4[19] = 4;
    assert_int_equal(check(mp4, sizeof mp4, &k, &field), BH_INVALID_ARGUMENT);
    /* whole boxes, but no movie box */
    mp4[19] = 8;
    assert_int_equal(check(mp4, sizeof mp4, &k, &field), BH_INVALID_ARGUMENT);
}

static void still_images_in_mp4_boxes(void **state)
{
    static bh_err_t err;
    media_kind_t k;
    unsigned char heic[32] = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'm', 'i', 'f', '1', 0, 0, 0, 0,
                              'm', 'i', 'f', '1', 'h', 'e', 'i', 'c', 0, 0, 0, 8, 'm', 'o', 'o', 'v'};
    (void)state;
    assert_int_equal(media_check(heic, sizeof heic, &k, &err), BH_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "HEIF"));
    memcpy(heic + 8, "isom", 4);
    memcpy(heic + 16, "isom", 4);
    assert_int_equal(media_check(heic, sizeof heic, &k, &err), BH_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "HEIC"));
}

static bool has(const char *p, size_t len, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(p + i, s, n) == 0)
            return true;
    return false;
}

static void scrub_places(void **state)
{
    char v[] = "\xa9xyz\0\x12\x15\xc7+22.5431+114.0579/ and +22.5-114.05+012.0/ not +1+2 nor +223.1+114.0";
    size_t len = sizeof v - 1;
    (void)state;
    assert_int_equal(media_scrub_iso6709(v, len), 2);
    assert_true(has(v, len, "+00.0000+000.0000/"));
    assert_true(has(v, len, "+00.0-000.00+012.0/"));
    assert_true(has(v, len, "not +1+2 nor +223.1+114.0"));
    assert_false(has(v, len, "22.5431"));
    assert_int_equal(sizeof v - 1, len);
}

static void not_ours(void **state)
{
    media_kind_t k;
    const char *field;
    static const char text[] = "GIF89a this is a gif, or a script named photo.jpg";
    (void)state;
    assert_int_equal(check(text, sizeof text - 1, &k, &field), BH_INVALID_ARGUMENT);
    assert_string_equal(field, "file");
    assert_int_equal(check("", 0, &k, &field), BH_INVALID_ARGUMENT);
    assert_int_equal(media_sniff("\xFF\xD8", 2), MEDIA_UNKNOWN);
}

static void too_large(void **state)
{
    size_t n = MEDIA_IMAGE_MAX + 1;
    unsigned char *p = calloc(1, n);
    media_kind_t k;
    const char *field;
    (void)state;
    memcpy(p, jpeg, sizeof jpeg - 2); /* without its end marker */
    assert_int_equal(check(p, n, &k, &field), BH_PAYLOAD_TOO_LARGE);
    assert_string_equal(field, "file");
    assert_int_equal(check(p, MEDIA_IMAGE_MAX, &k, &field), BH_INVALID_ARGUMENT); /* zeros: no EOI */
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kinds),
        cmocka_unit_test(cut_short),
        cmocka_unit_test(not_ours),
        cmocka_unit_test(too_large),
        cmocka_unit_test(still_images_in_mp4_boxes),
        cmocka_unit_test(scrub_places),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
