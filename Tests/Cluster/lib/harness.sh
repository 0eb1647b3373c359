# Pass/fail bookkeeping shared by the cluster harnesses (sourced).
#
# A harness sets HARNESS_NAME, calls `pass TEXT` / `fail TEXT` for each check
# and ends with `harness_summary`, which prints
#   cluster-NAME: N passed, M failed
# and returns non-zero when anything failed.

HARNESS_PASSED=0
HARNESS_FAILED=0
CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$CLUSTER_DIR/../.." && pwd)"

say()  { printf '[%s] %s\n' "$HARNESS_NAME" "$*"; }
pass() { HARNESS_PASSED=$((HARNESS_PASSED + 1)); printf '[%s] PASS %s\n' "$HARNESS_NAME" "$*"; }
fail() { HARNESS_FAILED=$((HARNESS_FAILED + 1)); printf '[%s] FAIL %s\n' "$HARNESS_NAME" "$*"; }

# check TEXT COMMAND…: pass when COMMAND succeeds, fail otherwise.
check() {
    local text="$1"; shift
    if "$@"; then pass "$text"; else fail "$text"; fi
}

# harness_die TEXT: a set-up problem; counted as a failure, then stop.
harness_die() {
    fail "$*"
    harness_summary
    exit 1
}

harness_summary() {
    HARNESS_SUMMARIZED=yes
    printf 'cluster-%s: %d passed, %d failed\n' "$HARNESS_NAME" "$HARNESS_PASSED" "$HARNESS_FAILED"
    (( HARNESS_FAILED == 0 && HARNESS_PASSED > 0 ))
}

# harness_exit_check: for the EXIT trap; a harness that stopped before its
# summary (an unexpected error under set -e) still says so and fails.
harness_exit_check() {
    local status=$?
    if [[ -z "${HARNESS_SUMMARIZED:-}" ]]; then
        fail "the harness stopped early (exit status $status)"
        harness_summary || true
    fi
}

# now_ms: wall-clock milliseconds.
now_ms() { local t; t="$(date +%s%N)"; echo $((t / 1000000)); }

# require_root_tools TOOL…: the harness needs root and these commands.
require_root_tools() {
    (( EUID == 0 )) || harness_die "must run as root (network namespaces need it)"
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || harness_die "$tool not found; install it (apt-get install -y iproute2 util-linux openmpi-bin libopenmpi-dev)"
    done
}

# build_probe DIR: compiles the allreduce probe into DIR, prints its path.
build_probe() {
    local out="$1/allreduce-probe"
    mpicc -O2 -o "$out" "$CLUSTER_DIR/programs/allreduce-probe.c" || return 1
    echo "$out"
}
