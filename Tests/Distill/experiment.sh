#!/usr/bin/env bash
# `ddk experiment` on the miniature plan launch/experiments/tiny.toml (2 arms × 2 seeds of the
# tiny config, 6 steps, under mpirun): the experiment is killed while its first run writes its
# last checkpoint (DDK_TEST_CHECKPOINT_STALL holds it there), and the same command then
# resumes that run from its step-3 checkpoint and finishes the others; results.json (every arm
# and seed, the same held-out and validation sets and tokens everywhere, the same initial
# weights hash in the runs of a seed, the resumed one included), results.md and a
# well-formed held-out.svg exist; --finished summarizes the evaluated runs without running any;
# a third call skips every run and writes the same results.
#
# Usage: Tests/Distill/experiment.sh [path/to/ddk]   (default .build/release/ddk; build it first)
# Ends with "experiment-tests: N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ddk=${1:-.build/release/ddk}
plan=launch/experiments/tiny.toml
out=runs/tiny-experiment
source Tests/lib/suite.sh

if ! launch/prepare-tiny "$ddk" >/dev/null; then
    echo "experiment-tests: SKIPPED: the tiny inputs cannot be made (the teacher GGUF supplies the tokenizer)"
    echo "experiment-tests: 0 passed, 0 failed"
    exit 0
fi
rm -rf "$out" runs/experiment-tests
mkdir -p runs/experiment-tests
logs=runs/experiment-tests

# Interrupted: its own process group, killed whole while the first run's step-6 checkpoint stalls.
DDK_TEST_CHECKPOINT_STALL=6:120 setsid "$ddk" experiment --plan "$plan" >"$logs/first.out" 2>"$logs/first.err" &
leader=$!
for _ in $(seq 1 600); do
    [ -d "$out/ce-uniform/seed-1/checkpoints/.step-6.partial" ] && break
    sleep 0.1
done
if [ -d "$out/ce-uniform/seed-1/checkpoints/.step-6.partial" ]; then
    kill -KILL -- "-$leader" 2>/dev/null; wait "$leader" 2>/dev/null
    pkill -KILL -f -- "run_directory=\"$out/" 2>/dev/null; sleep 1
    pass "the experiment was killed during its first run (step-6 checkpoint half written)"
else
    kill -KILL -- "-$leader" 2>/dev/null; wait "$leader" 2>/dev/null
    fail "the first run never reached its step-6 checkpoint: $(tail -n 3 "$logs/first.err")"
fi

# The same command continues: the killed run resumes after step 3, the others run.
if timeout -k 5 300 "$ddk" experiment --plan "$plan" --json >"$logs/second.json" 2>"$logs/second.err" \
    && grep -q "arm ce-uniform seed 1 (1/4): training 6 steps, resuming after step 3" "$logs/second.err"; then
    pass "the same command resumed the interrupted run after step 3 and finished the experiment"
else
    fail "the second call: $(tail -n 3 "$logs/second.err")"
fi
if python3 - "$out/results.json" "$logs/second.json" "$out" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
runs = {(arm, seed): json.load(open(f"{sys.argv[3]}/{arm}/seed-{seed}/result.json"))
        for arm in ("ce-uniform", "kd-smooth") for seed in (1, 2)}
hashes = {key: run["initial_weights_hash"] for key, run in runs.items()}
assert all(isinstance(h, str) and len(h) == 16 for h in hashes.values()), hashes
# Each seed's arms start from one student (also the resumed run); the seeded random students differ.
assert hashes["ce-uniform", 1] == hashes["kd-smooth", 1] != hashes["ce-uniform", 2] == hashes["kd-smooth", 2], hashes
assert results["same_initialization"] is True
assert json.load(open(sys.argv[2])) == results, "--json differs from results.json"
assert [a["name"] for a in results["arms"]] == ["ce-uniform", "kd-smooth"], results["arms"]
assert all(a["seeds"] == [1, 2] and a["tokens"] == 1152 and len(a["domains"]) == 3 for a in results["arms"])
assert results["same_evaluation_sets"] is True and results["held_out_sequences"] == 2
assert all(d["student_ppl_mean"] > 1 and d["student_ppl_std"] >= 0 for a in results["arms"] for d in a["domains"])
PY
then pass "results.json: both arms, both seeds, 1,152 tokens each, the same held-out and validation sets, each seed one initial student"
else fail "results.json"
fi
if python3 -c 'import sys, xml.etree.ElementTree as ET; t = open(sys.argv[1]).read(); ET.fromstring(t); assert "kd-smooth" in t and "ce-uniform" in t and "mean" in t' "$out/held-out.svg" \
    && grep -q "| kd-smooth | 2 |" "$out/results.md"; then
    pass "held-out.svg is well-formed with both arms; results.md has the table"
else
    fail "held-out.svg or results.md"
fi

cp "$out/results.json" "$logs/before.json"
# --finished summarizes what is evaluated, running nothing: without kd-smooth seed 2's result.json
# that arm has seed 1 alone, and no run is trained or evaluated.
mv "$out/kd-smooth/seed-2/result.json" "$logs/kd-smooth-2.json"
if timeout -k 5 60 "$ddk" experiment --plan "$plan" --finished --json >"$logs/finished.json" 2>"$logs/finished.err" \
    && ! grep -q "training\|evaluating" "$logs/finished.err" && python3 - "$logs/finished.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
assert [(a["name"], a["seeds"]) for a in results["arms"]] == [("ce-uniform", [1, 2]), ("kd-smooth", [1])], results["arms"]
PY
then pass "--finished summarizes the evaluated runs (kd-smooth: seed 1 alone) without running any"
else fail "--finished: $(tail -n 3 "$logs/finished.err")"
fi
mv "$logs/kd-smooth-2.json" "$out/kd-smooth/seed-2/result.json"

# Nothing left to do: every run is skipped and the results are those of the second call.
if timeout -k 5 120 "$ddk" experiment --plan "$plan" >/dev/null 2>"$logs/third.err" \
    && [ "$(grep -c "done earlier" "$logs/third.err")" -eq 4 ] && cmp -s "$out/results.json" "$logs/before.json"; then
    pass "a third call skips all 4 runs and writes the same results.json"
else
    fail "the third call: $(tail -n 3 "$logs/third.err")"
fi

suite_summary experiment-tests
