#!/bin/sh
# bihuan patrol: due over the demo district (a red enterprise is due 12
# times in a year), the configuration out and back in, and a bad
# configuration refused with the field named and nothing changed.
set -eu
B=${1:?usage: test_patrol_cli.sh PATH/TO/bihuan}
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$B" demo --period 2023H1 --db "$D/d.db" --cases 0 --no-patrols --password demo-pass-1234 >/dev/null
"$B" patrol due --db "$D/d.db" --unit 44030300100101 --period 2023 >"$D/due" 2>"$D/err"
# object 2 is the grid's red enterprise: 12 monthly slots, none patrolled
awk -F'\t' '$3=="enterprise" && $4=="red" && $5==12 && $8==12 && $10=="missed" {ok=1} END {exit !ok}' "$D/due" \
    || fail "red enterprise not due 12 times: $(cat "$D/due")"
awk -F'\t' '$3=="component" && $5==12 {ok=1} END {exit !ok}' "$D/due" || fail "component not monthly"
grep -q '合计 ' "$D/err" || fail "no total line"
if "$B" patrol due --db "$D/d.db" --unit 440303 --period 2023H3 2>"$D/err"; then fail "bad period accepted"; fi
grep -q '期间' "$D/err" || fail "bad period message: $(cat "$D/err")"
"$B" patrol config-export --db "$D/d.db" -o "$D/cfg.json" 2>/dev/null
grep -q '"enterprise_red"' "$D/cfg.json" || fail "export lacks the plans"
sed 's/"per": "quarter"/"per": "fortnight"/' "$D/cfg.json" >"$D/bad.json"
if "$B" patrol config-import --db "$D/d.db" "$D/bad.json" 2>"$D/err"; then fail "bad config accepted"; fi
grep -q 'plans\[1\].per' "$D/err" || fail "field not named: $(cat "$D/err")"
sed 's/"per": "year"/"per": "half"/' "$D/cfg.json" >"$D/half.json"
"$B" patrol config-import --db "$D/d.db" "$D/half.json" >/dev/null
"$B" patrol due --db "$D/d.db" --unit 44030300100101 --period 2023 2>/dev/null >"$D/due2"
"$B" patrol config-export --db "$D/d.db" 2>"$D/err" | grep -q '"per": "half"' || fail "import not in force"
grep -q '已导入' "$D/err" || fail "export does not say it is the imported one"
# migration 11: a patrol configuration imported before it (in patrol_config)
# is the one in force after it (in configs)
BIHUAN_ADMIN_PASSWORD=demo-pass-1234 "$B" init --db "$D/m.db" >/dev/null
python3 - "$D/m.db" "$D/half.json" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute("PRAGMA user_version").fetchone()[0] >= 11
# back to a version-10 database: without migration 11's table, 12's columns, 13's, 14's and 15's
# tables, 16's table and column, 17's table, 18's, 19's table and triggers, 20's table and 21's
db.executescript("DROP TRIGGER cases_rollup_ins; DROP TRIGGER cases_rollup_old;"
                 " DROP TRIGGER cases_rollup_new; DROP VIEW case_rollup_src; DROP TABLE case_rollup;"
                 " DROP TABLE case_rollup_fan; DROP INDEX cases_closed; DROP INDEX cases_due;"
                 " DROP TABLE configs; CREATE TABLE patrol_config(id INTEGER PRIMARY KEY CHECK(id = 1),"
                 " body TEXT NOT NULL, at INTEGER NOT NULL, by TEXT);"
                 " DROP INDEX case_events_ext; ALTER TABLE case_events DROP COLUMN ext_id;"
                 " DROP INDEX cases_published; ALTER TABLE cases DROP COLUMN published;"
                 " DROP INDEX cases_reopen_requested; ALTER TABLE cases DROP COLUMN reopen_requested;"
                 " ALTER TABLE case_events DROP COLUMN extra;"
                 " DROP TABLE reports; DROP TABLE report_schedules; DROP TABLE ledger_imports;"
                 " DROP TABLE category_versions; ALTER TABLE cases DROP COLUMN policy_version;"
                 " DROP TABLE attachments; DROP TABLE notify_outbox;"
                 " DROP TRIGGER cases_span_ins; DROP TRIGGER cases_span_upd; DROP TABLE case_spans;"
                 " DROP TABLE bulk_load; DROP TABLE case_rollup_done;"
                 " PRAGMA user_version = 10;")
db.execute("INSERT INTO patrol_config VALUES(1, ?, 1700000000000, 'old')", (open(sys.argv[2]).read(),))
# two version-10 cases: one that came in through Open311, one from the hotline
for source in ("open311", "hotline"):
    db.execute("INSERT INTO cases(category, kind, title, description, source, unit, created_at,"
               " updated_at, version, status, light) VALUES('E0501', 'city_event', 't', 'd', ?,"
               " '440303', 1700000000000, 1700000000000, 1, 'reported', 'green')", (source,))
# the hotline's was handled and closed on time (migration 21 sums it as settled)
db.execute("UPDATE cases SET status = 'closed', registered_at = 1700000100000,"
           " dispatched_at = 1700000200000, handled_at = 1700003600000, due_at = 1700500000000,"
           " closed_at = 1700007200000, on_time = 1 WHERE source = 'hotline'")
db.commit()
PY
"$B" patrol config-export --db "$D/m.db" -o "$D/after.json" 2>"$D/err"
cmp -s "$D/after.json" "$D/half.json" || fail "migration 11 lost the imported configuration"
grep -q '已导入' "$D/err" || fail "after migration 11 the configuration is not the imported one"
# migration 12: what came in through Open311 stays readable by anyone, nothing else becomes so
[ "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT group_concat(source || \":\" || published || reopen_requested, \" \") FROM cases"
    " ORDER BY id").fetchone()[0])' "$D/m.db")" = "open311:10 hotline:00" ] ||
    fail "migration 12 did not derive published from the source"
# migrations 14 and 21: the roll-ups of the cases already there, exact (two cases of the
# district, one open and one closed: two rows by unit, two by category, two by source;
# and the closed one's three in case_rollup_done)
"$B" stats rebuild --db "$D/m.db" >"$D/out" 2>/dev/null || fail "migration 14's roll-ups differ: $(cat "$D/out")"
grep -q '^ok: 统计汇总 9 行' "$D/out" || fail "roll-ups of two cases: $(cat "$D/out")"
[ "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT group_concat(dim || \":\" || n || reg || ot || hd, \" \") FROM case_rollup_done"
    " WHERE cb = (1700007200000 + 28800000) / 86400000 / 16").fetchone()[0])' "$D/m.db")" = "0:1111 1:1111 2:1111" ] ||
    fail "migration 21: the closed case is not summed as settled"
# migration 16: the cases already there are under version 1, the file the upgraded program starts with
[ "$(python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(
    c.execute("SELECT group_concat(policy_version) FROM cases").fetchone()[0],
    c.execute("SELECT group_concat(version || source) FROM category_versions").fetchone()[0])' "$D/m.db")" = "1,1 1file" ] ||
    fail "migration 16: cases not under the first categories version"
# migration 19: the spans search walks by, of the cases already there (both in block 0)
[ "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT group_concat(block || \" \" || lo || \" \" || pre) FROM case_spans").fetchone()[0])' "$D/m.db")" = \
    "0 1700000000000 1700000000000" ] || fail "migration 19: the spans of the cases there"
echo "patrol cli: ok"
