#!/bin/sh
# fuzz.sh [SECONDS] - long libFuzzer runs (default 600 s per target); the
# test command runs the same targets for 20 s each.
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-600}
CC=clang cmake -S . -B build-fuzz -G Ninja -DBIHUAN_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
ninja -C build-fuzz
./scripts/fuzz.sh build-fuzz "$SECS"
