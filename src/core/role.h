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
    ROLE__COUNT
} bh_role_t;

/* "admin", "leader", ...; NULL for an out-of-range value. */
const char *role_name(bh_role_t r);

/* The Chinese label: "系统管理员", "领导", ... */
const char *role_label(bh_role_t r);

/* Parse a role name; returns -1 when unknown. */
int role_from_name(const char *s);

#endif
