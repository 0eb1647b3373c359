# Shared by the suite scripts run from the repository root (Tests/Distill/*.sh,
# Tests/Faults/*.sh): source it, call `pass` / `fail` once per check, and end with
# `suite_summary NAME`, which prints the line Tests/run counts ("NAME: N passed, M
# failed") and returns non-zero when a check failed.
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
suite_summary() { echo "$1: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; }

# world_rank_pid RANK PID...: the first PID whose environment makes it MPI world rank RANK
# (OMPI_COMM_WORLD_RANK, set by mpirun for each rank); nothing and status 1 when none does.
world_rank_pid() {
    local rank=$1 pid
    shift
    for pid in "$@"; do
        if tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qx "OMPI_COMM_WORLD_RANK=$rank"; then
            echo "$pid"
            return 0
        fi
    done
    return 1
}

# step_records_in METRICS: how many step records a metrics.jsonl holds so far (0 while absent).
step_records_in() {
    local count
    count=$(grep -c '"kind":"step"' "$1" 2>/dev/null)
    echo "${count:-0}"
}
