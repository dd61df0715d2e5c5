/*
 * role.h - the user roles of DESIGN.md section 5.
 */
#ifndef BH_ROLE_H
#define BH_ROLE_H

typedef enum {
    ROLE_ADMIN,    /* 系统管理员: users, units, configuration */
    ROLE_LEADER,   /* 领导: reads all in jurisdiction, supervises, extends */
    ROLE_OPERATOR, /* 指挥中心: registers, dispatches, verifies */
    ROLE_HANDLER,  /* 处置单位: accepts, handles, returns */
    ROLE_REPORTER, /* 网格员/监督员: reports and verifies on site */
    ROLE_PUBLIC,   /* API-key clients, Open311, citizens */
    ROLE_ENTERPRISE, /* 企业: an enterprise's account, bound to its managed object (self-checks) */
    ROLE__COUNT
} bh_role_t;

/* "admin", "leader", ...; NULL for an out-of-range value. */
const char *role_name(bh_role_t r);

/* The Chinese label: "系统管理员", "领导", ... */
const char *role_label(bh_role_t r);

/* Parse a role name; returns -1 when unknown. */
int role_from_name(const char *s);

/* Outside the government (public, enterprise): no jurisdiction over a
 * unit; such a user sees only what it filed or what is bound to it. */
int role_external(bh_role_t r);

/*
 * The case sources (svc_sources) a role may file a case under, as data:
 * NULL-terminated, the role's default first.  A client cannot pick
 * 'petition' or 'superior' to get their SLA policies or to skew the
 * statistics by source: a public key files as citizen or open311, a grid
 * worker as grid, inspection, video or open311; the command centre and the
 * administrator (ledger imports) any.  Roles that do not report (leader,
 * handler) have an empty list.  Documented in docs/ROLES.md.
 */
const char *const *role_sources(bh_role_t r);

/* Is 'source' in role_sources(r)?  False for NULL. */
int role_may_use_source(bh_role_t r, const char *source);

#endif
