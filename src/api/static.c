/*
 * static.c - the web console's files (web/dist, built by vite) served from
 * a directory: GET /, /index.html and /assets/….  Only plain names under
 * the directory are served: no "..", no percent-escapes, no dot-files.
 * Hashed assets are cached for a year; index.html is revalidated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/http.h"
#include "util/file.h"

static const char *type_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
        {".png", "image/png"},                 {".ico", "image/x-icon"},
        {".json", "application/json"},         {".woff2", "font/woff2"},
        {".map", "application/json"},          {".txt", "text/plain; charset=utf-8"},
        {".webmanifest", "application/manifest+json"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

static bool safe(const char *p)
{
    if (*p != '/' || strstr(p, "..") || strstr(p, "/.") || strchr(p, '%') || strchr(p, '\\'))
        return false;
    return strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-") == strlen(p);
}

bool http_static(http_req_t *r, const char *dir)
{
    const char *path = r->path, *type;
    char *data;
    size_t len;
    bh_err_t err;

    if (!dir || (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")))
        return false;
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    if (!safe(path) || !(type = type_of(path)))
        return false;
    if (file_read_all(arena_printf(r->a, "%s%s", dir, path), (size_t)64 << 20, &data, &len, &err) != BH_OK)
        return false;
    arena_on_free(r->a, free, data);
    http_add_header(r, "Cache-Control", strncmp(path, "/assets/", 8) == 0
                                            ? "public, max-age=31536000, immutable"
                                            : "no-cache");
    http_reply(r, 200, type, data, len);
    return true;
}
