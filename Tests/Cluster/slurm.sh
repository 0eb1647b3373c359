#!/usr/bin/env bash
# A real Slurm on one machine: Debian's slurmctld, two slurmd (one per network
# namespace, each its own node) and munge, configured here under a temp folder;
# then real `sbatch --nodes=2` submissions of launch/slurm/ddk.sbatch, polled
# with squeue/scontrol until they end.
#
#   Tests/Cluster/slurm.sh [--ntasks-per-node R] [--cpus-per-task C] [--deadline S]
#                            [--expect REGEX] [--fail-args "A…"] [-- PROGRAM ARGS…]
#
#   --expect REGEX     the successful jobs' output must match (grep -E)
#   --fail-args "A…"   arguments appended to the program for the failing run
#                      (default with the probe: --fail-rank 1; none: skipped)
#
# Checks: Slurm offers pmix (srun --mpi=list); both nodes come up idle; a job
# with the program (default: Tests/Cluster/programs/allreduce-probe --iters 10)
# ends COMPLETED with exit 0:0 and ranks on both nodes, launched by srun;
# the same inside the allocation with mpirun (DDK_LAUNCHER=mpirun); a run that
# fails on purpose (the probe with --fail-rank 1, or the program with
# --fail-args) ends FAILED with a non-zero exit code.
# Every daemon is stopped by pid at exit.
set -euo pipefail
HARNESS_NAME=slurm
source "$(dirname "${BASH_SOURCE[0]}")/lib/harness.sh"
source "$CLUSTER_DIR/lib/netns.sh"

per_node=2 cpus_per_task=1 deadline=120 fail_args="" expect=""
while (( $# )); do
    case "$1" in
        --ntasks-per-node) per_node="$2"; shift 2 ;;
        --cpus-per-task) cpus_per_task="$2"; shift 2 ;;
        --deadline) deadline="$2"; shift 2 ;;
        --fail-args) fail_args="$2"; shift 2 ;;
        --expect) expect="$2"; shift 2 ;;
        --) shift; break ;;
        *) echo "slurm.sh: unknown option '$1' (see the header of $0)" >&2; exit 2 ;;
    esac
done

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    echo "[$HARNESS_NAME] installing Slurm and munge (apt-get)"
    { apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge ||
      { apt-get update && apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge; }; } > /tmp/ddk-slurm-apt.log 2>&1 ||
        harness_die "could not install slurmctld slurmd slurm-client munge (see /tmp/ddk-slurm-apt.log)"
fi
require_root_tools ip unshare nsenter mpirun mpicc slurmctld slurmd sbatch squeue scontrol munged

work="$(mktemp -d /tmp/ddk-slurm.XXXXXX)"
chmod 755 "$work"
prefix="ddks$$"
daemons=()
cleanup() {
    harness_exit_check
    local pid
    for pid in "${daemons[@]}"; do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do
        for pid in "${daemons[@]}"; do kill -0 "$pid" 2>/dev/null && break; done
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    for pid in "${daemons[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    netns_destroy
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if (( $# == 0 )); then
    probe="$(build_probe "$work")" || harness_die "could not compile the allreduce probe with mpicc"
    set -- "$probe" --iters 10
    fail_args="${fail_args:---fail-rank 1}"
    expect="${expect:-probe: result .* ok}"
fi
program=("$@")

netns_create "$prefix" 2 10.213.79 254 || harness_die "could not create the network namespaces"
controller="$NETNS_BRIDGE"
nodes=("${NETNS_HOSTS[@]}")

# munge with a private socket and key
mkdir -p "$work/munge"; chmod 755 "$work/munge"
head -c 1024 /dev/urandom > "$work/munge/munge.key"; chmod 400 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
munged --foreground --force --socket="$socket" --key-file="$work/munge/munge.key" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
    --seed-file="$work/munge/munged.seed" > "$work/munge/stdout.log" 2>&1 &
daemons+=($!); disown $!

# slurm.conf: two nodes, one partition, everything under $work
mkdir -p "$work/state"
for node in "${nodes[@]}"; do mkdir -p "$work/$node/spool" "$work/$node/tmp"; done
export SLURM_CONF="$work/slurm.conf"
cpus="$(nproc)"
cat > "$SLURM_CONF" <<CONF
ClusterName=ddktest
SlurmctldHost=$controller(${NETNS_SUBNET%.0/24}.254)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/%n/spool
TmpFS=$work/%n/tmp
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/%n/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/%n/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=pmix
SlurmdParameters=config_overrides
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobCompType=jobcomp/filetxt
JobCompLoc=$work/jobcomp.txt
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MinJobAge=600
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=${nodes[0]} NodeAddr=${NETNS_ADDRESSES[0]} CPUs=$cpus State=UNKNOWN
NodeName=${nodes[1]} NodeAddr=${NETNS_ADDRESSES[1]} CPUs=$cpus State=UNKNOWN
PartitionName=ddk Nodes=${nodes[0]},${nodes[1]} Default=YES MaxTime=30 State=UP OverSubscribe=YES
CONF

# client NS COMMAND…: a Slurm client command run where the controller is reachable
client() { ip netns exec "$controller" "$@"; }

# wait for munge, then start the controller (in the bridge namespace) and one slurmd per node namespace
for _ in $(seq 50); do [[ -S "$socket" ]] && break; sleep 0.1; done
[[ -S "$socket" ]] || harness_die "munged did not start (see $work/munge/munged.log)"
nsenter --net="/run/netns/$controller" unshare --uts sh -c 'hostname "$0" && exec slurmctld -D -f "$1"' "$controller" "$SLURM_CONF" > "$work/slurmctld.stdout" 2>&1 &
daemons+=($!); disown $!
for node in "${nodes[@]}"; do
    nsenter --net="/run/netns/$node" unshare --uts sh -c 'hostname "$0" && exec slurmd -D -N "$0" -f "$1"' "$node" "$SLURM_CONF" > "$work/$node/slurmd.stdout" 2>&1 &
    daemons+=($!); disown $!
done
say "munged, slurmctld ($controller), slurmd on ${nodes[*]}: pids ${daemons[*]}"

until=$(( $(now_ms) + 60000 ))
idle=0
while (( $(now_ms) < until )); do
    idle=$(client sinfo -h -N -o '%N %t' 2>/dev/null | grep -cE ' idle$' || true)
    (( idle == 2 )) && break
    sleep 0.5
done
if (( idle == 2 )); then
    pass "both nodes idle: $(client sinfo -h -N -o '%N=%t' | tr '\n' ' ' || true)"
else
    fail "nodes not idle after 60 s: $(client sinfo -h -N -o '%N=%t %E' 2>&1 | tr '\n' ' ')"
    tail -n 5 "$work/slurmctld.log" "$work/${nodes[0]}/slurmd.log" 2>/dev/null | sed 's/^/    | /'
    harness_summary; exit 1
fi

mpi_list="$(client srun --mpi=list 2>&1 | tr '\n' ' ' || true)"
if grep -qw pmix <<< "$mpi_list"; then pass "srun --mpi=list offers pmix"; else fail "srun --mpi=list: $mpi_list"; fi

# submit NAME [ENV=VALUE…] -- PROGRAM…: sbatch --nodes=2, poll until it ends;
# sets JOB_ID, JOB_STATE, JOB_EXIT, JOB_OUTPUT, JOB_SECONDS
submit() {
    local name="$1"; shift
    local environment=()
    while [[ "$1" != -- ]]; do environment+=("$1"); shift; done
    shift
    JOB_OUTPUT="$work/$name.out"
    local started; started=$(now_ms)
    JOB_ID="$(cd "$REPO_ROOT" && client env "${environment[@]}" sbatch --parsable --nodes=2 \
        --ntasks-per-node="$per_node" --cpus-per-task="$cpus_per_task" --time=5 --job-name="ddk-$name" --output="$JOB_OUTPUT" \
        "$REPO_ROOT/launch/slurm/ddk.sbatch" -- "$@")" || { JOB_STATE=SUBMIT_FAILED; JOB_EXIT=""; return; }
    JOB_ID="${JOB_ID%%;*}"
    local until=$(( started + deadline * 1000 )) state
    while (( $(now_ms) < until )); do
        state="$(client squeue -h -j "$JOB_ID" -o %T 2>/dev/null || true)"
        [[ -z "$state" || ! "$state" =~ ^(PENDING|CONFIGURING|RUNNING|COMPLETING)$ ]] && break
        sleep 0.5
    done
    local info; info="$(client scontrol show job "$JOB_ID" 2>/dev/null || true)"
    JOB_STATE="$(grep -oE 'JobState=[A-Z_]+' <<< "$info" | cut -d= -f2 || true)"
    JOB_EXIT="$(grep -oE ' ExitCode=[0-9]+:[0-9]+' <<< "$info" | cut -d= -f2 || true)"
    JOB_SECONDS=$(( ($(now_ms) - started) / 1000 ))
    if [[ "$JOB_STATE" =~ ^(PENDING|CONFIGURING|RUNNING|COMPLETING)$ ]]; then
        client scancel "$JOB_ID" || true
        JOB_STATE="$JOB_STATE(still, after ${deadline} s: cancelled)"
    fi
    say "job $JOB_ID ($name): state $JOB_STATE, exit $JOB_EXIT, ${JOB_SECONDS} s"
}

show_output() { sed 's/^/    | /' "$JOB_OUTPUT" 2>/dev/null | tail -n 15; }

# on_both_nodes: the probe's lines show ranks on both nodes.
on_both_nodes() {   # the probe's per-rank lines, or ddk distill's "ranks on hosts:" line
    if grep -q '^probe: rank' "$JOB_OUTPUT"; then
        grep -q "^probe: rank .* on ${nodes[0]} " "$JOB_OUTPUT" && grep -q "^probe: rank .* on ${nodes[1]} " "$JOB_OUTPUT"
    else
        grep 'ranks on hosts:' "$JOB_OUTPUT" | grep -q "${nodes[0]} \\[" && grep 'ranks on hosts:' "$JOB_OUTPUT" | grep -q "${nodes[1]} \\["
    fi
}

for launcher in srun mpirun; do
    # srun is what the script picks by itself here (auto); mpirun is forced.
    if [[ "$launcher" == srun ]]; then choice=auto; else choice=mpirun; fi
    submit "$launcher-ok" DDK_LAUNCHER=$choice -- "${program[@]}"
    if [[ "$JOB_STATE" == COMPLETED && "$JOB_EXIT" == 0:0 ]]; then
        pass "$launcher: sbatch --nodes=2 job $JOB_ID COMPLETED, exit 0:0 (${JOB_SECONDS} s)"
    else
        fail "$launcher: job $JOB_ID ended $JOB_STATE, exit $JOB_EXIT"; show_output
    fi
    grep -m 2 -E '^(\+ |ddk.sbatch: job)' "$JOB_OUTPUT" 2>/dev/null | sed "s/^/[$HARNESS_NAME] $launcher: /" || true
    if grep -q "^+ $launcher " "$JOB_OUTPUT" 2>/dev/null; then pass "$launcher: the batch script printed its '+ $launcher' command"; else fail "$launcher: no '+ $launcher' line in the output"; show_output; fi
    if grep -qE '^probe: rank|ranks on hosts:' "$JOB_OUTPUT"; then
        check "$launcher: ranks ran on both nodes" on_both_nodes
    else
        say "$launcher: the program does not print where its ranks run: nodes not checked"
    fi
    if [[ -n "$expect" ]]; then
        if grep -qE -- "$expect" "$JOB_OUTPUT"; then pass "$launcher: output has '$expect'"; else fail "$launcher: no '$expect' in the output"; show_output; fi
    fi
    grep -h 'ms_per_allreduce' "$JOB_OUTPUT" 2>/dev/null | sed "s/^/[$HARNESS_NAME] $launcher: /" || true
done
if [[ -n "$fail_args" ]]; then
    read -r -a extra <<< "$fail_args"
    submit failing DDK_LAUNCHER=auto -- "${program[@]}" "${extra[@]}"
    if [[ "$JOB_STATE" == FAILED && "$JOB_EXIT" != 0:0 && -n "$JOB_EXIT" ]]; then
        pass "failing run ($fail_args): job $JOB_ID FAILED, exit $JOB_EXIT"
    else
        fail "failing run: job $JOB_ID ended $JOB_STATE, exit $JOB_EXIT (expected FAILED)"; show_output
    fi
else
    say "no --fail-args: the failing run is skipped"
fi
[[ ! -s "$work/jobcomp.txt" ]] || cut -c1-160 "$work/jobcomp.txt" | sed "s/^/[$HARNESS_NAME] jobcomp: /"

harness_summary
