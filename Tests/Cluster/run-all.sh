#!/usr/bin/env bash
# Runs every cluster harness: launch scripts, multi-host over network
# namespaces, faults, Slurm — first with the default program (the allreduce
# probe), then, when it has been built (swift build -c release --product
# mpi-checks), the project's own mpi-checks across namespaces and under Slurm.
# Needs root. Each harness prints `cluster-NAME: N passed, M failed`; this
# ends with `cluster-all: N passed, M failed` (harness runs) and exits non-zero
# when any failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
checks="$(cd "$here/../.." && pwd)/.build/release/mpi-checks"
passed=0 failed=0
run() {
    echo "== $*"
    if timeout -k 10 600 "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
run "$here/launch.sh"
run "$here/multihost.sh"
run "$here/faults.sh"
run "$here/slurm.sh"
if [[ -x "$checks" ]]; then
    totals='mpi-checks: [0-9]+ passed, 0 failed'
    run "$here/launch.sh" -- "$checks"
    run "$here/multihost.sh" --compare "$totals" --min-bytes 10000 -- "$checks"
    run "$here/slurm.sh" --expect "$totals" --fail-args --abort -- "$checks"
else
    echo "== mpi-checks not built ($checks): its cluster runs are skipped"
fi
# ddk distill on the tiny config across three namespace hosts (rank 0 coordinator+student,
# rank 1 teacher, rank 2 student): the losses must equal the single-host run's. The teacher's
# host sends top-k targets (~200 KB) but receives only step credits (~7 KB), hence 4000 B.
ddk="$(cd "$here/../.." && pwd)/.build/release/ddk"
if [[ -x "$ddk" ]] && (cd "$here/../.." && bash launch/prepare-tiny "$ddk" >/dev/null); then
    tiny="$(cd "$here/../.." && pwd)/launch/configs/tiny.toml"
    run "$here/multihost.sh" --compare 'step [0-9]+/[0-9]+ +loss [0-9.]+' --min-bytes 4000 \
        -- "$ddk" distill --config "$tiny"
    # The trainer loses a remote rank, that host's orted, that host's link: the job ends
    # within 30 s naming the host, and `--resume latest` (from the checkpoint every 10
    # steps) ends with the final weights of an undisturbed run.
    run "$here/faults.sh" --ready 'step 30/' --resume-args "--resume latest" \
        --resume-expect 'resuming after step [1-9][0-9]*' --compare 'final weights checksum [0-9a-f]+' \
        -- "$ddk" distill --config "$tiny" --set 'run_directory={run}' --set training.steps=100 --set checkpoint.every_steps=10
    # A real two-node Slurm job of the trainer (srun --mpi=pmix, then mpirun in the
    # allocation), and one that fails on one rank (shards that do not exist) shows FAILED.
    run "$here/slurm.sh" --expect 'distill tiny: done after step 8; final weights checksum' \
        --fail-args "--set data.shards=/nonexistent/shards" \
        -- "$ddk" distill --config "$tiny" --set run_directory="$(cd "$here/../.." && pwd)/runs/slurm-test"
    # ddk plan against the same kind of run: 2 namespace hosts, both students, a 100 Mbit/s
    # link; the predicted step within 15 % of the measured (the full check: README).
    run "$here/plan.sh" --quick --config "$tiny" --rates 100mbit
else
    echo "== ddk not built or the tiny inputs cannot be made: its multi-host run is skipped"
fi
echo "cluster-all: $passed passed, $failed failed"
(( failed == 0 ))
