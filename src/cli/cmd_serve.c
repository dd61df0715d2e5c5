/*
 * cmd_serve.c - `bihuan serve`: the HTTP API and the SLA sweep.
 */
#include <errno.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/open311.h"
#include "cli/app.h"
#include "cli/cli.h"
#include "svc/notify_send.h"

static const char usage[] =
    "用法: bihuan serve [--db PATH] [--listen HOST:PORT] [--config FILE]\n"
    "\n"
    "启动 HTTP API（DESIGN.md §6）和时限巡检（每秒更新亮灯、红灯自动督办）。\n"
    "数据库不存在时自动创建并迁移。SIGTERM 或 Ctrl-C 时处理完在途请求后退出。\n"
    "\n"
    "选项（优先级：命令行 > 环境变量 > 配置文件 > 默认值）:\n"
    "  --db PATH          数据库文件（BIHUAN_DB，默认 bihuan.db）\n"
    "  --listen ADDR      监听地址（BIHUAN_LISTEN，默认 127.0.0.1:8080；端口 0 表示随机端口）\n"
    "  --categories FILE  案件类别与时限策略文件（BIHUAN_CATEGORIES，默认内置 data/categories.json）；\n"
    "                     文件内容与上次启动时不同则作为新版本生效，只对此后上报的案件适用\n"
    "  --config FILE      配置文件（BIHUAN_CONFIG），每行“键 = 值”：db, listen, categories,\n"
    "                     office_hours, session_ttl_hours, session_idle_minutes（无操作多久退出，默认 120，0 不限）,\n"
    "                     sweep_interval（秒）, body_limit（字节）, upload_limit（台账上传，字节，默认 256 MiB）,\n"
    "                     files_dir（附件目录，默认数据库所在目录下的 files）,\n"
    "                     web_dir, tile_url, tile_attribution, tile_crs（底图坐标系 wgs84/gcj02/bd09）,\n"
    "                     metrics_token（/metrics 的 Bearer 令牌；未设时仅系统管理员可读）,\n"
    "                     trusted_proxies（反向代理地址，逗号分隔；只采信它们的 X-Forwarded-For）\n"
    "  --web DIR          控制台文件目录（BIHUAN_WEB_DIR，默认本次构建的 web/dist）\n"
    "  --help             显示本帮助\n"
    "\n"
    "控制台地图默认只显示网格边界，不加载任何在线底图（可离线使用）。要叠加底图，在配置文件中设\n"
    "tile_url（如 https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8&lang=zh_cn）\n"
    "和 tile_attribution，或用 BIHUAN_TILE_URL / BIHUAN_TILE_ATTRIBUTION。高德、腾讯底图用 GCJ-02，\n"
    "须同时设 tile_crs = gcj02（百度为 bd09），控制台才会按底图坐标系显示网格、上报坐标。\n";

/*
 * The CSP source for a tile URL template: scheme and host, with a first
 * label holding a placeholder ("{s}.tile.example.org",
 * "webrd0{s}.is.autonavi.com") as the only wildcard CSP allows, a leading
 * "*.".  A host with a placeholder elsewhere gives "" (no source: set a
 * plain host in tile_url).
 */
static void tile_source(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://"), *host, *dot;
    size_t n;
    out[0] = '\0';
    if (!p)
        return;
    host = p + 3;
    n = strcspn(host, "/?#");
    dot = memchr(host, '.', n);
    if (dot && memchr(host, '{', (size_t)(dot - host)))
        snprintf(out, size, "%.*s*%.*s", (int)(host - url), url, (int)(n - (size_t)(dot - host)), dot);
    else
        snprintf(out, size, "%.*s", (int)(host - url + (ptrdiff_t)n), url);
    if (strchr(out, '{'))
        out[0] = '\0';
}

/* Wait on cv (made by monotonic_cond, mu held) for up to 's' seconds, on
 * the monotonic clock: a wall-clock step (NTP, an operator's date -s)
 * neither stalls nor races the waiter. */
static void wait_seconds(pthread_cond_t *cv, pthread_mutex_t *mu, double s)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)s;
    ts.tv_nsec += (long)((s - (double)(time_t)s) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(cv, mu, &ts);
}

struct sweeper {
    svc_t *svc;
    double interval;
    dt_ms_t cards_at; /* when the red cards were last looked at */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
};

static void *sweep_main(void *arg)
{
    struct sweeper *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        bh_err_t err;
        wait_seconds(&w->cv, &w->mu, w->interval);
        if (w->stop)
            break;
        pthread_mutex_unlock(&w->mu);
        /* versions other servers stored first: the sweep derives under them */
        if (svc_categories_refresh(w->svc, &err))
            fprintf(stderr, "bihuan: 读取案件类别失败：%s\n", err.message);
        if (svc_sweep(w->svc, svc_now(), &err) < 0)
            fprintf(stderr, "bihuan: 时限巡检失败：%s\n", err.message);
        /* red cards, by the sweeping server: when targets or rules
         * changed, and hourly (time progress moves the cards too) */
        if (w->svc->sweep_leader && (atomic_exchange(&w->svc->cards_due, false) ||
                                     svc_now() >= w->cards_at + DT_HOUR_MS)) {
            w->cards_at = svc_now();
            if (svc_notify_cards(w->svc, w->cards_at, &err) < 0)
                fprintf(stderr, "bihuan: 检查红牌失败：%s\n", err.message);
        }
        if (svc_reports_run_due(w->svc, svc_now(), &err) < 0)
            fprintf(stderr, "bihuan: %s\n", err.message);
        if (svc_doc_refresh(w->svc, w->svc->patrol, &err))
            fprintf(stderr, "bihuan: 读取巡查配置失败：%s\n", err.message);
        if (svc_doc_refresh(w->svc, w->svc->targets, &err))
            fprintf(stderr, "bihuan: 读取考核指标配置失败：%s\n", err.message);
        if (svc_doc_refresh(w->svc, w->svc->notify, &err))
            fprintf(stderr, "bihuan: 读取通知配置失败：%s\n", err.message);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* The notifier: delivers the outbox's notices due, at once when this
 * server's writes added some (svc->notices_waiting), and every couple of
 * seconds for retries and other servers' notices.  Its own thread: a slow
 * receiver never holds up the SLA sweep. */
struct notifier {
    svc_t *svc;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    _Atomic int stop;
};

#define NOTIFY_POLL_MS 2000

static void *notify_main(void *arg)
{
    struct notifier *w = arg;
    dt_ms_t next = 0;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        wait_seconds(&w->cv, &w->mu, 0.2);
        if (w->stop)
            break;
        pthread_mutex_unlock(&w->mu);
        if (atomic_exchange(&w->svc->notices_waiting, false) || svc_now() >= next) {
            bh_err_t err;
            int n;
            while ((n = svc_notify_deliver(w->svc, svc_now(), &err)) > 0 && !w->stop)
                ;
            if (n < 0)
                fprintf(stderr, "bihuan: 发送通知失败：%s\n", err.message);
            next = svc_now() + NOTIFY_POLL_MS;
        }
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* A condition variable timed on the monotonic clock (wait_seconds). */
static void monotonic_cond(pthread_cond_t *cv)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
}

int cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"config", required_argument, NULL, 'c'},
        {"categories", required_argument, NULL, 'k'},
        {"web", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *listen = NULL, *config = NULL, *categories = NULL, *web = NULL;
    app_config_t cfg;
    svc_t svc;
    api_t api;
    http_server_t *srv;
    http_config_t hc;
    struct sweeper w = {0};
    struct notifier nw = {0};
    char csp[1024];
    pthread_t sweep_thread, notify_thread;
    sigset_t sigs;
    bh_err_t err;
    const http_route_t *routes;
    int c, sig, nroutes;
#ifdef M_ARENA_MAX
    /* glibc gives every thread that allocates an arena of its own, up to
     * eight per core, and each keeps what its thread freed: with the 64
     * handler workers taking turns, serve's peak RSS after bench/query.sh
     * at 10M cases was 340 MiB with them and 281 MiB with four. */
    mallopt(M_ARENA_MAX, 4);
#endif
#ifdef M_MMAP_THRESHOLD
    /* A fixed threshold: glibc's own rises to the largest block freed so
     * far (up to 32 MiB), after which a long search's arrays stay in an
     * arena instead of going back to the system (bench/query.sh at 10M:
     * peak RSS 277 MiB with glibc's rising threshold, 261 with this). */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'l': listen = optarg; break;
        case 'c': config = optarg; break;
        case 'k': categories = optarg; break;
        case 'w': web = optarg; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default:
            return cli_usage_error("serve", usage, "无法识别的选项或缺少参数值：%s", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("serve", usage, "多余的参数“%s”", argv[optind]);
    if (app_config_load(&cfg, config))
        return CLI_EXIT_USAGE;
    if (db)
        snprintf(cfg.db, sizeof cfg.db, "%s", db);
    if (listen)
        snprintf(cfg.listen, sizeof cfg.listen, "%s", listen);
    if (categories)
        snprintf(cfg.categories, sizeof cfg.categories, "%s", categories);
    if (web)
        snprintf(cfg.web_dir, sizeof cfg.web_dir, "%s", web);

    /* Signals go to this thread only, through sigwait below. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    notify_send_global_init(); /* before any thread */
    if (app_open_with(cfg.db, 8, cfg.categories, cfg.files_dir, &svc))
        return CLI_EXIT_NO;
    svc.session_ttl_ms = (int64_t)(cfg.session_ttl_hours * DT_HOUR_MS);
    if (cfg.office_hours[0] && cal_hours_parse(&svc.hours, cfg.office_hours, &err) != BH_OK) {
        fprintf(stderr, "bihuan: %s\n", err.message);
        app_close(&svc);
        return CLI_EXIT_USAGE;
    }
    memset(&api, 0, sizeof api);
    memset(&hc, 0, sizeof hc);
    api.svc = &svc;
    api.tile_url = cfg.tile_url;
    api.tile_attribution = cfg.tile_attribution;
    api.metrics_token = cfg.metrics_token;
    api.tile_crs = cfg.tile_crs;
    svc.session_idle_ms = (int64_t)(cfg.session_idle_minutes * 60000.0);
    hc.static_dir = cfg.web_dir[0] ? cfg.web_dir : NULL;
    hc.trusted_proxies = cfg.trusted_proxies;
    if (cfg.tile_url[0]) { /* the base layer's host may serve the map's images */
        char host[600];
        tile_source(cfg.tile_url, host, sizeof host);
        http_csp(csp, sizeof csp, host[0] ? host : NULL);
        hc.csp = csp;
    }
    hc.error_prefix = "/open311/v2/"; /* GeoReport clients read only its own errors */
    hc.error_fn = open311_error_reply;
    hc.listen = cfg.listen;
    hc.body_limit = (size_t)cfg.body_limit;
    hc.upload_limit = (size_t)cfg.upload_limit;
    hc.timeout_s = 30;
    hc.max_conns = 1000;
    nroutes = api_all_routes(&routes);
    if (http_start(&hc, routes, nroutes, &api, &srv, &err) != BH_OK) {
        fprintf(stderr, "bihuan: %s\n", err.message);
        app_close(&svc);
        return CLI_EXIT_NO;
    }
    w.svc = &svc;
    w.interval = cfg.sweep_interval_s;
    pthread_mutex_init(&w.mu, NULL);
    monotonic_cond(&w.cv);
    pthread_create(&sweep_thread, NULL, sweep_main, &w);
    nw.svc = &svc;
    pthread_mutex_init(&nw.mu, NULL);
    monotonic_cond(&nw.cv);
    pthread_create(&notify_thread, NULL, notify_main, &nw);

    {
        const char *host = cfg.listen, *colon = strrchr(cfg.listen, ':');
        int hostlen = (int)(colon - host);
        if (hostlen == 0) {
            host = "127.0.0.1";
            hostlen = 9;
        }
        printf("bihuan 正在监听 http://%.*s:%d （数据库 %s）\n", hostlen, host, http_port(srv),
               cfg.db);
        fflush(stdout);
    }
    while (sigwait(&sigs, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
        ;
    fprintf(stderr, "bihuan: 收到%s，正在停止…\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    http_stop(srv); /* finishes requests in flight */
    pthread_mutex_lock(&w.mu);
    w.stop = 1;
    pthread_cond_signal(&w.cv);
    pthread_mutex_unlock(&w.mu);
    pthread_join(sweep_thread, NULL);
    /* a notice being sent is finished and recorded, the others leased with
     * it given back: no twin, and no wait for a lease, at the next start */
    svc.stopping = true;
    pthread_mutex_lock(&nw.mu);
    nw.stop = 1;
    pthread_cond_signal(&nw.cv);
    pthread_mutex_unlock(&nw.mu);
    pthread_join(notify_thread, NULL);
    app_close(&svc);
    notify_send_global_cleanup();
    fprintf(stderr, "bihuan: 已停止\n");
    return CLI_EXIT_OK;
}
