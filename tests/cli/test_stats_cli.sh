#!/bin/sh
# bihuan stats rebuild: exact roll-ups say so and exit 0; a damaged row is
# found, counted and corrected (exit 1) - in case_rollup and in the closed
# cases' sums case_rollup_done -, and the next rebuild finds nothing;
# the repair gives back the roll-ups as they were before the damage.
set -eu
B=${1:?usage: test_stats_cli.sh PATH/TO/bihuan}
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$B" demo --period 2023H1 --db "$D/d.db" --cases 400 --no-patrols --password demo-pass-1234 >/dev/null 2>&1
"$B" stats rebuild --db "$D/d.db" >"$D/out" 2>/dev/null || fail "fresh roll-ups differ: $(cat "$D/out")"
grep -q '^ok: 统计汇总 [0-9]* 行，与由案件重算的结果一致' "$D/out" || fail "ok line: $(cat "$D/out")"
figures() {
    python3 - "$D/d.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT count(*), sum(n), sum(ot), sum(hms) FROM case_rollup").fetchone(),
      db.execute("SELECT count(*), sum(n), sum(ot), sum(hms) FROM case_rollup_done").fetchone())
PY
}
before=$(figures)
python3 - "$D/d.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
K = "(node, dim, cb, day, val, due_day, close_day)"
# an open case's row counted wrong, a closed case's row gone, and another moved to a day
# of its own (two keys), each carried into case_rollup_done by its triggers ...
db.execute("UPDATE case_rollup SET n = n + 7 WHERE %s = (SELECT %s FROM case_rollup"
           " WHERE cb = -1 LIMIT 1)" % (K, K[1:-1]))
db.execute("DELETE FROM case_rollup WHERE %s = (SELECT %s FROM case_rollup"
           " WHERE cb >= 0 AND dim = 2 LIMIT 1)" % (K, K[1:-1]))
db.execute("UPDATE case_rollup SET day = day + 1000 WHERE %s = (SELECT %s FROM case_rollup"
           " WHERE cb >= 0 AND dim = 1 LIMIT 1)" % (K, K[1:-1]))
# ... and the closed cases' sums (migration 21) damaged on their own
db.execute("UPDATE case_rollup_done SET ot = ot + 1 WHERE (node, dim, day, val, cb) ="
           " (SELECT node, dim, day, val, cb FROM case_rollup_done LIMIT 1)")
db.commit()
PY
[ "$(figures)" != "$before" ] || fail "the damage did not change the table"
if "$B" stats rebuild --db "$D/d.db" >"$D/out" 2>/dev/null; then fail "damage not found: $(cat "$D/out")"; fi
grep -q '^统计汇总有 5 行与重算结果不一致，已按案件重算修正' "$D/out" || fail "damage line: $(cat "$D/out")"
[ "$(figures)" = "$before" ] || fail "repair did not restore the roll-ups"
"$B" stats rebuild --db "$D/d.db" >/dev/null 2>&1 || fail "second rebuild still finds differences"
if "$B" stats --help | grep -q 'rebuild'; then :; else fail "help"; fi
if "$B" stats frobnicate --db "$D/d.db" 2>"$D/err"; then fail "unknown subcommand accepted"; fi
grep -q '未知子命令' "$D/err" || fail "unknown subcommand message: $(cat "$D/err")"
echo "stats cli: ok"
