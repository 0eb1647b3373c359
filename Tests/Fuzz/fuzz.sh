#!/usr/bin/env bash
# Fuzzes every input format SwiftDDK parses (Tests/Fuzz/Targets: one libFuzzer target per
# format) with the address sanitizer: builds `ddk-fuzz` for fuzzing in .build/fuzz, then runs
# each target for a given time on its seeds (Tests/Fuzz/seeds/TARGET) and its regression
# inputs (Tests/Fuzz/regressions/TARGET), which run first, under the sanitizer. New corpus
# inputs and crash artifacts go to a scratch folder, never into the repository.
#
# Usage: Tests/Fuzz/fuzz.sh [--seconds S] [--target NAME]... [--work DIR]
#   --seconds S   per target (default 20; the issue's long run: --seconds 1800)
#   --target NAME only this target (repeatable; default every target of `ddk-fuzz --list`)
#   --work DIR    keep corpora and artifacts in DIR (default a temporary folder, removed
#                 unless a target failed), to continue a long run later
# Ends with "fuzz-tests: N passed, M failed"; one PASS/FAIL line per target with its
# executions and executions per second. Everything runs at nice 19.
set -uo pipefail
cd "$(dirname "$0")/../.."
source Tests/lib/suite.sh

seconds=20
targets=()
work=""
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --target) targets+=("$2"); shift 2 ;;
        --work) work=$2; shift 2 ;;
        *) echo "usage: Tests/Fuzz/fuzz.sh [--seconds S] [--target NAME]... [--work DIR]" >&2; exit 2 ;;
    esac
done
keep_work=${work:+yes}
work=${work:-$(mktemp -d)}
mkdir -p "$work"

# The instrumented build: Swift code with -sanitize=fuzzer,address, and the C and C++ of the
# dependencies (TOMLKit's toml++) with coverage and the address sanitizer too, so that the
# fuzzer sees inside the TOML parser. lld: gold fails on this link.
binary=.build/fuzz/debug/ddk-fuzz
started=$(date +%s)
if nice -n 19 swift build --product ddk-fuzz --scratch-path .build/fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DDDK_FUZZING -Xswiftc -use-ld=lld \
    -Xcc -fsanitize=fuzzer-no-link,address -Xcxx -fsanitize=fuzzer-no-link,address >"$work/build.log" 2>&1; then
    echo "fuzz build: $((($(date +%s) - started))) s"
else
    grep -E "error:" "$work/build.log" | head -n 5
    fail "fuzz build (swift build --product ddk-fuzz -sanitize=fuzzer,address): see $work/build.log"
    suite_summary fuzz-tests; exit 1
fi
if [ ${#targets[@]} -eq 0 ]; then mapfile -t targets < <("$binary" --list | cut -f1); fi

# run_target NAME: fuzzes one target; prints its PASS/FAIL line.
run_target() {
    local name=$1 corpus="$work/corpus/$1" artifacts="$work/artifacts/$1/" log="$work/$1.log"
    mkdir -p "$corpus" "$artifacts"
    local inputs=("$corpus" "Tests/Fuzz/seeds/$name")
    [ -d "Tests/Fuzz/regressions/$name" ] && inputs+=("Tests/Fuzz/regressions/$name")
    # TOMLKit leaks on every parse, so libFuzzer would scan for leaks after every new input
    # of the config target (12 times slower); its leaks are suppressed at exit anyway. They
    # also accumulate (2 GB after about 800,000 inputs), so that target's resident-memory
    # limit is higher; the 1 GB limit on any one allocation still holds.
    local leaks=1 rss=2048
    [ "$name" = config ] && leaks=0 rss=8192
    local started=$SECONDS
    SWIFT_BACKTRACE=enable=no DDK_FUZZ_TARGET=$name \
        LSAN_OPTIONS="suppressions=$PWD/Tests/Fuzz/lsan-suppressions.txt:print_suppressions=0" \
        nice -n 19 "$binary" -max_total_time="$seconds" -rss_limit_mb="$rss" -malloc_limit_mb=1024 -timeout=10 -detect_leaks=$leaks \
        -print_final_stats=1 -artifact_prefix="$artifacts" "${inputs[@]}" >"$log" 2>&1
    local status=$? elapsed=$((SECONDS - started))
    local executions rate
    executions=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -n 1)
    rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log" | tail -n 1)
    local figures="${executions:-?} executions in $elapsed s (${rate:-?} exec/s), corpus $(ls "$corpus" | wc -l) inputs"
    if [ "$status" -eq 0 ]; then
        pass "fuzz $name: $figures"
    elif grep -q "ddk-fuzz tokenizer: cannot load" "$log"; then
        echo "SKIP fuzz $name: $(grep -m1 'cannot load' "$log")"
    else
        fail "fuzz $name: exit $status after $figures; input: $(ls -t "$artifacts" | head -n 1 | sed "s|^|$artifacts|")"
        grep -E "Fatal error|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|SUMMARY|^    #[0-9] .*in \\\$s" "$log" | head -n 8
    fi
}

for target in "${targets[@]}"; do run_target "$target"; done
if [ "$failed" -eq 0 ] && [ -z "$keep_work" ]; then rm -rf "$work"; else echo "fuzz-tests: corpora, artifacts and logs in $work"; fi
suite_summary fuzz-tests
