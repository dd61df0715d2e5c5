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
};

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
