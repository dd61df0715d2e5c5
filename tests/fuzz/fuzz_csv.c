/*
 * fuzz_csv.c - libFuzzer target for the CSV reader; the first byte picks
 * the encoding (UTF-8 or GB18030) and a small cell limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/tab.h"

static bh_status_t on_row(const tab_row_t *r, void *ctx, bh_err_t *err)
{
    (void)ctx;
    (void)err;
    if (r->row < 1 || r->ncells < 0 || (r->bad && !*r->bad))
        abort();
    for (int i = 0; i < r->ncells; i++)
        if (!r->cells[i])
            abort();
    return BH_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tab_opts_t o = {0};
    bh_err_t err;
    if (size < 1)
        return 0;
    o.encoding = data[0] & 1 ? "gb18030" : NULL;
    o.max_cell = data[0] & 2 ? 16 : 0;
    bh_err_clear(&err);
    if (tab_read_csv(data + 1, size - 1, &o, on_row, NULL, &err) != BH_OK && !err.message[0])
        abort();
    return 0;
}
