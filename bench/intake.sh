#!/bin/bash
# intake.sh [RUNS] [SECONDS] [CONNECTIONS] - case intake over HTTP.
#
# Each run: wrk GET /healthz on the same server (the baseline), then wrk
# POST /api/v1/cases (located, categorised, SLA clocks computed, FTS
# indexed, durably committed before the 201).  Prints each run and the
# medians, and intake as a ratio of the healthz rate of the same run.
# BENCH_DB=PATH: into that database (its cases stay; a demo's, to measure
# intake at 1M or 10M cases) instead of a new one.  BENCH_PREFER=minimal:
# the short 201 (Prefer: return=minimal).
. "$(dirname "$0")/lib.sh"
RUNS=${1:-3}
SECS=${2:-10}
CONNS=${3:-64}
PORT=18711

DB=${BENCH_DB:-$BENCH_TMP/intake.db}
[ -n "${BENCH_DB:-}" ] ||
    "$B" demo --period 2023H1 --db "$DB" --cases 0 --no-patrols --password "$PASSWORD" >/dev/null 2>&1
# BENCH_NO_ROLLUP=1: without the statistics roll-ups' insert trigger, to
# measure what keeping them costs intake (the statistics are then wrong)
if [ "${BENCH_NO_ROLLUP:-0}" = 1 ]; then
    python3 -c 'import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute("DROP TRIGGER cases_rollup_ins")' "$DB"
    echo "roll-ups: off (BENCH_NO_ROLLUP=1)"
fi
start_server "$DB" $PORT
export BIHUAN_TOKEN=$(login $PORT wgy_hb)
machine
versus_healthz intake cases/s "$ROOT/bench/post_case.lua" "$RUNS" "$SECS" "$CONNS" $PORT
echo "prefer: ${BENCH_PREFER:-(none)}; rows: $(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from cases").fetchone()[0])' "$DB")"
