#!/usr/bin/env bash
# Faults across hosts: in the namespace multi-host set-up (see multihost.sh),
# a running job loses (1) a rank on a remote host (kill -9), (2) that host's
# OpenMPI daemon orted (kill -9), (3) that host's link (veth taken down on the
# bridge). Each time the job must end within the deadline, with a non-zero
# code and a message naming the lost host; never a hang.
#
#   Tests/Cluster/faults.sh [options] [-- PROGRAM ARGS…]
#
#   --hosts K           namespace hosts (default 3); the fault hits the last one
#   --ranks-per-host R  slots per host (default 1)
#   --ready REGEX       output line showing the job is under way (default
#                       'probe: ready'); the fault comes 1 s after it
#   --deadline S        seconds the job may take to end after the fault (30)
#   --resume-args "A…"  after each fault, run the program again with these
#                       arguments appended; it must finish (exit 0) and give the
#                       same --compare lines as an undisturbed run
#   --compare REGEX     lines (grep -oE) compared between the undisturbed run
#                       and each resumed run (for example the final weights hash)
#   --resume-expect RE  each resumed run's output must match (grep -E), to show
#                       it continued from a checkpoint rather than from scratch
#
# Any program argument containing {run} gets it replaced by a folder per run
# (undisturbed, rank, orted, link), shared by a faulted run and its resume.
# Without a program: Tests/Cluster/programs/allreduce-probe --seconds 120 (no
# resume). Everything started is stopped by pid at exit.
set -euo pipefail
HARNESS_NAME=faults
source "$(dirname "${BASH_SOURCE[0]}")/lib/harness.sh"
source "$CLUSTER_DIR/lib/netns.sh"

hosts=3 per_host=1 ready='probe: ready' deadline=30 resume_args="" compare="" resume_expect=""
while (( $# )); do
    case "$1" in
        --hosts) hosts="$2"; shift 2 ;;
        --ranks-per-host) per_host="$2"; shift 2 ;;
        --ready) ready="$2"; shift 2 ;;
        --deadline) deadline="$2"; shift 2 ;;
        --resume-args) resume_args="$2"; shift 2 ;;
        --compare) compare="$2"; shift 2 ;;
        --resume-expect) resume_expect="$2"; shift 2 ;;
        --) shift; break ;;
        *) echo "faults.sh: unknown option '$1' (see the header of $0)" >&2; exit 2 ;;
    esac
done
require_root_tools ip unshare mpirun mpicc timeout

work="$(mktemp -d /tmp/ddk-faults.XXXXXX)"
export DDK_NETNS_PREFIX="ddkf$$"
job_pid=""
cleanup() {
    harness_exit_check
    [[ -z "$job_pid" ]] || kill -9 "$job_pid" 2>/dev/null || true
    netns_destroy
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if (( $# == 0 )); then
    probe="$(build_probe "$work")" || harness_die "could not compile the allreduce probe with mpicc"
    set -- "$probe" --floats 65536 --seconds 120
fi
program=("$@")
ranks=$((hosts * per_host))
job_limit=$((deadline + 150))

netns_create "$DDK_NETNS_PREFIX" "$hosts" 10.213.78 || harness_die "could not create the network namespaces"
for host in "${NETNS_HOSTS[@]}"; do echo "$host slots=$per_host"; done > "$work/hostfile"
victim="${NETNS_HOSTS[$((hosts - 1))]}"
port="$(netns_bridge_port "$victim")"
say "hosts: ${NETNS_HOSTS[*]} on $NETNS_SUBNET; faults hit $victim"

# program_for RUN EXTRA…: the program with {run} replaced, plus EXTRA arguments.
program_for() {
    local run="$1"; shift
    mkdir -p "$work/run-$run"
    local arg
    PROGRAM_RUN=()
    for arg in "${program[@]}" "$@"; do PROGRAM_RUN+=("${arg//\{run\}/$work/run-$run}"); done
}

start_job() {   # start_job OUTPUT PROGRAM…: launched from the first host, in the background
    local output="$1"; shift
    netns_run "${NETNS_HOSTS[0]}" "$REPO_ROOT/launch/run-hostfile" \
        --hostfile "$work/hostfile" -n "$ranks" --tcp-only --iface "$NETNS_SUBNET" --keepalive \
        --rsh-agent "$CLUSTER_DIR/rsh-agent" --timeout "$job_limit" -- "$@" > "$output" 2>&1 &
    job_pid=$!
}

# finish_job SECONDS: waits for the job up to SECONDS; sets JOB_RC (or "hang").
finish_job() {
    JOB_RC=""
    local until=$(( $(now_ms) + $1 * 1000 ))
    while kill -0 "$job_pid" 2>/dev/null && (( $(now_ms) < until )); do sleep 0.1; done
    if kill -0 "$job_pid" 2>/dev/null; then
        JOB_RC=hang
        kill -9 "$job_pid" 2>/dev/null || true
        local pid; for pid in $(netns_leftover_pids); do kill -9 "$pid" 2>/dev/null || true; done
    fi
    local rc=0
    wait "$job_pid" || rc=$?
    [[ "$JOB_RC" == hang ]] || JOB_RC=$rc
    job_pid=""
}

# pids_in NS: (pid, parent pid, command name) of every process in NS.
pids_in() {
    local pid
    for pid in $(ip netns pids "$1"); do
        [[ -r /proc/$pid/stat ]] || continue
        echo "$pid $(awk '{print $4}' "/proc/$pid/stat") $(cat "/proc/$pid/comm")"
    done
}
orted_pid()  { pids_in "$victim" | awk '$3 == "orted" { print $1; exit }'; }
rank_pid() {  # a child of the victim's orted: one of its ranks
    local daemon; daemon="$(orted_pid)"
    [[ -n "$daemon" ]] && pids_in "$victim" | awk -v d="$daemon" '$2 == d { print $1; exit }'
}

show_tail() { sed 's/^/    | /' "$1" | tail -n 12; }
compare_lines() { grep -oE -- "$compare" "$1" || true; }

reference=""
if [[ -n "$resume_args" ]]; then
    program_for undisturbed
    start_job "$work/undisturbed.out" "${PROGRAM_RUN[@]}"
    finish_job "$job_limit"
    if [[ "$JOB_RC" == 0 ]]; then pass "undisturbed multi-host run"; else fail "undisturbed run ended with $JOB_RC"; show_tail "$work/undisturbed.out"; fi
    reference="$(compare_lines "$work/undisturbed.out")"
    [[ -n "$reference" ]] || fail "undisturbed run printed no line matching --compare '$compare'"
else
    say "no --resume-args: the resume checks are skipped (the probe has no checkpoints)"
fi

for fault in rank orted link; do
    output="$work/$fault.out"
    program_for "$fault"
    start_job "$output" "${PROGRAM_RUN[@]}"
    until=$(( $(now_ms) + 60000 ))
    while ! grep -qE -- "$ready" "$output" && kill -0 "$job_pid" 2>/dev/null && (( $(now_ms) < until )); do sleep 0.2; done
    if ! grep -qE -- "$ready" "$output"; then
        fail "$fault: the job never printed '$ready'"; show_tail "$output"
        finish_job 1; continue
    fi
    sleep 1
    case "$fault" in
        rank)  target="$(rank_pid || true)";  what="kill -9 rank pid $target on $victim" ;;
        orted) target="$(orted_pid || true)"; what="kill -9 orted pid $target on $victim" ;;
        link)  target="$port";        what="ip link set $port down (the veth of $victim, on the bridge)" ;;
    esac
    if [[ -z "$target" ]]; then
        fail "$fault: found nothing to hit on $victim"; pids_in "$victim" | sed 's/^/    | /'
        finish_job 1; continue
    fi
    t0=$(now_ms)
    case "$fault" in
        rank|orted) kill -9 "$target" ;;
        link)       ip -n "$NETNS_BRIDGE" link set "$port" down ;;
    esac
    finish_job "$((deadline + 15))"
    elapsed=$(( $(now_ms) - t0 ))
    say "$fault: $what → job ended after ${elapsed} ms with exit code $JOB_RC"
    grep -m 3 -E "$victim|lost|noticed|signal" "$output" | sed 's/^/    > /' || true
    if [[ "$JOB_RC" == hang ]]; then
        fail "$fault: the job hung (still running $((deadline + 15)) s after the fault)"
    else
        if (( elapsed <= deadline * 1000 )); then pass "$fault: job ended in ${elapsed} ms (≤ ${deadline} s)"; else fail "$fault: job took ${elapsed} ms to end (> ${deadline} s)"; fi
        if (( JOB_RC != 0 )); then pass "$fault: non-zero exit ($JOB_RC)"; else fail "$fault: exit code 0 after a fault"; fi
    fi
    if grep -q -- "$victim" "$output"; then pass "$fault: the message names the lost host $victim"; else fail "$fault: no message names $victim"; show_tail "$output"; fi

    if [[ "$fault" == link ]]; then
        ip -n "$NETNS_BRIDGE" link set "$port" up
        # The resume's daemons connect at once: wait until the host reaches the first one again.
        netns_wait_reachable "$victim" "${NETNS_ADDRESSES[0]}" || say "link: $victim does not reach ${NETNS_ADDRESSES[0]} 10 s after its link came back"
    fi
    # Nothing may stay behind on the hosts once the job has ended.
    until=$(( $(now_ms) + 10000 ))
    while [[ -n "$(netns_leftover_pids)" ]] && (( $(now_ms) < until )); do sleep 0.2; done
    leftover="$(for h in "${NETNS_HOSTS[@]}"; do pids_in "$h" | sed "s/^/$h /"; done)"
    if [[ -z "$leftover" ]]; then
        pass "$fault: no process left on any host"
    else
        fail "$fault: processes left 10 s after the job ended: $(tr '\n' ';' <<< "$leftover")"
        for pid in $(netns_leftover_pids); do kill -9 "$pid" 2>/dev/null || true; done
    fi

    if [[ -n "$resume_args" ]]; then
        read -r -a extra <<< "$resume_args"
        program_for "$fault" "${extra[@]}"
        start_job "$work/$fault-resume.out" "${PROGRAM_RUN[@]}"
        finish_job "$job_limit"
        if [[ "$JOB_RC" == 0 ]]; then pass "$fault: resumed run finishes"; else fail "$fault: resumed run ended with $JOB_RC"; show_tail "$work/$fault-resume.out"; fi
        if [[ -n "$resume_expect" ]]; then
            if line="$(grep -m 1 -oE -- "$resume_expect" "$work/$fault-resume.out")"; then
                pass "$fault: the resumed run says '$line'"
            else
                fail "$fault: the resumed run's output has no '$resume_expect'"
            fi
        fi
        resumed="$(compare_lines "$work/$fault-resume.out")"
        if [[ -n "$reference" && "$resumed" == "$reference" ]]; then pass "$fault: resumed run gives the undisturbed '$compare' lines"; else fail "$fault: resumed run's '$compare' lines differ from the undisturbed run"; fi
    fi
done

harness_summary
