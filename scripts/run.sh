#!/bin/sh
# run.sh - what `make run` does after building: create the demo database
# if it is not there yet, print the URL and the demo logins, and serve the
# API on 127.0.0.1:8080 until Ctrl-C.
#
# Environment: BIHUAN_RUN_DB (default var/demo.db), BIHUAN_DEMO_CASES
# (default 20000), BIHUAN_LISTEN (default 127.0.0.1:8080).
set -eu
B=${1:-build/bihuan}
DB=${BIHUAN_RUN_DB:-var/demo.db}
CASES=${BIHUAN_DEMO_CASES:-20000}
LISTEN=${BIHUAN_LISTEN:-127.0.0.1:8080}
LOGINS="${DB%.db}-logins.txt"

mkdir -p "$(dirname "$DB")"
if [ ! -f "$DB" ]; then
    echo "创建演示数据库 $DB（$CASES 件案件）…"
    "$B" demo --db "$DB" --cases "$CASES" --logins "$LOGINS" >/dev/null
fi
echo
echo "bihuan 演示环境: http://$LISTEN/   （API: http://$LISTEN/api/v1/ ，健康检查 /healthz）"
if [ -f "$LOGINS" ]; then
    echo "演示账号（用户名  密码  角色  单位）:"
    sed 's/^/  /' "$LOGINS"
fi
echo
exec "$B" serve --db "$DB" --listen "$LISTEN"
