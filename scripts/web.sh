#!/bin/sh
# web.sh - build the web console (web/ -> web/dist) with npm and vite.
# Installs the npm packages from package-lock.json when node_modules is
# missing or older than the lock file (npm ci: exact versions, no changes
# to the lock), and rebuilds only when a source is newer than the build.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/web"
if ! command -v npm >/dev/null 2>&1; then
    echo "web: npm is missing: run make deps" >&2
    exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "web: installing npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
fi
stamp=dist/index.html
if [ -f "$stamp" ] && [ -z "$(find index.html vite.config.js package-lock.json src -newer "$stamp" -print -quit)" ]; then
    echo "web: console up to date"
    exit 0
fi
echo "web: building the console (vite)"
npx --no-install vite build --logLevel warn
touch "$stamp"
