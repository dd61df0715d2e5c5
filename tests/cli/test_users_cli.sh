#!/bin/bash
# Black-box tests of `bihuan init`, `bihuan user add|list`, `bihuan demo`
# and `bihuan serve` argument handling.
# Usage: test_users_cli.sh PATH/TO/bihuan
set -u
B=${1:?usage: $0 BIHUAN}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
unset BIHUAN_ADMIN_PASSWORD BIHUAN_PASSWORD BIHUAN_DB BIHUAN_LISTEN BIHUAN_CONFIG

# init refuses a passwordless admin (no terminal here).
"$B" init --db "$tmp/a.db" </dev/null >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q BIHUAN_ADMIN_PASSWORD "$tmp/out" && ok || ko "init without password: $(cat "$tmp/out")"
BIHUAN_ADMIN_PASSWORD=short "$B" init --db "$tmp/a.db" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q '至少8个字符' "$tmp/out" && ok || ko "init short password"
BIHUAN_ADMIN_PASSWORD=admin-pass-1 "$B" init --db "$tmp/a.db" >"$tmp/out" 2>&1 && ok || ko "init: $(cat "$tmp/out")"
"$B" init --db "$tmp/a.db" --unit-code 12345 2>/dev/null; [ $? = 2 ] && ok || ko "init bad unit code"

# user add / list
BIHUAN_PASSWORD=op-pass-123 "$B" user add --db "$tmp/a.db" --username op1 --role operator --unit 440303 >/dev/null && ok || ko "user add"
BIHUAN_PASSWORD=op-pass-123 "$B" user add --db "$tmp/a.db" --username op2 --role wizard --unit 440303 2>/dev/null; [ $? = 2 ] && ok || ko "bad role exit 2"
BIHUAN_PASSWORD=op-pass-123 "$B" user add --db "$tmp/a.db" --username op3 --role operator --unit 999999 2>"$tmp/out"; [ $? = 1 ] && grep -q '999999' "$tmp/out" && ok || ko "unknown unit"
"$B" user add --db "$tmp/a.db" --username op4 --role operator --unit 440303 </dev/null 2>/dev/null; [ $? = 1 ] && ok || ko "user add without password"
"$B" user add --db "$tmp/a.db" --role operator 2>/dev/null; [ $? = 2 ] && ok || ko "user add missing args"
out=$("$B" user list --db "$tmp/a.db")
[ "$out" = $'admin\tadmin\t440303\t示范区\nop1\toperator\t440303\t示范区' ] && ok || ko "user list: $out"

# demo: every role, deterministic for a seed, only into an empty database.
"$B" demo --period 2023H1 --db "$tmp/d1.db" --cases 300 --seed 7 --password demo-pass-1 >"$tmp/demo1" 2>"$tmp/progress" && ok || ko "demo"
grep -q '100% 300/300' "$tmp/progress" && ok || ko "progress bar"
grep -q '生成演示巡查.*100%' "$tmp/progress" && ok || ko "patrol progress bar"
for role in admin leader operator handler reporter public enterprise; do
    grep -q $'\tdemo-pass-1\t'"$role"$'\t' "$tmp/demo1" && ok || ko "demo has no $role"
done
"$B" demo --period 2023H1 --db "$tmp/d2.db" --cases 300 --seed 7 --password demo-pass-1 >/dev/null 2>&1
"$B" demo --period 2023H1 --db "$tmp/d3.db" --cases 300 --seed 8 --no-patrols --password demo-pass-1 >/dev/null 2>&1
dump() { python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for r in c.execute("SELECT id, category, source, unit, status, title, rework_count, rating FROM cases ORDER BY id"):
    print(r)
for r in c.execute("SELECT case_id, seq, action, at FROM case_events ORDER BY case_id, seq"):
    print(r)
for r in c.execute("SELECT id, object_id, at, late, flags, nhazards FROM patrols ORDER BY id"):
    print(r)
for r in c.execute("SELECT id, severity, status, rectified_at, case_id FROM hazards ORDER BY id"):
    print(r)' "$1"; }
[ "$(dump "$tmp/d1.db" | md5sum)" = "$(dump "$tmp/d2.db" | md5sum)" ] && ok || ko "demo not deterministic"
[ "$(dump "$tmp/d1.db" | md5sum)" != "$(dump "$tmp/d3.db" | md5sum)" ] && ok || ko "seed ignored"
python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
n = dict(c.execute("SELECT status, count(*) FROM cases GROUP BY status").fetchall())
grids = c.execute("SELECT count(*) FROM units WHERE type=\"grid\"").fetchone()[0]
streets = c.execute("SELECT count(*) FROM units WHERE type=\"street\"").fetchone()[0]
rework = c.execute("SELECT count(*) FROM cases WHERE rework_count > 0").fetchone()[0]
returned = c.execute("SELECT count(*) FROM cases WHERE return_count > 0").fetchone()[0]
rated = c.execute("SELECT count(*) FROM cases WHERE rating IS NOT NULL").fetchone()[0]
late = c.execute("SELECT count(*) FROM cases WHERE on_time = 0").fetchone()[0]
assert streets == 10 and grids == 1000, (streets, grids)
assert n["closed"] > 250 and n.get("rejected", 0) > 0, n
assert rework > 0 and returned > 0 and rated > 100 and late > 0, (rework, returned, rated, late)
objs = dict(c.execute("SELECT kind, count(*) FROM objects GROUP BY kind").fetchall())
risks = {r[0] for r in c.execute("SELECT DISTINCT risk FROM objects WHERE kind = \"enterprise\"")}
polys = c.execute("SELECT count(*) FROM unit_geometry").fetchone()[0]
assert objs == {"component": 1000, "enterprise": 200, "river_section": 50, "forest_section": 50, "household": 100}, objs
assert risks == {"red", "orange", "yellow", "blue"} and polys == 1000, (risks, polys)
' "$tmp/d1.db" && ok || ko "demo lifecycles not realistic"
# The patrol half-year, as the due list counts it: most slots on time,
# some made up late, some missed; hazards mostly general and rectified,
# a few major ones as cases, enterprises filing self-checks.
"$B" patrol due --db "$tmp/d1.db" --unit 440303 --period 2023H1 2>"$tmp/due" >/dev/null
python3 -c '
import re, sys, sqlite3
m = re.search(r"合计 (\d+) 个对象：应巡 (\d+) 次，已巡 (\d+) 次（其中补巡 (\d+)），漏巡 (\d+)", open(sys.argv[2]).read())
objs, due, done, late, missed = map(int, m.groups())
assert objs == 1400 and 0.85 < done / due < 0.97 and 0 < late < done / 5 and missed > 0, m.groups()
c = sqlite3.connect(sys.argv[1])
h = dict(c.execute("SELECT severity, count(*) FROM hazards GROUP BY severity").fetchall())
fixed = c.execute("SELECT count(*) FROM hazards WHERE severity = \"general\" AND status = 1").fetchone()[0]
spot = c.execute("SELECT count(*) FROM hazards WHERE on_spot = 1").fetchone()[0]
cases = c.execute("SELECT count(*) FROM hazards h JOIN cases k ON k.id = h.case_id WHERE k.supervised > 0").fetchone()[0]
selfc = c.execute("SELECT count(*), sum(nhazards) FROM patrols WHERE self_check = 1").fetchone()
assert h["general"] > 500 and 0 < h.get("major", 0) < h["general"] / 20, h
assert fixed > 0.9 * h["general"] and spot > 0, (fixed, spot)
assert cases == h["major"] and selfc[0] >= 50 and selfc[1] > 0, (cases, selfc)
' "$tmp/d1.db" "$tmp/due" && ok || ko "demo patrols not realistic: $(tail -1 "$tmp/due")"
"$B" demo --period 2023H1 --db "$tmp/d1.db" --cases 10 --password demo-pass-1 >/dev/null 2>"$tmp/out"
[ $? = 1 ] && grep -q '新数据库' "$tmp/out" && ok || ko "demo into non-empty db"
"$B" demo --period 2023H1 --db "$tmp/x.db" --cases -5 2>/dev/null; [ $? = 2 ] && ok || ko "demo bad --cases"
"$B" demo --period 2023H1 --db "$tmp/x.db" --password short 2>/dev/null; [ $? = 2 ] && ok || ko "demo short password"
"$B" demo --period 2023H7 --db "$tmp/x.db" 2>/dev/null; [ $? = 2 ] && ok || ko "demo bad --period"
"$B" demo --period 2023H1 --from 2023-01-01 --db "$tmp/x.db" 2>/dev/null; [ $? = 2 ] && ok || ko "demo --period with --from"

# the live demo (no period): the half-year to now, nothing after now, and the
# open cases in every light, so a new user's workbench looks alive
"$B" demo --db "$tmp/live.db" --cases 600 --no-patrols --password demo-pass-1 >/dev/null 2>&1 && ok || ko "live demo"
python3 - "$tmp/live.db" <<'PY' && ok || ko "live demo: not the half-year to now with clocks of every light"
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = time.time() * 1000
lo, hi = db.execute("SELECT min(created_at), max(created_at) FROM cases").fetchone()
assert now - 186 * 86400e3 < lo < now - 175 * 86400e3, (lo, now)
assert now - 3 * 86400e3 < hi <= now, (hi, now)
assert db.execute("SELECT count(*) FROM case_events WHERE at > ?", (now,)).fetchone()[0] == 0
lights = {l for (l,) in db.execute("SELECT light FROM cases WHERE status NOT IN ('closed', 'rejected')")}
assert {"green", "yellow", "overdue"} <= lights, lights
year = time.gmtime(now / 1000 + 8 * 3600).tm_year
month = time.gmtime(now / 1000 + 8 * 3600).tm_mon
ty = year if month > 1 else year - 1
assert db.execute("SELECT count(*) FROM targets WHERE period LIKE ?", ("%d%%" % ty,)).fetchone()[0] > 0
assert db.execute("SELECT count(*) FROM projects WHERE code LIKE ?", ("ZD%d-%%" % ty,)).fetchone()[0] == 12
PY

# serve: bad arguments are usage errors; a taken port is reported.
"$B" serve --bogus 2>/dev/null; [ $? = 2 ] && ok || ko "serve bad option"
"$B" serve --db "$tmp/s.db" --listen nowhere 2>"$tmp/out"; [ $? = 1 ] && grep -q '监听' "$tmp/out" && ok || ko "serve bad listen: $(cat "$tmp/out")"
printf 'listen = 127.0.0.1:1\ncolour = blue\n' >"$tmp/bad.conf"
"$B" serve --config "$tmp/bad.conf" 2>"$tmp/out"; [ $? = 2 ] && grep -q 'colour' "$tmp/out" && ok || ko "serve bad config"
"$B" serve --help | grep -q -- '--listen' && ok || ko "serve --help"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
