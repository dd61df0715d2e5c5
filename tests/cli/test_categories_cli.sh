#!/bin/bash
# Black-box tests of `bihuan categories`: the shipped file checks clean, a
# broken file is reported with the entry and field, the list shows policies.
# Usage: test_categories_cli.sh PATH/TO/bihuan PATH/TO/data/categories.json
set -u
B=${1:?usage: $0 BIHUAN CATEGORIES_JSON}
F=${2:?usage: $0 BIHUAN CATEGORIES_JSON}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }

out=$("$B" categories check --file "$F") && [[ $out == ok:* ]] && ok || ko "check shipped file: $out"
out=$("$B" categories check) && [[ $out == ok:* ]] && ok || ko "check builtin: $out"
"$B" categories list | grep -q $'^E0501\t占道经营\t数字城管事件\tcity_event' && ok || ko "list E0501"
"$B" categories list | grep -q $'^V01\t环境信访投诉.*联系 1小时，处理 3个工作日，办结 7个工作日' && ok || ko "list V01"
"$B" categories list --json | python3 -c '
import json, sys
cats = json.load(sys.stdin)
v = [c for c in cats if c["code"] == "P01"][0]
fin = [k for k in v["clocks"] if k["name"] == "finish"][0]
assert fin["civil"] and fin["limit"] == 60 and fin["max_extension"] == 30, fin
' && ok || ko "list --json petition"

# A typo in one clock is reported with where it is.
sed 's/"basis": "working_days"/"basis": "workdays"/' "$F" >"$tmp/bad.json"
"$B" categories check --file "$tmp/bad.json" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q 'policies.city_event.clocks\[1\] 字段 basis' "$tmp/err" && grep -q workdays "$tmp/err" && ok || ko "bad basis (exit $rc): $(cat "$tmp/err")"
# A category referring to a missing policy.
sed '0,/"policy": "dispute"/s//"policy": "disputes"/' "$F" >"$tmp/bad2.json"
"$B" categories check --file "$tmp/bad2.json" 2>"$tmp/err"
[ $? = 1 ] && grep -q 'categories\[[0-9]*\] (D01) 字段 policy' "$tmp/err" && ok || ko "bad policy ref: $(cat "$tmp/err")"
# Broken JSON names the line.
head -c 300 "$F" >"$tmp/trunc.json"
"$B" categories check --file "$tmp/trunc.json" 2>"$tmp/err"
[ $? = 1 ] && grep -q 'JSON 格式错误' "$tmp/err" && ok || ko "truncated: $(cat "$tmp/err")"
"$B" categories check --file "$tmp/none.json" 2>"$tmp/err"
[ $? = 1 ] && grep -q '无法打开文件' "$tmp/err" && ok || ko "missing file"
"$B" categories frob 2>/dev/null; [ $? = 2 ] && ok || ko "unknown subcommand exit"
"$B" categories list --bogus 2>/dev/null; [ $? = 2 ] && ok || ko "unknown option exit"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
