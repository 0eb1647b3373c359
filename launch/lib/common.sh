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
