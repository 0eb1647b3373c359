#!/usr/bin/env bash
# The launch scripts on this machine: real runs (ranks, oversubscription and
# binding, thread settings forwarded, the printed command), bad input (one
# line saying what is wrong, a non-zero exit, no trace, no hang), and paths and
# host names with spaces and shell metacharacters (run, or refused; never executed).
#
#   Tests/Cluster/launch.sh [-- PROGRAM ARGS…]
#
# The program (default: Tests/Cluster/programs/allreduce-probe --iters 5) is
# run with run-local and run-hostfile on hostfiles/localhost.
set -euo pipefail
HARNESS_NAME=launch
source "$(dirname "${BASH_SOURCE[0]}")/lib/harness.sh"
(( $# == 0 )) || [[ "$1" != -- ]] || shift
command -v mpirun >/dev/null || harness_die "mpirun not found; install openmpi-bin libopenmpi-dev"

work="$(mktemp -d /tmp/ddk-launch.XXXXXX)"
trap 'harness_exit_check; rm -rf "$work"' EXIT
if (( $# == 0 )); then
    probe="$(build_probe "$work")" || harness_die "could not compile the allreduce probe with mpicc"
    set -- "$probe" --iters 5
fi
program=("$@")
local_run="$REPO_ROOT/launch/run-local"
hostfile_run="$REPO_ROOT/launch/run-hostfile"
cores="$(nproc)"

# run_case NAME COMMAND…: runs under a 60 s timeout; RC and OUT (stdout+stderr).
run_case() {
    local name="$1"; shift
    OUT="$work/$name.out"
    RC=0
    timeout -k 5 60 "$@" > "$OUT" 2>&1 || RC=$?
}

# bad_input NAME PATTERN COMMAND…: exit non-zero (not a timeout), exactly one
# output line, matching PATTERN, and no bash trace.
bad_input() {
    local name="$1" pattern="$2"; shift 2
    run_case "$name" "$@"
    local lines; lines=$(wc -l < "$OUT")
    if (( RC != 0 && RC != 124 && RC != 137 )) && (( lines == 1 )) && grep -qE -- "$pattern" "$OUT" && ! grep -qE 'line [0-9]+:|unbound variable' "$OUT"; then
        pass "$name → exit $RC: $(cat "$OUT")"
    else
        fail "$name → exit $RC, $lines line(s):"; sed 's/^/    | /' "$OUT" | head -5
    fi
}

# --- bad input ---
bad_input "run-local -n 0" 'whole number' "$local_run" -n 0 -- "${program[@]}"
bad_input "run-local -n abc" 'whole number' "$local_run" -n abc -- "${program[@]}"
bad_input "run-local -n (no value)" 'needs a number' "$local_run" -n
bad_input "run-local unknown option" "unknown option '--frobnicate'" "$local_run" --frobnicate
bad_input "run-local missing program" '/nonexistent/prog does not exist' "$local_run" -n 2 -- /nonexistent/prog
# the default program of a checkout without a build: a copy of launch/ alone
mkdir -p "$work/unbuilt" && cp -r "$REPO_ROOT/launch" "$work/unbuilt/"
bad_input "run-local missing default ddk" "$work/unbuilt/.build/release/ddk does not exist; build it with 'swift build -c release" "$work/unbuilt/launch/run-local" -n 1
bad_input "run-local program not on PATH" "'no-such-program-ddk' is not on PATH" "$local_run" -n 2 -- no-such-program-ddk
bad_input "run-hostfile missing hostfile" 'hostfile /nonexistent/hosts does not exist' "$hostfile_run" --hostfile /nonexistent/hosts -- "${program[@]}"
bad_input "run-hostfile no hostfile" 'no hostfile given' "$hostfile_run" -- "${program[@]}"
printf '# only a comment\n' > "$work/empty-hosts"
bad_input "run-hostfile empty hostfile" 'lists no host' "$hostfile_run" --hostfile "$work/empty-hosts" -- "${program[@]}"
bad_input "run-hostfile -n -1" 'whole number' "$hostfile_run" --hostfile "$REPO_ROOT/hostfiles/localhost" -n -1 -- "${program[@]}"
# mpirun missing: a PATH holding only what the scripts themselves need
mkdir -p "$work/bin"
for tool in bash env nproc dirname; do ln -s "$(command -v "$tool")" "$work/bin/$tool"; done
bad_input "run-local without mpirun" 'mpirun not found' env PATH="$work/bin" "$local_run" -n 2 -- "${program[@]}"
bad_input "run-hostfile without mpirun" 'mpirun not found' env PATH="$work/bin" "$hostfile_run" --hostfile "$REPO_ROOT/hostfiles/localhost" -- "${program[@]}"
bad_input "ddk.sbatch outside Slurm" 'not inside a Slurm job' env -u SLURM_JOB_ID bash "$REPO_ROOT/launch/slurm/ddk.sbatch" -- "${program[@]}"

# --- real runs ---
# printed LINE-PATTERN: the `+ …mpirun` line printed by the launcher matches
printed() { grep -E '^\+ .*mpirun ' "$OUT" | grep -qE -- "$1"; }

over=$((cores + 1))
run_case "local-over" "$local_run" --timeout 50 -n "$over" -- "${program[@]}"
# every rank of the probe reports itself (other programs: the exit code speaks)
all_ranks() { ! grep -q '^probe: ' "$OUT" || (( $(grep -cE "^probe: rank [0-9]+ of $1 " "$OUT") == $1 )); }
if (( RC == 0 )) && all_ranks "$over" && printed "-np $over .*--oversubscribe --bind-to none"; then
    pass "run-local -n $over (> $cores cores): exit 0, printed '+ mpirun … --oversubscribe --bind-to none'"
else
    fail "run-local -n $over: exit $RC"; sed 's/^/    | /' "$OUT" | tail -5
fi
run_case "local-one" "$local_run" --timeout 50 -n 1 -- "${program[@]}"
if (( RC == 0 )) && all_ranks 1 && printed "-np 1 .*--bind-to core" && ! printed "--oversubscribe"; then
    pass "run-local -n 1: exit 0, bound to a core, not oversubscribed"
else
    fail "run-local -n 1: exit $RC"; sed 's/^/    | /' "$OUT" | tail -5
fi
run_case "threads-default" "$local_run" --timeout 50 -n 2 -- env
count=$(grep -cxE 'OPENBLAS_NUM_THREADS=1' "$OUT" || true); count_omp=$(grep -cxE 'OMP_NUM_THREADS=1' "$OUT" || true)
if (( RC == 0 && count == 2 && count_omp == 2 )); then pass "every rank gets OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS=1"; else fail "thread settings: exit $RC, $count/$count_omp of 2 ranks"; fi
run_case "threads-asked" env DDK_TEST_MARK=forwarded "$local_run" --timeout 50 -n 2 --threads 2 -- env
count=$(grep -cxE 'OPENBLAS_NUM_THREADS=2' "$OUT" || true); marks=$(grep -cx 'DDK_TEST_MARK=forwarded' "$OUT" || true)
if (( RC == 0 && count == 2 && marks == 2 )) && printed "-x DDK_TEST_MARK"; then pass "--threads 2 reaches every rank; DDK_* variables are forwarded with -x"; else fail "--threads 2: exit $RC, $count of 2; DDK_TEST_MARK on $marks"; fi
if (( cores >= 2 )); then
    run_case "threads-cores" "$local_run" --timeout 50 -n 1 --threads 2 -- env
    if (( RC == 0 )) && grep -qx 'OPENBLAS_NUM_THREADS=2' "$OUT" && printed "--map-by slot:PE=2 --bind-to core"; then
        pass "run-local -n 1 --threads 2: the rank gets 2 cores (--map-by slot:PE=2)"
    else
        fail "run-local -n 1 --threads 2: exit $RC"; sed 's/^/    | /' "$OUT" | tail -5
    fi
fi
run_case "hostfile" "$hostfile_run" --timeout 50 --hostfile "$REPO_ROOT/hostfiles/localhost" -n 2 --iface lo --tcp-only -- "${program[@]}"
if (( RC == 0 )) && all_ranks 2 && printed "--hostfile .*/hostfiles/localhost -np 2 .*--mca btl tcp,self --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo"; then
    pass "run-hostfile hostfiles/localhost -n 2 --iface lo --tcp-only: exit 0"
else
    fail "run-hostfile on localhost: exit $RC"; sed 's/^/    | /' "$OUT" | tail -5
fi
run_case "hostfile-over" "$hostfile_run" --timeout 50 --hostfile "$REPO_ROOT/hostfiles/localhost" -n 3 -- "${program[@]}"
if (( RC == 0 )) && all_ranks 3 && printed "-np 3 .*--oversubscribe --bind-to none"; then pass "run-hostfile -n 3 > 2 slots: oversubscribed, exit 0"; else fail "run-hostfile -n 3: exit $RC"; sed 's/^/    | /' "$OUT" | tail -5; fi
run_case "exit-code" "$local_run" --timeout 50 -n 2 -- false
if (( RC != 0 )); then pass "a failing program's exit code comes back ($RC)"; else fail "run-local -- false exited 0"; fi

# --- names and paths with spaces and shell metacharacters: they run, or are refused in one
# line naming the culprit; nothing in them is ever executed (no PWNED-* file appears) ---
odd="$work/dir with spaces;\$(touch PWNED-dollar)\`touch PWNED-tick\`'q\"&|<>*"
mkdir -p "$odd/checkout" && cp -r "$REPO_ROOT/launch" "$odd/checkout/"
printf 'localhost slots=2\n' > "$odd/hosts file"
no_pwned() { [[ -z "$(find "$work" "$REPO_ROOT" -maxdepth 3 -name 'PWNED-*' 2>/dev/null)" ]]; }
if [[ "${program[0]}" == */* ]]; then
    cp "${program[0]}" "$odd/the program"
    cd "$work"   # where an executed `touch` would leave its file
    run_case "odd-local" "$local_run" --timeout 50 -n 2 -- "$odd/the program" "${program[@]:1}"
    if (( RC == 0 )) && all_ranks 2 && no_pwned; then
        pass "run-local runs a program whose path holds spaces, quotes, \$( ), backticks, ; & | < > *"
    else
        fail "run-local with an odd program path: exit $RC"; sed 's/^/    | /' "$OUT" | tail -5
    fi
    run_case "odd-hostfile" "$hostfile_run" --timeout 50 --hostfile "$odd/hosts file" -n 2 -- "$odd/the program" "${program[@]:1}"
    cd - >/dev/null
    if (( RC == 0 )) && all_ranks 2 && no_pwned; then
        pass "run-hostfile reads a hostfile and runs a program at such paths"
    else
        fail "run-hostfile with odd paths: exit $RC"; sed 's/^/    | /' "$OUT" | tail -5
    fi
fi
bad_input "a checkout at an odd path (launch scripts there)" "$(printf '%s' "$odd" | sed 's/[][\.*^$|()+?{}]/\\&/g')/checkout/.build/release/ddk does not exist" \
    "$odd/checkout/launch/run-local" -n 1
printf 'localhost slots=1\nnode;touch${IFS}PWNED-host slots=1\n' > "$work/bad-host"
bad_input "hostfile host 'node;touch…'" "'node;touch.*PWNED-host' \\(on its line 2\\) is not a host name" "$hostfile_run" --hostfile "$work/bad-host" -- "${program[@]}"
printf '$(touch PWNED-host2) slots=1\n' > "$work/bad-host2"
bad_input "hostfile host '\$(touch …)'" "'\\\$\\(touch' \\(on its line 1\\) is not a host name" "$hostfile_run" --hostfile "$work/bad-host2" -- "${program[@]}"
bad_input "run-local -x 'A;touch PWNED'" "-x needs an environment variable name" "$local_run" -x 'A;touch PWNED-x' -n 1 -- "${program[@]}"
bad_input "run-hostfile -x '\$(…)'" "-x needs an environment variable name" "$hostfile_run" --hostfile "$REPO_ROOT/hostfiles/localhost" -x '$(touch PWNED-x2)' -- "${program[@]}"
bad_input "run-hostfile --iface 'lo;touch …'" "--iface 'lo;touch PWNED-iface' is neither" "$hostfile_run" --hostfile "$REPO_ROOT/hostfiles/localhost" --iface 'lo;touch PWNED-iface' -- "${program[@]}"
cp "$(command -v true)" "$odd/agent" 2>/dev/null || true
bad_input "run-hostfile --rsh-agent at a path with spaces" "OpenMPI splits the agent at spaces" "$hostfile_run" --hostfile "$REPO_ROOT/hostfiles/localhost" --rsh-agent "$odd/agent" -- "${program[@]}"
if no_pwned; then pass "no PWNED-* file was created by any of the odd names"; else fail "a PWNED-* file exists: $(find "$work" "$REPO_ROOT" -maxdepth 3 -name 'PWNED-*')"; fi

harness_summary
