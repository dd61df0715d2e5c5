#!/bin/bash
# query.sh DB [RUNS] [SECONDS] - list, search and statistics latency on a
# demo database (make one with: build/bihuan demo --db DB --period 2023H1 --cases 1000000
# --password bench-pass-1), plus the server's peak RSS.
#
# For each URL: wrk -t1 -c4 --latency for SECONDS, RUNS times; prints the
# median p50 and p99.  Statistics: the half-year query timed with curl.
. "$(dirname "$0")/lib.sh"
DB=${1:?usage: query.sh DB [RUNS] [SECONDS]}
RUNS=${2:-3}
SECS=${3:-10}
PORT=18712

start_server "$DB" $PORT
TOKEN=$(login $PORT zhzx01)
machine
echo "database: $DB, $(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from cases").fetchone()[0])' "$DB") cases; wrk -t1 -c4 -d${SECS}s --latency, $RUNS runs"
q() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
URLS=(
    "list|/api/v1/cases?limit=50"
    "list status+unit|/api/v1/cases?status=closed&unit=440303001&limit=50"
    "list category+light|/api/v1/cases?category=E05&light=overdue&limit=50"
    "list page 2|CURSOR/api/v1/cases?limit=50"
    "search 井盖|/api/v1/cases?q=$(q 井盖)&limit=50"
    "search 井盖 page 2|CURSOR/api/v1/cases?q=$(q 井盖)&limit=50"
    "search 占道 in a street|/api/v1/cases?q=$(q 占道)&unit=440303002&limit=50"
    "search 井盖 in a community|/api/v1/cases?q=$(q 井盖)&unit=440303005001&limit=50"
    "search 井盖 in a grid|/api/v1/cases?q=$(q 井盖)&unit=44030300400502&limit=50"
    "search 渔民村 in a street|/api/v1/cases?q=$(q 渔民村)&unit=440303002&limit=50"
    "search 渔民村 by relevance|/api/v1/cases?q=$(q 渔民村)&sort=relevance&limit=50"
    "one case|/api/v1/cases/500000"
)
printf "%-28s %10s %10s\n" "query" "p50 ms" "p99 ms"
for entry in "${URLS[@]}"; do
    name=${entry%%|*}; url=${entry#*|}
    if [[ $url == CURSOR* ]]; then # the page after the first of that URL
        url=${url#CURSOR}
        cur=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$url" |
              python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')
        url="$url&cursor=$cur"
    fi
    : >"$BENCH_TMP/p50"; : >"$BENCH_TMP/p99"
    for r in $(seq "$RUNS"); do
        wrk -t1 -c4 -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" \
            "http://127.0.0.1:$PORT$url" >"$BENCH_TMP/w"
        if grep -q "Non-2xx" "$BENCH_TMP/w"; then echo "errors for $url" >&2; cat "$BENCH_TMP/w" >&2; fi
        wrk_pct "$BENCH_TMP/w" 50% >>"$BENCH_TMP/p50"
        wrk_pct "$BENCH_TMP/w" 99% >>"$BENCH_TMP/p99"
    done
    printf "%-28s %10s %10s\n" "$name" "$(median <"$BENCH_TMP/p50")" "$(median <"$BENCH_TMP/p99")"
done
: >"$BENCH_TMP/st"
for r in $(seq 7); do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:$PORT/api/v1/stats/cases?unit=440303&from=2023-01-01&to=2023-06-30&group_by=unit" |
        awk '{print $1*1000}' >>"$BENCH_TMP/st"
done
echo "stats half-year by street (7 runs): median $(median <"$BENCH_TMP/st") ms"
echo "server peak RSS: $(awk '/VmHWM/ {print $2/1024 " MiB"}' /proc/$SERVER_PID/status)"
