#!/usr/bin/env bash
# End-to-end tests of `ddk eval` on launch/configs/tiny.toml: one `ddk distill` run (one
# process, deterministic), then `ddk eval` of its last checkpoint must give the per-domain
# student perplexity of the run's last `ddk` record in metrics.jsonl (1e-5 relative), the
# teacher's of the same record, and the step-0 student perplexity as "before"; the table is
# `ddk report`'s; the teacher perplexity is measured and cached when the cache is missing;
# bad inputs end with one line `ddk eval: error: …` and a non-zero exit.
#
# Usage: Tests/Distill/eval.sh [path/to/ddk]   (default .build/release/ddk; build it first)
# Ends with "eval-tests: N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ddk=${1:-.build/release/ddk}
out=runs/eval-tests
source Tests/lib/suite.sh
finish() { suite_summary eval-tests; exit; }

if ! launch/prepare-tiny "$ddk" >/dev/null; then
    echo "eval-tests: SKIPPED: the tiny inputs cannot be made (the teacher GGUF supplies the tokenizer)"
    echo "eval-tests: 0 passed, 0 failed"
    exit 0
fi
rm -rf "$out"
mkdir -p "$out"
run=$out/run
checkpoint=$run/checkpoints/step-8
if ! timeout -k 5 240 "$ddk" distill --config launch/configs/tiny.toml --set run_directory="$run" \
        >"$out/distill.log" 2>&1 || [ ! -f "$checkpoint/model.safetensors" ]; then
    fail "ddk distill on tiny.toml (see $out/distill.log)"; finish
fi

# eval_ok NAME ARGS...: `ddk eval` succeeds; stdout in $out/NAME.out, stderr in $out/NAME.err.
eval_ok() {
    local name=$1; shift
    if timeout -k 5 120 "$ddk" eval "$@" >"$out/$name.out" 2>"$out/$name.err"; then return 0; fi
    fail "$name: ddk eval $* exited non-zero: $(tail -n 1 "$out/$name.err")"; return 1
}

# The checkpoint against the run's own records (config and metrics found two levels up).
if eval_ok json --checkpoint "$checkpoint" --json; then
    if python3 - "$out/json.out" "$run/metrics.jsonl" "$checkpoint" <<'PY'
import json, os, sys
text = open(sys.argv[1]).read()
assert text.count("\n") == 1, "stdout is not exactly one line"
result = json.loads(text)
ddk = [json.loads(l) for l in open(sys.argv[2]) if json.loads(l)["kind"] == "ddk"]
first, last = ddk[0], ddk[-1]
assert first["step"] == 0 and last["step"] == 8, (first["step"], last["step"])
assert result["step"] == 8 and result["start_step"] == 0, (result["step"], result["start_step"])
assert result["teacher_ppl_source"] == "cache", result["teacher_ppl_source"]
names = [d["name"] for d in result["domains"]]
assert names == [d["name"] for d in last["domains"]], names
has_state = os.path.exists(os.path.join(sys.argv[3], "run_state.json"))
for mine, logged, start in zip(result["domains"], last["domains"], first["domains"]):
    for key, reference, tolerance in (("student_ppl", logged["student_ppl"], 1e-5), ("teacher_ppl", logged["teacher_ppl"], 1e-9),
                                      ("student_ppl_before", start["student_ppl"], 1e-12)):
        assert abs(mine[key] - reference) <= tolerance * reference, (mine["name"], key, mine[key], reference)
    assert abs(mine["ratio"] - mine["student_ppl"] / mine["teacher_ppl"]) <= 1e-12 * mine["ratio"]
    assert (mine["weight"] is not None) == has_state, (mine["weight"], has_state)
if has_state:
    assert abs(sum(d["weight"] for d in result["domains"]) - 1) < 1e-6
mean = sum(d["student_ppl"] for d in result["domains"]) / len(names)
assert abs(result["mean_student_ppl"] - mean) <= 1e-12 * mean
print("max relative difference to the ddk record:",
      max(abs(m["student_ppl"] - l["student_ppl"]) / l["student_ppl"] for m, l in zip(result["domains"], last["domains"])))
PY
    then pass "eval of step-8 = the run's last ddk record (student, teacher), step-0 record as before, one JSON object"
    else fail "eval --json against metrics.jsonl"; fi
fi

# The table: ddk report's columns; domain, teacher, before, after and ratio cells equal report's.
if eval_ok table --checkpoint "$checkpoint" && "$ddk" report --run "$run" >"$out/report.out" 2>&1; then
    if python3 - "$out/table.out" "$out/report.out" <<'PY'
import sys
table = open(sys.argv[1]).read().splitlines()
report = open(sys.argv[2]).read().splitlines()
assert table[0].startswith("checkpoint ") and len(table) == len(report), (table[0], len(table), len(report))
assert table[1] == report[1], (table[1], report[1])            # same header
for mine, theirs in zip(table[3:], report[3:]):               # same cells but the weight
    assert mine.split()[:5] == theirs.split()[:5], (mine, theirs)
PY
    then pass "eval's table has ddk report's header and figures"; cat "$out/table.out"
    else fail "eval's table differs from ddk report's (see $out/table.out, $out/report.out)"; fi
fi

# A copy of the checkpoint outside the run folder: --config is required; with it, no "before".
mkdir -p "$out/loose"
cp -r "$checkpoint" "$out/loose/step-8"
if timeout -k 5 60 "$ddk" eval --checkpoint "$out/loose/step-8" >"$out/noconfig.out" 2>"$out/noconfig.err"; then
    fail "a checkpoint outside a run folder without --config was accepted"
elif [ "$(wc -l <"$out/noconfig.err")" -eq 1 ] && grep -q "^ddk eval: error: .*--config" "$out/noconfig.err" && [ ! -s "$out/noconfig.out" ]; then
    pass "no config two levels up and no --config: one line ($(cat "$out/noconfig.err"))"
else
    fail "no-config message: $(cat "$out/noconfig.err")"
fi
if eval_ok loose --checkpoint "$out/loose/step-8" --config "$run/config.toml"; then
    if grep -q "student ppl (before)" "$out/loose.out" && grep -q "^mean .*—" "$out/loose.out"; then
        pass "a loose checkpoint with --config: before shown as —"
    else fail "loose checkpoint table: $(cat "$out/loose.out")"; fi
fi

# Fewer validation sequences than the run used: the run's step-0 figures are not comparable.
if eval_ok fewer --checkpoint "$checkpoint" --set data.validation_sequences=2 --json; then
    if python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); sys.exit(0 if r["start_step"] is None and r["validation_sequences"] == 2 and all(d["student_ppl_before"] is None for d in r["domains"]) else 1)' "$out/fewer.out" \
       && grep -q "other validation sequences" "$out/fewer.err"; then
        pass "--set data.validation_sequences=2: evaluated on 2 sequences, the run's before not shown"
    else fail "fewer validation sequences: $(cat "$out/fewer.out" "$out/fewer.err")"; fi
fi

# Missing teacher cache (a private copy of the shards): measured, cached, then read; same figures.
cp -r data/tiny/shards "$out/shards"
rm -rf "$out/shards/cache"
if eval_ok measured --checkpoint "$checkpoint" --set data.shards="$out/shards" --json \
   && eval_ok cached --checkpoint "$checkpoint" --set data.shards="$out/shards" --json; then
    if python3 - "$out/measured.out" "$out/cached.out" "$out/json.out" <<'PY'
import json, sys
measured, cached, reference = (json.loads(open(p).read()) for p in sys.argv[1:])
assert measured["teacher_ppl_source"] == "measured" and cached["teacher_ppl_source"] == "cache"
for a, b, c in zip(measured["domains"], cached["domains"], reference["domains"]):
    assert a["teacher_ppl"] == b["teacher_ppl"], (a, b)
    assert abs(a["teacher_ppl"] - c["teacher_ppl"]) <= 1e-6 * c["teacher_ppl"], (a, c)
PY
    then pass "teacher perplexity measured when not cached (= the run's), then read from the cache"
    else fail "teacher cache: see $out/measured.out, $out/cached.out"; fi
fi

# Bad inputs: non-zero exit, nothing on stdout, one line on stderr naming the problem.
mkdir -p "$out/no-config-json" "$out/bad-tensor"
cp "$checkpoint/model.safetensors" "$out/no-config-json/"
cp "$checkpoint/config.json" "$out/bad-tensor/"
head -c 200 "$checkpoint/model.safetensors" >"$out/bad-tensor/model.safetensors"
mkdir -p "$out/wrong-shape"
cp "$checkpoint/model.safetensors" "$out/wrong-shape/"
python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); c["intermediate_size"] += 8; json.dump(c, open(sys.argv[2], "w"))' \
    "$checkpoint/config.json" "$out/wrong-shape/config.json"
refused() {
    local name=$1 expected=$2; shift 2
    if timeout -k 5 60 "$ddk" eval "$@" >"$out/$name.out" 2>"$out/$name.err"; then
        fail "$name: accepted"; return
    fi
    if [ "$(wc -l <"$out/$name.err")" -eq 1 ] && grep -q "^ddk eval: error: .*$expected" "$out/$name.err" && [ ! -s "$out/$name.out" ]; then
        pass "$name: $(cat "$out/$name.err")"
    else
        fail "$name: expected one line mentioning '$expected', got: $(cat "$out/$name.err")"
    fi
}
refused missing-folder "no such folder" --checkpoint "$out/nowhere" --config "$run/config.toml"
refused missing-config-json "config.json" --checkpoint "$out/no-config-json" --config "$run/config.toml"
refused bad-tensor "model.safetensors" --checkpoint "$out/bad-tensor" --config "$run/config.toml"
refused wrong-shape "mlp.*shape" --checkpoint "$out/wrong-shape" --config "$run/config.toml"
refused missing-shards "$out/no-shards" --checkpoint "$checkpoint" --set data.shards="$out/no-shards"
refused bad-override "data.nonsense" --checkpoint "$checkpoint" --set data.nonsense=1
finish
