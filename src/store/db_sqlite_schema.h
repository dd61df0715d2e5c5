/*
 * db_sqlite_schema.h - the SQLite schema as numbered migrations.  A
 * database records the last migration applied in PRAGMA user_version; new
 * migrations are appended, never edited.
 */
#ifndef BH_DB_SQLITE_SCHEMA_H
#define BH_DB_SQLITE_SCHEMA_H

/* Migration 14's pieces (see there). */
/* add (sign "") or take back (sign "-") the contribution of case row 'who' */
#define ROLLUP_ADD(who, sign)                                                   \
    "  INSERT INTO case_rollup SELECT node, dim, day, val, due_day, close_day,"  \
    " " sign "n, " sign "reg, " sign "ot, " sign "hd, " sign "rw, " sign "rt, "  \
    sign "sat, " sign "hms, " sign "hn FROM case_rollup_src WHERE id = " who ".id" \
    ROLLUP_PLUS ";"
/* an upsert's adding of the counts, on case_rollup and case_rollup_done */
#define ROLLUP_PLUS                                                             \
    " ON CONFLICT DO UPDATE SET n = n + excluded.n, reg = reg + excluded.reg,"   \
    " ot = ot + excluded.ot, hd = hd + excluded.hd, rw = rw + excluded.rw,"      \
    " rt = rt + excluded.rt, sat = sat + excluded.sat, hms = hms + excluded.hms," \
    " hn = hn + excluded.hn"
/* Migration 21's: the contribution of case row 'who' with its close
 * day's bucket (ROLLUP_CB, sqlite_int.h), and the rows of
 * case_rollup_done a row of case_rollup adds ("") or takes back ("-"). */
#define ROLLUP_ADD_CB(who, sign)                                                \
    "  INSERT INTO case_rollup SELECT node, dim, " ROLLUP_CB("close_day") ","    \
    " day, val, due_day, close_day,"                                            \
    " " sign "n, " sign "reg, " sign "ot, " sign "hd, " sign "rw, " sign "rt, "  \
    sign "sat, " sign "hms, " sign "hn FROM case_rollup_src WHERE id = " who ".id" \
    ROLLUP_PLUS ";"
#define ROLLUP_DONE_ADD(row, sign, when)                                        \
    "  INSERT INTO case_rollup_done SELECT " row ".node, " row ".dim, " row ".day," \
    " " row ".val, " row ".cb, " sign row ".n, " sign row ".reg, " sign row ".ot," \
    " " sign row ".hd, " sign row ".rw, " sign row ".rt, " sign row ".sat,"      \
    " " sign row ".hms, " sign row ".hn WHERE " when ROLLUP_PLUS ";"
#define ROLLUP_DONE_ZERO(row)                                                   \
    "  DELETE FROM case_rollup_done WHERE node = " row ".node AND dim = " row ".dim" \
    " AND day = " row ".day AND val = " row ".val AND cb = " row ".cb AND n = 0;"
/* the same row of case_rollup_done before and after an update */
#define ROLLUP_DONE_SAME                                                        \
    "(OLD.node = NEW.node AND OLD.dim = NEW.dim AND OLD.day = NEW.day"           \
    " AND OLD.val = NEW.val AND OLD.cb = NEW.cb)"
/* a change of anything a case contributes (the sweep's light changes are not) */
#define ROLLUP_CHANGED                                                          \
    "(OLD.created_at IS NOT NEW.created_at OR OLD.unit IS NOT NEW.unit"          \
    " OR OLD.handling_unit IS NOT NEW.handling_unit OR OLD.category IS NOT NEW.category" \
    " OR OLD.source IS NOT NEW.source OR OLD.registered_at IS NOT NEW.registered_at" \
    " OR OLD.dispatched_at IS NOT NEW.dispatched_at OR OLD.handled_at IS NOT NEW.handled_at" \
    " OR OLD.closed_at IS NOT NEW.closed_at OR OLD.due_at IS NOT NEW.due_at"     \
    " OR OLD.on_time IS NOT NEW.on_time OR OLD.rework_count IS NOT NEW.rework_count" \
    " OR OLD.rating IS NOT NEW.rating)"

static const char *const migrations[] = {
    /* 1: units, users, sessions, categories, cases and their history. */
    "CREATE TABLE units("
    "  code TEXT PRIMARY KEY, parent TEXT REFERENCES units(code),"
    "  name TEXT NOT NULL, type TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1);"
    "CREATE INDEX units_parent ON units(parent);"
    "CREATE INDEX units_name ON units(name, type);"
    "CREATE TABLE users("
    "  id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, role TEXT NOT NULL,"
    "  unit TEXT NOT NULL REFERENCES units(code), display_name TEXT, phone TEXT,"
    "  pwhash TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1);"
    "CREATE TABLE sessions("
    "  token_hash BLOB PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),"
    "  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE categories("
    "  code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, parent TEXT,"
    "  policy TEXT NOT NULL);"
    "CREATE TABLE cases("
    "  id INTEGER PRIMARY KEY,"
    "  category TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,"
    "  description TEXT NOT NULL, source TEXT NOT NULL, urgency TEXT,"
    "  unit TEXT NOT NULL, handling_unit TEXT, lat REAL, lng REAL, address TEXT,"
    "  reporter_name TEXT, reporter_phone TEXT, created_by TEXT,"
    "  external_id TEXT, idempotency_key TEXT,"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    "  version INTEGER NOT NULL, status TEXT NOT NULL, light TEXT NOT NULL,"
    "  next_change INTEGER, supervised INTEGER NOT NULL DEFAULT 0,"
    "  rework_count INTEGER NOT NULL DEFAULT 0, return_count INTEGER NOT NULL DEFAULT 0,"
    "  rating INTEGER, registered_at INTEGER, dispatched_at INTEGER,"
    "  handled_at INTEGER, closed_at INTEGER, due_at INTEGER, on_time INTEGER);"
    "CREATE UNIQUE INDEX cases_idem ON cases(idempotency_key) WHERE idempotency_key IS NOT NULL;"
    "CREATE UNIQUE INDEX cases_ext ON cases(source, external_id) WHERE external_id IS NOT NULL;"
    "CREATE INDEX cases_created ON cases(created_at);"
    "CREATE INDEX cases_updated ON cases(updated_at);"
    "CREATE INDEX cases_unit ON cases(unit, created_at);"
    "CREATE INDEX cases_handling ON cases(handling_unit, created_at);"
    "CREATE INDEX cases_status ON cases(status, created_at);"
    "CREATE INDEX cases_category ON cases(category, created_at);"
    "CREATE INDEX cases_source ON cases(source, created_at);"
    "CREATE INDEX cases_light ON cases(light, created_at);"
    "CREATE INDEX cases_next_change ON cases(next_change) WHERE next_change IS NOT NULL;"
    "CREATE TABLE case_events("
    "  case_id INTEGER NOT NULL REFERENCES cases(id), seq INTEGER NOT NULL,"
    "  action TEXT NOT NULL, role TEXT NOT NULL, actor TEXT, actor_unit TEXT,"
    "  at INTEGER NOT NULL, reason TEXT, note TEXT, to_unit TEXT, result TEXT,"
    "  clock TEXT, amount REAL, level INTEGER, rating INTEGER, into_case TEXT,"
    "  PRIMARY KEY(case_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE case_clocks("
    "  case_id INTEGER NOT NULL, name TEXT NOT NULL, started_at INTEGER,"
    "  deadline INTEGER, stopped_at INTEGER, light TEXT NOT NULL,"
    "  PRIMARY KEY(case_id, name)) WITHOUT ROWID;"
    "CREATE TABLE case_counts("
    "  status TEXT NOT NULL, light TEXT NOT NULL, n INTEGER NOT NULL,"
    "  PRIMARY KEY(status, light)) WITHOUT ROWID;"
    "CREATE VIRTUAL TABLE cases_fts USING fts5(title, description, address,"
    "  content='cases', content_rowid='id', tokenize='bihuan_cjk');",

    /* 2: grid polygons with an R*Tree of their bounding boxes, API keys,
     *    and the extra fields citizens send through Open311. */
    "CREATE TABLE unit_geometry("
    "  unit TEXT PRIMARY KEY REFERENCES units(code), geojson TEXT NOT NULL,"
    "  minx REAL NOT NULL, miny REAL NOT NULL, maxx REAL NOT NULL, maxy REAL NOT NULL);"
    "CREATE VIRTUAL TABLE unit_rtree USING rtree(id, minx, maxx, miny, maxy);"
    "CREATE TABLE api_keys("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, key_hash BLOB NOT NULL UNIQUE,"
    "  role TEXT NOT NULL, unit TEXT NOT NULL REFERENCES units(code),"
    "  created_at INTEGER NOT NULL, last_used_at INTEGER, revoked_at INTEGER);"
    "ALTER TABLE cases ADD COLUMN attributes TEXT;"
    "ALTER TABLE cases ADD COLUMN media_url TEXT;"
    "ALTER TABLE cases ADD COLUMN contact TEXT;"
    "CREATE INDEX case_events_at ON case_events(at);",

    /* 3: the hash-chained audit log. */
    "CREATE TABLE audit("
    "  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT, action TEXT NOT NULL,"
    "  object TEXT NOT NULL, detail TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL);",

    /* 4: managed objects. */
    "CREATE TABLE objects("
    "  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, code TEXT UNIQUE, name TEXT NOT NULL,"
    "  grid TEXT NOT NULL REFERENCES units(code), type TEXT, risk TEXT, address TEXT,"
    "  lat REAL, lng REAL, active INTEGER NOT NULL DEFAULT 1,"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX objects_grid ON objects(grid, kind);"
    "CREATE INDEX objects_kind ON objects(kind, risk);",

    /* 5: session idle timeout and revocation by user (issue 17). */
    "ALTER TABLE sessions ADD COLUMN last_used_at INTEGER;"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE INDEX sessions_expires ON sessions(expires_at);"
    /* cases the sweep set aside because their history does not replay */
    "CREATE TABLE case_quarantine("
    "  case_id INTEGER PRIMARY KEY REFERENCES cases(id), at INTEGER NOT NULL, reason TEXT NOT NULL);"
    /* the audit log's lanes (svc/audit.c); SQLite writes lane 0 only */
    "ALTER TABLE audit ADD COLUMN lane INTEGER NOT NULL DEFAULT 0;"
    /* leases: one holder at a time for jobs that must not run twice (the sweep) */
    "CREATE TABLE leases("
    "  name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;",

    /* 6: the patrol loop (issue 10): check-ins, hazards, objects' risk
     *    history (a change applies from the next slot), the configuration. */
    "CREATE TABLE patrols("
    "  id INTEGER PRIMARY KEY, client_id TEXT NOT NULL, created_by TEXT NOT NULL,"
    "  object_id INTEGER NOT NULL REFERENCES objects(id), object_kind TEXT NOT NULL,"
    "  grid TEXT NOT NULL, risk TEXT, self_check INTEGER NOT NULL,"
    "  at INTEGER NOT NULL, received_at INTEGER NOT NULL,"
    "  lat REAL, lng REAL, accuracy REAL, distance_m REAL, flags TEXT, answers TEXT NOT NULL,"
    "  note TEXT, track TEXT, track_m REAL, duration_s INTEGER, late INTEGER NOT NULL,"
    "  nhazards INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX patrols_client ON patrols(created_by, client_id);"
    "CREATE INDEX patrols_object ON patrols(object_id, at);"
    "CREATE INDEX patrols_grid ON patrols(grid, at);"
    "CREATE INDEX patrols_at ON patrols(at);"
    "CREATE TABLE hazards("
    "  id INTEGER PRIMARY KEY, patrol_id INTEGER NOT NULL REFERENCES patrols(id),"
    "  object_id INTEGER NOT NULL REFERENCES objects(id), grid TEXT NOT NULL,"
    "  severity TEXT NOT NULL, type TEXT, description TEXT NOT NULL,"
    "  self_check INTEGER NOT NULL, on_spot INTEGER NOT NULL, found_at INTEGER NOT NULL,"
    "  deadline INTEGER NOT NULL, status INTEGER NOT NULL, rectified_at INTEGER,"
    "  rectified_by TEXT, note TEXT, case_id INTEGER REFERENCES cases(id), supervisor TEXT,"
    "  plan TEXT, version INTEGER NOT NULL);"
    "CREATE INDEX hazards_grid ON hazards(grid, found_at);"
    "CREATE INDEX hazards_found ON hazards(found_at);"
    "CREATE INDEX hazards_patrol ON hazards(patrol_id);"
    "CREATE INDEX hazards_object ON hazards(object_id);"
    "CREATE INDEX hazards_case ON hazards(case_id) WHERE case_id IS NOT NULL;"
    "CREATE TABLE object_risks("
    "  object_id INTEGER NOT NULL REFERENCES objects(id), from_day INTEGER NOT NULL,"
    "  risk TEXT, PRIMARY KEY(object_id, from_day)) WITHOUT ROWID;"
    "INSERT INTO object_risks(object_id, from_day, risk)"
    "  SELECT id, (created_at + 28800000) / 86400000, risk FROM objects;"
    "ALTER TABLE users ADD COLUMN object_id INTEGER REFERENCES objects(id);"
    "CREATE TABLE patrol_config("
    "  id INTEGER PRIMARY KEY CHECK(id = 1), body TEXT NOT NULL, at INTEGER NOT NULL, by TEXT);",

    /* 7: river and forest sections' lines, and the share of its section a
     *    patrol's track covered (geo/track.h; NULL: not a section with a line). */
    "ALTER TABLE objects ADD COLUMN line TEXT;"
    "ALTER TABLE patrols ADD COLUMN covered REAL;",

    /* 8: the due computation and figures read every check-in of a year
     *    (sq_visits); indexes that carry its columns spare a table lookup
     *    per row (bench_patrol stats). */
    "DROP INDEX patrols_object;"
    "CREATE INDEX patrols_object ON patrols(object_id, at, self_check, track_m, covered);"
    "DROP INDEX patrols_grid;"
    "CREATE INDEX patrols_grid ON patrols(grid, at, object_id, self_check, track_m, covered);",

    /* 9: the target loop: targets and actuals as entered (history kept:
     *    the latest entry of a key is in force), and the monthly flags. */
    "CREATE TABLE targets("
    "  id INTEGER PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code),"
    "  indicator TEXT NOT NULL, year INTEGER NOT NULL, period TEXT NOT NULL,"
    "  value REAL NOT NULL, at INTEGER NOT NULL, by TEXT NOT NULL, note TEXT);"
    "CREATE INDEX targets_year ON targets(year, id);"
    "CREATE TABLE target_actuals("
    "  id INTEGER PRIMARY KEY, unit TEXT NOT NULL REFERENCES units(code),"
    "  indicator TEXT NOT NULL, year INTEGER NOT NULL, month INTEGER NOT NULL,"
    "  cumulative INTEGER NOT NULL, value REAL, num REAL, den REAL,"
    "  at INTEGER NOT NULL, by TEXT NOT NULL, note TEXT);"
    "CREATE INDEX target_actuals_year ON target_actuals(year, id);"
    "CREATE TABLE target_awards("
    "  parent TEXT NOT NULL REFERENCES units(code), year INTEGER NOT NULL,"
    "  month INTEGER NOT NULL, at INTEGER NOT NULL, by TEXT NOT NULL,"
    "  PRIMARY KEY(parent, year, month)) WITHOUT ROWID;"
    "CREATE TABLE target_flags("
    "  parent TEXT NOT NULL, year INTEGER NOT NULL, month INTEGER NOT NULL,"
    "  unit TEXT NOT NULL REFERENCES units(code), flag TEXT NOT NULL, rank INTEGER NOT NULL,"
    "  score REAL NOT NULL, at INTEGER NOT NULL, by TEXT NOT NULL,"
    "  PRIMARY KEY(parent, year, month, unit),"
    "  FOREIGN KEY(parent, year, month) REFERENCES target_awards(parent, year, month))"
    "  WITHOUT ROWID;",

    /* 10: key projects (重点项目): the projects, their milestones, the
     *     amounts entered (history kept: month 0 the year's plan, 1..12 the
     *     month's completed investment) and progress logs. */
    "CREATE TABLE projects("
    "  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    "  unit TEXT NOT NULL REFERENCES units(code), category TEXT NOT NULL,"
    "  total REAL NOT NULL, start_day INTEGER NOT NULL, end_day INTEGER NOT NULL,"
    "  started_on INTEGER, finished_on INTEGER, created_at INTEGER NOT NULL,"
    "  created_by TEXT NOT NULL, note TEXT, version INTEGER NOT NULL);"
    "CREATE TABLE project_milestones("
    "  id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),"
    "  name TEXT NOT NULL, planned_day INTEGER NOT NULL, actual_day INTEGER,"
    "  at INTEGER NOT NULL, by TEXT NOT NULL);"
    "CREATE INDEX project_milestones_project ON project_milestones(project_id, planned_day);"
    "CREATE TABLE project_amounts("
    "  id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),"
    "  year INTEGER NOT NULL, month INTEGER NOT NULL, amount REAL NOT NULL,"
    "  at INTEGER NOT NULL, by TEXT NOT NULL, note TEXT);"
    "CREATE INDEX project_amounts_year ON project_amounts(year, project_id, id);"
    "CREATE TABLE project_logs("
    "  id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),"
    "  kind TEXT NOT NULL, day INTEGER NOT NULL, text TEXT NOT NULL, percent REAL,"
    "  problems TEXT, at INTEGER NOT NULL, by TEXT NOT NULL);"
    "CREATE INDEX project_logs_project ON project_logs(project_id, day, id);",

    /* 11: the imported configuration documents by kind ("patrol": plans
     *     and checklists, "targets": indicators and assessment rules), in
     *     one table instead of one per loop; the patrol one moves over. */
    "CREATE TABLE configs("
    "  kind TEXT PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL, by TEXT)"
    "  WITHOUT ROWID;"
    "INSERT INTO configs(kind, body, at, by) SELECT 'patrol', body, at, by FROM patrol_config;"
    "DROP TABLE patrol_config;",

    /* 12: what a client said of an event (FixMyStreet's update_id, unique
     *     within a case so that a repeated post is harmless, and the
     *     commenter's details as JSON); whether anyone may read a case
     *     through Open311 (derived: reported there, or published) and
     *     whether its reporter asks for it to be taken up again (derived). */
    "ALTER TABLE cases ADD COLUMN published INTEGER NOT NULL DEFAULT 0;"
    "UPDATE cases SET published = 1 WHERE source = 'open311';"
    "CREATE INDEX cases_published ON cases(created_at) WHERE published = 1;"
    "ALTER TABLE cases ADD COLUMN reopen_requested INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX cases_reopen_requested ON cases(created_at) WHERE reopen_requested = 1;"
    "ALTER TABLE case_events ADD COLUMN ext_id TEXT;"
    "ALTER TABLE case_events ADD COLUMN extra TEXT;"
    "CREATE UNIQUE INDEX case_events_ext ON case_events(case_id, ext_id)"
    "  WHERE ext_id IS NOT NULL;",

    /* 13: the reporting loop: built reports with their content frozen as
     *     JSON, and the schedules of bulletins built every week or month. */
    "CREATE TABLE reports("
    "  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, unit TEXT NOT NULL,"
    "  from_day INTEGER NOT NULL, to_day INTEGER NOT NULL, title TEXT NOT NULL,"
    "  content TEXT NOT NULL, created_at INTEGER NOT NULL, created_by TEXT NOT NULL,"
    "  schedule_id INTEGER);"
    "CREATE INDEX reports_unit ON reports(unit, id);"
    "CREATE TABLE report_schedules("
    "  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, unit TEXT NOT NULL, every TEXT NOT NULL,"
    "  day INTEGER NOT NULL, minute INTEGER NOT NULL, next_at INTEGER NOT NULL,"
    "  active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL, created_by TEXT NOT NULL,"
    "  last_report INTEGER);",

    /* 14: statistics roll-ups (issue 13).  case_rollup holds, per roll-up
     *     node (each district, street and community containing the case's
     *     unit; the case's own unit and its handling unit when they are
     *     departments), per grouping (dim 0: the node's child unit, 1:
     *     category, 2: source), per day of creation and group value, and
     *     per day the case fell due and the day it closed (-1: not yet),
     *     the counts GET /api/v1/stats/cases sums (store/sqlite_stats.c).
     *     case_rollup_src says what one case contributes; triggers add the
     *     new contribution and take back the old one in the transaction of
     *     every write, so no write path can forget them.  Rows that fall to
     *     zero are removed.  `bihuan stats rebuild` recomputes the table
     *     from the same view. */
    "CREATE TABLE case_rollup("
    "  node TEXT NOT NULL, dim INTEGER NOT NULL, day INTEGER NOT NULL, val TEXT NOT NULL,"
    "  due_day INTEGER NOT NULL, close_day INTEGER NOT NULL,"
    "  n INTEGER NOT NULL, reg INTEGER NOT NULL, ot INTEGER NOT NULL, hd INTEGER NOT NULL,"
    "  rw INTEGER NOT NULL, rt INTEGER NOT NULL, sat INTEGER NOT NULL, hms INTEGER NOT NULL,"
    "  hn INTEGER NOT NULL,"
    "  PRIMARY KEY(node, dim, day, val, due_day, close_day)) WITHOUT ROWID;"
    /* the fan-out: node levels 0-2 (district, street, community of the
     * code's digits), 3 (the unit, a department), 4 (the handling
     * department) crossed with the three groupings */
    "CREATE TABLE case_rollup_fan(lvl INTEGER NOT NULL, dim INTEGER NOT NULL,"
    "  PRIMARY KEY(lvl, dim)) WITHOUT ROWID;"
    "INSERT INTO case_rollup_fan VALUES(0,0),(0,1),(0,2),(1,0),(1,1),(1,2),(2,0),(2,1),(2,2),"
    "  (3,0),(3,1),(3,2),(4,0),(4,1),(4,2);"
    /* days are China Standard Time days (UTC+8, no DST) as dt_local_day;
     * the child unit is substr(unit, 1, unit_child_code_len(node)) */
    "CREATE VIEW case_rollup_src AS SELECT id, node, dim,"
    "  (created_at + 28800000) / 86400000 AS day,"
    "  CASE dim WHEN 0 THEN substr(unit, 1, CASE WHEN instr(node, '-') THEN length(node)"
    "                                           WHEN length(node) = 6 THEN 9"
    "                                           WHEN length(node) = 9 THEN 12"
    "                                           WHEN length(node) = 12 THEN 14"
    "                                           ELSE length(node) END)"
    "           WHEN 1 THEN category ELSE source END AS val,"
    "  CASE WHEN registered_at IS NULL OR coalesce(closed_at, due_at) IS NULL THEN -1"
    "       ELSE (min(coalesce(closed_at, due_at), coalesce(due_at, closed_at)) + 28800000)"
    "            / 86400000 END AS due_day,"
    "  CASE WHEN closed_at IS NULL THEN -1 ELSE (closed_at + 28800000) / 86400000 END AS close_day,"
    "  1 AS n, registered_at IS NOT NULL AS reg, coalesce(closed_at IS NOT NULL AND on_time = 1, 0) AS ot,"
    "  handled_at IS NOT NULL AS hd, rework_count > 0 AS rw, rating IS NOT NULL AS rt,"
    "  coalesce(rating >= 3, 0) AS sat,"
    "  CASE WHEN handled_at IS NOT NULL AND dispatched_at IS NOT NULL"
    "       THEN handled_at - dispatched_at ELSE 0 END AS hms,"
    "  handled_at IS NOT NULL AND dispatched_at IS NOT NULL AS hn"
    " FROM (SELECT k.*, f.dim,"
    "         CASE f.lvl WHEN 0 THEN substr(k.p, 1, 6)"
    "                    WHEN 1 THEN CASE WHEN length(k.p) >= 9 THEN substr(k.p, 1, 9) END"
    "                    WHEN 2 THEN CASE WHEN length(k.p) >= 12 THEN substr(k.p, 1, 12) END"
    "                    WHEN 3 THEN CASE WHEN instr(k.unit, '-') THEN k.unit END"
    "                    ELSE CASE WHEN instr(k.handling_unit, '-')"
    "                               AND k.handling_unit IS NOT k.unit THEN k.handling_unit END"
    "         END AS node"
    "       FROM (SELECT cases.*, CASE WHEN instr(unit, '-')"
    "                                  THEN substr(unit, 1, instr(unit, '-') - 1)"
    "                                  ELSE unit END AS p FROM cases) k, case_rollup_fan f)"
    " WHERE node IS NOT NULL;"
    "CREATE TRIGGER cases_rollup_ins AFTER INSERT ON cases BEGIN"
    ROLLUP_ADD("NEW", "")
    " END;"
    "CREATE TRIGGER cases_rollup_old BEFORE UPDATE ON cases WHEN " ROLLUP_CHANGED " BEGIN"
    ROLLUP_ADD("OLD", "-")
    /* a row at zero says nothing: any such row under the old keys may go */
    "  DELETE FROM case_rollup WHERE n = 0"
    "    AND node IN (SELECT node FROM case_rollup_src WHERE id = OLD.id) AND dim IN (0, 1, 2)"
    "    AND day = (OLD.created_at + 28800000) / 86400000"
    "    AND val IN (SELECT val FROM case_rollup_src WHERE id = OLD.id)"
    "    AND due_day IN (SELECT due_day FROM case_rollup_src WHERE id = OLD.id)"
    "    AND close_day IN (SELECT close_day FROM case_rollup_src WHERE id = OLD.id);"
    " END;"
    "CREATE TRIGGER cases_rollup_new AFTER UPDATE ON cases WHEN " ROLLUP_CHANGED " BEGIN"
    ROLLUP_ADD("NEW", "")
    " END;"
    "INSERT INTO case_rollup SELECT " ROLLUP_SUMS " FROM case_rollup_src GROUP BY 1, 2, 3, 4, 5, 6;"
    /* the cases whose closing or falling due is on the day of as_of */
    "CREATE INDEX cases_closed ON cases(closed_at) WHERE closed_at IS NOT NULL;"
    "CREATE INDEX cases_due ON cases(due_at) WHERE due_at IS NOT NULL;",
    /* 15: ledger imports commit in chunks; this is how far each got, so a
     * run cut short resumes where it stopped instead of writing twice. */
    "CREATE TABLE ledger_imports("
    "  digest BLOB NOT NULL, kind TEXT NOT NULL, username TEXT NOT NULL,"
    "  rows_done INTEGER NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL,"
    "  unchanged INTEGER NOT NULL, bad INTEGER NOT NULL,"
    "  started_at INTEGER NOT NULL, at INTEGER NOT NULL, finished_at INTEGER,"
    "  PRIMARY KEY(digest, kind, username)) WITHOUT ROWID;",
    /* 16: categories and SLA policies in versions (issue 15): every
     * document ever in force, so a case keeps the policy it was reported
     * under when an administrator edits the limits.  Cases reported
     * before this migration are under version 1, which the first start
     * stores from the categories file it runs with. */
    "CREATE TABLE category_versions("
    "  version INTEGER PRIMARY KEY, body TEXT NOT NULL, digest TEXT NOT NULL,"
    "  source TEXT NOT NULL, at INTEGER NOT NULL, by TEXT);"
    "ALTER TABLE cases ADD COLUMN policy_version INTEGER NOT NULL DEFAULT 1;",
    /* 17: evidence (issue 14): files attached to cases and check-ins; the
     * bytes are outside the database, named by their SHA-256. */
    "CREATE TABLE attachments("
    "  id INTEGER PRIMARY KEY, case_id INTEGER REFERENCES cases(id),"
    "  patrol_id INTEGER REFERENCES patrols(id), sha256 TEXT NOT NULL, type TEXT NOT NULL,"
    "  size INTEGER NOT NULL, stage TEXT NOT NULL, name TEXT, taken_at INTEGER,"
    "  has_exif INTEGER NOT NULL, lat REAL, lng REAL, uploaded_by TEXT NOT NULL,"
    "  at INTEGER NOT NULL);"
    "CREATE INDEX attachments_case ON attachments(case_id) WHERE case_id IS NOT NULL;"
    "CREATE INDEX attachments_patrol ON attachments(patrol_id) WHERE patrol_id IS NOT NULL;",
    /* 18: notifications (issue 14): the transactional outbox - a notice is
     * written in the transaction of the event it tells of, once per event
     * and channel, and a deliverer leases and sends it. */
    "CREATE TABLE notify_outbox("
    "  id INTEGER PRIMARY KEY, dedupe TEXT NOT NULL, channel TEXT NOT NULL, event TEXT NOT NULL,"
    "  unit TEXT, ref TEXT, subject TEXT NOT NULL, body TEXT NOT NULL, data TEXT,"
    "  status TEXT NOT NULL, attempts INTEGER NOT NULL, next_at INTEGER NOT NULL,"
    "  lease_until INTEGER, leased_by TEXT, last_error TEXT, created_at INTEGER NOT NULL,"
    "  sent_at INTEGER, UNIQUE(dedupe, channel));"
    "CREATE INDEX notify_due ON notify_outbox(next_at) WHERE status = 'pending';"
    "CREATE INDEX notify_status ON notify_outbox(status, id);",
    /* 19: search newest first (issue 13; sqlite_search.c).  Per block of
     * 1024 case ids: the least created_at in it (lo) and the greatest at
     * or below it (pre, a running maximum over the blocks).  Kept by the
     * triggers on every insert, also one into an older block. */
    "CREATE TABLE case_spans(block INTEGER PRIMARY KEY, lo INTEGER NOT NULL, pre INTEGER NOT NULL);"
    "INSERT INTO case_spans(block, lo, pre)"
    "  SELECT id >> 10, min(created_at), max(created_at) FROM cases GROUP BY id >> 10;"
    "UPDATE case_spans SET pre = w.m FROM"
    "  (SELECT block AS b, max(pre) OVER (ORDER BY block) AS m FROM case_spans) w"
    "  WHERE w.b = case_spans.block;"
    "CREATE TRIGGER cases_span_ins AFTER INSERT ON cases BEGIN"
    "  INSERT INTO case_spans(block, lo, pre) VALUES(new.id >> 10, new.created_at,"
    "    max(new.created_at, coalesce((SELECT pre FROM case_spans WHERE block < new.id >> 10"
    "      ORDER BY block DESC LIMIT 1), new.created_at)))"
    "    ON CONFLICT(block) DO UPDATE SET lo = min(lo, excluded.lo), pre = max(pre, excluded.pre);"
    "  UPDATE case_spans SET pre = new.created_at WHERE block > new.id >> 10 AND pre < new.created_at;"
    "END;"
    "CREATE TRIGGER cases_span_upd AFTER UPDATE OF created_at ON cases BEGIN"
    "  UPDATE case_spans SET lo = min(lo, new.created_at) WHERE block = new.id >> 10;"
    "  UPDATE case_spans SET pre = new.created_at WHERE block >= new.id >> 10 AND pre < new.created_at;"
    "END;",
    /* 20: bulk loads (issue 13; sqlite_bulk.c): while one runs, the
     * roll-up triggers it set aside, and the first case id it wrote.  A
     * store with rows here was left by a load cut short. */
    "CREATE TABLE bulk_load(name TEXT PRIMARY KEY, sql TEXT NOT NULL, first_id INTEGER NOT NULL);",
    /* 21: statistics of settled cases (issue 13; sqlite_stats.c).
     *     case_rollup gains cb, the 16-day bucket of its close day (-1: not
     *     closed), third in its key: the rows whose counts still depend on
     *     the moment asked about are a few seeks (cb -1 and the buckets
     *     from the moment's own).  case_rollup_done sums case_rollup's
     *     closed rows per node, grouping, day, group value and bucket: a
     *     case closed in a bucket before the moment's counts as closed and
     *     due whatever its days were.  Triggers on case_rollup keep it, so
     *     whatever writes case_rollup (the case triggers, a rebuild) keeps
     *     it too; a bulk load sets them aside and sums it at its end. */
    "DROP TRIGGER IF EXISTS cases_rollup_ins; DROP TRIGGER IF EXISTS cases_rollup_old;"
    " DROP TRIGGER IF EXISTS cases_rollup_new;"
    "ALTER TABLE case_rollup RENAME TO case_rollup_v14;"
    "CREATE TABLE case_rollup("
    "  node TEXT NOT NULL, dim INTEGER NOT NULL, cb INTEGER NOT NULL, day INTEGER NOT NULL,"
    "  val TEXT NOT NULL, due_day INTEGER NOT NULL, close_day INTEGER NOT NULL,"
    "  n INTEGER NOT NULL, reg INTEGER NOT NULL, ot INTEGER NOT NULL, hd INTEGER NOT NULL,"
    "  rw INTEGER NOT NULL, rt INTEGER NOT NULL, sat INTEGER NOT NULL, hms INTEGER NOT NULL,"
    "  hn INTEGER NOT NULL,"
    "  PRIMARY KEY(node, dim, cb, day, val, due_day, close_day)) WITHOUT ROWID;"
    "INSERT INTO case_rollup SELECT node, dim, " ROLLUP_CB("close_day") ", day, val, due_day,"
    "  close_day, n, reg, ot, hd, rw, rt, sat, hms, hn FROM case_rollup_v14"
    "  ORDER BY 1, 2, 3, 4, 5, 6, 7;"
    "DROP TABLE case_rollup_v14;"
    "CREATE TABLE case_rollup_done("
    "  node TEXT NOT NULL, dim INTEGER NOT NULL, day INTEGER NOT NULL, val TEXT NOT NULL,"
    "  cb INTEGER NOT NULL,"
    "  n INTEGER NOT NULL, reg INTEGER NOT NULL, ot INTEGER NOT NULL, hd INTEGER NOT NULL,"
    "  rw INTEGER NOT NULL, rt INTEGER NOT NULL, sat INTEGER NOT NULL, hms INTEGER NOT NULL,"
    "  hn INTEGER NOT NULL,"
    "  PRIMARY KEY(node, dim, day, val, cb)) WITHOUT ROWID;"
    "INSERT INTO case_rollup_done SELECT node, dim, day, val, cb, sum(n), sum(reg), sum(ot),"
    "  sum(hd), sum(rw), sum(rt), sum(sat), sum(hms), sum(hn) FROM case_rollup WHERE cb >= 0"
    "  GROUP BY node, dim, day, val, cb ORDER BY 1, 2, 3, 4, 5;"
    "CREATE TRIGGER rollup_done_ins AFTER INSERT ON case_rollup WHEN NEW.cb >= 0 BEGIN"
    ROLLUP_DONE_ADD("NEW", "", "1")
    " END;"
    /* the upserts of the case triggers: one row's counts move */
    "CREATE TRIGGER rollup_done_upd AFTER UPDATE ON case_rollup"
    "  WHEN NEW.cb >= 0 AND " ROLLUP_DONE_SAME " BEGIN"
    "  INSERT INTO case_rollup_done VALUES(NEW.node, NEW.dim, NEW.day, NEW.val, NEW.cb,"
    "    NEW.n - OLD.n, NEW.reg - OLD.reg, NEW.ot - OLD.ot, NEW.hd - OLD.hd, NEW.rw - OLD.rw,"
    "    NEW.rt - OLD.rt, NEW.sat - OLD.sat, NEW.hms - OLD.hms, NEW.hn - OLD.hn)"
    ROLLUP_PLUS ";"
    ROLLUP_DONE_ZERO("NEW")
    " END;"
    /* any other update (none of bihuan's own): the old row out, the new in */
    "CREATE TRIGGER rollup_done_move AFTER UPDATE ON case_rollup"
    "  WHEN (OLD.cb >= 0 OR NEW.cb >= 0) AND NOT (NEW.cb >= 0 AND " ROLLUP_DONE_SAME ") BEGIN"
    ROLLUP_DONE_ADD("OLD", "-", "OLD.cb >= 0")
    ROLLUP_DONE_ZERO("OLD")
    ROLLUP_DONE_ADD("NEW", "", "NEW.cb >= 0")
    " END;"
    "CREATE TRIGGER rollup_done_del AFTER DELETE ON case_rollup WHEN OLD.cb >= 0 BEGIN"
    ROLLUP_DONE_ADD("OLD", "-", "1")
    ROLLUP_DONE_ZERO("OLD")
    " END;"
    /* migration 14's triggers on cases, writing the bucket */
    "CREATE TRIGGER cases_rollup_ins AFTER INSERT ON cases BEGIN"
    ROLLUP_ADD_CB("NEW", "")
    " END;"
    "CREATE TRIGGER cases_rollup_old BEFORE UPDATE ON cases WHEN " ROLLUP_CHANGED " BEGIN"
    ROLLUP_ADD_CB("OLD", "-")
    "  DELETE FROM case_rollup WHERE n = 0"
    "    AND node IN (SELECT node FROM case_rollup_src WHERE id = OLD.id) AND dim IN (0, 1, 2)"
    "    AND cb = " ROLLUP_CB("coalesce((OLD.closed_at + 28800000) / 86400000, -1)")
    "    AND day = (OLD.created_at + 28800000) / 86400000"
    "    AND val IN (SELECT val FROM case_rollup_src WHERE id = OLD.id)"
    "    AND due_day IN (SELECT due_day FROM case_rollup_src WHERE id = OLD.id)"
    "    AND close_day IN (SELECT close_day FROM case_rollup_src WHERE id = OLD.id);"
    " END;"
    "CREATE TRIGGER cases_rollup_new AFTER UPDATE ON cases WHEN " ROLLUP_CHANGED " BEGIN"
    ROLLUP_ADD_CB("NEW", "")
    " END;",
};

#endif
