#!/bin/sh
# run.sh - what `make run` does after building.  The HTTP server (`bihuan
# serve`) and the demo database arrive with the case-service issue; until
# then this shows the calendar and category engine working on real data.
set -eu
B=${1:-build/bihuan}
echo "== bihuan $("$B" version | cut -d' ' -f2) =="
echo
echo "\$ bihuan calendar add --start 2025-01-24 --workdays 5"
"$B" calendar add --start 2025-01-24 --workdays 5
echo "\$ bihuan calendar add --start 2024-12-02 --days 60 --civil"
"$B" calendar add --start 2024-12-02 --days 60 --civil
echo "\$ bihuan calendar add --start 2025-03-03T17:00 --hours 2"
"$B" calendar add --start 2025-03-03T17:00 --hours 2
echo "\$ bihuan calendar count --from 2025-01-01 --to 2025-12-31"
"$B" calendar count --from 2025-01-01 --to 2025-12-31
echo "\$ bihuan categories check"
"$B" categories check
echo
echo "更多用法: $B --help"
