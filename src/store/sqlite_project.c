/*
 * sqlite_project.c - key projects in SQLite: the projects (updated under
 * a version), their milestones, the amounts entered (every entry kept;
 * the latest of a key is in force) and the progress log (store/db.h,
 * struct db_project_ops; schema migration 10).
 */
#include <string.h>

#include "store/sqlite_int.h"


const char *const sq_project_sql[ST__PROJECT_END - ST__TARGET_END] = {
    [ST_PRJ_ADD - ST__TARGET_END] =
        "INSERT INTO projects(code, name, unit, category, total, start_day, end_day, started_on,"
        " finished_on, created_at, created_by, note, version)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,1)",
    [ST_PRJ_UPDATE - ST__TARGET_END] =
        "UPDATE projects SET name=?2, unit=?3, category=?4, total=?5, start_day=?6, end_day=?7,"
        " started_on=?8, finished_on=?9, note=?10, version=version+1"
        " WHERE id=?1 AND version=?11",
    [ST_PRJ_GET - ST__TARGET_END] = "SELECT {project} FROM projects WHERE id=?1",
    [ST_PRJ_LIST - ST__TARGET_END] = "SELECT {project} FROM projects ORDER BY id",
    [ST_MS_ADD - ST__TARGET_END] =
        "INSERT INTO project_milestones(project_id, name, planned_day, actual_day, at, by)"
        " VALUES(?1,?2,?3,?4,?5,?6)",
    [ST_MS_DONE - ST__TARGET_END] =
        "UPDATE project_milestones SET actual_day=?3, at=?4, by=?5 WHERE id=?2 AND project_id=?1",
    [ST_MS_LIST - ST__TARGET_END] =
        "SELECT {milestone} FROM project_milestones WHERE ?1=0 OR project_id=?1"
        " ORDER BY project_id, planned_day, id",
    [ST_AMOUNT_ADD - ST__TARGET_END] =
        "INSERT INTO project_amounts(project_id, year, month, amount, at, by, note)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7)",
    [ST_AMOUNT_LIST - ST__TARGET_END] =
        "SELECT {amount} FROM project_amounts WHERE (?2=0 OR year=?2)"
        " AND (?1=0 OR project_id=?1) ORDER BY id",
    [ST_LOG_ADD - ST__TARGET_END] =
        "INSERT INTO project_logs(project_id, kind, day, text, percent, problems, at, by)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
    [ST_LOG_LIST - ST__TARGET_END] =
        "SELECT {log} FROM project_logs WHERE project_id=?1 AND day<=?2"
        " ORDER BY day DESC, id DESC",
    [ST_LOG_LATEST - ST__TARGET_END] =
        "SELECT {log} FROM project_logs WHERE id IN"
        " (SELECT (SELECT x.id FROM project_logs x WHERE x.project_id=p.id AND x.day<=?2"
        "          ORDER BY x.day DESC, x.id DESC LIMIT 1) FROM projects p)"
        " ORDER BY project_id",
};

static void bind_day_or_null(sqlite3_stmt *s, int i, int32_t day)
{
    if (day)
        sqlite3_bind_int(s, i, day);
    else
        sqlite3_bind_null(s, i);
}

static void bind_project(sqlite3_stmt *s, const db_project_t *p)
{
    bind_text(s, 2, p->name);
    bind_text(s, 3, p->unit);
    bind_text(s, 4, p->category);
    sqlite3_bind_double(s, 5, p->total);
    sqlite3_bind_int(s, 6, p->start_day);
    sqlite3_bind_int(s, 7, p->end_day);
    bind_day_or_null(s, 8, p->started_on);
    bind_day_or_null(s, 9, p->finished_on);
}

static bh_status_t sq_project_add(db_conn_t *c, db_project_t *p, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_PRJ_ADD);
    bh_status_t st;
    bind_text(s, 1, p->code);
    bind_project(s, p);
    sqlite3_bind_int64(s, 10, p->created_at);
    bind_text(s, 11, p->created_by);
    bind_text(s, 12, p->note);
    if ((st = step_insert(c, s, &p->id, err)) == BH_CONFLICT)
        return bh_fail(err, st, "code", "项目编号“%s”已存在", p->code);
    p->version = 1;
    return st;
}

static bh_status_t sq_project_update(db_conn_t *c, const db_project_t *p, int64_t read_version,
                                     bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_PRJ_UPDATE);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, p->id);
    bind_project(s, p);
    bind_text(s, 10, p->note);
    sqlite3_bind_int64(s, 11, read_version);
    if ((st = step_done(c, s, err)))
        return st;
    if (sqlite3_changes(SQ(c)->h) == 1)
        return BH_OK;
    s = sq_stmt(c, ST_PRJ_GET);
    sqlite3_bind_int64(s, 1, p->id);
    st = read_one(sqlite3_step(s));
    sqlite3_reset(s);
    if (st == BH_NOT_FOUND)
        return bh_fail(err, st, "id", "项目 %lld 不存在", (long long)p->id);
    if (st)
        return bh_fail(err, st, "", "读取项目失败，请稍后重试");
    return bh_fail(err, BH_CONFLICT, "version", "项目已被他人修改，请刷新后重试");
}

static const sq_col_t project_cols[] = {
    SQ_COL(db_project_t, id, I64),          SQ_COL(db_project_t, code, TEXT),
    SQ_COL(db_project_t, name, TEXT),       SQ_COL(db_project_t, unit, TEXT),
    SQ_COL(db_project_t, category, TEXT),   SQ_COL(db_project_t, total, REAL),
    SQ_COL(db_project_t, start_day, INT),   SQ_COL(db_project_t, end_day, INT),
    SQ_COL(db_project_t, started_on, INT),  SQ_COL(db_project_t, finished_on, INT),
    SQ_COL(db_project_t, created_at, I64),  SQ_COL(db_project_t, created_by, TEXT),
    SQ_COL(db_project_t, note, TEXT),       SQ_COL(db_project_t, version, I64),
};
const sq_map_t sq_map_project = SQ_MAP("project", project_cols);

static bh_status_t sq_project_get(db_conn_t *c, int64_t id, arena_t *a, db_project_t *out)
{
    sqlite3_stmt *s = sq_stmt(c, ST_PRJ_GET);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, id);
    ONE_ROW(s, a, out, &sq_map_project, st);
    return st;
}

static bh_status_t sq_project_list(db_conn_t *c, arena_t *a, db_project_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_PRJ_LIST);
    bh_status_t st;
    COLLECT(s, a, out, n, db_project_t, &sq_map_project, st);
    return st;
}

static bh_status_t sq_milestone_add(db_conn_t *c, db_milestone_t *m, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_MS_ADD);
    sqlite3_bind_int64(s, 1, m->project_id);
    bind_text(s, 2, m->name);
    sqlite3_bind_int(s, 3, m->planned_day);
    bind_day_or_null(s, 4, m->actual_day);
    sqlite3_bind_int64(s, 5, m->at);
    bind_text(s, 6, m->by);
    return step_insert(c, s, &m->id, err);
}

static bh_status_t sq_milestone_done(db_conn_t *c, int64_t project_id, int64_t id, int32_t day,
                                     dt_ms_t at, const char *by, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_MS_DONE);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, project_id);
    sqlite3_bind_int64(s, 2, id);
    bind_day_or_null(s, 3, day);
    sqlite3_bind_int64(s, 4, at);
    bind_text(s, 5, by);
    if ((st = step_done(c, s, err)))
        return st;
    if (sqlite3_changes(SQ(c)->h) != 1)
        return bh_fail(err, BH_NOT_FOUND, "milestone", "项目 %lld 没有节点 %lld",
                       (long long)project_id, (long long)id);
    return BH_OK;
}

static const sq_col_t milestone_cols[] = {
    SQ_COL(db_milestone_t, id, I64),          SQ_COL(db_milestone_t, project_id, I64),
    SQ_COL(db_milestone_t, name, TEXT),       SQ_COL(db_milestone_t, planned_day, INT),
    SQ_COL(db_milestone_t, actual_day, INT),  SQ_COL(db_milestone_t, at, I64),
    SQ_COL(db_milestone_t, by, TEXT),
};
const sq_map_t sq_map_milestone = SQ_MAP("milestone", milestone_cols);

static bh_status_t sq_milestone_list(db_conn_t *c, int64_t project_id, arena_t *a,
                                     db_milestone_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_MS_LIST);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, project_id);
    COLLECT(s, a, out, n, db_milestone_t, &sq_map_milestone, st);
    return st;
}

static bh_status_t sq_amount_add(db_conn_t *c, db_prj_amount_t *x, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_AMOUNT_ADD);
    sqlite3_bind_int64(s, 1, x->project_id);
    sqlite3_bind_int(s, 2, x->year);
    sqlite3_bind_int(s, 3, x->month);
    sqlite3_bind_double(s, 4, x->amount);
    sqlite3_bind_int64(s, 5, x->at);
    bind_text(s, 6, x->by);
    bind_text(s, 7, x->note);
    return step_insert(c, s, &x->id, err);
}

static const sq_col_t amount_cols[] = {
    SQ_COL(db_prj_amount_t, id, I64),      SQ_COL(db_prj_amount_t, project_id, I64),
    SQ_COL(db_prj_amount_t, year, INT),    SQ_COL(db_prj_amount_t, month, INT),
    SQ_COL(db_prj_amount_t, amount, REAL), SQ_COL(db_prj_amount_t, at, I64),
    SQ_COL(db_prj_amount_t, by, TEXT),     SQ_COL(db_prj_amount_t, note, TEXT),
};
const sq_map_t sq_map_amount = SQ_MAP("amount", amount_cols);

static bh_status_t sq_amount_list(db_conn_t *c, int64_t project_id, int year, arena_t *a,
                                  db_prj_amount_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, ST_AMOUNT_LIST);
    bh_status_t st;
    sqlite3_bind_int64(s, 1, project_id);
    sqlite3_bind_int(s, 2, year);
    COLLECT(s, a, out, n, db_prj_amount_t, &sq_map_amount, st);
    return st;
}

static bh_status_t sq_log_add(db_conn_t *c, db_prj_log_t *l, bh_err_t *err)
{
    sqlite3_stmt *s = sq_stmt(c, ST_LOG_ADD);
    sqlite3_bind_int64(s, 1, l->project_id);
    bind_text(s, 2, l->kind);
    sqlite3_bind_int(s, 3, l->day);
    bind_text(s, 4, l->text);
    bind_real_or_null(s, 5, l->percent >= 0, l->percent);
    bind_text(s, 6, l->problems);
    sqlite3_bind_int64(s, 7, l->at);
    bind_text(s, 8, l->by);
    return step_insert(c, s, &l->id, err);
}

static const sq_col_t log_cols[] = {
    SQ_COL(db_prj_log_t, id, I64),         SQ_COL(db_prj_log_t, project_id, I64),
    SQ_COL(db_prj_log_t, kind, TEXT),      SQ_COL(db_prj_log_t, day, INT),
    SQ_COL(db_prj_log_t, text, TEXT),      SQ_COL(db_prj_log_t, percent, REAL_M1),
    SQ_COL(db_prj_log_t, problems, TEXT),  SQ_COL(db_prj_log_t, at, I64),
    SQ_COL(db_prj_log_t, by, TEXT),
};
const sq_map_t sq_map_log = SQ_MAP("log", log_cols);

static bh_status_t sq_log_list(db_conn_t *c, int64_t project_id, int32_t upto, arena_t *a,
                               db_prj_log_t **out, int *n)
{
    sqlite3_stmt *s = sq_stmt(c, project_id ? ST_LOG_LIST : ST_LOG_LATEST);
    bh_status_t st;
    if (project_id)
        sqlite3_bind_int64(s, 1, project_id);
    sqlite3_bind_int(s, 2, upto);
    COLLECT(s, a, out, n, db_prj_log_t, &sq_map_log, st);
    return st;
}

const struct db_project_ops sq_project_ops = {
    .project_add = sq_project_add,
    .project_update = sq_project_update,
    .project_get = sq_project_get,
    .project_list = sq_project_list,
    .milestone_add = sq_milestone_add,
    .milestone_done = sq_milestone_done,
    .milestone_list = sq_milestone_list,
    .amount_add = sq_amount_add,
    .amount_list = sq_amount_list,
    .log_add = sq_log_add,
    .log_list = sq_log_list,
};
