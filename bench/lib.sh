# lib.sh - helpers shared by the benchmark scripts (sourced, not run).
# Everything talks only to 127.0.0.1.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B="$ROOT/build/bihuan"
PASSWORD=bench-pass-1

# start_server DB PORT: serve DB on 127.0.0.1:PORT in the background.
start_server() {
    "$B" serve --db "$1" --listen "127.0.0.1:$2" >"$BENCH_TMP/serve.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$2/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "server did not start" >&2
    cat "$BENCH_TMP/serve.log" >&2
    exit 1
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}

# login PORT USER: print a bearer token.
login() {
    curl -sf -X POST "http://127.0.0.1:$1/api/v1/session" \
        -d "{\"username\":\"$2\",\"password\":\"$PASSWORD\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# median of numbers on stdin
median() {
    sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}

# wrk_rps OUTPUT_FILE: requests/s from a wrk report
wrk_rps() { awk '/Requests\/sec/ {print $2}' "$1"; }

# wrk_pct FILE PCT: latency percentile (50%, 99%) in ms from wrk --latency
wrk_pct() {
    awk -v p="$2" '$1 == p {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$1"
}

# versus_healthz NAME UNIT LUA RUNS SECS CONNS PORT: RUNS runs, each wrk on
# /healthz (the baseline) then wrk with the script LUA, on the same server;
# prints each run and the medians, LUA's rate also as a ratio of healthz's.
versus_healthz() {
    local name=$1 unit=$2 lua=$3 runs=$4 secs=$5 conns=$6 port=$7 r h p
    echo "wrk -t2 -c$conns -d${secs}s, $runs runs"
    : >"$BENCH_TMP/hs"; : >"$BENCH_TMP/ps"; : >"$BENCH_TMP/rs"
    for r in $(seq "$runs"); do
        wrk -t2 -c"$conns" -d"${secs}s" "http://127.0.0.1:$port/healthz" >"$BENCH_TMP/h$r"
        wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$lua" "http://127.0.0.1:$port" >"$BENCH_TMP/p$r"
        h=$(wrk_rps "$BENCH_TMP/h$r"); p=$(wrk_rps "$BENCH_TMP/p$r")
        echo "run $r: healthz $h req/s; $name $p $unit (p99 $(wrk_pct "$BENCH_TMP/p$r" 99%) ms);" \
             "ratio $(awk -v a="$p" -v b="$h" 'BEGIN {printf "%.3f", a/b}')"
        echo "$h" >>"$BENCH_TMP/hs"; echo "$p" >>"$BENCH_TMP/ps"
        awk -v a="$p" -v b="$h" 'BEGIN {print a/b}' >>"$BENCH_TMP/rs"
    done
    echo "median: healthz $(median <"$BENCH_TMP/hs") req/s; $name $(median <"$BENCH_TMP/ps") $unit;" \
         "ratio $(median <"$BENCH_TMP/rs")"
    grep -h "Non-2xx" "$BENCH_TMP"/p* || true
}

machine() {
    echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
}

BENCH_TMP=$(mktemp -d)
trap 'stop_server 2>/dev/null; rm -rf "$BENCH_TMP"' EXIT
