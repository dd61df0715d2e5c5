/*
 * case.c - the case state machine: the transition table and the checks an
 * event must pass before it joins a case's history.
 */
#include "core/case.h"

#include <stdio.h>
#include <string.h>

#define S(st) (1u << (st))
#define R(r) (1u << (r))

#define OPEN_STATES                                                          \
    (S(CASE_ST_REPORTED) | S(CASE_ST_REGISTERED) | S(CASE_ST_DISPATCHED) |   \
     S(CASE_ST_ACCEPTED) | S(CASE_ST_HANDLED))

/* Every state a case can be in once reported. */
#define AFTER_REPORT (((1u << CASE_ST__COUNT) - 1) & ~S(CASE_ST_NONE))

/* 'to' values that are not states. */
#define TO_SAME CASE_ST__COUNT
#define TO_PREVIOUS (CASE_ST__COUNT + 1)

static const struct {
    const char *name, *label;
    uint32_t from;  /* states the action may be taken from */
    unsigned to;    /* next state, TO_SAME or TO_PREVIOUS */
    uint32_t roles; /* roles that may take it */
    unsigned needs; /* CASE_F_* required fields */
} actions[CASE_ACT__COUNT] = {
    [CASE_ACT_REPORT] = {"report", "上报", S(CASE_ST_NONE), CASE_ST_REPORTED,
                         R(ROLE_OPERATOR) | R(ROLE_REPORTER) | R(ROLE_PUBLIC), 0},
    [CASE_ACT_REGISTER] = {"register", "立案", S(CASE_ST_REPORTED),
                           CASE_ST_REGISTERED, R(ROLE_OPERATOR), 0},
    [CASE_ACT_REJECT] = {"reject", "不予立案", S(CASE_ST_REPORTED),
                         CASE_ST_REJECTED, R(ROLE_OPERATOR), CASE_F_REASON},
    [CASE_ACT_DISPATCH] = {"dispatch", "派遣", S(CASE_ST_REGISTERED),
                           CASE_ST_DISPATCHED, R(ROLE_OPERATOR), CASE_F_TO_UNIT},
    [CASE_ACT_ACCEPT] = {"accept", "签收", S(CASE_ST_DISPATCHED),
                         CASE_ST_ACCEPTED, R(ROLE_HANDLER), 0},
    [CASE_ACT_RETURN] = {"return", "退回",
                         S(CASE_ST_DISPATCHED) | S(CASE_ST_ACCEPTED),
                         CASE_ST_REGISTERED, R(ROLE_HANDLER), CASE_F_REASON},
    [CASE_ACT_HANDLE] = {"handle", "处置完毕", S(CASE_ST_ACCEPTED),
                         CASE_ST_HANDLED, R(ROLE_HANDLER), CASE_F_RESULT},
    [CASE_ACT_VERIFY_PASS] = {"verify_pass", "核查通过", S(CASE_ST_HANDLED),
                              CASE_ST_CLOSED,
                              R(ROLE_OPERATOR) | R(ROLE_REPORTER), 0},
    [CASE_ACT_VERIFY_FAIL] = {"verify_fail", "返工", S(CASE_ST_HANDLED),
                              CASE_ST_DISPATCHED,
                              R(ROLE_OPERATOR) | R(ROLE_REPORTER), CASE_F_REASON},
    [CASE_ACT_SUSPEND] = {"suspend", "挂起", OPEN_STATES, CASE_ST_SUSPENDED,
                          R(ROLE_OPERATOR), CASE_F_REASON},
    [CASE_ACT_RESUME] = {"resume", "恢复", S(CASE_ST_SUSPENDED), TO_PREVIOUS,
                         R(ROLE_OPERATOR), 0},
    [CASE_ACT_EXTEND] = {"extend", "延期",
                         S(CASE_ST_DISPATCHED) | S(CASE_ST_ACCEPTED), TO_SAME,
                         R(ROLE_LEADER) | R(ROLE_OPERATOR),
                         CASE_F_CLOCK | CASE_F_AMOUNT | CASE_F_REASON},
    [CASE_ACT_SUPERVISE] = {"supervise", "督办",
                            OPEN_STATES | S(CASE_ST_SUSPENDED), TO_SAME,
                            R(ROLE_LEADER) | R(ROLE_OPERATOR),
                            CASE_F_LEVEL | CASE_F_NOTE},
    [CASE_ACT_MERGE] = {"merge", "合并重复件",
                        S(CASE_ST_REPORTED) | S(CASE_ST_REGISTERED),
                        CASE_ST_REJECTED, R(ROLE_OPERATOR), CASE_F_INTO},
    [CASE_ACT_RATE] = {"rate", "评价", S(CASE_ST_CLOSED), TO_SAME,
                       R(ROLE_REPORTER) | R(ROLE_PUBLIC) | R(ROLE_OPERATOR),
                       CASE_F_RATING},
    [CASE_ACT_REOPEN] = {"reopen", "重新打开", S(CASE_ST_CLOSED),
                         CASE_ST_DISPATCHED, R(ROLE_OPERATOR), CASE_F_REASON},
    [CASE_ACT_COMMENT] = {"comment", "留言", AFTER_REPORT,
                          TO_SAME, R(ROLE_REPORTER) | R(ROLE_PUBLIC), CASE_F_NOTE},
    [CASE_ACT_REOPEN_REQUEST] = {"reopen_request", "申请重新办理", S(CASE_ST_CLOSED), TO_SAME,
                                 R(ROLE_REPORTER) | R(ROLE_PUBLIC), CASE_F_NOTE},
    [CASE_ACT_PUBLISH] = {"publish", "公开", AFTER_REPORT,
                          TO_SAME, R(ROLE_OPERATOR), CASE_F_NOTE},
    [CASE_ACT_UNPUBLISH] = {"unpublish", "撤回公开", AFTER_REPORT,
                            TO_SAME, R(ROLE_OPERATOR), CASE_F_REASON},
};

static const struct {
    const char *name, *label;
} states[CASE_ST__COUNT] = {
    [CASE_ST_NONE] = {"none", "未上报"},
    [CASE_ST_REPORTED] = {"reported", "已上报"},
    [CASE_ST_REGISTERED] = {"registered", "已立案"},
    [CASE_ST_DISPATCHED] = {"dispatched", "已派遣"},
    [CASE_ST_ACCEPTED] = {"accepted", "处置中"},
    [CASE_ST_HANDLED] = {"handled", "处置完毕待核查"},
    [CASE_ST_CLOSED] = {"closed", "已结案"},
    [CASE_ST_REJECTED] = {"rejected", "不予立案"},
    [CASE_ST_SUSPENDED] = {"suspended", "已挂起"},
};

static const char *const ratings[] = {NULL, "非常不满意", "不满意", "基本满意",
                                      "满意", "非常满意"};

const char *case_state_name(case_state_t st)
{
    return (unsigned)st < CASE_ST__COUNT ? states[st].name : NULL;
}

const char *case_state_label(case_state_t st)
{
    return (unsigned)st < CASE_ST__COUNT ? states[st].label : NULL;
}

const char *case_action_name(case_action_t a)
{
    return (unsigned)a < CASE_ACT__COUNT ? actions[a].name : NULL;
}

const char *case_action_label(case_action_t a)
{
    return (unsigned)a < CASE_ACT__COUNT ? actions[a].label : NULL;
}

int case_state_from_name(const char *s)
{
    for (int i = 0; s && i < CASE_ST__COUNT; i++)
        if (strcmp(s, states[i].name) == 0)
            return i;
    return -1;
}

int case_action_from_name(const char *s)
{
    for (int i = 0; s && i < CASE_ACT__COUNT; i++)
        if (strcmp(s, actions[i].name) == 0)
            return i;
    return -1;
}

const char *case_rating_label(int rating)
{
    return rating >= 1 && rating <= 5 ? ratings[rating] : NULL;
}

bool case_state_is_open(case_state_t st)
{
    return ((OPEN_STATES | S(CASE_ST_SUSPENDED)) >> st) & 1u;
}

unsigned case_action_fields(case_action_t a)
{
    return (unsigned)a < CASE_ACT__COUNT ? actions[a].needs : 0;
}

uint32_t case_action_roles(case_action_t a)
{
    return (unsigned)a < CASE_ACT__COUNT ? actions[a].roles : 0;
}

void case_snapshot_init(case_snapshot_t *s)
{
    memset(s, 0, sizeof *s);
    s->state = CASE_ST_NONE;
}

uint32_t case_actions_in_state(case_state_t st)
{
    uint32_t m = 0;
    for (int a = 0; a < CASE_ACT__COUNT; a++)
        if ((actions[a].from >> st) & 1u)
            m |= 1u << a;
    return m;
}

/* Handlers act only on cases dispatched to their own unit. */
static bool unit_matches(const case_snapshot_t *s, case_action_t a,
                         const char *unit)
{
    if (a != CASE_ACT_ACCEPT && a != CASE_ACT_RETURN && a != CASE_ACT_HANDLE)
        return true;
    return unit && s->handling_unit && strcmp(unit, s->handling_unit) == 0;
}

uint32_t case_allowed_actions(const case_snapshot_t *s, bh_role_t role,
                              const char *unit)
{
    uint32_t in_state = case_actions_in_state(s->state), m = 0;
    for (int a = 0; a < CASE_ACT__COUNT; a++)
        if (((in_state >> a) & 1u) && ((actions[a].roles >> role) & 1u) &&
            unit_matches(s, (case_action_t)a, unit))
            m |= 1u << a;
    return m;
}

/* Append "label(name)、..." for each action in mask to buf. */
static void list_actions(uint32_t mask, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int a = 0; a < CASE_ACT__COUNT && len < size; a++) {
        if (!((mask >> a) & 1u))
            continue;
        len += (size_t)snprintf(buf + len, size - len, "%s%s(%s)",
                                len ? "、" : "", actions[a].label,
                                actions[a].name);
    }
    if (!mask)
        snprintf(buf, size, "无");
}

static void list_roles(uint32_t mask, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int r = 0; r < ROLE__COUNT && len < size; r++)
        if ((mask >> r) & 1u)
            len += (size_t)snprintf(buf + len, size - len, "%s%s(%s)",
                                    len ? "、" : "", role_label((bh_role_t)r),
                                    role_name((bh_role_t)r));
}

static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

/* Check one required text field: present, not blank, not too long. */
static bh_status_t need_text(const char *v, const char *field,
                             const char *what, case_action_t a, bh_err_t *err)
{
    if (blank(v))
        return bh_fail(err, BH_INVALID_ARGUMENT, field, "操作“%s”须填写%s（%s）",
                       actions[a].label, what, field);
    if (strlen(v) > CASE_TEXT_MAX)
        return bh_fail(err, BH_INVALID_ARGUMENT, field,
                       "%s（%s）过长：最多%d字节", what, field, CASE_TEXT_MAX);
    return BH_OK;
}

static bh_status_t check_fields(const case_event_t *ev, bh_err_t *err)
{
    unsigned f = actions[ev->action].needs;
    bh_status_t st = BH_OK;

    if ((f & CASE_F_REASON) && (st = need_text(ev->reason, "reason", "原因", ev->action, err)))
        return st;
    if ((f & CASE_F_TO_UNIT) && (st = need_text(ev->to_unit, "to_unit", "处置单位", ev->action, err)))
        return st;
    if ((f & CASE_F_RESULT) && (st = need_text(ev->result, "result", "处置结果", ev->action, err)))
        return st;
    if ((f & CASE_F_CLOCK) && (st = need_text(ev->clock, "clock", "延期的时限名称", ev->action, err)))
        return st;
    if ((f & CASE_F_NOTE) &&
        (st = need_text(ev->note, "note",
                        ev->action == CASE_ACT_SUPERVISE ? "督办意见"
                        : ev->action == CASE_ACT_PUBLISH ? "公开说明（公众看到的问题描述）"
                                                         : "留言内容",
                        ev->action, err)))
        return st;
    if ((f & CASE_F_INTO) && (st = need_text(ev->into, "into", "合并到的案件", ev->action, err)))
        return st;
    if ((f & CASE_F_AMOUNT) && !(ev->amount > 0 && ev->amount <= 3650))
        return bh_fail(err, BH_INVALID_ARGUMENT, "amount",
                       "延期时长（amount）须为大于0且不超过3650的数");
    if ((f & CASE_F_LEVEL) &&
        (ev->level < 1 || ev->level > CASE_SUPERVISE_LEVEL_MAX))
        return bh_fail(err, BH_INVALID_ARGUMENT, "level",
                       "督办级别（level）须为1（一般督办）、2（重点督办）或3（挂牌督办）");
    if ((f & CASE_F_RATING) && !case_rating_label(ev->rating))
        return bh_fail(err, BH_INVALID_ARGUMENT, "rating",
                       "评价（rating）须为1到5的整数：1非常不满意、2不满意、3基本满意、4满意、5非常满意");
    if (ev->note && strlen(ev->note) > CASE_TEXT_MAX)
        return bh_fail(err, BH_INVALID_ARGUMENT, "note",
                       "备注（note）过长：最多%d字节", CASE_TEXT_MAX);
    if (ev->ext_id && (!*ev->ext_id || strlen(ev->ext_id) > CASE_EXT_ID_MAX))
        return bh_fail(err, BH_INVALID_ARGUMENT, "ext_id",
                       "外部编号（ext_id）须为1到%d字节", CASE_EXT_ID_MAX);
    if (ev->extra && strlen(ev->extra) > CASE_TEXT_MAX)
        return bh_fail(err, BH_INVALID_ARGUMENT, "extra",
                       "附加信息（extra）过长：最多%d字节", CASE_TEXT_MAX);
    return BH_OK;
}

bh_status_t case_check(const case_snapshot_t *s, const case_event_t *ev,
                       bh_err_t *err)
{
    char list[512];
    case_action_t a = ev->action;

    if ((unsigned)a >= CASE_ACT__COUNT)
        return bh_fail(err, BH_INVALID_ARGUMENT, "action", "未知的操作");
    if ((unsigned)ev->role >= ROLE__COUNT)
        return bh_fail(err, BH_INVALID_ARGUMENT, "role", "未知的角色");
    if (!((actions[a].from >> s->state) & 1u)) {
        list_actions(case_actions_in_state(s->state), list, sizeof list);
        return bh_fail(err, BH_FAILED_PRECONDITION, "action",
                       "案件当前状态为“%s”(%s)，不能执行“%s”(%s)；此状态下允许的操作：%s",
                       states[s->state].label, states[s->state].name,
                       actions[a].label, actions[a].name, list);
    }
    if (!((actions[a].roles >> ev->role) & 1u)) {
        list_roles(actions[a].roles, list, sizeof list);
        return bh_fail(err, BH_PERMISSION_DENIED, "action",
                       "角色“%s”(%s)无权执行“%s”(%s)；可执行的角色：%s",
                       role_label(ev->role), role_name(ev->role),
                       actions[a].label, actions[a].name, list);
    }
    if (!unit_matches(s, a, ev->actor_unit))
        return bh_fail(err, BH_PERMISSION_DENIED, "action",
                       "案件派遣给单位“%s”，单位“%s”的处置人员不能执行“%s”(%s)",
                       s->handling_unit ? s->handling_unit : "",
                       ev->actor_unit ? ev->actor_unit : "（未知）",
                       actions[a].label, actions[a].name);
    return check_fields(ev, err);
}

/* Apply a checked event. */
static void apply(case_snapshot_t *s, const case_event_t *ev)
{
    unsigned to = actions[ev->action].to;

    switch (ev->action) {
    case CASE_ACT_REPORT: s->reported_at = ev->at; break;
    case CASE_ACT_DISPATCH: s->handling_unit = ev->to_unit; break;
    case CASE_ACT_RETURN:
        s->handling_unit = NULL;
        s->return_count++;
        break;
    case CASE_ACT_VERIFY_PASS: s->closed_at = ev->at; break;
    case CASE_ACT_VERIFY_FAIL: s->rework_count++; break;
    case CASE_ACT_REOPEN:
        s->closed_at = 0;
        s->reopen_requested = false;
        break;
    case CASE_ACT_REOPEN_REQUEST: s->reopen_requested = true; break;
    case CASE_ACT_PUBLISH: s->publicity = 1; break;
    case CASE_ACT_UNPUBLISH: s->publicity = -1; break;
    case CASE_ACT_SUSPEND: s->before_suspend = s->state; break;
    case CASE_ACT_SUPERVISE:
        if (ev->level > s->supervise_level)
            s->supervise_level = ev->level;
        break;
    case CASE_ACT_MERGE: s->merged_into = ev->into; break;
    case CASE_ACT_RATE: s->rating = ev->rating; break;
    default: break;
    }
    if (to == TO_PREVIOUS)
        s->state = s->before_suspend;
    else if (to != TO_SAME)
        s->state = (case_state_t)to;
    s->nevents++;
}

bh_status_t case_step(case_snapshot_t *s, const case_event_t *ev,
                      bh_err_t *err)
{
    bh_status_t st = case_check(s, ev, err);
    if (st == BH_OK)
        apply(s, ev);
    return st;
}

/* Is a stored event's action known and legal in the state reached? */
static bh_status_t check_stored(const case_snapshot_t *s, const case_event_t *ev, bh_err_t *err)
{
    if ((unsigned)ev->action >= CASE_ACT__COUNT)
        return bh_fail(err, BH_INVALID_ARGUMENT, "action", "未知的操作");
    if (!((actions[ev->action].from >> s->state) & 1u))
        return bh_fail(err, BH_FAILED_PRECONDITION, "action",
                       "案件状态为“%s”(%s)时不能有“%s”(%s)", states[s->state].label,
                       states[s->state].name, actions[ev->action].label,
                       actions[ev->action].name);
    return BH_OK;
}

/* Run each event through 'check' then apply it; prefix the position of
 * the first bad one to the message. */
static bh_status_t run_history(const case_event_t *ev, int n, case_snapshot_t *out, bool admit,
                               bh_err_t *err)
{
    case_snapshot_init(out);
    for (int i = 0; i < n; i++) {
        bh_status_t st = admit ? case_check(out, &ev[i], err) : check_stored(out, &ev[i], err);
        if (st != BH_OK) {
            if (err) {
                /* Prefix the event's position; the tail may be cut. */
                char msg[sizeof err->message + 32];
                snprintf(msg, sizeof msg, "第%d条事件：%s", i + 1, err->message);
                snprintf(err->message, sizeof err->message, "%.*s",
                         (int)sizeof err->message - 1, msg);
            }
            return st;
        }
        apply(out, &ev[i]);
    }
    return BH_OK;
}

bh_status_t case_replay(const case_event_t *ev, int n, case_snapshot_t *out,
                        bh_err_t *err)
{
    return run_history(ev, n, out, false, err);
}

bh_status_t case_admit_history(const case_event_t *ev, int n, case_snapshot_t *out,
                               bh_err_t *err)
{
    return run_history(ev, n, out, true, err);
}
