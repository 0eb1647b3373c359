# Shared helpers of the SwiftDDK launch scripts (sourced, never run).
#
# Everything here is plain bash; the only outside commands are `nproc` and the
# MPI launcher itself, so a missing tool is reported by name instead of failing
# half-way.

# The repository root (launch/lib/common.sh → ../..).
DDK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# The program run when none is given after `--`.
DDK_DEFAULT_PROGRAM="$DDK_ROOT/.build/release/ddk"

# die MESSAGE: one line on stderr naming the launcher, exit 2.
die() {
    printf '%s: error: %s\n' "${DDK_SCRIPT_NAME:-launch}" "$*" >&2
    exit 2
}

# require_count NAME VALUE: VALUE is a whole number ≥ 1.
require_count() {
    local name="$1" value="$2"
    if ! [[ "$value" =~ ^[0-9]+$ ]] || (( 10#$value < 1 )); then
        die "$name must be a whole number of at least 1, got '$value' (for example $name 4)"
    fi
}

# require_variable_name OPTION VALUE: VALUE is an environment variable's name (what `-x`
# forwards), so nothing else can ride along into mpirun's arguments.
require_variable_name() {
    [[ "$2" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "$1 needs an environment variable name (letters, digits, _), not '$2'"
}

# find_mpirun: sets MPIRUN to the launcher ($MPIRUN or `mpirun` on PATH).
find_mpirun() {
    MPIRUN="${MPIRUN:-mpirun}"
    if ! MPIRUN="$(command -v "$MPIRUN")"; then
        die "mpirun not found on PATH; install OpenMPI (apt-get install -y openmpi-bin libopenmpi-dev) or set MPIRUN=/path/to/mpirun"
    fi
}

# require_program PATH: the program to launch exists and is executable.
# A bare name (no slash) is looked up on PATH, as mpirun would.
require_program() {
    local program="$1"
    if [[ "$program" == */* ]]; then
        if [[ ! -e "$program" ]]; then
            if [[ "$program" == "$DDK_DEFAULT_PROGRAM" ]]; then
                die "program $program does not exist; build it with 'swift build -c release --product ddk' or give the program after '--'"
            fi
            die "program $program does not exist; check the path given after '--'"
        fi
        [[ -x "$program" && ! -d "$program" ]] || die "program $program is not an executable file; give an executable after '--'"
    else
        command -v "$program" >/dev/null || die "program '$program' is not on PATH; give its full path after '--'"
    fi
}

# core_count: processor cores this process may use.
core_count() {
    nproc 2>/dev/null || echo 1
}

# mpirun_common_args THREADS OVERSUBSCRIBED BIND MAP_BY: appends to the array
# MPIRUN_ARGS the options every launch shares: root permission, placement and
# binding, one BLAS thread per rank (or THREADS), and the environment
# forwarded to every rank.
mpirun_common_args() {
    local threads="$1" oversubscribed="$2" bind="$3" map_by="${4:-}"
    if (( EUID == 0 )); then
        MPIRUN_ARGS+=(--allow-run-as-root)
    fi
    if [[ "$oversubscribed" == yes ]]; then
        MPIRUN_ARGS+=(--oversubscribe)
        [[ -z "$map_by" ]] || MPIRUN_ARGS+=(--map-by "$map_by")
        # Several ranks share a core: pinning them to cores would stack them.
        MPIRUN_ARGS+=(--bind-to "${bind:-none}")
    else
        # A rank with T threads gets T cores of its own (PE = cores per rank).
        if (( threads > 1 )) && [[ "$map_by" != *:* ]]; then
            map_by="${map_by:-slot}:PE=$threads"
        fi
        [[ -z "$map_by" ]] || MPIRUN_ARGS+=(--map-by "$map_by")
        MPIRUN_ARGS+=(--bind-to "${bind:-core}")
    fi
    export OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads"
    local forwarded=(OPENBLAS_NUM_THREADS OMP_NUM_THREADS PATH)
    [[ -n "${LD_LIBRARY_PATH:-}" ]] && forwarded+=(LD_LIBRARY_PATH)
    local name
    # Every DDK_* setting (teacher path, data folders, …) follows the ranks.
    for name in $(compgen -e); do
        [[ "$name" == DDK_* ]] && forwarded+=("$name")
    done
    for name in "${forwarded[@]}" "${EXTRA_FORWARD[@]}"; do
        MPIRUN_ARGS+=(-x "$name")
    done
}

# run_printed COMMAND…: prints `+ COMMAND…` (shell-quoted, on stderr so the
# program's own stdout stays clean) and runs it, or only prints it when
# DRY_RUN=yes. Returns the command's exit code.
run_printed() {
    local word quoted line=""
    for word in "$@"; do
        if [[ "$word" =~ ^[A-Za-z0-9_./,:=@%+-]+$ ]]; then
            quoted="$word"
        else
            printf -v quoted '%q' "$word"
        fi
        line+="${line:+ }$quoted"
    done
    printf '+ %s\n' "$line" >&2
    [[ "${DRY_RUN:-no}" == yes ]] && return 0
    "$@"
}

# run_watching_aborts GRACE COMMAND…: runs COMMAND (mpirun) as run_printed does, passing its
# output through, and ends it when it has not exited GRACE seconds after the job reported an
# abort ("MPI_ABORT was invoked", or a `ddk …: error:` line). OpenMPI 4.1's mpirun waits for
# every daemon to confirm the abort; one on a host that became unreachable never does, and
# mpirun would then wait until its --timeout (or forever). Exit status: COMMAND's, or 1
# (with a line saying why) when it had to be ended.
run_watching_aborts() {
    local grace="$1"; shift
    if [[ "${DRY_RUN:-no}" == yes ]] || (( grace == 0 )); then run_printed "$@"; return; fi
    local dir; dir="$(mktemp -d "${TMPDIR:-/tmp}/ddk-watch.XXXXXX")"
    mkfifo "$dir/out" "$dir/err"
    _watch_lines "$dir/aborted" < "$dir/out" & local out_watcher=$!
    _watch_lines "$dir/aborted" < "$dir/err" >&2 & local err_watcher=$!
    run_printed "$@" > "$dir/out" 2> "$dir/err" &
    local job=$! status=0 aborted_at=""
    while kill -0 "$job" 2>/dev/null; do
        if [[ -e "$dir/aborted" ]]; then
            aborted_at="${aborted_at:-$SECONDS}"
            if (( SECONDS - aborted_at >= grace )); then
                printf '%s: the job aborted %s s ago and mpirun has not exited (a host is unreachable?); ending it\n' \
                    "${DDK_SCRIPT_NAME:-launch}" "$grace" >&2
                _signal_tree TERM "$job"; sleep 2; _signal_tree KILL "$job"
                status=1
                break
            fi
        fi
        sleep 0.2
    done
    if (( status == 0 )); then wait "$job" || status=$?; else wait "$job" 2>/dev/null || true; fi
    wait "$out_watcher" "$err_watcher" || true
    rm -rf "$dir"
    return "$status"
}

# _signal_tree SIGNAL PID: SIGNAL to PID and every process below it (mpirun under timeout).
_signal_tree() {
    local child
    for child in $(ps -o pid= --ppid "$2" 2>/dev/null); do _signal_tree "$1" "$child"; done
    kill "-$1" "$2" 2>/dev/null || true
}

# _watch_lines FLAG: passes stdin through; the first abort line ("MPI_ABORT was invoked", or
# a `ddk …: error:` line) creates FLAG.
_watch_lines() {
    local flag="$1" line
    while IFS= read -r line || [[ -n "$line" ]]; do
        printf '%s\n' "$line"
        if [[ ! -e "$flag" && ( "$line" == *"MPI_ABORT was invoked"* || "$line" =~ ^ddk\ [a-z-]+:\ .*error: ) ]]; then
            : > "$flag"
        fi
    done
}
