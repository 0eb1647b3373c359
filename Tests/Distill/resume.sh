#!/usr/bin/env bash
# Checkpoints and exact resume of `ddk distill` under mpirun (tiny config, 12 steps,
# DDK interval 4, a checkpoint every 2 steps):
#   * a run whose rank 0 (student 0, the checkpoint writer) is killed with -9 while the
#     step-8 checkpoint is half written (DDK_TEST_CHECKPOINT_STALL holds the writer
#     there) leaves step-6 complete, `latest` pointing at it and no step-8 folder;
#   * `--resume latest` finishes that run with the same losses (exactly) and bit-identical
#     final weights and optimizer moments as the uninterrupted run, and its metrics file
#     passes check_metrics.py as one history; so does `--resume auto` on a copy of it, and
#     `--resume auto` on an empty run folder is an ordinary run from step 0;
#   * resuming step 6 with 3 students instead of 2 continues the loss curve of the
#     original run (relative difference below 1e-6: only the order of the gradient sums
#     changes); 4 students for a global batch of 6 are refused with one line (rank 0's);
#   * dskd: resuming at step 4 (projectors and their Adam state) gives bit-identical
#     final weights;
#   * a resume whose seed differs from the checkpoint's is refused with one line.
#
# Usage: Tests/Distill/resume.sh [path/to/ddk]. Ends with "resume-tests: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
ddk=${1:-.build/release/ddk}
out=runs/resume-tests
source Tests/lib/suite.sh

if ! launch/prepare-tiny "$ddk" >/dev/null; then
    echo "resume-tests: SKIPPED: the tiny inputs cannot be made"
    echo "resume-tests: 0 passed, 0 failed"
    exit 0
fi
rm -rf "$out"
mkdir -p "$out"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
common=(--set training.steps=12 --set checkpoint.every_steps=2 --set ddk.interval_steps=4)

# distill NAME NP ARGS...: one run in $out/NAME, output in $out/NAME.log.
distill() {
    local name=$1 np=$2; shift 2
    local forward=()
    [ -n "${DDK_TEST_CHECKPOINT_STALL:-}" ] && forward=(-x DDK_TEST_CHECKPOINT_STALL)
    timeout -k 5 240 mpirun --oversubscribe -np "$np" "${forward[@]}" "$ddk" distill \
        --set run_directory="$out/$name" "${common[@]}" "$@" >>"$out/$name.log" 2>&1
}

# compare.py A B MODE: losses of the step records both files have (MODE exact | smooth)
# and, for exact, the tensors of both final checkpoints' model and optimizer files.
cat >"$out/compare.py" <<'EOF'
import json, struct, sys
a_dir, b_dir, mode = sys.argv[1:4]
def losses(run):
    return {r["step"]: r["loss"] for r in map(json.loads, open(run + "/metrics.jsonl")) if r["kind"] == "step"}
def tensor_bytes(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    return data[8 + n:]
a, b = losses(a_dir), losses(b_dir)
if sorted(a) != sorted(b):
    sys.exit(f"steps differ: {sorted(a)} vs {sorted(b)}")
worst = max(abs(a[s] - b[s]) / abs(a[s]) for s in a)
if mode == "exact":
    if worst != 0:
        sys.exit(f"losses differ (largest relative difference {worst:.3g})")
    final = "checkpoints/" + open(a_dir + "/checkpoints/latest").read().strip()
    for name in ("model.safetensors", "optimizer.safetensors", "projectors.safetensors"):
        try:
            first = tensor_bytes(f"{a_dir}/{final}/{name}")
        except FileNotFoundError:
            continue
        if first != tensor_bytes(f"{b_dir}/{final}/{name}"):
            sys.exit(f"{final}/{name}: tensors differ")
    print(f"same losses, bit-identical {final} tensors")
else:
    if worst > 1e-6:
        sys.exit(f"loss curves do not join: largest relative difference {worst:.3g}")
    print(f"losses after the resume within {worst:.2g} (relative) of the original run")
EOF

# The uninterrupted run.
if distill full 3 --config launch/configs/tiny.toml && [ -d "$out/full/checkpoints/step-12" ]; then
    pass "uninterrupted run (3 ranks) wrote checkpoints step-2 … step-12"
else
    fail "uninterrupted run failed: $(tail -n 3 "$out/full.log")"
fi

# Kill -9 the checkpoint writer while step 8's checkpoint is half written.
DDK_TEST_CHECKPOINT_STALL=8:60 distill killed 3 --config launch/configs/tiny.toml &
launcher=$!
for _ in $(seq 200); do
    [ -f "$out/killed/checkpoints/.step-8.partial/model.safetensors" ] && break
    sleep 0.2
done
writer=$(world_rank_pid 0 $(pgrep -f -- "run_directory=$out/killed"))
if [ -n "$writer" ]; then kill -9 "$writer"; fi
wait "$launcher"
status=$?
latest=$(cat "$out/killed/checkpoints/latest" 2>/dev/null)
if [ -n "$writer" ] && [ "$status" -ne 0 ] && [ "$latest" = "step-6" ] && [ ! -e "$out/killed/checkpoints/step-8" ] \
    && [ -d "$out/killed/checkpoints/.step-8.partial" ]; then
    pass "writer killed mid-checkpoint (exit $status): latest = step-6, step-8 only partial"
else
    fail "kill mid-checkpoint: writer pid '${writer}', exit $status, latest '$latest', $(ls -a "$out/killed/checkpoints" | tr '\n' ' ')"
fi

# `--resume auto` on a copy of it continues from step 6 too; on an empty folder it starts at 0.
cp -r "$out/killed" "$out/killed-auto"
if DDK_TEST_CHECKPOINT_STALL= distill killed-auto 3 --config launch/configs/tiny.toml --resume auto \
    && grep -q "resuming after step 6" "$out/killed-auto.log" \
    && result=$(python3 "$out/compare.py" "$out/full" "$out/killed-auto" exact); then
    pass "--resume auto after the kill: $result"
else
    fail "--resume auto after the kill: ${result:-$(tail -n 3 "$out/killed-auto.log")}"
fi
if distill fresh-auto 3 --config launch/configs/tiny.toml --resume auto && ! grep -q "resuming" "$out/fresh-auto.log" \
    && result=$(python3 "$out/compare.py" "$out/full" "$out/fresh-auto" exact); then
    pass "--resume auto without a checkpoint starts at step 0: $result"
else
    fail "--resume auto without a checkpoint: ${result:-$(tail -n 3 "$out/fresh-auto.log")}"
fi

# Resume it: same losses and final weights as the uninterrupted run.
if DDK_TEST_CHECKPOINT_STALL= distill killed 3 --config launch/configs/tiny.toml --resume latest \
    && grep -q "resuming after step 6" "$out/killed.log" && result=$(python3 "$out/compare.py" "$out/full" "$out/killed" exact); then
    pass "resumed after the kill: $result"
else
    fail "resume after the kill: ${result:-$(tail -n 3 "$out/killed.log")}"
fi
if python3 Tests/Distill/check_metrics.py "$out/killed/metrics.jsonl" --steps 12 >/dev/null; then
    pass "the resumed run's metrics.jsonl reads as one history (check_metrics.py)"
else
    fail "check_metrics.py on the resumed run: $(python3 Tests/Distill/check_metrics.py "$out/killed/metrics.jsonl" --steps 12 | head -n 3)"
fi

# A fresh run in a folder that holds an earlier run's checkpoints resets `latest`, so a kill
# before its first checkpoint cannot make `--resume latest` pick the earlier run's step-12.
cp -r "$out/full" "$out/rerun"
if distill rerun 3 --config launch/configs/tiny.toml --set training.steps=1 --set checkpoint.every_steps=100 \
    && grep -q "checkpoints/latest is reset" "$out/rerun.log" && [ "$(cat "$out/rerun/checkpoints/latest")" = "step-1" ]; then
    pass "a fresh run in an earlier run's folder resets checkpoints/latest"
else
    fail "fresh run over old checkpoints: latest is '$(cat "$out/rerun/checkpoints/latest" 2>/dev/null)'; $(tail -n 2 "$out/rerun.log")"
fi

# Resume step 6 with three students (4 ranks) in a copy of the run folder.
cp -r "$out/full" "$out/wider"
if distill wider 4 --config launch/configs/tiny.toml --resume "$out/wider/checkpoints/step-6" \
    && result=$(python3 "$out/compare.py" "$out/full" "$out/wider" smooth) \
    && python3 Tests/Distill/check_metrics.py "$out/wider/metrics.jsonl" --steps 12 >/dev/null; then
    pass "resumed with 3 students instead of 2: $result"
else
    fail "resume with 3 students: ${result:-$(tail -n 3 "$out/wider.log")}"
fi

# Four students cannot split a global batch of 6.
cp -r "$out/full" "$out/uneven"
if ! distill uneven 5 --config launch/configs/tiny.toml --resume latest \
    && [ "$(grep -c 'error:' "$out/uneven.log")" -eq 1 ] && grep -q "rank 0 .*error: .*global batch" "$out/uneven.log"; then
    pass "resume with 4 students refused: $(grep -m1 'error:' "$out/uneven.log" | cut -c1-160)"
else
    fail "resume with 4 students for a batch of 6 was not refused: $(tail -n 2 "$out/uneven.log")"
fi

# Another seed than the checkpoint's.
cp -r "$out/full" "$out/reseeded"
if ! distill reseeded 3 --config launch/configs/tiny.toml --set seed=8 --resume latest \
    && [ "$(grep -c 'error:' "$out/reseeded.log")" -eq 1 ] \
    && grep -q "rank 0 .*error: --resume .*seed is 7, the config.s 8" "$out/reseeded.log"; then
    pass "resume with another seed refused: $(grep -m1 'error:' "$out/reseeded.log" | cut -c1-160)"
else
    fail "resume with another seed was not refused as expected: $(grep -m1 'error' "$out/reseeded.log")"
fi

# dskd: projectors and their optimizer state come back too.
sed -e 's/^name = "kd"/name = "dskd"/; s/^kd_weight = 0.2/lambda = 0.5/; /^top_k/d; s/^temperature = 1.0/temperature = 2.0/' \
    launch/configs/tiny.toml >"$out/tiny-dskd.toml"
common=(--set training.steps=8 --set checkpoint.every_steps=4 --set ddk.interval_steps=4)
if distill dskd-full 3 --config "$out/tiny-dskd.toml" && cp -r "$out/dskd-full" "$out/dskd-resumed" \
    && [ -f "$out/dskd-full/checkpoints/step-4/projectors.safetensors" ] \
    && distill dskd-resumed 3 --config "$out/tiny-dskd.toml" --resume "$out/dskd-resumed/checkpoints/step-4" \
    && result=$(python3 "$out/compare.py" "$out/dskd-full" "$out/dskd-resumed" exact); then
    pass "dskd resumed at step 4 (projectors + Adam state): $result"
else
    fail "dskd resume: ${result:-$(tail -n 3 "$out/dskd-resumed.log" "$out/dskd-full.log" 2>/dev/null)}"
fi

suite_summary resume-tests
