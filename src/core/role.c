/*
 * role.c - names and labels of the user roles.
 */
#include "core/role.h"

#include <string.h>

static const struct {
    const char *name, *label;
} roles[ROLE__COUNT] = {
    [ROLE_ADMIN] = {"admin", "系统管理员"},
    [ROLE_LEADER] = {"leader", "领导"},
    [ROLE_OPERATOR] = {"operator", "指挥中心"},
    [ROLE_HANDLER] = {"handler", "处置单位"},
    [ROLE_REPORTER] = {"reporter", "网格员"},
    [ROLE_PUBLIC] = {"public", "公众"},
    [ROLE_ENTERPRISE] = {"enterprise", "企业"},
};

int role_external(bh_role_t r)
{
    return r == ROLE_PUBLIC || r == ROLE_ENTERPRISE;
}

const char *role_name(bh_role_t r)
{
    return (unsigned)r < ROLE__COUNT ? roles[r].name : NULL;
}

const char *role_label(bh_role_t r)
{
    return (unsigned)r < ROLE__COUNT ? roles[r].label : NULL;
}

int role_from_name(const char *s)
{
    for (int i = 0; s && i < ROLE__COUNT; i++)
        if (strcmp(s, roles[i].name) == 0)
            return i;
    return -1;
}

static const char *const all_sources[] = {"hotline", "grid", "citizen", "petition", "inspection",
                                          "self_check", "video", "superior", "open311", NULL};
static const char *const reporter_sources[] = {"grid", "inspection", "video", "open311", NULL};
static const char *const public_sources[] = {"citizen", "open311", NULL};
static const char *const no_sources[] = {NULL};

static const char *const *const sources[ROLE__COUNT] = {
    [ROLE_ADMIN] = all_sources,      [ROLE_LEADER] = no_sources,
    [ROLE_OPERATOR] = all_sources,   [ROLE_HANDLER] = no_sources,
    [ROLE_REPORTER] = reporter_sources, [ROLE_PUBLIC] = public_sources,
    [ROLE_ENTERPRISE] = no_sources,
};

const char *const *role_sources(bh_role_t r)
{
    return (unsigned)r < ROLE__COUNT ? sources[r] : no_sources;
}

int role_may_use_source(bh_role_t r, const char *source)
{
    for (const char *const *p = role_sources(r); source && *p; p++)
        if (strcmp(*p, source) == 0)
            return 1;
    return 0;
}
