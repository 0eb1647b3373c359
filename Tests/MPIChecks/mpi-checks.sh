#!/usr/bin/env bash
# Runs the multi-rank MPI checks under mpirun with 1, 2, 3 and 4 ranks.
#
#   Tests/MPIChecks/mpi-checks.sh PATH/TO/mpi-checks
#
# Builds nothing: build first with `swift build -c release --product mpi-checks`.
# Prints every run's output, then one final line
#   mpi-checks: N passed, M failed
# counting individual checks over all runs, plus one for an abort run (a run that crashes, hangs past its
# 60 s limit or prints no totals counts as one failure). Exits non-zero on any failure.
set -u

binary="${1:-}"
if [ -z "$binary" ]; then
    echo "usage: $0 PATH/TO/mpi-checks (build it with: swift build -c release --product mpi-checks)" >&2
    exit 2
fi
if [ ! -x "$binary" ]; then
    echo "mpi-checks.sh: $binary is not an executable; build it with: swift build -c release --product mpi-checks" >&2
    exit 2
fi
if ! command -v mpirun >/dev/null 2>&1; then
    echo "mpi-checks.sh: mpirun not found; install OpenMPI: apt-get install -y openmpi-bin libopenmpi-dev" >&2
    exit 2
fi

root_flag=""
if [ "$(id -u)" = "0" ]; then root_flag="--allow-run-as-root"; fi

output="$(mktemp)"
trap 'rm -f "$output"' EXIT
total_passed=0
total_failed=0
for ranks in 1 2 3 4; do
    echo "== mpi-checks with $ranks rank(s)"
    timeout -k 5 60 mpirun $root_flag --oversubscribe -np "$ranks" "$binary" >"$output" 2>&1
    status=$?
    cat "$output"
    totals="$(grep -E '^mpi-checks: [0-9]+ passed, [0-9]+ failed$' "$output" | tail -n 1)"
    if [ -n "$totals" ]; then
        passed="$(echo "$totals" | sed -E 's/^mpi-checks: ([0-9]+) passed, ([0-9]+) failed$/\1/')"
        failed="$(echo "$totals" | sed -E 's/^mpi-checks: ([0-9]+) passed, ([0-9]+) failed$/\2/')"
        total_passed=$((total_passed + passed))
        total_failed=$((total_failed + failed))
        if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
            echo "FAIL $ranks rank(s): mpirun exited with status $status"
            total_failed=$((total_failed + 1))
        fi
    else
        if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
            echo "FAIL $ranks rank(s): timed out after 60 s"
        else
            echo "FAIL $ranks rank(s): no totals line (exit status $status)"
        fi
        total_failed=$((total_failed + 1))
    fi
done

echo "== abort(code: 7) on the last of 3 ranks ends the job with code 7"
timeout -k 5 60 mpirun $root_flag --oversubscribe -np 3 "$binary" --abort >"$output" 2>&1
status=$?
if [ "$status" -eq 7 ]; then
    total_passed=$((total_passed + 1))
else
    cat "$output"
    echo "FAIL abort: expected exit status 7, got $status"
    total_failed=$((total_failed + 1))
fi

echo "mpi-checks: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
