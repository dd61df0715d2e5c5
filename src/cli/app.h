/*
 * app.h - what the database-backed subcommands share: finding the
 * database path (flag, BIHUAN_DB, config file, default), opening it with
 * the services, and asking for a password.
 */
#ifndef BH_APP_H
#define BH_APP_H

#include "svc/svc.h"

#define APP_DEFAULT_DB "bihuan.db"

/* Settings read from a config file ("key = value" lines, '#' comments). */
typedef struct {
    char db[512], listen[128], office_hours[128], categories[512];
    double session_ttl_hours, sweep_interval_s;
    long body_limit;
    long upload_limit; /* ledger uploads */
    char web_dir[512];           /* the console's built files ("" : none) */
    char files_dir[512];         /* attachments ("" : "files" beside the database) */
    char tile_url[512], tile_attribution[256]; /* the console map's base layer ("" : none) */
    char tile_crs[16];           /* wgs84 (default), gcj02 (高德/腾讯), bd09 (百度) */
    char metrics_token[256];     /* bearer token for /metrics ("" : administrators only) */
    char trusted_proxies[512];   /* addresses whose X-Forwarded-For is believed */
    double session_idle_minutes; /* a session unused this long ends */
} app_config_t;

/* Defaults, then the file (if 'path' is non-NULL), then BIHUAN_* variables.
 * Returns 0, or prints the problem and returns 2. */
int app_config_load(app_config_t *cfg, const char *path);

/* Open the database and build the services; prints errors.  0 or 1.
 * app_open is the commands' (categories: BIHUAN_CATEGORIES or the built-in
 * file, stored only into a store that has none; attachments:
 * BIHUAN_FILES_DIR or "files" beside the database); app_open_with is the
 * server's: 'categories' names its file (NULL or "" for the built-in),
 * stored as the next version when it changed; 'files' the attachments'
 * directory (NULL or "" for the default). */
int app_open(const char *db_path, int readers, svc_t *svc);
int app_open_with(const char *db_path, int readers, const char *categories, const char *files,
                  svc_t *svc);
void app_close(svc_t *svc);

/*
 * A password from the environment variable 'env', else asked twice on the
 * terminal (without echo).  Returns a malloc'd string or NULL (with a
 * message) when there is neither.
 */
char *app_password(const char *env, const char *prompt);

/* `… config-export [-o FILE]`: the configuration document in force to
 * FILE (or stdout), saying on stderr whether it is the imported or the
 * shipped one; `… config-import FILE`: validate and replace it.  'cmd'
 * names the command in messages.  Exit codes of cli.h. */
int cli_doc_export(svc_t *svc, svc_doc_t *d, const char *cmd, const char *out);
int cli_doc_import(svc_t *svc, svc_doc_t *d, const char *cmd, const char *file);

#endif
