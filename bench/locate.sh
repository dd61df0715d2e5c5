#!/bin/bash
# locate.sh [RUNS] [SECONDS] - GET /api/v1/locate throughput over the demo
# map's 1,000 grid polygons (R*Tree prefilter + exact GEOS test), with the
# same server's /healthz rate as the baseline of each run.
. "$(dirname "$0")/lib.sh"
RUNS=${1:-3}
SECS=${2:-10}
PORT=18713
"$B" demo --period 2023H1 --db "$BENCH_TMP/geo.db" --cases 0 --no-patrols --password "$PASSWORD" >/dev/null 2>&1
start_server "$BENCH_TMP/geo.db" $PORT
export BIHUAN_TOKEN=$(login $PORT zhzx01)
machine
versus_healthz locate req/s "$ROOT/bench/locate.lua" "$RUNS" "$SECS" 16 $PORT
