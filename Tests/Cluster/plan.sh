#!/usr/bin/env bash
# `ddk plan` against reality: network namespaces act as hosts (as in multihost.sh), their
# links limited by `tc tbf`; `ddk bench distill` runs across them and each measured
# step_seconds_mean is compared with `ddk plan`'s prediction for the same layout, from a
# figures file measured by `ddk plan measure` on this machine at the start of the script.
#
#   Tests/Cluster/plan.sh [--quick] [options]
#
#   --quick              CI: one rate (1gbit), one layout (ce, 2 hosts), 4 steps
#   --rates "R…"         tbf rates (default "100mbit 300mbit 1gbit")
#   --layouts "L…"       ce2: 2 hosts × 1 rank, both students, objective ce, no teacher;
#                        kd3: 3 hosts × 1 rank, rank 1 the teacher, kd (default "ce2 kd3")
#   --steps N            bench distill steps measured (default 5)
#   --config FILE        the run config (default launch/configs/demo.toml)
#   --tolerance P        allowed |predicted − measured| / measured, percent (default 15)
#   --timeout S          limit for each mpirun (default 300)
#   --keep DIR           keep the figures, outputs and the table in DIR
#   --ddk PATH           the ddk binary (default .build/release/ddk)
#
# The machine's cores are shared by every namespace host, so the model is told so:
# cores per node = cores / hosts, --shared-cores. Every host's link is limited both ways
# (its eth0 and its bridge port). The job runs its default training.gradient_sync
# (`overlapped`: a blocking MPI_Allreduce on a thread), and `ddk plan` models the
# all-reduce the figures file says was measured.
# The machine may be shared with other work (another engineer's benchmarks): the cores it
# kept busy during each bench (the machine's busy CPU time from /proc/stat less the job's
# processes', sampled every 0.5 s) go to the model as --other-busy-cores; the table shows
# the prediction for an idle machine and for that load, and the check uses the latter.
# Ends with `plan-tests: N passed, M failed`; needs root and the config's data (the demo
# config: launch/demo's teacher and shards; CI runs --quick on the tiny config at 100mbit).
set -euo pipefail
HARNESS_NAME=plan
source "$(dirname "${BASH_SOURCE[0]}")/lib/harness.sh"
source "$CLUSTER_DIR/lib/netns.sh"

rates="100mbit 300mbit 1gbit" layouts="ce2 kd3" steps=5 tolerance=15 limit=300 keep=""
config="launch/configs/demo.toml" ddk="$REPO_ROOT/.build/release/ddk"
while (( $# )); do
    case "$1" in
        --quick) rates=1gbit; layouts=ce2; steps=4; shift ;;
        --rates) rates="$2"; shift 2 ;;
        --layouts) layouts="$2"; shift 2 ;;
        --steps) steps="$2"; shift 2 ;;
        --config) config="$2"; shift 2 ;;
        --tolerance) tolerance="$2"; shift 2 ;;
        --timeout) limit="$2"; shift 2 ;;
        --keep) keep="$2"; shift 2 ;;
        --ddk) ddk="$2"; shift 2 ;;
        *) echo "plan.sh: unknown option '$1' (see the header of $0)" >&2; exit 2 ;;
    esac
done

# The summary line of this harness is `plan-tests: …` (harness.sh prints `cluster-NAME`).
harness_summary() {
    HARNESS_SUMMARIZED=yes
    printf 'plan-tests: %d passed, %d failed\n' "$HARNESS_PASSED" "$HARNESS_FAILED"
    (( HARNESS_FAILED == 0 && HARNESS_PASSED > 0 ))
}

require_root_tools ip unshare tc mpirun timeout python3 numfmt
cd "$REPO_ROOT"
[[ -x "$ddk" ]] || harness_die "$ddk not built (swift build -c release)"
[[ -f "$config" ]] || harness_die "no config $config"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OPENBLAS_NUM_THREADS=1

work="$(mktemp -d /tmp/ddk-plan.XXXXXX)"
export DDK_NETNS_PREFIX="ddkp$$"
cleanup() { harness_exit_check; netns_destroy; [[ -z "$keep" ]] || { mkdir -p "$keep" && cp -r "$work"/. "$keep"/; }; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
cores="$(nproc)"

# The layouts: hosts, teacher ranks, config overrides.
layout_hosts() { case "$1" in ce2) echo 2 ;; kd3) echo 3 ;; *) return 1 ;; esac; }
layout_teachers() { case "$1" in ce2) echo 0 ;; kd3) echo 1 ;; esac; }
# layout_sets LAYOUT: the layout's config overrides into the array SETS
layout_sets() {
    case "$1" in
        ce2) SETS=(--set 'objective.name="ce"' --set teacher.ranks=0) ;;
        kd3) SETS=(--set teacher.ranks=1) ;;
    esac
}
for layout in $layouts; do layout_hosts "$layout" >/dev/null || harness_die "unknown layout '$layout' (ce2, kd3)"; done

# 1. the figures, on this machine now: one per objective, each under mpirun -np 2 (all-reduce fit over TCP)
measure_figures() {
    local layout="$1" out="$work/figures-$1.json"
    layout_sets "$layout"
    # TCP between the 2 ranks (loopback): the transport the job uses between the hosts; its
    # software cost per byte (~0.13 s for the 68 MB gradient up and down the tree) adds to
    # the link's time at every rate.
    if timeout -k 5 "$limit" mpirun -np 2 --bind-to none --mca btl tcp,self -x OPENBLAS_NUM_THREADS \
        "$ddk" plan measure --config "$config" "${SETS[@]}" --students 2 --json \
        > "$out" 2> "$work/figures-$1.log" && [[ -s "$out" ]]; then
        pass "$layout: ddk plan measure ($(python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); print("%.2f ms/token student, %.0f teacher tokens/s, all-reduce α %.0f µs β %.2f GB/s" % (f["student_step_seconds_per_token"]*1e3, f["teacher_tokens_per_second"], f["allreduce_latency_seconds"]*1e6, f["allreduce_bytes_per_second"]/1e9))' "$out"))"
    else
        fail "$layout: ddk plan measure failed"; tail -n 15 "$work/figures-$1.log" | sed 's/^/    | /'
        return 1
    fi
}
for layout in $layouts; do measure_figures "$layout" || true; done

# 2. the hosts (as many as the largest layout), every link limited by tbf below
max_hosts=0
for layout in $layouts; do (( $(layout_hosts "$layout") > max_hosts )) && max_hosts=$(layout_hosts "$layout"); done
netns_create "$DDK_NETNS_PREFIX" "$max_hosts" 10.213.79 || harness_die "could not create the network namespaces"
say "hosts: ${NETNS_HOSTS[*]} on $NETNS_SUBNET, $cores cores shared"

limit_links() {
    local rate="$1" rate_bits burst host
    rate_bits=$(numfmt --from=si "$(tr a-z A-Z <<< "${rate%bit}")")
    burst=$(( rate_bits / 800 > 4000 ? rate_bits / 800 : 4000 ))   # 10 ms at the rate
    for host in "${NETNS_HOSTS[@]}"; do
        tc -n "$host" qdisc replace dev eth0 root tbf rate "$rate" burst "$burst" latency 400ms || return 1
        tc -n "$NETNS_BRIDGE" qdisc replace dev "$(netns_bridge_port "$host")" root tbf rate "$rate" burst "$burst" latency 400ms || return 1
    done
}

# busy_ticks: the machine's busy CPU time so far, clock ticks (user, nice, system, irq, softirq, steal)
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# sample_job_cpu FILE: until FILE.stop exists, every 0.5 s, "pid ticks" (utime + stime) of every
# process in the namespace hosts (the job's ranks and daemons)
sample_job_cpu() {
    local host pid
    while [[ ! -e "$1.stop" ]]; do
        for host in "${NETNS_HOSTS[@]}"; do
            for pid in $(ip netns pids "$host" 2>/dev/null); do
                awk -v pid="$pid" '{ print pid, $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || true
            done
        done
        sleep 0.5
    done > "$1"
}

# run_bench LAYOUT RATE: bench distill across the layout's hosts; OTHER_CORES is set to the
# cores other work kept busy meanwhile (the machine's busy time less the job's, over the run)
run_bench() {
    local layout="$1" rate="$2" hosts ranks out="$work/bench-$1-$2" start_ticks start_ms sampler rc=0
    hosts=$(layout_hosts "$layout"); ranks=$hosts
    printf '%s slots=1\n' "${NETNS_HOSTS[@]:0:$hosts}" > "$work/hostfile-$hosts"
    layout_sets "$layout"
    sample_job_cpu "$out.cpu" & sampler=$!
    start_ticks=$(busy_ticks); start_ms=$(now_ms)
    netns_run "${NETNS_HOSTS[0]}" "$REPO_ROOT/launch/run-hostfile" --hostfile "$work/hostfile-$hosts" -n "$ranks" \
        --tcp-only --iface "$NETNS_SUBNET" --keepalive --bind-to none --rsh-agent "$CLUSTER_DIR/rsh-agent" \
        --timeout "$limit" -- "$ddk" bench distill --config "$config" --steps "$steps" "${SETS[@]}" --json \
        > "$out.out" 2> "$out.err" || rc=$?
    local ticks=$(( $(busy_ticks) - start_ticks )) elapsed=$(( $(now_ms) - start_ms ))
    touch "$out.cpu.stop"; wait "$sampler" || true
    OTHER_CORES=$(python3 - "$out.cpu" "$ticks" "$elapsed" "$(getconf CLK_TCK)" <<'PY'
import sys
job = {}
for line in open(sys.argv[1]):
    pid, ticks = line.split()
    job[pid] = max(job.get(pid, 0), int(ticks))
other = (int(sys.argv[2]) - sum(job.values())) / int(sys.argv[4]) / (int(sys.argv[3]) / 1000)
print("%.2f" % max(0.0, other))
PY
)
    return $rc
}

# predict LAYOUT RATE OTHER NAME: ddk plan's prediction for the layout on links of RATE, with
# OTHER cores busy with other work, into predict-LAYOUT-RATE-NAME.json
predict() {
    local layout="$1" rate="$2" other="$3" name="$4" hosts gbps
    hosts=$(layout_hosts "$layout")
    gbps=$(python3 -c 'import sys; print(float(sys.argv[1]) / 1e9)' "$(numfmt --from=si "$(tr a-z A-Z <<< "${rate%bit}")")")
    "$ddk" plan --figures "$work/figures-$layout.json" --nodes "$hosts" --ranks-per-node 1 \
        --cores-per-node "$(python3 -c 'import sys; print(int(sys.argv[1]) / int(sys.argv[2]))' "$cores" "$hosts")" --shared-cores \
        --other-busy-cores "$other" --link-gbps "$gbps" --link-latency-us 50 --ranks "$hosts" \
        --teacher-ranks "$(layout_teachers "$layout")" \
        --global-batch-tokens "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["global_batch_tokens"])' "$work/figures-$layout.json")" \
        --json > "$work/predict-$layout-$rate-$name.json"
}

# compare LAYOUT RATE: one table row; pass when within the tolerance
table="$work/table.md"
printf '| link | layout | predicted step s, idle machine | other work, cores | predicted step s, that load | measured step s | difference | predicted bottleneck | measured all-reduce s/step | teacher wait |\n|---|---|---:|---:|---:|---:|---:|---|---:|---:|\n' > "$table"
compare() {
    local layout="$1" rate="$2" row verdict
    row=$(python3 - "$work/predict-$layout-$rate-loaded.json" "$work/bench-$layout-$rate.out" "$work/bench-$layout-$rate.err" \
                   "$layout" "$rate" "$tolerance" "$work/predict-$layout-$rate-idle.json" "$OTHER_CORES" <<'PY'
import json, sys
predicted = json.load(open(sys.argv[1]))
idle = json.load(open(sys.argv[7]))
bench = [json.loads(line) for line in open(sys.argv[2]) if line.startswith("{")][-1]
measured = bench["step_seconds_mean"]
difference = (predicted["step_seconds"] - measured) / measured
ok = abs(difference) * 100 <= float(sys.argv[6])
print("ok" if ok else "off", "| %s | %s | %.3f | %s | %.3f | %.3f | %+.1f %% | %s | %.3f | %.2f |" % (
    sys.argv[5], sys.argv[4], idle["step_seconds"], sys.argv[8], predicted["step_seconds"], measured, 100 * difference,
    predicted["bottleneck"],
    bench["allreduce_seconds_per_step"], bench["teacher_wait_fraction"]))
PY
) || { fail "$layout at $rate: could not compare (no JSON from the bench?)"; tail -n 15 "$work/bench-$layout-$rate.err" | sed 's/^/    | /'; return; }
    verdict="${row%% *}"; row="${row#* }"
    echo "${row%% (*}" >> "$table"
    if [[ "$verdict" == ok ]]; then pass "$layout at $rate: $row"; else fail "$layout at $rate: off by more than $tolerance %: $row"; fi
}

for rate in $rates; do
    limit_links "$rate" || { fail "tc tbf rate $rate could not be set"; continue; }
    for layout in $layouts; do
        [[ -s "$work/figures-$layout.json" ]] || continue
        start=$(now_ms)
        if run_bench "$layout" "$rate"; then
            say "$layout at $rate: bench distill took $(( ($(now_ms) - start) / 1000 )) s"
        else
            fail "$layout at $rate: bench distill exited non-zero"; tail -n 15 "$work/bench-$layout-$rate.err" | sed 's/^/    | /'
            continue
        fi
        say "$layout at $rate: other work kept $OTHER_CORES of the $cores cores busy meanwhile"
        if predict "$layout" "$rate" 0 idle && predict "$layout" "$rate" "$OTHER_CORES" loaded; then
            compare "$layout" "$rate"
        else
            fail "$layout at $rate: ddk plan failed"
        fi
    done
done
say "predicted (ddk plan) against measured (ddk bench distill, step_seconds_mean), $steps steps:"
sed "s/^/[$HARNESS_NAME] /" "$table"
harness_summary
