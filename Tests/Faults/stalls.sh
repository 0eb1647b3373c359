#!/usr/bin/env bash
# Stall tests of `ddk distill`: one rank is stopped (SIGSTOP) mid-run, as if it hung or its
# host vanished without the TCP connections closing, so neither MPI nor mpirun notices. The
# other ranks must end the job on their own deadlines — never hang:
#   teacher-stopped      a teacher stops: its students' wait for teacher messages times out
#                        (teacher.timeout_seconds); the first error names the teacher rank
#   student-stopped      a student stops: rank 0's gradient all-reduce (teacher.timeout_seconds)
#                        or per-step gather (collective deadline) times out, whichever it was
#                        in; the teacher waits longer for credits, so it does not report rank 0
#                        (only blocked) first; the first error names the collective
#   coordinator-stopped  rank 0 (not training) stops: the others finish the interval and wait
#                        in the DDK decision broadcast (training.collective_timeout_seconds)
#   student-stopped-gather   a student stops while rank 0 (not training) waits in the per-step
#                        figures gather (collective deadline shorter than the teacher's here)
#   idle-teacher-stopped a `ce` job's idle teacher stops: rank 0 waits for it in the next DDK
#                        boundary's world collectives
#   late-student-MODE    a student sleeps before a step (DDK_TEST_STEP_STALL), under each
#                        training.gradient_sync: the others' gradient all-reduce times out
#                        (teacher.timeout_seconds), the thread modes' inside MPI_Allreduce
# Each job must end non-zero within its deadline + 30 s of the stop and not before the
# deadline, with the first error line naming what was waited for and, for a collective, the
# stopped rank, its role and host (the heartbeats of `training.heartbeat_seconds`: "silent
# rank 2 (student, host h) last heard 8.7 s ago"); no rank may be left over.
#
# Usage: Tests/Faults/stalls.sh [path/to/ddk]   (default .build/release/ddk; build it first)
# Ends with "stall-tests: N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ddk=${1:-.build/release/ddk}
out=runs/stall-tests
source Tests/lib/suite.sh

if ! launch/prepare-tiny "$ddk" >/dev/null; then
    echo "stall-tests: SKIPPED: the tiny inputs cannot be made (the teacher GGUF supplies the tokenizer)"
    echo "stall-tests: 0 passed, 0 failed"
    exit 0
fi
rm -rf "$out"
mkdir -p "$out"

# Every pid this script stopped or found: continued and killed at the end whatever happens,
# if it is still one of our runs (a pid that ended may have been reused by another process).
touched_pids=()
cleanup() {
    local pid
    for pid in "${touched_pids[@]}"; do
        if tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "run_directory=$out/"; then
            kill -CONT "$pid" 2>/dev/null
            kill -KILL "$pid" 2>/dev/null
        fi
    done
}
trap cleanup EXIT

# run_pids NAME: pids of the processes whose command line holds this run's folder (mpirun and ranks).
run_pids() {
    pgrep -f -- "run_directory=$out/$1\$" || true
}

# rank_pid NAME RANK: the pid of world rank RANK of run NAME (from OMPI_COMM_WORLD_RANK).
rank_pid() { world_rank_pid "$2" $(run_pids "$1"); }

# step_records NAME: step records rank 0 has written so far.
step_records() { step_records_in "$out/$1/metrics.jsonl"; }

now() { date +%s.%N; }
# greater A B: true when the number A is greater than B (awk: no bc needed).
greater() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
# since T: seconds from the time T to now, one decimal.
since() { awk -v t="$1" -v n="$(now)" 'BEGIN { printf "%.1f", n - t }'; }

# stall NAME NP RANK AFTER DEADLINE PATTERN ARGS...: runs tiny.toml on NP ranks with ARGS,
# stops world rank RANK once rank 0 has logged AFTER step records, and checks that the job
# ends non-zero no sooner than DEADLINE - 1 s and within DEADLINE + 30 s of the stop, that the
# first error line matches the extended regex PATTERN, and that no rank is left.
stall() {
    local name=$1 np=$2 rank=$3 after=$4 deadline=$5 pattern=$6
    shift 6
    local folder="$out/$name"
    mkdir -p "$folder"
    timeout -k 5 150 mpirun --allow-run-as-root --oversubscribe -np "$np" "$ddk" distill \
        --config launch/configs/tiny.toml --set training.steps=4000 "$@" \
        --set run_directory="$folder" >"$folder/output.log" 2>&1 &
    local job=$!

    local started
    started=$(now)
    while [ "$(step_records "$name")" -lt "$after" ]; do
        if ! kill -0 "$job" 2>/dev/null; then
            wait "$job"
            fail "$name: the job ended (exit $?) before $after steps were logged: $(tail -n 3 "$folder/output.log")"
            return
        fi
        if greater "$(since "$started")" 90; then
            fail "$name: fewer than $after steps logged after 90 s"
            kill -TERM "$job" 2>/dev/null; wait "$job"
            return
        fi
        sleep 0.05
    done
    local pid
    pid=$(rank_pid "$name" "$rank")
    if [ -z "$pid" ]; then
        fail "$name: no process of rank $rank found"
        kill -TERM "$job" 2>/dev/null; wait "$job"
        return
    fi
    touched_pids+=("$pid")
    kill -STOP "$pid"
    local stopped
    stopped=$(now)
    for other in $(run_pids "$name"); do touched_pids+=("$other"); done

    wait "$job"
    local status=$?
    local elapsed
    elapsed=$(since "$stopped")
    local leftovers
    leftovers=$(run_pids "$name" | tr '\n' ' ')
    local first
    first=$(grep -m1 -E '^ddk distill: rank [0-9]+ \([^)]*\): error: ' "$folder/output.log")
    local limit=$((deadline + 30))

    if [ "$status" -eq 0 ]; then
        fail "$name: the job ended with status 0 after rank $rank was stopped"
    elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        fail "$name: the job hung: killed by timeout (150 s) after rank $rank was stopped"
    elif [ -n "$leftovers" ]; then
        fail "$name: processes left after the job ended: $leftovers"
    elif greater "$elapsed" "$limit"; then
        fail "$name: ended ${elapsed} s after rank $rank was stopped, more than $limit s; first error: $first"
    elif greater "$((deadline - 1))" "$elapsed"; then
        fail "$name: ended ${elapsed} s after the stop, before the $deadline s deadline could pass: $first"
    elif ! grep -qE -- "$pattern" <<<"$first"; then
        fail "$name: the first error line does not match /$pattern/: ${first:-no error line}"
        tail -n 8 "$folder/output.log"
    else
        pass "$name: rank $rank stopped; the job ended (exit $status) ${elapsed} s later (deadline $deadline s, limit $limit s): $first"
    fi
}

# (a) The teacher of a kd job stops; both students wait for its messages.
stall teacher-stopped 3 1 6 5 'error: step [0-9]+: teacher rank 1 sent nothing within 5' \
    --set teacher.timeout_seconds=5 --set ddk.interval_steps=1000

# (b) A student (not rank 0) stops; rank 0 waits for it in the gradient all-reduce or, when the
# stop came between the two, in the step's gather; the teacher waits for its credits.
stall student-stopped 3 2 6 5 'error: (gradient all-reduce at step [0-9]+ on students \(2 ranks\) did not complete: rank 0 \(coordinator\+student\) waited [0-9.]+ s \(teacher\.timeout_seconds\)|step [0-9]+ (figures|weight-checksum) gather on trainers \(2 ranks\) did not complete: rank 0 \(coordinator\+student\) waited [0-9.]+ s \(training\.collective_timeout_seconds\)); a rank of (students|trainers) is stopped.*: silent rank 2 \(student, host [^)]+\) last heard [0-9.]+ s ago' \
    --set teacher.timeout_seconds=5 --set training.collective_timeout_seconds=8 --set ddk.interval_steps=1000

# (c) Rank 0 coordinates without training and stops mid-interval: the teacher does not need it
# until the boundary, nor do the students, whose small per-step gathers to rank 0 are sent
# eagerly (a few steps' worth fit MPI's buffers: no weight checksums, 6 steps to the boundary),
# then every rank waits for its decision.
stall coordinator-stopped 4 0 6 8 'error: DDK decision broadcast at step 12 on world \(4 ranks\) did not complete: rank [1-3] \((teacher|student)\) waited [0-9.]+ s \(training\.collective_timeout_seconds\); a rank of world is stopped, crashed without its launcher noticing, or its host is unreachable: silent rank 0 \(coordinator, host [^)]+\) last heard [0-9.]+ s ago' \
    --set training.coordinator_trains=false --set ddk.interval_steps=12 --set training.weight_checksums=false \
    --set training.collective_timeout_seconds=8 --set teacher.timeout_seconds=60

# (d) A student stops while rank 0, not training, gathers each step's figures (the collective
# deadline is shorter than the teacher's here, so it is the first to pass).
stall student-stopped-gather 4 3 6 8 'step [0-9]+ (figures|weight-checksum) gather on trainers \(3 ranks\) did not complete: rank 0 \(coordinator\) waited [0-9.]+ s \(training\.collective_timeout_seconds\).*: silent rank 3 \(student, host [^)]+\) last heard [0-9.]+ s ago' \
    --set training.coordinator_trains=false --set ddk.interval_steps=1000 \
    --set training.collective_timeout_seconds=8 --set teacher.timeout_seconds=60

# (e) A `ce` job's teacher rank is idle between boundaries; it stops, and rank 0 waits for it
# in the next boundary's collectives on world.
stall idle-teacher-stopped 3 1 6 8 'DDK (decision broadcast|weight-hash gather) at step 40 on world \(3 ranks\) did not complete: rank [02] \((coordinator\+)?student\) waited [0-9.]+ s \(training\.collective_timeout_seconds\).*: silent rank 1 \(teacher, host [^)]+\) last heard [0-9.]+ s ago' \
    --set objective.name=ce --set teacher.ranks=1 --set ddk.interval_steps=40 \
    --set training.collective_timeout_seconds=8 --set teacher.timeout_seconds=60

# (f) A student is late for a step's gradient all-reduce (DDK_TEST_STEP_STALL: rank 2 sleeps
# 60 s before step 5), under each training.gradient_sync: the others wait for it in that
# all-reduce — with a communication thread, inside MPI_Allreduce on the thread while the
# training thread holds the deadline — and end the job once teacher.timeout_seconds pass.
late_student() {
    local mode=$1 underlying=$2
    local folder="$out/late-student-$mode"
    mkdir -p "$folder"
    local started
    started=$(now)
    DDK_TEST_STEP_STALL=2:5:60 timeout -k 5 150 mpirun --allow-run-as-root --oversubscribe -x DDK_TEST_STEP_STALL -np 3 \
        "$ddk" distill --config launch/configs/tiny.toml --set objective.name=ce --set teacher.ranks=0 --set training.steps=40 \
        --set ddk.interval_steps=1000 --set teacher.timeout_seconds=4 --set training.heartbeat_seconds=1 \
        --set training.gradient_sync="\"$mode\"" \
        --set run_directory="$folder" >"$folder/output.log" 2>&1
    local status=$? elapsed
    elapsed=$(since "$started")
    local first
    first=$(grep -m1 -E '^ddk distill: rank [0-9]+ \([^)]*\): error: ' "$folder/output.log")
    local pattern="error: gradient all-reduce at step 5 on students \(3 ranks\) did not complete: rank [01] \((coordinator\+)?student\) waited [4-9][0-9.]* s \(teacher\.timeout_seconds\).*: silent rank 2 \(student, host [^)]+\).*\[$underlying"
    if [ "$status" -eq 0 ] || [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        fail "late-student-$mode: the job ended with status $status (0: the stall went unnoticed; 124/137: it hung)"
    elif greater 4 "$elapsed"; then
        fail "late-student-$mode: ended ${elapsed} s after the start, before the 4 s deadline could pass: $first"
    elif greater "$elapsed" 50; then
        fail "late-student-$mode: ended ${elapsed} s after the start, past the 4 s deadline plus start-up: $first"
    elif ! grep -qE -- "$pattern" <<<"$first"; then
        fail "late-student-$mode: the first error line does not match /$pattern/: ${first:-no error line}"
        tail -n 8 "$folder/output.log"
    else
        pass "late-student-$mode: the job ended (exit $status) ${elapsed} s after its start: $first"
    fi
}
late_student overlapped "MPI_Allreduce: still waiting for the communication thread's collectives\\]"
late_student after_backward "MPI_Allreduce: still waiting for the communication thread's collectives\\]"
late_student nonblocking 'MPI_Iallreduce: still waiting for '

suite_summary stall-tests
