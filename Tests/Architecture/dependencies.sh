#!/usr/bin/env bash
# The module architecture, checked: the training core has no MPI in its dependency
# closure (per `swift package describe`) and builds on its own without building anything
# of MPI; only Runtime and the command-line tool import MPI; the Engine depends only on
# OpenBLAS and the memory-mapped file reader; the SVG charts (Plots) depend on no other target.
#
# Usage: Tests/Architecture/dependencies.sh   (from anywhere; ends with
#   "architecture-tests: N passed, M failed")
set -uo pipefail
cd "$(dirname "$0")/../.."
source Tests/lib/suite.sh

description=$(mktemp)
if swift package describe --type json >"$description" 2>/dev/null; then
    while read -r verdict message; do
        if [ "$verdict" = PASS ]; then pass "$message"; else fail "$message"; fi
    done < <(python3 Tests/Architecture/check_dependencies.py <"$description")
else
    fail "swift package describe --type json failed"
fi
rm -f "$description"

importers=$(grep -rl --include='*.swift' -E '^(@_exported )?import (MPI|CMPI)$' Sources | grep -vE '^Sources/(MPI|Runtime|ddk)/' || true)
if [ -z "$importers" ]; then
    pass "only Sources/MPI, Sources/Runtime and Sources/ddk import MPI"
else
    fail "MPI imported outside Runtime and ddk: $(echo $importers)"
fi

# The core on its own, in a scratch folder of its own: it must build, and nothing of MPI
# may be compiled for it (SwiftPM lays out a folder per target of the package, but only the
# requested target's closure gets object files and modules).
scratch=$(mktemp -d)
log="$scratch/build.log"
if swift build --target TrainingCore --scratch-path "$scratch/build" >"$log" 2>&1; then
    pass "swift build --target TrainingCore builds on its own"
else
    fail "swift build --target TrainingCore failed: $(grep -m1 'error:' "$log")"
fi
products=$(find "$scratch/build" \( -path '*/MPI.build/*.o' -o -path '*/Runtime.build/*.o' -o -name 'MPI.swiftmodule' \) | head -n 3)
compiled=$(grep -cE 'Compiling (MPI|Runtime) ' "$log")
core_objects=$(find "$scratch/build" -path '*/TrainingCore.build/*.o' | wc -l)
if [ -z "$products" ] && [ "$compiled" -eq 0 ] && [ "$core_objects" -gt 0 ]; then
    pass "building TrainingCore compiled $core_objects core files and nothing of MPI or Runtime"
else
    fail "building TrainingCore compiled MPI or Runtime (or no core file): ${products:-$compiled compile lines, $core_objects core objects}"
fi
rm -rf "$scratch"

suite_summary architecture-tests
