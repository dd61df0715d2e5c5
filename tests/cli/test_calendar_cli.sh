#!/bin/bash
# Black-box tests of `bihuan calendar`: the issue's examples, --json, exit
# codes, regional overrides, unpublished years and bad arguments.
# Usage: test_calendar_cli.sh PATH/TO/bihuan
set -u
B=${1:?usage: $0 BIHUAN}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect NAME WANT_EXIT WANT_STDOUT -- ARGS...
expect() {
    local name=$1 want_rc=$2 want_out=$3
    shift 4
    local out rc
    out=$("$B" "$@" 2>"$tmp/err")
    rc=$?
    if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: bihuan $*"
        echo "  exit $rc (want $want_rc), stdout: $out"
        echo "  want stdout: $want_out"
        sed 's/^/  stderr: /' "$tmp/err" | head -5
    fi
}

# expect_err NAME WANT_EXIT NEEDLE -- ARGS...: stderr must contain NEEDLE
expect_err() {
    local name=$1 want_rc=$2 needle=$3
    shift 4
    "$B" "$@" >/dev/null 2>"$tmp/err"
    local rc=$?
    if [ "$rc" = "$want_rc" ] && grep -qF -- "$needle" "$tmp/err"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: bihuan $* (exit $rc, want $want_rc; stderr lacks '$needle')"
        sed 's/^/  stderr: /' "$tmp/err" | head -5
    fi
}

# The examples.
expect workdays 0 2025-02-07 -- calendar add --start 2025-01-24 --workdays 5
expect civil 0 2025-02-05 -- calendar add --start 2024-12-02 --days 60 --civil
expect hours 0 2025-03-04T10:00:00+08:00 -- calendar add --start 2025-03-03T17:00 --hours 2
expect makeup-saturday 0 workday -- calendar is-workday 2026-02-14
expect spring-festival 1 restday -- calendar is-workday 2026-02-16
expect ordinary-sunday 1 restday -- calendar is-workday 2026-03-01
expect count-2023 0 249 -- calendar count --from 2023-01-01 --to 2023-12-31
expect count-2024 0 251 -- calendar count --from 2024-01-01 --to 2024-12-31
expect count-2025 0 248 -- calendar count --from 2025-01-01 --to 2025-12-31
expect count-2026 0 248 -- calendar count --from 2026-01-01 --to 2026-12-31

# DESIGN.md worked checks.
expect national-day 0 2024-10-08 -- calendar add --start 2024-09-30 --workdays 1
expect new-year 0 2024-01-02 -- calendar add --start 2023-12-29 --workdays 1
expect makeup-day 0 2026-02-14 -- calendar add --start 2026-02-13 --workdays 1
expect backwards 0 2025-01-26 -- calendar add --start 2025-02-05 --workdays -2
expect plain-days 0 2025-01-31 -- calendar add --start 2024-12-02 --days 60
expect office-hours 0 2025-03-04T09:00:00+08:00 -- calendar add --start 2025-03-03T17:00 --hours 1 --office-hours 08:30-12:00,14:00-17:30

# JSON output.
expect json-add 0 '{"start":"2025-01-24","workdays":5,"civil":false,"result":"2025-02-07","schedule_published":true}' \
    -- calendar add --start 2025-01-24 --workdays 5 --json
expect json-workday 0 '{"date":"2026-02-14","weekday":6,"workday":true,"kind":"makeup_workday","name":"春节","schedule_published":true}' \
    -- calendar is-workday 2026-02-14 --json
expect json-restday 1 '{"date":"2025-10-06","weekday":1,"workday":false,"kind":"holiday","name":"国庆节、中秋节","schedule_published":true}' \
    -- calendar is-workday --json 2025-10-06
expect json-count 0 '{"from":"2023-01-01","to":"2023-12-31","workdays":249,"schedule_published":true}' \
    -- calendar count --from 2023-01-01 --to 2023-12-31 --json
expect json-hours 0 '{"start":"2025-03-03T17:00:00+08:00","hours":2.0,"result":"2025-03-04T10:00:00+08:00","schedule_published":true}' \
    -- calendar add --start 2025-03-03T17:00 --hours 2 --json

# Unpublished years are answered, but flagged.
expect unpublished-json 0 '{"start":"2026-12-30","workdays":3,"civil":false,"result":"2027-01-04","schedule_published":false}' \
    -- calendar add --start 2026-12-30 --workdays 3 --json
expect_err unpublished-warning 0 '尚未公布' -- calendar is-workday 2027-01-04

# Regional overrides on top of the national calendar.
printf '# 地方节日\n2025-03-31,OFF,三月三\n2025-03-30,WORK,三月三\n' >"$tmp/region.csv"
expect region-off 1 restday -- calendar is-workday 2025-03-31 --region "$tmp/region.csv"
expect region-work 0 workday -- calendar is-workday 2025-03-30 --region "$tmp/region.csv"
expect region-count 0 248 -- calendar count --from 2025-01-01 --to 2025-12-31 --region "$tmp/region.csv"
printf '2025-03-31,HOLIDAY,x\n' >"$tmp/bad.csv"
expect_err region-bad 2 '第1行' -- calendar is-workday 2025-03-31 --region "$tmp/bad.csv"
expect_err region-missing 2 '无法打开文件' -- calendar is-workday 2025-03-31 --region "$tmp/nope.csv"

# Year listing.
out=$("$B" calendar show --year 2025 | tail -1)
if [ "$out" = "2025年共有工作日 248 天" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL show: $out"; fi
n=$("$B" calendar show --year 2024 | grep -c ' 班 ')
if [ "$n" = 8 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL show make-up days 2024: $n"; fi

# Bad arguments: a clear message, the usage, exit 2.
expect_err no-sub 2 '缺少子命令' -- calendar
expect_err bad-sub 2 '未知子命令' -- calendar frobnicate
expect_err no-start 2 '需要 --start' -- calendar add --workdays 5
expect_err bad-date 2 '2025-02-30' -- calendar add --start 2025-02-30 --workdays 5
expect_err bad-n 2 '--workdays' -- calendar add --start 2025-01-24 --workdays five
expect_err two-modes 2 '之一' -- calendar add --start 2025-01-24 --workdays 5 --days 3
expect_err civil-alone 2 '--civil' -- calendar add --start 2025-01-24 --workdays 5 --civil
expect_err bad-time 2 '时刻' -- calendar add --start 2025-03-03T25:00 --hours 2
expect_err neg-hours 2 '--hours' -- calendar add --start 2025-03-03T17:00 --hours -1
expect_err unknown-opt 2 '--frob' -- calendar add --frob
expect_err missing-value 2 '用法' -- calendar add --start
expect_err is-workday-none 2 '一个日期' -- calendar is-workday
expect_err is-workday-bad 2 '无效' -- calendar is-workday 2025-13-01
expect_err count-reversed 2 '不能早于' -- calendar count --from 2025-02-01 --to 2025-01-01
expect_err bad-office 2 '办公时段' -- calendar add --start 2025-03-03T17:00 --hours 1 --office-hours 9-12
expect_err extra-arg 2 '多余的参数' -- calendar count --from 2025-01-01 --to 2025-01-31 extra
expect_err top-unknown 2 '未知命令' -- frobnicate
"$B" calendar --help | grep -q 'is-workday' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL help"; }

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
