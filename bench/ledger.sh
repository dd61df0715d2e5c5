#!/bin/sh
# ledger.sh [ROWS] [RUNS] - import a ROWS-row ledger of managed objects
# (default 1,000,000) into a fresh demo district, as CSV and as .xlsx
# (new objects), and bihuan's own .xlsx export of them back as updates,
# RUNS times each (default 3), and print the medians.
#
# Baseline, in the same go: Python's sqlite3 module inserting the same rows
# straight into the objects table (same indexes, one transaction, no
# checks, no audit) - the storage floor the import is compared to.
# The .xlsx is bihuan's own export (libxlsxwriter) of the imported rows,
# imported back as updates.
. "$(dirname "$0")/lib.sh"
ROWS=${1:-1000000}
RUNS=${2:-3}
BENCH_TMP="$ROOT/bench/var/ledger"
rm -rf "$BENCH_TMP"
mkdir -p "$BENCH_TMP"
cd "$ROOT" && ninja -C build >/dev/null

"$B" demo --period 2023H1 --db "$BENCH_TMP/base.db" --cases 0 --no-patrols --password "$PASSWORD" >/dev/null 2>&1
python3 - "$BENCH_TMP/base.db" "$BENCH_TMP/objects.csv" "$ROWS" <<'PY'
import csv, sqlite3, sys
db, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
grids = [r[0] for r in sqlite3.connect(db).execute("SELECT code FROM units WHERE type='grid' ORDER BY code")]
risks = ["低风险", "一般风险", "较大风险", "重大风险"]
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["种类", "名称", "所属网格", "风险等级", "地址", "纬度", "经度"])
    for i in range(n):
        w.writerow(["重点户", "监测户%07d" % i, grids[i % len(grids)], risks[i % 4],
                    "示范区幸福路%d号" % (i % 5000), "%.6f" % (22.53 + (i % 997) * 1e-5),
                    "%.6f" % (114.05 + (i % 991) * 1e-5)])
PY
# The same rows as an .xlsx (one sheet, inline strings, as Excel's
# streaming writers produce), written with Python's zipfile.
python3 - "$BENCH_TMP/objects.csv" "$BENCH_TMP/objects-new.xlsx" <<'PY'
import csv, sys, zipfile
from xml.sax.saxutils import escape
src, out = sys.argv[1], sys.argv[2]
def col(i):
    return "ABCDEFGHIJ"[i]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="objects" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    with z.open("xl/worksheets/sheet1.xml", "w") as f, open(src, encoding="utf-8") as c:
        f.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        for r, row in enumerate(csv.reader(c), 1):
            cells = []
            for i, v in enumerate(row):
                if r > 1 and i >= 5:
                    cells.append('<c r="%s%d"><v>%s</v></c>' % (col(i), r, v))
                else:
                    cells.append('<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (col(i), r, escape(v)))
            f.write(('<row r="%d">%s</row>' % (r, "".join(cells))).encode())
        f.write(b"</sheetData></worksheet>")
PY
echo "ledger: $ROWS rows, $(du -h "$BENCH_TMP/objects.csv" | cut -f1) CSV, $(du -h "$BENCH_TMP/objects-new.xlsx" | cut -f1) xlsx"

secs() { # secs CMD...: wall seconds of a command
    s=$(date +%s.%N); "$@" >/dev/null 2>"$BENCH_TMP/err" || { cat "$BENCH_TMP/err"; exit 1; }
    e=$(date +%s.%N); awk "BEGIN {printf \"%.2f\", $e - $s}"
}

baseline() {
    python3 - "$1" "$BENCH_TMP/objects.csv" <<'PY'
import csv, sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA journal_mode=WAL"); con.execute("PRAGMA synchronous=FULL")
kinds = {"低风险": "blue", "一般风险": "yellow", "较大风险": "orange", "重大风险": "red"}
with open(sys.argv[2], encoding="utf-8") as f:
    r = csv.reader(f); next(r)
    con.execute("BEGIN")
    con.executemany("INSERT INTO objects(kind, code, name, grid, type, risk, address, lat, lng, active,"
                    " created_at, updated_at) VALUES('household', NULL, ?, ?, NULL, ?, ?, ?, ?, 1, 0, 0)",
                    ((row[1], row[2], kinds[row[3]], row[4], float(row[5]), float(row[6])) for row in r))
    con.execute("COMMIT")
PY
}

for run in $(seq "$RUNS"); do
    cp "$BENCH_TMP/base.db" "$BENCH_TMP/run.db"
    echo "$(secs baseline "$BENCH_TMP/run.db")" >>"$BENCH_TMP/base.txt"
    cp "$BENCH_TMP/base.db" "$BENCH_TMP/run.db"
    echo "$(secs "$B" import objects "$BENCH_TMP/objects-new.xlsx" --db "$BENCH_TMP/run.db" --quiet)" >>"$BENCH_TMP/xlsxnew.txt"
    cp "$BENCH_TMP/base.db" "$BENCH_TMP/run.db"
    echo "$(secs "$B" import objects "$BENCH_TMP/objects.csv" --db "$BENCH_TMP/run.db" --quiet)" >>"$BENCH_TMP/csv.txt"
    if [ "$run" = 1 ]; then
        "$B" audit verify --db "$BENCH_TMP/run.db" >/dev/null
        echo "$(secs "$B" export objects "$BENCH_TMP/objects.xlsx" --db "$BENCH_TMP/run.db")" >"$BENCH_TMP/export.txt"
        echo "ledger: export to .xlsx $(cat "$BENCH_TMP/export.txt") s, $(du -h "$BENCH_TMP/objects.xlsx" | cut -f1)"
    fi
    # The export carries each object's 系统编号, so importing it back onto
    # the same database is ROWS updates (each checked against the stored row).
    echo "$(secs "$B" import objects "$BENCH_TMP/objects.xlsx" --db "$BENCH_TMP/run.db" --quiet)" >>"$BENCH_TMP/xlsx.txt"
    echo "ledger: run $run: baseline $(tail -1 "$BENCH_TMP/base.txt") s, csv $(tail -1 "$BENCH_TMP/csv.txt") s, xlsx (new) $(tail -1 "$BENCH_TMP/xlsxnew.txt") s, xlsx (updates) $(tail -1 "$BENCH_TMP/xlsx.txt") s"
done
b=$(median <"$BENCH_TMP/base.txt"); c=$(median <"$BENCH_TMP/csv.txt"); x=$(median <"$BENCH_TMP/xlsx.txt"); n=$(median <"$BENCH_TMP/xlsxnew.txt")
ratio() { awk "BEGIN {printf \"%.1f\", $1 / $b}"; }
echo "ledger: medians of $RUNS: baseline $b s; csv import $c s (ratio $(ratio "$c")); xlsx import, new rows $n s (ratio $(ratio "$n")); xlsx import, updates $x s (ratio $(ratio "$x"))"
