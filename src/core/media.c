/*
 * media.c - recognising uploads by their bytes (media.h).
 *
 * Each kind's structure is walked just far enough to tell a whole file
 * from one cut short: JPEG segments up to the first scan, then its end
 * marker; PNG chunks up to IEND; the RIFF length of WebP; the top-level
 * boxes of MP4; the %%EOF at the end of a PDF.
 */
#include <string.h>

#include "core/media.h"

static const struct {
    const char *mime, *name, *label;
} kinds[MEDIA__COUNT] = {
    [MEDIA_UNKNOWN] = {"application/octet-stream", "unknown", "未知类型"},
    [MEDIA_JPEG] = {"image/jpeg", "jpeg", "JPEG 图片"},
    [MEDIA_PNG] = {"image/png", "png", "PNG 图片"},
    [MEDIA_WEBP] = {"image/webp", "webp", "WebP 图片"},
    [MEDIA_MP4] = {"video/mp4", "mp4", "MP4 视频"},
    [MEDIA_PDF] = {"application/pdf", "pdf", "PDF 文档"},
};

const char *media_mime(media_kind_t k)
{
    return kinds[(unsigned)k < MEDIA__COUNT ? k : MEDIA_UNKNOWN].mime;
}

const char *media_name(media_kind_t k)
{
    return kinds[(unsigned)k < MEDIA__COUNT ? k : MEDIA_UNKNOWN].name;
}

const char *media_label(media_kind_t k)
{
    return kinds[(unsigned)k < MEDIA__COUNT ? k : MEDIA_UNKNOWN].label;
}

media_kind_t media_from_name(const char *name)
{
    for (int k = MEDIA_UNKNOWN + 1; k < MEDIA__COUNT; k++)
        if (name && strcmp(name, kinds[k].name) == 0)
            return (media_kind_t)k;
    return MEDIA_UNKNOWN;
}

bool media_is_image(media_kind_t k)
{
    return k == MEDIA_JPEG || k == MEDIA_PNG || k == MEDIA_WEBP;
}

size_t media_limit(media_kind_t k)
{
    return media_is_image(k) ? MEDIA_IMAGE_MAX : k == MEDIA_PDF ? MEDIA_PDF_MAX
                                               : k == MEDIA_MP4 ? MEDIA_VIDEO_MAX : 0;
}

static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

media_kind_t media_sniff(const void *data, size_t len)
{
    const unsigned char *p = data;
    if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return MEDIA_JPEG;
    if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return MEDIA_PNG;
    if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return MEDIA_WEBP;
    if (len >= 12 && memcmp(p + 4, "ftyp", 4) == 0)
        return MEDIA_MP4;
    if (len >= 5 && memcmp(p, "%PDF-", 5) == 0)
        return MEDIA_PDF;
    return MEDIA_UNKNOWN;
}

/* Segments (FF xx, 2-byte length) up to the first scan, then the end of
 * image marker: FF D9 cannot occur in entropy-coded data (an FF there is
 * followed by 00 or a restart marker). */
static bool jpeg_whole(const unsigned char *p, size_t len)
{
    size_t i = 2;
    for (;;) {
        unsigned m;
        if (i + 4 > len || p[i] != 0xFF)
            return false;
        m = p[i + 1];
        if (m == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0xD9)
            return true;
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { /* no length */
            i += 2;
            continue;
        }
        i += 2 + ((size_t)p[i + 2] << 8 | p[i + 3]);
        if (m == 0xDA)
            break;
    }
    for (; i + 1 < len; i++)
        if (p[i] == 0xFF && p[i + 1] == 0xD9)
            return true;
    return false;
}

static bool png_whole(const unsigned char *p, size_t len)
{
    size_t i = 8;
    while (i + 12 <= len) {
        unsigned long n = be32(p + i);
        if (n > len - i - 12)
            return false;
        if (memcmp(p + i + 4, "IEND", 4) == 0)
            return true;
        i += 12 + n;
    }
    return false;
}

static bool webp_whole(const unsigned char *p, size_t len)
{
    unsigned long n = (unsigned long)p[4] | (unsigned long)p[5] << 8 | (unsigned long)p[6] << 16 |
                      (unsigned long)p[7] << 24;
    return n >= 4 && n <= len - 8;
}

/* Top-level boxes: each fits in the file (size 1: a 64-bit size follows;
 * 0: to the end), and the movie box is among them. */
static bool mp4_whole(const unsigned char *p, size_t len)
{
    size_t i = 0;
    bool moov = false;
    while (i < len) {
        unsigned long long n;
        if (len - i < 8)
            return false;
        n = be32(p + i);
        if (n == 1) {
            if (len - i < 16)
                return false;
            n = (unsigned long long)be32(p + i + 8) << 32 | be32(p + i + 12);
            if (n < 16)
                return false;
        } else if (n == 0) {
            return moov || memcmp(p + i + 4, "moov", 4) == 0;
        } else if (n < 8) {
            return false;
        }
        if (n > len - i)
            return false;
        moov |= memcmp(p + i + 4, "moov", 4) == 0;
        i += (size_t)n;
    }
    return moov;
}

/* ISO base media brands that are still images, not video (HEIC, AVIF,
 * camera raw): refused by name rather than stored as "MP4". */
static const char *still_brand(const unsigned char *p, size_t len)
{
    static const char *const brands[][2] = {
        {"heic", "HEIC"}, {"heix", "HEIC"}, {"heim", "HEIC"}, {"heis", "HEIC"}, {"mif1", "HEIF"},
        {"msf1", "HEIF"}, {"avif", "AVIF"}, {"avis", "AVIF"}, {"crx ", "CR3 原始格式"}};
    unsigned long n = be32(p);
    size_t end = n >= 16 && n <= len ? n : 16; /* major brand, version, compatible brands */
    for (size_t i = 8; i + 4 <= end; i += 4) {
        if (i == 12)
            continue; /* the minor version */
        for (size_t j = 0; j < sizeof brands / sizeof brands[0]; j++)
            if (memcmp(p + i, brands[j][0], 4) == 0)
                return brands[j][1];
    }
    return NULL;
}

/* At p[j]: a sign, exactly 'whole' digits, and optionally a fraction; the
 * index after it, or 0 when it is not there. */
static size_t signed_number(const unsigned char *p, size_t len, size_t j, int whole)
{
    int digits = 0;
    if (j >= len || (p[j] != '+' && p[j] != '-'))
        return 0;
    for (j++; j < len && p[j] >= '0' && p[j] <= '9'; j++)
        digits++;
    if (digits != whole)
        return 0;
    if (j < len && p[j] == '.')
        for (j++; j < len && p[j] >= '0' && p[j] <= '9'; j++)
            ;
    return j;
}

size_t media_scrub_iso6709(void *data, size_t len)
{
    unsigned char *p = data;
    size_t n = 0;
    /* "+22.5431+114.0579" (then "+12.3/" or "/"): latitude ±DD(.d+),
     * longitude ±DDD(.d+), as QuickTime ©xyz and Apple's location key write it */
    for (size_t i = 0; i + 1 < len; i++) {
        size_t j = signed_number(p, len, i, 2);
        if (!j || !(j = signed_number(p, len, j, 3)))
            continue;
        for (size_t k = i; k < j; k++) /* the same length: every box keeps its size */
            if (p[k] >= '0' && p[k] <= '9')
                p[k] = '0';
        n++;
        i = j - 1;
    }
    return n;
}

static bool pdf_whole(const unsigned char *p, size_t len)
{
    size_t from = len > 1024 ? len - 1024 : 0;
    for (size_t i = len >= 5 ? len - 5 : 0; i + 1 > from; i--) {
        if (memcmp(p + i, "%%EOF", 5) == 0)
            return true;
        if (i == 0)
            break;
    }
    return false;
}

bh_status_t media_check(const void *data, size_t len, media_kind_t *kind, bh_err_t *err)
{
    const unsigned char *p = data;
    media_kind_t k;
    bool whole;

    if (!len)
        return bh_fail(err, BH_INVALID_ARGUMENT, "file", "文件是空的");
    k = media_sniff(p, len);
    if (k == MEDIA_UNKNOWN)
        return bh_fail(err, BH_INVALID_ARGUMENT, "file",
                       "不支持的文件类型（按内容识别，与文件名无关）：只接受 JPEG、PNG、WebP 图片，"
                       "MP4 视频和 PDF 文档");
    if (k == MEDIA_MP4 && still_brand(p, len))
        return bh_fail(err, BH_INVALID_ARGUMENT, "file",
                       "不支持 %s 图片，请改为 JPEG 上传（手机相机可设为“兼容性最佳”）",
                       still_brand(p, len));
    if (len > media_limit(k))
        return bh_fail(err, BH_PAYLOAD_TOO_LARGE, "file", "%s不能超过 %zu MB（此文件 %.1f MB）",
                       media_label(k), media_limit(k) >> 20, (double)len / (1 << 20));
    switch (k) {
    case MEDIA_JPEG: whole = jpeg_whole(p, len); break;
    case MEDIA_PNG: whole = png_whole(p, len); break;
    case MEDIA_WEBP: whole = webp_whole(p, len); break;
    case MEDIA_MP4: whole = mp4_whole(p, len); break;
    default: whole = pdf_whole(p, len); break;
    }
    if (!whole)
        return bh_fail(err, BH_INVALID_ARGUMENT, "file", "%s不完整（文件被截断或已损坏），请重新上传",
                       media_label(k));
    *kind = k;
    return BH_OK;
}
