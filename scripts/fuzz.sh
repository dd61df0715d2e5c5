#!/bin/sh
# fuzz.sh BUILD_DIR SECONDS - run every libFuzzer target for SECONDS each on
# its seed corpus in tests/fuzz/corpus/NAME.  New interesting inputs go to a
# scratch directory.  Fails if any target finds a crash, leak or UB.
set -eu
build=${1:?usage: fuzz.sh BUILD_DIR SECONDS}
secs=${2:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for name in case_body query geojson xlsx csv upload; do
    mkdir -p "$scratch/$name"
    echo "fuzz: $name for ${secs}s"
    (cd "$scratch" && "$OLDPWD/$build/fuzz_$name" -max_total_time="$secs" -print_final_stats=1 \
        -max_len=65536 "$scratch/$name" "$root/tests/fuzz/corpus/$name" 2>"$scratch/$name.log") || {
        tail -40 "$scratch/$name.log"
        echo "fuzz: $name FAILED"
        exit 1
    }
    grep -E 'stat::number_of_executed_units|Done' "$scratch/$name.log" | sed "s/^/fuzz: $name: /"
done
echo "fuzz: all targets ran clean"
