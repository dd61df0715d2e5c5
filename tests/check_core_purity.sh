#!/bin/sh
# core/ is pure domain logic (DESIGN.md section 2): it must not include a
# database, HTTP or file/network I/O header, nor call file or socket
# functions.  Fails listing every offending line.
dir=${1:?usage: check_core_purity.sh SRC/CORE}
bad=$(grep -nE '#include[[:space:]]*[<"](sqlite3|libpq-fe|microhttpd|curl/curl|sys/socket|netinet/[a-z_]+|arpa/inet|netdb|fcntl|unistd|dirent|sys/stat|sys/mman)\.h[>"]' "$dir"/*.c "$dir"/*.h)
calls=$(grep -nE '\b(fopen|fread|fwrite|open|socket|connect|opendir|mmap|getenv|system|popen)[[:space:]]*\(' "$dir"/*.c | grep -v '^\s*\*')
if [ -n "$bad$calls" ]; then
    echo "core/ must stay free of I/O:"
    [ -n "$bad" ] && echo "$bad"
    [ -n "$calls" ] && echo "$calls"
    exit 1
fi
echo "core purity: $(ls "$dir"/*.c | wc -l) source files checked, no I/O headers or calls"
