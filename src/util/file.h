/*
 * file.h - reading a whole file into memory.
 */
#ifndef BH_FILE_H
#define BH_FILE_H

#include <stddef.h>

#include "util/status.h"

/*
 * Read the file at 'path' into a new NUL-terminated buffer (*out, free it)
 * of *len bytes.  Files larger than 'max' bytes are refused.  On error err
 * says why, in Chinese, with the system's reason.
 */
bh_status_t file_read_all(const char *path, size_t max, char **out,
                          size_t *len, bh_err_t *err);

#endif
