/*
 * fuzz_xlsx.c - libFuzzer target for the .xlsx reader.
 *
 * Mutating a zip byte by byte mostly breaks its checksums, which would
 * leave the XML handlers unexplored, so the input is read two ways:
 *   first byte even: the rest is the file, as uploaded;
 *   first byte odd:  the rest is split at NUL bytes into workbook.xml,
 *                    workbook.xml.rels, sharedStrings.xml, styles.xml and
 *                    sheet1.xml, and packed into a valid zip here.
 * Every refusal must say why (a non-empty message).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "report/tab.h"

static bh_status_t on_row(const tab_row_t *r, void *ctx, bh_err_t *err)
{
    size_t *n = ctx;
    (void)err;
    for (int i = 0; i < r->ncells; i++)
        *n += strlen(r->cells[i]);
    if (r->bad && !*r->bad)
        abort();
    return BH_OK;
}

static void read_it(const void *buf, size_t len)
{
    bh_err_t err;
    size_t n = 0;
    tab_opts_t o = {.max_cell = 4096};
    bh_err_clear(&err);
    if (tab_read_xlsx(buf, len, &o, on_row, &n, &err) != BH_OK && !err.message[0])
        abort();
}

static void *pack(const uint8_t *data, size_t size, size_t *out_len)
{
    static const char *const names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                        "xl/sharedStrings.xml", "xl/styles.xml",
                                        "xl/worksheets/sheet1.xml"};
    zip_error_t ze;
    zip_source_t *src;
    zip_t *z;
    void *out = NULL;
    size_t start = 0;
    int part = 0;

    zip_error_init(&ze);
    if (!(src = zip_source_buffer_create(NULL, 0, 0, &ze)))
        return NULL;
    zip_source_keep(src);
    if (!(z = zip_open_from_source(src, ZIP_TRUNCATE, &ze))) {
        zip_source_free(src);
        return NULL;
    }
    for (size_t i = 0; i <= size && part < 5; i++) {
        if (i == size || data[i] == 0) {
            zip_source_t *s = zip_source_buffer(z, data + start, i - start, 0);
            if (s && zip_file_add(z, names[part], s, ZIP_FL_OVERWRITE) < 0)
                zip_source_free(s);
            part++;
            start = i + 1;
        }
    }
    if (zip_close(z) == 0 && zip_source_open(src) == 0) {
        zip_stat_t st;
        if (zip_source_stat(src, &st) == 0 && (st.valid & ZIP_STAT_SIZE)) {
            out = malloc(st.size ? st.size : 1);
            *out_len = (size_t)zip_source_read(src, out, st.size);
        }
        zip_source_close(src);
    } else {
        zip_discard(z);
    }
    zip_source_free(src);
    zip_error_fini(&ze);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] % 2 == 0) {
        read_it(data + 1, size - 1);
    } else {
        size_t len = 0;
        void *zip = pack(data + 1, size - 1, &len);
        if (zip)
            read_it(zip, len);
        free(zip);
    }
    return 0;
}
