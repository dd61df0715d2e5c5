/* notify_send.c - see notify_send.h. */
#include "svc/notify_send.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "util/dynbuf.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

void notify_send_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void notify_send_global_cleanup(void)
{
    curl_global_cleanup();
}

void notify_webhook_signature(const char *secret, const char *ts, const char *body, char out[65])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof mac);
}

void notify_dingtalk_sign(const char *secret, const char *ts, char out[64])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"\n", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2base64(out, 64, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
}

/* ---- what the receiver said ---- */

#define REPLY_MAX 4096

static size_t on_reply(char *p, size_t size, size_t n, void *arg)
{
    dynbuf_t *b = arg;
    size_t len = size * n, room = b->len < REPLY_MAX ? REPLY_MAX - b->len : 0;
    dynbuf_add(b, p, len < room ? len : room); /* the rest is not read */
    return len;
}

/* Text fit for a message: valid UTF-8, printable, at most 'max' bytes. */
static void clean(const char *s, size_t len, char *out, size_t max)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 4 < max;) {
        unsigned cp;
        int k = utf8_decode((const unsigned char *)s, i, len, &cp);
        if (k == 0 || cp < 0x20 || cp == 0x7f) {
            out[o++] = k == 0 || cp != '\n' ? '?' : ' ';
            i += k ? (size_t)k : 1;
            continue;
        }
        memcpy(out + o, s + i, (size_t)k);
        o += (size_t)k;
        i += (size_t)k;
    }
    out[o] = 0;
}

static CURL *easy(char *errbuf, dynbuf_t *reply, const char *protocols)
{
    CURL *h = curl_easy_init();
    if (!h)
        return NULL;
    errbuf[0] = 0;
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)NOTIFY_SEND_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protocols);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "bihuan-notify/1");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_reply);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, reply);
    return h;
}

static bh_status_t net_error(CURLcode rc, const char *errbuf, char *why, size_t whylen)
{
    snprintf(why, whylen, "网络错误：%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return BH_UNAVAILABLE;
}

/* ---- webhooks and robots ---- */

/* The longest text a robot takes, in bytes: WeCom's is 2048 (a longer
 * one is refused, forever); DingTalk's is far larger. */
#define WECOM_TEXT_MAX 2000
#define DINGTALK_TEXT_MAX 18000

/* At most max bytes of s, ending on a whole UTF-8 character. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* subject, body and the @ of each mobile (DingTalk @s only those its text
 * names), cut to the robot's limit with the link kept. */
static char *robot_content(const notify_channel_t *ch, const db_notice_t *n)
{
    dynbuf_t b;
    const char *link = strstr(n->body, "\n查看：");
    size_t max = ch->kind == NOTIFY_WECOM ? WECOM_TEXT_MAX : DINGTALK_TEXT_MAX;
    size_t tail = (link ? strlen(link) : 0) + 32 * (size_t)ch->nmobiles + 8;
    size_t room = max > strlen(n->subject) + tail ? max - strlen(n->subject) - tail : 0;
    size_t head = link ? (size_t)(link - n->body) : strlen(n->body);
    dynbuf_init(&b, max + 64);
    dynbuf_printf(&b, "%s\n", n->subject);
    if (head <= room) {
        dynbuf_add(&b, n->body, head);
    } else {
        dynbuf_add(&b, n->body, utf8_cut(n->body, room));
        dynbuf_addstr(&b, "…");
    }
    if (link)
        dynbuf_addstr(&b, link);
    for (int i = 0; ch->kind == NOTIFY_DINGTALK && i < ch->nmobiles; i++)
        dynbuf_printf(&b, "%s@%s", i ? " " : "\n", ch->mobiles[i]);
    return dynbuf_take(&b);
}

static char *robot_body(const notify_channel_t *ch, const db_notice_t *n)
{
    json_t *mobiles = json_array(), *root;
    char *content = robot_content(ch, n), *out;
    for (int i = 0; i < ch->nmobiles; i++)
        json_array_append_new(mobiles, json_string(ch->mobiles[i]));
    if (ch->kind == NOTIFY_WECOM)
        root = json_pack("{s:s, s:{s:s, s:o}}", "msgtype", "text", "text", "content", content,
                         "mentioned_mobile_list", mobiles);
    else
        root = json_pack("{s:s, s:{s:s}, s:{s:o, s:b}}", "msgtype", "text", "text", "content",
                         content, "at", "atMobiles", mobiles, "isAtAll", 0);
    free(content);
    out = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return out;
}

static char *webhook_body(const db_notice_t *n, dt_ms_t now)
{
    json_t *data = n->data ? json_loads(n->data, 0, NULL) : NULL;
    char at[40], *out;
    json_t *root = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)n->id, "event",
                             n->event, "subject", n->subject, "text", n->body, "sent_at",
                             dt_format_instant(now, at, sizeof at), "data",
                             data ? data : json_object());
    out = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return out;
}

static bh_status_t http_send(const notify_channel_t *ch, const db_notice_t *n, dt_ms_t now,
                             char *why, size_t whylen, bool *permanent)
{
    char errbuf[CURL_ERROR_SIZE], ts[32], hdr[200], *body, *url;
    dynbuf_t reply;
    struct curl_slist *h = NULL;
    long code = 0;
    CURL *c;
    CURLcode rc;
    bh_status_t st = BH_OK;

    dynbuf_init(&reply, REPLY_MAX);
    c = easy(errbuf, &reply, "http,https");

    if (!c) {
        dynbuf_free(&reply);
        snprintf(why, whylen, "无法初始化 HTTP 客户端");
        return BH_UNAVAILABLE;
    }
    body = ch->kind == NOTIFY_WEBHOOK ? webhook_body(n, now) : robot_body(ch, n);
    if (!body) { /* a stored field that does not make JSON: no try will */
        curl_easy_cleanup(c);
        dynbuf_free(&reply);
        snprintf(why, whylen, "通知内容无法编为 JSON");
        *permanent = true;
        return BH_UNAVAILABLE;
    }
    url = xstrdup(ch->url);
    h = curl_slist_append(h, "Content-Type: application/json; charset=utf-8");
    if (ch->kind == NOTIFY_WEBHOOK) {
        snprintf(ts, sizeof ts, "%lld", (long long)(now / 1000));
        snprintf(hdr, sizeof hdr, "X-Bihuan-Event: %s", n->event);
        h = curl_slist_append(h, hdr);
        snprintf(hdr, sizeof hdr, "X-Bihuan-Delivery: %lld", (long long)n->id);
        h = curl_slist_append(h, hdr);
        snprintf(hdr, sizeof hdr, "X-Bihuan-Timestamp: %s", ts);
        h = curl_slist_append(h, hdr);
        if (ch->secret) {
            char sig[65];
            notify_webhook_signature(ch->secret, ts, body, sig);
            snprintf(hdr, sizeof hdr, "X-Bihuan-Signature: sha256=%s", sig);
            h = curl_slist_append(h, hdr);
        }
    } else if (ch->kind == NOTIFY_DINGTALK && ch->secret) {
        /* 加签: the millisecond timestamp and the signature in the address */
        char sign[64], *esc;
        size_t len;
        snprintf(ts, sizeof ts, "%lld", (long long)now);
        notify_dingtalk_sign(ch->secret, ts, sign);
        esc = curl_easy_escape(c, sign, 0);
        len = strlen(ch->url) + strlen(ts) + strlen(esc) + 32;
        free(url);
        url = xmalloc(len);
        snprintf(url, len, "%s%ctimestamp=%s&sign=%s", ch->url, strchr(ch->url, '?') ? '&' : '?', ts, esc);
        curl_free(esc);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        st = net_error(rc, errbuf, why, whylen);
    } else {
        char said[300];
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        clean(dynbuf_str(&reply), dynbuf_len(&reply), said, sizeof said);
        if (code < 200 || code > 299) {
            snprintf(why, whylen, "接收方返回 HTTP %ld：%s", code, said);
            *permanent = code >= 400 && code < 500 && code != 408 && code != 425 && code != 429;
            st = BH_UNAVAILABLE;
        } else if (ch->kind != NOTIFY_WEBHOOK) {
            /* the robots answer 200 with their own error code */
            json_t *r = json_loadb(dynbuf_str(&reply), dynbuf_len(&reply), 0, NULL);
            json_t *ec = json_object_get(r, "errcode");
            if (!json_is_integer(ec) || json_integer_value(ec) != 0) {
                snprintf(why, whylen, "%s机器人未接受：%s", ch->kind == NOTIFY_WECOM ? "企业微信" : "钉钉",
                         said);
                st = BH_UNAVAILABLE;
            }
            json_decref(r);
        }
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(body);
    free(url);
    dynbuf_free(&reply);
    return st;
}

/* ---- e-mail ---- */

/* RFC 2047 encoded words of at most 45 bytes of UTF-8 each (whole characters). */
static void encoded_words(dynbuf_t *b, const char *s)
{
    size_t len = strlen(s), i = 0;
    while (i < len) {
        size_t j = i;
        char b64[80];
        while (j < len) {
            unsigned cp;
            int k = utf8_decode((const unsigned char *)s, j, len, &cp);
            if (k == 0)
                k = 1;
            if (j + (size_t)k - i > 45)
                break;
            j += (size_t)k;
        }
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)s + i, j - i,
                          sodium_base64_VARIANT_ORIGINAL);
        dynbuf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", b64);
        i = j;
    }
}

static void mail_date(dynbuf_t *b, dt_ms_t now)
{
    static const char *const wd[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int y, m, d, w = dt_weekday(dt_local_day(now));
    int64_t ms = dt_local_ms_of_day(now);
    dt_ymd(dt_local_day(now), &y, &m, &d);
    dynbuf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0800\r\n", wd[(w + 6) % 7], d, mon[m - 1],
                  y, (int)(ms / 3600000), (int)(ms / 60000 % 60), (int)(ms / 1000 % 60));
}

static void mail_message(dynbuf_t *b, const notify_cfg_t *cfg, const notify_channel_t *ch,
                         const db_notice_t *n, dt_ms_t now)
{
    const char *domain = strchr(cfg->smtp_from, '@') + 1;
    size_t len = strlen(n->body);
    char *b64 = xmalloc(sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL));
    sodium_bin2base64(b64, sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL),
                      (const unsigned char *)n->body, len, sodium_base64_VARIANT_ORIGINAL);
    mail_date(b, now);
    dynbuf_printf(b, "From: %s\r\nTo: ", cfg->smtp_from);
    for (int i = 0; i < ch->nto; i++)
        dynbuf_printf(b, "%s%s", i ? ", " : "", ch->to[i]);
    dynbuf_addstr(b, "\r\nSubject: ");
    encoded_words(b, n->subject);
    /* the same notice, the same Message-ID: a receiver can drop a twin */
    dynbuf_printf(b, "\r\nMessage-ID: <notice-%lld-%lld.bihuan@%s>\r\n", (long long)n->id,
                  (long long)n->created_at, domain);
    dynbuf_printf(b, "X-Bihuan-Event: %s\r\nMIME-Version: 1.0\r\n"
                     "Content-Type: text/plain; charset=UTF-8\r\n"
                     "Content-Transfer-Encoding: base64\r\n\r\n", n->event);
    for (size_t i = 0, l = strlen(b64); i < l; i += 76)
        dynbuf_printf(b, "%.76s\r\n", b64 + i);
    free(b64);
}

struct upload {
    const char *p;
    size_t left;
};

static size_t on_read(char *buf, size_t size, size_t nitems, void *arg)
{
    struct upload *u = arg;
    size_t n = size * nitems < u->left ? size * nitems : u->left;
    memcpy(buf, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

static bh_status_t mail_send(const notify_cfg_t *cfg, const notify_channel_t *ch,
                             const db_notice_t *n, dt_ms_t now, char *why, size_t whylen)
{
    char errbuf[CURL_ERROR_SIZE], from[256];
    dynbuf_t msg, reply;
    struct curl_slist *rcpt = NULL;
    struct upload up;
    CURL *c;
    CURLcode rc;
    bh_status_t st = BH_OK;
    dynbuf_init(&msg, 1 << 20);
    dynbuf_init(&reply, REPLY_MAX);
    if (!(c = easy(errbuf, &reply, "smtp,smtps"))) {
        dynbuf_free(&msg);
        dynbuf_free(&reply);
        snprintf(why, whylen, "无法初始化邮件客户端");
        return BH_UNAVAILABLE;
    }
    mail_message(&msg, cfg, ch, n, now);
    snprintf(from, sizeof from, "<%s>", cfg->smtp_from);
    for (int i = 0; i < ch->nto; i++) {
        char to[256];
        snprintf(to, sizeof to, "<%s>", ch->to[i]);
        rcpt = curl_slist_append(rcpt, to);
    }
    up.p = dynbuf_str(&msg);
    up.left = dynbuf_len(&msg);
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    /* STARTTLS when the server offers it, required before a password is
     * sent (a server that does not offer it is refused: the password never
     * goes in clear); smtps:// is TLS from the start */
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(cfg->smtp_user ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (cfg->smtp_user) {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password ? cfg->smtp_password : "");
    }
    if ((rc = curl_easy_perform(c)) != CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        if (code >= 400)
            snprintf(why, whylen, "发信服务器拒绝（%ld）：%s", code, errbuf[0] ? errbuf : curl_easy_strerror(rc));
        else
            net_error(rc, errbuf, why, whylen);
        st = BH_UNAVAILABLE;
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    dynbuf_free(&msg);
    dynbuf_free(&reply);
    return st;
}

bh_status_t notify_send(const notify_cfg_t *cfg, const notify_channel_t *ch, const db_notice_t *n,
                        dt_ms_t now, char *why, size_t whylen, bool *permanent)
{
    *permanent = false;
    why[0] = 0;
    if (ch->kind == NOTIFY_EMAIL) {
        if (!cfg->smtp_url) {
            snprintf(why, whylen, "通知配置没有发信服务器");
            *permanent = true;
            return BH_UNAVAILABLE;
        }
        return mail_send(cfg, ch, n, now, why, whylen);
    }
    return http_send(ch, n, now, why, whylen, permanent);
}
