#!/usr/bin/env bash
# Failure tests of `ddk distill` under mpirun on launch/configs/tiny.toml: a fault ends the
# whole job quickly, non-zero, and the user reads what happened first.
#   kill -9 of a student rank, and of the teacher rank, mid-run: the job ends within 30 s
#     of the kill, non-zero, and the output names the lost rank;
#   a rank that stops answering (SIGSTOP) mid-run, the teacher and (in a `ce` job) a student:
#     the job ends within 30 s, non-zero, first with a rank's own line naming the deadline
#     that passed (teacher.timeout_seconds = 5 here);
#   a shard missing on one rank only (a tmpfs hides one domain's folder in that rank's
#     mount namespace): the job ends within 30 s, non-zero, and the first error line is
#     that rank's own `ddk distill: rank R (student): error: <shard path>: ...`;
#   start-up refusals, each exactly one line (rank 0's), non-zero and quick: a world too
#     small for the roles, a student checkpoint with another vocabulary than the teacher's,
#     shards made by another tokenizer;
#   a checkpoint written to a full disk (a 30 MB tmpfs, root only): one error line naming the
#     file and "No space left on device", `latest` still names the last good checkpoint,
#     and that checkpoint still evaluates.
#
# Usage: Tests/Faults/failures.sh [path/to/ddk]   (default .build/release/ddk; build it first)
# Ends with "fault-tests: N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ddk=${1:-.build/release/ddk}
config=launch/configs/tiny.toml
out=runs/fault-tests
source Tests/lib/suite.sh
mpirun=(mpirun --allow-run-as-root --oversubscribe)
tracked=()  # "pid start-time" of every launcher started here and every rank found; killed at the end if alive
# track PID: remember a process with its start time (so a reused pid is never killed).
track() { local stat; stat=$(cut -d' ' -f22 "/proc/$1/stat" 2>/dev/null) && tracked+=("$1 $stat"); }

if ! launch/prepare-tiny "$ddk" >/dev/null; then
    echo "fault-tests: SKIPPED: the tiny inputs cannot be made (the teacher GGUF supplies the tokenizer)"
    echo "fault-tests: 0 passed, 0 failed"
    exit 0
fi
rm -rf "$out"
mkdir -p "$out"

now() { date +%s.%N; }
seconds() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
within() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$1" "$2"; }

# descendants PID: every process below PID.
descendants() {
    local child
    for child in $(ps -o pid= --ppid "$1"); do
        echo "$child"
        descendants "$child"
    done
}

# rank_pid ROOT RANK: the pid of MPI rank RANK among the ddk processes started under ROOT.
rank_pid() {
    local pid program
    program=$(readlink -f "$ddk")
    world_rank_pid "$2" $(for pid in $(descendants "$1"); do
        [ "$(readlink "/proc/$pid/exe")" = "$program" ] && echo "$pid"; done)
}

# step_records NAME: how many step records the run has logged.
step_records() { step_records_in "$out/$1/metrics.jsonl"; }

# alive PID: the process exists and is not a zombie.
alive() { local state; state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ -n "$state" ] && [ "$state" != Z ]; }

# stop_tree PID: ends PID and every process below it (TERM, then KILL a second later).
stop_tree() {
    local pids
    pids="$(descendants "$1") $1"
    kill -TERM $pids 2>/dev/null
    sleep 1
    kill -KILL $pids 2>/dev/null
}

# first_fault_line NAME: the first output line that is not rank 0's progress.
# (Skipped too: OpenMPI's shared-memory transport complaint "[host:pid] Read -1, expected N,
# errno = 3", which a surviving rank prints when its single-copy read from the killed rank
# fails — occasionally before mpirun's own notice in the kill-teacher case.)
first_fault_line() {
    grep -v -E '^(step [0-9]+/|ddk step |distill |teacher perplexity |checkpoint step-)' "$out/$1/output.log" \
        | grep -v -E '^\[[^]]*\] Read -1, expected [0-9]+, errno = [0-9]+$' | grep -m1 -v -E '^-*$'
}

# fault_mid_run NAME NP RANK ROLE SIGNAL FIRST NAMED [--set ...]: a long run on NP ranks; once a
# few steps are logged, send SIGNAL to rank RANK. The job must end within 30 s of the signal,
# non-zero, no process of it may outlive mpirun, the first line after the progress must match
# the extended regex FIRST, and some line must match NAMED.
fault_mid_run() {
    local name=$1 np=$2 rank=$3 role=$4 signal=$5 expected=$6 named=$7
    shift 7
    mkdir -p "$out/$name"
    timeout -k 5 120 "${mpirun[@]}" -np "$np" "$ddk" distill --config "$config" --set run_directory="$out/$name" \
        --set training.steps=100000 --set checkpoint.every_steps=100000 "$@" >"$out/$name/output.log" 2>&1 &
    local launcher=$!
    track "$launcher"
    local waited=0
    while [ "$(step_records "$name")" -lt 3 ] && kill -0 "$launcher" 2>/dev/null && [ "$waited" -lt 600 ]; do
        sleep 0.2; waited=$((waited + 1))
    done
    local victim
    victim=$(rank_pid "$launcher" "$rank")
    if [ "$(step_records "$name")" -lt 3 ] || [ -z "$victim" ]; then
        fail "$name: the run did not reach step 3 with rank $rank alive ($(step_records "$name") steps logged)"
        tail -n 5 "$out/$name/output.log"
        stop_tree "$launcher"; wait "$launcher" 2>/dev/null
        return
    fi
    local ranks
    ranks=$(descendants "$launcher")
    for pid in $ranks; do track "$pid"; done
    local steps_before signalled_at
    steps_before=$(step_records "$name")
    signalled_at=$(now)
    kill -s "$signal" "$victim"
    wait "$launcher"
    local status=$? elapsed
    elapsed=$(seconds "$signalled_at" "$(now)")
    local survivors="" tries
    for tries in $(seq 50); do  # the ranks may take a moment to go once mpirun has ended
        survivors=""
        for pid in $ranks; do alive "$pid" && survivors="$survivors $pid"; done
        [ -z "$survivors" ] && break
        sleep 0.1
    done
    local first
    first=$(first_fault_line "$name")
    echo "  $name: SIG$signal to rank $rank ($role) after $steps_before logged steps; job ended ${elapsed}s later, exit $status"
    echo "  $name: first line after the progress: $first"
    if [ "$status" -eq 0 ] || [ "$status" -eq 124 ]; then
        fail "$name: the job exited $status after SIG$signal to rank $rank (0: no failure seen; 124: hung until the timeout)"
    elif ! within "$elapsed" 30; then
        fail "$name: the job took ${elapsed}s to end after SIG$signal to rank $rank (limit 30 s)"
    elif [ -n "$survivors" ]; then
        fail "$name: processes of the job outlived mpirun by 5 s:$survivors"
    elif ! echo "$first" | grep -qE "$expected"; then
        fail "$name: the first line after the progress is '$first', expected /$expected/"
    elif ! grep -qE "$named" "$out/$name/output.log"; then
        fail "$name: no line of the output matches /$named/"
    else
        pass "$name: SIG$signal to rank $rank ($role) ends the job in ${elapsed}s, exit $status: $(grep -m1 -E "$named" "$out/$name/output.log")"
    fi
}

# kill -9 mid-run (4 ranks: 0 coordinator+student, 1 teacher, 2-3 students): OpenMPI ends the
# job and names the lost rank ("PID 0" is OpenMPI 4.1's, so the rank number is what is checked).
fault_mid_run kill-student 4 2 student KILL '^Primary job +terminated normally|^mpirun noticed' \
    '^mpirun noticed that process rank 2 with PID [0-9]+ .*exited on signal 9'
fault_mid_run kill-teacher 4 1 teacher KILL '^Primary job +terminated normally|^mpirun noticed' \
    '^mpirun noticed that process rank 1 with PID [0-9]+ .*exited on signal 9'

# A rank that stops answering (SIGSTOP, teacher.timeout_seconds = 5; DDK interval longer than
# the run so the fault falls inside an interval): the teacher is detected by the students'
# receive deadline, a student by the all-reduce deadline (a `ce` job: no teacher to notice it).
fault_mid_run stop-teacher 4 1 teacher STOP \
    '^ddk distill: rank [023] \((coordinator\+)?student\): error: step [0-9]+: teacher rank 1 sent nothing within 5.0 seconds \(teacher.timeout_seconds\)' \
    'teacher rank 1 sent nothing' --set teacher.timeout_seconds=5 --set ddk.interval_steps=100000
# (If the stop falls between the all-reduce and the step's figures gather, rank 0's gather
# deadline, training.collective_timeout_seconds = 8, reports it instead.)
fault_mid_run stop-student-ce 3 2 student STOP \
    '^ddk distill: rank [01] \((coordinator\+)?student\): error: (gradient all-reduce at step [0-9]+ on students \(3 ranks\) did not complete|step [0-9]+ figures gather on trainers)' \
    'did not complete' --set teacher.timeout_seconds=5 --set training.collective_timeout_seconds=8 \
    --set ddk.interval_steps=100000 --set objective.name=ce --set teacher.ranks=0

# A shard missing on rank 2 only: in rank 2's own mount namespace an empty tmpfs hides the
# first domain's folder. Rank 2 must report the missing shard first and end the job.
domain=$(python3 -c "import json; print(json.load(open('data/tiny/shards/domains.json'))['domains'][0]['name'])")
train_shard=$(python3 -c "import json; print(json.load(open('data/tiny/shards/domains.json'))['domains'][0]['train']['path'])")
name=missing-shard-rank2
mkdir -p "$out/$name"
args=(distill --config "$config" --set run_directory="$out/$name" --set training.steps=50)
started=$(now)
timeout -k 5 120 "${mpirun[@]}" -np 2 "$ddk" "${args[@]}" \
    : -np 1 unshare --mount sh -c 'mount -t tmpfs none "$1" && shift && exec "$@"' hide "data/tiny/shards/$domain" "$ddk" "${args[@]}" \
    : -np 1 "$ddk" "${args[@]}" >"$out/$name/output.log" 2>&1 &
launcher=$!
track "$launcher"
wait "$launcher"
status=$?
elapsed=$(seconds "$started" "$(now)")
first_error=$(grep -m1 -iE "error|abort|mpi_|noticed|terminated" "$out/$name/output.log")
echo "  $name: job ended after ${elapsed}s, exit $status; first error line: $first_error"
expected="ddk distill: rank 2 (student): error: data/tiny/shards/$train_shard: cannot open token shard: No such file or directory"
if [ "$status" -eq 0 ] || [ "$status" -eq 124 ]; then
    fail "$name: the job exited $status (0: the missing shard went unnoticed; 124: hung until the timeout)"
elif ! within "$elapsed" 30; then
    fail "$name: the job took ${elapsed}s to end (limit 30 s)"
elif [ "$first_error" != "$expected" ]; then
    fail "$name: the first error line is '$first_error', expected '$expected'"
else
    pass "$name: rank 2's own message comes first, job ended in ${elapsed}s, exit $status"
fi

# refusal NAME NP EXPECTED-SUBSTRING... -- ARGS...: the run is refused at start-up with exactly
# one error line, rank 0's, holding every expected substring; non-zero, within 30 s.
refusal() {
    local name=$1 np=$2; shift 2
    local expected=()
    while [ "$1" != "--" ]; do expected+=("$1"); shift; done
    shift
    mkdir -p "$out/$name"
    local started status elapsed
    started=$(now)
    timeout -k 5 120 "${mpirun[@]}" -np "$np" "$ddk" distill --config "$config" --set run_directory="$out/$name" "$@" \
        >"$out/$name/output.log" 2>&1
    status=$?
    elapsed=$(seconds "$started" "$(now)")
    local lines error_lines
    error_lines=$(grep -c "ddk distill: rank .*error:" "$out/$name/output.log")
    lines=$(grep -m1 "ddk distill: rank .*error:" "$out/$name/output.log")
    echo "  $name: exit $status after ${elapsed}s; $error_lines error line(s): $lines"
    local missing=""
    for text in "${expected[@]}"; do
        case "$lines" in *"$text"*) ;; *) missing="$missing '$text'" ;; esac
    done
    if [ "$status" -eq 0 ] || [ "$status" -eq 124 ]; then
        fail "$name: exit $status (0: not refused; 124: hung until the timeout)"
    elif ! within "$elapsed" 30; then
        fail "$name: the refusal took ${elapsed}s (limit 30 s)"
    elif [ "$error_lines" -ne 1 ]; then
        fail "$name: $error_lines error lines, wanted exactly one: $(grep "error:" "$out/$name/output.log" | head -n 4 | tr '\n' '|')"
    elif [[ "$lines" != "ddk distill: rank 0 "* ]] || [ -n "$missing" ]; then
        fail "$name: the refusal '$lines' is not rank 0's or lacks$missing"
    else
        pass "$name: one line, exit $status, ${elapsed}s: ${lines#*error: }"
    fi
}

# (a) A world too small for the roles: 3 ranks cannot hold rank 0, 3 teachers and a student.
refusal world-too-small 3 "3 ranks cannot hold rank 0, 3 teacher rank(s)" "needs 4 or more" -- --set teacher.ranks=3

# (b) A student checkpoint with another vocabulary than the teacher's under kd: a tiny model
# made by `ddk init-model`, its embedding cut to 1000 rows (safetensors rewritten with the
# standard library) and config.json's vocab_size set to match.
student="$out/student-vocab-1000"
mkdir -p "$out/student-json"
cat >"$out/student-json/config.json" <<'JSON'
{"hidden_size": 32, "intermediate_size": 88, "num_hidden_layers": 2, "num_attention_heads": 2,
 "num_key_value_heads": 1, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "max_position_embeddings": 256,
 "tie_word_embeddings": true}
JSON
teacher_vocabulary=$(python3 -c "import json; print(json.load(open('data/tiny/teacher/config.json'))['vocab_size'])")
if "$ddk" init-model --config "$out/student-json/config.json" --seed 3 --out "$student" >/dev/null \
    && python3 - "$student" 1000 <<'PY'
import json, struct, sys
folder, rows = sys.argv[1], int(sys.argv[2])
raw = open(f"{folder}/model.safetensors", "rb").read()
size = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + size])
data = raw[8 + size:]
config = json.load(open(f"{folder}/config.json"))
vocabulary = config["vocab_size"]
pieces, offset = [], 0
for name, tensor in sorted(((n, t) for n, t in header.items() if n != "__metadata__"), key=lambda item: item[1]["data_offsets"][0]):
    begin, end = tensor["data_offsets"]
    chunk = data[begin:end]
    if tensor["shape"][0] == vocabulary:  # the embedding (and an untied head): keep the first rows
        chunk = chunk[:len(chunk) // vocabulary * rows]
        tensor["shape"][0] = rows
    tensor["data_offsets"] = [offset, offset + len(chunk)]
    pieces.append(chunk)
    offset += len(chunk)
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
open(f"{folder}/model.safetensors", "wb").write(struct.pack("<Q", len(text)) + text + b"".join(pieces))
config["vocab_size"] = rows
json.dump(config, open(f"{folder}/config.json", "w"))
PY
then
    refusal vocabulary-mismatch 3 "student checkpoint $student has vocabulary size 1000" \
        "data/tiny/teacher (whose tokenizer wrote the shards) has $teacher_vocabulary" "the student must read the shards' vocabulary" -- \
        --set student.init=checkpoint --set student.checkpoint="$student"
else
    fail "vocabulary-mismatch: could not make the student checkpoint with 1000 tokens"
fi

# (c) Shards made by another tokenizer: a copy of the tiny shards whose domains.json names
# another tokenizer identity.
shards="$out/other-tokenizer-shards"
mkdir -p "$shards"
cp -r data/tiny/shards/. "$shards/"
rm -rf "$shards/cache"
our_identity=$(python3 -c "import json; print(json.load(open('data/tiny/shards/domains.json'))['tokenizer']['identity'])")
python3 - "$shards/domains.json" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
summary["tokenizer"]["identity"] = "another-tokenizer-0123456789abcdef"
json.dump(summary, open(sys.argv[1], "w"))
PY
refusal other-tokenizer-shards 3 "$shards" "another-tokenizer-0123456789abcdef" "$our_identity" -- --set data.shards="$shards"

# Leftovers: every process started here that is still alive.
for entry in "${tracked[@]}"; do
    pid=${entry% *}
    if [ "$(cut -d' ' -f22 "/proc/$pid/stat" 2>/dev/null)" = "${entry#* }" ]; then
        echo "  killing leftover process $pid"
        kill -9 "$pid" 2>/dev/null
    fi
done

# A full disk: the run folder on a 30 MB tmpfs holds the step-2 checkpoint (19 MB) but not
# the step-4 one. Root only (mount).
full="$out/full-disk"
mountpoint -q "$full" 2>/dev/null && umount "$full"   # left by an interrupted earlier run
if [ "$(id -u)" -eq 0 ] && mkdir -p "$full" && mount -t tmpfs -o size=30m tmpfs "$full" 2>/dev/null; then
    timeout -k 5 120 mpirun --allow-run-as-root --oversubscribe -np 3 "$ddk" distill --config "$config" \
        --set run_directory="$full/run" --set checkpoint.every_steps=2 >"$out/full-disk.log" 2>&1
    status=$?
    errors=$(grep -c "ddk distill: rank .*error:" "$out/full-disk.log")
    latest=$(cat "$full/run/checkpoints/latest" 2>/dev/null)
    if [ "$status" -ne 0 ] && [ "$errors" -eq 1 ] && grep -q "error: .*step-4.partial/.*No space left on device" "$out/full-disk.log" \
        && [ "$latest" = "step-2" ] && "$ddk" eval --checkpoint "$full/run/checkpoints/step-2" --config "$config" --json >/dev/null 2>&1; then
        pass "full disk: one line ($(grep -m1 -o "error: .*" "$out/full-disk.log" | cut -c1-120)), latest still step-2, which evaluates"
    else
        fail "full disk: exit $status, $errors error lines, latest '$latest': $(grep -m1 "error:" "$out/full-disk.log")"
    fi
    umount "$full"
else
    echo "full disk: SKIPPED (needs root to mount a tmpfs)"
fi

suite_summary fault-tests
