/*
 * sqlite_rows.c - result rows read through column tables (sq_map_t), and
 * the {name} SELECT lists statements write in their place (see
 * sqlite_int.h).  The tables themselves live beside their aggregate's
 * statements (sqlite_cases.c, sqlite_registry.c, ...).
 */
#include "store/sqlite_int.h"

#include "core/role.h"

/* Enumerations are written through an int. */
_Static_assert(sizeof(case_state_t) == sizeof(int), "case_state_t is not an int");
_Static_assert(sizeof(sla_light_t) == sizeof(int), "sla_light_t is not an int");
_Static_assert(sizeof(case_action_t) == sizeof(int), "case_action_t is not an int");
_Static_assert(sizeof(bh_role_t) == sizeof(int), "bh_role_t is not an int");
_Static_assert(sizeof(int32_t) == sizeof(int), "int32_t is not an int");

static const sq_map_t *const maps[] = {
    &sq_map_unit,    &sq_map_user,      &sq_map_apikey,      &sq_map_object,   &sq_map_case,
    &sq_map_event,   &sq_map_clock,     &sq_map_patrol,      &sq_map_visit,    &sq_map_hazard,
    &sq_map_risk,    &sq_map_project,   &sq_map_milestone,   &sq_map_amount,   &sq_map_log,
    &sq_map_report,  &sq_map_report_full, &sq_map_schedule,  &sq_map_target,   &sq_map_actual,
    &sq_map_flag,    &sq_map_audit,     &sq_map_catver,
    &sq_map_attachment, &sq_map_notice,
};

int sq_light_from_name(const char *s)
{
    for (int l = SLA_LIGHT_NONE; l <= SLA_LIGHT_OVERDUE; l++)
        if (s && strcmp(s, sla_light_name((sla_light_t)l)) == 0)
            return l;
    return SLA_LIGHT_NONE;
}

/* A name column as its enumeration, 'dflt' when unknown or NULL. */
static int by_name(sqlite3_stmt *s, int i, int (*from_name)(const char *), int dflt)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    int v = t ? from_name(t) : -1;
    return v < 0 ? dflt : v;
}

void sq_row(sqlite3_stmt *s, arena_t *a, const sq_map_t *m, void *out)
{
    char *base = out;
    for (int i = 0; i < m->n; i++) {
        void *p = base + m->cols[i].off;
        bool null = sqlite3_column_type(s, i) == SQLITE_NULL;
        switch (m->cols[i].type) {
        case SQ_TEXT:
            *(const char **)p = a ? col_text(s, i, a) : (const char *)sqlite3_column_text(s, i);
            break;
        case SQ_HASH:
            if (sqlite3_column_bytes(s, i) == 32)
                memcpy(p, sqlite3_column_blob(s, i), 32);
            break;
        case SQ_I64: *(int64_t *)p = sqlite3_column_int64(s, i); break;
        case SQ_INT: *(int *)p = sqlite3_column_int(s, i); break;
        case SQ_BOOL: *(bool *)p = sqlite3_column_int(s, i) != 0; break;
        case SQ_MS: *(dt_ms_t *)p = null ? 0 : sqlite3_column_int64(s, i); break;
        case SQ_REAL: *(double *)p = null ? 0 : sqlite3_column_double(s, i); break;
        case SQ_REAL_M1: *(double *)p = null ? -1 : sqlite3_column_double(s, i); break;
        case SQ_TRI: *(int *)p = null ? -1 : sqlite3_column_int(s, i); break;
        case SQ_STATE: *(int *)p = by_name(s, i, case_state_from_name, CASE_ST_NONE); break;
        case SQ_LIGHT: *(int *)p = by_name(s, i, sq_light_from_name, SLA_LIGHT_NONE); break;
        case SQ_ACTION: *(int *)p = by_name(s, i, case_action_from_name, CASE_ACT_REPORT); break;
        case SQ_ROLE: *(int *)p = by_name(s, i, role_from_name, ROLE_PUBLIC); break;
        }
    }
}

static const sq_map_t *map_named(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        if (strlen(maps[i]->name) == len && memcmp(maps[i]->name, name, len) == 0)
            return maps[i];
    return NULL;
}

char *sq_expand(const char *sql)
{
    dynbuf_t b;
    const char *p = sql, *open;

    dynbuf_init(&b, SQL_MAX);
    while ((open = strchr(p, '{'))) {
        const char *close = strchr(open, '}'), *colon;
        const sq_map_t *m;
        size_t nlen;
        if (!close) {
            fprintf(stderr, "bihuan: SQL 中的 { 没有闭合: %s\n", sql);
            abort();
        }
        colon = memchr(open, ':', (size_t)(close - open));
        nlen = (size_t)((colon ? colon : close) - open - 1);
        if (!(m = map_named(open + 1, nlen))) {
            fprintf(stderr, "bihuan: SQL 中未知的列表 %.*s: %s\n", (int)(close - open + 1), open, sql);
            abort(); /* the names are constants: a programmer error */
        }
        dynbuf_add(&b, p, (size_t)(open - p));
        for (int i = 0; i < m->n; i++) {
            if (i)
                dynbuf_addstr(&b, ", ");
            if (colon) {
                dynbuf_add(&b, colon + 1, (size_t)(close - colon - 1));
                dynbuf_addstr(&b, ".");
            }
            dynbuf_addstr(&b, m->cols[i].expr);
        }
        p = close + 1;
    }
    dynbuf_addstr(&b, p);
    if (dynbuf_failed(&b)) {
        fprintf(stderr, "bihuan: SQL 过长: %s\n", sql);
        abort();
    }
    {
        char *out = xstrdup(dynbuf_str(&b));
        dynbuf_free(&b);
        return out;
    }
}
