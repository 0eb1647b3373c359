#!/usr/bin/env bash
# A fault campaign (slow; not part of Tests/run): N trials of `ddk distill` (the tiny config)
# over three network-namespace hosts, 4 ranks — rank 0 coordinator+student and rank 1 teacher
# on the first host (where mpirun runs), student ranks 2 and 3 on the second and third. Each
# trial picks, with a seeded generator, a fault and a moment:
#   kill   kill -9 of a random rank (0-3)
#   stop   SIGSTOP of a random rank (0-3): only the job's own deadlines can end it
#   link   the link of the second or third host taken down (its student rank and daemon lost)
# at a random step, then resumes with `--resume auto` (the link back up) and compares the
# final weights checksum with an undisturbed run's. Per trial it records the fault, the seconds
# from the fault to the end of the job, the exit code, whether the job's messages named the
# lost rank (or, for a link, the lost host) and whether the resumed run ends bit-exact.
#
#   Tests/Cluster/campaign.sh [--trials N] [--seed S] [--deadline SECONDS] [--faults "kill stop link"] [--table FILE]
#
# Prints one line per trial and a Markdown table (also written to FILE, default
# runs/fault-campaign/table.md); ends with "cluster-campaign: N passed, M failed", a trial
# passing when the job ended within the deadline (30 s) with a non-zero code, named the right
# rank or host, and resumed bit-exact. Needs root (network namespaces).
set -euo pipefail
HARNESS_NAME=campaign
source "$(dirname "${BASH_SOURCE[0]}")/lib/harness.sh"
source "$CLUSTER_DIR/lib/netns.sh"

trials=20 seed=1 deadline=30 fault_kinds="kill stop link" table="$REPO_ROOT/runs/fault-campaign/table.md"
while (( $# )); do
    case "$1" in
        --trials) trials="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --deadline) deadline="$2"; shift 2 ;;
        --table) table="$2"; shift 2 ;;
        --faults) fault_kinds="$2"; shift 2 ;;
        *) echo "campaign.sh: unknown option '$1' (see the header of $0)" >&2; exit 2 ;;
    esac
done
require_root_tools ip unshare mpirun timeout
ddk="$REPO_ROOT/.build/release/ddk"
[[ -x "$ddk" ]] || harness_die "$ddk is not built (swift build -c release)"
(cd "$REPO_ROOT" && bash launch/prepare-tiny "$ddk" >/dev/null) || harness_die "the tiny inputs cannot be made"

work="$(mktemp -d /tmp/ddk-campaign.XXXXXX)"
export DDK_NETNS_PREFIX="ddkc$$"
job_pid=""
cleanup() {
    harness_exit_check
    [[ -z "$job_pid" ]] || kill -9 "$job_pid" 2>/dev/null || true
    local pid; for pid in $(netns_leftover_pids); do kill -CONT "$pid" 2>/dev/null; kill -9 "$pid" 2>/dev/null || true; done
    netns_destroy
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

netns_create "$DDK_NETNS_PREFIX" 3 10.213.79 || harness_die "could not create the network namespaces"
printf '%s slots=2\n%s slots=1\n%s slots=1\n' "${NETNS_HOSTS[@]}" > "$work/hostfile"
rank_host=("${NETNS_HOSTS[0]}" "${NETNS_HOSTS[0]}" "${NETNS_HOSTS[1]}" "${NETNS_HOSTS[2]}")
rank_role=("coordinator+student" "teacher" "student" "student")
steps=300
settings=(--config "$REPO_ROOT/launch/configs/tiny.toml" --set training.steps=$steps --set checkpoint.every_steps=25
          --set ddk.interval_steps=50 --set teacher.timeout_seconds=5 --set training.collective_timeout_seconds=10
          --set training.heartbeat_seconds=1 --set training.weight_checksums=false)

# start_job OUTPUT RUN EXTRA…: ddk distill from the first host, in the background.
start_job() {
    local output="$1" run="$2"; shift 2
    netns_run "${NETNS_HOSTS[0]}" "$REPO_ROOT/launch/run-hostfile" \
        --hostfile "$work/hostfile" -n 4 --tcp-only --iface "$NETNS_SUBNET" --keepalive \
        --rsh-agent "$CLUSTER_DIR/rsh-agent" --timeout 240 -- \
        "$ddk" distill "${settings[@]}" --set "run_directory=$run" "$@" > "$output" 2>&1 &
    job_pid=$!
}
# finish_job SECONDS: waits up to SECONDS; sets JOB_RC ("hang" when still running, then killed).
finish_job() {
    JOB_RC=""
    local until=$(( $(now_ms) + $1 * 1000 ))
    while kill -0 "$job_pid" 2>/dev/null && (( $(now_ms) < until )); do sleep 0.05; done
    if kill -0 "$job_pid" 2>/dev/null; then
        JOB_RC=hang
        kill -9 "$job_pid" 2>/dev/null || true
    fi
    local rc=0
    wait "$job_pid" || rc=$?
    [[ "$JOB_RC" == hang ]] || JOB_RC=$rc
    job_pid=""
    local pid; for pid in $(netns_leftover_pids); do kill -CONT "$pid" 2>/dev/null; kill -9 "$pid" 2>/dev/null || true; done
}
# rank_pid RANK: the pid of world rank RANK (its OMPI_COMM_WORLD_RANK) on its host.
rank_pid() {
    local pid
    for pid in $(ip netns pids "${rank_host[$1]}"); do
        [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == ddk ]] || continue
        if tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qx "OMPI_COMM_WORLD_RANK=$1"; then echo "$pid"; return 0; fi
    done
    return 1
}
checksum() { grep -oE 'final weights checksum [0-9a-f]+' "$1" | tail -n 1 | awk '{print $4}'; }

start_job "$work/reference.out" "$work/reference"
finish_job 240
reference="$(checksum "$work/reference.out")"
[[ "$JOB_RC" == 0 && -n "$reference" ]] || harness_die "the undisturbed run failed ($JOB_RC): $(tail -n 3 "$work/reference.out")"
say "undisturbed run: $steps steps, final weights checksum $reference"

RANDOM=$seed
rows=()
for trial in $(seq 1 "$trials"); do
    read -r -a faults <<< "$fault_kinds"; fault=${faults[$((RANDOM % ${#faults[@]}))]}
    if [[ "$fault" == link ]]; then rank=$((2 + RANDOM % 2)); else rank=$((RANDOM % 4)); fi
    at=$((30 + RANDOM % 200))
    run="$work/trial-$trial"
    start_job "$work/trial-$trial.out" "$run"
    until=$(( $(now_ms) + 120000 ))
    while ! grep -qE "^step $at/" "$work/trial-$trial.out" && kill -0 "$job_pid" 2>/dev/null && (( $(now_ms) < until )); do sleep 0.02; done
    host="${rank_host[$rank]}"
    target=""
    case "$fault" in
        kill|stop) target="$(rank_pid "$rank" || true)" ;;
        link) target="$(netns_bridge_port "$host")" ;;
    esac
    if [[ -z "$target" ]] || ! kill -0 "$job_pid" 2>/dev/null; then
        fail "trial $trial: $fault of rank $rank at step $at: the job or the rank was gone before the fault"
        finish_job 5; continue
    fi
    t0=$(now_ms)
    case "$fault" in
        kill) kill -9 "$target" ;;
        stop) kill -STOP "$target" ;;
        link) ip -n "$NETNS_BRIDGE" link set "$target" down ;;
    esac
    finish_job "$((deadline + 30))"
    fault_rc=$JOB_RC
    seconds=$(awk -v ms=$(( $(now_ms) - t0 )) 'BEGIN { printf "%.1f", ms / 1000 }')
    if [[ "$fault" == link ]]; then
        ip -n "$NETNS_BRIDGE" link set "$target" up
        # The resumed job's daemons connect at once: wait until the host reaches the first one again.
        netns_wait_reachable "$host" "${NETNS_ADDRESSES[0]}" || say "trial $trial: $host does not reach ${NETNS_ADDRESSES[0]} 10 s after its link came back"
    fi
    output="$work/trial-$trial.out"
    if [[ "$fault" == link ]]; then
        named=$(grep -qF -- "$host" "$output" && echo "host $host" || echo no)
    else
        named=$(grep -qE -- "(process rank $rank |silent rank $rank |student rank $rank |teacher rank $rank )" "$output" \
                && echo "rank $rank" || echo no)
    fi
    first_error=$(grep -m 1 -E "error:|noticed that process rank|lost communication" "$output" | cut -c 1-160 || true)

    start_job "$work/trial-$trial-resume.out" "$run" --resume auto
    finish_job 240
    exact=$([[ "$JOB_RC" == 0 && "$(checksum "$work/trial-$trial-resume.out")" == "$reference" ]] && echo yes || echo no)
    in_time=$([[ "$fault_rc" != hang ]] && awk -v s="$seconds" -v d="$deadline" 'BEGIN { exit !(s <= d) }' && echo yes || echo no)
    mkdir -p "$(dirname "$table")"; cp "$work/trial-$trial.out" "$work/trial-$trial-resume.out" "$(dirname "$table")/" 2>/dev/null || true
    rows+=("| $trial | $fault | $rank (${rank_role[$rank]}) | $host | $at | $seconds | $fault_rc | $named | $exact |")
    summary="trial $trial: $fault of rank $rank (${rank_role[$rank]}, $host) at step $at: ended after $seconds s, exit $fault_rc, named: $named, resumed bit-exact: $exact"
    if [[ "$in_time" == yes && "$fault_rc" != 0 && "$named" != no && "$exact" == yes ]]; then
        pass "$summary"
    else
        fail "$summary; first error: $first_error"
    fi
done

mkdir -p "$(dirname "$table")"
{
    echo "| trial | fault | rank (role) | host | at step | seconds to end | exit | named | resumed bit-exact |"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} > "$table"
cat "$table"
say "table written to $table"
harness_summary
