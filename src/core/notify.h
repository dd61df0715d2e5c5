/*
 * notify.h - notifications as data (pure): the channels a district sends
 * through (a generic JSON webhook, a WeCom 企业微信 or DingTalk 钉钉 group
 * robot, e-mail), the rules that say which events go to which channels,
 * how often a failed delivery is tried again, and the wording of each
 * notice.  The document is data/notify.json until an administrator
 * imports one (svc/notify.c); delivery is svc/notify_send.c's.
 *
 * Who is told: a rule names its event and its channels; a channel with a
 * "unit" gets only the notices about that unit's jurisdiction (the one
 * rule of core/unitcode.h: a department is itself, a numeric unit its
 * subtree) - a street's duty group its street's cases, a department's
 * those dispatched to it.
 */
#ifndef BH_NOTIFY_H
#define BH_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "core/datetime.h"
#include "util/arena.h"
#include "util/status.h"

typedef enum {
    NOTIFY_DISPATCH,     /* 派遣: a case sent to a handling unit */
    NOTIFY_RED_LIGHT,    /* 红灯: a clock of a case turned red */
    NOTIFY_OVERDUE,      /* 超期: a clock ran out */
    NOTIFY_SUPERVISE,    /* 督办: a case put under supervision (or raised) */
    NOTIFY_RED_CARD,     /* 红牌: a unit's indicator carded red this month */
    NOTIFY_MAJOR_HAZARD, /* 挂牌督办: a patrol found a major hazard */
    NOTIFY_EVENT__COUNT
} notify_event_t;

typedef enum { NOTIFY_WEBHOOK, NOTIFY_WECOM, NOTIFY_DINGTALK, NOTIFY_EMAIL } notify_kind_t;

typedef struct {
    const char *key, *name;
    notify_kind_t kind;
    const char *url;      /* webhook, wecom, dingtalk */
    const char *secret;   /* webhook: HMAC-SHA256 key; dingtalk: the robot's 加签 secret */
    const char **to;      /* email: addresses */
    int nto;
    const char **mobiles; /* wecom/dingtalk: phones to @ */
    int nmobiles;
    const char *unit;     /* NULL: every notice; else that jurisdiction's */
} notify_channel_t;

typedef struct {
    notify_event_t event;
    const char **channels;
    int nchannels;
    const char **categories; /* NULL: any; else case categories (a code and its children) */
    int ncategories;
} notify_rule_t;

typedef struct {
    json_t *root;           /* the document: every string above points into it */
    const char *base_url;   /* the console's address for links, or NULL */
    const char *smtp_url, *smtp_from, *smtp_user, *smtp_password;
    int first_s, max_s, max_attempts; /* retry: first delay, longest delay, tries in all */
    notify_channel_t *channels;
    int nchannels;
    notify_rule_t *rules;
    int nrules;
} notify_cfg_t;

const char *notify_event_name(notify_event_t e);  /* "dispatch" ... */
const char *notify_event_label(notify_event_t e); /* "派遣" ... */
int notify_event_from_name(const char *s);        /* -1 when unknown */
const char *notify_kind_name(notify_kind_t k);    /* "webhook" ... */

/* Parse and check a document (errors name the field: "channels[2].url"). */
bh_status_t notify_cfg_parse(const char *json, size_t len, notify_cfg_t **out, bh_err_t *err);
void notify_cfg_free(notify_cfg_t *cfg);
const char *notify_cfg_builtin_text(size_t *len);
const notify_channel_t *notify_channel(const notify_cfg_t *cfg, const char *key);

/*
 * The channels an event about 'units' (n codes: where it happened, who
 * handles it; NULL entries skipped) in 'category' (NULL: none) goes to,
 * each once: up to 'max' keys into out; returns how many.
 */
int notify_route(const notify_cfg_t *cfg, notify_event_t e, const char *const *units, int n,
                 const char *category, const char **out, int max);

/* The delay before try number 'attempt' + 1 after 'attempt' failed tries
 * (1, 2, ...): first_s doubling up to max_s.  0 when no try is left. */
int64_t notify_backoff_ms(const notify_cfg_t *cfg, int attempt);

/* What a notice says: the facts of the event, as plain text. */
typedef struct {
    notify_event_t event;
    const char *number, *title;  /* the case (not for a red card) */
    const char *category;        /* its category's name */
    const char *place;           /* the unit where it happened, by name */
    const char *handler;         /* the handling unit, by name */
    const char *clock;           /* red light, overdue: the clock's label */
    dt_ms_t deadline;            /* that clock's (or the rectification's) deadline; 0: none */
    const char *note;            /* supervision's note; a hazard's description */
    int level;                   /* supervision level */
    const char *indicator;       /* red card: the indicator's name */
    const char *period;          /* red card: "2026年11月" */
    double completion, progress; /* red card: completion and time progress, fractions */
    const char *path;            /* the console page, "#/cases/12"; NULL: none */
} notify_facts_t;

/* The subject (one line) and the text of a notice, zh-CN; base_url
 * (NULL: none) makes the path a link. */
void notify_wording(const notify_facts_t *f, const char *base_url, arena_t *a,
                    const char **subject, const char **text);

#endif
