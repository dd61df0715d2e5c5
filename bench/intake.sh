#!/bin/bash
# intake.sh [RUNS] [SECONDS] [CONNECTIONS] - case intake over HTTP.
#
# Each run: wrk GET /healthz on the same server (the baseline), then wrk
# POST /api/v1/cases (located, categorised, SLA clocks computed, FTS
# indexed, durably committed before the 201).  Prints each run and the
# medians, and intake as a ratio of the healthz rate of the same run.
. "$(dirname "$0")/lib.sh"
RUNS=${1:-3}
SECS=${2:-10}
CONNS=${3:-64}
PORT=18711

"$B" demo --db "$BENCH_TMP/intake.db" --cases 0 --no-patrols --password "$PASSWORD" >/dev/null 2>&1
start_server "$BENCH_TMP/intake.db" $PORT
export BIHUAN_TOKEN=$(login $PORT wgy_hb)
machine
echo "wrk -t2 -c$CONNS -d${SECS}s, $RUNS runs"
for r in $(seq "$RUNS"); do
    wrk -t2 -c"$CONNS" -d"${SECS}s" "http://127.0.0.1:$PORT/healthz" >"$BENCH_TMP/h$r"
    wrk -t2 -c"$CONNS" -d"${SECS}s" -s "$ROOT/bench/post_case.lua" "http://127.0.0.1:$PORT" >"$BENCH_TMP/p$r"
    h=$(wrk_rps "$BENCH_TMP/h$r"); p=$(wrk_rps "$BENCH_TMP/p$r")
    echo "run $r: healthz $h req/s; intake $p cases/s; ratio $(awk -v a="$p" -v b="$h" 'BEGIN {printf "%.3f", a/b}')"
    echo "$h" >>"$BENCH_TMP/hs"; echo "$p" >>"$BENCH_TMP/ps"
    awk -v a="$p" -v b="$h" 'BEGIN {print a/b}' >>"$BENCH_TMP/rs"
done
echo "median: healthz $(median <"$BENCH_TMP/hs") req/s; intake $(median <"$BENCH_TMP/ps") cases/s; ratio $(median <"$BENCH_TMP/rs")"
grep -h "Non-2xx" "$BENCH_TMP"/p* || true
echo "rows: $(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from cases").fetchone()[0])' "$BENCH_TMP/intake.db")"
