/*
 * file.c - reading a whole file into memory.
 */
#include "util/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

bh_status_t file_read_all(const char *path, size_t max, char **out,
                          size_t *len, bh_err_t *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    bh_status_t st = BH_OK;

    *out = NULL;
    *len = 0;
    if (!f) {
        int e = errno;
        return bh_fail(err, e == ENOENT ? BH_NOT_FOUND : BH_UNAVAILABLE, "",
                       "无法打开文件 %s：%s", path, strerror(e));
    }
    for (;;) {
        size_t got;
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = xrealloc(buf, cap + 1);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > max) {
            st = bh_fail(err, BH_PAYLOAD_TOO_LARGE, "",
                         "文件 %s 过大（上限 %zu 字节）", path, max);
            goto out_free;
        }
        if (got == 0) {
            if (ferror(f)) {
                int e = errno;
                st = bh_fail(err, BH_UNAVAILABLE, "", "读取文件 %s 出错：%s",
                             path, strerror(e));
                goto out_free;
            }
            break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return BH_OK;

out_free:
    free(buf);
    fclose(f);
    return st;
}
