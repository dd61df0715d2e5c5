#!/bin/bash
# locate.sh [RUNS] [SECONDS] - GET /api/v1/locate throughput over the demo
# map's 1,000 grid polygons (R*Tree prefilter + exact GEOS test), with the
# same server's /healthz rate as the baseline of each run.
. "$(dirname "$0")/lib.sh"
RUNS=${1:-3}
SECS=${2:-10}
PORT=18713
"$B" demo --db "$BENCH_TMP/geo.db" --cases 0 --no-patrols --password "$PASSWORD" >/dev/null 2>&1
start_server "$BENCH_TMP/geo.db" $PORT
export BIHUAN_TOKEN=$(login $PORT zhzx01)
machine
echo "wrk -t2 -c16 -d${SECS}s, $RUNS runs"
for r in $(seq "$RUNS"); do
    wrk -t2 -c16 -d"${SECS}s" "http://127.0.0.1:$PORT/healthz" >"$BENCH_TMP/h$r"
    wrk -t2 -c16 -d"${SECS}s" --latency -s "$ROOT/bench/locate.lua" "http://127.0.0.1:$PORT" >"$BENCH_TMP/l$r"
    h=$(wrk_rps "$BENCH_TMP/h$r"); l=$(wrk_rps "$BENCH_TMP/l$r")
    echo "run $r: healthz $h req/s; locate $l req/s (p99 $(wrk_pct "$BENCH_TMP/l$r" 99%) ms); ratio $(awk -v a="$l" -v b="$h" 'BEGIN {printf "%.3f", a/b}')"
    echo "$l" >>"$BENCH_TMP/ls"; echo "$h" >>"$BENCH_TMP/hs"
done
echo "median: healthz $(median <"$BENCH_TMP/hs") req/s; locate $(median <"$BENCH_TMP/ls") req/s"
