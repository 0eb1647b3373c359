#!/usr/bin/env bash
# A miniature of launch/configs/cross-vocab.toml: dskd-cma from the real Gemma 3 270M teacher
# (its own 262,144-token vocabulary) into a tiny student reading the tiny shards' SmolLM2 ids,
# under mpirun with 4 ranks (1 teacher rank, 3 students). Checks: the run ends, its metrics
# pass check_metrics.py (lockstep weights, DDK updates recomputed), DDK's perplexities are per
# byte and its weights move, every loss component is finite; a run resumed from its step-3
# checkpoint ends with bit-identical weights (projectors included); `ddk eval --held-out`
# measures per byte; `kd` across the two vocabularies is refused in one line naming dskd-cma.
#
# Usage: Tests/Distill/cross-vocab.sh [path/to/ddk]   (default .build/release/ddk; build it first)
# Ends with "cross-vocab-tests: N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ddk=${1:-.build/release/ddk}
gemma=${DDK_GEMMA_GGUF:-data/teacher/gemma-3-270m-q4_k_m.gguf}
smol=${DDK_TEACHER_GGUF:-data/teacher/SmolLM2-135M-Instruct.Q4_1.gguf}
out=runs/cross-vocab-tests
source Tests/lib/suite.sh

if [ ! -f "$gemma" ] || ! launch/prepare-tiny "$ddk" >/dev/null; then
    echo "cross-vocab-tests: SKIPPED: needs $gemma (launch/fetch-teacher --model gemma3) and the tiny inputs"
    echo "cross-vocab-tests: 0 passed, 0 failed"
    exit 0
fi
rm -rf "$out"
mkdir -p "$out"
# tiny.toml without kd's own keys (dskd-cma weighs its terms by lambda).
grep -v -E '^(kd_weight|top_k) =' launch/configs/tiny.toml >"$out/config.toml"
settings=(--set objective.name=dskd-cma --set objective.temperature=2.0 --set teacher.model="$gemma"
          --set student.tokenizer="$smol" --set data.sequence_length=16 --set data.validation_sequences=3
          --set training.steps=6 --set ddk.interval_steps=3 --set checkpoint.every_steps=3)

# run NAME ARGS...: ddk distill under mpirun -np 4, output in $out/NAME.
run() {
    local name=$1; shift
    mkdir -p "$out/$name"
    timeout -k 5 300 mpirun --allow-run-as-root --oversubscribe -np 4 "$ddk" distill --config "$out/config.toml" \
        "${settings[@]}" --set run_directory="$out/$name" "$@" >"$out/$name/stdout.log" 2>"$out/$name/stderr.log"
}
checksum() { sed -nE 's/.*final weights checksum ([0-9a-f]+).*/\1/p' "$out/$1/stderr.log" | tail -n 1; }

run full; status=$?
if [ "$status" -eq 0 ] && python3 Tests/Distill/check_metrics.py "$out/full/metrics.jsonl" --world-size 4 --students 3 --steps 6; then
    pass "dskd-cma from Gemma 3 into a SmolLM2-vocabulary student: 4 ranks, lockstep weights, DDK updates follow Eq. 1/2"
else
    fail "dskd-cma cross-vocabulary run (exit $status)"; tail -n 5 "$out/full/stderr.log"
fi
if python3 - "$out/full/metrics.jsonl" <<'PY'
import json, math, sys
records = [json.loads(line) for line in open(sys.argv[1])]
ddk = [r for r in records if r["kind"] == "ddk"]
steps = [r for r in records if r["kind"] == "step"]
assert ddk and all(r.get("perplexity_unit") == "byte" for r in ddk), "DDK records are not per byte"
assert all(0 < d["teacher_ppl"] < 20 and d["student_ppl"] > 1 for r in ddk for d in r["domains"]), "implausible per-byte perplexities"
assert any(abs(d["weight_after"] - 1 / len(r["domains"])) > 1e-3 for r in ddk for d in r["domains"]), "DDK weights never moved"
names = {"ce", "kd_t2s", "ce_t2s", "kd_s2t", "t2s_correct"}  # the total is the record's loss
assert steps and all(set(r["components"]) == names for r in steps), [sorted(r["components"]) for r in steps[:1]]
assert all(math.isfinite(v) for r in steps for v in r["components"].values()), "a loss component is not finite"
PY
then pass "DDK per byte (perplexity_unit = byte), weights move, every dskd-cma component finite"
else fail "per-byte DDK records or dskd-cma components"
fi
if grep -q "two vocabularies" "$out/full/stderr.log" && grep -q "tied head and embeddings: 671 MB" "$out/full/stderr.log"; then
    pass "the run says it has two vocabularies and what each student holds of the teacher"
else
    fail "the start-up lines do not describe the two vocabularies"
fi

# Resumed from the step-3 checkpoint of a copy: the same final weights, bit for bit.
cp -r "$out/full" "$out/resumed"
run resumed --resume "$out/resumed/checkpoints/step-3"; status=$?
if [ "$status" -eq 0 ] && [ -n "$(checksum full)" ] && [ "$(checksum full)" = "$(checksum resumed)" ]; then
    pass "dskd-cma resumed at step 3 ends bit-identical ($(checksum resumed))"
else
    fail "dskd-cma resume: exit $status, checksums '$(checksum full)' vs '$(checksum resumed)'"
fi

# ddk eval on sequences DDK never measured, per byte.
if "$ddk" eval --checkpoint "$out/full/checkpoints/step-6" --held-out 2 "${settings[@]}" --json >"$out/eval.json" 2>"$out/eval.err" \
    && python3 - "$out/eval.json" <<'PY'
import json, math, sys
result = json.load(open(sys.argv[1]))
assert result["perplexity_unit"] == "byte" and result["first_validation_sequence"] == 3 and result["validation_sequences"] == 2, result
assert all(math.isfinite(d["student_ppl"]) and 1 < d["teacher_ppl"] < d["student_ppl"] for d in result["domains"]), result["domains"]
assert result["start_step"] is None and all(d["student_ppl_before"] is None for d in result["domains"])
PY
then pass "ddk eval --held-out: per-byte perplexities of sequences after DDK's, no 'before' column"
else fail "ddk eval --held-out on the cross-vocabulary checkpoint"; tail -n 3 "$out/eval.err"
fi

# kd needs one vocabulary: refused before anything runs, in one line naming dskd-cma.
run refused --set objective.name=kd; status=$?
lines=$(grep -c "error:" "$out/refused/stderr.log")
if [ "$status" -ne 0 ] && [ "$lines" -eq 1 ] && grep -q "dskd-cma" "$out/refused/stderr.log"; then
    pass "kd across two vocabularies refused in one line naming dskd-cma"
else
    fail "kd across vocabularies: exit $status, $lines error lines"; cat "$out/refused/stderr.log" | head -n 5
fi

suite_summary cross-vocab-tests
