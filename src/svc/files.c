/*
 * files.c - evidence: photos, videos and documents attached to cases.
 *
 * An upload is recognised by its bytes (core/media.h), read for its EXIF
 * time and place, and for an image decoded once into a thumbnail (an image
 * that does not decode is refused then, not when someone opens it).  The
 * bytes are stored once per content under the files directory, named by
 * their SHA-256 (ab/abcdef…), written to a temporary name, flushed and
 * renamed before the row that names them commits: a row never names a
 * file that is not there.  Beside an image with EXIF: its thumbnail
 * (….thumb.jpg) and a copy without metadata (….strip), served to the roles
 * that must not see where a photo was taken.
 *
 * Who may read an attachment: whoever may read its case; one not yet bound
 * to a case, only its uploader (and the administrator).
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "media/image.h"
#include "svc/svc.h"
#include "util/utf8.h"

#define THUMB_SIZE 320

static const char *const stages[][2] = {{"before", "处置前"}, {"after", "处置后"}, {"other", "其他"}};

const char *svc_attachment_stage_label(const char *stage)
{
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
        if (stage && strcmp(stage, stages[i][0]) == 0)
            return stages[i][1];
    return NULL;
}

bool svc_attachment_stage_ok(const char *stage)
{
    return svc_attachment_stage_label(stage) != NULL;
}

/* Flush a directory's entries (a new file or subdirectory in it). */
void svc_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* mkdir -p; each directory made is flushed into its parent. */
bh_status_t svc_mkdirs(const char *dir, bh_err_t *err)
{
    char p[PATH_MAX];
    size_t n = (size_t)snprintf(p, sizeof p, "%s", dir);
    if (n >= sizeof p)
        return bh_fail(err, BH_INTERNAL, "", "附件目录路径过长");
    for (char *q = p + 1;; q++) {
        if (*q && *q != '/')
            continue;
        char c = *q;
        *q = 0;
        if (mkdir(p, 0750) == 0) {
            char *slash = strrchr(p, '/');
            if (slash && slash != p) {
                *slash = 0;
                svc_sync_dir(p);
                *slash = '/';
            }
        } else if (errno != EEXIST) {
            /* the path is the server's business, not the client's */
            fprintf(stderr, "bihuan: 无法创建附件目录 %s：%s\n", p, strerror(errno));
            return bh_fail(err, BH_UNAVAILABLE, "", "服务器无法保存附件（存储目录不可写）");
        }
        *q = c;
        if (!c)
            return BH_OK;
    }
}

/* The path of a stored file: DIR/ab/abcdef…SUFFIX. */
static void path_of(const svc_t *s, const char *sha, const char *suffix, char *out, size_t size)
{
    snprintf(out, size, "%s/%.2s/%s%s", s->files_dir, sha, sha, suffix);
}

/* Write 'data' to 'path' unless it is there: a temporary file flushed to
 * disk, renamed, and the directory flushed. */
static bh_status_t put_file(const svc_t *s, const char *path, const void *data, size_t len,
                            bh_err_t *err)
{
    char tmp[PATH_MAX + 32], dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    struct stat stbuf;
    int fd;
    size_t done = 0;
    unsigned char r[8];
    char hex[17];

    if (stat(path, &stbuf) == 0 && (size_t)stbuf.st_size == len)
        return BH_OK; /* the same content, stored before */
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (svc_mkdirs(dir, err))
        return BH_INTERNAL;
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(hex, sizeof hex, r, sizeof r);
    snprintf(tmp, sizeof tmp, "%s/tmp/%s", s->files_dir, hex);
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0) {
        fprintf(stderr, "bihuan: 无法写入附件 %s：%s\n", tmp, strerror(errno));
        return bh_fail(err, BH_UNAVAILABLE, "", "服务器无法保存附件（存储目录不可写）");
    }
    while (done < len) {
        ssize_t w = write(fd, (const char *)data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return bh_fail(err, BH_UNAVAILABLE, "", "写入附件失败：%s", strerror(e));
        }
        done += (size_t)w;
    }
    if (fsync(fd) || close(fd) || rename(tmp, path)) {
        int e = errno;
        unlink(tmp);
        return bh_fail(err, BH_UNAVAILABLE, "", "写入附件失败：%s", strerror(e));
    }
    svc_sync_dir(dir);
    return BH_OK;
}

bh_status_t svc_files_open(svc_t *s, const char *dir, bh_err_t *err)
{
    if (strlen(dir) >= sizeof s->files_dir - 8)
        return bh_fail(err, BH_INVALID_ARGUMENT, "files_dir", "附件目录路径过长：%s", dir);
    snprintf(s->files_dir, sizeof s->files_dir, "%s", dir);
    return BH_OK; /* made at the first upload */
}

/* Case 'id' exists and u may read it (BH_NOT_FOUND otherwise). */
static bh_status_t case_visible(db_conn_t *c, const svc_user_t *u, int64_t id, arena_t *a)
{
    db_case_t k;
    bh_status_t st = DB(c, cases, case_get, id, a, &k);
    return st ? st : svc_case_visible(u, &k) ? BH_OK : BH_NOT_FOUND;
}

/* May u read an attachment (bound to a case or not)? */
static bh_status_t readable(db_conn_t *c, const svc_user_t *u, const db_attachment_t *f, arena_t *a)
{
    bh_status_t st;
    if (f->patrol_id) { /* a check-in's: whoever may read the check-in */
        db_patrol_t p;
        if ((st = DB(c, patrol, patrol_get, f->patrol_id, a, &p)))
            return st;
        return svc_row_visible(u, p.object_id, p.grid) ? BH_OK : BH_NOT_FOUND;
    }
    if (!f->case_id) /* not bound yet: its uploader's */
        return u->role == ROLE_ADMIN || strcmp(f->uploaded_by, u->username) == 0 ? BH_OK
                                                                                 : BH_NOT_FOUND;
    return case_visible(c, u, f->case_id, a);
}

struct add_ctx {
    const svc_user_t *u;
    db_attachment_t *f;
    arena_t *a;
};

static bh_status_t add_tx(db_conn_t *c, void *vctx, bh_err_t *err)
{
    struct add_ctx *x = vctx;
    bh_status_t st;
    char obj[48];
    /* again in the write: the case may have changed since the check before the work */
    if (x->f->case_id && (st = case_visible(c, x->u, x->f->case_id, x->a)))
        return st == BH_NOT_FOUND ? bh_fail(err, st, "id", "案件不存在")
                                  : bh_fail(err, st, "", "读取案件失败，请稍后重试");
    if ((st = DB(c, files, attachment_add, x->f, err)))
        return st;
    snprintf(obj, sizeof obj, "attachment:%lld", (long long)x->f->id);
    return svc_audit(c, x->u->username, "attachment.add", obj,
                     json_pack("{s:{s:I, s:s, s:s, s:I, s:s}}", "after", "case",
                               (json_int_t)x->f->case_id, "sha256", x->f->sha256, "type",
                               x->f->type, "size", (json_int_t)x->f->size, "stage", x->f->stage));
}

/* Beside an image: its thumbnail (".thumb.jpg") or its copy without
 * metadata (".strip"), made now so that a photo that does not decode is
 * refused at upload. */
static bh_status_t put_derived(const svc_t *s, const svc_upload_t *in, media_kind_t kind,
                               const char *sha, const char *suffix, bh_err_t *err)
{
    void *t = NULL;
    size_t tlen;
    char path[PATH_MAX];
    bh_status_t st = strcmp(suffix, ".strip") == 0
                         ? image_strip(in->data, in->len, kind, &t, &tlen, err)
                         : image_thumbnail(in->data, in->len, THUMB_SIZE, &t, &tlen, err);
    if (st)
        return st;
    path_of(s, sha, suffix, path, sizeof path);
    st = put_file(s, path, t, tlen, err);
    image_free(t);
    return st;
}

/* A video's copy with its recorded place (ISO 6709 text) overwritten. */
static bh_status_t put_scrubbed(const svc_t *s, const svc_upload_t *in, const char *sha,
                                bh_err_t *err)
{
    char path[PATH_MAX];
    char *copy = malloc(in->len ? in->len : 1);
    bh_status_t st;
    if (!copy)
        return bh_fail(err, BH_UNAVAILABLE, "", "内存不足，请稍后重试");
    memcpy(copy, in->data, in->len);
    media_scrub_iso6709(copy, in->len);
    path_of(s, sha, ".strip", path, sizeof path);
    st = put_file(s, path, copy, in->len, err);
    free(copy);
    return st;
}

/* Before any work on the bytes: the case exists and u may read it. */
static bh_status_t case_readable(svc_t *s, const svc_user_t *u, int64_t id, arena_t *a,
                                 bh_err_t *err)
{
    bh_status_t st;
    SVC_READ(s, c, st, err, case_visible(c, u, id, a));
    if (st == BH_NOT_FOUND)
        return bh_fail(err, st, "id", "案件不存在");
    return st ? bh_fail(err, st, "", "读取案件失败，请稍后重试") : BH_OK;
}

bh_status_t svc_attachment_add(svc_t *s, const svc_user_t *u, const svc_upload_t *in, arena_t *a,
                               db_attachment_t *out, bh_err_t *err)
{
    media_kind_t kind;
    image_meta_t meta = {0};
    unsigned char d[crypto_hash_sha256_BYTES];
    char *sha = arena_alloc(a, 65), path[PATH_MAX];
    struct add_ctx x = {u, out, a};
    bh_status_t st;

    if (!s->files_dir[0])
        return bh_fail(err, BH_UNAVAILABLE, "", "服务器未配置附件目录");
    if (in->case_id && (st = case_readable(s, u, in->case_id, a, err)))
        return st;
    /* ahead of a report or check-in: the roles that make them */
    if (!in->case_id && (u->role == ROLE_LEADER || u->role == ROLE_HANDLER))
        return bh_fail(err, BH_PERMISSION_DENIED, "role",
                       "%s不上报案件也不巡查：请把附件上传到具体案件", role_label(u->role));
    if (!svc_attachment_stage_ok(in->stage))
        return bh_fail(err, BH_INVALID_ARGUMENT, "stage",
                       "stage 应为 before（处置前）、after（处置后）或 other（其他）");
    if (in->name && (strlen(in->name) > 255 || !utf8_valid(in->name, strlen(in->name))))
        return bh_fail(err, BH_INVALID_ARGUMENT, "file", "文件名应为 UTF-8，至多255字节");
    if ((st = media_check(in->data, in->len, &kind, err)))
        return st;
    {
        char tmp[PATH_MAX];
        snprintf(tmp, sizeof tmp, "%s/tmp", s->files_dir);
        if ((st = svc_mkdirs(tmp, err)))
            return st;
    }
    crypto_hash_sha256(d, (const unsigned char *)in->data, in->len);
    sodium_bin2hex(sha, 65, d, sizeof d);
    if (media_is_image(kind))
        image_meta(in->data, in->len, &meta);
    /* every image also without its metadata (EXIF, XMP, whatever it
     * carries): the copy served to roles that must not see where it was
     * taken, whether or not we could read a place in it */
    if (media_is_image(kind) &&
        ((st = put_derived(s, in, kind, sha, ".thumb.jpg", err)) ||
         (st = put_derived(s, in, kind, sha, ".strip", err))))
        return st;
    if (kind == MEDIA_MP4 && (st = put_scrubbed(s, in, sha, err)))
        return st;
    path_of(s, sha, "", path, sizeof path);
    if ((st = put_file(s, path, in->data, in->len, err)))
        return st;
    memset(out, 0, sizeof *out);
    out->case_id = in->case_id;
    out->sha256 = sha;
    out->type = media_name(kind);
    out->size = (int64_t)in->len;
    out->stage = in->stage;
    out->name = in->name;
    out->taken_at = meta.taken_at;
    out->has_exif = meta.has_exif;
    out->has_gps = meta.has_gps;
    out->lat = meta.lat;
    out->lng = meta.lng;
    out->uploaded_by = u->username;
    out->at = svc_now();
    return db_write(s->db, add_tx, &x, err);
}

bh_status_t svc_attachment_list(svc_t *s, const svc_user_t *u, int64_t case_id, arena_t *a,
                                db_attachment_t **out, int *n, bh_err_t *err)
{
    bh_status_t st;
    (void)u; /* the caller has read the case as u */
    SVC_READ(s, c, st, err, DB(c, files, attachment_list, case_id, 0, a, out, n));
    return st ? bh_fail(err, st, "", "读取附件失败，请稍后重试") : BH_OK;
}

/* A stored file's bytes into the arena (one copy: a video may be large). */
static bh_status_t read_into(const char *path, arena_t *a, const char **out, size_t *len,
                             bh_err_t *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *buf;
    size_t done = 0;
    if (fd < 0 || fstat(fd, &st)) {
        if (fd >= 0)
            close(fd);
        return bh_fail(err, BH_INTERNAL, "", "附件文件丢失或无法读取：%s", strerror(errno));
    }
    buf = arena_alloc(a, (size_t)st.st_size + 1);
    while (done < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + done, (size_t)st.st_size - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(fd);
            return bh_fail(err, BH_INTERNAL, "", "附件文件读取失败");
        }
        done += (size_t)r;
    }
    close(fd);
    buf[done] = 0;
    *out = buf;
    *len = done;
    return BH_OK;
}

bh_status_t svc_attachment_open(svc_t *s, const svc_user_t *u, int64_t id, bool thumbnail,
                                arena_t *a, svc_file_t *out, bh_err_t *err)
{
    db_conn_t *c;
    bh_status_t st;
    const char *suffix = "";

    if ((st = svc_reader(s, &c, err)))
        return st;
    st = DB(c, files, attachment_get, id, a, &out->f);
    if (st == BH_OK)
        st = readable(c, u, &out->f, a);
    db_reader_done(s->db, c);
    if (st == BH_NOT_FOUND)
        return bh_fail(err, BH_NOT_FOUND, "id", "附件不存在");
    if (st)
        return bh_fail(err, st, "", "读取附件失败，请稍后重试");
    out->mime = "image/jpeg";
    out->stripped = false;
    if (thumbnail) {
        if (!media_is_image(media_from_name(out->f.type)))
            return bh_fail(err, BH_NOT_FOUND, "id", "此附件不是图片，没有缩略图");
        suffix = ".thumb.jpg";
    } else {
        media_kind_t k = media_from_name(out->f.type);
        out->mime = media_mime(k);
        /* where a photo or video was taken is personal data: the copy without it */
        if ((media_is_image(k) || k == MEDIA_MP4) && !svc_sees_pii(u->role)) {
            suffix = ".strip";
            out->stripped = true;
        }
    }
    {
        char path[PATH_MAX];
        path_of(s, out->f.sha256, suffix, path, sizeof path);
        if ((st = read_into(path, a, &out->data, &out->len, err)))
            return st;
    }
    return BH_OK;
}

bh_status_t svc_attachments_bind(db_conn_t *c, const svc_user_t *u, const int64_t *ids, int n,
                                 int64_t case_id, int64_t patrol_id, bh_err_t *err)
{
    for (int i = 0; i < n; i++) {
        bool won = false;
        bh_status_t st = DB(c, files, attachment_bind, ids[i], u->username, case_id, patrol_id, &won);
        if (st)
            return bh_fail(err, st, "", "绑定附件失败");
        if (!won)
            return bh_fail(err, BH_INVALID_ARGUMENT, "attachments",
                           "附件 %lld 不存在、不是您上传的，或已属于别的案件或巡查", (long long)ids[i]);
    }
    return BH_OK;
}

/* ---- evidence a policy requires ---- */

/* The photos of 'stage' ("any": every stage) attached to case 'id' since
 * 'since' (one uploaded before then belongs to an earlier round). */
static bh_status_t count_evidence(db_conn_t *c, arena_t *a, int64_t id, const char *stage,
                                  dt_ms_t since, int *count)
{
    db_attachment_t *f;
    int n;
    bh_status_t st = DB(c, files, attachment_list, id, 0, a, &f, &n);
    *count = 0;
    for (int i = 0; st == BH_OK && i < n; i++)
        *count += f[i].at >= since && (!strcmp(stage, "any") || !strcmp(stage, f[i].stage)) &&
                  media_is_image(media_from_name(f[i].type));
    return st;
}

static const char *stage_label(const char *stage)
{
    return !strcmp(stage, "before") ? "处置前（stage=before）的"
           : !strcmp(stage, "after") ? "处置后（stage=after）的" : "";
}

bh_status_t svc_evidence_check(svc_t *s, db_conn_t *c, arena_t *a, const db_case_t *k,
                               int action, int role, const case_event_t *hist, int n,
                               bh_err_t *err)
{
    const cat_set_t *set;
    const sla_policy_t *p = svc_case_policy_in(s, k, &set); /* both from one set */
    const cat_evidence_t *rule;
    dt_ms_t since = 0;
    int count, at = -1;
    bh_status_t st;
    /* handling is judged by this round's photos: since the last dispatch or rework */
    for (int i = 0; action == CASE_ACT_HANDLE && i < n; i++)
        if (hist[i].action == CASE_ACT_DISPATCH || hist[i].action == CASE_ACT_VERIFY_FAIL ||
            hist[i].action == CASE_ACT_REOPEN)
            since = hist[i].at;
    while ((rule = cat_evidence(set, p, action, role, at + 1, &at))) { /* every rule that applies */
        if ((st = count_evidence(c, a, k->id, rule->stage, since, &count)))
            return bh_fail(err, st, "", "读取附件失败");
        if (count)
            continue;
        if (action == CASE_ACT_REPORT)
            return bh_fail(err, BH_INVALID_ARGUMENT, "attachments",
                           "此类案件上报须附%s照片：先上传到 /api/v1/attachments，再在 attachments 中给出其编号",
                           stage_label(rule->stage));
        return bh_fail(err, BH_FAILED_PRECONDITION, "attachments",
                       "“%s”须附%s照片：请先上传到本案件（POST /api/v1/cases/%lld/attachments）",
                       case_action_label((case_action_t)action), stage_label(rule->stage),
                       (long long)k->id);
    }
    return BH_OK;
}
