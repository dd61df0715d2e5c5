/*
 * backup.c - a backup a district can restore from: the store as of one
 * instant (a snapshot taken while the server runs on) and every stored
 * file its attachments name, each checked against its SHA-256 on the way.
 * Restoring is copying back: the database to its path, files/ to the
 * files directory (README, "Backups").
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svc/svc.h"

/* Is dir absent or empty? */
static bool fresh(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    bool empty = true;
    if (!d)
        return errno == ENOENT;
    while (empty && (e = readdir(d)))
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* Copy src to dst (flushed); with 'sha', the bytes must hash to it.
 * BH_NOT_FOUND: no src. */
static bh_status_t copy_file(const char *src, const char *dst, const char *sha, int64_t *bytes,
                             bh_err_t *err)
{
    static char buf[1 << 16];
    crypto_hash_sha256_state h;
    unsigned char md[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof md + 1];
    int in = open(src, O_RDONLY | O_CLOEXEC), out;
    ssize_t n;
    bh_status_t st = BH_OK;
    if (in < 0)
        return errno == ENOENT ? BH_NOT_FOUND
                               : bh_fail(err, BH_UNAVAILABLE, "", "无法读取附件文件 %s：%s", src, strerror(errno));
    if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0) {
        close(in);
        return bh_fail(err, BH_UNAVAILABLE, "", "无法写入备份 %s：%s", dst, strerror(errno));
    }
    crypto_hash_sha256_init(&h);
    while (st == BH_OK && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || write(out, buf, (size_t)n) != n)
            st = bh_fail(err, BH_UNAVAILABLE, "", "复制附件文件 %s 失败：%s", src, strerror(errno));
        else {
            crypto_hash_sha256_update(&h, (unsigned char *)buf, (size_t)n);
            *bytes += n;
        }
    }
    close(in);
    if (st == BH_OK && fsync(out))
        st = bh_fail(err, BH_UNAVAILABLE, "", "写入备份 %s 失败：%s", dst, strerror(errno));
    close(out);
    crypto_hash_sha256_final(&h, md);
    sodium_bin2hex(hex, sizeof hex, md, sizeof md);
    if (st == BH_OK && sha && strcmp(hex, sha) != 0)
        st = bh_fail(err, BH_FAILED_PRECONDITION, "", "附件文件 %s 已损坏：内容与其 SHA-256 不符", src);
    return st;
}

/* The snapshot's integrity and the files its attachments name. */
static bh_status_t snapshot_files(const char *path, arena_t *a, const char ***sha, int *n,
                                  bh_err_t *err)
{
    db_t *db;
    db_conn_t *c;
    const char *check;
    bh_status_t st;
    if ((st = db_open(path, 1, &db, err)))
        return st;
    if ((st = db_reader(db, &c)) == BH_OK) {
        if ((st = DB(c, ops, integrity_check, a, &check)) == BH_OK && strcmp(check, "ok") != 0)
            st = bh_fail(err, BH_FAILED_PRECONDITION, "", "备份的数据库未通过完整性检查：%s", check);
        else if (st == BH_OK && (st = DB(c, files, attachment_digests, a, sha, n)))
            bh_fail(err, st, "", "读取备份中的附件清单失败");
        else if (st)
            bh_fail(err, st, "", "检查备份的数据库失败");
        db_reader_done(db, c);
    }
    db_close(db);
    return st;
}

bh_status_t svc_backup(svc_t *s, const char *dir, void (*progress)(long done, long total, void *ctx),
                       void *ctx, svc_backup_t *out, bh_err_t *err)
{
    static const char *const suffixes[] = {"", ".thumb.jpg", ".strip"};
    char path[PATH_MAX], src[PATH_MAX + 160], dst[PATH_MAX + 160], sub[PATH_MAX];
    arena_t *a;
    const char **sha;
    struct stat sb;
    int n;
    bh_status_t st;

    memset(out, 0, sizeof *out);
    if (!fresh(dir))
        return bh_fail(err, BH_FAILED_PRECONDITION, "to", "备份目录“%s”已存在且不为空：请指定新的目录", dir);
    if (strlen(dir) > PATH_MAX - 120)
        return bh_fail(err, BH_INVALID_ARGUMENT, "to", "备份目录路径过长");
    if ((st = svc_mkdirs(dir, err)))
        return st;
    out->started = true;
    snprintf(path, sizeof path, "%s/bihuan.db", dir);
    SVC_READ(s, c, st, err, DB(c, ops, snapshot, path, err));
    if (st)
        return st;
    {
        /* the copy on disk before its files are copied; as private as they */
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) || fchmod(fd, 0640)) {
            int e = errno;
            if (fd >= 0)
                close(fd);
            return bh_fail(err, BH_UNAVAILABLE, "", "写入备份的数据库 %s 失败：%s", path, strerror(e));
        }
        close(fd);
    }
    if (stat(path, &sb) == 0)
        out->db_bytes = sb.st_size;
    a = arena_new();
    if ((st = snapshot_files(path, a, &sha, &n, err)) == BH_OK && n && !s->files_dir[0])
        st = bh_fail(err, BH_FAILED_PRECONDITION, "", "有 %d 个附件，但没有附件目录", n);
    for (int i = 0; st == BH_OK && i < n; i++) {
        snprintf(sub, sizeof sub, "%s/files/%.2s", dir, sha[i]);
        if ((st = svc_mkdirs(sub, err)))
            break;
        for (size_t k = 0; st == BH_OK && k < sizeof suffixes / sizeof suffixes[0]; k++) {
            snprintf(src, sizeof src, "%s/%.2s/%s%s", s->files_dir, sha[i], sha[i], suffixes[k]);
            snprintf(dst, sizeof dst, "%s/%s%s", sub, sha[i], suffixes[k]);
            st = copy_file(src, dst, k == 0 ? sha[i] : NULL, &out->file_bytes, err);
            if (st == BH_NOT_FOUND && k > 0)
                st = BH_OK; /* a thumbnail or stripped copy only some kinds have */
            else if (st == BH_NOT_FOUND)
                st = bh_fail(err, BH_FAILED_PRECONDITION, "", "附件文件缺失：%s", src);
            else if (st == BH_OK)
                out->files++;
        }
        svc_sync_dir(sub);
        if (progress)
            progress(i + 1, n, ctx);
    }
    if (n)
        snprintf(sub, sizeof sub, "%s/files", dir), svc_sync_dir(sub);
    svc_sync_dir(dir);
    arena_free(a);
    return st;
}
