#!/usr/bin/env python3
"""Independent checker of a `ddk distill` metrics.jsonl (standard library only).

Usage: check_metrics.py METRICS [--world-size N] [--students S] [--steps K]

Checks, printing one line per failure and exiting non-zero on any:
  * the first record is the run record (world size, students); a resumed run appends
    another run record (start_step) and the records after it are checked against it;
  * one step record per step 0..K-1, each with finite loss, and, when logged, the
    same weight checksum on every student (bit-identical weights after every step);
  * every ddk record: the same weight checksum on every world rank, weights summing
    to 1, weight_before equal to the previous record's weight_after (1/N at first),
    and weight_after recomputed from the logged perplexities alone:
      first record (smooth/unsmoothed): Eq. 1  r = softmax(student_ppl / teacher_ppl)
      smooth:      Eq. 2  r' = a * normalize(r * exp(ratio)) + (1 - a) / N
      unsmoothed:  Eq. 1 every interval;  uniform: 1/N;  static: unchanged weights.
"""
import json
import math
import sys


def softmax(values):
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def expected_weights(mode, alpha, before, ratios, first):
    n = len(ratios)
    if mode == "uniform":
        return [1.0 / n] * n
    if mode == "static":
        return None  # user weights: checked to stay constant below
    if first or mode == "unsmoothed":
        return softmax(ratios)
    top = max(ratios)
    psi = [w * math.exp(r - top) for w, r in zip(before, ratios)]
    total = sum(psi)
    return [alpha * p / total + (1 - alpha) / n for p in psi]


def main(argv):
    path = argv[1]
    options = dict(zip(argv[2::2], argv[3::2]))
    failures = []

    def fail(message):
        failures.append(message)
        print(f"check_metrics: {path}: {message}")

    with open(path) as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    if not records or records[0].get("kind") != "run":
        fail("the first record is not the run record")
        return 1
    run = records[0]
    if "--world-size" in options and run["world_size"] != int(options["--world-size"]):
        fail(f"world_size {run['world_size']}, expected {options['--world-size']}")
    students = len(run["student_ranks"])
    if "--students" in options and students != int(options["--students"]):
        fail(f"{students} students, expected {options['--students']}")

    # Each record belongs to the run record before it (a resume may change the world).
    owner = []
    for record in records:
        if record["kind"] == "run":
            run_of_record = record
        owner.append(run_of_record)
    steps = [r for r in records if r["kind"] == "step"]
    ddks = [r for r in records if r["kind"] == "ddk"]
    run_of = {id(r): o for r, o in zip(records, owner)}
    if "--steps" in options and [r["step"] for r in steps] != list(range(int(options["--steps"]))):
        fail(f"step records {[r['step'] for r in steps]}, expected 0..{int(options['--steps']) - 1}")
    for record in steps:
        for key in ("loss", "lr", "grad_norm", "tokens_per_second", "teacher_wait_seconds", "allreduce_seconds"):
            if not isinstance(record.get(key), (int, float)) or not math.isfinite(record[key]):
                fail(f"step {record['step']}: {key} is {record.get(key)!r}")
        sums = record.get("weight_checksums")
        if sums is not None:
            students = len(run_of[id(record)]["student_ranks"])
            if len(sums) != students:
                fail(f"step {record['step']}: {len(sums)} weight checksums for {students} students")
            if len(set(sums)) != 1:
                fail(f"step {record['step']}: student weights differ: {sums}")

    if not ddks:
        fail("no ddk record")
    previous = None
    for index, record in enumerate(ddks):
        domains = record["domains"]
        n = len(domains)
        checks = record.get("rank_weight_checksums")
        if checks is None or len(checks) != run_of[id(record)]["world_size"] or len(set(checks)) != 1:
            fail(f"ddk step {record['step']}: weights differ between ranks or are missing: {checks}")
        before = [d["weight_before"] for d in domains]
        after = [d["weight_after"] for d in domains]
        if abs(sum(after) - 1) > 1e-9:
            fail(f"ddk step {record['step']}: weights sum to {sum(after)}")
        expected_before = [1.0 / n] * n if previous is None else previous
        if any(abs(a - b) > 1e-12 for a, b in zip(before, expected_before)):
            fail(f"ddk step {record['step']}: weight_before {before} is not the previous weight_after {expected_before}")
        ratios = [d["student_ppl"] / d["teacher_ppl"] for d in domains]
        expected = expected_weights(record["mode"], record["alpha"], before, ratios, index == 0)
        if expected is None:
            if index > 0 and any(abs(a - b) > 1e-12 for a, b in zip(after, before)):
                fail(f"ddk step {record['step']}: static weights changed")
        elif any(abs(a - e) > 1e-9 * max(1.0, abs(e)) for a, e in zip(after, expected)):
            fail(f"ddk step {record['step']}: weight_after {after}, Eq. 1/2 give {expected}")
        previous = after
    print(f"check_metrics: {path}: {len(steps)} steps, {len(ddks)} DDK updates checked, "
          f"{'OK' if not failures else str(len(failures)) + ' failure(s)'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
