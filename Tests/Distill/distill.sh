#!/usr/bin/env bash
# End-to-end tests of `ddk distill` on launch/configs/tiny.toml under mpirun with 2, 3
# and 4 ranks (and one process without mpirun). Each run's metrics.jsonl goes through
# the independent checker check_metrics.py: bit-identical student weights after every
# step (checksums), identical DDK weights on every rank, every DDK update recomputed
# from the logged perplexities (Eq. 1 / Eq. 2). The data-parallel gradient is compared
# with one process computing the whole global batch (--check-gradient).
#
# Usage: Tests/Distill/distill.sh [path/to/ddk]   (default .build/release/ddk; build it first)
# Ends with "distill-tests: N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ddk=${1:-.build/release/ddk}
checker=Tests/Distill/check_metrics.py
out=runs/distill-tests
source Tests/lib/suite.sh

if ! launch/prepare-tiny "$ddk"; then
    echo "distill-tests: SKIPPED: the tiny inputs cannot be made (the teacher GGUF supplies the tokenizer)"
    echo "distill-tests: 0 passed, 0 failed"
    exit 0
fi
rm -rf "$out"

# run NAME NP ARGS...: one ddk distill run (NP=0: without mpirun), output in $out/NAME.
run() {
    local name=$1 np=$2; shift 2
    mkdir -p "$out/$name"
    local launcher=()
    [ "$np" -gt 0 ] && launcher=(mpirun --allow-run-as-root --oversubscribe -np "$np")
    timeout -k 5 240 "${launcher[@]}" "$ddk" distill --config launch/configs/tiny.toml \
        --set run_directory="$out/$name" "$@" >"$out/$name/stdout.log" 2>"$out/$name/stderr.log"
}

# check NAME NP STUDENTS STEPS: the run succeeded and its metrics pass the checker.
check() {
    local name=$1 world=$2 students=$3 steps=$4 status=$5
    if [ "$status" -ne 0 ]; then
        fail "$name: ddk distill exited $status"; tail -n 5 "$out/$name/stderr.log"; return
    fi
    if python3 "$checker" "$out/$name/metrics.jsonl" --world-size "$world" --students "$students" --steps "$steps"; then
        pass "$name: lockstep weights, identical DDK weights, DDK updates follow Eq. 1/2"
    else
        fail "$name: metrics check"
    fi
}

# The teacher perplexity is measured (cache removed) by the single process and by the pool of
# two teachers on 4 ranks (which also serve students 0 and 1); the other runs read the cache.
rm -rf data/tiny/shards/cache
run single 0; check single 1 1 8 $?
for np in 2 3; do
    run "kd-np$np" "$np"; check "kd-np$np" "$np" $((np - 1)) 8 $?
done
rm -rf data/tiny/shards/cache
run kd-np4 4 --set teacher.ranks=2; check kd-np4 4 2 8 $?
run kd-np4-1teacher 4; check kd-np4-1teacher 4 3 8 $?
if grep -q "teacher perplexity measured by ranks \[1, 2\]" "$out/kd-np4/stderr.log" && python3 - "$out/single/metrics.jsonl" "$out/kd-np4/metrics.jsonl" <<'PY'
import json, sys
def teacher(path):
    record = next(json.loads(l) for l in open(path) if '"kind":"ddk"' in l.replace(" ", ""))
    return [d["teacher_ppl"] for d in record["domains"]]
a, b = teacher(sys.argv[1]), teacher(sys.argv[2])
sys.exit(0 if all(abs(x - y) <= 1e-6 * x for x, y in zip(a, b)) else 1)
PY
then
    pass "teacher perplexity measured by the pool equals the single process's"
else
    fail "teacher perplexity: the pool's measurement differs from the single process's, or was not measured"
fi
# ce needs no teacher: every rank but none is a student; plain Eq. 1 every interval.
run ce-unsmoothed-np3 3 --set objective.name=ce --set teacher.ranks=0 --set ddk.mode=unsmoothed
check ce-unsmoothed-np3 3 3 8 $?
run kd-uniform-np2 2 --set ddk.mode=uniform --set training.steps=4; check kd-uniform-np2 2 1 4 $?

# dskd: teachers send final hidden states; students hold the projectors (summed too).
sed -e 's/^name = "kd"/name = "dskd"/; s/^kd_weight = 0.2/lambda = 0.5/; /^top_k/d; s/^temperature = 1.0/temperature = 2.0/' \
    launch/configs/tiny.toml >"$out/tiny-dskd.toml"
mkdir -p "$out/dskd-np3"
timeout -k 5 240 mpirun --allow-run-as-root --oversubscribe -np 3 "$ddk" distill --config "$out/tiny-dskd.toml" \
    --set run_directory="$out/dskd-np3" --check-gradient >"$out/dskd-np3/stdout.log" 2>"$out/dskd-np3/stderr.log"
status=$?
check dskd-np3 3 2 8 $status
if [ "$status" -eq 0 ] && grep -q '"passed":true' "$out/dskd-np3/gradient_check.json" && grep -q '"kd_s2t"' "$out/dskd-np3/metrics.jsonl"; then
    pass "dskd-np3: $(grep -o 'gradient check.*' "$out/dskd-np3/stderr.log")"
else
    fail "dskd-np3: gradient check or dskd components missing"
fi

# The same first step on every world size: the students' shares add up to the same loss.
first_losses=$(for name in single kd-np2 kd-np3 kd-np4 kd-np4-1teacher; do
    sed -n 's/.*"kind":"step".*"loss":\([0-9.e+-]*\).*"step":0,.*/\1/p' "$out/$name/metrics.jsonl"; done)
if python3 -c "
import sys; v=[float(x) for x in sys.argv[1:]]
sys.exit(0 if len(v)==5 and max(v)-min(v) <= 1e-5*abs(v[0]) else 1)" $first_losses; then
    pass "step-0 loss equal on 1-4 ranks ($(echo $first_losses | tr '\n' ' '))"
else
    fail "step-0 loss differs across world sizes: $(echo $first_losses | tr '\n' ' ')"
fi

# Data-parallel gradient against one process computing the whole batch.
for np in 3 4; do
    name="gradient-np$np"
    run "$name" "$np" --check-gradient --set training.steps=1; status=$?
    if [ "$status" -eq 0 ] && grep -q '"passed":true' "$out/$name/gradient_check.json" 2>/dev/null; then
        pass "$name: $(grep -o 'gradient check.*' "$out/$name/stderr.log")"
    else
        fail "$name: exit $status: $(cat "$out/$name/gradient_check.json" 2>/dev/null)"; tail -n 5 "$out/$name/stderr.log"
    fi
done

# ddk report: the per-domain table from metrics.jsonl alone; --json agrees with the last ddk record.
if "$ddk" report --run "$out/kd-np3" --json >"$out/kd-np3/report.json" 2>"$out/kd-np3/report.err" \
    && python3 - "$out/kd-np3/report.json" "$out/kd-np3/metrics.jsonl" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
ddk = [json.loads(l) for l in open(sys.argv[2]) if '"kind":"ddk"' in l.replace(" ", "")]
first, last = ddk[0], ddk[-1]
assert report["steps"] == last["step"] and report["mode"] == last["mode"]
for row, before, after in zip(report["domains"], first["domains"], last["domains"]):
    assert row["name"] == after["name"]
    assert row["teacher_ppl"] == after["teacher_ppl"] and row["weight"] == after["weight_after"]
    assert row["student_ppl_before"] == before["student_ppl"] and row["student_ppl_after"] == after["student_ppl"]
assert len(report["domains"]) == len(last["domains"]) > 0
PY
then
    pass "report --json: the table agrees with the first and last DDK records"
else
    fail "report --json: $(cat "$out/kd-np3/report.err")"
fi

# ddk bench distill --json: exactly one JSON object on stdout with the documented fields.
mkdir -p "$out/bench"
timeout -k 5 240 mpirun --allow-run-as-root --oversubscribe -np 3 "$ddk" bench distill --config launch/configs/tiny.toml \
    --steps 4 --json >"$out/bench/stdout.log" 2>"$out/bench/stderr.log"
status=$?
if [ "$status" -eq 0 ] && python3 - "$out/bench/stdout.log" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
figures = json.loads(text)  # the whole of stdout must be one JSON object
fields = {"world_size", "teacher_ranks", "student_ranks", "steps_measured", "step_seconds_mean",
          "student_tokens_per_second", "teacher_wait_fraction", "allreduce_seconds_per_step",
          "bucketed_allreduce_seconds", "bare_allreduce_seconds", "allreduce_bytes", "allreduce_buckets",
          "teacher_pool_utilization", "teacher_credit_wait_seconds", "heartbeat_fraction", "gradient_sync",
          "exposed_sync_seconds_per_step", "ranks", "model_flops_per_step", "model_gflops_per_second",
          "sgemm_peak_gflops_per_core", "cores", "machine_utilization"}
assert set(figures) == fields, set(figures) ^ fields
# One time breakdown per rank; its fractions are shares of the rank's wall time.
rank_fields = {"rank", "role", "wall_seconds", "cpu_utilization", "compute_fraction", "teacher_wait_fraction",
               "sync_wait_fraction", "credit_wait_fraction", "other_fraction"}
assert [r["rank"] for r in figures["ranks"]] == [0, 1, 2], figures["ranks"]
for r in figures["ranks"]:
    assert set(r) == rank_fields, set(r) ^ rank_fields
    parts = [r[k] for k in ("compute_fraction", "teacher_wait_fraction", "sync_wait_fraction", "credit_wait_fraction", "other_fraction")]
    assert all(0 <= p <= 1 for p in parts) and abs(sum(parts) - 1) < 1e-9, r
    assert r["wall_seconds"] > 0 and r["cpu_utilization"] > 0, r
roles = [r["role"] for r in figures["ranks"]]
assert roles[0].startswith("coordinator") and "teacher" in roles, roles
assert figures["gradient_sync"] == "nonblocking" and figures["model_flops_per_step"] > 0
assert 0 < figures["machine_utilization"] < 1.5 and figures["sgemm_peak_gflops_per_core"] > 0, figures
assert figures["world_size"] == 3 and figures["steps_measured"] == 3 and figures["student_tokens_per_second"] > 0
assert 0 <= figures["teacher_wait_fraction"] <= 1 and 0 < figures["teacher_pool_utilization"] <= 1
assert 0 < figures["heartbeat_fraction"] < 1, figures["heartbeat_fraction"]
PY
then
    pass "bench distill --json: one JSON object with the documented fields"
else
    fail "bench distill --json (exit $status): $(head -c 300 "$out/bench/stdout.log") $(tail -n 3 "$out/bench/stderr.log")"
fi

# The checker must catch a wrong DDK update and diverged weights.
tampered="$out/tampered.jsonl"
python3 - "$out/kd-np3/metrics.jsonl" "$tampered" <<'PY'
import json, sys
records = [json.loads(l) for l in open(sys.argv[1])]
ddk = [r for r in records if r["kind"] == "ddk"][1]
ddk["domains"][0]["weight_after"] += 1e-6
ddk["domains"][1]["weight_after"] -= 1e-6
step = [r for r in records if r["kind"] == "step"][3]
step["weight_checksums"][0] = "0" * 16
open(sys.argv[2], "w").write("".join(json.dumps(r) + "\n" for r in records))
PY
if python3 "$checker" "$tampered" >"$out/tampered.log" 2>&1; then
    fail "the checker accepted a tampered metrics file"
elif grep -q "Eq. 1/2 give" "$out/tampered.log" && grep -q "student weights differ" "$out/tampered.log"; then
    pass "the checker rejects a wrong DDK update and diverged student weights"
else
    fail "the checker failed the tampered file for another reason: $(cat "$out/tampered.log")"
fi

suite_summary distill-tests
