#!/bin/bash
# dashboard.sh DB [RUNS] [HALF] - the console's 统计 page load, as the page
# makes its requests (web/src/pages/dashboard.js): the newest case (for the
# period), the half-year by street and by category together, then one
# statistics call per week of the half-year, four at a time.  Times the
# whole load as the district's operator; RUNS loads, the median.  HALF
# (e.g. 2023H1) asks for that half-year instead of the newest case's, as
# the page does when the user picks it (a database whose newest cases are
# a benchmark's few in the current half-year).
. "$(dirname "$0")/lib.sh"
DB=${1:?usage: dashboard.sh DB [RUNS] [HALF]}
RUNS=${2:-5}
HALF=${3:-}
PORT=18713

start_server "$DB" $PORT
TOKEN=$(login $PORT zhzx01)
machine
python3 - "$PORT" "$TOKEN" "$RUNS" "$HALF" <<'PY'
import concurrent.futures, datetime, json, statistics, sys, time, urllib.request
port, token, runs, half = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]

def get(path):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)

def load():
    t0 = time.perf_counter()
    newest = get("/api/v1/cases?limit=1")["items"][0]["created_at"][:10]
    y, h2 = newest[:4], int(newest[5:7]) >= 7
    if half:
        y, h2 = half[:4], half[4:] == "H2"
    frm, to = (y + "-07-01", y + "-12-31") if h2 else (y + "-01-01", y + "-06-30")
    q = "unit=440303&from=%s&to=%s" % (frm, to)
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        list(ex.map(get, ["/api/v1/stats/cases?%s&group_by=unit" % q,
                          "/api/v1/stats/cases?%s&group_by=category" % q]))
        d, end, weeks = datetime.date.fromisoformat(frm), datetime.date.fromisoformat(to), []
        while d <= end:
            weeks.append("/api/v1/stats/cases?unit=440303&from=%s&to=%s"
                         % (d, min(d + datetime.timedelta(days=6), end)))
            d += datetime.timedelta(days=7)
        list(ex.map(get, weeks))
    return (time.perf_counter() - t0) * 1000, len(weeks), frm, to

times = []
for r in range(runs):
    ms, n, frm, to = load()
    times.append(ms)
    print("run %d: %.0f ms (%s..%s, %d weekly calls)" % (r + 1, ms, frm, to, n))
print("dashboard load median: %.0f ms" % statistics.median(times))
PY
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$SERVER_PID/status)"
