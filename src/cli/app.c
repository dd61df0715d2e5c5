/*
 * app.c - shared set-up of the database-backed subcommands.
 */
#include "cli/app.h"
#include "cli/cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/file.h"
#include "util/xmalloc.h"

static void set_str(char *dst, size_t size, const char *v)
{
    snprintf(dst, size, "%s", v);
}

static int apply(app_config_t *cfg, const char *key, const char *val, const char *where)
{
    char *end;
    if (strcmp(key, "db") == 0)
        set_str(cfg->db, sizeof cfg->db, val);
    else if (strcmp(key, "listen") == 0)
        set_str(cfg->listen, sizeof cfg->listen, val);
    else if (strcmp(key, "categories") == 0)
        set_str(cfg->categories, sizeof cfg->categories, val);
    else if (strcmp(key, "office_hours") == 0)
        set_str(cfg->office_hours, sizeof cfg->office_hours, val);
    else if (strcmp(key, "files_dir") == 0)
        set_str(cfg->files_dir, sizeof cfg->files_dir, val);
    else if (strcmp(key, "web_dir") == 0)
        set_str(cfg->web_dir, sizeof cfg->web_dir, val);
    else if (strcmp(key, "tile_url") == 0)
        set_str(cfg->tile_url, sizeof cfg->tile_url, val);
    else if (strcmp(key, "tile_attribution") == 0)
        set_str(cfg->tile_attribution, sizeof cfg->tile_attribution, val);
    else if (strcmp(key, "tile_crs") == 0 && (!strcmp(val, "wgs84") || !strcmp(val, "gcj02") || !strcmp(val, "bd09")))
        set_str(cfg->tile_crs, sizeof cfg->tile_crs, val);
    else if (strcmp(key, "metrics_token") == 0)
        set_str(cfg->metrics_token, sizeof cfg->metrics_token, val);
    else if (strcmp(key, "trusted_proxies") == 0)
        set_str(cfg->trusted_proxies, sizeof cfg->trusted_proxies, val);
    else if (strcmp(key, "session_idle_minutes") == 0 && (cfg->session_idle_minutes = strtod(val, &end)) >= 0 && !*end && *val)
        ;
    else if (strcmp(key, "session_ttl_hours") == 0 && (cfg->session_ttl_hours = strtod(val, &end)) > 0 && !*end)
        ;
    else if (strcmp(key, "sweep_interval") == 0 && (cfg->sweep_interval_s = strtod(val, &end)) > 0 && !*end)
        ;
    else if (strcmp(key, "upload_limit") == 0 && (cfg->upload_limit = strtol(val, &end, 10)) > 0 && !*end)
        ;
    else if (strcmp(key, "body_limit") == 0 && (cfg->body_limit = strtol(val, &end, 10)) > 0 && !*end)
        ;
    else {
        fprintf(stderr, "bihuan: %s：无法识别的配置项或取值“%s = %s”\n"
                        "（可用: db, listen, categories, office_hours, session_ttl_hours, session_idle_minutes,\n"
                        " sweep_interval, body_limit, upload_limit, files_dir, web_dir, tile_url, tile_attribution, tile_crs,\n"
                        " metrics_token, trusted_proxies）\n",
                where, key, val);
        return 2;
    }
    return 0;
}

static char *trim(char *s)
{
    char *e;
    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int app_config_load(app_config_t *cfg, const char *path)
{
    static const struct { const char *env, *key; } envs[] = {
        {"BIHUAN_DB", "db"}, {"BIHUAN_LISTEN", "listen"}, {"BIHUAN_CATEGORIES", "categories"}, {"BIHUAN_OFFICE_HOURS", "office_hours"},
        {"BIHUAN_SESSION_TTL_HOURS", "session_ttl_hours"}, {"BIHUAN_SWEEP_INTERVAL", "sweep_interval"},
        {"BIHUAN_BODY_LIMIT", "body_limit"}, {"BIHUAN_UPLOAD_LIMIT", "upload_limit"},
        {"BIHUAN_WEB_DIR", "web_dir"}, {"BIHUAN_FILES_DIR", "files_dir"}, {"BIHUAN_TILE_URL", "tile_url"},
        {"BIHUAN_TILE_ATTRIBUTION", "tile_attribution"}, {"BIHUAN_METRICS_TOKEN", "metrics_token"},
        {"BIHUAN_TILE_CRS", "tile_crs"},
        {"BIHUAN_TRUSTED_PROXIES", "trusted_proxies"},
        {"BIHUAN_SESSION_IDLE_MINUTES", "session_idle_minutes"}};
    memset(cfg, 0, sizeof *cfg);
    set_str(cfg->db, sizeof cfg->db, APP_DEFAULT_DB);
    set_str(cfg->listen, sizeof cfg->listen, "127.0.0.1:8080");
    cfg->session_ttl_hours = 12;
    cfg->session_idle_minutes = 120;
    cfg->sweep_interval_s = 1;
    cfg->body_limit = 1 << 20;
    cfg->upload_limit = 256L << 20;
#ifdef BIHUAN_WEB_DIR
    set_str(cfg->web_dir, sizeof cfg->web_dir, BIHUAN_WEB_DIR); /* the build's web/dist */
#endif
    if (!path)
        path = getenv("BIHUAN_CONFIG");
    if (path) {
        char *text, *line, *next;
        size_t len;
        int lineno = 0;
        bh_err_t err;
        if (file_read_all(path, 1 << 20, &text, &len, &err) != BH_OK) {
            fprintf(stderr, "bihuan: 配置文件：%s\n", err.message);
            return 2;
        }
        /* Line by line, empty ones included, so the numbers are right
         * (strtok would skip blank lines). */
        for (line = text; line; line = next) {
            char *eq, where[600];
            if ((next = strchr(line, '\n')))
                *next++ = '\0';
            lineno++;
            line = trim(line);
            if (!*line || *line == '#')
                continue;
            snprintf(where, sizeof where, "%s 第%d行", path, lineno);
            if (!(eq = strchr(line, '='))) {
                fprintf(stderr, "bihuan: %s：应为“键 = 值”\n", where);
                free(text);
                return 2;
            }
            *eq = '\0';
            if (apply(cfg, trim(line), trim(eq + 1), where)) {
                free(text);
                return 2;
            }
        }
        free(text);
    }
    for (size_t i = 0; i < sizeof envs / sizeof envs[0]; i++) {
        const char *v = getenv(envs[i].env);
        if (v && *v && apply(cfg, envs[i].key, v, envs[i].env))
            return 2;
    }
    return 0;
}

/* Attachments live beside the database unless said otherwise. */
static void files_dir(const char *db_path, const char *dir, char *out, size_t size)
{
    const char *slash;
    if (dir && *dir) {
        snprintf(out, size, "%s", dir);
        return;
    }
    if (strncmp(db_path, "sqlite:", 7) == 0)
        db_path += 7;
    slash = strrchr(db_path, '/');
    if (slash)
        snprintf(out, size, "%.*s/files", (int)(slash - db_path), db_path);
    else
        snprintf(out, size, "files");
}

static int open_app(const char *db_path, int readers, const char *categories, const char *files,
                    bool serve, svc_t *svc);

int app_open(const char *db_path, int readers, svc_t *svc)
{
    /* the server's categories file when it is set for every command */
    return open_app(db_path, readers, getenv("BIHUAN_CATEGORIES"), getenv("BIHUAN_FILES_DIR"),
                    false, svc);
}

int app_open_with(const char *db_path, int readers, const char *categories, const char *files,
                  svc_t *svc)
{
    return open_app(db_path, readers, categories, files, true, svc);
}

static int open_app(const char *db_path, int readers, const char *categories, const char *files,
                    bool serve, svc_t *svc)
{
    db_t *db;
    bh_err_t err;
    cat_set_t *cats;
    char *text = NULL;
    const char *body;
    size_t len;

    if (categories && *categories) {
        if (file_read_all(categories, 64 << 20, &text, &len, &err) != BH_OK) {
            fprintf(stderr, "bihuan: %s\n", err.message);
            return 1;
        }
        if (cat_set_parse(text, len, &cats, &err) != BH_OK) {
            fprintf(stderr, "bihuan: %s: %s\n", categories, err.message);
            free(text);
            return 1;
        }
        body = text;
    } else {
        cats = cat_set_builtin();
        body = cat_builtin_text(&len);
    }
    if (db_open(db_path, readers, &db, &err) != BH_OK) {
        fprintf(stderr, "bihuan: %s\n", err.message);
        cat_set_free(cats);
        free(text);
        return 1;
    }
    svc_init(svc, db, cats, cal_new_national());
    {
        char dir[1024];
        files_dir(db_path, files, dir, sizeof dir);
        if (svc_files_open(svc, dir, &err) != BH_OK) {
            fprintf(stderr, "bihuan: %s\n", err.message);
            free(text);
            app_close(svc);
            return 1;
        }
    }
    if (svc_sync_categories(svc, body, len, serve, &err) != BH_OK) {
        fprintf(stderr, "bihuan: 写入案件类别失败：%s\n", err.message);
        free(text);
        app_close(svc);
        return 1;
    }
    free(text);
    if (svc_load_configs(svc, &err) != BH_OK) {
        fprintf(stderr, "bihuan: 读取配置失败：%s\n", err.message);
        app_close(svc);
        return 1;
    }
    return 0;
}

void app_close(svc_t *svc)
{
    svc_release(svc); /* hand the sweep to another server at once */
    db_close(svc->db);
    svc_fini(svc);
}

static char *ask(const char *prompt)
{
    FILE *tty = fopen("/dev/tty", "r+");
    struct termios old, quiet;
    char buf[1100];
    size_t n;
    if (!tty)
        return NULL;
    fputs(prompt, tty);
    fflush(tty);
    tcgetattr(fileno(tty), &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    if (!fgets(buf, sizeof buf, tty))
        buf[0] = '\0';
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputc('\n', tty);
    fclose(tty);
    n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return xstrdup(buf);
}

char *app_password(const char *env, const char *prompt)
{
    const char *v = getenv(env);
    char *a, *b;
    if (v && *v)
        return xstrdup(v);
    if (!isatty(STDIN_FILENO) || !(a = ask(prompt))) {
        fprintf(stderr, "bihuan: 没有密码：请设置环境变量 %s，或在终端中运行以输入密码\n", env);
        return NULL;
    }
    b = ask("再输入一次: ");
    if (!b || strcmp(a, b) != 0) {
        fprintf(stderr, "bihuan: 两次输入的密码不一致\n");
        free(a);
        free(b);
        return NULL;
    }
    free(b);
    if (!*a) {
        fprintf(stderr, "bihuan: 密码不能为空\n");
        free(a);
        return NULL;
    }
    return a;
}

int cli_doc_export(svc_t *svc, svc_doc_t *d, const char *cmd, const char *out)
{
    arena_t *a = arena_new();
    const char *text;
    bool imported;
    bh_err_t err;
    int rc = CLI_EXIT_OK;
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        perror(out);
        rc = CLI_EXIT_NO;
    } else if (svc_doc_text(svc, d, a, &text, &imported, &err) != BH_OK) {
        fprintf(stderr, "bihuan %s: %s\n", cmd, err.message);
        rc = CLI_EXIT_NO;
    } else {
        fputs(text, f);
        fprintf(stderr, "%s\n", imported ? "（已导入的配置）" : "（内置的默认配置）");
    }
    if (f && f != stdout && fclose(f) != 0) {
        perror(out);
        rc = CLI_EXIT_NO;
    }
    arena_free(a);
    return rc;
}

int cli_doc_import(svc_t *svc, svc_doc_t *d, const char *cmd, const char *file)
{
    static const svc_user_t cli_admin = {0, "cli", ROLE_ADMIN, "", true, 0};
    char *text;
    size_t len;
    bh_err_t err;
    int rc = CLI_EXIT_OK;
    if (file_read_all(file, 4 << 20, &text, &len, &err) != BH_OK) {
        fprintf(stderr, "bihuan %s: %s\n", cmd, err.message);
        return CLI_EXIT_NO;
    }
    if (svc_doc_import(svc, d, &cli_admin, text, len, &err) != BH_OK) {
        fprintf(stderr, "bihuan %s: %s%s%s\n", cmd, err.field[0] ? err.field : "",
                err.field[0] ? "：" : "", err.message);
        rc = CLI_EXIT_NO;
    } else {
        printf("已导入配置（%zu 字节）；运行中的服务在下一次时限巡检时（默认 1 秒内）启用\n", len);
    }
    free(text);
    return rc;
}
