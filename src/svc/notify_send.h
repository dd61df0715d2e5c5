/*
 * notify_send.h - one notice over one channel (libcurl): a generic JSON
 * webhook signed with HMAC-SHA256, a WeCom 企业微信 or DingTalk 钉钉 group
 * robot's text message (DingTalk's 加签 signature in the address), or an
 * e-mail over SMTP.
 */
#ifndef BH_NOTIFY_SEND_H
#define BH_NOTIFY_SEND_H

#include <stdbool.h>
#include <stddef.h>

#include "core/notify.h"
#include "store/db.h"

#define NOTIFY_SEND_TIMEOUT_S 15

/* Once per process, before any thread sends (libcurl's global set-up). */
void notify_send_global_init(void);
void notify_send_global_cleanup(void); /* after every thread that sent */

/*
 * Send n over ch at 'now'.  BH_OK when the receiver took it; otherwise
 * BH_UNAVAILABLE with why (zh-CN: what the receiver or the network said)
 * and *permanent when trying again cannot help (a 4xx other than 408 and
 * 429: the address or the credentials are wrong).
 */
bh_status_t notify_send(const notify_cfg_t *cfg, const notify_channel_t *ch, const db_notice_t *n,
                        dt_ms_t now, char *why, size_t whylen, bool *permanent);

/* The signatures, exposed for tests: hex HMAC-SHA256 of "<ts>.<body>" with
 * the webhook secret; DingTalk's base64 HMAC-SHA256 of "<ts>\n<secret>". */
void notify_webhook_signature(const char *secret, const char *ts, const char *body, char out[65]);
void notify_dingtalk_sign(const char *secret, const char *ts, char out[64]);

#endif
