#!/usr/bin/env bash
# The teacher-target store of `ddk capture` (tiny config: 10 training sequences of each of 3 domains,
# blocks of 4, top-16 targets at 8 bits):
#   * one process and 3 ranks under mpirun write byte-identical stores;
#   * a capture killed with -9 midway (DDK_TEST_CAPTURE_STALL holds rank 0 after 3 blocks)
#     continues where it stopped, and ends byte-identical to the uninterrupted one;
#   * `--verify` reads every block back; a flipped byte is named (file and block) by
#     `--verify`, and `ddk capture` captures that block again, back to the identical store;
#   * a store of another k or τ, and an objective without top-k, are refused in one line;
#   * `ddk distill` with teacher.source = "store": from a float32 store (32 bits) its losses
#     equal the live teacher's bit for bit; from the 8-bit store within 1e-3; under mpirun
#     every rank trains (no teacher rank); a store of another k is refused in one line;
#   * `store+live` drawing 20 sequences per domain of which the store holds 10: the
#     same losses as the live run bit for bit, in one process and with a teacher rank.
#
# Usage: Tests/Distill/capture.sh [path/to/ddk]. Ends with "capture-tests: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
ddk=${1:-.build/release/ddk}
out=runs/capture-tests
source Tests/lib/suite.sh

if ! launch/prepare-tiny "$ddk" >/dev/null; then
    echo "capture-tests: SKIPPED: the tiny inputs cannot be made"
    echo "capture-tests: 0 passed, 0 failed"
    exit 0
fi
rm -rf "$out"
mkdir -p "$out"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
settings=(--config launch/configs/tiny.toml --set store.sequences_per_domain=10 --set store.block_sequences=4)

# capture NAME NP ARGS...: a capture into $out/NAME (NP 0: no mpirun), output in $out/NAME.log.
capture() {
    local name=$1 np=$2; shift 2
    local launcher=()
    [ "$np" -gt 0 ] && launcher=(mpirun --oversubscribe -np "$np" -x DDK_TEST_CAPTURE_STALL)
    timeout -k 5 240 "${launcher[@]}" "$ddk" capture "${settings[@]}" --set store.path="$out/$name" "$@" >>"$out/$name.log" 2>&1
}

# same_store A B: every file of two stores is byte-identical.
same_store() {
    diff -rq "$out/$1" "$out/$2" >/dev/null
}

if capture one 0 --json && grep -q '"blocks_captured":9' "$out/one.log"; then
    pass "one process captures 9 blocks: $(grep -o '"bytes_per_token":[0-9.]*' "$out/one.log")"
else
    fail "one-process capture: $(tail -n 3 "$out/one.log")"
fi
if capture three 3 && same_store one three; then
    pass "3 ranks write the same store byte for byte"
else
    fail "3-rank capture differs or failed: $(tail -n 3 "$out/three.log")"
fi

# Killed midway: rank 0 sleeps after its 3rd block (2 ranks: 2 blocks a round), then -9.
DDK_TEST_CAPTURE_STALL=3:60 capture killed 2 &
launcher=$!
for _ in $(seq 1 300); do
    grep -q "capture: 4/9 blocks" "$out/killed.log" 2>/dev/null && break
    sleep 0.2
done
pkill -9 -f "store.path=$out/killed" 2>/dev/null
wait "$launcher" 2>/dev/null
stored=$(cat "$out"/killed/domain-*.targets 2>/dev/null | wc -c)
if grep -q "capture: 4/9 blocks" "$out/killed.log" && ! grep -q "capture: 9/9" "$out/killed.log" && [ "$stored" -gt 0 ]; then
    pass "capture killed after 4 of 9 blocks ($stored bytes stored)"
else
    fail "the capture was not killed midway: $(tail -n 2 "$out/killed.log")"
fi
if capture killed 2 && grep -q "continuing $out/killed: 4 of 9 blocks already stored" "$out/killed.log" && same_store one killed; then
    pass "the killed capture continues from block 4 and ends identical"
else
    fail "resumed capture: $(grep continuing "$out/killed.log"; tail -n 2 "$out/killed.log")"
fi

if "$ddk" capture "${settings[@]}" --set store.path="$out/one" --verify >"$out/verify.log" 2>&1 \
    && grep -q "9 blocks, 30 sequences intact" "$out/verify.log"; then
    pass "--verify reads the 9 blocks back"
else
    fail "--verify: $(cat "$out/verify.log")"
fi
cp -r "$out/one" "$out/flipped"
file="$out/flipped/domain-1.targets"
python3 - "$file" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
data[len(data) // 2] ^= 0x01   # inside block 1 of 3
open(path, "wb").write(data)
PY
"$ddk" capture "${settings[@]}" --set store.path="$out/flipped" --verify >"$out/flipped-verify.log" 2>&1
status=$?
if [ "$status" -ne 0 ] && [ "$(wc -l <"$out/flipped-verify.log")" -eq 1 ] \
    && grep -q "$file: block 1 at byte [0-9]* is damaged: checksum mismatch" "$out/flipped-verify.log"; then
    pass "a flipped byte is named: $(cat "$out/flipped-verify.log")"
else
    fail "flipped byte (exit $status): $(cat "$out/flipped-verify.log")"
fi
if capture flipped 0 && grep -q "continuing $out/flipped: 7 of 9 blocks already stored" "$out/flipped.log" && same_store one flipped; then
    pass "capture replaces the damaged block (and the one after it): identical store"
else
    fail "recapture of the damaged block: $(grep continuing "$out/flipped.log"; tail -n 2 "$out/flipped.log")"
fi

# refusals: one line on standard error, non-zero exit
refused() {
    local name=$1 pattern=$2; shift 2
    "$ddk" capture "${settings[@]}" --set store.path="$out/one" "$@" >"$out/$name.log" 2>&1
    local status=$?
    if [ "$status" -ne 0 ] && [ "$(wc -l <"$out/$name.log")" -eq 1 ] && grep -q "$pattern" "$out/$name.log"; then
        pass "refused: $(cat "$out/$name.log")"
    else
        fail "$name (exit $status): $(cat "$out/$name.log")"
    fi
}
refused other-k "store.json: the store holds another job's teacher targets (top-k k 16 vs 8" --set objective.top_k=8
refused other-temperature "temperature τ 1.0 vs 2.0" --set objective.temperature=2.0
refused verify-other-k "top-k k 16 vs 8" --set objective.top_k=8 --verify
refused no-top-k "it needs objective.name = \"kd\" with objective.top_k" --set objective.name=ce

# distill NAME NP ARGS...: 6 steps from the first DRAWN (default 10) sequences of each domain,
# in $out/NAME (NP 0: no mpirun).
distill() {
    local name=$1 np=$2; shift 2
    local launcher=()
    [ "$np" -gt 0 ] && launcher=(mpirun --oversubscribe -np "$np")
    timeout -k 5 240 "${launcher[@]}" "$ddk" distill "${settings[@]}" --set data.train_sequences_per_domain="${DRAWN:-10}" \
        --set training.steps=6 --set run_directory="$out/$name" "$@" >"$out/$name.log" 2>&1
}
# losses_agree A B TOLERANCE: the step losses of two runs, relative difference at most TOLERANCE.
losses_agree() {
    python3 - "$out/$1/metrics.jsonl" "$out/$2/metrics.jsonl" "$3" <<'PY'
import json, sys
def losses(path):
    return [r["loss"] for r in map(json.loads, open(path)) if r["kind"] == "step"]
a, b, tolerance = losses(sys.argv[1]), losses(sys.argv[2]), float(sys.argv[3])
worst = max(abs(x - y) / abs(x) for x, y in zip(a, b))
print(f"{len(a)} steps, largest relative difference {worst:.2e}")
sys.exit(0 if len(a) == len(b) == 6 and worst <= tolerance else 1)
PY
}
capture exact 0 --set store.log_probability_bits=32
distill live 0 --set store.path="$out/exact"
distill stored-exact 0 --set store.path="$out/exact" --set teacher.source=store --set teacher.ranks=0
if figures=$(losses_agree live stored-exact 0); then
    pass "a run from the float32 store has the live run's losses bit for bit ($figures)"
else
    fail "float32 store against live: $figures $(tail -n 2 "$out/stored-exact.log")"
fi
distill stored-8bit 0 --set store.path="$out/one" --set teacher.source=store --set teacher.ranks=0
if figures=$(losses_agree live stored-8bit 1e-3) && grep -q "the sampler draws from the first training sequences of each domain (10/" "$out/stored-8bit.log"; then
    pass "a run from the 8-bit store: losses within 1e-3 of live ($figures)"
else
    fail "8-bit store against live: $figures $(tail -n 2 "$out/stored-8bit.log")"
fi
distill stored-two-ranks 2 --set store.path="$out/exact" --set teacher.source=store --set teacher.ranks=0
if figures=$(losses_agree live stored-two-ranks 1e-5) \
    && grep -q '"student_ranks":\[0,1\],"teacher_ranks":\[\]' <(head -n 1 "$out/stored-two-ranks/metrics.jsonl" | python3 -c "import json,sys; r=json.load(sys.stdin); print(json.dumps({k: r[k] for k in ('student_ranks','teacher_ranks')}, separators=(',', ':'), sort_keys=True))"); then
    pass "2 ranks from the store: both train, no teacher rank ($figures)"
else
    fail "2 ranks from the store: $figures $(tail -n 2 "$out/stored-two-ranks.log")"
fi
distill stored-other-k 0 --set store.path="$out/one" --set teacher.source=store --set teacher.ranks=0 --set objective.top_k=8
if [ "$(wc -l <"$out/stored-other-k.log")" -eq 1 ] && grep -q "store.json: the store holds another job's teacher targets (top-k k 16 vs 8" "$out/stored-other-k.log"; then
    pass "distill refuses a store of another k: $(cat "$out/stored-other-k.log")"
else
    fail "distill with a store of another k: $(cat "$out/stored-other-k.log")"
fi

# store+live: the store holds the first 10 sequences of each domain, the sampler draws from 20.
DRAWN=20 distill live-20 0 --set store.path="$out/exact"
DRAWN=20 distill hybrid 0 --set store.path="$out/exact" --set teacher.source=store+live
if figures=$(losses_agree live-20 hybrid 0) && grep -q "for the sequences it holds (10/" "$out/hybrid.log"; then
    pass "store+live in one process: the live run's losses bit for bit ($figures)"
else
    fail "store+live in one process: $figures $(tail -n 2 "$out/hybrid.log")"
fi
DRAWN=20 distill hybrid-pool 3 --set store.path="$out/exact" --set teacher.source=store+live --set teacher.ranks=1
DRAWN=20 distill live-20-pool 3 --set store.path="$out/exact" --set teacher.ranks=1
if figures=$(losses_agree live-20-pool hybrid-pool 0); then
    pass "store+live with a teacher rank and 2 students: the live run's losses bit for bit ($figures)"
else
    fail "store+live with a teacher rank: $figures $(tail -n 2 "$out/hybrid-pool.log")"
fi

suite_summary capture-tests
