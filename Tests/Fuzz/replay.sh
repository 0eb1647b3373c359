#!/usr/bin/env bash
# Replays every seed and regression input of the fuzz targets (Tests/Fuzz/seeds/TARGET,
# Tests/Fuzz/regressions/TARGET) through the ordinary build's `ddk-fuzz`, without sanitizers:
# each input that once crashed a parser must now end in an error or be read, never crash.
# (Tests/Fuzz/fuzz.sh replays them under the address sanitizer before it fuzzes.)
#
# Usage: Tests/Fuzz/replay.sh [path/to/ddk-fuzz]   (default .build/release/ddk-fuzz)
# Ends with "fuzz-replay: N passed, M failed"; one PASS/FAIL line per target.
set -uo pipefail
cd "$(dirname "$0")/../.."
source Tests/lib/suite.sh
binary=${1:-.build/release/ddk-fuzz}
log=$(mktemp)

if [ ! -x "$binary" ]; then
    fail "no ddk-fuzz at $binary (swift build builds it with every product)"
    suite_summary fuzz-replay; exit 1
fi
for target in $("$binary" --list | cut -f1); do
    inputs=("Tests/Fuzz/seeds/$target")
    [ -d "Tests/Fuzz/regressions/$target" ] && inputs+=("Tests/Fuzz/regressions/$target")
    if "$binary" "$target" "${inputs[@]}" >"$log" 2>&1; then
        pass "replay $target: $(grep -o '[0-9]* inputs, no crash' "$log")"
    elif grep -q "ddk-fuzz tokenizer: cannot load" "$log"; then
        echo "SKIP replay $target: $(grep -m1 'cannot load' "$log")"
    else
        fail "replay $target: $(grep -m1 -E 'crashed on|ddk-fuzz:' "$log")"
        grep -E "Fatal error|Swift runtime failure|^ +[0-9]+ .* in ddk-fuzz at /" "$log" | head -n 6
    fi
done
rm -f "$log"
suite_summary fuzz-replay
