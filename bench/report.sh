#!/bin/bash
# report.sh DB [RUNS] - the reporting loop on a demo database (make one with:
# build/bihuan demo --db DB --period 2023H1 --cases 1000000 --password bench-pass-1).
#
# RUNS times, on one server, in this order: the half-year statistics of the
# district by street (GET /api/v1/stats/cases, the baseline: one pass over
# the half-year's cases), then building the district's 2023 H1 work summary
# (POST /api/v1/reports: every figure gathered and worded, the content
# kept), then rendering the kept report as .docx, .pdf, .xlsx and .md (GET).
# Prints each run, the medians, and the build's ratio to the baseline.
. "$(dirname "$0")/lib.sh"
DB=${1:?usage: report.sh DB [RUNS]}
RUNS=${2:-3}
PORT=18714

start_server "$DB" $PORT
trap stop_server EXIT
TOKEN=$(login $PORT leader)
machine
echo "database: $DB, $(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from cases").fetchone()[0])' "$DB") cases; $RUNS runs"
t() { awk '{print $1*1000}'; }
: >"$BENCH_TMP/stats"; : >"$BENCH_TMP/build"
for f in docx pdf xlsx md; do : >"$BENCH_TMP/$f"; done
for r in $(seq "$RUNS"); do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:$PORT/api/v1/stats/cases?unit=440303&from=2023-01-01&to=2023-06-30&group_by=unit" |
        t >>"$BENCH_TMP/stats"
    curl -sf -o "$BENCH_TMP/r.json" -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' -X POST "http://127.0.0.1:$PORT/api/v1/reports" \
        -d '{"kind":"summary","unit":"440303","period":"2023H1"}' | t >>"$BENCH_TMP/build"
    id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$BENCH_TMP/r.json")
    for f in docx pdf xlsx md; do
        curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" \
            "http://127.0.0.1:$PORT/api/v1/reports/$id.$f" | t >>"$BENCH_TMP/$f"
    done
    echo "run $r: stats $(tail -1 "$BENCH_TMP/stats") ms, build $(tail -1 "$BENCH_TMP/build") ms," \
         "docx $(tail -1 "$BENCH_TMP/docx"), pdf $(tail -1 "$BENCH_TMP/pdf"), xlsx $(tail -1 "$BENCH_TMP/xlsx"), md $(tail -1 "$BENCH_TMP/md") ms"
done
S=$(median <"$BENCH_TMP/stats"); BL=$(median <"$BENCH_TMP/build")
echo "median: stats (baseline) $S ms; build summary $BL ms ($(awk -v a="$BL" -v b="$S" 'BEGIN {printf "%.1f", a/b}')× the baseline);" \
     "render docx $(median <"$BENCH_TMP/docx"), pdf $(median <"$BENCH_TMP/pdf"), xlsx $(median <"$BENCH_TMP/xlsx"), md $(median <"$BENCH_TMP/md") ms"
