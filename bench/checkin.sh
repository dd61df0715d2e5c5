#!/bin/bash
# checkin.sh [RUNS] [SECONDS] [CONNECTIONS] - patrol check-in intake over HTTP.
#
# Each run: wrk GET /healthz on the same server (the baseline), then wrk
# POST /api/v1/patrols on the district's 200 enterprises (as the command
# centre, so the check-ins spread over many objects as in real use: the
# late/on-time decision reads the object's check-ins of the year; checklist
# validated, distance and grid checked, idempotency key stored,
# the due slot it fills computed, every fifth one opening a 一般 hazard with
# its rectification deadline; durably committed before the 201).  Prints
# each run, the medians, and intake as a ratio of the healthz rate.
. "$(dirname "$0")/lib.sh"
RUNS=${1:-3}
SECS=${2:-10}
CONNS=${3:-64}
PORT=18715

"$B" demo --period 2023H1 --db "$BENCH_TMP/checkin.db" --cases 0 --password "$PASSWORD" >/dev/null 2>&1
start_server "$BENCH_TMP/checkin.db" $PORT
export BIHUAN_TOKEN=$(login $PORT zhzx01)
export BIHUAN_OBJECTS=$(curl -sf -H "Authorization: Bearer $BIHUAN_TOKEN" \
    "http://127.0.0.1:$PORT/api/v1/objects?kind=enterprise&limit=200" |
    python3 -c 'import json,sys; print(";".join("%d,%.6f,%.6f" % (o["id"], o["location"]["lat"], o["location"]["lng"]) for o in json.load(sys.stdin)["items"]))')
count() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from "+sys.argv[2]).fetchone()[0])' "$BENCH_TMP/checkin.db" "$1"; }
before=$(count patrols)
machine
echo "$(echo "$BIHUAN_OBJECTS" | tr ';' '\n' | wc -l) enterprises, $before check-ins already (the demo half-year)"
versus_healthz intake check-ins/s "$ROOT/bench/post_patrol.lua" "$RUNS" "$SECS" "$CONNS" $PORT
echo "rows added: check-ins $(( $(count patrols) - before )), hazards now $(count hazards)"
