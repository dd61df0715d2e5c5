#!/bin/sh
# import_wait.sh [ROWS] [RUNS] - how long other writers wait while a ledger
# is imported, and what the import itself takes.
#
# A ROWS-row ledger of managed objects (default 1,000,000, as ledger.sh)
# is imported into a fresh demo district (`bihuan import objects FILE
# --quiet`), RUNS times (default 3): alone, once checked-then-written (the
# default) and once with --skip-bad (read, then written), for the time it
# takes; then the default again while `bihuan serve` runs on the same
# database and a client
# reports a case every 20 ms (POST /api/v1/cases), recording how long each
# took and whether it was stored: the import runs from the command line
# in its own process, as a district loads a large ledger.
#
# With OLD_B=path/to/an-older/bihuan the same is measured for that
# binary in the same go (its own demo database), as the baseline: before
# issue 17's chunks an import was one transaction.
. "$(dirname "$0")/lib.sh"
ROWS=${1:-1000000}
RUNS=${2:-3}
BENCH_TMP="$ROOT/bench/var/import_wait"
rm -rf "$BENCH_TMP"
mkdir -p "$BENCH_TMP"
cd "$ROOT" && ninja -C build >/dev/null

python3 - "$BENCH_TMP/objects.csv" "$ROWS" <<'PY'
import csv, sys
out, n = sys.argv[1], int(sys.argv[2])
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["种类", "名称", "所属网格", "风险等级", "地址"])
    for i in range(n):
        # grids 44030300100101 .. of the demo district: street 001, community 001..010, grid 01..10
        w.writerow(["重点户", "监测户%07d" % i, "440303001%03d%02d" % (i % 10 + 1, i // 10 % 10 + 1),
                    ["低风险", "一般风险"][i % 2], "示范区幸福路%d号" % (i % 5000)])
PY

# probe BIN DB OUT: serve DB with BIN on 127.0.0.1:18431 and report a case
# every 20 ms (as the command centre's operator) until $BENCH_TMP/stop
# exists; each report's time in ms to OUT ("fail" for one not stored)
probe() {
    "$1" serve --db "$2" --listen 127.0.0.1:18431 >"$BENCH_TMP/serve.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:18431/healthz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    python3 - "$3" "$BENCH_TMP/stop" "$PASSWORD" <<'PY' &
import json, os, sys, time, urllib.request, urllib.error
out, stop, password = sys.argv[1:]
base = "http://127.0.0.1:18431"
def post(path, body, token=None):
    req = urllib.request.Request(base + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.status, json.load(r)
for attempt in range(20):  # the server may still be settling its first sweep
    try:
        token = post("/api/v1/session", {"username": "zhzx01", "password": password})[1]["token"]
        break
    except urllib.error.HTTPError:
        time.sleep(0.5)
else:
    sys.exit("login failed")
with open(out, "w") as f:
    f.write("ready\n")
    f.flush()
    while not os.path.exists(stop):
        t = time.monotonic()
        try:
            ok = post("/api/v1/cases", {"category": "E0501", "description": "导入期间上报", "unit": "44030300100101"},
                      token)[0] == 201
        except (urllib.error.URLError, OSError):
            ok = False
        f.write("%.1f\n" % ((time.monotonic() - t) * 1000) if ok else "fail\n")
        f.flush()
        time.sleep(0.02)
PY
    PROBE_PID=$!
    until grep -q ready "$3" 2>/dev/null; do sleep 0.05; done
}

# secs BIN BASE TAG [ARGS]: one import alone, its seconds to TAG.secs
secs() {
    bin=$1 base=$2 tag=$3
    shift 3
    cp "$base" "$BENCH_TMP/run.db"
    rm -f "$BENCH_TMP/run.db-wal" "$BENCH_TMP/run.db-shm"
    s=$(date +%s.%N)
    "$bin" import objects "$BENCH_TMP/objects.csv" --db "$BENCH_TMP/run.db" --quiet "$@" >/dev/null 2>"$BENCH_TMP/err" ||
        { cat "$BENCH_TMP/err"; exit 1; }
    e=$(date +%s.%N)
    awk "BEGIN {printf \"%.2f\n\", $e - $s}" >>"$BENCH_TMP/$tag.secs"
    echo "import_wait: $tag alone: $(tail -1 "$BENCH_TMP/$tag.secs") s"
}

# run BIN BASE TAG [ARGS]: one import with the probe; the reports' median
# and longest time and how many were not stored to TAG.p50 / .wait / .fail
run() {
    bin=$1 base=$2 tag=$3
    shift 3
    cp "$base" "$BENCH_TMP/run.db"
    rm -f "$BENCH_TMP/stop" "$BENCH_TMP/run.db-wal" "$BENCH_TMP/run.db-shm"
    probe "$bin" "$BENCH_TMP/run.db" "$BENCH_TMP/$tag.probe"
    s=$(date +%s.%N)
    "$bin" import objects "$BENCH_TMP/objects.csv" --db "$BENCH_TMP/run.db" --quiet "$@" >/dev/null 2>"$BENCH_TMP/err" ||
        { cat "$BENCH_TMP/err"; exit 1; }
    e=$(date +%s.%N)
    touch "$BENCH_TMP/stop"
    wait "$PROBE_PID"
    kill "$SERVER_PID" && wait "$SERVER_PID" || true
    grep -v ready "$BENCH_TMP/$tag.probe" | grep -v fail | sort -g | tail -1 >>"$BENCH_TMP/$tag.wait"
    grep -v ready "$BENCH_TMP/$tag.probe" | grep -v fail | sort -g |
        awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' >>"$BENCH_TMP/$tag.p50"
    grep -c fail "$BENCH_TMP/$tag.probe" >>"$BENCH_TMP/$tag.fail" || true
    echo "import_wait: $tag with reports: import $(awk "BEGIN {printf \"%.2f\", $e - $s}") s; case reports meanwhile: $(grep -vc ready "$BENCH_TMP/$tag.probe"), median $(tail -1 "$BENCH_TMP/$tag.p50") ms, longest $(tail -1 "$BENCH_TMP/$tag.wait") ms, not stored $(tail -1 "$BENCH_TMP/$tag.fail")"
}

make_base() { # make_base BIN DB
    "$1" demo --period 2023H1 --db "$2" --cases 0 --no-patrols --password "$PASSWORD" >/dev/null 2>&1
}

make_base "$B" "$BENCH_TMP/base.db"
[ -n "${OLD_B:-}" ] && make_base "$OLD_B" "$BENCH_TMP/base-old.db"
for i in $(seq "$RUNS"); do
    if [ -n "${OLD_B:-}" ]; then
        secs "$OLD_B" "$BENCH_TMP/base-old.db" old
        secs "$OLD_B" "$BENCH_TMP/base-old.db" old-skip --skip-bad
    fi
    secs "$B" "$BENCH_TMP/base.db" new
    secs "$B" "$BENCH_TMP/base.db" new-skip --skip-bad
    if [ -n "${OLD_B:-}" ]; then
        run "$OLD_B" "$BENCH_TMP/base-old.db" old
    fi
    run "$B" "$BENCH_TMP/base.db" new
done
for tag in old old-skip new new-skip; do
    [ -f "$BENCH_TMP/$tag.secs" ] || continue
    echo "import_wait: medians of $RUNS, $tag: import alone $(median <"$BENCH_TMP/$tag.secs") s"
    [ -f "$BENCH_TMP/$tag.p50" ] &&
        echo "import_wait: medians of $RUNS, $tag: a case report during it: median $(median <"$BENCH_TMP/$tag.p50") ms, longest $(median <"$BENCH_TMP/$tag.wait") ms, not stored $(median <"$BENCH_TMP/$tag.fail")"
done
