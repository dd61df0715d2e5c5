/*
 * db.c - the back-end dispatcher: a store URL names the back-end.
 */
#include <string.h>

#include "store/db.h"

bh_status_t db_open(const char *url, int readers, db_t **out, bh_err_t *err)
{
    *out = NULL;
    if (!url || !*url)
        return bh_fail(err, BH_INVALID_ARGUMENT, "db", "未给出数据库");
    if (strncmp(url, "sqlite:", 7) == 0)
        return db_sqlite_open(url + 7, readers, out, err);
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
        return bh_fail(err, BH_UNAVAILABLE, "db",
                       "本版本尚未包含 PostgreSQL 后端（%s）：请使用 SQLite 数据库文件", url);
    return db_sqlite_open(url, readers, out, err); /* a plain path is a SQLite file */
}
