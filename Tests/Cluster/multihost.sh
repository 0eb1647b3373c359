#!/usr/bin/env bash
# Multi-host test on one machine: network namespaces act as hosts, mpirun
# starts ranks in each through Tests/Cluster/rsh-agent (instead of ssh), with
# TCP forced between them, launched by launch/run-hostfile.
#
#   Tests/Cluster/multihost.sh [options] [-- PROGRAM ARGS…]
#
#   --hosts K            namespace hosts (default 3)
#   --ranks-per-host R   slots per host (default 1)
#   --rate "RATE…"       tbf rate(s) for the bandwidth-limited runs, one run
#                        each (default 50mbit; for example "200mbit 50mbit 20mbit")
#   --compare REGEX      lines matched by `grep -oE REGEX` must be identical in
#                        the single-host and multi-host outputs (same losses)
#   --min-bytes B        bytes each host's veth must carry in the TCP run beyond
#                        what a bare `hostname` job carries (default 1000000)
#   --timeout S          limit for each mpirun (default 120)
#
# Without a program it builds and runs Tests/Cluster/programs/allreduce-probe
# (20 all-reduces of 1 MiB) and compares its checksum line.
# Checks: the hosts answer (hostname on each), the single-host run, the
# multi-host run over TCP (exit 0, bytes counted on every veth with `ip -s link`
# before/after, same compared lines), the same with one host's link limited by
# `tc tbf` (completes, same lines, the link's throughput stayed under the rate).
# Everything (namespaces, processes in them, temp files) is removed at exit.
set -euo pipefail
HARNESS_NAME=multihost
source "$(dirname "${BASH_SOURCE[0]}")/lib/harness.sh"
source "$CLUSTER_DIR/lib/netns.sh"

hosts=3 per_host=1 rates=50mbit compare="" min_bytes=1000000 limit=120
while (( $# )); do
    case "$1" in
        --hosts) hosts="$2"; shift 2 ;;
        --ranks-per-host) per_host="$2"; shift 2 ;;
        --rate) rates="$2"; shift 2 ;;
        --compare) compare="$2"; shift 2 ;;
        --min-bytes) min_bytes="$2"; shift 2 ;;
        --timeout) limit="$2"; shift 2 ;;
        --) shift; break ;;
        *) echo "multihost.sh: unknown option '$1' (see the header of $0)" >&2; exit 2 ;;
    esac
done
require_root_tools ip unshare tc mpirun mpicc timeout

work="$(mktemp -d /tmp/ddk-multihost.XXXXXX)"
export DDK_NETNS_PREFIX="ddkm$$"
cleanup() { harness_exit_check; netns_destroy; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if (( $# == 0 )); then
    probe="$(build_probe "$work")" || harness_die "could not compile the allreduce probe with mpicc"
    set -- "$probe" --floats 262144 --iters 20
    compare="${compare:-checksum=[0-9]+ ok}"
fi
program=("$@")
ranks=$((hosts * per_host))

netns_create "$DDK_NETNS_PREFIX" "$hosts" 10.213.77 || harness_die "could not create the network namespaces"
for host in "${NETNS_HOSTS[@]}"; do echo "$host slots=$per_host"; done > "$work/hostfile"
say "hosts: ${NETNS_HOSTS[*]} on $NETNS_SUBNET (bridge in $NETNS_BRIDGE)"

# run_hosts OUTPUT PROGRAM…: launch/run-hostfile from the first host, forced
# TCP on the interface IFACE (the subnet, or the interface name eth0).
IFACE="$NETNS_SUBNET"
run_hosts() {
    local output="$1"; shift
    netns_run "${NETNS_HOSTS[0]}" "$REPO_ROOT/launch/run-hostfile" \
        --hostfile "$work/hostfile" -n "$ranks" --tcp-only --iface "$IFACE" --keepalive \
        --rsh-agent "$CLUSTER_DIR/rsh-agent" --timeout "$limit" -- "$@" > "$output" 2>&1
}

show_tail() { sed 's/^/    | /' "$1" | tail -n 15; }

# same_lines A B: the compared lines of two outputs are present and equal.
same_lines() {
    [[ -n "$compare" ]] || return 0
    local a b
    a="$(grep -oE -- "$compare" "$1" || true)"
    b="$(grep -oE -- "$compare" "$2" || true)"
    [[ -n "$a" && "$a" == "$b" ]]
}
compare_text() { [[ -n "$compare" ]] && echo "same '$compare' lines as single-host" || echo "(no --compare given: outputs not compared)"; }

# byte counters of every host: COUNTERS[host]="rx tx"
declare -A before after
snapshot() { local -n into="$1"; local h; for h in "${NETNS_HOSTS[@]}"; do into[$h]="$(netns_bytes "$h")"; done; }

# 1. simple command on every host; its traffic (daemon launch and wiring-up
#    only) is the baseline the program's traffic is measured against
declare -A base_before base_after baseline
snapshot base_before
IFACE=eth0
if run_hosts "$work/hostname.out" hostname; then
    missing=""
    for host in "${NETNS_HOSTS[@]}"; do grep -qx "$host" "$work/hostname.out" || missing+=" $host"; done
    if [[ -z "$missing" ]]; then pass "hostname runs on every host (--iface eth0)"; else fail "hostname: no answer from$missing"; show_tail "$work/hostname.out"; fi
else
    fail "hostname across hosts exited non-zero"; show_tail "$work/hostname.out"
fi
snapshot base_after
IFACE="$NETNS_SUBNET"
for host in "${NETNS_HOSTS[@]}"; do
    read -r rx0 tx0 <<< "${base_before[$host]}"; read -r rx1 tx1 <<< "${base_after[$host]}"
    baseline[$host]="$((rx1 - rx0)) $((tx1 - tx0))"
done

# 2. single-host reference with the same number of ranks
if "$REPO_ROOT/launch/run-local" -n "$ranks" --timeout "$limit" -- "${program[@]}" > "$work/single.out" 2>&1; then
    pass "single-host run, $ranks ranks"
else
    fail "single-host run exited non-zero"; show_tail "$work/single.out"
fi

# 3. multi-host over TCP, traffic counted on the veths
snapshot before
start=$(now_ms)
if run_hosts "$work/multi.out" "${program[@]}"; then rc=0; else rc=$?; fi
elapsed_multi=$(( $(now_ms) - start ))
snapshot after
if (( rc == 0 )); then pass "multi-host run over TCP, $ranks ranks on $hosts hosts (${elapsed_multi} ms)"; else fail "multi-host run exited $rc"; show_tail "$work/multi.out"; fi
low=""
for host in "${NETNS_HOSTS[@]}"; do
    read -r rx0 tx0 <<< "${before[$host]}"; read -r rx1 tx1 <<< "${after[$host]}"
    read -r brx btx <<< "${baseline[$host]}"
    say "veth $host eth0: rx +$((rx1 - rx0)) B, tx +$((tx1 - tx0)) B (a bare 'hostname' job: rx +$brx B, tx +$btx B)"
    (( rx1 - rx0 - brx >= min_bytes && tx1 - tx0 - btx >= min_bytes )) || low+=" $host"
done
if [[ -z "$low" ]]; then pass "program traffic crossed every veth (≥ $min_bytes B each way beyond the bare job's)"; else fail "too little traffic on:$low"; fi
check "multi-host: $(compare_text)" same_lines "$work/single.out" "$work/multi.out"
grep -h 'ms_per_allreduce' "$work/single.out" "$work/multi.out" 2>/dev/null | sed "s/^/[$HARNESS_NAME] single, then multi: /" || true

# 4. the same with the second host's link limited by tbf (both directions),
#    once per rate given
limited="${NETNS_HOSTS[1]}"
port="$(netns_bridge_port "$limited")"
for rate in $rates; do
    tc -n "$limited" qdisc del dev eth0 root 2>/dev/null || true
    tc -n "$NETNS_BRIDGE" qdisc del dev "$port" root 2>/dev/null || true
    rate_bits=$(numfmt --from=si "$(tr a-z A-Z <<< "${rate%bit}")")
    # A bucket of 10 ms at the rate, in bytes (at least 4000): small enough to
    # shape, large enough for TCP to reach the rate.
    burst=$(( rate_bits / 800 > 4000 ? rate_bits / 800 : 4000 ))
    if ! { tc -n "$limited" qdisc add dev eth0 root tbf rate "$rate" burst "$burst" latency 400ms &&
           tc -n "$NETNS_BRIDGE" qdisc add dev "$port" root tbf rate "$rate" burst "$burst" latency 400ms; }; then
        fail "tc tbf rate $rate could not be set on $limited"
        continue
    fi
    output="$work/limited-$rate.out"
    snapshot before
    start=$(now_ms)
    if run_hosts "$output" "${program[@]}"; then rc=0; else rc=$?; fi
    elapsed_limited=$(( $(now_ms) - start ))
    snapshot after
    if (( rc == 0 )); then pass "$rate: rate-limited run ($limited) completes (${elapsed_limited} ms vs ${elapsed_multi} ms unlimited)"; else fail "$rate: rate-limited run exited $rc"; show_tail "$output"; fi
    check "$rate: $(compare_text)" same_lines "$work/single.out" "$output"
    read -r rx0 tx0 <<< "${before[$limited]}"; read -r rx1 tx1 <<< "${after[$limited]}"
    # Average bit rate into the limited host over the whole run (start-up included).
    bits_per_s=$(( (rx1 - rx0) * 8 * 1000 / (elapsed_limited > 0 ? elapsed_limited : 1) ))
    say "$rate: limited host $limited: rx +$((rx1 - rx0)) B in ${elapsed_limited} ms = ${bits_per_s} bit/s (limit $rate_bits)"
    grep -h 'ms_per_allreduce' "$output" 2>/dev/null | sed "s/^/[$HARNESS_NAME] $rate: /" || true
    # tbf counts packets it had to hold back: > 0 shows the limiter engaged.
    overlimits=$(tc -n "$NETNS_BRIDGE" -s qdisc show dev "$port" | grep -oE 'overlimits [0-9]+' | awk '{print $2}' || true)
    if (( rx1 - rx0 < 10 * burst )); then
        say "$rate: the program moved $((rx1 - rx0)) B into $limited, under 10 buckets of $burst B: too little to exercise the limit (not checked)"
    elif (( bits_per_s <= rate_bits * 11 / 10 && ${overlimits:-0} > 0 )); then
        pass "$rate: the limit engaged ($overlimits overlimits into $limited) and held ($bits_per_s ≤ $rate_bits bit/s + 10%)"
    else
        fail "$rate: the limit did not act: $bits_per_s bit/s into $limited (limit $rate_bits), ${overlimits:-0} overlimits"
    fi
done

harness_summary
